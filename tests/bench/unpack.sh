#!/usr/bin/env bash
# Benchmark for issue 2: bringing a ~200 MB, 3-layer gzip image from an OCI layout into a ready-to-run
# unpacked form. liftoff fetch (one streaming pass per layer: hash, decompress, diff_id, unpack)
# against skopeo copy + umoci unpack, and umoci unpack alone. Root only; prints medians and ratios.
#   LIFTOFF=path/to/liftoff RUNS=5 bash tests/bench/unpack.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
command -v hyperfine >/dev/null || { apt-get update -qq; apt-get install -y -qq hyperfine >/dev/null; }
if [ -z "${LIFTOFF:-}" ]; then cargo build --release -q; LIFTOFF=$PWD/target/release/liftoff; fi
W=$(mktemp -d /tmp/liftoff-bench-unpack.XXXXXX)
trap 'rm -rf "$W"' EXIT

# Three layers of real files from /usr (libraries, binaries, shared data), ~200 MB together.
umoci init --layout "$W/src" && umoci new --image "$W/src:1" && umoci unpack --image "$W/src:1" "$W/b" >/dev/null
take() { # take DIR MB: copy files from DIR until MB megabytes
  local budget=$(( $2 * 1000000 )) used=0
  find "$1" -xdev -type f -size +1k 2>/dev/null | while read -r f; do
    s=$(stat -c %s "$f"); [ $((used + s)) -gt $budget ] && break; used=$((used + s))
    mkdir -p "$W/b/rootfs$(dirname "$f")"; cp -a "$f" "$W/b/rootfs$f"
  done || true  # find dies of SIGPIPE when the budget is reached
}
take /usr/lib 90;   umoci repack --image "$W/src:1" "$W/b"
take /usr/bin 50;   umoci repack --image "$W/src:1" "$W/b"
take /usr/share 60; umoci repack --image "$W/src:1" "$W/b"
rm -rf "$W/b"
du -sh "$W/src/blobs" | sed 's/^/compressed layout: /'

hyperfine --warmup 1 --runs "$RUNS" --export-json "$W/r.json" \
  --prepare "rm -rf $W/store $W/oci $W/bundle $W/bundle2" \
  -n "liftoff fetch" "$LIFTOFF --dir $W/store --keys $W/k --vendor-keys $W/v fetch --insecure-options=image oci:$W/src:1 2>/dev/null" \
  -n "skopeo copy + umoci unpack" "skopeo copy -q oci:$W/src:1 oci:$W/oci:1 && umoci unpack --image $W/oci:1 $W/bundle" \
  -n "umoci unpack" "umoci unpack --image $W/src:1 $W/bundle2" >/dev/null

python3 - "$W/r.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
l = r["liftoff fetch"]
for k, v in r.items():
    print(f"  {k:28s} {v:7.3f} s   liftoff/{k} = {l/v:.2f}")
PY
