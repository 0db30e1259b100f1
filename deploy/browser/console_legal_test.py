#!/usr/bin/env python3
"""The console's legal-aid pages (法律援助, #/legal) in real headless Chromium over the DevTools protocol.
The town's legal-aid officer (demo.legal) sees the case list and the overdue first contacts, takes a
left-behind child's application through the UI — intake (after a 422 at the facts field), eligibility
decision, assignment, first contact (after a 412 made by a parallel API re-assignment: the typing stays,
the fresh case shows), a progress note, closing — and the final case is checked through the API. A
refusal is decided by the officer and reviewed by the town admin (demo.town), as the API requires another
person. The indicators (应援尽援率) and county rules render; the county admin sees the rule form. A
teacher (no legal-aid permission) gets 无权限 on #/legal. Every page passes the accessibility check.
Usage: deploy/browser/console_legal_test.py [path to the liushou binary]"""
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import ROOT, Browser, Server, call, login  # noqa: E402
from console_test import Console  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")


def wait_idle(console, what):
    """The page's buttons are enabled again (no request running)."""
    console.b.wait_for("![...document.querySelectorAll('main button')].some(b => b.disabled)", what)


def pick_children(base, token, count):
    """Left-behind children of the officer's town without a legal-aid case yet."""
    people = call(base, "GET", "/v1/persons?category=left_behind_child&status=active&limit=100", token=token)["items"]
    chosen = []
    for person in people:
        if call(base, "GET", f"/v1/legal-cases?personId={person['id']}", token=token)["items"]:
            continue
        chosen.append(person)
        if len(chosen) == count:
            return chosen
    raise AssertionError(f"only {len(chosen)} left-behind children without a case")


def lists(console):
    console.go("#/legal", "document.querySelector('main h1')?.textContent === '法律援助' && !!document.querySelector('table.legal-cases tbody tr')", "the case list")
    rows = console.b.evaluate("document.querySelectorAll('table.legal-cases tbody tr').length")
    assert rows >= 5, f"the demo's cases are listed: {rows}"
    console.shot("list", "legal case list")
    console.go("#/legal?stage=intake", "location.hash.includes('stage=intake') && !!document.querySelector('main [role=status]')", "the list filtered by stage")
    console.b.wait_for("(cells => cells.length > 0 && cells.every(td => td.textContent === '已受理'))([...document.querySelectorAll('table.legal-cases tbody tr td:nth-child(3)')])", "only intake cases")
    console.go("#/legal/overdue", "document.querySelector('main h1')?.textContent === '首次联系逾期' && !!document.querySelector('main [role=status]')", "the overdue list")
    overdue = console.b.evaluate("[...document.querySelectorAll('table.legal-cases tbody tr')].map(r => r.textContent)")
    assert overdue and all("已逾期" in r for r in overdue), f"the demo's overdue first contact is listed: {overdue}"
    console.shot("overdue", "overdue first contacts")
    print(f"case list ({rows} cases), stage filter and overdue list ({len(overdue)} overdue) render")


def intake(console, child):
    console.go("#/legal/new", "!!document.querySelector('#legal-intake')", "the intake form")
    console.shot("intake", "intake")
    console.b.evaluate(f"document.getElementById('legal-person-q').value = {child['name']!r}, true")
    console.b.evaluate("document.querySelector('.legal-search button').click(), true")
    console.b.wait_for(f"!!document.querySelector('select[name=personId] option[value=\"{child['id']}\"]')", "the child among the search results")
    console.fill({"personId": child["id"], "applicant": "guardian", "matter": "custody_guardianship", "urgency": "urgent", "channel": "walk_in"}, "#legal-intake")
    console.fill({"guardian.name": "测试祖父", "guardian.relationship": "祖父", "parties": "张某\n李某", "facts": "  "}, "#legal-intake")
    console.submit("#legal-intake")
    console.b.wait_for("document.querySelector('#legal-intake [name=facts]').getAttribute('aria-invalid') === 'true'", "the 422 at the facts field")
    kept = console.b.evaluate("document.querySelector('#legal-intake [name=\"guardian.name\"]').value")
    assert kept == "测试祖父", f"the typing is kept after the 422: {kept}"
    message = console.b.evaluate("document.getElementById(document.querySelector('#legal-intake [name=facts]').id + '-error').textContent")
    assert "案情" in message, message
    console.shot("intake-422", "intake with a field error")
    console.fill({"facts": "父母在外务工，祖父年迈无力监护，叔叔要求变更抚养权。"}, "#legal-intake")
    console.submit("#legal-intake")
    console.b.wait_for("/^#\\/legal\\/[0-9A-Fa-f-]{36}$/.test(location.hash) && !!document.querySelector('.legal-details dl')", "the new case's page")
    case_id = console.b.evaluate("location.hash.split('/')[2]")
    console.shot("case-intake", "case at intake")
    print(f"intake: case {case_id} opened for {child['name']} (a 422 at the facts field first, the typing kept)")
    return case_id


def intake_from_follow_up(console, base, token):
    """A legal need a grid worker found becomes a case; the follow-up is resolved by it."""
    console.go("#/legal/new", "!!document.querySelector('details.legal-followups button')", "the open legal follow-ups")
    follow_up = console.b.evaluate("""(() => { const d = document.querySelector('details.legal-followups'); d.open = true;
        d.querySelector('button').click(); return document.querySelector('#legal-intake [name=followUpId]').value; })()""")
    assert console.b.evaluate("document.querySelector('#legal-intake [name=channel]').value") == "follow_up", "the channel follows the follow-up"
    console.fill({"matter": "other", "facts": "网格员走访发现：邻里宅基地纠纷，需法律咨询。"}, "#legal-intake")
    console.submit("#legal-intake")
    console.b.wait_for("/^#\\/legal\\/[0-9A-Fa-f-]{36}$/.test(location.hash) && !!document.querySelector('.legal-details dl')", "the case from the follow-up")
    case_id = console.b.evaluate("location.hash.split('/')[2]")
    record = call(base, "GET", f"/v1/legal-cases/{case_id}", token=token)
    assert record["channel"] == "follow_up" and record["followUpId"].lower() == follow_up.lower(), record
    resolved = call(base, "GET", "/v1/follow-ups?status=resolved", token=token)["items"]
    assert any(f["id"].lower() == follow_up.lower() for f in resolved), "the follow-up is resolved by the case"
    print(f"intake from a grid follow-up: case {case_id}, follow-up {follow_up} resolved")


def stage_is(console, name):
    console.b.wait_for(f"document.querySelector('main p.row .badge')?.textContent === {name!r}", f"stage {name}")
    wait_idle(console, f"the page at stage {name}")


def workflow(console, base, token, case_id):
    # Eligibility: the child is a minor, the ground the registry supports.
    grounds = console.b.evaluate("[...document.querySelectorAll('#legal-decision select[name=basis] option')].map(o => o.value)")
    assert "minor" in grounds, grounds
    console.fill({"eligible": "true", "basis": "minor"}, "#legal-decision")
    console.submit("#legal-decision")
    stage_is(console, "准予援助")
    assert console.b.evaluate("!document.querySelector('#legal-decision') && !document.querySelector('#legal-first-contact')"), "only the steps of the stage are offered"
    console.shot("case-eligible", "case eligible")

    # Assignment to the officer themself.
    console.fill({"kind": "officer"}, "#legal-assignment")
    console.submit("#legal-assignment")
    stage_is(console, "已指派")
    console.shot("case-assigned", "case assigned")

    # First contact: a parallel re-assignment lands first; the 412 keeps the typing and shows the fresh case.
    console.fill({"mode": "mediation"}, "#legal-first-contact")
    record = call(base, "GET", f"/v1/legal-cases/{case_id}", token=token)
    call(base, "POST", f"/v1/legal-cases/{case_id}/assignment", {"lawyer": {"name": "周律师", "firm": "城关律师事务所", "licenceNumber": "13411201910"}},
         token=token, headers={"if-match": f'"{record["version"]}"'})
    console.submit("#legal-first-contact")
    console.b.wait_for("!!document.querySelector('#legal-first-contact .legal-conflict')", "the 412 message")
    wait_idle(console, "the form after the 412")
    assert console.b.evaluate("document.querySelector('#legal-first-contact [name=mode]').value") == "mediation", "the typing is kept after the 412"
    assert "周律师" in console.b.evaluate("document.querySelector('.legal-details').textContent"), "the fresh case (the lawyer) is shown"
    console.shot("case-412", "first contact after a 412")
    console.submit("#legal-first-contact")
    stage_is(console, "办理中")

    # A progress note.
    console.fill({"body": "已电话联系祖父，约定下周在村委会调解。"}, "#legal-note")
    console.submit("#legal-note")
    console.b.wait_for("document.querySelectorAll('.legal-notes li').length === 1", "the note in the case")
    wait_idle(console, "the note form")

    # A note whose answer is lost on the way back (the server saved it), edited and sent again: the
    # form says the first was saved and shows it; what was added is saved as a note of its own.
    console.fill({"body": "已与叔叔电话沟通。"}, "#legal-note")
    status = console.b.lose_next_answer("/notes", lambda: console.submit("#legal-note"))
    assert status in (200, 201), f"the server saved the note whose answer was lost: {status}"
    console.b.wait_for("document.querySelector('#legal-note [role=alert]').textContent.includes('暂时不可用')", "the lost answer told")
    wait_idle(console, "the note form after the lost answer")
    console.fill({"body": "已与叔叔电话沟通，叔叔同意参加调解。"}, "#legal-note")
    console.submit("#legal-note")
    console.b.wait_for("!!document.getElementById('legal-note-earlier') && document.querySelectorAll('.legal-notes li').length === 2", "the earlier note named as saved")
    wait_idle(console, "the note form after the conflict")
    assert console.b.evaluate("document.querySelector('#legal-note [name=body]').value") == "已与叔叔电话沟通，叔叔同意参加调解。", "the edited text stays"
    console.b.evaluate("document.getElementById('legal-note').scrollIntoView(), true")
    console.b.screenshot(f"console-{console.label}-case-note-earlier-saved.png")
    console.submit("#legal-note")
    console.b.wait_for("document.querySelectorAll('.legal-notes li').length === 3", "the edited note saved as a note of its own")
    wait_idle(console, "the note form")

    # Closing.
    console.fill({"outcome": "mediated", "summary": "调解成功，抚养权维持现状，叔叔按月支付生活费。"}, "#legal-close")
    console.submit("#legal-close")
    stage_is(console, "已结案")
    assert console.b.evaluate("!document.querySelector('.legal-actions')"), "a closed case offers no steps"
    console.shot("case-closed", "closed case")

    final = call(base, "GET", f"/v1/legal-cases/{case_id}", token=token)
    assert final["stage"] == "closed" and final["outcome"] == "mediated", final
    assert final["eligibility"]["decision"] == "eligible" and final["eligibility"]["basis"] == "minor", final["eligibility"]
    assert final["assignee"]["name"] == "周律师" and final["assignee"]["firstContactAt"], final["assignee"]
    assert final["mode"] == "mediation" and final["involvesLeftBehindChild"], final
    assert final["guardian"]["name"] == "测试祖父" and final["parties"] == ["张某", "李某"], final
    assert [n["body"] for n in final["notes"]] == ["已电话联系祖父，约定下周在村委会调解。", "已与叔叔电话沟通。", "已与叔叔电话沟通，叔叔同意参加调解。"], final["notes"]
    assert final["closingSummary"].startswith("调解成功"), final
    print(f"workflow through the UI: decision (minor) → assignment → 412 on first contact, resubmitted → notes (one after a lost answer and an edit) → closed; the API shows version {final['version']}, stage closed")


def refusal_and_review(console, base, password, child):
    """The officer refuses; the refusal is reviewed by the town admin (the API wants someone else)."""
    officer = login(base, "demo.legal", password)
    case_id = str(uuid.uuid4())
    call(base, "POST", "/v1/legal-cases", {"id": case_id, "personId": child["id"], "matter": "inheritance", "parties": [], "facts": "祖母去世后的房产继承",
                                           "urgency": "normal", "channel": "walk_in"}, token=officer)
    console.go(f"#/legal/{case_id}", "!!document.querySelector('#legal-decision')", "the second case")
    console.fill({"eligible": "false"}, "#legal-decision")
    console.fill({"reason": "申请事项不属于法律援助范围"}, "#legal-decision")
    console.submit("#legal-decision")
    stage_is(console, "不予援助")
    assert console.b.evaluate("!document.querySelector('#legal-review')"), "the officer who refused is not offered the review"
    console.logout()
    console.login("demo.town", password)
    console.go(f"#/legal/{case_id}", "!!document.querySelector('#legal-review')", "the review form for the town admin")
    console.fill({"decision": "overturn", "basis": "minor", "reason": "受援人为未成年人，免于经济困难审查"}, "#legal-review")
    console.shot("case-review", "review form")
    console.submit("#legal-review")
    stage_is(console, "准予援助")
    reviewed = call(base, "GET", f"/v1/legal-cases/{case_id}", token=officer)
    assert reviewed["stage"] == "eligible" and reviewed["eligibility"]["review"]["decision"] == "overturned", reviewed["eligibility"]
    print("refusal by demo.legal, reviewed and overturned by demo.town through the UI")


def reports(console, password):
    console.go("#/legal/indicators", "!!document.querySelector('.legal-rate') || !!document.querySelector('main .banner.bad')", "the indicators")
    assert console.b.evaluate("!!document.querySelector('.legal-rate')"), console.b.evaluate("document.querySelector('main').textContent")
    rate = console.b.evaluate("document.querySelector('.legal-rate').textContent")
    assert "应援尽援率" in rate and "%" in rate, rate
    console.shot("indicators", "indicators")
    console.go("#/legal/settings", "!!document.querySelector('#legal-settings-h') && !!document.querySelector('#legal-matters-h')", "the county rules")
    assert console.b.evaluate("!document.querySelector('#legal-settings')"), "no rule form for a town admin"
    console.logout()
    console.login("demo.county", password)
    console.go("#/legal/settings", "!!document.querySelector('#legal-settings')", "the rule form for the county admin")
    console.shot("settings", "county rules")
    print(f"indicators render ({rate.strip()[:40]}…); county rules read-only for the town, editable for the county")


def no_permission(console, password):
    console.logout()
    console.login("demo.teacher", password)
    assert not console.b.evaluate("!!document.querySelector('#menu a[data-route=legal]')"), "no legal-aid entry in a teacher's menu"
    console.go("#/legal", "document.querySelector('main h1')?.textContent === '无权限'", "无权限 for the teacher")
    console.shot("no-permission", "no permission")
    print("demo.teacher: no menu entry, 无权限 on #/legal")


def tablet(server, password, case_id):
    """The closed case and the list on a tablet (768×1024): the menu folds away, the page stays usable."""
    browser = Browser(768, 1024, mobile=True, scale=1)
    try:
        console = Console(browser, server, "legal-tablet")
        console.login("demo.legal", password)
        console.go(f"#/legal/{case_id}", "!!document.querySelector('.legal-details dl')", "the case on a tablet")
        console.shot("case", "tablet case")
        console.go("#/legal", "!!document.querySelector('table.legal-cases tbody tr')", "the list on a tablet")
        console.shot("list", "tablet list")
        return console.pages
    finally:
        browser.close()


def run(server):
    base = server.base
    password = server.password()
    officer = login(base, "demo.legal", password)
    me = call(base, "GET", "/v1/auth/me", token=officer)
    assert {"legal_aid.read", "legal_aid.manage"} <= set(me["permissions"]), me["permissions"]
    children = pick_children(base, officer, 2)
    browser = Browser(1366, 768)
    try:
        console = Console(browser, server, "legal")
        console.login("demo.legal", password)
        lists(console)
        intake_from_follow_up(console, base, officer)
        case_id = intake(console, children[0])
        workflow(console, base, officer, case_id)
        refusal_and_review(console, base, password, children[1])
        reports(console, password)
        no_permission(console, password)
        errors = [e for e in browser.console_errors() if "412" not in e and "422" not in e and "Failed to load resource" not in e]
        assert not errors, errors
    finally:
        browser.close()
    pages = {**console.pages, **{f"tablet {k}": v for k, v in tablet(server, password, case_id).items()}}
    print(f"accessibility: {len(pages)} pages pass (labels, names, landmarks, headings, contrast over {sum(pages.values())} text elements)")


def main():
    started = time.time()
    server = Server(BINARY).start()
    try:
        run(server)
        print(f"console legal-aid browser test passed in {time.time() - started:.0f} s; screenshots in .build/test-output/console-legal-*.png")
    except Exception:
        print(open(server.log_path).read()[-3000:], file=sys.stderr)
        raise
    finally:
        server.close()


if __name__ == "__main__":
    main()
