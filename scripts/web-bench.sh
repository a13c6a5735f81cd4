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

# Real time, so Chromium is driven by Playwright (playwright-core from npm, into target/web-tools)
# rather than with a virtual time budget, under which the page's clock stands still.
node_dir=target/web-tools/node
[ -d "$node_dir/node_modules/playwright-core" ] ||
    (mkdir -p "$node_dir" && cd "$node_dir" && npm install --silent --no-audit --no-fund playwright-core@1 >/dev/null)

gz=0
for f in target/web/*; do gz=$((gz + $(gzip -9 -c "$f" | wc -c))); done
echo "transfer size (gzip -9, all files): $gz bytes ($(ls target/web | tr '\n' ' '))"

NODE_PATH="$node_dir/node_modules" node - "$port" "$proposers" "$ballots" "$max_states" <<'EOF_NODE'
const { chromium } = require("playwright-core");
const [port, proposers, ballots, maxStates] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--enable-unsafe-swiftshader", "--disable-quic",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const frames = [];
  for (let i = 0; i < 5; i++) {
    // A new context each time: nothing cached, as a first visit.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/#lesson=happy-path&step=2`);
    await page.waitForFunction(() => document.getElementById("status").dataset.firstFrameMs,
                               null, { timeout: 60000 });
    frames.push(Number(await page.evaluate(() => document.getElementById("status").dataset.firstFrameMs)));
    await context.close();
  }
  frames.sort((a, b) => a - b);
  console.log(`navigation to first frame (ms, 5 loads, sorted): ${frames.join(" ")}; median ${frames[2]}`);
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/bench.html?proposers=${proposers}&ballots=${ballots}&max_states=${maxStates}`);
  await page.waitForFunction(() => document.getElementById("result").textContent !== "running",
                             null, { timeout: 600000 });
  console.log(`explorer in the page (slices, 1 thread): ${await page.textContent("#result")}`);
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
EOF_NODE
for how in "--threads 2" "--threads 1" "--slice 1"; do
    # shellcheck disable=SC2086
    native=$(target/release/paxos-lab explore --protocol paxos --proposers "$proposers" --acceptors 3 \
        --learners 1 --ballots "$ballots" --max-states "$max_states" $how --json |
        python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["result"], j["unique_states"], "states,", round(j["elapsed_ms"]), "ms,", round(j["states_per_sec"]), "states/s")')
    echo "explorer on the desktop ($how): $native"
done
