//! The trace file: a run's protocol and config, its actions and the outcome it reached (the
//! protocol's own summary), in RON (or JSON); generic over the protocol (`protocols::Plugin`).
//! Loading reports every problem as `file:line:col: what is wrong`; replay re-executes the actions
//! and compares; `Timeline` seeks to any step through checkpoints.

pub mod outline;
pub mod spans;
mod timeline;

use std::path::{Path, PathBuf};

use ron::value::RawValue;
use serde::{Deserialize, Serialize};

use crate::fsutil::{atomic_write, line_col};
use crate::protocols::Plugin;
use crate::protocols::paxos::Paxos;
use crate::sim::Knobs;
use crate::sim::world::{ActionOf, World};

pub use timeline::{CHECKPOINT_INTERVAL, StepEvents, Timeline};

/// The format this build writes. Version 1 had no `protocol` field and was always Paxos; this
/// build still reads it.
pub const VERSION: u32 = 2;

/// A run of protocol `P` (single-decree Paxos unless said otherwise).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
pub struct Trace<P: Plugin> {
    pub version: u32,
    /// Which protocol ran (`paxos`, `multipaxos`); absent in version 1, which is Paxos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    pub config: P::Config,
    /// The auto-scheduler's knobs, if the run was scheduled (informative; replay ignores them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<Knobs>,
    pub actions: Vec<ActionOf<P>>,
    /// What the run reached; replay checks it when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<P::Outcome>,
}

// By hand: derived impls would ask the protocol type itself to be comparable and printable.
impl<P: Plugin> Clone for Trace<P> {
    fn clone(&self) -> Self {
        Trace {
            version: self.version,
            protocol: self.protocol.clone(),
            config: self.config.clone(),
            scheduler: self.scheduler,
            actions: self.actions.clone(),
            outcome: self.outcome.clone(),
        }
    }
}

impl<P: Plugin> PartialEq for Trace<P> {
    fn eq(&self, o: &Self) -> bool {
        self.version == o.version
            && self.protocol == o.protocol
            && self.config == o.config
            && self.scheduler == o.scheduler
            && self.actions == o.actions
            && self.outcome == o.outcome
    }
}

impl<P: Plugin> std::fmt::Debug for Trace<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("version", &self.version)
            .field("protocol", &self.protocol)
            .field("config", &self.config)
            .field("scheduler", &self.scheduler)
            .field("actions", &self.actions)
            .field("outcome", &self.outcome)
            .finish()
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
            message: shorten(&message.into()),
        }
    }
}

/// The most characters of the input an error quotes, and the longest an error message gets.
const QUOTE_CHARS: usize = 40;
const MESSAGE_CHARS: usize = 400;

/// A message with every quoted part (`"..."` or `` `...` ``) cut to a short prefix, and the
/// whole cut to a few lines: a 60 MB value must not become a 60 MB error.
pub fn shorten(message: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<(char, usize)> = None;
    for c in message.chars() {
        match quote {
            Some((q, _)) if c == q => {
                quote = None;
                out.push(c);
            }
            Some((q, n)) => {
                if n < QUOTE_CHARS {
                    out.push(c);
                } else if n == QUOTE_CHARS {
                    out.push('…');
                }
                quote = Some((q, n + 1));
            }
            None => {
                if c == '"' || c == '`' {
                    quote = Some((c, 0));
                }
                out.push(c);
            }
        }
    }
    if out.chars().count() > MESSAGE_CHARS {
        out = out.chars().take(MESSAGE_CHARS).collect::<String>() + "…";
    }
    out
}

/// Where each action of a trace or step of a lesson starts, read leniently so that a semantic
/// error found after parsing (an action that names nothing) can still be given a position.
#[derive(Deserialize)]
pub(crate) struct FieldSpans<'a> {
    #[serde(borrow, default)]
    actions: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    pub(crate) steps: Option<Vec<&'a RawValue>>,
}

impl<'a> FieldSpans<'a> {
    pub(crate) fn of(text: &'a str) -> Option<Self> {
        ron_options().from_str(text).ok()
    }
}

/// RON as paxos-lab reads and writes it: `q1: 3` rather than `q1: Some(3)`, since people edit
/// these files by hand.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// The byte offset where a RON value borrowed from `text` starts.
pub(crate) fn raw_offset(text: &str, raw: &RawValue) -> usize {
    let part = raw.trim().get_ron();
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// Where a RON value borrowed from `text` starts, as line and column.
pub(crate) fn raw_position(text: &str, raw: &RawValue) -> (usize, usize) {
    line_col(text, raw_offset(text, raw))
}

/// Where `name` is written as a field (`name:` in RON, `"name":` in JSON) within `text[from..to]`,
/// as a byte offset; `from` if it is not found there.
pub(crate) fn field_in(text: &str, from: usize, to: usize, name: &str, json: bool) -> usize {
    let key = if json {
        format!("\"{name}\"")
    } else {
        name.to_string()
    };
    let area = &text[from..to.min(text.len())];
    let mut start = 0;
    while let Some(i) = area[start..].find(&key) {
        let at = start + i;
        // A JSON key is quoted; a RON name must not be the tail of a longer one.
        let before_ok = json
            || area[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = area[at + key.len()..].trim_start();
        if before_ok && after.starts_with(':') {
            return from + at;
        }
        start = at + key.len();
    }
    from
}

/// The field a message is about: its first word, as in `q1: a quorum must be ...` or
/// ``id `X`: use ...``.
pub(crate) fn field_of(message: &str) -> &str {
    let end = message
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(message.len());
    &message[..end]
}

/// A field of a file, for error positions.
pub(crate) enum Field<'a> {
    /// A top-level field, or a field inside one (`config` then `q1`).
    Named(&'a str, Option<&'a str>),
    Action(usize),
}

/// The line and column where a field (or the n-th action) starts in RON text; 1:1 if it cannot
/// be found. Named fields are found by the file's outline, so even a file that does not parse
/// (or a field no reader knows) gets a position.
pub(crate) fn locate(text: &str, field: Field) -> (usize, usize) {
    let offset = match field {
        Field::Action(i) => FieldSpans::of(text).and_then(|spans| {
            spans
                .actions
                .as_ref()
                .and_then(|a| a.get(i))
                .map(|r| raw_offset(text, r))
        }),
        Field::Named(top, inner) => outline::top_field(text, top).map(|from| {
            inner.map_or(from, |name| {
                field_in(text, from, outline::value_end(text, from), name, false)
            })
        }),
    };
    offset.map_or((1, 1), |o| line_col(text, o))
}

/// A RON parse error in plain words, naming the field where it can.
pub(crate) fn ron_error(text: &str, e: &ron::error::SpannedError) -> String {
    let (line, col) = (e.span.start.line, e.span.start.col);
    match &e.code {
        ron::Error::IntegerOutOfBounds => match field_before(text, line, col) {
            Some(f) => format!("`{f}`: the number is out of range for this field"),
            None => "a number is out of range for its field".into(),
        },
        ron::Error::ExceededRecursionLimit => {
            "the file nests brackets more than 128 levels deep".into()
        }
        code => code.to_string(),
    }
}

/// The name of the field whose value is at a line and column: the last `name:` before it.
fn field_before(text: &str, line: usize, col: usize) -> Option<&str> {
    let line_start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let offset = text[line_start..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(text.len(), |(i, _)| line_start + i);
    let before = &text[..offset];
    before.match_indices(':').rev().take(16).find_map(|(i, _)| {
        let name = before[..i].trim_end();
        let start = name
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |k| k + 1);
        let word = &name[start..];
        word.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            .then_some(word)
    })
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
    let (key, inner) = match field {
        Field::Named(top, inner) => (format!("\"{top}\""), inner),
        Field::Action(_) => ("\"actions\"".to_string(), None),
    };
    let key = key.as_str();
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
        return line_col(
            text,
            inner.map_or(start, |name| field_in(text, start, text.len(), name, true)),
        );
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

/// Where a field starts in RON or JSON trace text.
fn locate_in(text: &str, field: Field, json: bool) -> (usize, usize) {
    if json {
        locate_json(text, field)
    } else {
        locate(text, field)
    }
}

/// Parses a Paxos trace (RON, or JSON when `json` is set). `path` only labels errors.
pub fn parse(path: &Path, text: &str, json: bool) -> Result<Trace<Paxos>, FileError> {
    parse_as::<Paxos>(path, text, json)
}

/// The protocol a trace or lesson file names, read from its outline before the whole file is
/// parsed (so the right types read it, and a syntax error further down is reported as that
/// protocol's); `paxos` for a version-1 file or one that names none.
pub fn protocol_of(text: &str) -> String {
    outline::top_string(text, "protocol")
        .unwrap_or(Paxos::NAME)
        .to_string()
}

crate::each_protocol!(__protocol_enum!());

impl Protocol {
    /// The protocol called `name` (as `--protocol` and trace files spell it).
    pub fn parse(name: &str) -> Result<Protocol, String> {
        Protocol::ALL
            .iter()
            .copied()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                let known: Vec<_> = Protocol::ALL.iter().map(|p| p.name()).collect();
                format!("unknown protocol `{name}` (known: {})", known.join(", "))
            })
    }

    /// An error at the `protocol` field of a file's text (a protocol known here that this use
    /// of the file does not take yet).
    pub fn unsupported(path: &Path, text: &str, why: &str) -> FileError {
        let json = is_json(path);
        FileError::new(
            path,
            locate_in(text, Field::Named("protocol", None), json),
            why,
        )
    }

    /// The protocol a trace file's text names, with its position if it names none we know.
    pub fn of_text(path: &Path, text: &str) -> Result<Protocol, FileError> {
        let json = is_json(path);
        Protocol::parse(&protocol_of(text)).map_err(|m| {
            FileError::new(
                path,
                locate_in(text, Field::Named("protocol", None), json),
                m,
            )
        })
    }
}

/// Parses a trace of protocol `P`.
pub fn parse_as<P: Plugin>(path: &Path, text: &str, json: bool) -> Result<Trace<P>, FileError> {
    if text.trim().is_empty() {
        return Err(FileError::new(
            path,
            (1, 1),
            if json {
                "the file is empty: a JSON trace is {\"version\": 1, \"config\": {...}, \"actions\": [...]}"
            } else {
                "the file is empty: a trace is `(version: 1, config: (...), actions: [...])`"
            },
        ));
    }
    // A file of another protocol fails to parse as this one; say so at its protocol field rather
    // than at whatever field differs first. (A file that parses is checked below, without
    // reading it twice.)
    let other_protocol = || {
        let named = protocol_of(text);
        (named != P::NAME).then(|| {
            FileError::new(
                path,
                locate_in(text, Field::Named("protocol", None), json),
                format!("protocol `{named}`: expected `{}`", P::NAME),
            )
        })
    };
    let trace: Trace<P> = if json {
        serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            // serde_json appends its own " at line L column C": the position is ours to give.
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            other_protocol().unwrap_or_else(|| {
                FileError::new(path, (e.line().max(1), e.column().max(1)), message)
            })
        })?
    } else {
        ron_options().from_str(text).map_err(|e| {
            other_protocol().unwrap_or_else(|| {
                FileError::new(
                    path,
                    (e.span.start.line, e.span.start.col),
                    ron_error(text, &e),
                )
            })
        })?
    };
    let at = |field: Field| locate_in(text, field, json);
    if !(1..=VERSION).contains(&trace.version) {
        return Err(FileError::new(
            path,
            at(Field::Named("version", None)),
            format!(
                "trace version {} is not supported (this build reads versions 1 to {VERSION})",
                trace.version
            ),
        ));
    }
    let named = trace.protocol.as_deref();
    let expected = if trace.version == 1 {
        // Version 1 predates the field: every such file is Paxos.
        (named.is_none() && P::NAME == Paxos::NAME)
            .then_some(())
            .ok_or("a version-1 trace is a Paxos run and has no `protocol` field".to_string())
    } else {
        match named {
            Some(n) if n == P::NAME => Ok(()),
            Some(n) => Err(format!("protocol `{n}`: expected `{}`", P::NAME)),
            None => Err(format!(
                "version {} traces name their protocol: add `protocol: \"{}\"`",
                trace.version,
                P::NAME
            )),
        }
    };
    expected.map_err(|m| FileError::new(path, at(Field::Named("protocol", None)), m))?;
    P::validate_config(&trace.config).map_err(|m| {
        FileError::new(
            path,
            at(Field::Named("config", Some(field_of(&m)))),
            format!("config: {m}"),
        )
    })?;
    if let Some(k) = &trace.scheduler {
        k.validate().map_err(|m| {
            FileError::new(
                path,
                at(Field::Named("scheduler", Some(field_of(&m)))),
                format!("scheduler: {m}"),
            )
        })?;
    }
    Ok(trace)
}

/// Reads and parses a trace file (`.json` files as JSON, anything else as RON).
pub fn load(path: &Path) -> Result<(Trace<Paxos>, String), FileError> {
    load_as::<Paxos>(path)
}

/// Reads and parses a trace file of protocol `P`.
pub fn load_as<P: Plugin>(path: &Path) -> Result<(Trace<P>, String), FileError> {
    let text = read_text(path)?;
    let trace = parse_as::<P>(path, &text, is_json(path))?;
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
pub struct Replayed<P: Plugin> {
    pub world: World<P>,
    pub outcome: P::Outcome,
}

/// Re-executes a trace's actions from its config. An action that cannot apply is reported at its
/// position in `text` (the file it came from).
pub fn replay<P: Plugin>(
    path: &Path,
    text: &str,
    trace: &Trace<P>,
) -> Result<Replayed<P>, FileError> {
    let mut world = P::world(&trace.config);
    for (i, action) in trace.actions.iter().enumerate() {
        world.apply(action).map_err(|e| {
            let pos = locate_in(text, Field::Action(i), is_json(path));
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
    let outcome = P::outcome(&world);
    Ok(Replayed { world, outcome })
}

/// Parses trace text and re-executes it: everything `replay` and `check` need.
pub fn parse_and_replay(
    path: &Path,
    text: &str,
) -> Result<(Trace<Paxos>, Replayed<Paxos>), FileError> {
    parse_and_replay_as::<Paxos>(path, text)
}

/// `parse_and_replay` for a trace of protocol `P`.
pub fn parse_and_replay_as<P: Plugin>(
    path: &Path,
    text: &str,
) -> Result<(Trace<P>, Replayed<P>), FileError> {
    let trace = parse_as::<P>(path, text, is_json(path))?;
    let replayed = replay(path, text, &trace)?;
    Ok((trace, replayed))
}

impl<P: Plugin> Trace<P> {
    /// A trace of a finished run, with its outcome.
    pub fn record(
        config: &P::Config,
        scheduler: Option<Knobs>,
        actions: Vec<ActionOf<P>>,
        world: &World<P>,
    ) -> Trace<P> {
        Trace {
            version: VERSION,
            protocol: Some(P::NAME.to_string()),
            config: config.clone(),
            scheduler,
            actions,
            outcome: Some(P::outcome(world)),
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

/// One action as it is written in a RON trace (`Deliver(3)`, `Propose("P1", "A")`).
pub fn action_ron<R: crate::sim::protocol::Request, M: serde::Serialize + std::fmt::Display>(
    action: &crate::sim::Action<R, M>,
) -> String {
    let one_line = ron::ser::PrettyConfig::new().depth_limit(0);
    ron_options()
        .to_string_pretty(action, one_line)
        .unwrap_or_else(|_| action.to_string())
}

/// The requests a new sandbox run opens with.
pub fn opening_requests<P: Plugin>(config: &P::Config) -> Vec<ActionOf<P>> {
    P::opening_requests(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "(version: 1, config: (proposers: 1, acceptors: 3, learners: 1), actions: [Propose(\"P1\", \"A\")])";

    #[test]
    fn a_version_1_file_loads_as_paxos_and_is_saved_as_version_2() {
        let path = Path::new("old.ron");
        let (t, r) = parse_and_replay(path, V1).unwrap();
        assert_eq!((t.version, t.protocol.as_deref()), (1, None));
        let again = Trace::record(&t.config, None, t.actions.clone(), &r.world);
        let text = again.to_ron();
        assert!(
            text.contains("version: 2,\n    protocol: \"paxos\","),
            "{text}"
        );
        assert_eq!(parse(path, &text, false).unwrap(), again);
    }

    #[test]
    fn the_protocol_field_must_match_the_version() {
        let path = Path::new("t.ron");
        let v1_named = V1.replace("version: 1,", "version: 1, protocol: \"paxos\",");
        let e = parse(path, &v1_named, false).unwrap_err();
        assert_eq!((e.line, e.col), (1, 24), "{e}");
        assert!(e.message.contains("no `protocol` field"), "{e}");
        let v2_unnamed = V1.replace("version: 1,", "version: 2,");
        let e = parse(path, &v2_unnamed, false).unwrap_err();
        assert!(e.message.contains("add `protocol: \"paxos\"`"), "{e}");
        let unknown = V1.replace("version: 1,", "version: 2, protocol: \"zab\",");
        let e = Protocol::of_text(path, &unknown).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.ron:1:24: unknown protocol `zab` (known: paxos, multipaxos, raft, pbft)"
        );
        let future = V1.replace("version: 1,", "version: 3, protocol: \"paxos\",");
        assert!(
            parse(path, &future, false)
                .unwrap_err()
                .message
                .contains("versions 1 to 2")
        );
    }
}
