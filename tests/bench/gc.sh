#!/usr/bin/env bash
# Benchmark: `liftoff gc --grace-period=0s` of N exited pods (busybox, --net=none), each build in a
# store of its own, alternating builds each round; prints the medians and their ratio. Root only.
# gc asks each pod's stage1 to release what it left (one `liftoff-stage1 gc` per pod), so this is
# where the stage contract's cost shows.
#   LIFTOFF=path/to/liftoff [LIFTOFF_BEFORE=path/to/an/older/liftoff] N=20 ROUNDS=7 bash tests/bench/gc.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-20}
ROUNDS=${ROUNDS:-7}
if [ -z "${LIFTOFF:-}" ]; then cargo build --release -q; LIFTOFF=$PWD/target/release/liftoff; fi
W=$(mktemp -d /tmp/liftoff-bench-gc.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/rootfs/bin"
cp /bin/busybox "$W/rootfs/bin/"
ln -s busybox "$W/rootfs/bin/true"
builds=(now)
declare -A BIN=([now]=$LIFTOFF)
if [ -n "${LIFTOFF_BEFORE:-}" ]; then builds+=(before); BIN[before]=$LIFTOFF_BEFORE; fi
for b in "${builds[@]}"; do
  L="${BIN[$b]} --dir $W/store-$b --keys $W/keys --vendor-keys $W/vendor"
  $L image import "$W/rootfs" bench.example/box:1 >/dev/null 2>&1
  [ -f "$W/k.key" ] || $L key gen --out "$W/k" >/dev/null 2>&1
  $L image sign bench.example/box:1 --key "$W/k.key" >/dev/null
  $L trust add --yes --prefix bench.example "$W/k.pub" >/dev/null 2>&1 || true
done
for r in $(seq 1 "$ROUNDS"); do
  for b in "${builds[@]}"; do
    L="${BIN[$b]} --dir $W/store-$b --keys $W/keys --vendor-keys $W/vendor"
    for i in $(seq 1 "$N"); do $L run --net=none bench.example/box:1 -- /bin/true >/dev/null; done
    s=$(date +%s%N)
    $L gc --grace-period=0s >/dev/null
    e=$(date +%s%N)
    left=$(find "$W/store-$b/pods" -mindepth 2 -maxdepth 2 | wc -l)
    [ "$left" = 0 ] || { echo "gc left $left pods in the $b store" >&2; exit 1; }
    echo "$b $(( (e - s) / 1000 ))" >> "$W/times"
  done
done
median() { grep "^$1 " "$W/times" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "liftoff gc of $N exited pods, medians of $ROUNDS rounds:"
now=$(median now)
awk -v t="$now" -v n="$N" 'BEGIN { printf "  liftoff          %8.1f ms  (%.2f ms per pod)\n", t / 1000, t / 1000 / n }'
if [ -n "${LIFTOFF_BEFORE:-}" ]; then
  before=$(median before)
  awk -v t="$before" -v x="$now" 'BEGIN { printf "  liftoff-before   %8.1f ms  liftoff/liftoff-before = %.2f\n", t / 1000, x / t }'
fi
