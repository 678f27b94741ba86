#!/bin/sh
# A Sentinel of docker/compose.ha.yaml: watches the master `passerelle` (redis-1 at first), quorum 2 of 3.
# The file is the Sentinel's own (it rewrites it on failover), so it is written only once, in its volume.
set -eu
conf=/data/sentinel.conf
if [ ! -f "$conf" ]; then
  cat >"$conf" <<CONF
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip ${ANNOUNCE_HOST}
sentinel monitor passerelle redis-1 6379 2
sentinel down-after-milliseconds passerelle 3000
sentinel failover-timeout passerelle 10000
sentinel parallel-syncs passerelle 1
CONF
fi
exec redis-sentinel "$conf"
