//! The seam between a consensus protocol and the world that runs it. A protocol supplies its node
//! state, its message type, pure handlers and a safety monitor; the world supplies the network,
//! clock, faults, timers and trace. Multi-Paxos or Raft plug in here without forking the rest.

use std::fmt::{Debug, Display};
use std::hash::Hash;

use super::ids::NodeId;
use super::world::Event;

/// What a handler may know about "now": handed in, never read from a clock.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    /// The step being executed (1 for the first action).
    pub step: u64,
    /// The simulated time in ticks.
    pub now: u64,
    /// What the handling node's own clock reads: behind `now` after a pause, off it by drift.
    /// Anything a node decides by time (a lease) reads this, never `now`.
    pub local: u64,
}

/// A timer request from a handler: the world owns the clock, the node only asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerOp {
    Start(Wait),
    Stop,
}

/// How long a started timer runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// The run's configured timeout.
    Standard,
    /// Exactly this many ticks.
    Ticks(u32),
    /// A number of ticks drawn from the world's seeded generator, both ends included (a
    /// randomised election timeout).
    Between(u32, u32),
}

/// What a client hands a node: a value to propose (Paxos) or a command (Multi-Paxos, Raft).
/// Actions carry it, so traces and lessons store it.
pub trait Request:
    Clone + Debug + Hash + Eq + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static
{
    /// Writes the request as an action's argument, as a trace spells it (`"A"` for a value).
    fn fmt_arg(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result;
}

/// Everything a handler wants done. Handlers never touch the network themselves, which keeps them
/// pure and lets the world record, delay, drop or duplicate every message.
pub struct Outbox<P: Protocol> {
    pub sends: Vec<(NodeId, P::Msg)>,
    pub notes: Vec<P::Note>,
    pub timer: Option<TimerOp>,
}

impl<P: Protocol> Default for Outbox<P> {
    fn default() -> Self {
        Outbox {
            sends: Vec::new(),
            notes: Vec::new(),
            timer: None,
        }
    }
}

impl<P: Protocol> Outbox<P> {
    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.sends.push((to, msg));
    }
    pub fn note(&mut self, note: P::Note) {
        self.notes.push(note);
    }
    pub fn clear(&mut self) {
        self.sends.clear();
        self.notes.clear();
        self.timer = None;
    }
}

/// A broken safety rule, found after the step that broke it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Violation {
    /// A stable kebab-case name, such as `agreement`.
    pub invariant: &'static str,
    pub step: u64,
    /// Plain words naming the nodes, ballots and values involved (English: traces and the
    /// command line use it).
    pub detail: String,
    /// The same in Simplified Chinese, for the app.
    pub detail_zh: String,
}

impl Violation {
    /// `detail`: the detail in English and in Chinese (see `words::both`).
    pub fn new(invariant: &'static str, step: u64, detail: [String; 2]) -> Self {
        let [detail, detail_zh] = detail;
        Violation {
            invariant,
            step,
            detail,
            detail_zh,
        }
    }

    /// The detail in Chinese (`zh`) or English.
    pub fn detail_in(&self, zh: bool) -> &str {
        if zh { &self.detail_zh } else { &self.detail }
    }
}

/// Why a protocol refused an action (the world reports it with the action).
pub type Refusal = String;

pub trait Protocol: Clone + Debug + Sized + 'static {
    type Node: Clone + Debug + Hash;
    /// Serde because a lie (`Action::Lie`) carries one in a trace.
    type Msg: Clone
        + Debug
        + Display
        + Hash
        + Eq
        + serde::Serialize
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static;
    /// What a handler observed about itself (a phase change, a vote, a value learned): shown in the
    /// event log and fed to the safety monitor.
    type Note: Clone + Debug + Hash;
    /// Safety bookkeeping kept beside the nodes, updated incrementally from notes.
    type Monitor: Clone + Debug + Hash;
    /// What a client hands a node.
    type Request: Request;

    /// Every node, in the order the world stores them.
    fn roster(&self) -> Vec<NodeId>;
    /// Where `id` sits in the roster, if it exists.
    fn slot_of(&self, id: NodeId) -> Option<usize>;
    fn initial_node(&self, id: NodeId) -> Self::Node;
    /// Whether clients may send requests to this node (proposers, in Paxos).
    fn takes_requests(&self, id: NodeId) -> bool;
    /// Whether a node that takes requests has room for one more now (a client whose queue is
    /// full refuses): the auto-scheduler asks only those that do.
    fn has_room(&self, _node: &Self::Node) -> bool {
        true
    }
    /// The request the auto-scheduler makes at `id` when its workload knob fires.
    fn auto_request(&self, id: NodeId, node: &Self::Node) -> Self::Request;
    fn new_monitor(&self) -> Self::Monitor;
    /// The timer a node starts with, if any (Raft's servers start their election timers).
    fn initial_timer(&self, _id: NodeId) -> Option<Wait> {
        None
    }

    /// Whether `id` is Byzantine: it runs the protocol's handlers like any node, but it may also
    /// lie (send any message of `lies` at any time), and the monitor does not judge it.
    fn is_byzantine(&self, _id: NodeId) -> bool {
        false
    }
    /// The lies Byzantine node `id` may tell in its state `node`: a bounded alphabet of messages
    /// and their receivers, built from what the node has seen (its ballots or terms) and the
    /// values of the run, as formal models of Byzantine protocols bound them. The random
    /// scheduler draws from it, the explorer tries each, the app lists them in a menu.
    fn lies(&self, _id: NodeId, _node: &Self::Node) -> Vec<(NodeId, Self::Msg)> {
        Vec::new()
    }
    /// The `k`th lie `lies` lists now, or how many it lists if fewer. The random scheduler
    /// draws one lie in many steps, so a protocol with a large alphabet builds that one alone.
    fn lie_at(
        &self,
        id: NodeId,
        node: &Self::Node,
        k: usize,
    ) -> Result<(NodeId, Self::Msg), usize> {
        let mut lies = self.lies(id, node);
        if k < lies.len() {
            Ok(lies.swap_remove(k))
        } else {
            Err(lies.len())
        }
    }
    /// Whether `from` could send `msg` to `to` at all (its role sends that kind of message and
    /// `to`'s role reads it): a lie in a trace that no node of that role could tell is refused.
    fn check_lie(&self, _from: NodeId, _to: NodeId, _msg: &Self::Msg) -> Result<(), Refusal> {
        Ok(())
    }

    /// A client hands `id` a request.
    fn on_request(
        &self,
        ctx: Ctx,
        id: NodeId,
        node: &mut Self::Node,
        request: Self::Request,
        out: &mut Outbox<Self>,
    ) -> Result<(), Refusal>;
    fn on_message(
        &self,
        ctx: Ctx,
        id: NodeId,
        node: &mut Self::Node,
        from: NodeId,
        msg: Self::Msg,
        out: &mut Outbox<Self>,
    );
    /// The node's timer fired (the world only fires a started timer).
    fn on_timeout(&self, ctx: Ctx, id: NodeId, node: &mut Self::Node, out: &mut Outbox<Self>);
    /// The node comes back after a crash: it keeps its durable state and loses the rest.
    fn on_restart(&self, ctx: Ctx, id: NodeId, node: &mut Self::Node, out: &mut Outbox<Self>);

    /// Tells the monitor a client handed `node` a request (validity: an honest node decides
    /// only what some client asked for). Most monitors learn enough from notes.
    fn observe_request(
        &self,
        _monitor: &mut Self::Monitor,
        _node: NodeId,
        _request: &Self::Request,
    ) {
    }

    /// Checks the safety rules against one note, pushing any finding (a value chosen, a violation)
    /// as events. Called for every note, so the checks are incremental.
    fn observe(
        &self,
        monitor: &mut Self::Monitor,
        ctx: Ctx,
        node: NodeId,
        note: &Self::Note,
        events: &mut Vec<Event<Self>>,
    );
}
