#!/usr/bin/env bash
# Measures ifacealloc scan at scale (figures in docs/scale.md): one machine
# cold and warm, a second machine (empty GOCACHE and ifacealloc cache) that
# shares the first one's build cache through GOCACHEPROG (go-cacher from
# github.com/bradfitz/go-tool-cache, backed by a directory), and N shards
# run one after another and merged; then every package at once and other
# batch sizes (the default classifies 16 packages at a time). Time is wall
# time; memory is ifacealloc's own peak (scripts/peak-rss.py), not the
# compilers'.
#
#   scripts/scale.sh DIR PATTERN...       e.g. scripts/scale.sh /tmp std
#   SHARDS=4 IFACEALLOC=target/release/ifacealloc scripts/scale.sh ~/src/tools ./...
set -euo pipefail
dir=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
bin=${IFACEALLOC:-$here/../target/release/ifacealloc}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
shards=${SHARDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && printf 'module scratch\n\ngo 1.24\n' > go.mod &&
  GOFLAGS=-mod=mod go get github.com/bradfitz/go-tool-cache/cmd/go-cacher@v0.0.0-20260722201841-0bb331e19f64 >/dev/null 2>&1 &&
  GOFLAGS=-mod=mod go build -o "$work/go-cacher" github.com/bradfitz/go-tool-cache/cmd/go-cacher )
mkdir -p "$work/store"
printf '#!/bin/sh\nexec %s --cache-dir %s\n' "$work/go-cacher" "$work/store" > "$work/cacheprog"
chmod +x "$work/cacheprog"
run() { # machine label args...
  local m=$1 label=$2; shift 2
  mkdir -p "$work/$m"
  local line
  line=$(cd "$dir" && GOCACHE="$work/$m/gocache" IFACEALLOC_CACHE="$work/$m/ifc" GOCACHEPROG="$work/cacheprog" \
    python3 "$here/peak-rss.py" "$bin" scan --format json "$@" 2>&1 >/dev/null | grep '^peak-rss:' )
  printf '%-28s %s\n' "$label" "${line#peak-rss: }"
}
echo "ifacealloc scan $* in $dir ($(go version | cut -d' ' -f3), $(nproc) cores)"
run a "machine A, cold" -o "$work/a.json" "$@"
run a "machine A, warm" -o "$work/a2.json" "$@"
run b "machine B, shared store" -o "$work/b.json" "$@"
cmp -s "$work/a.json" "$work/b.json" && echo "machine B's report: identical" || echo "machine B's report: DIFFERS"
parts=()
for k in $(seq 1 "$shards"); do
  run a "shard $k/$shards (warm)" --shard "$k/$shards" -o "$work/s$k.json" "$@"
  parts+=("$work/s$k.json")
done
"$bin" scan --format json --merge "${parts[@]}" -o "$work/merged.json"
cmp -s "$work/a.json" "$work/merged.json" && echo "merged shards: identical" || echo "merged shards: DIFFER"
run a "all packages at once (warm)" --batch-packages all -o "$work/all.json" "$@"
cmp -s "$work/a.json" "$work/all.json" && echo "all at once: identical" || echo "all at once: DIFFERS"
for b in ${BATCHES:-64 4}; do
  run a "batches of $b (warm)" --batch-packages "$b" -o "$work/b$b.json" "$@"
  cmp -s "$work/a.json" "$work/b$b.json" && echo "batches of $b: identical" || echo "batches of $b: DIFFER"
done
echo "sites: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/a.json")"
