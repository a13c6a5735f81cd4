//! "Can this break?": runs the explorer on the sandbox's cluster in a background thread, shows
//! its progress against the state budget with a cancel button, and opens a counterexample in
//! the timeline. The search never blocks a frame; the window polls it. The search, its window
//! and what it found (`SearchRun`, `Finding`) serve the Multi-Paxos and Raft workspaces too
//! (`store_explore`).

use std::ops::RangeInclusive;
use std::sync::atomic::Ordering;
use std::time::Duration;

use egui::{Context, RichText, Ui};

use crate::explore::{Background, Bounds, Exploration, Limit, Progress, Search, Verdict};
use crate::protocols::paxos::Config;
use crate::protocols::paxos::Paxos;
use crate::session::Command;
use crate::trace::Trace;
use crate::ui::Frame;
use crate::ui::i18n::{Lang, T, fill, invariant_name};
use crate::ui::views::theme::Palette;

pub use crate::explore::ask::STATE_BUDGET;

/// What the last search found, kept until the next one starts; `C` is how the window keeps the
/// counterexample until it is watched.
pub(crate) enum Finding<C> {
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
        trace: C,
    },
    Cancelled,
    Limit(u64),
    /// Random walks broke nothing: no verdict.
    NothingFound(u64),
    Failed(String),
}

impl<C> Finding<C> {
    /// What a search's result says; `keep` turns its counterexample into what the window keeps.
    pub(crate) fn of<P: crate::protocols::Plugin>(
        result: Result<Search<P>, String>,
        keep: impl FnOnce(Trace<P>) -> C,
    ) -> Self {
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
                    trace: keep(trace),
                },
                None => Finding::Failed("the counterexample was lost".into()),
            },
            Verdict::Cancelled => Finding::Cancelled,
            Verdict::Limit(Limit::Walks(w)) => Finding::NothingFound(w.count),
            Verdict::Limit(_) => Finding::Limit(report.unique_states),
        }
    }

    /// The finding in words; true when "Watch it" is clicked.
    fn show(
        &self,
        ui: &mut Ui,
        lang: Lang,
        palette: &Palette,
        rule_name: impl Fn(&str) -> T,
    ) -> bool {
        let tr = |t: T| t.get(lang);
        match self {
            Finding::Safe { states, secs, rate } => {
                ui.colored_label(palette.chosen, fill(tr(T::SearchSafe), &[states]));
                ui.label(fill(
                    tr(T::SearchFigures),
                    &[states, &format!("{secs:.2}"), &format!("{rate:.0}")],
                ));
            }
            Finding::Broken {
                invariant,
                detail,
                steps,
                walk,
                ..
            } => {
                ui.colored_label(
                    palette.violation,
                    fill(tr(T::SearchViolation), &[&tr(rule_name(invariant))]),
                );
                ui.label(RichText::new(&detail[lang.index()]).small());
                ui.label(match walk {
                    Some(w) => fill(tr(T::WalkCounterexample), &[w, steps]),
                    None => fill(tr(T::SearchCounterexample), &[steps]),
                });
                return ui.button(tr(T::LoadCounterexample)).clicked();
            }
            Finding::Cancelled => {
                ui.label(tr(T::SearchCancelled));
            }
            Finding::Limit(n) => {
                ui.label(fill(tr(T::SearchLimit), &[n]));
            }
            Finding::NothingFound(n) => {
                ui.label(fill(tr(T::WalksNothingFound), &[n]));
            }
            Finding::Failed(e) => {
                ui.colored_label(palette.violation, e);
            }
        }
        false
    }
}

/// A search on its own thread and what the last one found.
pub(crate) struct SearchRun<C> {
    job: Option<Background<Finding<C>>>,
    finding: Option<Finding<C>>,
}

impl<C> Default for SearchRun<C> {
    fn default() -> Self {
        SearchRun {
            job: None,
            finding: None,
        }
    }
}

impl<C: Clone + Send + 'static> SearchRun<C> {
    pub(crate) fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts the search `prepare` makes (on its own thread, or in a page a slice per frame),
    /// forgetting the last finding; what it finds is kept as `keep` makes it.
    pub(crate) fn start<P>(
        &mut self,
        prepare: impl FnOnce() -> Result<Exploration<P>, String> + Send + 'static,
        keep: impl FnOnce(Trace<P>) -> C + Send + 'static,
    ) where
        P: crate::sim::canon::Canonical + crate::protocols::Plugin,
        P::Node: Send + Sync,
        P::Monitor: Send + Sync,
    {
        self.finding = None;
        self.job = Some(Background::run(prepare, |found| Finding::of(found, keep)));
    }

    pub(crate) fn cancel(&self) {
        if let Some(job) = &self.job {
            job.cancel();
        }
    }

    /// Forgets the last finding (the cluster it was about changed).
    pub(crate) fn forget(&mut self) {
        self.finding = None;
    }

    /// Shows why a counterexample cannot be watched, in place of the finding.
    pub(crate) fn fail(&mut self, why: String) {
        self.finding = Some(Finding::Failed(why));
    }

    /// Takes the search's result once it has ended.
    pub(crate) fn poll(&mut self) {
        let Some(job) = &mut self.job else { return };
        let Some(result) = job.finished() else { return };
        self.job = None;
        self.finding = Some(result.unwrap_or_else(Finding::Failed));
    }

    /// The window: what it does, the `cluster` searched, the `bounds` (fixed while a search
    /// runs), Search and Cancel, the progress (of `walks` random walks, or breadth first) and
    /// what was found. Closing it stops the search. Returns whether Search was clicked, and the
    /// counterexample when "Watch it" was.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn window(
        &mut self,
        ctx: &Context,
        open: &mut bool,
        lang: Lang,
        palette: &Palette,
        cluster: &str,
        walks: Option<u64>,
        bounds: impl FnOnce(&mut Ui),
        rule_name: impl Fn(&str) -> T,
    ) -> (bool, Option<C>) {
        self.poll();
        let tr = |t: T| t.get(lang);
        let (mut start, mut cancel, mut watch) = (false, false, None);
        egui::Window::new(tr(T::ExploreTitle))
            .open(open)
            .resizable(false)
            .default_width(420.0)
            .show(ctx, |ui| {
                ui.label(tr(T::ExploreIntro));
                ui.label(RichText::new(cluster).monospace());
                let idle = self.job.is_none();
                ui.add_enabled_ui(idle, bounds);
                ui.horizontal(|ui| {
                    start = ui
                        .add_enabled(idle, egui::Button::new(tr(T::StartSearch)))
                        .clicked();
                    cancel = ui
                        .add_enabled(!idle, egui::Button::new(tr(T::CancelSearch)))
                        .clicked();
                });
                if let Some(job) = &self.job {
                    progress_bar(ui, &job.progress, walks, lang);
                    // A page runs the search in the frames it draws: draw the next one at once.
                    if cfg!(target_arch = "wasm32") {
                        ctx.request_repaint();
                    } else {
                        ctx.request_repaint_after(Duration::from_millis(100));
                    }
                }
                if let Some(f) = &self.finding
                    && f.show(ui, lang, palette, rule_name)
                    && let Finding::Broken { trace, .. } = f
                {
                    watch = Some(trace.clone());
                }
            });
        // Closing the window stops the search: nothing would show its result.
        if cancel || !*open {
            self.cancel();
        }
        (start, watch)
    }
}

/// How far the search has gone: walks taken of `walks`, or states visited of the budget.
fn progress_bar(ui: &mut Ui, p: &Progress, walks: Option<u64>, lang: Lang) {
    let tr = |t: T| t.get(lang);
    let done = p.states.load(Ordering::Relaxed);
    let (text, budget) = match walks {
        Some(n) => (fill(tr(T::WalksProgress), &[&done]), n),
        None => (
            fill(
                tr(T::SearchProgress),
                &[
                    &p.depth.load(Ordering::Relaxed),
                    &done,
                    &p.transitions.load(Ordering::Relaxed),
                ],
            ),
            STATE_BUDGET,
        ),
    };
    ui.add(
        egui::ProgressBar::new(done as f32 / budget as f32)
            .animate(true)
            .text(text),
    );
}

/// Small bounds, each a labelled number in a grid.
pub(crate) fn bounds_grid<const N: usize>(
    ui: &mut Ui,
    id: &str,
    lang: Lang,
    rows: [(T, &mut u8, RangeInclusive<u8>); N],
) {
    egui::Grid::new(id).num_columns(2).show(ui, |ui| {
        for (t, n, range) in rows {
            let label = ui.label(t.get(lang));
            ui.add(egui::DragValue::new(n).range(range))
                .labelled_by(label.id);
            ui.end_row();
        }
    });
}

pub struct ExploreWindow {
    pub open: bool,
    config: Config,
    bounds: Bounds,
    symmetry: bool,
    run: SearchRun<Box<Trace<Paxos>>>,
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
            run: SearchRun::default(),
        }
    }
}

impl ExploreWindow {
    /// Opens the window for the sandbox's current cluster (a running search keeps going).
    pub fn open_for(&mut self, config: &Config) {
        if !self.run.is_running() && *config != self.config {
            self.config = config.clone();
            self.run.forget();
        }
        self.open = true;
    }

    pub fn is_running(&self) -> bool {
        self.run.is_running()
    }

    /// Starts a search with the bounds shown, raised first to what the flaws need.
    pub fn start(&mut self) {
        let (options, _) =
            crate::explore::ask::paxos_plan(&self.config, self.bounds, self.symmetry);
        self.bounds = options.bounds;
        let config = self.config.clone();
        self.run.start(
            move || crate::explore::prepare_paxos(&config, &options),
            Box::new,
        );
    }

    pub fn cancel(&mut self) {
        self.run.cancel();
    }

    pub fn ui(&mut self, ctx: &Context, f: &Frame, out: &mut Vec<Command<Paxos>>) {
        let c = &self.config;
        let cluster = format!(
            "{} P · {} A · {} L{}",
            c.proposers,
            c.acceptors,
            c.learners,
            c.flaws
                .iter()
                .map(|x| format!(" · {x}"))
                .collect::<String>()
        );
        let liars = !self.config.byzantine.is_empty();
        let (config, bounds, symmetry) = (&mut self.config, &mut self.bounds, &mut self.symmetry);
        let mut quorums_changed = false;
        let (start, watch) = self.run.window(
            ctx,
            &mut self.open,
            f.lang,
            &f.palette,
            &cluster,
            None,
            |ui| {
                quorums_changed = quorum_sliders(ui, config, f.lang, &f.palette);
                ui.separator();
                bounds_grid(
                    ui,
                    "explore-bounds",
                    f.lang,
                    [
                        (T::BallotsPerProposer, &mut bounds.ballots, 1..=4),
                        (T::DropsAllowed, &mut bounds.drops, 0..=3),
                        (T::DuplicatesAllowed, &mut bounds.duplicates, 0..=3),
                        (T::CrashesAllowed, &mut bounds.crashes, 0..=3),
                    ],
                );
                ui.checkbox(symmetry, f.tr(T::SymmetryReduction));
            },
            |id| invariant_name(id, liars),
        );
        if quorums_changed {
            // The finding was about other quorums.
            self.run.forget();
        }
        if start {
            self.start();
        }
        if let Some(trace) = watch {
            out.push(Command::Open(trace));
        }
    }
}

/// Flexible Paxos: the phase-1 and phase-2 quorum sizes as sliders, and, as they move, whether
/// every pair of quorums meets (q1 + q2 > n). Safety rests on that alone, not on majorities
/// (Howard, Malkhi and Spiegelman, 2016), which the search then proves or refutes. True when
/// a size changed.
fn quorum_sliders(ui: &mut Ui, config: &mut Config, lang: Lang, palette: &Palette) -> bool {
    let tr = |t: T| t.get(lang);
    let (n, majority) = (config.acceptors, config.majority());
    // The flaw sets both sizes itself; the sliders then only show them.
    let fixed = config.has(crate::protocols::paxos::Flaw::MinorityQuorum);
    let (mut q1, mut q2) = config.quorums();
    let mut changed = false;
    ui.label(tr(T::FlexibleQuorums));
    ui.add_enabled_ui(!fixed, |ui| {
        egui::Grid::new("explore-quorums")
            .num_columns(2)
            .show(ui, |ui| {
                for (t, q) in [(T::PhaseOneQuorum, &mut q1), (T::PhaseTwoQuorum, &mut q2)] {
                    let label = ui.label(tr(t));
                    changed |= ui
                        .add(egui::Slider::new(q, 1..=n))
                        .labelled_by(label.id)
                        .changed();
                    ui.end_row();
                }
            });
    });
    if changed {
        // A majority stays unwritten, so a saved trace says only what differs.
        config.q1 = (q1 != majority).then_some(q1);
        config.q2 = (q2 != majority).then_some(q2);
    }
    let (q1, q2) = config.quorums();
    let (words, colour) = if config.quorums_intersect() {
        (T::QuorumsMeet, palette.chosen)
    } else {
        (T::QuorumsMiss, palette.violation)
    };
    ui.colored_label(colour, fill(tr(words), &[&q1, &q2, &n]));
    changed
}
