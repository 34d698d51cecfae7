#!/usr/bin/env bash
# Benchmark for issue 7 (networking): `liftoff run --net=default IMG /bin/true` against the same with
# --net=none (the network's added cost: netns pin, CNI bridge + portmap + firewall ADD and DEL), and
# against `podman run --rm --runtime runc IMG /bin/true` with podman's default network. Goals: network
# setup under 30 ms added; the whole run at least 5x faster than podman's. Root only. Prints medians.
#   LIFTOFF=path/to/liftoff RUNS=20 bash tests/bench/network.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
RUNS=${RUNS:-20}
export DEBIAN_FRONTEND=noninteractive
for p in podman hyperfine runc; do
  command -v $p >/dev/null || { apt-get update -qq; apt-get install -y -qq podman runc hyperfine containernetworking-plugins iptables >/dev/null; break; }
done
if [ -z "${LIFTOFF:-}" ]; then cargo build --release -q; LIFTOFF=$PWD/target/release/liftoff; fi
W=$(mktemp -d /tmp/liftoff-bench-net.XXXXXX)
L="$LIFTOFF --dir $W/store --keys $W/keys --vendor-keys $W/vendor"
P="podman --root $W/podman --runroot $W/podman-run --runtime runc --cgroup-manager cgroupfs --events-backend none"
cleanup() {
  $P rm -af >/dev/null 2>&1 || true
  $L gc --grace-period 0s >/dev/null 2>&1 || true
  umount -R "$W"/* 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

bench_box_image "$W"

bench_podman_conf "$W"
have_podman=1
tar -C "$W/rootfs" -c . | $P import - bench-box >/dev/null 2>&1 || { echo "podman import failed; podman is left out"; have_podman=0; }

cmds=(-n "liftoff --net=default" "$L run --net=default bench.example/box:1 -- /bin/true"
      -n "liftoff --net=none" "$L run --net=none bench.example/box:1 -- /bin/true")
[ $have_podman = 1 ] && cmds+=(-n "podman (default network)" "$P run --rm bench-box /bin/true")
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/net.json" "${cmds[@]}" >/dev/null

python3 - "$W/net.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
d, n = r["liftoff --net=default"], r["liftoff --net=none"]
print("run /bin/true, medians:")
for k, v in r.items():
    print(f"  {k:26s} {v*1000:8.2f} ms")
print(f"network setup and teardown added by --net=default: {(d-n)*1000:.2f} ms (goal < 30 ms)")
if "podman (default network)" in r:
    p = r["podman (default network)"]
    print(f"podman / liftoff --net=default: {p/d:.2f}x (goal >= 5x)")
PY
