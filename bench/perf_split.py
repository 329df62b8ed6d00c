#!/usr/bin/env python3
"""Splits one process's perf samples (bench/profile.py) into the parts of a request, as CPU µs per request.

Each sample goes to the innermost frame of its stack that belongs to a known part (below, first rule that
matches wins); frames of the runtime's own libraries (CoreLib, sockets, pipelines), libc and the kernel are
passed over, so a socket write counts for whoever wrote (Kestrel, or Orleans' gateway connection). The "bench:"
part and GroupInserts name bench/BareKestrel's own code (the ceiling's and the floor's: throughput.py --profile). A stack
with no such frame is the runtime's: the thread pool's dispatch and spinning, the epoll loop, GC, stubs.

  perf_split.py FILE.perf REQUESTS   (REQUESTS: requests served while perf sampled; prints the table)
"""
import collections
import re
import subprocess
import sys

# (part, pattern on a frame's symbol); the first that matches a frame names it.
PARTS = [
    ("ours: list answer (StreamedListResult)", re.compile(r"Newsstand\.Api\.Apis\.StreamedListResult")),
    ("ours: whole-list coalescer", re.compile(r"Newsstand\.Api\.Apis\.(WholeListReads|CallCoalescer)")),
    ("ours: other", re.compile(r"\[Newsstand\.")),
    ("SQLite (native, Microsoft.Data.Sqlite, SQLitePCL; the bench's GroupInserts)", re.compile(r"BareKestrel\.GroupInserts|\[Microsoft\.Data\.Sqlite|\[SQLitePCL|libe_sqlite3")),
    ("bench: chunk grain and coalescer", re.compile(r"\[BareKestrel\]")),
    ("grain call: serialization", re.compile(r"\[Orleans\.Serialization\]")),
    ("grain call: gateway connection and messaging", re.compile(r"Orleans\.(Networking|Runtime\.Messaging)")),
    ("grain call: scheduling (activation work items)", re.compile(r"Orleans\.Runtime\.Scheduler")),
    ("grain call: other Orleans", re.compile(r"\[Orleans\.")),
    ("telemetry (OpenTelemetry, Activity, Meter)", re.compile(r"\[OpenTelemetry|System\.Diagnostics\.(Activity|Metrics|DiagnosticSource|DiagnosticListener)")),
    ("logging", re.compile(r"\[Microsoft\.Extensions\.Logging")),
    ("middleware: exception handler", re.compile(r"ExceptionHandlerMiddleware")),
    ("middleware: status code pages", re.compile(r"StatusCodePagesMiddleware")),
    ("middleware: WebSockets", re.compile(r"\[Microsoft\.AspNetCore\.WebSockets\]")),
    ("middleware: authentication/authorization", re.compile(r"\[Microsoft\.AspNetCore\.Authentication|\[Microsoft\.AspNetCore\.Authorization")),
    ("middleware: rate limiting", re.compile(r"\[Microsoft\.AspNetCore\.RateLimiting|System\.Threading\.RateLimiting")),
    ("routing", re.compile(r"\[Microsoft\.AspNetCore\.Routing\]")),
    ("endpoint: binding and result (minimal API)", re.compile(r"RequestDelegateFactory|Microsoft\.AspNetCore\.Http\.Generated|\[Microsoft\.AspNetCore\.Http\.Extensions\]")),
    ("JSON (System.Text.Json)", re.compile(r"\[System\.Text\.Json\]")),
    ("hosting (HostingApplication: context, diagnostics)", re.compile(r"\[Microsoft\.AspNetCore\.Hosting\]")),
    ("Kestrel (HTTP parsing, response, its sockets)", re.compile(r"\[Microsoft\.AspNetCore\.Server\.Kestrel")),
    ("ASP.NET Core other (HttpContext, features, headers)", re.compile(r"\[Microsoft\.AspNetCore\.")),
    ("dependency injection", re.compile(r"\[Microsoft\.Extensions\.DependencyInjection")),
    ("JIT compiler (tiering)", re.compile(r"libclrjit")),
]
RUNTIME = "runtime (thread pool, epoll loop, GC, stubs)"


def split(path):
    text = subprocess.run(["perf", "script", "-i", path, "-F", "comm,ip,sym,dso"], capture_output=True, text=True, check=True).stdout
    counts = collections.Counter()
    for stack in text.split("\n\n"):
        frames = [line.strip() for line in stack.splitlines() if line.strip()]
        if not frames:
            continue
        part = next((name for frame in frames for name, pattern in PARTS if pattern.search(frame)), RUNTIME)
        counts[part] += 1
    return counts


def main():
    path, requests = sys.argv[1], float(sys.argv[2])
    counts = split(path)
    total = sum(counts.values())
    # perf samples at 999 Hz per busy CPU: each sample stands for ~1 ms of CPU.
    print("| part | share of samples | CPU µs per request |\n|---|---|---|")
    for part, n in counts.most_common():
        print(f"| {part} | {100 * n / total:.1f}% | {n * 1001 / requests:.1f} |")
    print(f"| all | 100% ({total} samples) | {total * 1001 / requests:.1f} |")


if __name__ == "__main__":
    main()
