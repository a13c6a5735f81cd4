//! The views every body shares: the animation clock, the lesson narration, panes, the space-time
//! diagram, the clients' history and the replicas' stores, the file dialog, pictures, colours.

pub mod anim;
pub mod commands;
pub mod crowd;
pub mod files;
pub mod history_view;
pub mod lesson_panel;
pub mod panes;
pub mod render;
pub mod run_file;
pub mod spacetime;
pub mod store_view;
pub mod theme;
