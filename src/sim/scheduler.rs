//! The auto-scheduler: picks the next action for auto-play from its own seeded generator. It only
//! proposes actions; the world applies them and the trace records them, so a scheduled run and a
//! hand-driven run are the same kind of thing.

use super::ids::{MsgId, NodeId};
use super::protocol::Protocol;
use super::rng::Rng;
use super::world::{Action, ActionOf, MAX_PAUSE, World};

/// Fault and workload knobs, each a probability per step.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Knobs {
    /// The message due next is dropped instead of delivered.
    pub drop: f64,
    /// The message due next is duplicated (the original stays in flight).
    pub duplicate: f64,
    /// A random live node crashes.
    pub crash: f64,
    /// A random crashed node restarts.
    pub restart: f64,
    /// A random live node that takes requests gets a fresh client request (Paxos: its own value).
    pub propose: f64,
    /// A random live Byzantine node tells a random lie from its protocol's alphabet.
    #[serde(skip_serializing_if = "is_zero")]
    pub lie: f64,
    /// A random live node pauses (see `Action::Pause`) for between one tick and three timeouts.
    #[serde(skip_serializing_if = "is_zero")]
    pub pause: f64,
}

fn is_zero(p: &f64) -> bool {
    *p == 0.0
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            drop: 0.0,
            duplicate: 0.0,
            crash: 0.0,
            restart: 0.2,
            propose: 0.0,
            lie: 0.0,
            pause: 0.0,
        }
    }
}

impl Knobs {
    /// No random faults and no extra requests: auto-play only delivers messages and fires timers.
    pub const NONE: Knobs = Knobs {
        drop: 0.0,
        duplicate: 0.0,
        crash: 0.0,
        restart: 0.0,
        propose: 0.0,
        lie: 0.0,
        pause: 0.0,
    };

    pub fn validate(&self) -> Result<(), String> {
        for (name, p) in [
            ("drop", self.drop),
            ("duplicate", self.duplicate),
            ("crash", self.crash),
            ("restart", self.restart),
            ("propose", self.propose),
            ("lie", self.lie),
            ("pause", self.pause),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("{name}: a probability between 0 and 1, not {p}"));
            }
        }
        // Each step first draws a crash, then a request: at 1 either takes every step, and the
        // network never delivers a message.
        for (name, p, what) in [
            ("crash", self.crash, "crash"),
            ("propose", self.propose, "new request"),
            ("lie", self.lie, "lie"),
            ("pause", self.pause, "pause"),
        ] {
            if p >= 1.0 {
                return Err(format!(
                    "{name}: a probability below 1, not {p}: at 1 every step would be a {what} and no message would ever be delivered"
                ));
            }
        }
        if self.drop + self.duplicate > 1.0 {
            return Err("drop + duplicate must not exceed 1".into());
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub struct Scheduler {
    rng: Rng,
    pub knobs: Knobs,
}

impl Scheduler {
    /// The scheduler's generator is seeded apart from the world's, so a user's own choices do not
    /// shift the latencies the world draws.
    pub fn new(seed: u64, knobs: Knobs) -> Self {
        Scheduler {
            rng: Rng::new(seed ^ 0x5EED_5C4E_D01E_0000),
            knobs,
        }
    }

    /// The next action, or `None` when nothing is left to do.
    pub fn next<P: Protocol>(&mut self, world: &World<P>) -> Option<ActionOf<P>> {
        self.next_skipping(world, |_| false)
    }

    /// The next action, leaving alone the messages `held` picks out (a user is holding them back).
    pub fn next_skipping<P: Protocol>(
        &mut self,
        world: &World<P>,
        held: impl Fn(MsgId) -> bool,
    ) -> Option<ActionOf<P>> {
        let k = self.knobs;
        let takes = |id| world.protocol().takes_requests(id);
        let request = |id| {
            let node = &world.node(id).expect("a node of the roster").state;
            Action::Propose(id, world.protocol().auto_request(id, node))
        };
        if k.restart > 0.0
            && let Some(n) = self.pick(world, |s| !s.up)
            && self.rng.chance(k.restart)
        {
            return Some(Action::Restart(n));
        }
        if self.rng.chance(k.crash)
            && let Some(n) = self.pick(world, |s| s.up)
        {
            return Some(Action::Crash(n));
        }
        let takes = |s: &super::world::Slot<P::Node>| {
            s.up && takes(s.id) && world.protocol().has_room(&s.state)
        };
        if self.rng.chance(k.propose)
            && let Some(n) = self.pick(world, takes)
        {
            return Some(request(n));
        }
        // Drawn only when lies are on, so runs without them draw what they always drew.
        if k.lie > 0.0 && self.rng.chance(k.lie) {
            // Counted, then one drawn and built: a liar's alphabet may hold a thousand lies.
            let count = world.lie_at(usize::MAX).err().unwrap_or(0);
            if count > 0 {
                let k = self.rng.below(count as u64) as usize;
                return world.lie_at(k).ok();
            }
        }
        // Drawn only when pauses are on, so runs without them draw what they always drew.
        if k.pause > 0.0
            && self.rng.chance(k.pause)
            && let Some(n) = self.pick(world, |s| s.up && !world.is_paused(s.id))
        {
            let most = world.timing().timeout.saturating_mul(3).clamp(1, MAX_PAUSE);
            let ticks = self.rng.range(1, most as u64) as u32;
            return Some(Action::Pause(n, ticks));
        }
        // The message due first, unless it is held: then the first of the others (a scan). A
        // message for a paused node is due when it resumes.
        let due_msg = match world.network().earliest() {
            Some(e) if !held(e.id) && world.due_at(e.dst, e.deliver_at) == e.deliver_at => {
                Some((e.deliver_at, e.id))
            }
            _ => world
                .network()
                .in_flight()
                .filter(|e| !held(e.id))
                .map(|e| (world.due_at(e.dst, e.deliver_at), e.id))
                .min(),
        };
        let due_timer = world
            .nodes()
            .iter()
            .filter(|s| s.up)
            .filter_map(|s| s.timer.map(|t| (t, s.id)))
            .min();
        let message_first = match (due_msg, due_timer) {
            (Some((t, _)), Some((tt, _))) => t <= tt,
            (m, _) => m.is_some(),
        };
        if message_first && let Some((_, id)) = due_msg {
            let faulty = self.rng.chance(k.drop + k.duplicate);
            return Some(
                if faulty && self.rng.chance(k.drop / (k.drop + k.duplicate)) {
                    Action::Drop(id)
                } else if faulty {
                    Action::Duplicate(id)
                } else {
                    Action::Deliver(id)
                },
            );
        }
        if let Some((_, node)) = due_timer {
            return Some(Action::Timeout(node));
        }
        // Quiet: skip ahead to the next thing that would happen anyway, a crashed node coming
        // back or a client sending a request.
        if k.restart > 0.0
            && let Some(n) = self.pick(world, |s| !s.up)
        {
            return Some(Action::Restart(n));
        }
        if k.propose > 0.0 {
            return self.pick(world, takes).map(request);
        }
        None
    }

    /// A uniformly random node among those matching, without allocating.
    fn pick<P: Protocol>(
        &mut self,
        world: &World<P>,
        want: impl Fn(&super::world::Slot<P::Node>) -> bool,
    ) -> Option<NodeId> {
        let n = world.nodes().iter().filter(|s| want(s)).count();
        if n == 0 {
            return None;
        }
        let k = self.rng.below(n as u64) as usize;
        world
            .nodes()
            .iter()
            .filter(|s| want(s))
            .nth(k)
            .map(|s| s.id)
    }
}
