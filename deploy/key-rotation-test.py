#!/usr/bin/env python3
"""Rotation of the identifier key with the real commands, on an embedded cluster (about two minutes):
a county is bootstrapped and a ledger of 40 elders imported under the generated key, and the server
writes a signed audit checkpoint. One file's sealed number is damaged; `keys rotate` under a new key
re-seals the other 39, names the damaged one, exits 1 and leaves the new key in data-key.next (0600)
with data-key unchanged. A server started then, with no key given, opens files under both keys and
seals a new file; once the file is repaired a second `keys rotate` finishes, the new key becomes
data-key and the old one data-key.retired.<id>; `audit verify --checkpoint` accepts the checkpoint
signed under the retired key, and names that key when it is missing. Afterwards `keys status` exits
0, a further rotation finds nothing, and a server on the new key alone answers every file with the
right masked number, refuses a duplicate ID number, and reveals the stored number.
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


def serve(data, env, attempts=2):
    """Starts `liushou serve` on the data directory; answers (process, base URL) once it is ready. A
    server that exits at start-up is shown (its log) and started once more."""
    for attempt in range(attempts):
        started = start_server(data, env)
        if started:
            return started
        print(f"the server exited at start-up (attempt {attempt + 1}):\n" + open(os.path.join(os.path.dirname(data), "serve.log")).read()[-3000:])
        time.sleep(2)
    raise SystemExit("the server did not start")


def start_server(data, env):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(os.path.dirname(data), "serve.log"), "ab")
    process = subprocess.Popen([BINARY, "serve", "--data-dir", data, "--port", str(port), "--log-level", "warning"],
                               env=env, stdout=log, stderr=log)
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/readyz", timeout=2)
            return process, base
        except Exception:
            if process.poll() is not None:
                return None
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the server did not become ready:\n" + open(os.path.join(os.path.dirname(data), "serve.log")).read()[-3000:])


def stop(process):
    process.terminate()
    process.wait(timeout=60)


def sql(data, statement):
    """Runs SQL as the cluster's owner while a server on `data` runs (port from postmaster.pid)."""
    port = open(os.path.join(data, "postgres", "postmaster.pid")).read().splitlines()[3].strip()
    password = open(os.path.join(data, "postgres-password")).read().strip()
    result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", port, "-U", "liushou", "-d", "liushou", "-At", "-v", "ON_ERROR_STOP=1",
                             "-c", statement], capture_output=True, text=True, env={**os.environ, "PGPASSWORD": password}, check=True)
    return result.stdout.strip()


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

        # A checkpoint signed under the old key, and one file whose sealed number no key opens.
        checkpoints = os.path.join(data, "audit-checkpoints.jsonl")
        server, _ = serve(data, {**env, "LIUSHOU_AUDIT_CHECKPOINT_INTERVAL": "1"})
        for _ in range(60):
            if os.path.exists(checkpoints) and open(checkpoints).read().strip():
                break
            time.sleep(0.5)
        assert open(checkpoints).read().strip(), "the server wrote an audit checkpoint"
        damaged = sql(data, "select id from person order by id offset 20 limit 1")
        saved = sql(data, f"select encode(id_number_sealed, 'hex') from person where id = '{damaged}'")
        sql(data, f"update person set id_number_sealed = overlay(id_number_sealed placing '\\x00000000'::bytea from 10 for 4) where id = '{damaged}'")
        stop(server)
        server = None

        interrupted = run("keys", "rotate", "--data-dir", data, "--batch-size", "7", env=rotated_env, check=False)
        print(interrupted.stdout.strip())
        assert interrupted.returncode == 1, interrupted.stdout
        assert "person: 39 re-sealed, 1 left" in interrupted.stdout and f"{damaged}: opens under none" in interrupted.stdout, interrupted.stdout
        assert "run `liushou keys rotate` again" in interrupted.stdout, interrupted.stdout
        assert open(os.path.join(data, "data-key")).read().strip() == old_key, "data-key is unchanged until the rotation finishes"
        assert open(os.path.join(data, "data-key.next")).read().strip() == new_key, "the new key is kept in the data directory"
        assert oct(os.stat(os.path.join(data, "data-key.next")).st_mode & 0o777) == "0o600"
        other = run("keys", "rotate", "--data-dir", data, env={**env, "LIUSHOU_DATA_KEY": secrets.token_hex(24)}, check=False)
        assert other.returncode != 0 and "was interrupted" in other.stderr + other.stdout, other.stderr

        # Mid-rotation, a server given no key opens values under both and still finds duplicates.
        server, base = serve(data, {**env, "LIUSHOU_TWO_FACTOR_ROLES": "none"})
        sql(data, f"update person set id_number_sealed = '\\x{saved}'::bytea where id = '{damaged}'")
        token = login(base, "county.admin", env["LIUSHOU_ADMIN_PASSWORD"])
        call(base, "POST", "/v1/auth/password", {"currentPassword": env["LIUSHOU_ADMIN_PASSWORD"], "newPassword": "Keys#Rotated2026"}, token=token)
        token = login(base, "county.admin", "Keys#Rotated2026")
        items = call(base, "GET", "/v1/persons?limit=100", token=token)["items"]
        assert sorted(item["idNumber"] for item in items) == sorted(n[:6] + "********" + n[-4:] for n in numbers)
        village = call(base, "GET", f"/v1/persons/{items[0]['id']}", token=token)["file"]["villageId"]
        extra = id_number("1951-05-05", 302)
        elder = {"name": "新老人", "idNumber": extra, "ethnicity": "汉族", "householdRegistration": "安徽省示范县", "currentAddress": "甲村",
                 "villageId": village, "categories": [{"category": "left_behind_elder", "startedOn": "2020-01-01"}], "health": {"status": "healthy"}}
        call(base, "POST", "/v1/persons", elder, token=token)
        try:
            call(base, "POST", "/v1/persons", {**elder, "name": "重复老人", "idNumber": numbers[30]}, token=token)
            raise SystemExit("a duplicate ID number was accepted mid-rotation")
        except ApiError as error:
            assert error.status == 409, error
        numbers.append(extra)
        stop(server)
        server = None

        started = time.time()
        rotation = run("keys", "rotate", "--data-dir", data, "--batch-size", "7", env=rotated_env)
        print(rotation.stdout.strip())
        print(f"second rotation run: {time.time() - started:.1f} s (command start-up included)")
        assert "person: 2 re-sealed, 0 left" in rotation.stdout, rotation.stdout
        assert open(os.path.join(data, "data-key")).read().strip() == new_key, "the data directory keeps the new key"
        assert oct(os.stat(os.path.join(data, "data-key")).st_mode & 0o777) == "0o600"
        assert not os.path.exists(os.path.join(data, "data-key.next"))
        retired = [name for name in os.listdir(data) if name.startswith("data-key.retired.")]
        assert len(retired) == 1 and open(os.path.join(data, retired[0])).read().strip() == old_key, retired
        assert run("keys", "status", "--data-dir", data, env=env).returncode == 0
        again = run("keys", "rotate", "--data-dir", data, env={**env, "LIUSHOU_DATA_KEY": new_key, "LIUSHOU_DATA_KEY_PREVIOUS": old_key})
        assert "person: 0 re-sealed, 0 left" in again.stdout, again.stdout
        assert run("keys", "rotate", "--data-dir", data, env=env, check=False).returncode != 0, "a rotation needs the new key"

        # The checkpoint signed before the rotation still verifies, with the retired key.
        verified = run("audit", "verify", "--data-dir", data, "--checkpoint", checkpoints, env=env, check=False)
        assert verified.returncode == 0 and "audit checkpoints reached" in verified.stdout, verified.stdout
        os.rename(os.path.join(data, retired[0]), os.path.join(work, retired[0]))
        missing = run("audit", "verify", "--data-dir", data, "--checkpoint", checkpoints, env=env, check=False)
        assert missing.returncode == 1 and f"signed under data key {retired[0].rsplit('.', 1)[1]}" in missing.stdout, missing.stdout
        os.rename(os.path.join(work, retired[0]), os.path.join(data, retired[0]))
        print("audit checkpoints signed before the rotation verify with the retired key, and name it when it is missing")

        # The server on the new key alone (no administrator second factor here: the test drives the API).
        server, base = serve(data, {**env, "LIUSHOU_TWO_FACTOR_ROLES": "none"})
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
        print("after the rotation: 41 files answer their masked numbers, one reveals its number, a duplicate is refused (409)")
        print("key rotation test passed")
    finally:
        if server:
            stop(server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
