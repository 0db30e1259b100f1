#!/usr/bin/env bash
# Runs the whole test suite. Tests start their own throw-away PostgreSQL cluster (no setup needed).
set -euo pipefail
cd "$(dirname "$0")/.."

LIUSHOU_NEED_TEST_TOOLS=1 LIUSHOU_NEED_HA_TOOLS=1 bash deploy/install-prerequisites.sh

# The OpenAPI document must be valid OpenAPI 3.1.
if ! python3 -c "import openapi_spec_validator" 2>/dev/null; then
  python3 -m pip install --quiet openapi-spec-validator
fi
python3 -m openapi_spec_validator Sources/LiushouServer/Resources/openapi.yaml

# The dashboard's browser test talks to Chromium over the DevTools protocol.
python3 -c "import websocket" 2>/dev/null || python3 -m pip install --quiet websocket-client
# The two-factor tests read the console's QR codes back with OpenCV's decoder.
python3 -c "import cv2, numpy" 2>/dev/null || python3 -m pip install --quiet opencv-python-headless numpy

# Every web module links (syntax, duplicate names, imports of missing exports) — a second, no browser.
if command -v node >/dev/null; then node deploy/check-web-modules.mjs; else echo "node not installed: web module link check skipped"; fi

# Formatting: swift-format with .swift-format (Hummingbird's settings); any finding fails the run.
# `swift-format format -i -r -p Sources Tests Package.swift` fixes what it finds.
swift-format lint --strict --recursive --parallel Sources Tests Package.swift

swift build --build-tests
swift test --skip-build --parallel "$@"
# The web clients in real headless Chromium (screenshots in .build/test-output/): the joint-meeting
# page, the field app at a phone viewport (offline, sync, server restart mid-sync), the console.
if [ $# -eq 0 ]; then
  python3 deploy/browser-test.py .build/debug/liushou
  python3 deploy/browser/field_app_test.py .build/debug/liushou
  # The office console (工作台) at desk and tablet sizes, with accessibility and print checks.
  python3 deploy/browser/console_test.py .build/debug/liushou
  # The console's module screens (relief, legal aid, schools, clinics, volunteers), each walked by its roles.
  python3 deploy/browser/console_modules_test.py .build/debug/liushou
  # Two-factor enrolment and use: the QR code on the page read back by a real decoder, codes, recovery codes, reset.
  python3 deploy/browser/qr_decode_test.py
  python3 deploy/browser/two_factor_test.py .build/debug/liushou
  # Outages under door-check load: PostgreSQL stopped, killed and hung; only 503 with Retry-After,
  # bounded waits, nothing lost or stored twice.
  bash deploy/fault-test.sh .build/debug/liushou
  # High availability: three Patroni nodes (synchronous standby), PgBouncer, two servers under door-check load;
  # the standby frozen, the primary's PostgreSQL killed, its Patroni killed, the old primary rejoining: nothing
  # acknowledged is lost or doubled, only 503 + Retry-After, writes back within 30 s.
  bash deploy/ha/failover-test.sh .build/debug/liushou
  # Anchored audit: signed checkpoints catch audit rows deleted from the end of the log.
  bash deploy/audit-checkpoint-test.sh .build/debug/liushou
  # Key rotation with the real commands: re-seal under a new key, the old one can go.
  python3 deploy/key-rotation-test.py .build/debug/liushou
  # Alerts: the inbox, bell and contact settings in both apps, rules, channels and dead letters in the console.
  python3 deploy/browser/alerts_test.py .build/debug/liushou
  # Alerts survive kill -9 of the server between commit and delivery, and during a send (same delivery id).
  python3 deploy/alerts-delivery-test.py .build/debug/liushou
fi
