#!/usr/bin/env python3
"""Rotation of the identifier key with the real commands, on an embedded cluster (about a minute):
a county is bootstrapped and a ledger of 40 elders imported under the generated key; `keys status`
under a new key finds them all left to re-seal and exits 1; `keys rotate` re-seals them, replaces
the data directory's key and exits 0; afterwards `keys status` exits 0, a second rotation finds
nothing, and a server started with the new key alone answers every file with the right masked
number, refuses a duplicate ID number, and reveals the stored number.
Usage: deploy/key-rotation-test.py [path to the liushou binary]"""
import csv
import io
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser"))
from cdp import ROOT, ApiError, call, free_port, id_number, login  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")
HEADER = ["姓名", "性别", "公民身份号码", "民族", "人员类别", "村代码", "网格", "户编号", "户籍地", "现住址", "健康状况", "就学阶段",
          "就读学校", "父母外出情况", "监护类型", "监护评估", "委托监护人姓名", "委托监护人电话", "与儿童关系", "委托监护确认书签订日期",
          "父亲姓名", "父亲电话", "父亲务工省份", "居住情况", "自理能力", "外出亲属姓名", "外出亲属关系", "外出亲属电话", "外出亲属务工省份", "备注"]


def run(*args, env=None, check=True):
    result = subprocess.run([BINARY, *args, "--log-level", "warning"], capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise SystemExit(f"liushou {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def serve(data, env):
    """Starts `liushou serve` on the data directory; answers (process, base URL) once it is ready."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([BINARY, "serve", "--data-dir", data, "--port", str(port), "--log-level", "warning"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/readyz", timeout=2)
            return process, base
        except Exception:
            time.sleep(0.5)
    raise SystemExit("the server did not become ready")


def stop(process):
    process.terminate()
    process.wait(timeout=60)


def main():
    work = tempfile.mkdtemp(prefix="liushou-keys-")
    os.chmod(work, 0o711)
    data = os.path.join(work, "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIUSHOU_")}
    env["LIUSHOU_ADMIN_PASSWORD"] = "Keys#Rotate2026"
    server = None
    try:
        out = run("bootstrap", "--data-dir", data, "--county-name", "轮换县", "--admin-username", "county.admin", env=env).stdout
        county = re.search(r"\(([0-9a-f-]{36})\)", out).group(1)
        town = re.search(r": ([0-9a-f-]{36})", run("admin", "create-unit", "--data-dir", data, "--kind", "town", "--name", "一乡",
                                                     "--code", "341122100000", "--parent", county, env=env).stdout).group(1)
        run("admin", "create-unit", "--data-dir", data, "--kind", "village", "--name", "甲村", "--code", "341122100001", "--parent", town, env=env)
        # The first start generates the embedded data key.
        first, _ = serve(data, env)
        stop(first)
        numbers = [id_number("1950-01-01", 100 + 2 * i) for i in range(40)]
        ledger = io.StringIO()
        writer = csv.writer(ledger, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i, number in enumerate(numbers):
            writer.writerow([f"老人{i:02d}", "女", number, "汉族", "留守老人", "341122100001", "", f"H{i:03d}", "安徽省示范县", f"甲村 {i} 号",
                             "健康", "", "", "", "", "", "", "", "", "", "", "", "", "独居", "能自理", "刘子", "子女", "13700137001", "江苏省", ""])
        path = os.path.join(work, "ledger.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(ledger.getvalue())
        print(run("import", "persons", path, "--as", "county.admin", "--data-dir", data, env=env).stdout.strip().splitlines()[0])

        old_key = open(os.path.join(data, "data-key")).read().strip()
        new_key = secrets.token_hex(24)
        status = run("keys", "status", "--data-dir", data, env=env)
        assert "person: 40 with sealed ID numbers, 0 not under this key" in status.stdout, status.stdout
        rotated_env = {**env, "LIUSHOU_DATA_KEY": new_key}
        pending = run("keys", "status", "--data-dir", data, env=rotated_env, check=False)
        assert pending.returncode == 1 and "person: 40 with sealed ID numbers, 40 not under this key" in pending.stdout, pending.stdout
        started = time.time()
        rotation = run("keys", "rotate", "--data-dir", data, "--batch-size", "7", env=rotated_env)
        print(rotation.stdout.strip())
        print(f"rotation of 40 files in batches of 7: {time.time() - started:.1f} s (command start-up included)")
        assert "person: 40 re-sealed, 0 left" in rotation.stdout, rotation.stdout
        assert open(os.path.join(data, "data-key")).read().strip() == new_key, "the data directory keeps the new key"
        assert oct(os.stat(os.path.join(data, "data-key")).st_mode & 0o777) == "0o600"
        assert run("keys", "status", "--data-dir", data, env=env).returncode == 0
        again = run("keys", "rotate", "--data-dir", data, env={**env, "LIUSHOU_DATA_KEY": new_key, "LIUSHOU_DATA_KEY_PREVIOUS": old_key})
        assert "person: 0 re-sealed, 0 left" in again.stdout, again.stdout
        assert run("keys", "rotate", "--data-dir", data, env=env, check=False).returncode != 0, "a rotation needs the new key"

        # The server on the new key alone (no administrator second factor here: the test drives the API).
        server, base = serve(data, {**env, "LIUSHOU_TWO_FACTOR_ROLES": "none"})
        token = login(base, "county.admin", env["LIUSHOU_ADMIN_PASSWORD"])
        call(base, "POST", "/v1/auth/password", {"currentPassword": env["LIUSHOU_ADMIN_PASSWORD"], "newPassword": "Keys#Rotated2026"}, token=token)
        token = login(base, "county.admin", "Keys#Rotated2026")
        items = call(base, "GET", "/v1/persons?limit=100", token=token)["items"]
        masked = sorted(item["idNumber"] for item in items)
        assert masked == sorted(n[:6] + "********" + n[-4:] for n in numbers), masked[:3]
        first = next(item for item in items if item["name"] == "老人00")
        reason = urllib.parse.quote("核对身份")
        revealed = call(base, "GET", f"/v1/persons/{first['id']}?reveal=identifiers&reason={reason}", token=token)
        assert revealed["file"]["idNumber"] == numbers[0], revealed["file"]["idNumber"]
        duplicate = {"name": "重复老人", "idNumber": numbers[5], "ethnicity": "汉族", "householdRegistration": "安徽省示范县",
                     "currentAddress": "甲村", "villageId": first["file"]["villageId"] if "file" in first else revealed["file"]["villageId"],
                     "categories": [{"category": "left_behind_elder", "startedOn": "2020-01-01"}], "health": {"status": "healthy"}}
        try:
            call(base, "POST", "/v1/persons", duplicate, token=token)
            raise SystemExit("a duplicate ID number was accepted after the rotation")
        except ApiError as error:
            assert error.status == 409, error
        print("after the rotation: 40 files answer their masked numbers, one reveals its number, a duplicate is refused (409)")
        print("key rotation test passed")
    finally:
        if server:
            stop(server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
