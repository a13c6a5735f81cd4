//! The protocols the world can run. Each brings its messages, node state, pure handlers, safety
//! monitor, deliberate flaws, canonical encoding for the explorer and a describe part that the
//! views, exports and lessons read; `sim` runs any of them and names none.

pub mod ids;
pub mod kv;
pub mod multipaxos;
pub mod paxos;
pub mod plugin;
pub mod raft;

pub use ids::{Ballot, Value};
pub use plugin::Plugin;
