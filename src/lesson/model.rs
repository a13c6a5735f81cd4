//! The lesson file's data model. Texts always come in both languages; conditions are a small,
//! closed vocabulary, not code: generic ones (a delivery, a crash, a timeout, a loss, a broken
//! rule, and `All`/`Any`/`Not`) and each protocol's own, which `Teach` evaluates.

use serde::{Deserialize, Deserializer};

use super::teach::Teach;
use crate::protocols::ids::{Ballot, Value};
use crate::sim::world::{Action, Event, World};
use crate::sim::{Knobs, NodeId};

/// A text in English and Simplified Chinese; both are required.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

/// A lesson over protocol `P` (Paxos unless the file names another in `protocol`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
pub struct Lesson<P: Teach> {
    pub version: u32,
    /// The protocol the lesson runs (`multipaxos`); absent for Paxos.
    #[serde(default)]
    pub protocol: Option<String>,
    /// A stable id, used for progress (`happy-path`).
    pub id: String,
    pub title: Text,
    pub summary: Text,
    pub config: P::Config,
    /// Random faults auto-play may inject. None unless the lesson asks (its narration must say
    /// so): a lesson runs only what its file says.
    #[serde(default = "no_faults")]
    pub faults: Knobs,
    pub steps: Vec<Step<P>>,
}

fn no_faults() -> Knobs {
    Knobs::NONE
}

/// The longest a `Wait` may auto-play, and the longest a lesson's whole reference run may be:
/// a lesson is watched by people, and verifying one must end quickly whatever the file says.
pub const MAX_WAIT_STEPS: u64 = 10_000;
pub const MAX_LESSON_STEPS: u64 = 100_000;

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(bound = "")]
pub enum Step<P: Teach> {
    /// Narration (short paragraphs; `**bold**` and `` `code` `` are shown as such).
    Say(Text),
    /// Scripted actions, applied in order.
    Do(Vec<crate::sim::world::ActionOf<P>>),
    /// Auto-play until the condition holds (at most `within` steps).
    Wait {
        until: Condition,
        within: u64,
    },
    Exercise(Exercise<P>),
    Quiz(Quiz),
}

/// The kinds of action a student may take in an exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Control {
    Propose,
    Deliver,
    Drop,
    Duplicate,
    Crash,
    Restart,
    Timeout,
    Links,
    /// Tell a lie as a Byzantine node.
    Lie,
    /// Pause a node (a long garbage-collection pause).
    Pause,
}

impl Control {
    pub fn allows<R, M>(self, a: &Action<R, M>) -> bool {
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
                | (Control::Lie, Action::Lie { .. })
                | (Control::Pause, Action::Pause(..))
        )
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
pub struct Exercise<P: Teach> {
    pub task: Text,
    pub goal: Condition,
    pub controls: Vec<Control>,
    #[serde(default)]
    pub hints: Vec<Text>,
    /// A list of actions that meets the goal from the exercise's starting state.
    pub solution: Vec<crate::sim::world::ActionOf<P>>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    pub question: Text,
    pub choices: Vec<Text>,
    /// Index of the correct choice, from 0.
    pub answer: usize,
    pub explanation: Text,
}

/// A message kind (`Prepare`, `RequestVote`), written bare in a lesson file (`kind: Accept`) in
/// the one spelling the lesson docs use, and checked against the lesson's protocol when the
/// lesson is validated. Kept as the protocol's plug-in names kinds (`request-vote`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kind(pub String);

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = Kind;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a message kind in capitalised words, such as `Accept` or `RequestVote`",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Kind, E> {
                Kind::read(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_identifier(Name)
    }
}

impl Kind {
    /// The kind a lesson writes as `RequestVote`: capitalised words run together, nothing else.
    pub fn read(written: &str) -> Option<Kind> {
        let mut chars = written.chars();
        if !chars.next().is_some_and(|c| c.is_ascii_uppercase())
            || !written.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return None;
        }
        let mut name = String::new();
        for (i, c) in written.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                name.push('-');
            }
            name.push(c.to_ascii_lowercase());
        }
        Some(Kind(name))
    }

    /// The name as a lesson file writes it (`RequestVote` for `request-vote`).
    pub fn written(name: &str) -> String {
        name.split('-')
            .map(|word| {
                let mut c = word.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Whether `msg` is of this kind.
    pub fn of<P: Teach>(&self, msg: &P::Msg) -> bool {
        P::kind_name(msg) == self.0
    }
}

/// A fact about the run, checked after every step. The first group reads only what every
/// protocol has; the others are one protocol's own (a lesson of another protocol is refused
/// when it names them).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub enum Condition {
    /// A message of this kind was delivered (to this node, if named) in the last step.
    Delivered {
        kind: Kind,
        to: Option<NodeId>,
    },
    Crashed(NodeId),
    /// Since the exercise began, a timeout fired (at this node, if named).
    TimedOut(Option<NodeId>),
    /// Since the exercise began, at least `at_least` messages of this kind (in this ballot, if
    /// named) were lost: dropped, or sent over a cut link or to a crashed node.
    Lost {
        kind: Kind,
        #[serde(default)]
        ballot: Option<Ballot>,
        at_least: u32,
    },
    /// A safety rule (this one, by its id, if named) has been broken.
    Violated(Option<String>),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),

    // Paxos.
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
    /// At least this many acceptors are down (whichever they are).
    AcceptorsDown(u8),
    /// Two different values are chosen.
    TwoValuesChosen,

    // Multi-Paxos.
    /// A server (this one, if named) leads.
    Elected(Option<NodeId>),
    /// Every slot from the first up to this one is chosen.
    Committed(u32),
    /// A server (this one, if named) has applied every slot up to this one.
    Applied {
        server: Option<NodeId>,
        upto: u32,
    },
    /// At least this many requests (of this client, if named) have been answered.
    Answered {
        client: Option<NodeId>,
        at_least: u32,
    },
}

impl Condition {
    /// Whether the condition holds in `world`, where `since` holds the events of each step since
    /// the exercise (or wait) began, for conditions about what the student did.
    pub fn holds<P: Teach, E: AsRef<[Event<P>]>>(&self, world: &World<P>, since: &[E]) -> bool {
        let events = || since.iter().flat_map(|s| s.as_ref().iter());
        match self {
            Condition::Delivered { kind, to } => world.events().iter().any(|e| {
                matches!(e, Event::Delivered(env) if kind.of::<P>(&env.msg) && to.is_none_or(|t| t == env.dst))
            }),
            Condition::Crashed(n) => world.node(*n).is_some_and(|s| !s.up),
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
                            if kind.of::<P>(&envelope.msg)
                                && ballot.is_none_or(|b| Some(b) == P::msg_ballot(&envelope.msg)))
                    })
                    .count()
                    >= *at_least as usize
            }
            Condition::Violated(name) => world
                .violations()
                .iter()
                .any(|v| name.as_ref().is_none_or(|n| n == v.invariant)),
            Condition::All(cs) => cs.iter().all(|c| c.holds(world, since)),
            Condition::Any(cs) => cs.iter().any(|c| c.holds(world, since)),
            Condition::Not(c) => !c.holds(world, since),
            fact => P::fact(fact, world).unwrap_or(false),
        }
    }

    /// Whether the condition holds with no steps taken yet (at an exercise's start).
    pub fn holds_now<P: Teach>(&self, world: &World<P>) -> bool {
        self.holds::<P, &[Event<P>]>(world, &[])
    }

    /// The protocols whose own condition this is (by their `--protocol` names); `None` for
    /// those every protocol has.
    pub fn family(&self) -> Option<Family> {
        match self {
            Condition::Delivered { .. }
            | Condition::Crashed(_)
            | Condition::TimedOut(_)
            | Condition::Lost { .. }
            | Condition::Violated(_)
            | Condition::All(_)
            | Condition::Any(_)
            | Condition::Not(_) => None,
            Condition::Refused { .. }
            | Condition::Chosen(_)
            | Condition::ChosenAbove(_)
            | Condition::Learned { .. }
            | Condition::AcceptorsDown(_)
            | Condition::TwoValuesChosen => Some(Family::OneValue),
            // The store protocols': a leader, a committed log, replicas, clients.
            Condition::Elected(_)
            | Condition::Committed(_)
            | Condition::Applied { .. }
            | Condition::Answered { .. } => Some(Family::Store),
        }
    }

    /// The condition's name as a lesson file spells it.
    fn name(&self) -> &'static str {
        match self {
            Condition::Delivered { .. } => "Delivered",
            Condition::Crashed(_) => "Crashed",
            Condition::TimedOut(_) => "TimedOut",
            Condition::Lost { .. } => "Lost",
            Condition::Violated(_) => "Violated",
            Condition::All(_) => "All",
            Condition::Any(_) => "Any",
            Condition::Not(_) => "Not",
            Condition::Refused { .. } => "Refused",
            Condition::Chosen(_) => "Chosen",
            Condition::ChosenAbove(_) => "ChosenAbove",
            Condition::Learned { .. } => "Learned",
            Condition::AcceptorsDown(_) => "AcceptorsDown",
            Condition::TwoValuesChosen => "TwoValuesChosen",
            Condition::Elected(_) => "Elected",
            Condition::Committed(_) => "Committed",
            Condition::Applied { .. } => "Applied",
            Condition::Answered { .. } => "Answered",
        }
    }

    /// Whether the condition reads who is down.
    /// Whether the condition reads which message the last step delivered (a delivery that
    /// changes nothing can still meet it).
    pub fn reads_deliveries(&self) -> bool {
        let mut reads = false;
        self.each_leaf(&mut |leaf| {
            reads |= matches!(
                leaf,
                Condition::Delivered { .. } | Condition::Refused { .. }
            );
        });
        reads
    }

    pub fn reads_crashes(&self) -> bool {
        let mut reads = false;
        self.each_leaf(&mut |leaf| {
            reads |= matches!(leaf, Condition::Crashed(_) | Condition::AcceptorsDown(_));
        });
        reads
    }

    /// Node ids named by the condition, for validation.
    fn nodes(&self, out: &mut Vec<NodeId>) {
        self.each_leaf(&mut |c| match c {
            Condition::Delivered { to: Some(n), .. }
            | Condition::Crashed(n)
            | Condition::Refused { to: n, .. }
            | Condition::TimedOut(Some(n))
            | Condition::Elected(Some(n))
            | Condition::Applied {
                server: Some(n), ..
            }
            | Condition::Answered {
                client: Some(n), ..
            }
            | Condition::Learned {
                learner: Some(n), ..
            } => out.push(*n),
            _ => {}
        });
    }

    /// What is wrong with the condition in a lesson of protocol `P`: another protocol's own
    /// condition, a message kind or a rule `P` does not have.
    fn check<P: Teach>(&self) -> Result<(), String> {
        let mut problem = None;
        self.each_leaf(&mut |leaf| {
            if problem.is_some() {
                return;
            }
            if let Some(family) = leaf.family().filter(|f| *f != P::FAMILY) {
                let members = family.members();
                let names = match members.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} and {last}", rest.join(", "))
                    }
                    _ => members.join(""),
                };
                problem = Some(format!(
                    "`{}` is a {names} condition; this lesson runs {}",
                    leaf.name(),
                    P::NAME
                ));
            }
            if let Condition::Delivered { kind, .. } | Condition::Lost { kind, .. } = leaf
                && !P::kinds().iter().any(|(k, _)| *k == kind.0)
            {
                let known: Vec<String> = P::kinds().iter().map(|(k, _)| Kind::written(k)).collect();
                problem = Some(format!(
                    "{} has no message kind `{}` (known: {})",
                    P::TITLE,
                    Kind::written(&kind.0),
                    known.join(", ")
                ));
            }
            // A count of zero is met before anything happens: never what an author means.
            if let Condition::Committed(0)
            | Condition::Applied { upto: 0, .. }
            | Condition::Answered { at_least: 0, .. }
            | Condition::Lost { at_least: 0, .. } = leaf
            {
                problem = Some(format!(
                    "`{}` with a count of 0 always holds; count from 1",
                    leaf.name()
                ));
            }
            if let Condition::Violated(Some(name)) = leaf
                && !P::invariants().contains(&name.as_str())
            {
                problem = Some(format!(
                    "no invariant is called `{name}` (known: {})",
                    P::invariants().join(", ")
                ));
            }
        });
        problem.map_or(Ok(()), Err)
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

impl<P: Teach> Lesson<P> {
    /// Checks what the file format alone cannot: texts in both languages, nodes that exist,
    /// quiz answers in range, bounded waits, conditions of the lesson's protocol.
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
        let exists = |n: NodeId| P::has_node(&self.config, n);
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
                c.check::<P>().map_err(at)?;
            }
            if let Some(n) = nodes.into_iter().find(|n| !exists(*n)) {
                return Err(at(format!("there is no node {n} in this lesson's cluster")));
            }
        }
        Ok(())
    }
}

fn action_nodes<R, M>(actions: &[Action<R, M>], out: &mut Vec<NodeId>) {
    for a in actions {
        match *a {
            Action::Propose(n, _)
            | Action::Crash(n)
            | Action::Restart(n)
            | Action::Timeout(n)
            | Action::Pause(n, _) => out.push(n),
            Action::CutLink(a, b) | Action::HealLink(a, b) | Action::Lie { from: a, to: b, .. } => {
                out.extend([a, b])
            }
            Action::Deliver(_) | Action::Drop(_) | Action::Duplicate(_) => {}
        }
    }
}

/// What a protocol's lessons can ask of a run beyond the generic conditions: a value chosen
/// (single-decree Paxos), or a leader, a committed log, replicas and clients (the store
/// protocols). Each protocol says which in its `Teach`; a new one joins a family there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    OneValue,
    Store,
}

impl Family {
    /// The registry's protocols of this family, by name.
    pub fn members(self) -> Vec<&'static str> {
        crate::trace::Protocol::ALL
            .iter()
            .filter(|p| {
                crate::with_protocol!(**p, P => <P as crate::lesson::teach::Teach>::FAMILY) == self
            })
            .map(|p| p.name())
            .collect()
    }
}
