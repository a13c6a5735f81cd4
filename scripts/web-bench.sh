#!/usr/bin/env bash
# The page's figures, measured in one run on this machine (run it on a quiet machine):
#   - the gzipped transfer size of target/web (every file, gzip -9);
#   - the time from navigation to the first frame drawn, in headless Chromium (real time, the
#     median of 5 loads of a lesson link);
#   - the explorer's states per second in the page (bench.html: a Paxos search, run in slices on
#     one thread as the app runs it there) beside the desktop build's on the same search, on its
#     threads and in slices on one thread.
# Builds the page first (scripts/web.sh) and the desktop binary (cargo build --release).
#   scripts/web-bench.sh [--proposers P] [--ballots B] [--max-states N]
#                                   (default: 2 proposers, 2 ballots, the first 1,000,000 states)
set -euo pipefail
cd "$(dirname "$0")/.."

proposers=2
ballots=2
max_states=1000000
while [ $# -gt 0 ]; do
    case "$1" in
        --proposers) proposers=$2; shift ;;
        --ballots) ballots=$2; shift ;;
        --max-states) max_states=$2; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "web-bench.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done

port=8767
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

scripts/web.sh 2>"$work/build.log" || { cat "$work/build.log"; exit 1; }
cargo build --release --quiet --bin paxos-lab
scripts/web.sh --serve "$port" --no-build 2>/dev/null &
server=$!
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
    sleep 0.2
done

# Real time: no virtual time budget, Chromium stops after --timeout.
chrome() {
    chromium --headless --no-sandbox --enable-unsafe-swiftshader --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile-$RANDOM" --window-size=1280,800 "$@" 2>/dev/null
}

gz=0
for f in target/web/*; do gz=$((gz + $(gzip -9 -c "$f" | wc -c))); done
echo "transfer size (gzip -9, all files): $gz bytes ($(ls target/web | tr '\n' ' '))"

frames=()
for _ in 1 2 3 4 5; do
    ms=$(chrome --timeout=15000 --dump-dom "http://127.0.0.1:$port/#lesson=happy-path&step=2" |
        grep -o 'data-first-frame-ms="[0-9]*"' | grep -o '[0-9]*' || echo none)
    frames+=("$ms")
done
echo "navigation to first frame (ms, 5 loads): ${frames[*]}"

page=$(chrome --timeout=300000 --dump-dom "http://127.0.0.1:$port/bench.html?proposers=$proposers&ballots=$ballots&max_states=$max_states" |
    python3 -c 'import re,sys,html; m=re.search(r"<pre id=\"result\">(.*?)</pre>", sys.stdin.read(), re.S); print(html.unescape(m.group(1)) if m else "none")')
echo "explorer in the page (slices, 1 thread): $page"
for how in "--threads 2" "--threads 1" "--slice 1"; do
    # shellcheck disable=SC2086
    native=$(target/release/paxos-lab explore --protocol paxos --proposers "$proposers" --acceptors 3 \
        --learners 1 --ballots "$ballots" --max-states "$max_states" $how --json |
        python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["result"], j["unique_states"], "states,", round(j["elapsed_ms"]), "ms,", round(j["states_per_sec"]), "states/s")')
    echo "explorer on the desktop ($how): $native"
done
