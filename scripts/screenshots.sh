#!/usr/bin/env bash
# Regenerates screenshots/ from the real app in a real window under Xvfb.
# Needs: apt-get install -y xvfb (the app saves its own screenshot, then exits).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
app=target/release/paxos-lab
shot() { xvfb-run -a -s "-screen 0 1400x900x24" "$app" gui "$@"; }
shot --lessons --screenshot screenshots/lesson-picker.png
shot --lessons --lang zh --presenter --screenshot screenshots/lesson-picker-presenter-zh.png
shot --seed 3 --seek 12 --screenshot screenshots/sandbox-mid-run.png
shot --seed 3 --seek 12 --lang zh --screenshot screenshots/chinese-ui.png
shot tests/scenarios/ignore-promised-value.ron --seek 14 --screenshot screenshots/violation.png
shot --seed 5 --seek 20 --presenter --screenshot screenshots/presenter-mode.png
# Multi-Paxos runs open in the Multi-Paxos workspace (graph, log, stores, leader, history).
shot tests/scenarios/multipaxos/stale-read.ron --seek 12 --screenshot screenshots/multipaxos-stale-read.png
shot tests/scenarios/multipaxos/apply-past-hole.ron --seek 10 --lang zh \
    --screenshot screenshots/multipaxos-apply-past-hole-zh.png
"$app" simulate --protocol multipaxos --servers 5 --clients 3 --seed 4 --propose 0.05 \
    --steps 200 --out target/multipaxos-busy.ron >/dev/null
shot target/multipaxos-busy.ron --seek 150 --screenshot screenshots/multipaxos-workspace.png
shot target/multipaxos-busy.ron --seek 150 --lang zh --presenter \
    --screenshot screenshots/multipaxos-presenter-zh.png
# Raft runs open in the Raft workspace (terms, timers, votes, logs by term, leader's indexes).
shot tests/scenarios/raft/commit-previous-term.ron --seek 52 --screenshot screenshots/raft-figure-8.png
shot tests/scenarios/raft/vote-twice.ron --seek 4 --lang zh --screenshot screenshots/raft-split-vote-zh.png
"$app" simulate --protocol raft --servers 5 --clients 2 --seed 2 --propose 0.05 \
    --steps 300 --out target/raft-busy.ron >/dev/null
shot target/raft-busy.ron --seek 250 --presenter --screenshot screenshots/raft-presenter.png
lesson() { xvfb-run -a -s "-screen 0 1400x900x24" "$app" lesson "$@"; }
lesson lessons/raft/04-failover-truncation.ron --step 6 --screenshot screenshots/raft-lesson-en.png
lesson lessons/raft/01-elections.ron --step 5 --lang zh --screenshot screenshots/raft-lesson-zh.png
lesson lessons/multipaxos/03-failover.ron --step 5 --screenshot screenshots/multipaxos-lesson-en.png
lesson lessons/multipaxos/06-partitions.ron --step 4 --lang zh \
    --screenshot screenshots/multipaxos-lesson-zh.png
lesson lessons/05-the-key-rule.ron --step 6 --screenshot screenshots/lesson-en.png
lesson lessons/01-happy-path.ron --step 6 --lang zh --screenshot screenshots/lesson-zh.png
lesson lessons/00-the-problem.ron --step 6 --screenshot screenshots/lesson-flp.png
lesson lessons/raft/03-election-restriction.ron --step 7 --lang zh \
    --screenshot screenshots/raft-election-restriction-zh.png
# What deployed Raft adds: Pre-Vote and CheckQuorum, in a lesson and side by side (by link).
lesson lessons/raft/11-pre-vote.ron --step 9 --lang zh --screenshot screenshots/raft-pre-vote-zh.png
shot --link '#compare=minority-partition&round=300&options=pre-vote,check-quorum&lang=en' \
    --screenshot screenshots/compare-pre-vote.png
# Exports, drawn without a window: the space-time diagram and the graph animated, for slides.
"$app" export tests/scenarios/ignore-promised-value.ron -o screenshots/export-spacetime.svg
"$app" export tests/scenarios/ignore-promised-value.ron --from 8 --to 14 --size 640x400 \
    --frames-per-step 3 -o screenshots/export-graph.gif
"$app" export tests/scenarios/ignore-promised-value.ron --to 14 --scale 2 --light \
    --lang zh -o screenshots/export-graph-zh.png
# Multi-Paxos and Raft side by side in the app: the kittest snapshot (a window needs a click).
cp tests/snapshots/compare_side_by_side.png screenshots/compare-side-by-side.png
cp tests/snapshots/raft_can_this_break_walks.png screenshots/raft-can-this-break.png
cp tests/snapshots/compare_side_by_side_zh_presenter.png screenshots/compare-side-by-side-zh-presenter.png
# Multi-Paxos and Raft on one fault script: both runs and both space-time diagrams.
"$app" compare --faults lessons/compare/partition.ron --out-dir target >/dev/null
cp target/multipaxos.svg screenshots/compare-partition-multipaxos.svg
cp target/raft.svg screenshots/compare-partition-raft.svg
