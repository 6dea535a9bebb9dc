#!/usr/bin/env python3
"""`make bench`: wrk through the shipped nginx site against graphql-fcgi and against a C libfcgi floor, in one run.

Both run as two instances behind the same nginx (a worker process per core, as `make run` and Debian's nginx run
it). The floor is libfcgi's own model, a thread per connection (64 threads), so it keeps the site's previous
`keepalive 16` (more idle connections than threads would starve it); graphql-fcgi runs the shipped site as is.

1. c=32: `--rounds` interleaved rounds (floor, graphql-fcgi, floor, ...) of `{ hello }`, 20 fields and `me`; each
   ratio is the median of the rounds' ratios, with their spread.
2. c=32, one round each: graphql-fcgi's options (access log off, reference executor, no caches, @sql).
3. c=512 for `--load-seconds` (default 60): the floor and graphql-fcgi side by side, p50/p90/p99, errors and
   timeouts (wrk's: a response later than 2 s).

Usage: bench/bench.py [--seconds 10] [--rounds 3] [--load-seconds 60] [--only NAME]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from stack import Stack  # noqa: E402

OUT = os.path.join(ROOT, "bench", "out")
HELLO = "{ hello }"
# 20 fields and a fragment: what a real client sends, and what the document cache is for.
ME = "{ me { id email } }"
WIDE = ("query Wide { " + " ".join(f"f{i}: hello" for i in range(16)) + " ...Extra } "
        "fragment Extra on Query { e1: hello e2: hello t: __typename h: hello }")
# Declarative data (schema/examples/blog.graphql on SQLite): 100 rows x 5 fields, and the same with a nested @sql
# list per row (one statement for all 100 rows' comments).
SQL_LIST = "{ posts(limit: 100) { id title body publishedAt t: title } }"
SQL_NESTED = "{ posts(limit: 100) { id title body publishedAt comments { body } } }"
LABELS = {HELLO: "{ hello }", WIDE: "20 fields + fragment", ME: "{ me { id email } } (signed in)",
          SQL_LIST: "@sql: 100 rows x 5 fields", SQL_NESTED: "@sql: 100 rows + a nested list each"}


def blog_database():
    """The blog example's tables with 100 published posts, 2 comments each."""
    import sqlite3
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "blog.db")
    if os.path.exists(path):
        os.unlink(path)
    with sqlite3.connect(path) as connection:
        connection.executescript(open(os.path.join(ROOT, "schema", "examples", "blog.sql")).read())
        connection.execute("DELETE FROM posts")
        for post in range(100):
            cursor = connection.execute("INSERT INTO posts (author_id, title, body, published, published_at) "
                                        "VALUES (1, ?, 'A body of a few words.', 1, ?)", (f"Post {post}", f"2026-01-01T00:{post // 60:02d}:{post % 60:02d}Z"))
            for comment in range(2):
                connection.execute("INSERT INTO comments (post_id, identity_id, body) VALUES (?, 'x', 'Nice')", (cursor.lastrowid,))
    return path


def build_floor():
    os.makedirs(OUT, exist_ok=True)
    binary = os.path.join(OUT, "floor")
    subprocess.run(["cc", "-O2", "-o", binary, os.path.join(ROOT, "bench", "floor.c"), "-lfcgi", "-lpthread"],
                   check=True)
    return binary


def cpu_seconds(pids):
    total = 0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def wrk(url, seconds, connections, method, query, token=None):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    if token:
        script.write(f'wrk.headers["X-Session-Token"] = "{token}"\n')
    if method == "POST":
        body = json.dumps({"query": query}).replace("\\", "\\\\").replace('"', '\\"')
        script.write(f'wrk.method = "POST"\nwrk.body = "{body}"\n'
                     'wrk.headers["Content-Type"] = "application/json"\n')
    else:
        url += "?" + urllib.parse.urlencode({"query": query})
    script.close()
    output = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",
                             "--timeout", "2s", "-s", script.name, url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)

    def latency(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    connect, read, write, timeout = (int(n) for n in errors.groups()) if errors else (0, 0, 0, 0)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"), "p90_ms": latency("90"), "p99_ms": latency("99"), "requests": requests,
        "failed": int(non_2xx.group(1)) if non_2xx else 0, "socket_errors": connect + read + write,
        "timeouts": timeout,
    }


def sign_up(stack):
    """A fresh account through the API; returns its session token."""
    import urllib.request
    mutation = 'mutation { registerUser(email: "bench@example.com", password: "a-bench-passphrase") { sessionToken } }'
    request = urllib.request.Request(stack.url, data=json.dumps({"query": mutation}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)["data"]["registerUser"]["sessionToken"]


def measure(stack, seconds, connections, method, query):
    pids = [process.pid for process in stack.workers.values()]
    token = sign_up(stack) if query == ME else None
    wrk(stack.url, 1, connections, method, query, token)  # warm-up: caches, connections
    before = cpu_seconds(pids)
    result = wrk(stack.url, seconds, connections, method, query, token)
    result["cpu_us"] = (cpu_seconds(pids) - before) * 1e6 / max(1, result["requests"])
    return result


# The floor keeps the site's previous keepalive: its threads are pinned by idle connections (see the docstring).
FLOOR_SITE = {"keepalive 128;": "keepalive 16;"}


def floor_options(binary):
    return dict(worker_command=lambda path: [binary, path, "64"], kratos=False, site_overrides=FLOOR_SITE)


def run_cases(args, name, options, requests, connections, seconds):
    """Starts a stack with `options`, measures each (method, query), stops it; returns {(method, label): result}."""
    options = options() if callable(options) else options
    stack = Stack(args.binary, instances=2, nginx_workers="auto", **options).start()
    results = {}
    try:
        for method, query in requests:
            results[(method, LABELS[query])] = measure(stack, seconds, connections, method, query)
            print(f"measured {name}: {method} {LABELS[query]} at c={connections}", file=sys.stderr, flush=True)
    finally:
        stack.stop()
    return results


def spread(values, digits=2):
    ordered = sorted(values)
    median = ordered[len(ordered) // 2] if len(ordered) % 2 else sum(ordered[len(ordered) // 2 - 1:][:2]) / 2
    return median, f"{median:.{digits}f} ({ordered[0]:.{digits}f}–{ordered[-1]:.{digits}f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load-seconds", type=int, default=60, help="the c=512 run; 0 skips it")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "graphql-fcgi"))
    parser.add_argument("--only", help="run only the option cases whose name contains this (the rounds always run)")
    args = parser.parse_args()

    floor = floor_options(build_floor())
    print(f"{os.cpu_count()} cores; nginx: a worker per core; 2 instances each; wrk -t 2, 2 s timeout", flush=True)

    # 1. Interleaved rounds at c=32.
    rounds = []
    for round_number in range(args.rounds):
        measured = {"floor": run_cases(args, "C floor", floor, [("POST", HELLO)], args.connections, args.seconds)}
        measured["graphql-fcgi"] = run_cases(args, "graphql-fcgi", {}, [("POST", HELLO), ("POST", WIDE), ("POST", ME)],
                                             args.connections, args.seconds)
        rounds.append(measured)
    floor_rps = [r["floor"][("POST", LABELS[HELLO])]["rps"] for r in rounds]
    print(f"\n## c={args.connections}, {args.seconds} s each, {args.rounds} interleaved rounds (median and range)\n")
    print("| server | request | req/s | × floor | p50 ms | p99 ms | worker CPU µs/req |")
    print("|---|---|---:|---:|---:|---:|---:|")
    print(f"| C floor | POST {{ hello }} | {spread(floor_rps, 0)[1]} | 1.00 | "
          f"{spread([r['floor'][('POST', LABELS[HELLO])]['p50_ms'] for r in rounds])[1]} | "
          f"{spread([r['floor'][('POST', LABELS[HELLO])]['p99_ms'] for r in rounds])[1]} | "
          f"{spread([r['floor'][('POST', LABELS[HELLO])]['cpu_us'] for r in rounds], 1)[1]} |")
    for query in (HELLO, WIDE, ME):
        key = ("POST", LABELS[query])
        results = [r["graphql-fcgi"][key] for r in rounds]
        ratios = [result["rps"] / floor for result, floor in zip(results, floor_rps)]
        print(f"| graphql-fcgi | POST {LABELS[query]} | {spread([r['rps'] for r in results], 0)[1]} | "
              f"**{spread(ratios)[1]}** | {spread([r['p50_ms'] for r in results])[1]} | "
              f"{spread([r['p99_ms'] for r in results])[1]} | {spread([r['cpu_us'] for r in results], 1)[1]} |")
    floor_median = spread(floor_rps)[0]

    # 2. Options, one round each, against the rounds' median floor.
    cases = [
        ("no access log", dict(worker_args=["--no-access-log"]), [("POST", HELLO)]),
        ("access log written per line", dict(worker_args=["--access-log-buffer-kb", "0"]), [("POST", HELLO)]),
        ("reference executor", dict(worker_args=["--executor", "reference"]), [("POST", HELLO), ("POST", WIDE)]),
        ("no document cache", dict(worker_args=["--no-document-cache"]), [("POST", HELLO), ("POST", WIDE)]),
        ("no session cache", dict(worker_args=["--session-cache-ttl", "0"]), [("POST", ME)]),
        # Options given as a function are made only when the case runs (this one writes its database).
        ("@sql on SQLite", lambda: dict(schema=os.path.join(ROOT, "schema", "examples", "blog.graphql"),
                                        kratos=False, worker_args=["--database", "sqlite:" + blog_database()]),
         [("POST", SQL_LIST), ("POST", SQL_NESTED)]),
    ]
    print(f"\n## graphql-fcgi's options, c={args.connections}, one run each (× the median floor above)\n")
    print("| graphql-fcgi with | request | req/s | × floor | p50 ms | p99 ms | worker CPU µs/req | failed |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, options, requests in cases:
        if args.only and args.only not in name:
            continue
        for (method, label), r in run_cases(args, name, options, requests, args.connections, args.seconds).items():
            print(f"| {name} | {method} {label} | {r['rps']:.0f} | {r['rps'] / floor_median:.2f} | {r['p50_ms']:.2f} | "
                  f"{r['p99_ms']:.2f} | {r['cpu_us']:.1f} | {r['failed'] + r['socket_errors'] + r['timeouts']} |", flush=True)

    # 3. 512 connections.
    if args.load_seconds:
        load = {}
        for name, options in (("C floor", floor), ("graphql-fcgi", {})):
            load[name] = run_cases(args, name, options, [("POST", HELLO)], 512, args.load_seconds)[("POST", LABELS[HELLO])]
        print(f"\n## c=512, {args.load_seconds} s, POST {{ hello }}\n")
        print("| server | req/s | × floor | p50 ms | p90 ms | p99 ms | p99 × floor | non-2xx | socket errors | timeouts |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, r in load.items():
            f = load["C floor"]
            print(f"| {name} | {r['rps']:.0f} | {r['rps'] / f['rps']:.2f} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | "
                  f"{r['p99_ms']:.1f} | {r['p99_ms'] / f['p99_ms']:.2f} | {r['failed']} | {r['socket_errors']} | {r['timeouts']} |")


if __name__ == "__main__":
    main()
