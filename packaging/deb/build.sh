#!/usr/bin/env bash
# Makes the .deb from the staged tree (packaging/stage.sh): places the systemd unit
# where Debian 12 keeps units, adds the Debian changelog, lintian overrides and the
# control files (dependencies from dpkg-shlibdeps on the native code, conffiles,
# md5sums, maintainer scripts), then builds with dpkg-deb as root-owned files.
# usage: packaging/deb/build.sh STAGED_ROOT OUT_DIR VERSION RELEASE MAINTAINER
set -euo pipefail

stage=${1:?usage: build.sh STAGED_ROOT OUT_DIR VERSION RELEASE MAINTAINER}
out=${2:?} version=${3:?} release=${4:?} maintainer=${5:?}
here=$(cd "$(dirname "$0")" && pwd)
arch=$(dpkg --print-architecture)
full_version=$version-$release

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$work/tree
cp -a "$stage" "$tree"

# Debian 12 (debhelper, lintian) puts units in /lib/systemd/system; RPM distributions
# use /usr/lib/systemd/system, which is where the staged tree has it.
install -d "$tree/lib/systemd"
mv "$tree/usr/lib/systemd/system" "$tree/lib/systemd/system"
rmdir "$tree/usr/lib/systemd"

install -D -m 0644 "$here/lintian-overrides" "$tree/usr/share/lintian/overrides/mcr"

# The changelog's date is the last commit's, so two builds of one commit are alike.
date=$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")
printf 'mcr (%s) unstable; urgency=medium\n\n  * Package of mcr %s, built from its repository.\n\n -- %s  %s\n' \
  "$full_version" "$version" "$maintainer" "$date" | gzip -9n >"$tree/usr/share/doc/mcr/changelog.Debian.gz"
chmod 0644 "$tree/usr/share/doc/mcr/changelog.Debian.gz"

# The libraries the addon and tools link to (libc, libstdc++, libgcc; liburing is
# linked in statically), as the minimum versions dpkg-shlibdeps derives from the
# symbols they use. dpkg-shlibdeps wants a debian/control to read; a stub does.
install -d "$work/src/debian"
printf 'Source: mcr\n\nPackage: mcr\nArchitecture: any\n' >"$work/src/debian/control"
shlibs=$(cd "$work/src" && dpkg-shlibdeps -O "$tree"/usr/lib/mcr/build/Release/* 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "deb/build.sh: dpkg-shlibdeps found no library dependencies" >&2; exit 1; }

install -d -m 0755 "$tree/DEBIAN"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$tree/DEBIAN/"
echo /etc/mcr.toml >"$tree/DEBIAN/conffiles"
(cd "$tree" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$tree/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
# procps ships /bin/kill, which mcrd.service's ExecReload runs: priority important, so
# nearly always there, but not essential, so it must be said.
sed -e "s|@VERSION@|$full_version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
  -e "s|@INSTALLED_SIZE@|$size|" -e "s|@DEPENDS@|nodejs (>= 18), procps, $shlibs|" "$here/control.in" >"$tree/DEBIAN/control"
chmod 0644 "$tree/DEBIAN/conffiles" "$tree/DEBIAN/md5sums" "$tree/DEBIAN/control"

install -d "$out"
dpkg-deb --root-owner-group -Zxz --build "$tree" "$out/mcr_${full_version}_$arch.deb" >/dev/null
echo "$out/mcr_${full_version}_$arch.deb"
