//! The explorer: a breadth-first search over every state the simulation can reach within a few
//! bounds (ballots per proposer, drops, duplicates, crashes), checking the protocol's safety
//! monitor on every transition. It answers "could this ever go wrong?" with either "no, here are
//! all N states" or the shortest run that breaks a rule, as an ordinary list of world actions.
//!
//! States are stored as canonical bytes (see `sim::canon`): node states, the monitor and the
//! messages in flight as a sorted multiset, with no times and no message ids. The visited set
//! keeps a 64-bit fingerprint and the parent's fingerprint per state, as Stateright does, so a
//! counterexample is rebuilt by re-expanding along the parent chain.

mod space;
mod visited;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::sim::canon::Canonical;
use crate::sim::{Action, Violation, World};

pub use space::{Space, Step};
use visited::Visited;

/// How far the search may go. Faults are budgets for the whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Ballots each proposer may start: its first attempt plus retries (after a Nack or a timeout).
    pub ballots: u8,
    pub drops: u8,
    pub duplicates: u8,
    pub crashes: u8,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            ballots: 2,
            drops: 0,
            duplicates: 0,
            crashes: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub bounds: Bounds,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Stop (without a verdict) after this many unique states.
    pub max_states: Option<u64>,
    /// Treat states that differ only by a renaming of interchangeable nodes as one.
    pub symmetry: bool,
}

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
pub enum Verdict {
    /// Every reachable state within the bounds was checked.
    Safe,
    /// A shortest run to a violation, as world actions from the initial state.
    Violation {
        violation: Violation,
        actions: Vec<Action>,
    },
    Cancelled,
    /// `max_states` was reached before the search finished.
    Limit,
}

#[derive(Clone, Debug)]
pub struct Report {
    pub verdict: Verdict,
    pub unique_states: u64,
    pub transitions: u64,
    pub max_depth: u32,
    pub elapsed: Duration,
    pub threads: usize,
    /// Peak resident memory the search added, per unique state (Linux; `None` elsewhere).
    pub bytes_per_state: Option<f64>,
    pub peak_bytes: Option<u64>,
}

impl Report {
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

    fn push(&mut self, state: &[u8]) {
        self.bytes.extend_from_slice(state);
        self.ends.push(self.bytes.len() as u32);
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

/// What a worker found that ends the search.
struct Found {
    fingerprint: u64,
    violation: Violation,
}

/// Runs the search. `world` must be the initial world of the same protocol; it is used to turn
/// the counterexample into world actions (message ids and all) and is left after its last step.
pub fn explore<P: Canonical + Send + Sync>(
    space: &Space<P>,
    options: &Options,
    progress: &Progress,
    world: &mut World<P>,
) -> Result<Report, String>
where
    P::Node: Send + Sync,
    P::Monitor: Send + Sync,
{
    let started = Instant::now();
    memory::reset_peak();
    let baseline = memory::resident();
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let visited = Visited::new();
    let root = space.initial();
    let root_fp = crate::sim::canon::fingerprint(&root);
    visited.insert(root_fp, root_fp);
    progress.states.store(1, Ordering::Relaxed);
    let mut level = vec![{
        let mut b = Batch::default();
        b.push(&root);
        b
    }];
    let mut depth = 0u32;
    let mut max_depth = 0u32;
    let mut found: Option<Found> = None;
    let mut verdict = Verdict::Safe;
    let stop = AtomicBool::new(false);
    let transitions_before = progress.transitions.load(Ordering::Relaxed);

    while !level.is_empty() {
        progress.depth.store(depth, Ordering::Relaxed);
        progress.frontier.store(
            level.iter().map(|b| b.ends.len() as u64).sum(),
            Ordering::Relaxed,
        );
        let work: Vec<std::sync::Mutex<Option<Batch>>> = level
            .into_iter()
            .map(|b| std::sync::Mutex::new(Some(b)))
            .collect();
        let next_index = std::sync::atomic::AtomicUsize::new(0);
        let next_level = std::sync::Mutex::new(Vec::<Batch>::new());
        let finding = std::sync::Mutex::new(None::<Found>);
        let worker = || {
            let mut scratch = space.scratch();
            let mut out = Batch::default();
            let mut local_transitions = 0u64;
            loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next_index.fetch_add(1, Ordering::Relaxed);
                let Some(slot) = work.get(i) else { break };
                let Some(batch) = slot.lock().ok().and_then(|mut s| s.take()) else {
                    continue;
                };
                for state in batch.states() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let parent = crate::sim::canon::fingerprint(state);
                    space.expand(
                        state,
                        depth as u64 + 1,
                        &mut scratch,
                        |_, next, violation| {
                            local_transitions += 1;
                            let fp = crate::sim::canon::fingerprint(next);
                            let fresh = visited.insert(fp, parent);
                            if fresh {
                                progress.states.fetch_add(1, Ordering::Relaxed);
                            }
                            if let Some(v) = violation {
                                if let Ok(mut f) = finding.lock()
                                    && f.is_none()
                                {
                                    *f = Some(Found {
                                        fingerprint: fp,
                                        violation: v.clone(),
                                    });
                                }
                                stop.store(true, Ordering::Relaxed);
                                return false;
                            }
                            if fresh {
                                out.push(next);
                                if out.is_full()
                                    && let Ok(mut n) = next_level.lock()
                                {
                                    n.push(std::mem::take(&mut out));
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
                if progress.cancelled()
                    || options
                        .max_states
                        .is_some_and(|m| progress.states.load(Ordering::Relaxed) >= m)
                {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            if !out.ends.is_empty()
                && let Ok(mut n) = next_level.lock()
            {
                n.push(out);
            }
        };
        if threads <= 1 {
            worker();
        } else {
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(worker);
                }
            });
        }
        level = next_level.into_inner().unwrap_or_default();
        if !level.is_empty() {
            max_depth = depth + 1;
        }
        if let Some(f) = finding.into_inner().ok().flatten() {
            max_depth = depth + 1;
            found = Some(f);
            break;
        }
        if stop.load(Ordering::Relaxed) {
            verdict = if progress.cancelled() {
                Verdict::Cancelled
            } else {
                Verdict::Limit
            };
            break;
        }
        depth += 1;
    }

    let peak = memory::peak();
    let unique_states = visited.len();
    if let Some(f) = found {
        let chain = visited.chain(f.fingerprint, root_fp)?;
        let steps = space.path(&root, &chain)?;
        let initial = world.clone();
        let steps = space.minimize(steps, || initial.clone(), f.violation.invariant);
        let actions = space.to_actions(&steps, world)?;
        // The replayed world words the violation with real step numbers.
        let violation = world
            .violations()
            .iter()
            .find(|v| v.invariant == f.violation.invariant)
            .cloned()
            .unwrap_or(f.violation);
        verdict = Verdict::Violation { violation, actions };
    }
    let peak_bytes = peak.zip(baseline).map(|(p, b)| p.saturating_sub(b));
    Ok(Report {
        verdict,
        unique_states,
        transitions: progress.transitions.load(Ordering::Relaxed) - transitions_before,
        max_depth,
        elapsed: started.elapsed(),
        threads,
        bytes_per_state: peak_bytes.map(|b| b as f64 / unique_states.max(1) as f64),
        peak_bytes,
    })
}

/// A Paxos search running on its own thread, for the app: poll `progress`, then `finished`.
pub struct Background {
    pub progress: Arc<Progress>,
    handle: Option<std::thread::JoinHandle<Result<PaxosSearch, String>>>,
}

impl Background {
    pub fn spawn(config: crate::sim::Config, options: Options) -> Self {
        let progress = Arc::new(Progress::default());
        let shared = Arc::clone(&progress);
        let handle = std::thread::Builder::new()
            .name("explorer".into())
            .spawn(move || explore_paxos(&config, &options, &shared))
            .ok();
        Background { progress, handle }
    }

    /// The result once the search has ended (`None` while it runs).
    pub fn finished(&mut self) -> Option<Result<PaxosSearch, String>> {
        if self.handle.as_ref()?.is_finished() {
            let handle = self.handle.take()?;
            Some(
                handle
                    .join()
                    .unwrap_or_else(|_| Err("the explorer thread stopped unexpectedly".into())),
            )
        } else {
            None
        }
    }

    pub fn cancel(&self) {
        self.progress.cancel();
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.progress.cancel();
    }
}

/// Resident memory of this process, for the bytes-per-state figure (Linux `/proc`).
mod memory {
    fn status_kb(field: &str) -> Option<u64> {
        let text = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = text.lines().find(|l| l.starts_with(field))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }

    pub fn resident() -> Option<u64> {
        status_kb("VmRSS:")
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

/// A search over single-decree Paxos on `config`'s cluster, with any counterexample as a trace.
pub struct PaxosSearch {
    pub report: Report,
    /// The counterexample as a trace file's content (config, actions and outcome).
    pub counterexample: Option<crate::trace::Trace>,
}

/// Checks the bounds the explorer can handle.
pub fn validate(config: &crate::sim::Config, bounds: &Bounds) -> Result<(), String> {
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
    config: &crate::sim::Config,
    options: &Options,
    progress: &Progress,
) -> Result<PaxosSearch, String> {
    validate(config, &options.bounds)?;
    let space = Space::new(
        crate::sim::Paxos::new(config),
        options.bounds,
        options.symmetry,
    )?;
    let mut world = config.world();
    let report = explore(&space, options, progress, &mut world)?;
    let counterexample = match &report.verdict {
        Verdict::Violation { actions, .. } => Some(crate::trace::Trace::record(
            config,
            None,
            actions.clone(),
            &world,
        )),
        _ => None,
    };
    Ok(PaxosSearch {
        report,
        counterexample,
    })
}
