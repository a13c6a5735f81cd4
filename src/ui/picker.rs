//! The lesson picker, the window's start screen: every protocol's sandbox and lessons, and the
//! side by side. It is the shell's own screen, not a body: it holds no run, so its File menu
//! only opens (a file of any protocol, in that protocol's body) and nothing on it is unsaved.

use egui::Ui;

use super::Settings;
use super::i18n::T;
use super::views::commands::UiCommand;
use super::views::files::{FileDialog, FilePurpose, FileRequest};
use super::views::lesson_panel::{LessonProgress, PickerChoice};
use super::workspace::{AppCommand, Shelf};
use crate::lesson::Lesson;
use crate::protocols::paxos::Paxos;
use crate::trace::Protocol;

pub struct Picker {
    /// Paxos's bundled lessons (the Paxos app plays them).
    lessons: Vec<Lesson<Paxos>>,
    /// Every store protocol's bundled lessons.
    shelves: Vec<Shelf>,
    pub dialog: FileDialog,
    /// Why the last file could not open, for the status line.
    pub status: Option<(bool, String)>,
    /// The window title last sent.
    title: String,
}

impl Default for Picker {
    fn default() -> Self {
        Picker {
            lessons: super::views::lesson_panel::bundled_lessons(),
            shelves: super::workspace::shelves(),
            dialog: FileDialog::default(),
            status: None,
            title: String::new(),
        }
    }
}

impl Picker {
    /// Draws the picker; returns what the user chose. The preferences it changes are the
    /// window's (`settings`).
    pub fn ui(&mut self, ui: &mut Ui, settings: &mut Settings) -> Option<AppCommand> {
        let ctx = ui.ctx().clone();
        let mut look = super::Look::of(settings);
        super::set_look(&ctx, look.zoom, look.dark, look.presenter);
        let lang = look.lang;
        let mut chosen = None;
        for c in UiCommand::pressed(&ctx) {
            if !super::shell::window_command(&ctx, c, &mut look) && c == UiCommand::Open {
                self.dialog.ask_about(FilePurpose::Open, None, "", 0);
            }
        }
        egui::Panel::top("picker-menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                match super::views::run_file::file_menu(ui, lang, &settings.recent_files, false) {
                    Some(super::views::run_file::FileChoice::Command(UiCommand::Open)) => {
                        self.dialog.ask_about(FilePurpose::Open, None, "", 0)
                    }
                    Some(super::views::run_file::FileChoice::Command(UiCommand::CopyLink)) => {
                        chosen = Some(AppCommand::CopyLink)
                    }
                    Some(super::views::run_file::FileChoice::Command(c)) => {
                        super::shell::window_command(ui.ctx(), c, &mut look);
                    }
                    Some(super::views::run_file::FileChoice::Reopen(p)) => {
                        chosen = Some(AppCommand::OpenFile(p))
                    }
                    None => {}
                }
                super::shell::preferences_bar(ui, &mut look, |_| {});
            });
        });
        if let Some((error, text)) = &self.status {
            egui::Panel::bottom("picker-status").show(ui, |ui| {
                if *error {
                    ui.colored_label(ui.visuals().error_fg_color, text);
                } else {
                    ui.label(text);
                }
            });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            let progress = LessonProgress {
                completed: &settings.completed,
                left_at: &settings.lesson_steps,
            };
            let choice = super::views::lesson_panel::picker_ui(
                ui,
                &self.lessons,
                &self.shelves,
                &progress,
                lang,
            );
            chosen = match choice {
                Some(PickerChoice::Lesson(i, step)) => {
                    Some(AppCommand::Lesson(Protocol::Paxos, i, step))
                }
                Some(PickerChoice::Open(command)) => Some(command),
                None => chosen.take(),
            };
        });
        // A file dropped on the picker opens in its protocol's body, as one opened from File.
        let dropped = super::views::files::dropped(&ctx);
        let mut requests = Vec::new();
        self.dialog.ui(&ctx, lang, 0, &mut requests);
        for r in requests.into_iter().chain(dropped.map(FileRequest::Open)) {
            let FileRequest::Open(path) = r else {
                continue;
            };
            // Checked here, so a broken file is refused where it was asked for (the dialog
            // stays open with the reason).
            match super::workspace::check_any(&path) {
                Ok(()) => {
                    self.dialog.close();
                    self.status = None;
                    chosen = Some(AppCommand::OpenFile(path));
                }
                Err(e) => {
                    if self.dialog.is_open() {
                        self.dialog.error = Some(e.clone());
                    }
                    self.status = Some((true, e));
                }
            }
        }
        super::shell::show_title(
            &ctx,
            &mut self.title,
            false,
            None,
            T::ChooseLesson.get(lang),
            lang,
        );
        look.keep_in(settings);
        chosen
    }
}
