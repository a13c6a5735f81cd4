//! The network: every message in flight, each with a stable id, a send time and a delivery time,
//! and the set of cut links. It only stores; the world decides what happens to each message.

use std::hash::Hash;
use std::sync::Arc;

use super::ids::{MsgId, NodeId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Envelope<M> {
    pub id: MsgId,
    pub src: NodeId,
    pub dst: NodeId,
    pub msg: M,
    pub sent_at: u64,
    pub deliver_at: u64,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct MessageStats {
    pub sent: u64,
    pub delivered: u64,
    /// Messages that never arrived: dropped by an action, over a cut link, or to a crashed node.
    pub dropped: u64,
    pub duplicated: u64,
}

#[derive(Clone, Debug)]
pub struct Network<M> {
    in_flight: Flight<M>,
    next_id: u32,
    /// Cut links as ordered pairs (smaller id first), sorted.
    cut: Vec<(NodeId, NodeId)>,
    pub stats: MessageStats,
}

impl<M> Default for Network<M> {
    fn default() -> Self {
        Network {
            in_flight: Flight::default(),
            next_id: 1,
            cut: Vec::new(),
            stats: MessageStats::default(),
        }
    }
}

impl<M: Hash> Hash for Network<M> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // The same bytes a sorted `Vec<Envelope>` hashed to, so recorded state hashes still match.
        h.write_usize(self.in_flight.len);
        for e in self.in_flight.iter() {
            e.hash(h);
        }
        self.next_id.hash(h);
        self.cut.hash(h);
        self.stats.hash(h);
    }
}

/// Messages kept in flight per shared chunk.
const CHUNK: usize = 32;

/// The messages in flight, sorted by id (ids only grow, so sending appends), in chunks shared
/// between copies of the world: a checkpoint copies one pointer per chunk, and a delivery copies
/// at most one chunk. Finding a message is two binary searches; finding the one due first is a
/// scan of `due_at`, kept beside the chunks so that it reads one small array, not every chunk.
///
/// Ties in delivery time go to the lowest id. Chunks and the messages in each are in id order,
/// so the first chunk (and message) holding the earliest time holds the message due first, and
/// the scans compare times alone.
#[derive(Clone, Debug)]
struct Flight<M> {
    chunks: Vec<Arc<Chunk<M>>>,
    /// For each chunk, the earliest delivery time in it, and the id of the first message due then.
    due_at: Vec<u64>,
    due_id: Vec<MsgId>,
    /// For each chunk, its highest id (what finding a message searches, in one small array).
    last_id: Vec<MsgId>,
    len: usize,
}

/// A run of messages in id order, with their ids and delivery times beside them in small arrays
/// of their own: finding a message and the one due first read those, not the envelopes (a PBFT
/// envelope is twelve times a delivery time's size).
#[derive(Clone, Debug)]
struct Chunk<M> {
    envelopes: Vec<Envelope<M>>,
    ids: Vec<MsgId>,
    times: Vec<u64>,
}

impl<M> Default for Flight<M> {
    fn default() -> Self {
        Flight {
            chunks: Vec::new(),
            due_at: Vec::new(),
            due_id: Vec::new(),
            last_id: Vec::new(),
            len: 0,
        }
    }
}

/// Where the first of the smallest values sits (one pass).
fn first_min(values: &[u64]) -> Option<usize> {
    let (&first, rest) = values.split_first()?;
    let (mut best, mut min) = (0, first);
    for (i, &v) in rest.iter().enumerate() {
        if v < min {
            (best, min) = (i + 1, v);
        }
    }
    Some(best)
}

impl<M> Chunk<M> {
    /// The delivery time and id of the message due first in this chunk.
    fn due(&self) -> (u64, MsgId) {
        first_min(&self.times).map_or((u64::MAX, MsgId(u32::MAX)), |i| {
            (self.times[i], self.ids[i])
        })
    }

    fn push(&mut self, env: Envelope<M>) {
        self.ids.push(env.id);
        self.times.push(env.deliver_at);
        self.envelopes.push(env);
    }

    /// Where the message `id` sits, if here.
    fn position(&self, id: MsgId) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }
}

impl<M> Flight<M> {
    fn iter(&self) -> impl Iterator<Item = &Envelope<M>> + Clone + '_ {
        self.chunks.iter().flat_map(|c| c.envelopes.iter())
    }
}

impl<M: Clone> Flight<M> {
    fn push(&mut self, env: Envelope<M>) {
        let (at, id) = (env.deliver_at, env.id);
        match self.chunks.last_mut() {
            Some(c) if c.envelopes.len() < CHUNK => {
                Arc::make_mut(c).push(env);
                let last = self.due_at.len() - 1;
                self.last_id[last] = id;
                // A later id wins no tie.
                if at < self.due_at[last] {
                    self.due_at[last] = at;
                    self.due_id[last] = id;
                }
            }
            _ => {
                let mut chunk = Chunk {
                    envelopes: Vec::with_capacity(CHUNK),
                    ids: Vec::with_capacity(CHUNK),
                    times: Vec::with_capacity(CHUNK),
                };
                chunk.push(env);
                self.chunks.push(Arc::new(chunk));
                self.due_at.push(at);
                self.due_id.push(id);
                self.last_id.push(id);
            }
        }
        self.len += 1;
    }

    /// The chunk and position of a message.
    fn find(&self, id: MsgId) -> Option<(usize, usize)> {
        let c = self.last_id.partition_point(|&last| last < id);
        let j = self.chunks.get(c)?.position(id)?;
        Some((c, j))
    }

    fn get(&self, id: MsgId) -> Option<&Envelope<M>> {
        self.find(id).map(|(c, j)| &self.chunks[c].envelopes[j])
    }

    fn take(&mut self, id: MsgId) -> Option<Envelope<M>> {
        let (c, j) = self.find(id)?;
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        let env = chunk.envelopes.remove(j);
        chunk.ids.remove(j);
        chunk.times.remove(j);
        if id == self.due_id[c] {
            (self.due_at[c], self.due_id[c]) = chunk.due();
        }
        if let Some(&last) = chunk.ids.last() {
            self.last_id[c] = last;
        }
        self.len -= 1;
        // Neighbours that fit in one chunk merge, so chunks stay at least half full on average
        // and a copy of the network stays proportional to len / CHUNK.
        if c + 1 < self.chunks.len() {
            self.merge(c);
        }
        if c > 0 && c < self.chunks.len() {
            self.merge(c - 1);
        }
        if self.chunks.get(c).is_some_and(|c| c.envelopes.is_empty()) {
            self.chunks.remove(c);
            self.due_at.remove(c);
            self.due_id.remove(c);
            self.last_id.remove(c);
        }
        Some(env)
    }

    /// Merges chunk `c + 1` into chunk `c` if together they fit in one.
    fn merge(&mut self, c: usize) {
        if self.chunks[c].envelopes.len() + self.chunks[c + 1].envelopes.len() > CHUNK {
            return;
        }
        let next = self.chunks.remove(c + 1);
        let next_at = self.due_at.remove(c + 1);
        let next_id = self.due_id.remove(c + 1);
        self.last_id[c] = self.last_id.remove(c + 1);
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        chunk.envelopes.extend_from_slice(&next.envelopes);
        chunk.ids.extend_from_slice(&next.ids);
        chunk.times.extend_from_slice(&next.times);
        // The later chunk's ids are higher: it wins only a strictly earlier time.
        if next_at < self.due_at[c] {
            self.due_at[c] = next_at;
            self.due_id[c] = next_id;
        }
    }

    fn earliest(&self) -> Option<&Envelope<M>> {
        let c = first_min(&self.due_at)?;
        let chunk = &self.chunks[c];
        Some(&chunk.envelopes[chunk.position(self.due_id[c])?])
    }
}

fn link(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    if a <= b { (a, b) } else { (b, a) }
}

impl<M: Clone> Network<M> {
    pub fn send(
        &mut self,
        src: NodeId,
        dst: NodeId,
        msg: M,
        sent_at: u64,
        deliver_at: u64,
    ) -> Envelope<M> {
        let env = Envelope {
            id: MsgId(self.next_id),
            src,
            dst,
            msg,
            sent_at,
            deliver_at,
        };
        self.next_id += 1;
        self.stats.sent += 1;
        self.in_flight.push(env.clone());
        env
    }

    /// The messages in flight, in id (send) order.
    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope<M>> + Clone + '_ {
        self.in_flight.iter()
    }

    /// How many messages are in flight.
    pub fn in_flight_count(&self) -> usize {
        self.in_flight.len
    }

    pub fn get(&self, id: MsgId) -> Option<&Envelope<M>> {
        self.in_flight.get(id)
    }

    /// Removes a message from flight (to deliver or lose it).
    pub fn take(&mut self, id: MsgId) -> Option<Envelope<M>> {
        self.in_flight.take(id)
    }

    /// The message due first: earliest delivery time, then lowest id.
    pub fn earliest(&self) -> Option<&Envelope<M>> {
        self.in_flight.earliest()
    }

    /// The id the next message sent will get.
    pub fn next_id(&self) -> MsgId {
        MsgId(self.next_id)
    }

    pub fn is_cut(&self, a: NodeId, b: NodeId) -> bool {
        !self.cut.is_empty() && self.cut.binary_search(&link(a, b)).is_ok()
    }

    pub fn cut_links(&self) -> &[(NodeId, NodeId)] {
        &self.cut
    }

    /// Returns false if the link was already cut.
    pub fn cut(&mut self, a: NodeId, b: NodeId) -> bool {
        match self.cut.binary_search(&link(a, b)) {
            Ok(_) => false,
            Err(i) => {
                self.cut.insert(i, link(a, b));
                true
            }
        }
    }

    /// Returns false if the link was not cut.
    pub fn heal(&mut self, a: NodeId, b: NodeId) -> bool {
        match self.cut.binary_search(&link(a, b)) {
            Ok(i) => {
                self.cut.remove(i);
                true
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(letter: char, index: u8) -> NodeId {
        NodeId::new(crate::sim::ids::Role::new(letter), index)
    }

    #[test]
    fn messages_keep_their_ids_and_the_earliest_is_due_first() {
        let mut n: Network<u8> = Network::default();
        let a = n.send(node('P', 1), node('A', 1), 1, 0, 9).id;
        let b = n.send(node('P', 1), node('A', 2), 2, 0, 4).id;
        assert_eq!(n.earliest().unwrap().id, b);
        assert_eq!(n.take(b).unwrap().msg, 2);
        assert!(n.take(b).is_none());
        assert_eq!(n.get(a).unwrap().msg, 1);
        assert_eq!(n.next_id(), MsgId(3));
    }

    #[test]
    fn links_are_undirected() {
        let mut n: Network<u8> = Network::default();
        let (p, a) = (node('P', 1), node('A', 2));
        assert!(n.cut(a, p));
        assert!(!n.cut(p, a));
        assert!(n.is_cut(p, a));
        assert!(n.heal(p, a));
        assert!(!n.is_cut(a, p));
    }

    #[test]
    fn the_flight_finds_every_message_after_any_mix_of_sends_and_removals() {
        let mut n: Network<u16> = Network::default();
        let mut model: Vec<(MsgId, u64)> = Vec::new();
        let mut rng = crate::sim::rng::Rng::new(7);
        for round in 0..5000u64 {
            if model.is_empty() || rng.range(0, 2) == 0 {
                let at = rng.range(0, 1000);
                let id = n.send(node('P', 1), node('A', 1), round as u16, 0, at).id;
                model.push((id, at));
            } else {
                let i = rng.range(0, model.len() as u64 - 1) as usize;
                let (id, _) = model.remove(i);
                assert_eq!(n.take(id).map(|e| e.id), Some(id));
            }
            if round % 97 == 0 {
                let ids: Vec<MsgId> = n.in_flight().map(|e| e.id).collect();
                assert_eq!(ids, model.iter().map(|m| m.0).collect::<Vec<_>>());
                let due = model.iter().map(|&(id, at)| (at, id)).min().map(|d| d.1);
                assert_eq!(n.earliest().map(|e| e.id), due);
                assert_eq!(n.in_flight_count(), model.len());
                assert!(n.in_flight.chunks.len() <= 2 * model.len() / CHUNK + 2);
            }
        }
    }

    #[test]
    fn a_copy_shares_the_untouched_chunks() {
        let mut n: Network<u8> = Network::default();
        for _ in 0..10 * CHUNK {
            n.send(node('P', 1), node('A', 1), 0, 0, 5);
        }
        let copy = n.clone();
        n.take(MsgId(1));
        let shared = n
            .in_flight
            .chunks
            .iter()
            .zip(&copy.in_flight.chunks)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert_eq!(shared, 9, "only the chunk written to was copied");
        assert_eq!(copy.in_flight_count(), 10 * CHUNK);
    }
}
