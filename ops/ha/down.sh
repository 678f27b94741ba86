#!/usr/bin/env bash
# Stops everything ops/ha/up.sh started, by the pids it recorded (never by process name), waits until each is
# gone and checks that nothing listens on the topology's ports. Data stays in HA_DIR; --purge removes it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ops/ha/lib.sh
source "$HERE/lib.sh"

STOP_TIMEOUT="${STOP_TIMEOUT:-30}"

# stop NAME...: SIGTERM to each recorded pid, then waits for all of them; SIGKILL for any still there after
# STOP_TIMEOUT seconds. Each name's records are removed once its process is gone.
stop() {
  local name pid names=() pids=()
  for name in "$@"; do
    if pid=$(pid_of "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      names+=("$name")
      pids+=("$pid")
    else
      rm -f "$PIDS/$name.pid" "$PIDS/$name.cmd"
    fi
  done
  local deadline=$((SECONDS + STOP_TIMEOUT)) i alive
  while :; do
    alive=0
    for i in "${!pids[@]}"; do kill -0 "${pids[$i]}" 2>/dev/null && alive=1; done
    ((alive)) || break
    if ((SECONDS >= deadline)); then
      for i in "${!pids[@]}"; do
        kill -0 "${pids[$i]}" 2>/dev/null || continue
        log "${names[$i]} (pid ${pids[$i]}) did not stop in ${STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "${pids[$i]}" 2>/dev/null || true
      done
    fi
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    log "${names[$i]} stopped (pid ${pids[$i]})"
    rm -f "$PIDS/${names[$i]}.pid" "$PIDS/${names[$i]}.cmd"
  done
}

[[ -d "$PIDS" ]] || { log "nothing recorded in $PIDS"; exit 0; }

# Clients first, then the engines they use, etcd last (Patroni needs it to stop cleanly).
apps=()
for file in "$PIDS"/app-*.pid; do [[ -e "$file" ]] && apps+=("$(basename "$file" .pid)"); done
((${#apps[@]})) && stop "${apps[@]}"
stop haproxy smtp-sink
stop "${SENTINEL_PORTS[@]/#/sentinel-}"
stop "${REDIS_PORTS[@]/#/redis-}"
stop patroni-pg1 patroni-pg2 patroni-pg3
# Patroni stops its PostgreSQL on the way out; one left behind (Patroni killed) is found by its own pid file.
leftover=()
for i in 1 2 3; do
  file="$HA_DIR/pg/pg$i/postmaster.pid"
  [[ -f "$file" ]] || continue
  pid=$(head -n 1 "$file")
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && grep -q postgres "/proc/$pid/comm" 2>/dev/null; then
    echo "$pid" >"$PIDS/postgres-pg$i.pid"
    echo postgres >"$PIDS/postgres-pg$i.cmd"
    leftover+=("postgres-pg$i")
  fi
done
((${#leftover[@]})) && stop "${leftover[@]}"
stop etcd-e1 etcd-e2 etcd-e3

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
