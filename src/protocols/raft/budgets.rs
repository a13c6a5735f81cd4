//! What each flaw needs of a search (bounds, clients, the workload) to show at all.

use super::{Config, Flaw};
use crate::sim::bounds::Bounds;

/// What a Raft flaw needs beyond the given bounds to show at all, added to `config` and
/// `bounds`, with a note saying so for each. Every one takes two elections (two servers
/// campaigning, or one twice).
pub fn flaw_budgets(config: &mut Config, bounds: &mut Bounds, ops: &mut u8) -> Vec<&'static str> {
    let mut notes = Vec::new();
    crate::protocols::kv::config::lease_budgets(config, bounds, ops, &mut notes);
    if !config.byzantine.is_empty() && bounds.total_timeouts.is_some_and(|t| t < 2) {
        bounds.total_timeouts = Some(2);
        notes.push("a lying server's second vote matters only in a second election, so the servers may time out twice in all (as --total-timeouts 2)");
    }
    if config.flaws.is_empty() {
        return notes;
    }
    let has = |f: Flaw| config.flaws.contains(&f);
    if bounds.total_timeouts.is_some_and(|t| t < 2) {
        bounds.total_timeouts = Some(2);
        notes.push("every Raft flaw shows only after a second election, so the servers may time out twice in all (as --total-timeouts 2)");
    }
    if has(Flaw::CommitPreviousTerm) {
        if bounds.timeouts.is_some_and(|t| t < 2) {
            bounds.timeouts = Some(2);
            notes.push("Figure 8 needs two servers to campaign twice each (as --timeouts 2)");
        }
        if bounds.total_timeouts.is_some_and(|t| t < 4) {
            bounds.total_timeouts = Some(4);
            notes.push("Figure 8 takes four elections (as --total-timeouts 4)");
        }
        if bounds.retries.is_some_and(|t| t < 1) {
            bounds.retries = Some(1);
            notes.push("Figure 8 needs two leaders to take a request each, so a client may retry once (as --retries 1)");
        }
    }
    if has(Flaw::NaiveSwap) {
        if config.servers < 5 || config.voters == 0 || config.voters + 2 > config.servers {
            config.servers = config.servers.max(5);
            config.voters = 3;
            notes.push("two servers joining a configuration of three at once shows only with five servers, three of them in the first configuration (as --servers 5 --voters 3)");
        }
        let spare = config.servers - config.voters;
        // Two elections suffice (every flaw has them): a leader adds both servers, and a
        // server of the old configuration is elected by a majority that misses the new one.
        if config.clients < spare.min(2) {
            config.clients = spare.min(2);
            notes.push("each server joins through its own client's change, so the search has two clients (as --clients 2)");
        }
    }
    if has(Flaw::VolatileState) && bounds.crashes == 0 {
        bounds.crashes = 1;
        notes.push(
            "volatile-state shows only when a server restarts, so one may crash (as --crashes 1)",
        );
    }
    if has(Flaw::StaleRead) {
        if config.clients < 2 {
            config.clients = 2;
            notes.push("a stale read shows only with a second client, so the search has two (as --clients 2)");
        }
        if bounds.retries.is_some_and(|t| t < 1) {
            bounds.retries = Some(1);
            notes.push("a stale read needs a request to reach a follower, so each client may retry once (as --retries 1)");
        }
        crate::protocols::kv::config::stale_read_workload(&mut config.workload, ops, &mut notes);
    }
    notes
}

/// Figure 8 lies deeper than a breadth-first search reaches within the app's budget.
pub fn needs_walks(config: &Config) -> Option<&'static str> {
    config
        .flaws
        .contains(&Flaw::CommitPreviousTerm)
        .then_some("Figure 8 lies about 25 steps deep, past what a breadth-first search visits within the app's budget, so the search takes random walks (as --walks)")
}

/// Random walks reach Figure 8 when there is room for more elections than its four: with two
/// timeouts per server and four in all a walk must spend every one just right (about one walk in
/// 50,000 to 270,000 breaks a rule), with three and six about one in 6,000. The walk's length
/// keeps each run bounded, so the larger budgets cost nothing per walk.
pub fn walk_budgets(config: &Config, bounds: &mut Bounds) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if !config.flaws.contains(&Flaw::CommitPreviousTerm) {
        return notes;
    }
    if bounds.timeouts.is_some_and(|t| t < 3) || bounds.total_timeouts.is_some_and(|t| t < 6) {
        bounds.timeouts = bounds.timeouts.map(|t| t.max(3));
        bounds.total_timeouts = bounds.total_timeouts.map(|t| t.max(6));
        notes.push("random walks find Figure 8 far sooner with room for more elections than its four, so the servers may time out three times each and six in all (as --timeouts 3 --total-timeouts 6)");
    }
    notes
}
