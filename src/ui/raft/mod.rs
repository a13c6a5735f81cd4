//! Raft's views: its log and its leader panel, and how the store workspace shows it (its names,
//! its lessons, its graph's words and RaftScope's marks: term colours, the election timer's arc,
//! a dot per vote).

pub mod log_view;
pub mod words;

use egui::{Color32, Painter, Pos2, Shape, Stroke, Ui, Vec2};

use crate::palette::Palette;
use crate::protocols::kv::Client;
use crate::protocols::raft::{self, Raft, RaftWorld};
use crate::sim::NodeId;
use crate::sim::world::World;
use crate::trace::Protocol;
use crate::ui::i18n::{Lang, T, fill};
use crate::ui::store::app::{StoreApp, StoreWorkspace};

/// The store workspace on Raft.
pub type RaftApp = StoreApp<Raft>;
use crate::ui::store::graph::{Mark, StoreGraphView};
use log_view::{RaftLeaderView, RaftLogView};

pub use crate::lesson::bundled::RAFT as BUNDLED;

impl StoreWorkspace for Raft {
    const PROTOCOL: Protocol = Protocol::Raft;
    const SANDBOX_BUTTON: T = crate::ui::raft::words::OPEN_SANDBOX;
    const LESSONS_HEADING: T = crate::ui::raft::words::LESSONS;
    const STORE_ENTRIES: bool = true;
    const TIMER_KEYS: bool = true;
    type Panels = (RaftLogView, RaftLeaderView);

    fn heading() -> T {
        crate::ui::raft::words::PROTOCOL
    }

    fn invariant_name(id: &str) -> T {
        crate::ui::raft::words::invariant_name(id)
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

    fn is_member(world: &World<Self>, id: NodeId) -> Option<bool> {
        let p = world.protocol();
        let leader = (1..=p.servers)
            .filter_map(|k| raft_server(world, raft::server(k)))
            .filter(|s| s.is_leader())
            .max_by_key(|s| s.term);
        let s = leader.or_else(|| raft_server(world, id))?;
        // Only in a run about configurations: a first configuration of fewer servers, or a
        // change already made.
        changes_configuration(world, s)?;
        Some(p.members(s) & 1 << (id.index - 1) != 0)
    }

    fn inspector_extra(ui: &mut Ui, world: &World<Self>, id: NodeId, lang: Lang) {
        crate::ui::store::settings::clock_lines(ui, world.clock(id), world.now(), lang);
        if let Some(raft::Node::Server(s)) = world.node(id).map(|n| &n.state) {
            let vote = s.voted_for.map_or("—".to_string(), |v| format!("S{v}"));
            ui.label(fill(
                crate::ui::raft::words::VOTED_FOR.get(lang),
                &[&s.term, &vote],
            ));
            if !s.pending.is_empty() {
                ui.label(fill(T::MpQueued.get(lang), &[&s.pending.len()]));
            }
            if let Some(members) = changes_configuration(world, s) {
                let names: Vec<String> = (1..=world.protocol().servers)
                    .filter(|k| members & 1 << (k - 1) != 0)
                    .map(|k| format!("S{k}"))
                    .collect();
                ui.label(fill(
                    crate::ui::raft::words::CONFIGURATION.get(lang),
                    &[&names.join(" "), &Raft::quorum_of(members)],
                ));
            }
            let election = world.protocol().election_state(s);
            crate::ui::store::settings::election_lines(ui, &election, world, id, lang);
        }
    }
}

/// The configuration server `s` uses, when the run's configuration is not simply every server
/// (a first configuration of fewer, or a change in its log or store).
fn changes_configuration(world: &RaftWorld, s: &raft::Server) -> Option<u64> {
    let p = world.protocol();
    let members = p.members(s);
    (p.voters != 0 || members != p.every_server() || s.store.config != Default::default())
        .then_some(members)
}

fn raft_server(world: &RaftWorld, id: NodeId) -> Option<&raft::Server> {
    match &world.node(id)?.state {
        raft::Node::Server(s) => Some(s),
        raft::Node::Client(_) => None,
    }
}

impl StoreGraphView for Raft {
    fn cluster(world: &RaftWorld) -> (u8, u8) {
        (world.protocol().servers, world.protocol().clients)
    }

    fn client(world: &RaftWorld, id: NodeId) -> Option<&Client> {
        match &world.node(id)?.state {
            raft::Node::Client(c) => Some(c),
            raft::Node::Server(_) => None,
        }
    }

    fn server_words(world: &RaftWorld, id: NodeId, lang: Lang) -> String {
        let tr = |t: T| t.get(lang);
        let Some(slot) = world.node(id) else {
            return String::new();
        };
        if !slot.up {
            return tr(T::Crashed).to_string();
        }
        let Some(s) = raft_server(world, id) else {
            return String::new();
        };
        let role = match &s.role {
            raft::Role::Leader { .. } => fill(tr(crate::ui::raft::words::LEADER_IN), &[&s.term]),
            raft::Role::Candidate { votes } => fill(
                tr(crate::ui::raft::words::CANDIDATE_IN),
                &[&s.term, &votes.count_ones()],
            ),
            raft::Role::PreCandidate { votes } => fill(
                tr(crate::ui::raft::words::PRE_CANDIDATE_IN),
                &[&(s.term + 1), &votes.count_ones(), &s.term],
            ),
            raft::Role::Follower { leader: Some(l) } => fill(
                tr(crate::ui::raft::words::FOLLOWER_OF),
                &[&format!("S{l}"), &s.term],
            ),
            raft::Role::Follower { leader: None } => {
                fill(tr(crate::ui::raft::words::FOLLOWER_IN), &[&s.term])
            }
        };
        let role = match changes_configuration(world, s) {
            Some(m) if m & 1 << (id.index - 1) == 0 => {
                format!("{role} · {}", tr(crate::ui::raft::words::OUTSIDE))
            }
            _ => role,
        };
        let role = crate::ui::store::settings::paused_caption(world, id, role, lang);
        format!(
            "{role}\n{}",
            fill(
                tr(crate::ui::raft::words::LOG_COMMIT_APPLIED),
                &[&s.last_index(), &s.commit, &s.applied]
            )
        )
    }

    /// Each live leader's electors: the servers of its term that voted for it (itself
    /// included), when they are still a majority of its configuration; shown when two of them
    /// share no server.
    fn disjoint_majorities(world: &RaftWorld) -> Vec<(NodeId, Vec<NodeId>)> {
        let servers = world.protocol().servers;
        let electors = |l: u8, term: u32| -> u64 {
            (1..=servers)
                .filter(|&k| {
                    raft_server(world, raft::server(k))
                        .is_some_and(|s| s.term == term && s.voted_for == Some(l))
                })
                .fold(0, |m, k| m | 1 << (k - 1))
        };
        let leaders: Vec<(u8, u64)> = (1..=servers)
            .filter(|&k| world.node(raft::server(k)).is_some_and(|n| n.up))
            .filter_map(|k| {
                let s = raft_server(world, raft::server(k)).filter(|s| s.is_leader())?;
                let members = world.protocol().members(s);
                let m = electors(k, s.term) & members;
                // A stale leader whose voters have moved on to later terms is no majority now.
                (m.count_ones() >= Raft::quorum_of(members)).then_some((k, m))
            })
            .collect();
        let disjoint = leaders
            .iter()
            .enumerate()
            .any(|(i, a)| leaders[i + 1..].iter().any(|b| a.1 & b.1 == 0));
        if !disjoint {
            return Vec::new();
        }
        leaders
            .into_iter()
            .map(|(l, m)| {
                let members = (1..=servers)
                    .filter(|k| m & 1 << (k - 1) != 0)
                    .map(raft::server)
                    .collect();
                (raft::server(l), members)
            })
            .collect()
    }

    fn leads(world: &RaftWorld, id: NodeId) -> bool {
        raft_server(world, id).is_some_and(|s| s.is_leader())
    }

    fn leader_tag(world: &RaftWorld, id: NodeId, lang: Lang) -> Option<String> {
        raft_server(world, id)
            .filter(|s| s.is_leader())
            .map(|s| fill(crate::ui::raft::words::TERM.get(lang), &[&s.term]))
    }

    fn graph_label(env: &crate::sim::network::Envelope<raft::Msg>) -> String {
        <Raft as crate::protocols::Plugin>::message_words(env)
    }

    fn server_fill(world: &RaftWorld, id: NodeId, pal: &Palette) -> Option<Color32> {
        raft_server(world, id).map(|s| pal.term(s.term))
    }

    /// The election timer as an arc of what is left of its longest wait (a follower or a
    /// candidate; a leader's timer is its heartbeat), and a candidate's votes as dots, filled
    /// for each granted, hollow for the rest of a majority.
    fn decorate(painter: &Painter, world: &RaftWorld, id: NodeId, m: &Mark) {
        let Some(s) = raft_server(world, id) else {
            return;
        };
        let slot = world.node(id).expect("a server of this world");
        let longest = 2.0 * world.protocol().timeout as f64;
        if let (Some(deadline), false) = (slot.timer, s.is_leader()) {
            let left = ((deadline as f64 - m.now) / longest).clamp(0.0, 1.0) as f32;
            let r = m.radius * 1.25;
            let steps = (48.0 * left).ceil().max(1.0) as usize;
            let start = -std::f32::consts::FRAC_PI_2;
            let arc: Vec<Pos2> = (0..=steps)
                .map(|k| {
                    let a = start + std::f32::consts::TAU * left * k as f32 / steps as f32;
                    m.centre + Vec2::new(a.cos(), a.sin()) * r
                })
                .collect();
            painter.add(Shape::line(
                arc,
                Stroke::new(3.0, m.ink.gamma_multiply(0.8)),
            ));
        }
        if let raft::Role::Candidate { votes } = s.role {
            let quorum = world.protocol().quorum();
            let dot = (m.radius * 0.16).clamp(3.0, 5.0);
            let gap = dot * 2.6;
            let first = m.centre
                + Vec2::new(
                    -(quorum as f32 - 1.0) * gap / 2.0,
                    -m.radius * 1.25 - dot * 2.5,
                );
            for k in 0..quorum {
                let p = first + Vec2::new(k as f32 * gap, 0.0);
                if k < votes.count_ones() {
                    painter.circle_filled(p, dot, m.palette.chosen);
                } else {
                    painter.circle_stroke(p, dot, Stroke::new(1.5, m.palette.chosen));
                }
            }
        }
    }
}
