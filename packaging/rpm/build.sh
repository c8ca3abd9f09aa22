#!/usr/bin/env bash
# Makes the .rpm from the staged tree (packaging/stage.sh) with rpmbuild and
# packaging/rpm/mcr.spec, in a scratch rpmbuild directory, for this machine's arch.
# usage: packaging/rpm/build.sh STAGED_ROOT OUT_DIR VERSION RELEASE PACKAGER
set -euo pipefail

stage=${1:?usage: build.sh STAGED_ROOT OUT_DIR VERSION RELEASE PACKAGER}
out=${2:?} version=${3:?} release=${4:?} packager=${5:?}
here=$(cd "$(dirname "$0")" && pwd)
stage=$(cd "$stage" && pwd)
arch=$(uname -m)

# The changelog's date is the last commit's, so two builds of one commit are alike.
date=$(LC_ALL=C date -u +'%a %b %d %Y' -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rpmbuild -bb --quiet --target "$arch" \
  --define "_topdir $work" \
  --define "mcr_version $version" \
  --define "mcr_release $release" \
  --define "mcr_stage $stage" \
  --define "mcr_packager $packager" \
  --define "mcr_date $date" \
  "$here/mcr.spec" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
install -d "$out"
rpm=$work/RPMS/$arch/mcr-$version-$release.$arch.rpm
cp "$rpm" "$out/"
echo "$out/$(basename "$rpm")"
