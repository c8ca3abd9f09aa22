#!/usr/bin/env bash
# `npm run package`: builds mcr_VERSION-RELEASE_ARCH.deb and mcr-VERSION-RELEASE.ARCH.rpm
# from one staged tree (packaging/stage.sh) into build/packages/. It packages what is
# already built: dist/ (npm run build), the addon and tools in build/Release, and the
# production modules in node_modules; it compiles nothing.
# Environment: MCR_PACKAGE_VERSION (default: package.json's version),
# MCR_PACKAGE_RELEASE (default 1), MCR_PACKAGE_OUT (default build/packages),
# MCR_PACKAGE_MAINTAINER (the Maintainer/Packager field), SOURCE_DATE_EPOCH,
# MCR_PACKAGE_FORMATS (default "deb rpm"; "deb" alone skips the RPM).
# Needs dpkg-dev (dpkg-deb, dpkg-shlibdeps), rpm (rpmbuild) and binutils (strip).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "package.sh: $*" >&2; exit 1; }

formats=${MCR_PACKAGE_FORMATS:-deb rpm}
tools=(dpkg-deb dpkg-shlibdeps strip)
for format in $formats; do
  case "$format" in
    deb) ;;
    rpm) tools+=(rpmbuild) ;;
    *) die "unknown package format \"$format\" in MCR_PACKAGE_FORMATS (deb, rpm)" ;;
  esac
done
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install dpkg-dev rpm binutils"
done

upstream=${MCR_PACKAGE_VERSION:-$(node -p 'require("./package.json").version')}
release=${MCR_PACKAGE_RELEASE:-1}
out=${MCR_PACKAGE_OUT:-build/packages}
maintainer=${MCR_PACKAGE_MAINTAINER:-mcr maintainers <maintainers@users.noreply.r-seed-85fcd436.example>}
[[ $upstream =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || die "bad version \"$upstream\""
[[ $release =~ ^[0-9A-Za-z.+~]+$ ]] || die "bad release \"$release\""
# A prerelease such as 0.2.0-rc.1 must sort before 0.2.0: "~" does that in both dpkg
# and rpm, and neither allows "-" inside a version.
version=${upstream//-/\~}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
bash packaging/stage.sh "$stage/root" "$upstream"
for format in $formats; do
  bash "packaging/$format/build.sh" "$stage/root" "$out" "$version" "$release" "$maintainer"
done
