"""The distributions' own files: os-release, passwd, group, GRUB defaults, and the kernel's command line.

host_common writes what every host of a distribution has (RHEL 9.4, Ubuntu
22.04, Debian 12): /proc/cmdline and the kernel release, /etc/os-release, the
users and groups libvirt and QEMU run as, and /etc/default/grub with the
command line the next boot gets.
"""

RHEL_PASSWD = """\
root:x:0:0:root:/root:/bin/bash
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
adm:x:3:4:adm:/var/adm:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/spool/mail:/sbin/nologin
operator:x:11:0:operator:/root:/sbin/nologin
games:x:12:100:games:/usr/games:/sbin/nologin
ftp:x:14:50:FTP User:/var/ftp:/sbin/nologin
nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin
systemd-coredump:x:999:997:systemd Core Dumper:/:/sbin/nologin
dbus:x:81:81:System message bus:/:/sbin/nologin
polkitd:x:998:996:User for polkitd:/:/sbin/nologin
tss:x:59:59:Account used for TPM access:/:/sbin/nologin
sssd:x:997:995:User for sssd:/:/sbin/nologin
chrony:x:996:994::/var/lib/chrony:/sbin/nologin
sshd:x:74:74:Privilege-separated SSH:/usr/share/empty.sshd:/sbin/nologin
qemu:x:107:107:qemu user:/:/sbin/nologin
"""

RHEL_GROUP = """\
root:x:0:
bin:x:1:
daemon:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mem:x:8:
kmem:x:9:
wheel:x:10:
cdrom:x:11:
mail:x:12:
man:x:15:
dialout:x:18:
floppy:x:19:
games:x:20:
tape:x:33:
video:x:39:
ftp:x:50:
lock:x:54:
audio:x:63:
users:x:100:
nobody:x:65534:
utmp:x:22:
utempter:x:35:
input:x:999:
kvm:x:36:qemu
render:x:998:
systemd-journal:x:190:
systemd-coredump:x:997:
dbus:x:81:
polkitd:x:996:
tss:x:59:
sssd:x:995:
chrony:x:994:
sshd:x:74:
qemu:x:107:
libvirt:x:993:
"""

DEBIAN_PASSWD = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin
messagebus:x:100:107::/nonexistent:/usr/sbin/nologin
sshd:x:101:65534::/run/sshd:/usr/sbin/nologin
libvirt-qemu:x:64055:{kvm_gid}:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin
libvirt-dnsmasq:x:102:110:Libvirt Dnsmasq,,,:/var/lib/libvirt/dnsmasq:/usr/sbin/nologin
"""

DEBIAN_GROUP = """\
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:
cdrom:x:24:
sudo:x:27:
audio:x:29:
www-data:x:33:
backup:x:34:
video:x:44:
plugdev:x:46:
staff:x:50:
users:x:100:
nogroup:x:65534:
systemd-journal:x:999:
systemd-network:x:998:
input:x:105:
sgx:x:106:
kvm:x:{kvm_gid}:
render:x:108:
messagebus:x:107:
libvirt:x:109:
libvirt-qemu:x:64055:libvirt-qemu
libvirt-dnsmasq:x:110:
"""


def host_common(h, distro, osrelease, cmdline, grub_cmdline):
    """distro: "rhel", "ubuntu" or "debian"; osrelease: the running kernel's release;
    cmdline: /proc/cmdline; grub_cmdline: the options /etc/default/grub adds."""
    h.files["proc/cmdline"] = cmdline + "\n"
    h.files["proc/sys/kernel/osrelease"] = osrelease + "\n"
    if distro == "rhel":
        h.files["etc/os-release"] = (
            'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\n'
            'ID_LIKE="fedora"\nVERSION_ID="9.4"\nPLATFORM_ID="platform:el9"\n'
            'PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\nANSI_COLOR="0;31"\n'
            'LOGO="fedora-logo-icon"\nCPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"\n'
            'HOME_URL="https://www.redhat.com/"\n'
            'DOCUMENTATION_URL="https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/9"\n'
            'BUG_REPORT_URL="https://bugzilla.redhat.com/"\n\n'
            'REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 9"\n'
            'REDHAT_BUGZILLA_PRODUCT_VERSION=9.4\n'
            'REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"\n'
            'REDHAT_SUPPORT_PRODUCT_VERSION="9.4"\n')
        h.files["etc/passwd"] = RHEL_PASSWD
        h.files["etc/group"] = RHEL_GROUP
        h.files["etc/default/grub"] = (
            'GRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"\n'
            'GRUB_DEFAULT=saved\nGRUB_DISABLE_SUBMENU=true\nGRUB_TERMINAL_OUTPUT="console"\n'
            'GRUB_CMDLINE_LINUX="%s"\nGRUB_DISABLE_RECOVERY="true"\nGRUB_ENABLE_BLSCFG=true\n'
            % grub_cmdline)
    elif distro == "ubuntu":
        h.files["etc/os-release"] = (
            'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\n'
            'VERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\n'
            'ID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\n'
            'SUPPORT_URL="https://help.ubuntu.com/"\n'
            'BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\n'
            'PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"\n'
            'UBUNTU_CODENAME=jammy\n')
        h.files["etc/passwd"] = DEBIAN_PASSWD.format(kvm_gid=108)
        h.files["etc/group"] = DEBIAN_GROUP.format(kvm_gid=108)
        h.files["etc/default/grub"] = (
            "# If you change this file, run 'update-grub' afterwards to update\n"
            "# /boot/grub/grub.cfg.\n# For full documentation of the options in this file, see:\n"
            "#   info -f grub -n 'Simple configuration'\n\n"
            "GRUB_DEFAULT=0\nGRUB_TIMEOUT_STYLE=hidden\nGRUB_TIMEOUT=0\n"
            "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"
            'GRUB_CMDLINE_LINUX_DEFAULT="%s"\nGRUB_CMDLINE_LINUX=""\n' % grub_cmdline)
    elif distro == "debian":
        h.files["etc/os-release"] = (
            'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
            'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n'
            'HOME_URL="https://www.debian.org/"\nSUPPORT_URL="https://www.debian.org/support"\n'
            'BUG_REPORT_URL="https://bugs.debian.org/"\n')
        h.files["etc/passwd"] = DEBIAN_PASSWD.format(kvm_gid=104)
        h.files["etc/group"] = DEBIAN_GROUP.format(kvm_gid=104).replace("render:x:108:", "render:x:106:").replace("sgx:x:106:\n", "")
        h.files["etc/default/grub"] = (
            "# If you change this file, run 'update-grub' afterwards to update\n"
            "# /boot/grub/grub.cfg.\n# For full documentation of the options in this file, see:\n"
            "#   info -f grub -n 'Simple configuration'\n\n"
            "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"
            "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"
            'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="%s"\n' % grub_cmdline
            + 'GRUB_CMDLINE_XEN_DEFAULT="dom0_mem=4096M,max:4096M dom0_max_vcpus=4 iommu=on"\n')
