//! What the UI tests share: a harness for one view, and the whole window on the lesson picker.

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

/// The whole window (`LabApp`) on the lesson picker, its clock frozen.
pub fn lab_harness() -> Harness<'static, paxos_lab::ui::LabApp> {
    use paxos_lab::ui::{LabApp, PaxosApp, Settings};
    let mut paxos = PaxosApp::picker(Settings::default()).fonts_already_installed();
    paxos.fixed_time = Some(0.0);
    Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .with_pixels_per_point(1.0)
        .with_context_setup(install_fonts)
        .build_ui_state(
            |ui, lab: &mut paxos_lab::ui::LabApp| lab.ui(ui),
            LabApp::new(paxos),
        )
}
