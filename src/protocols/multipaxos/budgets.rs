//! What each flaw needs of a search (bounds, clients, the workload) to show at all.

use super::{Config, Flaw};
use crate::sim::bounds::Bounds;

/// What a Multi-Paxos flaw needs beyond the given bounds to show at all, added to `config` and
/// `bounds`, with a note saying so for each.
pub fn flaw_budgets(config: &mut Config, bounds: &mut Bounds, ops: &mut u8) -> Vec<&'static str> {
    let mut notes = Vec::new();
    crate::protocols::kv::config::lease_budgets(config, bounds, ops, &mut notes);
    let has = |f: Flaw| config.flaws.contains(&f);
    if (has(Flaw::SkipPrepareOnFailover) || has(Flaw::StaleRead)) && config.clients < 2 {
        config.clients = 2;
        notes.push(
            "this flaw shows only with a second client, so the search has two (as --clients 2)",
        );
    }
    if has(Flaw::StaleRead) && bounds.retries.unwrap_or(0) == 0 {
        bounds.retries = Some(1);
        notes.push("a stale read needs a request to reach a follower, so each client may retry once (as --retries 1)");
    }
    if has(Flaw::StaleRead) {
        crate::protocols::kv::config::stale_read_workload(&mut config.workload, ops, &mut notes);
    }
    let failover = has(Flaw::SkipPrepareOnFailover) || has(Flaw::IgnorePromisedCommands);
    if failover && bounds.total_timeouts.is_some_and(|t| t < 2) {
        bounds.total_timeouts = Some(2);
        notes.push("this flaw shows only in a failover, a second server's election, so the servers may time out twice in all (as --total-timeouts 2)");
    }
    if has(Flaw::NoDedup) && bounds.duplicates == 0 {
        bounds.duplicates = 1;
        notes.push("no-dedup needs a request to arrive twice, so the network may copy one message (as --duplicates 1)");
    }
    notes
}
