//! PBFT end to end: each Byzantine behaviour's hand-written scenario in tests/scenarios/pbft/,
//! thousands of random faulty schedules with one liar (safe with four replicas, broken with
//! three), the explorer's fork at three replicas replaying from its file, and the bound said.

use std::path::Path;
use std::process::Command;

use paxos_lab::explore::{self, Bounds, Options, Progress, Verdict};
use paxos_lab::protocols::kv::Workload;
use paxos_lab::protocols::pbft::{self, Config, Pbft, PbftWorld, server};
use paxos_lab::sim::{Knobs, Scheduler};
use paxos_lab::trace;

struct Expect {
    file: &'static str,
    /// The liar the scenario names, and whether it uses a lie (a silent replica does not).
    liar: &'static str,
    lies: usize,
    /// The first violation, if the scenario breaks a rule, and its step.
    first: Option<(&'static str, u64)>,
    /// Whether the client's request was answered.
    answered: bool,
}

const SCENARIOS: &[Expect] = &[
    Expect {
        file: "silent-replica",
        liar: "S4",
        lies: 0,
        first: None,
        answered: true,
    },
    Expect {
        file: "equivocating-primary",
        liar: "S1",
        lies: 1,
        first: None,
        answered: true,
    },
    Expect {
        file: "equivocating-primary-three-replicas",
        liar: "S1",
        lies: 2,
        first: Some(("commit-agreement", 9)),
        answered: false,
    },
    Expect {
        file: "double-prepare-and-commit",
        liar: "S2",
        lies: 2,
        first: None,
        answered: true,
    },
    Expect {
        file: "forged-reply",
        liar: "S2",
        lies: 1,
        first: None,
        answered: true,
    },
];

#[test]
fn each_byzantine_behaviour_has_a_commented_scenario_that_plays_as_described() {
    let dir = format!("{}/tests/scenarios/pbft", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut listed: Vec<String> = SCENARIOS
        .iter()
        .map(|e| format!("{}.ron", e.file))
        .collect();
    listed.sort();
    assert_eq!(files, listed, "every scenario file is checked here");
    for e in SCENARIOS {
        let path = format!("{dir}/{}.ron", e.file);
        let (t, text) =
            trace::load_as::<Pbft>(Path::new(&path)).unwrap_or_else(|err| panic!("{err}"));
        assert!(
            text.starts_with("// Byzantine behaviour:"),
            "{}: the file says what it shows",
            e.file
        );
        assert_eq!(
            t.config
                .byzantine
                .iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>(),
            vec![e.liar.to_string()],
            "{}",
            e.file
        );
        let lies = t
            .actions
            .iter()
            .filter(|a| matches!(a, pbft::Action::Lie { .. }))
            .count();
        assert_eq!(lies, e.lies, "{}", e.file);
        let r = trace::replay(Path::new(&path), &text, &t).unwrap_or_else(|err| panic!("{err}"));
        let first = r.world.first_violation().map(|v| (v.invariant, v.step));
        assert_eq!(first, e.first, "{}: {:?}", e.file, r.world.violations());
        let answered = r.world.monitor().history.ops().any(|o| o.ret.is_some());
        assert_eq!(answered, e.answered, "{}", e.file);
        assert_eq!(r.world.step(), t.actions.len() as u64);
    }
}

/// The same three-replica equivocation with a fourth replica added is no fork: one honest
/// replica more makes every two quorums share an honest one.
#[test]
fn the_equivocation_that_splits_three_replicas_cannot_split_four() {
    let path = format!(
        "{}/tests/scenarios/pbft/equivocating-primary.ron",
        env!("CARGO_MANIFEST_DIR")
    );
    let (t, text) = trace::load_as::<Pbft>(Path::new(&path)).unwrap();
    let r = trace::replay(Path::new(&path), &text, &t).unwrap();
    let holds: Vec<u32> = (1..=4)
        .map(|i| match &r.world.node(server(i)).unwrap().state {
            pbft::Node::Server(s) => s.executed,
            pbft::Node::Client(_) => unreachable!(),
        })
        .collect();
    // S1 (the liar) and S4 (told the lie) never executed; S2 and S3 executed C1's put.
    assert_eq!(holds, vec![0, 1, 1, 0]);
}

/// A random faulty schedule with one liar (chosen by the seed), played to its end.
fn random_run(servers: u8, seed: u64, steps: usize) -> PbftWorld {
    let liar = server((seed % servers as u64) as u8 + 1);
    let config = Config {
        servers,
        faults: 1,
        clients: 2,
        seed,
        byzantine: vec![liar],
        ..Config::default()
    };
    let mut w = config.world();
    let knobs = Knobs {
        drop: 0.05,
        duplicate: 0.05,
        crash: 0.01,
        restart: 0.3,
        propose: 0.05,
        lie: 0.2,
        pause: 0.0,
    };
    let mut sched = Scheduler::new(seed, knobs);
    for _ in 0..steps {
        let Some(a) = sched.next(&w) else { break };
        w.apply(&a).unwrap();
    }
    w
}

const SCHEDULES: u64 = 10_000;

#[test]
fn ten_thousand_random_schedules_with_one_liar_keep_every_rule_with_four_replicas() {
    let mut executed = 0;
    for seed in 0..SCHEDULES {
        let w = random_run(4, seed, 120);
        assert_eq!(w.violations(), &[], "seed {seed}");
        executed += w.monitor().executed.iter().filter(|e| e.is_some()).count();
    }
    // The runs did work: requests executed, not just lies dropped on the floor.
    assert!(executed > SCHEDULES as usize, "{executed} slots executed");
}

#[test]
fn some_of_ten_thousand_random_schedules_with_one_liar_fork_three_replicas() {
    let forks = (0..SCHEDULES)
        .filter(|&seed| {
            random_run(3, seed, 120)
                .violations()
                .iter()
                .any(|v| v.invariant == "commit-agreement" || v.invariant == "execution-agreement")
        })
        .count();
    assert!(forks > 0, "no fork in {SCHEDULES} schedules");
}

fn options(lies: u8, total_timeouts: u8) -> Options {
    Options {
        bounds: Bounds {
            timeouts: Some(1),
            total_timeouts: Some(total_timeouts),
            retries: Some(0),
            lies,
            ..Bounds::default()
        },
        threads: 2,
        ..Options::default()
    }
}

fn search(servers: u8, liar: u8, lies: u8, total_timeouts: u8) -> explore::Search<Pbft> {
    let config = Config {
        servers,
        clients: 1,
        byzantine: vec![server(liar)],
        ..Config::default()
    };
    explore::explore_store_protocol::<Pbft>(
        &config,
        Workload::PutGet,
        1,
        &options(lies, total_timeouts),
        &Progress::default(),
    )
    .unwrap()
}

#[test]
fn the_explorer_finds_the_equivocating_primary_of_three_replicas_and_the_run_replays() {
    let s = search(3, 1, 2, 0);
    let Verdict::Violation { violation, actions } = &s.report.verdict else {
        panic!("{:?}", s.report.verdict);
    };
    assert!(
        ["commit-agreement", "execution-agreement"].contains(&violation.invariant),
        "{violation:?}"
    );
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, pbft::Action::Lie { .. }))
    );
    let text = s.counterexample.as_ref().unwrap().to_ron();
    let (t, replay) = trace::parse_and_replay_as::<Pbft>(Path::new("fork.ron"), &text)
        .expect("the counterexample replays");
    assert_eq!(t.to_ron(), text);
    assert_eq!(
        replay.world.first_violation().map(|v| v.invariant),
        Some(violation.invariant)
    );
}

/// With four replicas and the primary lying once, every state within the bounds is safe. (The
/// fork at three replicas needs two lies; four replicas with two lies are past what this
/// explorer searches in a test's time: see the README's PBFT section.)
#[test]
fn four_replicas_with_a_lying_primary_are_safe_within_one_lie() {
    let s = search(4, 1, 1, 0);
    assert!(
        matches!(s.report.verdict, Verdict::Safe),
        "{:?}",
        s.report.verdict
    );
    assert!(
        s.report.unique_states > 100_000,
        "{}",
        s.report.unique_states
    );
}

/// What `paxos-lab replay` prints for a saved run, which must break a rule (exit 1).
fn replay_breaking(path: &std::path::Path) -> String {
    let replay = Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .arg("replay")
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&replay.stdout).into_owned();
    assert_eq!(replay.status.code(), Some(1), "{text}");
    text
}

#[test]
fn explore_on_the_command_line_finds_the_fork_and_replay_shows_it() {
    let dir = std::env::temp_dir().join(format!("pbft-fork-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fork.ron");
    let out = Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args([
            "explore",
            "--protocol",
            "pbft",
            "--servers",
            "3",
            "--byzantine",
            "S1",
            "--ops",
            "1",
            "--lies",
            "2",
            "--total-timeouts",
            "0",
            "--out",
        ])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("Byzantine: S1"), "{stdout}");
    assert!(replay_breaking(&path).contains("agreement"));
    std::fs::remove_dir_all(&dir).ok();
}

/// The bound, at `explore`'s defaults: four replicas with a lying backup (S2), one
/// client with one request, one timeout and one lie (enough for a view change: the liar's view
/// change may be the second of the f + 1 that make the others join). Every reachable state is
/// expanded and the verdict is SAFE (about 13 million states: a minute and a half in release,
/// longer here).
#[test]
#[ignore = "a breadth-first search of about 13 million states: a few minutes"]
fn explore_at_its_defaults_proves_four_replicas_with_a_lying_backup_safe() {
    let out = Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args(["explore", "--protocol", "pbft", "--servers", "4"])
        .args(["--byzantine", "S2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("SAFE: every reachable state checked"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 clients with 1 put-get operations each"),
        "{stdout}"
    );
    assert!(stdout.contains("unique states 12,867,723"), "{stdout}");
}

/// A lying backup (S2) among three replicas forks them only as the primary of the next view,
/// too deep for breadth first: `explore` at its defaults says so, takes random walks with the
/// budgets they need, and exits 1 with a counterexample that replays to the same rule broken,
/// the same run whatever the thread count.
#[test]
fn explore_at_its_defaults_finds_a_lying_backups_fork_by_walks_and_it_replays() {
    let dir = std::env::temp_dir().join(format!("pbft-backup-fork-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut runs = Vec::new();
    for threads in ["1", "2"] {
        let path = dir.join(format!("fork-{threads}.ron"));
        let out = Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
            .args(["explore", "--protocol", "pbft", "--servers", "3"])
            .args(["--byzantine", "S2", "--threads", threads, "--out"])
            .arg(&path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("takes random walks"), "{stdout}");
        assert!(
            stdout.contains("--depth N to search breadth first"),
            "{stdout}"
        );
        assert!(stdout.contains("agreement"), "{stdout}");
        // Walks of at most 30 steps find a fork with one view change, not a wander through two.
        assert!(stdout.contains("at most 30 steps"), "{stdout}");
        let steps: u32 = stdout
            .split("minimised: ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no step count: {stdout}"));
        assert!(steps <= 20, "a {steps}-step fork: {stdout}");
        let text = replay_breaking(&path);
        assert!(text.contains("commit-agreement"), "{text}");
        let trace = std::fs::read_to_string(&path).unwrap();
        assert!(
            trace.contains("Lie(from: \"S2\""),
            "a lie is needed: {trace}"
        );
        runs.push(trace);
    }
    assert_eq!(
        runs[0], runs[1],
        "the same counterexample whatever the thread count"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn simulate_warns_when_the_replicas_are_fewer_than_three_f_plus_one() {
    let run = |servers: &str| {
        Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
            .args([
                "simulate",
                "--protocol",
                "pbft",
                "--servers",
                servers,
                "--steps",
                "50",
            ])
            .output()
            .unwrap()
    };
    let three = run("3");
    assert_eq!(three.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&three.stderr).contains("n = 3 < 3f + 1 = 4"),
        "{three:?}"
    );
    let four = run("4");
    assert!(!String::from_utf8_lossy(&four.stderr).contains("3f + 1"));
    // f must leave quorums that are majorities.
    let bad = Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args([
            "simulate",
            "--protocol",
            "pbft",
            "--servers",
            "2",
            "--faults",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("faults"));
}
