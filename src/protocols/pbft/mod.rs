//! PBFT (Castro and Liskov, OSDI 1999) under the replicated key-value store: the normal case
//! and the view change. Replicas `S1..Sn` tolerate f Byzantine ones when n >= 3f + 1; the
//! primary of view v is replica `v mod n` (S1 leads view 0). Clients `C1..Cm` send a request to
//! the replica they believe is the primary and accept a result once f + 1 replicas sent the same
//! one; a client that hears nothing in time sends the request to every replica.
//!
//! The normal case, per sequence number: the primary assigns it to a request and sends a
//! **pre-prepare**; a backup that accepts it sends a **prepare** to every replica; a replica is
//! *prepared* once it holds the pre-prepare and n - f - 1 matching prepares from backups (2f
//! when n = 3f + 1), and then sends a **commit**; it is *committed-local* with n - f matching
//! commits (2f + 1), and executes committed requests in sequence order on the same store the
//! other protocols run, replying to the client.
//!
//! The view change: a backup that has seen a request and not executed it within its timeout
//! sends a **view change** for the next view, carrying every prepared certificate it holds, and
//! stops taking part in the old view; a replica that sees f + 1 view changes for later views
//! joins the lowest of them. The new primary, with n - f view changes, sends a **new view**
//! carrying them and re-proposing, for every sequence number up to the highest prepared, the
//! request prepared in the highest view, or a no-op; every backup checks the re-proposals
//! against the view changes it carries before it enters the view.
//!
//! Modelled, not built: **signatures** are unforgeable sender ids (the network says who sent a
//! message, and a liar speaks only for itself); so a liar cannot invent a prepared certificate
//! (it would need 2f others' prepares) or a new view (it would need n - f others' view changes),
//! and may only hide what it prepared. **Checkpoints** are left out: a view change carries every
//! certificate from the first sequence number, and nothing is garbage collected. All of a
//! replica's state survives a crash (PBFT counts a crashed replica among its f faults anyway).

pub mod budgets;
mod canon;
mod config;
pub mod describe;

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

pub use config::{Config, Flaw};
pub use describe::Outcome;

use super::kv::{self, Client, ClientMsg, Command, Entry, History};
use super::kv::{Op, Output, Settled, Store, Workload};
use crate::sim::cowvec::CowVec;
use crate::sim::ids::NodeId;
use crate::sim::protocol::{Ctx, Outbox, Protocol, Refusal, TimerOp, Violation, Wait};
use crate::sim::words::both;
use crate::sim::world::{Event, Timing, World};

pub use super::kv::{CLIENT, SERVER, client, server};

/// The world running PBFT.
pub type PbftWorld = World<Pbft>;
/// A PBFT action: `Propose` hands a client an operation to run.
pub type Action = crate::sim::world::Action<Op, Msg>;

/// A prepared certificate as a view change carries it: the replica was prepared for `entry` at
/// `seq` in `view` (in PBFT, the pre-prepare and 2f signed prepares).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Cert {
    pub seq: u32,
    pub view: u32,
    pub entry: Entry,
}

/// One view change inside a new view: who sent it and the certificates it carried.
pub type ViewChangeProof = (u8, Arc<[Cert]>);

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Msg {
    Client(ClientMsg),
    /// The primary of `view` assigns `seq` to `entry`.
    PrePrepare {
        view: u32,
        seq: u32,
        entry: Entry,
    },
    /// A backup accepted that pre-prepare.
    Prepare {
        view: u32,
        seq: u32,
        entry: Entry,
    },
    /// The sender is prepared for it.
    Commit {
        view: u32,
        seq: u32,
        entry: Entry,
    },
    /// The sender moves to `view`; the certificates it holds.
    ViewChange {
        view: u32,
        prepared: Arc<[Cert]>,
    },
    /// The primary of `view` starts it: the view changes it collected and, for each sequence
    /// number from 1, the entry it re-proposes there.
    NewView {
        view: u32,
        proof: Arc<[ViewChangeProof]>,
        entries: Arc<[Entry]>,
    },
}

impl Msg {
    /// The view a replica's message belongs to.
    pub fn view(&self) -> Option<u32> {
        match *self {
            Msg::Client(_) => None,
            Msg::PrePrepare { view, .. }
            | Msg::Prepare { view, .. }
            | Msg::Commit { view, .. }
            | Msg::ViewChange { view, .. }
            | Msg::NewView { view, .. } => Some(view),
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

pub use super::multipaxos::describe::entry_words;

/// An entry by its request id alone (`C1.1`), as the replicas' messages name it (PBFT sends a
/// digest of the request).
pub fn entry_id(e: &Entry) -> String {
    match e {
        Entry::Noop => "no-op".into(),
        Entry::Cmd(c) => kv::request_name(Some(c.client), c.seq),
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Msg::Client(c) => write!(f, "{c}"),
            Msg::PrePrepare { view, seq, entry } => {
                write!(f, "PrePrepare(v{view}, slot {seq}, {})", entry_id(entry))
            }
            Msg::Prepare { view, seq, entry } => {
                write!(f, "Prepare(v{view}, slot {seq}, {})", entry_id(entry))
            }
            Msg::Commit { view, seq, entry } => {
                write!(f, "Commit(v{view}, slot {seq}, {})", entry_id(entry))
            }
            Msg::ViewChange { view, prepared } => write!(
                f,
                "ViewChange(v{view}, {})",
                describe::counted(prepared.len() as u64, "certificate", "certificates")
            ),
            Msg::NewView { view, entries, .. } => write!(
                f,
                "NewView(v{view}, {})",
                describe::counted(entries.len() as u64, "re-proposal", "re-proposals")
            ),
        }
    }
}

/// Who sent a prepare (or a commit) for each entry at one slot in the current view, as sets of
/// senders. The first two entries live inline (an honest primary proposes one entry per slot
/// and view; a liar may add another), any more in `more`: a replica's slots are cloned at
/// every step the explorer takes, and inline tallies make that a copy, not an allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// The first two entries, filled in order (a `None` is followed by `None`s only).
    first: [Option<(Entry, u64)>; 2],
    more: Vec<(Entry, u64)>,
}

impl Tally {
    /// Every entry with its senders, in the order they were first heard.
    pub fn iter(&self) -> impl Iterator<Item = &(Entry, u64)> {
        self.first.iter().flatten().chain(&self.more)
    }

    /// The senders of `entry`.
    pub fn of(&self, entry: Entry) -> u64 {
        self.iter().find(|t| t.0 == entry).map_or(0, |t| t.1)
    }

    /// Adds `sender` (a bit) to `entry`'s senders; false if it was there.
    fn add(&mut self, entry: Entry, sender: u64) -> bool {
        let found = self
            .first
            .iter_mut()
            .flatten()
            .chain(self.more.iter_mut())
            .find(|t| t.0 == entry);
        match found {
            Some(t) if t.1 & sender != 0 => false,
            Some(t) => {
                t.1 |= sender;
                true
            }
            None => {
                self.push(entry, sender);
                true
            }
        }
    }

    /// Files an entry it does not hold yet.
    fn push(&mut self, entry: Entry, senders: u64) {
        match self.first.iter_mut().find(|t| t.is_none()) {
            Some(free) => *free = Some((entry, senders)),
            None => self.more.push((entry, senders)),
        }
    }

    pub fn len(&self) -> usize {
        self.first.iter().flatten().count() + self.more.len()
    }

    pub fn clear(&mut self) {
        *self = Tally::default();
    }

    pub fn is_empty(&self) -> bool {
        self.first[0].is_none() && self.more.is_empty()
    }
}

/// Hashed as the list it replaced was (its length, then each entry in order): saved traces
/// record the world's state hash, and replay compares it.
impl std::hash::Hash for Tally {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for t in self.iter() {
            t.hash(state);
        }
    }
}

impl FromIterator<(Entry, u64)> for Tally {
    fn from_iter<I: IntoIterator<Item = (Entry, u64)>>(iter: I) -> Self {
        let mut t = Tally::default();
        for (entry, senders) in iter {
            t.push(entry, senders);
        }
        t
    }
}

/// What one replica holds for one sequence number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Slot {
    /// The pre-prepare it accepted (sent, if it is the primary), with its view.
    pub pre: Option<(u32, Entry)>,
    /// Prepares heard in the current view.
    pub prepares: Tally,
    /// Commits heard in the current view.
    pub commits: Tally,
    /// The highest-view prepared certificate it holds (kept across views for view changes).
    pub prepared: Option<(u32, Entry)>,
    /// Committed-local: the entry it will execute here.
    pub committed: Option<Entry>,
}

impl Slot {
    /// Prepares for `entry` in the current view, as a set of senders.
    pub fn prepares_for(&self, entry: Entry) -> u64 {
        self.prepares.of(entry)
    }

    pub fn commits_for(&self, entry: Entry) -> u64 {
        self.commits.of(entry)
    }

    fn is_empty(&self) -> bool {
        self.pre.is_none()
            && self.prepared.is_none()
            && self.committed.is_none()
            && self.prepares.is_empty()
            && self.commits.is_empty()
    }
}

/// Slots per shared chunk of a replica's log: a slot is a few hundred bytes, and a step that
/// writes one copies its whole chunk.
pub const SLOTS_PER_CHUNK: usize = 2;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Replica {
    /// The view it is in, or is changing to when `active` is false.
    pub view: u32,
    /// In the view (false while it waits for that view's new-view message).
    pub active: bool,
    /// Per sequence number (`slots[s - 1]`).
    pub slots: CowVec<Slot, SLOTS_PER_CHUNK>,
    /// The highest sequence number a primary assigned here (its next is one more).
    pub assigned: u32,
    /// Every sequence number up to this one is executed.
    pub executed: u32,
    pub store: Store,
    /// Requests it heard of and has not executed: its view-change timer runs while any wait.
    pub waiting: Vec<Command>,
    /// Whether its view-change timer runs.
    pub timing: bool,
    /// View changes heard for views it has not entered: view, sender, certificates.
    pub view_changes: Vec<(u32, u8, Arc<[Cert]>)>,
    /// A liar's memory, what its lies may name (empty at an honest replica): the requests it
    /// has heard of (the newest `MAX_LIES`: a lie names one of those anyway) and the highest
    /// slot it has seen. Below that cap it only grows, so a lie it could tell once it can tell
    /// later (see `Pbft::lies`); the explorer's runs stay far below it.
    pub heard: Vec<Command>,
    pub top: u32,
    /// Pre-prepares, prepares and commits of the next view that came before its new view (the
    /// network may reorder them): taken up when it enters that view.
    pub early: Vec<(u8, Msg)>,
}

impl Default for Replica {
    fn default() -> Self {
        Replica {
            view: 0,
            active: true,
            slots: CowVec::default(),
            assigned: 0,
            executed: 0,
            store: Store::default(),
            waiting: Vec::new(),
            timing: false,
            view_changes: Vec::new(),
            heard: Vec::new(),
            top: 0,
            early: Vec::new(),
        }
    }
}

impl Replica {
    pub fn slot(&self, seq: u32) -> Option<&Slot> {
        (seq >= 1)
            .then(|| self.slots.get(seq as usize - 1))
            .flatten()
    }

    fn slot_mut(&mut self, seq: u32) -> &mut Slot {
        self.slots.get_mut(seq as usize - 1)
    }

    /// The highest sequence number it holds anything for; 0 if none.
    pub fn last_seq(&self) -> u32 {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_empty())
            .last()
            .map_or(0, |(i, _)| i as u32 + 1)
    }

    /// Every prepared certificate it holds, by sequence number.
    pub fn certificates(&self) -> Vec<Cert> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                s.prepared.map(|(view, entry)| Cert {
                    seq: i as u32 + 1,
                    view,
                    entry,
                })
            })
            .collect()
    }

    /// Whether a command is assigned a sequence number above what it executed here.
    fn holds(&self, c: &Command) -> bool {
        let same = |e: &Entry| matches!(e, Entry::Cmd(x) if x.client == c.client && x.seq == c.seq);
        self.slots
            .iter_from(self.executed as usize)
            .any(|s| s.pre.is_some_and(|(v, e)| v == self.view && same(&e)))
    }
}

/// A client of a Byzantine store: the store's client, which accepts a result only once f + 1
/// replicas sent the same one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PbftClient {
    pub base: Client,
    /// Replies for the request in progress: replica (1-based) and the result it sent.
    pub replies: Vec<(u8, Output)>,
}

impl PbftClient {
    /// How many replicas sent `output` for the request in progress.
    pub fn matching(&self, output: Output) -> usize {
        self.replies.iter().filter(|r| r.1 == output).count()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Server(Box<Replica>),
    Client(PbftClient),
}

/// What a handler saw; the monitor checks every one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// The primary assigned a sequence number (or a backup accepted that pre-prepare).
    PrePrepared {
        view: u32,
        seq: u32,
        entry: Entry,
    },
    Prepared {
        view: u32,
        seq: u32,
        entry: Entry,
    },
    /// Committed-local.
    Committed {
        view: u32,
        seq: u32,
        entry: Entry,
    },
    Executed {
        seq: u32,
        entry: Entry,
        executed: bool,
    },
    /// It left its view and asked for `view`.
    ViewChangeStarted {
        view: u32,
        certificates: u32,
    },
    /// It entered `view`: the new primary re-proposed `reproposed` requests and filled `noops`.
    NewView {
        view: u32,
        reproposed: u32,
        noops: u32,
    },
    /// A client sent a request (first time).
    Invoked {
        seq: u32,
        op: Op,
    },
    /// A client accepted a result: f + 1 replicas sent it.
    Returned {
        seq: u32,
        output: Output,
    },
}

/// The rules checked after every step, judged among honest replicas and clients.
pub const INVARIANTS: [&str; 5] = [
    "commit-agreement",
    "execution-agreement",
    "exactly-once",
    "client-accepts-once",
    "linearizable",
];

/// The furthest past what it executed a replica takes a sequence number (PBFT's high water mark
/// less its checkpoints): a liar cannot make it hold a million empty slots.
pub const WINDOW: u32 = 256;

/// The most lies a liar offers at once (the newest first).
pub const MAX_LIES: usize = 1024;

/// The most messages of the next view a replica keeps before it enters that view.
pub const MAX_EARLY: usize = 4096;

#[derive(Clone, Debug)]
pub struct Pbft {
    pub servers: u8,
    pub faults: u8,
    pub clients: u8,
    pub flaws: u8,
    pub seed: u64,
    pub timeout: u32,
    pub auto_workload: Workload,
    /// Each client's operations, when an exhaustive search fixes them up front.
    pub workload: Vec<Vec<Op>>,
    pub byzantine: Vec<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Monitor {
    /// Per sequence number, the first honest commit: entry, view, step.
    pub committed: CowVec<Option<(Entry, u32, u64)>>,
    /// Per sequence number, the first honest execution: entry, step.
    pub executed: CowVec<Option<(Entry, u64)>>,
    /// Per replica: the sequence numbers it executed in order.
    pub applied: Vec<u32>,
    /// Per replica, per client: the highest request it executed.
    pub done: Vec<Vec<u32>>,
    pub history: History,
    pub settled: Settled,
    pub linearizable: bool,
    pub undecided: bool,
}

fn at<T: Copy>(v: &CowVec<Option<T>>, seq: u32) -> Option<T> {
    v.get(seq as usize - 1).copied().flatten()
}

impl Pbft {
    pub fn new(config: &Config) -> Self {
        Pbft {
            servers: config.servers,
            faults: config.faults,
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
        }
    }

    pub fn has(&self, flaw: Flaw) -> bool {
        self.flaws & (1 << (flaw as u8)) != 0
    }

    /// n - f: commits a replica needs, view changes a new primary needs.
    pub fn quorum(&self) -> u32 {
        (self.servers - self.faults) as u32
    }

    /// Matching prepares from backups a replica needs besides the pre-prepare (2f).
    pub fn prepares_needed(&self) -> u32 {
        self.quorum() - 1
    }

    /// Matching replies a client needs (f + 1).
    pub fn replies_needed(&self) -> usize {
        self.faults as usize + 1
    }

    /// The primary of `view` (1-based): S1 for view 0.
    pub fn primary(&self, view: u32) -> u8 {
        (view % self.servers as u32) as u8 + 1
    }

    fn view_wait(&self) -> TimerOp {
        TimerOp::Start(Wait::Between(self.timeout, self.timeout * 2))
    }

    fn others(&self, me: u8) -> impl Iterator<Item = NodeId> + '_ {
        (1..=self.servers).filter(move |&s| s != me).map(server)
    }

    fn broadcast(&self, me: u8, msg: Msg, out: &mut Outbox<Self>) {
        for to in self.others(me) {
            out.send(to, msg.clone());
        }
    }

    /// Whether a replica takes a message for this sequence number.
    fn in_window(s: &Replica, seq: u32) -> bool {
        seq >= 1 && seq <= s.executed + WINDOW
    }

    fn on_client(&self, me: u8, s: &mut Replica, c: Command, out: &mut Outbox<Self>) {
        if let Some(output) = s.store.answered(c.client, c.seq) {
            out.send(
                client(c.client),
                Msg::Client(ClientMsg::Reply { seq: c.seq, output }),
            );
            return;
        }
        if s.store.has_run(c.client, c.seq) {
            return;
        }
        if s.active && self.primary(s.view) == me {
            if !s.holds(&c) {
                self.assign(me, s, Entry::Cmd(c), out);
            }
            return;
        }
        if !s.waiting.contains(&c) {
            s.waiting.push(c);
        }
        if !s.timing {
            s.timing = true;
            out.timer = Some(self.view_wait());
        }
    }

    /// The primary gives `entry` the next sequence number.
    fn assign(&self, me: u8, s: &mut Replica, entry: Entry, out: &mut Outbox<Self>) {
        if s.assigned >= s.executed + WINDOW {
            if let Entry::Cmd(c) = entry
                && !s.waiting.contains(&c)
            {
                s.waiting.push(c);
            }
            return;
        }
        s.assigned += 1;
        let (view, seq) = (s.view, s.assigned);
        if self.byzantine.contains(&server(me)) {
            s.top = s.top.max(seq);
        }
        s.slot_mut(seq).pre = Some((view, entry));
        out.note(Note::PrePrepared { view, seq, entry });
        self.broadcast(me, Msg::PrePrepare { view, seq, entry }, out);
    }

    fn on_pre_prepare(
        &self,
        me: u8,
        s: &mut Replica,
        from: u8,
        (view, seq, entry): (u32, u32, Entry),
        out: &mut Outbox<Self>,
    ) {
        if !s.active || view != s.view || from != self.primary(view) || from == me {
            return;
        }
        if !Pbft::in_window(s, seq)
            || s.slot(seq)
                .is_some_and(|x| x.pre.is_some_and(|p| p.0 == view))
        {
            // A second pre-prepare for one sequence number in one view is the primary
            // equivocating: the first stands.
            return;
        }
        self.accept_pre_prepare(me, s, view, seq, entry, out);
    }

    /// A backup takes the pre-prepare: it prepares and says so to every replica.
    fn accept_pre_prepare(
        &self,
        me: u8,
        s: &mut Replica,
        view: u32,
        seq: u32,
        entry: Entry,
        out: &mut Outbox<Self>,
    ) {
        let slot = s.slot_mut(seq);
        slot.pre = Some((view, entry));
        slot.prepares.add(entry, 1 << (me - 1));
        out.note(Note::PrePrepared { view, seq, entry });
        self.broadcast(me, Msg::Prepare { view, seq, entry }, out);
        // The pre-prepare carries the request: a backup now waits for it to execute.
        if let Entry::Cmd(c) = entry
            && !s.store.has_run(c.client, c.seq)
            && !s.waiting.contains(&c)
        {
            s.waiting.push(c);
            if !s.timing {
                s.timing = true;
                out.timer = Some(self.view_wait());
            }
        }
        self.check_prepared(me, s, seq, out);
    }

    /// Prepared: the pre-prepare and 2f matching prepares from backups. Then it commits.
    fn check_prepared(&self, me: u8, s: &mut Replica, seq: u32, out: &mut Outbox<Self>) {
        let view = s.view;
        let primary_bit = 1u64 << (self.primary(view) - 1);
        let slot = s.slot_mut(seq);
        let Some((v, entry)) = slot.pre else {
            return;
        };
        if v != view || slot.prepared == Some((view, entry)) {
            return;
        }
        let prepares = slot.prepares_for(entry) & !primary_bit;
        if prepares.count_ones() < self.prepares_needed() {
            return;
        }
        slot.prepared = Some((view, entry));
        slot.commits.add(entry, 1 << (me - 1));
        out.note(Note::Prepared { view, seq, entry });
        self.broadcast(me, Msg::Commit { view, seq, entry }, out);
        self.check_committed(s, seq, out);
    }

    /// Committed-local: prepared and 2f + 1 matching commits. Then it executes what it can.
    fn check_committed(&self, s: &mut Replica, seq: u32, out: &mut Outbox<Self>) {
        let view = s.view;
        let slot = s.slot_mut(seq);
        let Some((v, entry)) = slot.prepared else {
            return;
        };
        if v != view || slot.commits_for(entry).count_ones() < self.quorum() {
            return;
        }
        if slot.committed == Some(entry) {
            return;
        }
        // An honest replica never holds two: a second would be a fork, which the monitor
        // reports; the first stays the one it executes.
        if slot.committed.is_none() {
            slot.committed = Some(entry);
        }
        out.note(Note::Committed { view, seq, entry });
        self.execute_ready(s, out);
    }

    fn execute_ready(&self, s: &mut Replica, out: &mut Outbox<Self>) {
        let before = s.executed;
        while let Some(entry) = s.slot(s.executed + 1).and_then(|x| x.committed) {
            s.executed += 1;
            let seq = s.executed;
            let result = s.store.apply(entry, true);
            out.note(Note::Executed {
                seq,
                entry,
                executed: result.executed,
            });
            if let (Entry::Cmd(c), Some(output)) = (entry, result.output) {
                out.send(
                    client(c.client),
                    Msg::Client(ClientMsg::Reply { seq: c.seq, output }),
                );
            }
        }
        if s.executed != before {
            let store = &s.store;
            s.waiting.retain(|c| !store.has_run(c.client, c.seq));
            self.rearm(s, out);
        }
    }

    /// Runs the view-change timer while requests wait (afresh after progress), stops it when
    /// none do.
    fn rearm(&self, s: &mut Replica, out: &mut Outbox<Self>) {
        if !s.active {
            return;
        }
        if s.waiting.is_empty() {
            if s.timing {
                s.timing = false;
                out.timer = Some(TimerOp::Stop);
            }
        } else {
            s.timing = true;
            out.timer = Some(self.view_wait());
        }
    }

    /// Leaves the current view for `view`: a view change to every replica.
    fn start_view_change(&self, me: u8, s: &mut Replica, view: u32, out: &mut Outbox<Self>) {
        s.view = view;
        s.active = false;
        // The old view's pre-prepares and tallies are never read again (only certificates and
        // commits outlive a view): dropped now, so states that differ only there are one.
        for seq in 1..=s.last_seq() {
            let slot = s.slot_mut(seq);
            slot.pre = None;
            slot.prepares.clear();
            slot.commits.clear();
        }
        let prepared: Arc<[Cert]> = s.certificates().into();
        out.note(Note::ViewChangeStarted {
            view,
            certificates: prepared.len() as u32,
        });
        self.broadcast(
            me,
            Msg::ViewChange {
                view,
                prepared: prepared.clone(),
            },
            out,
        );
        s.view_changes.retain(|v| !(v.0 == view && v.1 == me));
        s.view_changes.push((view, me, prepared));
        s.timing = true;
        out.timer = Some(TimerOp::Start(Wait::Between(
            self.timeout * 2,
            self.timeout * 3,
        )));
        self.try_new_view(me, s, out);
    }

    fn on_view_change(
        &self,
        me: u8,
        s: &mut Replica,
        from: u8,
        view: u32,
        prepared: Arc<[Cert]>,
        out: &mut Outbox<Self>,
    ) {
        if view < s.view || (view == s.view && s.active) {
            return;
        }
        if s.view_changes.iter().any(|v| v.0 == view && v.1 == from) {
            return;
        }
        s.view_changes.push((view, from, prepared));
        // f + 1 replicas ask for later views: at least one honest one does, so join the lowest.
        let later = s.view_changes.iter().filter(|v| v.0 > s.view);
        let senders = later.clone().fold(0u64, |m, v| m | 1 << (v.1 - 1));
        if senders.count_ones() > self.faults as u32
            && let Some(lowest) = later.map(|v| v.0).min()
        {
            self.start_view_change(me, s, lowest, out);
            return;
        }
        self.try_new_view(me, s, out);
    }

    /// The entries a new view re-proposes, from the view changes it carries: for each sequence
    /// number up to the highest prepared, the request prepared in the highest view, or a no-op.
    pub fn new_view_entries(&self, proof: &[ViewChangeProof]) -> Vec<Entry> {
        let top = proof
            .iter()
            .flat_map(|(_, certs)| certs.iter().map(|c| c.seq))
            .max()
            .unwrap_or(0);
        if self.has(Flaw::IgnoreCertificates) {
            return vec![Entry::Noop; top as usize];
        }
        // One pass over the certificates (a view change carries every one from slot 1): the
        // highest view wins, and of equal views the last seen, as `max_by_key` would pick.
        let mut best: Vec<Option<&Cert>> = vec![None; top as usize];
        for c in proof.iter().flat_map(|(_, certs)| certs.iter()) {
            if let Some(b) = c.seq.checked_sub(1).and_then(|i| best.get_mut(i as usize))
                && b.is_none_or(|x| c.view >= x.view)
            {
                *b = Some(c);
            }
        }
        best.into_iter()
            .map(|c| c.map_or(Entry::Noop, |c| c.entry))
            .collect()
    }

    /// The new primary, changing to its view with n - f view changes, starts it.
    fn try_new_view(&self, me: u8, s: &mut Replica, out: &mut Outbox<Self>) {
        let view = s.view;
        if s.active || self.primary(view) != me {
            return;
        }
        let mut proof: Vec<ViewChangeProof> = s
            .view_changes
            .iter()
            .filter(|v| v.0 == view)
            .map(|v| (v.1, v.2.clone()))
            .collect();
        if (proof.len() as u32) < self.quorum() {
            return;
        }
        proof.sort_unstable_by_key(|p| p.0);
        proof.truncate(self.quorum() as usize);
        let entries = self.new_view_entries(&proof);
        self.broadcast(
            me,
            Msg::NewView {
                view,
                proof: proof.into(),
                entries: entries.clone().into(),
            },
            out,
        );
        self.enter_view(me, s, view, &entries, out);
    }

    fn on_new_view(
        &self,
        me: u8,
        s: &mut Replica,
        from: u8,
        (view, proof, entries): (u32, &[ViewChangeProof], &[Entry]),
        out: &mut Outbox<Self>,
    ) {
        if view < s.view || (view == s.view && s.active) || from != self.primary(view) {
            return;
        }
        let mut senders = 0u64;
        for (sender, _) in proof {
            if !(1..=self.servers).contains(sender) {
                return;
            }
            senders |= 1 << (sender - 1);
        }
        if senders.count_ones() < self.quorum() || senders.count_ones() as usize != proof.len() {
            return;
        }
        if self.new_view_entries(proof) != entries {
            return;
        }
        self.enter_view(me, s, view, entries, out);
    }

    /// Enters `view` with the new primary's re-proposals: each as a pre-prepare of that view.
    fn enter_view(
        &self,
        me: u8,
        s: &mut Replica,
        view: u32,
        entries: &[Entry],
        out: &mut Outbox<Self>,
    ) {
        s.view = view;
        s.active = true;
        s.view_changes.retain(|v| v.0 > view);
        let last = s.last_seq().max(entries.len() as u32);
        for seq in 1..=last {
            let slot = s.slot_mut(seq);
            if slot.pre.is_some_and(|p| p.0 != view) {
                slot.pre = None;
            }
            slot.prepares.clear();
            slot.commits.clear();
        }
        let reproposed = entries.iter().filter(|e| **e != Entry::Noop).count() as u32;
        out.note(Note::NewView {
            view,
            reproposed,
            noops: entries.len() as u32 - reproposed,
        });
        let primary = self.primary(view) == me;
        s.assigned = entries.len() as u32;
        for (i, &entry) in entries.iter().enumerate() {
            let seq = i as u32 + 1;
            if primary {
                s.slot_mut(seq).pre = Some((view, entry));
            } else if Pbft::in_window(s, seq) {
                self.accept_pre_prepare(me, s, view, seq, entry, out);
            }
        }
        // What came early for this view, in the order it came.
        let early = std::mem::take(&mut s.early);
        for (from, msg) in early {
            if msg.view() == Some(view) {
                self.server_on(me, s, server(from), msg, out);
            } else if msg.view() > Some(view) {
                s.early.push((from, msg));
            }
        }
        s.timing = false;
        if primary {
            // What it heard of and no re-proposal carries, it assigns now.
            let waiting = std::mem::take(&mut s.waiting);
            for c in waiting {
                if !s.holds(&c) && !s.store.has_run(c.client, c.seq) {
                    self.assign(me, s, Entry::Cmd(c), out);
                }
            }
            out.timer = Some(TimerOp::Stop);
        } else {
            out.timer = Some(TimerOp::Stop);
            self.rearm(s, out);
        }
    }

    /// What a liar keeps of a message for its lies: the requests and slots it names.
    fn remember(&self, s: &mut Replica, from: NodeId, msg: &Msg) {
        let note = |s: &mut Replica, seq: u32, entry: Entry| {
            s.top = s.top.max(seq.min(s.executed + WINDOW));
            if let Entry::Cmd(c) = entry
                && !s.heard.contains(&c)
            {
                if s.heard.len() >= MAX_LIES {
                    s.heard.remove(0);
                }
                s.heard.push(c);
            }
        };
        match msg {
            Msg::Client(ClientMsg::Request { seq, op }) if from.role == CLIENT => {
                let c = Command {
                    client: from.index,
                    seq: *seq,
                    op: *op,
                };
                note(s, 0, Entry::Cmd(c));
            }
            Msg::Client(_) => {}
            Msg::PrePrepare { seq, entry, .. }
            | Msg::Prepare { seq, entry, .. }
            | Msg::Commit { seq, entry, .. } => note(s, *seq, *entry),
            Msg::ViewChange { prepared, .. } => {
                for c in prepared.iter() {
                    note(s, c.seq, c.entry);
                }
            }
            Msg::NewView { entries, .. } => {
                for (i, e) in entries.iter().enumerate() {
                    note(s, i as u32 + 1, *e);
                }
            }
        }
    }

    fn server_on(&self, me: u8, s: &mut Replica, from: NodeId, msg: Msg, out: &mut Outbox<Self>) {
        if self.byzantine.contains(&server(me)) {
            self.remember(s, from, &msg);
        }
        let peer = from.index;
        if from.role == CLIENT {
            if let Msg::Client(ClientMsg::Request { seq, op }) = msg {
                let c = Command {
                    client: peer,
                    seq,
                    op,
                };
                self.on_client(me, s, c, out);
            }
            return;
        }
        if !(1..=self.servers).contains(&peer) {
            return;
        }
        if let Msg::PrePrepare { view, .. } | Msg::Prepare { view, .. } | Msg::Commit { view, .. } =
            msg
            && (view > s.view || (view == s.view && !s.active))
        {
            // Of a view it has not entered: kept for when it does (the next view only, and a
            // bounded number, so a liar cannot fill its memory).
            let next = if s.active { s.view + 1 } else { s.view };
            if view == next && s.early.len() < MAX_EARLY && !s.early.contains(&(peer, msg.clone()))
            {
                s.early.push((peer, msg));
            }
            return;
        }
        match msg {
            Msg::Client(_) => {}
            Msg::PrePrepare { view, seq, entry } => {
                self.on_pre_prepare(me, s, peer, (view, seq, entry), out)
            }
            Msg::Prepare { view, seq, entry } => {
                if !s.active || view != s.view || !Pbft::in_window(s, seq) {
                    return;
                }
                if peer == self.primary(view) {
                    return;
                }
                if s.slot_mut(seq).prepares.add(entry, 1 << (peer - 1)) {
                    self.check_prepared(me, s, seq, out);
                }
            }
            Msg::Commit { view, seq, entry } => {
                if !s.active || view != s.view || !Pbft::in_window(s, seq) {
                    return;
                }
                if s.slot_mut(seq).commits.add(entry, 1 << (peer - 1)) {
                    self.check_committed(s, seq, out);
                }
            }
            Msg::ViewChange { view, prepared } => {
                self.on_view_change(me, s, peer, view, prepared, out)
            }
            Msg::NewView {
                view,
                proof,
                entries,
            } => self.on_new_view(me, s, peer, (view, &proof, &entries), out),
        }
    }

    /// The client's side of a reply: counted, and accepted once f + 1 replicas sent one result.
    fn client_on(&self, c: &mut PbftClient, from: u8, msg: ClientMsg, out: &mut Outbox<Self>) {
        let ClientMsg::Reply { seq, output } = msg else {
            return;
        };
        let Some((current, _)) = c.base.current else {
            return;
        };
        if seq != current || c.replies.iter().any(|r| r.0 == from) {
            return;
        }
        c.replies.push((from, output));
        if c.matching(output) < self.replies_needed() {
            return;
        }
        c.replies.clear();
        c.base.current = None;
        out.note(Note::Returned { seq, output });
        out.timer = Some(TimerOp::Stop);
        let mut fx = kv::ClientEffects::default();
        c.base.start_next(&mut fx);
        kv::client_effects(self, fx, out);
    }

    /// No answer in time: the same request to every replica.
    fn client_timeout(&self, c: &mut PbftClient, out: &mut Outbox<Self>) {
        if let Some((seq, op)) = c.base.current {
            for s in 1..=self.servers {
                out.send(server(s), Msg::Client(ClientMsg::Request { seq, op }));
            }
            out.timer = Some(kv::StoreProtocol::client_wait(self));
        }
    }

    /// What a liar may say, built from what it remembers: see `Protocol::lies`. Newest first
    /// (views, slots and requests), and at most `MAX_LIES`, so a long run's liar offers what
    /// matters now at a bounded cost; the explorer's runs stay far below the cap. Each lie is
    /// handed to `visit` as its receiver and a way to build it, so that counting the lies or
    /// drawing one (the random scheduler's every lie step) builds no other; `visit` breaks to
    /// stop early.
    fn visit_lies(
        &self,
        me: u8,
        s: &Replica,
        mut visit: impl FnMut(NodeId, &dyn Fn() -> Msg) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let told = std::cell::Cell::new(0usize);
        let full = || told.get() >= MAX_LIES;
        let mut tell = |to: NodeId, lie: &dyn Fn() -> Msg| {
            told.set(told.get() + 1);
            visit(to, lie)
        };
        // A view change, to any view up to the next, hiding every certificate it holds.
        for view in (1..=s.view + 1).rev() {
            for to in self.others(me) {
                if full() {
                    return ControlFlow::Break(());
                }
                tell(to, &|| Msg::ViewChange {
                    view,
                    prepared: Arc::from(Vec::new()),
                })?;
            }
        }
        // A forged reply: a result it never computed, for a request it has heard of.
        for c in s.heard.iter().rev() {
            let honest = s.store.answered(c.client, c.seq);
            for output in [Output::Ok, Output::Fail, Output::Got(None)] {
                if full() {
                    return ControlFlow::Break(());
                }
                if honest != Some(output) {
                    let reply = ClientMsg::Reply { seq: c.seq, output };
                    tell(client(c.client), &|| Msg::Client(reply))?;
                }
            }
        }
        let top = (s.top + 1).min(s.executed + WINDOW);
        for view in (0..=s.view).rev() {
            let primary = self.primary(view) == me;
            for seq in (1..=top).rev() {
                let slot = s.slot(seq);
                // What it sent honestly in this view is no lie: left out.
                let pre = slot
                    .and_then(|x| x.pre)
                    .filter(|p| p.0 == view)
                    .map(|p| p.1);
                let prepared = slot.and_then(|x| x.prepared);
                let entries = std::iter::once(Entry::Noop)
                    .chain(s.heard.iter().rev().map(|c| Entry::Cmd(*c)));
                for entry in entries {
                    for to in self.others(me) {
                        if full() {
                            return ControlFlow::Break(());
                        }
                        if pre != Some(entry) {
                            if primary {
                                // Equivocation: a pre-prepare other than the one it sent.
                                tell(to, &|| Msg::PrePrepare { view, seq, entry })?;
                            } else {
                                // A prepare for what it never accepted.
                                tell(to, &|| Msg::Prepare { view, seq, entry })?;
                            }
                        }
                        if prepared != Some((view, entry)) {
                            // A commit for what it is not prepared for.
                            tell(to, &|| Msg::Commit { view, seq, entry })?;
                        }
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }
}

impl kv::StoreProtocol for Pbft {
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

impl Protocol for Pbft {
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
            Node::Client(PbftClient {
                base: Client::new(),
                replies: Vec::new(),
            })
        }
    }

    fn takes_requests(&self, id: NodeId) -> bool {
        id.role == CLIENT
    }

    fn is_byzantine(&self, id: NodeId) -> bool {
        self.byzantine.contains(&id)
    }

    /// A lying replica's alphabet, from what it remembers: as primary of a view, a pre-prepare
    /// other than the one it sent (equivocation); as a backup, a prepare for what it never
    /// accepted; a commit for what it is not prepared for; a view change hiding its
    /// certificates; a reply with a result it never computed. Entries are the requests it has
    /// heard of and the no-op, slots run to one past the highest it has seen, views up to its
    /// own. All of that only grows (below the cap of `MAX_LIES`, which the explorer's small runs
    /// never reach), so the explorer may deliver a lie the moment it is told
    /// (`lies_arrive_at_once`). (Staying silent is a crash, which every run may have.)
    fn lies(&self, id: NodeId, node: &Node) -> Vec<(NodeId, Msg)> {
        let mut out = Vec::new();
        if let Node::Server(s) = node {
            let _ = self.visit_lies(id.index, s, |to, lie| {
                out.push((to, lie()));
                ControlFlow::Continue(())
            });
        }
        out
    }

    fn lie_at(&self, id: NodeId, node: &Node, k: usize) -> Result<(NodeId, Msg), usize> {
        let mut found = None;
        let mut count = 0;
        if let Node::Server(s) = node {
            let _ = self.visit_lies(id.index, s, |to, lie| {
                if count == k {
                    found = Some((to, lie()));
                    return ControlFlow::Break(());
                }
                count += 1;
                ControlFlow::Continue(())
            });
        }
        found.ok_or(count)
    }

    /// A lie no replica could tell: a client's request, a message to the wrong role, a new view
    /// (it carries n - f others' signed view changes, which a liar cannot forge), or a view
    /// change claiming a certificate (it carries 2f others' signed prepares).
    fn check_lie(&self, from: NodeId, to: NodeId, msg: &Msg) -> Result<(), String> {
        kv::check_server_lie(from, to, msg)?;
        match msg {
            Msg::NewView { .. } => Err(format!(
                "{from} cannot send {msg}: a new view carries other replicas' signed view \
                 changes, which a liar cannot forge"
            )),
            Msg::ViewChange { prepared, .. } if !prepared.is_empty() => Err(format!(
                "{from} cannot send {msg}: a prepared certificate carries other replicas' signed \
                 prepares, so a liar may hide certificates but not claim them"
            )),
            Msg::Client(ClientMsg::Redirect { .. }) => Err(format!(
                "{from} cannot send {msg}: PBFT replicas send no redirects"
            )),
            _ => Ok(()),
        }
    }

    fn has_room(&self, node: &Node) -> bool {
        match node {
            Node::Client(c) => c.base.has_room(),
            Node::Server(_) => false,
        }
    }

    fn auto_request(&self, id: NodeId, node: &Node) -> Op {
        let given = match node {
            Node::Client(c) => c.base.given(),
            Node::Server(_) => 0,
        };
        self.auto_workload.op(self.seed, id.index, given)
    }

    fn new_monitor(&self) -> Monitor {
        Monitor {
            committed: CowVec::default(),
            executed: CowVec::default(),
            applied: vec![0; self.servers as usize],
            done: vec![vec![0; self.clients as usize]; self.servers as usize],
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
            return Err(format!("{id} is a replica; clients take requests"));
        };
        if op.change().is_some() {
            return Err(format!(
                "{op}: PBFT takes no configuration changes yet (Raft does: its single-server changes)"
            ));
        }
        let fx = c.base.take(id, op)?;
        kv::client_effects(self, fx, out);
        Ok(())
    }

    fn on_message(
        &self,
        _ctx: Ctx,
        id: NodeId,
        node: &mut Node,
        from: NodeId,
        msg: Msg,
        out: &mut Outbox<Self>,
    ) {
        match node {
            Node::Server(s) => self.server_on(id.index, s, from, msg, out),
            Node::Client(c) => {
                if let (Msg::Client(m), SERVER) = (msg, from.role) {
                    self.client_on(c, from.index, m, out);
                }
            }
        }
    }

    fn on_timeout(&self, _ctx: Ctx, id: NodeId, node: &mut Node, out: &mut Outbox<Self>) {
        match node {
            Node::Client(c) => self.client_timeout(c, out),
            Node::Server(s) => {
                s.timing = false;
                if !s.active || !s.waiting.is_empty() {
                    let next = s.view + 1;
                    self.start_view_change(id.index, s, next, out);
                }
            }
        }
    }

    fn on_restart(&self, _ctx: Ctx, _id: NodeId, node: &mut Node, out: &mut Outbox<Self>) {
        match node {
            Node::Client(c) => {
                c.replies.clear();
                let fx = c.base.on_restart();
                kv::client_effects(self, fx, out);
            }
            Node::Server(s) => {
                s.timing = !s.waiting.is_empty() || !s.active;
                if s.timing {
                    out.timer = Some(self.view_wait());
                }
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
            Note::Committed { view, seq, entry } => match at(&m.committed, seq) {
                Some((e, v, _)) if e != entry => violate(
                    "commit-agreement",
                    both(
                        broken::COMMITTED_OTHER,
                        &[
                            &node,
                            &entry_words(&entry),
                            &seq,
                            &view,
                            &entry_words(&e),
                            &v,
                        ],
                    ),
                ),
                Some(_) => {}
                None => *m.committed.get_mut(seq as usize - 1) = Some((entry, view, ctx.step)),
            },
            Note::Executed {
                seq,
                entry,
                executed,
            } => {
                match at(&m.executed, seq) {
                    Some((e, _)) if e != entry => violate(
                        "execution-agreement",
                        both(
                            broken::EXECUTED_OTHER,
                            &[&node, &entry_words(&entry), &seq, &entry_words(&e)],
                        ),
                    ),
                    Some(_) => {}
                    None => *m.executed.get_mut(seq as usize - 1) = Some((entry, ctx.step)),
                }
                if seq != m.applied[i] + 1 {
                    violate(
                        "execution-agreement",
                        both(broken::OUT_OF_ORDER, &[&node, &seq, &(m.applied[i] + 1)]),
                    );
                }
                m.applied[i] = m.applied[i].max(seq);
                if let (Entry::Cmd(c), true) = (entry, executed) {
                    let last = &mut m.done[i][c.client as usize - 1];
                    if c.seq <= *last {
                        violate(
                            "exactly-once",
                            both(broken::EXECUTED_AGAIN, &[&node, &c.client, &c.seq, &seq]),
                        );
                    }
                    *last = (*last).max(c.seq);
                }
            }
            Note::Invoked { seq, op } => m.history.invoke(node.index, seq, op, ctx.step),
            Note::Returned { seq, output } => {
                // A client has one request in flight: its latest in the history.
                let again = (0..m.history.len())
                    .rev()
                    .map(|k| m.history.op(k))
                    .find(|o| o.client == node.index)
                    .is_some_and(|o| o.seq == seq && o.ret.is_some());
                if again {
                    violate(
                        "client-accepts-once",
                        both(broken::ACCEPTED_TWICE, &[&node, &seq, &output.to_string()]),
                    );
                    return;
                }
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
            Note::PrePrepared { .. }
            | Note::Prepared { .. }
            | Note::ViewChangeStarted { .. }
            | Note::NewView { .. } => {}
        }
    }
}

impl Config {
    pub fn timing(&self) -> Timing {
        Timing {
            seed: self.seed,
            latency: self.latency,
            timeout: self.timeout,
            drift: 0,
        }
    }

    /// A fresh world for this config (validate the config first).
    pub fn world(&self) -> PbftWorld {
        World::new(Pbft::new(self), self.timing())
    }
}

/// What each broken rule says, in English and Chinese.
mod broken {
    use crate::sim::words::Words;

    pub const COMMITTED_OTHER: Words = [
        "{0} committed {1} at slot {2} in view {3}, where {4} was committed in view {5}",
        "{0} 在视图 {3} 中于槽位 {2} 提交了 {1}，而该槽位已在视图 {5} 中提交了 {4}",
    ];
    pub const EXECUTED_OTHER: Words = [
        "{0} executed {1} at slot {2}, where an honest replica executed {3}",
        "{0} 在槽位 {2} 执行了 {1}，而另一个诚实副本在该槽位执行的是 {3}",
    ];
    pub const OUT_OF_ORDER: Words = [
        "{0} executed slot {1} out of order (the next in order was {2})",
        "{0} 未按顺序执行了槽位 {1}（按顺序下一个应是槽位 {2}）",
    ];
    pub const EXECUTED_AGAIN: Words = [
        "{0} executed C{1}.{2} again (slot {3})",
        "{0} 再次执行了 C{1}.{2}（槽位 {3}）",
    ];
    pub const ACCEPTED_TWICE: Words = [
        "{0} accepted a second result for request {1}: {2}",
        "{0} 为请求 {1} 接受了第二个结果：{2}",
    ];
}

#[cfg(test)]
mod tests;

impl crate::protocols::kv::config::StoreProtocol for Pbft {
    fn with_workload(config: &Config, workload: Vec<Vec<Op>>) -> Self {
        let mut protocol = Pbft::new(config);
        protocol.workload = workload;
        protocol
    }
}
