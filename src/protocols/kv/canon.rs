//! What the store protocols (Multi-Paxos, Raft) share of the explorer's canonical form: the
//! tables that number the workload's commands, operations and values; message codes packed field
//! by field under a tag, or interned as a digest when they carry lists; the clients, the replicas'
//! stores and the clients' history as the monitors keep it.
//!
//! A digest depends on the message's content alone, so every run and every thread count gives
//! the same codes.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock};

use super::{
    Client, ClientMsg, Command, Entry, History, HistoryOp, Op, Output, Placement, Settled, Store,
};
use crate::protocols::ids::Value;
use crate::sim::canon::{Reader, Writer};
use crate::sim::hash::StableHasher;

/// Bits of a message code below its four-bit tag.
pub const PAYLOAD: u32 = 44;
/// Tags the client messages use in both protocols.
const REQUEST: u64 = 7;
const REPLY: u64 = 8;
const REDIRECT: u64 = 9;
/// The tag of an interned message.
const INTERNED: u64 = 15;

/// The tables a search numbers things by, and the digests of list-carrying messages `M`.
#[derive(Clone, Debug)]
pub struct Codes<M> {
    commands: Vec<Command>,
    ops: Vec<Op>,
    values: Vec<Value>,
    interned: Arc<RwLock<HashMap<u64, M>>>,
}

impl<M> Default for Codes<M> {
    fn default() -> Self {
        Codes {
            commands: Vec::new(),
            ops: Vec::new(),
            values: Vec::new(),
            interned: Arc::default(),
        }
    }
}

impl<M: Clone + Hash + Eq> Codes<M> {
    /// Tables for a workload: `workload[i]` is client `i + 1`'s operations in order.
    pub fn for_workload(workload: &[Vec<Op>]) -> Self {
        let mut codes = Codes::default();
        for (i, ops) in workload.iter().enumerate() {
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
                    Op::AddServer(_) | Op::RemoveServer(_) => vec![],
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

    /// An entry as a number: 0 none, 1 a no-op, then the workload's commands.
    pub fn entry(&self, e: &Entry) -> u64 {
        match e {
            Entry::Noop => 1,
            Entry::Cmd(c) => 2 + self.command(c),
        }
    }

    pub fn command(&self, c: &Command) -> u64 {
        let i = self.commands.iter().position(|x| x == c);
        debug_assert!(i.is_some(), "command {c} is not in the workload");
        i.unwrap_or(0) as u64
    }

    pub fn command_at(&self, code: u64) -> Option<Command> {
        self.commands.get(code as usize).copied()
    }

    pub fn entry_at(&self, code: u64) -> Option<Entry> {
        match code {
            0 => None,
            1 => Some(Entry::Noop),
            k => self.commands.get(k as usize - 2).map(|c| Entry::Cmd(*c)),
        }
    }

    pub fn op(&self, op: &Op) -> u64 {
        self.ops.iter().position(|x| x == op).unwrap_or(0) as u64
    }

    pub fn op_at(&self, code: u64) -> Op {
        self.ops
            .get(code as usize)
            .copied()
            .unwrap_or(Op::Get(Value::letter_for(1)))
    }

    pub fn value(&self, v: &Value) -> u64 {
        self.values.iter().position(|x| x == v).unwrap_or(0) as u64
    }

    pub fn value_at(&self, code: u64) -> Value {
        self.values
            .get(code as usize)
            .copied()
            .unwrap_or_else(|| Value::letter_for(1))
    }

    pub fn output(&self, o: &Output) -> u64 {
        match o {
            Output::Ok => 0,
            Output::Fail => 1,
            Output::Got(None) => 2,
            Output::Got(Some(v)) => 3 + self.value(v),
        }
    }

    pub fn output_at(&self, code: u64) -> Output {
        match code {
            0 => Output::Ok,
            1 => Output::Fail,
            2 => Output::Got(None),
            k => Output::Got(Some(self.value_at(k - 3))),
        }
    }

    /// A list-carrying message (or one with out-of-range fields) as a digest of its content,
    /// kept in the table the search's threads share.
    pub fn intern(&self, msg: &M) -> u64 {
        let mut h = StableHasher::default();
        msg.hash(&mut h);
        let mask = (1u64 << PAYLOAD) - 1;
        let mut key = h.finish() & mask;
        loop {
            if let Some(known) = self.interned.read().ok().and_then(|t| t.get(&key).cloned()) {
                if known == *msg {
                    return INTERNED << PAYLOAD | key;
                }
                key = (key + 1) & mask; // a digest collision: the next free key
                continue;
            }
            let Ok(mut table) = self.interned.write() else {
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

    /// The message an interned code stands for.
    pub fn interned(&self, code: u64) -> Option<M> {
        let key = code & ((1 << PAYLOAD) - 1);
        self.interned.read().ok().and_then(|t| t.get(&key).cloned())
    }

    /// A client message packed under its tag, if its fields fit.
    pub fn client_msg(&self, msg: &ClientMsg) -> Option<u64> {
        match *msg {
            ClientMsg::Request { seq, op } => {
                pack(REQUEST, &[(seq as u64, 16), (self.op(&op), 12)])
            }
            ClientMsg::Reply { seq, output } => {
                pack(REPLY, &[(seq as u64, 16), (self.output(&output), 12)])
            }
            ClientMsg::Redirect { seq, leader } => pack(
                REDIRECT,
                &[(seq as u64, 16), (leader.map_or(0, |l| l as u64 + 1), 8)],
            ),
        }
    }

    /// The client message a code packed by `client_msg` stands for, if its tag is one of theirs.
    pub fn client_msg_at(&self, code: u64) -> Option<ClientMsg> {
        match code >> PAYLOAD {
            REQUEST => {
                let v = unpack(code, &[16, 12]);
                Some(ClientMsg::Request {
                    seq: v[0] as u32,
                    op: self.op_at(v[1]),
                })
            }
            REPLY => {
                let v = unpack(code, &[16, 12]);
                Some(ClientMsg::Reply {
                    seq: v[0] as u32,
                    output: self.output_at(v[1]),
                })
            }
            REDIRECT => {
                let v = unpack(code, &[16, 8]);
                Some(ClientMsg::Redirect {
                    seq: v[0] as u32,
                    leader: (v[1] != 0).then(|| v[1] as u8 - 1),
                })
            }
            _ => None,
        }
    }

    pub fn encode_client(&self, cl: &Client, w: &mut Writer) {
        w.varint(cl.queue.len() as u64);
        for op in cl.queue.iter() {
            w.varint(self.op(op));
        }
        match cl.current {
            None => w.varint(0),
            Some((seq, op)) => {
                w.varint(seq as u64 + 1);
                w.varint(self.op(&op));
            }
        }
        w.varint(cl.seq as u64);
        w.byte(cl.leader);
        w.byte(cl.probe);
    }

    pub fn decode_client(&self, r: &mut Reader) -> Client {
        let queue = (0..r.varint()).map(|_| self.op_at(r.varint())).collect();
        let current = match r.varint() {
            0 => None,
            s => Some((s as u32 - 1, self.op_at(r.varint()))),
        };
        Client {
            queue,
            current,
            seq: r.varint() as u32,
            leader: r.byte(),
            probe: r.byte(),
        }
    }

    pub fn encode_kv(&self, kv: &BTreeMap<Value, Value>, w: &mut Writer) {
        w.varint(kv.len() as u64);
        for (k, v) in kv {
            w.varint(self.value(k));
            w.varint(self.value(v));
        }
    }

    pub fn decode_kv(&self, r: &mut Reader) -> BTreeMap<Value, Value> {
        (0..r.varint())
            .map(|_| (self.value_at(r.varint()), self.value_at(r.varint())))
            .collect()
    }

    pub fn encode_store(&self, s: &Store, w: &mut Writer) {
        self.encode_kv(&s.kv, w);
        w.varint(s.done.len() as u64);
        for (seq, out) in &s.done {
            w.varint(*seq as u64);
            w.varint(self.output(out));
        }
        // One byte when no change was ever applied.
        if s.config == super::ConfigChanges::default() {
            w.varint(0);
        } else {
            w.varint(1);
            w.varint(s.config.added);
            w.varint(s.config.removed);
        }
    }

    pub fn decode_store(&self, r: &mut Reader) -> Store {
        let kv = self.decode_kv(r);
        let done = (0..r.varint())
            .map(|_| (r.varint() as u32, self.output_at(r.varint())))
            .collect();
        let (added, removed) = match r.varint() {
            0 => (0, 0),
            _ => (r.varint(), r.varint()),
        };
        Store {
            kv,
            done,
            config: super::ConfigChanges { added, removed },
        }
    }

    /// The clients' history as a monitor keeps it: only the requests from the first one not
    /// settled on (every linearization places those before it first, and `settled.states` are
    /// where they can leave it, so two runs that differ only there behave alike), how many each
    /// client had before, the settled placements, and the verdict so far.
    pub fn encode_history(
        &self,
        history: &History,
        settled: &Settled,
        linearizable: bool,
        clients: usize,
        w: &mut Writer,
    ) {
        let upto = settled.upto(history);
        // Counted from the history's start, as requests' `after` counts are.
        let mut before: Vec<u32> = (0..clients).map(|c| history.unlisted(c)).collect();
        for o in history.ops().take(upto) {
            before[o.client as usize - 1] += 1;
        }
        w.varint((history.len() - upto) as u64);
        for o in history.ops().skip(upto) {
            w.byte(o.client);
            w.varint(o.seq as u64);
            w.varint(self.op(&o.op));
            w.varint(o.ret.map_or(0, |(_, out)| self.output(&out) + 1));
            for k in 0..clients {
                w.varint(o.after.get(k).copied().unwrap_or(0) as u64);
            }
        }
        for (c, &b) in before.iter().enumerate() {
            w.varint(b as u64);
            w.varint((settled.counts.get(c).copied().unwrap_or(0) - b) as u64);
        }
        let mut states: Vec<&Placement> = settled.states.iter().collect();
        states.sort();
        w.varint(states.len() as u64);
        for p in states {
            self.encode_kv(&p.kv, w);
            for c in 0..clients {
                let guess = p.guesses.get(c).copied().flatten();
                w.varint(guess.map_or(0, |out| self.output(&out) + 1));
            }
        }
        w.byte(linearizable as u8);
    }

    /// What `encode_history` wrote: the history, its settled requests and the verdict.
    pub fn decode_history(&self, clients: usize, r: &mut Reader) -> (History, Settled, bool) {
        let ops: Vec<HistoryOp> = (0..r.varint())
            .map(|_| {
                let client = r.byte();
                let seq = r.varint() as u32;
                let op = self.op_at(r.varint());
                let ret = match r.varint() {
                    0 => None,
                    k => Some((0, self.output_at(k - 1))),
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
        let mut before = Vec::with_capacity(clients);
        let mut counts = Vec::with_capacity(clients);
        for _ in 0..clients {
            let b = r.varint() as u32;
            before.push(b);
            counts.push(b + r.varint() as u32);
        }
        let states = (0..r.varint())
            .map(|_| Placement {
                kv: self.decode_kv(r),
                guesses: (0..clients)
                    .map(|_| match r.varint() {
                        0 => None,
                        k => Some(self.output_at(k - 1)),
                    })
                    .collect(),
            })
            .collect();
        let history = History::from_ops(before, ops);
        (history, Settled { counts, states }, r.byte() != 0)
    }
}

/// Packs fields of the given widths (first field highest) under a tag; `None` if one is too wide.
pub fn pack(tag: u64, fields: &[(u64, u32)]) -> Option<u64> {
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

/// The fields `pack` wrote, first first (at most six; the rest read as 0).
pub fn unpack(code: u64, widths: &[u32]) -> [u64; 6] {
    let mut out = [0; 6];
    let mut shift = PAYLOAD;
    for (o, &bits) in out.iter_mut().zip(widths) {
        shift -= bits;
        *o = code >> shift & ((1 << bits) - 1);
    }
    out
}

/// A message code's tag.
pub fn tag(code: u64) -> u64 {
    code >> PAYLOAD
}

/// A leader's rounds, for ReadIndex and lease reads. The clock readings are always 0 in the
/// explorer, which runs no clocks (and refuses leases); they cost a byte each.
pub fn encode_rounds<M: Clone + Eq + std::hash::Hash>(
    rounds: &super::Rounds,
    c: &Codes<M>,
    w: &mut Writer,
) {
    w.varint(rounds.round as u64);
    w.varint(rounds.acks);
    w.varint(rounds.confirmed as u64);
    w.varint(rounds.sent_at);
    w.varint(rounds.lease_until);
    w.varint(rounds.waiting.len() as u64);
    for read in &rounds.waiting {
        w.varint(c.command(&super::Command {
            client: read.client,
            seq: read.seq,
            op: super::Op::Get(read.key),
        }));
        w.varint(read.index.map_or(0, |i| i as u64 + 1));
        w.varint(read.round as u64);
    }
}

pub fn decode_rounds<M: Clone + Eq + std::hash::Hash>(
    c: &Codes<M>,
    r: &mut Reader,
) -> super::Rounds {
    let round = r.varint() as u32;
    let acks = r.varint();
    let confirmed = r.varint() as u32;
    let sent_at = r.varint();
    let lease_until = r.varint();
    let waiting = (0..r.varint())
        .filter_map(|_| {
            let command = c.command_at(r.varint());
            let index = match r.varint() {
                0 => None,
                i => Some(i as u32 - 1),
            };
            let round = r.varint() as u32;
            let command = command?;
            Some(super::WaitingRead {
                client: command.client,
                seq: command.seq,
                key: command.op.key()?,
                index,
                round,
            })
        })
        .collect();
    super::Rounds {
        round,
        acks,
        confirmed,
        sent_at,
        lease_until,
        waiting,
    }
}
