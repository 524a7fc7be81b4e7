#!/usr/bin/env python3
"""Compares two ifacealloc binaries' bench2md output on mutated benchmark
output: the recorded fixtures with lines inserted (logs, --- BENCH, config,
figures, whitespace, invalid UTF-8, JSON), deleted, altered and repeated.
Each input is read from the file (mapped, in parallel chunks) and echoed (line
by line); both binaries must print the same bytes and exit the same way.

Usage: scripts/compare-bench2md.py OLD_BINARY NEW_BINARY [CASES] [SEED]
Use it when changing the bench2md parser: a speed-up must not change a byte.
"""
import glob
import os
import random
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
old, new = sys.argv[1], sys.argv[2]
cases = int(sys.argv[3]) if len(sys.argv) > 3 else 300
random.seed(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
fixtures = [open(f, "rb").read() for f in glob.glob(f"{root}/tests/fixtures/bench/*.txt")]
extra = [
    b"--- BENCH: BenchmarkMem/int64/0/h-2", b"--- BENCH: X", b"   12 a b", b"12\t3 ns/op",
    b"+5 1 ns/op x", b"    seed_test.go:11: real(T)=foo", b"\tx_test.go:9: real(T)=bar baz",
    b"    nodigit: real(T)=q", b"pkg: other/pkg", b"pkg: ifacealloc.local/matrix", b"goos: plan9",
    b"Key: v", b"k:v", b"k: ", b"\x0b", b" \x0b ", b"\xe3\x80\x80", b"{",
    b'{"Action":"output","Package":"p","Output":"BenchmarkJ-2 10 5 ns/op\\n"}',
    b"BenchmarkMem/bool/0/h", b"BenchmarkMem/bool/0/h junk",
    b"BenchmarkMem/bool/0/h-2 1000 1.5 ns/op 0 B/op 0 allocs/op",
    b"BenchmarkMem/newrow/0/s-2 10 2 ns/op", b"Benchmarklower-2 1 1 ns/op",
    b"BenchmarkBad\xff-2 1 1 ns/op", b"\xff\xfe", b"", b"   ", b"\t", b"PASS", b"ok  \tpkg\t1.0s",
    b"BenchmarkX-2 \t 5 \t 1.25 ns/op \t 3 widgets/op", b"  \xc2\xa0 9 8 7", b"\xc2\xa0",
    b"\xe2\x80\x83x: real(T)=u", b"--- BENCH: \xff", b"pkg: \xff",
    # Ends that are whitespace, Unicode or ASCII, or no printable ASCII.
    b"pkg: a/b \t", b"pkg:  a/b\xc2\xa0", b"goos: \xc2\x85linux", b"cpu: x\x7f", b"k: \x7fv",
    b"--- BENCH: BenchmarkMem/int64/0/h-2 \t", b"--- BENCH:  \xe2\x80\x83BenchmarkY-2",
    b"    x_test.go:9 : real(T)=int8", b"    x_test.go:9\xc2\xa0: real(T)=int8 ",
    b"\t 12 3 ns/op x", b"\xc2\xa0 12 3 ns/op x", b"\x7f12 3 ns/op x", b"12 3 ns/op\xc2\x85",
    b"chatty \xc3\xa9", b"BenchmarkMem/int64/n/h-2 1000 2 ns/op \xc2\xa0",
]


def mutate(data):
    lines = data.split(b"\n")
    for _ in range(random.randint(1, 12)):
        op, i = random.random(), random.randrange(len(lines) + 1)
        j = min(i, len(lines) - 1)
        if op < 0.5:
            lines.insert(i, random.choice(extra))
        elif op < 0.7 and lines:
            del lines[j]
        elif op < 0.85 and lines and lines[j]:
            line = bytearray(lines[j])
            line[random.randrange(len(line))] = random.choice(b" \t\r\x0c\x0b0123456789.:-+{/\xff\xc2")
            lines[j] = bytes(line)
        elif lines:
            lines.insert(i, lines[j])
    out = b"\n".join(lines)
    return out * random.choice([1, 1, 2, 3]) if random.random() < 0.9 else out + b"\r\n"


def run(binary, path, echo):
    args = [binary, "bench2md"] + ([] if echo else ["--no-echo"]) + [path]
    r = subprocess.run(args, capture_output=True)
    return r.returncode, r.stdout, r.stderr


differ = 0
with tempfile.TemporaryDirectory() as tmp:
    for n in range(cases):
        path = os.path.join(tmp, "in.txt")
        with open(path, "wb") as f:
            f.write(mutate(random.choice(fixtures)))
        for echo in (False, True):
            if run(old, path, echo) != run(new, path, echo):
                differ += 1
                kept = os.path.join(root, "target", f"bench2md-differs-{n}.txt")
                os.replace(path, kept)
                print(f"differs ({'echoed' if echo else 'mapped'}): {kept}")
                break
print(f"{cases} inputs, {differ} differ")
sys.exit(1 if differ else 0)
