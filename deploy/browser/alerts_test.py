#!/usr/bin/env python3
"""消息提醒 (issue 22) in real headless Chromium over the DevTools protocol, on the demo county. The
supervisor's console bell shows the API's unread count; the inbox marks one alert read (the API
agrees and the bell follows); the contact settings save a phone the API then answers masked, a bad
phone shows its 422 at the field, a parallel save shows the 412 and keeps the typing. The county
admin changes a rule's title (the API holds it), meets a 422 for an unknown placeholder at the title,
reverts to the default; adds a WeCom robot (the API answers its webhook masked), sends it a test
message, deletes it; adds an SMS number whose test message (no SMS gateway) becomes a dead letter,
which the dead-letters page lists and sends again; the other delivery tabs load. The town admin sees the rules
read-only; a grid worker has no admin entries and meets 无权限. On a 360 px phone the field app shows
the inbox with its unread count, marks all read (the API agrees) and, offline, still shows the list
kept on the device (title, body and times only). Every console page passes the accessibility check.
Usage: deploy/browser/alerts_test.py [path to the liushou binary]"""
import base64
import json
import os
import re
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import OFFLINE, OUTPUT, ROOT, Browser, Server, call, login  # noqa: E402
from console_test import Console, request  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")
ADMIN_ROUTES = ["alert-rules", "alert-channels", "alert-deliveries"]
RULE = "safeguarding.reported"
HAN = re.compile("[\u4e00-\u9fff]")
WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=6f1d2c3b-aaaa-4bbb-8ccc-0123456789ab"
KEPT = """new Promise((resolve) => { const q = indexedDB.open('liushou-field');
  q.onsuccess = () => { const t = q.result.transaction('cache').objectStore('cache').get('alerts');
    t.onsuccess = () => { q.result.close(); resolve(t.result ? t.result.value.items : null); }; }; })"""


def shot(console, name, page=None):
    console.b.evaluate("window.scrollTo(0, 0), true")
    console.b.screenshot(f"alerts-{name}.png")
    if page:
        console.check_a11y(page)


def viewport_shot(browser, name):
    """The phone's screen as the user sees it (the fixed tab bar at its bottom), not the whole page."""
    data = browser.send("Page.captureScreenshot", session=browser.page, format="png")["data"]
    with open(os.path.join(OUTPUT, name), "wb") as f:
        f.write(base64.b64decode(data))


def inbox(base, token, unread=False):
    return call(base, "GET", "/v1/me/alerts?limit=50" + ("&unread=true" if unread else ""), token=token)


def recipient_with_alerts(base, password):
    """A demo user with unread alerts: the seed's safeguarding reports alert the supervisor and the
    town; if none arrived, the cadre files one now and the test waits for its alerts."""
    users = ["demo.supervisor", "demo.town"]
    tokens = {u: login(base, u, password) for u in users}
    for user in users:
        if inbox(base, tokens[user])["unread"] >= 2:
            return user, tokens[user]
    cadre = login(base, "demo.cadre", password)
    village = next(g["unitId"] for g in call(base, "GET", "/v1/auth/me", token=cadre)["grants"] if g["role"] == "village_cadre")
    for details in ("测试：儿童独居，邻居反映已三天无人照看", "测试：儿童独居，父母外出未委托监护"):
        call(base, "POST", "/v1/safeguarding-reports", {"unitId": village, "kind": "living_alone", "details": details}, token=cadre,
             headers={"idempotency-key": str(uuid.uuid4())})
    deadline = time.time() + 60
    while time.time() < deadline:
        for user in users:
            if inbox(base, tokens[user])["unread"] >= 2:
                print(f"no seeded alerts: filed two safeguarding reports as demo.cadre, {user} was alerted")
                return user, tokens[user]
        time.sleep(1)
    raise AssertionError(f"no alerts for {users} after filing safeguarding reports")


def bell_label(browser):
    return browser.evaluate("document.getElementById('alerts-bell').getAttribute('aria-label')")


def console_inbox(console, base, password, user, token):
    b = console.b
    console.login(user, password)
    unread = inbox(base, token)["unread"]
    b.wait_for(f"!document.getElementById('alerts-bell').hidden && document.getElementById('alerts-bell').getAttribute('aria-label') === '消息提醒（{unread} 条未读）'",
               "the bell with the API's unread count")
    shown = b.evaluate("document.getElementById('alerts-count').textContent")
    assert shown == (str(unread) if unread <= 99 else "99+"), f"the bell shows {shown!r}, the API {unread} unread"
    shot(console, "console-home", "home with the bell")
    print(f"{user}: bell {bell_label(b)} matches the API's unread count {unread}")

    b.click("#alerts-bell")
    b.wait_for("location.hash === '#/alerts' && document.querySelectorAll('main li.alert').length > 0", "the inbox")
    items = inbox(base, token)["items"]
    listed = b.evaluate("[...document.querySelectorAll('main li.alert')].map(li => li.dataset.id.toLowerCase())")
    assert listed == [a["id"].lower() for a in items], "the inbox lists the API's alerts, newest first"
    shot(console, "console-inbox", "inbox")
    first = b.evaluate("document.querySelector('main li.alert.unread').dataset.id")
    b.click(f"main li.alert[data-id='{first}'] button.mark-read")
    b.wait_for(f"!document.querySelector(\"main li.alert[data-id='{first}']\").classList.contains('unread')", "the alert shown read")
    after = inbox(base, token)
    marked = next(a for a in after["items"] if a["id"].lower() == first.lower())
    assert marked["readAt"], f"the API has the alert read: {marked}"
    assert after["unread"] == unread - 1, f"unread {unread} → {after['unread']}"
    b.wait_for(f"document.getElementById('alerts-bell').getAttribute('aria-label') === '消息提醒（{after['unread']} 条未读）'", "the bell to follow")
    print(f"marked one read in the inbox: the API has readAt {marked['readAt']}, unread {unread} → {after['unread']}, the bell follows")

    console.go("#/alerts?filter=unread", "document.querySelector('main nav a[aria-current=page]').textContent === '未读' && !document.querySelector('main li.alert:not(.unread)')", "the unread filter")
    count = b.evaluate("document.querySelectorAll('main li.alert').length")
    assert count == len(inbox(base, token, unread=True)["items"]), f"the unread filter lists {count}"
    shot(console, "console-inbox-unread", "inbox, unread")
    print(f"未读 filter lists the {count} unread alerts")


def console_contact(console, base, token):
    b = console.b
    console.go("#/contact", "!!document.querySelector('form.contact-form')", "the contact form")
    console.fill({"phone": "13812345678", "wecomUserId": "zhang.wei", "dingtalkUserId": ""}, "form.contact-form")
    console.submit("form.contact-form")
    b.wait_for("document.querySelector('.contact-now').textContent.includes('138****5678') || document.querySelector('.contact-now').textContent.includes('5678')", "the masked phone")
    stored = call(base, "GET", "/v1/me/contact", token=token)
    assert stored["phone"] and stored["phone"] != "13812345678" and "*" in stored["phone"] and stored["phone"].endswith("5678"), stored
    assert stored.get("wecomUserId") == "zhang.wei" and stored.get("dingtalkUserId") is None, stored
    assert b.evaluate("document.querySelector('form.contact-form [name=phone]').value") == "", "the phone field empties after saving"
    print(f"contact saved through the UI; the API answers phone {stored['phone']}, WeCom zhang.wei")

    console.fill({"phone": "12345"}, "form.contact-form")
    console.submit("form.contact-form")
    b.wait_for("(() => { const f = document.querySelector('form.contact-form [name=phone]'); return f.getAttribute('aria-invalid') === 'true' && document.getElementById(f.id + '-error').textContent.length > 0; })()",
               "the 422 at the phone field")
    error = b.evaluate("(() => { const f = document.querySelector('form.contact-form [name=phone]'); return document.getElementById(f.id + '-error').textContent; })()")
    assert HAN.search(error), f"the phone's error in Chinese: {error}"
    assert b.evaluate("document.querySelector('form.contact-form [name=phone]').value") == "12345", "the bad phone stays typed"
    assert call(base, "GET", "/v1/me/contact", token=token)["phone"] == stored["phone"], "the bad phone was not stored"
    shot(console, "console-contact-422", "contact with 422")
    print(f"422 for phone 12345 shown at its field: {error}")

    # Saved elsewhere meanwhile: the UI's version is stale.
    _, headers = request(base, "GET", "/v1/me/contact", token)
    request(base, "PUT", "/v1/me/contact", token, {"wecomUserId": "zhang.wei", "dingtalkUserId": "zw-phone"}, {"if-match": headers["etag"]})
    console.fill({"phone": "", "wecomUserId": "zhang.wei2"}, "form.contact-form")
    console.submit("form.contact-form")
    b.wait_for("!!document.querySelector('form.contact-form .banner.warn') && document.querySelector('.contact-now').textContent.includes('zw-phone')", "the 412 notice with the fresh record")
    assert b.evaluate("document.querySelector('form.contact-form [name=wecomUserId]').value") == "zhang.wei2", "the typing stays after the 412"
    assert call(base, "GET", "/v1/me/contact", token=token).get("wecomUserId") == "zhang.wei", "the stale save was refused"
    shot(console, "console-contact-412", "contact with 412")
    console.submit("form.contact-form")
    b.wait_for("!document.querySelector('form.contact-form .banner') && document.querySelector('.contact-now').textContent.includes('zhang.wei2')", "the save over the fresh version")
    stored = call(base, "GET", "/v1/me/contact", token=token)
    assert stored.get("wecomUserId") == "zhang.wei2" and stored.get("dingtalkUserId") is None, stored
    print("412 after a parallel save: notice and the fresh record shown, typing kept; saved over it on the second try")


def county_id(base, token):
    return next(g["unitId"] for g in call(base, "GET", "/v1/auth/me", token=token)["grants"] if g["role"] == "county_admin")


def rule(base, token, county):
    return next(r for r in call(base, "GET", f"/v1/alert-rules?countyId={county}", token=token)["items"] if r["event"] == RULE)


def county_rules(console, base, password):
    b = console.b
    token = login(base, "demo.county", password)
    county = county_id(base, token)
    console.login("demo.county", password)
    shown = b.evaluate("[...document.querySelectorAll('#menu a')].map(a => a.dataset.route)")
    assert all(r in shown for r in ["alerts", "contact", *ADMIN_ROUTES]), f"the county admin's menu: {shown}"
    console.go("#/alert-rules", "document.querySelectorAll('table.alert-rules tbody tr').length > 0", "the rules table")
    events = b.evaluate("[...document.querySelectorAll('table.alert-rules tbody tr')].map(r => r.dataset.event)")
    assert events == [r["event"] for r in call(base, "GET", f"/v1/alert-rules?countyId={county}", token=token)["items"]], events
    shot(console, "rules", "alert rules")
    b.click(f"table.alert-rules tr[data-event='{RULE}'] a")
    b.wait_for("!!document.querySelector('form.rule-form [name=title]')", "the rule form")
    shot(console, "rule-form", "alert rule form")
    title = "强制报告（本县）：{unit} {kind}"
    console.fill({"title": title}, "form.rule-form")
    console.submit("form.rule-form")
    b.wait_for("location.hash.startsWith('#/alert-rules') && !!document.querySelector('table.alert-rules')", "the rules list after saving")
    saved = rule(base, token, county)
    assert saved["title"] == title and saved["source"] == "county", saved
    print(f"county admin changed the title of {RULE}: the API holds {saved['title']!r} (source county, version {saved['version']})")

    b.click(f"table.alert-rules tr[data-event='{RULE}'] a")
    b.wait_for("!!document.querySelector('form.rule-form [name=title]')", "the rule form again")
    console.fill({"title": "强制报告：{unit} {nosuch}"}, "form.rule-form")
    console.submit("form.rule-form")
    b.wait_for("(() => { const f = document.querySelector('form.rule-form [name=title]'); return f.getAttribute('aria-invalid') === 'true' && document.getElementById(f.id + '-error').textContent.length > 0; })()",
               "the 422 at the title")
    error = b.evaluate("(() => { const f = document.querySelector('form.rule-form [name=title]'); return document.getElementById(f.id + '-error').textContent; })()")
    assert HAN.search(error) and "{nosuch}" in error, f"the title's error in Chinese, naming the placeholder: {error}"
    assert b.evaluate("document.querySelector('form.rule-form [name=title]').value") == "强制报告：{unit} {nosuch}", "the typed title stays"
    assert rule(base, token, county)["title"] == title, "the bad title was not stored"
    shot(console, "rule-422", "alert rule with 422")
    print(f"422 for an unknown placeholder shown at 标题: {error}")

    # Changed by someone else while the page shows it: 恢复平台默认 says so, takes the latest version,
    # and a second click restores the default.
    current = rule(base, token, county)
    changed = {key: current.get(key) for key in ["enabled", "urgency", "channels", "recipientRoles", "body", "smsTemplateId"]}
    changed["title"] = "强制报告（他人修改）：{unit} {kind}"
    call(base, "PUT", f"/v1/alert-rules/{RULE}?countyId={county}", changed, token=token, headers={"if-match": f'"{current["version"]}"'})
    b.evaluate("window.confirm = () => true; document.getElementById('revert-rule').click(), true")
    b.wait_for("(document.querySelector('[role=status] .banner.warn') || {}).textContent?.includes('刚被他人修改过') && !document.getElementById('revert-rule').disabled",
               "the 412 notice of the revert")
    assert "他人修改" in b.evaluate("document.querySelector('[role=status] .banner.warn').textContent"), "the latest rule is shown"
    shot(console, "rule-revert-412", "alert rule revert after a parallel change")
    b.evaluate("document.getElementById('revert-rule').click(), true")
    b.wait_for("location.hash.startsWith('#/alert-rules') && !!document.querySelector('table.alert-rules')", "the rules list after reverting")
    reverted = rule(base, token, county)
    assert reverted["source"] == "default" and reverted["title"] != title, reverted
    print("恢复平台默认: a parallel change is shown and its version taken; the second click restores the default, as the API answers")
    return token


def county_channels(console, base, token):
    b = console.b
    console.go("#/alert-channels", "!!document.querySelector('form.channel-form')", "the channels page")
    before = {c["id"].lower() for c in call(base, "GET", "/v1/alert-channels", token=token)["items"]}
    console.fill({"kind": "wecom", "name": "城关镇儿童工作群（测试）", "url": WEBHOOK}, "form.channel-form")
    shot(console, "channel-form", "channels with the form filled")
    console.submit("form.channel-form")
    b.wait_for("[...document.querySelectorAll('table.alert-channels td')].some(td => td.textContent === '城关镇儿童工作群（测试）')", "the new channel listed")
    added = [c for c in call(base, "GET", "/v1/alert-channels", token=token)["items"] if c["id"].lower() not in before]
    assert len(added) == 1 and added[0]["kind"] == "wecom" and added[0]["name"] == "城关镇儿童工作群（测试）", added
    target = added[0]["target"]
    assert target != WEBHOOK and "6f1d2c3b-aaaa-4bbb-8ccc-0123456789ab" not in target, f"the webhook is masked: {target}"
    shot(console, "channels", "channels")
    print(f"county admin added a WeCom robot; the API answers its target masked: {target}")

    channel = added[0]["id"]
    b.click(f"table.alert-channels tr[data-id='{channel}'] button.test-channel")
    b.wait_for("document.getElementById('toast') && document.getElementById('toast').textContent.includes('测试消息已排队')", "the test message queued")
    b.evaluate(f"window.confirm = () => true; document.querySelector(\"table.alert-channels tr[data-id='{channel}'] button.delete-channel\").click(), true")
    b.wait_for(f"!document.querySelector(\"table.alert-channels tr[data-id='{channel}']\")", "the channel gone from the list")
    left = {c["id"].lower() for c in call(base, "GET", "/v1/alert-channels", token=token)["items"]}
    assert channel.lower() not in left, "the API no longer lists the deleted channel"
    print("sent it a test message (queued) and deleted it; the API no longer lists it")

    # An SMS number: with no SMS gateway configured its test message is a dead letter at once.
    console.fill({"kind": "sms", "name": "城关镇值班电话（测试）", "phone": "13900001111"}, "form.channel-form")
    console.submit("form.channel-form")
    b.wait_for("[...document.querySelectorAll('table.alert-channels td')].some(td => td.textContent === '城关镇值班电话（测试）')", "the SMS channel listed")
    sms = next(c for c in call(base, "GET", "/v1/alert-channels", token=token)["items"] if c["name"] == "城关镇值班电话（测试）")
    assert sms["kind"] == "sms" and "13900001111" not in sms["target"], f"the SMS number is masked: {sms}"
    b.click(f"table.alert-channels tr[data-id='{sms['id']}'] button.test-channel")
    print(f"county admin added an SMS number (the API answers {sms['target']}) and sent it a test message")
    return sms


def dead_letter(base, token):
    deadline = time.time() + 30
    while time.time() < deadline:
        dead = [d for d in call(base, "GET", "/v1/alert-deliveries?status=dead", token=token)["items"] if d["channel"] == "sms"]
        if dead:
            return dead[0]
        time.sleep(0.5)
    raise AssertionError("the SMS test message did not become a dead letter")


def retried(browser, delivery_id):
    """The status codes the server answered to the page's retries of a delivery."""
    return [e["params"]["response"]["status"] for e in browser.events if e.get("method") == "Network.responseReceived"
            and f"/v1/alert-deliveries/{delivery_id}/retry".lower() in e["params"]["response"]["url"].lower()]


def county_deliveries(console, base, token):
    b = console.b
    dead = dead_letter(base, token)
    console.go("#/alert-deliveries", f"!!document.querySelector(\"table.alert-deliveries tr[data-id='{dead['id']}'] button.retry\")", "the dead letter listed")
    shot(console, "deliveries-dead", "deliveries dead")
    b.click(f"table.alert-deliveries tr[data-id='{dead['id']}'] button.retry")
    b.wait_for("document.getElementById('toast')?.textContent === '已重新排队发送'", "the retry accepted")
    b.pump(0.5)
    assert retried(b, dead["id"]) == [200], f"the server accepted one retry: {retried(b, dead['id'])}"
    print(f"dead letter ({dead['lastError']}) listed and sent again: the server answered 200")
    for status, label in [("pending", "待发送"), ("sent", "已发送")]:
        console.go(f"#/alert-deliveries?status={status}",
                   f"document.querySelector('main nav a[aria-current=page]')?.textContent === '{label}' && !!document.querySelector('main p[role=status]')", f"the {label} deliveries")
        shot(console, f"deliveries-{status}", f"deliveries {status}")
    print("发送记录: the pending and sent tabs load")


def town_reads_rules(console, password):
    console.login("demo.town", password)
    console.go("#/alert-rules", "document.querySelectorAll('table.alert-rules tbody tr').length > 0", "the town admin's rules")
    console.b.click(f"table.alert-rules tr[data-event='{RULE}'] a")
    console.b.wait_for("!!document.querySelector('form.rule-form [name=title]')", "the town admin's rule page")
    assert console.b.evaluate("document.querySelector('form.rule-form fieldset').disabled && !document.querySelector('form.rule-form button[type=submit]')"), "read-only for a town admin"
    shot(console, "rule-town", "alert rule read-only")
    print("town admin: rules shown read-only (no 保存)")


def grid_refused(console, password):
    console.login("demo.grid", password)
    shown = console.b.evaluate("[...document.querySelectorAll('#menu a')].map(a => a.dataset.route)")
    assert "alerts" in shown and "contact" in shown and not any(r in shown for r in ADMIN_ROUTES), f"the grid worker's menu: {shown}"
    console.go("#/alert-rules", "document.querySelector('main h1')?.textContent === '无权限'", "无权限 on the rules")
    shot(console, "grid-refused", "无权限")
    print("grid worker: 收件箱 and 我的接收方式 in the menu, no admin entries; #/alert-rules answers 无权限")


def tablet(server, password):
    """On a tablet (768 px) the menu folds away; the bell stays in the header."""
    browser = Browser(768, 1024)
    try:
        console = Console(browser, server, "alerts-tablet")
        console.login("demo.town", password)
        console.go("#/alerts", "document.querySelectorAll('main li.alert').length > 0 && !!document.getElementById('alerts-bell').getClientRects().length", "the tablet inbox")
        assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the tablet inbox fits the width"
        shot(console, "tablet-inbox", "inbox (tablet)")
        console.go("#/alert-rules", "document.querySelectorAll('table.alert-rules tbody tr').length > 0", "the tablet rules")
        shot(console, "tablet-rules", "alert rules (tablet)")
        return console.pages
    finally:
        browser.close()


def field_app(server, base, password, user, token):
    browser = Browser(360, 640, mobile=True, scale=2)
    try:
        browser.navigate(base + "/app/")
        browser.wait_for("!!document.querySelector('input[name=username]')", "the field app's login form")
        browser.evaluate(f"""(() => {{ document.querySelector('input[name=username]').value = {json.dumps(user)};
            document.querySelector('input[name=password]').value = {json.dumps(password)};
            document.querySelector('form').requestSubmit(); return true; }})()""")
        browser.wait_for("!document.getElementById('tabs').hidden && !document.getElementById('inbox-tab').hidden", "the field app's tabs")
        unread = inbox(base, token)["unread"]
        browser.wait_for(f"document.getElementById('inbox-tab').getAttribute('aria-label') === '消息（{unread} 条未读）'", "the inbox tab's unread count")
        viewport_shot(browser, "alerts-app-home.png")
        browser.click("#inbox-tab")
        items = inbox(base, token)["items"]
        browser.wait_for(f"document.querySelectorAll('main li.alert').length === {len(items)}", "the app's inbox")
        viewport_shot(browser, "alerts-app-inbox.png")
        print(f"field app: 消息 tab shows {unread} unread as the API; the inbox lists {len(items)} alerts")

        browser.click("#read-all")
        browser.wait_for("!document.querySelector('main li.alert.unread') && document.querySelectorAll('main li.alert').length > 0", "all shown read")
        assert inbox(base, token)["unread"] == 0, "the API has all read"
        browser.wait_for("document.getElementById('inbox-count').textContent === ''", "the tab's count gone")
        browser.wait_for(f"({KEPT}).then(k => k && k.length === {len(items)} && k.every(a => a.readAt))", "the device's copy, all read")
        kept = browser.evaluate(KEPT)
        keys = {k for a in kept for k in a}
        assert keys <= {"title", "body", "createdAt", "readAt"}, f"the device keeps only title, body and times: {keys}"
        print(f"全部标为已读: the API answers 0 unread; the device keeps {len(kept)} alerts with only {sorted(keys)}")

        browser.evaluate("location.hash = '#/contact', true")
        browser.wait_for("document.querySelector('form.contact-form .contact-now')?.textContent.includes('5678')", "the app's contact form with the masked phone")
        viewport_shot(browser, "alerts-app-contact.png")
        browser.evaluate("location.hash = '#/inbox', true")
        browser.wait_for(f"document.querySelectorAll('main li.alert').length === {len(items)}", "the inbox again")

        browser.wait_for("navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller || (location.reload(), false))",
                         "the service worker to control the page", seconds=60)
        browser.wait_for("!!navigator.serviceWorker.controller", "the controlled page")
        browser.network(OFFLINE)
        browser.reload()
        browser.wait_for("document.readyState === 'complete' && !document.getElementById('tabs').hidden", "the app offline")
        browser.wait_for(f"!!document.querySelector('main .offline-banner') && document.querySelectorAll('main li.alert').length === {len(items)}", "the kept list offline")
        assert not browser.evaluate("!!document.querySelector('main li.alert button')"), "offline the list is read-only"
        titles = browser.evaluate("[...document.querySelectorAll('main li.alert .alert-title')].map(t => t.textContent)")
        assert titles == [a["title"] for a in items], "offline the kept titles, newest first"
        viewport_shot(browser, "alerts-app-offline.png")
        print(f"offline: the inbox shows the {len(titles)} kept alerts read-only under the offline banner")

        browser.evaluate("location.hash = '#/contact', true")
        browser.wait_for("!!document.querySelector('main .banner.warn')", "the contact page offline")
        errors = [e for e in browser.console_errors() if "Failed to load resource" not in e]
        assert not errors, f"no script errors in the field app: {errors}"
    finally:
        browser.close()


def run(server):
    started = time.time()
    base = server.base
    password = server.password()
    user, token = recipient_with_alerts(base, password)
    browser = Browser(1366, 768)
    try:
        console = Console(browser, server, "alerts")
        console_inbox(console, base, password, user, token)
        console_contact(console, base, token)
        county = county_rules(console, base, password)
        county_channels(console, base, county)
        county_deliveries(console, base, county)
        town_reads_rules(console, password)
        grid_refused(console, password)
        errors = [e for e in browser.console_errors() if "412" not in e and "422" not in e and "Failed to load resource" not in e]
        assert not errors, f"no script errors in the console: {errors}"
        pages = console.pages
    finally:
        browser.close()
    pages.update({f"tablet {k}": v for k, v in tablet(server, password).items()})
    field_app(server, base, password, user, token)
    print(f"accessibility: {len(pages)} console pages pass (contrast over {sum(pages.values())} text elements)")
    print(f"alerts browser test passed in {time.time() - started:.0f} s; screenshots in {OUTPUT}/alerts-*.png")


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
