"""Shared pieces of the browser tests: real headless Chromium (Debian's package) driven over the
Chrome DevTools Protocol, a Liushou server on its embedded cluster with the demo county, and a small
API client. Screenshots go to .build/test-output/."""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import websocket

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT = os.path.join(ROOT, ".build/test-output")
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

# Chromium DevTools' classic "Slow 3G" preset (download/upload 500 kbit/s × 0.8, 2 s latency per request).
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 500 * 1000 / 8 * 0.8, "uploadThroughput": 500 * 1000 / 8 * 0.8}
# Lighthouse's mobile throttling ("Slow 4G": 150 ms, 1.6 Mbit/s down, 750 kbit/s up).
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1000 * 1000 / 8, "uploadThroughput": 750 * 1000 / 8}
ONLINE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
OFFLINE = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def id_number(born, sequence, area="341122"):
    """A valid GB 11643 number: sequence odd for men, even for women."""
    body = area + born.replace("-", "") + f"{sequence:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def call(base, method, path, body=None, token=None, headers=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("content-type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    if token:
        request.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise ApiError(error.code, error.read().decode("utf-8", "replace")) from None


def login(base, username, password):
    return call(base, "POST", "/v1/auth/login", {"username": username, "password": password})["token"]


class Server:
    """`liushou serve --demo` on a throw-away data directory; stop() and start() keep the data."""

    def __init__(self, binary, port=None):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="liushou-browser-")
        os.chmod(self.work, 0o711)
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log_path = os.path.join(self.work, "server.log")

    def start(self, timeout=300):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--data-dir", os.path.join(self.work, "data"), "--port", str(self.port), "--demo", "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("the server exited:\n" + open(self.log_path).read()[-4000:])
            try:
                urllib.request.urlopen(self.base + "/readyz", timeout=2)
                return self
            except Exception:
                time.sleep(0.5)
        raise SystemExit("the server did not become ready:\n" + open(self.log_path).read()[-4000:])

    def password(self):
        logins = open(os.path.join(self.work, "data", "demo-logins.txt"), encoding="utf-8").read()
        return logins.split("password for all: ")[1].split(")")[0]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # The embedded PostgreSQL may still be finishing its shutdown: a restart waits for it.
        pid_file = os.path.join(self.work, "data", "postgres", "postmaster.pid")
        deadline = time.time() + 60
        while os.path.exists(pid_file) and time.time() < deadline:
            time.sleep(0.2)

    def close(self):
        self.stop()
        shutil.rmtree(self.work, ignore_errors=True)


class Browser:
    """Headless Chromium with one page; workers (the service worker) are attached too, so network
    conditions can be set on every target at once."""

    def __init__(self, width=1366, height=768, mobile=False, scale=1):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="liushou-chromium-")
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            raise SystemExit("chromium is not installed (apt-get install chromium)")
        self.process = subprocess.Popen([binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                         f"--remote-debugging-port={self.port}", f"--user-data-dir={self.profile}",
                                         f"--window-size={width},{height}", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(150):
            try:
                version = json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/version", timeout=2))
                self.socket = websocket.create_connection(version["webSocketDebuggerUrl"], timeout=60)
                break
            except Exception:
                time.sleep(0.2)
        else:
            raise SystemExit("chromium did not open its debugging port")
        self.next_id = 0
        self.events = []
        self.workers = {}
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.page = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Target.setDiscoverTargets", discover=True)
        self.send("Target.setAutoAttach", autoAttach=True, waitForDebuggerOnStart=False, flatten=True, session=self.page)
        self.send("Target.setAutoAttach", autoAttach=True, waitForDebuggerOnStart=False, flatten=True)
        self.send("Page.enable", session=self.page)
        self.send("Runtime.enable", session=self.page)
        self.send("Network.enable", session=self.page)
        self.send("Emulation.setDeviceMetricsOverride", session=self.page, width=width, height=height, deviceScaleFactor=scale, mobile=mobile)
        if mobile:
            self.send("Emulation.setTouchEmulationEnabled", session=self.page, enabled=True)
        self.conditions = ONLINE

    def _handle(self, message):
        method = message.get("method")
        if method == "Target.attachedToTarget":
            info = message["params"]["targetInfo"]
            if info["type"] in ("service_worker", "worker", "shared_worker"):
                session = message["params"]["sessionId"]
                self.workers[session] = info
                try:
                    self.send("Network.enable", session=session, wait=False)
                    self.send("Network.emulateNetworkConditions", session=session, wait=False, **self.conditions)
                except Exception:
                    pass
        elif method == "Target.detachedFromTarget":
            self.workers.pop(message["params"].get("sessionId"), None)
        self.events.append(message)

    def send(self, method, session=None, wait=True, **params):
        self.next_id += 1
        request_id = self.next_id
        message = {"id": request_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        if not wait:
            return None
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == request_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._handle(reply)

    def pump(self, seconds=0.1):
        """Reads events for a while (attachments of new workers happen here)."""
        self.socket.settimeout(seconds)
        try:
            while True:
                message = json.loads(self.socket.recv())
                if "method" in message:
                    self._handle(message)
        except (websocket.WebSocketTimeoutException, TimeoutError):
            pass
        finally:
            self.socket.settimeout(60)

    def network(self, conditions):
        """Sets network conditions on the page and every worker (offline: True reaches the service worker too)."""
        self.conditions = conditions
        self.pump(0.2)
        for session in [self.page, *self.workers]:
            try:
                self.send("Network.emulateNetworkConditions", session=session, **conditions)
            except RuntimeError:
                pass

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", session=self.page, expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {json.dumps(result['exceptionDetails'])[:1500]}")
        return result["result"].get("value")

    def navigate(self, url):
        self.send("Page.navigate", session=self.page, url=url)

    def reload(self):
        """Reloads the page; the page's network conditions are applied again (a navigation resets
        navigator.onLine otherwise)."""
        self.send("Page.reload", session=self.page, ignoreCache=False)
        self.send("Network.emulateNetworkConditions", session=self.page, **self.conditions)

    def document_from_service_worker(self, path):
        """Whether the last response for a page URL ending in `path` came from the service worker."""
        answers = [e["params"]["response"] for e in self.events
                   if e.get("method") == "Network.responseReceived" and e.get("sessionId") == self.page
                   and e["params"]["response"]["url"].split("#")[0].endswith(path)]
        return bool(answers) and answers[-1].get("fromServiceWorker", False)

    def wait_for(self, expression, what, seconds=30):
        deadline = time.time() + seconds
        last_error = None
        while time.time() < deadline:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError as error:
                last_error = error
            self.pump(0.2)
        self.screenshot("timeout-" + "".join(c if c.isalnum() else "-" for c in what)[:60] + ".png")
        raise AssertionError(f"timed out waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))

    def lose_next_answer(self, url_part, trigger, seconds=30):
        """Lets the next request to a URL containing `url_part` reach the server and be handled there,
        then cuts its answer off (a connection lost while the answer was on its way back): the page
        sees a network failure for a request the server did carry out. `trigger()` sends it."""
        start = len(self.events)
        self.send("Fetch.enable", session=self.page, patterns=[{"urlPattern": f"*{url_part}*", "requestStage": "Response"}])
        try:
            trigger()
            deadline = time.time() + seconds
            while time.time() < deadline:
                paused = next((e for e in self.events[start:] if e.get("method") == "Fetch.requestPaused" and e.get("sessionId") == self.page), None)
                if paused:
                    status = paused["params"].get("responseStatusCode")
                    self.send("Fetch.failRequest", session=self.page, requestId=paused["params"]["requestId"], errorReason="ConnectionReset")
                    return status
                self.pump(0.2)
            raise AssertionError(f"no request to {url_part} within {seconds} s")
        finally:
            self.send("Fetch.disable", session=self.page)

    def allow_downloads(self, directory):
        """Saves the page's downloads (links with `download`, blobs) into `directory`."""
        os.makedirs(directory, exist_ok=True)
        self.send("Browser.setDownloadBehavior", behavior="allow", downloadPath=directory, eventsEnabled=True)

    def click(self, selector):
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click(), true")

    def screenshot(self, name):
        os.makedirs(OUTPUT, exist_ok=True)
        data = self.send("Page.captureScreenshot", session=self.page, format="png", captureBeyondViewport=True)["data"]
        path = os.path.join(OUTPUT, name)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def console_errors(self):
        errors = []
        for event in self.events:
            if event.get("method") == "Runtime.exceptionThrown" and event.get("sessionId") == self.page:
                errors.append(event["params"]["exceptionDetails"].get("exception", {}).get("description", "exception"))
            if event.get("method") == "Runtime.consoleAPICalled" and event["params"]["type"] == "error":
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in event["params"]["args"]))
        return errors

    def close(self):
        try:
            self.socket.close()
        except Exception:
            pass
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
