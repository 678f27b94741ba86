#!/usr/bin/env bash
# Measures a failover of the running topology: kills a leader with SIGKILL, then writes every 0.1 s and prints
# the seconds from the kill to the first write acknowledged by the new leader (through HAProxy or Sentinel).
#   ops/ha/failover.sh postgres        SIGKILL the leader's PostgreSQL (Patroni stays up and hands over)
#   ops/ha/failover.sh postgres-node   SIGKILL the leader's Patroni and PostgreSQL (a lost host: the key expires)
#   ops/ha/failover.sh redis           SIGKILL the Redis master (the Sentinels promote a replica)
# Run ops/ha/up.sh afterwards to restart what was killed; it rejoins as a replica.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ops/ha/lib.sh
source "$HERE/lib.sh"

FAILOVER_TIMEOUT="${FAILOVER_TIMEOUT:-60}"
now() { date +%s.%N; }

pg_write() {
  timeout 2 psql "host=127.0.0.1 port=$HAPROXY_WRITE_PORT user=postgres dbname=postgres connect_timeout=1" -tAqc \
    "create table if not exists ha_probe (id bigserial primary key, at timestamptz not null default now());
     insert into ha_probe default values returning inet_server_port()" 2>/dev/null
}

redis_write() {
  local master
  master=$(sentinel_master) || return 1
  [[ $(timeout 2 redis-cli -p "${master#*:}" set ha_probe "$(now)" 2>/dev/null) == OK ]] && echo "${master#*:}"
}

case "${1:-}" in
  postgres | postgres-node)
    write=pg_write
    leader=$(patroni_leader) || die "no Patroni leader"
    old=$($write) || die "no write goes through port $HAPROXY_WRITE_PORT"
    postmaster=$(head -n 1 "$HA_DIR/pg/$leader/postmaster.pid")
    killed_at=$(now)
    if [[ "$1" == postgres-node ]]; then
      patroni=$(pid_of "patroni-$leader") || die "patroni-$leader is not running"
      kill -KILL "$patroni" "$postmaster"
      log "SIGKILL Patroni (pid $patroni) and PostgreSQL (pid $postmaster) of leader $leader (port $old)"
    else
      kill -KILL "$postmaster"
      log "SIGKILL PostgreSQL (pid $postmaster) of leader $leader (port $old)"
    fi
    ;;
  redis)
    write=redis_write
    old=$($write) || die "the Redis master does not take writes"
    pid=$(pid_of "redis-$old") || die "redis-$old was not started by up.sh"
    killed_at=$(now)
    kill -KILL "$pid"
    log "SIGKILL Redis master (pid $pid, port $old)"
    ;;
  *) die "usage: $0 postgres|postgres-node|redis" ;;
esac

deadline=$((SECONDS + FAILOVER_TIMEOUT))
while :; do
  if port=$($write) && [[ -n "$port" && "$port" != "$old" ]]; then
    break
  fi
  ((SECONDS < deadline)) || die "no write reached a new leader within ${FAILOVER_TIMEOUT}s"
  sleep 0.1
done
seconds=$(echo "$(now) - $killed_at" | bc -l)
printf 'failover %s: new leader on port %s, first write acknowledged %.1f s after the kill\n' "$1" "$port" "$seconds"
