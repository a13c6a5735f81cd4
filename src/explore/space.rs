//! The explored state space of one protocol: what a state holds besides the protocol's own
//! nodes (who is up, whose timer runs, who has proposed, what fault budget is spent), how a
//! state's successors are made, and how a path of them becomes world actions again.
//!
//! A successor is written by splicing: the parent's bytes for every node the step did not touch,
//! fresh bytes for the one it did, so expanding a state costs one handler call and one copy.

use super::Bounds;
use crate::sim::canon::{Canonical, Reader, Writer, fingerprint};
use crate::sim::protocol::{Ctx, Outbox, TimerOp, Violation};
use crate::sim::world::ActionOf;
use crate::sim::{Action, Event, NodeId, World};

/// Most nodes an explored cluster may have: liveness, timers and requests are 64-bit masks.
pub const MAX_NODES: usize = 64;

/// One transition of the explored model. Messages are named by their envelope code (sender,
/// receiver and content), since in-flight copies of the same message are interchangeable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Propose(u8),
    Deliver(u64),
    Drop(u64),
    Duplicate(u64),
    Crash(u8),
    Restart(u8),
    Timeout(u8),
    /// A Byzantine node sends this message (its envelope code) as a lie.
    Lie(u64),
    /// The node stops for the bound's pause length and resumes with its clock where it stopped
    /// (only when the search keeps time, see `Times`).
    Pause(u8),
}

/// The search's clock, kept only when the protocol's handlers read clocks (`Canonical::clocked`,
/// under lease reads); otherwise every handler reads tick 0. The world's rules, at the timing
/// most against a lease: a message arrives the moment it is sent, and a timer drawn from a
/// range runs for its low end, so followers give up on a leader as early as they can. A timer
/// fires at its deadline or later (the step decides when), a step at a paused node waits for it
/// to resume, and clocks do not drift.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Times {
    now: u64,
    /// Pauses taken.
    pauses: u8,
    /// Per slot: when its timer fires (read only while it runs), how far its clock reads behind
    /// the world's (the pauses it slept through), and until when it is paused (0 if not).
    deadline: Vec<u64>,
    behind: Vec<u64>,
    paused_until: Vec<u64>,
}

impl Times {
    fn new(nodes: usize) -> Self {
        Times {
            deadline: vec![0; nodes],
            behind: vec![0; nodes],
            paused_until: vec![0; nodes],
            ..Times::default()
        }
    }

    /// When a step at `slot` happens: not before it resumes.
    fn at(&self, slot: usize) -> u64 {
        self.now.max(self.paused_until[slot])
    }

    fn is_paused(&self, slot: usize) -> bool {
        self.now < self.paused_until[slot]
    }

    /// Written as the state's part: a pause that is over and a timer that is not running are 0,
    /// so that states that differ only there meet.
    fn write(&self, timers: u64, w: &mut Writer) {
        w.varint(self.now);
        w.byte(self.pauses);
        for slot in 0..self.deadline.len() {
            w.varint(if timers & 1 << slot != 0 {
                self.deadline[slot]
            } else {
                0
            });
            w.varint(self.behind[slot]);
            w.varint(if self.is_paused(slot) {
                self.paused_until[slot]
            } else {
                0
            });
        }
    }

    /// The same clocks with slot `i`'s moved to `map[i]` (symmetry's renaming).
    fn renamed(&self, map: &[usize]) -> Times {
        let mut times = self.clone();
        for (slot, &to) in map.iter().enumerate() {
            times.deadline[to] = self.deadline[slot];
            times.behind[to] = self.behind[slot];
            times.paused_until[to] = self.paused_until[slot];
        }
        times
    }

    fn read(&mut self, r: &mut Reader) {
        self.now = r.varint();
        self.pauses = r.byte();
        for slot in 0..self.deadline.len() {
            self.deadline[slot] = r.varint();
            self.behind[slot] = r.varint();
            self.paused_until[slot] = r.varint();
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header {
    up: u64,
    timers: u64,
    /// Requesters whose client has already asked (each asks once).
    proposed: u64,
    /// Attempts (ballots) started, per requester.
    attempts: [u8; MAX_NODES],
    drops: u8,
    duplicates: u8,
    crashes: u8,
    /// Lies told (written only when some node may lie).
    lies: u8,
    /// Timeouts taken, per node (written only when the bounds limit them).
    timeouts: [u8; MAX_NODES],
}

pub struct Space<P: Canonical> {
    protocol: P,
    roster: Vec<NodeId>,
    /// For each slot, its index among the nodes that take requests.
    requester: Vec<Option<u8>>,
    requesters: usize,
    /// The request each requester makes, by requester index.
    requests: Vec<P::Request>,
    values: P::Values,
    bounds: Bounds,
    /// Slots of the symmetric role's members, when symmetry reduction is on.
    symmetric: Vec<usize>,
    /// The members (indices into `symmetric`) that may be renamed: the honest ones, since a
    /// liar is not interchangeable with an honest node.
    movable: Vec<usize>,
    symmetry: bool,
    /// The Byzantine nodes, as a mask of slots. With any, the protocol's reductions (stale and
    /// eager messages, a settled monitor) are off: their arguments assume honest nodes.
    liars: u64,
    /// The encoded state the search starts from, when not the fresh one (see `start_from`).
    start: Option<Vec<u8>>,
    /// The configured timeout, when the search keeps time (see `Times`).
    timeout: Option<u32>,
}

/// Per-worker buffers: the decoded parent and everything a transition needs, reused so that
/// expanding a state allocates almost nothing.
pub struct Scratch<P: Canonical> {
    header: Header,
    /// The parent's clock and the successor's, when the search keeps time.
    times: Times,
    next: Times,
    nodes: Vec<P::Node>,
    spans: Vec<(usize, usize)>,
    monitor: P::Monitor,
    monitor_span: (usize, usize),
    /// The bytes each of `nodes` (and then `monitor`) was last decoded from, if any: states
    /// expanded one after another are mostly siblings that share most nodes, and a node whose
    /// bytes are unchanged need not be decoded again.
    decoded_from: Vec<Option<Vec<u8>>>,
    /// Whether `monitor` was told of a request in this step (it then differs from its span).
    monitor_told: bool,
    msgs: Vec<u64>,
    out: Outbox<P>,
    events: Vec<Event<P>>,
    added: Vec<u64>,
    merged: Vec<u64>,
    /// The in-flight messages of a successor, decoded (for settling the monitor).
    flying: Vec<P::Msg>,
    writer: Writer,
    /// Where each node sits in `writer` (for the symmetry keys).
    written: Vec<(usize, usize)>,
    keys: Vec<Vec<u8>>,
    context: Vec<(usize, u64)>,
    /// Whether symmetry renamed the last successor, and its bytes before renaming.
    permuted: bool,
    concrete: Vec<u8>,
    /// The enabled steps of the state being expanded.
    steps: Vec<Step>,
}

/// Moves `r` past `known` if what it reads next starts with those bytes. Decoding reads its
/// bytes in order and stops where the encoding ends, so bytes that begin with an encoding
/// decode to the same value, over the same length: the value decoded from `known` stands.
fn skip_known(r: &mut Reader, known: &Option<Vec<u8>>) -> bool {
    match known {
        Some(k) if r.bytes.starts_with(k) => {
            r.bytes = &r.bytes[k.len()..];
            true
        }
        _ => false,
    }
}

fn remember(known: &mut Option<Vec<u8>>, bytes: &[u8]) {
    let k = known.get_or_insert_with(Vec::new);
    k.clear();
    k.extend_from_slice(bytes);
}

fn envelope(src: usize, dst: usize, msg_code: u64) -> u64 {
    msg_code << 16 | (src as u64) << 8 | dst as u64
}

fn parts(code: u64) -> (usize, usize, u64) {
    (
        ((code >> 8) & 0xff) as usize,
        (code & 0xff) as usize,
        code >> 16,
    )
}

impl<P: Canonical> Space<P> {
    /// Each node that takes requests proposes its own letter (`A` for P1, ...), once.
    pub fn new(protocol: P, bounds: Bounds, symmetry: bool) -> Result<Self, String> {
        let roster = protocol.roster();
        if roster.len() > MAX_NODES {
            return Err(format!(
                "the explorer handles at most {MAX_NODES} nodes, not {}",
                roster.len()
            ));
        }
        let mut requester = Vec::with_capacity(roster.len());
        let mut requests = Vec::new();
        for id in &roster {
            match protocol.explored_request(*id) {
                Some(r) if protocol.takes_requests(*id) => {
                    requester.push(Some(requests.len() as u8));
                    requests.push(r);
                }
                _ => requester.push(None),
            }
        }
        let symmetric: Vec<usize> = match protocol.symmetric_role() {
            Some(role) if symmetry => (0..roster.len())
                .filter(|&i| roster[i].role == role)
                .collect(),
            _ => Vec::new(),
        };
        let liars = (0..roster.len())
            .filter(|&i| protocol.is_byzantine(roster[i]))
            .fold(0u64, |m, i| m | 1 << i);
        let movable: Vec<usize> = (0..symmetric.len())
            .filter(|&i| liars & 1 << symmetric[i] == 0)
            .collect();
        Ok(Space {
            timeout: protocol.clocked(),
            symmetry: movable.len() > 1,
            symmetric,
            movable,
            liars,
            requesters: requests.len(),
            values: protocol.values(&requests),
            requests,
            start: None,
            protocol,
            roster,
            requester,
            bounds,
        })
    }

    /// Whether the search keeps time (see `Times`).
    pub fn keeps_time(&self) -> bool {
        self.timeout.is_some()
    }

    /// Whether symmetry reduction renames successors (walks need the nodes' own names).
    pub fn renames(&self) -> bool {
        self.symmetry
    }

    pub fn protocol(&self) -> &P {
        &self.protocol
    }

    pub fn roster(&self) -> &[NodeId] {
        &self.roster
    }

    /// How many timeouts node `slot` may take, if bounded.
    fn timeout_budget(&self, slot: usize) -> Option<u8> {
        if self.protocol.takes_requests(self.roster[slot]) {
            self.bounds.retries.or(self.bounds.timeouts)
        } else {
            self.bounds.timeouts
        }
    }

    /// The value node `slot` proposes, if it takes requests.
    fn request(&self, slot: usize) -> Option<P::Request> {
        self.requester[slot].map(|r| self.requests[r as usize].clone())
    }

    pub fn scratch(&self) -> Scratch<P> {
        Scratch {
            header: self.initial_header(),
            times: Times::new(self.roster.len()),
            next: Times::new(self.roster.len()),
            nodes: self
                .roster
                .iter()
                .map(|id| self.protocol.initial_node(*id))
                .collect(),
            spans: vec![(0, 0); self.roster.len()],
            monitor: self.protocol.new_monitor(),
            monitor_span: (0, 0),
            decoded_from: vec![None; self.roster.len() + 1],
            monitor_told: false,
            msgs: Vec::new(),
            out: Outbox::default(),
            events: Vec::new(),
            added: Vec::new(),
            merged: Vec::new(),
            flying: Vec::new(),
            writer: Writer::default(),
            written: vec![(0, 0); self.roster.len()],
            keys: vec![Vec::new(); self.symmetric.len()],
            context: Vec::new(),
            permuted: false,
            concrete: Vec::new(),
            steps: Vec::new(),
        }
    }

    fn initial_header(&self) -> Header {
        let all = if self.roster.len() == 64 {
            u64::MAX
        } else {
            (1u64 << self.roster.len()) - 1
        };
        Header {
            up: all,
            timers: 0,
            proposed: 0,
            attempts: [0; MAX_NODES],
            drops: 0,
            duplicates: 0,
            crashes: 0,
            lies: 0,
            timeouts: [0; MAX_NODES],
        }
    }

    /// Starts the search from `world` (a run's opening, such as every client's requests handed
    /// over) rather than from the fresh state. Its timers count as running, its messages as in
    /// flight; nothing of its budgets is spent.
    pub fn start_from(&mut self, world: &World<P>) {
        let mut h = self.initial_header();
        for (i, slot) in world.nodes().iter().enumerate() {
            if !slot.up {
                h.up &= !(1 << i);
            }
            if slot.timer.is_some() {
                h.timers |= 1 << i;
            }
        }
        let mut times = Times::new(self.roster.len());
        times.now = world.now();
        for (i, slot) in world.nodes().iter().enumerate() {
            let clock = world.clock(slot.id);
            times.deadline[i] = slot.timer.unwrap_or(0);
            times.behind[i] = clock.behind;
            times.paused_until[i] = clock.paused_until;
        }
        let mut w = Writer::default();
        self.write_header(&h, &times, &mut w);
        for slot in world.nodes() {
            self.protocol.encode_node(&slot.state, &self.values, &mut w);
        }
        self.protocol
            .encode_monitor(world.monitor(), &self.values, &mut w);
        let mut msgs: Vec<u64> = world
            .network()
            .in_flight()
            .filter_map(|e| {
                let src = self.protocol.slot_of(e.src)?;
                let dst = self.protocol.slot_of(e.dst)?;
                Some(envelope(
                    src,
                    dst,
                    self.protocol.encode_msg(&e.msg, &self.values),
                ))
            })
            .collect();
        msgs.sort_unstable();
        w.varint(msgs.len() as u64);
        let mut prev = 0u64;
        for m in msgs {
            w.varint(m - prev);
            prev = m;
        }
        self.start = Some(w.bytes);
    }

    /// The encoded initial state: every node fresh and up, nothing in flight (or the state given
    /// to `start_from`).
    pub fn initial(&self) -> Vec<u8> {
        if let Some(start) = &self.start {
            return start.clone();
        }
        let mut s = self.scratch();
        let nodes = std::mem::take(&mut s.nodes);
        let mut w = Writer::default();
        self.write_header(&s.header, &s.times, &mut w);
        for n in &nodes {
            self.protocol.encode_node(n, &self.values, &mut w);
        }
        self.protocol
            .encode_monitor(&s.monitor, &self.values, &mut w);
        w.varint(0);
        w.bytes
    }

    /// The state's header, then its clock when the search keeps time.
    fn write_header(&self, h: &Header, times: &Times, w: &mut Writer) {
        w.varint(h.up);
        w.varint(h.timers);
        w.varint(h.proposed);
        w.bytes.extend_from_slice(&h.attempts[..self.requesters]);
        w.byte(h.drops);
        w.byte(h.duplicates);
        w.byte(h.crashes);
        if self.liars != 0 {
            w.byte(h.lies);
        }
        if self.bounds.timeouts.is_some() {
            w.bytes.extend_from_slice(&h.timeouts[..self.roster.len()]);
        }
        if self.timeout.is_some() {
            times.write(h.timers, w);
        }
    }

    fn decode(&self, bytes: &[u8], s: &mut Scratch<P>) {
        let mut r = Reader::new(bytes);
        let at = |r: &Reader| bytes.len() - r.remaining();
        s.header.up = r.varint();
        s.header.timers = r.varint();
        s.header.proposed = r.varint();
        for a in &mut s.header.attempts[..self.requesters] {
            *a = r.byte();
        }
        s.header.drops = r.byte();
        s.header.duplicates = r.byte();
        s.header.crashes = r.byte();
        if self.liars != 0 {
            s.header.lies = r.byte();
        }
        if self.bounds.timeouts.is_some() {
            for t in &mut s.header.timeouts[..self.roster.len()] {
                *t = r.byte();
            }
        }
        if self.timeout.is_some() {
            s.times.read(&mut r);
        }
        for (i, id) in self.roster.iter().enumerate() {
            let start = at(&r);
            if !skip_known(&mut r, &s.decoded_from[i]) {
                s.nodes[i] = self.protocol.decode_node(*id, &self.values, &mut r);
                remember(&mut s.decoded_from[i], &bytes[start..at(&r)]);
            }
            s.spans[i] = (start, at(&r));
        }
        let start = at(&r);
        let m = self.roster.len();
        if !skip_known(&mut r, &s.decoded_from[m]) {
            s.monitor = self.protocol.decode_monitor(&self.values, &mut r);
            remember(&mut s.decoded_from[m], &bytes[start..at(&r)]);
        }
        s.monitor_span = (start, at(&r));
        let n = r.varint() as usize;
        s.msgs.clear();
        let mut code = 0u64;
        for _ in 0..n {
            code = code.wrapping_add(r.varint());
            s.msgs.push(code);
        }
    }

    /// Calls `sink(step, successor bytes, violation)` for every transition from `bytes`; `sink`
    /// returns false to stop early. `step` is the depth of the successors (handlers see it as the
    /// step number).
    pub fn expand(
        &self,
        bytes: &[u8],
        step: u64,
        s: &mut Scratch<P>,
        mut sink: impl FnMut(Step, &[u8], Option<&Violation>) -> bool,
    ) {
        self.decode(bytes, s);
        let mut steps = std::mem::take(&mut s.steps);
        self.enabled(s, &mut steps);
        for &candidate in &steps {
            if let Some(v) = self.take(bytes, step, s, candidate)
                && !sink(candidate, &s.writer.bytes, v.as_ref())
            {
                break;
            }
        }
        s.steps = steps;
    }

    /// The steps enabled in the state `decode` left in `s`, in the order `expand` takes them.
    /// One may still make no successor (a proposal the handler refuses, an attempt past the
    /// ballot bound): `take` says so.
    fn enabled(&self, s: &Scratch<P>, steps: &mut Vec<Step>) {
        steps.clear();
        let h = s.header;
        let n = self.roster.len();

        // A delivery that commutes with everything else goes first, alone.
        let eager = s
            .msgs
            .iter()
            .copied()
            .filter(|_| self.liars == 0 || self.protocol.reductions_with_liars())
            .find(|&code| {
                let (src, dst, msg_code) = parts(code);
                // A liar's next lies may read what the delivery changes: never eager to it.
                // Nor to a paused node: taking it moves the clock on for every other step.
                h.up & 1 << dst != 0
                    && self.liars & 1 << dst == 0
                    && !(self.timeout.is_some() && s.times.is_paused(dst))
                    && {
                        let msg = self.protocol.decode_msg(msg_code, &self.values);
                        self.protocol
                            .is_eager(&s.nodes[dst], self.roster[src], &msg)
                    }
            });
        if let Some(code) = eager {
            steps.push(Step::Deliver(code));
            return;
        }

        for slot in 0..n {
            let Some(r) = self.requester[slot] else {
                continue;
            };
            if h.up & 1 << slot != 0 && h.proposed & 1 << r == 0 {
                steps.push(Step::Propose(slot as u8));
            }
        }

        for (i, &code) in s.msgs.iter().enumerate() {
            if s.msgs.get(i + 1) == Some(&code) {
                continue; // copies are interchangeable: act on the last of a run
            }
            steps.push(Step::Deliver(code));
            if h.drops < self.bounds.drops {
                steps.push(Step::Drop(code));
            }
            if h.duplicates < self.bounds.duplicates {
                steps.push(Step::Duplicate(code));
            }
        }

        for slot in 0..n {
            let bit = 1u64 << slot;
            let id = self.roster[slot];
            if h.up & bit != 0 {
                if h.crashes < self.bounds.crashes {
                    steps.push(Step::Crash(slot as u8));
                }
                let within = self.requester[slot]
                    .is_none_or(|r| h.attempts[r as usize] < self.bounds.ballots)
                    && self
                        .timeout_budget(slot)
                        .is_none_or(|t| h.timeouts[slot] < t)
                    && (self.protocol.takes_requests(id)
                        || self.bounds.total_timeouts.is_none_or(|t| {
                            let spent: u32 = (0..n)
                                .filter(|&k| !self.protocol.takes_requests(self.roster[k]))
                                .map(|k| h.timeouts[k] as u32)
                                .sum();
                            spent < t as u32
                        }));
                if h.timers & bit != 0 && within {
                    steps.push(Step::Timeout(slot as u8));
                }
            } else {
                steps.push(Step::Restart(slot as u8));
            }
        }

        if self.timeout.is_some() && s.times.pauses < self.bounds.pauses {
            for slot in 0..n {
                // A client's pause changes nothing a lease reads.
                if h.up & 1 << slot != 0
                    && !s.times.is_paused(slot)
                    && !self.protocol.takes_requests(self.roster[slot])
                {
                    steps.push(Step::Pause(slot as u8));
                }
            }
        }

        if h.lies < self.bounds.lies {
            for slot in 0..n {
                if self.liars & h.up & 1 << slot == 0 {
                    continue;
                }
                for (to, msg) in self.protocol.lies(self.roster[slot], &s.nodes[slot]) {
                    if let Some(dst) = self.protocol.slot_of(to) {
                        let code = self.protocol.encode_msg(&msg, &self.values);
                        steps.push(Step::Lie(envelope(slot, dst, code)));
                    }
                }
            }
        }
    }

    /// Takes one enabled step from the state `decode` left in `s` (whose encoding is `bytes`),
    /// writing the successor into `s.writer`; `None` if the step makes no successor, else the
    /// violation it found.
    fn take(
        &self,
        bytes: &[u8],
        depth: u64,
        s: &mut Scratch<P>,
        step: Step,
    ) -> Option<Option<Violation>> {
        let mut ctx = Ctx {
            step: depth,
            now: 0,
            local: 0,
        };
        if self.timeout.is_some() {
            // When the step happens, and what the clock of the node it wakes reads.
            let t = &s.times;
            let (at, slot) = match step {
                Step::Propose(k) => (t.at(k as usize), Some(k as usize)),
                // The world does not wait for a crashed node to resume before restarting it.
                Step::Restart(k) => (t.now, Some(k as usize)),
                Step::Deliver(code) => (t.at(parts(code).1), Some(parts(code).1)),
                Step::Timeout(k) => (t.now.max(t.deadline[k as usize]), Some(k as usize)),
                Step::Lie(code) if self.protocol.lies_arrive_at_once() => {
                    (t.at(parts(code).1), Some(parts(code).1))
                }
                _ => (t.now, None),
            };
            ctx.now = at;
            ctx.local = slot.map_or(0, |k| at - t.behind[k].min(at));
            s.next.clone_from(&s.times);
            s.next.now = at;
        }
        let h = s.header;
        match step {
            Step::Pause(slot) => {
                let slot = slot as usize;
                let ticks = self.bounds.pause_ticks as u64;
                let t = &mut s.next;
                t.pauses += 1;
                t.behind[slot] += ticks;
                t.paused_until[slot] = t.now + ticks;
                // Its timer runs by its own clock, so it fires that much later.
                if h.timers & 1 << slot != 0 {
                    t.deadline[slot] = t.deadline[slot].max(t.now) + ticks;
                }
                self.finish(bytes, s, ctx, h, None, None, None)
            }
            Step::Propose(slot) => {
                let slot = slot as usize;
                let r = self.requester[slot]?;
                let mut header = h;
                header.proposed |= 1 << r;
                let mut node = s.nodes[slot].clone();
                let request = self.requests[r as usize].clone();
                if self
                    .protocol
                    .on_request(ctx, self.roster[slot], &mut node, request, &mut s.out)
                    .is_err()
                {
                    s.out.clear();
                    return None;
                }
                self.finish_request(bytes, s, ctx, header, slot, node, r)
            }
            Step::Deliver(code) => self.deliver(bytes, s, ctx, h, code),
            Step::Drop(code) => {
                let mut header = h;
                header.drops += 1;
                self.finish(bytes, s, ctx, header, None, Some(code), None)
            }
            Step::Duplicate(code) => {
                let mut header = h;
                header.duplicates += 1;
                self.finish(bytes, s, ctx, header, None, None, Some(code))
            }
            Step::Lie(code) => {
                let mut header = h;
                header.lies += 1;
                if !self.protocol.lies_arrive_at_once() {
                    return self.finish(bytes, s, ctx, header, None, None, Some(code));
                }
                // Told and delivered in one step; a lie its receiver would not act on now is
                // not told (it may be told later, when it would: see `lies_arrive_at_once`).
                let (src, dst, msg_code) = parts(code);
                if h.up & 1 << dst == 0 {
                    return None;
                }
                let msg = self.protocol.decode_msg(msg_code, &self.values);
                let mut node = s.nodes[dst].clone();
                self.protocol.on_message(
                    ctx,
                    self.roster[dst],
                    &mut node,
                    self.roster[src],
                    msg,
                    &mut s.out,
                );
                if s.out.sends.is_empty() && s.out.notes.is_empty() && s.out.timer.is_none() {
                    // Unchanged if it encodes as it did in this state.
                    let (start, end) = s.spans[dst];
                    let w = &mut s.writer;
                    w.bytes.clear();
                    self.protocol.encode_node(&node, &self.values, w);
                    if w.bytes == bytes[start..end] {
                        s.out.clear();
                        return None;
                    }
                }
                self.finish(bytes, s, ctx, header, Some((dst, node)), None, None)
            }
            Step::Crash(slot) => {
                let bit = 1u64 << slot;
                let mut header = h;
                header.crashes += 1;
                header.up &= !bit;
                header.timers &= !bit;
                self.finish(bytes, s, ctx, header, None, None, None)
            }
            Step::Timeout(slot) => {
                let slot = slot as usize;
                let mut header = h;
                header.timers &= !(1 << slot);
                header.timeouts[slot] += 1;
                let mut node = s.nodes[slot].clone();
                self.protocol
                    .on_timeout(ctx, self.roster[slot], &mut node, &mut s.out);
                self.finish(bytes, s, ctx, header, Some((slot, node)), None, None)
            }
            Step::Restart(slot) => {
                let slot = slot as usize;
                let mut header = h;
                header.up |= 1 << slot;
                let mut node = s.nodes[slot].clone();
                self.protocol
                    .on_restart(ctx, self.roster[slot], &mut node, &mut s.out);
                self.finish(bytes, s, ctx, header, Some((slot, node)), None, None)
            }
        }
    }

    /// Completes a proposal: the monitor hears of the request (the world tells it first, then
    /// the handler's notes), and the step finishes as any other.
    #[allow(clippy::too_many_arguments)]
    fn finish_request(
        &self,
        bytes: &[u8],
        s: &mut Scratch<P>,
        ctx: Ctx,
        header: Header,
        slot: usize,
        node: P::Node,
        requester: u8,
    ) -> Option<Option<Violation>> {
        let mut told = s.monitor.clone();
        self.protocol.observe_request(
            &mut told,
            self.roster[slot],
            &self.requests[requester as usize],
        );
        let before = std::mem::replace(&mut s.monitor, told);
        s.monitor_told = true;
        let result = self.finish(bytes, s, ctx, header, Some((slot, node)), None, None);
        s.monitor_told = false;
        s.monitor = before;
        result
    }

    /// Delivers one copy of the message `code` (to a crashed node it is lost, as in the world).
    fn deliver(
        &self,
        bytes: &[u8],
        s: &mut Scratch<P>,
        ctx: Ctx,
        h: Header,
        code: u64,
    ) -> Option<Option<Violation>> {
        let (src, dst, msg_code) = parts(code);
        if h.up & 1 << dst == 0 {
            return self.finish(bytes, s, ctx, h, None, Some(code), None);
        }
        let msg = self.protocol.decode_msg(msg_code, &self.values);
        let mut node = s.nodes[dst].clone();
        self.protocol.on_message(
            ctx,
            self.roster[dst],
            &mut node,
            self.roster[src],
            msg,
            &mut s.out,
        );
        self.finish(bytes, s, ctx, h, Some((dst, node)), Some(code), None)
    }

    /// Completes a transition whose handler (if any) has filled `s.out`: counts attempts,
    /// updates the monitor, sends, sets the timer and writes the successor into `s.writer`.
    /// Returns `None` when the step would exceed the ballot bound, else the violation it found.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        bytes: &[u8],
        s: &mut Scratch<P>,
        ctx: Ctx,
        mut header: Header,
        changed: Option<(usize, P::Node)>,
        removed: Option<u64>,
        sent: Option<u64>,
    ) -> Option<Option<Violation>> {
        let mut monitor = None;
        let mut violation = None;
        s.added.clear();
        s.added.extend(sent);
        if let Some((slot, _)) = &changed {
            let slot = *slot;
            let id = self.roster[slot];
            let started = s.out.notes.iter().filter(|n| P::starts_attempt(n)).count();
            if started > 0 {
                let r = self.requester[slot].map_or(0, |r| r as usize);
                let total = header.attempts[r] as usize + started;
                if total > self.bounds.ballots as usize {
                    s.out.clear();
                    return None;
                }
                header.attempts[r] = total as u8;
            }
            // The monitor judges honest nodes only (as the world does).
            let honest = self.liars & 1 << slot == 0;
            if (!s.out.notes.is_empty() && honest) || s.monitor_told {
                let mut m = s.monitor.clone();
                s.events.clear();
                for note in s.out.notes.iter().filter(|_| honest) {
                    self.protocol.observe(&mut m, ctx, id, note, &mut s.events);
                }
                violation = s.events.iter().find_map(|e| match e {
                    Event::Violation(v) => Some(v.clone()),
                    _ => None,
                });
                monitor = Some(m);
            }
            for (dst, msg) in &s.out.sends {
                if let Some(d) = self.protocol.slot_of(*dst) {
                    let code = self.protocol.encode_msg(msg, &self.values);
                    s.added.push(envelope(slot, d, code));
                }
            }
            match s.out.timer {
                Some(TimerOp::Start(wait)) => {
                    header.timers |= 1 << slot;
                    if let Some(timeout) = self.timeout {
                        s.next.deadline[slot] = ctx.now + shortest(wait, timeout);
                    }
                }
                Some(TimerOp::Stop) => header.timers &= !(1 << slot),
                None => {}
            }
        }
        s.out.clear();
        s.added.sort_unstable();

        // The in-flight multiset, sorted: the parent's minus one copy of `removed`, merged with
        // what was sent, less what became stale at the node that changed.
        s.merged.clear();
        let mut skip = removed;
        let mut added = s.added.iter().peekable();
        for &m in &s.msgs {
            if skip == Some(m) {
                skip = None;
                continue;
            }
            while let Some(&&a) = added.peek()
                && a <= m
            {
                s.merged.push(a);
                added.next();
            }
            s.merged.push(m);
        }
        s.merged.extend(added);
        let changed_slot = changed.as_ref().map(|(slot, _)| *slot);
        if changed_slot.is_some() && (self.liars == 0 || self.protocol.reductions_with_liars()) {
            let nodes = &s.nodes;
            s.merged.retain(|&code| {
                let (src, dst, msg) = parts(code);
                if Some(dst) != changed_slot && Some(src) != changed_slot {
                    return true;
                }
                let node = match &changed {
                    Some((slot, node)) if *slot == dst => node,
                    _ => &nodes[dst],
                };
                let may_restart = header.up & 1 << dst == 0 || header.crashes < self.bounds.crashes;
                // A request not yet made, or an attempt left within the bound.
                let may_start_attempt = self.requester[dst].is_none_or(|r| {
                    header.proposed & 1 << r == 0
                        || header.attempts[r as usize] < self.bounds.ballots
                });
                let msg = self.protocol.decode_msg(msg, &self.values);
                !self.protocol.is_stale(
                    node,
                    self.roster[dst],
                    self.roster[src],
                    &msg,
                    may_restart,
                    may_start_attempt,
                )
            });
        }
        // The monitor, less what no later step can read (the protocol decides what that is).
        let current = monitor.as_ref().unwrap_or(&s.monitor);
        let removed_msg = removed.map(|code| self.protocol.decode_msg(parts(code).2, &self.values));
        let changed_node = changed.as_ref().map(|(_, node)| node);
        if self.liars == 0
            && self
                .protocol
                .may_settle(current, removed_msg.as_ref(), changed_node)
        {
            s.flying.clear();
            s.flying.extend(
                s.merged
                    .iter()
                    .map(|&code| self.protocol.decode_msg(parts(code).2, &self.values)),
            );
            let nodes = &s.nodes;
            let node = |id: NodeId| {
                let slot = self.protocol.slot_of(id)?;
                Some(match &changed {
                    Some((c, node)) if *c == slot => node,
                    _ => &nodes[slot],
                })
            };
            if let Some(settled) = self.protocol.settle_monitor(current, &node, &s.flying) {
                monitor = Some(settled);
            }
        }

        let w = &mut s.writer;
        w.bytes.clear();
        self.write_header(&header, &s.next, w);
        for (i, span) in s.spans.iter().enumerate() {
            let start = w.bytes.len();
            match &changed {
                Some((slot, node)) if *slot == i => {
                    self.protocol.encode_node(node, &self.values, w)
                }
                _ => w.bytes.extend_from_slice(&bytes[span.0..span.1]),
            }
            s.written[i] = (start, w.bytes.len());
        }
        match &monitor {
            Some(m) => self.protocol.encode_monitor(m, &self.values, w),
            None => w
                .bytes
                .extend_from_slice(&bytes[s.monitor_span.0..s.monitor_span.1]),
        }
        w.varint(s.merged.len() as u64);
        let mut prev = 0u64;
        for &m in &s.merged {
            w.varint(m - prev);
            prev = m;
        }
        s.permuted = false;
        if self.symmetry {
            self.canonicalize(s, &header, changed.as_ref(), monitor.as_ref());
        }
        Some(violation)
    }

    /// Symmetry reduction: renames the interchangeable nodes so they appear sorted by their own
    /// state (then by the messages they send and receive), and rewrites the successor under that
    /// renaming. Any renaming is sound; sorting makes most symmetric states meet.
    fn canonicalize(
        &self,
        s: &mut Scratch<P>,
        header: &Header,
        changed: Option<&(usize, P::Node)>,
        monitor: Option<&P::Monitor>,
    ) {
        let members = &self.symmetric;
        let k = members.len();
        let member_of = |slot: usize| members.iter().position(|&m| m == slot);
        for (i, &slot) in members.iter().enumerate() {
            let key = &mut s.keys[i];
            key.clear();
            key.push((header.up >> slot & 1) as u8);
            key.push((header.timers >> slot & 1) as u8);
            if self.timeout.is_some() {
                let t = &s.next;
                for v in [t.deadline[slot], t.behind[slot], t.paused_until[slot]] {
                    key.extend_from_slice(&v.to_le_bytes());
                }
            }
            let (a, b) = s.written[slot];
            key.extend_from_slice(&s.writer.bytes[a..b]);
            key.push(0xff);
        }
        // Messages to and from each member, with other members' names masked out.
        s.context.clear();
        for &code in &s.merged {
            let (src, dst, msg) = parts(code);
            let (ms, md) = (member_of(src), member_of(dst));
            let mask = |slot: usize, m: Option<usize>| if m.is_some() { 0xff } else { slot as u64 };
            if let Some(i) = ms {
                s.context.push((i, msg << 9 | mask(dst, md) << 1));
            }
            if let Some(i) = md {
                s.context.push((i, msg << 9 | mask(src, ms) << 1 | 1));
            }
        }
        s.context.sort_unstable();
        for &(i, c) in &s.context {
            s.keys[i].extend_from_slice(&c.to_le_bytes());
        }
        // Only honest members move; a liar keeps its name and place.
        let mut order = self.movable.clone();
        order.sort_by(|&x, &y| s.keys[x].cmp(&s.keys[y]));
        if order == self.movable {
            return;
        }
        let mut perm: Vec<u8> = (0..k as u8).collect();
        for (pos, &member) in order.iter().enumerate() {
            perm[member] = self.movable[pos] as u8;
        }
        let mut map: Vec<usize> = (0..self.roster.len()).collect();
        for (i, &slot) in members.iter().enumerate() {
            map[slot] = members[perm[i] as usize];
        }
        let move_bits = |bits: u64| {
            let mut out = 0u64;
            for (slot, &to) in map.iter().enumerate() {
                if bits & 1 << slot != 0 {
                    out |= 1 << to;
                }
            }
            out
        };
        let mut renamed = *header;
        renamed.up = move_bits(header.up);
        renamed.timers = move_bits(header.timers);
        let mut nodes: Vec<Option<P::Node>> = vec![None; self.roster.len()];
        for (slot, node) in s.nodes.iter().enumerate() {
            let mut node = match changed {
                Some((c, n)) if *c == slot => n.clone(),
                _ => node.clone(),
            };
            self.protocol.permute_node(&mut node, &perm);
            nodes[map[slot]] = Some(node);
        }
        let mut m = monitor.cloned().unwrap_or_else(|| s.monitor.clone());
        self.protocol.permute_monitor(&mut m, &perm);
        let mut msgs: Vec<u64> = s
            .merged
            .iter()
            .map(|&code| {
                let (src, dst, msg) = parts(code);
                envelope(map[src], map[dst], msg)
            })
            .collect();
        msgs.sort_unstable();

        std::mem::swap(&mut s.concrete, &mut s.writer.bytes);
        s.permuted = true;
        let w = &mut s.writer;
        w.bytes.clear();
        let times = self.timeout.map(|_| s.next.renamed(&map));
        self.write_header(&renamed, times.as_ref().unwrap_or(&s.next), w);
        for node in nodes.iter().flatten() {
            self.protocol.encode_node(node, &self.values, w);
        }
        self.protocol.encode_monitor(&m, &self.values, w);
        w.varint(msgs.len() as u64);
        let mut prev = 0u64;
        for &c in &msgs {
            w.varint(c - prev);
            prev = c;
        }
    }

    /// The successor just produced, under its original names (before symmetry renamed it).
    fn concrete<'a>(&self, s: &'a Scratch<P>) -> &'a [u8] {
        if s.permuted {
            &s.concrete
        } else {
            &s.writer.bytes
        }
    }

    /// The steps along a chain of fingerprints from the initial state.
    pub fn path(&self, root: &[u8], chain: &[u64]) -> Result<Vec<Step>, String> {
        let mut s = self.scratch();
        let mut state = root.to_vec();
        let mut steps = Vec::new();
        for (depth, &target) in chain.iter().enumerate().skip(1) {
            let mut found = None;
            let mut found_step = None;
            self.expand(&state, depth as u64, &mut s, |step, next, _| {
                if fingerprint(next) == target {
                    found_step = Some(step);
                    false
                } else {
                    true
                }
            });
            if let Some(step) = found_step {
                found = Some((step, self.concrete(&s).to_vec()));
            }
            let (step, next) =
                found.ok_or("no step leads to the next state of the counterexample")?;
            steps.push(step);
            state = next;
        }
        Ok(steps)
    }

    /// Removes steps the violation does not need, one at a time, as long as the rest still
    /// replays and breaks `invariant` (BFS is shortest in the reduced graph, where some
    /// deliveries are forced early; this takes back those the run can do without).
    pub fn minimize(
        &self,
        mut steps: Vec<Step>,
        fresh: impl Fn() -> World<P>,
        invariant: &str,
    ) -> Vec<Step> {
        let breaks = |candidate: &[Step]| {
            let mut world = fresh();
            self.to_actions(candidate, &mut world).is_ok()
                && world.violations().iter().any(|v| v.invariant == invariant)
        };
        let mut i = steps.len();
        while i > 0 {
            i -= 1;
            let mut candidate = steps.clone();
            candidate.remove(i);
            if breaks(&candidate) {
                steps = candidate;
            }
        }
        steps
    }

    /// Plays `steps` on `world` (a fresh world of the same protocol), naming real message ids.
    pub fn to_actions(
        &self,
        steps: &[Step],
        world: &mut World<P>,
    ) -> Result<Vec<ActionOf<P>>, String> {
        let mut actions = Vec::with_capacity(steps.len());
        for step in steps {
            let find = |code: u64| -> Result<crate::sim::MsgId, String> {
                let (src, dst, msg_code) = parts(code);
                let msg = self.protocol.decode_msg(msg_code, &self.values);
                world
                    .network()
                    .in_flight()
                    .find(|e| {
                        e.src == self.roster[src] && e.dst == self.roster[dst] && e.msg == msg
                    })
                    .map(|e| e.id)
                    .ok_or_else(|| format!("no message {msg} from {} in flight", self.roster[src]))
            };
            if let Step::Lie(code) = *step
                && self.protocol.lies_arrive_at_once()
            {
                // A lie the search told and delivered in one step: two actions here.
                let (src, dst, msg_code) = parts(code);
                let lie = Action::Lie {
                    from: self.roster[src],
                    to: self.roster[dst],
                    msg: self.protocol.decode_msg(msg_code, &self.values),
                };
                world
                    .apply(&lie)
                    .map_err(|e| format!("the counterexample does not replay at {lie}: {e}"))?;
                let id = world
                    .network()
                    .in_flight()
                    .filter(|e| world.is_lie(e.id))
                    .map(|e| e.id)
                    .max()
                    .ok_or("a lie that is not in flight")?;
                actions.push(lie);
                let deliver = Action::Deliver(id);
                world
                    .apply(&deliver)
                    .map_err(|e| format!("the counterexample does not replay at {deliver}: {e}"))?;
                actions.push(deliver);
                continue;
            }
            let action = match *step {
                Step::Propose(slot) => Action::Propose(
                    self.roster[slot as usize],
                    self.request(slot as usize)
                        .ok_or("a proposal from a node that takes no requests")?,
                ),
                Step::Deliver(code) => Action::Deliver(find(code)?),
                Step::Drop(code) => Action::Drop(find(code)?),
                Step::Duplicate(code) => Action::Duplicate(find(code)?),
                Step::Crash(slot) => Action::Crash(self.roster[slot as usize]),
                Step::Restart(slot) => Action::Restart(self.roster[slot as usize]),
                Step::Timeout(slot) => Action::Timeout(self.roster[slot as usize]),
                Step::Pause(slot) => {
                    Action::Pause(self.roster[slot as usize], self.bounds.pause_ticks)
                }
                Step::Lie(code) => {
                    let (src, dst, msg_code) = parts(code);
                    Action::Lie {
                        from: self.roster[src],
                        to: self.roster[dst],
                        msg: self.protocol.decode_msg(msg_code, &self.values),
                    }
                }
            };
            world
                .apply(&action)
                .map_err(|e| format!("the counterexample does not replay at {action}: {e}"))?;
            actions.push(action);
        }
        Ok(actions)
    }
}

/// How long a timer started with `wait` runs in a search that keeps time: a range at its low
/// end (see `Times`).
fn shortest(wait: crate::sim::protocol::Wait, timeout: u32) -> u64 {
    use crate::sim::protocol::Wait;
    match wait {
        Wait::Standard => timeout as u64,
        Wait::Ticks(t) => t as u64,
        Wait::Between(lo, _) => lo as u64,
    }
}

/// The mix one random walk draws its steps by (swarm testing, after Groce et al., 2012): each
/// node gets a weight, 1, 4 or 16, for the messages to it, for the messages from it, for its
/// timer and for its other steps, and a step is drawn in proportion to its weight (a message's
/// weight is the product of its ends'). Walks with different mixes starve different nodes and
/// links, which a uniform walk rarely does for long: the paper's Figure 8 turns up 10 to 20 times
/// sooner than under uniform walks (see `explore::Walks`).
struct Mix {
    to: Vec<u64>,
    from: Vec<u64>,
    timer: Vec<u64>,
    other: Vec<u64>,
}

impl Mix {
    fn draw(nodes: usize, rng: &mut crate::sim::rng::Rng) -> Self {
        let mut weights = || -> Vec<u64> { (0..nodes).map(|_| 1 << (2 * rng.below(3))).collect() };
        Mix {
            to: weights(),
            from: weights(),
            timer: weights(),
            other: weights(),
        }
    }

    fn weight(&self, step: Step) -> u64 {
        match step {
            Step::Deliver(code) | Step::Drop(code) | Step::Duplicate(code) | Step::Lie(code) => {
                let (src, dst, _) = parts(code);
                self.from[src] * self.to[dst]
            }
            Step::Timeout(k) => self.timer[k as usize],
            Step::Crash(k) | Step::Restart(k) | Step::Propose(k) | Step::Pause(k) => {
                self.other[k as usize]
            }
        }
    }

    /// Takes a step out of `steps`, drawn in proportion to the weights.
    fn take(&self, steps: &mut Vec<Step>, rng: &mut crate::sim::rng::Rng) -> Step {
        let total: u64 = steps.iter().map(|&st| self.weight(st)).sum();
        let mut pick = rng.below(total);
        let mut index = steps.len() - 1;
        for (i, &st) in steps.iter().enumerate() {
            let w = self.weight(st);
            if pick < w {
                index = i;
                break;
            }
            pick -= w;
        }
        steps.swap_remove(index)
    }
}

impl<P: Canonical> Space<P> {
    /// One random walk from `root` of at most `max_steps` steps, each drawn by `rng` among the
    /// state's enabled steps under a mix of weights the walk draws first (see `Mix`); a step
    /// that makes no successor is set aside and another drawn. Only the drawn step's successor
    /// is made, so a walk's step costs one transition. Returns the steps to the first broken
    /// rule, if any, and counts the transitions made.
    pub fn walk(
        &self,
        root: &[u8],
        max_steps: u32,
        rng: &mut crate::sim::rng::Rng,
        s: &mut Scratch<P>,
        transitions: &mut u64,
        over_budget: &dyn Fn(usize, u32) -> bool,
    ) -> WalkEnd {
        let mix = Mix::draw(self.roster.len(), rng);
        let mut state = root.to_vec();
        let mut taken = Vec::new();
        let mut steps = std::mem::take(&mut s.steps);
        let mut end = WalkEnd::Done;
        'walk: for depth in 1..=max_steps {
            // The walk's own data: its state and the steps it took (the decoded world is of the
            // state's order); the caller also watches the whole process.
            let own = state.capacity() + taken.capacity() * std::mem::size_of::<Step>();
            if over_budget(own, depth) {
                end = WalkEnd::OverBudget;
                break;
            }
            self.decode(&state, s);
            self.enabled(s, &mut steps);
            while !steps.is_empty() {
                let step = mix.take(&mut steps, rng);
                *transitions += 1;
                if let Some(violation) = self.take(&state, depth as u64, s, step) {
                    taken.push(step);
                    if let Some(v) = violation {
                        end = WalkEnd::Broke(std::mem::take(&mut taken), v);
                        break 'walk;
                    }
                    state.clear();
                    state.extend_from_slice(self.concrete(s));
                    continue 'walk;
                }
            }
            break; // nothing enabled: the run is over
        }
        s.steps = steps;
        end
    }
}

/// How a random walk ended.
pub enum WalkEnd {
    /// It broke a rule, with these steps.
    Broke(Vec<Step>, Violation),
    /// It ran its steps, or nothing more was enabled.
    Done,
    /// It stopped at the memory budget.
    OverBudget,
}

#[cfg(test)]
#[path = "lease_tests.rs"]
mod lease_tests;
