//! The space-time diagram: a lane per node, time flowing right one column per step, an arrow per
//! message from the step that sent it to the step that delivered or lost it. The current step is
//! highlighted; clicking a column seeks there.

use egui::{Align2, FontId, Pos2, Rect, ScrollArea, Sense, Stroke, Ui, Vec2};

use crate::palette::Palette;
use crate::protocols::Plugin;
use crate::protocols::paxos::Paxos;
use crate::session::{Command, LaneMark, Session};
use crate::sim::NodeId;
use crate::ui::Frame;
use crate::ui::i18n::{Lang, T};

/// What the diagram reads, for any protocol.
pub struct SpaceTimeFrame<'a, P: Plugin> {
    pub session: &'a Session<P>,
    pub lang: Lang,
    pub palette: Palette,
    /// Draw nothing past the current step (a lesson's reference run holds the answers).
    pub hide_future: bool,
}

#[derive(Clone, Debug)]
pub struct SpaceTimeView {
    /// Pixels per step.
    pub column: f32,
    follow: bool,
}

impl Default for SpaceTimeView {
    fn default() -> Self {
        SpaceTimeView {
            column: 22.0,
            follow: true,
        }
    }
}

impl SpaceTimeView {
    pub fn ui(&mut self, ui: &mut Ui, f: &Frame, out: &mut Vec<Command<Paxos>>) {
        let frame = SpaceTimeFrame {
            session: f.session,
            lang: f.lang,
            palette: f.palette,
            hide_future: f.hide_future,
        };
        self.show(ui, &frame, out);
    }

    /// The diagram of any protocol's run.
    pub fn show<P: Plugin>(
        &mut self,
        ui: &mut Ui,
        f: &SpaceTimeFrame<P>,
        out: &mut Vec<Command<P>>,
    ) {
        let roster: Vec<NodeId> = f.session.world().nodes().iter().map(|s| s.id).collect();
        let pos = f.session.position();
        // In a lesson the recorded run goes on to the answers: draw only what has happened.
        let len = if f.hide_future { pos } else { f.session.len() };
        let pal = f.palette;
        let label_w = 44.0;
        let lane_h = lane_height(ui.available_height(), roster.len());
        let height = lane_h * roster.len() as f32 + 6.0;
        // Short runs spread out to fill the panel; long ones scroll.
        let fit = (ui.available_width() - label_w) / (len as f32 + 2.0);
        let column = fit.clamp(self.column, 56.0);
        let width = label_w + column * (len as f32 + 2.0);
        let visuals = ui.visuals().clone();
        let text = visuals.text_color();
        let weak = visuals.weak_text_color();
        let lane_y = |id: NodeId| {
            roster.iter().position(|&n| n == id).unwrap_or(0) as f32 * lane_h + lane_h * 0.5 + 3.0
        };
        let mut scroll = ScrollArea::both()
            .auto_shrink([false, true])
            .id_salt("spacetime");
        if self.follow {
            let x = label_w + column * pos as f32;
            // Never past the end: an offset beyond the content springs back every frame, and the
            // app would never stop repainting.
            let most = (width - ui.available_width()).max(0.0);
            scroll =
                scroll.horizontal_scroll_offset((x - ui.available_width() * 0.7).clamp(0.0, most));
        }
        let (spans, marks) = f.session.spans();
        let response = scroll.show(ui, |ui| {
            let (rect, resp) = ui.allocate_exact_size(
                Vec2::new(width.max(ui.available_width()), height),
                Sense::click(),
            );
            let painter = ui.painter_at(rect);
            let x_of = |step: u64| rect.left() + label_w + column * (step as f32 - 0.5);
            let clip = ui.clip_rect();
            // Current step column.
            let cur = Rect::from_x_y_ranges(
                x_of(pos) - column * 0.5..=x_of(pos) + column * 0.5,
                rect.y_range(),
            );
            painter.rect_filled(cur, 0.0, pal.changed.gamma_multiply(0.25));
            for (i, id) in roster.iter().enumerate() {
                let y = rect.top() + lane_y(*id);
                let c = pal.role_tint(P::role_info(id.role).map_or(0, |r| r.tint));
                painter.line_segment(
                    [
                        Pos2::new(rect.left() + label_w, y),
                        Pos2::new(rect.right(), y),
                    ],
                    Stroke::new(1.0, c.gamma_multiply(0.5)),
                );
                let _ = i;
            }
            let crowded = f.session.world().network().in_flight_count() > 150;
            let visible = |x0: f32, x1: f32| {
                x1.max(x0) >= clip.left() - 20.0 && x0.min(x1) <= clip.right() + 20.0
            };
            for (s, end_step) in shown(spans, len) {
                let x0 = x_of(s.sent_step);
                let end = end_step.unwrap_or(len + 1);
                let x1 = x_of(end);
                if !visible(x0, x1) {
                    continue;
                }
                let y0 = rect.top() + lane_y(s.envelope.src);
                let y1 = rect.top() + lane_y(s.envelope.dst);
                let c = pal.tint(P::tint(&s.envelope.msg));
                let (a, b) = (Pos2::new(x0, y0), Pos2::new(x1, y1));
                let future = s.sent_step > pos;
                let c = if future { c.gamma_multiply(0.25) } else { c };
                if end_step.is_none() {
                    // Dash only the visible part: an in-flight line can span thousands of columns.
                    let (ca, cb) = clip_to_x(a, b, clip.left() - 10.0, clip.right() + 10.0);
                    if crowded {
                        // Thousands of dashes cost more than the rest of the frame: thin and faint.
                        painter.line_segment([ca, cb], Stroke::new(0.8, c.gamma_multiply(0.5)));
                    } else {
                        painter.extend(egui::Shape::dashed_line(
                            &[ca, cb],
                            Stroke::new(1.2, c),
                            4.0,
                            3.0,
                        ));
                    }
                } else if s.lost.is_some() {
                    let m = a + (b - a) * 0.6;
                    painter.line_segment([a, m], Stroke::new(1.2, c));
                    painter.extend(crate::ui::views::theme::cross(
                        m,
                        3.5,
                        Stroke::new(2.0, pal.cut),
                    ));
                } else {
                    // A small head that stays within its lane, whatever the arrow's length.
                    painter.line_segment([a, b], Stroke::new(1.3, c));
                    let dir = (b - a).normalized();
                    let head = (lane_h * 0.35).clamp(3.0, 6.0);
                    let side = Vec2::new(-dir.y, dir.x) * head * 0.6;
                    painter.add(egui::Shape::convex_polygon(
                        vec![b, b - dir * head + side, b - dir * head - side],
                        c,
                        Stroke::NONE,
                    ));
                }
                if s.copy_of.is_some() {
                    painter.circle_stroke(a, 3.0, Stroke::new(1.0, c));
                }
            }
            for (step, mark) in marks {
                let x = x_of(*step);
                if !visible(x, x) || *step > len {
                    continue;
                }
                match mark {
                    LaneMark::Crash(n)
                    | LaneMark::Restart(n)
                    | LaneMark::Timeout(n)
                    | LaneMark::Pause(n)
                    | LaneMark::Learned(n) => {
                        let y = rect.top() + lane_y(*n);
                        let (glyph, c) = match mark {
                            LaneMark::Crash(_) => ("✖", pal.cut),
                            LaneMark::Restart(_) => ("↺", pal.ok),
                            LaneMark::Timeout(_) => ("⏰", text),
                            LaneMark::Pause(_) => ("⏸", pal.cut),
                            _ => ("★", pal.chosen),
                        };
                        painter.text(
                            Pos2::new(x, y),
                            Align2::CENTER_CENTER,
                            glyph,
                            FontId::proportional(lane_h.clamp(10.0, 16.0)),
                            c,
                        );
                    }
                    // Links are drawn where they are, in the graph view.
                    LaneMark::LinkCut(..) | LaneMark::LinkHealed(..) => {}
                    LaneMark::Chosen if *step > pos => {
                        // Not yet, at the step being looked at: a faint hint, no label.
                        let c = pal.chosen.gamma_multiply(0.25);
                        painter.line_segment(
                            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
                            Stroke::new(1.5, c),
                        );
                    }
                    LaneMark::Chosen => {
                        painter.line_segment(
                            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
                            Stroke::new(2.5, pal.chosen),
                        );
                        painter.text(
                            Pos2::new(x + 3.0, rect.top() + 2.0),
                            Align2::LEFT_TOP,
                            T::Chosen.get(f.lang),
                            FontId::proportional(12.0),
                            pal.chosen,
                        );
                    }
                }
            }
            if let Some(v) = f.session.world().first_violation() {
                let x = x_of(v.step);
                painter.line_segment(
                    [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
                    Stroke::new(2.5, pal.violation),
                );
            }
            // Lane names last, in a gutter of their own that stays at the left edge while the
            // run scrolls: no arrow ever covers them, and every lane is named.
            let gutter = Rect::from_x_y_ranges(
                clip.left().max(rect.left())..=clip.left().max(rect.left()) + label_w - 4.0,
                rect.y_range(),
            );
            painter.rect_filled(gutter, 0.0, visuals.panel_fill);
            for (i, id) in roster.iter().enumerate() {
                painter.text(
                    Pos2::new(gutter.left() + 4.0, rect.top() + lane_y(*id)),
                    Align2::LEFT_CENTER,
                    id.to_string(),
                    FontId::proportional((lane_h * 0.75).clamp(9.0, 14.0)),
                    if i % 2 == 0 { text } else { weak },
                );
            }
            if resp.clicked()
                && let Some(p) = resp.interact_pointer_pos()
            {
                let step = ((p.x - rect.left() - label_w) / column + 0.5)
                    .floor()
                    .max(0.0) as u64;
                out.push(Command::Seek(step.min(len)));
            }
            resp
        });
        // Scrolling by hand stops following the current step until the step changes.
        self.follow =
            !response.inner.hovered() || !ui.input(|i| i.smooth_scroll_delta != Vec2::ZERO);
    }
}

/// Lanes share the panel's height, but never get too thin to carry their name (9-point text):
/// a big cluster scrolls instead.
pub fn lane_height(available: f32, lanes: usize) -> f32 {
    ((available - 20.0) / lanes.max(1) as f32).clamp(11.0, 26.0)
}

/// The messages sent up to `horizon`, each with the step it ended at if that is not past the
/// horizon (else it is drawn as still in flight).
pub fn shown<M>(
    spans: &[crate::trace::spans::MessageSpan<M>],
    horizon: u64,
) -> impl Iterator<Item = (&crate::trace::spans::MessageSpan<M>, Option<u64>)> {
    spans
        .iter()
        .filter(move |s| s.sent_step <= horizon)
        .map(move |s| (s, s.end_step.filter(|&e| e <= horizon)))
}

/// The part of segment a-b whose x lies within [left, right].
fn clip_to_x(a: Pos2, b: Pos2, left: f32, right: f32) -> (Pos2, Pos2) {
    let dx = b.x - a.x;
    if dx.abs() < 1e-3 {
        return (a, b);
    }
    let t0 = ((left - a.x) / dx).clamp(0.0, 1.0);
    let t1 = ((right - a.x) / dx).clamp(0.0, 1.0);
    let (t0, t1) = (t0.min(t1), t0.max(t1));
    (a + (b - a) * t0, a + (b - a) * t1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lane_is_tall_enough_to_name_however_many_nodes() {
        for lanes in [3, 6, 43, 200] {
            let h = lane_height(170.0, lanes);
            assert!(h >= 11.0, "{lanes} lanes: {h}");
        }
        assert_eq!(lane_height(170.0, 6), 25.0);
    }
}
