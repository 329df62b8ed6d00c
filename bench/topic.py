#!/usr/bin/env python3
"""Topic scenario of NSMS (issue #9): a burst of sends to newstopic and how fast the consumers catch up.

Starts our silo and web client (Release build, fresh database: SQLite by default, a throwaway PostgreSQL
server with --postgres), adds a login and vendor 1, opens one SSE reader at the live end of
GET /ch08/messenger/sse/add, then sends --count messengers (unique ids) with wrk on 16 connections
(POST /ch08/messenger/kafka/send; every 200 means the message is committed in its partition's log).
Reported: the send rate (acknowledged sends over the burst, from the first to the last time the topic
received a message: each event carries it), the consumer lag when the burst ended (messages received
by then whose event the reader had not yet seen), the time from the first send until the reader saw
the last event, the consume rate over that time, and how many events said the insert failed (expected 0). The table is printed
and saved under bench/results/. Loopback only; the burst is bounded by its count (and 60 s).
"""
import argparse
import datetime
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (process handling, HTTP helpers)
import scale  # noqa: E402  (throwaway PostgreSQL)

SEND_LUA = os.path.join(bench.ROOT, "bench", "topic_send.lua")


class Reader(threading.Thread):
    """One SSE reader: counts events and notes when each arrived."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection(host, port, timeout=120)
        # The original's event names carry status and time in the event line, which this reader parses.
        self.connection.request("GET", "/ch08/messenger/sse/add?names=original", headers={"Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.status
        self.events, self.inserted, self.failed, self.last_at = 0, 0, 0, None
        self.received, self.seen = [], []  # the topic's receive time of each message; when the reader saw it
        self.lock = threading.Lock()

    def run(self):
        try:
            for raw in self.response:
                line = raw.decode("utf-8", "replace")
                if line.startswith("event: "):
                    with self.lock:
                        self.events += 1
                        self.last_at = time.time()
                        stamp = re.search(r"Received: (\S+?)\d?Z", line).group(1)
                        self.received.append(datetime.datetime.fromisoformat(stamp + "+00:00").timestamp())
                        self.seen.append(self.last_at)
                        if "status: true" in line:
                            self.inserted += 1
                        else:
                            self.failed += 1
        except OSError:
            pass

    def count(self):
        with self.lock:
            return self.events


def run(label, silo_env, count):
    services = bench.Services()
    with tempfile.TemporaryDirectory(prefix="nsms-topic-") as data_dir:
        try:
            base, _ = bench.start_ours(services, data_dir, silo_env, {})
            for path, body in (("login", {"id": 1, "username": "topic-owner", "password": "topic-bench-password", "user_type": 1}),
                               ("vendor", {"id": 1, "rep_firstname": "Rep", "rep_lastname": "Vendor", "rep_id": "R1",
                                           "rep_date_employed": "2022-01-01", "account_name": "Acct1", "account_number": "0001",
                                           "date_consigned": "2022-02-01", "login_id": 1})):
                status, answer = bench.request("POST", f"{base}/ch08/{path}/add", body)
                assert status == 200, answer
            host, port = re.match(r"http://([^:]+):(\d+)", base).groups()
            reader = Reader(host, int(port))
            reader.start()
            per_thread = count // 2
            text = subprocess.run(["wrk", "-t2", "-c16", "-d60s", "--timeout", "30s", "--latency", "-s", SEND_LUA,
                                   f"{base}/ch08/messenger/kafka/send", "--", "1000000", str(per_thread)],
                                  check=True, capture_output=True, text=True, timeout=120).stdout
            ok, other = (int(x) for x in re.search(r"SEND ok=(\d+) other=(\d+)", text).groups())
            deadline = time.time() + 300
            while reader.count() < ok and time.time() < deadline:
                time.sleep(0.1)
            with reader.lock:
                first, ended = min(reader.received), max(reader.received)
                lag_at_end = sum(1 for seen in reader.seen if seen > ended)
            latency = bench.parse_wrk(text)
            result = {
                "label": label, "sent": ok, "other": other, "send_seconds": ended - first, "send_rate": ok / (ended - first),
                "send_p50": latency["p50"], "send_p99": latency["p99"], "lag_at_end": lag_at_end,
                "consumed": reader.count(), "failed": reader.failed,
                "all_consumed_after": reader.last_at - first,
            }
            result["consume_rate"] = result["consumed"] / result["all_consumed_after"]
            print(f"{label}: {ok:,} sends in {result['send_seconds']:.2f} s ({result['send_rate']:,.0f}/s, p99 "
                  f"{bench.fmt(latency['p99'], 2)} ms, {other} not 200); lag at the end of the burst {lag_at_end:,}; "
                  f"all {result['consumed']:,} consumed {result['all_consumed_after']:.2f} s after the first send "
                  f"({result['consume_rate']:,.0f}/s); {result['failed']} failed inserts", flush=True)
            return result
        finally:
            services.stop()


def table(results):
    lines = ["| database | sends | send rate /s | send p50 / p99 ms | not 200 | consumer lag when the burst ended | "
             "last event after the first send | consume rate /s | failed inserts |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append("| " + " | ".join([
            r["label"], f"{r['sent']:,}", f"{r['send_rate']:,.0f}", f"{bench.fmt(r['send_p50'], 2)} / {bench.fmt(r['send_p99'], 2)}",
            str(r["other"]), f"{r['lag_at_end']:,}", f"{r['all_consumed_after']:.2f} s", f"{r['consume_rate']:,.0f}",
            str(r["failed"])]) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000, help="messengers sent in the burst")
    parser.add_argument("--postgres", action="store_true", help="also run the scenario on a throwaway PostgreSQL server")
    parser.add_argument("--postgres-port", type=int, default=55491)
    args = parser.parse_args()

    results = [run("SQLite", {}, args.count)]
    if args.postgres:
        connection, stop = scale.start_postgres(args.postgres_port)
        try:
            results.append(run("PostgreSQL", {"Database__Postgres": connection}, args.count))
        finally:
            stop()
    out = "\n".join([f"Machine: {bench.machine()}", f"Date: {datetime.datetime.now().isoformat(timespec='minutes')}", "",
                     table(results)])
    bench.save_report("topic", out)


if __name__ == "__main__":
    main()
