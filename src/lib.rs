//! paxos-lab: watch, break and fix Paxos. The library holds the deterministic engine (`sim`), the
//! protocols it runs (`protocols`: Paxos, Multi-Paxos), the trace format (`trace`), lessons, the
//! explorer, exports, the run's state (`session`) and the app (`ui`); the binary is a thin CLI.

#[cfg(not(target_arch = "wasm32"))]
pub mod bench;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod clock;
pub mod compare;
pub mod explore;
pub mod export;
pub mod fsutil;
pub mod lang;
pub mod lesson;
pub mod link;
pub mod palette;
pub mod protocols;
pub mod registry;
pub mod session;
pub mod sim;
pub mod trace;
pub mod ui;
