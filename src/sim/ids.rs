//! Names every layer shares: node ids (`P1`, `S2`, `C1`) and message ids. A node id is a role
//! letter and a number; each protocol declares which roles it has and what they are called. They
//! are small `Copy` types so the simulation moves them without allocating, and they print and
//! parse exactly as the UI, traces and lessons spell them.

use std::fmt;
use std::str::FromStr;

/// Serialises a type through its `Display` / `FromStr` pair, so files hold `"P1"` and `"2.1"`
/// rather than structs.
macro_rules! serde_as_string {
    ($ty:ty, $expecting:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}
pub(crate) use serde_as_string;

/// A number written the one way ids print it: decimal digits only, no sign, no leading zero
/// (`P01` and `P+1` are not `P1`).
pub(crate) fn plain_number<T: FromStr>(s: &str) -> Option<T> {
    let plain =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    plain.then(|| s.parse().ok()).flatten()
}

/// The most nodes of one role: protocols keep sets of nodes as `u64` bit masks.
pub const MAX_PER_ROLE: u8 = 64;

/// Every role letter a protocol may use, in a fixed order. A protocol declares its roles by
/// letter (and names them itself); a role hashes and sorts by its place here, so a new letter goes
/// at the end and the state hashes recorded in earlier traces never move.
const ROLE_LETTERS: &[u8] = b"PALSC";

/// A node's role, as its letter (`P`, `A`, `S`, ...). What the role does is the protocol's business.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Role(u8);

impl Role {
    /// The role with this letter; `None` for a letter no protocol uses.
    pub const fn from_letter(letter: char) -> Option<Role> {
        let mut i = 0;
        while i < ROLE_LETTERS.len() {
            if ROLE_LETTERS[i] as u32 == letter as u32 {
                return Some(Role(i as u8));
            }
            i += 1;
        }
        None
    }

    /// For a protocol's constants: panics at compile time on a letter not in the table.
    pub const fn new(letter: char) -> Role {
        match Role::from_letter(letter) {
            Some(role) => role,
            None => panic!("a role letter missing from ROLE_LETTERS"),
        }
    }

    pub fn letter(self) -> char {
        ROLE_LETTERS[self.0 as usize] as char
    }
}

impl PartialOrd for Role {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Role {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

// Hashed as a field-less enum's discriminant is (an `isize`), as roles were before protocols
// declared them, so the state hashes in version-1 traces still match.
impl std::hash::Hash for Role {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_isize(self.0 as isize);
    }
}

/// A node: its role and its 1-based number within the role (`A2` is the second acceptor).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct NodeId {
    pub role: Role,
    pub index: u8,
}

impl NodeId {
    pub const fn new(role: Role, index: u8) -> Self {
        NodeId { role, index }
    }
    /// This node's bit in a `u64` set of nodes of the same role.
    pub fn bit(self) -> u64 {
        1u64 << (self.index - 1)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}{}", self.role.letter(), self.index)
    }
}

impl FromStr for NodeId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a node id (expected P1, A2, S1, C1, ...)");
        let mut chars = s.chars();
        let role = chars.next().and_then(Role::from_letter).ok_or_else(bad)?;
        let index: u8 = plain_number(chars.as_str()).ok_or_else(bad)?;
        if index == 0 || index > MAX_PER_ROLE {
            return Err(format!("`{s}`: node numbers run from 1 to {MAX_PER_ROLE}"));
        }
        Ok(NodeId { role, index })
    }
}
serde_as_string!(NodeId, "a node id such as \"P1\", \"A2\" or \"S1\"");

/// Lists a set of nodes of one role as `A1 A2 A3`.
pub fn members(role: Role, mask: u64) -> String {
    let mut out = String::new();
    for i in 0..64u8 {
        if mask & (1 << i) != 0 {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&NodeId::new(role, i + 1).to_string());
        }
    }
    out
}

/// A message's stable id: assigned in send order, never reused within a run.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct MsgId(pub u32);

impl fmt::Display for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_only_as_they_print() {
        for bad in ["P+1", "P01", "P 1", "P1 ", "P", "A-2", "P0"] {
            assert!(bad.parse::<NodeId>().is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn node_ids_print_and_parse_alike() {
        for s in ["P1", "A3", "L12", "S2", "C1"] {
            assert_eq!(s.parse::<NodeId>().unwrap().to_string(), s);
        }
        assert!("X1".parse::<NodeId>().is_err());
        assert!("A0".parse::<NodeId>().is_err());
        assert!("A65".parse::<NodeId>().is_err());
        assert!("A".parse::<NodeId>().is_err());
    }

    #[test]
    fn roles_sort_and_hash_by_their_place_in_the_table() {
        use std::hash::{Hash, Hasher};
        let p = Role::new('P');
        let a = Role::new('A');
        assert!(p < a);
        let mut h = crate::sim::hash::StableHasher::default();
        a.hash(&mut h);
        let mut old = crate::sim::hash::StableHasher::default();
        old.write_isize(1);
        assert_eq!(
            h.finish(),
            old.finish(),
            "a role hashes as the enum it replaced"
        );
    }
}
