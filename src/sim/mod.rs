//! The simulation: protocol handlers, the network, faults and safety checks. A pure state
//! machine with no egui, no I/O and no clock, so every run can be replayed byte for byte.

pub mod canon;
pub mod config;
pub mod cowvec;
pub mod hash;
pub mod ids;
pub mod network;
pub mod paxos;
pub mod protocol;
pub mod rng;
pub mod scheduler;
pub mod world;

pub use config::{Config, Flaw};
pub use ids::{Ballot, MsgId, NodeId, Role, Value};
pub use paxos::Paxos;
pub use protocol::{Protocol, Violation};
pub use scheduler::{Knobs, Scheduler};
pub use world::{Action, ActionError, Event, Timing, World};

/// The world running single-decree Paxos.
pub type PaxosWorld = World<Paxos>;

impl Config {
    pub fn timing(&self) -> Timing {
        Timing {
            seed: self.seed,
            latency: self.latency,
            timeout: self.timeout,
        }
    }

    /// A fresh world for this config (validate the config first).
    pub fn world(&self) -> PaxosWorld {
        World::new(Paxos::new(self), self.timing())
    }
}
