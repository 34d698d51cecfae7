#!/usr/bin/env bash
# Benchmark: pull a ~200 MB, 4-layer gzip image from a local docker-registry (plain HTTP, 127.0.0.1)
# into an empty store, three ways, with hyperfine:
#   liftoff fetch docker://…            (verify + stream + unpack every layer, into an empty --dir)
#   podman pull                         (into an empty --root)
#   skopeo copy docker://… oci:DIR && umoci unpack
# Prints each median and the ratios. Run as root on Debian 12 from the repository root:
#   bash tests/bench/registry.sh            (RUNS=5 by default; LIFTOFF=path to use another binary)
# It installs what it needs (docker-registry, skopeo, umoci, podman, hyperfine) when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-5}
export DEBIAN_FRONTEND=noninteractive
need=()
for c in docker-registry skopeo umoci podman hyperfine python3; do
  command -v "$c" >/dev/null || need+=("$c")
done
if [ ${#need[@]} -gt 0 ]; then
  pkgs=()
  for c in "${need[@]}"; do
    case "$c" in python3) pkgs+=(python3) ;; *) pkgs+=("$c") ;; esac
  done
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

if [ -z "${LIFTOFF:-}" ]; then
  cargo build --release --locked -p liftoff >/dev/null
  LIFTOFF=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/liftoff
fi

W=$(mktemp -d /var/tmp/liftoff-bench.XXXXXX)
REG_PID=
cleanup() {
  if [ -n "$REG_PID" ]; then kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; fi
  podman --root "$W/podman-root" --runroot "$W/podman-run" --storage-driver overlay system reset -f >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$W/registry"
cat >"$W/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $W/registry/data
http:
  addr: 127.0.0.1:$PORT
EOF
docker-registry serve "$W/registry/config.yml" >"$W/registry/log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break
  sleep 0.1
done

echo "== building a 4-layer image (~200 MB uncompressed, gzip) in $W/layout"
python3 - "$W/layout" <<'EOF'
import gzip, hashlib, io, json, os, platform, random, sys, tarfile
out = sys.argv[1]
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)
open(f"{out}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
rnd = random.Random(42)
words = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 10))) for _ in range(5000)]
def text(n):
    parts, size = [], 0
    while size < n:
        w = rnd.choice(words); parts.append(w); size += len(w) + 1
    return b" ".join(parts)[:n]
def binary(n):
    return rnd.randbytes(n)
def mixed(n):
    b = bytearray()
    while len(b) < n:
        b += rnd.randbytes(4096) if rnd.random() < 0.5 else bytes(4096) if rnd.random() < 0.5 else text(4096)
    return bytes(b[:n])
layers = [
    ("usr/share/doc", 2000, 30_000, text),      # 60 MB of text: a distribution's base
    ("usr/lib", 200, 300_000, mixed),           # 60 MB of libraries
    ("opt/app/assets", 100, 400_000, binary),   # 40 MB of incompressible assets
    ("opt/app/src", 10_000, 4_000, text),       # 40 MB in many small files
]
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(f"{out}/blobs/sha256/{d}", "wb").write(data)
    return "sha256:" + d, len(data)
descs, diff_ids = [], []
for prefix, count, size, gen in layers:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for i in range(count):
            data = gen(size)
            ti = tarfile.TarInfo(f"{prefix}/d{i % 50}/f{i}")
            ti.size, ti.mode, ti.mtime = len(data), 0o644, 1_700_000_000
            t.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    d, n = blob(gzip.compress(raw, compresslevel=6, mtime=0))
    descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": n})
    print(f"   layer {prefix}: {len(raw)/1e6:.1f} MB tar, {n/1e6:.1f} MB gzip")
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
config = json.dumps({"architecture": arch, "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
cd, cn = blob(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
                       "layers": descs}).encode()
md, mn = blob(manifest)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": mn, "annotations": {"org.opencontainers.image.ref.name": "bench"}}]},
          open(f"{out}/index.json", "w"))
EOF
IMG=127.0.0.1:$PORT/bench/app:1
skopeo copy --quiet --dest-tls-verify=false "oci:$W/layout:bench" "docker://$IMG"
echo "== pushed docker://$IMG"

mkdir -p "$W/keys" "$W/vendor"
L="$LIFTOFF --dir $W/liftoff --keys $W/keys --vendor-keys $W/vendor --config /dev/null"
P="podman --root $W/podman-root --runroot $W/podman-run --storage-driver overlay --cgroup-manager cgroupfs --events-backend file"
# Sanity: each tool pulls the image once before being timed.
$L fetch -q --insecure-options=image,http "docker://$IMG" >/dev/null 2>&1
$P pull -q --tls-verify=false "docker://$IMG" >/dev/null
rm -rf "$W/oci" "$W/bundle"
skopeo copy --quiet --src-tls-verify=false "docker://$IMG" "oci:$W/oci:bench" && umoci unpack --image "$W/oci:bench" "$W/bundle" >/dev/null

hyperfine --runs "$RUNS" --export-json "$W/results.json" \
  -n liftoff --prepare "rm -rf $W/liftoff" \
  "$L fetch -q --insecure-options=image,http docker://$IMG 2>/dev/null" \
  -n podman --prepare "$P system reset -f >/dev/null 2>&1; rm -rf $W/podman-root $W/podman-run" \
  "$P pull -q --tls-verify=false docker://$IMG" \
  -n skopeo+umoci --prepare "rm -rf $W/oci $W/bundle" \
  "skopeo copy --quiet --src-tls-verify=false docker://$IMG oci:$W/oci:bench && umoci unpack --image $W/oci:bench $W/bundle >/dev/null"

python3 - "$W/results.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
lo = r["liftoff"]["median"]
print("\nmedians (s):")
for name in ["liftoff", "podman", "skopeo+umoci"]:
    print(f"  {name:13} {r[name]['median']:.3f}")
print("ratios (other / liftoff, > 1 means liftoff is faster):")
for name in ["podman", "skopeo+umoci"]:
    print(f"  {name:13} {r[name]['median'] / lo:.2f}x")
EOF
