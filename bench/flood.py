#!/usr/bin/env python3
"""Flood of long-lived answers (issue: every long-lived connection bounded).

Starts our silo and web client (Release build, fresh SQLite file), loads 50 vendors and fills the messenger
topic with --messages messages, then measures the paced light load (GET /ch08/vendor/list at 100 req/s, hey)
before and during a flood of SSE feeds that all ask to replay the topic from the start (Last-Event-ID: 0):

  one address    --feeds feeds from 127.0.0.1 (the per-address cap keeps all but 16 out)
  many addresses --feeds feeds spread over --addresses loopback addresses (the web client's total cap binds)

For each: feeds accepted, refused with 429 (and how many carried Retry-After), the slowest refusal, light p50/p99
before and during, and the web client's resident memory before and at its peak. Loopback only, bounded in time.
"""
import argparse
import asyncio
import concurrent.futures
import json
import os
import subprocess
import tempfile
import threading
import time

import bench


async def open_feed(host, port, source, path, hold, results):
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    except OSError as error:
        results.append(("connect-error", time.monotonic() - started, False, str(error)))
        return
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\nLast-Event-ID: 0\r\n\r\n".encode())
    await writer.drain()
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        results.append(("no-answer", time.monotonic() - started, False, ""))
        writer.close()
        return
    status = head.split(b" ", 2)[1].decode()
    retry_after = b"\r\nretry-after:" in head.lower()
    results.append((status, time.monotonic() - started, retry_after, ""))
    if status == "200":
        # Read (and drop) the replay while the flood lasts, as a real reader would.
        end = time.monotonic() + hold
        try:
            while time.monotonic() < end:
                if not await asyncio.wait_for(reader.read(65536), max(0.1, end - time.monotonic())):
                    break
        except (asyncio.TimeoutError, ConnectionError):
            pass
    writer.close()


async def flood(host, port, sources, feeds, hold, results):
    tasks = [open_feed(host, port, sources[i % len(sources)], "/ch08/messenger/sse/add", hold, results) for i in range(feeds)]
    await asyncio.gather(*tasks)


def rss_sampler(pid, stop, peak):
    while not stop.is_set():
        peak[0] = max(peak[0], bench.rss_mb([pid]))
        stop.wait(0.25)


def send_messages(base, count, vendor):
    def send(i):
        body = {"id": 5_000_000 + i, "firstname": f"M{i}", "lastname": "Flood", "salary": 100.0,
                "date_employed": "2024-01-01", "status": 1, "vendor_id": vendor}
        status, text = bench.request("POST", f"{base}/ch08/messenger/kafka/send", body)
        if status != 200:
            raise SystemExit(f"send {i}: {status} {text[:200]!r}")
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(send, range(count)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--addresses", type=int, default=64)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=12, help="light measurement (and flood hold) time")
    parser.add_argument("--build-root", default=bench.ROOT, help="run the Release build of another checkout (no build), e.g. main's for an A/B")
    parser.add_argument("--counters", metavar="CSV", help="also record the web client's runtime counters (GC heap, working set) "
                        "once a second into CSV with dotnet-counters, to see where its memory goes")
    parser.add_argument("--client-env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the web client (repeatable), e.g. LongLived__Total=256")
    args = parser.parse_args()

    services = bench.Services()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="nsms-flood-") as data_dir:
            # The original's anonymous contract (Auth__Mode=Open): the caps count client addresses, as for signed-in callers.
            client_env = {"Auth__Mode": "Open", **dict(pair.split("=", 1) for pair in args.client_env)}
            base, pids = bench.start_ours(services, data_dir, {}, client_env, build=args.build_root == bench.ROOT, root=args.build_root)
            client_pid = pids[1]
            counters = None
            if args.counters:
                counters = subprocess.Popen(["dotnet", "dotnet-counters", "collect", "-p", str(client_pid), "--counters", "System.Runtime",
                                             "--format", "csv", "-o", os.path.abspath(args.counters)],
                                            cwd=bench.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            bench.ensure_vendors(base)
            send_messages(base, args.messages, vendor=1)
            host, port = base.split("//")[1].split(":")
            bench.hey_light(base, 3)  # warm-up
            for name, sources in [("one address", ["127.0.0.1"]),
                                  (f"{args.addresses} addresses", [f"127.0.{1 + i // 250}.{2 + i % 250}" for i in range(args.addresses)])]:
                before_light = bench.hey_light(base, args.seconds)
                before_rss = bench.rss_mb([client_pid])
                results, peak, stop = [], [before_rss], threading.Event()
                sampler = threading.Thread(target=rss_sampler, args=(client_pid, stop, peak))
                sampler.start()
                flooding = threading.Thread(target=lambda: asyncio.run(flood(host, int(port), sources, args.feeds, args.seconds + 4, results)))
                flooding.start()
                time.sleep(2)
                during_light = bench.hey_light(base, args.seconds)
                flooding.join()
                stop.set()
                sampler.join()
                time.sleep(3)
                refused = [r for r in results if r[0] == "429"]
                rows.append((name, args.feeds, sum(r[0] == "200" for r in results), len(refused), sum(r[2] for r in refused),
                             max((r[1] for r in refused), default=None), len(results) - sum(r[0] in ("200", "429") for r in results),
                             before_light, during_light, before_rss, peak[0]))
                print(f"{name}: {rows[-1][2]} accepted, {rows[-1][3]} refused, light p99 {before_light['p99']:.2f} -> {during_light['p99']:.2f} ms, "
                      f"client RSS {before_rss:.0f} -> peak {peak[0]:.0f} MB", flush=True)
            if counters:
                counters.terminate()
                counters.wait()
    finally:
        services.stop()

    lines = [f"Machine: {bench.machine()}", f"Flood: {args.feeds} SSE feeds with Last-Event-ID: 0 over a topic of {args.messages} messages; "
             f"light GET /ch08/vendor/list at 100 req/s for {args.seconds} s before and during", "",
             "| flood from | feeds | accepted | refused 429 | with Retry-After | slowest refusal ms | other | light p50 ms before / during "
             "| light p99 ms before / during | light failed during | client RSS MB before / peak |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, feeds, accepted, refused, with_retry, slowest, other, before, during, rss_before, rss_peak in rows:
        lines.append(f"| {name} | {feeds} | {accepted} | {refused} | {with_retry} | {bench.fmt(slowest and slowest * 1000, 0)} | {other} "
                     f"| {bench.fmt(before['p50'], 2)} / {bench.fmt(during['p50'], 2)} | {bench.fmt(before['p99'], 2)} / {bench.fmt(during['p99'], 2)} "
                     f"| {during['failed']} | {rss_before:.0f} / {rss_peak:.0f} |")
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
