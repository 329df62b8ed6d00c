#!/usr/bin/env python3
"""Throughput scenario of NSMS (issue #17): durable inserts, topic sends and their consumption in one run.

For each database (SQLite by default; a throwaway PostgreSQL server too with --postgres) it starts our silo
and web client (Release build, fresh database) and, with --cohosted, then the co-hosted form too (one silo
serving the API itself, Silo__ServeApi=true: no web client process, no gateway hop; its own fresh database),
adds login 1 and vendor 1, warms up (inserts, then sends until consumed), and then measures, each with wrk on
16 connections for --seconds:

  inserts   POST /ch08/vendor/add, unique ids (every 200: the row is committed and synced)
  sends     POST /ch08/messenger/kafka/send, unique ids on vendor 1 (every 200: the message is in its
            partition's log); the consumers insert each messenger through its owner meanwhile

With --ceiling it first runs the insert ceiling: bench/BareKestrel taking the same inserts and committing them
to SQLite in groups (WAL, synchronous=FULL), no Orleans: what 2 cores allow an ASP.NET Core host for the same work.
With --floor then the Orleans floor: the same app with an Orleans silo, each insert through a grain call to a chunk
owner whose turn hands it to the same group commit (co-hosted coalesced, co-hosted one call per request, and
separate: silo + Orleans client): what any design that takes each insert through a grain costs on these cores.
--profile DIR samples the processes with perf after each insert and send phase; --no-ours leaves ours out.

Reported per phase: rate, p50/p99, answers other than 200, CPU microseconds per operation of the silo and
the web client (utime + stime from /proc over the phase) and, with --allocations, bytes allocated per
operation in each process (dotnet-counters). For the sends: the consumer lag when the burst ended (messages
in the log not yet consumed, and how many seconds of sends that is), the time from the first send until the
last message was consumed, the overall consume rate over that time, and a check that every message in the log
was consumed exactly once (messenger rows = messages, no failures). Consumption is watched in the database
(the checkpoints), so the watcher adds no load to the service. Loopback only; every phase is bounded in time.
"""
import argparse
import datetime
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (process handling, HTTP helpers, wrk parsing)
import scale  # noqa: E402  (throwaway PostgreSQL)

ADD_LUA = os.path.join(bench.ROOT, "bench", "vendor_add.lua")
SEND_LUA = os.path.join(bench.ROOT, "bench", "topic_send.lua")
TICKS = os.sysconf("SC_CLK_TCK")
COHOSTED_PORTS = {"web": 18040, "silo": 12141, "gateway": 31040}
CEILING_PORT = 18070
BARE = os.path.join(bench.ROOT, "bench", "BareKestrel")


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (field 3, the state, first)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid):
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS


class PostgresServer:
    """The throwaway PostgreSQL server's processes (found by its port): the postmaster and its children (backends, WAL
    writer, checkpointer), whose CPU shares the 2 cores with ours."""

    def __init__(self, port):
        self.postmaster = next(pid for pid in self._pids() if self._is_postmaster(pid, port))

    def children(self):
        return [pid for pid in self._pids() if self._parent(pid) == self.postmaster]

    def cpu_seconds(self):
        """The server's CPU so far: the postmaster's own and its exited children's (reaped into its cutime/cstime), plus
        the live children's. A backend that exits between two readings moves from one sum to the other."""
        total = sum(int(x) for x in stat_fields(self.postmaster)[11:15]) / TICKS
        for pid in self.children():
            try:
                total += cpu_seconds(pid)
            except (FileNotFoundError, ProcessLookupError):
                pass  # exited meanwhile: its CPU is in the postmaster's cutime from now on
        return total

    @staticmethod
    def _pids():
        return [int(d) for d in os.listdir("/proc") if d.isdigit()]

    @staticmethod
    def _parent(pid):
        try:
            return int(stat_fields(pid)[1])
        except (FileNotFoundError, ProcessLookupError):
            return None

    @staticmethod
    def _is_postmaster(pid, port):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except (FileNotFoundError, ProcessLookupError):
            return False
        return os.path.basename(argv[0]) == "postgres" and "-p" in argv and argv[argv.index("-p") + 1] == str(port)


class Database:
    """Reads the topic's progress straight from the database: messages in the log, consumed, failed, messenger rows."""

    QUERY = ("SELECT (SELECT COUNT(*) FROM topic_message WHERE topic = 'newstopic'), "
             "(SELECT COALESCE(SUM(position), 0) FROM topic_checkpoint WHERE topic = 'newstopic'), "
             "(SELECT COUNT(*) FROM topic_failure WHERE topic = 'newstopic'), "
             "(SELECT COUNT(*) FROM messenger)")

    def __init__(self, sqlite_file=None, postgres=None):
        self.sqlite_file, self.postgres = sqlite_file, postgres

    def progress(self):
        if self.sqlite_file:
            with sqlite3.connect(f"file:{self.sqlite_file}?mode=ro", uri=True, timeout=30) as connection:
                return connection.execute(self.QUERY).fetchone()
        return tuple(int(x) for x in self._rows(self.QUERY)[0])

    def commits(self):
        """Transactions committed in the PostgreSQL database so far (its statistics, flushed about once a second); None on SQLite."""
        if self.sqlite_file:
            return None
        return int(self._rows("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")[0][0])

    def write_statistics(self):
        """PostgreSQL's counts so far: commits, and per table the rows inserted, updated and fetched by index (for profiles)."""
        query = ("SELECT 'commits', xact_commit FROM pg_stat_database WHERE datname = current_database() UNION ALL "
                 "SELECT relname || ' ' || k, v FROM pg_stat_user_tables, LATERAL (VALUES ('inserted', n_tup_ins), "
                 "('updated', n_tup_upd), ('index scans', idx_scan), ('seq scans', seq_scan)) AS c(k, v)")
        return {k: int(v or 0) for k, v in self._rows(query)}

    def _rows(self, query):
        """The rows of a query on the PostgreSQL database, each a list of its fields as text."""
        out = subprocess.run(["psql", "-At", "-F", "\t", self.postgres, "-c", query], check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]


class Allocations:
    """Bytes each process allocates over a phase, from the runtime's own counter (dotnet-counters, a local tool)."""

    def __init__(self, pids, seconds):
        self.procs, self.files = [], []
        for pid in pids:
            path = tempfile.mktemp(prefix=f"nsms-alloc-{pid}-", suffix=".csv")
            self.files.append(path)
            self.procs.append(subprocess.Popen(
                ["dotnet", "tool", "run", "dotnet-counters", "--", "collect", "-p", str(pid), "--format", "csv", "-o", path,
                 "--refresh-interval", "1", "--counters", "System.Runtime[dotnet.gc.heap.total_allocated]",
                 "--duration", time.strftime("%H:%M:%S", time.gmtime(seconds))],
                cwd=bench.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def bytes(self):
        totals = []
        for proc, path in zip(self.procs, self.files):
            proc.wait(60)
            total = 0.0
            if os.path.exists(path):
                for line in open(path):
                    parts = line.strip().split(",")
                    if len(parts) >= 5 and "total_allocated" in parts[2]:
                        total += float(parts[-1])
                os.remove(path)
            totals.append(total or None)
        return totals


def wrk(lua, base, path, seconds, first_id, extra=()):
    """wrk's result, with the CPU seconds wrk itself used (its rusage as our child: it shares the 2 cores with the service)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "30s", "--latency", "-s", lua, f"{base}{path}",
                           "--", str(first_id), *extra], check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = bench.parse_wrk(text)
    result["wrk_cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    ok, other = (int(x) for x in re.search(r"(?:ADD|SEND) ok=(\d+) other=(\d+)", text).groups())
    result.update(ok=ok, other=other)
    return result


def measured(pids, seconds, allocations, run, server=None):
    """Runs run() and notes the CPU seconds each process (and the PostgreSQL server, if given) used meanwhile (and bytes
    allocated, if asked)."""
    counters = Allocations(pids, seconds) if allocations else None
    if counters:
        time.sleep(1.5)  # dotnet-counters attaches before the load starts
    before = [cpu_seconds(p) for p in pids]
    server_before = server.cpu_seconds() if server else None
    started = time.time()
    result = run()
    result["cpu"] = [cpu_seconds(p) - b for p, b in zip(pids, before)]
    result["server_cpu"] = server.cpu_seconds() - server_before if server else None
    result["elapsed"] = time.time() - started
    result["allocated"] = counters.bytes() if counters else [None] * len(pids)
    return result


def wait_consumed(db, appended, deadline_s=180):
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        state = db.progress()
        if state[1] >= appended:
            return time.time(), state
        time.sleep(0.05)
    raise SystemExit(f"consumers did not catch up within {deadline_s} s: {db.progress()}")


def run(label, form, silo_env, client_env, seconds, ports, build, allocations, data_dir, root, warmup=5, profile_dir=None, sends=True):
    services = bench.Services()
    if profile_dir:
        silo_env, client_env = {**silo_env, **PERF_MAP}, {**client_env, **PERF_MAP}
    try:
        if form == "co-hosted":
            # One process: the silo serves the API with the web client's settings (as bench/readpath.py starts it).
            base, pids = bench.start_cohosted(services, data_dir, {**silo_env, **client_env}, ports=ports["cohosted"], root=root)
        else:
            base, pids = bench.start_ours(services, data_dir, silo_env, client_env, ports=ports["separate"], build=build, root=root)
        postgres = silo_env.get("Database__Postgres")
        db = Database(postgres=postgres and to_url(postgres)) if postgres else Database(sqlite_file=os.path.join(data_dir, "newsstand.db"))
        server = PostgresServer(connection_part(postgres, "Port")) if postgres else None
        for path, body in (("login", {"id": 1, "username": "throughput-owner", "password": "throughput-bench-password", "user_type": 1}),
                           ("vendor", {"id": 1, "rep_firstname": "Rep", "rep_lastname": "Vendor", "rep_id": "R1",
                                       "rep_date_employed": "2022-01-01", "account_name": "Acct1", "account_number": "0001",
                                       "date_consigned": "2022-02-01", "login_id": 1})):
            status, answer = bench.request("POST", f"{base}/ch08/{path}/add", body)
            assert status == 200, answer
        # Warm-up: both paths once, and the consumers caught up, before anything is measured.
        wrk(ADD_LUA, base, "/ch08/vendor/add", warmup, 100_000_000)
        if sends:
            wrk(SEND_LUA, base, "/ch08/messenger/kafka/send", 5, 1_000_000, ("10000000",))
            wait_consumed(db, db.progress()[0])
        print(f"{label}: warmed up", flush=True)

        commits_before = db.commits()
        inserts = measured(pids, seconds, allocations, lambda: wrk(ADD_LUA, base, "/ch08/vendor/add", seconds, 300_000_000), server)
        inserts["rate"] = inserts["ok"] / inserts["seconds"]
        commits = ""
        if commits_before is not None:
            time.sleep(2)  # a busy backend reports its statistics at most once a second
            commits = f", {inserts['ok'] / max(1, db.commits() - commits_before):.1f} inserts per commit"
        print(f"{label}: inserts {inserts['rate']:,.0f}/s, p99 {bench.fmt(inserts['p99'], 2)} ms, "
              f"CPU/op silo {per_op(inserts, 0)} client {per_op(inserts, 1)} server {per_op_server(inserts)} us{commits}", flush=True)
        if profile_dir:
            processes = list(zip(("silo", "client"), pids))
            if server:
                processes.append(("postgres", ",".join(str(p) for p in [server.postmaster, *server.children()])))
            profile(f"ours {label} {form}", processes, base, seconds, profile_dir)
        if not sends:
            return {"label": label, "form": form, "inserts": inserts, "sends": None}
        time.sleep(2)

        logged_before, consumed_before, failed_before, messengers_before = db.progress()

        def burst():
            started = time.time()
            sends = wrk(SEND_LUA, base, "/ch08/messenger/kafka/send", seconds, 20_000_000, ("10000000",))
            ended = time.time()
            at_end = db.progress()
            sends.update(started=started, ended=ended, at_end=at_end)
            done_at, _ = wait_consumed(db, at_end[0])
            # Sends wrk abandoned in flight at its end may still land after it: the check counts them too, once consumed.
            time.sleep(1)
            _, final = wait_consumed(db, db.progress()[0])
            sends.update(done_at=done_at, final=final)
            return sends

        sends = measured(pids, seconds, allocations, burst, server)
        if profile_dir:
            processes = list(zip(("silo", "client"), pids))
            if server:
                processes.append(("postgres", ",".join(str(p) for p in [server.postmaster, *server.children()])))
            profile(f"ours {label} {form} sends", processes, base, seconds, profile_dir,
                    lambda s: wrk(SEND_LUA, base, "/ch08/messenger/kafka/send", s, 60_000_000, ("10000000",)), db if server else None)
            wait_consumed(db, db.progress()[0])
        logged, consumed, failed, messengers = sends["final"]
        sends["logged"] = logged - logged_before
        sends["rate"] = sends["ok"] / sends["seconds"]
        sends["lag_at_end"] = sends["at_end"][0] - sends["at_end"][1]
        sends["lag_seconds"] = sends["lag_at_end"] / sends["rate"]
        sends["all_consumed_after"] = sends["done_at"] - sends["started"]
        sends["consume_rate"] = (consumed - consumed_before) / sends["all_consumed_after"]
        sends["failed"] = failed - failed_before
        sends["applied"] = messengers - messengers_before
        sends["exactly_once"] = sends["applied"] == sends["logged"] and sends["failed"] == 0 and consumed == logged
        print(f"{label}: sends {sends['rate']:,.0f}/s ({sends['ok']:,} acknowledged, {sends['logged']:,} in the log), lag at the end "
              f"{sends['lag_at_end']:,} ({sends['lag_seconds']:.2f} s of sends), all consumed {sends['all_consumed_after']:.2f} s after "
              f"the first send ({sends['consume_rate']:,.0f}/s), CPU/op silo {per_op(sends, 0)} client {per_op(sends, 1)} "
              f"server {per_op_server(sends)} us, "
              f"applied {sends['applied']:,}, failed {sends['failed']}", flush=True)
        return {"label": label, "form": form, "inserts": inserts, "sends": sends}
    finally:
        services.stop()


def build_bare():
    subprocess.run(["dotnet", "build", BARE, "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly"], check=True)


def ceiling_parts(base_port):
    """The insert ceiling: bench/BareKestrel committing the same vendors to SQLite in groups, without Orleans."""
    return [("ceiling", base_port + 70, {"Database": "{db}"})]


def floor_variants(base_port):
    """The Orleans floor (bench/BareKestrel with Floor): the same inserts, each through a grain call to a chunk owner whose
    turn hands it to the same group commit. Each variant: its label and its processes (name, web port, environment),
    the one serving the inserts last."""
    cohosted = {"Database": "{db}", "Floor": "cohosted", "SiloPort": str(base_port + 72), "GatewayPort": str(base_port + 73)}
    return [
        ("floor co-hosted, coalesced", [("floor", base_port + 71, {**cohosted, "Coalesce": "true"})]),
        ("floor co-hosted, one call per request", [("floor", base_port + 71, {**cohosted, "Coalesce": "false"})]),
        ("floor separate, coalesced", [
            ("floor-silo", base_port + 74, {"Database": "{db}", "Floor": "silo", "SiloPort": str(base_port + 75),
                                            "GatewayPort": str(base_port + 76)}),
            ("floor-client", base_port + 77, {"Floor": "client", "GatewayPort": str(base_port + 76), "Coalesce": "true"})]),
    ]


def run_bare(label, parts, seconds, data_dir, profile_dir=None, warmup=5):
    """Runs bench/BareKestrel as parts (the ceiling, or a variant of the floor) under the same inserts as ours: warm-up,
    the measured phase, the committed rows checked against the 200s; with profile_dir, then perf samples of each process
    under the same load (after the measured phase, so they do not weigh on it)."""
    services = bench.Services()
    database = os.path.join(data_dir, "bare.db")
    try:
        procs = []
        for name, port, env in parts:
            env = {**{k: v.replace("{db}", database) for k, v in env.items()}, "Urls": f"http://127.0.0.1:{port}"}
            if profile_dir:
                env.update(PERF_MAP)
            proc = services.start(name, ["./BareKestrel"], os.path.join(BARE, "bin", "Release", "net10.0"), env)
            bench.wait_ready(f"http://127.0.0.1:{port}/health/ready", 60, proc)
            procs.append(proc)
        base = f"http://127.0.0.1:{parts[-1][1]}"
        wrk(ADD_LUA, base, "/ch08/vendor/add", warmup, 100_000_000)
        inserts = measured([p.pid for p in procs], seconds, False, lambda: wrk(ADD_LUA, base, "/ch08/vendor/add", seconds, 300_000_000))
        inserts["rate"] = inserts["ok"] / inserts["seconds"]
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
            rows = connection.execute("SELECT COUNT(*) FROM vendor WHERE id >= 300000000").fetchone()[0]
        inserts.update(label=label, committed=rows, processes=[name for name, _, _ in parts])
        print(f"{label}: inserts {inserts['rate']:,.0f}/s, p99 {bench.fmt(inserts['p99'], 2)} ms, CPU/op "
              + " + ".join(per_op(inserts, i) for i in range(len(procs))) + f" us, {rows:,} rows committed for {inserts['ok']:,} answered 200",
              flush=True)
        if profile_dir:
            profile(label, [(name, p.pid) for (name, _, _), p in zip(parts, procs)], base, seconds, profile_dir)
        return inserts
    finally:
        services.stop()


# W^X double mapping hides JIT-compiled code from perf (memfd:doublemapper); off while profiling (as bench/profile.py).
PERF_MAP = {"DOTNET_PerfMapEnabled": "1", "DOTNET_EnableWriteXorExecute": "0"}


def profile(label, processes, base, seconds, out, load=None, db=None):
    """perf samples (999 Hz, on-CPU, call graphs) of each process under the inserts (or under load(seconds), e.g. sends),
    kept in out as NAME.perf; on PostgreSQL with db, also the writes per commit of the traced seconds."""
    os.makedirs(out, exist_ok=True)
    files = [os.path.join(out, f"{re.sub(r'[^a-z]+', '-', label.lower())}-{name}.perf") for name, _ in processes]
    stats_before = db.write_statistics() if db else None
    # A pid may be a comma-separated list (perf -p takes one): the PostgreSQL server's processes in one file.
    tracers = [subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(pid), "-o", f, "--", "sleep", str(seconds)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for (_, pid), f in zip(processes, files)]
    result = load(seconds + 2) if load else wrk(ADD_LUA, base, "/ch08/vendor/add", seconds + 2, 500_000_000)
    for tracer in tracers:
        tracer.wait(120)
    print(f"{label}: {result['ok'] / result['seconds']:,.0f} requests/s while traced ({result['ok']:,}); samples in " + ", ".join(files), flush=True)
    if stats_before:
        time.sleep(2)  # a busy backend reports its statistics at most once a second
        after = db.write_statistics()
        commits = max(1, after["commits"] - stats_before["commits"])
        per = {k: (after[k] - stats_before.get(k, 0)) for k in after if k != "commits"}
        print(f"{label}: {commits:,} commits, per commit: " + ", ".join(f"{k} {v / commits:.2f}" for k, v in sorted(per.items()) if v) +
              f"; per request: " + ", ".join(f"{k} {v / max(1, result['ok']):.3f}" for k, v in sorted(per.items()) if v) +
              f", commits {commits / max(1, result['ok']):.3f}", flush=True)


def to_url(connection):
    parts = dict(p.split("=", 1) for p in connection.split(";") if p)
    return f"postgresql://{parts['Username']}@{parts['Host']}:{parts['Port']}/{parts['Database']}"


def connection_part(connection, key):
    return dict(p.split("=", 1) for p in connection.split(";") if p)[key]


def fresh_database(connection, name):
    """A new empty database on the server of connection; its connection string."""
    subprocess.run(["psql", "-q", to_url(connection), "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return ";".join(f"Database={name}" if p.startswith("Database=") else p for p in connection.split(";"))


def per_op(result, process):
    if process >= len(result["cpu"]):
        return "-"  # the co-hosted form has no web client process
    return f"{1e6 * result['cpu'][process] / max(1, result['ok']):,.0f}"


def per_op_server(result):
    """CPU µs per operation of the PostgreSQL server (all its processes); "-" on SQLite."""
    return "-" if result.get("server_cpu") is None else f"{1e6 * result['server_cpu'] / max(1, result['ok']):,.0f}"


def per_op_bytes(result, process):
    allocated = result["allocated"][process] if process < len(result["allocated"]) else None
    return "-" if allocated is None else f"{allocated / max(1, result['ok']) / 1024:,.1f}"


def bare_table(bare, results):
    """The ceiling and the floor (bench/BareKestrel: the same inserts committed to SQLite in groups, WAL, synchronous=FULL;
    the floor through a grain call each), with ours' inserts beside them."""
    lines = ["| target | inserts/s | p50 / p99 ms | CPU µs per insert (processes) | wrk CPU µs per insert | "
             "inserts/s the 2 cores allow (2 s ÷ (service + wrk) µs) | rows committed / answered 200 | not 200 |",
             "|---|---|---|---|---|---|---|---|"]
    rows = [(b["label"], b, b["processes"], f"{b['committed']:,} / {b['ok']:,}") for b in bare]
    rows += [(f"ours {r['label']} {r['form']}", r["inserts"], ["silo", "web client"][:len(r["inserts"]["cpu"])], "–") for r in results]
    for label, m, processes, committed in rows:
        cpu = " + ".join(f"{per_op(m, i)} ({name})" for i, name in enumerate(processes))
        service, load = sum(m["cpu"]) / max(1, m["ok"]), m["wrk_cpu"] / max(1, m["ok"])
        lines.append(f"| {label} | {m['rate']:,.0f} | {bench.fmt(m['p50'], 2)} / {bench.fmt(m['p99'], 2)} | {cpu} | {1e6 * load:,.0f} | "
                     f"{2 / (service + load):,.0f} | {committed} | {m['other']} |")
    return "\n".join(lines)


def table(results):
    lines = ["| database | form | inserts/s | insert p50 / p99 ms | CPU µs/insert silo / client / PostgreSQL server | KiB alloc/insert silo / client | "
             "acknowledged sends/s | send p50 / p99 ms | sends ÷ inserts | CPU µs/send silo / client / PostgreSQL server (consumption included) | "
             "KiB alloc/send silo / client | lag at burst end | all consumed after | consumed/s (first send → last consumed) | "
             "consumed ÷ inserts | exactly once | not 200 (inserts / sends) |",
             "|" + "---|" * 17]
    for r in results:
        i, s = r["inserts"], r["sends"]
        if s is None:
            lines.append("| " + " | ".join([r["label"], r["form"], f"{i['rate']:,.0f}", f"{bench.fmt(i['p50'], 2)} / {bench.fmt(i['p99'], 2)}",
                                             f"{per_op(i, 0)} / {per_op(i, 1)} / {per_op_server(i)}", f"{per_op_bytes(i, 0)} / {per_op_bytes(i, 1)}"]
                                            + ["–"] * 10 + [f"{i['other']} / –"]) + " |")
            continue
        lines.append("| " + " | ".join([
            r["label"], r["form"], f"{i['rate']:,.0f}", f"{bench.fmt(i['p50'], 2)} / {bench.fmt(i['p99'], 2)}", f"{per_op(i, 0)} / {per_op(i, 1)} / {per_op_server(i)}",
            f"{per_op_bytes(i, 0)} / {per_op_bytes(i, 1)}",
            f"{s['rate']:,.0f}", f"{bench.fmt(s['p50'], 2)} / {bench.fmt(s['p99'], 2)}", f"{s['rate'] / i['rate']:.2f}",
            f"{per_op(s, 0)} / {per_op(s, 1)} / {per_op_server(s)}", f"{per_op_bytes(s, 0)} / {per_op_bytes(s, 1)}",
            f"{s['lag_at_end']:,} ({s['lag_seconds']:.2f} s of sends)", f"{s['all_consumed_after']:.2f} s",
            f"{s['consume_rate']:,.0f}", f"{s['consume_rate'] / i['rate']:.2f}",
            f"{'yes' if s['exactly_once'] else 'NO'} ({s['applied']:,} applied of {s['logged']:,} logged, {s['failed']} failed)",
            f"{i['other']} / {s['other']}"]) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured phase")
    parser.add_argument("--warmup", type=int, default=20,
                        help="seconds of inserts before the measured phase (ours, the ceiling, the floor); with Orleans the tiered JIT "
                             "still compiles for tens of seconds under load (bench/README.md, The Orleans floor)")
    parser.add_argument("--postgres", action="store_true", help="also run on a throwaway PostgreSQL server")
    parser.add_argument("--postgres-port", type=int, default=55492)
    parser.add_argument("--postgres-only", action="store_true",
                        help="run ours on PostgreSQL only (implies --postgres): A/B runs of a change to PostgreSQL's statements")
    parser.add_argument("--cohosted", action="store_true",
                        help="also run the co-hosted form (one silo serving the API, Silo__ServeApi=true) on each database")
    parser.add_argument("--port-base", type=int, default=None,
                        help="our hosts on BASE (web client), BASE+10 (silo web), BASE+20 (silo), BASE+30 (gateway); "
                             "the co-hosted form on BASE+40 (web), BASE+50 (silo), BASE+60 (gateway)")
    parser.add_argument("--no-build", action="store_true", help="use the Release build as it is")
    parser.add_argument("--build-root", default=bench.ROOT, help="run the Release build of another checkout (implies --no-build)")
    parser.add_argument("--allocations", action="store_true", help="also count bytes allocated per operation (dotnet-counters)")
    parser.add_argument("--ceiling", action="store_true",
                        help="also run the insert ceiling first: bench/BareKestrel committing the same inserts to SQLite in groups, "
                             "no Orleans (port BASE+70, or 18070)")
    parser.add_argument("--floor", action="store_true",
                        help="also run the Orleans floor after the ceiling: bench/BareKestrel taking the same inserts through a grain call "
                             "each (co-hosted coalesced, co-hosted one call per request, separate coalesced; ports BASE+71..77)")
    parser.add_argument("--profile", metavar="DIR",
                        help="after each insert phase (ours, the ceiling, the floor) and each send phase (ours), perf samples of its processes "
                             "(and of the PostgreSQL server, with its commits and rows per commit) under the same load, kept in DIR "
                             "(bench/perf_split.py splits them); the processes start with perf maps on")
    parser.add_argument("--no-ours", action="store_true", help="run only the ceiling and/or the floor, not our service")
    parser.add_argument("--inserts-only", action="store_true", help="leave out the sends (their warm-up and phase): a shorter run for insert A/Bs")
    parser.add_argument("--silo-env", action="append", default=[], metavar="KEY=VALUE", help="extra silo environment (repeatable)")
    parser.add_argument("--client-env", action="append", default=[], metavar="KEY=VALUE", help="extra web client environment (repeatable)")
    args = parser.parse_args()
    base_port = args.port_base
    ports = {"separate": None if base_port is None else {"client": base_port, "silo_web": base_port + 10, "silo": base_port + 20,
                                                         "gateway": base_port + 30},
             "cohosted": COHOSTED_PORTS if base_port is None else {"web": base_port + 40, "silo": base_port + 50, "gateway": base_port + 60}}
    forms = ["separate", "co-hosted"] if args.cohosted else ["separate"]
    silo_env = dict(e.split("=", 1) for e in args.silo_env)
    client_env = dict(e.split("=", 1) for e in args.client_env)
    build = not args.no_build and args.build_root == bench.ROOT

    bare = []  # the ceiling and the floor's variants, each as measured
    bare_base = CEILING_PORT - 70 if base_port is None else base_port
    variants = ([("ceiling", ceiling_parts(bare_base))] if args.ceiling else []) + (floor_variants(bare_base) if args.floor else [])
    if variants:
        build_bare()
    for label, parts in variants:
        with tempfile.TemporaryDirectory(prefix="nsms-bare-") as data_dir:
            bare.append(run_bare(label, parts, args.seconds, data_dir, args.profile, args.warmup))
    results = []
    args.postgres = args.postgres or args.postgres_only
    for form in ([] if args.no_ours or args.postgres_only else forms):
        with tempfile.TemporaryDirectory(prefix="nsms-throughput-") as data_dir:
            results.append(run("SQLite", form, silo_env, client_env, args.seconds, ports, build, args.allocations, data_dir, args.build_root,
                               args.warmup, args.profile, sends=not args.inserts_only))
        build = False
    if args.postgres and not args.no_ours:
        connection, stop = scale.start_postgres(args.postgres_port)
        try:
            for n, form in enumerate(forms):
                # Each form on a database of its own on the same server.
                database = connection if n == 0 else fresh_database(connection, f"throughput_{n}")
                with tempfile.TemporaryDirectory(prefix="nsms-throughput-") as data_dir:
                    results.append(run("PostgreSQL", form, {**silo_env, "Database__Postgres": database}, client_env, args.seconds, ports,
                                       build, args.allocations, data_dir, args.build_root, args.warmup, args.profile,
                                       sends=not args.inserts_only))
                build = False
        finally:
            stop()
    out = "\n".join([f"Machine: {bench.machine()}", f"Date: {datetime.datetime.now().isoformat(timespec='minutes')}; "
                     f"{args.seconds} s per phase after a warm-up ({args.warmup} s of inserts), wrk 16 connections", "", table(results)])
    if bare:
        out += "\n\n" + bare_table(bare, results)
    for form in forms:
        pair = [r for r in results if r["form"] == form]
        if len(pair) == 2 and not args.inserts_only:
            sqlite, postgres = pair
            out += (f"\n\nPostgreSQL ÷ SQLite ({form}): inserts "
                    f"{postgres['inserts']['rate'] / sqlite['inserts']['rate']:.2f}, sends {postgres['sends']['rate'] / sqlite['sends']['rate']:.2f}, "
                    f"consumption {postgres['sends']['consume_rate'] / sqlite['sends']['consume_rate']:.2f}")
    bench.save_report("throughput", out)


if __name__ == "__main__":
    main()
