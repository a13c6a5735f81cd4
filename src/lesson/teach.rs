//! What a lesson needs of its protocol beyond the plug-in: the rules `Violated` may name, the
//! protocol's own conditions, and what the exercise lint treats as state. Each protocol that has
//! lessons implements it here, where the lesson vocabulary lives (protocols know nothing of
//! lessons).

use std::collections::hash_map::DefaultHasher;
use std::hash::Hash;

use super::model::{Condition, Lesson, Step};
use crate::protocols::Plugin;
use crate::protocols::ids::{Ballot, Value};
use crate::protocols::multipaxos::{self, MultiPaxos};
use crate::protocols::paxos::{self, Paxos};
use crate::protocols::pbft::{self, Pbft};
use crate::protocols::raft::{self, Raft};
use crate::sim::NodeId;
use crate::sim::world::{Action, World};

pub trait Teach: Plugin<Msg: Hash, Node: Hash> {
    /// Its lessons shipped inside the binary: (file name, text), in the picker's order.
    const BUNDLED: &'static [(&'static str, &'static str)];
    /// Which protocol-specific conditions its lessons may use.
    const FAMILY: crate::lesson::model::Family;
    /// The safety rules, by the ids `Violated` names.
    fn invariants() -> &'static [&'static str];
    fn has_node(config: &Self::Config, id: NodeId) -> bool;
    /// The ballot a message belongs to, for `Lost { ballot }`.
    fn msg_ballot(msg: &Self::Msg) -> Option<Ballot>;
    /// Whether one of this protocol's own conditions holds; `None` for a generic condition or
    /// another protocol's (validation refuses the latter before any run).
    fn fact(c: &Condition, world: &World<Self>) -> Option<bool>;
    /// The requests a student may make in the lint's search, beyond those the lesson's actions
    /// name: the ones the lesson's goals name, and any the protocol adds.
    fn student_requests(lesson: &Lesson<Self>, out: &mut Vec<Self::Request>);
    /// Hashes the protocol's part of the lint's state key: the nodes' states and what the
    /// monitor decided, without history (steps) that no goal or later step can read.
    fn lint_key(world: &World<Self>, h: &mut DefaultHasher);
    /// Whether a lie may be searched as told and delivered in one move (the explorer's
    /// `Canonical::lies_arrive_at_once`: every lie stays tellable while it could be in flight).
    fn lies_arrive_at_once(_world: &World<Self>) -> bool {
        false
    }
    /// A run fact narration may name (`{leader}`, `{term}`, `{holders:1}`, see `facts`): its
    /// words in `world`, `None` where the run has none (no leader yet), or why there is no such
    /// fact in this protocol.
    fn run_fact(
        world: &World<Self>,
        name: &str,
        arg: Option<&str>,
        zh: bool,
    ) -> Result<Option<String>, String>;
}

/// Every request the lesson's own actions make.
pub fn action_requests<P: Teach>(lesson: &Lesson<P>, out: &mut Vec<P::Request>) {
    for step in &lesson.steps {
        let actions: &[crate::sim::world::ActionOf<P>] = match step {
            Step::Do(a) => a,
            Step::Exercise(e) => &e.solution,
            _ => &[],
        };
        for a in actions {
            if let Action::Propose(_, r) = a
                && !out.contains(r)
            {
                out.push(r.clone());
            }
        }
    }
}

impl Teach for Paxos {
    const BUNDLED: &'static [(&'static str, &'static str)] = super::bundled::PAXOS;
    const FAMILY: crate::lesson::model::Family = crate::lesson::model::Family::OneValue;
    /// Single-decree Paxos has one fact a story names: the value chosen.
    fn run_fact(
        world: &World<Self>,
        name: &str,
        _arg: Option<&str>,
        _zh: bool,
    ) -> Result<Option<String>, String> {
        match name {
            "chosen" => Ok(world.monitor().chosen.first().map(|c| c.value.to_string())),
            _ => Err(super::facts::unknown(name, &["chosen"])),
        }
    }

    fn invariants() -> &'static [&'static str] {
        &paxos::INVARIANTS
    }

    fn has_node(config: &paxos::Config, id: NodeId) -> bool {
        config.has_node(id)
    }

    fn msg_ballot(msg: &paxos::Msg) -> Option<Ballot> {
        Some(msg.ballot())
    }

    fn fact(c: &Condition, world: &World<Paxos>) -> Option<bool> {
        let monitor = world.monitor();
        Some(match c {
            Condition::Refused { to, by } => world.events().iter().any(|e| {
                matches!(e, crate::sim::world::Event::Delivered(env) if env.dst == *to
                    && matches!(env.msg, paxos::Msg::Nack { promised, .. } if promised >= *by))
            }),
            Condition::Chosen(v) => monitor
                .chosen
                .iter()
                .any(|c| v.is_none_or(|v| v == c.value)),
            Condition::ChosenAbove(b) => monitor.chosen.iter().any(|c| c.ballot > *b),
            Condition::Learned { learner, value } => world.nodes().iter().any(|s| match &s.state {
                paxos::Node::Learner(l) => {
                    learner.is_none_or(|n| n == s.id)
                        && l.learned
                            .is_some_and(|x| value.is_none_or(|v| v == x.value))
                }
                _ => false,
            }),
            Condition::AcceptorsDown(k) => {
                world
                    .nodes()
                    .iter()
                    .filter(|s| s.id.role == paxos::ACCEPTOR && !s.up)
                    .count()
                    >= *k as usize
            }
            Condition::TwoValuesChosen => monitor.chosen.len() >= 2,
            _ => return None,
        })
    }

    /// Each proposer's own letter, and every value a goal names.
    fn student_requests(lesson: &Lesson<Paxos>, out: &mut Vec<Value>) {
        let mut add = |v: Value| {
            if !out.contains(&v) {
                out.push(v);
            }
        };
        for i in 1..=lesson.config.proposers {
            add(Value::letter_for(i));
        }
        for step in &lesson.steps {
            if let Step::Exercise(e) = step {
                e.goal.each_leaf(&mut |leaf| match leaf {
                    Condition::Chosen(Some(v)) | Condition::Learned { value: Some(v), .. } => {
                        add(*v)
                    }
                    _ => {}
                });
            }
        }
    }

    fn lint_key(world: &World<Paxos>, h: &mut DefaultHasher) {
        for s in world.nodes() {
            match &s.state {
                // When a learner learned is history, not state.
                paxos::Node::Learner(l) => {
                    l.learned.map(|x| (x.value, x.ballot)).hash(h);
                    l.tallies.hash(h);
                }
                other => other.hash(h),
            }
        }
        for c in &world.monitor().chosen {
            (c.ballot, c.value, c.acceptors).hash(h);
        }
    }
}

impl Teach for MultiPaxos {
    const BUNDLED: &'static [(&'static str, &'static str)] = super::bundled::MULTIPAXOS;
    const FAMILY: crate::lesson::model::Family = crate::lesson::model::Family::Store;
    /// `leader` and `ballot`: the live server with the highest ballot that leads (phase 1
    /// done); `holders:N`: the servers that voted for a command in slot N.
    fn run_fact(
        world: &World<Self>,
        name: &str,
        arg: Option<&str>,
        zh: bool,
    ) -> Result<Option<String>, String> {
        use crate::protocols::multipaxos::describe::{CellState, leader_figures, log_rows};
        let lead = leader_figures(world);
        let leads = lead.prepared;
        match name {
            "leader" => Ok(lead.server.filter(|_| leads).map(|s| s.to_string())),
            "ballot" => Ok(lead.ballot.filter(|_| leads).map(|b| b.to_string())),
            "holders" => {
                let slot = super::facts::index_arg(arg)? as usize;
                let holders: Vec<String> = log_rows(world)
                    .iter()
                    .filter(|r| {
                        r.cells
                            .get(slot - 1)
                            .is_some_and(|c| !matches!(c.state, CellState::Empty | CellState::Hole))
                    })
                    .map(|r| r.server.to_string())
                    .collect();
                Ok(super::facts::some_names(&holders, zh))
            }
            _ => Err(super::facts::unknown(
                name,
                &["leader", "ballot", "holders:N"],
            )),
        }
    }

    fn invariants() -> &'static [&'static str] {
        &multipaxos::INVARIANTS
    }

    fn has_node(config: &multipaxos::Config, id: NodeId) -> bool {
        crate::protocols::kv::slot_of(config.servers, config.clients, id).is_some()
    }

    fn msg_ballot(msg: &multipaxos::Msg) -> Option<Ballot> {
        msg.ballot()
    }

    fn fact(c: &Condition, world: &World<MultiPaxos>) -> Option<bool> {
        let monitor = world.monitor();
        let server = |id: NodeId| match world.node(id).map(|s| &s.state) {
            Some(multipaxos::Node::Server(s)) => Some(&**s),
            _ => None,
        };
        Some(match c {
            Condition::Elected(who) => world.nodes().iter().any(|s| {
                who.is_none_or(|w| w == s.id) && server(s.id).is_some_and(|s| s.is_leader())
            }),
            Condition::Committed(upto) => (1..=*upto).all(|slot| {
                monitor
                    .chosen
                    .get(slot as usize - 1)
                    .is_some_and(|c| c.is_some())
            }),
            Condition::Applied { server: who, upto } => world.nodes().iter().any(|s| {
                who.is_none_or(|w| w == s.id) && server(s.id).is_some_and(|s| s.applied >= *upto)
            }),
            Condition::Answered { client, at_least } => {
                answered(&monitor.history, *client) >= *at_least as usize
            }
            _ => return None,
        })
    }

    /// The requests the lesson's own actions make are all a student may send.
    fn student_requests(_lesson: &Lesson<MultiPaxos>, _out: &mut Vec<crate::protocols::kv::Op>) {}

    fn lint_key(world: &World<MultiPaxos>, h: &mut DefaultHasher) {
        for s in world.nodes() {
            s.state.hash(h);
        }
        let m = world.monitor();
        for c in m.chosen.iter() {
            c.map(|(entry, ballot, _step)| (entry, ballot)).hash(h);
        }
        // Who asked what and what came back, and in which order; not the steps.
        for o in m.history.ops() {
            (o.client, o.seq, o.op, o.ret.map(|r| r.1), &o.after).hash(h);
        }
        m.linearizable.hash(h);
    }
}

impl Teach for Raft {
    const BUNDLED: &'static [(&'static str, &'static str)] = super::bundled::RAFT;
    const FAMILY: crate::lesson::model::Family = crate::lesson::model::Family::Store;
    /// `leader` and `term`: the live leader with the highest term; `holders:N`: the servers
    /// whose log has an entry at index N.
    fn run_fact(
        world: &World<Self>,
        name: &str,
        arg: Option<&str>,
        zh: bool,
    ) -> Result<Option<String>, String> {
        let leader = world
            .nodes()
            .iter()
            .filter(|slot| slot.up)
            .filter_map(|slot| match &slot.state {
                raft::Node::Server(s) if matches!(s.role, raft::Role::Leader { .. }) => {
                    Some((s.term, slot.id))
                }
                _ => None,
            })
            .max();
        match name {
            "leader" => Ok(leader.map(|(_, id)| id.to_string())),
            "term" => Ok(leader.map(|(term, _)| term.to_string())),
            "holders" => {
                let index = super::facts::index_arg(arg)?;
                let holders: Vec<String> = world
                    .nodes()
                    .iter()
                    .filter(|slot| match &slot.state {
                        raft::Node::Server(s) => s.log.len() >= index as usize,
                        _ => false,
                    })
                    .map(|slot| slot.id.to_string())
                    .collect();
                Ok(super::facts::some_names(&holders, zh))
            }
            _ => Err(super::facts::unknown(
                name,
                &["leader", "term", "holders:N"],
            )),
        }
    }

    fn invariants() -> &'static [&'static str] {
        &raft::INVARIANTS
    }

    fn has_node(config: &raft::Config, id: NodeId) -> bool {
        crate::protocols::kv::slot_of(config.servers, config.clients, id).is_some()
    }

    /// Raft has terms, not ballots: `Lost { ballot }` names none of its messages.
    fn msg_ballot(_msg: &raft::Msg) -> Option<Ballot> {
        None
    }

    fn fact(c: &Condition, world: &World<Raft>) -> Option<bool> {
        let monitor = world.monitor();
        let server = |id: NodeId| match world.node(id).map(|s| &s.state) {
            Some(raft::Node::Server(s)) => Some(&**s),
            _ => None,
        };
        Some(match c {
            Condition::Elected(who) => world.nodes().iter().any(|s| {
                s.up && who.is_none_or(|w| w == s.id) && server(s.id).is_some_and(|s| s.is_leader())
            }),
            Condition::Committed(upto) => monitor.committed.len() >= *upto as usize,
            Condition::Applied { server: who, upto } => world.nodes().iter().any(|s| {
                who.is_none_or(|w| w == s.id) && server(s.id).is_some_and(|s| s.applied >= *upto)
            }),
            Condition::Answered { client, at_least } => {
                answered(&monitor.history, *client) >= *at_least as usize
            }
            _ => return None,
        })
    }

    /// The requests the lesson's own actions make are all a student may send.
    fn student_requests(_lesson: &Lesson<Raft>, _out: &mut Vec<crate::protocols::kv::Op>) {}

    fn lint_key(world: &World<Raft>, h: &mut DefaultHasher) {
        for s in world.nodes() {
            s.state.hash(h);
        }
        let m = world.monitor();
        m.committed.hash(h);
        m.leaders.hash(h);
        for o in m.history.ops() {
            (o.client, o.seq, o.op, o.ret.map(|r| r.1), &o.after).hash(h);
        }
        m.linearizable.hash(h);
    }
}

/// Requests answered so far, by `client` or by any (the store protocols share their clients).
fn answered(history: &crate::protocols::kv::History, client: Option<crate::sim::NodeId>) -> usize {
    history
        .ops()
        .filter(|o| {
            o.ret.is_some() && client.is_none_or(|c| c == crate::protocols::kv::client(o.client))
        })
        .count()
}

impl Teach for Pbft {
    const BUNDLED: &'static [(&'static str, &'static str)] = super::bundled::PBFT;
    const FAMILY: crate::lesson::model::Family = crate::lesson::model::Family::Store;
    /// `primary` and `view`: the highest view a live replica is in, and its primary;
    /// `holders:N`: the replicas prepared (or further) at slot N.
    fn run_fact(
        world: &World<Self>,
        name: &str,
        arg: Option<&str>,
        zh: bool,
    ) -> Result<Option<String>, String> {
        use crate::protocols::pbft::describe::{Stage, cert_rows, view_figures};
        let figures = view_figures(world);
        match name {
            "primary" => Ok(Some(figures.primary.to_string())),
            "view" => Ok(Some(figures.view.to_string())),
            "holders" => {
                let slot = super::facts::index_arg(arg)? as usize;
                let holders: Vec<String> = cert_rows(world)
                    .iter()
                    .filter(|r| {
                        r.cells
                            .get(slot - 1)
                            .is_some_and(|c| c.stage >= Stage::Prepared)
                    })
                    .map(|r| r.replica.to_string())
                    .collect();
                Ok(super::facts::some_names(&holders, zh))
            }
            _ => Err(super::facts::unknown(
                name,
                &["primary", "view", "holders:N"],
            )),
        }
    }

    fn invariants() -> &'static [&'static str] {
        &pbft::INVARIANTS
    }

    fn has_node(config: &pbft::Config, id: NodeId) -> bool {
        crate::protocols::kv::slot_of(config.servers, config.clients, id).is_some()
    }

    /// PBFT has views, not ballots: `Lost { ballot }` names none of its messages.
    fn msg_ballot(_msg: &pbft::Msg) -> Option<Ballot> {
        None
    }

    /// `Elected(S)`: S is the primary of the view it is in, and in it; `Committed(n)`: honest
    /// replicas committed every slot up to n; `Applied`: a replica executed up to a slot.
    fn fact(c: &Condition, world: &World<Pbft>) -> Option<bool> {
        let monitor = world.monitor();
        let p = world.protocol();
        let replica = |id: NodeId| match world.node(id).map(|s| &s.state) {
            Some(pbft::Node::Server(s)) => Some(&**s),
            _ => None,
        };
        Some(match c {
            Condition::Elected(who) => world.nodes().iter().any(|s| {
                s.up && who.is_none_or(|w| w == s.id)
                    && replica(s.id).is_some_and(|r| r.active && p.primary(r.view) == s.id.index)
            }),
            Condition::Committed(upto) => (1..=*upto).all(|slot| {
                monitor
                    .committed
                    .get(slot as usize - 1)
                    .is_some_and(|c| c.is_some())
            }),
            Condition::Applied { server: who, upto } => world.nodes().iter().any(|s| {
                who.is_none_or(|w| w == s.id) && replica(s.id).is_some_and(|r| r.executed >= *upto)
            }),
            Condition::Answered { client, at_least } => {
                answered(&monitor.history, *client) >= *at_least as usize
            }
            _ => return None,
        })
    }

    /// The requests the lesson's own actions make are all a student may send.
    fn student_requests(_lesson: &Lesson<Pbft>, _out: &mut Vec<crate::protocols::kv::Op>) {}

    fn lies_arrive_at_once(world: &World<Pbft>) -> bool {
        crate::sim::canon::Canonical::lies_arrive_at_once(world.protocol())
    }

    fn lint_key(world: &World<Pbft>, h: &mut DefaultHasher) {
        for s in world.nodes() {
            s.state.hash(h);
        }
        let m = world.monitor();
        for c in m.committed.iter() {
            c.map(|(entry, view, _step)| (entry, view)).hash(h);
        }
        for e in m.executed.iter() {
            e.map(|(entry, _step)| entry).hash(h);
        }
        for o in m.history.ops() {
            (o.client, o.seq, o.op, o.ret.map(|r| r.1), &o.after).hash(h);
        }
        m.linearizable.hash(h);
    }
}
