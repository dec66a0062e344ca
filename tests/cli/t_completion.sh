#!/bin/bash
# bash completion (etc/pthook.bash), driven as bash drives it: COMP_WORDS
# and COMP_CWORD in, COMPREPLY out.
. "$(dirname "$0")/lib.sh"
. "$ROOT/etc/pthook.bash"

# comp WORD...: the completions of the last word, one per line
comp() {
	COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
	_pthook
	printf '%s\n' "${COMPREPLY[@]}"
}

t_commands_and_options() {
	[ "$(comp pthook "" | tr '\n' ' ')" = "list check status apply release watch claim help " ] ||
		fail "commands: $(comp pthook "")"
	[ "$(comp pthook apply --d | tr '\n' ' ')" = "--dry-run --debug-xml " ] ||
		fail "apply options: $(comp pthook apply --d)"
	[ "$(comp pthook --simulate vm.xml --o)" = "--op" ] || fail "--simulate options"
	[ "$(comp pthook watch --a)" = "--attach-connected" ] || fail "watch options"
	[ "$(comp pthook --simulate vm.xml --op mi)" = "migrate" ] || fail "--op values"
	comp pthook list --dry | grep -q . && fail "list offered apply's --dry-run"
	true
}

t_vm_names_from_the_config() {
	local cfg; cfg=$(config '[vm "win10"]
pci = 10de:1b81
  [vm "my router"]
pci = 8086:15f3')
	[ "$(comp pthook -c "$cfg" list "")" = "win10
my router" ] || fail "list VM: $(comp pthook -c "$cfg" list "")"
	[ "$(comp pthook --config "$cfg" apply --vm w)" = "win10" ] || fail "apply --vm"
	[ "$(PTHOOK_CONFIG=$cfg comp pthook release m)" = "my router" ] || fail "PTHOOK_CONFIG"
	[ -z "$(comp pthook -c /nonexistent list "")" ] || fail "names from a missing config"
}

run_tests
