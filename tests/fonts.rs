//! Every character the app draws has a glyph in the bundled fonts: not a list of source files
//! but what the views actually drew, frame by frame, in English and Chinese, over every
//! lesson's steps (its reference run, narration, tasks) and every flaw scenario of the three
//! protocols (their describe parts, monitors' details, logs, stores, histories).

use std::path::Path;

use egui::epaint::Shape;
use paxos_lab::protocols::multipaxos::MultiPaxos;
use paxos_lab::protocols::raft::Raft;
use paxos_lab::session::{Command, Session};
use paxos_lab::ui::i18n::Lang;
use paxos_lab::ui::store::app::{StoreApp, StoreWorkspace};
use paxos_lab::ui::views::lesson_panel::{bundled_as, bundled_lessons};
use paxos_lab::ui::workspace::Shown;
use paxos_lab::ui::{PaxosApp, Settings, install_fonts};

/// Collects the text of every shape drawn.
fn texts(shapes: &[egui::epaint::ClippedShape], out: &mut Vec<String>) {
    fn walk(shape: &Shape, out: &mut Vec<String>) {
        match shape {
            Shape::Text(t) => out.push(t.galley.text().to_string()),
            Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    for s in shapes {
        walk(&s.shape, out);
    }
}

struct Drawn {
    ctx: egui::Context,
    /// (what was drawn, the text).
    seen: Vec<(String, String)>,
}

impl Drawn {
    fn new() -> Self {
        let ctx = egui::Context::default();
        install_fonts(&ctx);
        Drawn {
            ctx,
            seen: Vec::new(),
        }
    }

    /// Draws `ui` for a few frames (layout settles, windows open) and keeps every text drawn.
    fn frames(&mut self, what: &str, mut ui: impl FnMut(&mut egui::Ui)) {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            ..Default::default()
        };
        for _ in 0..2 {
            let mut out = self.ctx.run_ui(input.clone(), &mut ui);
            out.textures_delta.clear();
            let mut drawn = Vec::new();
            texts(&out.shapes, &mut drawn);
            self.seen
                .extend(drawn.into_iter().map(|t| (what.to_string(), t)));
        }
    }

    fn missing(&self) -> Vec<String> {
        let font = egui::FontId::proportional(14.0);
        let mut missing = std::collections::BTreeSet::new();
        for (what, text) in &self.seen {
            for c in text.chars() {
                if !c.is_whitespace() && !self.ctx.fonts_mut(|f| f.has_glyph(&font, c)) {
                    missing.insert(format!("{c:?} (U+{:04X}) in {what}: {text:?}", c as u32));
                }
            }
        }
        missing.into_iter().collect()
    }
}

fn store_lessons<P: StoreWorkspace>(d: &mut Drawn, lessons: Vec<paxos_lab::lesson::Lesson<P>>) {
    for lesson in lessons {
        for step in 0..lesson.steps.len() {
            for lang in Lang::ALL {
                let mut app = StoreApp::on_lesson(lesson.clone(), step, None, lang).unwrap();
                app.fixed_time = Some(0.0);
                let what = format!("{} step {} ({lang:?})", lesson.id, step + 1);
                d.frames(&what, |ui| app.ui(ui));
            }
        }
    }
}

fn store_scenarios<P: StoreWorkspace>(d: &mut Drawn, folder: &str) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let (trace, _) = paxos_lab::trace::parse_and_replay_as::<P>(&path, &text).unwrap();
        let len = Session::from_trace(&trace).unwrap().len();
        for lang in Lang::ALL {
            for at in [len / 2, len] {
                let mut app = StoreApp::new(Session::from_trace(&trace).unwrap(), lang);
                app.fixed_time = Some(0.0);
                app.apply(vec![Command::Seek(at)]);
                // Every node selected in turn shows its whole state in the inspector.
                let what = format!("{} at {at} ({lang:?})", path.display());
                d.frames(&what, |ui| app.ui(ui));
                let nodes: Vec<_> = app.session.world().nodes().iter().map(|s| s.id).collect();
                for id in nodes {
                    app.apply(vec![Command::Select(Some(
                        paxos_lab::session::Selection::Node(id),
                    ))]);
                    d.frames(&what, |ui| app.ui(ui));
                }
            }
        }
    }
}

/// Fails with every character drawn that the bundled fonts lack.
fn assert_every_glyph(d: &Drawn) {
    let missing = d.missing();
    assert!(
        missing.is_empty(),
        "glyphs missing from the bundled fonts:\n{}",
        missing.join("\n")
    );
}

// The lessons and the scenarios are three tests, not one, so that `cargo test` draws them on
// both cores at once.

#[test]
fn every_character_the_paxos_lessons_draw_has_a_glyph() {
    let mut d = Drawn::new();
    for lesson in bundled_lessons() {
        for step in 0..lesson.steps.len() {
            for lang in Lang::ALL {
                let settings = Settings {
                    lang,
                    ..Settings::default()
                };
                let mut app = PaxosApp::on_lesson(lesson.clone(), step, None, settings)
                    .unwrap()
                    .fonts_already_installed();
                app.fixed_time = Some(0.0);
                let what = format!("{} step {} ({lang:?})", lesson.id, step + 1);
                d.frames(&what, |ui| app.ui(ui));
            }
        }
    }
    assert!(d.seen.iter().any(|(_, t)| t.contains("提议者")));
    assert_every_glyph(&d);
}

#[test]
fn every_character_the_store_lessons_draw_has_a_glyph() {
    let mut d = Drawn::new();
    store_lessons(&mut d, bundled_as::<MultiPaxos>(MultiPaxos::bundled()));
    store_lessons(&mut d, bundled_as::<Raft>(Raft::bundled()));
    // Something was drawn in both languages.
    assert!(
        d.seen.iter().any(|(_, t)| t.contains("Vote")),
        "Raft's votes were drawn"
    );
    assert!(d.seen.iter().any(|(_, t)| t.contains("领导者")));
    assert_every_glyph(&d);
}

#[test]
fn every_character_the_scenarios_and_lesson_files_hold_has_a_glyph() {
    let mut d = Drawn::new();
    for entry in std::fs::read_dir("tests/scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ron") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let (trace, _) = paxos_lab::trace::parse_and_replay(Path::new(&path), &text).unwrap();
        for lang in Lang::ALL {
            let session = Session::from_trace(&trace).unwrap();
            let settings = Settings {
                lang,
                ..Settings::default()
            };
            let mut app = PaxosApp::new(session, settings).fonts_already_installed();
            app.fixed_time = Some(0.0);
            app.apply(vec![Command::SeekEnd]);
            d.frames(&format!("{} ({lang:?})", path.display()), |ui| app.ui(ui));
        }
    }
    store_scenarios::<MultiPaxos>(&mut d, "tests/scenarios/multipaxos");
    store_scenarios::<Raft>(&mut d, "tests/scenarios/raft");
    // What a step shows only when asked (hints, quiz explanations): every lesson's whole text.
    for folder in [
        "lessons",
        "lessons/multipaxos",
        "lessons/raft",
        "lessons/compare",
    ] {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ron") {
                let text = std::fs::read_to_string(&path).unwrap();
                d.seen.push((path.display().to_string(), text));
            }
        }
    }
    assert_every_glyph(&d);
}
