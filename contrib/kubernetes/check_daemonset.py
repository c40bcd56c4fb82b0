#!/usr/bin/env python3
"""Checks daemonset.yaml without a cluster: it parses (PyYAML), says what the
README says (read-only host mounts under /host, one writable textfile
directory, --root /host, --format prometheus, not privileged, a read-only
root filesystem, only the named capabilities, resource limits), and its
loop script parses with `sh -n` and runs here: one round against a test host
tree, with the binary on PATH.

    check_daemonset.py BINARY

Not checked: that a real kubelet accepts it, or that the image builds (no
cluster and no container engine here).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def fail(msg):
    sys.exit(f"check_daemonset: {msg}")


def expect(cond, msg):
    if not cond:
        fail(msg)


def manifest():
    with open(os.path.join(HERE, "daemonset.yaml")) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    kinds = [d.get("kind") for d in docs]
    expect(kinds == ["Namespace", "DaemonSet"], f"documents: {kinds}")
    return docs[1]


def check_spec(ds):
    expect(ds["apiVersion"] == "apps/v1", "apiVersion")
    pod = ds["spec"]["template"]["spec"]
    labels = ds["spec"]["template"]["metadata"]["labels"]
    for k, v in ds["spec"]["selector"]["matchLabels"].items():
        expect(labels.get(k) == v, f"selector {k} does not match the pod's labels")
    expect(not pod.get("hostPID") and not pod.get("hostNetwork"), "hostPID/hostNetwork")
    (c,) = pod["containers"]
    env = {e["name"]: e["value"] for e in c["env"]}
    expect(env.get("HOST_ROOT") == "/host", "HOST_ROOT is /host")
    script = c["args"][0]
    expect(c["command"] == ["/bin/sh", "-c"], "command")
    expect('--root "$HOST_ROOT"' in script, "--root /host")
    expect("--format prometheus" in script, "--format prometheus")

    sc = c["securityContext"]
    expect(sc["readOnlyRootFilesystem"] is True, "readOnlyRootFilesystem")
    expect(sc["privileged"] is False, "not privileged")
    expect(sc["allowPrivilegeEscalation"] is False, "no privilege escalation")
    expect(sc["capabilities"]["drop"] == ["ALL"], "drops every capability")
    added = set(sc["capabilities"]["add"])
    expect(added == {"DAC_READ_SEARCH", "SYS_PTRACE"}, f"capabilities added: {added}")
    for kind in ("requests", "limits"):
        expect({"cpu", "memory"} <= set(c["resources"][kind]), f"resources.{kind}")

    volumes = {v["name"]: v["hostPath"] for v in pod["volumes"]}
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    expect(set(volumes) == set(mounts), "every volume is mounted once")
    writable = [n for n, m in mounts.items() if not m.get("readOnly")]
    expect(writable == ["textfile"], f"writable mounts: {writable}")
    expect(mounts["textfile"]["mountPath"] == env["TEXTFILE_DIR"], "TEXTFILE_DIR")
    for name, m in mounts.items():
        if name == "textfile":
            continue
        host = volumes[name]["path"]
        expect(m["mountPath"] == "/host" + host, f"{name}: {host} is under /host as itself")
    host_paths = {v["path"] for v in volumes.values()}
    for need in ("/sys", "/proc", "/etc", "/run"):
        expect(need in host_paths, f"{need} is mounted")
    return script, env


def run_round(script, binary, root, textfile, until):
    """Runs the container's script with the binary on PATH until
    `until(log)` holds (one round, then it sleeps), then stops it; returns
    what it wrote to standard error (the container log)."""
    env = dict(os.environ)
    env.update(
        HOST_ROOT=root,
        TEXTFILE_DIR=textfile,
        INTERVAL_SECONDS="3600",
        PATH=os.path.dirname(binary) + os.pathsep + env.get("PATH", ""),
    )
    with tempfile.TemporaryFile("w+") as log:
        p = subprocess.Popen(["sh", "-c", script], env=env, stderr=log)
        read = lambda: (log.seek(0), log.read())[1]
        deadline = time.monotonic() + 60
        try:
            while not until(read()) and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.1)
            expect(p.poll() is None, f"the loop ended: exit {p.returncode}: {read()}")
            expect(until(read()), f"no round finished within 60 s: {read()}")
            time.sleep(0.3)  # a round that just finished is asleep now
        finally:
            p.kill()
            p.wait()
        return read()


def main():
    binary = os.path.abspath(sys.argv[1])
    script, _ = check_spec(manifest())
    r = subprocess.run(["sh", "-n", "-c", script], capture_output=True, text=True)
    expect(r.returncode == 0, f"sh -n: {r.stderr}")

    has_prometheus = "prometheus" in subprocess.run(
        [binary, "check", "--help"], capture_output=True, text=True
    ).stdout
    work = tempfile.mkdtemp()
    try:
        prom = os.path.join(work, "sriov_doctor.prom")
        leftovers = lambda: sorted(set(os.listdir(work)) - {"sriov_doctor.prom"})
        # A tool error (a root that is not there: exit 2) keeps the last good file.
        with open(prom, "w") as f:
            f.write("# the last good report\n")
        err = run_round(script, binary, os.path.join(work, "missing"), work,
                        lambda log: "exited 2" in log)
        expect(open(prom).read() == "# the last good report\n", "a failed round replaced the file")
        expect(leftovers() == [], f"files left behind: {leftovers()}")
        # (Before --format prometheus exists, the tool's error is about it.)
        why = "missing" if has_prometheus else "'prometheus'"
        expect(why in err, f"the tool's error is not in the log: {err!r}")

        if has_prometheus:
            os.remove(prom)
            root = os.path.join(REPO, "tests/hosts/seed-host-driver/root")
            run_round(script, binary, root, work, lambda log: os.path.exists(prom))
            text = open(prom).read()
            expect("sriov" in text and text.endswith("\n"), f"metrics: {text[:200]!r}")
            expect(leftovers() == [], f"files left behind: {leftovers()}")
            print(f"check_daemonset: one round wrote {len(text.splitlines())} lines of metrics")
        else:
            print("check_daemonset: this build has no --format prometheus yet: the round "
                  "that writes metrics was not run (the failing round was)")
    finally:
        shutil.rmtree(work)
    print("check_daemonset: daemonset.yaml passed")


if __name__ == "__main__":
    main()
