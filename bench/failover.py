#!/usr/bin/env python3
"""Reads through a silo's death under ./cluster.sh (issue #19 point 5), by hand made repeatable.

Starts ./cluster.sh (three silos, Redis membership, PostgreSQL, the web client; NSMS_SKIP_BUILD=1: the Release
build already there; Auth__Mode=Open; membership logged at Information) on the ports of --port-base, runs
--readers threads reading GET /ch08/vendor/list, /ch08/login/list/all and /ch08/publication/list over keep-alive
connections, kill -9s silo-1 at --first-kill s and silo-2 at --second-kill s after the readers started, and prints
per kill: when a survivor logged the silo's eviction (membership declaring it dead), the longest read in flight
around the kill, the longest time without an answered read, and how many reads failed. --client-env NAME=VALUE
(repeatable) passes settings to every process (e.g. Reads__AttemptTimeoutAfterGatewayLoss=00:00:05 for the form before
short attempts after a loss).
"""
import argparse
import glob
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATHS = ["/ch08/vendor/list", "/ch08/login/list/all", "/ch08/publication/list"]


def start_cluster(base, settings):
    env = dict(os.environ, NSMS_SKIP_BUILD="1", NSMS_CLIENT_PORT=str(base), NSMS_SILO_PORT=str(base + 11),
               NSMS_GATEWAY_PORT=str(base + 21), NSMS_SILO_WEB_PORT=str(base + 31), NSMS_DASHBOARD_PORT=str(base + 41),
               NSMS_REDIS_PORT=str(base + 51), NSMS_PG_PORT=str(base + 52), Auth__Mode="Open",
               **{"Logging__LogLevel__Orleans.Runtime.MembershipService": "Information",
                  "Logging__Console__FormatterOptions__TimestampFormat": "HH:mm:ss.fff "}, **settings)
    cluster = subprocess.Popen(["./cluster.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    pids, logs = None, None
    for line in cluster.stdout:
        if m := re.search(r"silo PIDs\s+([\d ]+)", line):
            pids = [int(p) for p in m.group(1).split()]
        if m := re.search(r"logs\s+(/\S+)", line):
            logs = m.group(1)
        if "Press Ctrl+C" in line:
            break
    if not pids or not logs:
        cluster.kill()
        sys.exit("cluster.sh did not start")
    threading.Thread(target=lambda: [None for _ in cluster.stdout], daemon=True).start()
    return cluster, pids, logs


def stop_cluster(cluster):
    os.kill(cluster.pid, signal.SIGTERM)
    try:
        cluster.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(cluster.pid, signal.SIGKILL)


def reader(port, path, reads, stop):
    conn = None
    while not stop.is_set():
        started = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok, conn = False, None
        reads.append((started, time.monotonic(), ok, path))


def watch_evictions(logs, names, evicted, stop):
    """Records the first time any survivor's log says it evicts each silo name."""
    offsets = {}
    while not stop.is_set():
        for log in glob.glob(os.path.join(logs, "silo-*.log")):
            with open(log, errors="replace") as f:
                f.seek(offsets.get(log, 0))
                text = f.read()
                offsets[log] = f.tell()
            for m in re.finditer(r"Evicting 'S[\d.]+:(\d+):", text):
                for name, silo_port in names.items():
                    if int(m.group(1)) == silo_port and name not in evicted:
                        evicted[name] = time.monotonic()
        time.sleep(0.01)


def report(name, killed, evicted, reads, until):
    # A read belongs to the kill before its end (one in flight at the second kill belongs to the second).
    around = [r for r in reads if killed <= r[1] < until]
    longest = max(around, key=lambda r: r[1] - r[0])
    answered = sorted(r[1] for r in reads if r[2] and killed <= r[1] < until)
    gaps = [b - a for a, b in zip([killed] + answered, answered)]
    declared = f"{evicted[name] - killed:.2f} s" if name in evicted else "(not logged)"
    failed = sum(1 for r in around if not r[2])
    print(f"{name}: declared dead {declared}; longest read {longest[1] - longest[0]:.2f} s ({longest[3]}); "
          f"longest time without an answered read {max(gaps):.2f} s; failed {failed} of {len(around)}", flush=True)
    slow = sorted((r for r in around if r[1] - r[0] > 0.5), key=lambda r: r[0])
    print("  reads over 0.5 s (start after the kill, took): " + ", ".join(
        f"{r[0] - killed:+.2f} s {r[1] - r[0]:.2f} s{'' if r[2] else ' FAILED'}" for r in slow[:12]), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port-base", type=int, default=9200)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--first-kill", type=float, default=8)
    parser.add_argument("--second-kill", type=float, default=22)
    parser.add_argument("--seconds", type=float, default=32)
    parser.add_argument("--client-env", action="append", default=[])
    args = parser.parse_args()
    settings = dict(item.split("=", 1) for item in args.client_env)
    cluster, pids, logs = start_cluster(args.port_base, settings)
    print(f"cluster up: silos {pids}, logs {logs}, settings {settings}", flush=True)
    reads, stop = [], threading.Event()
    names = {"silo-1": args.port_base + 11, "silo-2": args.port_base + 12}
    evicted = {}
    threads = [threading.Thread(target=reader, args=(args.port_base, PATHS[i % len(PATHS)], reads, stop))
               for i in range(args.readers)]
    threads.append(threading.Thread(target=watch_evictions, args=(logs, names, evicted, stop)))
    try:
        start = time.monotonic()
        for t in threads:
            t.start()
        kills = {}
        for name, at, pid in (("silo-1", args.first_kill, pids[0]), ("silo-2", args.second_kill, pids[1])):
            time.sleep(max(0, start + at - time.monotonic()))
            os.kill(pid, signal.SIGKILL)
            kills[name] = time.monotonic()
            print(f"{time.strftime('%H:%M:%S')} killed {name} (pid {pid})", flush=True)
        time.sleep(max(0, start + args.seconds - time.monotonic()))
        stop.set()
        for t in threads:
            t.join(35)
        print(f"{len(reads)} reads in {args.seconds:.0f} s, {sum(1 for r in reads if not r[2])} failed", flush=True)
        report("silo-1", kills["silo-1"], evicted, reads, kills["silo-2"])
        report("silo-2", kills["silo-2"], evicted, reads, start + args.seconds)
    finally:
        stop.set()
        stop_cluster(cluster)


if __name__ == "__main__":
    main()
