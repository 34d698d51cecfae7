#!/usr/bin/env bash
# Benchmark for issue 21 (mutable pods): `liftoff app add` + `liftoff app start` of /bin/true into a
# running sandbox, against a fresh `liftoff run` of the same app (with --net=none, and on the native
# default network), and against podman's nearest: `podman run --rm --pod P` of the same image into
# a running pod. Each command back to back in one hyperfine run (shell mode: hyperfine subtracts
# the shell's own start); the app is stopped and removed before each add (`--prepare`, not timed). Goal: adding
# and starting an app in a live pod costs less than 10 ms. Root only. Prints medians.
#   LIFTOFF=path/to/liftoff RUNS=30 bash tests/bench/app.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
RUNS=${RUNS:-30}
export DEBIAN_FRONTEND=noninteractive
for p in podman hyperfine runc; do
  command -v $p >/dev/null || { apt-get update -qq; apt-get install -y -qq podman runc hyperfine >/dev/null; break; }
done
if [ -z "${LIFTOFF:-}" ]; then cargo build --release -q; LIFTOFF=$PWD/target/release/liftoff; fi
W=$(mktemp -d /tmp/liftoff-bench-app.XXXXXX)
L="$LIFTOFF --dir $W/store --keys $W/keys --vendor-keys $W/vendor"
P="podman --root $W/podman --runroot $W/podman-run --runtime runc --cgroup-manager cgroupfs --events-backend none"
cleanup() {
  $P pod rm -af -t 0 >/dev/null 2>&1 || true
  $L stop --force "${SB:-none}" >/dev/null 2>&1 || true
  $L gc --grace-period 0s >/dev/null 2>&1 || true
  umount -R "$W"/* 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

bench_box_image "$W"
bench_podman_conf "$W"
IMG=bench.example/box:1
SB=$($L run -d --sandbox --net=none --name bench-sandbox)
# Before each fresh run the last one's exited pod is collected, so every command finds a store of
# two pods (commands that name a pod look through the pods there).
collect="$L gc --grace-period 0s >/dev/null 2>&1"
# Before each add: the previous run's app stopped (it may not have exited yet) and removed.
gone="$L app stop $SB t >/dev/null 2>&1; $L app rm $SB t >/dev/null 2>&1 || true"
cmds=(-n "app add + app start" --prepare "$gone"
        "$L app add $SB $IMG --name t -- /bin/true >/dev/null && $L app start $SB t >/dev/null"
      -n "app add" --prepare "$gone"
        "$L app add $SB $IMG --name t -- /bin/true >/dev/null"
      -n "app start (again)" --prepare "$L app stop $SB t >/dev/null 2>&1 || true"
        "$L app start $SB t >/dev/null"
      -n "run --net=none" --prepare "$collect" "$L run --net=none $IMG -- /bin/true"
      -n "run (native network)" --prepare "$collect" "$L run $IMG -- /bin/true")
have_podman=1
tar -C "$W/rootfs" -c . | $P import - bench-box >/dev/null 2>&1 || { echo "podman import failed; podman is left out"; have_podman=0; }
if [ $have_podman = 1 ] && $P pod create --name bench-pod --network none >/dev/null 2>&1 && $P pod start bench-pod >/dev/null 2>&1; then
  cmds+=(-n "podman run --rm --pod" --prepare "true" "$P run --rm --pod bench-pod bench-box /bin/true")
else
  have_podman=0
fi
hyperfine --warmup 3 --runs "$RUNS" --export-json "$W/app.json" "${cmds[@]}" >/dev/null
# The sandbox took every add, start and rm: it is still up, with nothing left of the apps.
$L app list "$SB"

python3 - "$W/app.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
r = {x["command"]: x["median"] for x in res}
print("medians of %d runs:" % len(res[0]["times"]))
for k, v in r.items():
    print(f"  {k:26s} {v*1000:8.2f} ms")
a = r["app add + app start"]
print(f"app add + app start: {a*1000:.2f} ms (goal < 10 ms)")
print(f"run --net=none / (app add + app start): {r['run --net=none']/a:.2f}x")
print(f"run (native network) / (app add + app start): {r['run (native network)']/a:.2f}x")
if "podman run --rm --pod" in r:
    print(f"podman run --rm --pod / (app add + app start): {r['podman run --rm --pod']/a:.1f}x")
PY
