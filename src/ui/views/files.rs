//! The file dialog for Open, Save as and Export as: a folder listing, a file name, and for
//! exports the format and the step range. It is drawn inside the app (no system dialog, so it
//! works the same on every desktop, under Xvfb and in tests) and only asks: the app does the
//! reading and writing when it gets a `FileRequest`.

use std::path::{Path, PathBuf};

use egui::{Context, RichText, ScrollArea};

use crate::export::{Format, StepRange};
use crate::ui::i18n::{Lang, T};

/// What the dialog is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilePurpose {
    Open,
    SaveAs,
    Export,
}

/// What the user asked the app to do with a file.
#[derive(Clone, Debug, PartialEq)]
pub enum FileRequest {
    Open(PathBuf),
    Save(PathBuf),
    Export {
        path: PathBuf,
        format: Format,
        range: StepRange,
    },
}

pub struct FileDialog {
    /// `None` while the dialog is closed.
    pub purpose: Option<FilePurpose>,
    pub dir: PathBuf,
    pub name: String,
    pub format: Format,
    pub range: StepRange,
    /// Why the last attempt failed, shown until the next one.
    pub error: Option<String>,
    /// The folder listing, read when the folder changes: (folder, subfolders, files).
    listing: Option<(PathBuf, Vec<String>, Vec<String>)>,
}

impl Default for FileDialog {
    fn default() -> Self {
        FileDialog {
            purpose: None,
            dir: std::env::current_dir()
                .unwrap_or_else(|_| PathBuf::from(crate::fsutil::START_FOLDER)),
            name: String::new(),
            format: Format::Svg,
            range: StepRange { from: 0, to: 0 },
            error: None,
            listing: None,
        }
    }
}

/// Trace files: the ones Open lists and Save writes.
fn is_trace(name: &str) -> bool {
    let path = std::path::Path::new(name);
    crate::trace::has_extension(path, "ron") || crate::trace::is_json(path)
}

impl FileDialog {
    /// Opens the dialog in `dir` (if given), suggesting `name`.
    pub fn show(&mut self, purpose: FilePurpose, dir: Option<&Path>, name: &str, run_len: u64) {
        self.purpose = Some(purpose);
        if let Some(d) = dir.filter(|d| d.is_dir()) {
            self.dir = d.to_path_buf();
        }
        self.name = name.to_string();
        self.error = None;
        self.range = StepRange::all(run_len);
        self.listing = None;
    }

    /// Opens the dialog for `purpose` beside `document` (the run's file, if it has one),
    /// suggesting a name from it (or `stem`) with the extension the purpose writes.
    pub fn ask_about(
        &mut self,
        purpose: FilePurpose,
        document: Option<&Path>,
        stem: &str,
        run_len: u64,
    ) {
        let dir = document.and_then(|p| p.parent()).map(Path::to_path_buf);
        let stem = document
            .and_then(|p| p.file_stem())
            .map_or(stem.to_string(), |s| s.to_string_lossy().into_owned());
        let name = match purpose {
            FilePurpose::Open => String::new(),
            FilePurpose::SaveAs => format!("{stem}.ron"),
            FilePurpose::Export => format!("{stem}.{}", self.format.extension()),
        };
        self.show(purpose, dir.as_deref(), &name, run_len);
    }

    pub fn is_open(&self) -> bool {
        self.purpose.is_some()
    }

    pub fn close(&mut self) {
        self.purpose = None;
        self.error = None;
    }

    fn refresh(&mut self, purpose: FilePurpose) {
        if self
            .listing
            .as_ref()
            .is_some_and(|(d, _, _)| *d == self.dir)
        {
            return;
        }
        let (mut dirs, mut files) = (Vec::new(), Vec::new());
        let extension = self.format.extension();
        let shown = |name: &str| match purpose {
            FilePurpose::Open | FilePurpose::SaveAs => is_trace(name),
            FilePurpose::Export => crate::trace::has_extension(Path::new(name), extension),
        };
        // A page has no folders: it lists the files the user handed it.
        #[cfg(target_arch = "wasm32")]
        files.extend(crate::fsutil::list().into_iter().filter(|name| shown(name)));
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                if e.path().is_dir() {
                    dirs.push(name);
                } else {
                    if shown(&name) {
                        files.push(name);
                    }
                }
            }
        }
        dirs.sort();
        files.sort();
        self.listing = Some((self.dir.clone(), dirs, files));
    }

    /// The path the dialog points at: the name as typed (absolute, or inside the folder), with the
    /// usual extension added when it has none.
    pub fn target(&self) -> Option<PathBuf> {
        let name = self.name.trim();
        if name.is_empty() {
            return None;
        }
        let mut path = if Path::new(name).is_absolute() {
            PathBuf::from(name)
        } else {
            self.dir.join(name)
        };
        if path.extension().is_none() {
            match self.purpose {
                Some(FilePurpose::SaveAs) => {
                    path.set_extension("ron");
                }
                Some(FilePurpose::Export) => {
                    path.set_extension(self.format.extension());
                }
                _ => {}
            }
        }
        Some(path)
    }

    pub fn ui(&mut self, ctx: &Context, lang: Lang, run_len: u64, out: &mut Vec<FileRequest>) {
        let Some(purpose) = self.purpose else {
            return;
        };
        let (title, action) = match purpose {
            FilePurpose::Open => (T::MenuOpen, T::OpenButton),
            FilePurpose::SaveAs => (T::MenuSaveAs, T::SaveButton),
            FilePurpose::Export => (T::MenuExportAs, T::ExportButton),
        };
        self.refresh(purpose);
        let mut open = true;
        let mut cancel = false;
        let mut confirm = false;
        egui::Window::new(title.get(lang))
            .id(egui::Id::unique("file-dialog"))
            .open(&mut open)
            .collapsible(false)
            .default_width(460.0)
            .show(ctx, |ui| {
                if cfg!(target_arch = "wasm32") {
                    // A page has no folders: a file comes from the browser's chooser or a
                    // drop, and a save is a download.
                    if purpose == FilePurpose::Open {
                        if ui.button(T::ChooseFile.get(lang)).clicked() {
                            match crate::fsutil::choose_file() {
                                Ok(()) => cancel = true,
                                Err(e) => self.error = Some(e),
                            }
                        }
                        ui.label(RichText::new(T::PageOpenHint.get(lang)).weak());
                    } else {
                        ui.label(RichText::new(T::PageSaveHint.get(lang)).weak());
                    }
                } else {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(T::Folder.get(lang)).strong());
                        ui.label(self.dir.display().to_string());
                    });
                    if ui.button(T::UpFolder.get(lang)).clicked()
                        && let Some(parent) = self.dir.parent()
                    {
                        self.dir = parent.to_path_buf();
                    }
                }
                let mut enter = None;
                ScrollArea::vertical()
                    .max_height(200.0)
                    .auto_shrink([false, true])
                    .show(ui, |ui| {
                        if let Some((_, dirs, files)) = &self.listing {
                            for d in dirs {
                                if ui.selectable_label(false, format!("📁 {d}")).clicked() {
                                    enter = Some(d.clone());
                                }
                            }
                            for f in files {
                                let picked = self.name == *f;
                                let r = ui.selectable_label(picked, f);
                                if r.clicked() {
                                    self.name = f.clone();
                                }
                                if r.double_clicked() {
                                    confirm = true;
                                }
                            }
                        }
                    });
                if let Some(d) = enter {
                    self.dir = self.dir.join(d);
                }
                if purpose == FilePurpose::Export {
                    ui.separator();
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(T::ExportFormat.get(lang)).strong());
                        for f in Format::ALL {
                            if ui.selectable_value(&mut self.format, f, f.name()).changed() {
                                self.listing = None;
                                // A name typed for one format follows the format.
                                if let Some(stem) = Path::new(&self.name).file_stem() {
                                    self.name =
                                        format!("{}.{}", stem.to_string_lossy(), f.extension());
                                }
                            }
                        }
                    });
                    ui.horizontal(|ui| {
                        let (from, to) = (&mut self.range.from, &mut self.range.to);
                        let l = ui.label(T::ExportFrom.get(lang));
                        ui.add(egui::DragValue::new(from).range(0..=run_len))
                            .labelled_by(l.id);
                        let l = ui.label(T::ExportTo.get(lang));
                        ui.add(egui::DragValue::new(to).range(0..=run_len))
                            .labelled_by(l.id);
                        if ui.button(T::WholeRun.get(lang)).clicked() {
                            self.range = StepRange::all(run_len);
                        }
                    });
                    if self.range.from > self.range.to {
                        self.range.from = self.range.to;
                    }
                    let hint = match self.format {
                        Format::Png => T::ExportHintPng,
                        Format::Gif => T::ExportHintGif,
                        Format::Json => T::ExportHintJson,
                        _ => T::ExportHintDiagram,
                    };
                    ui.label(RichText::new(hint.get(lang)).weak());
                }
                ui.separator();
                ui.horizontal(|ui| {
                    let l = ui.label(T::FileName.get(lang));
                    let r = ui
                        .add(
                            egui::TextEdit::singleline(&mut self.name)
                                .id_salt("file-name")
                                .desired_width(300.0),
                        )
                        .labelled_by(l.id);
                    if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        confirm = true;
                    }
                });
                if let Some(e) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(
                            !self.name.trim().is_empty(),
                            egui::Button::new(action.get(lang)),
                        )
                        .clicked()
                    {
                        confirm = true;
                    }
                    if ui.button(T::Cancel.get(lang)).clicked() {
                        cancel = true;
                    }
                });
            });
        if !open || cancel {
            self.close();
            return;
        }
        if confirm && let Some(path) = self.target() {
            out.push(match purpose {
                FilePurpose::Open => FileRequest::Open(path),
                FilePurpose::SaveAs => FileRequest::Save(path),
                FilePurpose::Export => FileRequest::Export {
                    path,
                    format: self.format,
                    range: self.range,
                },
            });
        }
    }
}

/// The file dropped on the window this frame, if any (the first, when several are). In a page
/// a dropped file comes as its bytes, kept by name (`fsutil`), and so does one chosen in the
/// browser's file chooser.
pub fn dropped(ctx: &Context) -> Option<PathBuf> {
    #[cfg(target_arch = "wasm32")]
    {
        // A browser reads a dropped file asynchronously: it opens a frame or two later, as a
        // file chosen in the browser's chooser does.
        if let Some(file) = ctx.input(|i| i.raw.dropped_files.first().cloned()) {
            let name = file.path().to_string_lossy().into_owned();
            crate::fsutil::CHOOSING.store(true, std::sync::atomic::Ordering::Relaxed);
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(bytes) = file.bytes_async().await {
                    crate::fsutil::keep_to_open(&name, bytes);
                }
            });
        }
        let next = crate::fsutil::next_to_open();
        // Look again soon while a file may still come, or another waits its turn.
        if next.is_some() || crate::fsutil::CHOOSING.load(std::sync::atomic::Ordering::Relaxed) {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
        next
    }
    #[cfg(not(target_arch = "wasm32"))]
    ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .next()
    })
}

/// The most recent first, each once, at most eight.
pub fn remember(recent: &mut Vec<PathBuf>, path: &Path) {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    recent.retain(|p| *p != path);
    recent.insert(0, path);
    recent.truncate(8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_gets_the_usual_extension() {
        let mut d = FileDialog {
            dir: PathBuf::from("/tmp/x"),
            ..Default::default()
        };
        d.show(FilePurpose::SaveAs, None, "run", 10);
        assert_eq!(d.target(), Some(PathBuf::from("/tmp/x/run.ron")));
        d.show(FilePurpose::Export, None, "pic", 10);
        d.format = Format::Mermaid;
        assert_eq!(d.target(), Some(PathBuf::from("/tmp/x/pic.mmd")));
        d.name = "/elsewhere/a.json".into();
        assert_eq!(d.target(), Some(PathBuf::from("/elsewhere/a.json")));
        d.name = "  ".into();
        assert_eq!(d.target(), None);
    }

    #[test]
    fn traces_are_listed_whatever_the_case_of_their_extension() {
        for name in ["a.ron", "B.RON", "c.json", "D.Json"] {
            assert!(is_trace(name), "{name}");
        }
        assert!(!is_trace("e.svg"));
    }

    #[test]
    fn recent_files_keep_the_newest_first_once() {
        let mut r = Vec::new();
        for p in ["/a.ron", "/b.ron", "/a.ron"] {
            remember(&mut r, Path::new(p));
        }
        assert_eq!(r, [PathBuf::from("/a.ron"), PathBuf::from("/b.ron")]);
        for i in 0..20 {
            remember(&mut r, Path::new(&format!("/f{i}.ron")));
        }
        assert_eq!(r.len(), 8);
    }
}
