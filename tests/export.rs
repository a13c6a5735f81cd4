//! Exports: each format written from simulated traces and checked against what its readers
//! expect (JSON replays to the same outcome, SVG is XML with a labelled lane per node, Mermaid
//! starts with `sequenceDiagram`, the ShiViz log obeys ShiViz's parsing and vector-clock rules,
//! the GIF has a frame per step or more), golden files for a small trace, and the CLI's errors.
//! `UPDATE_SNAPSHOTS=1 cargo test --test export` re-records the golden files.

use paxos_lab::protocols::paxos::Paxos;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use paxos_lab::export::{Format, Run, SHIVIZ_REGEX, StepRange};
use paxos_lab::sim::Event;
use paxos_lab::trace::{self, Trace};
use paxos_lab::ui::views::render::{self, PictureOptions};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn small() -> Trace<Paxos> {
    trace::load(&golden_dir().join("small.ron"))
        .expect("the golden trace loads")
        .0
}

/// The traces these tests run over: the golden one and every hand-written flaw scenario (each
/// ends in a violation), so marks, losses, copies and crashes all occur somewhere.
fn traces() -> Vec<(String, Trace<Paxos>)> {
    let mut out = vec![("small".to_string(), small())];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        // Multi-Paxos's scenarios sit in a folder of their own (tests/multipaxos.rs reads them).
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in files {
        let name = f.file_stem().expect("name").to_string_lossy().into_owned();
        out.push((name, trace::load(&f).expect("scenario loads").0));
    }
    out
}

fn small_pictures() -> PictureOptions {
    PictureOptions {
        size: egui::Vec2::new(480.0, 300.0),
        frames_per_step: 2,
        ..PictureOptions::default()
    }
}

fn text(trace: &Trace<Paxos>, format: Format, range: StepRange) -> String {
    String::from_utf8(
        render::export(trace, format, range, &PictureOptions::default()).expect("exports"),
    )
    .expect("text")
}

fn update() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some()
}

fn check_golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if update() {
        std::fs::write(&path, actual).expect("golden written");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (record with UPDATE_SNAPSHOTS=1)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(expected.lines().count().min(actual.lines().count()), |i| i);
        panic!(
            "{name} differs from the golden file at line {}:\n  golden: {:?}\n  now:    {:?}",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn golden_files_for_a_small_trace() {
    let t = small();
    let all = StepRange::all(t.actions.len() as u64);
    check_golden("small.json", &text(&t, Format::Json, all));
    check_golden("small.svg", &text(&t, Format::Svg, all));
    check_golden("small.mmd", &text(&t, Format::Mermaid, all));
    check_golden("small.log", &text(&t, Format::Shiviz, all));
    let part = StepRange { from: 10, to: 25 };
    check_golden("small-10-25.svg", &text(&t, Format::Svg, part));
    check_golden("small-10-25.mmd", &text(&t, Format::Mermaid, part));
    check_golden("small-10-25.log", &text(&t, Format::Shiviz, part));
}

#[test]
fn every_export_is_deterministic() {
    let t = small();
    let range = StepRange { from: 3, to: 6 };
    for f in Format::ALL {
        let range = if f == Format::Json {
            StepRange { from: 0, to: 6 }
        } else {
            range
        };
        let a = render::export(&t, f, range, &small_pictures()).expect("exports");
        let b = render::export(&t, f, range, &small_pictures()).expect("exports");
        assert!(!a.is_empty(), "{f:?} wrote nothing");
        assert!(a == b, "{f:?} differs between two exports of the same run");
    }
}

#[test]
fn json_round_trips_to_the_same_outcome() {
    for (name, t) in traces() {
        let len = t.actions.len() as u64;
        let json = text(&t, Format::Json, StepRange::all(len));
        let path = PathBuf::from(format!("{name}.json"));
        let (back, replayed) = trace::parse_and_replay(&path, &json).expect("the JSON replays");
        let (_, original) =
            trace::parse_and_replay(Path::new("x.ron"), &t.to_ron()).expect("the RON replays");
        assert_eq!(back.actions, t.actions, "{name}");
        assert_eq!(back.config, t.config, "{name}");
        assert_eq!(replayed.outcome, original.outcome, "{name}: same outcome");
        // A cut run is a run of its own: its recorded outcome is what replaying it reaches.
        let cut = text(
            &t,
            Format::Json,
            StepRange {
                from: 0,
                to: len / 2,
            },
        );
        let (cut_trace, cut_replayed) = trace::parse_and_replay(&path, &cut).expect("replays");
        assert_eq!(cut_trace.actions.len() as u64, len / 2);
        assert_eq!(
            cut_trace.outcome.as_ref(),
            Some(&cut_replayed.outcome),
            "{name}"
        );
    }
    let t = small();
    assert!(
        render::export(
            &t,
            Format::Json,
            StepRange { from: 2, to: 5 },
            &small_pictures()
        )
        .unwrap_err()
        .contains("--from")
    );
}

#[test]
fn svg_is_valid_xml_with_a_labelled_lane_per_node_and_every_mark() {
    for (name, t) in traces() {
        let run = Run::of(&t).expect("replays");
        let range = StepRange::all(run.len());
        let svg = text(&t, Format::Svg, range);
        let doc = roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{name}: the SVG is not well-formed XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let class_count = |class: &str| {
            doc.descendants()
                .filter(|n| {
                    n.attribute("class")
                        .is_some_and(|c| c.split(' ').any(|x| x == class))
                })
                .count()
        };
        // One lane per node, each with its label.
        for node in &run.roster {
            let lane = doc
                .descendants()
                .find(|n| n.attribute("id") == Some(&format!("lane-{node}")))
                .unwrap_or_else(|| panic!("{name}: no lane for {node}"));
            let label: String = lane
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            assert_eq!(label, node.to_string(), "{name}");
        }
        assert_eq!(class_count("lane"), run.roster.len());
        // An arrow per message, and every drop, copy, crash, learning and choice marked.
        assert_eq!(class_count("message"), run.spans.spans.len(), "{name}");
        let lost = run.spans.spans.iter().filter(|s| s.lost.is_some()).count();
        let copies = run
            .spans
            .spans
            .iter()
            .filter(|s| s.copy_of.is_some())
            .count();
        assert_eq!(class_count("lost"), lost, "{name}");
        assert_eq!(class_count("duplicate"), copies, "{name}");
        let events = |f: &dyn Fn(&Event<paxos_lab::protocols::paxos::Paxos>) -> bool| {
            run.log
                .iter()
                .flat_map(|s| s.iter())
                .filter(|e| f(e))
                .count()
        };
        assert_eq!(
            class_count("crash"),
            events(&|e| matches!(e, Event::Crashed(_))),
            "{name}"
        );
        assert_eq!(
            class_count("chosen"),
            events(&|e| matches!(e, Event::Note { node: None, .. })),
            "{name}"
        );
        assert_eq!(
            class_count("violation"),
            events(&|e| matches!(e, Event::Violation(_))),
            "{name}"
        );
        // Every message's label is on the page.
        let texts: String = doc.descendants().filter_map(|n| n.text()).collect();
        for s in &run.spans.spans {
            assert!(
                texts.contains(&s.envelope.msg.to_string()),
                "{name}: {}",
                s.envelope.msg
            );
        }
    }
    let t = small();
    let run = Run::of(&t).expect("replays");
    assert!(run.spans.spans.iter().any(|s| s.lost.is_some()));
    assert!(run.spans.spans.iter().any(|s| s.copy_of.is_some()));
    let svg = text(&t, Format::Svg, StepRange::all(run.len()));
    assert!(svg.contains("class=\"crash\"") && svg.contains("class=\"chosen\""));
    assert!(svg.contains("class=\"learned\""));
}

#[test]
fn mermaid_is_a_sequence_diagram_with_an_arrow_per_arrival_or_loss() {
    for (name, t) in traces() {
        let run = Run::of(&t).expect("replays");
        let m = text(&t, Format::Mermaid, StepRange::all(run.len()));
        assert!(m.starts_with("sequenceDiagram\n"), "{name}");
        for node in &run.roster {
            assert!(m.contains(&format!("    participant {node}\n")), "{name}");
        }
        let ended = run
            .spans
            .spans
            .iter()
            .filter(|s| s.end_step.is_some())
            .count();
        let arrows = m
            .lines()
            .filter(|l| l.contains("->>") || l.contains("-x"))
            .count();
        assert_eq!(arrows, ended, "{name}");
        let pending = run
            .spans
            .spans
            .iter()
            .filter(|s| s.end_step.is_none())
            .count();
        assert_eq!(
            m.lines().filter(|l| l.contains("-)")).count(),
            pending,
            "{name}"
        );
        // Nothing that would end a Mermaid statement early.
        assert!(!m.contains(';'), "{name}");
    }
}

/// Checks a ShiViz log against ShiViz's rules; returns the number of events.
fn check_shiviz(name: &str, log: &str) -> usize {
    let mut lines = log.lines();
    let first = lines.next().expect("line 1");
    assert_eq!(first, SHIVIZ_REGEX, "{name}: line 1 is the parser regex");
    let re = regex::Regex::new(first).expect("the regex compiles");
    for group in ["event", "host", "clock"] {
        assert!(
            re.capture_names().flatten().any(|g| g == group),
            "{name}: group {group}"
        );
    }
    assert_eq!(lines.next(), Some(""), "{name}: line 2 is empty");
    let mut own: HashMap<String, u64> = HashMap::new();
    let mut sends: HashMap<u64, HashMap<String, u64>> = HashMap::new();
    let mut n = 0;
    for (i, line) in lines.enumerate() {
        let at = format!("{name}: line {}: {line}", i + 3);
        let caps = re
            .captures(line)
            .unwrap_or_else(|| panic!("{at}: does not match"));
        let host = caps["host"].to_string();
        let clock: HashMap<String, u64> =
            serde_json::from_str(&caps["clock"]).unwrap_or_else(|e| panic!("{at}: {e}"));
        let event = &caps["event"];
        // A host's own entry starts at 1 and rises by exactly 1 per event.
        let mine = own.entry(host.clone()).or_insert(0);
        assert_eq!(clock.get(&host), Some(&(*mine + 1)), "{at}");
        *mine += 1;
        // Nobody knows more of a host than that host has done.
        for (h, c) in &clock {
            assert!(
                *c <= own.get(h).copied().unwrap_or(0),
                "{at}: knows {h}:{c}"
            );
        }
        let id = |word: &str| -> Option<u64> {
            let rest = event.split(word).nth(1)?;
            rest.trim_start()
                .strip_prefix('#')?
                .split(' ')
                .next()?
                .parse()
                .ok()
        };
        if let Some(m) = id(": send") {
            sends.insert(m, clock.clone());
        }
        if let Some(m) = id(": receive") {
            // A copy carries its original's send.
            let original = event
                .split("(duplicate of #")
                .nth(1)
                .and_then(|r| r.trim_end_matches(')').parse::<u64>().ok());
            if let Some(sent) = sends.get(&original.unwrap_or(m)) {
                for (h, c) in sent {
                    assert!(
                        clock.get(h).copied().unwrap_or(0) >= *c,
                        "{at}: did not merge {h}"
                    );
                }
            }
        }
        n += 1;
    }
    n
}

#[test]
fn shiviz_logs_obey_the_parser_and_vector_clock_rules() {
    for (name, t) in traces() {
        let run = Run::of(&t).expect("replays");
        let log = text(&t, Format::Shiviz, StepRange::all(run.len()));
        let events = check_shiviz(&name, &log);
        // One event per send, receive, loss, crash and learning (at least).
        let expected = run
            .log
            .iter()
            .flat_map(|s| s.iter())
            .filter(|e| {
                matches!(
                    e,
                    Event::Sent(_)
                        | Event::Delivered(_)
                        | Event::Lost { .. }
                        | Event::Crashed(_)
                        | Event::Note { .. }
                )
            })
            .filter(|e| {
                !matches!(e, Event::Note { node: Some(_), note } if !matches!(note, paxos_lab::protocols::paxos::Note::Learned { .. }))
            })
            .count();
        assert!(events >= expected, "{name}: {events} events < {expected}");
        // A range starts its clocks afresh and still obeys the rules.
        let half = run.len() / 2;
        check_shiviz(
            &name,
            &text(
                &t,
                Format::Shiviz,
                StepRange {
                    from: half,
                    to: run.len(),
                },
            ),
        );
    }
}

#[test]
fn png_is_the_graph_view_at_a_chosen_step() {
    let t = small();
    let opts = small_pictures();
    let png = render::export(&t, Format::Png, StepRange { from: 0, to: 20 }, &opts).expect("png");
    let img = image::load_from_memory(&png).expect("decodes").to_rgba8();
    assert_eq!((img.width(), img.height()), (480, 300));
    // The proposers' blue and the acceptors' orange are on it (the nodes are drawn).
    let has = |r: u8, g: u8, b: u8| {
        img.pixels()
            .any(|p| p[0].abs_diff(r) < 12 && p[1].abs_diff(g) < 12 && p[2].abs_diff(b) < 12)
    };
    assert!(has(70, 130, 220), "no proposer drawn");
    assert!(has(230, 150, 40), "no acceptor drawn");
    // Another step gives another picture; twice the same step, the same bytes.
    let other = render::export(&t, Format::Png, StepRange { from: 0, to: 35 }, &opts).expect("png");
    assert_ne!(png, other);
    let golden = golden_dir().join("small-step20.png");
    if update() {
        std::fs::write(&golden, &png).expect("written");
    } else {
        let expected = image::open(&golden)
            .expect("golden png (UPDATE_SNAPSHOTS=1)")
            .to_rgba8();
        let differing = expected
            .pixels()
            .zip(img.pixels())
            .filter(|(a, b)| a.0.iter().zip(b.0.iter()).any(|(x, y)| x.abs_diff(*y) > 8))
            .count();
        assert!(
            differing < 50,
            "{differing} pixels differ from {}",
            golden.display()
        );
    }
}

#[test]
fn gif_has_a_frame_per_step_or_more() {
    use image::AnimationDecoder;
    let t = small();
    let opts = small_pictures();
    let range = StepRange { from: 4, to: 9 };
    let gif = render::export(&t, Format::Gif, range, &opts).expect("gif");
    let decoder = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(&gif)).expect("decodes");
    let frames = decoder.into_frames().collect_frames().expect("frames");
    let steps = (range.to - range.from) as usize;
    assert_eq!(frames.len(), 1 + steps * opts.frames_per_step as usize);
    assert!(frames.len() > steps);
    assert_eq!(frames[0].buffer().dimensions(), (480, 300));
    // Golden: a small animation, frame by frame, within a few pixels of the recorded one.
    let small = PictureOptions {
        size: egui::Vec2::new(320.0, 200.0),
        frames_per_step: 2,
        ..PictureOptions::default()
    };
    let tiny =
        render::export(&t, Format::Gif, StepRange { from: 10, to: 12 }, &small).expect("gif");
    let golden = golden_dir().join("small-10-12.gif");
    if update() {
        std::fs::write(&golden, &tiny).expect("written");
    } else {
        let decode = |bytes: &[u8]| {
            image::codecs::gif::GifDecoder::new(std::io::Cursor::new(bytes))
                .expect("decodes")
                .into_frames()
                .collect_frames()
                .expect("frames")
        };
        let now = decode(&tiny);
        let then = decode(&std::fs::read(&golden).expect("golden gif (UPDATE_SNAPSHOTS=1)"));
        assert_eq!(now.len(), then.len());
        assert_eq!(now.len(), 5);
        for (i, (a, b)) in now.iter().zip(&then).enumerate() {
            assert_eq!(a.delay(), b.delay(), "frame {i}");
            let differing = a
                .buffer()
                .pixels()
                .zip(b.buffer().pixels())
                .filter(|(x, y)| x.0.iter().zip(y.0.iter()).any(|(p, q)| p.abs_diff(*q) > 8))
                .count();
            assert!(differing < 50, "frame {i}: {differing} pixels differ");
        }
    }
    // The animation moves: more distinct pictures than steps (messages glide between steps).
    let mut distinct: Vec<&image::RgbaImage> = Vec::new();
    for f in &frames {
        if !distinct.contains(&f.buffer()) {
            distinct.push(f.buffer());
        }
    }
    assert!(distinct.len() > steps, "{} distinct frames", distinct.len());
}

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args(args)
        .output()
        .expect("runs")
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("paxos-lab-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn cli_writes_each_format_atomically_and_replays_its_json() {
    let d = scratch("cli");
    let src = golden_dir().join("small.ron");
    for (file, format) in [
        ("a.json", "json"),
        ("a.svg", "svg"),
        ("a.mmd", "mermaid"),
        ("a.log", "shiviz"),
        ("a.png", "png"),
        ("a.gif", "gif"),
    ] {
        let out = d.join(file);
        let mut args = vec!["export", src.to_str().unwrap(), "-o", out.to_str().unwrap()];
        if format == "gif" {
            args.extend(["--from", "3", "--to", "6", "--size", "320x200"]);
        }
        let o = bin(&args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.metadata().expect("written").len() > 0, "{format}");
    }
    // Explicit --format wins over the extension.
    let o = bin(&[
        "export",
        src.to_str().unwrap(),
        "--format",
        "mermaid",
        "-o",
        d.join("x.txt").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(d.join("x.txt"))
            .unwrap()
            .starts_with("sequenceDiagram")
    );
    // The JSON replays with the recorded outcome.
    let o = bin(&["replay", d.join("a.json").to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Nothing but the outputs is left behind (no temporary files).
    let mut names: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "a.gif", "a.json", "a.log", "a.mmd", "a.png", "a.svg", "x.txt"
        ]
    );
}

#[test]
fn cli_rejects_bad_input_with_exit_2_and_a_position() {
    let d = scratch("bad");
    let broken = d.join("broken.ron");
    std::fs::write(
        &broken,
        "(version: 1,\n  config: (proposers: 2,\n  actions: [Deliver(1)],\n",
    )
    .unwrap();
    let out = d.join("out.svg");
    let o = bin(&[
        "export",
        broken.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with(&format!("{}:", broken.display())), "{err}");
    let pos = err[broken.display().to_string().len() + 1..]
        .split(':')
        .take(2)
        .collect::<Vec<_>>();
    assert!(
        pos.iter().all(|p| p.parse::<u32>().is_ok()),
        "no line:col in {err}"
    );
    assert!(!out.exists(), "nothing written for a bad trace");
    // An action that names no message is reported at its line.
    let bad_action = d.join("bad-action.ron");
    let good = std::fs::read_to_string(golden_dir().join("small.ron")).unwrap();
    std::fs::write(
        &bad_action,
        good.replacen("Deliver(1),", "Deliver(999),", 1),
    )
    .unwrap();
    let o = bin(&[
        "export",
        bad_action.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(":24:"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The same in a JSON trace: the action's own line.
    let bad_json = d.join("bad-action.json");
    let good = std::fs::read_to_string(golden_dir().join("small.json")).unwrap();
    let line = good
        .lines()
        .position(|l| l.trim() == "\"Deliver\": 1")
        .expect("Deliver 1")
        + 1;
    std::fs::write(
        &bad_json,
        good.replacen("\"Deliver\": 1\n", "\"Deliver\": 999\n", 1),
    )
    .unwrap();
    let o = bin(&[
        "export",
        bad_json.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    // The action object opens on the line before its "Deliver" key.
    assert!(err.contains(&format!(":{}:", line - 1)), "{err}");
    let src = golden_dir().join("small.ron");
    for args in [
        vec!["--to", "999"],
        vec!["--from", "9", "--to", "3"],
        vec!["--format", "pdf"],
    ] {
        let mut all = vec!["export", src.to_str().unwrap(), "-o", out.to_str().unwrap()];
        all.extend(args.iter().copied());
        let o = bin(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
    let o = bin(&[
        "export",
        src.to_str().unwrap(),
        "-o",
        d.join("noext").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--format"));
}
