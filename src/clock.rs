//! The one clock the code both builds share reads, for how long something took (never for what
//! a simulation does, which has no clock). `Instant::now` itself is banned there (clippy.toml):
//! std's panics in a page. This is web_time's, which is std's on the desktop and the browser's
//! `performance.now()` in a page.

pub use web_time::Instant;

/// Now, on a clock that only moves forward.
#[allow(clippy::disallowed_methods)]
pub fn now() -> Instant {
    Instant::now()
}
