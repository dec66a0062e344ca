#!/bin/bash
# Cost guard (deterministic, no timings): how many files pthook opens per
# PCI function, counted by the kernel (strace) on two synthetic hosts so
# the fixed start-up cost (libraries, config, pci.ids) drops out.  A change
# that opens one more file per device fails here before it shows in
# `make bench`.
. "$(dirname "$0")/lib.sh"

# slope N1 N2 ARGS...: extra opens per extra function between hosts of
# N1 and N2 functions, as "opens functions" pairs compared by the caller
slope() {
	local n1=$1 n2=$2 i n o; shift 2
	for i in 1 2; do
		n=$([ $i = 1 ] && echo "$n1" || echo "$n2")
		"$TOOLS/synthhost" "$n" > "$TMP/h$i.inv"
		rm -rf "$TMP/sys$i"; "$TOOLS/fakesys" "$TMP/h$i.inv" "$TMP/sys$i"
		ASAN_OPTIONS=detect_leaks=0 PTHOOK_SYSFS=$TMP/sys$i strace -f -qq -e trace=openat,open \
			-o "$TMP/st$i" "$PTHOOK" "$@" < "${STDIN:-/dev/null}" > /dev/null 2>&1
		o[$i]=$(grep -c . "$TMP/st$i"); f[$i]=$(grep -vc '^#' "$TMP/h$i.inv")
	done
	echo $(( o[2] - o[1] )) $(( f[2] - f[1] ))
}

t_list_opens_two_files_per_function() {
	local d n
	read -r d n < <(slope 64 512 list)
	# uevent and revision; the links are read without opening anything;
	# plus bus/pci/slots/*/address, one per card (n/8 is far more than
	# the synthetic hosts have)
	[ "$d" -le $((2 * n + n / 8)) ] || fail "list: $d more opens for $n more functions (> 2 each)"
	[ "$d" -ge $((2 * n)) ] || fail "list: only $d opens for $n functions: did the scan skip devices?"
}

t_simulate_and_prepare_open_one_file_per_function() {
	local cfg d n; cfg=$(config '[vm "b"]
pci = 8086:10d3 slot=2')
	echo "<domain><name>b</name><devices/></domain>" > "$TMP/d.xml"
	# each function's uevent (ids, class, subsystem: one read); the
	# links of what the rule may select and its group mates open
	# nothing; a PF's VF counts are two files (a few per card)
	read -r d n < <(PTHOOK_CONFIG=$cfg slope 64 512 --simulate "$TMP/d.xml")
	[ "$d" -le $((n + n / 8)) ] || fail "--simulate: $d more opens for $n more functions (> 1 each)"
	[ "$d" -ge "$n" ] || fail "--simulate: only $d opens for $n functions: did the scan skip devices?"
	read -r d n < <(PTHOOK_CONFIG=$cfg PTHOOK_STATE_DIR=$TMP/st STDIN=$TMP/d.xml slope 64 512 b prepare begin -)
	[ "$d" -le $((n + n / 8)) ] || fail "prepare: $d more opens for $n more functions (> 1 each)"
	[ "$d" -ge "$n" ] || fail "prepare: only $d opens for $n functions: did the scan skip devices?"
}

# A rule that names a model thousands of VFs share (index= picks one):
# still one open a function, not the full read for every candidate.
t_many_candidates_open_one_file_per_function() {
	local cfg d n; cfg=$(config '[vm "b"]
pci = 8086:1515 index=100')
	echo "<domain><name>b</name><devices/></domain>" > "$TMP/d.xml"
	read -r d n < <(PTHOOK_CONFIG=$cfg PTHOOK_STATE_DIR=$TMP/st STDIN=$TMP/d.xml slope 512 4096 b prepare begin -)
	[ "$d" -le $((n + n / 8)) ] || fail "prepare: $d more opens for $n more functions (> 1 each)"
}

t_prepare_reads_pci_ids_only_to_refuse() {
	local cfg; cfg=$(config '[vm "b"]
pci = 8086:10d3 slot=2')
	"$TOOLS/synthhost" 64 > "$TMP/h.inv"
	"$TOOLS/fakesys" "$TMP/h.inv" "$TMP/sys"
	echo "<domain><name>b</name><devices/></domain>" > "$TMP/d.xml"
	export PTHOOK_CONFIG=$cfg PTHOOK_SYSFS=$TMP/sys PTHOOK_STATE_DIR=$TMP/st
	"$PTHOOK" --simulate "$TMP/d.xml" --op migrate > "$TMP/ok.xml" 2>/dev/null
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat -o "$TMP/st.ok" \
		"$PTHOOK" b prepare begin - < "$TMP/ok.xml" > /dev/null 2>&1 || fail "prepare refused"
	grep -q 'pci\.ids' "$TMP/st.ok" && fail "a prepare that goes through loaded pci.ids"
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat -o "$TMP/st.no" \
		"$PTHOOK" b prepare begin - < "$TMP/d.xml" > /dev/null 2> "$TMP/err"
	grep -q 'pci\.ids' "$TMP/st.no" || fail "the refusal was written without names"
	grep -q '8086:10d3 Intel Corporation 82574L' "$TMP/err" || fail "no name in: $(cat "$TMP/err")"
	unset PTHOOK_CONFIG PTHOOK_SYSFS PTHOOK_STATE_DIR
}

t_fast_path_cost_does_not_grow() {
	local cfg d n; cfg=$(config '[vm "b"]
pci = 8086:10d3 slot=2')
	read -r d n < <(PTHOOK_CONFIG=$cfg slope 64 1024 other prepare begin -)
	[ "$d" = 0 ] || fail "fast path opened $d more files on a bigger host"
}

# Reading more devices in full changes only what depends on their
# driver (the boot VGA): mounts, swaps and routes are read once a run.
t_prepare_reads_what_the_host_needs_once() {
	local cfg f; cfg=$(config '[vm "b"]
pci = 8086:1515 index=3')
	"$TOOLS/synthhost" 64 > "$TMP/h.inv"
	rm -rf "$TMP/sys"; "$TOOLS/fakesys" "$TMP/h.inv" "$TMP/sys"
	echo "<domain><name>b</name><devices/></domain>" > "$TMP/d.xml"
	PTHOOK_CONFIG=$cfg PTHOOK_SYSFS=$TMP/sys PTHOOK_STATE_DIR=$TMP/st ASAN_OPTIONS=detect_leaks=0 \
		strace -f -qq -e trace=openat -o "$TMP/st.c" "$PTHOOK" --simulate "$TMP/d.xml" \
		> /dev/null 2> "$TMP/err"
	grep -q "add hostdev" "$TMP/err" || fail "the rule selected nothing: $(cat "$TMP/err")"
	for f in mountinfo swaps net/route; do
		[ "$(grep -c "/$f\"" "$TMP/st.c")" = 1 ] ||
			fail "$f read $(grep -c "/$f\"" "$TMP/st.c") times: $(grep "/$f\"" "$TMP/st.c")"
	done
}

run_tests
