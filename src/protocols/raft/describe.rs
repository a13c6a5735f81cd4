//! Raft as the rest of the program reads it: roles, message labels, lane marks and the outcome
//! a trace records (the committed log, the leader of each term, each replica's store, the
//! clients' history and whether it is linearizable).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Action, CLIENT, Config, Msg, Node, Note, Raft, RaftWorld, SERVER};
use crate::protocols::kv::outcome::{
    Replica, Request, history_requests, history_words, replica_words, replicas_json,
};
use crate::protocols::kv::{ClientMsg, Entry, Op};
use crate::protocols::multipaxos::describe::{counted, entry_words};
use crate::protocols::plugin::{
    LaneNote, Plugin, RoleInfo, Tint, ViolationOutcome, differing, messages_words, safety_words,
    violation_words,
};
use crate::sim::network::MessageStats;
use crate::sim::{NodeId, Role, World};

/// One committed entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommittedEntry {
    pub index: u32,
    pub term: u32,
    /// The entry in words (`C1.1 put x=1`, `no-op`).
    pub entry: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub steps: u64,
    pub messages: MessageStats,
    /// Every committed entry, in index order.
    pub committed: Vec<CommittedEntry>,
    /// The leader of each term that elected one.
    #[serde(deserialize_with = "crate::protocols::plugin::unique_keys")]
    pub leaders: BTreeMap<u32, NodeId>,
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
    pub fn of(world: &RaftWorld) -> Outcome {
        let m = world.monitor();
        let committed = m
            .committed
            .iter()
            .enumerate()
            .map(|(i, e)| CommittedEntry {
                index: i as u32 + 1,
                term: e.term,
                entry: entry_words(&e.entry),
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
        let (violation, other_violations) = ViolationOutcome::of_world(world);
        Outcome {
            steps: world.step(),
            messages: world.network().stats,
            committed,
            leaders: m
                .leaders
                .iter()
                .map(|(t, &s)| (t as u32, super::server(s)))
                .collect(),
            replicas,
            linearizable: m.linearizable,
            history: history_requests(&m.history),
            violation,
            other_violations,
            state_hash: format!("{:016x}", world.state_hash()),
        }
    }

    fn committed_words(&self) -> String {
        if self.committed.is_empty() {
            return "no entry yet".into();
        }
        let entries: Vec<String> = self
            .committed
            .iter()
            .map(|c| format!("[{}] {} (term {})", c.index, c.entry, c.term))
            .collect();
        entries.join(", ")
    }

    fn leader_words(&self) -> String {
        if self.leaders.is_empty() {
            return "none yet".into();
        }
        let terms: Vec<String> = self
            .leaders
            .iter()
            .map(|(t, s)| format!("term {t}: {s}"))
            .collect();
        terms.join(", ")
    }
}

/// A message's short label for crowded views (`AE 2 [4]+2`).
pub fn short_label(m: &Msg) -> String {
    match m {
        Msg::Client(c) => c.label(None),
        Msg::RequestVote { term, .. } => format!("RV {term}"),
        Msg::PreVote { term, .. } => format!("PV {term}"),
        Msg::PreVoteReply { term, granted } => {
            format!("PV {term} {}", if *granted { "yes" } else { "no" })
        }
        Msg::Vote { term, granted } => {
            format!("Vote {term} {}", if *granted { "yes" } else { "no" })
        }
        Msg::AppendEntries {
            term,
            entries,
            commit,
            ..
        } if entries.is_empty() => format!("HB {term} c{commit}"),
        Msg::AppendEntries {
            term,
            prev_index,
            entries,
            ..
        } => format!("AE {term} [{}]+{}", prev_index + 1, entries.len()),
        Msg::AppendReply {
            term,
            success,
            index,
            ..
        } => format!(
            "AR {term} {}[{index}]",
            if *success { "ok " } else { "retry " }
        ),
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

impl Plugin for Raft {
    const NAME: &'static str = "raft";
    const TITLE: &'static str = "Raft";
    const DECIDERS: Role = SERVER;
    type Config = Config;
    type Outcome = Outcome;

    fn seed(config: &Config) -> u64 {
        config.seed
    }

    fn validate_config(config: &Config) -> Result<(), String> {
        config.validate()
    }

    fn world(config: &Config) -> World<Raft> {
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

    fn needs_walks(config: &Config) -> Option<&'static str> {
        super::budgets::needs_walks(config)
    }

    fn walk_budgets(config: &Config, bounds: &mut crate::sim::bounds::Bounds) -> Vec<&'static str> {
        super::budgets::walk_budgets(config, bounds)
    }

    fn outcome(world: &RaftWorld) -> Outcome {
        Outcome::of(world)
    }

    fn violated(o: &Outcome) -> bool {
        o.violation.is_some()
    }

    fn summary(o: &Outcome) -> String {
        let mut s = format!(
            "steps: {}\nmessages: {}\nleaders: {}\ncommitted: {}\n",
            o.steps,
            messages_words(&o.messages),
            o.leader_words(),
            o.committed_words()
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
            ("leaders", a.leader_words(), b.leader_words()),
            ("committed", a.committed_words(), b.committed_words()),
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
        let replicas = replicas_json(&o.replicas);
        let leaders: serde_json::Map<String, serde_json::Value> = o
            .leaders
            .iter()
            .map(|(t, s)| (t.to_string(), serde_json::json!(s.to_string())))
            .collect();
        serde_json::json!({
            "protocol": Raft::NAME,
            "steps": o.steps,
            "messages": o.messages,
            "leaders": leaders,
            "committed": o.committed,
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
            ("request-vote", Tint::Ask1),
            ("vote", Tint::Answer1),
            ("pre-vote", Tint::Ask1),
            ("pre-vote-reply", Tint::Answer1),
            ("append-entries", Tint::Ask2),
            ("append-reply", Tint::Answer2),
            ("request", Tint::Ask1),
            ("reply", Tint::Answer1),
            ("redirect", Tint::Refusal),
        ]
    }

    fn kind_name(msg: &Msg) -> &'static str {
        match msg {
            Msg::RequestVote { .. } => "request-vote",
            Msg::Vote { .. } => "vote",
            Msg::PreVote { .. } => "pre-vote",
            Msg::PreVoteReply { .. } => "pre-vote-reply",
            Msg::AppendEntries { .. } => "append-entries",
            Msg::AppendReply { .. } => "append-reply",
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
        if monitor {
            return None;
        }
        let (label, words) = match note {
            Note::Elected { term, log } => (
                format!("leads term {term}"),
                format!(
                    "elected leader of term {term} with {}",
                    counted(log.len() as u64, "entry", "entries")
                ),
            ),
            Note::LostQuorum { term, heard } => (
                format!("steps down (term {term})"),
                format!(
                    "heard from only {heard} of the servers within an election timeout, fewer than a majority: stepped down (CheckQuorum)"
                ),
            ),
            Note::LeftConfiguration { term } => (
                format!("leaves (term {term})"),
                "committed a configuration without itself: stepped down, and campaigns no more"
                    .to_string(),
            ),
            Note::Truncated { from, removed, .. } => (
                format!("truncated [{from}]+"),
                format!(
                    "removed {} from [{from}] on, conflicting with the leader's log",
                    counted(*removed, "entry", "entries")
                ),
            ),
            Note::Applied { index, entry, .. } => (
                format!("applied [{index}]"),
                format!("applied [{index}] ({})", entry_words(&entry.entry)),
            ),
            Note::Returned { seq, output } => (
                format!("request {seq}: {output}"),
                format!("request {seq} returned {output}"),
            ),
            Note::AnsweredRead {
                client,
                seq,
                index,
                lease,
            } => (
                format!("read C{client}.{seq}"),
                if *lease {
                    format!(
                        "answered C{client}.{seq}'s get alone, under its lease (applied up to [{index}])"
                    )
                } else {
                    format!(
                        "answered C{client}.{seq}'s get once a majority answered a round sent after it and it had applied up to [{index}] (ReadIndex)"
                    )
                },
            ),
            _ => return None,
        };
        Some(LaneNote { label, words })
    }
}

impl crate::protocols::kv::views::Replicated for Raft {
    fn replica(node: &Node) -> Option<(u32, &crate::protocols::kv::Store)> {
        match node {
            Node::Server(s) => Some((s.applied, &s.store)),
            Node::Client(_) => None,
        }
    }

    fn history(monitor: &super::Monitor) -> &crate::protocols::kv::History {
        &monitor.history
    }
}

/// One entry of a server's log as the log table draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCell {
    pub term: u32,
    pub entry: Entry,
    /// Committed in the cluster (the monitor's record): drawn solid; otherwise dashed.
    pub committed: bool,
    /// This server applied it.
    pub applied: bool,
}

/// A server's row of the log table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub server: NodeId,
    pub up: bool,
    pub term: u32,
    pub leader: bool,
    pub commit: u32,
    pub cells: Vec<LogCell>,
}

/// Every server's log, entry by entry, with what the cluster has committed.
pub fn log_rows(world: &RaftWorld) -> Vec<LogRow> {
    let committed = &world.monitor().committed;
    world
        .nodes()
        .iter()
        .filter_map(|slot| match &slot.state {
            Node::Server(s) => Some(LogRow {
                server: slot.id,
                up: slot.up,
                term: s.term,
                leader: s.is_leader() && slot.up,
                commit: s.commit,
                cells: s
                    .log
                    .iter()
                    .enumerate()
                    .map(|(i, e)| LogCell {
                        term: e.term,
                        entry: e.entry,
                        committed: committed.get(i) == Some(e),
                        applied: (i as u32) < s.applied,
                    })
                    .collect(),
            }),
            Node::Client(_) => None,
        })
        .collect()
}

/// The leader's view of its followers: for each server, the next index it will send and the
/// highest index known to match its own log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub leader: NodeId,
    pub term: u32,
    pub commit: u32,
    /// (server, nextIndex, matchIndex), the leader's own row included.
    pub followers: Vec<(NodeId, u32, u32)>,
}

/// The live leader of the highest term, and its replication state.
pub fn progress(world: &RaftWorld) -> Option<Progress> {
    world
        .nodes()
        .iter()
        .filter(|slot| slot.up)
        .filter_map(|slot| match &slot.state {
            Node::Server(s) => match &s.role {
                super::Role::Leader { next, matched, .. } => Some(Progress {
                    leader: slot.id,
                    term: s.term,
                    commit: s.commit,
                    followers: next
                        .iter()
                        .zip(matched)
                        .enumerate()
                        .map(|(i, (n, m))| (super::server(i as u8 + 1), *n, *m))
                        .collect(),
                }),
                _ => None,
            },
            Node::Client(_) => None,
        })
        .max_by_key(|p| p.term)
}
