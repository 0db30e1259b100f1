#!/usr/bin/env python3
"""Two-factor authentication in the console (/console/) and the field app (/app/), in real headless
Chromium. The town administrator enrols an authenticator: the QR code on the page is photographed
(a screenshot) and read back with OpenCV's QR decoder, as a phone's camera would; its secret must be
the one printed beside it. The code computed from it (RFC 6238, here in Python) confirms the
enrolment; ten recovery codes are shown. A new login asks for a code: a wrong one is refused at the
field, the right one opens the console. A recovery code works once. The field app asks for the code
too, and so does the joint meeting's page (/dashboard): its code step, an enrolment the policy
requires (the server runs with LIUSHOU_TWO_FACTOR_ROLES=county_admin, as production asks of county
administrators), a password change after a reset, and a login without indicator rights, whose server
session ends with the refusal. An administrator above resets the authenticator and the next login goes
straight in (the policy does not name town administrators); an authenticator enrolled then in another
session makes this open session ask for a code at its next page.
Usage: deploy/browser/two_factor_test.py [path to the liushou binary]"""
import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import OUTPUT, ROOT, Browser, Server, call, login  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")

try:
    import cv2  # noqa: E402
    import numpy  # noqa: E402
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "opencv-python-headless", "numpy"], check=True)
    import cv2  # noqa: E402
    import numpy  # noqa: E402


def totp(secret, step):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def now_step():
    return int(time.time()) // 30


def read_qr(browser):
    """Screenshots the QR code (the SVG alone) and decodes it like a phone camera would: OpenCV's
    detector misses some codes at one size or quiet zone and reads them at another, so a few framings
    of the same screenshot are tried, as a camera tries until it focuses."""
    rect = browser.evaluate("""(() => { const r = document.querySelector('figure.qr svg').getBoundingClientRect();
        return JSON.stringify({ x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }); })()""")
    box = json.loads(rect)
    clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"], "scale": 2}
    data = browser.send("Page.captureScreenshot", session=browser.page, format="png", clip=clip, captureBeyondViewport=True)["data"]
    png = base64.b64decode(data)
    with open(os.path.join(OUTPUT, "two-factor-qr.png"), "wb") as f:
        f.write(png)
    image = cv2.imdecode(numpy.frombuffer(png, numpy.uint8), cv2.IMREAD_GRAYSCALE)
    for pad, scale in [(40, 1), (80, 1), (40, 0.5), (80, 2), (120, 1)]:
        framed = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        if scale != 1:
            framed = cv2.resize(framed, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_NEAREST)
        _, framed = cv2.threshold(framed, 128, 255, cv2.THRESH_BINARY)
        text, _, _ = cv2.QRCodeDetector().detectAndDecode(framed)
        if text:
            return text
    return ""


class Console:
    def __init__(self, server, browser):
        self.server, self.b = server, browser

    def submit_login(self, username, password, path="/console/"):
        self.b.evaluate("(() => { try { localStorage.removeItem('liushou.profile'); } catch (e) {} return true; })()")
        self.b.navigate(self.server.base + path + "#/login")
        self.b.wait_for("!!document.querySelector('input[name=username]')", "the login form")
        self.b.evaluate(f"""(() => {{ document.querySelector('input[name=username]').value = {json.dumps(username)};
            document.querySelector('input[name=password]').value = {json.dumps(password)};
            document.querySelector('main form, #view form').requestSubmit(); return true; }})()""")

    def enter(self, name, value):
        self.b.evaluate(f"""(() => {{ const el = document.querySelector('main form [name={name}], #view form [name={name}]');
            el.value = {json.dumps(value)}; el.closest('form').requestSubmit(); return true; }})()""")

    def logout(self):
        self.b.evaluate("document.getElementById('logout').click(), true")
        self.b.wait_for("!!document.querySelector('input[name=username]')", "the login form after logout")


def next_step(after):
    """A TOTP step after `after` (each step's code is taken once) that the server accepts now."""
    while now_step() + 1 <= after:
        time.sleep(1)
    return max(after + 1, now_step())


class Dashboard:
    """The joint meeting's page (/dashboard): its own login form, then the steps a session owes."""

    def __init__(self, server, browser):
        self.server, self.b = server, browser

    def login(self, username, password):
        # The page left behind is marked, so that the form filled below is the new page's.
        self.b.evaluate("(() => { try { localStorage.removeItem('liushou.profile'); } catch (e) {} window.leaving = true; return true; })()")
        self.b.navigate(self.server.base + "/dashboard")
        self.b.wait_for("!window.leaving && document.readyState === 'complete' && !!document.getElementById('login') && !document.getElementById('login').hidden",
                        "the dashboard's login form")
        self.b.evaluate(f"""(() => {{ document.getElementById('username').value = {json.dumps(username)};
            document.getElementById('password').value = {json.dumps(password)};
            document.getElementById('login').requestSubmit(); return true; }})()""")

    def enter(self, name, value):
        self.b.evaluate(f"""(() => {{ const el = document.querySelector('#step form [name={name}]');
            el.value = {json.dumps(value)}; el.closest('form').requestSubmit(); return true; }})()""")

    def board(self, what):
        self.b.wait_for("!document.getElementById('board').hidden && document.querySelectorAll('#indicators tbody tr').length > 0"
                        " && document.getElementById('step').hidden && document.getElementById('login').hidden", what)

    def logout(self):
        self.b.evaluate("document.getElementById('logout').click(), true")
        self.b.wait_for("!document.getElementById('login').hidden", "the dashboard's login form after logout")

    def session_alive(self):
        return self.b.evaluate("fetch('/v1/auth/me', { credentials: 'same-origin' }).then(r => r.status === 200)")


def dashboard_flow(server, browser, password, town_secret, town_step):
    """The joint meeting's page asks for what the console asks for. Answers the last TOTP steps used
    (the town's, the county's) and the county's secret."""
    dashboard = Dashboard(server, browser)
    browser.navigate(server.base + "/dashboard")
    browser.wait_for("document.readyState === 'complete' && !!document.getElementById('login')", "the dashboard page")
    assert browser.evaluate("document.getElementById('login').getAttribute('method')") == "post", "the login form posts (never a GET with the password)"

    # A town administrator with an authenticator: the code after the password, then the indicators.
    dashboard.login("demo.town", password)
    browser.wait_for("!document.getElementById('step').hidden && !!document.querySelector('#step input[name=code]')", "the dashboard's code step")
    assert browser.evaluate("document.getElementById('login').hidden && document.getElementById('board').hidden"), "only the code step shows"
    assert "权限" not in browser.evaluate("document.getElementById('login-error').textContent"), "no refusal on the login form"
    browser.screenshot("two-factor-dashboard-code.png")
    dashboard.enter("code", "000000" if totp(town_secret, now_step()) != "000000" else "000001")
    browser.wait_for("[...document.querySelectorAll('#step p.field-error')].some((p) => p.textContent.includes('验证码不正确'))", "a wrong code refused on the dashboard")
    town_step = next_step(town_step)
    dashboard.enter("code", totp(town_secret, town_step))
    dashboard.board("the town's indicators after the code")
    browser.screenshot("two-factor-dashboard-board.png")
    dashboard.logout()
    print("dashboard: the town administrator gave the code after the password and saw the indicators")

    # A county administrator, whose role the policy names: the enrolment on the dashboard itself.
    dashboard.login("demo.county", password)
    browser.wait_for("!!document.querySelector('#step figure.qr svg path') && !!document.querySelector('#step code.secret')", "the dashboard's enrolment")
    browser.screenshot("two-factor-dashboard-enrol.png")
    county_secret = browser.evaluate("document.querySelector('#step code.secret').textContent").replace(" ", "")
    county_step = now_step()
    dashboard.enter("code", totp(county_secret, county_step))
    browser.wait_for("document.querySelectorAll('#step ol.recovery-codes li').length === 10", "the county's recovery codes")
    browser.evaluate("[...document.querySelectorAll('#step button')].find(b => b.textContent.includes('我已妥善保存')).click(), true")
    dashboard.board("the county's indicators after the enrolment")
    assert "城关镇" in browser.evaluate("document.getElementById('indicators').innerText"), "the county's table lists its towns"
    dashboard.logout()
    print("dashboard: the county administrator enrolled an authenticator there (the policy asks it) and saw the indicators")

    # A password reset by an administrator: the new password is chosen on the dashboard.
    county = login(server.base, "demo.county", password)
    county_step = next_step(county_step)
    call(server.base, "POST", "/v1/auth/two-factor/verify", {"code": totp(county_secret, county_step)}, token=county)
    cadre = next(u for u in call(server.base, "GET", "/v1/users?q=demo.cadre", token=county)["items"] if u["username"] == "demo.cadre")
    temporary, fresh = "Temp-pass-2024", "Village-desk-77"
    call(server.base, "POST", f"/v1/users/{cadre['id']}/reset-password", {"password": temporary}, token=county)
    dashboard.login("demo.cadre", temporary)
    browser.wait_for("!document.getElementById('step').hidden && !!document.querySelector('#step input[name=newPassword]')", "the dashboard's password step")
    browser.screenshot("two-factor-dashboard-password.png")
    browser.evaluate(f"""(() => {{ const form = document.querySelector('#step form');
        form.querySelector('[name=currentPassword]').value = {json.dumps(temporary)};
        form.querySelector('[name=newPassword]').value = {json.dumps(fresh)};
        form.querySelector('[name=again]').value = {json.dumps(fresh)};
        form.requestSubmit(); return true; }})()""")
    dashboard.board("the cadre's indicators after the new password")
    dashboard.logout()
    login(server.base, "demo.cadre", fresh)
    print("dashboard: after an administrator's reset the cadre chose a new password there and saw the indicators")

    # No indicator rights: refused on the login form, and the server session behind it ended.
    dashboard.login("demo.grid", password)
    browser.wait_for("document.getElementById('login-error').textContent.includes('没有查看指标的权限')", "the refusal of a grid worker")
    assert not dashboard.session_alive(), "the refused login's session ended on the server"
    print("dashboard: a grid worker was refused on the login form and the session behind it ended")
    return town_step, county, county_step


def main():
    os.makedirs(OUTPUT, exist_ok=True)
    # As production asks of county administrators (the demo asks nobody otherwise).
    os.environ["LIUSHOU_TWO_FACTOR_ROLES"] = "county_admin"
    server = Server(BINARY).start()
    password = server.password()
    browser = Browser(1366, 900)
    try:
        console = Console(server, browser)
        console.submit_login("demo.town", password)
        browser.wait_for("location.hash === '#/home' && !!document.querySelector('a[href=\"#/two-factor\"]')", "home offering 2FA")
        browser.click("a[href='#/two-factor']")
        browser.wait_for("!!document.querySelector('figure.qr svg path') && !!document.querySelector('code.secret')", "the QR code")
        browser.screenshot("two-factor-enrol.png")
        uri = read_qr(browser)
        shown = browser.evaluate("document.querySelector('code.secret').textContent").replace(" ", "")
        assert uri.startswith("otpauth://totp/Liushou:demo.town?"), f"the QR code reads {uri!r}"
        secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
        assert secret == shown, f"the QR code's secret {secret} is not the one printed beside it ({shown})"
        print(f"enrolment: the QR code (screenshot, OpenCV) reads {uri.split('?')[0]}?secret=…; the printed secret matches")

        console.enter("code", "000000" if totp(secret, now_step()) != "000000" else "000001")
        browser.wait_for("[...document.querySelectorAll('main p.field-error')].some(p => p.textContent.includes('验证码不正确'))", "a wrong code refused")
        step = now_step()
        console.enter("code", totp(secret, step))
        browser.wait_for("document.querySelectorAll('ol.recovery-codes li').length === 10", "ten recovery codes")
        browser.screenshot("two-factor-recovery-codes.png")
        codes = json.loads(browser.evaluate("JSON.stringify([...document.querySelectorAll('ol.recovery-codes code')].map(c => c.textContent))"))
        assert len(set(codes)) == 10, codes
        browser.evaluate("[...document.querySelectorAll('main button')].find(b => b.textContent.includes('我已妥善保存')).click(), true")
        browser.wait_for("location.hash === '#/home' && document.querySelector('main').textContent.includes('双因素认证：已开启')", "home, 2FA on")
        print("enrolment confirmed with the code computed from the QR code; 10 recovery codes shown once")

        # A later login owes a code: the menu stays closed until it is given.
        console.logout()
        console.submit_login("demo.town", password)
        browser.wait_for("location.hash === '#/second-factor' && !!document.querySelector('input[name=code]')", "the code page")
        assert browser.evaluate("document.getElementById('menu').hidden"), "no menu before the second factor"
        browser.screenshot("two-factor-code.png")
        console.enter("code", totp(secret, step + 1))
        browser.wait_for("location.hash === '#/home' && !!document.querySelector('#menu a')", "home after the code")
        print("a new login asked for the code; the next step's code opened the console")

        # A recovery code works once.
        console.logout()
        console.submit_login("demo.town", password)
        browser.wait_for("!!document.querySelector('input[name=recoveryCode]')", "the code page")
        browser.evaluate("[...document.querySelectorAll('main button')].find(b => b.textContent.includes('恢复码')).click(), true")
        console.enter("recoveryCode", codes[0])
        browser.wait_for("location.hash === '#/home'", "home after a recovery code")
        console.logout()
        console.submit_login("demo.town", password)
        browser.wait_for("!!document.querySelector('input[name=recoveryCode]')", "the code page")
        browser.evaluate("[...document.querySelectorAll('main button')].find(b => b.textContent.includes('恢复码')).click(), true")
        console.enter("recoveryCode", codes[0])
        browser.wait_for("[...document.querySelectorAll('main p.field-error')].some(p => p.textContent.includes('恢复码不正确'))", "a used recovery code refused")
        print("a recovery code opened one session and was refused the second time")

        # The field app asks for the code as well.
        console.submit_login("demo.town", password, path="/app/")
        browser.wait_for("location.hash === '#/second-factor' && !!document.querySelector('input[name=code]')", "the field app's code page")
        browser.screenshot("two-factor-field-app.png")
        # Each step's code works once and step + 1 is spent: wait (at most 30 s) until a later one is in the window.
        while now_step() < step + 1:
            time.sleep(1)
        last_town = now_step() + 1
        console.enter("code", totp(secret, last_town))
        browser.wait_for("location.hash === '#/today'", "the field app's today page after the code")
        print("the field app asked for the code and opened after it")

        last_town, county, _ = dashboard_flow(server, browser, password, secret, last_town)

        # A lost phone: the county administrator resets it; the policy does not name town
        # administrators, so the next login goes in.
        users = call(server.base, "GET", "/v1/users?q=demo.town", token=county)["items"]
        town_id = next(u["id"] for u in users if u["username"] == "demo.town")
        call(server.base, "POST", f"/v1/users/{town_id}/reset-two-factor", {}, token=county)
        console.submit_login("demo.town", password)
        browser.wait_for("location.hash === '#/home' && document.querySelector('main').textContent.includes('双因素认证：未开启')", "home after the reset")
        print("after the administrator's reset the next login went straight in, 2FA off")

        # Enrolling in another session reaches this open one: the code is asked for over the page,
        # which loads once it is given.
        other = login(server.base, "demo.town", password)
        fresh = call(server.base, "POST", "/v1/auth/two-factor/enrol", {}, token=other)
        call(server.base, "POST", "/v1/auth/two-factor/confirm", {"code": totp(fresh["secret"], now_step()), "enrolment": fresh["enrolment"]},
             token=other)
        browser.navigate(server.base + "/console/#/persons")
        browser.wait_for("!!document.querySelector('dialog.code-dialog[open] input[name=code]')", "the code dialog in the open session")
        browser.screenshot("two-factor-owed-after-enrolment-elsewhere.png")
        browser.evaluate(f"""(() => {{ const input = document.querySelector('dialog.code-dialog input[name=code]');
            input.value = {json.dumps(totp(fresh["secret"], now_step() + 1))}; input.closest('form').requestSubmit(); return true; }})()""")
        browser.wait_for("!document.querySelector('dialog.code-dialog') && location.hash === '#/persons' && "
                         "document.querySelectorAll('main table tbody tr').length > 0 && !document.querySelector('main').textContent.includes('加载失败')",
                         "the persons list after the code")
        print("an authenticator enrolled in another session made this open session ask for a code (over the page), then load it")
        errors = browser.console_errors()
        assert not errors, errors
        print("two-factor browser test passed; screenshots in .build/test-output/two-factor-*.png")
    finally:
        browser.close()
        server.close()


if __name__ == "__main__":
    main()
