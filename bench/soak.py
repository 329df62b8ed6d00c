#!/usr/bin/env python3
"""Soak: a bounded mixed load on our service (loopback only) for --seconds (5 minutes by default).

Starts our silo and web client (Release build, fresh SQLite file) and, at fixed rates:
  light     GET /ch08/vendor/list (50 vendors) and a page of it             ~80 req/s
  inserts   POST /ch08/customer/add and /ch08/subscription/add, unique ids   ~40 req/s
  passwords POST /ch08/login/add (PBKDF2, 600,000 iterations) + verify       ~2 req/s
  workloads GET /ch08/login/list/records, GET /ch08/admin/billing/all,
            POST /ch08/billing/total/payable                                 every 10 s
Every 30 s it reports resident memory and thread count of silo and client (/proc), their GC heap
size (dotnet-counters), the silo's grain activation count (the dashboard's DashboardCounters, which
answers loopback callers) and the latency percentiles of the last 30 s; at the end it judges whether
each resource levelled off over the last three minutes. Every request loop stops by itself.
"""
import argparse
import concurrent.futures
import csv
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (HTTP helpers, process handling)

INTERVAL = 30
# A login bench.ensure_vendors adds (the first vendor's): the soak's records refer to it.
LOGIN = 900001


class Latencies:
    """Request durations per kind since the last report, and every status seen."""

    def __init__(self):
        self.lock = threading.Lock()
        self.window = {}
        self.statuses = {}

    def add(self, kind, seconds, status):
        with self.lock:
            self.window.setdefault(kind, []).append(seconds * 1000.0)
            self.statuses[(kind, status)] = self.statuses.get((kind, status), 0) + 1

    def take(self):
        with self.lock:
            window, self.window = self.window, {}
        return window


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def paced(rate, stop, work):
    """Calls work() about `rate` times a second until stop is set (open loop, no catching up)."""
    period = 1.0 / rate
    next_at = time.monotonic()
    while not stop.is_set():
        work()
        next_at += period
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            next_at = time.monotonic()


def timed(latencies, kind, method, url, body=None):
    started = time.monotonic()
    try:
        status, _ = bench.request(method, url, body, timeout=30)
    except OSError:
        status = 0
    latencies.add(kind, time.monotonic() - started, status)
    return status


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        text = f.read()
    rss = int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024.0
    threads = int(re.search(r"Threads:\s+(\d+)", text).group(1))
    return rss, threads


def gc_heap_mb(pid):
    """The GC heap after the last collection (all generations), from a 3 s dotnet-counters session."""
    out = os.path.join(tempfile.gettempdir(), f"nsms-soak-counters-{pid}.csv")
    subprocess.run(["dotnet", "dotnet-counters", "collect", "-p", str(pid), "--format", "csv", "-o", out,
                    "--refresh-interval", "1", "--duration", "00:00:00:03", "--counters", "System.Runtime"],
                   cwd=bench.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)
    latest = {}
    with open(out, newline="") as f:
        for row in csv.DictReader(f):
            name = row["Counter Name"]
            if name.startswith("dotnet.gc.last_collection.heap.size"):
                latest[name] = float(row["Mean/Increment"])
    os.remove(out)
    return sum(latest.values()) / (1024 * 1024) if latest else float("nan")


def activations(silo_web):
    status, body = bench.request("GET", f"{silo_web}/dashboard/DashboardCounters", timeout=10)
    return json.loads(body)["totalActivationCount"] if status == 200 else -1


def run(args):
    data = tempfile.mkdtemp(prefix="nsms-soak-")
    services = bench.Services()
    stop = threading.Event()
    latencies = Latencies()
    rows = []
    try:
        silo_web = f"http://127.0.0.1:{args.silo_web_port}"
        base = f"http://127.0.0.1:{args.client_port}"
        subprocess.run(["dotnet", "build", os.path.join(bench.ROOT, "Orleans.sln"), "-c", "Release", "--nologo", "-v", "quiet",
                        "-clp:ErrorsOnly"], check=True)
        subprocess.run(["dotnet", "tool", "restore"], cwd=bench.ROOT, check=True, stdout=subprocess.DEVNULL)
        out = lambda project: os.path.join(bench.ROOT, project, "bin", "Release", "net10.0")
        silo = services.start("soak-silo", ["./Newsstand.Silo"], out("silo/Newsstand.Silo"), {
            "Urls": silo_web, "Orleans__SiloPort": str(args.silo_port), "Orleans__GatewayPort": str(args.gateway_port),
            "Database__DataDirectory": data})
        bench.wait_ready(f"{silo_web}/health/ready", 120, silo)
        client = services.start("soak-client", ["./Newsstand.Client"], out("client/Newsstand.Client"), {
            "Urls": base, "Orleans__GatewayPorts__0": str(args.gateway_port),
            "AbuseLimits__AddPerAddress__Permits": "1000000", "AbuseLimits__VerifyPerAddress__Permits": "1000000"})
        bench.wait_ready(f"{base}/health/ready", 60, client)
        bench.ensure_vendors(base)
        # An admin with a billing, so the workloads have something to walk.
        bench.request("POST", f"{base}/ch08/admin/add", {"id": 1, "firstname": "Ada", "lastname": "Soak", "age": 40,
                      "date_started": "2020-01-15", "status": 1, "login_id": LOGIN, "birthday": "1985-03-02"})
        bench.request("POST", f"{base}/ch08/billing/add", {"id": 1, "payable": 10.5, "approved_by": "Ada", "date_approved": "2024-03-01",
                      "date_billed": "2024-03-02", "received_by": "Rep", "date_received": "2024-03-05", "total_issues": 4,
                      "vendor_id": 1, "admin_id": 1})

        ids = iter(range(10_000_000, 2_000_000_000))
        ids_lock = threading.Lock()

        def next_id():
            with ids_lock:
                return next(ids)

        def light():
            timed(latencies, "light", "GET", f"{base}/ch08/vendor/list")
            timed(latencies, "light", "GET", f"{base}/ch08/vendor/list?limit=10&offset=20")

        def insert():
            n = next_id()
            # Customers and their subscriptions: the vendor list the light load reads stays at 50 rows.
            if timed(latencies, "insert", "POST", f"{base}/ch08/customer/add", customer(n)) == 200:
                timed(latencies, "insert", "POST", f"{base}/ch08/subscription/add", subscription(n))

        def password():
            n = next_id()
            body = {"id": n, "username": f"soak{n}", "password": f"soak-password-{n}", "user_type": 1}
            if timed(latencies, "password", "POST", f"{base}/ch08/login/add", body) == 200:
                timed(latencies, "password", "POST", f"{base}/ch08/login/verify", {"username": body["username"], "password": body["password"]})

        def workloads():
            timed(latencies, "workload", "GET", f"{base}/ch08/login/list/records")
            timed(latencies, "workload", "GET", f"{base}/ch08/admin/billing/all")
            timed(latencies, "workload", "POST", f"{base}/ch08/billing/total/payable?billing_date=2024-03-02")

        loads = [(light, 20)] * 2 + [(insert, 10)] * 2 + [(password, 1)] + [(workloads, 0.1)]
        pool = concurrent.futures.ThreadPoolExecutor(len(loads))
        running = [pool.submit(paced, rate, stop, work) for work, rate in loads]
        started = time.monotonic()
        print(f"soak: {args.seconds} s of mixed load on {base}; a row every {INTERVAL} s", flush=True)
        for tick in range(1, args.seconds // INTERVAL + 1):
            stop.wait(max(0.0, started + tick * INTERVAL - time.monotonic()))
            window = latencies.take()
            with concurrent.futures.ThreadPoolExecutor(2) as sampler:
                heaps = list(sampler.map(gc_heap_mb, [silo.pid, client.pid]))
            (silo_rss, silo_threads), (client_rss, client_threads) = proc_status(silo.pid), proc_status(client.pid)
            row = {"t": tick * INTERVAL, "silo_rss": silo_rss, "client_rss": client_rss, "silo_threads": silo_threads,
                   "client_threads": client_threads, "silo_heap": heaps[0], "client_heap": heaps[1],
                   "activations": activations(silo_web),
                   "light_n": len(window.get("light", [])), "light_p50": percentile(window.get("light", []), 50),
                   "light_p99": percentile(window.get("light", []), 99), "insert_p99": percentile(window.get("insert", []), 99),
                   "password_p99": percentile(window.get("password", []), 99), "workload_p99": percentile(window.get("workload", []), 99)}
            rows.append(row)
            print(line(row), flush=True)
        stop.set()
        for future in running:
            future.result()
        pool.shutdown()
    finally:
        stop.set()
        services.stop()
    return rows, dict(latencies.statuses)


def subscription(n):
    return {"id": n, "customer_id": n, "branch": "Main St", "price": 12.5, "qty": 3, "date_purchased": "2024-02-10"}


def customer(n):
    return {"id": n, "firstname": "Soak", "lastname": f"C{n}", "age": 30, "birthday": "1994-07-07", "date_subscribed": "2023-05-01",
            "status": 1, "subscription_type": 2, "login_id": LOGIN}


HEADER = ("| t s | silo RSS MB | client RSS MB | silo threads | client threads | silo GC heap MB | client GC heap MB "
          "| activations | light req | light p50 ms | light p99 ms | insert p99 ms | password p99 ms | workload p99 ms |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def line(r):
    return (f"| {r['t']} | {r['silo_rss']:.0f} | {r['client_rss']:.0f} | {r['silo_threads']} | {r['client_threads']} "
            f"| {r['silo_heap']:.1f} | {r['client_heap']:.1f} | {r['activations']} | {r['light_n']} | {r['light_p50']:.2f} "
            f"| {r['light_p99']:.2f} | {r['insert_p99']:.1f} | {r['password_p99']:.0f} | {r['workload_p99']:.1f} |")


def verdicts(rows):
    """Over the last three minutes: growth from the first to the last sample, and whether it stayed within noise."""
    last = [r for r in rows if r["t"] >= rows[-1]["t"] - 180]
    if len(last) < 2:
        return ["(too short to judge)"]
    judged = []
    # Noise allowances: 10% or these absolute amounts, whichever is larger.
    for key, label, floor in [("silo_rss", "silo RSS", 25), ("client_rss", "client RSS", 25), ("silo_threads", "silo threads", 4),
                              ("client_threads", "client threads", 4), ("silo_heap", "silo GC heap", 15),
                              ("client_heap", "client GC heap", 15), ("activations", "activations", 20)]:
        first, final, peak = last[0][key], last[-1][key], max(r[key] for r in last)
        growth = final - first
        level = growth <= max(0.1 * first, floor)
        judged.append(f"{label}: {first:.0f} -> {final:.0f} (peak {peak:.0f}) over the last {last[-1]['t'] - last[0]['t']} s: "
                      + ("levels off" if level else "GROWS"))
    return judged


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--client-port", type=int, default=18000)
    parser.add_argument("--silo-web-port", type=int, default=18100)
    parser.add_argument("--silo-port", type=int, default=12111)
    parser.add_argument("--gateway-port", type=int, default=31000)
    args = parser.parse_args()
    rows, statuses = run(args)
    report = [f"Soak {datetime.datetime.now():%Y-%m-%dT%H:%M}, {args.seconds} s, {bench.machine()}", "", HEADER]
    report += [line(r) for r in rows]
    report += ["", "Answers: " + ", ".join(f"{kind} {status}: {count}" for (kind, status), count in sorted(statuses.items())), ""]
    report += ["- " + v for v in verdicts(rows)]
    text = "\n".join(report)
    print("\n" + text)
    results = os.path.join(bench.ROOT, "bench", "results")
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, f"soak-{datetime.datetime.now():%Y%m%d-%H%M%S}.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
