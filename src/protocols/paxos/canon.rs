//! Paxos state in the explorer's canonical form. What is left out, on purpose: the step at which
//! a learner learned and the steps at which values were chosen (history, not state), and the
//! order in which a learner's tallies grew (they are written sorted).

use super::{ACCEPTOR, PROPOSER, learner, proposer};
use super::{
    Acceptor, BallotVotes, Chosen, Learned, Learner, Monitor, Msg, Node, Note, Paxos, Phase,
    Proposer, Tally,
};
use crate::protocols::ids::{Ballot, Value, Values, pack_ballot, unpack_ballot};
use crate::sim::canon::{Canonical, Reader, Writer, permute_bits};
use crate::sim::cowvec::CowVec;
use crate::sim::ids::{NodeId, Role};
use crate::sim::protocol::Protocol;

/// Ballots inside a message code: 11 bits of round and 7 of proposer (the explorer keeps rounds
/// far below 2048; proposers are at most 64).
const BALLOT_BITS: u32 = 18;
const ROUND_LIMIT: u32 = 1 << 11;

fn msg_ballot(b: Ballot) -> u64 {
    debug_assert!(b.round < ROUND_LIMIT);
    ((b.round as u64) << 7) | b.proposer as u64
}

fn msg_unballot(v: u64) -> Ballot {
    let v = v & ((1 << BALLOT_BITS) - 1);
    Ballot::new((v >> 7) as u32, (v & 0x7f) as u8)
}

fn opt_ballot(w: &mut Writer, b: Option<Ballot>) {
    w.varint(b.map_or(0, |b| pack_ballot(b) + 1));
}

fn read_opt_ballot(r: &mut Reader) -> Option<Ballot> {
    match r.varint() {
        0 => None,
        v => Some(unpack_ballot(v - 1)),
    }
}

impl Paxos {
    /// The highest round the explorer may reach: messages carry rounds in 11 bits.
    pub const EXPLORE_ROUND_LIMIT: u32 = ROUND_LIMIT;
}

impl Canonical for Paxos {
    type Values = Values;

    /// Each proposer proposes its own letter (`A` for P1), once.
    fn explored_request(&self, id: NodeId) -> Option<Value> {
        Some(Value::letter_for(id.index))
    }

    fn values(&self, requests: &[Value]) -> Values {
        Values::new(requests.to_vec())
    }

    fn starts_attempt(note: &Note) -> bool {
        matches!(note, Note::Preparing { .. })
    }

    fn is_stale(
        &self,
        node: &Node,
        _to: NodeId,
        from: NodeId,
        msg: &Msg,
        may_restart: bool,
        may_start_attempt: bool,
    ) -> bool {
        if from.role != ACCEPTOR {
            return !matches!(node, Node::Acceptor(_));
        }
        match (node, msg) {
            // A vote reported to its proposer only moves the proposer to Decided, after which
            // it sends nothing and takes no timeout; no rule reads that phase. So every run
            // that delivers it is matched by one that leaves it in flight: the proposer stays in
            // phase 2, whatever else happens to it happens alike (a Nack or a timeout may now
            // start a round the other run lacked, but that only adds messages nobody has to
            // deliver), and every vote, promise and learning of the first run happens in the
            // second. Shortest counterexamples never need these deliveries either.
            (Node::Proposer(_), Msg::Accepted { .. }) => return true,
            // A learner that counts votes per ballot learns only a value a quorum voted for in
            // one ballot, which the monitor has then recorded as chosen; two learners disagree
            // only if two values were chosen, which `agreement` reports first (at the vote,
            // before any learner hears of it). So correct learners can break no rule of their
            // own and send nothing: their mail can be left unread. With `learner-mixes-ballots`
            // they are explored in full.
            (Node::Learner(_), _) if !self.has(super::Flaw::LearnerMixesBallots) => return true,
            _ => {}
        }
        match node {
            // A proposer's rounds only grow (its highest round survives a restart), so a reply
            // to a ballot it has left behind, carrying no higher round, can never matter again.
            // A proposer with no attempt left reads its highest round never again, and a Nack
            // to its current ballot would start an attempt it may not have: only a promise
            // towards its current phase-1 quorum can still move it.
            Node::Proposer(p) if !may_start_attempt => {
                let current = p.ballot() == Some(msg.ballot());
                !(current
                    && matches!(msg, Msg::Promise { .. })
                    && matches!(p.phase, Phase::Preparing { .. }))
            }
            Node::Proposer(p) => {
                let behind = |b: Ballot| b.round <= p.max_round;
                let current = p.ballot() == Some(msg.ballot());
                match *msg {
                    Msg::Promise { ballot, accepted } => {
                        behind(ballot)
                            && accepted.is_none_or(|(b, _)| behind(b))
                            && !(current && matches!(p.phase, Phase::Preparing { .. }))
                    }
                    Msg::Nack { ballot, promised } => {
                        behind(ballot)
                            && behind(promised)
                            && !(current
                                && matches!(
                                    p.phase,
                                    Phase::Preparing { .. } | Phase::Accepting { .. }
                                ))
                    }
                    // Unread, see above.
                    Msg::Accepted { .. } | Msg::Prepare { .. } | Msg::Accept { .. } => true,
                }
            }
            // Acceptors answer every Prepare and Accept.
            Node::Acceptor(_) => !matches!(msg, Msg::Prepare { .. } | Msg::Accept { .. }),
            // A learner that has learned ignores everything, until a restart makes it forget.
            Node::Learner(l) => {
                !matches!(msg, Msg::Accepted { .. }) || (l.learned.is_some() && !may_restart)
            }
        }
    }

    fn is_eager(&self, node: &Node, from: NodeId, msg: &Msg) -> bool {
        if from.role != ACCEPTOR {
            return false;
        }
        // A promise that reports no vote and does not complete the phase-1 quorum. Which
        // promises end up in the quorum does matter (the highest vote among them is adopted),
        // but for any quorum that leaves this one out there is one that takes it in place of
        // another voteless promise, or of a lower vote, with the same outcome; the bitmap of
        // promises is forgotten when the phase ends.
        if let (
            Node::Proposer(p),
            Msg::Promise {
                ballot,
                accepted: None,
            },
        ) = (node, *msg)
        {
            return match p.phase {
                Phase::Preparing {
                    ballot: b,
                    promises,
                    ..
                } if b == ballot => ((promises | from.bit()).count_ones()) < self.q1 as u32,
                _ => false,
            };
        }
        let Msg::Accepted { ballot, value } = *msg else {
            return false;
        };
        match node {
            // A vote for the proposer's current proposal that does not complete its quorum:
            // the tally is a set, so the order in which votes arrive cannot matter.
            Node::Proposer(p) => match p.phase {
                Phase::Accepting {
                    ballot: b,
                    accepted,
                    ..
                } if b == ballot => ((accepted | from.bit()).count_ones()) < self.q2 as u32,
                _ => false,
            },
            // Likewise a learner's tally for one ballot and value. Which tally reaches its
            // quorum first is still explored: only the deliveries that complete none go first.
            Node::Learner(l) if l.learned.is_none() => {
                let key = if self.has(super::Flaw::LearnerMixesBallots) {
                    Ballot::ZERO
                } else {
                    ballot
                };
                let voters = l
                    .tallies
                    .iter()
                    .find(|t| t.ballot == key && t.value == value)
                    .map_or(0, |t| t.voters);
                ((voters | from.bit()).count_ones()) < self.q2 as u32
            }
            _ => false,
        }
    }

    /// A tally closes when its last Accept leaves the network or its proposer moves on.
    fn may_settle(&self, m: &Monitor, removed: Option<&Msg>, changed: Option<&Node>) -> bool {
        (matches!(removed, Some(Msg::Accept { .. })) || matches!(changed, Some(Node::Proposer(_))))
            && !self.has(super::Flaw::ReuseBallot)
            && m.votes.iter().any(|v| *v != BallotVotes::default())
    }

    /// A ballot's tally is read only when someone votes in it, and a vote in ballot b needs an
    /// Accept(b) in flight, or one its proposer will still send (it sends them once, on
    /// completing phase 1 for b). With neither, the tally is closed: whether it made a value
    /// chosen is already in `chosen`, and who voted can never matter again, so it is forgotten.
    /// (Under `reuse-ballot` two proposers share ballots, so nothing is forgotten.)
    fn settle_monitor<'a>(
        &self,
        m: &Monitor,
        node: &dyn Fn(NodeId) -> Option<&'a Node>,
        in_flight: &[Msg],
    ) -> Option<Monitor> {
        let open = |b: Ballot| {
            in_flight
                .iter()
                .any(|msg| matches!(msg, Msg::Accept { ballot, .. } if *ballot == b))
                || matches!(
                    node(proposer(b.proposer)),
                    Some(Node::Proposer(p)) if matches!(p.phase, Phase::Preparing { ballot, .. } if ballot == b)
                )
        };
        let closed: Vec<usize> = m
            .votes
            .iter()
            .enumerate()
            .filter(|(i, v)| **v != BallotVotes::default() && !open(m.ballot_at(*i)))
            .map(|(i, _)| i)
            .collect();
        if closed.is_empty() {
            return None;
        }
        let mut settled = m.clone();
        for i in closed {
            *settled.votes.get_mut(i) = BallotVotes::default();
        }
        Some(settled)
    }

    fn symmetric_role(&self) -> Option<Role> {
        // Quorums are counts and no rule names a particular acceptor.
        Some(ACCEPTOR)
    }

    fn permute_node(&self, node: &mut Node, perm: &[u8]) {
        match node {
            Node::Proposer(p) => match &mut p.phase {
                Phase::Preparing { promises, .. } => *promises = permute_bits(*promises, perm),
                Phase::Accepting { accepted, .. } => *accepted = permute_bits(*accepted, perm),
                Phase::Idle | Phase::Decided { .. } => {}
            },
            Node::Acceptor(_) => {}
            Node::Learner(l) => {
                for t in &mut l.tallies {
                    t.voters = permute_bits(t.voters, perm);
                }
            }
        }
    }

    fn permute_monitor(&self, m: &mut Monitor, perm: &[u8]) {
        let used: Vec<usize> = m
            .votes
            .iter()
            .enumerate()
            .filter(|(_, v)| v.voters != 0)
            .map(|(i, _)| i)
            .collect();
        for i in used {
            let e = m.votes.get_mut(i);
            e.voters = permute_bits(e.voters, perm);
        }
        for (_, _, voters) in &mut m.extra_votes {
            *voters = permute_bits(*voters, perm);
        }
        for c in &mut m.chosen {
            c.acceptors = permute_bits(c.acceptors, perm);
        }
        let old = m.promise_high.clone();
        for (i, &to) in perm.iter().enumerate() {
            m.promise_high[to as usize] = old[i];
        }
    }

    fn encode_node(&self, node: &Node, values: &Values, w: &mut Writer) {
        match node {
            Node::Proposer(p) => {
                w.varint(p.max_round as u64);
                w.varint(values.code_opt(p.request));
                match p.phase {
                    Phase::Idle => w.byte(0),
                    Phase::Preparing {
                        ballot,
                        promises,
                        highest,
                    } => {
                        w.byte(1);
                        w.varint(pack_ballot(ballot));
                        w.varint(promises);
                        opt_ballot(w, highest.map(|(b, _)| b));
                        w.varint(values.code_opt(highest.map(|(_, v)| v)));
                    }
                    Phase::Accepting {
                        ballot,
                        value,
                        accepted,
                    } => {
                        w.byte(2);
                        w.varint(pack_ballot(ballot));
                        w.varint(values.code(value));
                        w.varint(accepted);
                    }
                    Phase::Decided { ballot, value } => {
                        w.byte(3);
                        w.varint(pack_ballot(ballot));
                        w.varint(values.code(value));
                    }
                }
            }
            Node::Acceptor(a) => {
                w.varint(pack_ballot(a.promised));
                opt_ballot(w, a.accepted.map(|(b, _)| b));
                w.varint(values.code_opt(a.accepted.map(|(_, v)| v)));
            }
            Node::Learner(l) => {
                match l.learned {
                    None => w.byte(0),
                    Some(learned) => {
                        w.varint(values.code(learned.value));
                        w.varint(pack_ballot(learned.ballot));
                    }
                }
                let mut tallies: Vec<(u64, u64, u64)> = l
                    .tallies
                    .iter()
                    .map(|t| (pack_ballot(t.ballot), values.code(t.value), t.voters))
                    .collect();
                tallies.sort_unstable();
                w.varint(tallies.len() as u64);
                for (b, v, voters) in tallies {
                    w.varint(b);
                    w.varint(v);
                    w.varint(voters);
                }
            }
        }
    }

    fn decode_node(&self, id: NodeId, values: &Values, r: &mut Reader) -> Node {
        match id.role {
            PROPOSER => {
                let max_round = r.varint() as u32;
                let request = values.value_opt(r.varint());
                let phase = match r.byte() {
                    1 => {
                        let ballot = unpack_ballot(r.varint());
                        let promises = r.varint();
                        let hb = read_opt_ballot(r);
                        let hv = values.value_opt(r.varint());
                        Phase::Preparing {
                            ballot,
                            promises,
                            highest: hb.zip(hv),
                        }
                    }
                    2 => Phase::Accepting {
                        ballot: unpack_ballot(r.varint()),
                        value: values.value(r.varint()),
                        accepted: r.varint(),
                    },
                    3 => Phase::Decided {
                        ballot: unpack_ballot(r.varint()),
                        value: values.value(r.varint()),
                    },
                    _ => Phase::Idle,
                };
                Node::Proposer(Proposer {
                    max_round,
                    request,
                    phase,
                })
            }
            ACCEPTOR => {
                let promised = unpack_ballot(r.varint());
                let b = read_opt_ballot(r);
                let v = values.value_opt(r.varint());
                Node::Acceptor(Acceptor {
                    promised,
                    accepted: b.zip(v),
                })
            }
            _ => {
                let learned = match r.varint() {
                    0 => None,
                    code => Some(Learned {
                        value: values.value(code),
                        ballot: unpack_ballot(r.varint()),
                        step: 0,
                    }),
                };
                let n = r.varint() as usize;
                let tallies = (0..n)
                    .map(|_| Tally {
                        ballot: unpack_ballot(r.varint()),
                        value: values.value(r.varint()),
                        voters: r.varint(),
                    })
                    .collect();
                Node::Learner(Learner { learned, tallies })
            }
        }
    }

    fn encode_msg(&self, msg: &Msg, values: &Values) -> u64 {
        let kind = msg.kind() as u64;
        let b1 = msg_ballot(msg.ballot());
        let (b2, v) = match *msg {
            Msg::Prepare { .. } => (0, 0),
            Msg::Promise { accepted, .. } => (
                accepted.map_or(0, |(b, _)| msg_ballot(b) + 1),
                values.code_opt(accepted.map(|(_, v)| v)),
            ),
            Msg::Nack { promised, .. } => (msg_ballot(promised), 0),
            Msg::Accept { value, .. } | Msg::Accepted { value, .. } => (0, values.code(value)),
        };
        debug_assert!(v < 1 << 8);
        kind | b1 << 3 | b2 << (3 + BALLOT_BITS) | v << (3 + 2 * BALLOT_BITS)
    }

    fn decode_msg(&self, code: u64, values: &Values) -> Msg {
        let ballot = msg_unballot(code >> 3);
        let b2 = (code >> (3 + BALLOT_BITS)) & ((1 << BALLOT_BITS) - 1);
        let v = (code >> (3 + 2 * BALLOT_BITS)) & 0xff;
        match code & 7 {
            0 => Msg::Prepare { ballot },
            1 => Msg::Promise {
                ballot,
                accepted: (b2 != 0).then(|| (msg_unballot(b2 - 1), values.value(v))),
            },
            2 => Msg::Nack {
                ballot,
                promised: msg_unballot(b2),
            },
            3 => Msg::Accept {
                ballot,
                value: values.value(v),
            },
            _ => Msg::Accepted {
                ballot,
                value: values.value(v),
            },
        }
    }

    fn encode_monitor(&self, m: &Monitor, values: &Values, w: &mut Writer) {
        let used = || {
            m.votes
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != BallotVotes::default())
        };
        w.varint(used().count() as u64);
        for (i, v) in used() {
            w.varint(i as u64);
            w.varint(values.code_opt(v.value));
            w.byte(v.proposer);
            w.varint(v.voters);
        }
        let mut extra: Vec<(u64, u64, u64)> = m
            .extra_votes
            .iter()
            .map(|(b, v, voters)| (pack_ballot(*b), values.code(*v), *voters))
            .collect();
        extra.sort_unstable();
        w.varint(extra.len() as u64);
        for (b, v, voters) in extra {
            w.varint(b);
            w.varint(v);
            w.varint(voters);
        }
        w.varint(m.chosen.len() as u64);
        for c in &m.chosen {
            w.varint(values.code(c.value));
            w.varint(pack_ballot(c.ballot));
            w.varint(c.acceptors);
        }
        for b in &m.promise_high {
            w.varint(pack_ballot(*b));
        }
        match m.first_learned {
            None => w.byte(0),
            // A proposer decides first only when liars are about (see `observe`).
            Some((node, v)) => {
                w.byte(node.index | if node.role == PROPOSER { 0x80 } else { 0 });
                w.varint(values.code(v));
            }
        }
        if self.has_liars() {
            w.varint(m.requested.len() as u64);
            for v in &m.requested {
                w.varint(values.code(*v));
            }
        }
    }

    fn decode_monitor(&self, values: &Values, r: &mut Reader) -> Monitor {
        let mut m = self.new_monitor();
        let used = r.varint();
        let mut votes = CowVec::default();
        for _ in 0..used {
            let i = r.varint() as usize;
            *votes.get_mut(i) = BallotVotes {
                value: values.value_opt(r.varint()),
                proposer: r.byte(),
                voters: r.varint(),
            };
        }
        m.votes = votes;
        let extra = r.varint();
        m.extra_votes = (0..extra)
            .map(|_| {
                (
                    unpack_ballot(r.varint()),
                    values.value(r.varint()),
                    r.varint(),
                )
            })
            .collect();
        let chosen = r.varint();
        m.chosen = (0..chosen)
            .map(|_| Chosen {
                value: values.value(r.varint()),
                ballot: unpack_ballot(r.varint()),
                step: 0,
                acceptors: r.varint(),
            })
            .collect();
        for b in m.promise_high.iter_mut() {
            *b = unpack_ballot(r.varint());
        }
        m.first_learned = match r.byte() {
            0 => None,
            b if b & 0x80 != 0 => Some((proposer(b & 0x7f), values.value(r.varint()))),
            index => Some((learner(index), values.value(r.varint()))),
        };
        if self.has_liars() {
            let n = r.varint();
            m.requested = (0..n).map(|_| values.value(r.varint())).collect();
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::ids::Value;
    use crate::protocols::paxos::Config;
    use crate::protocols::paxos::acceptor;

    fn v(s: &str) -> Value {
        Value::new(s).unwrap()
    }

    fn table() -> Values {
        Values::new(vec![v("A"), v("B")])
    }

    #[test]
    fn every_message_kind_round_trips_through_its_code() {
        let p = Paxos::new(&Config::default());
        let vals = table();
        let b = Ballot::new(2, 1);
        let low = Ballot::new(1, 2);
        let msgs = [
            Msg::Prepare { ballot: b },
            Msg::Promise {
                ballot: b,
                accepted: None,
            },
            Msg::Promise {
                ballot: b,
                accepted: Some((low, v("B"))),
            },
            Msg::Promise {
                ballot: b,
                accepted: Some((Ballot::ZERO, v("A"))),
            },
            Msg::Nack {
                ballot: low,
                promised: b,
            },
            Msg::Accept {
                ballot: b,
                value: v("A"),
            },
            Msg::Accepted {
                ballot: b,
                value: v("B"),
            },
        ];
        let codes: Vec<u64> = msgs.iter().map(|m| p.encode_msg(m, &vals)).collect();
        for (m, c) in msgs.iter().zip(&codes) {
            assert!(*c < 1 << 48);
            assert_eq!(p.decode_msg(*c, &vals), *m);
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn nodes_round_trip_and_learner_tallies_are_written_sorted() {
        let p = Paxos::new(&Config::default());
        let vals = table();
        let t1 = Tally {
            ballot: Ballot::new(1, 1),
            value: v("A"),
            voters: 1,
        };
        let t2 = Tally {
            ballot: Ballot::new(1, 2),
            value: v("B"),
            voters: 6,
        };
        let nodes = [
            (
                proposer(1),
                Node::Proposer(Proposer {
                    max_round: 3,
                    request: Some(v("A")),
                    phase: Phase::Preparing {
                        ballot: Ballot::new(3, 1),
                        promises: 5,
                        highest: Some((Ballot::new(1, 2), v("B"))),
                    },
                }),
            ),
            (
                proposer(2),
                Node::Proposer(Proposer {
                    max_round: 1,
                    request: Some(v("B")),
                    phase: Phase::Decided {
                        ballot: Ballot::new(1, 2),
                        value: v("A"),
                    },
                }),
            ),
            (
                acceptor(1),
                Node::Acceptor(Acceptor {
                    promised: Ballot::new(3, 1),
                    accepted: Some((Ballot::new(1, 2), v("B"))),
                }),
            ),
            (
                learner(1),
                Node::Learner(Learner {
                    learned: None,
                    tallies: vec![t2, t1],
                }),
            ),
        ];
        for (id, node) in &nodes {
            let mut w = Writer::default();
            p.encode_node(node, &vals, &mut w);
            let back = p.decode_node(*id, &vals, &mut Reader::new(&w.bytes));
            let mut again = Writer::default();
            p.encode_node(&back, &vals, &mut again);
            assert_eq!(w.bytes, again.bytes, "{id}");
            if !matches!(node, Node::Learner(_)) {
                assert_eq!(&back, node);
            }
        }
        // Tallies grown in either order encode the same.
        let mut a = Writer::default();
        let mut b = Writer::default();
        p.encode_node(
            &Node::Learner(Learner {
                learned: None,
                tallies: vec![t1, t2],
            }),
            &vals,
            &mut a,
        );
        p.encode_node(
            &Node::Learner(Learner {
                learned: None,
                tallies: vec![t2, t1],
            }),
            &vals,
            &mut b,
        );
        assert_eq!(a.bytes, b.bytes);
    }

    #[test]
    fn the_monitor_round_trips_without_its_history_steps() {
        let p = Paxos::new(&Config::default());
        let vals = table();
        let mut m = p.new_monitor();
        m.vote(Ballot::new(1, 1), v("A"), 1);
        m.vote(Ballot::new(1, 1), v("A"), 2);
        m.vote(Ballot::new(2, 2), v("B"), 4);
        m.chosen.push(Chosen {
            value: v("A"),
            ballot: Ballot::new(1, 1),
            step: 17,
            acceptors: 3,
        });
        m.promise_high[0] = Ballot::new(2, 2);
        m.first_learned = Some((learner(1), v("A")));
        let mut w = Writer::default();
        p.encode_monitor(&m, &vals, &mut w);
        let back = p.decode_monitor(&vals, &mut Reader::new(&w.bytes));
        assert_eq!(back.voters(Ballot::new(1, 1), v("A")), 3);
        assert_eq!(back.voters(Ballot::new(2, 2), v("B")), 4);
        assert_eq!(back.chosen[0].value, v("A"));
        assert_eq!(back.promise_high, m.promise_high);
        assert_eq!(back.first_learned, m.first_learned);
        let mut again = Writer::default();
        p.encode_monitor(&back, &vals, &mut again);
        assert_eq!(w.bytes, again.bytes);
    }
}
