//! The animation clock both apps share: a step forward eases the displayed simulation time from
//! the last step's time to the new one, so messages glide instead of jumping; auto-play takes a
//! step every 1/speed seconds. Time comes in from outside, so tests can freeze it.

/// The step transition under way.
#[derive(Clone, Copy, Debug)]
struct Transition {
    from_now: f64,
    to_now: f64,
    started: f64,
    duration: f64,
    step: u64,
}

/// Where the animation is this frame.
#[derive(Clone, Copy, Debug)]
pub struct Anim {
    /// The simulated time to draw messages at.
    pub display_now: f64,
    /// 0 when a step has just happened, 1 once its transition has finished.
    pub progress: f32,
}

impl Anim {
    /// No transition under way: everything drawn where it is at `now`.
    pub fn at_rest(now: u64) -> Self {
        Anim {
            display_now: now as f64,
            progress: 1.0,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Animator {
    transition: Option<Transition>,
    last_auto_step: f64,
}

impl Animator {
    /// Whether auto-play is due another step at time `t` (seconds); notes that it takes it.
    pub fn auto_step_due(&mut self, t: f64, playing: bool, speed: f32) -> bool {
        let due = playing && t - self.last_auto_step >= 1.0 / speed as f64;
        if due {
            self.last_auto_step = t;
        }
        due
    }

    /// The animation at time `t` for a world at simulated time `now` and step `step`.
    pub fn frame(&mut self, t: f64, now: u64, step: u64, speed: f32) -> Anim {
        let now = now as f64;
        let previous = self.transition.map(|tr| {
            let k = ((t - tr.started) / tr.duration).clamp(0.0, 1.0);
            tr.from_now + (tr.to_now - tr.from_now) * smoothstep(k)
        });
        if self.transition.is_none_or(|tr| tr.step != step) {
            // Only a single step forward animates; jumps and seeks land at once.
            let duration = (0.55 / (speed as f64).sqrt()).clamp(0.06, 0.6);
            let (from, started) = match (self.transition, previous) {
                (Some(tr), Some(shown)) if tr.step + 1 == step => (shown, t),
                // The first frame, a jump or a seek: show the state as it is, already settled.
                _ => (now, t - duration),
            };
            self.transition = Some(Transition {
                from_now: from,
                to_now: now,
                started,
                duration,
                step,
            });
        }
        let tr = self.transition.expect("set above");
        let k = ((t - tr.started) / tr.duration).clamp(0.0, 1.0);
        Anim {
            display_now: tr.from_now + (tr.to_now - tr.from_now) * smoothstep(k),
            progress: k as f32,
        }
    }
}

fn smoothstep(k: f64) -> f64 {
    k * k * (3.0 - 2.0 * k)
}
