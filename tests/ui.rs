//! The app as a student meets it, driven through egui_kittest: clicks by label that check the
//! simulation's state, image snapshots of the main views (rendered on the CPU by Mesa's
//! llvmpipe through wgpu), a font-coverage check, and a seeded monkey test.

// Tests run on the desktop: the threads and clocks banned for the page are fine here.
#![allow(clippy::disallowed_methods)]

#[allow(dead_code)]
mod common;

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use paxos_lab::protocols::paxos::Node;
use paxos_lab::protocols::paxos::{self, Paxos};
use paxos_lab::protocols::paxos::{Config, Flaw};
use paxos_lab::session::{Command, Selection, Session};
use paxos_lab::sim::rng::Rng;
use paxos_lab::sim::{Knobs, NodeId};
use paxos_lab::trace;
use paxos_lab::ui::i18n::{Lang, T};
use paxos_lab::ui::paxos::graph::GraphView;
use paxos_lab::ui::paxos::inspector::InspectorView;
use paxos_lab::ui::views::run_file::HoldsRun;
use paxos_lab::ui::views::spacetime::SpaceTimeView;
use paxos_lab::ui::{Frame, LabApp, PaxosApp, Screen, Settings, install_fonts};

fn sandbox(seed: u64, steps: u64) -> Session<Paxos> {
    let mut s = Session::new(
        Config {
            seed,
            ..Config::default()
        },
        Knobs::default(),
    );
    for _ in 0..steps {
        s.apply(Command::StepForward);
    }
    s
}

fn app(session: Session<Paxos>, lang: Lang) -> PaxosApp {
    let mut app = PaxosApp::new(
        session,
        Settings {
            lang,
            ..Settings::default()
        },
    )
    .fonts_already_installed();
    app.fixed_time = Some(1000.0);
    app
}

/// The whole window, as `paxos-lab gui` opens it.
fn lab_window(lab: LabApp) -> Harness<'static, LabApp> {
    Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .with_pixels_per_point(1.0)
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, lab: &mut LabApp| lab.ui(ui), lab)
}

fn harness(app: PaxosApp) -> Harness<'static, PaxosApp> {
    Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .with_pixels_per_point(1.0)
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut PaxosApp| app.ui(ui), app)
}

#[test]
fn every_ui_string_renders_with_the_bundled_fonts() {
    every_ui_string_renders_with(paxos_lab::ui::DESKTOP_CHINESE_FONT);
}

/// The page's smaller Chinese font holds every character the app writes too.
#[test]
fn every_ui_string_renders_with_the_pages_fonts() {
    every_ui_string_renders_with(paxos_lab::ui::PAGE_CHINESE_FONT);
}

fn every_ui_string_renders_with(chinese: &'static [u8]) {
    let ctx = egui::Context::default();
    paxos_lab::ui::install_fonts_with(&ctx, chinese);
    let mut out = ctx.run_ui(Default::default(), |_| {});
    out.textures_delta.clear();
    let font = egui::FontId::proportional(14.0);
    let mut missing = Vec::new();
    let mut check = |what: String, text: &str| {
        for c in text.chars() {
            if !c.is_whitespace() && !ctx.fonts_mut(|f| f.has_glyph(&font, c)) {
                missing.push(format!("{c:?} in {what}"));
            }
        }
    };
    for t in T::ALL {
        for lang in Lang::ALL {
            check(format!("{t:?} ({lang:?})"), t.get(lang));
        }
    }
    // Every character written literally in the views (symbols on buttons, marks on lanes) and in
    // the protocols (the broken rules' details the safety bar shows): every source file under
    // src/ui and src/protocols, found by walking the folders, so a new view is never left out.
    let mut files = Vec::new();
    // And the lessons' text, which the lesson panel shows.
    let mut folders = vec![
        std::path::PathBuf::from("src/ui"),
        "src/protocols".into(),
        "lessons".into(),
    ];
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "ron") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 40, "the walk found the sources: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        check(
            file.display().to_string(),
            &text.chars().filter(|c| !c.is_ascii()).collect::<String>(),
        );
    }
    assert!(
        missing.is_empty(),
        "glyphs missing from the bundled fonts: {missing:?}"
    );
}

#[test]
fn clicking_step_and_back_moves_through_the_run() {
    let mut h = harness(app(sandbox(3, 0), Lang::En));
    h.run();
    assert_eq!(h.state().session.position(), 2);
    h.get_by_label_contains("Step").click();
    h.run();
    assert_eq!(h.state().session.position(), 3);
    h.get_by_label_contains("Step").click();
    h.run();
    assert_eq!(
        (h.state().session.position(), h.state().session.len()),
        (4, 4)
    );
    h.get_by_label_contains("Back").click();
    h.run();
    assert_eq!(
        (h.state().session.position(), h.state().session.len()),
        (3, 4)
    );
    h.get_by_label_contains("Reset").click();
    h.run();
    assert_eq!(h.state().session.position(), 0);
}

#[test]
fn clicking_a_node_then_crash_crashes_it_and_restart_brings_it_back() {
    let mut h = harness(app(sandbox(3, 4), Lang::En));
    h.run();
    h.get_by_label("A2").click();
    h.run();
    assert_eq!(
        h.state().session.selection,
        Some(Selection::Node(paxos::acceptor(2)))
    );
    h.get_by_label("Crash").click();
    h.run();
    assert!(
        !h.state()
            .session
            .world()
            .node(paxos::acceptor(2))
            .unwrap()
            .up
    );
    h.get_by_label("Restart").click();
    h.run();
    assert!(
        h.state()
            .session
            .world()
            .node(paxos::acceptor(2))
            .unwrap()
            .up
    );
    assert_eq!(
        h.state().session.len(),
        2 + 4 + 2,
        "both actions are in the trace"
    );
}

#[test]
fn proposing_from_the_inspector_starts_phase_one() {
    let mut h = harness(app(sandbox(3, 0), Lang::En));
    h.run();
    h.get_by_label("P1").click();
    h.run();
    h.get_by_label("Propose").click();
    h.run();
    let w = h.state().session.world();
    assert_eq!(w.step(), 3);
    let Node::Proposer(p) = &w.node(paxos::proposer(1)).unwrap().state else {
        panic!()
    };
    assert_eq!(
        p.request.unwrap().as_str(),
        "A",
        "P1's own letter by default"
    );
    assert_eq!(p.max_round, 2, "a new, higher ballot");
    // P2's field starts at "B", as the lessons say.
    h.get_by_label("P2").click();
    h.run();
    h.get_by_label("Propose").click();
    h.run();
    let w = h.state().session.world();
    let Node::Proposer(p) = &w.node(paxos::proposer(2)).unwrap().state else {
        panic!()
    };
    assert_eq!(p.request.unwrap().as_str(), "B");
}

#[test]
fn dropping_a_message_by_clicking_it_loses_it() {
    let mut h = harness(app(sandbox(3, 0), Lang::En));
    h.run();
    let first = h
        .state()
        .session
        .world()
        .network()
        .in_flight()
        .next()
        .copied()
        .unwrap();
    let label = format!("{} {} {}→{}", first.id, first.msg, first.src, first.dst);
    h.get_by_label(&label).click();
    h.run();
    assert_eq!(
        h.state().session.selection,
        Some(Selection::Message(first.id))
    );
    h.get_by_label("Drop").click();
    h.run();
    let w = h.state().session.world();
    assert!(w.network().get(first.id).is_none());
    assert_eq!(w.network().stats.dropped, 1);
}

#[test]
fn keyboard_space_plays_and_arrows_step() {
    let mut h = harness(app(sandbox(3, 0), Lang::En));
    h.run();
    h.key_press(egui::Key::ArrowRight);
    h.run();
    assert_eq!(h.state().session.position(), 3);
    h.key_press(egui::Key::ArrowLeft);
    h.run();
    assert_eq!(h.state().session.position(), 2);
    h.key_press(egui::Key::Space);
    h.run();
    assert!(h.state().session.playing);
}

#[test]
fn switching_language_changes_every_label() {
    let mut h = harness(app(sandbox(3, 2), Lang::En));
    h.run();
    assert!(h.query_by_label_contains("Play").is_some());
    h.get_by_label("简体中文").click();
    h.run();
    assert_eq!(h.state().settings.lang, Lang::Zh);
    assert!(h.query_by_label_contains("播放").is_some());
    assert!(h.query_by_label_contains("Play").is_none());
    h.get_by_label("English").click();
    h.run();
    assert_eq!(h.state().settings.lang, Lang::En);
}

#[test]
fn snapshot_whole_app_mid_run() {
    let mut h = harness(app(sandbox(3, 12), Lang::En));
    h.run();
    h.snapshot("app_mid_run");
}

#[test]
fn snapshot_whole_app_in_chinese() {
    let mut h = harness(app(sandbox(3, 12), Lang::Zh));
    h.run();
    h.snapshot("app_chinese");
}

#[test]
fn snapshot_a_safety_violation() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/ignore-promised-value.ron"
    ));
    let (t, _) = trace::load(path).unwrap();
    let mut s = Session::from_trace(&t).unwrap();
    s.apply(Command::SeekEnd);
    let mut h = harness(app(s, Lang::En));
    h.run();
    assert!(h.query_by_label_contains("VIOLATED at step 14").is_some());
    h.snapshot("app_violation");
}

fn view_harness<'a>(size: Vec2, draw: impl FnMut(&mut egui::Ui) + 'a) -> Harness<'a> {
    Harness::builder()
        .with_size(size)
        .with_pixels_per_point(1.0)
        .with_context_setup(install_fonts)
        .build_ui(draw)
}

#[test]
fn snapshot_graph_view() {
    let session = sandbox(5, 10);
    let mut graph = GraphView::default();
    let mut h = view_harness(Vec2::new(900.0, 560.0), |ui| {
        let f = Frame::at_rest(&session, Lang::En);
        graph.ui(ui, &f, &mut Vec::new());
    });
    h.run();
    h.snapshot("graph_view");
}

#[test]
fn snapshot_space_time_diagram() {
    let mut session = sandbox(5, 30);
    session.apply(Command::Seek(20));
    session.refresh_spans();
    let mut view = SpaceTimeView::default();
    let mut h = view_harness(Vec2::new(900.0, 200.0), |ui| {
        let f = Frame::at_rest(&session, Lang::En);
        view.ui(ui, &f, &mut Vec::new());
    });
    h.run();
    h.snapshot("space_time_diagram");
}

#[test]
fn snapshot_inspector_highlights_what_changed() {
    let mut session = sandbox(5, 8);
    session.apply(Command::Select(Some(Selection::Node(paxos::acceptor(1)))));
    let mut view = InspectorView::default();
    let mut h = view_harness(Vec2::new(320.0, 360.0), |ui| {
        let f = Frame::at_rest(&session, Lang::Zh);
        view.ui(ui, &f, &mut Vec::new());
    });
    h.run();
    h.snapshot("inspector_zh");
}

/// 2,000 seeded random UI actions: clicks on whatever is labelled, keys, commands. Nothing may
/// panic, and the run left behind must save and replay to the same outcome.
#[test]
fn monkey_two_thousand_random_actions_leave_a_replayable_trace() {
    // Clients keep proposing, so the run never goes quiet however much the monkey drops.
    let knobs = Knobs {
        propose: 0.05,
        ..Knobs::default()
    };
    let mut h = harness(app(
        Session::new(
            Config {
                seed: 9,
                ..Config::default()
            },
            knobs,
        ),
        Lang::En,
    ));
    h.run();
    let mut rng = Rng::new(2026);
    // Mostly forward, as a student exploring would be; every other key now and then.
    let keys = [
        egui::Key::ArrowRight,
        egui::Key::ArrowRight,
        egui::Key::ArrowRight,
        egui::Key::ArrowRight,
        egui::Key::ArrowRight,
        egui::Key::ArrowRight,
        egui::Key::End,
        egui::Key::ArrowLeft,
        egui::Key::D,
        egui::Key::X,
        egui::Key::U,
        egui::Key::H,
        egui::Key::C,
        egui::Key::R,
        egui::Key::T,
    ];
    for i in 0..2000 {
        match rng.below(100) {
            0..=59 => h.key_press(keys[rng.below(keys.len() as u64) as usize]),
            60..=84 => {
                // Select a random node or message, as a click would.
                let w = h.state().session.world();
                let nodes: Vec<NodeId> = w.nodes().iter().map(|s| s.id).collect();
                let msgs: Vec<_> = w.network().in_flight().map(|e| e.id).collect();
                let sel = if !msgs.is_empty() && rng.below(2) == 0 {
                    Selection::Message(msgs[rng.below(msgs.len() as u64) as usize])
                } else {
                    Selection::Node(nodes[rng.below(nodes.len() as u64) as usize])
                };
                h.state_mut().apply(vec![Command::Select(Some(sel))]);
            }
            85..=86 => {
                let p = h.state().session.len();
                let to = rng.below(p + 1);
                h.state_mut().apply(vec![Command::Seek(to)]);
            }
            87 => h.key_press(egui::Key::Home),
            _ => {
                for label in [
                    "Crash",
                    "Restart",
                    "Deliver now",
                    "Drop",
                    "Duplicate",
                    "Fire timeout",
                ] {
                    if rng.below(3) == 0
                        && let Some(n) = h.query_by_label(label)
                    {
                        n.click();
                        break;
                    }
                }
            }
        }
        h.step();
        if i % 200 == 0 {
            h.run();
        }
    }
    h.run();
    let session = &h.state().session;
    assert!(
        session.len() > 40,
        "the monkey made a real run: {} steps",
        session.len()
    );
    let trace = session.to_trace();
    let text = trace.to_ron();
    let path = std::path::Path::new("monkey.ron");
    let parsed = trace::parse(path, &text, false).unwrap();
    let replayed = trace::replay(path, &text, &parsed).unwrap();
    assert_eq!(Some(replayed.outcome), trace.outcome);
}

#[test]
fn faults_are_reachable_from_the_keyboard_alone() {
    let mut h = harness(app(sandbox(3, 0), Lang::En));
    h.run();
    // N cycles through the nodes: P1, P2, A1.
    for _ in 0..3 {
        h.key_press(egui::Key::N);
        h.run();
    }
    assert_eq!(
        h.state().session.selection,
        Some(Selection::Node(paxos::acceptor(1)))
    );
    h.key_press(egui::Key::C);
    h.run();
    assert!(
        !h.state()
            .session
            .world()
            .node(paxos::acceptor(1))
            .unwrap()
            .up
    );
    // M selects the first message in flight, X drops it.
    h.key_press(egui::Key::M);
    h.run();
    let Some(Selection::Message(m)) = h.state().session.selection else {
        panic!("no message selected")
    };
    h.key_press(egui::Key::X);
    h.run();
    assert!(h.state().session.world().network().get(m).is_none());
    // K cuts the selected link and heals it again.
    let (p1, a2) = (paxos::proposer(1), paxos::acceptor(2));
    h.state_mut()
        .apply(vec![Command::Select(Some(Selection::Link(p1, a2)))]);
    h.key_press(egui::Key::K);
    h.run();
    assert!(h.state().session.world().network().is_cut(p1, a2));
    h.key_press(egui::Key::K);
    h.run();
    assert!(!h.state().session.world().network().is_cut(p1, a2));
}

/// A student's path through lesson 1, by clicks: pick it, read, answer the quiz, solve the
/// exercise, reach the sandbox; the lesson is then marked completed.
#[test]
fn lesson_one_end_to_end_through_the_ui() {
    let mut lab = LabApp::picker(Settings::default());
    lab.paxos.fixed_time = Some(1000.0);
    let mut h = lab_window(lab);
    h.run();
    assert!(h.state().on_picker);
    h.get_by_label_contains("The roles and the happy path")
        .click();
    h.run();
    assert!(!h.state().on_picker);
    assert!(matches!(h.state().paxos.screen, Screen::Lesson(_)));
    let step = |h: &Harness<'static, LabApp>| match &h.state().paxos.screen {
        Screen::Lesson(p) => (p.step, p.sandbox),
        _ => panic!("left the lesson"),
    };
    // Next until the quiz (the sixth step), answer it.
    while step(&h).0 < 5 {
        h.get_by_label("Next ▶").click();
        h.run();
    }
    h.get_by_label("Two promises in hand: any two of three")
        .click();
    h.run();
    assert!(h.query_by_label("Correct.").is_some());
    // The exercise: deliver by hand, as a student would, by clicking the messages.
    h.get_by_label("Next ▶").click();
    h.run();
    assert_eq!(step(&h).0, 6);
    for id in [4, 5, 6, 7] {
        let env = *h
            .state()
            .paxos
            .session
            .world()
            .network()
            .get(paxos_lab::sim::MsgId(id))
            .expect("in flight");
        h.get_by_label(&format!("{} {} {}→{}", env.id, env.msg, env.src, env.dst))
            .click();
        h.run();
        h.get_by_label("Deliver now").click();
        h.run();
    }
    assert!(h.query_by_label_contains("Solved!").is_some());
    while !step(&h).1 {
        h.get_by_label("Next ▶").click();
        h.run();
    }
    assert!(h.state().paxos.settings.completed.contains("happy-path"));
    // The sandbox continues on the lesson's cluster.
    let before = h.state().paxos.session.len();
    h.key_press(egui::Key::ArrowRight);
    h.run();
    assert_eq!(h.state().paxos.session.len(), before + 1);
}

/// Lesson 1 open at `step` (from 0), by the app's own constructor.
fn lesson_one_at(step: usize) -> Harness<'static, PaxosApp> {
    let lesson = paxos_lab::lesson::parse(
        std::path::Path::new("01.ron"),
        include_str!("../lessons/01-happy-path.ron"),
    )
    .unwrap();
    let mut app = PaxosApp::on_lesson(lesson, step, None, Settings::default())
        .unwrap()
        .fonts_already_installed();
    app.fixed_time = Some(1000.0);
    let mut h = harness(app);
    h.run();
    h
}

fn lesson_panel<'h>(
    h: &'h Harness<'static, PaxosApp>,
) -> &'h paxos_lab::ui::views::lesson_panel::LessonPanel<Paxos> {
    match &h.state().screen {
        Screen::Lesson(p) => p,
        _ => panic!("not in a lesson"),
    }
}

#[test]
fn a_quiz_takes_the_first_answer_and_replay_gives_a_new_attempt() {
    let mut h = lesson_one_at(5);
    h.get_by_label("A promise from every acceptor, A3 included, to be safe")
        .click();
    h.run();
    assert!(h.query_by_label("Not quite.").is_some());
    // The second click changes nothing: the answer is out.
    h.get_by_label("Two promises in hand: any two of three")
        .click();
    h.run();
    assert!(h.query_by_label("Not quite.").is_some());
    assert!(h.query_by_label("Correct.").is_none());
    assert_eq!(lesson_panel(&h).answers[5], Some(1));
    h.get_by_label("Replay this step").click();
    h.run();
    h.get_by_label("Two promises in hand: any two of three")
        .click();
    h.run();
    assert!(h.query_by_label("Correct.").is_some());
}

#[test]
fn an_exercise_disables_what_it_does_not_allow_everywhere() {
    // Lesson 1's exercise allows Deliver only.
    let mut h = lesson_one_at(6);
    assert!(lesson_panel(&h).controls().is_some());
    let env = *h
        .state()
        .session
        .world()
        .network()
        .in_flight()
        .next()
        .unwrap();
    h.get_by_label(&format!("{} {} {}→{}", env.id, env.msg, env.src, env.dst))
        .click();
    h.run();
    // The inspector's Drop is greyed out; clicking it does nothing.
    let drop = h.get_by_label("Drop");
    {
        use egui_kittest::kittest::NodeT;
        assert!(drop.accesskit_node().is_disabled());
    }
    drop.click();
    h.run();
    assert!(h.state().session.world().network().get(env.id).is_some());
    // The key X is refused too, with the reason in the status line.
    h.key_press(egui::Key::X);
    h.run();
    assert!(h.state().session.world().network().get(env.id).is_some());
    assert!(
        h.query_by_label_contains("Not in this exercise: it allows Deliver")
            .is_some()
    );
    // Stepping past the end would let auto-play do the student's work.
    let len = h.state().session.len();
    h.key_press(egui::Key::ArrowRight);
    h.run();
    assert_eq!(h.state().session.len(), len);
    assert!(h.query_by_label_contains("you act yourself").is_some());
    // Delivering is allowed.
    h.get_by_label("Deliver now").click();
    h.run();
    assert!(h.state().session.world().network().get(env.id).is_none());
}

#[test]
fn next_on_an_unsolved_exercise_asks_and_show_me_does_not_count() {
    let mut h = lesson_one_at(6);
    h.get_by_label("Next ▶").click();
    h.run();
    assert_eq!(lesson_panel(&h).step, 6, "it asks first");
    assert!(
        h.query_by_label_contains("not solved this exercise yet")
            .is_some()
    );
    h.get_by_label("Keep trying").click();
    h.run();
    assert_eq!(lesson_panel(&h).step, 6);
    // Show me plays the solution, step by step: not all at once.
    h.get_by_label("Show me").click();
    h.run();
    let start = h.state().session.position();
    assert!(h.state().session.playing);
    assert!(
        h.state().session.position() < start + 4,
        "animated, not applied at once"
    );
    for _ in 0..400 {
        h.state_mut().fixed_time = h.state().fixed_time.map(|t| t + 0.25);
        h.run();
    }
    let p = lesson_panel(&h);
    assert!(!p.solved[6], "watching the solution is not solving it");
    assert!(!h.state().session.world().monitor().chosen.is_empty());
    assert!(h.query_by_label_contains("reference solution").is_some());
    // Skipping is then a choice the student makes.
    h.get_by_label("Next ▶").click();
    h.run();
    h.get_by_label("Skip it").click();
    h.run();
    assert_eq!(lesson_panel(&h).step, 7);
}

#[test]
fn snapshot_lesson_picker_in_chinese() {
    let mut lab = LabApp::picker(Settings {
        lang: Lang::Zh,
        ..Settings::default()
    });
    lab.paxos.fixed_time = Some(1000.0);
    let mut h = lab_window(lab);
    h.run();
    h.snapshot("lesson_picker_zh");
}

/// An author edits the open lesson: a good edit reloads in place at the same step, a broken one
/// shows its error and keeps the last good version.
#[test]
fn editing_the_open_lesson_reloads_it_and_a_broken_edit_keeps_the_last_good_one() {
    use paxos_lab::ui::views::lesson_panel::LessonPanel;
    let dir = std::env::temp_dir().join(format!("paxos-lab-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("lesson.ron");
    let original = include_str!("../lessons/01-happy-path.ron");
    std::fs::write(&file, original).unwrap();
    let lesson = paxos_lab::lesson::load(&file).unwrap();
    let mut session = sandbox(1, 0);
    let mut panel = LessonPanel::open(lesson, &mut session).unwrap();
    panel.source = Some(file.clone());
    panel.enter(2, &mut session);
    assert!(
        !panel.reload_if_changed(&mut session),
        "the first look only notes the time"
    );
    let touch = |secs: u64| {
        let f = std::fs::File::options().write(true).open(&file).unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
    };
    std::fs::write(
        &file,
        original.replace("The roles and the happy path", "Roles, edited"),
    )
    .unwrap();
    touch(1_000_000);
    assert!(panel.reload_if_changed(&mut session));
    assert_eq!(panel.lesson.title.en, "Roles, edited");
    assert_eq!(panel.step, 2, "the author stays on the step being edited");
    std::fs::write(&file, original.replace("Say((", "Sya((")).unwrap();
    touch(2_000_000);
    assert!(panel.reload_if_changed(&mut session));
    let err = panel
        .reload_error
        .clone()
        .expect("the broken edit is reported");
    assert!(err.contains("lesson.ron:") && err.contains("Sya"), "{err}");
    assert_eq!(
        panel.lesson.title.en, "Roles, edited",
        "the last good version stays"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn narration_that_names_nodes_marks_them_in_the_graph() {
    use paxos_lab::ui::views::lesson_panel::{LessonPanel, bundled_lessons};
    let lesson = bundled_lessons()
        .into_iter()
        .find(|l| l.id == "happy-path")
        .unwrap();
    let mut session = sandbox(1, 0);
    let panel = LessonPanel::open(lesson, &mut session).unwrap();
    let named: Vec<String> = panel
        .named_nodes(Lang::Zh)
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(named, ["P1", "A1", "A2", "A3", "L1"]);
}

/// Steps frames until the background search ends (it runs on its own thread).
fn wait_for_search(h: &mut Harness<'static, PaxosApp>) {
    for _ in 0..3000 {
        h.step();
        if !h.state().explore_window.is_running() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the search did not finish in 30 s");
}

/// The app on a sandbox whose cluster has the minority-quorum flaw.
fn flawed_sandbox() -> Harness<'static, PaxosApp> {
    let session = Session::new(
        Config {
            learners: 1,
            flaws: vec![Flaw::MinorityQuorum],
            ..Config::default()
        },
        Knobs::default(),
    );
    let mut h = harness(app(session, Lang::En));
    h.run();
    h
}

/// Run > Can this break? > Search, then waits for the search to end.
fn search_from_the_menu(h: &mut Harness<'static, PaxosApp>) {
    h.get_by_label("Run").click();
    h.run();
    h.get_by_label_contains("Can this break").click();
    h.run();
    assert!(h.state().explore_window.open);
    h.get_by_label("Search").click();
    h.step();
    assert!(h.state().explore_window.is_running());
    wait_for_search(h);
    h.step();
}

#[test]
fn can_this_break_searches_in_the_background_and_opens_the_counterexample() {
    let mut h = flawed_sandbox();
    search_from_the_menu(&mut h);
    assert!(h.query_by_label_contains("It can break").is_some());
    h.get_by_label("Watch it").click();
    h.step();
    let s = &h.state().session;
    assert_eq!(s.position(), s.len());
    assert!(!s.is_empty());
    let v = s
        .world()
        .first_violation()
        .expect("the counterexample breaks a rule");
    assert_eq!(v.invariant, "agreement");
    assert_eq!(s.config().flaws, vec![Flaw::MinorityQuorum]);
}

/// Drags the quorum slider labelled `label` (its sizes run from 1 to `max`) with the pointer,
/// from where it is to where `value` sits, as a person would.
fn drag_quorum_slider(h: &mut Harness<'static, PaxosApp>, label: &str, value: u8, max: u8) {
    let rect = h
        .query_all_by_label(label)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Slider)
        .unwrap_or_else(|| panic!("a slider labelled {label}"))
        .rect();
    // egui's slider maps the rail, less a handle's radius at each end, onto its range.
    let inset = rect.height() / 2.5;
    let along = (value - 1) as f32 / (max - 1) as f32;
    let to = egui::pos2(
        rect.left() + inset + along * (rect.width() - 2.0 * inset),
        rect.center().y,
    );
    h.drag_at(rect.center());
    h.step();
    h.hover_at(to);
    h.step();
    h.drop_at(to);
    h.run();
}

/// The sandbox (2 proposers, 3 acceptors, 1 learner) with "Can this break?" open (Ctrl+B).
fn quorum_window(lang: Lang) -> Harness<'static, PaxosApp> {
    let session = Session::new(
        Config {
            learners: 1,
            ..Config::default()
        },
        Knobs::default(),
    );
    let mut h = harness(app(session, lang));
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    h.run();
    h
}

/// Flexible Paxos (issue 25): in "Can this break?", dragging the phase-1 quorum down to
/// q1 + q2 = n makes the search find two values chosen, and the counterexample watched runs with
/// those quorums; dragged back to q1 + q2 = n + 1, the search proves the cluster safe.
#[test]
fn dragging_the_quorums_to_sum_n_breaks_paxos_and_back_to_n_plus_one_proves_it_safe() {
    let mut h = quorum_window(Lang::En);
    assert!(h.query_by_label_contains("2 + 2 > 3 acceptors").is_some());

    drag_quorum_slider(&mut h, "phase 1 quorum", 1, 3);
    assert!(
        h.query_by_label_contains("1 + 2 ≤ 3 acceptors").is_some(),
        "the window says at once that the quorums need not meet"
    );
    h.get_by_label("Search").click();
    h.step();
    wait_for_search(&mut h);
    h.step();
    assert!(
        h.query_by_label_contains("It can break: agreement")
            .is_some()
    );
    assert!(h.query_by_label_contains("Shortest run").is_some());
    h.get_by_label("Watch it").click();
    h.step();
    let s = &h.state().session;
    assert_eq!((s.config().q1, s.config().q2), (Some(1), None));
    let v = s.world().first_violation().expect("two values chosen");
    assert_eq!(v.invariant, "agreement");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    h.run();
    drag_quorum_slider(&mut h, "phase 1 quorum", 2, 3);
    assert!(h.query_by_label_contains("2 + 2 > 3 acceptors").is_some());
    h.get_by_label("Search").click();
    h.step();
    wait_for_search(&mut h);
    h.step();
    assert!(
        h.query_by_label_contains("Safe:").is_some(),
        "q1 + q2 = n + 1 is proved safe within the bounds"
    );
}

/// The quorum sliders in Chinese, dragged to sizes that need not meet: what a student sees.
#[test]
fn the_quorum_sliders_say_in_chinese_when_quorums_need_not_meet() {
    let mut h = quorum_window(Lang::Zh);
    drag_quorum_slider(&mut h, "第二阶段法定人数", 1, 3);
    assert!(h.query_by_label_contains("2 + 1 ≤ 3 个接受者").is_some());
    h.snapshot("paxos_quorums_zh");
}

#[test]
fn a_running_search_can_be_cancelled() {
    let big = Session::new(
        Config {
            proposers: 3,
            acceptors: 5,
            ..Config::default()
        },
        Knobs::default(),
    );
    let mut h = harness(app(big, Lang::En));
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    h.step();
    assert!(h.state().explore_window.open);
    // A big cluster, so the search is still running when Cancel is clicked.
    h.get_by_label("Search").click();
    h.step();
    h.get_by_label("Cancel").click();
    wait_for_search(&mut h);
    h.step();
    assert!(h.query_by_label_contains("cancelled").is_some());
}

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("paxos-lab-ui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn save_as_then_open_brings_the_same_run_back() {
    let dir = scratch_dir("save");
    let mut a = app(sandbox(3, 12), Lang::En);
    a.file.dialog.dir = dir.clone();
    let mut h = harness(a);
    h.run();
    h.get_by_label_contains("Step").click();
    h.run();
    assert!(h.state().unsaved(), "a step the user took is unsaved work");
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Save as").click();
    h.run();
    // The dialog suggests run.ron in its folder; Save writes the whole run there.
    assert!(h.query_all_by_value("run.ron").next().is_some());
    h.get_by_label("Save").click();
    h.run();
    let path = dir.join("run.ron");
    let (saved, _) = trace::load(&path).expect("saved trace loads");
    let actions = h.state().session.timeline().actions().to_vec();
    assert_eq!(saved.actions, actions);
    assert!(!h.state().unsaved());
    assert_eq!(h.state().file.document.as_deref(), Some(path.as_path()));
    assert!(h.query_by_label_contains("saved to").is_some());
    // Play on, then open the file again: back to the saved run.
    h.get_by_label_contains("Step").click();
    h.run();
    assert_eq!(h.state().session.len(), actions.len() as u64 + 1);
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Open").click();
    h.run();
    h.get_by_label("run.ron").click();
    h.run();
    h.get_by_label("Open").click();
    h.run();
    // The step after the save is unsaved: opening asks before it replaces the run.
    assert!(h.state().file.waiting.is_some(), "it asks first");
    assert_eq!(h.state().session.len(), actions.len() as u64 + 1);
    h.get_by_label("Go on without saving").click();
    h.run();
    let s = &h.state().session;
    assert_eq!(s.timeline().actions(), &actions[..]);
    assert!(!h.state().file.dialog.is_open());
    assert!(!h.state().unsaved());
    let recent = &h.state().file.recent;
    assert_eq!(recent.len(), 1, "{recent:?}");
    assert!(recent[0].ends_with("run.ron"));
}

#[test]
fn dropping_a_trace_on_the_window_opens_it_and_a_broken_one_changes_nothing() {
    let dir = scratch_dir("drop");
    let good = dir.join("good.json");
    let mut source = sandbox(5, 20);
    source.apply(Command::SeekEnd);
    source.to_trace().save(&good).expect("saved");
    let broken = dir.join("broken.ron");
    std::fs::write(
        &broken,
        "(version: 1,\n config: (proposers: 2, acceptors: 3,\n",
    )
    .unwrap();

    let mut h = harness(app(sandbox(1, 3), Lang::En));
    h.run();
    let before = h.state().session.timeline().actions().to_vec();
    common::drop_file(&mut h, &broken);
    h.run();
    assert_eq!(
        h.state().session.timeline().actions(),
        &before[..],
        "a broken file changes nothing"
    );
    let (error, text) = h.state().file.status.clone().expect("an error is shown");
    assert!(error);
    assert!(
        text.starts_with(&format!("{}:", broken.display())),
        "{text}"
    );
    assert!(h.query_by_label_contains("broken.ron:").is_some());

    common::drop_file(&mut h, &good);
    h.run();
    let s = &h.state().session;
    assert_eq!(s.timeline().actions(), source.timeline().actions());
    assert_eq!(h.state().file.document.as_deref(), Some(good.as_path()));
}

fn request_close(h: &mut Harness<'static, PaxosApp>) {
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.run();
}

#[test]
fn quitting_with_an_unsaved_run_asks_first() {
    // A run nobody touched closes without a question.
    let mut h = harness(app(sandbox(2, 0), Lang::En));
    h.run();
    request_close(&mut h);
    assert!(!h.state().file.quit_prompt);

    let mut h = harness(app(sandbox(2, 0), Lang::En));
    h.run();
    h.get_by_label_contains("Step").click();
    h.run();
    request_close(&mut h);
    assert!(h.state().file.quit_prompt);
    assert!(h.query_by_label("Unsaved run").is_some());
    h.get_by_label("Cancel").click();
    h.run();
    assert!(!h.state().file.quit_prompt && !h.state().file.quit_confirmed);
    request_close(&mut h);
    h.get_by_label("Quit without saving").click();
    h.run();
    assert!(h.state().file.quit_confirmed);
}

#[test]
fn export_as_writes_the_chosen_format_for_the_chosen_range() {
    let dir = scratch_dir("export");
    let mut a = app(sandbox(4, 15), Lang::En);
    a.file.dialog.dir = dir.clone();
    let mut h = harness(a);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Export as").click();
    h.run();
    h.get_by_label("mermaid").click();
    h.run();
    assert!(
        h.query_all_by_value("run.mmd").next().is_some(),
        "the name follows the format"
    );
    h.state_mut().file.dialog.range.from = 3;
    h.get_by_label("Export").click();
    h.run();
    let text = std::fs::read_to_string(dir.join("run.mmd")).expect("exported");
    assert!(text.starts_with("sequenceDiagram"));
    assert!(!text.contains("%% step 3\n") && text.contains("%% step 4\n"));
    assert!(h.query_by_label_contains("exported to").is_some());
}

#[test]
fn snapshot_export_dialog_in_chinese() {
    let mut a = app(sandbox(3, 12), Lang::Zh);
    // A fixed, empty folder, so the picture does not depend on where the tests run.
    let dir = scratch_dir("snapshot");
    a.file.dialog.dir = dir;
    let mut h = harness(a);
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run();
    assert!(h.state().file.dialog.is_open());
    // The folder path differs per run: blank it out of the picture by pointing at "/".
    h.state_mut().file.dialog.dir = std::path::PathBuf::from("/nonexistent-folder");
    h.run();
    h.snapshot("export_dialog_zh");
}

#[test]
fn a_presentation_clicker_drives_the_lesson() {
    let mut h = lesson_one_at(0);
    h.key_press(egui::Key::PageDown);
    h.run();
    assert_eq!(lesson_panel(&h).step, 1);
    h.key_press(egui::Key::ArrowRight);
    h.run();
    assert_eq!(lesson_panel(&h).step, 2);
    h.key_press(egui::Key::PageUp);
    h.run();
    assert_eq!(lesson_panel(&h).step, 1);
}

#[test]
fn the_lessons_are_one_menu_away_and_a_new_run_ends_the_lesson_cleanly() {
    let mut h = lesson_one_at(2);
    // Run > New run: the lesson's narration does not stay over the new cluster.
    let config = h.state().session.config().clone();
    h.state_mut()
        .apply(vec![Command::NewRun(config, Knobs::default())]);
    h.run();
    assert!(matches!(h.state().screen, Screen::Sandbox));
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Lessons…").click();
    h.run();
    // The picker is the window's: the Paxos app asks for it.
    assert!(matches!(
        h.state().command,
        Some(paxos_lab::ui::workspace::AppCommand::ToLessons)
    ));
}

#[test]
fn a_flawed_cluster_shows_a_badge_and_the_legend_is_one_click_away() {
    let config = Config {
        flaws: vec![paxos_lab::protocols::paxos::Flaw::Amnesia],
        ..Config::default()
    };
    let mut h = harness(app(Session::new(config, Knobs::default()), Lang::En));
    h.run();
    assert!(
        h.query_by_label_contains("Flawed cluster: amnesia")
            .is_some()
    );
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Legend: shapes and colours").click();
    h.run();
    assert!(h.query_by_label("Nack").is_some());
    assert!(h.query_by_label_contains("lost (dropped").is_some());
}

#[test]
fn in_a_lesson_the_diagram_shows_only_what_has_happened() {
    let mut h = lesson_one_at(2);
    // Let the step's scripted actions play out.
    for _ in 0..40 {
        h.state_mut().fixed_time = h.state().fixed_time.map(|t| t + 0.5);
        h.run();
    }
    h.state_mut().session.refresh_spans();
    let session = &h.state().session;
    let pos = session.position();
    assert!(
        session.len() > pos,
        "the reference run goes on past this step"
    );
    let (spans, _) = session.spans();
    let later = spans.iter().filter(|s| s.sent_step > pos).count();
    assert!(later > 0, "there is a future to hide");
    let shown: Vec<_> = paxos_lab::ui::views::spacetime::shown(spans, pos).collect();
    assert!(
        shown
            .iter()
            .all(|(s, end)| s.sent_step <= pos && end.is_none_or(|e| e <= pos))
    );
    assert_eq!(shown.len(), spans.len() - later);
    // The app draws with that horizon while a lesson is open, and not in the sandbox.
    assert!(matches!(h.state().screen, Screen::Lesson(ref p) if !p.sandbox));
}

#[test]
fn file_open_opens_a_lesson_as_a_lesson() {
    let mut h = harness(app(sandbox(3, 0), Lang::En));
    h.run();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/04-two-proposers.ron");
    h.state_mut().open_file(&path).unwrap();
    h.run();
    assert!(
        matches!(&h.state().screen, Screen::Lesson(p) if p.lesson.id == "two-proposers" && p.step == 0)
    );
    assert!(h.query_by_label("Next ▶").is_some());
}

/// Every label the graph drew covers no other label, no node and no node's state.
fn assert_no_label_overlaps(h: &Harness<'static, PaxosApp>, scene: &str) -> usize {
    let drawn = &h.state().graph.drawn;
    let labels: Vec<_> = drawn.iter().filter(|d| d.kind == "label").collect();
    for (i, l) in labels.iter().enumerate() {
        for other in drawn {
            if std::ptr::eq(*l, other) {
                continue;
            }
            let overlap = l.rect().intersect(other.rect());
            assert!(
                overlap.width() <= 0.0 || overlap.height() <= 0.0,
                "{scene}: label {} {:?} covers {} {} {:?}",
                l.id,
                l.rect,
                other.kind,
                other.id,
                other.rect
            );
        }
        let _ = i;
    }
    labels.len()
}

#[test]
fn labels_never_collide_in_crowded_scenes() {
    let mut checked = 0;
    for (proposers, acceptors) in [(2, 3), (3, 5)] {
        for steps in [0, 3, 8, 15, 25] {
            for (lang, zoom) in [(Lang::En, 1.0), (Lang::Zh, 1.0), (Lang::En, 1.6)] {
                for presenter in [false, true] {
                    let mut s = Session::new(
                        Config {
                            proposers,
                            acceptors,
                            seed: 7,
                            ..Config::default()
                        },
                        Knobs::default(),
                    );
                    for _ in 0..steps {
                        s.apply(Command::StepForward);
                    }
                    let mut a = PaxosApp::new(
                        s,
                        Settings {
                            lang,
                            presenter,
                            zoom,
                            ..Settings::default()
                        },
                    )
                    .fonts_already_installed();
                    a.fixed_time = Some(1000.0);
                    let mut h = harness(a);
                    h.run();
                    let scene = format!(
                        "{proposers}/{acceptors} at step {steps}, {lang:?}, zoom {zoom}, presenter {presenter}"
                    );
                    checked += assert_no_label_overlaps(&h, &scene);
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} labels were drawn");
}

#[test]
fn a_broadcast_shares_one_label_with_a_count() {
    // Three proposers each broadcast a Prepare to five acceptors: fifteen messages in flight.
    let s = Session::new(
        Config {
            proposers: 3,
            acceptors: 5,
            ..Config::default()
        },
        Knobs::default(),
    );
    let mut h = harness(app(s, Lang::En));
    h.run();
    let labels: Vec<_> = h
        .state()
        .graph
        .drawn
        .iter()
        .filter(|d| d.kind == "label")
        .collect();
    assert!(
        labels.len() <= 3,
        "{} labels for three broadcasts",
        labels.len()
    );
    assert!(
        labels.iter().any(|l| l.text == "Prep 1.1 ×5"),
        "{:?}",
        labels.iter().map(|l| &l.text).collect::<Vec<_>>()
    );
}

#[test]
fn watch_it_asks_before_replacing_an_unsaved_run() {
    let mut h = flawed_sandbox();
    // A step the user took: unsaved work.
    h.get_by_label_contains("Step").click();
    h.run();
    assert!(h.state().unsaved());
    let before = h.state().session.timeline().actions().to_vec();
    search_from_the_menu(&mut h);
    h.get_by_label("Watch it").click();
    h.run();
    assert!(h.state().file.waiting.is_some(), "it asks first");
    assert_eq!(h.state().session.timeline().actions(), &before[..]);
    h.get_by_label("Keep this run").click();
    h.run();
    assert!(h.state().file.waiting.is_none());
    assert_eq!(
        h.state().session.timeline().actions(),
        &before[..],
        "nothing replaced"
    );
    h.get_by_label("Watch it").click();
    h.run();
    h.get_by_label("Go on without saving").click();
    h.run();
    assert!(h.state().session.world().first_violation().is_some());
}

#[test]
fn message_words_are_translated_but_names_and_numbers_stay() {
    use paxos_lab::protocols::paxos::Ballot;
    use paxos_lab::protocols::paxos::Msg;
    let session = sandbox(1, 0);
    let promise = Msg::Promise {
        ballot: Ballot::new(2, 1),
        accepted: None,
    };
    let zh = paxos_lab::ui::Frame::at_rest(&session, Lang::Zh);
    let en = paxos_lab::ui::Frame::at_rest(&session, Lang::En);
    assert_eq!(
        paxos_lab::ui::paxos::graph::message_text(&promise, &zh),
        "Promise(2.1, 尚未接受)"
    );
    assert_eq!(
        paxos_lab::ui::paxos::graph::message_text(&promise, &en),
        "Promise(2.1, accepted none)"
    );
}

#[test]
fn in_the_ring_layout_labels_stay_inside_the_graph_and_clear_of_each_other() {
    for steps in [0, 8, 20] {
        let mut s = Session::new(
            Config {
                proposers: 3,
                acceptors: 5,
                seed: 7,
                ..Config::default()
            },
            Knobs::default(),
        );
        for _ in 0..steps {
            s.apply(Command::StepForward);
        }
        let mut a = PaxosApp::new(
            s,
            Settings {
                ring: true,
                ..Settings::default()
            },
        )
        .fonts_already_installed();
        a.fixed_time = Some(1000.0);
        let mut h = harness(a);
        h.run();
        assert_no_label_overlaps(&h, &format!("ring at step {steps}"));
        // Nothing the graph drew pokes out of the window (a clipped label or node).
        for d in &h.state().graph.drawn {
            let r = d.rect();
            assert!(
                r.min.x >= 0.0 && r.min.y >= 0.0 && r.max.x <= 1280.0 && r.max.y <= 800.0,
                "ring at step {steps}: {} {} at {:?}",
                d.kind,
                d.id,
                d.rect
            );
        }
    }
}

#[test]
fn a_byzantine_acceptor_tells_a_lie_picked_from_its_menu() {
    let mut s = Session::new(
        Config {
            seed: 3,
            byzantine: vec![paxos::acceptor(2)],
            ..Config::default()
        },
        Knobs::default(),
    );
    let voted = |s: &Session<Paxos>| {
        matches!(
            &s.world().node(paxos::acceptor(2)).unwrap().state,
            Node::Acceptor(a) if a.accepted.is_some()
        )
    };
    while !voted(&s) {
        s.apply(Command::StepForward);
        assert!(s.position() < 100, "A2 never voted");
    }
    let Node::Acceptor(a2) = s.world().node(paxos::acceptor(2)).unwrap().state else {
        panic!()
    };
    let before = s.len();
    let mut h = harness(app(s, Lang::En));
    h.run();
    h.get_by_label("A2").click();
    h.run();
    // The inspector says what A2 is and groups its lies by what they do.
    assert!(h.query_by_label_contains("Byzantine").is_some());
    h.get_by_label("Hide my vote").click();
    h.run();
    let owner = paxos::proposer(a2.promised.proposer);
    let lie = format!("Promise({}, accepted none) → {owner}", a2.promised);
    h.get_by_label(&lie).click();
    h.run();
    let session = &h.state().session;
    assert_eq!(session.len(), before + 1);
    let last = *session.timeline().actions().last().unwrap();
    assert_eq!(
        last,
        paxos::Action::Lie {
            from: paxos::acceptor(2),
            to: owner,
            msg: paxos::Msg::Promise {
                ballot: a2.promised,
                accepted: None
            }
        }
    );
    let w = session.world();
    let sent = w.network().in_flight().max_by_key(|e| e.id).unwrap();
    assert!(w.is_lie(sent.id));
}
