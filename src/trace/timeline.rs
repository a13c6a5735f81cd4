//! Time travel over a run: the actions so far plus a copy of the world every
//! `CHECKPOINT_INTERVAL` steps. Seeking restores the nearest checkpoint at or before the target
//! and re-applies at most one interval of actions, so any seek costs the same in a long run.

use crate::protocols::Plugin;
use crate::sim::world::ActionOf;
use crate::sim::{ActionError, Event, World};

/// What one step did, kept for views that draw the whole run (the space-time diagram).
pub type StepEvents<P> = Box<[Event<P>]>;

/// Steps between checkpoints: small enough that a seek replays well under a millisecond of
/// actions, large enough that a million-step run keeps only about a thousand copies (and those
/// share their vote history).
pub const CHECKPOINT_INTERVAL: u64 = 1024;

pub struct Timeline<P: Plugin> {
    config: P::Config,
    actions: Vec<ActionOf<P>>,
    /// `checkpoints[k]` is the world after `k * CHECKPOINT_INTERVAL` steps; `[0]` is the start.
    checkpoints: Vec<World<P>>,
    /// The world at the step being looked at.
    current: World<P>,
    /// Each step's events, when kept (the app keeps them; long benchmark runs do not).
    log: Option<Vec<StepEvents<P>>>,
}

impl<P: Plugin> Clone for Timeline<P> {
    fn clone(&self) -> Self {
        Timeline {
            config: self.config.clone(),
            actions: self.actions.clone(),
            checkpoints: self.checkpoints.clone(),
            current: self.current.clone(),
            log: self.log.clone(),
        }
    }
}

impl<P: Plugin> Timeline<P> {
    /// An empty run of `config` (validate the config first).
    pub fn new(config: P::Config) -> Self {
        let start = P::world(&config);
        Timeline {
            config,
            actions: Vec::new(),
            checkpoints: vec![start.clone()],
            current: start,
            log: None,
        }
    }

    /// An empty run that also keeps every step's events.
    pub fn with_event_log(config: P::Config) -> Self {
        Timeline {
            log: Some(Vec::new()),
            ..Timeline::new(config)
        }
    }

    /// The events of every recorded step (index 0 is step 1), if kept.
    pub fn log(&self) -> Option<&[StepEvents<P>]> {
        self.log.as_deref()
    }

    /// The world after `step` actions, without moving the current position.
    pub fn state_at(&self, step: u64) -> World<P> {
        let step = step.min(self.len());
        let k = ((step / CHECKPOINT_INTERVAL) as usize).min(self.checkpoints.len() - 1);
        let mut w = if (self.checkpoints[k].step()..=step).contains(&self.current.step()) {
            self.current.clone()
        } else {
            self.checkpoints[k].clone()
        };
        for a in &self.actions[w.step() as usize..step as usize] {
            let _ = w.apply(a);
        }
        w
    }

    /// A timeline holding every action of a trace, positioned at its end.
    pub fn from_actions(
        config: P::Config,
        actions: &[ActionOf<P>],
    ) -> Result<Self, (usize, ActionError)> {
        let mut t = Timeline::new(config);
        for (i, a) in actions.iter().enumerate() {
            t.apply(a.clone()).map_err(|e| (i, e))?;
        }
        Ok(t)
    }

    pub fn config(&self) -> &P::Config {
        &self.config
    }
    pub fn actions(&self) -> &[ActionOf<P>] {
        &self.actions
    }
    /// The number of recorded steps.
    pub fn len(&self) -> u64 {
        self.actions.len() as u64
    }
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
    /// The world at the current position.
    pub fn world(&self) -> &World<P> {
        &self.current
    }
    pub fn position(&self) -> u64 {
        self.current.step()
    }

    /// Applies an action at the current position. If the position is before the end, the run
    /// forks: the later actions are discarded and this one follows.
    pub fn apply(&mut self, action: ActionOf<P>) -> Result<(), ActionError> {
        self.current.check(&action)?;
        let at = self.current.step();
        if at < self.len() {
            self.actions.truncate(at as usize);
            self.checkpoints
                .truncate((at / CHECKPOINT_INTERVAL) as usize + 1);
            if let Some(log) = &mut self.log {
                log.truncate(at as usize);
            }
        }
        self.current.apply(&action)?;
        self.actions.push(action);
        if let Some(log) = &mut self.log {
            log.push(self.current.events().into());
        }
        if self.current.step().is_multiple_of(CHECKPOINT_INTERVAL) {
            self.checkpoints.push(self.current.clone());
        }
        Ok(())
    }

    /// Forgets every action after the current position (the run continues from here).
    pub fn truncate(&mut self) {
        let at = self.current.step();
        self.actions.truncate(at as usize);
        self.checkpoints
            .truncate((at / CHECKPOINT_INTERVAL) as usize + 1);
        if let Some(log) = &mut self.log {
            log.truncate(at as usize);
        }
    }

    /// Moves to the state after `step` actions (clamped to the recorded run).
    pub fn seek(&mut self, step: u64) {
        let step = step.min(self.len());
        let here = self.current.step();
        let k = (step / CHECKPOINT_INTERVAL) as usize;
        let base = self.checkpoints[k.min(self.checkpoints.len() - 1)].step();
        // Walking forward from here is cheaper than restoring when here lies between them.
        if !(base..=step).contains(&here) {
            self.current = self.checkpoints[k.min(self.checkpoints.len() - 1)].clone();
        }
        for a in &self.actions[self.current.step() as usize..step as usize] {
            // Every recorded action applied once at this very state, so it applies again.
            let _ = self.current.apply(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::paxos::Config;
    use crate::sim::{Knobs, Scheduler};

    fn run(steps: usize) -> Timeline<crate::protocols::paxos::Paxos> {
        let config = Config {
            proposers: 3,
            acceptors: 5,
            seed: 11,
            ..Config::default()
        };
        let mut t = Timeline::new(config.clone());
        let mut s = Scheduler::new(
            11,
            Knobs {
                drop: 0.1,
                duplicate: 0.05,
                crash: 0.02,
                propose: 0.02,
                ..Knobs::default()
            },
        );
        while t.len() < steps as u64 {
            let a = s.next(t.world()).expect("the proposals keep the run going");
            t.apply(a).unwrap();
        }
        t
    }

    #[test]
    fn seeking_anywhere_gives_the_same_state_as_replaying_from_the_start() {
        let mut t = run(5000);
        for target in [0u64, 1, 1023, 1024, 1025, 4999, 5000, 2048, 3, 4000] {
            t.seek(target);
            let mut fresh = t.config().world();
            for a in &t.actions()[..target as usize] {
                fresh.apply(a).unwrap();
            }
            assert_eq!(t.world().step(), target);
            assert_eq!(
                t.world().state_hash(),
                fresh.state_hash(),
                "at step {target}"
            );
        }
    }

    #[test]
    fn acting_after_stepping_back_forks_the_run() {
        let mut t = run(3000);
        t.seek(1500);
        let next = Scheduler::new(99, Knobs::default())
            .next(t.world())
            .unwrap();
        t.apply(next).unwrap();
        assert_eq!(t.len(), 1501);
        assert_eq!(t.actions()[1500], next);
        t.seek(0);
        t.seek(1501);
        assert_eq!(t.world().step(), 1501);
    }
}
