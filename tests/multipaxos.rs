//! Multi-Paxos end to end: each flaw's hand-written scenario in tests/scenarios/multipaxos/ breaks
//! the rule it is about (and the same actions cannot break the correct protocol), random faulty
//! schedules of the correct protocol keep every invariant and stay linearizable, and random
//! schedules catch every flaw.

use std::path::Path;

use paxos_lab::protocols::Plugin;
use paxos_lab::protocols::kv::Workload;
use paxos_lab::protocols::multipaxos::{Action, Config, Flaw, MultiPaxos, client};
use paxos_lab::sim::{Knobs, Scheduler};
use paxos_lab::trace;

struct Expect {
    flaw: Flaw,
    /// The first violation and its step.
    first: (&'static str, u64),
    /// Every invariant the scenario breaks by its end.
    breaks: &'static [&'static str],
}

const SCENARIOS: &[Expect] = &[
    Expect {
        flaw: Flaw::SkipPrepareOnFailover,
        first: ("agreement", 18),
        breaks: &["agreement", "applied-is-chosen", "linearizable"],
    },
    Expect {
        flaw: Flaw::IgnorePromisedCommands,
        first: ("agreement", 10),
        breaks: &["agreement"],
    },
    Expect {
        flaw: Flaw::CommitOnMinority,
        first: ("applied-is-chosen", 4),
        breaks: &["applied-is-chosen", "linearizable"],
    },
    Expect {
        flaw: Flaw::NoDedup,
        first: ("exactly-once", 15),
        breaks: &["exactly-once"],
    },
    Expect {
        flaw: Flaw::StaleRead,
        first: ("linearizable", 12),
        breaks: &["linearizable"],
    },
    Expect {
        flaw: Flaw::ApplyPastHole,
        first: ("state-machine-safety", 8),
        breaks: &["state-machine-safety"],
    },
];

fn scenario(flaw: Flaw) -> String {
    format!(
        "{}/tests/scenarios/multipaxos/{}.ron",
        env!("CARGO_MANIFEST_DIR"),
        flaw.name()
    )
}

#[test]
fn every_flaw_has_a_scenario_that_breaks_its_rule() {
    assert_eq!(SCENARIOS.len(), Flaw::ALL.len());
    for e in SCENARIOS {
        let path = scenario(e.flaw);
        let (t, text) =
            trace::load_as::<MultiPaxos>(Path::new(&path)).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(t.config.flaws, vec![e.flaw]);
        let r = trace::replay(Path::new(&path), &text, &t).unwrap_or_else(|err| panic!("{err}"));
        let found: Vec<(&str, u64)> = r
            .world
            .violations()
            .iter()
            .map(|v| (v.invariant, v.step))
            .collect();
        assert_eq!(found.first(), Some(&e.first), "{}: {found:?}", e.flaw);
        for rule in e.breaks {
            assert!(
                found.iter().any(|(i, _)| i == rule),
                "{}: {rule} not broken: {found:?}",
                e.flaw
            );
        }
        assert_eq!(r.world.step(), t.actions.len() as u64);
    }
}

#[test]
fn the_same_actions_cannot_break_correct_multipaxos() {
    for e in SCENARIOS {
        let (mut t, _) = trace::load_as::<MultiPaxos>(Path::new(&scenario(e.flaw))).unwrap();
        t.config.flaws.clear();
        let mut world = t.config.world();
        // Without the flaw the run takes another course and some later actions name messages
        // that are never sent; play as far as the actions still apply.
        let mut applied = 0;
        for a in &t.actions {
            if world.apply(a).is_err() {
                break;
            }
            applied += 1;
        }
        assert!(applied > 3, "{}: only {applied} actions applied", e.flaw);
        assert_eq!(world.violations(), &[], "{} without the flaw", e.flaw);
    }
}

/// One random faulty run: `clients` clients with `ops` operations each, then the scheduler.
fn random_run(
    config: &Config,
    ops: u32,
    knobs: Knobs,
    steps: usize,
) -> paxos_lab::protocols::multipaxos::MultiPaxosWorld {
    let mut w = config.world();
    for c in 1..=config.clients {
        for op in Workload::Mixed.ops(config.seed, c, ops) {
            w.apply(&Action::Propose(client(c), op)).unwrap();
        }
    }
    let mut sched = Scheduler::new(config.seed, knobs);
    for _ in 0..steps {
        let Some(a) = sched.next(&w) else { break };
        w.apply(&a).unwrap();
        if !w.violations().is_empty() {
            break;
        }
    }
    w
}

const FAULTS: Knobs = Knobs {
    drop: 0.1,
    duplicate: 0.1,
    crash: 0.02,
    restart: 0.2,
    propose: 0.0,
    lie: 0.0,
    pause: 0.0,
};

#[test]
fn ten_thousand_random_faulty_schedules_keep_every_invariant() {
    let mut answered = 0;
    for seed in 0..10_000u64 {
        let config = Config {
            seed,
            servers: 3 + 2 * (seed % 2) as u8,
            clients: 3,
            ..Config::default()
        };
        let w = random_run(&config, 3, FAULTS, 600);
        assert!(
            w.violations().is_empty(),
            "seed {seed}: {:?}",
            w.violations()
        );
        let m = w.monitor();
        assert!(m.linearizable, "seed {seed}");
        answered += m.history.ops().filter(|o| o.ret.is_some()).count();
    }
    // The runs do real work: most requests get their answer despite the faults.
    assert!(
        answered > 10_000 * 9 / 2,
        "only {answered} requests answered"
    );
}

#[test]
fn random_faulty_schedules_catch_every_flaw() {
    for flaw in Flaw::ALL {
        let caught = (0..2_000u64).find_map(|seed| {
            let config = Config {
                seed,
                clients: 3,
                flaws: vec![flaw],
                ..Config::default()
            };
            let w = random_run(&config, 3, FAULTS, 1_000);
            w.first_violation().map(|v| (seed, v.invariant))
        });
        assert!(caught.is_some(), "{} was never caught", flaw.name());
        eprintln!("{}: {caught:?}", flaw.name());
    }
}

#[test]
fn a_simulated_trace_saves_and_replays_to_the_same_outcome() {
    let config = Config {
        seed: 7,
        clients: 3,
        ..Config::default()
    };
    let opening: Vec<Action> = (1..=3)
        .flat_map(|c| {
            Workload::Mixed
                .ops(7, c, 4)
                .into_iter()
                .map(move |op| Action::Propose(client(c), op))
        })
        .collect();
    let t = paxos_lab::cli::simulate_as::<MultiPaxos>(&config, FAULTS, 2_000, opening);
    let text = t.to_ron();
    assert!(text.contains("protocol: \"multipaxos\""), "{text}");
    let path = Path::new("simulated.ron");
    let (back, replayed) = trace::parse_and_replay_as::<MultiPaxos>(path, &text).unwrap();
    assert_eq!(back, t);
    let recorded = t.outcome.as_ref().unwrap();
    assert_eq!(
        MultiPaxos::differences(recorded, &replayed.outcome),
        Vec::<String>::new()
    );
    assert!(recorded.history.len() == 12 && recorded.linearizable);
    // Read as Paxos, the file is refused at its protocol field.
    let e = trace::parse(path, &text, false).unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (3, "protocol `multipaxos`: expected `paxos`")
    );
}

fn paxos_lab(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn simulate_prints_the_log_the_stores_and_the_history_as_json() {
    let o = paxos_lab(&[
        "simulate",
        "--protocol",
        "multipaxos",
        "--clients",
        "2",
        "--ops",
        "2",
        "--workload",
        "put-get",
        "--steps",
        "500",
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["protocol"], "multipaxos");
    assert_eq!(j["linearizable"], true);
    assert_eq!(j["chosen"].as_array().unwrap().len(), 4);
    assert_eq!(j["replicas"]["S1"]["applied"], 4);
    let history = j["history"].as_array().unwrap();
    assert_eq!(history.len(), 4);
    let put = history.iter().find(|r| r["op"] == "put").unwrap();
    assert!(put["value"].is_string() && put["output"] == "ok" && put.get("expect").is_none());
    let get = history.iter().find(|r| r["op"] == "get").unwrap();
    assert!(get.get("value").is_none() && get["return"].is_u64());
    for r in history {
        assert!(r["invoke"].as_u64().unwrap() < r["return"].as_u64().unwrap());
    }
}

#[test]
fn the_cli_refuses_what_it_cannot_do_with_exit_2() {
    let o = paxos_lab(&["simulate", "--protocol", "zab"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("known: paxos, multipaxos, raft, pbft"));
    let o = paxos_lab(&["simulate", "--protocol", "multipaxos", "--flaw", "amnesia"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a Multi-Paxos flaw"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    let scenario = scenario(Flaw::StaleRead);
    // Pictures of a Multi-Paxos run are drawn by its graph view; one too large is refused
    // before anything is drawn or written.
    let o = paxos_lab(&["export", &scenario, "-o", out.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(std::fs::read(&out).unwrap().starts_with(b"\x89PNG"));
    let gif = dir.path().join("x.gif");
    let o = paxos_lab(&[
        "export",
        &scenario,
        "--to",
        "3",
        "--size",
        "320x200",
        "-o",
        gif.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(std::fs::read(&gif).unwrap().starts_with(b"GIF89a"));
    let big = dir.path().join("big.png");
    let o = paxos_lab(&[
        "export",
        &scenario,
        "--size",
        "10000x10000",
        "-o",
        big.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("larger than the limit"));
    assert!(!big.exists());
    // A broken run is refused at its place before any window opens.
    let bad = dir.path().join("bad.ron");
    std::fs::write(
        &bad,
        r#"(version: 2, protocol: "multipaxos", config: (servers: 3, clients: 1, seed: 1), actions: [Deliver(7)])"#,
    )
    .unwrap();
    let o = paxos_lab(&["gui", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.ron:1:91: action 1 `Deliver(7)` cannot apply"),
        "{err}"
    );
}

#[test]
fn replay_and_check_report_a_flaws_violation_and_text_exports_name_the_protocol() {
    let scenario = scenario(Flaw::IgnorePromisedCommands);
    let o = paxos_lab(&["replay", &scenario]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("VIOLATED at step 10: agreement"));
    let o = paxos_lab(&["check", &scenario]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let dir = tempfile::tempdir().unwrap();
    for (ext, needle) in [
        ("svg", "Multi-Paxos: 3 servers, 1 clients"),
        (
            "mmd",
            "Note over S1,S3: chosen in slot 1: C1.1 put x=1 (ballot 1.1)",
        ),
        ("log", "S2 {"),
        ("json", "\"protocol\": \"multipaxos\""),
    ] {
        let out = dir.path().join(format!("x.{ext}"));
        let o = paxos_lab(&["export", &scenario, "-o", out.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{ext}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains(needle), "{ext} lacks {needle:?}");
    }
}

fn explore_safe(extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["explore", "--protocol", "multipaxos", "--json"];
    args.extend_from_slice(extra);
    let o = paxos_lab(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["result"], "safe", "{j}");
    j
}

/// The defaults: the first request makes S1 leader, and one timeout among the servers lets
/// another campaign against it (failover, competing leaders).
#[test]
fn the_explorer_finds_correct_multipaxos_safe_at_its_default_bounds() {
    let j = explore_safe(&[]);
    assert!(j["unique_states"].as_u64().unwrap() > 100_000, "{j}");
}

/// Two clients whose commands share the log, no timeouts: what Stateright's `paxos check 2`
/// checks, on a log with a leader (the bench reports the figure beside the anchor's).
#[test]
fn the_explorer_finds_two_clients_linearizable() {
    let j = explore_safe(&["--clients", "2", "--timeouts", "0", "--total-timeouts", "0"]);
    assert_eq!(j["unique_states"], 218_795, "{j}");
}

#[test]
fn the_explorer_catches_every_flaw_with_a_counterexample_that_replays() {
    let dir = tempfile::tempdir().unwrap();
    for flaw in Flaw::ALL {
        let mut files = Vec::new();
        for threads in ["1", "2"] {
            let out = dir.path().join(format!("{}-{threads}.ron", flaw.name()));
            let o = paxos_lab(&[
                "explore",
                "--protocol",
                "multipaxos",
                "--flaw",
                flaw.name(),
                "--threads",
                threads,
                "--out",
                out.to_str().unwrap(),
            ]);
            assert_eq!(
                o.status.code(),
                Some(1),
                "{}: {}",
                flaw.name(),
                String::from_utf8_lossy(&o.stdout)
            );
            let r = paxos_lab(&["replay", out.to_str().unwrap()]);
            assert_eq!(
                r.status.code(),
                Some(1),
                "{} does not replay as a violation",
                flaw.name()
            );
            files.push(std::fs::read_to_string(&out).unwrap());
        }
        assert_eq!(
            files[0],
            files[1],
            "{}: the counterexample depends on the thread count",
            flaw.name()
        );
    }
}

/// With Pre-Vote and CheckQuorum the explorer finds correct Multi-Paxos safe, with more states
/// than without (the pre-candidates, the followers' live leaders, the leaders' counts), and
/// still catches `commit-on-minority`.
#[test]
fn the_explorer_checks_multipaxos_with_pre_vote_and_check_quorum() {
    let plain = explore_safe(&[]);
    let with = explore_safe(&["--pre-vote", "--check-quorum"]);
    assert!(
        with["unique_states"].as_u64() > plain["unique_states"].as_u64(),
        "{with}\n{plain}"
    );
    let o = paxos_lab(&[
        "explore",
        "--protocol",
        "multipaxos",
        "--json",
        "--pre-vote",
        "--check-quorum",
        "--flaw",
        "commit-on-minority",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
