//! A replicated store's cluster (Multi-Paxos or Raft) as a graph: clients in a column on the
//! left, servers on a ring on the right. The leader wears a crown with its ballot or term; under
//! each server its role and commit/applied indexes, under each client the request it waits on.
//! Raft adds RaftScope's marks, done its own way: servers filled with their term's colour, an arc
//! for the election timer still to run, and a dot per vote a candidate holds. Every message in
//! flight glides along its edge from send time to delivery time with its label (`Accept(2.1, #4:
//! put x=1)`, `AppendEntries(term 2, #3..#4, commit 2)`), placed clear of the nodes, their state
//! and the other labels. Clicks select; nothing here changes the run: a click leaves as a
//! `Command`.

use std::collections::BTreeSet;
use std::marker::PhantomData;
use std::sync::Arc;

use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2};
use petgraph::graph::UnGraph;

use crate::protocols::Plugin;
use crate::protocols::kv::{self, CLIENT, Client};
use crate::session::{Command, Selection};
use crate::sim::network::Envelope;
use crate::sim::words::grouped;
use crate::sim::world::{LossCause, World};
use crate::sim::{Event, MsgId, NodeId};
use crate::ui::Anim;
use crate::ui::i18n::{Lang, T, fill};
use crate::ui::paxos::graph::{Drawn, label_spots, message_widget, node_widget};
use crate::ui::views::crowd;
use crate::ui::views::theme::{Palette, cross, crown, polygon};

/// What the graph needs of a store protocol beyond `Plugin`.
pub trait StoreGraphView: Plugin {
    /// Servers and clients.
    fn cluster(world: &World<Self>) -> (u8, u8);
    fn client(world: &World<Self>, id: NodeId) -> Option<&Client>;
    /// A server's words under it: its role, then its indexes.
    fn server_words(world: &World<Self>, id: NodeId, lang: Lang) -> String;
    /// Whether server `id` leads (in its own view: a stale leader too).
    fn leads(world: &World<Self>, id: NodeId) -> bool;
    /// The tag beside a leader's crown (its ballot, or its term), if `id` leads.
    fn leader_tag(world: &World<Self>, id: NodeId, lang: Lang) -> Option<String>;
    /// A message's label when there is room for the whole of it.
    fn graph_label(env: &Envelope<Self::Msg>) -> String;
    /// The colour a live server is filled with, when not its role's.
    fn server_fill(_world: &World<Self>, _id: NodeId, _pal: &Palette) -> Option<Color32> {
        None
    }
    /// Marks around a live server (drawn after it): Raft's timer arc and vote dots.
    fn decorate(_painter: &Painter, _world: &World<Self>, _id: NodeId, _mark: &Mark) {}
    /// The majorities that elected the servers leading now, each with its leader, when two of
    /// them share no server (Raft after a naive configuration change); otherwise none.
    fn disjoint_majorities(_world: &World<Self>) -> Vec<(NodeId, Vec<NodeId>)> {
        Vec::new()
    }
}

/// Where and how to draw the marks around one server.
pub struct Mark {
    pub centre: Pos2,
    pub radius: f32,
    pub now: f64,
    pub palette: Palette,
    pub ink: Color32,
}

/// How many messages get their full label drawn; past this, short labels, and past
/// `LABELS_UP_TO` only the hovered or selected one.
const FULL_LABELS_UP_TO: usize = 12;
const LABELS_UP_TO: usize = 40;
/// How many messages get an accessible widget of their own (tests click them by label).
const WIDGETS_UP_TO: usize = 120;

/// Who can talk to whom.
pub type Topology = UnGraph<NodeId, ()>;

/// Who can talk to whom: servers with each other, every client with every server.
pub fn topology(servers: u8, clients: u8) -> Topology {
    let mut g = UnGraph::new_undirected();
    let s: Vec<_> = (1..=servers).map(|i| g.add_node(kv::server(i))).collect();
    let c: Vec<_> = (1..=clients).map(|i| g.add_node(kv::client(i))).collect();
    for (k, &a) in s.iter().enumerate() {
        for &b in &s[k + 1..] {
            g.add_edge(a, b, ());
        }
        for &x in &c {
            g.add_edge(x, a, ());
        }
    }
    g
}

/// Where each node sits this frame.
struct Layout {
    rect: Rect,
    servers: u8,
    clients: u8,
    radius: f32,
}

impl Layout {
    fn new(rect: Rect, servers: u8, clients: u8) -> Self {
        let ring = Self::ring_radii(rect);
        // Neighbours on the ring and in the client column keep room for two lines of state.
        let around = std::f32::consts::TAU * ring.x.min(ring.y * 1.5) / servers.max(3) as f32;
        let column = (rect.height() - 40.0) / clients.max(1) as f32;
        let radius = (around * 0.16).min(column * 0.24).clamp(9.0, 30.0);
        Layout {
            rect,
            servers,
            clients,
            radius,
        }
    }

    /// The servers sit on an ellipse as wide as the view allows: a short view (the log and the
    /// history below it) still spreads them apart sideways.
    fn ring_radii(rect: Rect) -> Vec2 {
        // Room above the top server for its crown, below the bottom one for its words.
        let ry = (rect.height() * 0.5 - 64.0).max(30.0);
        // Kept inside a narrow view (a lesson's panel beside it): the ring's centre sits at 62%
        // of the width, so its right edge, a node and its timer arc must fit in the other 38%.
        let rx = (rect.width() * 0.28)
            .max(40.0)
            .min(ry * 2.2)
            .max(ry)
            .min((rect.width() * 0.38 - 40.0).max(30.0));
        Vec2::new(rx, ry)
    }

    fn ring_centre(&self) -> Pos2 {
        // A little above the middle: the words under the lowest servers need the room.
        Pos2::new(
            self.rect.left() + self.rect.width() * 0.62,
            self.rect.center().y - 8.0,
        )
    }

    fn pos(&self, id: NodeId) -> Pos2 {
        if id.role == CLIENT {
            let n = self.clients.max(1) as f32;
            let top = self.rect.top() + 20.0;
            let h = self.rect.height() - 40.0;
            Pos2::new(
                self.rect.left() + self.rect.width() * 0.1,
                top + h * (id.index as f32 - 0.5) / n,
            )
        } else {
            let k = (id.index - 1) as f32;
            let a = -std::f32::consts::FRAC_PI_2 + k * std::f32::consts::TAU / self.servers as f32;
            let radii = Self::ring_radii(self.rect);
            self.ring_centre() + Vec2::new(a.cos() * radii.x, a.sin() * radii.y)
        }
    }
}

/// Where a message is drawn: along its edge, nudged sideways by direction so a request and its
/// reply do not overlap, leaving and arriving at the nodes' rims.
fn message_pos<M>(layout: &Layout, env: &Envelope<M>, now: f64) -> Pos2 {
    let span = (env.deliver_at - env.sent_at).max(1) as f64;
    let f = ((now - env.sent_at as f64) / span).clamp(0.0, 1.0) as f32;
    let (a, b) = (layout.pos(env.src), layout.pos(env.dst));
    let dir = (b - a).normalized();
    let rim = layout.radius.min((b - a).length() * 0.3);
    let (a, b) = (a + dir * rim, b - dir * rim);
    let side = if env.src < env.dst { 1.0 } else { -1.0 };
    let normal = Vec2::new(-dir.y, dir.x) * side * (layout.radius * 0.22).clamp(3.0, 8.0);
    a + (b - a) * f + normal
}

/// The node under the pointer, if any.
fn hovered_node<P: Plugin>(ui: &Ui, world: &World<P>, layout: &Layout) -> Option<NodeId> {
    let h = ui.input(|i| i.pointer.hover_pos())?;
    world
        .nodes()
        .iter()
        .map(|s| s.id)
        .find(|&id| layout.pos(id).distance(h) <= layout.radius * 1.1)
}

/// What the graph reads for one frame.
pub struct GraphFrame<'a, P: Plugin> {
    pub world: &'a World<P>,
    pub anim: Anim,
    pub lang: Lang,
    pub palette: Palette,
    pub text_scale: f32,
    pub selection: Option<Selection>,
    pub held: &'a BTreeSet<MsgId>,
    /// Nodes the lesson's narration names, marked with a dashed golden ring.
    pub highlight: &'a [NodeId],
}

pub struct StoreGraph<P> {
    /// The topology, rebuilt when the cluster's size changes.
    topology: Option<((u8, u8), Arc<Topology>)>,
    /// What the last frame drew where: nodes, their state and message labels.
    pub drawn: Vec<Drawn>,
    protocol: PhantomData<P>,
}

impl<P> Default for StoreGraph<P> {
    fn default() -> Self {
        StoreGraph {
            topology: None,
            drawn: Vec::new(),
            protocol: PhantomData,
        }
    }
}

/// A client's words under it: the request it waits on, or that it is idle.
pub fn client_words<P: StoreGraphView>(world: &World<P>, id: NodeId, lang: Lang) -> String {
    let tr = |t: T| t.get(lang);
    let Some(c) = P::client(world, id) else {
        return String::new();
    };
    let mut s = match c.current {
        Some((seq, op)) => fill(
            tr(T::MpWaitingOn),
            &[
                &crate::protocols::kv::request_name(Some(id.index), seq),
                &op,
                &format!("S{}", c.leader),
            ],
        ),
        None => tr(T::MpIdle).to_string(),
    };
    if !c.queue.is_empty() {
        s += &format!("\n{}", fill(tr(T::MpQueued), &[&c.queue.len()]));
    }
    s
}

impl<P: StoreGraphView> StoreGraph<P> {
    pub fn ui(&mut self, ui: &mut Ui, f: &GraphFrame<P>, out: &mut Vec<Command<P>>) {
        let world = f.world;
        let (servers, clients) = P::cluster(world);
        if self
            .topology
            .as_ref()
            .is_none_or(|(k, _)| *k != (servers, clients))
        {
            self.topology = Some(((servers, clients), Arc::new(topology(servers, clients))));
        }
        let graph = Arc::clone(&self.topology.as_ref().expect("built above").1);
        let (rect, canvas) = ui.allocate_exact_size(ui.available_size(), Sense::click());
        if canvas.clicked() {
            out.push(Command::Select(None));
        }
        let painter = ui.painter_at(rect);
        let text_color = ui.visuals().strong_text_color();
        let weak = ui.visuals().weak_text_color();
        let panel_fill = ui.visuals().extreme_bg_color;
        let pal = f.palette;
        let font = |size: f32| FontId::proportional(size * f.text_scale);
        let layout = Layout::new(rect, servers, clients);
        let r = layout.radius;
        let net = world.network();

        // Edges: the servers' mesh faint, each client's line to the server it sends to, cut
        // links dashed and marked.
        let faint = Stroke::new(1.0, weak.gamma_multiply(0.3));
        for e in graph.edge_indices() {
            let (a, b) = graph.edge_endpoints(e).expect("an edge of this graph");
            let (a, b) = (graph[a], graph[b]);
            let (pa, pb) = (layout.pos(a), layout.pos(b));
            if net.is_cut(a, b) {
                painter.extend(Shape::dashed_line(
                    &[pa, pb],
                    Stroke::new(2.0, pal.cut),
                    6.0,
                    5.0,
                ));
                let mid = pa + (pb - pa) * 0.5;
                painter.extend(cross(mid, 5.0, Stroke::new(2.0, pal.cut)));
                continue;
            }
            let talks =
                a.role == CLIENT && P::client(world, a).is_some_and(|c| c.leader == b.index);
            if a.role != CLIENT || talks {
                painter.line_segment([pa, pb], faint);
            }
        }

        // Majorities that do not meet: a dashed ring around each member, one colour per leader,
        // and a line saying so.
        let majorities = P::disjoint_majorities(world);
        let inks = [pal.violation, pal.changed, pal.chosen];
        let mut captions = Vec::new();
        for (k, (leader, members)) in majorities.iter().enumerate() {
            let ink = inks[k % inks.len()];
            for &m in members {
                let mut ring = polygon(layout.pos(m), r + 14.0 + 6.0 * k as f32, 32, 0.0);
                ring.push(ring[0]);
                painter.extend(Shape::dashed_line(&ring, Stroke::new(2.5, ink), 7.0, 4.0));
            }
            let words = fill(
                T::MajorityOf.get(f.lang),
                &[
                    leader,
                    &members
                        .iter()
                        .map(|m| m.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                ],
            );
            let at = painter.text(
                rect.left_top() + Vec2::new(8.0, 8.0 + 18.0 * f.text_scale * k as f32),
                Align2::LEFT_TOP,
                &words,
                font(13.0),
                ink,
            );
            let mut d = Drawn::new("note", leader.to_string(), at);
            d.text = words;
            captions.push(d);
        }

        // Nodes, with their state beneath; these rectangles are what labels keep clear of.
        self.drawn.clear();
        let mut occupied: Vec<Rect> = Vec::new();
        for d in captions {
            occupied.push(d.rect());
            self.drawn.push(d);
        }
        let mut states = Vec::new();
        for slot in world.nodes() {
            let id = slot.id;
            let p = layout.pos(id);
            let node_rect = Rect::from_center_size(p, Vec2::splat(r * 2.2));
            self.drawn
                .push(Drawn::new("node", id.to_string(), node_rect));
            occupied.push(node_rect);
            let tint = P::role_info(id.role).map_or(0, |i| i.tint);
            let color = if !slot.up {
                pal.crashed
            } else {
                P::server_fill(world, id, &pal).unwrap_or_else(|| pal.role_tint(tint))
            };
            let outline = Stroke::new(2.0, text_color);
            if id.role == CLIENT {
                painter.circle_filled(p, r, color);
                painter.circle_stroke(p, r, outline);
            } else {
                let sq = Rect::from_center_size(p, Vec2::splat(r * 1.8));
                painter.rect_filled(sq, r * 0.3, color);
                painter.rect_stroke(sq, r * 0.3, outline, egui::StrokeKind::Outside);
            }
            if crate::sim::Protocol::is_byzantine(world.protocol(), id) {
                // A liar: a red outline and a tag, so it stands apart without colour too.
                let sq = Rect::from_center_size(p, Vec2::splat(r * 1.8 + 6.0));
                painter.rect_stroke(
                    sq,
                    r * 0.3,
                    Stroke::new(3.0, pal.violation),
                    egui::StrokeKind::Outside,
                );
                let galley = painter.layout_no_wrap(
                    T::ByzantineBadge.get(f.lang).to_string(),
                    FontId::proportional(12.0 * f.text_scale.sqrt()),
                    Color32::WHITE,
                );
                let at = Align2::RIGHT_BOTTOM
                    .anchor_size(p + Vec2::new(-r * 0.4, -r * 0.8), galley.size());
                painter.rect_filled(at.expand(2.0), 3.0, pal.violation);
                painter.galley(at.min, galley, Color32::WHITE);
            }
            if f.highlight.contains(&id) {
                let mut ring = polygon(p, r + 10.0, 28, 0.0);
                ring.push(ring[0]);
                painter.extend(Shape::dashed_line(
                    &ring,
                    Stroke::new(2.5, pal.chosen),
                    5.0,
                    4.0,
                ));
            }
            if f.selection == Some(Selection::Node(id)) {
                let ring = polygon(p, r + 7.0, 28, 0.0);
                painter.add(Shape::closed_line(ring, Stroke::new(3.0, pal.changed)));
            }
            painter.text(
                p,
                Align2::CENTER_CENTER,
                id.to_string(),
                FontId::proportional((r * 0.75).clamp(10.0, 26.0) * f.text_scale.sqrt()),
                Color32::BLACK,
            );
            if !slot.up {
                painter.extend(cross(p, r * 0.8, Stroke::new(3.0, pal.cut)));
            } else if id.role != CLIENT {
                let mark = Mark {
                    centre: p,
                    radius: r,
                    now: f.anim.display_now,
                    palette: pal,
                    ink: text_color,
                };
                P::decorate(&painter, world, id, &mark);
            }
            if let Some(tag) = P::leader_tag(world, id, f.lang).filter(|_| slot.up) {
                let at = p + Vec2::new(0.0, -r - 10.0);
                painter.add(crown(
                    at,
                    (r * 0.9).clamp(12.0, 24.0),
                    pal.chosen,
                    text_color,
                ));
                let tag = painter.text(
                    at + Vec2::new(r * 0.6 + 6.0, 0.0),
                    Align2::LEFT_CENTER,
                    tag,
                    font(13.0),
                    pal.chosen,
                );
                occupied.push(tag.expand(2.0));
                occupied.push(Rect::from_center_size(at, Vec2::new(r * 1.2, r * 0.8)));
            }
            let words = if id.role == CLIENT {
                client_words(world, id, f.lang)
            } else {
                P::server_words(world, id, f.lang)
            };
            let galley = painter.layout(words, font(12.5), text_color, (r * 6.0).max(170.0));
            let mut at = Align2::CENTER_TOP.anchor_size(p + Vec2::new(0.0, r + 4.0), galley.size());
            // Kept inside the view: a node near the edge has its words shifted in, not cut.
            let dx = (rect.left() + 3.0 - at.left()).max(0.0)
                + (rect.right() - 3.0 - at.right()).min(0.0);
            at = at.translate(Vec2::new(dx, 0.0));
            states.push((id, at, galley));

            // An accessible widget per node, so keyboards, screen readers and tests find it.
            let resp = node_widget(ui, node_rect, id);
            if resp.clicked() {
                out.push(Command::Select(Some(Selection::Node(id))));
            }
        }

        // A node's state that would cover another node or another state (a small view, presenter
        // mode) shows only while its node is hovered or selected.
        let hover_node = hovered_node(ui, world, &layout);
        let nodes: Vec<Rect> = occupied.clone();
        let mut shown: Vec<Rect> = Vec::new();
        // Painted over the messages, so a message passing a node never hides its words.
        let mut visible_states = Vec::new();
        for (id, at, galley) in states {
            let focused = hover_node == Some(id) || f.selection == Some(Selection::Node(id));
            let own = Rect::from_center_size(layout.pos(id), Vec2::splat(r * 2.2));
            let clashes = nodes.iter().any(|n| *n != own && n.intersects(at))
                || shown.iter().any(|s| s.intersects(at))
                || !rect.contains_rect(at);
            if clashes && !focused {
                continue;
            }
            self.drawn.push(Drawn::new("state", id.to_string(), at));
            shown.push(at.expand(2.0));
            occupied.push(at.expand(2.0));
            visible_states.push((at, galley));
        }

        // Messages in flight, then the ones the last step ended while its transition plays.
        let now = f.anim.display_now;
        let in_flight: Vec<&Envelope<P::Msg>> = net.in_flight().collect();
        let hovered = ui.input(|i| i.pointer.hover_pos());
        let mr = (r * 0.28).clamp(3.0, 7.0);
        let mut labels: Vec<(String, Pos2, bool, MsgId)> = Vec::new();
        let ring = |id: MsgId, radius: f32, stroke: Stroke| {
            if let Some(env) = net.get(id) {
                painter.circle_stroke(message_pos(&layout, env, now), radius, stroke);
            }
        };
        if in_flight.len() <= crowd::ONE_BY_ONE_UP_TO {
            for env in in_flight.iter().copied() {
                let p = message_pos(&layout, env, now);
                let color = pal.tint(P::tint(&env.msg));
                painter.circle_filled(p, mr, color);
                painter.circle_stroke(p, mr, Stroke::new(1.5, text_color));
                if world.is_lie(env.id) {
                    // A lie: a red double ring.
                    for extra in [3.0, 6.0] {
                        painter.circle_stroke(p, mr + extra, Stroke::new(1.5, pal.violation));
                    }
                }
                let selected = f.selection == Some(Selection::Message(env.id));
                let near = hovered.is_some_and(|h| h.distance(p) < mr + 4.0);
                let text = if in_flight.len() <= FULL_LABELS_UP_TO || selected || near {
                    Some(P::graph_label(env))
                } else if in_flight.len() <= LABELS_UP_TO {
                    Some(P::message_label(env))
                } else {
                    None
                };
                if let Some(text) = text {
                    let (a, b) = (layout.pos(env.src), layout.pos(env.dst));
                    let ahead = (p - a).length() > (b - a).length() * 0.5;
                    labels.push((text, p, (b.x > a.x) != ahead, env.id));
                }
                occupied.push(Rect::from_center_size(p, Vec2::splat(mr * 2.0)));
            }
        } else {
            // A crowd: overlapping markers merge, and past a bound the rest are only counted.
            let crowd = crowd::merge(
                in_flight
                    .iter()
                    .map(|e| (message_pos(&layout, e, now), P::tint(&e.msg), e.id)),
                mr,
            );
            for m in &crowd.markers {
                painter.circle_filled(m.pos, mr, pal.tint(m.kind));
            }
            if let Some(h) = hovered
                && let Some(m) = crowd.markers.iter().find(|m| h.distance(m.pos) < mr + 4.0)
                && let Some(env) = net.get(m.first)
            {
                let text = match m.count {
                    1 => P::graph_label(env),
                    n => format!("{} ×{}", P::graph_label(env), grouped(n as u64)),
                };
                labels.push((text, m.pos, true, m.first));
            }
            let plate = panel_fill.gamma_multiply(0.9);
            let note = crowd.paint_note(&painter, rect, f.lang, font(13.0), (plate, text_color));
            occupied.push(note.rect());
            self.drawn.push(note);
        }
        // Held and selected messages are few: ringed one by one, whatever the crowd.
        for &id in f.held.iter() {
            ring(id, mr + 4.0, Stroke::new(2.0, pal.cut));
        }
        if let Some(Selection::Message(id)) = f.selection {
            ring(id, mr + 6.0, Stroke::new(2.5, pal.changed));
        }
        if f.anim.progress < 1.0 {
            for ev in world.events() {
                match ev {
                    Event::Delivered(env) if now < env.deliver_at as f64 => {
                        let p = message_pos(&layout, env, now);
                        painter.circle_filled(p, mr, pal.tint(P::tint(&env.msg)));
                    }
                    Event::Lost { envelope, cause } => {
                        let at = if *cause == LossCause::Dropped {
                            now.min(envelope.deliver_at as f64)
                        } else {
                            envelope.deliver_at as f64
                        };
                        let p = message_pos(&layout, envelope, at);
                        let c = pal.cut.gamma_multiply(1.0 - f.anim.progress);
                        painter.extend(cross(p, mr + 3.0, Stroke::new(3.0, c)));
                        painter.text(
                            p + Vec2::new(0.0, mr + 5.0),
                            Align2::CENTER_TOP,
                            T::Lost.get(f.lang),
                            font(12.0),
                            c,
                        );
                    }
                    _ => {}
                }
            }
        }

        for (at, galley) in visible_states {
            painter.rect_filled(at.expand(2.0), 3.0, panel_fill.gamma_multiply(0.9));
            painter.galley(at.min, galley, text_color);
        }

        // Labels: the nearest free place around each marker; none if every place is taken.
        for (text, anchor, right, id) in labels {
            let galley = painter.layout_no_wrap(text.clone(), font(12.0), text_color);
            let size = galley.size() + Vec2::new(6.0, 2.0);
            let free = label_spots(anchor, size, right, mr + 3.0)
                .into_iter()
                .find(|c| rect.contains_rect(*c) && !occupied.iter().any(|o| o.intersects(*c)));
            if let Some(spot) = free {
                painter.rect_filled(spot, 3.0, panel_fill.gamma_multiply(0.9));
                painter.galley(spot.min + Vec2::new(3.0, 1.0), galley, text_color);
                occupied.push(spot);
                let mut d = Drawn::new("label", format!("{id}"), spot);
                d.text = text;
                self.drawn.push(d);
            }
        }

        if in_flight.len() <= WIDGETS_UP_TO {
            for env in in_flight.iter().copied() {
                let p = message_pos(&layout, env, now);
                let resp = message_widget(ui, p, mr, env);
                if resp.clicked() {
                    out.push(Command::Select(Some(Selection::Message(env.id))));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_can_reach_every_server_and_servers_reach_each_other() {
        let g = topology(5, 3);
        assert_eq!(g.node_count(), 8);
        // 5 choose 2 server pairs, and 3 x 5 client links.
        assert_eq!(g.edge_count(), 10 + 15);
    }

    #[test]
    fn servers_sit_apart_on_their_ring_and_clients_in_their_column() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(900.0, 600.0));
        let l = Layout::new(rect, 5, 5);
        let ids: Vec<_> = (1..=5)
            .map(kv::server)
            .chain((1..=5).map(kv::client))
            .collect();
        for (k, a) in ids.iter().enumerate() {
            assert!(rect.contains(l.pos(*a)), "{a} inside the view");
            for b in &ids[k + 1..] {
                assert!(
                    l.pos(*a).distance(l.pos(*b)) > 2.0 * l.radius + 20.0,
                    "{a} and {b} overlap"
                );
            }
        }
    }
}
