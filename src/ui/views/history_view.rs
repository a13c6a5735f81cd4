//! The clients' history, as Porcupine draws one: a lane per client and a bar per request from
//! its invocation to its answer, on the run's steps. When the history is linearizable a tick
//! marks where each request takes effect in one order that explains every answer; when it is
//! not, the requests that order can place keep their ticks and the one it cannot place is red,
//! with a sentence saying why. A badge gives the verdict as the run goes.

use egui::{Align2, Color32, FontId, Rect, RichText, Sense, Stroke, Ui, Vec2, pos2};

use crate::palette::Palette;
use crate::protocols::kv::views::{HistoryPicture, Replicated, history_picture};
use crate::sim::{NodeId, World};
use crate::trace::spans::LaneMark;
use crate::ui::i18n::{Lang, T, fill};

#[derive(Default)]
pub struct HistoryView {
    /// The last picture, by (step, requests, answers) of the world it was made from: checking
    /// linearizability is a search, so it runs only when the history changed.
    cached: Option<((u64, usize, usize), HistoryPicture)>,
}

impl HistoryView {
    /// The picture of `world`'s history (cached while it is unchanged).
    pub fn picture<P: Replicated>(&mut self, world: &World<P>) -> &HistoryPicture {
        let history = P::history(world.monitor());
        let key = (
            world.step(),
            history.len(),
            history.ops().filter(|o| o.ret.is_some()).count(),
        );
        if self.cached.as_ref().is_some_and(|(k, _)| *k != key) {
            self.cached = None;
        }
        &self
            .cached
            .get_or_insert_with(|| (key, history_picture(world)))
            .1
    }

    /// `marks` are the run's lane marks (`Session::spans`): crashes, restarts, links cut and
    /// healed are drawn on the same time axis.
    pub fn ui<P: Replicated>(
        &mut self,
        ui: &mut Ui,
        world: &World<P>,
        marks: &[(u64, LaneMark)],
        lang: Lang,
        palette: &Palette,
    ) {
        let tr = |t: T| t.get(lang);
        let clients: Vec<_> = world
            .nodes()
            .iter()
            .filter(|s| s.id.role == crate::protocols::kv::CLIENT)
            .map(|s| s.id)
            .collect();
        let picture = self.picture(world);
        ui.horizontal(|ui| {
            let (text, colour) = if picture.unplaceable.is_none() {
                (tr(T::HistoryLinearizable), palette.ok)
            } else {
                (tr(T::HistoryNotLinearizable), palette.violation)
            };
            ui.label(
                RichText::new(format!(" {text} "))
                    .strong()
                    .color(Color32::WHITE)
                    .background_color(colour),
            );
        });
        if picture.bars.is_empty() {
            ui.label(tr(T::HistoryEmpty));
            return;
        }
        let lane = 34.0;
        let label_width = 40.0;
        let width = ui.available_width().max(200.0);
        let nodes: Vec<NodeId> = world.nodes().iter().map(|s| s.id).collect();
        let events: Vec<(u64, String, Color32)> = fault_marks(marks, &nodes, picture.end)
            .into_iter()
            .map(|(step, mark)| {
                let (text, colour) = match mark {
                    FaultMark::Crash(n) => (fill(tr(T::HistoryCrash), &[&n]), palette.violation),
                    FaultMark::Restart(n) => (fill(tr(T::HistoryRestart), &[&n]), palette.ok),
                    FaultMark::Cut(a, b) => (fill(tr(T::HistoryCut), &[&a, &b]), palette.cut),
                    FaultMark::Partition(sides) => (sides_words(&sides), palette.cut),
                    FaultMark::Healed(a, b) => (fill(tr(T::HistoryHealed), &[&a, &b]), palette.ok),
                    FaultMark::HealedAll => (tr(T::HistoryHealedAll).to_string(), palette.ok),
                    FaultMark::HealedSome(n) => (fill(tr(T::HistoryHealedSome), &[&n]), palette.ok),
                };
                (step, text, colour)
            })
            .collect();
        let band = if events.is_empty() { 0.0 } else { 30.0 };
        let (rect, _) = ui.allocate_exact_size(
            Vec2::new(width, band + lane * clients.len() as f32 + 22.0),
            Sense::hover(),
        );
        let painter = ui.painter_at(rect);
        // A tenth more than the run, so a request invoked at the last step still shows.
        let span = (picture.end + (picture.end / 10).max(1)) as f32;
        let x_of = |step: f64| {
            rect.left() + label_width + (step as f32 / span) * (rect.width() - label_width - 8.0)
        };
        // Ticks sit just after the invocation; labels start past them.
        let text_colour = ui.visuals().text_color();
        // The step axis.
        let axis_y = rect.bottom() - 14.0;
        painter.line_segment(
            [
                pos2(x_of(0.0), axis_y),
                pos2(x_of(picture.end as f64), axis_y),
            ],
            Stroke::new(1.0, ui.visuals().weak_text_color()),
        );
        for step in [0, picture.end / 2, picture.end] {
            painter.text(
                pos2(x_of(step as f64), axis_y + 2.0),
                Align2::CENTER_TOP,
                step.to_string(),
                FontId::monospace(10.0),
                ui.visuals().weak_text_color(),
            );
        }
        // Faults on the same axis: a line through every lane, its words in a band above them
        // (alternating rows, so marks a step apart do not overwrite each other).
        for (k, (step, text, colour)) in events.iter().enumerate() {
            let x = x_of(*step as f64);
            painter.line_segment(
                [pos2(x, rect.top() + 4.0), pos2(x, axis_y)],
                Stroke::new(1.5, colour.gamma_multiply(0.8)),
            );
            // Beside its line, on the left of it near the right edge: never cut off.
            let galley = painter.layout_no_wrap(text.clone(), FontId::proportional(11.0), *colour);
            let w = galley.size().x;
            let left = if x + 3.0 + w > rect.right() {
                x - 3.0 - w
            } else {
                x + 3.0
            };
            painter.galley(
                pos2(left, rect.top() + 1.0 + (k % 2) as f32 * 13.0),
                galley,
                *colour,
            );
        }
        for (row, id) in clients.iter().enumerate() {
            let top = rect.top() + band + row as f32 * lane;
            painter.text(
                pos2(rect.left(), top + lane / 2.0),
                Align2::LEFT_CENTER,
                id.to_string(),
                FontId::proportional(14.0),
                text_colour,
            );
            let lane_bars: Vec<(usize, &crate::protocols::kv::views::HistoryBar)> = picture
                .bars
                .iter()
                .enumerate()
                .filter(|(_, b)| b.client == *id)
                .collect();
            // Where the last label drawn in this lane ends: labels never cover each other.
            let mut label_end = x_of(0.0) - 4.0;
            for (k, &(i, bar)) in lane_bars.iter().enumerate() {
                let culprit = picture.unplaceable.as_ref().is_some_and(|u| u.culprit == i);
                let end = bar.ret.map_or(span as f64, |r| r.0 as f64);
                let r = Rect::from_min_max(
                    pos2(x_of(bar.invoke as f64), top + 6.0),
                    pos2(
                        x_of(end).max(x_of(bar.invoke as f64) + 6.0),
                        top + lane - 6.0,
                    ),
                );
                let colour = if culprit {
                    palette.violation
                } else if bar.ret.is_some() {
                    palette.accept.gamma_multiply(0.6)
                } else {
                    palette.accept.gamma_multiply(0.25)
                };
                painter.rect_filled(r, 3.0, colour);
                if bar.ret.is_none() {
                    painter.rect_stroke(
                        r,
                        3.0,
                        Stroke::new(1.0, palette.accept),
                        egui::StrokeKind::Inside,
                    );
                }
                let answer = bar
                    .ret
                    .map_or(tr(T::HistoryPending).to_string(), |(_, o)| o.to_string());
                // The label starts past the tick and ends before the next request's bar (near
                // the right edge it may end there instead, but never over the label before it);
                // when the whole text does not fit, the answer alone; when that does not either,
                // nothing.
                let limit = lane_bars
                    .get(k + 1)
                    .map_or(rect.right(), |(_, next)| x_of(next.invoke as f64))
                    - 2.0;
                let start = r.left() + 9.0;
                // Only the last request's label may start left of its own bar (ending at the
                // view's edge), and never over the label before it.
                let earliest = if k + 1 < lane_bars.len() {
                    (r.left() + 2.0).max(label_end + 4.0)
                } else {
                    label_end + 4.0
                };
                let whole = format!("{} → {answer}", bar.op);
                let mut drawn_whole = false;
                for text in [whole.clone(), answer.clone()] {
                    let galley =
                        painter.layout_no_wrap(text, FontId::proportional(12.0), Color32::WHITE);
                    let w = galley.size().x;
                    let x = start.min(limit - w).max(earliest);
                    if x + w <= limit {
                        let at = pos2(x, r.center().y - galley.size().y / 2.0);
                        painter.galley(at, galley, Color32::WHITE);
                        label_end = x + w;
                        drawn_whole = true;
                        break;
                    }
                }
                // Neither fits: as much as fits, cut with "…".
                let room = limit - earliest.max(start.min(r.left() + 2.0));
                if !drawn_whole && room >= 24.0 {
                    let x = earliest.max(start.min(r.left() + 2.0));
                    let mut job = egui::text::LayoutJob::simple_singleline(
                        answer.clone(),
                        FontId::proportional(12.0),
                        Color32::WHITE,
                    );
                    job.wrap = egui::text::TextWrapping::truncate_at_width(room);
                    let galley = painter.layout_job(job);
                    let at = pos2(x, r.center().y - galley.size().y / 2.0);
                    label_end = x + galley.size().x;
                    painter.galley(at, galley, Color32::WHITE);
                }
                // The whole request and its answer on hover, whatever was drawn.
                ui.interact(r, ui.scope_id().with(("history-bar", i)), Sense::hover())
                    .on_hover_text(&whole);
                if let Some(p) = bar.point {
                    let x = x_of(p);
                    painter.line_segment(
                        [pos2(x, top + 2.0), pos2(x, top + lane - 2.0)],
                        Stroke::new(2.5, palette.chosen),
                    );
                }
            }
        }
        match &picture.unplaceable {
            None => {
                ui.label(RichText::new(tr(T::HistoryPoints)).weak());
            }
            Some(u) => {
                let bar = &picture.bars[u.culprit];
                ui.label(
                    RichText::new(fill(
                        tr(if u.before == 1 {
                            T::HistoryWhyOne
                        } else {
                            T::HistoryWhy
                        }),
                        &[
                            &format!("{} {}", bar.client, bar.op),
                            &u.got,
                            &u.before,
                            &u.would,
                        ],
                    ))
                    .color(palette.violation),
                );
            }
        }
    }
}

/// A fault as the history's band shows it: a burst of cut links that splits the cluster is one
/// partition ("S1 S2 | S3 S4 S5"), a burst of heals one mark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultMark {
    Crash(NodeId),
    Restart(NodeId),
    /// A cut that splits nothing: the link alone.
    Cut(NodeId, NodeId),
    /// The sides the cluster is in after a burst of cuts.
    Partition(Vec<Vec<NodeId>>),
    Healed(NodeId, NodeId),
    /// Every cut link is mended.
    HealedAll,
    /// A burst of heals that leaves some links cut: how many were mended.
    HealedSome(usize),
}

/// The run's faults up to `end`, with bursts of link changes (on consecutive steps) grouped.
pub fn fault_marks(marks: &[(u64, LaneMark)], nodes: &[NodeId], end: u64) -> Vec<(u64, FaultMark)> {
    use std::collections::BTreeSet;
    let mut cut: BTreeSet<(NodeId, NodeId)> = BTreeSet::new();
    let link = |a: NodeId, b: NodeId| if a <= b { (a, b) } else { (b, a) };
    let mut out = Vec::new();
    let marks: Vec<&(u64, LaneMark)> = marks.iter().filter(|(s, _)| *s <= end).collect();
    let mut i = 0;
    while i < marks.len() {
        let (step, mark) = *marks[i];
        match mark {
            LaneMark::Crash(n) => out.push((step, FaultMark::Crash(n))),
            LaneMark::Restart(n) => out.push((step, FaultMark::Restart(n))),
            LaneMark::LinkCut(..) | LaneMark::LinkHealed(..) => {
                let cutting = matches!(mark, LaneMark::LinkCut(..));
                // The burst: the same kind of link change on this step or the next, and so on.
                let mut last = step;
                let mut changed = Vec::new();
                while let Some(&&(s, m)) = marks.get(i) {
                    let (a, b, is_cut) = match m {
                        LaneMark::LinkCut(a, b) => (a, b, true),
                        LaneMark::LinkHealed(a, b) => (a, b, false),
                        _ => break,
                    };
                    if is_cut != cutting || s > last + 1 {
                        break;
                    }
                    if is_cut {
                        cut.insert(link(a, b));
                    } else {
                        cut.remove(&link(a, b));
                    }
                    changed.push((a, b));
                    last = s;
                    i += 1;
                }
                let fault = if cutting {
                    let sides = sides(nodes, &cut);
                    match (sides.len(), changed.as_slice()) {
                        (1, [(a, b)]) => FaultMark::Cut(*a, *b),
                        (1, _) => FaultMark::Partition(vec![nodes.to_vec()]),
                        _ => FaultMark::Partition(sides),
                    }
                } else if cut.is_empty() {
                    FaultMark::HealedAll
                } else if let [(a, b)] = changed.as_slice() {
                    FaultMark::Healed(*a, *b)
                } else {
                    FaultMark::HealedSome(changed.len())
                };
                out.push((step, fault));
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The sides a cut leaves: the servers that can still reach one another (directly or through
/// other servers), each with the clients whose every open link leads to that side (a client that
/// still reaches both sides, or none, belongs to neither).
fn sides(nodes: &[NodeId], cut: &std::collections::BTreeSet<(NodeId, NodeId)>) -> Vec<Vec<NodeId>> {
    let open = |a: NodeId, b: NodeId| !cut.contains(&(a.min(b), a.max(b)));
    let servers: Vec<NodeId> = nodes
        .iter()
        .copied()
        .filter(|n| n.role == crate::protocols::kv::SERVER)
        .collect();
    let mut groups: Vec<Vec<NodeId>> = Vec::new();
    for &s in &servers {
        if groups.iter().any(|g| g.contains(&s)) {
            continue;
        }
        // Everything reachable from `s` through servers.
        let mut group = vec![s];
        let mut k = 0;
        while k < group.len() {
            let at = group[k];
            for &t in &servers {
                if !group.contains(&t) && open(at, t) {
                    group.push(t);
                }
            }
            k += 1;
        }
        group.sort();
        groups.push(group);
    }
    // Each client is placed against the servers' groups alone (never through another client).
    let placed: Vec<(usize, NodeId)> = nodes
        .iter()
        .filter(|n| n.role != crate::protocols::kv::SERVER)
        .filter_map(|&c| {
            let mut reached = (0..groups.len()).filter(|&g| groups[g].iter().any(|&s| open(c, s)));
            match (reached.next(), reached.next()) {
                (Some(g), None) => Some((g, c)),
                _ => None,
            }
        })
        .collect();
    for (g, c) in placed {
        groups[g].push(c);
    }
    groups
}

/// "S1 S2 | S3 S4 S5": the sides, each node by its id (the same in both languages).
fn sides_words(sides: &[Vec<NodeId>]) -> String {
    sides
        .iter()
        .map(|s| {
            s.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::kv::{client, server};

    #[test]
    fn a_partitions_cut_links_are_one_mark_naming_the_sides() {
        let (s1, s2, s3, c1) = (server(1), server(2), server(3), client(1));
        let nodes = [s1, s2, s3, c1];
        // S1 and C1 apart from S2 and S3: four links cut on four steps, then all healed.
        let marks = [
            (10, LaneMark::LinkCut(s1, s2)),
            (11, LaneMark::LinkCut(s1, s3)),
            (12, LaneMark::LinkCut(c1, s2)),
            (13, LaneMark::LinkCut(c1, s3)),
            (20, LaneMark::Crash(s2)),
            (30, LaneMark::LinkHealed(s1, s2)),
            (31, LaneMark::LinkHealed(s1, s3)),
            (32, LaneMark::LinkHealed(c1, s2)),
            (33, LaneMark::LinkHealed(c1, s3)),
        ];
        let got = fault_marks(&marks, &nodes, 100);
        assert_eq!(
            got,
            [
                (10, FaultMark::Partition(vec![vec![s1, c1], vec![s2, s3]])),
                (20, FaultMark::Crash(s2)),
                (30, FaultMark::HealedAll),
            ]
        );
        assert_eq!(sides_words(&[vec![s1, c1], vec![s2, s3]]), "S1 C1 | S2 S3");
        // One cut link splits nothing: it is named alone; marks past the end are not shown.
        let one = fault_marks(&[(5, LaneMark::LinkCut(s1, s2))], &nodes, 100);
        assert_eq!(one, [(5, FaultMark::Cut(s1, s2))]);
        assert!(fault_marks(&marks, &nodes, 9).is_empty());
    }
}
