//! Single-decree Paxos as in Lamport's "Paxos Made Simple": proposers, acceptors and learners as
//! pure handlers (a message in, messages out), and a monitor that checks the safety rules after
//! every step. Each `Flaw` switches off exactly one rule at the one place that rule lives.

use std::fmt;

pub mod budgets;
mod canon;
pub mod config;
pub mod describe;
#[cfg(test)]
mod world_tests;

pub use crate::protocols::ids::{Ballot, Value};
use crate::sim::cowvec::CowVec;
use crate::sim::ids::{NodeId, Role, members};
use crate::sim::protocol::{Ctx, Outbox, Protocol, Refusal, TimerOp, Violation, Wait};
use crate::sim::words::{Localized, Words, both};
use crate::sim::world::{Event, Timing, World};
pub use config::{Config, Flaw};
pub use describe::{Outcome, acceptor_list, short_label};

/// Paxos's roles, each a letter the node ids carry.
pub const PROPOSER: Role = Role::new('P');
pub const ACCEPTOR: Role = Role::new('A');
pub const LEARNER: Role = Role::new('L');
/// In the order the roster lists them.
pub const ROLES: [Role; 3] = [PROPOSER, ACCEPTOR, LEARNER];

pub const fn proposer(index: u8) -> NodeId {
    NodeId::new(PROPOSER, index)
}
pub const fn acceptor(index: u8) -> NodeId {
    NodeId::new(ACCEPTOR, index)
}
pub const fn learner(index: u8) -> NodeId {
    NodeId::new(LEARNER, index)
}

/// The world running single-decree Paxos.
pub type PaxosWorld = World<Paxos>;
/// A Paxos action: `Propose` carries the value a client asks a proposer to propose.
pub type Action = crate::sim::world::Action<Value, Msg>;

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
    pub fn world(&self) -> PaxosWorld {
        World::new(Paxos::new(self), self.timing())
    }
}

/// Serde as a lie in a trace writes it: `Promise(ballot: "1.2", accepted: None)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Msg {
    Prepare {
        ballot: Ballot,
    },
    Promise {
        ballot: Ballot,
        accepted: Option<(Ballot, Value)>,
    },
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
    Accept {
        ballot: Ballot,
        value: Value,
    },
    Accepted {
        ballot: Ballot,
        value: Value,
    },
}

impl Msg {
    pub fn ballot(&self) -> Ballot {
        match *self {
            Msg::Prepare { ballot }
            | Msg::Promise { ballot, .. }
            | Msg::Nack { ballot, .. }
            | Msg::Accept { ballot, .. }
            | Msg::Accepted { ballot, .. } => ballot,
        }
    }

    pub fn kind(&self) -> MsgKind {
        match self {
            Msg::Prepare { .. } => MsgKind::Prepare,
            Msg::Promise { .. } => MsgKind::Promise,
            Msg::Nack { .. } => MsgKind::Nack,
            Msg::Accept { .. } => MsgKind::Accept,
            Msg::Accepted { .. } => MsgKind::Accepted,
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum MsgKind {
    Prepare,
    Promise,
    Nack,
    Accept,
    Accepted,
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Msg::Prepare { ballot } => write!(f, "Prepare({ballot})"),
            Msg::Promise {
                ballot,
                accepted: Some((b, v)),
            } => write!(f, "Promise({ballot}, accepted {b}=\"{v}\")"),
            Msg::Promise {
                ballot,
                accepted: None,
            } => write!(f, "Promise({ballot}, accepted none)"),
            Msg::Nack { ballot, promised } => write!(f, "Nack({ballot}, promised {promised})"),
            Msg::Accept { ballot, value } => write!(f, "Accept({ballot}, \"{value}\")"),
            Msg::Accepted { ballot, value } => write!(f, "Accepted({ballot}, \"{value}\")"),
        }
    }
}

/// Where a proposer stands in its current attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Phase {
    #[default]
    Idle,
    /// Phase 1: Prepare sent, collecting promises.
    Preparing {
        ballot: Ballot,
        /// Acceptors that promised (bit per acceptor).
        promises: u64,
        /// The highest-ballot vote reported in those promises.
        highest: Option<(Ballot, Value)>,
    },
    /// Phase 2: Accept sent, collecting Accepted votes.
    Accepting {
        ballot: Ballot,
        value: Value,
        accepted: u64,
    },
    /// A phase-2 quorum accepted this proposer's proposal: it knows the value is chosen.
    Decided { ballot: Ballot, value: Value },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Proposer {
    /// The highest round this proposer has used or seen. Durable (Lamport keeps it in stable
    /// storage) so a restarted proposer never reuses a ballot with a different value.
    pub max_round: u32,
    /// The value its client asked for; lost on a crash.
    pub request: Option<Value>,
    pub phase: Phase,
}

impl Proposer {
    pub fn ballot(&self) -> Option<Ballot> {
        match self.phase {
            Phase::Idle => None,
            Phase::Preparing { ballot, .. }
            | Phase::Accepting { ballot, .. }
            | Phase::Decided { ballot, .. } => Some(ballot),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Acceptor {
    /// The highest ballot promised. Durable.
    pub promised: Ballot,
    /// The last vote cast. Durable.
    pub accepted: Option<(Ballot, Value)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Learned {
    pub value: Value,
    pub ballot: Ballot,
    pub step: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tally {
    pub ballot: Ballot,
    pub value: Value,
    pub voters: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Learner {
    pub learned: Option<Learned>,
    /// Accepted votes heard so far, per (ballot, value); dropped once a value is learned.
    pub tallies: Vec<Tally>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Proposer(Proposer),
    Acceptor(Acceptor),
    Learner(Learner),
}

/// What a handler observed about itself, or what the monitor concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// A proposer began phase 1 with this ballot (after a request, a Nack or a timeout).
    Preparing {
        ballot: Ballot,
        cause: RetryCause,
    },
    /// A proposer reached a phase-1 quorum and proposes `value`; `adopted` is the ballot of the
    /// vote it took the value from, if any.
    Proposing {
        ballot: Ballot,
        value: Value,
        adopted: Option<Ballot>,
    },
    /// A proposer saw a phase-2 quorum accept its proposal.
    Decided {
        ballot: Ballot,
        value: Value,
    },
    Promised {
        ballot: Ballot,
        previous: Ballot,
    },
    Refused {
        ballot: Ballot,
        promised: Ballot,
    },
    Voted {
        ballot: Ballot,
        value: Value,
        promised_before: Ballot,
    },
    /// An acceptor restarted without its durable state (the `amnesia` flaw).
    Forgot {
        promised: Ballot,
    },
    Learned {
        ballot: Ballot,
        value: Value,
    },
    /// The monitor saw a phase-2 quorum of acceptors vote for `value` in `ballot`.
    Chosen {
        ballot: Ballot,
        value: Value,
        acceptors: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryCause {
    Request,
    Nack,
    Timeout,
}

/// Every invariant the monitor checks, by the stable name violations carry.
pub const INVARIANTS: [&str; 7] = [
    "agreement",
    "learned-is-chosen",
    "learners-agree",
    "one-value-per-ballot",
    "accept-respects-promise",
    "promise-monotonic",
    "validity",
];

/// The rules of one cluster, fixed for a run.
#[derive(Clone, Debug)]
pub struct Paxos {
    pub proposers: u8,
    pub acceptors: u8,
    pub learners: u8,
    pub q1: u8,
    pub q2: u8,
    flaws: u8,
    /// The nodes that may lie.
    pub byzantine: Vec<NodeId>,
}

impl Paxos {
    /// Builds the rules from a config (call `Config::validate` first).
    pub fn new(config: &Config) -> Self {
        let (q1, q2) = config.quorums();
        let flaws = config
            .flaws
            .iter()
            .fold(0u8, |acc, f| acc | (1 << (*f as u8)));
        Paxos {
            proposers: config.proposers,
            acceptors: config.acceptors,
            learners: config.learners,
            q1,
            q2,
            flaws,
            byzantine: config.byzantine.clone(),
        }
    }

    /// The invariants this cluster's monitor checks: with liars about, what honest nodes decide
    /// (agreement, validity) replaces what learners learned against the votes.
    pub fn invariants(&self) -> &'static [&'static str] {
        const HONEST: [&str; 6] = [
            INVARIANTS[0],
            INVARIANTS[1],
            INVARIANTS[2],
            INVARIANTS[3],
            INVARIANTS[4],
            INVARIANTS[5],
        ];
        const WITH_LIARS: [&str; 5] = [
            INVARIANTS[0],
            INVARIANTS[6],
            INVARIANTS[3],
            INVARIANTS[4],
            INVARIANTS[5],
        ];
        if self.has_liars() {
            &WITH_LIARS
        } else {
            &HONEST
        }
    }

    /// Whether some node may lie: the monitor then judges what honest nodes learn, not votes.
    pub fn has_liars(&self) -> bool {
        !self.byzantine.is_empty()
    }

    /// The values a lie may carry: every proposer's own letter (the explorer's requests).
    fn lie_values(&self) -> impl Iterator<Item = Value> + '_ {
        (1..=self.proposers).map(Value::letter_for)
    }

    /// Every ballot up to `top` (rounds from 1), the alphabet of a liar that has seen `top`.
    fn ballots_up_to(&self, top: Ballot) -> Vec<Ballot> {
        let owners: Vec<u8> = if self.has(Flaw::ReuseBallot) {
            vec![0]
        } else {
            (1..=self.proposers).collect()
        };
        (1..=top.round)
            .flat_map(|r| owners.iter().map(move |&o| Ballot::new(r, o)))
            .filter(|&b| b <= top)
            .collect()
    }

    /// Who owns a ballot: its proposer, or every proposer when ballots carry no owner.
    fn owners(&self, b: Ballot) -> Vec<NodeId> {
        if b.proposer == 0 {
            (1..=self.proposers).map(proposer).collect()
        } else {
            vec![proposer(b.proposer)]
        }
    }

    pub fn has(&self, flaw: Flaw) -> bool {
        self.flaws & (1 << (flaw as u8)) != 0
    }

    fn count(&self, role: Role) -> u8 {
        match role {
            PROPOSER => self.proposers,
            ACCEPTOR => self.acceptors,
            _ => self.learners,
        }
    }

    fn start_round(&self, id: NodeId, p: &mut Proposer, cause: RetryCause, out: &mut Outbox<Self>) {
        p.max_round += 1;
        let owner = if self.has(Flaw::ReuseBallot) {
            0
        } else {
            id.index
        };
        let ballot = Ballot::new(p.max_round, owner);
        p.phase = Phase::Preparing {
            ballot,
            promises: 0,
            highest: None,
        };
        out.note(Note::Preparing { ballot, cause });
        for a in 1..=self.acceptors {
            out.send(acceptor(a), Msg::Prepare { ballot });
        }
        out.timer = Some(TimerOp::Start(Wait::Standard));
    }

    fn proposer_on(
        &self,
        id: NodeId,
        p: &mut Proposer,
        from: NodeId,
        msg: Msg,
        out: &mut Outbox<Self>,
    ) {
        if from.role != ACCEPTOR {
            return;
        }
        match msg {
            Msg::Promise { ballot, accepted } => {
                if let Some((b, _)) = accepted {
                    p.max_round = p.max_round.max(b.round);
                }
                let Phase::Preparing {
                    ballot: current,
                    promises,
                    highest,
                } = &mut p.phase
                else {
                    return;
                };
                if ballot != *current {
                    return;
                }
                *promises |= from.bit();
                if let Some((b, v)) = accepted
                    && highest.is_none_or(|(hb, _)| b > hb)
                {
                    *highest = Some((b, v));
                }
                if promises.count_ones() < self.q1 as u32 {
                    return;
                }
                let Some(own) = p.request else { return };
                // The key rule: adopt the value of the highest-ballot vote a quorum reports.
                let adopted = if self.has(Flaw::IgnorePromisedValue) {
                    None
                } else {
                    *highest
                };
                let value = adopted.map_or(own, |(_, v)| v);
                p.phase = Phase::Accepting {
                    ballot,
                    value,
                    accepted: 0,
                };
                out.note(Note::Proposing {
                    ballot,
                    value,
                    adopted: adopted.map(|(b, _)| b),
                });
                for a in 1..=self.acceptors {
                    out.send(acceptor(a), Msg::Accept { ballot, value });
                }
                out.timer = Some(TimerOp::Start(Wait::Standard));
            }
            Msg::Nack { ballot, promised } => {
                p.max_round = p.max_round.max(promised.round);
                let active = matches!(
                    p.phase,
                    Phase::Preparing { ballot: b, .. } | Phase::Accepting { ballot: b, .. } if b == ballot
                );
                // A Nack naming our own ballot comes from a duplicated Prepare: not a rejection.
                if active && promised > ballot {
                    self.start_round(id, p, RetryCause::Nack, out);
                }
            }
            Msg::Accepted { ballot, value } => {
                let Phase::Accepting {
                    ballot: current,
                    value: proposed,
                    accepted,
                } = &mut p.phase
                else {
                    return;
                };
                // A vote for another value in this ballot is no vote for this proposal (only a
                // liar sends one).
                if ballot != *current || value != *proposed {
                    return;
                }
                *accepted |= from.bit();
                if accepted.count_ones() >= self.q2 as u32 {
                    p.phase = Phase::Decided { ballot, value };
                    out.note(Note::Decided { ballot, value });
                    out.timer = Some(TimerOp::Stop);
                }
            }
            Msg::Prepare { .. } | Msg::Accept { .. } => {}
        }
    }

    fn acceptor_on(&self, a: &mut Acceptor, from: NodeId, msg: Msg, out: &mut Outbox<Self>) {
        match msg {
            Msg::Prepare { ballot } => {
                let fresh = ballot > a.promised
                    || (self.has(Flaw::ReuseBallot) && ballot == a.promised && !ballot.is_zero());
                if fresh {
                    out.note(Note::Promised {
                        ballot,
                        previous: a.promised,
                    });
                    a.promised = ballot;
                    out.send(
                        from,
                        Msg::Promise {
                            ballot,
                            accepted: a.accepted,
                        },
                    );
                } else {
                    out.note(Note::Refused {
                        ballot,
                        promised: a.promised,
                    });
                    out.send(
                        from,
                        Msg::Nack {
                            ballot,
                            promised: a.promised,
                        },
                    );
                }
            }
            Msg::Accept { ballot, value } => {
                if ballot >= a.promised || self.has(Flaw::AcceptLowerBallot) {
                    out.note(Note::Voted {
                        ballot,
                        value,
                        promised_before: a.promised,
                    });
                    a.promised = a.promised.max(ballot);
                    a.accepted = Some((ballot, value));
                    // Reply to whoever sent the Accept: under `reuse-ballot` the ballot no
                    // longer names its proposer.
                    out.send(from, Msg::Accepted { ballot, value });
                    for l in 1..=self.learners {
                        out.send(learner(l), Msg::Accepted { ballot, value });
                    }
                } else {
                    out.note(Note::Refused {
                        ballot,
                        promised: a.promised,
                    });
                    out.send(
                        from,
                        Msg::Nack {
                            ballot,
                            promised: a.promised,
                        },
                    );
                }
            }
            Msg::Promise { .. } | Msg::Nack { .. } | Msg::Accepted { .. } => {}
        }
    }

    fn learner_on(
        &self,
        ctx: Ctx,
        l: &mut Learner,
        from: NodeId,
        msg: Msg,
        out: &mut Outbox<Self>,
    ) {
        let Msg::Accepted { ballot, value } = msg else {
            return;
        };
        if l.learned.is_some() || from.role != ACCEPTOR {
            return;
        }
        // Correct learners count votes per ballot; the flaw pools every ballot's votes.
        let key = if self.has(Flaw::LearnerMixesBallots) {
            Ballot::ZERO
        } else {
            ballot
        };
        let i = match l
            .tallies
            .iter()
            .position(|t| t.ballot == key && t.value == value)
        {
            Some(i) => i,
            None => {
                l.tallies.push(Tally {
                    ballot: key,
                    value,
                    voters: 0,
                });
                l.tallies.len() - 1
            }
        };
        l.tallies[i].voters |= from.bit();
        if l.tallies[i].voters.count_ones() >= self.q2 as u32 {
            l.learned = Some(Learned {
                value,
                ballot,
                step: ctx.step,
            });
            l.tallies = Vec::new();
            out.note(Note::Learned { ballot, value });
        }
    }
}

impl Protocol for Paxos {
    type Node = Node;
    type Msg = Msg;
    type Note = Note;
    type Monitor = Monitor;
    type Request = Value;

    fn roster(&self) -> Vec<NodeId> {
        ROLES
            .into_iter()
            .flat_map(|r| (1..=self.count(r)).map(move |i| NodeId::new(r, i)))
            .collect()
    }

    fn slot_of(&self, id: NodeId) -> Option<usize> {
        if id.index == 0 || id.index > self.count(id.role) {
            return None;
        }
        let base = match id.role {
            PROPOSER => 0,
            ACCEPTOR => self.proposers as usize,
            _ => self.proposers as usize + self.acceptors as usize,
        };
        Some(base + id.index as usize - 1)
    }

    fn initial_node(&self, id: NodeId) -> Node {
        match id.role {
            PROPOSER => Node::Proposer(Proposer::default()),
            ACCEPTOR => Node::Acceptor(Acceptor::default()),
            _ => Node::Learner(Learner::default()),
        }
    }

    fn takes_requests(&self, id: NodeId) -> bool {
        id.role == PROPOSER
    }

    fn is_byzantine(&self, id: NodeId) -> bool {
        self.byzantine.contains(&id)
    }

    /// An acceptor's lies use the ballots up to its promise (the ones it may have seen) and the
    /// run's values: a promise that hides its vote or claims one it never cast (to the
    /// ballot's owner), a promise to a ballot below the one it holds, and an Accepted for a
    /// value it never accepted (to the learners and the ballot's owner). A proposer's lies are
    /// Accepts for values it did not propose, in the ballots it has used (two values in one
    /// ballot). What the node's own rules would send is left out: that is no lie.
    fn lies(&self, _id: NodeId, node: &Node) -> Vec<(NodeId, Msg)> {
        let mut out = Vec::new();
        match node {
            Node::Acceptor(a) => {
                let ballots = self.ballots_up_to(a.promised);
                for &b in &ballots {
                    let mut claims = vec![None];
                    for &earlier in ballots.iter().filter(|&&e| e < b) {
                        claims.extend(self.lie_values().map(|v| Some((earlier, v))));
                    }
                    for owner in self.owners(b) {
                        for &accepted in &claims {
                            if b == a.promised && accepted == a.accepted {
                                continue;
                            }
                            out.push((
                                owner,
                                Msg::Promise {
                                    ballot: b,
                                    accepted,
                                },
                            ));
                        }
                    }
                    for value in self.lie_values() {
                        if a.accepted == Some((b, value)) {
                            continue;
                        }
                        let to = (1..=self.learners).map(learner).chain(self.owners(b));
                        out.extend(to.map(|to| (to, Msg::Accepted { ballot: b, value })));
                    }
                }
            }
            Node::Proposer(p) => {
                let own = p.ballot();
                for round in 1..=p.max_round {
                    let Some(b) = own.map(|o| Ballot::new(round, o.proposer)) else {
                        break;
                    };
                    for value in self.lie_values() {
                        if matches!(p.phase, Phase::Accepting { ballot, value: v, .. } | Phase::Decided { ballot, value: v } if ballot == b && v == value)
                        {
                            continue;
                        }
                        out.extend(
                            (1..=self.acceptors)
                                .map(|i| (acceptor(i), Msg::Accept { ballot: b, value })),
                        );
                    }
                }
            }
            Node::Learner(_) => {}
        }
        out
    }

    fn check_lie(&self, from: NodeId, to: NodeId, msg: &Msg) -> Result<(), Refusal> {
        let fits = match (from.role, msg) {
            (ACCEPTOR, Msg::Promise { .. } | Msg::Nack { .. }) => to.role == PROPOSER,
            (ACCEPTOR, Msg::Accepted { .. }) => to.role == PROPOSER || to.role == LEARNER,
            (PROPOSER, Msg::Prepare { .. } | Msg::Accept { .. }) => to.role == ACCEPTOR,
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(format!(
                "{from} cannot send {msg} to {to}: no node of its role sends that message to that role"
            ))
        }
    }

    /// Each proposer's own letter (`A` for P1).
    fn auto_request(&self, id: NodeId, _node: &Node) -> Value {
        Value::letter_for(id.index)
    }

    fn new_monitor(&self) -> Monitor {
        Monitor {
            ballot_stride: self.proposers as usize + 1,
            votes: CowVec::default(),
            extra_votes: Vec::new(),
            chosen: Vec::new(),
            promise_high: vec![Ballot::ZERO; self.acceptors as usize],
            first_learned: None,
            requested: Vec::new(),
        }
    }

    fn on_request(
        &self,
        _ctx: Ctx,
        id: NodeId,
        node: &mut Node,
        value: Value,
        out: &mut Outbox<Self>,
    ) -> Result<(), Refusal> {
        let Node::Proposer(p) = node else {
            return Err(format!(
                "{id} is not a proposer; only proposers take requests"
            ));
        };
        p.request = Some(value);
        self.start_round(id, p, RetryCause::Request, out);
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
            Node::Proposer(p) => self.proposer_on(id, p, from, msg, out),
            Node::Acceptor(a) => self.acceptor_on(a, from, msg, out),
            Node::Learner(l) => self.learner_on(ctx, l, from, msg, out),
        }
    }

    fn on_timeout(&self, _ctx: Ctx, id: NodeId, node: &mut Node, out: &mut Outbox<Self>) {
        if let Node::Proposer(p) = node
            && matches!(p.phase, Phase::Preparing { .. } | Phase::Accepting { .. })
        {
            self.start_round(id, p, RetryCause::Timeout, out);
        }
    }

    fn on_restart(&self, _ctx: Ctx, _id: NodeId, node: &mut Node, out: &mut Outbox<Self>) {
        match node {
            Node::Proposer(p) => {
                *p = Proposer {
                    max_round: p.max_round,
                    ..Proposer::default()
                }
            }
            Node::Acceptor(a) => {
                if self.has(Flaw::Amnesia) && *a != Acceptor::default() {
                    out.note(Note::Forgot {
                        promised: a.promised,
                    });
                    *a = Acceptor::default();
                }
            }
            Node::Learner(l) => *l = Learner::default(),
        }
    }

    /// With liars about, a value is valid only if some client asked a proposer for it (a lying
    /// promise can hand a proposer a value nobody asked for).
    fn observe_request(&self, m: &mut Monitor, _node: NodeId, value: &Value) {
        if self.has_liars()
            && let Err(at) = m.requested.binary_search(value)
        {
            m.requested.insert(at, *value);
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
        let mut violate = |invariant: &'static str, words: Words, args: &[&dyn Localized]| {
            events.push(Event::Violation(Violation::new(
                invariant,
                ctx.step,
                both(words, args),
            )));
        };
        match *note {
            Note::Proposing { ballot, value, .. } => {
                let entry = m.entry_mut(ballot);
                match entry.value {
                    None => {
                        entry.value = Some(value);
                        entry.proposer = node.index;
                    }
                    Some(v) if v != value => violate(
                        "one-value-per-ballot",
                        broken::TWO_VALUES_IN_A_BALLOT,
                        &[&ballot, &entry.proposer, &v, &node, &value],
                    ),
                    Some(_) => {}
                }
            }
            Note::Voted {
                ballot,
                value,
                promised_before,
            } => {
                if ballot < promised_before {
                    violate(
                        "accept-respects-promise",
                        broken::ACCEPTED_BELOW_PROMISE,
                        &[&node, &value, &ballot, &promised_before],
                    );
                }
                self.raise_promise(m, node, ballot, false, &mut violate);
                let q2 = self.q2 as u32;
                let voters = m.vote(ballot, value, node.bit());
                if voters.count_ones() == q2 && !m.chosen.iter().any(|c| c.value == value) {
                    if let Some(first) = m.chosen.first() {
                        violate(
                            "agreement",
                            broken::TWO_VALUES_CHOSEN,
                            &[
                                &first.value,
                                &first.ballot,
                                &members(ACCEPTOR, first.acceptors),
                                &first.step,
                                &value,
                                &ballot,
                                &members(ACCEPTOR, voters),
                                &ctx.step,
                            ],
                        );
                    }
                    m.chosen.push(Chosen {
                        value,
                        ballot,
                        step: ctx.step,
                        acceptors: voters,
                    });
                    events.push(Event::Note {
                        node: None,
                        note: Note::Chosen {
                            ballot,
                            value,
                            acceptors: voters,
                        },
                    });
                }
            }
            Note::Promised { ballot, .. } => {
                self.raise_promise(m, node, ballot, true, &mut violate)
            }
            Note::Forgot { promised } => {
                let high = m.promise_high[node.index as usize - 1];
                if !high.is_zero() {
                    violate(
                        "promise-monotonic",
                        broken::PROMISE_FORGOTTEN,
                        &[&node, &promised],
                    );
                }
                m.promise_high[node.index as usize - 1] = Ballot::ZERO;
            }
            // A liar's claimed vote counts towards a learner's (or a proposer's) quorum but is
            // no honest vote, so with liars about only what honest nodes decide is judged: they
            // decide one value (a learner learns it, a proposer sees its proposal accepted),
            // and only a value some client asked for.
            Note::Learned { value, .. } | Note::Decided { value, .. } if self.has_liars() => {
                if m.requested.binary_search(&value).is_err() {
                    violate("validity", broken::NEVER_REQUESTED, &[&node, &value]);
                }
                if let Some((other, v)) = m.decide(node, value) {
                    violate(
                        "agreement",
                        broken::HONEST_NODES_DISAGREE,
                        &[&other, &v, &node, &value],
                    );
                }
            }
            Note::Learned { ballot, value } => {
                if !m.chosen.iter().any(|c| c.value == value) {
                    violate(
                        "learned-is-chosen",
                        broken::LEARNED_UNCHOSEN,
                        &[&node, &value, &ballot],
                    );
                }
                if let Some((other, v)) = m.decide(node, value) {
                    violate(
                        "learners-agree",
                        broken::LEARNERS_DISAGREE,
                        &[&other, &v, &node, &value],
                    );
                }
            }
            Note::Preparing { .. }
            | Note::Decided { .. }
            | Note::Refused { .. }
            | Note::Chosen { .. } => {}
        }
    }
}

/// What each broken rule says, in English and Chinese.
mod broken {
    use crate::sim::words::Words;

    pub const TWO_VALUES_IN_A_BALLOT: Words = [
        "ballot {0} carries two values: P{1} proposed \"{2}\" and {3} proposed \"{4}\"",
        "提案编号 {0} 带有两个值：P{1} 提议了 \"{2}\"，{3} 提议了 \"{4}\"",
    ];
    pub const ACCEPTED_BELOW_PROMISE: Words = [
        "{0} accepted \"{1}\" in ballot {2} although it had promised ballot {3}",
        "{0} 在提案编号 {2} 中接受了 \"{1}\"，尽管它已承诺提案编号 {3}",
    ];
    pub const TWO_VALUES_CHOSEN: Words = [
        "two values were chosen: \"{0}\" in ballot {1} by {2} at step {3}, and \"{4}\" in ballot {5} by {6} at step {7}",
        "两个值都被选定：\"{0}\" 在第 {3} 步于提案编号 {1} 中由 {2} 选定，\"{4}\" 在第 {7} 步于提案编号 {5} 中由 {6} 选定",
    ];
    pub const PROMISE_FORGOTTEN: Words = [
        "{0} restarted without its durable state: its promise went back from ballot {1} to none",
        "{0} 重启时丢失了持久状态：它的承诺从提案编号 {1} 退回到无",
    ];
    pub const LEARNED_UNCHOSEN: Words = [
        "{0} learned \"{1}\" (last vote in ballot {2}), but no quorum of acceptors accepted \"{1}\" in any one ballot",
        "{0} 学到了 \"{1}\"（最后一票在提案编号 {2}），但没有任何一个提案编号中有法定人数的接受者接受了 \"{1}\"",
    ];
    pub const HONEST_NODES_DISAGREE: Words = [
        "honest nodes decided two values: {0} decided \"{1}\" and {2} decided \"{3}\"",
        "诚实节点决定了两个值：{0} 决定了 \"{1}\"，{2} 决定了 \"{3}\"",
    ];
    pub const NEVER_REQUESTED: Words = [
        "{0} decided \"{1}\", which no client asked any proposer for",
        "{0} 决定了 \"{1}\"，但没有任何客户端向提议者请求过这个值",
    ];
    pub const LEARNERS_DISAGREE: Words = [
        "{0} learned \"{1}\" but {2} learned \"{3}\"",
        "{0} 学到了 \"{1}\"，而 {2} 学到了 \"{3}\"",
    ];
    pub const PROMISE_LOWERED: Words = [
        "{0} promised ballot {1} after having promised ballot {2}",
        "{0} 在承诺提案编号 {2} 之后又承诺了提案编号 {1}",
    ];
}

impl Paxos {
    /// Tracks the highest promise each acceptor ever made; a new promise below it means the
    /// acceptor's durable state went backwards.
    fn raise_promise(
        &self,
        m: &mut Monitor,
        node: NodeId,
        ballot: Ballot,
        is_promise: bool,
        violate: &mut impl FnMut(&'static str, Words, &[&dyn Localized]),
    ) {
        let high = &mut m.promise_high[node.index as usize - 1];
        if ballot > *high {
            *high = ballot;
        } else if is_promise && ballot < *high {
            violate(
                "promise-monotonic",
                broken::PROMISE_LOWERED,
                &[&node, &ballot, &*high],
            );
        }
    }
}

/// The first time each value was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Chosen {
    pub value: Value,
    pub ballot: Ballot,
    pub step: u64,
    pub acceptors: u64,
}

/// Votes for one ballot: the value proposed in it and who voted for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
struct BallotVotes {
    value: Option<Value>,
    proposer: u8,
    voters: u64,
}

/// Safety bookkeeping. Votes are history, as in Lamport's Voting spec: a vote counts toward
/// "chosen" even after the acceptor votes again, so a value is chosen the moment a quorum has
/// ever voted for it in one ballot.
#[derive(Clone, Debug)]
pub struct Monitor {
    ballot_stride: usize,
    /// Indexed by ballot (round * stride + proposer); shared between checkpoints.
    votes: CowVec<BallotVotes>,
    /// Votes for a second value in an already-used ballot (only under `reuse-ballot`).
    extra_votes: Vec<(Ballot, Value, u64)>,
    pub chosen: Vec<Chosen>,
    /// The highest ballot each acceptor has ever promised (a ghost variable).
    promise_high: Vec<Ballot>,
    first_learned: Option<(NodeId, Value)>,
    /// The values proposers' clients asked for, sorted: kept only when some node may lie.
    pub requested: Vec<Value>,
}

impl std::hash::Hash for Monitor {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for (i, v) in self.votes.iter().enumerate() {
            if *v != BallotVotes::default() {
                (i, v).hash(h);
            }
        }
        self.extra_votes.hash(h);
        self.chosen.hash(h);
        self.promise_high.hash(h);
        self.first_learned.hash(h);
        // Empty in every run without liars, so hashes recorded before lies existed stand.
        if !self.requested.is_empty() {
            self.requested.hash(h);
        }
    }
}

impl Monitor {
    /// Records that `node` decided `value`; returns the first decision if it was another value.
    fn decide(&mut self, node: NodeId, value: Value) -> Option<(NodeId, Value)> {
        match self.first_learned {
            None => {
                self.first_learned = Some((node, value));
                None
            }
            Some((other, v)) if v != value => Some((other, v)),
            Some(_) => None,
        }
    }

    fn index(&self, b: Ballot) -> usize {
        b.round as usize * self.ballot_stride + b.proposer as usize
    }

    /// The ballot whose tally sits at `index` of `votes`.
    pub(crate) fn ballot_at(&self, index: usize) -> Ballot {
        Ballot::new(
            (index / self.ballot_stride) as u32,
            (index % self.ballot_stride) as u8,
        )
    }

    fn entry_mut(&mut self, b: Ballot) -> &mut BallotVotes {
        let i = self.index(b);
        self.votes.get_mut(i)
    }

    /// Records a vote and returns everyone who has voted for `value` in `ballot`.
    fn vote(&mut self, ballot: Ballot, value: Value, voter: u64) -> u64 {
        let entry = self.entry_mut(ballot);
        if entry.value.is_none() {
            entry.value = Some(value);
        }
        if entry.value == Some(value) {
            entry.voters |= voter;
            return entry.voters;
        }
        match self
            .extra_votes
            .iter_mut()
            .find(|(b, v, _)| *b == ballot && *v == value)
        {
            Some((_, _, voters)) => {
                *voters |= voter;
                *voters
            }
            None => {
                self.extra_votes.push((ballot, value, voter));
                voter
            }
        }
    }

    /// Who has ever voted for `value` in `ballot`.
    pub fn voters(&self, ballot: Ballot, value: Value) -> u64 {
        match self.votes.get(self.index(ballot)) {
            Some(e) if e.value == Some(value) => e.voters,
            _ => self
                .extra_votes
                .iter()
                .find(|(b, v, _)| *b == ballot && *v == value)
                .map_or(0, |e| e.2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(flaws: &[Flaw]) -> Paxos {
        Paxos::new(&Config {
            flaws: flaws.to_vec(),
            ..Config::default()
        })
    }

    const CTX: Ctx = Ctx {
        step: 1,
        now: 0,
        local: 0,
    };
    const P1: NodeId = proposer(1);
    const A1: NodeId = acceptor(1);
    const A2: NodeId = acceptor(2);
    const A3: NodeId = acceptor(3);

    fn v(s: &str) -> Value {
        Value::new(s).unwrap()
    }

    fn acceptor_gets(p: &Paxos, a: &mut Acceptor, msg: Msg) -> Vec<(NodeId, Msg)> {
        let mut out = Outbox::default();
        p.acceptor_on(a, P1, msg, &mut out);
        out.sends
    }

    #[test]
    fn acceptor_promises_only_above_its_promise() {
        let p = rules(&[]);
        let mut a = Acceptor::default();
        let b1 = Ballot::new(1, 1);
        let sent = acceptor_gets(&p, &mut a, Msg::Prepare { ballot: b1 });
        assert_eq!(
            sent,
            vec![(
                P1,
                Msg::Promise {
                    ballot: b1,
                    accepted: None
                }
            )]
        );
        assert_eq!(a.promised, b1);
        // The same ballot again (a duplicated Prepare) and a lower one are refused.
        for b in [b1, Ballot::new(0, 2)] {
            let sent = acceptor_gets(&p, &mut a, Msg::Prepare { ballot: b });
            assert_eq!(
                sent,
                vec![(
                    P1,
                    Msg::Nack {
                        ballot: b,
                        promised: b1
                    }
                )]
            );
        }
        assert_eq!(a.promised, b1);
    }

    #[test]
    fn acceptor_never_accepts_below_its_promise() {
        let p = rules(&[]);
        let mut a = Acceptor {
            promised: Ballot::new(2, 2),
            accepted: None,
        };
        let low = Ballot::new(1, 1);
        let sent = acceptor_gets(
            &p,
            &mut a,
            Msg::Accept {
                ballot: low,
                value: v("A"),
            },
        );
        assert_eq!(
            sent,
            vec![(
                P1,
                Msg::Nack {
                    ballot: low,
                    promised: Ballot::new(2, 2)
                }
            )]
        );
        assert_eq!(a.accepted, None);
        // At or above the promise it accepts and tells the proposer and every learner.
        let b = Ballot::new(2, 2);
        let sent = acceptor_gets(
            &p,
            &mut a,
            Msg::Accept {
                ballot: b,
                value: v("B"),
            },
        );
        assert_eq!(a.accepted, Some((b, v("B"))));
        assert_eq!(sent.len(), 1 + 2);
        assert!(sent.iter().all(|(_, m)| *m
            == Msg::Accepted {
                ballot: b,
                value: v("B")
            }));
    }

    #[test]
    fn accept_lower_ballot_flaw_accepts_below_the_promise() {
        let p = rules(&[Flaw::AcceptLowerBallot]);
        let mut a = Acceptor {
            promised: Ballot::new(2, 2),
            accepted: None,
        };
        acceptor_gets(
            &p,
            &mut a,
            Msg::Accept {
                ballot: Ballot::new(1, 1),
                value: v("A"),
            },
        );
        assert_eq!(a.accepted, Some((Ballot::new(1, 1), v("A"))));
        assert_eq!(a.promised, Ballot::new(2, 2));
    }

    #[test]
    fn reuse_ballot_flaw_answers_a_prepare_equal_to_the_promise() {
        let p = rules(&[Flaw::ReuseBallot]);
        let mut a = Acceptor::default();
        let b = Ballot::new(1, 0);
        acceptor_gets(&p, &mut a, Msg::Prepare { ballot: b });
        let sent = acceptor_gets(&p, &mut a, Msg::Prepare { ballot: b });
        assert_eq!(
            sent,
            vec![(
                P1,
                Msg::Promise {
                    ballot: b,
                    accepted: None
                }
            )]
        );
    }

    fn proposer_in_phase_one(p: &Paxos) -> (Proposer, Ballot) {
        let mut prop = Proposer::default();
        let mut node = Node::Proposer(prop);
        let mut out = Outbox::default();
        p.on_request(CTX, P1, &mut node, v("A"), &mut out).unwrap();
        let Node::Proposer(q) = node else {
            unreachable!()
        };
        prop = q;
        assert_eq!(out.sends.len(), 3, "a Prepare to every acceptor");
        assert_eq!(out.timer, Some(TimerOp::Start(Wait::Standard)));
        (prop, prop.ballot().unwrap())
    }

    fn promise(p: &Paxos, prop: &mut Proposer, from: NodeId, msg: Msg) -> Outbox<Paxos> {
        let mut out = Outbox::default();
        p.proposer_on(P1, prop, from, msg, &mut out);
        out
    }

    #[test]
    fn proposer_adopts_the_highest_ballot_value_among_promises() {
        let p = rules(&[]);
        let (mut prop, b) = proposer_in_phase_one(&p);
        assert_eq!(b, Ballot::new(1, 1));
        let out = promise(
            &p,
            &mut prop,
            A1,
            Msg::Promise {
                ballot: b,
                accepted: Some((Ballot::new(0, 2), v("X"))),
            },
        );
        assert!(out.sends.is_empty(), "one promise is not a quorum");
        // A duplicate promise from the same acceptor does not count twice.
        let out = promise(
            &p,
            &mut prop,
            A1,
            Msg::Promise {
                ballot: b,
                accepted: None,
            },
        );
        assert!(out.sends.is_empty());
        let out = promise(
            &p,
            &mut prop,
            A2,
            Msg::Promise {
                ballot: b,
                accepted: Some((Ballot::new(0, 3), v("Y"))),
            },
        );
        assert_eq!(out.sends.len(), 3);
        assert!(out.sends.iter().all(|(_, m)| *m
            == Msg::Accept {
                ballot: b,
                value: v("Y")
            }));
        assert_eq!(
            out.notes,
            vec![Note::Proposing {
                ballot: b,
                value: v("Y"),
                adopted: Some(Ballot::new(0, 3))
            }]
        );
    }

    #[test]
    fn proposer_with_ignore_promised_value_flaw_proposes_its_own() {
        let p = rules(&[Flaw::IgnorePromisedValue]);
        let (mut prop, b) = proposer_in_phase_one(&p);
        promise(
            &p,
            &mut prop,
            A1,
            Msg::Promise {
                ballot: b,
                accepted: Some((Ballot::new(0, 2), v("X"))),
            },
        );
        let out = promise(
            &p,
            &mut prop,
            A2,
            Msg::Promise {
                ballot: b,
                accepted: None,
            },
        );
        assert!(out.sends.iter().all(|(_, m)| *m
            == Msg::Accept {
                ballot: b,
                value: v("A")
            }));
    }

    #[test]
    fn proposer_retries_above_the_promise_a_nack_reports() {
        let p = rules(&[]);
        let (mut prop, b) = proposer_in_phase_one(&p);
        let out = promise(
            &p,
            &mut prop,
            A3,
            Msg::Nack {
                ballot: b,
                promised: Ballot::new(7, 2),
            },
        );
        assert_eq!(prop.ballot(), Some(Ballot::new(8, 1)));
        assert_eq!(out.sends.len(), 3);
        // A Nack for a ballot it no longer uses is ignored.
        let out = promise(
            &p,
            &mut prop,
            A1,
            Msg::Nack {
                ballot: b,
                promised: Ballot::new(9, 2),
            },
        );
        assert!(out.sends.is_empty());
        assert_eq!(prop.max_round, 9, "but the round it reveals is remembered");
    }

    #[test]
    fn proposer_decides_on_a_phase_two_quorum_and_keeps_its_round_over_a_restart() {
        let p = rules(&[]);
        let (mut prop, b) = proposer_in_phase_one(&p);
        promise(
            &p,
            &mut prop,
            A1,
            Msg::Promise {
                ballot: b,
                accepted: None,
            },
        );
        promise(
            &p,
            &mut prop,
            A2,
            Msg::Promise {
                ballot: b,
                accepted: None,
            },
        );
        promise(
            &p,
            &mut prop,
            A1,
            Msg::Accepted {
                ballot: b,
                value: v("A"),
            },
        );
        let out = promise(
            &p,
            &mut prop,
            A3,
            Msg::Accepted {
                ballot: b,
                value: v("A"),
            },
        );
        assert_eq!(
            prop.phase,
            Phase::Decided {
                ballot: b,
                value: v("A")
            }
        );
        assert_eq!(out.timer, Some(TimerOp::Stop));
        let mut node = Node::Proposer(prop);
        p.on_restart(CTX, P1, &mut node, &mut Outbox::default());
        assert_eq!(
            node,
            Node::Proposer(Proposer {
                max_round: 1,
                request: None,
                phase: Phase::Idle
            })
        );
    }

    fn learner_hears(p: &Paxos, l: &mut Learner, from: NodeId, b: Ballot, val: &str) {
        p.learner_on(
            CTX,
            l,
            from,
            Msg::Accepted {
                ballot: b,
                value: v(val),
            },
            &mut Outbox::default(),
        );
    }

    #[test]
    fn learner_learns_only_from_a_quorum_in_one_ballot() {
        let p = rules(&[]);
        let mut l = Learner::default();
        learner_hears(&p, &mut l, A1, Ballot::new(1, 1), "A");
        learner_hears(&p, &mut l, A2, Ballot::new(2, 2), "A");
        assert_eq!(l.learned, None, "votes from two ballots are not a quorum");
        learner_hears(&p, &mut l, A3, Ballot::new(2, 2), "A");
        assert_eq!(l.learned.map(|x| x.value), Some(v("A")));
        assert!(l.tallies.is_empty());
    }

    #[test]
    fn learner_mixes_ballots_flaw_pools_votes_across_ballots() {
        let p = rules(&[Flaw::LearnerMixesBallots]);
        let mut l = Learner::default();
        learner_hears(&p, &mut l, A1, Ballot::new(1, 1), "A");
        learner_hears(&p, &mut l, A2, Ballot::new(2, 2), "A");
        assert_eq!(l.learned.map(|x| x.value), Some(v("A")));
    }

    #[test]
    fn amnesia_flaw_makes_a_restarted_acceptor_forget() {
        for (flaws, keeps) in [(vec![], true), (vec![Flaw::Amnesia], false)] {
            let p = rules(&flaws);
            let before = Acceptor {
                promised: Ballot::new(2, 1),
                accepted: Some((Ballot::new(2, 1), v("A"))),
            };
            let mut node = Node::Acceptor(before);
            p.on_restart(CTX, A1, &mut node, &mut Outbox::default());
            assert_eq!(node == Node::Acceptor(before), keeps);
        }
    }

    #[test]
    fn messages_print_as_the_style_guide_spells_them() {
        let b = Ballot::new(2, 1);
        assert_eq!(Msg::Prepare { ballot: b }.to_string(), "Prepare(2.1)");
        assert_eq!(
            Msg::Promise {
                ballot: b,
                accepted: Some((Ballot::new(1, 2), v("B")))
            }
            .to_string(),
            "Promise(2.1, accepted 1.2=\"B\")"
        );
        assert_eq!(
            Msg::Accept {
                ballot: b,
                value: v("A")
            }
            .to_string(),
            "Accept(2.1, \"A\")"
        );
        assert_eq!(
            Msg::Accepted {
                ballot: b,
                value: v("A")
            }
            .to_string(),
            "Accepted(2.1, \"A\")"
        );
        assert_eq!(
            Msg::Nack {
                ballot: b,
                promised: Ballot::new(3, 2)
            }
            .to_string(),
            "Nack(2.1, promised 3.2)"
        );
    }
}
