//! "Can this break?" always answers (issue 24, item 7): from each protocol's default sandbox
//! with any one flaw switched on and the window's default bounds, the plan the window makes
//! (`explore::ask`, raised to what the flaw needs) finds a violation of a rule. How long each
//! takes is measured by `cargo bench` (`can_this_break`), not here.

// Tests run on the desktop: the threads and clocks banned for the page are fine here.
#![allow(clippy::disallowed_methods)]

#[allow(dead_code)]
mod common;

use paxos_lab::explore::ask::{StoreAsk, paxos_plan, store_plan};
use paxos_lab::explore::{self, Bounds, Progress, Verdict};
use paxos_lab::protocols::multipaxos::{self, MultiPaxos};
use paxos_lab::protocols::paxos;
use paxos_lab::protocols::raft::{self, Raft};

fn words<R>(verdict: &Verdict<R>) -> String {
    match verdict {
        Verdict::Safe => "SAFE".into(),
        Verdict::Violation { violation, .. } => violation.invariant.into(),
        Verdict::Cancelled => "cancelled".into(),
        Verdict::Limit(l) => format!("stopped at {l:?}"),
    }
}

fn broken<R>(verdict: &Verdict<R>) -> Option<&'static str> {
    match verdict {
        Verdict::Violation { violation, .. } => Some(violation.invariant),
        _ => None,
    }
}

fn store_flaw<P: explore::StoreSearch>(config: P::Config, flaw: &str) {
    let plan = store_plan::<P>(&config, StoreAsk::default());
    let t = std::time::Instant::now();
    let search = plan.search::<P>(&Progress::default()).unwrap();
    let r = &search.report;
    eprintln!(
        "{} {flaw}: {:?} after {} states, {:.1} s; notes {:?}",
        P::NAME,
        broken(&r.verdict),
        r.unique_states,
        t.elapsed().as_secs_f64(),
        plan.notes
    );
    assert!(
        broken(&r.verdict).is_some() && search.counterexample.is_some(),
        "{} with {flaw}: {:?} after {} states",
        P::NAME,
        words(&r.verdict),
        r.unique_states
    );
}

#[test]
fn every_multipaxos_flaw_breaks_a_rule_from_the_default_sandbox() {
    for flaw in multipaxos::Flaw::ALL {
        let config = multipaxos::Config {
            flaws: vec![flaw],
            ..Default::default()
        };
        store_flaw::<MultiPaxos>(config, flaw.name());
    }
}

#[test]
fn every_raft_flaw_breaks_a_rule_from_the_default_sandbox() {
    for flaw in raft::Flaw::ALL {
        let config = raft::Config {
            flaws: vec![flaw],
            ..Default::default()
        };
        store_flaw::<Raft>(config, flaw.name());
    }
}

#[test]
fn every_paxos_flaw_breaks_a_rule_from_the_default_sandbox() {
    // The Paxos window's bounds: one ballot each, symmetry on.
    let bounds = Bounds {
        ballots: 1,
        ..Bounds::default()
    };
    for flaw in paxos::Flaw::ALL {
        let config = paxos::Config {
            flaws: vec![flaw],
            ..Default::default()
        };
        let (options, notes) = paxos_plan(&config, bounds, true);
        let s = explore::explore_paxos(&config, &options, &Progress::default()).unwrap();
        eprintln!(
            "paxos {}: {:?} after {} states; notes {notes:?}",
            flaw.name(),
            broken(&s.report.verdict),
            s.report.unique_states
        );
        assert!(
            broken(&s.report.verdict).is_some(),
            "paxos with {}: {:?}",
            flaw.name(),
            words(&s.report.verdict)
        );
    }
}

/// The lecturer's demonstration: the default Multi-Paxos sandbox with `stale-read` switched on,
/// "Can this break?", Search: a counterexample (it used to search 2.5 million states, 50 s, and
/// find nothing, the workload's first requests being puts only).
#[test]
fn the_window_finds_a_stale_read_in_the_default_multipaxos_sandbox() {
    use egui_kittest::kittest::Queryable;
    let config = multipaxos::Config {
        flaws: vec![multipaxos::Flaw::StaleRead],
        ..Default::default()
    };
    let session = paxos_lab::session::Session::new(config, paxos_lab::sim::Knobs::default());
    let mut app =
        paxos_lab::ui::multipaxos::MultiPaxosApp::new(session, paxos_lab::ui::i18n::Lang::En);
    app.fixed_time = Some(0.0);
    let mut h = common::window_harness(
        app,
        |ui, a: &mut paxos_lab::ui::multipaxos::MultiPaxosApp| a.ui(ui),
    );
    h.run();
    h.get_by_label("Can this break?…").click();
    h.run();
    common::search_until_broken(&mut h);
    h.get_by_label_contains("It can break: linearizability");
    h.get_by_label_contains("Each client puts, then gets");
}
