//! Canonical, compact byte encodings of a protocol's state, for the explorer. Two states that
//! behave the same from here on must encode to the same bytes: no timestamps, no step numbers,
//! no message ids, and every set written in sorted order. The explorer stores millions of these,
//! so integers are varints, and a protocol writes its values as indices into a small table.

use super::ids::{NodeId, Role};
use super::protocol::Protocol;

/// Appends varints and bytes to a reusable buffer.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn byte(&mut self, b: u8) {
        self.bytes.push(b);
    }

    /// LEB128: seven bits a byte, so the small numbers that fill a state take one byte.
    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.bytes.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.bytes.push(v as u8);
    }
}

/// Reads what a `Writer` wrote. The explorer only decodes bytes it encoded itself, so running
/// past the end is a bug; it yields zeros rather than panicking, and tests catch the mismatch.
pub struct Reader<'a> {
    pub bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    pub fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    pub fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 || shift >= 63 {
                return v;
            }
            shift += 7;
        }
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }
}

/// A protocol whose state the explorer can store canonically. Encodings of nodes and the monitor
/// leave out anything that is history only (steps, times, the order in which a set grew).
pub trait Canonical: Protocol {
    /// The table that turns the run's values into small numbers and back, built once per search
    /// from the requests the explorer will make (see `explored_request`).
    type Values: Clone + Send + Sync;

    /// The one request the explorer makes at `id` (a node that takes requests), at any point of
    /// the search; `None` when its requests are all handed over before the search starts.
    fn explored_request(&self, id: NodeId) -> Option<Self::Request>;
    /// The value table for the requests the explorer makes.
    fn values(&self, requests: &[Self::Request]) -> Self::Values;

    /// Whether a node's note means it started a new attempt (a ballot, in Paxos): the explorer
    /// bounds how many each node may start.
    fn starts_attempt(note: &Self::Note) -> bool;

    fn encode_node(&self, node: &Self::Node, values: &Self::Values, w: &mut Writer);
    fn decode_node(&self, id: NodeId, values: &Self::Values, r: &mut Reader) -> Self::Node;

    /// A message as a number below 2^48 (the explorer adds the sender and receiver above it).
    fn encode_msg(&self, msg: &Self::Msg, values: &Self::Values) -> u64;
    fn decode_msg(&self, code: u64, values: &Self::Values) -> Self::Msg;

    fn encode_monitor(&self, monitor: &Self::Monitor, values: &Self::Values, w: &mut Writer);
    fn decode_monitor(&self, values: &Self::Values, r: &mut Reader) -> Self::Monitor;

    /// Whether the explorer may discard `msg` in flight to `node` (whose id is `to`) without
    /// hiding any violation (`may_restart`: whether the node may still crash and come back; `may_start_attempt`:
    /// whether it may still start an attempt, see `starts_attempt`). True when delivering it
    /// does nothing now and in every later state of `node`; also when every run that delivers
    /// it can be matched, rule for rule, by a run that never does (the protocol argues why at
    /// its implementation). A protocol that cannot tell returns false, which is always sound.
    fn is_stale(
        &self,
        node: &Self::Node,
        to: NodeId,
        from: NodeId,
        msg: &Self::Msg,
        may_restart: bool,
        may_start_attempt: bool,
    ) -> bool;

    /// Whether delivering `msg` to the live `node` may be taken before anything else without
    /// hiding a violation: it only adds to a tally that stays below its quorum, sends nothing,
    /// notes nothing, and no other order of deliveries could give a different result. The
    /// explorer then follows that delivery alone from this state (a partial-order reduction).
    fn is_eager(&self, node: &Self::Node, from: NodeId, msg: &Self::Msg) -> bool;

    /// Whether `settle_monitor` might forget anything after a step that took `removed` out of
    /// flight and left the node it changed as `changed` (a cheap check, so the explorer decodes
    /// the messages in flight only when it may help). It must hold at every step after which
    /// something becomes forgettable, so that every path to a state settles it alike.
    fn may_settle(
        &self,
        _monitor: &Self::Monitor,
        _removed: Option<&Self::Msg>,
        _changed: Option<&Self::Node>,
    ) -> bool {
        false
    }

    /// The monitor less the history no later step can read, given the nodes (by id) and the
    /// messages in flight; `None` when nothing can be forgotten. States that differ only in such
    /// history then meet. Forgetting nothing is always sound.
    fn settle_monitor<'a>(
        &self,
        _monitor: &Self::Monitor,
        _node: &dyn Fn(NodeId) -> Option<&'a Self::Node>,
        _in_flight: &[Self::Msg],
    ) -> Option<Self::Monitor> {
        None
    }

    /// Whether `is_stale` and `is_eager` (for an honest receiver) stay sound when some nodes may
    /// lie. Most protocols argue them for honest senders, so the explorer turns them off with
    /// liars about; one that argues them from the receiver's state alone says so here.
    fn reductions_with_liars(&self) -> bool {
        false
    }

    /// Whether the explorer may deliver a lie the moment it is told, and skip one its receiver
    /// would not act on. Sound when every lie a liar could tell stays tellable for as long as
    /// it could be in flight (the alphabet only grows), so that a run telling a lie early and
    /// delivering it late is matched by one telling it at delivery; the search then never holds
    /// lies in flight, which would multiply its states by every moment one could arrive.
    fn lies_arrive_at_once(&self) -> bool {
        false
    }

    /// The configured timeout when the handlers read their clocks (lease reads): the explorer
    /// then keeps time (see `explore::space::Times`). `None`: its states hold no time, and every
    /// handler reads tick 0.
    fn clocked(&self) -> Option<u32> {
        None
    }
    /// The role whose members are interchangeable (acceptors, in Paxos), for symmetry reduction.
    fn symmetric_role(&self) -> Option<Role>;
    /// Renames members of the symmetric role inside a node's state: `perm[i]` is the new 0-based
    /// index of the member whose index was `i`.
    fn permute_node(&self, node: &mut Self::Node, perm: &[u8]);
    fn permute_monitor(&self, monitor: &mut Self::Monitor, perm: &[u8]);
}

/// A bit set over members renamed by `perm` (bit `i` moves to bit `perm[i]`).
pub fn permute_bits(bits: u64, perm: &[u8]) -> u64 {
    let mut out = 0;
    for (i, &to) in perm.iter().enumerate() {
        if bits & 1 << i != 0 {
            out |= 1 << to;
        }
    }
    out
}

/// 64-bit fingerprint of an encoded state. Deterministic (no random seed), so the same search
/// visits the same states in every run; mixes eight bytes at a time.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = 0x243F_6A88_85A3_08D3 ^ (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(last))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    // Final avalanche (from MurmurHash3's fmix64) so every input bit reaches every output bit.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_every_width() {
        let mut w = Writer::default();
        let samples = [0, 1, 127, 128, 300, u32::MAX as u64, u64::MAX];
        for v in samples {
            w.varint(v);
        }
        assert_eq!(w.bytes[0], 0);
        let mut r = Reader::new(&w.bytes);
        for v in samples {
            assert_eq!(r.varint(), v);
        }
        assert_eq!(r.remaining(), 0);
        // Past the end: zeros, no panic.
        assert_eq!(r.varint(), 0);
    }

    #[test]
    fn fingerprints_differ_for_near_identical_states() {
        let a = fingerprint(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let b = fingerprint(&[1, 2, 3, 4, 5, 6, 7, 8, 8]);
        let c = fingerprint(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, fingerprint(&[1, 2, 3, 4, 5, 6, 7, 8, 9]));
    }
}
