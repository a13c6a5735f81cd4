//! What the UI tests share: a harness for one view, and the whole window on the lesson picker.

// Tests run on the desktop: the threads and clocks banned for the page are fine here.
#![allow(clippy::disallowed_methods)]

use egui::Vec2;
use egui_kittest::Harness;
use paxos_lab::ui::install_fonts;

/// One view drawn into a window of `size`, with the app's fonts.
pub fn harness<'a>(size: Vec2, draw: impl FnMut(&mut egui::Ui) + 'a) -> Harness<'a> {
    Harness::builder()
        .with_size(size)
        .with_pixels_per_point(1.0)
        .with_context_setup(install_fonts)
        .build_ui(draw)
}

/// A window of 1280x800 drawing `state` (a workspace or a view with its own state), with the
/// app's fonts.
pub fn window_harness<S: 'static>(
    state: S,
    draw: impl FnMut(&mut egui::Ui, &mut S) + 'static,
) -> Harness<'static, S> {
    Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .with_pixels_per_point(1.0)
        // Presenter mode's larger text settles its scroll areas over a few frames.
        .with_max_steps(8)
        .with_context_setup(install_fonts)
        .build_ui_state(draw, state)
}

/// The whole window (`LabApp`) on the lesson picker, its clock frozen.
pub fn lab_harness() -> Harness<'static, paxos_lab::ui::LabApp> {
    use paxos_lab::ui::{LabApp, PaxosApp, Settings};
    let mut lab = LabApp::new(PaxosApp::sandbox(Settings::default()).fonts_already_installed());
    lab.on_picker = true;
    lab.paxos.fixed_time = Some(0.0);
    window_harness(lab, |ui, lab: &mut LabApp| lab.ui(ui))
}

/// Clicks Search in the "Can this break?" window and steps frames (its progress bar repaints
/// while the search runs) until the window says the cluster can break, for two minutes at most.
pub fn search_until_broken<S>(h: &mut Harness<'_, S>) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label("Search").click();
    h.step();
    let started = std::time::Instant::now();
    while h.query_by_label_contains("It can break").is_none() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "no verdict in time"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.step();
    }
    h.run();
}

#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops `path` on the window, as the desktop hands a dropped file over (the next frame sees it).
pub fn drop_file<S>(h: &mut Harness<'_, S>, path: &std::path::Path) {
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path.to_path_buf())));
}
