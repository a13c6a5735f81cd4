//! What each flaw needs of a search (bounds, clients, the workload) to show at all.

use super::{Config, Flaw};
use crate::sim::bounds::Bounds;

/// What a Paxos flaw needs beyond the given bounds to show at all, added to `bounds`, with a
/// note for each change.
pub fn flaw_budgets(config: &Config, bounds: &mut Bounds) -> Vec<&'static str> {
    let mut notes = Vec::new();
    // Amnesia only shows after a restart: without a crash to spend the search can never see it.
    if config.flaws.contains(&Flaw::Amnesia) && bounds.crashes == 0 {
        bounds.crashes = 1;
        notes.push("the amnesia flaw needs a crash to show, so the search may crash one node (as --crashes 1)");
    }
    notes
}
