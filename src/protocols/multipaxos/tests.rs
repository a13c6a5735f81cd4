//! Multi-Paxos by hand: a leader elected by the first request, one round trip per command after,
//! failover, catch-up, retries answered from the table, and each flaw caught.

use super::*;
use crate::protocols::ids::Value;
use crate::protocols::kv::Output;
use crate::sim::{Knobs, Scheduler};

fn v(s: &str) -> Value {
    Value::new(s).unwrap()
}

fn world(flaws: &[Flaw]) -> MultiPaxosWorld {
    Config {
        flaws: flaws.to_vec(),
        ..Config::default()
    }
    .world()
}

/// Delivers messages in time order (no faults) until nothing is in flight; timers are left.
fn settle(w: &mut MultiPaxosWorld) {
    while let Some(e) = w.network().earliest().map(|e| e.id) {
        w.apply(&Action::Deliver(e)).unwrap();
    }
}

fn server_state(w: &MultiPaxosWorld, i: u8) -> &Server {
    match &w.node(server(i)).unwrap().state {
        Node::Server(s) => s,
        Node::Client(_) => panic!("not a server"),
    }
}

#[test]
fn the_first_request_elects_s1_and_every_replica_applies_it() {
    let mut w = world(&[]);
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    let s1 = server_state(&w, 1);
    assert!(s1.is_leader());
    assert_eq!(s1.store.kv.get(&v("x")), Some(&v("1")));
    assert_eq!(w.monitor().history.op(0).ret.map(|r| r.1), Some(Output::Ok));
    // The followers learn the slot from the next heartbeat's commit index.
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    for i in 2..=3 {
        assert_eq!(server_state(&w, i).applied, 1, "S{i} applied the slot");
    }
    assert!(w.violations().is_empty(), "{:?}", w.violations());
}

#[test]
fn a_stable_leader_spends_one_round_trip_per_command() {
    let mut w = world(&[]);
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    let before = w.network().stats.sent;
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("2"))))
        .unwrap();
    settle(&mut w);
    // Request, two Accepts, two Accepteds, Reply: no phase 1.
    assert_eq!(w.network().stats.sent - before, 6);
}

#[test]
fn after_the_leader_crashes_a_new_one_keeps_the_chosen_log() {
    let mut w = world(&[]);
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    w.apply(&Action::Crash(server(1))).unwrap();
    w.apply(&Action::Propose(client(2), Op::Get(v("x"))))
        .unwrap();
    // C2's request reaches the crashed S1 and is lost; C2 times out and tries S2, which
    // redirects it to S1 until S2's own election timer fires.
    let mut sched = Scheduler::new(3, Knobs::NONE);
    for _ in 0..200 {
        let Some(a) = sched.next(&w) else { break };
        w.apply(&a).unwrap();
        if w.monitor().history.ops().all(|o| o.ret.is_some()) {
            break;
        }
    }
    let get = &w.monitor().history.op(1);
    assert_eq!(get.ret.map(|r| r.1), Some(Output::Got(Some(v("1")))));
    assert!(w.violations().is_empty(), "{:?}", w.violations());
}

#[test]
fn random_faulty_schedules_keep_every_invariant() {
    random_faulty_schedules(200, Options::default());
}

/// With every option on, ten thousand schedules: Pre-Vote, CheckQuorum, ReadIndex reads, clocks
/// that drift by up to 10% and nodes that pause. The options change who may lead when and how
/// gets are answered, never what is safe, and every run still answers its clients.
#[test]
fn ten_thousand_random_faulty_schedules_with_every_option_on() {
    random_faulty_schedules(
        10_000,
        Options {
            pre_vote: true,
            check_quorum: true,
            reads: kv::Reads::ReadIndex,
            drift: 100,
            pause: 0.005,
        },
    );
}

/// Lease reads keep every invariant too while clocks keep time within the drift the lease's
/// margin covers and nobody pauses.
#[test]
fn ten_thousand_random_faulty_schedules_with_lease_reads_and_drifting_clocks() {
    random_faulty_schedules(
        10_000,
        Options {
            pre_vote: true,
            check_quorum: true,
            reads: kv::Reads::Lease,
            drift: 100,
            pause: 0.0,
        },
    );
}

#[derive(Clone, Copy, Default)]
struct Options {
    pre_vote: bool,
    check_quorum: bool,
    reads: kv::Reads,
    drift: u32,
    pause: f64,
}

fn random_faulty_schedules(seeds: u64, o: Options) {
    for seed in 0..seeds {
        let config = Config {
            seed,
            clients: 3,
            servers: 3 + (seed % 2) as u8 * 2,
            pre_vote: o.pre_vote,
            check_quorum: o.check_quorum,
            reads: o.reads,
            drift: o.drift,
            ..Config::default()
        };
        let mut w = config.world();
        for c in 1..=3 {
            for op in Workload::Mixed.ops(seed, c, 4) {
                w.apply(&Action::Propose(client(c), op)).unwrap();
            }
        }
        let knobs = Knobs {
            drop: 0.1,
            duplicate: 0.1,
            crash: 0.02,
            restart: 0.2,
            propose: 0.0,
            lie: 0.0,
            pause: o.pause,
        };
        let mut sched = Scheduler::new(seed, knobs);
        for _ in 0..3000 {
            let Some(a) = sched.next(&w) else { break };
            w.apply(&a).unwrap();
        }
        assert!(
            w.violations().is_empty(),
            "seed {seed}: {:?}",
            w.violations()
        );
        let answered = w
            .monitor()
            .history
            .ops()
            .filter(|o| o.ret.is_some())
            .count();
        assert!(answered > 0, "seed {seed}: no request was answered");
    }
}

/// Pre-Vote and CheckQuorum: a server cut off from the others never raises its ballot, and
/// healed it cannot depose the leader, whose followers still hear it; a leader cut off from
/// every follower steps down.
#[test]
fn pre_vote_and_check_quorum_keep_a_healed_server_from_deposing_the_leader() {
    let mut w = Config {
        pre_vote: true,
        check_quorum: true,
        ..Config::default()
    }
    .world();
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    let ballot = server_state(&w, 1).ballot().expect("S1 leads");
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    let cut = |w: &mut MultiPaxosWorld, heal: bool| {
        for other in [1, 2] {
            let a = if heal {
                Action::HealLink(server(3), server(other))
            } else {
                Action::CutLink(server(3), server(other))
            };
            w.apply(&a).unwrap();
        }
    };
    cut(&mut w, false);
    for _ in 0..5 {
        w.apply(&Action::Timeout(server(3))).unwrap();
        settle(&mut w);
    }
    assert!(matches!(
        server_state(&w, 3).lead,
        Lead::PreCandidate { .. }
    ));
    assert_eq!(server_state(&w, 3).max_round, 0, "no phase 1 started");
    cut(&mut w, true);
    w.apply(&Action::Timeout(server(3))).unwrap();
    settle(&mut w);
    assert_eq!(server_state(&w, 1).ballot(), Some(ballot), "S1 still leads");
    assert_eq!(server_state(&w, 2).promised, ballot);
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    assert_eq!(server_state(&w, 3).lead, Lead::Follower { leader: Some(1) });
    // Now S1 is cut off: it steps down within two checks (the first still counts the answers
    // from before the cut).
    for other in [2, 3] {
        w.apply(&Action::CutLink(server(1), server(other))).unwrap();
    }
    for _ in 0..6 {
        w.apply(&Action::Timeout(server(1))).unwrap();
        settle(&mut w);
    }
    assert!(!server_state(&w, 1).is_leader());
    assert!(w.violations().is_empty(), "{:?}", w.violations());
}

fn answers(w: &MultiPaxosWorld, c: u8) -> Vec<Output> {
    w.monitor()
        .history
        .ops()
        .filter(|o| o.client == c)
        .filter_map(|o| o.ret.map(|(_, out)| out))
        .collect()
}

/// Delivers messages in time order until none is in flight but those for `held`.
fn settle_except(w: &mut MultiPaxosWorld, held: NodeId) {
    while let Some(id) = w
        .network()
        .in_flight()
        .filter(|e| e.dst != held)
        .min_by_key(|e| (e.deliver_at, e.id))
        .map(|e| e.id)
    {
        w.apply(&Action::Deliver(id)).unwrap();
    }
}

/// Multi-Paxos's leases break the same way as Raft's: S1 holds a lease and pauses; S2 takes
/// the lead with a higher ballot and has C2's put of x=2 chosen; C1's get reaches S1 first, and
/// by S1's stopped clock its lease still holds. Under ReadIndex, S1's round meets the higher
/// ballot and S1 steps down without answering.
fn pause_the_leaseholder(reads: kv::Reads) -> MultiPaxosWorld {
    let mut w = Config {
        clients: 2,
        check_quorum: true,
        reads,
        timeout: 120,
        ..Config::default()
    }
    .world();
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    assert!(server_state(&w, 1).is_leader());
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    if let Lead::Leader { rounds, .. } = &server_state(&w, 1).lead
        && reads == kv::Reads::Lease
    {
        assert!(rounds.leased(w.clock(server(1)).local(w.now())));
    }
    w.apply(&Action::Pause(server(1), 500)).unwrap();
    for s in [3, 2, 2] {
        w.apply(&Action::Timeout(server(s))).unwrap();
    }
    settle_except(&mut w, server(1));
    assert!(server_state(&w, 2).is_leader());
    w.apply(&Action::Propose(client(2), Op::Put(v("x"), v("2"))))
        .unwrap();
    w.apply(&Action::Timeout(client(2))).unwrap();
    settle_except(&mut w, server(1));
    assert_eq!(answers(&w, 2), vec![Output::Ok]);
    w.apply(&Action::Propose(client(1), Op::Get(v("x"))))
        .unwrap();
    let get = w
        .network()
        .in_flight()
        .find(|e| e.src == client(1) && e.dst == server(1))
        .expect("C1 asks S1")
        .id;
    w.apply(&Action::Deliver(get)).unwrap();
    settle(&mut w);
    w
}

#[test]
fn a_paused_leaseholder_answers_a_stale_read_and_read_index_does_not() {
    let w = pause_the_leaseholder(kv::Reads::Lease);
    assert_eq!(answers(&w, 1), vec![Output::Ok, Output::Got(Some(v("1")))]);
    let found = w.first_violation().expect("a stale read");
    assert_eq!(found.invariant, "linearizable", "{}", found.detail);

    let w = pause_the_leaseholder(kv::Reads::ReadIndex);
    assert!(w.violations().is_empty(), "{:?}", w.violations());
    assert!(!server_state(&w, 1).is_leader());
    assert_eq!(answers(&w, 1), vec![Output::Ok]);
}

/// ReadIndex in Multi-Paxos: the get costs a round of heartbeats, not a slot.
#[test]
fn under_read_index_a_get_takes_no_slot() {
    let mut w = Config {
        clients: 1,
        reads: kv::Reads::ReadIndex,
        ..Config::default()
    }
    .world();
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    let slots = server_state(&w, 1).last_slot();
    w.apply(&Action::Propose(client(1), Op::Get(v("x"))))
        .unwrap();
    settle(&mut w);
    assert_eq!(answers(&w, 1), vec![Output::Ok, Output::Got(Some(v("1")))]);
    assert_eq!(server_state(&w, 1).last_slot(), slots);
    assert!(w.violations().is_empty(), "{:?}", w.violations());
}
