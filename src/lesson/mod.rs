//! Lessons: a bilingual script over a cluster (say, do, wait, exercise, quiz), its loader and
//! validator (every problem reported as `file:line:col`), and a headless runner that verifies a
//! lesson: every wait is reached, every exercise's reference solution meets its goal, and doing
//! nothing does not.

mod model;
mod verify;

pub use model::{Condition, Control, Exercise, Lesson, Quiz, Step, Text};
pub use verify::{Script, VerifyReport, script, verify};

use std::path::Path;

use ron::value::RawValue;
use serde::Deserialize;

use crate::trace::{FileError, raw_position, read_text, ron_options};

pub const VERSION: u32 = 1;

#[derive(Deserialize)]
struct StepSpans<'a> {
    #[serde(borrow, default)]
    steps: Vec<&'a RawValue>,
}

/// Where the n-th step starts in the file text (1:1 if it cannot be found).
fn step_position(text: &str, i: usize) -> (usize, usize) {
    ron_options()
        .from_str::<StepSpans>(text)
        .ok()
        .and_then(|s| s.steps.get(i).copied())
        .map_or((1, 1), |r| raw_position(text, r))
}

/// Parses and validates lesson text; `path` only labels errors.
pub fn parse(path: &Path, text: &str) -> Result<Lesson, FileError> {
    if text.trim().is_empty() {
        return Err(FileError::new(
            path,
            (1, 1),
            "the file is empty: a lesson is `(version: 1, id: ..., steps: [...])`",
        ));
    }
    let lesson: Lesson = ron_options().from_str(text).map_err(|e| {
        FileError::new(
            path,
            (e.span.start.line, e.span.start.col),
            e.code.to_string(),
        )
    })?;
    if lesson.version != VERSION {
        return Err(FileError::new(
            path,
            (1, 1),
            format!(
                "lesson version {} is not supported (this build reads version {VERSION})",
                lesson.version
            ),
        ));
    }
    lesson
        .config
        .validate()
        .map_err(|m| FileError::new(path, (1, 1), format!("config: {m}")))?;
    if let Err((i, m)) = lesson.validate() {
        let at = i.map_or((1, 1), |i| step_position(text, i));
        return Err(FileError::new(path, at, m));
    }
    Ok(lesson)
}

/// Parses, validates and plays a lesson's reference path: a scripted action that names nothing,
/// an unreachable wait or a wrong solution is reported at its step's position.
pub fn check(path: &Path, text: &str) -> Result<(Lesson, VerifyReport), FileError> {
    let lesson = parse(path, text)?;
    let report =
        verify(&lesson).map_err(|(i, why)| FileError::new(path, step_position(text, i), why))?;
    Ok((lesson, report))
}

/// Reads, parses and validates a lesson file.
pub fn load(path: &Path) -> Result<Lesson, FileError> {
    parse(path, &read_text(path)?)
}

/// Whether a RON file holds a lesson rather than a trace (lessons have `steps`).
pub fn looks_like_lesson(text: &str) -> bool {
    text.contains("steps:") && !text.contains("actions:")
}
