#!/usr/bin/env python3
"""The console's 健康体检 and 志愿结对 pages in real headless Chromium (1366×768). The clinic uploads a
GBK checkup CSV with one implausible row (sees it rejected with its reason), uploads the same file
again (sees duplicates; the API holds each checkup once), records one checkup through the form
after a 422 shown at its field, and keeps a health file. The town registers a volunteer and records
the background check, pairs the demo volunteer with a child (the missing guardian consent first
refused at its field), records an effect check; the volunteer then sees the child in the field app;
the town ends the pairing with a reason. Roles without these permissions see 无权限. Every page
visited passes the console test's accessibility check. Screenshots: .build/test-output/console-care-*.png.
Usage: deploy/browser/console_care_test.py [path to the liushou binary]"""
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import ROOT, Browser, Server, call, login  # noqa: E402
from console_test import Console  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")
CLINIC_PERMISSIONS = {"health.record", "health.details"}
VOLUNTEER_PERMISSIONS = {"volunteers.read", "volunteers.manage", "pairings.read", "pairings.manage"}


def permissions(base, token):
    return set(call(base, "GET", "/v1/auth/me", token=token)["permissions"])


def text(console, selector):
    return console.b.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''")


def result_table(console):
    return console.b.evaluate("[...document.querySelectorAll('table.checkup-results tbody tr')].map(r => [r.dataset.status, ...[...r.cells].map(c => c.textContent)])")


def checkups_of(base, token, person_id, record_id):
    details = call(base, "GET", f"/v1/persons/{person_id}/health", token=token)["details"]
    return [c for c in details["checkups"] if c["recordId"] == record_id]


def upload(console, path, expect):
    console.set_file("#checkup-file", path)
    console.b.evaluate("document.getElementById('checkup-result').replaceChildren(), true")
    console.b.click("#checkup-upload")
    console.b.wait_for(f"(document.getElementById('upload-summary') || {{}}).textContent?.includes({json.dumps(expect)})", f"the upload summary '{expect}'")
    return result_table(console)


def find_person(console, finder_id, name, person_id):
    """Types a name into a person finder, searches, and picks the person."""
    console.b.evaluate(f"""(() => {{ const q = document.getElementById({json.dumps(finder_id + '-q')}); q.value = {json.dumps(name)};
        q.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'Enter', bubbles: true }})); return true; }})()""")
    console.b.wait_for(f"!!document.querySelector('#{finder_id} option[value=\"{person_id}\" i]')", f"{name} among the people found")
    console.b.evaluate(f"""(() => {{ const s = document.getElementById({json.dumps(finder_id)});
        s.value = [...s.options].find(o => o.value.toLowerCase() === {json.dumps(person_id.lower())}).value; return true; }})()""")


def clinic_flow(console, base, password):
    token = login(base, "demo.clinic", password)
    assert permissions(base, token) >= CLINIC_PERMISSIONS
    elders = call(base, "GET", "/v1/persons?category=left_behind_elder&limit=3", token=token)["items"]
    assert len(elders) >= 3, elders
    run = uuid.uuid4().hex[:6].upper()
    day = date.today().isoformat()
    header = ["recordId", "personId", "checkedOn", "kind", "clinician", "followUpNeeded", "diagnoses", "findings", "systolic", "diastolic"]
    rows = [[f"CARE-{run}-1", elders[0]["id"], day, "elder_annual", "李医生", "否", "高血压；糖尿病", "血压偏高，建议复查", "150", "90"],
            [f"CARE-{run}-2", elders[1]["id"], day, "elder_annual", "李医生", "是", "", "", "128", "80"],
            [f"CARE-{run}-3", elders[2]["id"], day, "elder_annual", "李医生", "否", "", "", "400", "80"]]  # systolic out of range
    path = os.path.join(tempfile.mkdtemp(prefix="console-care-"), "体检记录.csv")
    with open(path, "wb") as f:
        f.write("\r\n".join(",".join(r) for r in [header] + rows).encode("gbk") + b"\r\n")

    console.login("demo.clinic", password)
    console.go("#/clinics", "!!document.getElementById('checkup-file')", "the upload page")
    console.b.send("DOM.enable", session=console.b.page)
    console.shot("upload", "clinics upload")
    first = upload(console, path, "新建 2")
    assert [r[0] for r in first] == ["created", "created", "rejected"], first
    assert "收缩压" in first[2][4] or "测量值" in first[2][4], first[2]
    assert "50–260 mmHg" in first[2][4], f"the bad row's reason names the allowed range: {first[2]}"
    print(f"GBK upload: {[r[0] for r in first]}; rejected row: {first[2][4]}")
    console.shot("upload-rejected", "upload result")
    stored = checkups_of(base, token, elders[0]["id"], rows[0][0])
    assert len(stored) == 1 and stored[0]["clinician"] == "李医生" and stored[0]["diagnoses"] == ["高血压", "糖尿病"], stored
    assert not checkups_of(base, token, elders[2]["id"], rows[2][0]), "the rejected row was not written"

    again = upload(console, path, "重复 2")
    assert [r[0] for r in again] == ["duplicate", "duplicate", "rejected"], again
    assert "重复" in again[0][3], again
    for person, row in zip(elders[:2], rows[:2]):
        assert len(checkups_of(base, token, person["id"], row[0])) == 1, f"{row[0]} written once"
    print("re-upload: duplicate, duplicate, rejected; the API holds each checkup once")
    console.shot("upload-duplicate", "upload duplicates")

    # One checkup by hand: a diastolic pressure above the systolic is refused at its field, then fixed.
    person = elders[2]
    console.go("#/clinics/entry", "!!document.querySelector('form.checkup-form')", "the entry form")
    find_person(console, "checkup-person", person["name"], person["id"])
    console.fill({"clinician": "张医生", "m.systolic": "120", "m.diastolic": "135", "diagnoses": "高血压", "findings": "复查"}, "form.checkup-form")
    record_id = console.b.evaluate("document.querySelector('[name=recordId]').value")
    console.submit("form.checkup-form")
    console.b.wait_for("document.querySelector('[name=\"m.diastolic\"]').getAttribute('aria-invalid') === 'true'", "the 422 at 舒张压")
    error = text(console, "#" + console.b.evaluate("document.querySelector('[name=\"m.diastolic\"]').id") + "-error")
    assert "舒张压应低于收缩压" in error, error
    assert console.b.evaluate("document.querySelector('[name=clinician]').value") == "张医生", "the typing is kept"
    print(f"422 at 舒张压: {error}")
    console.shot("entry-422", "entry with 422")
    console.fill({"m.diastolic": "78"}, "form.checkup-form")
    console.submit("form.checkup-form")
    console.b.wait_for("document.getElementById('checkup-outcome').textContent.includes('已记录')", "the saved checkup")
    saved = checkups_of(base, token, person["id"], record_id)
    assert len(saved) == 1 and {m["name"]: m["value"] for m in saved[0]["measurements"]} == {"systolic": 120, "diastolic": 78}, saved
    print(f"checkup {record_id} recorded through the form")

    # The health file: chronic conditions and allergies, saved with If-Match.
    console.go(f"#/clinics/file/{elders[0]['id']}", "!!document.getElementById('health-file-save')", "the health file")
    assert rows[0][0] in text(console, "table.checkups"), "the uploaded checkup is in the file"
    console.fill({"chronicConditions": "高血压\n2 型糖尿病", "allergies": "青霉素"}, "form[aria-labelledby=health-edit-h]")
    console.submit("form[aria-labelledby=health-edit-h]")
    console.b.wait_for("document.querySelector('.health-file dl.pairs dd') && document.querySelector('.health-file dl.pairs dd').textContent.includes('2 型糖尿病')", "the saved health file")
    details = call(base, "GET", f"/v1/persons/{elders[0]['id']}/health", token=token)["details"]
    assert details["chronicConditions"] == ["高血压", "2 型糖尿病"] and details["allergies"] == ["青霉素"], details
    console.shot("health-file", "health file")
    print("health file saved: 高血压, 2 型糖尿病; allergy 青霉素")

    # The clinic holds no volunteer permission: that page answers 无权限.
    assert not permissions(base, token) & VOLUNTEER_PERMISSIONS
    console.go("#/volunteers", "document.querySelector('main h1').textContent === '无权限'", "无权限 for the clinic on 志愿结对")
    console.check_a11y("volunteers refused")
    console.logout()


def unpaired_child(base, token, village_id):
    paired = {p["personId"].lower() for g in call(base, "GET", "/v1/pairings?status=active", token=token)["items"] for p in g["people"]}
    children = call(base, "GET", f"/v1/persons?category=left_behind_child&unitId={village_id}&limit=100", token=token)["items"]
    names = [c["name"] for c in children]
    # A name nobody else in the list carries, so the console's search finds one person.
    return next(c for c in children if c["id"].lower() not in paired and names.count(c["name"]) == 1)


def town_flow(console, base, password):
    token = login(base, "demo.town", password)
    assert permissions(base, token) >= {"pairings.manage", "volunteers.manage", "pairings.assess"}
    volunteer_token = login(base, "demo.volunteer", password)
    mine = call(base, "GET", "/v1/me/volunteer", token=volunteer_token)["volunteer"]
    village_id = next(g["unitId"] for g in call(base, "GET", "/v1/auth/me", token=volunteer_token)["grants"])
    child = unpaired_child(base, token, village_id)

    console.login("demo.town", password)
    console.go("#/volunteers", "!!document.querySelector('table.volunteers tbody tr')", "the register")
    console.shot("register", "volunteer register")

    # Register a volunteer (pending), then record the background check on their page.
    console.go("#/volunteers/new", "!!document.getElementById('volunteer-register')", "the register form")
    name = "测试志愿者" + uuid.uuid4().hex[:4]
    console.fill({"name": name, "phone": "13912345678", "organisation": "student", "organisationName": "县第一中学", "screening": "passed"}, "form.volunteer-form")
    console.b.click("#volunteer-register")
    console.b.wait_for("!!document.querySelector('[name=screenedOn][aria-invalid=true]')", "the 422 at 审查日期")
    console.shot("volunteer-422", "volunteer form with 422")
    console.fill({"screening": "pending"}, "form.volunteer-form")
    console.b.click("#volunteer-register")
    console.b.wait_for("/^#\\/volunteers\\/v\\//.test(location.hash) && !!document.getElementById('volunteer-save')", "the new volunteer's page")
    volunteer_id = console.b.evaluate("location.hash.split('/')[3]")
    console.fill({"screening": "passed", "screenedOn": date.today().isoformat()}, "form.volunteer-form")
    console.b.click("#volunteer-save")
    console.b.wait_for("document.querySelector('#volunteer-h .badge') && document.querySelector('#volunteer-h .badge').textContent === '已通过'", "the passed check")
    stored = call(base, "GET", f"/v1/volunteers/{volunteer_id}", token=token)
    assert stored["name"] == name and stored["screening"] == "passed" and stored["screenedOn"] == date.today().isoformat(), stored
    console.shot("volunteer", "volunteer page")
    print(f"registered {name} (pending), then recorded the background check: passed")

    # Pair the demo volunteer with the child; without the guardian's consent first.
    console.go(f"#/volunteers/pair?volunteerId={mine['id']}", "!!document.getElementById('pair-save')", "the pairing form")
    assert console.b.evaluate(f"document.getElementById('helper-{mine['id']}').checked"), "the volunteer is preselected"
    find_person(console, "pair-person-0", child["name"], child["id"])
    console.fill({"goals": "每周陪伴一次，辅导功课"}, "form.pairing-form")
    console.submit("form.pairing-form")
    console.b.wait_for("document.querySelector('[name=\"people[0].consentBy\"]').getAttribute('aria-invalid') === 'true'", "the 422 at 监护人")
    error = text(console, "#" + console.b.evaluate("document.querySelector('[name=\"people[0].consentBy\"]').id") + "-error")
    assert "监护人" in error, error
    console.shot("pairing-422", "pairing form with 422")
    print(f"pairing without consent refused at its field: {error}")
    console.fill({"people[0].consentBy": "王奶奶", "people[0].consentOn": date.today().isoformat()}, "form.pairing-form")
    console.submit("form.pairing-form")
    console.b.wait_for("/^#\\/volunteers\\/pairings\\/[0-9a-f-]{36}$/i.test(location.hash) && !!document.getElementById('pair-end')", "the pairing's page")
    pairing_id = console.b.evaluate("location.hash.split('/')[3]")
    pairing = call(base, "GET", f"/v1/pairings/{pairing_id}", token=token)
    assert [h["volunteerId"].lower() for h in pairing["helpers"]] == [mine["id"].lower()], pairing
    assert pairing["people"][0]["personId"].lower() == child["id"].lower() and pairing["people"][0]["consentBy"] == "王奶奶", pairing
    assert len(call(base, "GET", f"/v1/pairings?personId={child['id']}&status=active", token=token)["items"]) == 1, "one pairing, not two"
    console.shot("pairing", "pairing page")
    print(f"paired {mine['name']} with {child['name']}, consent by 王奶奶")

    # An effect check.
    console.fill({"study": "improved", "mood": "improved", "notes": "作业按时完成"}, "form[aria-labelledby=progress-form-h]")
    console.b.click("#progress-save")
    console.b.wait_for("document.querySelector('#progress-h ~ .table-wrap') && document.querySelector('#progress-h ~ .table-wrap').textContent.includes('作业按时完成')", "the effect check")
    assert len(call(base, "GET", f"/v1/pairings/{pairing_id}/progress", token=token)["items"]) == 1

    for route, ready, page in [("#/volunteers/pairings", "!!document.querySelector('table.pairings tbody tr')", "pairings"),
                               ("#/volunteers/hours", "!!document.querySelector('#hours-h') && !document.querySelector('main .banner.bad')", "hours"),
                               ("#/volunteers/rate", "!!document.querySelector('table.rate tbody tr')", "rate")]:
        console.go(route, ready, page)
        console.shot(page, page)
    # The town records no checkups: 健康体检 shows it the coverage and the files' summaries, never the uploads.
    assert not permissions(base, token) & CLINIC_PERMISSIONS
    console.go("#/clinics/coverage", "!!document.querySelector('table.coverage tbody tr')", "the town's checkup coverage")
    tabs = console.b.evaluate("[...document.querySelectorAll('main nav a')].map(a => a.textContent).join('|')")
    assert "批量上传" not in tabs and "单条录入" not in tabs and "体检覆盖率" in tabs, tabs
    unit = console.b.evaluate("document.getElementById('coverage-unit').value")
    coverage = call(base, "GET", f"/v1/health-coverage?unitId={unit}", token=token)
    shown = console.b.evaluate("document.querySelector('table.coverage tbody tr th').textContent")
    assert shown == coverage["items"][0]["unitName"], (shown, coverage["items"][0])
    console.shot("town-coverage", "town coverage")
    console.logout()
    return child, pairing_id, token


def volunteer_sees(base, password, child):
    browser = Browser(360, 640, mobile=True, scale=2)
    try:
        browser.navigate(base + "/app/")
        browser.wait_for("!!document.querySelector('input[name=username]')", "the field app's login form")
        browser.evaluate(f"""(() => {{ document.querySelector('input[name=username]').value = 'demo.volunteer';
            document.querySelector('input[name=password]').value = {json.dumps(password)};
            document.querySelector('form').requestSubmit(); return true; }})()""")
        browser.wait_for("!!document.querySelector('#tabs a[data-tab=pairings]:not([hidden])')", "the pairings tab")
        browser.evaluate("location.hash = '#/pairings', true")
        browser.wait_for(f"[...document.querySelectorAll('main a.name')].some(a => a.textContent === {json.dumps(child['name'])})", f"{child['name']} in 我的结对")
        browser.screenshot("console-care-field-app-pairings.png")
        print(f"the volunteer sees {child['name']} in the field app's 我的结对")
    finally:
        browser.close()


def end_pairing(console, base, password, pairing_id, token):
    console.login("demo.town", password)
    console.go(f"#/volunteers/pairings/{pairing_id}", "!!document.getElementById('pair-end')", "the pairing")
    console.fill({"reason": "孩子随父母外出就读"}, "form[aria-labelledby=end-h]")
    console.b.click("#pair-end")
    console.b.wait_for("!document.getElementById('pair-end') && document.getElementById('pairing-h').textContent.includes('已结束')", "the ended pairing")
    ended = call(base, "GET", f"/v1/pairings/{pairing_id}", token=token)
    assert ended["status"] == "ended" and ended["endReason"] == "孩子随父母外出就读", ended
    console.shot("pairing-ended", "ended pairing")
    print("the town ended the pairing with a reason")
    console.logout()


def run(server):
    started = time.time()
    password = server.password()
    browser = Browser(1366, 768)
    try:
        console = Console(browser, server, "care")
        clinic_flow(console, server.base, password)
        child, pairing_id, town = town_flow(console, server.base, password)
        volunteer_sees(server.base, password, child)
        end_pairing(console, server.base, password, pairing_id, town)
        errors = [e for e in browser.console_errors() if "412" not in e and "422" not in e and "Failed to load resource" not in e]
        assert not errors, errors
    finally:
        browser.close()
    print(f"accessibility: {len(console.pages)} pages pass ({', '.join(console.pages)})")
    print(f"console care test passed in {time.time() - started:.0f} s; screenshots in .build/test-output/console-care-*.png")


def main():
    server = Server(BINARY).start()
    try:
        run(server)
    except Exception:
        print(open(server.log_path).read()[-3000:], file=sys.stderr)
        raise
    finally:
        server.close()


if __name__ == "__main__":
    main()
