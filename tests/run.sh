#!/usr/bin/env bash
# The test suite: unit tests of every crate and the end-to-end tests in tests/e2e, which drive the
# built `liftoff` binary against real skopeo/umoci/buildah output. Run as root (the e2e tests create
# files owned by other users, device nodes and overlay mounts; as non-root they skip with a message).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --workspace --locked "$@"
