//! `paxos-lab export TRACE --format F [--from S] [--to S] -o OUT`.

use std::path::PathBuf;

use clap::Args;

use super::{EXIT_BAD_INPUT, EXIT_DIVERGED, EXIT_OK, parse_lang, parse_size};
use crate::export::{self, Format, StepRange};
use crate::trace;
use crate::ui::views::render::PictureOptions;

#[derive(Args, Debug, Clone)]
pub struct ExportArgs {
    /// The trace to export (RON or JSON)
    pub trace: PathBuf,
    /// json, svg, mermaid, shiviz, png or gif (default: from the output's extension)
    #[arg(long, short, value_parser = Format::parse)]
    pub format: Option<Format>,
    /// First step of the range: its state is the starting point, its events are not shown
    #[arg(long)]
    pub from: Option<u64>,
    /// Last step of the range (png: the step drawn); default: the end of the run
    #[arg(long, alias = "step")]
    pub to: Option<u64>,
    /// Where to write (written atomically)
    #[arg(long, short)]
    pub out: PathBuf,
    /// Pictures: the interface language, en or zh
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<crate::ui::i18n::Lang>,
    /// Pictures: size in points, WIDTHxHEIGHT
    #[arg(long, value_parser = parse_size, default_value = "960x600")]
    pub size: (f32, f32),
    /// Pictures: pixels per point (2 for sharp slides)
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
    /// Pictures: light theme instead of dark
    #[arg(long)]
    pub light: bool,
    /// GIF: frames per step (at least 1)
    #[arg(long, default_value_t = 4)]
    pub frames_per_step: u32,
}

/// The format named by a file's extension.
pub fn format_of(path: &std::path::Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Format::ALL
        .into_iter()
        .find(|f| f.extension() == ext || f.name() == ext)
}

pub fn run(args: &ExportArgs) -> u8 {
    let Some(format) = args.format.or_else(|| format_of(&args.out)) else {
        report!(
            "{}: cannot tell the format from the file name: pass --format json|svg|mermaid|shiviz|png|gif",
            args.out.display()
        );
        return EXIT_BAD_INPUT;
    };
    if !(0.25..=8.0).contains(&args.scale) || args.frames_per_step == 0 {
        report!("--scale must be between 0.25 and 8, and --frames-per-step at least 1");
        return EXIT_BAD_INPUT;
    }
    if crate::fsutil::same_file(&args.trace, &args.out) {
        report!(
            "{}: the output is the trace being read; write to another file",
            args.out.display()
        );
        return EXIT_BAD_INPUT;
    }
    let text = match trace::read_text(&args.trace) {
        Ok(t) => t,
        Err(e) => {
            report!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    let made = match trace::Protocol::of_text(&args.trace, &text) {
        Ok(protocol) => crate::with_protocol!(protocol, P => any_bytes::<P>(args, &text, format)),
        Err(e) => Err((EXIT_BAD_INPUT, e.to_string())),
    };
    let (bytes, range) = match made {
        Ok(x) => x,
        Err((exit, e)) => {
            report!("{e}");
            return exit;
        }
    };
    if let Err(e) = export::write(&args.out, &bytes) {
        report!("{e}");
        return EXIT_BAD_INPUT;
    }
    let note = format!(
        "wrote {} ({}, steps {} to {}, {} bytes)",
        args.out.display(),
        format.name(),
        range.from,
        range.to,
        bytes.len()
    );
    // Written into stdout itself, the note must not end up inside the export.
    if crate::fsutil::names_a_stream(&args.out) {
        report!("{note}");
    } else {
        say!("{note}");
    }
    EXIT_OK
}

/// The step range the arguments pick out of a run of `len` steps.
fn range_of(args: &ExportArgs, len: usize) -> Result<StepRange, String> {
    StepRange::resolve(args.from, args.to, len as u64)
}

/// Any export of a trace: text by `export`, pictures drawn by the app's graph view of its
/// protocol. A trace whose recorded outcome is not what its actions reach is refused (exit 3),
/// so an export never carries an edited outcome out.
fn any_bytes<P: crate::ui::views::render::GraphPicture>(
    args: &ExportArgs,
    text: &str,
    format: Format,
) -> Result<(Vec<u8>, StepRange), (u8, String)> {
    let (trace, replayed) = trace::parse_and_replay_as::<P>(&args.trace, text)
        .map_err(|e| (EXIT_BAD_INPUT, e.to_string()))?;
    if let Some(recorded) = &trace.outcome {
        let diffs = crate::protocols::plugin::outcome_differences::<P>(recorded, &replayed.outcome);
        if !diffs.is_empty() {
            return Err((
                EXIT_DIVERGED,
                format!(
                    "{}: the replay diverged from the recorded outcome, so it is not exported: {}",
                    args.trace.display(),
                    diffs.join("; ")
                ),
            ));
        }
    }
    let range = range_of(args, trace.actions.len()).map_err(|e| (EXIT_BAD_INPUT, e))?;
    let at_file = |e: String| (EXIT_BAD_INPUT, format!("{}: {e}", args.trace.display()));
    // Text needs no window: only pictures are drawn by the app's views.
    if !format.is_picture() {
        let run = crate::export::Run::of(&trace)
            .map_err(|(i, e)| at_file(format!("action {} cannot apply: {e}", i + 1)))?;
        let text = crate::export::text_export(&trace, &run, format, range).map_err(at_file)?;
        return Ok((text.into_bytes(), range));
    }
    let pictures = PictureOptions {
        size: egui::Vec2::new(args.size.0, args.size.1),
        pixels_per_point: args.scale,
        lang: args.lang.unwrap_or_default(),
        dark: !args.light,
        frames_per_step: args.frames_per_step,
    };
    let bytes =
        crate::ui::views::render::export(&trace, format, range, &pictures).map_err(at_file)?;
    Ok((bytes, range))
}
