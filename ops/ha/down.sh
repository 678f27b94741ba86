#!/usr/bin/env bash
# Stops everything ops/ha/up.sh started, by the pids it recorded (never by process name), waits until each is
# gone and checks that nothing listens on the topology's ports. Data stays in HA_DIR; --purge removes it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ops/ha/lib.sh
source "$HERE/lib.sh"

STOP_TIMEOUT="${STOP_TIMEOUT:-30}"

# stop NAME: SIGTERM to the recorded pid, SIGKILL if it is still there after STOP_TIMEOUT seconds.
stop() {
  local name="$1" pid
  if pid=$(pid_of "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS >= deadline)); then
        log "$name (pid $pid) did not stop in ${STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      sleep 0.1
    done
    log "$name stopped (pid $pid)"
  fi
  rm -f "$PIDS/$name.pid" "$PIDS/$name.cmd"
}

[[ -d "$PIDS" ]] || { log "nothing recorded in $PIDS"; exit 0; }

# Clients first, then the engines they use, etcd last (Patroni needs it to stop cleanly).
for file in "$PIDS"/app-*.pid; do [[ -e "$file" ]] && stop "$(basename "$file" .pid)"; done
stop haproxy
stop smtp-sink
for port in "${SENTINEL_PORTS[@]}"; do stop "sentinel-$port"; done
for port in "${REDIS_PORTS[@]}"; do stop "redis-$port"; done
for i in 1 2 3; do stop "patroni-pg$i"; done
# Patroni stops its PostgreSQL on the way out; one left behind (Patroni killed) is found by its own pid file.
for i in 1 2 3; do
  file="$HA_DIR/pg/pg$i/postmaster.pid"
  [[ -f "$file" ]] || continue
  pid=$(head -n 1 "$file")
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && grep -q postgres "/proc/$pid/comm" 2>/dev/null; then
    echo "$pid" >"$PIDS/postgres-pg$i.pid"
    echo postgres >"$PIDS/postgres-pg$i.cmd"
    stop "postgres-pg$i"
  fi
done
for i in 1 2 3; do stop "etcd-e$i"; done

listening=()
for port in "${ALL_PORTS[@]}"; do
  ss -Hltn "sport = :$port" | grep -q . && listening+=("$port")
done
if ((${#listening[@]})); then
  ss -ltnp | grep -E ":($(
    IFS='|'
    echo "${listening[*]}"
  ))\b" >&2 || true
  die "still listening on ${listening[*]} (not started by up.sh, or started outside its records)"
fi
log "all stopped; nothing listens on the topology's ports"

if [[ "${1:-}" == --purge ]]; then
  rm -rf "$HA_DIR"
  log "removed $HA_DIR"
fi
