#!/usr/bin/env python3
"""The field app (/app/) in real headless Chromium at a 360×640 phone viewport, over the DevTools
protocol. A grid worker logs in, sees today's due list, goes offline (page and service worker),
reloads the app offline, records 20 checks (some with needs, some nobody home), comes back online and
the outbox drains; the server then holds exactly those checks (by id), their follow-ups exist and the
obligations moved. Then the server is stopped in the middle of a sync (after it committed, before it
answered) and restarted: after the retry it still holds each check once. Logging out clears cached
records and keeps unsent ones, which go after the next login. A volunteer records a visit offline the
same way. Last, first-load transfer size and time to usable on throttled networks are printed.
Usage: deploy/browser/field_app_test.py [path to the liushou binary]"""
import http.client
import json
import re
import os
import sys
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import OFFLINE, ONLINE, ROOT, SLOW_3G, SLOW_4G, Browser, Server, call, free_port, id_number, login  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")

OUTBOX = """new Promise((resolve, reject) => { const q = indexedDB.open('liushou-field'); q.onerror = () => reject(q.error);
  q.onsuccess = () => { const t = q.result.transaction('outbox').objectStore('outbox').getAll();
    t.onsuccess = () => { q.result.close(); resolve(t.result.map(x => ({ id: x.id, state: x.state, kind: x.kind, accountId: x.accountId,
      personId: x.payload.personId, outcome: x.payload.outcome, needs: x.payload.needs || [], occurredAt: x.payload.occurredAt }))); }; }; })"""
CACHE_KEYS = """new Promise((resolve) => { const q = indexedDB.open('liushou-field');
  q.onsuccess = () => { const t = q.result.transaction('cache').objectStore('cache').getAllKeys(); t.onsuccess = () => { q.result.close(); resolve(t.result); }; }; })"""


class Proxy:
    """Passes requests from the browser to the server. Armed, it forwards the next batch upload,
    lets the server commit it, stops the server and drops the connection without an answer."""

    def __init__(self, target_port, on_cut):
        self.target_port = target_port
        self.armed = False
        self.cuts = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                try:
                    upstream = http.client.HTTPConnection("127.0.0.1", proxy.target_port, timeout=60)
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                except OSError:
                    self.close_connection = True
                    self.connection.close()
                    return
                if proxy.armed and self.command == "POST" and self.path.endswith("/batch"):
                    proxy.armed = False
                    on_cut()
                    proxy.cuts += 1
                    self.close_connection = True
                    self.connection.close()
                    return
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                        self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.port}"

    def close(self):
        self.httpd.shutdown()


def record_next(browser, recorded):
    """Opens the record form of the first listed person not yet recorded in this test."""
    browser.wait_for("document.querySelectorAll('a.record-button').length > 0", "the due list")
    person = browser.evaluate(f"""(() => {{
        const done = new Set({json.dumps(sorted(recorded))});
        const row = [...document.querySelectorAll('.person')].find(r => r.querySelector('a.record-button')
            && !done.has(r.querySelector('a.name').getAttribute('href').split('/').pop()));
        if (!row) return null;
        row.querySelector('a.record-button').click();
        return row.querySelector('a.name').getAttribute('href').split('/').pop(); }})()""")
    assert person, "a listed person not yet recorded"
    recorded.add(person)
    return person


def outbox(browser):
    return browser.evaluate(OUTBOX)


def fill_login(browser, username, password):
    browser.wait_for("!!document.querySelector('input[name=username]')", "the login form")
    browser.evaluate(f"""(() => {{ document.querySelector('input[name=username]').value = {json.dumps(username)};
        document.querySelector('input[name=password]').value = {json.dumps(password)};
        document.querySelector('form').requestSubmit(); return true; }})()""")


def record_through_form(browser, outcome, needs=(), notes=None, activities=(), screenshot=None):
    """Fills the open record form and saves it."""
    browser.wait_for("!!document.querySelector('form input[name=outcome]')", "the record form")
    browser.evaluate(f"""(() => {{
        const form = document.querySelector('form');
        const pick = (name, value) => {{ const box = form.querySelector(`input[name=${{name}}][value=${{value}}]`); box.click(); }};
        pick('outcome', {json.dumps(outcome)});
        for (const need of {json.dumps(list(needs))}) pick('needs', need);
        for (const activity of {json.dumps(list(activities))}) pick('activities', activity);
        if ({json.dumps(notes)}) form.querySelector('textarea[name=notes]').value = {json.dumps(notes or "")};
        return true; }})()""")
    if screenshot:
        browser.screenshot(screenshot)
    browser.evaluate("document.querySelector('form').requestSubmit(), true")
    browser.wait_for("!document.querySelector('form input[name=outcome]')", "the form to close after saving")


def set_up_people(base, password, grid_token, cadre_token, needed):
    """Makes sure the grid worker has at least `needed` people due today: people filed in their grid
    whose last knock (made through the API, two days ago) is overdue."""
    tasks = call(base, "GET", "/v1/tasks", token=grid_token)["items"]
    have = len({t["personId"] for t in tasks})
    if have >= needed:
        return
    me = call(base, "GET", "/v1/auth/me", token=grid_token)
    grid = next(g["unitId"] for g in me["grants"] if g["role"] == "grid_worker")
    unit = call(base, "GET", f"/v1/units/{grid}", token=cadre_token)
    village = unit.get("parentId")
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    two_days_ago = (datetime.now(timezone.utc) - timedelta(days=2)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    for n in range(needed - have):
        person_id = str(uuid.uuid4())
        sequence = 700 + 2 * n + 1
        file = {"id": person_id, "name": surnames[n % len(surnames)] + "测试" + "一二三四五六七八九十"[n % 10], "idNumber": id_number("2014-05-06", sequence),
                "ethnicity": "汉族", "householdRegistration": "安徽省示范县", "currentAddress": f"测试组 {n + 1} 号", "villageId": village, "gridId": grid,
                "categories": [{"category": "left_behind_child", "startedOn": "2023-01-01"}], "health": {"status": "healthy"},
                "child": {"schoolStage": "primary", "boarding": False, "parentsAway": "both", "guardianshipType": "ordinary",
                          "guardianshipAssessment": "fair", "guardianshipConfirmedOn": "2024-09-01",
                          "guardian": {"name": "王大爷", "phone": "13800138000", "relationship": "祖父", "idNumber": id_number("1950-01-01", 11)}},
                "migrantFamily": [{"name": "王父", "relationship": "father", "phone": "13900139000", "workProvince": "浙江省"}]}
        call(base, "POST", "/v1/persons", file, token=cadre_token)
        call(base, "POST", "/v1/door-checks", {"id": str(uuid.uuid4()), "personId": person_id, "occurredAt": two_days_ago, "channel": "in_person",
                                               "kind": "grid_knock", "outcome": "all_well"}, token=grid_token)


TEST_START = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=1)


def check_server_holds(base, token, records, label):
    """The server holds each record under its client id, and no other check of these people was made
    during the test: a retry that minted a new id, or a record sent twice, would show as an extra."""
    by_person = {}
    for record in records:
        by_person.setdefault(record["personId"].lower(), []).append(record)
    everything = []
    for person in by_person:
        checks = call(base, "GET", f"/v1/persons/{person}/door-checks", token=token)["items"]
        everything += [c for c in checks if datetime.fromisoformat(c["occurredAt"].replace("Z", "+00:00")) >= TEST_START]
    stored = sorted(c["id"].lower() for c in everything)
    expected = sorted(r["id"] for r in records)
    mine = [i for i in stored if i in set(expected)]
    assert mine == expected, f"{label}: every record stored once: {len(mine)} of {len(expected)}"
    print(f"{label}: the server holds each of {len(records)} checks exactly once ({len(stored)} checks of these people since the test began)")


def grid_worker_flow(server, proxy, password):
    base = server.base
    grid_token = login(base, "demo.grid", password)
    cadre_token = login(base, "demo.cadre", password)
    set_up_people(base, password, grid_token, cadre_token, 26)

    browser = Browser(360, 640, mobile=True, scale=2)
    try:
        browser.navigate(proxy.base + "/app/")
        fill_login(browser, "demo.grid", password)
        browser.wait_for("document.querySelectorAll('a.record-button').length >= 20", "today's due list")
        browser.wait_for("document.querySelector('main p.muted') && document.querySelector('main p.muted').textContent.includes('更新于')", "the refresh time")
        browser.screenshot("field-today.png")
        # Each person shows an age (from the birth year: the task list carries no birth date), never a bare "岁".
        ages = browser.evaluate("[...document.querySelectorAll('div.person .who .muted.small')].map(e => e.textContent)")
        assert ages and all(re.search(r"\d+岁", text) for text in ages), f"every person on the list has an age: {ages[:3]}"
        # The service worker must control the page before the network goes away.
        browser.wait_for("navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller || (location.reload(), false))",
                         "the service worker to control the page", seconds=60)
        browser.wait_for("!!navigator.serviceWorker.controller && document.querySelectorAll('a.record-button').length >= 20", "the controlled page")

        browser.network(OFFLINE)
        browser.reload()
        browser.wait_for("document.readyState === 'complete' && document.querySelectorAll('a.record-button').length >= 20", "the app and cached list, offline")
        assert not browser.evaluate("navigator.onLine"), "the page is offline"
        assert browser.document_from_service_worker("/app/"), "the offline page came from the service worker"
        status = browser.evaluate("document.getElementById('net').textContent")
        assert "离线" in status, f"offline indicator: {status}"
        browser.screenshot("field-offline-today.png")

        plan = []
        for i in range(20):
            if i % 5 == 0:
                plan.append(("needs_follow_up", ["health", "safety"]))
            elif i % 7 == 3:
                plan.append(("not_home", []))
            else:
                plan.append(("all_well", []))
        recorded = set()
        for i, (outcome, needs) in enumerate(plan):
            record_next(browser, recorded)
            record_through_form(browser, outcome, needs, notes="需要联系卫生院" if needs else None,
                                screenshot="field-form.png" if i == 0 else None)
        records = outbox(browser)
        assert len(records) == 20 and all(r["state"] == "pending" for r in records), f"20 pending records: {records}"
        # Time-ordered ids (UUID v7), made on this machine's clock while the checks were recorded.
        made = [int(r["id"].replace("-", "")[:12], 16) / 1000 for r in records]
        assert all(uuid.UUID(r["id"]).version == 7 and uuid.UUID(r["id"]).variant == uuid.RFC_4122 for r in records), \
            f"v7 ids: {[r['id'] for r in records]}"
        assert all(abs(t - time.time()) < 600 for t in made), f"ids made in the last minutes: {made}"
        browser.evaluate("location.hash = '#/outbox', true")
        browser.wait_for("document.querySelectorAll('li[data-state=pending]').length === 20", "the outbox listing 20 pending records")
        browser.screenshot("field-outbox-offline.png")

        browser.network(ONLINE)
        browser.wait_for(f"({OUTBOX}).then(rs => rs.length === 20 && rs.every(r => r.state === 'sent'))", "the outbox to drain", seconds=90)
        browser.wait_for("document.querySelectorAll('li[data-state=sent]').length === 20", "the outbox showing 20 sent")
        browser.screenshot("field-outbox-online.png")
        records = outbox(browser)
        check_server_holds(base, cadre_token, records, "after reconnecting")
        all_records = list(records)

        # Follow-ups for the needs; obligations moved for people seen, not for nobody home.
        open_follow_ups = call(base, "GET", "/v1/follow-ups?status=open", token=cadre_token)["items"]
        with_needs = [r for r in records if r["needs"]]
        for record in with_needs:
            found = [f for f in open_follow_ups if (f.get("checkId") or "").lower() == record["id"] and f["need"] == "safety"]
            assert len(found) == 1, f"one safety follow-up for check {record['id']}: {found}"
        for record in records:
            obligations = call(base, "GET", f"/v1/persons/{record['personId']}/obligations", token=cadre_token)["items"]
            knock = next(o for o in obligations if "grid_knock" in o["checkKinds"])
            moved = knock["lastCheckAt"] == record["occurredAt"]
            if record["outcome"] == "not_home":
                assert not moved, f"a nobody-home knock must not satisfy the obligation: {knock}"
            else:
                assert moved, f"the obligation moved to the check's time: {knock} vs {record['occurredAt']}"
        print(f"follow-ups: {len(with_needs)} checks with needs each opened theirs; obligations moved for {sum(r['outcome'] != 'not_home' for r in records)} people seen")

        # The server stops in the middle of a sync (after committing, before answering) and restarts.
        browser.network(OFFLINE)
        browser.evaluate("location.hash = '#/today', true")
        for _ in range(5):
            record_next(browser, recorded)
            record_through_form(browser, "all_well")
        proxy.armed = True
        browser.network(ONLINE)
        deadline = time.time() + 90
        while proxy.cuts == 0 and time.time() < deadline:
            browser.pump(0.5)
        assert proxy.cuts == 1, "the sync reached the server and was cut"
        browser.wait_for(f"({OUTBOX}).then(rs => rs.filter(r => r.state === 'pending').length === 5)", "five records still pending after the cut")
        server.start()
        browser.evaluate("location.hash = '#/outbox', true")
        browser.wait_for("!!document.querySelector('main button.primary') && !document.querySelector('main button.primary').disabled", "the upload button")
        browser.evaluate("document.querySelector('main button.primary').click(), true")
        browser.wait_for(f"({OUTBOX}).then(rs => rs.every(r => r.state !== 'pending'))", "the retry after the restart", seconds=60)
        records = outbox(browser)
        retried = [r for r in records if r["state"] == "duplicate"]
        assert len(retried) == 5, f"the 5 retried records were answered duplicate: {[r['state'] for r in records]}"
        check_server_holds(base, login(base, "demo.cadre", password), records, "after the server restarted mid-sync")
        # No other check appeared for these people: 25 records, 25 checks since the test began.
        stored = sum(1 for person in {r["personId"] for r in records}
                     for c in call(base, "GET", f"/v1/persons/{person}/door-checks", token=login(base, "demo.cadre", password))["items"]
                     if datetime.fromisoformat(c["occurredAt"].replace("Z", "+00:00")) >= TEST_START)
        assert stored == len(records), f"exactly the records, no duplicate under a new id: {stored} checks for {len(records)} records"
        browser.screenshot("field-outbox-after-restart.png")

        # Idle for over 30 minutes, online: the lock ends the session on the server too (no other page of
        # this browser may use it), and unlocking logs in again.
        browser.evaluate("localStorage.setItem('liushou.lastActivity', String(Date.now() - 31 * 60 * 1000)); location.hash = '#/today'; true")
        browser.reload()
        browser.wait_for("document.querySelector('main h2') && document.querySelector('main h2').textContent === '已锁定'", "the idle lock (online)")
        browser.wait_for("fetch('/v1/auth/me', {cache: 'no-store'}).then(r => r.status === 401)", "the server session ended by the lock")
        browser.evaluate(f"""(() => {{ const f = document.querySelector('main form'); f.querySelector('input[name=password]').value = {json.dumps(password)};
            f.requestSubmit(); return true; }})()""")
        browser.wait_for("document.querySelectorAll('a.record-button').length > 0", "today's list again after unlocking online")
        browser.wait_for("fetch('/v1/auth/me', {cache: 'no-store'}).then(r => r.status === 200)", "a new server session after unlocking")

        # Idle for over 30 minutes, offline: the app locks, keeps its data, and unlocks with the password.
        browser.network(OFFLINE)
        browser.evaluate("localStorage.setItem('liushou.lastActivity', String(Date.now() - 31 * 60 * 1000)); location.hash = '#/today'; true")
        browser.reload()
        browser.wait_for("document.querySelector('main h2') && document.querySelector('main h2').textContent === '已锁定'", "the idle lock")
        assert browser.evaluate("document.getElementById('tabs').hidden"), "nothing but the lock shows"
        browser.screenshot("field-locked.png")
        browser.evaluate("""(() => { const f = document.querySelector('main form'); f.querySelector('input[name=password]').value = 'wrong-Password1';
            f.requestSubmit(); return true; })()""")
        browser.wait_for("document.querySelector('main .field-error[role=alert]:not(:empty)') !== null", "a wrong password refused offline")
        browser.evaluate(f"""(() => {{ const f = document.querySelector('main form'); f.querySelector('input[name=password]').value = {json.dumps(password)};
            f.requestSubmit(); return true; }})()""")
        browser.wait_for("document.querySelectorAll('a.record-button').length > 0", "today's list again after unlocking offline")
        assert browser.evaluate(CACHE_KEYS), "the lock kept the cached list"

        # Logout clears cached records and keeps what still waits; the next login sends it.
        browser.network(OFFLINE)
        browser.evaluate("location.hash = '#/today', true")
        record_next(browser, recorded)
        record_through_form(browser, "all_well")
        browser.evaluate("window.confirm = () => true; location.hash = '#/me', true")
        browser.wait_for("[...document.querySelectorAll('main button')].some(b => b.textContent === '退出登录')", "the logout button")
        browser.evaluate("[...document.querySelectorAll('main button')].find(b => b.textContent === '退出登录').click(), true")
        browser.wait_for("!!document.querySelector('input[name=username]')", "the login form after logout")
        keys = browser.evaluate(CACHE_KEYS)
        assert keys == [], f"logout cleared the cached records: {keys}"
        left = outbox(browser)
        assert [r["state"] for r in left] == ["pending"], f"only the unsent record stays after logout: {left}"
        browser.screenshot("field-logged-out.png")
        browser.network(ONLINE)
        fill_login(browser, "demo.grid", password)
        browser.wait_for(f"({OUTBOX}).then(rs => rs.length === 1 && rs[0].state === 'sent')", "the kept record to go after the next login", seconds=60)
        check_server_holds(base, login(base, "demo.cadre", password), outbox(browser), "after logging in again")
        errors = browser.console_errors()
        assert not errors, f"no script errors: {errors}"
    finally:
        browser.close()


def cadre_flow(server, password):
    """A village cadre on the phone: the person card (masked numbers, hotlines), a follow-up routed to
    them resolved, and a safeguarding report drafted offline (kept, not sent) and filed online."""
    base = server.base
    cadre_token = login(base, "demo.cadre", password)
    follow_ups = call(base, "GET", "/v1/follow-ups?status=open", token=cadre_token)["items"]
    mine = [f for f in follow_ups if f["routedRole"] == "village_cadre" and f.get("personId")]
    assert mine, "the grid worker's checks opened follow-ups for the cadre"
    person = mine[0]["personId"].lower()
    browser = Browser(360, 640, mobile=True, scale=2)
    try:
        browser.navigate(base + "/app/")
        fill_login(browser, "demo.cadre", password)
        browser.wait_for("!!document.querySelector('#tabs a[data-tab=followups]:not([hidden])')", "the follow-ups tab")
        browser.evaluate(f"location.hash = '#/person/{person}', true")
        browser.wait_for("document.querySelectorAll('a[href^=\"tel:\"]').length >= 6", "the person card with hotlines")
        card = browser.evaluate("document.querySelector('main').innerText")
        assert "****" in card and "110" in card, f"masked phones and hotlines on the card: {card[:400]}"
        browser.screenshot("field-person-card.png")

        browser.evaluate("location.hash = '#/followups', true")
        browser.wait_for("document.querySelectorAll('main .card button').length > 0", "my follow-ups")
        browser.screenshot("field-followups.png")
        small = browser.evaluate("[...document.querySelectorAll('main a.tap')].map(a => a.getBoundingClientRect().height).filter(h => h < 44)")
        assert browser.evaluate("document.querySelectorAll('main a.tap').length") > 0 and not small, f"查看档案 links at least 44 px high: {small}"
        count = browser.evaluate("document.querySelectorAll('main .card form').length")
        browser.evaluate("""(() => { const card = document.querySelector('main .card'); card.querySelector('button').click();
            const form = card.querySelector('form'); form.querySelector('textarea').value = '已电话联系监护人，情况已了解';
            form.requestSubmit(); return true; })()""")
        browser.wait_for(f"document.querySelectorAll('main .card form').length === {count - 1}", "the resolved follow-up to leave the list")
        resolved = call(base, "GET", "/v1/follow-ups?status=resolved", token=cadre_token)["items"]
        assert any(f["resolution"] == "已电话联系监护人，情况已了解" for f in resolved), "the follow-up is resolved on the server"

        browser.network(OFFLINE)
        browser.evaluate(f"location.hash = '#/report?person={person}', true")
        browser.wait_for("!!document.querySelector('main textarea[name=details]')", "the report form")
        browser.evaluate("""(() => { const form = document.querySelector('main form');
            form.querySelector('input[name=kind][value=living_alone]').click();
            const details = form.querySelector('textarea[name=details]'); details.value = '孩子连续两天独自在家，监护人外出未归';
            details.dispatchEvent(new Event('input', { bubbles: true })); form.requestSubmit(); return true; })()""")
        browser.wait_for("!document.querySelector('main p.banner.bad').hidden", "the offline warning")
        browser.screenshot("field-report-offline.png")
        height = browser.evaluate("document.querySelector('main label.row.check').getBoundingClientRect().height")
        assert height >= 44, f"the 已报警 checkbox's line is a 44 px target: {height}"
        browser.reload()
        browser.evaluate(f"location.hash = '#/report?person={person}', true")
        browser.wait_for("(document.querySelector('main textarea[name=details]') || {}).value === '孩子连续两天独自在家，监护人外出未归'", "the draft kept offline")
        # The form for another person starts empty (one child's account never moves to another) and
        # names the draft still waiting; that draft opens from there as it was left.
        other = next(p["id"].lower() for p in call(base, "GET", "/v1/persons?limit=5", token=cadre_token)["items"] if p["id"].lower() != person)
        browser.evaluate(f"location.hash = '#/report?person={other}', true")
        browser.wait_for(f"!!document.querySelector('main .banner.warn a[href=\"#/report?person={person}\"]')", "the other draft named")
        assert browser.evaluate("document.querySelector('main textarea[name=details]').value") == "", "another person's form starts empty"
        assert browser.evaluate("!document.querySelector('main input[name=kind]:checked')"), "another person's form has no kind chosen"
        browser.screenshot("field-report-other-person.png")
        browser.evaluate(f"document.querySelector('main .banner.warn a[href=\"#/report?person={person}\"]').click(), true")
        browser.wait_for("(document.querySelector('main textarea[name=details]') || {}).value === '孩子连续两天独自在家，监护人外出未归'", "the first draft again")
        assert browser.evaluate("document.querySelector('main input[name=kind]:checked').value") == "living_alone", "the first draft's kind"
        browser.network(ONLINE)
        browser.evaluate("document.querySelector('main form').requestSubmit(), true")
        browser.wait_for("!!document.querySelector('main .banner.ok')", "the report filed")
        supervisor = login(base, "demo.supervisor", password)
        reports = call(base, "GET", "/v1/safeguarding-reports", token=supervisor)["items"]
        assert any((r.get("personId") or "").lower() == person and r["kind"] == "living_alone" for r in reports), "the supervisor sees the report"
        browser.screenshot("field-report-filed.png")

        # A report whose answer is lost on the way back (the server has it), then edited and sent again:
        # the reporter is told the first one arrived; what was added stays and goes as a report of its own.
        draft_id = f"""new Promise((resolve) => {{ const q = indexedDB.open('liushou-field'); q.onsuccess = () => {{
            const get = q.result.transaction('drafts').objectStore('drafts').get('report:{other}');
            get.onsuccess = () => {{ q.result.close(); resolve(get.result ? get.result.id : null); }}; }}; }})"""
        browser.evaluate(f"location.hash = '#/report?person={other}', true")
        browser.wait_for("!!document.querySelector('main textarea[name=details]') && !document.querySelector('main .banner.ok')", "the report form for another child")
        browser.evaluate("""(() => { const form = document.querySelector('main form');
            form.querySelector('input[name=kind][value=neglect]').click();
            const details = form.querySelector('textarea[name=details]'); details.value = '孩子连续三天没有吃午饭，祖母卧病在床';
            details.dispatchEvent(new Event('input', { bubbles: true })); return true; })()""")
        browser.wait_for(f"{draft_id}.then((id) => !!id)", "the draft kept with its id")
        first_id = browser.evaluate(draft_id)
        status = browser.lose_next_answer("/v1/safeguarding-reports", lambda: browser.evaluate("document.querySelector('main form').requestSubmit(), true"))
        assert status == 201, f"the server filed the report whose answer was lost: {status}"
        browser.wait_for("[...document.querySelectorAll('main form p.field-error')].some((p) => p.textContent.includes('提交失败'))", "the lost answer told as a failure")
        browser.evaluate("""(() => { const details = document.querySelector('main textarea[name=details]');
            details.value += '。补充：今天也没有上学';
            details.dispatchEvent(new Event('input', { bubbles: true })); document.querySelector('main form').requestSubmit(); return true; })()""")
        browser.wait_for("!document.getElementById('report-earlier').hidden", "the earlier report named as arrived")
        notice = browser.evaluate("document.getElementById('report-earlier').innerText")
        assert "已经送达" in notice and "新的报告" in notice, notice
        assert browser.evaluate("document.querySelector('main textarea[name=details]').value").endswith("补充：今天也没有上学"), "the added text stays"
        second_id = browser.evaluate(draft_id)
        assert second_id and second_id != first_id, f"the draft takes a new id after the conflict: {first_id} → {second_id}"
        browser.evaluate("document.getElementById('report-earlier').scrollIntoView(), true")
        browser.screenshot("field-report-earlier-arrived.png")
        browser.evaluate("document.querySelector('main form').requestSubmit(), true")
        browser.wait_for("!!document.querySelector('main .banner.ok')", "the added text filed as a report of its own")
        filed = [r for r in call(base, "GET", "/v1/safeguarding-reports", token=supervisor)["items"] if (r.get("personId") or "").lower() == other]
        assert {r["id"].lower() for r in filed} >= {first_id.lower(), second_id.lower()}, f"both reports reached the supervisor: {filed}"
        print("safeguarding report: a lost answer then an edited resubmit says the first arrived; the addition filed under a new id")

        # A record the server refuses (it waited offline past the 60 days a check may be late): 重新填写
        # opens the form with what was typed and why it was refused, and saving replaces it.
        browser.network(OFFLINE)
        browser.evaluate(f"location.hash = '#/record/{person}', true")
        record_through_form(browser, "needs_follow_up", needs=["study"], notes="孩子作业没人辅导，需找志愿者")
        late = (datetime.now(timezone.utc) - timedelta(days=70)).strftime("%Y-%m-%dT%H:%M:%SZ")
        browser.evaluate(f"""new Promise((resolve) => {{ const q = indexedDB.open('liushou-field'); q.onsuccess = () => {{
            const tx = q.result.transaction('outbox', 'readwrite'); const store = tx.objectStore('outbox'); const all = store.getAll();
            all.onsuccess = () => {{ for (const r of all.result) if (r.state === 'pending' && String(r.payload.personId).toLowerCase() === {json.dumps(person)}) {{
              r.payload.occurredAt = {json.dumps(late)}; store.put(r); }} }};
            tx.oncomplete = () => {{ q.result.close(); resolve(true); }}; }}; }})""")
        browser.network(ONLINE)
        browser.evaluate("location.hash = '#/outbox', true")
        browser.wait_for("!!document.querySelector('li[data-state=rejected] a.button')", "the refused record", seconds=60)
        refused_id = browser.evaluate("document.querySelector('li[data-state=rejected]').dataset.id")
        assert "孩子作业没人辅导" in browser.evaluate("document.querySelector('li[data-state=rejected]').innerText"), "the refused record's notes stay readable"
        browser.screenshot("field-outbox-refused.png")
        browser.evaluate("document.querySelector('li[data-state=rejected] a.button').click(), true")
        browser.wait_for("!!document.querySelector('main form .banner.warn')", "the form filled from the refused record")
        filled = browser.evaluate("""(() => { const f = document.querySelector('main form'); return {
            notes: f.querySelector('textarea[name=notes]').value, outcome: (f.querySelector('input[name=outcome]:checked') || {}).value,
            needs: [...f.querySelectorAll('input[name=needs]:checked')].map(b => b.value), banner: f.querySelector('.banner.warn').innerText }; })()""")
        assert filled["notes"] == "孩子作业没人辅导，需找志愿者" and filled["outcome"] == "needs_follow_up" and filled["needs"] == ["study"], filled
        assert "发生时间" in filled["banner"] and "60" in filled["banner"], f"the refusal is named: {filled['banner']}"
        browser.screenshot("field-record-refilled.png")
        browser.evaluate("""(() => { const f = document.querySelector('main form'); const when = f.querySelector('input[name=occurredAt]');
            const d = new Date(Date.now() - 60000); const p = (n) => String(n).padStart(2, '0');
            when.value = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
            f.requestSubmit(); return true; })()""")
        browser.wait_for(f"({OUTBOX}).then(rs => !rs.some(r => r.id === {json.dumps(refused_id)}) && rs.some(r => r.state === 'sent' && r.needs.includes('study')))",
                         "the refilled record sent in place of the refused one", seconds=60)

        # An unsent report draft is named before logging out (logout removes it from the device).
        browser.evaluate(f"location.hash = '#/report?person={person}', true")
        browser.wait_for("!!document.querySelector('main textarea[name=details]')", "the report form again")
        browser.evaluate("""(() => { const details = document.querySelector('main textarea[name=details]'); details.value = '尚未写完的报告';
            details.dispatchEvent(new Event('input', { bubbles: true })); return true; })()""")
        browser.evaluate("window.lastConfirm = null; window.confirm = (text) => { window.lastConfirm = text; return false; }; location.hash = '#/me', true")
        browser.wait_for("[...document.querySelectorAll('main button')].some(b => b.textContent === '退出登录')", "the logout button")
        browser.evaluate("[...document.querySelectorAll('main button')].find(b => b.textContent === '退出登录').click(), true")
        browser.wait_for("window.lastConfirm !== null", "the logout question")
        question = browser.evaluate("window.lastConfirm")
        assert "强制报告草稿" in question, f"the logout question names the unsent draft: {question}"
        errors = browser.console_errors()
        assert not errors, f"no script errors: {errors}"
        print("cadre: person card masked with hotlines; follow-up resolved; safeguarding draft kept offline and filed online")
    finally:
        browser.close()


def start_page_flow(server, password):
    """A role that makes no door checks (clinic staff) starts on a page of its own, not a refused task list."""
    browser = Browser(360, 640, mobile=True, scale=2)
    try:
        browser.navigate(server.base + "/app/")
        fill_login(browser, "demo.clinic", password)
        browser.wait_for("document.querySelector('main').innerText.includes('不做入户走访')", "the clinic's start page")
        text = browser.evaluate("document.querySelector('main').innerText")
        assert "刷新失败" not in text and "权限" not in text, f"no refusal on the start page: {text[:300]}"
        assert browser.evaluate("document.querySelector('#tabs a[data-tab=today]').textContent") == "首页", "the first tab is 首页"
        assert browser.evaluate("!!document.querySelector('main a[href=\"#/followups\"]')"), "the start page leads to 我的跟进"
        browser.screenshot("field-start-clinic.png")
        errors = browser.console_errors()
        assert not errors, f"no script errors: {errors}"
        print("clinic staff: a start page of its own (no task list refused with 403)")
    finally:
        browser.close()


def volunteer_flow(server, password):
    base = server.base
    cadre = login(base, "demo.cadre", password)
    volunteer_token = login(base, "demo.volunteer", password)
    try:
        own = call(base, "GET", "/v1/me/volunteer", token=volunteer_token)
    except Exception:
        own = None
    running = [p for p in (own or {}).get("pairings", []) if p["status"] == "active" and p.get("running")]
    if not running:
        village = next(g["unitId"] for g in call(base, "GET", "/v1/auth/me", token=cadre)["grants"] if g["role"] == "village_cadre")
        account = call(base, "GET", "/v1/auth/me", token=volunteer_token)["accountId"]
        today = date.today().isoformat()
        if own is None:
            volunteer = call(base, "POST", "/v1/volunteers", {"id": str(uuid.uuid4()), "unitId": village, "accountId": account, "name": "志愿者测试",
                                                               "organisation": "party_member", "screening": "passed", "screenedOn": today}, token=cadre)
            volunteer_id = volunteer["id"]
        else:
            volunteer_id = own["volunteer"]["id"]
        child = next(t for t in call(base, "GET", "/v1/tasks", token=login(base, "demo.grid", password))["items"] if "left_behind_child" in t["categories"])
        call(base, "POST", "/v1/pairings", {"id": str(uuid.uuid4()), "kind": "proxy_parent", "helpers": [volunteer_id],
                                             "people": [{"personId": child["personId"], "consentBy": "王大爷", "consentOn": today}],
                                             "goals": "每周陪伴一次，辅导功课", "startOn": today}, token=cadre)
    before = call(base, "GET", "/v1/me/volunteer", token=volunteer_token)["hours"]["totalMinutes"]

    browser = Browser(360, 640, mobile=True, scale=2)
    try:
        browser.navigate(base + "/app/")
        fill_login(browser, "demo.volunteer", password)
        browser.wait_for("!!document.querySelector('#tabs a[data-tab=pairings]:not([hidden])')", "the pairings tab")
        browser.evaluate("location.hash = '#/pairings', true")
        browser.wait_for("document.querySelectorAll('main a.button.primary').length > 0", "my pairings")
        browser.screenshot("field-volunteer-pairings.png")
        browser.wait_for("navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller || (location.reload(), false))",
                         "the service worker to control the page", seconds=60)
        browser.wait_for("document.querySelectorAll('main a.button.primary').length > 0", "my pairings, controlled")
        browser.network(OFFLINE)
        browser.reload()
        browser.wait_for("document.querySelectorAll('main a.button.primary').length > 0", "my pairings, offline")
        browser.evaluate("document.querySelector('main a.button.primary').click(), true")
        record_through_form(browser, "all_well", activities=["tutoring", "heart_to_heart"], screenshot="field-volunteer-form.png")
        records = outbox(browser)
        assert len(records) == 1 and records[0]["kind"] == "volunteer-visit" and records[0]["state"] == "pending", records
        browser.network(ONLINE)
        browser.wait_for(f"({OUTBOX}).then(rs => rs.length === 1 && rs[0].state === 'sent')", "the volunteer's visit to upload", seconds=60)
        check_server_holds(base, cadre, outbox(browser), "volunteer visit")
        after = call(base, "GET", "/v1/me/volunteer", token=volunteer_token)["hours"]["totalMinutes"]
        assert after == before + 60, f"service minutes grew by the visit's 60: {before} → {after}"
        browser.evaluate("location.hash = '#/pairings', true")
        browser.wait_for("document.querySelectorAll('main a.button.primary').length > 0", "my pairings again")
        browser.screenshot("field-volunteer-after.png")
        errors = browser.console_errors()
        assert not errors, f"no script errors: {errors}"
        print("volunteer: visit recorded offline, uploaded once, service hours +60 minutes")
    finally:
        browser.close()


def first_load(server):
    figures = {}
    for name, conditions in [("no throttling", ONLINE), ("Slow 4G (150 ms, 1.6 Mbit/s)", SLOW_4G), ("Slow 3G (2 s per request, 400 kbit/s)", SLOW_3G)]:
        browser = Browser(360, 640, mobile=True, scale=2)
        try:
            browser.send("Network.setCacheDisabled", session=browser.page, cacheDisabled=True)
            browser.network(conditions)
            browser.events.clear()
            started = time.time()
            browser.navigate(server.base + "/app/")
            browser.wait_for("!!document.querySelector('input[name=username]') && document.readyState === 'complete'", "the login form", seconds=120)
            usable = time.time() - started
            browser.pump(0.5)
            transferred = sum(e["params"]["encodedDataLength"] for e in browser.events
                              if e.get("method") == "Network.loadingFinished" and e.get("sessionId") == browser.page)
            requests = sum(1 for e in browser.events if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == browser.page)
            figures[name] = (usable, transferred, requests)
        finally:
            browser.close()
    for name, (usable, transferred, requests) in figures.items():
        print(f"first load, {name}: usable (login form ready) in {usable:.2f} s; {transferred / 1024:.1f} KiB transferred in {requests} requests")
    transferred = figures["no throttling"][1]
    assert transferred <= 150 * 1024, f"the app shell transfers at most 150 KB on first load: {transferred}"


def main():
    server = Server(BINARY).start()
    proxy = Proxy(server.port, on_cut=server.stop)
    try:
        password = server.password()
        grid_worker_flow(server, proxy, password)
        cadre_flow(server, password)
        start_page_flow(server, password)
        volunteer_flow(server, password)
        first_load(server)
        print("field app browser test passed; screenshots in .build/test-output/field-*.png")
    except Exception:
        print(open(server.log_path).read()[-3000:], file=sys.stderr)
        raise
    finally:
        proxy.close()
        server.close()


if __name__ == "__main__":
    main()
