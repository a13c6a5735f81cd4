//! A window that replays a recorded Multi-Paxos run (`paxos-lab gui run.ron`, an explorer's
//! counterexample say) step by step through the Multi-Paxos views: the log and the clients'
//! history on the left, the leader panel and the stores on the right. It only moves through the
//! recorded steps; the graph and the controls that change a run come with the full app.

use egui::{Context, RichText, Ui};

use super::ScreenshotPlan;
use super::history_view::HistoryView;
use super::i18n::{Lang, T, fill, multipaxos_invariant_name};
use super::leader_view::LeaderView;
use super::log_view::LogView;
use super::store_view::StoreView;
use crate::palette::Palette;
use crate::protocols::multipaxos::{MultiPaxos, MultiPaxosWorld};
use crate::session::{Command, Session};

pub struct MultiPaxosViewer {
    pub session: Session<MultiPaxos>,
    pub lang: Lang,
    /// Larger, high-contrast text for a projector (as the app's presenter mode).
    pub presenter: bool,
    log: LogView,
    store: StoreView,
    leader: LeaderView,
    history: HistoryView,
    /// The world one step back, for the stores' highlights, by (run version, position).
    previous: Option<(u64, u64, MultiPaxosWorld)>,
    screenshot: Option<ScreenshotPlan>,
}

impl MultiPaxosViewer {
    pub fn new(mut session: Session<MultiPaxos>, lang: Lang) -> Self {
        session.refresh_spans();
        MultiPaxosViewer {
            session,
            lang,
            presenter: false,
            log: LogView::default(),
            store: StoreView,
            leader: LeaderView,
            history: HistoryView::default(),
            previous: None,
            screenshot: None,
        }
    }

    pub(crate) fn screenshot_then_quit(
        &mut self,
        path: std::path::PathBuf,
        result: super::ScreenshotResult,
    ) {
        self.screenshot = Some(ScreenshotPlan::new(path, result));
    }

    fn keys(&self, ctx: &Context, out: &mut Vec<Command<MultiPaxos>>) {
        ctx.input(|i| {
            if i.key_pressed(egui::Key::ArrowRight) || i.key_pressed(egui::Key::PageDown) {
                out.push(Command::Seek(self.session.position() + 1));
            }
            if i.key_pressed(egui::Key::ArrowLeft) || i.key_pressed(egui::Key::PageUp) {
                out.push(Command::StepBack);
            }
            if i.key_pressed(egui::Key::Home) {
                out.push(Command::Reset);
            }
            if i.key_pressed(egui::Key::End) {
                out.push(Command::SeekEnd);
            }
        });
    }

    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        let lang = self.lang;
        let tr = |t: T| t.get(lang);
        let palette = Palette::standard(true);
        super::set_look(&ctx, 1.0, true, self.presenter);
        let mut out = Vec::new();
        self.keys(&ctx, &mut out);
        let (pos, len) = (self.session.position(), self.session.len());
        egui::Panel::top("viewer-bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(tr(T::ViewerTitle));
                ui.separator();
                if ui
                    .add_enabled(pos > 0, egui::Button::new(tr(T::ViewerFirst)))
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
                if ui
                    .add_enabled(pos < len, egui::Button::new(tr(T::StepForward)))
                    .clicked()
                {
                    // Only the recorded steps: this window replays, it does not schedule.
                    out.push(Command::Seek(pos + 1));
                }
                if ui
                    .add_enabled(pos < len, egui::Button::new(tr(T::ViewerLast)))
                    .clicked()
                {
                    out.push(Command::SeekEnd);
                }
                let mut at = pos;
                let slider = egui::Slider::new(&mut at, 0..=len)
                    .show_value(false)
                    .text(fill(tr(T::ViewerStepOf), &[&pos, &len]));
                if ui.add(slider).changed() {
                    out.push(Command::Seek(at));
                }
                ui.separator();
                if ui
                    .selectable_label(self.presenter, tr(T::PresenterMode))
                    .clicked()
                {
                    self.presenter = !self.presenter;
                }
                for l in Lang::ALL {
                    if ui
                        .selectable_label(self.lang == l, l.native_name())
                        .clicked()
                    {
                        self.lang = l;
                    }
                }
            });
            // The safety line: the first rule the run broke up to here, or that none is.
            let world = self.session.world();
            ui.horizontal_wrapped(|ui| match world.violations().first() {
                Some(v) => {
                    let text = fill(
                        tr(T::SafetyViolated),
                        &[&v.step, &tr(multipaxos_invariant_name(v.invariant))],
                    );
                    ui.label(
                        RichText::new(format!("✖ {text}"))
                            .strong()
                            .color(egui::Color32::WHITE)
                            .background_color(palette.violation),
                    );
                    ui.label(RichText::new(&v.detail).color(palette.violation));
                }
                None => {
                    ui.label(RichText::new(format!("✔ {}", tr(T::SafetyOk))).color(palette.ok));
                }
            });
            ui.label(RichText::new(tr(T::ViewerNote)).weak());
        });
        for c in out {
            self.session.apply(c);
        }
        self.session.refresh_spans();
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
        let before = self
            .previous
            .as_ref()
            .map(|(_, _, w)| w)
            .filter(|_| pos > 0);
        let marks = self.session.spans().1;
        egui::Panel::right("viewer-side")
            .resizable(true)
            .default_size(380.0)
            .show(ui, |ui| {
                self.leader.ui(ui, world, lang);
                ui.separator();
                self.store.ui(ui, world, before, lang, &palette);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            self.log.ui(ui, world, lang, &palette);
            ui.separator();
            self.history.ui(ui, world, marks, lang, &palette);
        });
        if let Some(plan) = &mut self.screenshot {
            plan.step(&ctx, &String::new);
        }
    }
}

impl eframe::App for MultiPaxosViewer {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        MultiPaxosViewer::ui(self, ui);
    }
}
