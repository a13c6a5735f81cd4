//! Raft in the app: the graph (the same view as Multi-Paxos's, with Raft's marks) in a split
//! vote in both languages, its nodes clickable by label, message labels that never collide in a
//! busy run; the log table and leader panel; the workspace opened from the picker and driven by
//! its buttons, and snapshots of it at Figure 8 in both languages.

#[allow(dead_code)]
mod common;
use common::{harness, lab_harness, search_until_broken, window_harness};

use egui::Vec2;
use egui_kittest::kittest::{NodeT, Queryable};
use paxos_lab::palette::Palette;
use paxos_lab::protocols::raft::Raft;
use paxos_lab::session::{Command, Selection, Session};
use paxos_lab::sim::Knobs;
use paxos_lab::trace;
use paxos_lab::ui::i18n::Lang;
use paxos_lab::ui::store::graph::{GraphFrame, StoreGraph};

/// The vote-twice scenario after its fourth step: S2 and S3 campaign in term 1, each with its
/// own vote and one granted by the other on its way.
fn split_vote() -> Session<Raft> {
    scenario_at("vote-twice", 4)
}

/// A flaw's scenario in tests/scenarios/raft/, played to step `step`.
fn scenario_at(flaw: &str, step: u64) -> Session<Raft> {
    let path = format!(
        "{}/tests/scenarios/raft/{flaw}.ron",
        env!("CARGO_MANIFEST_DIR")
    );
    let (t, _) = trace::load_as::<Raft>(std::path::Path::new(&path)).unwrap();
    let mut session = Session::from_trace(&t).unwrap();
    session.apply(Command::Seek(step));
    session
}

/// The graph's frame of `session` at rest, at the usual scale, nothing selected.
fn graph_frame(session: &Session<Raft>, lang: Lang) -> GraphFrame<'_, Raft> {
    GraphFrame {
        world: session.world(),
        anim: paxos_lab::ui::Anim::at_rest(session.world().now()),
        lang,
        palette: Palette::standard(true),
        text_scale: 1.0,
        selection: None,
        held: &session.held,
        highlight: &[],
    }
}

fn snapshot_split_vote(lang: Lang, name: &str) {
    let session = split_vote();
    let frame = graph_frame(&session, lang);
    let mut graph = StoreGraph::<Raft>::default();
    let mut out = Vec::new();
    let mut h = harness(Vec2::new(760.0, 460.0), |ui| graph.ui(ui, &frame, &mut out));
    h.run();
    h.snapshot(name);
}

#[test]
fn snapshot_raft_split_vote() {
    snapshot_split_vote(Lang::En, "raft_graph_split_vote");
}

#[test]
fn snapshot_raft_split_vote_in_chinese() {
    snapshot_split_vote(Lang::Zh, "raft_graph_split_vote_zh");
}

/// The words under the candidates name their term and votes; a click on a server selects it.
#[test]
fn a_server_is_found_and_selected_by_its_label() {
    let session = split_vote();
    let s = paxos_lab::ui::store::graph::client_words(
        session.world(),
        paxos_lab::protocols::raft::client(1),
        Lang::En,
    );
    assert_eq!(s, "idle");
    let frame = graph_frame(&session, Lang::En);
    let mut graph = StoreGraph::<Raft>::default();
    let out = std::cell::RefCell::new(Vec::new());
    let mut h = harness(Vec2::new(760.0, 460.0), |ui| {
        graph.ui(ui, &frame, &mut out.borrow_mut())
    });
    h.run();
    h.get_by_label("S2").click();
    h.run();
    let selected = out
        .borrow()
        .iter()
        .any(|c| matches!(c, Command::Select(Some(Selection::Node(id))) if id.to_string() == "S2"));
    assert!(selected, "{:?}", out.borrow());
    drop(h);
    let words: Vec<String> = graph
        .drawn
        .iter()
        .filter(|d| d.kind == "state")
        .map(|d| d.id.clone())
        .collect();
    assert!(words.contains(&"S3".to_string()), "{words:?}");
}

/// Five servers, five clients, drops and duplicates, at every tenth step in both languages:
/// no label covers another label, a node or its words, and every label is inside the view.
#[test]
fn raft_graph_labels_never_collide_in_a_busy_run() {
    let config = paxos_lab::protocols::raft::Config {
        servers: 5,
        clients: 5,
        ..Default::default()
    };
    let knobs = Knobs {
        drop: 0.05,
        duplicate: 0.05,
        propose: 0.2,
        ..Knobs::NONE
    };
    let mut session = Session::new(config, knobs);
    for _ in 0..300 {
        session.apply(Command::StepForward);
    }
    let mut labels_seen = 0;
    for (lang, scale) in [(Lang::En, 1.0), (Lang::Zh, 1.25)] {
        for at in (0..=300).step_by(10) {
            session.apply(Command::Seek(at));
            let mut graph = StoreGraph::<Raft>::default();
            {
                let frame = GraphFrame {
                    world: session.world(),
                    anim: paxos_lab::ui::Anim::at_rest(session.world().now()),
                    lang,
                    palette: Palette::standard(true),
                    text_scale: scale,
                    selection: None,
                    held: &session.held,
                    highlight: &[],
                };
                let mut h = harness(Vec2::new(900.0, 520.0), |ui| {
                    graph.ui(ui, &frame, &mut Vec::new())
                });
                h.run();
            }
            let view = egui::Rect::from_min_size(egui::Pos2::ZERO, Vec2::new(900.0, 520.0));
            for (i, a) in graph.drawn.iter().enumerate() {
                if a.kind != "label" {
                    continue;
                }
                labels_seen += 1;
                assert!(view.contains_rect(a.rect()), "{a:?} outside the view");
                for (j, b) in graph.drawn.iter().enumerate() {
                    assert!(
                        i == j || !a.rect().intersects(b.rect()),
                        "step {at}: {a:?} covers {b:?}"
                    );
                }
            }
        }
    }
    assert!(labels_seen > 200, "only {labels_seen} labels drawn");
}

/// The log table at the end of Figure 8: S5's term-2 entry beside the committed term-1 entry
/// it will overwrite; committed cells solid, the rest dashed; the leader panel's indexes.
#[test]
fn snapshot_raft_log_table_and_leader_panel() {
    use paxos_lab::protocols::raft::describe::{log_rows, progress};
    use paxos_lab::ui::raft::log_view::{RaftLeaderView, RaftLogView};
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/raft/commit-previous-term.ron"
    );
    let (t, _) = trace::load_as::<Raft>(std::path::Path::new(path)).unwrap();
    let mut session = Session::from_trace(&t).unwrap();
    session.apply(Command::Seek(44));
    let rows = log_rows(session.world());
    let s1 = &rows[0];
    assert!(s1.leader && s1.cells[0].committed, "{s1:?}");
    let s5 = &rows[4];
    assert!(
        !s5.up && s5.cells[0].term == 2 && !s5.cells[0].committed,
        "{s5:?}"
    );
    let p = progress(session.world()).unwrap();
    assert_eq!(p.term, 3);
    assert!(
        p.followers
            .iter()
            .any(|(s, _, m)| s.to_string() == "S3" && *m == 1),
        "{p:?}"
    );
    let mut log = RaftLogView::default();
    let mut leader = RaftLeaderView;
    let mut h = harness(Vec2::new(520.0, 420.0), |ui| {
        leader.ui(ui, session.world(), Lang::En);
        ui.separator();
        log.ui(ui, session.world(), Lang::En, &Palette::standard(true));
    });
    h.run();
    h.get_by_label_contains("S1 leads term 3");
    h.snapshot("raft_log_table");
}

/// From the lesson picker a class opens the Raft sandbox, times out S1 by its button, steps
/// until S1 leads, and the leader panel and the safety bar say so.
#[test]
fn the_raft_workspace_elects_a_leader_by_its_buttons() {
    let mut h = lab_harness();
    h.run();
    h.get_by_label("Raft sandbox: the same store").click();
    h.run();
    h.run();
    assert!(
        h.state().store::<Raft>().is_some(),
        "the Raft workspace opened"
    );
    assert!(
        h.state()
            .store::<paxos_lab::protocols::multipaxos::MultiPaxos>()
            .is_none()
    );
    h.get_by_label("Time out S1").click();
    h.run();
    for _ in 0..12 {
        if h.state().store::<Raft>().is_some_and(|r| {
            paxos_lab::protocols::raft::describe::progress(r.session.world()).is_some()
        }) {
            break;
        }
        h.get_by_label("Step").click();
        h.run();
    }
    let r = h.state().store::<Raft>().unwrap();
    let p = paxos_lab::protocols::raft::describe::progress(r.session.world()).expect("S1 leads");
    assert_eq!((p.leader.to_string(), p.term), ("S1".to_string(), 1));
    h.get_by_label_contains("S1 leads term 1");
    h.get_by_label_contains("election safety: one leader per term");
}

fn snapshot_workspace(lang: Lang, name: &str) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/raft/commit-previous-term.ron"
    );
    let (t, _) = trace::load_as::<Raft>(std::path::Path::new(path)).unwrap();
    let mut session = Session::from_trace(&t).unwrap();
    session.apply(Command::Seek(44));
    let mut app = paxos_lab::ui::raft::RaftApp::new(session, lang);
    app.fixed_time = Some(0.0);
    let mut h = window_harness(app, |ui, app: &mut paxos_lab::ui::raft::RaftApp| app.ui(ui));
    h.run();
    h.run();
    h.snapshot(name);
}

#[test]
fn snapshot_raft_workspace_at_figure_8() {
    snapshot_workspace(Lang::En, "raft_app");
}

#[test]
fn snapshot_raft_workspace_in_chinese() {
    snapshot_workspace(Lang::Zh, "raft_app_zh");
}

/// From the picker, Multi-Paxos and Raft side by side: Step moves both runs one round, the
/// slider's round is the same for both, and the figures and mapping name both protocols; back
/// to the lessons by File's first entry.
#[test]
fn side_by_side_steps_both_protocols_on_one_timeline() {
    let mut h = lab_harness();
    h.run();
    h.get_by_label("Multi-Paxos and Raft side by side").click();
    h.run();
    h.run();
    assert!(h.state().compare().is_some());
    for _ in 0..40 {
        h.get_by_label("Step").click();
        h.run();
    }
    let c = h.state().compare().unwrap();
    assert_eq!(c.round, 40);
    assert!(c.multipaxos.position() > 0 && c.raft.position() > 0);
    let (mp, raft) = c.figures();
    assert!(
        mp.messages_sent > 0 && raft.messages_sent > 0,
        "{mp:?} {raft:?}"
    );
    h.get_by_label_contains("chosen watermark");
    h.get_by_label_contains("round 40 of 300");
    h.get_by_label("Back").click();
    h.run();
    assert_eq!(h.state().compare().unwrap().round, 39);
    h.get_by_label_contains("Lessons…").click();
    h.run();
    h.run();
    assert!(h.state().compare().is_none());
}

/// Just after Raft's new leader first commits an earlier term's entry through its own, in the
/// partition script: the moment the Figure 8 difference is noted over Raft's graph.
fn side_by_side_at_the_first_carry_over(lang: Lang, presenter: bool, name: &str) {
    use paxos_lab::ui::compare::CompareView;
    let mut view = CompareView::new(None, lang).unwrap();
    view.choose(1).unwrap();
    view.fixed_time = Some(0.0);
    view.look.presenter = presenter;
    let round = view
        .comparison
        .raft
        .rounds
        .iter()
        .position(|(f, _)| f.carried_over > 0)
        .expect("the partition script carries an entry over") as u64
        + 1;
    view.seek(round);
    let mut h = window_harness(view, |ui, v: &mut CompareView| v.ui(ui));
    h.run();
    h.run();
    if lang == Lang::En {
        // The same request in both logs: C1's second, chosen in slot 6, is Raft's entry 3; the
        // last two chosen have no Raft entry yet.
        h.get_by_label("C1.2 cas x:A2->A3");
        h.get_by_label("slot 6");
        h.get_by_label("[3]");
        assert_eq!(h.get_all_by_label("not yet").count(), 2);
    }
    h.snapshot(name);
}

#[test]
fn snapshot_side_by_side_after_the_partition() {
    side_by_side_at_the_first_carry_over(Lang::En, false, "compare_side_by_side");
}

#[test]
fn snapshot_side_by_side_in_chinese_for_a_projector() {
    side_by_side_at_the_first_carry_over(Lang::Zh, true, "compare_side_by_side_zh_presenter");
}

/// The timer keys: "Align timers" makes every follower campaign at once (each votes for
/// itself: a split vote in term 1); on a fresh run "Spread timers" lets only the soonest one
/// campaign; both are actions of the run (saved and replayed like any other).
#[test]
fn timer_keys_align_for_a_split_vote_or_spread_for_one_candidate() {
    let candidates = |r: &paxos_lab::ui::raft::RaftApp| -> Vec<u32> {
        r.session
            .world()
            .nodes()
            .iter()
            .filter_map(|s| match &s.state {
                paxos_lab::protocols::raft::Node::Server(x)
                    if matches!(x.role, paxos_lab::protocols::raft::Role::Candidate { .. }) =>
                {
                    Some(x.term)
                }
                _ => None,
            })
            .collect()
    };
    for (button, expect) in [
        ("Align timers (split vote, A)", vec![1, 1, 1]),
        ("Spread timers (one candidate, S)", vec![1]),
    ] {
        let mut h = lab_harness();
        h.run();
        h.get_by_label("Raft sandbox: the same store").click();
        h.run();
        h.run();
        h.get_by_label(button).click();
        h.run();
        let r = h.state().store::<Raft>().unwrap();
        assert_eq!(candidates(r), expect, "{button}");
        let timeouts = r
            .session
            .to_trace()
            .actions
            .iter()
            .filter(|a| matches!(a, paxos_lab::sim::Action::Timeout(_)))
            .count();
        assert_eq!(timeouts, expect.len(), "{button}: recorded as actions");
    }
}

/// The notes over each graph: what corresponds to the other side where it happens, and a
/// difference just after it happens. In the partition script Raft's new leader commits earlier
/// terms' entries only through an entry of its own term, and Multi-Paxos's re-proposes them in
/// its ballot: both noted on their own graph, and the Figure 8 difference ticked.
#[test]
fn notes_over_each_graph_name_correspondences_and_differences_where_they_happen() {
    use paxos_lab::ui::compare::CompareView;
    let mut view = CompareView::new(None, Lang::En).unwrap();
    view.choose(1).unwrap();
    view.fixed_time = Some(0.0);
    // The first round after which each side has carried an entry over.
    let first = |rounds: &[(paxos_lab::compare::Figures, u64)]| {
        rounds
            .iter()
            .position(|(f, _)| f.carried_over > 0)
            .map(|i| i as u64 + 1)
            .expect("the partition script carries entries over")
    };
    let (mp_round, raft_round) = (
        first(&view.comparison.multipaxos.rounds),
        first(&view.comparison.raft.rounds),
    );
    view.seek(raft_round);
    let mut h = window_harness(view, |ui, v: &mut CompareView| v.ui(ui));
    h.run();
    h.get_by_label_contains("only through this term's entry");
    h.get_by_label_contains("↔ Multi-Paxos ballot");
    h.state_mut().seek(mp_round);
    h.run();
    h.get_by_label_contains("re-proposed old entries in its ballot");
    h.get_by_label_contains("↔ Raft's term");
    // Before either, neither is noted.
    h.state_mut().seek(mp_round.min(raft_round) - 1);
    h.run();
    assert!(
        h.query_by_label_contains("only through this term's entry")
            .is_none()
    );
    assert!(
        h.query_by_label_contains("re-proposed old entries")
            .is_none()
    );
    let end = h.state().rounds();
    h.state_mut().seek(end);
    h.run();
    let (mp, raft) = h.state().figures();
    assert!(mp.carried_over > 0 && raft.carried_over > 0);
}

/// In the isolated-leader script Raft's old leader, back among the others, cuts its
/// conflicting suffix: noted over Raft's graph the round it happens, and the holes-versus-
/// truncation difference ticked from then on.
#[test]
fn a_truncation_is_noted_over_raft_the_round_it_happens() {
    use paxos_lab::ui::compare::CompareView;
    let mut view = CompareView::new(None, Lang::En).unwrap();
    view.choose(3).unwrap();
    assert!(view.scripts[3].title[0].contains("cut off"));
    view.fixed_time = Some(0.0);
    let round = view
        .comparison
        .raft
        .rounds
        .iter()
        .position(|(f, _)| f.entries_moved > 0)
        .expect("the old leader's suffix is cut") as u64
        + 1;
    view.seek(round);
    let mut h = window_harness(view, |ui, v: &mut CompareView| v.ui(ui));
    h.run();
    h.get_by_label_contains("cut a conflicting suffix");
    h.state_mut().seek(round - 1);
    h.run();
    assert!(
        h.query_by_label_contains("cut a conflicting suffix")
            .is_none()
    );
}

/// "Can this break?" in the Raft workspace: on a run with `vote-twice`, the explorer (in the
/// background, never blocking a frame) finds two leaders of one term, says so in the window,
/// and "Watch it" opens the counterexample in the workspace; with random walks on, it finds the
/// paper's Figure 8 under `commit-previous-term`. Not offered in a lesson.
#[test]
fn can_this_break_finds_a_flaw_and_opens_its_run_in_the_raft_workspace() {
    use paxos_lab::protocols::raft::{Config, Flaw};
    let run = |flaw: Flaw, walks: bool, rule: &str| {
        let config = Config {
            servers: 3,
            clients: 1,
            flaws: vec![flaw],
            ..Config::default()
        };
        let session = Session::new(config, Knobs::default());
        let mut app = paxos_lab::ui::raft::RaftApp::new(session, Lang::En);
        app.fixed_time = Some(0.0);
        let mut h = window_harness(app, |ui, app: &mut paxos_lab::ui::raft::RaftApp| app.ui(ui));
        h.run();
        h.get_by_label("Can this break?…").click();
        h.run();
        if walks {
            h.get_by_label_contains("Random walks instead").click();
            h.run();
        }
        search_until_broken(&mut h);
        if walks {
            h.get_by_label_contains("Random walk 52431 broke it");
            h.snapshot("raft_can_this_break_walks");
        }
        h.get_by_label("Watch it").click();
        h.run();
        h.run();
        let app = h.state_mut();
        let len = app.session.len();
        assert!(len > 3, "the counterexample opened: {len} steps");
        app.session.apply(Command::Seek(len));
        let broken: Vec<&str> = app
            .session
            .world()
            .violations()
            .iter()
            .map(|v| v.invariant)
            .collect();
        assert!(broken.contains(&rule), "{broken:?}");
    };
    run(Flaw::VoteTwice, false, "election-safety");
    run(Flaw::CommitPreviousTerm, true, "leader-completeness");
}

/// A lesson runs only what its file says: its workspace offers no search.
#[test]
fn a_raft_lesson_offers_no_search() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/raft/01-elections.ron");
    let text = std::fs::read_to_string(path).unwrap();
    let (lesson, _) =
        paxos_lab::lesson::check_reference_as::<Raft>(std::path::Path::new(path), &text).unwrap();
    let app = paxos_lab::ui::raft::RaftApp::on_lesson(lesson, 0, None, Lang::En).unwrap();
    let mut h = window_harness(app, |ui, app: &mut paxos_lab::ui::raft::RaftApp| app.ui(ui));
    h.run();
    assert!(h.query_by_label("Can this break?…").is_none());
    h.get_by_label("New run…");
}

/// A crowd of 40,000 messages in flight (20,000 timeouts of one server): the graph draws a
/// bounded number of shapes, merged and counted, not a shape or two per message (which took
/// gigabytes and tens of seconds a frame, and at 125,000 overflowed the GPU buffer).
#[test]
fn a_crowd_in_flight_is_drawn_in_bounded_shapes_and_counted() {
    use paxos_lab::protocols::raft;
    use paxos_lab::sim::Action;
    let config = raft::Config {
        servers: 3,
        clients: 1,
        ..raft::Config::default()
    };
    let mut session = Session::<Raft>::new(config, Knobs::default());
    for _ in 0..20_000 {
        session.apply(Command::Act(Action::Timeout(raft::server(1))));
    }
    // Two RequestVotes a timeout (and the client's first request, if it sent one).
    let in_flight = session.world().network().in_flight_count();
    assert!(in_flight >= 40_000, "{in_flight}");
    let frame = graph_frame(&session, Lang::En);
    let mut graph = StoreGraph::<Raft>::default();
    let mut out = Vec::new();
    let mut drawn = Vec::new();
    {
        let mut h = harness(Vec2::new(900.0, 600.0), |ui| {
            graph.ui(ui, &frame, &mut out);
            drawn = graph.drawn.clone();
        });
        h.run();
        let shapes = h.output().shapes.len();
        assert!(shapes < 4_000, "{shapes} shapes for 40,000 messages");
    }
    let crowd = drawn
        .iter()
        .find(|d| d.kind == "crowd")
        .expect("the crowd is counted");
    let expected = format!(
        "{} messages in flight",
        paxos_lab::sim::words::grouped(in_flight as u64)
    );
    assert!(crowd.text.starts_with(&expected), "{}", crowd.text);
}

/// A server marked Byzantine is drawn apart and its lies are a menu in the controls: picking one
/// sends it, recorded as a `Lie` action of the run.
#[test]
fn a_byzantine_server_lies_from_the_controls_menu() {
    use paxos_lab::protocols::raft::{self, Node};
    let config = raft::Config {
        byzantine: vec![raft::server(2)],
        ..Default::default()
    };
    let mut session = Session::<Raft>::new(config, Knobs::NONE);
    let campaigned = |s: &Session<Raft>| matches!(&s.world().node(raft::server(2)).unwrap().state, Node::Server(x) if x.term >= 1);
    while !campaigned(&session) {
        session.apply(Command::StepForward);
        assert!(session.position() < 200, "no election began");
    }
    let before = session.len();
    let mut app = paxos_lab::ui::raft::RaftApp::new(session, Lang::En);
    app.fixed_time = Some(0.0);
    let mut h = window_harness(app, |ui, app: &mut paxos_lab::ui::raft::RaftApp| app.ui(ui));
    h.run();
    h.get_by_label("S2 lies…").click();
    h.run();
    let first = h
        .get_all_by_label_contains("Lie to ")
        .next()
        .expect("a lie in the menu")
        .accesskit_node()
        .label()
        .unwrap_or_default();
    h.get_by_label(&first).click();
    h.run();
    let app = h.state();
    assert_eq!(app.session.len(), before + 1);
    let last = app.session.to_trace().actions.last().cloned().unwrap();
    let paxos_lab::sim::Action::Lie { from, to, msg } = last else {
        panic!("{last:?}")
    };
    assert_eq!(from, raft::server(2));
    assert_eq!(first, format!("Lie to {to}: {msg}"));
    // Honest servers have no such menu.
    assert!(h.query_by_label("S1 lies…").is_none());
}

/// The sandbox settings' Pre-Vote and CheckQuorum switches start a run with both on: S1's
/// timeout makes it a pre-candidate, still in term 0, and the inspector names the options.
#[test]
fn the_settings_switch_on_pre_vote_and_check_quorum() {
    let mut h = lab_harness();
    h.run();
    h.get_by_label("Raft sandbox: the same store").click();
    h.run();
    h.run();
    h.get_by_label("New run…").click();
    h.run();
    h.get_by_label("Pre-Vote").click();
    h.get_by_label("CheckQuorum").click();
    h.run();
    h.get_by_label("Start new run").click();
    h.run();
    h.run();
    let r = h.state().store::<Raft>().expect("the Raft workspace");
    let config = r.session.config();
    assert!(config.pre_vote && config.check_quorum, "{config:?}");
    h.get_by_label("Time out S1").click();
    h.run();
    let r = h.state().store::<Raft>().unwrap();
    let s1 = r
        .session
        .world()
        .node(paxos_lab::protocols::raft::server(1))
        .unwrap();
    let paxos_lab::protocols::raft::Node::Server(s1) = &s1.state else {
        panic!("S1 is a server");
    };
    assert!(matches!(
        s1.role,
        paxos_lab::protocols::raft::Role::PreCandidate { .. }
    ));
    assert_eq!(s1.term, 0);
    h.state_mut()
        .store_mut::<Raft>()
        .unwrap()
        .apply(vec![Command::Select(Some(Selection::Node(
            paxos_lab::protocols::raft::server(1),
        )))]);
    h.run();
    h.get_by_label_contains("on: Pre-Vote, CheckQuorum");
}

/// The naive-swap scenario at its end: S3 and S5 both lead term 2, elected by {S2, S3} and
/// {S1, S4, S5}. The graph outlines both majorities and says they share no server; before S5's
/// election (one leader) it says nothing.
#[test]
fn the_graph_outlines_two_majorities_that_do_not_meet() {
    use paxos_lab::ui::store::graph::StoreGraphView;
    let mut session = scenario_at("naive-swap", 18);
    assert!(Raft::disjoint_majorities(session.world()).is_empty());
    session.apply(Command::Seek(19));
    let names = |v: &[paxos_lab::sim::NodeId]| v.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let majorities: Vec<(String, Vec<String>)> = Raft::disjoint_majorities(session.world())
        .iter()
        .map(|(l, m)| (l.to_string(), names(m)))
        .collect();
    assert_eq!(
        majorities,
        [
            ("S3".to_string(), names_of(&["S2", "S3"])),
            ("S5".to_string(), names_of(&["S1", "S4", "S5"])),
        ]
    );
    for (lang, words) in [
        (Lang::En, "elected S3: S2 S3, sharing no server"),
        (
            Lang::Zh,
            "选出 S5：S1 S4 S5，与另一个多数派没有共同的服务器",
        ),
    ] {
        let frame = graph_frame(&session, lang);
        let mut graph = StoreGraph::<Raft>::default();
        let mut out = Vec::new();
        let mut h = harness(Vec2::new(760.0, 460.0), |ui| graph.ui(ui, &frame, &mut out));
        h.run();
        drop(h);
        assert!(
            graph.drawn.iter().any(|d| d.text.contains(words)),
            "{words} not among {:?}",
            graph.drawn.iter().map(|d| &d.text).collect::<Vec<_>>()
        );
    }
}

fn names_of(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
