//! Each message's life (sent at one step, delivered or lost at another) and the marks on the
//! nodes' lanes, read from a timeline's event log. The space-time diagram draws them; the SVG,
//! Mermaid and ShiViz exports write them.

use std::collections::HashMap;

use crate::protocols::paxos::Msg;
use crate::sim::network::Envelope;
use crate::sim::world::LossCause;
use crate::sim::{Event, MsgId, NodeId};

use super::StepEvents;

/// One message's life for the space-time diagram: sent at one step, delivered or lost at another.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MessageSpan {
    pub envelope: Envelope<Msg>,
    pub sent_step: u64,
    /// The step that delivered or lost it, if it has ended.
    pub end_step: Option<u64>,
    pub lost: Option<LossCause>,
    /// The message this one is a duplicate of.
    pub copy_of: Option<MsgId>,
}

/// Marks on a node's lane: crashes, restarts, timeouts, values learned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LaneMark {
    Crash(NodeId),
    Restart(NodeId),
    Timeout(NodeId),
    Learned(NodeId),
    Chosen,
}

/// The message spans and lane marks of the first `steps` steps of the run. Playing on only adds
/// steps, so the cache grows with them; a fork throws it away.
#[derive(Default)]
pub struct SpansCache {
    pub steps: usize,
    pub spans: Vec<MessageSpan>,
    pub marks: Vec<(u64, LaneMark)>,
    /// Where each message's span sits in `spans`.
    index: HashMap<MsgId, usize>,
}

impl SpansCache {
    /// Reads the steps of `log` past those already read.
    pub fn extend(&mut self, log: &[StepEvents]) {
        for (i, events) in log.iter().enumerate().skip(self.steps) {
            let step = i as u64 + 1;
            for e in events.iter() {
                let (env, copy_of) = match e {
                    Event::Sent(env) => (Some(*env), None),
                    Event::Duplicated { original, copy } => (Some(*copy), Some(*original)),
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
                    Event::Note {
                        node: Some(n),
                        note: crate::protocols::paxos::Note::Learned { .. },
                    } => self.marks.push((step, LaneMark::Learned(*n))),
                    Event::Note { node: None, .. } => self.marks.push((step, LaneMark::Chosen)),
                    _ => {}
                }
            }
        }
        self.steps = log.len();
    }
}
