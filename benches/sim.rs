//! `cargo bench`: the same measurements as `paxos-lab bench`, printed as a summary.

fn main() {
    // `cargo test --benches` runs this with `--bench` absent; keep that fast.
    let quick = !std::env::args().any(|a| a == "--bench");
    let size = if quick {
        paxos_lab::bench::Size::Quick
    } else {
        paxos_lab::bench::Size::Full
    };
    print!("{}", paxos_lab::bench::measure(size).summary());
}
