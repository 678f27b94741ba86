# Shared by up.sh, down.sh and failover.sh: the ports of the topology and small helpers.
# Every port is on 127.0.0.1 and away from the usual ones (5432, 6379, 5672, 4222, 3306, 1883).

HA_DIR="${HA_DIR:-/tmp/passerelle-ha}"
HA_TIMEOUT="${HA_TIMEOUT:-120}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

ETCD_CLIENT_PORTS=(12379 12381 12383)
ETCD_PEER_PORTS=(12380 12382 12384)
PG_PORTS=(15431 15432 15433)
PATRONI_PORTS=(18001 18002 18003)
HAPROXY_WRITE_PORT=15500
HAPROXY_READ_PORT=15501
HAPROXY_API_PORT=18080
HAPROXY_STATS_PORT=18404
REDIS_PORTS=(16379 16380 16381)
SENTINEL_PORTS=(26380 26381 26382)
SENTINEL_NAME=passerelle
SMTP_PORT=12525
API_PORTS=(13001 13002)

ALL_PORTS=("${ETCD_CLIENT_PORTS[@]}" "${ETCD_PEER_PORTS[@]}" "${PG_PORTS[@]}" "${PATRONI_PORTS[@]}"
  "$HAPROXY_WRITE_PORT" "$HAPROXY_READ_PORT" "$HAPROXY_API_PORT" "$HAPROXY_STATS_PORT"
  "${REDIS_PORTS[@]}" "${SENTINEL_PORTS[@]}" "$SMTP_PORT" "${API_PORTS[@]}")

PIDS="$HA_DIR/pids"
LOGS="$HA_DIR/logs"

log() { printf '[ha %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[ha] error: %s\n' "$*" >&2; exit 1; }

# pid_of NAME: the recorded pid of NAME if that process is still alive, else nothing.
pid_of() {
  local file="$PIDS/$1.pid" pid
  [[ -f "$file" ]] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  # A recycled pid belongs to something else: the recorded command must still be the one running.
  if [[ -f "$PIDS/$1.cmd" ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(<"$PIDS/$1.cmd")"; then
    return 1
  fi
  echo "$pid"
}

# wait_for WHAT TIMEOUT LOG COMMAND...: polls COMMAND every 0.2 s until it succeeds or TIMEOUT seconds pass.
wait_for() {
  local what="$1" timeout="$2" logfile="$3"
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      printf '[ha] error: %s not ready after %ss; see %s\n' "$what" "$timeout" "$logfile" >&2
      [[ -f "$logfile" ]] && tail -n 20 "$logfile" >&2
      return 1
    fi
    sleep 0.2
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The master the Sentinels agree on, as host:port (nothing when no Sentinel answers).
sentinel_master() {
  local port reply
  for port in "${SENTINEL_PORTS[@]}"; do
    reply=$(redis-cli -p "$port" --raw SENTINEL get-master-addr-by-name "$SENTINEL_NAME" 2>/dev/null | paste -sd:)
    if [[ "$reply" =~ ^[0-9.]+:[0-9]+$ ]]; then
      echo "$reply"
      return 0
    fi
  done
  return 1
}

# The member name of the Patroni leader (pg1, pg2 or pg3).
patroni_leader() {
  local port
  for port in "${PATRONI_PORTS[@]}"; do
    curl -sf "http://127.0.0.1:$port/cluster" 2>/dev/null |
      python3 -c 'import json,sys; print(next(m["name"] for m in json.load(sys.stdin)["members"] if m["role"]=="leader"))' 2>/dev/null &&
      return 0
  done
  return 1
}
