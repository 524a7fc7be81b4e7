#!/usr/bin/env bash
# Records real `go test -bench` outputs as bench2md parser fixtures.
# Usage: scripts/record-bench-fixtures.sh GO_BINARY LABEL
# Writes tests/fixtures/bench/LABEL-{plain,verbose,json}.txt
set -euo pipefail
go_bin=$1
label=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --quiet --release --manifest-path "$root/Cargo.toml" -- matrix \
  --types int64,bool,string,struct_int32_int64,array_100_byte --scenarios zero \
  --keep "$work/m" --format csv >/dev/null
cat >"$work/m/extra_test.go" <<'GO'
package main

import (
	"fmt"
	"testing"
)

func BenchmarkCustom(b *testing.B) {
	b.SetBytes(64)
	for i := 0; i < b.N; i++ {
		sink = make([]byte, 64)
	}
	b.ReportMetric(3, "widgets/op")
}

func BenchmarkChatty(b *testing.B) {
	fmt.Println("chatty benchmark output")
	for i := 0; i < b.N; i++ {
		sink = i
	}
}
GO
cd "$work/m"
args=(-run '^$' -bench . -benchmem -benchtime 1000x)
"$go_bin" test "${args[@]}" >"$root/tests/fixtures/bench/$label-plain.txt"
"$go_bin" test -v "${args[@]}" >"$root/tests/fixtures/bench/$label-verbose.txt"
"$go_bin" test -json "${args[@]}" >"$root/tests/fixtures/bench/$label-json.txt"
