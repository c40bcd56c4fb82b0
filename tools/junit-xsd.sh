#!/usr/bin/env bash
# Fetches the JUnit XML schema that tests/it/junit.rs validates `check --format
# junit` against: junit-10.xsd, the JUnit schema of Jenkins' xUnit plugin
# (MIT, Gregory Boissinot), which pytest's source distribution on PyPI ships
# for its own JUnit XML tests. It is not kept in this repository: this
# script takes it from that package, checks its hash, and writes it to
# target/junit-xsd/junit-10.xsd (or to the path given), where the test
# looks for it (JUNIT_XSD overrides the path).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-target/junit-xsd/junit-10.xsd}
version=9.2.0
member="pytest-$version/testing/example_scripts/junit-10.xsd"
sha256=a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6

if [ -f "$out" ] && echo "$sha256  $out" | sha256sum --check --status -; then
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps \
    --no-binary :all: -d "$tmp" "pytest==$version"
tar -xzf "$tmp/pytest-$version.tar.gz" -C "$tmp" "$member"
if ! echo "$sha256  $tmp/$member" | sha256sum --check --status -; then
    echo "junit-xsd: $member from pytest $version does not have the expected hash" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"
cp "$tmp/$member" "$out"
echo "junit-xsd: wrote $out (from pytest $version on PyPI)"
