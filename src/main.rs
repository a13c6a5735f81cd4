//! The paxos-lab binary: a thin shell over the library's CLI.

fn main() -> std::process::ExitCode {
    paxos_lab::cli::main()
}
