#!/usr/bin/env python3
"""The read path against its ceiling (issue 19): bare Kestrel, our two forms and the original, in one run.

Targets, each on its own loopback port and data folder:
  bare      bench/BareKestrel: Kestrel writing the bytes of our own 50-vendor answer from memory (the ceiling)
  cohosted  one silo serving the API itself (Silo__ServeApi=true)
  separate  silo + thin web client (the default form)
  original  ../shared/peers/fastapi_seed (FastAPI on uvicorn)

light   GET /ch08/vendor/list, wrk 16 connections, --light-seconds, --rounds rounds with the targets alternating;
        median req/s, p99 and CPU per request of each process (from /proc, user + system); ratios to bare.
        "+page" rows: the same answer asked as ?limit=1000, which goes to the grain directly instead of through
        the whole-list coalescer (WholeListReads): the A/B of that change, in the same processes and run.
mixed   for our two forms (and any -b/-before form): the light request paced at 100 req/s alone (hey, 4 x 25/s)
        for --paced-seconds, then the same paced load while 16 connections hash passwords (POST /ch08/login/add);
        --mixed-rounds such pairs per form, forms alternating; light p99 of each side over all its requests, and
        their ratio (target: mixed <= 1.5x paced).
Targets (issue 19): cohosted >= 0.75 of bare, separate >= 0.5 of bare, mixed light p99 <= 1.5x paced.
"""
import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from throughput import cpu_seconds  # noqa: E402  (CPU seconds of a process, from /proc)

PORTS = {
    "separate": {"client": 9500, "silo_web": 9510, "silo": 9520, "gateway": 9530},
    "cohosted": {"web": 9540, "silo": 9541, "gateway": 9542},
    "cohosted-b": {"web": 9570, "silo": 9571, "gateway": 9572},
    "separate-b": {"client": 9574, "silo_web": 9575, "silo": 9576, "gateway": 9577},
    "separate-before": {"client": 9580, "silo_web": 9581, "silo": 9582, "gateway": 9583},
    "cohosted-before": {"web": 9590, "silo": 9591, "gateway": 9592},
    "bare": 9550,
    "original": 9560,
}
BARE = os.path.join(bench.ROOT, "bench", "BareKestrel")


def start_bare(services, body_file):
    out = os.path.join(BARE, "bin", "Release", "net10.0")
    base = f"http://127.0.0.1:{PORTS['bare']}"
    proc = services.start("bare", ["./BareKestrel"], out, {"Urls": base, "Body": body_file})
    bench.wait_ready(f"{base}/ch08/vendor/list", 60, proc)
    return base, {"bare": proc.pid}


def light_round(base, query, pids, seconds):
    before = {p: cpu_seconds(pid) for p, pid in pids.items()}
    r = bench.wrk_light(base, seconds, query=query)
    requests = r["rps"] * seconds
    r["cpu_us"] = {p: (cpu_seconds(pid) - before[p]) * 1e6 / requests for p, pid in pids.items()}
    return r


def mixed_round(base, paced_seconds, heavy_seconds, first_id):
    """One window of the paced light load alone, then one inside the heavy load: every light latency of both."""
    paced = bench.hey_light_samples(base, paced_seconds)
    time.sleep(2)
    loaded_light, heavy = bench.loaded(base, heavy_seconds, 16, first_id, light=bench.hey_light_samples)
    return paced, loaded_light, heavy


def pooled(windows):
    """The light windows of one side of one form as one sample: p99 over all their requests."""
    samples = [ms for w in windows for ms in w["ms"]]
    seconds = sum(w["seconds"] for w in windows)
    return {"p99": bench.percentile(samples, 99), "n": len(samples), "rps": len(samples) / seconds,
            "failed": sum(w["failed"] for w in windows)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--light-seconds", type=int, default=7)
    parser.add_argument("--paced-seconds", type=int, default=15)
    parser.add_argument("--mixed-seconds", type=int, default=22, help="heavy load; the paced light runs inside it")
    parser.add_argument("--mixed-rounds", type=int, default=3,
                        help="alone/with-hashing window pairs per form, forms alternating; each side's p99 is over all its windows' requests")
    parser.add_argument("--mixed-targets", default="",
                        help="comma-separated forms for the mixed scenario (default: cohosted, separate and every -b/-before form)")
    parser.add_argument("--no-original", action="store_true")
    parser.add_argument("--no-mixed", action="store_true")
    parser.add_argument("--silo-env", action="append", default=[], metavar="KEY=VALUE", help="both forms' silo (A/B)")
    parser.add_argument("--client-env", action="append", default=[], metavar="KEY=VALUE", help="the web client, and the co-hosted silo (A/B)")
    parser.add_argument("--cohosted-b-env", action="append", default=[], metavar="KEY=VALUE",
                        help="also run a second co-hosted silo (cohosted-b) with this environment: an A/B in the same run")
    parser.add_argument("--separate-b-env", action="append", default=[], metavar="KEY=VALUE",
                        help="also run a second silo + web client (separate-b), both with this environment: an A/B in the same run")
    parser.add_argument("--separate-b-client-env", action="append", default=[], metavar="KEY=VALUE",
                        help="like --separate-b-env, for separate-b's web client alone")
    parser.add_argument("--no-build", action="store_true", help="run our Release build as it is (bench/BareKestrel is still built)")
    parser.add_argument("--before-root", metavar="DIR",
                        help="also run both forms from the Release build under DIR (separate-before, cohosted-before): an A/B of a code change in the same run")
    parser.add_argument("--no-page", action="store_true", help="leave out the +page rows")
    args = parser.parse_args()
    silo_env = dict(e.split("=", 1) for e in args.silo_env)
    client_env = dict(e.split("=", 1) for e in args.client_env)
    # The ceiling app is the bench's own and always built (seconds when up to date); --no-build leaves our service as it is.
    for project in ([] if args.no_build else [os.path.join(bench.ROOT, "Orleans.sln")]) + [BARE]:
        subprocess.run(["dotnet", "build", project, "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly"], check=True)

    services = bench.Services()
    targets = []
    try:
        with tempfile.TemporaryDirectory(prefix="nsms-readpath-") as work:
            separate_dir, cohosted_dir = os.path.join(work, "separate"), os.path.join(work, "cohosted")
            os.makedirs(separate_dir)
            os.makedirs(cohosted_dir)
            base, pids = bench.start_ours(services, separate_dir, silo_env, client_env, ports=PORTS["separate"], build=False)
            targets.append(("separate", base, {"silo": pids[0], "client": pids[1]}))
            base, pids = bench.start_cohosted(services, cohosted_dir, {**silo_env, **client_env}, ports=PORTS["cohosted"])
            targets.append(("cohosted", base, {"silo": pids[0]}))
            if args.cohosted_b_env:
                b_dir = os.path.join(work, "cohosted-b")
                os.makedirs(b_dir)
                b_env = {**silo_env, **client_env, **dict(e.split("=", 1) for e in args.cohosted_b_env)}
                base, pids = bench.start_cohosted(services, b_dir, b_env, ports=PORTS["cohosted-b"], name="cohosted-b")
                targets.append(("cohosted-b", base, {"silo": pids[0]}))
            if args.separate_b_env or args.separate_b_client_env:
                b_dir = os.path.join(work, "separate-b")
                os.makedirs(b_dir)
                b_env = dict(e.split("=", 1) for e in args.separate_b_env)
                b_client_env = dict(e.split("=", 1) for e in args.separate_b_client_env)
                base, pids = bench.start_ours(services, b_dir, {**silo_env, **b_env}, {**client_env, **b_env, **b_client_env},
                                              ports=PORTS["separate-b"], build=False)
                targets.append(("separate-b", base, {"silo": pids[0], "client": pids[1]}))
            if args.before_root:
                for form in ("separate", "cohosted"):
                    before_dir = os.path.join(work, f"{form}-before")
                    os.makedirs(before_dir)
                    if form == "separate":
                        base, pids = bench.start_ours(services, before_dir, silo_env, client_env, ports=PORTS["separate-before"],
                                                      build=False, root=args.before_root)
                        targets.append(("separate-before", base, {"silo": pids[0], "client": pids[1]}))
                    else:
                        base, pids = bench.start_cohosted(services, before_dir, {**silo_env, **client_env}, ports=PORTS["cohosted-before"],
                                                          root=args.before_root, name="cohosted-before")
                        targets.append(("cohosted-before", base, {"silo": pids[0]}))
            for name, base, _ in targets:
                print(f"{name}: {base}, {bench.ensure_vendors(base)} vendors", flush=True)
            # The ceiling answers with exactly the bytes our service answers.
            body_file = os.path.join(work, "vendor-list.json")
            with urllib.request.urlopen(f"{targets[0][1]}/ch08/vendor/list") as resp, open(body_file, "wb") as f:
                f.write(resp.read())
            targets.insert(0, ("bare", *start_bare(services, body_file)))
            if not args.no_original:
                base, pids = bench.start_seed(services, PORTS["original"])
                targets.append(("original", base, {"uvicorn": pids[0]}))
                print(f"original: {base}, {bench.ensure_vendors(base)} vendors", flush=True)
            for name, base, _ in targets:
                bench.wrk_light(base, 3)  # warm-up (tiered JIT)
            rows = [(name, base, pids, "") for name, base, pids in targets]
            for name, base, pids in targets:
                if name in ("cohosted", "separate") and not args.no_page:
                    rows.insert(rows.index((name, base, pids, "")) + 1, (f"{name}+page", base, pids, "?limit=1000"))

            light = {name: [] for name, _, _, _ in rows}
            for round_ in range(args.rounds):
                for name, base, pids, query in rows:
                    r = light_round(base, query, pids, args.light_seconds)
                    light[name].append(r)
                    cpu = ", ".join(f"{p} {us:.0f} µs" for p, us in r["cpu_us"].items())
                    print(f"round {round_ + 1} {name}: {r['rps']:,.0f} req/s p99 {bench.fmt(r['p99'], 2)} ms; CPU/request {cpu}", flush=True)

            # The two sides of the ratio are taken in alternating windows, so a drift of the machine's speed (1.5-2x
            # between minutes here) falls on both; one window of each measured the machine's minute as much as the load.
            mixed_results = {}
            if not args.no_mixed:
                wanted = args.mixed_targets.split(",") if args.mixed_targets else None
                forms = [(name, base) for name, base, _ in targets
                         if (name in wanted if wanted else name != "bare" and name != "original")]
                windows = {name: ([], [], []) for name, _ in forms}
                for round_ in range(args.mixed_rounds):
                    for i, (name, base) in enumerate(forms):
                        first_id = (i + 1) * 300_000_000 + round_ * 10_000_000
                        paced, loaded_light, heavy = mixed_round(base, args.paced_seconds, args.mixed_seconds, first_id)
                        for side, window in zip(windows[name], (paced, loaded_light, heavy)):
                            side.append(window)
                        print(f"mixed round {round_ + 1} {name}: paced alone p99 {bench.fmt(bench.percentile(paced['ms'], 99), 2)} ms "
                              f"({len(paced['ms'])} requests), with hashing p99 {bench.fmt(bench.percentile(loaded_light['ms'], 99), 2)} ms "
                              f"({len(loaded_light['ms'])}), {bench.fmt(heavy['hashes_per_s'], 2)} hashes/s", flush=True)
                for name, (paced, loaded_light, heavy) in windows.items():
                    ok = sum(h["ok"] for h in heavy)
                    mixed_results[name] = (pooled(paced), pooled(loaded_light),
                                           {"hashes_per_s": ok / sum(h["seconds"] for h in heavy),
                                            "rejected": sum(h["rejected"] for h in heavy)})
    finally:
        services.stop()

    bare_rps = statistics.median(r["rps"] for r in light["bare"])
    lines = [f"Machine: {bench.machine()}",
             f"Date: {datetime.datetime.now().isoformat(timespec='minutes')}; light: median of {args.rounds} rounds of "
             f"{args.light_seconds} s (targets alternating), wrk 16 connections, 50 vendors", "",
             "| target | light req/s (rounds) | of bare | p99 ms | CPU µs per request |", "|---|---|---|---|---|"]
    for name, rs in light.items():
        rps = statistics.median(r["rps"] for r in rs)
        cpu = "; ".join(f"{p} {statistics.median(r['cpu_us'][p] for r in rs):.0f}" for p in rs[0]["cpu_us"])
        each = ", ".join(f"{r['rps']:,.0f}" for r in rs)
        lines.append(f"| {name} | {rps:,.0f} ({each}) | {rps / bare_rps:.2f} "
                     f"| {bench.fmt(bench.med([r['p99'] for r in rs]), 2)} | {cpu} |")
    if mixed_results:
        lines += ["", f"Mixed: {args.mixed_rounds} rounds per form (paced alone {args.paced_seconds} s, then with hashing, "
                  "forms alternating); p99 over the requests of all rounds (requests counted)", "",
                  "| form | light p99 paced alone ms (requests) | light p99 while hashing ms (requests) | ratio "
                  "| light req/s while hashing | hashes/s | 503s | light failures |", "|---|---|---|---|---|---|---|---|"]
        for name, (paced, loaded_light, heavy) in mixed_results.items():
            ratio = loaded_light["p99"] / paced["p99"] if paced["p99"] else float("nan")
            lines.append(f"| {name} | {bench.fmt(paced['p99'], 2)} ({paced['n']:,}) | {bench.fmt(loaded_light['p99'], 2)} "
                         f"({loaded_light['n']:,}) | {ratio:.2f} | {bench.fmt(loaded_light['rps'], 1)} "
                         f"| {bench.fmt(heavy['hashes_per_s'], 2)} | {heavy['rejected']} | {paced['failed'] + loaded_light['failed']} |")
    bench.save_report("readpath", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
