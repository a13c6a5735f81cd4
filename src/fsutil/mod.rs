//! File helpers shared by every read and save. Saves are atomic and never replace what is not
//! ours to replace: a regular file is replaced by a rename (keeping its mode and owner) unless
//! it is read-only, a link's target is saved in place of the link's (but a link another user
//! left in a shared sticky folder such as `/tmp` is not followed), `/dev/stdout` and the like are
//! written through as the shell opened them, a terminal or pipe is written straight into, and
//! anything else is refused. A save killed mid-write leaves its temp file, which the next save
//! into that folder removes. Reads take regular files only, up to `MAX_INPUT_BYTES`.
//!
//! A page in a browser has no files (`web`): a save there is a download, and a read finds the
//! files the user dropped on the page or chose in the browser's file chooser.

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub use native::*;
#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(target_arch = "wasm32")]
pub use web::*;

use std::io;

/// The largest file paxos-lab reads: a million-step trace is about 20 MB of RON.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Why a file cannot be read, in words for people.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    NotRegular(&'static str),
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read the file: {e}"),
            ReadError::NotRegular(what) => write!(
                f,
                "cannot read the file: it is {what}, not a regular file (paxos-lab reads only regular files)"
            ),
            ReadError::TooLarge(n) => write!(
                f,
                "the file is {:.1} MiB; paxos-lab reads files up to {} MiB",
                *n as f64 / (1u64 << 20) as f64,
                MAX_INPUT_BYTES >> 20
            ),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}
