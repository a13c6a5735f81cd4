//! PBFT's views: its certificate log and its view panel, and how the store workspace shows it
//! (its names, its lessons, its graph's words: the primary crowned with its view, a replica
//! asking for a new view said so).

pub mod log_view;
pub mod words;

use egui::Ui;

use crate::palette::Palette;
use crate::protocols::kv::Client;
use crate::protocols::pbft::{self, Pbft, PbftWorld};
use crate::sim::NodeId;
use crate::sim::world::World;
use crate::trace::Protocol;
use crate::ui::i18n::{Lang, T, fill};
use crate::ui::store::app::{StoreApp, StoreWorkspace};
use crate::ui::store::graph::StoreGraphView;
use log_view::{CertLogView, ViewPanel};

/// The store workspace on PBFT.
pub type PbftApp = StoreApp<Pbft>;

pub use crate::lesson::bundled::PBFT as BUNDLED;

impl StoreWorkspace for Pbft {
    const PROTOCOL: Protocol = Protocol::Pbft;
    const SANDBOX_BUTTON: T = words::OPEN_SANDBOX;
    const LESSONS_HEADING: T = words::LESSONS;
    const LEADER_TITLE: T = words::PANEL_VIEW;
    type Panels = (CertLogView, ViewPanel);

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
        if let Some(r) = replica(world, id) {
            if !r.waiting.is_empty() {
                ui.label(fill(T::MpQueued.get(lang), &[&r.waiting.len()]));
            }
            for (view, sender, certs) in &r.view_changes {
                ui.label(format!(
                    "ViewChange(v{view}) ← S{sender}: {}",
                    pbft::describe::counted(certs.len() as u64, "certificate", "certificates")
                ));
            }
        }
    }
}

fn replica(world: &PbftWorld, id: NodeId) -> Option<&pbft::Replica> {
    match &world.node(id)?.state {
        pbft::Node::Server(s) => Some(s),
        pbft::Node::Client(_) => None,
    }
}

impl StoreGraphView for Pbft {
    fn cluster(world: &PbftWorld) -> (u8, u8) {
        (world.protocol().servers, world.protocol().clients)
    }

    fn client(world: &PbftWorld, id: NodeId) -> Option<&Client> {
        match &world.node(id)?.state {
            pbft::Node::Client(c) => Some(&c.base),
            pbft::Node::Server(_) => None,
        }
    }

    /// Primary or backup of its view (or the view it asks for), then how far it executed.
    fn server_words(world: &PbftWorld, id: NodeId, lang: Lang) -> String {
        let tr = |t: T| t.get(lang);
        let Some(slot) = world.node(id) else {
            return String::new();
        };
        if !slot.up {
            return tr(T::Crashed).to_string();
        }
        let Some(r) = replica(world, id) else {
            return String::new();
        };
        let role = if !r.active {
            fill(tr(words::CHANGING_TO), &[&r.view])
        } else if world.protocol().primary(r.view) == id.index {
            fill(tr(words::PRIMARY_IN), &[&r.view])
        } else {
            fill(tr(words::BACKUP_IN), &[&r.view])
        };
        format!("{role}\n{}", fill(tr(words::EXECUTED_UPTO), &[&r.executed]))
    }

    fn leads(world: &PbftWorld, id: NodeId) -> bool {
        replica(world, id).is_some_and(|r| r.active && world.protocol().primary(r.view) == id.index)
    }

    fn leader_tag(world: &PbftWorld, id: NodeId, lang: Lang) -> Option<String> {
        replica(world, id)
            .filter(|r| r.active && world.protocol().primary(r.view) == id.index)
            .map(|r| fill(words::VIEW.get(lang), &[&r.view]))
    }

    fn graph_label(env: &crate::sim::network::Envelope<pbft::Msg>) -> String {
        <Pbft as crate::protocols::Plugin>::message_words(env)
    }
}
