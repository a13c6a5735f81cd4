//! The command line: parses arguments with clap and runs the simulation, replay, check and
//! bench commands. Every error is printed once, as `path:line:col: message` where a position
//! exists. Exit codes: 0 fine, 1 a safety violation, 2 bad input or usage, 3 a replay diverged.

// The command line runs only on a desktop: it may use threads and the clock.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::bench;
use crate::protocols::Plugin;
use crate::protocols::kv::Workload;
use crate::protocols::paxos::Config;
use crate::protocols::paxos::{Outcome, Paxos};
use crate::protocols::plugin::Setup;
use crate::sim::world::ActionOf;
use crate::sim::{Knobs, Scheduler};
use crate::trace::{self, Trace};

/// Prints to stdout. A closed pipe is ignored (`paxos-lab check dir | head` must not panic);
/// any other failure (a full disk, `> /dev/full`) is kept and ends the run with exit 2.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        $crate::cli::stdout_written(writeln!(std::io::stdout(), $($arg)*));
    }};
}

/// The first failure to write standard output, other than a closed pipe.
static STDOUT_FAILURE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// A count of nodes of one role, from 1 to the most the simulation names (`MAX_PER_ROLE`); clap
/// would otherwise name the range of a `u8`, which is not the limit.
pub(crate) fn per_role(text: &str) -> Result<u8, String> {
    count_up_to_max(text, 1)
}

/// Clients of a store protocol: none at all is a cluster too.
pub(crate) fn clients_count(text: &str) -> Result<u8, String> {
    count_up_to_max(text, 0)
}

fn count_up_to_max(text: &str, least: u64) -> Result<u8, String> {
    let max = crate::sim::ids::MAX_PER_ROLE;
    match text.trim().parse::<u64>() {
        Ok(n) if (least..=max as u64).contains(&n) => Ok(n as u8),
        _ => Err(format!("a whole number from {least} to {max}")),
    }
}

/// Records a failed write to standard output (a closed pipe is no failure: the reader is done).
pub(crate) fn stdout_written(result: std::io::Result<()>) {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && let Ok(mut slot) = STDOUT_FAILURE.lock()
    {
        slot.get_or_insert_with(|| e.to_string());
    }
}

/// Prints to stderr, ignoring a failed write (stderr on `/dev/full` must not panic: the exit
/// code still tells what happened).
macro_rules! report {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod compare;
mod explore;
mod export;

pub const EXIT_OK: u8 = 0;
pub const EXIT_VIOLATION: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_DIVERGED: u8 = 3;

#[derive(Parser, Debug)]
#[command(
    name = "paxos-lab",
    version,
    about = "Watch, break and fix the Paxos consensus algorithm",
    long_about = "Watch, break and fix the Paxos consensus algorithm.\n\nEvery run is deterministic: the same configuration, seed and actions give the same trace, byte for byte."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a seeded simulation and print what happened (optionally save its trace)
    Simulate(SimulateArgs),
    /// Re-run a trace file and check it reaches its recorded outcome
    Replay {
        file: PathBuf,
        /// Print one JSON object instead of a summary
        #[arg(long)]
        json: bool,
        /// Also say the state hash after this many steps (as a link's `at=N` shows the run)
        #[arg(long)]
        at: Option<u64>,
    },
    /// Validate trace and lesson files (or every .ron/.json file in a folder)
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print one JSON object per file (for lessons, each exercise's reference and shortest
        /// solution lengths)
        #[arg(long)]
        json: bool,
    },
    /// Search every interleaving for a broken safety rule (breadth-first: shortest counterexample)
    Explore(explore::ExploreArgs),
    /// Run Multi-Paxos and Raft on one seed, workload and fault script, and compare their figures
    Compare(compare::CompareArgs),
    /// Write a trace as JSON, an SVG space-time diagram, Mermaid, a ShiViz log, or a PNG/GIF of the graph
    Export(export::ExportArgs),
    /// Open the desktop app (the default): a sandbox, or a trace file
    Gui(GuiArgs),
    /// Open the app on a lesson file, or check it headless with --verify
    Lesson {
        file: PathBuf,
        /// Run it headless: every wait reached, every exercise's solution meets its goal
        #[arg(long)]
        verify: bool,
        /// The interface language: en or zh
        #[arg(long, value_parser = parse_lang)]
        lang: Option<crate::ui::i18n::Lang>,
        /// Open at this step of the lesson (counted from 1)
        #[arg(long, default_value_t = 1)]
        step: usize,
        /// Save a screenshot of the window here and exit
        #[arg(long, value_name = "OUT.png")]
        screenshot: Option<PathBuf>,
        /// With --screenshot: write the rectangle of every node, node state and message label,
        /// pane, log row and exercise control drawn in that frame here, as JSON
        #[arg(long, value_name = "OUT.json", requires = "screenshot")]
        layout_json: Option<PathBuf>,
        /// Start in presenter mode (large, high contrast, for a projector)
        #[arg(long)]
        presenter: bool,
        /// Window size as WIDTHxHEIGHT
        /// (default: the size the window had last time, or 1280x800; a size given here wins)
        #[arg(long, value_parser = parse_size)]
        size: Option<(f32, f32)>,
    },
    /// Say what a link opens, as JSON (a run's step count and state hash at its step), or why it
    /// cannot be opened (exit 2)
    /// (with --from: print the link of a trace file's run instead)
    Link {
        /// A page address or its part from `#`, as File > Copy link gives it
        #[arg(required_unless_present = "from")]
        link: Option<String>,
        /// A trace file (RON or JSON) whose run to link to
        #[arg(long, value_name = "TRACE", conflicts_with = "link")]
        from: Option<PathBuf>,
        /// With --from: the step the link opens at (default: the end)
        #[arg(long, requires = "from")]
        at: Option<u64>,
    },
    /// Measure simulation speed and seek time on this machine
    Bench {
        #[arg(long)]
        json: bool,
        /// A smaller, faster measurement (for smoke tests)
        #[arg(long)]
        quick: bool,
    },
}

#[derive(Args, Debug, Clone, Default)]
pub struct GuiArgs {
    /// A trace file to open (RON or JSON); without one, a sandbox on the default cluster
    pub trace: Option<PathBuf>,
    /// The sandbox's seed
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Open at this step (the sandbox plays forward to reach it)
    #[arg(long)]
    pub seek: Option<u64>,
    /// The interface language: en or zh (default: the last one used)
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<crate::ui::i18n::Lang>,
    /// Draw the requested state, save a screenshot of the window here and exit
    #[arg(long, value_name = "OUT.png")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: write the rectangle of every node, node state and message label drawn
    /// in that frame here, as JSON: [{"kind": "node" | "state" | "label" | "crowd" | "pane" |
    /// "log-row" | "control", "id", "rect": [x0, y0, x1, y1]}] in screen points (the store
    /// workspaces add their panes, each server's log row and the exercise's controls)
    #[arg(long, value_name = "OUT.json", requires = "screenshot")]
    pub layout_json: Option<PathBuf>,
    /// Start in presenter mode (large, high contrast, for a projector)
    #[arg(long)]
    pub presenter: bool,
    /// Window size as WIDTHxHEIGHT
    /// (default: the size the window had last time, or 1280x800; a size given here wins)
    #[arg(long, value_parser = parse_size)]
    pub size: Option<(f32, f32)>,
    /// Open on the lesson picker, the start screen (as `paxos-lab` alone does)
    #[arg(long, conflicts_with_all = ["trace", "seek"])]
    pub lessons: bool,
    /// Open what a link names: a page address or its part from `#` (`#lesson=raft-elections&step=4`,
    /// `#run=…&at=57`, `#compare=partition&round=120`), as File > Copy link gives it
    #[arg(long, value_name = "URL", conflicts_with_all = ["trace", "seek", "lessons", "seed"])]
    pub link: Option<String>,
}

fn parse_lang(s: &str) -> Result<crate::ui::i18n::Lang, String> {
    crate::ui::i18n::Lang::from_code(s).ok_or_else(|| format!("`{s}`: expected en or zh"))
}

fn parse_size(s: &str) -> Result<(f32, f32), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| format!("`{s}`: expected WIDTHxHEIGHT"))?;
    let n = |x: &str| {
        x.parse::<f32>()
            .ok()
            .filter(|v| (200.0..=10_000.0).contains(v))
            .ok_or_else(|| format!("`{x}` is not a size between 200 and 10000"))
    };
    Ok((n(w)?, n(h)?))
}

#[derive(Args, Debug, Clone)]
pub struct SimulateArgs {
    /// paxos (single-decree), multipaxos, raft or pbft (each a replicated key-value store)
    #[arg(long, default_value = "paxos")]
    pub protocol: String,
    /// Paxos: proposers
    #[arg(long, default_value_t = 2, value_parser = crate::cli::per_role)]
    pub proposers: u8,
    /// Paxos: acceptors
    #[arg(long, default_value_t = 3, value_parser = crate::cli::per_role)]
    pub acceptors: u8,
    /// Paxos: learners
    #[arg(long, default_value_t = 2, value_parser = crate::cli::per_role)]
    pub learners: u8,
    /// Multi-Paxos, Raft and PBFT: servers (default 3; PBFT: 3f + 1)
    #[arg(long, value_parser = crate::cli::per_role)]
    pub servers: Option<u8>,
    /// PBFT: f, the Byzantine replicas its quorums are sized for (default 1)
    #[arg(long, value_parser = crate::cli::clients_count)]
    pub faults: Option<u8>,
    /// Multi-Paxos: clients
    #[arg(long, default_value_t = 2, value_parser = crate::cli::clients_count)]
    pub clients: u8,
    /// Multi-Paxos: operations per client, drawn from the seeded workload (at most 10,000)
    #[arg(long, default_value_t = 3)]
    pub ops: u32,
    /// Multi-Paxos: mixed (puts, gets and compare-and-sets over two keys) or put-get
    #[arg(long, default_value = "mixed", value_parser = Workload::parse)]
    pub workload: Workload,
    /// Phase-1 quorum size (default: a majority)
    #[arg(long)]
    pub q1: Option<u8>,
    /// Phase-2 quorum size (default: a majority)
    #[arg(long)]
    pub q2: Option<u8>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop after this many steps even if there is more to do (at most 1,000,000)
    #[arg(long, default_value_t = 1000)]
    pub steps: u64,
    /// Probability that the message due next is dropped
    #[arg(long, default_value_t = 0.0)]
    pub drop: f64,
    /// Probability that the message due next is duplicated
    #[arg(long, default_value_t = 0.0)]
    pub duplicate: f64,
    /// Probability per step that a random live node crashes
    #[arg(long, default_value_t = 0.0)]
    pub crash: f64,
    /// Probability per step that a random crashed node restarts
    #[arg(long, default_value_t = 0.2)]
    pub restart: f64,
    /// Probability per step that a random proposer (Multi-Paxos: client) gets a new request
    #[arg(long, default_value_t = 0.0)]
    pub propose: f64,
    /// Message latency range in ticks, as MIN,MAX
    #[arg(long, value_parser = parse_range, default_value = "5,15")]
    pub latency: (u32, u32),
    /// Ticks a proposer waits in a phase before retrying (Multi-Paxos: the election timeout's
    /// lower end)
    #[arg(long, default_value_t = 60)]
    pub timeout: u32,
    /// Switch on a deliberate bug (repeatable). Paxos: amnesia, ignore-promised-value,
    /// accept-lower-ballot, minority-quorum, learner-mixes-ballots, reuse-ballot. Multi-Paxos:
    /// skip-prepare-on-failover, ignore-promised-commands, commit-on-minority, no-dedup,
    /// stale-read, apply-past-hole. Raft: commit-previous-term, vote-twice, no-up-to-date-check,
    /// volatile-state, stale-read, naive-swap. PBFT: ignore-certificates
    #[arg(long = "flaw", value_name = "NAME")]
    pub flaws: Vec<String>,
    /// Mark a node Byzantine (repeatable): it follows the rules but may also lie, and the
    /// monitor judges only the honest nodes
    #[arg(long = "byzantine", value_name = "ID")]
    pub byzantine: Vec<String>,
    /// Probability per step that a random Byzantine node tells a random lie
    #[arg(long, default_value_t = 0.0)]
    pub lie: f64,
    /// Raft, Multi-Paxos: a server asks whether it could win an election before raising its
    /// term or ballot (Pre-Vote)
    #[arg(long)]
    pub pre_vote: bool,
    /// Raft, Multi-Paxos: a leader that has not heard from a majority within an election
    /// timeout steps down, and a server that hears from a live leader ignores requests to elect
    /// another (CheckQuorum with leader stickiness)
    #[arg(long)]
    pub check_quorum: bool,
    /// Raft, Multi-Paxos: how a leader answers a get: log (through the log, as a write),
    /// read-index (after a round of heartbeats confirms it still leads) or lease (alone, while
    /// its lease holds by its own clock; needs --check-quorum)
    #[arg(long, default_value = "log", value_parser = crate::protocols::kv::Reads::parse)]
    pub reads: crate::protocols::kv::Reads,
    /// Raft, Multi-Paxos: how far each node's clock may run fast or slow, in parts per thousand
    /// (each node's rate is drawn from the seed)
    #[arg(long, default_value_t = 0)]
    pub drift: u32,
    /// Probability per step that a random live node pauses (a long GC pause or a suspended VM)
    /// for between one tick and three timeouts, and resumes with its clock that far behind
    #[arg(long, default_value_t = 0.0)]
    pub pause: f64,
    /// Save the trace here (RON, or JSON for a .json name); written atomically
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object instead of a summary
    #[arg(long)]
    pub json: bool,
}

fn parse_range(s: &str) -> Result<(u32, u32), String> {
    let (a, b) = s
        .split_once(',')
        .ok_or_else(|| format!("`{s}`: expected MIN,MAX"))?;
    let n = |x: &str| {
        x.trim()
            .parse::<u32>()
            .map_err(|_| format!("`{x}` is not a whole number"))
    };
    Ok((n(a)?, n(b)?))
}

impl SimulateArgs {
    /// The options every protocol reads its config from.
    pub fn setup(&self) -> Setup {
        Setup {
            proposers: self.proposers,
            acceptors: self.acceptors,
            learners: self.learners,
            q1: self.q1,
            q2: self.q2,
            servers: self.servers,
            faults: self.faults,
            clients: self.clients,
            ops: self.ops,
            workload: self.workload,
            flaws: self.flaws.clone(),
            byzantine: self.byzantine.clone(),
            seed: self.seed,
            latency: self.latency,
            timeout: self.timeout,
            pre_vote: self.pre_vote,
            check_quorum: self.check_quorum,
            reads: self.reads,
            drift: self.drift,
        }
    }

    pub fn knobs(&self) -> Knobs {
        Knobs {
            drop: self.drop,
            duplicate: self.duplicate,
            crash: self.crash,
            restart: self.restart,
            propose: self.propose,
            lie: self.lie,
            pause: self.pause,
        }
    }
}

/// Runs a scheduled Paxos simulation: the opening requests, then the auto-scheduler until
/// nothing is left to do or `steps` actions have been taken.
pub fn simulate(config: &Config, knobs: Knobs, steps: u64) -> Trace<Paxos> {
    simulate_as::<Paxos>(
        config,
        knobs,
        steps,
        trace::opening_requests::<Paxos>(config),
    )
}

/// Runs a scheduled simulation of any protocol, opening with `opening`.
pub fn simulate_as<P: Plugin>(
    config: &P::Config,
    knobs: Knobs,
    steps: u64,
    opening: Vec<ActionOf<P>>,
) -> Trace<P> {
    let mut world = P::world(config);
    let mut actions = Vec::new();
    for a in opening {
        if actions.len() as u64 >= steps {
            break;
        }
        world.apply(&a).expect("a fresh node accepts a request");
        actions.push(a);
    }
    let mut scheduler = Scheduler::new(world.timing().seed, knobs);
    while (actions.len() as u64) < steps {
        let Some(a) = scheduler.next(&world) else {
            break;
        };
        world
            .apply(&a)
            .expect("the scheduler only picks enabled actions");
        actions.push(a);
    }
    Trace::record(config, Some(knobs), actions, &world)
}

/// The JSON report printed by `simulate --json` and `replay --json` for Paxos.
pub fn report_json(outcome: &Outcome) -> serde_json::Value {
    Paxos::outcome_json(outcome)
}

fn print_outcome<P: Plugin>(outcome: &P::Outcome, json: bool) {
    if json {
        say!("{}", P::outcome_json(outcome));
    } else {
        say!("{}", P::summary(outcome).trim_end());
    }
}

fn exit_for<P: Plugin>(outcome: &P::Outcome) -> u8 {
    if P::violated(outcome) {
        EXIT_VIOLATION
    } else {
        EXIT_OK
    }
}

/// The most steps `simulate` runs and `gui --seek` plays: a million-step trace is about 25 MB
/// of RON, well within what paxos-lab reads back (`fsutil::MAX_INPUT_BYTES`).
pub const MAX_STEPS: u64 = 1_000_000;

fn run_simulate(args: &SimulateArgs) -> u8 {
    if args.steps > MAX_STEPS {
        report!(
            "error: --steps {} is more than the limit of {MAX_STEPS}: a longer trace could not be read back; run shorter pieces",
            args.steps
        );
        return EXIT_BAD_INPUT;
    }
    let protocol = match trace::Protocol::parse(&args.protocol) {
        Ok(p) => p,
        Err(m) => {
            report!("error: --protocol: {m}");
            return EXIT_BAD_INPUT;
        }
    };
    if let Err(m) = args.knobs().validate() {
        report!("error: {m}");
        return EXIT_BAD_INPUT;
    }
    crate::with_protocol!(protocol, P => simulate_protocol::<P>(args))
}

fn simulate_protocol<P: Plugin>(args: &SimulateArgs) -> u8 {
    let setup = args.setup();
    let planned = P::config_from(&setup).and_then(|config| {
        let opening = P::scheduled_requests(&config, &setup)?;
        Ok((config, opening))
    });
    let (config, opening) = match planned {
        Ok(p) => p,
        Err(m) => {
            report!("error: {m}");
            return EXIT_BAD_INPUT;
        }
    };
    for warning in P::config_warnings(&config) {
        report!("warning: {warning}");
    }
    finish_simulation::<P>(args, &config, opening)
}

fn finish_simulation<P: Plugin>(
    args: &SimulateArgs,
    config: &P::Config,
    opening: Vec<ActionOf<P>>,
) -> u8 {
    let trace = simulate_as::<P>(config, args.knobs(), args.steps, opening);
    if let Some(path) = &args.out
        && let Err(e) = trace.save(path)
    {
        report!("{}: cannot write the trace: {e}", path.display());
        return EXIT_BAD_INPUT;
    }
    let outcome = trace
        .outcome
        .as_ref()
        .expect("recorded traces carry an outcome");
    print_outcome::<P>(outcome, args.json);
    exit_for::<P>(outcome)
}

fn run_replay(file: &Path, json: bool, at: Option<u64>) -> u8 {
    let text = match trace::read_text(file) {
        Ok(t) => t,
        Err(e) => {
            report!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    match trace::Protocol::of_text(file, &text) {
        Ok(protocol) => crate::with_protocol!(protocol, P => replay_as::<P>(file, &text, json, at)),
        Err(e) => {
            report!("{e}");
            EXIT_BAD_INPUT
        }
    }
}

fn replay_as<P: Plugin>(file: &Path, text: &str, json: bool, at: Option<u64>) -> u8 {
    let (trace, replayed) = match trace::parse_and_replay_as::<P>(file, text) {
        Ok(x) => x,
        Err(e) => {
            report!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    // The state at a step, as the app (and a link's `at=N`) shows it.
    let at_step = match at {
        None => None,
        Some(at) => {
            let session = crate::session::Session::<P>::from_trace(&trace)
                .map_err(|e| format!("{}: {e}", file.display()))
                .and_then(|s| seek_to(s, at, "--at", file));
            match session {
                Ok(session) => Some((at, session.world().state_hash())),
                Err(e) => {
                    report!("{e}");
                    return EXIT_BAD_INPUT;
                }
            }
        }
    };
    if let Some(recorded) = &trace.outcome {
        let diffs = crate::protocols::plugin::outcome_differences::<P>(recorded, &replayed.outcome);
        if !diffs.is_empty() {
            report!(
                "{}: the replay diverged from the recorded outcome:",
                file.display()
            );
            for d in diffs {
                report!("  {d}");
            }
            return EXIT_DIVERGED;
        }
    }
    match at_step {
        Some((at, hash)) if json => {
            let mut j = P::outcome_json(&replayed.outcome);
            if !j.is_object() {
                j = serde_json::json!({ "outcome": j });
            }
            j["at"] = serde_json::json!(at);
            j["state_hash"] = serde_json::json!(format!("{hash:016x}"));
            say!("{j}");
        }
        Some((at, hash)) => {
            print_outcome::<P>(&replayed.outcome, false);
            say!("state hash at step {at}: {hash:016x}");
        }
        None => print_outcome::<P>(&replayed.outcome, json),
    }
    exit_for::<P>(&replayed.outcome)
}

/// The files `check` looks at: each file named, and the .ron/.json files inside each folder.
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            collect_files(p, 0, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// How deep `check` descends into folders (a link that loops back is never followed anyway).
const CHECK_DEPTH: usize = 8;

/// The .ron and .json files in `dir` and the folders below it, in name order, a folder's own
/// files before its subfolders'. Linked folders are not entered, so a loop cannot trap it.
fn collect_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let is_folder = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    out.extend(
        entries
            .iter()
            .filter(|f| !is_folder(f))
            .filter(|f| trace::has_extension(f, "ron") || trace::has_extension(f, "json"))
            .cloned(),
    );
    if depth < CHECK_DEPTH {
        for sub in entries.iter().filter(|p| is_folder(p)) {
            collect_files(sub, depth + 1, out);
        }
    }
}

/// What `check` found in one file: the exit code it earns, a line for people, and its JSON.
struct FileCheck {
    exit: u8,
    line: Result<String, String>,
    json: serde_json::Value,
}

fn check_file(f: &Path) -> FileCheck {
    let failed = |exit: u8, kind: Option<&str>, message: String| FileCheck {
        exit,
        json: serde_json::json!({"file": f.display().to_string(), "kind": kind, "ok": false, "error": message}),
        line: Err(message),
    };
    let text = match trace::read_text(f) {
        Ok(text) => text,
        Err(e) => return failed(EXIT_BAD_INPUT, None, e.to_string()),
    };
    if text.trim().is_empty() && !trace::is_json(f) {
        return failed(
            EXIT_BAD_INPUT,
            None,
            format!(
                "{}:1:1: the file is empty: a trace is `(version: 1, config: (...), actions: [...])`, a lesson is `(version: 1, id: ..., steps: [...])`",
                f.display()
            ),
        );
    }
    if !trace::is_json(f) && crate::compare::is_script(&text) {
        return match crate::compare::Script::parse(f, &text) {
            Ok(s) => FileCheck {
                exit: EXIT_OK,
                json: serde_json::json!({"file": f.display().to_string(), "kind": "fault-script", "ok": true, "faults": s.faults.len(), "servers": s.servers, "rounds": s.rounds}),
                line: Ok(format!(
                    "ok: {} (fault script, {} faults over {} rounds on {} servers; run it with `paxos-lab compare --faults {}`)",
                    f.display(),
                    s.faults.len(),
                    s.rounds,
                    s.servers,
                    f.display()
                )),
            },
            Err(e) => failed(EXIT_BAD_INPUT, Some("fault-script"), e.to_string()),
        };
    }
    let lesson = crate::lesson::is_lesson(f, &text).unwrap_or_else(|| {
        // Broken beyond telling: show the error of the reading that got further.
        let as_lesson = match trace::Protocol::of_text(f, &text) {
            Ok(protocol) => {
                crate::with_protocol!(protocol, P => crate::lesson::parse_as::<P>(f, &text).err())
            }
            Err(e) => Some(e),
        };
        let as_trace = trace::parse(f, &text, false).err();
        match (as_lesson, as_trace) {
            (Some(l), Some(t)) => (l.line, l.col) > (t.line, t.col),
            (None, _) => true,
            _ => false,
        }
    });
    if lesson {
        return match trace::Protocol::of_text(f, &text) {
            Ok(protocol) => crate::with_protocol!(protocol, P => check_lesson::<P>(f, &text)),
            Err(e) => failed(EXIT_BAD_INPUT, Some("lesson"), e.to_string()),
        };
    }
    let checked = match trace::Protocol::of_text(f, &text) {
        Ok(protocol) => crate::with_protocol!(protocol, P => check_trace::<P>(f, &text)),
        Err(e) => Err(e),
    };
    match checked {
        Err(e) => failed(EXIT_BAD_INPUT, Some("trace"), e.to_string()),
        Ok((steps, diffs)) => {
            if diffs.is_empty() {
                FileCheck {
                    exit: EXIT_OK,
                    line: Ok(format!("ok: {} ({steps} steps)", f.display())),
                    json: serde_json::json!({
                        "file": f.display().to_string(), "kind": "trace", "ok": true,
                        "steps": steps,
                    }),
                }
            } else {
                failed(
                    EXIT_DIVERGED,
                    Some("trace"),
                    format!(
                        "{}: replay diverged from the recorded outcome: {}",
                        f.display(),
                        diffs.join("; ")
                    ),
                )
            }
        }
    }
}

/// Verifies a lesson of protocol `P` and searches its exercises for shortcuts.
fn check_lesson<P: crate::lesson::Teach>(f: &Path, text: &str) -> FileCheck {
    match crate::lesson::check_as::<P>(f, text) {
        Ok((l, checked)) => FileCheck {
            exit: EXIT_OK,
            line: Ok(format!(
                "ok: {} (lesson `{}`, {} steps, {} exercises verified, no shortcut)",
                f.display(),
                l.id,
                l.steps.len(),
                checked.report.exercises
            )),
            json: serde_json::json!({
                "file": f.display().to_string(),
                "kind": "lesson",
                "ok": true,
                "protocol": P::NAME,
                "id": l.id,
                "steps": l.steps.len(),
                "exercises": checked.exercises.iter().map(|e| serde_json::json!({
                    "step": e.step + 1,
                    "reference_steps": e.reference_steps,
                    "shortest_steps": e.shortest_steps,
                    "states_searched": e.states,
                })).collect::<Vec<_>>(),
            }),
        },
        Err(e) => FileCheck {
            exit: EXIT_BAD_INPUT,
            json: serde_json::json!({"file": f.display().to_string(), "kind": "lesson", "ok": false, "error": e.to_string()}),
            line: Err(e.to_string()),
        },
    }
}

/// Replays a trace: its length and how its outcome differs from the recorded one.
fn check_trace<P: Plugin>(f: &Path, text: &str) -> Result<(usize, Vec<String>), trace::FileError> {
    let (t, r) = trace::parse_and_replay_as::<P>(f, text)?;
    let diffs = t
        .outcome
        .as_ref()
        .map(|o| crate::protocols::plugin::outcome_differences::<P>(o, &r.outcome))
        .unwrap_or_default();
    Ok((t.actions.len(), diffs))
}

fn run_check(paths: &[PathBuf], json: bool) -> u8 {
    let files = expand(paths);
    if files.is_empty() {
        report!("check: no .ron or .json files found");
        return EXIT_BAD_INPUT;
    }
    let mut worst = EXIT_OK;
    check_in_order(&files, |c| {
        // Bad input outranks a divergence; either outranks fine.
        worst = match (worst, c.exit) {
            (_, EXIT_BAD_INPUT) => EXIT_BAD_INPUT,
            (EXIT_OK, e) => e,
            (w, _) => w,
        };
        if json {
            say!("{}", c.json);
        } else {
            match c.line {
                Ok(l) => say!("{l}"),
                Err(e) => report!("{e}"),
            }
        }
    });
    worst
}

/// Checks `files` on one thread per core (a lesson's shortcut search can take seconds), and
/// hands each result to `each` in file order, as soon as it and every file before it are done:
/// the output is the same whatever the number of cores.
fn check_in_order(files: &[PathBuf], mut each: impl FnMut(FileCheck)) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, files.len().max(1));
    let next = AtomicUsize::new(0);
    let (done, results) = std::sync::mpsc::channel();
    // Takes the next unchecked file until none is left (or nobody listens any more).
    let work = |done: std::sync::mpsc::Sender<(usize, FileCheck)>| loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(f) = files.get(i) else { break };
        if done.send((i, check_file(f))).is_err() {
            break;
        }
    };
    std::thread::scope(|scope| {
        let mut started = 0;
        for _ in 0..workers {
            let done = done.clone();
            // The main thread's stack size, so that a file parses the same on either.
            if std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(scope, move || work(done))
                .is_ok()
            {
                started += 1;
            }
        }
        if started == 0 {
            // No thread could start: check here, one file after another.
            work(done.clone());
        }
        drop(done);
        let mut waiting = std::collections::BTreeMap::new();
        let mut shown = 0;
        for (i, c) in results {
            waiting.insert(i, c);
            while let Some(c) = waiting.remove(&shown) {
                each(c);
                shown += 1;
            }
        }
    });
}

fn run_lesson(file: &Path, verify: bool, step: usize, gui: &GuiArgs) -> u8 {
    // Opening checks the reference path as verifying does (a lesson whose path fails is reported
    // with its position rather than opened); verifying also searches every exercise for a
    // shortcut, which can take seconds.
    let text = match trace::read_text(file) {
        Ok(text) => text,
        Err(e) => {
            report!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    match trace::Protocol::of_text(file, &text) {
        Ok(protocol) if verify => {
            crate::with_protocol!(protocol, P => verify_lesson::<P>(file, &text))
        }
        Ok(protocol) => {
            crate::with_protocol!(protocol, P => open_lesson::<P>(file, &text, step, gui))
        }
        Err(e) => {
            report!("{e}");
            EXIT_BAD_INPUT
        }
    }
}

/// Opens a lesson of protocol `P` at `--step`, once its reference path is checked.
fn open_lesson<P: crate::ui::workspace::Shown>(
    file: &Path,
    text: &str,
    step: usize,
    gui: &GuiArgs,
) -> u8 {
    let (lesson, _) = match crate::lesson::check_reference_as::<P>(file, text) {
        Ok(checked) => checked,
        Err(e) => {
            report!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    let Some(at) = lesson_step(step, lesson.steps.len()) else {
        return EXIT_BAD_INPUT;
    };
    open_app(
        Some(P::open_lesson(lesson, at, Some(file.to_path_buf()))),
        gui,
    )
}

/// The index of `--step` (counted from 1) in a lesson of `len` steps, or `None` (said) if the
/// lesson has no such step.
fn lesson_step(step: usize, len: usize) -> Option<usize> {
    if (1..=len).contains(&step) {
        return Some(step - 1);
    }
    report!("error: --step {step}: the lesson has steps 1 to {len}");
    None
}

/// Checks a lesson headless: its reference path and every exercise's shortest solution.
fn verify_lesson<P: crate::lesson::Teach>(file: &Path, text: &str) -> u8 {
    match crate::lesson::check_as::<P>(file, text) {
        Ok((_, checked)) => {
            let r = checked.report;
            say!(
                "ok: {} ({} waits reached, {} exercises solved, {} quizzes, {} simulation steps)",
                file.display(),
                r.waits,
                r.exercises,
                r.quizzes,
                r.sim_steps
            );
            EXIT_OK
        }
        Err(e) => {
            report!("{e}");
            EXIT_BAD_INPUT
        }
    }
}

/// Prints the link of a trace file's run at step `at` (its end by default).
fn link_of_file(path: &Path, at: Option<u64>) -> u8 {
    let link = trace::read_text(path)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            let protocol = trace::Protocol::of_text(path, &text).map_err(|e| e.to_string())?;
            crate::with_protocol!(protocol, P => {
                let session = session_from_file::<P>(path, &text)?;
                let at = at.unwrap_or(session.len());
                let session = seek_to(session, at, "--at", path)?;
                Ok(crate::link::run_link(&session))
            })
        });
    match link {
        Ok(link) => {
            say!("{link}");
            EXIT_OK
        }
        Err(e) => {
            report!("{e}");
            EXIT_BAD_INPUT
        }
    }
}

fn run_link(text: &str) -> u8 {
    let summary = crate::link::parse(text).and_then(|link| {
        let run = match &link.target {
            crate::link::Target::Run {
                protocol,
                trace,
                at,
            } => Some(crate::with_protocol!(*protocol, P => {
                crate::link::open_run::<P>(trace, *at)
                    .map(|s| (s.len(), s.world().state_hash()))?
            })),
            _ => None,
        };
        Ok(crate::link::state_json(
            &link,
            link.lang.unwrap_or_default(),
            run,
        ))
    });
    match summary {
        Ok(j) => {
            say!("{j}");
            EXIT_OK
        }
        Err(e) => {
            report!("error: {e}");
            EXIT_BAD_INPUT
        }
    }
}

fn run_bench(json: bool, quick: bool) -> u8 {
    let r = bench::measure(if quick {
        bench::Size::Quick
    } else {
        bench::Size::Full
    });
    if json {
        say!("{}", serde_json::to_string(&r).expect("plain numbers"));
    } else {
        say!("{}", r.summary().trim_end());
    }
    EXIT_OK
}

/// A session on the run a trace file records, positioned at its start.
fn session_from_file<P: Plugin>(
    path: &Path,
    text: &str,
) -> Result<crate::session::Session<P>, String> {
    let (t, _) = trace::parse_and_replay_as::<P>(path, text).map_err(|e| e.to_string())?;
    crate::session::Session::from_trace(&t).map_err(|e| format!("{}: {e}", path.display()))
}

/// `session` moved to step `at`, or why it cannot be (`flag` names the option asked with).
fn seek_to<P: Plugin>(
    mut session: crate::session::Session<P>,
    at: u64,
    flag: &str,
    path: &Path,
) -> Result<crate::session::Session<P>, String> {
    if at > session.len() {
        return Err(format!(
            "error: {flag} {at} is past the end of {} ({} steps)",
            path.display(),
            session.len()
        ));
    }
    session.apply(crate::session::Command::Seek(at));
    Ok(session)
}

/// Opens a recorded run of protocol `P` at `--seek` (or its start).
fn run_file_gui<P: crate::ui::workspace::Shown>(path: &Path, text: &str, args: &GuiArgs) -> u8 {
    let session = session_from_file::<P>(path, text).and_then(|s| match args.seek {
        Some(step) => seek_to(s, step, "--seek", path),
        None => Ok(s),
    });
    let session = match session {
        Ok(s) => s,
        Err(e) => {
            report!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    open_app(Some(P::open_run(session, Some(path.to_path_buf()))), args)
}

fn run_gui(args: GuiArgs) -> u8 {
    use crate::session::{Command, Session};
    if let Some(step) = args.seek
        && step > MAX_STEPS
    {
        report!("error: --seek {step} is more than the limit of {MAX_STEPS} steps");
        return EXIT_BAD_INPUT;
    }
    if args.lessons {
        return open_app(None, &args);
    }
    if let Some(text) = &args.link {
        let link = match crate::link::parse(text) {
            Ok(link) => link,
            Err(e) => {
                report!("error: --link: {e}");
                return EXIT_BAD_INPUT;
            }
        };
        let start = match crate::ui::start_of_link(&link) {
            Ok(start) => start,
            Err(e) => {
                report!("error: --link: {e}");
                return EXIT_BAD_INPUT;
            }
        };
        let args = GuiArgs {
            lang: args.lang.or(link.lang),
            ..args.clone()
        };
        return open_app(start, &args);
    }
    // The file is read once; its protocol decides which window opens.
    if let Some(path) = &args.trace {
        let text = match trace::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                report!("{e}");
                return EXIT_BAD_INPUT;
            }
        };
        // A fault script opens Multi-Paxos and Raft side by side, at round --seek.
        if crate::compare::is_script(&text) {
            let script = match crate::compare::Script::parse(path, &text) {
                Ok(s) => s,
                Err(e) => {
                    report!("{e}");
                    return EXIT_BAD_INPUT;
                }
            };
            let round = args.seek.unwrap_or(0);
            if round > script.rounds {
                report!(
                    "error: --seek {round} is past the end of {} ({} rounds)",
                    path.display(),
                    script.rounds
                );
                return EXIT_BAD_INPUT;
            }
            let start = crate::ui::Start::Compare(Box::new(script), round);
            return open_app(Some(start), &args);
        }
        return match trace::Protocol::of_text(path, &text) {
            Ok(protocol) => {
                crate::with_protocol!(protocol, P => run_file_gui::<P>(path, &text, &args))
            }
            Err(e) => {
                report!("{e}");
                EXIT_BAD_INPUT
            }
        };
    }
    // No file: the Paxos sandbox on --seed, played forward to --seek.
    let mut session = Session::<Paxos>::new(
        Config {
            seed: args.seed,
            ..Config::default()
        },
        Knobs::default(),
    );
    if let Some(step) = args.seek {
        while session.len() < step && session.notice.is_none() {
            session.apply(Command::SeekEnd);
            session.apply(Command::StepForward);
        }
        session.apply(Command::Seek(step));
    }
    open_app(
        Some(crate::ui::Start::Sandbox(Box::new(session), None)),
        &args,
    )
}

/// Opens the app window on `start` (the lesson picker when `None`).
fn open_app(start: Option<crate::ui::Start>, args: &GuiArgs) -> u8 {
    let opts = crate::ui::GuiOptions {
        start,
        lang: args.lang,
        presenter: args.presenter,
        screenshot: args.screenshot.clone(),
        layout_json: args.layout_json.clone(),
        size: args.size,
    };
    match crate::ui::run(opts) {
        Ok(()) => {
            if let Some(p) = &args.screenshot {
                say!("screenshot saved: {}", p.display());
            }
            EXIT_OK
        }
        Err(e) => {
            report!("error: {e}");
            EXIT_BAD_INPUT
        }
    }
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Some(Command::Simulate(args)) => run_simulate(&args),
        Some(Command::Replay { file, json, at }) => run_replay(&file, json, at),
        Some(Command::Check { files, json }) => run_check(&files, json),
        Some(Command::Explore(args)) => explore::run(&args),
        Some(Command::Compare(args)) => compare::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        Some(Command::Bench { json, quick }) => run_bench(json, quick),
        Some(Command::Link { link, from, at }) => match (link, from) {
            (_, Some(path)) => link_of_file(&path, at),
            (Some(link), None) => run_link(&link),
            (None, None) => EXIT_BAD_INPUT,
        },
        Some(Command::Gui(args)) => run_gui(args),
        Some(Command::Lesson {
            file,
            verify,
            lang,
            step,
            screenshot,
            layout_json,
            presenter,
            size,
        }) => run_lesson(
            &file,
            verify,
            step,
            &GuiArgs {
                lang,
                screenshot,
                layout_json,
                presenter,
                size,
                ..GuiArgs::default()
            },
        ),
        None => open_app(
            None,
            &GuiArgs {
                seed: 1,
                size: None,
                ..GuiArgs::default()
            },
        ),
    }
}

pub fn main() -> ExitCode {
    let code = run(Cli::parse());
    {
        use std::io::Write;
        stdout_written(std::io::stdout().flush());
    }
    let failure = STDOUT_FAILURE.lock().ok().and_then(|mut f| f.take());
    match failure {
        Some(why) => {
            report!("paxos-lab: cannot write to standard output: {why}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
        None => ExitCode::from(code),
    }
}
