#!/bin/bash
# Names unchanged by the one-read scan (issue #18): `list`, `check -v`
# and prepare's refusals on every bundled host, against the output of
# pthook before the scan read uevent (tests/golden/HOST.*, written by
# commit cc1d3b2 from the same trees; the config's path reads CONFIG).
# The refusals name candidates of id-only rules, which the scan leaves
# partial until a plan needs them.  Since one verdict (#29) a refusal
# reads serials as check does, so it offers serial= where check does.
. "$(dirname "$0")/lib.sh"

G=$ROOT/tests/golden

# same WHAT HOST CONFIG: the output now, against the golden file
same() {
	diff <(sed "s|$3|CONFIG|g" "$TMP/now") "$G/$2.$1" > "$TMP/diff" ||
		fail "$1 on $2 differs: $(head -6 "$TMP/diff")"
}

t_list_check_and_refusals_name_devices_as_before() {
	local h n vm check refusals
	check=$(config "$(cat "$G/check.ini")")
	refusals=$(config "$(cat "$G/refusals.ini")")
	for h in "$ROOT"/tests/hosts/*.inv; do
		n=$(basename "$h" .inv)
		rm -rf "$TMP/sys"; "$TOOLS/fakesys" "$h" "$TMP/sys"
		"$PTHOOK" --sysfs "$TMP/sys" list > "$TMP/now" 2>&1
		same list "$n" @none@
		"$PTHOOK" --sysfs "$TMP/sys" -c "$check" check -v > "$TMP/now" 2>&1
		same check "$n" "$check"
		: > "$TMP/now"
		for vm in nics gpu usb; do
			echo "<domain><name>$vm</name><devices/></domain>" |
				PTHOOK_SYSFS=$TMP/sys PTHOOK_CONFIG=$refusals PTHOOK_STATE_DIR=$TMP/st \
				PTHOOK_LIBVIRT_RUN=$TMP/lv "$PTHOOK" $vm prepare begin - >> "$TMP/now" 2>&1
		done
		same refusals "$n" "$refusals"
	done
}

run_tests
