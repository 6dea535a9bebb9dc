#!/usr/bin/env python3
"""`make bench`: wrk through the shipped nginx site against graphql-fcgi and against a C libfcgi floor, in one run.

Both run as two instances of 64 threads behind the same nginx upstream. Prints req/s, p50/p99 latency, worker CPU
microseconds per request, and each graphql-fcgi figure as a ratio of the floor's. Also runs graphql-fcgi with its
document cache off, to show what the cache saves.

Usage: bench/bench.py [--seconds 10] [--connections 32]
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
                             "-s", script.name, url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)

    def latency(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"), "p99_ms": latency("99"), "requests": requests,
        "failed": int(non_2xx.group(1)) if non_2xx else 0, "socket_errors": errors.group(1) if errors else "",
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "graphql-fcgi"))
    parser.add_argument("--only", help="run only the cases whose name contains this (the floor always runs)")
    args = parser.parse_args()

    floor_binary = build_floor()
    cases = [
        ("C floor", dict(worker_command=lambda path: [floor_binary, path, "64"], kratos=False),
         [("POST", HELLO), ("GET", HELLO)]),
        ("graphql-fcgi", {}, [("POST", HELLO), ("GET", HELLO), ("POST", WIDE), ("POST", ME)]),
        ("graphql-fcgi, access log buffered", dict(worker_args=["--access-log-buffer-kb", "32"]), [("POST", HELLO)]),
        ("graphql-fcgi, no access log", dict(worker_args=["--no-access-log"]), [("POST", HELLO)]),
        ("graphql-fcgi, reference executor", dict(worker_args=["--executor", "reference"]), [("POST", HELLO), ("POST", WIDE)]),
        ("graphql-fcgi, no document cache", dict(worker_args=["--no-document-cache"]), [("POST", HELLO), ("POST", WIDE)]),
        ("graphql-fcgi, no session cache", dict(worker_args=["--session-cache-ttl", "0"]), [("POST", ME)]),
        # Options given as a function are made only when the case runs (this one writes its database).
        ("graphql-fcgi, @sql on SQLite", lambda: dict(schema=os.path.join(ROOT, "schema", "examples", "blog.graphql"),
                                                      kratos=False, worker_args=["--database", "sqlite:" + blog_database()]),
         [("POST", SQL_LIST), ("POST", SQL_NESTED)]),
    ]
    results = {}
    for name, options, requests in cases:
        if args.only and args.only not in name and name != "C floor":
            continue
        options = options() if callable(options) else options
        stack = Stack(args.binary, instances=2, **options).start()
        try:
            for method, query in requests:
                label = LABELS[query]
                results[(name, method, label)] = measure(stack, args.seconds, args.connections, method, query)
                print(f"measured {name}: {method} {label}", file=sys.stderr, flush=True)
        finally:
            stack.stop()

    print(f"\nwrk -c {args.connections} -d {args.seconds}s through nginx (shipped site, 2 instances x 64 threads), "
          f"{os.cpu_count()} cores\n")
    print("| server | request | req/s | × floor | p50 ms | p99 ms | worker CPU µs/req | failed |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for (name, method, label), r in results.items():
        floor = results.get(("C floor", method, "{ hello }"))
        ratio = f"{r['rps'] / floor['rps']:.2f}" if floor else "—"
        print(f"| {name} | {method} {label} | {r['rps']:.0f} | {ratio} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
              f"| {r['cpu_us']:.1f} | {r['failed']}{' ' + r['socket_errors'] if r['socket_errors'] else ''} |")


if __name__ == "__main__":
    main()
