//! The world: nodes, network, clock, faults and timers around a protocol. It is a pure state
//! machine: `apply` takes one `Action` and records what happened as `Event`s; the same config,
//! seed and actions always give the same states. No clock, no I/O, no unseeded randomness.

use std::fmt;
use std::sync::Arc;

use super::ids::{MsgId, NodeId};
use super::network::{Envelope, Network};
use super::protocol::{Ctx, Outbox, Protocol, Request, TimerOp, Violation, Wait};
use super::rng::Rng;

/// Every change to a run. Traces are lists of these; the GUI, lessons and the auto-scheduler all
/// produce them, so anything a user does can be saved and replayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Action<R, M> {
    /// A client hands a node a request (Paxos: a value for a proposer to propose).
    Propose(NodeId, R),
    Deliver(MsgId),
    Drop(MsgId),
    /// Puts a copy of the message in flight (with a fresh id and latency).
    Duplicate(MsgId),
    Crash(NodeId),
    Restart(NodeId),
    /// Fires a node's timer now.
    Timeout(NodeId),
    /// The node stops for this many ticks (a long garbage-collection pause, a suspended VM) while
    /// the others run on, and resumes believing no time has passed: its clock stays that far
    /// behind. Messages for it wait until it resumes.
    Pause(NodeId, u32),
    CutLink(NodeId, NodeId),
    HealLink(NodeId, NodeId),
    /// A Byzantine node sends `msg` to `to` although its own state did not lead it there: a lie.
    /// Only a node the config marks Byzantine may lie, and only in its own name (senders cannot
    /// be forged, as if every message were signed).
    Lie {
        from: NodeId,
        to: NodeId,
        msg: M,
    },
}

/// An action's protocol parts: what `Propose` carries and what `Lie` sends.
pub type ActionOf<P> = Action<<P as Protocol>::Request, <P as Protocol>::Msg>;

impl<R: Request, M: fmt::Display> fmt::Display for Action<R, M> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Action::Propose(n, r) => {
                write!(f, "Propose({n}, ")?;
                r.fmt_arg(f)?;
                f.write_str(")")
            }
            Action::Deliver(m) => write!(f, "Deliver({})", m.0),
            Action::Drop(m) => write!(f, "Drop({})", m.0),
            Action::Duplicate(m) => write!(f, "Duplicate({})", m.0),
            Action::Crash(n) => write!(f, "Crash({n})"),
            Action::Restart(n) => write!(f, "Restart({n})"),
            Action::Timeout(n) => write!(f, "Timeout({n})"),
            Action::Pause(n, ticks) => write!(f, "Pause({n}, {ticks})"),
            Action::CutLink(a, b) => write!(f, "CutLink({a}, {b})"),
            Action::HealLink(a, b) => write!(f, "HealLink({a}, {b})"),
            Action::Lie { from, to, msg } => write!(f, "Lie({from} to {to}: {msg})"),
        }
    }
}

/// Why an action cannot be applied in the current state. Nothing changes when one is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("there is no node {0} in this cluster")]
    NoSuchNode(NodeId),
    #[error("message {0} is not in flight")]
    NotInFlight(MsgId),
    #[error("{0} is crashed")]
    Crashed(NodeId),
    #[error("{0} is not crashed")]
    NotCrashed(NodeId),
    #[error("{0} has no timer running")]
    NoTimer(NodeId),
    #[error("a link joins two different nodes, not {0} to itself")]
    SelfLink(NodeId),
    #[error("the link {0}-{1} is already cut")]
    AlreadyCut(NodeId, NodeId),
    #[error("the link {0}-{1} is not cut")]
    NotCut(NodeId, NodeId),
    #[error("{0} is paused until tick {1}")]
    Paused(NodeId, u64),
    #[error("a pause lasts 1 to {MAX_PAUSE} ticks, not {0}")]
    PauseLength(u32),
    #[error("{0} is not Byzantine: only a node the config marks Byzantine may lie")]
    NotByzantine(NodeId),
    #[error("{0}")]
    Refused(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossCause {
    /// Dropped by a `Drop` action.
    Dropped,
    LinkCut,
    DestinationCrashed,
}

/// What happened in a step, in order. Views and the event log read these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<P: Protocol> {
    Requested {
        node: NodeId,
        request: P::Request,
    },
    Sent(Envelope<P::Msg>),
    Delivered(Envelope<P::Msg>),
    Lost {
        envelope: Envelope<P::Msg>,
        cause: LossCause,
    },
    Duplicated {
        original: MsgId,
        copy: Envelope<P::Msg>,
    },
    Crashed(NodeId),
    Restarted(NodeId),
    TimedOut(NodeId),
    /// The node stopped for `ticks` and will resume at world time `until`.
    Paused {
        node: NodeId,
        ticks: u32,
        until: u64,
    },
    LinkCut(NodeId, NodeId),
    LinkHealed(NodeId, NodeId),
    /// A protocol observation: from a node, or from the monitor (`node: None`).
    Note {
        node: Option<NodeId>,
        note: P::Note,
    },
    Violation(Violation),
}

/// The longest pause one action may make.
pub const MAX_PAUSE: u32 = 100_000;

/// The widest clock drift a config may set, in parts per thousand.
pub const MAX_DRIFT: u32 = 500;

/// How a world's timing is set up (the protocol's own rules come separately).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub seed: u64,
    pub latency: (u32, u32),
    pub timeout: u32,
    /// How far each node's clock may run fast or slow, in parts per thousand (each node's
    /// rate is drawn once, from the seed): 0, every clock keeps the world's time.
    pub drift: u32,
}

/// Hashed as before drift existed when there is none, so older traces' hashes stand.
impl std::hash::Hash for Timing {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.seed.hash(h);
        self.latency.hash(h);
        self.timeout.hash(h);
        if self.drift != 0 {
            self.drift.hash(h);
        }
    }
}

/// How a node's own clock differs from the world's. Handlers read it (`Ctx::local`): a lease
/// is judged by the leader's clock, not by the world's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Clock {
    /// Ticks its clock missed while paused: it reads that much less than the world's time.
    pub behind: u64,
    /// Paused until this world time (at or before now: running).
    pub paused_until: u64,
    /// Parts per thousand its clock runs fast (negative: slow).
    pub drift: i32,
}

impl Clock {
    /// What this clock reads at world time `now`.
    pub fn local(&self, now: u64) -> u64 {
        let rated = now as i128 * (1000 + self.drift as i128) / 1000;
        (rated.max(0) as u64).saturating_sub(self.behind)
    }

    /// The world ticks in which this clock counts `ticks` of its own.
    pub fn world_ticks(&self, ticks: u64) -> u64 {
        let rate = (1000 + self.drift as i128).max(1);
        ((ticks as i128 * 1000 + rate - 1) / rate) as u64
    }

    /// Whether the node is paused at world time `now`.
    pub fn paused_at(&self, now: u64) -> bool {
        now < self.paused_until
    }
}

#[derive(Clone, Debug, Hash)]
pub struct Slot<N> {
    pub id: NodeId,
    pub up: bool,
    /// When this node's timer fires, if one is running.
    pub timer: Option<u64>,
    pub state: N,
}

#[derive(Clone, Debug)]
pub struct World<P: Protocol> {
    protocol: Arc<P>,
    timing: Timing,
    slots: Vec<Slot<P::Node>>,
    net: Network<P::Msg>,
    now: u64,
    step: u64,
    rng: Rng,
    monitor: P::Monitor,
    /// The first violation of each invariant, in the order found.
    violations: Vec<Violation>,
    /// What the last step did.
    events: Vec<Event<P>>,
    /// The ids of messages that are lies (sent by a `Lie` action), in order: views mark them.
    lies: Vec<MsgId>,
    /// Each node's clock, by slot.
    clocks: Vec<Clock>,
}

impl<P: Protocol> World<P> {
    pub fn new(protocol: P, timing: Timing) -> Self {
        let slots = protocol
            .roster()
            .into_iter()
            .map(|id| Slot {
                id,
                up: true,
                timer: None,
                state: protocol.initial_node(id),
            })
            .collect();
        let mut world = World {
            monitor: protocol.new_monitor(),
            protocol: Arc::new(protocol),
            timing,
            slots,
            net: Network::default(),
            now: 0,
            step: 0,
            rng: Rng::new(timing.seed),
            violations: Vec::new(),
            events: Vec::new(),
            lies: Vec::new(),
            clocks: Vec::new(),
        };
        world.clocks = world.draw_clocks();
        // Timers that run from the start (Raft's elections), drawn in roster order.
        for slot in 0..world.slots.len() {
            let id = world.slots[slot].id;
            if let Some(wait) = world.protocol.initial_timer(id) {
                let ticks = world.ticks(wait);
                world.slots[slot].timer = Some(world.clocks[slot].world_ticks(ticks));
            }
        }
        world
    }

    /// Each node's clock at the start: its drift drawn from a generator of its own, so that a
    /// run without drift draws what it always drew.
    fn draw_clocks(&self) -> Vec<Clock> {
        let bound = self.timing.drift.min(MAX_DRIFT) as u64;
        let mut rng = Rng::new(self.timing.seed ^ 0xC10C_D21F_7000_0000);
        self.slots
            .iter()
            .map(|_| Clock {
                drift: if bound == 0 {
                    0
                } else {
                    rng.range(0, 2 * bound) as i32 - bound as i32
                },
                ..Clock::default()
            })
            .collect()
    }

    /// How long a timer started now runs.
    fn ticks(&mut self, wait: Wait) -> u64 {
        match wait {
            Wait::Standard => self.timing.timeout as u64,
            Wait::Ticks(t) => t as u64,
            Wait::Between(lo, hi) => self.rng.range(lo as u64, hi.max(lo) as u64),
        }
    }

    pub fn protocol(&self) -> &P {
        &self.protocol
    }
    pub fn timing(&self) -> Timing {
        self.timing
    }
    /// How many actions have been applied.
    pub fn step(&self) -> u64 {
        self.step
    }
    /// Simulated time in ticks.
    pub fn now(&self) -> u64 {
        self.now
    }
    pub fn nodes(&self) -> &[Slot<P::Node>] {
        &self.slots
    }
    pub fn node(&self, id: NodeId) -> Option<&Slot<P::Node>> {
        self.protocol.slot_of(id).map(|i| &self.slots[i])
    }
    pub fn network(&self) -> &Network<P::Msg> {
        &self.net
    }
    pub fn monitor(&self) -> &P::Monitor {
        &self.monitor
    }
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
    /// The earliest violation found, if any.
    pub fn first_violation(&self) -> Option<&Violation> {
        self.violations.first()
    }
    /// The events of the last applied step.
    pub fn events(&self) -> &[Event<P>] {
        &self.events
    }
    /// Whether message `id` was sent by a `Lie` action.
    pub fn is_lie(&self, id: MsgId) -> bool {
        self.lies.binary_search(&id).is_ok()
    }
    /// Node `id`'s clock.
    pub fn clock(&self, id: NodeId) -> Clock {
        self.protocol
            .slot_of(id)
            .map_or_else(Clock::default, |i| self.clocks[i])
    }
    /// Whether node `id` is paused now.
    pub fn is_paused(&self, id: NodeId) -> bool {
        self.clock(id).paused_at(self.now)
    }
    /// When a message for `dst` due at `deliver_at` can be taken: not before it resumes.
    pub fn due_at(&self, dst: NodeId, deliver_at: u64) -> u64 {
        deliver_at.max(self.clock(dst).paused_until)
    }

    fn slot_index(&self, id: NodeId) -> Result<usize, ActionError> {
        self.protocol.slot_of(id).ok_or(ActionError::NoSuchNode(id))
    }

    fn live_slot(&self, id: NodeId) -> Result<usize, ActionError> {
        let i = self.slot_index(id)?;
        if self.slots[i].up {
            Ok(i)
        } else {
            Err(ActionError::Crashed(id))
        }
    }

    /// Checks an action without applying it.
    pub fn check(&self, action: &ActionOf<P>) -> Result<(), ActionError> {
        match *action {
            Action::Lie { from, to, ref msg } => {
                self.live_slot(from)?;
                self.slot_index(to)?;
                if !self.protocol.is_byzantine(from) {
                    return Err(ActionError::NotByzantine(from));
                }
                if from == to {
                    return Err(ActionError::Refused(format!(
                        "{from} would be lying to itself"
                    )));
                }
                self.protocol
                    .check_lie(from, to, msg)
                    .map_err(ActionError::Refused)
            }
            Action::Propose(n, _) => {
                self.live_slot(n)?;
                if self.protocol.takes_requests(n) {
                    Ok(())
                } else {
                    Err(ActionError::Refused(format!(
                        "{n} does not take client requests"
                    )))
                }
            }
            Action::Deliver(m) | Action::Drop(m) | Action::Duplicate(m) => {
                self.net.get(m).map(drop).ok_or(ActionError::NotInFlight(m))
            }
            Action::Crash(n) => self.live_slot(n).map(drop),
            Action::Pause(n, ticks) => {
                let i = self.live_slot(n)?;
                if !(1..=MAX_PAUSE).contains(&ticks) {
                    return Err(ActionError::PauseLength(ticks));
                }
                match self.clocks[i].paused_until {
                    until if until > self.now => Err(ActionError::Paused(n, until)),
                    _ => Ok(()),
                }
            }
            Action::Restart(n) => {
                let i = self.slot_index(n)?;
                if self.slots[i].up {
                    Err(ActionError::NotCrashed(n))
                } else {
                    Ok(())
                }
            }
            Action::Timeout(n) => {
                let i = self.live_slot(n)?;
                self.slots[i].timer.map(drop).ok_or(ActionError::NoTimer(n))
            }
            Action::CutLink(a, b) | Action::HealLink(a, b) => {
                self.slot_index(a)?;
                self.slot_index(b)?;
                if a == b {
                    return Err(ActionError::SelfLink(a));
                }
                let cut = self.net.is_cut(a, b);
                match action {
                    Action::CutLink(..) if cut => Err(ActionError::AlreadyCut(a, b)),
                    Action::HealLink(..) if !cut => Err(ActionError::NotCut(a, b)),
                    _ => Ok(()),
                }
            }
        }
    }

    /// The lies each live Byzantine node may tell now, from the protocol's bounded alphabet.
    pub fn lies(&self) -> Vec<ActionOf<P>> {
        self.slots.iter().flat_map(|s| self.lies_of(s.id)).collect()
    }

    /// The lies node `id` may tell now: none unless it is Byzantine and up.
    pub fn lies_of(&self, id: NodeId) -> Vec<ActionOf<P>> {
        match self.node(id) {
            Some(s) if s.up && self.protocol.is_byzantine(id) => self
                .protocol
                .lies(id, &s.state)
                .into_iter()
                .map(|(to, msg)| Action::Lie { from: id, to, msg })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The `k`th lie `lies` lists, built alone, or how many it lists if fewer.
    pub fn lie_at(&self, mut k: usize) -> Result<ActionOf<P>, usize> {
        let mut count = 0;
        for s in self
            .slots
            .iter()
            .filter(|s| s.up && self.protocol.is_byzantine(s.id))
        {
            match self.protocol.lie_at(s.id, &s.state, k) {
                Ok((to, msg)) => {
                    return Ok(Action::Lie {
                        from: s.id,
                        to,
                        msg,
                    });
                }
                Err(n) => {
                    k -= n;
                    count += n;
                }
            }
        }
        Err(count)
    }

    /// Every action that would apply now, for a user (or a test) to choose from. Requests are
    /// listed with `request`; links with every pair of distinct nodes; lies with `lies`.
    pub fn enabled_actions(&self, request: &P::Request) -> Vec<ActionOf<P>> {
        let mut out = Vec::new();
        for s in &self.slots {
            if s.up && self.protocol.takes_requests(s.id) {
                out.push(Action::Propose(s.id, request.clone()));
            }
        }
        for e in self.net.in_flight() {
            out.extend([
                Action::Deliver(e.id),
                Action::Drop(e.id),
                Action::Duplicate(e.id),
            ]);
        }
        for s in &self.slots {
            out.push(if s.up {
                Action::Crash(s.id)
            } else {
                Action::Restart(s.id)
            });
            if s.up && s.timer.is_some() {
                out.push(Action::Timeout(s.id));
            }
        }
        for (i, a) in self.slots.iter().enumerate() {
            for b in &self.slots[i + 1..] {
                out.push(if self.net.is_cut(a.id, b.id) {
                    Action::HealLink(a.id, b.id)
                } else {
                    Action::CutLink(a.id, b.id)
                });
            }
        }
        out.extend(self.lies());
        out
    }

    /// Applies one action as the next step. A refused action changes nothing.
    pub fn apply(&mut self, action: &ActionOf<P>) -> Result<(), ActionError> {
        self.check(action)?;
        self.events.clear();
        self.step += 1;
        let mut out = Outbox::<P>::default();
        match *action {
            Action::Propose(node, ref request) => {
                let i = self.live_slot(node)?;
                // A paused node takes the request when it resumes.
                self.now = self.now.max(self.clocks[i].paused_until);
                let ctx = self.ctx(i);
                let protocol = Arc::clone(&self.protocol);
                if let Err(why) = protocol.on_request(
                    ctx,
                    node,
                    &mut self.slots[i].state,
                    request.clone(),
                    &mut out,
                ) {
                    // `check` vetted the node, so this is a protocol bug; undo the step count.
                    self.step -= 1;
                    return Err(ActionError::Refused(why));
                }
                self.events.push(Event::Requested {
                    node,
                    request: request.clone(),
                });
                self.protocol
                    .observe_request(&mut self.monitor, node, request);
                self.flush(i, &mut out);
            }
            Action::Deliver(id) => {
                let env = self.net.take(id).ok_or(ActionError::NotInFlight(id))?;
                let i = self.slot_index(env.dst)?;
                self.now = self.now.max(self.due_at(env.dst, env.deliver_at));
                let cause = if self.net.is_cut(env.src, env.dst) {
                    Some(LossCause::LinkCut)
                } else if !self.slots[i].up {
                    Some(LossCause::DestinationCrashed)
                } else {
                    None
                };
                if let Some(cause) = cause {
                    self.net.stats.dropped += 1;
                    self.events.push(Event::Lost {
                        envelope: env,
                        cause,
                    });
                } else {
                    self.net.stats.delivered += 1;
                    let (dst, src, msg) = (env.dst, env.src, env.msg.clone());
                    self.events.push(Event::Delivered(env));
                    let ctx = self.ctx(i);
                    let protocol = Arc::clone(&self.protocol);
                    protocol.on_message(ctx, dst, &mut self.slots[i].state, src, msg, &mut out);
                    self.flush(i, &mut out);
                }
            }
            Action::Drop(id) => {
                let env = self.net.take(id).ok_or(ActionError::NotInFlight(id))?;
                self.net.stats.dropped += 1;
                self.events.push(Event::Lost {
                    envelope: env,
                    cause: LossCause::Dropped,
                });
            }
            Action::Duplicate(id) => {
                let env = self.net.get(id).ok_or(ActionError::NotInFlight(id))?;
                let (src, dst, msg) = (env.src, env.dst, env.msg.clone());
                let deliver_at = self.now + self.latency();
                let copy = self.net.send(src, dst, msg, self.now, deliver_at);
                self.net.stats.sent -= 1;
                self.net.stats.duplicated += 1;
                self.events.push(Event::Duplicated { original: id, copy });
            }
            Action::Crash(node) => {
                let i = self.live_slot(node)?;
                self.slots[i].up = false;
                self.slots[i].timer = None;
                self.events.push(Event::Crashed(node));
            }
            Action::Restart(node) => {
                let i = self.slot_index(node)?;
                self.slots[i].up = true;
                self.events.push(Event::Restarted(node));
                let ctx = self.ctx(i);
                let protocol = Arc::clone(&self.protocol);
                protocol.on_restart(ctx, node, &mut self.slots[i].state, &mut out);
                self.flush(i, &mut out);
            }
            Action::Timeout(node) => {
                let i = self.live_slot(node)?;
                let deadline = self.slots[i]
                    .timer
                    .take()
                    .ok_or(ActionError::NoTimer(node))?;
                self.now = self.now.max(deadline);
                self.events.push(Event::TimedOut(node));
                let ctx = self.ctx(i);
                let protocol = Arc::clone(&self.protocol);
                protocol.on_timeout(ctx, node, &mut self.slots[i].state, &mut out);
                self.flush(i, &mut out);
            }
            Action::Pause(node, ticks) => {
                let i = self.live_slot(node)?;
                let clock = &mut self.clocks[i];
                // Its clock stops with it: on resuming it reads the time it paused at.
                let missed = clock.local(self.now + ticks as u64) - clock.local(self.now);
                clock.behind += missed;
                clock.paused_until = self.now + ticks as u64;
                // Its timer runs by its own clock, so it fires that much later.
                if let Some(t) = &mut self.slots[i].timer {
                    *t = (*t).max(self.now) + ticks as u64;
                }
                self.events.push(Event::Paused {
                    node,
                    ticks,
                    until: clock.paused_until,
                });
            }
            Action::CutLink(a, b) => {
                self.net.cut(a, b);
                self.events.push(Event::LinkCut(a, b));
            }
            Action::HealLink(a, b) => {
                self.net.heal(a, b);
                self.events.push(Event::LinkHealed(a, b));
            }
            Action::Lie { from, to, ref msg } => {
                let deliver_at = self.now + self.latency();
                let env = self.net.send(from, to, msg.clone(), self.now, deliver_at);
                self.lies.push(env.id);
                self.events.push(Event::Sent(env));
            }
        }
        Ok(())
    }

    fn ctx(&self, slot: usize) -> Ctx {
        Ctx {
            step: self.step,
            now: self.now,
            local: self.clocks[slot].local(self.now),
        }
    }

    fn latency(&mut self) -> u64 {
        let (lo, hi) = self.timing.latency;
        self.rng.range(lo as u64, hi as u64)
    }

    /// Carries out what a handler asked for: notes to the monitor, messages to the network, timer.
    fn flush(&mut self, slot: usize, out: &mut Outbox<P>) {
        let node = self.slots[slot].id;
        let ctx = self.ctx(slot);
        let before = self.events.len();
        // The monitor judges honest nodes only: a Byzantine node's own account of itself
        // proves nothing.
        let honest = !self.protocol.is_byzantine(node);
        for note in out.notes.drain(..) {
            self.events.push(Event::Note {
                node: Some(node),
                note: note.clone(),
            });
            if honest {
                self.protocol
                    .observe(&mut self.monitor, ctx, node, &note, &mut self.events);
            }
        }
        for e in &self.events[before..] {
            if let Event::Violation(v) = e
                && !self.violations.iter().any(|o| o.invariant == v.invariant)
            {
                self.violations.push(v.clone());
            }
        }
        for (dst, msg) in out.sends.drain(..) {
            let deliver_at = self.now + self.latency();
            let env = self.net.send(node, dst, msg, self.now, deliver_at);
            self.events.push(Event::Sent(env));
        }
        match out.timer.take() {
            Some(TimerOp::Start(wait)) => {
                let ticks = self.ticks(wait);
                let ticks = self.clocks[slot].world_ticks(ticks);
                self.slots[slot].timer = Some(self.now + ticks)
            }
            Some(TimerOp::Stop) => self.slots[slot].timer = None,
            None => {}
        }
    }

    /// A stable 64-bit digest of the whole state (FNV-1a over a canonical walk), recorded in
    /// traces so a replay can prove it reached the same place.
    pub fn state_hash(&self) -> u64 {
        use std::hash::Hash;
        let mut h = super::hash::StableHasher::default();
        self.timing.hash(&mut h);
        self.slots.hash(&mut h);
        self.net.hash(&mut h);
        self.now.hash(&mut h);
        self.step.hash(&mut h);
        self.rng.hash(&mut h);
        self.monitor.hash(&mut h);
        self.violations.hash(&mut h);
        // Only runs with lies hash them, so the hashes of earlier traces stand.
        if !self.lies.is_empty() {
            self.lies.hash(&mut h);
        }
        // Likewise clocks, only once one differs from the world's.
        if self.clocks.iter().any(|c| *c != Clock::default()) {
            self.clocks.hash(&mut h);
        }
        h.finish_u64()
    }
}
