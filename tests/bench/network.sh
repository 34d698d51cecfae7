#!/usr/bin/env bash
# Benchmark for issue 20 (the native default network): `liftoff run IMG /bin/true` with --net=none,
# with the native default network, and with it plus a published port, against the same on the CNI
# default network ([network] default = "cni": bridge, portmap and firewall plugins) and against
# `podman run --rm` on podman's own default network (netavark), back to back in one run; then 20 pods
# started back to back (-d) on each. Goals: the native network adds at most 5 ms over --net=none;
# liftoff on its network is at least 10x faster than podman on its own. Root only. Prints medians.
#   LIFTOFF=path/to/liftoff RUNS=30 bash tests/bench/network.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
RUNS=${RUNS:-30}
export DEBIAN_FRONTEND=noninteractive
for p in podman hyperfine runc nft /usr/lib/podman/netavark; do
  command -v $p >/dev/null || [ -x "$p" ] || { apt-get update -qq; apt-get install -y -qq podman runc netavark aardvark-dns hyperfine containernetworking-plugins iptables nftables >/dev/null; break; }
done
if [ -z "${LIFTOFF:-}" ]; then cargo build --release -q; LIFTOFF=$PWD/target/release/liftoff; fi
W=$(mktemp -d /tmp/liftoff-bench-net.XXXXXX)
L="$LIFTOFF --dir $W/store --keys $W/keys --vendor-keys $W/vendor"
printf '[network]\ndefault = "cni"\n' > "$W/cni.toml"
LC="$L --config $W/cni.toml"
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
# podman's own Rust network stack, as on a current install (Debian 12's podman defaults to CNI).
printf '[network]\nnetwork_backend = "netavark"\n' >> "$CONTAINERS_CONF"
have_podman=1
tar -C "$W/rootfs" -c . | $P import - bench-box >/dev/null 2>&1 || { echo "podman import failed; podman is left out"; have_podman=0; }
if [ $have_podman = 1 ]; then
  echo "podman network backend: $($P info --format '{{.Host.NetworkBackend}}' 2>/dev/null)"
fi

IMG=bench.example/box:1
cmds=(-n "liftoff --net=none" "$L run --net=none $IMG -- /bin/true"
      -n "liftoff native" "$L run $IMG -- /bin/true"
      -n "liftoff native -p" "$L run -p 18181:80 $IMG -- /bin/true"
      -n "liftoff cni" "$LC run $IMG -- /bin/true"
      -n "liftoff cni -p" "$LC run -p 18182:80 $IMG -- /bin/true")
[ $have_podman = 1 ] && cmds+=(-n "podman (netavark)" "$P run --rm bench-box /bin/true"
                               -n "podman (netavark) -p" "$P run --rm -p 18183:80 bench-box /bin/true")
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/net.json" "${cmds[@]}" >/dev/null

# 20 pods started back to back, detached, each on its network; timed until the last has started.
# (The ids go to $W/ids for the stops afterwards.)
twenty() {
  local s e
  : > "$W/ids"
  s=$(date +%s%N)
  for i in $(seq 20); do "$@" >> "$W/ids"; done
  e=$(date +%s%N)
  echo $(( (e - s) / 1000 ))
}
stop_ids() { while read -r id; do $L stop --force "$id" >/dev/null 2>&1 || true; done < "$W/ids"; $L gc --grace-period 0s >/dev/null 2>&1 || true; }
t_native=$(twenty $L run -d $IMG -- /bin/sh -c 'sleep 60')
stop_ids
t_cni=$(twenty $LC run -d $IMG -- /bin/sh -c 'sleep 60')
stop_ids
t_podman=0
if [ $have_podman = 1 ]; then
  t_podman=$(twenty $P run -d bench-box /bin/sh -c 'sleep 60')
  $P rm -af -t 0 >/dev/null 2>&1 || true
fi

python3 - "$W/net.json" "$t_native" "$t_cni" "$t_podman" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print("run /bin/true, medians of %d runs:" % len(json.load(open(sys.argv[1]))["results"][0]["times"]))
for k, v in r.items():
    print(f"  {k:24s} {v*1000:8.2f} ms")
n = r["liftoff --net=none"]
for k in ["liftoff native", "liftoff native -p", "liftoff cni", "liftoff cni -p"]:
    print(f"added over --net=none by {k:18s} {(r[k]-n)*1000:7.2f} ms" + ("  (goal <= 5 ms)" if k == "liftoff native" else ""))
print(f"cni / native: {r['liftoff cni']/r['liftoff native']:.1f}x")
if "podman (netavark)" in r:
    p = r["podman (netavark)"]
    print(f"podman (netavark) / liftoff native: {p/r['liftoff native']:.1f}x (goal >= 10x)")
    print(f"podman (netavark) -p / liftoff native -p: {r['podman (netavark) -p']/r['liftoff native -p']:.1f}x")
tn, tc, tp = (int(x) / 1000 for x in sys.argv[2:5])
print(f"20 pods started back to back (-d): native {tn:.0f} ms, cni {tc:.0f} ms" + (f", podman {tp:.0f} ms ({tp/tn:.1f}x native)" if tp else ""))
PY
