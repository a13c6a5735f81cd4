//! A Multi-Paxos run's configuration: servers, clients, flaws, seed and timing. Plain serde
//! data, as a trace file and a lesson record it.

use serde::{Deserialize, Serialize};

use std::fmt;
use std::str::FromStr;

use crate::protocols::kv::Workload;
use crate::sim::ids::serde_as_string;

/// A deliberate bug, each breaking one rule of Multi-Paxos or of the store above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flaw {
    /// A new leader skips phase 1 and proposes at once, in slots it does not know are free.
    SkipPrepareOnFailover,
    /// A new leader proposes its own commands (or no-ops) in slots where promises reported votes.
    IgnorePromisedCommands,
    /// A leader treats a slot as chosen one vote short of a majority.
    CommitOnMinority,
    /// A retried request is applied again instead of answered from the table.
    NoDedup,
    /// Any server answers a get from its own store, without the log.
    StaleRead,
    /// A replica applies a chosen slot before the slots below it are known.
    ApplyPastHole,
}

impl Flaw {
    pub const ALL: [Flaw; 6] = [
        Flaw::SkipPrepareOnFailover,
        Flaw::IgnorePromisedCommands,
        Flaw::CommitOnMinority,
        Flaw::NoDedup,
        Flaw::StaleRead,
        Flaw::ApplyPastHole,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Flaw::SkipPrepareOnFailover => "skip-prepare-on-failover",
            Flaw::IgnorePromisedCommands => "ignore-promised-commands",
            Flaw::CommitOnMinority => "commit-on-minority",
            Flaw::NoDedup => "no-dedup",
            Flaw::StaleRead => "stale-read",
            Flaw::ApplyPastHole => "apply-past-hole",
        }
    }

    pub fn parse(s: &str) -> Result<Flaw, String> {
        Flaw::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Flaw::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "`{s}` is not a Multi-Paxos flaw (known: {})",
                    names.join(", ")
                )
            })
    }

    /// The rule of correct Multi-Paxos that this flaw breaks.
    pub fn broken_rule(self) -> &'static str {
        match self {
            Flaw::SkipPrepareOnFailover => {
                "a new leader learns every slot's votes from a majority before proposing"
            }
            Flaw::IgnorePromisedCommands => {
                "a new leader re-proposes the highest-ballot vote it heard for each slot"
            }
            Flaw::CommitOnMinority => "a slot is chosen by a majority voting in one ballot",
            Flaw::NoDedup => "a replica executes each request id at most once",
            Flaw::StaleRead => "reads go through the log",
            Flaw::ApplyPastHole => "replicas apply chosen slots in order, never past a hole",
        }
    }
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Flaw {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Flaw::parse(s)
    }
}
serde_as_string!(Flaw, "a flaw name such as \"stale-read\"");

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub servers: u8,
    pub clients: u8,
    pub flaws: Vec<Flaw>,
    pub seed: u64,
    /// Message delay in ticks, drawn uniformly from this range (both ends included).
    pub latency: (u32, u32),
    /// The election timeout's lower end in ticks (it is drawn from `timeout..=2 * timeout`);
    /// leaders send heartbeats every third of it, clients retry after twice it.
    pub timeout: u32,
    /// What clients ask for when auto-play hands them requests (the sandbox's request rate).
    #[serde(skip_serializing_if = "Workload::is_mixed")]
    pub workload: Workload,
    /// Servers that may lie: they follow the rules but may also send any message of the
    /// protocol's `lies`, and the monitor judges only the others.
    #[serde(skip_serializing_if = "crate::protocols::byzantine::none")]
    pub byzantine: Vec<crate::sim::NodeId>,
    /// The Pre-Vote of Multi-Paxos: a server whose election timer fires first asks whether a
    /// majority has lost its leader too, and starts phase 1 only if so. A server that cannot
    /// reach a majority never sends a higher ballot, so it cannot depose the leader when it comes
    /// back.
    #[serde(skip_serializing_if = "crate::protocols::kv::config::is_off")]
    pub pre_vote: bool,
    /// CheckQuorum: a leader that has not heard from a majority within an election timeout
    /// steps down. With it, leader stickiness: a server that hears from a live leader ignores
    /// another server's `Prepare`.
    #[serde(skip_serializing_if = "crate::protocols::kv::config::is_off")]
    pub check_quorum: bool,
    /// How a leader answers a get: through the log (the default), ReadIndex or a lease.
    #[serde(skip_serializing_if = "crate::protocols::kv::Reads::is_log")]
    pub reads: crate::protocols::kv::Reads,
    /// How far each node's clock may run fast or slow, in parts per thousand (0: none).
    #[serde(skip_serializing_if = "crate::protocols::kv::config::is_zero")]
    pub drift: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            servers: 3,
            clients: 2,
            flaws: Vec::new(),
            seed: 1,
            latency: (5, 15),
            timeout: 60,
            workload: Workload::Mixed,
            byzantine: Vec::new(),
            pre_vote: false,
            check_quorum: false,
            reads: crate::protocols::kv::Reads::Log,
            drift: 0,
        }
    }
}

impl Config {
    pub fn validate(&self) -> Result<(), String> {
        crate::protocols::kv::validate_cluster(
            self.servers,
            self.clients,
            self.latency,
            self.timeout,
            &self.flaws,
            &self.byzantine,
        )?;
        crate::protocols::kv::check_reads(self.reads, self.check_quorum, self.drift)
    }
}

crate::store_config!(
    Config,
    Flaw,
    leader = (pre_vote, check_quorum, reads, drift)
);
