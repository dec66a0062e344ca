#!/bin/bash
# State records written by an earlier pthook (issue #30): a record on
# disk outlives the pthook that wrote it (an upgrade while a VM runs, a
# crash before one), so release must read every record an earlier
# release wrote.  tests/golden/records/REV/ holds records the pthook of
# commit REV left for the scenarios below, made with
#   RECORDS_FROM=REV BUILD=PATH/TO/THAT/build bash tests/cli/t_records.sh
# Each test brings a fresh fake host to where that run left it (today's
# prepare, whose record is then replaced by the old one) and checks that
# status names what is held and release gives back exactly the host
# before the run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"
. "$(dirname "$0")/handofflib.sh"

RECORDS=$ROOT/tests/golden/records

# the scenarios: a group detached through sysfs with its guest device;
# the single-GPU handoff (units, fbcon, firmware framebuffer) with a
# reset method changed
audio_world() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	VM=audio XML=$W/a.xml
	domain audio 0000:00:1f.3 > "$XML"
}
win10_world() {
	console_world "${HANDOFF/85f4/85f4 reset=bus}"
	printf 'flr bus\n' > "$SYS/bus/pci/devices/$GPU/reset_method"
	VM=win10 XML=$W/w.xml
}

snap() { "$TOOLS/hoststate" "$SYS" "${VT:-}" "${UNITS:-}"; }

# released_from REV SCENARIO HOW: REV's record of SCENARIO, released by
# HOW ("hook": the hook's release end; "command": pthook release VM)
released_from() {
	local rev=$1 scen=$2 how=$3 before
	"${scen}_world"
	before=$(snap)
	STDIN=$XML run "$VM" prepare begin -
	rc_is 0
	sleep 0.1
	[ "$(snap)" != "$before" ] || fail "$scen: the prepare changed nothing"
	cp "$RECORDS/$rev/$VM.state" "$PTHOOK_STATE_DIR/$VM.state"
	run status "$VM"
	rc_is 1
	out_has "$VM: not running; LEFT OVER: pthook release $VM gives them back"
	if [ "$how" = hook ]; then
		STDIN=$XML run "$VM" release end -
	else
		run release "$VM"
	fi
	rc_is 0
	sleep 0.1
	[ "$(snap)" = "$before" ] || fail "$rev $scen ($how): $(diff <(echo "$before") <(snap) | tr '\n' ' ')"
	[ -e "$PTHOOK_STATE_DIR/$VM.state" ] && fail "$rev $scen: the record is left"
	stop_world
}

if [ -n "${RECORDS_FROM:-}" ]; then
	mkdir -p "$RECORDS/$RECORDS_FROM"
	for scen in audio win10; do
		"${scen}_world"
		STDIN=$XML run "$VM" prepare begin - || true
		[ "$RC" = 0 ] || { echo "prepare of $VM: $ERR" >&2; exit 1; }
		cp "$PTHOOK_STATE_DIR/$VM.state" "$RECORDS/$RECORDS_FROM/"
		stop_world
	done
	exit
fi

t_records_of_7f0b874_release_by_the_hook() {
	released_from 7f0b874 audio hook
	released_from 7f0b874 win10 hook
}
t_records_of_7f0b874_release_by_the_command() {
	released_from 7f0b874 audio command
	released_from 7f0b874 win10 command
}

run_tests
