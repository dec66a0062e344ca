# Sourced by the hook's tests after lib.sh: a fake host with
# tests/tools/fakekernel playing the kernel's part of binding, domain
# XML, and a libvirt that never answers.
export PTHOOK_CONFIG	# the hook form takes no options

# world HOST|FILE.inv: fake tree, fake kernel, private state; sets SYS
# EV and exports the PTHOOK_* variables the hook form reads.
world() {
	local inv=$HOSTS/$1.inv
	[[ $1 == */* ]] && inv=$1
	SYS=$TMP/sys-$RANDOM
	"$TOOLS/fakesys" "$inv" "$SYS" || exit 1
	EV=$TMP/events-$RANDOM.log
	: > "$EV"
	"$TOOLS/fakekernel" ${STALL:+-s "$STALL"} ${FAILING:+-f "$FAILING"} "$SYS" "$inv" "$EV" > "$TMP/fk.out" &
	FK=$!
	for _ in $(seq 100); do grep -q ready "$TMP/fk.out" 2>/dev/null && break; sleep 0.02; done
	export PTHOOK_SYSFS=$SYS PTHOOK_STATE_DIR=$TMP/state-$RANDOM PTHOOK_LIBVIRT_RUN=$TMP/lvrun-$RANDOM
}
stop_world() { kill "$FK" 2>/dev/null; wait "$FK" 2>/dev/null; }

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

