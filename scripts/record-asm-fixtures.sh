#!/usr/bin/env bash
# Records real -S listings of tests/fixtures/asm/seedlayout as asm2md fixtures.
# Usage: [FIXTURE=studylayout] scripts/record-asm-fixtures.sh GO_BINARY LABEL GOARCH
# Writes tests/fixtures/asm/LABEL-GOARCH.txt (only the fixture package's functions).
set -euo pipefail
go_bin=$1
label=$2
arch=$3
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/tests/fixtures/asm/${FIXTURE:-seedlayout}"
GOFLAGS=-mod=mod GOARCH=$arch GOOS=linux CGO_ENABLED=0 \
  "$go_bin" test -c -gcflags=-S -o /dev/null . 2>"$root/tests/fixtures/asm/$label-$arch.txt"
