#!/bin/bash
# The manuals and --help say what the program does: mandoc finds nothing
# to warn about, every option getopt knows and every config key the
# parser takes is documented, and every command has its own --help.
. "$(dirname "$0")/lib.sh"

t_man_pages_lint_clean() {
	command -v mandoc >/dev/null || { fail "mandoc missing: make deps"; return; }
	mandoc -T lint -W warning "$ROOT/src/man/pthook.8" "$ROOT/src/man/pthook.ini.5" > "$TMP/lint" 2>&1 ||
		fail "mandoc: $(cat "$TMP/lint")"
	[ -s "$ROOT/$BUILD/man/pthook.8.gz" ] || fail "make did not build the man pages"
}

t_every_option_in_pthook_8() {
	local o
	for o in $(sed -n 's/^\t{ "\([a-z-]*\)", [a-z_]*_argument.*/\1/p' "$ROOT/src/run/core_main.c"); do
		grep -q "^\.It Fl .*\\\\-$o\b" "$ROOT/src/man/pthook.8" || fail "pthook.8 lacks --$o"
	done
	[ -n "$o" ] || fail "no options found in core_main.c"
}

t_every_config_key_in_pthook_ini_5() {
	local k n=0
	for k in $(grep -o 'strcmp(name, "[a-z]*") == 0' "$ROOT/src/core/config.c" | cut -d'"' -f2 | grep -vx global); do
		n=$((n + 1))
		grep -q "^\.It Cm $k No = " "$ROOT/src/man/pthook.ini.5" || fail "pthook.ini.5 lacks $k"
	done
	[ "$n" -ge 9 ] || fail "found only $n config keys in config.c"
}

t_help_per_command() {
	local c
	for c in list check apply release "--simulate vm.xml"; do
		run $c --help
		rc_is 0
		out_has "usage: pthook ${c% *}"
	done
	run help apply
	rc_is 0
	out_has "--dry-run       show the diff, change nothing"
	run list --help
	out_lacks "--dry-run"
	run help nosuch
	rc_is 2
	err_has "help: no command 'nosuch'"
}

run_tests
