//! A vector that clones in O(chunks) by sharing fixed-size chunks until one is written.
//! The vote history grows with every ballot of a run, and every checkpoint of a long trace holds
//! a copy of it: sharing the untouched chunks keeps a million-step timeline small.

use std::sync::Arc;

/// Entries per chunk unless a user picks another size (`N`): a write un-shares one chunk, so
/// large entries want small chunks.
const CHUNK: usize = 16;

#[derive(Clone, Debug)]
pub struct CowVec<T: Clone + Default, const N: usize = CHUNK> {
    chunks: Vec<Arc<[T; N]>>,
}

impl<T: Clone + Default, const N: usize> Default for CowVec<T, N> {
    fn default() -> Self {
        CowVec { chunks: Vec::new() }
    }
}

impl<T: Clone + Default, const N: usize> CowVec<T, N> {
    /// The entry at `i`, or `None` past the end (entries past the end read as default).
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / N).map(|c| &c[i % N])
    }

    /// The entry at `i`, growing the vector with defaults and un-sharing its chunk as needed.
    pub fn get_mut(&mut self, i: usize) -> &mut T {
        let chunk = i / N;
        while self.chunks.len() <= chunk {
            self.chunks
                .push(Arc::new(std::array::from_fn(|_| T::default())));
        }
        &mut Arc::make_mut(&mut self.chunks[chunk])[i % N]
    }

    /// Every entry slot that exists, defaults included.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// The entry slots from `i` on, reached without walking those before it.
    pub fn iter_from(&self, i: usize) -> impl Iterator<Item = &T> {
        let first = self.chunks.get(i / N).map_or(&[][..], |c| &c[i % N..]);
        first
            .iter()
            .chain(self.chunks.iter().skip(i / N + 1).flat_map(|c| c.iter()))
    }

    /// How many entry slots exist (a multiple of the chunk size).
    pub fn capacity(&self) -> usize {
        self.chunks.len() * N
    }
}

impl<T: Clone + Default + PartialEq, const N: usize> PartialEq for CowVec<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.chunks.len() == other.chunks.len()
            && self
                .chunks
                .iter()
                .zip(&other.chunks)
                .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
    }
}

impl<T: Clone + Default + Eq, const N: usize> Eq for CowVec<T, N> {}

/// Hashed as chunks of `CHUNK` entries would be, whatever `N` is: saved traces record the
/// world's state hash, so the chunk size must not show in it. (With another `N`, entries are
/// hashed one by one, as `Hash::hash_slice` does for every type that does not override it.)
impl<T: Clone + Default + std::hash::Hash, const N: usize> std::hash::Hash for CowVec<T, N> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if N == CHUNK {
            state.write_usize(self.chunks.len());
            for c in &self.chunks {
                c.hash(state);
            }
            return;
        }
        let groups = self.capacity().div_ceil(CHUNK);
        state.write_usize(groups);
        let default = T::default();
        for g in 0..groups {
            state.write_usize(CHUNK);
            for i in g * CHUNK..(g + 1) * CHUNK {
                self.get(i).unwrap_or(&default).hash(state);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_is_unaffected_by_later_writes_to_the_original() {
        let mut v: CowVec<u32> = CowVec::default();
        *v.get_mut(3) = 7;
        *v.get_mut(1000) = 9;
        let snapshot = v.clone();
        *v.get_mut(3) = 8;
        assert_eq!(snapshot.get(3), Some(&7));
        assert_eq!(v.get(3), Some(&8));
        assert_eq!(v.get(1000), Some(&9));
        assert_eq!(v.get(5000), None);
        let tail: Vec<u32> = v.iter_from(998).take(4).copied().collect();
        assert_eq!(tail, vec![0, 0, 9, 0]);
        assert_eq!(v.iter_from(2).next(), Some(&0));
        assert_eq!(v.iter_from(3).next(), Some(&8));
        assert_eq!(v.iter_from(5000).next(), None);
    }
}
