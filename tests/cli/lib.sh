# Sourced by tests/cli/t_*.sh.  Each test is a function named t_*; it
# runs the built pthook against fake sysfs trees and asserts on its
# stdout ($OUT), stderr ($ERR) and exit code ($RC).
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
PTHOOK=$ROOT/$BUILD/pthook
TOOLS=$ROOT/$BUILD/tools
HOSTS=$ROOT/tests/hosts
TMP=$(mktemp -d /tmp/pthook-cli.XXXXXX)
chmod 700 "$TMP"
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
unset PTHOOK_CONFIG PTHOOK_SYSFS PTHOOK_STATE_DIR

# host NAME: a fresh fake sysfs tree of tests/hosts/NAME.inv; prints its path
host() {
	local dir
	dir=$(mktemp -d "$TMP/sys-$1-XXXXXX") && rmdir "$dir" || exit 1
	"$TOOLS/fakesys" "$HOSTS/$1.inv" "$dir" || exit 1
	echo "$dir"
}

# config TEXT: a root-owned 0600 config; prints its path
config() {
	local f
	f=$(mktemp --suffix=.ini "$TMP/conf-XXXXXX") || exit 1
	printf '%s\n' "$1" > "$f"
	chmod 600 "$f"
	echo "$f"
}

# run ARGS...: pthook with ARGS; stdin from $STDIN when set.  Under
# VALGRIND=1 every run is checked by valgrind: its reports go to a log
# and any error fails the test.
run() {
	local vg=()
	[ -n "${VALGRIND:-}" ] && vg=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite
		--error-exitcode=99 --log-file="$TMP/vg.%p")
	"${vg[@]}" "$PTHOOK" "$@" <"${STDIN:-/dev/null}" >"$TMP/out" 2>"$TMP/err"; RC=$?
	OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
	if [ -n "${VALGRIND:-}" ] && [ -n "$(cat "$TMP"/vg.* 2>/dev/null)" ]; then
		fail "valgrind: $(cat "$TMP"/vg.*)"
	fi
	rm -f "$TMP"/vg.*
}

FAILS=0 OUT= ERR= RC=
fail() { echo "    $*"; FAILS=$((FAILS + 1)); }
rc_is() { [ "$RC" = "$1" ] || fail "exit code $RC, wanted $1; stderr: $ERR"; }
out_has() { grep -qF -- "$1" <<<"$OUT" || fail "stdout lacks '$1'"; }
out_lacks() { ! grep -qF -- "$1" <<<"$OUT" || fail "stdout has '$1'"; }
err_has() { grep -qF -- "$1" <<<"$ERR" || fail "stderr lacks '$1'; stderr: $ERR"; }
err_lines() { [ "$(grep -c . <<<"$ERR")" = "$1" ] || fail "stderr has $(grep -c . <<<"$ERR") lines, wanted $1: $ERR"; }
no_asan() { ! grep -q 'Sanitizer' <<<"$ERR" || fail "sanitizer report: $ERR"; }

# Runs every t_* function; prints "ok - NAME" or "not ok - NAME".
run_tests() {
	local t
	for t in $(declare -F | awk '$3 ~ /^t_/ {print $3}'); do
		FAILS=0
		"$t"
		no_asan
		if [ $FAILS = 0 ]; then echo "ok - $t"; else echo "not ok - $t"; fi
	done
}
