//! Multi-Paxos under a replicated key-value store. Servers `S1..Sn` are each an acceptor, a
//! would-be leader and a replica; clients `C1..Cm` send requests to the server they think leads.
//!
//! A server becomes leader with one phase 1 for every slot from its first unchosen one on (one
//! `Prepare` covers them all; promises carry every vote at or above that slot). For each slot it
//! re-proposes the highest-ballot command it heard of and fills holes with no-ops; after that a
//! client command costs phase 2 alone. The leader counts `Accepted` votes, so it is the first to
//! know a slot is chosen; it tells the others its chosen prefix (the commit index) in every
//! `Accept` and `Heartbeat`, and a server that finds a gap below it asks for the entries. Every
//! replica applies chosen entries in slot order and never past a hole; the leader answers the
//! client when it applies the command. A follower that hears nothing from a leader within its
//! seeded, randomised timeout starts phase 1 with a higher ballot; a `Nack` or a higher ballot
//! makes a leader step down.
//!
//! Durable across a crash: the promise, the votes, the highest round used, the entries known to
//! be chosen and the replica (its store, written with each applied slot, as a snapshot would
//! be). Lost: the leader's state and the requests it was holding.
//!
//! Raft's two election options apply here too, off by default: `pre_vote` (a server asks whether
//! a majority has lost its leader too before it starts phase 1) and `check_quorum` (a leader
//! steps down without answers from a majority for an election timeout, followers answer its
//! heartbeats with `Alive`, and a server that hears a live leader ignores another's `Prepare`).

pub mod budgets;
mod canon;
mod config;
pub mod describe;

use std::fmt;
use std::sync::Arc;

pub use config::{Config, Flaw};
pub use describe::Outcome;

use super::ids::Ballot;
use super::kv::{self, Client, ClientMsg, Command, Entry, History};
use super::kv::{Op, Settled};
use super::kv::{Output, Store, Workload};
use crate::sim::cowvec::CowVec;
use crate::sim::ids::NodeId;
use crate::sim::protocol::{Ctx, Outbox, Protocol, Refusal, TimerOp, Violation, Wait};
use crate::sim::words::both;
use crate::sim::world::{Event, Timing, World};

pub use super::kv::{CLIENT, SERVER, client, server};

/// The world running Multi-Paxos.
pub type MultiPaxosWorld = World<MultiPaxos>;
/// A Multi-Paxos action: `Propose` hands a client an operation to run.
pub type Action = crate::sim::world::Action<Op, Msg>;

/// A vote carried in a promise: slot, ballot, entry.
pub type Vote = (u32, Ballot, Entry);

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Msg {
    Client(ClientMsg),
    /// Phase 1a for every slot from `from` on.
    Prepare {
        ballot: Ballot,
        from: u32,
    },
    /// Phase 1b: every vote the acceptor cast at or above the slot the Prepare named.
    Promise {
        ballot: Ballot,
        votes: Arc<[Vote]>,
    },
    /// A refusal: the acceptor promised a higher ballot.
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
    /// Phase 2a for one slot, with the leader's commit index (every slot up to it is chosen).
    Accept {
        ballot: Ballot,
        slot: u32,
        entry: Entry,
        commit: u32,
    },
    Accepted {
        ballot: Ballot,
        slot: u32,
    },
    /// "I still lead": the commit index, and a reset of the followers' election timers.
    /// Under ReadIndex or lease reads, `round` is the leader's latest round, which `Alive`
    /// echoes (0 without them).
    Heartbeat {
        ballot: Ballot,
        commit: u32,
        #[serde(default, skip_serializing_if = "crate::protocols::kv::config::is_zero")]
        round: u32,
    },
    /// A follower lacks chosen entries from slot `from` on.
    Behind {
        ballot: Ballot,
        from: u32,
    },
    /// Chosen entries for slots `from`, `from + 1`, ...
    Commits {
        ballot: Ballot,
        from: u32,
        entries: Arc<[Entry]>,
    },
    /// Pre-Vote (`pre_vote`): would you promise `ballot`, having lost your leader too? Nobody
    /// records the ballot.
    PreVote {
        ballot: Ballot,
    },
    PreVoteReply {
        ballot: Ballot,
        granted: bool,
    },
    /// A follower's answer to a heartbeat (`check_quorum`, or reads off the log): "I still
    /// follow you", and the round it answers.
    Alive {
        ballot: Ballot,
        #[serde(default, skip_serializing_if = "crate::protocols::kv::config::is_zero")]
        round: u32,
    },
}

impl Msg {
    pub fn ballot(&self) -> Option<Ballot> {
        match *self {
            Msg::Client(_) => None,
            Msg::Prepare { ballot, .. }
            | Msg::Promise { ballot, .. }
            | Msg::Nack { ballot, .. }
            | Msg::Accept { ballot, .. }
            | Msg::Accepted { ballot, .. }
            | Msg::Heartbeat { ballot, .. }
            | Msg::Behind { ballot, .. }
            | Msg::Commits { ballot, .. }
            | Msg::PreVote { ballot }
            | Msg::PreVoteReply { ballot, .. }
            | Msg::Alive { ballot, .. } => Some(ballot),
        }
    }
}

impl crate::protocols::kv::WithClientMsg for Msg {
    fn client_msg(&self) -> Option<&ClientMsg> {
        match self {
            Msg::Client(c) => Some(c),
            _ => None,
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Msg::Client(c) => write!(f, "{c}"),
            Msg::Prepare { ballot, from } => write!(f, "Prepare({ballot}, from slot {from})"),
            Msg::Promise { ballot, votes } => write!(
                f,
                "Promise({ballot}, {})",
                describe::counted(votes.len() as u64, "vote", "votes")
            ),
            Msg::Nack { ballot, promised } => write!(f, "Nack({ballot} < {promised})"),
            Msg::Accept {
                ballot,
                slot,
                entry,
                commit,
            } => write!(f, "Accept({ballot}, slot {slot}: {entry}, commit {commit})"),
            Msg::Accepted { ballot, slot } => write!(f, "Accepted({ballot}, slot {slot})"),
            Msg::Heartbeat {
                ballot,
                commit,
                round: 0,
            } => write!(f, "Heartbeat({ballot}, commit {commit})"),
            Msg::Heartbeat {
                ballot,
                commit,
                round,
            } => write!(f, "Heartbeat({ballot}, commit {commit}, round {round})"),
            Msg::Behind { ballot, from } => write!(f, "Behind({ballot}, from slot {from})"),
            Msg::Commits {
                ballot,
                from,
                entries,
            } => write!(
                f,
                "Commits({ballot}, slots {from}..{})",
                *from as usize + entries.len().max(1) - 1
            ),
            Msg::PreVote { ballot } => write!(f, "PreVote({ballot})"),
            Msg::PreVoteReply { ballot, granted } => write!(
                f,
                "PreVoteReply({ballot}, {})",
                if *granted { "granted" } else { "refused" }
            ),
            Msg::Alive { ballot, round: 0 } => write!(f, "Alive({ballot})"),
            Msg::Alive { ballot, round } => write!(f, "Alive({ballot}, round {round})"),
        }
    }
}

/// What a server is doing about leadership.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Lead {
    /// Following the leader it last heard from, if any.
    Follower { leader: Option<u8> },
    /// Running phase 1 for every slot from `from` on.
    Candidate {
        ballot: Ballot,
        from: u32,
        promises: u64,
        /// The highest-ballot vote heard for each slot from `from` on.
        merged: Vec<Option<(Ballot, Entry)>>,
    },
    /// Asking whether a majority has lost its leader too (`pre_vote`) before phase 1 in
    /// `ballot`: who said yes so far. Nothing is promised yet, not even by itself.
    PreCandidate { ballot: Ballot, votes: u64 },
    /// Phase 1 done: proposing in `ballot`, next free slot `next`.
    Leader {
        ballot: Ballot,
        next: u32,
        /// Slots proposed in this ballot and not yet known chosen: slot, entry, voters.
        open: Vec<(u32, Entry, u64)>,
        /// Client commands that arrived after phase 1 and cost phase 2 alone (a figure for
        /// the leader panel; nothing reads it, and the explorer leaves it out).
        phase2_only: u32,
        /// Under `check_quorum`: the servers heard from (itself included) in the heartbeats
        /// counted in `beats` since its last check; both stay 0 without it.
        heard: u64,
        beats: u8,
        /// Under ReadIndex or lease reads: its rounds of heartbeats, its lease and the gets
        /// waiting (empty without).
        rounds: kv::Rounds,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Server {
    // Durable.
    pub promised: Ballot,
    /// The highest round this server has used for its own ballots.
    pub max_round: u32,
    /// The acceptor's vote per slot (`accepted[s - 1]` for slot `s`). Logs live in shared
    /// chunks, so a long run's checkpoints share all but their newest slots.
    pub accepted: CowVec<Option<(Ballot, Entry)>>,
    /// What this server knows is chosen, per slot.
    pub chosen: CowVec<Option<Entry>>,
    /// How many slots from the first are known chosen (the chosen prefix, kept as `chosen` grows).
    pub known: u32,
    /// Slots applied, in order: every slot up to `applied` (the `apply-past-hole` flaw can apply
    /// later slots too; see `applied_ahead`).
    pub applied: u32,
    /// Slots above `applied` applied early (the `apply-past-hole` flaw only).
    pub applied_ahead: Vec<u32>,
    pub store: Store,
    // Volatile.
    pub lead: Lead,
    /// Client commands waiting for this server to lead.
    pub pending: Vec<Command>,
    /// It heard the leader it follows (an `Accept` or a `Heartbeat`) within the election
    /// timeout's lower end, so it counts the leader as live (kept under `pre_vote` or
    /// `check_quorum` only; always false without them).
    pub live_leader: bool,
    /// Under lease reads: restarted less than an election timeout ago, so it promises no higher
    /// ballot until its timer fires (see Raft's `Server::waking`).
    pub waking: bool,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            promised: Ballot::ZERO,
            max_round: 0,
            accepted: CowVec::default(),
            chosen: CowVec::default(),
            known: 0,
            applied: 0,
            applied_ahead: Vec::new(),
            store: Store::default(),
            lead: Lead::Follower { leader: None },
            pending: Vec::new(),
            live_leader: false,
            waking: false,
        }
    }
}

fn at<T: Copy>(v: &CowVec<Option<T>>, slot: u32) -> Option<T> {
    v.get(slot as usize - 1).copied().flatten()
}

fn set<T: Clone>(v: &mut CowVec<Option<T>>, slot: u32, x: T) {
    *v.get_mut(slot as usize - 1) = Some(x);
}

/// Answers a phase-2 message below the server's promise with a `Nack` (and says it did).
fn refused(s: &Server, from: NodeId, ballot: Ballot, out: &mut Outbox<MultiPaxos>) -> bool {
    if ballot >= s.promised {
        return false;
    }
    out.send(
        from,
        Msg::Nack {
            ballot,
            promised: s.promised,
        },
    );
    true
}

/// The highest slot with an entry, 0 if none.
fn last<T: Clone>(v: &CowVec<Option<T>>) -> u32 {
    v.iter()
        .enumerate()
        .filter(|(_, e)| e.is_some())
        .last()
        .map_or(0, |(i, _)| i as u32 + 1)
}

impl Server {
    /// This server's vote in `slot` (from 1): the ballot and the entry.
    pub fn vote(&self, slot: u32) -> Option<(Ballot, Entry)> {
        (slot >= 1).then(|| at(&self.accepted, slot)).flatten()
    }

    /// The entry this server knows is chosen in `slot` (from 1).
    pub fn chosen_at(&self, slot: u32) -> Option<Entry> {
        (slot >= 1).then(|| at(&self.chosen, slot)).flatten()
    }

    /// The highest slot this server holds anything in (a vote or a chosen entry); 0 if none.
    pub fn last_slot(&self) -> u32 {
        last(&self.accepted).max(last(&self.chosen))
    }

    /// The chosen prefix: every slot up to this one is known chosen here.
    pub fn commit(&self) -> u32 {
        self.known
    }

    pub fn ballot(&self) -> Option<Ballot> {
        match &self.lead {
            Lead::Candidate { ballot, .. } | Lead::Leader { ballot, .. } => Some(*ballot),
            Lead::Follower { .. } | Lead::PreCandidate { .. } => None,
        }
    }

    pub fn is_leader(&self) -> bool {
        matches!(self.lead, Lead::Leader { .. })
    }

    /// The leader as this server knows it (itself if it leads).
    pub fn leader_hint(&self, me: u8) -> Option<u8> {
        match self.lead {
            Lead::Follower { leader } => leader,
            Lead::Leader { .. } => Some(me),
            Lead::Candidate { .. } | Lead::PreCandidate { .. } => None,
        }
    }

    /// Whether a command is in this server's log above what it applied, or waiting (so not to
    /// be proposed twice; what it applied, its table answers).
    fn holds(&self, c: &Command) -> bool {
        let same = |e: &Entry| matches!(e, Entry::Cmd(x) if x.client == c.client && x.seq == c.seq);
        let from = self.applied as usize;
        self.accepted
            .iter_from(from)
            .flatten()
            .any(|(_, e)| same(e))
            || self.chosen.iter_from(from).flatten().any(same)
            || self
                .pending
                .iter()
                .any(|p| p.client == c.client && p.seq == c.seq)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Server(Box<Server>),
    Client(Client),
}

/// What a handler saw; the monitor checks every one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// A server started phase 1 (after a client request or a timeout).
    Campaigning {
        ballot: Ballot,
        from: u32,
    },
    /// Phase 1 reached a quorum: this server leads `ballot`; it re-proposed `reproposed` slots
    /// and filled `holes` with no-ops.
    Elected {
        ballot: Ballot,
        reproposed: u32,
        holes: u32,
    },
    SteppedDown {
        ballot: Ballot,
        higher: Ballot,
    },
    Promised {
        ballot: Ballot,
        previous: Ballot,
    },
    Voted {
        slot: u32,
        ballot: Ballot,
        entry: Entry,
        promised_before: Ballot,
    },
    /// This server learned that a slot is chosen.
    Learned {
        slot: u32,
        entry: Entry,
    },
    Applied {
        slot: u32,
        entry: Entry,
        executed: bool,
    },
    /// A client sent a request (first time).
    Invoked {
        seq: u32,
        op: Op,
    },
    /// A client got its answer.
    Returned {
        seq: u32,
        output: Output,
    },
    /// The monitor: a majority of acceptors voted for `entry` in `slot` in one ballot.
    Chosen {
        slot: u32,
        ballot: Ballot,
        entry: Entry,
    },
    /// Asked for Pre-Votes before phase 1 in `ballot` (`pre_vote`).
    PreCampaigning {
        ballot: Ballot,
    },
    /// Ignored a `Prepare` for `ballot`: it heard from the live leader `leader` within an
    /// election timeout (leader stickiness, under `check_quorum`), or, with no leader, it
    /// restarted less than an election timeout ago (under lease reads).
    IgnoredPrepare {
        ballot: Ballot,
        leader: Option<u8>,
    },
    /// A leader answered client `client`'s get `seq` off the log: under its lease, or once a
    /// round of heartbeats confirmed it led and it had applied up to `slot` (ReadIndex).
    AnsweredRead {
        client: u8,
        seq: u32,
        slot: u32,
        lease: bool,
    },
    /// A leader heard from only `heard` servers (itself included) within an election timeout,
    /// fewer than a majority, and stepped down (`check_quorum`).
    LostQuorum {
        ballot: Ballot,
        heard: u32,
    },
}

/// The most chosen entries one `Commits` message carries.
const COMMITS_BATCH: u32 = 64;

/// The rules checked after every step.
pub const INVARIANTS: [&str; 7] = [
    "agreement",
    "applied-is-chosen",
    "state-machine-safety",
    "exactly-once",
    "promise-rule",
    "accept-rule",
    "linearizable",
];

#[derive(Clone, Debug)]
pub struct MultiPaxos {
    pub servers: u8,
    pub clients: u8,
    pub flaws: u8,
    /// The seed the automatic workload draws from.
    pub seed: u64,
    pub timeout: u32,
    /// What auto-play's requests draw from.
    pub auto_workload: Workload,
    /// Each client's operations, when an exhaustive search fixes them up front (its canonical
    /// form numbers commands by their place here).
    pub workload: Vec<Vec<Op>>,
    /// The servers that may lie.
    pub byzantine: Vec<NodeId>,
    /// See `Config::pre_vote` and `Config::check_quorum`.
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// See `Config::reads`.
    pub reads: kv::Reads,
}

/// Per-slot vote tallies the monitor keeps: ballot, entry, voters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SlotVotes {
    pub tallies: Vec<(Ballot, Entry, u64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Monitor {
    /// Votes per slot (`votes[s - 1]`).
    pub votes: CowVec<SlotVotes>,
    /// The entry chosen in each slot, the ballot and the step, once known.
    pub chosen: CowVec<Option<(Entry, Ballot, u64)>>,
    /// Per server: the slots it applied in order (its next expected slot is this plus one).
    pub applied: Vec<u32>,
    /// Per server, per client: the highest sequence number it executed.
    pub executed: Vec<Vec<u32>>,
    /// Per server: the highest ballot it ever promised.
    pub promised: Vec<Ballot>,
    pub history: History,
    /// The start of the history every linearization begins with, so each check looks only
    /// past it.
    pub settled: Settled,
    /// Whether the history so far is linearizable.
    pub linearizable: bool,
    /// The linearizability search ran out of its budget once: no verdict, and no more searches
    /// (each would start from the same prefix). Never set in the explorer's small histories.
    pub undecided: bool,
}

impl MultiPaxos {
    pub fn new(config: &Config) -> Self {
        MultiPaxos {
            servers: config.servers,
            clients: config.clients,
            flaws: config
                .flaws
                .iter()
                .fold(0u8, |acc, f| acc | (1 << (*f as u8))),
            seed: config.seed,
            timeout: config.timeout,
            auto_workload: config.workload,
            workload: Vec::new(),
            byzantine: config.byzantine.clone(),
            pre_vote: config.pre_vote,
            check_quorum: config.check_quorum,
            reads: config.reads,
        }
    }

    /// Whether servers keep `live_leader`: Pre-Vote and stickiness both read it.
    fn tracks_live_leader(&self) -> bool {
        self.pre_vote || self.check_quorum
    }

    /// A follower's timer on hearing from its leader: while servers track a live leader, the
    /// election timeout's lower end (the leader counts as live that long), then the randomised
    /// rest (see `on_timeout`); the whole wait is drawn from the same range as without.
    fn follower_wait(&self) -> TimerOp {
        if self.tracks_live_leader() {
            TimerOp::Start(Wait::Ticks(self.timeout))
        } else {
            self.election_wait()
        }
    }

    /// The ballot this server's next phase 1 would use.
    fn next_ballot(&self, me: u8, s: &Server) -> Ballot {
        Ballot::new(s.max_round.max(s.promised.round) + 1, me)
    }

    /// Its election timer fired, or a client asked it to lead: phase 1, or first a Pre-Vote.
    fn start_election(&self, me: u8, s: &mut Server, out: &mut Outbox<Self>) {
        if self.pre_vote {
            self.pre_campaign(me, s, out);
        } else {
            self.campaign(me, s, out);
        }
    }

    /// Asks whether a majority has lost its leader too, before phase 1 (`pre_vote`).
    fn pre_campaign(&self, me: u8, s: &mut Server, out: &mut Outbox<Self>) {
        let ballot = self.next_ballot(me, s);
        out.note(Note::PreCampaigning { ballot });
        s.lead = Lead::PreCandidate {
            ballot,
            votes: 1 << (me - 1),
        };
        s.live_leader = false;
        for to in self.others(me) {
            out.send(to, Msg::PreVote { ballot });
        }
        out.timer = Some(self.election_wait());
        self.count_pre_votes(me, s, out);
    }

    fn count_pre_votes(&self, me: u8, s: &mut Server, out: &mut Outbox<Self>) {
        if let Lead::PreCandidate { votes, .. } = s.lead
            && votes.count_ones() >= self.quorum()
        {
            self.campaign(me, s, out);
        }
    }

    /// The leader this server heard from within an election timeout: itself if it leads.
    fn live_leader(&self, me: u8, s: &Server) -> Option<u8> {
        match s.lead {
            Lead::Leader { .. } => Some(me),
            Lead::Follower { leader } if s.live_leader => leader,
            _ => None,
        }
    }

    /// The election options and what they track at server `s`, for the inspector.
    pub fn election_state(&self, s: &Server) -> kv::ElectionState {
        kv::ElectionState {
            pre_vote: self.pre_vote,
            check_quorum: self.check_quorum,
            progress: match s.lead {
                Lead::Leader { heard, beats, .. } if self.check_quorum => {
                    Some((heard.count_ones(), beats))
                }
                _ => None,
            },
            quorum: self.quorum(),
            // Pre-Vote and stickiness read it.
            live_leader: match s.lead {
                Lead::Follower { leader } if s.live_leader => leader,
                _ => None,
            },
            reads: self.reads,
            rounds: match &s.lead {
                Lead::Leader { rounds, .. } if self.reads.confirms() => Some(rounds.view()),
                _ => None,
            },
        }
    }

    /// CheckQuorum, at a leader's heartbeat (see Raft's): steps down once an election timeout's
    /// worth of heartbeats went by with fewer than a majority heard from.
    fn lost_quorum(&self, me: u8, s: &mut Server, out: &mut Outbox<Self>) -> bool {
        let Lead::Leader {
            ballot,
            heard,
            beats,
            ..
        } = &mut s.lead
        else {
            return false;
        };
        let Some(count) = kv::quorum_lost(heard, beats, me, self.quorum()) else {
            return false;
        };
        out.note(Note::LostQuorum {
            ballot: *ballot,
            heard: count,
        });
        s.lead = Lead::Follower { leader: None };
        s.pending.clear();
        out.timer = Some(self.election_wait());
        true
    }

    /// Under `check_quorum`, a leader notes that `from` answered in its ballot.
    fn heard_from(&self, s: &mut Server, from: u8, ballot: Ballot) {
        if self.check_quorum
            && let Lead::Leader {
                ballot: b, heard, ..
            } = &mut s.lead
            && *b == ballot
        {
            *heard |= 1 << (from - 1);
        }
    }

    /// Whether some server may lie.
    pub fn has_liars(&self) -> bool {
        !self.byzantine.is_empty()
    }

    pub fn has(&self, flaw: Flaw) -> bool {
        self.flaws & (1 << (flaw as u8)) != 0
    }

    pub fn quorum(&self) -> u32 {
        self.servers as u32 / 2 + 1
    }

    /// Votes a leader needs to treat a slot as chosen (one short under `commit-on-minority`).
    pub(crate) fn commit_quorum(&self) -> u32 {
        if self.has(Flaw::CommitOnMinority) {
            self.quorum() - 1
        } else {
            self.quorum()
        }
    }

    fn election_wait(&self) -> TimerOp {
        TimerOp::Start(Wait::Between(self.timeout, self.timeout * 2))
    }

    fn heartbeat_wait(&self) -> TimerOp {
        TimerOp::Start(Wait::Ticks((self.timeout / 3).max(1)))
    }

    fn others(&self, me: u8) -> impl Iterator<Item = NodeId> + '_ {
        (1..=self.servers).filter(move |&s| s != me).map(server)
    }

    /// Starts phase 1 for every slot from the first one this server does not know is chosen.
    fn campaign(&self, me: u8, s: &mut Server, out: &mut Outbox<Self>) {
        let ballot = self.next_ballot(me, s);
        s.max_round = ballot.round;
        s.live_leader = false;
        if self.has(Flaw::SkipPrepareOnFailover) {
            // The flaw: lead at once, as if phase 1 had found nothing.
            s.promised = s.promised.max(ballot);
            let next = last(&s.accepted).max(last(&s.chosen)) + 1;
            s.lead = Lead::Leader {
                ballot,
                next,
                open: Vec::new(),
                phase2_only: 0,
                heard: kv::heard_at_start(self.check_quorum, me),
                beats: 0,
                rounds: kv::Rounds::default(),
            };
            out.note(Note::Elected {
                ballot,
                reproposed: 0,
                holes: 0,
            });
            out.timer = Some(self.heartbeat_wait());
            let pending = std::mem::take(&mut s.pending);
            for c in pending {
                self.propose(me, s, Entry::Cmd(c), out);
            }
            return;
        }
        let from = s.commit() + 1;
        out.note(Note::Campaigning { ballot, from });
        s.lead = Lead::Candidate {
            ballot,
            from,
            promises: 0,
            merged: Vec::new(),
        };
        for to in self.others(me) {
            out.send(to, Msg::Prepare { ballot, from });
        }
        out.timer = Some(self.election_wait());
        // Its own acceptor answers without a message.
        let votes = self.promise(s, ballot, from, out);
        if let Some(votes) = votes {
            self.on_promise(me, s, me, ballot, &votes, out);
        }
    }

    /// The acceptor's side of a Prepare: the votes to report if it promises.
    fn promise(
        &self,
        s: &mut Server,
        ballot: Ballot,
        from: u32,
        out: &mut Outbox<Self>,
    ) -> Option<Vec<Vote>> {
        if ballot < s.promised {
            return None;
        }
        if ballot > s.promised {
            out.note(Note::Promised {
                ballot,
                previous: s.promised,
            });
            s.promised = ballot;
        }
        let votes = s
            .accepted
            .iter_from(from as usize - 1)
            .enumerate()
            .filter_map(|(i, v)| v.map(|(b, e)| (from + i as u32, b, e)))
            .collect();
        Some(votes)
    }

    fn on_promise(
        &self,
        me: u8,
        s: &mut Server,
        voter: u8,
        ballot: Ballot,
        votes: &[Vote],
        out: &mut Outbox<Self>,
    ) {
        let Lead::Candidate {
            ballot: b,
            from,
            promises,
            merged,
        } = &mut s.lead
        else {
            return;
        };
        if *b != ballot || *promises & (1 << (voter - 1)) != 0 {
            return;
        }
        *promises |= 1 << (voter - 1);
        for &(slot, vb, entry) in votes {
            if slot < *from {
                continue;
            }
            let i = (slot - *from) as usize;
            if merged.len() <= i {
                merged.resize(i + 1, None);
            }
            if merged[i].is_none_or(|(hb, _)| vb > hb) {
                merged[i] = Some((vb, entry));
            }
        }
        if promises.count_ones() < self.quorum() {
            return;
        }
        let (from, merged) = (*from, std::mem::take(merged));
        let mut pending = std::mem::take(&mut s.pending);
        let mut reproposed = 0;
        let mut holes = 0;
        s.lead = Lead::Leader {
            ballot,
            next: from,
            open: Vec::new(),
            phase2_only: 0,
            heard: kv::heard_at_start(self.check_quorum, me),
            beats: 0,
            rounds: kv::Rounds::default(),
        };
        for (i, vote) in merged.iter().enumerate() {
            let slot = from + i as u32;
            let entry = match vote {
                // The flaw: its own commands (or a no-op) where promises reported votes.
                Some(_) if self.has(Flaw::IgnorePromisedCommands) => {
                    if pending.is_empty() {
                        Entry::Noop
                    } else {
                        Entry::Cmd(pending.remove(0))
                    }
                }
                Some((_, e)) => {
                    reproposed += 1;
                    *e
                }
                None => {
                    holes += 1;
                    Entry::Noop
                }
            };
            self.propose_at(me, s, slot, entry, out);
        }
        out.note(Note::Elected {
            ballot,
            reproposed,
            holes,
        });
        out.timer = Some(self.heartbeat_wait());
        for c in pending {
            if !s.holds(&c) && !s.store.has_run(c.client, c.seq) {
                self.propose(me, s, Entry::Cmd(c), out);
            }
        }
    }

    fn propose(&self, me: u8, s: &mut Server, entry: Entry, out: &mut Outbox<Self>) {
        if let Lead::Leader { next, .. } = s.lead {
            self.propose_at(me, s, next, entry, out);
        }
    }

    /// Phase 2 for one slot: its own vote, then an Accept to every other server.
    fn propose_at(&self, me: u8, s: &mut Server, slot: u32, entry: Entry, out: &mut Outbox<Self>) {
        let Lead::Leader {
            ballot, next, open, ..
        } = &mut s.lead
        else {
            return;
        };
        let ballot = *ballot;
        *next = (*next).max(slot + 1);
        open.push((slot, entry, 0));
        let commit = s.commit();
        for to in self.others(me) {
            out.send(
                to,
                Msg::Accept {
                    ballot,
                    slot,
                    entry,
                    commit,
                },
            );
        }
        if self.vote(s, ballot, slot, entry, out) {
            self.on_accepted(s, me, ballot, slot, out);
        }
    }

    /// The acceptor's side of an Accept: votes if it has not promised a higher ballot.
    fn vote(
        &self,
        s: &mut Server,
        ballot: Ballot,
        slot: u32,
        entry: Entry,
        out: &mut Outbox<Self>,
    ) -> bool {
        if ballot < s.promised {
            return false;
        }
        out.note(Note::Voted {
            slot,
            ballot,
            entry,
            promised_before: s.promised,
        });
        s.promised = ballot;
        set(&mut s.accepted, slot, (ballot, entry));
        true
    }

    fn on_accepted(
        &self,
        s: &mut Server,
        voter: u8,
        ballot: Ballot,
        slot: u32,
        out: &mut Outbox<Self>,
    ) {
        let Lead::Leader {
            ballot: b, open, ..
        } = &mut s.lead
        else {
            return;
        };
        if *b != ballot {
            return;
        }
        let Some(k) = open.iter().position(|o| o.0 == slot) else {
            return;
        };
        open[k].2 |= 1 << (voter - 1);
        if open[k].2.count_ones() < self.commit_quorum() {
            return;
        }
        let (slot, entry, _) = open.remove(k);
        self.learn(s, slot, entry, out);
    }

    /// This server now knows `slot` is chosen: record it and apply what it can.
    fn learn(&self, s: &mut Server, slot: u32, entry: Entry, out: &mut Outbox<Self>) {
        if at(&s.chosen, slot).is_some() {
            return;
        }
        set(&mut s.chosen, slot, entry);
        while at(&s.chosen, s.known + 1).is_some() {
            s.known += 1;
        }
        out.note(Note::Learned { slot, entry });
        if self.has(Flaw::ApplyPastHole) && slot > s.applied + 1 {
            // The flaw: apply as soon as it is known, holes below or not.
            s.applied_ahead.push(slot);
            self.apply_one(s, slot, entry, out);
        }
        self.apply_ready(s, out);
        self.serve_reads(s, out);
    }

    /// Starts a round of heartbeats (ReadIndex, lease) at `now` on the leader's clock and sends
    /// it. A cluster of one confirms it at once.
    fn start_round(&self, me: u8, s: &mut Server, now: u64, out: &mut Outbox<Self>) {
        let (quorum, lease, commit) = (self.quorum(), self.lease(), s.commit());
        let Lead::Leader { ballot, rounds, .. } = &mut s.lead else {
            return;
        };
        let round = rounds.start(me, now);
        if quorum == 1 {
            rounds.ack(me, round, quorum, lease);
        }
        let ballot = *ballot;
        self.send_heartbeats(me, ballot, commit, round, out);
    }

    /// How long a confirmed round's lease lasts on the leader's clock, under lease reads.
    fn lease(&self) -> Option<u64> {
        (self.reads == kv::Reads::Lease).then(|| kv::lease_ticks(self.timeout))
    }

    /// Answers the gets waiting at a leader whose round a majority answered, once it has
    /// applied every slot it had proposed when the get arrived.
    fn serve_reads(&self, s: &mut Server, out: &mut Outbox<Self>) {
        let applied = s.applied;
        let Lead::Leader { rounds, .. } = &mut s.lead else {
            return;
        };
        for read in rounds.take_ready(None, applied) {
            self.answer_read(&s.store, read, false, out);
        }
    }

    /// Sends a get's answer off the log, and notes how it was given.
    fn answer_read(
        &self,
        store: &Store,
        read: kv::WaitingRead,
        lease: bool,
        out: &mut Outbox<Self>,
    ) {
        out.note(Note::AnsweredRead {
            client: read.client,
            seq: read.seq,
            slot: read.index.unwrap_or(0),
            lease,
        });
        let (to, reply) = read.answer(store);
        out.send(to, Msg::Client(reply));
    }

    /// A get at a leader under ReadIndex or lease reads. Its index is the last slot the leader
    /// has proposed (phase 1 re-proposed every slot an earlier leader may have had chosen), so
    /// once that is applied the store holds every write chosen before the get arrived.
    fn read_off_log(&self, me: u8, s: &mut Server, c: Command, now: u64, out: &mut Outbox<Self>) {
        let Some(key) = c.op.key() else {
            return; // the caller passes gets only
        };
        let applied = s.applied;
        let Lead::Leader { next, rounds, .. } = &mut s.lead else {
            return;
        };
        let index = *next - 1;
        if self.reads == kv::Reads::Lease && rounds.leased(now) && applied >= index {
            let read = kv::WaitingRead {
                client: c.client,
                seq: c.seq,
                key,
                index: Some(index),
                round: 0,
            };
            self.answer_read(&s.store, read, true, out);
            return;
        }
        if !rounds.hold(c, Some(index)) {
            return;
        }
        self.start_round(me, s, now, out);
        self.serve_reads(s, out);
    }

    /// A leader's heartbeat to every other server, carrying its latest round.
    fn send_heartbeats(
        &self,
        me: u8,
        ballot: Ballot,
        commit: u32,
        round: u32,
        out: &mut Outbox<Self>,
    ) {
        for to in self.others(me) {
            out.send(
                to,
                Msg::Heartbeat {
                    ballot,
                    commit,
                    round,
                },
            );
        }
    }

    fn apply_ready(&self, s: &mut Server, out: &mut Outbox<Self>) {
        while let Some(entry) = at(&s.chosen, s.applied + 1) {
            s.applied += 1;
            let slot = s.applied;
            if let Some(k) = s.applied_ahead.iter().position(|&a| a == slot) {
                s.applied_ahead.remove(k);
                continue;
            }
            self.apply_one(s, slot, entry, out);
        }
    }

    fn apply_one(&self, s: &mut Server, slot: u32, entry: Entry, out: &mut Outbox<Self>) {
        let result = s.store.apply(entry, !self.has(Flaw::NoDedup));
        out.note(Note::Applied {
            slot,
            entry,
            executed: result.executed,
        });
        if let (Entry::Cmd(c), Some(output), true) = (entry, result.output, s.is_leader()) {
            out.send(
                client(c.client),
                Msg::Client(ClientMsg::Reply { seq: c.seq, output }),
            );
        }
    }

    fn step_down(&self, s: &mut Server, higher: Ballot, out: &mut Outbox<Self>) {
        if let Some(ballot) = s.ballot()
            && higher > ballot
        {
            out.note(Note::SteppedDown { ballot, higher });
            s.lead = Lead::Follower {
                leader: (higher.proposer != 0).then_some(higher.proposer),
            };
            s.max_round = s.max_round.max(higher.round);
            s.pending.clear();
            s.live_leader = false;
            out.timer = Some(self.election_wait());
        }
    }

    /// Points a follower (or a server still asking for Pre-Votes) at `leader`: clients are sent
    /// its way.
    fn expect_leader(&self, s: &mut Server, leader: u8) {
        match &mut s.lead {
            Lead::Follower { leader: l } => *l = Some(leader),
            Lead::PreCandidate { .. } => {
                s.lead = Lead::Follower {
                    leader: Some(leader),
                }
            }
            Lead::Candidate { .. } | Lead::Leader { .. } => {}
        }
    }

    /// A message from the leader of `ballot`: follow it, and learn what its commit index says.
    fn follow(&self, s: &mut Server, ballot: Ballot, out: &mut Outbox<Self>) {
        if s.ballot() != Some(ballot) {
            self.step_down(s, ballot, out);
            self.expect_leader(s, ballot.proposer);
        }
        if !s.is_leader() {
            s.live_leader = self.tracks_live_leader();
            out.timer = Some(self.follower_wait());
        }
    }

    /// Slots up to `commit` are chosen; those this server voted for in `ballot` hold the chosen
    /// entry (a leader proposes one entry per slot in its ballot). Returns the first it lacks.
    fn catch_up(
        &self,
        s: &mut Server,
        ballot: Ballot,
        commit: u32,
        out: &mut Outbox<Self>,
    ) -> Option<u32> {
        let mut missing = None;
        for slot in s.commit() + 1..=commit {
            if at(&s.chosen, slot).is_some() {
                continue;
            }
            match at(&s.accepted, slot) {
                Some((b, e)) if b == ballot => self.learn(s, slot, e, out),
                _ => {
                    missing.get_or_insert(slot);
                }
            }
        }
        missing
    }

    fn server_on(
        &self,
        me: u8,
        s: &mut Server,
        (from, msg): (NodeId, Msg),
        now: u64,
        out: &mut Outbox<Self>,
    ) {
        let peer = from.index;
        match msg {
            Msg::Client(ClientMsg::Request { seq, op }) => {
                let c = Command {
                    client: from.index,
                    seq,
                    op,
                };
                self.on_client(me, s, c, now, out);
            }
            Msg::Client(_) => {}
            Msg::Prepare { ballot, from: slot } => {
                // Leader stickiness: within an election timeout of hearing from a live leader,
                // promise no higher ballot, nor answer.
                if self.check_quorum
                    && ballot > s.promised
                    && let leader = self.live_leader(me, s)
                    && (leader.is_some() || s.waking)
                {
                    out.note(Note::IgnoredPrepare { ballot, leader });
                    return;
                }
                if ballot > s.promised {
                    self.step_down(s, ballot, out);
                }
                match self.promise(s, ballot, slot, out) {
                    Some(votes) => {
                        // The candidate will likely lead: send clients its way rather than
                        // start a rival campaign on their next request.
                        self.expect_leader(s, ballot.proposer);
                        out.send(
                            from,
                            Msg::Promise {
                                ballot,
                                votes: votes.into(),
                            },
                        );
                        out.timer = Some(self.election_wait());
                    }
                    None => out.send(
                        from,
                        Msg::Nack {
                            ballot,
                            promised: s.promised,
                        },
                    ),
                }
            }
            Msg::Promise { ballot, votes } => self.on_promise(me, s, peer, ballot, &votes, out),
            Msg::Nack { promised, .. } => self.step_down(s, promised, out),
            Msg::Accept {
                ballot,
                slot,
                entry,
                commit,
            } => {
                if refused(s, from, ballot, out) {
                    return;
                }
                self.follow(s, ballot, out);
                self.vote(s, ballot, slot, entry, out);
                out.send(from, Msg::Accepted { ballot, slot });
                self.catch_up(s, ballot, commit, out);
            }
            Msg::Accepted { ballot, slot } => {
                self.heard_from(s, peer, ballot);
                self.on_accepted(s, peer, ballot, slot, out)
            }
            Msg::Alive { ballot, round } => {
                self.heard_from(s, peer, ballot);
                let (quorum, lease) = (self.quorum(), self.lease());
                if let Lead::Leader {
                    ballot: b, rounds, ..
                } = &mut s.lead
                    && *b == ballot
                    && rounds.ack(peer, round, quorum, lease)
                {
                    self.serve_reads(s, out);
                }
            }
            Msg::PreVote { ballot } => {
                let granted = ballot > s.promised
                    && self.live_leader(me, s).is_none()
                    && !(self.check_quorum && s.waking);
                out.send(from, Msg::PreVoteReply { ballot, granted });
            }
            Msg::PreVoteReply { ballot, granted } => {
                if granted
                    && let Lead::PreCandidate { ballot: b, votes } = &mut s.lead
                    && *b == ballot
                {
                    *votes |= 1 << (peer - 1);
                    self.count_pre_votes(me, s, out);
                }
            }
            Msg::Heartbeat {
                ballot,
                commit,
                round,
            } => {
                if refused(s, from, ballot, out) {
                    return;
                }
                s.waking = false;
                self.follow(s, ballot, out);
                if self.check_quorum || self.reads.confirms() {
                    out.send(from, Msg::Alive { ballot, round });
                }
                if let Some(first) = self.catch_up(s, ballot, commit, out) {
                    out.send(
                        from,
                        Msg::Behind {
                            ballot,
                            from: first,
                        },
                    );
                }
            }
            Msg::Behind { ballot, from: slot } => {
                self.heard_from(s, peer, ballot);
                if s.ballot() != Some(ballot) || !s.is_leader() {
                    return;
                }
                // A bounded batch: a server far behind asks again at the next heartbeat.
                let entries: Vec<Entry> = (slot..=s.commit().min(slot + COMMITS_BATCH - 1))
                    .map_while(|k| at(&s.chosen, k))
                    .collect();
                if !entries.is_empty() {
                    out.send(
                        from,
                        Msg::Commits {
                            ballot,
                            from: slot,
                            entries: entries.into(),
                        },
                    );
                }
            }
            // Chosen is chosen, whoever says so: no ballot check.
            Msg::Commits {
                from: slot,
                entries,
                ..
            } => {
                for (k, e) in entries.iter().enumerate() {
                    self.learn(s, slot + k as u32, *e, out);
                }
            }
        }
    }

    fn on_client(&self, me: u8, s: &mut Server, c: Command, now: u64, out: &mut Outbox<Self>) {
        let reply = |output| Msg::Client(ClientMsg::Reply { seq: c.seq, output });
        if self.has(Flaw::StaleRead)
            && let Op::Get(key) = c.op
        {
            // The flaw: answer from this replica's own store, without the log.
            out.send(
                client(c.client),
                reply(Output::Got(s.store.kv.get(&key).copied())),
            );
            return;
        }
        let dedup = !self.has(Flaw::NoDedup);
        match &s.lead {
            Lead::Leader { .. } if self.reads.confirms() && matches!(c.op, Op::Get(_)) => {
                self.read_off_log(me, s, c, now, out);
            }
            Lead::Leader { .. } => {
                if dedup && let Some(output) = s.store.answered(c.client, c.seq) {
                    out.send(client(c.client), reply(output));
                } else if !dedup || (!s.store.has_run(c.client, c.seq) && !s.holds(&c)) {
                    if let Lead::Leader { phase2_only, .. } = &mut s.lead {
                        *phase2_only += 1;
                    }
                    self.propose(me, s, Entry::Cmd(c), out);
                }
            }
            Lead::Candidate { .. } | Lead::PreCandidate { .. } => {
                if !s.holds(&c) && (!dedup || !s.store.has_run(c.client, c.seq)) {
                    s.pending.push(c);
                }
            }
            Lead::Follower { leader: Some(l) } if *l != me => {
                out.send(
                    client(c.client),
                    Msg::Client(ClientMsg::Redirect {
                        seq: c.seq,
                        leader: Some(*l),
                    }),
                );
            }
            Lead::Follower { .. } => {
                // Nobody leads that it knows of: it takes the lead itself.
                s.pending.push(c);
                self.start_election(me, s, out);
            }
        }
    }
}

impl kv::StoreProtocol for MultiPaxos {
    fn invoked(seq: u32, op: Op) -> Note {
        Note::Invoked { seq, op }
    }
    fn returned(seq: u32, output: Output) -> Note {
        Note::Returned { seq, output }
    }
    fn client_msg(msg: ClientMsg) -> Msg {
        Msg::Client(msg)
    }
    fn client_wait(&self) -> TimerOp {
        TimerOp::Start(Wait::Ticks(self.timeout * 2))
    }
}

impl Protocol for MultiPaxos {
    type Node = Node;
    type Msg = Msg;
    type Note = Note;
    type Monitor = Monitor;
    type Request = Op;

    fn roster(&self) -> Vec<NodeId> {
        kv::roster(self.servers, self.clients)
    }

    fn slot_of(&self, id: NodeId) -> Option<usize> {
        kv::slot_of(self.servers, self.clients, id)
    }

    fn initial_node(&self, id: NodeId) -> Node {
        if id.role == SERVER {
            Node::Server(Box::default())
        } else {
            Node::Client(Client::new())
        }
    }

    fn takes_requests(&self, id: NodeId) -> bool {
        id.role == CLIENT
    }

    fn is_byzantine(&self, id: NodeId) -> bool {
        self.byzantine.contains(&id)
    }

    /// A lying server's alphabet, towards the owner of the ballot it promised: a promise that
    /// hides its votes (so a new leader need not re-propose what it voted for), and an Accepted
    /// for a slot it never voted for in that ballot (counted towards a commit), for every slot
    /// up to one past the last it holds.
    fn lies(&self, id: NodeId, node: &Node) -> Vec<(NodeId, Msg)> {
        let Node::Server(s) = node else {
            return Vec::new();
        };
        let ballot = s.promised;
        if ballot.is_zero() || ballot.proposer == id.index {
            return Vec::new();
        }
        let owner = server(ballot.proposer);
        let mut out = Vec::new();
        if s.last_slot() > 0 {
            out.push((
                owner,
                Msg::Promise {
                    ballot,
                    votes: Arc::from(Vec::new()),
                },
            ));
        }
        for slot in 1..=s.last_slot() + 1 {
            if s.vote(slot).is_none_or(|(b, _)| b != ballot) {
                out.push((owner, Msg::Accepted { ballot, slot }));
            }
        }
        out
    }

    fn check_lie(&self, from: NodeId, to: NodeId, msg: &Msg) -> Result<(), String> {
        kv::check_server_lie(from, to, msg)
    }

    fn has_room(&self, node: &Node) -> bool {
        match node {
            Node::Client(c) => c.has_room(),
            Node::Server(_) => false,
        }
    }

    /// The client's next operation from the seeded workload.
    fn auto_request(&self, id: NodeId, node: &Node) -> Op {
        let given = match node {
            Node::Client(c) => c.given(),
            Node::Server(_) => 0,
        };
        self.auto_workload.op(self.seed, id.index, given)
    }

    fn new_monitor(&self) -> Monitor {
        Monitor {
            applied: vec![0; self.servers as usize],
            executed: vec![vec![0; self.clients as usize]; self.servers as usize],
            promised: vec![Ballot::ZERO; self.servers as usize],
            history: History::new(self.clients as usize),
            settled: Settled::new(self.clients as usize),
            linearizable: true,
            undecided: false,
            votes: CowVec::default(),
            chosen: CowVec::default(),
        }
    }

    fn on_request(
        &self,
        _ctx: Ctx,
        id: NodeId,
        node: &mut Node,
        op: Op,
        out: &mut Outbox<Self>,
    ) -> Result<(), Refusal> {
        let Node::Client(c) = node else {
            return Err(format!("{id} is a server; clients take requests"));
        };
        if op.change().is_some() {
            return Err(format!(
                "{op}: Multi-Paxos takes no configuration changes yet (Raft does: its single-server changes)"
            ));
        }
        let fx = c.take(id, op)?;
        kv::client_effects(self, fx, out);
        Ok(())
    }

    fn on_message(
        &self,
        ctx: Ctx,
        id: NodeId,
        node: &mut Node,
        from: NodeId,
        msg: Msg,
        out: &mut Outbox<Self>,
    ) {
        match node {
            Node::Server(s) => self.server_on(id.index, s, (from, msg), ctx.local, out),
            Node::Client(c) => {
                if let Msg::Client(m) = msg {
                    let fx = c.on_message(self.servers, from.index, m);
                    kv::client_effects(self, fx, out);
                }
            }
        }
    }

    fn on_timeout(&self, ctx: Ctx, id: NodeId, node: &mut Node, out: &mut Outbox<Self>) {
        match node {
            Node::Client(c) => {
                let fx = c.on_timeout(self.servers);
                kv::client_effects(self, fx, out);
            }
            Node::Server(s) => {
                if self.check_quorum && self.lost_quorum(id.index, s, out) {
                    return;
                }
                match s.lead {
                    // Under a lease each heartbeat is a round: answered by a majority, it renews
                    // the lease from when it was sent.
                    Lead::Leader { .. } if self.reads == kv::Reads::Lease => {
                        self.start_round(id.index, s, ctx.local, out);
                        out.timer = Some(self.heartbeat_wait());
                    }
                    Lead::Leader {
                        ballot, ref rounds, ..
                    } => {
                        let (commit, round) = (s.commit(), rounds.round);
                        self.send_heartbeats(id.index, ballot, commit, round, out);
                        out.timer = Some(self.heartbeat_wait());
                    }
                    Lead::Follower { .. } if s.live_leader || s.waking => {
                        // An election timeout without a word from the leader (or since a
                        // restart): it no longer counts any leader as live. The randomised rest
                        // of the wait follows (`follower_wait`).
                        s.live_leader = false;
                        s.waking = false;
                        out.timer = Some(TimerOp::Start(Wait::Between(1, self.timeout)));
                    }
                    _ => self.start_election(id.index, s, out),
                }
            }
        }
    }

    fn on_restart(&self, _ctx: Ctx, _id: NodeId, node: &mut Node, out: &mut Outbox<Self>) {
        match node {
            Node::Client(c) => {
                let fx = c.on_restart();
                kv::client_effects(self, fx, out);
            }
            Node::Server(s) => {
                s.lead = Lead::Follower { leader: None };
                s.pending.clear();
                s.live_leader = false;
                // Under lease reads it waits out an election timeout before it promises a
                // higher ballot (see `Server::waking`).
                s.waking = self.reads == kv::Reads::Lease;
                out.timer = Some(if s.waking {
                    self.follower_wait()
                } else {
                    self.election_wait()
                });
            }
        }
    }

    fn observe(
        &self,
        m: &mut Monitor,
        ctx: Ctx,
        node: NodeId,
        note: &Note,
        events: &mut Vec<Event<Self>>,
    ) {
        let mut violate = |invariant: &'static str, detail: [String; 2]| {
            events.push(Event::Violation(Violation::new(
                invariant, ctx.step, detail,
            )));
        };
        let i = node.index as usize - 1;
        match *note {
            Note::Promised { ballot, previous } => {
                if ballot <= previous || ballot < m.promised[i] {
                    violate(
                        "promise-rule",
                        both(
                            broken::PROMISED_BELOW,
                            &[&node, &ballot, &m.promised[i].max(previous)],
                        ),
                    );
                }
                m.promised[i] = m.promised[i].max(ballot);
            }
            Note::Voted {
                slot,
                ballot,
                entry,
                promised_before,
            } => {
                if ballot < promised_before {
                    violate(
                        "accept-rule",
                        both(
                            broken::VOTED_BELOW_PROMISE,
                            &[&node, &ballot, &promised_before],
                        ),
                    );
                }
                m.promised[i] = m.promised[i].max(ballot);
                let tallies = &mut m.votes.get_mut(slot as usize - 1).tallies;
                let k = match tallies.iter().position(|t| t.0 == ballot) {
                    Some(k) => k,
                    None => {
                        tallies.push((ballot, entry, 0));
                        tallies.len() - 1
                    }
                };
                if tallies[k].1 != entry {
                    violate(
                        "agreement",
                        both(
                            broken::TWO_ENTRIES_IN_A_BALLOT,
                            &[&slot, &ballot, &tallies[k].1, &entry],
                        ),
                    );
                }
                tallies[k].2 |= node.bit();
                if tallies[k].2.count_ones() == self.quorum() {
                    match at(&m.chosen, slot) {
                        // Recorded when applied (with liars about; see `Applied`).
                        Some((e, b, _)) if e != entry && b.is_zero() => violate(
                            "agreement",
                            both(broken::CHOSEN_AFTER_APPLIED, &[&slot, &entry, &ballot, &e]),
                        ),
                        Some((e, b, _)) if e != entry => violate(
                            "agreement",
                            both(broken::CHOSEN_TWICE, &[&slot, &entry, &ballot, &e, &b]),
                        ),
                        Some(_) => {}
                        None => {
                            set(&mut m.chosen, slot, (entry, ballot, ctx.step));
                            events.push(Event::Note {
                                node: None,
                                note: Note::Chosen {
                                    slot,
                                    ballot,
                                    entry,
                                },
                            });
                        }
                    }
                }
            }
            Note::Applied {
                slot,
                entry,
                executed,
            } => {
                match at(&m.chosen, slot) {
                    Some((e, _, _)) if e == entry => {}
                    // With liars about, what honest servers apply is what is judged: two of
                    // them applying different entries in one slot.
                    Some((e, _, _)) if self.has_liars() => violate(
                        "state-machine-safety",
                        both(broken::APPLIED_OTHER, &[&node, &entry, &slot, &e]),
                    ),
                    Some((e, _, _)) => violate(
                        "applied-is-chosen",
                        both(broken::APPLIED_OTHER, &[&node, &entry, &slot, &e]),
                    ),
                    // A liar's vote counts towards a leader's quorum but is no honest vote, so
                    // the first honest server to apply a slot records its entry instead.
                    None if self.has_liars() => {
                        set(&mut m.chosen, slot, (entry, Ballot::ZERO, ctx.step));
                    }
                    None => violate(
                        "applied-is-chosen",
                        both(broken::APPLIED_UNCHOSEN, &[&node, &entry, &slot]),
                    ),
                }
                if slot != m.applied[i] + 1 {
                    violate(
                        "state-machine-safety",
                        both(
                            broken::APPLIED_OUT_OF_ORDER,
                            &[&node, &slot, &(m.applied[i] + 1)],
                        ),
                    );
                }
                m.applied[i] = m.applied[i].max(slot);
                if let (Entry::Cmd(c), true) = (entry, executed) {
                    let last = &mut m.executed[i][c.client as usize - 1];
                    if c.seq <= *last {
                        violate(
                            "exactly-once",
                            both(broken::EXECUTED_AGAIN, &[&node, &c.client, &c.seq, &slot]),
                        );
                    }
                    *last = (*last).max(c.seq);
                }
            }
            Note::Invoked { seq, op } => m.history.invoke(node.index, seq, op, ctx.step),
            Note::Returned { seq, output } => {
                m.history.complete(node.index, seq, output, ctx.step);
                if let Some(why) = kv::check_answer(
                    &m.history,
                    &mut m.settled,
                    &mut m.linearizable,
                    &mut m.undecided,
                ) {
                    violate("linearizable", why);
                }
            }
            Note::Campaigning { .. }
            | Note::Elected { .. }
            | Note::SteppedDown { .. }
            | Note::Learned { .. }
            | Note::Chosen { .. }
            | Note::PreCampaigning { .. }
            | Note::IgnoredPrepare { .. }
            | Note::AnsweredRead { .. }
            | Note::LostQuorum { .. } => {}
        }
    }
}

impl Config {
    pub fn timing(&self) -> Timing {
        Timing {
            seed: self.seed,
            latency: self.latency,
            timeout: self.timeout,
            drift: self.drift,
        }
    }

    /// A fresh world for this config (validate the config first).
    pub fn world(&self) -> MultiPaxosWorld {
        World::new(MultiPaxos::new(self), self.timing())
    }
}

/// What each broken rule says, in English and Chinese.
mod broken {
    use crate::sim::words::Words;

    pub const PROMISED_BELOW: Words = [
        "{0} promised {1} after promising {2}",
        "{0} 在承诺 {2} 之后又承诺了 {1}",
    ];
    pub const VOTED_BELOW_PROMISE: Words = [
        "{0} voted in ballot {1} below its promise {2}",
        "{0} 在低于其承诺 {2} 的提案编号 {1} 中投了票",
    ];
    pub const TWO_ENTRIES_IN_A_BALLOT: Words = [
        "slot {0} got two entries in ballot {1}: {2} and {3}",
        "槽位 {0} 在提案编号 {1} 中得到两个条目：{2} 和 {3}",
    ];
    pub const CHOSEN_AFTER_APPLIED: Words = [
        "slot {0}: {1} chosen in ballot {2} after an honest server applied {3} there",
        "槽位 {0}：诚实服务器已在此应用 {3}，{1} 又在提案编号 {2} 中被选定",
    ];
    pub const CHOSEN_TWICE: Words = [
        "slot {0}: {1} chosen in ballot {2} after {3} was chosen in ballot {4}",
        "槽位 {0}：{3} 已在提案编号 {4} 中被选定，{1} 又在提案编号 {2} 中被选定",
    ];
    pub const APPLIED_OTHER: Words = [
        "{0} applied {1} in slot {2}, where {3} is chosen",
        "{0} 在槽位 {2} 应用了 {1}，而该槽位被选定的是 {3}",
    ];
    pub const APPLIED_UNCHOSEN: Words = [
        "{0} applied {1} in slot {2}, which is not chosen",
        "{0} 在槽位 {2} 应用了 {1}，但该槽位尚未被选定",
    ];
    pub const APPLIED_OUT_OF_ORDER: Words = [
        "{0} applied slot {1} out of order (the next slot in order was {2})",
        "{0} 未按顺序应用了槽位 {1}（按顺序下一个应是槽位 {2}）",
    ];
    pub const EXECUTED_AGAIN: Words = [
        "{0} executed C{1}.{2} again (slot {3})",
        "{0} 再次执行了 C{1}.{2}（槽位 {3}）",
    ];
}

#[cfg(test)]
mod tests;

impl crate::protocols::kv::config::StoreProtocol for MultiPaxos {
    fn with_workload(config: &Config, workload: Vec<Vec<Op>>) -> Self {
        let mut protocol = MultiPaxos::new(config);
        protocol.workload = workload;
        protocol
    }
}
