#!/bin/bash
# tests/run.sh BUILD_DIR...: every test.  Unit and command-line tests
# against each build (build-asan first, then the plain one); the
# command-line tests again under valgrind; the Debian package; libFuzzer
# smoke runs; the real-kernel tier.  Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0
failed=()

# tally NAME RC OUTPUT: add a suite's results.  Suites print
# "ok ..." / "not ok ..." lines; cmocka's own summary is read for units.
tally() {
	local name=$1 rc=$2 out=$3 p f
	if [[ $name == */test_* ]]; then
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
	else
		p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out")
	fi
	p=${p:-0} f=${f:-0}
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$rc" != 0 ] || [ "$f" != 0 ] || [ "$((p + f))" = 0 ]; then
		echo "$out" | grep -v '^ok \|^\[ RUN\|^\[       OK'
		[ "$f" = 0 ] && fail=$((fail + 1))	# died without saying which
		failed+=("$name")
	else
		echo "ok   $name: $p passed"
	fi
}

for B in "$@"; do
	echo "== $B: unit tests"
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] && [[ $t != *.d ]] || continue
		out=$("$t" 2>&1); tally "$t" $? "$out"
	done
	echo "== $B: command-line tests"
	for s in tests/cli/t_*.sh; do
		out=$(BUILD=$B bash "$s" 2>&1); tally "$B $s" $? "$out"
	done
done

if command -v strace >/dev/null && [ -d build ]; then
	echo "== crash walk: every state-changing call of a run killed or failed in turn (tests/crash/walk.sh)"
	out=$(tests/crash/walk.sh 2>&1); tally "tests/crash" $? "$out"
	grep '^crash points' <<<"$out"
fi

if command -v valgrind >/dev/null && [ -d build ]; then
	echo "== build: command-line tests, every pthook run under valgrind"
	for s in tests/cli/t_*.sh; do
		out=$(VALGRIND=1 BUILD=build bash "$s" 2>&1); tally "valgrind $s" $? "$out"
	done
fi

if [ -z "${PTHOOK_NO_PACKAGE:-}" ]; then
	echo "== the Debian package, built, installed and purged (tests/package.sh)"
	out=$(tests/package.sh 2>&1); tally "tests/package.sh" $? "$out"
fi

if [ -x build-fuzz/fuzz_config ]; then
	echo "== fuzz smoke (${FUZZ_SECONDS:-45} s per target)"
	out=$(tests/fuzz/run.sh "${FUZZ_SECONDS:-45}" fuzz_config fuzz_match fuzz_domxml fuzz_inventory 2>&1)
	tally "tests/fuzz" $? "$out"
	grep '^ok ' <<<"$out"
fi

if command -v qemu-system-x86_64 >/dev/null && [ -z "${PTHOOK_NO_VM:-}" ]; then
	echo "== real-kernel tier (tests/vm, about 7 minutes under TCG)"
	out=$(tests/vm/run.sh 2>&1); tally "tests/vm" $? "$out"
fi

[ ${#failed[@]} -gt 0 ] && printf 'FAILED: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
