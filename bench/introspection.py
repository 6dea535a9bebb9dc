#!/usr/bin/env python3
"""`make bench-introspection`: worker CPU per request of graphql-js' full introspection query (every option GraphiQL
and codegen tools turn on) of the shipped schema, through nginx, for both executors.

One worker instance, one keep-alive connection; the worker's utime+stime from /proc before and after each run.

Usage: bench/introspection.py [--requests 1000] [--runs 3]
"""
import argparse
import http.client
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "scripts"), os.path.join(ROOT, "bench")]
from bench import cpu_seconds  # noqa: E402
from graphql import get_introspection_query  # noqa: E402
from stack import Stack  # noqa: E402

QUERY = get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True,
                                schema_description=True, input_value_deprecation=True, one_of=True)


def measure(binary, executor, requests, runs):
    stack = Stack(binary, instances=1, kratos=False, worker_args=["--executor", executor]).start()
    try:
        pids = [process.pid for process in stack.workers.values()]
        connection = http.client.HTTPConnection("127.0.0.1", stack.port)
        body = json.dumps({"query": QUERY})

        def post():
            connection.request("POST", "/graphql", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200 or b'"errors"' in answer:
                sys.exit(f"{executor}: {response.status} {answer[:300]!r}")
            return len(answer)

        size = post()
        for _ in range(50):
            post()
        for run in range(runs):
            before = cpu_seconds(pids)
            for _ in range(requests):
                post()
            per_request = (cpu_seconds(pids) - before) * 1000 / requests
            print(f"{executor:>9}: {per_request:.3f} ms worker CPU per request ({size} bytes; run {run + 1}, {requests} requests)")
    finally:
        stack.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "graphql-fcgi"))
    arguments = parser.parse_args()
    for executor in ("plan", "reference"):
        measure(arguments.binary, executor, arguments.requests, arguments.runs)


if __name__ == "__main__":
    main()
