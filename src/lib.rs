//! paxos-lab: watch, break and fix Paxos. The library holds the deterministic simulation
//! (`sim`) and the trace format (`trace`); the binary is a thin CLI over them.

pub mod bench;
pub mod cli;
pub mod explore;
pub mod export;
pub mod fsutil;
pub mod lesson;
pub mod palette;
pub mod protocols;
pub mod session;
pub mod sim;
pub mod trace;
pub mod ui;
