//! The Multi-Paxos views, driven through egui_kittest: clicks by label that check the view's
//! state, and image snapshots rendered on the CPU (Mesa's llvmpipe through wgpu).

#[allow(dead_code)]
mod common;
use common::{harness, lab_harness, search_until_broken, window_harness};

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use paxos_lab::palette::Palette;
use paxos_lab::protocols::kv::Output;
use paxos_lab::protocols::multipaxos::describe::{
    CellState, history_picture, leader_figures, log_rows, store_rows,
};
use paxos_lab::protocols::multipaxos::{MultiPaxos, MultiPaxosWorld, server};
use paxos_lab::trace;
use paxos_lab::ui::Screen;
use paxos_lab::ui::i18n::Lang;
use paxos_lab::ui::multipaxos::MultiPaxosApp;
use paxos_lab::ui::multipaxos::leader_view::LeaderView;
use paxos_lab::ui::multipaxos::log_view::LogView;
use paxos_lab::ui::views::history_view::HistoryView;
use paxos_lab::ui::views::store_view::StoreView;

/// The failover lesson's run up to the new leader: S1 (crashed) voted in slots 1 to 3, S2 in
/// slots 1 and 3 (a hole at 2), S3 leads ballot 2.3 and has re-proposed 1 and 3 and a no-op in 2.
fn failover() -> MultiPaxosWorld {
    let text = r#"(
        version: 2,
        protocol: "multipaxos",
        config: (servers: 3, clients: 3, seed: 1),
        actions: [
            Propose("C1", Put("x", "1")), Deliver(1), Deliver(2), Deliver(3), Deliver(4),
            Propose("C2", Put("y", "2")), Propose("C3", Put("z", "3")), Deliver(8), Deliver(9),
            Deliver(6), Deliver(12), Deliver(14), Deliver(15),
            Drop(7), Drop(10), Drop(11), Drop(13), Crash("S1"),
            Timeout("S3"), Deliver(18), Deliver(19), Deliver(23),
        ],
    )"#;
    replay(text)
}

/// The Multi-Paxos workspace on `session`, in a 1280x800 window, its clock frozen.
fn app_harness(
    session: paxos_lab::session::Session<MultiPaxos>,
) -> Harness<'static, MultiPaxosApp> {
    let mut app = MultiPaxosApp::new(session, Lang::En);
    app.fixed_time = Some(0.0);
    window_harness(app, |ui, a: &mut MultiPaxosApp| a.ui(ui))
}

/// A fresh sandbox: 3 servers, 2 clients (each with its opening put), no random faults and no
/// random requests, so only the clicks change the run.
fn sandbox(servers: u8, clients: u8) -> paxos_lab::session::Session<MultiPaxos> {
    let config = paxos_lab::protocols::multipaxos::Config {
        servers,
        clients,
        ..Default::default()
    };
    paxos_lab::session::Session::new(config, paxos_lab::sim::Knobs::NONE)
}

/// Clicks Step `n` times.
fn step(h: &mut Harness<'static, MultiPaxosApp>, n: usize) {
    for _ in 0..n {
        h.get_by_label("Step").click();
        h.run();
    }
}

/// Steps until `done` holds (at most `limit` steps); false if it never did.
fn step_until(
    h: &mut Harness<'static, MultiPaxosApp>,
    limit: usize,
    done: impl Fn(&MultiPaxosApp) -> bool,
) -> bool {
    for _ in 0..limit {
        if done(h.state()) {
            return true;
        }
        h.get_by_label("Step").click();
        h.run();
    }
    done(h.state())
}

fn leader_of(app: &MultiPaxosApp) -> Option<paxos_lab::sim::NodeId> {
    let f = leader_figures(app.session.world());
    f.server.filter(|_| f.prepared)
}

fn answered(app: &MultiPaxosApp, client: u8) -> Vec<(paxos_lab::protocols::kv::Op, Output)> {
    let history = &app.session.world().monitor().history;
    (0..history.len())
        .map(|i| history.op(i))
        .filter(|o| o.client == client)
        .filter_map(|o| o.ret.map(|(_, out)| (o.op, out)))
        .collect()
}

#[test]
fn the_log_grid_shows_votes_chosen_applied_and_holes() {
    let world = failover();
    let rows = log_rows(&world);
    let row = |i: u8| rows.iter().find(|r| r.server == server(i)).unwrap();
    let states = |i: u8| row(i).cells.iter().map(|c| c.state).collect::<Vec<_>>();
    use CellState::*;
    // S1 applied slot 1, knows 3 is chosen (a hole below it keeps it unapplied), voted in 2.
    assert_eq!(states(1), [Applied, Accepted, Chosen]);
    assert!(!row(1).up);
    // S2 voted for the no-op in slot 2 under ballot 2.3 (#23), and in 1 and 3 under 1.1.
    assert_eq!(states(2), [Accepted, Accepted, Accepted]);
    assert_eq!(
        row(2).cells[1].ballot.map(|b| b.to_string()),
        Some("2.3".into())
    );
    // S3 leads 2.3 and voted for its own proposals in every slot.
    assert_eq!(row(3).leads.map(|b| b.to_string()), Some("2.3".into()));
    assert_eq!((row(3).commit, row(3).applied), (0, 0));
}

#[test]
fn a_hole_stands_out_until_the_new_leader_fills_it() {
    // Before S3's Accept for slot 2 reaches S2, S2 has a hole there.
    let text = r#"(
        version: 2,
        protocol: "multipaxos",
        config: (servers: 3, clients: 3, seed: 1),
        actions: [
            Propose("C1", Put("x", "1")), Deliver(1), Deliver(2), Deliver(3), Deliver(4),
            Propose("C2", Put("y", "2")), Propose("C3", Put("z", "3")), Deliver(8), Deliver(9),
            Deliver(6), Deliver(12),
        ],
    )"#;
    let rows = log_rows(&replay(text));
    let s2 = rows.iter().find(|r| r.server == server(2)).unwrap();
    assert_eq!(s2.cells[1].state, CellState::Hole);
    let s3 = rows.iter().find(|r| r.server == server(3)).unwrap();
    assert!(s3.cells.iter().all(|c| c.state == CellState::Empty));
}

#[test]
fn clicking_a_cell_shows_every_servers_vote_in_that_slot() {
    let world = failover();
    let mut view = LogView::default();
    let palette = Palette::standard(true);
    let mut h = harness(Vec2::new(760.0, 420.0), |ui| {
        view.ui(ui, &world, Lang::En, &palette);
    });
    h.run();
    assert!(h.query_by_label_contains("Slot 3: each server").is_none());
    h.get_by_label("S2 slot 3: put z=3").click();
    h.run();
    h.get_by_label_contains("Slot 3: each server's vote");
    h.get_by_label("chosen: put z=3 (ballot 1.1)");
    // S3's vote in its own ballot, and S1's and S2's in S1's.
    h.get_by_label("2.3  put z=3");
    assert_eq!(h.get_all_by_label("1.1  put z=3").count(), 2);
    drop(h);
    assert_eq!(view.selected, Some(3));
}

/// The failover log with slot 2's votes open, in `lang`.
fn snapshot_log(lang: Lang, name: &str) {
    let world = failover();
    let palette = Palette::standard(true);
    let mut view = LogView {
        selected: Some(2),
        ..Default::default()
    };
    let mut h = harness(Vec2::new(760.0, 420.0), |ui| {
        view.ui(ui, &world, lang, &palette);
    });
    h.run();
    h.snapshot(name);
}

#[test]
fn snapshot_log_view() {
    snapshot_log(Lang::En, "log_view");
}

#[test]
fn snapshot_log_view_in_chinese() {
    snapshot_log(Lang::Zh, "log_view_zh");
}

/// The `apply-past-hole` scenario, then a heartbeat that lets S2 apply both slots in order: S1
/// (which applied slot 2 over the hole) and S2 applied as many slots and hold different stores.
fn diverged() -> (MultiPaxosWorld, MultiPaxosWorld) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/multipaxos/apply-past-hole.ron"
    ))
    .unwrap()
    .replace(
        "        Deliver(12),",
        "        Deliver(12), Timeout(\"S1\"), Deliver(14),",
    );
    let (t, r) = trace::parse_and_replay_as::<MultiPaxos>(std::path::Path::new("d.ron"), &text)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut back = t.config.world();
    for a in &t.actions[..t.actions.len() - 1] {
        back.apply(a).unwrap();
    }
    (r.world, back)
}

#[test]
fn replicas_at_the_same_slot_with_different_stores_stand_out() {
    let (world, _) = diverged();
    let rows = store_rows(&world);
    let s = |i: u8| rows.iter().find(|r| r.server == server(i)).unwrap();
    assert_eq!((s(1).applied, s(2).applied, s(3).applied), (2, 2, 0));
    assert!(
        s(1).diverged && s(2).diverged,
        "same slot, different stores"
    );
    assert!(!s(3).diverged, "S3 only lags");
}

#[test]
fn the_store_view_names_the_lag_the_divergence_and_what_changed() {
    let (world, back) = diverged();
    let palette = Palette::standard(true);
    let mut view = StoreView::default();
    let mut h = harness(Vec2::new(640.0, 220.0), |ui| {
        view.ui(ui, &world, Some(&back), Lang::En, &palette)
    });
    h.run();
    assert_eq!(
        h.get_all_by_label_contains("differs from a replica at the same slot")
            .count(),
        2
    );
    h.get_by_label("applied up to slot 0 · 2 slots behind");
    h.snapshot("store_view");
}

fn replay(text: &str) -> MultiPaxosWorld {
    let (_, r) = trace::parse_and_replay_as::<MultiPaxos>(std::path::Path::new("t.ron"), text)
        .unwrap_or_else(|e| panic!("{e}"));
    r.world
}

/// The `no-dedup` scenario, then C2 takes the second run's answer (`fail`) as its own.
fn double_cas() -> MultiPaxosWorld {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/multipaxos/no-dedup.ron"
    ))
    .unwrap()
    .replace("        Deliver(17),", "        Deliver(18),");
    replay(&text)
}

/// Two clients: C1 puts, then C2 and C1 read, overlapping.
fn two_clients() -> MultiPaxosWorld {
    replay(
        r#"(
        version: 2,
        protocol: "multipaxos",
        config: (servers: 3, clients: 2, seed: 1),
        actions: [
            Propose("C1", Put("x", "1")), Propose("C2", Put("x", "2")), Deliver(1), Deliver(3),
            Deliver(5), Deliver(2), Deliver(6), Deliver(8), Deliver(10), Deliver(11), Deliver(12),
            Deliver(13), Propose("C1", Get("x")),
        ],
    )"#,
    )
}

#[test]
fn a_linearizable_history_gets_a_point_inside_every_answered_request() {
    let p = history_picture(&two_clients());
    assert!(p.unplaceable.is_none());
    assert_eq!(p.bars.len(), 3);
    for b in &p.bars {
        if let (Some(point), Some((r, _))) = (b.point, b.ret) {
            assert!(point >= b.invoke as f64 && point <= r as f64, "{b:?}");
        }
    }
    assert!(p.bars[2].ret.is_none(), "C1's get is pending");
}

#[test]
fn a_double_run_cas_is_the_request_no_order_can_place() {
    let p = history_picture(&double_cas());
    let u = p.unplaceable.clone().expect("not linearizable");
    let bar = &p.bars[u.culprit];
    assert_eq!(
        (bar.client, bar.op.to_string()),
        (
            paxos_lab::protocols::multipaxos::client(2),
            "cas x:1->2".to_string()
        )
    );
    assert_eq!((u.got, u.would, u.before), (Output::Fail, Output::Ok, 1));
    assert!(p.bars[0].point.is_some(), "C1's put is placed");
}

#[test]
fn the_history_view_gives_its_verdict_and_why() {
    let world = double_cas();
    let palette = Palette::standard(true);
    let mut view = HistoryView::default();
    let mut h = harness(Vec2::new(720.0, 200.0), |ui| {
        view.ui(ui, &world, &[], Lang::En, &palette)
    });
    h.run();
    h.get_by_label(" NOT linearizable ");
    h.get_by_label_contains(
        "C2 cas x:1->2 returned fail, but after the one request that can be ordered before it the store would answer ok.",
    );
    h.snapshot("history_view_violation");
}

#[test]
fn the_history_view_ticks_each_linearization_point_in_chinese() {
    let world = two_clients();
    let palette = Palette::standard(true);
    let mut view = HistoryView::default();
    let mut h = harness(Vec2::new(720.0, 200.0), |ui| {
        view.ui(ui, &world, &[], Lang::Zh, &palette)
    });
    h.run();
    h.get_by_label(" 线性一致 ");
    h.snapshot("history_view_zh");
}

/// The stable-leader lesson's run: C1's put waits for phase 1, its get costs phase 2 alone.
fn stable_leader(actions: &str) -> MultiPaxosWorld {
    replay(&format!(
        r#"(version: 2, protocol: "multipaxos", config: (servers: 3, clients: 1, seed: 1),
            actions: [{actions}])"#
    ))
}

#[test]
fn the_leader_panel_counts_what_a_stable_leader_saves() {
    let campaigning = leader_figures(&stable_leader(
        r#"Propose("C1", Put("x", "1")), Deliver(1)"#,
    ));
    assert_eq!(campaigning.server, Some(server(1)));
    assert!(!campaigning.prepared);
    assert_eq!(
        campaigning.promises,
        (1, 2),
        "its own promise of the two it needs"
    );
    let world = stable_leader(
        r#"Propose("C1", Put("x", "1")), Deliver(1), Deliver(2), Deliver(4), Deliver(5),
           Deliver(7), Deliver(8), Propose("C1", Get("x")), Deliver(9), Deliver(10),
           Deliver(12), Deliver(13)"#,
    );
    let f = leader_figures(&world);
    assert!(f.prepared);
    assert_eq!((f.next, f.phase2_only, f.committed), (Some(3), 1, 2));
    assert_eq!(f.messages_sent, 13);
    assert_eq!(f.messages_per_command(), Some(6.5));
    let mut view = LeaderView;
    let mut h = harness(Vec2::new(420.0, 220.0), |ui| view.ui(ui, &world, Lang::En));
    h.run();
    h.get_by_label("done: leads");
    h.get_by_label("6.5");
    // What the leader knows (its commit index) apart from what the monitor saw chosen.
    h.get_by_label("its commit index (what it knows is chosen)");
    h.get_by_label("commands chosen (seen by the monitor)");
    let leader = f.server.unwrap();
    let commit = paxos_lab::protocols::multipaxos::describe::log_rows(&world)
        .into_iter()
        .find(|r| r.server == leader)
        .unwrap()
        .commit;
    assert!(h.get_all_by_label(&commit.to_string()).count() >= 1);
    h.snapshot("leader_view");
}

/// The partition lesson's whole reference run, in a session (for its lane marks).
fn partition_session() -> paxos_lab::session::Session<MultiPaxos> {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/lessons/multipaxos/06-partitions.ron"
    ));
    let text = std::fs::read_to_string(path).unwrap();
    let (lesson, script) = paxos_lab::lesson::check_reference_as::<MultiPaxos>(path, &text)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut world = lesson.config.world();
    for a in &script.actions {
        world.apply(a).unwrap();
    }
    let t = paxos_lab::trace::Trace::record(&lesson.config, None, script.actions.clone(), &world);
    let mut s = paxos_lab::session::Session::from_trace(&t).unwrap();
    s.apply(paxos_lab::session::Command::SeekEnd);
    s.refresh_spans();
    s
}

#[test]
fn the_history_puts_the_partition_on_the_same_time_axis() {
    let session = partition_session();
    let world = session.world().clone();
    let marks = session.spans().1.to_vec();
    assert!(
        marks
            .iter()
            .any(|(_, m)| matches!(m, paxos_lab::session::LaneMark::LinkCut(..)))
    );
    let palette = Palette::standard(true);
    let mut view = HistoryView::default();
    let mut h = harness(Vec2::new(760.0, 220.0), |ui| {
        view.ui(ui, &world, &marks, Lang::En, &palette)
    });
    h.run();
    h.get_by_label(" linearizable ");
    h.snapshot("history_view_partition");
}

/// The workspace steps through a recorded run by its buttons, extends it at the end, and
/// speaks both languages.
#[test]
fn the_workspace_steps_through_a_run_and_extends_it_at_the_end() {
    let mut session = partition_session();
    session.apply(paxos_lab::session::Command::Seek(30));
    let mut h = app_harness(session);
    h.run();
    h.get_by_label("step 30 of 48");
    h.get_by_label_contains("✔ linearizability");
    h.get_by_label("Step").click();
    h.run();
    assert_eq!(h.state().session.position(), 31);
    h.get_by_label("Back").click();
    h.get_by_label("Back").click();
    h.run();
    assert_eq!(h.state().session.position(), 29);
    h.get_by_label("Jump to end").click();
    h.run();
    assert_eq!(h.state().session.position(), 48);
    h.get_by_label("Step").click();
    h.run();
    assert_eq!(
        h.state().session.len(),
        49,
        "at the end a step is scheduled and recorded"
    );
    h.get_by_label("Presenter mode").click();
    h.run();
    assert!(h.state().presenter);
    assert!(
        (h.ctx.zoom_factor() - 1.4).abs() < 1e-3,
        "presenter mode is larger"
    );
    h.get_by_label("Presenter mode").click();
    h.run();
    h.get_by_label("Reset").click();
    h.run();
    assert_eq!(h.state().session.position(), 0);
    h.get_by_label("简体中文").click();
    h.run();
    h.get_by_label("第 0 步，共 49 步");
    h.get_by_label("发送请求");
}

/// A run that broke a rule says so in the safety bar, with the rule in words.
#[test]
fn the_safety_bar_names_the_rule_a_run_broke() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/multipaxos/apply-past-hole.ron"
    ))
    .unwrap();
    let (t, _) =
        trace::parse_and_replay_as::<MultiPaxos>(std::path::Path::new("a.ron"), &text).unwrap();
    let mut session = paxos_lab::session::Session::from_trace(&t).unwrap();
    session.apply(paxos_lab::session::Command::SeekEnd);
    let mut h = app_harness(session);
    h.run();
    h.get_by_label("✖ replicas apply the same log in order");
    h.get_by_label_contains("VIOLATED at step");
    h.get_by_label("⚠ Flawed cluster: apply-past-hole");
}

/// A request typed into the form goes from the client to the leader, through the log, and
/// comes back answered; the store and the history show it.
#[test]
fn a_request_from_the_form_is_committed_applied_and_answered() {
    let mut h = app_harness(sandbox(3, 2));
    h.run();
    assert!(step_until(&mut h, 200, |a| answered(a, 2).len() == 1));
    h.get_by_role_and_label(egui::accesskit::Role::RadioButton, "C2")
        .click();
    h.get_by_label("Cas").click();
    h.run();
    // The form opens on key x; the expected and new values are typed in.
    assert_eq!(h.state().request.key, "x");
    h.state_mut().request.expected.clear();
    h.state_mut().request.value.clear();
    h.run();
    for (field, text) in [("expected", "B"), ("value", "Z")] {
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, field)
            .click();
        h.run();
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, field)
            .type_text(text);
        h.run();
    }
    assert_eq!(
        (
            h.state().request.expected.as_str(),
            h.state().request.value.as_str()
        ),
        ("B", "Z")
    );
    h.get_by_label("Send request").click();
    h.run();
    let sent = h.state().session.len();
    assert!(
        h.state()
            .session
            .to_trace()
            .actions
            .last()
            .unwrap()
            .to_string()
            == "Propose(C2, Cas(\"x\", \"B\", \"Z\"))",
        "the request is an action in the run"
    );
    assert!(step_until(&mut h, 300, |a| answered(a, 2).len() == 2));
    assert!(h.state().session.len() > sent);
    let (_, out) = answered(h.state(), 2)[1];
    // The cas succeeds exactly when C2's put of B was the later of the two opening puts; the
    // stores then hold Z, otherwise A.
    let want = if out == Output::Ok { "Z" } else { "A" };
    // Followers apply it once the leader's next message carries the commit index.
    assert!(step_until(&mut h, 300, |a| {
        let rows = store_rows(a.session.world());
        rows.iter().all(|r| r.applied == rows[0].applied)
    }));
    for row in store_rows(h.state().session.world()) {
        let x = row.kv.iter().find(|(k, _)| k.to_string() == "x").unwrap().1;
        assert_eq!(x.to_string(), want, "{}", row.server);
    }
    h.get_by_label_contains("✔ linearizability");
}

/// Crashing the leader from its button: another server times out, is elected with a higher
/// ballot, and a request sent afterwards still commits.
#[test]
fn crashing_the_leader_elects_another_that_still_commits() {
    let mut h = app_harness(sandbox(3, 1));
    h.run();
    assert!(step_until(&mut h, 200, |a| answered(a, 1).len() == 1));
    let first = leader_of(h.state()).expect("a leader answered C1");
    let first_ballot = leader_figures(h.state().session.world()).ballot.unwrap();
    h.get_by_label(&format!("Crash {first}")).click();
    h.run();
    assert!(!h.state().session.world().node(first).unwrap().up);
    h.get_by_label(&format!("Restart {first}"));
    h.get_by_label("Get").click();
    h.run();
    h.get_by_label("Send request").click();
    h.run();
    assert!(step_until(&mut h, 600, |a| leader_of(a).is_some_and(|l| l != first)));
    let second = leader_figures(h.state().session.world());
    assert!(second.ballot.unwrap() > first_ballot, "a higher ballot");
    assert!(step_until(&mut h, 600, |a| answered(a, 1).len() == 2));
    let (op, out) = answered(h.state(), 1)[1];
    assert_eq!(op.to_string(), "get x");
    assert_eq!(
        out.to_string(),
        "\"A\"",
        "the new leader kept the chosen put"
    );
    h.get_by_label_contains("✔ linearizability");
}

/// The partition gesture: tick two of five servers and split, and every link across is cut
/// (one action each, recorded); the majority side keeps committing, the minority cannot; heal
/// mends them all.
#[test]
fn a_partition_splits_the_cluster_and_heal_mends_it() {
    let mut h = app_harness(sandbox(5, 1));
    h.run();
    assert!(step_until(&mut h, 300, |a| answered(a, 1).len() == 1));
    let leader = leader_of(h.state()).unwrap();
    // The leader and one follower on the minority side, with no client.
    let other = (1..=5).map(server).find(|&s| s != leader).unwrap();
    // Clicking the leader in the graph selects it; the inspector names it.
    h.get_by_role_and_label(egui::accesskit::Role::Button, &leader.to_string())
        .click();
    h.run();
    assert_eq!(
        h.state().session.selection,
        Some(paxos_lab::session::Selection::Node(leader))
    );
    for id in [leader, other] {
        h.get_by_role_and_label(egui::accesskit::Role::CheckBox, &id.to_string())
            .click();
    }
    h.run();
    let before = h.state().session.len();
    h.get_by_label("Split").click();
    h.run();
    let world = h.state().session.world();
    // 2 x 3 servers across, and the client to each of the two.
    assert_eq!(world.network().cut_links().len(), 6 + 2);
    assert_eq!(
        h.state().session.len(),
        before + 8,
        "one action per cut link"
    );
    h.get_by_label("8 links cut");
    let committed = leader_figures(world).committed;
    h.get_by_label("Put").click();
    h.run();
    h.get_by_label("Send request").click();
    h.run();
    // The majority side elects a leader of its own and commits the client's put.
    assert!(step_until(&mut h, 900, |a| answered(a, 1).len() == 2));
    let new = leader_of(h.state()).unwrap();
    assert!(
        new != leader && new != other,
        "elected on the majority side"
    );
    assert!(leader_figures(h.state().session.world()).committed > committed);
    // The old leader, cut off, applied nothing new.
    let rows = log_rows(h.state().session.world());
    let old_row = &rows[leader.index as usize - 1];
    let new_row = &rows[new.index as usize - 1];
    assert!(
        old_row.applied < new_row.applied,
        "the minority cannot commit"
    );
    h.get_by_label("Heal").click();
    h.run();
    assert!(h.state().session.world().network().cut_links().is_empty());
    assert!(step_until(&mut h, 600, |a| {
        let rows = log_rows(a.session.world());
        rows[leader.index as usize - 1].applied == rows[new.index as usize - 1].applied
    }));
    h.get_by_label_contains("✔ linearizability");
}

/// Clicking a message in the graph selects it; the controls then deliver, drop or hold it.
#[test]
fn a_message_clicked_in_the_graph_can_be_dropped_or_held() {
    let mut h = app_harness(sandbox(3, 1));
    h.run();
    let first = h.state().session.world().network().earliest().unwrap().id;
    h.get_by_label_contains(&format!("{first} Request")).click();
    h.run();
    assert_eq!(
        h.state().session.selection,
        Some(paxos_lab::session::Selection::Message(first))
    );
    h.get_by_label("Hold").click();
    h.run();
    assert!(h.state().session.held.contains(&first));
    step(&mut h, 5);
    assert!(
        h.state().session.world().network().get(first).is_some(),
        "held back"
    );
    h.get_by_label("Drop").click();
    h.run();
    assert!(h.state().session.world().network().get(first).is_none());
    assert!(
        h.state()
            .session
            .to_trace()
            .actions
            .last()
            .unwrap()
            .to_string()
            .starts_with("Drop(")
    );
}

/// The whole workspace mid-run: graph, log, history, leader, stores.
fn snapshot_workspace(lang: Lang, name: &str) {
    let mut session = partition_session();
    session.apply(paxos_lab::session::Command::Seek(40));
    let mut h = app_harness(session);
    h.state_mut().lang = lang;
    h.run();
    h.snapshot(name);
}

#[test]
fn snapshot_the_workspace() {
    snapshot_workspace(Lang::En, "multipaxos_app");
}

#[test]
fn snapshot_the_workspace_in_chinese() {
    snapshot_workspace(Lang::Zh, "multipaxos_app_zh");
}

/// The protocol picker: the lesson picker opens a Multi-Paxos sandbox, whose settings go back
/// to Paxos; the Paxos sandbox's settings open Multi-Paxos with the counts chosen there.
#[test]
fn the_protocol_picker_switches_between_paxos_and_multipaxos() {
    let mut h = lab_harness();
    h.run();
    h.get_by_label("Multi-Paxos sandbox: a replicated key-value store")
        .click();
    h.run();
    let mp = h
        .state()
        .store::<MultiPaxos>()
        .expect("the Multi-Paxos workspace");
    assert_eq!(mp.session.config().servers, 3);
    h.get_by_label("Send request");
    // Back to Paxos through the settings' protocol picker.
    h.get_by_label("New run…").click();
    h.run();
    h.get_by_label("Paxos (one value)").click();
    h.run();
    h.get_by_label("Start new run").click();
    h.run();
    h.run();
    assert!(h.state().store::<MultiPaxos>().is_none());
    assert!(matches!(h.state().paxos.screen, Screen::Sandbox));
    // And from the Paxos sandbox's settings to a Multi-Paxos run of five servers.
    h.get_by_label("Run").click();
    h.run();
    h.get_by_label_contains("New run…").click();
    h.run();
    h.get_by_label("Multi-Paxos (a replicated key-value store)")
        .click();
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::SpinButton, "servers")
        .set_value_accesskit(5.0);
    h.run();
    h.get_by_label("Start new run").click();
    h.run();
    h.run();
    let mp = h
        .state()
        .store::<MultiPaxos>()
        .expect("the Multi-Paxos workspace");
    assert_eq!(mp.session.config().servers, 5);
    h.get_by_label("Crash S5");
}

/// In a busy run (five servers, five clients asking all the time, messages dropped and
/// duplicated), at every tenth step, in both languages and at presenter size: no message label
/// covers another label, a node or a node's words, and every label lies inside the view.
#[test]
fn graph_labels_never_collide_in_a_busy_run() {
    use paxos_lab::ui::store::graph::{GraphFrame, StoreGraph};
    let config = paxos_lab::protocols::multipaxos::Config {
        servers: 5,
        clients: 5,
        ..Default::default()
    };
    let knobs = paxos_lab::sim::Knobs {
        drop: 0.05,
        duplicate: 0.05,
        propose: 0.2,
        ..paxos_lab::sim::Knobs::NONE
    };
    let mut session = paxos_lab::session::Session::new(config, knobs);
    for _ in 0..300 {
        session.apply(paxos_lab::session::Command::StepForward);
    }
    let mut labels_seen = 0;
    for (lang, scale) in [(Lang::En, 1.0), (Lang::Zh, 1.25)] {
        for at in (0..=300).step_by(10) {
            session.apply(paxos_lab::session::Command::Seek(at));
            let mut graph = StoreGraph::<MultiPaxos>::default();
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

/// A Multi-Paxos lesson from the picker, as a student takes it: the narration plays, the
/// exercise allows only delivering messages (Crash is disabled, and a crash by key is refused),
/// the messages are clicked and delivered in the graph, and the exercise is solved.
#[test]
fn a_multipaxos_lesson_is_taken_in_the_workspace() {
    let mut h = lab_harness();
    h.run();
    h.get_by_label_contains("From one value to a log")
        .scroll_to_me();
    h.run();
    h.get_by_label_contains("From one value to a log").click();
    h.run();
    let mp = h
        .state()
        .store::<MultiPaxos>()
        .expect("the Multi-Paxos workspace");
    assert_eq!(mp.lesson.as_ref().unwrap().step, 0);
    h.get_by_label("Next ▶").click();
    h.run();
    // The Do step plays by itself: move the frozen clock on until it has.
    for t in 1..40 {
        h.state_mut().store_mut::<MultiPaxos>().unwrap().fixed_time = Some(t as f64);
        h.run();
    }
    h.get_by_label("Next ▶").click();
    h.run();
    h.get_by_label("Next ▶").click();
    h.run();
    let mp = h.state().store::<MultiPaxos>().unwrap();
    assert_eq!(mp.lesson.as_ref().unwrap().step, 3, "the first exercise");
    use egui_kittest::kittest::NodeT;
    assert!(
        h.get_by_label("Crash S1").accesskit_node().is_disabled(),
        "the exercise allows delivering only"
    );
    // The wrong way: stepping on by itself is refused, the student acts.
    h.get_by_label("Step").click();
    h.run();
    let mp = h.state().store::<MultiPaxos>().unwrap();
    assert!(matches!(
        mp.session.notice,
        Some(paxos_lab::session::Notice::Refused(_))
    ));
    // The reference solution, by clicks: C2's request, then S2's votes. The exercise's own
    // controls list the messages due first, each with its button (markers can overlap).
    for id in [2, 6, 8] {
        let deliver = format!("Deliver #{id}");
        h.get_by_label(&deliver).scroll_to_me();
        h.run();
        h.get_by_label(&deliver).click();
        h.run();
    }
    let mp = h.state().store::<MultiPaxos>().unwrap();
    let actions: Vec<String> = mp
        .session
        .to_trace()
        .actions
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert!(
        mp.lesson.as_ref().unwrap().solved[3],
        "solved by the student: {actions:?} {:?}",
        mp.session.notice
    );
    h.get_by_label_contains("Solved");
}

/// Closing the window on an unsaved Multi-Paxos run asks first; Save and quit writes the run
/// where the user says, and the saved file opens again as the same run.
#[test]
fn quitting_the_workspace_with_an_unsaved_run_asks_and_saves() {
    fn request_close(h: &mut Harness<'static, MultiPaxosApp>) {
        h.input_mut()
            .viewports
            .entry(egui::ViewportId::ROOT)
            .or_default()
            .events
            .push(egui::ViewportEvent::Close);
        h.run();
    }
    let dir = std::env::temp_dir().join(format!("paxos-lab-mp-quit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Untouched: it closes without a question.
    let mut h = app_harness(sandbox(3, 1));
    h.run();
    request_close(&mut h);
    assert!(!h.state().file.quit_prompt);
    // Changed: the question, then Save and quit through the file dialog.
    let mut h = app_harness(sandbox(3, 1));
    h.state_mut().file.dialog.dir = dir.clone();
    h.run();
    step(&mut h, 12);
    request_close(&mut h);
    assert!(h.state().file.quit_prompt);
    h.get_by_label("Cancel").click();
    h.run();
    assert!(!h.state().file.quit_prompt && !h.state().file.quit_confirmed);
    request_close(&mut h);
    h.get_by_label("Save and quit").click();
    h.run();
    h.get_by_label("Save").click();
    h.run();
    assert!(h.state().file.quit_confirmed, "{:?}", h.state().file.status);
    let saved = dir.join("multipaxos-run.ron");
    let text = std::fs::read_to_string(&saved).unwrap();
    let (t, _) = trace::parse_and_replay_as::<MultiPaxos>(&saved, &text).unwrap();
    assert_eq!(t.actions, h.state().session.to_trace().actions);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Multi-Paxos trace dropped on the workspace opens at its start; a broken one changes
/// nothing and says why at its place; a Paxos trace is for the Paxos app, so it asks first
/// before leaving the unsaved run (and keeping the run changes nothing).
#[test]
fn dropping_a_trace_on_the_workspace_opens_it_and_a_wrong_one_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("paxos-lab-mp-drop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/multipaxos/stale-read.ron"
    ));
    let paxos = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/ignore-promised-value.ron"
    ));
    let broken = dir.join("broken.ron");
    std::fs::write(
        &broken,
        r#"(version: 2, protocol: "multipaxos", config: (servers: 3, clients: 1, seed: 1), actions: [Deliver(7)])"#,
    )
    .unwrap();
    let mut h = app_harness(sandbox(3, 1));
    h.run();
    step(&mut h, 3);
    let before = h.state().session.to_trace().actions;
    common::drop_file(&mut h, &broken);
    h.run();
    assert_eq!(
        h.state().session.to_trace().actions,
        before,
        "the broken file changed the run"
    );
    let (error, text) = h.state().file.status.clone().expect("an error is shown");
    assert!(error && text.contains("broken.ron:1:"), "{text}");
    common::drop_file(&mut h, &paxos);
    h.run();
    assert!(
        h.state().file.waiting.is_some(),
        "it asks before leaving the run"
    );
    h.get_by_label("Keep this run").click();
    h.run();
    assert!(
        h.state().leave.is_none(),
        "kept: the window is not asked to open it"
    );
    assert_eq!(h.state().session.to_trace().actions, before);
    common::drop_file(&mut h, &good);
    h.run();
    // The three steps taken are unsaved: it asks before the dropped run replaces them.
    assert!(h.state().file.waiting.is_some(), "it asks first");
    assert_eq!(h.state().session.to_trace().actions, before);
    h.get_by_label("Go on without saving").click();
    h.run();
    assert_eq!(h.state().session.position(), 0);
    assert_eq!(h.state().session.config().flaws.len(), 1);
    assert_eq!(h.state().file.document.as_deref(), Some(good.as_path()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Leaving an unsaved Multi-Paxos run (File > Lessons) asks first: Cancel stays, Save and leave
/// writes the run and then goes to the picker; a saved run leaves at once.
#[test]
fn leaving_an_unsaved_run_asks_first_and_can_save_it() {
    let dir = std::env::temp_dir().join(format!("paxos-lab-mp-leave-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut h = lab_harness();
    h.run();
    h.get_by_label("Multi-Paxos sandbox: a replicated key-value store")
        .click();
    h.run();
    h.state_mut()
        .store_mut::<MultiPaxos>()
        .unwrap()
        .file
        .dialog
        .dir = dir.clone();
    for _ in 0..3 {
        h.get_by_label("Step").click();
        h.run();
    }
    let leave = |h: &mut Harness<'static, paxos_lab::ui::LabApp>| {
        h.get_by_label("File").click();
        h.run();
        h.get_by_label_contains("Lessons…").click();
        h.run();
    };
    // A new run in its place asks too.
    h.get_by_label("New run…").click();
    h.run();
    h.get_by_label("Start new run").click();
    h.run();
    assert!(
        h.state()
            .store::<MultiPaxos>()
            .unwrap()
            .file
            .waiting
            .is_some()
    );
    h.get_by_label("Keep this run").click();
    h.run();
    assert_eq!(
        h.state().store::<MultiPaxos>().unwrap().session.len(),
        5,
        "kept"
    );
    leave(&mut h);
    h.get_by_label("Keep this run").click();
    h.run();
    assert!(h.state().store::<MultiPaxos>().is_some(), "it stays");
    leave(&mut h);
    h.get_by_label("Save, then go on").click();
    h.run();
    h.get_by_label("Save").click();
    h.run();
    h.run();
    assert!(
        h.state().store::<MultiPaxos>().is_none(),
        "saved, then left"
    );
    assert!(h.state().on_picker);
    let saved = dir.join("multipaxos-run.ron");
    let text = std::fs::read_to_string(&saved).unwrap();
    let (t, _) = trace::parse_and_replay_as::<MultiPaxos>(&saved, &text).unwrap();
    assert_eq!(t.actions.len(), 2 + 3, "the opening puts and three steps");
    // One list of recent files for the whole window: the picker's File menu has it, and so has
    // the workspace's, which opens it again from there.
    let recent = &h.state().settings.recent_files;
    assert!(
        recent
            .first()
            .is_some_and(|p| p.ends_with("multipaxos-run.ron")),
        "{recent:?}"
    );
    h.get_by_label("Multi-Paxos sandbox: a replicated key-value store")
        .click();
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Recent files").click();
    h.run();
    h.get_by_label("multipaxos-run.ron").click();
    h.run();
    let store = h.state().store::<MultiPaxos>().unwrap();
    assert_eq!(store.session.len(), 5, "the saved run, opened again");
    assert!(
        store
            .file
            .document
            .as_ref()
            .is_some_and(|p| p.ends_with("multipaxos-run.ron"))
    );
    assert!(!store.unsaved());
    let _ = std::fs::remove_dir_all(&dir);
}

/// "Can this break?" in the Multi-Paxos workspace: with `commit-on-minority` the search finds a
/// server applying what was never chosen, and "Watch it" opens that run here.
#[test]
fn can_this_break_finds_a_multipaxos_flaw_and_opens_its_run() {
    use paxos_lab::protocols::multipaxos::{Config, Flaw};
    use paxos_lab::session::{Command, Session};
    let config = Config {
        servers: 3,
        clients: 1,
        flaws: vec![Flaw::CommitOnMinority],
        ..Config::default()
    };
    let session = Session::new(config, paxos_lab::sim::Knobs::default());
    let mut app = MultiPaxosApp::new(session, Lang::En);
    app.fixed_time = Some(0.0);
    let mut h = window_harness(app, |ui, app: &mut MultiPaxosApp| app.ui(ui));
    h.run();
    h.get_by_label("Can this break?…").click();
    h.run();
    search_until_broken(&mut h);
    h.get_by_label_contains("Shortest run that breaks it");
    h.get_by_label("Watch it").click();
    h.run();
    let app = h.state_mut();
    let len = app.session.len();
    app.session.apply(Command::Seek(len));
    assert!(
        app.session
            .world()
            .violations()
            .iter()
            .any(|v| v.invariant == "applied-is-chosen"),
        "{:?}",
        app.session.world().violations()
    );
}
