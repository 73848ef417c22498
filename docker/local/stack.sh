#!/usr/bin/env bash
# No-Docker local stack: Kafka 3.9.1 (KRaft, one node), OpenSearch 2.19 (one node, embedded runner), MySQL (MariaDB).
# Also: TLS and SASL listeners on Kafka, TLS on MariaDB, and (on request) a second OpenSearch node with the security
# plugin (TLS + basic auth), with a CA, certificates and test credentials made here under .stack/secure/.
# Usage: bash docker/local/stack.sh up|down|status|reset|up-secure-search      (see docker/local/README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-9094}"   # SASL_SSL listener: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
KAFKA_SSL_PORT="${KAFKA_SSL_PORT:-9095}"             # SSL listener requiring a client certificate (mutual TLS)
OPENSEARCH_PORT="${OPENSEARCH_PORT:-9200}"
OPENSEARCH_TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-9300}"
OPENSEARCH_CLUSTER_NAME="${OPENSEARCH_CLUSTER_NAME:-local-stack}"
OPENSEARCH_SECURE_PORT="${OPENSEARCH_SECURE_PORT:-9250}"
OPENSEARCH_SECURE_TRANSPORT_PORT="${OPENSEARCH_SECURE_TRANSPORT_PORT:-9350}"
STACK_SECURE_SEARCH="${STACK_SECURE_SEARCH:-0}"   # 1: `up` also starts the secured OpenSearch node
MYSQL_PORT="${MYSQL_PORT:-3306}"
MYSQL_DATABASE="${MYSQL_DATABASE:-metadata}"
MYSQL_USER="${MYSQL_USER:-metadata}"
MYSQL_PASSWORD="${MYSQL_PASSWORD:-metadata}"
MYSQL_DATADIR="${MYSQL_DATADIR:-/var/lib/mysql}"            # another one (and socket) to run a second stack beside
MYSQL_SOCK="${MYSQL_SOCKET:-/run/mysqld/mysqld.sock}"
STACK_TIMEOUT_SECONDS="${STACK_TIMEOUT_SECONDS:-240}"
JAVA="${JAVA:-java}"

LIB_DIR="$STACK_DIR/lib"
DATA_DIR="$STACK_DIR/data"
LOG_DIR="$STACK_DIR/logs"
RUN_DIR="$STACK_DIR/run"
STATE_DIR="$STACK_DIR/state"
CONF_DIR="$STACK_DIR/conf"

KAFKA_LIB="$LIB_DIR/kafka"
KAFKA_DATA="$DATA_DIR/kafka"
KAFKA_LOG="$LOG_DIR/kafka.log"
KAFKA_PID="$RUN_DIR/kafka.pid"
KAFKA_CONF="$CONF_DIR/kafka/server.properties"
KAFKA_LOG4J="$CONF_DIR/kafka/log4j.properties"
KAFKA_CLUSTER_ID_FILE="$STATE_DIR/kafka-cluster-id"

OS_LIB="$LIB_DIR/opensearch"
OS_BASE="$DATA_DIR/opensearch"
OS_LOG="$LOG_DIR/opensearch.log"
OS_NODE_LOGS="$LOG_DIR/opensearch-node"
OS_PID="$RUN_DIR/opensearch.pid"

MYSQL_PID="$RUN_DIR/mariadb.pid"
MYSQL_MODE_FILE="$STATE_DIR/mysql.mode"   # "managed" = this stack started MariaDB and `down` stops it
MYSQL_LOG="$LOG_DIR/mariadb.log"
APT_LOG="$LOG_DIR/apt.log"

# Secured connections: a CA, certificates, test credentials, and secure.env naming them for the tests
SECURE_DIR="$STACK_DIR/secure"
SECURE_ENV="$SECURE_DIR/secure.env"
SECURE_USER="metadata"                       # the SASL user and the OpenSearch internal user
MYSQL_TLS_USER="${MYSQL_USER}_tls"           # like MYSQL_USER, but refused without TLS (REQUIRE SSL)
OSS_LIB="$LIB_DIR/opensearch-security"
OSS_BASE="$DATA_DIR/opensearch-secure"
OSS_LOG="$LOG_DIR/opensearch-secure.log"
OSS_NODE_LOGS="$LOG_DIR/opensearch-secure-node"
OSS_PID="$RUN_DIR/opensearch-secure.pid"
OSS_CLUSTER_NAME="$OPENSEARCH_CLUSTER_NAME-secure"

KAFKA_MAIN="kafka.Kafka"
OS_MAIN="org.codelibs.opensearch.runner.OpenSearchRunner"

log() { printf '[stack] %s\n' "$*"; }
die() { log "ERROR: $*"; exit 1; }
prefix() { sed -u 's/^/[stack]   /'; }
now_ms() { date +%s%3N; }
secs_since() { local d=$(( $(now_ms) - $1 )); printf '%d.%01ds' $((d / 1000)) $(((d % 1000) / 100)); }

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# pid from a pid file, only if that process is alive and its command line contains $2 (guards against pid reuse)
live_pid() {
  local file="$1" needle="$2" pid
  [[ -s "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$needle" || return 1
  printf '%s' "$pid"
}

# SIGTERM, wait up to ~15 s, then SIGKILL; only the pid recorded in the pid file
stop_pid() {
  local name="$1" file="$2" needle="$3" pid i
  if ! pid="$(live_pid "$file" "$needle")"; then
    rm -f "$file"; log "$name: not running"; return 0
  fi
  log "$name: stopping pid $pid (SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    [[ -e "/proc/$pid" ]] || break
    # a zombie (already exited, not yet reaped) counts as stopped
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == "Z" ]] && break
    sleep 0.1
  done
  if [[ -e "/proc/$pid" && "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]]; then
    log "$name: still alive after 15s, SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$file"
  log "$name: stopped"
}

tail_log() {
  local file="$1"
  if [[ -f "$file" ]]; then
    log "last 30 lines of $file:"
    tail -n 30 "$file" | prefix
  else
    log "(no log at $file)"
  fi
}

# ---------------------------------------------------------------- Maven caches
# Resolve a pom's runtime dependencies into $2, once. A marker holding the pom's checksum marks a complete folder.
resolve_lib() {
  local name="$1" pom="$2" out="$3" sum
  sum="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$sum" ]]; then
    log "$name: jars cached in ${out#"$ROOT"/} ($(find "$out" -name '*.jar' -o -name '*.zip' | wc -l) files)"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch $name jars)"
  log "$name: resolving jars from Maven Central into ${out#"$ROOT"/} ..."
  local t0 tmp="$out.tmp.$$"
  t0="$(now_ms)"
  rm -rf "$tmp"; mkdir -p "$tmp"
  if ! mvn -q -B -f "$pom" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$LOG_DIR/maven-$name.log" 2>&1; then
    rm -rf "$tmp"
    log "$name: Maven failed, see $LOG_DIR/maven-$name.log"
    tail_log "$LOG_DIR/maven-$name.log"
    return 1
  fi
  rm -rf "$out"; mv "$tmp" "$out"
  printf '%s\n' "$sum" >"$out/.complete"
  log "$name: resolved $(find "$out" -name '*.jar' -o -name '*.zip' | wc -l) files ($(du -sh "$out" | cut -f1)) in $(secs_since "$t0")"
}

# ---------------------------------------------------------------- secured connections: certificates, credentials
rand_secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

# issue_cert NAME SUBJECT: a key (PKCS#8, unencrypted) and a certificate signed by the stack's CA, valid for 127.0.0.1
# and localhost, for servers and clients alike. Runs in $SECURE_DIR.
issue_cert() {
  local name="$1" subject="$2"
  openssl req -newkey rsa:2048 -nodes -keyout "$name-key.tmp" -out "$name.csr" -subj "$subject" 2>/dev/null
  printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' 'basicConstraints=CA:FALSE' \
    'keyUsage=digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth,clientAuth' >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile "$name.ext" \
    -out "$name.pem" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$name-key.tmp" -out "$name-key.pem"
  rm -f "$name-key.tmp" "$name.csr" "$name.ext"
}

# The CA, the servers' and a client's certificates, and random test passwords, made once into .stack/secure/ (kept
# by `down`, removed by `reset`); secure.env, rewritten by every `up`, names them for the tests. Nothing here is a
# secret of any real deployment.
secure_material() {
  if ! command -v openssl >/dev/null; then
    log "tls: openssl not installed: apt-get install openssl (log ${APT_LOG#"$ROOT"/}) ..."
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y openssl; } >"$APT_LOG" 2>&1 \
      || { tail_log "$APT_LOG"; die "openssl is needed to make the local stack's test certificates"; }
  fi
  mkdir -p "$SECURE_DIR"
  if [[ ! -s "$SECURE_DIR/ca.pem" || ! -s "$SECURE_DIR/server-key.pem" || ! -s "$SECURE_DIR/client-key.pem" ]]; then
    local t0; t0="$(now_ms)"
    (
      cd "$SECURE_DIR"
      umask 077
      openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 3650 \
        -subj "/O=metadata local stack/CN=local stack CA" 2>/dev/null
      issue_cert server "/CN=localhost"
      issue_cert client "/CN=metadata-client"
      # Kafka's PEM key store: the key, then the certificate
      cat server-key.pem server.pem >kafka-keystore.pem
      chmod 644 ca.pem server.pem client.pem
    ) || die "tls: making the certificates failed"
    rm -rf "$SECURE_DIR/mariadb"
    log "tls: made a CA and server and client certificates in ${SECURE_DIR#"$ROOT"/} in $(secs_since "$t0")"
  fi
  if [[ ! -s "$SECURE_DIR/kafka.password" ]]; then
    (umask 077; rand_secret >"$SECURE_DIR/kafka.password")
    rm -f "$STATE_DIR/kafka-scram"
  fi
  if [[ ! -s "$SECURE_DIR/opensearch.password" ]]; then
    # the security index keeps the users it was first started with: a new password needs a new node
    (umask 077; rand_secret >"$SECURE_DIR/opensearch.password")
    rm -rf "$OSS_BASE" "$SECURE_DIR/opensearch.hash"
  fi
  (umask 077; cat >"$SECURE_ENV" <<EOF
# generated by docker/local/stack.sh on every 'up': the local stack's secured endpoints and their test credentials,
# made at random under .stack/secure/ (read by test/secured-connections.e2e-spec.ts)
STACK_CA_FILE=$SECURE_DIR/ca.pem
STACK_CLIENT_CERT_FILE=$SECURE_DIR/client.pem
STACK_CLIENT_KEY_FILE=$SECURE_DIR/client-key.pem
KAFKA_SASL_SSL_BROKERS=127.0.0.1:$KAFKA_SASL_SSL_PORT
KAFKA_SSL_BROKERS=127.0.0.1:$KAFKA_SSL_PORT
KAFKA_SASL_USERNAME=$SECURE_USER
KAFKA_SASL_PASSWORD=$(cat "$SECURE_DIR/kafka.password")
MYSQL_TLS_USER=$MYSQL_TLS_USER
OPENSEARCH_SECURE_URL=https://127.0.0.1:$OPENSEARCH_SECURE_PORT
OPENSEARCH_USERNAME=$SECURE_USER
OPENSEARCH_PASSWORD=$(cat "$SECURE_DIR/opensearch.password")
EOF
  )
}

# ---------------------------------------------------------------- Kafka
kafka_running() { live_pid "$KAFKA_PID" "$KAFKA_MAIN" >/dev/null; }
kafka_healthy() { port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$KAFKA_LOG" 2>/dev/null; }

kafka_write_config() {
  mkdir -p "$(dirname "$KAFKA_CONF")" "$KAFKA_DATA"
  (umask 077; : >"$KAFKA_CONF")   # it holds the PLAIN user's test password
  cat >"$KAFKA_CONF" <<EOF
# generated by docker/local/stack.sh - edits are overwritten on every 'up'
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT,SSL://127.0.0.1:$KAFKA_SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT,SSL://127.0.0.1:$KAFKA_SSL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
# secured listeners for clients (the brokers and the controller talk PLAINTEXT): TLS with the stack's certificate
# (PEM files from .stack/secure/), SASL users PLAIN (below) and SCRAM (stored in the metadata by 'up'), and an SSL
# listener that requires a client certificate signed by the stack's CA
ssl.keystore.type=PEM
ssl.keystore.location=$SECURE_DIR/kafka-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$SECURE_DIR/ca.pem
listener.name.ssl.ssl.client.auth=required
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SECURE_USER="$(cat "$SECURE_DIR/kafka.password")";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=$KAFKA_DATA
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# the application creates its own topics; auto-creation stays at Kafka's default (true)
auto.create.topics.enable=true
EOF
  cat >"$KAFKA_LOG4J" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.storage.internals.log=WARN
EOF
}

# SCRAM credentials (SHA-256 and SHA-512) of the SASL user live in the cluster's metadata: a fresh data folder gets
# them when it is formatted (kafka_start), an existing one through the PLAINTEXT listener once Kafka is up (one
# request per mechanism: Kafka refuses two changes of one user in one request). The marker names the data folder
# and the password, so this runs once for each.
kafka_scram_marker() {
  local dir_id
  dir_id="$(grep -s '^directory.id=' "$KAFKA_DATA/meta.properties" | cut -d= -f2)"
  printf '%s %s %s\n' "$(kafka_cluster_id)" "${dir_id:-none}" "$(sha256sum <"$SECURE_DIR/kafka.password" | cut -c1-16)"
}
kafka_scram_users() {
  [[ "$(cat "$STATE_DIR/kafka-scram" 2>/dev/null)" == "$(kafka_scram_marker)" ]] && return 0
  local t0 pw mechanism; t0="$(now_ms)"; pw="$(cat "$SECURE_DIR/kafka.password")"
  : >"$LOG_DIR/kafka-scram.log"
  for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
    "$JAVA" -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIB/*" -Dlog4j.configuration="file:$KAFKA_LOG4J" kafka.admin.ConfigCommand \
      --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter --entity-type users --entity-name "$SECURE_USER" \
      --add-config "$mechanism=[password=$pw]" 2>&1 | sed "s/$pw/<hidden>/g" >>"$LOG_DIR/kafka-scram.log"
    (( PIPESTATUS[0] == 0 )) || { tail_log "$LOG_DIR/kafka-scram.log"; die "kafka: storing the $mechanism user '$SECURE_USER' failed"; }
  done
  kafka_scram_marker >"$STATE_DIR/kafka-scram"
  log "kafka: SCRAM-SHA-256/512 credentials of '$SECURE_USER' stored in $(secs_since "$t0")"
}

kafka_cluster_id() {
  if [[ ! -s "$KAFKA_CLUSTER_ID_FILE" ]]; then
    mkdir -p "$STATE_DIR"
    # 16 random bytes, base64url without padding (22 chars), as Kafka's Uuid expects
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$KAFKA_CLUSTER_ID_FILE"
  fi
  cat "$KAFKA_CLUSTER_ID_FILE"
}

kafka_start() {
  kafka_write_config
  if [[ ! -f "$KAFKA_DATA/meta.properties" ]]; then
    local id; id="$(kafka_cluster_id)"
    log "kafka: formatting storage (cluster id $id)"
    local pw; pw="$(cat "$SECURE_DIR/kafka.password")"
    "$JAVA" -cp "$KAFKA_LIB/*" -Dlog4j.configuration="file:$KAFKA_LOG4J" kafka.tools.StorageTool format \
      -t "$id" -c "$KAFKA_CONF" --ignore-formatted \
      --add-scram "SCRAM-SHA-256=[name=$SECURE_USER,password=$pw]" --add-scram "SCRAM-SHA-512=[name=$SECURE_USER,password=$pw]" \
      2>&1 | sed "s/$pw/<hidden>/g" >"$LOG_DIR/kafka-format.log"
    (( PIPESTATUS[0] == 0 )) || { tail_log "$LOG_DIR/kafka-format.log"; die "kafka: storage format failed"; }
    kafka_scram_marker >"$STATE_DIR/kafka-scram"
  fi
  : >"$KAFKA_LOG"
  # shellcheck disable=SC2016  # $$ and $@ belong to the inner shell, which records its pid then becomes the JVM
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$KAFKA_PID" \
    "$JAVA" -Xms512m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_LOG4J" -cp "$KAFKA_LIB/*" "$KAFKA_MAIN" "$KAFKA_CONF" \
    >>"$KAFKA_LOG" 2>&1 </dev/null 9>&- &
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), log ${KAFKA_LOG#"$ROOT"/}"
}

# ---------------------------------------------------------------- OpenSearch
os_running() { live_pid "$OS_PID" "$OS_MAIN" >/dev/null; }
os_health_status() {
  curl -fsS --max-time 3 "http://127.0.0.1:$OPENSEARCH_PORT/_cluster/health" 2>/dev/null \
    | grep -o '"status":"[a-z]*"' | cut -d'"' -f4
}
os_healthy() { local s; s="$(os_health_status)"; [[ "$s" == green || "$s" == yellow ]]; }

# One OpenSearch node in the background (its pid in $1): heap $2, base folder $3, cluster $4, HTTP port $5, node logs $6,
# console log $7 (emptied first).
launch_os_node() {
  local pid_file="$1" heap="$2" base="$3" cluster="$4" port="$5" node_logs="$6" console="$7"
  mkdir -p "$base/tmp"
  : >"$console"
  # shellcheck disable=SC2016  # $$ and $@ belong to the inner shell, which records its pid then becomes the JVM
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pid_file" \
    "$JAVA" "-Xms$heap" "-Xmx$heap" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$base/tmp" \
    -cp "$OS_LIB/*" "$OS_MAIN" -basePath "$base" -numOfNode 1 -clusterName "$cluster" \
    -baseHttpPort "$((port - 1))" -logsPath "$node_logs" \
    >>"$console" 2>&1 </dev/null 9>&- &
}

os_start() {
  # The runner serves HTTP on baseHttpPort+1 and silently moves to the next free port (up to 9299) when that one
  # is taken, so refuse a busy port here instead of ending up on a port nobody polls.
  local conf="$OS_BASE/node_1/config"
  mkdir -p "$conf" "$OS_NODE_LOGS"
  cat >"$conf/opensearch.yml" <<EOF
# generated by docker/local/stack.sh - edits are overwritten on every 'up'
# (http.port is set by the runner: -baseHttpPort + 1)
discovery.type: single-node
network.host: 127.0.0.1
transport.port: $OPENSEARCH_TRANSPORT_PORT
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: true
EOF
  launch_os_node "$OS_PID" 1g "$OS_BASE" "$OPENSEARCH_CLUSTER_NAME" "$OPENSEARCH_PORT" "$OS_NODE_LOGS" "$OS_LOG"
  log "opensearch: starting on http://127.0.0.1:$OPENSEARCH_PORT, log ${OS_LOG#"$ROOT"/} (node logs ${OS_NODE_LOGS#"$ROOT"/}/)"
}

# ---------------------------------------------------------------- OpenSearch with the security plugin (on request)
# A second, separate node: the same runner and jars, plus the security plugin's distribution zip installed into its
# plugins folder; TLS on HTTP and transport with the stack's certificate, basic auth against one internal user.
oss_running() { live_pid "$OSS_PID" "$OSS_BASE" >/dev/null; }
oss_curl() {
  # the password goes through a config on stdin, not the command line
  printf 'user = "%s:%s"\n' "$SECURE_USER" "$(cat "$SECURE_DIR/opensearch.password")" \
    | curl -K - -fsS --max-time 3 --cacert "$SECURE_DIR/ca.pem" "https://127.0.0.1:$OPENSEARCH_SECURE_PORT$1"
}
oss_health_status() { oss_curl /_cluster/health 2>/dev/null | grep -o '"status":"[a-z]*"' | cut -d'"' -f4; }
oss_healthy() { local s; s="$(oss_health_status)"; [[ "$s" == green || "$s" == yellow ]]; }

# Unpacks the plugin into the node's plugins folder once per zip. Jars the runner's classpath already has (netty,
# transport-netty4, the HTTP and REST clients...) are left out: OpenSearch refuses a plugin that brings the same
# classes again ("jar hell"), and the plugin's class loader finds them on the classpath.
oss_install_plugin() {
  local dir="$OSS_BASE/node_1/plugins/opensearch-security" zip sum jar name
  zip="$(find "$OSS_LIB" -name 'opensearch-security-*.zip' | head -n 1)"
  [[ -n "$zip" ]] || die "opensearch-secure: no security plugin zip in ${OSS_LIB#"$ROOT"/}"
  sum="$(cat "$OSS_LIB/.complete")"
  [[ -f "$dir/.complete" && "$(cat "$dir/.complete")" == "$sum" ]] && return 0
  rm -rf "$dir"; mkdir -p "$dir"
  if command -v unzip >/dev/null; then unzip -q "$zip" -d "$dir"; else python3 -m zipfile -e "$zip" "$dir"; fi \
    || die "opensearch-secure: cannot unpack $zip"
  rm -rf "$dir/config" "$dir/tools"
  local have; have="$(find "$OS_LIB" -name '*.jar' -printf '%f\n' | sed -E 's/-[0-9][^-]*(-jre|\.Final)?\.jar$//' | sort -u)"
  for jar in "$dir"/*.jar; do
    name="$(basename "$jar" | sed -E 's/-[0-9][^-]*(-jre|\.Final)?\.jar$//')"
    if grep -qxF "$name" <<<"$have"; then rm -f "$jar"; fi
  done
  printf '%s\n' "$sum" >"$dir/.complete"
}

# The internal user's password hash (bcrypt), made once with the plugin's own Hasher.
oss_password_hash() {
  if [[ ! -s "$SECURE_DIR/opensearch.hash" ]]; then
    # the password through the environment, not the command line
    OSS_PASSWORD="$(cat "$SECURE_DIR/opensearch.password")" \
      "$JAVA" -XX:TieredStopAtLevel=1 -cp "$OSS_BASE/node_1/plugins/opensearch-security/*:$OS_LIB/*" \
      org.opensearch.security.tools.Hasher -env OSS_PASSWORD 2>/dev/null | tail -n 1 >"$SECURE_DIR/opensearch.hash.tmp"
    grep -q '^\$2' "$SECURE_DIR/opensearch.hash.tmp" || die "opensearch-secure: hashing the password failed"
    mv "$SECURE_DIR/opensearch.hash.tmp" "$SECURE_DIR/opensearch.hash"
  fi
  cat "$SECURE_DIR/opensearch.hash"
}

oss_write_config() {
  local conf="$OSS_BASE/node_1/config" sec hash
  sec="$conf/opensearch-security"
  mkdir -p "$sec" "$OSS_NODE_LOGS" "$OSS_BASE/tmp"
  cp "$SECURE_DIR/ca.pem" "$SECURE_DIR/server.pem" "$SECURE_DIR/server-key.pem" "$conf/"
  hash="$(oss_password_hash)"
  cat >"$conf/opensearch.yml" <<EOF
# generated by docker/local/stack.sh - edits are overwritten on every start of the secured node
# (http.port is set by the runner: -baseHttpPort + 1)
discovery.type: single-node
network.host: 127.0.0.1
transport.port: $OPENSEARCH_SECURE_TRANSPORT_PORT
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: true
plugins.security.ssl.transport.pemcert_filepath: server.pem
plugins.security.ssl.transport.pemkey_filepath: server-key.pem
plugins.security.ssl.transport.pemtrustedcas_filepath: ca.pem
plugins.security.ssl.transport.enforce_hostname_verification: false
plugins.security.ssl.http.enabled: true
plugins.security.ssl.http.pemcert_filepath: server.pem
plugins.security.ssl.http.pemkey_filepath: server-key.pem
plugins.security.ssl.http.pemtrustedcas_filepath: ca.pem
plugins.security.nodes_dn: ["CN=localhost"]
plugins.security.allow_default_init_securityindex: true
plugins.security.audit.type: noop
plugins.security.restapi.roles_enabled: ["all_access"]
EOF
  # the security configuration the first start writes into its index (later starts keep the index's)
  printf '%s\n' '_meta: {type: "config", config_version: 2}' 'config:' '  dynamic:' \
    '    http: {anonymous_auth_enabled: false}' '    authc:' '      basic_internal_auth_domain:' \
    '        http_enabled: true' '        transport_enabled: true' '        order: 0' \
    '        http_authenticator: {type: basic, challenge: true}' '        authentication_backend: {type: intern}' \
    >"$sec/config.yml"
  printf '%s\n' '_meta: {type: "internalusers", config_version: 2}' "$SECURE_USER:" "  hash: \"$hash\"" \
    '  backend_roles: ["admin"]' >"$sec/internal_users.yml"
  printf '%s\n' '_meta: {type: "rolesmapping", config_version: 2}' 'all_access:' "  users: [\"$SECURE_USER\"]" \
    >"$sec/roles_mapping.yml"
  printf '%s\n' '_meta: {type: "roles", config_version: 2}' >"$sec/roles.yml"
  printf '%s\n' '_meta: {type: "actiongroups", config_version: 2}' >"$sec/action_groups.yml"
  printf '%s\n' '_meta: {type: "tenants", config_version: 2}' >"$sec/tenants.yml"
  printf '%s\n' '_meta: {type: "nodesdn", config_version: 2}' >"$sec/nodes_dn.yml"
  printf '%s\n' '_meta: {type: "allowlist", config_version: 2}' 'config: {enabled: false}' >"$sec/allowlist.yml"
  printf '%s\n' '_meta: {type: "audit", config_version: 2}' 'config: {enabled: false}' >"$sec/audit.yml"
  chmod -R go-rwx "$conf"
}

oss_start() {
  oss_install_plugin
  oss_write_config
  launch_os_node "$OSS_PID" 512m "$OSS_BASE" "$OSS_CLUSTER_NAME" "$OPENSEARCH_SECURE_PORT" "$OSS_NODE_LOGS" "$OSS_LOG"
  log "opensearch-secure: starting on https://127.0.0.1:$OPENSEARCH_SECURE_PORT (security plugin), log ${OSS_LOG#"$ROOT"/}"
}

# Ports of the secured node, refused when taken by something else (the runner would silently move).
oss_check_ports() {
  (( OPENSEARCH_SECURE_PORT >= 1025 && OPENSEARCH_SECURE_PORT <= 9299 )) \
    || die "opensearch-secure: OPENSEARCH_SECURE_PORT must be within 1025..9299 (the runner refuses HTTP ports above 9299)"
  port_open "$OPENSEARCH_SECURE_PORT" && busy+=("secured opensearch port $OPENSEARCH_SECURE_PORT (OPENSEARCH_SECURE_PORT)")
  port_open "$OPENSEARCH_SECURE_TRANSPORT_PORT" \
    && busy+=("secured opensearch transport port $OPENSEARCH_SECURE_TRANSPORT_PORT (OPENSEARCH_SECURE_TRANSPORT_PORT)")
  return 0
}

# ---------------------------------------------------------------- MySQL / MariaDB
mysql_mode() { cat "$MYSQL_MODE_FILE" 2>/dev/null || echo none; }
mysql_managed_running() { live_pid "$MYSQL_PID" "mariadbd" >/dev/null; }

mysql_client() { command -v mariadb || command -v mysql || true; }

mysql_login_ok() {
  local c; c="$(mysql_client)"
  [[ -n "$c" ]] || return 1
  MYSQL_PWD="$MYSQL_PASSWORD" "$c" --protocol=TCP -h127.0.0.1 -P"$MYSQL_PORT" -u"$MYSQL_USER" \
    --connect-timeout=3 "$MYSQL_DATABASE" -e 'SELECT 1' >/dev/null 2>&1
}

mysql_healthy() {
  if [[ "$(mysql_mode)" == managed ]]; then
    mysql_login_ok
  else
    port_open "$MYSQL_PORT"
  fi
}

sql_str() { local s="${1//\\/\\\\}"; printf "'%s'" "${s//\'/\'\'}"; }
# shellcheck disable=SC2016  # literal backticks
sql_id() { printf '`%s`' "${1//\`/\`\`}"; }

# The MariaDB client honours MYSQL_HOST (and friends) from the environment even with --protocol=SOCKET, and
# the apps' configuration sets MYSQL_HOST=127.0.0.1: root over TCP is refused, so clear them for root's calls.
as_root_over_socket() { local prog="$1"; shift; env -u MYSQL_HOST -u MYSQL_TCP_PORT -u MYSQL_PWD -u MYSQL_UNIX_PORT "$prog" --protocol=SOCKET -S "$MYSQL_SOCK" -u root "$@"; }

mysql_provision() {
  local db test u p tu
  db="$(sql_id "$MYSQL_DATABASE")"; test="$(sql_id "${MYSQL_DATABASE}_test")"
  u="$(sql_str "$MYSQL_USER")"; p="$(sql_str "$MYSQL_PASSWORD")"; tu="$(sql_str "$MYSQL_TLS_USER")"
  as_root_over_socket mariadb <<EOF
CREATE DATABASE IF NOT EXISTS $db;
CREATE DATABASE IF NOT EXISTS $test;
CREATE USER IF NOT EXISTS $u@'localhost' IDENTIFIED BY $p;
CREATE USER IF NOT EXISTS $u@'127.0.0.1' IDENTIFIED BY $p;
ALTER USER $u@'localhost' IDENTIFIED BY $p;
ALTER USER $u@'127.0.0.1' IDENTIFIED BY $p;
GRANT ALL PRIVILEGES ON $db.* TO $u@'localhost';
GRANT ALL PRIVILEGES ON $db.* TO $u@'127.0.0.1';
GRANT ALL PRIVILEGES ON $test.* TO $u@'localhost';
GRANT ALL PRIVILEGES ON $test.* TO $u@'127.0.0.1';
CREATE USER IF NOT EXISTS $tu@'localhost' IDENTIFIED BY $p;
CREATE USER IF NOT EXISTS $tu@'127.0.0.1' IDENTIFIED BY $p;
ALTER USER $tu@'localhost' IDENTIFIED BY $p REQUIRE SSL;
ALTER USER $tu@'127.0.0.1' IDENTIFIED BY $p REQUIRE SSL;
GRANT ALL PRIVILEGES ON $db.* TO $tu@'localhost';
GRANT ALL PRIVILEGES ON $db.* TO $tu@'127.0.0.1';
FLUSH PRIVILEGES;
EOF
}

# Sets MYSQL_T0 when this stack starts MariaDB. Runs in the foreground (apt-get can take ~25 s) while the JVMs boot.
mysql_ensure() {
  if mysql_managed_running; then
    log "mysql: MariaDB started by this stack is running (pid $(live_pid "$MYSQL_PID" mariadbd)), reusing it"
    [[ "$(as_root_over_socket mariadb -N -e 'SELECT @@have_ssl' 2>/dev/null)" == YES ]] \
      || log "mysql: WARNING: it runs without TLS (started by an older stack.sh); 'stack.sh stop mysql && stack.sh up' restarts it with TLS"
    # an 'up' that stopped before the database and users were made (idempotent: made again)
    mysql_login_ok || MYSQL_PROVISION_PENDING=1
    return 0
  fi
  if port_open "$MYSQL_PORT"; then
    echo external >"$MYSQL_MODE_FILE"
    log "mysql: something already answers on 127.0.0.1:$MYSQL_PORT, using it as is (nothing installed or started)"
    if [[ -z "$(mysql_client)" ]]; then
      log "mysql: no mysql/mariadb client here to check the login of '$MYSQL_USER'"
    elif mysql_login_ok; then
      log "mysql: login as '$MYSQL_USER' to '$MYSQL_DATABASE' works"
    else
      log "mysql: WARNING: cannot log in as '$MYSQL_USER' to '$MYSQL_DATABASE' on that server; create them yourself"
    fi
    return 0
  fi
  MYSQL_T0="$(now_ms)"
  if [[ ! -x /usr/sbin/mariadbd ]]; then
    log "mysql: MariaDB not installed: apt-get update + install mariadb-server (log ${APT_LOG#"$ROOT"/}) ..."
    local t0; t0="$(now_ms)"
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server; } >"$APT_LOG" 2>&1 \
      || { tail_log "$APT_LOG"; die "mysql: installing mariadb-server failed"; }
    log "mysql: mariadb-server installed in $(secs_since "$t0")"
  fi
  if port_open "$MYSQL_PORT"; then   # the package's own service start normally is denied in containers
    echo external >"$MYSQL_MODE_FILE"
    log "mysql: the package started a server on $MYSQL_PORT itself; using it, 'down' will not stop it"
    return 0
  fi
  mkdir -p "$(dirname "$MYSQL_SOCK")" && chown mysql:mysql "$(dirname "$MYSQL_SOCK")"
  if [[ ! -d "$MYSQL_DATADIR/mysql" ]]; then
    log "mysql: initialising $MYSQL_DATADIR"
    mkdir -p "$MYSQL_DATADIR" && chown mysql:mysql "$MYSQL_DATADIR"
    mariadb-install-db --user=mysql --datadir="$MYSQL_DATADIR" >"$MYSQL_LOG" 2>&1 \
      || { tail_log "$MYSQL_LOG"; die "mysql: mariadb-install-db failed"; }
  fi
  touch "$MYSQL_LOG" && chown mysql:mysql "$MYSQL_LOG"
  # TLS with the stack's certificate (plain connections stay allowed); mariadbd runs as mysql: its own copies
  local tls="$SECURE_DIR/mariadb"
  mkdir -p "$tls" && cp "$SECURE_DIR/ca.pem" "$SECURE_DIR/server.pem" "$SECURE_DIR/server-key.pem" "$tls/" \
    && chown -R mysql:mysql "$tls" && chmod 700 "$tls"
  rm -f "$MYSQL_PID"
  echo managed >"$MYSQL_MODE_FILE"
  start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$MYSQL_PID" \
    --exec /usr/sbin/mariadbd -- --user=mysql --port="$MYSQL_PORT" --bind-address=127.0.0.1 \
    --datadir="$MYSQL_DATADIR" --socket="$MYSQL_SOCK" --pid-file="${MYSQL_SOCK%.sock}.pid" \
    --ssl-ca="$tls/ca.pem" --ssl-cert="$tls/server.pem" --ssl-key="$tls/server-key.pem" \
    --log-error="$MYSQL_LOG" 9>&-
  log "mysql: starting MariaDB on 127.0.0.1:$MYSQL_PORT with TLS (pid $(cat "$MYSQL_PID")), log ${MYSQL_LOG#"$ROOT"/}"
  MYSQL_PROVISION_PENDING=1
}

# ---------------------------------------------------------------- commands
cmd_up() {
  mkdir -p "$LIB_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR" "$STATE_DIR" "$CONF_DIR"
  local t_all k_t0="" o_t0="" s_t0="" k_new=0 o_new=0 s_new=0 secure=0
  t_all="$(now_ms)"
  MYSQL_T0=""; MYSQL_PROVISION_PENDING=0
  [[ "$STACK_SECURE_SEARCH" == 1 ]] && secure=1

  # jars (the Maven runs in parallel, each skipped when its cache is complete)
  local k_ok=0 o_ok=0 s_ok=0 kp op sp
  if ! kafka_running; then resolve_lib kafka "$HERE/kafka/pom.xml" "$KAFKA_LIB" & kp=$!; fi
  if ! os_running || { (( secure )) && ! oss_running; }; then
    resolve_lib opensearch "$HERE/opensearch/pom.xml" "$OS_LIB" & op=$!
  fi
  if (( secure )) && ! oss_running; then
    resolve_lib opensearch-security "$HERE/opensearch-security/pom.xml" "$OSS_LIB" & sp=$!
  fi
  if [[ -n "${kp:-}" ]]; then wait "$kp" || k_ok=1; fi
  if [[ -n "${op:-}" ]]; then wait "$op" || o_ok=1; fi
  if [[ -n "${sp:-}" ]]; then wait "$sp" || s_ok=1; fi
  (( k_ok == 0 )) || die "kafka: could not resolve jars"
  (( o_ok == 0 )) || die "opensearch: could not resolve jars"
  (( s_ok == 0 )) || die "opensearch-secure: could not resolve the security plugin"
  secure_material

  # check every port before starting anything, so a conflict leaves nothing half-started
  local busy=()
  if ! kafka_running; then
    port_open "$KAFKA_PORT" && busy+=("kafka port $KAFKA_PORT (KAFKA_PORT)")
    port_open "$KAFKA_CONTROLLER_PORT" && busy+=("kafka controller port $KAFKA_CONTROLLER_PORT (KAFKA_CONTROLLER_PORT)")
    port_open "$KAFKA_SASL_SSL_PORT" && busy+=("kafka SASL_SSL port $KAFKA_SASL_SSL_PORT (KAFKA_SASL_SSL_PORT)")
    port_open "$KAFKA_SSL_PORT" && busy+=("kafka SSL port $KAFKA_SSL_PORT (KAFKA_SSL_PORT)")
  fi
  if (( secure )) && ! oss_running; then oss_check_ports; fi
  if ! os_running; then
    (( OPENSEARCH_PORT >= 1025 && OPENSEARCH_PORT <= 9299 )) \
      || die "opensearch: OPENSEARCH_PORT must be within 1025..9299 (the runner refuses HTTP ports above 9299)"
    port_open "$OPENSEARCH_PORT" && busy+=("opensearch port $OPENSEARCH_PORT (OPENSEARCH_PORT)")
    port_open "$OPENSEARCH_TRANSPORT_PORT" && busy+=("opensearch transport port $OPENSEARCH_TRANSPORT_PORT (OPENSEARCH_TRANSPORT_PORT)")
  fi
  if (( ${#busy[@]} )); then
    for b in "${busy[@]}"; do log "port in use by a process this stack did not start: $b"; done
    die "free those ports or choose others through the env vars named"
  fi

  if kafka_running; then
    log "kafka: already running (pid $(live_pid "$KAFKA_PID" "$KAFKA_MAIN")), reusing it"
    port_open "$KAFKA_SASL_SSL_PORT" || log "kafka: WARNING: it has no SASL_SSL listener on $KAFKA_SASL_SSL_PORT (started by an" \
      "older stack.sh); 'stack.sh stop kafka && stack.sh up' restarts it with the secured listeners"
  else
    rm -f "$KAFKA_PID"
    k_t0="$(now_ms)"; k_new=1
    kafka_start
  fi
  if os_running; then
    log "opensearch: already running (pid $(live_pid "$OS_PID" "$OS_MAIN")), reusing it"
  else
    rm -f "$OS_PID"
    o_t0="$(now_ms)"; o_new=1
    os_start
  fi
  if (( secure )); then
    if oss_running; then
      log "opensearch-secure: already running (pid $(live_pid "$OSS_PID" "$OSS_BASE")), reusing it"
    else
      rm -f "$OSS_PID"
      s_t0="$(now_ms)"; s_new=1
      oss_start
    fi
  fi
  mysql_ensure

  # wait for all three (four)
  local deadline=$(( $(now_ms) + STACK_TIMEOUT_SECONDS * 1000 ))
  local k_done=0 o_done=0 m_done=0 s_done=$(( ! secure ))
  while :; do
    if (( ! k_done )); then
      if kafka_healthy; then
        k_done=1
        if (( k_new )); then log "kafka: ready in $(secs_since "$k_t0")"; else log "kafka: healthy"; fi
        if port_open "$KAFKA_SASL_SSL_PORT"; then kafka_scram_users; fi
      elif ! kafka_running; then
        log "kafka: process exited during start-up"; tail_log "$KAFKA_LOG"; die "kafka did not come up"
      fi
    fi
    if (( ! o_done )); then
      if os_healthy; then
        o_done=1
        if (( o_new )); then log "opensearch: ready ($(os_health_status)) in $(secs_since "$o_t0")"
        else log "opensearch: healthy ($(os_health_status))"; fi
      elif ! os_running; then
        log "opensearch: process exited during start-up (the runner hides the exception; see node logs)"
        tail_log "$OS_LOG"; tail_log "$OS_NODE_LOGS/$OPENSEARCH_CLUSTER_NAME.log"; die "opensearch did not come up"
      fi
    fi
    if (( ! s_done )); then
      if oss_healthy; then
        s_done=1
        if (( s_new )); then log "opensearch-secure: ready ($(oss_health_status)) in $(secs_since "$s_t0")"
        else log "opensearch-secure: healthy ($(oss_health_status))"; fi
      elif ! oss_running; then
        log "opensearch-secure: process exited during start-up (see the node logs)"
        tail_log "$OSS_LOG"; tail_log "$OSS_NODE_LOGS/$OSS_CLUSTER_NAME.log"; die "opensearch-secure did not come up"
      fi
    fi
    if (( ! m_done )); then
      if (( MYSQL_PROVISION_PENDING )) && [[ -S "$MYSQL_SOCK" ]] \
          && as_root_over_socket mariadb-admin ping >/dev/null 2>&1; then
        mysql_provision
        MYSQL_PROVISION_PENDING=0
        log "mysql: database '$MYSQL_DATABASE' (+ '${MYSQL_DATABASE}_test') and user '$MYSQL_USER' ready"
      fi
      if (( ! MYSQL_PROVISION_PENDING )) && mysql_healthy; then
        m_done=1
        if [[ -n "$MYSQL_T0" ]]; then log "mysql: ready in $(secs_since "$MYSQL_T0")"; else log "mysql: healthy"; fi
      elif [[ "$(mysql_mode)" == managed ]] && ! mysql_managed_running; then
        log "mysql: mariadbd exited during start-up"; tail_log "$MYSQL_LOG"; die "mysql did not come up"
      fi
    fi
    (( k_done && o_done && m_done && s_done )) && break
    if (( $(now_ms) > deadline )); then
      log "TIMEOUT after ${STACK_TIMEOUT_SECONDS}s (STACK_TIMEOUT_SECONDS)"
      (( k_done )) || { log "kafka did not come up (port $KAFKA_PORT), log: $KAFKA_LOG"; tail_log "$KAFKA_LOG"; }
      (( o_done )) || { log "opensearch did not come up (port $OPENSEARCH_PORT), log: $OS_LOG"; tail_log "$OS_LOG"; }
      (( m_done )) || { log "mysql did not come up (port $MYSQL_PORT), log: $MYSQL_LOG"; tail_log "$MYSQL_LOG"; }
      (( s_done )) || { log "opensearch-secure did not come up (port $OPENSEARCH_SECURE_PORT), log: $OSS_NODE_LOGS/$OSS_CLUSTER_NAME.log"
                        tail_log "$OSS_NODE_LOGS/$OSS_CLUSTER_NAME.log"; }
      exit 1
    fi
    sleep 0.5
  done
  log "up: all healthy in $(secs_since "$t_all") - kafka 127.0.0.1:$KAFKA_PORT, opensearch http://127.0.0.1:$OPENSEARCH_PORT, mysql 127.0.0.1:$MYSQL_PORT/$MYSQL_DATABASE ($(mysql_mode))"
  log "secured: kafka SASL_SSL 127.0.0.1:$KAFKA_SASL_SSL_PORT, SSL (client certificate) 127.0.0.1:$KAFKA_SSL_PORT, mysql TLS$( (( secure )) && printf ', opensearch https://127.0.0.1:%s' "$OPENSEARCH_SECURE_PORT"); CA and test credentials: ${SECURE_ENV#"$ROOT"/}"
}

# Only the secured OpenSearch node (the rest of the stack untouched): start it unless running, wait until healthy.
cmd_up_secure_search() {
  mkdir -p "$LIB_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR" "$STATE_DIR" "$CONF_DIR"
  local t0; t0="$(now_ms)"
  if oss_running; then
    log "opensearch-secure: already running (pid $(live_pid "$OSS_PID" "$OSS_BASE")), reusing it"
  else
    resolve_lib opensearch "$HERE/opensearch/pom.xml" "$OS_LIB" || die "opensearch: could not resolve jars"
    resolve_lib opensearch-security "$HERE/opensearch-security/pom.xml" "$OSS_LIB" \
      || die "opensearch-secure: could not resolve the security plugin"
    secure_material
    local busy=()
    oss_check_ports
    if (( ${#busy[@]} )); then
      for b in "${busy[@]}"; do log "port in use by a process this stack did not start: $b"; done
      die "free those ports or choose others through the env vars named"
    fi
    rm -f "$OSS_PID"
    oss_start
  fi
  local deadline=$(( $(now_ms) + STACK_TIMEOUT_SECONDS * 1000 ))
  until oss_healthy; do
    if ! oss_running; then
      log "opensearch-secure: process exited during start-up (see the node logs)"
      tail_log "$OSS_LOG"; tail_log "$OSS_NODE_LOGS/$OSS_CLUSTER_NAME.log"; die "opensearch-secure did not come up"
    fi
    if (( $(now_ms) > deadline )); then
      tail_log "$OSS_NODE_LOGS/$OSS_CLUSTER_NAME.log"; die "opensearch-secure: not healthy after ${STACK_TIMEOUT_SECONDS}s"
    fi
    sleep 0.5
  done
  log "opensearch-secure: healthy ($(oss_health_status)) on https://127.0.0.1:$OPENSEARCH_SECURE_PORT in $(secs_since "$t0"); credentials: ${SECURE_ENV#"$ROOT"/}"
}

cmd_down() {
  # Kafka and OpenSearch in parallel: each may take several seconds for a clean shutdown
  stop_pid kafka "$KAFKA_PID" "$KAFKA_MAIN" &
  local kp=$!
  stop_pid opensearch "$OS_PID" "$OS_MAIN" &
  local op=$!
  stop_pid opensearch-secure "$OSS_PID" "$OSS_BASE" &
  local sp=$!
  wait "$kp" || true; wait "$op" || true; wait "$sp" || true
  if [[ "$(mysql_mode)" == managed ]]; then
    stop_pid mysql "$MYSQL_PID" "mariadbd"
    rm -f "$MYSQL_MODE_FILE"
  else
    [[ "$(mysql_mode)" == external ]] && log "mysql: external server on $MYSQL_PORT, left running"
    [[ "$(mysql_mode)" == none ]] && log "mysql: not started by this stack"
    rm -f "$MYSQL_MODE_FILE"
  fi
}

# Stops one component (for fault-injection tests); `up` starts it again.
cmd_stop() {
  case "${1:-}" in
    kafka) stop_pid kafka "$KAFKA_PID" "$KAFKA_MAIN" ;;
    opensearch) stop_pid opensearch "$OS_PID" "$OS_MAIN" ;;
    opensearch-secure) stop_pid opensearch-secure "$OSS_PID" "$OSS_BASE" ;;
    mysql)
      if [[ "$(mysql_mode)" == managed ]]; then stop_pid mysql "$MYSQL_PID" "mariadbd"
      else die "mysql is not managed by this stack (mode: $(mysql_mode)); not stopping it"; fi ;;
    *) die "usage: stack.sh stop kafka|opensearch|opensearch-secure|mysql" ;;
  esac
}

# SIGKILLs one component (crash tests: nothing flushed or shut down cleanly); `up` starts it again.
cmd_kill() {
  local pid file needle
  case "${1:-}" in
    kafka) file="$KAFKA_PID"; needle="$KAFKA_MAIN" ;;
    *) die "usage: stack.sh kill kafka" ;;
  esac
  if ! pid="$(live_pid "$file" "$needle")"; then log "$1: not running"; return 0; fi
  kill -KILL "$pid" 2>/dev/null || true
  while [[ -e "/proc/$pid" && "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]]; do sleep 0.1; done
  rm -f "$file"
  log "$1: killed pid $pid (SIGKILL)"
}

oss_status() {
  local pid
  if pid="$(live_pid "$OSS_PID" "$OSS_BASE")"; then
    if oss_healthy; then log "opensearch-secure: running (pid $pid), healthy ($(oss_health_status)) on https://127.0.0.1:$OPENSEARCH_SECURE_PORT"
    else log "opensearch-secure: running (pid $pid), NOT healthy yet on https://127.0.0.1:$OPENSEARCH_SECURE_PORT"; return 1; fi
  else
    log "opensearch-secure: stopped"; return 1
  fi
}

cmd_status() {
  # exit 0 only when all three are up and healthy (scripts use this to know whether to stop the stack later); with
  # STACK_SECURE_SEARCH=1 the secured OpenSearch node too. `status opensearch-secure`: that node alone.
  local pid down=0
  if [[ "${1:-}" == opensearch-secure ]]; then oss_status; return; fi
  if pid="$(live_pid "$KAFKA_PID" "$KAFKA_MAIN")"; then
    if kafka_healthy; then log "kafka:      running (pid $pid), healthy on 127.0.0.1:$KAFKA_PORT"
    else log "kafka:      running (pid $pid), NOT healthy yet on 127.0.0.1:$KAFKA_PORT"; down=1; fi
  else
    log "kafka:      stopped"; down=1
  fi
  if pid="$(live_pid "$OS_PID" "$OS_MAIN")"; then
    if os_healthy; then log "opensearch: running (pid $pid), healthy ($(os_health_status)) on http://127.0.0.1:$OPENSEARCH_PORT"
    else log "opensearch: running (pid $pid), NOT healthy yet on http://127.0.0.1:$OPENSEARCH_PORT"; down=1; fi
  else
    log "opensearch: stopped"; down=1
  fi
  case "$(mysql_mode)" in
    managed)
      if pid="$(live_pid "$MYSQL_PID" mariadbd)"; then
        if mysql_healthy; then log "mysql:      running (MariaDB started by this stack, pid $pid), login as '$MYSQL_USER' OK on 127.0.0.1:$MYSQL_PORT"
        else log "mysql:      running (MariaDB started by this stack, pid $pid), login as '$MYSQL_USER' FAILS"; down=1; fi
      else
        log "mysql:      stopped (MariaDB started by this stack is gone)"; down=1
      fi ;;
    *)
      if port_open "$MYSQL_PORT"; then log "mysql:      external server answers on 127.0.0.1:$MYSQL_PORT (not managed by this stack)"
      else log "mysql:      stopped"; down=1; fi ;;
  esac
  if [[ "$STACK_SECURE_SEARCH" == 1 ]]; then oss_status || down=1
  elif oss_running; then oss_status || true; fi
  return "$down"
}

cmd_reset() {
  if [[ "$(mysql_mode)" == managed ]] && mysql_managed_running; then
    log "mysql: dropping databases '$MYSQL_DATABASE' and '${MYSQL_DATABASE}_test'"
    as_root_over_socket mariadb \
      -e "DROP DATABASE IF EXISTS $(sql_id "$MYSQL_DATABASE"); DROP DATABASE IF EXISTS $(sql_id "${MYSQL_DATABASE}_test");"
  fi
  cmd_down
  log "deleting ${DATA_DIR#"$ROOT"/}, ${LOG_DIR#"$ROOT"/}, ${CONF_DIR#"$ROOT"/}, ${SECURE_DIR#"$ROOT"/} and the Kafka cluster id (jar cache kept)"
  rm -rf "$DATA_DIR" "$LOG_DIR" "$CONF_DIR" "$SECURE_DIR" "$KAFKA_CLUSTER_ID_FILE" "$STATE_DIR/kafka-scram"
}

# one up/down/reset at a time (e.g. several npm scripts or test set-ups calling `up` together)
lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  if ! flock -n 9; then
    log "another stack.sh up/down/reset is running, waiting for it ..."
    flock -w "$((STACK_TIMEOUT_SECONDS + 120))" 9 || die "gave up waiting for the lock $STACK_DIR/.lock"
  fi
}

case "${1:-}" in
  up) lock; cmd_up ;;
  up-secure-search) lock; cmd_up_secure_search ;;
  down) lock; cmd_down ;;
  stop) lock; cmd_stop "${2:-}" ;;
  kill) lock; cmd_kill "${2:-}" ;;
  status) cmd_status "${2:-}" ;;
  reset) lock; cmd_reset ;;
  *) echo "[stack] usage: $0 up|up-secure-search|down|status [opensearch-secure]|reset|stop <kafka|opensearch|opensearch-secure|mysql>|kill kafka" >&2; exit 2 ;;
esac
