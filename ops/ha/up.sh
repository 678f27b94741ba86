#!/usr/bin/env bash
# Starts the highly available topology on 127.0.0.1, as ordinary processes under one working folder
# (HA_DIR, default /tmp/passerelle-ha): 3 etcd members, 3 PostgreSQL 15 nodes under Patroni (synchronous
# mode), HAProxy (write, read, API and stats ports), a Redis master with 2 replicas and 3 Sentinels, and an
# SMTP sink that counts what it receives. Installs the missing Debian packages first. Running it again starts
# only what is not running. Stop everything with ops/ha/down.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=ops/ha/lib.sh
source "$HERE/lib.sh"

[[ $(id -u) -eq 0 ]] || die "run as root: packages are installed with apt-get and PostgreSQL runs as the postgres user"

install_missing() {
  local missing=()
  command -v patroni >/dev/null || missing+=(patroni)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v curl >/dev/null || missing+=(curl)
  [[ -x "$PG_BIN/postgres" ]] || missing+=(postgresql-15)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >"$LOGS/apt.log" 2>&1 ||
      die "apt-get install failed; see $LOGS/apt.log"
  fi
}

# start NAME SIGNATURE COMMAND...: runs COMMAND in the background unless NAME is already running.
# SIGNATURE is a piece of its command line, checked with the pid so a recycled pid is never taken for it.
start() {
  local name="$1" signature="$2"
  shift 2
  if pid=$(pid_of "$name"); then
    log "$name already running (pid $pid)"
    return 0
  fi
  setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
  echo "$!" >"$PIDS/$name.pid"
  echo "$signature" >"$PIDS/$name.cmd"
  log "$name started (pid $!, log $LOGS/$name.log)"
}

mkdir -p "$HA_DIR" "$PIDS" "$LOGS"
install_missing

# --- etcd: three members ---------------------------------------------------------------------------------
cluster=""
for i in 0 1 2; do cluster+="${cluster:+,}e$((i + 1))=http://127.0.0.1:${ETCD_PEER_PORTS[$i]}"; done
for i in 0 1 2; do
  name="e$((i + 1))"
  mkdir -p "$HA_DIR/etcd"
  start "etcd-$name" "--name $name" etcd --name "$name" --data-dir "$HA_DIR/etcd/$name" \
    --listen-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORTS[$i]}" \
    --advertise-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORTS[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORTS[$i]}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORTS[$i]}" \
    --initial-cluster "$cluster" --initial-cluster-token passerelle-ha --initial-cluster-state new \
    --heartbeat-interval 100 --election-timeout 1000
done
for i in 0 1 2; do
  wait_for "etcd e$((i + 1))" "$HA_TIMEOUT" "$LOGS/etcd-e$((i + 1)).log" \
    bash -c "curl -sf http://127.0.0.1:${ETCD_CLIENT_PORTS[$i]}/health | grep -q '\"health\":\"true\"'"
done
log "etcd healthy"

# --- PostgreSQL under Patroni ----------------------------------------------------------------------------
# PostgreSQL refuses to run as root: Patroni and PostgreSQL run as postgres, in folders postgres owns.
mkdir -p "$HA_DIR/pg/run"
chown postgres:postgres "$HA_DIR/pg" "$HA_DIR/pg/run"
etcd_hosts=""
for port in "${ETCD_CLIENT_PORTS[@]}"; do etcd_hosts+="${etcd_hosts:+,}127.0.0.1:$port"; done
for i in 0 1 2; do
  name="pg$((i + 1))"
  config="$HA_DIR/pg/$name.yml"
  sed -e "s|@NAME@|$name|g" -e "s|@HA_DIR@|$HA_DIR|g" -e "s|@PG_BIN@|$PG_BIN|g" \
    -e "s|@PG_PORT@|${PG_PORTS[$i]}|g" -e "s|@REST_PORT@|${PATRONI_PORTS[$i]}|g" \
    -e "s|@ETCD_HOSTS@|$etcd_hosts|g" "$HERE/patroni.yml.in" >"$config"
  chmod 0644 "$config"
  start "patroni-$name" "$config" setpriv --reuid=postgres --regid=postgres --init-groups \
    env HOME="$HA_DIR/pg" patroni "$config"
done
patroni_member_running() {
  curl -sf "http://127.0.0.1:$1/patroni" | grep -q '"state": *"running"'
}
has_sync_standby() {
  curl -sf "http://127.0.0.1:${PATRONI_PORTS[0]}/cluster" | grep -q '"role": *"sync_standby"'
}
for i in 0 1 2; do
  wait_for "Patroni member pg$((i + 1))" "$HA_TIMEOUT" "$LOGS/patroni-pg$((i + 1)).log" \
    patroni_member_running "${PATRONI_PORTS[$i]}"
done
wait_for "a synchronous standby" "$HA_TIMEOUT" "$LOGS/patroni-pg1.log" has_sync_standby
log "PostgreSQL cluster running, leader $(patroni_leader), with a synchronous standby"

# --- HAProxy ---------------------------------------------------------------------------------------------
sed -e "s|@WRITE_PORT@|$HAPROXY_WRITE_PORT|g" -e "s|@READ_PORT@|$HAPROXY_READ_PORT|g" \
  -e "s|@API_PORT@|$HAPROXY_API_PORT|g" -e "s|@STATS_PORT@|$HAPROXY_STATS_PORT|g" \
  -e "s|@PG1@|${PG_PORTS[0]}|g" -e "s|@PG2@|${PG_PORTS[1]}|g" -e "s|@PG3@|${PG_PORTS[2]}|g" \
  -e "s|@REST1@|${PATRONI_PORTS[0]}|g" -e "s|@REST2@|${PATRONI_PORTS[1]}|g" -e "s|@REST3@|${PATRONI_PORTS[2]}|g" \
  -e "s|@API1@|${API_PORTS[0]}|g" -e "s|@API2@|${API_PORTS[1]}|g" \
  "$HERE/haproxy.cfg.in" >"$HA_DIR/haproxy.cfg"
haproxy -c -q -f "$HA_DIR/haproxy.cfg" || die "invalid $HA_DIR/haproxy.cfg"
start haproxy "$HA_DIR/haproxy.cfg" haproxy -db -f "$HA_DIR/haproxy.cfg"
writes_reach_primary() {
  [[ $(psql -h 127.0.0.1 -p "$HAPROXY_WRITE_PORT" -U postgres -d postgres -tAc 'select pg_is_in_recovery()') == f ]]
}
wait_for "the write port reaching the primary" "$HA_TIMEOUT" "$LOGS/haproxy.log" writes_reach_primary
# Retried: right after a failover the write port may still cut a connection or two.
ensure_database() {
  local exists
  exists=$(psql -h 127.0.0.1 -p "$HAPROXY_WRITE_PORT" -U postgres -d postgres -tAc \
    "select 1 from pg_database where datname = 'passerelle'") || return 1
  [[ "$exists" == 1 ]] || psql -h 127.0.0.1 -p "$HAPROXY_WRITE_PORT" -U postgres -d postgres -qc 'create database passerelle'
}
wait_for "the passerelle database" "$HA_TIMEOUT" "$LOGS/haproxy.log" ensure_database
log "HAProxy routes writes to the primary"

# --- Redis: a master, two replicas, three Sentinels --------------------------------------------------------
mkdir -p "$HA_DIR/redis"
# A node that comes back joins whichever master the Sentinels name now, not the one of the first start.
# With the Sentinels stopped too, the last master they recorded in their files (they rewrite them on failover).
recorded_master() {
  awk -v name="$SENTINEL_NAME" '$1 == "sentinel" && $2 == "monitor" && $3 == name { print $4 ":" $5; exit }' \
    "$HA_DIR/redis/sentinel-${SENTINEL_PORTS[0]}.conf" 2>/dev/null | grep .
}
master="$(sentinel_master || recorded_master || echo "127.0.0.1:${REDIS_PORTS[0]}")"
for i in 0 1 2; do
  port="${REDIS_PORTS[$i]}"
  mkdir -p "$HA_DIR/redis/$port"
  role=()
  [[ "$master" != "127.0.0.1:$port" ]] && role=(--replicaof "${master%:*}" "${master#*:}")
  start "redis-$port" "127.0.0.1:$port" redis-server --port "$port" --bind 127.0.0.1 --dir "$HA_DIR/redis/$port" \
    --appendonly yes --save '' --daemonize no "${role[@]}"
done
redis_answers() { [[ $(redis-cli -p "$1" ping) == PONG ]]; }
replica_linked() { redis-cli -p "$1" info replication | grep -q 'master_link_status:up'; }
for port in "${REDIS_PORTS[@]}"; do
  wait_for "Redis on $port" "$HA_TIMEOUT" "$LOGS/redis-$port.log" redis_answers "$port"
  [[ "$master" == "127.0.0.1:$port" ]] ||
    wait_for "Redis replica on $port" "$HA_TIMEOUT" "$LOGS/redis-$port.log" replica_linked "$port"
done
for port in "${SENTINEL_PORTS[@]}"; do
  config="$HA_DIR/redis/sentinel-$port.conf"
  # Sentinels rewrite their file with what they learn: it is written once and kept across restarts.
  [[ -f "$config" ]] || cat >"$config" <<CONF
port $port
bind 127.0.0.1
daemonize no
dir $HA_DIR/redis
sentinel monitor $SENTINEL_NAME ${master%:*} ${master#*:} 2
sentinel down-after-milliseconds $SENTINEL_NAME 3000
sentinel failover-timeout $SENTINEL_NAME 10000
sentinel parallel-syncs $SENTINEL_NAME 1
CONF
  start "sentinel-$port" "127.0.0.1:$port" redis-sentinel "$config"
done
sentinel_sees_all() {
  local info
  info=$(redis-cli -p "$1" --raw SENTINEL master "$SENTINEL_NAME" | paste -sd' ')
  [[ "$info" == *"num-slaves 2 "* && "$info" == *"num-other-sentinels 2 "* && "$info" == *"flags master "* ]]
}
for port in "${SENTINEL_PORTS[@]}"; do
  wait_for "Sentinel on $port" "$HA_TIMEOUT" "$LOGS/sentinel-$port.log" sentinel_sees_all "$port"
done
log "Redis master $(sentinel_master) with 2 replicas, watched by 3 Sentinels"

# --- SMTP sink -------------------------------------------------------------------------------------------
start smtp-sink "smtp-sink.mjs $SMTP_PORT" node "$HERE/smtp-sink.mjs" "$SMTP_PORT" "$HA_DIR/smtp"
wait_for "the SMTP sink" "$HA_TIMEOUT" "$LOGS/smtp-sink.log" port_open "$SMTP_PORT"

# --- Passerelle processes (HA_APPS=1) --------------------------------------------------------------------
if [[ "${HA_APPS:-0}" == 1 ]]; then
  source "$HERE/apps.sh"
fi

sentinels=""
for port in "${SENTINEL_PORTS[@]}"; do sentinels+="${sentinels:+,}127.0.0.1:$port"; done
cat >"$HA_DIR/env" <<ENV
DATABASE_URL=postgres://postgres@127.0.0.1:$HAPROXY_WRITE_PORT/passerelle
DATABASE_READ_URL=postgres://postgres@127.0.0.1:$HAPROXY_READ_PORT/passerelle
REDIS_URL=redis://127.0.0.1
REDIS_SENTINELS=$sentinels
REDIS_SENTINEL_NAME=$SENTINEL_NAME
SMTP_URL=smtp://127.0.0.1:$SMTP_PORT
ENV
cat <<SUMMARY

Passerelle HA topology is up (working folder $HA_DIR, logs in $LOGS, pids in $PIDS)
  etcd clients      ${ETCD_CLIENT_PORTS[*]} (peers ${ETCD_PEER_PORTS[*]})
  PostgreSQL nodes  ${PG_PORTS[*]} (Patroni REST ${PATRONI_PORTS[*]}); leader $(patroni_leader)
  HAProxy           write $HAPROXY_WRITE_PORT (primary), read $HAPROXY_READ_PORT (replicas), API $HAPROXY_API_PORT, stats http://127.0.0.1:$HAPROXY_STATS_PORT/
  Redis             ${REDIS_PORTS[*]}, master now $(sentinel_master); Sentinels ${SENTINEL_PORTS[*]} (name $SENTINEL_NAME, quorum 2)
  SMTP sink         127.0.0.1:$SMTP_PORT, count in $HA_DIR/smtp/count, messages in $HA_DIR/smtp/messages.jsonl

  Connection settings for the service (also in $HA_DIR/env):
$(sed 's/^/    /' "$HA_DIR/env")

  patronictl -c $HA_DIR/pg/pg1.yml list
  ops/ha/down.sh
SUMMARY
