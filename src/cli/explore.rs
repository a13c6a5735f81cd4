//! `paxos-lab explore`: the exhaustive search from the command line, with a live progress line
//! on a terminal, a summary or one JSON object, and the counterexample saved as a trace.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;

/// The live progress line on a terminal: no newline, and a failed write is ignored.
macro_rules! progress_line {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

use super::{EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATION};
use crate::explore::{self, Bounds, Options, Progress, Search, Verdict};
use crate::protocols::Plugin;
use crate::protocols::kv::Workload;
use crate::protocols::kv::config::StoreConfig;
use crate::protocols::paxos::{Config, Flaw, Paxos};
use crate::sim::words::grouped;

#[derive(Args, Debug, Clone)]
pub struct ExploreArgs {
    /// paxos (single-decree), multipaxos, raft or pbft (each under a replicated key-value store)
    #[arg(long, default_value = "paxos")]
    pub protocol: String,
    /// Multi-Paxos, Raft and PBFT: servers (default 3; PBFT: 3f + 1)
    #[arg(long, value_parser = crate::cli::per_role)]
    pub servers: Option<u8>,
    /// PBFT: f, the Byzantine replicas its quorums are sized for (default 1)
    #[arg(long, value_parser = crate::cli::clients_count)]
    pub faults: Option<u8>,
    /// Multi-Paxos and Raft: clients
    #[arg(long, default_value_t = 1, value_parser = crate::cli::clients_count)]
    pub clients: u8,
    /// Store protocols: operations per client, handed over before the search starts (default
    /// 2; PBFT 1)
    #[arg(long)]
    pub ops: Option<u8>,
    /// Multi-Paxos and Raft: put-get (each client puts its own value to x, then gets x) or mixed
    #[arg(long, default_value = "put-get", value_parser = Workload::parse)]
    pub workload: Workload,
    /// Multi-Paxos and Raft: timeouts each server may take (an election, or a leader's
    /// heartbeat); default 1, or unbounded under --depth
    #[arg(long)]
    pub timeouts: Option<u8>,
    /// Multi-Paxos and Raft: timeouts all servers together may take; default 1, or unbounded
    /// under --depth
    #[arg(long)]
    pub total_timeouts: Option<u8>,
    /// Multi-Paxos and Raft: retries each client may make after a timeout; default 0, or
    /// unbounded under --depth
    #[arg(long)]
    pub retries: Option<u8>,
    #[arg(long, default_value_t = 2, value_parser = crate::cli::per_role)]
    pub proposers: u8,
    #[arg(long, default_value_t = 3, value_parser = crate::cli::per_role)]
    pub acceptors: u8,
    #[arg(long, default_value_t = 1, value_parser = crate::cli::per_role)]
    pub learners: u8,
    /// Phase-1 quorum size (default: a majority)
    #[arg(long)]
    pub q1: Option<u8>,
    /// Phase-2 quorum size (default: a majority)
    #[arg(long)]
    pub q2: Option<u8>,
    /// Ballots each proposer may start: its first attempt plus retries after a Nack or timeout
    #[arg(long, default_value_t = 2)]
    pub ballots: u8,
    /// Messages the network may drop in a run
    #[arg(long, default_value_t = 0)]
    pub drops: u8,
    /// Messages the network may duplicate in a run
    #[arg(long, default_value_t = 0)]
    pub duplicates: u8,
    /// Crashes in a run (a crashed node may restart at any time)
    #[arg(long, default_value_t = 0)]
    pub crashes: u8,
    /// Mark a node Byzantine (repeatable): it follows the rules but may also lie, and only
    /// honest nodes are judged
    #[arg(long = "byzantine", value_name = "ID")]
    pub byzantine: Vec<String>,
    /// Lies the Byzantine nodes may tell in a run, together
    #[arg(long, default_value_t = 1)]
    pub lies: u8,
    /// Raft, Multi-Paxos: Pre-Vote (a server asks whether it could win before raising its term
    /// or ballot)
    #[arg(long)]
    pub pre_vote: bool,
    /// Raft, Multi-Paxos: CheckQuorum with leader stickiness
    #[arg(long)]
    pub check_quorum: bool,
    /// Raft, Multi-Paxos: how a leader answers a get: log, read-index or lease (needs
    /// --check-quorum; the search then keeps time, with messages that arrive at once and
    /// election timers at their shortest, the timing most against a lease)
    #[arg(long, default_value = "log", value_parser = crate::protocols::kv::Reads::parse)]
    pub reads: crate::protocols::kv::Reads,
    /// Raft: the servers of the first configuration, S1..SN (default: every server); each
    /// server outside it is added by one client's configuration change, handed out first
    #[arg(long)]
    pub voters: Option<u8>,
    /// Under --reads lease: pauses in a run, at any server (it stops, then resumes with its
    /// clock where it stopped); default 1
    #[arg(long)]
    pub pauses: Option<u8>,
    /// Under --reads lease: how long each pause lasts, in ticks (default: three election
    /// timeouts; a pause within the lease's margin of a quarter timeout breaks nothing)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=crate::sim::world::MAX_PAUSE as i64))]
    pub pause_ticks: Option<u32>,
    /// Switch on a deliberate bug (repeatable). Paxos: amnesia, ignore-promised-value,
    /// accept-lower-ballot, minority-quorum, learner-mixes-ballots, reuse-ballot. Multi-Paxos:
    /// skip-prepare-on-failover, ignore-promised-commands, commit-on-minority, no-dedup,
    /// stale-read, apply-past-hole. Raft: commit-previous-term, vote-twice, no-up-to-date-check,
    /// volatile-state, stale-read, naive-swap. PBFT: ignore-certificates
    #[arg(long = "flaw", value_name = "NAME")]
    pub flaws: Vec<String>,
    /// Expand no state this many steps from the start (Stateright's depth bound; at most
    /// 100,000); with it, Multi-Paxos and Raft timeouts are unbounded unless --timeouts is given
    #[arg(long)]
    pub depth: Option<u32>,
    /// Search by N random walks instead of breadth first, each of at most --depth steps (default
    /// 60): for runs too deep to search exhaustively. Finding nothing proves nothing; a run found
    /// is minimised (no step can be left out) but may not be the shortest
    #[arg(long, value_name = "N")]
    pub walks: Option<u64>,
    /// The random walks' seed: the same seed finds the same run, whatever the thread count
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Treat states that differ only by renaming acceptors as one (symmetry reduction)
    #[arg(long)]
    pub symmetry: bool,
    /// Worker threads (default: one per core)
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Search on one thread, this many batches of 2,048 states (or this many random walks) at a
    /// time, as the browser page does between frames (the verdict and counterexample are the same)
    #[arg(long, value_name = "BATCHES", conflicts_with = "threads")]
    pub slice: Option<usize>,
    /// Give up (exit 0, no verdict) after this many unique states (it may pass by one per thread)
    #[arg(long)]
    pub max_states: Option<u64>,
    /// Give up (exit 0, no verdict) before the search's data passes this size, such as 512M or
    /// 4G (default: 60% of the least of physical memory and the cgroup's limit, or 40% of the
    /// address space `ulimit -v` leaves)
    #[arg(long, value_parser = parse_bytes, value_name = "SIZE")]
    pub max_memory: Option<u64>,
    /// Save the shortest counterexample here as a trace (RON, or JSON for a .json name)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object instead of a summary
    #[arg(long)]
    pub json: bool,
}

/// Why `--pauses` is refused without lease reads.
const NO_PAUSES: &str =
    "--pauses and --pause-ticks: a pause matters only to a lease, so they need --reads lease";

impl ExploreArgs {
    /// The Paxos cluster to search (unknown flaw names are refused).
    pub fn config(&self) -> Result<Config, String> {
        if self.pre_vote || self.check_quorum || !self.reads.is_log() {
            return Err(crate::protocols::kv::config::NO_LEADER_OPTIONS.to_string());
        }
        if self.pauses.is_some() || self.pause_ticks.is_some() {
            return Err(NO_PAUSES.into());
        }
        Ok(Config {
            proposers: self.proposers,
            acceptors: self.acceptors,
            learners: self.learners,
            q1: self.q1,
            q2: self.q2,
            flaws: self
                .flaws
                .iter()
                .map(|f| f.parse::<Flaw>())
                .collect::<Result<_, _>>()?,
            byzantine: crate::protocols::byzantine::parse(&self.byzantine)?,
            ..Config::default()
        })
    }

    /// The cluster of a store protocol to search: its default config with these arguments'
    /// servers, clients, workload and flaws (unknown flaw names are refused).
    pub fn store_config<C: StoreConfig>(&self) -> Result<C, String> {
        let mut config = C::default();
        let mut f = config.fields();
        f.size(self.servers, self.faults);
        *f.clients = self.clients;
        *f.workload = self.workload;
        *f.byzantine = crate::protocols::byzantine::parse(&self.byzantine)?;
        match (self.voters, f.voters.as_deref_mut()) {
            (Some(n), Some(voters)) => *voters = n,
            (Some(_), None) => {
                return Err("--voters: only Raft changes its configuration".into());
            }
            _ => {}
        }
        if self.reads != crate::protocols::kv::Reads::Lease
            && (self.pauses.is_some() || self.pause_ticks.is_some())
        {
            return Err(NO_PAUSES.into());
        }
        f.set_leader_options(crate::protocols::kv::config::LeaderOptionsSetting {
            pre_vote: self.pre_vote,
            check_quorum: self.check_quorum,
            reads: self.reads,
            drift: 0,
        })?;
        *config.flaws() = self
            .flaws
            .iter()
            .map(|f| C::parse_flaw(f))
            .collect::<Result<_, _>>()?;
        config.check()?;
        Ok(config)
    }

    pub fn options(&self) -> Options {
        Options {
            bounds: Bounds {
                ballots: self.ballots,
                drops: self.drops,
                duplicates: self.duplicates,
                crashes: self.crashes,
                timeouts: None,
                retries: None,
                total_timeouts: None,
                lies: self.lies,
                pauses: self.pauses.unwrap_or(0),
                pause_ticks: self.pause_ticks.unwrap_or(0),
            },
            threads: self.threads,
            max_states: self.max_states,
            max_memory: self.max_memory,
            symmetry: self.symmetry,
            max_depth: self.depth,
            walks: self.walks.map(|count| explore::Walks {
                count,
                steps: self.depth.unwrap_or(explore::ask::WALK_STEPS),
                seed: self.seed,
            }),
            slice: self.slice,
        }
    }

    /// The timeout bounds of a store protocol's search: per server, in all, per client. Each
    /// defaults to a small budget, or to none when a depth bound keeps the search finite.
    fn store_timeouts(&self) -> (Option<u8>, Option<u8>, Option<u8>) {
        match self.depth {
            Some(_) => (self.timeouts, self.total_timeouts, self.retries),
            None => (
                Some(self.timeouts.unwrap_or(1)),
                Some(self.total_timeouts.unwrap_or(1)),
                Some(self.retries.unwrap_or(0)),
            ),
        }
    }
}

/// A size in bytes: a number with an optional K, M, G or T (powers of 1024).
fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (number, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let scale: u64 = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("`{s}`: expected a size such as 512M or 4G")),
    };
    let n: f64 = number
        .trim()
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n > 0.0)
        .ok_or_else(|| format!("`{s}`: expected a size such as 512M or 4G"))?;
    let bytes = n * scale as f64;
    if bytes < (1 << 20) as f64 || bytes > (1u64 << 50) as f64 {
        return Err(format!("`{s}`: give a size between 1M and 1024T"));
    }
    Ok(bytes as u64)
}

/// Checks that `--out` can be written before a search that may take minutes: its folder exists
/// and takes a new file, and the path is not a folder.
fn check_writable(path: &std::path::Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("{}: is a folder, not a file", path.display()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "{}: the folder {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    tempfile::Builder::new()
        .prefix(".paxos-lab-probe.")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| {
            format!(
                "{}: cannot write in {}: {}",
                path.display(),
                dir.display(),
                std::io::Error::from(e.kind())
            )
        })
}

pub fn run(args: &ExploreArgs) -> u8 {
    if let Some(d) = args.depth
        && d > explore::MAX_DEPTH
    {
        report!(
            "error: --depth must be at most {} steps, not {d}",
            grouped(explore::MAX_DEPTH as u64)
        );
        return EXIT_BAD_INPUT;
    }
    if args.threads > explore::MAX_THREADS {
        report!(
            "error: --threads must be at most {} (0 means one per core), not {}",
            explore::MAX_THREADS,
            args.threads
        );
        return EXIT_BAD_INPUT;
    }
    let protocol = match crate::trace::Protocol::parse(&args.protocol) {
        Ok(p) => p,
        Err(m) => {
            report!("error: --protocol: {m}");
            return EXIT_BAD_INPUT;
        }
    };
    crate::with_protocol!(protocol, P => P::explore(args))
}

/// How `explore` searches a protocol: Paxos by its roles and ballots, a store protocol by its
/// cluster and workload.
pub trait Explored: Plugin {
    fn explore(args: &ExploreArgs) -> u8;
}

impl Explored for Paxos {
    fn explore(args: &ExploreArgs) -> u8 {
        run_paxos(args)
    }
}

impl<P: explore::StoreSearch> Explored for P
where
    P::Config: Sync,
    Search<P>: Send,
{
    fn explore(args: &ExploreArgs) -> u8 {
        match args.store_config::<P::Config>() {
            Ok(config) => run_store_search::<P>(args, config),
            Err(m) => {
                report!("error: {m}");
                EXIT_BAD_INPUT
            }
        }
    }
}

fn run_paxos(args: &ExploreArgs) -> u8 {
    let config = match args.config() {
        Ok(c) => c,
        Err(m) => {
            report!("error: {m}");
            return EXIT_BAD_INPUT;
        }
    };
    let mut options = args.options();
    if let Err(m) = explore::validate(&config, &options.bounds) {
        report!("error: {m}");
        return EXIT_BAD_INPUT;
    }
    if let Some(out) = &args.out
        && let Err(m) = check_writable(out)
    {
        report!("{m}");
        return EXIT_BAD_INPUT;
    }
    let notes = crate::protocols::paxos::budgets::flaw_budgets(&config, &mut options.bounds);
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    if let (Some(n), false) = (&note, args.json) {
        say!("note: {n}");
    }
    let (q1, q2) = config.quorums();
    let b = options.bounds;
    let header = format!(
        "explored {} proposers, {} acceptors, {} learners (q1 {q1}, q2 {q2}){}{}; {} ballots each, {} drops, {} duplicates, {} crashes{}{}",
        config.proposers,
        config.acceptors,
        config.learners,
        flaw_words(config.flaws.iter().map(|f| f.name())),
        liar_words(&config.byzantine),
        b.ballots,
        b.drops,
        b.duplicates,
        b.crashes,
        lie_bound_words(&config.byzantine, b.lies),
        search_words(&options)
    );
    let result = with_progress(options.walks.is_some(), |progress| {
        explore::explore_paxos(&config, &options, progress)
    });
    finish::<Paxos>(args, &options, note.as_deref(), &header, result)
}

/// A store protocol's search: its flaws' budgets first, then `cluster` names what is searched
/// (the cluster and the operations per client, as the flaws raised them).
fn run_store_search<P: explore::StoreSearch>(args: &ExploreArgs, mut config: P::Config) -> u8
where
    P::Config: Sync,
    Search<P>: Send,
{
    let mut options = store_options(args);
    let mut ops = args.ops.unwrap_or(P::SEARCH_OPS);
    let mut notes = P::flaw_budgets(&mut config, &mut options.bounds, &mut ops);
    // As the app's "Can this break?" does: what breadth first cannot reach, random walks look
    // for, unless the user chose how to search (--walks, or --depth for breadth first).
    if args.walks.is_none()
        && args.depth.is_none()
        && let Some(why) = P::needs_walks(&config)
    {
        notes.push(why);
        notes.push("give --depth N to search breadth first instead");
        let steps = explore::ask::walk_plan::<P>(&config, &mut options.bounds, &mut notes);
        options.walks = Some(explore::Walks {
            count: explore::ask::WALKS,
            steps,
            seed: args.seed,
        });
    }
    let workload = P::workload(&config);
    let (servers, clients, _) = config.cluster();
    let byzantine = config.clone().fields().byzantine.clone();
    let cluster = StoreCluster {
        servers,
        clients,
        ops,
        workload,
        flaws: flaw_words(config.flaw_names().into_iter()) + &liar_words(&byzantine),
        lies: lie_bound_words(&byzantine, options.bounds.lies),
    };
    run_store::<P>(args, options, &notes, &cluster, |options, progress| {
        P::search(&config, workload, ops, options, progress)
    })
}

fn store_options(args: &ExploreArgs) -> Options {
    let mut options = args.options();
    (
        options.bounds.timeouts,
        options.bounds.total_timeouts,
        options.bounds.retries,
    ) = args.store_timeouts();
    options
}

/// What a store protocol's search header names of its cluster.
struct StoreCluster {
    servers: u8,
    clients: u8,
    /// Operations each client is handed, and from which workload (as the flaws raised them).
    ops: u8,
    workload: crate::protocols::kv::Workload,
    /// `, flaws: ...` or nothing, and `, Byzantine: S2` or nothing.
    flaws: String,
    /// `, 1 lie` or nothing.
    lies: String,
}

/// A bound in words: its number, or "unbounded".
fn bound_words(n: Option<u8>) -> String {
    n.map_or("unbounded".to_string(), |n| n.to_string())
}

fn run_store<P: Plugin>(
    args: &ExploreArgs,
    options: Options,
    notes: &[&str],
    cluster: &StoreCluster,
    search: impl FnOnce(&Options, &Progress) -> Result<Search<P>, String> + Send,
) -> u8
where
    Search<P>: Send,
{
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    if let (Some(n), false) = (&note, args.json) {
        say!("note: {n}");
    }
    if let Some(out) = &args.out
        && let Err(m) = check_writable(out)
    {
        report!("{m}");
        return EXIT_BAD_INPUT;
    }
    let b = options.bounds;
    let header = format!(
        "explored {}: {} servers, {} clients with {} {} operations each{}; {} timeouts per server and {} in all, {} retries per client, {} drops, {} duplicates, {} crashes{}{}{}",
        P::TITLE,
        cluster.servers,
        cluster.clients,
        cluster.ops,
        cluster.workload.name(),
        cluster.flaws,
        bound_words(b.timeouts),
        bound_words(b.total_timeouts),
        bound_words(b.retries),
        b.drops,
        b.duplicates,
        b.crashes,
        cluster.lies,
        pause_words(&b),
        search_words(&options)
    );
    let result = with_progress(options.walks.is_some(), |progress| {
        search(&options, progress)
    });
    finish::<P>(args, &options, note.as_deref(), &header, result)
}

/// `, 1 pause of 180 ticks (...)` when the search keeps time (lease reads), or nothing.
fn pause_words(b: &Bounds) -> String {
    if b.pauses == 0 {
        return String::new();
    }
    format!(
        ", {} {} of {} ticks (time kept: messages arrive at once, timers at their shortest, no drift)",
        b.pauses,
        if b.pauses == 1 { "pause" } else { "pauses" },
        grouped(b.pause_ticks as u64)
    )
}

/// `, Byzantine: A2` or nothing.
fn liar_words(byzantine: &[crate::sim::NodeId]) -> String {
    if byzantine.is_empty() {
        return String::new();
    }
    let ids: Vec<String> = byzantine.iter().map(|id| id.to_string()).collect();
    format!(", Byzantine: {}", ids.join(", "))
}

/// `, 1 lie` when some node may lie, or nothing.
fn lie_bound_words(byzantine: &[crate::sim::NodeId], lies: u8) -> String {
    match (byzantine.is_empty(), lies) {
        (true, _) => String::new(),
        (false, 1) => ", 1 lie".to_string(),
        (false, n) => format!(", {n} lies"),
    }
}

/// How the search goes, when not breadth first without a depth bound.
fn search_words(options: &Options) -> String {
    match (options.walks, options.max_depth) {
        (Some(w), _) => format!(
            "; {} random walks of up to {} steps, seed {}",
            w.count, w.steps, w.seed
        ),
        (None, Some(d)) => format!(", depth {d}"),
        (None, None) => String::new(),
    }
}

fn flaw_words<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(", flaws: {}", names.join(", "))
    }
}

/// Runs a search, with a live progress line on a terminal.
fn with_progress<T>(walking: bool, search: impl FnOnce(&Progress) -> T + Send) -> T
where
    T: Send,
{
    let progress = Progress::default();
    let done = AtomicBool::new(false);
    let live = std::io::stderr().is_terminal();
    std::thread::scope(|s| {
        if live {
            s.spawn(|| {
                let mut shown = false;
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(250));
                    if done.load(Ordering::Relaxed) {
                        break;
                    }
                    if walking {
                        progress_line!(
                            "\r\x1b[Kwalks {}  transitions {}",
                            grouped(progress.states.load(Ordering::Relaxed)),
                            grouped(progress.transitions.load(Ordering::Relaxed)),
                        );
                    } else {
                        progress_line!(
                            "\r\x1b[Kdepth {}  states {}  transitions {}  frontier {}",
                            progress.depth.load(Ordering::Relaxed),
                            grouped(progress.states.load(Ordering::Relaxed)),
                            grouped(progress.transitions.load(Ordering::Relaxed)),
                            grouped(progress.frontier.load(Ordering::Relaxed)),
                        );
                    }
                    shown = true;
                }
                if shown {
                    progress_line!("\r\x1b[K");
                }
            });
        }
        let r = search(&progress);
        done.store(true, Ordering::Relaxed);
        r
    })
}

/// Saves the counterexample and prints the verdict, for any protocol.
fn finish<P: Plugin>(
    args: &ExploreArgs,
    options: &Options,
    note: Option<&str>,
    header: &str,
    result: Result<Search<P>, String>,
) -> u8 {
    let search = match result {
        Ok(s) => s,
        Err(m) => {
            report!("error: {m}");
            return EXIT_BAD_INPUT;
        }
    };
    let report = &search.report;
    let mut saved = true;
    if let (Some(path), Some(trace)) = (&args.out, &search.counterexample)
        && let Err(e) = trace.save(path)
    {
        // The search is done: keep what it found on the screen rather than lose it.
        report!("{}: cannot write the counterexample: {e}", path.display());
        report!("its actions, to paste into a trace's `actions: [...]`:");
        for a in &trace.actions {
            report!("    {},", crate::trace::action_ron(a));
        }
        saved = false;
    }
    if let Some(path) = &args.out
        && search.counterexample.is_none()
        && std::fs::symlink_metadata(path).is_ok()
    {
        // Not removed (it is the user's file), but never taken for this search's result.
        report!(
            "note: {}: this search found no counterexample, so nothing was written there; the file there is from an earlier run, left as it was",
            path.display()
        );
    }
    // The whole run, the requests handed over before the search included.
    let actions = search.counterexample.as_ref().map(|t| t.actions.as_slice());
    let (result, invariant, detail, steps) = match (&report.verdict, actions) {
        (Verdict::Safe, _) => ("safe", None, None, None),
        (Verdict::Violation { violation, .. }, Some(actions)) => (
            "violation",
            Some(violation.invariant),
            Some(violation.detail.clone()),
            Some(actions.len()),
        ),
        (Verdict::Violation { violation, actions }, None) => (
            "violation",
            Some(violation.invariant),
            Some(violation.detail.clone()),
            Some(actions.len()),
        ),
        (Verdict::Cancelled, _) => ("cancelled", None, None, None),
        (Verdict::Limit(_), _) => ("limit", None, None, None),
    };
    let limit = match report.verdict {
        Verdict::Limit(explore::Limit::States(_)) => Some("states"),
        Verdict::Limit(explore::Limit::Memory(_)) => Some("memory"),
        Verdict::Limit(explore::Limit::Walks(_)) => Some("walks"),
        _ => None,
    };
    if args.json {
        let json = serde_json::json!({
            "result": result,
            "invariant": invariant,
            "detail": detail,
            "unique_states": report.unique_states,
            "transitions": report.transitions,
            "max_depth": report.max_depth,
            "elapsed_ms": report.elapsed.as_secs_f64() * 1000.0,
            "states_per_sec": report.states_per_sec().round(),
            "bytes_per_state": report.bytes_per_state.map(|b| (b * 10.0).round() / 10.0),
            "peak_bytes": report.peak_bytes,
            "threads": report.threads,
            "counterexample_steps": steps,
            "out": args.out.as_ref().filter(|_| steps.is_some() && saved).map(|p| p.display().to_string()),
            "limit": limit,
            "max_memory": options.budget(),
            "note": note,
            "depth_bound": options.max_depth,
            "walks": options.walks.map(|w| w.count),
            "walks_taken": options.walks.map(|_| report.walks),
            "seed": options.walks.map(|w| w.seed),
        });
        say!("{json}");
    } else {
        say!("{header}");
        match &report.verdict {
            Verdict::Safe => match options.max_depth {
                Some(d) => say!(
                    "SAFE: every state reachable within {d} steps checked, no rule broken (the depth bound; deeper states were not expanded)"
                ),
                None => say!("SAFE: every reachable state checked, no rule broken"),
            },
            Verdict::Violation { violation, .. } => {
                let actions = actions.unwrap_or_default();
                say!("VIOLATION of {}: {}", violation.invariant, violation.detail);
                // Breadth first finds a shortest run; a walk, a run no step can be left out of.
                let what = match options.walks {
                    Some(w) => format!(
                        "counterexample found by random walk {} (seed {}), minimised",
                        report.walks, w.seed
                    ),
                    None => "shortest counterexample".to_string(),
                };
                match args.out.as_ref().filter(|_| saved) {
                    Some(p) => say!(
                        "{what}: {} steps, saved to {} (watch it with `paxos-lab gui {}`)",
                        actions.len(),
                        p.display(),
                        p.display()
                    ),
                    None => {
                        say!("{what} ({} steps):", actions.len());
                        for (i, a) in actions.iter().enumerate() {
                            say!("  {:>3}. {a}", i + 1);
                        }
                    }
                }
            }
            Verdict::Cancelled => say!("CANCELLED"),
            Verdict::Limit(limit @ explore::Limit::Walks(_)) => {
                say!("NOTHING FOUND at {limit}: no verdict (walks sample runs; they prove nothing)")
            }
            Verdict::Limit(limit) => {
                say!("STOPPED at {limit}: no verdict (the states seen so far are safe)")
            }
        }
        if options.walks.is_some() {
            say!(
                "walks {}   transitions {}   at most {} steps each",
                grouped(report.walks),
                grouped(report.transitions),
                options.walks.map_or(0, |w| w.steps)
            );
            say!(
                "elapsed {:.2} s   {} walks/s   {} threads",
                report.elapsed.as_secs_f64(),
                grouped((report.walks as f64 / report.elapsed.as_secs_f64().max(1e-9)) as u64),
                report.threads
            );
        } else {
            say!(
                "unique states {}   transitions {}   max depth {}",
                grouped(report.unique_states),
                grouped(report.transitions),
                report.max_depth
            );
            say!(
                "elapsed {:.2} s   {} states/s   {} bytes/state   {} threads",
                report.elapsed.as_secs_f64(),
                grouped(report.states_per_sec() as u64),
                report
                    .bytes_per_state
                    .map_or("?".into(), |b| format!("{b:.0}")),
                report.threads
            );
        }
    }
    if steps.is_some() {
        EXIT_VIOLATION
    } else {
        EXIT_OK
    }
}
