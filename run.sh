#!/usr/bin/env bash
# Starts the whole service on this machine: builds (Release), then one silo (localhost clustering,
# SQLite file under ./data unless Database__Postgres is set) and the web client on :8000.
# Ctrl+C (or SIGTERM) stops both cleanly: the client first, then the silo.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
cd "$root"

dotnet build Orleans.sln -c Release --nologo -v quiet -clp:ErrorsOnly
export Database__DataDirectory="${Database__DataDirectory:-$root/data}"
mkdir -p "$Database__DataDirectory"

# Each host runs from its output folder so it finds its appsettings.json; --urls and environment
# variables (e.g. Orleans__GatewayPort, Hashing__Iterations) still apply.
(cd silo/Newsstand.Silo/bin/Release/net10.0 && exec ./Newsstand.Silo) &
silo=$!
client=""

stop() {
  trap - INT TERM
  [ -n "$client" ] && kill -TERM "$client" 2>/dev/null && wait "$client" 2>/dev/null || true
  kill -TERM "$silo" 2>/dev/null && wait "$silo" 2>/dev/null || true
  exit 0
}
trap stop INT TERM

silo_url="${NSMS_SILO_URL:-http://localhost:8100}"
for _ in $(seq 1 120); do
  curl -fs "$silo_url/health/ready" >/dev/null 2>&1 && break
  kill -0 "$silo" 2>/dev/null || { echo "The silo exited during start; see its log above." >&2; exit 1; }
  sleep 0.5
done
curl -fs "$silo_url/health/ready" >/dev/null || { echo "The silo did not become ready at $silo_url." >&2; stop; }

# HTTP/2 for the one-machine run: h2c on :8002, and HTTPS (HTTP/1.1 + HTTP/2) on :8443 with a self-signed
# development certificate made once under the data directory (needs openssl; skipped without it). Any
# HttpEndpoints__* variable set by the caller wins.
if [ -z "${HttpEndpoints__HttpsPort:-}${HttpEndpoints__H2cPort:-}" ]; then
  export HttpEndpoints__H2cPort=8002
  cert="$Database__DataDirectory/dev-cert.pfx"
  if command -v openssl >/dev/null 2>&1; then
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
fi

(cd client/Newsstand.Client/bin/Release/net10.0 && exec ./Newsstand.Client) &
client=$!
for _ in $(seq 1 60); do
  curl -fs http://localhost:8000/health/ready >/dev/null 2>&1 && break
  sleep 0.5
done
cat <<INFO
NSMS is up.
  API            http://localhost:8000/ch08/...   (docs: http://localhost:8000/docs)
  HTTP/2         h2c http://localhost:${HttpEndpoints__H2cPort:-(off)}   TLS https://localhost:${HttpEndpoints__HttpsPort:-(off)}
  client health  http://localhost:8000/health/live  http://localhost:8000/health/ready
  silo health    $silo_url/health/live  $silo_url/health/ready
  dashboard      $silo_url/dashboard
  data           $Database__DataDirectory
Press Ctrl+C to stop.
INFO
wait "$client" "$silo"
