#!/usr/bin/env python3
"""Alert delivery around a killed server, with the real binary on an embedded cluster (about half a
minute): a local receiver speaks the WeCom group-robot protocol and records every request's
`X-Liushou-Delivery` id.

  b. Kill between commit and delivery: the receiver is closed, a report is filed (201: committed),
     the delivery fails once, the server is killed (-9), the receiver opens, the server starts
     again: the delivery arrives once, with the id stored in SQL, and the row is `sent`.
  c. Kill during a send: the receiver holds the request open, the server is killed (-9) while it
     waits, the receiver answers again and the server restarts: once the dead server's lease runs
     out the delivery arrives a second time with the SAME id (at least once; the id lets the
     receiver drop the repeat), and the row ends `sent`.

With --bench N (not for CI): a baseline of N plain POSTs of the same body straight to the receiver
(64 client threads, keep-alive), a burst of N reports committed in one transaction (deliveries/s
until all N arrived), and a steady stream of ~50 reports/s for ~20 s (lag from alert_event.created_at
to receipt: p50/p99/max). Every delivery id must arrive, none twice.

Usage: deploy/alerts-delivery-test.py [path to the liushou binary] [--bench N [--server-env LIUSHOU_ALERT_X=V ...]]
(--server-env overrides the bench server's delivery knobs, e.g. LIUSHOU_ALERT_POLL_MS=50.)"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser"))
from cdp import ROOT, ApiError, call, free_port, login  # noqa: E402

STARTED = time.time()
PASSWORD = "Alerts#Deliver2026"
CLIENT_THREADS = 64


def step(message):
    print(f"[{time.time() - STARTED:6.1f} s] {message}", flush=True)


def fail(message):
    raise SystemExit(f"FAILED: {message}")


# ---------------------------------------------------------------- the receiver (WeCom group robot)

class Receiver:
    """A WeCom group robot on 127.0.0.1:port that records (delivery id, key, time, body, path) of
    each request. Modes: closed (not listening), hanging (accepts and reads the request, answers
    only when switched to answering), answering (HTTP 200 {"errcode":0,"errmsg":"ok"})."""

    ANSWER = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()

    def __init__(self, port):
        self.port = port
        self.records = []
        self.release = threading.Event()
        self.release.set()
        self.httpd = None
        self.thread = None
        self.mode = "closed"

    def set_mode(self, mode):
        if mode == "closed":
            self.release.set()
            if self.httpd:
                self.httpd.shutdown()
                self.httpd.server_close()
                self.httpd = None
        else:
            if mode == "hanging":
                self.release = threading.Event()
            else:
                self.release.set()
            if not self.httpd:
                self._listen()
        self.mode = mode

    def received(self, delivery_id):
        return [r for r in list(self.records) if r[0] == delivery_id]

    def _listen(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def read_body(self):
                if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("content-length") or 0))

            def do_POST(self):
                body = self.read_body()
                now = time.time()
                url = urllib.parse.urlsplit(self.path)
                key = urllib.parse.parse_qs(url.query).get("key", [""])[0]
                if key != "baseline":
                    receiver.records.append((self.headers.get("x-liushou-delivery"), key, now, body, url.path))
                release = receiver.release
                if not release.is_set():
                    release.wait()
                try:
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(Receiver.ANSWER)))
                    self.end_headers()
                    self.wfile.write(Receiver.ANSWER)
                except OSError:
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            request_queue_size = 256
            daemon_threads = True
            allow_reuse_address = True

        self.httpd = Server(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()


def check_wecom(record, key):
    """The request is the WeCom robot's text message, to the robot's address and key."""
    delivery_id, got_key, _, body, path = record
    assert path == "/cgi-bin/webhook/send", path
    assert got_key == key, (got_key, key)
    message = json.loads(body)
    assert message["msgtype"] == "text", message
    assert isinstance(message["text"]["content"], str) and "强制报告" in message["text"]["content"], message
    assert isinstance(message["text"].get("mentioned_list", []), list), message
    uuid.UUID(delivery_id)


# ---------------------------------------------------------------- the server and its cluster

class Liushou:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.data = os.path.join(work, "data")
        self.log_path = os.path.join(work, "serve.log")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LIUSHOU_")}
        self.env["LIUSHOU_ADMIN_PASSWORD"] = PASSWORD
        self.env["LIUSHOU_TWO_FACTOR_ROLES"] = "none"
        self.process = None
        self.base = None
        self.orphans_stopped = 0

    def run(self, *args):
        result = subprocess.run([self.binary, *args, "--log-level", "warning"], capture_output=True, text=True, env=self.env)
        if result.returncode != 0:
            fail(f"liushou {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def serve(self, knobs, log_level="info"):
        """Starts `liushou serve`; returns the seconds until /readyz answered."""
        started = time.time()
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        with open(self.log_path, "ab") as log:
            log.write(f"\n==== serve at {time.time() - STARTED:.1f} s, {knobs}\n".encode())
            log.flush()
            self.process = subprocess.Popen([self.binary, "serve", "--data-dir", self.data, "--port", str(port), "--log-level", log_level],
                                            env={**self.env, **knobs}, stdout=log, stderr=log)
        while time.time() - started < 120:
            try:
                urllib.request.urlopen(self.base + "/readyz", timeout=2)
                return time.time() - started
            except Exception:
                if self.process.poll() is not None:
                    fail("the server exited at start-up:\n" + self.log_tail())
                time.sleep(0.2)
        fail("the server did not become ready:\n" + self.log_tail())

    def kill9(self):
        self.process.kill()
        self.process.wait()
        self.process = None

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log_tail(self, chars=3000):
        try:
            return open(self.log_path, encoding="utf-8", errors="replace").read()[-chars:]
        except OSError:
            return ""

    def cluster(self):
        return os.path.join(self.data, "postgres")

    def postmaster(self):
        """The pid of the live postmaster of this data directory, if any."""
        try:
            pid = int(open(os.path.join(self.cluster(), "postmaster.pid")).readline().strip())
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
            comm = open(f"/proc/{pid}/comm").read().strip()
        except (OSError, ValueError, IndexError):
            return None
        return pid if state not in ("Z", "X") and comm in ("postgres", "postmaster") else None

    def stop_cluster(self, wait=30):
        """After the server stopped: waits for its cluster to go, else stops it with pg_ctl as the
        cluster's owner. True when pg_ctl was needed."""
        deadline = time.time() + wait
        while self.postmaster() and time.time() < deadline:
            time.sleep(0.2)
        if not self.postmaster():
            return False
        pg_ctl = shutil.which("pg_ctl") or sorted(p for p in (f"/usr/lib/postgresql/{v}/bin/pg_ctl" for v in os.listdir("/usr/lib/postgresql"))
                                                   if os.path.exists(p))[-1]
        command = [os.path.realpath(pg_ctl), "stop", "-D", self.cluster(), "-m", "fast", "-w", "-t", "60"]
        if os.getuid() == 0:
            import pwd
            command = ["runuser", "-u", pwd.getpwuid(os.stat(self.cluster()).st_uid).pw_name, "--", *command]
        subprocess.run(command, capture_output=True)
        self.orphans_stopped += 1
        return True

    def psql_command(self):
        port = open(os.path.join(self.cluster(), "postmaster.pid")).read().splitlines()[3].strip()
        password = open(os.path.join(self.data, "postgres-password")).read().strip()
        return (["psql", "-h", "127.0.0.1", "-p", port, "-U", "liushou", "-d", "liushou", "-v", "ON_ERROR_STOP=1"],
                {**os.environ, "PGPASSWORD": password})

    def sql(self, statement):
        """Runs SQL as the cluster's owner (the cluster must be running)."""
        command, env = self.psql_command()
        result = subprocess.run([*command, "-At", "-c", statement], capture_output=True, text=True, env=env)
        if result.returncode != 0:
            fail(f"psql: {result.stderr.strip()}\n{statement}")
        return result.stdout.strip()


def wait_for(what, predicate, timeout, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    fail(f"{what}: not within {timeout} s")


def setup(liushou):
    out = liushou.run("bootstrap", "--data-dir", liushou.data, "--county-name", "告警县", "--admin-username", "county.admin")
    county = re.search(r"\(([0-9a-f-]{36})\)", out).group(1)
    town = re.search(r": ([0-9a-f-]{36})", liushou.run("admin", "create-unit", "--data-dir", liushou.data, "--kind", "town", "--name", "一乡",
                                                        "--code", "341122100000", "--parent", county)).group(1)
    village = re.search(r": ([0-9a-f-]{36})", liushou.run("admin", "create-unit", "--data-dir", liushou.data, "--kind", "village", "--name",
                                                           "甲村", "--code", "341122100001", "--parent", town)).group(1)
    return county, village


def sign_in(liushou):
    token = login(liushou.base, "county.admin", PASSWORD)
    try:
        call(liushou.base, "POST", "/v1/auth/password", {"currentPassword": PASSWORD, "newPassword": PASSWORD + "x"}, token=token)
        token = login(liushou.base, "county.admin", PASSWORD + "x")
    except ApiError:
        pass
    return token


def add_channel(liushou, token, county, port, key):
    url = f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key={key}"
    call(liushou.base, "POST", "/v1/alert-channels", {"unitId": county, "kind": "wecom", "name": "县民政局值班群", "url": url}, token=token)


def file_report(liushou, token, village, details):
    report = str(uuid.uuid4())
    call(liushou.base, "POST", "/v1/safeguarding-reports", {"id": report, "unitId": village, "kind": "living_alone", "details": details},
         token=token)
    delivery = liushou.sql(f"select d.id from alert_delivery d join alert_event e on e.id = d.event_id "
                           f"where e.dedupe_key = 'safeguarding.reported:{report}' and d.channel = 'wecom'")
    if not delivery or "\n" in delivery:
        fail(f"one WeCom delivery per report expected, found {delivery!r}")
    return delivery


def delivery_row(liushou, delivery):
    status, attempts, error, leased = liushou.sql(
        f"select status, attempts, coalesce(last_error, ''), coalesce(to_char(leased_until - now(), 'SS.MS'), '') "
        f"from alert_delivery where id = '{delivery}'").split("|")
    return status, int(attempts), error, leased


def server_log_findings(liushou):
    lines = open(liushou.log_path, encoding="utf-8", errors="replace").read().splitlines()
    marked = [line for line in lines if re.search(r"\b(error|critical|warning|notice)\b", line, re.I)]
    return marked


# ---------------------------------------------------------------- default mode: kill -9 around a delivery

def test(binary):
    work = tempfile.mkdtemp(prefix="liushou-alerts-")
    os.chmod(work, 0o711)
    liushou = Liushou(binary, work)
    port = free_port()
    key = "test" + uuid.uuid4().hex[:12]
    receiver = Receiver(port)
    # The lease a claim takes is max(LEASE_SECONDS, SEND_TIMEOUT + 5): 8 s here; it is the dead
    # server's claim whose lease the restarted server waits out, so every start has these knobs.
    knobs = {"LIUSHOU_ALERT_RETRY_BASE_SECONDS": "1", "LIUSHOU_ALERT_POLL_MS": "100", "LIUSHOU_ALERT_LEASE_SECONDS": "5",
             "LIUSHOU_ALERT_SEND_TIMEOUT": "3"}
    passed = False
    try:
        county, village = setup(liushou)
        step("bootstrapped a county, a town and a village")
        ready = liushou.serve(knobs)
        step(f"server ready in {ready:.1f} s ({' '.join(f'{k}={v}' for k, v in knobs.items())})")
        token = sign_in(liushou)
        add_channel(liushou, token, county, port, key)
        step(f"WeCom channel at the county -> http://127.0.0.1:{port}/cgi-bin/webhook/send?key=… (receiver closed)")

        # b. Kill between commit and delivery.
        step("b. kill -9 between commit and delivery")
        filed = time.time()
        delivery = file_report(liushou, token, village, "告警投递测试：提交后、送达前停机")
        step(f"   report filed (201, committed); delivery {delivery} pending")
        wait_for("the first failed attempt", lambda: delivery_row(liushou, delivery)[1] >= 1 and delivery_row(liushou, delivery)[2], 30)
        status, attempts, error, _ = delivery_row(liushou, delivery)
        step(f"   attempt {attempts} failed after {time.time() - filed:.1f} s: status={status} last_error={error!r}")
        liushou.kill9()
        orphan = liushou.postmaster()
        step(f"   server killed (-9); its PostgreSQL {'keeps running as an orphan, pid ' + str(orphan) if orphan else 'is gone'}")
        receiver.set_mode("answering")
        step("   receiver answering; starting the server again on the same data directory")
        restarted = time.time()
        ready = liushou.serve(knobs)
        adopted = liushou.postmaster() == orphan if orphan else None
        step(f"   server ready in {ready:.1f} s" + ("" if orphan is None else f" ({'it adopted the running cluster' if adopted else 'on a new postmaster'})"))
        got = wait_for("the delivery after the restart", lambda: receiver.received(delivery), 60)
        step(f"   delivered {got[0][2] - restarted:.1f} s after the restart ({got[0][2] - filed:.1f} s after the commit), "
             f"id {got[0][0]}")
        wait_for("the row marked sent", lambda: delivery_row(liushou, delivery)[0] == "sent", 30)
        time.sleep(2)
        got = receiver.received(delivery)
        status, attempts, _, _ = delivery_row(liushou, delivery)
        check_wecom(got[0], key)
        if len(got) != 1:
            fail(f"b: the receiver got delivery {delivery} {len(got)} times, expected once")
        if len(receiver.records) != 1:
            fail(f"b: the receiver got {len(receiver.records)} requests, expected 1: {[r[0] for r in receiver.records]}")
        if status != "sent":
            fail(f"b: the row is {status}")
        step(f"   b passed: exactly once at the receiver, same id as in SQL, row sent after {attempts} attempts")

        # c. Kill during a send.
        step("c. kill -9 during a send")
        receiver.set_mode("hanging")
        filed = time.time()
        delivery = file_report(liushou, token, village, "告警投递测试：发送中停机")
        step(f"   report filed; delivery {delivery}; receiver holds requests open")
        first = wait_for("the request at the hanging receiver", lambda: receiver.received(delivery), 30, 0.02)
        step(f"   the request arrived {first[0][2] - filed:.2f} s after the commit and is held open")
        _, attempts, _, leased = delivery_row(liushou, delivery)
        liushou.kill9()
        step(f"   server killed (-9) mid-send; the row shows attempts={attempts}, lease left {leased} s")
        receiver.set_mode("answering")
        restarted = time.time()
        ready = liushou.serve(knobs)
        step(f"   receiver answering again; server ready in {ready:.1f} s")
        again = wait_for("the delivery sent again", lambda: len(receiver.received(delivery)) >= 2 and receiver.received(delivery), 60)
        step(f"   sent again {again[1][2] - restarted:.1f} s after the restart ({again[1][2] - first[0][2]:.1f} s after the first arrival)")
        wait_for("the row marked sent", lambda: delivery_row(liushou, delivery)[0] == "sent", 30)
        time.sleep(2)
        got = receiver.received(delivery)
        status, attempts, _, _ = delivery_row(liushou, delivery)
        for record in got:
            check_wecom(record, key)
        if len(got) != 2:
            fail(f"c: the receiver got delivery {delivery} {len(got)} times, expected twice (the held request, then the retry)")
        if json.loads(got[0][3]) != json.loads(got[1][3]):
            fail("c: the repeat's body differs from the first request's")
        if status != "sent":
            fail(f"c: the row is {status}")
        step(f"   c passed: the receiver saw the same delivery id twice (one to drop), row sent after {attempts} attempts")

        liushou.stop()
        if liushou.stop_cluster():
            step("note: the server stopped but left its cluster running; stopped it with pg_ctl")
        findings = server_log_findings(liushou)
        step(f"server log: {len(findings)} lines at notice/warning/error")
        for line in findings[-15:]:
            print("   " + line[:300])
        passed = True
        step("alert delivery test passed")
    finally:
        receiver.set_mode("closed")
        if liushou.process:
            liushou.stop()
        liushou.stop_cluster(wait=60 if not passed else 5)
        if not passed:
            print("server log tail:\n" + liushou.log_tail())
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- --bench N

def baseline_client(port, n, body_path):
    """Hidden mode: N POSTs of the body from 64 keep-alive threads; prints the seconds."""
    body = open(body_path, "rb").read()
    counter = iter(range(n))
    lock = threading.Lock()
    errors = []

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            try:
                connection.request("POST", "/cgi-bin/webhook/send?key=baseline", body=body,
                                   headers={"content-type": "application/json; charset=utf-8", "x-liushou-delivery": f"baseline-{i}"})
                answer = connection.getresponse()
                if json.loads(answer.read()).get("errcode") != 0:
                    errors.append(i)
            except Exception as error:  # noqa: BLE001
                errors.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()

    started = time.time()
    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"seconds": time.time() - started, "errors": len(errors)}))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def bench(binary, n, overrides):
    work = tempfile.mkdtemp(prefix="liushou-alerts-bench-")
    os.chmod(work, 0o711)
    liushou = Liushou(binary, work)
    port = free_port()
    key = "bench" + uuid.uuid4().hex[:12]
    receiver = Receiver(port)
    knobs = {"LIUSHOU_ALERT_RATE_PER_MINUTE": "100000000", "LIUSHOU_ALERT_IN_FLIGHT": "64", **overrides}
    rows = []
    try:
        county, village = setup(liushou)
        ready = liushou.serve(knobs, log_level="warning")
        step(f"server ready in {ready:.1f} s ({' '.join(f'{k}={v}' for k, v in knobs.items())}, other knobs default)")
        receiver.set_mode("answering")
        token = sign_in(liushou)
        add_channel(liushou, token, county, port, key)
        account = liushou.sql("select id from account where username = 'county.admin'")
        warm = file_report(liushou, token, village, "warm-up")
        record = wait_for("the warm-up delivery", lambda: receiver.received(warm), 30)[0]
        check_wecom(record, key)
        body_path = os.path.join(work, "body.json")
        open(body_path, "wb").write(record[3])
        step(f"warm-up delivered; a delivery's body is {len(record[3])} bytes")

        # (i) Baseline: the receiver alone, same body, 64 keep-alive client threads in another process.
        result = subprocess.run([sys.executable, os.path.abspath(__file__), "--baseline-client", str(port), str(n), body_path],
                                capture_output=True, text=True)
        if result.returncode != 0:
            fail("baseline client: " + result.stderr)
        measured = json.loads(result.stdout)
        baseline = n / measured["seconds"]
        step(f"(i) baseline: {n} POSTs straight to the receiver in {measured['seconds']:.1f} s = {baseline:.0f} req/s "
             f"({measured['errors']} errors)")
        rows.append(("baseline: receiver alone", f"{baseline:.0f} req/s", f"{n} in {measured['seconds']:.1f} s"))

        # (ii) Burst: N reports in one transaction.
        before = len(receiver.records)
        command, env = liushou.psql_command()
        inserted = time.time()
        done = subprocess.run([*command, "-At", "-c",
                               f"insert into safeguarding_report (id, unit_id, kind, details, reported_by, reporter_name) "
                               f"select gen_random_uuid(), '{village}', 'missing', 'burst', '{account}', 'x' from generate_series(1, {n})"],
                              capture_output=True, text=True, env=env)
        committed = time.time()
        if done.returncode != 0:
            fail("burst insert: " + done.stderr)
        step(f"(ii) burst: {n} reports committed in one transaction ({committed - inserted:.1f} s for the insert and its triggers)")
        last_print = time.time()
        last_count = 0
        deadline = committed + max(300, n / 10)
        while len(receiver.records) - before < n:
            if time.time() > deadline:
                fail(f"burst: {len(receiver.records) - before} of {n} deliveries in {deadline - committed:.0f} s")
            time.sleep(0.05)
            if time.time() - last_print >= 5:
                count = len(receiver.records) - before
                step(f"     {count} received ({(count - last_count) / (time.time() - last_print):.0f}/s over the last 5 s)")
                last_print, last_count = time.time(), count
        burst = receiver.records[before:before + n]
        first_at = min(r[2] for r in burst)
        last_at = max(r[2] for r in burst)
        rate = n / (last_at - committed)
        step(f"     all {n} received {last_at - committed:.1f} s after the commit: {rate:.0f} deliveries/s "
             f"(first after {first_at - committed:.2f} s; {n / (last_at - first_at):.0f}/s first to last); "
             f"{rate / baseline:.2f} of the baseline")
        rows.append(("burst: deliveries/s from commit", f"{rate:.0f} /s", f"{rate / baseline:.2f} × baseline; all in {last_at - committed:.1f} s"))

        # (iii) Lag under a steady stream of ~50 reports/s (one row a transaction, one psql session).
        time.sleep(2)
        before = len(receiver.records)
        seconds, per_second = 20, 50
        stream = subprocess.Popen([*command, "-q", "-f", "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env=env, text=True)
        started = time.time()
        total = seconds * per_second
        for i in range(total):
            pause = started + i / per_second - time.time()
            if pause > 0:
                time.sleep(pause)
            stream.stdin.write(f"insert into safeguarding_report (id, unit_id, kind, details, reported_by, reporter_name) values "
                               f"(gen_random_uuid(), '{village}', 'missing', 'lag', '{account}', 'x');\n")
            stream.stdin.flush()
        stream.stdin.close()
        if stream.wait() != 0:
            fail("stream: " + stream.stderr.read())
        streamed = time.time() - started
        wait_for("the streamed deliveries", lambda: len(receiver.records) - before >= total, 120, 0.1)
        spread = liushou.sql("select extract(epoch from max(e.created_at) - min(e.created_at)) from safeguarding_report r "
                             "join alert_event e on e.dedupe_key = 'safeguarding.reported:' || r.id where r.details = 'lag'")
        created = dict(line.split("|") for line in liushou.sql(
            "select d.id, extract(epoch from e.created_at) from safeguarding_report r "
            "join alert_event e on e.dedupe_key = 'safeguarding.reported:' || r.id join alert_delivery d on d.event_id = e.id "
            "where r.details = 'lag'").splitlines())
        lags = [(r[2] - float(created[r[0]])) * 1000 for r in receiver.records[before:] if r[0] in created]
        p50, p99, worst = percentile(lags, 50), percentile(lags, 99), max(lags)
        step(f"(iii) stream: {total} reports in {streamed:.1f} s (created over {float(spread):.1f} s); lag p50 {p50:.0f} ms, "
             f"p99 {p99:.0f} ms, max {worst:.0f} ms")
        rows.append(("stream ~50/s: lag p50 / p99 / max", f"{p50:.0f} / {p99:.0f} / {worst:.0f} ms", f"{len(lags)} deliveries"))

        # Every delivery arrived, none twice, every row sent.
        time.sleep(2)
        ids = liushou.sql("select id from alert_delivery").split()
        statuses = liushou.sql("select status || ' ' || count(*) from alert_delivery group by status order by 1").replace("\n", ", ")
        seen = {}
        for r in receiver.records:
            seen[r[0]] = seen.get(r[0], 0) + 1
        missing = [i for i in ids if i not in seen]
        twice = {i: c for i, c in seen.items() if c > 1}
        unknown = [i for i in seen if i not in set(ids)]
        step(f"integrity: {len(ids)} deliveries in SQL ({statuses}); {len(receiver.records)} requests received; "
             f"{len(missing)} missing, {len(twice)} received more than once, {len(unknown)} unknown ids")
        rows.append(("integrity", f"{len(missing)} missing, {len(twice)} twice", f"{len(ids)} deliveries, {statuses}"))
        liushou.stop()
        if liushou.stop_cluster():
            step("note: the server stopped but left its cluster running; stopped it with pg_ctl")
        findings = server_log_findings(liushou)
        step(f"server log (warning level): {len(findings)} lines")
        for line in findings[-10:]:
            print("   " + line[:300])

        print(f"\n{'measure':36} {'value':24} note")
        for name, value, note in rows:
            print(f"{name:36} {value:24} {note}")
        print(f"total bench time {time.time() - STARTED:.0f} s")
        if missing or twice or unknown:
            fail("deliveries missing or repeated")
    finally:
        receiver.set_mode("closed")
        if liushou.process:
            liushou.stop()
        liushou.stop_cluster(wait=60)
        shutil.rmtree(work, ignore_errors=True)


def main():
    args = sys.argv[1:]
    if args and args[0] == "--baseline-client":
        baseline_client(int(args[1]), int(args[2]), args[3])
        return
    n = None
    if "--bench" in args:
        at = args.index("--bench")
        n = int(args[at + 1])
        del args[at:at + 2]
    overrides = {}
    while "--server-env" in args:
        at = args.index("--server-env")
        name, _, value = args[at + 1].partition("=")
        if not name.startswith("LIUSHOU_ALERT_"):
            raise SystemExit("--server-env takes LIUSHOU_ALERT_*=value")
        overrides[name] = value
        del args[at:at + 2]
    binary = args[0] if args else os.path.join(ROOT, ".build/debug/liushou")
    if n:
        bench(binary, n, overrides)
    else:
        test(binary)


if __name__ == "__main__":
    main()
