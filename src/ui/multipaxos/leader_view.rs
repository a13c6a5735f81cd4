//! The Multi-Paxos leader panel: who leads (or campaigns) and in which ballot, whether phase 1
//! is done, the next slot, and what leading saves: how many commands cost phase 2 alone, and
//! messages per committed command.

use egui::{Grid, RichText, Ui};

use crate::protocols::multipaxos::MultiPaxosWorld;
use crate::protocols::multipaxos::describe::leader_figures;
use crate::ui::i18n::{Lang, T, fill};

#[derive(Default)]
pub struct LeaderView;

impl LeaderView {
    pub fn ui(&mut self, ui: &mut Ui, world: &MultiPaxosWorld, lang: Lang) {
        let tr = |t: T| t.get(lang);
        let f = leader_figures(world);
        let dash = || "—".to_string();
        Grid::new("leader-figures")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                match (f.server, f.ballot) {
                    (Some(server), Some(ballot)) => {
                        ui.label(tr(T::LeaderServer));
                        ui.label(RichText::new(server.to_string()).strong());
                        ui.end_row();
                        ui.label(tr(T::Ballot));
                        ui.label(RichText::new(ballot.to_string()).monospace());
                        ui.end_row();
                        ui.label(tr(T::LeaderPhase));
                        ui.label(if f.prepared {
                            tr(T::LeaderPrepared).to_string()
                        } else {
                            fill(tr(T::LeaderPreparing), &[&f.promises.0, &f.promises.1])
                        });
                        ui.end_row();
                        ui.label(tr(T::LeaderNext));
                        ui.label(f.next.map_or_else(dash, |n| n.to_string()));
                        ui.end_row();
                        ui.label(tr(T::LeaderPhase2Only));
                        ui.label(f.phase2_only.to_string());
                        ui.end_row();
                        // What the leader itself knows is chosen: its commit index.
                        let commit = crate::protocols::multipaxos::describe::log_rows(world)
                            .iter()
                            .find(|r| r.server == server)
                            .map(|r| r.commit);
                        ui.label(tr(T::LeaderCommitIndex));
                        ui.label(commit.map_or_else(dash, |c| c.to_string()));
                        ui.end_row();
                    }
                    _ => {
                        ui.label(tr(T::LeaderNone));
                        ui.end_row();
                    }
                }
                ui.label(tr(T::LeaderCommitted));
                ui.label(f.committed.to_string());
                ui.end_row();
                ui.label(tr(T::LeaderPerCommand));
                ui.label(
                    f.messages_per_command()
                        .map_or_else(dash, |m| format!("{m:.1}")),
                );
                ui.end_row();
            });
    }
}
