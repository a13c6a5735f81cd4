//! A log ShiViz (https://bestchai.bitbucket.io/shiviz/) loads as is: the parser regex on line 1,
//! an empty line 2 (one execution, no delimiter), then one line per event with its host and
//! vector clock. Each host's own entry starts at 1 and rises by exactly 1 per event; a receive
//! first merges the clock the sender had when it sent, which is how ShiViz draws the arrow.
//! A duplicated copy carries the clock of the original send: the copy knows what the original did.

use std::collections::HashMap;

use super::{Run, StepRange, actor, loss_words};
use crate::protocols::Plugin;
use crate::sim::{Event, MsgId, NodeId};

/// Line 1 of every log: host, clock, then the event text. No `^`/`$`: ShiViz runs the regex
/// over the whole log at once (JavaScript, no multi-line flag), and `.` stops at each line's end.
pub const SHIVIZ_REGEX: &str = r"(?<host>\S+) (?<clock>\{.*?\}) (?<event>.*)";

/// A vector clock over the roster's slots.
type Clock = Vec<u64>;

struct Clocks<'a> {
    roster: &'a [NodeId],
    clocks: Vec<Clock>,
    /// The sender's clock at the send of each message (copies share their original's).
    sent: HashMap<MsgId, Clock>,
    out: String,
}

impl Clocks<'_> {
    fn slot(&self, n: NodeId) -> usize {
        self.roster.iter().position(|&r| r == n).unwrap_or(0)
    }

    /// Records one event at `host`, merging `received` first if it is a receive.
    fn event(&mut self, host: NodeId, received: Option<&Clock>, text: &str) -> Clock {
        let h = self.slot(host);
        let clock = &mut self.clocks[h];
        if let Some(other) = received {
            for (mine, theirs) in clock.iter_mut().zip(other) {
                *mine = (*mine).max(*theirs);
            }
        }
        clock[h] += 1;
        let clock = clock.clone();
        self.out.push_str(&host.to_string());
        self.out.push_str(" {");
        let mut first = true;
        for (i, &c) in clock.iter().enumerate() {
            if c == 0 {
                continue;
            }
            if !first {
                self.out.push_str(", ");
            }
            first = false;
            self.out.push_str(&format!("\"{}\":{c}", self.roster[i]));
        }
        self.out.push_str("} ");
        // One event per line: nothing a value holds may break the line.
        self.out
            .extend(text.chars().map(|c| if c.is_control() { ' ' } else { c }));
        self.out.push('\n');
        clock
    }
}

/// The ShiViz log of the steps in `range`. Clocks count from the start of the range; messages
/// sent before it arrive without an arrow (ShiViz has no event to draw it from).
pub fn to_shiviz<P: Plugin>(run: &Run<P>, range: StepRange) -> String {
    let mut c = Clocks {
        roster: &run.roster,
        clocks: vec![vec![0; run.roster.len()]; run.roster.len()],
        sent: HashMap::new(),
        out: format!("{SHIVIZ_REGEX}\n\n"),
    };
    let copies: HashMap<MsgId, MsgId> = run
        .spans
        .spans
        .iter()
        .filter_map(|s| s.copy_of.map(|original| (s.envelope.id, original)))
        .collect();
    for (step, events) in run.steps(range) {
        let acting = actor::<P>(events);
        for e in events {
            match e {
                Event::Requested { node, request } => {
                    let words = P::request_words(request);
                    c.event(*node, None, &format!("step {step}: request {words}"));
                }
                Event::Sent(env) => {
                    let text = format!(
                        "step {step}: send #{} {} to {}",
                        env.id.0,
                        P::message_words(env),
                        env.dst
                    );
                    let clock = c.event(env.src, None, &text);
                    c.sent.insert(env.id, clock);
                }
                Event::Duplicated { original, copy } => {
                    if let Some(clock) = c.sent.get(original).cloned() {
                        c.sent.insert(copy.id, clock);
                    }
                }
                Event::Delivered(env) => {
                    let copy = match copies.get(&env.id) {
                        Some(original) => format!(" (duplicate of #{})", original.0),
                        None => String::new(),
                    };
                    let text = format!(
                        "step {step}: receive #{} {} from {}{}",
                        env.id.0,
                        P::message_words(env),
                        env.src,
                        copy
                    );
                    let sent = c.sent.get(&env.id).cloned();
                    c.event(env.dst, sent.as_ref(), &text);
                }
                Event::Lost { envelope, cause } => {
                    // The receiver never saw it: an event on its line, with no arrow.
                    let text = format!(
                        "step {step}: lost #{} {} from {} ({})",
                        envelope.id.0,
                        P::message_words(envelope),
                        envelope.src,
                        loss_words(*cause)
                    );
                    c.event(envelope.dst, None, &text);
                }
                Event::Crashed(n) => {
                    c.event(*n, None, &format!("step {step}: crash"));
                }
                Event::Restarted(n) => {
                    c.event(*n, None, &format!("step {step}: restart"));
                }
                Event::TimedOut(n) => {
                    c.event(*n, None, &format!("step {step}: timeout"));
                }
                Event::Paused { node, ticks, .. } => {
                    c.event(
                        *node,
                        None,
                        &format!("step {step}: paused for {ticks} ticks"),
                    );
                }
                Event::LinkCut(a, b) => {
                    c.event(*a, None, &format!("step {step}: link to {b} cut"));
                }
                Event::LinkHealed(a, b) => {
                    c.event(*a, None, &format!("step {step}: link to {b} healed"));
                }
                Event::Note { node, note } => {
                    let at = node.or(acting);
                    if let (Some(n), Some(l)) = (at, P::lane_note(note, node.is_none())) {
                        c.event(n, None, &format!("step {step}: {}", l.words));
                    }
                }
                Event::Violation(v) => {
                    if let Some(n) = acting {
                        c.event(
                            n,
                            None,
                            &format!("step {step}: VIOLATION {}: {}", v.invariant, v.detail),
                        );
                    }
                }
            }
        }
    }
    c.out
}
