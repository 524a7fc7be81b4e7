#!/usr/bin/env python3
"""How long `ifacealloc lsp` takes to refresh a package after a save, against
a warm `go build` of the same package after the same kind of edit.

Usage: scripts/lsp-refresh.py [IFACEALLOC_BIN] [RUNS]
For each module below (fetched through the module proxy and copied, as a
checkout), the package is built and scanned once (warm caches); then RUNS
times: a file gets a new declaration and `go build .` is timed; it gets
another and the server's didSave → publishDiagnostics is timed. Prints the
medians and their ratio (docs/performance.md has the figures)."""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/ifacealloc"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 7
MODULES = [("github.com/google/uuid@v1.6.0", "uuid.go"),
           ("github.com/sirupsen/logrus@v1.9.3", "entry.go")]


class Server:
    def __init__(self):
        self.p = subprocess.Popen([os.path.abspath(BIN), "lsp"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        self.id = 0

    def send(self, msg):
        msg["jsonrpc"] = "2.0"
        b = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b)
        self.p.stdin.flush()

    def recv(self):
        header = b""
        while not header.endswith(b"\r\n\r\n"):
            header += self.p.stdout.read(1)
        n = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
        return json.loads(self.p.stdout.read(n))

    def request(self, method, params):
        self.id += 1
        self.send({"id": self.id, "method": method, "params": params})
        while True:
            m = self.recv()
            if m.get("id") == self.id and "method" not in m:
                return m.get("result")

    def wait(self, method):
        while True:
            m = self.recv()
            if m.get("method") == method:
                return m


def checkout(mod):
    info = json.loads(subprocess.check_output(["go", "mod", "download", "-json", mod]))
    dst = tempfile.mkdtemp(prefix="lsp-refresh-")
    root = os.path.join(dst, "m")
    shutil.copytree(info["Dir"], root)
    for d, _, files in os.walk(root):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    subprocess.run(["go", "mod", "download"], cwd=root, check=True, capture_output=True)
    return dst, root


def main():
    for mod, file in MODULES:
        tmp, root = checkout(mod)
        path = os.path.join(root, file)
        uri = "file://" + os.path.realpath(path)
        subprocess.run(["go", "build", "."], cwd=root, check=True)
        s = Server()
        s.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        s.send({"method": "initialized", "params": {}})
        s.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "go", "version": 1, "text": open(path).read()}}})
        s.wait("textDocument/publishDiagnostics")
        build, refresh = [], []
        for i in range(RUNS):
            with open(path, "a") as f:
                f.write(f"\nvar lspRefreshBuild{i} = {i}\n")
            t = time.perf_counter()
            subprocess.run(["go", "build", "."], cwd=root, check=True)
            build.append(time.perf_counter() - t)
            with open(path, "a") as f:
                f.write(f"\nvar lspRefreshSave{i} = {i}\n")
            t = time.perf_counter()
            s.send({"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}})
            s.wait("textDocument/publishDiagnostics")
            refresh.append(time.perf_counter() - t)
        s.request("shutdown", None)
        s.send({"method": "exit"})
        s.p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        b, r = statistics.median(build), statistics.median(refresh)
        print(f"{mod}: warm go build {b*1000:.0f} ms, lsp refresh after save {r*1000:.0f} ms "
              f"({r/b:.2f}x), medians of {RUNS}")


if __name__ == "__main__":
    main()
