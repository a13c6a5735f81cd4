//! A Mermaid `sequenceDiagram` (renders in GitHub, GitLab and most Markdown viewers). Mermaid
//! arrows are instantaneous, so each message is drawn when it arrives (or is lost), after a
//! comment naming the step; sends show up as the arrows of the step that delivers them.
//! Messages still in flight when the range ends are drawn last as open async arrows.

use super::{Run, StepRange, actor, loss_words};
use crate::protocols::Plugin;
use crate::sim::{Event, NodeId};

/// Text Mermaid shows as is: `;` would end the statement and `#` starts an entity code, so both
/// become entity codes; line breaks become spaces.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ';' => out.push_str("#59;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A note across the nodes that decide (where a value is chosen), or over one node.
fn over<P: Plugin>(run: &Run<P>, node: Option<NodeId>) -> String {
    let acceptors: Vec<_> = run
        .roster
        .iter()
        .filter(|n| n.role == P::DECIDERS)
        .collect();
    match (node, acceptors.first(), acceptors.last()) {
        (Some(n), _, _) => n.to_string(),
        (None, Some(a), Some(b)) if a != b => format!("{a},{b}"),
        (None, Some(a), _) => a.to_string(),
        (None, None, _) => run.roster[0].to_string(),
    }
}

pub fn to_mermaid<P: Plugin>(run: &Run<P>, range: StepRange) -> String {
    let mut out = String::from("sequenceDiagram\n");
    for n in &run.roster {
        out += &format!("    participant {n}\n");
    }
    let copies: std::collections::HashSet<_> = run
        .spans
        .spans
        .iter()
        .filter(|s| s.copy_of.is_some())
        .map(|s| s.envelope.id)
        .collect();
    for (step, events) in run.steps(range) {
        out += &format!("    %% step {step}\n");
        let acting = actor::<P>(events);
        for e in events {
            let line = match e {
                Event::Requested { node, request } => {
                    format!(
                        "Note over {node}: request {}",
                        text(&P::request_words(request))
                    )
                }
                Event::Delivered(env) => format!(
                    "{}->>{}: {}{}",
                    env.src,
                    env.dst,
                    text(&P::message_words(env)),
                    if copies.contains(&env.id) {
                        " (copy)"
                    } else {
                        ""
                    }
                ),
                Event::Lost { envelope, cause } => format!(
                    "{}-x{}: {} ({})",
                    envelope.src,
                    envelope.dst,
                    text(&P::message_words(envelope)),
                    loss_words(*cause)
                ),
                Event::Duplicated { copy, .. } => format!(
                    "Note over {}: network copies {} to {}",
                    copy.src,
                    text(&P::message_words(copy)),
                    copy.dst
                ),
                Event::Crashed(n) => format!("Note over {n}: crashed"),
                Event::Restarted(n) => format!("Note over {n}: restarted"),
                Event::TimedOut(n) => format!("Note over {n}: timeout"),
                Event::Paused { node, ticks, .. } => {
                    format!("Note over {node}: paused for {ticks} ticks")
                }
                Event::LinkCut(a, b) => format!("Note over {a},{b}: link cut"),
                Event::LinkHealed(a, b) => format!("Note over {a},{b}: link healed"),
                Event::Note { node, note } => match P::lane_note(note, node.is_none()) {
                    Some(n) => format!("Note over {}: {}", over(run, *node), text(&n.words)),
                    None => continue,
                },
                Event::Violation(v) => format!(
                    "Note over {}: VIOLATION {}: {}",
                    over(run, acting),
                    v.invariant,
                    text(&v.detail)
                ),
                Event::Sent(_) => continue,
            };
            out += "    ";
            out += &line;
            out.push('\n');
        }
    }
    let pending: Vec<_> = run
        .spans
        .spans
        .iter()
        .filter(|s| s.sent_step <= range.to && s.end_step.is_none_or(|e| e > range.to))
        .filter(|s| s.sent_step > range.from)
        .collect();
    if !pending.is_empty() {
        out += &format!("    %% in flight after step {}\n", range.to);
        for s in pending {
            out += &format!(
                "    {}-){}: {} (in flight)\n",
                s.envelope.src,
                s.envelope.dst,
                text(&P::message_words(&s.envelope))
            );
        }
    }
    out
}
