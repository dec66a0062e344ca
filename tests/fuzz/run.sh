#!/bin/bash
# tests/fuzz/run.sh SECONDS TARGET...: run each libFuzzer target from its
# seed corpus (tests/fuzz/corpus/TARGET, copied: the seeds stay as they
# are) for SECONDS; prints "ok - TARGET: N runs" or "not ok - TARGET".
cd "$(dirname "$0")/../.."
secs=$1; shift
rc=0
for t in "$@"; do
	work=$(mktemp -d /tmp/pthook-corpus.XXXXXX)
	cp tests/fuzz/corpus/${t#fuzz_}/* "$work/"
	log=$(mktemp)
	if ASAN_OPTIONS=detect_leaks=1 "build-fuzz/$t" -max_total_time="$secs" -max_len=8192 \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work" > "$log" 2>&1; then
		echo "ok - $t: $(sed -n 's/^stat::number_of_executed_units: *//p' "$log") runs in ${secs}s, no crash"
	else
		echo "not ok - $t"; tail -30 "$log"; rc=1
	fi
	rm -rf "$work" "$log"
done
exit $rc
