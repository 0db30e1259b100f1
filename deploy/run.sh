#!/usr/bin/env bash
# Builds and runs the Liushou server. With no LIUSHOU_DATABASE_URL it creates and starts its own
# PostgreSQL cluster under ./.liushou (as the unprivileged `postgres` user when run as root).
# Extra arguments go to `liushou serve` (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-prerequisites.sh
swift build -c release --product liushou
exec .build/release/liushou serve --demo "$@"
