//! What the layers above the engine need of a protocol, beside its handlers: a name, a config a
//! file stores, the outcome a trace records, and the words, labels and lane marks the views and
//! exports show. Traces, exports and the CLI are written once against this trait.

use std::fmt::Debug;

use serde::{Serialize, de::DeserializeOwned};

use crate::sim::network::MessageStats;
use crate::sim::world::{ActionOf, World};
use crate::sim::{Protocol, Role, Violation};

/// A role as people read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleInfo {
    pub role: Role,
    /// English and Chinese names (`proposer`, `提议者`).
    pub name: [&'static str; 2],
    /// Which of the palette's role colours it gets (0, 1, 2).
    pub tint: u8,
}

/// The colour family a message kind is drawn in: the exports and views map it to the palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tint {
    /// Phase 1 asked (Prepare, RequestVote).
    Ask1,
    /// Phase 1 answered (Promise, vote granted).
    Answer1,
    /// A refusal (Nack, a vote denied, a redirect).
    Refusal,
    /// Phase 2 asked (Accept, AppendEntries).
    Ask2,
    /// Phase 2 answered (Accepted, append acknowledged).
    Answer2,
    /// Phase 3 (PBFT's commit: a third round before a request may execute).
    Phase3,
}

/// A note worth drawing: a node's (it learned, it applied, it was elected: a mark on its lane) or
/// the monitor's (a value chosen, a slot committed: a line across the diagram).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneNote {
    /// A few words for the diagram (`learned "A"`, `chosen "A" (ballot 2.1)`).
    pub label: String,
    /// The whole story for logs (`learned "A" (ballot 2.1)`).
    pub words: String,
}

/// The options the command line offers every protocol; each reads the ones its config has
/// (Paxos its roles and quorums, the store protocols their cluster and workload).
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub proposers: u8,
    pub acceptors: u8,
    pub learners: u8,
    pub q1: Option<u8>,
    pub q2: Option<u8>,
    /// Servers (replicas), when given; each protocol has its own default.
    pub servers: Option<u8>,
    /// PBFT: the Byzantine replicas its quorums are sized for, when given.
    pub faults: Option<u8>,
    pub clients: u8,
    /// Operations each client is handed (`simulate`).
    pub ops: u32,
    pub workload: crate::protocols::kv::Workload,
    /// Flaw names, as typed; the protocol refuses one it does not have.
    pub flaws: Vec<String>,
    /// The ids of the nodes that may lie, as typed.
    pub byzantine: Vec<String>,
    pub seed: u64,
    pub latency: (u32, u32),
    pub timeout: u32,
    /// Raft and Multi-Paxos: Pre-Vote, CheckQuorum, reads and clock drift (others refuse them).
    pub pre_vote: bool,
    pub check_quorum: bool,
    pub reads: crate::protocols::kv::Reads,
    pub drift: u32,
}

pub trait Plugin: Protocol + Send + Sync {
    /// The name `--protocol` and a trace file's `protocol` field use.
    const NAME: &'static str;
    /// The name people read (`Paxos`, `Multi-Paxos`).
    const TITLE: &'static str;
    /// The role whose lanes a monitor note spans in a sequence diagram (Paxos: the acceptors).
    const DECIDERS: Role;
    type Config: Clone
        + Debug
        + PartialEq
        + Default
        + Serialize
        + DeserializeOwned
        + Send
        + Sync
        + 'static;
    /// What a trace records of where a run ended; replay recomputes and compares it.
    type Outcome: Clone + Debug + PartialEq + Serialize + DeserializeOwned;

    fn validate_config(config: &Self::Config) -> Result<(), String>;
    /// The seed of the run's generator (latencies, timeouts, the auto-scheduler).
    fn seed(config: &Self::Config) -> u64;
    /// A fresh world for a valid config.
    fn world(config: &Self::Config) -> World<Self>;
    /// The requests a new sandbox run opens with.
    fn opening_requests(config: &Self::Config) -> Vec<ActionOf<Self>>;
    /// The config the command line's shared options describe, checked (`simulate`, `explore`).
    fn config_from(setup: &Setup) -> Result<Self::Config, String>;
    /// What `simulate` warns of in a valid config (quorums that need not intersect).
    fn config_warnings(_config: &Self::Config) -> Vec<String> {
        Vec::new()
    }
    /// The requests a scheduled run (`simulate`) opens with.
    fn scheduled_requests(
        config: &Self::Config,
        setup: &Setup,
    ) -> Result<Vec<ActionOf<Self>>, String>;

    /// Operations each client of a store protocol is handed when `explore` is not told
    /// (`--ops`).
    const SEARCH_OPS: u8 = 2;

    /// Raises `bounds`, the operations per client (`ops`, the store protocols') and the config
    /// to what the configured flaws need to show in a search, with a note for each change.
    fn flaw_budgets(
        _config: &mut Self::Config,
        _bounds: &mut crate::sim::bounds::Bounds,
        _ops: &mut u8,
    ) -> Vec<&'static str> {
        Vec::new()
    }
    /// Why the configured flaws show only deeper than a breadth-first search reaches within the
    /// app's budget (so "Can this break?" takes random walks), if they do.
    fn needs_walks(_config: &Self::Config) -> Option<&'static str> {
        None
    }
    /// Raises `bounds` further for a search by random walks, with a note for each change: a
    /// walk's length bounds its run, so budgets a breadth-first search could not afford may
    /// make a deep run far more likely.
    fn walk_budgets(
        _config: &Self::Config,
        _bounds: &mut crate::sim::bounds::Bounds,
    ) -> Vec<&'static str> {
        Vec::new()
    }

    /// How long a random walk may be when the search chose walks itself (see `needs_walks`), if
    /// shorter than the default, with a note saying why: a walk runs to its full length, and a
    /// long one may wander past a short run to a long one.
    fn walk_length(_config: &Self::Config) -> Option<(u32, &'static str)> {
        None
    }

    fn outcome(world: &World<Self>) -> Self::Outcome;
    /// Whether the run broke a rule (the CLI's exit code).
    fn violated(outcome: &Self::Outcome) -> bool;
    /// The outcome in a few lines for people (`simulate`, `replay`).
    fn summary(outcome: &Self::Outcome) -> String;
    /// How a replayed outcome differs from a recorded one, in words.
    fn differences(recorded: &Self::Outcome, replayed: &Self::Outcome) -> Vec<String>;
    /// The outcome as `--json` prints it.
    fn outcome_json(outcome: &Self::Outcome) -> serde_json::Value;

    /// Every role, in roster order.
    fn roles() -> &'static [RoleInfo];
    /// Every message kind as a lower-case word (`prepare`) with its colour family, in the order
    /// legends list them.
    fn kinds() -> &'static [(&'static str, Tint)];
    /// A message's kind, one of `kinds`' words.
    fn kind_name(msg: &Self::Msg) -> &'static str;
    fn tint(msg: &Self::Msg) -> Tint {
        let name = Self::kind_name(msg);
        Self::kinds()
            .iter()
            .find(|(k, _)| *k == name)
            .map_or(Tint::Ask1, |(_, t)| *t)
    }
    /// A message's label for crowded views, never without the value it carries (`Prep 2.1`).
    fn short_label(msg: &Self::Msg) -> String;
    /// A message as logs and exports write it, read with its envelope: a store client's request
    /// is named by its client (`Request(C1.2: put x=1)`).
    fn message_words(env: &crate::sim::network::Envelope<Self::Msg>) -> String {
        env.msg.to_string()
    }
    /// A message's label for crowded views, read with its envelope.
    fn message_label(env: &crate::sim::network::Envelope<Self::Msg>) -> String {
        Self::short_label(&env.msg)
    }
    /// What a request looks like in a diagram (`"A"`, `put x=1`).
    fn request_words(request: &Self::Request) -> String;
    /// A note as the diagrams and logs show it, if they show it; `monitor` tells a monitor's
    /// note from a node's.
    fn lane_note(note: &Self::Note, monitor: bool) -> Option<LaneNote>;

    fn role_info(role: Role) -> Option<&'static RoleInfo> {
        Self::roles().iter().find(|r| r.role == role)
    }
}

/// A broken invariant as a trace records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViolationOutcome {
    pub invariant: String,
    pub step: u64,
    pub detail: String,
}

impl ViolationOutcome {
    pub fn of(v: &Violation) -> Self {
        ViolationOutcome {
            invariant: v.invariant.to_string(),
            step: v.step,
            detail: v.detail.clone(),
        }
    }

    /// The first violation of a run and the first of each other invariant broken later.
    pub fn of_world<P: Protocol>(world: &World<P>) -> (Option<Self>, Vec<Self>) {
        let all: Vec<Self> = world
            .violations()
            .iter()
            .map(ViolationOutcome::of)
            .collect();
        let mut all = all.into_iter();
        (all.next(), all.collect())
    }

    pub fn words(&self) -> String {
        format!("at step {}: {}: {}", self.step, self.invariant, self.detail)
    }
}

/// Message counts in words, as summaries print them.
pub fn messages_words(m: &MessageStats) -> String {
    format!(
        "{} sent, {} delivered, {} dropped, {} duplicated",
        m.sent, m.delivered, m.dropped, m.duplicated
    )
}

/// The violation lines of a summary.
pub fn safety_words(violation: Option<&ViolationOutcome>, others: &[ViolationOutcome]) -> String {
    let mut s = match violation {
        Some(v) => format!("safety: VIOLATED {}\n", v.words()),
        None => "safety: ok (every invariant held after every step)\n".to_string(),
    };
    for v in others {
        s += &format!("  then {}\n", v.words());
    }
    s
}

/// The lines of `differences`: each part of an outcome in words, recorded against replayed, for
/// the parts that differ.
pub fn differing(parts: &[(&str, String, String)]) -> Vec<String> {
    parts
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(what, a, b)| format!("{what}: recorded {a}; replayed {b}"))
        .collect()
}

/// The first violation in words, or "no violation".
pub fn violation_words(v: Option<&ViolationOutcome>) -> String {
    v.map_or("no violation".to_string(), ViolationOutcome::words)
}

/// Reads a map as `deserialize_with`, refusing a key written twice (serde's own map reading keeps
/// the last one silently, so a hand-edited outcome could hide a second, different entry).
pub fn unique_keys<'de, D, K, V>(d: D) -> Result<std::collections::BTreeMap<K, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: serde::Deserialize<'de> + Ord + std::fmt::Display,
    V: serde::Deserialize<'de>,
{
    struct Unique<K, V>(std::marker::PhantomData<(K, V)>);
    impl<'de, K, V> serde::de::Visitor<'de> for Unique<K, V>
    where
        K: serde::Deserialize<'de> + Ord + std::fmt::Display,
        V: serde::Deserialize<'de>,
    {
        type Value = std::collections::BTreeMap<K, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map with each key once")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = std::collections::BTreeMap::new();
            while let Some(key) = map.next_key::<K>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!(
                        "the key `{key}` is written twice in one map"
                    )));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(std::marker::PhantomData))
}

/// How a replayed outcome differs from the recorded one: the protocol's own words for the parts
/// it describes, and then every other part of the record, so that no edit of an outcome passes
/// unseen (a client's name, an output, a step, a second violation).
pub fn outcome_differences<P: Plugin>(recorded: &P::Outcome, replayed: &P::Outcome) -> Vec<String> {
    let mut diffs = P::differences(recorded, replayed);
    if recorded != replayed {
        let (a, b) = (
            serde_json::to_value(recorded).unwrap_or_default(),
            serde_json::to_value(replayed).unwrap_or_default(),
        );
        let mut more = Vec::new();
        json_differences("", &a, &b, &mut more);
        // Name what the protocol's words did not already say.
        for d in more {
            let field = d
                .split([':', '[', '.'])
                .next()
                .unwrap_or_default()
                .to_string();
            if !diffs.iter().any(|w| w.starts_with(&field)) {
                diffs.push(d);
            }
        }
        if diffs.is_empty() {
            diffs.push("the recorded outcome differs from the replayed one".into());
        }
    }
    diffs
}

/// The first place each top-level part of two JSON values differs, as `path: recorded X;
/// replayed Y` (values cut short).
fn json_differences(
    path: &str,
    a: &serde_json::Value,
    b: &serde_json::Value,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    if a == b {
        return;
    }
    let short = |v: &Value| crate::trace::shorten(&format!("`{v}`"));
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => json_differences(&at, p, q, out),
                    (Some(p), None) => {
                        out.push(format!("{at}: recorded {}; replayed nothing", short(p)))
                    }
                    (None, Some(q)) => {
                        out.push(format!("{at}: recorded nothing; replayed {}", short(q)))
                    }
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if let Some(i) = (0..x.len().min(y.len())).find(|&i| x[i] != y[i]) {
                json_differences(&format!("{path}[{i}]"), &x[i], &y[i], out);
            } else {
                out.push(format!(
                    "{path}: recorded {} items; replayed {}",
                    x.len(),
                    y.len()
                ));
            }
        }
        _ => out.push(format!(
            "{path}: recorded {}; replayed {}",
            short(a),
            short(b)
        )),
    }
}
