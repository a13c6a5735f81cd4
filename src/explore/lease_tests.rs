//! The search's clock (`Times`) under lease reads: the stale lease read is in the model, it
//! replays in the world, and a pause within the lease's margin breaks nothing.

use super::*;
use crate::protocols::kv::{Reads, Workload};
use crate::protocols::raft::{Config, Raft};

/// The shortest stale lease read we know under the search's hand-over of every operation at the
/// start (each client puts, gets, puts again): a get breaks linearizability only once it is
/// invoked after a put it cannot be ordered before, which takes a second put by C2.
const STALE_LEASE_READ: &[&str] = &[
    "Timeout(S1)",
    "S1->S2 RequestVote",
    "S2->S1 Vote",
    // S1's first heartbeats are a round; S2's answer confirms it: a lease of 45 ticks.
    "S1->S2 AppendEntries(term 1, after [0], heartbeat",
    "S2->S1 AppendReply(term 1, ok up to [0]",
    "C2->S1 Request(request 1: put x=B)",
    "C1->S1 Request(request 1: put x=A)",
    "S1->S2 AppendEntries(term 1, [1]..[2]",
    "S2->S1 AppendReply(term 1, ok up to [2]",
    // C2 puts B, then reads A under the lease: A is ordered after B.
    "S1->C2 Reply(request 1",
    "C2->S1 Request(request 2: get x)",
    "S1->C2 Reply(request 2: \"A\")",
    // The leaseholder stops; S2 gives up on it, campaigns and wins with S3's vote.
    "Pause(S1)",
    "Timeout(S2)",
    "Timeout(S2)",
    "S2->S3 RequestVote",
    "S3->S2 Vote",
    // C2's second put (B again, invoked after it read A) commits under S2.
    "Timeout(C2)",
    "C2->S2 Request(request 3: put x=B)",
    "S2->S3 AppendEntries(term 2, after [2], heartbeat",
    "S3->S2 AppendReply(term 2, retry from [1]",
    "S2->S3 AppendEntries(term 2, [1]..[3]",
    "S3->S2 AppendReply(term 2, ok up to [3]",
    "S2->C2 Reply(request 3",
    // Only now does C1 learn its put is done and ask S1, which wakes still trusting its lease.
    "S1->C1 Reply(request 1",
    "C1->S1 Request(request 2: get x)",
    "S1->C1 Reply(request 2: \"A\")",
];

fn search(pause_ticks: u32) -> crate::explore::Exploration<Raft> {
    let config = Config {
        check_quorum: true,
        reads: Reads::Lease,
        clients: 2,
        latency: (0, 0),
        workload: Workload::PutGet,
        ..Config::default()
    };
    let mut options = crate::explore::Options::default();
    options.bounds.pauses = 1;
    options.bounds.pause_ticks = pause_ticks;
    crate::explore::prepare_store_protocol::<Raft>(&config, Workload::PutGet, 3, &options)
        .expect("a search")
}

fn describe(space: &Space<Raft>, step: Step) -> String {
    let name = |slot: u8| space.roster[slot as usize].to_string();
    match step {
        Step::Deliver(code) => {
            let (src, dst, msg) = parts(code);
            let msg = space.protocol.decode_msg(msg, &space.values);
            format!("{}->{} {msg}", space.roster[src], space.roster[dst])
        }
        Step::Timeout(k) => format!("Timeout({})", name(k)),
        Step::Pause(k) => format!("Pause({})", name(k)),
        other => format!("{other:?}"),
    }
}

/// Follows `script` (each entry the start of a step's description) from the search's start,
/// returning the steps and the violation each made, and the descriptions of what the state after
/// the last one offers. Panics naming the step when one is not enabled.
fn follow(
    space: &Space<Raft>,
    script: &[&str],
) -> (Vec<Step>, Vec<Option<Violation>>, Vec<String>) {
    let mut s = space.scratch();
    let mut state = space.initial();
    let (mut steps, mut violations) = (Vec::new(), Vec::new());
    for (depth, want) in script.iter().enumerate() {
        let mut found = None;
        space.expand(&state, depth as u64 + 1, &mut s, |step, next, v| {
            if describe(space, step).starts_with(want) {
                found = Some((step, next.to_vec(), v.cloned()));
                return false;
            }
            true
        });
        let (step, next, v) = found.unwrap_or_else(|| panic!("step {}: no {want}", depth + 1));
        steps.push(step);
        violations.push(v);
        state = next;
    }
    let mut offered = Vec::new();
    space.expand(&state, script.len() as u64 + 1, &mut s, |step, _, _| {
        offered.push(describe(space, step));
        true
    });
    (steps, violations, offered)
}

#[test]
fn a_pause_past_the_margin_gives_a_stale_lease_read_that_replays_in_the_world() {
    let search = search(180);
    let (steps, violations, _) = follow(&search.space, STALE_LEASE_READ);
    let last = violations.len() - 1;
    assert!(violations[..last].iter().all(Option::is_none));
    let v = violations[last]
        .as_ref()
        .expect("the stale read breaks a rule");
    assert_eq!(v.invariant, "linearizable");
    assert!(v.detail.contains("C1 get x returned \"A\""), "{}", v.detail);

    let mut world = search.world.clone();
    let actions = search
        .space
        .to_actions(&steps, &mut world)
        .expect("it replays");
    assert_eq!(actions.len(), steps.len());
    assert!(actions.contains(&Action::Pause(crate::protocols::kv::server(1), 180)));
    let replayed = world.first_violation().expect("the world sees it too");
    assert_eq!(replayed.invariant, "linearizable");
}

#[test]
fn a_pause_within_the_margin_leaves_the_lease_read_fresh() {
    // The lease runs 45 of the 60-tick election timeout: a follower gives up on S1 no sooner than
    // 60 ticks after its last heartbeat, so a pause of 10 ticks cannot outlast the margin.
    let search = search(10);
    let upto = STALE_LEASE_READ.len() - 1;
    let (_, violations, offered) = follow(&search.space, &STALE_LEASE_READ[..upto]);
    assert!(violations.iter().all(Option::is_none));
    // S1 woke to a lease that had run out by its own clock: it holds the get for a round of
    // heartbeats instead of answering it, and that round cannot be confirmed under term 1.
    assert!(
        !offered
            .iter()
            .any(|d| d.starts_with("S1->C1 Reply(request 2")),
        "{offered:?}"
    );
}

#[test]
fn time_moves_only_with_timers_and_waking_nodes() {
    let search = search(180);
    let (steps, _, _) = follow(&search.space, &STALE_LEASE_READ[..14]);
    let mut s = search.space.scratch();
    let mut state = search.space.initial();
    let mut times = Vec::new();
    for (depth, step) in steps.iter().enumerate() {
        search.space.decode(&state, &mut s);
        search.space.take(&state, depth as u64 + 1, &mut s, *step);
        state = search.space.concrete(&s).to_vec();
        search.space.decode(&state, &mut s);
        times.push(s.times.now);
    }
    // Deliveries take no time; S1's election timer and S2's follower timer move the clock.
    assert!(times[1..13].iter().all(|&t| t == times[0]));
    assert_eq!(
        times[13],
        times[0] + 60,
        "S2 gives up on S1 one election timeout on"
    );
    // The pause put S1's clock 180 behind and its timer 180 later.
    assert_eq!(s.times.behind[0], 180);
    assert_eq!(s.times.paused_until[0], times[0] + 180);
}
