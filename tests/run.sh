#!/bin/bash
# tests/run.sh BUILD_DIR...: every unit and command-line test against each
# build (build-asan first, then the plain one).  Last line:
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0
failed=()

for B in "$@"; do
	echo "== $B: unit tests"
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1); rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
		pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
		if [ $rc != 0 ] || [ -z "$p$f" ]; then
			echo "$out"
			[ -z "$f" ] && fail=$((fail + 1))
			failed+=("$t")
		else
			echo "ok   $(basename "$t"): ${p} passed"
		fi
	done
	echo "== $B: command-line tests"
	for s in tests/cli/t_*.sh; do
		out=$(BUILD=$B bash "$s" 2>&1); rc=$?
		p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out")
		pass=$((pass + p)); fail=$((fail + f))
		if [ $rc != 0 ] || [ "$f" != 0 ]; then
			echo "$out" | grep -v '^ok '
			[ "$f" = 0 ] && fail=$((fail + 1))
			failed+=("$B $s")
		else
			echo "ok   $(basename "$s"): $p passed"
		fi
	done
done
# libFuzzer smoke runs from the seed corpus (make fuzz builds them).
if [ -x build-fuzz/fuzz_config ]; then
	echo "== fuzz smoke (${FUZZ_SECONDS:-45} s per target)"
	out=$(tests/fuzz/run.sh "${FUZZ_SECONDS:-45}" fuzz_config fuzz_match fuzz_domxml fuzz_inventory 2>&1)
	echo "$out" | grep -E '^(ok|not ok) '
	p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out")
	pass=$((pass + p)); fail=$((fail + f))
	[ "$f" != 0 ] && { echo "$out" | grep -v '^ok '; failed+=("tests/fuzz"); }
fi

# The real-kernel tier: one guest boot, the plain build (tests/vm).
if command -v qemu-system-x86_64 >/dev/null && [ -z "${PTHOOK_NO_VM:-}" ]; then
	echo "== real-kernel tier (tests/vm, about 2 minutes under TCG)"
	out=$(tests/vm/run.sh 2>&1); rc=$?
	p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out")
	pass=$((pass + p)); fail=$((fail + f))
	if [ $rc != 0 ] || [ "$f" != 0 ]; then
		echo "$out" | grep -v '^ok '
		[ "$f" = 0 ] && fail=$((fail + 1))
		failed+=("tests/vm")
	else
		echo "ok   tests/vm: $p passed"
	fi
fi
[ ${#failed[@]} -gt 0 ] && printf 'FAILED: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
