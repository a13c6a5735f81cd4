//! PBFT in the app: a lesson taken from the picker the way a student takes it, lies told from
//! the liar's menu and messages delivered by their buttons, until the honest replicas fork; the
//! workspace names its side pane after the view, in both languages.

#[allow(dead_code)]
mod common;
use common::{lab_harness, window_harness};

use egui_kittest::kittest::Queryable;
use paxos_lab::protocols::pbft::Pbft;
use paxos_lab::session::{Command, Session};
use paxos_lab::trace;
use paxos_lab::ui::i18n::Lang;

/// Lets a Do step play: its actions are applied one per tick of the (frozen) clock.
fn play(h: &mut egui_kittest::Harness<'static, paxos_lab::ui::LabApp>) {
    for t in 1..40 {
        h.state_mut().store_mut::<Pbft>().unwrap().fixed_time = Some(t as f64);
        h.run();
    }
}

fn click(h: &mut egui_kittest::Harness<'static, paxos_lab::ui::LabApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.run();
}

fn click_containing(h: &mut egui_kittest::Harness<'static, paxos_lab::ui::LabApp>, label: &str) {
    h.get_by_label_contains(label).scroll_to_me();
    h.run();
    h.get_by_label_contains(label).click();
    h.run();
}

/// Delivers message `id` as a student would: by its button in the exercise's list of messages
/// due first, or, when the list (its pane a few lines high) does not show it, by picking the
/// message in the graph and pressing Deliver beside it.
fn deliver(h: &mut egui_kittest::Harness<'static, paxos_lab::ui::LabApp>, id: u32) {
    let button = format!("Deliver #{id}");
    if h.query_by_label(&button).is_some() {
        click(h, &button);
        return;
    }
    // The in-flight list names it "#13 Commit(…) S1→S2"; clicking it selects the message.
    let name = h
        .get_all_by_label_contains(&format!("#{id} "))
        .filter_map(|n| {
            use egui_kittest::kittest::NodeT;
            n.accesskit_node().label()
        })
        .find(|l| !l.starts_with(&format!("#{id} S")))
        .unwrap_or_else(|| panic!("message #{id} in the list of messages in flight"));
    click(h, &name);
    let selected = h.state().store::<Pbft>().unwrap().session.selection;
    assert_eq!(
        selected,
        Some(paxos_lab::session::Selection::Message(
            paxos_lab::sim::MsgId(id)
        )),
        "{name}"
    );
    click(h, "Deliver");
}

/// Tells a lie from the open menu. The popup's first layout pass (egui sizes a new area before
/// showing it) leaves a second button of the same label in the tree; the one shown is the last.
fn tell(h: &mut egui_kittest::Harness<'static, paxos_lab::ui::LabApp>, lie: &str) {
    h.get_all_by_label(lie)
        .last()
        .expect("the lie in the menu")
        .click();
    h.run();
}

/// Lesson 2 (why n = 3f + 1), as a student does it: two lies from S1's menu and five
/// deliveries fork slot 1 between S2 and S3, and the exercise counts as solved.
#[test]
fn a_student_forks_three_replicas_with_the_liars_menu() {
    let mut h = lab_harness();
    h.run();
    click_containing(&mut h, "Quorums must meet in an honest replica");
    let app = h.state().store::<Pbft>().expect("the PBFT workspace");
    assert_eq!(app.lesson.as_ref().unwrap().step, 0);
    h.get_by_label("Next ▶").click();
    h.run();
    play(&mut h);
    h.get_by_label("Next ▶").click();
    h.run();
    let app = h.state().store::<Pbft>().unwrap();
    assert_eq!(app.lesson.as_ref().unwrap().step, 2, "the exercise");
    // An honest replica has no menu of lies.
    assert!(h.query_by_label("S2 lies…").is_none());
    click(&mut h, "S1 lies…");
    tell(&mut h, "Lie to S3: PrePrepare(v0, slot 1, no-op)");
    for id in [4, 2, 9, 13] {
        deliver(&mut h, id);
    }
    let app = h.state().store::<Pbft>().unwrap();
    assert!(
        app.session.world().violations().is_empty(),
        "one lie is not a fork yet"
    );
    click(&mut h, "S1 lies…");
    tell(&mut h, "Lie to S3: Commit(v0, slot 1, no-op)");
    deliver(&mut h, 16);
    let app = h.state().store::<Pbft>().unwrap();
    let broken: Vec<&str> = app
        .session
        .world()
        .violations()
        .iter()
        .map(|v| v.invariant)
        .collect();
    assert!(broken.contains(&"commit-agreement"), "{broken:?}");
    assert!(
        app.lesson.as_ref().unwrap().solved[2],
        "solved by the student"
    );
    h.get_by_label_contains("Solved");
}

/// The side pane that shows the leader elsewhere is PBFT's view panel, and its tab says so.
#[test]
fn the_pbft_workspace_names_its_view_pane() {
    for (lang, view, leader) in [(Lang::En, "View", "Leader"), (Lang::Zh, "视图", "领导者")] {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/scenarios/pbft/equivocating-primary.ron"
        );
        let (t, _) = trace::load_as::<Pbft>(std::path::Path::new(path)).unwrap();
        let mut session = Session::from_trace(&t).unwrap();
        session.apply(Command::Seek(8));
        let mut app = paxos_lab::ui::pbft::PbftApp::new(session, lang);
        app.fixed_time = Some(0.0);
        let mut h = window_harness(app, |ui, app: &mut paxos_lab::ui::pbft::PbftApp| app.ui(ui));
        h.run();
        // The tab, and the panel's own heading under it.
        assert!(
            h.query_all_by_label(view).count() >= 2,
            "{lang:?}: a {view} tab"
        );
        assert!(
            h.query_by_label(leader).is_none(),
            "{lang:?}: no {leader} tab"
        );
    }
}
