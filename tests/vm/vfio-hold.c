/*
 * vfio-hold MODE ADDR MARKER: hold a PCI device through VFIO the way a
 * starting QEMU or a DPDK application does, for the test bed's holder
 * scenarios. MODE "group" opens only /dev/vfio/GROUP (no device fd, so the
 * device's enable count stays 0); MODE "device" also sets up a type1
 * container and takes the device fd (VFIO_GROUP_GET_DEVICE_FD), which
 * enables the device; MODE "mmap" also maps the device's BAR 0 as QEMU does
 * for a guest (vfio-pci then requests the BAR's address range, and the
 * kernel logs "BAR 0: can't reserve" when something else holds it; a failed
 * map is reported and the device still held, as QEMU carries on).
 * Writes MARKER once it holds, then sleeps until killed.
 * Built static by tests/vm/run; runs inside the test bed only.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static int fail(const char *what) {
    fprintf(stderr, "vfio-hold: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: vfio-hold group|device|mmap ADDR MARKER\n");
        return 2;
    }
    const char *mode = argv[1], *addr = argv[2];
    char link[256], target[256], path[64];
    snprintf(link, sizeof link, "/sys/bus/pci/devices/%s/iommu_group", addr);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        return fail(link);
    target[n] = 0;
    snprintf(path, sizeof path, "/dev/vfio/%s", basename(target));
    int group = open(path, O_RDWR);
    if (group < 0)
        return fail(path);
    int device = -1;
    const char *mapped = "";
    if (strcmp(mode, "device") == 0 || strcmp(mode, "mmap") == 0) {
        int container = open("/dev/vfio/vfio", O_RDWR);
        if (container < 0)
            return fail("/dev/vfio/vfio");
        if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
            return fail("VFIO_GET_API_VERSION");
        if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0)
            return fail("VFIO_GROUP_SET_CONTAINER");
        if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0 &&
            ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) < 0)
            return fail("VFIO_SET_IOMMU");
        device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, addr);
        if (device < 0)
            return fail("VFIO_GROUP_GET_DEVICE_FD");
        if (strcmp(mode, "mmap") == 0) {
            struct vfio_region_info bar = {.argsz = sizeof bar,
                                           .index = VFIO_PCI_BAR0_REGION_INDEX};
            if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &bar) < 0)
                return fail("VFIO_DEVICE_GET_REGION_INFO");
            void *p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED,
                           device, bar.offset);
            if (p == MAP_FAILED) {
                fprintf(stderr, "vfio-hold: mmap BAR 0 of %s: %s\n", addr,
                        strerror(errno));
                mapped = ", BAR 0 not mapped";
            } else {
                mapped = ", BAR 0 mapped";
            }
        }
    } else if (strcmp(mode, "group") != 0) {
        fprintf(stderr, "vfio-hold: unknown mode %s\n", mode);
        return 2;
    }
    FILE *m = fopen(argv[3], "w");
    if (!m)
        return fail(argv[3]);
    fprintf(m, "vfio-hold: pid %d holds %s (%s, group fd %d, device fd %d%s)\n",
            getpid(), addr, path, group, device, mapped);
    fclose(m);
    for (;;)
        pause();
}
