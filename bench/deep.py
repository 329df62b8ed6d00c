#!/usr/bin/env python3
"""Deep pages of NSMS (issue #19): a page in the middle of 1,000,000 rows against a page of an empty table.

One run, one pair of hosts (Release build, fresh SQLite database unless --data names a filled one):

  empty    GET /ch08/vendor/list?limit=100&offset=0 while the table is empty, paced (4 connections x 25/s),
           after --burst seconds (10) of the same requests closed loop on 16 connections, as the scale scenario does
  fill     the vendor table to --rows rows through the API (the scale scenario's fill: wrk, 16 connections)
  deep     GET /ch08/vendor/list?limit=100&offset=N, N at random within +-10,000 rows of the middle, burst, paced
  empty'   GET /ch08/publication/list?limit=100&offset=0 (still empty) right after, same heap, burst, paced

and prints the p50/p99 of each and the deep page's p99 as a multiple of the empty table's. With --data DIR
the database in DIR is kept (filled once, about four minutes) and reused by later runs: those start with
the filled table, so "empty" is measured on the empty publication table instead. Loopback ports 9310-9313.
"""
import argparse
import csv
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import scale  # noqa: E402

PORTS = {"client": 9310, "silo_web": 9311, "silo": 9312, "gateway": 9313}


def paced(base, path, low, high, seconds, latency_file=None):
    """Pages of path at offsets drawn from [low, high], 4 connections each 40 ms apart (100 req/s); the latency
    histogram appended to latency_file when given."""
    env = dict(os.environ, WRK_LATENCY_FILE=latency_file or "")
    text = subprocess.run(["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "-s", scale.PAGE_LUA,
                           f"{base}{path}", "--", str(low), str(high), "40"],
                          check=True, capture_output=True, text=True, timeout=seconds + 60, env=env).stdout
    return bench.parse_wrk(text)


def alternated(base, pages, seconds, windows, burst_seconds, pids):
    """The paced pages in turns of seconds / windows each (A, B, A, B, ...), each page's turns merged into one
    latency distribution: a drift of the machine's load during the run falls on every page alike, where one 30 s
    run after the other gives the later page whatever the machine did meanwhile. Also the CPU the silo and the
    web client spent per request during each page's turns."""
    turn = max(1, round(seconds / windows))
    with tempfile.TemporaryDirectory(prefix="nsms-deep-windows-") as folder:
        files = {page: os.path.join(folder, f"{i}.txt") for i, page in enumerate(pages)}
        totals = {page: [0.0, 0, 0, 0.0] for page in pages}  # seconds, requests, non-2xx, CPU seconds
        if burst_seconds:
            for path, low, high in pages:
                burst(base, path, low, high, burst_seconds)
        for _ in range(windows):
            for page in pages:
                cpu = cpu_seconds(pids)
                out = paced(base, *page, turn, files[page])
                totals[page][3] += cpu_seconds(pids) - cpu
                totals[page][0] += out["seconds"]
                totals[page][1] += round(out["rps"] * out["seconds"])
                totals[page][2] += out["non2xx"]
        results = {}
        for page in pages:
            seconds, requests, non2xx, cpu = totals[page]
            results[page] = {"rps": requests / seconds, "seconds": seconds, "non2xx": non2xx, "cpu_us": cpu / max(1, requests) * 1e6,
                             "p50": percentile(files[page], 50), "p99": percentile(files[page], 99)}
        return results


def cpu_seconds(pids):
    """User and system CPU seconds the processes have used so far (/proc, in clock ticks)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def percentile(file, pct):
    """The pct-th percentile in ms of the histograms wrk appended to file ("microseconds count" lines)."""
    counts = {}
    with open(file) as lines:
        for line in lines:
            value, count = (int(x) for x in line.split())
            counts[value] = counts.get(value, 0) + count
    total, seen = sum(counts.values()), 0
    for value in sorted(counts):
        seen += counts[value]
        if seen * 100 >= total * pct:
            return value / 1000.0
    return None


def burst(base, path, low, high, seconds):
    """The scale scenario's closed loop before its paced run: 16 connections as fast as they go."""
    text = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", scale.PAGE_LUA,
                           f"{base}{path}", "--", str(low), str(high), "0"],
                          check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    return bench.parse_wrk(text)


def measured(base, path, low, high, args, pids):
    """Paced pages, after a closed-loop burst when asked (as bench/run.sh scale orders them), with the silo's
    allocations and collections during the paced run when --counters asks."""
    if args.burst:
        burst(base, path, low, high, args.burst)
    if not args.counters:
        return alternated(base, [(path, low, high)], args.seconds, 1, 0, pids)[(path, low, high)]
    with tempfile.TemporaryDirectory(prefix="nsms-deep-counters-") as folder:
        file = os.path.join(folder, "silo.csv")
        # It writes its file only when it ends by itself (--duration); a signal loses it.
        counters = subprocess.Popen(["dotnet", "dotnet-counters", "collect", "-p", str(pids[0]), "--refresh-interval", "1",
                                     "--duration", time.strftime("00:00:%M:%S", time.gmtime(args.seconds + 6)),
                                     "--counters", "System.Runtime[dotnet.gc.heap.total_allocated,dotnet.gc.collections]",
                                     "--format", "csv", "-o", file], cwd=bench.ROOT, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(3)  # attached and past its first (partial) interval
        started = time.time()
        out = paced(base, path, low, high, args.seconds)
        counters.wait(60)
        out.update(silo_counters(file, started, started + out["seconds"]))
    out["kb_per_request"] = out["allocated_per_second"] / 1024 / out["rps"]
    return out


def silo_counters(file, start, end):
    """Bytes a second the silo allocated and its collections by generation, over the one-second intervals within [start, end]."""
    allocated, collections, seconds = 0.0, {}, set()
    with open(file, newline="") as handle:
        for line in csv.DictReader(handle):
            stamp = datetime.datetime.strptime(line["Timestamp"][:19], "%m/%d/%Y %H:%M:%S").timestamp()
            # A line's stamp is the end of its interval (to the second).
            if not start + 1 <= stamp <= end:
                continue
            seconds.add(stamp)
            name, value = line["Counter Name"], float(line["Mean/Increment"] or 0)
            if name.startswith("dotnet.gc.heap.total_allocated"):
                allocated += value
            elif name.startswith("dotnet.gc.collections"):
                generation = re.search(r"gen\d", name)
                key = generation.group(0) if generation else "all"
                collections[key] = collections.get(key, 0) + value
    return {"allocated_per_second": allocated / max(1, len(seconds)), "collections": collections, "counted_seconds": len(seconds)}


def row(name, out):
    cpu = f"{out['cpu_us']:.0f}" if "cpu_us" in out else "-"
    cells = f"| {name} | {out['rps']:.0f} | {bench.fmt(out['p50'], 2)} | {bench.fmt(out['p99'], 2)} | {out['non2xx']} | {cpu} |"
    if "kb_per_request" in out:
        gcs = out["collections"]
        cells += f" {out['kb_per_request']:.1f} | {gcs.get('gen0', 0):.0f} / {gcs.get('gen1', 0):.0f} / {gcs.get('gen2', 0):.0f} |"
    return cells


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=30, help="length of each paced measurement")
    parser.add_argument("--data", help="a directory that keeps the filled database between runs")
    parser.add_argument("--burst", type=int, default=10, help="seconds of closed-loop load before each paced run (0: none)")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--build-root", default=bench.ROOT, help="run the Release build of another checkout (no build), for an A/B")
    parser.add_argument("--windows", type=int, default=1,
                        help="after the fill, measure the deep page and the empty table in this many alternating turns of "
                             "--seconds / N each, their turns merged (1: one run each, one after the other)")
    parser.add_argument("--counters", action="store_true",
                        help="also record the silo's allocations per request and its collections by generation during each paced run (dotnet-counters)")
    parser.add_argument("--offsets", default="",
                        help="after the deep and empty pages: the vendor page at each of these fixed offsets (comma-separated) and "
                             "the empty table, paced in two alternating turns of --offset-seconds / 2 each (where a page's time goes)")
    parser.add_argument("--offset-seconds", type=int, default=8)
    args = parser.parse_args()
    if args.windows > 1 and args.counters:
        parser.error("--counters measures one paced run per page; use it with --windows 1")

    services = bench.Services()
    data_dir = args.data or tempfile.mkdtemp(prefix="nsms-deep-")
    os.makedirs(data_dir, exist_ok=True)
    results, rows, ratio = [], 0, ""
    try:
        base, pids = bench.start_ours(services, data_dir, {}, {}, ports=PORTS,
                                       build=not args.no_build and args.build_root == bench.ROOT, root=args.build_root)
        bench.request("POST", f"{base}/ch08/login/add", {"id": 1, "username": "deep-owner", "password": "deep-bench-password", "user_type": 1})
        status, body = bench.request("GET", f"{base}/ch08/vendor/list?limit=1&offset={args.rows - 1}")
        filled = status == 200 and body.strip() not in ("[]", b"[]")
        bench.wrk_light(base, 2)
        if not filled:
            results.append(row("empty table (vendor, before the fill)", measured(base, "/ch08/vendor/list", 0, 0, args, pids)))
            rows, _ = scale.fill(base, 0, args.rows, 100_000_000, 5_000)
        else:
            rows = args.rows
        middle = rows // 2
        # Warm: the chunks around the middle, as the scale scenario's closed-loop run before its paced one does.
        paced(base, "/ch08/vendor/list", middle - 10_000, middle + 10_000, 5)
        deep = ("/ch08/vendor/list", middle - 10_000, middle + 10_000)
        empty = ("/ch08/publication/list", 0, 0)
        if args.windows > 1:
            out = alternated(base, [deep, empty], args.seconds, args.windows, args.burst, pids)
            deep_out, empty_out = out[deep], out[empty]
        else:
            deep_out, empty_out = measured(base, *deep, args, pids), measured(base, *empty, args, pids)
        turns = f", {args.windows} alternating turns" if args.windows > 1 else ""
        results.append(row(f"deep page (vendor, offset {middle:,} +- 10,000{turns})", deep_out))
        results.append(row(f"empty table (publication, after the fill{turns})", empty_out))
        if args.offsets:
            fixed = [("/ch08/vendor/list", int(o), int(o)) for o in args.offsets.split(",")] + [empty]
            out = alternated(base, fixed, args.offset_seconds, 2, 0, pids)
            for page in fixed:
                results.append(row(f"{'vendor offset ' + format(page[1], ',') if page != empty else 'empty table (publication)'} "
                                   f"({args.offset_seconds} s, 2 turns)", out[page]))
        if deep_out["p99"] and empty_out["p99"]:
            ratio = f"deep / empty p99 after the fill: {deep_out['p99'] / empty_out['p99']:.2f}x"
    finally:
        services.stop()
    text = "\n".join([f"Machine: {bench.machine()}", f"Date: {datetime.datetime.now().isoformat(timespec='minutes')}",
                      f"Build: {args.build_root}", f"Rows: {rows:,}", "",
                      "| page (limit=100, 100 req/s) | req/s | p50 ms | p99 ms | non-2xx | silo + client CPU us/request |" + (f" silo KB/request | silo GCs gen0 / gen1 / gen2 in ~{args.seconds - 2} s |" if args.counters else ""),
                      "|---|---|---|---|---|---|" + ("---|---|" if args.counters else ""), *results, "", ratio])
    bench.save_report("deep", text)


if __name__ == "__main__":
    sys.exit(main())
