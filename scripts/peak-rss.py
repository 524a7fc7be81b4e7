#!/usr/bin/env python3
"""Runs a command and prints its own peak resident memory (VmHWM of that
process alone, not of the go commands and compilers it runs, which
/usr/bin/time's figure includes) and its wall time, on stderr:
    scripts/peak-rss.py ifacealloc scan --format json std -o /dev/null
"""
import subprocess
import sys
import time


def hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    start = time.monotonic()
    p = subprocess.Popen(sys.argv[1:])
    peak = 0
    while p.poll() is None:
        v = hwm_kb(p.pid)
        if v:
            peak = max(peak, v)
        time.sleep(0.02)
    wall = time.monotonic() - start
    print(f"peak-rss: {peak / 1024:.1f} MiB, {wall:.2f} s, exit {p.returncode}", file=sys.stderr)
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
