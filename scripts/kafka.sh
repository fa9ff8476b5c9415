#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft: combined broker + controller, no ZooKeeper) on 127.0.0.1 for
# development, tests and CI. Kafka comes from Maven Central only (scripts/kafka/pom.xml, cached in the work dir);
# nothing else is downloaded.
#
#   scripts/kafka.sh up       fetch (once), format storage (once), start, wait until it serves; no-op if running
#   scripts/kafka.sh down     stop cleanly (SIGTERM, then SIGKILL after a bound); keeps the data
#   scripts/kafka.sh status   exit 0 and print the address if running, exit 3 if not
#   scripts/kafka.sh reset    down, then delete the data (not the jars)
#   scripts/kafka.sh fetch    only resolve the jars (e.g. to warm a CI cache)
#
# Environment (all optional):
#   TICKFLOW_KAFKA_DIR              work dir (default <repo>/.tmp/kafka): lib/, data/, server.properties, log, pid
#   TICKFLOW_KAFKA_PORT             client port (default 19092)
#   TICKFLOW_KAFKA_CONTROLLER_PORT  KRaft controller port (default 19093)
#   TICKFLOW_KAFKA_HEAP             JVM heap flags (default "-Xms256m -Xmx512m")
#   TICKFLOW_KAFKA_JVM_OPTS         other JVM flags (default: C1 only and the serial GC, which start a test broker
#                                   ~30 % faster on a small machine than the server defaults)
#   TICKFLOW_KAFKA_START_TIMEOUT    seconds to wait for the broker to serve (default 90)
#   TICKFLOW_KAFKA_LOG_LEVEL        broker log level in server.log (default WARN)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/kafka/pom.xml"
DIR="${TICKFLOW_KAFKA_DIR:-$ROOT/.tmp/kafka}"
PORT="${TICKFLOW_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${TICKFLOW_KAFKA_CONTROLLER_PORT:-19093}"
HEAP="${TICKFLOW_KAFKA_HEAP:--Xms256m -Xmx512m}"
JVM_OPTS="${TICKFLOW_KAFKA_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
START_TIMEOUT="${TICKFLOW_KAFKA_START_TIMEOUT:-90}"
LOG_LEVEL="${TICKFLOW_KAFKA_LOG_LEVEL:-WARN}"
STOP_TIMEOUT=30
HOST=127.0.0.1

# setsid is Linux (util-linux); elsewhere the broker stays in the caller's process group.
DETACH=""
command -v setsid >/dev/null && DETACH=setsid

LIB="$DIR/lib"
DATA="$DIR/data"
PROPS="$DIR/server.properties"
LOG4J="$DIR/log4j.properties"
LOG="$DIR/server.log"
PIDFILE="$DIR/kafka.pid"
LOCK="$DIR/.lock"

say() { echo "kafka.sh: $*" >&2; }
die() { say "$*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

pid_alive() {
  local pid
  [[ -f "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  # A stale pid file must never make us signal an unrelated process that reused the pid.
  if [[ -r "/proc/$pid/cmdline" ]]; then tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "kafka.Kafka $PROPS"; fi
}

running() { pid_alive && port_open "$PORT"; }

hash_of() { if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }

# The jars are re-resolved only when the pom changes (its hash is stored next to them).
fetch() {
  local want have=""
  want="$(hash_of "$POM")"
  [[ -f "$LIB/.pom.sha256" ]] && have="$(cat "$LIB/.pom.sha256")"
  if [[ "$want" == "$have" ]] && compgen -G "$LIB/kafka_2.13-*.jar" >/dev/null; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found (Maven 3.8+ is needed to fetch Kafka from Maven Central)"
  command -v java >/dev/null || die "java not found (Java 17 is needed to run Kafka)"
  say "fetching Apache Kafka from Maven Central into $LIB (first run only)"
  rm -rf "$LIB.partial"
  mkdir -p "$LIB.partial"
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies "-Dkafka.lib=$LIB.partial" >"$DIR/mvn.log" 2>&1; then
    cat "$DIR/mvn.log" >&2
    die "mvn dependency:copy-dependencies failed (see above)"
  fi
  echo "$want" >"$LIB.partial/.pom.sha256"
  rm -rf "$LIB"
  mv "$LIB.partial" "$LIB"
}

write_config() {
  mkdir -p "$DATA"
  cat >"$PROPS" <<EOF
# Written by scripts/kafka.sh: a single combined broker + controller for tests. Not for production.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=true
# One node: internal topics cannot have more replicas than that; few partitions keep first use fast.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
# Tests create and join many short-lived groups: do not wait for more members.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
background.threads=2
log.retention.hours=24
EOF
  cat >"$LOG4J" <<EOF
log4j.rootLogger=$LOG_LEVEL, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
# The startup/shutdown milestones (e.g. "Kafka Server started") that up() waits for.
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
log4j.logger.kafka.server.ControllerServer=INFO
EOF
}

classpath() { echo "$LIB/*"; }

format_storage() {
  [[ -f "$DATA/meta.properties" ]] && return 0
  local id
  # shellcheck disable=SC2086
  id="$(java $JVM_OPTS -cp "$(classpath)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
  [[ -n "$id" ]] || die "could not generate a cluster id"
  say "formatting $DATA (cluster $id)"
  # shellcheck disable=SC2086
  java $JVM_OPTS -Dlog4j.configuration="file:$LOG4J" -cp "$(classpath)" kafka.tools.StorageTool format \
    -t "$id" -c "$PROPS" --ignore-formatted >&2 || die "storage format failed"
}

up() {
  mkdir -p "$DIR"
  if running; then
    say "already running (pid $(cat "$PIDFILE")) on $HOST:$PORT"
    echo "$HOST:$PORT"
    return 0
  fi
  pid_alive && die "pid $(cat "$PIDFILE") is alive but $HOST:$PORT does not answer; run '$0 down' first"
  port_open "$PORT" && die "$HOST:$PORT is taken by another process; set TICKFLOW_KAFKA_PORT"
  port_open "$CONTROLLER_PORT" && die "$HOST:$CONTROLLER_PORT is taken; set TICKFLOW_KAFKA_CONTROLLER_PORT"
  fetch
  write_config
  format_storage
  rm -f "$PIDFILE"
  # Keep the previous run's log for a post-mortem; "Kafka Server started" below must come from this run.
  [[ -f "$LOG" ]] && mv -f "$LOG" "$LOG.1"
  # setsid: the broker must outlive the shell (and test runner) that started it; `down` stops it by pid.
  # The inner shell writes its own pid and then becomes java, so the pid file names the JVM. 9>&-: the broker must
  # not inherit the lock.
  # shellcheck disable=SC2016,SC2086
  $DETACH bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PIDFILE" \
    java $HEAP $JVM_OPTS -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$LOG4J" -Dkafka.logs.dir="$DIR" \
    -cp "$(classpath)" kafka.Kafka "$PROPS" >>"$LOG" 2>&1 </dev/null 9>&- &
  local waited=0
  until [[ -s "$PIDFILE" ]] && port_open "$PORT" && grep -q "Kafka Server started" "$LOG"; do
    if (( waited >= START_TIMEOUT * 5 )); then
      say "broker did not start within ${START_TIMEOUT}s; last log lines:"
      tail -n 40 "$LOG" >&2 || true
      down || true
      exit 1
    fi
    if [[ -s "$PIDFILE" ]] && ! pid_alive; then
      say "broker exited during startup; last log lines:"
      tail -n 40 "$LOG" >&2 || true
      rm -f "$PIDFILE"
      exit 1
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  say "started (pid $(cat "$PIDFILE")) on $HOST:$PORT after $((waited / 5))s; log $LOG"
  echo "$HOST:$PORT"
}

down() {
  if ! pid_alive; then
    rm -f "$PIDFILE"
    say "not running"
    return 0
  fi
  local pid waited=0
  pid="$(cat "$PIDFILE")"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= STOP_TIMEOUT * 5 )); then
      say "pid $pid did not stop within ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  rm -f "$PIDFILE"
  say "stopped (pid $pid)"
}

status() {
  if running; then
    echo "running pid $(cat "$PIDFILE") on $HOST:$PORT"
    return 0
  fi
  echo "stopped"
  return 3
}

reset() {
  down
  rm -rf "$DATA"
  say "data deleted"
}

# Serialise concurrent calls (two test runs starting the broker at once) on one lock per work dir.
with_lock() {
  mkdir -p "$DIR"
  exec 9>"$LOCK"
  if command -v flock >/dev/null; then flock -w 300 9 || die "timed out waiting for $LOCK"; fi
  "$@"
}

case "${1:-}" in
  up) with_lock up ;;
  down) with_lock down ;;
  status) status ;;
  reset) with_lock reset ;;
  fetch) with_lock fetch ;;
  *) echo "usage: $0 up|down|status|reset|fetch" >&2; exit 2 ;;
esac
