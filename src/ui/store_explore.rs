//! "Can this break?" in the Multi-Paxos and Raft workspaces: the explorer on the run's cluster
//! (its servers, clients, workload and flaws) in a background thread, breadth first within small
//! budgets or by random walks (for runs too deep, such as Raft's Figure 8), with progress and
//! Cancel; a counterexample opens in the workspace. The search never blocks a frame.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use egui::{Context, RichText};

use super::i18n::{Lang, T, fill};
use super::multipaxos_settings::StoreConfig;
use super::theme::Palette;
use crate::explore::{Bounds, Limit, Options, Progress, Search, StoreSearch, Verdict, Walks};
use crate::trace::Trace;

/// The most states one breadth-first search may visit here (about 2.5 GB at ~128 bytes each).
pub const STATE_BUDGET: u64 = 20_000_000;
/// How many random walks one search takes, each of at most `WALK_STEPS` steps.
pub const WALKS: u64 = 2_000_000;
pub const WALK_STEPS: u32 = 60;

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
        steps: usize,
        /// The random walk that found it (`None`: breadth first, so a shortest run).
        walk: Option<u64>,
        /// The counterexample as a trace file's text (it crosses from the search's thread).
        trace: String,
    },
    Cancelled,
    Limit(u64),
    NothingFound(u64),
    Failed(String),
}

/// The bounds a student sets: small, because the space grows fast with each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreBounds {
    pub ops: u8,
    pub timeouts: u8,
    pub total_timeouts: u8,
    pub retries: u8,
    pub crashes: u8,
    /// Random walks instead of breadth first.
    pub walks: bool,
}

impl Default for StoreBounds {
    fn default() -> Self {
        StoreBounds {
            ops: 1,
            timeouts: 1,
            total_timeouts: 1,
            retries: 0,
            crashes: 0,
            walks: false,
        }
    }
}

/// A search on its own thread: its live counters, and what it found, as plain data.
struct Job {
    progress: Arc<Progress>,
    handle: Option<std::thread::JoinHandle<Finding>>,
}

impl Drop for Job {
    fn drop(&mut self) {
        self.progress.cancel();
    }
}

pub struct StoreExploreWindow<P: StoreSearch> {
    pub open: bool,
    pub bounds: StoreBounds,
    config: P::Config,
    job: Option<Job>,
    finding: Option<Finding>,
}

impl<P: StoreSearch> Default for StoreExploreWindow<P> {
    fn default() -> Self {
        StoreExploreWindow {
            open: false,
            bounds: StoreBounds::default(),
            config: P::Config::default(),
            job: None,
            finding: None,
        }
    }
}

impl<P> StoreExploreWindow<P>
where
    P: StoreSearch<Config: StoreConfig + Send + 'static>,
{
    /// Opens the window for the run's cluster (a running search keeps going).
    pub fn open_for(&mut self, config: &P::Config) {
        if self.job.is_none() && *config != self.config {
            self.config = config.clone();
            self.finding = None;
        }
        self.open = true;
    }

    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts a search with the bounds shown, raised first to what the flaws need (the fields
    /// then show the bounds searched).
    pub fn start(&mut self) {
        let b = self.bounds;
        let mut config = self.config.clone();
        let mut bounds = Bounds {
            ballots: 2,
            drops: 0,
            duplicates: 0,
            crashes: b.crashes,
            timeouts: Some(b.timeouts),
            retries: Some(b.retries),
            total_timeouts: Some(b.total_timeouts),
        };
        P::flaw_budgets(&mut config, &mut bounds);
        self.bounds.crashes = bounds.crashes;
        self.bounds.timeouts = bounds.timeouts.unwrap_or(b.timeouts);
        self.bounds.total_timeouts = bounds.total_timeouts.unwrap_or(b.total_timeouts);
        self.bounds.retries = bounds.retries.unwrap_or(b.retries);
        let options = Options {
            bounds,
            threads: 0,
            max_states: Some(STATE_BUDGET),
            max_memory: None,
            symmetry: false,
            max_depth: None,
            walks: b.walks.then_some(Walks {
                count: WALKS,
                steps: WALK_STEPS,
                seed: 1,
            }),
        };
        let (workload, ops) = (*config.fields().workload, b.ops);
        self.finding = None;
        let progress = Arc::new(Progress::default());
        let shared = Arc::clone(&progress);
        let handle = std::thread::Builder::new()
            .name("explorer".into())
            .spawn(move || finding(P::search(&config, workload, ops, &options, &shared)))
            .ok();
        self.job = Some(Job { progress, handle });
    }

    pub fn cancel(&mut self) {
        if let Some(job) = &self.job {
            job.progress.cancel();
        }
    }

    fn poll(&mut self) {
        let Some(job) = &mut self.job else { return };
        let done = job.handle.as_ref().is_none_or(|h| h.is_finished());
        if !done {
            return;
        }
        let result = job.handle.take().map(|h| {
            h.join().unwrap_or_else(|_| {
                Finding::Failed("the explorer thread stopped unexpectedly".into())
            })
        });
        self.job = None;
        self.finding =
            Some(result.unwrap_or_else(|| {
                Finding::Failed("the explorer thread could not be started".into())
            }));
    }

    /// The window; returns a counterexample to open in the workspace when asked to.
    pub fn ui(
        &mut self,
        ctx: &Context,
        lang: Lang,
        palette: &Palette,
        rule_name: impl Fn(&str) -> T,
    ) -> Option<Box<Trace<P>>> {
        self.poll();
        let tr = |t: T| t.get(lang);
        let mut open = self.open;
        let (mut start, mut cancel, mut load) = (false, false, None);
        let mut failed = None;
        egui::Window::new(tr(T::ExploreTitle))
            .open(&mut open)
            .resizable(false)
            .default_width(440.0)
            .show(ctx, |ui| {
                ui.label(tr(T::ExploreIntro));
                let mut config = self.config.clone();
                let flaws = config.flaw_names();
                let f = config.fields();
                ui.label(
                    RichText::new(format!(
                        "{} S · {} C{}",
                        f.servers,
                        f.clients,
                        flaws.iter().map(|x| format!(" · {x}")).collect::<String>()
                    ))
                    .monospace(),
                );
                let idle = self.job.is_none();
                ui.add_enabled_ui(idle, |ui| {
                    egui::Grid::new("store-explore-bounds")
                        .num_columns(2)
                        .show(ui, |ui| {
                            let b = &mut self.bounds;
                            for (t, n, range) in [
                                (T::OpsPerClient, &mut b.ops, 1..=3),
                                (T::TimeoutsPerServer, &mut b.timeouts, 1..=4),
                                (T::TimeoutsInAll, &mut b.total_timeouts, 1..=6),
                                (T::RetriesPerClient, &mut b.retries, 0..=2),
                                (T::CrashesAllowed, &mut b.crashes, 0..=2),
                            ] {
                                let label = ui.label(tr(t));
                                ui.add(egui::DragValue::new(n).range(range))
                                    .labelled_by(label.id);
                                ui.end_row();
                            }
                        });
                    ui.checkbox(&mut self.bounds.walks, tr(T::UseRandomWalks));
                });
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(idle, egui::Button::new(tr(T::StartSearch)))
                        .clicked()
                    {
                        start = true;
                    }
                    if ui
                        .add_enabled(!idle, egui::Button::new(tr(T::CancelSearch)))
                        .clicked()
                    {
                        cancel = true;
                    }
                });
                if let Some(job) = &self.job {
                    let p = &job.progress;
                    let (done, budget) = if self.bounds.walks {
                        (p.states.load(Ordering::Relaxed), WALKS)
                    } else {
                        (p.states.load(Ordering::Relaxed), STATE_BUDGET)
                    };
                    let text = if self.bounds.walks {
                        fill(tr(T::WalksProgress), &[&done])
                    } else {
                        fill(
                            tr(T::SearchProgress),
                            &[
                                &p.depth.load(Ordering::Relaxed),
                                &done,
                                &p.transitions.load(Ordering::Relaxed),
                            ],
                        )
                    };
                    ui.add(
                        egui::ProgressBar::new(done as f32 / budget as f32)
                            .animate(true)
                            .text(text),
                    );
                    ctx.request_repaint_after(Duration::from_millis(100));
                }
                match &self.finding {
                    None => {}
                    Some(Finding::Safe { states, secs, rate }) => {
                        ui.colored_label(palette.chosen, fill(tr(T::SearchSafe), &[states]));
                        ui.label(fill(
                            tr(T::SearchFigures),
                            &[states, &format!("{secs:.2}"), &format!("{rate:.0}")],
                        ));
                    }
                    Some(Finding::Broken {
                        invariant,
                        detail,
                        steps,
                        walk,
                        trace,
                    }) => {
                        ui.colored_label(
                            palette.violation,
                            fill(tr(T::SearchViolation), &[&tr(rule_name(invariant))]),
                        );
                        ui.label(RichText::new(&detail[lang.index()]).small());
                        ui.label(match walk {
                            Some(w) => fill(tr(T::WalkCounterexample), &[w, steps]),
                            None => fill(tr(T::SearchCounterexample), &[steps]),
                        });
                        if ui.button(tr(T::LoadCounterexample)).clicked() {
                            let path = std::path::Path::new("counterexample.ron");
                            match crate::trace::parse_as::<P>(path, trace, false) {
                                Ok(t) => load = Some(Box::new(t)),
                                Err(e) => failed = Some(e.to_string()),
                            }
                        }
                    }
                    Some(Finding::Cancelled) => {
                        ui.label(tr(T::SearchCancelled));
                    }
                    Some(Finding::Limit(n)) => {
                        ui.label(fill(tr(T::SearchLimit), &[n]));
                    }
                    Some(Finding::NothingFound(n)) => {
                        ui.label(fill(tr(T::WalksNothingFound), &[n]));
                    }
                    Some(Finding::Failed(e)) => {
                        ui.colored_label(palette.violation, e);
                    }
                }
            });
        if let Some(e) = failed {
            self.finding = Some(Finding::Failed(e));
        }
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
        load
    }
}

/// What a search's result says, as plain data that may cross threads.
fn finding<P: crate::protocols::Plugin>(result: Result<Search<P>, String>) -> Finding {
    let Search {
        report,
        counterexample,
    } = match result {
        Ok(s) => s,
        Err(e) => return Finding::Failed(e),
    };
    match report.verdict {
        Verdict::Safe => Finding::Safe {
            states: report.unique_states,
            secs: report.elapsed.as_secs_f64(),
            rate: report.states_per_sec(),
        },
        Verdict::Violation { violation, .. } => match counterexample {
            Some(trace) => Finding::Broken {
                invariant: violation.invariant,
                detail: [violation.detail, violation.detail_zh],
                steps: trace.actions.len(),
                walk: (report.walks > 0).then_some(report.walks),
                trace: trace.to_ron(),
            },
            None => Finding::Failed("the counterexample was lost".into()),
        },
        Verdict::Cancelled => Finding::Cancelled,
        Verdict::Limit(Limit::Walks(w)) => Finding::NothingFound(w.count),
        Verdict::Limit(_) => Finding::Limit(report.unique_states),
    }
}
