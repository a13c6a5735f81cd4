//! What the store protocols' configs share (servers, clients, workload, timing, flaws of their
//! own), for the layers that treat every store protocol alike: the settings window, the CLI,
//! the explorer.

use crate::protocols::plugin::{Plugin, Setup};
use crate::sim::world::ActionOf;
use crate::sim::{Action, Protocol};

use super::{Op, Workload, client};

pub trait StoreConfig: Clone + std::fmt::Debug + PartialEq + Default {
    type Flaw: Copy + PartialEq + 'static;
    fn fields(&mut self) -> Fields<'_>;
    fn flaws(&mut self) -> &mut Vec<Self::Flaw>;
    fn all_flaws() -> &'static [Self::Flaw];
    /// A flaw's name and the rule it breaks.
    fn flaw_words(flaw: Self::Flaw) -> (&'static str, &'static str);
    /// The flaw called `name`, or why there is none.
    fn parse_flaw(name: &str) -> Result<Self::Flaw, String>;
    fn check(&self) -> Result<(), String>;
    /// The names of the flaws switched on.
    fn flaw_names(&self) -> Vec<&'static str>;

    /// The config the command line's shared options describe, checked.
    fn from_setup(setup: &Setup) -> Result<Self, String> {
        let mut config = Self::default();
        let mut f = config.fields();
        f.size(setup.servers, setup.faults);
        *f.clients = setup.clients;
        *f.workload = setup.workload;
        *f.seed = setup.seed;
        *f.latency = setup.latency;
        *f.timeout = setup.timeout;
        *f.byzantine = crate::protocols::byzantine::parse(&setup.byzantine)?;
        f.set_leader_options(LeaderOptionsSetting {
            pre_vote: setup.pre_vote,
            check_quorum: setup.check_quorum,
            reads: setup.reads,
            drift: setup.drift,
        })?;
        *config.flaws() = setup
            .flaws
            .iter()
            .map(|f| Self::parse_flaw(f))
            .collect::<Result<_, _>>()?;
        config.check()?;
        Ok(config)
    }

    /// The servers, the clients and the workload, read without editing.
    fn cluster(&self) -> (u8, u8, Workload) {
        let mut c = self.clone();
        let f = c.fields();
        (*f.servers, *f.clients, *f.workload)
    }
}

/// The fields every store config has.
pub struct Fields<'a> {
    pub servers: &'a mut u8,
    pub clients: &'a mut u8,
    pub workload: &'a mut Workload,
    pub seed: &'a mut u64,
    pub latency: &'a mut (u32, u32),
    pub timeout: &'a mut u32,
    pub byzantine: &'a mut Vec<crate::sim::NodeId>,
    /// f, for a protocol whose quorums are sized for Byzantine replicas (PBFT).
    pub faults: Option<&'a mut u8>,
    /// The options of a leader-based protocol that has them (Raft, Multi-Paxos).
    pub leader: Option<LeaderOptions<'a>>,
    /// The servers of the first configuration, for a protocol that changes its configuration
    /// (Raft): 0, every server.
    pub voters: Option<&'a mut u8>,
}

/// What deployed leader-based protocols add: elections a partition cannot disrupt, reads off
/// the log, and the clocks leases rest on. All default off, so traces written before them load
/// and replay unchanged.
pub struct LeaderOptions<'a> {
    /// Ask first whether an election could be won, without raising the term or ballot.
    pub pre_vote: &'a mut bool,
    /// A leader that has not heard from a majority within an election timeout steps down,
    /// and a server that hears from a live leader ignores requests to elect another.
    pub check_quorum: &'a mut bool,
    /// How a leader answers a get.
    pub reads: &'a mut super::Reads,
    /// How far each node's clock may run fast or slow, in parts per thousand.
    pub drift: &'a mut u32,
}

/// The leader options as the command line gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeaderOptionsSetting {
    pub pre_vote: bool,
    pub check_quorum: bool,
    pub reads: super::Reads,
    pub drift: u32,
}

impl LeaderOptionsSetting {
    pub fn any(&self) -> bool {
        *self != LeaderOptionsSetting::default()
    }
}

/// Serde's test for an option left at its default (off): then a trace does not write it.
pub fn is_off(on: &bool) -> bool {
    !*on
}

/// Serde's test for no drift: then a trace does not write it.
pub fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Fields<'_> {
    /// Sets the leader options as asked; asking a protocol without them is an error.
    pub fn set_leader_options(&mut self, o: LeaderOptionsSetting) -> Result<(), String> {
        match &mut self.leader {
            Some(e) => {
                *e.pre_vote = o.pre_vote;
                *e.check_quorum = o.check_quorum;
                *e.reads = o.reads;
                *e.drift = o.drift;
                Ok(())
            }
            None if o.any() => Err(NO_LEADER_OPTIONS.to_string()),
            None => Ok(()),
        }
    }

    /// Switches the election options as asked, the others unchanged.
    pub fn set_elections(&mut self, pre_vote: bool, check_quorum: bool) -> Result<(), String> {
        let current = self.leader_options();
        self.set_leader_options(LeaderOptionsSetting {
            pre_vote,
            check_quorum,
            ..current
        })
    }

    /// The leader options as set (all off for a protocol without them).
    pub fn leader_options(&self) -> LeaderOptionsSetting {
        self.leader
            .as_ref()
            .map_or_else(LeaderOptionsSetting::default, |e| LeaderOptionsSetting {
                pre_vote: *e.pre_vote,
                check_quorum: *e.check_quorum,
                reads: *e.reads,
                drift: *e.drift,
            })
    }

    /// Sets the servers and f where given: a protocol with f defaults to 3f + 1 servers.
    pub fn size(&mut self, servers: Option<u8>, faults: Option<u8>) {
        if let (Some(f), Some(given)) = (self.faults.as_deref_mut(), faults) {
            *f = given;
        }
        match (servers, self.faults.as_deref()) {
            (Some(n), _) => *self.servers = n,
            (None, Some(&f)) => *self.servers = (3 * f as u32 + 1).min(u8::MAX as u32) as u8,
            (None, None) => {}
        }
    }
}

/// What `--pre-vote`, `--check-quorum`, `--reads` or `--drift` says to a protocol without them.
pub const NO_LEADER_OPTIONS: &str =
    "--pre-vote, --check-quorum, --reads and --drift are options of Raft and Multi-Paxos only";

/// `StoreConfig` for a store protocol's `Config` and `Flaw` (each has the same fields): PBFT
/// names its `faults` field, Raft and Multi-Paxos their `elections` options.
#[macro_export]
macro_rules! store_config {
    ($config:ty, $flaw:ty $(, faults = $faults:ident)? $(, leader = ($pre_vote:ident, $check_quorum:ident, $reads:ident, $drift:ident))? $(, voters = $voters:ident)?) => {
        impl $crate::protocols::kv::config::StoreConfig for $config {
            type Flaw = $flaw;
            fn fields(&mut self) -> $crate::protocols::kv::config::Fields<'_> {
                $crate::protocols::kv::config::Fields {
                    servers: &mut self.servers,
                    clients: &mut self.clients,
                    workload: &mut self.workload,
                    seed: &mut self.seed,
                    latency: &mut self.latency,
                    timeout: &mut self.timeout,
                    byzantine: &mut self.byzantine,
                    faults: {
                        #[allow(unused_mut, unused_assignments)]
                        let mut faults: Option<&mut u8> = None;
                        $(faults = Some(&mut self.$faults);)?
                        faults
                    },
                    leader: {
                        #[allow(unused_mut, unused_assignments)]
                        let mut leader = None;
                        $(leader = Some($crate::protocols::kv::config::LeaderOptions {
                            pre_vote: &mut self.$pre_vote,
                            check_quorum: &mut self.$check_quorum,
                            reads: &mut self.$reads,
                            drift: &mut self.$drift,
                        });)?
                        leader
                    },
                    voters: {
                        #[allow(unused_mut, unused_assignments)]
                        let mut voters: Option<&mut u8> = None;
                        $(voters = Some(&mut self.$voters);)?
                        voters
                    },
                }
            }
            fn flaws(&mut self) -> &mut Vec<$flaw> {
                &mut self.flaws
            }
            fn all_flaws() -> &'static [$flaw] {
                &<$flaw>::ALL
            }
            fn flaw_words(flaw: $flaw) -> (&'static str, &'static str) {
                (flaw.name(), flaw.broken_rule())
            }
            fn parse_flaw(name: &str) -> Result<$flaw, String> {
                <$flaw>::parse(name)
            }
            fn check(&self) -> Result<(), String> {
                self.validate()
            }
            fn flaw_names(&self) -> Vec<&'static str> {
                self.flaws.iter().map(|f| f.name()).collect()
            }
        }
    };
}

/// The most operations `simulate` hands each client.
pub const MAX_OPS: u32 = 10_000;

/// Every client's operations from the workload, handed over at the start, round by round (a
/// client runs them one after another).
pub fn workload_requests<P: Protocol<Request = Op>>(
    config: &impl StoreConfig,
    seed: u64,
    ops: u32,
) -> Result<Vec<ActionOf<P>>, String> {
    if ops > MAX_OPS {
        return Err(format!(
            "--ops: at most {MAX_OPS} operations per client, not {ops}"
        ));
    }
    let (_, clients, workload) = config.cluster();
    let lists: Vec<Vec<Op>> = (1..=clients).map(|c| workload.ops(seed, c, ops)).collect();
    Ok((0..ops as usize)
        .flat_map(|k| {
            lists.iter().enumerate().filter_map(move |(c, list)| {
                list.get(k)
                    .map(|op| Action::Propose(client(c as u8 + 1), *op))
            })
        })
        .collect())
}

/// A protocol under the replicated store: its config is a store config, and its handlers can be
/// made with every client's operations handed over (as the explorer starts a search).
pub trait StoreProtocol: Plugin<Request = Op, Config: StoreConfig> {
    fn with_workload(config: &Self::Config, workload: Vec<Vec<Op>>) -> Self;
    /// Configuration changes a search hands out before the workload, one to each client in
    /// turn (Raft: adding each server outside the first configuration); none by default.
    fn changes(_config: &Self::Config) -> Vec<Op> {
        Vec::new()
    }
}

/// What a search under lease reads needs for a lease to break at all: a pause longer than the
/// lease's margin (three election timeouts unless given), a second client whose put the stale
/// get misses, a retry to reach the new leader, and the elections that take under CheckQuorum
/// (the leader's own, then a follower that first gives up on it and then campaigns, and a voter
/// that gives up on it too).
pub fn lease_budgets<C: StoreConfig>(
    config: &mut C,
    bounds: &mut crate::sim::bounds::Bounds,
    ops: &mut u8,
    notes: &mut Vec<&'static str>,
) {
    let f = config.fields();
    if !f
        .leader
        .as_ref()
        .is_some_and(|l| *l.reads == super::Reads::Lease)
    {
        return;
    }
    let (timeout, latency, clients, workload) = (*f.timeout, f.latency, f.clients, f.workload);
    if *latency != (0, 0) {
        *latency = (0, 0);
        notes.push("the search's messages arrive the moment they are sent, the timing most against a lease, so its run replays with no latency (as latency (0, 0))");
    }
    if bounds.pauses == 0 {
        bounds.pauses = 1;
        notes.push("a lease breaks only when its leader pauses, so one server may pause once (as --pauses 1)");
    }
    if bounds.pause_ticks == 0 {
        bounds.pause_ticks = timeout.saturating_mul(3).min(crate::sim::world::MAX_PAUSE);
        notes.push("each pause lasts three election timeouts, far past the lease's margin (as --pause-ticks with three times the timeout)");
    }
    if *clients < 2 {
        *clients = 2;
        notes.push(
            "a stale read shows only with a second client, so the search has two (as --clients 2)",
        );
    }
    if bounds.retries.is_some_and(|t| t < 1) {
        bounds.retries = Some(1);
        notes.push("a stale read needs a put to reach the new leader, so each client may retry once (as --retries 1)");
    }
    if bounds.timeouts.is_some_and(|t| t < 2) {
        bounds.timeouts = Some(2);
        notes.push("under CheckQuorum a follower gives up on its leader at one timeout and campaigns at the next (as --timeouts 2)");
    }
    if bounds.total_timeouts.is_some_and(|t| t < 4) {
        bounds.total_timeouts = Some(4);
        notes.push("a second leader under CheckQuorum takes four timeouts: the first election, a follower giving up and campaigning, and its voter giving up (as --total-timeouts 4)");
    }
    if *workload != Workload::PutGet || *ops < 3 {
        *workload = Workload::PutGet;
        *ops = (*ops).max(3);
        notes.push("a stale get breaks linearizability only if it is asked after a put it cannot be ordered before; with every operation handed over at the start, that is a client's second put, so each client puts, gets and puts again (as --workload put-get --ops 3)");
    }
}

/// A stale read shows only when a get follows a put: each client puts, then gets.
pub fn stale_read_workload(workload: &mut Workload, ops: &mut u8, notes: &mut Vec<&'static str>) {
    if *workload != Workload::PutGet || *ops < 2 {
        *workload = Workload::PutGet;
        *ops = (*ops).max(2);
        notes.push("a stale read needs a get after a put, so each client puts, then gets (as --workload put-get --ops 2)");
    }
}
