//! The app as a page in a browser (`scripts/web.sh` builds it): the same `LabApp` the desktop
//! window shows, wrapped so that the page's address always says what is on screen and opening
//! an address reproduces it. It also keeps `<div id="state">`, a JSON summary of what shows
//! (for automation and screen readers, which have no AccessKit in a page), and says what is wrong
//! with a link that cannot be opened, over the lesson picker.
//!
//! The page's own JavaScript (`assets/web/index.html`) makes a `WebHandle`, awaits `start`, and writes
//! `started` into `<div id="status">`.

use eframe::wasm_bindgen::{self, prelude::*};
use egui::Ui;

use super::{LabApp, Settings, start_of_link};

/// What the page's script holds: eframe's runner.
#[wasm_bindgen]
pub struct WebHandle {
    runner: eframe::WebRunner,
}

#[wasm_bindgen]
impl WebHandle {
    #[expect(clippy::new_without_default)]
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        WebHandle {
            runner: eframe::WebRunner::new(),
        }
    }

    /// Starts the app on `canvas`, opening what the address names.
    #[wasm_bindgen]
    pub async fn start(&self, canvas: web_sys::HtmlCanvasElement) -> Result<(), JsValue> {
        self.runner
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(|cc| Ok(Box::new(PageApp::new(cc)))),
            )
            .await
    }

    /// Whether the app stopped on an error (the page then says so).
    #[wasm_bindgen]
    pub fn has_panicked(&self) -> bool {
        self.runner.has_panicked()
    }

    #[wasm_bindgen]
    pub fn panic_message(&self) -> Option<String> {
        self.runner.panic_summary().map(|s| s.message())
    }
}

/// The explorer on a fixed search (Paxos, `proposers` proposers, 3 acceptors, 1 learner, no
/// faults, `ballots` ballots each, stopped after `max_states` states when not 0), run as the app
/// runs it in a page: a batch at a time on this thread. JSON: its verdict, states, transitions,
/// seconds and states per second, for `bench.html` (compare `paxos-lab explore --protocol paxos
/// --proposers P --acceptors 3 --learners 1 --ballots B --max-states N` on the desktop).
#[wasm_bindgen]
pub fn explore_benchmark(proposers: u8, ballots: u8, max_states: u32) -> String {
    let config = crate::protocols::paxos::Config {
        proposers,
        acceptors: 3,
        learners: 1,
        ..Default::default()
    };
    let options = crate::explore::Options {
        bounds: crate::explore::Bounds {
            ballots,
            ..Default::default()
        },
        max_states: (max_states > 0).then_some(max_states as u64),
        // One batch at a time, as the app's search runs between frames.
        slice: Some(1),
        ..Default::default()
    };
    let progress = crate::explore::Progress::default();
    match crate::explore::explore_paxos(&config, &options, &progress) {
        Ok(found) => {
            use crate::explore::Verdict;
            let r = &found.report;
            let verdict = match r.verdict {
                Verdict::Safe => "safe",
                Verdict::Violation { .. } => "violation",
                Verdict::Cancelled => "cancelled",
                Verdict::Limit(_) => "limit",
            };
            serde_json::json!({
                "verdict": verdict,
                "states": r.unique_states,
                "transitions": r.transitions,
                "secs": r.elapsed.as_secs_f64(),
                "states_per_sec": r.states_per_sec(),
            })
            .to_string()
        }
        Err(e) => serde_json::json!({ "error": e }).to_string(),
    }
}

/// The window's app, and what ties it to the page's address.
struct PageApp {
    lab: LabApp,
    /// The address's fragment as the page last reported it (eframe reads it again on every
    /// `hashchange`): a new one is a link followed.
    seen_hash: String,
    /// What this page last wrote into the address and `#state`.
    written: String,
    state: String,
    /// Opened with `?embed`: one view with minimal chrome, for an iframe.
    embed: bool,
    /// Why the last link could not be opened, shown until closed.
    problem: Option<String>,
    /// When (egui's clock) the address may next be brought up to date: a long run's link is its
    /// whole trace, compressed, so it is not made every frame.
    next_publish: f64,
}

impl PageApp {
    fn new(cc: &eframe::CreationContext<'_>) -> Self {
        super::install_fonts(&cc.egui_ctx);
        let settings: Settings = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let location = &cc.integration_info.web_info.location;
        let embed = location.query_map.contains_key("embed");
        let mut lab = LabApp::picker(settings);
        lab.paxos.fonts_installed = true;
        let mut page = PageApp {
            lab,
            seen_hash: String::new(),
            written: String::new(),
            state: String::new(),
            embed,
            problem: None,
            next_publish: 0.0,
        };
        let hash = location.hash.clone();
        page.follow(&hash, true);
        page
    }

    /// Opens what the link in the address names. A link that cannot be opened leaves the
    /// picker showing, and says why. Work not yet saved is never dropped for a link: the page
    /// says so and stays.
    fn follow(&mut self, hash: &str, first: bool) {
        self.seen_hash = hash.to_string();
        let fragment = hash.trim_start_matches('#');
        if fragment.is_empty() || format!("#{fragment}") == self.written_fragment() {
            return;
        }
        if !first && self.lab.has_unsaved_work() {
            self.problem = Some(
                "This run has changes that are not saved: save them (File > Save) first, then follow the link again."
                    .into(),
            );
            return;
        }
        let opened = crate::link::parse(fragment).and_then(|link| {
            let start = start_of_link(&link)?;
            let mut settings = self.lab.settings.clone();
            if let Some(lang) = link.lang {
                settings.lang = lang;
            }
            let mut lab = LabApp::open(start, settings)?;
            lab.paxos.fonts_installed = true;
            Ok(lab)
        });
        match opened {
            Ok(lab) => {
                self.lab = lab;
                self.problem = None;
            }
            Err(why) => {
                self.problem = Some(format!("This link cannot be opened: {why}"));
                self.lab.on_picker = true;
            }
        }
        self.next_publish = 0.0;
    }

    /// The fragment part of what this page last wrote.
    fn written_fragment(&self) -> String {
        match self.written.split_once('#') {
            Some((_, f)) => format!("#{f}"),
            None => String::new(),
        }
    }

    /// Brings the address and `#state` up to date with what shows.
    fn publish(&mut self, now: f64) {
        if now < self.next_publish {
            return;
        }
        let started = crate::clock::now();
        let link = self.lab.link().map(|mut l| {
            l.embed = self.embed;
            l
        });
        let mut state = match &link {
            Some(link) => self.lab.state_json(link),
            None => serde_json::json!({"view": "unknown", "embed": self.embed}),
        };
        if let Some(why) = &self.problem {
            state["error"] = serde_json::json!(why);
        }
        let state = state.to_string();
        if let Some(link) = link.map(|l| l.fragment())
            && link != self.written
        {
            set_address(&link);
            self.written = link;
        }
        if state != self.state {
            set_element_text("state", &state);
            self.state = state;
        }
        // At most a fiftieth of the time goes to this.
        self.next_publish = now + (started.elapsed().as_secs_f64() * 50.0).min(2.0);
    }

    /// Why a link failed, over the picker, until closed.
    fn show_problem(&mut self, ctx: &egui::Context) {
        let Some(why) = &self.problem else { return };
        let mut open = true;
        let mut close = false;
        let title = match self.lab.settings.lang {
            crate::lang::Lang::En => "The link",
            crate::lang::Lang::Zh => "链接",
        };
        egui::Window::new(title)
            .id(egui::Id::unique("link-problem"))
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
            .show(ctx, |ui| {
                ui.colored_label(ui.visuals().error_fg_color, why.as_str());
                close = ui.button("OK").clicked();
            });
        if !open || close {
            self.problem = None;
            self.next_publish = 0.0;
        }
    }
}

impl eframe::App for PageApp {
    fn ui(&mut self, ui: &mut Ui, frame: &mut eframe::Frame) {
        let hash = frame.info().web_info.location.hash.clone();
        if hash != self.seen_hash {
            self.follow(&hash, false);
        }
        let ctx = ui.ctx().clone();
        super::set_embedded(&ctx, self.embed);
        if self.embed {
            egui::Panel::top("embed-bar").show(ui, |ui| self.embed_bar(ui));
        }
        self.lab.ui(ui);
        self.show_problem(&ctx);
        self.publish(ctx.input(|i| i.time));
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::App::save(&mut self.lab, storage);
    }
}

impl PageApp {
    /// The one line an embedded view has in place of its menus: the app's name and a link that
    /// opens the same view in a page of its own.
    fn embed_bar(&self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.strong("paxos-lab");
            let full = self.written.trim_start_matches("?embed");
            let text = match self.lab.settings.lang {
                crate::lang::Lang::En => "Open in a full page ↗",
                crate::lang::Lang::Zh => "在完整页面中打开 ↗",
            };
            ui.add(egui::Hyperlink::from_label_and_url(text, full).open_in_new_tab(true));
        });
    }
}

/// Replaces the address's query and fragment (`?embed#...`) without a new history entry.
fn set_address(link: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{link}")));
    }
}

fn set_element_text(id: &str, text: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        element.set_text_content(Some(text));
    }
}
