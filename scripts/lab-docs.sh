#!/usr/bin/env bash
# Regenerates what the lab docs show from live runs on the local Go: the output
# blocks in docs/labs (`ifacealloc lab docs --write`) and the figures in
# docs/img (`ifacealloc lab figure N`). tests/labs.rs checks both are current.
# Usage: scripts/lab-docs.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release --quiet
bin="$root/target/release/ifacealloc"
"$bin" lab docs --write --dir docs/labs
"$bin" lab figure 2 -o docs/img/lab2-words.svg
"$bin" lab figure 3 -o docs/img/lab3-frame.svg
echo "lab docs and figures regenerated on $(go version)"
