//! Colours and shapes. Colour is never the only signal: every role and every message kind also
//! has its own shape and label, so the app reads on a washed-out projector and for colour-blind
//! students. The colour-blind palette is Okabe and Ito's.

use crate::protocols::paxos;
use egui::{Color32, Pos2, Shape, Stroke, Vec2};

pub use crate::palette::Palette;

use crate::protocols::paxos::MsgKind;
use crate::sim::Role;

/// A role's outline: proposers are circles, acceptors rounded squares, learners hexagons.
pub fn role_shape(role: Role, center: Pos2, radius: f32, fill: Color32, stroke: Stroke) -> Shape {
    match role {
        paxos::PROPOSER => Shape::circle_filled(center, radius, fill),
        paxos::ACCEPTOR => Shape::rect_filled(
            egui::Rect::from_center_size(center, Vec2::splat(radius * 1.8)),
            radius * 0.3,
            fill,
        ),
        _ => Shape::convex_polygon(polygon(center, radius * 1.08, 6, 0.0), fill, stroke),
    }
}

/// The outline only, for the selection ring and crashed nodes.
pub fn role_outline(role: Role, center: Pos2, radius: f32, stroke: Stroke) -> Shape {
    match role {
        paxos::PROPOSER => Shape::circle_stroke(center, radius, stroke),
        paxos::ACCEPTOR => Shape::rect_stroke(
            egui::Rect::from_center_size(center, Vec2::splat(radius * 1.8)),
            radius * 0.3,
            stroke,
            egui::StrokeKind::Outside,
        ),
        _ => Shape::closed_line(polygon(center, radius * 1.08, 6, 0.0), stroke),
    }
}

/// A message's marker: Prepare a circle, Promise a square, Nack a stop sign (an octagon with a
/// bar: never the red cross that means "lost"), Accept a diamond, Accepted a triangle.
pub fn message_marker(
    kind: MsgKind,
    center: Pos2,
    r: f32,
    fill: Color32,
    outline: Color32,
) -> Vec<Shape> {
    let stroke = Stroke::new(1.5, outline);
    match kind {
        MsgKind::Prepare => vec![
            Shape::circle_filled(center, r, fill),
            Shape::circle_stroke(center, r, stroke),
        ],
        MsgKind::Promise => {
            let rect = egui::Rect::from_center_size(center, Vec2::splat(r * 1.8));
            vec![
                Shape::rect_filled(rect, 1.0, fill),
                Shape::rect_stroke(rect, 1.0, stroke, egui::StrokeKind::Outside),
            ]
        }
        MsgKind::Nack => {
            let d = r * 0.7;
            vec![
                Shape::convex_polygon(
                    polygon(center, r * 1.25, 8, std::f32::consts::PI / 8.0),
                    fill,
                    stroke,
                ),
                Shape::line_segment(
                    [center + Vec2::new(-d, 0.0), center + Vec2::new(d, 0.0)],
                    Stroke::new(r * 0.45, outline),
                ),
            ]
        }
        MsgKind::Accept => vec![Shape::convex_polygon(
            polygon(center, r * 1.3, 4, 0.0),
            fill,
            stroke,
        )],
        MsgKind::Accepted => vec![Shape::convex_polygon(
            polygon(center, r * 1.3, 3, -std::f32::consts::FRAC_PI_2),
            fill,
            stroke,
        )],
    }
}

/// An X centred on `center`, `d` from the centre to each end: a lost message, a crashed node.
pub fn cross(center: Pos2, d: f32, stroke: Stroke) -> [Shape; 2] {
    [
        Shape::line_segment(
            [center + Vec2::new(-d, -d), center + Vec2::new(d, d)],
            stroke,
        ),
        Shape::line_segment(
            [center + Vec2::new(-d, d), center + Vec2::new(d, -d)],
            stroke,
        ),
    ]
}

/// A regular polygon's corners.
pub fn polygon(center: Pos2, r: f32, sides: usize, rotation: f32) -> Vec<Pos2> {
    (0..sides)
        .map(|i| {
            let a = rotation + i as f32 * std::f32::consts::TAU / sides as f32;
            center + Vec2::new(a.cos(), a.sin()) * r
        })
        .collect()
}

/// A small crown above a proposer in phase 2 (drawn, not a glyph, so every font shows it).
/// The outline is not convex, so it is filled as three points and a band beneath them.
pub fn crown(center: Pos2, w: f32, fill: Color32, outline: Color32) -> Shape {
    let h = w * 0.6;
    let p = |x: f32, y: f32| center + Vec2::new(x, y);
    let pts = [
        p(-w / 2.0, h / 2.0),
        p(-w / 2.0, -h / 2.0),
        p(-w / 4.0, 0.0),
        p(0.0, -h / 2.0 - 2.0),
        p(w / 4.0, 0.0),
        p(w / 2.0, -h / 2.0),
        p(w / 2.0, h / 2.0),
    ];
    let tri = |a: usize, b: usize, c: usize| {
        Shape::convex_polygon(vec![pts[a], pts[b], pts[c]], fill, Stroke::NONE)
    };
    Shape::Vec(vec![
        tri(1, 2, 0),
        tri(2, 3, 4),
        tri(4, 5, 6),
        Shape::convex_polygon(vec![pts[0], pts[2], pts[4], pts[6]], fill, Stroke::NONE),
        Shape::closed_line(pts.to_vec(), Stroke::new(1.5, outline)),
    ])
}
