//! The sandbox settings every app shows, and the protocol picker at their top: Paxos,
//! Multi-Paxos or Raft. This part edits a store protocol's run settings (servers, clients,
//! workload, flaws, seed, timing, random faults); the window around it starts the run.

use egui::Ui;

use crate::palette::Palette;
use crate::protocols::kv::Workload;
use crate::protocols::kv::config::StoreConfig;
use crate::sim::Knobs;
use crate::sim::ids::MAX_PER_ROLE;
use crate::trace::Protocol;
use crate::ui::i18n::{Lang, T};

/// The protocol picker: one choice per protocol of the registry.
pub fn protocol_picker(ui: &mut Ui, choice: &mut Protocol, lang: Lang) {
    ui.horizontal(|ui| {
        ui.label(T::Protocol.get(lang));
        for &p in Protocol::ALL {
            let name =
                crate::with_protocol!(p, P => <P as crate::ui::workspace::Shown>::choice_name());
            ui.radio_value(choice, p, name.get(lang));
        }
    });
}

/// A store protocol's sandbox settings being edited.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreSettings<C> {
    pub config: C,
    pub knobs: Knobs,
}

impl<C: StoreConfig> Default for StoreSettings<C> {
    fn default() -> Self {
        StoreSettings {
            config: C::default(),
            // Clients keep asking, so a sandbox has traffic; nothing fails unless asked to.
            knobs: Knobs {
                propose: 0.05,
                ..Knobs::NONE
            },
        }
    }
}

impl<C: StoreConfig> StoreSettings<C> {
    /// The fields, and whether they make a valid run (the reason shown when not).
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, palette: &Palette) -> bool {
        let tr = |t: T| t.get(lang);
        let c = self.config.fields();
        egui::Grid::new("multipaxos-settings")
            .num_columns(2)
            .show(ui, |ui| {
                // Every field is named by its label, for screen readers and tests.
                let l = ui.label(tr(T::Servers));
                ui.add(egui::DragValue::new(c.servers).range(1..=MAX_PER_ROLE.min(9)))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(tr(T::Clients));
                ui.add(egui::DragValue::new(c.clients).range(0..=MAX_PER_ROLE.min(9)))
                    .labelled_by(l.id);
                ui.end_row();
                ui.label(tr(T::Workload));
                ui.horizontal(|ui| {
                    for (w, t) in [
                        (Workload::Mixed, T::WorkloadMixed),
                        (Workload::PutGet, T::WorkloadPutGet),
                    ] {
                        ui.radio_value(c.workload, w, tr(t));
                    }
                });
                ui.end_row();
                let l = ui.label(tr(T::Seed));
                ui.add(egui::DragValue::new(c.seed)).labelled_by(l.id);
                ui.end_row();
                let l = ui.label(tr(T::Latency));
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut c.latency.0).range(1..=1000))
                        .labelled_by(l.id);
                    ui.add(egui::DragValue::new(&mut c.latency.1).range(c.latency.0..=1000))
                        .labelled_by(l.id);
                });
                ui.end_row();
                let l = ui.label(tr(T::TimeoutTicks));
                ui.add(egui::DragValue::new(c.timeout).range(3..=10_000))
                    .labelled_by(l.id);
                ui.end_row();
                let k = &mut self.knobs;
                for (t, p) in [
                    (T::DropProbability, &mut k.drop),
                    (T::DuplicateProbability, &mut k.duplicate),
                    (T::CrashProbability, &mut k.crash),
                    (T::RestartProbability, &mut k.restart),
                    (T::ProposeProbability, &mut k.propose),
                    (T::PauseProbability, &mut k.pause),
                ] {
                    let l = ui.label(tr(t));
                    ui.add(egui::Slider::new(p, 0.0..=0.5)).labelled_by(l.id);
                    ui.end_row();
                }
            });
        ui.label(tr(T::Flaws));
        for &flaw in C::all_flaws() {
            let (name, rule) = C::flaw_words(flaw);
            let flaws = self.config.flaws();
            let mut on = flaws.contains(&flaw);
            if ui.checkbox(&mut on, name).on_hover_text(rule).changed() {
                flaws.retain(|x| *x != flaw);
                if on {
                    flaws.push(flaw);
                }
            }
        }
        if let Some(e) = self.config.fields().leader {
            ui.label(tr(T::ElectionOptions));
            ui.checkbox(e.pre_vote, tr(T::PreVote))
                .on_hover_text(tr(T::PreVoteHint));
            ui.checkbox(e.check_quorum, tr(T::CheckQuorum))
                .on_hover_text(tr(T::CheckQuorumHint));
            ui.label(tr(T::ReadOptions));
            ui.horizontal_wrapped(|ui| {
                for reads in crate::protocols::kv::Reads::ALL {
                    let (name, hint) = reads_texts(reads);
                    ui.radio_value(e.reads, reads, tr(name))
                        .on_hover_text(tr(hint));
                }
            });
            ui.horizontal(|ui| {
                let l = ui.label(tr(T::ClockDrift));
                ui.add(egui::DragValue::new(e.drift).range(0..=crate::sim::world::MAX_DRIFT))
                    .labelled_by(l.id);
            });
        }
        // Raft: the first configuration, the rest of the servers waiting to be added.
        {
            let f = self.config.fields();
            let servers = *f.servers;
            if let Some(voters) = f.voters {
                *voters = (*voters).min(servers);
                ui.horizontal(|ui| {
                    let l = ui.label(tr(T::FirstConfiguration));
                    ui.add(egui::DragValue::new(voters).range(0..=servers))
                        .labelled_by(l.id)
                        .on_hover_text(tr(T::FirstConfigurationHint));
                });
            }
        }
        // Servers may lie; clients are trusted.
        ui.label(tr(T::ByzantineNodes));
        ui.horizontal_wrapped(|ui| {
            let f = self.config.fields();
            let servers = *f.servers;
            f.byzantine.retain(|id| id.index <= servers);
            for i in 1..=servers {
                let id = crate::protocols::kv::server(i);
                let mut on = f.byzantine.contains(&id);
                if ui
                    .checkbox(&mut on, id.to_string())
                    .on_hover_text(tr(T::ByzantineHint))
                    .changed()
                {
                    f.byzantine.retain(|x| *x != id);
                    if on {
                        f.byzantine.push(id);
                        f.byzantine.sort();
                    }
                }
            }
        });
        if !self.config.clone().fields().byzantine.is_empty() {
            let l = ui.label(tr(T::LieProbability));
            ui.add(egui::Slider::new(&mut self.knobs.lie, 0.0..=0.5))
                .labelled_by(l.id);
        }
        let valid = self.config.check().and_then(|_| self.knobs.validate());
        if let Err(e) = &valid {
            ui.colored_label(palette.violation, e);
        }
        valid.is_ok()
    }
}

/// A server's caption in the graph, led by "paused until tick N" while it is paused: a paused
/// node looks exactly like a live one otherwise.
pub fn paused_caption<P: crate::sim::Protocol>(
    world: &crate::sim::World<P>,
    id: crate::sim::NodeId,
    caption: String,
    lang: Lang,
) -> String {
    let clock = world.clock(id);
    if clock.paused_at(world.now()) {
        let paused = crate::ui::i18n::fill(T::PausedUntil.get(lang), &[&clock.paused_until]);
        format!("{paused} · {caption}")
    } else {
        caption
    }
}

/// What the inspector says of a node's clock, when it is not the world's: how far behind after
/// a pause, how fast or slow, and until when it is paused.
pub fn clock_lines(ui: &mut Ui, clock: crate::sim::world::Clock, now: u64, lang: Lang) {
    use crate::ui::i18n::fill;
    if clock.behind > 0 {
        ui.label(fill(T::ClockBehind.get(lang), &[&clock.behind]));
    }
    if clock.drift != 0 {
        ui.label(fill(
            T::ClockDrifts.get(lang),
            &[&format!("{:+}", clock.drift)],
        ));
    }
    if clock.paused_at(now) {
        ui.label(fill(T::PausedUntil.get(lang), &[&clock.paused_until]));
    }
}

/// A read mode's name and its hint, as the settings and the views show them.
pub fn reads_texts(reads: crate::protocols::kv::Reads) -> (T, T) {
    use crate::protocols::kv::Reads;
    match reads {
        Reads::Log => (T::ReadsLog, T::ReadsLogHint),
        Reads::ReadIndex => (T::ReadsReadIndex, T::ReadsReadIndexHint),
        Reads::Lease => (T::ReadsLease, T::ReadsLeaseHint),
    }
}

/// What the inspector says of server `id`'s election and read options (see
/// `kv::ElectionState`), its lease read by its own clock.
pub fn election_lines<P: crate::sim::Protocol>(
    ui: &mut Ui,
    e: &crate::protocols::kv::ElectionState,
    world: &crate::sim::World<P>,
    id: crate::sim::NodeId,
    lang: Lang,
) {
    let local = world.clock(id).local(world.now());
    use crate::protocols::kv::Reads;
    let reads = (e.reads != Reads::Log).then(|| reads_texts(e.reads).0);
    let on: Vec<&str> = [(e.pre_vote, T::PreVote), (e.check_quorum, T::CheckQuorum)]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, t)| t)
        .chain(reads)
        .map(|t| t.get(lang))
        .collect();
    if !on.is_empty() {
        ui.label(crate::ui::i18n::fill(
            T::OptionsOn.get(lang),
            &[&on.join(if lang == Lang::Zh { "、" } else { ", " })],
        ));
    }
    if let Some((heard, beats)) = e.progress {
        ui.label(crate::ui::i18n::fill(
            T::HeardQuorum.get(lang),
            &[&heard, &e.quorum, &(beats + 1)],
        ));
    }
    if let Some(l) = e.live_leader {
        ui.label(crate::ui::i18n::fill(
            T::LiveLeader.get(lang),
            &[&format!("S{l}")],
        ));
    }
    if let Some((round, confirmed, waiting, lease_until)) = e.rounds {
        use crate::ui::i18n::fill;
        ui.label(fill(
            T::ReadRounds.get(lang),
            &[&round, &confirmed, &waiting],
        ));
        if e.reads == Reads::Lease {
            ui.label(if local < lease_until {
                fill(T::LeaseHolds.get(lang), &[&lease_until, &local])
            } else {
                fill(T::LeaseLapsed.get(lang), &[&local])
            });
        }
    }
}
