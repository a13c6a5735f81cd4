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

use super::{Lead, Monitor, Msg, MultiPaxos, Node, Note, Server, SlotVotes, at, last, set};
use crate::protocols::ids::{Ballot, pack_ballot, unpack_ballot};
use crate::protocols::kv::canon::{self as kv_canon, pack, tag, unpack};
use crate::protocols::kv::{ClientMsg, Entry, Op, Reads};
use crate::sim::canon::{Canonical, Reader, Writer};
use crate::sim::ids::{NodeId, Role};

/// The tables a search numbers things by, and the digests of list-carrying messages.
pub type Codes = kv_canon::Codes<Msg>;

fn ballot(w: &mut Writer, b: Ballot) {
    w.varint(pack_ballot(b));
}

fn read_ballot(r: &mut Reader) -> Ballot {
    unpack_ballot(r.varint())
}

/// Tags of the message codes (the top four of 48 bits; 7 to 9 are the clients', 15 interned).
const PREPARE: u64 = 1;
const NACK: u64 = 2;
const ACCEPT: u64 = 3;
const ACCEPTED: u64 = 4;
const HEARTBEAT: u64 = 5;
const BEHIND: u64 = 6;
const PRE_VOTE: u64 = 10;
const PRE_VOTE_REPLY: u64 = 11;
const ALIVE: u64 = 12;

/// A ballot in 12 bits (round below 64, server below 64), if it fits.
fn small_ballot(b: Ballot) -> Option<u64> {
    (b.round < 64 && b.proposer < 64).then_some((b.round as u64) << 6 | b.proposer as u64)
}

fn big_ballot(v: u64) -> Ballot {
    Ballot::new((v >> 6 & 63) as u32, (v & 63) as u8)
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
            // A round (ReadIndex, lease) does not fit: such a message is interned.
            Msg::Heartbeat { round: 1.., .. } | Msg::Alive { round: 1.., .. } => None,
            Msg::Heartbeat {
                ballot,
                commit,
                round: 0,
            } => pack(
                HEARTBEAT,
                &[(small_ballot(ballot)?, 12), (commit as u64, 16)],
            ),
            Msg::Behind { ballot, from } => {
                pack(BEHIND, &[(small_ballot(ballot)?, 12), (from as u64, 16)])
            }
            Msg::PreVote { ballot } => pack(PRE_VOTE, &[(small_ballot(ballot)?, 12)]),
            Msg::PreVoteReply { ballot, granted } => pack(
                PRE_VOTE_REPLY,
                &[(small_ballot(ballot)?, 12), (granted as u64, 1)],
            ),
            Msg::Alive { ballot, round: 0 } => pack(ALIVE, &[(small_ballot(ballot)?, 12)]),
            Msg::Client(ref c) => codes.client_msg(c),
            Msg::Promise { .. } | Msg::Commits { .. } => None,
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
        c.encode_store(&s.store, w);
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
                heard,
                beats,
                rounds,
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
                // Both 0 without `check_quorum`.
                w.varint(*heard);
                w.byte(*beats);
                if self.reads.confirms() {
                    kv_canon::encode_rounds(rounds, c, w);
                }
            }
            Lead::PreCandidate { ballot: b, votes } => {
                w.byte(3);
                ballot(w, *b);
                w.varint(*votes);
            }
        }
        // Always false without `pre_vote` and `check_quorum`.
        w.byte(s.live_leader as u8);
        if self.reads == Reads::Lease {
            w.byte(s.waking as u8);
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
        s.store = c.decode_store(r);
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
                    heard: r.varint(),
                    beats: r.byte(),
                    rounds: if self.reads.confirms() {
                        kv_canon::decode_rounds(c, r)
                    } else {
                        Default::default()
                    },
                }
            }
            3 => Lead::PreCandidate {
                ballot: read_ballot(r),
                votes: r.varint(),
            },
            _ => Lead::Follower {
                leader: match r.varint() {
                    0 => None,
                    l => Some(l as u8 - 1),
                },
            },
        };
        s.live_leader = r.byte() != 0;
        s.waking = self.reads == Reads::Lease && r.byte() != 0;
        for _ in 0..r.varint() {
            let k = r.varint() as usize;
            if let Some(cmd) = c.command_at(k as u64) {
                s.pending.push(cmd);
            }
        }
        s
    }
}

impl Canonical for MultiPaxos {
    type Values = Codes;

    /// Clients get their whole workload before the search starts.
    fn explored_request(&self, _id: NodeId) -> Option<Op> {
        None
    }

    fn values(&self, _requests: &[Op]) -> Codes {
        Codes::for_workload(&self.workload)
    }

    /// Elections are bounded by the timeouts each node may take, not by attempts.
    fn starts_attempt(_note: &Note) -> bool {
        false
    }

    fn encode_node(&self, node: &Node, c: &Codes, w: &mut Writer) {
        match node {
            Node::Server(s) => self.encode_server(s, c, w),
            Node::Client(cl) => c.encode_client(cl, w),
        }
    }

    fn decode_node(&self, id: NodeId, c: &Codes, r: &mut Reader) -> Node {
        if id.role == super::SERVER {
            Node::Server(Box::new(self.decode_server(c, r)))
        } else {
            Node::Client(c.decode_client(r))
        }
    }

    fn encode_msg(&self, msg: &Msg, c: &Codes) -> u64 {
        self.compact(msg, c).unwrap_or_else(|| c.intern(msg))
    }

    fn decode_msg(&self, code: u64, c: &Codes) -> Msg {
        let f = |widths: &[u32]| unpack(code, widths);
        match tag(code) {
            PREPARE => {
                let v = f(&[12, 16]);
                Msg::Prepare {
                    ballot: big_ballot(v[0]),
                    from: v[1] as u32,
                }
            }
            PRE_VOTE => Msg::PreVote {
                ballot: big_ballot(f(&[12])[0]),
            },
            PRE_VOTE_REPLY => {
                let v = f(&[12, 1]);
                Msg::PreVoteReply {
                    ballot: big_ballot(v[0]),
                    granted: v[1] != 0,
                }
            }
            ALIVE => Msg::Alive {
                ballot: big_ballot(f(&[12])[0]),
                round: 0,
            },
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
                    round: 0,
                }
            }
            BEHIND => {
                let v = f(&[12, 16]);
                Msg::Behind {
                    ballot: big_ballot(v[0]),
                    from: v[1] as u32,
                }
            }
            _ => c
                .client_msg_at(code)
                .map(Msg::Client)
                .or_else(|| c.interned(code))
                .unwrap_or(Msg::Heartbeat {
                    ballot: Ballot::ZERO,
                    commit: 0,
                    round: 0,
                }),
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
        (m.history, m.settled, m.linearizable) = c.decode_history(self.clients as usize, r);
        m
    }

    /// A message that can never again change its receiver, and so may be forgotten:
    /// - an `Accepted` for a ballot the server no longer leads, or for a slot it no longer waits
    ///   on (a server proposes each slot once per ballot and never returns to an old ballot);
    /// - a `Promise` for a ballot the server is not campaigning for (same reason);
    /// - a Pre-Vote answer for a ballot below the one the server would ask for next;
    /// - a reply or redirect for a request its client is no longer waiting on (its ids rise).
    fn is_stale(
        &self,
        node: &Node,
        _to: NodeId,
        _from: NodeId,
        msg: &Msg,
        _may_restart: bool,
        _may_start_attempt: bool,
    ) -> bool {
        match (node, msg) {
            (Node::Server(s), Msg::Accepted { ballot, slot }) => match &s.lead {
                // Under `check_quorum` any answer in its ballot counts as hearing from a server.
                Lead::Leader {
                    ballot: b, open, ..
                } => b != ballot || (!self.check_quorum && !open.iter().any(|o| o.0 == *slot)),
                _ => true,
            },
            // A server asks for Pre-Votes in the ballot its next phase 1 would use, whose round
            // only grows: an answer for an earlier one can never count again.
            (Node::Server(s), Msg::PreVoteReply { ballot, .. }) => {
                !matches!(s.lead, Lead::PreCandidate { ballot: b, .. } if b == *ballot)
                    && ballot.round <= s.max_round.max(s.promised.round)
            }
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
            ) if b == ballot && !self.check_quorum => open.iter().any(|o| {
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

    /// Only a lease is judged by a clock.
    fn clocked(&self) -> Option<u32> {
        (self.reads == crate::protocols::kv::Reads::Lease).then_some(self.timeout)
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
            // Every other seed with Pre-Vote, every other pair with CheckQuorum, and each way
            // of reading in turn for each four seeds (with pauses where reads leave the log).
            let reads = crate::protocols::kv::Reads::ALL[(seed / 4 % 3) as usize];
            let config = Config {
                seed,
                clients: 2,
                pre_vote: seed % 2 == 1,
                check_quorum: seed % 4 >= 2,
                reads,
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
                lie: 0.0,
                pause: if reads.confirms() { 0.02 } else { 0.0 },
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
