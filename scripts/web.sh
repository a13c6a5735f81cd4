#!/usr/bin/env bash
# Builds paxos-lab as a page: one folder of static files (index.html, the JS glue, the .wasm)
# that any static host serves. Installs first what it needs, as ../shared/WEB.md found works on
# Debian without downloads from elsewhere: Debian's Rust 1.96 for the web (it builds std for
# wasm32 from source), its wasm linker, and wasm-bindgen-cli from crates.io at the version
# Cargo.lock pins.
#
#   scripts/web.sh                  build into target/web
#   scripts/web.sh --serve [PORT]   build, then serve it on http://127.0.0.1:PORT/ (8765)
#   scripts/web.sh --out DIR        build into DIR
#   scripts/web.sh --no-build       with --serve: serve what was built last
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/web
tools=target/web-tools
serve=
port=8765
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --serve)
            serve=1
            if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9]+$ ]]; then port=$2; shift; fi ;;
        --out) out=$2; shift ;;
        --no-build) build= ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "web.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

say() { echo "web.sh: $*" >&2; }

if [ -n "$build" ]; then
    # Debian's packages: the web Rust, std's sources, LLVM's wasm backend and the wasm linker.
    missing=()
    for p in rustc-web cargo-web rust-web-src rust-web-llvm lld-22; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get update -qq
        $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    # `cargo +debweb` is Debian's 1.96; rustup's own toolchain stays the default.
    rustup toolchain list | grep -q '^debweb' || rustup toolchain link debweb /usr

    # wasm-bindgen-cli must be the version of the wasm-bindgen crate in Cargo.lock.
    want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
    bindgen="$tools/bin/wasm-bindgen"
    if ! [ -x "$bindgen" ] || [ "$("$bindgen" --version | awk '{print $2}')" != "$want" ]; then
        say "installing wasm-bindgen-cli $want (a few minutes, once)"
        cargo install -q wasm-bindgen-cli --version "$want" --root "$tools"
    fi

    say "building the page (a clean build takes several minutes)"
    # Small and fast code for the page: whole-program optimisation, no unwinding.
    RUSTC_BOOTSTRAP=1 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=2 \
    CARGO_PROFILE_RELEASE_LTO=true \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    CARGO_PROFILE_RELEASE_PANIC=abort \
        cargo +debweb build --release --lib -Zbuild-std=std,panic_abort \
            --target wasm32-unknown-unknown

    rm -rf "$out"
    mkdir -p "$out"
    # Function names (1.4 MB) only make a crash's stack readable; a crash's message stays.
    "$bindgen" --target web --no-typescript --remove-name-section --remove-producers-section \
        --out-dir "$out" target/wasm32-unknown-unknown/release/paxos_lab.wasm
    cp assets/web/index.html assets/web/bench.html "$out/"
    size=$(du -b "$out/paxos_lab_bg.wasm" | cut -f1)
    gz=0
    for f in "$out"/*; do gz=$((gz + $(gzip -9 -c "$f" | wc -c))); done
    say "built $out: the .wasm is $((size / 1024)) KiB, the folder $((gz / 1024)) KiB gzipped"
fi

if [ -n "$serve" ]; then
    [ -f "$out/index.html" ] || { say "nothing built in $out: run without --no-build"; exit 2; }
    say "serving $out on http://127.0.0.1:$port/ (Ctrl-C stops)"
    # Python's server sends .wasm as application/wasm, which streaming compilation needs.
    exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$out"
fi
