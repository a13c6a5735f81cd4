//! `paxos-lab compare --faults SCRIPT.ron [--workload W] [--json] [--out-dir DIR]`: Multi-Paxos
//! and Raft on one seed, one workload and one fault script, and the figures of both.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{EXIT_BAD_INPUT, EXIT_OK};
use crate::compare::{self, Comparison, Script};
use crate::export::{self, StepRange};
use crate::protocols::Plugin;
use crate::protocols::kv::Workload;
use crate::protocols::multipaxos::MultiPaxos;
use crate::protocols::raft::Raft;

#[derive(Args, Debug, Clone)]
pub struct CompareArgs {
    /// The fault script (RON): the cluster, the rounds and the faults, such as
    /// lessons/compare/leader-crash.ron
    #[arg(long)]
    pub faults: PathBuf,
    /// The clients' workload: put-get (each client puts its own value to x, then gets x) or mixed
    #[arg(long, default_value = "mixed", value_parser = Workload::parse)]
    pub workload: Workload,
    /// Print one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
    /// Also write both runs here (multipaxos.ron, raft.ron) and their space-time diagrams
    /// (multipaxos.svg, raft.svg); the folder must exist
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Run both protocols with Pre-Vote (a server asks whether it could win before raising its
    /// term or ballot)
    #[arg(long)]
    pub pre_vote: bool,
    /// Run both protocols with CheckQuorum and leader stickiness
    #[arg(long)]
    pub check_quorum: bool,
    /// How both leaders answer gets: log, read-index or lease (needs CheckQuorum); in place of
    /// the script's own
    #[arg(long, value_parser = crate::protocols::kv::Reads::parse)]
    pub reads: Option<crate::protocols::kv::Reads>,
    /// How far each server's clock may run fast or slow, in parts per thousand; in place of the
    /// script's own
    #[arg(long)]
    pub drift: Option<u32>,
    /// Run the script on every seed FIRST..LAST (both included, at most 1000) in place of its
    /// own, and print each figure's mean: one seed is one draw of the timers
    #[arg(long, value_name = "FIRST..LAST", value_parser = parse_seeds)]
    pub seeds: Option<(u64, u64)>,
}

fn parse_seeds(s: &str) -> Result<(u64, u64), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("`{s}`: expected FIRST..LAST, such as 1..40"))?;
    let n = |x: &str| {
        x.trim()
            .parse::<u64>()
            .map_err(|_| format!("`{x}` is not a whole number"))
    };
    let (a, b) = (n(a)?, n(b)?);
    if b < a {
        return Err(format!("{a}..{b}: the last seed comes before the first"));
    }
    if b - a >= compare::MAX_SEEDS {
        return Err(format!(
            "{a}..{b}: at most {} seeds at a time",
            compare::MAX_SEEDS
        ));
    }
    Ok((a, b))
}

pub fn run(args: &CompareArgs) -> u8 {
    let mut script = match Script::load(&args.faults) {
        Ok(s) => s,
        Err(e) => {
            report!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    if let Some(dir) = &args.out_dir
        && !dir.is_dir()
    {
        report!(
            "{}: not a folder (--out-dir names an existing folder)",
            dir.display()
        );
        return EXIT_BAD_INPUT;
    }
    if let Some(dir) = &args.out_dir
        && let Some(clash) = outputs(dir)
            .into_iter()
            .find(|o| crate::fsutil::same_file(o, &args.faults))
    {
        report!(
            "{}: --out-dir would write over the fault script being read; name another folder",
            clash.display()
        );
        return EXIT_BAD_INPUT;
    }
    script.pre_vote |= args.pre_vote;
    script.check_quorum |= args.check_quorum;
    script.reads = args.reads.unwrap_or(script.reads);
    script.drift = args.drift.unwrap_or(script.drift);
    if let Err(m) = script.check_reads() {
        report!("error: {m}");
        return EXIT_BAD_INPUT;
    }
    if let Some((first, last)) = args.seeds {
        if args.out_dir.is_some() {
            report!(
                "--seeds prints means over many runs; --out-dir saves one run: give one of them"
            );
            return EXIT_BAD_INPUT;
        }
        let m = compare::over_seeds(&script, args.workload, first, last);
        if args.json {
            say!("{}", m.json());
        } else {
            say!("{}", m.table().trim_end());
        }
        return EXIT_OK;
    }
    let c = compare::compare(&script, args.workload);
    if let Some(dir) = &args.out_dir {
        match write_runs(&c, dir) {
            Ok(files) => {
                if !args.json {
                    for f in files {
                        say!("wrote {}", f.display());
                    }
                }
            }
            Err(m) => {
                report!("{m}");
                return EXIT_BAD_INPUT;
            }
        }
    }
    if args.json {
        say!("{}", c.json());
    } else {
        say!("{}", c.table().trim_end());
    }
    EXIT_OK
}

/// Both traces and both space-time diagrams, each written atomically.
fn write_runs(c: &Comparison, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    files.extend(write_side(&c.multipaxos.trace, dir)?);
    files.extend(write_side(&c.raft.trace, dir)?);
    Ok(files)
}

/// Every file `--out-dir` writes, in the order written.
fn outputs(dir: &Path) -> Vec<PathBuf> {
    [MultiPaxos::NAME, Raft::NAME]
        .into_iter()
        .flat_map(|name| {
            [
                dir.join(format!("{name}.ron")),
                dir.join(format!("{name}.svg")),
            ]
        })
        .collect()
}

fn write_side<P: Plugin>(
    trace: &crate::trace::Trace<P>,
    dir: &Path,
) -> Result<Vec<PathBuf>, String> {
    let ron = dir.join(format!("{}.ron", P::NAME));
    export::write(&ron, trace.to_ron().as_bytes()).map_err(|e| e.to_string())?;
    let run = export::Run::of(trace)
        .map_err(|(i, e)| format!("{}: action {} cannot apply: {e}", P::TITLE, i + 1))?;
    let svg = dir.join(format!("{}.svg", P::NAME));
    let picture = export::to_svg(&run, StepRange::all(run.len()));
    export::write(&svg, picture.as_bytes()).map_err(|e| e.to_string())?;
    Ok(vec![ron, svg])
}
