# pthook -- see README.md.  `make check` runs every test.
PREFIX   ?= /usr
SBINDIR  ?= $(PREFIX)/sbin
LIBDIR   ?= $(PREFIX)/lib/pthook
MANDIR   ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR  ?= $(PREFIX)/lib/systemd/system
UDEVDIR  ?= $(PREFIX)/lib/udev/rules.d
DESTDIR  ?=
CC       ?= cc
VERSION  := 0.1

PKGS := libvirt libxml-2.0 libpci libudev inih
# pkg-config name -> Debian package that provides it
DEV_libvirt    := libvirt-dev
DEV_libxml-2.0 := libxml2-dev
DEV_libpci     := libpci-dev
DEV_libudev    := libudev-dev
DEV_inih       := libinih-dev

ifeq ($(filter clean deps demo,$(MAKECMDGOALS)),)
MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) && echo y),,$(p))))
ifneq ($(MISSING),)
$(error missing libraries: $(MISSING); install them with: apt-get install pkg-config $(foreach p,$(MISSING),$(DEV_$(p)))))
endif
endif

# SANITIZE=1 builds into build-asan/ with AddressSanitizer and UBSan.
ifeq ($(SANITIZE),1)
B := build-asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# ASan resolves its XDR interceptors at start-up; libvirt's libtirpc,
# dlopen'ed later with the core, would leave them calling NULL.
FRONT_EXTRA := -Wl,--no-as-needed -ltirpc -Wl,--as-needed
else
B := build
SANFLAGS :=
FRONT_EXTRA :=
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libvirt is dlopen'ed on first use (src/libvirt/virt.h): its headers only
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libvirt,$(PKGS)) 2>/dev/null)
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
# The folders are the lists below, floors from the ground up: a file
# includes headers of its own floor and the ones below, never above.
#   src/core     the pure core (no sysfs, no libvirt)
#   src/front    the front's own: the state record, hook shapes
#   src/read     reads the host: sysfs, libpci, USB, input, openers,
#                critical devices, readiness
#   src/libvirt  speaks libvirt: domain XML, its diff, the API table
#   src/change   changes the host: rebind, detach, SR-IOV, reset, the
#                console handoff, bounded writes, commands, the journal
#   src/run      runs a command: the hook, the context and verdict,
#                claims, held-by, JSON, the dispatcher
#   src/cmd      one command a file
SRCDIRS  := src/core src/front src/read src/libvirt src/change src/run src/cmd
vpath %.c $(SRCDIRS)
INC      := $(SRCDIRS:%=-I%)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DPTHOOK_VERSION='"$(VERSION)"' -DPTHOOK_LIBDIR='"$(LIBDIR)"' -DPTHOOK_UDEVDIR='"$(UDEVDIR)"' \
	-fPIC $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) $(INC) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# The pure core (no sysfs, no libvirt) is what the unit tests link.
# pthook itself is the front (libc only: the hook's fast path) and
# pthook-core.so everything else; see src/front/main.c.
CORE := util pciaddr inventory match usb input config plan usbplan inputplan resetdb
FRONT := util pciaddr inventory match usb input config state hookshape
READ := pcilib sysfs usbscan inputscan openers critical readiness
LIBVIRT := domxml diff virt
CHANGE := log rebind bounded nodedev detach sriov reset handoff command
RUN := json ctx claims heldby hook core_main
CMD := cmd_list list_usb list_input cmd_check check_install check_host cmd_simulate cmd_apply \
	cmd_release cmd_watch cmd_status cmd_claim
HOST := state hookshape $(READ) $(LIBVIRT) $(CHANGE) $(RUN) $(CMD)
CORE_OBJ := $(CORE:%=$(B)/obj/%.o)
FRONT_OBJ := $(FRONT:%=$(B)/obj/%.o)
HOST_OBJ := $(HOST:%=$(B)/obj/%.o)

UNIT := test_pciaddr test_match test_config test_plan test_domxml test_usb
UNIT_BIN := $(UNIT:%=$(B)/tests/%)
TOOLS := fakesys synthhost fakekernel uinputdev hoststate
TOOL_BIN := $(TOOLS:%=$(B)/tools/%)

MAN := $(B)/man/pthook.8.gz $(B)/man/pthook.ini.5.gz

all: $(B)/pthook $(B)/pthook-core.so $(MAN)

# The front and check --install have LIBDIR (and UDEVDIR) compiled in:
# rebuild them when PREFIX/LIBDIR/UDEVDIR change.
$(B)/libdir.stamp: FORCE | $(B)/obj
	@echo '$(LIBDIR) $(UDEVDIR)' | cmp -s - $@ || echo '$(LIBDIR) $(UDEVDIR)' > $@
$(B)/obj/main.o $(B)/obj/check_install.o: $(B)/libdir.stamp

$(B)/man/%.gz: src/man/% | $(B)/man
	gzip -9nc $< > $@

# the front reads the config (inih, libc only) and nothing else
$(B)/pthook: $(B)/obj/main.o $(FRONT_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(FRONT_EXTRA) $(shell pkg-config --libs inih)

$(B)/pthook-core.so: $(CORE_OBJ) $(HOST_OBJ)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,--no-undefined -o $@ $^ $(PKG_LIBS)

$(B)/obj/%.o: %.c Makefile | $(B)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(CORE_OBJ) | $(B)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(CORE_OBJ) $(PKG_LIBS) -lcmocka

# the rewriter is pure too, but needs libxml2
$(B)/tests/test_domxml: tests/unit/test_domxml.c $(CORE_OBJ) $(B)/obj/domxml.o | $(B)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(CORE_OBJ) $(B)/obj/domxml.o $(PKG_LIBS) -lcmocka

# test tools build paths from a root of any length; truncation is their
# caller's problem, not a bug worth a warning
$(B)/tools/%: tests/tools/%.c | $(B)/tools
	$(CC) $(ALL_CFLAGS) -Wno-format-truncation $(ALL_LDFLAGS) -o $@ $<

$(B)/obj $(B)/tests $(B)/tools $(B)/man:
	mkdir -p $@

tests: all $(UNIT_BIN) $(TOOL_BIN)

# Every test, in the sanitizer build and the plain one.
check:
	$(MAKE) SANITIZE=1 tests
	$(MAKE) tests
	$(MAKE) fuzz
	tests/run.sh build-asan build

# libFuzzer targets (clang): config, match, domain XML, inventory reader.
FUZZ := fuzz_config fuzz_match fuzz_domxml fuzz_inventory
FUZZ_BIN := $(FUZZ:%=build-fuzz/%)
FUZZ_SECONDS ?= 45
FUZZ_OBJ := $(CORE:%=build-fuzz/obj/%.o) build-fuzz/obj/domxml.o build-fuzz/obj/sysfs.o build-fuzz/obj/pcilib.o
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -O1 -g $(WARN) $(PKG_CFLAGS) $(INC) \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

fuzz: $(FUZZ_BIN)

build-fuzz/obj/%.o: %.c | build-fuzz/obj
	clang $(FUZZ_CFLAGS) -c -o $@ $<

build-fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS)

build-fuzz/obj:
	mkdir -p $@

# A short run of each target from the seed corpus (CI); longer runs:
# make fuzz-smoke FUZZ_SECONDS=3600
fuzz-smoke: fuzz
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ)

# Install the build and test dependencies (Debian/Ubuntu, via apt-get).
deps:
	tests/deps.sh

# Set everything up and show pthook at work (see README).
demo: deps
	$(MAKE) all $(TOOL_BIN)
	tests/demo.sh

# Timings against baselines measured in the same run (bench/run.sh).
bench: all $(TOOL_BIN)
	bench/run.sh

# The crash walk alone (make check runs it too): tests/crash/walk.sh.
crash: all $(TOOL_BIN)
	tests/crash/walk.sh

# The real-kernel tier alone (qemu, TCG, emulated VT-d): see tests/vm.
vmtest: all
	tests/vm/run.sh

asan:
	$(MAKE) SANITIZE=1 all

# Files only; install.sh (or the Debian package) also places the hook.
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(UDEVDIR)
	install -C -m 0755 $(B)/pthook $(DESTDIR)$(SBINDIR)/pthook
	install -C -m 0644 $(B)/pthook-core.so $(DESTDIR)$(LIBDIR)/pthook-core.so
	install -C -m 0755 hook/place $(DESTDIR)$(LIBDIR)/place
	install -C -m 0644 $(B)/man/pthook.8.gz $(DESTDIR)$(MANDIR)/man8/pthook.8.gz
	install -C -m 0644 $(B)/man/pthook.ini.5.gz $(DESTDIR)$(MANDIR)/man5/pthook.ini.5.gz
	install -C -m 0644 etc/pthook.bash $(DESTDIR)$(BASHCOMPDIR)/pthook
	sed 's,/usr/sbin/pthook,$(SBINDIR)/pthook,' etc/pthook-watch.service > $(B)/pthook-watch.service
	install -C -m 0644 $(B)/pthook-watch.service $(DESTDIR)$(UNITDIR)/pthook-watch.service
	sed 's,/usr/sbin/pthook,$(SBINDIR)/pthook,' etc/60-pthook.rules > $(B)/60-pthook.rules
	install -C -m 0644 $(B)/60-pthook.rules $(DESTDIR)$(UDEVDIR)/60-pthook.rules

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/pthook $(DESTDIR)$(LIBDIR)/pthook-core.so \
		$(DESTDIR)$(LIBDIR)/place $(DESTDIR)$(MANDIR)/man8/pthook.8.gz \
		$(DESTDIR)$(MANDIR)/man5/pthook.ini.5.gz $(DESTDIR)$(BASHCOMPDIR)/pthook \
		$(DESTDIR)$(UNITDIR)/pthook-watch.service $(DESTDIR)$(UDEVDIR)/60-pthook.rules
	rmdir $(DESTDIR)$(LIBDIR) 2>/dev/null || true

clean:
	rm -rf build build-asan build-fuzz

.PHONY: FORCE all check crash asan install uninstall clean tests deps demo vmtest fuzz fuzz-smoke bench
-include $(wildcard $(B)/obj/*.d $(B)/tests/*.d $(B)/tools/*.d)
