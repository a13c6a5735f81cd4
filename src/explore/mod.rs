//! The explorer: a breadth-first search over every state the simulation can reach within a few
//! bounds (attempts per requester, timeouts per node and in all, retries, drops, duplicates,
//! crashes), checking the protocol's safety
//! monitor on every transition. It answers "could this ever go wrong?" with either "no, here are
//! all N states" or the shortest run that breaks a rule, as an ordinary list of world actions.
//!
//! States are stored as canonical bytes (see `sim::canon`): node states, the monitor and the
//! messages in flight as a sorted multiset, with no times and no message ids. The visited set
//! keeps a 64-bit fingerprint and the parent's fingerprint per state, as Stateright does, so a
//! counterexample is rebuilt by re-expanding along the parent chain.
//!
//! For runs too deep to search exhaustively it can also sample: random walks (`Walks`), which
//! find runs that break a rule but prove nothing when they find none.

pub mod ask;
mod space;
mod visited;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use crate::clock::Instant;

use crate::sim::canon::Canonical;
use crate::sim::world::ActionOf;
use crate::sim::{Action, Violation, World};

pub use space::{Space, Step, WalkEnd};
use visited::Visited;

pub use crate::sim::bounds::Bounds;

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub bounds: Bounds,
    /// Worker threads; 0 means one per core (at most `MAX_THREADS`).
    pub threads: usize,
    /// Stop (without a verdict) after this many unique states; the count may pass it by at most
    /// one state per worker thread.
    pub max_states: Option<u64>,
    /// Stop (without a verdict) before the search's own data (the visited set and the levels)
    /// grows past this many bytes; `None` means `memory::default_budget()`.
    pub max_memory: Option<u64>,
    /// Treat states that differ only by a renaming of interchangeable nodes as one.
    pub symmetry: bool,
    /// Expand no state this many steps from the start (as Stateright's `target_max_depth`):
    /// "safe" then means safe within that many steps as well as within the other bounds.
    pub max_depth: Option<u32>,
    /// Search by random walks instead of breadth first (see `Walks`).
    pub walks: Option<Walks>,
    /// Run on the calling thread, this many batches of states (or random walks) at a time, as a
    /// page without threads does once per frame (`Exploration::slice`); the result is the same.
    pub slice: Option<usize>,
}

impl Options {
    /// The memory the search may use: `max_memory`, or the machine's default budget.
    pub fn budget(&self) -> u64 {
        self.max_memory.unwrap_or_else(memory::default_budget)
    }
}

/// A random search, for runs too deep for breadth-first search (as Stateright's simulation
/// checker and TLC's `-simulate`): `count` walks from the start, each of at most `steps` steps,
/// each step drawn among the enabled ones under a mix of weights the walk draws first (swarm
/// testing, see `space::Mix`), by a generator seeded with `seed` and the walk's number alone. It
/// proves nothing when it finds nothing; what it finds is the walk with the smallest number that
/// breaks a rule (so the same for any number of threads), minimised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walks {
    pub count: u64,
    pub steps: u32,
    pub seed: u64,
}

/// The deepest a search goes, and the longest a random walk is: far past any bound breadth
/// first can reach, and a walk of this many steps takes seconds, not hours.
pub const MAX_DEPTH: u32 = 100_000;

/// The most worker threads a search starts.
pub const MAX_THREADS: usize = 256;

/// Live counters, shared with whoever shows progress (a terminal line, the app's progress bar),
/// and the cancel switch.
#[derive(Debug, Default)]
pub struct Progress {
    pub states: AtomicU64,
    pub transitions: AtomicU64,
    /// The BFS level being expanded.
    pub depth: AtomicU32,
    /// States waiting in the current level.
    pub frontier: AtomicU64,
    pub cancel: AtomicBool,
}

impl Progress {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<A> {
    /// Every reachable state within the bounds was checked.
    Safe,
    /// A shortest run to a violation, as world actions from the initial state.
    Violation {
        violation: Violation,
        actions: Vec<A>,
    },
    Cancelled,
    /// A limit was reached before the search finished.
    Limit(Limit),
}

/// Which limit stopped a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// `max_states` unique states.
    States(u64),
    /// The search's data reached this many bytes (or an allocation was refused).
    Memory(u64),
    /// Every random walk was taken and none broke a rule: no verdict.
    Walks(Walks),
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Limit::States(n) => write!(f, "the limit of {n} unique states (--max-states)"),
            Limit::Memory(b) => write!(
                f,
                "the memory budget of {} MiB (--max-memory; raise it, or lower --ballots, --drops, --duplicates, --crashes or the node counts, or add --symmetry)",
                b >> 20
            ),
            Limit::Walks(w) => write!(
                f,
                "the end of {} random walks of up to {} steps (--walks, --depth), none of which broke a rule",
                w.count, w.steps
            ),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Report<A> {
    pub verdict: Verdict<A>,
    pub unique_states: u64,
    pub transitions: u64,
    pub max_depth: u32,
    pub elapsed: Duration,
    pub threads: usize,
    /// Peak resident memory the search added, per unique state (Linux; `None` elsewhere).
    pub bytes_per_state: Option<f64>,
    pub peak_bytes: Option<u64>,
    /// Random walks taken (0 for a breadth-first search).
    pub walks: u64,
}

impl<A> Report<A> {
    pub fn states_per_sec(&self) -> f64 {
        self.unique_states as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// One level of the search: encoded states, back to back, with where each ends.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

impl Batch {
    const STATES: usize = 2048;

    /// Appends a state; false if memory for it could not be had.
    fn push(&mut self, state: &[u8]) -> bool {
        if self.bytes.try_reserve(state.len()).is_err() || self.ends.try_reserve(1).is_err() {
            return false;
        }
        self.bytes.extend_from_slice(state);
        self.ends.push(self.bytes.len() as u32);
        true
    }

    fn heap_bytes(&self) -> u64 {
        (self.bytes.capacity() + 4 * self.ends.capacity()) as u64
    }

    fn states(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0usize;
        self.ends.iter().map(move |&end| {
            let s = &self.bytes[start..end as usize];
            start = end as usize;
            s
        })
    }

    fn is_full(&self) -> bool {
        self.ends.len() >= Self::STATES
    }
}

/// A transition that breaks a rule: the state it reaches and the state it leaves. Of all those
/// found in a level, the search keeps the smallest, so the result does not depend on threads.
#[derive(Clone)]
struct Found {
    fingerprint: u64,
    parent: u64,
    violation: Violation,
}

impl Found {
    fn key(&self) -> (u64, u64, &str) {
        (self.fingerprint, self.parent, self.violation.invariant)
    }

    fn keep_smaller(slot: &mut Option<Found>, candidate: Found) {
        if slot.as_ref().is_none_or(|f| candidate.key() < f.key()) {
            *slot = Some(candidate);
        }
    }
}

/// Why the search stops before its level ends.
const RUNNING: u8 = 0;
const CANCELLED: u8 = 1;
const STATE_LIMIT: u8 = 2;
const MEMORY_LIMIT: u8 = 3;

/// Runs the search on `options.threads` threads (`Exploration::run`). `world` must be the
/// initial world of the same protocol; it is used to turn the counterexample into world actions
/// (message ids and all) and is left after its last step.
///
/// The result is the same for any number of threads: levels are sets, each state's recorded
/// parent is the smallest one in the level before it, and a level in which a rule breaks is
/// finished so the smallest breaking transition can be picked.
fn explore_on_threads<P: Canonical + Send + Sync>(
    space: &Space<P>,
    options: &Options,
    progress: &Progress,
    world: &mut World<P>,
) -> Result<Report<ActionOf<P>>, String>
where
    P::Node: Send + Sync,
    P::Monitor: Send + Sync,
{
    if let Some(walks) = options.walks {
        return walk(
            space,
            walks,
            options.threads,
            options.budget(),
            progress,
            world,
        );
    }
    let mut bfs = Bfs::new(space, options, progress);
    while bfs.begin_level(progress) {
        bfs.run_level_on_threads(space, progress);
        bfs.end_level();
    }
    bfs.report(space, progress, world)
}

/// A breadth-first search that can be run a level at a time on threads (`explore_on_threads`)
/// or a batch of states at a time on the caller's thread (`run_slice`, for a page that has no
/// threads and runs a slice per frame). Both give the same verdict and counterexample: what a
/// level finds does not depend on the order its batches are expanded in.
struct Bfs {
    options: Options,
    budget: u64,
    threads: usize,
    visited: Visited,
    root: Vec<u8>,
    root_fp: u64,
    depth: u32,
    max_depth: u32,
    found: Option<Found>,
    /// How the search stopped, if it stopped short of a verdict.
    limit: Option<Verdict<()>>,
    halt: std::sync::atomic::AtomicU8,
    transitions_before: u64,
    started: Instant,
    baseline: Option<u64>,
    /// The level being expanded, and the next one's batches once it is done.
    level: Option<LevelRun>,
    next: Vec<Batch>,
    ended: bool,
}

/// One level in progress: its batches, handed out one at a time, and what expanding them made.
struct LevelRun {
    members: visited::Level,
    fixed_bytes: u64,
    next_bytes: AtomicU64,
    work: Vec<std::sync::Mutex<Option<Batch>>>,
    next_index: std::sync::atomic::AtomicUsize,
    next_level: std::sync::Mutex<Vec<Batch>>,
    finding: std::sync::Mutex<Option<Found>>,
    /// Set once a rule breaks in this level: from then on only breaking transitions matter.
    broken: AtomicBool,
}

impl Bfs {
    fn new<P: Canonical>(space: &Space<P>, options: &Options, progress: &Progress) -> Self {
        memory::reset_peak();
        let visited = Visited::new();
        let root = space.initial();
        let root_fp = crate::sim::canon::fingerprint(&root);
        visited.insert(root_fp, root_fp, &visited::Level::default());
        progress.states.store(1, Ordering::Relaxed);
        let mut first = Batch::default();
        first.push(&root);
        let mut bfs = Bfs {
            options: *options,
            budget: options.budget(),
            threads: match options.slice {
                Some(_) => 1,
                None => worker_threads(options.threads),
            },
            visited,
            root,
            root_fp,
            depth: 0,
            max_depth: 0,
            found: None,
            limit: None,
            halt: std::sync::atomic::AtomicU8::new(RUNNING),
            transitions_before: progress.transitions.load(Ordering::Relaxed),
            started: crate::clock::now(),
            baseline: memory::resident(),
            level: None,
            next: vec![first],
            ended: false,
        };
        if bfs.at_state_limit(1) {
            // The root alone reaches the limit: nothing is expanded, so there is no verdict.
            bfs.limit = Some(Verdict::Limit(Limit::States(
                options.max_states.unwrap_or(0),
            )));
            bfs.ended = true;
        }
        bfs
    }

    fn at_state_limit(&self, n: u64) -> bool {
        self.options.max_states.is_some_and(|m| n >= m)
    }

    /// Starts the next level; false when the search has ended instead.
    fn begin_level(&mut self, progress: &Progress) -> bool {
        if self.ended
            || self.next.is_empty()
            || self.options.max_depth.is_some_and(|m| self.depth >= m)
        {
            self.ended = true;
            return false;
        }
        let level = std::mem::take(&mut self.next);
        progress.depth.store(self.depth, Ordering::Relaxed);
        progress.frontier.store(
            level.iter().map(|b| b.ends.len() as u64).sum(),
            Ordering::Relaxed,
        );
        let mut members = visited::Level::default();
        if members
            .try_reserve(level.iter().map(|b| b.ends.len()).sum())
            .is_err()
        {
            self.limit = Some(Verdict::Limit(Limit::Memory(self.budget)));
            self.ended = true;
            return false;
        }
        members.extend(
            level
                .iter()
                .flat_map(|b| b.states())
                .map(crate::sim::canon::fingerprint),
        );
        let fixed_bytes = level.iter().map(Batch::heap_bytes).sum::<u64>()
            + visited::table_bytes(members.capacity());
        self.level = Some(LevelRun {
            members,
            fixed_bytes,
            next_bytes: AtomicU64::new(0),
            work: level
                .into_iter()
                .map(|b| std::sync::Mutex::new(Some(b)))
                .collect(),
            next_index: std::sync::atomic::AtomicUsize::new(0),
            next_level: std::sync::Mutex::new(Vec::new()),
            finding: std::sync::Mutex::new(None),
            broken: AtomicBool::new(false),
        });
        true
    }

    /// Expands the current level's batches on `threads` threads (the caller's among them).
    fn run_level_on_threads<P: Canonical + Send + Sync>(
        &mut self,
        space: &Space<P>,
        progress: &Progress,
    ) where
        P::Node: Send + Sync,
        P::Monitor: Send + Sync,
    {
        let Some(level) = &self.level else {
            return;
        };
        let this = &*self;
        on_threads(this.threads, || {
            this.work(space, level, progress, usize::MAX);
        });
    }

    /// Expands up to `batches` batches (of up to `Batch::STATES` states) on the caller's thread,
    /// ending levels and starting the next as they run out; returns whether the search has
    /// ended. The report is then `report`'s.
    fn run_slice<P: Canonical>(
        &mut self,
        space: &Space<P>,
        progress: &Progress,
        batches: usize,
    ) -> bool {
        let mut left = batches.max(1);
        while left > 0 && !self.ended {
            if self.level.is_none() && !self.begin_level(progress) {
                break;
            }
            let Some(level) = &self.level else {
                break;
            };
            let done = self.work(space, level, progress, left);
            left -= done.min(left);
            let exhausted = level.next_index.load(Ordering::Relaxed) >= level.work.len();
            if exhausted || self.halt.load(Ordering::Relaxed) != RUNNING || done == 0 {
                self.end_level();
            }
        }
        self.ended
    }

    /// One worker's share of a level: takes batches until none is left (or `batches` are done,
    /// or the search must halt) and expands their states. Returns how many batches it took.
    fn work<P: Canonical>(
        &self,
        space: &Space<P>,
        level: &LevelRun,
        progress: &Progress,
        batches: usize,
    ) -> usize {
        let depth = self.depth;
        let halt = &self.halt;
        let visited = &self.visited;
        let over_budget = || {
            visited.bytes() + level.fixed_bytes + level.next_bytes.load(Ordering::Relaxed)
                > self.budget
        };
        let mut scratch = space.scratch();
        let mut out = Batch::default();
        let mut mine: Option<Found> = None;
        let mut local_transitions = 0u64;
        let mut taken = 0;
        let stop = |why: u8| {
            let _ = halt.compare_exchange(RUNNING, why, Ordering::Relaxed, Ordering::Relaxed);
        };
        'batches: while taken < batches {
            let i = level.next_index.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = level.work.get(i) else { break };
            taken += 1;
            let Some(batch) = slot.lock().ok().and_then(|mut s| s.take()) else {
                continue;
            };
            for state in batch.states() {
                if halt.load(Ordering::Relaxed) != RUNNING {
                    break 'batches;
                }
                if progress.cancelled() {
                    stop(CANCELLED);
                    break 'batches;
                }
                if !level.broken.load(Ordering::Relaxed) && over_budget() {
                    stop(MEMORY_LIMIT);
                    break 'batches;
                }
                let parent = crate::sim::canon::fingerprint(state);
                space.expand(
                    state,
                    depth as u64 + 1,
                    &mut scratch,
                    |_, next, violation| {
                        local_transitions += 1;
                        if let Some(v) = violation {
                            level.broken.store(true, Ordering::Relaxed);
                            let fingerprint = crate::sim::canon::fingerprint(next);
                            Found::keep_smaller(
                                &mut mine,
                                Found {
                                    fingerprint,
                                    parent,
                                    violation: v.clone(),
                                },
                            );
                            return true;
                        }
                        if level.broken.load(Ordering::Relaxed) {
                            return true;
                        }
                        if halt.load(Ordering::Relaxed) != RUNNING {
                            return false;
                        }
                        let fp = crate::sim::canon::fingerprint(next);
                        match visited.insert(fp, parent, &level.members) {
                            visited::Insert::Known => {}
                            visited::Insert::Full => {
                                stop(MEMORY_LIMIT);
                                return false;
                            }
                            visited::Insert::Fresh => {
                                let n = progress.states.fetch_add(1, Ordering::Relaxed) + 1;
                                if !out.push(next) {
                                    stop(MEMORY_LIMIT);
                                    return false;
                                }
                                if out.is_full() {
                                    level
                                        .next_bytes
                                        .fetch_add(out.heap_bytes(), Ordering::Relaxed);
                                    if let Ok(mut n) = level.next_level.lock() {
                                        n.push(std::mem::take(&mut out));
                                    }
                                }
                                if self.at_state_limit(n) {
                                    stop(STATE_LIMIT);
                                    return false;
                                }
                            }
                        }
                        true
                    },
                );
            }
            progress
                .transitions
                .fetch_add(local_transitions, Ordering::Relaxed);
            local_transitions = 0;
        }
        progress
            .transitions
            .fetch_add(local_transitions, Ordering::Relaxed);
        if !out.ends.is_empty() {
            level
                .next_bytes
                .fetch_add(out.heap_bytes(), Ordering::Relaxed);
            if let Ok(mut n) = level.next_level.lock() {
                n.push(out);
            }
        }
        if let Some(f) = mine
            && let Ok(mut slot) = level.finding.lock()
        {
            Found::keep_smaller(&mut slot, f);
        }
        taken
    }

    /// Ends the current level: keeps what it found, or why it halted, or moves to the next.
    fn end_level(&mut self) {
        let Some(level) = self.level.take() else {
            return;
        };
        if let Some(f) = level.finding.into_inner().ok().flatten() {
            self.max_depth = self.depth + 1;
            self.found = Some(f);
            self.ended = true;
            return;
        }
        self.next = level.next_level.into_inner().unwrap_or_default();
        if !self.next.is_empty() {
            self.max_depth = self.depth + 1;
        }
        let stopped = match self.halt.load(Ordering::Relaxed) {
            RUNNING => None,
            CANCELLED => Some(Verdict::Cancelled),
            STATE_LIMIT => Some(Verdict::Limit(Limit::States(
                self.options.max_states.unwrap_or(0),
            ))),
            _ => Some(Verdict::Limit(Limit::Memory(self.budget))),
        };
        if let Some(v) = stopped {
            self.limit = Some(v);
            self.ended = true;
            return;
        }
        self.depth += 1;
    }

    /// The search's report once it has ended: its counterexample turned into `world`'s actions
    /// (shortest, minimised), or SAFE, or why it stopped short.
    fn report<P: Canonical>(
        self,
        space: &Space<P>,
        progress: &Progress,
        world: &mut World<P>,
    ) -> Result<Report<ActionOf<P>>, String> {
        let peak = memory::peak();
        let unique_states = self.visited.len();
        let mut verdict = match self.limit {
            Some(Verdict::Cancelled) => Verdict::Cancelled,
            Some(Verdict::Limit(l)) => Verdict::Limit(l),
            _ => Verdict::Safe,
        };
        if let Some(f) = self.found {
            let mut chain = self.visited.chain(f.parent, self.root_fp)?;
            chain.push(f.fingerprint);
            let steps = space.path(&self.root, &chain)?;
            verdict = counterexample(space, steps, f.violation, world)?;
        }
        let peak_bytes = peak.zip(self.baseline).map(|(p, b)| p.saturating_sub(b));
        Ok(Report {
            verdict,
            unique_states,
            transitions: progress.transitions.load(Ordering::Relaxed) - self.transitions_before,
            max_depth: self.max_depth,
            elapsed: self.started.elapsed(),
            threads: self.threads,
            bytes_per_state: peak_bytes.map(|b| b as f64 / unique_states.max(1) as f64),
            peak_bytes,
            walks: 0,
        })
    }
}

/// The verdict of a run that breaks a rule: `steps` minimised, then played on `world` (left
/// after its last step) as world actions, the violation worded with the replay's real step
/// numbers.
fn counterexample<P: Canonical>(
    space: &Space<P>,
    steps: Vec<Step>,
    violation: Violation,
    world: &mut World<P>,
) -> Result<Verdict<ActionOf<P>>, String> {
    let initial = world.clone();
    let steps = space.minimize(steps, || initial.clone(), violation.invariant);
    // A search that keeps time takes each timer at its shortest; the world draws it from its
    // range, so the run may not break the rule there. Never report what does not replay.
    let unreplayed = |e: String| {
        if space.keeps_time() {
            format!(
                "the search found a run that breaks {}, but it does not replay in the world, whose timers are drawn from their ranges where the search took each at its shortest ({e}); a longer pause (--pause-ticks) leaves more room",
                violation.invariant
            )
        } else {
            e
        }
    };
    let actions = space.to_actions(&steps, world).map_err(unreplayed)?;
    let Some(replayed) = world
        .violations()
        .iter()
        .find(|v| v.invariant == violation.invariant)
        .cloned()
    else {
        if space.keeps_time() {
            return Err(unreplayed("the replay ends safe".into()));
        }
        return Ok(Verdict::Violation { violation, actions });
    };
    Ok(Verdict::Violation {
        violation: replayed,
        actions,
    })
}

/// Runs `worker` on `threads` threads, the caller's among them, until every one returns. The
/// calling thread works too, so a refused spawn (always, in a page) only means fewer helpers.
fn on_threads(threads: usize, worker: impl Fn() + Sync) {
    std::thread::scope(|s| {
        for _ in 1..threads {
            if std::thread::Builder::new()
                .name("explorer".into())
                .spawn_scoped(s, &worker)
                .is_err()
            {
                break;
            }
        }
        worker();
    });
}

fn worker_threads(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(MAX_THREADS)
}

/// The random search of `Walks`. Workers take walk numbers in turn; once a walk breaks a rule,
/// walks with larger numbers are no longer started, and every smaller one still finishes, so the
/// walk reported is the smallest breaking one whatever the thread count.
fn walk<P: Canonical + Send + Sync>(
    space: &Space<P>,
    walks: Walks,
    threads: usize,
    budget: u64,
    progress: &Progress,
    world: &mut World<P>,
) -> Result<Report<ActionOf<P>>, String>
where
    P::Node: Send + Sync,
    P::Monitor: Send + Sync,
{
    let run = WalkRun::new(space, walks, worker_threads(threads), budget, progress)?;
    on_threads(run.threads, || run.work(space, progress, u64::MAX));
    run.report(space, progress, world)
}

/// Random walks in progress (`walk`): taken on threads, or a few at a time on the caller's
/// thread (`Exploration::slice`), with the same result.
struct WalkRun {
    walks: Walks,
    threads: usize,
    budget: u64,
    started: Instant,
    root: Vec<u8>,
    next_walk: AtomicU64,
    first_broken: AtomicU64,
    finding: std::sync::Mutex<Option<(u64, Vec<Step>, Violation)>>,
    transitions_before: u64,
    baseline: Option<u64>,
    over: AtomicBool,
}

impl WalkRun {
    fn new<P: Canonical>(
        space: &Space<P>,
        walks: Walks,
        threads: usize,
        budget: u64,
        progress: &Progress,
    ) -> Result<Self, String> {
        if space.renames() {
            return Err("random walks follow the nodes' own names: leave out --symmetry".into());
        }
        Ok(WalkRun {
            walks,
            threads,
            budget,
            started: crate::clock::now(),
            root: space.initial(),
            next_walk: AtomicU64::new(0),
            first_broken: AtomicU64::new(u64::MAX),
            finding: std::sync::Mutex::new(None),
            transitions_before: progress.transitions.load(Ordering::Relaxed),
            baseline: memory::resident(),
            over: AtomicBool::new(false),
        })
    }

    /// Each walk's own data against its share of the budget at every step, and the whole
    /// process against the budget every few thousand steps (a read of `/proc`).
    fn over_budget(&self, own: usize, depth: u32) -> bool {
        let out = own as u64 > self.budget / self.threads as u64
            || (depth.is_multiple_of(4096)
                && memory::resident()
                    .zip(self.baseline)
                    .is_some_and(|(now, before)| now.saturating_sub(before) > self.budget));
        if out {
            self.over.store(true, Ordering::Relaxed);
        }
        out || self.over.load(Ordering::Relaxed)
    }

    /// Whether no walk is left to take.
    fn is_done(&self, progress: &Progress) -> bool {
        let next = self.next_walk.load(Ordering::Relaxed);
        progress.cancelled()
            || self.over.load(Ordering::Relaxed)
            || next >= self.walks.count
            || next > self.first_broken.load(Ordering::Relaxed)
    }

    /// One worker's share: takes walk numbers in turn, at most `most` of them.
    fn work<P: Canonical>(&self, space: &Space<P>, progress: &Progress, most: u64) {
        let mut scratch = space.scratch();
        let over_budget = |own: usize, depth: u32| self.over_budget(own, depth);
        for _ in 0..most {
            if progress.cancelled() || self.over.load(Ordering::Relaxed) {
                break;
            }
            let i = self.next_walk.fetch_add(1, Ordering::Relaxed);
            if i >= self.walks.count || i > self.first_broken.load(Ordering::Relaxed) {
                break;
            }
            // Each walk its own stream, fixed by the seed and its number alone.
            let mut rng =
                crate::sim::rng::Rng::new(self.walks.seed ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
            let mut transitions = 0u64;
            let end = space.walk(
                &self.root,
                self.walks.steps,
                &mut rng,
                &mut scratch,
                &mut transitions,
                &over_budget,
            );
            progress
                .transitions
                .fetch_add(transitions, Ordering::Relaxed);
            progress.states.fetch_add(1, Ordering::Relaxed);
            if let WalkEnd::Broke(steps, violation) = end {
                self.first_broken.fetch_min(i, Ordering::Relaxed);
                if let Ok(mut slot) = self.finding.lock()
                    && slot.as_ref().is_none_or(|(j, _, _)| i < *j)
                {
                    *slot = Some((i, steps, violation));
                }
            }
        }
    }

    fn report<P: Canonical>(
        self,
        space: &Space<P>,
        progress: &Progress,
        world: &mut World<P>,
    ) -> Result<Report<ActionOf<P>>, String> {
        let walks = self.walks;
        let budget = self.budget;
        let taken = self.next_walk.load(Ordering::Relaxed).min(walks.count);
        let (verdict, max_depth, walks_taken) = match self.finding.into_inner().ok().flatten() {
            Some((i, steps, violation)) => {
                let length = steps.len() as u32;
                let verdict = counterexample(space, steps, violation, world)?;
                (verdict, length, i + 1)
            }
            None if progress.cancelled() => (Verdict::Cancelled, walks.steps, taken),
            None if self.over.load(Ordering::Relaxed) => {
                (Verdict::Limit(Limit::Memory(budget)), walks.steps, taken)
            }
            None => (Verdict::Limit(Limit::Walks(walks)), walks.steps, taken),
        };
        Ok(Report {
            verdict,
            unique_states: 0,
            transitions: progress.transitions.load(Ordering::Relaxed) - self.transitions_before,
            max_depth,
            elapsed: self.started.elapsed(),
            threads: self.threads,
            bytes_per_state: None,
            peak_bytes: None,
            walks: walks_taken,
        })
    }
}

/// A search made ready to run, with everything it needs: to its end on threads (`run`, the
/// desktop's) or a slice at a time on the caller's thread (`slice`, a page's, once per frame).
/// Both give the same report and counterexample.
pub struct Exploration<P: Canonical + crate::protocols::Plugin> {
    space: Space<P>,
    world: World<P>,
    options: Options,
    /// The actions that lead to the searched state from the config's start (a store's
    /// workload handed out), put before a counterexample's.
    opening: Vec<ActionOf<P>>,
    config: P::Config,
    stage: Stage,
}

enum Stage {
    Ready,
    Bfs(Box<Bfs>),
    Walks(Box<WalkRun>),
}

impl<P: Canonical + crate::protocols::Plugin> Exploration<P>
where
    P::Node: Send + Sync,
    P::Monitor: Send + Sync,
{
    /// Runs the search to its end: on `options.threads` threads, or, with `options.slice`, in
    /// slices of that many batches on this thread (as a page does; `explore --slice`).
    pub fn run(mut self, progress: &Progress) -> Result<Search<P>, String> {
        if let Some(batches) = self.options.slice {
            loop {
                if let Some(found) = self.slice(progress, batches) {
                    return found;
                }
            }
        }
        let report = explore_on_threads(&self.space, &self.options, progress, &mut self.world)?;
        Ok(self.finish(report))
    }

    /// Runs up to `batches` batches of states (or random walks) on the caller's thread; the
    /// search once it has ended.
    pub fn slice(
        &mut self,
        progress: &Progress,
        batches: usize,
    ) -> Option<Result<Search<P>, String>> {
        let done = match &mut self.stage {
            Stage::Ready => {
                self.stage = match self.options.walks {
                    Some(walks) => {
                        let budget = self.options.budget();
                        match WalkRun::new(&self.space, walks, 1, budget, progress) {
                            Ok(run) => Stage::Walks(Box::new(run)),
                            Err(e) => return Some(Err(e)),
                        }
                    }
                    None => {
                        let options = Options {
                            slice: Some(batches),
                            ..self.options
                        };
                        Stage::Bfs(Box::new(Bfs::new(&self.space, &options, progress)))
                    }
                };
                false
            }
            Stage::Bfs(bfs) => bfs.run_slice(&self.space, progress, batches),
            Stage::Walks(run) => {
                run.work(&self.space, progress, batches as u64);
                run.is_done(progress)
            }
        };
        if !done {
            return None;
        }
        let report = match std::mem::replace(&mut self.stage, Stage::Ready) {
            Stage::Bfs(bfs) => bfs.report(&self.space, progress, &mut self.world),
            Stage::Walks(run) => run.report(&self.space, progress, &mut self.world),
            Stage::Ready => return None,
        };
        Some(report.map(|r| self.finish(r)))
    }

    /// The report with its counterexample as a trace: the opening, then the search's actions.
    fn finish(&self, report: Report<ActionOf<P>>) -> Search<P> {
        let counterexample = match &report.verdict {
            Verdict::Violation { actions, .. } => {
                let mut all = self.opening.clone();
                all.extend(actions.iter().cloned());
                Some(crate::trace::Trace::record(
                    &self.config,
                    None,
                    all,
                    &self.world,
                ))
            }
            _ => None,
        };
        Search {
            report,
            counterexample,
        }
    }
}

/// A search running for the app while it draws: on its own thread on the desktop, a slice per
/// frame in a page (which has no threads). Poll `progress`, then `finished` (which in a page is
/// what runs the next slice). `T` is what the search hands back.
pub struct Background<T> {
    pub progress: Arc<Progress>,
    runner: Runner<T>,
}

enum Runner<T> {
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Thread(Option<std::thread::JoinHandle<T>>),
    Slices(Option<SliceOfSearch<T>>),
}

/// One slice of a search in a page: its result once it has ended.
type SliceOfSearch<T> = Box<dyn FnMut(&Progress) -> Option<T>>;

/// How long a page spends on a search per frame: long enough that the search runs at a good
/// share of full speed, short enough that the page still answers.
pub const SLICE_TIME: Duration = Duration::from_millis(40);

impl<T: Send + 'static> Background<T> {
    /// Runs the search `prepare` makes, then `then` on its result: on its own thread (which
    /// also prepares it: a search holds a world, not always one that may cross threads), or in
    /// a page in slices.
    pub fn run<P>(
        prepare: impl FnOnce() -> Result<Exploration<P>, String> + Send + 'static,
        then: impl FnOnce(Result<Search<P>, String>) -> T + Send + 'static,
    ) -> Self
    where
        P: Canonical + crate::protocols::Plugin,
        P::Node: Send + Sync,
        P::Monitor: Send + Sync,
    {
        if cfg!(target_arch = "wasm32") {
            return Self::in_slices(prepare, then);
        }
        let progress = Arc::new(Progress::default());
        let shared = Arc::clone(&progress);
        // Only on the desktop (a page took the branch above).
        #[allow(clippy::disallowed_methods)]
        let handle = std::thread::Builder::new()
            .name("explorer".into())
            .spawn(move || then(prepare().and_then(|search| search.run(&shared))))
            .ok();
        Background {
            progress,
            runner: Runner::Thread(handle),
        }
    }

    /// Runs the search `prepare` makes a slice at a time, in `finished`, on the caller's thread.
    pub fn in_slices<P>(
        prepare: impl FnOnce() -> Result<Exploration<P>, String>,
        then: impl FnOnce(Result<Search<P>, String>) -> T + 'static,
    ) -> Self
    where
        P: Canonical + crate::protocols::Plugin,
        P::Node: Send + Sync,
        P::Monitor: Send + Sync,
    {
        let mut then = Some(then);
        let mut search = prepare();
        let step = move |progress: &Progress| {
            let result = match &mut search {
                Ok(search) => search.slice(progress, 1)?,
                Err(why) => Err(std::mem::take(why)),
            };
            then.take().map(|f| f(result))
        };
        Background {
            progress: Arc::new(Progress::default()),
            runner: Runner::Slices(Some(Box::new(step))),
        }
    }

    /// What the search handed back once it has ended (`None` while it runs), or why there is
    /// nothing: its thread could not start, or stopped unexpectedly. Asked again after that, it
    /// answers that the search could not start. A search in slices runs for `SLICE_TIME` here.
    pub fn finished(&mut self) -> Option<Result<T, String>> {
        match &mut self.runner {
            Runner::Thread(handle) => match handle {
                None => Some(Err("the explorer thread could not be started".into())),
                Some(h) if !h.is_finished() => None,
                Some(_) => {
                    let handle = handle.take()?;
                    Some(
                        handle
                            .join()
                            .map_err(|_| "the explorer thread stopped unexpectedly".to_string()),
                    )
                }
            },
            Runner::Slices(step) => {
                let Some(run) = step else {
                    return Some(Err("the search has already ended".into()));
                };
                let started = crate::clock::now();
                loop {
                    if let Some(out) = run(&self.progress) {
                        *step = None;
                        return Some(Ok(out));
                    }
                    if started.elapsed() >= SLICE_TIME {
                        return None;
                    }
                }
            }
        }
    }

    pub fn cancel(&self) {
        self.progress.cancel();
    }
}

impl<T> Drop for Background<T> {
    fn drop(&mut self) {
        self.progress.cancel();
    }
}

/// A protocol under the replicated store that the explorer searches (Multi-Paxos, Raft): its
/// cluster with each client handed its operations first.
pub trait StoreSearch:
    crate::protocols::kv::config::StoreProtocol
    + Canonical<Request = crate::protocols::kv::Op, Node: Send + Sync, Monitor: Send + Sync>
{
    /// The operations the cluster's clients are handed.
    fn workload(config: &Self::Config) -> crate::protocols::kv::Workload {
        crate::protocols::kv::config::StoreConfig::cluster(config).2
    }
    /// Searches `config`'s cluster, each client handed `ops` operations of `workload` first.
    fn search(
        config: &Self::Config,
        workload: crate::protocols::kv::Workload,
        ops: u8,
        options: &Options,
        progress: &Progress,
    ) -> Result<Search<Self>, String> {
        Self::prepare(config, workload, ops, options)?.run(progress)
    }
    /// The search of `search`, ready to run or to run in slices.
    fn prepare(
        config: &Self::Config,
        workload: crate::protocols::kv::Workload,
        ops: u8,
        options: &Options,
    ) -> Result<Exploration<Self>, String>;
}

impl<P> StoreSearch for P
where
    P: crate::protocols::kv::config::StoreProtocol + Canonical<Request = crate::protocols::kv::Op>,
    P::Node: Send + Sync,
    P::Monitor: Send + Sync,
{
    fn prepare(
        config: &P::Config,
        workload: crate::protocols::kv::Workload,
        ops: u8,
        options: &Options,
    ) -> Result<Exploration<P>, String> {
        prepare_store_protocol(config, workload, ops, options)
    }
}

/// Resident memory of this process, for the bytes-per-state figure, and the memory it may
/// really use, for the default budget (Linux `/proc` and `/sys`).
pub mod memory {
    /// A `Field:   123 kB` line of a `/proc` file, in bytes.
    fn kb_line(file: &str, field: &str) -> Option<u64> {
        let text = std::fs::read_to_string(file).ok()?;
        let line = text.lines().find(|l| l.starts_with(field))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }

    fn status_kb(field: &str) -> Option<u64> {
        kb_line("/proc/self/status", field)
    }

    pub fn resident() -> Option<u64> {
        status_kb("VmRSS:")
    }

    /// Physical memory, from `/proc/meminfo`.
    fn physical() -> Option<u64> {
        kb_line("/proc/meminfo", "MemTotal:")
    }

    /// What this process's control group may still take (cgroup v2, else v1), if it is limited.
    fn cgroup_room() -> Option<u64> {
        let own = std::fs::read_to_string("/proc/self/cgroup").ok();
        let v2 = own
            .as_deref()
            .and_then(|t| t.lines().find_map(|l| l.strip_prefix("0::")))
            .map(|path| format!("/sys/fs/cgroup{}", path.trim_end_matches('/')));
        let read =
            |p: &str| -> Option<u64> { std::fs::read_to_string(p).ok()?.trim().parse().ok() };
        for dir in v2.iter().map(String::as_str).chain(["/sys/fs/cgroup"]) {
            if let Some(max) = read(&format!("{dir}/memory.max")) {
                let used = read(&format!("{dir}/memory.current")).unwrap_or(0);
                return Some(max.saturating_sub(used));
            }
        }
        let max = read("/sys/fs/cgroup/memory/memory.limit_in_bytes")?;
        let used = read("/sys/fs/cgroup/memory/memory.usage_in_bytes").unwrap_or(0);
        // v1 reports "no limit" as a huge number.
        (max < 1 << 60).then(|| max.saturating_sub(used))
    }

    /// The address space `ulimit -v` leaves this process, beyond what it already maps.
    fn address_space_room() -> Option<u64> {
        let text = std::fs::read_to_string("/proc/self/limits").ok()?;
        let line = text.lines().find(|l| l.starts_with("Max address space"))?;
        let soft: u64 = line
            .trim_start_matches("Max address space")
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(soft.saturating_sub(status_kb("VmSize:").unwrap_or(0)))
    }

    /// The default `--max-memory`: a share of the least of physical memory, the cgroup's room and
    /// the address space left. The share leaves room for the allocator's own overhead, a hash
    /// table's growth (old and new side by side) and, under `ulimit -v`, address space that
    /// threads and the allocator reserve without using.
    pub fn default_budget() -> u64 {
        let mut budget = physical().map_or(u64::MAX, |b| b / 10 * 6);
        if let Some(room) = cgroup_room() {
            budget = budget.min(room / 10 * 6);
        }
        if let Some(room) = address_space_room() {
            budget = budget.min(room / 10 * 4);
        }
        budget.max(16 << 20)
    }

    /// The high-water mark since the last `reset_peak`.
    pub fn peak() -> Option<u64> {
        status_kb("VmHWM:")
    }

    /// Resets the high-water mark to the current size (Linux 4.0+), so each search measures its
    /// own peak; where that is refused the peak covers the whole process, an overestimate.
    pub fn reset_peak() {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    }
}

/// A search's report, with any counterexample as a trace.
pub struct Search<P: crate::protocols::Plugin> {
    pub report: Report<ActionOf<P>>,
    /// The counterexample as a trace file's content (config, actions and outcome).
    pub counterexample: Option<crate::trace::Trace<P>>,
}

/// A search over single-decree Paxos on `config`'s cluster.
pub type PaxosSearch = Search<crate::protocols::paxos::Paxos>;

/// Checks the bounds the explorer can handle.
pub fn validate(config: &crate::protocols::paxos::Config, bounds: &Bounds) -> Result<(), String> {
    config.validate()?;
    if !(1..=16).contains(&bounds.ballots) {
        return Err(format!(
            "--ballots must be between 1 and 16, not {}",
            bounds.ballots
        ));
    }
    for (name, n) in [
        ("drops", bounds.drops),
        ("duplicates", bounds.duplicates),
        ("crashes", bounds.crashes),
    ] {
        if n > 16 {
            return Err(format!("--{name} must be at most 16, not {n}"));
        }
    }
    let nodes = config.proposers as usize + config.acceptors as usize + config.learners as usize;
    if nodes > space::MAX_NODES {
        return Err(format!(
            "the explorer handles at most {} nodes, not {nodes}",
            space::MAX_NODES
        ));
    }
    Ok(())
}

pub fn explore_paxos(
    config: &crate::protocols::paxos::Config,
    options: &Options,
    progress: &Progress,
) -> Result<PaxosSearch, String> {
    prepare_paxos(config, options)?.run(progress)
}

/// The search of `explore_paxos`, ready to run or to run in slices.
pub fn prepare_paxos(
    config: &crate::protocols::paxos::Config,
    options: &Options,
) -> Result<Exploration<crate::protocols::paxos::Paxos>, String> {
    validate(config, &options.bounds)?;
    let space = Space::new(
        crate::protocols::paxos::Paxos::new(config),
        options.bounds,
        options.symmetry,
    )?;
    Ok(Exploration {
        space,
        world: config.world(),
        options: *options,
        opening: Vec::new(),
        config: config.clone(),
        stage: Stage::Ready,
    })
}

/// The most each bound of a store protocol's search may be: the space grows fast with every one.
const STORE_LIMITS: [(&str, u8); 4] = [("servers", 7), ("clients", 6), ("ops", 4), ("timeouts", 6)];

/// A search over a store protocol on `config`'s cluster, every client handed `workload`'s
/// operations first (they run them one at a time). Timeouts (elections, heartbeats, client
/// retries) are bounded per node by `options.bounds.timeouts` (unbounded under a depth bound
/// alone, as Stateright bounds its own).
pub fn explore_store_protocol<P>(
    config: &P::Config,
    workload: crate::protocols::kv::Workload,
    ops: u8,
    options: &Options,
    progress: &Progress,
) -> Result<Search<P>, String>
where
    P: crate::protocols::kv::config::StoreProtocol + Canonical<Request = crate::protocols::kv::Op>,
    P::Node: Send + Sync,
    P::Monitor: Send + Sync,
{
    prepare_store_protocol(config, workload, ops, options)?.run(progress)
}

/// The search of `explore_store_protocol`, ready to run or to run in slices.
pub fn prepare_store_protocol<P>(
    config: &P::Config,
    workload: crate::protocols::kv::Workload,
    ops: u8,
    options: &Options,
) -> Result<Exploration<P>, String>
where
    P: crate::protocols::kv::config::StoreProtocol + Canonical<Request = crate::protocols::kv::Op>,
    P::Node: Send + Sync,
    P::Monitor: Send + Sync,
{
    use crate::protocols::kv::config::StoreConfig;
    P::validate_config(config)?;
    let (servers, clients, _) = config.cluster();
    check_store_bounds(servers, clients, ops, options)?;
    let mut workload = store_workload(workload, P::seed(config), clients, ops);
    for (list, change) in workload.iter_mut().zip(P::changes(config)) {
        list.insert(0, change);
    }
    let protocol = P::with_workload(config, workload.clone());
    let world = P::world(config);
    prepare_store(config, protocol, &workload, world, options)
}

fn store_workload(
    workload: crate::protocols::kv::Workload,
    seed: u64,
    clients: u8,
    ops: u8,
) -> Vec<Vec<crate::protocols::kv::Op>> {
    (1..=clients)
        .map(|c| workload.ops(seed, c, ops as u32))
        .collect()
}

fn check_store_bounds(servers: u8, clients: u8, ops: u8, options: &Options) -> Result<(), String> {
    let timeouts = options.bounds.timeouts.unwrap_or(0);
    for (name, n) in [
        ("servers", servers),
        ("clients", clients),
        ("ops", ops),
        ("timeouts", timeouts),
    ] {
        let limit = STORE_LIMITS
            .iter()
            .find(|(k, _)| *k == name)
            .map_or(u8::MAX, |l| l.1);
        if n > limit {
            return Err(format!(
                "--{name} must be at most {limit} for a search, not {n}"
            ));
        }
    }
    for (name, n) in [
        ("drops", options.bounds.drops),
        ("duplicates", options.bounds.duplicates),
        ("crashes", options.bounds.crashes),
    ] {
        if n > 16 {
            return Err(format!("--{name} must be at most 16, not {n}"));
        }
    }
    Ok(())
}

/// Hands every client its operations (round by round, as they would queue them), then searches
/// from there; a counterexample's trace opens with those hand-overs.
fn prepare_store<P>(
    config: &P::Config,
    protocol: P,
    workload: &[Vec<crate::protocols::kv::Op>],
    mut world: World<P>,
    options: &Options,
) -> Result<Exploration<P>, String>
where
    P: crate::protocols::Plugin + Canonical<Request = crate::protocols::kv::Op>,
    P::Node: Send + Sync,
    P::Monitor: Send + Sync,
{
    let mut opening: Vec<ActionOf<P>> = Vec::new();
    let rounds = workload.iter().map(Vec::len).max().unwrap_or(0);
    for k in 0..rounds {
        for (i, list) in workload.iter().enumerate() {
            if let Some(op) = list.get(k) {
                let a = Action::Propose(crate::protocols::kv::client(i as u8 + 1), *op);
                world
                    .apply(&a)
                    .map_err(|e| format!("the workload cannot start: {e}"))?;
                opening.push(a);
            }
        }
    }
    let mut space = Space::new(protocol, options.bounds, false)?;
    space.start_from(&world);
    Ok(Exploration {
        space,
        world,
        options: *options,
        opening,
        config: config.clone(),
        stage: Stage::Ready,
    })
}
