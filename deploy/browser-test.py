#!/usr/bin/env python3
"""Browser test of the joint-meeting page in real headless Chromium (Debian's package), over the
Chrome DevTools Protocol: starts the server on its embedded cluster with the seeded demo county,
files a few more people through the API, then in the browser logs in as the town admin, checks that
the town's indicator table shows the figures the API gives and drills into a village. Screenshots go to .build/test-output/. Exits non-zero
on any failure. Usage: deploy/browser-test.py [path to the liushou binary, default .build/debug/liushou]"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")
OUTPUT = os.path.join(ROOT, ".build/test-output")
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def id_number(born, sequence):
    body = "341122" + born.replace("-", "") + f"{sequence:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def child(name, sequence, village, guardian=True):
    details = {"schoolStage": "not_in_school", "boarding": False, "parentsAway": "both", "guardianshipType": "ordinary",
               "guardianshipAssessment": "fair" if guardian else "poor",
               "guardian": {"name": "王大爷", "phone": "13800138000", "relationship": "祖父", "idNumber": id_number("1950-01-01", 11)}}
    if guardian:
        details["guardianshipConfirmedOn"] = "2024-09-01"
    return {"name": name, "idNumber": id_number("2015-03-04", sequence), "ethnicity": "汉族", "householdRegistration": "安徽省示范县",
            "currentAddress": "东村 1 号", "villageId": village, "categories": [{"category": "left_behind_child", "startedOn": "2023-01-01"}],
            "health": {"status": "healthy"}, "child": details,
            "migrantFamily": [{"name": "王父", "relationship": "father", "phone": "13900139000", "workProvince": "浙江省"}]}


class Browser:
    def __init__(self, port):
        self.port = port
        self.profile = tempfile.mkdtemp(prefix="liushou-chromium-")
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            raise SystemExit("chromium is not installed (apt-get install chromium)")
        self.process = subprocess.Popen([binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                         f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}", "--window-size=1400,1000",
                                         "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2))
                page = next(t for t in targets if t.get("type") == "page")
                self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
                break
            except Exception:
                time.sleep(0.2)
        else:
            raise SystemExit("chromium did not open its debugging port")
        self.next_id = 0

    def send(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")

    def screenshot(self, name):
        import base64
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path = os.path.join(OUTPUT, name)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    os.makedirs(OUTPUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="liushou-browser-")
    os.chmod(work, 0o711)
    port = free_port()
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([BINARY, "serve", "--data-dir", os.path.join(work, "data"), "--port", str(port), "--demo", "--log-level", "warning"],
                              stdout=log, stderr=subprocess.STDOUT)
    browser = None
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(900):  # the demo seed runs before the server listens
            try:
                urllib.request.urlopen(base + "/readyz", timeout=2)
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("the server did not become ready:\n" + open(os.path.join(work, "server.log")).read())
        logins = open(os.path.join(work, "data", "demo-logins.txt"), encoding="utf-8").read()
        password = logins.split("password for all: ")[1].split(")")[0]
        cadre = call(base, "POST", "/v1/auth/login", {"username": "demo.cadre", "password": password})["token"]
        village = next(g["unitId"] for g in call(base, "GET", "/v1/auth/me", token=cadre)["grants"] if g["role"] == "village_cadre")
        town_token = call(base, "POST", "/v1/auth/login", {"username": "demo.town", "password": password})["token"]
        town_id = next(g["unitId"] for g in call(base, "GET", "/v1/auth/me", token=town_token)["grants"] if g["role"] == "town_admin")

        def guardian_of_east():
            rows = call(base, "GET", f"/v1/dashboard?unitId={town_id}", token=town_token)["rows"]
            row = next(r for r in rows if r["unitName"] == "东村")
            return next((i["numerator"], i["denominator"]) for i in row["indicators"] if i["key"] == "guardian")

        before = guardian_of_east()
        assert before[1] > 50, f"the seeded 东村 holds children: {before}"
        # Sequences 9xx are never used by the seed.
        for sequence, name, guardian in [(901, "王小明", True), (903, "李小红", True), (905, "张小军", False)]:
            call(base, "POST", "/v1/persons", child(name, sequence, village, guardian), token=cadre)
        after = guardian_of_east()
        assert after == (before[0] + 2, before[1] + 3), f"东村 guardian counts after three children (two guarded): {before} -> {after}"

        browser = Browser(free_port())
        browser.send("Page.enable")
        browser.send("Page.navigate", url=base + "/dashboard")
        browser.wait_for("document.readyState === 'complete' && !!document.getElementById('login')", "the login form")
        browser.evaluate(f"""(() => {{
            document.getElementById('username').value = 'demo.town';
            document.getElementById('password').value = {json.dumps(password)};
            document.getElementById('login').requestSubmit();
            return true; }})()""")
        browser.wait_for("document.querySelectorAll('#indicators tbody tr').length >= 2", "the town's indicator table")
        browser.wait_for("document.querySelectorAll('#charts .chart svg').length > 0", "the trend charts")
        assert browser.evaluate("getComputedStyle(document.getElementById('login')).display") == "none", "the login form is hidden after login"
        table = browser.evaluate("document.getElementById('indicators').innerText")
        title = browser.evaluate("document.getElementById('title').innerText")
        assert "城关镇" in title, f"town title: {title}"
        assert "结对帮扶率" in table and "建档完整率" in table, f"indicator headers: {table[:300]}"
        assert "东村" in table and "西村" in table, f"village rows: {table[:500]}"
        # The page shows the API's figures for 东村, three children added included.
        row = browser.evaluate("[...document.querySelectorAll('#indicators tbody tr')].find(r => r.innerText.includes('东村')).innerText")
        assert f"{after[0]} / {after[1]}" in row, f"东村 guardian fraction {after} not in: {row}"
        town_shot = browser.screenshot("dashboard-town.png")
        browser.evaluate("[...document.querySelectorAll('a.drill')].find(a => a.textContent === '东村').click()")
        browser.wait_for("document.getElementById('title').innerText.includes('东村')", "the village after drilling down")
        browser.wait_for("document.querySelectorAll('#indicators tbody tr').length >= 1", "the village table")
        crumbs = browser.evaluate("document.getElementById('crumbs').innerText")
        assert "城关镇" in crumbs and "东村" in crumbs, f"breadcrumbs: {crumbs}"
        village_table = browser.evaluate("document.getElementById('indicators').innerText")
        assert "东村一组" in village_table, f"grid row: {village_table[:300]}"
        village_shot = browser.screenshot("dashboard-village.png")

        # Logging out leaves the form empty for the next person at the desk.
        browser.evaluate("document.getElementById('logout').click()")
        browser.wait_for("!document.getElementById('login').hidden", "the login form after logout")
        fields = browser.evaluate("[document.getElementById('username').value, document.getElementById('password').value]")
        assert fields == ["", ""], f"the login form keeps the last user's login after logout: {fields}"

        # A village cadre, with the town (outside the cadre's scope) left in the address by the town's
        # visit: the cadre's own village is shown, every figure under its own heading, and no legal-aid
        # column (a cadre may not read legal aid).
        browser.evaluate(f"history.replaceState(null, '', '#unitId={town_id}')")
        browser.evaluate(f"""(() => {{
            document.getElementById('username').value = 'demo.cadre';
            document.getElementById('password').value = {json.dumps(password)};
            document.getElementById('login').requestSubmit();
            return true; }})()""")
        browser.wait_for("!document.getElementById('board').hidden && document.getElementById('title').innerText.includes('东村')",
                         "the cadre's village instead of the town in the address")
        columns = browser.evaluate("[...document.querySelectorAll('#indicators thead th')].slice(1).map(th => th.dataset.key || th.innerText)")
        api_row = call(base, "GET", f"/v1/dashboard?unitId={village}", token=cadre)["rows"][0]
        api_keys = [i["key"] for i in api_row["indicators"]]
        assert "legal_aid" not in api_keys, f"a cadre's dashboard carries legal aid: {api_keys}"
        assert columns[:len(api_keys)] == api_keys, f"the cadre's headings {columns} are not the row's indicators {api_keys}"
        cells = browser.evaluate("[...document.querySelectorAll('#indicators tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.dataset.key || td.innerText))")
        for cells_of_row in cells:
            assert cells_of_row[:len(api_keys)] == api_keys, f"a row's cells {cells_of_row} do not sit under {api_keys}"
            assert cells_of_row[len(api_keys)] == str(api_row["counts"]["persons"]) or cells_of_row is not cells[0], \
                f"在管人员 of the village: {cells_of_row} against {api_row['counts']['persons']}"
        cadre_shot = browser.screenshot("dashboard-cadre.png")
        print(f"browser test passed: town and village pages rendered, logout empties the form, a cadre's columns line up; "
              f"screenshots {town_shot}, {village_shot}, {cadre_shot}")
    finally:
        if browser:
            browser.close()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
