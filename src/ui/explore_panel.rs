//! "Can this break?": runs the explorer on the sandbox's cluster in a background thread, shows
//! its progress against the state budget with a cancel button, and opens a counterexample in
//! the timeline. The search never blocks a frame; the window polls it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use egui::{Context, RichText};

use super::Frame;
use super::i18n::{T, fill, invariant_name};
use crate::explore::{Background, Bounds, Options, PaxosSearch, Verdict};
use crate::protocols::paxos::Config;
use crate::session::Command;
use crate::trace::Trace;

/// The most states the app lets one search visit (about 2 GB at ~90 bytes per state).
pub const STATE_BUDGET: u64 = 20_000_000;

/// What the last search found, kept until the next one starts.
enum Finding {
    Safe {
        states: u64,
        secs: f64,
        rate: f64,
    },
    Broken {
        invariant: &'static str,
        /// In English and in Chinese.
        detail: [String; 2],
        trace: Box<Trace>,
    },
    Cancelled,
    Limit(u64),
    Failed(String),
}

pub struct ExploreWindow {
    pub open: bool,
    config: Config,
    bounds: Bounds,
    symmetry: bool,
    job: Option<Background>,
    finding: Option<Finding>,
}

impl Default for ExploreWindow {
    fn default() -> Self {
        ExploreWindow {
            open: false,
            config: Config::default(),
            bounds: Bounds {
                ballots: 1,
                ..Bounds::default()
            },
            symmetry: true,
            job: None,
            finding: None,
        }
    }
}

impl ExploreWindow {
    /// Opens the window for the sandbox's current cluster (a running search keeps going).
    pub fn open_for(&mut self, config: &Config) {
        if self.job.is_none() && *config != self.config {
            self.config = config.clone();
            self.finding = None;
        }
        self.open = true;
    }

    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    pub fn start(&mut self) {
        let options = Options {
            bounds: self.bounds,
            threads: 0,
            max_states: Some(STATE_BUDGET),
            max_memory: None,
            symmetry: self.symmetry,
            max_depth: None,
            walks: None,
        };
        self.finding = None;
        self.job = Some(Background::spawn(self.config.clone(), options));
    }

    pub fn cancel(&mut self) {
        if let Some(job) = &self.job {
            job.cancel();
        }
    }

    /// Takes the search's result once it has ended.
    pub fn poll(&mut self) {
        let Some(job) = &mut self.job else { return };
        let Some(result) = job.finished() else { return };
        self.job = None;
        self.finding = Some(match result {
            Err(e) => Finding::Failed(e),
            Ok(PaxosSearch {
                report,
                counterexample,
            }) => match report.verdict {
                Verdict::Safe => Finding::Safe {
                    states: report.unique_states,
                    secs: report.elapsed.as_secs_f64(),
                    rate: report.states_per_sec(),
                },
                Verdict::Violation { violation, .. } => match counterexample {
                    Some(trace) => Finding::Broken {
                        invariant: violation.invariant,
                        detail: [violation.detail, violation.detail_zh],
                        trace: Box::new(trace),
                    },
                    None => Finding::Failed("the counterexample was lost".into()),
                },
                Verdict::Cancelled => Finding::Cancelled,
                Verdict::Limit(_) => Finding::Limit(report.unique_states),
            },
        });
    }

    pub fn ui(&mut self, ctx: &Context, f: &Frame, out: &mut Vec<Command>) {
        self.poll();
        let mut open = self.open;
        let mut start = false;
        let mut cancel = false;
        egui::Window::new(f.tr(T::ExploreTitle))
            .open(&mut open)
            .resizable(false)
            .default_width(420.0)
            .show(ctx, |ui| {
                ui.label(f.tr(T::ExploreIntro));
                ui.label(
                    RichText::new(format!(
                        "{} P · {} A · {} L{}",
                        self.config.proposers,
                        self.config.acceptors,
                        self.config.learners,
                        self.config
                            .flaws
                            .iter()
                            .map(|x| format!(" · {x}"))
                            .collect::<String>()
                    ))
                    .monospace(),
                );
                let idle = self.job.is_none();
                ui.add_enabled_ui(idle, |ui| {
                    egui::Grid::new("explore-bounds")
                        .num_columns(2)
                        .show(ui, |ui| {
                            let b = &mut self.bounds;
                            for (t, n, range) in [
                                (T::BallotsPerProposer, &mut b.ballots, 1..=4),
                                (T::DropsAllowed, &mut b.drops, 0..=3),
                                (T::DuplicatesAllowed, &mut b.duplicates, 0..=3),
                                (T::CrashesAllowed, &mut b.crashes, 0..=3),
                            ] {
                                let label = ui.label(f.tr(t));
                                ui.add(egui::DragValue::new(n).range(range))
                                    .labelled_by(label.id);
                                ui.end_row();
                            }
                        });
                    ui.checkbox(&mut self.symmetry, f.tr(T::SymmetryReduction));
                });
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(idle, egui::Button::new(f.tr(T::StartSearch)))
                        .clicked()
                    {
                        start = true;
                    }
                    if ui
                        .add_enabled(!idle, egui::Button::new(f.tr(T::CancelSearch)))
                        .clicked()
                    {
                        cancel = true;
                    }
                });
                if let Some(job) = &self.job {
                    let p = &job.progress;
                    let states = p.states.load(Ordering::Relaxed);
                    ui.add(
                        egui::ProgressBar::new(states as f32 / STATE_BUDGET as f32)
                            .animate(true)
                            .text(fill(
                                f.tr(T::SearchProgress),
                                &[
                                    &p.depth.load(Ordering::Relaxed),
                                    &states,
                                    &p.transitions.load(Ordering::Relaxed),
                                ],
                            )),
                    );
                    ctx.request_repaint_after(Duration::from_millis(100));
                }
                match &self.finding {
                    None => {}
                    Some(Finding::Safe { states, secs, rate }) => {
                        ui.colored_label(f.palette.chosen, fill(f.tr(T::SearchSafe), &[states]));
                        ui.label(fill(
                            f.tr(T::SearchFigures),
                            &[states, &format!("{secs:.2}"), &format!("{rate:.0}")],
                        ));
                    }
                    Some(Finding::Broken {
                        invariant,
                        detail,
                        trace,
                    }) => {
                        ui.colored_label(
                            f.palette.violation,
                            fill(
                                f.tr(T::SearchViolation),
                                &[&f.tr(invariant_name(invariant))],
                            ),
                        );
                        ui.label(RichText::new(&detail[f.lang.index()]).small());
                        ui.label(fill(f.tr(T::SearchCounterexample), &[&trace.actions.len()]));
                        if ui.button(f.tr(T::LoadCounterexample)).clicked() {
                            out.push(Command::Open(trace.clone()));
                        }
                    }
                    Some(Finding::Cancelled) => {
                        ui.label(f.tr(T::SearchCancelled));
                    }
                    Some(Finding::Limit(n)) => {
                        ui.label(fill(f.tr(T::SearchLimit), &[n]));
                    }
                    Some(Finding::Failed(e)) => {
                        ui.colored_label(f.palette.violation, e);
                    }
                }
            });
        if start {
            self.start();
        }
        if cancel {
            self.cancel();
        }
        if !open {
            // Closing the window stops the search: nothing would show its result.
            self.cancel();
        }
        self.open = open;
    }
}
