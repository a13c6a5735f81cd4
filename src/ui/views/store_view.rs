//! A replicated store's replicas (Multi-Paxos, Raft): each replica's key-value state side by side, a row per server and a
//! column per key. Values that changed in the last step are highlighted; a replica that lags
//! says by how many slots; one that differs from a replica at the same point of the log (state
//! machine safety broken) stands out in red.

use egui::{Color32, RichText, Ui};

use crate::palette::Palette;
use crate::protocols::ids::Value;
use crate::protocols::kv::views::{Replicated, StoreRow, store_rows};
use crate::sim::World;
use crate::ui::i18n::{Lang, T, fill};

#[derive(Default)]
pub struct StoreView {
    /// Count the log in entries (Raft) rather than slots (Multi-Paxos).
    pub entries: bool,
}

impl StoreView {
    /// `before` is the world one step back, for highlighting what changed (none at step 0).
    pub fn ui<P: Replicated>(
        &mut self,
        ui: &mut Ui,
        world: &World<P>,
        before: Option<&World<P>>,
        lang: Lang,
        palette: &Palette,
    ) {
        let tr = |t: T| t.get(lang);
        let rows = store_rows(world);
        let old: Vec<StoreRow> = before.map(store_rows).unwrap_or_default();
        let mut keys: Vec<Value> = rows.iter().flat_map(|r| r.kv.keys().copied()).collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            ui.label(tr(T::StoreEmpty));
        }
        let newest = rows.iter().map(|r| r.applied).max().unwrap_or(0);
        egui::Grid::new("stores")
            .striped(true)
            .spacing(egui::vec2(14.0, 6.0))
            .show(ui, |ui| {
                ui.label(RichText::new(tr(T::StoreKey)).weak());
                for k in &keys {
                    ui.label(RichText::new(k.to_string()).monospace().strong());
                }
                ui.label("");
                ui.end_row();
                for row in &rows {
                    let head = if row.up {
                        row.server.to_string()
                    } else {
                        format!("{} ({})", row.server, tr(T::Crashed))
                    };
                    ui.label(RichText::new(head).strong());
                    let was = old.iter().find(|r| r.server == row.server);
                    for k in &keys {
                        let now = row.kv.get(k);
                        let changed = was.is_some_and(|w| w.kv.get(k) != now);
                        let text = now.map_or(tr(T::StoreNoValue).to_string(), |v| v.to_string());
                        let mut rich = RichText::new(text).monospace();
                        if changed {
                            rich = rich.background_color(palette.changed).color(Color32::BLACK);
                        }
                        if row.diverged {
                            rich = rich.color(palette.violation).strong();
                        }
                        ui.label(rich);
                    }
                    let mut note = fill(
                        tr(if self.entries {
                            T::StoreAppliedUpToEntry
                        } else {
                            T::StoreAppliedUpTo
                        }),
                        &[&row.applied],
                    );
                    if row.applied < newest {
                        let behind = newest - row.applied;
                        let words = if behind == 1 {
                            tr(if self.entries {
                                T::StoreBehindOneEntry
                            } else {
                                T::StoreBehindOne
                            })
                            .to_string()
                        } else {
                            fill(
                                tr(if self.entries {
                                    T::StoreBehindEntries
                                } else {
                                    T::StoreBehind
                                }),
                                &[&behind],
                            )
                        };
                        note = format!("{note} · {words}");
                    }
                    if row.diverged {
                        ui.label(
                            RichText::new(format!("{note} · {}", tr(T::StoreDiverged)))
                                .color(palette.violation),
                        );
                    } else {
                        ui.label(RichText::new(note).weak());
                    }
                    ui.end_row();
                }
            });
    }
}
