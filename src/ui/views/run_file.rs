//! The run's file, written once for every body that holds a run (the Paxos app and the store
//! workspaces): which file the run came from, whether it is saved, opening, saving and exporting
//! it, the File menu, files dropped on the window, the window title, and the questions asked
//! before unsaved work is lost (the window closing; anything that drops the run: leaving it, a
//! new run, a run the explorer found, another file). A body says only what a lesson or a run
//! looks like on its screen (`HoldsRun::show_lesson`, `show_run`) and what it does once the
//! user lets its run go (`go_on`). The two bodies had a copy each, and the copies drifted (one
//! forgot recent files, one saved only RON on the way out).

use std::path::{Path, PathBuf};

use egui::{Context, Ui};

use crate::export::{Format, StepRange};
use crate::lesson::{Lesson, Teach};
use crate::protocols::Plugin;
use crate::session::Session;
use crate::trace::Trace;
use crate::ui::Look;
use crate::ui::i18n::{Lang, T, fill};
use crate::ui::views::commands::UiCommand;
use crate::ui::views::files::{FileDialog, FilePurpose, FileRequest, remember};
use crate::ui::views::render::GraphPicture;

/// What a file holds, read and checked before anything on screen changes.
pub enum Opened<P: Teach> {
    /// A lesson, its reference path checked.
    Lesson(Box<Lesson<P>>),
    /// A recorded run, replayed.
    Run(Box<Trace<P>>),
    /// A file of another protocol: the window opens it in that protocol's body.
    Elsewhere,
}

/// Reads `path` as a lesson or a run of protocol `P` (a file of another protocol is checked as
/// that protocol's); a broken file gives its error (with its position) and changes nothing.
pub fn read<P: Teach>(path: &Path) -> Result<Opened<P>, String> {
    let text = crate::trace::read_text(path).map_err(|e| e.to_string())?;
    let protocol = crate::trace::Protocol::of_text(path, &text).map_err(|e| e.to_string())?;
    if protocol.name() != P::NAME {
        crate::ui::workspace::check_file(protocol, path, &text)?;
        return Ok(Opened::Elsewhere);
    }
    if crate::lesson::is_lesson(path, &text) == Some(true) {
        let (lesson, _) =
            crate::lesson::check_reference_as::<P>(path, &text).map_err(|e| e.to_string())?;
        return Ok(Opened::Lesson(Box::new(lesson)));
    }
    let (trace, _) =
        crate::trace::parse_and_replay_as::<P>(path, &text).map_err(|e| e.to_string())?;
    Ok(Opened::Run(Box::new(trace)))
}

/// The answer to "this run is not saved: save it first?".
enum Answer {
    /// Save first; what waited goes on once the run is saved.
    SaveFirst,
    /// Drop the run and go on with what waited.
    GoOn,
    /// Keep the run; what waited is forgotten.
    Stay,
}

/// One body's run file and the questions about it. `W` is what the body does once the user
/// lets the unsaved run go (its own kinds: leave, open another run, start a new one).
pub struct RunFile<W> {
    pub dialog: FileDialog,
    /// The trace file the run was opened from or last saved to.
    pub document: Option<PathBuf>,
    /// The run version that is on disk (or that needs no saving: fresh, or a lesson's).
    saved_generation: u64,
    /// The last file operation's result, for the status line: (is an error, text).
    pub status: Option<(bool, String)>,
    /// The files opened or saved lately, newest first (the window keeps them between runs).
    pub recent: Vec<PathBuf>,
    /// The unsaved-run question, asked when the window is told to close.
    pub quit_prompt: bool,
    /// Closing was confirmed (or nothing was unsaved): let the window go.
    pub quit_confirmed: bool,
    /// Close once the run is saved.
    quit_after_save: bool,
    /// What asked to drop the unsaved run, waiting for the user's answer.
    pub waiting: Option<W>,
    /// What goes on once the run is saved ("Save, then go on").
    after_save: Option<W>,
    /// The window title last sent.
    title: String,
}

impl<W> RunFile<W> {
    /// For a run of version `generation` that needs no saving.
    pub fn new(generation: u64) -> Self {
        RunFile {
            dialog: FileDialog::default(),
            document: None,
            saved_generation: generation,
            status: None,
            recent: Vec::new(),
            quit_prompt: false,
            quit_confirmed: false,
            quit_after_save: false,
            waiting: None,
            after_save: None,
            title: String::new(),
        }
    }

    /// Whether a run of version `generation` has changes no file holds.
    pub fn changed(&self, generation: u64) -> bool {
        generation != self.saved_generation
    }

    /// A new run, or another run opened in place: nothing is unsaved, and it is no file's run.
    pub fn fresh(&mut self, generation: u64) {
        self.saved_generation = generation;
        self.document = None;
    }

    /// After an open or a save of `path`: the run is this file's, nothing is unsaved, the file is
    /// recent, and the status line says so.
    pub fn adopt(&mut self, path: &Path, generation: u64, news: T, lang: Lang) {
        self.document = Some(path.to_path_buf());
        self.saved_generation = generation;
        remember(&mut self.recent, path);
        self.report(news, path, lang);
    }

    /// A lesson file opened: recent, but not the run's document (Save must not write a trace
    /// over the lesson).
    pub fn adopt_lesson(&mut self, path: &Path, generation: u64, lang: Lang) {
        self.adopt(path, generation, T::Opened, lang);
        self.document = None;
    }

    fn report(&mut self, news: T, path: &Path, lang: Lang) {
        // A page's files have only names, and saving one downloads it.
        if cfg!(target_arch = "wasm32") {
            let news = match news {
                T::Saved | T::Exported => T::Downloaded,
                other => other,
            };
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            self.status = Some((false, fill(news.get(lang), &[&name])));
            return;
        }
        self.status = Some((false, fill(news.get(lang), &[&path.display()])));
    }

    /// Saves the whole recorded run (not only up to the step shown) atomically.
    pub fn save<P: Plugin>(
        &mut self,
        session: &Session<P>,
        path: &Path,
        lang: Lang,
    ) -> Result<(), String> {
        session
            .to_trace()
            .save(path)
            .map_err(|e| format!("{}: cannot save: {e}", path.display()))?;
        self.adopt(path, session.generation(), T::Saved, lang);
        Ok(())
    }

    /// Exports the recorded run in `format` over `range`, written atomically.
    pub fn export<P: GraphPicture>(
        &mut self,
        session: &Session<P>,
        path: &Path,
        (format, range): (Format, StepRange),
        look: &Look,
    ) -> Result<(), String> {
        let pictures = crate::ui::views::render::PictureOptions {
            lang: look.lang,
            dark: look.dark,
            ..Default::default()
        };
        let bytes =
            crate::ui::views::render::export(&session.to_trace(), format, range, &pictures)?;
        crate::export::write(path, &bytes)?;
        self.report(T::Exported, path, look.lang);
        Ok(())
    }

    /// Where File > Save writes without asking: the run's own trace file, if it has one.
    pub fn save_target(&self) -> Option<PathBuf> {
        self.document
            .clone()
            .filter(|p| crate::trace::is_json(p) || crate::trace::has_extension(p, "ron"))
    }

    /// Opens the dialog for `purpose` beside the run's file, suggesting its name (or `stem`).
    pub fn ask(&mut self, purpose: FilePurpose, stem: &str, run_len: u64) {
        self.dialog
            .ask_about(purpose, self.document.as_deref(), stem, run_len);
    }

    /// After a file request: closes the dialog, or keeps it open with the reason (nothing the
    /// user had is touched). Returns what waited for a save, now that the run is saved.
    #[must_use]
    pub fn finish(
        &mut self,
        request: &FileRequest,
        result: Result<(), String>,
        ctx: &Context,
    ) -> Option<W> {
        match result {
            Ok(()) => {
                self.dialog.close();
                if !matches!(request, FileRequest::Save(_)) {
                    return None;
                }
                if std::mem::take(&mut self.quit_after_save) {
                    self.quit_confirmed = true;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
                self.after_save.take()
            }
            Err(e) => {
                if self.dialog.is_open() {
                    self.dialog.error = Some(e.clone());
                }
                self.status = Some((true, e));
                None
            }
        }
    }

    /// Asks before `what` drops a run that is not saved; else it goes on at once (returned).
    #[must_use]
    pub fn before_dropping(&mut self, unsaved: bool, what: W) -> Option<W> {
        if unsaved {
            self.waiting = Some(what);
            None
        } else {
            Some(what)
        }
    }

    /// Once a frame: a file dropped on the window, the questions (the window closing with
    /// unsaved work; something waiting to drop it), the file dialog, and the window title
    /// (`• run.ron — Raft — paxos-lab`). Returns what the body must do: the files the user
    /// asked for, whether to save now (and what goes on after), what may go on now.
    pub fn frame(&mut self, ctx: &Context, run: RunNow<'_>) -> FileFrame<W> {
        let RunNow {
            lang,
            unsaved,
            len,
            title,
        } = run;
        let mut out = FileFrame {
            requests: Vec::new(),
            save: false,
            go_on: None,
        };
        let dropped = crate::ui::views::files::dropped(ctx);
        if let Some(p) = dropped {
            out.requests.push(FileRequest::Open(p));
        }
        if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
            ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop-to-open"),
            ))
            .text(
                ctx.content_rect().center(),
                egui::Align2::CENTER_CENTER,
                T::DropToOpen.get(lang),
                egui::FontId::proportional(22.0),
                ctx.global_style().visuals.strong_text_color(),
            );
        }
        if ctx.input(|i| i.viewport().close_requested()) && !self.quit_confirmed && unsaved {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.quit_prompt = true;
        }
        if self.quit_prompt {
            let (mut save, mut discard, mut cancel) = (false, false, false);
            egui::Modal::new(egui::Id::unique("unsaved-quit")).show(ctx, |ui| {
                ui.heading(T::UnsavedTitle.get(lang));
                ui.label(fill(T::UnsavedBody.get(lang), &[&title]));
                ui.horizontal(|ui| {
                    save = ui.button(T::SaveAndQuit.get(lang)).clicked();
                    discard = ui.button(T::QuitWithoutSaving.get(lang)).clicked();
                    cancel = ui.button(T::Cancel.get(lang)).clicked();
                });
            });
            if save {
                self.quit_prompt = false;
                self.quit_after_save = true;
                out.save = true;
            } else if discard {
                self.quit_prompt = false;
                self.quit_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            } else if cancel {
                self.quit_prompt = false;
            }
        }
        if self.waiting.is_some() {
            match question(ctx, lang, title) {
                Some(Answer::SaveFirst) => {
                    self.after_save = self.waiting.take();
                    out.save = true;
                }
                Some(Answer::GoOn) => out.go_on = self.waiting.take(),
                Some(Answer::Stay) => self.waiting = None,
                None => {}
            }
        }
        self.dialog.ui(ctx, lang, len, &mut out.requests);
        if !self.dialog.is_open() && !out.save {
            // The dialog closed without saving: nothing waits for a save any more.
            self.quit_after_save = false;
            self.after_save = None;
        }
        let document = self.document.clone();
        crate::ui::shell::show_title(
            ctx,
            &mut self.title,
            unsaved,
            document.as_deref(),
            title,
            lang,
        );
        out
    }
}

/// The run as the file frame needs to know it.
pub struct RunNow<'a> {
    pub lang: Lang,
    pub unsaved: bool,
    /// Its steps (the export dialog's range).
    pub len: u64,
    /// What shows (`Raft`), for the title and the questions.
    pub title: &'a str,
}

/// What the file frame asks of the body.
pub struct FileFrame<W> {
    pub requests: Vec<FileRequest>,
    /// Save now (to the run's file, else ask where).
    pub save: bool,
    /// The user let the unsaved run go: do this.
    pub go_on: Option<W>,
}

/// "This Raft run has changes that are not saved, and this closes it. Save it first?"
fn question(ctx: &Context, lang: Lang, title: &str) -> Option<Answer> {
    let mut answer = None;
    egui::Modal::new(egui::Id::unique("unsaved-drop")).show(ctx, |ui| {
        ui.heading(T::UnsavedTitle.get(lang));
        ui.label(fill(T::DropUnsavedBody.get(lang), &[&title]));
        ui.horizontal(|ui| {
            if ui.button(T::SaveThenGoOn.get(lang)).clicked() {
                answer = Some(Answer::SaveFirst);
            }
            if ui.button(T::GoOnWithoutSaving.get(lang)).clicked() {
                answer = Some(Answer::GoOn);
            }
            if ui.button(T::KeepThisRun.get(lang)).clicked() {
                answer = Some(Answer::Stay);
            }
        });
    });
    answer
}

/// What the File menu asked for.
pub enum FileChoice {
    Command(UiCommand),
    /// A recent file, to open again.
    Reopen(PathBuf),
}

/// The File menu every body with a run shows: Lessons, Open, Save, Save as, Export as, the
/// recent files, Quit, each with its shortcut; without a run (the lesson picker), only Open,
/// the recent files and Quit.
pub fn file_menu(ui: &mut Ui, lang: Lang, recent: &[PathBuf], run: bool) -> Option<FileChoice> {
    let mut choice = None;
    ui.menu_button(T::MenuFile.get(lang), |ui| {
        let item = |ui: &mut Ui, c: UiCommand| {
            let mut button = egui::Button::new(c.text().get(lang));
            if let Some(s) = c.shortcut() {
                button = button.shortcut_text(ui.ctx().format_shortcut(&s));
            }
            ui.add(button).clicked()
        };
        for c in &UiCommand::FILE[..6] {
            let always = matches!(c, UiCommand::Open | UiCommand::CopyLink);
            if (run || always) && item(ui, *c) {
                choice = Some(FileChoice::Command(*c));
                ui.close();
            }
        }
        ui.menu_button(T::RecentFiles.get(lang), |ui| {
            if recent.is_empty() {
                ui.weak(T::NoRecentFiles.get(lang));
            }
            for p in recent {
                let name = p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                if ui
                    .button(name)
                    .on_hover_text(p.display().to_string())
                    .clicked()
                {
                    choice = Some(FileChoice::Reopen(p.clone()));
                    ui.close();
                }
            }
        });
        ui.separator();
        if item(ui, UiCommand::Quit) {
            choice = Some(FileChoice::Command(UiCommand::Quit));
            ui.close();
        }
    });
    choice
}

/// What waits for the user to let an unsaved run go: a file to open in its place, or something
/// of the body's own (`B`: leave it, start a new run, watch a run the explorer found).
pub enum Waiting<P: Teach, B> {
    File(Opened<P>, PathBuf),
    Body(B),
}

/// The file of a body whose run is of protocol `P` and whose own waiting things are `B`.
pub type FileOf<P, B> = RunFile<Waiting<P, B>>;

/// A body's run and its file, borrowed together.
pub type RunAndFile<'a, P, B> = (&'a Session<P>, &'a mut FileOf<P, B>);

/// A body that holds a run with a file: the Paxos app and the store workspaces. The file work
/// is written here once; the body shows what was opened and does what waited.
pub trait HoldsRun {
    type P: Teach + GraphPicture;
    /// What of the body's own may wait for the user to let an unsaved run go.
    type Body;
    /// The run and its file, borrowed together.
    fn parts(&mut self) -> RunAndFile<'_, Self::P, Self::Body>;
    fn file(&self) -> &FileOf<Self::P, Self::Body>;
    /// The run has changes no file holds (a lesson's run never has).
    fn unsaved(&self) -> bool;
    fn look(&self) -> Look;
    /// The name a new file gets (`multipaxos-run`).
    fn file_stem(&self) -> String;
    /// Shows an opened lesson (from its file) in place of what showed.
    fn show_lesson(&mut self, lesson: Lesson<Self::P>, source: &Path) -> Result<(), String>;
    /// Shows an opened run in place of the run; refused with a reason, it changes nothing.
    fn show_run(&mut self, trace: Box<Trace<Self::P>>) -> Result<(), String>;
    /// Does what of its own waited, now that the user let the unsaved run go.
    fn go_on_body(&mut self, what: Self::Body);
    /// Hands a file of another protocol to the window, which opens it in that protocol's body.
    fn open_elsewhere(&mut self, path: &Path);
    /// Whether showing another body drops this body's run (the Paxos app's is kept aside).
    fn leaving_drops_run(&self) -> bool {
        true
    }

    /// Does `what` (which drops the run), asking first when the run is unsaved.
    fn replace(&mut self, what: Self::Body) {
        let unsaved = self.unsaved();
        let (_, file) = self.parts();
        if let Some(Waiting::Body(what)) = file.before_dropping(unsaved, Waiting::Body(what)) {
            self.go_on_body(what);
        }
    }

    /// Does what waited, now that the user let the unsaved run go (or saved it).
    fn go_on(&mut self, what: Waiting<Self::P, Self::Body>) {
        match what {
            Waiting::File(opened, path) => {
                if let Err(e) = self.show_opened(opened, &path) {
                    self.parts().1.status = Some((true, e));
                }
            }
            Waiting::Body(what) => self.go_on_body(what),
        }
    }

    /// Opens a file: a lesson as its lesson (watched for the author's edits), a trace as the
    /// run. Read and checked first, so a broken file changes nothing; over an unsaved run it
    /// asks first.
    fn open_file(&mut self, path: &Path) -> Result<(), String> {
        let opened = read::<Self::P>(path)?;
        let elsewhere = matches!(opened, Opened::Elsewhere);
        if self.unsaved() && (!elsewhere || self.leaving_drops_run()) {
            self.parts().1.waiting = Some(Waiting::File(opened, path.to_path_buf()));
            return Ok(());
        }
        self.show_opened(opened, path)
    }

    /// Shows what a file held, and makes the run that file's.
    fn show_opened(&mut self, opened: Opened<Self::P>, path: &Path) -> Result<(), String> {
        let lang = self.look().lang;
        match opened {
            Opened::Lesson(lesson) => {
                self.show_lesson(*lesson, path)?;
                let (session, file) = self.parts();
                file.adopt_lesson(path, session.generation(), lang);
            }
            Opened::Run(trace) => {
                self.show_run(trace)?;
                let (session, file) = self.parts();
                file.adopt(path, session.generation(), T::Opened, lang);
            }
            Opened::Elsewhere => {
                // The dialog's work is done; the other body says "opened" itself.
                self.parts().1.dialog.close();
                self.open_elsewhere(path);
            }
        }
        Ok(())
    }

    fn save_file(&mut self, path: &Path) -> Result<(), String> {
        let lang = self.look().lang;
        let (session, file) = self.parts();
        file.save(session, path, lang)
    }

    fn export_file(&mut self, path: &Path, format: Format, range: StepRange) -> Result<(), String> {
        let look = self.look();
        let (session, file) = self.parts();
        file.export(session, path, (format, range), &look)
    }

    /// Does what the dialog, the File menu or a drop asked for.
    fn handle_file_request(&mut self, request: FileRequest, ctx: &Context) {
        let result = match &request {
            FileRequest::Open(p) => self.open_file(p),
            FileRequest::Save(p) => self.save_file(p),
            FileRequest::Export {
                path,
                format,
                range,
            } => self.export_file(path, *format, *range),
        };
        let (_, file) = self.parts();
        if let Some(what) = file.finish(&request, result, ctx) {
            self.go_on(what);
        }
    }

    /// File > Save: to the run's file if it has one, else ask where.
    fn save_or_ask(&mut self, ctx: &Context) {
        match self.file().save_target() {
            Some(path) => self.handle_file_request(FileRequest::Save(path), ctx),
            None => self.ask(FilePurpose::SaveAs),
        }
    }

    fn ask(&mut self, purpose: FilePurpose) {
        let stem = self.file_stem();
        let (session, file) = self.parts();
        let len = session.len();
        file.ask(purpose, &stem, len);
    }

    /// The File menu's and the file keys' commands; false for a command that is not about files.
    fn file_command(&mut self, c: UiCommand, ctx: &Context) -> bool {
        match c {
            UiCommand::Open => self.ask(FilePurpose::Open),
            UiCommand::Save => self.save_or_ask(ctx),
            UiCommand::SaveAs => self.ask(FilePurpose::SaveAs),
            UiCommand::ExportAs => self.ask(FilePurpose::Export),
            _ => return false,
        }
        true
    }

    /// The body's file frame, done: requests handled, saves made, what waited gone on.
    fn file_frame(&mut self, ctx: &Context, title: &str) {
        let lang = self.look().lang;
        let unsaved = self.unsaved();
        let (session, file) = self.parts();
        let run = RunNow {
            lang,
            unsaved,
            len: session.len(),
            title,
        };
        let out = file.frame(ctx, run);
        for r in out.requests {
            self.handle_file_request(r, ctx);
        }
        if out.save {
            self.save_or_ask(ctx);
        }
        if let Some(what) = out.go_on {
            self.go_on(what);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_unsaved_only_after_it_changed_and_fresh_runs_belong_to_no_file() {
        let mut f: RunFile<()> = RunFile::new(3);
        assert!(!f.changed(3));
        assert!(f.changed(4));
        f.adopt(Path::new("/tmp/a.ron"), 4, T::Saved, Lang::En);
        assert!(!f.changed(4));
        assert_eq!(f.save_target(), Some(PathBuf::from("/tmp/a.ron")));
        assert!(
            f.status
                .as_ref()
                .is_some_and(|(e, t)| !e && t.contains("a.ron"))
        );
        f.fresh(9);
        assert!(!f.changed(9));
        assert_eq!(f.save_target(), None, "a new run is no file's");
        assert_eq!(f.recent.len(), 1, "the file stays recent");
    }

    #[test]
    fn a_lesson_file_is_recent_but_never_where_save_writes() {
        let mut f: RunFile<()> = RunFile::new(0);
        f.adopt_lesson(Path::new("/tmp/lesson.ron"), 2, Lang::En);
        assert_eq!(f.save_target(), None);
        assert_eq!(f.recent, [PathBuf::from("/tmp/lesson.ron")]);
        // An export or another picture format is never written over by Save either.
        f.document = Some(PathBuf::from("/tmp/pic.svg"));
        assert_eq!(f.save_target(), None);
    }

    #[test]
    fn what_drops_an_unsaved_run_waits_for_the_answer() {
        let mut f: RunFile<&str> = RunFile::new(0);
        assert_eq!(f.before_dropping(false, "leave"), Some("leave"));
        assert_eq!(f.before_dropping(true, "leave"), None);
        assert_eq!(f.waiting, Some("leave"));
    }

    #[test]
    fn what_waited_for_a_save_goes_on_only_once_the_save_worked() {
        let ctx = Context::default();
        let mut f: RunFile<&str> = RunFile::new(0);
        f.after_save = Some("leave");
        let save = FileRequest::Save(PathBuf::from("/tmp/x.ron"));
        assert_eq!(f.finish(&save, Err("disk full".into()), &ctx), None);
        assert_eq!(f.status, Some((true, "disk full".into())));
        assert_eq!(
            f.after_save,
            Some("leave"),
            "still waiting after a failed save"
        );
        let export = FileRequest::Export {
            path: PathBuf::from("/tmp/x.svg"),
            format: Format::Svg,
            range: StepRange { from: 0, to: 1 },
        };
        assert_eq!(
            f.finish(&export, Ok(()), &ctx),
            None,
            "an export is no save"
        );
        assert_eq!(f.finish(&save, Ok(()), &ctx), Some("leave"));
        assert_eq!(f.after_save, None);
    }
}
