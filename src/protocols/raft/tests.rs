//! Raft by hand: an election, replication and commit, a leader's crash and its successor's
//! election, a follower's conflicting suffix truncated, and random faulty schedules that keep
//! every invariant; each flaw broken by hand where a schedule shows it.

use super::*;
use crate::protocols::ids::Value;
use crate::protocols::kv::Output;
use crate::sim::{Knobs, Scheduler};

fn v(s: &str) -> Value {
    Value::new(s).unwrap()
}

fn world(servers: u8, clients: u8, flaws: &[Flaw]) -> RaftWorld {
    Config {
        servers,
        clients,
        flaws: flaws.to_vec(),
        ..Config::default()
    }
    .world()
}

/// Delivers messages in time order (no faults) until nothing is in flight; timers are left.
fn settle(w: &mut RaftWorld) {
    while let Some(e) = w.network().earliest().map(|e| e.id) {
        w.apply(&Action::Deliver(e)).unwrap();
    }
}

fn state(w: &RaftWorld, i: u8) -> &Server {
    match &w.node(server(i)).unwrap().state {
        Node::Server(s) => s,
        Node::Client(_) => panic!("not a server"),
    }
}

fn invariants_hold(w: &RaftWorld) {
    assert!(w.violations().is_empty(), "{:?}", w.violations());
}

/// S1's timer fires: it asks for votes and wins term 1.
fn elect_s1(w: &mut RaftWorld) {
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(w);
}

#[test]
fn a_timeout_elects_a_leader_that_commits_and_answers_a_put() {
    let mut w = world(3, 1, &[]);
    elect_s1(&mut w);
    let s1 = state(&w, 1);
    assert!(s1.is_leader());
    assert_eq!(s1.term, 1);
    assert!(s1.log.is_empty(), "no no-op: the paper's core algorithm");
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    // The client asked S1 (its first guess), which leads: one round of AppendEntries commits.
    let s1 = state(&w, 1);
    assert_eq!(s1.commit, 1);
    assert_eq!(s1.store.kv.get(&v("x")), Some(&v("1")));
    assert_eq!(w.monitor().history.op(0).ret.map(|r| r.1), Some(Output::Ok));
    // Followers learn the commit index with the next AppendEntries.
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    for i in 2..=3 {
        assert_eq!(state(&w, i).applied, 1, "S{i} applied the put");
        assert_eq!(state(&w, i).log, state(&w, 1).log);
    }
    invariants_hold(&w);
}

#[test]
fn a_server_votes_once_per_term_and_only_for_an_up_to_date_log() {
    let mut w = world(3, 1, &[]);
    elect_s1(&mut w);
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    // S3 falls behind: crashed while S1 replicates one more entry to S2.
    w.apply(&Action::Crash(server(3))).unwrap();
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("2"))))
        .unwrap();
    settle(&mut w);
    w.apply(&Action::Crash(server(1))).unwrap();
    w.apply(&Action::Restart(server(3))).unwrap();
    // S3 campaigns with a shorter log: S2 refuses it.
    w.apply(&Action::Timeout(server(3))).unwrap();
    settle(&mut w);
    assert!(!state(&w, 3).is_leader(), "S2 refused an out-of-date log");
    // S2 campaigns next and wins (S3's log is not ahead of it).
    w.apply(&Action::Timeout(server(2))).unwrap();
    settle(&mut w);
    assert!(state(&w, 2).is_leader());
    assert!(state(&w, 2).term > 1);
    invariants_hold(&w);
}

#[test]
fn a_new_leader_truncates_a_followers_conflicting_suffix() {
    let mut w = world(3, 1, &[]);
    elect_s1(&mut w);
    // S1 appends a put that reaches nobody: the links to S2 and S3 are cut.
    w.apply(&Action::CutLink(server(1), server(2))).unwrap();
    w.apply(&Action::CutLink(server(1), server(3))).unwrap();
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("lost"))))
        .unwrap();
    settle(&mut w);
    assert_eq!(state(&w, 1).log.len(), 1, "uncommitted, on S1 alone");
    // S2 leads term 2 and commits a put of its own term; S1 rejoins and its [1] conflicts.
    w.apply(&Action::Timeout(server(2))).unwrap();
    settle(&mut w);
    assert!(state(&w, 2).is_leader());
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("kept"))))
        .unwrap();
    settle(&mut w);
    w.apply(&Action::Timeout(client(1))).unwrap();
    settle(&mut w);
    w.apply(&Action::HealLink(server(1), server(2))).unwrap();
    w.apply(&Action::HealLink(server(1), server(3))).unwrap();
    w.apply(&Action::Timeout(server(2))).unwrap();
    settle(&mut w);
    let s1 = state(&w, 1);
    assert!(!s1.is_leader());
    assert_eq!(s1.log, state(&w, 2).log, "S1's conflicting [1] replaced");
    assert_eq!(s1.log[0].term, 2);
    assert!(w.events().iter().all(|e| !matches!(e, Event::Violation(_))));
    invariants_hold(&w);
}

/// Ten thousand random schedules with every fault (1,000 steps each, 3 or 5 servers): no
/// invariant ever breaks, and the clients keep getting answers.
#[test]
fn ten_thousand_random_faulty_schedules_keep_every_invariant() {
    random_faulty_schedules(Options::default());
}

/// The same with every option on: Pre-Vote, CheckQuorum, ReadIndex reads, clocks that drift
/// by up to 10% and nodes that pause. The options change who may be elected when and how gets
/// are answered, never what is safe, and elections still happen (the clients keep getting
/// answers).
#[test]
fn ten_thousand_random_faulty_schedules_with_every_option_on() {
    random_faulty_schedules(Options {
        pre_vote: true,
        check_quorum: true,
        reads: kv::Reads::ReadIndex,
        drift: 100,
        pause: 0.005,
        changes: true,
    });
}

/// Lease reads keep every invariant too while clocks keep time within the drift the lease's
/// margin covers (10%) and nobody pauses.
#[test]
fn ten_thousand_random_faulty_schedules_with_lease_reads_and_drifting_clocks() {
    random_faulty_schedules(Options {
        pre_vote: true,
        check_quorum: true,
        reads: kv::Reads::Lease,
        drift: 100,
        pause: 0.0,
        changes: false,
    });
}

/// Configuration changes alone, one server at a time: five servers, three or four of them in
/// the first configuration, and now and then a client asks to add a spare or remove a member.
#[test]
fn ten_thousand_random_faulty_schedules_with_configuration_changes() {
    random_faulty_schedules(Options {
        changes: true,
        ..Options::default()
    });
}

#[derive(Clone, Copy, Default)]
struct Options {
    pre_vote: bool,
    check_quorum: bool,
    reads: kv::Reads,
    drift: u32,
    pause: f64,
    /// Five servers, a first configuration of three or four, and random changes.
    changes: bool,
}

fn random_faulty_schedules(o: Options) {
    let knobs = Knobs {
        drop: 0.1,
        duplicate: 0.05,
        crash: 0.01,
        restart: 0.2,
        propose: 0.05,
        lie: 0.0,
        pause: o.pause,
    };
    let (mut answered, mut changed) = (0, 0);
    for seed in 0..10_000 {
        let config = Config {
            servers: if o.changes {
                5
            } else {
                3 + (seed % 2) as u8 * 2
            },
            voters: if o.changes { 3 + (seed % 2) as u8 } else { 0 },
            clients: 2,
            seed,
            pre_vote: o.pre_vote,
            check_quorum: o.check_quorum,
            reads: o.reads,
            drift: o.drift,
            ..Config::default()
        };
        let mut w = config.world();
        let mut scheduler = Scheduler::new(seed, knobs);
        let mut rng = crate::sim::rng::Rng::new(seed ^ 0xC0F1_6000);
        for _ in 0..1000 {
            if o.changes && rng.below(100) == 0 {
                let n = rng.range(1, 5) as u8;
                let op = if rng.below(2) == 0 {
                    Op::AddServer(n)
                } else {
                    Op::RemoveServer(n)
                };
                // A client whose queue is full refuses it: nothing happens.
                let _ = w.apply(&Action::Propose(client(1 + rng.below(2) as u8), op));
            }
            let Some(a) = scheduler.next(&w) else { break };
            w.apply(&a).unwrap();
            if let Some(v) = w.first_violation() {
                panic!(
                    "seed {seed}: {} at step {}: {}",
                    v.invariant, v.step, v.detail
                );
            }
        }
        answered += w
            .monitor()
            .history
            .ops()
            .filter(|o| o.ret.is_some())
            .count();
        changed += w
            .monitor()
            .committed
            .iter()
            .filter(|e| matches!(e.entry, Entry::Cmd(c) if c.op.change().is_some()))
            .count();
    }
    assert!(answered > 50_000, "only {answered} answers in 10,000 runs");
    if o.changes {
        assert!(
            changed > 5_000,
            "only {changed} changes committed in 10,000 runs"
        );
    }
}

/// The first violation each flaw's random schedules run into, and the rule it names.
fn first_broken_rule(flaw: Flaw, knobs: Knobs, seeds: u64, steps: usize) -> Option<String> {
    for seed in 0..seeds {
        let config = Config {
            servers: 3,
            clients: 2,
            seed,
            flaws: vec![flaw],
            ..Config::default()
        };
        let mut w = config.world();
        let mut scheduler = Scheduler::new(seed, knobs);
        for _ in 0..steps {
            let Some(a) = scheduler.next(&w) else { break };
            w.apply(&a).unwrap();
            if let Some(v) = w.first_violation() {
                return Some(v.invariant.to_string());
            }
        }
    }
    None
}

#[test]
fn volatile_state_and_stale_reads_are_caught_by_random_schedules() {
    let faulty = Knobs {
        drop: 0.1,
        duplicate: 0.0,
        crash: 0.02,
        restart: 0.3,
        propose: 0.05,
        lie: 0.0,
        pause: 0.0,
    };
    assert_eq!(
        first_broken_rule(Flaw::VolatileState, faulty, 50, 3000).as_deref(),
        Some("terms-never-go-back")
    );
    let rule = first_broken_rule(Flaw::StaleRead, faulty, 100, 3000);
    assert_eq!(rule.as_deref(), Some("linearizable"));
}

/// `no-up-to-date-check`: a candidate missing committed entries wins, and leads without them.
#[test]
fn no_up_to_date_check_elects_a_leader_without_committed_entries() {
    let faulty = Knobs {
        drop: 0.2,
        duplicate: 0.0,
        crash: 0.03,
        restart: 0.3,
        propose: 0.1,
        lie: 0.0,
        pause: 0.0,
    };
    assert_eq!(
        first_broken_rule(Flaw::NoUpToDateCheck, faulty, 10, 2000).as_deref(),
        Some("leader-completeness")
    );
}

/// `vote-twice`: S3 votes for S1 and then for S2 in term 1; both lead term 1.
#[test]
fn vote_twice_elects_two_leaders_in_one_term() {
    let mut w = world(3, 0, &[Flaw::VoteTwice]);
    // S1 and S2 both time out into term 1 before hearing from each other.
    w.apply(&Action::Timeout(server(1))).unwrap();
    w.apply(&Action::Timeout(server(2))).unwrap();
    // Only the requests to S3 arrive: it grants both.
    let to_s3: Vec<_> = w
        .network()
        .in_flight()
        .filter(|e| e.dst == server(3))
        .map(|e| e.id)
        .collect();
    for m in to_s3 {
        w.apply(&Action::Deliver(m)).unwrap();
    }
    let votes: Vec<_> = w
        .network()
        .in_flight()
        .filter(|e| e.src == server(3))
        .map(|e| e.id)
        .collect();
    for m in votes {
        w.apply(&Action::Deliver(m)).unwrap();
    }
    assert!(state(&w, 1).is_leader() && state(&w, 2).is_leader());
    let v = w.first_violation().expect("two leaders of term 1");
    assert_eq!(v.invariant, "election-safety");
    // Correct Raft: S3's second request is refused.
    let mut w = world(3, 0, &[]);
    w.apply(&Action::Timeout(server(1))).unwrap();
    w.apply(&Action::Timeout(server(2))).unwrap();
    for _ in 0..2 {
        let ids: Vec<_> = w
            .network()
            .in_flight()
            .filter(|e| e.dst == server(3) || e.src == server(3))
            .map(|e| e.id)
            .collect();
        for m in ids {
            w.apply(&Action::Deliver(m)).unwrap();
        }
    }
    assert!(!(state(&w, 1).is_leader() && state(&w, 2).is_leader()));
    invariants_hold(&w);
}

/// Delivers the one message in flight from `from` to `to` whose text starts with `kind`.
fn deliver(w: &mut RaftWorld, from: NodeId, to: NodeId, kind: &str) {
    let id = w
        .network()
        .in_flight()
        .find(|e| e.src == from && e.dst == to && e.msg.to_string().starts_with(kind))
        .unwrap_or_else(|| panic!("no {kind} from {from} to {to} in flight"))
        .id;
    w.apply(&Action::Deliver(id)).unwrap();
}

/// Drops every message in flight from `from` (it reaches nobody).
fn drop_all_from(w: &mut RaftWorld, from: NodeId) {
    let ids: Vec<_> = w
        .network()
        .in_flight()
        .filter(|e| e.src == from)
        .map(|e| e.id)
        .collect();
    for id in ids {
        w.apply(&Action::Drop(id)).unwrap();
    }
}

/// The paper's Figure 8, five servers. S1 leads term 1 and gets C1's put to S2 only. S5 leads
/// term 2 with C2's put in the same index, and it reaches nobody. S1 leads term 3 and copies its
/// term-1 entry to S3: on a majority now. Under `commit-previous-term` S1 commits it by counting;
/// then S5, whose last entry is of a later term, is elected in term 4 without it and overwrites
/// it: a committed entry lost. Correct Raft does not commit it, and nothing breaks.
fn figure_8(flaws: &[Flaw]) -> RaftWorld {
    let (s1, s2, s3, s4, s5) = (server(1), server(2), server(3), server(4), server(5));
    let mut w = world(5, 2, flaws);
    // (a) S1 leads term 1.
    w.apply(&Action::Timeout(s1)).unwrap();
    for s in [s2, s3, s4, s5] {
        deliver(&mut w, s1, s, "RequestVote");
        deliver(&mut w, s, s1, "Vote");
    }
    assert!(state(&w, 1).is_leader());
    drop_all_from(&mut w, s1);
    // C1's put reaches S1, whose AppendEntries reaches S2 only.
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    deliver(&mut w, client(1), s1, "Request");
    deliver(&mut w, s1, s2, "AppendEntries");
    drop_all_from(&mut w, s1);
    drop_all_from(&mut w, s2);
    w.apply(&Action::Crash(s1)).unwrap();
    // (b) S5 leads term 2 with votes from S3 and S4 (S2's log is ahead of S5's: it refuses).
    w.apply(&Action::Timeout(s5)).unwrap();
    for s in [s2, s3, s4] {
        deliver(&mut w, s5, s, "RequestVote");
        deliver(&mut w, s, s5, "Vote");
    }
    drop_all_from(&mut w, s5);
    assert!(state(&w, 5).is_leader() && state(&w, 5).term == 2);
    // C2's put reaches S5 (its request goes to S1, crashed; after its timeout it asks S2, which
    // knows no leader, then S3, which S5's heartbeat taught who leads).
    w.apply(&Action::Timeout(s5)).unwrap();
    deliver(&mut w, s5, s3, "AppendEntries");
    drop_all_from(&mut w, s5);
    drop_all_from(&mut w, s3);
    w.apply(&Action::Propose(client(2), Op::Put(v("x"), v("2"))))
        .unwrap();
    drop_all_from(&mut w, client(2));
    w.apply(&Action::Timeout(client(2))).unwrap();
    drop_all_from(&mut w, client(2));
    w.apply(&Action::Timeout(client(2))).unwrap();
    deliver(&mut w, client(2), s3, "Request");
    deliver(&mut w, s3, client(2), "Redirect");
    deliver(&mut w, client(2), s5, "Request");
    assert_eq!(state(&w, 5).log.len(), 1, "S5's term-2 entry at [1]");
    drop_all_from(&mut w, s5);
    w.apply(&Action::Crash(s5)).unwrap();
    // (c) S1 is back and leads term 3 (term 2's votes are spent) with S2, S3 and S4.
    w.apply(&Action::Restart(s1)).unwrap();
    w.apply(&Action::Timeout(s1)).unwrap();
    drop_all_from(&mut w, s1);
    w.apply(&Action::Timeout(s1)).unwrap();
    for s in [s2, s3, s4] {
        deliver(&mut w, s1, s, "RequestVote");
        deliver(&mut w, s, s1, "Vote");
    }
    assert!(state(&w, 1).is_leader() && state(&w, 1).term == 3);
    // It copies its term-1 entry to S2 and S3 (S3 refuses the first AppendEntries, which
    // assumes it holds [1], and takes the retry): a majority holds it.
    deliver(&mut w, s1, s2, "AppendEntries");
    deliver(&mut w, s2, s1, "AppendReply");
    for _ in 0..2 {
        deliver(&mut w, s1, s3, "AppendEntries");
        deliver(&mut w, s3, s1, "AppendReply");
    }
    assert_eq!(state(&w, 3).log, state(&w, 1).log);
    drop_all_from(&mut w, s1);
    w.apply(&Action::Crash(s1)).unwrap();
    // (d) S5 is back; its last entry (term 2) is later than theirs (term 1): it wins term 4.
    w.apply(&Action::Restart(s5)).unwrap();
    w.apply(&Action::Timeout(s5)).unwrap();
    drop_all_from(&mut w, s5);
    w.apply(&Action::Timeout(s5)).unwrap();
    for s in [s2, s3, s4] {
        deliver(&mut w, s5, s, "RequestVote");
        deliver(&mut w, s, s5, "Vote");
    }
    assert!(state(&w, 5).is_leader());
    w
}

#[test]
fn figure_8_a_leader_that_commits_an_earlier_terms_entry_loses_it() {
    let w = figure_8(&[Flaw::CommitPreviousTerm]);
    let v = w.first_violation().expect("a committed entry lost");
    assert_eq!(v.invariant, "leader-completeness", "{}", v.detail);
    // Correct Raft: the term-1 entry was never committed, so S5 may replace it.
    let w = figure_8(&[]);
    invariants_hold(&w);
    assert!(w.monitor().committed.is_empty());
}

/// Leader completeness binds the leaders of terms after the one that committed an entry, not a
/// leader of an earlier term whose election merely finishes later: S2 wins term 1 on a vote sent
/// before S3 committed C1's put in term 2, and that is correct Raft.
#[test]
fn a_late_leader_of_an_earlier_term_owes_nothing_committed_after_its_term() {
    let (s1, s2, s3) = (server(1), server(2), server(3));
    let mut w = world(3, 1, &[]);
    w.apply(&Action::Timeout(s2)).unwrap();
    deliver(&mut w, s2, s1, "RequestVote"); // S1 votes for S2 in term 1; the vote waits
    w.apply(&Action::Timeout(s3)).unwrap(); // term 1: S1 already voted
    w.apply(&Action::Timeout(s3)).unwrap(); // term 2
    deliver(&mut w, s3, s1, "RequestVote(term 2");
    deliver(&mut w, s1, s3, "Vote(term 2");
    assert!(state(&w, 3).is_leader());
    deliver(&mut w, s3, s1, "AppendEntries"); // S1 learns who leads term 2
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    deliver(&mut w, client(1), s1, "Request");
    deliver(&mut w, s1, client(1), "Redirect");
    deliver(&mut w, client(1), s3, "Request");
    deliver(&mut w, s3, s1, "AppendEntries(term 2, [1]");
    deliver(&mut w, s1, s3, "AppendReply(term 2, ok up to [1]");
    assert_eq!(w.monitor().committed.len(), 1, "S3 committed [1] in term 2");
    deliver(&mut w, s1, s2, "Vote(term 1, granted");
    assert!(state(&w, 2).is_leader() && state(&w, 2).term == 1);
    invariants_hold(&w);
}

/// An entry of an earlier term that no client command of the new term follows still commits:
/// the new leader adds a no-op of its own term at its first heartbeat, and the client, whose
/// retries the log already held, gets its answer.
#[test]
fn a_new_leader_commits_an_earlier_terms_entry_through_a_no_op() {
    let (s1, s2, s3) = (server(1), server(2), server(3));
    let mut w = world(3, 1, &[]);
    w.apply(&Action::Timeout(s1)).unwrap();
    deliver(&mut w, s1, s2, "RequestVote");
    deliver(&mut w, s2, s1, "Vote");
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    deliver(&mut w, client(1), s1, "Request");
    deliver(&mut w, s1, s2, "AppendEntries(term 1, [1]");
    drop_all_from(&mut w, s2); // S1 never hears that S2 holds [1]
    w.apply(&Action::Crash(s1)).unwrap();
    w.apply(&Action::Timeout(s2)).unwrap();
    deliver(&mut w, s2, s3, "RequestVote(term 2");
    deliver(&mut w, s3, s2, "Vote(term 2, granted");
    assert!(state(&w, 2).is_leader());
    settle(&mut w);
    assert!(w.monitor().committed.is_empty(), "term 1's entry waits");
    w.apply(&Action::Timeout(s2)).unwrap(); // the first heartbeat
    assert_eq!(
        state(&w, 2).log.last().map(|e| (e.term, e.entry)),
        Some((2, Entry::Noop))
    );
    settle(&mut w);
    assert_eq!(w.monitor().committed.len(), 2);
    let answered = w
        .monitor()
        .history
        .ops()
        .filter(|o| o.ret.is_some())
        .count();
    assert_eq!(answered, 1, "C1 got its answer");
    invariants_hold(&w);
}

/// Figure 8 on three servers, with nothing dropped or crashed: messages merely wait. S1 leads
/// term 1 and takes C1's put; S2 leads term 2 (S3's vote) and takes the client's retry, in the
/// same index; S1 leads term 3 (S3's vote again) and copies its term-1 entry to S3: a majority.
/// Under `commit-previous-term` S1 commits it; S2, whose last entry is of term 2, then wins
/// term 4 with S3's vote, without it. This is the run the explorer's random walks look for.
fn figure_8_on_three_servers(flaws: &[Flaw]) -> RaftWorld {
    let (s1, s2, s3, c1) = (server(1), server(2), server(3), client(1));
    let mut w = world(3, 1, flaws);
    w.apply(&Action::Timeout(s1)).unwrap();
    deliver(&mut w, s1, s2, "RequestVote");
    deliver(&mut w, s2, s1, "Vote");
    w.apply(&Action::Propose(c1, Op::Put(v("x"), v("1"))))
        .unwrap();
    deliver(&mut w, c1, s1, "Request");
    assert_eq!(state(&w, 1).log.len(), 1);
    w.apply(&Action::Timeout(s2)).unwrap();
    deliver(&mut w, s2, s3, "RequestVote(term 2");
    deliver(&mut w, s3, s2, "Vote(term 2");
    assert!(state(&w, 2).is_leader());
    w.apply(&Action::Timeout(c1)).unwrap();
    deliver(&mut w, c1, s2, "Request");
    assert_eq!(state(&w, 2).log.len(), 1);
    deliver(&mut w, s2, s1, "RequestVote(term 2");
    w.apply(&Action::Timeout(s1)).unwrap();
    deliver(&mut w, s1, s3, "RequestVote(term 3");
    deliver(&mut w, s3, s1, "Vote(term 3");
    assert!(state(&w, 1).is_leader() && state(&w, 1).term == 3);
    while state(&w, 3).log.is_empty() {
        deliver(&mut w, s1, s3, "AppendEntries(term 3");
        deliver(&mut w, s3, s1, "AppendReply(term 3");
    }
    deliver(&mut w, s1, s2, "RequestVote(term 3");
    w.apply(&Action::Timeout(s2)).unwrap();
    deliver(&mut w, s2, s3, "RequestVote(term 4");
    deliver(&mut w, s3, s2, "Vote(term 4");
    assert!(state(&w, 2).is_leader() && state(&w, 2).term == 4);
    w
}

#[test]
fn figure_8_needs_only_three_servers_and_waiting_messages() {
    let w = figure_8_on_three_servers(&[Flaw::CommitPreviousTerm]);
    let v = w.first_violation().expect("a committed entry lost");
    assert_eq!(v.invariant, "leader-completeness", "{}", v.detail);
    let w = figure_8_on_three_servers(&[]);
    invariants_hold(&w);
    assert!(w.monitor().committed.is_empty());
}

/// A world with both election options on (and no client).
fn guarded(servers: u8) -> RaftWorld {
    Config {
        servers,
        clients: 0,
        pre_vote: true,
        check_quorum: true,
        ..Config::default()
    }
    .world()
}

fn cut_off(w: &mut RaftWorld, s: u8) {
    for other in (1..=w.protocol().servers).filter(|&o| o != s) {
        w.apply(&Action::CutLink(server(s), server(other))).unwrap();
    }
}

/// Pre-Vote: a server cut off from the others keeps timing out, and its term stays where it
/// was; healed, it cannot win a Pre-Vote against servers that hear their leader, and the
/// leader keeps its term.
#[test]
fn under_pre_vote_a_cut_off_server_never_raises_its_term_nor_deposes_the_leader() {
    let mut w = guarded(3);
    elect_s1(&mut w);
    assert!(state(&w, 1).is_leader() && state(&w, 1).term == 1);
    // A heartbeat: the followers now count S1 as their live leader.
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    cut_off(&mut w, 3);
    for _ in 0..5 {
        w.apply(&Action::Timeout(server(3))).unwrap();
        settle(&mut w);
    }
    assert_eq!(
        state(&w, 3).term,
        1,
        "Pre-Vote never raises a term by itself"
    );
    assert!(matches!(state(&w, 3).role, Role::PreCandidate { .. }));
    for other in [1, 2] {
        w.apply(&Action::HealLink(server(3), server(other)))
            .unwrap();
    }
    // S3 asks again: S1 leads and S2 hears it, so both refuse.
    w.apply(&Action::Timeout(server(3))).unwrap();
    settle(&mut w);
    assert_eq!(state(&w, 3).term, 1);
    assert!(state(&w, 1).is_leader() && state(&w, 1).term == 1);
    // The next heartbeat brings S3 back as a follower of S1.
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    assert_eq!(state(&w, 3).role, Role::Follower { leader: Some(1) });
    invariants_hold(&w);
}

/// Leader stickiness (under CheckQuorum): a RequestVote of a higher term reaching a server that
/// hears its leader changes nothing there, not even its term; once the server's own election
/// timeout's lower end passes without its leader, it votes again.
#[test]
fn a_server_that_hears_its_leader_ignores_a_request_for_votes() {
    let mut w = Config {
        servers: 3,
        clients: 0,
        check_quorum: true,
        ..Config::default()
    }
    .world();
    elect_s1(&mut w);
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    // S3 campaigns for term 2 (no Pre-Vote here); S2 ignores it.
    w.apply(&Action::Timeout(server(3))).unwrap(); // its leader no longer counts as live
    w.apply(&Action::Timeout(server(3))).unwrap(); // it campaigns
    deliver(&mut w, server(3), server(2), "RequestVote");
    assert_eq!(state(&w, 2).term, 1);
    assert!(w.events().iter().any(|e| matches!(
        e,
        Event::Note {
            note: Note::IgnoredVote {
                candidate: 3,
                term: 2,
                leader: Some(1)
            },
            ..
        }
    )));
    invariants_hold(&w);
}

/// CheckQuorum: a leader cut off from every follower hears nobody for an election timeout's
/// worth of heartbeats, and steps down.
#[test]
fn under_check_quorum_a_leader_cut_off_from_a_majority_steps_down() {
    let mut w = guarded(3);
    elect_s1(&mut w);
    cut_off(&mut w, 1);
    // The first check still counts the answers to its first AppendEntries, before the cut; the
    // second finds only itself.
    for _ in 0..6 {
        assert!(state(&w, 1).is_leader());
        w.apply(&Action::Timeout(server(1))).unwrap();
        settle(&mut w);
    }
    assert!(!state(&w, 1).is_leader());
    assert!(w.events().iter().any(|e| matches!(
        e,
        Event::Note {
            note: Note::LostQuorum { term: 1, heard: 1 },
            ..
        }
    )));
    // A leader that hears its followers does not.
    let mut w = guarded(3);
    elect_s1(&mut w);
    for _ in 0..9 {
        w.apply(&Action::Timeout(server(1))).unwrap();
        settle(&mut w);
        assert!(state(&w, 1).is_leader());
    }
    invariants_hold(&w);
}

/// A world whose leader answers gets off the log, with CheckQuorum (leases need it). Its
/// timeout is long enough that a lease (three quarters of it) outlasts a put's round trips.
fn reading(reads: kv::Reads, clients: u8) -> RaftWorld {
    Config {
        servers: 3,
        clients,
        check_quorum: true,
        reads,
        timeout: 120,
        ..Config::default()
    }
    .world()
}

/// Delivers messages in time order until none is in flight but those for `held`.
fn settle_except(w: &mut RaftWorld, held: NodeId) {
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

fn log_holds_a_get(s: &Server) -> bool {
    s.log
        .iter()
        .any(|e| matches!(e.entry, Entry::Cmd(c) if matches!(c.op, Op::Get(_))))
}

fn returned(w: &RaftWorld, c: u8) -> Vec<Output> {
    w.monitor()
        .history
        .ops()
        .filter(|o| o.client == c)
        .filter_map(|o| o.ret.map(|(_, out)| out))
        .collect()
}

/// ReadIndex: a get waits for a round of heartbeats a majority answers, then is answered from
/// the leader's store; the log never holds it.
#[test]
fn under_read_index_a_get_is_answered_after_a_round_and_never_enters_the_log() {
    let mut w = reading(kv::Reads::ReadIndex, 1);
    elect_s1(&mut w);
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    w.apply(&Action::Propose(client(1), Op::Get(v("x"))))
        .unwrap();
    // The get reaches S1, which sends a round of heartbeats and answers nothing yet.
    deliver(&mut w, client(1), server(1), "Request");
    assert!(
        w.events()
            .iter()
            .all(|e| !matches!(e, Event::Sent(env) if env.dst == client(1)))
    );
    let round = w
        .events()
        .iter()
        .find_map(|e| match e {
            Event::Sent(env) => match env.msg {
                Msg::AppendEntries { round, .. } => Some(round),
                _ => None,
            },
            _ => None,
        })
        .expect("a round of heartbeats");
    assert_eq!(round, 1);
    settle(&mut w);
    assert_eq!(returned(&w, 1), vec![Output::Ok, Output::Got(Some(v("1")))]);
    assert!(!log_holds_a_get(state(&w, 1)));
    assert!(w.monitor().linearizable);
    invariants_hold(&w);
}

/// Lease: a leader whose round a majority answered answers a get at once, sending nothing to
/// the other servers.
#[test]
fn under_a_lease_the_leader_answers_a_get_alone() {
    let mut w = reading(kv::Reads::Lease, 1);
    elect_s1(&mut w);
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    // A heartbeat's round renews the lease.
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    w.apply(&Action::Propose(client(1), Op::Get(v("x"))))
        .unwrap();
    deliver(&mut w, client(1), server(1), "Request");
    let sent: Vec<NodeId> = w
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Sent(env) => Some(env.dst),
            _ => None,
        })
        .collect();
    assert_eq!(sent, vec![client(1)], "the answer alone");
    assert!(w.events().iter().any(|e| matches!(
        e,
        Event::Note {
            note: Note::AnsweredRead { lease: true, .. },
            ..
        }
    )));
    settle(&mut w);
    assert_eq!(returned(&w, 1), vec![Output::Ok, Output::Got(Some(v("1")))]);
    invariants_hold(&w);
}

/// The pause that makes a lease lie: S1 holds a lease and pauses; S2 and S3 wait out their
/// election timeouts, elect S2, which commits C2's put of x=2; C1's get then reaches S1 first.
/// S1's clock stopped with it, so by its clock the lease still holds: it answers x=1, a read
/// that no order of the operations explains. Under ReadIndex the same run is harmless: S1's
/// round reaches servers of a later term, which depose it.
fn pause_the_leaseholder(reads: kv::Reads) -> RaftWorld {
    let mut w = reading(reads, 2);
    elect_s1(&mut w);
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    // A heartbeat renews the lease (a new round, under a lease) just before the pause.
    w.apply(&Action::Timeout(server(1))).unwrap();
    settle(&mut w);
    if reads == kv::Reads::Lease {
        let Role::Leader { rounds, .. } = &state(&w, 1).role else {
            panic!("S1 leads");
        };
        assert!(rounds.leased(w.clock(server(1)).local(w.now())));
    }
    w.apply(&Action::Pause(server(1), 500)).unwrap();
    assert!(w.is_paused(server(1)));
    // S2 and S3 wait out S1's silence (their clocks run on), then S2 campaigns and wins.
    for s in [3, 2, 2] {
        w.apply(&Action::Timeout(server(s))).unwrap();
    }
    settle_except(&mut w, server(1));
    assert!(state(&w, 2).is_leader() && state(&w, 2).term == 2);
    // C2 asks S1 (its first guess, paused), times out and asks S2, which commits x=2.
    w.apply(&Action::Propose(client(2), Op::Put(v("x"), v("2"))))
        .unwrap();
    w.apply(&Action::Timeout(client(2))).unwrap();
    settle_except(&mut w, server(1));
    assert_eq!(returned(&w, 2), vec![Output::Ok]);
    // C1, which last heard S1, asks it for x; the get is the first thing S1 reads on waking.
    w.apply(&Action::Propose(client(1), Op::Get(v("x"))))
        .unwrap();
    deliver(&mut w, client(1), server(1), "Request");
    settle(&mut w);
    w
}

#[test]
fn a_paused_leaseholder_answers_a_stale_read_and_read_index_does_not() {
    let w = pause_the_leaseholder(kv::Reads::Lease);
    assert_eq!(returned(&w, 1), vec![Output::Ok, Output::Got(Some(v("1")))]);
    let v = w.first_violation().expect("a stale read");
    assert_eq!(v.invariant, "linearizable", "{}", v.detail);
    assert!(
        w.clock(server(1)).local(w.now()) + 500 == w.now(),
        "S1's clock is 500 ticks behind"
    );

    let w = pause_the_leaseholder(kv::Reads::ReadIndex);
    invariants_hold(&w);
    assert!(!state(&w, 1).is_leader(), "S1's round found a later term");
    assert_eq!(
        returned(&w, 1),
        vec![Output::Ok],
        "the get is not answered by S1"
    );
}

/// Under lease reads a restarted server votes for nobody until its election timeout's lower end
/// has passed: before its crash it may have promised a leader its vote for that long.
#[test]
fn under_lease_reads_a_restarted_server_waits_before_it_votes() {
    let mut w = reading(kv::Reads::Lease, 0);
    elect_s1(&mut w);
    w.apply(&Action::Crash(server(2))).unwrap();
    w.apply(&Action::Restart(server(2))).unwrap();
    assert!(state(&w, 2).waking);
    w.apply(&Action::Timeout(server(3))).unwrap(); // S1 no longer counts as live at S3
    w.apply(&Action::Timeout(server(3))).unwrap(); // S3 campaigns for term 2
    deliver(&mut w, server(3), server(2), "RequestVote");
    assert_eq!(state(&w, 2).term, 1, "ignored: no term taken, no vote");
    assert!(w.events().iter().any(|e| matches!(
        e,
        Event::Note {
            note: Note::IgnoredVote { leader: None, .. },
            ..
        }
    )));
    invariants_hold(&w);
}

fn members_world(servers: u8, voters: u8, flaws: &[Flaw]) -> RaftWorld {
    Config {
        servers,
        voters,
        clients: 2,
        flaws: flaws.to_vec(),
        ..Config::default()
    }
    .world()
}

/// The configuration a server uses, as a list of server numbers.
fn config_of(w: &RaftWorld, i: u8) -> Vec<u8> {
    let m = w.protocol().members(state(w, i));
    (1..=w.protocol().servers)
        .filter(|k| m & 1 << (k - 1) != 0)
        .collect()
}

#[test]
fn a_server_joins_one_at_a_time_after_an_entry_of_the_leaders_term() {
    let mut w = members_world(5, 3, &[]);
    elect_s1(&mut w);
    assert_eq!(config_of(&w, 1), [1, 2, 3]);
    assert_eq!(
        state(&w, 4).term,
        0,
        "S4 is outside: nobody asked it to vote"
    );
    w.apply(&Action::Propose(client(1), Op::AddServer(4)))
        .unwrap();
    w.apply(&Action::Propose(client(2), Op::AddServer(5)))
        .unwrap();
    settle(&mut w);
    // A fresh leader first commits a no-op of its term, then one change, then the next.
    let s1 = state(&w, 1);
    let entries: Vec<String> = s1.log.iter().map(|e| e.entry.to_string()).collect();
    assert_eq!(entries, ["no-op", "add S4", "add S5"], "{entries:?}");
    assert_eq!(s1.commit, 3);
    for i in 1..=5 {
        assert_eq!(config_of(&w, i), [1, 2, 3, 4, 5], "S{i}");
    }
    assert_eq!(state(&w, 5).log.len(), 3, "S5 caught up from the leader");
    assert_eq!(returned(&w, 1), [Output::Ok]);
    assert_eq!(returned(&w, 2), [Output::Ok]);
    invariants_hold(&w);
}

#[test]
fn a_leader_that_removes_itself_steps_down_once_it_is_committed_and_campaigns_no_more() {
    let mut w = members_world(3, 0, &[]);
    elect_s1(&mut w);
    w.apply(&Action::Propose(client(1), Op::Put(v("x"), v("1"))))
        .unwrap();
    settle(&mut w);
    w.apply(&Action::Propose(client(1), Op::RemoveServer(1)))
        .unwrap();
    settle(&mut w);
    let s1 = state(&w, 1);
    assert!(!s1.is_leader(), "S1 left the configuration it leads");
    assert_eq!(config_of(&w, 2), [2, 3]);
    // Its election timer fires: outside its configuration, it asks nobody for votes.
    w.apply(&Action::Timeout(server(1))).unwrap();
    assert_eq!(state(&w, 1).term, 1);
    assert!(w.network().in_flight().all(|e| e.src != server(1)));
    // S2 wins with S3 alone: a majority of two.
    w.apply(&Action::Timeout(server(2))).unwrap();
    settle(&mut w);
    assert!(state(&w, 2).is_leader());
    invariants_hold(&w);
}

#[test]
fn under_naive_swap_two_leaders_are_elected_in_one_term() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/raft/naive-swap.ron"
    );
    let (trace, _) =
        crate::trace::load_as::<Raft>(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"));
    let mut w = trace.config.world();
    for a in &trace.actions {
        w.apply(a).unwrap();
    }
    let rules: Vec<&str> = w.violations().iter().map(|v| v.invariant).collect();
    assert_eq!(rules, ["leader-completeness", "election-safety"]);
    // S3 counts the old three, S5 the new five: majorities {S2, S3} and {S1, S4, S5}.
    assert_eq!(config_of(&w, 3), [1, 2, 3]);
    assert_eq!(config_of(&w, 5), [1, 2, 3, 4, 5]);
}
