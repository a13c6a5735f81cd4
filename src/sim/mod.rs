//! The generic engine: the world (nodes, clock, faults, timers, trace events), the network, the
//! auto-scheduler, node and message ids and the explorer's canonical writer. A pure state machine
//! with no egui, no I/O and no clock, so every run can be replayed byte for byte. It names no
//! protocol: each one plugs in through `protocol::Protocol` (see `crate::protocols`).

pub mod bounds;
pub mod canon;
pub mod cowvec;
pub mod hash;
pub mod ids;
pub mod network;
pub mod protocol;
pub mod pvec;
pub mod rng;
pub mod scheduler;
pub mod words;
pub mod world;

pub use ids::{MsgId, NodeId, Role};
pub use protocol::{Protocol, Violation};
pub use scheduler::{Knobs, Scheduler};
pub use world::{Action, ActionError, Event, Timing, World};
