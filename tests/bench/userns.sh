#!/usr/bin/env bash
# Benchmark for issue 18: what remapping costs. `liftoff run /bin/true` (busybox image in the
# store, --net=none) with the default (the pod in its own id range) and with --userns=host, against
# crun running the same rootfs from a bundle without a user namespace, and podman run --userns=auto
# and podman without one, all in one hyperfine run. Root only. Prints medians and ratios.
#   LIFTOFF=path/to/liftoff RUNS=30 bash tests/bench/userns.sh
# podman --userns=auto takes its ids from the `containers` entries of /etc/subuid and /etc/subgid;
# when there are none the script adds `containers:2000000000:1000000` for the run (outside
# liftoff's default pool 524288-1879048191) and removes them again.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
RUNS=${RUNS:-30}
export DEBIAN_FRONTEND=noninteractive
for p in crun podman hyperfine; do
  command -v $p >/dev/null || { apt-get update -qq; apt-get install -y -qq crun podman hyperfine >/dev/null; break; }
done
if [ -z "${LIFTOFF:-}" ]; then cargo build --release -q; LIFTOFF=$PWD/target/release/liftoff; fi
W=$(mktemp -d /tmp/liftoff-bench-userns.XXXXXX)
ADDED_SUBID=0
cleanup() {
  podman --root "$W/podman" --runroot "$W/podman-run" rm -af >/dev/null 2>&1 || true
  umount -R "$W"/* 2>/dev/null || true
  if [ "$ADDED_SUBID" = 1 ]; then sed -i '/^containers:2000000000:1000000$/d' /etc/subuid /etc/subgid; fi
  rm -rf "$W"
}
trap cleanup EXIT
L="$LIFTOFF --dir $W/store --keys $W/keys --vendor-keys $W/vendor"

bench_box_image "$W"

mkdir -p "$W/bundle"
$L image extract bench.example/box:1 "$W/bundle/rootfs"
(cd "$W/bundle" && crun spec && sed -i 's/"terminal": true/"terminal": false/; s#"sh"#"/bin/true"#' config.json)

if ! grep -q '^containers:' /etc/subuid 2>/dev/null || ! grep -q '^containers:' /etc/subgid 2>/dev/null; then
  echo 'containers:2000000000:1000000' >> /etc/subuid
  echo 'containers:2000000000:1000000' >> /etc/subgid
  ADDED_SUBID=1
fi
bench_podman_conf "$W"
P="podman --root $W/podman --runroot $W/podman-run --runtime runc --cgroup-manager cgroupfs --events-backend none"
tar -C "$W/rootfs" -c . | $P import - bench-box >/dev/null 2>&1

# crun refuses to start on this hybrid host while the empty v2 tree is mounted: it runs in a mount
# namespace without it (unshare + sh add ~1 ms to crun's figure; the ratio is reported as measured).
# Each liftoff run leaves an exited pod (and, remapped, its lease) until gc: `--prepare` collects
# them before every timed run, so both liftoff variants start from the same store.
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/userns.json" \
  --prepare "$L gc --grace-period 0s" \
  -n liftoff-remapped "$L run --net=none bench.example/box:1 -- /bin/true" \
  -n liftoff-host-ids "$L run --net=none --userns=host bench.example/box:1 -- /bin/true" \
  -n crun "sh -c \"unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun run --bundle $W/bundle cbench'\"" \
  -n podman-userns-auto "$P run --rm --net=none --userns=auto bench-box /bin/true" \
  -n podman "$P run --rm --net=none bench-box /bin/true" >/dev/null 2>"$W/hyperfine.err" || {
    cat "$W/hyperfine.err" >&2; exit 1; }

python3 - "$W/userns.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
m = r["liftoff-remapped"]
print("run /bin/true, medians:")
for k, v in r.items():
    print(f"  {k:20s} {v*1000:7.2f} ms   liftoff-remapped/{k} = {m/v:.2f}")
print(f"remapping costs {(m - r['liftoff-host-ids'])*1000:+.2f} ms over --userns=host (goal: at most +1 ms)")
print(f"remapped liftoff / crun without a user namespace = {m/r['crun']:.2f} (goal: at most 1.10)")
print(f"podman --userns=auto costs {(r['podman-userns-auto'] - r['podman'])*1000:+.2f} ms over podman")
PY

# The remapping cost again, alternating (remapped, host ids, remapped, …) so that load drift on a
# small machine cannot decide it; gc between pairs, untimed.
for i in $(seq 1 "$RUNS"); do
  for m in auto host; do
    s=$(date +%s%N)
    $L run --net=none --userns=$m bench.example/box:1 -- /bin/true >/dev/null 2>&1
    e=$(date +%s%N)
    echo "$m $(( (e - s) / 1000 ))" >> "$W/alternating"
  done
  $L gc --grace-period 0s >/dev/null 2>&1
done
med() { grep "^$1 " "$W/alternating" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
awk -v a="$(med auto)" -v h="$(med host)" -v r="$RUNS" 'BEGIN {
  printf "alternating, %d pairs: remapped %.2f ms, --userns=host %.2f ms, remapping costs %+.2f ms\n", r, a / 1000, h / 1000, (a - h) / 1000 }'
