#!/usr/bin/env python3
"""Where the CPU of a request goes: samples silo and web client on CPU (Linux perf) under load.

Starts our silo and web client (Release build as it is, fresh SQLite file, DOTNET_PerfMapEnabled=1 so perf
names JIT-compiled frames), adds login 1 and vendor 1, warms up, then for each scenario (inserts: POST
/ch08/vendor/add; sends: POST /ch08/messenger/kafka/send; light: GET /ch08/vendor/list with 50 vendors,
--cohosted for one silo serving the API itself) runs wrk on 16 connections for --seconds while perf
samples both processes (999 Hz, on-CPU only: dotnet-trace's thread-time profile counts waiting threads and
slowed the service tenfold; perf is Debian's linux-perf), and prints each process's top frames, self and with callees. The samples stay in
--out (perf report -i FILE). Loopback only, bounded in time.
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import throughput  # noqa: E402

SCENARIOS = {
    "inserts": (throughput.ADD_LUA, "/ch08/vendor/add", 400_000_000, ()),
    "sends": (throughput.SEND_LUA, "/ch08/messenger/kafka/send", 40_000_000, ("10000000",)),
    # The read path of issue 19: GET /ch08/vendor/list with 50 vendors, as bench/readpath.py measures it.
    "light": (None, "/ch08/vendor/list", 0, ()),
}


def load(name, base, seconds):
    """One scenario's load for seconds; its rate of successful requests."""
    lua, path, first, extra = SCENARIOS[name]
    if lua is None:
        result = bench.wrk_light(base, seconds)
        return result["rps"]
    result = throughput.wrk(lua, base, path, seconds, first, extra)
    return result["ok"] / result["seconds"]


PERF_MAP = throughput.PERF_MAP


def trace(pid, path, seconds):
    return subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(pid), "-o", path, "--", "sleep", str(seconds)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def report(path, top, inclusive):
    argv = ["perf", "report", "-i", path, "--stdio", "--sort", "symbol", "-g", "none", "--percent-limit", "0.4"]
    lines = subprocess.run(argv + ([] if inclusive else ["--no-children"]), capture_output=True, text=True).stdout.splitlines()
    return "\n".join([l[:150] for l in lines if l and not l.startswith("#")][:top])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--warmup", type=int, default=15, help="seconds of the same load before sampling (tiered JIT settles)")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "nsms-profile"))
    parser.add_argument("--port-base", type=int, default=18000)
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--build-root", default=bench.ROOT, help="profile the Release build of another checkout")
    parser.add_argument("--silo-env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--cohosted", action="store_true", help="one silo serving the API itself instead of silo + web client")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    ports = {"client": args.port_base, "silo_web": args.port_base + 10, "silo": args.port_base + 20, "gateway": args.port_base + 30}
    services = bench.Services()
    with tempfile.TemporaryDirectory(prefix="nsms-profile-") as data_dir:
        try:
            silo_env = {**PERF_MAP, **dict(e.split("=", 1) for e in args.silo_env)}
            if args.cohosted:
                cohosted_ports = {"web": args.port_base, "silo": args.port_base + 20, "gateway": args.port_base + 30}
                base, pids = bench.start_cohosted(services, data_dir, silo_env, cohosted_ports, root=args.build_root)
                processes = ("silo",)
            else:
                base, pids = bench.start_ours(services, data_dir, silo_env, PERF_MAP, ports=ports, build=False, root=args.build_root)
                processes = ("silo", "client")
            for path, body in (("login", {"id": 1, "username": "profile-owner", "password": "profile-bench-password", "user_type": 1}),
                               ("vendor", {"id": 1, "rep_firstname": "Rep", "rep_lastname": "Vendor", "rep_id": "R1",
                                           "rep_date_employed": "2022-01-01", "account_name": "Acct1", "account_number": "0001",
                                           "date_consigned": "2022-02-01", "login_id": 1})):
                assert bench.request("POST", f"{base}/ch08/{path}/add", body)[0] == 200
            print(f"{bench.ensure_vendors(base)} vendors", flush=True)
            for name in args.scenario or sorted(SCENARIOS):
                lua, path, first, extra = SCENARIOS[name]
                if lua is not None:
                    throughput.wrk(lua, base, path, args.warmup, first + 5_000_000, extra)
                else:
                    bench.wrk_light(base, args.warmup)
                files = [os.path.join(args.out, f"{name}-{process}.perf") for process in processes]
                tracers = [trace(pid, f, args.seconds) for pid, f in zip(pids, files)]
                rate = load(name, base, args.seconds + 2)
                for tracer in tracers:
                    tracer.wait(120)
                print(f"== {name}: {rate:,.0f}/s while traced", flush=True)
                for process, f in zip(processes, files):
                    for inclusive in (False, True):
                        print(f"-- {name} {process} ({'with callees' if inclusive else 'self'})\n{report(f, args.top, inclusive)}", flush=True)
        finally:
            services.stop()


if __name__ == "__main__":
    main()
