#!/usr/bin/env bash
# Refreshes the map's JavaScript libraries from the npm registry at pinned versions, into
# static/vendor/<package>-<version>/ with their licences, so the pages load nothing from a CDN.
# Leaflet itself (1.9.3) and Leaflet.draw (1.0.4) come with django-leaflet and are not vendored here.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES=(
  "leaflet.vectorgrid 1.3.0 dist/Leaflet.VectorGrid.bundled.min.js"
  "leaflet.heat 0.2.0 dist/leaflet-heat.js"
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for spec in "${PACKAGES[@]}"; do
  read -r name version files <<<"$spec"
  dest="static/vendor/$name-$version"
  curl -fsSL "https://registry.npmjs.org/$name/-/$name-$version.tgz" -o "$tmp/$name.tgz"
  mkdir -p "$tmp/$name" && tar -xzf "$tmp/$name.tgz" -C "$tmp/$name"
  rm -rf "$dest" && mkdir -p "$dest"
  for f in $files; do cp "$tmp/$name/package/$f" "$dest/"; done
  licence=$(find "$tmp/$name/package" -maxdepth 1 -iname 'LICEN[CS]E*' | head -1)
  if [ -n "$licence" ]; then
    cp "$licence" "$dest/LICENSE"
  else  # leaflet.vectorgrid's tarball (Beerware) carries its licence only in the README, with the
    # licences of the libraries its bundle includes
    { grep -m1 '"license"' "$tmp/$name/package/package.json"; sed -n '/licen[cs]e)$/p; /^## Legalese/,$p' "$tmp/$name/package/README.md"; } >"$dest/LICENSE"
    [ -s "$dest/LICENSE" ] || { echo "no licence in $name $version" >&2; exit 1; }
  fi
  echo "$name@$version -> $dest"
done
