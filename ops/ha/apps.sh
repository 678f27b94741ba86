# Sourced by ops/ha/up.sh when HA_APPS=1: Passerelle itself on the topology, built into dist/ —
# 2 API replicas (IN_PROCESS=none) behind HAProxy's API port, 2 projectors (one active per projection by
# lock, the other standby) and 2 notification workers. Secrets are generated once into $HA_DIR/secrets.env.
# Read-model queries go to the replicas (HAProxy's read port); EVENTSTORE_CONNECTION_STRING, when set, is
# passed on (events in that EventStoreDB / KurrentDB cluster instead of PostgreSQL), as is RATE_LIMIT_PER_MINUTE
# (the rehearsal sets it to 0: its clients share one address).

secrets="$HA_DIR/secrets.env"
if [[ ! -f "$secrets" ]]; then
  (
    umask 077
    {
      echo "JWT_SECRET=$(openssl rand -hex 32)"
      echo "DATA_KEY=$(openssl rand -base64 32)"
      echo "SIGNING_KEY=$(openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)"
    } >"$secrets"
  )
fi
if [[ ! -f "$ROOT/dist/apps/api/src/main.js" || "${HA_BUILD:-0}" == 1 ]]; then
  log "building the service (npm run build)"
  (cd "$ROOT" && npm run build --silent) >"$LOGS/build.log" 2>&1 || die "build failed; see $LOGS/build.log"
fi

app_sentinels=""
for port in "${SENTINEL_PORTS[@]}"; do app_sentinels+="${app_sentinels:+,}127.0.0.1:$port"; done
# start_app NAME ENTRY [VAR=value...]: one Node process of the service, named by its title.
start_app() {
  local name="$1" entry="$2"
  shift 2
  mkdir -p "$HA_DIR/apps/$name"
  # shellcheck disable=SC2046
  start "app-$name" "passerelle-$name" env -C "$ROOT" $(grep -v '^#' "$secrets") \
    TS_NODE_BASEURL=./dist NODE_ENV=production LOG_LEVEL="${LOG_LEVEL:-info}" \
    DATA_DIR="$HA_DIR/apps/$name" \
    DATABASE_URL="postgres://postgres@127.0.0.1:$HAPROXY_WRITE_PORT/passerelle" \
    DATABASE_READ_URL="postgres://postgres@127.0.0.1:$HAPROXY_READ_PORT/passerelle" \
    ${EVENTSTORE_CONNECTION_STRING:+EVENTSTORE_CONNECTION_STRING="$EVENTSTORE_CONNECTION_STRING"} \
    ${RATE_LIMIT_PER_MINUTE:+RATE_LIMIT_PER_MINUTE="$RATE_LIMIT_PER_MINUTE"} \
    REDIS_URL=redis://127.0.0.1 REDIS_SENTINELS="$app_sentinels" REDIS_SENTINEL_NAME="$SENTINEL_NAME" \
    SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" "$@" \
    node --title="passerelle-$name" -r tsconfig-paths/register "dist/apps/$entry/src/main.js"
}

api_ready() { curl -sf "http://127.0.0.1:$1/health/ready"; }
for i in 0 1; do
  start_app "api$((i + 1))" api PORT="${API_PORTS[$i]}" IN_PROCESS=none
  # The first replica creates the schema; the second starts once it is there.
  wait_for "API replica api$((i + 1))" "$HA_TIMEOUT" "$LOGS/app-api$((i + 1)).log" api_ready "${API_PORTS[$i]}"
done
for i in 1 2; do
  start_app "projector$i" projector
  start_app "worker$i" worker
done
api_through_haproxy() { curl -sf "http://127.0.0.1:$HAPROXY_API_PORT/health/ready"; }
wait_for "the API through HAProxy" "$HA_TIMEOUT" "$LOGS/haproxy.log" api_through_haproxy
for name in projector1 projector2 worker1 worker2; do
  pid_of "app-$name" >/dev/null || die "app-$name stopped; see $LOGS/app-$name.log"
done
log "2 API replicas behind http://127.0.0.1:$HAPROXY_API_PORT, 2 projectors, 2 workers"
