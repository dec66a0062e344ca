#!/bin/bash
# make bench: pthook on synthetic hosts of 64, 512, 4096 and 16384 PCI
# functions (SR-IOV VFs, multi-function cards, identical NICs), against
# baselines measured in the same run: /bin/true for the hook's fast path,
# `lspci -n` on the same tree for the commands that scan it, and the
# floor (bench/floor.c: each function's uevent and iommu_group link).
# Two configs: bench's four rules, and many candidates (a VF model most
# functions share, index=100 picks one).  Medians of BATCHES batches.
# Prints markdown tables (the README quotes them).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
W=$(mktemp -d /tmp/pthook-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 700 "$W"
BATCHES=${BATCHES:-11}
SIZES=${SIZES:-64 512 4096 16384}
cc -O2 -o "$W/tick" "$ROOT/bench/tick.c"
cc -O2 -o "$W/floor" "$ROOT/bench/floor.c"
command -v lspci >/dev/null || { echo "bench: lspci missing: make deps" >&2; exit 1; }

# four rules: a GPU (the group brings its audio), a NIC by slot, an NVMe
# and an SR-IOV physical function
cat > "$W/pthook.ini" <<'INI'
[vm "bench"]
pci = 10de:1b81 index=0
pci = 8086:10d3 slot=2
pci = 144d:a808 index=0
pci = 8086:1528 index=0
INI
cat > "$W/many.ini" <<'INI'
[vm "bench"]
pci = 8086:1515 index=100
INI
chmod 600 "$W/pthook.ini" "$W/many.ini"
export PTHOOK_CONFIG=$W/pthook.ini PTHOOK_STATE_DIR=$W/state PTHOOK_LIBVIRT_RUN=$W/none
echo "<domain><name>bench</name><devices></devices></domain>" > "$W/empty.xml"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# heap KIB ARGS...: peak heap (malloc'ed bytes, valgrind massif) of one run
heap() {
	valgrind --tool=massif --massif-out-file="$W/massif" "$B/pthook" "$@" \
		< "$W/dom.xml" > /dev/null 2>&1
	sed -n 's/^mem_heap_B=//p' "$W/massif" | sort -n | tail -1 | awk '{ printf "%d", $1 / 1024 }'
}
command -v valgrind >/dev/null || { echo "bench: valgrind missing: make deps" >&2; exit 1; }
echo "| functions | fast path µs (÷ /bin/true) | prepare µs | --simulate µs | list µs | lspci -n µs | floor µs | prepare ÷ lspci | simulate ÷ lspci | list ÷ lspci | floor ÷ lspci | many candidates: prepare ÷ lspci / simulate ÷ lspci | peak heap KiB prepare / simulate / list | peak RSS KiB prepare |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
	"$B/tools/synthhost" "$n" > "$W/h.inv"
	rm -rf "$W/sys"; "$B/tools/fakesys" "$W/h.inv" "$W/sys"
	export PTHOOK_SYSFS=$W/sys
	# the definition as apply would leave it: prepare has nothing to refuse
	"$B/pthook" --simulate "$W/empty.xml" --op migrate > "$W/dom.xml" 2>/dev/null
	runs=$(( n >= 4096 ? 3 : 20 ))
	read -r t_true _ < <("$W/tick" 200 "$BATCHES" /bin/true)
	read -r t_fast _ < <("$W/tick" 200 "$BATCHES" "$B/pthook" other prepare begin -)
	read -r t_prep rss < <("$W/tick" -i "$W/dom.xml" $runs "$BATCHES" "$B/pthook" bench prepare begin -)
	read -r t_sim _ < <("$W/tick" $runs "$BATCHES" "$B/pthook" --simulate "$W/dom.xml")
	read -r t_list _ < <("$W/tick" $runs "$BATCHES" "$B/pthook" list)
	read -r t_lspci _ < <("$W/tick" $runs "$BATCHES" "$(command -v lspci)" -n -A linux-sysfs -O "sysfs.path=$W/sys/bus/pci")
	read -r t_floor _ < <("$W/tick" $runs "$BATCHES" "$W/floor" "$W/sys")
	h="$(heap bench prepare begin -) / $(heap --simulate "$W/dom.xml") / $(heap list)"
	# many candidates: the same host, the VF rule (the small hosts have
	# fewer than 101 such VFs)
	many="- / -"
	if [ "$n" -ge 4096 ]; then
		PTHOOK_CONFIG=$W/many.ini "$B/pthook" --simulate "$W/empty.xml" --op migrate > "$W/many.xml" 2>/dev/null
		read -r m_prep _ < <(PTHOOK_CONFIG=$W/many.ini "$W/tick" -i "$W/many.xml" $runs "$BATCHES" "$B/pthook" bench prepare begin -)
		read -r m_sim _ < <(PTHOOK_CONFIG=$W/many.ini "$W/tick" $runs "$BATCHES" "$B/pthook" --simulate "$W/many.xml")
		many="$(ratio "$m_prep" "$t_lspci") / $(ratio "$m_sim" "$t_lspci")"
	fi
	echo "| $n | $t_fast ($(ratio "$t_fast" "$t_true")) | $t_prep | $t_sim | $t_list | $t_lspci | $t_floor |" \
		"$(ratio "$t_prep" "$t_lspci") | $(ratio "$t_sim" "$t_lspci") | $(ratio "$t_list" "$t_lspci") |" \
		"$(ratio "$t_floor" "$t_lspci") | $many | $h | $rss |"
done
echo
echo "$(uname -m), $(nproc) cores, $(date -u +%Y-%m-%d); medians of $BATCHES batches; /bin/true: $t_true µs"
