//! Turning a run into text to share: the trace as JSON, a space-time diagram in SVG, a Mermaid
//! sequence diagram, a ShiViz log. Pictures of the graph view (PNG, GIF) are drawn by the app's
//! own view code (`crate::ui::views::render`), which calls in here for the rest; nothing here uses `ui`.
//! Every writer is a pure function of the trace and the step range, so the same input gives the
//! same bytes; files are written atomically.

mod mermaid;
mod shiviz;
mod svg;

use std::path::Path;

use crate::protocols::Plugin;
use crate::sim::world::LossCause;
use crate::sim::{ActionError, Event, NodeId};
use crate::trace::spans::SpansCache;
use crate::trace::{StepEvents, Timeline, Trace};

pub use mermaid::to_mermaid;
pub use shiviz::{SHIVIZ_REGEX, to_shiviz};
pub use svg::to_svg;

/// What a run can be exported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Svg,
    Mermaid,
    Shiviz,
    Png,
    Gif,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Json,
        Format::Svg,
        Format::Mermaid,
        Format::Shiviz,
        Format::Png,
        Format::Gif,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Svg => "svg",
            Format::Mermaid => "mermaid",
            Format::Shiviz => "shiviz",
            Format::Png => "png",
            Format::Gif => "gif",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Mermaid => "mmd",
            Format::Shiviz => "log",
            other => other.name(),
        }
    }

    pub fn parse(name: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown export format `{name}`: expected one of {}",
                    names.join(", ")
                )
            })
    }

    /// Pictures are drawn by the app's views and need the UI code.
    pub fn is_picture(self) -> bool {
        matches!(self, Format::Png | Format::Gif)
    }
}

/// The steps an export covers, both ends included: step `from` is the state after `from`
/// actions (0 is the start), and the events shown are those of steps `from + 1 ..= to`, plus the
/// state at `from` for pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepRange {
    pub from: u64,
    pub to: u64,
}

impl StepRange {
    /// The whole run.
    pub fn all(len: u64) -> Self {
        StepRange { from: 0, to: len }
    }

    /// Checks `--from` / `--to` against a run of `len` steps; either may be left out.
    pub fn resolve(from: Option<u64>, to: Option<u64>, len: u64) -> Result<Self, String> {
        let from_ = from.unwrap_or(0);
        let to_ = to.unwrap_or(len);
        if to_ > len {
            return Err(format!(
                "--to {to_} is past the end of the run, which has {len} steps"
            ));
        }
        if from_ > to_ {
            return Err(format!(
                "--from {from_} comes after --to {to_}: the range would be empty"
            ));
        }
        Ok(StepRange {
            from: from_,
            to: to_,
        })
    }

    /// Whether events of `step` (1-based) are shown.
    pub fn shows(self, step: u64) -> bool {
        step > self.from && step <= self.to
    }

    /// Whether the range is the whole of a run of `len` steps.
    pub fn is_all(self, len: u64) -> bool {
        self.from == 0 && self.to == len
    }
}

/// A run re-executed with every step's events kept, and each message's life read from them: what
/// the diagram and log writers need.
pub struct Run<P: Plugin> {
    pub config: P::Config,
    pub roster: Vec<NodeId>,
    /// `log[i]` holds the events of step `i + 1`.
    pub log: Vec<StepEvents<P>>,
    pub spans: SpansCache<P>,
}

impl<P: Plugin> Run<P> {
    /// Re-executes `trace`; an action that cannot apply is returned with its index.
    pub fn of(trace: &Trace<P>) -> Result<Run<P>, (usize, ActionError)> {
        let mut timeline = Timeline::<P>::with_event_log(trace.config.clone());
        for (i, a) in trace.actions.iter().enumerate() {
            timeline.apply(a.clone()).map_err(|e| (i, e))?;
        }
        Ok(Run::from_timeline(&timeline))
    }

    /// The run recorded in a timeline that keeps its event log (the app's).
    pub fn from_timeline(timeline: &Timeline<P>) -> Run<P> {
        let log: Vec<StepEvents<P>> = timeline.log().unwrap_or(&[]).to_vec();
        let mut spans = SpansCache::default();
        spans.extend(&log);
        Run {
            config: timeline.config().clone(),
            roster: timeline.world().nodes().iter().map(|s| s.id).collect(),
            log,
            spans,
        }
    }

    pub fn len(&self) -> u64 {
        self.log.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// The events of the steps in `range`, each with its step number.
    pub fn steps(&self, range: StepRange) -> impl Iterator<Item = (u64, &[Event<P>])> {
        self.log
            .iter()
            .enumerate()
            .map(|(i, e)| (i as u64 + 1, &e[..]))
            .filter(move |(s, _)| range.shows(*s))
    }
}

/// The trace cut to the steps up to `range.to`, with the outcome it then reaches. A trace file is
/// a run from the start, so JSON export takes no `--from`.
pub fn to_json<P: Plugin>(trace: &Trace<P>, range: StepRange) -> Result<String, String> {
    if range.from != 0 {
        return Err(
            "json export holds a replayable run, which always starts at step 0: leave out --from"
                .into(),
        );
    }
    if range.to as usize >= trace.actions.len() {
        return Ok(trace.to_json());
    }
    let actions = trace.actions[..range.to as usize].to_vec();
    let timeline = Timeline::<P>::from_actions(trace.config.clone(), &actions)
        .map_err(|(i, e)| format!("action {} cannot apply: {e}", i + 1))?;
    Ok(Trace::record(&trace.config, trace.scheduler, actions, timeline.world()).to_json())
}

/// The bytes of a text export (everything but pictures).
pub fn text_export<P: Plugin>(
    trace: &Trace<P>,
    run: &Run<P>,
    format: Format,
    range: StepRange,
) -> Result<String, String> {
    match format {
        Format::Json => to_json(trace, range),
        Format::Svg => Ok(to_svg(run, range)),
        Format::Mermaid => Ok(to_mermaid(run, range)),
        Format::Shiviz => Ok(to_shiviz(run, range)),
        Format::Png | Format::Gif => Err(format!("{} is a picture, not text", format.name())),
    }
}

/// Writes `bytes` to `path` atomically (a temporary file beside it, then a rename).
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    crate::fsutil::atomic_write(path, bytes)
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

/// Why a message was lost, in a few words.
pub fn loss_words(cause: LossCause) -> &'static str {
    match cause {
        LossCause::Dropped => "dropped",
        LossCause::LinkCut => "link cut",
        LossCause::DestinationCrashed => "receiver down",
    }
}

/// The node that acted in a step: whoever received, lost, timed out or took a request. Monitor
/// observations (a value chosen, a violation) are pinned to it.
pub fn actor<P: Plugin>(events: &[Event<P>]) -> Option<NodeId> {
    events.iter().find_map(|e| match e {
        Event::Delivered(env) => Some(env.dst),
        Event::Requested { node, .. } => Some(*node),
        Event::TimedOut(n) | Event::Crashed(n) | Event::Restarted(n) => Some(*n),
        Event::Paused { node, .. } => Some(*node),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked_against_the_run() {
        assert_eq!(
            StepRange::resolve(None, None, 9),
            Ok(StepRange { from: 0, to: 9 })
        );
        assert_eq!(
            StepRange::resolve(Some(2), Some(5), 9),
            Ok(StepRange { from: 2, to: 5 })
        );
        assert!(
            StepRange::resolve(None, Some(10), 9)
                .unwrap_err()
                .contains("past the end")
        );
        assert!(
            StepRange::resolve(Some(6), Some(5), 9)
                .unwrap_err()
                .contains("empty")
        );
        let r = StepRange { from: 2, to: 5 };
        assert!(!r.shows(2) && r.shows(3) && r.shows(5) && !r.shows(6));
    }

    #[test]
    fn formats_parse_by_name() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.name()), Ok(f));
        }
        assert!(Format::parse("pdf").unwrap_err().contains("svg"));
    }
}
