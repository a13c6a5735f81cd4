//! The network: every message in flight, each with a stable id, a send time and a delivery time,
//! and the set of cut links. It only stores; the world decides what happens to each message.

use std::hash::Hash;

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

#[derive(Clone, Debug, Hash)]
pub struct Network<M> {
    /// Sorted by id: ids only grow, so sending appends and lookups are binary searches.
    in_flight: Vec<Envelope<M>>,
    next_id: u32,
    /// Cut links as ordered pairs (smaller id first), sorted.
    cut: Vec<(NodeId, NodeId)>,
    pub stats: MessageStats,
}

impl<M> Default for Network<M> {
    fn default() -> Self {
        Network {
            in_flight: Vec::new(),
            next_id: 1,
            cut: Vec::new(),
            stats: MessageStats::default(),
        }
    }
}

fn link(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    if a <= b { (a, b) } else { (b, a) }
}

impl<M: Copy> Network<M> {
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
        self.in_flight.push(env);
        env
    }

    pub fn in_flight(&self) -> &[Envelope<M>] {
        &self.in_flight
    }

    pub fn get(&self, id: MsgId) -> Option<&Envelope<M>> {
        self.in_flight
            .binary_search_by_key(&id, |e| e.id)
            .ok()
            .map(|i| &self.in_flight[i])
    }

    /// Removes a message from flight (to deliver or lose it).
    pub fn take(&mut self, id: MsgId) -> Option<Envelope<M>> {
        let i = self.in_flight.binary_search_by_key(&id, |e| e.id).ok()?;
        Some(self.in_flight.remove(i))
    }

    /// The message due first: earliest delivery time, then lowest id.
    pub fn earliest(&self) -> Option<&Envelope<M>> {
        self.in_flight.iter().min_by_key(|e| (e.deliver_at, e.id))
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

    #[test]
    fn messages_keep_their_ids_and_the_earliest_is_due_first() {
        let mut n: Network<u8> = Network::default();
        let a = n.send(NodeId::proposer(1), NodeId::acceptor(1), 1, 0, 9).id;
        let b = n.send(NodeId::proposer(1), NodeId::acceptor(2), 2, 0, 4).id;
        assert_eq!(n.earliest().unwrap().id, b);
        assert_eq!(n.take(b).unwrap().msg, 2);
        assert!(n.take(b).is_none());
        assert_eq!(n.get(a).unwrap().msg, 1);
        assert_eq!(n.next_id(), MsgId(3));
    }

    #[test]
    fn links_are_undirected() {
        let mut n: Network<u8> = Network::default();
        let (p, a) = (NodeId::proposer(1), NodeId::acceptor(2));
        assert!(n.cut(a, p));
        assert!(!n.cut(p, a));
        assert!(n.is_cut(p, a));
        assert!(n.heal(p, a));
        assert!(!n.is_cut(a, p));
    }
}
