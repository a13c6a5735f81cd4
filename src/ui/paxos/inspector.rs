//! The inspector: everything about the selected node, message or link, with the fields that
//! changed in the last step highlighted, and the buttons that act on it.

use egui::{Grid, RichText, Ui};

use crate::protocols::paxos::Paxos;
use crate::protocols::paxos::acceptor_list;
use crate::protocols::paxos::{Action, PaxosWorld};
use crate::protocols::paxos::{Node, Phase};
use crate::session::{Command, Selection};
use crate::ui::Frame;
use crate::ui::i18n::T;
use crate::ui::paxos::graph::{lie_menu, message_actions, node_actions, node_status};

#[derive(Default)]
pub struct InspectorView {
    pub request_value: crate::ui::paxos::graph::RequestValue,
    /// The world one step back, for highlighting changes, cached by (run version, position).
    previous: Option<(u64, u64, PaxosWorld)>,
}

impl InspectorView {
    pub fn ui(&mut self, ui: &mut Ui, f: &Frame, out: &mut Vec<Command<Paxos>>) {
        ui.heading(f.tr(T::Inspector));
        let world = f.session.world();
        ui.label(format!(
            "{} {} / {}   {} {}   {}",
            f.tr(T::Step),
            f.session.position(),
            f.session.len(),
            f.tr(T::Time),
            world.now(),
            crate::ui::i18n::fill(
                f.tr(T::InFlightCount),
                &[&world.network().in_flight_count()]
            ),
        ));
        ui.separator();
        let Some(sel) = f.session.selection else {
            ui.label(f.tr(T::NothingSelected));
            return;
        };
        match sel {
            Selection::Node(id) => {
                let Some(slot) = world.node(id) else { return };
                let pos = f.session.position();
                let key = (f.session.generation(), pos);
                if self
                    .previous
                    .as_ref()
                    .is_none_or(|(g, p, _)| (*g, *p) != key)
                {
                    let prev = f.session.timeline().state_at(pos.saturating_sub(1));
                    self.previous = Some((key.0, key.1, prev));
                }
                let before = self
                    .previous
                    .as_ref()
                    .and_then(|(_, _, w)| w.node(id))
                    .filter(|_| pos > 0);
                ui.heading(id.to_string());
                let role = match id.role {
                    crate::protocols::paxos::PROPOSER => T::Proposer,
                    crate::protocols::paxos::ACCEPTOR => T::Acceptor,
                    _ => T::Learner,
                };
                ui.label(format!(
                    "{} · {}{}",
                    f.tr(role),
                    if slot.up {
                        f.tr(T::Up)
                    } else {
                        f.tr(T::Crashed)
                    },
                    if crate::sim::Protocol::is_byzantine(world.protocol(), id) {
                        format!(" · {}", f.tr(T::ByzantineBadge))
                    } else {
                        String::new()
                    }
                ));
                let now_rows = fields(f, &slot.state, slot.timer);
                let old = before.map(|b| fields(f, &b.state, b.timer));
                Grid::new("inspector-fields")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for (i, (name, value)) in now_rows.iter().enumerate() {
                            let changed = old
                                .as_ref()
                                .is_some_and(|o| o.get(i).map(|x| &x.1) != Some(value));
                            ui.label(name);
                            if changed {
                                ui.label(
                                    RichText::new(value)
                                        .background_color(f.palette.changed.gamma_multiply(0.5))
                                        .strong(),
                                )
                                .on_hover_text(f.tr(T::ChangedLastStep));
                            } else {
                                ui.label(value);
                            }
                            ui.end_row();
                        }
                    });
                ui.add_space(6.0);
                ui.label(RichText::new(node_status(f, slot.up, &slot.state)).weak());
                ui.separator();
                node_actions(
                    ui,
                    f,
                    id,
                    slot.up,
                    slot.timer.is_some(),
                    self.request_value.for_node(id),
                    out,
                );
                lie_menu(ui, f, id, out);
            }
            Selection::Message(m) => {
                ui.heading(format!("{} {m}", f.tr(T::Message)));
                match world.network().get(m) {
                    Some(env) => {
                        ui.label(
                            RichText::new(crate::ui::paxos::graph::message_text(&env.msg, f))
                                .strong()
                                .size(16.0),
                        );
                        Grid::new("inspector-msg").num_columns(2).show(ui, |ui| {
                            ui.label(f.tr(T::From));
                            ui.label(env.src.to_string());
                            ui.end_row();
                            ui.label(f.tr(T::To));
                            ui.label(env.dst.to_string());
                            ui.end_row();
                            ui.label(f.tr(T::SentAt));
                            ui.label(env.sent_at.to_string());
                            ui.end_row();
                            ui.label(f.tr(T::ArrivesAt));
                            ui.label(env.deliver_at.to_string());
                            ui.end_row();
                        });
                        if f.session.held.contains(&m) {
                            ui.label(RichText::new(f.tr(T::Held)).color(f.palette.cut));
                        }
                        ui.separator();
                        message_actions(ui, f, env, out);
                    }
                    None => {
                        ui.label(f.tr(T::NoLongerInFlight));
                    }
                }
            }
            Selection::Link(a, b) => {
                ui.heading(format!("{} {a} — {b}", f.tr(T::Link)));
                let cut = world.network().is_cut(a, b);
                ui.label(if cut {
                    f.tr(T::LinkIsCut)
                } else {
                    f.tr(T::LinkIsUp)
                });
                let (text, action) = if cut {
                    (T::HealLink, Action::HealLink(a, b))
                } else {
                    (T::CutLink, Action::CutLink(a, b))
                };
                if crate::ui::paxos::graph::act_button(ui, f, f.tr(text), action, true) {
                    out.push(Command::Act(action));
                }
            }
        }
    }
}

/// A node's state as (name, value) rows, in a fixed order so two states compare row by row.
fn fields(f: &Frame, node: &Node, timer: Option<u64>) -> Vec<(String, String)> {
    let none = || f.tr(T::Nothing).to_string();
    let mut rows = Vec::new();
    match node {
        Node::Proposer(p) => {
            rows.push((
                f.tr(T::HighestSeenRound).to_string(),
                p.max_round.to_string(),
            ));
            rows.push((
                f.tr(T::Request).to_string(),
                p.request.map_or_else(none, |v| format!("\"{v}\"")),
            ));
            let (phase, ballot, detail) = match p.phase {
                Phase::Idle => (T::PhaseIdle, none(), none()),
                Phase::Preparing {
                    ballot,
                    promises,
                    highest,
                } => (
                    T::PhasePreparing,
                    ballot.to_string(),
                    if promises == 0 {
                        f.tr(T::NoPromisesYet).to_string()
                    } else {
                        format!(
                            "{} {}{}",
                            f.tr(T::Promises),
                            acceptor_list(promises),
                            highest.map_or(String::new(), |(b, v)| format!(" (max {b}=\"{v}\")"))
                        )
                    },
                ),
                Phase::Accepting {
                    ballot,
                    value,
                    accepted,
                } => (
                    T::PhaseAccepting,
                    format!("{ballot} \"{value}\""),
                    format!("{} {}", f.tr(T::Votes), acceptor_list(accepted)),
                ),
                Phase::Decided { ballot, value } => {
                    (T::PhaseDecided, format!("{ballot} \"{value}\""), none())
                }
            };
            rows.push(("phase".to_string(), f.tr(phase).to_string()));
            rows.push((f.tr(T::Ballot).to_string(), ballot));
            rows.push(("".to_string(), detail));
            rows.push((
                f.tr(T::Timer).to_string(),
                timer.map_or_else(
                    || f.tr(T::TimerOff).to_string(),
                    |t| format!("{} {t}", f.tr(T::FiresAt)),
                ),
            ));
        }
        Node::Acceptor(a) => {
            rows.push((
                f.tr(T::Promised).to_string(),
                if a.promised.is_zero() {
                    none()
                } else {
                    a.promised.to_string()
                },
            ));
            rows.push((
                f.tr(T::AcceptedVote).to_string(),
                a.accepted
                    .map_or_else(none, |(b, v)| format!("{b} \"{v}\"")),
            ));
        }
        Node::Learner(l) => {
            rows.push((
                f.tr(T::LearnedValue).to_string(),
                l.learned.map_or_else(none, |x| {
                    format!(
                        "\"{}\" ({} {}, {} {})",
                        x.value,
                        f.tr(T::Ballot),
                        x.ballot,
                        f.tr(T::Step),
                        x.step
                    )
                }),
            ));
            let heard: Vec<String> = l
                .tallies
                .iter()
                .map(|t| format!("{}=\"{}\": {}", t.ballot, t.value, acceptor_list(t.voters)))
                .collect();
            rows.push((
                f.tr(T::Tallies).to_string(),
                if heard.is_empty() {
                    none()
                } else {
                    heard.join("; ")
                },
            ));
        }
    }
    rows
}
