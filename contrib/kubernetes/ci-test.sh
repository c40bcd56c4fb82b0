#!/usr/bin/env bash
# Checks daemonset.yaml (check_daemonset.py) with PyYAML from the venv that
# contrib/ansible/ci-test.sh made (ansible-core depends on PyYAML), else the
# system's python3.
#
#   contrib/kubernetes/ci-test.sh [BINARY]    (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-target/x86_64-unknown-linux-gnu/release/sriov-doctor}")
py=target/ansible-venv/bin/python
[ -x "$py" ] || py=python3
"$py" -c 'import yaml' 2>/dev/null || {
    echo "kubernetes ci-test: PyYAML is missing (run contrib/ansible/ci-test.sh first)" >&2
    exit 1
}
"$py" contrib/kubernetes/check_daemonset.py "$bin"
