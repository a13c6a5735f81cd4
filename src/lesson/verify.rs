//! Runs a lesson headless, as `paxos-lab lesson FILE --verify` and `cargo test` do: scripted
//! actions apply, every wait is reached within its bound, every exercise's goal is not already
//! met at its start, and its reference solution meets it.

use super::model::{Lesson, Step};
use super::teach::Teach;
use crate::sim::Scheduler;
use crate::sim::world::World;
use crate::trace::StepEvents;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub waits: usize,
    pub exercises: usize,
    pub quizzes: usize,
    /// Simulation steps the whole lesson took.
    pub sim_steps: u64,
}

/// The lesson's reference run: every action, and where each step starts and ends in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Script<P: Teach> {
    pub actions: Vec<crate::sim::world::ActionOf<P>>,
    /// `(start, end)` positions of each step in `actions`.
    pub spans: Vec<(u64, u64)>,
    pub report: VerifyReport,
}

/// Verifies a lesson; on failure, the index of the step that failed and why.
pub fn verify<P: Teach>(lesson: &Lesson<P>) -> Result<VerifyReport, (usize, String)> {
    script(lesson).map(|s| s.report)
}

/// Plays the lesson's reference path (scripted actions, waits, reference solutions), checking
/// it as it goes.
pub fn script<P: Teach>(lesson: &Lesson<P>) -> Result<Script<P>, (usize, String)> {
    play(lesson, P::world(&lesson.config), Vec::new(), 0)
}

/// Plays the lesson's steps from `from` on, starting from a run of its cluster that has taken
/// `actions` (a student's own run, say): the lesson can go on from there if every scripted
/// action applies, every wait is reached and every later exercise's solution still works.
/// The script's spans then cover steps `from..` only.
pub fn continue_script<P: Teach>(
    lesson: &Lesson<P>,
    actions: &[crate::sim::world::ActionOf<P>],
    from: usize,
) -> Result<Script<P>, (usize, String)> {
    let mut world = P::world(&lesson.config);
    for (k, a) in actions.iter().enumerate() {
        world
            .apply(a)
            .map_err(|e| (from, format!("action {} `{a}` of the run: {e}", k + 1)))?;
    }
    play(lesson, world, actions.to_vec(), from)
}

fn play<P: Teach>(
    lesson: &Lesson<P>,
    mut world: World<P>,
    mut actions: Vec<crate::sim::world::ActionOf<P>>,
    from: usize,
) -> Result<Script<P>, (usize, String)> {
    let mut scheduler = Scheduler::new(P::seed(&lesson.config), lesson.faults);
    let mut report = VerifyReport::default();
    let mut spans = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate().skip(from) {
        let start = world.step();
        let fail = |m: String| (i, format!("step {}: {m}", i + 1));
        match step {
            Step::Say(_) => {}
            Step::Quiz(_) => report.quizzes += 1,
            Step::Do(scripted) => {
                for a in scripted {
                    world
                        .apply(a)
                        .map_err(|e| fail(format!("`{a}` cannot apply: {e}")))?;
                    actions.push(a.clone());
                }
            }
            Step::Wait { until, within } => {
                let mut n = 0;
                let mut since: Vec<StepEvents<P>> = Vec::new();
                while !until.holds(&world, &since) {
                    if n == *within {
                        return Err(fail(format!(
                            "the wait was not reached within {within} steps"
                        )));
                    }
                    let Some(a) = scheduler.next(&world) else {
                        return Err(fail(
                            "the run went quiet before the wait was reached".into(),
                        ));
                    };
                    world.apply(&a).map_err(|e| fail(e.to_string()))?;
                    since.push(world.events().into());
                    actions.push(a);
                    n += 1;
                }
                report.waits += 1;
            }
            Step::Exercise(e) => {
                if e.goal.holds_now(&world) {
                    return Err(fail(
                        "the exercise's goal already holds before the student does anything".into(),
                    ));
                }
                let mut solved = false;
                let mut since: Vec<StepEvents<P>> = Vec::new();
                for a in &e.solution {
                    world.apply(a).map_err(|err| {
                        fail(format!(
                            "the reference solution's `{a}` cannot apply: {err}"
                        ))
                    })?;
                    since.push(world.events().into());
                    actions.push(a.clone());
                    solved |= e.goal.holds(&world, &since);
                }
                if !solved {
                    return Err(fail("the reference solution does not meet the goal".into()));
                }
                report.exercises += 1;
            }
        }
        spans.push((start, world.step()));
        if world.step() > super::model::MAX_LESSON_STEPS {
            return Err(fail(format!(
                "the lesson's run is longer than the limit of {} simulation steps",
                super::model::MAX_LESSON_STEPS
            )));
        }
    }
    report.sim_steps = world.step();
    Ok(Script {
        actions,
        spans,
        report,
    })
}
