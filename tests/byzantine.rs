//! Byzantine nodes: a node the config marks Byzantine follows the rules but may also lie (send
//! any message of its protocol's alphabet), and the monitor judges only the honest nodes. One
//! lying acceptor among three breaks single-decree Paxos, and the explorer finds how.

use std::process::Command;

use paxos_lab::explore::{self, Bounds, Options, Progress, Verdict};
use paxos_lab::protocols::paxos::{Action, Config, Msg, PaxosWorld, acceptor, learner, proposer};
use paxos_lab::protocols::{Ballot, Value};
use paxos_lab::sim::{ActionError, Event, NodeId};
use paxos_lab::trace;

fn liar_cluster(liar: NodeId) -> Config {
    Config {
        proposers: 2,
        acceptors: 3,
        learners: 1,
        byzantine: vec![liar],
        ..Config::default()
    }
}

fn search(config: &Config, symmetry: bool) -> explore::PaxosSearch {
    let options = Options {
        bounds: Bounds {
            ballots: 1,
            ..Bounds::default()
        },
        symmetry,
        threads: 2,
        ..Options::default()
    };
    explore::explore_paxos(config, &options, &Progress::default()).expect("the search runs")
}

#[test]
fn with_any_one_acceptor_lying_the_explorer_breaks_paxos_and_the_run_replays() {
    for i in 1..=3 {
        let config = liar_cluster(acceptor(i));
        let s = search(&config, false);
        let Verdict::Violation { violation, actions } = &s.report.verdict else {
            panic!("A{i}: {:?}", s.report.verdict);
        };
        assert!(
            ["agreement", "validity"].contains(&violation.invariant),
            "A{i}: {violation:?}"
        );
        // The run needs a lie: honest Paxos is safe within the same bounds.
        assert!(
            actions
                .iter()
                .any(|a| matches!(a, Action::Lie { from, .. } if *from == acceptor(i))),
            "A{i}: {actions:?}"
        );
        // It replays from its file, byte for byte, to the same violation.
        let text = s.counterexample.as_ref().expect("a trace").to_ron();
        let (t, replay) = trace::parse_and_replay(std::path::Path::new("liar.ron"), &text)
            .expect("the counterexample replays");
        assert_eq!(t.to_ron(), text);
        let first = replay.world.first_violation().expect("a violation");
        assert_eq!(first.invariant, violation.invariant);
        // Symmetry keeps the liar apart from the honest acceptors and finds a run as short.
        let sym = search(&config, true);
        let Verdict::Violation { actions: again, .. } = &sym.report.verdict else {
            panic!("A{i} with symmetry: {:?}", sym.report.verdict);
        };
        assert_eq!(again.len(), actions.len(), "A{i}");
        assert!(sym.report.unique_states < s.report.unique_states, "A{i}");
    }
    let honest = Config {
        byzantine: Vec::new(),
        ..liar_cluster(acceptor(1))
    };
    assert_eq!(search(&honest, false).report.verdict, Verdict::Safe);
}

/// Delivers the one message in flight from `src` to `dst` that `pick` accepts.
fn deliver(w: &mut PaxosWorld, src: NodeId, dst: NodeId, pick: impl Fn(&Msg) -> bool) {
    let id = w
        .network()
        .in_flight()
        .find(|e| e.src == src && e.dst == dst && pick(&e.msg))
        .map(|e| e.id)
        .unwrap_or_else(|| panic!("nothing from {src} to {dst} in flight"));
    w.apply(&Action::Deliver(id)).unwrap();
}

#[test]
fn an_acceptor_that_hides_its_vote_lets_two_values_be_decided() {
    // A2 votes for "A" in ballot 1.1, then promises ballot 1.2 claiming it never voted: P2 is
    // free to propose its own "B", and A2 (honestly, now) votes for it too. Two quorums that
    // meet only in the liar decide two values.
    let config = Config {
        learners: 2,
        ..liar_cluster(acceptor(2))
    };
    let mut w = config.world();
    let (p1, p2, a1, a2, a3) = (
        proposer(1),
        proposer(2),
        acceptor(1),
        acceptor(2),
        acceptor(3),
    );
    let any = |_: &Msg| true;
    w.apply(&Action::Propose(p1, Value::new("A").unwrap()))
        .unwrap();
    for a in [a1, a2] {
        deliver(&mut w, p1, a, any);
        deliver(&mut w, a, p1, any);
    }
    for a in [a1, a2] {
        deliver(&mut w, p1, a, |m| matches!(m, Msg::Accept { .. }));
        deliver(&mut w, a, learner(1), any);
    }
    assert!(w.violations().is_empty());
    w.apply(&Action::Propose(p2, Value::new("B").unwrap()))
        .unwrap();
    for a in [a2, a3] {
        deliver(&mut w, p2, a, any);
    }
    let b12 = Ballot::new(1, 2);
    w.apply(&Action::Lie {
        from: a2,
        to: p2,
        msg: Msg::Promise {
            ballot: b12,
            accepted: None,
        },
    })
    .unwrap();
    // The lie is a message like any other, and marked as a lie; the honest promise is not.
    let [Event::Sent(lie)] = w.events() else {
        panic!("{:?}", w.events())
    };
    assert!(w.is_lie(lie.id));
    let honest = w
        .network()
        .in_flight()
        .find(|e| e.src == a2 && e.dst == p2 && e.id != lie.id);
    assert!(!w.is_lie(honest.expect("A2's own promise").id));
    deliver(&mut w, a2, p2, |m| {
        *m == Msg::Promise {
            ballot: b12,
            accepted: None,
        }
    });
    deliver(&mut w, a3, p2, any);
    for a in [a2, a3] {
        deliver(&mut w, p2, a, |m| matches!(m, Msg::Accept { .. }));
        deliver(&mut w, a, learner(2), |m| m.ballot() == b12);
    }
    let v = w.first_violation().expect("the honest learners disagree");
    assert_eq!(v.invariant, "agreement");
    assert!(
        v.detail.contains("L1 decided \"A\"") && v.detail.contains("L2 decided \"B\""),
        "{}",
        v.detail
    );
}

#[test]
fn only_a_byzantine_node_may_lie_and_only_with_a_message_its_role_sends() {
    let mut honest = Config::default().world();
    let lie = Action::Lie {
        from: acceptor(2),
        to: proposer(1),
        msg: Msg::Promise {
            ballot: Ballot::new(1, 1),
            accepted: None,
        },
    };
    assert_eq!(
        honest.apply(&lie),
        Err(ActionError::NotByzantine(acceptor(2)))
    );
    assert!(honest.lies().is_empty());
    let mut w = liar_cluster(acceptor(2)).world();
    let prepare = Action::Lie {
        from: acceptor(2),
        to: acceptor(1),
        msg: Msg::Prepare {
            ballot: Ballot::new(1, 1),
        },
    };
    let e = w.apply(&prepare).unwrap_err().to_string();
    assert!(e.contains("no node of its role sends that message"), "{e}");
    assert_eq!(w.step(), 0, "a refused lie changes nothing");
    // A liar that has seen nothing has nothing to lie about; after a Prepare it has.
    assert!(w.lies().is_empty());
    w.apply(&Action::Propose(proposer(1), Value::new("A").unwrap()))
        .unwrap();
    deliver(&mut w, proposer(1), acceptor(2), |_| true);
    let lies = w.lies();
    assert!(lies.contains(&Action::Lie {
        from: acceptor(2),
        to: learner(1),
        msg: Msg::Accepted {
            ballot: Ballot::new(1, 1),
            value: Value::new("B").unwrap(),
        },
    }));
    for l in &lies {
        assert!(w.check(l).is_ok(), "{l}");
    }
}

#[test]
fn a_config_with_a_bad_byzantine_list_is_refused_with_its_reason() {
    for (protocol, list, says) in [
        ("paxos", vec!["A4"], "no node A4"),
        ("paxos", vec!["A1", "A1"], "listed twice"),
        ("paxos", vec!["L1"], "a learner sends no messages"),
        ("raft", vec!["C1"], "clients are trusted"),
        ("multipaxos", vec!["S4"], "no node S4"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
            .args(["simulate", "--steps", "5", "--protocol", protocol])
            .args(list.iter().flat_map(|id| ["--byzantine", id]))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{list:?}: {err}");
        assert!(err.contains(says), "{list:?}: {err}");
    }
    let text = "(version: 2, protocol: \"paxos\", config: (byzantine: [\"A7\"]), actions: [])";
    let e = trace::parse(std::path::Path::new("t.ron"), text, false).unwrap_err();
    assert!(e.to_string().starts_with("t.ron:1:"), "{e}");
    assert!(e.to_string().contains("no node A7"), "{e}");
}

#[test]
fn a_run_with_random_lies_is_the_same_every_time_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let path = dir.path().join(name);
        let out = Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
            .args([
                "simulate",
                "--byzantine",
                "A2",
                "--lie",
                "0.2",
                "--steps",
                "200",
            ])
            .args(["--seed", "7", "--propose", "0.05", "--out"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
        (path.clone(), std::fs::read_to_string(path).unwrap())
    };
    let ((path, a), (_, b)) = (run("a.ron"), run("b.ron"));
    assert_eq!(a, b);
    assert!(a.matches("Lie(from: \"A2\"").count() >= 3, "{a}");
    let replay = Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .arg("replay")
        .arg(&path)
        .output()
        .unwrap();
    // 0 or 1 (the liar may have broken a rule), never 3 (diverged).
    assert!(replay.status.code().is_some_and(|c| c <= 1), "{replay:?}");
}

/// One lying server among three, searched as "Can this break?" plans it (the liar's budget
/// raised as it needs): a counterexample that needs a lie and replays from its file to the same
/// violation. (Honest clusters are proved safe within their bounds by tests/multipaxos.rs and
/// tests/raft.rs.)
fn store_liar_breaks<P: explore::StoreSearch>(config: P::Config, expected: &[&str]) {
    use paxos_lab::explore::ask::{StoreAsk, store_plan};
    let plan = store_plan::<P>(&config, StoreAsk::default());
    let search = plan.search::<P>(&Progress::default()).unwrap();
    let Verdict::Violation { violation, actions } = &search.report.verdict else {
        panic!("{}: {:?}", P::NAME, search.report.unique_states);
    };
    assert!(
        expected.contains(&violation.invariant),
        "{}: {violation:?}",
        P::NAME
    );
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, paxos_lab::sim::Action::Lie { .. })),
        "{}: a lie is needed",
        P::NAME
    );
    let text = search.counterexample.as_ref().unwrap().to_ron();
    let (_, replay) = trace::parse_and_replay_as::<P>(std::path::Path::new("liar.ron"), &text)
        .expect("the counterexample replays");
    assert_eq!(
        replay.world.first_violation().map(|v| v.invariant),
        Some(violation.invariant)
    );
}

#[test]
fn one_lying_server_breaks_multipaxos_and_raft_and_the_runs_replay() {
    use paxos_lab::protocols::{multipaxos, raft};
    for liar in [1, 2, 3] {
        store_liar_breaks::<multipaxos::MultiPaxos>(
            multipaxos::Config {
                byzantine: vec![multipaxos::server(liar)],
                ..Default::default()
            },
            &["agreement", "state-machine-safety"],
        );
        store_liar_breaks::<raft::Raft>(
            raft::Config {
                byzantine: vec![raft::server(liar)],
                ..Default::default()
            },
            &["election-safety"],
        );
    }
}

#[test]
fn a_lying_server_speaks_only_as_a_server() {
    use paxos_lab::protocols::kv::{ClientMsg, Op, Output};
    use paxos_lab::protocols::raft::{self, Msg};
    let mut w = raft::Config {
        byzantine: vec![raft::server(2)],
        ..Default::default()
    }
    .world();
    let (s2, s1, c1) = (raft::server(2), raft::server(1), raft::client(1));
    let lie = |to, msg| raft::Action::Lie { from: s2, to, msg };
    let vote = Msg::Vote {
        term: 1,
        granted: true,
    };
    let reply = Msg::Client(ClientMsg::Reply {
        seq: 1,
        output: Output::Ok,
    });
    let request = Msg::Client(ClientMsg::Request {
        seq: 1,
        op: Op::Get(Value::new("x").unwrap()),
    });
    assert!(w.check(&lie(s1, vote.clone())).is_ok());
    assert!(w.check(&lie(c1, reply.clone())).is_ok());
    for (to, msg) in [(s1, request), (c1, vote), (s1, reply)] {
        let e = w.apply(&lie(to, msg)).unwrap_err().to_string();
        assert!(e.contains("no server sends that message"), "{e}");
    }
    assert_eq!(w.step(), 0);
}
