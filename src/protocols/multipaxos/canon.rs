//! Multi-Paxos in the explorer's canonical form. Commands, operations and values are written as
//! their place in tables built from the workload the search fixes up front. Left out, on purpose:
//! the steps at which slots were chosen and requests invoked or answered (history, not state),
//! the cached chosen prefix (it follows from the log), and the order in which a slot's tallies
//! grew (they are written sorted by ballot).
//!
//! Most messages fit the explorer's 48-bit codes field by field. A promise and a batch of commits
//! carry lists, so they are written as a 44-bit digest of their content and kept in a table shared
//! by the search's threads; the digest depends on the content alone, so every run and every
//! thread count gives the same codes.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock};

use super::{Lead, Monitor, Msg, MultiPaxos, Node, Note, Server, SlotVotes, at, last, set};
use crate::protocols::ids::{Ballot, Value, pack_ballot, unpack_ballot};
use crate::protocols::kv::{
    Client, ClientMsg, Command, Entry, History, HistoryOp, Op, Output, Settled, Store,
};
use crate::sim::canon::{Canonical, Reader, Writer};
use crate::sim::hash::StableHasher;
use crate::sim::ids::{NodeId, Role};

/// The tables a search numbers things by, and the digests of list-carrying messages.
#[derive(Clone, Debug, Default)]
pub struct Codes {
    commands: Vec<Command>,
    ops: Vec<Op>,
    values: Vec<Value>,
    interned: Arc<RwLock<HashMap<u64, Msg>>>,
}

impl Codes {
    fn entry(&self, e: &Entry) -> u64 {
        match e {
            Entry::Noop => 1,
            Entry::Cmd(c) => 2 + self.command(c),
        }
    }

    fn command(&self, c: &Command) -> u64 {
        let i = self.commands.iter().position(|x| x == c);
        debug_assert!(i.is_some(), "command {c} is not in the workload");
        i.unwrap_or(0) as u64
    }

    fn entry_at(&self, code: u64) -> Option<Entry> {
        match code {
            0 => None,
            1 => Some(Entry::Noop),
            k => self.commands.get(k as usize - 2).map(|c| Entry::Cmd(*c)),
        }
    }

    fn op(&self, op: &Op) -> u64 {
        self.ops.iter().position(|x| x == op).unwrap_or(0) as u64
    }

    fn op_at(&self, code: u64) -> Op {
        self.ops
            .get(code as usize)
            .copied()
            .unwrap_or(Op::Get(Value::letter_for(1)))
    }

    fn value(&self, v: &Value) -> u64 {
        self.values.iter().position(|x| x == v).unwrap_or(0) as u64
    }

    fn value_at(&self, code: u64) -> Value {
        self.values
            .get(code as usize)
            .copied()
            .unwrap_or_else(|| Value::letter_for(1))
    }

    fn output(&self, o: &Output) -> u64 {
        match o {
            Output::Ok => 0,
            Output::Fail => 1,
            Output::Got(None) => 2,
            Output::Got(Some(v)) => 3 + self.value(v),
        }
    }

    fn output_at(&self, code: u64) -> Output {
        match code {
            0 => Output::Ok,
            1 => Output::Fail,
            2 => Output::Got(None),
            k => Output::Got(Some(self.value_at(k - 3))),
        }
    }
}

fn ballot(w: &mut Writer, b: Ballot) {
    w.varint(pack_ballot(b));
}

fn read_ballot(r: &mut Reader) -> Ballot {
    unpack_ballot(r.varint())
}

/// Tags of the message codes (the top four of 48 bits).
const PREPARE: u64 = 1;
const NACK: u64 = 2;
const ACCEPT: u64 = 3;
const ACCEPTED: u64 = 4;
const HEARTBEAT: u64 = 5;
const BEHIND: u64 = 6;
const REQUEST: u64 = 7;
const REPLY: u64 = 8;
const REDIRECT: u64 = 9;
const INTERNED: u64 = 15;
const PAYLOAD: u32 = 44;

/// A ballot in 12 bits (round below 64, server below 64), if it fits.
fn small_ballot(b: Ballot) -> Option<u64> {
    (b.round < 64 && b.proposer < 64).then_some((b.round as u64) << 6 | b.proposer as u64)
}

fn big_ballot(v: u64) -> Ballot {
    Ballot::new((v >> 6 & 63) as u32, (v & 63) as u8)
}

/// Packs fields of the given widths (first field highest) under a tag; `None` if one is too wide.
fn pack(tag: u64, fields: &[(u64, u32)]) -> Option<u64> {
    let mut v = 0u64;
    let mut used = 0;
    for &(x, bits) in fields {
        if x >> bits != 0 {
            return None;
        }
        v = v << bits | x;
        used += bits;
    }
    debug_assert!(used <= PAYLOAD);
    Some(tag << PAYLOAD | v << (PAYLOAD - used))
}

/// The fields `pack` wrote, first first (at most four; the rest read as 0).
fn unpack(code: u64, widths: &[u32]) -> [u64; 4] {
    let mut out = [0; 4];
    let mut shift = PAYLOAD;
    for (o, &bits) in out.iter_mut().zip(widths) {
        shift -= bits;
        *o = code >> shift & ((1 << bits) - 1);
    }
    out
}

impl MultiPaxos {
    fn compact(&self, msg: &Msg, codes: &Codes) -> Option<u64> {
        match *msg {
            Msg::Prepare { ballot, from } => {
                pack(PREPARE, &[(small_ballot(ballot)?, 12), (from as u64, 16)])
            }
            Msg::Nack { ballot, promised } => pack(
                NACK,
                &[(small_ballot(ballot)?, 12), (small_ballot(promised)?, 12)],
            ),
            Msg::Accept {
                ballot,
                slot,
                entry,
                commit,
            } => pack(
                ACCEPT,
                &[
                    (small_ballot(ballot)?, 12),
                    (slot as u64, 10),
                    (codes.entry(&entry), 10),
                    (commit as u64, 10),
                ],
            ),
            Msg::Accepted { ballot, slot } => {
                pack(ACCEPTED, &[(small_ballot(ballot)?, 12), (slot as u64, 16)])
            }
            Msg::Heartbeat { ballot, commit } => pack(
                HEARTBEAT,
                &[(small_ballot(ballot)?, 12), (commit as u64, 16)],
            ),
            Msg::Behind { ballot, from } => {
                pack(BEHIND, &[(small_ballot(ballot)?, 12), (from as u64, 16)])
            }
            Msg::Client(ClientMsg::Request { seq, op }) => {
                pack(REQUEST, &[(seq as u64, 16), (codes.op(&op), 12)])
            }
            Msg::Client(ClientMsg::Reply { seq, output }) => {
                pack(REPLY, &[(seq as u64, 16), (codes.output(&output), 12)])
            }
            Msg::Client(ClientMsg::Redirect { seq, leader }) => pack(
                REDIRECT,
                &[(seq as u64, 16), (leader.map_or(0, |l| l as u64 + 1), 8)],
            ),
            Msg::Promise { .. } | Msg::Commits { .. } => None,
        }
    }

    /// A list-carrying message (or one with out-of-range fields) as a digest of its content.
    fn intern(&self, msg: &Msg, codes: &Codes) -> u64 {
        let mut h = StableHasher::default();
        msg.hash(&mut h);
        let mask = (1u64 << PAYLOAD) - 1;
        let mut key = h.finish() & mask;
        loop {
            if let Some(known) = codes
                .interned
                .read()
                .ok()
                .and_then(|t| t.get(&key).cloned())
            {
                if known == *msg {
                    return INTERNED << PAYLOAD | key;
                }
                key = (key + 1) & mask; // a digest collision: the next free key
                continue;
            }
            let Ok(mut table) = codes.interned.write() else {
                return INTERNED << PAYLOAD | key;
            };
            match table.get(&key) {
                Some(known) if known != msg => key = (key + 1) & mask,
                _ => {
                    table.insert(key, msg.clone());
                    return INTERNED << PAYLOAD | key;
                }
            }
        }
    }

    fn encode_server(&self, s: &Server, c: &Codes, w: &mut Writer) {
        ballot(w, s.promised);
        w.varint(s.max_round as u64);
        let n = last(&s.accepted);
        w.varint(n as u64);
        for slot in 1..=n {
            match at(&s.accepted, slot) {
                None => w.varint(0),
                Some((b, e)) => {
                    w.varint(pack_ballot(b) + 1);
                    w.varint(c.entry(&e));
                }
            }
        }
        let n = last(&s.chosen);
        w.varint(n as u64);
        for slot in 1..=n {
            w.varint(at(&s.chosen, slot).map_or(0, |e| c.entry(&e)));
        }
        w.varint(s.applied as u64);
        w.varint(s.applied_ahead.len() as u64);
        for &a in &s.applied_ahead {
            w.varint(a as u64);
        }
        encode_store(&s.store, c, w);
        match &s.lead {
            Lead::Follower { leader } => {
                w.byte(0);
                w.varint(leader.map_or(0, |l| l as u64 + 1));
            }
            Lead::Candidate {
                ballot: b,
                from,
                promises,
                merged,
            } => {
                w.byte(1);
                ballot(w, *b);
                w.varint(*from as u64);
                w.varint(*promises);
                w.varint(merged.len() as u64);
                for m in merged {
                    match m {
                        None => w.varint(0),
                        Some((vb, e)) => {
                            w.varint(pack_ballot(*vb) + 1);
                            w.varint(c.entry(e));
                        }
                    }
                }
            }
            // `phase2_only` is a figure for people, not state: left out.
            Lead::Leader {
                ballot: b,
                next,
                open,
                ..
            } => {
                w.byte(2);
                ballot(w, *b);
                w.varint(*next as u64);
                w.varint(open.len() as u64);
                for (slot, e, voters) in open {
                    w.varint(*slot as u64);
                    w.varint(c.entry(e));
                    w.varint(*voters);
                }
            }
        }
        w.varint(s.pending.len() as u64);
        for p in &s.pending {
            w.varint(c.command(p));
        }
    }

    fn decode_server(&self, c: &Codes, r: &mut Reader) -> Server {
        let mut s = Server {
            promised: read_ballot(r),
            max_round: r.varint() as u32,
            ..Server::default()
        };
        for slot in 1..=r.varint() as u32 {
            let b = r.varint();
            if b != 0 {
                let e = c.entry_at(r.varint()).unwrap_or(Entry::Noop);
                set(&mut s.accepted, slot, (unpack_ballot(b - 1), e));
            }
        }
        for slot in 1..=r.varint() as u32 {
            if let Some(e) = c.entry_at(r.varint()) {
                set(&mut s.chosen, slot, e);
            }
        }
        while at(&s.chosen, s.known + 1).is_some() {
            s.known += 1;
        }
        s.applied = r.varint() as u32;
        for _ in 0..r.varint() {
            s.applied_ahead.push(r.varint() as u32);
        }
        s.store = decode_store(c, r);
        s.lead = match r.byte() {
            1 => {
                let b = read_ballot(r);
                let from = r.varint() as u32;
                let promises = r.varint();
                let merged = (0..r.varint())
                    .map(|_| match r.varint() {
                        0 => None,
                        vb => Some((
                            unpack_ballot(vb - 1),
                            c.entry_at(r.varint()).unwrap_or(Entry::Noop),
                        )),
                    })
                    .collect();
                Lead::Candidate {
                    ballot: b,
                    from,
                    promises,
                    merged,
                }
            }
            2 => {
                let b = read_ballot(r);
                let next = r.varint() as u32;
                let open = (0..r.varint())
                    .map(|_| {
                        let slot = r.varint() as u32;
                        let e = c.entry_at(r.varint()).unwrap_or(Entry::Noop);
                        (slot, e, r.varint())
                    })
                    .collect();
                Lead::Leader {
                    ballot: b,
                    next,
                    open,
                    phase2_only: 0,
                }
            }
            _ => Lead::Follower {
                leader: match r.varint() {
                    0 => None,
                    l => Some(l as u8 - 1),
                },
            },
        };
        for _ in 0..r.varint() {
            let k = r.varint() as usize;
            if let Some(cmd) = c.commands.get(k) {
                s.pending.push(*cmd);
            }
        }
        s
    }

    fn encode_client(&self, cl: &Client, c: &Codes, w: &mut Writer) {
        w.varint(cl.queue.len() as u64);
        for op in &cl.queue {
            w.varint(c.op(op));
        }
        match cl.current {
            None => w.varint(0),
            Some((seq, op)) => {
                w.varint(seq as u64 + 1);
                w.varint(c.op(&op));
            }
        }
        w.varint(cl.seq as u64);
        w.byte(cl.leader);
        w.byte(cl.probe);
    }

    fn decode_client(&self, c: &Codes, r: &mut Reader) -> Client {
        let queue = (0..r.varint()).map(|_| c.op_at(r.varint())).collect();
        let current = match r.varint() {
            0 => None,
            s => Some((s as u32 - 1, c.op_at(r.varint()))),
        };
        Client {
            queue,
            current,
            seq: r.varint() as u32,
            leader: r.byte(),
            probe: r.byte(),
        }
    }
}

fn encode_kv(kv: &BTreeMap<Value, Value>, c: &Codes, w: &mut Writer) {
    w.varint(kv.len() as u64);
    for (k, v) in kv {
        w.varint(c.value(k));
        w.varint(c.value(v));
    }
}

fn decode_kv(c: &Codes, r: &mut Reader) -> BTreeMap<Value, Value> {
    (0..r.varint())
        .map(|_| (c.value_at(r.varint()), c.value_at(r.varint())))
        .collect()
}

fn encode_store(s: &Store, c: &Codes, w: &mut Writer) {
    encode_kv(&s.kv, c, w);
    w.varint(s.done.len() as u64);
    for (seq, out) in &s.done {
        w.varint(*seq as u64);
        w.varint(c.output(out));
    }
}

fn decode_store(c: &Codes, r: &mut Reader) -> Store {
    let kv = decode_kv(c, r);
    let done = (0..r.varint())
        .map(|_| (r.varint() as u32, c.output_at(r.varint())))
        .collect();
    Store { kv, done }
}

impl Canonical for MultiPaxos {
    type Values = Codes;

    /// Clients get their whole workload before the search starts.
    fn explored_request(&self, _id: NodeId) -> Option<Op> {
        None
    }

    fn values(&self, _requests: &[Op]) -> Codes {
        let mut codes = Codes::default();
        for (i, ops) in self.workload.iter().enumerate() {
            for (k, op) in ops.iter().enumerate() {
                codes.commands.push(Command {
                    client: i as u8 + 1,
                    seq: k as u32 + 1,
                    op: *op,
                });
                if !codes.ops.contains(op) {
                    codes.ops.push(*op);
                }
                let vals = match *op {
                    Op::Put(k, v) => vec![k, v],
                    Op::Get(k) => vec![k],
                    Op::Cas(k, e, v) => vec![k, e, v],
                };
                for v in vals {
                    if !codes.values.contains(&v) {
                        codes.values.push(v);
                    }
                }
            }
        }
        codes
    }

    /// Elections are bounded by the timeouts each node may take, not by attempts.
    fn starts_attempt(_note: &Note) -> bool {
        false
    }

    fn encode_node(&self, node: &Node, c: &Codes, w: &mut Writer) {
        match node {
            Node::Server(s) => self.encode_server(s, c, w),
            Node::Client(cl) => self.encode_client(cl, c, w),
        }
    }

    fn decode_node(&self, id: NodeId, c: &Codes, r: &mut Reader) -> Node {
        if id.role == super::SERVER {
            Node::Server(Box::new(self.decode_server(c, r)))
        } else {
            Node::Client(self.decode_client(c, r))
        }
    }

    fn encode_msg(&self, msg: &Msg, c: &Codes) -> u64 {
        self.compact(msg, c).unwrap_or_else(|| self.intern(msg, c))
    }

    fn decode_msg(&self, code: u64, c: &Codes) -> Msg {
        let tag = code >> PAYLOAD;
        let f = |widths: &[u32]| unpack(code, widths);
        match tag {
            PREPARE => {
                let v = f(&[12, 16]);
                Msg::Prepare {
                    ballot: big_ballot(v[0]),
                    from: v[1] as u32,
                }
            }
            NACK => {
                let v = f(&[12, 12]);
                Msg::Nack {
                    ballot: big_ballot(v[0]),
                    promised: big_ballot(v[1]),
                }
            }
            ACCEPT => {
                let v = f(&[12, 10, 10, 10]);
                Msg::Accept {
                    ballot: big_ballot(v[0]),
                    slot: v[1] as u32,
                    entry: c.entry_at(v[2]).unwrap_or(Entry::Noop),
                    commit: v[3] as u32,
                }
            }
            ACCEPTED => {
                let v = f(&[12, 16]);
                Msg::Accepted {
                    ballot: big_ballot(v[0]),
                    slot: v[1] as u32,
                }
            }
            HEARTBEAT => {
                let v = f(&[12, 16]);
                Msg::Heartbeat {
                    ballot: big_ballot(v[0]),
                    commit: v[1] as u32,
                }
            }
            BEHIND => {
                let v = f(&[12, 16]);
                Msg::Behind {
                    ballot: big_ballot(v[0]),
                    from: v[1] as u32,
                }
            }
            REQUEST => {
                let v = f(&[16, 12]);
                Msg::Client(ClientMsg::Request {
                    seq: v[0] as u32,
                    op: c.op_at(v[1]),
                })
            }
            REPLY => {
                let v = f(&[16, 12]);
                Msg::Client(ClientMsg::Reply {
                    seq: v[0] as u32,
                    output: c.output_at(v[1]),
                })
            }
            REDIRECT => {
                let v = f(&[16, 8]);
                Msg::Client(ClientMsg::Redirect {
                    seq: v[0] as u32,
                    leader: (v[1] != 0).then(|| v[1] as u8 - 1),
                })
            }
            _ => {
                let key = code & ((1 << PAYLOAD) - 1);
                c.interned
                    .read()
                    .ok()
                    .and_then(|t| t.get(&key).cloned())
                    .unwrap_or(Msg::Heartbeat {
                        ballot: Ballot::ZERO,
                        commit: 0,
                    })
            }
        }
    }

    fn encode_monitor(&self, m: &Monitor, c: &Codes, w: &mut Writer) {
        let slots = m
            .votes
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.tallies.is_empty())
            .last()
            .map_or(0, |(i, _)| i + 1);
        w.varint(slots as u64);
        for v in m.votes.iter().take(slots) {
            let mut t = v.tallies.clone();
            t.sort_unstable_by_key(|x| x.0);
            w.varint(t.len() as u64);
            for (b, e, voters) in t {
                ballot(w, b);
                w.varint(c.entry(&e));
                w.varint(voters);
            }
        }
        let chosen = last(&m.chosen);
        w.varint(chosen as u64);
        for slot in 1..=chosen {
            match at(&m.chosen, slot) {
                None => w.varint(0),
                Some((e, b, _)) => {
                    w.varint(c.entry(&e));
                    ballot(w, b);
                }
            }
        }
        for &a in &m.applied {
            w.varint(a as u64);
        }
        for per in &m.executed {
            for &e in per {
                w.varint(e as u64);
            }
        }
        for &p in &m.promised {
            ballot(w, p);
        }
        // Only the requests after the settled prefix: every order of those before it is known
        // (its stores are `settled.states`), so two runs that differ only there behave alike.
        let upto = m.settled.upto;
        w.varint((m.history.len() - upto) as u64);
        for o in m.history.ops().skip(upto) {
            w.byte(o.client);
            w.varint(o.seq as u64);
            w.varint(c.op(&o.op));
            w.varint(o.ret.map_or(0, |(_, out)| c.output(&out) + 1));
            for k in 0..self.clients as usize {
                w.varint(o.after.get(k).copied().unwrap_or(0) as u64);
            }
        }
        for &n in &m.settled.counts {
            w.varint(n as u64);
        }
        let mut states = m.settled.states.clone();
        states.sort();
        w.varint(states.len() as u64);
        for kv in &states {
            encode_kv(kv, c, w);
        }
        w.byte(m.linearizable as u8);
    }

    fn decode_monitor(&self, c: &Codes, r: &mut Reader) -> Monitor {
        let mut m = crate::sim::protocol::Protocol::new_monitor(self);
        for slot in 0..r.varint() as usize {
            let tallies = (0..r.varint())
                .map(|_| {
                    let b = read_ballot(r);
                    let e = c.entry_at(r.varint()).unwrap_or(Entry::Noop);
                    (b, e, r.varint())
                })
                .collect();
            *m.votes.get_mut(slot) = SlotVotes { tallies };
        }
        for slot in 1..=r.varint() as u32 {
            if let Some(e) = c.entry_at(r.varint()) {
                set(&mut m.chosen, slot, (e, read_ballot(r), 0));
            }
        }
        for a in &mut m.applied {
            *a = r.varint() as u32;
        }
        for per in &mut m.executed {
            for e in per.iter_mut() {
                *e = r.varint() as u32;
            }
        }
        for p in &mut m.promised {
            *p = read_ballot(r);
        }
        let clients = self.clients as usize;
        let ops: Vec<HistoryOp> = (0..r.varint())
            .map(|_| {
                let client = r.byte();
                let seq = r.varint() as u32;
                let op = c.op_at(r.varint());
                let ret = match r.varint() {
                    0 => None,
                    k => Some((0, c.output_at(k - 1))),
                };
                let after = (0..clients).map(|_| r.varint() as u32).collect();
                HistoryOp {
                    client,
                    seq,
                    op,
                    invoke: 0,
                    ret,
                    after,
                }
            })
            .collect();
        let counts: Vec<u32> = (0..clients).map(|_| r.varint() as u32).collect();
        let states = (0..r.varint()).map(|_| decode_kv(c, r)).collect();
        m.history = History::from_ops(counts.clone(), ops);
        m.settled = Settled {
            upto: 0,
            counts,
            states,
        };
        m.linearizable = r.byte() != 0;
        m
    }

    /// A message that can never again change its receiver, and so may be forgotten:
    /// - an `Accepted` for a ballot the server no longer leads, or for a slot it no longer waits
    ///   on (a server proposes each slot once per ballot and never returns to an old ballot);
    /// - a `Promise` for a ballot the server is not campaigning for (same reason);
    /// - a reply or redirect for a request its client is no longer waiting on (its ids rise).
    fn is_stale(
        &self,
        node: &Node,
        _from: NodeId,
        msg: &Msg,
        _may_restart: bool,
        _may_start_attempt: bool,
    ) -> bool {
        match (node, msg) {
            (Node::Server(s), Msg::Accepted { ballot, slot }) => match &s.lead {
                Lead::Leader {
                    ballot: b, open, ..
                } => b != ballot || !open.iter().any(|o| o.0 == *slot),
                _ => true,
            },
            (Node::Server(s), Msg::Promise { ballot, .. }) => match &s.lead {
                Lead::Candidate { ballot: b, .. } => b != ballot,
                _ => true,
            },
            (
                Node::Client(c),
                Msg::Client(ClientMsg::Reply { seq, .. } | ClientMsg::Redirect { seq, .. }),
            ) => c.current.is_none_or(|(current, _)| current != *seq) && *seq <= c.seq,
            _ => false,
        }
    }

    /// A vote that leaves its leader short of a quorum, or a promise that leaves its candidate
    /// short of one, only adds to a tally: it sends and notes nothing, and whatever else the
    /// server receives, its result is the same before or after.
    fn is_eager(&self, node: &Node, from: NodeId, msg: &Msg) -> bool {
        let Node::Server(s) = node else {
            return false;
        };
        let bit = 1u64 << (from.index - 1);
        match (&s.lead, msg) {
            (
                Lead::Leader {
                    ballot: b, open, ..
                },
                Msg::Accepted { ballot, slot },
            ) if b == ballot => open.iter().any(|o| {
                o.0 == *slot && o.2 & bit == 0 && (o.2 | bit).count_ones() < self.commit_quorum()
            }),
            (
                Lead::Candidate {
                    ballot: b,
                    promises,
                    ..
                },
                Msg::Promise { ballot, .. },
            ) if b == ballot => {
                *promises & bit == 0 && (*promises | bit).count_ones() < self.quorum()
            }
            _ => false,
        }
    }

    /// Servers differ (clients start by asking S1), so no symmetry is claimed.
    fn symmetric_role(&self) -> Option<Role> {
        None
    }

    fn permute_node(&self, _node: &mut Node, _perm: &[u8]) {}

    fn permute_monitor(&self, _monitor: &mut Monitor, _perm: &[u8]) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::kv::Workload;
    use crate::protocols::multipaxos::{Action, Config, client};
    use crate::sim::{Knobs, Scheduler};

    /// Every state of random runs encodes, decodes and encodes to the same bytes, and every
    /// message in flight decodes to itself.
    #[test]
    fn states_and_messages_round_trip() {
        for seed in 0..40 {
            let config = Config {
                seed,
                clients: 2,
                ..Config::default()
            };
            let mut p = MultiPaxos::new(&config);
            p.workload = (1..=2).map(|c| Workload::Mixed.ops(seed, c, 3)).collect();
            let codes = p.values(&[]);
            let mut w = config.world();
            for (i, ops) in p.workload.iter().enumerate() {
                for op in ops {
                    w.apply(&Action::Propose(client(i as u8 + 1), *op)).unwrap();
                }
            }
            let knobs = Knobs {
                drop: 0.1,
                duplicate: 0.1,
                crash: 0.02,
                restart: 0.3,
                propose: 0.0,
            };
            let mut sched = Scheduler::new(seed, knobs);
            for _ in 0..400 {
                let Some(a) = sched.next(&w) else { break };
                w.apply(&a).unwrap();
                for slot in w.nodes() {
                    let mut wr = Writer::default();
                    p.encode_node(&slot.state, &codes, &mut wr);
                    let back = p.decode_node(slot.id, &codes, &mut Reader::new(&wr.bytes));
                    let mut again = Writer::default();
                    p.encode_node(&back, &codes, &mut again);
                    assert_eq!(wr.bytes, again.bytes, "seed {seed}: {}", slot.id);
                }
                let mut wr = Writer::default();
                p.encode_monitor(w.monitor(), &codes, &mut wr);
                let back = p.decode_monitor(&codes, &mut Reader::new(&wr.bytes));
                let mut again = Writer::default();
                p.encode_monitor(&back, &codes, &mut again);
                assert_eq!(wr.bytes, again.bytes, "seed {seed}: monitor");
                for e in w.network().in_flight() {
                    let code = p.encode_msg(&e.msg, &codes);
                    assert!(code < 1 << 48);
                    assert_eq!(p.decode_msg(code, &codes), e.msg, "seed {seed}");
                }
            }
        }
    }
}
