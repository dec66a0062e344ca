#!/bin/bash
# tests/crash/walk.sh [SCENARIO...]: crash consistency, walked point by
# point (SPEC §7, issue #30).  For each scenario a clean run is traced
# first to count its state-changing system calls (write, rename,
# unlink, fsync: every sysfs write, every state-record step; a kill
# right after an open for writing is the kill at that write);
# then, for every k of every one of them, a fresh fake host is made, the
# run is started under strace with the k-th such call made to kill it
# (SIGKILL) or fail (a write: EIO or ENOSPC in turn; a rename or
# unlink: EROFS), and:
#   - pthook status does not crash, and exits 1 while the host differs
#     from its snapshot before the run;
#   - the next release (the hook's release end, or pthook release VM,
#     in turn) brings every driver, driver_override, reset_method,
#     vtconsole binding, firmware framebuffer binding and unit back to
#     that snapshot, and a second release changes nothing;
#   - the VM starts again (prepare exits 0) and releases clean.
# Prints "crash points: N walked, 0 lost" per scenario; exits 1 on any
# point that lost state.  Two points run at a time (CRASH_JOBS).
# Children count as pthook: strace follows every process it forks.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
. tests/cli/hooklib.sh
. tests/cli/handofflib.sh
JOBS=${CRASH_JOBS:-2}
CALLS=(write rename unlink fsync)

# The host as release must leave it (tests/tools/hoststate.c).  VFs
# pthook created stay (README: SR-IOV).
snap() { "$TOOLS/hoststate" "$SYS" "${VT:-}" "${UNITS:-}" ${VFS_STAY:+vfs}; }

# The fake kernel acts on a write as inotify tells it: a moment for the
# write a kill cut off.
settle() { sleep 0.05; }

# Scenarios: setup_NAME makes the world (sets VM, XML, PTHOOK_*); act_NAME
# is the run that is killed, with $@ the strace prefix.
setup_group() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	VM=audio XML=$W/a.xml
	domain audio 0000:00:1f.3 > "$XML"
}
act_group() { "$@" "$PTHOOK" "$VM" prepare begin - < "$XML"; }

setup_reset() {
	world twins
	printf 'flr bus\n' > "$SYS/bus/pci/devices/0000:00:1f.3/reset_method"
	printf 'pm\n' > "$SYS/bus/pci/devices/0000:00:1f.4/reset_method"
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "audio"]
pci = 8086:7ad0 reset=bus
group = detach')
	VM=audio XML=$W/a.xml
	domain audio 0000:00:1f.3 > "$XML"
}
act_reset() { act_group "$@"; }

setup_handoff() {
	console_world
	VM=win10 XML=$W/w.xml
}
act_handoff() { act_group "$@"; }

# release killed during the give-back: the run before it is clean
setup_release() {
	setup_group
	BEFORE=$(snap)	# what release must come back to: the host before the VM
	"$PTHOOK" "$VM" prepare begin - < "$XML" > /dev/null 2>&1 || echo "setup: prepare failed" >&2
	settle
}
act_release() { "$@" "$PTHOOK" "$VM" release end - < "$XML"; }

setup_numvfs() {
	VFS_STAY=1
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "router"]
pci = 8086:1572 slot=2 index=1 vf=2 numvfs=4')
	world sriov
	VM=router XML=$W/r.xml
	domain router 0000:5e:08.3 > "$XML"	# VF 2 of 5e:00.1, once made
}
act_numvfs() { act_group "$@"; }

# the boot-time claim (udev runs it as a function appears): the host to
# come back to is the one a whole claim leaves, reached by the claim of
# the next device's event; the VM then starts and gives nothing back
# (what the claim took stays for the VM)
setup_claim() {
	PTHOOK_CONFIG=$(config '[vm "router"]
early = yes
pci = 8086:10d3 slot=4')
	world twins
	appeared 0000:03:00.0 0000:04:00.0
	VM=router XML=$W/r.xml
	domain router 0000:04:00.0 > "$XML"
}
act_claim() { "$@" "$PTHOOK" claim; }
expect_claim() { act_claim; settle; snap; }
check_claim() {
	local before=$1 out rc changed=
	settle
	[ "$(snap)" != "$before" ] && changed=" changed"
	out=$("$PTHOOK" claim 2>&1); rc=$?
	settle
	[ $rc = 0 ] && [ "$(snap)" = "$before" ] ||
		{ echo "the next claim: exit $rc, left $(diff <(echo "$before") <(snap) | tr '\n' ' ') ($out)"; return; }
	out=$("$PTHOOK" "$VM" prepare begin - < "$XML" 2>&1); rc=$?
	[ $rc = 0 ] || { echo "the start after it exits $rc: $out"; return; }
	"$PTHOOK" "$VM" release end - < "$XML" > /dev/null 2>&1
	settle
	[ "$(snap)" = "$before" ] || { echo "the start left: $(diff <(echo "$before") <(snap) | tr '\n' ' ')"; return; }
	echo "ok$changed"
}

# What a point's run left, checked: "ok", "ok changed" (the run had
# changed the host and release gave it back), else what was lost.
check_point() {
	local before=$1 k=$2 out rc changed=
	settle
	out=$("$PTHOOK" status "$VM" 2>&1); rc=$?
	[ $rc -le 1 ] || { echo "status exit $rc: $out"; return; }
	if [ "$(snap)" != "$before" ]; then
		changed=" changed"
		[ $rc = 1 ] || { echo "the host differs and status says nothing is left: $out;" \
			"$(diff <(echo "$before") <(snap) | tr '\n' ' ')"; return; }
	fi
	if [ $((k % 2)) = 0 ]; then
		out=$("$PTHOOK" "$VM" release end - < "$XML" 2>&1)
	else
		out=$("$PTHOOK" release "$VM" 2>&1)
	fi
	settle
	[ "$(snap)" = "$before" ] ||
		{ echo "release left: $(diff <(echo "$before") <(snap) | tr '\n' ' ') ($out)"; return; }
	ls "$PTHOOK_STATE_DIR" 2>/dev/null | grep -q 'state' &&
		{ echo "a record is left: $(ls "$PTHOOK_STATE_DIR")"; return; }
	out=$("$PTHOOK" "$VM" release end - < "$XML" 2>&1); rc=$?
	settle
	[ $rc = 0 ] && [ "$(snap)" = "$before" ] || { echo "second release: exit $rc, $out"; return; }
	# the VM still starts, and gives everything back
	out=$("$PTHOOK" "$VM" prepare begin - < "$XML" 2>&1); rc=$?
	[ $rc = 0 ] || { echo "the next prepare exits $rc: $out"; return; }
	settle
	"$PTHOOK" "$VM" release end - < "$XML" > /dev/null 2>&1
	settle
	[ "$(snap)" = "$before" ] || { echo "the next run left: $(diff <(echo "$before") <(snap) | tr '\n' ' ')"; return; }
	echo "ok$changed"
}

# expect SCEN: the host its points come back to, when the scenario says
# (TMP/expect-SCEN)
expect() {
	declare -F "expect_$1" > /dev/null || return 0
	("setup_$1" 2>/dev/null; "expect_$1" > "$TMP/expect-$1" 2>/dev/null; stop_world)
}

# point SCEN CALL K HOW: one fresh world, one fault, its verdict on a
# line.  The host to come back to: expect_SCEN's (walk runs it once),
# else the setup's BEFORE, else the host before the run.
point() {
	local scen=$1 call=$2 k=$3 how=$4 before lost rc
	(
		BEFORE=
		"setup_$scen" 2>/dev/null
		before=${BEFORE:-$(snap)}
		[ -f "$TMP/expect-$scen" ] && before=$(cat "$TMP/expect-$scen")
		"act_$scen" strace -f -qq -o /dev/null -e trace="$call" \
			-e inject="$call:$how:when=$k" > /dev/null 2>&1
		rc=$?
		if declare -F "check_$scen" > /dev/null; then
			lost=$("check_$scen" "$before")
		else
			lost=$(check_point "$before" "$k")
		fi
		stop_world
		case $lost in ok*) echo "$lost" ;; *) echo "LOST $scen $call#$k $how (run exit $rc): $lost" ;; esac
	)
}

# How many calls of each kind the clean run makes: the most one of its
# processes makes (strace counts each process's own).
count() {
	local scen=$1
	local log
	log=$(mktemp "$TMP/count-XXXXXX")
	(
		"setup_$scen" 2>/dev/null
		"act_$scen" strace -f -qq -o "$log" -e trace="$(IFS=,; echo "${CALLS[*]}")" > /dev/null 2>&1
		stop_world
	)
	local c
	for c in "${CALLS[@]}"; do
		echo "$c $(grep -E "^[0-9]+ +$c\(" "$log" | awk '{n[$1]++} END {m=0; for (p in n) if (n[p] > m) m = n[p]; print m}')"
	done
}

walk() {
	local scen=$1 c n k how running=0
	local res=$TMP/res-$scen
	: > "$res"
	expect "$scen"
	while read -r c n; do
		for ((k = 1; k <= n; k++)); do
			for how in signal=KILL error=EIO; do
				if [ "$how" = error=EIO ]; then
					case $c in
					rename|unlink) how=error=EROFS ;;
					write) [ $((k % 2)) = 0 ] && how=error=ENOSPC ;;
					esac
				fi
				point "$scen" "$c" "$k" "$how" >> "$res" &
				running=$((running + 1))
				if [ $running -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
			done
		done
	done < <(count "$scen")
	wait
	local total lost changed
	total=$(grep -c . "$res"); lost=$(grep -c '^LOST' "$res"); changed=$(grep -c 'changed' "$res")
	grep '^LOST' "$res" | head -20
	echo "crash points ($scen): $total walked, $lost lost ($changed had changed the host)"
	[ "$lost" = 0 ] && [ "$total" -gt 0 ]
}

# CRASH_POINT="SCENARIO CALL K HOW": that one point alone (to look at one)
if [ -n "${CRASH_POINT:-}" ]; then
	expect ${CRASH_POINT%% *}
	point $CRASH_POINT
	exit
fi
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(group reset handoff release numvfs claim)
rc=0
for s in "${SCENARIOS[@]}"; do
	if walk "$s"; then echo "ok - crash walk $s"; else echo "not ok - crash walk $s"; rc=1; fi
done
exit $rc
