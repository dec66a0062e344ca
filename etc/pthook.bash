# bash completion for pthook(8): commands, their options, and VM names
# from the config ([vm "NAME"] headers; the file is root's, so as another
# user there are none to offer).

_pthook_vms()
{
	local cfg=${PTHOOK_CONFIG:-/etc/pthook/pthook.ini} i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		-c|--config) cfg=${COMP_WORDS[i + 1]} ;;
		--config=*) cfg=${COMP_WORDS[i]#--config=} ;;
		esac
	done
	[ -r "$cfg" ] && sed -n 's/^[[:space:]]*\[vm[[:space:]]*"\([^"]*\)"[[:space:]]*\].*/\1/p' "$cfg"
}

_pthook()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local common="-c --config --sysfs --state-dir --connect --json -v --verbose -h --help --version"
	local cmd= i w

	case $prev in
	-c|--config|--debug-xml|--simulate)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--sysfs|--state-dir|--backup-dir)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--connect)
		COMPREPLY=($(compgen -W "qemu:///system qemu:///session" -- "$cur")); return ;;
	--op)
		COMPREPLY=($(compgen -W "prepare start started stopped release migrate restore reconnect attach" -- "$cur")); return ;;
	--vm)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_pthook_vms)" -- "$cur")); return ;;
	esac
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-c|--config|--sysfs|--state-dir|--connect|--debug-xml|--backup-dir|--vm|--op)
			((i++)) ;;
		--simulate) cmd=--simulate; ((i++)) ;;
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done
	case $cmd in
	'')
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$common --simulate" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "list check status apply release watch claim help" -- "$cur"))
		fi ;;
	list|check|status|release)
		if [[ $cur == -* ]]; then
			local extra=
			[ "$cmd" = release ] && extra=--force
			[ "$cmd" = check ] && extra="--install --host"
			COMPREPLY=($(compgen -W "$common $extra" -- "$cur"))
		else
			local IFS=$'\n'
			COMPREPLY=($(compgen -W "$(_pthook_vms)" -- "$cur"))
		fi ;;
	apply)
		COMPREPLY=($(compgen -W "$common --vm --dry-run -y --yes --debug-xml --backup-dir" -- "$cur")) ;;
	--simulate)
		COMPREPLY=($(compgen -W "$common --op" -- "$cur")) ;;
	watch)
		COMPREPLY=($(compgen -W "$common --attach-connected" -- "$cur")) ;;
	claim)
		COMPREPLY=($(compgen -W "$common" -- "$cur")) ;;
	help)
		COMPREPLY=($(compgen -W "list check status apply release watch claim simulate" -- "$cur")) ;;
	esac
}
complete -F _pthook pthook
