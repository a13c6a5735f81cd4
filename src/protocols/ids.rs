//! Names the Paxos family shares: ballots (`2.1`) and short values (`"A"`, a key, a number). Both
//! are small `Copy` types that print and parse exactly as traces and lessons spell them.

use std::fmt;
use std::str::FromStr;

use crate::sim::ids::{plain_number, serde_as_string};

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

/// A proposed value: a short string stored inline so messages that carry one stay `Copy`.
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

impl crate::sim::protocol::Request for Value {
    fn fmt_arg(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// A ballot as one integer, ordered as ballots are (round first).
pub fn pack_ballot(b: Ballot) -> u64 {
    ((b.round as u64) << 8) | b.proposer as u64
}

pub fn unpack_ballot(v: u64) -> Ballot {
    Ballot::new((v >> 8) as u32, v as u8)
}

/// The values a run can carry, so a value is stored as its small index. In an explored run every
/// value comes from a client request, and the explorer fixes those up front.
#[derive(Clone, Debug, Default)]
pub struct Values(Vec<Value>);

impl Values {
    pub fn new(values: Vec<Value>) -> Self {
        Values(values)
    }

    /// 1-based, so 0 can stand for "no value".
    pub fn code(&self, v: Value) -> u64 {
        match self.0.iter().position(|x| *x == v) {
            Some(i) => i as u64 + 1,
            None => {
                debug_assert!(false, "value {v} is not in the explorer's table");
                0
            }
        }
    }

    pub fn value(&self, code: u64) -> Value {
        self.0
            .get((code as usize).wrapping_sub(1))
            .copied()
            .unwrap_or_else(|| Value::letter_for(0))
    }

    pub fn code_opt(&self, v: Option<Value>) -> u64 {
        v.map_or(0, |v| self.code(v))
    }

    pub fn value_opt(&self, code: u64) -> Option<Value> {
        (code != 0).then(|| self.value(code))
    }

    pub fn as_slice(&self) -> &[Value] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballots_are_read_only_as_they_print() {
        for bad in ["+1.1", "01.1", "1.+2", "1.01", ""] {
            assert!(bad.parse::<Ballot>().is_err(), "{bad} was accepted");
        }
        assert_eq!("2.1".parse::<Ballot>().unwrap().to_string(), "2.1");
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

    #[test]
    fn ballots_pack_in_ballot_order() {
        let a = Ballot::new(1, 3);
        let b = Ballot::new(2, 1);
        assert!(pack_ballot(a) < pack_ballot(b));
        assert_eq!(unpack_ballot(pack_ballot(b)), b);
    }
}

crate::sim::words::same_in_both!(Ballot, Value);
