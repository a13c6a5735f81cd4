//! The lesson file's data model. Texts always come in both languages; conditions are a small,
//! closed vocabulary, not code.

use crate::protocols::paxos;
use crate::protocols::paxos::INVARIANTS;
use serde::{Deserialize, Serialize};

use crate::protocols::paxos::{Action, Ballot, Config, Paxos, PaxosWorld, Value};
use crate::protocols::paxos::{Msg, MsgKind, Node};
use crate::sim::world::Event;
use crate::sim::{Knobs, NodeId};

/// A text in English and Simplified Chinese; both are required.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub version: u32,
    /// A stable id, used for progress (`happy-path`).
    pub id: String,
    pub title: Text,
    pub summary: Text,
    pub config: Config,
    /// Random faults auto-play may inject. None unless the lesson asks (its narration must say
    /// so): a lesson runs only what its file says.
    #[serde(default = "no_faults", skip_serializing_if = "is_no_faults")]
    pub faults: Knobs,
    pub steps: Vec<Step>,
}

fn no_faults() -> Knobs {
    Knobs::NONE
}

fn is_no_faults(k: &Knobs) -> bool {
    *k == Knobs::NONE
}

/// The longest a `Wait` may auto-play, and the longest a lesson's whole reference run may be:
/// a lesson is watched by people, and verifying one must end quickly whatever the file says.
pub const MAX_WAIT_STEPS: u64 = 10_000;
pub const MAX_LESSON_STEPS: u64 = 100_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Step {
    /// Narration (short paragraphs; `**bold**` and `` `code` `` are shown as such).
    Say(Text),
    /// Scripted actions, applied in order.
    Do(Vec<Action>),
    /// Auto-play until the condition holds (at most `within` steps).
    Wait {
        until: Condition,
        within: u64,
    },
    Exercise(Exercise),
    Quiz(Quiz),
}

/// The kinds of action a student may take in an exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Control {
    Propose,
    Deliver,
    Drop,
    Duplicate,
    Crash,
    Restart,
    Timeout,
    Links,
}

impl Control {
    pub fn allows(self, a: &Action) -> bool {
        matches!(
            (self, a),
            (Control::Propose, Action::Propose(..))
                | (Control::Deliver, Action::Deliver(_))
                | (Control::Drop, Action::Drop(_))
                | (Control::Duplicate, Action::Duplicate(_))
                | (Control::Crash, Action::Crash(_))
                | (Control::Restart, Action::Restart(_))
                | (Control::Timeout, Action::Timeout(_))
                | (Control::Links, Action::CutLink(..) | Action::HealLink(..))
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub task: Text,
    pub goal: Condition,
    pub controls: Vec<Control>,
    #[serde(default)]
    pub hints: Vec<Text>,
    /// A list of actions that meets the goal from the exercise's starting state.
    pub solution: Vec<Action>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    pub question: Text,
    pub choices: Vec<Text>,
    /// Index of the correct choice, from 0.
    pub answer: usize,
    pub explanation: Text,
}

/// A fact about the run, checked after every step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// A message of this kind was delivered (to this node, if named) in the last step.
    Delivered {
        kind: MsgKind,
        to: Option<NodeId>,
    },
    /// A Nack reached this proposer, reporting a promise to `by` or a higher ballot: another
    /// proposer's Prepare pre-empted it.
    Refused {
        to: NodeId,
        by: Ballot,
    },
    /// A value (this one, if named) is chosen.
    Chosen(Option<Value>),
    /// A value is chosen in a ballot above this one (a retry succeeded).
    ChosenAbove(Ballot),
    /// A learner (this one, if named) has learned a value (this one, if named).
    Learned {
        learner: Option<NodeId>,
        value: Option<Value>,
    },
    Crashed(NodeId),
    /// At least this many acceptors are down (whichever they are).
    AcceptorsDown(u8),
    /// Since the exercise began, a timeout fired (at this node, if named).
    TimedOut(Option<NodeId>),
    /// Since the exercise began, at least `at_least` messages of this kind (in this ballot, if
    /// named) were lost: dropped, or sent over a cut link or to a crashed node.
    Lost {
        kind: MsgKind,
        #[serde(default)]
        ballot: Option<Ballot>,
        at_least: u32,
    },
    /// A safety rule (this one, by its id, if named) has been broken.
    Violated(Option<String>),
    /// Two different values are chosen.
    TwoValuesChosen,
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    /// Whether the condition holds in `world`, where `since` holds the events of each step since
    /// the exercise (or wait) began, for conditions about what the student did.
    pub fn holds<E: AsRef<[Event<Paxos>]>>(&self, world: &PaxosWorld, since: &[E]) -> bool {
        let events = || since.iter().flat_map(|s| s.as_ref().iter());
        match self {
            Condition::Delivered { kind, to } => world.events().iter().any(|e| {
                matches!(e, Event::Delivered(env) if env.msg.kind() == *kind && to.is_none_or(|t| t == env.dst))
            }),
            Condition::Refused { to, by } => world.events().iter().any(|e| {
                matches!(e, Event::Delivered(env) if env.dst == *to
                    && matches!(env.msg, Msg::Nack { promised, .. } if promised >= *by))
            }),
            Condition::Chosen(v) => world.monitor().chosen.iter().any(|c| v.is_none_or(|v| v == c.value)),
            Condition::ChosenAbove(b) => world.monitor().chosen.iter().any(|c| c.ballot > *b),
            Condition::Learned { learner, value } => world.nodes().iter().any(|s| match &s.state {
                Node::Learner(l) => {
                    learner.is_none_or(|n| n == s.id)
                        && l.learned.is_some_and(|x| value.is_none_or(|v| v == x.value))
                }
                _ => false,
            }),
            Condition::Crashed(n) => world.node(*n).is_some_and(|s| !s.up),
            Condition::AcceptorsDown(k) => {
                world
                    .nodes()
                    .iter()
                    .filter(|s| s.id.role == paxos::ACCEPTOR && !s.up)
                    .count()
                    >= *k as usize
            }
            Condition::TimedOut(n) => events()
                .any(|e| matches!(e, Event::TimedOut(m) if n.is_none_or(|n| n == *m))),
            Condition::Lost {
                kind,
                ballot,
                at_least,
            } => {
                events()
                    .filter(|e| {
                        matches!(e, Event::Lost { envelope, .. }
                            if envelope.msg.kind() == *kind
                                && ballot.is_none_or(|b| b == envelope.msg.ballot()))
                    })
                    .count()
                    >= *at_least as usize
            }
            Condition::Violated(name) => world
                .violations()
                .iter()
                .any(|v| name.as_ref().is_none_or(|n| n == v.invariant)),
            Condition::TwoValuesChosen => world.monitor().chosen.len() >= 2,
            Condition::All(cs) => cs.iter().all(|c| c.holds(world, since)),
            Condition::Any(cs) => cs.iter().any(|c| c.holds(world, since)),
            Condition::Not(c) => !c.holds(world, since),
        }
    }

    /// Whether the condition holds with no steps taken yet (at an exercise's start).
    pub fn holds_now(&self, world: &PaxosWorld) -> bool {
        self.holds::<&[Event<Paxos>]>(world, &[])
    }

    /// Node ids named by the condition, for validation.
    fn nodes(&self, out: &mut Vec<NodeId>) {
        self.each_leaf(&mut |c| match c {
            Condition::Delivered { to: Some(n), .. }
            | Condition::Crashed(n)
            | Condition::Refused { to: n, .. }
            | Condition::TimedOut(Some(n))
            | Condition::Learned {
                learner: Some(n), ..
            } => out.push(*n),
            _ => {}
        });
    }

    /// Calls `f` on every condition that is not `All`, `Any` or `Not`, however deep.
    pub fn each_leaf<'a>(&'a self, f: &mut impl FnMut(&'a Condition)) {
        match self {
            Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| c.each_leaf(f)),
            Condition::Not(c) => c.each_leaf(f),
            leaf => f(leaf),
        }
    }
}

impl Text {
    fn check(&self, what: &str) -> Result<(), String> {
        if self.en.trim().is_empty() || self.zh.trim().is_empty() {
            return Err(format!(
                "{what}: needs both an English (en) and a Chinese (zh) text"
            ));
        }
        Ok(())
    }
}

/// What `Lesson::validate` found wrong, and where: the step (none for a top-level field, which the
/// message then starts with) and the field inside the step, if one is at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub step: Option<usize>,
    pub field: Option<&'static str>,
    pub message: String,
}

impl Lesson {
    /// Checks what the file format alone cannot: texts in both languages, nodes that exist,
    /// quiz answers in range, bounded waits.
    pub fn validate(&self) -> Result<(), Invalid> {
        let top = |message: String| Invalid {
            step: None,
            field: None,
            message,
        };
        if self.id.trim().is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(top(format!(
                "id `{}`: use lower-case letters, digits and dashes",
                self.id
            )));
        }
        self.title.check("title").map_err(top)?;
        self.faults
            .validate()
            .map_err(|m| top(format!("faults: {m}")))?;
        self.summary.check("summary").map_err(top)?;
        if self.steps.is_empty() {
            return Err(top("steps: a lesson needs at least one step".into()));
        }
        let exists = |n: NodeId| self.config.has_node(n);
        for (i, step) in self.steps.iter().enumerate() {
            let at = |m: String| Invalid {
                step: Some(i),
                field: None,
                message: format!("step {}: {m}", i + 1),
            };
            let mut nodes = Vec::new();
            let mut conditions = Vec::new();
            match step {
                Step::Say(t) => t.check("say").map_err(at)?,
                Step::Do(actions) => action_nodes(actions, &mut nodes),
                Step::Wait { until, within } => {
                    if *within == 0 || *within > MAX_WAIT_STEPS {
                        return Err(Invalid {
                            field: Some("within"),
                            ..at(format!(
                                "wait: `within` is {within}; it must be between 1 and {MAX_WAIT_STEPS} steps"
                            ))
                        });
                    }
                    conditions.push(until);
                }
                Step::Exercise(e) => {
                    e.task.check("exercise task").map_err(at)?;
                    for h in &e.hints {
                        h.check("hint").map_err(at)?;
                    }
                    if e.controls.is_empty() {
                        return Err(at("exercise: list the controls the student may use".into()));
                    }
                    if let Some(a) = e
                        .solution
                        .iter()
                        .find(|a| !e.controls.iter().any(|c| c.allows(a)))
                    {
                        return Err(at(format!(
                            "exercise: the solution uses `{a}`, which the listed controls do not allow"
                        )));
                    }
                    action_nodes(&e.solution, &mut nodes);
                    conditions.push(&e.goal);
                }
                Step::Quiz(q) => {
                    q.question.check("quiz question").map_err(at)?;
                    q.explanation.check("quiz explanation").map_err(at)?;
                    if q.choices.len() < 2 {
                        return Err(at("quiz: give at least two choices".into()));
                    }
                    for c in &q.choices {
                        c.check("quiz choice").map_err(at)?;
                    }
                    if q.answer >= q.choices.len() {
                        return Err(at(format!(
                            "quiz: answer {} names no choice (there are {}, counted from 0)",
                            q.answer,
                            q.choices.len()
                        )));
                    }
                }
            }
            for c in conditions {
                c.nodes(&mut nodes);
                if let Some(name) = violated_name(c)
                    && !INVARIANTS.contains(&name.as_str())
                {
                    return Err(at(format!(
                        "no invariant is called `{name}` (known: {})",
                        INVARIANTS.join(", ")
                    )));
                }
            }
            if let Some(n) = nodes.into_iter().find(|n| !exists(*n)) {
                return Err(at(format!("there is no node {n} in this lesson's cluster")));
            }
        }
        Ok(())
    }
}

fn violated_name(c: &Condition) -> Option<String> {
    let mut name = None;
    c.each_leaf(&mut |leaf| {
        if let (None, Condition::Violated(Some(n))) = (&name, leaf) {
            name = Some(n.clone());
        }
    });
    name
}

fn action_nodes(actions: &[Action], out: &mut Vec<NodeId>) {
    for a in actions {
        match *a {
            Action::Propose(n, _) | Action::Crash(n) | Action::Restart(n) | Action::Timeout(n) => {
                out.push(n)
            }
            Action::CutLink(a, b) | Action::HealLink(a, b) => out.extend([a, b]),
            Action::Deliver(_) | Action::Drop(_) | Action::Duplicate(_) => {}
        }
    }
}
