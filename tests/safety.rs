//! Safety of correct Paxos under every kind of fault: random schedules (proptest) and long
//! seeded faulty runs. The monitor checks every invariant after every step, so "no violation"
//! here means no step of any of these runs broke any rule.

use paxos_lab::cli::simulate;
use paxos_lab::protocols::paxos;
use paxos_lab::protocols::paxos::{Action, Config, Flaw, PaxosWorld, Value};
use paxos_lab::sim::Knobs;
use proptest::prelude::*;

/// Turns one random number into an action: first a kind of action (weighted so deliveries
/// dominate, as in a real network), then one of the enabled actions of that kind.
fn pick(world: &PaxosWorld, choice: u32) -> Option<Action> {
    let value = Value::letter_for((choice % 3 + 1) as u8);
    let enabled = world.enabled_actions(&value);
    let kind = |a: &Action| match a {
        Action::Deliver(_) => 0,
        Action::Drop(_) => 1,
        Action::Duplicate(_) => 2,
        Action::Crash(_) => 3,
        Action::Restart(_) => 4,
        Action::Timeout(_) => 5,
        Action::CutLink(..) => 6,
        Action::HealLink(..) => 7,
        Action::Lie { .. } | Action::Pause(..) => 9,
        Action::Propose(..) => 8,
    };
    let wanted = match choice % 100 {
        0..=54 => 0,
        55..=64 => 1,
        65..=71 => 2,
        72..=77 => 3,
        78..=84 => 4,
        85..=89 => 5,
        90..=93 => 6,
        94..=96 => 7,
        _ => 8,
    };
    let too_busy = world.network().in_flight_count() > 150;
    let of_kind: Vec<&Action> = enabled
        .iter()
        .filter(|a| kind(a) == wanted && !(too_busy && wanted == 2))
        .collect();
    let pool: Vec<&Action> = if of_kind.is_empty() {
        // Nothing of that kind: deliver something, or failing that, anything.
        let deliveries: Vec<&Action> = enabled.iter().filter(|a| kind(a) == 0).collect();
        if deliveries.is_empty() {
            enabled.iter().collect()
        } else {
            deliveries
        }
    } else {
        of_kind
    };
    pool.get((choice / 100) as usize % pool.len().max(1))
        .map(|a| **a)
}

fn cluster() -> impl Strategy<Value = Config> {
    (
        1u8..=3,
        1u8..=5,
        1u8..=2,
        any::<u64>(),
        any::<bool>(),
        0u8..=4,
    )
        .prop_map(|(proposers, acceptors, learners, seed, flexible, shift)| {
            // Flexible quorums that still intersect: q1 + q2 = n + 1.
            let (q1, q2) = if flexible && acceptors > 1 {
                let q1 = 1 + shift % acceptors;
                (Some(q1), Some(acceptors + 1 - q1))
            } else {
                (None, None)
            };
            Config {
                proposers,
                acceptors,
                learners,
                q1,
                q2,
                seed,
                ..Config::default()
            }
        })
}

fn run_schedule(config: &Config, schedule: &[u32]) -> PaxosWorld {
    let mut world = config.world();
    for p in 1..=config.proposers {
        world
            .apply(&Action::Propose(paxos::proposer(p), Value::letter_for(p)))
            .unwrap();
    }
    for &c in schedule {
        let Some(a) = pick(&world, c) else { break };
        world.apply(&a).unwrap();
    }
    world
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn correct_paxos_never_violates_safety_under_random_faults(
        config in cluster(),
        schedule in prop::collection::vec(any::<u32>(), 1..120),
    ) {
        let world = run_schedule(&config, &schedule);
        prop_assert!(
            world.violations().is_empty(),
            "{:?} after {:?}", world.violations(), schedule
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_run_is_a_function_of_its_config_and_actions(
        config in cluster(),
        schedule in prop::collection::vec(any::<u32>(), 1..80),
    ) {
        let a = run_schedule(&config, &schedule);
        let b = run_schedule(&config, &schedule);
        prop_assert_eq!(a.state_hash(), b.state_hash());
    }
}

/// The random schedules above are strong enough to find real bugs: with a flaw switched on,
/// the same search finds a violation.
#[test]
fn the_random_schedules_do_catch_a_broken_protocol() {
    let mut rng = paxos_lab::sim::rng::Rng::new(5);
    for flaw in [
        Flaw::IgnorePromisedValue,
        Flaw::MinorityQuorum,
        Flaw::AcceptLowerBallot,
    ] {
        let found = (0..20_000).any(|_| {
            let config = Config {
                acceptors: 3,
                flaws: vec![flaw],
                seed: rng.next_u64(),
                ..Config::default()
            };
            let schedule: Vec<u32> = (0..60).map(|_| rng.next_u64() as u32).collect();
            !run_schedule(&config, &schedule).violations().is_empty()
        });
        assert!(found, "no schedule broke Paxos with {flaw}");
    }
}

#[test]
fn one_hundred_fifty_faulty_runs_of_correct_paxos_are_all_safe() {
    let knobs = Knobs {
        drop: 0.2,
        duplicate: 0.1,
        crash: 0.05,
        ..Knobs::default()
    };
    let mut chose = 0;
    for seed in 1..=150 {
        let config = Config {
            proposers: 3,
            acceptors: 5,
            seed,
            ..Config::default()
        };
        let trace = simulate(&config, knobs, 1000);
        let outcome = trace.outcome.unwrap();
        assert!(
            outcome.violation.is_none(),
            "seed {seed}: {:?}",
            outcome.violation
        );
        if outcome.chosen.is_some() {
            chose += 1;
        }
    }
    // Faults slow Paxos down but most runs still choose a value: the runs do real work.
    assert!(chose >= 100, "only {chose} of 150 runs chose a value");
}
