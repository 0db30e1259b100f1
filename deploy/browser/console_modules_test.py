#!/usr/bin/env python3
"""The console's module screens — relief (帮扶救助), legal aid (法律援助), schools (学校关爱), clinics
(健康体检) and volunteers (志愿结对) — walked by their roles in real headless Chromium, one after the
other in one demo county (one seed instead of four). Each walk is its own script too
(console_relief_test.py, console_legal_test.py, console_schools_test.py, console_care_test.py) and
says there what it checks; screenshots in .build/test-output/console-*.png.
Usage: deploy/browser/console_modules_test.py [path to the liushou binary]"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import ROOT, Server  # noqa: E402
import console_care_test  # noqa: E402
import console_legal_test  # noqa: E402
import console_relief_test  # noqa: E402
import console_schools_test  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/liushou")


def main():
    started = time.time()
    server = Server(BINARY).start()
    print(f"demo county ready in {time.time() - started:.0f} s")
    try:
        for module in (console_relief_test, console_legal_test, console_schools_test, console_care_test):
            module.run(server)
        print(f"console module screens passed in {time.time() - started:.0f} s")
    except Exception:
        print(open(server.log_path).read()[-3000:], file=sys.stderr)
        raise
    finally:
        server.close()


if __name__ == "__main__":
    main()
