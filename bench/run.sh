#!/usr/bin/env bash
# Performance benchmark of sriov-doctor. Run from the repository root:
#
#   bench/run.sh [bench.py options]        e.g. bench/run.sh --rounds 11
#
# 1. builds the release binary (cargo build --release);
# 2. installs pciutils with apt-get when `lspci` is missing (lspci -k is the yardstick);
# 3. generates five host trees with tools/mkbighost.py (deterministic, ~5 s for the big one):
#      bench/out/big    8 E810 PFs x 256 VFs (2,048 VFs, ~2,069 PCI devices), 4,000 processes
#      bench/out/vf512  2 PFs x 256 VFs, same processes
#      bench/out/vf128  1 PF x 128 VFs, same processes
#      bench/out/procs20k  1 PF x 16 VFs, 20,000 processes (~10 s); procs0: no processes
#    (bench/out/ is ignored by git; the trees are rewritten on every run);
# 4. runs bench/bench.py, which times the commands round-robin and prints the figures next
#    to their targets (see its docstring).
#
# The benchmark reports; it does not judge: it exits 0 whether the targets are met or not
# (a failed build, install or generation still stops it with an error).
set -euo pipefail

if [[ ! -f Cargo.toml || ! -f tools/mkbighost.py ]]; then
    echo "bench/run.sh: run it from the repository root" >&2
    exit 2
fi

cargo build --release

if ! command -v lspci >/dev/null 2>&1; then
    echo "lspci not found: installing pciutils" >&2
    if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq pciutils
fi

mkdir -p bench/out
python3 tools/mkbighost.py bench/out/big   --pfs 8 --vfs-per-pf 256
python3 tools/mkbighost.py bench/out/vf512 --pfs 2 --vfs-per-pf 256
python3 tools/mkbighost.py bench/out/vf128 --pfs 1 --vfs-per-pf 128
python3 tools/mkbighost.py bench/out/procs20k --pfs 1 --vfs-per-pf 16 --procs 20000
python3 tools/mkbighost.py bench/out/procs0 --pfs 1 --vfs-per-pf 16 --procs 0

# .cargo/config.toml names the target (static build), hence the path.
python3 bench/bench.py --bin target/x86_64-unknown-linux-gnu/release/sriov-doctor \
    --big bench/out/big --vf512 bench/out/vf512 --vf128 bench/out/vf128 \
    --procs20k bench/out/procs20k --procs0 bench/out/procs0 "$@"
