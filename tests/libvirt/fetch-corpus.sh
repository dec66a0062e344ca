#!/bin/bash
# tests/libvirt/fetch-corpus.sh DIR: libvirt's own domain XML test files,
# from the source package of the libvirt this machine runs, into DIR
# (kept there: a second call reuses it).  The source package comes
# through a private apt state made from this machine's own sources
# (deb lines turned into deb-src), so the machine's apt configuration is
# not touched; nothing of it is committed.  Prints the XML directory.
set -euo pipefail
DIR=$(mkdir -p "$1" && cd "$1" && pwd)
OUT=$DIR/xml
if [ -s "$DIR/done" ]; then echo "$OUT"; exit 0; fi
rm -rf "${DIR:?}"/*; mkdir -p "$DIR/apt/lists/partial" "$DIR/apt/cache/archives/partial" "$DIR/parts" "$OUT"
# deb822 files and one-line lists, as deb-src
for f in /etc/apt/sources.list.d/*.sources; do
	[ -e "$f" ] && sed 's/^Types: .*/Types: deb-src/' "$f" > "$DIR/parts/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -e "$f" ] && sed -n 's/^deb \(.*\)/deb-src \1/p' "$f" > "$DIR/parts/$(basename "$f")"
done
: > "$DIR/sources.list"
APT=(-o Dir::Etc::SourceList="$DIR/sources.list" -o Dir::Etc::SourceParts="$DIR/parts"
	-o Dir::State::Lists="$DIR/apt/lists" -o Dir::Cache="$DIR/apt/cache" -o APT::Get::List-Cleanup=0)
apt-get "${APT[@]}" -qq update >&2
version=$(dpkg-query -W -f '${source:Version}' libvirt0 2>/dev/null || true)
(cd "$DIR" && apt-get "${APT[@]}" -qq source --download-only "libvirt${version:+=$version}" >&2)
tarball=$(ls "$DIR"/libvirt_*.orig.tar.* | head -1)
tar -xf "$tarball" -C "$DIR" --wildcards '*/tests/qemuxml2argvdata/*.xml' \
	'*/tests/qemuxml2xmloutdata/*.xml' '*/tests/qemustatusxml2xmldata/*.xml' 2>/dev/null || true
for d in qemuxml2argvdata qemuxml2xmloutdata qemustatusxml2xmldata; do
	for f in "$DIR"/libvirt-*/tests/$d/*.xml; do
		[ -f "$f" ] && cp "$f" "$OUT/$d-$(basename "$f")"
	done
done
rm -rf "$DIR"/libvirt-*/ "$DIR/apt/cache"
rm -f "$DIR"/libvirt_*.dsc "$DIR"/libvirt_*.debian.tar.* "$DIR"/libvirt_*.orig.tar.*.asc
[ "$(ls "$OUT" | wc -l)" -gt 100 ] || { echo "fetch-corpus: too few files in $OUT" >&2; exit 1; }
basename "$tarball" > "$DIR/done"
echo "$OUT"
