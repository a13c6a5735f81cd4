//! The colours the app's views and the picture exports share (an SVG and the window agree). Plain
//! data: what each colour means is decided by the views, and colour is never the only signal.
//! The colour-blind palette is Okabe and Ito's.

use egui::Color32;

use crate::protocols::paxos::{self, MsgKind};
use crate::protocols::plugin::Tint;
use crate::sim::Role;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    pub proposer: Color32,
    pub acceptor: Color32,
    pub learner: Color32,
    pub prepare: Color32,
    pub promise: Color32,
    pub nack: Color32,
    pub accept: Color32,
    pub accepted: Color32,
    /// A third phase's messages (PBFT's commit).
    pub phase3: Color32,
    pub chosen: Color32,
    pub violation: Color32,
    pub ok: Color32,
    pub crashed: Color32,
    pub cut: Color32,
    pub changed: Color32,
}

impl Palette {
    pub fn standard(dark: bool) -> Self {
        Palette {
            proposer: Color32::from_rgb(70, 130, 220),
            acceptor: Color32::from_rgb(230, 150, 40),
            learner: Color32::from_rgb(60, 170, 110),
            prepare: Color32::from_rgb(90, 150, 255),
            promise: Color32::from_rgb(60, 190, 210),
            nack: Color32::from_rgb(200, 100, 190),
            accept: Color32::from_rgb(245, 160, 40),
            accepted: Color32::from_rgb(70, 190, 90),
            phase3: Color32::from_rgb(165, 105, 250),
            chosen: Color32::from_rgb(212, 160, 20),
            violation: Color32::from_rgb(210, 40, 40),
            ok: Color32::from_rgb(40, 160, 80),
            crashed: if dark {
                Color32::from_gray(80)
            } else {
                Color32::from_gray(170)
            },
            cut: Color32::from_rgb(200, 50, 50),
            changed: Color32::from_rgb(255, 210, 60),
        }
    }

    /// Okabe-Ito: distinguishable under the common forms of colour blindness.
    pub fn color_blind(dark: bool) -> Self {
        Palette {
            proposer: Color32::from_rgb(0, 114, 178),
            acceptor: Color32::from_rgb(230, 159, 0),
            learner: Color32::from_rgb(0, 158, 115),
            prepare: Color32::from_rgb(86, 180, 233),
            promise: Color32::from_rgb(0, 114, 178),
            nack: Color32::from_rgb(204, 121, 167),
            accept: Color32::from_rgb(230, 159, 0),
            accepted: Color32::from_rgb(0, 158, 115),
            // Okabe and Ito's seven hues are taken; their eighth colour is black, drawn light on a
            // dark background so it stays visible.
            phase3: if dark {
                Color32::from_gray(225)
            } else {
                Color32::from_gray(30)
            },
            chosen: Color32::from_rgb(240, 228, 66),
            violation: Color32::from_rgb(213, 94, 0),
            ok: Color32::from_rgb(0, 158, 115),
            crashed: if dark {
                Color32::from_gray(80)
            } else {
                Color32::from_gray(170)
            },
            cut: Color32::from_rgb(213, 94, 0),
            changed: Color32::from_rgb(240, 228, 66),
        }
    }

    /// A Raft term's colour (RaftScope colours servers by term): term 0 grey, then six hues in
    /// turn, light enough for black ids on them.
    pub fn term(&self, term: u32) -> Color32 {
        const HUES: [Color32; 6] = [
            Color32::from_rgb(120, 180, 240),
            Color32::from_rgb(240, 170, 90),
            Color32::from_rgb(130, 210, 140),
            Color32::from_rgb(220, 140, 210),
            Color32::from_rgb(235, 215, 100),
            Color32::from_rgb(140, 215, 215),
        ];
        match term {
            0 => Color32::from_gray(175),
            t => HUES[(t as usize - 1) % HUES.len()],
        }
    }

    pub fn role(&self, role: Role) -> Color32 {
        match role {
            paxos::PROPOSER => self.proposer,
            paxos::ACCEPTOR => self.acceptor,
            _ => self.learner,
        }
    }

    pub fn message(&self, kind: MsgKind) -> Color32 {
        match kind {
            MsgKind::Prepare => self.prepare,
            MsgKind::Promise => self.promise,
            MsgKind::Nack => self.nack,
            MsgKind::Accept => self.accept,
            MsgKind::Accepted => self.accepted,
        }
    }

    /// A role's colour by its place among the protocol's roles (`RoleInfo::tint`).
    pub fn role_tint(&self, tint: u8) -> Color32 {
        match tint {
            0 => self.proposer,
            1 => self.acceptor,
            _ => self.learner,
        }
    }

    /// A message kind's colour by its family.
    pub fn tint(&self, tint: Tint) -> Color32 {
        match tint {
            Tint::Ask1 => self.prepare,
            Tint::Answer1 => self.promise,
            Tint::Refusal => self.nack,
            Tint::Ask2 => self.accept,
            Tint::Answer2 => self.accepted,
            Tint::Phase3 => self.phase3,
        }
    }
}
