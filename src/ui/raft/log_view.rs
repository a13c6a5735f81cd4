//! Raft's log table and leader panel. A row per server, a cell per log entry, filled with its
//! term's colour (the graph's); an entry the cluster committed is drawn solid, one not yet
//! committed dashed, so a class sees a conflicting suffix before it is truncated. The leader
//! panel gives the leader's nextIndex and matchIndex for every follower: how far it believes
//! each has caught up.

use egui::{Align2, Color32, FontId, Grid, Rect, RichText, Sense, Shape, Stroke, Ui, Vec2};

use crate::palette::Palette;
use crate::protocols::raft::RaftWorld;
use crate::protocols::raft::describe::{log_rows, progress};
use crate::sim::NodeId;
use crate::ui::i18n::{Lang, T, fill};

#[derive(Default)]
pub struct RaftLogView {
    /// One line per cell (the command; the index over the column, the term by its colour and
    /// on hover): the side-by-side view, where both logs share the window with both graphs.
    pub compact: bool,
}

const CELL: Vec2 = Vec2::new(76.0, 34.0);
const COMPACT_CELL: Vec2 = Vec2::new(76.0, 24.0);

impl RaftLogView {
    /// Draws the logs; returns where each server's row was drawn.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        world: &RaftWorld,
        lang: Lang,
        palette: &Palette,
    ) -> Vec<(NodeId, Rect)> {
        let tr = |t: T| t.get(lang);
        let rows = log_rows(world);
        let mut drawn = Vec::new();
        let ink = ui.visuals().strong_text_color();
        let weak = ui.visuals().weak_text_color();
        let compact = self.compact;
        let cell_size = if compact { COMPACT_CELL } else { CELL };
        let heads = |ui: &mut Ui, i: usize| {
            let row = &rows[i];
            let name = if row.leader {
                format!("★ {}", row.server)
            } else {
                row.server.to_string()
            };
            let mut label = RichText::new(name).monospace().strong();
            if !row.up {
                label = label.color(palette.crashed);
            }
            ui.label(label).on_hover_text(fill(
                tr(crate::ui::raft::words::ROW_HOVER),
                &[&row.server, &row.term, &row.commit],
            ));
            if compact {
                return;
            }
            ui.label(
                RichText::new(fill(tr(crate::ui::raft::words::ROW_TERM), &[&row.term])).small(),
            );
        };
        let cells = |ui: &mut Ui, i: usize| {
            let row = &rows[i];
            for (i, cell) in row.cells.iter().enumerate() {
                let (rect, resp) = ui.allocate_exact_size(cell_size, Sense::hover());
                let colour = palette.term(cell.term);
                // Clipped: a long command shows its start, the hover gives it whole.
                let painter = ui.painter().with_clip_rect(rect.intersect(ui.clip_rect()));
                if cell.committed {
                    painter.rect_filled(rect, 4.0, colour);
                    painter.rect_stroke(rect, 4.0, Stroke::new(1.5, ink), egui::StrokeKind::Inside);
                } else {
                    painter.rect_filled(rect, 4.0, colour.gamma_multiply(0.45));
                    let r = rect.shrink(1.0);
                    let corners = [
                        r.left_top(),
                        r.right_top(),
                        r.right_bottom(),
                        r.left_bottom(),
                        r.left_top(),
                    ];
                    painter.extend(Shape::dashed_line(
                        &corners,
                        Stroke::new(1.5, ink),
                        5.0,
                        4.0,
                    ));
                }
                let text = if cell.committed { Color32::BLACK } else { ink };
                if compact {
                    painter.text(
                        rect.left_center() + Vec2::new(4.0, 0.0),
                        Align2::LEFT_CENTER,
                        cell.entry.to_string(),
                        FontId::proportional(11.0),
                        text,
                    );
                } else {
                    painter.text(
                        rect.left_top() + Vec2::new(4.0, 2.0),
                        Align2::LEFT_TOP,
                        format!("[{}] t{}", i + 1, cell.term),
                        FontId::monospace(10.0),
                        text,
                    );
                    painter.text(
                        rect.left_bottom() + Vec2::new(4.0, -2.0),
                        Align2::LEFT_BOTTOM,
                        cell.entry.to_string(),
                        FontId::proportional(11.0),
                        text,
                    );
                }
                resp.on_hover_text(fill(
                    tr(if cell.committed {
                        crate::ui::raft::words::ENTRY_COMMITTED
                    } else {
                        crate::ui::raft::words::ENTRY_UNCOMMITTED
                    }),
                    &[&(i + 1), &cell.term, &cell.entry],
                ));
            }
            if row.cells.is_empty() {
                ui.label(RichText::new(tr(crate::ui::raft::words::LOG_EMPTY)).color(weak));
            }
        };
        // Compact cells lose their index line: the indexes head the columns instead.
        let longest = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        let header = |ui: &mut Ui| {
            for index in 1..=longest {
                let (rect, _) =
                    ui.allocate_exact_size(Vec2::new(cell_size.x, 16.0), Sense::hover());
                ui.painter().text(
                    rect.center(),
                    Align2::CENTER_CENTER,
                    format!("[{index}]"),
                    FontId::monospace(12.0),
                    ink,
                );
            }
        };
        let rects = crate::ui::multipaxos::log_view::rows_with_heads(
            ui,
            "raft-log",
            crate::ui::multipaxos::log_view::RowsLook {
                head_width: 64.0,
                row_height: cell_size.y,
                header_height: if compact && longest > 0 { 16.0 } else { 0.0 },
            },
            rows.len(),
            heads,
            (compact && longest > 0).then_some(header),
            cells,
        );
        drawn.extend(rows.iter().map(|r| r.server).zip(rects));
        if compact {
            return drawn;
        }
        ui.label(
            RichText::new(tr(crate::ui::raft::words::LOG_LEGEND))
                .small()
                .color(weak),
        );
        drawn
    }
}

#[derive(Default)]
pub struct RaftLeaderView;

impl RaftLeaderView {
    pub fn ui(&mut self, ui: &mut Ui, world: &RaftWorld, lang: Lang) {
        let tr = |t: T| t.get(lang);
        let Some(p) = progress(world) else {
            ui.label(tr(crate::ui::raft::words::NO_LEADER));
            for slot in world.nodes().iter().filter(|s| s.up) {
                if let crate::protocols::raft::Node::Server(s) = &slot.state
                    && let crate::protocols::raft::Role::Candidate { votes } = s.role
                {
                    ui.label(fill(
                        tr(crate::ui::raft::words::CAMPAIGNS),
                        &[&slot.id, &s.term, &votes.count_ones()],
                    ));
                }
            }
            return;
        };
        ui.label(
            RichText::new(fill(
                tr(crate::ui::raft::words::LEADS),
                &[&p.leader, &p.term, &p.commit],
            ))
            .strong(),
        );
        Grid::new("raft-progress")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                ui.label("");
                ui.label(RichText::new("nextIndex").monospace());
                ui.label(RichText::new("matchIndex").monospace());
                ui.end_row();
                for (server, next, matched) in &p.followers {
                    if *server == p.leader {
                        continue;
                    }
                    ui.label(server.to_string());
                    ui.label(next.to_string());
                    ui.label(matched.to_string());
                    ui.end_row();
                }
            });
    }
}
