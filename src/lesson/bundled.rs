//! Everything the binary ships to read: every protocol's lessons and the side-by-side view's
//! fault scripts, as (file name, text). Headless, so that the app, the CLI's checks and links
//! (`crate::link`, which names a lesson by its file) read the one list; a protocol's own list
//! is its `Teach::BUNDLED`.

/// The lessons shipped inside the binary, so `cargo run --release` has them from anywhere.
pub const PAXOS: &[(&str, &str)] = &[
    (
        "00-the-problem.ron",
        include_str!("../../lessons/00-the-problem.ron"),
    ),
    (
        "01-happy-path.ron",
        include_str!("../../lessons/01-happy-path.ron"),
    ),
    (
        "02-majorities.ron",
        include_str!("../../lessons/02-majorities.ron"),
    ),
    (
        "03-lost-messages.ron",
        include_str!("../../lessons/03-lost-messages.ron"),
    ),
    (
        "04-two-proposers.ron",
        include_str!("../../lessons/04-two-proposers.ron"),
    ),
    (
        "05-the-key-rule.ron",
        include_str!("../../lessons/05-the-key-rule.ron"),
    ),
    (
        "06-chosen-vs-learned.ron",
        include_str!("../../lessons/06-chosen-vs-learned.ron"),
    ),
    (
        "07-durable-state.ron",
        include_str!("../../lessons/07-durable-state.ron"),
    ),
    (
        "08-dueling-proposers.ron",
        include_str!("../../lessons/08-dueling-proposers.ron"),
    ),
    (
        "09-quorum-intersection.ron",
        include_str!("../../lessons/09-quorum-intersection.ron"),
    ),
    (
        "10-ballot-uniqueness.ron",
        include_str!("../../lessons/10-ballot-uniqueness.ron"),
    ),
    (
        "11-a-promise-binds.ron",
        include_str!("../../lessons/11-a-promise-binds.ron"),
    ),
    (
        "12-one-ballot-one-quorum.ron",
        include_str!("../../lessons/12-one-ballot-one-quorum.ron"),
    ),
    (
        "13-one-lying-acceptor.ron",
        include_str!("../../lessons/13-one-lying-acceptor.ron"),
    ),
];

/// The Multi-Paxos lessons shipped inside the binary: Paxos applied.
pub const MULTIPAXOS: &[(&str, &str)] = &[
    (
        "multipaxos/01-from-value-to-log.ron",
        include_str!("../../lessons/multipaxos/01-from-value-to-log.ron"),
    ),
    (
        "multipaxos/02-stable-leader.ron",
        include_str!("../../lessons/multipaxos/02-stable-leader.ron"),
    ),
    (
        "multipaxos/03-failover.ron",
        include_str!("../../lessons/multipaxos/03-failover.ron"),
    ),
    (
        "multipaxos/04-exactly-once.ron",
        include_str!("../../lessons/multipaxos/04-exactly-once.ron"),
    ),
    (
        "multipaxos/05-reads.ron",
        include_str!("../../lessons/multipaxos/05-reads.ron"),
    ),
    (
        "multipaxos/06-partitions.ron",
        include_str!("../../lessons/multipaxos/06-partitions.ron"),
    ),
    (
        "multipaxos/07-failover-without-phase-1.ron",
        include_str!("../../lessons/multipaxos/07-failover-without-phase-1.ron"),
    ),
    (
        "multipaxos/08-adopt-what-promises-report.ron",
        include_str!("../../lessons/multipaxos/08-adopt-what-promises-report.ron"),
    ),
    (
        "multipaxos/09-chosen-needs-a-majority.ron",
        include_str!("../../lessons/multipaxos/09-chosen-needs-a-majority.ron"),
    ),
    (
        "multipaxos/10-apply-in-order.ron",
        include_str!("../../lessons/multipaxos/10-apply-in-order.ron"),
    ),
];

/// The Raft lessons shipped inside the binary: the same store, another algorithm.
pub const RAFT: &[(&str, &str)] = &[
    (
        "raft/01-elections.ron",
        include_str!("../../lessons/raft/01-elections.ron"),
    ),
    (
        "raft/02-log-replication.ron",
        include_str!("../../lessons/raft/02-log-replication.ron"),
    ),
    (
        "raft/03-election-restriction.ron",
        include_str!("../../lessons/raft/03-election-restriction.ron"),
    ),
    (
        "raft/04-failover-truncation.ron",
        include_str!("../../lessons/raft/04-failover-truncation.ron"),
    ),
    (
        "raft/05-figure-8.ron",
        include_str!("../../lessons/raft/05-figure-8.ron"),
    ),
    (
        "raft/06-what-differs.ron",
        include_str!("../../lessons/raft/06-what-differs.ron"),
    ),
    (
        "raft/07-one-vote-per-term.ron",
        include_str!("../../lessons/raft/07-one-vote-per-term.ron"),
    ),
    (
        "raft/08-durable-state.ron",
        include_str!("../../lessons/raft/08-durable-state.ron"),
    ),
    (
        "raft/09-reads.ron",
        include_str!("../../lessons/raft/09-reads.ron"),
    ),
    (
        "raft/10-four-classes.ron",
        include_str!("../../lessons/raft/10-four-classes.ron"),
    ),
];

/// The PBFT lessons shipped inside the binary.
pub const PBFT: &[(&str, &str)] = &[
    (
        "pbft/01-three-phases.ron",
        include_str!("../../lessons/pbft/01-three-phases.ron"),
    ),
    (
        "pbft/02-quorums-meet-in-an-honest-replica.ron",
        include_str!("../../lessons/pbft/02-quorums-meet-in-an-honest-replica.ron"),
    ),
    (
        "pbft/03-view-change.ron",
        include_str!("../../lessons/pbft/03-view-change.ron"),
    ),
    (
        "pbft/04-f-plus-one-replies.ron",
        include_str!("../../lessons/pbft/04-f-plus-one-replies.ron"),
    ),
    (
        "pbft/05-new-view-keeps-certificates.ron",
        include_str!("../../lessons/pbft/05-new-view-keeps-certificates.ron"),
    ),
];

/// The fault scripts shipped with the app: (file name, its text).
pub const COMPARE: &[(&str, &str)] = &[
    (
        "compare/leader-crash.ron",
        include_str!("../../lessons/compare/leader-crash.ron"),
    ),
    (
        "compare/partition.ron",
        include_str!("../../lessons/compare/partition.ron"),
    ),
    (
        "compare/repeated-failover.ron",
        include_str!("../../lessons/compare/repeated-failover.ron"),
    ),
    (
        "compare/isolated-leader.ron",
        include_str!("../../lessons/compare/isolated-leader.ron"),
    ),
];
