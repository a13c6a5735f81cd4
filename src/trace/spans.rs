//! Each message's life (sent at one step, delivered or lost at another) and the marks on the
//! nodes' lanes, read from a timeline's event log. The space-time diagram draws them; the SVG,
//! Mermaid and ShiViz exports write them.

use std::collections::HashMap;

use crate::protocols::Plugin;
use crate::protocols::paxos::Msg;
use crate::sim::network::Envelope;
use crate::sim::world::LossCause;
use crate::sim::{Event, MsgId, NodeId};

use super::StepEvents;

/// One message's life for the space-time diagram: sent at one step, delivered or lost at another.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MessageSpan<M = Msg> {
    pub envelope: Envelope<M>,
    pub sent_step: u64,
    /// The step that delivered or lost it, if it has ended.
    pub end_step: Option<u64>,
    pub lost: Option<LossCause>,
    /// The message this one is a duplicate of.
    pub copy_of: Option<MsgId>,
}

/// Marks on a node's lane: crashes, restarts, timeouts, what the protocol's notes say is worth
/// drawing (a value learned, an entry applied); `Chosen` is the monitor's (a line across); links
/// cut and healed mark both ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LaneMark {
    Crash(NodeId),
    Restart(NodeId),
    Timeout(NodeId),
    Pause(NodeId),
    Learned(NodeId),
    Chosen,
    LinkCut(NodeId, NodeId),
    LinkHealed(NodeId, NodeId),
}

/// The message spans and lane marks of the first `steps` steps of the run. Playing on only adds
/// steps, so the cache grows with them; a fork throws it away.
pub struct SpansCache<P: Plugin> {
    pub steps: usize,
    pub spans: Vec<MessageSpan<P::Msg>>,
    pub marks: Vec<(u64, LaneMark)>,
    /// Where each message's span sits in `spans`.
    index: HashMap<MsgId, usize>,
}

impl<P: Plugin> Default for SpansCache<P> {
    fn default() -> Self {
        SpansCache {
            steps: 0,
            spans: Vec::new(),
            marks: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<P: Plugin> SpansCache<P> {
    /// Reads the steps of `log` past those already read.
    pub fn extend(&mut self, log: &[StepEvents<P>]) {
        for (i, events) in log.iter().enumerate().skip(self.steps) {
            let step = i as u64 + 1;
            for e in events.iter() {
                let (env, copy_of) = match e {
                    Event::Sent(env) => (Some(env.clone()), None),
                    Event::Duplicated { original, copy } => (Some(copy.clone()), Some(*original)),
                    _ => (None, None),
                };
                if let Some(env) = env {
                    self.index.insert(env.id, self.spans.len());
                    self.spans.push(MessageSpan {
                        envelope: env,
                        sent_step: step,
                        end_step: None,
                        lost: None,
                        copy_of,
                    });
                    continue;
                }
                match e {
                    Event::Delivered(env) => {
                        if let Some(&k) = self.index.get(&env.id) {
                            self.spans[k].end_step = Some(step);
                        }
                    }
                    Event::Lost { envelope, cause } => {
                        if let Some(&k) = self.index.get(&envelope.id) {
                            self.spans[k].end_step = Some(step);
                            self.spans[k].lost = Some(*cause);
                        }
                    }
                    Event::Crashed(n) => self.marks.push((step, LaneMark::Crash(*n))),
                    Event::Restarted(n) => self.marks.push((step, LaneMark::Restart(*n))),
                    Event::TimedOut(n) => self.marks.push((step, LaneMark::Timeout(*n))),
                    Event::Paused { node, .. } => self.marks.push((step, LaneMark::Pause(*node))),
                    Event::LinkCut(a, b) => self.marks.push((step, LaneMark::LinkCut(*a, *b))),
                    Event::LinkHealed(a, b) => {
                        self.marks.push((step, LaneMark::LinkHealed(*a, *b)))
                    }
                    Event::Note { node, note } if P::lane_note(note, node.is_none()).is_some() => {
                        let mark = node.map_or(LaneMark::Chosen, LaneMark::Learned);
                        self.marks.push((step, mark));
                    }
                    _ => {}
                }
            }
        }
        self.steps = log.len();
    }
}
