#!/bin/sh
# tests/xen/vif-up.sh: libxl's hotplug script for the test guest's network
# card. The backend interface is only brought up; no bridge, no traffic:
# the test needs the guest to have a NIC with a known MAC, nothing more.
[ "$1" = online ] || [ "$1" = add ] && busybox ip link set "${vif:-none}" up 2>/dev/null
exit 0
