//! How the window reaches a protocol without naming it: what each protocol registers for the
//! window (`Shown`: its names in the pickers, its bundled lessons, where its runs open), the
//! store workspaces behind one object-safe trait (`Body`, which the side-by-side view also implements), new-run settings whatever the
//! protocol (`RunSettings`), and the one command type bodies hand the window (`AppCommand`),
//! applied once a frame after the body has drawn.

use std::any::Any;
use std::path::PathBuf;

use egui::Ui;

use super::Settings;
use super::i18n::{Lang, T};
use super::store::app::{StoreApp, StoreWorkspace};
use super::store::settings::StoreSettings;
use super::views::lesson_panel::LessonPanel;
use crate::lesson::{Lesson, Teach};
use crate::palette::Palette;
use crate::session::Session;
use crate::trace::Protocol;

/// What a body (the Paxos app, a store workspace, the side-by-side view) asks of the window.
pub enum AppCommand {
    /// A fresh sandbox of the protocol, with its default settings.
    Sandbox(Protocol),
    /// A fresh run of these settings, in its protocol's workspace.
    NewRun(Box<dyn RunSettings>),
    /// A bundled lesson of a store protocol: its place on the protocol's shelf, and the step.
    Lesson(Protocol, usize, usize),
    /// Multi-Paxos and Raft side by side.
    Compare,
    /// Back to the lesson picker.
    ToLessons,
    /// The link of what shows, to the clipboard.
    CopyLink,
    /// A lesson or trace file of any protocol, in its protocol's body (checked already by the
    /// body that asked, read again here).
    OpenFile(PathBuf),
}

impl Clone for AppCommand {
    fn clone(&self) -> Self {
        match self {
            AppCommand::Sandbox(p) => AppCommand::Sandbox(*p),
            AppCommand::NewRun(s) => AppCommand::NewRun(s.boxed_clone()),
            AppCommand::Lesson(p, i, s) => AppCommand::Lesson(*p, *i, *s),
            AppCommand::Compare => AppCommand::Compare,
            AppCommand::ToLessons => AppCommand::ToLessons,
            AppCommand::CopyLink => AppCommand::CopyLink,
            AppCommand::OpenFile(p) => AppCommand::OpenFile(p.clone()),
        }
    }
}

impl std::fmt::Debug for AppCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            AppCommand::Sandbox(p) => write!(f, "Sandbox({})", p.name()),
            AppCommand::NewRun(s) => write!(f, "NewRun({})", s.protocol().name()),
            AppCommand::Lesson(p, i, s) => write!(f, "Lesson({}, {i}, {s})", p.name()),
            AppCommand::Compare => f.write_str("Compare"),
            AppCommand::ToLessons => f.write_str("ToLessons"),
            AppCommand::CopyLink => f.write_str("CopyLink"),
            AppCommand::OpenFile(p) => write!(f, "OpenFile({})", p.display()),
        }
    }
}

impl AppCommand {
    /// The protocol whose run the command opens, if it opens one.
    pub fn protocol(&self) -> Option<Protocol> {
        match self {
            AppCommand::Sandbox(p) | AppCommand::Lesson(p, ..) => Some(*p),
            AppCommand::NewRun(s) => Some(s.protocol()),
            AppCommand::Compare
            | AppCommand::ToLessons
            | AppCommand::CopyLink
            | AppCommand::OpenFile(_) => None,
        }
    }
}

/// A store protocol's workspace as the window holds it.
pub trait Body {
    /// The protocol it shows (none: the side-by-side view shows two).
    fn protocol(&self) -> Option<Protocol>;
    fn ui(&mut self, ui: &mut Ui);
    /// Takes on the window's preferences (presenter mode, theme, this protocol's panes) and
    /// clock.
    fn dress(&mut self, settings: &Settings, fixed_time: Option<f64>);
    /// Gives back the preferences as it leaves them: its panes, its look (the user may change
    /// it there), the window's recent files.
    fn keep_layout(&self, settings: &mut Settings);
    /// What it asked of the window since the last frame.
    fn take_command(&mut self) -> Option<AppCommand>;
    /// Lessons completed since the last frame.
    fn take_completed(&mut self) -> Vec<String>;
    /// The lesson being taught: its id, its step, and whether it is done (complete, or past its
    /// last step, or opened as a sandbox).
    fn lesson_progress(&self) -> Option<(String, usize, bool)>;
    /// The link that reopens what shows: a bundled lesson at its step, or the run at its step;
    /// `None` when there is none (a fault script that is not bundled).
    fn link(&self) -> Option<crate::link::Link>;
    /// The run on screen: its length and the state hash at the step shown (the page's `#state`
    /// says them, as `paxos-lab link` does). `None` without one run (the side-by-side view).
    fn run_state(&self) -> Option<(u64, u64)> {
        None
    }
    /// The preferences as the workspace left them (the user may change them there).
    fn look(&self) -> super::Look;
    /// Nothing unsaved, and closing not yet confirmed.
    fn quiet(&self) -> bool;
    /// What the last frame drew, for `--layout-json`.
    fn drawn(&self) -> Vec<super::paxos::graph::Drawn>;
    /// The window may close without asking (a screenshot run is done).
    fn let_close(&mut self) {}
    /// It was opened from `path` (File > Open in another body): the run is that file's, the
    /// file is recent, and the status line says so. A body without files ignores it.
    fn opened(&mut self, _path: &std::path::Path) {}
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<P: StoreWorkspace> Body for StoreApp<P> {
    fn protocol(&self) -> Option<Protocol> {
        Some(P::PROTOCOL)
    }
    fn ui(&mut self, ui: &mut Ui) {
        StoreApp::ui(self, ui)
    }
    fn dress(&mut self, settings: &Settings, fixed_time: Option<f64>) {
        // The language stays the one the workspace was made in (it is the window's already).
        self.set_look(super::Look {
            lang: self.lang,
            ..super::Look::of(settings)
        });
        self.fixed_time = fixed_time;
        self.restore_layout(settings);
        self.file.recent = settings.recent_files.clone();
    }
    fn keep_layout(&self, settings: &mut Settings) {
        StoreApp::keep_layout(self, settings);
        self.look().keep_in(settings);
        settings.recent_files = self.file.recent.clone();
    }
    fn take_command(&mut self) -> Option<AppCommand> {
        self.leave.take()
    }
    fn take_completed(&mut self) -> Vec<String> {
        std::mem::take(&mut self.completed)
    }
    fn lesson_progress(&self) -> Option<(String, usize, bool)> {
        self.lesson.as_ref().map(|panel| progress_of(panel))
    }
    fn link(&self) -> Option<crate::link::Link> {
        Some(link_of(self.lesson.as_deref(), &self.session))
    }
    fn run_state(&self) -> Option<(u64, u64)> {
        Some((self.session.len(), self.session.world().state_hash()))
    }
    fn look(&self) -> super::Look {
        StoreApp::look(self)
    }
    fn quiet(&self) -> bool {
        !self.unsaved() && !self.file.quit_confirmed
    }
    fn drawn(&self) -> Vec<super::paxos::graph::Drawn> {
        StoreApp::drawn(self)
    }
    fn let_close(&mut self) {
        self.file.quit_confirmed = true;
    }
    fn opened(&mut self, path: &std::path::Path) {
        let (generation, lang) = (self.session.generation(), self.lang);
        if self.lesson.is_some() {
            self.file.adopt_lesson(path, generation, lang);
        } else {
            self.file.adopt(path, generation, T::Opened, lang);
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A lesson panel's place: its lesson, its step, and whether the lesson is done with.
/// A bundled lesson's link at its step; a lesson from a file, or a run, links to the run at its
/// step (the lesson's file is not part of a link).
pub fn link_of<P: Teach>(
    lesson: Option<&LessonPanel<P>>,
    session: &Session<P>,
) -> crate::link::Link {
    lesson
        // A lesson opened from its file links to the bundled lesson of the same id.
        .and_then(|panel| crate::link::lesson_link(&panel.lesson.id, panel.step))
        .unwrap_or_else(|| crate::link::run_link(session))
}

pub fn progress_of<P: Teach>(panel: &LessonPanel<P>) -> (String, usize, bool) {
    (
        panel.lesson.id.clone(),
        panel.step,
        panel.sandbox || panel.complete(),
    )
}

/// New-run settings being edited, whatever the protocol.
pub trait RunSettings {
    fn protocol(&self) -> Protocol;
    /// The fields, and whether they make a valid run (the reason shown when not).
    fn ui(&mut self, ui: &mut Ui, lang: Lang, palette: &Palette) -> bool;
    /// The workspace a run of these settings opens in.
    fn open(&self, lang: Lang) -> Box<dyn Body>;
    fn boxed_clone(&self) -> Box<dyn RunSettings>;
    fn as_any(&self) -> &dyn Any;
}

/// A store protocol's new-run settings.
pub struct StoreRunSettings<P: StoreWorkspace>(pub StoreSettings<P::Config>);

impl<P: StoreWorkspace> RunSettings for StoreRunSettings<P> {
    fn protocol(&self) -> Protocol {
        P::PROTOCOL
    }
    fn ui(&mut self, ui: &mut Ui, lang: Lang, palette: &Palette) -> bool {
        self.0.ui(ui, lang, palette)
    }
    fn open(&self, lang: Lang) -> Box<dyn Body> {
        Box::new(StoreApp::<P>::sandbox(self.0.clone(), lang))
    }
    fn boxed_clone(&self) -> Box<dyn RunSettings> {
        Box::new(StoreRunSettings::<P>(self.0.clone()))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Makes the workspace a start opens, once the window knows its language.
pub type MakeWorkspace = Box<dyn FnOnce(Lang) -> Result<Box<dyn Body>, String>>;

/// What a protocol registers for the window (its views' registration): its names in the
/// pickers, its bundled lessons and the workspace its runs open in.
pub trait Shown: Teach {
    /// Its line in the settings window's protocol picker (`Raft (the same store)`).
    fn choice_name() -> T;
    /// The lesson picker's button that opens its sandbox.
    fn sandbox_button() -> T;
    /// The lesson picker's heading over its lessons.
    fn lessons_heading() -> T;
    /// Its lessons shipped inside the binary: (file name, text).
    fn bundled() -> &'static [(&'static str, &'static str)];
    /// Fresh new-run settings, for the settings window (`None`: the Paxos app's own).
    fn run_settings() -> Option<Box<dyn RunSettings>>;
    /// A recorded run, opened.
    fn open_run(session: Session<Self>, document: Option<PathBuf>) -> super::Start;
    /// A lesson at a step (from 0), and the file it came from.
    fn open_lesson(lesson: Lesson<Self>, step: usize, source: Option<PathBuf>) -> super::Start;
}

impl<P: StoreWorkspace> Shown for P {
    fn choice_name() -> T {
        P::heading()
    }
    fn sandbox_button() -> T {
        P::SANDBOX_BUTTON
    }
    fn lessons_heading() -> T {
        P::LESSONS_HEADING
    }
    fn bundled() -> &'static [(&'static str, &'static str)] {
        <P as crate::lesson::Teach>::BUNDLED
    }
    fn run_settings() -> Option<Box<dyn RunSettings>> {
        Some(Box::new(StoreRunSettings::<P>(StoreSettings::default())))
    }
    fn open_run(session: Session<P>, document: Option<PathBuf>) -> super::Start {
        super::Start::Workspace(Box::new(move |lang| {
            let mut app = StoreApp::<P>::new(session, lang);
            app.file.document = document;
            Ok(Box::new(app) as Box<dyn Body>)
        }))
    }
    fn open_lesson(lesson: Lesson<P>, step: usize, source: Option<PathBuf>) -> super::Start {
        super::Start::Workspace(Box::new(move |lang| {
            StoreApp::<P>::on_lesson(lesson, step, source, lang)
                .map(|app| Box::new(app) as Box<dyn Body>)
        }))
    }
}

/// One protocol's bundled lessons, as the lesson picker lists them.
pub struct Shelf {
    pub protocol: Protocol,
    pub heading: T,
    pub lessons: Vec<super::views::lesson_panel::LessonCard>,
}

/// Every store protocol's shelf of bundled lessons (Paxos's are the Paxos app's own), in the
/// registry's order.
pub fn shelves() -> Vec<Shelf> {
    Protocol::ALL
        .iter()
        .filter_map(|&protocol| crate::with_protocol!(protocol, P => shelf::<P>(protocol)))
        .collect()
}

fn shelf<P: Shown>(protocol: Protocol) -> Option<Shelf> {
    // Paxos's lessons play in the Paxos app, which lists them itself.
    P::run_settings()?;
    let lessons = super::views::lesson_panel::bundled_as::<P>(P::bundled())
        .iter()
        .map(super::views::lesson_panel::LessonCard::of)
        .collect();
    Some(Shelf {
        protocol,
        heading: P::lessons_heading(),
        lessons,
    })
}

/// The workspace a command opens (a store protocol's), or `None` when the command is not one
/// that opens a workspace (or names Paxos, whose runs are the Paxos app's).
pub fn open(command: &AppCommand, lang: Lang) -> Option<Result<Box<dyn Body>, String>> {
    match command {
        AppCommand::NewRun(settings) => Some(Ok(settings.open(lang))),
        AppCommand::Sandbox(protocol) => crate::with_protocol!(*protocol, P => {
            P::run_settings().map(|s| Ok(s.open(lang)))
        }),
        AppCommand::Lesson(protocol, index, step) => crate::with_protocol!(*protocol, P => {
            P::run_settings()?;
            let lessons = super::views::lesson_panel::bundled_as::<P>(P::bundled());
            let lesson = lessons.into_iter().nth(*index)?;
            Some(match P::open_lesson(lesson, *step, None) {
                super::Start::Workspace(make) => make(lang),
                _ => Err("this lesson opens in the Paxos app".to_string()),
            })
        }),
        AppCommand::Compare
        | AppCommand::ToLessons
        | AppCommand::CopyLink
        | AppCommand::OpenFile(_) => None,
    }
}

/// Checks a lesson or trace file of any protocol as opening it would.
pub fn check_any(path: &std::path::Path) -> Result<(), String> {
    let text = crate::trace::read_text(path).map_err(|e| e.to_string())?;
    let protocol = Protocol::of_text(path, &text).map_err(|e| e.to_string())?;
    check_file(protocol, path, &text)
}

/// Checks a file of `protocol` as opening it would (a lesson's reference path, a trace's
/// replay), so a broken file is refused where the user asked for it.
pub fn check_file(protocol: Protocol, path: &std::path::Path, text: &str) -> Result<(), String> {
    crate::with_protocol!(protocol, P => {
        if crate::lesson::is_lesson(path, text) == Some(true) {
            crate::lesson::check_reference_as::<P>(path, text).map_err(|e| e.to_string())?;
        } else {
            crate::trace::parse_and_replay_as::<P>(path, text).map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// What opening a lesson or trace file shows, whatever its protocol: a lesson at its first step,
/// a run at its start, each in its protocol's body.
pub fn open_file(path: &std::path::Path) -> Result<super::Start, String> {
    let text = crate::trace::read_text(path).map_err(|e| e.to_string())?;
    let protocol = Protocol::of_text(path, &text).map_err(|e| e.to_string())?;
    crate::with_protocol!(protocol, P => {
        if crate::lesson::is_lesson(path, &text) == Some(true) {
            let (lesson, _) =
                crate::lesson::check_reference_as::<P>(path, &text).map_err(|e| e.to_string())?;
            return Ok(P::open_lesson(lesson, 0, Some(path.to_path_buf())));
        }
        let (trace, _) =
            crate::trace::parse_and_replay_as::<P>(path, &text).map_err(|e| e.to_string())?;
        let session =
            Session::from_trace(&trace).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(P::open_run(session, Some(path.to_path_buf())))
    })
}
