#!/usr/bin/env python3
"""Benchmarks of share-conformance, printed as a Markdown table for the README.

    python3 bench/run.py                  # runtime numbers (builds the release binary first)
    python3 bench/run.py --clean-builds   # also clean `cargo test` and `cargo build --release`

Measures: the suite's wall time against the embedded server (cold process, release) and the
per-scenario overhead; the wall time against a reference server with 100 ms of latency, and
its ratio to the critical path; the cost of one response evaluation (cargo bench); the peak
RSS of a full run; optionally, clean build times. Needs only the Rust toolchain and Python.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "share-conformance")
LATENCY_MS = 100
# The read lag of the distant-target run (`--read-lag`, the default).
READ_LAG_S = 2.0
# The longest chain of dependent requests, with provisioning of every state the reference
# server allows:
#   the preflight (1); provisioning, one request after another: the live share, the revoked
#   share and its revoke, the removed share, the collection share (5); the first reads, the
#   view and the library together (1); the delete lifecycle: its save, the library until the
#   track shows, the delete, the library until it is gone, the view and a save again together
#   (5); the refused saves together, the library again (2); the first save (1); the view and
#   the library after it (1); SAVE-ORIGINAL-UNCHANGED's repeat save and the view after it (2)
#   -- 18 requests, the end of the first pass;
#   then the revoke lifecycle: the library and the view together right before the revoke, the
#   revoke, the library and the view together, the saves of the revoked share all at once, a
#   pause of the read lag (what must stay must still be there, and what must not be added
#   still absent, once a lagging write would have landed), the library again (5), with the
#   read lag once.
# Every other request runs alongside, the late read of the library included (the read lag
# after the first save, which has passed by then or ends within the revoke's pause).
LONGEST_CHAIN = 23


PEAK_RSS_MB = []


def run(args, **kwargs):
    """Runs the release binary; returns (wall seconds, scenario seconds, stdout). Its own peak
    RSS (from wait4, so no other process counts) goes to PEAK_RSS_MB."""
    env = dict(os.environ)
    env.pop("FREDDY_API_KEY", None)
    started = time.perf_counter()
    child = subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kwargs)
    stdout, stderr = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    PEAK_RSS_MB.append(usage.ru_maxrss / 1024)
    if child.returncode != 0:
        sys.exit(f"share-conformance {' '.join(args)} exited {child.returncode}:\n{stdout}\n{stderr}")
    match = re.search(r"^result: \S+ against .* in ([0-9.]+) s$", stdout, re.M)
    return wall, float(match.group(1)) if match else float("nan"), stdout


def timed(command, env=None):
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main():
    clean_builds = "--clean-builds" in sys.argv
    rows = []
    if clean_builds:
        for label, command in [
            ("clean `cargo test --locked` build", ["cargo", "test", "--locked", "--no-run"]),
            ("clean `cargo build --release --locked`", ["cargo", "build", "--release", "--locked"]),
        ]:
            target = tempfile.mkdtemp(prefix="bench-target-")
            seconds = timed(command, env={**os.environ, "CARGO_TARGET_DIR": target})
            shutil.rmtree(target, ignore_errors=True)
            rows.append((label, f"{seconds / 60:.1f} min ({seconds:.0f} s)"))
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)

    # Cold processes against the embedded server, whose reads are current: --read-lag 0 shows
    # the harness's own cost (with the default lag, each run waits it out about once).
    walls, scenario_times = [], []
    for _ in range(10):
        wall, scenarios, stdout = run(["run", "--read-lag", "0"], cwd=tempfile.gettempdir())
        walls.append(wall)
        scenario_times.append(scenarios)
    scenarios_in_suite = int(re.search(r"(\d+) scenarios against", stdout).group(1))
    peak_rss_mb = max(PEAK_RSS_MB)
    rows.append((f"`run --read-lag 0` against the embedded server, cold process ({scenarios_in_suite} scenarios)",
                 f"median {statistics.median(walls) * 1000:.0f} ms wall (min {min(walls) * 1000:.0f} ms), of which scenarios {statistics.median(scenario_times) * 1000:.0f} ms"))

    # Per-scenario overhead: the whole suite one scenario at a time, against an instant server.
    sequential = statistics.median(run(["run", "--read-lag", "0", "--concurrency", "1"])[1] for _ in range(5))
    default_lag = statistics.median(run(["run"])[0] for _ in range(3))
    rows.append(("`run` against the embedded server with the default read lag (2 s), cold process",
                 f"median {default_lag * 1000:.0f} ms wall"))
    rows.append(("per-scenario overhead (sequential, embedded server)",
                 f"{sequential / scenarios_in_suite * 1000:.2f} ms per scenario ({sequential * 1000:.0f} ms for {scenarios_in_suite})"))
    rows.append(("peak RSS of a full run against the embedded server (max of 10)", f"{peak_rss_mb:.1f} MB"))

    # A distant target: the reference server with 100 ms added to every request.
    with tempfile.TemporaryDirectory() as scratch:
        fixtures = os.path.join(scratch, "fixtures.toml")
        latency = []
        for _ in range(5):
            # A fresh server each run: the run deletes its disposable track.
            if os.path.exists(fixtures):
                os.remove(fixtures)
            serve = subprocess.Popen([BIN, "serve", "--addr", "127.0.0.1:0", "--latency", str(LATENCY_MS), "--fixtures-out", fixtures],
                                     stdout=subprocess.PIPE, text=True)
            try:
                url = serve.stdout.readline().split()[-1]
                provision = serve.stdout.readline().split("provision against it:", 1)[1].split()
                while not os.path.exists(fixtures):
                    time.sleep(0.01)
                latency.append(run(["run", "--base-url", url, "--fixtures", fixtures, *provision]))
            finally:
                serve.terminate()
                serve.wait()
    wall = statistics.median(w for w, _, _ in latency)
    critical = LONGEST_CHAIN * LATENCY_MS / 1000 + READ_LAG_S
    rows.append((f"`run` against a {LATENCY_MS} ms target, provisioning every state, cold process",
                 f"median {wall * 1000:.0f} ms wall, of which scenarios {statistics.median(s for _, s, _ in latency) * 1000:.0f} ms"))
    rows.append(("critical path (longest chain of dependent requests × latency, preflight and provisioning included, + the read lag once)",
                 f"{critical * 1000:.0f} ms ({LONGEST_CHAIN} requests + {READ_LAG_S:.0f} s) → wall is {wall / critical:.2f}× it (goal ≤ 1.15×)"))

    bench = subprocess.run(["cargo", "bench", "--locked", "-q", "--bench", "evaluate"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout
    for line in bench.strip().splitlines():
        label, value = line.split(":", 1)
        rows.append((f"one response evaluation: {label.strip()}", value.strip()))

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
    print(f"Machine: {os.cpu_count()} cores ({cpu}), {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
          f"{subprocess.run(['rustc', '--version'], capture_output=True, text=True).stdout.strip()}\n")
    print("| measure | result |\n|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
