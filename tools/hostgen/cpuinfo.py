"""/proc/cpuinfo of the hosts' processors, one block per logical CPU as x86 prints it.

Xeon E5520 (the seed hosts; without VT-x when it is off in the BIOS; as a Xen PV
dom0 sees it), Threadripper 3960X (amd-*), Xeon E5-2470 v2 (hp-rmrr) and
Xeon Gold 6242 (the benchmark's big host): their flags, vmx flags and bugs
lines as those kernels show them.
"""

# Xeon E5520 (Nehalem-EP), RHEL 9.4
E5520_FLAGS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
               "dts acpi mmx fxsr sse sse2 ht tm pbe syscall nx rdtscp lm constant_tsc "
               "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni "
               "dtes64 monitor ds_cpl vmx est tm2 ssse3 cx16 xtpr pdcm dca sse4_1 sse4_2 popcnt "
               "lahf_lm pti ssbd ibrs ibpb stibp tpr_shadow vnmi flexpriority ept vpid dtherm ida "
               "flush_l1d")
E5520_VMX_FLAGS = "vnmi preemption_timer invvpid ept_x_only flexpriority tsc_offset vtpr mtf vapic ept vpid"
E5520_BUGS = "cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs itlb_multihit mmio_unknown"
# Xen PV dom0: Xen masks VMX (and the MSR/PMU/monitor bits) from the PV kernel's CPUID
# and Linux sets X86_FEATURE_HYPERVISOR.
E5520_XEN_DOM0_FLAGS = ("fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush acpi mmx fxsr sse "
                        "sse2 ht syscall nx lm constant_tsc rep_good nopl nonstop_tsc cpuid pni est "
                        "ssse3 cx16 sse4_1 sse4_2 popcnt hypervisor lahf_lm pti ssbd ibrs ibpb stibp "
                        "md_clear")

# Threadripper 3960X (Zen 2), Ubuntu 22.04
TR3960X_FLAGS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
                 "mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc "
                 "rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor "
                 "ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm "
                 "cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs "
                 "skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb "
                 "cat_l3 cdp_l3 hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep "
                 "bmi2 cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 "
                 "xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf "
                 "xsaveerptr rdpru wbnoinvd arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean "
                 "flushbyasid decodeassists pausefilter pfthreshold avic v_vmsave_vmload vgif "
                 "v_spec_ctrl umip rdpid overflow_recov succor smca")
TR3960X_BUGS = "sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass retbleed smt_rsb"

# Xeon E5-2470 v2 (Ivy Bridge-EN), RHEL 9.4
E5_2470V2_FLAGS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
                   "dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc "
                   "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni "
                   "pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 cx16 xtpr pdcm pcid dca "
                   "sse4_1 sse4_2 x2apic popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm "
                   "cpuid_fault epb pti intel_ppin ssbd ibrs ibpb stibp tpr_shadow vnmi flexpriority "
                   "ept vpid fsgsbase smep erms xsaveopt dtherm ida arat pln pts md_clear flush_l1d")
E5_2470V2_VMX_FLAGS = ("vnmi preemption_timer posted_intr invvpid ept_x_only ept_1gb flexpriority "
                       "apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest ple")
IVB_CORE_IDS = [0, 1, 2, 3, 4, 8, 9, 10, 11, 12]  # a 10-core Ivy Bridge-EP die

# Xeon Gold 6242 (Cascade Lake), RHEL 9.4
GOLD_FLAGS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts "
              "acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art "
              "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni "
              "pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid "
              "dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand "
              "lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cdp_l3 invpcid_single intel_ppin "
              "ssbd mba ibrs ibpb stibp ibrs_enhanced tpr_shadow vnmi flexpriority ept vpid "
              "ept_ad fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm cqm mpx rdt_a "
              "avx512f avx512dq rdseed adx smap clflushopt clwb intel_pt avx512cd avx512bw "
              "avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total "
              "cqm_mbm_local dtherm ida arat pln pts pku ospke avx512_vnni md_clear flush_l1d "
              "arch_capabilities")
GOLD_VMX = ("vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb flexpriority "
            "apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest vapic_reg vid ple "
            "shadow_vmcs pml ept_mode_based_exec tsc_scaling")
GOLD_BUGS = "spectre_v1 spectre_v2 spec_store_bypass swapgs taa itlb_multihit mmio_stale_data retbleed eibrs_pbrsb gds"


def processor(n, *, vendor="GenuineIntel", family=6, model, name, stepping, microcode, mhz,
              cache_kb, sock, siblings, core, cores, apic, initial_apic=None, level, flags,
              vmx=None, bugs, bogomips, tlb=None, bits, power=""):
    """The block of logical CPU n (show_cpuinfo()), with its trailing blank line."""
    lines = ["processor\t: %d" % n,
             "vendor_id\t: " + vendor,
             "cpu family\t: %d" % family,
             "model\t\t: %d" % model,
             "model name\t: " + name,
             "stepping\t: %d" % stepping,
             "microcode\t: " + microcode,
             "cpu MHz\t\t: " + mhz,
             "cache size\t: %d KB" % cache_kb,
             "physical id\t: %d" % sock,
             "siblings\t: %d" % siblings,
             "core id\t\t: %d" % core,
             "cpu cores\t: %d" % cores,
             "apicid\t\t: %d" % apic,
             "initial apicid\t: %d" % (apic if initial_apic is None else initial_apic),
             "fpu\t\t: yes",
             "fpu_exception\t: yes",
             "cpuid level\t: %d" % level,
             "wp\t\t: yes",
             "flags\t\t: " + flags]
    if vmx:
        lines.append("vmx flags\t: " + vmx)
    lines += ["bugs\t\t: " + bugs, "bogomips\t: " + bogomips]
    if tlb:
        lines.append("TLB size\t: " + tlb)
    lines += ["clflush size\t: 64", "cache_alignment\t: 64", "address sizes\t: " + bits,
              "power management:" + power, "", ""]
    return "\n".join(lines)


def cpuinfo_e5520(vmx=True):
    """2x Xeon E5520 (4 cores, HT): 16 CPUs."""
    flags = E5520_FLAGS
    if not vmx:
        # VT-x disabled in the BIOS: IA32_FEATURE_CONTROL locked without VMX, the
        # kernel clears X86_FEATURE_VMX and never fills in the VMX feature words.
        drop = {"vmx", "tpr_shadow", "vnmi", "flexpriority", "ept", "vpid"}
        flags = " ".join(f for f in flags.split() if f not in drop)
    out = []
    for n in range(16):
        sock = (n // 4) % 2
        core = n % 4
        thread = n // 8
        out.append(processor(
            n, model=26, name="Intel(R) Xeon(R) CPU           E5520  @ 2.27GHz", stepping=5,
            microcode="0x1d", mhz="2266.%03d" % (740 + n * 7 % 200), cache_kb=8192, sock=sock,
            siblings=8, core=core, cores=4, apic=sock * 16 + core * 2 + thread, level=11,
            flags=flags, vmx=E5520_VMX_FLAGS if vmx else None, bugs=E5520_BUGS,
            bogomips="4533.%02d" % (40 + n % 7), bits="40 bits physical, 48 bits virtual"))
    return "".join(out)


def cpuinfo_e5520_xen_dom0(vcpus=4):
    """The E5520 as a Xen PV dom0 with `vcpus` vCPUs sees it."""
    return "".join(processor(
        n, model=26, name="Intel(R) Xeon(R) CPU           E5520  @ 2.27GHz", stepping=5,
        microcode="0x1d", mhz="2266.746", cache_kb=8192, sock=0, siblings=vcpus, core=n,
        cores=vcpus, apic=n, initial_apic=n * 2, level=11, flags=E5520_XEN_DOM0_FLAGS,
        bugs=E5520_BUGS, bogomips="4533.49", bits="40 bits physical, 48 bits virtual")
        for n in range(vcpus))


def cpuinfo_tr3960x():
    """Threadripper 3960X (24 cores in 8 CCXs of 3, SMT): 48 CPUs."""
    out = []
    for n in range(48):
        thread = n // 24
        ccx, k = divmod(n % 24, 3)
        core_id = ccx * 4 + k
        out.append(processor(
            n, vendor="AuthenticAMD", family=23, model=49,
            name="AMD Ryzen Threadripper 3960X 24-Core Processor", stepping=0,
            microcode="0x830107a", mhz="2200.000" if n % 5 else "3800.000", cache_kb=512, sock=0,
            siblings=48, core=core_id, cores=24, apic=core_id * 2 + thread, level=16,
            flags=TR3960X_FLAGS, bugs=TR3960X_BUGS, bogomips="7585.40", tlb="3072 4K pages",
            bits="43 bits physical, 48 bits virtual",
            power=" ts ttp tm hwpstate cpb eff_freq_ro [13] [14]"))
    return "".join(out)


def cpuinfo_e5_2470v2():
    """2x Xeon E5-2470 v2 (10 cores, HT): 40 CPUs."""
    out = []
    for n in range(40):
        sock, core, thread = (n % 20) // 10, IVB_CORE_IDS[n % 10], n // 20
        out.append(processor(
            n, model=62, name="Intel(R) Xeon(R) CPU E5-2470 v2 @ 2.40GHz", stepping=4,
            microcode="0x42e", mhz="2400.000" if n % 3 else "1200.%03d" % (100 + n),
            cache_kb=25600, sock=sock, siblings=20, core=core, cores=10,
            apic=sock * 32 + core * 2 + thread, level=13, flags=E5_2470V2_FLAGS,
            vmx=E5_2470V2_VMX_FLAGS, bugs=E5520_BUGS, bogomips="4799.%02d" % (60 + n % 9),
            bits="46 bits physical, 48 bits virtual"))
    return "".join(out)


def cpuinfo_gold6242():
    """2x Xeon Gold 6242 (16 cores, HT): 64 CPUs."""
    out = []
    for n in range(64):
        sock = (n // 16) % 2
        core = n % 16
        thread = n // 32
        out.append(processor(
            n, model=85, name="Intel(R) Xeon(R) Gold 6242 CPU @ 2.80GHz", stepping=7,
            microcode="0x5003604", mhz="%d.%03d" % (2800, n * 37 % 1000), cache_kb=22528,
            sock=sock, siblings=32, core=core, cores=16, apic=sock * 64 + core * 2 + thread,
            level=22, flags=GOLD_FLAGS, vmx=GOLD_VMX, bugs=GOLD_BUGS, bogomips="5600.00",
            bits="46 bits physical, 48 bits virtual"))
    return "".join(out)
