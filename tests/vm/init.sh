#!/bin/sh
# /init of the test bed's initramfs (busybox). Mounts what a host has, loads
# the 9p modules, runs the scenario's steps from the shared folder /out, and
# powers the machine off. Everything a step prints goes to /out/console.log
# too. The helpers below are what scenario steps call.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp /run /out /var/log
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
chmod 1777 /tmp

# load MODULE [PARAM=VALUE...]: insmod MODULE after what it depends on, in
# the order the harness resolved from the modules' own "depends=" (busybox
# has no depmod, and its modprobe ignores softdeps such as vfio's).
load() {
    m=$1; shift
    while read -r dep; do
        name=${dep##*/}; name=${name%.ko}; name=$(echo "$name" | tr - _)
        [ -d "/sys/module/$name" ] && continue
        if [ "$dep" = "$(tail -n1 "/lib/modules/order/$m")" ]; then
            insmod "$dep" "$@" || echo "testbed: insmod $dep failed"
        else
            insmod "$dep" || echo "testbed: insmod $dep failed"
        fi
    done < "/lib/modules/order/$m"
}

for m in virtio_pci 9pnet_virtio 9p; do load $m >/dev/null 2>&1; done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /out; then
    echo "testbed: cannot mount the shared folder"
    poweroff -f
fi

# vfs PF N: create N VFs on PF (full address) through sysfs.
vfs() { echo "$2" > "/sys/bus/pci/devices/$1/sriov_numvfs"; }

# bind ADDR DRIVER: give ADDR to DRIVER the way libvirt does
# (driver_override, unbind, drivers_probe).
bind() {
    echo "$2" > "/sys/bus/pci/devices/$1/driver_override"
    [ -e "/sys/bus/pci/devices/$1/driver" ] && echo "$1" > "/sys/bus/pci/devices/$1/driver/unbind"
    echo "$1" > /sys/bus/pci/drivers_probe
}

# hold MODE ADDR: a background process that holds ADDR as QEMU does (MODE
# group: the VFIO group file only; device: group, container and device fd).
# Waits until it holds, so the capture sees it.
hold() {
    rm -f /tmp/held
    vfio-hold "$1" "$2" /tmp/held &
    i=0
    while [ ! -e /tmp/held ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
    cat /tmp/held 2>/dev/null || echo "testbed: vfio-hold $1 $2 did not hold"
}

# capture [NAME] [--user]: what the harness takes home. The kernel log
# goes to /var/log/dmesg first, where a real host keeps it. As root the
# bundle, the live check and the focused checks; --user runs as nobody.
capture() {
    name=${1:-root}; shift 2>/dev/null
    dmesg > /var/log/dmesg
    user=""
    [ "$1" = "--user" ] && user=nobody
    mkdir -p "/out/$name"
    as "$user" sriov-doctor bundle -o "/tmp/bundle-$name.json" 2>"/out/$name/bundle.err"
    echo $? > "/out/$name/bundle.rc"
    cat "/tmp/bundle-$name.json" > "/out/$name/bundle.json" 2>/dev/null
    as "$user" sriov-doctor check --format json > "/out/$name/check.json" 2>"/out/$name/check.err"
    echo $? > "/out/$name/check.rc"
    for t in $TARGETS; do
        as "$user" sriov-doctor check --format json --device "$t" > "/out/$name/check-$t.json" 2>>"/out/$name/check.err"
        echo $? > "/out/$name/check-$t.rc"
    done
}

# as USER CMD...: CMD in /tmp, as root when USER is empty, else as USER
# (busybox su; its setpriv cannot change uids). Standard output is ours.
as() {
    u=$1; shift
    if [ -z "$u" ]; then
        (cd /tmp && "$@")
    else
        su -s /bin/sh "$u" -c 'cd /tmp && exec "$@"' -- sh "$@"
    fi
}

echo "testbed: kernel $(uname -r)"
. /out/steps.sh > /out/steps.log 2>&1
echo "testbed: steps ended with $?" >> /out/steps.log
dmesg > /out/dmesg.txt
sync
umount /out
poweroff -f
