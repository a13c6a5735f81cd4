//! The clients' history, as Porcupine draws one: a lane per client and a bar per request from
//! its invocation to its answer, on the run's steps. When the history is linearizable a tick
//! marks where each request takes effect in one order that explains every answer; when it is
//! not, the requests that order can place keep their ticks and the one it cannot place is red,
//! with a sentence saying why. A badge gives the verdict as the run goes.

use egui::{Align2, Color32, FontId, Rect, RichText, Sense, Stroke, Ui, Vec2, pos2};

use super::i18n::{Lang, T, fill};
use crate::palette::Palette;
use crate::protocols::kv::views::{HistoryPicture, Replicated, history_picture};
use crate::sim::World;
use crate::trace::spans::LaneMark;

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
        let events: Vec<(u64, String, Color32)> = marks
            .iter()
            .filter(|(step, _)| *step <= picture.end)
            .filter_map(|(step, m)| {
                let (text, colour) = match *m {
                    LaneMark::Crash(n) => (fill(tr(T::HistoryCrash), &[&n]), palette.violation),
                    LaneMark::Restart(n) => (fill(tr(T::HistoryRestart), &[&n]), palette.ok),
                    LaneMark::LinkCut(a, b) => (fill(tr(T::HistoryCut), &[&a, &b]), palette.cut),
                    LaneMark::LinkHealed(a, b) => {
                        (fill(tr(T::HistoryHealed), &[&a, &b]), palette.ok)
                    }
                    _ => return None,
                };
                Some((*step, text, colour))
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
                for text in [format!("{} → {answer}", bar.op), answer.clone()] {
                    let galley =
                        painter.layout_no_wrap(text, FontId::proportional(12.0), Color32::WHITE);
                    let w = galley.size().x;
                    let x = start.min(limit - w).max(earliest);
                    if x + w <= limit {
                        let at = pos2(x, r.center().y - galley.size().y / 2.0);
                        painter.galley(at, galley, Color32::WHITE);
                        label_end = x + w;
                        break;
                    }
                }
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
