//! The set of states already seen: fingerprint -> parent fingerprint, split into shards each
//! behind its own lock so workers rarely wait on each other.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

/// Fingerprints are already uniform hashes; this only spreads the bits the shard index used
/// (the top ones) so the table's own control bytes stay varied within a shard.
#[derive(Default)]
struct Remix(u64);

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

const SHARD_BITS: u32 = 8;

pub struct Visited {
    shards: Vec<Mutex<Table>>,
}

impl Visited {
    pub fn new() -> Self {
        Visited {
            shards: (0..1 << SHARD_BITS)
                .map(|_| Mutex::new(Table::default()))
                .collect(),
        }
    }

    fn shard(&self, fp: u64) -> &Mutex<Table> {
        &self.shards[(fp >> (64 - SHARD_BITS)) as usize]
    }

    /// Records `fp` as reached from `parent`; false if it was already known.
    pub fn insert(&self, fp: u64, parent: u64) -> bool {
        match self.shard(fp).lock() {
            Ok(mut t) => match t.entry(fp) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(parent);
                    true
                }
            },
            Err(_) => false,
        }
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
        assert!(v.insert(1, 1));
        assert!(v.insert(u64::MAX, 1));
        assert!(v.insert(7, u64::MAX));
        assert!(!v.insert(7, 1));
        assert_eq!(v.len(), 3);
        assert_eq!(v.chain(7, 1).unwrap(), vec![1, u64::MAX, 7]);
        assert!(v.chain(99, 1).is_err());
    }
}
