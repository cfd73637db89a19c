"""Drive the built console in a pseudo-terminal and time what an operator sees.

    python3 bench/fleet/pty-console.py --config CONFIG [--keys 100] [--cols 80 --rows 24]
        [--data-marker TEXT] [--all-up-marker TEXT] [--timeout 90] [--main dist/bundle/lvstop.js]

Forks `node MAIN -c CONFIG` (MAIN: the bundled bin by default; dist/src/main.js is the unbundled tsc output)
(CI unset, so Ink draws every frame in colour) in a pty of the given size and reports,
as one JSON line on stdout:
  bareNodeFirstOutputMs  the same for `node -e` printing one byte (node's own start-up on this machine now)
  firstOutputMs   spawn to the first byte on the terminal
  firstFrameMs    spawn to the first frame with the header ("lvstop")
  firstDataMs     spawn to the first frame holding --data-marker (a VIP of the served table)
  allUpMs         spawn to the first frame holding --all-up-marker (e.g. "10/10 up")
  keyToFrameMs    for each `j` sent: time until a frame shows the selection on another row. The selected row is
                  the inverse-video segment holding an address; a frame drawn for a data update keeps the old
                  selection and so does not end the wait.
Every wait is bounded (--timeout overall, 2 s per key); the console is asked to quit with `q` and is killed by its
PID if it has not exited 10 s later (reported as killed).
"""

import argparse
import fcntl
import json
import os
import pty
import random
import re
import select
import signal
import struct
import sys
import termios
import time

INVERSE = re.compile(rb"\x1b\[7m(.*?)\x1b\[27m", re.S)
ADDRESS = re.compile(rb"\d+\.\d+\.\d+\.\d+:\d+")
PER_KEY_TIMEOUT_S = 2.0


def now_ms(t0):
    return round((time.monotonic() - t0) * 1000, 1)


def selected_row(buf):
    """The address in the last inverse-video segment that holds one (the table's selected row), or None."""
    found = None
    for m in INVERSE.finditer(buf):
        a = ADDRESS.search(m.group(1))
        if a:
            found = a.group(0)
    return found


def bare_node_ms():
    """Spawn to first output of `node -e` printing one byte in a pty: what start-up costs before any lvstop code."""
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("node", ["node", "-e", "process.stdout.write('x')"])
    first = None
    end = t0 + 30
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                chunk = b""
            if chunk and first is None:
                first = round((time.monotonic() - t0) * 1000, 1)
            if not chunk:
                break
    os.waitpid(pid, 0)
    return first


def quantiles(xs):
    s = sorted(xs)
    if not s:
        return {"n": 0}
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]
    return {"n": len(s), "p50": pick(0.5), "p90": pick(0.9), "p99": pick(0.99), "max": s[-1]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--main", default="dist/bundle/lvstop.js")
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("--keys", type=int, default=0)
    ap.add_argument("--data-marker", default="")
    ap.add_argument("--all-up-marker", default="")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds after data before the first key")
    ap.add_argument("--timeout", type=float, default=90.0)
    ap.add_argument("--dump", default="", help="write every byte the console printed to this file")
    a = ap.parse_args()

    out = {"cols": a.cols, "rows": a.rows, "bareNodeFirstOutputMs": bare_node_ms()}
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
        # CI unset, not CI=false: Ink draws every frame either way, but chalk drops all colour (and with it the
        # inverse-video selection an operator sees) whenever CI is present in the environment.
        env = dict(os.environ, TERM="xterm-256color")
        for k in ("CI", "SSH_AUTH_SOCK", "NO_COLOR", "FORCE_COLOR"):
            env.pop(k, None)
        # BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p") profiles the console; NODE_OPTIONS refuses those.
        node_args = os.environ.get("BENCH_NODE_ARGS", "").split()
        os.execvpe("node", ["node", *node_args, a.main, "-c", a.config], env)

    deadline = t0 + a.timeout
    whole = bytearray()  # everything since start, only searched until the markers are found
    since_key = bytearray()
    latencies = []
    missed = 0
    exited = False
    dump = open(a.dump, "wb") if a.dump else None

    def pump(wait_s):
        """Read whatever the console writes within wait_s; returns False once it has exited."""
        nonlocal exited
        r, _, _ = select.select([fd], [], [], max(0.0, wait_s))
        if not r:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            exited = True
            return False
        t = now_ms(t0)
        if dump:
            dump.write(chunk)
        out.setdefault("firstOutputMs", t)
        since_key.extend(chunk)
        if "allUpMs" not in out or "firstDataMs" not in out or "firstFrameMs" not in out:
            whole.extend(chunk)
            if "firstFrameMs" not in out and b"lvstop" in whole:
                out["firstFrameMs"] = t
            if a.data_marker and "firstDataMs" not in out and a.data_marker.encode() in whole:
                out["firstDataMs"] = t
            if a.all_up_marker and "allUpMs" not in out and a.all_up_marker.encode() in whole:
                out["allUpMs"] = t
        return True

    try:
        # Start-up: until the data (and every host) is on screen.
        wanted = ["firstFrameMs"] + (["firstDataMs"] if a.data_marker else []) + (["allUpMs"] if a.all_up_marker else [])
        while time.monotonic() < deadline and not all(k in out for k in wanted) and pump(0.05):
            pass
        settle_end = time.monotonic() + a.settle
        while time.monotonic() < min(settle_end, deadline) and pump(0.05):
            pass
        # Keys: each `j` at a random moment, so key and data frames do not line up.
        current = selected_row(bytes(since_key[-200000:]))
        for _ in range(a.keys):
            if exited or time.monotonic() > deadline:
                break
            gap_end = time.monotonic() + random.uniform(0.15, 0.35)
            while time.monotonic() < gap_end and pump(gap_end - time.monotonic()):
                pass
            current = selected_row(bytes(since_key[-200000:])) or current
            since_key.clear()
            sent = time.monotonic()
            os.write(fd, b"j")
            moved = None
            while time.monotonic() - sent < PER_KEY_TIMEOUT_S and pump(0.02):
                row = selected_row(bytes(since_key))
                if row is not None and row != current:
                    moved = row
                    break
            if moved is None:
                missed += 1
            else:
                latencies.append(round((time.monotonic() - sent) * 1000, 1))
                current = moved
        if a.keys:
            out["keyToFrameMs"] = quantiles(latencies)
            out["keysWithoutFrame"] = missed
    finally:
        if not exited:
            try:
                os.write(fd, b"q")
            except OSError:
                pass
            quit_sent = time.monotonic()
            end = quit_sent + 10
            while time.monotonic() < end and pump(0.1):
                pass
            if exited:
                out["exitAfterQuitMs"] = round((time.monotonic() - quit_sent) * 1000, 1)
        # The terminal closes a moment before the process is gone: give it 2 s to be reaped before killing it.
        reap_end = time.monotonic() + 2
        try:
            while os.waitpid(pid, os.WNOHANG)[0] == 0:
                if time.monotonic() > reap_end:
                    os.kill(pid, signal.SIGTERM)
                    os.waitpid(pid, 0)
                    out["killed"] = True
                    break
                time.sleep(0.05)
        except ChildProcessError:
            pass
    print(json.dumps(out))


if __name__ == "__main__":
    main()
