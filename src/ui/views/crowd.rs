//! Many messages in flight, drawn in bounded time and memory: markers that would overlap (the
//! same spot, the same kind) merge into one, and past `MAX_MARKERS` merged markers the rest are
//! only counted ("+12,480 more"). A user who presses Timeout or Duplicate a hundred thousand
//! times still gets a frame in milliseconds, and an export a picture of a few megabytes.

use std::collections::HashMap;

use egui::{Color32, FontId, Painter, Pos2, Rect, Vec2};

use crate::sim::MsgId;
use crate::sim::words::grouped;
use crate::ui::i18n::{Lang, T, fill};
use crate::ui::paxos::graph::Drawn;

/// The most message markers one frame draws (each a few shapes).
pub const MAX_MARKERS: usize = 1500;

/// Up to this many messages in flight, each is drawn on its own (labels, outlines, widgets).
pub const ONE_BY_ONE_UP_TO: usize = 300;

/// One drawn marker: where, which kind, and how many messages it stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker<K> {
    pub pos: Pos2,
    pub kind: K,
    /// The first message (smallest id) it stands for.
    pub first: MsgId,
    pub count: usize,
}

/// The markers of a crowd and the messages left undrawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Crowd<K> {
    pub markers: Vec<Marker<K>>,
    /// Messages standing for no drawn marker (past `MAX_MARKERS`).
    pub hidden: usize,
    pub total: usize,
}

impl<K> Crowd<K> {
    /// The note that counts the crowd: "500,000 messages in flight · +12,480 more not drawn".
    pub fn note(&self, lang: Lang) -> String {
        let mut note = fill(T::CrowdInFlight.get(lang), &[&grouped(self.total as u64)]);
        if self.hidden > 0 {
            note += " · ";
            note += &fill(T::CrowdMore.get(lang), &[&grouped(self.hidden as u64)]);
        }
        note
    }

    /// Paints the note on a plate at the bottom left of `view`, and says where.
    pub fn paint_note(
        &self,
        painter: &Painter,
        view: Rect,
        lang: Lang,
        font: FontId,
        (plate, text): (Color32, Color32),
    ) -> Drawn {
        let note = self.note(lang);
        let galley = painter.layout_no_wrap(note.clone(), font, text);
        let at = view.left_bottom() + Vec2::new(8.0, -8.0 - galley.size().y);
        let rect = Rect::from_min_size(at, galley.size()).expand(3.0);
        painter.rect_filled(rect, 3.0, plate);
        painter.galley(at, galley, text);
        Drawn {
            text: note,
            ..Drawn::new("crowd", "in-flight".into(), rect)
        }
    }
}

/// Merges messages `(position, kind, id)` whose markers of radius `radius` would overlap, keeps
/// the first `MAX_MARKERS` merged markers (by their first message's id, so a frame does not
/// depend on the order the network lists them) and counts the rest. Memory is bounded by the
/// cells of the view, whatever the number of messages.
pub fn merge<K: Copy + Eq + std::hash::Hash>(
    messages: impl Iterator<Item = (Pos2, K, MsgId)>,
    radius: f32,
) -> Crowd<K> {
    let cell = radius.max(1.0);
    let mut cells: HashMap<(i32, i32, K), Marker<K>> = HashMap::new();
    let mut total = 0;
    for (pos, kind, id) in messages {
        total += 1;
        let key = ((pos.x / cell) as i32, (pos.y / cell) as i32, kind);
        cells
            .entry(key)
            .and_modify(|m| {
                m.count += 1;
                if id < m.first {
                    m.first = id;
                    m.pos = pos;
                }
            })
            .or_insert(Marker {
                pos,
                kind,
                first: id,
                count: 1,
            });
    }
    let mut markers: Vec<Marker<K>> = cells.into_values().collect();
    markers.sort_by_key(|m| m.first);
    let hidden = markers.iter().skip(MAX_MARKERS).map(|m| m.count).sum();
    markers.truncate(MAX_MARKERS);
    Crowd {
        markers,
        hidden,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_messages_merge_and_the_rest_are_counted() {
        // 200,000 messages on one spot of two kinds: two markers.
        let same = (0..200_000u32).map(|i| (Pos2::new(10.0, 10.0), i % 2, MsgId(i)));
        let c = merge(same, 4.0);
        assert_eq!(c.markers.len(), 2);
        assert_eq!(c.markers.iter().map(|m| m.count).sum::<usize>(), 200_000);
        assert_eq!((c.hidden, c.total), (0, 200_000));
        // Spread over the whole view: at most MAX_MARKERS drawn, every other message counted.
        let spread = (0..100_000u32).map(|i| {
            let (x, y) = ((i % 400) as f32 * 5.0, (i / 400) as f32 * 5.0);
            (Pos2::new(x, y), 0u8, MsgId(99_999 - i))
        });
        let c = merge(spread, 4.0);
        assert_eq!(c.markers.len(), MAX_MARKERS);
        assert_eq!(c.hidden, 100_000 - MAX_MARKERS);
        // The smallest ids are the ones drawn, whatever the order they came in.
        assert_eq!(c.markers[0].first, MsgId(0));
        assert!(c.markers.windows(2).all(|w| w[0].first < w[1].first));
    }
}
