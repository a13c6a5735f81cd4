//! Every bundled lesson loads, is bilingual and verifies headless; broken lesson files of every
//! kind are rejected with a position and exit 2, never a panic.

use std::path::{Path, PathBuf};
use std::process::Command;

use paxos_lab::lesson;

fn bundled() -> Vec<PathBuf> {
    ron_files("lessons")
}

/// The `.ron` files of a folder of the project, sorted.
fn ron_files(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bundled_lesson_loads_and_verifies() {
    let files = bundled();
    assert!(!files.is_empty());
    for f in files {
        let l = lesson::load(&f).unwrap_or_else(|e| panic!("{e}"));
        let r = lesson::verify(&l).unwrap_or_else(|(_, why)| panic!("{}: {why}", f.display()));
        assert!(
            r.exercises >= 1,
            "{}: every lesson has an exercise",
            f.display()
        );
    }
}

const GOOD: &str = r#"(
    version: 1,
    id: "tiny",
    title: (en: "Tiny", zh: "小课"),
    summary: (en: "One step.", zh: "一步。"),
    config: (proposers: 1, acceptors: 3, learners: 1, seed: 1),
    steps: [
        Do([Propose("P1", "A")]),
        Exercise((
            task: (en: "Get a promise to P1.", zh: "让 P1 收到一个承诺。"),
            goal: Delivered(kind: Promise, to: Some("P1")),
            controls: [Deliver],
            solution: [Deliver(1), Deliver(4)],
        )),
        Quiz((
            question: (en: "Who promised?", zh: "谁承诺了？"),
            choices: [(en: "A1", zh: "A1"), (en: "A2", zh: "A2")],
            answer: 0,
            explanation: (en: "A1 got the first Prepare.", zh: "A1 先收到了准备消息。"),
        )),
    ],
)
"#;

/// Writes `content` as `dir/name` and checks that `check` and `lesson --verify` both refuse it
/// with exit 2 and a first line naming the file at `at` and saying `words`.
fn assert_refused(dir: &Path, name: &str, content: &[u8], at: &str, words: &str) {
    let f = dir.join(name);
    std::fs::write(&f, content).unwrap();
    for args in [
        vec!["check", f.to_str().unwrap()],
        vec!["lesson", f.to_str().unwrap(), "--verify"],
    ] {
        let o = run(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        let first = err.lines().next().unwrap_or("");
        assert!(
            first.contains(&format!("{name}{at}")),
            "{name}: expected `{at}` in {first}"
        );
        assert!(
            first.contains(words),
            "{name}: expected `{words}` in {first}"
        );
    }
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_small_lesson_verifies_and_a_wrong_solution_does_not() {
    let p = Path::new("tiny.ron");
    let l = lesson::parse(p, GOOD).unwrap();
    assert!(lesson::verify(&l).is_ok());
    let wrong = lesson::parse(
        p,
        &GOOD.replace(
            "solution: [Deliver(1), Deliver(4)]",
            "solution: [Deliver(1)]",
        ),
    )
    .unwrap();
    let (step, why) = lesson::verify(&wrong).unwrap_err();
    assert_eq!(step, 1);
    assert!(why.contains("does not meet the goal"), "{why}");
    let already = lesson::parse(
        p,
        &GOOD.replace(
            "goal: Delivered(kind: Promise, to: Some(\"P1\"))",
            "goal: Not(Chosen(None))",
        ),
    )
    .unwrap();
    assert!(
        lesson::verify(&already)
            .unwrap_err()
            .1
            .contains("already holds")
    );
}

#[test]
fn broken_lessons_are_rejected_with_a_position_never_a_panic() {
    let dir = std::env::temp_dir().join(format!("paxos-lab-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("empty.ron", b"".to_vec(), ":1:1:", "empty"),
        (
            "truncated.ron",
            GOOD.as_bytes()[..GOOD.len() / 2].to_vec(),
            ":11:",
            "Expected end of string",
        ),
        ("binary.ron", vec![b'(', 0xff, 0x00], ":1:2:", "UTF-8"),
        (
            "unknown-field.ron",
            GOOD.replace("id: \"tiny\",", "id: \"tiny\", colour: 1,")
                .into_bytes(),
            ":3:",
            "colour",
        ),
        (
            "no-chinese.ron",
            GOOD.replace(
                "title: (en: \"Tiny\", zh: \"小课\")",
                "title: (en: \"Tiny\")",
            )
            .into_bytes(),
            ":4:",
            "zh",
        ),
        (
            "empty-chinese.ron",
            GOOD.replace("zh: \"一步。\"", "zh: \"\"").into_bytes(),
            // At the field, not at the top of the file.
            ":5:14:",
            "summary",
        ),
        (
            "bad-node.ron",
            GOOD.replace("Propose(\"P1\"", "Propose(\"P4\"")
                .into_bytes(),
            ":8:9:",
            "no node P4",
        ),
        (
            "bad-answer.ron",
            GOOD.replace("answer: 0", "answer: 5").into_bytes(),
            ":15:9:",
            "answer 5",
        ),
        (
            "bad-control.ron",
            GOOD.replace("controls: [Deliver]", "controls: [Drop]")
                .into_bytes(),
            ":9:9:",
            "do not allow",
        ),
        (
            "bad-condition.ron",
            GOOD.replace("Delivered(kind: Promise", "Delivred(kind: Promise")
                .into_bytes(),
            ":11:",
            "Delivred",
        ),
        ("deep.ron", "(".repeat(50_000).into_bytes(), ":1:", ""),
        (
            "bad-message.ron",
            GOOD.replace(
                "solution: [Deliver(1), Deliver(4)]",
                "solution: [Deliver(1), Deliver(44)]",
            )
            .into_bytes(),
            ":9:9:",
            "message #44 is not in flight",
        ),
        (
            "unknown-placeholder.ron",
            GOOD.replace(
                "question: (en: \"Who promised?\", zh: \"谁承诺了？\")",
                "question: (en: \"Who promised to {leader}?\", zh: \"谁向 {leader} 承诺了？\")",
            )
            .into_bytes(),
            ":15:9:",
            "no run fact `leader` in this protocol (it knows chosen)",
        ),
        (
            "placeholder-without-value.ron",
            GOOD.replace(
                "question: (en: \"Who promised?\", zh: \"谁承诺了？\")",
                "question: (en: \"Who promised {chosen}?\", zh: \"谁承诺了 {chosen}？\")",
            )
            .into_bytes(),
            ":15:9:",
            "`{chosen}` has no value where this step is shown",
        ),
        (
            "wrong-solution.ron",
            GOOD.replace(
                "solution: [Deliver(1), Deliver(4)]",
                "solution: [Deliver(1)]",
            )
            .into_bytes(),
            ":9:9:",
            "does not meet the goal",
        ),
    ];
    for (name, content, at, words) in cases {
        assert_refused(&dir, name, content.as_ref(), at, words);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Lesson 5 claims that correct Paxos cannot be broken by the same moves: check it.
#[test]
fn the_key_rule_lessons_moves_cannot_break_correct_paxos() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/05-the-key-rule.ron");
    let mut l = lesson::load(&path).unwrap();
    assert!(
        lesson::verify(&l).is_ok(),
        "with the flaw, the solution breaks agreement"
    );
    l.config.flaws.clear();
    let mut world = l.config.world();
    let mut applied = 0;
    for step in &l.steps {
        let actions = match step {
            lesson::Step::Do(a) => a.clone(),
            lesson::Step::Exercise(e) => e.solution.clone(),
            _ => continue,
        };
        for a in actions {
            if world.apply(&a).is_ok() {
                applied += 1;
            }
        }
    }
    assert!(applied >= 12, "the moves still apply: {applied}");
    assert_eq!(
        world.monitor().chosen.len(),
        1,
        "one value, and only one, is chosen"
    );
    assert!(world.violations().is_empty());
}

#[test]
fn the_app_bundles_every_lesson_in_the_folder() {
    let names: Vec<String> = bundled()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let inside: Vec<&str> = paxos_lab::ui::views::lesson_panel::BUNDLED
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        names, inside,
        "add the new lesson to BUNDLED in src/ui/lesson_panel.rs"
    );
    assert_eq!(
        paxos_lab::ui::views::lesson_panel::bundled_lessons().len(),
        inside.len(),
        "every bundled lesson parses"
    );
}

/// Quizzes test understanding, not recall: the right answer is not always in the same place,
/// and not always the longest choice.
#[test]
fn quiz_answers_vary_in_position_and_are_not_just_the_longest() {
    let mut quizzes = Quizzes::default();
    for f in bundled() {
        quizzes.add(&lesson::load(&f).unwrap());
    }
    assert_eq!(quizzes.count, 14);
    quizzes.assert_varied();
}

/// The quizzes of a set of lessons: how many, where their answers sit, and how many answers
/// are the longest choice.
#[derive(Default)]
struct Quizzes {
    count: usize,
    longest: usize,
    /// Answers per position, and what a uniform spread would put there (a quiz of k choices
    /// adds 1/k to each of its positions).
    at: std::collections::BTreeMap<usize, usize>,
    uniform: std::collections::BTreeMap<usize, f64>,
}

impl Quizzes {
    fn add<P: lesson::Teach>(&mut self, l: &lesson::Lesson<P>) {
        for step in &l.steps {
            let lesson::Step::Quiz(q) = step else {
                continue;
            };
            self.count += 1;
            *self.at.entry(q.answer).or_default() += 1;
            for i in 0..q.choices.len() {
                *self.uniform.entry(i).or_default() += 1.0 / q.choices.len() as f64;
            }
            let len = |i: usize| q.choices[i].en.chars().count();
            if (0..q.choices.len()).all(|i| len(i) <= len(q.answer)) {
                self.longest += 1;
            }
            assert!(q.choices.len() >= 3, "{}: three choices or more", l.id);
        }
    }

    fn assert_varied(&self) {
        let (positions, longest, quizzes) = (&self.at, self.longest, self.count);
        assert!(positions.len() >= 3, "answers sit in {positions:?}");
        assert!(
            longest * 2 <= quizzes,
            "{longest} of {quizzes} answers are the longest choice"
        );
    }
}

/// Every bundled lesson of every protocol, read once: its quizzes, and the flaws its cluster
/// has (as "protocol flaw").
fn whole_course() -> (Quizzes, Vec<String>) {
    use paxos_lab::protocols::multipaxos::MultiPaxos;
    use paxos_lab::protocols::pbft::Pbft;
    use paxos_lab::protocols::raft::Raft;
    let (mut quizzes, mut flaws) = (Quizzes::default(), Vec::new());
    for f in bundled() {
        let l = lesson::load(&f).unwrap();
        quizzes.add(&l);
        flaws.extend(l.config.flaws.iter().map(|x| format!("paxos {x}")));
    }
    for f in multipaxos_lessons() {
        let l = lesson::parse_as::<MultiPaxos>(&f, &std::fs::read_to_string(&f).unwrap()).unwrap();
        quizzes.add(&l);
        flaws.extend(
            l.config
                .flaws
                .iter()
                .map(|x| format!("multipaxos {}", x.name())),
        );
    }
    for f in raft_lessons() {
        let l = lesson::parse_as::<Raft>(&f, &std::fs::read_to_string(&f).unwrap()).unwrap();
        quizzes.add(&l);
        flaws.extend(l.config.flaws.iter().map(|x| format!("raft {}", x.name())));
    }
    for f in pbft_lessons() {
        let l = lesson::parse_as::<Pbft>(&f, &std::fs::read_to_string(&f).unwrap()).unwrap();
        quizzes.add(&l);
        flaws.extend(l.config.flaws.iter().map(|x| format!("pbft {}", x.name())));
    }
    (quizzes, flaws)
}

/// Over the whole course (every protocol's lessons), the right answer sits in each position as
/// often as chance would put it, within one; a student cannot learn "it is usually B". And the
/// right answer is the longest choice no more often than chance would make it, plus one.
#[test]
fn the_whole_courses_quiz_answers_are_spread_evenly_over_positions() {
    let (quizzes, _) = whole_course();
    assert!(quizzes.count >= 25, "{} quizzes", quizzes.count);
    for (position, expected) in &quizzes.uniform {
        let got = quizzes.at.get(position).copied().unwrap_or(0);
        assert!(
            (got as f64 - expected).abs() <= 1.0,
            "{got} answers at position {position}, where an even spread puts {expected:.1}: {:?}",
            quizzes.at
        );
    }
    let by_chance: f64 = quizzes.uniform.values().sum::<f64>() / quizzes.uniform.len() as f64;
    assert!(
        quizzes.longest as f64 <= by_chance + 1.0,
        "{} of {} right answers are the longest choice (chance: {by_chance:.1})",
        quizzes.longest,
        quizzes.count
    );
}

/// Every deliberate flaw the app ships is the subject of some lesson: a flaw is there to show
/// why a rule exists, and one no lesson uses teaches nobody.
#[test]
fn every_shipped_flaw_is_used_by_some_lesson() {
    use paxos_lab::protocols::{multipaxos, paxos, pbft, raft};
    let (_, used) = whole_course();
    let shipped: Vec<String> = paxos::Flaw::ALL
        .iter()
        .map(|x| format!("paxos {x}"))
        .chain(
            multipaxos::Flaw::ALL
                .iter()
                .map(|x| format!("multipaxos {}", x.name())),
        )
        .chain(raft::Flaw::ALL.iter().map(|x| format!("raft {}", x.name())))
        .chain(pbft::Flaw::ALL.iter().map(|x| format!("pbft {}", x.name())))
        .collect();
    let unused: Vec<&String> = shipped.iter().filter(|f| !used.contains(f)).collect();
    assert!(unused.is_empty(), "flaws no lesson uses: {unused:?}");
}

/// The glossary in `lessons/README.md` names, for each idea, the one Chinese term to use and the
/// ones to avoid. No lesson and no interface text uses a term to avoid (outside the compounds the
/// glossary allows).
#[test]
fn glossary_terms_to_avoid_appear_in_no_lesson_and_no_interface_text() {
    use paxos_lab::ui::i18n::{Lang, T};
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/README.md"))
            .unwrap();
    let glossary = readme
        .split("## Glossary")
        .nth(1)
        .expect("lessons/README.md has a Glossary section");
    let ticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    // (term to avoid, compounds where it is fine)
    let mut avoid: Vec<(String, Vec<String>)> = Vec::new();
    for row in glossary.lines().filter(|l| l.starts_with('|')).skip(2) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (Some(zh), Some(not)) = (cells.get(2), cells.get(3)) else {
            continue;
        };
        assert!(
            !zh.is_empty(),
            "a glossary row without its Chinese term: {row}"
        );
        let (bad, fine) = not.split_once(" except in ").unwrap_or((not, ""));
        for term in ticked(bad) {
            avoid.push((term, ticked(fine)));
        }
    }
    assert!(
        avoid.len() >= 10,
        "the glossary lists terms to avoid: {avoid:?}"
    );

    let mut texts: Vec<(String, String)> = Vec::new();
    let mut folders = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons")];
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|x| x == "ron") {
                texts.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    let screens = T::ALL
        .iter()
        .chain(paxos_lab::ui::multipaxos::words::ALL)
        .chain(paxos_lab::ui::raft::words::ALL)
        .chain(paxos_lab::ui::pbft::words::ALL);
    for t in screens {
        texts.push((format!("{t:?}"), t.get(Lang::Zh).to_string()));
    }
    assert!(texts.len() > 100);

    let mut found = Vec::new();
    for (name, text) in &texts {
        for (term, fine) in &avoid {
            let mut rest = text.clone();
            for compound in fine {
                rest = rest.replace(compound.as_str(), "");
            }
            if rest.contains(term.as_str()) {
                found.push(format!("{name}: `{term}`"));
            }
        }
    }
    assert!(found.is_empty(), "terms the glossary avoids: {found:#?}");
}

fn multipaxos_lessons() -> Vec<PathBuf> {
    ron_files("lessons/multipaxos")
}

/// Multi-Paxos lessons verify headless (waits reached, reference solutions meet their goals)
/// and no exercise has a shortcut, through the library and through `check`.
#[test]
fn every_multipaxos_lesson_verifies_with_no_shortcut() {
    use paxos_lab::protocols::multipaxos::MultiPaxos;
    let files = multipaxos_lessons();
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let (l, checked) =
            lesson::check_as::<MultiPaxos>(&f, &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.protocol.as_deref(), Some("multipaxos"));
        assert!(checked.report.exercises >= 1, "{}", f.display());
        for e in &checked.exercises {
            assert_eq!(e.shortest_steps, Some(e.reference_steps), "{}", f.display());
        }
        let o = run(&["check", "--json", f.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["protocol"], "multipaxos");
        let o = run(&["lesson", f.to_str().unwrap(), "--verify"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

fn raft_lessons() -> Vec<PathBuf> {
    ron_files("lessons/raft")
}

/// Raft lessons verify headless and have no shortcut, through the library and the CLI; every
/// one is bundled in the app; their quizzes vary as the others' do.
#[test]
fn every_raft_lesson_verifies_with_no_shortcut_and_is_bundled() {
    use paxos_lab::protocols::raft::Raft;
    let files = raft_lessons();
    assert!(files.len() >= 5, "{files:?}");
    let mut quizzes = Quizzes::default();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let (l, checked) = lesson::check_as::<Raft>(f, &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.protocol.as_deref(), Some("raft"));
        assert!(checked.report.exercises >= 1, "{}", f.display());
        for e in &checked.exercises {
            assert_eq!(e.shortest_steps, Some(e.reference_steps), "{}", f.display());
        }
        quizzes.add(&l);
        let o = run(&["lesson", f.to_str().unwrap(), "--verify"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    quizzes.assert_varied();
    let bundled = paxos_lab::ui::views::lesson_panel::bundled_as::<paxos_lab::protocols::raft::Raft>(
        <paxos_lab::protocols::raft::Raft as paxos_lab::ui::workspace::Shown>::bundled(),
    );
    assert_eq!(
        bundled.len(),
        files.len(),
        "every Raft lesson is in the app"
    );
}

fn pbft_lessons() -> Vec<PathBuf> {
    ron_files("lessons/pbft")
}

/// PBFT lessons verify headless and have no shortcut, through the library and the CLI; every
/// one is bundled in the app.
#[test]
fn every_pbft_lesson_verifies_with_no_shortcut_and_is_bundled() {
    use paxos_lab::protocols::pbft::Pbft;
    let files = pbft_lessons();
    assert!(files.len() >= 4, "{files:?}");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let (l, checked) = lesson::check_as::<Pbft>(f, &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.protocol.as_deref(), Some("pbft"));
        assert!(checked.report.exercises >= 1, "{}", f.display());
        for e in &checked.exercises {
            assert_eq!(e.shortest_steps, Some(e.reference_steps), "{}", f.display());
        }
        let o = run(&["lesson", f.to_str().unwrap(), "--verify"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let bundled = paxos_lab::ui::views::lesson_panel::bundled_as::<Pbft>(
        <Pbft as paxos_lab::ui::workspace::Shown>::bundled(),
    );
    assert_eq!(
        bundled.len(),
        files.len(),
        "every PBFT lesson is in the app"
    );
}

const GOOD_MULTIPAXOS: &str = r#"(
    version: 1,
    protocol: "multipaxos",
    id: "tiny-log",
    title: (en: "Tiny log", zh: "小日志"),
    summary: (en: "One put.", zh: "一次写入。"),
    config: (servers: 3, clients: 1, seed: 1),
    steps: [
        Do([Propose("C1", Put("x", "1")), Deliver(1)]),
        Exercise((
            task: (en: "Make S1 the leader.", zh: "让 S1 成为领导者。"),
            goal: Elected(Some("S1")),
            controls: [Deliver],
            solution: [Deliver(2), Deliver(4)],
        )),
    ],
)
"#;

/// A lesson may use the generic conditions and its own protocol's, nothing else; a lesson of
/// one protocol is never read as another's; opening a Multi-Paxos lesson in the app checks its
/// reference path first, as for Paxos.
#[test]
fn conditions_and_files_of_another_protocol_are_refused_at_their_place() {
    let dir = std::env::temp_dir().join(format!("paxos-lab-mp-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "paxos-condition.ron",
            GOOD_MULTIPAXOS.replace("Elected(Some(\"S1\"))", "Chosen(None)"),
            ":10:9:",
            "`Chosen` is a paxos condition; this lesson runs multipaxos",
        ),
        (
            "multipaxos-condition.ron",
            GOOD.replace(
                "Delivered(kind: Promise, to: Some(\"P1\"))",
                "Any([Committed(1), Delivered(kind: Promise)])",
            ),
            ":9:9:",
            "`Committed` is a multipaxos, raft and pbft condition; this lesson runs paxos",
        ),
        (
            "unknown-kind.ron",
            GOOD.replace("kind: Promise", "kind: Heartbeat"),
            ":9:9:",
            "Paxos has no message kind `Heartbeat` (known: Prepare, Promise, Nack, Accept, Accepted)",
        ),
        (
            "unknown-rule.ron",
            GOOD_MULTIPAXOS.replace("Elected(Some(\"S1\"))", "Violated(Some(\"agreemnt\"))"),
            ":10:9:",
            "no invariant is called `agreemnt`",
        ),
        (
            "unknown-protocol.ron",
            GOOD_MULTIPAXOS.replace("\"multipaxos\"", "\"zab\""),
            ":3:15:",
            "unknown protocol `zab` (known: paxos, multipaxos, raft, pbft)",
        ),
        (
            "raft-lesson.ron",
            // Read as Raft now: a Multi-Paxos solution's messages do not exist in a Raft run.
            GOOD_MULTIPAXOS.replace("\"multipaxos\"", "\"raft\""),
            ":10:9:",
            "the reference solution's `Deliver(2)` cannot apply: message #2 is not in flight",
        ),
        (
            "zero-count.ron",
            GOOD_MULTIPAXOS.replace("Elected(Some(\"S1\"))", "Committed(0)"),
            ":10:9:",
            "`Committed` with a count of 0 always holds",
        ),
        (
            "bad-server.ron",
            GOOD_MULTIPAXOS.replace("Elected(Some(\"S1\"))", "Elected(Some(\"S7\"))"),
            ":10:9:",
            "no node S7",
        ),
    ];
    for (name, content, at, words) in cases {
        assert_refused(&dir, name, content.as_ref(), at, words);
    }
    // The good one verifies and is not a Paxos lesson.
    let f = dir.join("good.ron");
    std::fs::write(&f, GOOD_MULTIPAXOS).unwrap();
    assert_eq!(
        run(&["lesson", f.to_str().unwrap(), "--verify"])
            .status
            .code(),
        Some(0)
    );
    let e = lesson::load(&f).unwrap_err().to_string();
    assert!(
        e.contains("good.ron:3:15: protocol `multipaxos`: expected `paxos`"),
        "{e}"
    );
    assert!(lesson::load_as::<paxos_lab::protocols::multipaxos::MultiPaxos>(&f).is_ok());
    // One whose solution does not reach its goal is refused at its place before any window
    // opens (the app opens the good one in the Multi-Paxos workspace).
    let f = dir.join("unsolved.ron");
    std::fs::write(
        &f,
        GOOD_MULTIPAXOS.replace("[Deliver(2), Deliver(4)]", "[Deliver(2)]"),
    )
    .unwrap();
    let o = run(&["lesson", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unsolved.ron:"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Multi-Paxos lessons' quizzes follow the same rules as the Paxos ones, and the lessons
/// cover what the course promises: six of them, each with an exercise.
#[test]
fn multipaxos_quizzes_vary_and_the_course_is_complete() {
    use paxos_lab::protocols::multipaxos::MultiPaxos;
    let files = multipaxos_lessons();
    assert!(files.len() >= 6, "{files:?}");
    let mut quizzes = Quizzes::default();
    for f in &files {
        quizzes
            .add(&lesson::parse_as::<MultiPaxos>(f, &std::fs::read_to_string(f).unwrap()).unwrap());
    }
    assert!(quizzes.count >= files.len(), "a quiz per lesson at least");
    quizzes.assert_varied();
}
