//! The replicated key-value store that Multi-Paxos (and later Raft) keep consistent, and
//! everything around it that does not depend on the consensus protocol: the operations and their
//! results, the commands in the log, each replica's store with its exactly-once table, the
//! clients (one request at a time, retried with the same id, following redirects), a seeded
//! workload, and a linearizability checker for the clients' history.

pub mod canon;
pub mod config;
pub mod outcome;
pub mod views;

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::Value;
use crate::sim::cowvec::CowVec;
use crate::sim::ids::{MAX_PER_ROLE, NodeId, Role};
use crate::sim::protocol::{Outbox, Protocol, Refusal, Request, TimerOp};
use crate::sim::pvec::PQueue;
use crate::sim::rng::Rng;

/// A replicated store's cluster: servers `S1..Sn`, then clients `C1..Cm`, as Multi-Paxos and Raft
/// both run it.
pub const SERVER: Role = Role::new('S');
pub const CLIENT: Role = Role::new('C');

pub const fn server(index: u8) -> NodeId {
    NodeId::new(SERVER, index)
}
pub const fn client(index: u8) -> NodeId {
    NodeId::new(CLIENT, index)
}

/// Every node of a cluster of `servers` and `clients`, servers first.
pub fn roster(servers: u8, clients: u8) -> Vec<NodeId> {
    (1..=servers)
        .map(server)
        .chain((1..=clients).map(client))
        .collect()
}

/// The store protocols' opening requests: every client puts its own letter to `x` (the same
/// in each, so their runs compare).
pub fn opening_puts<M>(clients: u8) -> Vec<crate::sim::world::Action<Op, M>> {
    let x = Value::new("x").expect("a short key");
    (1..=clients)
        .map(|i| crate::sim::world::Action::Propose(client(i), Op::Put(x, Value::letter_for(i))))
        .collect()
}

/// Where `id` sits in that roster, if it is one of its nodes.
pub fn slot_of(servers: u8, clients: u8, id: NodeId) -> Option<usize> {
    match id.role {
        SERVER if (1..=servers).contains(&id.index) => Some(id.index as usize - 1),
        CLIENT if (1..=clients).contains(&id.index) => {
            Some(servers as usize + id.index as usize - 1)
        }
        _ => None,
    }
}

/// A store cluster's settings, as Multi-Paxos and Raft take them: counts, latency, timeout, and
/// each flaw at most once.
pub fn validate_cluster<F: PartialEq + Copy + fmt::Display>(
    servers: u8,
    clients: u8,
    latency: (u32, u32),
    timeout: u32,
    flaws: &[F],
    byzantine: &[NodeId],
) -> Result<(), String> {
    if !(1..=MAX_PER_ROLE).contains(&servers) {
        return Err(format!(
            "servers: between 1 and {MAX_PER_ROLE}, not {}",
            servers
        ));
    }
    if clients > MAX_PER_ROLE {
        return Err(format!("clients: at most {MAX_PER_ROLE}, not {}", clients));
    }
    let (lo, hi) = latency;
    if lo > hi || hi > 1_000_000 {
        return Err(format!(
            "latency: a range (low, high) with low <= high <= 1000000, not ({lo}, {hi})"
        ));
    }
    if !(3..=1_000_000).contains(&timeout) {
        return Err(format!(
            "timeout: between 3 and 1000000 ticks, not {}",
            timeout
        ));
    }
    let mut seen = Vec::new();
    for f in flaws {
        if seen.contains(f) {
            return Err(format!("flaws: `{}` is listed twice", f));
        }
        seen.push(*f);
    }
    let roster: Vec<NodeId> = (1..=servers)
        .map(server)
        .chain((1..=clients).map(client))
        .collect();
    crate::protocols::byzantine::check(byzantine, &roster, |id| {
        (id.role == CLIENT).then_some("clients are trusted here; only servers may lie")
    })
}

/// Whether a lying server could send `msg` to `to` at all, in a store protocol: a reply or a
/// redirect to a client, any protocol message to another server, never a client's request.
pub fn check_server_lie<M: WithClientMsg + fmt::Display>(
    from: NodeId,
    to: NodeId,
    msg: &M,
) -> Result<(), String> {
    let fits = from.role == SERVER
        && match msg.client_msg() {
            Some(ClientMsg::Reply { .. } | ClientMsg::Redirect { .. }) => to.role == CLIENT,
            Some(ClientMsg::Request { .. }) => false,
            None => to.role == SERVER,
        };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "{from} cannot send {msg} to {to}: no server sends that message to that node"
        ))
    }
}

/// A protocol under the store: how its clients' effects become its own notes and messages.
pub trait StoreProtocol: Protocol<Request = Op> {
    fn invoked(seq: u32, op: Op) -> Self::Note;
    fn returned(seq: u32, output: Output) -> Self::Note;
    fn client_msg(msg: ClientMsg) -> Self::Msg;
    /// How long a client waits for an answer before asking the next server.
    fn client_wait(&self) -> TimerOp;
}

/// The actions that cut every link between a node `side` picks and one it does not, among the
/// nodes `among` picks (clients only talk to servers: a client-client pair is not a link); links
/// already cut are left alone. The workspace's partition gesture and `compare`'s `Partition`.
pub fn split_actions<P: Protocol>(
    world: &crate::sim::World<P>,
    side: &dyn Fn(NodeId) -> bool,
    among: &dyn Fn(NodeId) -> bool,
) -> Vec<crate::sim::world::ActionOf<P>> {
    let ids: Vec<NodeId> = world
        .nodes()
        .iter()
        .map(|s| s.id)
        .filter(|&id| among(id))
        .collect();
    let mut out = Vec::new();
    for &a in ids.iter().filter(|&&id| side(id)) {
        for &b in ids.iter().filter(|&&id| !side(id)) {
            let is_link = a.role != CLIENT || b.role != CLIENT;
            if is_link && !world.network().is_cut(a, b) {
                out.push(crate::sim::Action::CutLink(a, b));
            }
        }
    }
    out
}

/// The actions that mend every cut link.
pub fn heal_actions<P: Protocol>(
    world: &crate::sim::World<P>,
) -> Vec<crate::sim::world::ActionOf<P>> {
    world
        .network()
        .cut_links()
        .iter()
        .map(|&(a, b)| crate::sim::Action::HealLink(a, b))
        .collect()
}

/// Puts what a client's handler wants done into the protocol's outbox.
pub fn client_effects<P: StoreProtocol>(p: &P, fx: ClientEffects, out: &mut Outbox<P>) {
    if let Some((seq, op)) = fx.invoked {
        out.note(P::invoked(seq, op));
    }
    if let Some((seq, output)) = fx.returned {
        out.note(P::returned(seq, output));
    }
    if let Some((s, msg)) = fx.send {
        out.send(server(s), P::client_msg(msg));
    }
    match fx.timer {
        Some(true) => out.timer = Some(p.client_wait()),
        Some(false) => out.timer = Some(TimerOp::Stop),
        None => {}
    }
}

/// What a client asks of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    Put(Value, Value),
    Get(Value),
    /// Compare and set: `(key, expected, new)`.
    Cas(Value, Value, Value),
    /// Add server `Sn` to the configuration (Raft's single-server change, through the log). It
    /// changes no key, and returns `Ok` whether or not `Sn` was a member already.
    AddServer(u8),
    /// Remove server `Sn` from the configuration (likewise).
    RemoveServer(u8),
}

impl Op {
    /// The key a store operation reads or writes; `None` for a configuration change.
    pub fn key(&self) -> Option<Value> {
        match *self {
            Op::Put(k, _) | Op::Get(k) | Op::Cas(k, _, _) => Some(k),
            Op::AddServer(_) | Op::RemoveServer(_) => None,
        }
    }

    /// The operation's name as histories spell it.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Put(..) => "put",
            Op::Get(..) => "get",
            Op::Cas(..) => "cas",
            Op::AddServer(..) => "add",
            Op::RemoveServer(..) => "remove",
        }
    }

    /// The server a configuration change adds (`Some((n, true))`) or removes (`false`).
    pub fn change(&self) -> Option<(u8, bool)> {
        match *self {
            Op::AddServer(n) => Some((n, true)),
            Op::RemoveServer(n) => Some((n, false)),
            _ => None,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Op::Put(k, v) => write!(f, "put {k}={v}"),
            Op::Get(k) => write!(f, "get {k}"),
            Op::Cas(k, e, v) => write!(f, "cas {k}:{e}->{v}"),
            Op::AddServer(n) => write!(f, "add S{n}"),
            Op::RemoveServer(n) => write!(f, "remove S{n}"),
        }
    }
}

impl Request for Op {
    fn fmt_arg(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Op::Put(k, v) => write!(f, "Put(\"{k}\", \"{v}\")"),
            Op::Get(k) => write!(f, "Get(\"{k}\")"),
            Op::Cas(k, e, v) => write!(f, "Cas(\"{k}\", \"{e}\", \"{v}\")"),
            Op::AddServer(n) => write!(f, "AddServer({n})"),
            Op::RemoveServer(n) => write!(f, "RemoveServer({n})"),
        }
    }
}

/// What an operation returned.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Output {
    /// A put, or a cas that matched.
    Ok,
    /// A cas that did not match.
    Fail,
    /// A get: the value, or `None` for a missing key.
    Got(Option<Value>),
}

impl Output {
    /// As the history in `--json` spells it: `"ok"`, `"fail"`, the value, or `null`.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Output::Ok => "ok".into(),
            Output::Fail => "fail".into(),
            Output::Got(Some(v)) => v.as_str().into(),
            Output::Got(None) => serde_json::Value::Null,
        }
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Output::Ok => f.write_str("ok"),
            Output::Fail => f.write_str("fail"),
            Output::Got(Some(v)) => write!(f, "\"{v}\""),
            Output::Got(None) => f.write_str("none"),
        }
    }
}

/// A client's request as the log holds it: who asked, their sequence number (the id a retry
/// reuses) and the operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Command {
    /// The client's number (C1 is 1).
    pub client: u8,
    pub seq: u32,
    pub op: Op,
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "C{}.{} {}", self.client, self.seq, self.op)
    }
}

/// One slot's worth of the log: a client's command, or a no-op that fills a hole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Entry {
    Noop,
    Cmd(Command),
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Entry::Noop => f.write_str("no-op"),
            Entry::Cmd(c) => write!(f, "{}", c.op),
        }
    }
}

impl crate::sim::words::Localized for Entry {
    fn en(&self) -> String {
        self.to_string()
    }
    fn zh(&self) -> String {
        match self {
            Entry::Noop => "空操作".into(),
            Entry::Cmd(c) => c.op.to_string(),
        }
    }
}

/// A replica's state machine: the keys and values, and for each client the last request it
/// executed with its result, so a retry is answered, not executed again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Store {
    pub kv: BTreeMap<Value, Value>,
    /// `done[c - 1]`: client `c`'s highest executed sequence number and what it returned.
    pub done: Vec<(u32, Output)>,
    /// The configuration changes applied so far (Raft's membership, as a snapshot keeps it).
    pub config: ConfigChanges,
}

/// The servers configuration changes added and removed, relative to the initial configuration
/// (bit `n - 1` for `Sn`). Hashed only once there is one, so older runs' hashes stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConfigChanges {
    pub added: u64,
    pub removed: u64,
}

impl std::hash::Hash for ConfigChanges {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        if *self != ConfigChanges::default() {
            self.added.hash(h);
            self.removed.hash(h);
        }
    }
}

impl ConfigChanges {
    /// Records one change (`add`: `Sn` joins; else it leaves). A server number outside S1..S64
    /// changes nothing.
    pub fn record(&mut self, (n, add): (u8, bool)) {
        let Some(bit) = (n as u32).checked_sub(1).and_then(|i| 1u64.checked_shl(i)) else {
            return;
        };
        if add {
            self.added |= bit;
            self.removed &= !bit;
        } else {
            self.removed |= bit;
            self.added &= !bit;
        }
    }

    /// The configuration these changes make of `initial`.
    pub fn of(&self, initial: u64) -> u64 {
        (initial | self.added) & !self.removed
    }

    /// `members` after one more change.
    pub fn step(members: u64, change: (u8, bool)) -> u64 {
        let mut one = ConfigChanges::default();
        one.record(change);
        one.of(members)
    }
}

/// What applying one log entry did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applied {
    pub output: Option<Output>,
    /// Whether the operation ran (false for a no-op or a retry the table answered).
    pub executed: bool,
}

impl Store {
    /// The result an earlier execution of this request gave, if the table has it.
    pub fn answered(&self, client: u8, seq: u32) -> Option<Output> {
        match self.done.get(client as usize - 1) {
            Some(&(s, out)) if s == seq => Some(out),
            _ => None,
        }
    }

    /// Whether the table says this request (or a later one of its client) already ran.
    pub fn has_run(&self, client: u8, seq: u32) -> bool {
        self.done
            .get(client as usize - 1)
            .is_some_and(|&(s, _)| s >= seq)
    }

    /// Runs an operation on the keys alone (no table), as the specification does.
    pub fn run(kv: &mut BTreeMap<Value, Value>, op: Op) -> Output {
        match op {
            Op::Put(k, v) => {
                kv.insert(k, v);
                Output::Ok
            }
            Op::Get(k) => Output::Got(kv.get(&k).copied()),
            Op::Cas(k, e, v) => {
                if kv.get(&k) == Some(&e) {
                    kv.insert(k, v);
                    Output::Ok
                } else {
                    Output::Fail
                }
            }
            // The configuration is the servers' business, not the store's.
            Op::AddServer(_) | Op::RemoveServer(_) => Output::Ok,
        }
    }

    /// Applies one entry. A request the table has seen is answered from it unless `dedup` is off
    /// (the `no-dedup` flaw).
    pub fn apply(&mut self, entry: Entry, dedup: bool) -> Applied {
        let Entry::Cmd(c) = entry else {
            return Applied {
                output: None,
                executed: false,
            };
        };
        let i = c.client as usize - 1;
        if self.done.len() <= i {
            self.done.resize(i + 1, (0, Output::Ok));
        }
        if dedup && self.done[i].0 >= c.seq {
            return Applied {
                output: (self.done[i].0 == c.seq).then_some(self.done[i].1),
                executed: false,
            };
        }
        let output = Store::run(&mut self.kv, c.op);
        if let Some(change) = c.op.change() {
            self.config.record(change);
        }
        if c.seq >= self.done[i].0 {
            self.done[i] = (c.seq, output);
        }
        Applied {
            output: Some(output),
            executed: true,
        }
    }
}

/// What a client sends and receives, whatever protocol the servers run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ClientMsg {
    Request {
        seq: u32,
        op: Op,
    },
    Reply {
        seq: u32,
        output: Output,
    },
    /// "I do not lead; try this server" (its number), or no hint.
    Redirect {
        seq: u32,
        leader: Option<u8>,
    },
}

/// Without its envelope a message does not say whose request it is: the request number alone.
impl fmt::Display for ClientMsg {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.words(None))
    }
}

/// A client's request as people name it: `C1.2`, the client and its request number (a `#`
/// is a message id, a slot is `slot 2`, a log index `[2]`).
pub fn request_name(client: Option<u8>, seq: u32) -> String {
    match client {
        Some(c) => format!("C{c}.{seq}"),
        None => format!("request {seq}"),
    }
}

/// The client a client message concerns: the one it comes from (a request) or goes to.
pub fn client_of<M>(env: &crate::sim::network::Envelope<M>) -> Option<u8> {
    [env.src, env.dst]
        .into_iter()
        .find(|n| n.role == CLIENT)
        .map(|n| n.index)
}

/// A store protocol's message, which may be a client's.
pub trait WithClientMsg {
    fn client_msg(&self) -> Option<&ClientMsg>;
}

/// A store protocol's message in words, a client's request named by its client (`C1.2`).
pub fn message_words<M: WithClientMsg + fmt::Display>(
    env: &crate::sim::network::Envelope<M>,
) -> String {
    match env.msg.client_msg() {
        Some(c) => c.words(client_of(env)),
        None => env.msg.to_string(),
    }
}

/// A store protocol's message label for crowded views, a client's named by its client.
pub fn message_label<M: WithClientMsg>(
    env: &crate::sim::network::Envelope<M>,
    short_label: impl Fn(&M) -> String,
) -> String {
    match env.msg.client_msg() {
        Some(c) => c.label(client_of(env)),
        None => short_label(&env.msg),
    }
}

impl ClientMsg {
    /// The message in words, its request named by `client` when known (`Request(C1.2: put
    /// x=1)`).
    pub fn words(&self, client: Option<u8>) -> String {
        match self {
            ClientMsg::Request { seq, op } => {
                format!("Request({}: {op})", request_name(client, *seq))
            }
            ClientMsg::Reply { seq, output } => {
                format!("Reply({}: {output})", request_name(client, *seq))
            }
            ClientMsg::Redirect {
                seq,
                leader: Some(l),
            } => format!("Redirect({} to S{l})", request_name(client, *seq)),
            ClientMsg::Redirect { seq, leader: None } => {
                format!("Redirect({})", request_name(client, *seq))
            }
        }
    }

    /// The message's label for crowded views (`Req C1.2 put x=1`).
    pub fn label(&self, client: Option<u8>) -> String {
        match self {
            ClientMsg::Request { seq, op } => format!("Req {} {op}", request_name(client, *seq)),
            ClientMsg::Reply { seq, output } => {
                format!("Rep {} {output}", request_name(client, *seq))
            }
            ClientMsg::Redirect {
                leader: Some(l), ..
            } => format!("Redir S{l}"),
            ClientMsg::Redirect { leader: None, .. } => "Redir".to_string(),
        }
    }
}

/// The most requests a client holds waiting; one more is refused.
pub const MAX_WAITING: usize = 10_000;

/// A client: it runs its requests one at a time, in the order it was given them. Its state is
/// durable (a client library that writes its next id to disk), so a restart resends the request
/// in progress rather than starting a second one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Client {
    /// Requests given but not started, oldest first.
    pub queue: PQueue<Op>,
    /// The request in progress.
    pub current: Option<(u32, Op)>,
    /// The last sequence number used.
    pub seq: u32,
    /// The server it believes leads (1-based).
    pub leader: u8,
    /// The server a timeout tries next: timeouts walk round every server whatever the redirects
    /// say, so a stale hint cannot keep a client away from the one that now leads.
    pub probe: u8,
}

/// What a client's handler wants done.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientEffects {
    /// To server number (1-based), a request.
    pub send: Option<(u8, ClientMsg)>,
    pub invoked: Option<(u32, Op)>,
    pub returned: Option<(u32, Output)>,
    /// Start (true) or stop (false) the retry timer.
    pub timer: Option<bool>,
}

impl Client {
    pub fn new() -> Self {
        Client {
            leader: 1,
            probe: 1,
            ..Client::default()
        }
    }

    /// Starts the next queued request if none is in progress (a protocol's own client logic
    /// calls it once it accepts a result).
    pub fn start_next(&mut self, fx: &mut ClientEffects) {
        self.next(fx);
    }

    /// Starts the next queued request if none is in progress.
    fn next(&mut self, fx: &mut ClientEffects) {
        if self.current.is_some() || self.queue.is_empty() {
            return;
        }
        let Some(op) = self.queue.pop_front() else {
            return;
        };
        self.seq += 1;
        self.current = Some((self.seq, op));
        fx.invoked = Some((self.seq, op));
        fx.send = Some((self.leader, ClientMsg::Request { seq: self.seq, op }));
        fx.timer = Some(true);
    }

    /// A request handed to client `id`, refused when its queue is full.
    pub fn take(&mut self, id: NodeId, op: Op) -> Result<ClientEffects, Refusal> {
        if !self.has_room() {
            return Err(format!("{id} already has {MAX_WAITING} requests waiting"));
        }
        Ok(self.on_request(op))
    }

    /// Whether it takes one more request (fewer than `MAX_WAITING` wait).
    pub fn has_room(&self) -> bool {
        self.queue.len() < MAX_WAITING
    }

    /// How many requests it has been given so far (the workload's index of the next one).
    pub fn given(&self) -> u32 {
        self.seq + self.queue.len() as u32 + self.current.is_some() as u32
    }

    pub fn on_request(&mut self, op: Op) -> ClientEffects {
        let mut fx = ClientEffects::default();
        self.queue.push_back(op);
        self.next(&mut fx);
        fx
    }

    pub fn on_message(&mut self, servers: u8, from: u8, msg: ClientMsg) -> ClientEffects {
        let mut fx = ClientEffects::default();
        let Some((seq, op)) = self.current else {
            return fx;
        };
        match msg {
            ClientMsg::Reply { seq: s, output } if s == seq => {
                self.current = None;
                self.leader = from;
                fx.returned = Some((seq, output));
                fx.timer = Some(false);
                self.next(&mut fx);
            }
            ClientMsg::Redirect { seq: s, leader } if s == seq => {
                self.leader = match leader {
                    Some(l) if l != from => l,
                    _ => from % servers + 1,
                };
                fx.send = Some((self.leader, ClientMsg::Request { seq, op }));
                fx.timer = Some(true);
            }
            _ => {}
        }
        fx
    }

    /// No answer in time: the same request (same id) to the next server.
    pub fn on_timeout(&mut self, servers: u8) -> ClientEffects {
        let mut fx = ClientEffects::default();
        if let Some((seq, op)) = self.current {
            self.probe = self.probe % servers + 1;
            self.leader = self.probe;
            fx.send = Some((self.leader, ClientMsg::Request { seq, op }));
            fx.timer = Some(true);
        }
        fx
    }

    /// Back after a crash: resend the request in progress.
    pub fn on_restart(&mut self) -> ClientEffects {
        let mut fx = ClientEffects::default();
        if let Some((seq, op)) = self.current {
            fx.send = Some((self.leader, ClientMsg::Request { seq, op }));
            fx.timer = Some(true);
        }
        fx
    }
}

/// Which operations a seeded workload draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Workload {
    /// Puts, gets and compare-and-sets over a few keys.
    #[default]
    Mixed,
    /// Every client puts its own value to one key, then gets it (Stateright's `paxos check`).
    PutGet,
}

impl Workload {
    pub const ALL: [Workload; 2] = [Workload::Mixed, Workload::PutGet];

    pub fn is_mixed(&self) -> bool {
        *self == Workload::Mixed
    }

    pub fn name(self) -> &'static str {
        match self {
            Workload::Mixed => "mixed",
            Workload::PutGet => "put-get",
        }
    }

    pub fn parse(s: &str) -> Result<Workload, String> {
        match s {
            "mixed" => Ok(Workload::Mixed),
            "put-get" => Ok(Workload::PutGet),
            _ => Err(format!("`{s}`: the workloads are mixed and put-get")),
        }
    }

    /// `ops` operations for client `client` (1-based), drawn from `seed`.
    pub fn ops(self, seed: u64, client: u8, ops: u32) -> Vec<Op> {
        (0..ops).map(|i| self.op(seed, client, i)).collect()
    }

    /// Client `client`'s `i`-th operation (from 0): each drawn on its own, so the auto-scheduler
    /// can ask for the next one without drawing all before it.
    pub fn op(self, seed: u64, client: u8, i: u32) -> Op {
        let v = |s: &str| Value::new(s).expect("a short literal");
        let mine = Value::letter_for(client);
        match self {
            Workload::PutGet if i.is_multiple_of(2) => Op::Put(v("x"), mine),
            Workload::PutGet => Op::Get(v("x")),
            Workload::Mixed => {
                let mut rng = Rng::new(
                    seed ^ (0xC11E_0000 + client as u64) ^ (i as u64).wrapping_mul(0x9E37_79B9),
                );
                let key = if rng.below(2) == 0 { v("x") } else { v("y") };
                let numbered = |n: u32| Value::new(&format!("{mine}{n}")).unwrap_or(mine);
                match rng.below(10) {
                    0..=3 => Op::Put(key, numbered(i + 1)),
                    4..=7 => Op::Get(key),
                    // Succeeds if the client's own last value is still there.
                    _ => Op::Cas(key, numbered(i), numbered(i + 1)),
                }
            }
        }
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Workload {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Workload::parse(s)
    }
}
crate::sim::ids::serde_as_string!(Workload, "a workload name: \"mixed\" or \"put-get\"");

/// One request in the clients' history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HistoryOp {
    pub client: u8,
    pub seq: u32,
    pub op: Op,
    pub invoke: u64,
    /// The step its answer arrived, and the answer; `None` while it is pending.
    pub ret: Option<(u64, Output)>,
    /// For each client, how many of its requests had returned when this one was invoked: those
    /// must take effect before this one (the real-time order).
    pub after: Vec<u32>,
}

/// Every client's requests, in invocation order. Kept in shared chunks, so that the copies a
/// long run's checkpoints hold share all but the newest requests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct History {
    ops: CowVec<Option<HistoryOp>>,
    len: usize,
    /// For each client, how many of its requests have returned.
    pub returned: Vec<u32>,
    /// For each client, where its requests are in `ops`: the checker looks up a client's next
    /// request without walking the history, however long ago its last one was invoked.
    by_client: Vec<ClientRequests>,
}

/// One client's requests as indices into the history, after the `unlisted` ones a rebuilt
/// history leaves out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct ClientRequests {
    unlisted: u32,
    listed: u32,
    at: CowVec<u32>,
}

impl History {
    pub fn new(clients: usize) -> Self {
        History {
            returned: vec![0; clients],
            by_client: vec![ClientRequests::default(); clients],
            ..History::default()
        }
    }

    /// A history of these requests, after `returned_before` returned requests per client that
    /// are no longer listed (the explorer rebuilds one from its canonical form).
    pub fn from_ops(returned_before: Vec<u32>, ops: Vec<HistoryOp>) -> Self {
        let mut h = History::new(returned_before.len());
        for (c, &n) in h.by_client.iter_mut().zip(&returned_before) {
            c.unlisted = n;
        }
        h.returned = returned_before;
        for o in ops {
            let returned = o.ret.is_some();
            let client = o.client;
            h.push(o);
            if returned {
                h.returned[client as usize - 1] += 1;
            }
        }
        h
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `i`-th request (in invocation order).
    pub fn op(&self, i: usize) -> &HistoryOp {
        self.ops
            .get(i)
            .and_then(Option::as_ref)
            .expect("an index below len()")
    }

    pub fn ops(&self) -> impl Iterator<Item = &HistoryOp> {
        self.ops.iter().take(self.len).flatten()
    }

    /// How many of client `c`'s (counting from 0) first requests a rebuilt history leaves out.
    pub fn unlisted(&self, c: usize) -> u32 {
        self.by_client.get(c).map_or(0, |r| r.unlisted)
    }

    /// Where client `c`'s (counting from 0) `k`-th request (counting from 0) is, if listed.
    pub fn nth_of_client(&self, c: usize, k: u32) -> Option<usize> {
        let r = self.by_client.get(c)?;
        let j = k.checked_sub(r.unlisted)?;
        (j < r.listed).then(|| *r.at.get(j as usize).expect("listed") as usize)
    }

    fn push(&mut self, o: HistoryOp) {
        let c = o.client as usize - 1;
        if self.returned.len() <= c {
            self.returned.resize(c + 1, 0);
        }
        if self.by_client.len() <= c {
            self.by_client.resize(c + 1, ClientRequests::default());
        }
        let r = &mut self.by_client[c];
        *r.at.get_mut(r.listed as usize) = self.len as u32;
        r.listed += 1;
        *self.ops.get_mut(self.len) = Some(o);
        self.len += 1;
    }

    pub fn invoke(&mut self, client: u8, seq: u32, op: Op, step: u64) {
        let i = client as usize - 1;
        if self.returned.len() <= i {
            self.returned.resize(i + 1, 0);
        }
        let after = self.returned.clone();
        self.push(HistoryOp {
            client,
            seq,
            op,
            invoke: step,
            ret: None,
            after,
        });
    }

    pub fn complete(&mut self, client: u8, seq: u32, output: Output, step: u64) {
        let c = client as usize - 1;
        let Some(r) = self.by_client.get(c) else {
            return;
        };
        // A client's pending request is its latest one.
        let found = (0..r.listed)
            .rev()
            .map(|j| *r.at.get(j as usize).expect("listed") as usize)
            .find(|&i| {
                let o = self.op(i);
                o.seq == seq && o.ret.is_none()
            });
        if let Some(i) = found
            && let Some(o) = self.ops.get_mut(i)
        {
            o.ret = Some((step, output));
            self.returned[c] += 1;
        }
    }
}

/// Whether a history is linearizable, and if not, how far it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Linearization {
    /// An order of the history's requests (indices into `ops`) consistent with real time and
    /// with a single store; pending requests appear only if they took effect.
    Linearizable(Vec<usize>),
    NotLinearizable {
        /// The longest order found that explains some of the returned requests.
        prefix: Vec<usize>,
        /// A returned request that no order could place next, and why in a sentence.
        culprit: usize,
        /// In English, and in Chinese.
        why: String,
        why_zh: String,
    },
    /// The search ran out of its budget (`MAX_SEARCH` states) before it found an order or ruled
    /// every one out: no verdict either way (many clients with many requests in flight at once).
    Undecided,
}

impl Linearization {
    pub fn is_ok(&self) -> bool {
        matches!(self, Linearization::Linearizable(_))
    }
}

/// The most search states the checker visits before giving up: it then says it could not
/// decide, never that the history is or is not linearizable.
const MAX_SEARCH: usize = 2_000_000;

/// Wing and Gong's search (with the memoisation of Lowe's variant): place, one at a time, a request
/// whose real-time predecessors are all placed and whose recorded answer the store would give at
/// that point; a pending request may be placed or left out. Each client's requests are placed in
/// its own order, so a state is a count per client plus the store.
pub fn check(history: &History) -> Linearization {
    let start = Settled::start_of(history);
    match search(history, &start) {
        Found::Order(order) => Linearization::Linearizable(order),
        Found::OutOfBudget => Linearization::Undecided,
        Found::Stuck(stuck) => {
            let [why, why_zh] = stuck.explain(history, &start);
            Linearization::NotLinearizable {
                culprit: stuck.culprit(history),
                prefix: stuck.best,
                why,
                why_zh,
            }
        }
    }
}

/// What a long run's checker keeps between answers, so that each check looks only at requests
/// still open: the requests every linearization places first, and the placements a
/// linearization can be in right after it has placed them.
///
/// Why this is enough: every request that has returned must be placed before any request
/// invoked later, so once all returned requests are placed nothing still to come can have
/// been placed. At that point a linearization has placed the returned requests and perhaps some
/// pending ones (each client's pending request is its latest); a placement records the store
/// it leaves and, for each pending request it placed, the answer that request gave there. So
/// every linearization of the history, however it goes on, passes through one of `states`, and
/// each of them is reached by a valid order. A pending request's recorded answer is checked
/// when its real answer arrives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Settled {
    /// Per client, how many of its requests every placement has placed (each has returned).
    pub counts: Vec<u32>,
    pub states: Vec<Placement>,
}

/// One way the settled requests can have been ordered: the store they leave, and per client
/// the answer its pending request gave if this order placed it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Placement {
    pub kv: BTreeMap<Value, Value>,
    pub guesses: Vec<Option<Output>>,
}

/// The most placements the settled requests may leave before the checker stops settling (and
/// searches from the placements it has instead).
const MAX_SETTLED_STATES: usize = 256;

impl Settled {
    pub fn new(clients: usize) -> Self {
        Settled {
            counts: vec![0; clients],
            states: vec![Placement {
                kv: BTreeMap::new(),
                guesses: vec![None; clients],
            }],
        }
    }

    /// Nothing settled beyond what `history` no longer lists.
    fn start_of(history: &History) -> Self {
        let mut s = Settled::new(history.by_client.len());
        for (n, r) in s.counts.iter_mut().zip(&history.by_client) {
            *n = r.unlisted;
        }
        s
    }

    /// The first request some placement has not placed: every request before it is settled.
    pub fn upto(&self, history: &History) -> usize {
        (0..history.by_client.len())
            .filter_map(|c| history.nth_of_client(c, self.count(c)))
            .min()
            .unwrap_or(history.len())
    }

    fn count(&self, c: usize) -> u32 {
        self.counts.get(c).copied().unwrap_or(0)
    }
}

/// Whether the history is linearizable, searching only after the settled requests; `None` when
/// the search ran out of its budget before it could tell.
pub fn linearizable_after(history: &History, settled: &Settled) -> Option<bool> {
    match search(history, settled) {
        Found::Order(_) => Some(true),
        Found::OutOfBudget => None,
        Found::Stuck(_) => Some(false),
    }
}

/// What a store protocol's monitor does when an answer arrives: checks the history after the
/// settled requests and settles what it can, or returns the violation's sentences (English and
/// Chinese) the first time the history cannot be linearized. A violation is reported once, and
/// a search that ran out of its budget marks the history undecided: no verdict, and no more
/// searches (each would start from the same placements and run out again).
pub fn check_answer(
    history: &History,
    settled: &mut Settled,
    linearizable: &mut bool,
    undecided: &mut bool,
) -> Option<[String; 2]> {
    if !*linearizable || *undecided {
        return None;
    }
    match search(history, settled) {
        Found::Order(_) => settle(history, settled),
        Found::Stuck(stuck) => {
            *linearizable = false;
            return Some(stuck.explain(history, settled));
        }
        Found::OutOfBudget => *undecided = true,
    }
    None
}

/// Settles every request that has returned: replaces the placements with those a linearization
/// can be in once it has placed them all (see `Settled`), unless there are too many to keep.
pub fn settle(history: &History, settled: &mut Settled) {
    let rest = Rest::of(history, settled);
    // Each client's requests after its first pending one are left open; ours never make any
    // (a client retries its request until it is answered), and settling past one would need a
    // placement to remember more than one answer per client.
    if rest
        .per_client
        .iter()
        .zip(&rest.must)
        .any(|(ops, &m)| ops.len() > m + 1)
    {
        return;
    }
    let mut walk = Walk::new(history, settled, &rest, true);
    let mut ends: Vec<Placement> = Vec::new();
    let mut too_many = false;
    for start in &settled.states {
        let Some(progress) = rest.start(history, start) else {
            continue;
        };
        let outcome = walk.run(progress, start.clone(), &mut |progress, placement| {
            let guesses = (0..rest.must.len())
                .map(|c| {
                    let beyond = progress[c] > rest.must[c];
                    placement
                        .guesses
                        .get(c)
                        .copied()
                        .flatten()
                        .filter(|_| beyond)
                })
                .collect();
            let end = Placement {
                kv: placement.kv.clone(),
                guesses,
            };
            if !ends.contains(&end) {
                ends.push(end);
            }
            too_many = ends.len() > MAX_SETTLED_STATES;
            too_many
        });
        if outcome != Walked::Exhausted || too_many {
            return;
        }
    }
    if ends.is_empty() {
        return;
    }
    ends.sort();
    let clients = rest.must.len();
    *settled = Settled {
        counts: (0..clients)
            .map(|c| settled.count(c) + rest.must[c] as u32)
            .collect(),
        states: ends,
    };
}

/// The requests after the settled ones: per client their indices, and how many of them (those
/// before its first pending one) every order must place.
struct Rest {
    per_client: Vec<Vec<usize>>,
    must: Vec<usize>,
}

impl Rest {
    fn of(history: &History, settled: &Settled) -> Self {
        let clients = settled.counts.len().max(history.by_client.len());
        let per_client: Vec<Vec<usize>> = (0..clients)
            .map(|c| {
                (settled.count(c)..)
                    .map_while(|k| history.nth_of_client(c, k))
                    .collect()
            })
            .collect();
        let must = per_client
            .iter()
            .map(|ops| {
                ops.iter()
                    .take_while(|&&i| history.op(i).ret.is_some())
                    .count()
            })
            .collect();
        Rest { per_client, must }
    }

    /// How far each client's requests are placed in `start`, or `None` if a request it placed
    /// while pending has since returned another answer than the one it gave there.
    fn start(&self, history: &History, start: &Placement) -> Option<Vec<usize>> {
        (0..self.must.len())
            .map(|c| match start.guesses.get(c).copied().flatten() {
                None => Some(0),
                Some(guess) => {
                    let i = *self.per_client[c].first()?;
                    match history.op(i).ret {
                        Some((_, answer)) if answer != guess => None,
                        _ => Some(1),
                    }
                }
            })
            .collect()
    }

    fn done(&self, progress: &[usize]) -> bool {
        progress.iter().zip(&self.must).all(|(p, m)| p >= m)
    }
}

/// How a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Walked {
    /// Its callback asked it to stop.
    Stopped,
    /// Every order from its start was tried.
    Exhausted,
    OutOfBudget,
}

/// The orders' states a search has been to: how far each client's requests are placed, and the
/// placement they leave. Hashed with FNV rather than std's SipHash (keys are small, and nothing
/// here faces untrusted input that could aim collisions at it); the keys are kept whole, so a
/// collision costs a comparison, never a state wrongly taken as seen.
type Seen =
    HashSet<(Vec<usize>, Placement), std::hash::BuildHasherDefault<crate::sim::hash::StableHasher>>;

/// A depth-first walk over valid orders of the requests after the settled ones, with an
/// explicit stack (a history can hold tens of thousands of requests, deeper than a thread's
/// stack could recurse). Shared by every search it runs, so no state is expanded twice.
struct Walk<'a> {
    history: &'a History,
    settled: &'a Settled,
    rest: &'a Rest,
    /// Whether placements record the answers pending requests gave (settling needs them; a
    /// search only needs to know whether an order exists, and merges more states without).
    keep_guesses: bool,
    seen: Seen,
    visits: usize,
    /// The order being extended, and the longest one any walk reached.
    path: Vec<usize>,
    best: Vec<usize>,
    /// The start `best` grew from.
    best_start: Option<Placement>,
}

/// One placement on the walk's stack: the client whose request led to it, and the next client
/// to try from it.
struct Frame {
    placement: Placement,
    via: Option<usize>,
    next: usize,
}

impl<'a> Walk<'a> {
    fn new(history: &'a History, settled: &'a Settled, rest: &'a Rest, keep_guesses: bool) -> Self {
        Walk {
            history,
            settled,
            rest,
            keep_guesses,
            seen: Seen::default(),
            visits: 0,
            path: Vec::new(),
            best: Vec::new(),
            best_start: None,
        }
    }

    /// Walks the orders from `start` (with `progress` requests of each client placed), calling
    /// `reached` at each state where every request that must be placed is (and going no
    /// further from it); stops when `reached` returns true. `path` then holds the order.
    fn run(
        &mut self,
        mut progress: Vec<usize>,
        mut start: Placement,
        reached: &mut dyn FnMut(&[usize], &Placement) -> bool,
    ) -> Walked {
        if !self.keep_guesses {
            start.guesses.iter_mut().for_each(|g| *g = None);
        }
        start.guesses.resize(self.rest.must.len(), None);
        self.path.clear();
        if self.best_start.is_none() {
            self.best_start = Some(start.clone());
        }
        if self.rest.done(&progress) {
            return if reached(&progress, &start) {
                Walked::Stopped
            } else {
                Walked::Exhausted
            };
        }
        if !self.enter(&progress, &start) {
            return self.exhausted_or_out();
        }
        let origin = start.clone();
        let mut stack = vec![Frame {
            placement: start,
            via: None,
            next: 0,
        }];
        while let Some(top) = stack.last_mut() {
            let Some((c, i, next)) = self.next_child(top, &progress) else {
                if self.path.len() > self.best.len() {
                    self.best = self.path.clone();
                    self.best_start = Some(origin.clone());
                }
                if let Some(c) = stack.pop().and_then(|f| f.via) {
                    self.path.pop();
                    progress[c] -= 1;
                }
                continue;
            };
            progress[c] += 1;
            self.path.push(i);
            if self.rest.done(&progress) {
                if reached(&progress, &next) {
                    return Walked::Stopped;
                }
            } else if self.enter(&progress, &next) {
                stack.push(Frame {
                    placement: next,
                    via: Some(c),
                    next: 0,
                });
                continue;
            } else if self.visits > MAX_SEARCH {
                return Walked::OutOfBudget;
            }
            self.path.pop();
            progress[c] -= 1;
        }
        self.exhausted_or_out()
    }

    fn exhausted_or_out(&self) -> Walked {
        if self.visits > MAX_SEARCH {
            Walked::OutOfBudget
        } else {
            Walked::Exhausted
        }
    }

    /// Counts a visit; false if the state was seen before or the budget is spent.
    fn enter(&mut self, progress: &[usize], placement: &Placement) -> bool {
        self.visits += 1;
        self.visits <= MAX_SEARCH && self.seen.insert((progress.to_vec(), placement.clone()))
    }

    /// The next request `top` can place: its client, its index and the placement after it.
    fn next_child(&self, top: &mut Frame, progress: &[usize]) -> Option<(usize, usize, Placement)> {
        while top.next < progress.len() {
            let c = top.next;
            top.next += 1;
            let Some(&i) = self.rest.per_client[c].get(progress[c]) else {
                continue;
            };
            let o = self.history.op(i);
            if !ready(o, self.settled, progress) {
                continue;
            }
            let mut next = top.placement.clone();
            let output = Store::run(&mut next.kv, o.op);
            match o.ret {
                Some((_, recorded)) if recorded != output => continue,
                None if self.keep_guesses => next.guesses[c] = Some(output),
                _ => {}
            }
            return Some((c, i, next));
        }
        None
    }
}

/// Whether every request that returned before `o` was invoked is placed.
fn ready(o: &HistoryOp, settled: &Settled, progress: &[usize]) -> bool {
    o.after
        .iter()
        .enumerate()
        .all(|(d, &n)| settled.count(d) as usize + progress[d] >= n as usize)
}

/// What a search for a valid order found.
enum Found {
    /// An order of the requests after the settled ones (indices into the history).
    Order(Vec<usize>),
    /// No order places every returned request.
    Stuck(Stuck),
    OutOfBudget,
}

/// The longest order a failed search found, and the placement it started from.
struct Stuck {
    best: Vec<usize>,
    start: Placement,
    must: Vec<usize>,
    per_client: Vec<Vec<usize>>,
}

impl Stuck {
    /// The request that could not be placed: the earliest-returning one the deepest order
    /// missed.
    fn culprit(&self, history: &History) -> usize {
        let placed: HashSet<usize> = self.best.iter().copied().collect();
        self.per_client
            .iter()
            .zip(&self.must)
            .flat_map(|(ops, &m)| ops[..m].iter().copied())
            .filter(|i| !placed.contains(i))
            .min_by_key(|&i| history.op(i).ret.map(|r| r.0))
            .unwrap_or(history.len())
    }

    fn explain(&self, history: &History, settled: &Settled) -> [String; 2] {
        let before = settled.counts.iter().map(|&n| n as usize).sum::<usize>()
            + self.start.guesses.iter().flatten().count();
        explain(
            history,
            (&self.start.kv, before),
            &self.best,
            self.culprit(history),
        )
    }
}

/// Searches for a valid order of the requests after the settled ones, from any of their
/// placements.
fn search(history: &History, settled: &Settled) -> Found {
    let rest = Rest::of(history, settled);
    let mut walk = Walk::new(history, settled, &rest, false);
    for start in &settled.states {
        let Some(progress) = rest.start(history, start) else {
            continue;
        };
        match walk.run(progress, start.clone(), &mut |_, _| true) {
            Walked::Stopped => return Found::Order(walk.path),
            Walked::OutOfBudget => return Found::OutOfBudget,
            Walked::Exhausted => {}
        }
    }
    let start = walk.best_start.take().unwrap_or(Placement {
        kv: BTreeMap::new(),
        guesses: Vec::new(),
    });
    Found::Stuck(Stuck {
        best: walk.best,
        start,
        must: rest.must,
        per_client: rest.per_client,
    })
}

/// One sentence on why `culprit` cannot go after `prefix` (placed after `before` requests that
/// left the store `start`), in English and in Chinese.
fn explain(
    history: &History,
    (start, before): (&BTreeMap<Value, Value>, usize),
    prefix: &[usize],
    culprit: usize,
) -> [String; 2] {
    use crate::sim::words::{Both, both};
    if culprit >= history.len() {
        return both(
            [
                "no order of the requests explains the answers",
                "请求的任何顺序都无法解释这些应答",
            ],
            &[],
        );
    }
    let o = history.op(culprit);
    let mut kv = start.clone();
    for &i in prefix {
        Store::run(&mut kv, history.op(i).op);
    }
    let would = Store::run(&mut kv, o.op);
    let got = o
        .ret
        .map_or(Both("nothing".into(), "无".into()), |(_, out)| {
            Both(out.to_string(), out.to_string())
        });
    let n = before + prefix.len();
    both(
        [
            "C{0} {1} returned {2}, but after the {3} request{4} that can be ordered before it the store gives {5}",
            "C{0} {1} 返回了 {2}，但在能排在它之前的 {3} 个请求之后，存储给出的是 {5}",
        ],
        &[
            &o.client,
            &o.op.to_string(),
            &got,
            &n,
            &if n == 1 { "" } else { "s" },
            &would.to_string(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        Value::new(s).unwrap()
    }

    /// A request by hand: client, op, invoke step, and the return step and output if any.
    type Made = (u8, Op, u64, Option<(u64, Output)>);

    fn history(ops: &[Made]) -> History {
        // Replay invocations and returns in step order, as the monitor sees them.
        let mut events: Vec<(u64, bool, usize)> = Vec::new();
        for (i, &(_, _, inv, ret)) in ops.iter().enumerate() {
            events.push((inv, false, i));
            if let Some((r, _)) = ret {
                events.push((r, true, i));
            }
        }
        events.sort();
        let mut h = History::default();
        let mut seqs = [0u32; 256];
        let mut seq_of = vec![0u32; ops.len()];
        for (step, is_return, i) in events {
            let (c, op, _, ret) = ops[i];
            if is_return {
                h.complete(c, seq_of[i], ret.unwrap().1, step);
            } else {
                seqs[c as usize] += 1;
                seq_of[i] = seqs[c as usize];
                h.invoke(c, seq_of[i], op, step);
            }
        }
        h
    }

    #[test]
    fn overlapping_writes_and_reads_that_agree_are_linearizable() {
        let h = history(&[
            (1, Op::Put(v("x"), v("1")), 1, Some((5, Output::Ok))),
            (2, Op::Get(v("x")), 2, Some((6, Output::Got(Some(v("1")))))),
            (3, Op::Get(v("x")), 3, Some((4, Output::Got(None)))),
        ]);
        assert!(check(&h).is_ok());
    }

    #[test]
    fn a_read_of_an_overwritten_value_after_the_write_returned_is_not() {
        let h = history(&[
            (1, Op::Put(v("x"), v("1")), 1, Some((2, Output::Ok))),
            (1, Op::Put(v("x"), v("2")), 3, Some((4, Output::Ok))),
            (2, Op::Get(v("x")), 5, Some((6, Output::Got(Some(v("1")))))),
        ]);
        let Linearization::NotLinearizable { culprit, why, .. } = check(&h) else {
            panic!("a stale read passed")
        };
        assert_eq!(culprit, 2, "{why}");
        assert!(why.contains("C2 get x returned \"1\""), "{why}");
    }

    #[test]
    fn a_search_that_runs_out_of_budget_decides_nothing() {
        // 24 clients write at once, then a read returns a value nobody wrote: every order of
        // the writes must be tried (2^24 sets of them, far past the budget) before it is ruled
        // out. The checker says it could not decide, never that it proved a violation.
        let mut ops: Vec<Made> = (1..=24u8)
            .map(|c| {
                let value = v(&format!("w{c}"));
                (
                    c,
                    Op::Put(v("x"), value),
                    c as u64,
                    Some((100 + c as u64, Output::Ok)),
                )
            })
            .collect();
        ops.push((
            25,
            Op::Get(v("x")),
            200,
            Some((201, Output::Got(Some(v("never"))))),
        ));
        let h = history(&ops);
        assert_eq!(check(&h), Linearization::Undecided);
        assert_eq!(linearizable_after(&h, &Settled::new(25)), None);
        // Small enough to decide, the same shape is a violation.
        let mut few: Vec<_> = ops[..4].to_vec();
        few.push((
            25,
            Op::Get(v("x")),
            200,
            Some((201, Output::Got(Some(v("never"))))),
        ));
        assert!(matches!(
            check(&history(&few)),
            Linearization::NotLinearizable { .. }
        ));
    }

    #[test]
    fn a_pending_write_may_or_may_not_have_taken_effect() {
        let seen = history(&[
            (1, Op::Put(v("x"), v("1")), 1, None),
            (2, Op::Get(v("x")), 2, Some((3, Output::Got(Some(v("1")))))),
        ]);
        assert!(check(&seen).is_ok());
        let unseen = history(&[
            (1, Op::Put(v("x"), v("1")), 1, None),
            (2, Op::Get(v("x")), 2, Some((3, Output::Got(None)))),
        ]);
        assert!(check(&unseen).is_ok());
        // But a value nobody wrote cannot be read.
        let invented = history(&[(2, Op::Get(v("x")), 2, Some((3, Output::Got(Some(v("9"))))))]);
        assert!(!check(&invented).is_ok());
    }

    #[test]
    fn a_cas_that_succeeds_twice_on_one_value_is_not_linearizable() {
        let h = history(&[
            (1, Op::Put(v("x"), v("0")), 1, Some((2, Output::Ok))),
            (2, Op::Cas(v("x"), v("0"), v("a")), 3, Some((6, Output::Ok))),
            (3, Op::Cas(v("x"), v("0"), v("b")), 4, Some((7, Output::Ok))),
        ]);
        assert!(!check(&h).is_ok());
    }

    #[test]
    fn settling_a_prefix_keeps_every_store_its_orders_can_leave() {
        // Two overlapping puts, both returned, then a read after both: x may be 1 or 2.
        let mut h = history(&[
            (1, Op::Put(v("x"), v("1")), 1, Some((4, Output::Ok))),
            (2, Op::Put(v("x"), v("2")), 2, Some((3, Output::Ok))),
            (3, Op::Get(v("x")), 5, None),
        ]);
        let mut s = Settled::new(3);
        settle(&h, &mut s);
        assert_eq!(s.counts, vec![1, 1, 0]);
        assert_eq!(s.upto(&h), 2);
        // x is 1 or 2; the read came after both puts returned, so no order placed it yet.
        let stores: HashSet<_> = s.states.iter().map(|p| p.kv.clone()).collect();
        assert_eq!(stores.len(), 2, "{:?}", s.states);
        assert!(
            s.states
                .iter()
                .all(|p| p.guesses.iter().all(Option::is_none))
        );
        for (got, ok) in [(Some("1"), true), (Some("2"), true), (None, false)] {
            h.ops.get_mut(2).as_mut().unwrap().ret = Some((6, Output::Got(got.map(v))));
            assert_eq!(linearizable_after(&h, &s), Some(ok), "{got:?}");
            assert_eq!(check(&h).is_ok(), ok, "{got:?}: the full check agrees");
        }
    }

    /// A random history from clients that each run one request at a time against one store:
    /// each request takes effect at a random moment between its invocation and its answer
    /// (so the history is linearizable), unless `lie` makes an answer up. Returns the events
    /// in order: an invocation, or an answer.
    /// A client, the answer if this is one, and the request.
    type Event = (u8, Option<(Op, Output)>, Op);

    fn random_events(seed: u64, clients: u8, lie: f64) -> Vec<Event> {
        let mut rng = crate::sim::rng::Rng::new(seed);
        let keys = [v("x"), v("y")];
        let values = [v("a"), v("b"), v("c")];
        // Per client: its request in flight, and its answer once it took effect.
        let mut open: Vec<Option<(Op, Option<Output>)>> = vec![None; clients as usize];
        let mut store = BTreeMap::new();
        let mut events = Vec::new();
        for _ in 0..rng.range(1, 60) {
            let c = rng.below(clients as u64) as usize;
            match open[c] {
                None => {
                    let key = keys[rng.below(2) as usize];
                    let value = values[rng.below(3) as usize];
                    let op = match rng.below(3) {
                        0 => Op::Put(key, value),
                        1 => Op::Get(key),
                        _ => Op::Cas(key, values[rng.below(3) as usize], value),
                    };
                    open[c] = Some((op, None));
                    events.push((c as u8 + 1, None, op));
                }
                Some((op, None)) => open[c] = Some((op, Some(Store::run(&mut store, op)))),
                Some((op, Some(mut out))) => {
                    if rng.chance(lie) {
                        out = match out {
                            Output::Ok => Output::Fail,
                            Output::Fail => Output::Ok,
                            Output::Got(Some(_)) => Output::Got(None),
                            Output::Got(None) => Output::Got(Some(values[0])),
                        };
                    }
                    open[c] = None;
                    events.push((c as u8 + 1, Some((op, out)), op));
                }
            }
        }
        events
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// The monitor's checker, which settles what it can after every answer and searches
        /// only the rest, gives after every answer the verdict a search of the whole history
        /// gives: placements lose no linearization and keep no impossible one.
        #[test]
        fn checking_after_each_answer_agrees_with_checking_the_whole_history(
            seed in proptest::prelude::any::<u64>(),
            clients in 1u8..=4,
            lie in proptest::prelude::prop_oneof![proptest::prelude::Just(0.0), proptest::prelude::Just(0.1)],
        ) {
            let mut h = History::new(clients as usize);
            let mut settled = Settled::new(clients as usize);
            let (mut linearizable, mut undecided) = (true, false);
            let mut seqs = vec![0u32; clients as usize];
            for (step, (c, answer, op)) in random_events(seed, clients, lie).into_iter().enumerate() {
                let step = step as u64 + 1;
                let Some((_, out)) = answer else {
                    seqs[c as usize - 1] += 1;
                    h.invoke(c, seqs[c as usize - 1], op, step);
                    continue;
                };
                h.complete(c, seqs[c as usize - 1], out, step);
                let why = check_answer(&h, &mut settled, &mut linearizable, &mut undecided);
                let whole = check(&h);
                proptest::prop_assert!(!undecided);
                proptest::prop_assert_eq!(linearizable, whole.is_ok(), "{:?} {:?}", whole, settled);
                // A violation comes with a sentence naming an answer no order explains (which one
                // depends on where the deepest order got stuck, so not always the whole search's).
                proptest::prop_assert_eq!(why.is_some(), !linearizable);
                if let Some([en, zh]) = &why {
                    proptest::prop_assert!(en.contains(" returned ") && zh.contains("返回了"), "{}", en);
                }
                if !linearizable {
                    break;
                }
            }
        }
    }

    #[test]
    fn a_retry_is_answered_from_the_table_not_executed_again() {
        let mut s = Store::default();
        let cmd = Command {
            client: 1,
            seq: 1,
            op: Op::Cas(v("x"), v("0"), v("1")),
        };
        s.kv.insert(v("x"), v("0"));
        assert_eq!(s.apply(Entry::Cmd(cmd), true).output, Some(Output::Ok));
        let again = s.apply(Entry::Cmd(cmd), true);
        assert_eq!((again.output, again.executed), (Some(Output::Ok), false));
        let flawed = s.apply(Entry::Cmd(cmd), false);
        assert_eq!((flawed.output, flawed.executed), (Some(Output::Fail), true));
    }

    #[test]
    fn a_client_runs_one_request_at_a_time_and_retries_with_the_same_id() {
        let mut c = Client::new();
        let fx = c.on_request(Op::Get(v("x")));
        assert_eq!(fx.invoked, Some((1, Op::Get(v("x")))));
        let fx = c.on_request(Op::Put(v("x"), v("1")));
        assert_eq!(fx.send, None, "the second waits for the first");
        let fx = c.on_timeout(3);
        assert_eq!(
            fx.send,
            Some((
                2,
                ClientMsg::Request {
                    seq: 1,
                    op: Op::Get(v("x"))
                }
            ))
        );
        let fx = c.on_message(
            3,
            2,
            ClientMsg::Reply {
                seq: 1,
                output: Output::Got(None),
            },
        );
        assert_eq!(fx.returned, Some((1, Output::Got(None))));
        assert_eq!(fx.invoked, Some((2, Op::Put(v("x"), v("1")))));
    }

    #[test]
    fn workloads_are_seeded() {
        let a = Workload::Mixed.ops(7, 1, 20);
        assert_eq!(a, Workload::Mixed.ops(7, 1, 20));
        assert_ne!(a, Workload::Mixed.ops(8, 1, 20));
        assert_eq!(
            Workload::PutGet.ops(0, 2, 2),
            vec![Op::Put(v("x"), v("B")), Op::Get(v("x"))]
        );
    }
}

/// Heartbeats per CheckQuorum check: a heartbeat is a third of the election timeout's lower end,
/// so a leader checks once per election timeout.
pub const BEATS_PER_CHECK: u8 = 3;

/// What a new leader's CheckQuorum count starts from: itself, or nothing without `check_quorum`
/// (so that, off, the count never distinguishes two states).
pub fn heard_at_start(check_quorum: bool, me: u8) -> u64 {
    if check_quorum { 1 << (me - 1) } else { 0 }
}

/// CheckQuorum at a leader's heartbeat (Raft's and Multi-Paxos's alike): `heard` holds the
/// servers that answered it, itself included, over the `beats` heartbeats since its last check.
/// Once an election timeout's worth has gone by, a majority starts the count afresh; fewer is
/// `Some(how many)`, and the leader steps down, as its followers may have elected another.
pub fn quorum_lost(heard: &mut u64, beats: &mut u8, me: u8, quorum: u32) -> Option<u32> {
    *beats += 1;
    if *beats < BEATS_PER_CHECK {
        return None;
    }
    let count = heard.count_ones();
    if count < quorum {
        return Some(count);
    }
    *heard = 1 << (me - 1);
    *beats = 0;
    None
}

/// A server's election options and what they track, as views show it: the options on, a
/// leader's count of servers heard (CheckQuorum), the live leader a follower counts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElectionState {
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// A leader's servers heard and heartbeats since its last check.
    pub progress: Option<(u32, u8)>,
    pub quorum: u32,
    pub live_leader: Option<u8>,
    /// How a leader answers a get, and a leader's rounds under ReadIndex or a lease: the round
    /// sent, the round confirmed, the gets waiting and the lease's end on its clock.
    pub reads: Reads,
    pub rounds: Option<(u32, u32, usize, u64)>,
}

impl Rounds {
    /// What the inspector shows of a leader's rounds.
    pub fn view(&self) -> (u32, u32, usize, u64) {
        (
            self.round,
            self.confirmed,
            self.waiting.len(),
            self.lease_until,
        )
    }
}

/// How a leader answers a get (Ongaro's thesis, section 6.4). Off the log, a read costs no
/// entry, and each way is safe only under its own assumption.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reads {
    /// Through the log, as a write: safe whatever the clocks do.
    #[default]
    Log,
    /// ReadIndex: the leader notes its commit index, confirms it still leads with a round of
    /// heartbeats a majority answers, waits until it has applied that far, then answers. Safe
    /// whatever the clocks do.
    ReadIndex,
    /// Lease: a leader whose heartbeats a majority answered answers alone until a little less
    /// than an election timeout after it sent them, by its own clock. Safe only while clocks
    /// keep time: a leader that pauses past the margin answers from a stale state.
    Lease,
}

impl Reads {
    pub const ALL: [Reads; 3] = [Reads::Log, Reads::ReadIndex, Reads::Lease];

    pub fn is_log(&self) -> bool {
        *self == Reads::Log
    }

    /// The name the command line and traces use.
    pub fn name(self) -> &'static str {
        match self {
            Reads::Log => "log",
            Reads::ReadIndex => "read-index",
            Reads::Lease => "lease",
        }
    }

    pub fn parse(s: &str) -> Result<Reads, String> {
        Reads::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| format!("--reads: log, read-index or lease, not `{s}`"))
    }

    /// Whether a leader confirms its leadership in rounds of heartbeats (ReadIndex and lease).
    pub fn confirms(self) -> bool {
        self != Reads::Log
    }
}

/// How much shorter a lease is than the election timeout's lower end: the margin that covers
/// clock drift between the leader and the followers that promised it their votes.
pub fn lease_ticks(timeout: u32) -> u64 {
    (timeout - timeout / 4).max(1) as u64
}

/// Why a config's read options do not stand, if they do not.
pub fn check_reads(reads: Reads, check_quorum: bool, drift: u32) -> Result<(), String> {
    if reads == Reads::Lease && !check_quorum {
        return Err("--reads lease needs --check-quorum: a lease holds only while the followers that answered the leader refuse to elect another for an election timeout (leader stickiness), as etcd also requires".into());
    }
    if drift > crate::sim::world::MAX_DRIFT {
        return Err(format!(
            "--drift: at most {} parts per thousand, not {drift}",
            crate::sim::world::MAX_DRIFT
        ));
    }
    Ok(())
}

/// A get a leader answers off the log once its conditions hold (ReadIndex, or a lease that
/// lapsed): the log index it must have applied, once known (after an entry of its own term is
/// committed), and the round of heartbeats a majority must have answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WaitingRead {
    pub client: u8,
    pub seq: u32,
    pub key: Value,
    pub index: Option<u32>,
    pub round: u32,
}

/// A leader's confirmation rounds (ReadIndex and lease): the latest round sent, when by its own
/// clock, who answered it (itself included), the latest round a majority answered, the lease it
/// holds (until this time on its clock; 0: none) and the gets waiting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rounds {
    pub round: u32,
    pub sent_at: u64,
    pub acks: u64,
    pub confirmed: u32,
    pub lease_until: u64,
    pub waiting: Vec<WaitingRead>,
}

impl Rounds {
    /// Starts a new round at `now` (the leader's clock), answered so far by the leader alone.
    pub fn start(&mut self, me: u8, now: u64) -> u32 {
        self.round += 1;
        self.sent_at = now;
        self.acks = 1 << (me - 1);
        self.round
    }

    /// Counts `from`'s answer to `round`; true if that made the latest round confirmed.
    pub fn ack(&mut self, from: u8, round: u32, quorum: u32, lease: Option<u64>) -> bool {
        if round != self.round || round <= self.confirmed {
            return false;
        }
        self.acks |= 1 << (from - 1);
        if self.acks.count_ones() < quorum {
            return false;
        }
        self.confirmed = round;
        if let Some(ticks) = lease {
            self.lease_until = self.sent_at + ticks;
        }
        true
    }

    /// Whether the lease holds at `now` on the leader's clock.
    pub fn leased(&self, now: u64) -> bool {
        now < self.lease_until
    }

    /// Holds command `c`'s get for the next round (and `index` applied, once known); false if
    /// it waits already (a client's retry), when the caller starts no round.
    pub fn hold(&mut self, c: Command, index: Option<u32>) -> bool {
        let Some(key) = c.op.key() else {
            return false; // only gets are held
        };
        if self
            .waiting
            .iter()
            .any(|r| r.client == c.client && r.seq == c.seq)
        {
            return false;
        }
        self.waiting.push(WaitingRead {
            client: c.client,
            seq: c.seq,
            key,
            index,
            round: self.round + 1,
        });
        true
    }

    /// Takes the gets ready to answer: their round answered by a majority and their index
    /// applied. A get still without an index takes `index`, when the leader knows it now.
    pub fn take_ready(&mut self, index: Option<u32>, applied: u32) -> Vec<WaitingRead> {
        let confirmed = self.confirmed;
        let mut ready = Vec::new();
        self.waiting.retain_mut(|r| {
            r.index = r.index.or(index);
            let go = r
                .index
                .is_some_and(|i| confirmed >= r.round && applied >= i);
            if go {
                ready.push(*r);
            }
            !go
        });
        ready
    }
}

impl WaitingRead {
    /// The answer to this get from `store`: to its client, the value of its key.
    pub fn answer(&self, store: &Store) -> (NodeId, ClientMsg) {
        let output = Output::Got(store.kv.get(&self.key).copied());
        (
            client(self.client),
            ClientMsg::Reply {
                seq: self.seq,
                output,
            },
        )
    }
}
