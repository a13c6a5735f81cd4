//! A Raft run's configuration: servers, clients, flaws, seed, timing and the sandbox's workload.
//! Plain serde data, as a trace file and a lesson record it (the same fields as Multi-Paxos's, so
//! the two can run one workload side by side).

use serde::{Deserialize, Serialize};

use std::fmt;
use std::str::FromStr;

use crate::protocols::kv::Workload;
use crate::sim::ids::serde_as_string;

/// A deliberate bug, each breaking one rule of Raft or of the store above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flaw {
    /// A leader commits an entry of an earlier term by counting its replicas (the paper's
    /// Figure 8), instead of only through an entry of its own term.
    CommitPreviousTerm,
    /// A server grants a second vote in a term it already voted in.
    VoteTwice,
    /// A server votes for a candidate whose log is behind its own.
    NoUpToDateCheck,
    /// A restart loses the term, the vote and the log (kept in memory, not on disk).
    VolatileState,
    /// Any server answers a get from its own store, without the log.
    StaleRead,
    /// A leader starts a configuration change before the previous one is committed, so two
    /// servers join (or leave) at once: an old majority and a new one need not meet.
    NaiveSwap,
}

impl Flaw {
    pub const ALL: [Flaw; 6] = [
        Flaw::CommitPreviousTerm,
        Flaw::VoteTwice,
        Flaw::NoUpToDateCheck,
        Flaw::VolatileState,
        Flaw::StaleRead,
        Flaw::NaiveSwap,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Flaw::CommitPreviousTerm => "commit-previous-term",
            Flaw::VoteTwice => "vote-twice",
            Flaw::NoUpToDateCheck => "no-up-to-date-check",
            Flaw::VolatileState => "volatile-state",
            Flaw::StaleRead => "stale-read",
            Flaw::NaiveSwap => "naive-swap",
        }
    }

    pub fn parse(s: &str) -> Result<Flaw, String> {
        Flaw::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Flaw::ALL.iter().map(|f| f.name()).collect();
                format!("`{s}` is not a Raft flaw (known: {})", names.join(", "))
            })
    }

    /// The rule of correct Raft that this flaw breaks.
    pub fn broken_rule(self) -> &'static str {
        match self {
            Flaw::CommitPreviousTerm => {
                "a leader commits only entries of its own term by counting replicas"
            }
            Flaw::VoteTwice => "a server votes at most once per term",
            Flaw::NoUpToDateCheck => "a server votes only for a candidate at least as up to date",
            Flaw::VolatileState => "the term, the vote and the log survive a restart",
            Flaw::StaleRead => "reads go through the log",
            Flaw::NaiveSwap => {
                "the configuration changes one server at a time, each change committed before the next"
            }
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
serde_as_string!(Flaw, "a flaw name such as \"vote-twice\"");

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
    /// What clients ask for when auto-play hands them requests.
    #[serde(skip_serializing_if = "Workload::is_mixed")]
    pub workload: Workload,
    /// Servers that may lie: they follow the rules but may also send any message of the
    /// protocol's `lies`, and the monitor judges only the others.
    #[serde(skip_serializing_if = "crate::protocols::byzantine::none")]
    pub byzantine: Vec<crate::sim::NodeId>,
    /// Pre-Vote (Ongaro's thesis, section 9.6): a server whose election timer fires first asks
    /// whether it could win, without raising its term, and campaigns only if a majority says
    /// yes. A server that cannot reach a majority never raises its term, so it cannot disrupt
    /// the leader when it comes back.
    #[serde(skip_serializing_if = "crate::protocols::kv::config::is_off")]
    pub pre_vote: bool,
    /// CheckQuorum: a leader that has not heard from a majority within an election timeout
    /// steps down. With it, leader stickiness (the thesis, section 4.2.3): a server that hears
    /// from a live leader ignores RequestVote and refuses Pre-Vote.
    #[serde(skip_serializing_if = "crate::protocols::kv::config::is_off")]
    pub check_quorum: bool,
    /// How a leader answers a get: through the log (the default), ReadIndex or a lease.
    #[serde(skip_serializing_if = "crate::protocols::kv::Reads::is_log")]
    pub reads: crate::protocols::kv::Reads,
    /// How far each node's clock may run fast or slow, in parts per thousand (0: none).
    #[serde(skip_serializing_if = "crate::protocols::kv::config::is_zero")]
    pub drift: u32,
    /// The first configuration: servers `S1..S<voters>` (0: every server). The others start
    /// outside it, with empty logs, until a configuration change (`AddServer`) adds them.
    #[serde(skip_serializing_if = "is_zero_u8")]
    pub voters: u8,
}

fn is_zero_u8(n: &u8) -> bool {
    *n == 0
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
            voters: 0,
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
        if self.voters > self.servers {
            return Err(format!(
                "voters: the first configuration names {} of {} servers",
                self.voters, self.servers
            ));
        }
        crate::protocols::kv::check_reads(self.reads, self.check_quorum, self.drift)
    }
}

crate::store_config!(
    Config,
    Flaw,
    leader = (pre_vote, check_quorum, reads, drift),
    voters = voters
);
