//! Multi-Paxos as the rest of the program reads it: roles, message labels, lane marks and the
//! outcome a trace records (the chosen log, each replica's store, the clients' history and whether
//! it is linearizable).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Action, CLIENT, Config, Msg, MultiPaxos, MultiPaxosWorld, Node, Note, SERVER};
pub use crate::protocols::kv::outcome::{Replica, Request};
use crate::protocols::kv::outcome::{
    history_requests, history_words, replica_words, replicas_json,
};
pub use crate::protocols::kv::views::{
    HistoryBar, HistoryPicture, StoreRow, Unplaceable, history_picture, store_rows,
};
use crate::protocols::kv::{ClientMsg, Entry, Op, Store};
use crate::protocols::plugin::{
    LaneNote, Plugin, RoleInfo, Tint, ViolationOutcome, differing, messages_words, safety_words,
    violation_words,
};
use crate::sim::network::MessageStats;
use crate::sim::{NodeId, Role, World};

/// One chosen slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChosenSlot {
    pub slot: u32,
    /// The entry in words (`C1.1 put x=1`, `no-op`).
    pub entry: String,
    pub ballot: String,
    pub step: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub steps: u64,
    pub messages: MessageStats,
    /// Every slot a majority chose, in slot order.
    pub chosen: Vec<ChosenSlot>,
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
    pub fn of(world: &MultiPaxosWorld) -> Outcome {
        let m = world.monitor();
        let chosen = m
            .chosen
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.map(|(entry, ballot, step)| ChosenSlot {
                    slot: i as u32 + 1,
                    entry: entry_words(&entry),
                    ballot: ballot.to_string(),
                    step,
                })
            })
            .collect();
        let replicas = world
            .nodes()
            .iter()
            .filter_map(|s| match &s.state {
                Node::Server(server) => Some((s.id, Replica::of(&server.store, server.applied))),
                Node::Client(_) => None,
            })
            .collect();
        let history = history_requests(&m.history);
        let (violation, other_violations) = ViolationOutcome::of_world(world);
        Outcome {
            steps: world.step(),
            messages: world.network().stats,
            chosen,
            replicas,
            linearizable: m.linearizable,
            history,
            violation,
            other_violations,
            state_hash: format!("{:016x}", world.state_hash()),
        }
    }

    fn chosen_words(&self) -> String {
        if self.chosen.is_empty() {
            return "no slot yet".into();
        }
        let slots: Vec<String> = self
            .chosen
            .iter()
            .map(|c| format!("slot {} {}", c.slot, c.entry))
            .collect();
        slots.join(", ")
    }

    fn replica_words(&self) -> Vec<String> {
        replica_words(&self.replicas)
    }

    fn history_words(&self) -> String {
        history_words(&self.history, self.linearizable)
    }
}

/// An entry with its request id (`C1.2 put x=1`) or `no-op`.
pub fn entry_words(e: &Entry) -> String {
    match e {
        Entry::Noop => "no-op".into(),
        Entry::Cmd(c) => c.to_string(),
    }
}

/// A message's short label for crowded views (`Acc 2.1 slot 4 put x=1`).
pub fn short_label(m: &Msg) -> String {
    match m {
        Msg::Client(c) => c.label(None),
        Msg::Prepare { ballot, from } => format!("Prep {ballot} slot {from}+"),
        Msg::Promise { ballot, votes } => format!("Prom {ballot} {}v", votes.len()),
        Msg::Nack { ballot, promised } => format!("Nack {ballot}<{promised}"),
        Msg::Accept {
            ballot,
            slot,
            entry,
            ..
        } => format!("Acc {ballot} slot {slot} {entry}"),
        Msg::Accepted { ballot, slot } => format!("Acd {ballot} slot {slot}"),
        Msg::Heartbeat { ballot, commit, .. } => format!("HB {ballot} c{commit}"),
        Msg::Behind { from, .. } => format!("Behind slot {from}"),
        Msg::Commits { from, entries, .. } => format!("Commits slot {from}+{}", entries.len()),
        Msg::PreVote { ballot } => format!("PV {ballot}"),
        Msg::PreVoteReply { ballot, granted } => {
            format!("PV {ballot} {}", if *granted { "yes" } else { "no" })
        }
        Msg::Alive { ballot, .. } => format!("Alive {ballot}"),
    }
}

const ROLES: [RoleInfo; 2] = [
    RoleInfo {
        role: SERVER,
        name: ["server", "服务器"],
        tint: 1,
    },
    RoleInfo {
        role: CLIENT,
        name: ["client", "客户端"],
        tint: 0,
    },
];

impl Plugin for MultiPaxos {
    const NAME: &'static str = "multipaxos";
    const TITLE: &'static str = "Multi-Paxos";
    const DECIDERS: Role = SERVER;
    type Config = Config;
    type Outcome = Outcome;

    fn seed(config: &Config) -> u64 {
        config.seed
    }

    fn validate_config(config: &Config) -> Result<(), String> {
        config.validate()
    }

    fn world(config: &Config) -> World<MultiPaxos> {
        config.world()
    }

    /// Every client puts its own letter to `x`.
    fn opening_requests(config: &Config) -> Vec<Action> {
        crate::protocols::kv::opening_puts(config.clients)
    }

    fn config_from(setup: &crate::protocols::plugin::Setup) -> Result<Config, String> {
        crate::protocols::kv::config::StoreConfig::from_setup(setup)
    }

    /// Every client's operations of the workload, handed over at the start.
    fn scheduled_requests(
        config: &Config,
        setup: &crate::protocols::plugin::Setup,
    ) -> Result<Vec<Action>, String> {
        crate::protocols::kv::config::workload_requests::<Self>(config, config.seed, setup.ops)
    }

    fn flaw_budgets(
        config: &mut Config,
        bounds: &mut crate::sim::bounds::Bounds,
        ops: &mut u8,
    ) -> Vec<&'static str> {
        super::budgets::flaw_budgets(config, bounds, ops)
    }

    fn outcome(world: &MultiPaxosWorld) -> Outcome {
        Outcome::of(world)
    }

    fn violated(o: &Outcome) -> bool {
        o.violation.is_some()
    }

    fn summary(o: &Outcome) -> String {
        let mut s = format!(
            "steps: {}\nmessages: {}\nchosen: {}\n",
            o.steps,
            messages_words(&o.messages),
            o.chosen_words()
        );
        for r in o.replica_words() {
            s += &format!("replica: {r}\n");
        }
        s += &format!("clients: {}\n", o.history_words());
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
            ("chosen", a.chosen_words(), b.chosen_words()),
            (
                "replicas",
                a.replica_words().join(", "),
                b.replica_words().join(", "),
            ),
            ("clients", a.history_words(), b.history_words()),
            (
                "violation",
                violation_words(a.violation.as_ref()),
                violation_words(b.violation.as_ref()),
            ),
            ("state hash", a.state_hash.clone(), b.state_hash.clone()),
        ])
    }

    fn outcome_json(o: &Outcome) -> serde_json::Value {
        let replicas = replicas_json(&o.replicas);
        serde_json::json!({
            "protocol": MultiPaxos::NAME,
            "steps": o.steps,
            "messages": o.messages,
            "chosen": o.chosen,
            "replicas": replicas,
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
            ("prepare", Tint::Ask1),
            ("promise", Tint::Answer1),
            ("nack", Tint::Refusal),
            ("accept", Tint::Ask2),
            ("accepted", Tint::Answer2),
            ("heartbeat", Tint::Ask2),
            ("behind", Tint::Refusal),
            ("commits", Tint::Answer2),
            ("pre-vote", Tint::Ask1),
            ("pre-vote-reply", Tint::Answer1),
            ("alive", Tint::Answer2),
            ("request", Tint::Ask1),
            ("reply", Tint::Answer1),
            ("redirect", Tint::Refusal),
        ]
    }

    fn kind_name(msg: &Msg) -> &'static str {
        match msg {
            Msg::Prepare { .. } => "prepare",
            Msg::Promise { .. } => "promise",
            Msg::Nack { .. } => "nack",
            Msg::Accept { .. } => "accept",
            Msg::Accepted { .. } => "accepted",
            Msg::Heartbeat { .. } => "heartbeat",
            Msg::Behind { .. } => "behind",
            Msg::Commits { .. } => "commits",
            Msg::PreVote { .. } => "pre-vote",
            Msg::PreVoteReply { .. } => "pre-vote-reply",
            Msg::Alive { .. } => "alive",
            Msg::Client(ClientMsg::Request { .. }) => "request",
            Msg::Client(ClientMsg::Reply { .. }) => "reply",
            Msg::Client(ClientMsg::Redirect { .. }) => "redirect",
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
        let (label, words) = match *note {
            Note::Elected {
                ballot,
                reproposed,
                holes,
            } if !monitor => (
                format!("leads {ballot}"),
                format!(
                    "elected in ballot {ballot} ({}, {} filled with no-ops)",
                    counted(reproposed, "slot re-proposed", "slots re-proposed"),
                    counted(holes, "hole", "holes")
                ),
            ),
            Note::Applied { slot, entry, .. } if !monitor => (
                format!("applied slot {slot}"),
                format!("applied up to {slot} ({})", entry_words(&entry)),
            ),
            Note::Returned { seq, output } if !monitor => (
                format!("request {seq}: {output}"),
                format!("request {seq} returned {output}"),
            ),
            Note::AnsweredRead {
                client,
                seq,
                slot,
                lease,
            } if !monitor => (
                format!("read C{client}.{seq}"),
                if lease {
                    format!(
                        "answered C{client}.{seq}'s get alone, under its lease (applied up to slot {slot})"
                    )
                } else {
                    format!(
                        "answered C{client}.{seq}'s get once a majority answered a round sent after it and it had applied up to slot {slot} (ReadIndex)"
                    )
                },
            ),
            Note::Chosen {
                slot,
                ballot,
                entry,
            } if monitor => (
                format!("slot {slot} chosen: {entry}"),
                format!(
                    "chosen in slot {slot}: {} (ballot {ballot})",
                    entry_words(&entry)
                ),
            ),
            _ => return None,
        };
        Some(LaneNote { label, words })
    }
}

/// `1 vote`, `2 votes`.
pub fn counted(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What one server holds in one slot of its log, as the log view draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellState {
    /// Applied to the replica's store.
    Applied,
    /// Known chosen here, waiting for the slots below it.
    Chosen,
    /// A vote only: this server accepted the entry in this ballot.
    Accepted,
    /// Nothing here, with something in a later slot: a hole.
    Hole,
    Empty,
}

/// One cell of the log grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogCell {
    pub state: CellState,
    /// The entry known chosen here, else the one this server voted for.
    pub entry: Option<Entry>,
    /// The ballot of this server's vote, if it voted.
    pub ballot: Option<crate::protocols::ids::Ballot>,
}

/// One server's row of the log grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub server: NodeId,
    pub up: bool,
    /// The ballot it leads, if it leads.
    pub leads: Option<crate::protocols::ids::Ballot>,
    /// Every slot up to this one is known chosen here (the commit index).
    pub commit: u32,
    /// Every slot up to this one is applied here.
    pub applied: u32,
    pub cells: Vec<LogCell>,
}

/// The highest slot any server holds anything in: the length of the log grid.
pub fn log_slots(world: &MultiPaxosWorld) -> u32 {
    world
        .nodes()
        .iter()
        .filter_map(|s| match &s.state {
            Node::Server(server) => Some(server.last_slot()),
            Node::Client(_) => None,
        })
        .max()
        .unwrap_or(0)
}

/// The log of every server, slot by slot, up to the highest slot any server holds.
pub fn log_rows(world: &MultiPaxosWorld) -> Vec<LogRow> {
    let servers: Vec<_> = world
        .nodes()
        .iter()
        .filter_map(|s| match &s.state {
            Node::Server(server) => Some((s.id, s.up, &**server)),
            Node::Client(_) => None,
        })
        .collect();
    let slots = log_slots(world);
    servers
        .into_iter()
        .map(|(id, up, s)| {
            let last = s.last_slot();
            let cells = (1..=slots)
                .map(|slot| {
                    let vote = s.vote(slot);
                    let chosen = s.chosen_at(slot);
                    let applied = slot <= s.applied || s.applied_ahead.contains(&slot);
                    let state = match (applied, chosen, vote) {
                        (true, _, _) => CellState::Applied,
                        (false, Some(_), _) => CellState::Chosen,
                        (false, None, Some(_)) => CellState::Accepted,
                        (false, None, None) if slot < last => CellState::Hole,
                        _ => CellState::Empty,
                    };
                    LogCell {
                        state,
                        entry: chosen.or(vote.map(|v| v.1)),
                        ballot: vote.map(|v| v.0),
                    }
                })
                .collect();
            LogRow {
                server: id,
                up,
                leads: s.is_leader().then(|| s.ballot()).flatten(),
                commit: s.commit(),
                applied: s.applied,
                cells,
            }
        })
        .collect()
}

/// Every server's vote in one slot (`None`: it has not voted there), and the entry chosen there
/// with its ballot, if one is.
pub type SlotVotes = (
    Vec<(NodeId, Option<(crate::protocols::ids::Ballot, Entry)>)>,
    Option<(Entry, crate::protocols::ids::Ballot)>,
);

/// Each server's vote in `slot`, and what is chosen there.
pub fn slot_votes(world: &MultiPaxosWorld, slot: u32) -> SlotVotes {
    let votes = world
        .nodes()
        .iter()
        .filter_map(|s| match &s.state {
            Node::Server(server) => Some((s.id, server.vote(slot))),
            Node::Client(_) => None,
        })
        .collect();
    let chosen = world
        .monitor()
        .chosen
        .get((slot as usize).wrapping_sub(1))
        .copied()
        .flatten()
        .map(|(e, b, _)| (e, b));
    (votes, chosen)
}

/// What the leader panel shows: who leads (or campaigns) and what it has cost.
#[derive(Clone, Debug, PartialEq)]
pub struct LeaderFigures {
    /// The server with the highest ballot among those up that lead or campaign.
    pub server: Option<NodeId>,
    pub ballot: Option<crate::protocols::ids::Ballot>,
    /// Phase 1 is done (it leads); otherwise it is still collecting promises.
    pub prepared: bool,
    /// Promises in hand while campaigning, and how many make a majority.
    pub promises: (u32, u32),
    /// The next slot it will propose in.
    pub next: Option<u32>,
    /// Client commands it proposed after phase 1, each costing phase 2 alone.
    pub phase2_only: u32,
    /// Client commands chosen so far, in any ballot.
    pub committed: u32,
    pub messages_sent: u64,
}

impl LeaderFigures {
    /// Messages sent per committed client command, once one is committed.
    pub fn messages_per_command(&self) -> Option<f64> {
        (self.committed > 0).then(|| self.messages_sent as f64 / self.committed as f64)
    }
}

pub fn leader_figures(world: &MultiPaxosWorld) -> LeaderFigures {
    let quorum = world.protocol().quorum();
    let lead = world
        .nodes()
        .iter()
        .filter(|s| s.up)
        .filter_map(|s| match &s.state {
            Node::Server(server) => server.ballot().map(|b| (b, s.id, &**server)),
            Node::Client(_) => None,
        })
        .max_by_key(|(b, _, _)| *b);
    let committed = world
        .monitor()
        .chosen
        .iter()
        .filter(|c| matches!(c, Some((Entry::Cmd(_), _, _))))
        .count() as u32;
    let mut f = LeaderFigures {
        server: None,
        ballot: None,
        prepared: false,
        promises: (0, quorum),
        next: None,
        phase2_only: 0,
        committed,
        messages_sent: world.network().stats.sent,
    };
    if let Some((ballot, id, s)) = lead {
        f.server = Some(id);
        f.ballot = Some(ballot);
        match &s.lead {
            super::Lead::Leader {
                next, phase2_only, ..
            } => {
                f.prepared = true;
                f.next = Some(*next);
                f.phase2_only = *phase2_only;
            }
            super::Lead::Candidate { promises, .. } => {
                f.promises = (promises.count_ones(), quorum);
            }
            super::Lead::Follower { .. } | super::Lead::PreCandidate { .. } => {}
        }
    }
    f
}

/// A message as the graph labels it: `Prepare(2.1)`, `Promise(2.1, 2 votes)`,
/// `Accept(2.1, slot 4: put x=1)`, `Accepted(2.1, slot 4)`, `Heartbeat(2.1, commit 3)`.
pub fn graph_label(m: &Msg) -> String {
    match m {
        Msg::Prepare { ballot, .. } => format!("Prepare({ballot})"),
        Msg::Accept {
            ballot,
            slot,
            entry,
            ..
        } => format!("Accept({ballot}, slot {slot}: {entry})"),
        other => other.to_string(),
    }
}

/// What a server is doing about leadership, for the words under it in the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerRole {
    Leader {
        ballot: crate::protocols::ids::Ballot,
    },
    Candidate {
        ballot: crate::protocols::ids::Ballot,
    },
    /// Asking for Pre-Votes before phase 1 in `ballot`.
    PreCandidate {
        ballot: crate::protocols::ids::Ballot,
    },
    /// Following the server it last heard lead (1-based), if any.
    Follower { leader: Option<u8> },
}

/// A server as the graph shows it: role, promised ballot, and how far its log is chosen and
/// applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerStatus {
    pub role: ServerRole,
    pub promised: crate::protocols::ids::Ballot,
    /// Slots known chosen, from the first without a gap (the commit index).
    pub commit: u32,
    pub applied: u32,
    /// Client commands waiting for it to lead.
    pub pending: usize,
}

pub fn server_status(world: &MultiPaxosWorld, id: NodeId) -> Option<ServerStatus> {
    let Node::Server(s) = &world.node(id)?.state else {
        return None;
    };
    let role = match &s.lead {
        super::Lead::Leader { ballot, .. } => ServerRole::Leader { ballot: *ballot },
        super::Lead::Candidate { ballot, .. } => ServerRole::Candidate { ballot: *ballot },
        super::Lead::PreCandidate { ballot, .. } => ServerRole::PreCandidate { ballot: *ballot },
        super::Lead::Follower { leader } => ServerRole::Follower { leader: *leader },
    };
    Some(ServerStatus {
        role,
        promised: s.promised,
        commit: s.known,
        applied: s.applied,
        pending: s.pending.len(),
    })
}

/// A client as the graph shows it: the request in progress (sequence number and operation), how
/// many wait behind it, and the server it sends to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientStatus {
    pub current: Option<(u32, Op)>,
    pub queued: usize,
    pub leader: u8,
}

pub fn client_status(world: &MultiPaxosWorld, id: NodeId) -> Option<ClientStatus> {
    let Node::Client(c) = &world.node(id)?.state else {
        return None;
    };
    Some(ClientStatus {
        current: c.current,
        queued: c.queue.len(),
        leader: c.leader,
    })
}

impl crate::protocols::kv::views::Replicated for MultiPaxos {
    fn replica(node: &Node) -> Option<(u32, &Store)> {
        match node {
            Node::Server(s) => Some((s.applied, &s.store)),
            Node::Client(_) => None,
        }
    }

    fn history(monitor: &super::Monitor) -> &crate::protocols::kv::History {
        &monitor.history
    }
}
