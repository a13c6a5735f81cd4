//! A run's configuration: the cluster, its quorums, its deliberate flaws and the world's seed and
//! timing. It is what a trace file and a lesson record, so it is plain serde data.

use std::fmt;
use std::str::FromStr;

use crate::sim::ids::{MAX_PER_ROLE, NodeId, serde_as_string};

/// A deliberate bug, each breaking exactly one rule of Paxos so a lesson can show why it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flaw {
    /// Acceptors forget their promise and vote when they restart.
    Amnesia,
    /// Proposers ignore the values reported in promises and always propose their own.
    IgnorePromisedValue,
    /// Acceptors accept an Accept whose ballot is below their promise.
    AcceptLowerBallot,
    /// Quorums of floor(n/2) acceptors, which need not intersect.
    MinorityQuorum,
    /// Learners count Accepted votes for a value across different ballots.
    LearnerMixesBallots,
    /// Ballots are bare rounds (no proposer id), and acceptors answer a Prepare equal to their promise.
    ReuseBallot,
}

impl Flaw {
    pub const ALL: [Flaw; 6] = [
        Flaw::Amnesia,
        Flaw::IgnorePromisedValue,
        Flaw::AcceptLowerBallot,
        Flaw::MinorityQuorum,
        Flaw::LearnerMixesBallots,
        Flaw::ReuseBallot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Flaw::Amnesia => "amnesia",
            Flaw::IgnorePromisedValue => "ignore-promised-value",
            Flaw::AcceptLowerBallot => "accept-lower-ballot",
            Flaw::MinorityQuorum => "minority-quorum",
            Flaw::LearnerMixesBallots => "learner-mixes-ballots",
            Flaw::ReuseBallot => "reuse-ballot",
        }
    }

    /// The rule of correct Paxos that this flaw breaks.
    pub fn broken_rule(self) -> &'static str {
        match self {
            Flaw::Amnesia => "an acceptor's promise and vote are durable",
            Flaw::IgnorePromisedValue => {
                "a proposer proposes the value of the highest-ballot vote among its promises"
            }
            Flaw::AcceptLowerBallot => "an acceptor never accepts below its promise",
            Flaw::MinorityQuorum => "any two quorums intersect",
            Flaw::LearnerMixesBallots => "a value is chosen by a quorum in one ballot",
            Flaw::ReuseBallot => "every ballot belongs to one proposer",
        }
    }
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Flaw {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Flaw::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Flaw::ALL.iter().map(|f| f.name()).collect();
                format!("unknown flaw `{s}` (known: {})", names.join(", "))
            })
    }
}
serde_as_string!(Flaw, "a flaw name such as \"amnesia\"");

fn default_proposers() -> u8 {
    2
}
fn default_acceptors() -> u8 {
    3
}
fn default_learners() -> u8 {
    2
}
fn default_latency() -> (u32, u32) {
    (5, 15)
}
fn default_timeout() -> u32 {
    60
}

/// Everything that fixes a run besides its actions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_proposers")]
    pub proposers: u8,
    #[serde(default = "default_acceptors")]
    pub acceptors: u8,
    #[serde(default = "default_learners")]
    pub learners: u8,
    /// Phase-1 quorum size; a majority when absent.
    #[serde(default)]
    pub q1: Option<u8>,
    /// Phase-2 quorum size; a majority when absent.
    #[serde(default)]
    pub q2: Option<u8>,
    #[serde(default)]
    pub flaws: Vec<Flaw>,
    #[serde(default)]
    pub seed: u64,
    /// Message latency in ticks, inclusive range, drawn from the seeded generator.
    #[serde(default = "default_latency")]
    pub latency: (u32, u32),
    /// Ticks a proposer waits in a phase before its timer fires.
    #[serde(default = "default_timeout")]
    pub timeout: u32,
    /// Nodes that may lie (acceptors or proposers): they follow the rules but may also send
    /// any message of `Paxos::lies`, and the monitor judges only the others.
    #[serde(default, skip_serializing_if = "crate::protocols::byzantine::none")]
    pub byzantine: Vec<NodeId>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            proposers: default_proposers(),
            acceptors: default_acceptors(),
            learners: default_learners(),
            q1: None,
            q2: None,
            flaws: Vec::new(),
            seed: 0,
            latency: default_latency(),
            timeout: default_timeout(),
            byzantine: Vec::new(),
        }
    }
}

impl Config {
    pub fn has(&self, flaw: Flaw) -> bool {
        self.flaws.contains(&flaw)
    }

    /// Whether this cluster has the node `id`.
    pub fn has_node(&self, id: NodeId) -> bool {
        let count = match id.role {
            super::PROPOSER => self.proposers,
            super::ACCEPTOR => self.acceptors,
            _ => self.learners,
        };
        (1..=count).contains(&id.index)
    }

    /// A majority of the acceptors: the quorum size when `q1` or `q2` is not set.
    pub fn majority(&self) -> u8 {
        self.acceptors / 2 + 1
    }

    /// The phase-1 and phase-2 quorum sizes in force.
    pub fn quorums(&self) -> (u8, u8) {
        if self.has(Flaw::MinorityQuorum) {
            let q = (self.acceptors / 2).max(1);
            return (q, q);
        }
        let majority = self.majority();
        (self.q1.unwrap_or(majority), self.q2.unwrap_or(majority))
    }

    /// Whether every phase-1 quorum meets every phase-2 quorum (the condition for safety).
    pub fn quorums_intersect(&self) -> bool {
        let (q1, q2) = self.quorums();
        q1 as u16 + q2 as u16 > self.acceptors as u16
    }

    /// Checks the numbers make a runnable cluster; the message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        for (name, n) in [
            ("proposers", self.proposers),
            ("acceptors", self.acceptors),
            ("learners", self.learners),
        ] {
            if n == 0 || n > MAX_PER_ROLE {
                return Err(format!(
                    "{name}: must be between 1 and {MAX_PER_ROLE}, not {n}"
                ));
            }
        }
        for (name, q) in [("q1", self.q1), ("q2", self.q2)] {
            if let Some(q) = q
                && (q == 0 || q > self.acceptors)
            {
                return Err(format!(
                    "{name}: a quorum must be between 1 and the {} acceptors, not {q}",
                    self.acceptors
                ));
            }
        }
        let (lo, hi) = self.latency;
        if lo == 0 || lo > hi || hi > 1_000_000 {
            return Err(format!(
                "latency: need 1 <= min <= max <= 1000000 ticks, not ({lo}, {hi})"
            ));
        }
        if self.timeout == 0 || self.timeout > 10_000_000 {
            return Err(format!(
                "timeout: must be between 1 and 10000000 ticks, not {}",
                self.timeout
            ));
        }
        let mut seen = Vec::new();
        for f in &self.flaws {
            if seen.contains(f) {
                return Err(format!("flaws: `{f}` is listed twice"));
            }
            seen.push(*f);
        }
        let roster: Vec<NodeId> = [
            (super::PROPOSER, self.proposers),
            (super::ACCEPTOR, self.acceptors),
            (super::LEARNER, self.learners),
        ]
        .into_iter()
        .flat_map(|(role, n)| (1..=n).map(move |i| NodeId::new(role, i)))
        .collect();
        crate::protocols::byzantine::check(&self.byzantine, &roster, |id| {
            (id.role == super::LEARNER).then_some("a learner sends no messages")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majorities_by_default_and_minority_quorum_flaw_shrinks_them() {
        let mut c = Config {
            acceptors: 5,
            ..Config::default()
        };
        assert_eq!(c.quorums(), (3, 3));
        assert!(c.quorums_intersect());
        c.flaws.push(Flaw::MinorityQuorum);
        assert_eq!(c.quorums(), (2, 2));
        assert!(!c.quorums_intersect());
    }

    #[test]
    fn flexible_quorums_intersect_exactly_when_they_sum_past_n() {
        let c = Config {
            acceptors: 4,
            q1: Some(3),
            q2: Some(2),
            ..Config::default()
        };
        assert!(c.quorums_intersect());
        let c = Config { q1: Some(2), ..c };
        assert!(!c.quorums_intersect());
    }

    #[test]
    fn validation_names_the_bad_field() {
        let c = Config {
            q2: Some(4),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().starts_with("q2"));
        let c = Config {
            acceptors: 0,
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().starts_with("acceptors"));
        assert!(Config::default().validate().is_ok());
    }

    #[test]
    fn flaw_names_round_trip() {
        for f in Flaw::ALL {
            assert_eq!(f.name().parse::<Flaw>().unwrap(), f);
        }
        assert!("amnesiac".parse::<Flaw>().is_err());
    }
}
