#!/usr/bin/env bash
# The parts of remapping measured alone (tests/bench/userns.sh measures the whole pod start, where
# the noise of this machine is about ±2 ms): a pod's user namespace next to namespaces without one,
# and an app's Landlock domain next to none. Root only; needs gcc. Each is run twice, alternating.
set -euo pipefail
cd "$(dirname "$0")/userns-parts"
T=$(mktemp -d /tmp/liftoff-bench-parts.XXXXXX)
trap 'rm -rf "$T"' EXIT
gcc -O2 -o "$T/landlock" landlock.c
gcc -O2 -o "$T/namespaces" namespaces.c
for i in 1 2; do "$T/namespaces" 0; "$T/namespaces" 1; done
for i in 1 2; do "$T/landlock" 0; "$T/landlock" 2; done
