#!/bin/sh
# Start MariaDB on /var/lib/mysql, which is an empty volume at the pod's first start: copy in the
# datadir made at image build time (mariadb-install-db, user lamp, database lamp) instead of
# initialising one now. Works as mysql (liftoff pod file: volume uid/gid = mysql's) and as root
# (compose, podman without --user: the volume is root's; it is chowned and mariadbd drops to mysql).
set -eu
D=/var/lib/mysql
if [ ! -d "$D/mysql" ]; then
    cp -a /usr/local/share/lamp/datadir/. "$D/"
fi
if [ "$(id -u)" = 0 ]; then
    [ "$(stat -c %U "$D")" = mysql ] || chown -R mysql:mysql "$D"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    exec mariadbd --user=mysql "$@"
fi
exec mariadbd "$@"
