//! The world running Paxos: the engine's rules (refused actions, latency, losses, duplicates,
//! crashes, timers) checked with the protocol they were written for.

use crate::protocols::paxos::{self, Action, Config, Msg, Node, PaxosWorld, Phase, Value};
use crate::sim::world::{Event, LossCause};
use crate::sim::{MsgId, NodeId};

const P1: NodeId = paxos::proposer(1);
const A1: NodeId = paxos::acceptor(1);

fn world() -> PaxosWorld {
    Config {
        learners: 1,
        ..Config::default()
    }
    .world()
}

fn a(value: &str) -> Value {
    Value::new(value).unwrap()
}

/// The in-flight message from `src` to `dst`.
fn msg(w: &PaxosWorld, src: NodeId, dst: NodeId) -> MsgId {
    w.network()
        .in_flight()
        .find(|e| e.src == src && e.dst == dst)
        .unwrap()
        .id
}

#[test]
fn a_refused_action_changes_nothing() {
    let mut w = world();
    w.apply(&Action::Propose(P1, a("A"))).unwrap();
    let before = w.state_hash();
    for bad in [
        Action::Deliver(MsgId(99)),
        Action::Restart(A1),
        Action::Timeout(paxos::proposer(2)),
        Action::Propose(A1, a("A")),
        Action::Crash(paxos::acceptor(9)),
        Action::CutLink(A1, A1),
        Action::HealLink(P1, A1),
    ] {
        assert!(w.apply(&bad).is_err(), "{bad} should be refused");
        assert_eq!(w.state_hash(), before, "{bad} changed the state");
    }
    assert_eq!(w.step(), 1);
}

#[test]
fn delivery_moves_the_clock_to_the_arrival_time() {
    let mut w = world();
    w.apply(&Action::Propose(P1, a("A"))).unwrap();
    let env = *w.network().in_flight().next().unwrap();
    assert!(
        (5..=15).contains(&env.deliver_at),
        "latency from the config range"
    );
    w.apply(&Action::Deliver(env.id)).unwrap();
    assert_eq!(w.now(), env.deliver_at);
    assert!(matches!(w.events()[0], Event::Delivered(e) if e.id == env.id));
}

#[test]
fn messages_to_a_crashed_node_or_over_a_cut_link_are_lost() {
    let mut w = world();
    w.apply(&Action::Propose(P1, a("A"))).unwrap();
    let to_a1 = msg(&w, P1, A1);
    let to_a2 = msg(&w, P1, paxos::acceptor(2));
    w.apply(&Action::Crash(A1)).unwrap();
    w.apply(&Action::Deliver(to_a1)).unwrap();
    assert!(matches!(
        w.events()[0],
        Event::Lost {
            cause: LossCause::DestinationCrashed,
            ..
        }
    ));
    w.apply(&Action::CutLink(paxos::acceptor(2), P1)).unwrap();
    w.apply(&Action::Deliver(to_a2)).unwrap();
    assert!(matches!(
        w.events()[0],
        Event::Lost {
            cause: LossCause::LinkCut,
            ..
        }
    ));
    assert_eq!(w.network().stats.dropped, 2);
    assert_eq!(w.network().stats.delivered, 0);
}

#[test]
fn a_duplicate_is_a_second_copy_with_its_own_id() {
    let mut w = world();
    w.apply(&Action::Propose(P1, a("A"))).unwrap();
    let m = msg(&w, P1, A1);
    w.apply(&Action::Duplicate(m)).unwrap();
    let copies: Vec<_> = w.network().in_flight().filter(|e| e.dst == A1).collect();
    assert_eq!(copies.len(), 2);
    assert_ne!(copies[0].id, copies[1].id);
    assert_eq!(copies[0].msg, copies[1].msg);
    assert_eq!(w.network().stats.duplicated, 1);
}

#[test]
fn a_crash_stops_the_timer_and_a_restarted_proposer_forgets_its_attempt() {
    let mut w = world();
    w.apply(&Action::Propose(P1, a("A"))).unwrap();
    assert!(w.node(P1).unwrap().timer.is_some());
    w.apply(&Action::Crash(P1)).unwrap();
    assert!(w.node(P1).unwrap().timer.is_none());
    assert!(w.apply(&Action::Timeout(P1)).is_err());
    w.apply(&Action::Restart(P1)).unwrap();
    let Node::Proposer(p) = &w.node(P1).unwrap().state else {
        panic!()
    };
    assert_eq!(p.phase, Phase::Idle);
    assert_eq!(p.max_round, 1, "its highest round is durable");
}

#[test]
fn a_timeout_retries_with_a_higher_ballot() {
    let mut w = world();
    w.apply(&Action::Propose(P1, a("A"))).unwrap();
    w.apply(&Action::Timeout(P1)).unwrap();
    assert_eq!(w.now(), 60, "the clock jumps to the deadline");
    let prepares: Vec<Msg> = w
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Sent(env) => Some(env.msg),
            _ => None,
        })
        .collect();
    assert_eq!(prepares.len(), 3);
    assert!(prepares.iter().all(|m| m.to_string() == "Prepare(2.1)"));
}

#[test]
fn the_happy_path_chooses_then_learns() {
    let mut w = world();
    w.apply(&Action::Propose(P1, a("A"))).unwrap();
    let mut chosen_step = None;
    while let Some(e) = w.network().earliest().copied() {
        w.apply(&Action::Deliver(e.id)).unwrap();
        for ev in w.events() {
            if let Event::Note { node: None, .. } = ev {
                chosen_step = Some(w.step());
            }
        }
    }
    let chosen = w.monitor().chosen[0];
    assert_eq!(chosen.value, a("A"));
    assert_eq!(Some(chosen.step), chosen_step);
    let Node::Learner(l) = &w.node(paxos::learner(1)).unwrap().state else {
        panic!()
    };
    let learned = l.learned.unwrap();
    assert_eq!(learned.value, a("A"));
    assert!(learned.step > chosen.step, "chosen before anyone learns it");
    assert!(w.violations().is_empty());
}
