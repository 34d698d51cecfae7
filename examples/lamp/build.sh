#!/usr/bin/env bash
# Builds the LAMP example's images (nginx, php-fpm, MariaDB, Memcached) from one debootstrapped
# Debian bookworm base, exports each to an OCI layout, signs it, trusts the key and fetches it into
# liftoff's store. Root, Debian 12. The images also stay in containers-storage (podman, buildah).
#   examples/lamp/build.sh [OUT]          OUT: layouts and key (default $LAMP_OUT or ./out)
#   LAMP_NO_FETCH=1   stop after signing (fetch into your own LIFTOFF_DIR later)
#   LAMP_KEY=PREFIX   sign with PREFIX.key (default: OUT/lamp, generated when missing)
#   LAMP_REBUILD=1    rebuild images that already exist in containers-storage
#   LAMP_MIRROR=URL   Debian mirror (default: the first URIs: in /etc/apt/sources.list.d, else deb.debian.org)
#   LAMP_DB_PASSWORD  the `lamp` MariaDB user's password (default lamp)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-${LAMP_OUT:-./out}}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
KEY=${LAMP_KEY:-$OUT/lamp}
DBPW=${LAMP_DB_PASSWORD:-lamp}
MYSQL_ID=990   # mysql's uid and gid in the mariadb image; pod.toml's dbdata volume uses them
NAMES=(nginx php mariadb memcached)
export DEBIAN_FRONTEND=noninteractive
[ "$(id -u)" = 0 ] || { echo "build.sh: run as root" >&2; exit 1; }

need=()
for p in buildah:buildah debootstrap:debootstrap skopeo:skopeo podman:podman; do
  command -v "${p%%:*}" >/dev/null || need+=("${p#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v liftoff >/dev/null || { echo "build.sh: liftoff is not in PATH" >&2; exit 1; }

MIRROR=${LAMP_MIRROR:-$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

OLD=()   # images replaced by LAMP_REBUILD, removed (children first) once all are built
exists() { [ -z "${LAMP_REBUILD:-}" ] && buildah inspect --type image "$1" >/dev/null 2>&1; }
CTR=
cleanup() { [ -n "$CTR" ] && buildah rm "$CTR" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# The shared base: debootstrap --variant=minbase into a scratch container.
if exists localhost/lamp/base:1; then
  echo "== base: localhost/lamp/base:1 exists"
else
  echo "== base: debootstrap bookworm from $MIRROR"
  CTR=$(buildah from scratch)
  MNT=$(buildah mount "$CTR")
  debootstrap --variant=minbase bookworm "$MNT" "$MIRROR" >/dev/null
  chroot "$MNT" apt-get clean
  find "$MNT/dev" -mindepth 1 -delete   # pods and containers get their own /dev
  rm -rf "$MNT"/var/lib/apt/lists/* "$MNT"/var/cache/apt/*.bin "$MNT"/var/log/*.log "$MNT"/var/log/apt/* \
    "$MNT"/usr/share/doc/* "$MNT"/usr/share/man/* "$MNT"/usr/share/info/*
  # Keep images small: no docs, man pages or translations from later installs.
  cat > "$MNT/etc/dpkg/dpkg.cfg.d/01-lamp-nodoc" <<'CFG'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$MNT/etc/apt/apt.conf.d/01-lamp-norecommends"
  buildah umount "$CTR" >/dev/null
  buildah config --cmd /bin/bash --env LANG=C.UTF-8 "$CTR"
  prev=$(buildah inspect --type image --format '{{.FromImageID}}' localhost/lamp/base:1 2>/dev/null || true)
  buildah commit -q --rm "$CTR" localhost/lamp/base:1 >/dev/null; CTR=
  [ -z "$prev" ] || OLD=("$prev" "${OLD[@]}")
fi

# image NAME SETUP_FUNCTION: a container from the base, apt-get install, setup, commit.
image() {
  local name=$1 setup=$2
  if exists "localhost/lamp/$name:1"; then echo "== $name: localhost/lamp/$name:1 exists"; return; fi
  echo "== $name"
  CTR=$(buildah from localhost/lamp/base:1)
  "$setup"
  buildah run --isolation chroot --user 0:0 "$CTR" -- sh -c 'apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log /tmp/*'
  local prev; prev=$(buildah inspect --type image --format '{{.FromImageID}}' "localhost/lamp/$name:1" 2>/dev/null || true)
  buildah commit -q --rm "$CTR" "localhost/lamp/$name:1" >/dev/null; CTR=
  [ -z "$prev" ] || OLD=("$prev" "${OLD[@]}")
}
apt() { buildah run --isolation chroot --user 0:0 "$CTR" -- sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $* >/dev/null"; }

setup_nginx() {
  apt nginx-light
  buildah run --isolation chroot --user 0:0 "$CTR" -- sh -c 'rm -rf /etc/nginx/sites-enabled /etc/nginx/conf.d /var/www/html/* /var/log/nginx/*'
  buildah copy -q "$CTR" "$HERE/conf/nginx.conf" /etc/nginx/nginx.conf >/dev/null
  buildah copy -q --chown 0:0 "$CTR" "$HERE/html/" /var/www/html/ >/dev/null
  buildah config --user www-data --port 8080/tcp --entrypoint '["/usr/sbin/nginx"]' --cmd '[]' "$CTR"
}
setup_php() {
  apt php8.2-fpm php8.2-mysql php8.2-memcached
  buildah copy -q "$CTR" "$HERE/conf/php-fpm.conf" /etc/php/8.2/fpm/php-fpm.conf >/dev/null
  buildah run --isolation chroot --user 0:0 "$CTR" -- sh -c 'rm -rf /etc/php/8.2/fpm/pool.d /var/www/html/*'
  buildah copy -q --chown 0:0 "$CTR" "$HERE/html/" /var/www/html/ >/dev/null
  buildah config --user root --port 9000/tcp --env "LAMP_DB_PASSWORD=$DBPW" \
    --entrypoint '["/usr/sbin/php-fpm8.2", "-F", "-y", "/etc/php/8.2/fpm/php-fpm.conf"]' --cmd '[]' "$CTR"
}
setup_mariadb() {
  # A fixed uid/gid for mysql, made before the package's postinst would pick one.
  buildah run --isolation chroot --user 0:0 "$CTR" -- sh -c "groupadd -r -g $MYSQL_ID mysql && useradd -r -u $MYSQL_ID -g mysql -d /nonexistent -s /bin/false -c 'MariaDB Server' mysql"
  apt mariadb-server
  buildah copy -q "$CTR" "$HERE/conf/mariadb.cnf" /etc/mysql/mariadb.conf.d/99-lamp.cnf >/dev/null
  buildah copy -q "$CTR" "$HERE/conf/mariadb-entrypoint.sh" /usr/local/bin/lamp-mariadb >/dev/null
  sed "s/LAMP_PASSWORD/$DBPW/g" "$HERE/conf/init.sql" > "$OUT/.init.sql"
  buildah copy -q "$CTR" "$OUT/.init.sql" /tmp/init.sql >/dev/null; rm -f "$OUT/.init.sql"
  # The template datadir: initialised once here, copied into the empty volume at start.
  buildah run --isolation chroot --user 0:0 "$CTR" -- sh -c '
    set -e
    T=/usr/local/share/lamp/datadir
    rm -rf /var/lib/mysql/* "$T"; mkdir -p "$T" /run/mysqld; chown mysql:mysql "$T" /run/mysqld /var/lib/mysql
    mariadb-install-db --user=mysql --datadir="$T" --skip-test-db --innodb-autoextend-increment=1 >/dev/null
    mariadbd --user=mysql --datadir="$T" --bootstrap --skip-networking --innodb-autoextend-increment=1 --log-error=/tmp/bootstrap.err < /tmp/init.sql || { cat /tmp/bootstrap.err; exit 1; }
    rm -f /tmp/init.sql /tmp/bootstrap.err "$T"/*.err "$T"/aria_log_control.lock
    test -d "$T/lamp" && test -d "$T/mysql"'
  buildah config --user mysql --port 3306/tcp --entrypoint '["/usr/local/bin/lamp-mariadb"]' --cmd '[]' "$CTR"
}
setup_memcached() {
  apt memcached
  buildah config --user memcache --port 11211/tcp --entrypoint '["/usr/bin/memcached"]' \
    --cmd '["-u", "memcache", "-l", "127.0.0.1", "-p", "11211", "-m", "64"]' "$CTR"
}
for n in "${NAMES[@]}"; do image "$n" "setup_$n"; done
for id in "${OLD[@]}"; do buildah rmi "$id" >/dev/null 2>&1 || true; done

# Sign and (unless LAMP_NO_FETCH) fetch.
[ -f "$KEY.key" ] || liftoff key gen --out "$KEY" >/dev/null
for n in "${NAMES[@]}"; do
  rm -rf "$OUT/lamp-$n"
  skopeo copy -q "containers-storage:localhost/lamp/$n:1" "oci:$OUT/lamp-$n:1"
  liftoff image sign "oci:$OUT/lamp-$n:1" --identity "example.com/lamp/$n:1" --key "$KEY.key" >/dev/null
  echo "== $n: signed $OUT/lamp-$n:1 as example.com/lamp/$n:1 ($(du -sh "$OUT/lamp-$n" | cut -f1))"
done
if [ -n "${LAMP_NO_FETCH:-}" ]; then
  echo "== not fetched (LAMP_NO_FETCH); to fetch: liftoff trust add --yes --prefix example.com/lamp $KEY.pub; liftoff fetch oci:$OUT/lamp-NAME:1 --as example.com/lamp/NAME:1"
  exit 0
fi
if ! out=$(liftoff trust add --yes --prefix example.com/lamp "$KEY.pub" 2>&1); then
  grep -q 'already trusted' <<<"$out" || { echo "$out" >&2; exit 1; }
fi
for n in "${NAMES[@]}"; do
  liftoff fetch -q "oci:$OUT/lamp-$n:1" --as "example.com/lamp/$n:1"
done
echo "== fetched example.com/lamp/{nginx,php,mariadb,memcached}:1 into ${LIFTOFF_DIR:-/var/lib/liftoff}"
