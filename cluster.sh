#!/usr/bin/env bash
# A real cluster on this machine: Redis (membership), a throwaway PostgreSQL (the records), three silo
# processes and the web client, all on loopback. Installs redis-server and postgresql from Debian when
# missing. Ctrl+C (or SIGTERM) stops everything it started; the database is thrown away.
#
# Ports (override through the environment): client NSMS_CLIENT_PORT (8000); silo i = 0,1,2 gets
# silo port NSMS_SILO_PORT+i (11111), gateway NSMS_GATEWAY_PORT+i (30000), web NSMS_SILO_WEB_PORT+i
# (8100, health) and dashboard admin port NSMS_DASHBOARD_PORT+i (8110); Redis NSMS_REDIS_PORT (6379),
# PostgreSQL NSMS_PG_PORT (55433). NSMS_SILOS sets the number of silos (3). A silo that exits is reported
# and the others keep serving; the web client, Redis or the last silo exiting stops everything.
#
# ./cluster.sh --cohosted: the co-hosted form, no web client; every silo serves the API itself
# (Silo__ServeApi=true) on its web port NSMS_SILO_WEB_PORT+i, next to its health endpoints.
set -euo pipefail
cohosted=""
case "${1:-}" in
  --cohosted) cohosted=1 ;;
  "") ;;
  *) echo "usage: $0 [--cohosted]" >&2; exit 64 ;;
esac
root="$(cd "$(dirname "$0")" && pwd)"
cd "$root"
source scripts/services.sh

silos="${NSMS_SILOS:-3}"
client_port="${NSMS_CLIENT_PORT:-8000}"
silo_port="${NSMS_SILO_PORT:-11111}"
gateway_port="${NSMS_GATEWAY_PORT:-30000}"
web_port="${NSMS_SILO_WEB_PORT:-8100}"
dashboard_port="${NSMS_DASHBOARD_PORT:-8110}"
redis_port="${NSMS_REDIS_PORT:-6379}"
pg_port="${NSMS_PG_PORT:-55433}"
# The dashboard account: from the environment, or a fresh password for this run (printed below).
export Dashboard__Username="${Dashboard__Username:-admin}"
export Dashboard__Password="${Dashboard__Password:-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}"

logs="$(mktemp -d /tmp/nsms-cluster.XXXXXX)"
pids=()
client=""
stopping=""
stop() {
  [ -n "$stopping" ] && return
  stopping=1
  trap - INT TERM EXIT
  [ -n "$client" ] && kill -TERM "$client" 2>/dev/null && wait "$client" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_redis
  stop_postgres
  echo "Stopped. Logs: $logs"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

# NSMS_SKIP_BUILD=1 runs the Release build already there (the process tests run this script on theirs).
[ "${NSMS_SKIP_BUILD:-}" = 1 ] || dotnet build Orleans.sln -c Release --nologo -v quiet -clp:ErrorsOnly
REDIS_LOG="$logs/redis.log" start_redis "$redis_port"
start_postgres "$pg_port"

# Failure detection tuned for a demo on one machine (Orleans' defaults take tens of seconds): a killed
# silo is declared dead after two missed 2 s probes, and a call it never answers fails after 10 s.
export Orleans__Membership__ProbeTimeout="${Orleans__Membership__ProbeTimeout:-00:00:02}"
export Orleans__Membership__NumMissedProbesLimit="${Orleans__Membership__NumMissedProbesLimit:-2}"
export Orleans__Messaging__ResponseTimeout="${Orleans__Messaging__ResponseTimeout:-00:00:10}"

# Every process of the cluster shares these.
# The Redis password reaches the hosts inside the connection string, through the environment only.
export Orleans__RedisClustering="$REDIS_CONNECTION"
export Orleans__AdvertisedAddress=127.0.0.1
export Database__Postgres="$POSTGRES_URL"
export Database__DataDirectory="${Database__DataDirectory:-$root/data}"
mkdir -p "$Database__DataDirectory"
bootstrap_admin "$Database__DataDirectory"
[ -n "$cohosted" ] && export Silo__ServeApi=true

wait_ready() { # URL PID NAME
  for _ in $(seq 1 240); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited during start; its log:" >&2; cat "$logs/$3.log" >&2; return 1; }
    sleep 0.5
  done
  echo "$3 did not become ready at $1; see $logs/$3.log" >&2
  return 1
}

for i in $(seq 0 $((silos - 1))); do
  name="silo-$((i + 1))"
  (cd silo/Newsstand.Silo/bin/Release/net10.0 && Orleans__SiloName="$name" Orleans__SiloPort=$((silo_port + i)) \
    Orleans__GatewayPort=$((gateway_port + i)) Urls="http://127.0.0.1:$((web_port + i))" \
    Dashboard__AdminUrl="http://127.0.0.1:$((dashboard_port + i))" exec ./Newsstand.Silo) >"$logs/$name.log" 2>&1 &
  pids+=($!)
  # The first silo migrates the schema; the others join once it is up.
  [ "$i" -eq 0 ] && wait_ready "http://127.0.0.1:$web_port/health/ready" "${pids[0]}" "$name"
done
for i in $(seq 1 $((silos - 1))); do
  wait_ready "http://127.0.0.1:$((web_port + i))/health/ready" "${pids[$i]}" "silo-$((i + 1))"
done

if [ -z "$cohosted" ]; then
  (cd client/Newsstand.Client/bin/Release/net10.0 && Urls="http://127.0.0.1:$client_port" exec ./Newsstand.Client) >"$logs/client.log" 2>&1 &
  client=$!
  wait_ready "http://127.0.0.1:$client_port/health/ready" "$client" client
  api="http://127.0.0.1:$client_port/ch08/...   (docs: http://127.0.0.1:$client_port/docs)"
else
  api="co-hosted, every silo serves it:"
  for i in $(seq 0 $((silos - 1))); do api="$api http://127.0.0.1:$((web_port + i))/ch08/..."; done
fi

cat <<INFO
NSMS cluster is up: $silos silos (Redis clustering on 127.0.0.1:$redis_port), PostgreSQL on 127.0.0.1:$pg_port.
  API            $api
  dashboard      http://127.0.0.1:$dashboard_port/dashboard   user $Dashboard__Username, password $Dashboard__Password
                 (every silo serves it: ports $dashboard_port-$((dashboard_port + silos - 1)))
  silo health    http://127.0.0.1:$web_port/health/ready ... http://127.0.0.1:$((web_port + silos - 1))/health/ready
  silo PIDs      ${pids[*]}   (kill -9 one to watch the others take over its grains)
  Redis          REDISCLI_AUTH='$REDIS_PASSWORD' redis-cli -p $redis_port
  logs           $logs
INFO
print_sign_in "http://127.0.0.1:$client_port"
echo "Press Ctrl+C to stop."

# Watch every process we started. A silo that exits is reported and the others go on serving (they take
# over its grains); the web client or Redis exiting, or the last silo, ends the run.
watched=("${pids[@]}" $client "$REDIS_PID")
while :; do
  code=0
  exited=""
  wait -n -p exited "${watched[@]}" || code=$?
  [ -n "$exited" ] || continue
  rest=()
  for pid in "${watched[@]}"; do [ "$pid" = "$exited" ] || rest+=("$pid"); done
  watched=("${rest[@]}")
  case "$exited" in
    "$client") echo "The web client (pid $exited) exited with code $code; its log: $logs/client.log. Stopping the cluster." >&2; exit 1 ;;
    "$REDIS_PID") echo "Redis (pid $exited) exited with code $code; its log: $logs/redis.log. Stopping the cluster." >&2; exit 1 ;;
  esac
  for i in "${!pids[@]}"; do [ "${pids[$i]}" = "$exited" ] && name="silo-$((i + 1))"; done
  left=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=$((left + 1)); done
  how="exited with code $code"
  [ "$code" -gt 128 ] && how="was killed ($(kill -l "$((code - 128))" 2>/dev/null || echo "signal $((code - 128))"))"
  echo "$(date +%T) $name (pid $exited) $how; its log: $logs/$name.log." >&2
  [ "$left" -eq 0 ] && { echo "No silo is left. Stopping the cluster." >&2; exit 1; }
  echo "$(date +%T) $left of $silos silos serve on: they take over its grains, the API keeps answering." >&2
done
