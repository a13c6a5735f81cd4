//! PBFT in the explorer's canonical form. Commands are written as their place in the tables the
//! workload fixes up front. Left out, on purpose: the steps at which slots were committed and
//! executed and requests invoked or answered (history, not state), and the order in which a
//! tally or a list of view changes grew (written sorted).
//!
//! Pre-prepares, prepares and commits fit the explorer's 48-bit codes field by field; view
//! changes and new views carry lists, so they are interned as a digest of their content (the
//! same on every run and thread count).

use std::sync::Arc;

use super::{Cert, Monitor, Msg, Node, Note, Pbft, PbftClient, Replica, Slot, Tally, at};
use crate::protocols::kv::canon::{self as kv_canon, pack, tag, unpack};
use crate::protocols::kv::{ClientMsg, Entry, Op};
use crate::sim::canon::{Canonical, Reader, Writer};
use crate::sim::ids::{NodeId, Role};

pub type Codes = kv_canon::Codes<Msg>;

/// Tags of the message codes (the top four of 48 bits; 7 to 9 are the clients', 15 interned).
const PRE_PREPARE: u64 = 1;
const PREPARE: u64 = 2;
const COMMIT: u64 = 3;

/// Field widths of a pre-prepare, prepare or commit: view, sequence number, entry.
const PHASE: [u32; 3] = [12, 16, 16];

/// Calls `write` on `items` sorted (the order a list grew in is history, not state). Most lists
/// here hold a few items, sorted on the stack.
fn sorted<T: Copy + Ord + Default>(items: impl Iterator<Item = T>, mut write: impl FnMut(T)) {
    let mut few = [T::default(); 8];
    let mut n = 0;
    let mut many = Vec::new();
    for x in items {
        if n < few.len() {
            few[n] = x;
            n += 1;
        } else {
            if many.is_empty() {
                many.extend_from_slice(&few);
            }
            many.push(x);
        }
    }
    let list = if many.is_empty() {
        &mut few[..n]
    } else {
        &mut many[..]
    };
    list.sort_unstable();
    for &x in list.iter() {
        write(x);
    }
}

fn write_tallies(w: &mut Writer, c: &Codes, tally: &Tally) {
    w.varint(tally.len() as u64);
    sorted(tally.iter().map(|(e, b)| (c.entry(e), *b)), |(e, b)| {
        w.varint(e);
        w.varint(b);
    });
}

fn read_tallies(r: &mut Reader, c: &Codes) -> Tally {
    (0..r.varint())
        .map(|_| {
            let e = c.entry_at(r.varint()).unwrap_or(Entry::Noop);
            (e, r.varint())
        })
        .collect()
}

fn write_entry_at(w: &mut Writer, c: &Codes, x: Option<(u32, Entry)>) {
    match x {
        None => w.varint(0),
        Some((v, e)) => {
            w.varint(v as u64 + 1);
            w.varint(c.entry(&e));
        }
    }
}

fn read_entry_at(r: &mut Reader, c: &Codes) -> Option<(u32, Entry)> {
    match r.varint() {
        0 => None,
        v => Some((v as u32 - 1, c.entry_at(r.varint()).unwrap_or(Entry::Noop))),
    }
}

fn write_certs(w: &mut Writer, c: &Codes, certs: &[Cert]) {
    w.varint(certs.len() as u64);
    for cert in certs {
        w.varint(cert.seq as u64);
        w.varint(cert.view as u64);
        w.varint(c.entry(&cert.entry));
    }
}

fn read_certs(r: &mut Reader, c: &Codes) -> Arc<[Cert]> {
    let certs: Vec<Cert> = (0..r.varint())
        .map(|_| Cert {
            seq: r.varint() as u32,
            view: r.varint() as u32,
            entry: c.entry_at(r.varint()).unwrap_or(Entry::Noop),
        })
        .collect();
    certs.into()
}

/// The highest sequence number with something in it; 0 if none.
fn last<T: Clone>(v: &crate::sim::cowvec::CowVec<Option<T>>) -> u32 {
    v.iter()
        .enumerate()
        .filter(|(_, x)| x.is_some())
        .last()
        .map_or(0, |(i, _)| i as u32 + 1)
}

impl Pbft {
    fn compact(&self, msg: &Msg, codes: &Codes) -> Option<u64> {
        let phase = |t, view: u32, seq: u32, entry: &Entry| {
            pack(
                t,
                &[
                    (view as u64, PHASE[0]),
                    (seq as u64, PHASE[1]),
                    (codes.entry(entry), PHASE[2]),
                ],
            )
        };
        match msg {
            Msg::PrePrepare { view, seq, entry } => phase(PRE_PREPARE, *view, *seq, entry),
            Msg::Prepare { view, seq, entry } => phase(PREPARE, *view, *seq, entry),
            Msg::Commit { view, seq, entry } => phase(COMMIT, *view, *seq, entry),
            Msg::Client(c) => codes.client_msg(c),
            Msg::ViewChange { .. } | Msg::NewView { .. } => None,
        }
    }

    fn encode_replica(&self, s: &Replica, c: &Codes, w: &mut Writer) {
        w.varint(s.view as u64);
        w.byte(s.active as u8);
        w.varint(s.assigned as u64);
        w.varint(s.executed as u64);
        c.encode_store(&s.store, w);
        w.varint(s.waiting.len() as u64);
        sorted(s.waiting.iter().map(|x| c.command(x)), |x| w.varint(x));
        w.byte(s.timing as u8);
        let mut vcs: Vec<&(u32, u8, Arc<[Cert]>)> = s.view_changes.iter().collect();
        vcs.sort_unstable_by_key(|v| (v.0, v.1));
        w.varint(vcs.len() as u64);
        for (view, sender, certs) in vcs {
            w.varint(*view as u64);
            w.byte(*sender);
            write_certs(w, c, certs);
        }
        w.varint(s.heard.len() as u64);
        sorted(s.heard.iter().map(|x| c.command(x)), |x| w.varint(x));
        w.varint(s.top as u64);
        w.varint(s.early.len() as u64);
        sorted(
            s.early
                .iter()
                .map(|(from, m)| (*from, self.encode_msg(m, c))),
            |(from, code)| {
                w.byte(from);
                w.varint(code);
            },
        );
        let last = s.last_seq();
        w.varint(last as u64);
        let empty = Slot::default();
        for seq in 1..=last {
            let slot = s.slot(seq).unwrap_or(&empty);
            write_entry_at(w, c, slot.pre);
            write_tallies(w, c, &slot.prepares);
            write_tallies(w, c, &slot.commits);
            write_entry_at(w, c, slot.prepared);
            w.varint(slot.committed.map_or(0, |e| c.entry(&e)));
        }
    }

    fn decode_replica(&self, c: &Codes, r: &mut Reader) -> Replica {
        let mut s = Replica {
            view: r.varint() as u32,
            active: r.byte() != 0,
            assigned: r.varint() as u32,
            executed: r.varint() as u32,
            store: c.decode_store(r),
            ..Replica::default()
        };
        for _ in 0..r.varint() {
            if let Some(cmd) = c.command_at(r.varint()) {
                s.waiting.push(cmd);
            }
        }
        s.timing = r.byte() != 0;
        for _ in 0..r.varint() {
            let view = r.varint() as u32;
            let sender = r.byte();
            s.view_changes.push((view, sender, read_certs(r, c)));
        }
        for _ in 0..r.varint() {
            if let Some(cmd) = c.command_at(r.varint()) {
                s.heard.push(cmd);
            }
        }
        s.top = r.varint() as u32;
        for _ in 0..r.varint() {
            let from = r.byte();
            s.early.push((from, self.decode_msg(r.varint(), c)));
        }
        for seq in 1..=r.varint() as u32 {
            let slot = Slot {
                pre: read_entry_at(r, c),
                prepares: read_tallies(r, c),
                commits: read_tallies(r, c),
                prepared: read_entry_at(r, c),
                committed: c.entry_at(r.varint()),
            };
            *s.slot_mut(seq) = slot;
        }
        s
    }
}

impl Canonical for Pbft {
    type Values = Codes;

    /// Clients get their whole workload before the search starts.
    fn explored_request(&self, _id: NodeId) -> Option<Op> {
        None
    }

    fn values(&self, _requests: &[Op]) -> Codes {
        Codes::for_workload(&self.workload)
    }

    /// View changes are bounded by the timeouts each replica may take.
    fn starts_attempt(_note: &Note) -> bool {
        false
    }

    fn encode_node(&self, node: &Node, c: &Codes, w: &mut Writer) {
        match node {
            Node::Server(s) => self.encode_replica(s, c, w),
            Node::Client(cl) => {
                c.encode_client(&cl.base, w);
                let mut replies: Vec<(u8, u64)> =
                    cl.replies.iter().map(|(r, o)| (*r, c.output(o))).collect();
                replies.sort_unstable();
                w.varint(replies.len() as u64);
                for (r, o) in replies {
                    w.byte(r);
                    w.varint(o);
                }
            }
        }
    }

    fn decode_node(&self, id: NodeId, c: &Codes, r: &mut Reader) -> Node {
        if id.role == super::SERVER {
            Node::Server(Box::new(self.decode_replica(c, r)))
        } else {
            let base = c.decode_client(r);
            let replies = (0..r.varint())
                .map(|_| {
                    let from = r.byte();
                    (from, c.output_at(r.varint()))
                })
                .collect();
            Node::Client(PbftClient { base, replies })
        }
    }

    fn encode_msg(&self, msg: &Msg, c: &Codes) -> u64 {
        self.compact(msg, c).unwrap_or_else(|| c.intern(msg))
    }

    fn decode_msg(&self, code: u64, c: &Codes) -> Msg {
        let phase = || {
            let v = unpack(code, &PHASE);
            (
                v[0] as u32,
                v[1] as u32,
                c.entry_at(v[2]).unwrap_or(Entry::Noop),
            )
        };
        match tag(code) {
            PRE_PREPARE => {
                let (view, seq, entry) = phase();
                Msg::PrePrepare { view, seq, entry }
            }
            PREPARE => {
                let (view, seq, entry) = phase();
                Msg::Prepare { view, seq, entry }
            }
            COMMIT => {
                let (view, seq, entry) = phase();
                Msg::Commit { view, seq, entry }
            }
            _ => c
                .client_msg_at(code)
                .map(Msg::Client)
                .or_else(|| c.interned(code))
                .unwrap_or(Msg::Client(ClientMsg::Redirect {
                    seq: 0,
                    leader: None,
                })),
        }
    }

    fn encode_monitor(&self, m: &Monitor, c: &Codes, w: &mut Writer) {
        let n = last(&m.committed);
        w.varint(n as u64);
        for seq in 1..=n {
            match at(&m.committed, seq) {
                None => w.varint(0),
                Some((e, v, _)) => {
                    w.varint(c.entry(&e));
                    w.varint(v as u64);
                }
            }
        }
        let n = last(&m.executed);
        w.varint(n as u64);
        for seq in 1..=n {
            w.varint(at(&m.executed, seq).map_or(0, |(e, _)| c.entry(&e)));
        }
        for &a in &m.applied {
            w.varint(a as u64);
        }
        for per in &m.done {
            for &d in per {
                w.varint(d as u64);
            }
        }
        c.encode_history(
            &m.history,
            &m.settled,
            m.linearizable,
            self.clients as usize,
            w,
        );
    }

    fn decode_monitor(&self, c: &Codes, r: &mut Reader) -> Monitor {
        let mut m = crate::sim::protocol::Protocol::new_monitor(self);
        for seq in 1..=r.varint() as u32 {
            if let Some(e) = c.entry_at(r.varint()) {
                *m.committed.get_mut(seq as usize - 1) = Some((e, r.varint() as u32, 0));
            }
        }
        for seq in 1..=r.varint() as u32 {
            if let Some(e) = c.entry_at(r.varint()) {
                *m.executed.get_mut(seq as usize - 1) = Some((e, 0));
            }
        }
        for a in &mut m.applied {
            *a = r.varint() as u32;
        }
        for per in &mut m.done {
            for d in per.iter_mut() {
                *d = r.varint() as u32;
            }
        }
        (m.history, m.settled, m.linearizable) = c.decode_history(self.clients as usize, r);
        m
    }

    /// A message its receiver's handler ignores now and in every later state, so the explorer
    /// may forget it. Views never go back, so a replica ignores for ever:
    /// - a pre-prepare, prepare or commit of a view it has left (not of the view it is changing
    ///   to: it ignores those only until it enters that view);
    /// - a pre-prepare for a slot where it holds one of that view already (the first stands);
    /// - in its view, a prepare for what it is already prepared for there, or a commit for what
    ///   it already committed there: each only adds a sender to a tally nothing reads again
    ///   (the tallies go with the view, and a liar's lies read entries, not tallies);
    /// - a view change for a view below its own, or for the view it is in;
    /// - at an honest backup, a view change for the view it is changing to: it keeps it, but
    ///   nothing reads it there again (it counts towards joining a view only while the replica
    ///   is below that view, only the view's primary builds a new view from the view changes it
    ///   kept, and entering a view, or a later one, forgets them), so a run that delivers it is
    ///   matched step for step by one that does not;
    /// - a new view for a view below its own, or for the view it is in;
    ///
    /// and a client ignores a reply for a request it is no longer waiting on (its ids rise).
    /// None of this reads who sent the message, so it holds with liars about; and what a liar
    /// may say next depends on its own state alone, which a message it ignores leaves as it was
    /// (a view change it keeps is not ignored: it learns requests from the certificates).
    fn is_stale(
        &self,
        node: &Node,
        to: NodeId,
        _from: NodeId,
        msg: &Msg,
        _may_restart: bool,
        _may_start_attempt: bool,
    ) -> bool {
        match (node, msg) {
            (
                Node::Server(s),
                Msg::PrePrepare { view, .. } | Msg::Prepare { view, .. } | Msg::Commit { view, .. },
            ) if *view < s.view => true,
            (Node::Server(s), Msg::PrePrepare { view, seq, .. }) => {
                *view == s.view
                    && s.slot(*seq)
                        .is_some_and(|x| x.pre.is_some_and(|p| p.0 == *view))
            }
            (Node::Server(s), Msg::Prepare { view, seq, entry }) => {
                *view == s.view
                    && s.active
                    && s.slot(*seq)
                        .is_some_and(|x| x.prepared == Some((*view, *entry)))
            }
            (Node::Server(s), Msg::Commit { view, seq, entry }) => {
                *view == s.view
                    && s.active
                    && s.slot(*seq).is_some_and(|x| x.committed == Some(*entry))
            }
            (Node::Server(s), Msg::ViewChange { view, .. }) => {
                *view < s.view
                    || (*view == s.view
                        && (s.active
                            || (self.primary(*view) != to.index && !self.byzantine.contains(&to))))
            }
            (Node::Server(s), Msg::NewView { view, .. }) => {
                *view < s.view || (*view == s.view && s.active)
            }
            (Node::Client(c), Msg::Client(ClientMsg::Reply { seq, .. })) => {
                c.base.current.is_none_or(|(current, _)| current != *seq) && *seq <= c.base.seq
            }
            _ => false,
        }
    }

    /// A prepare or commit of the receiver's view that adds a sender to a tally which stays
    /// short of what it needs, or a reply that leaves its client short of f + 1: it sends and
    /// notes nothing, and tallies are sets keyed by entry, so the order in which they fill
    /// never matters.
    fn is_eager(&self, node: &Node, from: NodeId, msg: &Msg) -> bool {
        let s = match node {
            Node::Server(s) => s,
            // A reply that leaves its client short of f + 1 matching ones.
            Node::Client(c) => {
                return match *msg {
                    Msg::Client(ClientMsg::Reply { seq, output }) => {
                        c.base.current.is_some_and(|(current, _)| current == seq)
                            && !c.replies.iter().any(|r| r.0 == from.index)
                            && c.matching(output) + 1 < self.replies_needed()
                    }
                    _ => false,
                };
            }
        };
        if !s.active || from.role != super::SERVER {
            return false;
        }
        let bit = 1u64 << (from.index - 1);
        match *msg {
            Msg::Prepare { view, seq, entry } if view == s.view && Pbft::in_window(s, seq) => {
                let primary_bit = 1u64 << (self.primary(view) - 1);
                let now = s.slot(seq).map_or(0, |x| x.prepares_for(entry));
                bit != primary_bit
                    && now & bit == 0
                    && ((now | bit) & !primary_bit).count_ones() < self.prepares_needed()
            }
            Msg::Commit { view, seq, entry } if view == s.view && Pbft::in_window(s, seq) => {
                let now = s.slot(seq).map_or(0, |x| x.commits_for(entry));
                now & bit == 0 && (now | bit).count_ones() < self.quorum()
            }
            _ => false,
        }
    }

    /// Each delivery and lie this explorer judges reads its receiver's own state alone, so the
    /// reductions above stay sound with liars about (see `is_stale`); eager deliveries are taken
    /// only to honest replicas, whose tallies no lie depends on.
    fn reductions_with_liars(&self) -> bool {
        true
    }

    /// A liar's alphabet only grows (its memory of requests and slots, its view), and what it
    /// sent honestly is all it leaves out, so a lie told early is matched by the same lie told
    /// at delivery.
    fn lies_arrive_at_once(&self) -> bool {
        true
    }

    /// Replicas differ (the primary of each view is fixed), so no symmetry is claimed.
    fn symmetric_role(&self) -> Option<Role> {
        None
    }

    fn permute_node(&self, _node: &mut Node, _perm: &[u8]) {}

    fn permute_monitor(&self, _monitor: &mut Monitor, _perm: &[u8]) {}
}
