//! PBFT as the rest of the program reads it: roles, message labels, lane marks, the outcome a
//! trace records (what honest replicas executed, each replica's store, the clients' history) and
//! the certificates and views the app draws.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    Action, CLIENT, Config, Msg, Node, Note, Pbft, PbftWorld, SERVER, entry_id, entry_words,
};
pub use crate::protocols::kv::outcome::{Replica, Request};
use crate::protocols::kv::outcome::{
    history_requests, history_words, replica_words, replicas_json,
};
use crate::protocols::kv::{ClientMsg, Entry, Op, Store};
use crate::protocols::plugin::{
    LaneNote, Plugin, RoleInfo, Tint, ViolationOutcome, differing, messages_words, safety_words,
    violation_words,
};
use crate::sim::network::MessageStats;
use crate::sim::{NodeId, Role, World};

/// One sequence number an honest replica executed first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutedSlot {
    pub slot: u32,
    /// The entry in words (`C1.1 put x=1`, `no-op`).
    pub entry: String,
    pub step: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub steps: u64,
    pub messages: MessageStats,
    /// The highest view any replica entered.
    pub view: u32,
    /// What honest replicas executed, slot by slot.
    pub executed: Vec<ExecutedSlot>,
    #[serde(deserialize_with = "crate::protocols::plugin::unique_keys")]
    pub replicas: BTreeMap<NodeId, Replica>,
    pub linearizable: bool,
    pub history: Vec<Request>,
    pub violation: Option<ViolationOutcome>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_violations: Vec<ViolationOutcome>,
    pub state_hash: String,
}

impl Outcome {
    pub fn of(world: &PbftWorld) -> Outcome {
        let m = world.monitor();
        let executed = m
            .executed
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.map(|(entry, step)| ExecutedSlot {
                    slot: i as u32 + 1,
                    entry: entry_words(&entry),
                    step,
                })
            })
            .collect();
        let replicas = world
            .nodes()
            .iter()
            .filter_map(|s| match &s.state {
                Node::Server(r) => Some((s.id, Replica::of(&r.store, r.executed))),
                Node::Client(_) => None,
            })
            .collect();
        let view = world
            .nodes()
            .iter()
            .filter_map(|s| match &s.state {
                Node::Server(r) if r.active => Some(r.view),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let (violation, other_violations) = ViolationOutcome::of_world(world);
        Outcome {
            steps: world.step(),
            messages: world.network().stats,
            view,
            executed,
            replicas,
            linearizable: m.linearizable,
            history: history_requests(&m.history),
            violation,
            other_violations,
            state_hash: format!("{:016x}", world.state_hash()),
        }
    }

    fn executed_words(&self) -> String {
        if self.executed.is_empty() {
            return "no slot yet".into();
        }
        let slots: Vec<String> = self
            .executed
            .iter()
            .map(|c| format!("slot {} {}", c.slot, c.entry))
            .collect();
        slots.join(", ")
    }
}

/// A message's short label for crowded views (`PP v0 #1 C1.1`).
pub fn short_label(m: &Msg) -> String {
    match m {
        Msg::Client(c) => c.label(None),
        Msg::PrePrepare { view, seq, entry } => format!("PP v{view} s{seq} {}", entry_id(entry)),
        Msg::Prepare { view, seq, entry } => format!("P v{view} s{seq} {}", entry_id(entry)),
        Msg::Commit { view, seq, entry } => format!("C v{view} s{seq} {}", entry_id(entry)),
        Msg::ViewChange { view, prepared } => format!("VC v{view} {}c", prepared.len()),
        Msg::NewView { view, entries, .. } => format!("NV v{view} {}e", entries.len()),
    }
}

const ROLES: [RoleInfo; 2] = [
    RoleInfo {
        role: SERVER,
        name: ["replica", "副本"],
        tint: 1,
    },
    RoleInfo {
        role: CLIENT,
        name: ["client", "客户端"],
        tint: 0,
    },
];

impl Plugin for Pbft {
    const NAME: &'static str = "pbft";
    const TITLE: &'static str = "PBFT";
    const DECIDERS: Role = SERVER;
    type Config = Config;
    type Outcome = Outcome;

    fn seed(config: &Config) -> u64 {
        config.seed
    }

    fn validate_config(config: &Config) -> Result<(), String> {
        config.validate()
    }

    fn world(config: &Config) -> World<Pbft> {
        config.world()
    }

    /// Every client puts its own letter to `x`.
    fn opening_requests(config: &Config) -> Vec<Action> {
        crate::protocols::kv::opening_puts(config.clients)
    }

    fn config_from(setup: &crate::protocols::plugin::Setup) -> Result<Config, String> {
        crate::protocols::kv::config::StoreConfig::from_setup(setup)
    }

    /// The bound, when it does not hold.
    fn config_warnings(config: &Config) -> Vec<String> {
        if config.bound_holds() {
            Vec::new()
        } else {
            vec![config.bound_words()]
        }
    }

    fn scheduled_requests(
        config: &Config,
        setup: &crate::protocols::plugin::Setup,
    ) -> Result<Vec<Action>, String> {
        crate::protocols::kv::config::workload_requests::<Self>(config, config.seed, setup.ops)
    }

    /// One request per client, the bound PBFT's safety is checked at: every view change
    /// multiplies the interleavings of each request's three phases at four replicas, so with a
    /// liar and two requests a breadth-first search does not end within memory (README, "What
    /// breadth first costs"), where one request ends SAFE.
    const SEARCH_OPS: u8 = 1;

    fn flaw_budgets(
        config: &mut Config,
        bounds: &mut crate::sim::bounds::Bounds,
        ops: &mut u8,
    ) -> Vec<&'static str> {
        super::budgets::flaw_budgets(config, bounds, ops)
    }

    fn needs_walks(config: &Config) -> Option<&'static str> {
        super::budgets::needs_walks(config)
    }

    fn walk_budgets(config: &Config, bounds: &mut crate::sim::bounds::Bounds) -> Vec<&'static str> {
        super::budgets::walk_budgets(config, bounds)
    }

    fn walk_length(config: &Config) -> Option<(u32, &'static str)> {
        super::budgets::walk_length(config)
    }

    fn outcome(world: &PbftWorld) -> Outcome {
        Outcome::of(world)
    }

    fn violated(o: &Outcome) -> bool {
        o.violation.is_some()
    }

    fn summary(o: &Outcome) -> String {
        let mut s = format!(
            "steps: {}\nmessages: {}\nview: {}\nexecuted: {}\n",
            o.steps,
            messages_words(&o.messages),
            o.view,
            o.executed_words()
        );
        for r in replica_words(&o.replicas) {
            s += &format!("replica: {r}\n");
        }
        s += &format!("clients: {}\n", history_words(&o.history, o.linearizable));
        s + &safety_words(o.violation.as_ref(), &o.other_violations)
    }

    fn differences(recorded: &Outcome, replayed: &Outcome) -> Vec<String> {
        let (a, b) = (recorded, replayed);
        differing(&[
            ("steps", a.steps.to_string(), b.steps.to_string()),
            (
                "messages",
                messages_words(&a.messages),
                messages_words(&b.messages),
            ),
            ("view", a.view.to_string(), b.view.to_string()),
            ("executed", a.executed_words(), b.executed_words()),
            (
                "replicas",
                replica_words(&a.replicas).join(", "),
                replica_words(&b.replicas).join(", "),
            ),
            (
                "clients",
                history_words(&a.history, a.linearizable),
                history_words(&b.history, b.linearizable),
            ),
            (
                "violation",
                violation_words(a.violation.as_ref()),
                violation_words(b.violation.as_ref()),
            ),
            ("state hash", a.state_hash.clone(), b.state_hash.clone()),
        ])
    }

    fn outcome_json(o: &Outcome) -> serde_json::Value {
        serde_json::json!({
            "protocol": Pbft::NAME,
            "steps": o.steps,
            "messages": o.messages,
            "view": o.view,
            "executed": o.executed,
            "replicas": replicas_json(&o.replicas),
            "linearizable": o.linearizable,
            "history": o.history,
            "safety": if o.violation.is_some() { "violated" } else { "ok" },
            "violation": o.violation,
            "other_violations": o.other_violations,
            "state_hash": o.state_hash,
        })
    }

    fn roles() -> &'static [RoleInfo] {
        &ROLES
    }

    fn kinds() -> &'static [(&'static str, Tint)] {
        &[
            // One colour family per phase: pre-prepare, prepare, commit.
            ("pre-prepare", Tint::Ask1),
            ("prepare", Tint::Ask2),
            ("commit", Tint::Phase3),
            ("view-change", Tint::Refusal),
            ("new-view", Tint::Refusal),
            ("request", Tint::Ask1),
            ("reply", Tint::Answer2),
        ]
    }

    fn kind_name(msg: &Msg) -> &'static str {
        match msg {
            Msg::PrePrepare { .. } => "pre-prepare",
            Msg::Prepare { .. } => "prepare",
            Msg::Commit { .. } => "commit",
            Msg::ViewChange { .. } => "view-change",
            Msg::NewView { .. } => "new-view",
            Msg::Client(ClientMsg::Request { .. }) => "request",
            Msg::Client(ClientMsg::Reply { .. } | ClientMsg::Redirect { .. }) => "reply",
        }
    }

    fn message_words(env: &crate::sim::network::Envelope<Msg>) -> String {
        crate::protocols::kv::message_words(env)
    }

    fn message_label(env: &crate::sim::network::Envelope<Msg>) -> String {
        crate::protocols::kv::message_label(env, short_label)
    }

    fn short_label(msg: &Msg) -> String {
        short_label(msg)
    }

    fn request_words(op: &Op) -> String {
        op.to_string()
    }

    fn lane_note(note: &Note, monitor: bool) -> Option<LaneNote> {
        if monitor {
            return None;
        }
        let (label, words) = match *note {
            Note::Committed { view, seq, entry } => (
                format!("committed slot {seq}"),
                format!(
                    "committed-local at slot {seq} in view {view}: {}",
                    entry_words(&entry)
                ),
            ),
            Note::Executed { seq, entry, .. } => (
                format!("executed slot {seq}"),
                format!("executed slot {seq} ({})", entry_words(&entry)),
            ),
            Note::ViewChangeStarted { view, certificates } => (
                format!("asks for view {view}"),
                format!(
                    "asked for view {view} ({})",
                    counted(certificates, "certificate", "certificates")
                ),
            ),
            Note::NewView {
                view,
                reproposed,
                noops,
            } => (
                format!("in view {view}"),
                format!(
                    "entered view {view} ({}, {})",
                    counted(reproposed, "request re-proposed", "requests re-proposed"),
                    counted(noops, "no-op", "no-ops")
                ),
            ),
            Note::Returned { seq, output } => (
                format!("request {seq}: {output}"),
                format!("request {seq} returned {output} (f + 1 replies matched)"),
            ),
            _ => return None,
        };
        Some(LaneNote { label, words })
    }
}

pub use crate::protocols::multipaxos::describe::counted;

impl crate::protocols::kv::views::Replicated for Pbft {
    fn replica(node: &Node) -> Option<(u32, &Store)> {
        match node {
            Node::Server(s) => Some((s.executed, &s.store)),
            Node::Client(_) => None,
        }
    }

    fn history(monitor: &super::Monitor) -> &crate::protocols::kv::History {
        &monitor.history
    }
}

/// How far one replica got with one sequence number, as the certificate log draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Empty,
    /// It holds a pre-prepare in its view.
    PrePrepared,
    /// The pre-prepare and 2f matching prepares.
    Prepared,
    /// 2f + 1 matching commits.
    Committed,
    Executed,
}

/// One cell of the certificate log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertCell {
    pub stage: Stage,
    /// The entry at its furthest stage.
    pub entry: Option<Entry>,
    /// Prepares and commits it counts for that entry in its view.
    pub prepares: u32,
    pub commits: u32,
}

/// One replica's row of the certificate log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertRow {
    pub replica: NodeId,
    pub up: bool,
    pub byzantine: bool,
    pub view: u32,
    /// In its view (false while it waits for a new view).
    pub active: bool,
    pub primary: bool,
    pub executed: u32,
    pub cells: Vec<CertCell>,
}

/// Every replica's certificates, slot by slot, up to the highest slot any holds.
pub fn cert_rows(world: &PbftWorld) -> Vec<CertRow> {
    let p = world.protocol();
    let slots = world
        .nodes()
        .iter()
        .filter_map(|s| match &s.state {
            Node::Server(r) => Some(r.last_seq()),
            Node::Client(_) => None,
        })
        .max()
        .unwrap_or(0);
    world
        .nodes()
        .iter()
        .filter_map(|n| match &n.state {
            Node::Server(r) => Some((n, r)),
            Node::Client(_) => None,
        })
        .map(|(n, r)| {
            let cells = (1..=slots)
                .map(|seq| {
                    let Some(slot) = r.slot(seq) else {
                        return CertCell {
                            stage: Stage::Empty,
                            entry: None,
                            prepares: 0,
                            commits: 0,
                        };
                    };
                    let pre = slot.pre.filter(|p| p.0 == r.view).map(|p| p.1);
                    let prepared = slot.prepared.map(|p| p.1);
                    let entry = slot.committed.or(prepared).or(pre);
                    let stage = if seq <= r.executed {
                        Stage::Executed
                    } else if slot.committed.is_some() {
                        Stage::Committed
                    } else if slot.prepared.is_some_and(|p| p.0 == r.view) {
                        Stage::Prepared
                    } else if pre.is_some() {
                        Stage::PrePrepared
                    } else {
                        Stage::Empty
                    };
                    CertCell {
                        stage,
                        entry,
                        prepares: entry.map_or(0, |e| slot.prepares_for(e).count_ones()),
                        commits: entry.map_or(0, |e| slot.commits_for(e).count_ones()),
                    }
                })
                .collect();
            CertRow {
                replica: n.id,
                up: n.up,
                byzantine: p.byzantine.contains(&n.id),
                view: r.view,
                active: r.active,
                primary: p.primary(r.view) == n.id.index,
                executed: r.executed,
                cells,
            }
        })
        .collect()
}

/// What the view panel shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewFigures {
    /// The highest view a live replica is in, and its primary.
    pub view: u32,
    pub primary: NodeId,
    /// Replicas, f, and the quorum n - f.
    pub servers: u8,
    pub faults: u8,
    pub quorum: u32,
    pub liars: usize,
    /// n >= 3f + 1 with no more liars than f.
    pub bound_holds: bool,
    /// Live replicas waiting for a new view, and the view they want.
    pub changing: Vec<(NodeId, u32)>,
    /// Requests executed by some honest replica.
    pub executed: u32,
    pub messages_sent: u64,
}

pub fn view_figures(world: &PbftWorld) -> ViewFigures {
    let p = world.protocol();
    let live = || {
        world
            .nodes()
            .iter()
            .filter(|s| s.up)
            .filter_map(|s| match &s.state {
                Node::Server(r) => Some((s.id, &**r)),
                Node::Client(_) => None,
            })
    };
    let view = live()
        .filter(|(_, r)| r.active)
        .map(|(_, r)| r.view)
        .max()
        .unwrap_or(0);
    let config = Config {
        servers: p.servers,
        faults: p.faults,
        byzantine: p.byzantine.clone(),
        ..Config::default()
    };
    ViewFigures {
        view,
        primary: super::server(p.primary(view)),
        servers: p.servers,
        faults: p.faults,
        quorum: p.quorum(),
        liars: p.byzantine.len(),
        bound_holds: config.bound_holds(),
        changing: live()
            .filter(|(_, r)| !r.active)
            .map(|(id, r)| (id, r.view))
            .collect(),
        executed: world
            .monitor()
            .executed
            .iter()
            .filter(|e| matches!(e, Some((Entry::Cmd(_), _))))
            .count() as u32,
        messages_sent: world.network().stats.sent,
    }
}
