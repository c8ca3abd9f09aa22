#!/usr/bin/env bash
# Lays out the one file tree both packages are made from, as it will be installed:
# /usr/lib/mcr (compiled JavaScript, production node_modules, the prebuilt addon and
# traffic tools), /usr/bin wrappers, /etc/mcr.toml, the schema, systemd unit, sysusers.d
# and tmpfiles.d files, man pages and docs. It only copies what the build made: nothing
# is compiled here, so the packages carry exactly the addon the tests ran.
# usage: packaging/stage.sh ROOT VERSION   (run from the repository root)
set -euo pipefail

root=${1:?usage: stage.sh ROOT VERSION}
version=${2:?usage: stage.sh ROOT VERSION}
lib=$root/usr/lib/mcr
die() { echo "stage.sh: $*" >&2; exit 1; }

[ -f dist/daemon/main.js ] || die "dist/ is missing: run npm run build first"
for file in mcr_native.node mcr-gen mcr-sink mcr-inject; do
  [ -f "build/Release/$file" ] || die "build/Release/$file is missing: build the addon first (npm ci, or npx node-gyp rebuild)"
done
[ -d node_modules ] || die "node_modules is missing: run npm ci first"

rm -rf "$root"
install -d "$lib/bin" "$lib/build/Release" "$lib/config" "$lib/node_modules"

# The JavaScript. Source maps are left out: they point at src/*.ts, which is not shipped.
# Their "#!/usr/bin/env node" becomes the interpreter the packages depend on, as
# distributions do for installed scripts (an env lookup would follow the caller's PATH).
for script in mcr.js mcrd.js; do
  sed '1s|^#!/usr/bin/env node$|#!/usr/bin/node|' "bin/$script" >"$lib/bin/$script"
  chmod 0755 "$lib/bin/$script"
done
(cd dist && find . -type f -name '*.js' -print0) | while IFS= read -r -d '' file; do
  install -D -m 0644 "dist/$file" "$lib/dist/$file"
done
# package.json tells Node.js these files are ES modules and gives `mcr version` its
# answer; the staged copy carries the package's version, which may be overridden, and
# lists the dependencies shipped (node-addon-api is not: see below).
node -e '
  const [src, dest, version] = process.argv.slice(1);
  const pkg = JSON.parse(require("fs").readFileSync(src, "utf8"));
  const { "node-addon-api": _headers, ...dependencies } = pkg.dependencies;
  const keep = { name: pkg.name, version, description: pkg.description, license: pkg.license,
    private: true, type: pkg.type, engines: pkg.engines, dependencies };
  require("fs").writeFileSync(dest, JSON.stringify(keep, null, 2) + "\n");
' package.json "$lib/package.json" "$version"

# The native code, prebuilt. Stripped of debugging symbols and the .comment/.note
# sections, as distributions ship binaries; the shared object is not executable.
install -m 0644 build/Release/mcr_native.node "$lib/build/Release/"
install -m 0755 build/Release/mcr-gen build/Release/mcr-sink build/Release/mcr-inject "$lib/build/Release/"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$lib/build/Release/mcr_native.node"
strip --remove-section=.comment --remove-section=.note "$lib/build/Release/"mcr-{gen,sink,inject}

# Production modules only, as package-lock.json resolved them (npm ls lists each
# installed path; a nested one arrives with its parent). node-addon-api is left out:
# it is the C++ headers the addon was compiled with, not used at run time.
modules=$(npm ls --omit=dev --all --parseable 2>/dev/null) ||
  die "npm ls --omit=dev finds node_modules out of step with package-lock.json: run npm ci"
sed -n "s|^$PWD/node_modules/||p" <<<"$modules" | sort | while read -r module; do
  case "$module" in node-addon-api | */node_modules/*) continue ;; esac
  install -d "$(dirname "$lib/node_modules/$module")"
  cp -R "node_modules/$module" "$lib/node_modules/$module"
done
# What the modules' authors keep for development and reading: none of it is read at run
# time. Licence files stay beside their code; the copyright file points at them.
find "$lib/node_modules" \( -name '.*' -o -iname 'readme*' -o -iname 'changelog*' -o -iname 'history.md' \
  -o -name '*.map' \) -prune -exec rm -rf {} +

# The schema lives in /usr/share/mcr; the code finds it at config/mcr.schema.json.
install -D -m 0644 config/mcr.schema.json "$root/usr/share/mcr/mcr.schema.json"
ln -s ../../../share/mcr/mcr.schema.json "$lib/config/mcr.schema.json"

install -D -m 0755 packaging/bin/mcrd "$root/usr/bin/mcrd"
install -D -m 0755 packaging/bin/mcr "$root/usr/bin/mcr"
install -D -m 0644 mcr.toml.example "$root/etc/mcr.toml"
install -D -m 0644 packaging/systemd/mcrd.service "$root/usr/lib/systemd/system/mcrd.service"
install -D -m 0644 packaging/systemd/mcr.sysusers "$root/usr/lib/sysusers.d/mcr.conf"
install -D -m 0644 packaging/systemd/mcr.tmpfiles "$root/usr/lib/tmpfiles.d/mcr.conf"

# bash loads a command's completion on first use from a file named after it: mcrd's is
# the same file, which defines both.
install -D -m 0644 packaging/completion/mcr.bash "$root/usr/share/bash-completion/completions/mcr"
ln -s mcr "$root/usr/share/bash-completion/completions/mcrd"

for page in docs/man/mcr.1 docs/man/mcr.toml.5 docs/man/mcrd.8; do
  section=${page##*.}
  install -d "$root/usr/share/man/man$section"
  gzip -9n <"$page" >"$root/usr/share/man/man$section/$(basename "$page").gz"
done

doc=$root/usr/share/doc/mcr
install -D -m 0644 README.md "$doc/README.md"
install -m 0644 docs/config-errors.md docs/stats.md docs/security.md docs/discovery.md "$doc/"
install -d "$doc/examples"
install -m 0644 examples/*.toml "$doc/examples/"
node packaging/copyright.mjs "$lib/node_modules" >"$doc/copyright"

# npm tarballs carry their authors' modes; installed files are root's, world-readable.
chmod -R u+rwX,go+rX,go-w "$root"
