//! Names shared by every layer: node ids (`P1`, `A2`, `L1`), ballots (`2.1`), values (`"A"`) and message ids.
//! They are small `Copy` types so the simulation can move them around without allocating, and they
//! print and parse exactly as the UI, traces and lessons spell them.

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
fn plain_number<T: FromStr>(s: &str) -> Option<T> {
    let plain =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    plain.then(|| s.parse().ok()).flatten()
}

/// The most nodes of one role: acceptor and learner sets are `u64` bit masks.
pub const MAX_PER_ROLE: u8 = 64;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Role {
    Proposer,
    Acceptor,
    Learner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Proposer, Role::Acceptor, Role::Learner];

    pub fn letter(self) -> char {
        match self {
            Role::Proposer => 'P',
            Role::Acceptor => 'A',
            Role::Learner => 'L',
        }
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
    pub const fn proposer(index: u8) -> Self {
        Self::new(Role::Proposer, index)
    }
    pub const fn acceptor(index: u8) -> Self {
        Self::new(Role::Acceptor, index)
    }
    pub const fn learner(index: u8) -> Self {
        Self::new(Role::Learner, index)
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
        let mut chars = s.chars();
        let role = match chars.next() {
            Some('P') => Role::Proposer,
            Some('A') => Role::Acceptor,
            Some('L') => Role::Learner,
            _ => return Err(format!("`{s}` is not a node id (expected P1, A2, L1, ...)")),
        };
        let index: u8 = plain_number(chars.as_str())
            .ok_or_else(|| format!("`{s}` is not a node id (expected P1, A2, L1, ...)"))?;
        if index == 0 || index > MAX_PER_ROLE {
            return Err(format!("`{s}`: node numbers run from 1 to {MAX_PER_ROLE}"));
        }
        Ok(NodeId { role, index })
    }
}
serde_as_string!(NodeId, "a node id such as \"P1\", \"A2\" or \"L1\"");

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

/// A ballot (proposal number): ordered by round, then by proposer, so two proposers never share one.
/// Proposer 0 marks the `reuse-ballot` flaw, where ballots are bare rounds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Ballot {
    pub round: u32,
    pub proposer: u8,
}

impl Ballot {
    /// Below every real ballot: what an acceptor has promised before its first Prepare.
    pub const ZERO: Ballot = Ballot {
        round: 0,
        proposer: 0,
    };
    pub const fn new(round: u32, proposer: u8) -> Self {
        Ballot { round, proposer }
    }
    pub fn is_zero(self) -> bool {
        self == Ballot::ZERO
    }
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.proposer == 0 {
            write!(f, "{}", self.round)
        } else {
            write!(f, "{}.{}", self.round, self.proposer)
        }
    }
}

impl FromStr for Ballot {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a ballot (expected round.proposer, such as 2.1)");
        match s.split_once('.') {
            Some((r, p)) => Ok(Ballot::new(
                plain_number(r).ok_or_else(bad)?,
                plain_number(p).ok_or_else(bad)?,
            )),
            None => Ok(Ballot::new(plain_number(s).ok_or_else(bad)?, 0)),
        }
    }
}
serde_as_string!(Ballot, "a ballot such as \"2.1\"");

/// A proposed value: a short string stored inline so messages stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Value {
    len: u8,
    bytes: [u8; Value::MAX_LEN],
}

impl Value {
    pub const MAX_LEN: usize = 15;

    pub fn new(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err("a value cannot be empty".into());
        }
        if s.len() > Self::MAX_LEN {
            return Err(format!(
                "value `{s}` is too long: at most {} bytes",
                Self::MAX_LEN
            ));
        }
        let mut bytes = [0; Self::MAX_LEN];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Ok(Value {
            len: s.len() as u8,
            bytes,
        })
    }

    /// The value a proposer offers by default: `A` for P1, `B` for P2, ... (then `P27`, ...).
    pub fn letter_for(proposer: u8) -> Self {
        let name = if (1..=26).contains(&proposer) {
            ((b'A' + proposer - 1) as char).to_string()
        } else {
            format!("P{proposer}")
        };
        Value::new(&name).expect("short default value")
    }

    pub fn as_str(&self) -> &str {
        // Only `new` builds a Value, from a whole &str.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("?")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl FromStr for Value {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Value::new(s)
    }
}
serde_as_string!(Value, "a value such as \"A\"");

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
        for bad in ["+1.1", "01.1", "1.+2", "1.01", ""] {
            assert!(bad.parse::<Ballot>().is_err(), "{bad} was accepted");
        }
        assert_eq!("2.1".parse::<Ballot>().unwrap().to_string(), "2.1");
    }

    #[test]
    fn node_ids_print_and_parse_alike() {
        for s in ["P1", "A3", "L12"] {
            assert_eq!(s.parse::<NodeId>().unwrap().to_string(), s);
        }
        assert!("X1".parse::<NodeId>().is_err());
        assert!("A0".parse::<NodeId>().is_err());
        assert!("A65".parse::<NodeId>().is_err());
        assert!("A".parse::<NodeId>().is_err());
    }

    #[test]
    fn ballots_order_by_round_then_proposer() {
        assert!(Ballot::new(1, 2) < Ballot::new(2, 1));
        assert!(Ballot::new(2, 1) < Ballot::new(2, 2));
        assert_eq!("2.1".parse::<Ballot>().unwrap(), Ballot::new(2, 1));
        assert_eq!(Ballot::new(3, 0).to_string(), "3");
    }

    #[test]
    fn values_hold_short_strings_only() {
        assert_eq!(Value::new("咖啡").unwrap().as_str(), "咖啡");
        assert!(Value::new("").is_err());
        assert!(Value::new("0123456789abcdef").is_err());
        assert_eq!(Value::letter_for(2).as_str(), "B");
    }
}
