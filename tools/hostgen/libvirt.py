"""libvirt's files: qemu.conf, a domain's XML, its status file (/run/libvirt/qemu) and definition.

qemu_conf is RHEL 9's /etc/libvirt/qemu.conf, optionally with the user, group
and dynamic_ownership set. rhel9_domain_xml writes a q35 guest with one
hostdev as libvirt 10.0 does, either as `virsh dumpxml --inactive` keeps it in
/etc/libvirt/qemu or as the live definition; domstatus_xml wraps a live one in
the <domstatus> of /run/libvirt/qemu/NAME.xml; libvirt_files puts them in place
with libvirt's modes.
"""

QEMU_CONF_HEAD = """\
# Main configuration file for the QEMU driver

# All settings described here are optional - if omitted, sensible
# defaults are used.

# Use of TLS requires that x509 certificates be issued. The default is
# to keep them in /etc/pki/qemu. This directory must contain
#
#  ca-cert.pem - the CA master certificate
#  server-cert.pem - the server certificate signed with ca-cert.pem
#  server-key.pem  - the server private key
#
# and optionally may contain
#
#  dh-params.pem - the DH params configuration file
#
# If the directory does not exist, libvirtd will fail to start. If the
# directory doesn't contain the necessary files, QEMU domains will fail
# to start, if they are configured to use TLS.
#
#default_tls_x509_cert_dir = "/etc/pki/qemu"

# VNC is configured to listen on 127.0.0.1 by default.
# To make it listen on all public interfaces, uncomment
# this next option.
#
#vnc_listen = "0.0.0.0"

# The default security driver is SELinux. If SELinux is disabled
# on the host, then the security driver will automatically disable
# itself.
#
#security_driver = "selinux"

"""

QEMU_CONF_USER_DEFAULT = """\
# The user for QEMU processes run by the system instance. It can be
# specified as a user name or as a user id. The qemu driver will try to
# parse this value first as a name and then, if the name doesn't exist,
# as a user id.
#
# Since a sequence of digits is a valid user name, a leading plus sign
# can be used to ensure that a user id will not be interpreted as a user
# name.
#
# By default libvirt runs VMs as non-root and uses AppArmor or SELinux
# to isolate the VMs on the host.
#
#user = "{user}"

# The group for QEMU processes run by the system instance. It can be
# specified in a similar way to user.
#group = "{group}"

# Whether libvirt should dynamically change file ownership
# to match the configured user/group above. Defaults to 1.
# Set to 0 to disable file ownership changes.
#dynamic_ownership = 1
"""

QEMU_CONF_USER_SET = """\
# The user for QEMU processes run by the system instance. It can be
# specified as a user name or as a user id. The qemu driver will try to
# parse this value first as a name and then, if the name doesn't exist,
# as a user id.
#
# Since a sequence of digits is a valid user name, a leading plus sign
# can be used to ensure that a user id will not be interpreted as a user
# name.
#
user = "qemu"

# The group for QEMU processes run by the system instance. It can be
# specified in a similar way to user.
group = "qemu"

# Whether libvirt should dynamically change file ownership
# to match the configured user/group above. Defaults to 1.
# Set to 0 to disable file ownership changes.
dynamic_ownership = 0
"""

QEMU_CONF_TAIL = """
# What cgroup controllers to make use of with QEMU guests
#
#  - 'cpu' - use for scheduler tunables
#  - 'devices' - use for device access control
#  - 'memory' - use for memory tunables
#  - 'blkio' - use for block devices I/O tunables
#  - 'cpuset' - use for CPUs and memory nodes
#  - 'cpuacct' - use for CPUs statistics.
#
#cgroup_controllers = [ "cpu", "devices", "memory", "blkio", "cpuset", "cpuacct" ]

# This is the basic set of devices allowed / required by
# all virtual machines.
#
#cgroup_device_acl = [
#    "/dev/null", "/dev/full", "/dev/zero",
#    "/dev/random", "/dev/urandom",
#    "/dev/ptmx", "/dev/kvm",
#    "/dev/userfaultfd"
#]

# If clear_emulator_capabilities is enabled, libvirt will drop all
# privileged capabilities of the QEMU/KVM emulator. This is enabled by
# default.
#
#clear_emulator_capabilities = 1

# If enabled, libvirt will have QEMU set its process name to
# "qemu:VM_NAME", where VM_NAME is the name of the VM.
#
#set_process_name = 1

# If max_processes is set to a positive integer, libvirt will use
# it to set the maximum number of processes that can be run by qemu
# user.
#
#max_processes = 0
#max_files = 0

# By default the PCI devices are assigned using VFIO (if supported);
# legacy KVM device assignment is no longer supported.
"""


def qemu_conf(user, group, set_user=False):
    """/etc/libvirt/qemu.conf with the defaults commented out (naming user and group),
    or with user/group qemu and dynamic_ownership = 0 set."""
    mid = QEMU_CONF_USER_SET if set_user else QEMU_CONF_USER_DEFAULT.format(user=user, group=group)
    return QEMU_CONF_HEAD + mid + QEMU_CONF_TAIL


DOMAIN_HEAD = """\
<domain type='kvm'{id}>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://redhat.com/rhel/9.2"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>{mem}</memory>
  <currentMemory unit='KiB'>{mem}</currentMemory>
{memtune}  <vcpu placement='static'>{vcpus}</vcpu>
{resource}  <os>
    <type arch='x86_64' machine='pc-q35-rhel9.2.0'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <cpu mode='host-passthrough' check='none' migratable='on'/>
  <clock offset='utc'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>
  </clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <pm>
    <suspend-to-mem enabled='no'/>
    <suspend-to-disk enabled='no'/>
  </pm>
  <devices>
    <emulator>/usr/libexec/qemu-kvm</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source file='/var/lib/libvirt/images/{name}.qcow2'{srcidx}/>
{backing}      <target dev='vda' bus='virtio'/>
{alias_disk}      <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
    </disk>
"""


def alias_line(name, live):
    """A device's <alias> line in a domain's XML; only the live definition has one."""
    return "      <alias name='%s'/>\n" % name if live else ""


def rhel9_domain_xml(name, uuid, mem_kib, vcpus, hostdev, *, live_id=None, mac_byte=0x11,
                     hard_limit_kib=None, vnet=0, pty=1):
    """A q35 guest as libvirt 10.0 writes it: `virsh dumpxml --inactive` (persistent
    definition in /etc/libvirt/qemu) or, with live_id, the live definition that
    /run/libvirt/qemu/NAME.xml carries inside <domstatus> (aliases, the tap device,
    the pty, the seclabels and the graphics port QEMU got)."""
    live = live_id is not None
    memtune = ""
    if hard_limit_kib:
        memtune = "  <memtune>\n    <hard_limit unit='KiB'>%d</hard_limit>\n  </memtune>\n" % hard_limit_kib
    x = DOMAIN_HEAD.format(
        id=" id='%d'" % live_id if live else "", name=name, uuid=uuid, mem=mem_kib,
        memtune=memtune, vcpus=vcpus,
        resource="  <resource>\n    <partition>/machine</partition>\n  </resource>\n" if live else "",
        srcidx=" index='1'" if live else "",
        backing="      <backingStore/>\n" if live else "",
        alias_disk=alias_line("virtio-disk0", live))
    if live:
        x += "    <controller type='pci' index='0' model='pcie-root'>\n%s    </controller>\n" % (
            alias_line("pcie.0", live))
    else:
        x += "    <controller type='pci' index='0' model='pcie-root'/>\n"
    for i in range(1, 6):
        x += ("    <controller type='pci' index='%d' model='pcie-root-port'>\n"
              "      <model name='pcie-root-port'/>\n"
              "      <target chassis='%d' port='0x%x'/>\n%s"
              "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x%d'%s/>\n"
              "    </controller>\n") % (i, i, 15 + i, alias_line("pci.%d" % i, live), i - 1,
                                        " multifunction='on'" if i == 1 else "")
    x += ("    <controller type='sata' index='0'>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>\n"
          "    </controller>\n") % alias_line("ide", live)
    x += "    <interface type='network'>\n      <mac address='52:54:00:6b:3c:%02x'/>\n" % mac_byte
    if live:
        x += ("      <source network='default' portid='9d0f4c2e-51b7-4c43-a8f6-3e2b7d10%04x' bridge='virbr0'/>\n"
              "      <target dev='vnet%d'/>\n") % (live_id, vnet)
    else:
        x += "      <source network='default'/>\n"
    x += "      <model type='virtio'/>\n%s" % alias_line("net0", live)
    x += "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n    </interface>\n"
    if live:
        x += ("    <serial type='pty'>\n      <source path='/dev/pts/%d'/>\n"
              "      <target type='isa-serial' port='0'>\n        <model name='isa-serial'/>\n"
              "      </target>\n      <alias name='serial0'/>\n    </serial>\n"
              "    <console type='pty' tty='/dev/pts/%d'>\n      <source path='/dev/pts/%d'/>\n"
              "      <target type='serial' port='0'/>\n      <alias name='serial0'/>\n"
              "    </console>\n") % (pty, pty, pty)
    else:
        x += ("    <serial type='pty'>\n      <target type='isa-serial' port='0'>\n"
              "        <model name='isa-serial'/>\n      </target>\n    </serial>\n"
              "    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n")
    x += "    <audio id='1' type='none'/>\n"
    x += hostdev_xml(hostdev, "vfio", "0x05", "0x00", live)
    x += ("    <memballoon model='virtio'>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>\n"
          "    </memballoon>\n  </devices>\n") % alias_line("balloon0", live)
    if live:
        x += ("  <seclabel type='dynamic' model='selinux' relabel='yes'>\n"
              "    <label>system_u:system_r:svirt_t:s0:c%d,c%d</label>\n"
              "    <imagelabel>system_u:object_r:svirt_image_t:s0:c%d,c%d</imagelabel>\n"
              "  </seclabel>\n"
              "  <seclabel type='dynamic' model='dac' relabel='yes'>\n"
              "    <label>+107:+107</label>\n    <imagelabel>+107:+107</imagelabel>\n"
              "  </seclabel>\n") % (141 + live_id, 603 + live_id, 141 + live_id, 603 + live_id)
    x += "</domain>\n"
    return x


def hostdev_xml(bdf, driver, guest_bus, guest_slot, live):
    """A managed PCI <hostdev> for bdf (driver: vfio, or kvm for legacy assignment)
    at guest_bus:guest_slot.0 in the guest; live: with its alias."""
    dom, bus, rest = bdf.split(":")
    slot, fn = rest.split(".")
    sp = "    "
    x = "%s<hostdev mode='subsystem' type='pci' managed='yes'>\n" % sp
    x += "%s  <driver name='%s'/>\n" % (sp, driver)
    x += "%s  <source>\n%s    <address domain='0x%s' bus='0x%s' slot='0x%s' function='0x%s'/>\n%s  </source>\n" % (
        sp, sp, dom, bus, slot, fn, sp)
    if live:
        x += "%s  <alias name='hostdev0'/>\n" % sp
    x += "%s  <address type='pci' domain='0x0000' bus='%s' slot='%s' function='0x0'/>\n" % (
        sp, guest_bus, guest_slot)
    x += "%s</hostdev>\n" % sp
    return x


def domstatus_xml(domain_xml, *, pid, name, domid, vcpu_pids, caps, aliases,
                  json_monitor=False):
    """libvirt's status file (/run/libvirt/qemu/NAME.xml, qemuDomainObjPrivateXMLFormat):
    <domstatus> with the private data, then the live <domain> indented by two."""
    libdir = "/var/lib/libvirt/qemu/domain-%d-%s" % (domid, name)
    x = "<domstatus state='running' reason='booted' pid='%d'>\n" % pid
    x += "  <monitor path='%s/monitor.sock'%s type='unix'/>\n" % (libdir, " json='1'" if json_monitor else "")
    x += "  <namespaces>\n    <mount/>\n  </namespaces>\n"
    x += "  <vcpus>\n" + "".join("    <vcpu id='%d' pid='%d'/>\n" % (i, p) for i, p in enumerate(vcpu_pids)) + "  </vcpus>\n"
    x += "  <qemuCaps>\n" + "".join("    <flag name='%s'/>\n" % c for c in caps) + "  </qemuCaps>\n"
    x += "  <devices>\n" + "".join("    <device alias='%s'/>\n" % a for a in aliases) + "  </devices>\n"
    x += "  <libDir path='%s'/>\n" % libdir
    x += "  <channelTargetDir path='/var/lib/libvirt/qemu/channel/target/domain-%d-%s'/>\n" % (domid, name)
    x += "  <chardevStdioLogd/>\n  <allowReboot value='yes'/>\n"
    x += "".join("  " + line + "\n" for line in domain_xml.rstrip("\n").split("\n"))
    x += "</domstatus>\n"
    return x


def libvirt_files(h, name, *, status=None, pid=None, persistent):
    """Persistent and running definitions; libvirt keeps both root-only (0600)."""
    h.files["etc/libvirt/qemu/%s.xml" % name] = (
        "<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
        "OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n"
        "  virsh edit %s\nor other application using the libvirt API.\n-->\n\n" % name) + persistent
    paths = ["etc/libvirt/qemu/%s.xml" % name]
    if status:
        h.files["run/libvirt/qemu/%s.xml" % name] = status
        h.files["run/libvirt/qemu/%s.pid" % name] = "%d" % pid
        paths += ["run/libvirt/qemu/%s.xml" % name, "run/libvirt/qemu/%s.pid" % name]

    def hook(t):
        for p in paths:
            t.meta.append(dict(path=p, mode="0600" if p.endswith(".xml") else "0644", uid=0, gid=0))
    h.post_render.append(hook)
