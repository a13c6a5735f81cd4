//! "Can this break?" in the Multi-Paxos and Raft workspaces: the explorer on the run's cluster
//! (its servers, clients, workload and flaws) in a background thread, breadth first within small
//! budgets or by random walks (for runs too deep, such as Raft's Figure 8), with progress and
//! Cancel; a counterexample opens in the workspace. The search and its window are the Paxos
//! sandbox's (`explore_panel::SearchRun`); this adds the store protocols' bounds.

use egui::Context;

use crate::explore::StoreSearch;
use crate::protocols::kv::config::StoreConfig;
use crate::trace::Trace;
use crate::ui::i18n::{Lang, T};
use crate::ui::paxos::explore_panel::{SearchRun, bounds_grid};
use crate::ui::views::theme::Palette;

/// The bounds a student sets (the explorer's own type: the tests search through it too).
pub type StoreBounds = crate::explore::ask::StoreAsk;
pub use crate::explore::ask::{WALK_STEPS, WALKS};

pub struct StoreExploreWindow<P: StoreSearch> {
    pub open: bool,
    pub bounds: StoreBounds,
    config: P::Config,
    /// The last search raised the bounds shown to what the flaws need.
    raised: bool,
    /// The last search handed the clients another workload than the run's.
    workload_raised: bool,
    /// The counterexample is kept as a trace file's text: it crosses from the search's thread.
    run: SearchRun<String>,
}

impl<P: StoreSearch> Default for StoreExploreWindow<P> {
    fn default() -> Self {
        StoreExploreWindow {
            open: false,
            bounds: StoreBounds::default(),
            config: P::Config::default(),
            raised: false,
            workload_raised: false,
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
    /// then show the bounds searched, the window the notes saying why).
    pub fn start(&mut self) {
        let plan = crate::explore::ask::store_plan::<P>(&self.config, self.bounds);
        self.bounds = plan.asked;
        self.raised = !plan.notes.is_empty();
        self.workload_raised = plan.workload != P::workload(&self.config);
        self.run
            .start(move || plan.prepare::<P>(), |trace| trace.to_ron());
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
        let raised = self.raised;
        let workload_raised = self.workload_raised;
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
                if raised {
                    ui.label(egui::RichText::new(T::SearchRaised.get(lang)).weak());
                }
                if workload_raised {
                    ui.label(egui::RichText::new(T::SearchRaisedWorkload.get(lang)).weak());
                }
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
