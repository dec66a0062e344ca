#!/bin/bash
# pthook check --install (issue #19): one finding per problem with its
# fix, on a staged hooks dir, a fake /proc with a libvirt daemon, and a
# systemctl stand-in.
. "$(dirname "$0")/lib.sh"

# daemon NAME SECONDS_AGO: a fake /proc where NAME (pid 4242) started
# that long ago
daemon() {
	local now ticks; now=$(date +%s); ticks=$(getconf CLK_TCK)
	rm -rf "$TMP/proc"; mkdir -p "$TMP/proc/4242"
	echo "$1" > "$TMP/proc/4242/comm"
	# btime 1000 s before now; started (1000 - SECONDS_AGO) s after boot
	echo "4242 ($1) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 $(((1000 - $2) * ticks)) 1 1" > "$TMP/proc/4242/stat"
	printf 'cpu  1 1 1 1\nbtime %d\nprocesses 1\n' $((now - 1000)) > "$TMP/proc/stat"
}

setup() {
	export PTHOOK_HOOKS_DIR=$TMP/hooks PTHOOK_PROC=$TMP/proc PTHOOK_STATE_DIR=$TMP/state
	rm -rf "$TMP/hooks" "$TMP/state"; mkdir -p "$TMP/hooks"
	mkdir -p "$TMP/bin"
	printf '#!/bin/sh\nexec [ -e "%s/watch.$1" ]\n' "$TMP" > "$TMP/bin/systemctl"
	sed -i 's/\$1/$1/' "$TMP/bin/systemctl"
	chmod +x "$TMP/bin/systemctl"
	rm -f "$TMP"/watch.*
	export PATH=$TMP/bin:$PATH
	CFG=$(config '[vm "a"]
pci = 8086:10d3')
	daemon virtqemud 10
}
place() { sh "$ROOT/hook/place" install "$PTHOOK" "$TMP/hooks" > /dev/null; }
check() { run -c "$CFG" check --install; }

t_missing_hook_then_placed() {
	setup
	check
	rc_is 1
	err_has "pthook: install: no hook in $TMP/hooks: libvirt never runs pthook; /usr/lib/pthook/place install /usr/sbin/pthook $TMP/hooks (or ./install.sh)"
	out_has "install: no hook; 1 problem, 0 warnings"
	# placed before the daemon started: nothing to say
	place; touch -d '-1 hour' "$TMP/hooks/qemu"
	check
	rc_is 0
	out_has "install: hook $TMP/hooks/qemu; 0 problems, 0 warnings"
	err_lines 0
}

t_not_executable() {
	setup; place; touch -d '-1 hour' "$TMP/hooks/qemu"
	chmod 644 "$TMP/hooks/qemu"
	check
	rc_is 1
	err_has "install: $TMP/hooks/qemu is not executable (mode 0644): libvirt skips it; chmod 755 $TMP/hooks/qemu"
	err_lines 1
}

t_foreign_hook_in_the_way() {
	setup
	printf '#!/bin/sh\nexit 0\n' > "$TMP/hooks/qemu"; chmod 755 "$TMP/hooks/qemu"
	check
	rc_is 1
	err_has "install: $TMP/hooks/qemu is a hook of yours and pthook is not in $TMP/hooks/qemu.d/pthook; /usr/lib/pthook/place install /usr/sbin/pthook $TMP/hooks puts it there (libvirt runs both)"
	mkdir -p "$TMP/hooks/qemu.d"
	printf '#!/bin/sh\nexit 0\n' > "$TMP/hooks/qemu.d/pthook"; chmod 755 "$TMP/hooks/qemu.d/pthook"
	check
	rc_is 1
	err_has "install: $TMP/hooks/qemu.d/pthook is not pthook's; move it away, then"
	rm "$TMP/hooks/qemu.d/pthook"; place; touch -d '-1 hour' "$TMP/hooks/qemu.d/pthook"
	check
	rc_is 0
	out_has "install: hook $TMP/hooks/qemu.d/pthook; 0 problems"
	# and a copy left as qemu too: every event twice
	cp -p "$TMP/hooks/qemu.d/pthook" "$TMP/hooks/qemu"
	check
	rc_is 1
	err_has "install: pthook is both $TMP/hooks/qemu and $TMP/hooks/qemu.d/pthook: libvirt runs it twice for every event; rm $TMP/hooks/qemu.d/pthook"
}

t_stale_copy() {
	setup
	printf '#!/bin/sh\n# @(#)pthook 0.0\nexit 0\n' > "$TMP/hooks/qemu"; chmod 755 "$TMP/hooks/qemu"
	touch -d '-1 hour' "$TMP/hooks/qemu"
	check
	rc_is 1
	err_has "install: $TMP/hooks/qemu is pthook 0.0, not a copy of this pthook (0.1, $ROOT/$BUILD/pthook): it runs against this one's core; update it:"
	err_lines 1
	place
	touch -d '-1 hour' "$TMP/hooks/qemu"
	check
	rc_is 0
}

t_daemon_not_reloaded() {
	setup; place
	daemon virtqemud 600	# started 10 minutes ago; the hook is new
	check
	rc_is 0	# a warning: an update in place needs no reload
	err_has "install: warning: $TMP/hooks/qemu is newer than virtqemud (pid 4242, started "
	err_has "if it was first put there since, libvirt does not run it until told: systemctl reload virtqemud"
	out_has "0 problems, 1 warning"
	# libvirtd started after the hook was put there
	touch -d '-1 minute' "$TMP/hooks/qemu"
	daemon libvirtd 5
	check
	err_lines 0
	rm -rf "$TMP/proc"; mkdir -p "$TMP/proc"
	check
	err_has "install: warning: neither virtqemud nor libvirtd runs: it looks for the hook when it starts"
}

t_config_state_dir_and_watch() {
	setup; place; touch -d '-1 hour' "$TMP/hooks/qemu"
	chmod 666 "$CFG"
	check
	rc_is 1
	err_has "install: $CFG"
	err_has "writable"
	CFG=$(config '[vm "a"]
hotplug = yes
pci = 8086:10d3')
	mkdir -m 777 "$TMP/state"
	check
	rc_is 1
	err_has "install: $TMP/state is not a directory of root's writable by root alone (mode 0777): the hook refuses every start it holds devices for; chown root:root $TMP/state && chmod 700 $TMP/state"
	err_has "install: a has hotplug = yes but pthook-watch.service is not enabled: nothing attaches its devices; systemctl enable --now pthook-watch"
	chmod 700 "$TMP/state"; touch "$TMP/watch.is-enabled"
	check
	err_has "install: a has hotplug = yes but pthook-watch.service does not run: systemctl start pthook-watch"
	touch "$TMP/watch.is-active"
	check
	rc_is 0
	err_lines 0
	run -c "$TMP/nonexistent.ini" check --install
	rc_is 0
	err_has "install: warning: no config at $TMP/nonexistent.ini: pthook lets every start through"
}

t_early_needs_the_udev_rule() {
	setup; place; touch -d '-1 hour' "$TMP/hooks/qemu"
	CFG=$(config '[vm "a"]
early = yes
pci = 8086:10d3')
	PTHOOK_UDEV_RULES=$TMP/60-pthook.rules check
	rc_is 1
	err_has "install: a has early = yes but $TMP/60-pthook.rules is missing: nothing claims its devices at boot"
	cp "$ROOT/etc/60-pthook.rules" "$TMP/"
	PTHOOK_UDEV_RULES=$TMP/60-pthook.rules check
	rc_is 0
}

run_tests
