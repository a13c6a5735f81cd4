//! "Can this break?" from a sandbox: the few bounds a student sets, raised to what the
//! cluster's flaws need to show (bounds, clients, the workload and its length), each change
//! with a note, and the search that follows. The app's windows, the CLI and the tests all go
//! through here, so what a test proves is what the window does.

use super::{Bounds, Options, Progress, Search, StoreSearch, Walks};
use crate::protocols::kv::Workload;

/// The most states one search of the app's may visit (about 2 GB at ~90 to 130 bytes per state).
pub const STATE_BUDGET: u64 = 20_000_000;
/// How many random walks one search takes, each of at most `WALK_STEPS` steps.
pub const WALKS: u64 = 2_000_000;
pub const WALK_STEPS: u32 = 60;

/// The bounds a student sets for a store protocol: small, because the space grows fast with each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreAsk {
    /// Operations each client is handed.
    pub ops: u8,
    pub timeouts: u8,
    pub total_timeouts: u8,
    pub retries: u8,
    pub crashes: u8,
    /// Lies the Byzantine servers may tell together.
    pub lies: u8,
    /// Random walks instead of breadth first.
    pub walks: bool,
}

impl Default for StoreAsk {
    fn default() -> Self {
        StoreAsk {
            ops: 1,
            timeouts: 1,
            total_timeouts: 1,
            retries: 0,
            crashes: 0,
            lies: 1,
            walks: false,
        }
    }
}

/// What a search by random walks of `config`'s cluster needs beyond breadth first's bounds: the
/// bounds raised and the length of each walk, with a note for each change (the app's and the
/// CLI's searches alike).
pub fn walk_plan<P: crate::protocols::Plugin>(
    config: &P::Config,
    bounds: &mut Bounds,
    notes: &mut Vec<&'static str>,
) -> u32 {
    notes.extend(P::walk_budgets(config, bounds));
    match P::walk_length(config) {
        Some((steps, why)) => {
            notes.push(why);
            steps
        }
        None => WALK_STEPS,
    }
}

/// A store protocol's search, ready to run.
#[derive(Clone, Debug)]
pub struct StorePlan<C> {
    pub config: C,
    pub workload: Workload,
    pub ops: u8,
    pub options: Options,
    /// The bounds as searched (what the window's fields then show).
    pub asked: StoreAsk,
    /// Why each bound was raised.
    pub notes: Vec<&'static str>,
}

/// The search for `config`'s cluster within `ask`, raised to what its flaws need.
pub fn store_plan<P: StoreSearch>(config: &P::Config, ask: StoreAsk) -> StorePlan<P::Config> {
    let mut config = config.clone();
    let mut bounds = Bounds {
        ballots: 2,
        drops: 0,
        duplicates: 0,
        crashes: ask.crashes,
        timeouts: Some(ask.timeouts),
        retries: Some(ask.retries),
        total_timeouts: Some(ask.total_timeouts),
        lies: ask.lies,
        // Raised under lease reads (see `kv::config::lease_budgets`).
        pauses: 0,
        pause_ticks: 0,
    };
    let mut ops = ask.ops;
    let mut notes = P::flaw_budgets(&mut config, &mut bounds, &mut ops);
    let workload = P::workload(&config);
    let mut walks = ask.walks;
    if let Some(why) = P::needs_walks(&config).filter(|_| !walks) {
        walks = true;
        notes.push(why);
    }
    let walk_steps = if walks {
        walk_plan::<P>(&config, &mut bounds, &mut notes)
    } else {
        WALK_STEPS
    };
    let asked = StoreAsk {
        ops,
        timeouts: bounds.timeouts.unwrap_or(ask.timeouts),
        total_timeouts: bounds.total_timeouts.unwrap_or(ask.total_timeouts),
        retries: bounds.retries.unwrap_or(ask.retries),
        crashes: bounds.crashes,
        lies: bounds.lies,
        walks,
    };
    let options = Options {
        slice: None,
        bounds,
        threads: 0,
        max_states: Some(STATE_BUDGET),
        max_memory: None,
        symmetry: false,
        max_depth: None,
        walks: walks.then_some(Walks {
            count: WALKS,
            steps: walk_steps,
            seed: 1,
        }),
    };
    StorePlan {
        config,
        workload,
        ops,
        options,
        asked,
        notes,
    }
}

impl<C> StorePlan<C> {
    /// Runs the search (on the caller's thread: the windows call it from their own).
    /// The search, ready to run or to run in slices.
    pub fn prepare<P: StoreSearch<Config = C>>(&self) -> Result<super::Exploration<P>, String> {
        P::prepare(&self.config, self.workload, self.ops, &self.options)
    }

    pub fn search<P: StoreSearch<Config = C>>(
        &self,
        progress: &Progress,
    ) -> Result<Search<P>, String> {
        P::search(
            &self.config,
            self.workload,
            self.ops,
            &self.options,
            progress,
        )
    }
}

/// The Paxos sandbox's search: `bounds` as the student set them, raised to what the flaws need.
pub fn paxos_plan(
    config: &crate::protocols::paxos::Config,
    bounds: Bounds,
    symmetry: bool,
) -> (Options, Vec<&'static str>) {
    let mut bounds = bounds;
    let notes = crate::protocols::paxos::budgets::flaw_budgets(config, &mut bounds);
    let options = Options {
        slice: None,
        bounds,
        threads: 0,
        max_states: Some(STATE_BUDGET),
        max_memory: None,
        symmetry,
        max_depth: None,
        walks: None,
    };
    (options, notes)
}
