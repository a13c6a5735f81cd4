//! Single-decree Paxos's views: the graph of proposers, acceptors and learners, the inspector,
//! the controls, safety bar and settings, and "Can this break?".

pub mod explore_panel;
pub mod graph;
pub mod inspector;
pub mod panels;
