#!/bin/sh
# Builds the test-only Xen stand-ins (docs/loopback.md, "Running Debian's real Xen daemons") into
# OUTDIR: libxenevtchn.so.1 and libxengnttab.so.1 (the real sonames and symbol versions, for
# LD_LIBRARY_PATH), gak-xen-preload.so (libxenctrl calls, /proc/xen/xsd_*, oxenstored's run dir,
# for LD_PRELOAD) and gak-guest-domain (a test guest domain).
# Needs gcc and the headers of Debian's libxen-dev; the real libxenstore for gak-guest-domain.
#
#   tests/native/build.sh OUTDIR
set -eu
src=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
cflags="-std=gnu11 -O2 -g -Wall -Wextra -Werror -D__XEN_TOOLS__"
cd "$src"
gcc $cflags -fPIC -shared -Wl,-soname,libxenevtchn.so.1 -Wl,--version-script=evtchn.map \
    -o "$out/libxenevtchn.so.1" evtchn.c loopback.c
gcc $cflags -fPIC -shared -Wl,-soname,libxengnttab.so.1 -Wl,--version-script=gnttab.map \
    -o "$out/libxengnttab.so.1" gnttab.c loopback.c
# Linked against our libxenevtchn (by path: it allocates the xsd_port event channel with it).
gcc $cflags -fPIC -shared -Wl,--version-script=xenctrl_preload.map \
    -Wl,-rpath,'$ORIGIN' -o "$out/gak-xen-preload.so" xenctrl_preload.c loopback.c "$out/libxenevtchn.so.1" -ldl
gcc $cflags -Wl,-rpath,'$ORIGIN' -o "$out/gak-guest-domain" guest_domain.c "$out/libxenevtchn.so.1" -lxenstore
gcc $cflags -Wl,-rpath,'$ORIGIN' -o "$out/gak-standin-selftest" standin_selftest.c \
    "$out/libxenevtchn.so.1" "$out/libxengnttab.so.1"
