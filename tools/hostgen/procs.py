"""Processes: /proc/PID as fs/proc lays it out, and the daemons every virtualization host runs.

cmdline is the argv area (NUL after every argument), comm the 15-character
task name and a newline, status the "Key:\tvalue" lines of proc_pid_status()
for the kernel in question, limits the table of proc_pid_limits()
("%-25s %-20s %-20s %-10s", "unlimited" for RLIM_INFINITY, no unit for the
nice/realtime priorities), and fd/N a symlink whose target is what d_path()
gives: the canonical path of an opened file (/dev/vfio/9; a sysfs file by its
sys/devices path), "socket:[inode]", "pipe:[inode]" or "anon_inode:<name>". The
targets are values: they need not exist in the tree and a reader must never
follow them. The metadata gives /proc/PID and its files the task's owner.
"""

LIMIT_NAMES = [("Max cpu time", "seconds"), ("Max file size", "bytes"),
               ("Max data size", "bytes"), ("Max stack size", "bytes"),
               ("Max core file size", "bytes"), ("Max resident set", "bytes"),
               ("Max processes", "processes"), ("Max open files", "files"),
               ("Max locked memory", "bytes"), ("Max address space", "bytes"),
               ("Max file locks", "locks"), ("Max pending signals", "signals"),
               ("Max msgqueue size", "bytes"), ("Max nice priority", None),
               ("Max realtime priority", None), ("Max realtime timeout", "us")]

GIB = 1024 ** 3


def limits_text(*, memlock, nofile=(1024, 524288), nproc=63364, stack=8388608,
                core=(0, None)):
    """None = unlimited. nproc also sizes RLIMIT_SIGPENDING (both default to the
    kernel's max_threads / 2)."""
    vals = [(None, None), (None, None), (None, None), (stack, None), core, (None, None),
            (nproc, nproc), nofile, memlock, (None, None), (None, None), (nproc, nproc),
            (819200, 819200), (0, 0), (0, 0), (None, None)]
    lines = ["%-25s %-20s %-20s %-10s" % ("Limit", "Soft Limit", "Hard Limit", "Units")]
    for (name, unit), (soft, hard) in zip(LIMIT_NAMES, vals):
        line = "%-25s %-20s %-20s " % (name, "unlimited" if soft is None else soft,
                                       "unlimited" if hard is None else hard)
        if unit:
            line += "%-10s" % unit
        lines.append(line)
    return "\n".join(lines) + "\n"


CAPS_ALL_514 = "000001ffffffffff"   # CAP_LAST_CAP 40 (CAP_CHECKPOINT_RESTORE)
CAPS_ALL_310 = "0000001fffffffff"   # CAP_LAST_CAP 36 (CAP_BLOCK_SUSPEND) on RHEL 7
CAPS_NONE = "0000000000000000"
MEMS_ALLOWED_2NODES = ",".join(["00000000"] * 31 + ["00000003"])  # NODES_SHIFT 10


def status_text(kernel, *, name, pid, ppid, uid, gid, groups, threads, vm, caps,
                state="S (sleeping)", umask="0022", fdsize=64, seccomp=(0, 0),
                sig=(0, 0x1000, 0x4000), ctxt=(1000, 10), pgid=None, sid=None,
                cpus=("ffff", "0-15"), mems=(MEMS_ALLOWED_2NODES, "0-1")):
    """/proc/PID/status of RHEL 9's 5.14 (kernel "5.14") or RHEL 7's 3.10 ("3.10"),
    whose status lacks the NS* lines, HugetlbPages, CoreDumping, THP_enabled,
    Seccomp_filters and SpeculationIndirectBranch. vm: kB values."""
    def kb(key, v):
        return "%s:\t%8d kB" % (key, v)
    capbnd = CAPS_ALL_514 if kernel == "5.14" else CAPS_ALL_310
    capeff = (CAPS_ALL_514 if kernel == "5.14" else CAPS_ALL_310) if caps else CAPS_NONE
    lines = ["Name:\t%s" % name, "Umask:\t%s" % umask, "State:\t%s" % state,
             "Tgid:\t%d" % pid, "Ngid:\t0", "Pid:\t%d" % pid, "PPid:\t%d" % ppid,
             "TracerPid:\t0", "Uid:\t%d\t%d\t%d\t%d" % (uid, uid, uid, uid),
             "Gid:\t%d\t%d\t%d\t%d" % (gid, gid, gid, gid), "FDSize:\t%d" % fdsize,
             "Groups:\t%s " % " ".join(str(g) for g in sorted(groups))]
    if kernel == "5.14":
        lines += ["NStgid:\t%d" % pid, "NSpid:\t%d" % pid, "NSpgid:\t%d" % (pgid or pid),
                  "NSsid:\t%d" % (sid or pid)]
    lines += [kb("VmPeak", vm["peak"]), kb("VmSize", vm["size"]), kb("VmLck", vm.get("lck", 0)),
              kb("VmPin", 0), kb("VmHWM", vm["hwm"]), kb("VmRSS", vm["rss"]),
              kb("RssAnon", vm["rss"] - vm["file"] - vm.get("shmem", 0)),
              kb("RssFile", vm["file"]), kb("RssShmem", vm.get("shmem", 0)),
              kb("VmData", vm["data"]), kb("VmStk", 132), kb("VmExe", vm["exe"]),
              kb("VmLib", vm["lib"]), kb("VmPTE", vm["pte"]), kb("VmSwap", 0)]
    if kernel == "5.14":
        lines += [kb("HugetlbPages", vm.get("huge", 0)), "CoreDumping:\t0", "THP_enabled:\t1"]
    lines += ["Threads:\t%d" % threads, "SigQ:\t0/63364", "SigPnd:\t0000000000000000",
              "ShdPnd:\t0000000000000000", "SigBlk:\t%016x" % sig[0],
              "SigIgn:\t%016x" % sig[1], "SigCgt:\t%016x" % sig[2],
              "CapInh:\t0000000000000000", "CapPrm:\t%s" % capeff, "CapEff:\t%s" % capeff,
              "CapBnd:\t%s" % (capbnd if caps else CAPS_NONE), "CapAmb:\t0000000000000000",
              "NoNewPrivs:\t0", "Seccomp:\t%d" % seccomp[0]]
    if kernel == "5.14":
        lines += ["Seccomp_filters:\t%d" % seccomp[1],
                  "Speculation_Store_Bypass:\tthread vulnerable",
                  "SpeculationIndirectBranch:\tconditional enabled"]
    else:
        lines += ["Speculation_Store_Bypass:\tthread vulnerable"]
    lines += ["Cpus_allowed:\t%s" % cpus[0], "Cpus_allowed_list:\t%s" % cpus[1],
              "Mems_allowed:\t%s" % mems[0], "Mems_allowed_list:\t%s" % mems[1],
              "voluntary_ctxt_switches:\t%d" % ctxt[0],
              "nonvoluntary_ctxt_switches:\t%d" % ctxt[1]]
    return "\n".join(lines) + "\n"


def add_process(h, pid, *, comm, argv, fds, limits, vm, uid=0, gid=0, groups=(), ppid=1,
                threads=1, caps=None, kernel="5.14", raw_cmdline=None, **status):
    """A process under proc/<pid>: cmdline, comm, status, limits and fd/ links.
    caps: full capability set (root daemons) unless told otherwise."""
    base = "proc/%d" % pid
    h.files[base + "/cmdline"] = raw_cmdline if raw_cmdline is not None else "".join(a + "\0" for a in argv)
    h.files[base + "/comm"] = comm[:15] + "\n"
    h.files[base + "/status"] = status_text(kernel, name=comm[:15], pid=pid, ppid=ppid, uid=uid,
                                            gid=gid, groups=groups, threads=threads, vm=vm,
                                            caps=(uid == 0) if caps is None else caps, **status)
    h.files[base + "/limits"] = limits
    links = [("%s/fd/%d" % (base, n), target) for n, target in fds]

    def hook(t):
        for rel, text in links:
            t.abs_link(rel, text)
        # /proc/PID belongs to the task's owner; fd/ is dr-x------ (ptrace access needed)
        t.meta.append(dict(path=base, mode="0555", uid=uid, gid=gid))
        t.meta.append(dict(path=base + "/fd", mode="0500", uid=uid, gid=gid))
        for f, mode in (("cmdline", "0444"), ("comm", "0644"), ("limits", "0444"),
                        ("status", "0444")):
            t.meta.append(dict(path="%s/%s" % (base, f), mode=mode, uid=uid, gid=gid))
    h.post_render.append(hook)


def rhel9_daemons(h, *, extra_logs=()):
    """systemd, sshd, virtlogd and libvirtd of a RHEL 9 virtualization host: processes
    a holder scan reads and skips (none has /dev/vfio open)."""
    root_limits = limits_text(memlock=(8388608, 8388608), nofile=(1024, 524288))
    add_process(h, 1, comm="systemd", kernel="5.14", threads=1, sig=(0x7BE3C0FE28014A03, 0x1000, 0x1A4),
                argv=["/usr/lib/systemd/systemd", "--switched-root", "--system", "--deserialize", "31"],
                limits=limits_text(memlock=(8388608, 8388608), nofile=(1073741816, 1073741816)),
                vm=dict(peak=238072, size=173548, hwm=17840, rss=17124, file=9880, shmem=0,
                        data=24864, exe=876, lib=10928, pte=96),
                fdsize=256, ppid=0, ctxt=(288431, 5231),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "/dev/kmsg"), (4, "anon_inode:[eventpoll]"), (5, "anon_inode:[signalfd]"),
                     (6, "anon_inode:inotify"), (7, "/sys/fs/cgroup"),
                     (8, "anon_inode:[timerfd]"), (9, "anon_inode:[eventpoll]"),
                     (10, "/proc/1/mountinfo"), (11, "anon_inode:inotify"),
                     (14, "socket:[16871]"), (15, "socket:[16873]"), (16, "/run/initctl")])
    add_process(h, 1021, comm="sshd", kernel="5.14",
                raw_cmdline="sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups" + "\0" * 7,
                argv=None, limits=root_limits,
                vm=dict(peak=15856, size=15856, hwm=9164, rss=9164, file=7864, shmem=0,
                        data=1092, exe=484, lib=8580, pte=68),
                ctxt=(31, 2),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "socket:[22317]"), (4, "socket:[22319]")])
    add_process(h, 1284, comm="virtlogd", kernel="5.14", argv=["/usr/sbin/virtlogd"],
                limits=root_limits,
                vm=dict(peak=155232, size=155232, hwm=7120, rss=7120, file=6544, shmem=0,
                        data=17400, exe=48, lib=13344, pte=76),
                threads=2, ctxt=(880, 3),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "socket:[21040]"), (4, "socket:[21042]"), (5, "anon_inode:[eventfd]"),
                     (6, "/run/virtlogd.pid")] + list(extra_logs))
    add_process(h, 1290, comm="libvirtd", kernel="5.14",
                argv=["/usr/sbin/libvirtd", "--timeout", "120"],
                limits=limits_text(memlock=(8388608, 8388608), nofile=(8192, 8192)),
                vm=dict(peak=1660452, size=1594916, hwm=50768, rss=49212, file=24420,
                        shmem=0, data=322068, exe=412, lib=31956, pte=392),
                threads=19, ctxt=(5120, 41),
                fds=[(0, "/dev/null"), (1, "socket:[21955]"), (2, "socket:[21955]"),
                     (3, "anon_inode:[eventfd]"), (4, "/run/libvirtd.pid"),
                     (5, "socket:[21967]"), (6, "socket:[21969]"), (7, "socket:[21971]"),
                     (8, "anon_inode:[eventfd]"), (9, "socket:[22410]"),
                     (10, "/var/lib/sss/mc/passwd"), (11, "socket:[30312]")])
