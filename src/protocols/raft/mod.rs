//! Raft (Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014)
//! under the same replicated key-value store, clients and exactly-once table as Multi-Paxos
//! (`super::kv`). Servers `S1..Sn`, clients `C1..Cm`.
//!
//! A follower that hears nothing from a leader within its seeded, randomised timeout becomes a
//! candidate for the next term and asks for votes; a server grants one vote per term, and only to
//! a candidate whose log is at least as up to date as its own. A candidate with a majority leads:
//! it replicates its log with `AppendEntries`, which carries the index and term of the entry
//! before the new ones (a leader whose log ends in an uncommitted entry of an earlier term adds a
//! no-op of its own term at its first heartbeat, not at the election, so that Figure 8 can
//! still happen to a leader that commits an earlier term's entry by counting); a follower whose
//! log does not match there refuses, and one whose log conflicts after it truncates the
//! conflicting suffix. The leader commits an entry of its own term once a majority
//! holds it, and with it everything before; every replica applies committed entries in order,
//! and the leader answers the client when it applies the command.
//!
//! Durable across a crash: the term, the vote, the log and the replica (its store and how far it
//! applied, as a snapshot would be). Lost: the role, the leader's replication state, the commit
//! index beyond what was applied and the requests waiting for a leader.
//!
//! Two options, off by default, add what deployed Raft does so that a partition cannot disrupt
//! elections: `pre_vote` (the thesis, section 9.6: a server asks whether it could win before it
//! raises its term) and `check_quorum` (a leader steps down without answers from a majority for
//! an election timeout, and a server that hears a live leader ignores `RequestVote`: leader
//! stickiness, section 4.2.3).

pub mod budgets;
pub mod canon;
mod config;
pub mod describe;

use std::fmt;
use std::sync::Arc;

pub use config::{Config, Flaw};

use super::kv::{self, Client, ClientMsg, Command, Entry, History};
pub use super::kv::{CLIENT, SERVER, client, server};
use super::kv::{Op, Output, Settled, Store, Workload};
use crate::sim::ids::NodeId;
use crate::sim::protocol::{Ctx, Outbox, Protocol, Refusal, TimerOp, Violation, Wait};
use crate::sim::pvec::{PIndexMap, PVec};
use crate::sim::words::{Localized, both};
use crate::sim::world::{Event, Timing, World};

/// The world running Raft.
pub type RaftWorld = World<Raft>;
/// A Raft action: `Propose` hands a client an operation to run.
pub type Action = crate::sim::world::Action<Op, Msg>;

/// The most entries one `AppendEntries` carries; a follower far behind gets the rest next time.
const APPEND_BATCH: usize = 64;

/// One entry of a server's log: the term it was created in, and the command (or no-op).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LogEntry {
    pub term: u32,
    pub entry: Entry,
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} (term {})", self.entry, self.term)
    }
}

impl Localized for LogEntry {
    fn en(&self) -> String {
        self.to_string()
    }
    fn zh(&self) -> String {
        format!("{}（任期 {}）", self.entry.zh(), self.term)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Msg {
    Client(ClientMsg),
    RequestVote {
        term: u32,
        last_index: u32,
        last_term: u32,
    },
    Vote {
        term: u32,
        granted: bool,
    },
    /// Entries from `prev_index + 1` on (none: a heartbeat), with the leader's commit index.
    ///
    /// Under ReadIndex or lease reads, `round` is the leader's latest round of heartbeats, which
    /// the reply echoes: a majority answering a round sent after a read arrived proves the leader
    /// still led then. 0 without them.
    AppendEntries {
        term: u32,
        prev_index: u32,
        prev_term: u32,
        entries: Arc<[LogEntry]>,
        commit: u32,
        #[serde(default, skip_serializing_if = "crate::protocols::kv::config::is_zero")]
        round: u32,
    },
    /// Success: the follower's log matches the leader's up to `index`. Failure: where the
    /// leader should try from next (the follower's log ends, or conflicts, before it).
    AppendReply {
        term: u32,
        success: bool,
        index: u32,
        #[serde(default, skip_serializing_if = "crate::protocols::kv::config::is_zero")]
        round: u32,
    },
    /// Pre-Vote (`pre_vote`): would you vote for me in `term` (one past the asker's own)? Nobody
    /// changes term for it.
    PreVote {
        term: u32,
        last_index: u32,
        last_term: u32,
    },
    /// The answer to a Pre-Vote for `term`.
    PreVoteReply {
        term: u32,
        granted: bool,
    },
}

/// `, round N` when a message carries a round (ReadIndex or lease reads).
struct RoundWords(u32);

impl fmt::Display for RoundWords {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            0 => Ok(()),
            n => write!(f, ", round {n}"),
        }
    }
}

impl Msg {
    pub fn term(&self) -> Option<u32> {
        match *self {
            Msg::Client(_) => None,
            Msg::RequestVote { term, .. }
            | Msg::Vote { term, .. }
            | Msg::AppendEntries { term, .. }
            | Msg::AppendReply { term, .. }
            | Msg::PreVote { term, .. }
            | Msg::PreVoteReply { term, .. } => Some(term),
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
            Msg::RequestVote {
                term,
                last_index,
                last_term,
            } => write!(
                f,
                "RequestVote(term {term}, last [{last_index}] term {last_term})"
            ),
            Msg::Vote { term, granted } => write!(
                f,
                "Vote(term {term}, {})",
                if *granted { "granted" } else { "refused" }
            ),
            Msg::AppendEntries {
                term,
                prev_index,
                entries,
                commit,
                round,
                ..
            } if entries.is_empty() => write!(
                f,
                "AppendEntries(term {term}, after [{prev_index}], heartbeat, commit {commit}{})",
                RoundWords(*round)
            ),
            Msg::AppendEntries {
                term,
                prev_index,
                entries,
                commit,
                round,
                ..
            } => write!(
                f,
                "AppendEntries(term {term}, [{}]..[{}], commit {commit}{})",
                prev_index + 1,
                *prev_index as usize + entries.len(),
                RoundWords(*round)
            ),
            Msg::AppendReply {
                term,
                success: true,
                index,
                round,
            } => write!(
                f,
                "AppendReply(term {term}, ok up to [{index}]{})",
                RoundWords(*round)
            ),
            Msg::AppendReply {
                term,
                success: false,
                index,
                round,
            } => write!(
                f,
                "AppendReply(term {term}, retry from [{index}]{})",
                RoundWords(*round)
            ),
            Msg::PreVote {
                term,
                last_index,
                last_term,
            } => write!(
                f,
                "PreVote(term {term}, last [{last_index}] term {last_term})"
            ),
            Msg::PreVoteReply { term, granted } => write!(
                f,
                "PreVoteReply(term {term}, {})",
                if *granted { "granted" } else { "refused" }
            ),
        }
    }
}

/// What a server is doing about leadership.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Following the leader it last heard from in its term, if any (under `check_quorum`,
    /// only within an election timeout's lower end: see `Raft::follower_wait`).
    Follower { leader: Option<u8> },
    /// Asking for votes in its term: who granted one so far.
    Candidate { votes: u64 },
    /// Asking whether it could win the next term (`pre_vote`), its own term unchanged: who said
    /// yes so far.
    PreCandidate { votes: u64 },
    /// Leading its term: for each server, the next index to send and the highest index known
    /// to match (its own entries included). Under `check_quorum`, also the servers heard from
    /// (itself included) in the heartbeats counted in `beats` since its last check; both stay 0
    /// without it.
    ///
    /// Under ReadIndex or lease reads, `rounds` holds its rounds of heartbeats, its lease and
    /// the gets waiting for them (empty without).
    Leader {
        next: Vec<u32>,
        matched: Vec<u32>,
        heard: u64,
        beats: u8,
        rounds: kv::Rounds,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Server {
    // Durable.
    pub term: u32,
    pub voted_for: Option<u8>,
    pub log: PVec<LogEntry>,
    /// Entries applied, in order (the replica's snapshot point).
    pub applied: u32,
    pub store: Store,
    // Volatile.
    /// Every entry up to this one is known committed.
    pub commit: u32,
    pub role: Role,
    /// Client commands waiting for a leader.
    pub pending: Vec<Command>,
    /// Under lease reads: restarted less than an election timeout ago. It may have answered a
    /// leader's heartbeat just before it crashed, promising that leader not to elect another
    /// within an election timeout, so it votes for nobody until its timer fires.
    pub waking: bool,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            term: 0,
            voted_for: None,
            log: PVec::new(),
            applied: 0,
            store: Store::default(),
            commit: 0,
            role: Role::Follower { leader: None },
            pending: Vec::new(),
            waking: false,
        }
    }
}

impl Server {
    pub fn last_index(&self) -> u32 {
        self.log.len() as u32
    }

    pub fn last_term(&self) -> u32 {
        self.log.last().map_or(0, |e| e.term)
    }

    /// The term of the entry at `index` (0 for index 0, `None` past the end).
    pub fn term_at(&self, index: u32) -> Option<u32> {
        match index {
            0 => Some(0),
            i => self.log.get(i as usize - 1).map(|e| e.term),
        }
    }

    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader { .. })
    }

    /// Whether the log holds this client's request already (a retry must not add it twice).
    /// Only the entries not yet applied are read: every caller also asks the store, which has
    /// run every applied one (a long run's requests would otherwise each read the whole log).
    fn holds(&self, c: &Command) -> bool {
        self.log
            .range(self.applied as usize, self.log.len())
            .any(|e| matches!(e.entry, Entry::Cmd(x) if x.client == c.client && x.seq == c.seq))
            || self.pending.contains(c)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Server(Box<Server>),
    Client(Client),
}

/// What a handler observed about itself, for the event log and the monitor.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// The server's term changed (a restart under `volatile-state` can take it back to 0).
    TermChanged {
        from: u32,
        to: u32,
    },
    Campaigning {
        term: u32,
    },
    /// Granted its vote in `term` to `candidate`; `before` is whom it had voted for already.
    VoteGranted {
        term: u32,
        candidate: u8,
        before: Option<u8>,
    },
    /// Won the election of `term`, with this log.
    Elected {
        term: u32,
        log: PVec<LogEntry>,
    },
    SteppedDown {
        term: u32,
        higher: u32,
    },
    /// Wrote `entry` at `index`, after an entry of `prev_term`.
    Wrote {
        index: u32,
        entry: LogEntry,
        prev_term: u32,
        as_leader: bool,
    },
    /// Dropped its entries from `from` on (`removed` of them, `first` the one at `from`),
    /// conflicting with the leader's.
    Truncated {
        from: u32,
        removed: u32,
        first: LogEntry,
        as_leader: bool,
    },
    /// The leader of `in_term` committed the entry at `index` (one note for each index its
    /// commit passes).
    Committed {
        index: u32,
        entry: LogEntry,
        in_term: u32,
    },
    Applied {
        index: u32,
        entry: LogEntry,
        executed: bool,
    },
    /// A client sent a request (the history's invocation).
    Invoked {
        seq: u32,
        op: Op,
    },
    /// A client got its answer.
    Returned {
        seq: u32,
        output: Output,
    },
    /// A restart lost the durable state (`volatile-state`).
    Forgot {
        term: u32,
        entries: u32,
    },
    /// Asked for Pre-Votes for `term`, its own term unchanged (`pre_vote`).
    PreCampaigning {
        term: u32,
    },
    /// Ignored `candidate`'s request for votes in `term`: it heard from the live leader
    /// `leader` within an election timeout (leader stickiness, under `check_quorum`), or, with
    /// no leader, it restarted less than an election timeout ago (under lease reads).
    IgnoredVote {
        candidate: u8,
        term: u32,
        leader: Option<u8>,
    },
    /// A leader answered client `client`'s get `seq` off the log: under its lease, or once a
    /// round of heartbeats confirmed it led and it had applied up to `index` (ReadIndex).
    AnsweredRead {
        client: u8,
        seq: u32,
        index: u32,
        lease: bool,
    },
    /// A leader heard from only `heard` servers (itself included) within an election timeout,
    /// fewer than a majority, and stepped down (`check_quorum`).
    LostQuorum {
        term: u32,
        heard: u32,
    },
    /// A leader committed a configuration that leaves it out, and stepped down.
    LeftConfiguration {
        term: u32,
    },
}

/// The rules checked after every step.
pub const INVARIANTS: [&str; 9] = [
    "election-safety",
    "leader-append-only",
    "log-matching",
    "leader-completeness",
    "state-machine-safety",
    "terms-never-go-back",
    "committed-never-change",
    "exactly-once",
    "linearizable",
];

#[derive(Clone, Debug)]
pub struct Raft {
    pub servers: u8,
    pub clients: u8,
    pub flaws: u8,
    /// The seed the automatic workload draws from.
    pub seed: u64,
    pub timeout: u32,
    pub auto_workload: Workload,
    /// The operations the explorer hands each client up front (`workload[i]`: client `i + 1`'s),
    /// which number the commands of its canonical form; empty outside a search.
    pub workload: Vec<Vec<Op>>,
    /// The servers that may lie.
    pub byzantine: Vec<NodeId>,
    /// See `Config::pre_vote` and `Config::check_quorum`.
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// See `Config::reads`.
    pub reads: kv::Reads,
    /// See `Config::voters` (0: every server).
    pub voters: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Monitor {
    /// The leader of each term that had one (by term). These records grow with the run and
    /// every checkpoint holds a copy: they are shared, not copied (`PVec`).
    pub leaders: PIndexMap<u8>,
    /// For each index, each term ever written there: the entry and the term of the entry before
    /// it (log matching: one entry per index and term, always after the same history), by term.
    pub written: PIndexMap<Vec<(u32, Entry, u32)>>,
    /// The committed entries, by index (`committed[i - 1]`).
    pub committed: PVec<LogEntry>,
    /// The term whose leader first committed each of them: leaders of later terms must hold it
    /// (a leader of an earlier term, elected late, need not).
    pub committed_in: PVec<u32>,
    /// Per server: the entries it applied in order, and its highest term.
    pub applied: Vec<u32>,
    pub terms: Vec<u32>,
    /// Per server, per client: the highest sequence number it executed.
    pub executed: Vec<Vec<u32>>,
    pub history: History,
    pub settled: Settled,
    pub linearizable: bool,
    /// The linearizability search ran out of its budget once: no verdict, and no more searches
    /// (each would start from the same prefix). Never set in the explorer's small histories.
    pub undecided: bool,
}

impl Monitor {
    /// The entry written at `index` in `term`, and the term of the entry before it, if any was.
    pub fn written_at(&self, index: u32, term: u32) -> Option<(Entry, u32)> {
        self.written
            .get(index as usize)?
            .iter()
            .find(|(t, _, _)| *t == term)
            .map(|&(_, e, p)| (e, p))
    }
}

impl Raft {
    pub fn new(config: &Config) -> Self {
        Raft {
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
            voters: config.voters,
        }
    }

    pub fn has(&self, flaw: Flaw) -> bool {
        self.flaws & (1 << (flaw as u8)) != 0
    }

    /// A majority of every server (the first configuration's, when every server is in it).
    pub fn quorum(&self) -> u32 {
        self.servers as u32 / 2 + 1
    }

    /// Every server, as a configuration mask (bit `n - 1` for `Sn`).
    pub fn every_server(&self) -> u64 {
        u64::MAX >> (64 - self.servers as u32)
    }

    /// The first configuration, as a mask: `S1..S<voters>`, or every server.
    pub fn first_members(&self) -> u64 {
        match self.voters {
            0 => self.every_server(),
            v => u64::MAX >> (64 - v.min(self.servers) as u32),
        }
    }

    /// The configuration server `s` uses: the newest in its log, committed or not (Ongaro's
    /// thesis, section 4.1): the changes its store applied, then those in its log past them.
    pub fn members(&self, s: &Server) -> u64 {
        let mut m = s.store.config.of(self.first_members());
        for e in s.log.range(s.applied as usize, s.log.len()) {
            if let Entry::Cmd(c) = e.entry
                && let Some(change) = c.op.change()
                && (1..=self.servers).contains(&change.0)
            {
                m = kv::ConfigChanges::step(m, change);
            }
        }
        m & self.every_server()
    }

    /// A majority of configuration `members`.
    pub fn quorum_of(members: u64) -> u32 {
        members.count_ones() / 2 + 1
    }

    /// Whether a leader may start configuration change `c` now: only once an entry of its own
    /// term is committed (a leader's first entry may yet be overwritten, and with it a change of
    /// the last leader's that it never saw committed) and no change in its log is uncommitted
    /// (one server at a time). Under `naive-swap`, any time.
    fn may_change(&self, s: &Server) -> bool {
        if self.has(Flaw::NaiveSwap) {
            return true;
        }
        let own_term_committed = s.term_at(s.commit) == Some(s.term);
        let pending = s
            .log
            .range(s.commit as usize, s.log.len())
            .any(|e| matches!(e.entry, Entry::Cmd(c) if c.op.change().is_some()));
        own_term_committed && !pending
    }

    fn others(&self, me: u8) -> impl Iterator<Item = u8> + '_ {
        (1..=self.servers).filter(move |&s| s != me)
    }

    /// The other servers of configuration `members`.
    fn peers(&self, me: u8, members: u64) -> impl Iterator<Item = u8> + '_ {
        (1..=self.servers).filter(move |&k| k != me && members & 1 << (k - 1) != 0)
    }

    /// Whether some server may lie.
    pub fn has_liars(&self) -> bool {
        !self.byzantine.is_empty()
    }

    fn election_wait(&self) -> TimerOp {
        TimerOp::Start(Wait::Between(self.timeout, self.timeout * 2))
    }

    /// A follower's timer on hearing from its leader. Under `check_quorum` it runs in two parts:
    /// the election timeout's lower end, while the leader counts as live (leader stickiness),
    /// then the randomised rest before it campaigns (see `on_timeout`); the whole wait is drawn
    /// from the same range as without it.
    fn follower_wait(&self) -> TimerOp {
        if self.check_quorum {
            TimerOp::Start(Wait::Ticks(self.timeout))
        } else {
            self.election_wait()
        }
    }

    fn heartbeat_wait(&self) -> TimerOp {
        TimerOp::Start(Wait::Ticks((self.timeout / 3).max(1)))
    }

    /// A higher term seen: adopt it and follow (the vote of the new term is still free).
    fn adopt_term(&self, s: &mut Server, term: u32, out: &mut Outbox<Self>) {
        if term <= s.term {
            return;
        }
        if let Role::Leader { .. } | Role::Candidate { .. } = s.role {
            out.note(Note::SteppedDown {
                term: s.term,
                higher: term,
            });
            out.timer = Some(self.election_wait());
        }
        out.note(Note::TermChanged {
            from: s.term,
            to: term,
        });
        s.term = term;
        s.voted_for = None;
        s.role = Role::Follower { leader: None };
        s.pending.clear();
    }

    /// The election timer fired under `pre_vote`: ask whether it could win the next term, its
    /// own term unchanged, and campaign only once a majority says yes.
    fn pre_campaign(&self, me: u8, s: &mut Server, now: u64, out: &mut Outbox<Self>) {
        out.note(Note::PreCampaigning { term: s.term + 1 });
        s.role = Role::PreCandidate {
            votes: 1 << (me - 1),
        };
        let members = self.members(s);
        for to in self.peers(me, members) {
            out.send(
                server(to),
                Msg::PreVote {
                    term: s.term + 1,
                    last_index: s.last_index(),
                    last_term: s.last_term(),
                },
            );
        }
        out.timer = Some(self.election_wait());
        self.count_pre_votes(me, s, now, out);
    }

    fn count_pre_votes(&self, me: u8, s: &mut Server, now: u64, out: &mut Outbox<Self>) {
        let members = self.members(s);
        if let Role::PreCandidate { votes } = s.role
            && (votes & members).count_ones() >= Self::quorum_of(members)
        {
            self.campaign(me, s, now, out);
        }
    }

    /// The leader this server heard from within its election timeout, if any: itself if it
    /// leads, or the one it follows (a follower learns its leader only from `AppendEntries`,
    /// and forgets it when its election timer fires or its term changes).
    fn live_leader(&self, me: u8, s: &Server) -> Option<u8> {
        match s.role {
            Role::Leader { .. } => Some(me),
            Role::Follower { leader } => leader,
            Role::Candidate { .. } | Role::PreCandidate { .. } => None,
        }
    }

    /// The election options and what they track at server `s`, for the inspector.
    pub fn election_state(&self, s: &Server) -> kv::ElectionState {
        kv::ElectionState {
            pre_vote: self.pre_vote,
            check_quorum: self.check_quorum,
            progress: match s.role {
                Role::Leader { heard, beats, .. } if self.check_quorum => {
                    Some((heard.count_ones(), beats))
                }
                _ => None,
            },
            quorum: Self::quorum_of(self.members(s)),
            // Stickiness reads it, under `check_quorum` only.
            live_leader: match s.role {
                Role::Follower { leader } if self.check_quorum => leader,
                _ => None,
            },
            reads: self.reads,
            rounds: match &s.role {
                Role::Leader { rounds, .. } if self.reads.confirms() => Some(rounds.view()),
                _ => None,
            },
        }
    }

    /// Whether a log ending in `(last_term, last_index)` is at least as up to date as this
    /// server's (always, under `no-up-to-date-check`).
    fn up_to_date(&self, s: &Server, last_index: u32, last_term: u32) -> bool {
        (last_term, last_index) >= (s.last_term(), s.last_index())
            || self.has(Flaw::NoUpToDateCheck)
    }

    /// A Pre-Vote: granted to a candidate whose log is at least as up to date, for a term past
    /// this server's own, unless (under `check_quorum`) it hears from a live leader. It changes
    /// nothing here: no term, no vote, no timer.
    fn on_pre_vote(
        &self,
        me: u8,
        s: &Server,
        candidate: u8,
        (term, last_index, last_term): (u32, u32, u32),
        out: &mut Outbox<Self>,
    ) {
        let sticky = self.check_quorum && (self.live_leader(me, s).is_some() || s.waking);
        let granted = term > s.term && self.up_to_date(s, last_index, last_term) && !sticky;
        out.send(server(candidate), Msg::PreVoteReply { term, granted });
    }

    /// The election timer fired: a new term, a vote for itself, and a request for the others'.
    fn campaign(&self, me: u8, s: &mut Server, now: u64, out: &mut Outbox<Self>) {
        out.note(Note::TermChanged {
            from: s.term,
            to: s.term + 1,
        });
        s.term += 1;
        out.note(Note::VoteGranted {
            term: s.term,
            candidate: me,
            before: None,
        });
        s.voted_for = Some(me);
        s.role = Role::Candidate {
            votes: 1 << (me - 1),
        };
        out.note(Note::Campaigning { term: s.term });
        let members = self.members(s);
        for to in self.peers(me, members) {
            out.send(
                server(to),
                Msg::RequestVote {
                    term: s.term,
                    last_index: s.last_index(),
                    last_term: s.last_term(),
                },
            );
        }
        out.timer = Some(self.election_wait());
        self.count_votes(me, s, now, out);
    }

    fn count_votes(&self, me: u8, s: &mut Server, now: u64, out: &mut Outbox<Self>) {
        let Role::Candidate { votes } = s.role else {
            return;
        };
        let members = self.members(s);
        if (votes & members).count_ones() < Self::quorum_of(members) {
            return;
        }
        let n = self.servers as usize;
        let last = s.last_index();
        let mut matched = vec![0; n];
        matched[me as usize - 1] = last;
        s.role = Role::Leader {
            next: vec![last + 1; n],
            matched,
            heard: kv::heard_at_start(self.check_quorum, me),
            beats: 0,
            rounds: kv::Rounds::default(),
        };
        out.note(Note::Elected {
            term: s.term,
            log: s.log.clone(),
        });
        // Its first heartbeats are its first round: a lease from the start.
        if self.reads == kv::Reads::Lease {
            self.start_round(me, s, now);
        }
        // No no-op yet (it comes with the first heartbeat, see `on_timeout`): entries of earlier
        // terms commit only through a later entry of this term (Figure 8).
        let pending = std::mem::take(&mut s.pending);
        for c in pending {
            // A configuration change waits for an entry of this term (see `may_change`).
            if c.op.change().is_some() && !self.may_change(s) {
                s.pending.push(c);
                continue;
            }
            if !s.holds(&c) && !s.store.has_run(c.client, c.seq) {
                self.append(me, s, Entry::Cmd(c), out);
            }
        }
        self.replicate_all(me, s, out);
        out.timer = Some(self.heartbeat_wait());
    }

    /// The leader appends to its own log.
    fn append(&self, me: u8, s: &mut Server, entry: Entry, out: &mut Outbox<Self>) {
        let e = LogEntry {
            term: s.term,
            entry,
        };
        out.note(Note::Wrote {
            index: s.last_index() + 1,
            entry: e,
            prev_term: s.last_term(),
            as_leader: true,
        });
        s.log.push(e);
        let last = s.last_index();
        if let Role::Leader { matched, .. } = &mut s.role {
            matched[me as usize - 1] = last;
        }
        // A cluster of one commits on its own vote.
        self.advance_commit(me, s, out);
    }

    fn replicate_all(&self, me: u8, s: &Server, out: &mut Outbox<Self>) {
        for to in self.peers(me, self.members(s)) {
            self.replicate(s, to, out);
        }
    }

    /// Sends `to` the entries it lacks (a bounded batch), or a heartbeat when it lacks none.
    fn replicate(&self, s: &Server, to: u8, out: &mut Outbox<Self>) {
        let Role::Leader { next, rounds, .. } = &s.role else {
            return;
        };
        let round = rounds.round;
        let next = next[to as usize - 1].clamp(1, s.last_index() + 1);
        let prev_index = next - 1;
        let prev_term = s.term_at(prev_index).unwrap_or(0);
        let end = (prev_index as usize + APPEND_BATCH).min(s.log.len());
        let entries: Arc<[LogEntry]> = s.log.range(prev_index as usize, end).copied().collect();
        out.send(
            server(to),
            Msg::AppendEntries {
                term: s.term,
                prev_index,
                prev_term,
                entries,
                commit: s.commit,
                round,
            },
        );
    }

    /// The leader moves its commit index to the highest entry a majority holds, if that entry is
    /// of its own term (`commit-previous-term`: any term).
    fn advance_commit(&self, me: u8, s: &mut Server, out: &mut Outbox<Self>) {
        let Role::Leader { matched, .. } = &s.role else {
            return;
        };
        // Counted in its own configuration, which need not include itself (it is being removed).
        let members = self.members(s);
        let quorum = Self::quorum_of(members);
        let mut best = s.commit;
        for index in (s.commit + 1..=s.last_index()).rev() {
            let holders = matched
                .iter()
                .enumerate()
                .filter(|&(i, &m)| m >= index && members & 1 << i != 0)
                .count() as u32;
            if holders < quorum {
                continue;
            }
            let own_term = s.term_at(index) == Some(s.term);
            if own_term || self.has(Flaw::CommitPreviousTerm) {
                best = index;
                break;
            }
        }
        if best > s.commit {
            for index in s.commit + 1..=best {
                out.note(Note::Committed {
                    index,
                    entry: s.log[index as usize - 1],
                    in_term: s.term,
                });
            }
            s.commit = best;
            self.apply_ready(s, out);
            self.serve_reads(s, out);
            // A leader that committed a configuration without itself steps down (section 4.2.2).
            if members & 1 << (me - 1) == 0 && self.may_change(s) {
                out.note(Note::LeftConfiguration { term: s.term });
                s.role = Role::Follower { leader: None };
                return;
            }
            // The next configuration change waiting, once the last is committed.
            if self.may_change(s)
                && let Some(i) = s.pending.iter().position(|c| c.op.change().is_some())
            {
                let c = s.pending.remove(i);
                if !s.holds(&c) && !s.store.has_run(c.client, c.seq) {
                    self.append(me, s, Entry::Cmd(c), out);
                    self.replicate_all(me, s, out);
                }
            }
        }
    }

    /// Starts a round of heartbeats (ReadIndex, lease) at `now` on the leader's clock; the
    /// caller sends them. A cluster of one confirms it at once.
    fn start_round(&self, me: u8, s: &mut Server, now: u64) {
        let quorum = self.quorum();
        let lease = self.lease();
        if let Role::Leader { rounds, .. } = &mut s.role {
            let round = rounds.start(me, now);
            if quorum == 1 {
                rounds.ack(me, round, quorum, lease);
            }
        }
    }

    /// How long a confirmed round's lease lasts on the leader's clock, under lease reads.
    fn lease(&self) -> Option<u64> {
        (self.reads == kv::Reads::Lease).then(|| kv::lease_ticks(self.timeout))
    }

    /// Answers the gets waiting at a leader whose conditions now hold: an entry of its own term
    /// committed (which fixes the read's index, its commit index then), a round sent after the
    /// get arrived answered by a majority, and the log applied up to the index.
    fn serve_reads(&self, s: &mut Server, out: &mut Outbox<Self>) {
        let own_term = s.term_at(s.commit) == Some(s.term);
        let (commit, applied) = (s.commit, s.applied);
        let Role::Leader { rounds, .. } = &mut s.role else {
            return;
        };
        for read in rounds.take_ready(own_term.then_some(commit), applied) {
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
            index: read.index.unwrap_or(0),
            lease,
        });
        let (to, reply) = read.answer(store);
        out.send(to, Msg::Client(reply));
    }

    /// A get at a leader under ReadIndex or lease reads: answered at once under a lease that
    /// holds by its own clock (once its term has an entry committed and applied), else held
    /// until a new round of heartbeats confirms it still leads.
    fn read_off_log(&self, me: u8, s: &mut Server, c: Command, now: u64, out: &mut Outbox<Self>) {
        let Some(key) = c.op.key() else {
            return; // the caller passes gets only
        };
        let own_term = s.term_at(s.commit) == Some(s.term);
        let index = own_term.then_some(s.commit);
        let Role::Leader { rounds, .. } = &mut s.role else {
            return;
        };
        if self.reads == kv::Reads::Lease && rounds.leased(now) && own_term && s.applied >= s.commit
        {
            let read = kv::WaitingRead {
                client: c.client,
                seq: c.seq,
                key,
                index,
                round: 0,
            };
            self.answer_read(&s.store, read, true, out);
            return;
        }
        if !rounds.hold(c, index) {
            return;
        }
        self.start_round(me, s, now);
        self.replicate_all(me, s, out);
        self.serve_reads(s, out);
    }

    fn apply_ready(&self, s: &mut Server, out: &mut Outbox<Self>) {
        while s.applied < s.commit.min(s.last_index()) {
            s.applied += 1;
            let index = s.applied;
            let e = s.log[index as usize - 1];
            let result = s.store.apply(e.entry, true);
            out.note(Note::Applied {
                index,
                entry: e,
                executed: result.executed,
            });
            if let (Entry::Cmd(c), Some(output), true) = (e.entry, result.output, s.is_leader()) {
                out.send(
                    client(c.client),
                    Msg::Client(ClientMsg::Reply { seq: c.seq, output }),
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_request_vote(
        &self,
        me: u8,
        s: &mut Server,
        candidate: u8,
        term: u32,
        last_index: u32,
        last_term: u32,
        out: &mut Outbox<Self>,
    ) {
        // Leader stickiness (the thesis, section 4.2.3): within an election timeout of hearing
        // from a live leader, neither take the candidate's term nor vote, nor answer.
        if self.check_quorum
            && term > s.term
            && let leader = self.live_leader(me, s)
            && (leader.is_some() || s.waking)
        {
            out.note(Note::IgnoredVote {
                candidate,
                term,
                leader,
            });
            return;
        }
        self.adopt_term(s, term, out);
        let up_to_date = self.up_to_date(s, last_index, last_term);
        let free = s.voted_for.is_none_or(|v| v == candidate) || self.has(Flaw::VoteTwice);
        let granted = term == s.term && up_to_date && free && !s.is_leader();
        if granted {
            out.note(Note::VoteGranted {
                term,
                candidate,
                before: s.voted_for.filter(|&v| v != candidate),
            });
            s.voted_for = Some(candidate);
            out.timer = Some(self.election_wait());
        }
        out.send(
            server(candidate),
            Msg::Vote {
                term: s.term,
                granted,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn on_append(
        &self,
        s: &mut Server,
        leader: u8,
        term: u32,
        prev_index: u32,
        prev_term: u32,
        entries: &[LogEntry],
        (commit, round): (u32, u32),
        out: &mut Outbox<Self>,
    ) {
        if term < s.term {
            out.send(
                server(leader),
                Msg::AppendReply {
                    term: s.term,
                    success: false,
                    index: 0,
                    round,
                },
            );
            return;
        }
        s.waking = false;
        self.adopt_term(s, term, out);
        if !matches!(s.role, Role::Follower { leader: Some(l) } if l == leader) {
            if let Role::Candidate { .. } = s.role {
                out.note(Note::SteppedDown {
                    term: s.term,
                    higher: term,
                });
            }
            s.role = Role::Follower {
                leader: Some(leader),
            };
            // Requests waiting for a leader: their clients are told which server leads now.
            for c in std::mem::take(&mut s.pending) {
                out.send(
                    client(c.client),
                    Msg::Client(ClientMsg::Redirect {
                        seq: c.seq,
                        leader: Some(leader),
                    }),
                );
            }
        }
        out.timer = Some(self.follower_wait());
        if s.term_at(prev_index) != Some(prev_term) {
            // Retry from just past the end of its log, or from the conflicting entry.
            let index = if s.last_index() < prev_index {
                s.last_index() + 1
            } else {
                prev_index
            };
            out.send(
                server(leader),
                Msg::AppendReply {
                    term: s.term,
                    success: false,
                    index,
                    round,
                },
            );
            return;
        }
        for (k, e) in entries.iter().enumerate() {
            let index = prev_index + 1 + k as u32;
            match s.term_at(index) {
                Some(t) if t == e.term => continue,
                Some(_) => {
                    let removed = s.last_index() - index + 1;
                    out.note(Note::Truncated {
                        from: index,
                        removed,
                        first: s.log[index as usize - 1],
                        as_leader: s.is_leader(),
                    });
                    s.log.truncate(index as usize - 1);
                }
                None => {}
            }
            out.note(Note::Wrote {
                index,
                entry: *e,
                prev_term: s.last_term(),
                as_leader: false,
            });
            s.log.push(*e);
        }
        let last_new = prev_index + entries.len() as u32;
        if commit > s.commit {
            s.commit = commit.min(last_new).max(s.commit);
            self.apply_ready(s, out);
        }
        out.send(
            server(leader),
            Msg::AppendReply {
                term: s.term,
                success: true,
                index: last_new,
                round,
            },
        );
    }

    /// A follower's answer to `AppendEntries`: `(term, success, index)` as the reply carries.
    fn on_append_reply(
        &self,
        me: u8,
        s: &mut Server,
        from: u8,
        (term, success, index, round): (u32, bool, u32, u32),
        out: &mut Outbox<Self>,
    ) {
        if term > s.term {
            self.adopt_term(s, term, out);
            return;
        }
        if term < s.term {
            return;
        }
        let last = s.last_index();
        let members = self.members(s);
        let (quorum, lease) = (Self::quorum_of(members), self.lease());
        let Role::Leader {
            next,
            matched,
            heard,
            rounds,
            ..
        } = &mut s.role
        else {
            return;
        };
        let f = from as usize - 1;
        if self.check_quorum {
            *heard |= 1 << f;
        }
        // Only its configuration's servers confirm that it leads.
        let confirmed = members & 1 << f != 0 && rounds.ack(from, round, quorum, lease);
        if success {
            matched[f] = matched[f].max(index);
            next[f] = matched[f] + 1;
        } else {
            next[f] = index.min(next[f].saturating_sub(1)).max(1);
        }
        let behind = next[f] <= last;
        if success {
            self.advance_commit(me, s, out);
        }
        if confirmed {
            self.serve_reads(s, out);
        }
        if behind || !success {
            self.replicate(s, from, out);
        }
    }

    /// CheckQuorum, at a leader's heartbeat: once an election timeout's worth of heartbeats has
    /// gone by, a leader that heard from fewer than a majority (itself included) steps down,
    /// as its followers may have elected another; otherwise it starts counting afresh.
    fn lost_quorum(&self, me: u8, s: &mut Server, out: &mut Outbox<Self>) -> bool {
        let members = self.members(s);
        let Role::Leader { heard, beats, .. } = &mut s.role else {
            return false;
        };
        // Only its configuration's servers count (and itself).
        *heard &= members | 1 << (me - 1);
        let Some(count) = kv::quorum_lost(heard, beats, me, Self::quorum_of(members)) else {
            return false;
        };
        out.note(Note::LostQuorum {
            term: s.term,
            heard: count,
        });
        s.role = Role::Follower { leader: None };
        out.timer = Some(self.election_wait());
        true
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
        match &s.role {
            Role::Leader { .. } if self.reads.confirms() && matches!(c.op, Op::Get(_)) => {
                self.read_off_log(me, s, c, now, out);
            }
            Role::Leader { .. } => {
                if let Some(output) = s.store.answered(c.client, c.seq) {
                    out.send(client(c.client), reply(output));
                } else if c.op.change().is_some() && !s.holds(&c) && !self.may_change(s) {
                    // Not yet (see `may_change`): it waits for the log, and a leader without an
                    // entry of its own term writes a no-op to commit one.
                    if s.last_term() < s.term {
                        self.append(me, s, Entry::Noop, out);
                        self.replicate_all(me, s, out);
                    }
                    if !s.pending.contains(&c) && !s.store.has_run(c.client, c.seq) {
                        s.pending.push(c);
                    }
                } else if !s.store.has_run(c.client, c.seq) && !s.holds(&c) {
                    self.append(me, s, Entry::Cmd(c), out);
                    self.replicate_all(me, s, out);
                }
            }
            Role::Follower { leader: Some(l) } if *l != me => {
                out.send(
                    client(c.client),
                    Msg::Client(ClientMsg::Redirect {
                        seq: c.seq,
                        leader: Some(*l),
                    }),
                );
            }
            // No leader it knows of: the request waits for an election (its own, if it wins).
            _ => {
                if !s.holds(&c) && !s.store.has_run(c.client, c.seq) {
                    s.pending.push(c);
                }
            }
        }
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
            Msg::RequestVote {
                term,
                last_index,
                last_term,
            } => self.on_request_vote(me, s, peer, term, last_index, last_term, out),
            Msg::PreVote {
                term,
                last_index,
                last_term,
            } => self.on_pre_vote(me, s, peer, (term, last_index, last_term), out),
            Msg::PreVoteReply { term, granted } => {
                if granted
                    && term == s.term + 1
                    && let Role::PreCandidate { votes } = &mut s.role
                {
                    *votes |= 1 << (peer - 1);
                    self.count_pre_votes(me, s, now, out);
                }
            }
            Msg::Vote { term, granted } => {
                if term > s.term {
                    self.adopt_term(s, term, out);
                    return;
                }
                if term == s.term
                    && granted
                    && let Role::Candidate { votes } = &mut s.role
                {
                    *votes |= 1 << (peer - 1);
                    self.count_votes(me, s, now, out);
                }
            }
            Msg::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
                round,
            } => self.on_append(
                s,
                peer,
                term,
                prev_index,
                prev_term,
                &entries,
                (commit, round),
                out,
            ),
            Msg::AppendReply {
                term,
                success,
                index,
                round,
            } => self.on_append_reply(me, s, peer, (term, success, index, round), out),
        }
    }
}

impl kv::StoreProtocol for Raft {
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

impl Protocol for Raft {
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

    /// A lying server's alphabet, in its current term: a vote granted to every other server
    /// (a second vote in one term), and, to the leader it follows, a claim that its log matches
    /// one entry past its end (an append it never made, which the leader counts towards a
    /// commit).
    fn lies(&self, id: NodeId, node: &Node) -> Vec<(NodeId, Msg)> {
        let Node::Server(s) = node else {
            return Vec::new();
        };
        if s.term == 0 {
            return Vec::new();
        }
        let mut out: Vec<(NodeId, Msg)> = self
            .others(id.index)
            .filter(|&to| s.voted_for != Some(to))
            .map(|to| {
                (
                    server(to),
                    Msg::Vote {
                        term: s.term,
                        granted: true,
                    },
                )
            })
            .collect();
        if let Role::Follower {
            leader: Some(leader),
        } = s.role
        {
            out.push((
                server(leader),
                Msg::AppendReply {
                    term: s.term,
                    success: true,
                    index: s.last_index() + 1,
                    round: 0,
                },
            ));
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

    /// Every server's election timer runs from the start: somebody will campaign.
    fn initial_timer(&self, id: NodeId) -> Option<Wait> {
        (id.role == SERVER).then_some(Wait::Between(self.timeout, self.timeout * 2))
    }

    fn new_monitor(&self) -> Monitor {
        Monitor {
            leaders: PIndexMap::new(),
            written: PIndexMap::new(),
            committed: PVec::new(),
            committed_in: PVec::new(),
            applied: vec![0; self.servers as usize],
            terms: vec![0; self.servers as usize],
            executed: vec![vec![0; self.clients as usize]; self.servers as usize],
            history: History::new(self.clients as usize),
            settled: Settled::new(self.clients as usize),
            linearizable: true,
            undecided: false,
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
                if s.is_leader() {
                    // Entries of earlier terms commit only through one of this term; with no
                    // client command coming they would wait forever (and so would their
                    // clients, whose retries the log already holds). A no-op of this term at
                    // the first heartbeat carries them: Raft's own fix (the paper, section 8).
                    // Not at the election itself, so that the first round of AppendEntries can
                    // still copy an old entry alone, as in Figure 8.
                    if s.last_term() < s.term && s.last_index() > s.commit {
                        self.append(id.index, s, Entry::Noop, out);
                    }
                    if self.check_quorum && self.lost_quorum(id.index, s, out) {
                        return;
                    }
                    // Under a lease each heartbeat is a round: answered by a majority, it
                    // renews the lease from when it was sent.
                    if self.reads == kv::Reads::Lease {
                        self.start_round(id.index, s, ctx.local);
                    }
                    self.replicate_all(id.index, s, out);
                    out.timer = Some(self.heartbeat_wait());
                } else if self.check_quorum
                    && (matches!(s.role, Role::Follower { leader: Some(_) }) || s.waking)
                {
                    // An election timeout without a word from the leader (or since a restart):
                    // it no longer counts any leader as live. The randomised rest of the wait
                    // follows (`follower_wait`).
                    s.role = Role::Follower { leader: None };
                    s.waking = false;
                    out.timer = Some(TimerOp::Start(Wait::Between(1, self.timeout)));
                } else if self.members(s) & 1 << (id.index - 1) == 0 {
                    // Outside its own configuration: it waits to be added (or stays removed),
                    // and campaigns no more.
                    out.timer = Some(self.election_wait());
                } else if self.pre_vote {
                    self.pre_campaign(id.index, s, ctx.local, out);
                } else {
                    self.campaign(id.index, s, ctx.local, out);
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
                if self.has(Flaw::VolatileState) {
                    // The flaw: nothing was on disk.
                    out.note(Note::Forgot {
                        term: s.term,
                        entries: s.last_index(),
                    });
                    **s = Server::default();
                }
                s.role = Role::Follower { leader: None };
                s.commit = s.applied;
                s.pending.clear();
                // Under lease reads it waits out an election timeout before it votes (see
                // `Server::waking`).
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
        match note {
            Note::TermChanged { from, to } => {
                if to <= from || *to < m.terms[i] {
                    violate(
                        "terms-never-go-back",
                        both(broken::TERM_BACK, &[&node, to, &m.terms[i].max(*from)]),
                    );
                }
                m.terms[i] = m.terms[i].max(*to);
            }
            Note::Forgot { term, entries } => {
                if *term > 0 || *entries > 0 {
                    violate(
                        "terms-never-go-back",
                        both(broken::STATE_FORGOTTEN, &[&node, term, entries]),
                    );
                }
            }
            Note::Elected { term, log } => {
                match m.leaders.get(*term as usize) {
                    Some(&l) if l != node.index => violate(
                        "election-safety",
                        both(broken::TWO_LEADERS, &[&node, &l, term]),
                    ),
                    _ => {
                        m.leaders.insert(*term as usize, node.index);
                    }
                }
                for (k, (c, &in_term)) in m.committed.iter().zip(m.committed_in.iter()).enumerate()
                {
                    if in_term < *term && log.get(k) != Some(c) {
                        violate(
                            "leader-completeness",
                            both(broken::LEADER_LACKS, &[&node, term, &(k + 1), c]),
                        );
                        break;
                    }
                }
            }
            Note::Wrote {
                index,
                entry,
                prev_term,
                ..
            } => match m.written_at(*index, entry.term) {
                Some((e, p)) if e != entry.entry || p != *prev_term => violate(
                    "log-matching",
                    both(
                        broken::LOGS_DIFFER,
                        &[&node, entry, index, prev_term, &e, &entry.term, &p],
                    ),
                ),
                Some(_) => {}
                None => {
                    let terms = m.written.entry(*index as usize, Vec::new);
                    let at = terms.partition_point(|(t, _, _)| *t < entry.term);
                    terms.insert(at, (entry.term, entry.entry, *prev_term));
                }
            },
            Note::Truncated {
                from,
                first,
                as_leader,
                ..
            } => {
                if *as_leader {
                    violate(
                        "leader-append-only",
                        both(broken::REMOVED_WHILE_LEADING, &[&node, from]),
                    );
                }
                if m.committed.get(*from as usize - 1) == Some(first) {
                    violate(
                        "committed-never-change",
                        both(broken::REMOVED_COMMITTED, &[&node, from, first]),
                    );
                }
            }
            Note::Committed {
                index,
                entry,
                in_term,
            } => {
                let k = *index as usize;
                match m.committed.get(k - 1) {
                    Some(c) if c != entry => violate(
                        "committed-never-change",
                        both(broken::COMMITTED_CHANGED, &[index, c, &node, entry]),
                    ),
                    Some(_) => {}
                    // A leader commits in order from where it knows the log is committed.
                    None if k == m.committed.len() + 1 => {
                        m.committed.push(*entry);
                        m.committed_in.push(*in_term);
                    }
                    // Past a gap (a leader that forgot its log under `volatile-state`): the
                    // entries between were never reported, so this one cannot be placed.
                    None => {}
                }
            }
            Note::Applied {
                index,
                entry,
                executed,
            } => {
                if *index != m.applied[i] + 1 {
                    violate(
                        "state-machine-safety",
                        both(
                            broken::APPLIED_OUT_OF_ORDER,
                            &[&node, index, &(m.applied[i] + 1)],
                        ),
                    );
                }
                m.applied[i] = m.applied[i].max(*index);
                match m.committed.get(*index as usize - 1) {
                    Some(c) if c != entry => violate(
                        "state-machine-safety",
                        both(broken::APPLIED_OTHER, &[&node, entry, index, c]),
                    ),
                    // A lying leader's commits are not reported (its notes are not evidence),
                    // so with liars about the first honest server to apply an entry records
                    // it: every other honest server must apply the same one there. No leader
                    // is held to it (its commit term is unknown, hence the highest term).
                    None if self.has_liars() && *index as usize == m.committed.len() + 1 => {
                        m.committed.push(*entry);
                        m.committed_in.push(u32::MAX);
                    }
                    _ => {}
                }
                if let (Entry::Cmd(c), true) = (entry.entry, executed) {
                    let last = &mut m.executed[i][c.client as usize - 1];
                    if c.seq <= *last {
                        violate(
                            "exactly-once",
                            both(broken::EXECUTED_AGAIN, &[&node, &c.client, &c.seq, index]),
                        );
                    }
                    *last = (*last).max(c.seq);
                }
            }
            Note::Invoked { seq, op } => m.history.invoke(node.index, *seq, *op, ctx.step),
            Note::Returned { seq, output } => {
                m.history.complete(node.index, *seq, *output, ctx.step);
                if let Some(why) = kv::check_answer(
                    &m.history,
                    &mut m.settled,
                    &mut m.linearizable,
                    &mut m.undecided,
                ) {
                    violate("linearizable", why);
                }
            }
            // A second vote in a term is the cause; two leaders of one term (above) the harm.
            Note::VoteGranted { .. }
            | Note::Campaigning { .. }
            | Note::SteppedDown { .. }
            | Note::PreCampaigning { .. }
            | Note::IgnoredVote { .. }
            | Note::AnsweredRead { .. }
            | Note::LostQuorum { .. }
            | Note::LeftConfiguration { .. } => {}
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
    pub fn world(&self) -> RaftWorld {
        World::new(Raft::new(self), self.timing())
    }
}

/// What each broken rule says, in English and Chinese.
mod broken {
    use crate::sim::words::Words;

    pub const TERM_BACK: Words = [
        "{0} went to term {1} after term {2}",
        "{0} 在任期 {2} 之后进入了任期 {1}",
    ];
    pub const STATE_FORGOTTEN: Words = [
        "{0} restarted in term 0 with an empty log, after term {1} and {2} entries",
        "{0} 重启后回到任期 0、日志为空，而此前它已在任期 {1}、有 {2} 个条目",
    ];
    pub const TWO_LEADERS: Words = [
        "{0} and S{1} were both elected leader of term {2}",
        "{0} 和 S{1} 都当选了任期 {2} 的领导者",
    ];
    pub const LEADER_LACKS: Words = [
        "{0} leads term {1} without the committed entry [{2}]: {3}",
        "{0} 领导任期 {1}，却没有已提交的条目 [{2}]：{3}",
    ];
    pub const LOGS_DIFFER: Words = [
        "{0} holds {1} at [{2}] after a term-{3} entry, where another log holds {4} (term {5}) after a term-{6} entry",
        "{0} 在 [{2}] 处持有 {1}，前一条目属于任期 {3}；而另一份日志在该处持有 {4}（任期 {5}），前一条目属于任期 {6}",
    ];
    pub const REMOVED_WHILE_LEADING: Words = [
        "{0} removed entries from [{1}] while leading",
        "{0} 在担任领导者期间删除了从 [{1}] 起的条目",
    ];
    pub const REMOVED_COMMITTED: Words = [
        "{0} removed the committed entry [{1}]: {2}",
        "{0} 删除了已提交的条目 [{1}]：{2}",
    ];
    pub const COMMITTED_CHANGED: Words = [
        "[{0}] was committed as {1}, and {2} committed {3} there",
        "[{0}] 已提交为 {1}，而 {2} 在该处提交了 {3}",
    ];
    pub const APPLIED_OUT_OF_ORDER: Words = [
        "{0} applied [{1}] out of order (the next in order was [{2}])",
        "{0} 未按顺序应用了 [{1}]（按顺序下一个应是 [{2}]）",
    ];
    pub const APPLIED_OTHER: Words = [
        "{0} applied {1} at [{2}], where {3} is committed",
        "{0} 在 [{2}] 应用了 {1}，而该处已提交的是 {3}",
    ];
    pub const EXECUTED_AGAIN: Words = [
        "{0} executed C{1}.{2} again (entry [{3}])",
        "{0} 再次执行了 C{1}.{2}（条目 [{3}]）",
    ];
}

#[cfg(test)]
mod tests;

impl crate::protocols::kv::config::StoreProtocol for Raft {
    fn with_workload(config: &Config, workload: Vec<Vec<Op>>) -> Self {
        let mut protocol = Raft::new(config);
        protocol.workload = workload;
        protocol
    }

    /// Each server outside the first configuration is added, by one client each.
    fn changes(config: &Config) -> Vec<Op> {
        match config.voters {
            0 => Vec::new(),
            v => (v + 1..=config.servers).map(Op::AddServer).collect(),
        }
    }
}
