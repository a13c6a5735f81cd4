//! Hardening: nothing a user has is ever damaged, no input hangs or aborts the program, errors
//! are short and located. One test (or more) per defect found by trying the release binary as a
//! careful user and as an attacker would; each failed before its fix.

// Tests run on the desktop: the threads and clocks banned for the page are fine here.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code)]
mod process;
use process::{bin, run, scratch, stderr, stdout};

fn small_trace(dir: &Path) -> PathBuf {
    let p = dir.join("small.ron");
    fs::copy("tests/golden/small.ron", &p).unwrap();
    p
}

fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// A trace of one request followed by `copies` duplicates of its first Prepare.
fn duplicate_trace(path: &Path, copies: usize) {
    let mut text = String::from(
        "(version: 1, config: (proposers: 2, acceptors: 3, learners: 1, seed: 4),\n actions: [\nPropose(\"P1\", \"A\"),\n",
    );
    for _ in 0..copies {
        text.push_str("Duplicate(1),\n");
    }
    text.push_str("])\n");
    fs::write(path, text).unwrap();
}

/// Writes `text` to `path` and runs `check` on it.
fn check_written(path: &Path, text: impl AsRef<[u8]>) -> Output {
    fs::write(path, text).unwrap();
    run(&["check", path.to_str().unwrap()])
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo works");
}

// 1. A device, FIFO or folder as the output.

#[test]
fn exporting_to_dev_null_leaves_it_a_device() {
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        "/dev/null",
        "--format",
        "svg",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn exporting_into_a_fifo_writes_through_it() {
    let dir = scratch("fifo-out");
    let fifo = dir.join("out.mmd");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(&fifo).unwrap())
    };
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        fifo.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = reader.join().unwrap();
    assert!(String::from_utf8_lossy(&got).starts_with("sequenceDiagram"));
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_folder_as_the_output_is_refused_and_kept() {
    let dir = scratch("dir-out");
    let target = dir.join("taken.svg");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("inside"), b"mine").unwrap();
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("folder"), "{}", stderr(&o));
    assert_eq!(fs::read(target.join("inside")).unwrap(), b"mine");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn exporting_to_dev_stdout_redirected_to_a_file_appends_to_it() {
    let dir = scratch("stdout");
    let log = dir.join("log.txt");
    fs::write(&log, b"earlier lines\n").unwrap();
    let appended = fs::OpenOptions::new().append(true).open(&log).unwrap();
    let o = bin()
        .args([
            "export",
            "tests/golden/small.ron",
            "--format",
            "mermaid",
            "-o",
            "/dev/stdout",
        ])
        .stdout(appended)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("earlier lines\nsequenceDiagram"), "{text}");
    assert!(!text.contains("wrote "), "the note goes to stderr: {text}");
    fs::remove_dir_all(&dir).unwrap();
}

// 2. A symlinked output.

#[test]
fn a_linked_output_keeps_its_link_and_updates_the_real_file() {
    let dir = scratch("link-out");
    fs::write(dir.join("real.svg"), b"stale").unwrap();
    std::os::unix::fs::symlink("real.svg", dir.join("link.svg")).unwrap();
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        dir.join("link.svg").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        fs::symlink_metadata(dir.join("link.svg"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(dir.join("real.svg"))
            .unwrap()
            .contains("<svg")
    );
    fs::remove_dir_all(&dir).unwrap();
}

// 3. An export over its own input.

#[test]
fn an_export_never_overwrites_its_own_input() {
    let dir = scratch("self");
    let t = small_trace(&dir);
    let before = fs::read(&t).unwrap();
    let o = run(&[
        "export",
        t.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        t.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    std::os::unix::fs::symlink("small.ron", dir.join("alias.ron")).unwrap();
    let alias = dir.join("alias.ron");
    let o = run(&[
        "export",
        t.to_str().unwrap(),
        "--format",
        "json",
        "--to",
        "5",
        "-o",
        alias.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let dotted = format!("{}/./small.ron", dir.display());
    let o = run(&[
        "export",
        t.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        &dotted,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(fs::read(&t).unwrap(), before, "the input is untouched");
    fs::remove_dir_all(&dir).unwrap();
}

// 4. Temp files: unpredictable, exclusive, removed on failure and on SIGTERM.

#[test]
fn a_failed_save_leaves_no_temp_file() {
    let dir = scratch("fail");
    // A dangling link into a missing folder: the save resolves it and fails.
    std::os::unix::fs::symlink("missing/out.svg", dir.join("out.svg")).unwrap();
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        dir.join("out.svg").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(temp_files(&dir).is_empty());
    assert!(
        !stderr(&o).contains(".tmp"),
        "the temp name means nothing to the user: {}",
        stderr(&o)
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sigterm_during_a_save_removes_the_temp_file() {
    let dir = scratch("sigterm");
    let big = dir.join("big.ron");
    duplicate_trace(&big, 60_000);
    // Try a few times: the temp file lives only while the output is written and synced.
    for _ in 0..5 {
        let mut child = bin()
            .args([
                "export",
                big.to_str().unwrap(),
                "-o",
                dir.join("big.svg").to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let mut caught = false;
        while started.elapsed() < Duration::from_secs(60) {
            if !temp_files(&dir).is_empty() {
                // The shell's own `kill`: no package beyond a POSIX shell needed.
                let ok = Command::new("sh")
                    .args(["-c", &format!("kill -TERM {}", child.id())])
                    .status()
                    .unwrap()
                    .success();
                caught = ok;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let status = child.wait().unwrap();
        if caught {
            assert_eq!(status.code(), Some(130), "it stops as interrupted");
            assert!(temp_files(&dir).is_empty(), "{:?}", temp_files(&dir));
            fs::remove_dir_all(&dir).unwrap();
            return;
        }
        let _ = fs::remove_file(dir.join("big.svg"));
    }
    panic!("the save was never caught in the middle in five tries");
}

// 5. Re-saving keeps the mode.

#[test]
fn re_exporting_keeps_a_private_files_mode() {
    let dir = scratch("mode");
    let out = dir.join("private.svg");
    fs::write(&out, b"old").unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o600)).unwrap();
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    fs::remove_dir_all(&dir).unwrap();
}

// 6. Extensions in any case.

#[test]
fn an_upper_case_json_name_is_written_and_read_as_json() {
    let dir = scratch("case");
    let out = dir.join("x.JSON");
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        fs::read_to_string(&out)
            .unwrap()
            .trim_start()
            .starts_with('{')
    );
    let o = run(&["check", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["replay", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    fs::remove_dir_all(&dir).unwrap();
}

// 7. Lessons cannot run forever.

fn lesson_with_wait(within: &str) -> String {
    format!(
        r#"(
    version: 1,
    id: "forever",
    title: (en: "Forever", zh: "永远"),
    summary: (en: "A wait that is never reached.", zh: "永远等不到。"),
    config: (proposers: 1, acceptors: 3, learners: 1, seed: 1),
    steps: [
        Do([CutLink("P1", "A1"), CutLink("P1", "A2"), CutLink("P1", "A3"), Propose("P1", "A")]),
        Wait(until: Chosen(Some("A")), within: {within}),
    ],
)
"#
    )
}

#[test]
fn a_huge_wait_is_refused_at_its_position() {
    let dir = scratch("wait");
    let f = dir.join("forever.ron");
    fs::write(&f, lesson_with_wait("18446744073709551615")).unwrap();
    for args in [vec!["check"], vec!["lesson", "--verify"]] {
        let started = Instant::now();
        let o = bin().args(&args).arg(&f).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(started.elapsed() < Duration::from_secs(20));
        let e = stderr(&o);
        assert!(
            e.contains("forever.ron:9:40:") && e.contains("`within`"),
            "{e}"
        );
    }
    // Past u64 it names the field too.
    let e = stderr(&check_written(
        &f,
        lesson_with_wait("99999999999999999999999"),
    ));
    assert!(
        e.contains("`within`") && !e.contains("Integer is out of bounds"),
        "{e}"
    );
    // The largest allowed wait still ends, with a clear message.
    let o = check_written(&f, lesson_with_wait("10000"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not reached within 10000 steps"),
        "{}",
        stderr(&o)
    );
    fs::remove_dir_all(&dir).unwrap();
}

// 8. Out of memory is a message, never an abort.

#[test]
fn requests_too_large_for_memory_are_refused_before_allocating() {
    let o = run(&["simulate", "--steps", "1000000000000", "--propose", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("limit"), "{}", stderr(&o));
    let dir = scratch("big-pictures");
    let png = dir.join("x.png");
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        png.to_str().unwrap(),
        "--size",
        "10000x10000",
        "--scale",
        "8",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--size or --scale"), "{}", stderr(&o));
    let gif = dir.join("x.gif");
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        gif.to_str().unwrap(),
        "--frames-per-step",
        "1000000",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--frames-per-step"), "{}", stderr(&o));
    assert!(!png.exists() && !gif.exists());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn explore_stops_at_its_memory_budget_under_ulimit() {
    let cmd = format!(
        "ulimit -v 1500000; exec {} explore --proposers 4 --acceptors 5 --ballots 3 --drops 2 --json",
        env!("CARGO_BIN_EXE_paxos-lab")
    );
    let o = Command::new("sh").args(["-c", &cmd]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(json["result"], "limit");
    assert_eq!(json["limit"], "memory");
    assert!(json["unique_states"].as_u64().unwrap() > 100_000);
}

#[test]
fn an_explicit_memory_budget_stops_the_search_and_says_which_limit() {
    let o = run(&["explore", "--proposers", "3", "--max-memory", "24M"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("memory budget of 24 MiB"),
        "{}",
        stdout(&o)
    );
    let o = run(&["explore", "--max-memory", "lots"]);
    assert_eq!(o.status.code(), Some(2));
}

// 9. Many messages in flight cost linear memory and time.

#[test]
fn a_trace_with_200k_copies_in_flight_exports_in_bounded_memory() {
    let dir = scratch("copies");
    let t = dir.join("copies.ron");
    duplicate_trace(&t, 200_000);
    // Before, each checkpoint copied every message: 1.3 GB for this export.
    let cmd = format!(
        "ulimit -v 1000000; exec {} export {} -o {}",
        env!("CARGO_BIN_EXE_paxos-lab"),
        t.display(),
        dir.join("copies.png").display()
    );
    let o = Command::new("sh").args(["-c", &cmd]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    fs::remove_dir_all(&dir).unwrap();
}

// 10. Inputs that are not regular files, or too large.

#[test]
fn devices_pipes_and_huge_files_are_refused_as_input() {
    let started = Instant::now();
    let o = run(&["check", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/dev/zero") && stderr(&o).contains("not a regular file"));
    let dir = scratch("inputs");
    let fifo = dir.join("pipe.ron");
    mkfifo(&fifo);
    let o = run(&["replay", fifo.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a FIFO with no writer must not block"
    );
    let huge = dir.join("huge.ron");
    fs::File::create(&huge).unwrap().set_len(65 << 20).unwrap();
    let o = run(&["check", huge.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("huge.ron") && stderr(&o).contains("64 MiB"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    fs::remove_dir_all(&dir).unwrap();
}

// 11. No panics.

#[test]
fn absurd_thread_counts_are_refused_and_a_full_stderr_does_not_panic() {
    let o = run(&["explore", "--threads", "2000"]);
    assert_eq!(o.status.code(), Some(2));
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = bin()
        .args(["check", "/nonexistent.ron"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "exit 2, not a panic's 101");
}

// 12. Counterexamples are the same whatever the thread count.

#[test]
fn the_counterexample_file_is_the_same_for_any_thread_count() {
    let dir = scratch("threads");
    let mut files = Vec::new();
    for threads in ["1", "2", "8", "8", "3"] {
        let out = dir.join(format!("cx-{threads}-{}.ron", files.len()));
        let o = run(&[
            "explore",
            "--flaw",
            "ignore-promised-value",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        files.push(fs::read(&out).unwrap());
    }
    assert!(files.windows(2).all(|w| w[0] == w[1]), "the files differ");
    fs::remove_dir_all(&dir).unwrap();
}

// 13. An unwritable --out loses nothing.

#[test]
fn an_unwritable_out_is_refused_before_the_search() {
    let o = run(&[
        "explore",
        "--flaw",
        "ignore-promised-value",
        "--out",
        "/nonexistent/cx.ron",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        !stdout(&o).contains("VIOLATION"),
        "no search ran: {}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("/nonexistent"), "{}", stderr(&o));
}

#[test]
fn a_save_that_fails_after_the_search_prints_the_counterexample() {
    let dir = scratch("late-fail");
    let out = dir.join("cx.ron");
    std::os::unix::fs::symlink("gone/cx.ron", &out).unwrap();
    let o = run(&[
        "explore",
        "--flaw",
        "minority-quorum",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("cannot write the counterexample"), "{e}");
    assert!(
        e.contains("Propose(\"P1\", \"A\"),"),
        "the actions are shown: {e}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

// 14. --max-states stops close to its limit.

#[test]
fn max_states_stops_within_one_state_per_thread() {
    for threads in ["1", "2", "4"] {
        let o = run(&[
            "explore",
            "--max-states",
            "1000",
            "--threads",
            threads,
            "--json",
        ]);
        assert_eq!(o.status.code(), Some(0));
        let json: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        let n = json["unique_states"].as_u64().unwrap();
        let t: u64 = threads.parse().unwrap();
        assert!((1000..1000 + t).contains(&n), "{n} states with {t} threads");
        assert_eq!(json["limit"], "states");
    }
}

// 15. Amnesia needs a crash, and the explorer says it adds one.

#[test]
fn exploring_amnesia_adds_a_crash_and_says_so() {
    let o = run(&["explore", "--flaw", "amnesia"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("note: the amnesia flaw needs a crash"),
        "{}",
        stdout(&o)
    );
    let o = run(&["explore", "--flaw", "amnesia", "--json"]);
    let json: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(json["result"], "violation");
    assert!(json["note"].as_str().unwrap().contains("crash"));
}

// 16. Errors quote a short prefix.

#[test]
fn an_error_quotes_only_a_short_prefix_of_a_huge_value() {
    let dir = scratch("long-value");
    let f = dir.join("long.ron");
    let value = "V".repeat(5_000_000);
    fs::write(
        &f,
        format!("(version: 1, config: (proposers: 1, acceptors: 3, learners: 1), actions: [Propose(\"P1\", \"{value}\")])"),
    )
    .unwrap();
    let o = run(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stderr.len() < 1000, "{} bytes of error", o.stderr.len());
    assert!(stderr(&o).contains("too long"), "{}", stderr(&o));
    let json = dir.join("long.json");
    let o = check_written(&json, format!("{{\"version\": \"{value}\"}}"));
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stderr.len() < 1000, "{} bytes of error", o.stderr.len());
    fs::remove_dir_all(&dir).unwrap();
}

// 17. Lesson or trace is decided from the parsed structure.

#[test]
fn check_tells_lessons_from_traces_by_their_fields() {
    let dir = scratch("kind");
    let spaced = dir.join("spaced.ron");
    let text = fs::read_to_string("tests/golden/small.ron")
        .unwrap()
        .replace("actions:", "actions :");
    let o = check_written(&spaced, text);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("42 steps"), "{}", stdout(&o));
    let lesson = dir.join("talky.ron");
    let text = fs::read_to_string("lessons/01-happy-path.ron")
        .unwrap()
        .replacen("Follow one proposal", "A trace has actions: this one", 1);
    let o = check_written(&lesson, text);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("lesson `happy-path`"), "{}", stdout(&o));
    fs::remove_dir_all(&dir).unwrap();
}

// 18. Positions and plain words.

#[test]
fn errors_point_at_the_field_in_plain_words() {
    let dir = scratch("positions");
    let small = fs::read_to_string("tests/golden/small.ron").unwrap();
    // A scheduler knob: the line of `drop:`.
    let f = dir.join("knob.ron");
    let e = stderr(&check_written(&f, small.replace("drop: 0.15", "drop: 1.5")));
    assert!(e.contains("knob.ron:15:9: scheduler: drop"), "{e}");
    // A config field inside a trace.
    let e = stderr(&check_written(
        &f,
        small.replace("acceptors: 3", "acceptors: 0"),
    ));
    assert!(e.contains("knob.ron:5:9: config: acceptors"), "{e}");
    // A number too large for its field.
    let e = stderr(&check_written(
        &f,
        small.replace("acceptors: 3", "acceptors: 300"),
    ));
    assert!(e.contains("`acceptors`") && !e.contains("Integer"), "{e}");
    // Nesting too deep: no advice about ron's options.
    let deep = lesson_with_wait("5").replace(
        "Chosen(Some(\"A\"))",
        &format!("{}Chosen(None){}", "Not(".repeat(300), ")".repeat(300)),
    );
    let e = stderr(&check_written(&f, deep));
    assert!(
        e.contains("nests brackets") && !e.contains("recursion_limit"),
        "{e}"
    );
    // Lesson version and config.
    let lesson = fs::read_to_string("lessons/01-happy-path.ron").unwrap();
    let l = dir.join("lesson.ron");
    let e = stderr(&check_written(
        &l,
        lesson.replace("version: 1", "version: 7"),
    ));
    assert!(e.contains("lesson.ron:4:14: lesson version 7"), "{e}");
    let e = stderr(&check_written(
        &l,
        lesson.replace("seed: 1)", "seed: 1, q1: 9)"),
    ));
    assert!(
        e.contains("lesson.ron:14:") && e.contains("config: q1"),
        "{e}"
    );
    // Empty files say what they should hold.
    let empty_json = dir.join("empty.json");
    let e = stderr(&check_written(&empty_json, ""));
    assert!(e.contains("JSON trace"), "{e}");
    let empty_lesson = dir.join("empty.ron");
    fs::write(&empty_lesson, "  \n").unwrap();
    let e = stderr(&run(&[
        "lesson",
        "--verify",
        empty_lesson.to_str().unwrap(),
    ]));
    assert!(e.contains("a lesson is"), "{e}");
    let e = stderr(&run(&["check", empty_lesson.to_str().unwrap()]));
    assert!(e.contains("a trace is") && e.contains("a lesson is"), "{e}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_diverged_replay_is_told_in_words_not_debug_structs() {
    let dir = scratch("diverged");
    let f = dir.join("d.ron");
    let small = fs::read_to_string("tests/golden/small.ron").unwrap();
    let chosen_value = "value: \"B\"";
    assert!(small.contains(chosen_value));
    fs::write(&f, small.replacen(chosen_value, "value: \"Z\"", 1)).unwrap();
    let o = run(&["replay", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let e = stderr(&o);
    assert!(e.contains("chosen: recorded \"Z\""), "{e}");
    assert!(!e.contains("Some(") && !e.contains("Outcome {"), "{e}");
    fs::remove_dir_all(&dir).unwrap();
}

// 19. Strict names, and a BOM is fine.

#[test]
fn node_names_are_strict_and_a_bom_is_skipped() {
    let dir = scratch("names");
    let small = fs::read_to_string("tests/golden/small.ron").unwrap();
    let f = dir.join("names.ron");
    for bad in ["P+1", "P01"] {
        fs::write(
            &f,
            small.replacen("Propose(\"P1\"", &format!("Propose(\"{bad}\""), 1),
        )
        .unwrap();
        let o = run(&["check", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{bad} was accepted");
    }
    let json = dir.join("bom.json");
    let o = run(&[
        "export",
        "tests/golden/small.ron",
        "-o",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(fs::read(&json).unwrap());
    let o = check_written(&json, bytes);
    assert!(o.status.success(), "{}", stderr(&o));
    fs::remove_dir_all(&dir).unwrap();
}
