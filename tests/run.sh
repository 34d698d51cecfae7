#!/usr/bin/env bash
# The test suite: unit tests of every crate and the end-to-end tests in tests/e2e, which drive the
# built binaries against real skopeo/umoci/buildah output, a local docker-registry, openssl and real
# namespaces, mounts and cgroups. Run as root on Debian 12 (as non-root the e2e tests skip with a
# message). Installs the Debian packages the tests use when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# command-or-file  package
need=(
  "skopeo skopeo" "umoci umoci" "buildah buildah" "/bin/busybox busybox-static" "zstd zstd"
  "setfattr attr" "openssl openssl" "docker-registry docker-registry" "htpasswd apache2-utils"
  "cc gcc" "pkg:libc6-dev libc6-dev" "/usr/lib/cni/bridge containernetworking-plugins"
  "iptables iptables" "nft nftables" "systemd-socket-activate systemd" "systemd-analyze systemd"
  "pgrep procps" "ip iproute2" "script bsdutils" "find findutils" "mkfs.ext4 e2fsprogs"
  "runuser util-linux" "useradd passwd" "mount mount" "jq jq" "unshare util-linux" "chroot coreutils"
  "pkg:python3-nacl python3-nacl"
)
missing=()
for pair in "${need[@]}"; do
  read -r what pkg <<<"$pair"
  case "$what" in
    /*) [ -e "$what" ] || missing+=("$pkg") ;;
    pkg:*) dpkg -s "${what#pkg:}" >/dev/null 2>&1 || missing+=("$pkg") ;;
    *) command -v "$what" >/dev/null || missing+=("$pkg") ;;
  esac
done
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  echo "== installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" ca-certificates >/dev/null
fi

# The e2e tests run `liftoff`, which execs `liftoff-stage1` from the same directory: build every
# binary first (cargo test builds only the binaries of the package under test).
cargo build --workspace --locked --bins
# The end-to-end tests need root: they are #[ignore]d so that any other run reports them as ignored
# (skipped), never as passed; as root they are included.
if [ "$(id -u)" = 0 ]; then
  exec cargo test --workspace --locked "$@" -- --include-ignored
fi
echo "== not root: the end-to-end tests are reported as ignored (skipped)"
exec cargo test --workspace --locked "$@"
