#!/usr/bin/env bash
# Boots systemd as PID 1 of a container made of this machine's own root file system:
# an overlay of / (every write lands in a tmpfs) with its own /dev, /run and /tmp, a
# read-only /sys and /proc/sys, a cgroup2 tree of its own, and new PID, mount, UTS,
# IPC, network and cgroup namespaces. What it must not do to the host: load kernel
# modules, set the clock, or start gettys on the machine's consoles; the capabilities
# for the first two are dropped and the gettys masked. The host administrator's unit
# enablements (/etc/systemd/system) and the image's Docker policy-rc.d are not this
# system's, so they are left out: it boots as a fresh Debian server would.
#
# Run by helpers/booted-system.ts as
#   setpriv --pdeathsig KILL unshare --mount --propagation private -- boot-systemd.sh BASE CGROUP
# BASE: an empty directory (a tmpfs is mounted on it, in this private mount namespace
# only); CGROUP: a cgroup2 directory to create and move into, the container's root.
# It ends by exec'ing `unshare --fork`, whose child is systemd; killing that child ends
# the PID namespace and everything in it, and the parent-death signal ends both when
# the test process dies.
set -euo pipefail

base=${1:?usage: boot-systemd.sh BASE CGROUP}
cgroup=${2:?usage: boot-systemd.sh BASE CGROUP}
root=$base/merged

mount -t tmpfs -o mode=0755 mcr-systemd "$base"
mkdir "$base/upper" "$base/work" "$root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$root"
mount -t tmpfs -o mode=0755,nosuid,nodev run "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$root/tmp"

# Its own /dev: the harmless character devices, a private devpts, no disks, no kmsg.
# /dev/console is /dev/null, so no getty or boot message reaches a real console.
mount -t tmpfs -o mode=0755,nosuid dev "$root/dev"
for node in null zero full random urandom tty; do
  touch "$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
touch "$root/dev/console"
mount --bind /dev/null "$root/dev/console"
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
for fd in 0:stdin 1:stdout 2:stderr; do ln -s "/proc/self/fd/${fd%%:*}" "$root/dev/${fd#*:}"; done

# A fresh system's configuration, written into the overlay only.
rm -rf "$root"/etc/systemd/system/*
mkdir -p "$root/etc/systemd/system-generators"
for unit in getty.target getty@.service serial-getty@.service console-getty.service container-getty@.service \
  timers.target systemd-modules-load.service packagekit.service; do
  ln -s /dev/null "$root/etc/systemd/system/$unit"
done
# Generators turn the host's fstab, init scripts and consoles into units: none wanted.
for generator in /lib/systemd/system-generators/* /usr/lib/systemd/system-generators/*; do
  [ -e "$generator" ] && ln -sf /dev/null "$root/etc/systemd/system-generators/${generator##*/}"
done
: >"$root/etc/fstab"
rm -f "$root/usr/sbin/policy-rc.d"
echo mcr-test >"$root/etc/hostname"
# Its own machine ID, so its journal is its own.
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
echo >>"$root/etc/machine-id"

mkdir "$cgroup"
echo $$ >"$cgroup/cgroup.procs"
echo booting >&2

# Inside the new namespaces: sysfs for the new network namespace, read-only as in any
# container (so udev stays off); cgroup2 rooted at CGROUP; /proc/sys read-only, so no
# sysctl reaches the host's kernel.
exec unshare --pid --fork --kill-child=SIGKILL --mount --uts --ipc --net --cgroup --mount-proc="$root/proc" -- \
  /bin/sh -c '
    set -e
    root=$1
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"
    mount --bind "$root/proc/sys" "$root/proc/sys"
    mount -o remount,bind,ro "$root/proc/sys"
    exec chroot "$root" setpriv \
      --bounding-set=-sys_module,-sys_time,-sys_rawio,-syslog,-wake_alarm,-block_suspend,-mac_admin,-mac_override \
      env -i container=mcr-test /lib/systemd/systemd --system
  ' boot "$root"
