//! The protocols the world can run. Each brings its messages, node state, pure handlers, safety
//! monitor, deliberate flaws, canonical encoding for the explorer and a describe part that the
//! views, exports and lessons read; `sim` runs any of them and names none.

pub mod byzantine;
pub mod ids;
pub mod kv;
pub mod multipaxos;
pub mod paxos;
pub mod pbft;
pub mod plugin;
pub mod raft;

pub use ids::{Ballot, Value};
pub use plugin::Plugin;

/// The registry: calls `$callback! { (args) Tag: folder::Type, ... }` over every protocol, in the
/// order pickers and `--protocol`'s help list them (see `crate::registry` for what is made of
/// it). `folder` is the protocol's folder here.
#[doc(hidden)]
#[macro_export]
macro_rules! each_protocol {
    ($callback:ident ! ( $($args:tt)* )) => {
        $crate::$callback! { ($($args)*)
            Paxos: paxos::Paxos,
            MultiPaxos: multipaxos::MultiPaxos,
            Raft: raft::Raft,
            Pbft: pbft::Pbft,
        }
    };
}
