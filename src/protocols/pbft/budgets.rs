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

/// Why a breadth-first search would not reach what this config breaks, if so:
/// - a new primary's flaw shows only after a view change, past what a breadth-first search
///   visits within the app's budget (3 million states reach depth 21 of about 30), while random
///   walks find it within a few walks;
/// - below the bound (n < 3f + 1) with only backups lying, a fork needs a view change the liar
///   leads: the honest primary of view 0 proposes one request per slot, so two honest replicas
///   commit different ones at a slot only once the liar, as the next primary, puts another
///   there, after two replicas time out: about 17 steps, where breadth first runs out of
///   memory near depth 14 (24 million states); random walks find it in under a second.
///   (With the primary lying, breadth first finds a shortest fork within seconds.)
pub fn needs_walks(config: &Config) -> Option<&'static str> {
    if config.flaws.contains(&Flaw::IgnoreCertificates) {
        return Some(
            "ignore-certificates shows only after a view change, about 30 steps deep, past what a breadth-first search visits within the app's budget, so the search takes random walks (as --walks)",
        );
    }
    if lying_backups_below_bound(config) {
        return Some(
            "with fewer than 3f + 1 replicas and only backups lying, a fork needs a view change that a liar leads, about 16 steps deep, past what a breadth-first search visits, so the search takes random walks (as --walks)",
        );
    }
    None
}

/// Whether some replica lies, none of them is the first primary (S1), and n < 3f + 1.
fn lying_backups_below_bound(config: &Config) -> bool {
    !config.byzantine.is_empty()
        && !config.bound_holds()
        && config.byzantine.iter().all(|id| id.index != 1)
}

/// What random walks need for a lying backup's fork (see `needs_walks`): room for a few lies
/// (a second pre-prepare for a slot of its view, a commit it never earned), for the timeouts
/// that make it primary, and for a client's retry, so that every replica hears of the request.
/// Each raised bound comes with a note.
pub fn walk_budgets(config: &Config, bounds: &mut Bounds) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if !lying_backups_below_bound(config) {
        return notes;
    }
    if bounds.lies < 4 {
        bounds.lies = 4;
        notes.push("a lying backup forks as the next view's primary with two lies or more (a second pre-prepare for one slot, a commit it never earned), so the liars may lie four times (as --lies 4)");
    }
    if bounds.timeouts.is_some_and(|t| t < 2) || bounds.total_timeouts.is_some_and(|t| t < 3) {
        bounds.timeouts = bounds.timeouts.map(|t| t.max(2));
        bounds.total_timeouts = bounds.total_timeouts.map(|t| t.max(3));
        notes.push("the liar becomes primary only once f + 1 replicas ask for the next view, so the replicas may time out twice each and three times in all (as --timeouts 2 --total-timeouts 3)");
    }
    if bounds.retries.is_some_and(|r| r < 1) {
        bounds.retries = Some(1);
        notes.push("a backup waits on a request only once it has heard of it, which its client's retry to every replica makes sure of, so each client may retry once (as --retries 1)");
    }
    notes
}

/// How long the random walks for a lying backup's fork may be (see `needs_walks`): about twice
/// the fork's depth. Longer walks pass through more view changes: with 60 steps, the first walk
/// that forks three replicas with S2 lying (one request) is 46 steps long after minimising, two
/// view changes deep; with 30, 16 steps and one view change, found in about a second.
pub fn walk_length(config: &Config) -> Option<(u32, &'static str)> {
    lying_backups_below_bound(config).then_some((
        30,
        "each walk takes at most 30 steps, about twice the fork's depth: longer walks wander through more view changes and find longer forks (as --depth 30)",
    ))
}
