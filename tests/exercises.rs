//! Exercises mean what their task says: a shortcut is not a solution, another correct answer is,
//! and a lesson injects no fault its file does not ask for.

use paxos_lab::protocols::paxos::Paxos;
use std::path::Path;

use paxos_lab::lesson::{self, Lesson, Step};
use paxos_lab::protocols::paxos::MsgKind;
use paxos_lab::protocols::paxos::{Action, PaxosWorld};
use paxos_lab::session::{Command, Session};
use paxos_lab::sim::{Knobs, NodeId};
use paxos_lab::trace::StepEvents;
use paxos_lab::ui::views::lesson_panel::LessonPanel;

fn bundled(name: &str) -> Lesson<Paxos> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("lessons")
        .join(name);
    lesson::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// The world at the start of the lesson's first exercise, on its reference path, and the goal.
fn at_exercise(l: &Lesson<Paxos>) -> (PaxosWorld, lesson::Condition) {
    let script = lesson::script(l).unwrap();
    let i = l
        .steps
        .iter()
        .position(|s| matches!(s, Step::Exercise(_)))
        .unwrap();
    let Step::Exercise(e) = &l.steps[i] else {
        unreachable!()
    };
    let mut w = l.config.world();
    for a in &script.actions[..script.spans[i].0 as usize] {
        w.apply(a).unwrap();
    }
    (w, e.goal.clone())
}

/// Applies `actions`, returning whether the goal held after any of them.
fn play(w: &mut PaxosWorld, goal: &lesson::Condition, actions: &[Action]) -> bool {
    let mut since: Vec<StepEvents<Paxos>> = Vec::new();
    let mut met = false;
    for a in actions {
        w.apply(a).unwrap_or_else(|e| panic!("{a}: {e}"));
        since.push(w.events().into());
        met |= goal.holds(w, &since);
    }
    met
}

/// The in-flight message of `kind` to `dst`.
fn msg(w: &PaxosWorld, kind: MsgKind, dst: &str) -> Action {
    let dst: NodeId = dst.parse().unwrap();
    let e = w
        .network()
        .in_flight()
        .find(|e| e.msg.kind() == kind && e.dst == dst)
        .unwrap_or_else(|| panic!("no {kind:?} to {dst} in flight"));
    Action::Deliver(e.id)
}

#[test]
fn lesson_3_is_not_solved_by_delivering_the_first_accepts() {
    let l = bundled("03-lost-messages.ron");
    let (mut w, goal) = at_exercise(&l);
    let a1 = msg(&w, MsgKind::Accept, "A1");
    let a2 = msg(&w, MsgKind::Accept, "A2");
    assert!(
        !play(&mut w, &goal, &[a1, a2]),
        "\"A\" chosen in 1.1 is not the task"
    );
    assert!(!w.monitor().chosen.is_empty(), "the shortcut did choose A");
}

#[test]
fn lesson_3_needs_the_drops_and_the_timeout_not_just_a_new_ballot() {
    let l = bundled("03-lost-messages.ron");
    let (mut w, goal) = at_exercise(&l);
    // Fire the timeout without dropping anything: the old Accepts are still in flight.
    let mut actions = vec![Action::Timeout("P1".parse().unwrap())];
    let before = play(&mut w, &goal, &actions);
    assert!(!before);
    for dst in ["A1", "A2"] {
        actions = vec![msg(&w, MsgKind::Prepare, dst)];
        play(&mut w, &goal, &actions);
    }
    assert!(!goal.holds_now(&w), "no Accept was dropped");
}

#[test]
fn lesson_2_accepts_bringing_back_any_acceptor() {
    let l = bundled("02-majorities.ron");
    for back in ["A3", "A4", "A5"] {
        let (mut w, goal) = at_exercise(&l);
        let mut since: Vec<StepEvents<Paxos>> = Vec::new();
        w.apply(&Action::Restart(back.parse().unwrap())).unwrap();
        since.push(w.events().into());
        // Deliver whatever is due until nothing is left; the student's only other control.
        let mut met = false;
        while let Some(e) = w.network().earliest().copied() {
            w.apply(&Action::Deliver(e.id)).unwrap();
            since.push(w.events().into());
            met |= goal.holds(&w, &since);
        }
        assert!(met, "restarting {back} and delivering is a correct answer");
    }
}

#[test]
fn lessons_inject_no_random_faults() {
    for l in paxos_lab::ui::views::lesson_panel::bundled_lessons() {
        assert_eq!(l.faults, Knobs::NONE, "{}", l.id);
        let mut session = Session::new(l.config.clone(), Knobs::default());
        let mut panel = LessonPanel::open(l.clone(), &mut session).unwrap();
        for i in 0..l.steps.len() {
            panel.enter(i, &mut session);
            assert_eq!(session.knobs, Knobs::NONE, "{} step {}", l.id, i + 1);
            // Steps past the recorded run are auto-play's own choices.
            let recorded = session.len() as usize;
            for _ in 0..(recorded - session.position() as usize) + 40 {
                session.apply(Command::StepForward);
            }
            let taken = &session.timeline().actions()[recorded.min(session.len() as usize)..];
            assert!(
                !taken
                    .iter()
                    .any(|a| matches!(a, Action::Restart(_) | Action::Crash(_) | Action::Drop(_))),
                "{} step {}: auto-play injected a fault: {taken:?}",
                l.id,
                i + 1
            );
        }
    }
}

/// Lesson 3 as it was: "drop the Accepts, fire the timeout, get A chosen in a new ballot", with
/// only `Chosen(Some("A"))` as its goal.
fn lesson_3_with_its_old_goal() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/03-lost-messages.ron");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("goal: All([").unwrap();
    let end = start + text[start..].find("]),").unwrap() + "]),".len();
    format!(
        "{}goal: Chosen(Some(\"A\")),{}",
        &text[..start],
        &text[end..]
    )
}

#[test]
fn the_lint_finds_the_shortcut_lesson_3_used_to_have() {
    let text = lesson_3_with_its_old_goal();
    let l = lesson::parse(Path::new("old-3.ron"), &text).unwrap();
    let script = lesson::script(&l).unwrap();
    let lints = lesson::lint(&l, &script);
    assert_eq!(lints.len(), 1);
    let shortcut = lints[0].shortcut.clone().expect("a shortcut");
    assert_eq!(shortcut.len(), 2, "{shortcut:?}");
    assert!(shortcut.iter().all(|a| matches!(a, Action::Deliver(_))));
    assert_eq!(lints[0].shortest_steps, Some(2));
    assert_eq!(lints[0].reference_steps, 10);
}

#[test]
fn check_reports_a_shortcut_as_actions_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("paxos-lab-exercises-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("old-3.ron");
    std::fs::write(&f, lesson_3_with_its_old_goal()).unwrap();
    for args in [vec!["check"], vec!["lesson", "--verify"]] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
            .args(&args)
            .arg(&f)
            .output()
            .unwrap();
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{e}");
        assert!(e.contains("old-3.ron:28:13:"), "at the goal: {e}");
        assert!(
            e.contains("met in 2 steps, fewer than the reference solution's 10"),
            "{e}"
        );
        assert!(e.contains("[Deliver("), "{e}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_bundled_lessons_have_no_shortcut_and_check_json_says_so() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args([
            "check",
            "--json",
            concat!(env!("CARGO_MANIFEST_DIR"), "/lessons"),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Every lesson of every protocol (check descends into `multipaxos/` and `raft/`), and the
    // fault scripts of `compare/`.
    let (mut exercises, mut lessons, mut scripts) = (0, 0, 0);
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["kind"] == "fault-script" {
            scripts += 1;
            continue;
        }
        assert_eq!(v["kind"], "lesson");
        lessons += 1;
        for e in v["exercises"].as_array().unwrap() {
            assert_eq!(
                e["shortest_steps"], e["reference_steps"],
                "{}: {e}",
                v["file"]
            );
            exercises += 1;
        }
    }
    let shipped = paxos_lab::link::every_lesson().len();
    // Every file in the folder is one the app ships, and no exercise went missing.
    assert_eq!(
        (lessons, scripts),
        (shipped, paxos_lab::lesson::bundled::COMPARE.len())
    );
    assert_eq!(exercises, 56);
}

/// Opens a bundled lesson headless at its `nth` exercise (from 0).
fn open_at_exercise(name: &str, nth: usize) -> (LessonPanel<Paxos>, Session<Paxos>, usize) {
    let l = bundled(name);
    let at = l
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s, Step::Exercise(_)))
        .nth(nth)
        .unwrap()
        .0;
    let mut session = Session::new(l.config.clone(), Knobs::NONE);
    let mut panel = LessonPanel::open(l, &mut session).unwrap();
    panel.enter(at, &mut session);
    (panel, session, at)
}

#[test]
fn after_solving_another_way_the_lesson_goes_on_from_the_students_run() {
    use paxos_lab::ui::views::lesson_panel::LessonCommand;
    let (mut panel, mut session, at) = open_at_exercise("02-majorities.ron", 0);
    session.apply(Command::Act(Action::Restart("A5".parse().unwrap())));
    while !panel.observe(&session) {
        let e = *session
            .world()
            .network()
            .earliest()
            .expect("something to deliver");
        session.apply(Command::Act(Action::Deliver(e.id)));
    }
    panel.apply(LessonCommand::Next, &mut session);
    assert_eq!(panel.step, at + 1);
    assert!(!panel.confirm_switch);
    let w = session.world();
    assert!(
        w.node("A5".parse().unwrap()).unwrap().up,
        "the student's restart stands"
    );
    assert!(
        !w.node("A3".parse().unwrap()).unwrap().up,
        "A3 was never restarted"
    );
    // And the rest of the lesson (its wait for L1) plays on from there.
    panel.apply(LessonCommand::Next, &mut session);
    panel.apply(LessonCommand::Next, &mut session);
    assert!(!session.world().node("A3".parse().unwrap()).unwrap().up);
}

#[test]
fn when_the_lesson_cannot_go_on_from_the_students_run_it_says_so_and_keeps_it() {
    use paxos_lab::ui::views::lesson_panel::LessonCommand;
    let (mut panel, mut session, at) = open_at_exercise("06-chosen-vs-learned.ron", 0);
    // Solve it in another order (the newest message first, never to a learner), then drop the
    // learner's mail too: the goal still holds, but the lesson's next exercise needs that mail.
    while !panel.observe(&session) {
        let e = *session
            .world()
            .network()
            .in_flight()
            .filter(|e| e.dst.role != paxos_lab::protocols::paxos::LEARNER)
            .last()
            .expect("something to deliver");
        session.apply(Command::Act(Action::Deliver(e.id)));
    }
    let to_learner: Vec<_> = session
        .world()
        .network()
        .in_flight()
        .filter(|e| e.dst.role == paxos_lab::protocols::paxos::LEARNER)
        .map(|e| e.id)
        .collect();
    assert!(!to_learner.is_empty());
    for id in to_learner {
        session.apply(Command::Act(Action::Drop(id)));
    }
    let own = session.timeline().actions().to_vec();
    panel.apply(LessonCommand::Next, &mut session);
    // The steps that still apply go on from the student's run; the first that does not asks
    // before switching to the lesson's run.
    let blocked = panel
        .lesson_run_from
        .expect("a later step needs the lesson's run");
    assert!(blocked > at);
    while !panel.confirm_switch {
        assert!(panel.step < blocked, "step {} of {blocked}", panel.step);
        panel.apply(LessonCommand::Next, &mut session);
    }
    assert_eq!(
        panel.step + 1,
        blocked,
        "it asks before the step that needs it"
    );
    panel.apply(LessonCommand::Next, &mut session);
    assert_eq!(panel.step, blocked);
    let kept = panel.own_run_trace().expect("the student's run is kept");
    assert_eq!(kept.actions, own);
}
