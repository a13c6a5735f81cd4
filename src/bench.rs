//! Measurements of this machine, shared by `paxos-lab bench` and `cargo bench`: simulation steps
//! per second on a long faulty run, and the worst time to seek in a million-step timeline.
//! The clock is read here, around the simulation, never inside it.

// Benchmarks run only on a desktop and time with the clock.
#![allow(clippy::disallowed_methods)]

use crate::explore::{Bounds, Options, Progress, Report, Verdict, explore_paxos};
use crate::protocols::paxos;
use std::time::Instant;

use crate::protocols::paxos::Paxos;
use crate::protocols::paxos::{Action, Config};
use crate::session::{Command, Session};
use crate::sim::rng::Rng;
use crate::sim::{Knobs, Scheduler};
use crate::trace::{CHECKPOINT_INTERVAL, Timeline};
use crate::ui::{PaxosApp, Settings, install_fonts};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// What the README's figures come from.
    Full,
    /// Small enough for a smoke test.
    Quick,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct BenchResult {
    /// Steps per second of the bare world driven by the auto-scheduler.
    pub sim_steps_per_sec: f64,
    /// Steps per second while also recording the timeline (actions and checkpoints), as the app does.
    pub recorded_steps_per_sec: f64,
    pub sim_steps: u64,
    /// Worst, mean and 99th-percentile time of one seek in the timeline below.
    pub seek_max_ms: f64,
    pub seek_mean_ms: f64,
    pub seek_p99_ms: f64,
    pub seeks: usize,
    pub timeline_steps: u64,
    pub checkpoint_interval: u64,
    /// CPU time of one whole-app egui frame (layout and tessellation, headless, 1280x800): the
    /// default cluster mid-run.
    pub frame_ms_default: f64,
    /// The same for 9 proposers, 25 acceptors, 9 learners and 2,000 messages in flight.
    pub frame_ms_large: f64,
    /// CPU time of one frame of the Multi-Paxos views alone (log, stores, leader, clients'
    /// history): 5 servers, 5 clients, a log of `multipaxos_views_slots` slots and
    /// `multipaxos_views_requests` requests.
    pub frame_ms_multipaxos_views: f64,
    /// The median time of one frame of the whole Multi-Paxos workspace (graph with messages in flight,
    /// controls, log, leader, stores, history, safety bar) on the same run, mid-run.
    pub frame_ms_multipaxos: f64,
    /// The mean of the same frames (the median is the figure above).
    pub frame_ms_multipaxos_mean: f64,
    pub multipaxos_views_slots: u32,
    pub multipaxos_views_requests: u32,
    /// The explorer on 3 proposers, 3 acceptors, 1 learner, 2 ballots each (the space is far
    /// larger than memory allows, so it runs to a state limit): unique states per second and
    /// peak resident bytes per state.
    pub explore_states: u64,
    pub explore_states_per_sec: f64,
    pub explore_bytes_per_state: Option<f64>,
    /// A complete search: 2 proposers, 3 acceptors, 1 learner, 1 ballot each, verdict safe.
    pub explore_complete_states: u64,
    pub explore_complete_ms: f64,
    /// Exports of the first `export_steps` steps of the faulty run, whole, in milliseconds.
    pub export_steps: u64,
    pub export_json_ms: f64,
    pub export_svg_ms: f64,
    pub export_mermaid_ms: f64,
    pub export_shiviz_ms: f64,
    /// One 960x600 PNG of the graph view (offscreen draw, CPU raster, encode).
    pub export_png_ms: f64,
    /// A GIF of `export_gif_steps` steps at 4 frames per step, per frame.
    pub export_gif_steps: u64,
    pub export_gif_ms_per_frame: f64,
    /// A crowded network: `crowd_messages` copies of one message recorded in a timeline (with
    /// its checkpoints), then every copy dropped, oldest first. Time, and resident memory the
    /// timeline holds at the end.
    pub crowd_messages: u64,
    pub crowd_ms: f64,
    pub crowd_bytes: Option<u64>,
    /// Raft with `raft_crowd_messages` RequestVotes in flight (one server's timeouts): CPU time
    /// of one frame of the whole Raft workspace (1280x800, layout and tessellation), and of a
    /// 960x600 PNG export of that step (the trace replayed, drawn offscreen, encoded).
    pub raft_crowd_messages: u64,
    pub raft_crowd_frame_ms: f64,
    pub raft_crowd_png_ms: f64,
    /// Multi-Paxos: the same figures on its own long faulty run (3 servers, 3 clients asking
    /// all the time, drops, duplicates, crashes): bare steps per second, and seeks in a timeline.
    pub multipaxos: ProtocolFigures,
    /// The Multi-Paxos explorer on the anchor's workload (Stateright's `paxos check 3`: 3 servers,
    /// 3 clients each putting then getting, no faults, no timeouts). Its space is far larger than
    /// memory allows here, so it runs to a state limit: unique states per second and peak
    /// resident bytes per state.
    pub multipaxos_explore: ExploreFigures,
    /// A complete Multi-Paxos search: the same with 2 clients, verdict safe.
    pub multipaxos_explore_complete: ExploreFigures,
    /// "Can this break?" from each protocol's default sandbox with one flaw on and the window's
    /// default bounds (raised by the plan as the window raises them): wall time to a verdict
    /// (Full size only: Figure 8 takes seconds).
    pub can_this_break: Vec<FlawSearch>,
    pub pbft: PbftFigures,
}

/// PBFT's figures: a long faulty run with a liar, and (Full size only) the explorer's fork with
/// three replicas and its safe verdict with four.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PbftFigures {
    pub sim_steps: u64,
    pub sim_steps_per_sec: f64,
    /// `explore --protocol pbft --servers 3 --byzantine S1 --ops 1 --lies 2 --total-timeouts 0`.
    pub fork: Option<ExploreFigures>,
    /// The same with four replicas and one lie.
    pub safe: Option<ExploreFigures>,
    /// `explore --protocol pbft --servers 3 --byzantine S2` (a backup lying: random walks).
    pub backup_fork: Option<ExploreFigures>,
    /// `explore --protocol pbft --servers 4 --byzantine S2` (breadth first, at the defaults).
    pub backup_safe: Option<ExploreFigures>,
}

/// One flaw's "Can this break?" search.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FlawSearch {
    pub protocol: &'static str,
    pub flaw: &'static str,
    pub ms: f64,
    /// The rule broken, or what stopped the search (`safe`, `limit`, ...).
    pub found: String,
}

/// One explorer run's figures.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ExploreFigures {
    pub states: u64,
    pub ms: f64,
    pub states_per_sec: f64,
    pub bytes_per_state: Option<f64>,
    /// `safe`, `violation`, `cancelled` or `limit` (stopped before a verdict).
    pub verdict: &'static str,
    /// Random walks taken, for a search by walks (which counts no unique states).
    pub walks: Option<u64>,
}

impl ExploreFigures {
    fn of<R>(r: &Report<R>) -> Self {
        ExploreFigures {
            states: r.unique_states,
            ms: r.elapsed.as_secs_f64() * 1000.0,
            states_per_sec: r.states_per_sec(),
            bytes_per_state: r.bytes_per_state,
            verdict: verdict_word(&r.verdict),
            walks: (r.walks > 0).then_some(r.walks),
        }
    }
}

/// A verdict in one word: `safe`, `violation`, `cancelled` or `limit`.
fn verdict_word<R>(v: &Verdict<R>) -> &'static str {
    match v {
        Verdict::Safe => "safe",
        Verdict::Violation { .. } => "violation",
        Verdict::Cancelled => "cancelled",
        Verdict::Limit(_) => "limit",
    }
}

/// Simulation and seek figures of one protocol's long faulty run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ProtocolFigures {
    pub sim_steps: u64,
    pub sim_steps_per_sec: f64,
    pub recorded_steps_per_sec: f64,
    pub timeline_steps: u64,
    pub seeks: usize,
    pub seek_max_ms: f64,
    pub seek_mean_ms: f64,
    pub seek_p99_ms: f64,
    /// Resident memory the timeline added, checkpoints included.
    pub timeline_bytes: Option<u64>,
}

impl BenchResult {
    pub fn summary(&self) -> String {
        format!(
            "simulation: {:.0} steps/s bare, {:.0} steps/s recording a timeline ({} steps, 3 proposers, 5 acceptors, drops, duplicates, crashes)\n\
             seek: worst {:.3} ms, mean {:.3} ms, p99 {:.3} ms over {} seeks in a {}-step timeline (checkpoint every {} steps)\n",
            self.sim_steps_per_sec,
            self.recorded_steps_per_sec,
            self.sim_steps,
            self.seek_max_ms,
            self.seek_mean_ms,
            self.seek_p99_ms,
            self.seeks,
            self.timeline_steps,
            self.checkpoint_interval
        ) + &format!(
            "frame: {:.3} ms for the default scene mid-run, {:.3} ms for 9/25/9 nodes with 2000 messages in flight (1280x800, layout + tessellation); Multi-Paxos (5 servers, {} slots, {} requests): the whole workspace {:.3} ms (mean {:.3} ms), its views alone (log, stores, leader, history) {:.3} ms\n",
            self.frame_ms_default,
            self.frame_ms_large,
            self.multipaxos_views_slots,
            self.multipaxos_views_requests,
            self.frame_ms_multipaxos,
            self.frame_ms_multipaxos_mean,
            self.frame_ms_multipaxos_views
        ) + &format!(
            "explore: {:.0} unique states/s, {} bytes/state over the first {} states of 3 proposers / 3 acceptors / 1 learner, 2 ballots each; a complete search of 2/3/1 with 1 ballot each: {} states, safe, in {:.0} ms\n",
            self.explore_states_per_sec,
            self.explore_bytes_per_state
                .map_or("?".into(), |b| format!("{b:.0}")),
            self.explore_states,
            self.explore_complete_states,
            self.explore_complete_ms
        ) + &format!(
            "export of a {}-step run: json {:.0} ms, svg {:.0} ms, mermaid {:.0} ms, shiviz {:.0} ms; png {:.0} ms (960x600); gif {:.0} ms per frame ({} steps, 4 frames each)\n",
            self.export_steps,
            self.export_json_ms,
            self.export_svg_ms,
            self.export_mermaid_ms,
            self.export_shiviz_ms,
            self.export_png_ms,
            self.export_gif_ms_per_frame,
            self.export_gif_steps
        ) + &format!(
            "crowded network: {} copies in flight then all dropped, recorded with checkpoints: {:.0} ms, {} MB held\n",
            self.crowd_messages,
            self.crowd_ms,
            self.crowd_bytes
                .map_or("?".into(), |b| format!("{:.1}", b as f64 / 1e6))
        ) + &format!(
            "raft with {} messages in flight: one frame of the whole workspace {:.1} ms (1280x800), a PNG of that step {:.0} ms (960x600, replay included)\n",
            self.raft_crowd_messages, self.raft_crowd_frame_ms, self.raft_crowd_png_ms
        ) + &{
            let mut line = String::new();
            if !self.can_this_break.is_empty() {
                let worst = self.can_this_break.iter().map(|f| f.ms).fold(0.0, f64::max);
                line = format!(
                    "can this break? (default sandbox, one flaw or one liar, default bounds; worst {:.1} s):",
                    worst / 1000.0
                );
                for f in &self.can_this_break {
                    line += &format!(
                        " {}/{} {:.2} s {};",
                        f.protocol,
                        f.flaw,
                        f.ms / 1000.0,
                        f.found
                    );
                }
                line.pop();
                line.push('\n');
            }
            line
        } + &{
            let m = &self.multipaxos;
            format!(
                "multipaxos simulation: {:.0} steps/s bare, {:.0} steps/s recording ({} steps, 3 servers, 3 clients, drops, duplicates, crashes); seek: worst {:.3} ms, mean {:.3} ms, p99 {:.3} ms over {} seeks in a {}-step timeline holding {} MB\n",
                m.sim_steps_per_sec,
                m.recorded_steps_per_sec,
                m.sim_steps,
                m.seek_max_ms,
                m.seek_mean_ms,
                m.seek_p99_ms,
                m.seeks,
                m.timeline_steps,
                m.timeline_bytes
                    .map_or("?".into(), |b| format!("{:.0}", b as f64 / 1e6))
            )
        } + &{
            let (a, c) = (&self.multipaxos_explore, &self.multipaxos_explore_complete);
            let bytes =
                |f: &ExploreFigures| f.bytes_per_state.map_or("?".into(), |b| format!("{b:.0}"));
            format!(
                "multipaxos explore, 3 servers / 3 clients put-get, no faults or timeouts (Stateright's `paxos check 3` workload): {} after {} states, {:.0} unique states/s, {} bytes/state; with 2 clients: {} states, {}, in {:.0} ms ({:.0} states/s, {} bytes/state)\n",
                a.verdict,
                a.states,
                a.states_per_sec,
                bytes(a),
                c.states,
                c.verdict,
                c.ms,
                c.states_per_sec,
                bytes(c)
            )
        } + &{
            let p = &self.pbft;
            let search = |f: &Option<ExploreFigures>| {
                f.as_ref()
                    .map_or("not run (quick)".to_string(), |f| match f.walks {
                        Some(walks) => {
                            format!("{} after {walks} walks in {:.0} ms", f.verdict, f.ms)
                        }
                        None => {
                            format!("{} after {} states in {:.0} ms", f.verdict, f.states, f.ms)
                        }
                    })
            };
            format!(
                "pbft simulation: {:.0} steps/s bare ({} steps, 4 replicas, one lying, 3 clients, drops, duplicates, crashes); explore, primary lying, 1 client, 1 op, no timeouts: 3 replicas, 2 lies: {}; 4 replicas, 1 lie: {}; explore at its defaults with S2 lying: 3 replicas (random walks): {}; 4 replicas: {}\n",
                p.sim_steps_per_sec,
                p.sim_steps,
                search(&p.fork),
                search(&p.safe),
                search(&p.backup_fork),
                search(&p.backup_safe)
            )
        }
    }
}

/// PBFT with four replicas, one of them lying, under drops, copies and crashes: the bare
/// simulation's steps and seconds.
fn pbft_sim(sim_steps: u64) -> (u64, f64) {
    use crate::protocols::pbft::{Config, server};
    let config = Config {
        clients: 3,
        seed: 2026,
        byzantine: vec![server(2)],
        ..Config::default()
    };
    let knobs = Knobs {
        drop: 0.05,
        duplicate: 0.05,
        crash: 0.005,
        restart: 0.2,
        propose: 0.01,
        lie: 0.01,
        pause: 0.0,
    };
    let mut world = config.world();
    let mut scheduler = Scheduler::new(config.seed, knobs);
    let start = Instant::now();
    let mut steps = 0;
    while steps < sim_steps {
        let Some(a) = scheduler.next(&world) else {
            break;
        };
        world.apply(&a).expect("enabled");
        steps += 1;
    }
    let sim_secs = start.elapsed().as_secs_f64();
    std::hint::black_box(world.state_hash());
    (steps, sim_secs)
}

/// PBFT's figures: the simulation's (measured by `pbft_sim`) and at Full size the explorer's.
fn pbft_figures((sim_steps, sim_secs): (u64, f64), size: Size) -> PbftFigures {
    use crate::protocols::pbft::{Config, Pbft, server};
    let search = |servers: u8, lies: u8| {
        let config = Config {
            servers,
            clients: 1,
            byzantine: vec![server(1)],
            ..Config::default()
        };
        let options = crate::explore::Options {
            bounds: Bounds {
                timeouts: Some(1),
                total_timeouts: Some(0),
                retries: Some(0),
                lies,
                ..Bounds::default()
            },
            ..crate::explore::Options::default()
        };
        let search = crate::explore::explore_store_protocol::<Pbft>(
            &config,
            crate::protocols::kv::Workload::PutGet,
            1,
            &options,
            &Progress::default(),
        )
        .expect("a valid search");
        ExploreFigures::of(&search.report)
    };
    // `explore --protocol pbft --servers N --byzantine S2` at its defaults: one client with one
    // put, and what the app's "Can this break?" plans (the same bounds, walks and notes).
    let backup_lying = |servers: u8| {
        let config = Config {
            servers,
            clients: 1,
            workload: crate::protocols::kv::Workload::PutGet,
            byzantine: vec![server(2)],
            ..Config::default()
        };
        let mut plan = crate::explore::ask::store_plan::<Pbft>(
            &config,
            crate::explore::ask::StoreAsk::default(),
        );
        plan.options.max_states = None;
        let search = plan
            .search::<Pbft>(&Progress::default())
            .expect("a valid search");
        ExploreFigures::of(&search.report)
    };
    let full = size == Size::Full;
    PbftFigures {
        sim_steps,
        sim_steps_per_sec: sim_steps as f64 / sim_secs,
        fork: full.then(|| search(3, 2)),
        safe: full.then(|| search(4, 1)),
        backup_fork: full.then(|| backup_lying(3)),
        backup_safe: full.then(|| backup_lying(4)),
    }
}

/// The long faulty run every figure uses: it never goes quiet because clients keep proposing.
pub fn faulty_config() -> (Config, Knobs) {
    let config = Config {
        proposers: 3,
        acceptors: 5,
        learners: 2,
        seed: 2026,
        ..Config::default()
    };
    let knobs = Knobs {
        drop: 0.1,
        duplicate: 0.05,
        crash: 0.005,
        restart: 0.2,
        propose: 0.01,
        lie: 0.0,
        pause: 0.0,
    };
    (config, knobs)
}

/// Builds a timeline of `steps` steps of the faulty run.
pub fn faulty_timeline(steps: u64) -> Timeline<Paxos> {
    let (config, knobs) = faulty_config();
    let mut scheduler = Scheduler::new(config.seed, knobs);
    let mut t = Timeline::new(config);
    while t.len() < steps {
        let a = scheduler
            .next(t.world())
            .expect("clients keep proposing, so the run never goes quiet");
        t.apply(a)
            .expect("the scheduler only picks enabled actions");
    }
    t
}

pub fn measure(size: Size) -> BenchResult {
    let (sim_steps, timeline_steps, seeks) = match size {
        Size::Full => (2_000_000, 1_000_000, 2_000),
        Size::Quick => (100_000, 50_000, 200),
    };

    // First, while the process is small, so its resident growth is the timeline's own.
    let crowd_messages = match size {
        Size::Full => 100_000,
        Size::Quick => 5_000,
    };
    let (crowd_ms, crowd_bytes) = crowd(crowd_messages);

    let (config, knobs) = faulty_config();
    let mut world = config.world();
    let mut scheduler = Scheduler::new(config.seed, knobs);
    let start = Instant::now();
    for _ in 0..sim_steps {
        let a = scheduler.next(&world).expect("never quiet");
        world.apply(&a).expect("enabled");
    }
    let sim_secs = start.elapsed().as_secs_f64();
    std::hint::black_box(world.state_hash());
    drop(world);
    // Beside Paxos's, before the searches below leave the allocator with gigabytes of freed
    // memory to sift through: the figure is the simulator's, as Paxos's is.
    let pbft_sim = pbft_sim(sim_steps);

    let start = Instant::now();
    let mut timeline = faulty_timeline(timeline_steps);
    let rec_secs = start.elapsed().as_secs_f64();

    let times = seek_times(&mut timeline, seeks);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];

    let frames = match size {
        Size::Full => 200,
        Size::Quick => 10,
    };
    let frame_ms_default = frame_ms(default_scene(), frames);
    let frame_ms_large = frame_ms(large_scene(), frames / 4);
    let session = multipaxos_scene();
    let scene = session.world().clone();
    let multipaxos_views_slots = crate::protocols::multipaxos::describe::log_slots(&scene);
    let multipaxos_views_requests = scene.monitor().history.len() as u32;
    let frame_ms_multipaxos_views = multipaxos_views_frame_ms(&scene, frames / 4);
    let (frame_ms_multipaxos, frame_ms_multipaxos_mean) = multipaxos_frame_ms(session, frames / 4);

    let limit = match size {
        Size::Full => 10_000_000,
        Size::Quick => 100_000,
    };
    let big = explore_run(3, 2, Some(limit));
    let complete = explore_run(2, 1, None);
    assert_eq!(complete.verdict, Verdict::Safe);

    let (export_steps, export_gif_steps) = match size {
        Size::Full => (10_000, 25),
        Size::Quick => (500, 3),
    };
    let exports = export_ms(export_steps, export_gif_steps);

    let raft_crowd_messages = match size {
        Size::Full => 500_000,
        Size::Quick => 20_000,
    };
    let (raft_crowd_frame_ms, raft_crowd_png_ms) =
        raft_crowd(raft_crowd_messages, (frames / 20).max(2));

    let multipaxos = multipaxos_figures(sim_steps, timeline_steps, seeks);
    // The small search first: memory the big one freed stays with the allocator, and the small
    // one's own growth would then read as nothing.
    let multipaxos_explore_complete = ExploreFigures::of(&multipaxos_explore_run(2, None));
    let multipaxos_explore = ExploreFigures::of(&multipaxos_explore_run(3, Some(limit)));
    assert_eq!(multipaxos_explore_complete.verdict, "safe");

    let can_this_break = match size {
        Size::Full => can_this_break(),
        Size::Quick => Vec::new(),
    };

    let pbft = pbft_figures(pbft_sim, size);

    BenchResult {
        pbft,
        can_this_break,
        frame_ms_multipaxos_views,
        frame_ms_multipaxos,
        frame_ms_multipaxos_mean,
        multipaxos_views_slots,
        multipaxos_views_requests,
        multipaxos,
        multipaxos_explore,
        multipaxos_explore_complete,
        crowd_messages,
        crowd_ms,
        crowd_bytes,
        raft_crowd_messages,
        raft_crowd_frame_ms,
        raft_crowd_png_ms,
        export_steps,
        export_json_ms: exports[0],
        export_svg_ms: exports[1],
        export_mermaid_ms: exports[2],
        export_shiviz_ms: exports[3],
        export_png_ms: exports[4],
        export_gif_steps,
        export_gif_ms_per_frame: exports[5] / (1 + 4 * export_gif_steps) as f64,
        frame_ms_default,
        frame_ms_large,
        sim_steps_per_sec: sim_steps as f64 / sim_secs,
        recorded_steps_per_sec: timeline_steps as f64 / rec_secs,
        sim_steps,
        seek_max_ms: *times.last().unwrap_or(&0.0),
        seek_mean_ms: mean,
        seek_p99_ms: p99,
        seeks,
        timeline_steps,
        checkpoint_interval: CHECKPOINT_INTERVAL,
        explore_states: big.unique_states,
        explore_states_per_sec: big.states_per_sec(),
        explore_bytes_per_state: big.bytes_per_state,
        explore_complete_states: complete.unique_states,
        explore_complete_ms: complete.elapsed.as_secs_f64() * 1000.0,
    }
}

/// Milliseconds to record `n` copies of a Prepare and then drop them all, and the resident memory
/// the timeline holds at the end (its checkpoints share the untouched parts of the network).
fn crowd(n: u64) -> (f64, Option<u64>) {
    use crate::protocols::paxos::Value;
    use crate::sim::MsgId;
    let config = Config {
        learners: 1,
        seed: 4,
        ..Config::default()
    };
    let before = crate::explore::memory::resident();
    let start = Instant::now();
    let mut t = Timeline::<paxos::Paxos>::new(config);
    let value = Value::new("A").expect("a short value");
    t.apply(Action::Propose(paxos::proposer(1), value))
        .expect("a fresh proposer takes a request");
    for _ in 0..n {
        t.apply(Action::Duplicate(MsgId(1)))
            .expect("the first Prepare stays in flight");
    }
    // The request sent three Prepares (ids 1 to 3); the copies follow.
    for id in 4..4 + n {
        t.apply(Action::Drop(MsgId(id as u32)))
            .expect("every copy is in flight once");
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let held = crate::explore::memory::resident()
        .zip(before)
        .map(|(a, b)| a.saturating_sub(b));
    std::hint::black_box(t.world().state_hash());
    (ms, held)
}

/// Milliseconds to export the first `steps` steps of the faulty run as json, svg, mermaid,
/// shiviz and png (whole run), and a gif of its first `gif_steps` steps.
fn export_ms(steps: u64, gif_steps: u64) -> [f64; 6] {
    use crate::export::{Format, StepRange};
    use crate::ui::views::render::{PictureOptions, export};
    let (config, knobs) = faulty_config();
    let t = faulty_timeline(steps);
    let trace = crate::trace::Trace::record(&config, Some(knobs), t.actions().to_vec(), t.world());
    let all = StepRange::all(steps);
    let opts = PictureOptions::default();
    let mut out = [0.0; 6];
    for (i, f) in [
        Format::Json,
        Format::Svg,
        Format::Mermaid,
        Format::Shiviz,
        Format::Png,
    ]
    .into_iter()
    .enumerate()
    {
        let start = Instant::now();
        let bytes = export(&trace, f, all, &opts).expect("the bench trace exports");
        out[i] = start.elapsed().as_secs_f64() * 1000.0;
        std::hint::black_box(bytes);
    }
    let start = Instant::now();
    let gif = export(
        &trace,
        Format::Gif,
        StepRange {
            from: 0,
            to: gif_steps,
        },
        &opts,
    )
    .expect("the bench trace exports");
    out[5] = start.elapsed().as_secs_f64() * 1000.0;
    std::hint::black_box(gif);
    out
}

/// The explorer on `proposers` / 3 acceptors / 1 learner, correct Paxos, no faults.
fn explore_run(
    proposers: u8,
    ballots: u8,
    max_states: Option<u64>,
) -> Report<crate::protocols::paxos::Action> {
    let config = Config {
        proposers,
        acceptors: 3,
        learners: 1,
        ..Config::default()
    };
    let options = Options {
        bounds: Bounds {
            ballots,
            ..Bounds::default()
        },
        max_states,
        ..Options::default()
    };
    explore_paxos(&config, &options, &Progress::default())
        .expect("the benchmark cluster is valid")
        .report
}

/// The Multi-Paxos explorer on 3 servers and `clients` clients, each putting its value to one
/// key and then getting it; correct Multi-Paxos, no faults, no timeouts.
fn multipaxos_explore_run(
    clients: u8,
    max_states: Option<u64>,
) -> Report<crate::protocols::multipaxos::Action> {
    let config = crate::protocols::multipaxos::Config {
        servers: 3,
        clients,
        ..Default::default()
    };
    let options = Options {
        bounds: Bounds {
            timeouts: Some(0),
            total_timeouts: Some(0),
            retries: Some(0),
            ..Bounds::default()
        },
        max_states,
        ..Options::default()
    };
    crate::explore::explore_store_protocol::<crate::protocols::multipaxos::MultiPaxos>(
        &config,
        crate::protocols::kv::Workload::PutGet,
        2,
        &options,
        &Progress::default(),
    )
    .expect("the benchmark cluster is valid")
    .report
}

/// The default sandbox twelve steps in, as `paxos-lab gui --seed 3 --seek 12` opens it.
pub fn default_scene() -> Session<Paxos> {
    let mut s = Session::new(
        Config {
            seed: 3,
            ..Config::default()
        },
        Knobs::default(),
    );
    for _ in 0..10 {
        s.apply(Command::StepForward);
    }
    s
}

/// A crowded classroom demo: 9 proposers, 25 acceptors, 9 learners, 2,000 messages in flight.
pub fn large_scene() -> Session<Paxos> {
    let config = Config {
        proposers: 9,
        acceptors: 25,
        learners: 9,
        seed: 4,
        ..Config::default()
    };
    let mut s = Session::new(config, Knobs::default());
    let mut rng = Rng::new(4);
    // Duplicates (each with its own latency) and deliveries interleaved, so the messages are
    // spread along their edges at different distances, as in a real crowded run.
    while s.world().network().in_flight_count() < 2000 {
        let net = s.world().network();
        let pick = net
            .in_flight()
            .nth(rng.below(net.in_flight_count() as u64) as usize)
            .map(|e| e.id)
            .expect("the index is below the count");
        if rng.below(8) == 0 {
            s.apply(Command::StepForward);
        } else {
            s.apply(Command::Act(Action::Duplicate(pick)));
        }
    }
    s
}

/// Mean CPU milliseconds of one whole-app frame, headless: egui layout plus tessellation.
pub fn frame_ms(session: Session<Paxos>, frames: usize) -> f64 {
    let mut app = PaxosApp::new(session, Settings::default()).fonts_already_installed();
    app.fixed_time = Some(1000.0);
    frame_time(frames, |ui| app.ui(ui))
}

/// Milliseconds of one 1280x800 frame drawn by `draw` (layout and tessellation, headless),
/// after a few frames that fill the font atlas and text layout caches: the median of the frames
/// timed one by one, so a frame the machine's other work delayed does not move the figure (on
/// this shared 2-core machine the mean of 50 frames varied from 1.7 to 4.7 ms between runs).
fn frame_time(frames: usize, draw: impl FnMut(&mut egui::Ui)) -> f64 {
    frame_times(frames, draw).0
}

/// The median and the mean milliseconds of the frames of `frame_time`.
fn frame_times(frames: usize, mut draw: impl FnMut(&mut egui::Ui)) -> (f64, f64) {
    let ctx = egui::Context::default();
    install_fonts(&ctx);
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..Default::default()
    };
    let mut frame = || {
        let mut out = ctx.run_ui(input(), &mut draw);
        out.textures_delta.clear();
        std::hint::black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
    };
    for _ in 0..5 {
        frame();
    }
    let mut times: Vec<f64> = (0..frames.max(1))
        .map(|_| {
            let start = Instant::now();
            frame();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], mean)
}

/// A large Multi-Paxos run for the views: 5 servers and 5 clients asking all the time (a few
/// messages lost), run until the log holds 200 slots, recorded as the app records a run.
pub fn multipaxos_scene() -> Session<crate::protocols::multipaxos::MultiPaxos> {
    let config = crate::protocols::multipaxos::Config {
        servers: 5,
        clients: 5,
        seed: 11,
        ..Default::default()
    };
    let knobs = Knobs {
        drop: 0.02,
        propose: 0.05,
        ..Knobs::NONE
    };
    let mut session = Session::new(config, knobs);
    while crate::protocols::multipaxos::describe::log_slots(session.world()) < 200 {
        let before = session.len();
        session.apply(crate::session::Command::StepForward);
        if session.len() == before {
            break;
        }
    }
    session
}

/// One frame of the whole Raft workspace with `messages` RequestVotes in flight (S1 timing out
/// `messages / 2` times in a three-server cluster), and a PNG export of that step.
fn raft_crowd(messages: u64, frames: usize) -> (f64, f64) {
    use crate::protocols::raft::{self, Raft};
    let config = raft::Config {
        servers: 3,
        clients: 1,
        ..raft::Config::default()
    };
    let mut session = Session::<Raft>::new(config, Knobs::default());
    for _ in 0..messages / 2 {
        session.apply(Command::Act(crate::sim::Action::Timeout(raft::server(1))));
    }
    let trace = session.to_trace();
    let mut app = crate::ui::raft::RaftApp::new(session, crate::ui::i18n::Lang::En);
    app.fixed_time = Some(0.0);
    let frame_ms = frame_time(frames, |ui| app.ui(ui));
    let start = Instant::now();
    let png = crate::ui::views::render::export(
        &trace,
        crate::export::Format::Png,
        crate::export::StepRange::all(trace.actions.len() as u64),
        &crate::ui::views::render::PictureOptions::default(),
    )
    .expect("a crowd exports");
    std::hint::black_box(png);
    (frame_ms, start.elapsed().as_secs_f64() * 1000.0)
}

/// CPU time of one frame of the whole Multi-Paxos workspace at 1280x800 (layout and
/// tessellation, the animation clock frozen), on `session` at its last step.
pub fn multipaxos_frame_ms(
    session: Session<crate::protocols::multipaxos::MultiPaxos>,
    frames: usize,
) -> (f64, f64) {
    let mut app = crate::ui::multipaxos::MultiPaxosApp::new(session, crate::ui::i18n::Lang::En);
    app.fixed_time = Some(0.0);
    frame_times(frames, |ui| app.ui(ui))
}

/// CPU time of one frame of the Multi-Paxos views (log, stores, leader, clients' history) laid
/// out together at 1280x800, layout and tessellation, on `world`.
pub fn multipaxos_views_frame_ms(
    world: &crate::protocols::multipaxos::MultiPaxosWorld,
    frames: usize,
) -> f64 {
    use crate::ui::multipaxos::leader_view::LeaderView;
    use crate::ui::multipaxos::log_view::LogView;
    use crate::ui::views::history_view::HistoryView;
    use crate::ui::views::store_view::StoreView;
    let palette = crate::palette::Palette::standard(true);
    let lang = crate::ui::i18n::Lang::En;
    let (mut log, mut store, mut leader, mut history) = (
        LogView::default(),
        StoreView::default(),
        LeaderView,
        HistoryView::default(),
    );
    frame_time(frames, |ui| {
        log.ui(ui, world, lang, &palette);
        ui.columns(2, |cols| {
            store.ui(&mut cols[0], world, None, lang, &palette);
            leader.ui(&mut cols[1], world, lang);
        });
        history.ui(ui, world, &[], lang, &palette);
    })
}

/// Multi-Paxos's long faulty run: three clients keep asking (the workload knob), so it never
/// goes quiet; servers crash and restart, messages are lost and copied.
pub fn multipaxos_faulty() -> (crate::protocols::multipaxos::Config, Knobs) {
    let config = crate::protocols::multipaxos::Config {
        servers: 3,
        clients: 3,
        seed: 2026,
        ..Default::default()
    };
    let knobs = Knobs {
        drop: 0.1,
        duplicate: 0.05,
        crash: 0.005,
        restart: 0.2,
        propose: 0.01,
        lie: 0.0,
        pause: 0.0,
    };
    (config, knobs)
}

fn multipaxos_figures(sim_steps: u64, timeline_steps: u64, seeks: usize) -> ProtocolFigures {
    use crate::protocols::multipaxos::MultiPaxos;
    let (config, knobs) = multipaxos_faulty();
    let mut world = config.world();
    let mut scheduler = Scheduler::new(config.seed, knobs);
    let start = Instant::now();
    for _ in 0..sim_steps {
        let a = scheduler.next(&world).expect("heartbeats never stop");
        world.apply(&a).expect("enabled");
    }
    let sim_secs = start.elapsed().as_secs_f64();
    std::hint::black_box(world.state_hash());
    drop(world);

    let before = crate::explore::memory::resident();
    let start = Instant::now();
    let mut timeline = Timeline::<MultiPaxos>::new(config.clone());
    let mut scheduler = Scheduler::new(config.seed, knobs);
    while timeline.len() < timeline_steps {
        let a = scheduler.next(timeline.world()).expect("never quiet");
        timeline.apply(a).expect("enabled");
    }
    let rec_secs = start.elapsed().as_secs_f64();
    let held = crate::explore::memory::resident()
        .zip(before)
        .map(|(after, before)| after.saturating_sub(before));
    let times = seek_times(&mut timeline, seeks);
    ProtocolFigures {
        sim_steps,
        sim_steps_per_sec: sim_steps as f64 / sim_secs,
        recorded_steps_per_sec: timeline_steps as f64 / rec_secs,
        timeline_steps,
        seeks,
        seek_max_ms: *times.last().unwrap_or(&0.0),
        seek_mean_ms: times.iter().sum::<f64>() / times.len().max(1) as f64,
        seek_p99_ms: times[(times.len() * 99 / 100).min(times.len() - 1)],
        timeline_bytes: held,
    }
}

/// The milliseconds of `seeks` seeks in `timeline`, sorted: random targets, and every other one
/// the worst kind (the step just before a checkpoint, from far away).
fn seek_times<P: crate::protocols::Plugin>(timeline: &mut Timeline<P>, seeks: usize) -> Vec<f64> {
    let steps = timeline.len();
    let mut rng = Rng::new(7);
    let mut times = Vec::with_capacity(seeks);
    for i in 0..seeks {
        let target = if i % 2 == 0 {
            rng.below(steps + 1)
        } else {
            let k = rng.below(steps / CHECKPOINT_INTERVAL).max(1);
            k * CHECKPOINT_INTERVAL - 1
        };
        let t0 = Instant::now();
        timeline.seek(target);
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(timeline.position(), target);
    }
    times.sort_by(f64::total_cmp);
    times
}

/// "Can this break?" for every flaw of every protocol, as the windows plan it (`explore::ask`).
fn can_this_break() -> Vec<FlawSearch> {
    use crate::explore::ask::{StoreAsk, paxos_plan, store_plan};
    use crate::explore::{Search, StoreSearch};
    fn found<P: crate::protocols::Plugin>(s: &Result<Search<P>, String>) -> String {
        match s {
            Ok(s) => match &s.report.verdict {
                Verdict::Violation { violation, .. } => violation.invariant.to_string(),
                other => verdict_word(other).to_string(),
            },
            Err(e) => e.clone(),
        }
    }
    fn store<P: StoreSearch>(config: P::Config, flaw: &'static str) -> FlawSearch {
        let plan = store_plan::<P>(&config, StoreAsk::default());
        let start = Instant::now();
        let search = plan.search::<P>(&Progress::default());
        FlawSearch {
            protocol: P::NAME,
            flaw,
            ms: start.elapsed().as_secs_f64() * 1000.0,
            found: found(&search),
        }
    }
    /// Every flaw of one protocol, searched as its window plans it.
    trait FlawBench {
        fn searches() -> Vec<FlawSearch>;
    }
    impl FlawBench for paxos::Paxos {
        fn searches() -> Vec<FlawSearch> {
            paxos::Flaw::ALL
                .into_iter()
                .map(|flaw| {
                    let config = Config {
                        flaws: vec![flaw],
                        ..Config::default()
                    };
                    let bounds = Bounds {
                        ballots: 1,
                        ..Bounds::default()
                    };
                    let (options, _) = paxos_plan(&config, bounds, true);
                    let start = Instant::now();
                    let search = explore_paxos(&config, &options, &Progress::default());
                    FlawSearch {
                        protocol: "paxos",
                        flaw: flaw.name(),
                        ms: start.elapsed().as_secs_f64() * 1000.0,
                        found: found(&search),
                    }
                })
                .chain(std::iter::once({
                    // One lying acceptor, as `explore --byzantine A2` searches it (its bounds).
                    let config = Config {
                        learners: 1,
                        byzantine: vec![paxos::acceptor(2)],
                        ..Config::default()
                    };
                    let options = crate::explore::Options::default();
                    let start = Instant::now();
                    let search = explore_paxos(&config, &options, &Progress::default());
                    FlawSearch {
                        protocol: "paxos",
                        flaw: "byzantine A2",
                        ms: start.elapsed().as_secs_f64() * 1000.0,
                        found: found(&search),
                    }
                }))
                .collect()
        }
    }
    impl<P: StoreSearch> FlawBench for P {
        fn searches() -> Vec<FlawSearch> {
            use crate::protocols::kv::config::StoreConfig;
            <P::Config as StoreConfig>::all_flaws()
                .iter()
                .map(|&flaw| {
                    let mut config = P::Config::default();
                    *config.flaws() = vec![flaw];
                    store::<P>(config, <P::Config as StoreConfig>::flaw_words(flaw).0)
                })
                .chain(std::iter::once({
                    // One lying server.
                    let mut config = P::Config::default();
                    *config.fields().byzantine = vec![crate::protocols::kv::server(2)];
                    store::<P>(config, "byzantine S2")
                }))
                .collect()
        }
    }
    crate::trace::Protocol::ALL
        .iter()
        .flat_map(|&protocol| crate::with_protocol!(protocol, P => <P as FlawBench>::searches()))
        .collect()
}
