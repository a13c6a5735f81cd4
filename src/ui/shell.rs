//! What every body of the window shares of its chrome, written once: the preferences end of the
//! top bar (presenter mode, the View menu, both languages) and the keys that act on the window
//! or its preferences rather than on a run. The Paxos app, the store workspaces and the side by
//! side each had their own copy, and they drifted (fullscreen worked in one of the three).

use egui::{Context, Ui};

use super::Look;
use super::i18n::{Lang, T};
use super::views::commands::UiCommand;

/// Does `c` if it acts on the window or its preferences, whatever body shows; false for a
/// command the body must do itself.
pub fn window_command(ctx: &Context, c: UiCommand, look: &mut Look) -> bool {
    match c {
        UiCommand::PresenterMode => look.presenter = !look.presenter,
        UiCommand::ZoomIn | UiCommand::ZoomOut | UiCommand::ZoomReset => {
            look.zoom = super::zoomed(look.zoom, c).unwrap_or(1.0)
        }
        UiCommand::ToggleLanguage => look.lang = other_language(look.lang),
        UiCommand::Fullscreen => {
            let full = ctx.input(|i| i.viewport().fullscreen.unwrap_or(false));
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(!full));
        }
        // Closing asks first, in every body, when its run is unsaved.
        UiCommand::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        _ => return false,
    }
    true
}

fn other_language(lang: Lang) -> Lang {
    match lang {
        Lang::En => Lang::Zh,
        Lang::Zh => Lang::En,
    }
}

/// The Run and Selection menus every body with a run shows, each entry with its shortcut. An
/// exercise's rules show here too: an action it does not allow is greyed out, and says why.
pub fn run_menus(
    ui: &mut Ui,
    lang: Lang,
    rules: Option<&[crate::lesson::Control]>,
) -> Option<UiCommand> {
    let mut chosen = None;
    let mut item = |ui: &mut Ui, c: UiCommand| {
        let mut button = egui::Button::new(c.text().get(lang));
        if let Some(s) = c.shortcut() {
            button = button.shortcut_text(ui.ctx().format_shortcut(&s));
        }
        let allowed = match (c.action_control(), rules) {
            (Some(kind), Some(rules)) => rules.contains(&kind),
            _ => true,
        };
        let response = ui.add_enabled(allowed, button);
        if let (false, Some(rules)) = (allowed, rules) {
            response
                .clone()
                .on_disabled_hover_text(super::not_allowed(lang, rules));
        }
        if response.clicked() {
            chosen = Some(c);
            ui.close();
        }
    };
    ui.menu_button(T::MenuRun.get(lang), |ui| {
        for c in UiCommand::RUN {
            item(ui, c);
        }
    });
    ui.menu_button(T::MenuSelection.get(lang), |ui| {
        for c in UiCommand::ON_SELECTION {
            item(ui, c);
        }
    });
    chosen
}

/// The preferences end of a body's top bar: presenter mode, the View menu (the body's own
/// entries first, then fullscreen, theme, palette and zoom) and both languages, each named in
/// its own.
pub fn preferences_bar(ui: &mut Ui, look: &mut Look, view_menu: impl FnOnce(&mut Ui)) {
    let lang = look.lang;
    let mut presenter = ui.selectable_label(look.presenter, T::PresenterMode.get(lang));
    if let Some(s) = UiCommand::PresenterMode.shortcut() {
        presenter = presenter.on_hover_text(ui.ctx().format_shortcut(&s));
    }
    if presenter.clicked() {
        look.presenter = !look.presenter;
    }
    ui.menu_button(T::MenuView.get(lang), |ui| {
        view_menu(ui);
        let ctx = ui.ctx().clone();
        if ui.button(UiCommand::Fullscreen.text().get(lang)).clicked() {
            window_command(&ctx, UiCommand::Fullscreen, look);
            ui.close();
        }
        ui.separator();
        super::look_menu(
            ui,
            lang,
            &mut look.dark,
            &mut look.color_blind,
            &mut look.zoom,
        );
    });
    for l in Lang::ALL {
        if ui
            .selectable_label(look.lang == l, l.native_name())
            .clicked()
        {
            look.lang = l;
        }
    }
}

/// The window's title in one form for every body (`• run.ron — Raft — paxos-lab`: unsaved,
/// the file, what shows), sent only when it changes.
pub fn show_title(
    ctx: &Context,
    shown: &mut String,
    unsaved: bool,
    document: Option<&std::path::Path>,
    what: &str,
    lang: Lang,
) {
    let name = document
        .and_then(|p| p.file_name())
        .map(|n| format!("{} — ", n.to_string_lossy()))
        .unwrap_or_default();
    let title = format!(
        "{}{name}{what} — {}",
        if unsaved { "• " } else { "" },
        T::AppTitle.get(lang)
    );
    if title != *shown {
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
        *shown = title;
    }
}
