//! How far the explorer may go: budgets for the engine's actions over a whole run (faults,
//! timeouts, proposals), which protocols raise for what their flaws need to show.

/// How far the search may go. Faults are budgets for the whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Ballots each proposer may start: its first attempt plus retries (after a Nack or a timeout).
    pub ballots: u8,
    pub drops: u8,
    pub duplicates: u8,
    pub crashes: u8,
    /// Timeouts each node may take (elections, heartbeats, retries), when bounded: a protocol
    /// whose leaders beat forever needs it to keep the search finite.
    pub timeouts: Option<u8>,
    /// The same for the nodes that take requests (clients' retries), when bounded.
    pub retries: Option<u8>,
    /// Timeouts all servers together may take, when bounded (on top of each one's own bound).
    pub total_timeouts: Option<u8>,
    /// Lies the Byzantine nodes may tell together in a run (read only when some node is).
    pub lies: u8,
    /// Pauses in a run (read only when the protocol's handlers read clocks, under lease reads):
    /// a server stops for `pause_ticks` and resumes with its clock where it stopped.
    pub pauses: u8,
    /// How long each pause lasts, in ticks.
    pub pause_ticks: u32,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            timeouts: None,
            retries: None,
            total_timeouts: None,
            ballots: 2,
            drops: 0,
            duplicates: 0,
            crashes: 0,
            lies: 1,
            pauses: 0,
            pause_ticks: 0,
        }
    }
}
