//! The workspace of a replicated key-value store, Multi-Paxos or Raft: a run to watch and
//! change. The graph with every message animated, the log (Multi-Paxos: slots and votes; Raft:
//! each server's log by term), the clients' history, the leader panel and the stores, a safety
//! bar with every rule and the linearizability verdict; controls to send a
//! client request (put, get, compare-and-set), crash, restart or time out a server, split the
//! cluster in two and heal it, and deliver, drop, duplicate or hold a message. Every change is an
//! action in the run, so it is saved, replayed and exported like any other. It opens on a
//! recorded run (`paxos-lab gui run.ron`) or from the sandbox settings' protocol picker.

use std::collections::BTreeSet;

use egui::{Context, RichText, Ui};

use crate::lesson::Teach;
use crate::palette::Palette;
use crate::protocols::Plugin;
use crate::protocols::ids::Value;
use crate::protocols::kv::config::StoreConfig;
use crate::protocols::kv::views::Replicated;
use crate::protocols::kv::{self, CLIENT, Op};
use crate::session::{Command, Notice, Selection, Session};
use crate::sim::world::{Action, ActionOf, World};
use crate::sim::{MsgId, NodeId};
use crate::trace::Protocol;
use crate::ui::i18n::{Lang, T, fill};
use crate::ui::store::graph::{GraphFrame, StoreGraph, StoreGraphView, client_words};
use crate::ui::store::settings::{StoreSettings, protocol_picker};
use crate::ui::views::anim::Animator;
use crate::ui::views::files::FileRequest;
use crate::ui::views::history_view::HistoryView;
use crate::ui::views::lesson_panel::{LessonCommand, LessonPanel, PanelLook};
use crate::ui::views::run_file::{FileChoice, FileOf, HoldsRun, RunAndFile, RunFile, file_menu};
use crate::ui::views::store_view::StoreView;
use crate::ui::workspace::{AppCommand, RunSettings};

/// What the workspace needs of a store protocol beyond the graph, the stores and the lessons.
pub trait StoreWorkspace:
    StoreGraphView
    + Replicated
    + Teach
    + crate::ui::views::render::GraphPicture
    + Plugin<Request = Op, Config: StoreConfig + Send + 'static>
    + crate::explore::StoreSearch
{
    /// Its line in the registry.
    const PROTOCOL: Protocol;
    /// The lesson picker's button that opens its sandbox, and its heading over its lessons.
    const SANDBOX_BUTTON: T;
    const LESSONS_HEADING: T;
    /// Whether the stores pane lists each replica's applied entries (Raft's log indexes).
    const STORE_ENTRIES: bool = false;
    /// Whether the controls offer to align or spread the election timers (Raft: to provoke or
    /// avoid a split vote).
    const TIMER_KEYS: bool = false;
    /// The leader pane's title (PBFT's pane shows its view and primary).
    const LEADER_TITLE: T = T::LeaderTitle;
    /// The protocol's own panels: its log and its leader panel.
    type Panels: Default;
    /// The protocol's name as the top bar shows it.
    fn heading() -> T;
    fn invariant_name(id: &str) -> T;
    fn leader_panel(panels: &mut Self::Panels, ui: &mut Ui, world: &World<Self>, lang: Lang);
    fn log_panel(
        panels: &mut Self::Panels,
        ui: &mut Ui,
        world: &World<Self>,
        lang: Lang,
        palette: &Palette,
    ) -> Vec<(NodeId, egui::Rect)>;
    /// What the inspector adds under a server's words.
    fn inspector_extra(ui: &mut Ui, world: &World<Self>, id: NodeId, lang: Lang);
    /// Whether server `id` is in the configuration its cluster's leader (or, with none, the
    /// server itself) uses, for a protocol that changes its configuration (Raft); `None` for one
    /// that does not.
    fn is_member(_world: &World<Self>, _id: NodeId) -> Option<bool> {
        None
    }
}

/// Which operation the request form sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    Put,
    Get,
    Cas,
}

/// The client request form: which client, the operation, its key and values.
#[derive(Clone, Debug)]
pub struct RequestForm {
    pub client: u8,
    pub op: OpKind,
    pub key: String,
    pub value: String,
    /// Compare-and-set: the value the key must hold for the set to happen.
    pub expected: String,
}

impl Default for RequestForm {
    fn default() -> Self {
        RequestForm {
            client: 1,
            op: OpKind::Put,
            key: "x".into(),
            value: "1".into(),
            expected: "1".into(),
        }
    }
}

impl RequestForm {
    /// The operation the form describes, or why it is not one.
    pub fn op(&self) -> Result<Op, String> {
        let key = Value::new(self.key.trim())?;
        Ok(match self.op {
            OpKind::Put => Op::Put(key, Value::new(self.value.trim())?),
            OpKind::Get => Op::Get(key),
            OpKind::Cas => Op::Cas(
                key,
                Value::new(self.expected.trim())?,
                Value::new(self.value.trim())?,
            ),
        })
    }
}

/// The servers that would campaign when their timer fires: live, not leading, timer running,
/// soonest first.
fn would_campaign<P: StoreWorkspace>(world: &World<P>) -> Vec<NodeId> {
    let mut due: Vec<(u64, NodeId)> = world
        .nodes()
        .iter()
        .filter(|s| s.up && s.id.role == kv::SERVER)
        .filter(|s| !P::leads(world, s.id))
        .filter_map(|s| s.timer.map(|t| (t, s.id)))
        .collect();
    due.sort();
    due.into_iter().map(|(_, id)| id).collect()
}

/// Align the timers: every server that would campaign times out now, one after the other, before
/// any vote can arrive; each votes for itself, so a split vote is likely.
pub fn align_timers<P: StoreWorkspace>(world: &World<P>) -> Vec<ActionOf<P>> {
    would_campaign(world)
        .into_iter()
        .map(Action::Timeout)
        .collect()
}

/// Spread the timers: only the server due soonest times out now, so it campaigns alone.
pub fn spread_timers<P: StoreWorkspace>(world: &World<P>) -> Vec<ActionOf<P>> {
    would_campaign(world)
        .into_iter()
        .take(1)
        .map(Action::Timeout)
        .collect()
}

/// Something that drops the current run: leaving the workspace, or a new run (or one the
/// explorer found) in its place.
#[derive(Clone, Debug)]
pub enum Replace<P: Plugin> {
    Leave(AppCommand),
    NewRun(Box<StoreSettings<P::Config>>),
    Open(Box<crate::trace::Trace<P>>),
}

pub struct StoreApp<P: StoreWorkspace> {
    pub session: Session<P>,
    pub lang: Lang,
    /// Larger, high-contrast text for a projector (as the Paxos app's presenter mode).
    pub presenter: bool,
    pub dark: bool,
    pub color_blind: bool,
    /// The window's zoom, as the View menu and Ctrl+= / Ctrl+- set it.
    pub zoom: f32,
    pub graph: StoreGraph<P>,
    /// Where the panes are; the holder keeps it between runs of the app.
    pub layout: crate::ui::views::panes::Layout,
    /// The log rows and the exercise's controls the last frame drew (for `--layout-json`).
    drawn_log_rows: Vec<(NodeId, egui::Rect)>,
    drawn_controls: Vec<(String, egui::Rect)>,
    /// Whether the narration pane was last shown for a lesson (none before the first frame).
    narrated: Option<bool>,
    /// The exercise (lesson, step) whose controls were last made visible.
    exercise_seen: Option<(String, usize)>,
    spacetime: crate::ui::views::spacetime::SpaceTimeView,
    panels: P::Panels,
    store: StoreView,
    history: HistoryView,
    pub request: RequestForm,
    /// The nodes the next split puts on one side.
    pub side: BTreeSet<NodeId>,
    pub settings: StoreSettings<P::Config>,
    pub settings_open: bool,
    /// The protocol the settings window's picker shows.
    choice: Protocol,
    /// The settings window's settings for the other protocols, made when first picked.
    other_settings: Vec<Box<dyn RunSettings>>,
    /// What the user asked of the window (another protocol, the lessons); the holder does it.
    pub leave: Option<AppCommand>,
    /// "Can this break?": the explorer on this run's cluster (not offered in a lesson).
    pub explore: crate::ui::store::explore::StoreExploreWindow<P>,
    /// The lesson being taught, if any: its panel narrates beside the graph.
    pub lesson: Option<Box<LessonPanel<P>>>,
    /// Lessons completed here (every exercise solved, every quiz right), for the holder to keep.
    pub completed: Vec<String>,
    /// The run's file, and the questions before unsaved work is lost.
    pub file: FileOf<P, Replace<P>>,
    /// The world one step back, for the stores' highlights, by (run version, position).
    previous: Option<(u64, u64, World<P>)>,
    animator: Animator,
    /// Set by tests and benchmarks: the animation clock, frozen.
    pub fixed_time: Option<f64>,
}

impl<P: StoreWorkspace> StoreApp<P> {
    pub fn new(mut session: Session<P>, lang: Lang) -> Self {
        session.refresh_spans();
        let settings = StoreSettings {
            config: session.config().clone(),
            knobs: session.knobs,
        };
        let saved_generation = session.generation();
        StoreApp {
            session,
            lang,
            presenter: false,
            dark: true,
            color_blind: false,
            zoom: 1.0,
            graph: StoreGraph::default(),
            layout: Default::default(),
            drawn_log_rows: Vec::new(),
            drawn_controls: Vec::new(),
            narrated: None,
            exercise_seen: None,
            spacetime: Default::default(),
            panels: Default::default(),
            store: StoreView {
                entries: P::STORE_ENTRIES,
            },
            history: HistoryView::default(),
            request: RequestForm::default(),
            side: BTreeSet::new(),
            settings,
            settings_open: false,
            choice: P::PROTOCOL,
            other_settings: Vec::new(),
            leave: None,
            explore: Default::default(),
            lesson: None,
            completed: Vec::new(),
            file: RunFile::new(saved_generation),
            previous: None,
            animator: Animator::default(),
            fixed_time: None,
        }
    }

    /// Presenter mode: larger, high-contrast text (the panes stay as the user left them; an
    /// exercise's controls are always shown).
    pub fn set_presenter(&mut self, on: bool) {
        self.presenter = on;
    }

    /// The preferences as the workspace shows them.
    pub fn look(&self) -> crate::ui::Look {
        crate::ui::Look {
            lang: self.lang,
            presenter: self.presenter,
            dark: self.dark,
            color_blind: self.color_blind,
            zoom: self.zoom,
        }
    }

    pub fn set_look(&mut self, look: crate::ui::Look) {
        self.lang = look.lang;
        self.set_presenter(look.presenter);
        self.dark = look.dark;
        self.color_blind = look.color_blind;
        self.zoom = look.zoom;
    }

    /// The panes as this workspace's protocol last left them (else the default).
    pub fn restore_layout(&mut self, settings: &crate::ui::Settings) {
        self.layout =
            crate::ui::views::panes::Layout::restored(settings.layouts.get(P::NAME).cloned());
        self.narrated = None;
    }

    /// Keeps the panes in the preferences, under this workspace's protocol.
    pub fn keep_layout(&self, settings: &mut crate::ui::Settings) {
        settings
            .layouts
            .insert(P::NAME.to_string(), self.layout.tree.clone());
    }

    /// The run has changes no file holds (a lesson's run is the lesson's, never unsaved).
    pub fn unsaved(&self) -> bool {
        self.lesson.is_none() && self.file.changed(self.session.generation())
    }

    /// Leaves the workspace, asking first when the run is unsaved (leaving drops it).
    pub fn request_leave(&mut self, leave: AppCommand) {
        self.replace(Replace::Leave(leave));
    }

    /// The workspace on a Multi-Paxos lesson, at step `step` (from 0); with `source`, the file
    /// is watched and reloaded when it changes.
    pub fn on_lesson(
        lesson: crate::lesson::Lesson<P>,
        step: usize,
        source: Option<std::path::PathBuf>,
        lang: Lang,
    ) -> Result<Self, String> {
        let mut session = Session::new(lesson.config.clone(), lesson.faults);
        let mut panel = LessonPanel::open(lesson, &mut session)?;
        panel.source = source;
        panel.enter(step, &mut session);
        let mut app = StoreApp::new(session, lang);
        app.lesson = Some(Box::new(panel));
        Ok(app)
    }

    /// The kinds of action the current exercise allows, while one is open.
    fn rules(&self) -> Option<Vec<crate::lesson::Control>> {
        self.lesson
            .as_ref()
            .and_then(|p| p.controls().map(<[_]>::to_vec))
    }

    /// Whether the user may take this action now (an exercise allows only its controls).
    fn allows(&self, action: &ActionOf<P>) -> bool {
        self.rules()
            .is_none_or(|cs| cs.iter().any(|c| c.allows(action)))
    }

    /// A lesson step still hides the run's future (its reference run holds the answers).
    fn hides_future(&self) -> bool {
        self.lesson.as_ref().is_some_and(|p| !p.sandbox)
    }

    /// A fresh sandbox run with these settings.
    pub fn sandbox(settings: StoreSettings<P::Config>, lang: Lang) -> Self {
        let session = Session::new(settings.config.clone(), settings.knobs);
        StoreApp::new(session, lang)
    }

    pub fn palette(&self) -> Palette {
        crate::ui::palette_for(self.dark, self.color_blind)
    }

    /// Applies the views' commands, in order. During an exercise an action its controls do not
    /// allow, and auto-play past the end of the run, are refused with a notice, however the
    /// command was given (button, key).
    pub fn apply(&mut self, commands: Vec<Command<P>>) {
        let rules = self.rules();
        for c in commands {
            if let Some(controls) = &rules {
                let at_end = self.session.position() >= self.session.len();
                let refusal = match &c {
                    Command::Act(a) if !controls.iter().any(|k| k.allows(a)) => {
                        Some(crate::ui::not_allowed(self.lang, controls))
                    }
                    Command::StepForward if at_end => {
                        Some(T::ActYourself.get(self.lang).to_string())
                    }
                    Command::TogglePlay | Command::SetPlaying(true)
                        if at_end && !self.session.playing =>
                    {
                        Some(T::ActYourself.get(self.lang).to_string())
                    }
                    _ => None,
                };
                if let Some(why) = refusal {
                    self.session.playing = false;
                    self.session.notice = Some(Notice::Refused(why));
                    continue;
                }
            }
            let fresh = matches!(c, Command::NewRun(..) | Command::Open(..));
            if fresh {
                // A new or opened run ends the lesson: its narration belongs to its own run.
                self.lesson = None;
            }
            self.session.apply(c);
            if fresh {
                // A new run is not unsaved work, and it is no longer the file's run.
                self.file.fresh(self.session.generation());
            }
        }
        self.session.refresh_spans();
    }

    /// The lesson panel's commands, then whether the exercise is solved or the lesson complete.
    fn apply_lesson(&mut self, commands: Vec<LessonCommand>, ctx: &Context) {
        let Some(panel) = self.lesson.as_mut() else {
            return;
        };
        for c in commands {
            match c {
                LessonCommand::Leave => self.leave = Some(AppCommand::ToLessons),
                LessonCommand::OpenOwnRun => {
                    if let Some(t) = panel.own_run_trace() {
                        self.session.apply(Command::Open(Box::new(t)));
                        self.lesson = None;
                        return;
                    }
                }
                c => panel.apply(c, &mut self.session),
            }
        }
        panel.observe(&self.session);
        panel.refresh_facts(&self.session);
        if panel.reload_if_changed(&mut self.session) {
            ctx.request_repaint();
        }
        if panel.watches_file() {
            // Authors edit the file beside the app: look again in a second.
            ctx.request_repaint_after(std::time::Duration::from_secs(1));
        }
        if panel.complete() && !self.completed.contains(&panel.lesson.id) {
            self.completed.push(panel.lesson.id.clone());
        }
        self.session.refresh_spans();
    }

    /// Does a command from a menu or a key, as the Paxos app does.
    fn run_ui_command(
        &mut self,
        c: crate::ui::views::commands::UiCommand,
        ctx: &Context,
        out: &mut Vec<Command<P>>,
    ) {
        use crate::ui::views::commands::UiCommand as U;
        let mut look = self.look();
        if crate::ui::shell::window_command(ctx, c, &mut look) {
            self.set_look(look);
            return;
        }
        if self.file_command(c, ctx) {
            return;
        }
        match c {
            U::NewRun => {
                self.settings_open = true;
                self.choice = P::PROTOCOL;
            }
            U::Lessons => self.request_leave(AppCommand::ToLessons),
            // Nothing is left: the window copies the link of what shows.
            U::CopyLink => self.leave = Some(AppCommand::CopyLink),
            // A lesson offers no search (its exercises have their own answers).
            U::CanThisBreak if self.lesson.is_none() => {
                self.explore.open_for(self.session.config())
            }
            c => out.extend(crate::ui::views::commands::on_run(c, &self.session)),
        }
    }

    /// The app's keyboard shortcuts, as the Paxos app has them, and P to send the request the
    /// form shows (a clicker's or a presenter's way to make traffic).
    fn keys(&mut self, ctx: &Context, out: &mut Vec<Command<P>>) {
        use crate::ui::views::commands::UiCommand as U;
        // A clicker's Page Down and Page Up: the lesson's Next and Back, else a step.
        if !ctx.egui_wants_keyboard_input() {
            let none = egui::Modifiers::NONE;
            let (next, back) = ctx.input_mut(|i| {
                (
                    i.consume_key(none, egui::Key::PageDown),
                    i.consume_key(none, egui::Key::PageUp),
                )
            });
            match self.lesson.as_mut().filter(|p| !p.sandbox) {
                Some(panel) => {
                    if next {
                        panel.apply(LessonCommand::Next, &mut self.session);
                    }
                    if back {
                        panel.apply(LessonCommand::Back, &mut self.session);
                    }
                }
                None => {
                    if next {
                        out.push(Command::StepForward);
                    }
                    if back {
                        out.push(Command::StepBack);
                    }
                }
            }
        }
        for c in U::pressed(ctx) {
            self.run_ui_command(c, ctx, out);
        }
        // Raft: A aligns the election timers (a split vote), S spreads them (one candidate).
        let plain = |k: egui::Key| {
            !ctx.egui_wants_keyboard_input()
                && ctx.input(|i| i.modifiers.is_none() && i.key_pressed(k))
        };
        if P::TIMER_KEYS && plain(egui::Key::A) {
            out.extend(
                align_timers(self.session.world())
                    .into_iter()
                    .map(Command::Act),
            );
        }
        if P::TIMER_KEYS && plain(egui::Key::S) {
            out.extend(
                spread_timers(self.session.world())
                    .into_iter()
                    .map(Command::Act),
            );
        }
        let send = !ctx.egui_wants_keyboard_input() && ctx.input(|i| i.key_pressed(egui::Key::P));
        if send
            && P::cluster(self.session.world()).1 > 0
            && let Ok(op) = self.request.op()
        {
            let client = kv::client(self.request.client.max(1));
            out.push(Command::Act(Action::Propose(client, op)));
        }
    }

    fn top_bar(&mut self, ui: &mut Ui, out: &mut Vec<Command<P>>) {
        let lang = self.lang;
        let tr = |t: T| t.get(lang);
        // Wrapped, not a one-line menu bar: in presenter mode at 1280x800 the preferences and
        // the Panes menu ran off the window's right edge.
        ui.horizontal_wrapped(|ui| {
            let ctx = ui.ctx().clone();
            match file_menu(ui, lang, &self.file.recent, true) {
                Some(FileChoice::Command(c)) => self.run_ui_command(c, &ctx, out),
                Some(FileChoice::Reopen(p)) => self.handle_file_request(FileRequest::Open(p), &ctx),
                None => {}
            }
            let rules = self.rules();
            if let Some(c) = crate::ui::shell::run_menus(ui, lang, rules.as_deref()) {
                self.run_ui_command(c, &ctx, out);
            }
            if ui.button(tr(T::NewRun)).clicked() {
                self.settings_open = true;
                self.choice = P::PROTOCOL;
            }
            if self.lesson.is_none() && ui.button(tr(T::CanThisBreak)).clicked() {
                self.explore.open_for(self.session.config());
            }
            ui.separator();
            ui.heading(tr(P::heading()));
            ui.separator();
            let mut look = self.look();
            crate::ui::shell::preferences_bar(ui, &mut look, |_| {});
            self.set_look(look);
            ui.menu_button(tr(T::PanesTitle), |ui| {
                for pane in crate::ui::views::panes::Pane::ALL {
                    let mut open = self.layout.is_open(pane);
                    let enabled = pane.closable();
                    if ui
                        .add_enabled(
                            enabled,
                            egui::Checkbox::new(&mut open, tr(pane_title::<P>(pane))),
                        )
                        .changed()
                    {
                        self.layout.set_open(pane, open);
                    }
                }
                ui.separator();
                if ui.button(tr(T::ResetLayout)).clicked() {
                    self.layout.reset();
                    self.narrated = None;
                    self.exercise_seen = None;
                    ui.close();
                }
            });
        });
        // In a lesson the recorded run goes on to the answers: it ends, as shown, here.
        let pos = self.session.position();
        let len = if self.hides_future() {
            pos
        } else {
            self.session.len()
        };
        ui.horizontal(|ui| {
            if ui
                .add_enabled(pos > 0, egui::Button::new(tr(T::Reset)))
                .clicked()
            {
                out.push(Command::Reset);
            }
            if ui
                .add_enabled(pos > 0, egui::Button::new(tr(T::StepBack)))
                .clicked()
            {
                out.push(Command::StepBack);
            }
            let play = if self.session.playing {
                tr(T::Pause)
            } else {
                tr(T::Play)
            };
            if ui.button(play).clicked() {
                out.push(Command::TogglePlay);
            }
            if ui.button(tr(T::StepForward)).clicked() {
                out.push(Command::StepForward);
            }
            if ui
                .add_enabled(pos < len, egui::Button::new(tr(T::JumpToEnd)))
                .clicked()
            {
                out.push(Command::SeekEnd);
            }
            let mut speed = self.session.speed;
            let slider = egui::Slider::new(&mut speed, 0.25..=50.0)
                .logarithmic(true)
                .text(tr(T::StepsPerSecond));
            if ui.add(slider).changed() {
                out.push(Command::SetSpeed(speed));
            }
            let mut at = pos;
            let slider = egui::Slider::new(&mut at, 0..=len)
                .show_value(false)
                .text(fill(tr(T::StepOf), &[&pos, &len]));
            if ui.add(slider).changed() {
                out.push(Command::Seek(at));
            }
        });
    }

    fn safety_bar(&self, ui: &mut Ui, palette: &Palette) {
        let tr = |t: T| t.get(self.lang);
        let world = self.session.world();
        ui.horizontal_wrapped(|ui| {
            let names = self.session.config().flaw_names();
            if !names.is_empty() {
                ui.label(
                    RichText::new(format!(
                        "⚠ {}",
                        fill(tr(T::FlawBadge), &[&names.join(", ")])
                    ))
                    .strong()
                    .color(egui::Color32::WHITE)
                    .background_color(palette.violation),
                );
                ui.separator();
            }
            let broken: BTreeSet<&str> = world.violations().iter().map(|v| v.invariant).collect();
            // A projector has no room for every rule: while all hold, one line says so (each
            // rule on hover); a broken one is named as always.
            if self.presenter && broken.is_empty() {
                let names: Vec<&str> = P::invariants()
                    .iter()
                    .map(|id| tr(P::invariant_name(id)))
                    .collect();
                ui.label(
                    RichText::new(format!("✔ {}", fill(tr(T::AllRulesHold), &[&names.len()])))
                        .color(palette.ok),
                )
                .on_hover_text(names.join("\n"));
                return;
            }
            for id in P::invariants() {
                let name = tr(P::invariant_name(id));
                if broken.contains(id) {
                    ui.label(
                        RichText::new(format!("✖ {name}"))
                            .strong()
                            .color(egui::Color32::WHITE)
                            .background_color(palette.violation),
                    );
                } else {
                    ui.label(RichText::new(format!("✔ {name}")).color(palette.ok));
                }
            }
        });
        if let Some(v) = world.violations().first() {
            let text = fill(
                tr(T::SafetyViolated),
                &[&v.step, &tr(P::invariant_name(v.invariant))],
            );
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(text).strong().color(palette.violation));
                ui.label(
                    RichText::new(v.detail_in(self.lang == Lang::Zh)).color(palette.violation),
                );
            });
        }
        if let Some(n) = &self.session.notice {
            let text = match n {
                Notice::Refused(why) => fill(tr(T::Refused), &[why]),
                Notice::RunEnded => tr(T::RunEnded).to_string(),
                Notice::Forked => tr(T::Forked).to_string(),
            };
            ui.label(RichText::new(text).italics());
        }
        if let Some((error, text)) = &self.file.status {
            let color = if *error {
                palette.violation
            } else {
                palette.ok
            };
            ui.label(RichText::new(text).color(color));
        }
    }

    /// The controls: a client request, each server's crash, restart and timeout, the partition,
    /// and what can be done to the selected message.
    fn controls(&mut self, ui: &mut Ui, out: &mut Vec<Command<P>>) {
        let lang = self.lang;
        let tr = |t: T| t.get(lang);
        let rules = self.rules();
        let allows = |a: &ActionOf<P>| {
            rules
                .as_ref()
                .is_none_or(|cs| cs.iter().any(|c| c.allows(a)))
        };
        // The selected message's actions first, where the eye is after clicking it.
        if let Some(Selection::Message(m)) = self.session.selection
            && self.session.world().network().get(m).is_some()
        {
            self.message_controls(ui, m, out);
            ui.separator();
        }
        let world = self.session.world();
        let (servers, clients) = P::cluster(world);
        ui.heading(tr(T::MpRequestTitle));
        if clients == 0 {
            ui.label(tr(T::MpNoClients));
        } else {
            let form = &mut self.request;
            form.client = form.client.clamp(1, clients);
            egui::Grid::new("request-form")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label(tr(T::MpClient));
                    ui.horizontal(|ui| {
                        for c in 1..=clients {
                            ui.radio_value(&mut form.client, c, format!("C{c}"));
                        }
                    });
                    ui.end_row();
                    ui.label(tr(T::MpOperation));
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut form.op, OpKind::Put, "Put");
                        ui.radio_value(&mut form.op, OpKind::Get, "Get");
                        ui.radio_value(&mut form.op, OpKind::Cas, "Cas");
                    });
                    ui.end_row();
                    // Each field is named by its label, for screen readers and tests.
                    let field = |ui: &mut Ui, name: T, text: &mut String| {
                        let label = ui.label(tr(name));
                        ui.add(egui::TextEdit::singleline(text).desired_width(80.0))
                            .labelled_by(label.id);
                        ui.end_row();
                    };
                    field(ui, T::StoreKey, &mut form.key);
                    if form.op == OpKind::Cas {
                        field(ui, T::MpExpected, &mut form.expected);
                    }
                    if form.op != OpKind::Get {
                        field(ui, T::MpValue, &mut form.value);
                    }
                });
            let op = form.op();
            let allowed = rules
                .as_ref()
                .is_none_or(|cs| cs.contains(&crate::lesson::Control::Propose));
            let send = ui.add_enabled(op.is_ok() && allowed, egui::Button::new(tr(T::MpSend)));
            if let Ok(op) = op {
                if send.clicked() {
                    out.push(Command::Act(Action::Propose(kv::client(form.client), op)));
                }
            } else if let Err(why) = op {
                ui.colored_label(self.palette().violation, why);
            }
            ui.label(RichText::new(tr(T::MpSendKey)).weak());
        }
        ui.separator();
        ui.heading(tr(T::MpServersTitle));
        // A node's timer fires now: a server's election timer, a client's retry.
        let timeout_button = |ui: &mut Ui, id: NodeId, running: bool, out: &mut Vec<Command<P>>| {
            let enabled = running && allows(&Action::Timeout(id));
            let button = egui::Button::new(fill(tr(T::MpTimeout), &[&id]));
            if ui.add_enabled(enabled, button).clicked() {
                out.push(Command::Act(Action::Timeout(id)));
            }
        };
        egui::Grid::new("server-actions")
            .num_columns(4)
            .show(ui, |ui| {
                for i in 1..=servers {
                    let id = kv::server(i);
                    let Some(slot) = world.node(id) else { continue };
                    ui.label(RichText::new(id.to_string()).strong());
                    let (text, action) = if slot.up {
                        (fill(tr(T::MpCrash), &[&id]), Action::Crash(id))
                    } else {
                        (fill(tr(T::MpRestart), &[&id]), Action::Restart(id))
                    };
                    if ui
                        .add_enabled(allows(&action), egui::Button::new(text))
                        .clicked()
                    {
                        out.push(Command::Act(action));
                    }
                    timeout_button(ui, id, slot.up && slot.timer.is_some(), out);
                    if crate::sim::Protocol::is_byzantine(world.protocol(), id) {
                        let lies = lies_of(world, id, lang);
                        ui.add_enabled_ui(!lies.is_empty(), |ui| {
                            ui.menu_button(fill(tr(T::MpLies), &[&id]), |ui| {
                                for (action, words) in lies {
                                    if ui
                                        .add_enabled(allows(&action), egui::Button::new(words))
                                        .clicked()
                                    {
                                        out.push(Command::Act(action));
                                        ui.close();
                                    }
                                }
                            });
                        });
                    }
                    ui.end_row();
                }
                // A client's timer resends its request (to another server, after a failover).
                for i in 1..=clients {
                    let id = kv::client(i);
                    let Some(slot) = world.node(id) else { continue };
                    ui.label(RichText::new(id.to_string()).strong());
                    ui.label("");
                    timeout_button(ui, id, slot.up && slot.timer.is_some(), out);
                    ui.end_row();
                }
            });
        if P::TIMER_KEYS {
            let may_time_out = allows(&Action::Timeout(kv::server(1)));
            let campaigners = would_campaign(world).len();
            ui.horizontal_wrapped(|ui| {
                if ui
                    .add_enabled(
                        may_time_out && campaigners > 1,
                        egui::Button::new(tr(T::AlignTimers)),
                    )
                    .on_hover_text(tr(T::AlignTimersHelp))
                    .clicked()
                {
                    out.extend(align_timers(world).into_iter().map(Command::Act));
                }
                if ui
                    .add_enabled(
                        may_time_out && campaigners > 0,
                        egui::Button::new(tr(T::SpreadTimers)),
                    )
                    .on_hover_text(tr(T::SpreadTimersHelp))
                    .clicked()
                {
                    out.extend(spread_timers(world).into_iter().map(Command::Act));
                }
            });
        }
        ui.separator();
        ui.heading(tr(T::MpPartitionTitle));
        ui.label(RichText::new(tr(T::MpPartitionHelp)).weak());
        let ids: Vec<NodeId> = world.nodes().iter().map(|s| s.id).collect();
        self.side.retain(|id| ids.contains(id));
        ui.horizontal_wrapped(|ui| {
            for &id in &ids {
                let mut on = self.side.contains(&id);
                if ui.checkbox(&mut on, id.to_string()).changed() {
                    if on {
                        self.side.insert(id);
                    } else {
                        self.side.remove(&id);
                    }
                }
            }
        });
        ui.horizontal(|ui| {
            let side = &self.side;
            let split = kv::split_actions(world, &|id| side.contains(&id), &|_| true);
            let links = rules
                .as_ref()
                .is_none_or(|cs| cs.contains(&crate::lesson::Control::Links));
            let proper = links && !self.side.is_empty() && self.side.len() < ids.len();
            if ui
                .add_enabled(
                    proper && !split.is_empty(),
                    egui::Button::new(tr(T::MpSplit)),
                )
                .clicked()
            {
                out.extend(split.into_iter().map(Command::Act));
            }
            let heal = kv::heal_actions(world);
            if ui
                .add_enabled(links && !heal.is_empty(), egui::Button::new(tr(T::MpHeal)))
                .clicked()
            {
                out.extend(heal.into_iter().map(Command::Act));
            }
        });
        let cut = world.network().cut_links().len();
        if cut > 0 {
            ui.label(fill(tr(T::MpLinksCut), &[&cut]));
        }
        ui.separator();
        self.in_flight_list(ui, out);
    }

    /// The open exercise's own controls, first in the controls pane (so on screen in presenter
    /// mode too): every action it allows now, each a button, recorded for `--layout-json`.
    fn exercise_controls(
        &mut self,
        ui: &mut Ui,
        out: &mut Vec<Command<P>>,
        drawn: &mut Vec<(String, egui::Rect)>,
    ) {
        use crate::lesson::Control;
        let Some(rules) = self.rules() else { return };
        let lang = self.lang;
        let tr = |t: T| t.get(lang);
        let allowed = |a: &ActionOf<P>| rules.iter().any(|c| c.allows(a));
        let world = self.session.world();
        let mut acts = Vec::new();
        let mut select = None;
        let mut button = |ui: &mut Ui, action: ActionOf<P>, text: String| {
            let r = ui.button(text);
            drawn.push((control_id::<P>(&action), r.rect));
            if r.clicked() {
                acts.push(action);
            }
        };
        ui.heading(tr(T::ExerciseControlsTitle));
        ui.horizontal_wrapped(|ui| {
            for slot in world.nodes() {
                for (action, text) in node_actions(world, slot.id, lang) {
                    if allowed(&action) {
                        button(ui, action, text);
                    }
                }
            }
        });
        if rules.contains(&Control::Propose)
            && P::cluster(world).1 > 0
            && let Ok(op) = self.request.op()
        {
            let client = kv::client(self.request.client.max(1));
            let text = fill(tr(T::ExerciseSend), &[&client, &op]);
            button(ui, Action::Propose(client, op), text);
        }
        let kinds: Vec<(T, OnMessage<P>)> = [
            (
                Control::Deliver,
                T::MpDeliver,
                Action::Deliver as OnMessage<P>,
            ),
            (Control::Drop, T::MpDrop, Action::Drop),
            (Control::Duplicate, T::MpDuplicate, Action::Duplicate),
        ]
        .into_iter()
        .filter(|(c, _, _)| rules.contains(c))
        .map(|(_, t, a)| (t, a))
        .collect();
        if !kinds.is_empty() {
            let envelopes = due_first(world.network(), 8);
            if envelopes.is_empty() {
                ui.label(RichText::new(tr(T::ExerciseNoMessage)).weak());
            }
            for env in envelopes {
                ui.horizontal(|ui| {
                    for (t, make) in &kinds {
                        button(ui, make(env.id), format!("{} {}", tr(*t), env.id));
                    }
                    // The message in words, cut to the pane's width (whole on hover); a click
                    // selects it in the graph.
                    let text = format!("{}→{} {}", env.src, env.dst, P::message_words(env));
                    let selected = self.session.selection == Some(Selection::Message(env.id));
                    let label = RichText::new(text).monospace();
                    let label = if selected { label.strong() } else { label };
                    if ui
                        .add(
                            egui::Label::new(label)
                                .truncate()
                                .sense(egui::Sense::click()),
                        )
                        .clicked()
                    {
                        select = Some(env.id);
                    }
                });
            }
        }
        if rules.contains(&Control::Links) {
            let heal = kv::heal_actions(world);
            if !heal.is_empty() {
                let r = ui.button(tr(T::MpHeal));
                drawn.push(("heal".to_string(), r.rect));
                if r.clicked() {
                    out.extend(heal.into_iter().map(Command::Act));
                }
            }
            ui.label(RichText::new(tr(T::ExercisePickSide)).weak());
        }
        ui.separator();
        out.extend(acts.into_iter().map(Command::Act));
        if let Some(m) = select {
            out.push(Command::Select(Some(Selection::Message(m))));
        }
    }

    /// Every message in flight, due first, to pick from when markers in the graph overlap.
    fn in_flight_list(&self, ui: &mut Ui, out: &mut Vec<Command<P>>) {
        const SHOWN: usize = 60;
        let tr = |t: T| t.get(self.lang);
        let net = self.session.world().network();
        let total = net.in_flight_count();
        let envelopes = due_first(net, SHOWN);
        egui::CollapsingHeader::new(fill(tr(T::MpInFlight), &[&total]))
            .id_salt("mp-in-flight")
            .default_open(true)
            .show(ui, |ui| {
                for env in &envelopes {
                    let selected = self.session.selection == Some(Selection::Message(env.id));
                    let lie = self.session.world().is_lie(env.id);
                    let text = format!(
                        "{} {}→{} {}{}",
                        env.id,
                        env.src,
                        env.dst,
                        P::message_words(env),
                        if lie {
                            format!(" ({})", tr(T::LieTag))
                        } else {
                            String::new()
                        }
                    );
                    let mut text = RichText::new(text).monospace();
                    if lie {
                        text = text.color(self.palette().violation);
                    }
                    if ui.selectable_label(selected, text).clicked() {
                        out.push(Command::Select(Some(Selection::Message(env.id))));
                    }
                }
                if total > SHOWN {
                    ui.label(fill(tr(T::MpMore), &[&(total - SHOWN)]));
                }
            });
    }

    fn message_controls(&self, ui: &mut Ui, m: MsgId, out: &mut Vec<Command<P>>) {
        let tr = |t: T| t.get(self.lang);
        let Some(env) = self.session.world().network().get(m) else {
            return;
        };
        ui.heading(tr(T::MpMessageTitle));
        ui.label(RichText::new(format!("{} {}", env.id, P::message_words(env))).monospace());
        ui.label(format!(
            "{} → {} · {}",
            env.src,
            env.dst,
            fill(tr(T::MpDueAt), &[&env.sent_at, &env.deliver_at])
        ));
        ui.horizontal_wrapped(|ui| {
            for (t, action) in [
                (T::MpDeliver, Action::Deliver(m)),
                (T::MpDrop, Action::Drop(m)),
                (T::MpDuplicate, Action::Duplicate(m)),
            ] {
                if ui
                    .add_enabled(self.allows(&action), egui::Button::new(tr(t)))
                    .clicked()
                {
                    out.push(Command::Act(action));
                }
            }
            let held = self.session.held.contains(&m);
            let (t, c) = if held {
                (T::MpRelease, Command::Release(m))
            } else {
                (T::MpHold, Command::Hold(m))
            };
            if ui.button(tr(t)).clicked() {
                out.push(c);
            }
        });
    }

    fn settings_window(&mut self, ctx: &Context) {
        if !self.settings_open {
            return;
        }
        let lang = self.lang;
        let palette = self.palette();
        let mut open = true;
        let mut start = false;
        egui::Window::new(T::SandboxSettings.get(lang))
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| {
                protocol_picker(ui, &mut self.choice, lang);
                ui.separator();
                if self.choice != P::PROTOCOL {
                    let choice = self.choice;
                    if !self.other_settings.iter().any(|s| s.protocol() == choice)
                        && let Some(fresh) =
                            crate::with_protocol!(choice, Q => <Q as crate::ui::workspace::Shown>::run_settings())
                    {
                        self.other_settings.push(fresh);
                    }
                    let other = self.other_settings.iter_mut().find(|s| s.protocol() == choice);
                    let leave = match other {
                        // Another store protocol: its own settings, here.
                        Some(settings) => {
                            let valid = settings.ui(ui, lang, &palette);
                            ui.add_enabled(valid, egui::Button::new(T::StartNewRun.get(lang)))
                                .clicked()
                                .then(|| AppCommand::NewRun(settings.boxed_clone()))
                        }
                        // Paxos: its settings are the Paxos app's.
                        None => {
                            ui.label(T::MpSwitchProtocol.get(lang));
                            ui.button(T::StartNewRun.get(lang))
                                .clicked()
                                .then_some(AppCommand::Sandbox(choice))
                        }
                    };
                    if let Some(leave) = leave {
                        self.request_leave(leave);
                    }
                    return;
                }
                let valid = self.settings.ui(ui, lang, &palette);
                if ui
                    .add_enabled(valid, egui::Button::new(T::StartNewRun.get(lang)))
                    .clicked()
                {
                    start = true;
                }
            });
        if start {
            self.replace(Replace::NewRun(Box::new(self.settings.clone())));
            open = false;
        }
        self.settings_open = open;
    }

    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        let t = self.fixed_time.unwrap_or_else(|| ctx.input(|i| i.time));
        let lang = self.lang;
        let palette = self.palette();
        crate::ui::set_look(&ctx, self.zoom, self.dark, self.presenter);
        let mut out = Vec::new();
        self.keys(&ctx, &mut out);
        if self
            .animator
            .auto_step_due(t, self.session.playing, self.session.speed)
        {
            out.push(Command::StepForward);
        }
        if !crate::ui::embedded(ui.ctx()) {
            egui::Panel::top("mp-bar").show(ui, |ui| self.top_bar(ui, &mut out));
        }
        self.apply(std::mem::take(&mut out));

        if let Some(trace) = self.explore.ui(&ctx, lang, &palette, P::invariant_name) {
            self.replace(Replace::Open(trace));
        }
        self.file_frame(&ctx, P::TITLE);
        self.settings_window(&ctx);

        let (pos, generation) = (self.session.position(), self.session.generation());
        if self
            .previous
            .as_ref()
            .is_none_or(|(g, p, _)| (*g, *p) != (generation, pos))
        {
            let before = self.session.timeline().state_at(pos.saturating_sub(1));
            self.previous = Some((generation, pos, before));
        }
        let world = self.session.world();
        let anim = self
            .animator
            .frame(t, world.now(), world.step(), self.session.speed);
        egui::Panel::bottom("mp-safety").show(ui, |ui| self.safety_bar(ui, &palette));
        let mut lesson_out = Vec::new();
        self.sync_panes();
        let highlight = self
            .lesson
            .as_ref()
            .filter(|p| !p.sandbox)
            .map(|p| p.named_nodes(lang))
            .unwrap_or_default();
        egui::CentralPanel::default()
            .frame(egui::Frame::central_panel(&ctx.global_style()).inner_margin(2))
            .show(ui, |ui| {
                // The tree is taken out while its panes draw from the rest of the workspace.
                let mut tree = std::mem::replace(
                    &mut self.layout.tree,
                    egui_tiles::Tree::empty(egui::Id::unique("store-panes")),
                );
                let mut contents = StorePanes {
                    app: self,
                    out: &mut out,
                    lesson_out: &mut lesson_out,
                    anim,
                    highlight,
                    palette,
                    log_rows: Vec::new(),
                    controls: Vec::new(),
                };
                let mut behavior = crate::ui::views::panes::Behavior {
                    contents: &mut contents,
                };
                tree.ui(&mut behavior, ui);
                let (log_rows, controls) = (contents.log_rows, contents.controls);
                self.layout.tree = tree;
                self.drawn_log_rows = log_rows;
                self.drawn_controls = controls;
            });
        self.apply(out);
        self.apply_lesson(lesson_out, &ctx);
        let moving = self.session.playing || anim.progress < 1.0;
        if moving && self.fixed_time.is_none() {
            ctx.request_repaint();
        }
    }

    /// What the last frame drew, for `--layout-json`: the graph's nodes, states and labels,
    /// every pane shown, each log row, and the controls of the exercise open.
    pub fn drawn(&self) -> Vec<crate::ui::paxos::graph::Drawn> {
        use crate::ui::paxos::graph::Drawn;
        let mut all = self.graph.drawn.clone();
        for (pane, rect) in self.layout.drawn() {
            all.push(Drawn::new("pane", pane.id().to_string(), rect));
        }
        for (id, rect) in &self.drawn_log_rows {
            all.push(Drawn::new("log-row", id.to_string(), *rect));
        }
        for (id, rect) in &self.drawn_controls {
            all.push(Drawn::new("control", id.clone(), *rect));
        }
        all
    }

    /// Shows the narration while a lesson is open (and hides it after), and the controls
    /// whenever a new exercise opens: its actions must be on screen.
    fn sync_panes(&mut self) {
        use crate::ui::views::panes::Pane;
        let narrated = self.lesson.is_some();
        if Some(narrated) != self.narrated {
            self.layout.set_open(Pane::Narration, narrated);
            self.narrated = Some(narrated);
        }
        let exercise = self
            .lesson
            .as_ref()
            .filter(|p| p.controls().is_some())
            .map(|p| (p.lesson.id.as_str(), p.step));
        let seen = self.exercise_seen.as_ref().map(|(id, s)| (id.as_str(), *s));
        if exercise != seen {
            if exercise.is_some() {
                self.layout.set_open(Pane::Controls, true);
            }
            self.exercise_seen = exercise.map(|(id, s)| (id.to_string(), s));
        }
    }
}

/// The workspace's panes, drawn for one frame.
struct StorePanes<'a, P: StoreWorkspace> {
    app: &'a mut StoreApp<P>,
    out: &'a mut Vec<Command<P>>,
    lesson_out: &'a mut Vec<LessonCommand>,
    anim: crate::ui::views::anim::Anim,
    highlight: Vec<NodeId>,
    palette: Palette,
    log_rows: Vec<(NodeId, egui::Rect)>,
    controls: Vec<(String, egui::Rect)>,
}

/// A pane's title in this workspace: the leader pane is named by the protocol.
fn pane_title<P: StoreWorkspace>(pane: crate::ui::views::panes::Pane) -> T {
    match pane {
        crate::ui::views::panes::Pane::Leader => P::LEADER_TITLE,
        other => other.title(),
    }
}

impl<P: StoreWorkspace> crate::ui::views::panes::PaneContents for StorePanes<'_, P> {
    fn lang(&self) -> Lang {
        self.app.lang
    }

    fn title(&self, pane: crate::ui::views::panes::Pane) -> T {
        pane_title::<P>(pane)
    }

    fn pane_ui(&mut self, ui: &mut Ui, pane: crate::ui::views::panes::Pane) {
        use crate::ui::views::panes::Pane;
        let app = &mut *self.app;
        let lang = app.lang;
        let palette = self.palette;
        let text_scale = if app.presenter { 1.25 } else { 1.0 };
        let pos = app.session.position();
        let before = app.previous.as_ref().map(|(_, _, w)| w).filter(|_| pos > 0);
        match pane {
            Pane::Graph => {
                let frame = GraphFrame {
                    world: app.session.world(),
                    anim: self.anim,
                    lang,
                    palette,
                    text_scale,
                    selection: app.session.selection,
                    held: &app.session.held,
                    highlight: &self.highlight,
                };
                app.graph.ui(ui, &frame, self.out);
            }
            Pane::Log => {
                egui::ScrollArea::both()
                    .id_salt("mp-log-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        let rows =
                            P::log_panel(&mut app.panels, ui, app.session.world(), lang, &palette);
                        let clip = ui.clip_rect();
                        self.log_rows.extend(
                            rows.into_iter()
                                .map(|(id, r)| (id, r.intersect(clip)))
                                .filter(|(_, r)| r.is_positive()),
                        );
                    });
            }
            Pane::Leader => {
                let rules = app.rules();
                egui::ScrollArea::vertical()
                    .id_salt("mp-leader-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        inspector(
                            ui,
                            &app.session,
                            (lang, &palette),
                            before,
                            rules.as_deref(),
                            self.out,
                        );
                        P::leader_panel(&mut app.panels, ui, app.session.world(), lang);
                    });
            }
            Pane::Stores => {
                egui::ScrollArea::vertical()
                    .id_salt("mp-stores-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        let (store, world) = (&mut app.store, app.session.world());
                        store.ui(ui, world, before, lang, &palette);
                    });
            }
            Pane::History => {
                let marks = app.session.spans().1;
                egui::ScrollArea::vertical()
                    .id_salt("mp-history-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        app.history
                            .ui(ui, app.session.world(), marks, lang, &palette);
                    });
            }
            Pane::Narration => match &mut app.lesson {
                Some(panel) => {
                    let look = PanelLook {
                        lang,
                        palette,
                        text_scale,
                    };
                    // Back and Next stay at the pane's foot, whatever the length of the step.
                    egui::Panel::bottom("narration-nav")
                        .show_separator_line(false)
                        .show(ui, |ui| panel.nav_ui(ui, &look, self.lesson_out));
                    // A scroll area of its own per step: every step's narration starts at its top.
                    egui::ScrollArea::vertical()
                        .id_salt(("narration", panel.step, panel.sandbox))
                        .auto_shrink([false, false])
                        .show(ui, |ui| panel.body_ui(ui, &look, self.lesson_out));
                }
                None => {
                    ui.label(RichText::new(T::PaneNoLesson.get(lang)).weak());
                }
            },
            Pane::Controls => {
                egui::ScrollArea::vertical()
                    .id_salt("mp-controls-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        app.exercise_controls(ui, self.out, &mut self.controls);
                        app.controls(ui, self.out);
                    });
            }
            Pane::Diagram => {
                let frame = crate::ui::views::spacetime::SpaceTimeFrame {
                    session: &app.session,
                    lang,
                    palette,
                    hide_future: app.hides_future(),
                };
                app.spacetime.show(ui, &frame, self.out);
            }
        }
    }
}

/// The selected node's state, with the lines the last step changed marked, and what can be
/// done to it (crash, restart, time out: a client's timeout too), as the exercise allows.
fn inspector<P: StoreWorkspace>(
    ui: &mut Ui,
    session: &Session<P>,
    look: (Lang, &Palette),
    before: Option<&World<P>>,
    rules: Option<&[crate::lesson::Control]>,
    out: &mut Vec<Command<P>>,
) {
    let (lang, palette) = look;
    let Some(Selection::Node(id)) = session.selection else {
        return;
    };
    let world = session.world();
    let words = |w: &World<P>| {
        if id.role == CLIENT {
            client_words(w, id, lang)
        } else {
            P::server_words(w, id, lang)
        }
    };
    ui.heading(fill(T::MpInspectorTitle.get(lang), &[&id]));
    let then = before.map(words);
    for line in words(world).lines() {
        let changed = then.as_ref().is_some_and(|t| !t.lines().any(|l| l == line));
        let text = RichText::new(line);
        ui.label(if changed {
            text.strong()
                .background_color(palette.changed.gamma_multiply(0.35))
        } else {
            text
        });
    }
    P::inspector_extra(ui, world, id, lang);
    ui.horizontal_wrapped(|ui| {
        for (action, text) in node_actions(world, id, lang) {
            let allowed = rules.is_none_or(|cs| cs.iter().any(|c| c.allows(&action)));
            if ui.add_enabled(allowed, egui::Button::new(text)).clicked() {
                out.push(Command::Act(action));
            }
        }
    });
    ui.separator();
}

/// What can be done to a node now, with its button's words: a server crashes or restarts; a
/// live node whose timer runs (a server's election timer, a client's retry timer) times out.
fn node_actions<P: StoreWorkspace>(
    world: &World<P>,
    id: NodeId,
    lang: Lang,
) -> Vec<(ActionOf<P>, String)> {
    let Some(slot) = world.node(id) else {
        return Vec::new();
    };
    let mut actions = Vec::new();
    if id.role == kv::SERVER {
        actions.push(if slot.up {
            (Action::Crash(id), fill(T::MpCrash.get(lang), &[&id]))
        } else {
            (Action::Restart(id), fill(T::MpRestart.get(lang), &[&id]))
        });
    }
    if slot.up && slot.timer.is_some() {
        actions.push((Action::Timeout(id), fill(T::MpTimeout.get(lang), &[&id])));
    }
    // A pause long enough for the others to elect another leader meanwhile.
    if id.role == kv::SERVER && slot.up && !world.is_paused(id) {
        let ticks = world
            .timing()
            .timeout
            .saturating_mul(3)
            .clamp(1, crate::sim::world::MAX_PAUSE);
        actions.push((
            Action::Pause(id, ticks),
            fill(T::MpPause.get(lang), &[&id, &ticks]),
        ));
    }
    // A configuration change for this server, asked of C1 (Raft).
    if let Some(member) = P::is_member(world, id) {
        let client = kv::client(1);
        actions.push(if member {
            (
                Action::Propose(client, Op::RemoveServer(id.index)),
                fill(T::MpRemoveServer.get(lang), &[&client, &id]),
            )
        } else {
            (
                Action::Propose(client, Op::AddServer(id.index)),
                fill(T::MpAddServer.get(lang), &[&client, &id]),
            )
        });
    }
    actions.extend(lies_of(world, id, lang));
    actions
}

/// The lies a Byzantine server may tell now, with their buttons' words (`Lie to S1:
/// Vote(term 1, granted)`), in the order of the protocol's message kinds (its phases first:
/// PBFT's pre-prepares, prepares and commits before its view changes and forged replies), each
/// kind in the order the protocol offers them.
fn lies_of<P: StoreWorkspace>(
    world: &World<P>,
    id: NodeId,
    lang: Lang,
) -> Vec<(ActionOf<P>, String)> {
    let rank = |msg: &P::Msg| {
        let kind = P::kind_name(msg);
        P::kinds()
            .iter()
            .position(|(k, _)| *k == kind)
            .unwrap_or(usize::MAX)
    };
    let mut lies: Vec<(usize, ActionOf<P>, String)> = world
        .lies_of(id)
        .into_iter()
        .filter_map(|a| match &a {
            Action::Lie { to, msg, .. } => {
                let words = fill(T::MpLie.get(lang), &[to, &msg.to_string()]);
                Some((rank(msg), a, words))
            }
            _ => None,
        })
        .collect();
    lies.sort_by_key(|(rank, _, _)| *rank);
    lies.into_iter().map(|(_, a, words)| (a, words)).collect()
}

/// The first `n` messages in flight, due first. They are picked in linear time and only they
/// are ordered: a crowd of half a million must not be sorted every frame.
fn due_first<M: Clone>(
    net: &crate::sim::network::Network<M>,
    n: usize,
) -> Vec<&crate::sim::network::Envelope<M>> {
    let mut envelopes: Vec<_> = net.in_flight().collect();
    if envelopes.len() > n {
        envelopes.select_nth_unstable_by_key(n, |e| (e.deliver_at, e.id));
        envelopes.truncate(n);
    }
    envelopes.sort_by_key(|e| (e.deliver_at, e.id));
    envelopes
}

/// An exercise control's action on one message (deliver it, drop it, duplicate it).
type OnMessage<P> = fn(MsgId) -> ActionOf<P>;

/// A control's id in `--layout-json`: what it does and to what (`timeout:C2`, `deliver:#7`).
fn control_id<P: crate::sim::Protocol>(action: &ActionOf<P>) -> String {
    match action {
        Action::Propose(c, _) => format!("propose:{c}"),
        Action::Deliver(m) => format!("deliver:{m}"),
        Action::Drop(m) => format!("drop:{m}"),
        Action::Duplicate(m) => format!("duplicate:{m}"),
        Action::Crash(n) => format!("crash:{n}"),
        Action::Restart(n) => format!("restart:{n}"),
        Action::Timeout(n) => format!("timeout:{n}"),
        Action::Pause(n, ticks) => format!("pause:{n}:{ticks}"),
        Action::CutLink(a, b) => format!("cut:{a}-{b}"),
        Action::HealLink(a, b) => format!("heal:{a}-{b}"),
        Action::Lie { from, to, msg } => format!("lie:{from}-{to}:{msg}"),
    }
}

/// The workspace's run and its file: a lesson or a run of this protocol opens in place of the
/// run.
impl<P: StoreWorkspace> HoldsRun for StoreApp<P> {
    type P = P;
    type Body = Replace<P>;
    fn parts(&mut self) -> RunAndFile<'_, P, Self::Body> {
        (&self.session, &mut self.file)
    }
    fn file(&self) -> &FileOf<P, Self::Body> {
        &self.file
    }
    fn unsaved(&self) -> bool {
        StoreApp::unsaved(self)
    }
    fn look(&self) -> crate::ui::Look {
        StoreApp::look(self)
    }
    fn file_stem(&self) -> String {
        format!("{}-run", P::NAME)
    }
    fn show_lesson(
        &mut self,
        lesson: crate::lesson::Lesson<P>,
        source: &std::path::Path,
    ) -> Result<(), String> {
        let mut session = Session::new(lesson.config.clone(), lesson.faults);
        let mut panel = LessonPanel::open(lesson, &mut session)?;
        panel.source = Some(source.to_path_buf());
        self.session = session;
        self.lesson = Some(Box::new(panel));
        Ok(())
    }
    fn show_run(&mut self, trace: Box<crate::trace::Trace<P>>) -> Result<(), String> {
        self.session.apply(Command::Open(trace));
        if let Some(Notice::Refused(why)) = &self.session.notice {
            return Err(why.clone());
        }
        self.session.apply(Command::Reset);
        self.session.refresh_spans();
        self.lesson = None;
        Ok(())
    }
    fn go_on_body(&mut self, what: Replace<P>) {
        match what {
            Replace::Leave(l) => self.leave = Some(l),
            Replace::NewRun(settings) => {
                self.apply(vec![Command::NewRun(settings.config, settings.knobs)])
            }
            Replace::Open(trace) => self.apply(vec![Command::Open(trace)]),
        }
    }
    fn open_elsewhere(&mut self, path: &std::path::Path) {
        self.leave = Some(AppCommand::OpenFile(path.to_path_buf()));
    }
}
