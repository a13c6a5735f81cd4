//! Links: the part of a page address after `#` that says what is on screen, so that opening it
//! shows the same thing again, in the browser or with `paxos-lab gui --link`.
//!
//! - `#lesson=raft-elections&step=4&lang=zh`: a bundled lesson at a step (counted from 1);
//! - `#run=<trace>&at=57`: a run, its trace (config, seed, knobs and every action) compressed
//!   and written in URL-safe base64, at a step. The simulator is deterministic, so the trace is
//!   the run;
//! - `#compare=partition&round=120`: the side-by-side view on a bundled fault script, and
//!   `&options=pre-vote,check-quorum` when its election switches are on;
//! - `#lang=zh` or nothing: the lesson picker.
//!
//! `?embed` before the `#` asks for one view with minimal chrome (for an iframe). Anything else
//! (an unknown key, a lesson that does not exist, a step past the end, a truncated run) is an
//! error saying what is wrong, never a guess.

use std::fmt;
use std::path::Path;

use crate::lang::Lang;
use crate::lesson::Teach;
use crate::protocols::Plugin;
use crate::trace::Protocol;

/// What a link shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Picker,
    /// A bundled lesson of `protocol` (its index in `Teach::BUNDLED`) at `step` (from 1).
    Lesson {
        protocol: Protocol,
        index: usize,
        step: usize,
    },
    /// A run of `protocol`: its trace as RON text, shown at step `at`.
    Run {
        protocol: Protocol,
        trace: String,
        at: u64,
    },
    /// The side-by-side view on a bundled fault script (its index in
    /// `lesson::bundled::COMPARE`), at a round, with the election options switched on there
    /// (`options=pre-vote,check-quorum`) besides the script's own.
    Compare {
        index: usize,
        round: u64,
        pre_vote: bool,
        check_quorum: bool,
    },
}

/// A parsed link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub target: Target,
    /// `None` when the link does not say (the viewer's own language stays).
    pub lang: Option<Lang>,
    /// One view with minimal chrome (`?embed`).
    pub embed: bool,
}

impl Link {
    pub fn new(target: Target) -> Self {
        Link {
            target,
            lang: None,
            embed: false,
        }
    }

    /// The fragment, starting with `#` (with `?embed` before it when asked).
    pub fn fragment(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match &self.target {
            Target::Picker => {}
            Target::Lesson {
                protocol,
                index,
                step,
            } => {
                parts.push(format!("lesson={}", lesson_id(*protocol, *index)));
                parts.push(format!("step={step}"));
            }
            Target::Run { trace, at, .. } => {
                parts.push(format!("run={}", pack(trace)));
                parts.push(format!("at={at}"));
            }
            Target::Compare {
                index,
                round,
                pre_vote,
                check_quorum,
            } => {
                parts.push(format!("compare={}", compare_id(*index)));
                parts.push(format!("round={round}"));
                let on: Vec<&str> = [(*pre_vote, "pre-vote"), (*check_quorum, "check-quorum")]
                    .into_iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, name)| name)
                    .collect();
                if !on.is_empty() {
                    parts.push(format!("options={}", on.join(",")));
                }
            }
        }
        if let Some(lang) = self.lang {
            parts.push(format!("lang={}", lang.code()));
        }
        let embed = if self.embed { "?embed" } else { "" };
        format!("{embed}#{}", parts.join("&"))
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.fragment())
    }
}

/// The most bytes a run's trace may inflate to: the largest trace file `paxos-lab` reads.
const MAX_TRACE_BYTES: usize = crate::fsutil::MAX_INPUT_BYTES as usize;

/// A lesson's name in links: its own `id` (`raft-elections`), the name completed lessons are
/// remembered by.
pub fn lesson_id(protocol: Protocol, index: usize) -> String {
    catalog()
        .iter()
        .find(|e| e.protocol == protocol && e.index == index)
        .map_or_else(String::new, |e| e.id.clone())
}

/// A link to step `step` (from 0) of the bundled lesson called `id`, if there is one.
pub fn lesson_link(id: &str, step: usize) -> Option<Link> {
    let e = catalog().iter().find(|e| e.id == id)?;
    Some(Link::new(Target::Lesson {
        protocol: e.protocol,
        index: e.index,
        step: step.min(e.steps.saturating_sub(1)) + 1,
    }))
}

/// One bundled lesson, as links find it.
struct Entry {
    protocol: Protocol,
    index: usize,
    id: String,
    steps: usize,
}

/// Every bundled lesson's id and length, read once.
fn catalog() -> &'static [Entry] {
    static CATALOG: std::sync::OnceLock<Vec<Entry>> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut all = Vec::new();
        for &protocol in Protocol::ALL {
            crate::with_protocol!(protocol, P => {
                for (index, (name, text)) in <P as Teach>::BUNDLED.iter().enumerate() {
                    if let Ok(l) = crate::lesson::parse_as::<P>(Path::new(name), text) {
                        all.push(Entry { protocol, index, id: l.id, steps: l.steps.len() });
                    }
                }
            })
        }
        all
    })
}

/// A fault script's name in links: its file's name (`compare/partition.ron` is `partition`).
pub fn compare_id(index: usize) -> String {
    let file = crate::lesson::bundled::COMPARE
        .get(index)
        .map_or("", |(name, _)| name);
    stem_without_number(file).to_string()
}

fn stem_without_number(file: &str) -> &str {
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    match stem[digits..].strip_prefix('-') {
        Some(rest) if digits > 0 => rest,
        _ => stem,
    }
}

/// Every bundled lesson, as (protocol, index).
pub fn every_lesson() -> Vec<(Protocol, usize)> {
    catalog().iter().map(|e| (e.protocol, e.index)).collect()
}

/// A link for a run of `P`: its trace, at step `at`.
pub fn run_link<P: Plugin>(session: &crate::session::Session<P>) -> Link {
    Link::new(Target::Run {
        protocol: protocol_of::<P>(),
        trace: session.to_trace().to_ron(),
        at: session.position(),
    })
}

/// The registry's tag for `P`.
pub fn protocol_of<P: Plugin>() -> Protocol {
    Protocol::parse(P::NAME).expect("every protocol is in the registry")
}

/// The run a `#run` link names, at its step: its trace replayed and the session moved to `at`.
pub fn open_run<P: Plugin>(trace: &str, at: u64) -> Result<crate::session::Session<P>, String> {
    let path = Path::new("link#run");
    let (t, _) = crate::trace::parse_and_replay_as::<P>(path, trace).map_err(|e| e.to_string())?;
    let mut session = crate::session::Session::from_trace(&t)?;
    if at > session.len() {
        return Err(format!("at={at}: the run has steps 0 to {}", session.len()));
    }
    session.apply(crate::session::Command::Seek(at));
    Ok(session)
}

/// What is on screen, as the page's `#state` element and `paxos-lab link` say it:
/// `{"view": "lesson", "protocol": "raft", "lesson": "raft-elections", "step": 4, "lang": "zh"}`,
/// and for a run its step, length and state hash (`state_hash`, given by the caller, who has the
/// run at hand).
pub fn state_json(link: &Link, lang: Lang, run: Option<(u64, u64)>) -> serde_json::Value {
    use serde_json::json;
    let mut j = match &link.target {
        Target::Picker => json!({"view": "picker"}),
        Target::Lesson {
            protocol,
            index,
            step,
        } => json!({
            "view": "lesson",
            "protocol": protocol.name(),
            "lesson": lesson_id(*protocol, *index),
            "step": step,
        }),
        Target::Run { protocol, at, .. } => json!({
            "view": "run",
            "protocol": protocol.name(),
            "step": at,
        }),
        Target::Compare {
            index,
            round,
            pre_vote,
            check_quorum,
        } => json!({
            "view": "compare",
            "compare": compare_id(*index),
            "round": round,
            "pre_vote": pre_vote,
            "check_quorum": check_quorum,
        }),
    };
    j["lang"] = json!(lang.code());
    j["embed"] = json!(link.embed);
    if let Some((len, hash)) = run {
        j["steps"] = json!(len);
        j["state_hash"] = json!(format!("{hash:016x}"));
    }
    j
}

/// Reads a link: a whole address (`https://host/page?embed#lesson=...`), or only what follows
/// the `#` (with or without it). An error says what is wrong, in a sentence.
pub fn parse(text: &str) -> Result<Link, String> {
    let text = text.trim();
    let (before, fragment) = match text.split_once('#') {
        Some((before, fragment)) => (before, fragment),
        // No `#`: the whole text is the fragment, unless it is an address without one.
        None if text.contains("://") || text.starts_with('?') => (text, ""),
        None => ("", text),
    };
    let embed = before.split_once('?').is_some_and(|(_, query)| {
        query
            .split('&')
            .any(|kv| kv == "embed" || kv.starts_with("embed="))
    });
    let mut fields = Fields::default();
    for part in fragment.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("`{}`: expected key=value", short(part)))?;
        fields.set(key, value)?;
    }
    let lang = match fields.lang {
        None => None,
        Some(code) => Some(
            Lang::from_code(code)
                .ok_or_else(|| format!("lang={}: expected en or zh", short(code)))?,
        ),
    };
    let target = fields.target()?;
    Ok(Link {
        target,
        lang,
        embed,
    })
}

/// The fields of a fragment, each at most once.
#[derive(Default)]
struct Fields<'a> {
    lesson: Option<&'a str>,
    step: Option<&'a str>,
    run: Option<&'a str>,
    at: Option<&'a str>,
    compare: Option<&'a str>,
    round: Option<&'a str>,
    options: Option<&'a str>,
    lang: Option<&'a str>,
}

impl<'a> Fields<'a> {
    fn set(&mut self, key: &str, value: &'a str) -> Result<(), String> {
        let slot = match key {
            "lesson" => &mut self.lesson,
            "step" => &mut self.step,
            "run" => &mut self.run,
            "at" => &mut self.at,
            "compare" => &mut self.compare,
            "round" => &mut self.round,
            "options" => &mut self.options,
            "lang" => &mut self.lang,
            other => {
                return Err(format!(
                    "`{}`: not a link key (lesson, step, run, at, compare, round, options, lang)",
                    short(other)
                ));
            }
        };
        if slot.replace(value).is_some() {
            return Err(format!("`{key}` is given twice"));
        }
        Ok(())
    }

    fn target(&self) -> Result<Target, String> {
        let named = [self.lesson, self.run, self.compare]
            .iter()
            .filter(|f| f.is_some())
            .count();
        if named > 1 {
            return Err("a link shows one thing: lesson, run or compare, not two".into());
        }
        let stray = |key: &str, value: Option<&str>, wants: &str| match value {
            Some(_) => Err(format!("`{key}` belongs with `{wants}`")),
            None => Ok(()),
        };
        if let Some(id) = self.lesson {
            stray("at", self.at, "run")?;
            stray("round", self.round, "compare")?;
            stray("options", self.options, "compare")?;
            return lesson_target(id, self.step);
        }
        stray("step", self.step, "lesson")?;
        if let Some(packed) = self.run {
            stray("round", self.round, "compare")?;
            stray("options", self.options, "compare")?;
            return run_target(packed, self.at);
        }
        stray("at", self.at, "run")?;
        if let Some(id) = self.compare {
            return compare_target(id, self.round, self.options);
        }
        stray("round", self.round, "compare")?;
        stray("options", self.options, "compare")?;
        Ok(Target::Picker)
    }
}

fn number(key: &str, value: Option<&str>, default: u64) -> Result<u64, String> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| format!("{key}={}: expected a whole number", short(v))),
    }
}

fn lesson_target(id: &str, step: Option<&str>) -> Result<Target, String> {
    let e = catalog()
        .iter()
        .find(|e| e.id == id)
        .ok_or_else(|| format!("lesson={}: no lesson has that name", short(id)))?;
    let step = number("step", step, 1)?;
    if step == 0 || step > e.steps as u64 {
        return Err(format!(
            "step={step}: lesson {id} has steps 1 to {}",
            e.steps
        ));
    }
    Ok(Target::Lesson {
        protocol: e.protocol,
        index: e.index,
        step: step as usize,
    })
}

fn compare_target(id: &str, round: Option<&str>, options: Option<&str>) -> Result<Target, String> {
    let index = (0..crate::lesson::bundled::COMPARE.len())
        .find(|&i| compare_id(i) == id)
        .ok_or_else(|| format!("compare={}: no fault script has that name", short(id)))?;
    let (name, text) = crate::lesson::bundled::COMPARE[index];
    let script = crate::compare::Script::parse(Path::new(name), text).map_err(|e| e.to_string())?;
    let round = number("round", round, 0)?;
    if round > script.rounds {
        return Err(format!(
            "round={round}: script {id} has rounds 0 to {}",
            script.rounds
        ));
    }
    let (mut pre_vote, mut check_quorum) = (false, false);
    for name in options.into_iter().flat_map(|o| o.split(',')) {
        let flag = match name {
            "pre-vote" => &mut pre_vote,
            "check-quorum" => &mut check_quorum,
            other => {
                return Err(format!(
                    "options={}: expected pre-vote, check-quorum or both, comma-separated",
                    short(other)
                ));
            }
        };
        if std::mem::replace(flag, true) {
            return Err(format!("options: {name} is given twice"));
        }
    }
    Ok(Target::Compare {
        index,
        round,
        pre_vote,
        check_quorum,
    })
}

fn run_target(packed: &str, at: Option<&str>) -> Result<Target, String> {
    let trace = unpack(packed)?;
    let path = Path::new("link#run");
    let protocol = Protocol::of_text(path, &trace).map_err(|e| e.to_string())?;
    let len = crate::with_protocol!(protocol, P => {
        crate::trace::parse_and_replay_as::<P>(path, &trace)
            .map(|(t, _)| t.actions.len() as u64)
            .map_err(|e| e.to_string())
    })?;
    let at = number("at", at, len)?;
    if at > len {
        return Err(format!("at={at}: the run has steps 0 to {len}"));
    }
    Ok(Target::Run {
        protocol,
        trace,
        at,
    })
}

/// A value as an error quotes it: at most 40 characters.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Compresses text (deflate, the best level: a link is made once and opened many times) and
/// writes it in URL-safe base64 without padding.
pub fn pack(text: &str) -> String {
    base64url(&miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9))
}

/// What `pack` wrote, or why it cannot be read back (cut short, changed, too large to be a
/// trace).
pub fn unpack(packed: &str) -> Result<String, String> {
    let bytes = from_base64url(packed)?;
    let text = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_TRACE_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => format!(
                "run=…: the run is larger than {} MB, the most a trace may be",
                MAX_TRACE_BYTES >> 20
            ),
            _ => "run=…: the run's data is cut short or damaged (was the link copied whole?)"
                .to_string(),
        })?;
    String::from_utf8(text).map_err(|_| "run=…: the run's data is not text".to_string())
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn from_base64url(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for (i, c) in text.bytes().enumerate() {
        // Padding, if a tool added it, ends the data.
        if c == b'=' {
            break;
        }
        let v = ALPHABET.iter().position(|&a| a == c).ok_or_else(|| {
            format!(
                "run=…: character {} (`{}`) is not URL-safe base64",
                i + 1,
                c as char
            )
        })?;
        acc = acc << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..70u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
            assert_eq!(from_base64url(&base64url(&bytes)).unwrap(), bytes, "{n}");
        }
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn lesson_ids_are_unique_and_read_as_the_issue_writes_them() {
        let ids: Vec<String> = every_lesson()
            .into_iter()
            .map(|(p, i)| lesson_id(p, i))
            .collect();
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert!(ids.contains(&"raft-elections".to_string()), "{ids:?}");
        assert!(ids.contains(&"happy-path".to_string()), "{ids:?}");
        assert_eq!(compare_id(1), "partition");
    }

    #[test]
    fn a_whole_address_or_a_bare_fragment_reads_the_same() {
        let want = Link {
            target: Target::Lesson {
                protocol: Protocol::Raft,
                index: 0,
                step: 4,
            },
            lang: Some(Lang::Zh),
            embed: false,
        };
        for text in [
            "#lesson=raft-elections&step=4&lang=zh",
            "lesson=raft-elections&step=4&lang=zh",
            "https://example.org/paxos-lab/#lesson=raft-elections&step=4&lang=zh",
        ] {
            assert_eq!(parse(text).as_ref(), Ok(&want), "{text}");
        }
        let embedded = parse("https://example.org/?embed#lesson=raft-elections&step=4&lang=zh");
        assert!(embedded.unwrap().embed);
        assert_eq!(parse("").unwrap().target, Target::Picker);
        for text in [
            "#compare=partition&round=40&options=pre-vote,check-quorum",
            "#compare=partition&round=40&options=check-quorum",
            "#compare=partition&round=40",
        ] {
            assert_eq!(parse(text).unwrap().fragment(), text);
        }
        assert_eq!(parse("#lang=zh").unwrap().lang, Some(Lang::Zh));
    }

    #[test]
    fn a_bad_link_says_what_is_wrong() {
        for (text, says) in [
            ("#lesson=no-such-lesson", "no lesson has that name"),
            ("#lesson=raft-elections&step=0", "has steps 1 to"),
            ("#lesson=raft-elections&step=999", "has steps 1 to"),
            (
                "#lesson=raft-elections&step=four",
                "expected a whole number",
            ),
            ("#lesson=raft-elections&lang=fr", "expected en or zh"),
            ("#lesson=raft-elections&at=3", "`at` belongs with `run`"),
            ("#lesson=raft-elections&compare=partition", "one thing"),
            ("#colour=red", "not a link key"),
            ("#step", "expected key=value"),
            ("#lang=en&lang=zh", "given twice"),
            ("#compare=partition&round=99999", "has rounds 0 to"),
            ("#compare=nowhere", "no fault script"),
            (
                "#compare=partition&options=lease",
                "expected pre-vote, check-quorum",
            ),
            (
                "#compare=partition&options=pre-vote,pre-vote",
                "pre-vote is given twice",
            ),
            (
                "#lesson=raft-elections&options=pre-vote",
                "`options` belongs with `compare`",
            ),
            ("#run=%%%", "not URL-safe base64"),
            ("#run=AAAA", "cut short or damaged"),
        ] {
            let e = parse(text).expect_err(text);
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
