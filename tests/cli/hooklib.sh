# Sourced by the hook's tests after lib.sh: a fake host with
# tests/tools/fakekernel playing the kernel's part of binding, domain
# XML, and a libvirt that never answers.
export PTHOOK_CONFIG	# the hook form takes no options

# world HOST|FILE.inv: fake tree, fake kernel, private state, all in a
# directory of its own (W: worlds may run side by side, as the crash
# walk's points do); sets W SYS EV and exports the PTHOOK_* variables
# the hook form reads.
world() {
	local inv=$HOSTS/$1.inv
	[[ $1 == */* ]] && inv=$1
	W=$(mktemp -d "$TMP/world-XXXXXX") || exit 1
	SYS=$W/sys
	"$TOOLS/fakesys" "$inv" "$SYS" || exit 1
	EV=$W/events.log
	: > "$EV"
	"$TOOLS/fakekernel" ${STALL:+-s "$STALL"} ${FAILING:+-f "$FAILING"} "$SYS" "$inv" "$EV" > "$W/fk.out" &
	FK=$!
	for _ in $(seq 100); do grep -q ready "$W/fk.out" 2>/dev/null && break; sleep 0.02; done
	export PTHOOK_SYSFS=$SYS PTHOOK_STATE_DIR=$W/state PTHOOK_LIBVIRT_RUN=$W/lvrun
}
stop_world() {
	kill "$FK" ${SD:-} 2>/dev/null; wait "$FK" ${SD:-} 2>/dev/null
	SD=
}

# appeared ADDR...: as at boot, before the driver module is loaded
appeared() {
	local a
	for a in "$@"; do echo "$a" > "$SYS/bus/pci/drivers/$(drv "$a")/unbind"; done
	for _ in $(seq 100); do
		for a in "$@"; do [ "$(drv "$a")" = none ] || continue 2; done
		return
	done
}

# domain NAME ADDR[:no]...: a domain XML with those PCI hostdevs
domain() {
	local name=$1 a b s f m; shift
	echo "<domain type='kvm'><name>$name</name><devices>"
	for a in "$@"; do
		m=yes; [[ $a == *:no ]] && { m=no; a=${a%:no}; }
		IFS=':.' read -r d b s f <<<"$a"
		echo "<hostdev mode='subsystem' type='pci' managed='$m'><source><address domain='0x$d' bus='0x$b' slot='0x$s' function='0x$f'/></source></hostdev>"
	done
	echo "</devices></domain>"
}

# iface NAME ADDR: a domain with one <interface type='hostdev'> at ADDR
iface() {
	local d b s f
	IFS=':.' read -r d b s f <<<"$2"
	echo "<domain type='kvm'><name>$1</name><devices><interface type='hostdev' managed='yes'>"
	echo "<mac address='52:54:00:12:34:56'/><source><address type='pci' domain='0x$d' bus='0x$b' slot='0x$s' function='0x$f'/></source>"
	echo "<vlan><tag id='7'/></vlan></interface></devices></domain>"
}

drv() { local l; l=$(readlink "$SYS/bus/pci/devices/$1/driver") && basename "$l" || echo none; }
override() { tr -d '\n' < "$SYS/bus/pci/devices/$1/driver_override"; }

AUDIO_CFG='[global]
detach = sysfs
[vm "audio"]
pci = 8086:7ad0
group = detach'

# silent_socket PATH: a "libvirt" that accepts and never answers; $SILENT
silent_socket() {
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$1" &
	SILENT=$!
	for _ in $(seq 100); do [ -S "$1" ] && break; sleep 0.02; done
}

