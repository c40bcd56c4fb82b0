#!/usr/bin/env python3
"""Time sriov-doctor on large generated hosts (normally run through bench/run.sh).

    bench/bench.py [--bin target/x86_64-unknown-linux-gnu/release/sriov-doctor] [--big bench/out/big]
                   [--vf512 bench/out/vf512] [--vf128 bench/out/vf128]
                   [--rounds 7] [--version-rounds 21] [--lspci lspci]

1. On the big host (BIG), after one warm-up run of each, N rounds in which the
   commands run one after the other (round-robin, so drift in the machine's load
   hits all of them alike):
     check --root BIG --format json                  (stdout to /dev/null, as all)
     check --root BIG --device <VF held by guest1>
     explain --root BIG "vfio <that VF>: group <its group> is not viable"
     list --root BIG
     lspci -A linux-sysfs -O sysfs.path=BIG/sys/bus/pci -k     (the yardstick)
   Wall time is time.perf_counter() around fork/exec/wait; peak RSS is the child's
   ru_maxrss from os.wait4() (KiB on Linux). The table gives the median and minimum,
   the ratio of the median to lspci -k's, and the largest peak RSS seen.
2. `check --root H` on vf128, vf512 and big (round-robin, N rounds, one warm-up):
   median ms, median ms per VF, and the per-VF cost at the biggest host over the
   smallest.
3. The holder scan: `check --root H` on procs20k (a small host with 20,000
   processes, 12 fds each) and procs0 (the same host with none), round-robin:
   the median of each and their difference, the cost of reading every
   process's open files.
4. `sriov-doctor --version`, median of 21 runs.
Each figure is printed with its target and "met" / "NOT met". Exit status 0
whatever the figures are: a benchmark reports, it is not a test.
"""

import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import time

TARGETS = {
    "check_ratio": 1.0,      # check (json) median <= 1.0 x lspci -k median
    "focused_ratio": 0.25,   # check --device and explain <= 0.25 x lspci -k
    "check_rss_mib": 32.0,   # peak RSS of check
    "per_vf_ratio": 1.3,     # per-VF cost at the biggest host <= 1.3 x at the smallest
    "version_ms": 5.0,       # --version, strictly below
    "procs20k_ms": 1000.0,   # check on a host with 20,000 processes
}


def run_once(cmd):
    """(wall seconds, peak RSS KiB, exit code) of one child, output discarded."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    t1 = time.perf_counter()
    p.returncode = os.waitstatus_to_exitcode(status)
    return t1 - t0, ru.ru_maxrss, p.returncode


def round_robin(cmds, rounds, warmup=1):
    """cmds: [(label, argv)] -> {label: [(secs, rss_kib, rc), ...]} (warm-ups dropped)."""
    res = {label: [] for label, _ in cmds}
    for _ in range(warmup):
        for label, argv in cmds:
            run_once(argv)
    for _ in range(rounds):
        for label, argv in cmds:
            res[label].append(run_once(argv))
    return res


def med_ms(samples):
    return statistics.median(s[0] for s in samples) * 1000.0


def min_ms(samples):
    return min(s[0] for s in samples) * 1000.0


def rss_mib(samples):
    return max(s[1] for s in samples) / 1024.0


def verdict(ok):
    return "met" if ok else "NOT met"


def count_vfs(root):
    return len(glob.glob(os.path.join(root, "sys/bus/pci/devices/*/physfn")))


def held_vf(root):
    """The VF guest1 holds (from its libvirt state file) and its IOMMU group."""
    states = sorted(glob.glob(os.path.join(root, "run/libvirt/qemu/*.xml")),
                    key=lambda p: (len(p), p))
    for path in states:
        text = open(path).read()
        m = re.search(r"<hostdev mode='subsystem' type='pci'.*?<source>\s*<address domain='0x([0-9a-f]+)' "
                      r"bus='0x([0-9a-f]+)' slot='0x([0-9a-f]+)' function='0x([0-9a-f]+)'/>", text, re.S)
        if m:
            bdf = "%04x:%02x:%02x.%x" % tuple(int(x, 16) for x in m.groups())
            group = os.path.basename(os.readlink(os.path.join(root, "sys/bus/pci/devices", bdf, "iommu_group")))
            return bdf, group, os.path.basename(path)[:-4]
    sys.exit("bench.py: no running guest with a hostdev under %s/run/libvirt/qemu" % root)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/x86_64-unknown-linux-gnu/release/sriov-doctor")
    ap.add_argument("--big", default="bench/out/big")
    ap.add_argument("--vf512", default="bench/out/vf512")
    ap.add_argument("--vf128", default="bench/out/vf128")
    ap.add_argument("--procs20k", default="bench/out/procs20k")
    ap.add_argument("--procs0", default="bench/out/procs0")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--version-rounds", type=int, default=21)
    ap.add_argument("--lspci", default="lspci")
    a = ap.parse_args()
    exe = os.path.abspath(a.bin)
    big = os.path.abspath(a.big)
    n = a.rounds

    nvf_big = count_vfs(big)
    vf, group, guest = held_vf(big)
    ndev = len(os.listdir(os.path.join(big, "sys/bus/pci/devices")))
    nproc = sum(1 for e in os.listdir(os.path.join(big, "proc")) if e.isdigit())
    print("sriov-doctor benchmark · %s" % subprocess.run([exe, "--version"], capture_output=True,
                                                         text=True).stdout.strip())
    print("big host %s: %d PCI devices, %d VFs, %d processes; target VF %s (group %s, held by %s)"
          % (big, ndev, nvf_big, nproc, vf, group, guest))
    print("%d rounds after 1 warm-up, round-robin; wall time = perf_counter, RSS = wait4 ru_maxrss"
          % n)
    print()

    msg = "vfio %s: group %s is not viable" % (vf, group)
    cmds = [
        ("check --format json", [exe, "check", "--root", big, "--format", "json"]),
        ("check --device %s" % vf, [exe, "check", "--root", big, "--device", vf]),
        ("explain \"%s\"" % msg, [exe, "explain", "--root", big, msg]),
        ("list", [exe, "list", "--root", big]),
        ("lspci -k", [a.lspci, "-A", "linux-sysfs", "-O", "sysfs.path=%s/sys/bus/pci" % big, "-k"]),
    ]
    res = round_robin(cmds, n)
    base = med_ms(res["lspci -k"])
    w = max(len(label) for label, _ in cmds)
    print("%-*s  %9s  %9s  %8s  %8s  %s" % (w, "command (big host)", "median ms", "min ms",
                                            "x lspci", "RSS MiB", "exit"))
    for label, _ in cmds:
        s = res[label]
        rcs = sorted(set(x[2] for x in s))
        print("%-*s  %9.1f  %9.1f  %8.2f  %8.1f  %s" % (w, label, med_ms(s), min_ms(s),
                                                     med_ms(s) / base, rss_mib(s),
                                                     ",".join(map(str, rcs))))
    print()

    check_l, dev_l, expl_l = cmds[0][0], cmds[1][0], cmds[2][0]
    r_check = med_ms(res[check_l]) / base
    r_dev = med_ms(res[dev_l]) / base
    r_expl = med_ms(res[expl_l]) / base
    rss_check = max(rss_mib(res[check_l]), rss_mib(res[dev_l]))
    targets = [
        ("check (json) <= %.2fx lspci -k" % TARGETS["check_ratio"], "%.2fx" % r_check,
         r_check <= TARGETS["check_ratio"]),
        ("check --device <= %.2fx lspci -k" % TARGETS["focused_ratio"], "%.2fx" % r_dev,
         r_dev <= TARGETS["focused_ratio"]),
        ("explain <= %.2fx lspci -k" % TARGETS["focused_ratio"], "%.2fx" % r_expl,
         r_expl <= TARGETS["focused_ratio"]),
        ("peak RSS of check <= %.0f MiB" % TARGETS["check_rss_mib"], "%.1f MiB" % rss_check,
         rss_check <= TARGETS["check_rss_mib"]),
    ]

    # scaling with the number of VFs
    hosts = [(os.path.abspath(a.vf128), "vf128"), (os.path.abspath(a.vf512), "vf512"), (big, "big")]
    hosts = [(p, name, count_vfs(p)) for p, name in hosts]
    sres = round_robin([(name, [exe, "check", "--root", p]) for p, name, _ in hosts], n)
    print("%-8s  %6s  %9s  %9s  %12s" % ("check", "VFs", "median ms", "min ms", "ms per VF"))
    per_vf = {}
    for p, name, nvf in hosts:
        s = sres[name]
        per_vf[name] = med_ms(s) / nvf if nvf else float("nan")
        print("%-8s  %6d  %9.1f  %9.1f  %12.4f" % (name, nvf, med_ms(s), min_ms(s), per_vf[name]))
    small, large = hosts[0], hosts[-1]
    scale = per_vf[large[1]] / per_vf[small[1]]
    print("per-VF cost at %d VFs / at %d VFs: %.2f" % (large[2], small[2], scale))
    print()
    targets.append(("per-VF cost at %d <= %.1fx at %d" % (large[2], TARGETS["per_vf_ratio"], small[2]),
                    "%.2fx" % scale, scale <= TARGETS["per_vf_ratio"]))

    # the holder scan
    p20k, p0 = os.path.abspath(a.procs20k), os.path.abspath(a.procs0)
    nproc20k = sum(1 for e in os.listdir(os.path.join(p20k, "proc")) if e.isdigit())
    nproc0 = sum(1 for e in os.listdir(os.path.join(p0, "proc")) if e.isdigit())
    pres = round_robin([("procs20k", [exe, "check", "--root", p20k]),
                        ("procs0", [exe, "check", "--root", p0])], n)
    m20k, m0 = med_ms(pres["procs20k"]), med_ms(pres["procs0"])
    print("%-9s  %9s  %9s  %9s" % ("check", "processes", "median ms", "min ms"))
    for name, count in (("procs20k", nproc20k), ("procs0", nproc0)):
        print("%-9s  %9d  %9.1f  %9.1f" % (name, count, med_ms(pres[name]), min_ms(pres[name])))
    print("reading the open files of %d processes: %.1f ms (%.1f us per process)"
          % (nproc20k - nproc0, m20k - m0, (m20k - m0) * 1000.0 / max(1, nproc20k - nproc0)))
    print()
    targets.append(("check, %d processes <= %.0f ms" % (nproc20k, TARGETS["procs20k_ms"]),
                    "%.0f ms" % m20k, m20k <= TARGETS["procs20k_ms"]))

    # startup
    vres = round_robin([("version", [exe, "--version"])], a.version_rounds)
    v = med_ms(vres["version"])
    print("sriov-doctor --version: median %.2f ms, min %.2f ms (%d runs)"
          % (v, min_ms(vres["version"]), a.version_rounds))
    print()
    targets.append(("--version < %.0f ms" % TARGETS["version_ms"], "%.2f ms" % v,
                    v < TARGETS["version_ms"]))

    tw = max(len(t[0]) for t in targets)
    print("%-*s  %10s  %s" % (tw, "target", "measured", "verdict"))
    for name, value, ok in targets:
        print("%-*s  %10s  %s" % (tw, name, value, verdict(ok)))
    met = sum(1 for t in targets if t[2])
    print("%d of %d targets met" % (met, len(targets)))
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
