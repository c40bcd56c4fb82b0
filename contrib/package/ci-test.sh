#!/usr/bin/env bash
# CI: the .deb installed on this machine as a user would (apt-get install
# ./FILE), the installed tool run, its man pages and completions found
# where man and each shell look, then removed with nothing left behind;
# the .rpm's file list read with rpm -qlp. Run as root, after build.sh.
# Usage: contrib/package/ci-test.sh DEB RPM
set -euo pipefail
# apt-get takes a file for a package only by a path with a slash in front.
deb=$(realpath "$1")
rpm=$(realpath "$2")
cd "$(dirname "$0")/../.."
fail() {
    echo "package test: $*" >&2
    exit 1
}
files=(
    /usr/bin/sriov-doctor
    /usr/share/man/man1/sriov-doctor.1.gz
    /usr/share/man/man1/sriov-doctor-check.1.gz
    /usr/share/bash-completion/completions/sriov-doctor
    /usr/share/zsh/vendor-completions/_sriov-doctor
    /usr/share/fish/vendor_completions.d/sriov-doctor.fish
)

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
for f in "${files[@]}"; do
    [ -f "$f" ] || fail "$f not installed"
done
[ "$(command -v sriov-doctor)" = /usr/bin/sriov-doctor ] ||
    fail "sriov-doctor on PATH is $(command -v sriov-doctor)"
version=$(sriov-doctor --version)
echo "installed: $version"
[ "$version" = "sriov-doctor $(dpkg-deb -f "$deb" Version | sed 's/-[^-]*$//')" ] ||
    fail "--version says '$version'"
out=$(sriov-doctor check --root tests/hosts/seed-ready/root --color never) ||
    fail "check on seed-ready: exit $?"
grep -q READY <<<"$out" || fail "check on seed-ready: no verdict: $out"

# man finds every page in its own index.
if command -v man >/dev/null; then
    for page in sriov-doctor sriov-doctor-check sriov-doctor-completions; do
        [ "$(man -w "$page")" = "/usr/share/man/man1/$page.1.gz" ] || fail "man -w $page"
    done
    man sriov-doctor | grep -q "EXIT STATUS" || fail "man sriov-doctor: no EXIT STATUS"
fi

# Each shell loads the completion from where it looks, and it answers from
# the installed tool: `sriov-doctor rules kernel.io<Tab>`.
answer=$(bash -c '
    . /usr/share/bash-completion/bash_completion
    if declare -F _comp_load >/dev/null; then _comp_load sriov-doctor; else __load_completion sriov-doctor; fi
    COMP_WORDS=(sriov-doctor rules kernel.io) COMP_CWORD=2
    COMP_LINE="sriov-doctor rules kernel.io" COMP_POINT=${#COMP_LINE}
    "$(complete -p sriov-doctor | sed -E "s/.* -F ([^ ]+) .*/\1/")" sriov-doctor kernel.io rules
    echo "${COMPREPLY[*]}"')
[ "$answer" = kernel.iommu ] || fail "bash completion: '$answer'"
answer=$(fish -c 'complete -C "sriov-doctor rules kernel.io"' | cut -f1)
[ "$answer" = kernel.iommu ] || fail "fish completion: '$answer'"
answer=$(zsh -f -c 'autoload -Uz compinit && compinit -u -D && print -r -- ${_comps[sriov-doctor]}')
[ "$answer" = _sriov-doctor ] || fail "zsh: compinit maps sriov-doctor to '$answer'"

DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq sriov-doctor >/dev/null
for f in "${files[@]}"; do
    [ ! -e "$f" ] || fail "$f left after apt-get remove"
done
! command -v sriov-doctor >/dev/null || fail "sriov-doctor still on PATH"

# The .rpm: the same files, in Fedora's places.
list=$(rpm -qlp "$rpm")
for f in /usr/bin/sriov-doctor /usr/share/man/man1/sriov-doctor.1.gz \
    /usr/share/man/man1/sriov-doctor-check.1.gz \
    /usr/share/bash-completion/completions/sriov-doctor \
    /usr/share/zsh/site-functions/_sriov-doctor \
    /usr/share/fish/vendor_completions.d/sriov-doctor.fish; do
    grep -qx "$f" <<<"$list" || fail "$rpm lacks $f"
done
echo "packages: $(basename "$deb") and $(basename "$rpm") install, work and remove"
