//! The trace file: a run's config, its actions and the outcome it reached, in RON (or JSON).
//! Loading reports every problem as `file:line:col: what is wrong`; replay re-executes the actions
//! and compares; `Timeline` seeks to any step through checkpoints.

pub mod spans;
mod timeline;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ron::value::RawValue;
use serde::{Deserialize, Serialize};

use crate::fsutil::{atomic_write, line_col};
use crate::sim::network::MessageStats;
use crate::sim::paxos::Node;
use crate::sim::{Action, Ballot, Config, Knobs, NodeId, PaxosWorld, Role, Value};

pub use timeline::{CHECKPOINT_INTERVAL, StepEvents, Timeline};

pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    pub version: u32,
    pub config: Config,
    /// The auto-scheduler's knobs, if the run was scheduled (informative; replay ignores them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<Knobs>,
    pub actions: Vec<Action>,
    /// What the run reached; replay checks it when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub steps: u64,
    pub messages: MessageStats,
    /// The first value chosen (a quorum of acceptors voted for it in one ballot).
    pub chosen: Option<ChosenOutcome>,
    /// What each learner knows at the end, and since when.
    pub learned: BTreeMap<NodeId, LearnedOutcome>,
    /// The first safety violation, if any.
    pub violation: Option<ViolationOutcome>,
    /// The first violation of each other invariant broken later in the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_violations: Vec<ViolationOutcome>,
    /// FNV-1a digest of the final state, in hex.
    pub state_hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChosenOutcome {
    pub value: Value,
    pub ballot: Ballot,
    pub step: u64,
    pub acceptors: Vec<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedOutcome {
    pub value: Value,
    pub ballot: Ballot,
    pub step: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViolationOutcome {
    pub invariant: String,
    pub step: u64,
    pub detail: String,
}

impl ViolationOutcome {
    fn of(v: &crate::sim::Violation) -> Self {
        ViolationOutcome {
            invariant: v.invariant.to_string(),
            step: v.step,
            detail: v.detail.clone(),
        }
    }
}

impl Outcome {
    pub fn of(world: &PaxosWorld) -> Outcome {
        let chosen = world.monitor().chosen.first().map(|c| ChosenOutcome {
            value: c.value,
            ballot: c.ballot,
            step: c.step,
            acceptors: (1..=64u8)
                .filter(|i| c.acceptors & (1u64 << (i - 1)) != 0)
                .map(NodeId::acceptor)
                .collect(),
        });
        let learned = world
            .nodes()
            .iter()
            .filter_map(|s| match &s.state {
                Node::Learner(l) => l.learned.map(|l| {
                    (
                        s.id,
                        LearnedOutcome {
                            value: l.value,
                            ballot: l.ballot,
                            step: l.step,
                        },
                    )
                }),
                _ => None,
            })
            .collect();
        Outcome {
            steps: world.step(),
            messages: world.network().stats,
            chosen,
            learned,
            violation: world.first_violation().map(ViolationOutcome::of),
            other_violations: world
                .violations()
                .iter()
                .skip(1)
                .map(ViolationOutcome::of)
                .collect(),
            state_hash: format!("{:016x}", world.state_hash()),
        }
    }

    /// A short readable summary for people.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "steps: {}\nmessages: {} sent, {} delivered, {} dropped, {} duplicated\n",
            self.steps,
            self.messages.sent,
            self.messages.delivered,
            self.messages.dropped,
            self.messages.duplicated
        );
        match &self.chosen {
            Some(c) => {
                let by: Vec<String> = c.acceptors.iter().map(|a| a.to_string()).collect();
                s += &format!(
                    "chosen: \"{}\" at step {} (ballot {}, acceptors {})\n",
                    c.value,
                    c.step,
                    c.ballot,
                    by.join(" ")
                );
            }
            None => s += "chosen: nothing yet\n",
        }
        if self.learned.is_empty() {
            s += "learned: no learner knows a value\n";
        }
        for (l, v) in &self.learned {
            s += &format!(
                "learned: {l} knows \"{}\" since step {} (ballot {})\n",
                v.value, v.step, v.ballot
            );
        }
        match &self.violation {
            Some(v) => {
                s += &format!(
                    "safety: VIOLATED at step {}: {}: {}\n",
                    v.step, v.invariant, v.detail
                )
            }
            None => s += "safety: ok (every invariant held after every step)\n",
        }
        for v in &self.other_violations {
            s += &format!("  then at step {}: {}: {}\n", v.step, v.invariant, v.detail);
        }
        s
    }

    /// The differences between a recorded outcome and a replayed one, for people.
    pub fn differences(&self, replayed: &Outcome) -> Vec<String> {
        let mut d = Vec::new();
        let mut cmp = |what: &str, a: String, b: String| {
            if a != b {
                d.push(format!("{what}: recorded {a}, replayed {b}"));
            }
        };
        cmp("steps", self.steps.to_string(), replayed.steps.to_string());
        cmp(
            "messages",
            format!("{:?}", self.messages),
            format!("{:?}", replayed.messages),
        );
        cmp(
            "chosen",
            format!("{:?}", self.chosen),
            format!("{:?}", replayed.chosen),
        );
        cmp(
            "learned",
            format!("{:?}", self.learned),
            format!("{:?}", replayed.learned),
        );
        cmp(
            "violation",
            format!("{:?}", self.violation),
            format!("{:?}", replayed.violation),
        );
        cmp(
            "other_violations",
            format!("{:?}", self.other_violations),
            format!("{:?}", replayed.other_violations),
        );
        cmp(
            "state_hash",
            self.state_hash.clone(),
            replayed.state_hash.clone(),
        );
        d
    }
}

/// A problem with a file, located where possible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{col}: {message}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl FileError {
    pub fn new(path: &Path, (line, col): (usize, usize), message: impl Into<String>) -> Self {
        FileError {
            path: path.to_path_buf(),
            line,
            col,
            message: message.into(),
        }
    }
}

/// Where each top-level field of a trace starts, read leniently so that a semantic error found
/// after parsing (a bad config, an action that names nothing) can still be given a position.
#[derive(Deserialize)]
struct FieldSpans<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    version: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    config: Option<&'a RawValue>,
    #[serde(borrow, default)]
    actions: Vec<&'a RawValue>,
}

/// A field that is there (RON would otherwise want `Some(...)` around an `Option`'s value).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// RON as paxos-lab reads and writes it: `q1: 3` rather than `q1: Some(3)`, since people edit
/// these files by hand.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Where a RON value borrowed from `text` starts, as line and column.
pub(crate) fn raw_position(text: &str, raw: &RawValue) -> (usize, usize) {
    let part = raw.trim().get_ron();
    line_col(
        text,
        (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize),
    )
}

enum Field {
    Version,
    Config,
    Action(usize),
}

/// The line and column where a field (or the n-th action) starts; 1:1 if it cannot be found.
fn locate(text: &str, field: Field) -> (usize, usize) {
    let Ok(spans) = ron_options().from_str::<FieldSpans>(text) else {
        return (1, 1);
    };
    let raw = match field {
        Field::Version => spans.version,
        Field::Config => spans.config,
        Field::Action(i) => spans.actions.get(i).copied(),
    };
    raw.map_or((1, 1), |r| raw_position(text, r))
}

/// Whether a byte-by-byte scan of JSON text is inside a string literal.
#[derive(Default)]
struct JsonStrings {
    inside: bool,
    escaped: bool,
}

impl JsonStrings {
    /// Feeds one byte; true if it belongs to a string literal (its quotes included).
    fn feed(&mut self, c: u8) -> bool {
        if self.inside {
            match (self.escaped, c) {
                (true, _) => self.escaped = false,
                (false, b'\\') => self.escaped = true,
                (false, b'"') => self.inside = false,
                _ => {}
            }
            true
        } else {
            self.inside = c == b'"';
            self.inside
        }
    }
}

/// The line and column where a field (or the n-th action) of a JSON trace starts; 1:1 if it
/// cannot be found. A scan rather than a parse: the text already parsed, so only the nesting of
/// brackets and strings matters.
fn locate_json(text: &str, field: Field) -> (usize, usize) {
    let key = match field {
        Field::Version => "\"version\"",
        Field::Config => "\"config\"",
        Field::Action(_) => "\"actions\"",
    };
    let bytes = text.as_bytes();
    // Top-level keys sit at depth 1 outside strings.
    let (mut strings, mut depth, mut value_start) = (JsonStrings::default(), 0usize, None);
    for (i, &c) in bytes.iter().enumerate() {
        if !strings.inside && depth == 1 && text[i..].starts_with(key) {
            let colon = text[i + key.len()..]
                .find(':')
                .map(|k| i + key.len() + k + 1);
            value_start = colon.map(|k| k + (text[k..].len() - text[k..].trim_start().len()));
            break;
        }
        if strings.feed(c) {
            continue;
        }
        match c {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let Some(start) = value_start else {
        return (1, 1);
    };
    let Field::Action(n) = field else {
        return line_col(text, start);
    };
    // Walk the array's elements at its own depth, counting commas.
    let (mut strings, mut depth, mut index, mut expect_element) =
        (JsonStrings::default(), 0usize, 0, true);
    for (k, &c) in bytes.iter().enumerate().skip(start + 1) {
        if !strings.inside && expect_element && depth == 0 && !c.is_ascii_whitespace() {
            if c == b']' {
                break;
            }
            if index == n {
                return line_col(text, k);
            }
            expect_element = false;
        }
        if strings.feed(c) {
            continue;
        }
        match c {
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => break,
            b'}' | b']' => depth -= 1,
            b',' if depth == 0 => {
                index += 1;
                expect_element = true;
            }
            _ => {}
        }
    }
    (1, 1)
}

/// Parses trace text (RON, or JSON when `json` is set). `path` only labels errors.
pub fn parse(path: &Path, text: &str, json: bool) -> Result<Trace, FileError> {
    if text.trim().is_empty() {
        return Err(FileError::new(
            path,
            (1, 1),
            "the file is empty: a trace is `(version: 1, config: (...), actions: [...])`",
        ));
    }
    let trace: Trace = if json {
        serde_json::from_str(text).map_err(|e| {
            FileError::new(path, (e.line().max(1), e.column().max(1)), e.to_string())
        })?
    } else {
        ron_options().from_str(text).map_err(|e| {
            FileError::new(
                path,
                (e.span.start.line, e.span.start.col),
                e.code.to_string(),
            )
        })?
    };
    let at = |field| {
        if json {
            locate_json(text, field)
        } else {
            locate(text, field)
        }
    };
    if trace.version != VERSION {
        return Err(FileError::new(
            path,
            at(Field::Version),
            format!(
                "trace version {} is not supported (this build reads version {VERSION})",
                trace.version
            ),
        ));
    }
    trace
        .config
        .validate()
        .map_err(|m| FileError::new(path, at(Field::Config), format!("config: {m}")))?;
    if let Some(k) = &trace.scheduler {
        k.validate()
            .map_err(|m| FileError::new(path, (1, 1), format!("scheduler: {m}")))?;
    }
    Ok(trace)
}

/// Reads and parses a trace file (`.json` files as JSON, anything else as RON).
pub fn load(path: &Path) -> Result<(Trace, String), FileError> {
    let text = read_text(path)?;
    let trace = parse(path, &text, is_json(path))?;
    Ok((trace, text))
}

/// Whether a file is read and written as JSON (by its name) rather than RON.
pub fn is_json(path: &Path) -> bool {
    has_extension(path, "json")
}

/// Whether a file name ends in `.ext`, in any case (`X.JSON` is JSON).
pub fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Reads a file as UTF-8 text: regular files only, up to `fsutil::MAX_INPUT_BYTES`; a missing
/// file or bytes that are not UTF-8 get a position. A leading byte-order mark is skipped (editors
/// on Windows write one).
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let bytes = crate::fsutil::read_limited(path)
        .map_err(|e| FileError::new(path, (1, 1), e.to_string()))?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        FileError::new(path, line_col(&text, at), "the file is not UTF-8 text")
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// The result of re-executing a trace.
pub struct Replayed {
    pub world: PaxosWorld,
    pub outcome: Outcome,
}

/// Re-executes a trace's actions from its config. An action that cannot apply is reported at its
/// position in `text` (the file it came from).
pub fn replay(path: &Path, text: &str, trace: &Trace) -> Result<Replayed, FileError> {
    let mut world = trace.config.world();
    for (i, action) in trace.actions.iter().enumerate() {
        world.apply(action).map_err(|e| {
            let pos = if is_json(path) {
                locate_json(text, Field::Action(i))
            } else {
                locate(text, Field::Action(i))
            };
            FileError::new(
                path,
                pos,
                format!(
                    "action {} `{action}` cannot apply at step {}: {e}",
                    i + 1,
                    i + 1
                ),
            )
        })?;
    }
    let outcome = Outcome::of(&world);
    Ok(Replayed { world, outcome })
}

/// Parses trace text and re-executes it: everything `replay` and `check` need.
pub fn parse_and_replay(path: &Path, text: &str) -> Result<(Trace, Replayed), FileError> {
    let trace = parse(path, text, is_json(path))?;
    let replayed = replay(path, text, &trace)?;
    Ok((trace, replayed))
}

impl Trace {
    /// A trace of a finished run, with its outcome.
    pub fn record(
        config: &Config,
        scheduler: Option<Knobs>,
        actions: Vec<Action>,
        world: &PaxosWorld,
    ) -> Trace {
        Trace {
            version: VERSION,
            config: config.clone(),
            scheduler,
            actions,
            outcome: Some(Outcome::of(world)),
        }
    }

    /// The RON text of this trace: fields indented, one action per line.
    pub fn to_ron(&self) -> String {
        let pretty = ron::ser::PrettyConfig::new()
            .depth_limit(2)
            .separate_tuple_members(false)
            .struct_names(false);
        let mut s = ron_options()
            .to_string_pretty(self, pretty)
            .expect("traces always serialise");
        s.push('\n');
        s
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("traces always serialise");
        s.push('\n');
        s
    }

    /// Saves atomically, as JSON if the path ends in `.json`, else RON.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = if is_json(path) {
            self.to_json()
        } else {
            self.to_ron()
        };
        atomic_write(path, text.as_bytes())
    }
}

/// The default client requests: every live proposer asks for its own letter (`A`, `B`, ...).
pub fn opening_requests(config: &Config) -> Vec<Action> {
    (1..=config.proposers)
        .map(|i| Action::Propose(NodeId::new(Role::Proposer, i), Value::letter_for(i)))
        .collect()
}
