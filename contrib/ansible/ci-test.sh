#!/usr/bin/env bash
# Runs playbook.yml for real, with ansible-core from PyPI, against two
# inventory hosts on this machine (ansible_connection=local), each checking a
# different test host tree with --root:
#   hostA: tests/hosts/seed-ready        (ready)
#   hostB: tests/hosts/seed-host-driver  with --device 03:10.0 (the VF is on
#          igbvf: device.host-driver fails)
# then checks the reports, the bundles, the summary, and that a second run
# changes nothing.
#
#   contrib/ansible/ci-test.sh [BINARY]    (default: the release build)
#
# Called by .ci/run after the release build. ansible-core goes into a venv
# under target/ (kept between runs on the same machine).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
bin=$(realpath "${1:-target/x86_64-unknown-linux-gnu/release/sriov-doctor}")
ansible_version=2.19.14 # the last ansible-core series that runs on Python 3.11

venv=target/ansible-venv
# (Read whole before grep: with pipefail, grep -q's early exit would fail
# the pipe on SIGPIPE and reinstall every time.)
installed=$("$venv/bin/ansible-playbook" --version 2>/dev/null || true)
if [[ $installed != *"core $ansible_version]"* ]]; then
    rm -rf "$venv"
    start=$(date +%s)
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "ansible-core==$ansible_version"
    echo "ansible-core $ansible_version installed in $(($(date +%s) - start)) s"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/inventory.ini" <<EOF
[fleet]
hostA sriov_doctor_root=$repo/tests/hosts/seed-ready/root
hostB sriov_doctor_root=$repo/tests/hosts/seed-host-driver/root sriov_doctor_check_args='["--device", "03:10.0"]'

[fleet:vars]
ansible_connection=local
ansible_python_interpreter="{{ ansible_playbook_python }}"
sriov_doctor_become=false
sriov_doctor_remote_dir=$work/remote/{{ inventory_hostname }}
EOF

export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0
playbook() {
    "$venv/bin/ansible-playbook" -i "$work/inventory.ini" contrib/ansible/playbook.yml \
        -e "sriov_doctor_binary=$bin" -e "sriov_doctor_reports=$work/reports" "$@"
}
fail() {
    echo "ansible ci-test: $*" >&2
    exit 1
}

start=$(date +%s)
playbook -e sriov_doctor_bundle=true | tee "$work/run1.log"
echo "first playbook run: $(($(date +%s) - start)) s"

reports=$work/reports
for h in hostA hostB; do
    [ -s "$reports/$h.json" ] || fail "no report fetched for $h"
    [ -s "$reports/$h.bundle.json.gz" ] || fail "no bundle fetched for $h"
    [ -x "$work/remote/$h/sriov-doctor" ] || fail "binary not copied to $h"
done
# Each bundle replays to the report fetched from the same host.
for h in hostA hostB; do
    args=()
    [ "$h" = hostB ] && args=(--device 03:10.0)
    set +e
    "$bin" check --bundle "$reports/$h.bundle.json.gz" --format json "${args[@]}" >"$work/$h.replay.json"
    set -e
    python3 - "$reports/$h.json" "$work/$h.replay.json" <<'EOF' || fail "$h: the bundle does not replay to the report"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["findings"] == b["findings"], "findings differ"
EOF
done

summary=$reports/summary.txt
cat "$summary"
grep -Eq '^hostA +READY ' "$summary" || fail "hostA is not READY in the summary"
grep -Eq '^hostB +NOT READY ' "$summary" || fail "hostB is not NOT READY in the summary"
grep -q 'FAIL device.host-driver  0000:03:10.0' "$summary" || fail "hostB's failing rule and subject are missing"
grep -q '| hostB | FAIL | `device.host-driver` | 0000:03:10.0 |' "$reports/summary.md" || fail "summary.md lacks hostB's failure"
python3 - "$reports/summary.json" <<'EOF' || fail "summary.json is wrong"
import json, sys
s = json.load(open(sys.argv[1]))
hosts = {h["name"]: h for h in s["hosts"]}
assert sorted(hosts) == ["hostA", "hostB"], hosts.keys()
assert hosts["hostA"]["result"] == "ready", hosts["hostA"]["result"]
b = hosts["hostB"]["rules"]["device.host-driver"]
assert b["status"] == "fail" and b["failing"] == ["0000:03:10.0"], b
assert s["not_ready"] == 1 and s["errors"] == []
EOF
# The play recap: both hosts ran, none failed.
grep -Eq '^hostA +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' "$work/run1.log" || fail "hostA did not run cleanly"
grep -Eq '^hostB +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' "$work/run1.log" || fail "hostB did not run cleanly"

# Idempotent: the same run again (without the bundle, whose creation time
# differs each time) changes nothing.
start=$(date +%s)
playbook | tee "$work/run2.log" >/dev/null
echo "second playbook run: $(($(date +%s) - start)) s"
grep -Eq '^hostA +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$work/run2.log" || fail "second run changed hostA: $(grep -A3 RECAP "$work/run2.log")"
grep -Eq '^hostB +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$work/run2.log" || fail "second run changed hostB: $(grep -A3 RECAP "$work/run2.log")"

# A host where the tool cannot run (a --root that does not exist: exit 2)
# fails, and the summary still covers the other.
sed -i "s|^hostA .*|hostA sriov_doctor_root=$work/no-such-tree|" "$work/inventory.ini"
set +e
playbook >"$work/run3.log" 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a host whose check exits 2 did not fail the run"
grep -Eq '^hostA +: .*failed=1' "$work/run3.log" || fail "hostA should have failed: $(tail -5 "$work/run3.log")"
grep -q 'no-such-tree' "$work/run3.log" || fail "the error does not name the missing root"
grep -Eq '^hostB +NOT READY ' "$reports/summary.txt" || fail "hostB missing from the summary of the partial run"
if grep -Eq '^hostA ' "$reports/summary.txt"; then fail "failed hostA is in the summary"; fi

echo "ansible ci-test: 3 playbook runs passed"
