//! What a search needs (bounds, clients) for PBFT's faults and flaws to show at all.

use super::{Config, Flaw};
use crate::sim::bounds::Bounds;

/// What the flaws of a PBFT config need beyond the given bounds, added to `config` and `bounds`,
/// with a note saying so for each. Liars get no more than the bounds given: a view change costs
/// the search millions of states (see the README's PBFT section), so it is the user's to ask for.
pub fn flaw_budgets(config: &mut Config, bounds: &mut Bounds, _ops: &mut u8) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if config.flaws.contains(&Flaw::IgnoreCertificates)
        && bounds.total_timeouts.is_some_and(|t| t < 2)
    {
        bounds.total_timeouts = Some(2);
        notes.push("a view change needs f + 1 replicas to time out before the others join, so the replicas may time out twice in all (as --total-timeouts 2)");
    }
    if config.flaws.contains(&Flaw::IgnoreCertificates) && config.clients < 2 {
        config.clients = 2;
        notes.push("a request dropped in a view change shows only beside a second client's, so the search has two (as --clients 2)");
    }
    notes
}

/// A new primary's flaw shows only after a view change, past what a breadth-first search visits
/// within the app's budget (3 million states reach depth 21 of about 30), while random walks
/// find it within a few walks.
pub fn needs_walks(config: &Config) -> Option<&'static str> {
    config
        .flaws
        .contains(&Flaw::IgnoreCertificates)
        .then_some("ignore-certificates shows only after a view change, about 30 steps deep, past what a breadth-first search visits within the app's budget, so the search takes random walks (as --walks)")
}
