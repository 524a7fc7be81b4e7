#!/usr/bin/env bash
# Peak memory of a warm `ifacealloc scan --format json` against the size of
# what it scans (figures in docs/scale.md): for each pattern set, the number
# of packages and sites, and ifacealloc's own peak resident memory
# (scripts/peak-rss.py) in batches of 16 (the default) and with every
# package at once. Each set is scanned once first, so the figures are warm.
#
#   scripts/memory-by-size.sh DIR 'encoding/...' 'net/...' std 'std cmd/...'
set -euo pipefail
dir=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
bin=${IFACEALLOC:-$here/../target/release/ifacealloc}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
peak() { # args...
  (cd "$dir" && python3 "$here/peak-rss.py" "$bin" scan --format json -o "$out" "$@" 2>&1 >/dev/null |
    sed -n 's/^peak-rss: \([^,]*\), \([^,]*\),.*/\1 in \2/p')
}
echo "ifacealloc scan in $dir ($(go version | cut -d' ' -f3), $(nproc) cores), warm"
printf '%-20s %8s %8s  %-24s %-24s\n' patterns packages sites "batches of 16" "all at once"
for set in "$@"; do
  # shellcheck disable=SC2086
  (cd "$dir" && "$bin" scan --format json -o "$out" $set 2>/dev/null)
  # shellcheck disable=SC2086
  pkgs=$(cd "$dir" && go list $set | wc -l)
  sites=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$out")
  # shellcheck disable=SC2086
  b16=$(peak $set)
  # shellcheck disable=SC2086
  all=$(peak --batch-packages all $set)
  printf '%-20s %8s %8s  %-24s %-24s\n' "$set" "$pkgs" "$sites" "$b16" "$all"
done
