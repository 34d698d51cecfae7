# Shared set-up of the benchmarks (sourced, not run): the signed busybox image every pod benchmark
# starts, and podman's configuration for this host.

# bench_box_image DIR: a busybox rootfs in DIR/rootfs imported as bench.example/box:1, signed with
# a fresh key (DIR/k.key) trusted for bench.example. Uses $L (liftoff with the bench's store).
bench_box_image() {
  mkdir -p "$1/rootfs/bin"
  cp /bin/busybox "$1/rootfs/bin/"; ln -sf busybox "$1/rootfs/bin/true"; ln -sf busybox "$1/rootfs/bin/sh"
  $L image import "$1/rootfs" bench.example/box:1 >/dev/null 2>&1
  $L key gen --out "$1/k" >/dev/null 2>&1
  $L image sign bench.example/box:1 --key "$1/k.key" >/dev/null
  $L trust add --yes --prefix bench.example "$1/k.pub" >/dev/null
}

# bench_podman_conf DIR: a containers.conf whose ulimits fit this host's hard limits, exported.
bench_podman_conf() {
  mkdir -p "$1/podman-conf"
  printf '[containers]\ndefault_ulimits = []\n' > "$1/podman-conf/containers.conf"
  export CONTAINERS_CONF="$1/podman-conf/containers.conf"
}
