//! Lessons: a bilingual script over a cluster (say, do, wait, exercise, quiz), its loader and
//! validator (every problem reported as `file:line:col`), and a headless runner that verifies a
//! lesson: every wait is reached, every exercise's reference solution meets its goal, and doing
//! nothing does not.

pub mod bundled;
pub mod facts;
mod lint;
mod model;
mod teach;
mod verify;

pub use lint::{ExerciseLint, MAX_LINT_STATES, lint};
pub use model::{
    Condition, Control, Exercise, Invalid, Kind, Lesson, MAX_LESSON_STEPS, MAX_WAIT_STEPS, Quiz,
    Step, Text,
};
pub use teach::Teach;
pub use verify::{Script, VerifyReport, continue_script, script, verify};

use std::path::Path;

use crate::protocols::paxos::Paxos;
use crate::trace::{
    Field, FieldSpans, FileError, field_in, field_of, locate, raw_offset, raw_position, read_text,
    ron_error, ron_options,
};

pub const VERSION: u32 = 1;

/// Where the n-th step starts in the file text, or the named field inside it (1:1 if it cannot
/// be found).
fn step_position(text: &str, i: usize, field: Option<&str>) -> (usize, usize) {
    let step = FieldSpans::of(text).and_then(|s| s.steps.and_then(|steps| steps.get(i).copied()));
    let Some(raw) = step else {
        return (1, 1);
    };
    match field {
        Some(name) => {
            let from = raw_offset(text, raw);
            let at = field_in(text, from, from + raw.get_ron().len(), name, false);
            crate::fsutil::line_col(text, at)
        }
        None => raw_position(text, raw),
    }
}

/// Parses and validates a Paxos lesson's text; `path` only labels errors.
pub fn parse(path: &Path, text: &str) -> Result<Lesson<Paxos>, FileError> {
    parse_as::<crate::protocols::paxos::Paxos>(path, text)
}

/// Parses and validates the text of a lesson of protocol `P`. A lesson names its protocol in
/// `protocol` (none: Paxos); a lesson of another protocol is refused at that field.
pub fn parse_as<P: Teach>(path: &Path, text: &str) -> Result<Lesson<P>, FileError> {
    if text.trim().is_empty() {
        return Err(FileError::new(
            path,
            (1, 1),
            "the file is empty: a lesson is `(version: 1, id: ..., steps: [...])`",
        ));
    }
    let named = crate::trace::protocol_of(text);
    if named != P::NAME {
        return Err(FileError::new(
            path,
            locate(text, Field::Named("protocol", None)),
            format!("protocol `{named}`: expected `{}`", P::NAME),
        ));
    }
    let lesson: Lesson<P> = ron_options().from_str(text).map_err(|e| {
        FileError::new(
            path,
            (e.span.start.line, e.span.start.col),
            ron_error(text, &e),
        )
    })?;
    if lesson.version != VERSION {
        return Err(FileError::new(
            path,
            locate(text, Field::Named("version", None)),
            format!(
                "lesson version {} is not supported (this build reads version {VERSION})",
                lesson.version
            ),
        ));
    }
    P::validate_config(&lesson.config).map_err(|m| {
        FileError::new(
            path,
            locate(text, Field::Named("config", Some(field_of(&m)))),
            format!("config: {m}"),
        )
    })?;
    if let Err(bad) = lesson.validate() {
        let at = match bad.step {
            Some(i) => step_position(text, i, bad.field),
            None => locate(text, Field::Named(field_of(&bad.message), None)),
        };
        return Err(FileError::new(path, at, bad.message));
    }
    Ok(lesson)
}

/// Parses, validates and plays a lesson's reference path: a scripted action that names nothing,
/// an unreachable wait or a wrong solution is reported at its step's position. Then searches each
/// exercise for a path shorter than its reference solution: one found is an error at its goal.
pub fn check(path: &Path, text: &str) -> Result<(Lesson<Paxos>, Checked<Paxos>), FileError> {
    check_as(path, text)
}

/// `check` for a lesson of protocol `P`.
pub fn check_as<P: Teach>(path: &Path, text: &str) -> Result<(Lesson<P>, Checked<P>), FileError> {
    let (lesson, script) = check_reference_as::<P>(path, text)?;
    let exercises = lint(&lesson, &script);
    if let Some(l) = exercises.iter().find(|l| l.shortcut.is_some()) {
        let actions: Vec<String> = l
            .shortcut
            .iter()
            .flatten()
            .map(crate::trace::action_ron)
            .collect();
        return Err(FileError::new(
            path,
            step_position(text, l.step, Some("goal")),
            format!(
                "step {}: the goal is met in {} steps, fewer than the reference solution's {}, without doing the task: [{}]",
                l.step + 1,
                actions.len(),
                l.reference_steps,
                actions.join(", ")
            ),
        ));
    }
    Ok((
        lesson,
        Checked {
            report: script.report,
            exercises,
        },
    ))
}

/// Parses and validates a lesson and plays its reference path (no shortcut search): what opening
/// a lesson needs.
pub fn check_reference(
    path: &Path,
    text: &str,
) -> Result<(Lesson<Paxos>, Script<Paxos>), FileError> {
    check_reference_as(path, text)
}

/// `check_reference` for a lesson of protocol `P`.
pub fn check_reference_as<P: Teach>(
    path: &Path,
    text: &str,
) -> Result<(Lesson<P>, Script<P>), FileError> {
    let lesson = parse_as::<P>(path, text)?;
    let script = script(&lesson)
        .map_err(|(i, why)| FileError::new(path, step_position(text, i, None), why))?;
    check_facts(&lesson, &script)
        .map_err(|(i, why)| FileError::new(path, step_position(text, i, None), why))?;
    Ok((lesson, script))
}

/// Every text a step shows, in both languages: narration, task, hints, question, choices and
/// explanation.
pub fn step_texts<P: Teach>(step: &Step<P>) -> Vec<&Text> {
    match step {
        Step::Say(t) => vec![t],
        Step::Exercise(e) => std::iter::once(&e.task).chain(&e.hints).collect(),
        Step::Quiz(q) => std::iter::once(&q.question)
            .chain(&q.choices)
            .chain(std::iter::once(&q.explanation))
            .collect(),
        Step::Do(_) | Step::Wait { .. } => Vec::new(),
    }
}

/// Every run fact a step's text names has a value in the reference run where the step is
/// shown (its start): on failure, the step and why.
fn check_facts<P: Teach>(lesson: &Lesson<P>, script: &Script<P>) -> Result<(), (usize, String)> {
    let mut world = P::world(&lesson.config);
    let mut played = 0usize;
    for (i, step) in lesson.steps.iter().enumerate() {
        let texts = step_texts(step);
        if !texts
            .iter()
            .any(|t| t.en.contains('{') || t.zh.contains('{'))
        {
            continue;
        }
        let start = script.spans.get(i).map_or(played, |s| s.0 as usize);
        while played < start.min(script.actions.len()) {
            // The reference run was played once already: every action applies.
            let _ = world.apply(&script.actions[played]);
            played += 1;
        }
        for t in texts {
            for (zh, words) in [(false, &t.en), (true, &t.zh)] {
                facts::check(words, &world, zh)
                    .map_err(|why| (i, format!("step {}: {why}", i + 1)))?;
            }
        }
    }
    Ok(())
}

/// What checking a lesson found: its reference run and each exercise's shortest solution.
#[derive(Clone, Debug)]
pub struct Checked<P: Teach> {
    pub report: VerifyReport,
    pub exercises: Vec<ExerciseLint<P>>,
}

/// Reads, parses and validates a lesson file.
pub fn load(path: &Path) -> Result<Lesson<Paxos>, FileError> {
    load_as::<crate::protocols::paxos::Paxos>(path)
}

/// `load` for a lesson of protocol `P`.
pub fn load_as<P: Teach>(path: &Path) -> Result<Lesson<P>, FileError> {
    parse_as::<P>(path, &read_text(path)?)
}

/// What a file holds, decided from its top-level fields (read even where the file does not
/// parse): a lesson has `steps`, a trace has `actions` (JSON files are always traces). `None`
/// when its fields do not tell.
pub fn is_lesson(path: &Path, text: &str) -> Option<bool> {
    use crate::trace::outline::{FileKind, kind_of};
    if crate::trace::is_json(path) {
        return Some(false);
    }
    kind_of(text).map(|k| k == FileKind::Lesson)
}
