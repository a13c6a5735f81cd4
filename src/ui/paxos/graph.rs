//! The cluster as a graph: proposers, acceptors and learners in three labelled columns (or a
//! ring), every message in flight moving along its edge from send time to delivery time. Clicks
//! select; the context menu acts. Drawing reads the session and animation time only; every change
//! leaves as a `Command`.

use crate::protocols::paxos;
use egui::{Align2, Color32, FontId, Pos2, Rect, Response, Sense, Shape, Stroke, Ui, Vec2};
use petgraph::graph::UnGraph;

use crate::protocols::paxos::Paxos;
use crate::protocols::paxos::short_label;
use crate::protocols::paxos::{Action, Config, Value};
use crate::protocols::paxos::{Msg, Node, Phase};
use crate::session::{Command, Selection};
use crate::sim::network::Envelope;
use crate::sim::world::LossCause;
use crate::sim::{Event, NodeId, Role};
use crate::ui::Frame;
use crate::ui::i18n::T;
use crate::ui::views::crowd;
use crate::ui::views::theme::{cross, crown, message_marker, role_outline, role_shape};

/// How many messages get their full label drawn; past this only hovered ones do.
const FULL_LABELS_UP_TO: usize = 14;
/// How many messages get an accessible widget of their own (tests click them by label).
const WIDGETS_UP_TO: usize = 120;

#[derive(Clone, Debug)]
pub struct GraphView {
    pub ring: bool,
    pan: Vec2,
    zoom: f32,
    /// The topology (who talks to whom), rebuilt when the cluster changes.
    topology: Option<(Config, std::sync::Arc<UnGraph<NodeId, ()>>)>,
    /// The value typed for the next request.
    pub request_value: RequestValue,
    /// What the last frame drew where: nodes, their state text and message labels.
    pub drawn: Vec<Drawn>,
}

/// Something the graph drew, and where, in screen points: for `--layout-json` and the tests
/// that check no label covers another label, a node or a node's state.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Drawn {
    /// "node", "state", "label", or "crowd" (the count of a crowd of messages in flight).
    pub kind: &'static str,
    /// A node id (`A1`) or a message id (`#12`; a merged broadcast gives its first message).
    pub id: String,
    pub rect: [f32; 4],
    /// A label's text (empty for nodes and states).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl Drawn {
    pub fn rect(&self) -> Rect {
        Rect::from_min_max(
            Pos2::new(self.rect[0], self.rect[1]),
            Pos2::new(self.rect[2], self.rect[3]),
        )
    }

    pub(crate) fn new(kind: &'static str, id: String, r: Rect) -> Self {
        Drawn {
            kind,
            id,
            rect: [r.min.x, r.min.y, r.max.x, r.max.y],
            text: String::new(),
        }
    }
}

/// A message label waiting for a place: its text, its marker, which side it prefers, and the
/// message it names.
struct PendingLabel {
    text: String,
    anchor: Pos2,
    right: bool,
    id: crate::sim::MsgId,
}

/// Where a label may go around its marker, nearest first: the preferred side above, then the
/// other sides, then further out, up to a few marker widths away.
pub(crate) fn label_spots(anchor: Pos2, size: Vec2, right: bool, gap: f32) -> Vec<Rect> {
    let mut out = Vec::new();
    let side = if right { 1.0 } else { -1.0 };
    for ring in 0..6 {
        let d = gap + ring as f32 * (size.y + 2.0);
        let centre_above = anchor + Vec2::new(0.0, -d - size.y * 0.5);
        let centre_below = anchor + Vec2::new(0.0, d + size.y * 0.5);
        let beside = |s: f32, dy: f32| {
            let x = anchor.x + s * (gap + ring as f32 * 8.0 + size.x * 0.5);
            Pos2::new(x, anchor.y + dy)
        };
        for c in [
            beside(side, -d * 0.5 - size.y * 0.5),
            beside(-side, -d * 0.5 - size.y * 0.5),
            beside(side, d * 0.5 + size.y * 0.5),
            beside(-side, d * 0.5 + size.y * 0.5),
            centre_above,
            centre_below,
        ] {
            out.push(Rect::from_center_size(c, size));
        }
    }
    out
}

/// The value typed for a proposer's next request. It starts as the proposer's own letter (P2
/// proposes "B", as the lessons say) and is kept while the same proposer stays selected.
#[derive(Clone, Debug, Default)]
pub struct RequestValue {
    node: Option<NodeId>,
    text: String,
}

impl RequestValue {
    /// The text field for `id`'s request, reset to its own letter when another node's was shown.
    pub fn for_node(&mut self, id: NodeId) -> &mut String {
        if self.node != Some(id) {
            self.node = Some(id);
            self.text = Value::letter_for(id.index).to_string();
        }
        &mut self.text
    }
}

impl Default for GraphView {
    fn default() -> Self {
        GraphView {
            ring: false,
            pan: Vec2::ZERO,
            zoom: 1.0,
            topology: None,
            request_value: RequestValue::default(),
            drawn: Vec::new(),
        }
    }
}

/// Who can send to whom in Paxos: proposers and acceptors both ways, acceptors to learners.
pub fn topology(config: &Config) -> UnGraph<NodeId, ()> {
    let mut g = UnGraph::new_undirected();
    let ps: Vec<_> = (1..=config.proposers)
        .map(|i| g.add_node(paxos::proposer(i)))
        .collect();
    let accs: Vec<_> = (1..=config.acceptors)
        .map(|i| g.add_node(paxos::acceptor(i)))
        .collect();
    let ls: Vec<_> = (1..=config.learners)
        .map(|i| g.add_node(paxos::learner(i)))
        .collect();
    for &a in &accs {
        for &p in &ps {
            g.add_edge(p, a, ());
        }
        for &l in &ls {
            g.add_edge(a, l, ());
        }
    }
    g
}

/// Where each node sits and how big it is, for one frame.
pub struct Layout {
    rect: Rect,
    config: Config,
    ring: bool,
    pan: Vec2,
    zoom: f32,
    pub radius: f32,
}

impl Layout {
    pub fn new(rect: Rect, config: &Config, ring: bool, pan: Vec2, zoom: f32) -> Self {
        let most = config.proposers.max(config.acceptors).max(config.learners) as f32;
        let spacing = (rect.height() - 90.0) / most;
        let base = if ring {
            let n = (config.proposers + config.acceptors + config.learners) as f32;
            (rect.width().min(rect.height()) * 1.2 / n).min(44.0)
        } else {
            // Room below each node for two lines of state.
            (spacing * 0.27).min(rect.width() * 0.05)
        };
        Layout {
            rect,
            config: config.clone(),
            ring,
            pan,
            zoom,
            radius: (base.clamp(7.0, 44.0)) * zoom,
        }
    }

    fn count(&self, role: Role) -> u8 {
        match role {
            paxos::PROPOSER => self.config.proposers,
            paxos::ACCEPTOR => self.config.acceptors,
            _ => self.config.learners,
        }
    }

    pub fn pos(&self, id: NodeId) -> Pos2 {
        let r = self.rect;
        let center = r.center();
        let p = if self.ring {
            let before: u32 = paxos::ROLES
                .iter()
                .take_while(|&&role| role != id.role)
                .map(|&role| self.count(role) as u32)
                .sum();
            let total = (self.config.proposers as u32
                + self.config.acceptors as u32
                + self.config.learners as u32) as f32;
            let k = (before + id.index as u32 - 1) as f32;
            let a = -std::f32::consts::FRAC_PI_2 + k * std::f32::consts::TAU / total;
            let rad = (r.width().min(r.height()) * 0.5 - 50.0).max(40.0);
            center + Vec2::new(a.cos(), a.sin()) * rad
        } else {
            let col = match id.role {
                paxos::PROPOSER => 0.16,
                paxos::ACCEPTOR => 0.5,
                _ => 0.84,
            };
            let n = self.count(id.role) as f32;
            let top = r.top() + 60.0;
            let h = r.height() - 90.0;
            let y = top + h * (id.index as f32 - 0.5) / n;
            Pos2::new(r.left() + r.width() * col, y)
        };
        center + (p - center) * self.zoom + self.pan
    }

    /// The column headings' positions (columns layout only).
    fn headings(&self) -> [(Role, Pos2); 3] {
        let r = self.rect;
        let at = |f: f32| Pos2::new(r.left() + r.width() * f, r.top() + 22.0);
        [
            (paxos::PROPOSER, at(0.16)),
            (paxos::ACCEPTOR, at(0.5)),
            (paxos::LEARNER, at(0.84)),
        ]
    }
}

/// Where a message is drawn: along its edge, nudged sideways by direction so a request and its
/// reply do not overlap.
fn message_pos(layout: &Layout, env: &Envelope<Msg>, now: f64) -> Pos2 {
    let span = (env.deliver_at - env.sent_at).max(1) as f64;
    let f = ((now - env.sent_at as f64) / span).clamp(0.0, 1.0) as f32;
    let (a, b) = (layout.pos(env.src), layout.pos(env.dst));
    let dir = (b - a).normalized();
    // Leave and arrive at the nodes' rims, so messages just sent fan out instead of piling up
    // on the sender.
    let rim = layout.radius.min((b - a).length() * 0.3);
    let (a, b) = (a + dir * rim, b - dir * rim);
    let side = if env.src < env.dst { 1.0 } else { -1.0 };
    let normal = Vec2::new(-dir.y, dir.x) * side * (layout.radius * 0.22).clamp(3.0, 9.0);
    a + (b - a) * f + normal
}

/// A node's accessible widget, so keyboards, screen readers and tests find it by its id.
pub(crate) fn node_widget(ui: &Ui, rect: Rect, id: NodeId) -> Response {
    let resp = ui.interact(rect, ui.scope_id().with(("node", id)), Sense::click());
    let label = id.to_string();
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    resp
}

/// A message's accessible widget around its marker at `p`, named `#id Msg src→dst`.
pub(crate) fn message_widget<M: std::fmt::Display>(
    ui: &Ui,
    p: Pos2,
    marker: f32,
    env: &Envelope<M>,
) -> Response {
    let resp = ui.interact(
        Rect::from_center_size(p, Vec2::splat(marker * 2.0 + 6.0)),
        ui.scope_id().with(("msg", env.id.0)),
        Sense::click(),
    );
    let label = format!("{} {} {}→{}", env.id, env.msg, env.src, env.dst);
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    resp
}

fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_sq().max(1e-6)).clamp(0.0, 1.0);
    (a + ab * t).distance(p)
}

impl GraphView {
    pub fn reset_view(&mut self) {
        self.pan = Vec2::ZERO;
        self.zoom = 1.0;
    }

    pub fn ui(&mut self, ui: &mut Ui, f: &Frame, out: &mut Vec<Command<Paxos>>) {
        let world = f.session.world();
        let config = f.session.config().clone();
        if self.topology.as_ref().is_none_or(|(c, _)| *c != config) {
            self.topology = Some((config.clone(), std::sync::Arc::new(topology(&config))));
        }
        let (rect, canvas) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        let painter = ui.painter_at(rect);
        let visuals = ui.visuals().clone();
        let text_color = visuals.strong_text_color();
        let weak = visuals.weak_text_color();
        let pal = f.palette;

        // Pan by dragging the background, zoom with Ctrl + scroll or a pinch.
        if canvas.dragged() {
            self.pan += canvas.drag_delta();
        }
        if canvas.hovered() {
            let z = ui.input(|i| i.zoom_delta());
            if z != 1.0 {
                self.zoom = (self.zoom * z).clamp(0.3, 4.0);
            }
        }
        let layout = Layout::new(rect, &config, self.ring, self.pan, self.zoom);
        let r = layout.radius;
        let font = |size: f32| FontId::proportional(size * f.text_scale);

        if !self.ring {
            for (role, pos) in layout.headings() {
                let title = match role {
                    paxos::PROPOSER => T::Proposers,
                    paxos::ACCEPTOR => T::Acceptors,
                    _ => T::Learners,
                };
                painter.text(pos, Align2::CENTER_CENTER, f.tr(title), font(16.0), weak);
            }
        }

        // Edges; cut links dashed and marked.
        let net = world.network();
        let graph = std::sync::Arc::clone(&self.topology.as_ref().expect("built above").1);
        let edge_stroke = Stroke::new(1.0, weak.gamma_multiply(0.35));
        for e in graph.edge_indices() {
            let (a, b) = graph.edge_endpoints(e).expect("edge of this graph");
            let (a, b) = (graph[a], graph[b]);
            let (pa, pb) = (layout.pos(a), layout.pos(b));
            let selected = f.session.selection == Some(Selection::Link(a, b))
                || f.session.selection == Some(Selection::Link(b, a));
            if net.is_cut(a, b) {
                painter.extend(Shape::dashed_line(
                    &[pa, pb],
                    Stroke::new(2.0, pal.cut),
                    6.0,
                    5.0,
                ));
                let mid = pa + (pb - pa) * 0.5;
                painter.text(mid, Align2::CENTER_CENTER, "✂", font(14.0), pal.cut);
            } else if selected {
                painter.line_segment([pa, pb], Stroke::new(3.0, pal.changed));
            } else {
                painter.line_segment([pa, pb], edge_stroke);
            }
            if selected && net.is_cut(a, b) {
                painter.line_segment([pa, pb], Stroke::new(1.0, pal.changed));
            }
        }

        // Messages in flight, then the ones the last step ended (arriving, lost) while the step
        // transition plays.
        let now = f.anim.display_now;
        let in_flight: Vec<&Envelope<Msg>> = net.in_flight().collect();
        let hovered_pos = ui.input(|i| i.pointer.hover_pos());
        let mut hovered_msg: Option<(Envelope<Msg>, Pos2)> = None;
        let mr = (r * 0.28).clamp(3.0, 8.0);
        let many = in_flight.len() > FULL_LABELS_UP_TO;
        // Message labels are placed after the nodes, clear of them and of each other.
        let mut labels: Vec<PendingLabel> = Vec::new();
        // A broadcast's copies (same sender, message and send time) share one label with a count.
        let mut broadcast: std::collections::HashMap<(NodeId, String, u64), usize> =
            std::collections::HashMap::new();
        let one_by_one = in_flight.len() <= crowd::ONE_BY_ONE_UP_TO;
        for env in in_flight.iter().copied().filter(|_| one_by_one) {
            let p = message_pos(&layout, env, now);
            let kind = env.msg.kind();
            for s in message_marker(kind, p, mr, pal.message(kind), text_color) {
                painter.add(s);
            }
            if !many || in_flight.len() <= 60 {
                let label = if many {
                    short_label(&env.msg)
                } else {
                    message_text(&env.msg, f)
                };
                // Labels trail behind the message, away from the node it is heading into.
                let (a, b) = (layout.pos(env.src), layout.pos(env.dst));
                let ahead = (p - a).length() > (b - a).length() * 0.5;
                let right = (b.x > a.x) != ahead;
                match broadcast.entry((env.src, label.clone(), env.sent_at)) {
                    std::collections::hash_map::Entry::Occupied(e) => {
                        let first = &mut labels[*e.get()];
                        let n = first
                            .text
                            .rsplit_once(" ×")
                            .map_or(1, |(_, n)| n.parse::<usize>().unwrap_or(1));
                        first.text = format!("{label} ×{}", n + 1);
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(labels.len());
                        labels.push(PendingLabel {
                            text: label,
                            anchor: p,
                            right,
                            id: env.id,
                        });
                    }
                }
            }
            if let Some(h) = hovered_pos
                && h.distance(p) < mr + 4.0
            {
                hovered_msg = Some((*env, p));
            }
        }
        if !one_by_one {
            // A crowd: overlapping markers merge, and past a bound the rest are only counted.
            let crowd = crowd::merge(
                in_flight
                    .iter()
                    .map(|e| (message_pos(&layout, e, now), e.msg.kind(), e.id)),
                mr,
            );
            for m in &crowd.markers {
                painter.add(
                    message_marker(m.kind, m.pos, mr, pal.message(m.kind), text_color)
                        .swap_remove(0),
                );
            }
            if let Some(h) = hovered_pos
                && let Some(m) = crowd.markers.iter().find(|m| h.distance(m.pos) < mr + 4.0)
                && let Some(env) = net.get(m.first)
            {
                hovered_msg = Some((*env, m.pos));
            }
            let plate = ui.visuals().extreme_bg_color.gamma_multiply(0.9);
            self.drawn.push(crowd.paint_note(
                &painter,
                rect,
                f.lang,
                font(13.0),
                (plate, text_color),
            ));
        }
        // Lies are few: each gets a red double ring, whatever the crowd.
        for env in net.in_flight().filter(|e| world.is_lie(e.id)) {
            let at = message_pos(&layout, env, now);
            for extra in [3.0, 6.0] {
                painter.circle_stroke(at, mr + extra, Stroke::new(1.5, pal.violation));
            }
        }
        // Held and selected messages are few: ringed one by one, whatever the crowd.
        for &id in f.session.held.iter() {
            if let Some(env) = net.get(id) {
                painter.circle_stroke(
                    message_pos(&layout, env, now),
                    mr + 4.0,
                    Stroke::new(2.0, pal.cut),
                );
            }
        }
        if let Some(Selection::Message(id)) = f.session.selection
            && let Some(env) = net.get(id)
        {
            painter.circle_stroke(
                message_pos(&layout, env, now),
                mr + 6.0,
                Stroke::new(2.5, pal.changed),
            );
        }
        if f.anim.progress < 1.0 {
            for ev in world.events() {
                match ev {
                    Event::Delivered(env) if now < env.deliver_at as f64 => {
                        let p = message_pos(&layout, env, now);
                        let kind = env.msg.kind();
                        for s in message_marker(kind, p, mr, pal.message(kind), text_color) {
                            painter.add(s);
                        }
                    }
                    Event::Delivered(env) => {
                        // Arrived: a ring pulses out from the receiver.
                        let k = f.anim.progress;
                        let c = pal.message(env.msg.kind()).gamma_multiply(1.0 - k);
                        painter.add(role_outline(
                            env.dst.role,
                            layout.pos(env.dst),
                            r + 4.0 + 14.0 * k,
                            Stroke::new(3.0, c),
                        ));
                    }
                    Event::Lost { envelope, cause } => {
                        let at = if *cause == LossCause::Dropped {
                            now.min(envelope.deliver_at as f64)
                        } else {
                            envelope.deliver_at as f64
                        };
                        let p = message_pos(&layout, envelope, at);
                        let fade = 1.0 - f.anim.progress;
                        let c = pal.cut.gamma_multiply(fade);
                        let d = mr + 3.0;
                        painter.extend(cross(p, d, Stroke::new(3.0, c)));
                        painter.text(
                            p + Vec2::new(0.0, d + 2.0),
                            Align2::CENTER_TOP,
                            f.tr(T::Lost),
                            font(12.0),
                            c,
                        );
                    }
                    Event::Duplicated { original, copy } => {
                        // The copy splits off the original.
                        let from = net.get(*original).map(|e| message_pos(&layout, e, now));
                        let to = message_pos(&layout, copy, now);
                        if let Some(from) = from {
                            let k = f.anim.progress;
                            let c = pal.message(copy.msg.kind());
                            painter
                                .line_segment([from, from + (to - from) * k], Stroke::new(2.0, c));
                            painter.text(
                                from + Vec2::new(0.0, -mr - 4.0),
                                Align2::CENTER_BOTTOM,
                                "×2",
                                font(13.0),
                                c,
                            );
                        }
                    }
                    _ => {}
                }
            }
        }

        // Nodes.
        let hover_node = hovered_pos.and_then(|h| {
            world
                .nodes()
                .iter()
                .map(|s| s.id)
                .find(|&id| layout.pos(id).distance(h) <= r * 1.1)
        });
        self.drawn.clear();
        for slot in world.nodes() {
            let id = slot.id;
            let p = layout.pos(id);
            self.drawn.push(Drawn::new(
                "node",
                id.to_string(),
                Rect::from_center_size(p, Vec2::splat(r * 2.2)),
            ));
            let color = if slot.up {
                pal.role(id.role)
            } else {
                pal.crashed
            };
            let outline = Stroke::new(2.0, text_color);
            painter.add(role_shape(id.role, p, r, color, outline));
            painter.add(role_outline(id.role, p, r, outline));
            if crate::sim::Protocol::is_byzantine(world.protocol(), id) {
                // A liar: a red outline and a tag, so it stands apart without colour too.
                painter.add(role_outline(
                    id.role,
                    p,
                    r + 3.0,
                    Stroke::new(3.0, pal.violation),
                ));
                let galley = painter.layout_no_wrap(
                    f.tr(T::ByzantineBadge).to_string(),
                    font(12.0),
                    Color32::WHITE,
                );
                let at = Align2::RIGHT_BOTTOM
                    .anchor_size(p + Vec2::new(-r * 0.4, -r * 0.8), galley.size());
                painter.rect_filled(at.expand(2.0), 3.0, pal.violation);
                painter.galley(at.min, galley, Color32::WHITE);
            }
            if f.highlight.contains(&id) {
                // Named by the lesson: a dashed golden ring.
                let ring = crate::ui::views::theme::polygon(p, r + 9.0, 24, 0.0);
                let mut closed = ring.clone();
                closed.push(ring[0]);
                painter.extend(Shape::dashed_line(
                    &closed,
                    Stroke::new(2.5, pal.chosen),
                    5.0,
                    4.0,
                ));
            }
            if f.session.selection == Some(Selection::Node(id)) {
                painter.add(role_outline(
                    id.role,
                    p,
                    r + 5.0,
                    Stroke::new(3.0, pal.changed),
                ));
            }
            painter.text(
                p,
                Align2::CENTER_CENTER,
                id.to_string(),
                FontId::proportional((r * 0.75).clamp(10.0, 30.0) * f.text_scale.sqrt()),
                Color32::BLACK,
            );
            if !slot.up {
                painter.extend(cross(p, r * 0.8, Stroke::new(3.0, pal.cut)));
            }
            if let Node::Proposer(pr) = &slot.state
                && matches!(pr.phase, Phase::Accepting { .. })
                && slot.up
            {
                painter.add(crown(
                    p + Vec2::new(0.0, -r - 9.0),
                    (r * 0.9).clamp(12.0, 26.0),
                    pal.chosen,
                    text_color,
                ));
            }
            let focused =
                hover_node == Some(id) || f.session.selection == Some(Selection::Node(id));
            let state = (r >= 9.0 || focused).then(|| {
                let lines = node_status(f, slot.up, &slot.state);
                let below = p + Vec2::new(0.0, r + 4.0);
                let galley = painter.layout(lines, font(12.5), text_color, (r * 5.0).max(190.0));
                let at = Align2::CENTER_TOP.anchor_size(below, galley.size());
                (galley, at)
            });
            // A state that would cover a neighbouring node (a tight column, presenter mode)
            // shows only while its node is hovered or selected.
            let state = state.filter(|(_, at)| {
                focused
                    || !world.nodes().iter().any(|o| {
                        o.id != id
                            && Rect::from_center_size(layout.pos(o.id), Vec2::splat(r * 2.2))
                                .intersects(at.expand(2.0))
                    })
            });
            if let Some((galley, at)) = state {
                painter.rect_filled(
                    at.expand(2.0),
                    3.0,
                    visuals.extreme_bg_color.gamma_multiply(0.85),
                );
                painter.galley(at.min, galley, text_color);
                self.drawn
                    .push(Drawn::new("state", id.to_string(), at.expand(2.0)));
            }

            // An accessible widget per node, so keyboards, screen readers and tests find it.
            let resp = node_widget(ui, Rect::from_center_size(p, Vec2::splat(r * 2.0)), id);
            if resp.clicked() {
                out.push(Command::Select(Some(Selection::Node(id))));
            }
            self.node_menu(&resp, f, id, slot.up, slot.timer.is_some(), out);
        }

        // Each label takes the nearest spot around its marker that covers no node, no node's
        // state and no label placed before it; far from its marker it gets a leader line, and a
        // label with no free spot is left to the marker's hover text and the inspector.
        let mut taken: Vec<Rect> = self.drawn.iter().map(|d| d.rect()).collect();
        for l in labels {
            let galley = painter.layout_no_wrap(l.text.clone(), font(11.5), text_color);
            let size = galley.size() + Vec2::splat(2.0);
            let spot = label_spots(l.anchor, size, l.right, mr + 3.0)
                .into_iter()
                .find(|c| rect.contains_rect(*c) && !taken.iter().any(|t| t.intersects(*c)));
            let Some(at) = spot else { continue };
            if at.distance_to_pos(l.anchor) > mr + 8.0 {
                painter.line_segment(
                    [l.anchor, at.center()],
                    Stroke::new(1.0, text_color.gamma_multiply(0.5)),
                );
            }
            let plate = visuals.extreme_bg_color.gamma_multiply(0.75);
            painter.rect_filled(at, 2.0, plate);
            painter.galley(at.min + Vec2::splat(1.0), galley, text_color);
            taken.push(at);
            self.drawn.push(Drawn {
                text: l.text,
                ..Drawn::new("label", format!("#{}", l.id.0), at)
            });
        }

        // Message widgets (when few enough), drawn over nodes for clicking.
        if in_flight.len() <= WIDGETS_UP_TO {
            for env in in_flight.iter().copied() {
                let p = message_pos(&layout, env, now);
                let resp = message_widget(ui, p, mr, env);
                if resp.clicked() {
                    out.push(Command::Select(Some(Selection::Message(env.id))));
                }
                message_menu(&resp, f, env, out);
            }
        }

        if let Some((env, p)) = hovered_msg
            && many
        {
            let text = format!("{} {}  {}→{}", env.id, env.msg, env.src, env.dst);
            painter.text(
                p + Vec2::new(mr + 3.0, -mr - 2.0),
                Align2::LEFT_BOTTOM,
                text,
                font(13.0),
                text_color,
            );
        }

        // A click on the background selects the nearest link, a message, or clears the selection.
        if canvas.clicked()
            && let Some(click) = canvas.interact_pointer_pos()
        {
            let msg = in_flight
                .iter()
                .find(|e| message_pos(&layout, e, now).distance(click) < mr + 4.0);
            let sel = if let Some(m) = msg {
                Some(Selection::Message(m.id))
            } else {
                graph
                    .edge_indices()
                    .filter_map(|e| graph.edge_endpoints(e))
                    .map(|(a, b)| (graph[a], graph[b]))
                    .map(|(a, b)| {
                        (
                            distance_to_segment(click, layout.pos(a), layout.pos(b)),
                            a,
                            b,
                        )
                    })
                    .filter(|(d, a, b)| {
                        *d < 6.0
                            && layout.pos(*a).distance(click) > r
                            && layout.pos(*b).distance(click) > r
                    })
                    .min_by(|x, y| x.0.total_cmp(&y.0))
                    .map(|(_, a, b)| Selection::Link(a, b))
            };
            out.push(Command::Select(sel));
        }
    }

    fn node_menu(
        &mut self,
        resp: &Response,
        f: &Frame,
        id: NodeId,
        up: bool,
        timer: bool,
        out: &mut Vec<Command<Paxos>>,
    ) {
        resp.context_menu(|ui| {
            ui.label(id.to_string());
            node_actions(ui, f, id, up, timer, self.request_value.for_node(id), out);
            lie_menu(ui, f, id, out);
        });
    }
}

/// A message as the graph and inspector show it: the message's name and numbers as in traces
/// (`Promise(2.1, ...)`), the words in the user's language (`accepted none` → `尚未接受`).
pub fn message_text(m: &Msg, f: &Frame) -> String {
    if f.lang == crate::ui::i18n::Lang::En {
        return m.to_string();
    }
    match *m {
        Msg::Promise {
            ballot,
            accepted: Some((b, v)),
        } => format!("Promise({ballot}, {} {b}=\"{v}\")", f.tr(T::AcceptedVote)),
        Msg::Promise {
            ballot,
            accepted: None,
        } => format!("Promise({ballot}, {})", f.tr(T::NotYetAccepted)),
        Msg::Nack { ballot, promised } => {
            format!("Nack({ballot}, {} {promised})", f.tr(T::Promised))
        }
        _ => m.to_string(),
    }
}

/// The legend: each role's shape, each message's marker and colour, and the marks for a lost
/// message, a crashed node, a proposer in phase 2 and a cut link, drawn as the graph draws them.
pub fn legend_ui(ui: &mut Ui, f: &Frame) {
    use crate::protocols::paxos::MsgKind;
    let pal = f.palette;
    let row = |ui: &mut Ui, draw: &dyn Fn(&egui::Painter, Pos2), text: &str| {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(Vec2::new(36.0, 26.0), egui::Sense::hover());
            draw(ui.painter(), rect.center());
            ui.label(text);
        });
    };
    for (role, name) in [
        (paxos::PROPOSER, T::Proposers),
        (paxos::ACCEPTOR, T::Acceptors),
        (paxos::LEARNER, T::Learners),
    ] {
        row(
            ui,
            &|p, c| {
                p.add(crate::ui::views::theme::role_shape(
                    role,
                    c,
                    10.0,
                    pal.role(role),
                    Stroke::new(1.0, Color32::WHITE),
                ));
            },
            f.tr(name),
        );
    }
    ui.separator();
    for kind in [
        MsgKind::Prepare,
        MsgKind::Promise,
        MsgKind::Nack,
        MsgKind::Accept,
        MsgKind::Accepted,
    ] {
        let name = format!("{kind:?}");
        row(
            ui,
            &|p, c| {
                p.extend(crate::ui::views::theme::message_marker(
                    kind,
                    c,
                    6.0,
                    pal.message(kind),
                    Color32::WHITE,
                ));
            },
            &name,
        );
    }
    ui.separator();
    row(
        ui,
        &|p, c| {
            p.extend(cross(c, 6.0, Stroke::new(3.0, pal.cut)));
        },
        f.tr(T::LegendLost),
    );
    row(
        ui,
        &|p, c| {
            p.add(crate::ui::views::theme::role_outline(
                paxos::ACCEPTOR,
                c,
                10.0,
                Stroke::new(1.0, Color32::GRAY),
            ));
            p.extend(cross(c, 8.0, Stroke::new(3.0, pal.cut)));
        },
        f.tr(T::LegendCrashed),
    );
    row(
        ui,
        &|p, c| {
            p.add(crown(c, 18.0, pal.chosen, Color32::BLACK));
        },
        f.tr(T::LegendPhase2),
    );
    row(
        ui,
        &|p, c| {
            p.extend(Shape::dashed_line(
                &[c + Vec2::new(-14.0, 0.0), c + Vec2::new(14.0, 0.0)],
                Stroke::new(2.0, pal.cut),
                4.0,
                3.0,
            ));
        },
        f.tr(T::LegendCutLink),
    );
}

/// A button that takes a simulation action: greyed out, with the reason on hover, when an
/// exercise does not allow it. True when clicked.
pub fn act_button(ui: &mut Ui, f: &Frame, text: &str, action: Action, enabled: bool) -> bool {
    let allowed = f.allows(&action);
    let response = ui.add_enabled(enabled && allowed, egui::Button::new(text));
    if !allowed {
        response.clone().on_disabled_hover_text(f.why_not());
    }
    response.clicked()
}

/// The buttons that act on a node: shared by the context menu and the inspector.
pub fn node_actions(
    ui: &mut Ui,
    f: &Frame,
    id: NodeId,
    up: bool,
    timer: bool,
    value: &mut String,
    out: &mut Vec<Command<Paxos>>,
) {
    let (text, crash_or_restart) = if up {
        (T::Crash, Action::Crash(id))
    } else {
        (T::Restart, Action::Restart(id))
    };
    if act_button(ui, f, f.tr(text), crash_or_restart, true) {
        out.push(Command::Act(crash_or_restart));
        ui.close();
    }
    if id.role == paxos::PROPOSER && up {
        let timeout = Action::Timeout(id);
        if act_button(ui, f, f.tr(T::FireTimeout), timeout, timer) {
            out.push(Command::Act(timeout));
            ui.close();
        }
        ui.horizontal(|ui| {
            let label = ui.label(f.tr(T::Value));
            ui.add(
                egui::TextEdit::singleline(value)
                    .desired_width(60.0)
                    .char_limit(Value::MAX_LEN),
            )
            .labelled_by(label.id);
            let v = Value::new(value.trim());
            let propose = Action::Propose(id, v.clone().unwrap_or(Value::letter_for(id.index)));
            if act_button(ui, f, f.tr(T::ProposeValue), propose, v.is_ok())
                && let Ok(v) = v
            {
                out.push(Command::Act(Action::Propose(id, v)));
                ui.close();
            }
        });
    }
}

/// A Byzantine node's lies, grouped by what each does: shared by the context menu and the
/// inspector. Each button tells one lie (`Promise(1.2, accepted none) → P2`).
pub fn lie_menu(ui: &mut Ui, f: &Frame, id: NodeId, out: &mut Vec<Command<Paxos>>) {
    use crate::protocols::paxos::describe::LieKind;
    let world = f.session.world();
    let Some(slot) = world.node(id) else { return };
    if !crate::sim::Protocol::is_byzantine(world.protocol(), id) || !slot.up {
        return;
    }
    ui.separator();
    ui.label(egui::RichText::new(f.tr(T::LiesHeading)).strong());
    let mine: Vec<(LieKind, Action)> = world
        .lies_of(id)
        .into_iter()
        .filter_map(|a| match a {
            Action::Lie { ref msg, .. } => Some((LieKind::of(&slot.state, msg), a)),
            _ => None,
        })
        .collect();
    if mine.is_empty() {
        ui.label(egui::RichText::new(f.tr(T::NoLiesYet)).weak());
        return;
    }
    for kind in LieKind::ALL {
        let of_kind: Vec<Action> = mine
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, a)| *a)
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        ui.collapsing(f.tr(lie_kind_text(kind)), |ui| {
            for action in of_kind {
                let Action::Lie { to, msg, .. } = action else {
                    continue;
                };
                let text = format!("{} → {to}", message_text(&msg, f));
                if act_button(ui, f, &text, action, true) {
                    out.push(Command::Act(action));
                    ui.close();
                }
            }
        });
    }
}

fn lie_kind_text(kind: crate::protocols::paxos::describe::LieKind) -> T {
    use crate::protocols::paxos::describe::LieKind;
    match kind {
        LieKind::HideVote => T::LieHideVote,
        LieKind::SecondPromise => T::LieSecondPromise,
        LieKind::InventVote => T::LieInventVote,
        LieKind::SecondValue => T::LieSecondValue,
        LieKind::TwoValues => T::LieTwoValues,
    }
}

/// The buttons that act on a message in flight: shared by the context menu and the inspector.
pub fn message_actions(ui: &mut Ui, f: &Frame, env: &Envelope<Msg>, out: &mut Vec<Command<Paxos>>) {
    ui.horizontal_wrapped(|ui| {
        for (text, action) in [
            (T::DeliverNow, Action::Deliver(env.id)),
            (T::DropMessage, Action::Drop(env.id)),
            (T::DuplicateMessage, Action::Duplicate(env.id)),
        ] {
            if act_button(ui, f, f.tr(text), action, true) {
                out.push(Command::Act(action));
                ui.close();
            }
        }
        if f.session.held.contains(&env.id) {
            if ui.button(f.tr(T::Release)).clicked() {
                out.push(Command::Release(env.id));
                ui.close();
            }
        } else if ui.button(f.tr(T::Hold)).clicked() {
            out.push(Command::Hold(env.id));
            ui.close();
        }
    });
}

fn message_menu(resp: &Response, f: &Frame, env: &Envelope<Msg>, out: &mut Vec<Command<Paxos>>) {
    resp.context_menu(|ui| {
        ui.label(format!("{} {}", env.id, env.msg));
        message_actions(ui, f, env, out);
    });
}

/// One or two short lines of a node's key state, in the user's language.
pub fn node_status(f: &Frame, up: bool, node: &Node) -> String {
    if !up {
        return f.tr(T::Crashed).to_string();
    }
    match node {
        Node::Proposer(p) => match p.phase {
            Phase::Idle => f.tr(T::PhaseIdle).to_string(),
            Phase::Preparing {
                ballot, promises, ..
            } => {
                let (q1, _) = f.session.config().quorums();
                format!(
                    "{ballot} · {}",
                    crate::ui::i18n::fill(
                        f.tr(T::PromisesCount),
                        &[&promises.count_ones().to_string(), &q1.to_string()]
                    )
                )
            }
            Phase::Accepting { ballot, value, .. } => format!("{ballot} · Accept \"{value}\""),
            Phase::Decided { ballot, value } => format!("{ballot} · \"{value}\" ✔"),
        },
        Node::Acceptor(a) => {
            let promised = if a.promised.is_zero() {
                f.tr(T::NotYetPromised).to_string()
            } else {
                format!("{} {}", f.tr(T::Promised), a.promised)
            };
            let accepted = match a.accepted {
                Some((b, v)) => format!("{} {b}=\"{v}\"", f.tr(T::AcceptedVote)),
                None => f.tr(T::NotYetAccepted).to_string(),
            };
            format!("{promised}\n{accepted}")
        }
        Node::Learner(l) => match l.learned {
            Some(x) => format!("{} \"{}\"", f.tr(T::LearnedValue), x.value),
            None => f.tr(T::NotYetLearned).to_string(),
        },
    }
}
