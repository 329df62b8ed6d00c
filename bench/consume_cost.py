#!/usr/bin/env python3
"""CPU per consumed topic message: the same burst of sends with the consumers paused and running.

For each build root given (default: this checkout's Release build as it is) it starts our silo and web client twice
(fresh SQLite file each): once with Topic__PauseConsumers=true (appends alone), once as configured (appends and their
consumption). Each time it adds login 1 and vendor 1, warms up with 5 s of sends, then sends for --seconds with wrk
on 16 connections (unique messenger ids on vendor 1) and, when the consumers run, waits until every logged message is
consumed. It prints CPU microseconds per send of silo and web client in both runs; the difference is what consuming a
message costs (its batch read, the owners' calls, its share of the commit and the live feed). Loopback only, bounded.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import throughput  # noqa: E402


def cpu_per_send(root, paused, ports, seconds):
    services = bench.Services()
    with tempfile.TemporaryDirectory(prefix="nsms-consume-") as data_dir:
        try:
            env = {"Topic__PauseConsumers": "true"} if paused else {}
            base, pids = bench.start_ours(services, data_dir, env, {}, ports=ports, build=False, root=root)
            db = throughput.Database(sqlite_file=os.path.join(data_dir, "newsstand.db"))
            for path, body in (("login", {"id": 1, "username": "consume-owner", "password": "consume-bench-password", "user_type": 1}),
                               ("vendor", {"id": 1, "rep_firstname": "Rep", "rep_lastname": "Vendor", "rep_id": "R1",
                                           "rep_date_employed": "2022-01-01", "account_name": "Acct1", "account_number": "0001",
                                           "date_consigned": "2022-02-01", "login_id": 1})):
                status, answer = bench.request("POST", f"{base}/ch08/{path}/add", body)
                assert status == 200, answer
            throughput.wrk(throughput.SEND_LUA, base, "/ch08/messenger/kafka/send", 5, 1_000_000, ("10000000",))
            if not paused:
                throughput.wait_consumed(db, db.progress()[0])
            time.sleep(1)
            before = [throughput.cpu_seconds(p) for p in pids]
            sends = throughput.wrk(throughput.SEND_LUA, base, "/ch08/messenger/kafka/send", seconds, 20_000_000, ("10000000",))
            if not paused:
                throughput.wait_consumed(db, db.progress()[0])
            cpu = [throughput.cpu_seconds(p) - b for p, b in zip(pids, before)]
            return sends["ok"] / sends["seconds"], [1e6 * c / max(1, sends["ok"]) for c in cpu]
        finally:
            services.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roots", nargs="*", default=[bench.ROOT], help="checkouts whose Release build to run (A/B)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port-base", type=int, default=9100)
    args = parser.parse_args()
    ports = {"client": args.port_base, "silo_web": args.port_base + 10, "silo": args.port_base + 20, "gateway": args.port_base + 30}
    lines = ["| build | sends/s appends alone | sends/s with consumption | CPU µs/send appends alone silo / client | "
             "with consumption silo / client | consuming a message silo / client |", "|---|---|---|---|---|---|"]
    for root in args.roots:
        alone_rate, alone = cpu_per_send(root, True, ports, args.seconds)
        both_rate, both = cpu_per_send(root, False, ports, args.seconds)
        lines.append(f"| {root} | {alone_rate:,.0f} | {both_rate:,.0f} | {alone[0]:.0f} / {alone[1]:.0f} | {both[0]:.0f} / {both[1]:.0f} | "
                     f"{both[0] - alone[0]:.0f} / {both[1] - alone[1]:.0f} |")
        print(lines[-1], flush=True)
    bench.save_report("consume", "\n".join([f"Machine: {bench.machine()}", "", *lines]))


if __name__ == "__main__":
    main()
