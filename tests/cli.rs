//! The command line as a user meets it: determinism of saved traces, replay, exit codes, and
//! clear `file:line:col` errors (never a panic) for every kind of broken trace file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited, not killed")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("paxos-lab-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const FAULTY: &[&str] = &[
    "simulate",
    "--proposers",
    "3",
    "--acceptors",
    "5",
    "--drop",
    "0.2",
    "--duplicate",
    "0.1",
    "--crash",
    "0.05",
];

#[test]
fn same_seed_gives_byte_identical_traces_and_other_seeds_differ() {
    let d = TempDir::new("determinism");
    let mut outs = Vec::new();
    for (i, seed) in ["7", "7", "8"].iter().enumerate() {
        let f = d.file(&format!("t{i}.ron"));
        let o = run(&[FAULTY, &["--seed", seed, "--out", s(&f)]].concat());
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        outs.push(std::fs::read(&f).unwrap());
    }
    assert_eq!(outs[0], outs[1]);
    assert_ne!(outs[0], outs[2]);
}

#[test]
fn replay_reproduces_what_simulate_recorded() {
    let d = TempDir::new("replay");
    for seed in ["1", "2", "3", "4"] {
        for ext in ["ron", "json"] {
            let f = d.file(&format!("t{seed}.{ext}"));
            let sim = run(&[FAULTY, &["--seed", seed, "--json", "--out", s(&f)]].concat());
            assert_eq!(code(&sim), 0, "{}", stderr(&sim));
            let rep = run(&["replay", s(&f), "--json"]);
            assert_eq!(code(&rep), 0, "{}", stderr(&rep));
            assert_eq!(stdout(&sim), stdout(&rep));
        }
    }
}

#[test]
fn simulate_json_has_the_documented_shape() {
    let o = run(&["simulate", "--seed", "3", "--json"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for key in [
        "steps",
        "messages",
        "chosen",
        "learned",
        "safety",
        "violation",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    for key in ["sent", "delivered", "dropped", "duplicated"] {
        assert!(v["messages"][key].is_u64(), "messages.{key}");
    }
    assert_eq!(v["safety"], "ok");
    assert!(v["chosen"]["value"].is_string());
    assert!(v["learned"]["L1"]["step"].is_u64());
}

#[test]
fn a_violation_exits_with_one() {
    let f = format!(
        "{}/tests/scenarios/minority-quorum.ron",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = run(&["replay", &f, "--json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["safety"], "violated");
    assert_eq!(v["violation"]["invariant"], "agreement");
    assert_eq!(v["violation"]["step"], 8);
}

#[test]
fn a_replay_that_diverges_exits_with_three() {
    let d = TempDir::new("diverge");
    let f = d.file("t.ron");
    assert_eq!(code(&run(&["simulate", "--seed", "5", "--out", s(&f)])), 0);
    let text = std::fs::read_to_string(&f).unwrap();
    let i = text.find("state_hash: \"").unwrap() + "state_hash: \"".len();
    let tampered = format!("{}0000000000000000{}", &text[..i], &text[i + 16..]);
    std::fs::write(&f, tampered).unwrap();
    let o = run(&["replay", s(&f)]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("state hash"), "{}", stderr(&o));
}

/// Writes `content` as a trace and returns what `replay` and `check` said about it.
fn broken(d: &TempDir, name: &str, content: &[u8]) -> (Output, Output) {
    let f = d.file(name);
    std::fs::write(&f, content).unwrap();
    (run(&["replay", s(&f)]), run(&["check", s(&f)]))
}

fn assert_rejected_at(o: &Output, path_end: &str, line: usize, col: Option<usize>, words: &str) {
    let err = stderr(o);
    assert_eq!(code(o), 2, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let first = err.lines().next().unwrap_or("");
    let at = format!("{path_end}:{line}:");
    assert!(first.contains(&at), "expected `{at}` in: {first}");
    if let Some(col) = col {
        assert!(
            first.contains(&format!("{path_end}:{line}:{col}: ")),
            "col {col}: {first}"
        );
    }
    assert!(first.contains(words), "expected `{words}` in: {first}");
}

const GOOD: &str = r#"(
    version: 1,
    config: (proposers: 2, acceptors: 3, learners: 1, seed: 4),
    actions: [
        Propose("P1", "A"),
        Deliver(1),
    ],
)
"#;

#[test]
fn a_good_hand_written_trace_passes_check() {
    let d = TempDir::new("good");
    let (rep, chk) = broken(&d, "good.ron", GOOD.as_bytes());
    assert_eq!(code(&rep), 0, "{}", stderr(&rep));
    assert_eq!(code(&chk), 0, "{}", stderr(&chk));
    assert!(stdout(&chk).contains("ok: "));
}

#[test]
fn broken_trace_files_are_rejected_with_a_position_never_a_panic() {
    let d = TempDir::new("broken");
    // A missing file.
    let missing = d.file("missing.ron");
    let o = run(&["replay", s(&missing)]);
    assert_rejected_at(&o, "missing.ron", 1, Some(1), "cannot read");

    // (file name, content, line, column if checked, words the message must hold)
    type Case = (&'static str, Vec<u8>, usize, Option<usize>, &'static str);
    let cases: Vec<Case> = vec![
        ("empty.ron", b"".to_vec(), 1, None, ""),
        (
            "truncated.ron",
            GOOD.as_bytes()[..GOOD.len() / 2].to_vec(),
            3,
            None,
            "end of RON",
        ),
        (
            "binary.ron",
            vec![0x28, 0x0a, 0xff, 0xfe, 0x00, 0x01],
            2,
            Some(1),
            "not UTF-8",
        ),
        (
            "unknown-field.ron",
            GOOD.replace("seed: 4", "seed: 4, colour: 3").into_bytes(),
            3,
            None,
            "colour",
        ),
        (
            "typo-action.ron",
            GOOD.replace("Deliver(1)", "Delivr(1)").into_bytes(),
            6,
            None,
            "Delivr",
        ),
        (
            "bad-node.ron",
            GOOD.replace("\"P1\"", "\"P9\"").into_bytes(),
            5,
            Some(9),
            "no node P9",
        ),
        (
            "not-a-node.ron",
            GOOD.replace("\"P1\"", "\"Q1\"").into_bytes(),
            5,
            None,
            "not a node id",
        ),
        (
            "bad-message.ron",
            GOOD.replace("Deliver(1)", "Deliver(99)").into_bytes(),
            6,
            Some(9),
            "message #99 is not in flight",
        ),
        (
            "bad-version.ron",
            GOOD.replace("version: 1", "version: 9").into_bytes(),
            2,
            Some(14),
            "version 9",
        ),
        (
            "bad-config.ron",
            GOOD.replace("acceptors: 3", "acceptors: 0").into_bytes(),
            3,
            // At the field itself, inside the config.
            Some(28),
            "acceptors",
        ),
        (
            "bad-quorum.ron",
            GOOD.replace("seed: 4", "seed: 4, q1: 5").into_bytes(),
            3,
            Some(64),
            "q1",
        ),
        (
            "long-value.ron",
            GOOD.replace("\"A\"", "\"a value far too long\"")
                .into_bytes(),
            5,
            None,
            "too long",
        ),
        ("deep.ron", "[".repeat(100_000).into_bytes(), 1, None, ""),
        (
            "huge-number.ron",
            GOOD.replace("seed: 4", "seed: 99999999999999999999999")
                .into_bytes(),
            3,
            None,
            "`seed`: the number is out of range",
        ),
    ];
    for (name, content, line, col, words) in cases {
        let (rep, chk) = broken(&d, name, &content);
        assert_rejected_at(&rep, name, line, col, words);
        assert_rejected_at(&chk, name, line, col, words);
    }
}

#[test]
fn broken_json_traces_are_rejected_with_a_position() {
    let d = TempDir::new("json");
    let (rep, _) = broken(
        &d,
        "t.json",
        b"{\"version\": 1,\n \"config\": {}, \"actions\": [}\n",
    );
    assert_rejected_at(&rep, "t.json", 2, None, "");
}

#[test]
fn usage_errors_exit_with_two() {
    assert_eq!(code(&run(&["simulate", "--flaw", "nonsense"])), 2);
    assert_eq!(code(&run(&["simulate", "--acceptors", "0"])), 2);
    assert_eq!(code(&run(&["simulate", "--drop", "1.5"])), 2);
    assert_eq!(code(&run(&["no-such-command"])), 2);
}

#[test]
fn bench_reports_its_figures_as_json() {
    let o = run(&["bench", "--quick", "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["sim_steps_per_sec"].as_f64().unwrap() > 0.0);
    for key in ["seek_max_ms", "frame_ms_default", "frame_ms_large"] {
        assert!(v[key].as_f64().unwrap() > 0.0, "{key}: {v}");
    }
}
