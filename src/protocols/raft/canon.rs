//! Raft in the explorer's canonical form, on the tables and client encodings it shares with
//! Multi-Paxos (`kv::canon`). Left out, on purpose: the steps at which entries were committed and
//! requests invoked or answered (history, not state). Kept, though it is history too: the
//! monitor's record of every entry ever written and of each term's leader, which log matching,
//! election safety and leader completeness read.
//!
//! Votes, replies and heartbeats fit the explorer's 48-bit codes field by field, as does an
//! `AppendEntries` with at most one entry and small numbers; a longer one is interned.

use super::{Flaw, LogEntry, Monitor, Msg, Node, Note, Raft, Role, Server};
use crate::protocols::kv::canon::{self as kv_canon, pack, tag, unpack};
use crate::protocols::kv::{ClientMsg, Entry, Op, Reads, Rounds};
use crate::sim::canon::{Canonical, Reader, Writer};
use crate::sim::ids::{NodeId, Role as NodeRole};

/// The tables a search numbers things by, and the digests of long `AppendEntries`.
pub type Codes = kv_canon::Codes<Msg>;

/// Tags of the message codes (7 to 9 are the clients', 15 interned).
const REQUEST_VOTE: u64 = 1;
const VOTE: u64 = 2;
const APPEND: u64 = 3;
const APPEND_REPLY: u64 = 4;
const PRE_VOTE: u64 = 5;
const PRE_VOTE_REPLY: u64 = 6;

fn log_entry(c: &Codes, e: &LogEntry, w: &mut Writer) {
    w.varint(e.term as u64);
    w.varint(c.entry(&e.entry));
}

fn read_log_entry(c: &Codes, r: &mut Reader) -> LogEntry {
    let term = r.varint() as u32;
    let entry = c.entry_at(r.varint()).unwrap_or(Entry::Noop);
    LogEntry { term, entry }
}

fn optional_server(w: &mut Writer, s: Option<u8>) {
    w.varint(s.map_or(0, |v| v as u64 + 1));
}

fn read_optional_server(r: &mut Reader) -> Option<u8> {
    match r.varint() {
        0 => None,
        v => Some(v as u8 - 1),
    }
}

impl Raft {
    fn compact(&self, msg: &Msg, c: &Codes) -> Option<u64> {
        match msg {
            Msg::Client(m) => c.client_msg(m),
            Msg::RequestVote {
                term,
                last_index,
                last_term,
            } => pack(
                REQUEST_VOTE,
                &[
                    (*term as u64, 14),
                    (*last_index as u64, 16),
                    (*last_term as u64, 14),
                ],
            ),
            Msg::Vote { term, granted } => pack(VOTE, &[(*term as u64, 20), (*granted as u64, 1)]),
            Msg::PreVote {
                term,
                last_index,
                last_term,
            } => pack(
                PRE_VOTE,
                &[
                    (*term as u64, 14),
                    (*last_index as u64, 16),
                    (*last_term as u64, 14),
                ],
            ),
            Msg::PreVoteReply { term, granted } => {
                pack(PRE_VOTE_REPLY, &[(*term as u64, 20), (*granted as u64, 1)])
            }
            // A round (ReadIndex, lease) does not fit: such a message is interned.
            Msg::AppendReply { round: 1.., .. } | Msg::AppendEntries { round: 1.., .. } => None,
            Msg::AppendReply {
                term,
                success,
                index,
                round: 0,
            } => pack(
                APPEND_REPLY,
                &[
                    (*term as u64, 20),
                    (*success as u64, 1),
                    (*index as u64, 20),
                ],
            ),
            Msg::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
                round: 0,
            } => {
                let (entry_term, entry) = match &entries[..] {
                    [] => (0, 0),
                    [e] => (e.term as u64, c.entry(&e.entry)),
                    _ => return None,
                };
                pack(
                    APPEND,
                    &[
                        (*term as u64, 7),
                        (*prev_index as u64, 7),
                        (*prev_term as u64, 7),
                        (*commit as u64, 7),
                        (entry_term, 7),
                        (entry, 9),
                    ],
                )
            }
        }
    }

    fn encode_server(&self, s: &Server, c: &Codes, w: &mut Writer) {
        w.varint(s.term as u64);
        optional_server(w, s.voted_for);
        w.varint(s.log.len() as u64);
        for e in &s.log {
            log_entry(c, e, w);
        }
        w.varint(s.applied as u64);
        c.encode_store(&s.store, w);
        w.varint(s.commit as u64);
        match &s.role {
            Role::Follower { leader } => {
                w.byte(0);
                optional_server(w, *leader);
            }
            Role::Candidate { votes } => {
                w.byte(1);
                w.varint(*votes);
            }
            Role::Leader {
                next,
                matched,
                heard,
                beats,
                rounds,
            } => {
                w.byte(2);
                for (n, m) in next.iter().zip(matched) {
                    w.varint(*n as u64);
                    w.varint(*m as u64);
                }
                // Both 0 without `check_quorum`.
                w.varint(*heard);
                w.byte(*beats);
                if self.reads.confirms() {
                    kv_canon::encode_rounds(rounds, c, w);
                }
            }
            Role::PreCandidate { votes } => {
                w.byte(3);
                w.varint(*votes);
            }
        }
        w.varint(s.pending.len() as u64);
        for p in &s.pending {
            w.varint(c.command(p));
        }
        if self.reads == Reads::Lease {
            w.byte(s.waking as u8);
        }
    }

    fn decode_server(&self, c: &Codes, r: &mut Reader) -> Server {
        let term = r.varint() as u32;
        let voted_for = read_optional_server(r);
        let log = (0..r.varint()).map(|_| read_log_entry(c, r)).collect();
        let applied = r.varint() as u32;
        let store = c.decode_store(r);
        let commit = r.varint() as u32;
        let role = match r.byte() {
            1 => Role::Candidate { votes: r.varint() },
            2 => {
                let n = self.servers as usize;
                let mut next = Vec::with_capacity(n);
                let mut matched = Vec::with_capacity(n);
                for _ in 0..n {
                    next.push(r.varint() as u32);
                    matched.push(r.varint() as u32);
                }
                Role::Leader {
                    next,
                    matched,
                    heard: r.varint(),
                    beats: r.byte(),
                    rounds: if self.reads.confirms() {
                        kv_canon::decode_rounds(c, r)
                    } else {
                        Rounds::default()
                    },
                }
            }
            3 => Role::PreCandidate { votes: r.varint() },
            _ => Role::Follower {
                leader: read_optional_server(r),
            },
        };
        let pending = (0..r.varint())
            .filter_map(|_| c.command_at(r.varint()))
            .collect();
        let waking = self.reads == Reads::Lease && r.byte() != 0;
        Server {
            waking,
            term,
            voted_for,
            log,
            applied,
            store,
            commit,
            role,
            pending,
        }
    }

    /// Whether a restart may still take this server's term back (only under `volatile-state`),
    /// which would make an old message news again.
    fn terms_may_fall(&self, may_restart: bool) -> bool {
        may_restart && self.has(Flaw::VolatileState)
    }
}

impl Canonical for Raft {
    type Values = Codes;

    /// Clients get their whole workload before the search starts.
    fn explored_request(&self, _id: NodeId) -> Option<Op> {
        None
    }

    fn values(&self, _requests: &[Op]) -> Codes {
        Codes::for_workload(&self.workload)
    }

    /// Elections are bounded by the timeouts each server may take, not by attempts.
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
            REQUEST_VOTE => {
                let v = f(&[14, 16, 14]);
                Msg::RequestVote {
                    term: v[0] as u32,
                    last_index: v[1] as u32,
                    last_term: v[2] as u32,
                }
            }
            VOTE => {
                let v = f(&[20, 1]);
                Msg::Vote {
                    term: v[0] as u32,
                    granted: v[1] != 0,
                }
            }
            PRE_VOTE => {
                let v = f(&[14, 16, 14]);
                Msg::PreVote {
                    term: v[0] as u32,
                    last_index: v[1] as u32,
                    last_term: v[2] as u32,
                }
            }
            PRE_VOTE_REPLY => {
                let v = f(&[20, 1]);
                Msg::PreVoteReply {
                    term: v[0] as u32,
                    granted: v[1] != 0,
                }
            }
            APPEND_REPLY => {
                let v = f(&[20, 1, 20]);
                Msg::AppendReply {
                    term: v[0] as u32,
                    success: v[1] != 0,
                    index: v[2] as u32,
                    round: 0,
                }
            }
            APPEND => {
                let v = f(&[7, 7, 7, 7, 7, 9]);
                let entries: Vec<LogEntry> = c
                    .entry_at(v[5])
                    .map(|entry| LogEntry {
                        term: v[4] as u32,
                        entry,
                    })
                    .into_iter()
                    .collect();
                Msg::AppendEntries {
                    term: v[0] as u32,
                    prev_index: v[1] as u32,
                    prev_term: v[2] as u32,
                    entries: entries.into(),
                    commit: v[3] as u32,
                    round: 0,
                }
            }
            _ => c
                .client_msg_at(code)
                .map(Msg::Client)
                .or_else(|| c.interned(code))
                .unwrap_or(Msg::Vote {
                    term: 0,
                    granted: false,
                }),
        }
    }

    fn encode_monitor(&self, m: &Monitor, c: &Codes, w: &mut Writer) {
        w.varint(m.leaders.len() as u64);
        for (term, leader) in m.leaders.iter() {
            w.varint(term as u64);
            w.byte(*leader);
        }
        let written = m
            .written
            .iter()
            .map(|(_, terms)| terms.len())
            .sum::<usize>();
        w.varint(written as u64);
        for (index, terms) in m.written.iter() {
            for (term, entry, prev_term) in terms {
                w.varint(index as u64);
                w.varint(*term as u64);
                w.varint(c.entry(entry));
                w.varint(*prev_term as u64);
            }
        }
        w.varint(m.committed.len() as u64);
        for (e, in_term) in m.committed.iter().zip(m.committed_in.iter()) {
            log_entry(c, e, w);
            w.varint(*in_term as u64);
        }
        for &a in &m.applied {
            w.varint(a as u64);
        }
        for &t in &m.terms {
            w.varint(t as u64);
        }
        for per in &m.executed {
            for &e in per {
                w.varint(e as u64);
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
        m.leaders = (0..r.varint())
            .map(|_| (r.varint() as usize, r.byte()))
            .collect();
        for _ in 0..r.varint() {
            let index = r.varint() as usize;
            let term = r.varint() as u32;
            let entry = c.entry_at(r.varint()).unwrap_or(Entry::Noop);
            let prev_term = r.varint() as u32;
            // Written in index and term order: each term goes after those before it.
            m.written
                .entry(index, Vec::new)
                .push((term, entry, prev_term));
        }
        for _ in 0..r.varint() {
            m.committed.push(read_log_entry(c, r));
            m.committed_in.push(r.varint() as u32);
        }
        for a in &mut m.applied {
            *a = r.varint() as u32;
        }
        for t in &mut m.terms {
            *t = r.varint() as u32;
        }
        for per in &mut m.executed {
            for e in per.iter_mut() {
                *e = r.varint() as u32;
            }
        }
        (m.history, m.settled, m.linearizable) = c.decode_history(self.clients as usize, r);
        m
    }

    /// A message its receiver will ignore now and in every later state, and so may be forgotten:
    /// - a vote or an append reply of a term below the server's (terms never go back, unless a
    ///   restart may still lose them under `volatile-state`): both are dropped unread;
    /// - a vote of the server's own term when it is no longer campaigning in it (a server
    ///   campaigns at most once per term, and a vote changes nothing outside a campaign);
    /// - a Pre-Vote answer for a term no longer past the server's (it counts only towards the
    ///   term just past its own, whenever it asks again);
    /// - a reply or redirect for a request its client is no longer waiting on (its ids rise).
    ///
    /// Old `RequestVote`s and `AppendEntries` are never stale: they are answered.
    fn is_stale(
        &self,
        node: &Node,
        _to: NodeId,
        _from: NodeId,
        msg: &Msg,
        may_restart: bool,
        _may_start_attempt: bool,
    ) -> bool {
        match (node, msg) {
            (Node::Server(s), Msg::Vote { term, .. }) => {
                !self.terms_may_fall(may_restart)
                    && (*term < s.term
                        || (*term == s.term && !matches!(s.role, Role::Candidate { .. })))
            }
            (Node::Server(s), Msg::PreVoteReply { term, .. }) => {
                !self.terms_may_fall(may_restart) && *term <= s.term
            }
            (Node::Server(s), Msg::AppendReply { term, .. }) => {
                !self.terms_may_fall(may_restart) && *term < s.term
            }
            (
                Node::Client(c),
                Msg::Client(ClientMsg::Reply { seq, .. } | ClientMsg::Redirect { seq, .. }),
            ) => c.current.is_none_or(|(current, _)| current != *seq) && *seq <= c.seq,
            _ => false,
        }
    }

    /// A granted vote or Pre-Vote that leaves its candidate short of a majority only adds to its
    /// tally: it sends and notes nothing, and the candidate's result is the same whatever comes
    /// first.
    fn is_eager(&self, node: &Node, from: NodeId, msg: &Msg) -> bool {
        let Node::Server(s) = node else {
            return false;
        };
        let (votes, counts) = match (msg, &s.role) {
            (
                Msg::Vote {
                    term,
                    granted: true,
                },
                Role::Candidate { votes },
            ) => (*votes, *term == s.term),
            (
                Msg::PreVoteReply {
                    term,
                    granted: true,
                },
                Role::PreCandidate { votes },
            ) => (*votes, *term == s.term + 1),
            _ => return false,
        };
        // Counted in the candidate's own configuration.
        let members = self.members(s);
        let bit = 1u64 << (from.index - 1);
        counts
            && votes & bit == 0
            && ((votes | bit) & members).count_ones() < Self::quorum_of(members)
    }

    /// Only a lease is judged by a clock.
    fn clocked(&self) -> Option<u32> {
        (self.reads == crate::protocols::kv::Reads::Lease).then_some(self.timeout)
    }

    /// Servers differ (clients start by asking S1), so no symmetry is claimed.
    fn symmetric_role(&self) -> Option<NodeRole> {
        None
    }

    fn permute_node(&self, _node: &mut Node, _perm: &[u8]) {}

    fn permute_monitor(&self, _monitor: &mut Monitor, _perm: &[u8]) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::kv::Workload;
    use crate::protocols::raft::{Action, Config, client};
    use crate::sim::protocol::Protocol;
    use crate::sim::{Knobs, Scheduler};

    /// Every state of random faulty runs encodes, decodes and encodes to the same bytes, and
    /// every message in flight decodes to itself.
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
            let mut p = Raft::new(&config);
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
                    assert_eq!(back, slot.state, "seed {seed}: {}", slot.id);
                }
                let mut wr = Writer::default();
                p.encode_monitor(w.monitor(), &codes, &mut wr);
                let back = p.decode_monitor(&codes, &mut Reader::new(&wr.bytes));
                let mut again = Writer::default();
                p.encode_monitor(&back, &codes, &mut again);
                assert_eq!(wr.bytes, again.bytes, "seed {seed}: monitor");
                assert_eq!(back.committed, w.monitor().committed);
                for e in w.network().in_flight() {
                    let code = p.encode_msg(&e.msg, &codes);
                    assert!(code < 1 << 48);
                    assert_eq!(p.decode_msg(code, &codes), e.msg, "seed {seed}");
                }
            }
            assert!(p.new_monitor().committed.is_empty());
        }
    }
}
