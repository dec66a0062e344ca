#!/bin/sh
# install.sh -- build pthook and install it as libvirt's QEMU hook.
#
#   ./install.sh [-y] [--dry-run] [--prefix DIR] [--root DIR] [--no-deps]
#   ./install.sh --uninstall [-y] [--dry-run] [--prefix DIR] [--root DIR]
#
# Installs the build dependencies when missing (apt, dnf or pacman; asks
# first unless -y), builds, installs pthook to PREFIX/sbin (default /usr),
# places the hook (hook/place: /etc/libvirt/hooks/qemu, or qemu.d/pthook
# next to a qemu hook of yours), installs /etc/pthook/pthook.ini only if
# there is none (0600 root), and offers to reload libvirt (SIGHUP: it
# looks for hooks again; running VMs and connections are untouched) so
# it runs a new hook.  Running it again changes only what is out of date.
# --root DIR installs into DIR as if it were / (packaging, tests).
# --uninstall removes what install.sh installed and keeps the config.
set -eu
cd "$(dirname "$0")"

PREFIX=/usr ROOT= YES= DRY= UNINSTALL= DEPS=1
while [ $# -gt 0 ]; do
	case $1 in
	-y|--yes) YES=1 ;;
	--dry-run) DRY=1 ;;
	--uninstall) UNINSTALL=1 ;;
	--no-deps) DEPS= ;;
	--prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
		PREFIX=$2; shift ;;
	--prefix=*) PREFIX=${1#--prefix=} ;;
	--root) [ $# -ge 2 ] || { echo "install.sh: --root needs a directory" >&2; exit 2; }
		ROOT=$2; shift ;;
	--root=*) ROOT=${1#--root=} ;;
	-h|--help) sed -n '2,/^set -eu/{/^set/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) echo "install.sh: unknown option '$1'; see ./install.sh --help" >&2; exit 2 ;;
	esac
	shift
done
case $PREFIX in /*) ;; *) echo "install.sh: --prefix must be absolute" >&2; exit 2 ;; esac

HOOKS=$ROOT/etc/libvirt/hooks
CONF=$ROOT/etc/pthook/pthook.ini
LIBDIR=$PREFIX/lib/pthook
export DRY_RUN=${DRY:+1}

say() { echo "install.sh: $*"; }
# run CMD...: do it, or with --dry-run only say it
run() { if [ -n "$DRY" ]; then echo "would: $*"; else "$@"; fi; }
# ask QUESTION: yes with -y; no without a terminal; else the answer
ask() {
	[ -n "$YES" ] && return 0
	[ -t 0 ] || return 1
	printf '%s [y/N] ' "$1"
	read -r a && case $a in y|Y|yes) return 0 ;; esac
	return 1
}
as_root() {
	[ -n "$ROOT" ] || [ "$(id -u)" = 0 ] && return
	say "installing into / needs root: run it with sudo"
	exit 1
}

# The libraries pthook builds against, as pkg-config names them, and the
# packages that provide them (plus a compiler and make) per distribution.
missing_libs() {
	for p in libvirt libxml-2.0 inih libpci libudev; do
		pkg-config --exists "$p" 2>/dev/null || echo "$p"
	done
}
deps() {
	if command -v cc >/dev/null && command -v make >/dev/null &&
	    command -v pkg-config >/dev/null && [ -z "$(missing_libs)" ]; then
		return
	fi
	if command -v apt-get >/dev/null; then
		pm="apt-get install -y" pkgs="build-essential pkg-config libvirt-dev libxml2-dev libinih-dev libpci-dev libudev-dev pci.ids"
	elif command -v dnf >/dev/null; then
		pm="dnf install -y" pkgs="gcc make pkgconf-pkg-config libvirt-devel libxml2-devel inih-devel pciutils-devel systemd-devel hwdata"
	elif command -v pacman >/dev/null; then
		pm="pacman -S --needed --noconfirm" pkgs="base-devel pkgconf libvirt libxml2 libinih pciutils systemd-libs hwdata"
	else
		say "missing build dependencies ($(missing_libs | tr '\n' ' ')) and no apt-get, dnf or pacman to get them"
		exit 1
	fi
	say "build dependencies missing; they come from: $pm $pkgs"
	ask "Install them now?" || { say "not installed; install them and run again"; exit 1; }
	[ "$(id -u)" = 0 ] || pm="sudo $pm"
	[ "${pm%% *}" != apt-get ] || run apt-get update -qq
	# shellcheck disable=SC2086
	run $pm $pkgs
}

# libvirt looks for hooks when it starts and on SIGHUP: a reload, not a
# restart, is enough for a new one
reload_hint() {
	say "libvirt looks for hooks when it starts or reloads: reload it once"
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		for unit in virtqemud libvirtd; do
			systemctl is-active -q "$unit" 2>/dev/null || continue
			if ask "Reload $unit now? (SIGHUP: running VMs are untouched)"; then
				run systemctl reload "$unit"
			else
				say "when convenient: systemctl reload $unit"
			fi
			return
		done
	fi
	say "when libvirt runs: systemctl reload virtqemud (or libvirtd); pthook check --install tells"
}

uninstall() {
	if [ -z "$ROOT" ] && ls /run/pthook/*.state >/dev/null 2>&1; then
		say "pthook still holds devices for running VMs ($(ls /run/pthook/*.state | sed 's,.*/,,;s,\.state$,,' | tr '\n' ' ')); stop them (or: pthook release VM) first"
		exit 1
	fi
	sh hook/place remove "$HOOKS"
	run make -s uninstall DESTDIR="$ROOT" PREFIX="$PREFIX"
	[ -e "$CONF" ] && say "kept $CONF (yours; remove it by hand if you want)"
	say "uninstalled"
}

install_all() {
	[ -z "$DEPS" ] || deps
	run make -s all PREFIX="$PREFIX"
	run make -s install DESTDIR="$ROOT" PREFIX="$PREFIX"
	say "pthook in $ROOT$PREFIX/sbin, its core in $ROOT$LIBDIR, man pages, bash completion"
	if [ -e "$CONF" ]; then
		say "kept $CONF"
	else
		run install -d -m 0755 "$(dirname "$CONF")"
		run install -m 0600 etc/pthook.ini "$CONF"
		say "installed $CONF (names no VM yet: see man 5 pthook.ini)"
	fi
	# the same file make installed as PREFIX/sbin/pthook
	placed=$(sh hook/place install build/pthook "$HOOKS" 2>&1) || {
		echo "$placed" >&2
		exit 1
	}
	echo "$placed" | sed 's/^/install.sh: /'
	if [ "$PREFIX" != /usr ] && [ -r /sys/module/apparmor/parameters/enabled ] &&
	    [ "$(cat /sys/module/apparmor/parameters/enabled)" = Y ]; then
		say "warning: AppArmor is on; libvirtd's profile may refuse $LIBDIR/pthook-core.so (use the default --prefix /usr)"
	fi
	case $placed in
	*installed*) [ -n "$ROOT" ] || reload_hint ;;
	esac
	say "done; next: pthook list, then a [vm \"NAME\"] section in $CONF"
}

as_root
if [ -n "$UNINSTALL" ]; then uninstall; else install_all; fi
