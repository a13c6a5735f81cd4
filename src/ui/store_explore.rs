//! "Can this break?" in the Multi-Paxos and Raft workspaces: the explorer on the run's cluster
//! (its servers, clients, workload and flaws) in a background thread, breadth first within small
//! budgets or by random walks (for runs too deep, such as Raft's Figure 8), with progress and
//! Cancel; a counterexample opens in the workspace. The search and its window are the Paxos
//! sandbox's (`explore_panel::SearchRun`); this adds the store protocols' bounds.

use egui::Context;

use super::explore_panel::{Finding, STATE_BUDGET, SearchRun, bounds_grid};
use super::i18n::{Lang, T};
use super::multipaxos_settings::StoreConfig;
use super::theme::Palette;
use crate::explore::{Bounds, Options, StoreSearch, Walks};
use crate::trace::Trace;

/// How many random walks one search takes, each of at most `WALK_STEPS` steps.
pub const WALKS: u64 = 2_000_000;
pub const WALK_STEPS: u32 = 60;

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

pub struct StoreExploreWindow<P: StoreSearch> {
    pub open: bool,
    pub bounds: StoreBounds,
    config: P::Config,
    /// The counterexample is kept as a trace file's text: it crosses from the search's thread.
    run: SearchRun<String>,
}

impl<P: StoreSearch> Default for StoreExploreWindow<P> {
    fn default() -> Self {
        StoreExploreWindow {
            open: false,
            bounds: StoreBounds::default(),
            config: P::Config::default(),
            run: SearchRun::default(),
        }
    }
}

impl<P> StoreExploreWindow<P>
where
    P: StoreSearch<Config: StoreConfig + Send + 'static>,
{
    /// Opens the window for the run's cluster (a running search keeps going).
    pub fn open_for(&mut self, config: &P::Config) {
        if !self.run.is_running() && *config != self.config {
            self.config = config.clone();
            self.run.forget();
        }
        self.open = true;
    }

    pub fn is_running(&self) -> bool {
        self.run.is_running()
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
        self.run.start(move |progress| {
            Finding::of(
                P::search(&config, workload, ops, &options, progress),
                |trace| trace.to_ron(),
            )
        });
    }

    /// The window (nothing while closed); returns a counterexample to open in the workspace
    /// when asked to.
    pub fn ui(
        &mut self,
        ctx: &Context,
        lang: Lang,
        palette: &Palette,
        rule_name: impl Fn(&str) -> T,
    ) -> Option<Box<Trace<P>>> {
        if !self.open {
            // A search stopped by closing the window ends here, so reopening starts afresh.
            self.run.poll();
            return None;
        }
        let mut config = self.config.clone();
        let flaws = config.flaw_names();
        let f = config.fields();
        let cluster = format!(
            "{} S · {} C{}",
            f.servers,
            f.clients,
            flaws.iter().map(|x| format!(" · {x}")).collect::<String>()
        );
        let walks = self.bounds.walks.then_some(WALKS);
        let b = &mut self.bounds;
        let (start, watch) = self.run.window(
            ctx,
            &mut self.open,
            lang,
            palette,
            &cluster,
            walks,
            |ui| {
                bounds_grid(
                    ui,
                    "store-explore-bounds",
                    lang,
                    [
                        (T::OpsPerClient, &mut b.ops, 1..=3),
                        (T::TimeoutsPerServer, &mut b.timeouts, 1..=4),
                        (T::TimeoutsInAll, &mut b.total_timeouts, 1..=6),
                        (T::RetriesPerClient, &mut b.retries, 0..=2),
                        (T::CrashesAllowed, &mut b.crashes, 0..=2),
                    ],
                );
                ui.checkbox(&mut b.walks, T::UseRandomWalks.get(lang));
            },
            rule_name,
        );
        if start {
            self.start();
        }
        let text = watch?;
        match crate::trace::parse_as::<P>(std::path::Path::new("counterexample.ron"), &text, false)
        {
            Ok(t) => Some(Box::new(t)),
            Err(e) => {
                self.run.fail(e.to_string());
                None
            }
        }
    }
}
