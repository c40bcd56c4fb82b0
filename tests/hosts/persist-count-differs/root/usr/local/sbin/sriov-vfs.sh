#!/bin/sh
# One VF for the second port.
echo 1 > /sys/bus/pci/devices/0000:03:00.1/sriov_numvfs
