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
}

impl Op {
    pub fn key(&self) -> Value {
        match *self {
            Op::Put(k, _) | Op::Get(k) | Op::Cas(k, _, _) => k,
        }
    }

    /// The operation's name as histories spell it.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Put(..) => "put",
            Op::Get(..) => "get",
            Op::Cas(..) => "cas",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Op::Put(k, v) => write!(f, "put {k}={v}"),
            Op::Get(k) => write!(f, "get {k}"),
            Op::Cas(k, e, v) => write!(f, "cas {k}:{e}->{v}"),
        }
    }
}

impl Request for Op {
    fn fmt_arg(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Op::Put(k, v) => write!(f, "Put(\"{k}\", \"{v}\")"),
            Op::Get(k) => write!(f, "Get(\"{k}\")"),
            Op::Cas(k, e, v) => write!(f, "Cas(\"{k}\", \"{e}\", \"{v}\")"),
        }
    }
}

/// What an operation returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
}

impl History {
    pub fn new(clients: usize) -> Self {
        History {
            returned: vec![0; clients],
            ..History::default()
        }
    }

    /// A history of these requests, after `returned_before` returned requests per client that
    /// are no longer listed (the explorer rebuilds one from its canonical form).
    pub fn from_ops(returned_before: Vec<u32>, ops: Vec<HistoryOp>) -> Self {
        let mut h = History {
            returned: returned_before,
            ..History::default()
        };
        for o in ops {
            if o.ret.is_some() {
                h.returned[o.client as usize - 1] += 1;
            }
            *h.ops.get_mut(h.len) = Some(o);
            h.len += 1;
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

    pub fn invoke(&mut self, client: u8, seq: u32, op: Op, step: u64) {
        let i = client as usize - 1;
        if self.returned.len() <= i {
            self.returned.resize(i + 1, 0);
        }
        *self.ops.get_mut(self.len) = Some(HistoryOp {
            client,
            seq,
            op,
            invoke: step,
            ret: None,
            after: self.returned.clone(),
        });
        self.len += 1;
    }

    pub fn complete(&mut self, client: u8, seq: u32, output: Output, step: u64) {
        let found = (0..self.len).rev().find(|&i| {
            let o = self.op(i);
            o.client == client && o.seq == seq && o.ret.is_none()
        });
        if let Some(i) = found
            && let Some(o) = self.ops.get_mut(i)
        {
            o.ret = Some((step, output));
            self.returned[client as usize - 1] += 1;
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
    let start = Settled::new(history.returned.len());
    match search(history, &start) {
        Ok(order) => Linearization::Linearizable(order),
        Err((_, true)) => Linearization::Undecided,
        Err((best, false)) => {
            // The request that could not be placed: the earliest-returning one the deepest
            // order missed.
            let placed: HashSet<usize> = best.iter().copied().collect();
            let culprit = history
                .ops()
                .enumerate()
                .filter(|(i, o)| o.ret.is_some() && !placed.contains(i))
                .min_by_key(|(_, o)| o.ret.map(|r| r.0))
                .map_or(0, |(i, _)| i);
            let [why, why_zh] = explain(history, &best, culprit);
            Linearization::NotLinearizable {
                prefix: best,
                culprit,
                why,
                why_zh,
            }
        }
    }
}

/// The start of a history that every linearization places first, kept so that a long run's
/// check after each answer looks only at what came after it: the requests before `upto` all
/// returned before any later one was invoked, and `states` are the stores their valid orders
/// can leave.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Settled {
    pub upto: usize,
    /// Per client, how many of its requests lie before `upto`.
    pub counts: Vec<u32>,
    pub states: Vec<BTreeMap<Value, Value>>,
}

/// The most stores a settled prefix may leave before the checker stops settling (and searches
/// from the last cut instead).
const MAX_SETTLED_STATES: usize = 64;

impl Settled {
    pub fn new(clients: usize) -> Self {
        Settled {
            upto: 0,
            counts: vec![0; clients],
            states: vec![BTreeMap::new()],
        }
    }
}

/// Whether the history is linearizable, searching only after the settled prefix; `None` when
/// the search ran out of its budget before it could tell.
pub fn linearizable_after(history: &History, settled: &Settled) -> Option<bool> {
    match search(history, settled) {
        Ok(_) => Some(true),
        Err((_, true)) => None,
        Err((_, false)) => Some(false),
    }
}

/// What a store protocol's monitor does when an answer arrives: checks the history after the
/// settled prefix and moves the prefix on, or returns the violation's sentences (English and
/// Chinese) the first time the history cannot be linearized. A violation is reported once, and
/// a search that ran out of its budget marks the history undecided: no verdict, and no more
/// searches (each would start from the same prefix and run out again).
pub fn check_answer(
    history: &History,
    settled: &mut Settled,
    linearizable: &mut bool,
    undecided: &mut bool,
) -> Option<[String; 2]> {
    if !*linearizable || *undecided {
        return None;
    }
    match linearizable_after(history, settled) {
        Some(true) => settle(history, settled),
        Some(false) => {
            if let Linearization::NotLinearizable { why, why_zh, .. } = check(history) {
                *linearizable = false;
                return Some([why, why_zh]);
            }
        }
        None => *undecided = true,
    }
    None
}

/// Moves the settled prefix forward to the latest cut where every request before it returned
/// before any request after it was invoked, if its orders leave few enough stores.
pub fn settle(history: &History, settled: &mut Settled) {
    let clients = settled.counts.len();
    let after = |j: usize, c: usize| history.op(j).after.get(c).copied().unwrap_or(0);
    // suffix_min[j][c]: the least `after[c]` among the requests from j on.
    let n = history.len();
    let mut suffix_min = vec![u32::MAX; (n + 1 - settled.upto) * clients];
    for j in (settled.upto..n).rev() {
        for c in 0..clients {
            let k = (j - settled.upto) * clients + c;
            suffix_min[k] = suffix_min[k + clients].min(after(j, c));
        }
    }
    let mut counts = settled.counts.clone();
    let mut cut = None;
    for k in settled.upto..n {
        let o = history.op(k);
        if o.ret.is_none() {
            break;
        }
        counts[o.client as usize - 1] += 1;
        let rest = (k + 1 - settled.upto) * clients;
        if (0..clients).all(|c| suffix_min[rest + c] >= counts[c]) {
            cut = Some((k + 1, counts.clone()));
        }
    }
    let Some((upto, counts)) = cut else {
        return;
    };
    let segment = (history, upto);
    let mut ends = Vec::new();
    let mut visits = 0;
    let mut seen = Seen::default();
    for start in &settled.states {
        let mut progress = vec![0usize; clients];
        if !end_states(
            segment,
            settled,
            &mut progress,
            start.clone(),
            &mut ends,
            &mut seen,
            &mut visits,
        ) {
            return;
        }
    }
    if ends.is_empty() {
        return;
    }
    *settled = Settled {
        upto,
        counts,
        states: ends,
    };
}

/// The orders' states a search has been to: how far each client's requests are placed, and the
/// store they leave. Hashed with FNV rather than std's SipHash (keys are small, and nothing
/// here faces untrusted input that could aim collisions at it); the keys are kept whole, so a
/// collision costs a comparison, never a state wrongly taken as seen.
type Seen = HashSet<
    (Vec<usize>, BTreeMap<Value, Value>),
    std::hash::BuildHasherDefault<crate::sim::hash::StableHasher>,
>;

/// Collects every store a full valid order of `segment` (after the settled prefix) can leave;
/// false if there are too many to keep.
fn end_states(
    segment: (&History, usize),
    settled: &Settled,
    progress: &mut Vec<usize>,
    kv: BTreeMap<Value, Value>,
    ends: &mut Vec<BTreeMap<Value, Value>>,
    seen: &mut Seen,
    visits: &mut usize,
) -> bool {
    *visits += 1;
    if *visits > MAX_SEARCH || ends.len() > MAX_SETTLED_STATES {
        return false;
    }
    if !seen.insert((progress.clone(), kv.clone())) {
        return true;
    }
    let mut placed_any = false;
    let mut remaining = false;
    for c in 0..progress.len() {
        let Some(i) = nth_of_client(segment, settled, c, progress[c]) else {
            continue;
        };
        remaining = true;
        let o = segment.0.op(i);
        if !ready(o, settled, progress) {
            continue;
        }
        let mut next = kv.clone();
        let output = Store::run(&mut next, o.op);
        if o.ret.is_some_and(|(_, recorded)| recorded != output) {
            continue;
        }
        placed_any = true;
        progress[c] += 1;
        let ok = end_states(segment, settled, progress, next, ends, seen, visits);
        progress[c] -= 1;
        if !ok {
            return false;
        }
    }
    if !remaining && !placed_any && !ends.contains(&kv) {
        ends.push(kv);
    }
    true
}

/// The index of client `c`'s `k`-th request after the settled prefix and before `end`.
fn nth_of_client(
    (h, end): (&History, usize),
    settled: &Settled,
    c: usize,
    k: usize,
) -> Option<usize> {
    (settled.upto..end)
        .filter(|&i| h.op(i).client as usize - 1 == c)
        .nth(k)
}

/// Whether every request that returned before `o` was invoked is placed.
fn ready(o: &HistoryOp, settled: &Settled, progress: &[usize]) -> bool {
    o.after.iter().enumerate().all(|(d, &n)| {
        settled.counts.get(d).copied().unwrap_or(0) as usize + progress[d] >= n as usize
    })
}

/// Searches for a valid order of the requests after the settled prefix, from any of its stores:
/// the order, or the longest partial order found.
/// The order, or the longest partial order found and whether the budget ran out first.
fn search(history: &History, settled: &Settled) -> Result<Vec<usize>, (Vec<usize>, bool)> {
    let clients = settled.counts.len().max(history.returned.len());
    let mut per_client: Vec<Vec<usize>> = vec![Vec::new(); clients];
    for i in settled.upto..history.len() {
        per_client[history.op(i).client as usize - 1].push(i);
    }
    let must: Vec<usize> = per_client
        .iter()
        .map(|ops| {
            ops.iter()
                .take_while(|&&i| history.op(i).ret.is_some())
                .count()
        })
        .collect();
    let mut s = Search {
        history,
        settled,
        per_client: &per_client,
        must: &must,
        seen: Seen::default(),
        path: Vec::new(),
        best: Vec::new(),
        visits: 0,
    };
    for start in &settled.states {
        let mut progress = vec![0usize; clients];
        if s.dfs(&mut progress, &mut start.clone()) {
            return Ok(s.path);
        }
    }
    let exhausted = s.visits > MAX_SEARCH;
    Err((s.best, exhausted))
}

struct Search<'a> {
    history: &'a History,
    settled: &'a Settled,
    per_client: &'a [Vec<usize>],
    must: &'a [usize],
    seen: Seen,
    path: Vec<usize>,
    best: Vec<usize>,
    visits: usize,
}

impl Search<'_> {
    fn dfs(&mut self, progress: &mut Vec<usize>, kv: &mut BTreeMap<Value, Value>) -> bool {
        if progress.iter().zip(self.must).all(|(p, m)| p >= m) {
            return true;
        }
        self.visits += 1;
        if self.visits > MAX_SEARCH || !self.seen.insert((progress.clone(), kv.clone())) {
            return false;
        }
        for c in 0..progress.len() {
            let Some(&i) = self.per_client[c].get(progress[c]) else {
                continue;
            };
            let o = self.history.op(i);
            if !ready(o, self.settled, progress) {
                continue;
            }
            let mut next = kv.clone();
            let output = Store::run(&mut next, o.op);
            if o.ret.is_some_and(|(_, recorded)| recorded != output) {
                continue;
            }
            progress[c] += 1;
            self.path.push(i);
            if self.path.len() > self.best.len() {
                self.best = self.path.clone();
            }
            if self.dfs(progress, &mut next) {
                return true;
            }
            self.path.pop();
            progress[c] -= 1;
        }
        false
    }
}

/// One sentence on why `culprit` cannot go after `prefix`, in English and in Chinese.
fn explain(history: &History, prefix: &[usize], culprit: usize) -> [String; 2] {
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
    let mut kv = BTreeMap::new();
    for &i in prefix {
        Store::run(&mut kv, history.op(i).op);
    }
    let would = Store::run(&mut kv, o.op);
    let got = o
        .ret
        .map_or(Both("nothing".into(), "无".into()), |(_, out)| {
            Both(out.to_string(), out.to_string())
        });
    let n = prefix.len();
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
        assert_eq!(s.upto, 2);
        assert_eq!(s.states.len(), 2, "{:?}", s.states);
        for (got, ok) in [(Some("1"), true), (Some("2"), true), (None, false)] {
            h.ops.get_mut(2).as_mut().unwrap().ret = Some((6, Output::Got(got.map(v))));
            assert_eq!(linearizable_after(&h, &s), Some(ok), "{got:?}");
            assert_eq!(check(&h).is_ok(), ok, "{got:?}: the full check agrees");
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
