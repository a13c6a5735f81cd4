//! `paxos-lab compare`: Multi-Paxos and Raft on the shipped fault scripts, the same every
//! time, both runs saved and replayable, and bad scripts refused at their line with exit 2.

fn paxos_lab(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The shipped fault scripts' names, from the app's own list.
fn scripts() -> Vec<&'static str> {
    paxos_lab::lesson::bundled::COMPARE
        .iter()
        .map(|(file, _)| file.trim_start_matches("compare/").trim_end_matches(".ron"))
        .collect()
}

fn script(name: &str) -> String {
    format!("{}/lessons/compare/{name}.ron", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_shipped_script_runs_both_protocols_safely_and_the_same_every_time() {
    for name in scripts() {
        let path = script(name);
        let o = paxos_lab(&["compare", "--faults", &path, "--json"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let again = paxos_lab(&["compare", "--faults", &path, "--json"]);
        assert_eq!(o.stdout, again.stdout, "{name}: not deterministic");
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        for side in ["multipaxos", "raft"] {
            let s = &j[side];
            // Under lease reads a paused leader may answer stale (see below); nothing else may.
            if j["reads"] != "lease" {
                assert_eq!(s["violations"], 0, "{name} {side}: {s}");
            }
            assert!(s["committed"].as_u64().unwrap() > 0, "{name} {side}: {s}");
            assert!(
                s["leader_changes"].as_u64().unwrap() >= 2,
                "{name} {side}: {s}"
            );
            let applied = s["faults_applied_at"].as_array().unwrap();
            assert!(applied.iter().all(|a| a.is_u64()), "{name} {side}: {s}");
        }
        let table = paxos_lab(&["compare", "--faults", &path]);
        let text = String::from_utf8_lossy(&table.stdout);
        for row in paxos_lab::compare::ROWS {
            assert!(text.contains(row[0]), "{name}: no {:?} in\n{text}", row[0]);
        }
        assert!(
            text.contains("crash the leader")
                || text.contains("cut the leader off")
                || text.contains("followers off"),
            "{text}"
        );
        if name == "isolated-leader" {
            // The cut-off leader's uncommitted suffix is cut from its log after the heal.
            assert!(
                j["raft"]["entries_moved"].as_u64().unwrap() > 0,
                "{}",
                j["raft"]
            );
        }
        if name.contains("partition") {
            // A failover that takes over earlier entries on both sides: Multi-Paxos re-proposes
            // them in the new ballot, Raft commits them through an entry of the new term.
            for side in ["multipaxos", "raft"] {
                assert!(
                    j[side]["carried_over"].as_u64().unwrap() > 0,
                    "{name} {side}: {}",
                    j[side]
                );
            }
        }
    }
}

/// Raft's count of entries committed through a later term counts each entry once, at its first
/// commit, and only entries older than the committing leader's term.
#[test]
fn raft_counts_an_entry_carried_over_only_at_its_first_commit() {
    let script =
        paxos_lab::compare::Script::load(std::path::Path::new(&script("partition"))).unwrap();
    let c = paxos_lab::compare::compare(&script, paxos_lab::protocols::kv::Workload::Mixed);
    let trace = &c.raft.trace;
    let mut world = trace.config.world();
    for a in &trace.actions {
        world.apply(a).unwrap();
    }
    let m = world.monitor();
    let older = m
        .committed
        .iter()
        .zip(&m.committed_in)
        .filter(|(e, t)| e.term < **t)
        .count() as u32;
    assert_eq!(c.raft.last().carried_over, older);
}

#[test]
fn both_runs_and_their_diagrams_are_saved_and_the_runs_replay() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = paxos_lab(&["compare", "--faults", &script("partition"), "--out-dir", d]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for name in ["multipaxos", "raft"] {
        let run = dir.path().join(format!("{name}.ron"));
        let r = paxos_lab(&["replay", run.to_str().unwrap()]);
        assert_eq!(
            r.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        let svg = std::fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{name}"
        );
        // The partition shows as cut links in the run.
        let text = std::fs::read_to_string(&run).unwrap();
        assert!(text.contains("CutLink(\"S1\", \"S3\")"), "{name}");
    }
}

#[test]
fn a_bad_script_or_folder_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ron");
    std::fs::write(
        &bad,
        "(\n    servers: 3,\n    faults: [\n        (at: 10, do: Crash(\"S7\")),\n    ],\n)\n",
    )
    .unwrap();
    let o = paxos_lab(&["compare", "--faults", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.ron:4:9:"), "{err}");
    assert!(err.contains("S7 is not one of the servers S1..S3"), "{err}");
    let o = paxos_lab(&[
        "compare",
        "--faults",
        &script("leader-crash"),
        "--out-dir",
        dir.path().join("missing").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a folder"));
    let o = paxos_lab(&[
        "compare",
        "--faults",
        dir.path().join("none.ron").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_reads_the_shipped_scripts_as_fault_scripts() {
    let dir = format!("{}/lessons/compare", env!("CARGO_MANIFEST_DIR"));
    let o = paxos_lab(&["check", &dir, "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), scripts().len());
    assert!(
        lines
            .iter()
            .all(|j| j["kind"] == "fault-script" && j["ok"] == true)
    );
}

/// `paxos-lab gui SCRIPT.ron` opens the side-by-side view on a fault script; a broken script is
/// refused with its position and exit 2 before any window opens.
#[test]
fn gui_refuses_a_broken_fault_script_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(script("partition"))
        .unwrap()
        .replacen("CrashLeader", "CrashEveryone", 1);
    let path = dir.path().join("broken.ron");
    std::fs::write(&path, text).unwrap();
    let o = paxos_lab(&["gui", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    let at = format!("{}:", path.display());
    assert!(err.contains(&at) && err.contains("CrashEveryone"), "{err}");
}

/// The compare figures of a script, with `extra` options.
fn figures(name: &str, extra: &[&str]) -> serde_json::Value {
    let path = script(name);
    let mut args = vec!["compare", "--faults", &path, "--json"];
    args.extend_from_slice(extra);
    let o = paxos_lab(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Two followers cut off from a leader that keeps its majority, then healed: without Pre-Vote,
/// Raft's cut-off servers come back with higher terms and depose the leader; with Pre-Vote and
/// CheckQuorum, in both protocols, the first leader leads to the end and the time without a
/// leader drops.
#[test]
fn pre_vote_and_check_quorum_keep_a_healed_minority_from_deposing_the_leader() {
    let without = figures("minority-partition", &[]);
    let with = figures("minority-partition", &["--pre-vote", "--check-quorum"]);
    assert_eq!(with["pre_vote"], true);
    assert_eq!(with["check_quorum"], true);
    assert!(
        without["raft"]["leader_changes"].as_u64().unwrap() >= 2,
        "{without}"
    );
    for side in ["raft", "multipaxos"] {
        assert_eq!(with[side]["leader_changes"], 1, "{side}: {with}");
        assert_eq!(with[side]["violations"], 0, "{side}: {with}");
    }
    let leaderless = |j: &serde_json::Value| j["raft"]["time_without_leader"].as_u64().unwrap();
    assert!(
        leaderless(&with) < leaderless(&without),
        "{with}\n{without}"
    );
    // The issue's own figure: the crash, partition and heal script.
    let (with, without) = (
        figures("partition", &["--pre-vote", "--check-quorum"]),
        figures("partition", &[]),
    );
    assert!(
        leaderless(&with) < leaderless(&without),
        "{with}\n{without}"
    );
}

/// A leader cut off and paused past its lease's margin answers a get stale under lease reads
/// (the linearizability check counts it); the same run under ReadIndex answers nothing stale,
/// and a lease without CheckQuorum is refused.
#[test]
fn a_paused_leaseholder_reads_stale_and_read_index_does_not() {
    let lease = figures("paused-leader", &[]);
    assert_eq!(lease["reads"], "lease");
    assert_eq!(lease["raft"]["violations"], 1, "{lease}");
    let read_index = figures("paused-leader", &["--reads", "read-index"]);
    assert_eq!(read_index["reads"], "read-index");
    for side in ["raft", "multipaxos"] {
        assert_eq!(read_index[side]["violations"], 0, "{side}: {read_index}");
    }
    let table = paxos_lab(&["compare", "--faults", &script("paused-leader")]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("with CheckQuorum and lease reads"), "{text}");
    assert!(text.contains("pause the leader for 200 ticks"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("lease.ron");
    for (text, why) in [
        (
            "(reads: lease, faults: [(at: 5, do: PauseLeader(0))])",
            "a pause lasts from 1",
        ),
        (
            "(reads: lease, faults: [(at: 5, do: PauseLeader(9))])",
            "needs --check-quorum",
        ),
    ] {
        std::fs::write(&bare, text).unwrap();
        let o = paxos_lab(&["compare", "--faults", bare.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(why) && err.contains("lease.ron:"), "{err}");
    }
    let o = paxos_lab(&[
        "compare",
        "--faults",
        &script("partition"),
        "--reads",
        "lease",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// `--seeds` runs the script on each seed of a range and prints the means; a bad range, or one
/// beside `--out-dir`, is refused with exit 2.
#[test]
fn compare_over_seeds_prints_means_and_refuses_a_bad_range() {
    let path = script("minority-partition");
    let o = paxos_lab(&[
        "compare",
        "--faults",
        &path,
        "--seeds",
        "1..4",
        "--pre-vote",
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["seeds"], serde_json::json!([1, 4]));
    assert_eq!(j["pre_vote"], true);
    // The mean of the four seeds' own figures.
    let mut sum = 0.0;
    for seed in 1..=4u64 {
        let mut s = paxos_lab::compare::Script::load(std::path::Path::new(&path)).unwrap();
        s.seed = seed;
        s.pre_vote = true;
        let c = paxos_lab::compare::compare(&s, paxos_lab::protocols::kv::Workload::Mixed);
        sum += c.raft.last().time_without_leader as f64;
    }
    let mean = j["raft"]["time_without_leader"].as_f64().unwrap();
    assert!(
        (mean - sum / 4.0).abs() < 1e-9,
        "{mean} against {}",
        sum / 4.0
    );
    let text = String::from_utf8_lossy(
        &paxos_lab(&["compare", "--faults", &path, "--seeds", "1..2"]).stdout,
    )
    .to_string();
    assert!(text.contains("means over seeds 1 to 2"), "{text}");
    for bad in ["5..1", "1..5000", "x..3", "7"] {
        let o = paxos_lab(&["compare", "--faults", &path, "--seeds", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
    }
    let dir = tempfile::tempdir().unwrap();
    let o = paxos_lab(&[
        "compare",
        "--faults",
        &path,
        "--seeds",
        "1..2",
        "--out-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}
