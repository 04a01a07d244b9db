# SPDX-License-Identifier: ISC
# rexec — remote command execution daemon and client.
# GNU make; every library through pkg-config.

# The version has one source, debian/changelog's first line ("rexec (V)").
VERSION		:= $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
PREFIX		?= /usr/local
DESTDIR		?=
bindir		?= $(PREFIX)/bin
sbindir		?= $(PREFIX)/sbin
# rexecd's helpers (rexec-copy, the copy subsystems) in $(libexecdir)/rexec.
libexecdir	?= $(PREFIX)/lib
mandir		?= $(PREFIX)/share/man
# The contract fixes /etc/rexecd.conf as the default, whatever PREFIX.
sysconfdir	?= /etc
# Where systemd looks for units and sysusers.d files, as its pkg-config
# file says; under PREFIX when systemd's development files are missing.
systemd_dir	= $(shell d=$$($(PKG_CONFIG) --variable=$(1) systemd \
		  2>/dev/null); echo "$${d:-$(PREFIX)/$(2)}")
systemdunitdir	?= $(call systemd_dir,systemdsystemunitdir,lib/systemd/system)
sysusersdir	?= $(call systemd_dir,sysusersdir,lib/sysusers.d)
tmpfilesdir	?= $(call systemd_dir,tmpfilesdir,lib/tmpfiles.d)
# The confined drop-in (systemd/confined.conf) is an example to copy.
examplesdir	?= $(PREFIX)/share/doc/rexecd/examples
# bash-completion's directory, as its pkg-config file says.
completionsdir	?= $(shell d=$$($(PKG_CONFIG) --variable=completionsdir \
		  bash-completion 2>/dev/null); \
		  echo "$${d:-$(PREFIX)/share/bash-completion/completions}")

BUILD		?= build
CC		?= cc
PKG_CONFIG	?= pkg-config

# Warnings are errors here and in CI; a package build (debian/rules) sets
# WERROR empty, so that a newer compiler's new warning cannot break it.
WERROR		?= -Werror
WARNINGS	= -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
		  -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wformat=2
HARDEN		= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
SAN_FLAGS	= -fsanitize=address,undefined -fno-omit-frame-pointer \
		  -fno-sanitize-recover=all
OPT		?= -O2 -g

CPPFLAGS	+= -D_GNU_SOURCE -DREXEC_VERSION='"$(VERSION)"' \
		   -DSYSCONFDIR='"$(sysconfdir)"' -Iprotocol -Icommon
CFLAGS		+= -std=c17 $(OPT) $(WARNINGS) $(HARDEN) -MMD -MP
LDFLAGS		+= -pie -Wl,-z,relro,-z,now -Wl,--as-needed
ifeq ($(SAN),1)
CFLAGS		+= $(SAN_FLAGS)
LDFLAGS		+= $(SAN_FLAGS)
endif

pkg_cflags	= $(shell $(PKG_CONFIG) --cflags $(1))
pkg_libs	= $(shell $(PKG_CONFIG) --libs $(1))

PROTO_PKGS	= jansson
DAEMON_PKGS	= jansson libbsd libsystemd inih munge
CLI_PKGS	= jansson libbsd libcares munge libarchive
# The copy subsystems' helper (daemon/copy/), run by rexecd as the account.
COPY_PKGS	= libbsd libarchive
TEST_PKGS	= jansson libbsd criterion

# protocol/ is the codec alone (no I/O); common/ the I/O and helpers
# both programs share.
CODEC_SRC	= $(sort $(wildcard protocol/*.c))
PROTO_SRC	= $(CODEC_SRC) $(sort $(wildcard common/*.c))
DAEMON_SRC	= $(sort $(wildcard daemon/*.c))
COPY_SRC	= $(sort $(wildcard daemon/copy/*.c))
CLI_SRC		= $(sort $(wildcard cli/*.c))
UNIT_SRC	= $(sort $(wildcard tests/unit/*.c))
INTEG_SRC	= $(sort $(wildcard tests/integration/*.c))
SUPPORT_SRC	= $(sort $(wildcard tests/support/*.c))

obj		= $(patsubst %.c,$(BUILD)/%.o,$(1))
PROTO_OBJ	= $(call obj,$(PROTO_SRC))
DAEMON_OBJ	= $(call obj,$(DAEMON_SRC))
COPY_OBJ	= $(call obj,$(COPY_SRC))
CLI_OBJ		= $(call obj,$(CLI_SRC))
UNIT_OBJ	= $(call obj,$(UNIT_SRC))
INTEG_OBJ	= $(call obj,$(INTEG_SRC) $(SUPPORT_SRC))

LIBPROTO	= $(BUILD)/libproto.a
REXECD		= $(BUILD)/rexecd
REXEC_COPY	= $(BUILD)/rexec-copy
REXEC		= $(BUILD)/rexec
REXEC_DYNAMIC	= $(BUILD)/rexec-dynamic
# rexec under ssh's grammar (files.md): a link, as installed.
REXEC_SSH	= $(BUILD)/rexec-ssh
UNIT_TEST	= $(BUILD)/test_unit
INTEG_TEST	= $(BUILD)/test_integration

# Criterion options for every test run (override: make check CRITERION_OPTS=…)
CRITERION_OPTS	?= --jobs 2 --timeout 300

MANPAGES	= man/rexec.1 man/rexec-ssh.1 man/rexecd.8 man/rexecd.conf.5 man/rexec-protocol.7

.PHONY: all check check-all unit integration tools lint asan valgrind fuzz \
	install uninstall clean deps demo bench deb systemd-test

all: $(REXECD) $(REXEC) $(REXEC_SSH) $(REXEC_COPY)

$(REXEC_SSH): $(REXEC)
	ln -sf rexec $@

$(BUILD)/protocol/%.o: CFLAGS += $(call pkg_cflags,$(PROTO_PKGS))
$(BUILD)/common/%.o: CFLAGS += $(call pkg_cflags,$(PROTO_PKGS))
$(BUILD)/daemon/%.o: CFLAGS += $(call pkg_cflags,$(DAEMON_PKGS))
$(BUILD)/daemon/copy/%.o: CFLAGS += $(call pkg_cflags,$(COPY_PKGS))
$(BUILD)/common/archive_%.o: CFLAGS += $(call pkg_cflags,libarchive)
$(BUILD)/cli/%.o: CFLAGS += $(call pkg_cflags,$(CLI_PKGS))
$(BUILD)/tests/%.o: CFLAGS += $(call pkg_cflags,$(TEST_PKGS) munge) -Itests/support -Icli

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBPROTO): $(PROTO_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(REXECD): $(DAEMON_OBJ) $(LIBPROTO)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(DAEMON_PKGS))

$(REXEC_COPY): $(COPY_OBJ) $(LIBPROTO)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(COPY_PKGS))

# rexec starts once per remote command: linked -static-pie it skips the
# dynamic loader and the shared libraries' relocations (bench/README.md
# has what it saves).  The sanitizers and memcheck want it dynamic:
# $(REXEC_DYNAMIC) is, always.  CLI_STATIC=0 links rexec dynamic too.
CLI_STATIC	?= $(if $(filter 1,$(SAN)),0,1)
ifeq ($(CLI_STATIC),1)
# glibc warns that getaddrinfo and getpwuid load NSS modules at run time
# (they do, from the system's glibc, as a dynamic rexec does): not shown.
$(REXEC): $(CLI_OBJ) $(LIBPROTO)
	$(CC) $(LDFLAGS) -static-pie -o $@ $^ \
	    $(shell $(PKG_CONFIG) --static --libs $(CLI_PKGS)) 2> $@.ld || \
	    { cat $@.ld; exit 1; }
	@grep -v -e 'in function' -e 'in statically linked applications' \
	    $@.ld || true
	@rm -f $@.ld
else
$(REXEC): $(REXEC_DYNAMIC)
	cp $< $@
endif

$(REXEC_DYNAMIC): $(CLI_OBJ) $(LIBPROTO)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(CLI_PKGS))

# The client's pure modules (the status table, host lists, line
# assembly, the fleet options and rolling runs' arithmetic) are
# unit-tested alone.
UNIT_CLI_OBJ	= $(call obj,cli/statustable.c cli/hostlist.c cli/hostfold.c \
		  cli/failmsg.c cli/hold.c cli/spill.c \
		  cli/lines.c cli/sshgrammar.c cli/sshopts.c cli/sshkeywords.c \
		  cli/fwdspec.c cli/fail.c cli/terminal.c cli/rolling.c \
		  cli/fleet.c cli/progress.c)
# So are the daemon's (the pool policy, the scoreboard, the status
# document, the admission rules' per-address table, the configuration
# parser, account admission); their tests name
# them "daemon/x.h" where cli/ has one of the name (status.h).
UNIT_DAEMON_OBJ	= $(call obj,daemon/policy.c daemon/scoreboard.c \
		  daemon/status.c daemon/log.c daemon/srctab.c \
		  daemon/config.c daemon/auth.c daemon/account.c \
		  daemon/acctrules.c daemon/inqueue.c)
$(BUILD)/tests/unit/%.o: CPPFLAGS += -Icli -I. -Idaemon

$(UNIT_TEST): $(UNIT_OBJ) $(UNIT_CLI_OBJ) $(UNIT_DAEMON_OBJ) $(LIBPROTO)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(TEST_PKGS) inih)

$(INTEG_TEST): $(INTEG_OBJ) $(LIBPROTO)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(TEST_PKGS) munge)

check: unit integration tools lint

unit: $(UNIT_TEST)
	$(UNIT_TEST) $(CRITERION_OPTS)

# Integration tests drive the real binaries; they find them through these.
integration: $(INTEG_TEST) $(REXECD) $(REXEC) $(REXEC_SSH) $(REXEC_COPY)
	REXECD_BIN=$(abspath $(REXECD)) REXEC_BIN=$(abspath $(REXEC)) \
	    $(INTEG_TEST) $(CRITERION_OPTS)

# The real rsync, git, clush, pdsh and ansible-playbook through rexec; a
# missing tool is skipped, said so (make deps installs them all).
# TOOL_TESTS=no leaves them out (the sanitizer pass: they test the tools'
# use of rexec, not rexec's memory).
TOOL_TESTS	?= yes
tools: $(REXECD) $(REXEC)
ifeq ($(TOOL_TESTS),yes)
	REXECD_BIN=$(abspath $(REXECD)) REXEC_BIN=$(abspath $(REXEC)) \
	    sh tests/tools/run.sh
endif

# Pages outside the project that ours cite with .Xr (name section).
XR_TOOLS	= rsync 1|git 1|clush 1|ansible-playbook 1|ssh_config 5|$(XR_FILES)
XR_FILES	= scp 1|sftp 1|sshfs 1|pdcp 1
XR_EXTERNAL	= ssh 1|sshd 8|sudo 8|rsh 1|pdsh 1|jq 1|systemd\.socket 5|munged 8|$(XR_TOOLS)

# mandoc -W style looks up every .Xr in the installed manuals (and warns
# of a stale mandoc.db for each outside one it finds): machine-dependent.
# So lint runs in man/ with MANPATH=man/, where the four pages find each
# other and nothing else; only "not found" for the pages above is dropped.
lint:
	@set -e; cd man; for m in $(notdir $(wildcard $(MANPAGES))); do \
	    out=$$(MANPATH=$$PWD mandoc -Tlint -W style $$m 2>&1 | grep -Ev \
		"STYLE: referenced manual not found: Xr ($(XR_EXTERNAL))( |$$)") \
		|| true; \
	    if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
	done; echo "mandoc -Tlint: clean"
	@# Every source file says its licence (a clone or worktree: git lists
	@# them).
	@if [ -e .git ] && command -v git >/dev/null; then \
	    missing=$$(git ls-files '*.c' '*.h' '*.sh' '*.py' 'man/*' | \
		xargs grep -L 'SPDX-License-Identifier: ISC'); \
	    if [ -n "$$missing" ]; then \
		echo "no SPDX-License-Identifier line:" $$missing; exit 1; \
	    fi; echo "SPDX lines: every source file"; fi

# The soak is shortened under the sanitizers, which slow every process.
# Its RSS bound is wider there: ASan's quarantine keeps freed memory (the
# master parses every request again, as the spawner); leaks are
# LeakSanitizer's to find, at every process's exit.
asan:
	SOAK_COMMANDS=$${SOAK_COMMANDS:-2000} SOAK_RSS_SLACK_KIB=65536 \
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	    $(MAKE) BUILD=build-asan SAN=1 OPT='-O1 -g' TOOL_TESTS=no check

# Everything CI runs: the tests, again under ASan+UBSan, memcheck, and
# the packages under a real systemd.
check-all: check asan valgrind systemd-test

# Memcheck of the daemon (a few hundred requests) and the client.
valgrind: $(REXECD) $(REXEC_DYNAMIC)
	BUILD=$(BUILD) sh tests/valgrind/run.sh

FUZZ_SECONDS	?= 60
FUZZ_BIN	= $(BUILD)/fuzz_decode
fuzz:
	@mkdir -p $(BUILD)/fuzz-corpus
	clang -std=c17 -g -O1 -D_GNU_SOURCE -Iprotocol \
	    -fsanitize=fuzzer,address,undefined \
	    $(call pkg_cflags,jansson) -o $(FUZZ_BIN) tests/fuzz/fuzz_decode.c \
	    $(CODEC_SRC) $(call pkg_libs,jansson)
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=200000 \
	    -artifact_prefix=$(BUILD)/ \
	    $(BUILD)/fuzz-corpus tests/fuzz/corpus

deps:
	@sh .ci/deps.sh

demo: all
	@sh .ci/demo.sh

bench: all
	@sh bench/run.sh

# The daemon's default configuration file, SYSCONFDIR/rexecd.conf, is
# compiled in: what uses it is rebuilt when sysconfdir changes, so that
# "make install PREFIX=/usr" after "make" installs a daemon reading
# /etc/rexecd.conf.  The stamp changes only with the value.
SYSCONFDIR_STAMP = $(BUILD)/sysconfdir.stamp
$(SYSCONFDIR_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(sysconfdir) $(libexecdir)' | cmp -s - $@ || \
	    echo '$(sysconfdir) $(libexecdir)' > $@
$(BUILD)/daemon/config.o $(BUILD)/daemon/main.o: $(SYSCONFDIR_STAMP)
# The copy subsystems' default command (rexecd.conf(5)), so too.
$(BUILD)/daemon/config.o: CPPFLAGS += \
	    -DREXEC_COPY_PROG='"$(libexecdir)/rexec/rexec-copy"'
FORCE:
.PHONY: FORCE

# Installed only when present (they are in a release).
MANPAGES_PRESENT = $(wildcard $(MANPAGES))
UNITS		= rexecd.service rexecd.socket

# Never installs rexecd.conf itself: an administrator's copy stays as is.
install: all
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(sbindir) \
	    $(DESTDIR)$(systemdunitdir) $(DESTDIR)$(sysusersdir) \
	    $(DESTDIR)$(tmpfilesdir) $(DESTDIR)$(examplesdir) \
	    $(DESTDIR)$(sysconfdir)
	install -m 755 $(REXEC) $(DESTDIR)$(bindir)/rexec
	ln -sf rexec $(DESTDIR)$(bindir)/rexec-ssh
	install -m 755 $(REXECD) $(DESTDIR)$(sbindir)/rexecd
	install -d $(DESTDIR)$(libexecdir)/rexec
	install -m 755 $(REXEC_COPY) $(DESTDIR)$(libexecdir)/rexec/rexec-copy
	@set -e; for m in $(MANPAGES_PRESENT); do \
	    d=$(DESTDIR)$(mandir)/man$${m##*.}; \
	    echo "install -m 644 $$m $$d"; \
	    install -d $$d; install -m 644 $$m $$d; \
	done
	@# Written aside, then renamed: systemd never reads half a unit.
	set -e; for u in $(UNITS); do \
	    t=$(DESTDIR)$(systemdunitdir)/$$u; \
	    sed 's|@sbindir@|$(sbindir)|g' systemd/$$u > $$t.tmp; \
	    chmod 644 $$t.tmp; mv -f $$t.tmp $$t; \
	done
	install -m 644 systemd/sysusers.d/rexecd.conf \
	    $(DESTDIR)$(sysusersdir)/rexecd.conf
	install -m 644 systemd/tmpfiles.d/rexecd.conf \
	    $(DESTDIR)$(tmpfilesdir)/rexecd.conf
	install -m 644 systemd/confined.conf \
	    $(DESTDIR)$(examplesdir)/confined.conf
	install -m 644 rexecd.conf.example \
	    $(DESTDIR)$(sysconfdir)/rexecd.conf.example
	install -d $(DESTDIR)$(completionsdir)
	install -m 644 completion/rexec completion/rexecd \
	    $(DESTDIR)$(completionsdir)

# Removes exactly the files install installs; directories stay (they are
# shared: bin, sbin, man1, the unit directory...), and so does rexecd.conf.
uninstall:
	rm -f $(DESTDIR)$(bindir)/rexec $(DESTDIR)$(bindir)/rexec-ssh \
	    $(DESTDIR)$(sbindir)/rexecd
	rm -f $(DESTDIR)$(libexecdir)/rexec/rexec-copy
	rm -f $(foreach m,$(MANPAGES),\
	    $(DESTDIR)$(mandir)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	rm -f $(foreach u,$(UNITS),$(DESTDIR)$(systemdunitdir)/$(u))
	rm -f $(DESTDIR)$(sysusersdir)/rexecd.conf
	rm -f $(DESTDIR)$(tmpfilesdir)/rexecd.conf
	rm -f $(DESTDIR)$(examplesdir)/confined.conf
	rm -f $(DESTDIR)$(sysconfdir)/rexecd.conf.example
	rm -f $(DESTDIR)$(completionsdir)/rexec \
	    $(DESTDIR)$(completionsdir)/rexecd

# The Debian packages, built from a copy of the tree under BUILD (what
# git ignores left out), so the tree itself stays clean; lintian must
# find no error and no warning.  make deb DEB_OPTS=-b: binaries only.
DEB_DIR		= $(BUILD)/deb
DEB_OPTS	?=
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/rexec-$(VERSION)
	tar -cf - --exclude-vcs --exclude-vcs-ignores --exclude='./build*' . | \
	    tar -C $(DEB_DIR)/rexec-$(VERSION) -xf -
	cd $(DEB_DIR)/rexec-$(VERSION) && \
	    dpkg-buildpackage -us -uc $(DEB_OPTS)
	rm -rf $(DEB_DIR)/rexec-$(VERSION)
	lintian --fail-on error,warning --info $(DEB_DIR)/rexec_$(VERSION)_*.changes
	@ls -l $(DEB_DIR)/*.deb

# The packages installed in a Debian 12 tree booted under systemd-nspawn
# (tests/systemd/run.sh); needs root, caches the tree in /var/cache.
systemd-test: all
	$(MAKE) deb DEB_OPTS=-b
	DEB_DIR=$(abspath $(DEB_DIR)) REXEC_BIN=$(abspath $(REXEC)) \
	    sh tests/systemd/run.sh

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) -path $(DEB_DIR) -prune -o -name '*.d' -type f \
	-print 2>/dev/null)
