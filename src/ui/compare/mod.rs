//! Multi-Paxos and Raft side by side: both runs of one fault script (`crate::compare`) on one
//! timeline of rounds. Play, step and scrub move both graphs together; the figures of both stand
//! as of the round shown; notes on top of each graph name what corresponds to the other side
//! where it happens (ballot and term, phase 1 and `RequestVote`, phase 2 and `AppendEntries`, the chosen
//! watermark and the commit index) and each difference just after it happens; a mapping panel
//! gives the same correspondences with their values, and the differences, marked once shown.

use egui::{Context, Grid, RichText, Ui};

use crate::compare::{Comparison, Figures, ROWS, Script, cells};
use crate::protocols::kv::Workload;
use crate::protocols::multipaxos::{self, MultiPaxos};
use crate::protocols::raft::{self, Raft};
use crate::session::{Command, Session};
use crate::ui::i18n::{Lang, T, fill};
use crate::ui::store::graph::{GraphFrame, StoreGraph};
use crate::ui::views::theme::Palette;

pub use crate::lesson::bundled::COMPARE as BUNDLED_SCRIPTS;

/// A script as bundled, without the options a link or the view's switches add.
fn without_options(s: &Script) -> Script {
    Script {
        pre_vote: false,
        check_quorum: false,
        ..s.clone()
    }
}

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
    CopyLink,
}

/// The figures so far or what corresponds now, in a window too narrow for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FiguresTab {
    Mapping,
    Figures,
}

pub struct CompareView {
    pub scripts: Vec<Script>,
    pub chosen: usize,
    /// The election options both runs have (Pre-Vote, CheckQuorum), over the script's own: the
    /// view's two switches.
    pub pre_vote: bool,
    pub check_quorum: bool,
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
    /// Each side's log, drawn as its workspace draws it.
    mp_log: crate::ui::multipaxos::log_view::LogView,
    raft_log: crate::ui::raft::log_view::RaftLogView,
    /// Where each side's log rows were drawn, last frame (for `--layout-json` and the tests).
    pub log_rows: Vec<(&'static str, crate::sim::NodeId, egui::Rect)>,
    /// Which of the figures and the mapping shows, when only one fits.
    pub tab: FiguresTab,
    /// The preferences it honours (language, presenter mode, theme, palette, zoom).
    pub look: crate::ui::Look,
    pub request: Option<CompareRequest>,
    /// The window's title as last sent.
    title: String,
    /// Set by tests: the clock, frozen.
    pub fixed_time: Option<f64>,
}

impl CompareView {
    /// The view on the first bundled script (or on `script`).
    pub fn new(script: Option<Script>, lang: Lang) -> Result<Self, String> {
        let mut scripts = bundled_scripts();
        let (pre_vote, check_quorum) = script
            .as_ref()
            .map_or((false, false), |s| (s.pre_vote, s.check_quorum));
        // A bundled script (a link names one, perhaps with options) is chosen from the list,
        // not added twice.
        let bundled = script
            .as_ref()
            .and_then(|s| scripts.iter().position(|b| *b == without_options(s)));
        let chosen = match (bundled, script) {
            (Some(i), _) => i,
            (None, Some(s)) => {
                scripts.push(s);
                scripts.len() - 1
            }
            (None, None) => 0,
        };
        let first = scripts
            .get(chosen)
            .cloned()
            .ok_or("no fault script to compare on")?;
        let (comparison, multipaxos, raft) = Self::run(&first, pre_vote, check_quorum)?;
        Ok(CompareView {
            scripts,
            chosen,
            pre_vote,
            check_quorum,
            comparison,
            multipaxos,
            raft,
            round: 0,
            playing: false,
            speed: 8.0,
            last_tick: None,
            mp_graph: StoreGraph::default(),
            raft_graph: StoreGraph::default(),
            mp_log: crate::ui::multipaxos::log_view::LogView {
                compact: true,
                ..Default::default()
            },
            raft_log: crate::ui::raft::log_view::RaftLogView { compact: true },
            log_rows: Vec::new(),
            tab: FiguresTab::Mapping,
            look: crate::ui::Look {
                lang,
                ..Default::default()
            },
            request: None,
            title: String::new(),
            fixed_time: None,
        })
    }

    fn run(
        script: &Script,
        pre_vote: bool,
        check_quorum: bool,
    ) -> Result<(Comparison, Session<MultiPaxos>, Session<Raft>), String> {
        let script = Script {
            pre_vote,
            check_quorum,
            ..script.clone()
        };
        script.check_reads()?;
        let c = crate::compare::compare(&script, Workload::Mixed);
        let mp = Session::from_trace(&c.multipaxos.trace)?;
        let raft = Session::from_trace(&c.raft.trace)?;
        Ok((c, mp, raft))
    }

    pub fn choose(&mut self, index: usize) -> Result<(), String> {
        let script = self.scripts.get(index).ok_or("no such script")?;
        // A script's own options stay on (a lease needs CheckQuorum).
        let (pre_vote, check_quorum) = (
            self.pre_vote || script.pre_vote,
            self.check_quorum || script.check_quorum,
        );
        self.load(index, pre_vote, check_quorum)?;
        self.round = 0;
        self.playing = false;
        Ok(())
    }

    /// Runs both protocols again with the election options as now set, at the same round.
    pub fn set_options(&mut self, pre_vote: bool, check_quorum: bool) -> Result<(), String> {
        let round = self.round;
        self.load(self.chosen, pre_vote, check_quorum)?;
        self.seek(round);
        Ok(())
    }

    /// Runs script `index` with these election options and keeps both runs (nothing changes
    /// if it cannot run).
    fn load(&mut self, index: usize, pre_vote: bool, check_quorum: bool) -> Result<(), String> {
        let script = self.scripts.get(index).ok_or("no such script")?;
        let (c, mp, raft) = Self::run(script, pre_vote, check_quorum)?;
        (self.pre_vote, self.check_quorum) = (pre_vote, check_quorum);
        self.chosen = index;
        self.comparison = c;
        self.multipaxos = mp;
        self.raft = raft;
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
        self.figures_at(self.round)
    }

    /// The figures of both runs as of the end of `round`.
    fn figures_at(&self, round: u64) -> (Figures, Figures) {
        let at = |rounds: &[(Figures, u64)]| match round {
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

    /// Takes on the window's preferences.
    /// Takes on the window's preferences but its language (the view was made in it already).
    pub fn dress(&mut self, settings: &crate::ui::Settings) {
        self.look = crate::ui::Look {
            lang: self.look.lang,
            ..crate::ui::Look::of(settings)
        };
    }

    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        crate::ui::set_look(&ctx, self.look.zoom, self.look.dark, self.look.presenter);
        let t = self.fixed_time.unwrap_or_else(|| ctx.input(|i| i.time));
        self.tick(t, &ctx);
        let lang = self.look.lang;
        let palette = crate::ui::palette_for(self.look.dark, self.look.color_blind);
        egui::Panel::top("cmp-bar").show(ui, |ui| self.top_bar(ui));
        crate::ui::shell::show_title(
            &ctx,
            &mut self.title,
            false,
            None,
            T::CompareTitle.get(lang),
            lang,
        );
        let (mp_fig, raft_fig) = self.figures();
        let now = Now::read(self);
        // Wide enough (a projector's 1920): the figures, the mapping and the differences side
        // by side. Narrower (1280): the figures and the mapping share a column, one at a time,
        // so that nothing is cut off.
        let wide = ui.available_width() >= 1500.0;
        egui::Panel::bottom("cmp-figures")
            .resizable(true)
            .default_size((ui.available_height() * 0.3).clamp(160.0, 260.0))
            .show(ui, |ui| {
                egui::ScrollArea::both()
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        if wide {
                            ui.columns(3, |cols| {
                                cols[0].heading(T::CompareFigures.get(lang));
                                let all = 0..ROWS.len();
                                figures_table(&mut cols[0], &mp_fig, &raft_fig, lang, all);
                                cols[1].heading(T::CompareMapping.get(lang));
                                mapping(&mut cols[1], &now, lang);
                                differences(&mut cols[2], &now, lang, &palette);
                            });
                            return;
                        }
                        ui.horizontal(|ui| {
                            for (tab, words) in [
                                (FiguresTab::Mapping, T::CompareMapping),
                                (FiguresTab::Figures, T::CompareFigures),
                            ] {
                                let text = RichText::new(words.get(lang)).heading();
                                if ui.selectable_label(self.tab == tab, text).clicked() {
                                    self.tab = tab;
                                }
                            }
                        });
                        // What corresponds beside what differs; the figures in two halves.
                        ui.columns(2, |cols| match self.tab {
                            FiguresTab::Mapping => {
                                mapping(&mut cols[0], &now, lang);
                                differences(&mut cols[1], &now, lang, &palette);
                            }
                            FiguresTab::Figures => {
                                let half = ROWS.len().div_ceil(2);
                                let (a, b) = (0..half, half..ROWS.len());
                                figures_table(&mut cols[0], &mp_fig, &raft_fig, lang, a);
                                figures_table(&mut cols[1], &mp_fig, &raft_fig, lang, b);
                            }
                        });
                    });
            });
        let text_scale = if self.look.presenter { 1.25 } else { 1.0 };
        let (mp_notes, raft_notes) = (now.notes(false, lang), now.notes(true, lang));
        egui::CentralPanel::default().show(ui, |ui| {
            // Each side's log under its graph: the slot and the Raft index of one command are
            // read across. The logs take what five compact rows need, at most 45%.
            let area = ui.available_rect_before_wrap();
            let servers = self.multipaxos.world().protocol().servers as f32;
            let logs_height = (28.0 * servers + 30.0).min(area.height() * 0.45);
            let split = area.max.y - logs_height;
            let graphs = egui::Rect::from_min_max(area.min, egui::pos2(area.max.x, split));
            let logs = egui::Rect::from_min_max(egui::pos2(area.min.x, split), area.max);
            ui.scope_builder(egui::UiBuilder::new().max_rect(graphs), |ui| {
                ui.columns(2, |cols| {
                    let look = (lang, palette, text_scale, self.look.dark);
                    let mp = (&self.multipaxos, &mut self.mp_graph);
                    side(
                        &mut cols[0],
                        crate::ui::multipaxos::words::PROTOCOL,
                        "multipaxos",
                        mp,
                        &mp_notes,
                        look,
                    );
                    let raft = (&self.raft, &mut self.raft_graph);
                    side(
                        &mut cols[1],
                        crate::ui::raft::words::PROTOCOL,
                        "raft",
                        raft,
                        &raft_notes,
                        look,
                    );
                });
            });
            let mut rows = Vec::new();
            ui.scope_builder(egui::UiBuilder::new().max_rect(logs), |ui| {
                ui.separator();
                ui.columns(2, |cols| {
                    let (world, log) = (self.multipaxos.world(), &mut self.mp_log);
                    let mp = log_side(&mut cols[0], "multipaxos", |ui| {
                        log.ui(ui, world, lang, &palette)
                    });
                    rows.extend(mp.into_iter().map(|(n, r)| ("multipaxos", n, r)));
                    let (world, log) = (self.raft.world(), &mut self.raft_log);
                    let raft =
                        log_side(&mut cols[1], "raft", |ui| log.ui(ui, world, lang, &palette));
                    rows.extend(raft.into_iter().map(|(n, r)| ("raft", n, r)));
                });
            });
            self.log_rows = rows;
        });
    }

    /// What the last frame drew, for `--layout-json`: each side's log rows (`multipaxos:S1`,
    /// `raft:S1`).
    pub fn drawn(&self) -> Vec<crate::ui::paxos::graph::Drawn> {
        self.log_rows
            .iter()
            .map(|(side, id, rect)| {
                crate::ui::paxos::graph::Drawn::new("log-row", format!("{side}:{id}"), *rect)
            })
            .collect()
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
        let lang = self.look.lang;
        let tr = |x: T| x.get(lang);
        // Wrapped, so the language buttons stay on screen at a projector's zoom.
        ui.horizontal_wrapped(|ui| {
            // Embedded in another page, the view has no way out of itself.
            if !crate::ui::embedded(ui.ctx()) {
                if ui.button(tr(T::MenuLessons)).clicked() {
                    self.request = Some(CompareRequest::ToLessons);
                }
                if ui.button(tr(T::MenuCopyLink)).clicked() {
                    self.request = Some(CompareRequest::CopyLink);
                }
                ui.separator();
            }
            // Strong text, not a heading: in presenter mode a heading pushed the languages onto a
            // row of their own, height the graphs need on a projector.
            ui.label(RichText::new(tr(T::CompareTitle)).strong());
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
            crate::ui::shell::preferences_bar(ui, &mut self.look, |_| {});
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
            // On this row, which has room: the bar above is full in presenter mode.
            ui.separator();
            let (mut pre_vote, mut check_quorum) = (self.pre_vote, self.check_quorum);
            ui.checkbox(&mut pre_vote, tr(T::PreVote))
                .on_hover_text(tr(T::PreVoteHint));
            use crate::protocols::kv::Reads;
            let reads = self.comparison.script.reads;
            // A lease rests on CheckQuorum's stickiness: the box stays ticked under one.
            ui.add_enabled(
                reads != Reads::Lease,
                egui::Checkbox::new(&mut check_quorum, tr(T::CheckQuorum)),
            )
            .on_hover_text(tr(T::CheckQuorumHint))
            .on_disabled_hover_text(tr(T::ReadsLeaseHint));
            if reads != Reads::Log {
                let (name, hint) = crate::ui::store::settings::reads_texts(reads);
                ui.label(format!("{} {}", tr(T::ReadOptions), tr(name)))
                    .on_hover_text(tr(hint));
            }
            if (pre_vote, check_quorum) != (self.pre_vote, self.check_quorum) {
                let _ = self.set_options(pre_vote, check_quorum);
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
        // The app's own shortcuts that mean something here (the keys above drive the timeline).
        use crate::ui::views::commands::UiCommand;
        let ctx = ui.ctx().clone();
        for c in UiCommand::pressed(&ctx) {
            if !crate::ui::shell::window_command(&ctx, c, &mut self.look) && c == UiCommand::Lessons
            {
                self.request = Some(CompareRequest::ToLessons);
            }
        }
    }
}

fn figures_table(
    ui: &mut Ui,
    mp: &Figures,
    raft: &Figures,
    lang: Lang,
    rows: std::ops::Range<usize>,
) {
    let (a, b) = (cells(mp), cells(raft));
    Grid::new(("cmp-figures-grid", rows.start))
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new("Multi-Paxos").strong());
            ui.label(RichText::new("Raft").strong());
            ui.end_row();
            for (k, row) in ROWS.iter().enumerate().take(rows.end).skip(rows.start) {
                ui.label(row[lang.index()]);
                ui.label(&a[k]);
                ui.label(&b[k]);
                ui.end_row();
            }
        });
}

/// One protocol's side: its name, the notes on top, and its graph as the run stands (the
/// graph's widgets, named by node, in a scope of their own: S1 is on both sides).
fn side<P: crate::ui::store::graph::StoreGraphView>(
    ui: &mut Ui,
    heading: T,
    id: &str,
    (session, graph): (&Session<P>, &mut StoreGraph<P>),
    notes: &[(String, bool)],
    (lang, palette, text_scale, dark): (Lang, Palette, f32, bool),
) {
    ui.heading(heading.get(lang));
    let frame = GraphFrame {
        world: session.world(),
        anim: crate::ui::Anim::at_rest(session.world().now()),
        lang,
        palette,
        text_scale,
        selection: None,
        held: &session.held,
        highlight: &[],
    };
    notes_strip(ui, notes, &palette, dark);
    ui.push_id(id, |ui| graph.ui(ui, &frame, &mut Vec::new()));
}

/// One side's log, compact, scrolling when the rows do not fit; returns where each server's
/// row was drawn.
fn log_side(
    ui: &mut Ui,
    id: &str,
    draw: impl FnOnce(&mut Ui) -> Vec<(crate::sim::NodeId, egui::Rect)>,
) -> Vec<(crate::sim::NodeId, egui::Rect)> {
    ui.push_id(("log", id), |ui| {
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, draw)
            .inner
    })
    .inner
}

/// How many rounds a difference stays on its graph after it happens, so a class sees it while the
/// runs play.
const RECENT_ROUNDS: u64 = 5;

/// What the two runs show at the round on screen, read once a frame by the mapping panel and by
/// the notes over each graph.
struct Now {
    mp_leader: Option<(crate::protocols::ids::Ballot, crate::sim::NodeId)>,
    /// The leader's term and name, else the highest term any live server is in.
    raft_leader: Option<(u32, crate::sim::NodeId)>,
    raft_term: u32,
    mp_campaigning: usize,
    raft_campaigning: usize,
    /// Messages of each phase in flight.
    mp_phase1: usize,
    raft_phase1: usize,
    mp_phase2: usize,
    raft_phase2: usize,
    mp_chosen: usize,
    raft_commit: usize,
    /// The last commands chosen in Multi-Paxos, each with its slot and the Raft log index
    /// committing the same request (by client and request number), if Raft committed it yet.
    same_commands: Vec<(String, usize, Option<usize>)>,
    mp: Figures,
    raft: Figures,
    /// The figures `RECENT_ROUNDS` back: what changed since happened just now.
    mp_before: Figures,
    raft_before: Figures,
}

impl Now {
    fn read(v: &CompareView) -> Now {
        let mw = v.multipaxos.world();
        let rw = v.raft.world();
        let mp_servers = || {
            mw.nodes()
                .iter()
                .filter(|s| s.up)
                .filter_map(|s| match &s.state {
                    multipaxos::Node::Server(x) => Some((s.id, x)),
                    _ => None,
                })
        };
        let raft_servers = || {
            rw.nodes()
                .iter()
                .filter(|s| s.up)
                .filter_map(|s| match &s.state {
                    raft::Node::Server(x) => Some(x),
                    _ => None,
                })
        };
        let mp_kinds = |names: &[&str]| {
            mw.network()
                .in_flight()
                .filter(|e| {
                    names.contains(&<MultiPaxos as crate::protocols::Plugin>::kind_name(&e.msg))
                })
                .count()
        };
        let raft_kinds = |names: &[&str]| {
            rw.network()
                .in_flight()
                .filter(|e| names.contains(&<Raft as crate::protocols::Plugin>::kind_name(&e.msg)))
                .count()
        };
        let (mp, raft) = v.figures_at(v.round);
        let (mp_before, raft_before) = v.figures_at(v.round.saturating_sub(RECENT_ROUNDS));
        Now {
            mp_leader: mp_servers()
                .filter(|(_, x)| x.is_leader())
                .filter_map(|(id, x)| x.ballot().map(|b| (b, id)))
                .max(),
            raft_leader: raft::describe::progress(rw).map(|p| (p.term, p.leader)),
            raft_term: raft_servers().map(|x| x.term).max().unwrap_or(0),
            mp_campaigning: mp_servers()
                .filter(|(_, x)| matches!(x.lead, multipaxos::Lead::Candidate { .. }))
                .count(),
            raft_campaigning: raft_servers()
                .filter(|x| matches!(x.role, raft::Role::Candidate { .. }))
                .count(),
            mp_phase1: mp_kinds(&["prepare", "promise"]),
            raft_phase1: raft_kinds(&["request-vote", "vote"]),
            mp_phase2: mp_kinds(&["accept", "accepted"]),
            raft_phase2: raft_kinds(&["append-entries", "append-reply"]),
            mp_chosen: mw
                .monitor()
                .chosen
                .iter()
                .take_while(|c| c.is_some())
                .count(),
            raft_commit: rw.monitor().committed.len(),
            same_commands: same_commands(mw, rw),
            mp,
            raft,
            mp_before,
            raft_before,
        }
    }

    /// The notes over one side's graph: what corresponds to the other side, happening here now,
    /// and each difference that happened here in the last few rounds (`true`: a difference).
    fn notes(&self, raft_side: bool, lang: Lang) -> Vec<(String, bool)> {
        let tr = |x: T| x.get(lang);
        let mut notes = Vec::new();
        let term = self.raft_leader.map_or(self.raft_term, |(t, _)| t);
        let ballot = self.mp_leader.map(|(b, _)| b.to_string());
        if raft_side {
            if let (Some((t, id)), Some(b)) = (self.raft_leader, &ballot) {
                notes.push((fill(tr(T::NowTerm), &[&t, &id, b]), false));
            }
            if self.raft_phase1 > 0 {
                notes.push((tr(T::NowPhase1Raft).to_string(), false));
            }
            if self.raft_phase2 > 0 {
                notes.push((tr(T::NowPhase2Raft).to_string(), false));
            }
            if self.raft.committed > self.raft_before.committed {
                notes.push((
                    fill(tr(T::NowCommitRaft), &[&self.raft_commit, &self.mp_chosen]),
                    false,
                ));
            }
            if self.raft.entries_moved > self.raft_before.entries_moved {
                notes.push((tr(T::NowTruncated).to_string(), true));
            }
            if self.raft.carried_over > self.raft_before.carried_over {
                notes.push((tr(T::NowCommittedThrough).to_string(), true));
            }
        } else {
            if let (Some((b, id)), true) = (self.mp_leader, self.raft_leader.is_some() || term > 0)
            {
                notes.push((fill(tr(T::NowBallot), &[&b, &id, &term]), false));
            }
            if self.mp_phase1 > 0 {
                notes.push((tr(T::NowPhase1Mp).to_string(), false));
            }
            if self.mp_phase2 > 0 {
                notes.push((tr(T::NowPhase2Mp).to_string(), false));
            }
            if self.mp.committed > self.mp_before.committed {
                notes.push((
                    fill(tr(T::NowCommitMp), &[&self.mp_chosen, &self.raft_commit]),
                    false,
                ));
            }
            let holes = |f: &Figures| f.entries_moved - f.carried_over;
            if holes(&self.mp) > holes(&self.mp_before) {
                notes.push((tr(T::NowHoles).to_string(), true));
            }
            if self.mp.carried_over > self.mp_before.carried_over {
                notes.push((tr(T::NowRewritten).to_string(), true));
            }
        }
        notes
    }
}

/// The last three commands Multi-Paxos chose, each with its slot and the Raft log index that
/// committed the same request (a client's request number names it in both runs).
fn same_commands(
    mw: &crate::sim::World<MultiPaxos>,
    rw: &crate::sim::World<Raft>,
) -> Vec<(String, usize, Option<usize>)> {
    use crate::protocols::kv::Entry;
    let raft_index = |client: u8, seq: u32| {
        rw.monitor()
            .committed
            .iter()
            .position(|e| matches!(&e.entry, Entry::Cmd(c) if c.client == client && c.seq == seq))
            .map(|i| i + 1)
    };
    let mut last: Vec<(String, usize, Option<usize>)> = mw
        .monitor()
        .chosen
        .iter()
        .enumerate()
        .filter_map(|(i, slot)| match slot {
            Some((Entry::Cmd(c), _, _)) => Some((i + 1, c)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .take(3)
        .map(|(slot, c)| {
            let words = format!("C{}.{} {}", c.client, c.seq, c.op);
            (words, slot, raft_index(c.client, c.seq))
        })
        .collect();
    last.reverse();
    last
}

/// The notes of one side, in a strip of fixed height on top of its graph: they never cover a
/// node, and the graph does not jump as notes come and go while the runs play. What
/// corresponds on the left, one line each; what differs on the right, in the colour of change.
fn notes_strip(ui: &mut Ui, notes: &[(String, bool)], palette: &Palette, dark: bool) {
    let size = 13.0;
    // Three lines: the notes that correspond flow side by side, so four fit.
    let height = 3.0 * (size + 8.0);
    let layout = egui::Layout::top_down(egui::Align::LEFT);
    let note = |ui: &mut Ui, text: &str, differs: bool| {
        // A note that corresponds starts a new line rather than be cut where the line ends
        // (cut only when it is wider than the whole column).
        if !differs {
            let font = egui::FontId::proportional(size);
            let width = ui.fonts_mut(|f| {
                f.layout_no_wrap(text.to_string(), font, egui::Color32::WHITE)
                    .size()
                    .x
            }) + 14.0;
            if width > ui.available_width() && ui.cursor().min.x > ui.max_rect().min.x + 1.0 {
                ui.end_row();
            }
        }
        let (fg, bg) = match (differs, dark) {
            (true, _) => (egui::Color32::BLACK, palette.changed),
            (false, true) => (egui::Color32::WHITE, egui::Color32::from_gray(48)),
            (false, false) => (egui::Color32::BLACK, egui::Color32::from_gray(225)),
        };
        egui::Frame::new()
            .fill(bg)
            .corner_radius(4.0)
            .inner_margin(egui::Margin::symmetric(6, 1))
            .show(ui, |ui| {
                let label = egui::Label::new(RichText::new(text).color(fg).size(size));
                ui.add(if differs {
                    label.wrap()
                } else {
                    label.truncate()
                });
            });
    };
    ui.allocate_ui_with_layout(egui::vec2(ui.available_width(), height), layout, |ui| {
        ui.set_min_height(height);
        ui.spacing_mut().item_spacing.y = 3.0;
        let corresponds = notes.iter().filter(|(_, d)| !d);
        if notes.iter().any(|(_, d)| *d) {
            // What differs beside what corresponds, each in half the width.
            // Columns justify their text; the notes read better ragged.
            let ragged = egui::Layout::top_down(egui::Align::LEFT);
            ui.columns(2, |cols| {
                cols[0].with_layout(ragged, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.spacing_mut().item_spacing = egui::vec2(4.0, 3.0);
                        for (text, _) in corresponds {
                            note(ui, text, false);
                        }
                    });
                });
                cols[1].with_layout(ragged, |ui| {
                    ui.spacing_mut().item_spacing.y = 3.0;
                    for (text, _) in notes.iter().filter(|(_, d)| *d) {
                        note(ui, text, true);
                    }
                });
            });
        } else {
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing = egui::vec2(4.0, 3.0);
                for (text, _) in corresponds {
                    note(ui, text, false);
                }
            });
        }
    });
}

/// The correspondences with their values now.
fn mapping(ui: &mut Ui, now: &Now, lang: Lang) {
    let tr = |x: T| x.get(lang);
    Grid::new("cmp-mapping")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new("Multi-Paxos").strong());
            ui.label(RichText::new("Raft").strong());
            ui.end_row();
            let no_leader = || tr(T::NoLeader).to_string();
            ui.label(tr(T::MapBallotTerm));
            ui.label(
                now.mp_leader
                    .map_or_else(no_leader, |(b, id)| format!("{b} ({id})")),
            );
            ui.label(
                now.raft_leader
                    .map_or_else(no_leader, |(t, id)| format!("{t} ({id})")),
            );
            ui.end_row();
            ui.label(tr(T::MapPhase1));
            ui.label(fill(
                tr(T::MapCampaigning),
                &[&now.mp_campaigning, &now.mp_phase1],
            ));
            ui.label(fill(
                tr(T::MapCampaigning),
                &[&now.raft_campaigning, &now.raft_phase1],
            ));
            ui.end_row();
            ui.label(tr(T::MapPhase2));
            ui.label(fill(tr(T::MapInFlight), &[&now.mp_phase2]));
            ui.label(fill(tr(T::MapInFlight), &[&now.raft_phase2]));
            ui.end_row();
            ui.label(tr(T::MapCommit));
            ui.label(now.mp_chosen.to_string());
            ui.label(now.raft_commit.to_string());
            ui.end_row();
            // The same request in both logs: its slot, and the Raft index holding it.
            for (words, slot, index) in &now.same_commands {
                ui.label(RichText::new(words).monospace());
                ui.label(format!("{} {slot}", tr(T::LogSlot)));
                ui.label(index.map_or_else(|| tr(T::NotYet).to_string(), |i| format!("[{i}]")));
                ui.end_row();
            }
        });
}

/// The differences between the protocols, each marked once a run has shown it.
fn differences(ui: &mut Ui, now: &Now, lang: Lang, palette: &Palette) {
    let tr = |x: T| x.get(lang);
    ui.heading(tr(T::MapDifferences));
    let (mp, raft) = (&now.mp, &now.raft);
    for (text, shown) in [
        (
            T::DiffOneLeader,
            mp.leader_changes > 0 || raft.leader_changes > 0,
        ),
        (
            T::DiffLearnVsUpToDate,
            mp.leader_changes > 1 || raft.leader_changes > 1,
        ),
        (
            T::DiffHolesVsTruncation,
            mp.entries_moved > mp.carried_over || raft.entries_moved > 0,
        ),
        (T::DiffFigure8, mp.carried_over > 0 || raft.carried_over > 0),
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

/// The side by side is one of the window's bodies: it has no panes to keep, nothing unsaved (its
/// runs are the script's) and no lesson.
impl crate::ui::workspace::Body for CompareView {
    fn protocol(&self) -> Option<crate::trace::Protocol> {
        None
    }
    fn ui(&mut self, ui: &mut Ui) {
        CompareView::ui(self, ui)
    }
    fn dress(&mut self, settings: &crate::ui::Settings, fixed_time: Option<f64>) {
        CompareView::dress(self, settings);
        self.fixed_time = fixed_time;
    }
    fn keep_layout(&self, settings: &mut crate::ui::Settings) {
        self.look.keep_in(settings);
    }
    fn take_command(&mut self) -> Option<crate::ui::workspace::AppCommand> {
        match self.request.take()? {
            CompareRequest::ToLessons => Some(crate::ui::workspace::AppCommand::ToLessons),
            CompareRequest::CopyLink => Some(crate::ui::workspace::AppCommand::CopyLink),
        }
    }
    fn link(&self) -> Option<crate::link::Link> {
        // Only the bundled scripts have names a link can give; they come first.
        (self.chosen < crate::lesson::bundled::COMPARE.len()).then(|| {
            crate::link::Link::new(crate::link::Target::Compare {
                index: self.chosen,
                round: self.round,
                pre_vote: self.pre_vote,
                check_quorum: self.check_quorum,
            })
        })
    }
    fn take_completed(&mut self) -> Vec<String> {
        Vec::new()
    }
    fn lesson_progress(&self) -> Option<(String, usize, bool)> {
        None
    }
    fn look(&self) -> crate::ui::Look {
        self.look
    }
    fn quiet(&self) -> bool {
        true
    }
    fn drawn(&self) -> Vec<crate::ui::paxos::graph::Drawn> {
        CompareView::drawn(self)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
