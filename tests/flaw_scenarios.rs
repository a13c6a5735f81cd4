//! Each flaw has a hand-written scenario in tests/scenarios/ that breaks Agreement (or, for the
//! learner flaw, agreement among learners). Replaying the same actions on correct Paxos must not
//! break anything: the rule the flaw removes is exactly what stops it.

use std::path::Path;

use paxos_lab::protocols::paxos::Flaw;
use paxos_lab::trace;

struct Expect {
    flaw: Flaw,
    first: (&'static str, u64),
    /// The agreement-style violation the scenario exists to show.
    breaks: (&'static str, u64),
}

const SCENARIOS: &[Expect] = &[
    Expect {
        flaw: Flaw::IgnorePromisedValue,
        first: ("agreement", 14),
        breaks: ("agreement", 14),
    },
    Expect {
        flaw: Flaw::AcceptLowerBallot,
        first: ("accept-respects-promise", 11),
        breaks: ("agreement", 14),
    },
    Expect {
        flaw: Flaw::MinorityQuorum,
        first: ("agreement", 8),
        breaks: ("agreement", 8),
    },
    Expect {
        flaw: Flaw::Amnesia,
        first: ("promise-monotonic", 9),
        breaks: ("agreement", 16),
    },
    Expect {
        flaw: Flaw::ReuseBallot,
        first: ("one-value-per-ballot", 10),
        breaks: ("agreement", 14),
    },
    Expect {
        flaw: Flaw::LearnerMixesBallots,
        first: ("learned-is-chosen", 20),
        breaks: ("learners-agree", 29),
    },
];

fn scenario_path(flaw: Flaw) -> String {
    format!(
        "{}/tests/scenarios/{}.ron",
        env!("CARGO_MANIFEST_DIR"),
        flaw.name()
    )
}

#[test]
fn every_flaw_has_a_scenario_that_breaks_agreement() {
    assert_eq!(SCENARIOS.len(), Flaw::ALL.len());
    for e in SCENARIOS {
        let path = scenario_path(e.flaw);
        let (t, text) = trace::load(Path::new(&path)).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(t.config.flaws, vec![e.flaw]);
        let r = trace::replay(Path::new(&path), &text, &t).unwrap_or_else(|err| panic!("{err}"));
        let found: Vec<(&str, u64)> = r
            .world
            .violations()
            .iter()
            .map(|v| (v.invariant, v.step))
            .collect();
        assert_eq!(found.first(), Some(&e.first), "{}: {found:?}", e.flaw);
        assert!(found.contains(&e.breaks), "{}: {found:?}", e.flaw);
        assert_eq!(r.world.step(), t.actions.len() as u64);
    }
}

#[test]
fn the_same_actions_cannot_break_correct_paxos() {
    for e in SCENARIOS {
        let path = scenario_path(e.flaw);
        let (mut t, _) = trace::load(Path::new(&path)).unwrap();
        t.config.flaws.clear();
        let mut world = t.config.world();
        // Without the flaw the run takes another course and some later actions name messages
        // that are never sent; play as far as the actions still apply.
        let mut applied = 0;
        for a in &t.actions {
            if world.apply(a).is_err() {
                break;
            }
            applied += 1;
        }
        assert!(applied > 3, "{}: only {applied} actions applied", e.flaw);
        assert_eq!(world.violations(), &[], "{} without the flaw", e.flaw);
    }
}

#[test]
fn a_violation_names_the_nodes_ballots_and_values() {
    let path = scenario_path(Flaw::IgnorePromisedValue);
    let (t, text) = trace::load(Path::new(&path)).unwrap();
    let r = trace::replay(Path::new(&path), &text, &t).unwrap();
    let v = r.world.first_violation().unwrap();
    assert_eq!(
        v.detail,
        "two values were chosen: \"A\" in ballot 1.1 by A1 A2 at step 8, and \"B\" in ballot 1.2 by A2 A3 at step 14"
    );
    let chosen = r.outcome.chosen.unwrap();
    assert_eq!((chosen.value.as_str(), chosen.step), ("A", 8));
}
