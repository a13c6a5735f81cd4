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
        f.set_elections(setup.pre_vote, setup.check_quorum)?;
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
    /// The election options of a protocol that has them (Raft, Multi-Paxos).
    pub elections: Option<Elections<'a>>,
}

/// What deployed leader-based protocols add to elections so that a partition cannot disrupt
/// them. Both default off, so traces written before them load and replay unchanged.
pub struct Elections<'a> {
    /// Ask first whether an election could be won, without raising the term or ballot.
    pub pre_vote: &'a mut bool,
    /// A leader that has not heard from a majority within an election timeout steps down,
    /// and a server that hears from a live leader ignores requests to elect another.
    pub check_quorum: &'a mut bool,
}

/// Serde's test for an option left at its default (off): then a trace does not write it.
pub fn is_off(on: &bool) -> bool {
    !*on
}

impl Fields<'_> {
    /// Switches the election options on as asked; asking a protocol without them is an error.
    pub fn set_elections(&mut self, pre_vote: bool, check_quorum: bool) -> Result<(), String> {
        match &mut self.elections {
            Some(e) => {
                *e.pre_vote = pre_vote;
                *e.check_quorum = check_quorum;
                Ok(())
            }
            None if pre_vote || check_quorum => Err(NO_ELECTION_OPTIONS.to_string()),
            None => Ok(()),
        }
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

/// What `--pre-vote` or `--check-quorum` says to a protocol without them.
pub const NO_ELECTION_OPTIONS: &str =
    "--pre-vote and --check-quorum are options of Raft and Multi-Paxos only";

/// `StoreConfig` for a store protocol's `Config` and `Flaw` (each has the same fields): PBFT
/// names its `faults` field, Raft and Multi-Paxos their `elections` options.
#[macro_export]
macro_rules! store_config {
    ($config:ty, $flaw:ty $(, faults = $faults:ident)? $(, elections = ($pre_vote:ident, $check_quorum:ident))?) => {
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
                    elections: {
                        #[allow(unused_mut, unused_assignments)]
                        let mut elections = None;
                        $(elections = Some($crate::protocols::kv::config::Elections {
                            pre_vote: &mut self.$pre_vote,
                            check_quorum: &mut self.$check_quorum,
                        });)?
                        elections
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
}

/// A stale read shows only when a get follows a put: each client puts, then gets.
pub fn stale_read_workload(workload: &mut Workload, ops: &mut u8, notes: &mut Vec<&'static str>) {
    if *workload != Workload::PutGet || *ops < 2 {
        *workload = Workload::PutGet;
        *ops = (*ops).max(2);
        notes.push("a stale read needs a get after a put, so each client puts, then gets (as --workload put-get --ops 2)");
    }
}
