//! The workspaces' panes: graph, log, leader, stores, clients' history, narration, controls and
//! the space-time diagram, laid out by `egui_tiles` (rerun's tiling layout) so the user can
//! resize, drag and close them. A closed pane is hidden, not removed: the View menu brings it
//! back where it was, and "Reset layout" restores the default. A layout read back from the
//! preferences is used only if it holds every pane exactly once.

use egui::{Rect, Ui, WidgetText};
use egui_tiles::{Container, Linear, LinearDir, Tile, TileId, Tiles, Tree};

use crate::ui::i18n::{Lang, T};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Pane {
    Graph,
    Log,
    Leader,
    Stores,
    History,
    Narration,
    Controls,
    Diagram,
}

impl Pane {
    pub const ALL: [Pane; 8] = [
        Pane::Graph,
        Pane::Log,
        Pane::Leader,
        Pane::Stores,
        Pane::History,
        Pane::Narration,
        Pane::Controls,
        Pane::Diagram,
    ];

    /// The pane's name in `--layout-json` and the preferences.
    pub fn id(self) -> &'static str {
        match self {
            Pane::Graph => "graph",
            Pane::Log => "log",
            Pane::Leader => "leader",
            Pane::Stores => "stores",
            Pane::History => "history",
            Pane::Narration => "narration",
            Pane::Controls => "controls",
            Pane::Diagram => "diagram",
        }
    }

    pub fn title(self) -> T {
        match self {
            Pane::Graph => T::PaneGraph,
            Pane::Log => T::LogTitle,
            Pane::Leader => T::LeaderTitle,
            Pane::Stores => T::StoreTitle,
            Pane::History => T::HistoryTitle,
            Pane::Narration => T::PaneNarration,
            Pane::Controls => T::MpControls,
            Pane::Diagram => T::ShowDiagram,
        }
    }

    /// The graph is the workspace: it cannot be closed.
    pub fn closable(self) -> bool {
        self != Pane::Graph
    }
}

/// The panes of one workspace and where they are.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub tree: Tree<Pane>,
}

fn linear(tiles: &mut Tiles<Pane>, dir: LinearDir, children: &[(TileId, f32)]) -> TileId {
    let mut l = Linear::new(dir, children.iter().map(|(id, _)| *id).collect());
    for (id, share) in children {
        l.shares.set_share(*id, *share);
    }
    tiles.insert_container(Container::Linear(l))
}

/// A pane in a tab bar of its own: its title is the handle to drag it and its close button.
fn tabbed(tiles: &mut Tiles<Pane>, pane: Pane) -> TileId {
    let id = tiles.insert_pane(pane);
    tiles.insert_tab_tile(vec![id])
}

impl Default for Layout {
    /// Narration over the controls on the left; the graph with the leader, stores and history
    /// beside it; the logs under both, across most of the window (every server's row, many
    /// slots); the space-time diagram under the logs, hidden until asked for.
    fn default() -> Self {
        let mut tiles = Tiles::default();
        let narration = tabbed(&mut tiles, Pane::Narration);
        let controls = tabbed(&mut tiles, Pane::Controls);
        let left = linear(
            &mut tiles,
            LinearDir::Vertical,
            // The narration is what a class reads: most of the column.
            &[(narration, 70.0), (controls, 30.0)],
        );
        let graph = tabbed(&mut tiles, Pane::Graph);
        let leader = tabbed(&mut tiles, Pane::Leader);
        let stores = tabbed(&mut tiles, Pane::Stores);
        let history = tabbed(&mut tiles, Pane::History);
        let side = linear(
            &mut tiles,
            LinearDir::Vertical,
            &[(leader, 34.0), (stores, 33.0), (history, 33.0)],
        );
        let upper = linear(
            &mut tiles,
            LinearDir::Horizontal,
            &[(graph, 62.0), (side, 38.0)],
        );
        let log = tabbed(&mut tiles, Pane::Log);
        let diagram = tabbed(&mut tiles, Pane::Diagram);
        let main = linear(
            &mut tiles,
            LinearDir::Vertical,
            &[(upper, 61.0), (log, 39.0), (diagram, 25.0)],
        );
        let root = linear(
            &mut tiles,
            LinearDir::Horizontal,
            &[(left, 25.0), (main, 75.0)],
        );
        let mut tree = Tree::new(egui::Id::unique("store-panes"), root, tiles);
        if let Some(d) = tree.tiles.find_pane(&Pane::Diagram) {
            tree.tiles.set_visible(d, false);
        }
        Layout { tree }
    }
}

impl Layout {
    /// A saved layout, if it holds every pane exactly once (else the default).
    pub fn restored(saved: Option<Tree<Pane>>) -> Self {
        match saved {
            Some(tree) if Self::complete(&tree) => Layout { tree },
            _ => Layout::default(),
        }
    }

    fn complete(tree: &Tree<Pane>) -> bool {
        let mut seen = Vec::new();
        for tile in tree.tiles.tiles() {
            if let Tile::Pane(p) = tile {
                if seen.contains(p) {
                    return false;
                }
                seen.push(*p);
            }
        }
        tree.root.is_some_and(|r| tree.tiles.get(r).is_some()) && seen.len() == Pane::ALL.len()
    }

    pub fn reset(&mut self) {
        *self = Layout::default();
    }

    fn tile(&self, pane: Pane) -> Option<TileId> {
        self.tree.tiles.find_pane(&pane)
    }

    pub fn is_open(&self, pane: Pane) -> bool {
        self.tile(pane)
            .is_some_and(|t| self.tree.tiles.is_visible(t))
    }

    /// Shows or hides a pane; a shown pane in a tab bar becomes its active tab.
    pub fn set_open(&mut self, pane: Pane, open: bool) {
        let Some(t) = self.tile(pane) else { return };
        if self.tree.tiles.is_visible(t) == open {
            return;
        }
        self.tree.tiles.set_visible(t, open);
        if open {
            self.tree.make_active(|id, _| id == t);
        }
    }

    /// Where each pane was drawn in the last frame (panes hidden or behind another tab: none).
    pub fn drawn(&self) -> Vec<(Pane, Rect)> {
        let active = self.tree.active_tiles();
        Pane::ALL
            .into_iter()
            .filter_map(|p| {
                let t = self.tile(p).filter(|t| active.contains(t))?;
                Some((p, self.tree.tiles.rect(t)?))
            })
            .collect()
    }
}

/// What a workspace draws in its panes.
pub trait PaneContents {
    fn pane_ui(&mut self, ui: &mut Ui, pane: Pane);
    fn lang(&self) -> Lang;
    /// The pane's tab title (a workspace may name a pane after its protocol).
    fn title(&self, pane: Pane) -> T {
        pane.title()
    }
}

/// Draws a workspace's panes with `egui_tiles`: every pane has a tab (its drag handle) and,
/// but the graph, a close button that hides it.
pub struct Behavior<'a, C: PaneContents> {
    pub contents: &'a mut C,
}

impl<C: PaneContents> egui_tiles::Behavior<Pane> for Behavior<'_, C> {
    fn pane_ui(
        &mut self,
        ui: &mut Ui,
        _tile_id: TileId,
        pane: &mut Pane,
    ) -> egui_tiles::UiResponse {
        // Content never widens a pane: what does not fit wraps, scrolls or is clipped.
        ui.set_clip_rect(ui.max_rect().intersect(ui.clip_rect()));
        egui::Frame::new()
            .inner_margin(egui::Margin::same(6))
            .show(ui, |ui| self.contents.pane_ui(ui, *pane));
        egui_tiles::UiResponse::None
    }

    fn tab_title_for_pane(&mut self, pane: &Pane) -> WidgetText {
        self.contents.title(*pane).get(self.contents.lang()).into()
    }

    fn is_tab_closable(&self, tiles: &Tiles<Pane>, tile_id: TileId) -> bool {
        matches!(tiles.get(tile_id), Some(Tile::Pane(p)) if p.closable())
    }

    /// Closing hides the pane, so it comes back where it was.
    fn on_tab_close(&mut self, tiles: &mut Tiles<Pane>, tile_id: TileId) -> bool {
        tiles.set_visible(tile_id, false);
        false
    }

    fn simplification_options(&self) -> egui_tiles::SimplificationOptions {
        egui_tiles::SimplificationOptions {
            all_panes_must_have_tabs: true,
            ..Default::default()
        }
    }

    fn gap_width(&self, _style: &egui::Style) -> f32 {
        4.0
    }

    fn min_size(&self) -> f32 {
        60.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_holds_every_pane_once_and_hides_the_diagram() {
        let l = Layout::default();
        assert!(Layout::complete(&l.tree));
        for p in Pane::ALL {
            assert_eq!(l.is_open(p), p != Pane::Diagram, "{p:?}");
        }
    }

    #[test]
    fn a_saved_layout_missing_a_pane_is_replaced_by_the_default() {
        let mut tree = Layout::default().tree;
        let log = tree.tiles.find_pane(&Pane::Log).unwrap();
        tree.remove_recursively(log);
        assert!(!Layout::complete(&tree));
        assert_eq!(Layout::restored(Some(tree)), Layout::default());
        let mut kept = Layout::default();
        kept.set_open(Pane::History, false);
        assert_eq!(Layout::restored(Some(kept.tree.clone())), kept);
    }

    #[test]
    fn closing_and_opening_a_pane_keeps_its_place() {
        let mut l = Layout::default();
        let before = l.tree.tiles.find_pane(&Pane::Stores);
        l.set_open(Pane::Stores, false);
        assert!(!l.is_open(Pane::Stores));
        l.set_open(Pane::Stores, true);
        assert!(l.is_open(Pane::Stores));
        assert_eq!(l.tree.tiles.find_pane(&Pane::Stores), before);
    }
}
