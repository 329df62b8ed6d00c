# Helpers shared by test.sh and cluster.sh (source this file): Debian packages installed on demand,
# and throwaway PostgreSQL and Redis servers that live in a temporary folder and are stopped by PID.

# ensure_command COMMAND PACKAGE: installs the Debian PACKAGE when COMMAND is missing.
ensure_command() {
  command -v "$1" >/dev/null 2>&1 || install_debian_package "$2"
}

# install_debian_package PACKAGE (needs root; runs apt-get update once per script).
apt_updated=""
install_debian_package() {
  local package="$1"
  if [ "$(id -u)" -ne 0 ]; then
    echo "$package is not installed; run as root or: apt-get install -y $package" >&2
    return 1
  fi
  echo "Installing $package from Debian..."
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# start_postgres PORT: initdb + start in a fresh temporary folder; sets PG_DIR, PG_BIN and POSTGRES_URL.
start_postgres() {
  local port="$1"
  [ -n "$(pg_bin)" ] || install_debian_package postgresql
  PG_BIN="$(pg_bin)"
  PG_DIR="$(mktemp -d /tmp/nsms-pg.XXXXXX)"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
  POSTGRES_URL="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway, $PG_DIR)"
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_redis PORT: a Redis server on loopback that requires a password (REDIS_PASSWORD, a fresh one unless
# set) and keeps an append-only file in a temporary folder, so a restart keeps the membership table. The
# password reaches Redis on its standard input and redis-cli through REDISCLI_AUTH, never a command line.
# Sets REDIS_PID, REDIS_DIR, REDIS_PASSWORD and REDIS_CONNECTION (a StackExchange.Redis connection string).
start_redis() {
  local port="$1"
  ensure_command redis-server redis-server
  REDIS_PASSWORD="${REDIS_PASSWORD:-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}"
  REDIS_DIR="$(mktemp -d /tmp/nsms-redis.XXXXXX)"
  # A session of its own (setsid execs in place, so $! stays Redis): Ctrl+C signals the terminal's whole process group,
  # and Redis, unlike the script's other background jobs, does not ignore SIGINT; it would go first, and the silos
  # stopping after it could not leave the membership table. The caller stops it by PID (stop_redis), after the silos.
  printf 'requirepass %s\n' "$REDIS_PASSWORD" | setsid redis-server - --port "$port" --bind 127.0.0.1 --save '' \
    --appendonly yes --dir "$REDIS_DIR" --daemonize no --loglevel warning >"${REDIS_LOG:-/dev/null}" 2>&1 &
  REDIS_PID=$!
  REDIS_CONNECTION="127.0.0.1:$port,password=$REDIS_PASSWORD"
  for _ in $(seq 1 50); do
    [ "$(REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p "$port" ping 2>/dev/null)" = PONG ] \
      && { echo "Redis on 127.0.0.1:$port (throwaway, pid $REDIS_PID, password required)"; return 0; }
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "Redis did not start on 127.0.0.1:$port (is the port taken?)." >&2
  return 1
}

stop_redis() {
  [ -n "${REDIS_PID:-}" ] || return 0
  kill -TERM "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "${REDIS_DIR:-}"
  REDIS_PID=""
}

# The first admin's account (Auth__BootstrapAdmin__*): a random password made once and kept in
# <data dir>/bootstrap-admin.password (mode 600) for the next start; values set in the environment win.
# The silo creates the account at start when no admin exists.
bootstrap_admin() {
  local data_dir="$1"
  export Auth__BootstrapAdmin__Username="${Auth__BootstrapAdmin__Username:-admin}"
  if [ -z "${Auth__BootstrapAdmin__Password:-}" ]; then
    BOOTSTRAP_PASSWORD_FILE="$data_dir/bootstrap-admin.password"
    if [ ! -s "$BOOTSTRAP_PASSWORD_FILE" ]; then
      # No newline at the end: curl's --data-urlencode password@FILE sends the file as it is.
      (umask 077; printf '%s' "$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" > "$BOOTSTRAP_PASSWORD_FILE")
    fi
    chmod 600 "$BOOTSTRAP_PASSWORD_FILE"
    Auth__BootstrapAdmin__Password="$(cat "$BOOTSTRAP_PASSWORD_FILE")"
    export Auth__BootstrapAdmin__Password
  else
    BOOTSTRAP_PASSWORD_FILE="(from Auth__BootstrapAdmin__Password)"
  fi
}

# How to sign in as the bootstrap admin: its username, where its password is, and a curl line for a token.
print_sign_in() {
  local client_url="$1"
  local password_arg="password@$BOOTSTRAP_PASSWORD_FILE"
  [ -f "$BOOTSTRAP_PASSWORD_FILE" ] || password_arg="password@<(printf %s \"\$Auth__BootstrapAdmin__Password\")"
  cat <<INFO
  sign in        user $Auth__BootstrapAdmin__Username, password in $BOOTSTRAP_PASSWORD_FILE  (Auth__Mode=${Auth__Mode:-Required})
                 token: curl -s $client_url/ch08/login/token -d username=$Auth__BootstrapAdmin__Username --data-urlencode $password_arg
                 then:  curl -H "Authorization: Bearer <access_token>" $client_url/ch08/login/list/all
INFO
}
