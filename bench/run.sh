#!/usr/bin/env bash
# One command for the side-by-side benchmark (see README.md beside this file).
# Installs the load generators and the original's runtime from Debian when missing, then runs bench.py.
set -euo pipefail
cd "$(dirname "$0")"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v hey >/dev/null || need+=(hey)
/usr/bin/python3 -c "import fastapi, uvicorn" 2>/dev/null || need+=(python3-fastapi python3-uvicorn python3-httptools python3-uvloop)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing from Debian: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ "${1:-}" = soak ]; then
  shift
  exec /usr/bin/python3 soak.py "$@"
fi
if [ "${1:-}" = throughput ]; then
  shift
  exec /usr/bin/python3 throughput.py "$@"
fi
if [ "${1:-}" = consume ]; then
  shift
  exec /usr/bin/python3 consume_cost.py "$@"
fi
if [ "${1:-}" = topic ]; then
  shift
  exec /usr/bin/python3 topic.py "$@"
fi
if [ "${1:-}" = flood ]; then
  shift
  exec /usr/bin/python3 flood.py "$@"
fi
if [ "${1:-}" = deep ]; then
  shift
  exec /usr/bin/python3 deep.py "$@"
fi
if [ "${1:-}" = readpath ]; then
  shift
  exec /usr/bin/python3 readpath.py "$@"
fi
if [ "${1:-}" = failover ]; then
  shift
  exec /usr/bin/python3 failover.py "$@"
fi
if [ "${1:-}" = scale ]; then
  shift
  exec /usr/bin/python3 scale.py "$@"
fi
exec /usr/bin/python3 bench.py "$@"
