#!/usr/bin/env bash
# Benchmark of the LAMP example (examples/lamp: nginx + php-fpm + MariaDB + Memcached in one pod):
# time from the start command to the first HTTP 200 of the PHP page, which needs all four apps (the
# page checks MariaDB and Memcached and answers 500 if either fails). Alternating rounds, the same
# images: (a) `liftoff run -d --pod examples/lamp/pod.toml`; (b) the same with compose.yaml (skipped
# while the binary refuses compose files); (c) podman: `pod create -p` + four `podman run -d --pod`
# with the same users and a fresh named volume. Teardown is not timed. Root only. Prints medians and
# the ratios podman/liftoff. Leaves no pods, volumes, mounts or veths behind.
#   LIFTOFF=path/to/liftoff LAMP_ROUNDS=10 bash tests/bench/lamp.sh
#   LAMP_POD=FILE      the pod file (default examples/lamp/pod.toml)
#   LAMP_COMPOSE=FILE  the compose file (default examples/lamp/compose.yaml)
#   LAMP_PORT=8080     the host port (the files' 8080:8080 is rewritten in copies when it differs)
# The images are built (first time only, a few minutes) by examples/lamp/build.sh into
# containers-storage; this script signs and fetches them into a private liftoff store.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/../.."
ROUNDS=${LAMP_ROUNDS:-10}
PORT=${LAMP_PORT:-8080}
POD_FILE=${LAMP_POD:-examples/lamp/pod.toml}
COMPOSE_FILE=${LAMP_COMPOSE:-examples/lamp/compose.yaml}
export DEBIAN_FRONTEND=noninteractive
for p in podman:podman runc:runc catatonit:catatonit curl:curl; do
  command -v "${p%%:*}" >/dev/null || { apt-get update -qq; apt-get install -y -qq podman runc catatonit curl >/dev/null; break; }
done
if [ -z "${LIFTOFF:-}" ]; then cargo build --release -q; LIFTOFF=$PWD/target/release/liftoff; fi
export PATH=$(dirname "$LIFTOFF"):$PATH
if ss -Hltn "sport = :$PORT" | grep -q .; then
  echo "port $PORT is in use; set LAMP_PORT to a free one" >&2; exit 1
fi
W=$(mktemp -d /tmp/liftoff-bench-lamp.XXXXXX)
export LIFTOFF_DIR=$W/store LIFTOFF_KEYS=$W/keys LIFTOFF_VENDOR_KEYS=$W/vendor
L=$LIFTOFF
# podman: runc and cgroupfs (crun refuses this hybrid cgroup host), ulimits that fit the host.
printf '[containers]\ndefault_ulimits = []\n' > "$W/containers.conf"
export CONTAINERS_CONF=$W/containers.conf
P="podman --runtime runc --cgroup-manager cgroupfs --events-backend none"
PP=lampbench-$$
cleanup() {
  for id in $($L list --format json 2>/dev/null | python3 -c 'import json,sys; [print(p["id"]) for p in json.load(sys.stdin) if p["state"]=="running"]' 2>/dev/null); do
    $L stop --force "$id" >/dev/null 2>&1 || true
  done
  $L gc --grace-period 0s --expire-prepared 0s >/dev/null 2>&1 || true
  $P pod rm -f -t 0 "$PP" >/dev/null 2>&1 || true
  $P volume rm -f "$PP-db" >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT

# Images: built once into containers-storage, signed and fetched here.
LAMP_NO_FETCH=1 LAMP_KEY=$W/k examples/lamp/build.sh "$W/out" 2>&1 | grep '^== ' || true
$L trust add --yes --prefix example.com/lamp "$W/k.pub" >/dev/null 2>&1
for n in nginx php mariadb memcached; do
  $L fetch -q "oci:$W/out/lamp-$n:1" --as "example.com/lamp/$n:1" >/dev/null 2>&1
done
rm -rf "$W/out"
sed "s/\"8080:8080\"/\"$PORT:8080\"/" "$POD_FILE" > "$W/pod.toml"
sed "s/\"8080:8080\"/\"$PORT:8080\"/" "$COMPOSE_FILE" > "$W/compose.yaml" 2>/dev/null || true
URL=http://127.0.0.1:$PORT/index.php

# Milliseconds from $1 (date +%s%N) to the first 200 of the page (curl every ~5 ms, 60 s at most).
# The first round of each variant also checks the page's four lines.
until_200() {
  local s=$1 what=$2 e body
  for _ in $(seq 1 6000); do
    if body=$(curl -fsS --max-time 2 "$URL" 2>/dev/null); then
      e=$(date +%s%N)
      if [ ! -e "$W/checked-$what" ]; then
        for svc in mariadb memcached php nginx; do
          grep -q "^$svc: ok" <<<"$body" || { echo "$what: no '$svc: ok' in the page:" >&2; echo "$body" >&2; return 1; }
        done
        echo "$what, first page:"; sed 's/^/  /' <<<"$body"
        : > "$W/checked-$what"
      fi
      echo $(( (e - s) / 1000000 ))
      return 0
    fi
    sleep 0.005
  done
  echo "$what: no HTTP 200 from $URL within 60 s" >&2; return 1
}

# Each run prints the first page (once per variant), then "CMD_MS HTTP_MS": when the start
# command(s) returned, and the first 200, both from the start.
run_liftoff() {  # $1: pod file, $2: variant name
  local s id t c
  s=$(date +%s%N)
  id=$($L run -d --pod "$1")
  c=$(( ($(date +%s%N) - s) / 1000000 ))
  t=$(until_200 "$s" "$2") || { $L logs "$id" >&2 || true; $L stop --force "$id" >/dev/null 2>&1; return 1; }
  $L stop "$id" >/dev/null && $L rm "$id" >/dev/null 2>&1 || true
  echo "$t" | sed "\$s/^/$c /"
}

# (b) PLACEHOLDER: liftoff with the compose file. Skipped (with the reason) while `liftoff run --pod
# FILE.yaml` is refused by the binary; it runs as soon as liftoff accepts compose files.
COMPOSE_OK=
compose_probe() {
  local out id
  [ -f "$W/compose.yaml" ] || { echo "liftoff-compose: skipped: no $COMPOSE_FILE"; return; }
  if out=$($L run -d --pod "$W/compose.yaml" 2>&1); then
    id=$(tail -1 <<<"$out")
    $L stop --force "$id" >/dev/null 2>&1 || true; $L rm "$id" >/dev/null 2>&1 || true
    COMPOSE_OK=1
  else
    echo "liftoff-compose: skipped: this liftoff refuses compose files: $(head -1 <<<"$out")"
  fi
}
run_compose() { run_liftoff "$W/compose.yaml" liftoff-compose; }

# (c) podman: the same images, users, commands and a fresh named volume each round. The apps find
# each other by name through --add-host (podman 4.3 also writes container names into the pod's
# /etc/hosts, but the bench's container names carry a unique prefix).
run_podman() {
  local s t c
  s=$(date +%s%N)
  $P volume create "$PP-db" >/dev/null
  $P pod create --name "$PP" -p "$PORT:8080" \
    --add-host mariadb:127.0.0.1 --add-host memcached:127.0.0.1 --add-host php:127.0.0.1 --add-host nginx:127.0.0.1 >/dev/null
  $P run -d --pod "$PP" --name "$PP-mariadb" --user mysql -v "$PP-db:/var/lib/mysql" localhost/lamp/mariadb:1 >/dev/null
  $P run -d --pod "$PP" --name "$PP-memcached" --user memcache localhost/lamp/memcached:1 >/dev/null
  $P run -d --pod "$PP" --name "$PP-php" --user root localhost/lamp/php:1 >/dev/null
  $P run -d --pod "$PP" --name "$PP-nginx" --user www-data localhost/lamp/nginx:1 >/dev/null
  c=$(( ($(date +%s%N) - s) / 1000000 ))
  t=$(until_200 "$s" podman) || { $P logs "$PP-mariadb" >&2 || true; return 1; }
  $P pod rm -f -t 2 "$PP" >/dev/null
  $P volume rm -f "$PP-db" >/dev/null
  echo "$t" | sed "\$s/^/$c /"
}

# (d) liftoff's own pod setup: the same pod (four apps from the same images, the volume, the
# published port, the network) with every app running `sleep infinity` and no start order or
# probes: `run -d` returns once the four have reached execve. The LAMP time minus this is the apps'
# own start-up and the waits of the start order.
grep -v '^after\|^ready' "$W/pod.toml" | sed 's|^\(image = .*\)$|\1\nexec = ["/bin/sleep", "infinity"]|' > "$W/setup.toml"
run_setup() {
  local s c id
  s=$(date +%s%N)
  id=$($L run -d --pod "$W/setup.toml")
  c=$(( ($(date +%s%N) - s) / 1000000 ))
  $L stop "$id" >/dev/null && $L rm "$id" >/dev/null 2>&1 || true
  echo "$c $c"
}

compose_probe
: > "$W/times"
for i in $(seq 1 "$ROUNDS"); do
  for v in liftoff compose podman setup; do
    case $v in
      setup) out=$(run_setup); v=liftoff-setup ;;
      liftoff) out=$(run_liftoff "$W/pod.toml" liftoff) ;;
      compose) [ -n "$COMPOSE_OK" ] || continue; out=$(run_compose); v=liftoff-compose ;;
      podman) out=$(run_podman) ;;
    esac
    grep -v '^[0-9]* [0-9]*$' <<<"$out" || true          # the first page, once per variant
    read -r c t <<<"$(tail -1 <<<"$out")"
    echo "$v $t $c" >> "$W/times"
    printf 'round %d %-16s %6d ms  (start command returned at %d ms)\n' "$i" "$v" "$t" "$c"
  done
done

med() { { grep "^$1 " "$W/times" || true; } | awk -v f="${2:-2}" '{print $f}' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print ""}'; }
ML=$(med liftoff); MC=$(med liftoff-compose); MP=$(med podman)
echo "LAMP pod, start to first HTTP 200 of the PHP page, medians of $ROUNDS alternating rounds (start command returned at):"
printf '  %-16s %6s ms  (%s ms)\n' liftoff "$ML" "$(med liftoff 3)"
[ -n "$MC" ] && printf '  %-16s %6s ms  (%s ms)\n' liftoff-compose "$MC" "$(med liftoff-compose 3)"
printf '  %-16s %6s ms  (%s ms)   podman/liftoff = %s\n' podman "$MP" "$(med podman 3)" "$(awk -v p="$MP" -v l="$ML" 'BEGIN {printf "%.2f", p / l}')"
[ -n "$MC" ] && printf '  podman/liftoff-compose = %s\n' "$(awk -v p="$MP" -v l="$MC" 'BEGIN {printf "%.2f", p / l}')"
MS=$(med liftoff-setup)
printf "  liftoff's own pod setup (same pod, apps sleep, no order or probes: run -d returns) %s ms;\n" "$MS"
printf "  the apps' start-up and the start order's waits: %s ms of liftoff's %s ms\n" "$((ML - MS))" "$ML"
exit 0
