//! PBFT's certificate log and view panel. A row per replica, a cell per slot, marked with how
//! far that replica got there (pre-prepared, prepared, committed-local, executed) and the
//! request it holds, so a class sees an equivocating primary split the honest replicas. The
//! view panel says who is primary, the quorum sizes, and, live, whether n >= 3f + 1.

use egui::{Align2, Color32, FontId, Grid, Rect, RichText, Sense, Stroke, Ui, Vec2};

use crate::palette::Palette;
use crate::protocols::pbft::describe::{Stage, cert_rows, view_figures};
use crate::protocols::pbft::{PbftWorld, entry_id};
use crate::protocols::plugin::Tint;
use crate::sim::NodeId;
use crate::ui::i18n::{Lang, T, fill};
use crate::ui::pbft::words;

#[derive(Default)]
pub struct CertLogView;

const CELL: Vec2 = Vec2::new(70.0, 34.0);

fn stage_words(stage: Stage) -> T {
    match stage {
        Stage::Executed => words::STAGE_EXECUTED,
        Stage::Committed => words::STAGE_COMMITTED,
        Stage::Prepared => words::STAGE_PREPARED,
        Stage::PrePrepared | Stage::Empty => words::STAGE_PRE_PREPARED,
    }
}

impl CertLogView {
    /// Draws the certificates; returns where each replica's row was drawn.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        world: &PbftWorld,
        lang: Lang,
        palette: &Palette,
    ) -> Vec<(NodeId, Rect)> {
        let tr = |t: T| t.get(lang);
        let rows = cert_rows(world);
        let ink = ui.visuals().strong_text_color();
        let weak = ui.visuals().weak_text_color();
        let heads = |ui: &mut Ui, i: usize| {
            let row = &rows[i];
            let name = if row.primary && row.active {
                format!("★ {}", row.replica)
            } else {
                row.replica.to_string()
            };
            let mut label = RichText::new(name).monospace().strong();
            if !row.up {
                label = label.color(palette.crashed);
            } else if row.byzantine {
                label = label.color(palette.violation);
            }
            ui.label(label).on_hover_text(fill(
                tr(words::ROW_HOVER),
                &[&row.replica, &row.view, &row.executed],
            ));
            let view = if row.active {
                fill(tr(words::VIEW), &[&row.view])
            } else {
                fill(tr(words::CHANGING_TO), &[&row.view])
            };
            ui.label(RichText::new(view).small());
        };
        let cells = |ui: &mut Ui, i: usize| {
            let row = &rows[i];
            for (k, cell) in row.cells.iter().enumerate() {
                let (rect, resp) = ui.allocate_exact_size(CELL, Sense::hover());
                let painter = ui.painter().with_clip_rect(rect.intersect(ui.clip_rect()));
                let (mark, fill_colour) = match cell.stage {
                    Stage::Empty => ("", None),
                    // The colours of the messages that got it there: one family per phase.
                    Stage::PrePrepared => {
                        ("PP", Some(palette.tint(Tint::Ask1).gamma_multiply(0.45)))
                    }
                    Stage::Prepared => ("P", Some(palette.tint(Tint::Ask2))),
                    Stage::Committed => ("C", Some(palette.tint(Tint::Phase3))),
                    Stage::Executed => ("E", Some(palette.tint(Tint::Answer2))),
                };
                match fill_colour {
                    Some(c) => {
                        painter.rect_filled(rect, 4.0, c);
                        painter.rect_stroke(
                            rect,
                            4.0,
                            Stroke::new(1.0, ink),
                            egui::StrokeKind::Inside,
                        );
                    }
                    None => {
                        painter.rect_stroke(
                            rect,
                            4.0,
                            Stroke::new(1.0, weak),
                            egui::StrokeKind::Inside,
                        );
                    }
                }
                // Dark or light ink by the fill's lightness (the colour-blind phase 3 is black on
                // a light background); the see-through pre-prepared fill keeps the theme's ink.
                let text = match fill_colour {
                    Some(c) if cell.stage >= Stage::Prepared => readable_on(c),
                    _ => ink,
                };
                painter.text(
                    rect.left_top() + Vec2::new(4.0, 2.0),
                    Align2::LEFT_TOP,
                    format!("{} {mark}", k + 1),
                    FontId::monospace(10.0),
                    text,
                );
                if let Some(entry) = cell.entry {
                    painter.text(
                        rect.left_bottom() + Vec2::new(4.0, -2.0),
                        Align2::LEFT_BOTTOM,
                        entry_id(&entry),
                        FontId::proportional(11.0),
                        text,
                    );
                    resp.on_hover_text(fill(
                        tr(words::CELL_HOVER),
                        &[
                            &(k + 1),
                            &crate::protocols::pbft::entry_words(&entry),
                            &tr(stage_words(cell.stage)),
                            &cell.prepares,
                            &cell.commits,
                        ],
                    ));
                }
            }
            if row.cells.is_empty() {
                ui.label(RichText::new(tr(words::LOG_EMPTY)).color(weak));
            }
        };
        let rects = crate::ui::multipaxos::log_view::rows_with_heads(
            ui,
            "pbft-certificates",
            crate::ui::multipaxos::log_view::RowsLook {
                head_width: 96.0,
                row_height: CELL.y,
                header_height: 0.0,
            },
            rows.len(),
            heads,
            None::<fn(&mut Ui)>,
            cells,
        );
        ui.label(RichText::new(tr(words::LOG_LEGEND)).small().color(weak));
        rows.iter().map(|r| r.replica).zip(rects).collect()
    }
}

#[derive(Default)]
pub struct ViewPanel;

impl ViewPanel {
    pub fn ui(&mut self, ui: &mut Ui, world: &PbftWorld, lang: Lang) {
        let tr = |t: T| t.get(lang);
        let f = view_figures(world);
        let f3 = 3 * f.faults as u32 + 1;
        let bound = if f.servers as u32 >= f3 && f.liars <= f.faults as usize {
            RichText::new(fill(tr(words::BOUND_HOLDS), &[&f.servers, &f3, &f.quorum]))
        } else if f.servers as u32 >= f3 {
            RichText::new(fill(tr(words::TOO_MANY_LIARS), &[&f.liars, &f.faults]))
                .color(ui.visuals().warn_fg_color)
        } else {
            RichText::new(fill(tr(words::BOUND_BROKEN), &[&f.servers, &f3, &f.quorum]))
                .color(ui.visuals().warn_fg_color)
        };
        ui.label(bound.strong());
        Grid::new("pbft-view")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                ui.label(tr(words::PANEL_VIEW));
                ui.label(RichText::new(f.view.to_string()).monospace());
                ui.end_row();
                ui.label(tr(words::PANEL_PRIMARY));
                ui.label(RichText::new(f.primary.to_string()).strong());
                ui.end_row();
                ui.label(tr(words::PANEL_QUORUM));
                ui.label(f.quorum.to_string());
                ui.end_row();
                ui.label(tr(words::PANEL_REPLIES));
                ui.label((f.faults as u32 + 1).to_string());
                ui.end_row();
                if !f.changing.is_empty() {
                    let who: Vec<String> = f
                        .changing
                        .iter()
                        .map(|(id, v)| format!("{id} → {v}"))
                        .collect();
                    ui.label(tr(words::PANEL_CHANGING));
                    ui.label(who.join(", "));
                    ui.end_row();
                }
                ui.label(tr(words::PANEL_EXECUTED));
                ui.label(f.executed.to_string());
                ui.end_row();
            });
    }
}

/// Black or white, whichever reads better on `fill` (by its relative luminance).
fn readable_on(fill: Color32) -> Color32 {
    let [r, g, b, _] = fill.to_array();
    let luma = 0.2126 * r as f32 + 0.7152 * g as f32 + 0.0722 * b as f32;
    if luma > 110.0 {
        Color32::BLACK
    } else {
        Color32::WHITE
    }
}
