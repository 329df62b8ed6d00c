#!/usr/bin/env python3
"""Side-by-side benchmark of NSMS (SPEC section 7).

Starts our silo and web client (Release build, fresh SQLite file) and, unless told otherwise, the
original service's benchmark routes (../shared/peers/fastapi_seed); loads 50 vendors where a target
has fewer; then runs the same scenarios against every target and prints one table:

  light    GET /ch08/vendor/list, 16 connections, closed loop (wrk)           -> capacity
  mixed    POST /ch08/login/add, unique ids, 16 connections (wrk), while
           GET /ch08/vendor/list is offered at 100 req/s (hey: 4 clients x 25/s)
  overload the mixed scenario with 64 heavy connections, plus resident memory

Our web client runs in Auth__Mode=Open for these (the original's anonymous contract: the same work as the
original). A second web client of ours on the same silo, in Auth__Mode=Required, adds a light row with a
bearer token (a signed-in user's, sent by wrk on every request): what validating a token costs.

Light and mixed run --runs times (targets alternating) and the median of each number is reported.
Only loopback addresses are used; every load generator runs for a bounded time.
"""
import argparse
import concurrent.futures
import csv
import datetime
import io
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LUA = os.path.join(ROOT, "bench", "login_add.lua")
SEED = os.path.abspath(os.path.join(ROOT, "..", "shared", "peers", "fastapi_seed"))
VENDORS = 50
# The one place for how the bench configures whichever host serves our API (the web client, or a co-hosted
# silo). Every load generator sends from 127.0.0.1: lift the per-address limit on login/add, which would
# otherwise turn most of the heavy scenario into 429s (the limit guards against abuse, not load).
BENCH_CLIENT_ENV = {"AbuseLimits__AddPerAddress__Permits": "1000000", "Auth__Mode": "Open"}
BEARER = "orleans Required+bearer"
SETTLE_SECONDS = 4


# ---------------------------------------------------------------- HTTP helpers

def request(method, url, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_ready(url, seconds, process=None):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"process for {url} exited with {process.returncode}")
        try:
            if request("GET", url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not become ready in {seconds} s")


def ensure_vendors(base):
    status, body = request("GET", f"{base}/ch08/vendor/list")
    have = {v["id"] for v in json.loads(body)} if status == 200 else set()
    missing = [i for i in range(1, VENDORS + 1) if i not in have]
    if not missing:
        return len(have)

    def add(i):
        login = {"id": 900000 + i, "username": f"vendor-login-{i}", "password": f"vendor-password-{i}", "user_type": 2}
        s, b = request("POST", f"{base}/ch08/login/add", login)
        if s not in (200, 409):
            raise SystemExit(f"loading login {i} into {base}: {s} {b[:200]!r}")
        vendor = {"id": i, "rep_firstname": f"Rep{i}", "rep_lastname": "Doe", "rep_id": f"R{i}",
                  "rep_date_employed": "2022-01-01", "account_name": f"Acct{i}", "account_number": f"{i:08d}",
                  "date_consigned": "2022-02-01", "login_id": 900000 + i}
        s, b = request("POST", f"{base}/ch08/vendor/add", vendor)
        if s not in (200, 409):
            raise SystemExit(f"loading vendor {i} into {base}: {s} {b[:200]!r}")

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(add, missing))
    status, body = request("GET", f"{base}/ch08/vendor/list")
    return len(json.loads(body))


# ---------------------------------------------------------------- load generators

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(text):
    out = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        out[f"p{pct}"] = float(m.group(1)) * UNITS[m.group(2)] if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"HEAVY ok=(\d+) rejected=(\d+) rejected_with_retry_after=(\d+) other=(\d+) errors=(\d+)", text)
    if m:
        out.update(ok=int(m.group(1)), rejected=int(m.group(2)), rejected_with_retry=int(m.group(3)),
                   other=int(m.group(4)), errors=int(m.group(5)))
    m = re.search(r"requests in ([\d.]+)(us|ms|s|m),", text)
    out["seconds"] = float(m.group(1)) * UNITS[m.group(2)] / 1000.0 if m else None
    return out


def parse_hey(text):
    out = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}% in ([\d.]+) secs", text, re.M)
        out[f"p{pct}"] = float(m.group(1)) * 1000.0 if m else None
    codes = {int(c): int(n) for c, n in re.findall(r"\[(\d+)\]\s+(\d+) responses", text)}
    out["ok"] = codes.get(200, 0)
    out["failed"] = sum(n for c, n in codes.items() if c != 200) + len(re.findall(r"^\s+\[\d+\]\s+Get ", text, re.M))
    return out


def wrk_light(base, seconds, connections=16, query="", token=None):
    auth = ["-H", f"Authorization: Bearer {token}"] if token else []
    text = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *auth, f"{base}/ch08/vendor/list{query}"],
                          check=True, capture_output=True, text=True, timeout=seconds + 30).stdout
    return parse_wrk(text)


def start_heavy(base, seconds, connections, first_id):
    return subprocess.Popen(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency",
                             "-s", LUA, f"{base}/ch08/login/add", "--", str(first_id)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def hey_light(base, seconds):
    text = subprocess.run(["hey", "-z", f"{seconds}s", "-c", "4", "-q", "25", f"{base}/ch08/vendor/list"],
                          check=True, capture_output=True, text=True, timeout=seconds + 30).stdout
    return parse_hey(text)


def hey_light_samples(base, seconds):
    """The paced light load of hey_light, answered with every request's latency (ms) instead of hey's summary:
    samples of several windows can then be pooled into one percentile."""
    text = subprocess.run(["hey", "-z", f"{seconds}s", "-c", "4", "-q", "25", "-o", "csv", f"{base}/ch08/vendor/list"],
                          check=True, capture_output=True, text=True, timeout=seconds + 30).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    return {"ms": [float(r["response-time"]) * 1000.0 for r in rows if r["status-code"] == "200"],
            "failed": sum(1 for r in rows if r["status-code"] != "200"), "seconds": seconds}


def percentile(samples, q):
    """The q-th percentile (0-100) of samples, nearest rank."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100.0 * len(ordered)) - 1)] if ordered else None


def loaded(base, heavy_seconds, connections, first_id, light_delay=3, light=None):
    """Heavy load for heavy_seconds; light offered at 100 req/s inside it, after the heavy side has ramped up."""
    heavy = start_heavy(base, heavy_seconds, connections, first_id)
    time.sleep(light_delay)
    light = (light or hey_light)(base, heavy_seconds - light_delay - 2)
    out, _ = heavy.communicate(timeout=heavy_seconds + 90)
    # Requests still queued when wrk stops finish now, not inside the next measurement.
    time.sleep(SETTLE_SECONDS)
    h = parse_wrk(out)
    h["hashes_per_s"] = h["ok"] / h["seconds"] if h.get("seconds") else None
    return light, h


def rss_mb(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            total += int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))
    return total / 1024.0


# ---------------------------------------------------------------- services

class Services:
    def __init__(self):
        self.procs = []
        self.logs = []

    def start(self, name, argv, cwd, env):
        log = open(os.path.join(tempfile.gettempdir(), f"nsms-bench-{name}.log"), "w")
        self.logs.append(log)
        proc = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for log in self.logs:
            log.close()


# Loopback ports of our two hosts; a bench run that must keep off other ports passes its own (see throughput.py).
PORTS = {"client": 18000, "silo_web": 18100, "silo": 12111, "gateway": 31000}


def start_ours(services, data_dir, silo_env, client_env, ports=None, build=True, root=ROOT, name=""):
    """Starts our silo and web client from the Release build under root (another checkout's build for A/B runs)."""
    ports = {**PORTS, **(ports or {})}
    if build:
        subprocess.run(["dotnet", "build", os.path.join(ROOT, "Orleans.sln"), "-c", "Release", "--nologo", "-v", "quiet",
                        "-clp:ErrorsOnly"], check=True)
    out = lambda project: os.path.join(root, project, "bin", "Release", "net10.0")
    silo_web, client_web = f"http://127.0.0.1:{ports['silo_web']}", f"http://127.0.0.1:{ports['client']}"
    silo = services.start(f"{name}silo", ["./Newsstand.Silo"], out("silo/Newsstand.Silo"), {
        "Urls": silo_web, "Orleans__SiloPort": str(ports["silo"]), "Orleans__GatewayPort": str(ports["gateway"]),
        "Database__DataDirectory": data_dir, **silo_env})
    wait_ready(f"{silo_web}/health/ready", 120, silo)
    client = services.start(f"{name}client", ["./Newsstand.Client"], out("client/Newsstand.Client"), {
        "Urls": client_web, "Orleans__GatewayPorts__0": str(ports["gateway"]), **BENCH_CLIENT_ENV, **client_env})
    wait_ready(f"{client_web}/health/ready", 60, client)
    return client_web, [silo.pid, client.pid]


def start_cohosted(services, data_dir, silo_env, ports, root=ROOT, name="cohosted"):
    """Starts one silo serving the API itself (the co-hosted form) from the Release build under root."""
    web = f"http://127.0.0.1:{ports['web']}"
    silo = services.start(name, ["./Newsstand.Silo"], os.path.join(root, "silo", "Newsstand.Silo", "bin", "Release", "net10.0"), {
        "Urls": web, "Orleans__SiloPort": str(ports["silo"]), "Orleans__GatewayPort": str(ports["gateway"]),
        "Database__DataDirectory": data_dir, "Silo__ServeApi": "true", **BENCH_CLIENT_ENV, **silo_env})
    wait_ready(f"{web}/health/ready", 120, silo)
    return web, [silo.pid]


def start_bearer_client(services, open_base, ports=None):
    """A second web client on our silo in Auth__Mode=Required, and a token of a user registered through the first."""
    ports = {**PORTS, **(ports or {})}
    web = f"http://127.0.0.1:{ports['client'] + 1}"
    client = services.start("client-required", ["./Newsstand.Client"], os.path.join(ROOT, "client", "Newsstand.Client", "bin", "Release", "net10.0"), {
        "Urls": web, "Orleans__GatewayPorts__0": str(ports["gateway"]), **BENCH_CLIENT_ENV, "Auth__Mode": "Required",
        "AbuseLimits__VerifyPerAddress__Permits": "1000000"})
    wait_ready(f"{web}/health/ready", 60, client)
    user = {"id": 990001, "username": "bench-reader", "password": "bench-reader-password", "user_type": 2}
    status, body = request("POST", f"{open_base}/ch08/login/add", user)
    if status not in (200, 409):
        raise SystemExit(f"registering the bench user: {status} {body[:200]!r}")
    form = urllib.parse.urlencode({"grant_type": "password", "username": user["username"], "password": user["password"]}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{web}/ch08/login/token", data=form), timeout=60) as resp:
        token = json.loads(resp.read())["access_token"]
    if request("GET", f"{web}/ch08/vendor/list")[0] != 401:
        raise SystemExit("the Required web client answered without a token")
    return web, [client.pid], token


def start_seed(services, port=8001):
    proc = services.start("fastapi", ["/usr/bin/python3", "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port),
                                      "--log-level", "warning"], SEED, {})
    wait_ready(f"http://127.0.0.1:{port}/ch08/vendor/list", 60, proc)
    return f"http://127.0.0.1:{port}", [proc.pid]


# ---------------------------------------------------------------- report

def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    mem = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1)) // (1024 * 1024)
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.system()} {platform.release()}, "
            f".NET SDK {dotnet}, Python {platform.python_version()}; load generators on the same machine")


def save_report(kind, text):
    """Prints a scenario's report and keeps it under bench/results/ (not committed), named by kind and time."""
    print("\n" + text)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    name = datetime.datetime.now().strftime(f"{kind}-%Y%m%d-%H%M%S.md")
    with open(os.path.join(ROOT, "bench", "results", name), "w") as f:
        f.write(text + "\n")


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=1):
    return "-" if v is None else f"{v:,.{digits}f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", action="append", default=[], metavar="NAME=URL",
                        help="benchmark an already running service too (repeatable)")
    parser.add_argument("--no-ours", action="store_true", help="do not start our service")
    parser.add_argument("--no-seed", action="store_true", help="do not start the original's routes")
    parser.add_argument("--silo-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for our silo, e.g. Hashing__Priority=Low (repeatable)")
    parser.add_argument("--client-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for our web client (repeatable)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--light-seconds", type=int, default=10)
    parser.add_argument("--mixed-seconds", type=int, default=25)
    parser.add_argument("--overload-seconds", type=int, default=30)
    parser.add_argument("--no-overload", action="store_true")
    parser.add_argument("--no-mixed", action="store_true", help="light scenario only")
    parser.add_argument("--no-bearer", action="store_true", help="no light row in Auth__Mode=Required with a bearer token")
    parser.add_argument("--port-base", type=int, default=None,
                        help="our hosts on BASE (web client), BASE+10 (silo web), BASE+20 (silo), BASE+30 (gateway)")
    parser.add_argument("--build-root", default=ROOT, help="run the Release build of another checkout (no build)")
    parser.add_argument("--compare-build", action="append", default=[], metavar="NAME=DIR",
                        help="also start the Release build of the checkout DIR (built already) as target NAME, on ports "
                             "BASE+40..BASE+70 (the next one +40) (e.g. the build from before a change: both measured in the same run)")
    args = parser.parse_args()

    services = Services()
    targets = []
    tokens = {}  # target name -> bearer token (that target runs the light scenario only)
    try:
        with tempfile.TemporaryDirectory(prefix="nsms-bench-") as data_dir:
            if not args.no_ours:
                ports = None if args.port_base is None else {"client": args.port_base, "silo_web": args.port_base + 10,
                                                             "silo": args.port_base + 20, "gateway": args.port_base + 30}
                targets.append(("orleans", *start_ours(services, data_dir, dict(e.split("=", 1) for e in args.silo_env),
                                                        dict(e.split("=", 1) for e in args.client_env), ports=ports,
                                                        build=args.build_root == ROOT, root=args.build_root)))
            if not args.no_ours and not args.no_bearer:
                web, pids, tokens[BEARER] = start_bearer_client(services, targets[0][1], ports=ports)
                targets.append((BEARER, web, pids))
            for i, spec in enumerate(args.compare_build):
                # Started like our own (same process group, so the same scheduler autogroup as wrk), fresh database.
                name, root = spec.split("=", 1)
                base_port = (args.port_base or PORTS["client"]) + 40 * (i + 1)
                compare_ports = {"client": base_port, "silo_web": base_port + 10, "silo": base_port + 20, "gateway": base_port + 30}
                compare_dir = os.path.join(data_dir, name)
                os.makedirs(compare_dir)
                targets.append((name, *start_ours(services, compare_dir, dict(e.split("=", 1) for e in args.silo_env),
                                                   dict(e.split("=", 1) for e in args.client_env), ports=compare_ports,
                                                   build=False, root=os.path.abspath(root), name=f"{name}-")))
            if not args.no_seed:
                targets.append(("fastapi", *start_seed(services)))
            for spec in args.target:
                name, url = spec.split("=", 1)
                targets.append((name, url.rstrip("/"), []))
            for name, base, _ in targets:
                if name not in tokens:
                    print(f"{name}: {base}, {ensure_vendors(base)} vendors", flush=True)
                wrk_light(base, 3, token=tokens.get(name))  # warm-up

            results = {name: {"light": [], "mixed_light": [], "mixed_heavy": []} for name, _, _ in targets}
            for run in range(args.runs):
                for name, base, _ in targets:
                    light = wrk_light(base, args.light_seconds, token=tokens.get(name))
                    if light["non2xx"]:
                        raise SystemExit(f"{name}: {light['non2xx']} light requests were not answered 2xx")
                    if args.no_mixed or name in tokens:
                        results[name]["light"].append(light)
                        print(f"run {run + 1} {name}: light {light['rps']:.0f} req/s p50 {fmt(light['p50'], 2)} p99 {fmt(light['p99'], 2)} ms", flush=True)
                        continue
                    m_light, m_heavy = loaded(base, args.mixed_seconds, 16, (run + 1) * 100_000_000)
                    results[name]["light"].append(light)
                    results[name]["mixed_light"].append(m_light)
                    results[name]["mixed_heavy"].append(m_heavy)
                    print(f"run {run + 1} {name}: light {light['rps']:.0f} req/s p99 {fmt(light['p99'], 2)} ms | mixed light "
                          f"p50 {fmt(m_light['p50'], 2)} p99 {fmt(m_light['p99'], 2)} ms {m_light['rps']:.1f} req/s | "
                          f"heavy {fmt(m_heavy['hashes_per_s'], 2)} hashes/s", flush=True)

            overload = {}
            if not args.no_overload:
                for i, (name, base, pids) in enumerate(t for t in targets if t[0] not in tokens):
                    before = rss_mb(pids) if pids else None
                    o_light, o_heavy = loaded(base, args.overload_seconds, 64, (8 + i) * 100_000_000 + 50_000_000)
                    time.sleep(2)
                    after = rss_mb(pids) if pids else None
                    overload[name] = (o_light, o_heavy, before, after)
                    print(f"overload {name}: light p99 {fmt(o_light['p99'], 2)} ms, heavy {fmt(o_heavy['hashes_per_s'], 2)}/s, "
                          f"503 {o_heavy['rejected']} (with Retry-After {o_heavy['rejected_with_retry']}), "
                          f"RSS {fmt(before, 0)} -> {fmt(after, 0)} MB", flush=True)
    finally:
        services.stop()

    lines = [f"Machine: {machine()}", f"Date: {datetime.datetime.now().isoformat(timespec='minutes')}; "
             f"median of {args.runs} runs (light {args.light_seconds} s, mixed {args.mixed_seconds} s)", "",
             "| target | light req/s | light p50 ms | light p99 ms | mixed light req/s | mixed light p50 ms | mixed light p99 ms "
             "| mixed heavy hashes/s | mixed 503s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, _, _ in targets:
        r = results[name]
        if not r["mixed_light"]:
            r["mixed_light"] = r["mixed_heavy"] = [{"rps": None, "p50": None, "p99": None, "hashes_per_s": None, "rejected": None}]
        lines.append("| " + " | ".join([
            name, fmt(med([x["rps"] for x in r["light"]]), 0), fmt(med([x["p50"] for x in r["light"]]), 2),
            fmt(med([x["p99"] for x in r["light"]]), 2), fmt(med([x["rps"] for x in r["mixed_light"]]), 1),
            fmt(med([x["p50"] for x in r["mixed_light"]]), 2), fmt(med([x["p99"] for x in r["mixed_light"]]), 2),
            fmt(med([x["hashes_per_s"] for x in r["mixed_heavy"]]), 2), fmt(med([x["rejected"] for x in r["mixed_heavy"]]), 0),
        ]) + " |")
    compared = [name for name, _, _ in targets if name not in tokens]
    if len(compared) >= 2 and not args.no_mixed:
        lines.append("")
        a = compared[0]

        def ratio(b, key, sub):
            mine, theirs = med([x[sub] for x in results[a][key]]), med([x[sub] for x in results[b][key]])
            return None if mine is None or not theirs else mine / theirs
        for b in compared[1:]:
            heavy = ratio(b, "mixed_heavy", "hashes_per_s")
            lines.append(f"{a} vs {b}: light throughput x{fmt(ratio(b, 'light', 'rps'), 1)}; light p99 "
                         f"{fmt(ratio(b, 'light', 'p99'), 3)} of {b}'s; mixed light p99 {fmt(ratio(b, 'mixed_light', 'p99'), 3)} "
                         f"of {b}'s; mixed heavy {fmt(None if heavy is None else 100 * heavy, 0)}% of {b}'s")
    if overload:
        lines += ["", "| overload (64 heavy connections) | light req/s | light p50 ms | light p99 ms | light failed | heavy ok/s "
                      "| 503s | 503s with Retry-After | other errors | RSS before MB | RSS after MB |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, (light, heavy, before, after) in overload.items():
            lines.append("| " + " | ".join([
                name, fmt(light["rps"], 1), fmt(light["p50"], 2), fmt(light["p99"], 2), str(light["failed"]),
                fmt(heavy["hashes_per_s"], 2), str(heavy["rejected"]), str(heavy["rejected_with_retry"]),
                str(heavy["other"] + heavy["errors"]), fmt(before, 0), fmt(after, 0)]) + " |")
    report = "\n".join(lines)
    print("\n" + report)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "results", datetime.datetime.now().strftime("%Y%m%d-%H%M%S") + ".md")
    with open(path, "w") as f:
        f.write(report + "\n")
    print(f"\n(saved to {os.path.relpath(path, ROOT)})")


if __name__ == "__main__":
    sys.exit(main())
