#!/usr/bin/env bash
# Benchmark for issue 6 (pod lifecycle): `liftoff list --all` with 1 000 pods in mixed states
# (goal < 100 ms), `liftoff gc` of 100 exited pods (goal < 1 s), and `liftoff stop` of a detached pod
# whose app exits on SIGTERM (goal: returns within 50 ms of the app's exit; the figure is the whole
# `stop` command, signal to return, so it bounds that delay from above). Root only. Prints medians.
#   LIFTOFF=path/to/liftoff RUNS=10 bash tests/bench/lifecycle.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-10}
export DEBIAN_FRONTEND=noninteractive
command -v hyperfine >/dev/null || { apt-get update -qq; apt-get install -y -qq hyperfine >/dev/null; }
if [ -z "${LIFTOFF:-}" ]; then cargo build --release -q; LIFTOFF=$PWD/target/release/liftoff; fi
W=$(mktemp -d /tmp/liftoff-bench-life.XXXXXX)
L="$LIFTOFF --dir $W/store --keys $W/keys --vendor-keys $W/vendor"
cleanup() {
  for id in $($L list --format json 2>/dev/null | python3 -c 'import json,sys; [print(p["id"]) for p in json.load(sys.stdin) if p["state"]=="running"]' 2>/dev/null); do
    $L stop --force "$id" >/dev/null 2>&1 || true
  done
  $L gc --grace-period 0s --expire-prepared 0s >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT

mkdir -p "$W/rootfs/bin"
cp /bin/busybox "$W/rootfs/bin/"; ln -s busybox "$W/rootfs/bin/true"; ln -s busybox "$W/rootfs/bin/sh"; ln -s busybox "$W/rootfs/bin/sleep"
$L image import "$W/rootfs" bench.example/box:1 >/dev/null 2>&1
$L key gen --out "$W/k" >/dev/null 2>&1
$L image sign bench.example/box:1 --key "$W/k.key" >/dev/null
$L trust add --yes --prefix bench.example "$W/k.pub" >/dev/null
IMG=bench.example/box:1

median() { python3 -c 'import sys,statistics; v=[float(x) for x in sys.stdin.read().split()]; print("%.2f" % statistics.median(v))'; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)).$((t % 1000)); }

# 1000 pods: 500 marked exited-garbage, 350 exited, 130 prepared, 20 running.
echo "creating 1000 pods in mixed states ..." >&2
for i in $(seq 1 500); do $L run $IMG -- /bin/true; done
$L gc --mark-only >/dev/null
for i in $(seq 1 350); do $L run $IMG -- /bin/true; done
for i in $(seq 1 130); do $L prepare $IMG -- /bin/true >/dev/null; done
for i in $(seq 1 20); do $L run -d $IMG -- /bin/sleep 600 >/dev/null; done
n=$($L list --all --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
hyperfine -N --warmup 3 --runs $((RUNS * 3)) --export-json "$W/list.json" \
  -n "list --all (table)" "$L list --all" \
  -n "list --all --format json" "$L list --all --format json" >/dev/null
list_ms=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.2f" % (x["median"]*1000) for x in r))' "$W/list.json")
for id in $($L list --format json | python3 -c 'import json,sys; [print(p["id"]) for p in json.load(sys.stdin) if p["state"]=="running"]'); do
  $L stop --force "$id" >/dev/null
done
$L gc --grace-period 0s --expire-prepared 0s >/dev/null

# gc of 100 exited pods, RUNS times.
gc_times=""
for r in $(seq 1 "$RUNS"); do
  for i in $(seq 1 100); do $L run $IMG -- /bin/true; done
  t0=$(now_ms); $L gc --grace-period 0s >/dev/null; t1=$(now_ms)
  gc_times="$gc_times $(python3 -c "print($t1-$t0)")"
done

# stop of a pod whose app (busybox sleep, default SIGTERM action) exits at once; a fresh pod per run.
hyperfine --warmup 2 --runs $((RUNS * 3)) --export-json "$W/stop.json" \
  --prepare "$L run -d --uuid-file-save $W/uuid $IMG -- /bin/sleep 600 >/dev/null" \
  -n "stop" "$L stop --uuid-file $W/uuid" >/dev/null
# The same command finding the pod already exited: liftoff's own start-up and lookup cost.
hyperfine -N --warmup 2 --runs $((RUNS * 3)) --export-json "$W/noop.json" \
  -n "stop (exited)" "$L stop --uuid-file $W/uuid" >/dev/null
stop_ms=$(python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$W/stop.json")
noop_ms=$(python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$W/noop.json")

set -- $list_ms
echo "pods in the store for list: $n"
echo "list --all (table), median:        $1 ms   (goal < 100 ms)"
echo "list --all --format json, median:  $2 ms"
echo "gc of 100 exited pods, median:     $(echo $gc_times | median) ms   (goal < 1000 ms; $RUNS runs)"
echo "stop (SIGTERM → app exits → stop returns), median: $stop_ms ms   (goal: within 50 ms of the app's exit)"
echo "stop of an already exited pod (command overhead), median: $noop_ms ms"
