#!/usr/bin/env bash
# benchmarks/run.sh: the whole benchmark suite in one run. Starts every server
# itself (sluice with durability full and normal, moto_server, nginx) on free
# loopback ports, measures them in interleaved rounds so that a noisy machine
# hurts all of them alike, stops them, and prints a markdown table (also
# written to benchmarks/results/<stamp>/results.md). See docs/BENCHMARKS.md.
#
# Nothing here asserts performance: the numbers are reported, never checked.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/benchmarks

RUNS=3                 # rounds per measurement; tables show medians
DURATION=5             # seconds per wrk run
CONNECTIONS="1 16 64"  # SendMessage concurrency levels
BATCH_CONNECTIONS=64
CONSUMERS=16
CONSUME_MESSAGES=50000 # pre-filled per consume round (sluice); moto gets MOTO_MESSAGES
MOTO_MESSAGES=300
MILLION=1000000
LATENCY_ITERATIONS=1000
FSYNCS=500
STARTUP_RUNS=5
NGINX_WORKERS=1
SECTIONS="startup fsync send batch consume million webhook sink s3 query fifo"
WEBHOOK_CONNECTIONS=64
SINK_PUTS=2000          # 1 KiB objects per sink round (1 MiB rounds put SINK_PUTS/20)
SINK_CONCURRENCY=16
S3_CONNECTIONS=16
FIFO_MESSAGES=50000
FIFO_GROUPS=100
QUERY_CONNECTIONS=64  # fsync runs inside send when both are chosen
SLUICE=${SLUICE_BIN:-$ROOT/build/sluice}
TOOLS_BUILD=$ROOT/build-bench
KEEP_WORK=0

usage() {
  cat <<EOF
usage: benchmarks/run.sh [options]
  --runs N              rounds per measurement, medians reported (default $RUNS, minimum 3 recommended)
  --duration S          seconds per wrk run (default $DURATION)
  --connections "A B"   SendMessage concurrency levels (default "$CONNECTIONS")
  --consume-messages N  messages pre-filled per receive+delete round (default $CONSUME_MESSAGES)
  --million N           depth of the big queue (default $MILLION)
  --fsyncs N            fsyncs per disk sample and mode (default $FSYNCS)
  --only "LIST"         sections to run, from: $SECTIONS
  --sluice PATH         the sluice binary (default build/sluice, or \$SLUICE_BIN)
  --tools-build DIR     build dir for the load generator and probes (default build-bench)
  --nginx-workers N     nginx worker processes (default $NGINX_WORKERS)
  --keep-work           keep the scratch directory (data dirs, logs)
Default settings take about 7 minutes (6.5-8.5 measured on a shared 2-core VM).
EOF
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --consume-messages) CONSUME_MESSAGES=$2; shift 2 ;;
    --million) MILLION=$2; shift 2 ;;
    --fsyncs) FSYNCS=$2; shift 2 ;;
    --only) SECTIONS=$2; shift 2 ;;
    --sluice) SLUICE=$2; shift 2 ;;
    --tools-build) TOOLS_BUILD=$2; shift 2 ;;
    --nginx-workers) NGINX_WORKERS=$2; shift 2 ;;
    --keep-work) KEEP_WORK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { echo "run.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || die "nginx not found (apt-get install nginx-light)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# Resolve moto_server past pyenv's shim so that startup time and RSS are moto's own.
MOTO=$( (pyenv which moto_server 2>/dev/null) || command -v moto_server || true)
[[ -n $MOTO ]] || die "moto_server not found"

log "building the load generator and probes in $TOOLS_BUILD"
mkdir -p "$TOOLS_BUILD"
BUILD_LOG=$TOOLS_BUILD/benchmark-tools.log
cmake -S "$ROOT" -B "$TOOLS_BUILD" -DCMAKE_BUILD_TYPE=Release >"$BUILD_LOG" 2>&1 ||
  die "cmake configure failed; see $BUILD_LOG"
cmake --build "$TOOLS_BUILD" -j2 --target sluice_loadgen sluice_startup_probe sluice_fsync_loop sluice_sink_bench \
  >>"$BUILD_LOG" 2>&1 ||
  die "building the benchmark tools failed; see $BUILD_LOG"
LOADGEN=$TOOLS_BUILD/sluice_loadgen
PROBE=$TOOLS_BUILD/sluice_startup_probe
FSYNC_LOOP=$TOOLS_BUILD/sluice_fsync_loop
SINK_BENCH=$TOOLS_BUILD/sluice_sink_bench

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$BENCH/results/$STAMP
WORK=$OUT/work   # on the repository's filesystem, so fsync means what it means for a real data dir
mkdir -p "$WORK"
RAW=$OUT/raw.tsv
: >"$RAW"

# ---------------------------------------------------------------- servers
declare -A PORT PID URL_OF
STARTED_PIDS=()

# Only servers still running are listed: a PID is dropped as soon as it has
# been reaped, so cleanup never signals a number the kernel may have reused.
cleanup() {
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $KEEP_WORK == 0 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http PORT PATH SECONDS [PID]: until a GET answers 200; gives up early if PID exits.
wait_http() {
  local deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$2" 2>/dev/null) == 200 ]] && return 0
    if [[ -n ${4:-} ]] && ! kill -0 "$4" 2>/dev/null; then return 1; fi
    sleep 0.05
  done
  return 1
}

# start NAME PATH-TO-POLL COMMAND...: runs COMMAND ({port} substituted) in the background.
start() {
  local name=$1 path=$2; shift 2
  local port; port=$(free_port)
  local args=() a
  for a in "$@"; do args+=("${a//\{port\}/$port}"); done
  "${args[@]}" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  STARTED_PIDS+=("$pid")
  if ! wait_http "$port" "$path" 30 "$pid"; then
    log "$name did not answer 200 on $path (log: $WORK/$name.log): its rows will read 'pending'"
    reap "$pid"
    return 1
  fi
  PORT[$name]=$port
  PID[$name]=$pid
  URL_OF[$name]=http://127.0.0.1:$port/
  log "$name up on 127.0.0.1:$port (pid $pid)"
}

# reap PID: stops one server this script started and forgets its PID.
reap() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=() p
  for p in "${STARTED_PIDS[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
  STARTED_PIDS=("${kept[@]}")
}

stop() {
  local name=$1 pid=${PID[$1]:-}
  [[ -n $pid ]] || return 0
  reap "$pid"
  unset "PID[$name]" "PORT[$name]"
}

up() { [[ -n ${PORT[$1]:-} ]]; }

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo -1; }

start_nginx() {
  local prefix=$WORK/nginx port
  mkdir -p "$prefix"
  port=$(free_port)
  sed -e "s|@PORT@|$port|g" -e "s|@PREFIX@|$prefix|g" -e "s|@WORKERS@|$NGINX_WORKERS|g" \
    "$BENCH/nginx.conf" >"$prefix/nginx.conf"
  "$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" >"$WORK/nginx.log" 2>&1 &
  local pid=$!
  STARTED_PIDS+=("$pid")
  wait_http "$port" / 10 "$pid" || die "nginx did not start (log: $WORK/nginx.log)"
  PORT[nginx]=$port PID[nginx]=$pid URL_OF[nginx]=http://127.0.0.1:$port/
  log "nginx up on 127.0.0.1:$port (pid $pid, $NGINX_WORKERS worker(s))"
}

start_sluice() {  # NAME DURABILITY [CONFIG-JSON]
  local name=$1 durability=$2 extra=${3:-} dir=$WORK/$1-data
  mkdir -p "$dir"
  local config=()
  if [[ -n $extra ]]; then
    echo "$extra" >"$WORK/$name.json"
    config=(--config "$WORK/$name.json")
  elif [[ $durability != full ]]; then  # full is the default: no config file at all
    echo "{\"durability\":\"$durability\"}" >"$WORK/$name.json"
    config=(--config "$WORK/$name.json")
  fi
  [[ -x $SLUICE ]] || { log "$SLUICE not built: sluice rows will read 'pending'"; return 1; }
  start "$name" /health "$SLUICE" serve --listen '127.0.0.1:{port}' --data-dir "$dir" "${config[@]}"
}

start_moto() { start moto / "$MOTO" -H 127.0.0.1 -p '{port}'; }

# sqs NAME ACTION JSON: one AWS JSON 1.0 call; prints the body, fails unless 200.
sqs() {
  curl -sf -X POST "http://127.0.0.1:${PORT[$1]}/" \
    -H 'Content-Type: application/x-amz-json-1.0' -H "X-Amz-Target: AmazonSQS.$2" \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00' \
    -d "$3"
}

# create_queue NAME QUEUE: prints the QueueUrl the server returned.
create_queue() {
  local body
  body=$(sqs "$1" CreateQueue "{\"QueueName\":\"$2\"}") || { log "CreateQueue $2 on $1 failed"; return 1; }
  sed -n 's/.*"QueueUrl" *: *"\([^"]*\)".*/\1/p' <<<"$body"
}

delete_queue() { sqs "$1" DeleteQueue "{\"QueueUrl\":\"$2\"}" >/dev/null 2>&1 || true; }

# record SECTION TARGET PARAM RUN RESULT-LINE
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5#RESULT }" >>"$RAW"; }

# run_wrk SECTION TARGET PARAM RUN SCRIPT CONNECTIONS QUEUE_URL
run_wrk() {
  local section=$1 target=$2 param=$3 run=$4 script=$5 connections=$6 queue_url=$7
  local threads=$((connections < 2 ? connections : 2)) output result
  output=$(wrk -t"$threads" -c"$connections" -d"${DURATION}s" --timeout 10s --latency \
    -s "$BENCH/wrk/$script" "${URL_OF[$target]}" -- "$queue_url" 2>&1) || true
  result=$(grep '^RESULT ' <<<"$output" || echo "RESULT failed=1")
  record "$section" "$target" "$param" "$run" "$result"
  grep '^FIRST_ERROR ' <<<"$output" | sed "s/^/[$section $target $param] /" >&2 || true
  log "$section $target $param run $run: $(grep -o 'ok_rps=[0-9.]*' <<<"$result" || echo failed)" \
      "$(grep -o 'p99_ms=[0-9.]*' <<<"$result" || true)"
}

# loadgen SECTION TARGET PARAM RUN MODE QUEUE_URL ARGS...
loadgen() {
  local section=$1 target=$2 param=$3 run=$4 mode=$5 queue_url=$6; shift 6
  local result
  result=$("$LOADGEN" --endpoint "127.0.0.1:${PORT[$target]}" --queue-url "$queue_url" "$mode" "$@" \
    2>>"$WORK/loadgen.log" | grep '^RESULT ') || true
  [[ -n $result ]] || result="RESULT failed=1"
  record "$section" "$target" "$param" "$run" "$result"
  log "$section $target $param run $run: $result"
}

SQS_TARGETS=()
add_sqs_target() { if up "$1"; then SQS_TARGETS+=("$1"); fi; }

# ---------------------------------------------------------------- machine
{
  echo "stamp=$STAMP"
  echo "nproc=$(nproc)"
  echo "cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "kernel=$(uname -r)"
  echo "memory_mb=$(awk '/^MemTotal:/ {print int($2/1024)}' /proc/meminfo)"
  dev=$(findmnt -no SOURCE -T "$WORK" 2>/dev/null || echo '?')
  echo "disk=$dev ($(findmnt -no FSTYPE -T "$WORK" 2>/dev/null || echo '?'))"
  echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "wrk=$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  echo "nginx=$("$NGINX" -v 2>&1 | sed 's|.*nginx/||')"
  echo "moto=$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo '?')"
  head_ref=$(sed -n 's/^ref: //p' "$ROOT/.git/HEAD" 2>/dev/null || true)
  commit=$( { [[ -n $head_ref ]] && cat "$ROOT/.git/$head_ref" 2>/dev/null; } || cat "$ROOT/.git/HEAD" 2>/dev/null || echo '?')
  echo "commit=${commit:0:12}"
  echo "runs=$RUNS"
  echo "duration=$DURATION"
  echo "nginx_workers=$NGINX_WORKERS"
  echo "consumers=$CONSUMERS"
  echo "batch_connections=$BATCH_CONNECTIONS"
  echo "million=$MILLION"
  echo "webhook_connections=$WEBHOOK_CONNECTIONS"
  echo "sink_puts=$SINK_PUTS"
  echo "sink_concurrency=$SINK_CONCURRENCY"
  echo "s3_connections=$S3_CONNECTIONS"
  echo "query_connections=$QUERY_CONNECTIONS"
  echo "fifo_messages=$FIFO_MESSAGES"
  echo "fifo_groups=$FIFO_GROUPS"
  echo "sections=$SECTIONS"
} >"$OUT/meta.env"

has() { [[ " $SECTIONS " == *" $1 "* ]]; }
SLUICE_OK=0
[[ -x $SLUICE ]] && SLUICE_OK=1

# ---------------------------------------------------------------- 4, 5: startup and idle RSS
if has startup; then
  log "startup: time to first 200, $STARTUP_RUNS runs each"
  if ((SLUICE_OK)); then
    r=$("$PROBE" --runs "$STARTUP_RUNS" --path /health -- "$SLUICE" serve --listen '127.0.0.1:{port}' \
      --data-dir '{dir}' 2>>"$WORK/probe.log" | grep '^RESULT ') || r="RESULT failed=1"
    record startup sluice - 1 "$r"; log "startup sluice: $r"
  fi
  r=$("$PROBE" --runs "$STARTUP_RUNS" --path / -- "$MOTO" -H 127.0.0.1 -p '{port}' \
    2>>"$WORK/probe.log" | grep '^RESULT ') || r="RESULT failed=1"
  record startup moto - 1 "$r"; log "startup moto: $r"
fi

# ---------------------------------------------------------------- 7: the disk's fsync rate
# This VM's fsync latency swings tenfold with other tenants' I/O, so the disk
# is sampled right before every durable SendMessage run rather than once.
fsync_sample() {  # ROUND PARAM
  local mode r
  for mode in append overwrite; do
    r=$("$FSYNC_LOOP" "$WORK" "$FSYNCS" "$mode" | grep '^RESULT ') || r="RESULT failed=1"
    record fsync "disk-$mode" "$2" "$1" "$r"
    log "fsync $mode before $2, round $1: $(grep -o 'fsyncs_per_s=[0-9.]*' <<<"$r" || echo failed)"
  done
}
if has fsync && ! has send; then
  for run in $(seq "$RUNS"); do fsync_sample "$run" -; done
fi

# ---------------------------------------------------------------- 1, 2, 3: throughput
if has send || has batch || has consume; then
  start_nginx
  if ((SLUICE_OK)); then
    start_sluice sluice-full full || true
    start_sluice sluice-normal normal || true
  fi
  start_moto || die "moto_server did not start"
  add_sqs_target sluice-full; add_sqs_target sluice-normal; add_sqs_target moto

  if has send; then
    # Warm-up, not recorded: first-request imports (moto), page cache, JIT-free but fair.
    for t in nginx "${SQS_TARGETS[@]}"; do
      q=$(if [[ $t == nginx ]]; then echo "${URL_OF[nginx]}000000000000/bench"; else create_queue "$t" warmup; fi)
      wrk -t1 -c4 -d1s -s "$BENCH/wrk/send_message.lua" "${URL_OF[$t]}" -- "$q" >/dev/null 2>&1 || true
      [[ $t == nginx ]] || delete_queue "$t" "$q"
    done
    for run in $(seq "$RUNS"); do
      for c in $CONNECTIONS; do
        for t in nginx "${SQS_TARGETS[@]}"; do
          if [[ $t == nginx ]]; then
            run_wrk send nginx "$c" "$run" send_message.lua "$c" "${URL_OF[nginx]}000000000000/bench"
            continue
          fi
          # A fresh queue per run: moto's SendMessage slows as its queue grows.
          q=$(create_queue "$t" "send-$run-$c") || continue
          if [[ $t == sluice-full ]] && has fsync; then fsync_sample "$run" "$c"; fi
          run_wrk send "$t" "$c" "$run" send_message.lua "$c" "$q"
          delete_queue "$t" "$q"
        done
      done
    done
  fi

  if has batch; then
    for run in $(seq "$RUNS"); do
      for t in "${SQS_TARGETS[@]}"; do
        q=$(create_queue "$t" "batch-$run") || continue
        run_wrk batch "$t" "$BATCH_CONNECTIONS" "$run" send_message_batch.lua "$BATCH_CONNECTIONS" "$q"
        delete_queue "$t" "$q"
      done
    done
  fi

  if has consume; then
    for run in $(seq "$RUNS"); do
      for t in "${SQS_TARGETS[@]}"; do
        n=$CONSUME_MESSAGES; [[ $t == moto ]] && n=$MOTO_MESSAGES
        q=$(create_queue "$t" "consume-$run") || continue
        loadgen fill "$t" "$n" "$run" fill "$q" --messages "$n" --connections "$BATCH_CONNECTIONS"
        loadgen consume "$t" "$CONSUMERS" "$run" consume "$q" --messages "$n" \
          --connections "$CONSUMERS" --max-seconds $((DURATION * 3))
        delete_queue "$t" "$q"
      done
    done
  fi
  stop sluice-full; stop sluice-normal; stop moto; stop nginx
fi

# ---------------------------------------------------------------- 8: the webhook path
# validate + dedup + route + durable commit, against nginx's static 200 and
# against plain SendMessage on the same server, interleaved round by round.
if has webhook && ((SLUICE_OK)); then
  start_nginx
  dir=$WORK/sluice-webhook-data; mkdir -p "$dir"
  # The default route throttles at 1000 requests/s: lifted here, since the
  # benchmark measures the path, not the throttle.
  python3 - "$ROOT/config/default.json" >"$WORK/sluice-webhook.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
routes = config["routes"]
for route in routes:
    route.pop("throttle", None)
print(json.dumps({"routes": routes, "workers": []}))
PY
  if start sluice-webhook /health "$SLUICE" serve --listen '127.0.0.1:{port}' --data-dir "$dir" \
      --config "$WORK/sluice-webhook.json"; then
    wrk -t1 -c4 -d1s -s "$BENCH/wrk/webhook.lua" "${URL_OF[sluice-webhook]}" >/dev/null 2>&1 || true
    for run in $(seq "$RUNS"); do
      run_wrk webhook nginx "$WEBHOOK_CONNECTIONS" "$run" webhook.lua "$WEBHOOK_CONNECTIONS" -
      run_wrk webhook sluice-webhook "$WEBHOOK_CONNECTIONS" "$run" webhook.lua "$WEBHOOK_CONNECTIONS" -
      q=$(create_queue sluice-webhook "send-$run") && {
        run_wrk webhook-send sluice-webhook "$WEBHOOK_CONNECTIONS" "$run" send_message.lua \
          "$WEBHOOK_CONNECTIONS" "$q"
        delete_queue sluice-webhook "$q"
      }
    done
    stop sluice-webhook
  fi
  stop nginx
fi

# ---------------------------------------------------------------- 9: the sink
# Sealed, durable puts (encrypt, temp file, fsync, rename, directory fsync,
# metadata commit) against the disk's ceiling: the same plaintext written as
# plain files with fsync, from as many threads, in the same round.
if has sink; then
  for run in $(seq "$RUNS"); do
    for size in 1024 1048576; do
      n=$SINK_PUTS; ((size > 1024)) && n=$((SINK_PUTS / 20))
      for mode in plain sink; do
        r=$("$SINK_BENCH" --dir "$WORK/sink-$run-$size-$mode" --mode "$mode" --objects "$n" --bytes "$size" \
          --concurrency "$SINK_CONCURRENCY" 2>>"$WORK/sink-bench.log" | grep '^RESULT ') || r="RESULT failed=1"
        rm -rf "$WORK/sink-$run-$size-$mode"
        record sink "$mode" "$size" "$run" "$r"
        log "sink $mode $size run $run: $r"
      done
    done
  done
fi

# ---------------------------------------------------------------- 10: S3 over the sink
# PutObject/GetObject of 4 KiB objects (objects/s, wrk at S3_CONNECTIONS)
# against moto_server's S3 and the plain-file ceilings (write+fsync from as
# many threads: sluice_sink_bench plain; reads: nginx serving the same file
# from disk); 64 MiB objects (MB/s, one curl at a time) against dd with
# fsync and nginx. Peak RSS of sluice across the 64 MiB rounds is recorded.
s3_put_files() {  # TARGET COUNT BYTES: puts get-0.. through curl
  local i
  head -c "$3" /dev/urandom >"$WORK/s3-object-$3"
  for ((i = 0; i < $2; i++)); do
    curl -sf -X PUT --data-binary "@$WORK/s3-object-$3" -H 'Content-Type: application/octet-stream' -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
      -H "$S3_AUTH" "http://127.0.0.1:${PORT[$1]}/bench/get-$i" >/dev/null || return 1
  done
}
S3_AUTH='Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00'
s3_bucket() { curl -sf -X PUT -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -H "$S3_AUTH" "http://127.0.0.1:${PORT[$1]}/bench" >/dev/null; }
# s3_big TARGET RUN: PUT then GET of the 64 MiB file with curl; records MB/s.
s3_big() {
  local target=$1 run=$2 up down
  up=$(curl -sf -X PUT -T "$WORK/s3-big" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -H "$S3_AUTH" \
    -H 'Expect:' -o /dev/null -w '%{time_total}' "http://127.0.0.1:${PORT[$target]}/bench/big") || up=0
  down=$(curl -sf -H "$S3_AUTH" -o /dev/null -w '%{time_total}' "http://127.0.0.1:${PORT[$target]}/bench/big") || down=0
  record s3-big-put "$target" 64MiB "$run" "RESULT mb_per_s=$(awk -v t="$up" 'BEGIN {print (t > 0 ? 64 / t : 0)}')"
  record s3-big-get "$target" 64MiB "$run" "RESULT mb_per_s=$(awk -v t="$down" 'BEGIN {print (t > 0 ? 64 / t : 0)}')"
  log "s3 64 MiB $target run $run: put ${up}s get ${down}s"
}
if has s3; then
  start_nginx
  mkdir -p "$WORK/nginx/files"
  head -c 4096 /dev/urandom >"$WORK/nginx/files/get-4k"
  head -c $((64 * 1024 * 1024)) /dev/urandom >"$WORK/s3-big"
  cp "$WORK/s3-big" "$WORK/nginx/files/big"
  S3_TARGETS=()
  if ((SLUICE_OK)) && start_sluice sluice-s3 full && s3_bucket sluice-s3 && s3_put_files sluice-s3 100 4096; then
    S3_TARGETS+=(sluice-s3)
  fi
  if start_moto && s3_bucket moto && s3_put_files moto 100 4096; then S3_TARGETS+=(moto); fi
  for run in $(seq "$RUNS"); do
    for target in "${S3_TARGETS[@]}"; do
      out=$(wrk -t2 -c"$S3_CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$BENCH/wrk/s3_object.lua" \
        "${URL_OF[$target]}" -- put bench 4096 2>&1 | grep '^RESULT ' || echo "RESULT failed=1")
      record s3-put "$target" 4KiB "$run" "$out"; log "s3 put 4KiB $target run $run: $out"
      out=$(wrk -t2 -c"$S3_CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$BENCH/wrk/s3_object.lua" \
        "${URL_OF[$target]}" -- get bench 4096 100 2>&1 | grep '^RESULT ' || echo "RESULT failed=1")
      record s3-get "$target" 4KiB "$run" "$out"; log "s3 get 4KiB $target run $run: $out"
    done
    r=$("$SINK_BENCH" --dir "$WORK/s3-plain-$run" --mode plain --objects "$SINK_PUTS" --bytes 4096 \
      --concurrency "$S3_CONNECTIONS" 2>>"$WORK/sink-bench.log" | grep '^RESULT ') || r="RESULT failed=1"
    rm -rf "$WORK/s3-plain-$run"
    record s3-put plain-files 4KiB "$run" "$r"; log "s3 put 4KiB plain files run $run: $r"
    out=$(wrk -t2 -c"$S3_CONNECTIONS" -d"${DURATION}s" --latency "${URL_OF[nginx]}files/get-4k" 2>&1 |
      awk '/^Requests\/sec/ {print "RESULT ok_rps=" $2}')
    record s3-get nginx-files 4KiB "$run" "${out:-RESULT failed=1}"; log "s3 get 4KiB nginx files run $run: $out"
    for target in "${S3_TARGETS[@]}"; do s3_big "$target" "$run"; done
    t=$( { /usr/bin/time -f '%e' dd if="$WORK/s3-big" of="$WORK/s3-big-copy" bs=1M conv=fsync status=none; } 2>&1)
    rm -f "$WORK/s3-big-copy"
    record s3-big-put plain-files 64MiB "$run" "RESULT mb_per_s=$(awk -v t="$t" 'BEGIN {print (t > 0 ? 64 / t : 0)}')"
    down=$(curl -sf -o /dev/null -w '%{time_total}' "${URL_OF[nginx]}files/big") || down=0
    record s3-big-get nginx-files 64MiB "$run" "RESULT mb_per_s=$(awk -v t="$down" 'BEGIN {print (t > 0 ? 64 / t : 0)}')"
  done
  if up sluice-s3; then
    record s3-rss sluice-s3 peak 1 "RESULT peak_rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/${PID[sluice-s3]}/status")"
    stop sluice-s3
  fi
  stop moto
  stop nginx
fi

# ---------------------------------------------------------------- 11: SQS Query protocol vs JSON
# The same SendMessage through both codecs on one server, same connections.
if has query; then
  if ((SLUICE_OK)) && start_sluice sluice-query full; then
    q=$(create_queue sluice-query query) && {
      for run in $(seq "$RUNS"); do
        run_wrk query-json sluice-query "$QUERY_CONNECTIONS" "$run" send_message.lua "$QUERY_CONNECTIONS" "$q"
        run_wrk query-xml sluice-query "$QUERY_CONNECTIONS" "$run" send_message_query.lua "$QUERY_CONNECTIONS" "$q"
      done
    }
    stop sluice-query
  fi
fi

# ---------------------------------------------------------------- 12: FIFO queues
# Producers send to FIFO_GROUPS message groups while consumers receive and
# delete; msgs_per_s counts messages sent and deleted (in order per group:
# the load generator checks sequence numbers and reports violations).
# sluice-fifo runs with SQS's FIFO throughput quotas off (what the engine
# can do); sluice-fifo-quota keeps AWS's default of 300 calls per second
# per action (a batch of 10 counts once: at most 3,000 messages/s), with
# refused calls counted as `throttled` and made again.
create_fifo_queue() {
  local body
  body=$(sqs "$1" CreateQueue "{\"QueueName\":\"$2.fifo\",\"Attributes\":{\"FifoQueue\":\"true\"}}") || {
    log "CreateQueue $2.fifo on $1 failed"; return 1; }
  sed -n 's/.*"QueueUrl" *: *"\([^"]*\)".*/\1/p' <<<"$body"
}
if has fifo; then
  for target in sluice-fifo sluice-fifo-quota; do
    quotas='{"sqs":{"fifo_throughput":{"enforce":false}}}'
    [[ $target == sluice-fifo-quota ]] && quotas=''
    if ((SLUICE_OK)) && start_sluice "$target" full "$quotas"; then
      for run in $(seq "$RUNS"); do
        q=$(create_fifo_queue "$target" "fifo-$run") && {
          loadgen fifo "$target" "$FIFO_GROUPS" "$run" fifo "$q" --messages "$FIFO_MESSAGES" --groups "$FIFO_GROUPS" \
            --producers 8 --consumers 16
          delete_queue "$target" "$q"
        }
      done
      stop "$target"
    fi
  done
  if start_moto; then
    q=$(create_fifo_queue moto fifo) && loadgen fifo moto "$FIFO_GROUPS" 1 fifo "$q" --messages "$MOTO_MESSAGES" \
      --groups "$FIFO_GROUPS" --producers 8 --consumers 16
    stop moto
  fi
fi

# ---------------------------------------------------------------- 6: a queue of a million
if has million; then
  if ((SLUICE_OK)) && start_sluice sluice-million full; then
    small=$(create_queue sluice-million small) && big=$(create_queue sluice-million million) && {
      loadgen million-fill sluice-million 10 1 fill "$small" --messages 10 --connections 1
      record million-rss sluice-million 0 1 "RESULT rss_kb=$(rss_kb "${PID[sluice-million]}")"
      loadgen million-fill sluice-million "$MILLION" 1 fill "$big" --messages "$MILLION" --connections 64
      record million-rss sluice-million "$MILLION" 1 \
        "RESULT rss_kb=$(rss_kb "${PID[sluice-million]}") disk_kb=$(du -sk "$WORK/sluice-million-data" | cut -f1)"
      # The two queues take turns request by request (q0 = 10 messages, q1 = the big one).
      for run in $(seq "$RUNS"); do
        loadgen million sluice-million pair "$run" latency "$small" --compare-queue-url "$big" \
          --iterations "$LATENCY_ITERATIONS"
      done
      record million-rss sluice-million "$MILLION-after" 1 "RESULT rss_kb=$(rss_kb "${PID[sluice-million]}")"
    }
    stop sluice-million
  fi
  # moto: the 10-message queue only; at moto's fill rate a million would take hours.
  if start_moto; then
    small=$(create_queue moto small) && {
      loadgen million-fill moto 10 1 fill "$small" --messages 10 --connections 1
      loadgen million moto pair 1 latency "$small" --iterations 200 --warmup 10
    }
    stop moto
  fi
fi

echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/meta.env"
python3 "$BENCH/report.py" "$OUT" | tee "$OUT/results.md"
cp "$OUT/results.md" "$BENCH/results/latest.md"
log "results: $OUT/results.md (raw: $RAW)"
