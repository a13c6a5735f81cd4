//! The space-time diagram as SVG, for slides and papers: a labelled lane per node, time flowing
//! right one column per step, an arrow per message from the step that sent it to the step that
//! delivered it, with its label. Lost messages end in a cross, duplicated copies are dashed and
//! start with a ring, crashes, restarts, timeouts and learning are marked on their lanes, and a
//! gold line marks the step a value was chosen. The same spans and marks feed the app's diagram.
//!
//! Output is deterministic: coordinates are printed with one decimal, elements in run order.

use std::fmt::Write;

use egui::Color32;

use super::{Run, StepRange, loss_words};
use crate::palette::Palette;
use crate::protocols::Plugin;
use crate::sim::Event;
use crate::trace::spans::LaneMark;

const LABEL_W: f32 = 64.0;
const COLUMN: f32 = 64.0;
const LANE: f32 = 46.0;
const TOP: f32 = 58.0;
const BOTTOM: f32 = 16.0;
const RIGHT: f32 = 40.0;

/// Text as XML character data or an attribute value.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn hex(c: Color32) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r(), c.g(), c.b())
}

pub fn to_svg<P: Plugin>(run: &Run<P>, range: StepRange) -> String {
    let pal = Palette::standard(false);
    let steps = range.to - range.from;
    let width = LABEL_W + COLUMN * (steps as f32 + 0.5) + RIGHT;
    let height = TOP + LANE * run.roster.len() as f32 + BOTTOM;
    let x_of = |step: u64| LABEL_W + COLUMN * (step.saturating_sub(range.from) as f32);
    let lane_y = |n: crate::sim::NodeId| {
        TOP + LANE * (run.roster.iter().position(|&r| r == n).unwrap_or(0) as f32 + 0.5)
    };
    let right = x_of(range.to) + COLUMN * 0.5;
    let bottom = TOP + LANE * run.roster.len() as f32;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width:.1}" height="{height:.1}" viewBox="0 0 {width:.1} {height:.1}" font-family="Noto Sans, DejaVu Sans, Helvetica, Arial, sans-serif">
<title>{} run, steps {} to {}</title>
<defs>"#,
        P::TITLE,
        range.from,
        range.to
    );
    for &(kind, tint) in P::kinds() {
        let c = pal.tint(tint);
        let _ = writeln!(
            s,
            r#"<marker id="head-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>"#,
            hex(c)
        );
    }
    let _ = writeln!(
        s,
        r##"</defs>
<rect x="0" y="0" width="{width:.1}" height="{height:.1}" fill="#ffffff"/>
<text x="8" y="20" font-size="14" font-weight="bold" fill="#222222">{}: {} — steps {} to {}</text>"##,
        P::TITLE,
        cluster_words::<P>(&run.roster),
        range.from,
        range.to
    );

    // Step columns: a faint grid line and the step number on top.
    let _ = writeln!(
        s,
        r##"<g id="steps" font-size="10" fill="#888888" text-anchor="middle">"##
    );
    for step in range.from + 1..=range.to {
        let x = x_of(step);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#eeeeee"/><text x="{x:.1}" y="{:.1}">{step}</text>"##,
            TOP - 8.0,
            TOP - 12.0
        );
    }
    let _ = writeln!(s, "</g>");

    // Lanes.
    let _ = writeln!(s, r#"<g id="lanes" font-size="13" font-weight="bold">"#);
    for n in &run.roster {
        let y = lane_y(*n);
        let c = hex(pal.role_tint(P::role_info(n.role).map_or(0, |r| r.tint)));
        let _ = writeln!(
            s,
            r#"<g class="lane" id="lane-{n}"><line x1="{LABEL_W:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}" stroke="{c}" stroke-width="1.5"/><text x="10" y="{:.1}" fill="{c}">{n}</text></g>"#,
            y + 4.5
        );
    }
    let _ = writeln!(s, "</g>");

    // Messages.
    let _ = writeln!(s, r#"<g id="messages" font-size="9.5">"#);
    // Messages sent together fan out from one point: their labels go at staggered distances.
    let mut fan: std::collections::HashMap<(u64, crate::sim::NodeId), usize> = Default::default();
    for span in &run.spans.spans {
        let end = span.end_step;
        if span.sent_step > range.to || end.is_some_and(|e| e <= range.from) {
            continue;
        }
        let env = &span.envelope;
        let kind = P::kind_name(&env.msg);
        let c = hex(pal.tint(P::tint(&env.msg)));
        let x0 = x_of(span.sent_step.max(range.from));
        let (y0, y1) = (lane_y(env.src), lane_y(env.dst));
        let in_range_end = end.filter(|&e| e <= range.to);
        let x1 = match in_range_end {
            Some(e) => x_of(e),
            None => right,
        };
        let mut title = format!(
            "{}: {} → {}, sent at step {}",
            P::message_words(env),
            env.src,
            env.dst,
            span.sent_step
        );
        match (end, span.lost) {
            (Some(e), Some(cause)) => {
                let _ = write!(title, ", lost at step {e} ({})", loss_words(cause));
            }
            (Some(e), None) => {
                let _ = write!(title, ", delivered at step {e}");
            }
            (None, _) => title += ", still in flight",
        }
        if span.copy_of.is_some() {
            title += " (a duplicate)";
        }
        let dash = if span.copy_of.is_some() || in_range_end.is_none() {
            r#" stroke-dasharray="5 3""#
        } else {
            ""
        };
        let _ = write!(
            s,
            r#"<g class="message {kind}"><title>{}</title>"#,
            xml(&title)
        );
        let (ex, ey) = if span.lost.is_some() && in_range_end.is_some() {
            // Lost: the line stops part way and ends in a cross.
            let (mx, my) = (x0 + (x1 - x0) * 0.6, y0 + (y1 - y0) * 0.6);
            let _ = write!(
                s,
                r#"<line x1="{x0:.1}" y1="{y0:.1}" x2="{mx:.1}" y2="{my:.1}" stroke="{c}" stroke-width="1.4"{dash}/>"#
            );
            let d = 4.5;
            let cut = hex(pal.cut);
            let _ = write!(
                s,
                r#"<path class="lost" d="M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}" stroke="{cut}" stroke-width="2.2"/>"#,
                mx - d,
                my - d,
                mx + d,
                my + d,
                mx - d,
                my + d,
                mx + d,
                my - d
            );
            (mx, my)
        } else {
            let marker = if in_range_end.is_some() {
                format!(r#" marker-end="url(#head-{kind})""#)
            } else {
                String::new()
            };
            let _ = write!(
                s,
                r#"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="{c}" stroke-width="1.4"{dash}{marker}/>"#
            );
            (x1, y1)
        };
        if span.copy_of.is_some() {
            let _ = write!(
                s,
                r#"<circle class="duplicate" cx="{x0:.1}" cy="{y0:.1}" r="3.5" fill="none" stroke="{c}" stroke-width="1.2"/>"#
            );
        }
        // The label sits part way along, where arrows from one step have fanned apart; each
        // further message of the same send sits a little further on.
        let k = fan.entry((span.sent_step, env.src)).or_default();
        let t = 0.3 + 0.14 * (*k % 4) as f32;
        *k += 1;
        let (lx, ly) = (x0 + (ex - x0) * t, y0 + (ey - y0) * t);
        let _ = writeln!(
            s,
            r##"<text x="{lx:.1}" y="{:.1}" fill="{c}" stroke="#ffffff" stroke-width="3" paint-order="stroke" text-anchor="middle">{}</text></g>"##,
            ly - 2.0,
            xml(&P::message_label(env))
        );
    }
    let _ = writeln!(s, "</g>");

    // Marks on lanes, then the chosen and violation lines across all of them.
    let _ = writeln!(s, r#"<g id="marks" font-size="10">"#);
    for (step, mark) in &run.spans.marks {
        if !range.shows(*step) {
            continue;
        }
        let x = x_of(*step);
        match mark {
            LaneMark::Crash(n) => {
                let y = lane_y(*n);
                let (d, c) = (6.0, hex(pal.cut));
                let _ = writeln!(
                    s,
                    r#"<g class="crash"><title>{n} crashed at step {step}</title><path d="M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}" stroke="{c}" stroke-width="3"/><text x="{x:.1}" y="{:.1}" fill="{c}" text-anchor="middle">crash</text></g>"#,
                    x - d,
                    y - d,
                    x + d,
                    y + d,
                    x - d,
                    y + d,
                    x + d,
                    y - d,
                    y + 18.0
                );
            }
            LaneMark::LinkCut(a, b) | LaneMark::LinkHealed(a, b) => {
                let (class, words, c) = match mark {
                    LaneMark::LinkCut(..) => ("cut", "cut", hex(pal.cut)),
                    _ => ("healed", "healed", hex(pal.ok)),
                };
                let (ya, yb) = (lane_y(*a), lane_y(*b));
                let _ = writeln!(
                    s,
                    r#"<g class="{class}"><title>link {a}-{b} {words} at step {step}</title><path d="M{x:.1},{ya:.1} L{x:.1},{yb:.1}" stroke="{c}" stroke-width="2" stroke-dasharray="4 3"/><text x="{:.1}" y="{:.1}" fill="{c}">{words}</text></g>"#,
                    x + 3.0,
                    (ya + yb) / 2.0
                );
            }
            LaneMark::Restart(n) => {
                let y = lane_y(*n);
                let c = hex(pal.ok);
                let _ = writeln!(
                    s,
                    r#"<g class="restart"><title>{n} restarted at step {step}</title><circle cx="{x:.1}" cy="{y:.1}" r="5" fill="none" stroke="{c}" stroke-width="2"/><text x="{x:.1}" y="{:.1}" fill="{c}" text-anchor="middle">restart</text></g>"#,
                    y + 18.0
                );
            }
            LaneMark::Timeout(n) => {
                let y = lane_y(*n);
                let _ = writeln!(
                    s,
                    r##"<g class="timeout"><title>{n} timed out at step {step}</title><circle cx="{x:.1}" cy="{y:.1}" r="5" fill="#ffffff" stroke="#555555" stroke-width="1.5"/><path d="M{x:.1},{:.1} L{x:.1},{y:.1} L{:.1},{y:.1}" stroke="#555555" stroke-width="1.2" fill="none"/><text x="{x:.1}" y="{:.1}" fill="#555555" text-anchor="middle">timeout</text></g>"##,
                    y - 3.5,
                    x + 3.0,
                    y + 18.0
                );
            }
            LaneMark::Pause(n) => {
                let y = lane_y(*n);
                let c = hex(pal.cut);
                let _ = writeln!(
                    s,
                    r#"<g class="pause"><title>{n} paused at step {step}</title><path d="M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}" stroke="{c}" stroke-width="3"/><text x="{x:.1}" y="{:.1}" fill="{c}" text-anchor="middle">pause</text></g>"#,
                    x - 3.0,
                    y - 6.0,
                    x - 3.0,
                    y + 6.0,
                    x + 3.0,
                    y - 6.0,
                    x + 3.0,
                    y + 6.0,
                    y + 18.0
                );
            }
            LaneMark::Learned(n) => {
                let y = lane_y(*n);
                let c = hex(pal.chosen);
                let what = lane_label(run, *step, Some(*n)).unwrap_or_default();
                let _ = writeln!(
                    s,
                    r#"<g class="learned"><title>{n} {} at step {step}</title><path d="{}" fill="{c}"/><text x="{x:.1}" y="{:.1}" fill="{c}" text-anchor="middle">{}</text></g>"#,
                    xml(&what),
                    star(x, y, 7.0),
                    y + 19.0,
                    xml(&what)
                );
            }
            LaneMark::Chosen => {
                let c = hex(pal.chosen);
                let what = lane_label(run, *step, None).unwrap_or_else(|| "chosen".into());
                let _ = writeln!(
                    s,
                    r#"<g class="chosen"><title>{} at step {step}</title><line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{c}" stroke-width="2.5"/><text x="{:.1}" y="{:.1}" fill="{c}" font-size="11" font-weight="bold">{}</text></g>"#,
                    xml(&what),
                    TOP - 22.0,
                    x + 4.0,
                    TOP - 24.0,
                    xml(&what)
                );
            }
        }
    }
    for (step, events) in run.steps(range) {
        for e in events {
            if let Event::Violation(v) = e {
                let x = x_of(step);
                let c = hex(pal.violation);
                let _ = writeln!(
                    s,
                    r#"<g class="violation"><title>{}</title><line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{c}" stroke-width="2.5"/><text x="{:.1}" y="{:.1}" fill="{c}" font-size="11" font-weight="bold">violation: {}</text></g>"#,
                    xml(&v.detail),
                    TOP - 22.0,
                    x + 4.0,
                    TOP - 36.0,
                    xml(v.invariant)
                );
            }
        }
    }
    let _ = writeln!(s, "</g>\n</svg>");
    s
}

/// A five-pointed star's path around (x, y).
fn star(x: f32, y: f32, r: f32) -> String {
    let mut d = String::new();
    for i in 0..10 {
        let radius = if i % 2 == 0 { r } else { r * 0.45 };
        let a = std::f32::consts::PI * (i as f32 / 5.0 - 0.5);
        let _ = write!(
            d,
            "{}{:.1},{:.1} ",
            if i == 0 { 'M' } else { 'L' },
            x + radius * a.cos(),
            y + radius * a.sin()
        );
    }
    d.push('z');
    d
}

/// The cluster as `2 proposers, 3 acceptors, 1 learners` (every role, in the protocol's order).
fn cluster_words<P: Plugin>(roster: &[crate::sim::NodeId]) -> String {
    let counts: Vec<String> = P::roles()
        .iter()
        .map(|r| {
            let n = roster.iter().filter(|id| id.role == r.role).count();
            format!("{n} {}s", r.name[0])
        })
        .collect();
    counts.join(", ")
}

/// The label of the note behind a lane mark at `step`: a node's (`learned "A"`), or the
/// monitor's with `node` `None` (`chosen "A" (ballot 2.1)`).
fn lane_label<P: Plugin>(
    run: &Run<P>,
    step: u64,
    node: Option<crate::sim::NodeId>,
) -> Option<String> {
    run.log[step as usize - 1].iter().find_map(|e| match e {
        Event::Note { node: n, note } if *n == node => {
            P::lane_note(note, node.is_none()).map(|l| l.label)
        }
        _ => None,
    })
}
