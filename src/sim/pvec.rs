//! A growable vector whose clone costs almost nothing: entries live in shared leaves of
//! `LEAF` entries, leaves in shared pages of `PAGE` leaves, and a write copies only the leaf and
//! page it touches. A Raft log and the monitor's records of it grow with every step of a run,
//! and every checkpoint of a long timeline holds a copy: with a plain `Vec` a million-step run
//! needs memory quadratic in its length, with this one linear (a clone copies one pointer per
//! `LEAF * PAGE` entries).

use std::sync::Arc;

const LEAF: usize = 32;
const PAGE: usize = 32;
const PER_PAGE: usize = LEAF * PAGE;

type Leaf<T> = Arc<Vec<T>>;
type Page<T> = Arc<Vec<Leaf<T>>>;

#[derive(Clone)]
pub struct PVec<T: Clone> {
    pages: Vec<Page<T>>,
    len: usize,
}

impl<T: Clone> Default for PVec<T> {
    fn default() -> Self {
        PVec {
            pages: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Clone> PVec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        (i < self.len).then(|| &self.pages[i / PER_PAGE][(i % PER_PAGE) / LEAF][i % LEAF])
    }

    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    /// The entry at `i` to change, copying its leaf and page first if they are shared.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        let page = Arc::make_mut(&mut self.pages[i / PER_PAGE]);
        let leaf = Arc::make_mut(&mut page[(i % PER_PAGE) / LEAF]);
        Some(&mut leaf[i % LEAF])
    }

    pub fn push(&mut self, value: T) {
        if self.len.is_multiple_of(PER_PAGE) {
            self.pages.push(Arc::new(Vec::with_capacity(1)));
        }
        let page = Arc::make_mut(self.pages.last_mut().expect("a page was just made"));
        if self.len.is_multiple_of(LEAF) {
            page.push(Arc::new(Vec::with_capacity(4)));
        }
        Arc::make_mut(page.last_mut().expect("a leaf was just made")).push(value);
        self.len += 1;
    }

    /// Keeps the first `len` entries.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.len = len;
        self.pages.truncate(len.div_ceil(PER_PAGE));
        let in_page = len % PER_PAGE;
        if in_page == 0 {
            return;
        }
        let Some(last) = self.pages.last_mut() else {
            return;
        };
        let page = Arc::make_mut(last);
        page.truncate(in_page.div_ceil(LEAF));
        let in_leaf = in_page % LEAF;
        if in_leaf != 0
            && let Some(leaf) = page.last_mut()
        {
            Arc::make_mut(leaf).truncate(in_leaf);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> + Clone {
        self.pages
            .iter()
            .flat_map(|p| p.iter())
            .flat_map(|l| l.iter())
    }

    /// The entries from `start` (at most `end`), reached without walking those before them.
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = &T> {
        let end = end.min(self.len);
        (start.min(end)..end)
            .map(move |i| &self.pages[i / PER_PAGE][(i % PER_PAGE) / LEAF][i % LEAF])
    }
}

impl<T: Clone> std::ops::Index<usize> for PVec<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(v) => v,
            None => panic!("index {i} out of range for a PVec of {}", self.len),
        }
    }
}

impl<T: Clone> FromIterator<T> for PVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut v = PVec::new();
        for x in iter {
            v.push(x);
        }
        v
    }
}

impl<'a, T: Clone> IntoIterator for &'a PVec<T> {
    type Item = &'a T;
    type IntoIter = Box<dyn Iterator<Item = &'a T> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<T: Clone + PartialEq> PartialEq for PVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && self.pages.iter().zip(&other.pages).all(|(a, b)| {
                Arc::ptr_eq(a, b)
                    || a.iter()
                        .zip(b.iter())
                        .all(|(x, y)| Arc::ptr_eq(x, y) || x == y)
            })
    }
}

impl<T: Clone + Eq> Eq for PVec<T> {}

impl<T: Clone + std::hash::Hash> std::hash::Hash for PVec<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.len);
        for x in self.iter() {
            x.hash(state);
        }
    }
}

impl<T: Clone + std::fmt::Debug> std::fmt::Debug for PVec<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Clone + PartialEq> PartialEq<Vec<T>> for PVec<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.len == other.len() && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

/// A map from small whole numbers (a term, a log index) to values, kept as a `PVec` of slots so
/// that it clones as cheaply.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PIndexMap<V: Clone> {
    slots: PVec<Option<V>>,
    len: usize,
}

impl<V: Clone> Default for PIndexMap<V> {
    fn default() -> Self {
        PIndexMap {
            slots: PVec::new(),
            len: 0,
        }
    }
}

impl<V: Clone> PIndexMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many keys have a value.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, key: usize) -> Option<&V> {
        self.slots.get(key).and_then(Option::as_ref)
    }

    /// The value at `key`, made (empty slots up to it included) if it has none.
    pub fn entry(&mut self, key: usize, make: impl FnOnce() -> V) -> &mut V {
        while self.slots.len() <= key {
            self.slots.push(None);
        }
        let slot = self.slots.get_mut(key).expect("grown to hold the key");
        if slot.is_none() {
            self.len += 1;
        }
        slot.get_or_insert_with(make)
    }

    pub fn insert(&mut self, key: usize, value: V) {
        let mut value = Some(value);
        let slot = self.entry(key, || value.take().expect("made once"));
        if let Some(v) = value {
            *slot = v;
        }
    }

    /// Every key with its value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &V)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    }
}

impl<V: Clone + std::fmt::Debug> std::fmt::Debug for PIndexMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V: Clone> FromIterator<(usize, V)> for PIndexMap<V> {
    fn from_iter<I: IntoIterator<Item = (usize, V)>>(iter: I) -> Self {
        let mut m = PIndexMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

/// A first-in, first-out queue on a `PVec`: taking from the front moves a mark rather than
/// shifting the rest, and a clone costs what a `PVec`'s does. (A client's waiting requests: a
/// long run can give thousands, and every checkpoint holds a copy.) Two queues are equal when
/// they hold the same items, however they got there.
#[derive(Clone)]
pub struct PQueue<T: Clone> {
    items: PVec<T>,
    head: usize,
}

impl<T: Clone> Default for PQueue<T> {
    fn default() -> Self {
        PQueue {
            items: PVec::new(),
            head: 0,
        }
    }
}

impl<T: Clone> PQueue<T> {
    pub fn len(&self) -> usize {
        self.items.len() - self.head
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push_back(&mut self, value: T) {
        self.items.push(value);
    }

    pub fn pop_front(&mut self) -> Option<T> {
        let value = self.items.get(self.head).cloned()?;
        self.head += 1;
        if self.head == self.items.len() {
            // Drained: what was taken is let go.
            *self = PQueue::default();
        }
        Some(value)
    }

    /// The waiting items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.range(self.head, self.items.len())
    }
}

impl<T: Clone + PartialEq> PartialEq for PQueue<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<T: Clone + Eq> Eq for PQueue<T> {}

impl<T: Clone + std::hash::Hash> std::hash::Hash for PQueue<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for x in self.iter() {
            x.hash(state);
        }
    }
}

impl<T: Clone + std::fmt::Debug> std::fmt::Debug for PQueue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Clone> FromIterator<T> for PQueue<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        PQueue {
            items: iter.into_iter().collect(),
            head: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Push(u32),
        Truncate(usize),
        Set(usize, u32),
        Snapshot,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => any::<u32>().prop_map(Op::Push),
            1 => (0usize..3000).prop_map(Op::Truncate),
            2 => (0usize..3000, any::<u32>()).prop_map(|(i, v)| Op::Set(i, v)),
            1 => Just(Op::Snapshot),
        ]
    }

    proptest! {
        /// Every operation does what it does to a `Vec`, and no later write reaches a clone.
        #[test]
        fn behaves_as_a_vec_and_clones_never_change(
            ops in proptest::collection::vec(op(), 0..4000)
        ) {
            let (mut p, mut v) = (PVec::new(), Vec::new());
            let mut snapshots: Vec<(PVec<u32>, Vec<u32>)> = Vec::new();
            for op in ops {
                match op {
                    Op::Push(x) => { p.push(x); v.push(x); }
                    Op::Truncate(n) => { p.truncate(n); v.truncate(n); }
                    Op::Set(i, x) => {
                        if let Some(e) = p.get_mut(i) { *e = x; }
                        if let Some(e) = v.get_mut(i) { *e = x; }
                    }
                    Op::Snapshot => snapshots.push((p.clone(), v.clone())),
                }
                prop_assert_eq!(p.len(), v.len());
            }
            prop_assert!(p == v);
            prop_assert_eq!(p.last(), v.last());
            let tail: Vec<u32> = p.range(v.len() / 2, v.len()).copied().collect();
            prop_assert_eq!(&tail[..], &v[v.len() / 2..]);
            for (snap, expected) in snapshots {
                prop_assert!(snap == expected);
                prop_assert_eq!(snap.iter().copied().collect::<Vec<_>>(), expected);
            }
        }
    }

    #[test]
    fn an_index_map_keeps_keys_in_order_and_counts_them() {
        let mut m: PIndexMap<&str> = PIndexMap::new();
        m.insert(7, "seven");
        m.insert(2, "two");
        *m.entry(7, || "new") = "SEVEN";
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(7), Some(&"SEVEN"));
        assert_eq!(m.get(3), None);
        assert_eq!(m.get(1000), None);
        let all: Vec<_> = m.iter().collect();
        assert_eq!(all, vec![(2, &"two"), (7, &"SEVEN")]);
    }

    #[test]
    fn a_queue_is_first_in_first_out_and_equal_by_its_items() {
        let mut q: PQueue<u32> = PQueue::default();
        for i in 0..100 {
            q.push_back(i);
        }
        let snapshot = q.clone();
        assert_eq!(q.pop_front(), Some(0));
        assert_eq!(q.pop_front(), Some(1));
        assert_eq!(q.len(), 98);
        assert_eq!(snapshot.len(), 100);
        let fresh: PQueue<u32> = (2..100).collect();
        assert_eq!(q, fresh);
        while q.pop_front().is_some() {}
        assert!(q.is_empty());
        assert_eq!(q, PQueue::default());
    }

    #[test]
    fn a_clone_shares_everything_until_written() {
        let big: PVec<u64> = (0..100_000).collect();
        let copy = big.clone();
        // One pointer per page of 1,024 entries.
        assert_eq!(copy.pages.len(), 100_000usize.div_ceil(PER_PAGE));
        assert!(Arc::ptr_eq(&copy.pages[50], &big.pages[50]));
        assert_eq!(copy, big);
    }
}
