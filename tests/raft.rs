//! Raft headless: `simulate`, `replay`, `check` and the text exports read Raft runs as they read
//! the other protocols'; what Raft cannot do yet (pictures, the explorer, the app, lessons) is
//! refused with exit 2 and a reason.

fn paxos_lab(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn a_simulated_raft_run_replays_checks_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("raft.ron");
    let o = paxos_lab(&[
        "simulate",
        "--protocol",
        "raft",
        "--servers",
        "5",
        "--clients",
        "3",
        "--steps",
        "1500",
        "--drop",
        "0.05",
        "--crash",
        "0.01",
        "--propose",
        "0.02",
        "--out",
        run.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["protocol"], "raft");
    assert_eq!(j["safety"], "ok");
    assert!(j["committed"].as_array().unwrap().len() > 5, "{j}");
    assert!(!j["leaders"].as_object().unwrap().is_empty());
    let text = std::fs::read_to_string(&run).unwrap();
    assert!(text.contains("protocol: \"raft\""));
    let o = paxos_lab(&["replay", run.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("leaders: term "));
    let o = paxos_lab(&["check", run.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let svg = dir.path().join("raft.svg");
    let o = paxos_lab(&[
        "export",
        run.to_str().unwrap(),
        "--to",
        "40",
        "-o",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg.contains("RequestVote(term "),
        "the election's messages are drawn"
    );
    // A replay that diverges from the recorded outcome is told in words.
    let edited = text.replacen("seed: 1,", "seed: 2,", 1);
    let other = dir.path().join("other.ron");
    std::fs::write(&other, edited).unwrap();
    let o = paxos_lab(&["check", other.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
}

#[test]
fn what_raft_cannot_do_yet_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("raft.ron");
    let o = paxos_lab(&[
        "simulate",
        "--protocol",
        "raft",
        "--steps",
        "200",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let png = dir.path().join("raft.png");
    for (args, words) in [
        (
            vec!["export", run.to_str().unwrap(), "-o", png.to_str().unwrap()],
            "no png picture yet",
        ),
        (
            vec!["explore", "--protocol", "raft"],
            "does not search Raft yet",
        ),
        (vec!["gui", run.to_str().unwrap()], "no Raft views yet"),
        (
            vec!["simulate", "--protocol", "raft", "--flaw", "amnesia"],
            "not a Raft flaw",
        ),
    ] {
        let o = paxos_lab(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(words), "{args:?}: {err}");
    }
    assert!(!png.exists());
}
