#!/usr/bin/env bash
# Runs every test. Installs what the tests need from Debian when missing (needs root for that):
# PostgreSQL, redis-server (process cluster tests), chromium (dashboard page and EventSource tests) and
# Node.js with npm (the OpenAPI lint test installs Redocly with npm ci); kubectl must be
# there (manifest tests render k8s/ with `kubectl kustomize`). Starts a throwaway PostgreSQL server on
# NSMS_TEST_PG_PORT (55432), runs the whole solution's tests, and stops the server it started.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/services.sh

ensure_command redis-server redis-server
ensure_command chromium chromium
ensure_command node nodejs
ensure_command npm npm
# Disk fault tests: a loop-mounted ext4 filesystem (losetup, mkfs.ext4, chattr).
ensure_command losetup mount
ensure_command mkfs.ext4 e2fsprogs
# kubectl 1.27+ (kustomize 5): the machines have 1.32. Debian's kubernetes-client (1.20) cannot render k8s/.
command -v kubectl >/dev/null 2>&1 || { echo "The manifest tests need kubectl 1.27 or later (k8s/README.md, Compatibility)." >&2; exit 1; }

trap stop_postgres EXIT
start_postgres "${NSMS_TEST_PG_PORT:-55432}"
export NSMS_TEST_POSTGRES="$POSTGRES_URL"

dotnet build Orleans.sln -c Release
dotnet test Orleans.sln -c Release --no-build "$@"
