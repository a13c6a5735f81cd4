//! Multi-Paxos and Raft side by side: one seed, one client workload and one fault script drive
//! both, round by round, and the same figures are read off each run (messages per committed
//! command, leader changes, time without a leader, entries rewritten or cut in failovers,
//! requests answered). Headless: `paxos-lab compare` prints the table, and the app's split view
//! reads the same runs.
//!
//! A round is one action of the seeded scheduler, preceded by the faults due at it. Both runs
//! take the same rounds, so "round 40" is one moment on one timeline even where the two
//! protocols have sent different messages by then.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::protocols::kv::{self, Reads, Workload};
use crate::protocols::{Plugin, multipaxos, raft};
use crate::sim::ids::{MAX_PER_ROLE, NodeId};
use crate::sim::world::{ActionOf, Event, World};
use crate::sim::{Action, Knobs, Scheduler};
use crate::trace::{FileError, Trace};

/// A fault the script applies at a round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    /// Crash whichever server leads at that round (or, if none does, the first to lead after).
    CrashLeader,
    Crash(NodeId),
    Restart(NodeId),
    /// Restart every crashed server.
    RestartAll,
    /// Cut every link between these servers and the other servers (clients keep theirs).
    Partition(Vec<NodeId>),
    /// Cut whichever server leads at that round off from every other server (or, if none
    /// does, the first to lead after); clients keep their links, so it may still take requests
    /// it can never commit.
    IsolateLeader,
    /// Cut this many followers (the lowest-numbered servers that do not lead) off from the
    /// other servers, once some server leads: a minority away from a leader that keeps its
    /// majority, as when a rack loses its uplink.
    PartitionFollowers(u8),
    /// Mend every cut link.
    Heal,
    /// Pause whichever server leads at that round for this many ticks (or, if none does, the
    /// first to lead after): it stops, then resumes with its clock where it stopped, as after a
    /// long garbage-collection pause.
    PauseLeader(u32),
    /// Pause this server for this many ticks.
    Pause(NodeId, u32),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Fault::CrashLeader => write!(f, "crash the leader"),
            Fault::IsolateLeader => write!(f, "cut the leader off from the other servers"),
            Fault::Crash(s) => write!(f, "crash {s}"),
            Fault::Restart(s) => write!(f, "restart {s}"),
            Fault::RestartAll => write!(f, "restart every crashed server"),
            Fault::Partition(side) => {
                let names: Vec<String> = side.iter().map(|s| s.to_string()).collect();
                write!(f, "partition {{{}}} from the rest", names.join(", "))
            }
            Fault::PartitionFollowers(n) => {
                write!(f, "cut {n} followers off from the leader's side")
            }
            Fault::Heal => write!(f, "heal every link"),
            Fault::PauseLeader(ticks) => write!(f, "pause the leader for {ticks} ticks"),
            Fault::Pause(s, ticks) => write!(f, "pause {s} for {ticks} ticks"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timed {
    pub at: u64,
    #[serde(rename = "do")]
    pub fault: Fault,
}

fn default_servers() -> u8 {
    5
}
fn default_clients() -> u8 {
    2
}
fn default_seed() -> u64 {
    1
}
fn default_rounds() -> u64 {
    300
}
fn default_requests() -> f64 {
    0.05
}

/// A fault script: the cluster both protocols run on, how long, and what goes wrong when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// What the script shows, in English and Chinese.
    #[serde(default)]
    pub title: [String; 2],
    #[serde(default = "default_servers")]
    pub servers: u8,
    #[serde(default = "default_clients")]
    pub clients: u8,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_rounds")]
    pub rounds: u64,
    /// The chance, each round, that a client is handed its next operation.
    #[serde(default = "default_requests")]
    pub requests: f64,
    /// Both protocols run with Pre-Vote (`paxos-lab compare --pre-vote` sets it too).
    #[serde(default)]
    pub pre_vote: bool,
    /// Both protocols run with CheckQuorum and leader stickiness (`--check-quorum`).
    #[serde(default)]
    pub check_quorum: bool,
    /// How both protocols' leaders answer gets: `log`, `read-index` or `lease` (`--reads`).
    #[serde(default, skip_serializing_if = "Reads::is_log")]
    pub reads: Reads,
    /// How far each server's clock may run fast or slow, in parts per thousand (`--drift`).
    #[serde(default, skip_serializing_if = "kv::config::is_zero")]
    pub drift: u32,
    pub faults: Vec<Timed>,
}

/// The most rounds a script may ask for: both runs are kept whole.
pub const MAX_ROUNDS: u64 = 100_000;

impl Script {
    /// Reads and checks a script; every error is `file:line:col: what is wrong`.
    pub fn load(path: &Path) -> Result<Script, FileError> {
        let text = crate::trace::read_text(path)?;
        Script::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Script, FileError> {
        if text.trim().is_empty() {
            return Err(FileError::new(
                path,
                (1, 1),
                "the file is empty: a fault script is `(faults: [(at: 40, do: CrashLeader), ...])`",
            ));
        }
        let script: Script = crate::trace::ron_options().from_str(text).map_err(|e| {
            FileError::new(
                path,
                (e.span.start.line, e.span.start.col),
                crate::trace::ron_error(text, &e),
            )
        })?;
        let at = |i: usize| fault_position(text, i);
        // A field left out takes its default and has no place of its own: then the file's start.
        let field = |name: &str, m: String| {
            FileError::new(
                path,
                crate::trace::locate(text, crate::trace::Field::Named(name, None)),
                m,
            )
        };
        if !(1..=MAX_PER_ROLE).contains(&script.servers) {
            return Err(field(
                "servers",
                format!(
                    "`servers`: between 1 and {}, not {}",
                    MAX_PER_ROLE, script.servers
                ),
            ));
        }
        if !(1..=MAX_PER_ROLE).contains(&script.clients) {
            return Err(field(
                "clients",
                format!(
                    "`clients`: between 1 and {}, not {}",
                    MAX_PER_ROLE, script.clients
                ),
            ));
        }
        if !(1..=MAX_ROUNDS).contains(&script.rounds) {
            return Err(field(
                "rounds",
                format!(
                    "`rounds`: between 1 and {MAX_ROUNDS}, not {}",
                    script.rounds
                ),
            ));
        }
        if !(0.0..1.0).contains(&script.requests) {
            return Err(field(
                "requests",
                format!(
                    "`requests`: a chance from 0 up to (not including) 1, not {}: at 1 every round is a new request and no message is ever delivered",
                    script.requests
                ),
            ));
        }
        let mut last = 0;
        for (i, t) in script.faults.iter().enumerate() {
            let bad = |m: String| Err(FileError::new(path, at(i), m));
            if t.at < last {
                return bad(format!(
                    "fault {}: round {} comes before the round of the fault above it ({last}); list faults in order",
                    i + 1,
                    t.at
                ));
            }
            if t.at >= script.rounds {
                return bad(format!(
                    "fault {}: round {} is past the script's last round ({})",
                    i + 1,
                    t.at,
                    script.rounds - 1
                ));
            }
            last = t.at;
            let servers: &[NodeId] = match &t.fault {
                Fault::Crash(s) | Fault::Restart(s) | Fault::Pause(s, _) => std::slice::from_ref(s),
                Fault::Partition(side) => side,
                _ => &[],
            };
            for s in servers {
                if s.role != kv::SERVER || !(1..=script.servers).contains(&s.index) {
                    return bad(format!(
                        "fault {}: {s} is not one of the servers S1..S{}",
                        i + 1,
                        script.servers
                    ));
                }
            }
            if let Fault::Partition(side) = &t.fault
                && let Some(twice) = side
                    .iter()
                    .enumerate()
                    .find(|(k, s)| side[..*k].contains(s))
            {
                return bad(format!(
                    "fault {}: the partition names {} twice",
                    i + 1,
                    twice.1
                ));
            }
            if let Fault::PauseLeader(ticks) | Fault::Pause(_, ticks) = t.fault
                && !(1..=crate::sim::world::MAX_PAUSE).contains(&ticks)
            {
                return bad(format!(
                    "fault {}: a pause lasts from 1 to {} ticks, not {ticks}",
                    i + 1,
                    crate::sim::world::MAX_PAUSE
                ));
            }
            if let Fault::PartitionFollowers(n) = t.fault
                && (n == 0 || 2 * n as usize >= script.servers as usize)
            {
                return bad(format!(
                    "fault {}: cut between 1 and {} followers off, fewer than half of {} servers, so that the leader keeps a majority",
                    i + 1,
                    (script.servers as usize).saturating_sub(1) / 2,
                    script.servers
                ));
            }
            if let Fault::Partition(side) = &t.fault
                && (side.is_empty() || side.len() >= script.servers as usize)
            {
                return bad(format!(
                    "fault {}: a partition names some of the servers, not none or all",
                    i + 1
                ));
            }
        }
        script.check_reads().map_err(|m| field("reads", m))?;
        Ok(script)
    }

    /// Why the script's read and clock options do not stand together, if they do not (as
    /// `--reads lease` needs `--check-quorum`).
    pub fn check_reads(&self) -> Result<(), String> {
        kv::check_reads(self.reads, self.check_quorum, self.drift)
    }

    /// The options switched on, as the table's first line ends (nothing when none).
    pub fn options_words(&self) -> String {
        let drift = format!("clocks drifting up to {}‰", self.drift);
        let on: Vec<&str> = [
            (self.pre_vote, "Pre-Vote"),
            (self.check_quorum, "CheckQuorum"),
            (self.reads == Reads::ReadIndex, "ReadIndex reads"),
            (self.reads == Reads::Lease, "lease reads"),
            (self.drift > 0, drift.as_str()),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        if on.is_empty() {
            String::new()
        } else {
            format!(", with {}", on.join(" and "))
        }
    }

    fn knobs(&self) -> Knobs {
        Knobs {
            propose: self.requests,
            ..Knobs::default()
        }
    }

    pub fn multipaxos_config(&self, workload: Workload) -> multipaxos::Config {
        multipaxos::Config {
            servers: self.servers,
            clients: self.clients,
            seed: self.seed,
            workload,
            pre_vote: self.pre_vote,
            check_quorum: self.check_quorum,
            reads: self.reads,
            drift: self.drift,
            ..multipaxos::Config::default()
        }
    }

    pub fn raft_config(&self, workload: Workload) -> raft::Config {
        raft::Config {
            servers: self.servers,
            clients: self.clients,
            seed: self.seed,
            workload,
            pre_vote: self.pre_vote,
            check_quorum: self.check_quorum,
            reads: self.reads,
            drift: self.drift,
            ..raft::Config::default()
        }
    }
}

/// Whether RON text reads as a fault script (a `faults` list, and neither a trace's `actions`
/// nor a lesson's `steps`), so that `check` can tell it from the other files.
pub fn is_script(text: &str) -> bool {
    crate::trace::outline::kind_of(text) == Some(crate::trace::outline::FileKind::FaultScript)
}

/// Where the `i`-th fault starts in the script's text (1:1 if it cannot be found).
fn fault_position(text: &str, i: usize) -> (usize, usize) {
    #[derive(Deserialize)]
    struct Spans<'a> {
        #[serde(borrow, default)]
        faults: Vec<&'a ron::value::RawValue>,
    }
    let spans: Option<Spans> = crate::trace::ron_options().from_str(text).ok();
    spans
        .and_then(|w| w.faults.get(i).copied())
        .map_or((1, 1), |raw| {
            crate::fsutil::line_col(text, crate::trace::raw_offset(text, raw))
        })
}

/// What the comparison reads of a protocol's run.
pub trait Compared: Plugin {
    /// The live server that leads, if one does (the highest ballot or term among them).
    fn leader(world: &World<Self>) -> Option<NodeId>;
    /// Commands (not no-ops) committed, or chosen, so far.
    fn committed(world: &World<Self>) -> u32;
    /// Whether a note says a server was just elected.
    fn is_election(note: &Self::Note) -> bool;
    /// Log entries a note says were rewritten in a new leader's ballot or cut from a log.
    fn entries_moved(note: &Self::Note) -> u32;
    /// Entries of an earlier ballot or term a note says a later leader took over: rewritten in
    /// its ballot (Multi-Paxos), or first committed by it, through an entry of its own term
    /// (Raft). `world` is the state just after the note.
    fn carried_over(world: &World<Self>, note: &Self::Note) -> u32;
    /// Whether a note is a client getting its answer.
    fn is_answer(note: &Self::Note) -> bool;
    /// Whether a note is a client sending a request.
    fn is_request(note: &Self::Note) -> bool;
}

impl Compared for multipaxos::MultiPaxos {
    fn leader(world: &World<Self>) -> Option<NodeId> {
        world
            .nodes()
            .iter()
            .filter(|s| s.up)
            .filter_map(|s| match &s.state {
                multipaxos::Node::Server(server) if server.is_leader() => {
                    server.ballot().map(|b| (b, s.id))
                }
                _ => None,
            })
            .max()
            .map(|(_, id)| id)
    }

    fn committed(world: &World<Self>) -> u32 {
        world
            .monitor()
            .chosen
            .iter()
            .filter(|c| matches!(c, Some((kv::Entry::Cmd(_), _, _))))
            .count() as u32
    }

    fn is_election(note: &multipaxos::Note) -> bool {
        matches!(note, multipaxos::Note::Elected { .. })
    }

    fn entries_moved(note: &multipaxos::Note) -> u32 {
        match note {
            multipaxos::Note::Elected {
                reproposed, holes, ..
            } => reproposed + holes,
            _ => 0,
        }
    }

    fn carried_over(_: &World<Self>, note: &multipaxos::Note) -> u32 {
        match note {
            multipaxos::Note::Elected { reproposed, .. } => *reproposed,
            _ => 0,
        }
    }

    fn is_answer(note: &multipaxos::Note) -> bool {
        matches!(note, multipaxos::Note::Returned { .. })
    }

    fn is_request(note: &multipaxos::Note) -> bool {
        matches!(note, multipaxos::Note::Invoked { .. })
    }
}

impl Compared for raft::Raft {
    fn leader(world: &World<Self>) -> Option<NodeId> {
        raft::describe::progress(world).map(|p| p.leader)
    }

    fn committed(world: &World<Self>) -> u32 {
        world
            .monitor()
            .committed
            .iter()
            .filter(|e| matches!(e.entry, kv::Entry::Cmd(_)))
            .count() as u32
    }

    fn is_election(note: &raft::Note) -> bool {
        matches!(note, raft::Note::Elected { .. })
    }

    fn entries_moved(note: &raft::Note) -> u32 {
        match note {
            raft::Note::Truncated { removed, .. } => *removed,
            _ => 0,
        }
    }

    fn carried_over(world: &World<Self>, note: &raft::Note) -> u32 {
        match note {
            // Counted once, when this is the entry's first commit (a lagging leader's commit
            // index can pass an index committed before).
            raft::Note::Committed {
                index,
                entry,
                in_term,
            } => {
                let first = world.monitor().committed_in.get(*index as usize - 1) == Some(in_term);
                (entry.term < *in_term && first) as u32
            }
            _ => 0,
        }
    }

    fn is_answer(note: &raft::Note) -> bool {
        matches!(note, raft::Note::Returned { .. })
    }

    fn is_request(note: &raft::Note) -> bool {
        matches!(note, raft::Note::Invoked { .. })
    }
}

/// The figures of one run, as they stand after a round.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Simulated time (ticks) the run has covered: a round is one action, and the two protocols
    /// spend different numbers of actions per tick.
    pub time: u64,
    pub committed: u32,
    pub messages_sent: u64,
    pub leader_changes: u32,
    /// Simulated time (ticks) with no live leader.
    pub time_without_leader: u64,
    pub entries_moved: u32,
    /// Entries of an earlier ballot or term a later leader took over (see
    /// `Compared::carried_over`): what Figure 8 is about.
    pub carried_over: u32,
    pub requests: u32,
    pub answered: u32,
    /// Rule breaks (none in a correct run).
    pub violations: u32,
}

impl Figures {
    /// Messages sent per committed command, when any was committed.
    pub fn messages_per_command(&self) -> Option<f64> {
        (self.committed > 0).then(|| self.messages_sent as f64 / self.committed as f64)
    }
}

/// One protocol's side of a comparison: its trace, and its figures after every round.
pub struct Side<P: Plugin> {
    pub trace: Trace<P>,
    /// `rounds[r]`: the figures after round `r`, and the number of steps the run had taken.
    pub rounds: Vec<(Figures, u64)>,
    /// Each fault as applied: its round and the actions it became (none: nothing to do).
    pub applied: Vec<(u64, Vec<ActionOf<P>>)>,
}

impl<P: Plugin> Side<P> {
    pub fn last(&self) -> Figures {
        self.rounds.last().map_or(Figures::default(), |r| r.0)
    }
}

/// Both runs of a comparison.
pub struct Comparison {
    pub script: Script,
    pub workload: Workload,
    pub multipaxos: Side<multipaxos::MultiPaxos>,
    pub raft: Side<raft::Raft>,
}

/// Runs both protocols on the script.
pub fn compare(script: &Script, workload: Workload) -> Comparison {
    Comparison {
        script: script.clone(),
        workload,
        multipaxos: run_side::<multipaxos::MultiPaxos>(&script.multipaxos_config(workload), script),
        raft: run_side::<raft::Raft>(&script.raft_config(workload), script),
    }
}

/// What a fault becomes in this world now; `None` while it must wait (no leader to crash yet).
fn fault_actions<P: Compared>(world: &World<P>, fault: &Fault) -> Option<Vec<ActionOf<P>>> {
    let up = |id: NodeId| world.node(id).is_some_and(|s| s.up);
    Some(match fault {
        Fault::CrashLeader => vec![Action::Crash(P::leader(world)?)],
        Fault::Crash(s) => [Action::Crash(*s)].into_iter().filter(|_| up(*s)).collect(),
        Fault::Restart(s) => [Action::Restart(*s)]
            .into_iter()
            .filter(|_| !up(*s))
            .collect(),
        Fault::RestartAll => world
            .nodes()
            .iter()
            .filter(|s| !s.up)
            .map(|s| Action::Restart(s.id))
            .collect(),
        Fault::Partition(side) => {
            kv::split_actions(world, &|id| side.contains(&id), &|id| id.role == kv::SERVER)
        }
        Fault::IsolateLeader => {
            let leader = P::leader(world)?;
            kv::split_actions(world, &|id| id == leader, &|id| id.role == kv::SERVER)
        }
        Fault::PartitionFollowers(n) => {
            let leader = P::leader(world)?;
            let side: Vec<NodeId> = world
                .nodes()
                .iter()
                .map(|s| s.id)
                .filter(|&id| id.role == kv::SERVER && id != leader)
                .take(*n as usize)
                .collect();
            kv::split_actions(world, &|id| side.contains(&id), &|id| id.role == kv::SERVER)
        }
        Fault::Heal => kv::heal_actions(world),
        Fault::PauseLeader(ticks) => vec![Action::Pause(P::leader(world)?, *ticks)],
        Fault::Pause(s, ticks) => [Action::Pause(*s, *ticks)]
            .into_iter()
            .filter(|_| up(*s) && !world.is_paused(*s))
            .collect(),
    })
}

/// Whether a live leader can reach a majority of the servers (itself included, each up and not
/// cut off from it): a leader cut off from a majority commits nothing, so its time counts as
/// time without a leader.
fn leader_reaches_majority<P: Compared>(world: &World<P>) -> bool {
    let Some(leader) = P::leader(world) else {
        return false;
    };
    let servers = world.nodes().iter().filter(|s| s.id.role == kv::SERVER);
    let reached = servers
        .clone()
        .filter(|s| s.up && (s.id == leader || !world.network().is_cut(leader, s.id)))
        .count();
    reached > servers.count() / 2
}

fn run_side<P: Compared>(config: &P::Config, script: &Script) -> Side<P> {
    let mut world = P::world(config);
    let mut scheduler = Scheduler::new(world.timing().seed, script.knobs());
    let mut actions: Vec<ActionOf<P>> = Vec::new();
    let mut figures = Figures::default();
    let mut rounds = Vec::with_capacity(script.rounds as usize);
    let mut applied = Vec::new();
    let mut next_fault = 0;
    let mut apply = |world: &mut World<P>, a: ActionOf<P>, figures: &mut Figures| {
        let before = world.now();
        let leaderless = !leader_reaches_majority(world);
        if world.apply(&a).is_err() {
            return;
        }
        if leaderless {
            figures.time_without_leader += world.now() - before;
        }
        for e in world.events() {
            match e {
                Event::Note {
                    node: Some(_),
                    note,
                } => {
                    figures.leader_changes += P::is_election(note) as u32;
                    figures.entries_moved += P::entries_moved(note);
                    figures.carried_over += P::carried_over(world, note);
                    figures.answered += P::is_answer(note) as u32;
                    figures.requests += P::is_request(note) as u32;
                }
                Event::Violation(_) => figures.violations += 1,
                _ => {}
            }
        }
        actions.push(a);
    };
    for round in 0..script.rounds {
        while let Some(t) = script.faults.get(next_fault) {
            if t.at > round {
                break;
            }
            let Some(faults) = fault_actions(&world, &t.fault) else {
                break; // waits for the next round
            };
            for a in &faults {
                apply(&mut world, a.clone(), &mut figures);
            }
            applied.push((round, faults));
            next_fault += 1;
        }
        if let Some(a) = scheduler.next(&world) {
            apply(&mut world, a, &mut figures);
        }
        figures.time = world.now();
        figures.committed = P::committed(&world);
        figures.messages_sent = world.network().stats.sent;
        rounds.push((figures, world.step()));
    }
    Side {
        trace: Trace::record(config, Some(script.knobs()), actions, &world),
        rounds,
        applied,
    }
}

/// The figures' names, in English and Chinese, in table order.
pub const ROWS: [[&str; 2]; 10] = [
    ["simulated time (ticks)", "模拟时间（时钟单位）"],
    ["commands committed", "已提交的命令"],
    ["messages sent", "发送的消息"],
    ["messages per committed command", "每条已提交命令的消息数"],
    ["leader changes", "领导者更替"],
    [
        "time without a leader (ticks)",
        "无领导者的时间（时钟单位）",
    ],
    [
        "entries rewritten or cut in failovers",
        "故障转移中重写或截断的条目",
    ],
    [
        "earlier entries taken over by a later leader",
        "后任领导者接手的旧条目",
    ],
    ["requests answered / sent", "已应答 / 已发送的请求"],
    ["rule breaks", "违反的规则"],
];

/// The figures as the table's cells, in `ROWS` order.
pub fn cells(f: &Figures) -> [String; 10] {
    [
        f.time.to_string(),
        f.committed.to_string(),
        f.messages_sent.to_string(),
        f.messages_per_command()
            .map_or("-".to_string(), |m| format!("{m:.1}")),
        f.leader_changes.to_string(),
        f.time_without_leader.to_string(),
        f.entries_moved.to_string(),
        f.carried_over.to_string(),
        format!("{} / {}", f.answered, f.requests),
        f.violations.to_string(),
    ]
}

impl Comparison {
    /// The table `paxos-lab compare` prints.
    pub fn table(&self) -> String {
        let mp = cells(&self.multipaxos.last());
        let raft = cells(&self.raft.last());
        let mut s = format!(
            "{} servers, {} clients, {} workload, seed {}, {} rounds{}\n",
            self.script.servers,
            self.script.clients,
            self.workload.name(),
            self.script.seed,
            self.script.rounds,
            self.script.options_words()
        );
        s += &format!("{:<46}{:>14}{:>14}\n", "", "Multi-Paxos", "Raft");
        for (k, row) in ROWS.iter().enumerate() {
            s += &format!("{:<46}{:>14}{:>14}\n", row[0], mp[k], raft[k]);
        }
        s += &self.faults_words();
        s
    }

    /// When each fault struck in each run, in words.
    fn faults_words(&self) -> String {
        let mut s = String::new();
        for (k, t) in self.script.faults.iter().enumerate() {
            let when = |applied: Option<u64>| match applied {
                Some(r) if r == t.at => format!("round {r}"),
                Some(r) => format!("round {r} (waited for a leader)"),
                None => "never (it waited for a leader that never came)".to_string(),
            };
            s += &format!(
                "fault {}: {} at round {}: Multi-Paxos {}, Raft {}\n",
                k + 1,
                t.fault,
                t.at,
                when(self.multipaxos.applied.get(k).map(|a| a.0)),
                when(self.raft.applied.get(k).map(|a| a.0)),
            );
        }
        s
    }

    pub fn json(&self) -> serde_json::Value {
        let side = |f: Figures, applied: Vec<Option<u64>>| {
            serde_json::json!({
                "time": f.time,
                "committed": f.committed,
                "messages_sent": f.messages_sent,
                "messages_per_command": f.messages_per_command(),
                "leader_changes": f.leader_changes,
                "time_without_leader": f.time_without_leader,
                "entries_moved": f.entries_moved,
                "carried_over": f.carried_over,
                "requests": f.requests,
                "answered": f.answered,
                "violations": f.violations,
                "faults_applied_at": applied,
            })
        };
        let at = |n: usize, get: &dyn Fn(usize) -> Option<u64>| (0..n).map(get).collect();
        let n = self.script.faults.len();
        serde_json::json!({
            "servers": self.script.servers,
            "clients": self.script.clients,
            "seed": self.script.seed,
            "rounds": self.script.rounds,
            "workload": self.workload.name(),
            "pre_vote": self.script.pre_vote,
            "check_quorum": self.script.check_quorum,
            "reads": self.script.reads.name(),
            "drift": self.script.drift,
            "multipaxos": side(self.multipaxos.last(), at(n, &|k| self.multipaxos.applied.get(k).map(|a| a.0))),
            "raft": side(self.raft.last(), at(n, &|k| self.raft.applied.get(k).map(|a| a.0))),
        })
    }
}

/// The most seeds `compare --seeds` runs (each is a whole comparison).
pub const MAX_SEEDS: u64 = 1000;

/// One protocol's figures averaged over runs on several seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Mean {
    pub time: f64,
    pub committed: f64,
    pub messages_sent: f64,
    pub leader_changes: f64,
    pub time_without_leader: f64,
    pub requests: f64,
    pub answered: f64,
    /// Rule breaks in all the runs together (none in a correct protocol).
    pub violations: u32,
}

impl Mean {
    fn of(runs: &[Figures]) -> Mean {
        let n = runs.len().max(1) as f64;
        let avg = |f: &dyn Fn(&Figures) -> f64| runs.iter().map(f).sum::<f64>() / n;
        Mean {
            time: avg(&|r| r.time as f64),
            committed: avg(&|r| r.committed as f64),
            messages_sent: avg(&|r| r.messages_sent as f64),
            leader_changes: avg(&|r| r.leader_changes as f64),
            time_without_leader: avg(&|r| r.time_without_leader as f64),
            requests: avg(&|r| r.requests as f64),
            answered: avg(&|r| r.answered as f64),
            violations: runs.iter().map(|r| r.violations).sum(),
        }
    }
}

/// How the `--seeds` table writes one figure of a side.
type MeanCell = dyn Fn(&Mean) -> String;

/// A script run on each seed of a range in place of its own: a figure of one seed is one
/// draw of the timers, this is their mean.
pub struct OverSeeds {
    pub script: Script,
    pub workload: Workload,
    pub seeds: (u64, u64),
    pub multipaxos: Mean,
    pub raft: Mean,
}

/// Runs the script on every seed from `first` to `last` (both included).
pub fn over_seeds(script: &Script, workload: Workload, first: u64, last: u64) -> OverSeeds {
    let (mut mp, mut raft) = (Vec::new(), Vec::new());
    for seed in first..=last {
        let c = compare(
            &Script {
                seed,
                ..script.clone()
            },
            workload,
        );
        mp.push(c.multipaxos.last());
        raft.push(c.raft.last());
    }
    OverSeeds {
        script: script.clone(),
        workload,
        seeds: (first, last),
        multipaxos: Mean::of(&mp),
        raft: Mean::of(&raft),
    }
}

impl OverSeeds {
    /// The table `paxos-lab compare --seeds` prints.
    pub fn table(&self) -> String {
        let (a, b) = self.seeds;
        let mut s = format!(
            "{} servers, {} clients, {} workload, {} rounds{}: means over seeds {a} to {b} ({} runs each)\n",
            self.script.servers,
            self.script.clients,
            self.workload.name(),
            self.script.rounds,
            self.script.options_words(),
            b - a + 1
        );
        s += &format!("{:<46}{:>14}{:>14}\n", "", "Multi-Paxos", "Raft");
        let rows: [(&str, &MeanCell); 7] = [
            (ROWS[0][0], &|m| format!("{:.1}", m.time)),
            (ROWS[1][0], &|m| format!("{:.1}", m.committed)),
            (ROWS[2][0], &|m| format!("{:.1}", m.messages_sent)),
            (ROWS[4][0], &|m| format!("{:.2}", m.leader_changes)),
            (ROWS[5][0], &|m| format!("{:.1}", m.time_without_leader)),
            (ROWS[8][0], &|m| {
                format!("{:.1} / {:.1}", m.answered, m.requests)
            }),
            ("rule breaks (all runs)", &|m| m.violations.to_string()),
        ];
        for (name, cell) in rows {
            s += &format!(
                "{name:<46}{:>14}{:>14}\n",
                cell(&self.multipaxos),
                cell(&self.raft)
            );
        }
        s
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "servers": self.script.servers,
            "clients": self.script.clients,
            "rounds": self.script.rounds,
            "workload": self.workload.name(),
            "pre_vote": self.script.pre_vote,
            "check_quorum": self.script.check_quorum,
            "reads": self.script.reads.name(),
            "drift": self.script.drift,
            "seeds": [self.seeds.0, self.seeds.1],
            "multipaxos": self.multipaxos,
            "raft": self.raft,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(text: &str) -> Result<Script, FileError> {
        Script::parse(Path::new("s.ron"), text)
    }

    #[test]
    fn a_script_is_told_from_traces_and_lessons() {
        assert!(is_script("(servers: 3, faults: [])"));
        assert!(!is_script("(version: 2, config: (), actions: [])"));
        assert!(!is_script("(version: 1, id: \"x\", steps: [])"));
    }

    #[test]
    fn a_bad_script_is_refused_at_the_fault() {
        let e = script("(servers: 3, faults: [\n  (at: 5, do: Heal),\n  (at: 2, do: Heal),\n])")
            .unwrap_err();
        assert_eq!((e.line, e.col), (3, 3), "{e}");
        assert!(e.message.contains("comes before"), "{e}");
        let e = script("(servers: 3, faults: [(at: 5, do: Crash(\"S4\"))])").unwrap_err();
        assert!(e.message.contains("S4 is not one of the servers"), "{e}");
        let e = script("(faults: [(at: 5, do: Partition([]))])").unwrap_err();
        assert!(e.message.contains("some of the servers"), "{e}");
        let e = script("(faults: [(at: 5, do: Explode)])").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        assert!(script("").is_err());
    }

    #[test]
    fn the_same_script_gives_the_same_runs_and_the_leader_is_crashed_in_both() {
        let s = script(
            "(servers: 5, rounds: 400, faults: [(at: 60, do: CrashLeader), (at: 200, do: RestartAll)])",
        )
        .unwrap();
        let a = compare(&s, Workload::Mixed);
        let b = compare(&s, Workload::Mixed);
        assert_eq!(a.multipaxos.trace.to_ron(), b.multipaxos.trace.to_ron());
        assert_eq!(a.raft.trace.to_ron(), b.raft.trace.to_ron());
        // Per protocol: for each fault applied, whether it was one crash.
        let lone_crashes = [
            (
                a.multipaxos
                    .applied
                    .iter()
                    .map(|x| matches!(x.1[..], [Action::Crash(_)]))
                    .collect::<Vec<_>>(),
                "Multi-Paxos",
            ),
            (
                a.raft
                    .applied
                    .iter()
                    .map(|x| matches!(x.1[..], [Action::Crash(_)]))
                    .collect(),
                "Raft",
            ),
        ];
        for (crashes, name) in lone_crashes {
            assert_eq!(crashes.len(), 2, "{name}");
            assert!(crashes[0], "{name}: {crashes:?}");
        }
        for f in [a.multipaxos.last(), a.raft.last()] {
            assert!(f.committed > 0 && f.leader_changes >= 2, "{f:?}");
            assert_eq!(f.violations, 0);
        }
        assert_eq!(a.multipaxos.rounds.len(), 400);
    }
}
