//! Paxos as the rest of the program reads it: its name, roles, message labels, lane marks and
//! the outcome a trace records (the value chosen, what each learner knows).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    ACCEPTOR, Action, Ballot, Config, LEARNER, Msg, Node, Note, PROPOSER, Paxos, PaxosWorld, Value,
    proposer,
};
use crate::protocols::plugin::{
    LaneNote, Plugin, RoleInfo, Tint, ViolationOutcome, differing, messages_words, safety_words,
    violation_words,
};
use crate::sim::ids::members;
use crate::sim::network::MessageStats;
use crate::sim::{NodeId, Role, World};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub steps: u64,
    pub messages: MessageStats,
    /// The first value chosen (a quorum of acceptors voted for it in one ballot).
    pub chosen: Option<ChosenOutcome>,
    /// What each learner knows at the end, and since when.
    #[serde(deserialize_with = "crate::protocols::plugin::unique_keys")]
    pub learned: BTreeMap<NodeId, LearnedOutcome>,
    /// The first safety violation, if any.
    pub violation: Option<ViolationOutcome>,
    /// The first violation of each other invariant broken later in the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_violations: Vec<ViolationOutcome>,
    /// FNV-1a digest of the final state, in hex.
    pub state_hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChosenOutcome {
    pub value: Value,
    pub ballot: Ballot,
    pub step: u64,
    pub acceptors: Vec<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedOutcome {
    pub value: Value,
    pub ballot: Ballot,
    pub step: u64,
}

impl Outcome {
    pub fn of(world: &PaxosWorld) -> Outcome {
        let chosen = world.monitor().chosen.first().map(|c| ChosenOutcome {
            value: c.value,
            ballot: c.ballot,
            step: c.step,
            acceptors: (1..=64u8)
                .filter(|i| c.acceptors & (1u64 << (i - 1)) != 0)
                .map(super::acceptor)
                .collect(),
        });
        let learned = world
            .nodes()
            .iter()
            .filter_map(|s| match &s.state {
                Node::Learner(l) => l.learned.map(|l| {
                    (
                        s.id,
                        LearnedOutcome {
                            value: l.value,
                            ballot: l.ballot,
                            step: l.step,
                        },
                    )
                }),
                _ => None,
            })
            .collect();
        let (violation, other_violations) = ViolationOutcome::of_world(world);
        Outcome {
            steps: world.step(),
            messages: world.network().stats,
            chosen,
            learned,
            violation,
            other_violations,
            state_hash: format!("{:016x}", world.state_hash()),
        }
    }

    fn chosen_words(&self) -> String {
        match &self.chosen {
            Some(c) => {
                let by: Vec<String> = c.acceptors.iter().map(|a| a.to_string()).collect();
                format!(
                    "\"{}\" at step {} (ballot {}, acceptors {})",
                    c.value,
                    c.step,
                    c.ballot,
                    by.join(" ")
                )
            }
            None => "nothing yet".into(),
        }
    }

    fn learned_words(&self) -> Vec<String> {
        self.learned
            .iter()
            .map(|(l, v)| {
                format!(
                    "{l} knows \"{}\" since step {} (ballot {})",
                    v.value, v.step, v.ballot
                )
            })
            .collect()
    }
}

/// A message's short label for crowded views, e.g. `Prep 2.1`.
pub fn short_label(m: &Msg) -> String {
    // Short, but never without the value: at a violation two labels must tell "A" from "B".
    match *m {
        Msg::Prepare { ballot } => format!("Prep {ballot}"),
        Msg::Promise {
            ballot,
            accepted: None,
        } => format!("Prom {ballot}"),
        Msg::Promise {
            ballot,
            accepted: Some((b, v)),
        } => format!("Prom {ballot} {b}=\"{v}\""),
        Msg::Nack { ballot, .. } => format!("Nack {ballot}"),
        Msg::Accept { ballot, value } => format!("Acc {ballot} \"{value}\""),
        Msg::Accepted { ballot, value } => format!("Acd {ballot} \"{value}\""),
    }
}

/// Acceptors of a bit mask, as `A1 A2`.
pub fn acceptor_list(mask: u64) -> String {
    members(ACCEPTOR, mask)
}

const ROLES: [RoleInfo; 3] = [
    RoleInfo {
        role: PROPOSER,
        name: ["proposer", "提议者"],
        tint: 0,
    },
    RoleInfo {
        role: ACCEPTOR,
        name: ["acceptor", "接受者"],
        tint: 1,
    },
    RoleInfo {
        role: LEARNER,
        name: ["learner", "学习者"],
        tint: 2,
    },
];

impl Plugin for Paxos {
    const NAME: &'static str = "paxos";
    const TITLE: &'static str = "Paxos";
    const DECIDERS: Role = ACCEPTOR;
    type Config = Config;
    type Outcome = Outcome;

    fn seed(config: &Config) -> u64 {
        config.seed
    }

    fn validate_config(config: &Config) -> Result<(), String> {
        config.validate()
    }

    fn world(config: &Config) -> World<Paxos> {
        config.world()
    }

    /// Every proposer asks for its own letter (`A`, `B`, ...).
    fn opening_requests(config: &Config) -> Vec<Action> {
        (1..=config.proposers)
            .map(|i| Action::Propose(proposer(i), Value::letter_for(i)))
            .collect()
    }

    fn config_from(setup: &crate::protocols::plugin::Setup) -> Result<Config, String> {
        if setup.pre_vote || setup.check_quorum || !setup.reads.is_log() || setup.drift != 0 {
            return Err(crate::protocols::kv::config::NO_LEADER_OPTIONS.to_string());
        }
        let config = Config {
            proposers: setup.proposers,
            acceptors: setup.acceptors,
            learners: setup.learners,
            q1: setup.q1,
            q2: setup.q2,
            flaws: setup
                .flaws
                .iter()
                .map(|f| f.parse::<super::Flaw>())
                .collect::<Result<_, _>>()?,
            seed: setup.seed,
            latency: setup.latency,
            timeout: setup.timeout,
            byzantine: crate::protocols::byzantine::parse(&setup.byzantine)?,
        };
        config.validate()?;
        Ok(config)
    }

    fn config_warnings(config: &Config) -> Vec<String> {
        if config.quorums_intersect() {
            return Vec::new();
        }
        let (q1, q2) = config.quorums();
        vec![format!(
            "q1 + q2 = {} is not more than the {} acceptors: quorums need not intersect, so safety is not guaranteed",
            q1 + q2,
            config.acceptors
        )]
    }

    fn scheduled_requests(
        config: &Config,
        _setup: &crate::protocols::plugin::Setup,
    ) -> Result<Vec<Action>, String> {
        Ok(Self::opening_requests(config))
    }

    fn flaw_budgets(
        config: &mut Config,
        bounds: &mut crate::sim::bounds::Bounds,
        _ops: &mut u8,
    ) -> Vec<&'static str> {
        super::budgets::flaw_budgets(config, bounds)
    }

    fn outcome(world: &PaxosWorld) -> Outcome {
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
        if o.learned.is_empty() {
            s += "learned: no learner knows a value\n";
        }
        for l in o.learned_words() {
            s += &format!("learned: {l}\n");
        }
        s + &safety_words(o.violation.as_ref(), &o.other_violations)
    }

    fn differences(recorded: &Outcome, replayed: &Outcome) -> Vec<String> {
        let learned = |o: &Outcome| {
            let l = o.learned_words();
            if l.is_empty() {
                "no learner knows a value".to_string()
            } else {
                l.join(", ")
            }
        };
        let others = |o: &Outcome| {
            if o.other_violations.is_empty() {
                "none".to_string()
            } else {
                let all: Vec<String> = o
                    .other_violations
                    .iter()
                    .map(ViolationOutcome::words)
                    .collect();
                all.join(", ")
            }
        };
        let (a, b) = (recorded, replayed);
        differing(&[
            ("steps", a.steps.to_string(), b.steps.to_string()),
            (
                "messages",
                messages_words(&a.messages),
                messages_words(&b.messages),
            ),
            ("chosen", a.chosen_words(), b.chosen_words()),
            ("learned", learned(a), learned(b)),
            (
                "violation",
                violation_words(a.violation.as_ref()),
                violation_words(b.violation.as_ref()),
            ),
            ("later violations", others(a), others(b)),
            ("state hash", a.state_hash.clone(), b.state_hash.clone()),
        ])
    }

    fn outcome_json(o: &Outcome) -> serde_json::Value {
        let learned: serde_json::Map<String, serde_json::Value> = o
            .learned
            .iter()
            .map(|(l, v)| {
                (
                    l.to_string(),
                    serde_json::json!({"value": v.value, "ballot": v.ballot, "step": v.step}),
                )
            })
            .collect();
        serde_json::json!({
            "steps": o.steps,
            "messages": o.messages,
            "chosen": o.chosen.as_ref().map(|c| serde_json::json!({
                "value": c.value, "ballot": c.ballot, "step": c.step, "acceptors": c.acceptors,
            })),
            "learned": learned,
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
        ]
    }

    fn kind_name(msg: &Msg) -> &'static str {
        match msg {
            Msg::Prepare { .. } => "prepare",
            Msg::Promise { .. } => "promise",
            Msg::Nack { .. } => "nack",
            Msg::Accept { .. } => "accept",
            Msg::Accepted { .. } => "accepted",
        }
    }

    fn short_label(msg: &Msg) -> String {
        short_label(msg)
    }

    fn request_words(value: &Value) -> String {
        format!("\"{value}\"")
    }

    fn lane_note(note: &Note, monitor: bool) -> Option<LaneNote> {
        match note {
            Note::Learned { ballot, value } if !monitor => Some(LaneNote {
                label: format!("learned \"{value}\""),
                words: format!("learned \"{value}\" (ballot {ballot})"),
            }),
            Note::Chosen {
                ballot,
                value,
                acceptors,
            } if monitor => Some(LaneNote {
                label: format!("chosen \"{value}\" (ballot {ballot})"),
                words: format!(
                    "chosen \"{value}\" in ballot {ballot} by {}",
                    acceptor_list(*acceptors)
                ),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels_keep_the_value() {
        let (b, a) = (Ballot::new(1, 2), Value::new("A").unwrap());
        let accept = short_label(&Msg::Accept {
            ballot: b,
            value: a,
        });
        let accepted = short_label(&Msg::Accepted {
            ballot: b,
            value: a,
        });
        assert_eq!(accept, "Acc 1.2 \"A\"");
        assert_eq!(accepted, "Acd 1.2 \"A\"");
        let promise = short_label(&Msg::Promise {
            ballot: Ballot::new(2, 1),
            accepted: Some((b, a)),
        });
        assert_eq!(promise, "Prom 2.1 1.2=\"A\"");
    }
}

/// What a lie does, as the app's lie menu groups them (see `Paxos::lies`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LieKind {
    /// A promise that reports no vote although the acceptor has voted.
    HideVote,
    /// A promise to a ballot below the one the acceptor holds.
    SecondPromise,
    /// A vote reported (in a promise) or announced (an Accepted) that was never cast.
    InventVote,
    /// An Accepted for a value other than the one the acceptor voted for.
    SecondValue,
    /// An Accept for another value in a ballot the proposer used.
    TwoValues,
}

impl LieKind {
    pub const ALL: [LieKind; 5] = [
        LieKind::HideVote,
        LieKind::SecondPromise,
        LieKind::InventVote,
        LieKind::SecondValue,
        LieKind::TwoValues,
    ];

    /// The kind of the lie `msg`, told by a node in state `node`.
    pub fn of(node: &super::Node, msg: &Msg) -> LieKind {
        match (node, msg) {
            (super::Node::Acceptor(a), Msg::Promise { ballot, accepted }) => {
                if *ballot < a.promised {
                    LieKind::SecondPromise
                } else if accepted.is_none() {
                    LieKind::HideVote
                } else {
                    LieKind::InventVote
                }
            }
            (super::Node::Acceptor(a), Msg::Accepted { value, .. }) => match a.accepted {
                Some((_, v)) if v != *value => LieKind::SecondValue,
                _ => LieKind::InventVote,
            },
            _ => LieKind::TwoValues,
        }
    }
}
