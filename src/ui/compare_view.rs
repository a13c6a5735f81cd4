//! Multi-Paxos and Raft side by side: both runs of one fault script (`crate::compare`) on one
//! timeline of rounds. Play, step and scrub move both graphs together; the figures of both stand
//! as of the round shown; a mapping panel names what corresponds (ballot and term, phase 1 and
//! `RequestVote`, phase 2 and `AppendEntries`, the chosen watermark and the commit index) with
//! the values of the moment, and the differences, marked once the run has shown them.

use egui::{Context, Grid, RichText, Ui};

use super::i18n::{Lang, T, fill};
use super::store_graph::{GraphFrame, StoreGraph};
use super::theme::Palette;
use crate::compare::{Comparison, Figures, ROWS, Script, cells};
use crate::protocols::kv::Workload;
use crate::protocols::multipaxos::{self, MultiPaxos};
use crate::protocols::raft::{self, Raft};
use crate::session::{Command, Session};

/// The fault scripts shipped with the app: (file name, its text).
pub const BUNDLED_SCRIPTS: &[(&str, &str)] = &[
    (
        "compare/leader-crash.ron",
        include_str!("../../lessons/compare/leader-crash.ron"),
    ),
    (
        "compare/partition.ron",
        include_str!("../../lessons/compare/partition.ron"),
    ),
    (
        "compare/repeated-failover.ron",
        include_str!("../../lessons/compare/repeated-failover.ron"),
    ),
];

/// The bundled scripts that parse (all of them: the tests check).
pub fn bundled_scripts() -> Vec<Script> {
    BUNDLED_SCRIPTS
        .iter()
        .filter_map(|(name, text)| Script::parse(std::path::Path::new(name), text).ok())
        .collect()
}

/// What the holder of the view is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareRequest {
    ToLessons,
}

pub struct CompareView {
    pub scripts: Vec<Script>,
    pub chosen: usize,
    pub comparison: Comparison,
    pub multipaxos: Session<MultiPaxos>,
    pub raft: Session<Raft>,
    /// The round shown (0: before the first).
    pub round: u64,
    pub playing: bool,
    /// Rounds per second while playing.
    pub speed: f64,
    last_tick: Option<f64>,
    mp_graph: StoreGraph<MultiPaxos>,
    raft_graph: StoreGraph<Raft>,
    pub lang: Lang,
    pub dark: bool,
    pub presenter: bool,
    pub request: Option<CompareRequest>,
    /// Set by tests: the clock, frozen.
    pub fixed_time: Option<f64>,
}

impl CompareView {
    /// The view on the first bundled script (or on `script`).
    pub fn new(script: Option<Script>, lang: Lang) -> Result<Self, String> {
        let mut scripts = bundled_scripts();
        let chosen = match script {
            Some(s) => {
                scripts.push(s);
                scripts.len() - 1
            }
            None => 0,
        };
        let first = scripts
            .get(chosen)
            .cloned()
            .ok_or("no fault script to compare on")?;
        let (comparison, multipaxos, raft) = Self::run(&first)?;
        Ok(CompareView {
            scripts,
            chosen,
            comparison,
            multipaxos,
            raft,
            round: 0,
            playing: false,
            speed: 8.0,
            last_tick: None,
            mp_graph: StoreGraph::default(),
            raft_graph: StoreGraph::default(),
            lang,
            dark: true,
            presenter: false,
            request: None,
            fixed_time: None,
        })
    }

    fn run(script: &Script) -> Result<(Comparison, Session<MultiPaxos>, Session<Raft>), String> {
        let c = crate::compare::compare(script, Workload::Mixed);
        let mp = Session::from_trace(&c.multipaxos.trace)?;
        let raft = Session::from_trace(&c.raft.trace)?;
        Ok((c, mp, raft))
    }

    pub fn choose(&mut self, index: usize) -> Result<(), String> {
        let script = self.scripts.get(index).cloned().ok_or("no such script")?;
        let (c, mp, raft) = Self::run(&script)?;
        self.chosen = index;
        self.comparison = c;
        self.multipaxos = mp;
        self.raft = raft;
        self.round = 0;
        self.playing = false;
        Ok(())
    }

    pub fn rounds(&self) -> u64 {
        self.comparison.script.rounds
    }

    /// Both runs at the end of round `round` (0: before the first).
    pub fn seek(&mut self, round: u64) {
        self.round = round.min(self.rounds());
        let step = |rounds: &[(Figures, u64)]| match self.round {
            0 => 0,
            r => rounds.get(r as usize - 1).map_or(0, |x| x.1),
        };
        let (mp, raft) = (
            step(&self.comparison.multipaxos.rounds),
            step(&self.comparison.raft.rounds),
        );
        self.multipaxos.apply(Command::Seek(mp));
        self.raft.apply(Command::Seek(raft));
    }

    /// The figures of both runs as of the round shown.
    pub fn figures(&self) -> (Figures, Figures) {
        let at = |rounds: &[(Figures, u64)]| match self.round {
            0 => Figures::default(),
            r => rounds
                .get(r as usize - 1)
                .map_or(Figures::default(), |x| x.0),
        };
        (
            at(&self.comparison.multipaxos.rounds),
            at(&self.comparison.raft.rounds),
        )
    }

    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        super::set_look(&ctx, 1.0, self.dark, self.presenter);
        let t = self.fixed_time.unwrap_or_else(|| ctx.input(|i| i.time));
        self.tick(t, &ctx);
        let lang = self.lang;
        let tr = |x: T| x.get(lang);
        let palette = Palette::standard(self.dark);
        egui::Panel::top("cmp-bar").show(ui, |ui| self.top_bar(ui));
        let (mp_fig, raft_fig) = self.figures();
        egui::Panel::bottom("cmp-figures")
            .resizable(true)
            .default_size(260.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    ui.columns(2, |cols| {
                        figures_table(&mut cols[0], &mp_fig, &raft_fig, lang);
                        mapping(&mut cols[1], self, lang, &palette);
                    });
                });
            });
        let text_scale = if self.presenter { 1.25 } else { 1.0 };
        egui::CentralPanel::default().show(ui, |ui| {
            ui.columns(2, |cols| {
                cols[0].heading(tr(T::ProtocolMultiPaxos));
                let frame = GraphFrame {
                    world: self.multipaxos.world(),
                    anim: super::Anim::at_rest(self.multipaxos.world().now()),
                    lang,
                    palette,
                    text_scale,
                    selection: None,
                    held: &self.multipaxos.held,
                    highlight: &[],
                };
                // Each graph's widgets (named by node) in a scope of its own: S1 is on both sides.
                let graph = &mut self.mp_graph;
                cols[0].push_id("multipaxos", |ui| graph.ui(ui, &frame, &mut Vec::new()));
                cols[1].heading(tr(T::ProtocolRaft));
                let frame = GraphFrame {
                    world: self.raft.world(),
                    anim: super::Anim::at_rest(self.raft.world().now()),
                    lang,
                    palette,
                    text_scale,
                    selection: None,
                    held: &self.raft.held,
                    highlight: &[],
                };
                let graph = &mut self.raft_graph;
                cols[1].push_id("raft", |ui| graph.ui(ui, &frame, &mut Vec::new()));
            });
        });
    }

    /// Auto-play: a round every `1 / speed` seconds.
    fn tick(&mut self, t: f64, ctx: &Context) {
        if !self.playing {
            self.last_tick = None;
            return;
        }
        let last = *self.last_tick.get_or_insert(t);
        if t - last >= 1.0 / self.speed {
            self.last_tick = Some(t);
            if self.round >= self.rounds() {
                self.playing = false;
            } else {
                self.seek(self.round + 1);
            }
        }
        if self.fixed_time.is_none() {
            ctx.request_repaint();
        }
    }

    fn top_bar(&mut self, ui: &mut Ui) {
        let lang = self.lang;
        let tr = |x: T| x.get(lang);
        ui.horizontal(|ui| {
            if ui.button(tr(T::MenuLessons)).clicked() {
                self.request = Some(CompareRequest::ToLessons);
            }
            ui.separator();
            ui.heading(tr(T::CompareTitle));
            ui.separator();
            let mut pick = None;
            let current = self.comparison.script.title[lang.index()].clone();
            let label = ui.label(tr(T::FaultScript));
            egui::ComboBox::from_id_salt("cmp-script")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for (i, s) in self.scripts.iter().enumerate() {
                        if ui
                            .selectable_label(i == self.chosen, &s.title[lang.index()])
                            .clicked()
                        {
                            pick = Some(i);
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            if let Some(i) = pick
                && i != self.chosen
            {
                let _ = self.choose(i);
            }
            if ui
                .selectable_label(self.presenter, tr(T::PresenterMode))
                .clicked()
            {
                self.presenter = !self.presenter;
            }
            for l in Lang::ALL {
                if ui
                    .selectable_label(self.lang == l, l.native_name())
                    .clicked()
                {
                    self.lang = l;
                }
            }
        });
        ui.horizontal(|ui| {
            let round = self.round;
            if ui
                .add_enabled(round > 0, egui::Button::new(tr(T::Reset)))
                .clicked()
            {
                self.seek(0);
            }
            if ui
                .add_enabled(round > 0, egui::Button::new(tr(T::StepBack)))
                .clicked()
            {
                self.seek(round - 1);
            }
            let play = if self.playing {
                tr(T::Pause)
            } else {
                tr(T::Play)
            };
            if ui.button(play).clicked() {
                self.playing = !self.playing;
            }
            if ui
                .add_enabled(round < self.rounds(), egui::Button::new(tr(T::StepForward)))
                .clicked()
            {
                self.seek(round + 1);
            }
            let mut at = round;
            let slider = egui::Slider::new(&mut at, 0..=self.rounds())
                .show_value(false)
                .text(fill(tr(T::RoundOf), &[&round, &self.rounds()]));
            if ui.add(slider).changed() {
                self.seek(at);
            }
        });
        // The keys and a clicker drive the one timeline: arrows or PageDown/PageUp step, Space plays.
        let key = ui.input(|i| {
            if i.key_pressed(egui::Key::ArrowRight) || i.key_pressed(egui::Key::PageDown) {
                Some(1i64)
            } else if i.key_pressed(egui::Key::ArrowLeft) || i.key_pressed(egui::Key::PageUp) {
                Some(-1)
            } else if i.key_pressed(egui::Key::Space) {
                Some(0)
            } else {
                None
            }
        });
        match key {
            Some(0) => self.playing = !self.playing,
            Some(d) => self.seek((self.round as i64 + d).max(0) as u64),
            None => {}
        }
    }
}

fn figures_table(ui: &mut Ui, mp: &Figures, raft: &Figures, lang: Lang) {
    ui.heading(T::CompareFigures.get(lang));
    let (a, b) = (cells(mp), cells(raft));
    Grid::new("cmp-figures-grid")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new("Multi-Paxos").strong());
            ui.label(RichText::new("Raft").strong());
            ui.end_row();
            for (k, row) in ROWS.iter().enumerate() {
                ui.label(row[lang.index()]);
                ui.label(&a[k]);
                ui.label(&b[k]);
                ui.end_row();
            }
        });
}

/// The correspondences with their values now, and the differences, each marked once a run has
/// shown it.
fn mapping(ui: &mut Ui, v: &CompareView, lang: Lang, palette: &Palette) {
    let tr = |x: T| x.get(lang);
    ui.heading(tr(T::CompareMapping));
    let mw = v.multipaxos.world();
    let rw = v.raft.world();
    let mp_leader = mw
        .nodes()
        .iter()
        .filter(|s| s.up)
        .filter_map(|s| match &s.state {
            multipaxos::Node::Server(x) if x.is_leader() => x.ballot().map(|b| (b, s.id)),
            _ => None,
        })
        .max();
    let mp_campaigning = mw
        .nodes()
        .iter()
        .filter(|s| s.up)
        .filter(|s| {
            matches!(&s.state, multipaxos::Node::Server(x) if matches!(x.lead, multipaxos::Lead::Candidate { .. }))
        })
        .count();
    let raft_leader = raft::describe::progress(rw);
    let raft_campaigning = rw
        .nodes()
        .iter()
        .filter(|s| s.up)
        .filter(|s| {
            matches!(&s.state, raft::Node::Server(x) if matches!(x.role, raft::Role::Candidate { .. }))
        })
        .count();
    let mp_chosen = {
        let chosen = &mw.monitor().chosen;
        chosen.iter().take_while(|c| c.is_some()).count()
    };
    let raft_commit = rw.monitor().committed.len();
    let kinds = |names: &[&str], mp: bool| -> usize {
        if mp {
            mw.network()
                .in_flight()
                .filter(|e| {
                    names.contains(&<MultiPaxos as crate::protocols::Plugin>::kind_name(&e.msg))
                })
                .count()
        } else {
            rw.network()
                .in_flight()
                .filter(|e| names.contains(&<Raft as crate::protocols::Plugin>::kind_name(&e.msg)))
                .count()
        }
    };
    let dash = || "—".to_string();
    Grid::new("cmp-mapping")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new("Multi-Paxos").strong());
            ui.label(RichText::new("Raft").strong());
            ui.end_row();
            ui.label(tr(T::MapBallotTerm));
            ui.label(mp_leader.map_or_else(dash, |(b, id)| format!("{b} ({id})")));
            ui.label(
                raft_leader
                    .as_ref()
                    .map_or_else(dash, |p| format!("{} ({})", p.term, p.leader)),
            );
            ui.end_row();
            ui.label(tr(T::MapPhase1));
            ui.label(fill(
                tr(T::MapCampaigning),
                &[&mp_campaigning, &kinds(&["prepare", "promise"], true)],
            ));
            ui.label(fill(
                tr(T::MapCampaigning),
                &[&raft_campaigning, &kinds(&["request-vote", "vote"], false)],
            ));
            ui.end_row();
            ui.label(tr(T::MapPhase2));
            ui.label(fill(
                tr(T::MapInFlight),
                &[&kinds(&["accept", "accepted"], true)],
            ));
            ui.label(fill(
                tr(T::MapInFlight),
                &[&kinds(&["append-entries", "append-reply"], false)],
            ));
            ui.end_row();
            ui.label(tr(T::MapCommit));
            ui.label(mp_chosen.to_string());
            ui.label(raft_commit.to_string());
            ui.end_row();
        });
    ui.add_space(6.0);
    ui.label(RichText::new(tr(T::MapDifferences)).strong());
    let (mp_fig, raft_fig) = v.figures();
    let mp_moved = mp_fig.entries_moved > 0;
    let raft_cut = raft_fig.entries_moved > 0;
    for (text, shown) in [
        (
            T::DiffOneLeader,
            mp_fig.leader_changes > 0 || raft_fig.leader_changes > 0,
        ),
        (
            T::DiffLearnVsUpToDate,
            mp_fig.leader_changes > 1 || raft_fig.leader_changes > 1,
        ),
        (T::DiffHolesVsTruncation, mp_moved || raft_cut),
        (T::DiffFigure8, false),
    ] {
        let mark = if shown { "✔" } else { "·" };
        let colour = if shown {
            palette.chosen
        } else {
            ui.visuals().weak_text_color()
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(mark).color(colour));
            ui.label(tr(text));
        });
    }
}
