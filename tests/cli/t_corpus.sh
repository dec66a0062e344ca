#!/bin/bash
# pthook over libvirt's own domain XML test files (issue #14), fetched
# at test time from Debian's libvirt source package
# (tests/libvirt/fetch-corpus.sh; cached in build/corpus, never
# committed).  tests/libvirt/corpus.py says what is asserted per file.
# Under VALGRIND=1 a sample of the files, each run under valgrind.
. "$(dirname "$0")/lib.sh"

xml=$("$ROOT/tests/libvirt/fetch-corpus.sh" "$ROOT/build/corpus") ||
	{ echo "not ok - fetching libvirt's test files failed"; exit 1; }
prog=$PTHOOK limit=0
if [ -n "${VALGRIND:-}" ]; then
	prog=$TMP/vg-pthook limit=6
	printf '#!/bin/sh\nexec valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 %s "$@"\n' \
		"$PTHOOK" > "$prog"
	chmod +x "$prog"
fi
ASAN_OPTIONS=detect_leaks=1 python3 "$ROOT/tests/libvirt/corpus.py" "$prog" "$TOOLS/fakesys" \
	"$xml" "$TMP/corpus" "$limit"
