//! Multi-Paxos's views: its log and its leader panel, and how the store workspace shows it (its
//! names, its lessons, its graph's words and marks).

pub mod leader_view;
pub mod log_view;
pub mod words;

use egui::Ui;

use crate::palette::Palette;
use crate::protocols::kv::Client;
use crate::protocols::multipaxos::describe::{ServerRole, server_status};
use crate::protocols::multipaxos::{self, MultiPaxos, MultiPaxosWorld};
use crate::sim::NodeId;
use crate::sim::world::World;
use crate::trace::Protocol;
use crate::ui::i18n::{Lang, T, fill};
use crate::ui::store::app::{StoreApp, StoreWorkspace};

/// The store workspace on MultiPaxos.
pub type MultiPaxosApp = StoreApp<MultiPaxos>;
use crate::ui::store::graph::StoreGraphView;
use leader_view::LeaderView;
use log_view::LogView;

pub use crate::lesson::bundled::MULTIPAXOS as BUNDLED;

impl StoreWorkspace for MultiPaxos {
    const PROTOCOL: Protocol = Protocol::MultiPaxos;
    const SANDBOX_BUTTON: T = words::OPEN_SANDBOX;
    const LESSONS_HEADING: T = words::LESSONS;
    type Panels = (LogView, LeaderView);

    fn heading() -> T {
        words::PROTOCOL
    }

    fn invariant_name(id: &str) -> T {
        words::invariant_name(id)
    }

    fn leader_panel(panels: &mut Self::Panels, ui: &mut Ui, world: &World<Self>, lang: Lang) {
        panels.1.ui(ui, world, lang);
    }

    fn log_panel(
        panels: &mut Self::Panels,
        ui: &mut Ui,
        world: &World<Self>,
        lang: Lang,
        palette: &Palette,
    ) -> Vec<(NodeId, egui::Rect)> {
        panels.0.ui(ui, world, lang, palette)
    }

    fn inspector_extra(ui: &mut Ui, world: &World<Self>, id: NodeId, lang: Lang) {
        crate::ui::store::settings::clock_lines(ui, world.clock(id), world.now(), lang);
        if let Some(multipaxos::Node::Server(s)) = world.node(id).map(|n| &n.state) {
            ui.label(format!("{} {}", T::Promised.get(lang), s.promised));
            if !s.pending.is_empty() {
                ui.label(fill(T::MpQueued.get(lang), &[&s.pending.len()]));
            }
            let election = world.protocol().election_state(s);
            crate::ui::store::settings::election_lines(ui, &election, world, id, lang);
        }
    }
}

impl StoreGraphView for MultiPaxos {
    fn cluster(world: &MultiPaxosWorld) -> (u8, u8) {
        (world.protocol().servers, world.protocol().clients)
    }

    fn client(world: &MultiPaxosWorld, id: NodeId) -> Option<&Client> {
        match &world.node(id)?.state {
            multipaxos::Node::Client(c) => Some(c),
            multipaxos::Node::Server(_) => None,
        }
    }

    /// Its role and ballot, then its commit and applied indexes.
    fn server_words(world: &MultiPaxosWorld, id: NodeId, lang: Lang) -> String {
        let tr = |t: T| t.get(lang);
        let Some(slot) = world.node(id) else {
            return String::new();
        };
        if !slot.up {
            return tr(T::Crashed).to_string();
        }
        let Some(s) = server_status(world, id) else {
            return String::new();
        };
        let role = match s.role {
            ServerRole::Leader { ballot } => fill(tr(words::LEADER_IN), &[&ballot]),
            ServerRole::Candidate { ballot } => fill(tr(words::CANDIDATE_IN), &[&ballot]),
            ServerRole::PreCandidate { ballot } => fill(tr(words::PRE_CANDIDATE_IN), &[&ballot]),
            ServerRole::Follower { leader: Some(l) } => {
                fill(tr(words::FOLLOWER_OF), &[&format!("S{l}")])
            }
            ServerRole::Follower { leader: None } => tr(words::FOLLOWER).to_string(),
        };
        let role = crate::ui::store::settings::paused_caption(world, id, role, lang);
        format!(
            "{role}\n{}",
            fill(tr(words::COMMIT_APPLIED), &[&s.commit, &s.applied])
        )
    }

    fn leads(world: &MultiPaxosWorld, id: NodeId) -> bool {
        server_status(world, id).is_some_and(|s| matches!(s.role, ServerRole::Leader { .. }))
    }

    fn leader_tag(world: &MultiPaxosWorld, id: NodeId, _lang: Lang) -> Option<String> {
        server_status(world, id).and_then(|s| match s.role {
            ServerRole::Leader { ballot } => Some(ballot.to_string()),
            _ => None,
        })
    }

    fn graph_label(env: &crate::sim::network::Envelope<multipaxos::Msg>) -> String {
        match &env.msg {
            multipaxos::Msg::Client(_) => {
                <MultiPaxos as crate::protocols::Plugin>::message_words(env)
            }
            msg => multipaxos::describe::graph_label(msg),
        }
    }
}
