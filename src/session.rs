//! The run being watched and everything about how it is played: the timeline, the
//! auto-scheduler, play/pause, speed, held messages and the selection. Views never touch it
//! directly; they emit `Command`s which the app applies once per frame. Nothing here uses egui.

use std::collections::BTreeSet;

use crate::protocols::Plugin;
use crate::sim::world::{ActionOf, World};
use crate::sim::{Knobs, MsgId, NodeId, Scheduler};
pub use crate::trace::spans::{LaneMark, MessageSpan, SpansCache};
use crate::trace::{self, Timeline, Trace};

/// Every message of a run with its steps, and the marks on lanes (each with its step).
pub type Spans<'a, M> = (&'a [MessageSpan<M>], &'a [(u64, LaneMark)]);

/// What the user has picked out in a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Node(NodeId),
    Message(MsgId),
    Link(NodeId, NodeId),
}

/// A change a view asks for. Applied once per frame, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Command<P: Plugin> {
    /// Any simulation action; it lands in the trace.
    Act(ActionOf<P>),
    StepForward,
    StepBack,
    TogglePlay,
    SetPlaying(bool),
    Seek(u64),
    SeekEnd,
    /// Back to step 0 of the same run.
    Reset,
    SetSpeed(f32),
    Hold(MsgId),
    Release(MsgId),
    Select(Option<Selection>),
    /// Throws the run away and starts another with these settings.
    NewRun(P::Config, Knobs),
    /// Throws the run away and opens this trace (a counterexample, say) at its last step.
    Open(Box<Trace<P>>),
}

/// A version number no other run or change has had, so a view can cache by it across runs.
fn fresh_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// What the user tried last that did not work, or other news for the status line.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Refused(String),
    RunEnded,
    Forked,
}

pub struct Session<P: Plugin> {
    timeline: Timeline<P>,
    pub knobs: Knobs,
    scheduler: Scheduler,
    pub playing: bool,
    /// Steps per second while playing.
    pub speed: f32,
    pub held: BTreeSet<MsgId>,
    pub selection: Option<Selection>,
    pub notice: Option<Notice>,
    /// Auto-play stops on reaching this step (a lesson plays one step's actions, then waits).
    pub play_until: Option<u64>,
    /// Renewed whenever the recorded run changes (not when only the position does); unique
    /// across sessions.
    generation: u64,
    spans_cache: SpansCache<P>,
}

impl<P: Plugin> Session<P> {
    /// A sandbox run of `config`, opening with the protocol's opening requests (every
    /// proposer's, in Paxos).
    pub fn new(config: P::Config, knobs: Knobs) -> Self {
        let mut timeline = Timeline::with_event_log(config.clone());
        for a in trace::opening_requests::<P>(&config) {
            // A fresh cluster takes every opening request.
            let _ = timeline.apply(a);
        }
        Session::around(timeline, knobs)
    }

    fn around(timeline: Timeline<P>, knobs: Knobs) -> Self {
        Session {
            scheduler: Scheduler::new(P::seed(timeline.config()), knobs),
            timeline,
            knobs,
            playing: false,
            speed: 2.0,
            held: BTreeSet::new(),
            selection: None,
            notice: None,
            play_until: None,
            generation: fresh_generation(),
            spans_cache: SpansCache::default(),
        }
    }

    /// Forgets the recorded steps after the current position: what the user does next is new.
    pub fn truncate(&mut self) {
        self.timeline.truncate();
        self.changed(true);
    }

    /// Which version of the recorded run this is: equal only for the same run, unchanged.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Notes that the recorded run changed; `rewritten` when steps were dropped, not just added.
    fn changed(&mut self, rewritten: bool) {
        self.generation = fresh_generation();
        if rewritten {
            self.spans_cache = SpansCache::default();
        }
    }

    /// Opens a recorded trace, positioned at its start.
    pub fn from_trace(trace: &Trace<P>) -> Result<Self, String> {
        let knobs = trace.scheduler.unwrap_or_default();
        let mut timeline = Timeline::with_event_log(trace.config.clone());
        for (i, a) in trace.actions.iter().enumerate() {
            timeline
                .apply(a.clone())
                .map_err(|e| format!("action {} `{a}`: {e}", i + 1))?;
        }
        timeline.seek(0);
        Ok(Session::around(timeline, knobs))
    }

    pub fn world(&self) -> &World<P> {
        self.timeline.world()
    }
    pub fn timeline(&self) -> &Timeline<P> {
        &self.timeline
    }
    pub fn config(&self) -> &P::Config {
        self.timeline.config()
    }
    pub fn position(&self) -> u64 {
        self.timeline.position()
    }
    pub fn len(&self) -> u64 {
        self.timeline.len()
    }
    pub fn is_empty(&self) -> bool {
        self.timeline.is_empty()
    }

    /// The run so far as a trace file, with the outcome at its last step.
    pub fn to_trace(&self) -> Trace<P> {
        let end = self.timeline.state_at(self.len());
        Trace::record(
            self.config(),
            Some(self.knobs),
            self.timeline.actions().to_vec(),
            &end,
        )
    }

    pub fn apply(&mut self, command: Command<P>) {
        match command {
            Command::Act(action) => self.act(action),
            Command::StepForward => self.step_forward(),
            Command::StepBack => {
                self.playing = false;
                let p = self.position();
                self.timeline.seek(p.saturating_sub(1));
            }
            Command::TogglePlay => self.playing = !self.playing,
            Command::SetPlaying(p) => self.playing = p,
            Command::Seek(step) => self.timeline.seek(step),
            Command::SeekEnd => self.timeline.seek(self.len()),
            Command::Reset => {
                self.playing = false;
                self.timeline.seek(0);
            }
            Command::SetSpeed(s) => self.speed = s.clamp(0.25, 50.0),
            Command::Hold(m) => {
                self.held.insert(m);
            }
            Command::Release(m) => {
                self.held.remove(&m);
            }
            Command::Select(s) => self.selection = s,
            Command::NewRun(config, knobs) => {
                let speed = self.speed;
                *self = Session::new(config, knobs);
                self.speed = speed;
            }
            Command::Open(trace) => match Session::from_trace(&trace) {
                Ok(mut opened) => {
                    opened.speed = self.speed;
                    *self = opened;
                    self.apply(Command::SeekEnd);
                }
                Err(why) => self.notice = Some(Notice::Refused(why)),
            },
        }
    }

    fn act(&mut self, action: ActionOf<P>) {
        let forks = self.position() < self.len();
        match self.timeline.apply(action) {
            Ok(()) => {
                self.changed(forks);
                self.notice = forks.then_some(Notice::Forked);
            }
            Err(e) => self.notice = Some(Notice::Refused(e.to_string())),
        }
    }

    /// Replays the next recorded step, or lets the scheduler pick one at the end of the run.
    fn step_forward(&mut self) {
        let p = self.position();
        if self.play_until.is_some_and(|end| p >= end) {
            self.playing = false;
            self.play_until = None;
            return;
        }
        if p < self.len() {
            self.timeline.seek(p + 1);
            return;
        }
        let held = &self.held;
        match self
            .scheduler
            .next_skipping(self.timeline.world(), |m| held.contains(&m))
        {
            Some(a) => {
                let _ = self.timeline.apply(a);
                self.changed(false);
                self.notice = None;
            }
            None => {
                self.playing = false;
                self.notice = Some(Notice::RunEnded);
            }
        }
    }

    /// Brings the message spans up to date with the run (once per frame, before drawing): only
    /// the steps added since the last call are read.
    pub fn refresh_spans(&mut self) {
        let log = self.timeline.log().unwrap_or(&[]);
        if log.len() < self.spans_cache.steps {
            self.spans_cache = SpansCache::default();
        }
        self.spans_cache.extend(log);
    }

    /// Every message of the run with the steps it was sent and ended, and the marks on lanes,
    /// as of the last `refresh_spans`.
    pub fn spans(&self) -> Spans<'_, P::Msg> {
        (&self.spans_cache.spans, &self.spans_cache.marks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::paxos::{self, Action, Config};

    fn session() -> Session<paxos::Paxos> {
        Session::new(Config::default(), Knobs::default())
    }

    #[test]
    fn a_new_sandbox_opens_with_every_proposers_request() {
        let s = session();
        assert_eq!(s.len(), 2);
        assert_eq!(s.world().network().in_flight_count(), 6);
    }

    #[test]
    fn stepping_forward_at_the_end_extends_the_run_and_back_replays_it() {
        let mut s = session();
        for _ in 0..10 {
            s.apply(Command::StepForward);
        }
        assert_eq!((s.position(), s.len()), (12, 12));
        let at_12 = s.world().state_hash();
        s.apply(Command::StepBack);
        s.apply(Command::StepBack);
        assert_eq!((s.position(), s.len()), (10, 12));
        s.apply(Command::StepForward);
        s.apply(Command::StepForward);
        assert_eq!(s.world().state_hash(), at_12, "replayed, not re-scheduled");
    }

    #[test]
    fn acting_in_the_past_forks_the_run() {
        let mut s = session();
        for _ in 0..10 {
            s.apply(Command::StepForward);
        }
        s.apply(Command::Seek(3));
        s.apply(Command::Act(Action::Crash(paxos::acceptor(1))));
        assert_eq!((s.position(), s.len()), (4, 4));
        assert_eq!(s.notice, Some(Notice::Forked));
    }

    #[test]
    fn a_held_message_is_not_delivered_by_auto_play() {
        let mut s = session();
        let first = s.world().network().earliest().unwrap().id;
        s.apply(Command::Hold(first));
        for _ in 0..30 {
            s.apply(Command::StepForward);
        }
        assert!(s.world().network().get(first).is_some(), "still in flight");
        s.apply(Command::Release(first));
        for _ in 0..30 {
            s.apply(Command::StepForward);
        }
        assert!(s.world().network().get(first).is_none());
    }

    #[test]
    fn a_refused_action_is_reported_not_recorded() {
        let mut s = session();
        s.apply(Command::Act(Action::Restart(paxos::acceptor(1))));
        assert!(matches!(s.notice, Some(Notice::Refused(_))));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn spans_follow_each_message_from_send_to_delivery() {
        let mut s = session();
        s.apply(Command::StepForward);
        s.refresh_spans();
        let (spans, _) = s.spans();
        assert_eq!(
            spans.len(),
            6 + spans.iter().filter(|x| x.sent_step == 3).count()
        );
        let delivered: Vec<_> = spans.iter().filter(|x| x.end_step == Some(3)).collect();
        assert_eq!(delivered.len(), 1);
        assert!(
            (1..=2).contains(&delivered[0].sent_step),
            "an opening Prepare"
        );
    }
}
