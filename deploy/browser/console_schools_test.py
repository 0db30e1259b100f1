#!/usr/bin/env python3
"""学校关爱 in the office console (/console/#/schools), in real headless Chromium over the DevTools
protocol. demo.teacher records a talk for a child of this month's talks-due list and marks the child
as dropped out (a 422 first: no reason), and sees the 控辍保学 case at once; the case appears in
demo.supervisor's list, who closes the demo's older case with a reason. demo.counsellor records a
counselling session; demo.teacher sees only that it happened (UI and API) and is refused when trying
to record one. demo.town designates a counsellor. A role without school permissions sees 无权限.
Every page visited passes the accessibility check of console_test.py; screenshots console-schools-*.png.
Usage: deploy/browser/console_schools_test.py [path to the liushou binary]"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import ROOT, Browser, Server, call, login  # noqa: E402
from console_test import Console  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")
LOADED = "!!document.querySelector('main h1') && !document.querySelector('main').textContent.includes('正在加载')"


def month():
    return time.strftime("%Y-%m", time.gmtime(time.time() + 8 * 3600))


def school_of(base, token):
    me = call(base, "GET", "/v1/auth/me", token=token)
    return next(g["unitId"] for g in me["grants"] if g["role"] == "school_staff")


def pick_children(base, teacher, school):
    """A child still due a talk this month (for the talk and the dropout) and another aged 9+ on the roll (for counselling)."""
    due = call(base, "GET", f"/v1/schools/{school}/talks-due?month={month()}", token=teacher)["items"]
    talk_child = next(d for d in due if d["status"] == "enrolled" and d.get("personName"))
    roll = call(base, "GET", f"/v1/schools/{school}/roll", token=teacher)["items"]
    other = next(e for e in roll if e["status"] == "enrolled" and e["personId"] != talk_child["personId"] and e["grade"] >= 4)
    return talk_child, other


def click_text(console, selector, text):
    console.b.evaluate(f"""(() => {{ const el = [...document.querySelectorAll({json.dumps(selector)})].find(e => e.textContent.trim() === {json.dumps(text)});
        if (!el) throw new Error('nothing to click: ' + {json.dumps(text)}); el.click(); return true; }})()""")


def teacher_flow(console, base, password, tokens, school, child, other):
    pid, name = child["personId"], child["personName"]
    console.login("demo.teacher", password)
    console.go("#/schools", "document.querySelectorAll('table.roll tbody tr').length > 0", "the roll")
    shown = console.b.evaluate("document.querySelectorAll('table.roll tbody tr').length")
    roll = call(base, "GET", f"/v1/schools/{school}/roll", token=tokens["teacher"])["items"]
    assert shown == len(roll), f"roll rows {shown}, API {len(roll)}"
    console.shot("roll", "schools roll")
    print(f"teacher: roll of {shown} children as the API lists them")

    # Talks due this month → the child's talk form.
    console.go("#/schools?tab=talks", f"!!document.querySelector('table.talks-due tr[data-person=\"{pid}\"]')", "the talks-due list")
    console.shot("talks-due", "talks due")
    console.b.evaluate(f"document.querySelector('table.talks-due tr[data-person=\"{pid}\"] a.button').click(), true")
    console.b.wait_for("!!document.querySelector('form.talk-form')", "the talk form")
    console.b.evaluate("document.getElementById('talk-topics').click(), document.querySelector('input[name=topics][value=family]').click(), true")
    console.fill({"mood": "low", "concerns": "想念外出务工的妈妈，上课走神"}, "form.talk-form")
    console.shot("talk-form", "talk form")
    console.submit("form.talk-form")
    console.b.wait_for("!!document.getElementById('child-notice') && document.getElementById('child-notice').textContent.includes('谈心记录')", "the saved talk")
    due = call(base, "GET", f"/v1/schools/{school}/talks-due?month={month()}", token=tokens["teacher"])["items"]
    assert pid not in [d["personId"] for d in due], "the child left this month's talks-due list"
    print(f"teacher: talk recorded for {name}; the API's talks-due list no longer names the child")

    # Dropout: a 422 without a reason (the input stays), then the change and the 控辍保学 case at once.
    console.go(f"#/schools/{pid}?tab=roll", "!!document.querySelector('form.status-change')", "the status change form")
    console.fill({"toStatus": "dropped_out"}, "form.status-change")
    console.submit("form.status-change")
    console.b.wait_for("document.querySelector('form.status-change [name=reason]').getAttribute('aria-invalid') === 'true'", "the 422 at the reason")
    assert console.b.evaluate("document.querySelector('form.status-change [name=toStatus]').value") == "dropped_out", "the choice stays after 422"
    console.shot("dropout-422", "dropout 422")
    console.fill({"reason": "长期不到校，家长称孩子要随父母外出打工"}, "form.status-change")
    console.submit("form.status-change")
    console.b.wait_for("!!document.getElementById('child-notice') && document.getElementById('child-notice').textContent.includes('控辍保学个案已开启')", "the dropout case notice")
    console.shot("dropout-case", "dropout case opened")
    history = call(base, "GET", f"/v1/persons/{pid}/enrolments", token=tokens["teacher"])
    assert any(e["status"] == "dropped_out" and not e.get("endedOn") for e in history["items"]), history["items"]
    print(f"teacher: {name} marked as dropped out through the UI; the case notice shows at once")

    # Counselling: the teacher is not a designated counsellor — the form is refused with a clear message.
    console.go(f"#/schools/{other['personId']}?tab=counselling", "!!document.querySelector('form.counselling-form')", "the counselling tab")
    console.fill({"issue": "测试：班主任尝试记录"}, "form.counselling-form")
    console.submit("form.counselling-form")
    console.b.wait_for("document.querySelector('form.counselling-form').textContent.includes('不是此儿童所在学校指定的心理老师')", "the 403 message")
    print("teacher: recording counselling refused with 你不是……指定的心理老师")
    console.go("#/schools?tab=five-ones", "document.querySelectorAll('table.five-ones tbody tr').length > 0", "the 五个一 table")
    console.shot("five-ones", "five ones")
    console.go(f"#/schools/{other['personId']}?tab=contact", "!!document.querySelector('form.contact-form')", "the family contact form")
    console.fill({"kind": "video", "withWhom": "father", "notes": "周末视频"}, "form.contact-form")
    console.submit("form.contact-form")
    console.b.wait_for("!!document.getElementById('child-notice')", "the saved contact")
    console.go(f"#/schools/{other['personId']}?tab=learning", "!!document.querySelector('form.plan-form')", "the learning tab")
    console.b.evaluate("document.getElementById('plan-subjects').click(), true")
    console.fill({"goals": "期末数学及格", "measures": "每周两次课后辅导"}, "form.plan-form")
    console.submit("form.plan-form")
    console.b.wait_for("!!document.querySelector('section.learning-plan form.check-form')", "the saved plan")
    console.fill({"notes": "计算题正确率提高"}, "section.learning-plan form.check-form")
    console.submit("section.learning-plan form.check-form")
    console.b.wait_for("document.querySelector('section.learning-plan').textContent.includes('计算题正确率提高')", "the progress check")
    console.shot("learning", "learning plan")
    plans = call(base, "GET", f"/v1/persons/{other['personId']}/learning-plans", token=tokens["teacher"])["items"]
    assert plans and plans[0]["checks"], plans
    print("teacher: family contact, learning plan and progress check recorded")
    console.logout()


def counsellor_flow(console, base, password, tokens, other):
    pid = other["personId"]
    console.login("demo.counsellor", password)
    console.go(f"#/schools/{pid}?tab=counselling", "!!document.querySelector('form.counselling-form')", "the counselling form")
    issue = "测试：与同学冲突后不愿上学"
    console.fill({"issue": issue, "notes": "沙盘游戏，情绪有所缓和", "plan": "两周后复谈", "riskLevel": "medium"}, "form.counselling-form")
    console.submit("form.counselling-form")
    console.b.wait_for(f"!!document.querySelector('table.counselling-details') && document.querySelector('table.counselling-details').textContent.includes({json.dumps(issue)})",
                       "the counsellor's details table")
    console.shot("counselling", "counselling details")
    view = call(base, "GET", f"/v1/persons/{pid}/counselling", token=tokens["counsellor"])
    assert any(d["issue"] == issue for d in view.get("details") or []), view
    print("counsellor: session recorded; the counsellor reads its details")
    console.logout()
    return issue


def teacher_cannot_open(console, base, password, tokens, other, issue):
    pid = other["personId"]
    view = call(base, "GET", f"/v1/persons/{pid}/counselling", token=tokens["teacher"])
    assert not view.get("details") and view["sessions"], f"the teacher's API view has no details: {view}"
    console.login("demo.teacher", password)
    console.go(f"#/schools/{pid}?tab=counselling", "!!document.getElementById('counselling-sealed')", "the sealed counselling tab")
    text = console.b.evaluate("document.querySelector('main').textContent")
    assert issue not in text and not console.b.evaluate("!!document.querySelector('table.counselling-details')"), "the teacher sees no details"
    assert console.b.evaluate("!document.querySelector('form.counselling-form') && !!document.getElementById('counselling-not-counsellor')"), \
        "no counselling form for a teacher known not to be a counsellor"
    console.shot("counselling-sealed", "counselling sealed")
    print(f"teacher: counselling of the child shows {len(view['sessions'])} dates only, no details (UI and API)")
    console.logout()


def supervisor_flow(console, base, password, tokens, child):
    pid = child["personId"]
    cases = call(base, "GET", "/v1/dropout-cases?status=open", token=tokens["supervisor"])["items"]
    mine = [c for c in cases if c["personId"] == pid]
    assert mine, "the supervisor's API list has the new case"
    older = next((c for c in cases if c["personId"] != pid), None)
    console.login("demo.supervisor", password)
    console.go("#/schools", LOADED, "the schools page")
    console.go("#/schools?tab=dropout", f"!!document.querySelector('ul.dropout-cases li[data-person=\"{pid}\"]')", "the new case in the list")
    console.shot("supervisor-dropout", "supervisor dropout cases")
    print(f"supervisor: the dropout case of {child['personName']} is in the console's list of {len(cases)} open cases")
    assert older, "the demo county holds an older open dropout case to close"
    if older:
        form = f"li[data-id=\"{older['id']}\"] form"
        console.b.click(f"li[data-id=\"{older['id']}\"] button.close-open")
        console.b.wait_for(f"!document.querySelector('{form}').hidden", "the close form")
        console.submit(form)
        console.b.wait_for(f"document.querySelector('{form} [name=reason]').getAttribute('aria-invalid') === 'true'", "the empty-reason error")
        console.fill({"reason": "已随父母转入外省学校就读，核实学籍"}, form)
        console.submit(form)
        console.b.wait_for(f"!document.querySelector('li[data-id=\"{older['id']}\"]')", "the closed case to leave the open list")
        closed = [c for c in call(base, "GET", "/v1/dropout-cases?status=closed", token=tokens["supervisor"])["items"] if c["id"] == older["id"]]
        assert closed and closed[0]["closedHow"] == "closed_by_town", closed
        print(f"supervisor: closed the older case of {older.get('personName')} with a reason")
    console.go("#/schools?tab=rates", "document.querySelectorAll('table.rates tbody tr').length > 0", "the rates")
    console.shot("rates", "rates")
    console.logout()


def town_flow(console, password, school):
    console.login("demo.town", password)
    console.go(f"#/schools?school={school}&tab=counsellors", "!!document.getElementById('counsellor-account')", "the counsellors tab")
    console.b.evaluate("""(() => { const s = document.getElementById('counsellor-account');
        s.value = [...s.options].find(o => o.textContent.includes('demo.counsellor')).value; return true; })()""")
    console.b.click("#counsellor-designate")
    console.b.wait_for("document.getElementById('counsellor-result').textContent.includes('已是本校心理老师')", "the designation answer")
    console.shot("counsellors", "counsellors")
    print("town admin: demo.counsellor designation confirmed (already a counsellor)")
    console.logout()


def refused_flow(console, password):
    console.login("demo.relief", password)
    assert not console.b.evaluate("!!document.querySelector('#menu a[data-route=schools]')"), "no 学校关爱 in the relief officer's menu"
    console.go("#/schools", "document.querySelector('main h1') && document.querySelector('main h1').textContent === '无权限'", "无权限 for demo.relief")
    console.shot("refused", "schools refused")
    print("relief officer: #/schools answers 无权限")
    console.logout()


def tablet(server, password):
    browser = Browser(768, 1024, mobile=True, scale=1)
    try:
        console = Console(browser, server, "schools-tablet")
        console.login("demo.teacher", password)
        console.go("#/schools?tab=talks", "!!document.querySelector('main [role=status]')", "the talks tab")
        console.shot("talks", "tablet talks")
        assert not browser.console_errors(), browser.console_errors()
    finally:
        browser.close()


def run(server):
    base = server.base
    password = server.password()
    tokens = {k: login(base, f"demo.{k}", password) for k in ["teacher", "counsellor", "supervisor", "town"]}
    school = school_of(base, tokens["teacher"])
    child, other = pick_children(base, tokens["teacher"], school)
    browser = Browser(1366, 768)
    try:
        console = Console(browser, server, "schools")
        teacher_flow(console, base, password, tokens, school, child, other)
        issue = counsellor_flow(console, base, password, tokens, other)
        teacher_cannot_open(console, base, password, tokens, other, issue)
        supervisor_flow(console, base, password, tokens, child)
        town_flow(console, password, school)
        refused_flow(console, password)
        errors = [e for e in browser.console_errors() if "403" not in e and "412" not in e and "422" not in e and "Failed to load resource" not in e]
        assert not errors, errors
        pages = console.pages
    finally:
        browser.close()
    tablet(server, password)
    print(f"accessibility: {len(pages)} desk pages and the tablet page pass")


def main():
    started = time.time()
    server = Server(BINARY).start()
    try:
        run(server)
        print(f"console schools browser test passed in {time.time() - started:.0f} s; screenshots in .build/test-output/console-schools-*.png")
    except Exception:
        print(open(server.log_path).read()[-3000:], file=sys.stderr)
        raise
    finally:
        server.close()


if __name__ == "__main__":
    main()
