#!/usr/bin/env bash
# Starts the whole service on this machine: builds (Release), then one silo (localhost clustering,
# SQLite file under ./data unless Database__Postgres is set) and the web client.
# Ctrl+C (or SIGTERM) stops both cleanly: the client first, then the silo. If either host exits on its
# own, the other is stopped too and the script exits non-zero.
#
# Where things listen (environment; defaults in brackets):
#   NSMS_CLIENT_URL  the web API            [http://localhost:8000]
#   NSMS_SILO_URL    silo health/dashboard  [http://localhost:8100]
#   Orleans__SiloPort, Orleans__GatewayPort (and Orleans__GatewayPorts__0 for the client)  [11111, 30000]
#   HttpEndpoints__H2cPort    HTTP/2 without TLS  [8002]
#   HttpEndpoints__HttpsPort  HTTPS (HTTP/1.1 + HTTP/2)  [8443, with a self-signed certificate made once
#                             under the data directory; set it, with HttpEndpoints__CertificatePath and
#                             HttpEndpoints__CertificatePassword, to use your own]
#
# ./run.sh --cohosted: the co-hosted form instead: one process, the silo serving the API itself
# (Silo__ServeApi=true) at NSMS_CLIENT_URL, with its health and dashboard there too; no web client.
set -euo pipefail
cohosted=""
case "${1:-}" in
  --cohosted) cohosted=1 ;;
  "") ;;
  *) echo "usage: $0 [--cohosted]" >&2; exit 64 ;;
esac
root="$(cd "$(dirname "$0")" && pwd)"
cd "$root"

client_url="${NSMS_CLIENT_URL:-http://localhost:8000}"
silo_url="${NSMS_SILO_URL:-http://localhost:8100}"

dotnet build Orleans.sln -c Release --nologo -v quiet -clp:ErrorsOnly
export Database__DataDirectory="${Database__DataDirectory:-$root/data}"
mkdir -p "$Database__DataDirectory"
source scripts/services.sh
bootstrap_admin "$Database__DataDirectory"
# The client finds the silo's gateway on this machine at the silo's gateway port.
export Orleans__GatewayPorts__0="${Orleans__GatewayPorts__0:-${Orleans__GatewayPort:-30000}}"

# HTTP/2 for the one-machine run, read by whichever host serves the API: h2c, and HTTPS with a
# self-signed development certificate made once
# under the data directory (needs openssl; without it HTTPS stays off). Ports the caller set win.
export HttpEndpoints__H2cPort="${HttpEndpoints__H2cPort:-8002}"
if [ -z "${HttpEndpoints__HttpsPort:-}" ] && command -v openssl >/dev/null 2>&1; then
  cert="$Database__DataDirectory/dev-cert.pfx"
  if [ ! -f "$cert" ]; then
    (umask 077
     openssl rand -hex 16 > "$Database__DataDirectory/dev-cert.password"
     tmp="$(mktemp -d)"
     openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
       -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
     openssl pkcs12 -export -in "$tmp/cert.pem" -inkey "$tmp/key.pem" -out "$cert" \
       -passout "file:$Database__DataDirectory/dev-cert.password"
     rm -rf "$tmp")
  fi
  export HttpEndpoints__HttpsPort=8443 HttpEndpoints__CertificatePath="$cert"
  HttpEndpoints__CertificatePassword="$(cat "$Database__DataDirectory/dev-cert.password")"
  export HttpEndpoints__CertificatePassword
fi

if [ -n "$cohosted" ]; then
  export Silo__ServeApi=true
  silo_url="$client_url"
fi

silo=""
client=""
stop() {
  trap - INT TERM
  [ -n "$client" ] && kill -TERM "$client" 2>/dev/null && wait "$client" 2>/dev/null || true
  [ -n "$silo" ] && kill -TERM "$silo" 2>/dev/null && wait "$silo" 2>/dev/null || true
  exit "${1:-0}"
}
trap 'stop 0' INT TERM

# Each host runs from its output folder so it finds its appsettings.json; --urls gives each its own
# address whatever Urls says, and the other environment variables (Orleans__*, Hashing__*...) still apply.
(cd silo/Newsstand.Silo/bin/Release/net10.0 && exec ./Newsstand.Silo --urls "$silo_url") &
silo=$!
for _ in $(seq 1 240); do
  curl -fs "$silo_url/health/ready" >/dev/null 2>&1 && break
  kill -0 "$silo" 2>/dev/null || { silo=""; echo "The silo exited during start; see its log above." >&2; stop 1; }
  sleep 0.5
done
curl -fs "$silo_url/health/ready" >/dev/null || { echo "The silo did not become ready at $silo_url." >&2; stop 1; }

if [ -z "$cohosted" ]; then
  (cd client/Newsstand.Client/bin/Release/net10.0 && exec ./Newsstand.Client --urls "$client_url") &
  client=$!
  for _ in $(seq 1 120); do
    curl -fs "$client_url/health/ready" >/dev/null 2>&1 && break
    kill -0 "$client" 2>/dev/null || { client=""; echo "The web client exited during start; see its log above." >&2; stop 1; }
    sleep 0.5
  done
  curl -fs "$client_url/health/ready" >/dev/null || { echo "The web client did not become ready at $client_url." >&2; stop 1; }
fi

tls="off (no openssl)"
[ -n "${HttpEndpoints__HttpsPort:-}" ] && tls="https://localhost:$HttpEndpoints__HttpsPort"
form="silo + web client"
[ -n "$cohosted" ] && form="co-hosted: the silo serves the API"
cat <<INFO
NSMS is up ($form).
  API            $client_url/ch08/...   (docs: $client_url/docs)
  HTTP/2         h2c http://localhost:${HttpEndpoints__H2cPort}   TLS $tls
  client health  $client_url/health/live  $client_url/health/ready
  silo health    $silo_url/health/live  $silo_url/health/ready
  dashboard      $silo_url/dashboard
  data           $Database__DataDirectory
INFO
print_sign_in "$client_url"
echo "Press Ctrl+C to stop."

# Whichever host ends first (a crash, a kill), the other one is stopped with it.
set +e
wait -n $client "$silo"
status=$?
[ -n "$cohosted" ] && { silo=""; echo "The silo stopped (exit $status)." >&2; stop 1; }
set -e
if kill -0 "$client" 2>/dev/null; then
  echo "The silo stopped (exit $status); stopping the web client." >&2
else
  client=""
  echo "The web client stopped (exit $status); stopping the silo." >&2
fi
stop 1
