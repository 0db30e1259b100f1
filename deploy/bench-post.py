#!/usr/bin/env python3
"""Posts batch files one after another over one kept-alive connection, as one phone's outbox or one
clinic's upload does, and times the requests alone: every answer is read inside the clock and checked
after it stops, so the benchmark does not spend a core starting a checker per batch on the machine it
measures (the curl-and-python loop it replaces took 40 % off bench-grid's batch rate on 2 cores).

Usage: bench-post.py URL TOKEN FIELD=COUNT FILE...
Exits non-zero unless every answer is 200 with FIELD equal to COUNT (for example created=1000); prints
"<seconds> <median ms a request>" on one line.
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse


def main():
    url, token, expect, *files = sys.argv[1:]
    field, count = expect.split("=")
    bodies = [open(name, "rb").read() for name in files]
    target = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    answers, times = [], []
    start = time.perf_counter()
    for body in bodies:
        began = time.perf_counter()
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        answers.append((response.status, response.read()))
        times.append(time.perf_counter() - began)
    elapsed = time.perf_counter() - start
    for status, raw in answers:
        if status != 200:
            sys.exit(f"bench-post: answered {status}: {raw[:300]!r}")
        answer = json.loads(raw)
        if answer.get(field) != int(count):
            counts = {key: answer.get(key) for key in ("created", "duplicate", "conflict", "rejected")}
            sys.exit(f"bench-post: expected {field}={count}, answered {counts}")
    print(f"{elapsed:.4f} {statistics.median(times) * 1000:.1f}")


main()
