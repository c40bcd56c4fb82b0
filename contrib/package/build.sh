#!/usr/bin/env bash
# The .deb and the .rpm, from a release binary: first what it generates
# (contrib/package/assets.sh into target/assets), then cargo-deb and
# cargo-generate-rpm, configured in Cargo.toml ([package.metadata.deb],
# [package.metadata.generate-rpm]); .ci/run installs both, versions pinned.
# Usage: contrib/package/build.sh [BINARY]
#   (default: the release build, target/x86_64-unknown-linux-gnu/release)
# The packages land in target/packages/, and their paths are printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/sriov-doctor}
contrib/package/assets.sh "$bin" target/assets
out=target/packages
rm -rf "$out"
mkdir -p "$out"
# --no-build: the binary is the one given; --no-strip: assets.sh stripped it.
cargo deb --no-build --no-strip --output "$out/" >/dev/null
# xz: a payload that rpm on RHEL 8 reads too (the default, zstd, is newer).
cargo generate-rpm --payload-compress xz --output "$out/" >/dev/null
printf "%s\n" "$PWD/$out"/*.deb "$PWD/$out"/*.rpm
