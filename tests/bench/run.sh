#!/usr/bin/env bash
# Benchmark for issue 5: `liftoff run IMG /bin/true` (busybox image already in the store,
# --net=none) against crun and runc running the same rootfs from a prepared bundle, and podman run
# --rm --net=none of the same image. Also: the supervisor's resident memory while a pod runs, and the
# start time of a ~1 GB image against a ~5 MB one. Root only. Prints medians and ratios.
#   LIFTOFF=path/to/liftoff RUNS=30 bash tests/bench/run.sh
# LIFTOFF_BEFORE=path/to/an/older/liftoff adds that build to the same hyperfine run (same store, same
# moment, same load), for before/after figures of a change, plus an alternating run of both builds
# (new, old, new, old, …) whose medians do not depend on load drift.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-30}
export DEBIAN_FRONTEND=noninteractive
for p in crun runc podman hyperfine; do
  command -v $p >/dev/null || { apt-get update -qq; apt-get install -y -qq crun runc podman hyperfine >/dev/null; break; }
done
if [ -z "${LIFTOFF:-}" ]; then cargo build --release -q; LIFTOFF=$PWD/target/release/liftoff; fi
W=$(mktemp -d /tmp/liftoff-bench-run.XXXXXX)
cleanup() { podman --root "$W/podman" --runroot "$W/podman-run" rm -af >/dev/null 2>&1 || true; umount -R "$W"/* 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
L="$LIFTOFF --dir $W/store --keys $W/keys --vendor-keys $W/vendor"

# A signed busybox image, and a ~1 GB one sharing nothing but the same busybox.
mkdir -p "$W/rootfs/bin" "$W/big/bin" "$W/big/data"
cp /bin/busybox "$W/rootfs/bin/"; ln -s busybox "$W/rootfs/bin/true"; ln -s busybox "$W/rootfs/bin/sh"; ln -s busybox "$W/rootfs/bin/sleep"
cp -a "$W/rootfs/bin/." "$W/big/bin/"
for i in $(seq 1 16); do head -c 64000000 /dev/urandom > "$W/big/data/f$i"; done
$L image import "$W/rootfs" bench.example/box:1 >/dev/null 2>&1
$L image import --compression none "$W/big" bench.example/big:1 >/dev/null 2>&1
$L key gen --out "$W/k" >/dev/null 2>&1
$L image sign bench.example/box:1 --key "$W/k.key" >/dev/null
$L image sign bench.example/big:1 --key "$W/k.key" >/dev/null
$L trust add --yes --prefix bench.example "$W/k.pub" >/dev/null

BEFORE=()
if [ -n "${LIFTOFF_BEFORE:-}" ]; then
  B="$LIFTOFF_BEFORE --dir $W/store --keys $W/keys --vendor-keys $W/vendor"
  BEFORE=(-n liftoff-before "$B run --net=none bench.example/box:1 -- /bin/true")
fi

# OCI bundles for crun and runc from the same rootfs.
mkdir -p "$W/bundle"
$L image extract bench.example/box:1 "$W/bundle/rootfs"
(cd "$W/bundle" && crun spec && sed -i 's/"terminal": true/"terminal": false/; s#"sh"#"/bin/true"#' config.json)
# crun refuses to start on this hybrid host while the empty v2 tree is mounted: it runs in a mount
# namespace without it (unshare + sh add ~1 ms to crun's figure; the ratio is reported as measured).

# podman with an empty root, runc runtime, ulimits that fit this host's hard limits.
mkdir -p "$W/podman-conf"
printf '[containers]\ndefault_ulimits = []\n' > "$W/podman-conf/containers.conf"
export CONTAINERS_CONF="$W/podman-conf/containers.conf"
P="podman --root $W/podman --runroot $W/podman-run --runtime runc --cgroup-manager cgroupfs --events-backend none"
tar -C "$W/rootfs" -c . | $P import - bench-box >/dev/null 2>&1 || echo "podman import failed; podman is left out"

hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/run.json" \
  -n liftoff "$L run --net=none bench.example/box:1 -- /bin/true" \
  "${BEFORE[@]}" \
  -n crun "sh -c \"unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun run --bundle $W/bundle cbench'\"" \
  -n runc "runc run --bundle $W/bundle rbench" \
  -n podman "$P run --rm --net=none bench-box /bin/true" >/dev/null 2>&1 || \
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/run.json" \
  -n liftoff "$L run --net=none bench.example/box:1 -- /bin/true" \
  "${BEFORE[@]}" \
  -n crun "sh -c \"unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun run --bundle $W/bundle cbench'\"" \
  -n runc "runc run --bundle $W/bundle rbench" >/dev/null

hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$W/size.json" \
  -n small-5MB "$L run --net=none bench.example/box:1 -- /bin/true" \
  -n big-1GB "$L run --net=none bench.example/big:1 -- /bin/true" >/dev/null

# Supervisor RSS while a pod runs.
$L run --net=none bench.example/box:1 -- /bin/sleep 3 & RUNPID=$!
sleep 1
RSS=$(awk '/VmRSS/{print $2}' /proc/$RUNPID/status)
wait $RUNPID || true

python3 - "$W/run.json" "$W/size.json" "$RSS" <<'PY'
import json, sys
run = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
size = {r["command"]: r["median"] for r in json.load(open(sys.argv[2]))["results"]}
l = run["liftoff"]
print("liftoff run /bin/true, medians:")
for k, v in run.items():
    print(f"  {k:14s} {v*1000:7.2f} ms   liftoff/{k} = {l/v:.2f}")
print(f"start, 5 MB image: {size['small-5MB']*1000:.2f} ms; 1 GB image: {size['big-1GB']*1000:.2f} ms; ratio {size['big-1GB']/size['small-5MB']:.2f}")
print(f"supervisor VmRSS while a pod runs: {int(sys.argv[3])} kB")
PY

# Before/after, alternating: hyperfine runs all of one command's runs before the next, so on a
# small shared machine load drift can decide the ratio above. Here each round runs the new build,
# then the old, in the same store, and the medians of the pairs are compared.
if [ -n "${LIFTOFF_BEFORE:-}" ]; then
  for i in $(seq 1 "$RUNS"); do
    for which in now before; do
      cmd=$L
      [ "$which" = before ] && cmd=$B
      s=$(date +%s%N)
      $cmd run --net=none bench.example/box:1 -- /bin/true >/dev/null
      e=$(date +%s%N)
      echo "$which $(( (e - s) / 1000 ))" >> "$W/alternating"
    done
  done
  med() { grep "^$1 " "$W/alternating" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  awk -v n="$(med now)" -v b="$(med before)" -v r="$RUNS" 'BEGIN {
    printf "alternating, %d pairs: liftoff %.2f ms, liftoff-before %.2f ms, ratio %.2f\n", r, n / 1000, b / 1000, n / b }'
fi
