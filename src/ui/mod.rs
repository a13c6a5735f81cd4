//! The desktop app. Each view is a struct with a `ui` function that reads the session and pushes
//! `Command`s; the app applies them once per frame, so no view changes the simulation directly.
//! Animation time is passed in, so tests can freeze it.

pub mod compare;
pub mod i18n;
#[cfg(target_arch = "wasm32")]
pub mod page;
// Each protocol's views, in a folder of its own (its views' registration).
pub mod multipaxos;
pub mod paxos;
pub mod pbft;
pub mod picker;
pub mod raft;
pub mod shell;
pub mod store;
pub mod views;
pub mod workspace;

use std::sync::{Arc, Mutex};

use egui::{Context, Ui};

use crate::protocols::paxos::Paxos;
use crate::session::{Command, Notice, Session};
use i18n::{Lang, T};
use paxos::explore_panel::ExploreWindow;
use paxos::graph::GraphView;
use paxos::inspector::InspectorView;
use paxos::panels::{ControlsView, SettingsWindow, safety_bar};
pub use views::anim::Anim;
use views::anim::Animator;
use views::commands::UiCommand;
use views::files::FileRequest;
use views::lesson_panel::{LessonCommand, LessonPanel};
use views::run_file::{HoldsRun, RunFile};
use views::theme::Palette;

use crate::protocols::paxos::Action;

/// The user's preferences, kept between runs of the app.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub lang: Lang,
    pub dark: bool,
    pub presenter: bool,
    pub color_blind: bool,
    pub zoom: f32,
    pub ring: bool,
    pub show_diagram: bool,
    pub show_inspector: bool,
    /// Ids of the lessons completed (every exercise solved, every quiz answered right).
    pub completed: std::collections::BTreeSet<String>,
    /// Exercises solved, as `lesson-id#step` (step counted from 1).
    pub solved_exercises: std::collections::BTreeSet<String>,
    /// Trace files opened or saved, the most recent first.
    pub recent_files: Vec<std::path::PathBuf>,
    /// Where each lesson left midway was left: its id and step (from 0), to resume there.
    pub lesson_steps: std::collections::BTreeMap<String, usize>,
    /// Each workspace's panes as the user left them, by protocol name (`multipaxos`, `raft`).
    pub layouts: std::collections::BTreeMap<String, egui_tiles::Tree<views::panes::Pane>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::En,
            dark: true,
            presenter: false,
            color_blind: false,
            zoom: 1.0,
            ring: false,
            show_diagram: true,
            show_inspector: true,
            completed: Default::default(),
            solved_exercises: Default::default(),
            recent_files: Vec::new(),
            lesson_steps: Default::default(),
            layouts: Default::default(),
        }
    }
}

/// The preferences every body of the window honours (the Paxos app, a store workspace, the side
/// by side): the shell hands them to a body it opens and takes them back when the body leaves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub lang: Lang,
    pub presenter: bool,
    pub dark: bool,
    pub color_blind: bool,
    pub zoom: f32,
}

impl Look {
    pub fn of(settings: &Settings) -> Look {
        Look {
            lang: settings.lang,
            presenter: settings.presenter,
            dark: settings.dark,
            color_blind: settings.color_blind,
            zoom: settings.zoom,
        }
    }

    pub fn keep_in(self, settings: &mut Settings) {
        settings.lang = self.lang;
        settings.presenter = self.presenter;
        settings.dark = self.dark;
        settings.color_blind = self.color_blind;
        settings.zoom = self.zoom;
    }

    pub fn palette(&self) -> Palette {
        palette_for(self.dark, self.color_blind)
    }
}

impl Default for Look {
    fn default() -> Self {
        Look::of(&Settings::default())
    }
}

/// The palette of a theme, standard or colour-blind safe (Okabe and Ito's).
pub fn palette_for(dark: bool, color_blind: bool) -> Palette {
    if color_blind {
        Palette::color_blind(dark)
    } else {
        Palette::standard(dark)
    }
}

/// The zoom after a zoom command (Ctrl+= larger, Ctrl+- smaller, Ctrl+0 back), or `None` for any
/// other command.
pub fn zoomed(zoom: f32, command: UiCommand) -> Option<f32> {
    match command {
        UiCommand::ZoomIn => Some((zoom * 1.1).min(3.0)),
        UiCommand::ZoomOut => Some((zoom / 1.1).max(0.5)),
        UiCommand::ZoomReset => Some(1.0),
        _ => None,
    }
}

/// The View menu's entries every body shares: theme, colour-blind palette and zoom.
pub fn look_menu(ui: &mut Ui, lang: Lang, dark: &mut bool, color_blind: &mut bool, zoom: &mut f32) {
    ui.checkbox(dark, T::DarkTheme.get(lang));
    ui.checkbox(color_blind, T::ColorBlindPalette.get(lang));
    ui.separator();
    for c in [UiCommand::ZoomIn, UiCommand::ZoomOut, UiCommand::ZoomReset] {
        if ui.button(c.text().get(lang)).clicked()
            && let Some(z) = zoomed(*zoom, c)
        {
            *zoom = z;
        }
    }
}

/// What every view reads for one frame.
pub struct Frame<'a> {
    pub session: &'a Session<Paxos>,
    pub lang: Lang,
    pub palette: Palette,
    pub anim: Anim,
    /// Larger in presenter mode.
    pub text_scale: f32,
    /// Nodes the lesson's narration names, marked in the graph.
    pub highlight: &'a [crate::sim::NodeId],
    /// The kinds of action an exercise allows (`None`: all of them).
    pub controls: Option<&'a [crate::lesson::Control]>,
    /// Show nothing of the run past the current step (a lesson's reference run holds the
    /// answers to come).
    pub hide_future: bool,
}

impl<'a> Frame<'a> {
    /// A frame with no animation under way, in the standard dark palette (tests, exports).
    pub fn at_rest(session: &'a Session<Paxos>, lang: Lang) -> Self {
        Frame {
            session,
            lang,
            palette: Palette::standard(true),
            anim: Anim::at_rest(session.world().now()),
            text_scale: 1.0,
            highlight: &[],
            controls: None,
            hide_future: false,
        }
    }

    pub fn tr(&self, t: T) -> &'static str {
        t.get(self.lang)
    }

    /// Whether the user may take this action now (an exercise allows only its controls).
    pub fn allows(&self, action: &Action) -> bool {
        self.controls
            .is_none_or(|cs| cs.iter().any(|c| c.allows(action)))
    }

    /// Why an action is not allowed now, for a disabled control's tooltip.
    pub fn why_not(&self) -> String {
        not_allowed(self.lang, self.controls.unwrap_or_default())
    }
}

/// Why an exercise refuses an action: what it allows instead.
pub(crate) fn not_allowed(lang: Lang, controls: &[crate::lesson::Control]) -> String {
    let names: Vec<&str> = controls
        .iter()
        .map(|c| control_name(*c).get(lang))
        .collect();
    i18n::fill(T::NotInThisExercise.get(lang), &[&names.join(", ")])
}

/// A control's name for people.
pub fn control_name(c: crate::lesson::Control) -> T {
    use crate::lesson::Control;
    match c {
        Control::Propose => T::ControlPropose,
        Control::Deliver => T::ControlDeliver,
        Control::Drop => T::ControlDrop,
        Control::Duplicate => T::ControlDuplicate,
        Control::Crash => T::ControlCrash,
        Control::Restart => T::ControlRestart,
        Control::Timeout => T::ControlTimeout,
        Control::Links => T::ControlLinks,
        Control::Lie => T::ControlLie,
        Control::Pause => T::ControlPause,
    }
}

/// Where the outcome of a requested screenshot lands: `None` until it was attempted.
pub type ScreenshotResult = Arc<Mutex<Option<Result<(), String>>>>;

/// Asks the app to save a screenshot of itself once it has drawn, then close.
pub(crate) struct ScreenshotPlan {
    path: std::path::PathBuf,
    /// Where to write what the graph drew in that frame (`--layout-json`).
    layout: Option<std::path::PathBuf>,
    frames_left: u32,
    requested: bool,
    image: Arc<Mutex<Option<Arc<egui::ColorImage>>>>,
    result: ScreenshotResult,
}

impl ScreenshotPlan {
    /// A screenshot of the window a few frames in (once layout and fonts have settled).
    pub(crate) fn new(path: std::path::PathBuf, result: ScreenshotResult) -> Self {
        ScreenshotPlan {
            path,
            layout: None,
            frames_left: 4,
            requested: false,
            image: Arc::new(Mutex::new(None)),
            result,
        }
    }

    /// One frame of the plan: wait, ask egui for the picture, then save it (and `layout()` as
    /// the layout JSON, if asked) and close the window. True on the frame it asks for the
    /// picture: from then on the window may close without asking anything.
    pub(crate) fn step(&mut self, ctx: &Context, layout: &dyn Fn() -> String) -> bool {
        if self.frames_left > 0 {
            self.frames_left -= 1;
            ctx.request_repaint();
            return false;
        }
        if !self.requested {
            self.requested = true;
            let slot = Arc::clone(&self.image);
            let repaint = ctx.clone();
            ctx.request_screenshot(move |img| {
                if let Ok(mut s) = slot.lock() {
                    *s = Some(img);
                }
                repaint.request_repaint();
            });
            ctx.request_repaint();
            return true;
        }
        let image = self.image.lock().ok().and_then(|mut s| s.take());
        if let Some(img) = image {
            let written = self.layout.as_ref().map(|p| {
                crate::fsutil::atomic_write(p, layout().as_bytes())
                    .map_err(|e| format!("{}: {e}", p.display()))
            });
            let saved = save_png(&self.path, &img).and(written.unwrap_or(Ok(())));
            if let Ok(mut r) = self.result.lock() {
                *r = Some(saved);
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            ctx.request_repaint();
        }
        false
    }
}

/// What the Paxos app shows.
pub enum Screen {
    Lesson(Box<LessonPanel<Paxos>>),
    Sandbox,
}

pub struct PaxosApp {
    pub session: Session<Paxos>,
    pub screen: Screen,
    pub settings: Settings,
    pub graph: GraphView,
    spacetime: views::spacetime::SpaceTimeView,
    inspector: InspectorView,
    controls: ControlsView,
    settings_window: SettingsWindow,
    pub explore_window: ExploreWindow,
    animator: Animator,
    show_help: bool,
    /// The legend of shapes and colours.
    show_legend: bool,
    /// Set by tests and benchmarks: the animation clock, frozen.
    pub fixed_time: Option<f64>,
    fonts_installed: bool,
    /// The run's file, and the questions before unsaved work is lost; what waits is a run to
    /// open or start in place of this one.
    pub file: views::run_file::FileOf<Paxos, Command<Paxos>>,
    /// What the user asked of the window (another protocol's run or lesson, side by side); the
    /// window does it after this frame.
    pub command: Option<workspace::AppCommand>,
}

/// Whether the window is a view embedded in another page (`?embed`): it then draws no menu bar.
pub fn embedded(ctx: &Context) -> bool {
    ctx.data(|d| d.get_temp::<bool>(egui::Id::unique("paxos-lab-embedded")))
        .unwrap_or(false)
}

/// Says whether the window is embedded (see `embedded`).
pub fn set_embedded(ctx: &Context, embedded: bool) {
    ctx.data_mut(|d| d.insert_temp(egui::Id::unique("paxos-lab-embedded"), embedded));
}

/// The desktop's Chinese font: the 3,755 most common characters and every one the app writes
/// (assets/fonts/make-subset.py).
#[cfg(not(target_arch = "wasm32"))]
pub const DESKTOP_CHINESE_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Subset.otf");

/// The page's Chinese font: only the characters the app and its lessons write, a fifth of the
/// desktop's, since a page loads it on every visit (`make-subset.py --page`; a test checks it
/// holds every character the sources and lessons write).
pub const PAGE_CHINESE_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Page.otf");

/// Installs egui's fonts with the Chinese font of this build.
pub fn install_fonts(ctx: &Context) {
    #[cfg(not(target_arch = "wasm32"))]
    install_fonts_with(ctx, DESKTOP_CHINESE_FONT);
    #[cfg(target_arch = "wasm32")]
    install_fonts_with(ctx, PAGE_CHINESE_FONT);
}

/// Installs egui's fonts with `chinese` after them, as the fallback for the characters they lack.
pub fn install_fonts_with(ctx: &Context, chinese: &'static [u8]) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "noto-sans-sc".into(),
        Arc::new(egui::FontData::from_static(chinese)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push("noto-sans-sc".into());
    }
    ctx.set_fonts(fonts);
}

impl PaxosApp {
    pub fn new(session: Session<Paxos>, settings: Settings) -> Self {
        let mut graph = GraphView::default();
        graph.ring = settings.ring;
        let mut file = RunFile::new(session.generation());
        file.recent = settings.recent_files.clone();
        PaxosApp {
            file,
            session,
            screen: Screen::Sandbox,
            settings,
            graph,
            spacetime: Default::default(),
            inspector: Default::default(),
            controls: ControlsView,
            settings_window: Default::default(),
            explore_window: Default::default(),
            animator: Animator::default(),
            show_help: false,
            show_legend: false,
            fixed_time: None,
            fonts_installed: false,
            command: None,
        }
    }

    /// Whether quitting would lose work: the sandbox run has changed since it was started,
    /// opened or saved. Lesson runs are rebuilt from their lesson, so they never count.
    pub fn unsaved(&self) -> bool {
        matches!(self.screen, Screen::Sandbox) && self.file.changed(self.session.generation())
    }

    /// The app on a fresh sandbox run.
    pub fn sandbox(settings: Settings) -> Self {
        PaxosApp::new(
            Session::new(Default::default(), Default::default()),
            settings,
        )
    }

    /// Opens bundled lesson `index` at `step` (from 0) in place of what showed.
    pub fn open_bundled(&mut self, index: usize, step: usize) {
        let lesson = views::lesson_panel::bundled_lessons()
            .into_iter()
            .nth(index);
        if let Some(l) = lesson
            && let Ok(mut panel) = LessonPanel::open(l, &mut self.session)
        {
            panel.enter(step, &mut self.session);
            self.graph.reset_view();
            self.screen = Screen::Lesson(Box::new(panel));
        }
    }

    /// The app on a lesson; with `source`, the file is watched and reloaded when it changes.
    pub fn on_lesson(
        lesson: crate::lesson::Lesson<Paxos>,
        step: usize,
        source: Option<std::path::PathBuf>,
        settings: Settings,
    ) -> Result<Self, String> {
        let mut app = PaxosApp::sandbox(settings);
        let mut panel = LessonPanel::open(lesson, &mut app.session)?;
        panel.enter(step, &mut app.session);
        panel.source = source;
        app.screen = Screen::Lesson(Box::new(panel));
        Ok(app)
    }

    /// For hosts that installed the fonts themselves (tests do, before the first frame).
    pub fn fonts_already_installed(mut self) -> Self {
        self.fonts_installed = true;
        self
    }

    /// What the graph drew in the last frame, for `--layout-json`.
    pub fn drawn(&self) -> Vec<paxos::graph::Drawn> {
        self.graph.drawn.clone()
    }

    pub fn palette(&self) -> Palette {
        palette_for(self.settings.dark, self.settings.color_blind)
    }

    fn anim(&mut self, t: f64) -> Anim {
        let world = self.session.world();
        self.animator
            .frame(t, world.now(), world.step(), self.session.speed)
    }

    fn run_ui_command(&mut self, c: UiCommand, ctx: &Context, out: &mut Vec<Command<Paxos>>) {
        if self.file_command(c, ctx) {
            return;
        }
        let mut look = Look::of(&self.settings);
        if shell::window_command(ctx, c, &mut look) {
            look.keep_in(&mut self.settings);
            return;
        }
        match c {
            UiCommand::Lessons => self.command = Some(workspace::AppCommand::ToLessons),
            UiCommand::CopyLink => self.command = Some(workspace::AppCommand::CopyLink),
            UiCommand::NewRun => {
                let config = self.session.config().clone();
                self.settings_window.open_with(&config, self.session.knobs);
            }
            UiCommand::CanThisBreak => self.explore_window.open_for(self.session.config()),
            c => out.extend(views::commands::on_run(c, &self.session)),
        }
    }

    fn menu_bar(&mut self, ui: &mut Ui, out: &mut Vec<Command<Paxos>>) {
        let lang = self.settings.lang;
        egui::MenuBar::new().ui(ui, |ui| {
            match views::run_file::file_menu(ui, lang, &self.file.recent, true) {
                Some(views::run_file::FileChoice::Command(c)) => {
                    let ctx = ui.ctx().clone();
                    self.run_ui_command(c, &ctx, out);
                }
                Some(views::run_file::FileChoice::Reopen(p)) => {
                    let ctx = ui.ctx().clone();
                    self.handle_file_request(FileRequest::Open(p), &ctx);
                }
                None => {}
            }
            let rules = self.rules();
            if let Some(c) = shell::run_menus(ui, lang, rules.as_deref()) {
                let ctx = ui.ctx().clone();
                self.run_ui_command(c, &ctx, out);
            }
            let mut look = Look::of(&self.settings);
            shell::preferences_bar(ui, &mut look, |ui| {
                if ui
                    .checkbox(&mut self.settings.ring, T::RingLayout.get(lang))
                    .changed()
                {
                    self.graph.ring = self.settings.ring;
                }
                ui.checkbox(&mut self.settings.show_diagram, T::ShowDiagram.get(lang));
                ui.checkbox(
                    &mut self.settings.show_inspector,
                    T::ShowInspector.get(lang),
                );
                ui.separator();
                if ui.button(T::KeyboardHelp.get(lang)).clicked() {
                    self.show_help = true;
                    ui.close();
                }
                if ui.button(T::Legend.get(lang)).clicked() {
                    self.show_legend = true;
                    ui.close();
                }
                ui.separator();
            });
            look.keep_in(&mut self.settings);
        });
    }

    /// Draws the whole app into `ui` and applies what the views asked for.
    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if !self.fonts_installed {
            install_fonts(&ctx);
            self.fonts_installed = true;
        }
        let t = self.fixed_time.unwrap_or_else(|| ctx.input(|i| i.time));
        let presenter = self.settings.presenter;
        set_look(&ctx, self.settings.zoom, self.settings.dark, presenter);

        let mut out = Vec::new();
        self.lesson_keys(&ctx);
        for c in UiCommand::pressed(&ctx) {
            self.run_ui_command(c, &ctx, &mut out);
        }
        // Auto-play: one step per 1/speed seconds, after the last step's transition.
        if self
            .animator
            .auto_step_due(t, self.session.playing, self.session.speed)
        {
            out.push(Command::StepForward);
        }
        self.apply(out);
        self.session.refresh_spans();

        self.file_frame(&ctx, "Paxos");

        let anim = self.anim(t);
        let palette = self.palette();
        let lang = self.settings.lang;
        let mut out = Vec::new();
        if !embedded(&ctx) {
            egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui, &mut out));
        }
        let mut lesson_out = Vec::new();
        let highlight = match &self.screen {
            Screen::Lesson(panel) if !panel.sandbox => panel.named_nodes(self.settings.lang),
            _ => Vec::new(),
        };
        let rules = self.rules();
        {
            let f = Frame {
                session: &self.session,
                lang,
                palette,
                anim,
                text_scale: if presenter { 1.25 } else { 1.0 },
                highlight: &highlight,
                controls: rules.as_deref(),
                hide_future: matches!(&self.screen, Screen::Lesson(p) if !p.sandbox),
            };
            egui::Panel::top("controls").show(ui, |ui| self.controls.ui(ui, &f, &mut out));
            egui::Panel::bottom("safety").show(ui, |ui| {
                safety_bar(ui, &f, &mut out);
                if let Some(n) = &f.session.notice {
                    let text = match n {
                        Notice::Refused(why) => i18n::fill(f.tr(T::Refused), &[why]),
                        Notice::RunEnded => f.tr(T::RunEnded).to_string(),
                        Notice::Forked => f.tr(T::Forked).to_string(),
                    };
                    ui.label(egui::RichText::new(text).italics());
                }
                if let Some((error, text)) = &self.file.status {
                    if *error {
                        ui.colored_label(ui.visuals().error_fg_color, text);
                    } else {
                        ui.label(egui::RichText::new(text).italics());
                    }
                }
            });
            if let Screen::Lesson(panel) = &mut self.screen {
                egui::Panel::left("lesson")
                    .resizable(true)
                    .default_size(340.0)
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical().show(ui, |ui| {
                            let look = views::lesson_panel::PanelLook {
                                lang: f.lang,
                                palette: f.palette,
                                text_scale: f.text_scale,
                            };
                            panel.ui(ui, &look, &mut lesson_out)
                        });
                    });
            }
            if self.settings.show_diagram && !presenter {
                egui::Panel::bottom("spacetime")
                    .resizable(true)
                    .default_size(170.0)
                    .size_range(140.0..=360.0)
                    .show(ui, |ui| self.spacetime.ui(ui, &f, &mut out));
            }
            if self.settings.show_inspector && (!presenter || f.session.selection.is_some()) {
                egui::Panel::right("inspector")
                    .resizable(true)
                    .default_size(290.0)
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical()
                            .show(ui, |ui| self.inspector.ui(ui, &f, &mut out));
                    });
            }
            egui::CentralPanel::default().show(ui, |ui| self.graph.ui(ui, &f, &mut out));
            if self.settings_window.open {
                self.settings_window.ui(&ctx, &f, &mut out);
                if let Some(c) = self.settings_window.requested.take() {
                    self.command = Some(c);
                }
            }
            if self.explore_window.open {
                self.explore_window.ui(&ctx, &f, &mut out);
            }
            if self.show_legend {
                let mut open = true;
                egui::Window::new(f.tr(T::Legend))
                    .open(&mut open)
                    .resizable(false)
                    .show(&ctx, |ui| paxos::graph::legend_ui(ui, &f));
                self.show_legend = open;
            }
            if self.show_help {
                let mut open = true;
                egui::Window::new(f.tr(T::KeyboardHelp))
                    .open(&mut open)
                    .show(&ctx, |ui| {
                        for k in [
                            T::KeysPlay,
                            T::KeysStep,
                            T::KeysHomeEnd,
                            T::KeysSelected,
                            T::KeysView,
                        ] {
                            ui.label(f.tr(k));
                        }
                    });
                self.show_help = open;
            }
        }
        // A view opening another run, or starting a new one, over unsaved work asks first.
        let (fresh, rest): (Vec<Command<Paxos>>, Vec<Command<Paxos>>) = out
            .into_iter()
            .partition(|c| matches!(c, Command::Open(_) | Command::NewRun(..)));
        self.apply(rest);
        if let Some(c) = fresh.into_iter().last() {
            self.replace(c);
        }
        for c in lesson_out {
            if c == LessonCommand::OpenOwnRun {
                let own = match &self.screen {
                    Screen::Lesson(panel) => panel.own_run_trace(),
                    _ => None,
                };
                if let Some(trace) = own {
                    self.apply(vec![Command::Open(Box::new(trace))]);
                }
                continue;
            }
            if c == LessonCommand::Leave {
                self.command = Some(workspace::AppCommand::ToLessons);
                continue;
            }
            if let Screen::Lesson(panel) = &mut self.screen {
                panel.apply(c, &mut self.session);
            }
        }
        if let Screen::Lesson(panel) = &mut self.screen {
            panel.refresh_facts(&self.session);
            remember_progress(&mut self.settings, workspace::progress_of(panel));
            if panel.observe(&self.session) {
                self.settings.solved_exercises.insert(format!(
                    "{}#{}",
                    panel.lesson.id,
                    panel.step + 1
                ));
            }
            if panel.reload_if_changed(&mut self.session) {
                ctx.request_repaint();
            }
            if panel.watches_file() {
                // Authors edit the file beside the app: look again in a second.
                ctx.request_repaint_after(std::time::Duration::from_secs(1));
            }
            if panel.complete() {
                self.settings.completed.insert(panel.lesson.id.clone());
            }
        }

        let moving = self.session.playing || anim.progress < 1.0;
        if moving && self.fixed_time.is_none() {
            ctx.request_repaint();
        }
    }

    /// A presentation clicker drives the lesson: PageDown / PageUp are Next / Back, and so are
    /// → / ← outside exercises (where the arrows still step through the student's own run).
    fn lesson_keys(&mut self, ctx: &Context) {
        let Screen::Lesson(panel) = &mut self.screen else {
            return;
        };
        if panel.sandbox || ctx.egui_wants_keyboard_input() {
            return;
        }
        let arrows = panel.controls().is_none();
        let (next, back) = ctx.input_mut(|i| {
            let none = egui::Modifiers::NONE;
            let next = i.consume_key(none, egui::Key::PageDown)
                || (arrows && i.consume_key(none, egui::Key::ArrowRight));
            let back = i.consume_key(none, egui::Key::PageUp)
                || (arrows && i.consume_key(none, egui::Key::ArrowLeft));
            (next, back)
        });
        if next {
            panel.apply(LessonCommand::Next, &mut self.session);
        }
        if back {
            panel.apply(LessonCommand::Back, &mut self.session);
        }
    }

    /// The kinds of action the current exercise allows, if an exercise is open.
    fn rules(&self) -> Option<Vec<crate::lesson::Control>> {
        match &self.screen {
            Screen::Lesson(panel) => panel.controls().map(<[_]>::to_vec),
            _ => None,
        }
    }

    /// Applies the views' commands in order. During an exercise, an action its controls do not
    /// allow, and auto-play past the end of the run, are refused with a notice: however a
    /// command was given (button, menu, key), the rules hold.
    pub fn apply(&mut self, commands: Vec<Command<Paxos>>) {
        let rules = self.rules();
        for c in commands {
            if let Some(controls) = &rules {
                let at_end = self.session.position() >= self.session.len();
                let refusal = match &c {
                    Command::Act(a) if !controls.iter().any(|k| k.allows(a)) => {
                        Some(not_allowed(self.settings.lang, controls))
                    }
                    Command::StepForward if at_end => {
                        Some(T::ActYourself.get(self.settings.lang).to_string())
                    }
                    Command::TogglePlay | Command::SetPlaying(true)
                        if at_end && !self.session.playing =>
                    {
                        Some(T::ActYourself.get(self.settings.lang).to_string())
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
                self.graph.reset_view();
                // A new or opened run ends the lesson: its narration belongs to its own run.
                if matches!(self.screen, Screen::Lesson(_)) {
                    self.screen = Screen::Sandbox;
                }
            }
            self.session.apply(c);
            if fresh {
                // A new or opened run is not unsaved work, and it is no longer the file's run.
                self.file.fresh(self.session.generation());
            }
        }
    }
}

/// The Paxos app's run and its file: a lesson or a run opens in place of the sandbox's run.
impl HoldsRun for PaxosApp {
    type P = Paxos;
    type Body = Command<Paxos>;
    fn parts(&mut self) -> views::run_file::RunAndFile<'_, Paxos, Self::Body> {
        (&self.session, &mut self.file)
    }
    fn file(&self) -> &views::run_file::FileOf<Paxos, Self::Body> {
        &self.file
    }
    fn unsaved(&self) -> bool {
        PaxosApp::unsaved(self)
    }
    fn look(&self) -> Look {
        Look::of(&self.settings)
    }
    fn file_stem(&self) -> String {
        "run".into()
    }
    fn show_lesson(
        &mut self,
        lesson: crate::lesson::Lesson<Paxos>,
        source: &std::path::Path,
    ) -> Result<(), String> {
        let mut panel = LessonPanel::open(lesson, &mut self.session)?;
        panel.source = Some(source.to_path_buf());
        self.graph.reset_view();
        self.screen = Screen::Lesson(Box::new(panel));
        Ok(())
    }
    fn show_run(&mut self, trace: Box<crate::trace::Trace<Paxos>>) -> Result<(), String> {
        self.apply(vec![Command::Open(trace)]);
        if let Some(Notice::Refused(why)) = &self.session.notice {
            return Err(why.clone());
        }
        self.screen = Screen::Sandbox;
        Ok(())
    }
    fn go_on_body(&mut self, what: Command<Paxos>) {
        self.apply(vec![what]);
    }
    fn open_elsewhere(&mut self, path: &std::path::Path) {
        self.command = Some(workspace::AppCommand::OpenFile(path.to_path_buf()));
    }
    fn leaving_drops_run(&self) -> bool {
        // The sandbox's run waits aside while another protocol's body shows.
        false
    }
}

/// The Paxos app as the window shows it: Paxos's lessons and sandbox, one body among the others.
/// It holds the whole of the window's preferences while it shows (its lessons keep their
/// progress there) and gives them back when it leaves.
impl workspace::Body for PaxosApp {
    fn protocol(&self) -> Option<crate::trace::Protocol> {
        Some(crate::trace::Protocol::Paxos)
    }
    fn ui(&mut self, ui: &mut Ui) {
        PaxosApp::ui(self, ui)
    }
    fn dress(&mut self, settings: &Settings, fixed_time: Option<f64>) {
        self.settings = settings.clone();
        self.graph.ring = settings.ring;
        self.file.recent = settings.recent_files.clone();
        self.fixed_time = fixed_time;
    }
    fn keep_layout(&self, settings: &mut Settings) {
        *settings = self.settings.clone();
        settings.recent_files = self.file.recent.clone();
    }
    fn take_command(&mut self) -> Option<workspace::AppCommand> {
        self.command.take()
    }
    fn take_completed(&mut self) -> Vec<String> {
        // Kept in its preferences as they happen (see `keep_layout`).
        Vec::new()
    }
    fn lesson_progress(&self) -> Option<(String, usize, bool)> {
        None
    }
    fn link(&self) -> Option<crate::link::Link> {
        let lesson = match &self.screen {
            Screen::Lesson(panel) => Some(panel.as_ref()),
            Screen::Sandbox => None,
        };
        Some(workspace::link_of(lesson, &self.session))
    }
    fn run_state(&self) -> Option<(u64, u64)> {
        Some((self.session.len(), self.session.world().state_hash()))
    }
    fn look(&self) -> Look {
        Look::of(&self.settings)
    }
    fn quiet(&self) -> bool {
        !self.unsaved() && !self.file.quit_confirmed
    }
    fn drawn(&self) -> Vec<paxos::graph::Drawn> {
        PaxosApp::drawn(self)
    }
    fn let_close(&mut self) {
        self.file.quit_confirmed = true;
    }
    fn opened(&mut self, path: &std::path::Path) {
        let generation = self.session.generation();
        let lang = self.settings.lang;
        match self.screen {
            Screen::Lesson(_) => self.file.adopt_lesson(path, generation, lang),
            Screen::Sandbox => self.file.adopt(path, generation, T::Opened, lang),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

/// The window's zoom and colours: presenter mode is larger (1.4x) and in high contrast for
/// projectors (pure backgrounds, stronger lines). Only what changed is set.
/// How much presenter mode enlarges everything.
pub const PRESENTER_ZOOM: f32 = 1.4;

pub(crate) fn set_look(ctx: &Context, zoom: f32, dark: bool, presenter: bool) {
    let zoom = zoom * if presenter { PRESENTER_ZOOM } else { 1.0 };
    if (ctx.zoom_factor() - zoom).abs() > 1e-3 {
        ctx.set_zoom_factor(zoom);
    }
    let mut visuals = if dark {
        egui::Visuals::dark()
    } else {
        egui::Visuals::light()
    };
    if presenter {
        let (background, text) = if dark {
            (egui::Color32::BLACK, egui::Color32::WHITE)
        } else {
            (egui::Color32::WHITE, egui::Color32::BLACK)
        };
        visuals.panel_fill = background;
        visuals.widgets.noninteractive.fg_stroke.width = 1.5;
        visuals.override_text_color = Some(text);
    }
    if ctx.global_style().visuals != visuals {
        ctx.set_visuals(visuals);
    }
    // A lecture hall: with the zoom, body text at least 24 px tall (17.5 points at 1.4).
    // egui's own sizes, read once; the styles are rebuilt only when the body size is off.
    static DEFAULT_TEXT: std::sync::OnceLock<
        std::collections::BTreeMap<egui::TextStyle, egui::FontId>,
    > = std::sync::OnceLock::new();
    let defaults = DEFAULT_TEXT.get_or_init(|| egui::Style::default().text_styles);
    let scale = if presenter { PRESENTER_TEXT } else { 1.0 };
    let body = |styles: &std::collections::BTreeMap<egui::TextStyle, egui::FontId>| {
        styles.get(&egui::TextStyle::Body).map(|f| f.size)
    };
    let wanted = body(defaults).map(|b| b * scale);
    if body(&ctx.global_style().text_styles) != wanted {
        let text_styles: std::collections::BTreeMap<_, _> = defaults
            .iter()
            .map(|(style, font)| {
                (
                    style.clone(),
                    egui::FontId::new(font.size * scale, font.family.clone()),
                )
            })
            .collect();
        ctx.all_styles_mut(|s| s.text_styles = text_styles.clone());
    }
}

/// How much larger presenter mode makes text, on top of its zoom.
pub const PRESENTER_TEXT: f32 = 1.4;

/// Encodes an egui image as PNG and writes it atomically.
pub fn save_png(path: &std::path::Path, img: &egui::ColorImage) -> Result<(), String> {
    let png = views::render::png_bytes(img)?;
    crate::fsutil::atomic_write(path, &png).map_err(|e| format!("{}: {e}", path.display()))
}

/// The window, the one shell: the lesson picker (its start screen), the Paxos app (Paxos's
/// lessons and sandbox), or a body shown in their place (a store protocol's workspace, or the
/// side-by-side view) behind one trait. It applies what they ask (one command type, once a
/// frame), keeps the preferences, and takes the screenshot a `--screenshot` run asks for. The
/// Paxos app is kept while something else shows, so going back finds it as it was.
pub struct LabApp {
    /// The window's preferences. The view showing holds a copy while it shows (the user may
    /// change them there) and gives it back when it leaves.
    pub settings: Settings,
    pub paxos: PaxosApp,
    /// What the window shows in place of the Paxos app, if anything.
    pub body: Option<Box<dyn workspace::Body>>,
    pub picker: picker::Picker,
    /// The picker shows (over the Paxos app and any body).
    pub on_picker: bool,
    screenshot: Option<ScreenshotPlan>,
    /// Whether the preferences are saved on the way out (a screenshot run leaves them alone).
    persist: bool,
    /// A notice in the window's corner, and when it appeared (egui's clock).
    notice: Option<(String, f64)>,
    /// The last link "Copy link" put on the clipboard.
    pub copied: Option<String>,
}

/// Keeps where the student is in a lesson, to resume it there from the picker; a lesson done
/// (complete, or past its last step) is forgotten.
fn remember_progress(settings: &mut Settings, (id, step, done): (String, usize, bool)) {
    if done {
        settings.lesson_steps.remove(&id);
    } else if settings.lesson_steps.get(&id) != Some(&step) {
        settings.lesson_steps.insert(id, step);
    }
}

impl LabApp {
    /// The window on the Paxos app as it is.
    pub fn new(paxos: PaxosApp) -> Self {
        LabApp {
            settings: paxos.settings.clone(),
            paxos,
            body: None,
            picker: picker::Picker::default(),
            on_picker: false,
            screenshot: None,
            persist: true,
            notice: None,
            copied: None,
        }
    }

    /// The window on its start screen, the lesson picker.
    pub fn picker(settings: Settings) -> Self {
        let mut lab = LabApp::new(PaxosApp::sandbox(settings));
        lab.on_picker = true;
        lab
    }

    /// Saves a screenshot to `path` after a few frames (and, with `layout`, what the frame drew
    /// as JSON), then closes the window; the outcome lands in `result`. The user's preferences
    /// are left alone.
    pub fn screenshot_then_quit(
        &mut self,
        path: std::path::PathBuf,
        layout: Option<std::path::PathBuf>,
        result: ScreenshotResult,
    ) {
        let mut plan = ScreenshotPlan::new(path, result);
        plan.layout = layout;
        self.screenshot = Some(plan);
        self.persist = false;
    }

    /// The window on `start` (the lesson picker when `None`), as `paxos-lab gui` and a link
    /// open it.
    pub fn open(start: Option<Start>, settings: Settings) -> Result<LabApp, String> {
        // A body other than the Paxos app opens in its place.
        let (body, start) = match start {
            Some(Start::Compare(script, round)) => {
                let mut c = compare::CompareView::new(Some(*script), settings.lang)?;
                c.seek(round);
                (Some(Box::new(c) as Box<dyn workspace::Body>), None)
            }
            Some(Start::Workspace(make)) => (Some(make(settings.lang)?), None),
            other => (None, other),
        };
        let mut lab = match start {
            None => LabApp::picker(settings),
            Some(Start::Sandbox(session, document)) => {
                let mut app = PaxosApp::new(*session, settings);
                app.file.document = document;
                LabApp::new(app)
            }
            Some(Start::Lesson(lesson, step, source)) => {
                LabApp::new(PaxosApp::on_lesson(*lesson, step, source, settings)?)
            }
            // Made above.
            Some(Start::Workspace(_) | Start::Compare(..)) => {
                LabApp::new(PaxosApp::sandbox(settings))
            }
        };
        if let Some(body) = body {
            lab.on_picker = false;
            lab.show(body);
        }
        Ok(lab)
    }

    /// The open workspace, if it is protocol `P`'s.
    pub fn store<P: store::app::StoreWorkspace>(&self) -> Option<&store::app::StoreApp<P>> {
        self.body.as_ref()?.as_any().downcast_ref()
    }

    pub fn store_mut<P: store::app::StoreWorkspace>(
        &mut self,
    ) -> Option<&mut store::app::StoreApp<P>> {
        self.body.as_mut()?.as_any_mut().downcast_mut()
    }

    /// The side-by-side view, if it shows.
    pub fn compare(&self) -> Option<&compare::CompareView> {
        self.body.as_ref()?.as_any().downcast_ref()
    }

    /// What shows, as a body (none: the picker).
    fn current(&mut self) -> Option<&mut dyn workspace::Body> {
        if self.on_picker {
            return None;
        }
        Some(match &mut self.body {
            Some(b) => b.as_mut(),
            None => &mut self.paxos,
        })
    }

    /// Takes back the preferences from what shows (its panes, its look, the recent files), to
    /// find them again next time and hand them to what shows next.
    fn keep_layouts(&mut self) {
        let mut settings = std::mem::take(&mut self.settings);
        if let Some(current) = self.current() {
            current.keep_layout(&mut settings);
        }
        self.settings = settings;
    }

    /// Shows `body` in place of whatever showed.
    fn show(&mut self, mut body: Box<dyn workspace::Body>) {
        self.keep_layouts();
        body.dress(&self.settings, self.paxos.fixed_time);
        self.body = Some(body);
        self.on_picker = false;
    }

    /// Leaves what shows for the picker.
    fn show_picker(&mut self) {
        self.keep_layouts();
        self.body = None;
        self.on_picker = true;
    }

    /// The Paxos app, in place of whatever showed.
    fn show_paxos(&mut self) {
        self.keep_layouts();
        self.body = None;
        self.on_picker = false;
        let fixed_time = self.paxos.fixed_time;
        workspace::Body::dress(&mut self.paxos, &self.settings, fixed_time);
    }

    /// The link of what shows, in the language shown.
    pub fn link(&mut self) -> Option<crate::link::Link> {
        let lang = self.shown_lang();
        let mut link = match self.current() {
            None => Some(crate::link::Link::new(crate::link::Target::Picker)),
            Some(body) => body.link(),
        };
        if let Some(l) = &mut link {
            l.lang = Some(lang);
        }
        link
    }

    /// What the page's `#state` says of what shows, `link` being its link (`link::state_json`),
    /// with its run's length and state hash when one run shows.
    pub fn state_json(&mut self, link: &crate::link::Link) -> serde_json::Value {
        let lang = self.shown_lang();
        let run = self.current().and_then(|b| b.run_state());
        crate::link::state_json(link, lang, run)
    }

    /// Whether anything shown or kept aside has work not yet saved.
    pub fn has_unsaved_work(&mut self) -> bool {
        self.paxos.unsaved() || self.body.as_ref().is_some_and(|b| !b.quiet())
    }

    /// The language of what shows: the body's own, or the app's on the picker.
    fn shown_lang(&mut self) -> Lang {
        let lang = self.settings.lang;
        self.current().map_or(lang, |b| b.look().lang)
    }

    /// Puts the link of what shows on the clipboard, and says so (or why there is none).
    fn copy_link(&mut self, ctx: &Context) {
        let lang = self.shown_lang();
        let now = ctx.input(|i| i.time);
        self.notice = Some(match self.link() {
            Some(link) => {
                let text = link.fragment();
                ctx.copy_text(text.clone());
                self.copied = Some(text);
                (T::LinkCopied.get(lang).to_string(), now)
            }
            None => (T::NoLink.get(lang).to_string(), now),
        });
    }

    /// A short notice in the window's corner (a link copied), for a few seconds.
    fn show_notice(&mut self, ctx: &Context) {
        const SHOWN_FOR: f64 = 4.0;
        let Some((text, since)) = &self.notice else {
            return;
        };
        let left = SHOWN_FOR - (ctx.input(|i| i.time) - since);
        if left <= 0.0 {
            self.notice = None;
            return;
        }
        egui::Area::new(egui::Id::unique("notice"))
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-16.0, -48.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(420.0);
                    ui.label(text.as_str());
                });
            });
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(left));
    }

    /// Back to the picker, saying why a file did not open.
    fn refuse(&mut self, why: String) {
        self.show_picker();
        self.picker.status = Some((true, why));
    }

    /// Does what a body asked of the window.
    fn apply(&mut self, command: workspace::AppCommand, ctx: &Context) {
        use workspace::AppCommand;
        ctx.request_repaint();
        match command {
            AppCommand::ToLessons => self.show_picker(),
            AppCommand::CopyLink => self.copy_link(ctx),
            AppCommand::Compare => match compare::CompareView::new(None, self.settings.lang) {
                Ok(c) => self.show(Box::new(c)),
                Err(e) => self.refuse(e),
            },
            AppCommand::Lesson(crate::trace::Protocol::Paxos, index, step) => {
                self.show_paxos();
                self.paxos.open_bundled(index, step);
            }
            AppCommand::OpenFile(path) => match workspace::open_file(&path) {
                Ok(Start::Workspace(make)) => match make(self.settings.lang) {
                    Ok(body) => {
                        self.show(body);
                        if let Some(b) = &mut self.body {
                            b.opened(&path);
                        }
                    }
                    Err(e) => self.refuse(e),
                },
                // A Paxos file: the Paxos app opens it, asking first if its own run (kept
                // aside while something else showed) is unsaved.
                Ok(_) => {
                    self.show_paxos();
                    self.paxos.handle_file_request(FileRequest::Open(path), ctx);
                }
                Err(e) => self.refuse(e),
            },
            command => match workspace::open(&command, self.settings.lang) {
                Some(Ok(w)) => self.show(w),
                Some(Err(e)) => self.refuse(e),
                // Paxos: the Paxos app's own sandbox.
                None => {
                    self.show_paxos();
                    self.paxos.screen = Screen::Sandbox;
                }
            },
        }
    }

    pub fn ui(&mut self, ui: &mut Ui) {
        if !self.paxos.fonts_installed {
            install_fonts(ui.ctx());
            self.paxos.fonts_installed = true;
        }
        // Closing from a body while the Paxos sandbox (kept aside) has unsaved work: back to
        // that run, whose own question comes next. The body's run has nothing unsaved, or its
        // own question would have come first.
        let closing = ui.ctx().input(|i| i.viewport().close_requested());
        let aside = self.on_picker || self.body.as_ref().is_some_and(|b| b.quiet());
        if closing && aside && self.paxos.unsaved() && !self.paxos.file.quit_confirmed {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.show_paxos();
            self.paxos.file.quit_prompt = true;
        }
        let mut command = None;
        if self.on_picker {
            command = self.picker.ui(ui, &mut self.settings);
        } else if let Some(current) = self.current() {
            current.ui(ui);
        }
        // Whatever a body asked for takes effect after it drew, so each frame draws one body
        // whole.
        let mut settings = std::mem::take(&mut self.settings);
        if let Some(current) = self.current() {
            for id in current.take_completed() {
                settings.completed.insert(id);
            }
            if let Some(progress) = current.lesson_progress() {
                remember_progress(&mut settings, progress);
            }
            if let Some(c) = current.take_command() {
                command = Some(c);
            }
        }
        self.settings = settings;
        self.screenshot_step(ui.ctx());
        if let Some(c) = command {
            self.apply(c, ui.ctx());
        }
        self.show_notice(ui.ctx());
    }

    /// One frame of a `--screenshot` run, over whatever shows.
    fn screenshot_step(&mut self, ctx: &Context) {
        let Some(plan) = &mut self.screenshot else {
            return;
        };
        let (body, paxos, on_picker) = (&self.body, &self.paxos, self.on_picker);
        let drawn = || {
            let drawn = match body {
                _ if on_picker => Vec::new(),
                Some(b) => b.drawn(),
                None => workspace::Body::drawn(paxos),
            };
            serde_json::to_string_pretty(&drawn).unwrap_or_default()
        };
        if plan.step(ctx, &drawn) {
            // The window closes without asking anything.
            self.paxos.file.quit_confirmed = true;
            if let Some(b) = &mut self.body {
                b.let_close();
            }
        }
    }
}

impl eframe::App for LabApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        LabApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.keep_layouts();
        // A screenshot run leaves the user's preferences alone.
        if self.persist {
            eframe::set_value(storage, eframe::APP_KEY, &self.settings);
        }
    }
}

/// A start other than the lesson picker.
pub enum Start {
    /// A Paxos run, and the trace file it came from (File > Save writes back there).
    Sandbox(Box<Session<Paxos>>, Option<std::path::PathBuf>),
    /// A Paxos lesson, at a step (from 0), and the file it came from.
    Lesson(
        Box<crate::lesson::Lesson<Paxos>>,
        usize,
        Option<std::path::PathBuf>,
    ),
    /// A store protocol's workspace (a run or a lesson), made once the window knows its
    /// language.
    Workspace(workspace::MakeWorkspace),
    /// Multi-Paxos and Raft side by side on a fault script, at a round.
    Compare(Box<crate::compare::Script>, u64),
}

/// What a link opens: `None` for the lesson picker.
pub fn start_of_link(link: &crate::link::Link) -> Result<Option<Start>, String> {
    use crate::link::Target;
    Ok(match &link.target {
        Target::Picker => None,
        Target::Lesson {
            protocol,
            index,
            step,
        } => Some(crate::with_protocol!(*protocol, P => {
            let (name, text) = <P as crate::lesson::Teach>::BUNDLED[*index];
            let lesson = crate::lesson::parse_as::<P>(std::path::Path::new(name), text)
                .map_err(|e| e.to_string())?;
            <P as workspace::Shown>::open_lesson(lesson, step - 1, None)
        })),
        Target::Run {
            protocol,
            trace,
            at,
        } => Some(crate::with_protocol!(*protocol, P => {
            let session = crate::link::open_run::<P>(trace, *at)?;
            <P as workspace::Shown>::open_run(session, None)
        })),
        Target::Compare {
            index,
            round,
            pre_vote,
            check_quorum,
        } => {
            let mut script = compare::bundled_scripts()
                .into_iter()
                .nth(*index)
                .ok_or("no such fault script")?;
            script.pre_vote |= pre_vote;
            script.check_quorum |= check_quorum;
            Some(Start::Compare(Box::new(script), *round))
        }
    })
}

/// Paxos's runs and lessons open in the Paxos app, whose settings window is its own.
impl workspace::Shown for Paxos {
    fn choice_name() -> T {
        T::ProtocolPaxos
    }
    fn sandbox_button() -> T {
        T::OpenSandbox
    }
    fn lessons_heading() -> T {
        T::ChooseLesson
    }
    fn bundled() -> &'static [(&'static str, &'static str)] {
        views::lesson_panel::BUNDLED
    }
    fn run_settings() -> Option<Box<dyn workspace::RunSettings>> {
        None
    }
    fn open_run(session: Session<Paxos>, document: Option<std::path::PathBuf>) -> Start {
        Start::Sandbox(Box::new(session), document)
    }
    fn open_lesson(
        lesson: crate::lesson::Lesson<Paxos>,
        step: usize,
        source: Option<std::path::PathBuf>,
    ) -> Start {
        Start::Lesson(Box::new(lesson), step, source)
    }
}

/// What `paxos-lab gui` was asked to open.
pub struct GuiOptions {
    /// What to show first: `None` for the lesson picker.
    pub start: Option<Start>,
    pub lang: Option<Lang>,
    pub presenter: bool,
    pub screenshot: Option<std::path::PathBuf>,
    /// The window size asked for; `None`: as last time (or 1280x800).
    pub size: Option<(f32, f32)>,
    /// With a screenshot: where to write the graph's drawn rectangles as JSON.
    pub layout_json: Option<std::path::PathBuf>,
}

/// Opens the app window; returns once it closes.
#[cfg(not(target_arch = "wasm32"))]
pub fn run(opts: GuiOptions) -> Result<(), String> {
    let GuiOptions {
        start,
        lang,
        presenter,
        screenshot,
        size,
        layout_json,
    } = opts;
    let (w, h) = size.unwrap_or((1280.0, 800.0));
    let viewport = egui::ViewportBuilder::default()
        .with_title("paxos-lab")
        .with_inner_size([w, h])
        .with_min_inner_size([800.0, 500.0]);
    // A screenshot (or layout) run starts from defaults and leaves the user's saved state alone:
    // eframe reads and writes its storage in a folder of the run's own, removed afterwards.
    let scratch_storage =
        match &screenshot {
            Some(_) => Some(tempfile::tempdir().map_err(|e| {
                format!("cannot make a temporary folder for the screenshot run: {e}")
            })?),
            None => None,
        };
    let options = eframe::NativeOptions {
        viewport,
        // A size asked for on the command line wins over the one the window had last time.
        persist_window: size.is_none() && screenshot.is_none(),
        persistence_path: scratch_storage
            .as_ref()
            .map(|d| d.path().join("screenshot-run.ron")),
        ..Default::default()
    };
    let result = ScreenshotResult::default();
    let shot = screenshot.clone();
    let slot = Arc::clone(&result);
    eframe::run_native(
        "paxos-lab",
        options,
        Box::new(move |cc| {
            install_fonts(&cc.egui_ctx);
            let shooting = screenshot.is_some();
            // A screenshot shows the requested state, not whatever this machine last used.
            let mut settings: Settings = match cc.storage {
                Some(s) if !shooting => eframe::get_value(s, eframe::APP_KEY).unwrap_or_default(),
                _ => Settings::default(),
            };
            if let Some(l) = lang {
                settings.lang = l;
            }
            settings.presenter |= presenter;
            // eframe restores the last window size even when it is told not to save one, so a
            // size given on the command line is asked for again once the window exists.
            if let Some((w, h)) = size {
                // In points, which presenter mode's zoom enlarges: the size asked for is pixels.
                let zoom = if settings.presenter {
                    PRESENTER_ZOOM
                } else {
                    1.0
                };
                cc.egui_ctx
                    .send_viewport_cmd(egui::ViewportCommand::InnerSize(egui::vec2(w, h) / zoom));
            }
            let mut lab = LabApp::open(start, settings)?;
            lab.paxos.fonts_installed = true;
            if let Some(p) = screenshot {
                lab.screenshot_then_quit(p, layout_json, slot);
            }
            Ok(Box::new(lab) as Box<dyn eframe::App>)
        }),
    )
    .map_err(|e| e.to_string())?;
    if shot.is_none() {
        return Ok(());
    }
    let outcome = result.lock().ok().and_then(|r| r.clone());
    outcome.unwrap_or_else(|| Err("the window closed before the screenshot was taken".into()))
}
