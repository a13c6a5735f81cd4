//! Links (`crate::link`): every bundled lesson and fault script, and random runs of every
//! protocol, read back as written; a run link reopens the run at its step with the same state
//! hash; the app's File > Copy link gives the link of what shows, and the link opens it again;
//! `paxos-lab link` and `gui --link` refuse a bad link with exit 2.

use std::path::Path;
use std::process::Command as Process;

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use paxos_lab::lang::Lang;
use paxos_lab::link::{self, Link, Target};
use paxos_lab::protocols::Plugin;
use paxos_lab::session::{Command, Session};
use paxos_lab::sim::Knobs;
use paxos_lab::sim::scheduler::Scheduler;
use paxos_lab::trace::Protocol;
use paxos_lab::ui::{LabApp, Settings, install_fonts, start_of_link};

#[test]
fn every_bundled_lesson_at_every_step_reads_back_as_written() {
    let mut seen = 0;
    for (protocol, index) in link::every_lesson() {
        let id = link::lesson_id(protocol, index);
        let mut step = 1;
        loop {
            let target = Target::Lesson {
                protocol,
                index,
                step,
            };
            for (lang, embed) in [
                (None, false),
                (Some(Lang::Zh), true),
                (Some(Lang::En), false),
            ] {
                let l = Link {
                    target: target.clone(),
                    lang,
                    embed,
                };
                let text = l.fragment();
                assert_eq!(link::parse(&text), Ok(l.clone()), "{text}");
                let address = format!("https://example.org/lab/{text}");
                assert_eq!(link::parse(&address), Ok(l), "{address}");
            }
            // The step after the last is refused, saying how many there are.
            let next = format!("#lesson={id}&step={}", step + 1);
            match link::parse(&next) {
                Ok(_) => step += 1,
                Err(e) => {
                    assert!(e.contains(&format!("has steps 1 to {step}")), "{e}");
                    break;
                }
            }
        }
        seen += 1;
    }
    assert!(seen >= 30, "{seen} bundled lessons");
    for index in 0..paxos_lab::lesson::bundled::COMPARE.len() {
        for (pre_vote, check_quorum) in [(false, false), (true, false), (false, true), (true, true)]
        {
            let l = Link::new(Target::Compare {
                index,
                round: 7,
                pre_vote,
                check_quorum,
            });
            assert_eq!(link::parse(&l.fragment()), Ok(l));
        }
    }
}

/// A random run of `P`: `steps` scheduled steps with faults, seen at a random step.
fn random_run<P: Plugin>(seed: u64, steps: u64) -> Session<P> {
    let knobs = Knobs {
        drop: 0.1,
        duplicate: 0.05,
        crash: 0.02,
        propose: 0.05,
        ..Knobs::default()
    };
    let mut session = Session::<P>::new(P::Config::default(), knobs);
    let mut scheduler = Scheduler::new(seed, knobs);
    for _ in 0..steps {
        let Some(a) = scheduler.next(session.world()) else {
            break;
        };
        session.apply(Command::Act(a));
    }
    session.apply(Command::Seek(seed * 7919 % (session.len() + 1)));
    session
}

fn run_links_round_trip<P: Plugin>() {
    for seed in 1..=6 {
        let session = random_run::<P>(seed, 50 + seed * 60);
        let l = link::run_link(&session);
        let text = l.fragment();
        let parsed = link::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", P::NAME));
        assert_eq!(parsed, l, "{} seed {seed}", P::NAME);
        let Target::Run { trace, at, .. } = &parsed.target else {
            panic!("a run link")
        };
        let reopened = link::open_run::<P>(trace, *at).unwrap();
        assert_eq!(reopened.position(), session.position());
        assert_eq!(reopened.len(), session.len());
        assert_eq!(
            reopened.world().state_hash(),
            session.world().state_hash(),
            "{} seed {seed} at {at}",
            P::NAME
        );
    }
}

#[test]
fn random_runs_of_every_protocol_reopen_at_their_step_with_the_same_state_hash() {
    for &protocol in Protocol::ALL {
        paxos_lab::with_protocol!(protocol, P => run_links_round_trip::<P>());
    }
}

#[test]
fn a_damaged_run_link_says_what_is_wrong() {
    let session = random_run::<paxos_lab::protocols::raft::Raft>(3, 200);
    let text = link::run_link(&session).fragment();
    let (packed, _) = text.split_once("&at=").unwrap();
    // Cut short, and a step past the end.
    let cut = &packed[..packed.len() / 2];
    assert!(link::parse(cut).unwrap_err().contains("cut short"));
    let past = format!("{packed}&at={}", session.len() + 1);
    assert!(
        link::parse(&past)
            .unwrap_err()
            .contains("the run has steps 0 to")
    );
    // A link to a run too large to be a trace is refused before it is inflated whole.
    let huge = link::pack(&" ".repeat(65 << 20));
    let e = link::parse(&format!("#run={huge}")).unwrap_err();
    assert!(e.contains("larger than 64 MB"), "{e}");
}

fn window(lab: LabApp) -> Harness<'static, LabApp> {
    Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .with_pixels_per_point(1.0)
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, lab: &mut LabApp| lab.ui(ui), lab)
}

/// Opens `text` as `gui --link` does, then copies the link of what shows with File > Copy link.
fn open_and_copy(text: &str) -> String {
    let l = link::parse(text).unwrap();
    let settings = Settings {
        lang: l.lang.unwrap_or_default(),
        ..Settings::default()
    };
    let lab = LabApp::open(start_of_link(&l).unwrap(), settings).unwrap();
    let mut h = window(lab);
    // A workspace animates its graph; a few frames lay it out.
    h.run_steps(4);
    let file = match l.lang {
        Some(Lang::Zh) => "文件",
        _ => "File",
    };
    h.get_by_label(file).click();
    h.run_steps(2);
    let copy = match l.lang {
        Some(Lang::Zh) => "复制链接",
        _ => "Copy link",
    };
    h.get_by_label(copy).click();
    h.run_steps(2);
    h.state().copied.clone().expect("a link was copied")
}

#[test]
fn copy_link_gives_back_the_link_that_opened_the_window() {
    for text in [
        "#lesson=raft-elections&step=4&lang=zh",
        "#lesson=happy-path&step=3&lang=en",
        "#lesson=pbft-view-change&step=2&lang=en",
        "#lang=zh",
    ] {
        assert_eq!(open_and_copy(text), text);
    }
    // A run: the same run at the same step, whatever the window made of it.
    for &protocol in Protocol::ALL {
        let text = paxos_lab::with_protocol!(protocol, P => {
            let mut l = link::run_link(&random_run::<P>(5, 120));
            l.lang = Some(Lang::En);
            l.fragment()
        });
        assert_eq!(open_and_copy(&text), text, "{}", protocol.name());
    }
}

#[test]
fn copy_link_in_the_side_by_side_view_names_its_script_and_round() {
    let l = link::parse("#compare=partition&round=40&lang=en").unwrap();
    let lab = LabApp::open(start_of_link(&l).unwrap(), Settings::default()).unwrap();
    let mut h = window(lab);
    h.run_steps(4);
    h.get_by_label("Copy link").click();
    h.run_steps(2);
    assert_eq!(
        h.state().copied.as_deref(),
        Some("#compare=partition&round=40&lang=en")
    );
}

/// The side-by-side view's Pre-Vote and CheckQuorum switches run both protocols again with
/// them, at the same round, and the link says so.
#[test]
fn the_side_by_side_views_election_switches_rerun_both_sides_and_enter_the_link() {
    let l = link::parse("#compare=minority-partition&round=300&lang=en").unwrap();
    let lab = LabApp::open(start_of_link(&l).unwrap(), Settings::default()).unwrap();
    let mut h = window(lab);
    h.run_steps(4);
    h.get_by_label("Pre-Vote").click();
    h.run_steps(2);
    h.get_by_label("CheckQuorum").click();
    h.run_steps(2);
    h.get_by_label("Copy link").click();
    h.run_steps(2);
    assert_eq!(
        h.state().copied.as_deref(),
        Some("#compare=minority-partition&round=300&options=pre-vote,check-quorum&lang=en")
    );
    // Opened from that link, the view has both switches on and both runs use them.
    let l = link::parse(h.state().copied.as_deref().unwrap()).unwrap();
    let Some(paxos_lab::ui::Start::Compare(script, round)) = start_of_link(&l).unwrap() else {
        panic!("not the side-by-side view");
    };
    assert!(script.pre_vote && script.check_quorum && round == 300);
}

fn paxos_lab(args: &[&str]) -> std::process::Output {
    Process::new(env!("CARGO_BIN_EXE_paxos-lab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn the_cli_links_a_trace_file_and_says_what_a_link_opens() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.ron");
    let f = file.to_str().unwrap();
    let o = paxos_lab(&[
        "simulate",
        "--protocol",
        "pbft",
        "--steps",
        "400",
        "--drop",
        "0.1",
        "--propose",
        "0.05",
        "--seed",
        "9",
        "--out",
        f,
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = paxos_lab(&["link", "--from", f, "--at", "123"]);
    assert_eq!(o.status.code(), Some(0));
    let made = String::from_utf8(o.stdout).unwrap();
    assert!(made.starts_with("#run="), "{made}");
    let o = paxos_lab(&["link", made.trim()]);
    assert_eq!(o.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["view"], "run");
    assert_eq!(j["protocol"], "pbft");
    assert_eq!(j["step"], 123);
    // The state hash is the replayed trace's at that step.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut t =
        paxos_lab::trace::parse_as::<paxos_lab::protocols::pbft::Pbft>(Path::new(f), &text, false)
            .unwrap();
    t.actions.truncate(123);
    let replayed = paxos_lab::trace::replay(Path::new(f), &text, &t).unwrap();
    assert_eq!(
        j["state_hash"],
        format!("{:016x}", replayed.world.state_hash())
    );
    for bad in ["#lesson=nope", "#run=AAAA&at=1", "#step=2"] {
        for args in [vec!["link", bad], vec!["gui", "--link", bad]] {
            let o = paxos_lab(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}");
            let e = String::from_utf8_lossy(&o.stderr);
            assert!(e.starts_with("error: "), "{args:?}: {e}");
        }
    }
}
