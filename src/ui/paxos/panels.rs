//! The smaller views: the transport controls with the scrubber, the safety bar, and the sandbox
//! settings window.

use egui::{Color32, RichText, Ui};

use crate::protocols::paxos::Node;
use crate::protocols::paxos::Paxos;
use crate::protocols::paxos::acceptor_list;
use crate::protocols::paxos::{Config, Flaw, acceptor, proposer};
use crate::session::Command;
use crate::sim::Knobs;
use crate::sim::NodeId;
use crate::trace::Protocol;
use crate::ui::Frame;
use crate::ui::i18n::{T, fill, invariant_name};
use crate::ui::store::settings::protocol_picker;
use crate::ui::workspace::{AppCommand, RunSettings};

/// Play, pause, step, back, reset, speed and the scrubber over the whole run.
#[derive(Default)]
pub struct ControlsView;

impl ControlsView {
    pub fn ui(&mut self, ui: &mut Ui, f: &Frame, out: &mut Vec<Command<Paxos>>) {
        ui.horizontal(|ui| {
            if ui
                .button(format!("⏮ {}", f.tr(T::Reset)))
                .on_hover_text("Home")
                .clicked()
            {
                out.push(Command::Reset);
            }
            if ui
                .button(format!("◀ {}", f.tr(T::StepBack)))
                .on_hover_text("←")
                .clicked()
            {
                out.push(Command::StepBack);
            }
            let play = if f.session.playing {
                format!("⏸ {}", f.tr(T::Pause))
            } else {
                format!("▶ {}", f.tr(T::Play))
            };
            // In an exercise the student acts: nothing plays past the end of their run.
            let at_end = f.session.position() >= f.session.len();
            let may_run_on = f.controls.is_none() || !at_end;
            let hover = |r: egui::Response, key: &str| {
                if may_run_on {
                    r.on_hover_text(key.to_string())
                } else {
                    r.on_disabled_hover_text(f.tr(T::ActYourself))
                }
            };
            let playing = f.session.playing;
            if hover(
                ui.add_enabled(may_run_on || playing, egui::Button::new(play)),
                "Space",
            )
            .clicked()
            {
                out.push(Command::TogglePlay);
            }
            if hover(
                ui.add_enabled(
                    may_run_on,
                    egui::Button::new(format!("{} ▶|", f.tr(T::StepForward))),
                ),
                "→",
            )
            .clicked()
            {
                out.push(Command::StepForward);
            }
            if ui
                .button(format!("{} ⏭", f.tr(T::JumpToEnd)))
                .on_hover_text("End")
                .clicked()
            {
                out.push(Command::SeekEnd);
            }
            ui.separator();
            let mut speed = f.session.speed;
            let label = ui.label(f.tr(T::Speed));
            let slider = egui::Slider::new(&mut speed, 0.25..=20.0)
                .logarithmic(true)
                .show_value(false);
            if ui.add(slider).labelled_by(label.id).changed() {
                out.push(Command::SetSpeed(speed));
            }
            ui.label(format!("{speed:.2} {}", f.tr(T::StepsPerSecond)));
        });
        ui.horizontal(|ui| {
            let len = f.session.len();
            let mut pos = f.session.position();
            let label = ui.label(format!("{} {pos} / {len}", f.tr(T::Step)));
            ui.spacing_mut().slider_width = (ui.available_width() - 20.0).max(100.0);
            let scrubber = egui::Slider::new(&mut pos, 0..=len.max(1)).show_value(false);
            if ui.add(scrubber).labelled_by(label.id).changed() {
                out.push(Command::Seek(pos));
            }
        });
    }
}

/// What is chosen, what each learner knows, and the live state of every invariant.
pub fn safety_bar(ui: &mut Ui, f: &Frame, out: &mut Vec<Command<Paxos>>) {
    let world = f.session.world();
    let pal = f.palette;
    ui.horizontal_wrapped(|ui| {
        // A deliberately broken cluster says so, always in view: a class must never mistake a
        // flaw's violation for Paxos failing.
        let flaws = &f.session.config().flaws;
        if !flaws.is_empty() {
            let names: Vec<&str> = flaws.iter().map(|x| x.name()).collect();
            ui.label(
                RichText::new(format!(
                    "⚠ {}",
                    fill(f.tr(T::FlawBadge), &[&names.join(", ")])
                ))
                .strong()
                .color(Color32::WHITE)
                .background_color(pal.violation),
            );
            ui.separator();
        }
        match world.monitor().chosen.first() {
            Some(c) => {
                let line = fill(
                    f.tr(T::ChosenLine),
                    &[&c.value, &c.step, &c.ballot, &acceptor_list(c.acceptors)],
                );
                ui.label(
                    RichText::new(format!("★ {line}"))
                        .strong()
                        .color(pal.chosen),
                );
            }
            None => {
                ui.label(RichText::new(f.tr(T::NothingChosen)).strong());
            }
        }
        ui.separator();
        for slot in world.nodes() {
            if let Node::Learner(l) = &slot.state {
                let text = match l.learned {
                    Some(x) => fill(f.tr(T::LearnedLine), &[&slot.id, &x.value, &x.step]),
                    None => fill(f.tr(T::NotLearned), &[&slot.id]),
                };
                ui.label(text);
            }
        }
    });
    ui.horizontal_wrapped(|ui| {
        let violations = world.violations();
        let liars = world.protocol().has_liars();
        if let Some(v) = violations.first() {
            let text = fill(
                f.tr(T::SafetyViolated),
                &[&v.step, &f.tr(invariant_name(v.invariant, liars))],
            );
            ui.label(
                RichText::new(format!("✖ {text}"))
                    .strong()
                    .color(Color32::WHITE)
                    .background_color(pal.violation),
            );
            ui.label(
                RichText::new(v.detail_in(f.lang == crate::ui::Lang::Zh)).color(pal.violation),
            );
            if f.session.position() != v.step
                && ui.button(fill(f.tr(T::GoToStep), &[&v.step])).clicked()
            {
                out.push(Command::Seek(v.step));
            }
        } else {
            ui.label(RichText::new(format!("✔ {}", f.tr(T::SafetyOk))).color(pal.ok));
        }
        ui.separator();
        for &id in world.protocol().invariants() {
            let broken = violations.iter().any(|v| v.invariant == id);
            let (mark, color) = if broken {
                ("✖", pal.violation)
            } else {
                ("✔", pal.ok)
            };
            ui.label(
                RichText::new(format!("{mark} {}", f.tr(invariant_name(id, liars))))
                    .color(color)
                    .size(12.0 * f.text_scale),
            );
        }
    });
}

/// The sandbox settings being edited; applying them starts a new run.
pub struct SettingsWindow {
    pub open: bool,
    config: Config,
    knobs: Knobs,
    majority1: bool,
    majority2: bool,
    /// The protocol picker's choice.
    pub choice: Protocol,
    /// The other protocols' settings, made when first picked.
    others: Vec<Box<dyn RunSettings>>,
    /// Set when another protocol's run was asked for; the app opens its workspace.
    pub requested: Option<AppCommand>,
}

impl Default for SettingsWindow {
    fn default() -> Self {
        SettingsWindow {
            open: false,
            config: Config::default(),
            knobs: Knobs::default(),
            majority1: true,
            majority2: true,
            choice: Protocol::Paxos,
            others: Vec::new(),
            requested: None,
        }
    }
}

impl SettingsWindow {
    pub fn open_with(&mut self, config: &Config, knobs: Knobs) {
        self.config = config.clone();
        self.knobs = knobs;
        self.majority1 = config.q1.is_none();
        self.majority2 = config.q2.is_none();
        self.choice = Protocol::Paxos;
        self.open = true;
    }

    pub fn ui(&mut self, ctx: &egui::Context, f: &Frame, out: &mut Vec<Command<Paxos>>) {
        let mut open = self.open;
        let mut start = false;
        egui::Window::new(f.tr(T::SandboxSettings))
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| {
                protocol_picker(ui, &mut self.choice, f.lang);
                ui.separator();
                let choice = self.choice;
                if !self.others.iter().any(|s| s.protocol() == choice)
                    && let Some(fresh) =
                        crate::with_protocol!(choice, P => <P as crate::ui::workspace::Shown>::run_settings())
                {
                    self.others.push(fresh);
                }
                if let Some(other) = self.others.iter_mut().find(|s| s.protocol() == choice) {
                    let valid = other.ui(ui, f.lang, &f.palette);
                    if ui
                        .add_enabled(valid, egui::Button::new(f.tr(T::StartNewRun)))
                        .clicked()
                    {
                        self.requested = Some(AppCommand::NewRun(other.boxed_clone()));
                    }
                    return;
                }
                let c = &mut self.config;
                egui::Grid::new("settings").num_columns(2).show(ui, |ui| {
                    for (t, n) in [
                        (T::Proposers, &mut c.proposers),
                        (T::Acceptors, &mut c.acceptors),
                        (T::Learners, &mut c.learners),
                    ] {
                        // Every field is named by its label, for screen readers and tests.
                        let l = ui.label(f.tr(t));
                        ui.add(egui::DragValue::new(n).range(1..=25))
                            .labelled_by(l.id);
                        ui.end_row();
                    }
                    let (n, most) = (c.acceptors, c.majority());
                    for (t, q, majority) in [
                        (T::PhaseOneQuorum, &mut c.q1, &mut self.majority1),
                        (T::PhaseTwoQuorum, &mut c.q2, &mut self.majority2),
                    ] {
                        let l = ui.label(f.tr(t));
                        ui.horizontal(|ui| {
                            ui.checkbox(majority, f.tr(T::Majority));
                            if *majority {
                                *q = None;
                            } else {
                                let mut k = q.unwrap_or(most).min(n);
                                ui.add(egui::DragValue::new(&mut k).range(1..=n))
                                    .labelled_by(l.id);
                                *q = Some(k);
                            }
                        });
                        ui.end_row();
                    }
                    let l = ui.label(f.tr(T::Seed));
                    ui.add(egui::DragValue::new(&mut c.seed)).labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(f.tr(T::Latency));
                    ui.horizontal(|ui| {
                        ui.add(egui::DragValue::new(&mut c.latency.0).range(1..=1000))
                            .labelled_by(l.id);
                        ui.add(egui::DragValue::new(&mut c.latency.1).range(c.latency.0..=1000))
                            .labelled_by(l.id);
                    });
                    ui.end_row();
                    let l = ui.label(f.tr(T::TimeoutTicks));
                    ui.add(egui::DragValue::new(&mut c.timeout).range(1..=10_000))
                        .labelled_by(l.id);
                    ui.end_row();
                    let k = &mut self.knobs;
                    for (t, p) in [
                        (T::DropProbability, &mut k.drop),
                        (T::DuplicateProbability, &mut k.duplicate),
                        (T::CrashProbability, &mut k.crash),
                        (T::RestartProbability, &mut k.restart),
                        (T::ProposeProbability, &mut k.propose),
                        (T::LieProbability, &mut k.lie),
                    ] {
                        let l = ui.label(f.tr(t));
                        ui.add(egui::Slider::new(p, 0.0..=0.5)).labelled_by(l.id);
                        ui.end_row();
                    }
                });
                ui.label(f.tr(T::Flaws));
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
                // Acceptors and proposers may lie; a learner sends nothing to lie with.
                ui.label(f.tr(T::ByzantineNodes));
                ui.horizontal_wrapped(|ui| {
                    let c = &mut self.config;
                    let ids: Vec<NodeId> = (1..=c.proposers)
                        .map(proposer)
                        .chain((1..=c.acceptors).map(acceptor))
                        .collect();
                    c.byzantine.retain(|id| ids.contains(id));
                    for id in ids {
                        let mut on = c.byzantine.contains(&id);
                        if ui
                            .checkbox(&mut on, id.to_string())
                            .on_hover_text(f.tr(T::ByzantineHint))
                            .changed()
                        {
                            c.byzantine.retain(|x| *x != id);
                            if on {
                                c.byzantine.push(id);
                                c.byzantine.sort();
                            }
                        }
                    }
                });
                if !self.config.quorums_intersect() {
                    ui.colored_label(f.palette.violation, f.tr(T::QuorumsMayNotIntersect));
                }
                let valid = self.config.validate().and_then(|_| self.knobs.validate());
                if let Err(e) = &valid {
                    ui.colored_label(f.palette.violation, e);
                }
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(valid.is_ok(), egui::Button::new(f.tr(T::StartNewRun)))
                        .clicked()
                    {
                        start = true;
                    }
                });
            });
        if start {
            out.push(Command::NewRun(self.config.clone(), self.knobs));
            open = false;
        }
        if self.requested.is_some() {
            open = false;
        }
        self.open = open;
    }
}
