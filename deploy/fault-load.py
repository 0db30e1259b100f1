#!/usr/bin/env python3
"""Door-check load for deploy/fault-test.sh: WORKERS threads each post one check at a time, as the
field app does: a fresh client id per check, and on 503 the same request again after Retry-After
(capped at 1 s, to keep the test short) until it is acknowledged. Every answer is logged as one JSON
line (start, end, status, Retry-After, id). Runs until the file STOP exists, then finishes pending
retries (for at most DRAIN seconds).
Usage: fault-load.py BASE_URL TOKEN PEOPLE_FILE LOG_FILE STOP_FILE [WORKERS] [DRAIN]"""
import datetime
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse
import uuid

base, token, people_file, log_file, stop_file = sys.argv[1:6]
workers = int(sys.argv[6]) if len(sys.argv) > 6 else 8
drain = float(sys.argv[7]) if len(sys.argv) > 7 else 30
people = open(people_file).read().split()
url = urllib.parse.urlparse(base)
log = open(log_file, "w", buffering=1)
lock = threading.Lock()
stopped_at = [None]


def post(connection, body):
    connection.request("POST", "/v1/door-checks", body=body,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status, response.getheader("Retry-After"), response.getheader("Connection")


def worker():
    connection = None
    while True:
        if os.path.exists(stop_file):
            return
        check_id = str(uuid.uuid4())
        at = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = json.dumps({"id": check_id, "personId": random.choice(people), "occurredAt": at, "channel": "in_person",
                           "kind": "cadre_visit", "outcome": "all_well", "needs": [], "notes": f"fault-{check_id}"})
        attempt = 0
        while True:
            attempt += 1
            start = time.time()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
                status, retry_after, close = post(connection, body)
                if close and close.lower() == "close":
                    connection.close()
                    connection = None
            except Exception as error:  # connection refused or reset, timeout
                status, retry_after = f"error:{type(error).__name__}", None
                if connection is not None:
                    connection.close()
                connection = None
            end = time.time()
            with lock:
                log.write(json.dumps({"start": start, "end": end, "status": status, "retryAfter": retry_after,
                                      "id": check_id, "attempt": attempt}) + "\n")
            if status in (200, 201):
                break
            if stopped_at[0] is not None and time.time() - stopped_at[0] > drain:
                break
            if status == 503 or str(status).startswith("error"):
                time.sleep(min(float(retry_after or 1), 1.0))
                continue
            break  # 4xx/500: not retried (a bug or a bad request), reported by status


threads = [threading.Thread(target=worker) for _ in range(workers)]
for thread in threads:
    thread.start()
while not os.path.exists(stop_file):
    time.sleep(0.2)
stopped_at[0] = time.time()
for thread in threads:
    thread.join()
