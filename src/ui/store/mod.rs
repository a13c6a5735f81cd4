//! The workspace every replicated store protocol shares (Multi-Paxos, Raft): the window body, its
//! cluster graph, its "Can this break?" and its new-run settings. A protocol plugs in its own
//! panels from its folder (`ui/multipaxos`, `ui/raft`).

pub mod app;
pub mod explore;
pub mod graph;
pub mod settings;
