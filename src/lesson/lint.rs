//! The exercise lint: from each exercise's starting state, a breadth-first search over the
//! actions its controls allow finds the fewest steps that meet its goal. A path shorter than the
//! reference solution is a shortcut a student could stumble on without doing the task, so
//! `check` and `lesson --verify` report it, as actions, before any student sees it.
//!
//! States are told apart by what a goal or a later step can read (node states, who is up,
//! whose timer runs, the messages in flight as a multiset, cut links, what is chosen, broken
//! rules, and the exercise's own timeouts and losses), not by message ids, times or step
//! numbers, so orders that meet in the same place are searched once.

use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};

use super::model::{Condition, Control, Exercise, Lesson, Step};
use super::teach::{Teach, action_requests};
use super::verify::Script;
use crate::protocols::ids::Ballot;
use crate::sim::world::{Action, Event, World};
use crate::trace::StepEvents;

/// The most states one exercise's search visits; past it the search says it was cut short.
pub const MAX_LINT_STATES: usize = 2_000_000;

/// What the search found for one exercise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExerciseLint<P: Teach> {
    /// The exercise's index among the lesson's steps.
    pub step: usize,
    pub reference_steps: usize,
    /// The fewest steps that meet the goal: a shortcut's length when shorter than the reference,
    /// else the reference's. `None` when the search was cut short before deciding.
    pub shortest_steps: Option<usize>,
    /// A shortest path, when it is shorter than the reference solution.
    pub shortcut: Option<Vec<crate::sim::world::ActionOf<P>>>,
    pub states: usize,
}

/// Searches every exercise of a lesson whose reference path is `script`.
pub fn lint<P: Teach>(lesson: &Lesson<P>, script: &Script<P>) -> Vec<ExerciseLint<P>> {
    let mut requests = Vec::new();
    P::student_requests(lesson, &mut requests);
    action_requests(lesson, &mut requests);
    let mut out = Vec::new();
    let mut world = P::world(&lesson.config);
    let mut applied = 0usize;
    for (i, step) in lesson.steps.iter().enumerate() {
        let Step::Exercise(e) = step else { continue };
        let start = script.spans[i].0 as usize;
        for a in &script.actions[applied..start] {
            // The reference path applied once already, so it applies again.
            let _ = world.apply(a);
        }
        applied = start;
        out.push(search(i, e, &world, &requests));
    }
    out
}

/// The losses a goal counts: (kind, ballot if named).
fn counted_losses(c: &Condition, out: &mut Vec<(String, Option<Ballot>)>) {
    c.each_leaf(&mut |leaf| {
        if let Condition::Lost { kind, ballot, .. } = leaf {
            out.push((kind.0.clone(), *ballot));
        }
    });
}

/// Whether an action can matter to a shortest path. Losing a message (a drop, or a delivery to
/// a crashed node or over a cut link) only differs from leaving it in flight when the goal counts
/// that loss: remove such a step from any path that meets the goal and the rest still applies
/// and still meets it, in fewer steps. So those steps are not searched.
fn matters<P: Teach>(
    world: &World<P>,
    action: &crate::sim::world::ActionOf<P>,
    counted: &[(String, Option<Ballot>)],
) -> bool {
    let lost = match *action {
        Action::Drop(m) => world.network().get(m),
        Action::Deliver(m) => world.network().get(m).filter(|e| {
            world.network().is_cut(e.src, e.dst) || world.node(e.dst).is_some_and(|s| !s.up)
        }),
        _ => None,
    };
    lost.is_none_or(|e| {
        counted.iter().any(|(k, b)| {
            k == P::kind_name(&e.msg) && b.is_none_or(|b| Some(b) == P::msg_ballot(&e.msg))
        })
    })
}

/// How the search may take crashes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Crashes {
    /// One step each, as the student takes them.
    AsSteps,
    /// A crash only ever followed at once by its restart, as one two-step move; or not at all.
    ///
    /// Sound when the goal reads neither who is down nor losses: while a node is down nothing
    /// can involve it but losing its mail (which cannot matter, see `matters`), so its restart can
    /// be moved to just after its crash; and a crash never followed by a restart can be left out.
    /// Either way the path keeps its length or gets shorter, and still meets the goal.
    WithRestart,
    Never,
}

/// One action, or a crash with the restart that follows it at once.
type Move<A> = (A, Option<A>);

/// The moves the exercise's controls allow in `world` that can matter to its goal: one action,
/// a crash with its restart, or (with `lies_at_once`) a lie with its delivery.
fn moves<P: Teach>(
    world: &World<P>,
    controls: &[Control],
    requests: &[P::Request],
    counted: &[(String, Option<Ballot>)],
    crashes: Crashes,
    lies_at_once: bool,
) -> Vec<Move<crate::sim::world::ActionOf<P>>> {
    let mut out = Vec::new();
    let Some(first) = requests.first() else {
        return out;
    };
    for a in world.enabled_actions(first) {
        if !controls.iter().any(|c| c.allows(&a)) || !matters(world, &a, counted) {
            continue;
        }
        match a {
            Action::Propose(n, _) => out.extend(
                requests
                    .iter()
                    .map(|r| (Action::Propose(n, r.clone()), None)),
            ),
            Action::Crash(n) => match crashes {
                Crashes::AsSteps => out.push((a, None)),
                Crashes::WithRestart => out.push((a, Some(Action::Restart(n)))),
                Crashes::Never => {}
            },
            Action::Restart(_) if crashes != Crashes::AsSteps => {
                // Nodes already down when the exercise starts may still come back alone.
                out.push((a, None));
            }
            // A lie sends one message, the next id.
            Action::Lie { .. } if lies_at_once => {
                out.push((a, Some(Action::Deliver(world.network().next_id()))))
            }
            _ => out.push((a, None)),
        }
    }
    out
}

/// What the exercise's own steps did that a goal can read: timeouts by node and losses by
/// message kind and ballot (capped: no goal counts more).
#[derive(Clone, Default, Hash)]
struct Past {
    timeouts: Vec<crate::sim::NodeId>,
    losses: Vec<(&'static str, Option<Ballot>, u8)>,
}

impl Past {
    fn record<P: Teach>(&mut self, events: &[Event<P>]) {
        for e in events {
            match e {
                Event::TimedOut(n) if !self.timeouts.contains(n) => {
                    self.timeouts.push(*n);
                    self.timeouts.sort();
                }
                Event::Lost { envelope, .. } => {
                    let key = (P::kind_name(&envelope.msg), P::msg_ballot(&envelope.msg));
                    match self.losses.iter_mut().find(|l| (l.0, l.1) == key) {
                        Some(l) => l.2 = l.2.saturating_add(1).min(16),
                        None => {
                            self.losses.push((key.0, key.1, 1));
                            self.losses.sort();
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The part of a world (and the exercise's past) that decides what can still happen.
fn state_key<P: Teach>(world: &World<P>, past: &Past) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for s in world.nodes() {
        s.id.hash(&mut h);
        s.up.hash(&mut h);
        s.timer.is_some().hash(&mut h);
    }
    P::lint_key(world, &mut h);
    // The messages in flight as a multiset: each one's own hash, sorted.
    let mut flying: Vec<u64> = world
        .network()
        .in_flight()
        .map(|e| {
            let mut m = std::collections::hash_map::DefaultHasher::new();
            (e.src, e.dst, &e.msg).hash(&mut m);
            m.finish()
        })
        .collect();
    flying.sort_unstable();
    flying.hash(&mut h);
    world.network().cut_links().hash(&mut h);
    for v in world.violations() {
        v.invariant.hash(&mut h);
    }
    past.hash(&mut h);
    h.finish()
}

/// What a delivery could change at its receiver: its state, whether it is up, whether its timer
/// runs.
fn node_key<P: Teach>(world: &World<P>, id: crate::sim::NodeId) -> Option<u64> {
    let s = world.node(id)?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (s.up, s.timer.is_some(), &s.state).hash(&mut h);
    Some(h.finish())
}

/// A move on a search path (an action, and a restart right after a crash), linked back to the
/// move before it.
struct Visit<A> {
    parent: usize,
    action: A,
    then: Option<A>,
}

fn search<P: Teach>(
    step: usize,
    e: &Exercise<P>,
    start: &World<P>,
    requests: &[P::Request],
) -> ExerciseLint<P> {
    let reference = e.solution.len();
    let mut result = ExerciseLint {
        step,
        reference_steps: reference,
        shortest_steps: Some(reference),
        shortcut: None,
        states: 1,
    };
    let mut counted = Vec::new();
    counted_losses(&e.goal, &mut counted);
    let crashes = if e.goal.reads_crashes() || !counted.is_empty() {
        Crashes::AsSteps
    } else if e.controls.contains(&Control::Restart) {
        Crashes::WithRestart
    } else {
        Crashes::Never
    };
    // Two reductions, sound when the goal neither reads which message the last step delivered
    // nor counts losses. A delivery that changes nothing (the receiver's state, whether it is up
    // and whether its timer runs stay as they were, and it sends, notes and breaks nothing) is
    // not searched: leave it out of a path and every later step applies alike (no handler reads
    // the clock), in fewer steps. And where the protocol allows it, a lie is told only to be
    // delivered at once, as one two-step move: a path telling it earlier is matched by one
    // telling it at its delivery, and a lie never delivered can be left out.
    let plain = !e.goal.reads_deliveries() && counted.is_empty();
    let lies_at_once = plain && P::lies_arrive_at_once(start);
    let mut seen = HashSet::new();
    seen.insert(state_key(start, &Past::default()));
    // Each state is kept as the move that reached it; its world is rebuilt by replaying its
    // path from the start (a dozen steps at most), so millions of states fit in little memory.
    // Moves take one or two steps, so states wait in one queue per depth, shallowest first.
    let mut visits: Vec<Visit<crate::sim::world::ActionOf<P>>> = Vec::new();
    let mut queues: Vec<VecDeque<usize>> = vec![VecDeque::from([usize::MAX])];
    // The shortest path found so far, shorter than the reference.
    let mut best: Option<(usize, usize)> = None;
    let mut depth = 0;
    while depth < queues.len() {
        let bound = best.map_or(reference, |(d, _)| d);
        let Some(at) = queues[depth].pop_front() else {
            depth += 1;
            continue;
        };
        if depth + 1 >= bound {
            continue;
        }
        let mut world = start.clone();
        let mut since: Vec<StepEvents<P>> = Vec::new();
        let mut past = Past::default();
        for a in path(&visits, at) {
            // Every step on the path applied once from this very start, so it applies again.
            let _ = world.apply(&a);
            past.record(world.events());
            since.push(world.events().into());
        }
        for (action, then) in moves(
            &world,
            &e.controls,
            requests,
            &counted,
            crashes,
            lies_at_once,
        ) {
            let cost = 1 + then.is_some() as usize;
            if depth + cost >= bound {
                continue;
            }
            // The receiver of a plain delivery, and how it stood before.
            let receiver = match (&action, &then) {
                (Action::Deliver(m), None) if plain => world
                    .network()
                    .get(*m)
                    .map(|env| (env.dst, node_key(&world, env.dst))),
                _ => None,
            };
            let mut next = world.clone();
            let mut next_past = past.clone();
            let mut applied = 0;
            let mut met = false;
            for a in std::iter::once(action.clone()).chain(then.clone()) {
                if next.apply(&a).is_err() {
                    break;
                }
                applied += 1;
                next_past.record(next.events());
                since.push(next.events().into());
                met |= e.goal.holds(&next, &since);
            }
            since.truncate(since.len() - applied);
            if applied < cost {
                continue;
            }
            if let Some((dst, before)) = receiver
                && next
                    .events()
                    .iter()
                    .all(|e| matches!(e, Event::Delivered(_)))
                && node_key(&next, dst) == before
            {
                continue;
            }
            visits.push(Visit {
                parent: at,
                action,
                then,
            });
            let here = visits.len() - 1;
            if met {
                best = Some((depth + cost, here));
                break;
            }
            if !seen.insert(state_key(&next, &next_past)) {
                visits.pop();
                continue;
            }
            if seen.len() >= MAX_LINT_STATES {
                result.shortest_steps = None;
                result.states = seen.len();
                return result;
            }
            if queues.len() <= depth + cost {
                queues.resize_with(depth + cost + 1, VecDeque::new);
            }
            queues[depth + cost].push_back(here);
        }
    }
    result.states = seen.len();
    if let Some((d, at)) = best {
        result.shortest_steps = Some(d);
        result.shortcut = Some(path(&visits, at));
    }
    result
}

fn path<A: Clone>(visits: &[Visit<A>], mut at: usize) -> Vec<A> {
    let mut out = Vec::new();
    while at != usize::MAX {
        out.extend(visits[at].then.clone());
        out.push(visits[at].action.clone());
        at = visits[at].parent;
    }
    out.reverse();
    out
}
