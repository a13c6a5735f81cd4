//! The Multi-Paxos log: a grid of servers by slots. Each cell shows the command and the ballot
//! of the server's vote and whether it is only accepted, known chosen or applied; holes stand
//! out; each row ends with its commit and applied watermarks, drawn as lines too. Clicking a
//! cell shows every server's vote in that slot. The grid scrolls to follow the newest slots.

use egui::{Color32, Rect, RichText, Sense, Stroke, Ui, Vec2};

use crate::palette::Palette;
use crate::protocols::kv::Entry;
use crate::protocols::multipaxos::MultiPaxosWorld;
use crate::protocols::multipaxos::describe::{CellState, LogRow, log_rows, slot_votes};
use crate::sim::NodeId;
use crate::ui::i18n::{Lang, T, fill};

#[derive(Default)]
pub struct LogView {
    /// The slot whose votes are shown under the grid.
    pub selected: Option<u32>,
    /// One line per cell (the command; the ballot on hover) and no votes under the grid: the
    /// side-by-side view, where both logs share the window with both graphs.
    pub compact: bool,
}

/// A cell's text: the entry without its request id (`put x=1`, `no-op`); commands are code and
/// read the same in both languages, a no-op is a word.
fn entry_text(e: &Entry, lang: Lang) -> String {
    match e {
        Entry::Noop => T::LogNoop.get(lang).to_string(),
        Entry::Cmd(c) => c.op.to_string(),
    }
}

impl LogView {
    /// Draws the grid; returns where each server's row was drawn.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        world: &MultiPaxosWorld,
        lang: Lang,
        palette: &Palette,
    ) -> Vec<(NodeId, Rect)> {
        let tr = |t: T| t.get(lang);
        let rows = log_rows(world);
        let slots = rows.first().map_or(0, |r| r.cells.len());
        let mut drawn = Vec::new();
        if slots == 0 {
            ui.label(tr(T::LogEmpty));
            return drawn;
        }
        let compact = self.compact;
        let cell = if compact {
            Vec2::new(76.0, 24.0)
        } else {
            Vec2::new(92.0, 36.0)
        };
        let selected = self.selected;
        let heads = |ui: &mut Ui, i: usize| {
            let row = &rows[i];
            if compact {
                // One line: the name, and the ballot it leads in (a crashed server's name in
                // the crash colour).
                let text = match (row.up, row.leads) {
                    (true, Some(b)) => format!("{} ★{b}", row.server),
                    _ => row.server.to_string(),
                };
                let name = RichText::new(text).strong();
                ui.label(if row.up {
                    name
                } else {
                    name.color(palette.crashed)
                });
                return;
            }
            let name = RichText::new(row.server.to_string()).strong();
            ui.label(if row.up {
                name
            } else {
                name.color(palette.crashed)
            });
            // A crashed server's lead is gone with its volatile state.
            if !row.up {
                ui.label(RichText::new(tr(T::Crashed)).small());
            } else if let Some(b) = row.leads {
                ui.label(RichText::new(fill(tr(T::LogLeads), &[&b])).small());
            }
        };
        let header = |ui: &mut Ui| {
            for slot in 1..=slots {
                let text = format!("{} {slot}", tr(T::LogSlot));
                let (rect, _) = ui.allocate_exact_size(Vec2::new(cell.x, 16.0), Sense::hover());
                let strong = selected == Some(slot as u32);
                ui.painter().text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    text,
                    egui::FontId::proportional(13.0),
                    if strong {
                        ui.visuals().strong_text_color()
                    } else {
                        ui.visuals().text_color()
                    },
                );
            }
        };
        let cells = |ui: &mut Ui, i: usize| self.row(ui, &rows[i], cell, lang, palette);
        let rects = rows_with_heads(
            ui,
            "log-grid",
            RowsLook {
                head_width: 86.0,
                row_height: cell.y,
                header_height: 16.0,
            },
            rows.len(),
            heads,
            Some(header),
            cells,
        );
        drawn.extend(rows.iter().map(|r| r.server).zip(rects));
        if compact {
            return drawn;
        }
        ui.separator();
        match self.selected.filter(|s| (1..=slots as u32).contains(s)) {
            Some(slot) => self.votes(ui, world, slot, lang),
            None => {
                ui.label(tr(T::LogPickSlot));
            }
        }
        drawn
    }

    /// One server's cells, then its watermarks.
    fn row(&mut self, ui: &mut Ui, row: &LogRow, cell: Vec2, lang: Lang, palette: &Palette) {
        let tr = |t: T| t.get(lang);
        for (i, c) in row.cells.iter().enumerate() {
            let slot = i as u32 + 1;
            let (fill_colour, text_colour) = match c.state {
                CellState::Applied => (palette.ok, Color32::WHITE),
                CellState::Chosen => (palette.chosen, Color32::BLACK),
                CellState::Accepted => (
                    palette.accept.gamma_multiply(0.35),
                    ui.visuals().strong_text_color(),
                ),
                CellState::Hole => (
                    palette.violation.gamma_multiply(0.35),
                    ui.visuals().strong_text_color(),
                ),
                CellState::Empty => (Color32::TRANSPARENT, ui.visuals().weak_text_color()),
            };
            let (rect, response) = ui.allocate_exact_size(cell, Sense::click());
            // A cell's words, built only when it is drawn, hovered or read out: a long log
            // would otherwise format a thousand cells a frame that nobody sees.
            let text = || match (c.state, c.entry) {
                (CellState::Hole, _) => tr(T::LogHole).to_string(),
                (_, Some(e)) => entry_text(&e, lang),
                (_, None) => String::new(),
            };
            let ballot = || c.ballot.map(|b| b.to_string()).unwrap_or_default();
            if ui.is_rect_visible(rect) {
                let painter = ui.painter();
                let selected = self.selected == Some(slot);
                painter.rect_filled(rect, 4.0, fill_colour);
                let stroke = if selected {
                    Stroke::new(2.0, ui.visuals().strong_text_color())
                } else if c.state == CellState::Hole {
                    Stroke::new(1.5, palette.violation)
                } else {
                    Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color)
                };
                painter.rect_stroke(rect, 4.0, stroke, egui::StrokeKind::Inside);
                if self.compact {
                    painter.text(
                        rect.center(),
                        egui::Align2::CENTER_CENTER,
                        text(),
                        egui::FontId::proportional(12.0),
                        text_colour,
                    );
                } else {
                    painter.text(
                        rect.center_top() + Vec2::new(0.0, 6.0),
                        egui::Align2::CENTER_TOP,
                        text(),
                        egui::FontId::proportional(13.0),
                        text_colour,
                    );
                    painter.text(
                        rect.center_bottom() - Vec2::new(0.0, 5.0),
                        egui::Align2::CENTER_BOTTOM,
                        ballot(),
                        egui::FontId::monospace(11.0),
                        text_colour.gamma_multiply(0.8),
                    );
                }
                // The watermarks: a line after the last slot known chosen and after the last
                // applied (the applied one inside, so both show when they coincide).
                for (mark, x, colour) in [
                    (row.commit, rect.right() + 2.0, palette.chosen),
                    (row.applied, rect.right() - 1.0, palette.ok),
                ] {
                    if slot == mark {
                        painter.line_segment(
                            [
                                egui::pos2(x, rect.top() - 2.0),
                                egui::pos2(x, rect.bottom() + 2.0),
                            ],
                            Stroke::new(3.0, colour),
                        );
                    }
                }
            }
            let state_word = match c.state {
                CellState::Applied => tr(T::LogApplied),
                CellState::Chosen => tr(T::Chosen),
                CellState::Accepted => tr(T::AcceptedVote),
                CellState::Hole => tr(T::LogHole),
                CellState::Empty => "",
            };
            let response = response.on_hover_ui(|ui| {
                ui.label(format!(
                    "{} · {} {slot} · {state_word} {} {}",
                    row.server,
                    tr(T::LogSlot),
                    text(),
                    ballot()
                ));
            });
            response.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::Button,
                    true,
                    format!("{} {} {slot}: {}", row.server, tr(T::LogSlot), text()),
                )
            });
            if response.clicked() {
                self.selected = Some(slot);
            }
        }
        ui.label(fill(tr(T::LogWatermarks), &[&row.commit, &row.applied]));
    }

    fn votes(&self, ui: &mut Ui, world: &MultiPaxosWorld, slot: u32, lang: Lang) {
        let tr = |t: T| t.get(lang);
        let (votes, chosen) = slot_votes(world, slot);
        ui.label(RichText::new(fill(tr(T::LogVotesTitle), &[&slot])).strong());
        egui::Grid::new("log-votes").striped(true).show(ui, |ui| {
            for (server, vote) in votes {
                ui.label(server.to_string());
                match vote {
                    Some((b, e)) => ui.label(format!("{b}  {}", entry_text(&e, lang))),
                    None => ui.label(tr(T::LogNoVote)),
                };
                ui.end_row();
            }
        });
        ui.label(match chosen {
            Some((e, b)) => fill(tr(T::LogChosenIn), &[&entry_text(&e, lang), &b]),
            None => tr(T::LogNotChosen).to_string(),
        });
    }
}

/// The sizes of a table of rows under a fixed column of heads.
#[derive(Clone, Copy)]
pub(crate) struct RowsLook {
    pub head_width: f32,
    pub row_height: f32,
    /// A header row over the cells (slot numbers), or 0.
    pub header_height: f32,
}

/// Rows of cells beside a fixed column of row heads: the heads (the servers) stay in view while
/// the cells scroll sideways, following the newest. Returns each row's rectangle on screen
/// (its head and its visible cells).
pub(crate) fn rows_with_heads(
    ui: &mut Ui,
    id_salt: &str,
    look: RowsLook,
    rows: usize,
    mut head: impl FnMut(&mut Ui, usize),
    header: Option<impl FnOnce(&mut Ui)>,
    mut cells: impl FnMut(&mut Ui, usize),
) -> Vec<Rect> {
    const GAP: f32 = 4.0;
    let mut rects = Vec::with_capacity(rows);
    ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing = Vec2::splat(GAP);
        ui.vertical(|ui| {
            ui.set_width(look.head_width);
            if look.header_height > 0.0 {
                ui.allocate_exact_size(
                    Vec2::new(look.head_width, look.header_height),
                    Sense::hover(),
                );
            }
            for i in 0..rows {
                let (rect, _) = ui.allocate_exact_size(
                    Vec2::new(look.head_width, look.row_height),
                    Sense::hover(),
                );
                let mut child = ui.new_child(
                    egui::UiBuilder::new()
                        .max_rect(rect)
                        .layout(egui::Layout::top_down(egui::Align::Min)),
                );
                child.spacing_mut().item_spacing.y = 0.0;
                child.set_clip_rect(rect.intersect(ui.clip_rect()));
                head(&mut child, i);
                rects.push(rect);
            }
        });
        egui::ScrollArea::horizontal()
            .id_salt(id_salt)
            .stick_to_right(true)
            .show(ui, |ui| {
                ui.vertical(|ui| {
                    if let Some(header) = header {
                        ui.horizontal(|ui| {
                            ui.set_height(look.header_height);
                            header(ui);
                        });
                    }
                    for (i, covered) in rects.iter_mut().enumerate() {
                        let row = ui
                            .horizontal(|ui| {
                                ui.set_height(look.row_height);
                                cells(ui, i);
                            })
                            .response
                            .rect;
                        *covered = covered.union(row.intersect(ui.clip_rect()));
                    }
                });
            });
    });
    rects
}
