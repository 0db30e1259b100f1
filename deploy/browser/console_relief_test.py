#!/usr/bin/env python3
"""帮扶救助 in the office console (/console/#/relief), in real headless Chromium over the DevTools
protocol. The village cadre files a case for a person found by name and reviews it for the village;
the relief officer's approval meets a 412 (the case was rejected and appealed meanwhile through the
API), keeps the typed amount, then a double click on 批准 sends one request and moves the case once;
the officer records the payment and prints the month's payment book (print media, PDF) with the
paid case in it. The overdue list and the indicators show; the county admin adds a case type and a
holiday; a role without relief.read sees 无权限. Every page passes the console's accessibility check.
Usage: deploy/browser/console_relief_test.py [path to the liushou binary]"""
import json
import os
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import OUTPUT, ROOT, Browser, Server, call, login  # noqa: E402
from console_test import Console  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")
CHINA = timezone(timedelta(hours=8))
TYPE_KEY = "happiness_project"  # 幸福工程: no demo case uses it, so no open case of the type clashes


def case(base, token, case_id):
    return call(base, "GET", f"/v1/relief/cases/{case_id}", token=token)


def state_shown(text):
    return f"[...document.querySelectorAll('main .case-status .badge')].some(b => b.textContent === {json.dumps(text)})"


def pick_person(base, cadre):
    """An active person of the cadre's village with no relief case yet."""
    persons = call(base, "GET", "/v1/persons?limit=100", token=cadre)["items"]
    for person in persons:
        if not call(base, "GET", f"/v1/relief/cases?personId={person['id']}", token=cadre)["items"]:
            return person
    raise AssertionError("no person without relief cases in the cadre's scope")


def transitions_posted(browser, case_id):
    return [e for e in browser.events if e.get("method") == "Network.requestWillBeSent"
            and e["params"]["request"]["method"] == "POST" and f"/v1/relief/cases/{case_id}/transitions" in e["params"]["request"]["url"].lower()]


def cadre_files_and_reviews(console, base, password, cadre):
    person = pick_person(base, cadre)
    console.login("demo.cadre", password)
    console.go("#/relief", "!!document.querySelector('.relief-board')", "the case board")
    columns = console.b.evaluate("[...document.querySelectorAll('.relief-column')].map(c => c.dataset.state)")
    assert columns == ["submitted", "village_reviewed", "approved", "paid"], columns
    console.shot("board-cadre", "relief board (cadre)")
    console.b.click("#new-case")
    console.b.wait_for("!!document.querySelector('form.relief-new')", "the new case form")
    # Submitting without a person shows the error at its field and sends nothing.
    console.submit("form.relief-new")
    console.b.wait_for("document.getElementById('personId-error').textContent.includes('选择申请人')", "the missing person error")
    console.fill({"q": person["name"]}, "form[role=search]")
    console.submit("form[role=search]")
    console.b.wait_for(f"!!document.querySelector('.person-results li[data-id=\"{person['id']}\"] button')", "the person in the search results")
    console.b.click(f".person-results li[data-id=\"{person['id']}\"] button")
    console.fill({"typeKey": TYPE_KEY, "urgency": "normal", "amountRequestedFen": "1200.50", "need": "丈夫外出务工受伤，家中生活困难",
                  "documents": "户口本\n困难情况说明"}, "form.relief-new")
    console.shot("new", "new relief case")
    console.submit("form.relief-new")
    console.b.wait_for("/^#\\/relief\\/[0-9a-f-]{36}$/.test(location.hash) && !!document.querySelector('.relief-step')", "the filed case's page")
    case_id = console.b.evaluate("location.hash.split('/')[2]")
    filed = case(base, cadre, case_id)
    assert filed["state"] == "submitted" and filed["amountRequestedFen"] == 120050 and filed["personId"].lower() == person["id"].lower(), filed
    assert filed["documents"] == ["户口本", "困难情况说明"], filed["documents"]
    print(f"cadre filed case {case_id} for {person['name']} (1200.50 元 requested) through the UI")
    actions = console.b.evaluate("[...document.querySelectorAll('form.relief-step')].map(f => f.dataset.action)")
    assert sorted(actions) == ["review", "withdraw"], f"the cadre's steps on a submitted case: {actions}"
    console.shot("case-submitted", "case (submitted)")
    console.fill({"comment": "经村民代表评议，情况属实"}, "form[data-action=review]")
    console.submit("form[data-action=review]")
    console.b.wait_for(state_shown("待乡镇审批"), "the reviewed state")
    reviewed = case(base, cadre, case_id)
    assert reviewed["state"] == "village_reviewed" and reviewed["version"] == 2, reviewed
    assert not console.b.evaluate("!!document.querySelector('form[data-action=approve]')"), "the cadre may not approve"
    print("cadre reviewed it for the village; no approve step offered to the cadre")
    return case_id, person


def officer_decides_and_pays(console, base, password, officer, cadre, case_id):
    console.login("demo.relief", password)
    console.go(f"#/relief/{case_id}", "!!document.querySelector('form[data-action=approve]')", "the approve step")
    console.fill({"amountFen": "1000", "comment": "符合幸福工程帮扶条件"}, "form[data-action=approve]")
    # Meanwhile the case moves elsewhere: rejected by the officer's colleague and appealed by the village (version 2 → 4).
    headers = lambda: {"if-match": f'"{case(base, officer, case_id)["version"]}"', "idempotency-key": str(uuid.uuid4())}
    call(base, "POST", f"/v1/relief/cases/{case_id}/transitions", {"action": "reject", "comment": "材料不全"}, token=officer, headers=headers())
    call(base, "POST", f"/v1/relief/cases/{case_id}/transitions", {"action": "appeal", "comment": "已补齐材料"}, token=cadre, headers=headers())
    console.submit("form[data-action=approve]")
    console.b.wait_for("!!document.querySelector('#case-notice.warn') && document.querySelector('#case-notice').textContent.includes('他人更新')", "the 412 notice")
    kept = console.b.evaluate("document.querySelector('form[data-action=approve] [name=amountFen]').value")
    assert kept == "1000", f"the typed amount after the 412: {kept!r}"
    assert console.b.evaluate("document.querySelector('.case-status').textContent.includes('版本 4')"), "the fresh version beside the kept input"
    after412 = case(base, officer, case_id)
    assert after412["state"] == "village_reviewed" and after412["version"] == 4, after412
    console.shot("case-412", "case after a 412")
    print("412 on approve: notice shown, case reloaded at version 4, typed amount 1000 kept")

    before = len(transitions_posted(console.b, case_id))
    console.b.evaluate("(() => { const b = document.querySelector('form[data-action=approve] button[type=submit]'); b.click(); b.click(); return true; })()")
    console.b.wait_for(state_shown("已批准待发放"), "the approved state")
    console.b.pump(1.0)
    posted = len(transitions_posted(console.b, case_id)) - before
    approved = case(base, officer, case_id)
    approvals = [t for t in approved["transitions"] if t["action"] == "approve"]
    assert posted == 1, f"a double click on 批准 sent {posted} requests"
    assert approved["state"] == "approved" and approved["version"] == 5 and len(approvals) == 1, approved
    assert approved["amountGrantedFen"] == 100000 and len(approved["transitions"]) == 4, approved
    print("double click on 批准: 1 request, case approved once (version 5, 4 transitions, 1000.00 元 granted)")

    paid_on = console.b.evaluate("document.querySelector('form[data-action=pay] [name=paidOn]').value")
    assert console.b.evaluate("document.querySelector('form[data-action=pay] [name=amountFen]').value") == "1000.00", "pay prefilled with the grant"
    console.fill({"amountFen": "1200"}, "form[data-action=pay]")
    console.submit("form[data-action=pay]")
    console.b.wait_for("document.querySelector('form[data-action=pay] [name=amountFen]').getAttribute('aria-invalid') === 'true'", "the over-grant amount error")
    error = console.b.evaluate("document.querySelector('form[data-action=pay] .field-error').textContent")
    assert "1,000.00 元" in error, f"the 422 at its field: {error!r}"
    console.fill({"amountFen": "1000", "channel": "social_security_card"}, "form[data-action=pay]")
    console.submit("form[data-action=pay]")
    console.b.wait_for(state_shown("已发放"), "the paid state")
    paid = case(base, officer, case_id)
    assert paid["state"] == "paid" and paid["paidAmountFen"] == 100000 and paid["paymentChannel"] == "social_security_card" and paid["paidOn"] == paid_on, paid
    history = console.b.evaluate("[...document.querySelectorAll('.relief-history li[data-action]')].map(l => l.dataset.action)")
    assert history == ["review", "reject", "appeal", "approve", "pay"], history
    console.shot("case-paid", "case (paid)")
    print(f"officer paid 1000.00 元 on {paid_on} by 社保卡 (a 1200 元 payment was refused at its field first)")
    return paid_on


def officer_reports(console, base, case_id, paid_on):
    console.go("#/relief", "!!document.querySelector('.relief-board')", "the officer's board")
    assert console.b.evaluate(f"!!document.querySelector('.relief-column[data-state=paid] li[data-id=\"{case_id}\" i]')"), "the paid case on the board"
    assert console.b.evaluate("document.querySelectorAll('.relief-card .deadline').length > 0"), "deadline countdowns on the board"
    console.shot("board", "relief board (officer)")
    console.go("#/relief?tab=overdue", "document.querySelector('.relief-tabs [aria-current=page]')?.textContent === '超期案件'", "the overdue list")
    overdue_rows = console.b.evaluate("document.querySelectorAll('main table tbody tr').length")
    assert overdue_rows >= 1, "the demo's overdue case is listed"
    console.shot("overdue", "relief overdue")
    console.go("#/relief?tab=indicators", "!!document.querySelector('table.relief-indicators')", "the indicators")
    console.shot("indicators", "relief indicators")
    month = paid_on[:7]
    console.go(f"#/relief?tab=payments&month={month}", "!!document.querySelector('table.book')", "the payment book")
    row = console.b.evaluate(f"(() => {{ const r = document.querySelector('table.book tr[data-id=\"{case_id}\" i]'); return r && [...r.cells].map(c => c.textContent); }})()")
    assert row and "1000.00" in row and "社保卡" in row, f"the paid case in the book: {row}"
    href = console.b.evaluate("document.getElementById('download-book').getAttribute('href')")
    assert f"month={month}" in href, href
    console.shot("payments", "relief payment book")
    console.print_media(True)
    hidden = console.b.evaluate("getComputedStyle(document.querySelector('form.filters')).display === 'none' && getComputedStyle(document.getElementById('menu')).display === 'none'")
    assert hidden, "print hides the menu and the filters"
    size = console.pdf("console-relief-payments.pdf")
    console.b.screenshot("console-relief-payments-print.png")
    console.print_media(False)
    assert size > 15000, f"the payment book PDF is only {size} bytes"
    print(f"payment book {month}: paid case listed, CSV link {href}, printed to console-relief-payments.pdf ({size} bytes)")


def county_rules(console, base, password, county):
    console.login("demo.county", password)
    console.go("#/relief?tab=rules", "!!document.getElementById('type-form')", "the rules tab")
    key = "winter_" + uuid.uuid4().hex[:6]
    console.fill({"key": key, "name": "冬季取暖救助", "decisionWorkingDays": "7", "emergencyHours": "24", "maxAmountFen": "2000"}, "#type-form")
    console.submit("#type-form")
    console.b.wait_for(f"[...document.querySelectorAll('main table td')].some(td => td.textContent === {json.dumps(key)})", "the new case type")
    county_id = call(base, "GET", "/v1/auth/me", token=county)["grants"][0]["unitId"]
    types = call(base, "GET", f"/v1/relief/case-types?unitId={county_id}", token=county)["items"]
    added = [t for t in types if t["key"] == key]
    assert added and added[0]["maxAmountFen"] == 200000 and added[0]["decisionWorkingDays"] == 7, added
    year = datetime.now(CHINA).year + 1
    console.fill({"day": f"{year}-10-02", "working": "false", "note": "国庆节"}, "#calendar-form")
    console.submit("#calendar-form")
    console.b.wait_for(f"[...document.querySelectorAll('main table td')].some(td => td.textContent === '{year}-10-02')", "the holiday in the calendar")
    days = call(base, "GET", f"/v1/relief/calendar?unitId={county_id}&year={year}", token=county)["items"]
    assert {"day": f"{year}-10-02", "working": False, "note": "国庆节"} in days, days
    console.shot("rules", "relief rules")
    print(f"county added case type {key} (7 working days, ≤ 2000 元) and the holiday {year}-10-02")


def refused(console, base, password):
    token = login(base, "demo.volunteer", password)
    assert "relief.read" not in call(base, "GET", "/v1/auth/me", token=token)["permissions"]
    console.login("demo.volunteer", password)
    assert not console.b.evaluate("!!document.querySelector('#menu a[data-route=relief]')"), "no relief menu entry without relief.read"
    console.go("#/relief", "document.querySelector('main h1') && document.querySelector('main h1').textContent === '无权限'", "无权限 on #/relief")
    console.shot("refused", "relief refused")
    print("demo.volunteer (no relief.read): no menu entry, 无权限 on #/relief")


def tablet(server, password, case_id):
    """The board and a case on a tablet (768 px portrait): two columns, the menu folded away."""
    browser = Browser(768, 1024, mobile=True, scale=1)
    try:
        console = Console(browser, server, "relief-tablet")
        console.login("demo.relief", password)
        console.go("#/relief", "!!document.querySelector('.relief-board')", "the tablet board")
        columns = browser.evaluate("getComputedStyle(document.querySelector('.relief-board')).gridTemplateColumns.split(' ').length")
        assert columns == 2, f"the tablet board has {columns} columns"
        console.shot("board", "tablet relief board")
        console.go(f"#/relief/{case_id}", "!!document.querySelector('.relief-history')", "the tablet case page")
        console.shot("case", "tablet relief case")
        return console.pages
    finally:
        browser.close()


def run(server):
    started = time.time()
    base = server.base
    password = server.password()
    cadre, officer, county = (login(base, u, password) for u in ("demo.cadre", "demo.relief", "demo.county"))
    browser = Browser(1366, 768)
    try:
        console = Console(browser, server, "relief")
        case_id, _ = cadre_files_and_reviews(console, base, password, cadre)
        paid_on = officer_decides_and_pays(console, base, password, officer, cadre, case_id)
        officer_reports(console, base, case_id, paid_on)
        county_rules(console, base, password, county)
        refused(console, base, password)
        errors = [e for e in browser.console_errors() if "412" not in e and "422" not in e and "Failed to load resource" not in e]
        assert not errors, errors
        pages = console.pages
    finally:
        browser.close()
    pages.update({f"tablet {k}": v for k, v in tablet(server, password, case_id).items()})
    print(f"accessibility: {len(pages)} pages pass (contrast over {sum(pages.values())} text elements)")
    print(f"relief console test passed in {time.time() - started:.0f} s; screenshots in {OUTPUT}/console-relief-*.png")


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
