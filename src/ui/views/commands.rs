//! The app's commands as the user meets them: each has its menu text and its keyboard shortcut
//! in one place, so the menus, the shortcut help and the key handling never drift apart.

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::ui::i18n::T;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiCommand {
    Open,
    Save,
    SaveAs,
    ExportAs,
    /// The address fragment that reopens what shows (`#lesson=…`, `#run=…`), to the clipboard.
    CopyLink,
    Quit,
    PlayPause,
    StepForward,
    StepBack,
    Reset,
    JumpToEnd,
    NewRun,
    CanThisBreak,
    PresenterMode,
    Fullscreen,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    ToggleLanguage,
    DeliverSelected,
    DropSelected,
    DuplicateSelected,
    HoldSelected,
    CrashSelected,
    RestartSelected,
    TimeoutSelected,
    CutOrHealSelectedLink,
    SelectNextNode,
    SelectNextMessage,
    /// Back to the lesson picker, from anywhere.
    Lessons,
}

impl UiCommand {
    /// The kind of simulation action this command takes, for an exercise's rules.
    pub fn action_control(self) -> Option<crate::lesson::Control> {
        use crate::lesson::Control;
        Some(match self {
            UiCommand::DeliverSelected => Control::Deliver,
            UiCommand::DropSelected => Control::Drop,
            UiCommand::DuplicateSelected => Control::Duplicate,
            UiCommand::CrashSelected => Control::Crash,
            UiCommand::RestartSelected => Control::Restart,
            UiCommand::TimeoutSelected => Control::Timeout,
            UiCommand::CutOrHealSelectedLink => Control::Links,
            _ => return None,
        })
    }

    /// The File menu (recent files come after these).
    pub const FILE: [UiCommand; 7] = [
        UiCommand::Lessons,
        UiCommand::Open,
        UiCommand::Save,
        UiCommand::SaveAs,
        UiCommand::ExportAs,
        UiCommand::CopyLink,
        UiCommand::Quit,
    ];

    /// The Run menu.
    pub const RUN: [UiCommand; 7] = [
        UiCommand::PlayPause,
        UiCommand::StepForward,
        UiCommand::StepBack,
        UiCommand::Reset,
        UiCommand::JumpToEnd,
        UiCommand::NewRun,
        UiCommand::CanThisBreak,
    ];

    /// The View menu's commands.
    pub const VIEW: [UiCommand; 5] = [
        UiCommand::PresenterMode,
        UiCommand::Fullscreen,
        UiCommand::ZoomIn,
        UiCommand::ZoomOut,
        UiCommand::ZoomReset,
    ];

    /// The commands that act on the selection, for the Selection menu.
    pub const ON_SELECTION: [UiCommand; 10] = [
        UiCommand::SelectNextNode,
        UiCommand::SelectNextMessage,
        UiCommand::DeliverSelected,
        UiCommand::DropSelected,
        UiCommand::DuplicateSelected,
        UiCommand::HoldSelected,
        UiCommand::CrashSelected,
        UiCommand::RestartSelected,
        UiCommand::TimeoutSelected,
        UiCommand::CutOrHealSelectedLink,
    ];

    /// Every command: the menus' and the language switch.
    pub fn all() -> impl Iterator<Item = UiCommand> {
        Self::FILE
            .into_iter()
            .chain(Self::RUN)
            .chain(Self::ON_SELECTION)
            .chain(Self::VIEW)
            .chain([UiCommand::ToggleLanguage])
    }

    pub fn text(self) -> T {
        match self {
            UiCommand::Open => T::MenuOpen,
            UiCommand::Save => T::MenuSave,
            UiCommand::SaveAs => T::MenuSaveAs,
            UiCommand::ExportAs => T::MenuExportAs,
            UiCommand::CopyLink => T::MenuCopyLink,
            UiCommand::Quit => T::Quit,
            UiCommand::PlayPause => T::Play,
            UiCommand::StepForward => T::StepForward,
            UiCommand::StepBack => T::StepBack,
            UiCommand::Reset => T::Reset,
            UiCommand::JumpToEnd => T::JumpToEnd,
            UiCommand::NewRun => T::NewRun,
            UiCommand::CanThisBreak => T::CanThisBreak,
            UiCommand::PresenterMode => T::PresenterMode,
            UiCommand::Fullscreen => T::Fullscreen,
            UiCommand::ZoomIn => T::ZoomIn,
            UiCommand::ZoomOut => T::ZoomOut,
            UiCommand::ZoomReset => T::ZoomReset,
            UiCommand::ToggleLanguage => T::MenuLanguage,
            UiCommand::DeliverSelected => T::DeliverNow,
            UiCommand::DropSelected => T::DropMessage,
            UiCommand::DuplicateSelected => T::DuplicateMessage,
            UiCommand::HoldSelected => T::Hold,
            UiCommand::CrashSelected => T::Crash,
            UiCommand::RestartSelected => T::Restart,
            UiCommand::TimeoutSelected => T::FireTimeout,
            UiCommand::CutOrHealSelectedLink => T::CutOrHealLink,
            UiCommand::SelectNextNode => T::SelectNextNode,
            UiCommand::SelectNextMessage => T::SelectNextMessage,
            UiCommand::Lessons => T::MenuLessons,
        }
    }

    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let key = |k| Some(KeyboardShortcut::new(Modifiers::NONE, k));
        let cmd = |k| Some(KeyboardShortcut::new(Modifiers::COMMAND, k));
        let cmd_shift = |k| {
            Some(KeyboardShortcut::new(
                Modifiers::COMMAND | Modifiers::SHIFT,
                k,
            ))
        };
        match self {
            UiCommand::Open => cmd(Key::O),
            UiCommand::Save => cmd(Key::S),
            UiCommand::SaveAs => cmd_shift(Key::S),
            UiCommand::ExportAs => cmd(Key::E),
            // Browsers keep Ctrl+Shift+C (and most other letters) for themselves.
            UiCommand::CopyLink => None,
            UiCommand::Quit => cmd(Key::Q),
            UiCommand::PlayPause => key(Key::Space),
            UiCommand::StepForward => key(Key::ArrowRight),
            UiCommand::StepBack => key(Key::ArrowLeft),
            UiCommand::Reset => key(Key::Home),
            UiCommand::JumpToEnd => key(Key::End),
            UiCommand::NewRun => cmd(Key::N),
            UiCommand::CanThisBreak => cmd(Key::B),
            UiCommand::PresenterMode => key(Key::F5),
            UiCommand::Fullscreen => key(Key::F11),
            UiCommand::ZoomIn => cmd(Key::Equals),
            UiCommand::ZoomOut => cmd(Key::Minus),
            UiCommand::ZoomReset => cmd(Key::Num0),
            UiCommand::ToggleLanguage => cmd(Key::L),
            UiCommand::DeliverSelected => key(Key::D),
            UiCommand::DropSelected => key(Key::X),
            UiCommand::DuplicateSelected => key(Key::U),
            UiCommand::HoldSelected => key(Key::H),
            UiCommand::CrashSelected => key(Key::C),
            UiCommand::RestartSelected => key(Key::R),
            UiCommand::TimeoutSelected => key(Key::T),
            UiCommand::CutOrHealSelectedLink => key(Key::K),
            UiCommand::SelectNextNode => key(Key::N),
            UiCommand::SelectNextMessage => key(Key::M),
            UiCommand::Lessons => cmd_shift(Key::L),
        }
    }

    /// The commands whose shortcuts were pressed this frame (not while typing in a text field).
    pub fn pressed(ctx: &egui::Context) -> Vec<UiCommand> {
        if ctx.egui_wants_keyboard_input() {
            return Vec::new();
        }
        // egui matches Ctrl+S on Ctrl+Shift+S too (extra Shift is ignored), so the shortcuts
        // with more modifiers get their chance first.
        let mut all: Vec<UiCommand> = UiCommand::all().collect();
        all.sort_by_key(|c| {
            std::cmp::Reverse(c.shortcut().map_or(0, |s| {
                let m = s.modifiers;
                m.shift as u8 + m.alt as u8 + m.command as u8 + m.ctrl as u8
            }))
        });
        ctx.input_mut(|i| {
            all.into_iter()
                .filter(|c| c.shortcut().is_some_and(|s| i.consume_shortcut(&s)))
                .collect()
        })
    }
}

/// What a run command asks of the session, the same in every body: play, step, and the
/// actions on the selected node, message or link. `None` for a command about something else
/// (files, the window) or with nothing selected for it.
pub fn on_run<P: crate::protocols::Plugin>(
    c: UiCommand,
    session: &crate::session::Session<P>,
) -> Option<crate::session::Command<P>> {
    use crate::session::{Command, Selection};
    use crate::sim::world::Action;
    let world = session.world();
    let selection = session.selection;
    // A message that is gone (delivered, dropped) is no longer one to act on.
    let message = match selection {
        Some(Selection::Message(m)) if world.network().get(m).is_some() => Some(m),
        _ => None,
    };
    let node = match selection {
        Some(Selection::Node(n)) => Some(n),
        _ => None,
    };
    let act = |a: crate::sim::world::ActionOf<P>| Some(Command::Act(a));
    match c {
        UiCommand::PlayPause => Some(Command::TogglePlay),
        UiCommand::StepForward => Some(Command::StepForward),
        UiCommand::StepBack => Some(Command::StepBack),
        UiCommand::Reset => Some(Command::Reset),
        UiCommand::JumpToEnd => Some(Command::SeekEnd),
        UiCommand::DeliverSelected => act(Action::Deliver(message?)),
        UiCommand::DropSelected => act(Action::Drop(message?)),
        UiCommand::DuplicateSelected => act(Action::Duplicate(message?)),
        UiCommand::HoldSelected => {
            let m = message?;
            Some(if session.held.contains(&m) {
                Command::Release(m)
            } else {
                Command::Hold(m)
            })
        }
        UiCommand::CrashSelected => act(Action::Crash(node?)),
        UiCommand::RestartSelected => act(Action::Restart(node?)),
        UiCommand::TimeoutSelected => act(Action::Timeout(node?)),
        UiCommand::CutOrHealSelectedLink => match selection {
            Some(Selection::Link(a, b)) if world.network().is_cut(a, b) => {
                act(Action::HealLink(a, b))
            }
            Some(Selection::Link(a, b)) => act(Action::CutLink(a, b)),
            _ => None,
        },
        UiCommand::SelectNextNode => {
            let ids: Vec<_> = world.nodes().iter().map(|s| s.id).collect();
            let at = node.and_then(|n| ids.iter().position(|&i| i == n));
            let next = at.map_or(ids.first(), |i| ids.get((i + 1) % ids.len()))?;
            Some(Command::Select(Some(Selection::Node(*next))))
        }
        UiCommand::SelectNextMessage => {
            let ids: Vec<_> = world.network().in_flight().map(|e| e.id).collect();
            let at = message.and_then(|m| ids.iter().position(|&i| i == m));
            let next = at.map_or(ids.first(), |i| ids.get((i + 1) % ids.len()))?;
            Some(Command::Select(Some(Selection::Message(*next))))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_commands_share_a_shortcut() {
        let mut seen = Vec::new();
        for c in UiCommand::all() {
            if let Some(s) = c.shortcut() {
                assert!(!seen.contains(&s), "{c:?} reuses {s:?}");
                seen.push(s);
            }
        }
    }

    /// The run commands act alike in every body, on what is selected, and never on a message
    /// that is gone.
    #[test]
    fn run_commands_act_on_the_selection_and_skip_what_is_gone() {
        use crate::protocols::multipaxos::MultiPaxos;
        use crate::session::{Command, Selection, Session};
        use crate::sim::world::Action;
        let mut s: Session<MultiPaxos> = Session::new(Default::default(), Default::default());
        assert!(
            on_run(UiCommand::CrashSelected, &s).is_none(),
            "nothing selected"
        );
        let first = s.world().nodes()[0].id;
        let second = s.world().nodes()[1].id;
        assert!(matches!(
            on_run(UiCommand::SelectNextNode, &s),
            Some(Command::Select(Some(Selection::Node(n)))) if n == first
        ));
        s.apply(Command::Select(Some(Selection::Node(first))));
        assert!(matches!(
            on_run(UiCommand::SelectNextNode, &s),
            Some(Command::Select(Some(Selection::Node(n)))) if n == second
        ));
        assert!(matches!(
            on_run(UiCommand::TimeoutSelected, &s),
            Some(Command::Act(Action::Timeout(n))) if n == first
        ));
        while s.world().network().in_flight().next().is_none() {
            s.apply(Command::StepForward);
        }
        let m = s.world().network().in_flight().next().unwrap().id;
        s.apply(Command::Select(Some(Selection::Message(m))));
        assert!(matches!(on_run(UiCommand::HoldSelected, &s), Some(Command::Hold(x)) if x == m));
        s.apply(Command::Hold(m));
        assert!(matches!(on_run(UiCommand::HoldSelected, &s), Some(Command::Release(x)) if x == m));
        s.apply(Command::Act(Action::Drop(m)));
        s.apply(Command::Select(Some(Selection::Message(m))));
        assert!(
            on_run(UiCommand::DeliverSelected, &s).is_none(),
            "a dropped message"
        );
        assert!(
            on_run(UiCommand::Open, &s).is_none(),
            "a file command is not a run's"
        );
    }
}
