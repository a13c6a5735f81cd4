//! The set of states already seen: fingerprint -> parent fingerprint, split into shards each
//! behind its own lock so workers rarely wait on each other.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Fingerprints are already uniform hashes; this only spreads the bits the shard index used
/// (the top ones) so the table's own control bytes stay varied within a shard.
#[derive(Default)]
pub struct Remix(u64);

impl Hasher for Remix {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | *b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, v: u64) {
        // An odd multiplier is a bijection: the low bits (bucket index) stay those of the
        // fingerprint, the high bits (control byte) mix in all of them.
        self.0 = v.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Table = HashMap<u64, u64, BuildHasherDefault<Remix>>;

/// The fingerprints of the level being expanded.
pub type Level = std::collections::HashSet<u64, BuildHasherDefault<Remix>>;

/// What an insert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insert {
    Fresh,
    Known,
    /// The table could not grow: memory ran out.
    Full,
}

/// Bytes a hash table of `capacity` entries holds: a power-of-two bucket count at 7/8 load, each
/// bucket a (u64, u64) pair plus a control byte.
pub fn table_bytes(capacity: usize) -> u64 {
    if capacity == 0 {
        return 0;
    }
    let buckets = (capacity * 8 / 7).max(4).next_power_of_two() as u64;
    buckets * 17 + 16
}

const SHARD_BITS: u32 = 8;

pub struct Visited {
    shards: Vec<Mutex<Table>>,
    /// What the shards' tables hold, in bytes, kept as they grow (for the memory budget).
    bytes: AtomicU64,
}

impl Visited {
    pub fn new() -> Self {
        Visited {
            shards: (0..1 << SHARD_BITS)
                .map(|_| Mutex::new(Table::default()))
                .collect(),
            bytes: AtomicU64::new(0),
        }
    }

    fn shard(&self, fp: u64) -> &Mutex<Table> {
        &self.shards[(fp >> (64 - SHARD_BITS)) as usize]
    }

    /// Records `fp` as reached from `parent`, a state of `level`. A state already known keeps the
    /// smallest parent among those of the level that first reached it: parents then do not depend
    /// on which thread got there first, so neither does a counterexample.
    pub fn insert(&self, fp: u64, parent: u64, level: &Level) -> Insert {
        let Ok(mut t) = self.shard(fp).lock() else {
            return Insert::Known;
        };
        if let Some(old) = t.get_mut(&fp) {
            if parent < *old && level.contains(old) {
                *old = parent;
            }
            return Insert::Known;
        }
        let before = t.capacity();
        if t.try_reserve(1).is_err() {
            return Insert::Full;
        }
        t.insert(fp, parent);
        if t.capacity() != before {
            self.bytes.fetch_add(
                table_bytes(t.capacity()) - table_bytes(before),
                Ordering::Relaxed,
            );
        }
        Insert::Fresh
    }

    /// Bytes the table holds.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    fn parent(&self, fp: u64) -> Option<u64> {
        self.shard(fp).lock().ok()?.get(&fp).copied()
    }

    pub fn len(&self) -> u64 {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |t| t.len() as u64))
            .sum()
    }

    /// The fingerprints from the root to `fp`, following parents.
    pub fn chain(&self, fp: u64, root: u64) -> Result<Vec<u64>, String> {
        let mut chain = vec![fp];
        let mut at = fp;
        while at != root {
            at = self
                .parent(at)
                .ok_or("a state on the counterexample path was not recorded")?;
            chain.push(at);
            if chain.len() > 1 << 20 {
                return Err("the counterexample path does not lead back to the start".into());
            }
        }
        chain.reverse();
        Ok(chain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_new_once_and_its_chain_leads_to_the_root() {
        let v = Visited::new();
        let none = Level::default();
        assert_eq!(v.insert(1, 1, &none), Insert::Fresh);
        assert_eq!(v.insert(u64::MAX, 1, &none), Insert::Fresh);
        assert_eq!(v.insert(7, u64::MAX, &none), Insert::Fresh);
        assert_eq!(v.insert(7, 1, &none), Insert::Known);
        assert_eq!(v.len(), 3);
        assert_eq!(v.chain(7, 1).unwrap(), vec![1, u64::MAX, 7]);
        assert!(v.chain(99, 1).is_err());
        assert!(v.bytes() > 0);
    }

    #[test]
    fn a_state_keeps_its_smallest_parent_from_the_level_that_found_it() {
        let v = Visited::new();
        let none = Level::default();
        v.insert(1, 1, &none);
        let level: Level = [30, 20, 10].into_iter().collect();
        v.insert(5, 30, &level);
        v.insert(5, 10, &level);
        v.insert(5, 20, &level);
        assert_eq!(v.chain(5, 1).ok().map(|c| c[0]), None, "10 is not recorded");
        v.insert(10, 1, &none);
        assert_eq!(v.chain(5, 1).unwrap(), vec![1, 10, 5]);
        // A parent from a later level never replaces one from the level that found the state.
        let later: Level = [2].into_iter().collect();
        v.insert(5, 2, &later);
        assert_eq!(v.chain(5, 1).unwrap(), vec![1, 10, 5]);
    }
}
