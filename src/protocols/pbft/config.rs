//! A PBFT run's configuration: replicas, the faults they are meant to tolerate, clients, flaws,
//! seed and timing. Plain serde data, as a trace file and a lesson record it.

use serde::{Deserialize, Serialize};

use std::fmt;
use std::str::FromStr;

use crate::protocols::kv::Workload;
use crate::sim::ids::serde_as_string;

/// A deliberate bug, each breaking one rule of PBFT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flaw {
    /// A new primary ignores the prepared certificates in the view changes it collected and
    /// fills every sequence number below the highest with a no-op.
    IgnoreCertificates,
}

impl Flaw {
    pub const ALL: [Flaw; 1] = [Flaw::IgnoreCertificates];

    pub fn name(self) -> &'static str {
        match self {
            Flaw::IgnoreCertificates => "ignore-certificates",
        }
    }

    pub fn parse(s: &str) -> Result<Flaw, String> {
        Flaw::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Flaw::ALL.iter().map(|f| f.name()).collect();
                format!("`{s}` is not a PBFT flaw (known: {})", names.join(", "))
            })
    }

    /// The rule of correct PBFT that this flaw breaks.
    pub fn broken_rule(self) -> &'static str {
        match self {
            Flaw::IgnoreCertificates => {
                "a new primary re-proposes every request prepared in the view changes it collected"
            }
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
        Flaw::parse(s)
    }
}
serde_as_string!(Flaw, "a flaw name such as \"ignore-certificates\"");

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Replicas `S1..Sn` (n = 3f + 1 by default).
    pub servers: u8,
    /// f, the Byzantine replicas the quorums are sized for: a replica waits for n - f matching
    /// messages (2f + 1 when n = 3f + 1), a client for f + 1 matching replies. Nothing stops a
    /// run from having more liars than this, or fewer replicas than 3f + 1: that is the lesson.
    pub faults: u8,
    pub clients: u8,
    pub flaws: Vec<Flaw>,
    pub seed: u64,
    /// Message delay in ticks, drawn uniformly from this range (both ends included).
    pub latency: (u32, u32),
    /// How long a backup waits for a request it has seen to execute before it asks for a view
    /// change (drawn from `timeout..=2 * timeout`); a client retries, to every replica, after
    /// twice it.
    pub timeout: u32,
    #[serde(skip_serializing_if = "Workload::is_mixed")]
    pub workload: Workload,
    /// Replicas that may lie: they follow the rules but may also send any message of the
    /// protocol's `lies`, and the monitor judges only the others.
    #[serde(skip_serializing_if = "crate::protocols::byzantine::none")]
    pub byzantine: Vec<crate::sim::NodeId>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            servers: 4,
            faults: 1,
            clients: 2,
            flaws: Vec::new(),
            seed: 1,
            latency: (5, 15),
            timeout: 60,
            workload: Workload::Mixed,
            byzantine: Vec::new(),
        }
    }
}

impl Config {
    pub fn validate(&self) -> Result<(), String> {
        crate::protocols::kv::validate_cluster(
            self.servers,
            self.clients,
            self.latency,
            self.timeout,
            &self.flaws,
            &self.byzantine,
        )?;
        if self.faults as u32 * 2 >= self.servers as u32 {
            return Err(format!(
                "faults: with {} replicas, f must be below {} (quorums of n - f replicas must \
                 be a majority), not {}",
                self.servers,
                self.servers.div_ceil(2),
                self.faults
            ));
        }
        Ok(())
    }

    /// The replicas a quorum needs: n - f (2f + 1 when n = 3f + 1).
    pub fn quorum(&self) -> u8 {
        self.servers - self.faults
    }

    /// Whether the replicas are enough for the liars the config names and for f: n >= 3f + 1
    /// with f at least the number of liars.
    pub fn bound_holds(&self) -> bool {
        let f = self.faults.max(self.byzantine.len() as u8) as u32;
        self.servers as u32 > 3 * f
    }

    /// The bound in words, for `simulate`'s warnings and the app.
    pub fn bound_words(&self) -> String {
        let liars = self.byzantine.len();
        let f = self.faults as u32;
        if self.servers as u32 <= 3 * f {
            format!(
                "n = {} < 3f + 1 = {}: two quorums of {} replicas may meet only in a liar",
                self.servers,
                3 * f + 1,
                self.quorum()
            )
        } else if liars as u32 > f {
            format!(
                "{liars} liars, but the quorums are sized for f = {f}: honest replicas may be \
                 outvoted"
            )
        } else {
            format!(
                "n = {} >= 3f + 1 = {}: any two quorums of {} share an honest replica",
                self.servers,
                3 * f + 1,
                self.quorum()
            )
        }
    }
}

crate::store_config!(Config, Flaw, faults = faults);
