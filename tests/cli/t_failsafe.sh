#!/bin/bash
# Fail closed on prepare, never fail deadly elsewhere (SPEC §3, §5.1-5.3,
# issue #13): a config that is misread, broken or unsafe; release from
# the state record alone; a libvirt that never answers; a hook killed
# half-way; a kernel write that never returns.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"

# win10 wants the ASUS GTX 1070; its definition hands over the NVMe.
GPU_RULES='pci = 10de:1b81 subsystem=1043:85f4
group = detach'
WRONG_XML() { domain win10 0000:01:00.0 0000:01:00.1 10000:e1:00.0; }

# cfg_file NAME CONTENT: a root-owned 0600 file with exactly CONTENT
cfg_file() { printf '%b' "$2" > "$TMP/$1"; chmod 600 "$TMP/$1"; echo "$TMP/$1"; }

t_no_config_variant_lets_the_wrong_device_start() {
	local long; long=$(printf '%0300d' 0)
	world twins
	WRONG_XML > "$TMP/w.xml"
	# legal files, read whole: the refusal stands (exit 1)
	local -A legal=(
		[bom]="\xef\xbb\xbf[vm \"win10\"]\n$GPU_RULES\n"
		[crlf]="[vm \"win10\"]\r\n${GPU_RULES/$'\n'/$'\r\n'}\r\n"
	)
	local k
	for k in "${!legal[@]}"; do
		PTHOOK_CONFIG=$(cfg_file "$k.ini" "${legal[$k]}")
		STDIN=$TMP/w.xml run win10 prepare begin -
		[ "$RC" = 1 ] || fail "$k: prepare exit $RC, wanted the refusal (1): $ERR"
		grep -q '10000:e1:00.0' <<<"$ERR" || fail "$k: refusal does not name the NVMe: $ERR"
		run check -c "$PTHOOK_CONFIG" --sysfs "$SYS"
		grep -q "$PTHOOK_CONFIG:" <<<"$ERR" && fail "$k: check calls the file broken: $ERR"
	done
	# files that cannot be read right: refused as a config error (exit 2),
	# and check agrees with the hook
	# a line over inih's limit is an error naming the line and the limit,
	# never split into rules
	local -A broken=(
		[long_comment]="; $long\n[vm \"win10\"]\n$GPU_RULES\n"
		[long_trailing]="[vm \"win10\"]\npci = 10de:1b81 subsystem=1043:85f4 ; $long\ngroup = detach\n"
		[nul]="[global]\n\0\n[vm \"win10\"]\n$GPU_RULES\n"
		[space]="[vm \"win10\" ]\n$GPU_RULES\n"
		[upper]="[VM \"win10\"]\n$GPU_RULES\n"
		[quote]="[vm 'win10']\n$GPU_RULES\n"
		[other_named]="[vm \"web\"]\npci = 8086:7ad0\n[vm 'win10']\n$GPU_RULES\n"
	)
	for k in "${!broken[@]}"; do
		PTHOOK_CONFIG=$(cfg_file "$k.ini" "${broken[$k]}")
		STDIN=$TMP/w.xml run win10 prepare begin -
		[ "$RC" = 2 ] || fail "$k: prepare exit $RC, wanted 2: $ERR"
		err_has "pthook: win10: $PTHOOK_CONFIG:"
		[[ $k == long_* ]] && err_has "bytes, longer than the 198 inih reads a line in"
		run check -c "$PTHOOK_CONFIG" --sysfs "$SYS"
		[ "$RC" = 2 ] || fail "$k: check exit $RC, the hook said 2"
	done
	[ -s "$EV" ] && fail "something was touched: $(cat "$EV")"
	stop_world
}

# broken configs: a typo, a bad header, world-writable, gone
broken_configs() {
	cfg_file typo.ini "[global]\ndetach = sysfs\ntimeot = 5\n[vm \"audio\"]\npci = 8086:7ad0\ngroup = detach\n"
	cfg_file header.ini "[global]\ndetach = sysfs\n[vm \"audio\"]\npci = 8086:7ad0\ngroup = detach\n[vm other]\n"
	local f; f=$(cfg_file open.ini "[global]\ndetach = sysfs\n[vm \"audio\"]\npci = 8086:7ad0\ngroup = detach\n")
	chmod 666 "$f"; echo "$f"
	echo "$TMP/gone.ini"
}

t_broken_config_fails_only_prepare() {
	local f op
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	for f in $(broken_configs); do
		PTHOOK_CONFIG=$f
		for op in "reconnect begin" "attach begin" "started begin" "start begin" \
		    "stopped end" "release end" "release begin" "migrate end"; do
			# shellcheck disable=SC2086
			STDIN=$TMP/a.xml run audio $op -
			[ "$RC" = 0 ] || fail "$(basename "$f"): '$op' exit $RC: $ERR"
			[ -z "$OUT" ] || fail "$(basename "$f"): '$op' printed: $OUT"
		done
		STDIN=$TMP/a.xml run audio prepare begin -
		[ "$RC" = 2 ] || fail "$(basename "$f"): prepare exit $RC, wanted 2"
		err_lines 1
	done
	[ -s "$EV" ] && fail "something was touched: $(cat "$EV")"
	stop_world
}

t_release_with_broken_config_gives_back() {
	local f
	for f in $(broken_configs); do
		world twins
		domain audio 0000:00:1f.3 > "$TMP/a.xml"
		PTHOOK_CONFIG=$(config "$AUDIO_CFG")
		STDIN=$TMP/a.xml run audio prepare begin -
		rc_is 0
		[ "$(drv 0000:00:1f.4)" = vfio-pci ] || fail "not detached"
		PTHOOK_CONFIG=$f	# it broke while the VM ran
		STDIN=$TMP/a.xml run audio release end -
		rc_is 0
		[ "$(drv 0000:00:1f.4)" = i801_smbus ] ||
			fail "$(basename "$f"): 1f.4 stays on $(drv 0000:00:1f.4)"
		[ -e "$PTHOOK_STATE_DIR/audio.state" ] && fail "$(basename "$f"): record left"
		stop_world
	done
}

t_release_restores_the_driver_override_it_found() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	# the administrator pinned 1f.4 to its driver
	echo i801_smbus > "$SYS/bus/pci/devices/0000:00:1f.4/driver_override"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	grep -qx "device 0000:00:1f.4 i801_smbus override=i801_smbus" "$PTHOOK_STATE_DIR/audio.state" ||
		fail "override not recorded: $(cat "$PTHOOK_STATE_DIR/audio.state")"
	[ "$(override 0000:00:1f.4)" = vfio-pci ] || fail "not detached"
	STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	[ "$(override 0000:00:1f.4)" = i801_smbus ] || fail "override is '$(override 0000:00:1f.4)'"
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "1f.4 on $(drv 0000:00:1f.4)"
	stop_world
}

t_release_records_how_not_the_config() {
	# reattach = no at the start: the device stays, whatever the config says later
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
reattach = no
[vm "audio"]
pci = 8086:7ad0
group = detach')
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	grep -qx "reattach no" "$PTHOOK_STATE_DIR/audio.state" || fail "how not recorded"
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")	# reattach = yes now
	STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	[ "$(drv 0000:00:1f.4)" = vfio-pci ] || fail "given back against the record"
	stop_world
}

t_group_held_by_another_vm_whatever_its_driver() {
	local policy
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	mkdir -p "$PTHOOK_LIBVIRT_RUN"
	# web runs with the ISA bridge, which has no driver (viable as it is)
	{ echo "<domstatus state='running'>"; domain web 0000:00:1f.0; echo "</domstatus>"; } \
		> "$PTHOOK_LIBVIRT_RUN/web.xml"
	for policy in detach strict; do
		PTHOOK_CONFIG=$(config "[global]
detach = sysfs
[vm \"audio\"]
pci = 8086:7ad0
group = $policy")
		# 1f.4 would be detached or refused on its own: make it viable
		echo vfio-pci > "$SYS/bus/pci/devices/0000:00:1f.4/driver_override"
		STDIN=$TMP/a.xml run audio prepare begin -
		rc_is 1
		err_has "0000:00:1f.0 8086:7a84"
		err_has "held by running VM 'web'"
	done
	# the same under pthook's own record: 1f.4 already on vfio-pci for 'web'
	rm "$PTHOOK_LIBVIRT_RUN/web.xml"
	PTHOOK_CONFIG=$(config "$AUDIO_CFG
[vm \"web\"]
pci = 8086:7aa3
group = detach")
	domain web 0000:00:1f.4 > "$TMP/w.xml"
	STDIN=$TMP/w.xml run web prepare begin -
	rc_is 0
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 1
	err_has "held by running VM 'web'"
	stop_world
}

# silent_libvirt GLOBAL [SECTIONS]: a libvirt that accepts and never
# answers ($SILENT), and a config whose audio VM (group = detach) has it
# for its uri, with GLOBAL lines and further SECTIONS
silent_libvirt() {
	SOCK=$TMP/silent-$RANDOM.sock; silent_socket "$SOCK"
	PTHOOK_CONFIG=$(config "[global]
uri = qemu+unix:///system?socket=$SOCK
$1
[vm \"audio\"]
pci = 8086:7ad0
group = detach${2:+
$2}")
}

# one group: the wanted function and $1 mates on a driver of their own
many_mates_inv() {
	local i
	echo "0000:00:1f.0	060100	8086:7a84	-	11	-	8	-	ISA bridge	-"
	echo "0000:00:1f.3	040300	8086:7ad0	-	11	snd_hda_intel	8	-	audio	-"
	for i in $(seq 1 "$1"); do
		printf '0000:20:%02x.0\t0c0500\t8086:%04x\t-\t11\ti801_smbus\t8\t-\tmate\t-\n' "$i" "$i"
	done
	echo "0000:30:00.0	0c0500	8086:7aa3	-	11	i801_smbus	9	-	other	-"
}

t_hung_libvirt_paid_once_and_others_start() {
	many_mates_inv 16 > "$TMP/mates.inv"
	silent_libvirt "timeout = 1" '[vm "other"]
pci = 8086:7aa3
managed = no'
	world "$TMP/mates.inv"
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	domain other 0000:30:00.0:no > "$TMP/o.xml"
	local t0=$SECONDS
	"$PTHOOK" audio prepare begin - < "$TMP/a.xml" > "$TMP/a.out" 2>&1 &
	local pa=$!
	sleep 0.3	# audio holds the lock and waits for libvirt
	STDIN=$TMP/o.xml run other prepare begin -
	rc_is 0
	wait $pa; local rca=$?
	[ $rca = 0 ] || fail "audio: exit $rca: $(cat "$TMP/a.out")"
	[ $((SECONDS - t0)) -le 6 ] || fail "took $((SECONDS - t0)) s for timeout = 1"
	[ "$(drv 0000:20:10.0)" = vfio-pci ] || fail "last mate on $(drv 0000:20:10.0)"
	[ "$(drv 0000:30:00.0)" = vfio-pci ] || fail "other's device on $(drv 0000:30:00.0)"
	t0=$SECONDS
	STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	[ $((SECONDS - t0)) -le 5 ] || fail "release took $((SECONDS - t0)) s"
	[ "$(drv 0000:20:10.0)" = i801_smbus ] || fail "not given back"
	kill $SILENT
	stop_world
}

t_autostart_libvirt_not_waited_for() {
	silent_libvirt "timeout = 3"
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	# libvirtd starting up: its thread "daemon-init" runs the hook
	mkdir -p "$TMP/proc/$BASHPID/task/1" "$TMP/proc/$BASHPID/task/2"
	echo libvirtd > "$TMP/proc/$BASHPID/task/1/comm"
	echo daemon-init > "$TMP/proc/$BASHPID/task/2/comm"
	local t0; t0=$(date +%s%N)
	PTHOOK_PROC=$TMP/proc STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2500 ] || fail "waited for a starting libvirt"
	[ "$(drv 0000:00:1f.4)" = vfio-pci ] || fail "not detached"
	STDIN=$TMP/a.xml run audio release end -
	# the same start once the daemon runs: libvirt is asked, and waited for
	echo rpc-worker > "$TMP/proc/$BASHPID/task/2/comm"
	t0=$(date +%s%N)
	PTHOOK_PROC=$TMP/proc STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 2900 ] || fail "libvirt was not asked"
	STDIN=$TMP/a.xml run audio release end -
	kill $SILENT
	stop_world
}

t_killed_hook_leaves_no_lock_and_no_helper() {
	silent_libvirt "detach = libvirt
timeout = 30"
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	# libvirt reads the hook's output until every writer is gone
	( "$PTHOOK" audio prepare begin - < "$TMP/a.xml" 2>&1; echo "exit $?" ) > "$TMP/k.out" &
	for _ in $(seq 200); do [ -e "$PTHOOK_STATE_DIR/audio.state" ] && break; sleep 0.02; done
	sleep 0.2
	local hook; hook=$(pgrep -f "$PTHOOK audio prepare" | head -1)
	[ -n "$hook" ] || fail "no hook running"
	kill -9 "$hook"
	local t0=$SECONDS
	run release audio
	rc_is 0
	[ $((SECONDS - t0)) -le 2 ] || fail "release waited $((SECONDS - t0)) s for the lock"
	sleep 0.3
	pgrep -f "$PTHOOK audio prepare" > /dev/null && fail "a helper outlived the hook"
	grep -q "exit 137" "$TMP/k.out" || fail "the hook's output stayed open: $(cat "$TMP/k.out")"
	kill $SILENT
	stop_world
}

t_stuck_kernel_write_is_bounded_and_named() {
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
timeout = 1
[vm "audio"]
pci = 8086:7ad0
group = detach')
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	# an unbind that never returns: a FIFO nobody reads
	rm "$SYS/bus/pci/drivers/i801_smbus/unbind"
	mkfifo "$SYS/bus/pci/drivers/i801_smbus/unbind"
	local t0=$SECONDS
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 3
	err_has "0000:00:1f.4: the kernel did not finish unbinding it within the hook's 6 s; no process holds it: the driver is stuck"
	err_lines 1
	[ $((SECONDS - t0)) -le 9 ] || fail "took $((SECONDS - t0)) s"
	[ -e "$PTHOOK_STATE_DIR/audio.state" ] && fail "record left after the rollback"
	stop_world
}

t_release_by_hand_refused_while_running() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	mkdir -p "$PTHOOK_LIBVIRT_RUN"
	{ echo "<domstatus state='running'>"; cat "$TMP/a.xml"; echo "</domstatus>"; } \
		> "$PTHOOK_LIBVIRT_RUN/audio.xml"
	run release audio
	rc_is 1
	err_has "the domain is running"
	[ "$(drv 0000:00:1f.4)" = vfio-pci ] || fail "given back under the guest"
	run release --force audio
	rc_is 0
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "--force did not give back"
	stop_world
}

run_tests
