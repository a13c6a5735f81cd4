//! The sandbox settings both apps show, and the protocol picker at their top: Paxos or
//! Multi-Paxos. This part edits a Multi-Paxos run's settings (servers, clients, workload, flaws,
//! seed, timing, random faults); the window around it starts the run.

use egui::Ui;

use super::i18n::{Lang, T};
use crate::palette::Palette;
use crate::protocols::kv::Workload;
use crate::protocols::multipaxos::{Config, Flaw};
use crate::sim::Knobs;
use crate::sim::ids::MAX_PER_ROLE;

/// Which protocol a sandbox runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolChoice {
    Paxos,
    MultiPaxos,
}

/// The protocol picker: a row of two choices.
pub fn protocol_picker(ui: &mut Ui, choice: &mut ProtocolChoice, lang: Lang) {
    ui.horizontal(|ui| {
        ui.label(T::Protocol.get(lang));
        for (c, t) in [
            (ProtocolChoice::Paxos, T::ProtocolPaxos),
            (ProtocolChoice::MultiPaxos, T::ProtocolMultiPaxos),
        ] {
            ui.radio_value(choice, c, t.get(lang));
        }
    });
}

/// A Multi-Paxos sandbox's settings being edited.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiPaxosSettings {
    pub config: Config,
    pub knobs: Knobs,
}

impl Default for MultiPaxosSettings {
    fn default() -> Self {
        MultiPaxosSettings {
            config: Config::default(),
            // Clients keep asking, so a sandbox has traffic; nothing fails unless asked to.
            knobs: Knobs {
                propose: 0.05,
                ..Knobs::NONE
            },
        }
    }
}

impl MultiPaxosSettings {
    /// The fields, and whether they make a valid run (the reason shown when not).
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, palette: &Palette) -> bool {
        let tr = |t: T| t.get(lang);
        let c = &mut self.config;
        egui::Grid::new("multipaxos-settings")
            .num_columns(2)
            .show(ui, |ui| {
                // Every field is named by its label, for screen readers and tests.
                let l = ui.label(tr(T::Servers));
                ui.add(egui::DragValue::new(&mut c.servers).range(1..=MAX_PER_ROLE.min(9)))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(tr(T::Clients));
                ui.add(egui::DragValue::new(&mut c.clients).range(0..=MAX_PER_ROLE.min(9)))
                    .labelled_by(l.id);
                ui.end_row();
                ui.label(tr(T::Workload));
                ui.horizontal(|ui| {
                    for (w, t) in [
                        (Workload::Mixed, T::WorkloadMixed),
                        (Workload::PutGet, T::WorkloadPutGet),
                    ] {
                        ui.radio_value(&mut c.workload, w, tr(t));
                    }
                });
                ui.end_row();
                let l = ui.label(tr(T::Seed));
                ui.add(egui::DragValue::new(&mut c.seed)).labelled_by(l.id);
                ui.end_row();
                let l = ui.label(tr(T::Latency));
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut c.latency.0).range(1..=1000))
                        .labelled_by(l.id);
                    ui.add(egui::DragValue::new(&mut c.latency.1).range(c.latency.0..=1000))
                        .labelled_by(l.id);
                });
                ui.end_row();
                let l = ui.label(tr(T::TimeoutTicks));
                ui.add(egui::DragValue::new(&mut c.timeout).range(3..=10_000))
                    .labelled_by(l.id);
                ui.end_row();
                let k = &mut self.knobs;
                for (t, p) in [
                    (T::DropProbability, &mut k.drop),
                    (T::DuplicateProbability, &mut k.duplicate),
                    (T::CrashProbability, &mut k.crash),
                    (T::RestartProbability, &mut k.restart),
                    (T::ProposeProbability, &mut k.propose),
                ] {
                    let l = ui.label(tr(t));
                    ui.add(egui::Slider::new(p, 0.0..=0.5)).labelled_by(l.id);
                    ui.end_row();
                }
            });
        ui.label(tr(T::Flaws));
        for flaw in Flaw::ALL {
            let mut on = self.config.flaws.contains(&flaw);
            if ui
                .checkbox(&mut on, flaw.name())
                .on_hover_text(flaw.broken_rule())
                .changed()
            {
                self.config.flaws.retain(|x| *x != flaw);
                if on {
                    self.config.flaws.push(flaw);
                }
            }
        }
        let valid = self.config.validate().and_then(|_| self.knobs.validate());
        if let Err(e) = &valid {
            ui.colored_label(palette.violation, e);
        }
        valid.is_ok()
    }
}
