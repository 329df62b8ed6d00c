#!/usr/bin/env python3
"""Scale scenario of NSMS (issue #7, SPEC section 7): one table filled to 1,000,000 rows.

Starts our silo and web client (Release build, fresh database: SQLite by default, or a throwaway
PostgreSQL server with --postgres), fills the vendor table through the API (POST /ch08/vendor/add,
16 connections, unique ids; every row goes through its chunk owner and a group commit), and at
0 / 100,000 / 1,000,000 rows measures:

  pages    GET /ch08/vendor/list?limit=100&offset=N, N at random around the middle of the table:
           16 connections closed loop, and paced (4 connections x 25/s = 100 req/s)
  full     the whole list streamed once (curl): seconds, MB, and how much silo and client RSS grow
  inserts  POST /ch08/vendor/add, 16 connections, 10 s (rows inserted/s; each answer means committed)

then how far silo RSS falls back once the chunks have gone idle, and how long a restarted silo takes to
report ready and to answer a deep page through the web client. Loopback only; every load is bounded.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the side-by-side benchmark's helpers)

ROOT = bench.ROOT
ADD_LUA = os.path.join(ROOT, "bench", "vendor_add.lua")
PAGE_LUA = os.path.join(ROOT, "bench", "vendor_page.lua")
LEVELS = (0, 100_000, 1_000_000)
SILO_READY = "http://127.0.0.1:18100/health/ready"
# Chunks idle for this long are collected at Orleans' next collection pass (once a minute).
IDLE_AGE = "00:01:05"


def wrk_add(base, seconds, first_id):
    text = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "30s", "--latency", "-s", ADD_LUA,
                           f"{base}/ch08/vendor/add", "--", str(first_id)],
                          check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    out = bench.parse_wrk(text)
    ok, other = (int(x) for x in re.search(r"ADD ok=(\d+) other=(\d+)", text).groups())
    out.update(ok=ok, other=other, rate=ok / out["seconds"])
    return out


def wrk_pages(base, rows, seconds, connections, pause_ms=0):
    middle = rows // 2
    low, high = max(0, middle - 10_000), max(0, min(rows - 100, middle + 10_000))
    text = subprocess.run(["wrk", "-t2" if connections > 1 else "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                           "-s", PAGE_LUA, f"{base}/ch08/vendor/list", "--", str(low), str(high), str(pause_ms)],
                          check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    return bench.parse_wrk(text)


def full_list(base, pids):
    """Streams the whole list once; samples RSS of silo and client every 20 ms meanwhile."""
    before = [bench.rss_mb([p]) for p in pids]
    peak = list(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for i, p in enumerate(pids):
                peak[i] = max(peak[i], bench.rss_mb([p]))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.time()
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", f"{base}/ch08/vendor/list"],
                         check=True, capture_output=True, text=True, timeout=600).stdout.split()
    seconds = time.time() - started
    done.set()
    sampler.join()
    return {"status": int(out[0]), "mb": int(out[1]) / 1e6, "seconds": seconds,
            "silo_growth": peak[0] - before[0], "client_growth": peak[1] - before[1]}


def fill(base, rows, target, next_id, rate_guess):
    while rows < target:
        seconds = max(3, min(60, int((target - rows) / max(rate_guess, 1000) * 1.05) + 1))
        out = wrk_add(base, seconds, next_id)
        rows += out["ok"]
        next_id += 100_000_000  # each run takes fresh id ranges (2 threads x 50,000,000)
        rate_guess = out["rate"]
        print(f"  filled to {rows:,} rows ({out['rate']:,.0f}/s)", flush=True)
    return rows, next_id


def start_postgres(port):
    pg_bin = sorted(d for d in (os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")))[-1]
    data = tempfile.mkdtemp(prefix="nsms-scale-pg-")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    subprocess.run(as_pg + [f"{pg_bin}/initdb", "-D", f"{data}/db", "-A", "trust", "-U", "postgres"], check=True, capture_output=True)
    subprocess.run(as_pg + [f"{pg_bin}/pg_ctl", "-D", f"{data}/db", "-l", f"{data}/log", "-w", "-o",
                            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=on", "start"], check=True, capture_output=True)

    def stop():
        subprocess.run(as_pg + [f"{pg_bin}/pg_ctl", "-D", f"{data}/db", "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)

    return f"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", stop


def run(label, silo_env, seconds):
    services = bench.Services()
    report = {"label": label, "levels": []}
    with tempfile.TemporaryDirectory(prefix="nsms-scale-") as data_dir:
        try:
            silo_env = {"Tables__ChunkIdleAge": IDLE_AGE, **silo_env}
            base, pids = bench.start_ours(services, data_dir, silo_env, {})
            status, body = bench.request("POST", f"{base}/ch08/login/add",
                                         {"id": 1, "username": "scale-owner", "password": "scale-bench-password", "user_type": 1})
            assert status in (200, 409), body
            bench.wrk_light(base, 2)
            report["rss_empty"] = bench.rss_mb([pids[0]])
            rows, next_id, rate = 0, 100_000_000, 10_000
            for level in LEVELS:
                rows, next_id = fill(base, rows, level, next_id, rate)
                paged = wrk_pages(base, rows, seconds, 16)
                paced = wrk_pages(base, rows, seconds, 4, pause_ms=40)
                full = full_list(base, pids)
                inserts = wrk_add(base, seconds, next_id)
                next_id += 100_000_000
                rate = inserts["rate"]
                entry = {"rows": rows, "paged": paged, "paced": paced, "full": full, "inserts": inserts}
                rows += inserts["ok"]
                report["levels"].append(entry)
                print(f"{label} at {entry['rows']:,} rows: inserts {inserts['rate']:,.0f}/s (p99 {bench.fmt(inserts['p99'], 2)} ms, "
                      f"{inserts['other']} failed); pages {paged['rps']:,.0f} req/s p99 {bench.fmt(paged['p99'], 2)} ms, "
                      f"paced p99 {bench.fmt(paced['p99'], 2)} ms; full list {full['mb']:.0f} MB in {full['seconds']:.2f} s, "
                      f"RSS +{full['silo_growth']:.0f} MB silo, +{full['client_growth']:.0f} MB client", flush=True)
            report["rows"] = rows
            report["rss_full"] = bench.rss_mb([pids[0]])
            # Chunks idle past the idle age are collected at the next collection pass; watch RSS settle.
            deadline, lowest = time.time() + 240, report["rss_full"]
            while time.time() < deadline:
                time.sleep(10)
                lowest = min(lowest, bench.rss_mb([pids[0]]))
            report["rss_idle"] = lowest
            print(f"{label}: silo RSS empty {report['rss_empty']:.0f} MB, after the fill {report['rss_full']:.0f} MB, "
                  f"after idle {report['rss_idle']:.0f} MB", flush=True)

            silo = services.procs[0]
            silo.terminate()
            silo.wait(60)
            out = os.path.join(ROOT, "silo", "Newsstand.Silo", "bin", "Release", "net10.0")
            started = time.time()
            restarted = services.start("silo-restart", ["./Newsstand.Silo"], out, {
                "Urls": "http://127.0.0.1:18100", "Orleans__SiloPort": "12111", "Orleans__GatewayPort": "31000",
                "Database__DataDirectory": data_dir, **silo_env})
            bench.wait_ready(SILO_READY, 120, restarted)
            report["restart_ready"] = time.time() - started
            while True:
                try:
                    first = time.time()
                    status, page = bench.request("GET", f"{base}/ch08/vendor/list?limit=100&offset={rows // 2}", timeout=10)
                    if status == 200 and len(json.loads(page)) == 100:
                        report["restart_first_page"] = time.time() - started
                        report["restart_first_page_ms"] = (time.time() - first) * 1000
                        break
                except OSError:
                    pass
                if time.time() - started > 120:
                    raise SystemExit("the web client did not answer after the silo restart")
                time.sleep(0.2)
            print(f"{label}: restart to ready {report['restart_ready']:.2f} s; first deep page through the client after "
                  f"{report['restart_first_page']:.2f} s (that request {report['restart_first_page_ms']:.1f} ms)", flush=True)
        finally:
            services.stop()
    return report


def table(reports):
    lines = ["| database | rows | inserts/s (16 conn.) | insert p99 ms | page req/s (16 conn.) | page p50 / p99 ms | "
             "page p99 ms at 100 req/s | full list | RSS growth while streaming (silo / client) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in reports:
        for e in r["levels"]:
            lines.append("| " + " | ".join([
                r["label"], f"{e['rows']:,}", f"{e['inserts']['rate']:,.0f}", bench.fmt(e["inserts"]["p99"], 2),
                f"{e['paged']['rps']:,.0f}", f"{bench.fmt(e['paged']['p50'], 2)} / {bench.fmt(e['paged']['p99'], 2)}",
                bench.fmt(e["paced"]["p99"], 2), f"{e['full']['mb']:.0f} MB in {e['full']['seconds']:.2f} s",
                f"+{e['full']['silo_growth']:.0f} / +{e['full']['client_growth']:.0f} MB"]) + " |")
    lines += ["", "| database | rows | silo RSS empty | after the fill | after chunks went idle | idle minus empty | restart to ready | first deep page after restart |",
              "|---|---|---|---|---|---|---|---|"]
    for r in reports:
        lines.append("| " + " | ".join([
            r["label"], f"{r['rows']:,}", f"{r['rss_empty']:.0f} MB", f"{r['rss_full']:.0f} MB", f"{r['rss_idle']:.0f} MB",
            f"{r['rss_idle'] - r['rss_empty']:+.0f} MB", f"{r['restart_ready']:.2f} s",
            f"{r['restart_first_page']:.2f} s ({r['restart_first_page_ms']:.1f} ms)"]) + " |")
    first = reports[0]["levels"]
    lines += ["", f"Insert rate at 1,000,000 rows: {100 * first[-1]['inserts']['rate'] / first[0]['inserts']['rate']:.0f}% "
                  f"of the empty table's ({reports[0]['label']})."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="also run the scenario on a throwaway PostgreSQL server")
    parser.add_argument("--postgres-only", action="store_true", help="run it on PostgreSQL only")
    parser.add_argument("--postgres-port", type=int, default=55490)
    parser.add_argument("--seconds", type=int, default=10, help="length of each measurement")
    args = parser.parse_args()

    reports = []
    if not args.postgres_only:
        reports.append(run("SQLite", {}, args.seconds))
    if args.postgres or args.postgres_only:
        connection, stop = start_postgres(args.postgres_port)
        try:
            reports.append(run("PostgreSQL", {"Database__Postgres": connection}, args.seconds))
        finally:
            stop()

    text = "\n".join([f"Machine: {bench.machine()}", f"Date: {datetime.datetime.now().isoformat(timespec='minutes')}", "",
                      table(reports)])
    print("\n" + text)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "results", "scale-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S") + ".md")
    with open(path, "w") as f:
        f.write(text + "\n")
    print(f"\n(saved to {os.path.relpath(path, ROOT)})")


if __name__ == "__main__":
    sys.exit(main())
