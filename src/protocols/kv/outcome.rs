//! The store and the clients' history as a trace's outcome records them, for every protocol
//! that runs the key-value store (Multi-Paxos, Raft).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{History, Op, Output, Store};
use crate::sim::NodeId;

/// A replica at the end of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replica {
    /// Slots applied (every slot up to this one).
    pub applied: u32,
    #[serde(deserialize_with = "crate::protocols::plugin::unique_keys")]
    pub kv: BTreeMap<String, String>,
}

/// One request of the clients' history, as `--json` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub client: String,
    pub op: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub invoke: u64,
    /// The step its answer arrived; `None` if it never did.
    pub r#return: Option<u64>,
    /// `ok`, `fail` or the value read; `None` for a read of a missing key or no answer.
    pub output: Option<String>,
}

impl Replica {
    pub fn of(store: &Store, applied: u32) -> Replica {
        Replica {
            applied,
            kv: store
                .kv
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

/// `ok`, `fail`, the value read, or `None` for a read of a missing key.
fn output_text(out: Output) -> Option<String> {
    match out {
        Output::Ok => Some("ok".into()),
        Output::Fail => Some("fail".into()),
        Output::Got(v) => v.map(|v| v.to_string()),
    }
}

/// Every request of the history, in invocation order.
pub fn history_requests(history: &History) -> Vec<Request> {
    history
        .ops()
        .map(|o| {
            let (expect, value) = match o.op {
                Op::Put(_, v) => (None, Some(v.to_string())),
                Op::Get(_) => (None, None),
                Op::Cas(_, e, v) => (Some(e.to_string()), Some(v.to_string())),
                Op::AddServer(n) | Op::RemoveServer(n) => (None, Some(format!("S{n}"))),
            };
            Request {
                client: super::client(o.client).to_string(),
                op: o.op.name().into(),
                key: o.op.key().map_or_else(String::new, |k| k.to_string()),
                expect,
                value,
                invoke: o.invoke,
                r#return: o.ret.map(|r| r.0),
                output: o.ret.and_then(|(_, out)| output_text(out)),
            }
        })
        .collect()
}

/// `S1 applied 3 [x=1 y=2]`, one per replica.
pub fn replica_words(replicas: &BTreeMap<NodeId, Replica>) -> Vec<String> {
    replicas
        .iter()
        .map(|(n, r)| {
            let kv: Vec<String> = r.kv.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{n} applied {} [{}]", r.applied, kv.join(" "))
        })
        .collect()
}

/// `4 requests, 3 answered, linearizable`.
pub fn history_words(history: &[Request], linearizable: bool) -> String {
    let done = history.iter().filter(|r| r.r#return.is_some()).count();
    format!(
        "{} requests, {done} answered, {}",
        history.len(),
        if linearizable {
            "linearizable"
        } else {
            "NOT linearizable"
        }
    )
}

/// Each replica as `--json` prints it: `{"S1": {"applied": 3, "kv": {...}}}`.
pub fn replicas_json(
    replicas: &BTreeMap<NodeId, Replica>,
) -> serde_json::Map<String, serde_json::Value> {
    replicas
        .iter()
        .map(|(n, r)| {
            (
                n.to_string(),
                serde_json::json!({"applied": r.applied, "kv": r.kv}),
            )
        })
        .collect()
}
