//! What the store views read of any replicated store (Multi-Paxos, Raft): each replica's store
//! and how far it applied, and the clients' history laid out with its linearizability verdict.

use std::collections::BTreeMap;

use super::{History, Linearization, Op, Output, Store, client};
use crate::protocols::ids::Value;
use crate::sim::{NodeId, Protocol, World};

/// A protocol whose servers hold a replica of the store and whose monitor keeps the clients'
/// history.
pub trait Replicated: Protocol {
    /// A server's replica: entries applied, and the store (`None` for a client).
    fn replica(node: &Self::Node) -> Option<(u32, &Store)>;
    fn history(monitor: &Self::Monitor) -> &History;
}

/// One replica's store, as the store view draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreRow {
    pub server: NodeId,
    pub up: bool,
    /// Slots applied, in order.
    pub applied: u32,
    pub kv: BTreeMap<Value, Value>,
    /// Another replica that applied as many slots holds a different store: state machine safety
    /// is broken (replicas that applied fewer slots only lag).
    pub diverged: bool,
}

/// Every replica's store, and which differ from a replica at the same point of the log.
pub fn store_rows<P: Replicated>(world: &World<P>) -> Vec<StoreRow> {
    let mut rows: Vec<StoreRow> = world
        .nodes()
        .iter()
        .filter_map(|s| {
            P::replica(&s.state).map(|(applied, store)| StoreRow {
                server: s.id,
                up: s.up,
                applied,
                kv: store.kv.clone(),
                diverged: false,
            })
        })
        .collect();
    for i in 0..rows.len() {
        rows[i].diverged = rows
            .iter()
            .any(|r| r.applied == rows[i].applied && r.kv != rows[i].kv);
    }
    rows
}

/// One request of the clients' history, as the history view draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryBar {
    pub client: NodeId,
    pub seq: u32,
    pub op: Op,
    pub invoke: u64,
    /// The step its answer arrived, and the answer; `None` while pending.
    pub ret: Option<(u64, Output)>,
    /// Where the request takes effect in the linearization found (a time between its invoke and
    /// its return), if it was placed.
    pub point: Option<f64>,
}

/// Why a history is not linearizable: the request no order can place next, what it returned,
/// what the store would have answered after the longest order that explains the rest, and how
/// many requests that order holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Unplaceable {
    /// Index into the bars.
    pub culprit: usize,
    pub got: Output,
    pub would: Output,
    pub before: usize,
}

/// The clients' history laid out on the run's steps, with its verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryPicture {
    pub bars: Vec<HistoryBar>,
    /// `None` when linearizable.
    pub unplaceable: Option<Unplaceable>,
    /// The last step of the run (the right end of the time axis).
    pub end: u64,
}

/// The history of `world`'s clients, checked for linearizability. Points are placed as early as
/// the order allows: each just after its invocation or just after the point before it (a valid
/// order never needs a point past the request's return; the clamp only keeps rounding inside).
pub fn history_picture<P: Replicated>(world: &World<P>) -> HistoryPicture {
    let history = P::history(world.monitor());
    let mut bars: Vec<HistoryBar> = history
        .ops()
        .map(|o| HistoryBar {
            client: client(o.client),
            seq: o.seq,
            op: o.op,
            invoke: o.invoke,
            ret: o.ret,
            point: None,
        })
        .collect();
    let (order, unplaceable) = match super::check(history) {
        Linearization::Linearizable(order) => (order, None),
        // No order to tick and no culprit to name.
        Linearization::Undecided => (Vec::new(), None),
        Linearization::NotLinearizable {
            prefix, culprit, ..
        } => {
            let unplaceable = (culprit < history.len()).then(|| {
                // What the store would answer after the longest order that explains the rest.
                let mut kv = BTreeMap::new();
                for &i in &prefix {
                    Store::run(&mut kv, history.op(i).op);
                }
                let op = history.op(culprit);
                Unplaceable {
                    culprit,
                    got: op.ret.map_or(Output::Got(None), |r| r.1),
                    would: Store::run(&mut kv, op.op),
                    before: prefix.len(),
                }
            });
            (prefix, unplaceable)
        }
    };
    let mut last = f64::MIN;
    for i in order {
        let b = &mut bars[i];
        let mut at = (b.invoke as f64 + 0.25).max(last + 0.05);
        if let Some((r, _)) = b.ret {
            at = at.min(r as f64);
        }
        b.point = Some(at);
        last = at;
    }
    HistoryPicture {
        bars,
        unplaceable,
        end: world.step(),
    }
}
