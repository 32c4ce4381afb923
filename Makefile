# briefwatch — plain GNU make, no recursion.
#
#   make            build build/briefwatchd and build/briefwatch
#   make check      unit tests (cmocka) + integration tests + differential test
#                   against python3-feedparser (tests/differential/)
#   make check-sanitize   the same under ASan + UBSan (separate build dir)
#   make demo       offline demo against a local fixture server
#   make deps       apt-get install every build/test dependency (root)
#   make install    DESTDIR=... PREFIX=/usr/local
#   make deb        build/deb/briefwatch_VERSION_ARCH.deb (debian/, debhelper)
#   make check-systemd   the .deb under a real systemd (root; tests/systemd)

-include config.mk

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DATADIR    ?= $(PREFIX)/share/briefwatch

VERSION    := 0.1.0
B          ?= build

CC         ?= cc
PKG_CONFIG ?= pkg-config

# name:debian-package pairs, so a missing library is named in one line.
LIBS_PC    := libcurl:libcurl4-openssl-dev libxml-2.0:libxml2-dev \
              libuv:libuv1-dev sqlite3:libsqlite3-dev jansson:libjansson-dev \
              libsystemd:libsystemd-dev libnats:libnats-dev libcrypto:libssl-dev \
              icu-uc:libicu-dev poppler-glib:libpoppler-glib-dev
# libraries without a .pc file: -l name and Debian package
LIBS_NOPC  := stemmer:libstemmer-dev
TEST_PC    := cmocka:libcmocka-dev

pc_names    = $(foreach p,$(1),$(firstword $(subst :, ,$(p))))
define pc_check
$(foreach p,$(1),$(if $(shell $(PKG_CONFIG) --exists $(firstword $(subst :, ,$(p))) && echo ok),,\
  $(error missing library $(firstword $(subst :, ,$(p))): apt-get install $(lastword $(subst :, ,$(p))) (or: make deps))))
endef

ifeq ($(filter deps deb-deps bench-deps clean,$(MAKECMDGOALS)),)
$(call pc_check,$(LIBS_PC))
endif

WARN   := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough
CFLAGS ?= -O2 -g
ALL_CFLAGS  = $(WARN) $(CFLAGS) -D_GNU_SOURCE -DBW_VERSION='"$(VERSION)"' \
              -DBW_SYSCONFDIR='"$(SYSCONFDIR)"' -iquote include \
              $(shell $(PKG_CONFIG) --cflags $(call pc_names,$(LIBS_PC))) -MMD -MP
# poppler-glib is dlopen()ed on the first PDF page (daemon/pdf_lib.c): its
# headers are needed, its libraries are not linked, whatever the linker's
# --as-needed default (the sanitizer build's link would keep them).
LINK_PC     = $(filter-out poppler-glib,$(call pc_names,$(LIBS_PC)))
ALL_LDLIBS  = $(shell $(PKG_CONFIG) --libs $(LINK_PC)) \
              $(foreach p,$(LIBS_NOPC),-l$(firstword $(subst :, ,$(p)))) -lm $(LDLIBS)

# Every daemon/*.c except the two programs' mains goes into one archive that
# both programs and every test link against.
PROG_SRCS  := daemon/main.c daemon/cli.c
LIB_SRCS   := $(filter-out $(PROG_SRCS),$(wildcard daemon/*.c))
LIB_OBJS   := $(LIB_SRCS:%.c=$(B)/%.o)
LIB        := $(B)/libbriefwatch.a

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all check check-unit check-cycles check-integration check-differential check-sanitize demo deps \
        install uninstall clean fuzz bench bench-deps torture conformance score \
        deb deb-deps check-systemd

all: $(B)/briefwatchd $(B)/briefwatch $(B)/bwtok.so

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/briefwatchd: $(B)/daemon/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(B)/briefwatch: $(B)/daemon/cli.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# The search tokenizer as an SQLite extension, for tools that read the
# database (sqlite3 shell: .load build/bwtok; docs/store.md).
# The tokenizer as an extension for the sqlite3 shell (and the tests that
# read the FTS tables with it). Built without the sanitizers even in
# check-sanitize: the shell is not an ASan program, and ASan's runtime
# must come first in a process; the daemon's own copy is sanitized.
BWTOK_CFLAGS = $(filter-out -fsanitize=% -MMD -MP,$(ALL_CFLAGS))
$(B)/bwtok.so: daemon/tokenizer.c include/tokenizer.h
	@mkdir -p $(dir $@)
	$(CC) $(BWTOK_CFLAGS) $(CPPFLAGS) -fPIC -shared -o $@ $< \
	  $(shell $(PKG_CONFIG) --libs icu-uc sqlite3) -lstemmer

# ---- tests ---------------------------------------------------------------

TEST_CFLAGS = $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) \
              -DBW_SRCDIR='"$(CURDIR)"'
# test_pdf draws its PDFs with cairo: the tests link poppler-glib's set
TEST_LDLIBS = $(shell $(PKG_CONFIG) --libs cmocka poppler-glib) $(ALL_LDLIBS)

$(B)/tests/%: tests/unit/%.c $(LIB)
	$(call pc_check,$(TEST_PC))
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(TEST_LDLIBS)

check: check-unit check-cycles check-integration check-differential

# no call cycle among daemon/ modules; ingest uses nothing of daemon.c
check-cycles: all
	@tests/check-cycles $(B)

check-unit: $(UNIT_BINS)
	@tests/run-unit $(UNIT_BINS)

check-integration: all
	@tests/integration/run $(B)

# real feeds against Debian's python3-feedparser (tests/differential/)
check-differential: all
	@/usr/bin/python3 tests/differential/compare.py --quiet --briefwatch $(B)/briefwatch

SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all
check-sanitize:
	$(MAKE) B=build-san CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" check

# ---- fuzzing (clang libFuzzer) ---------------------------------------------

FUZZ_CC ?= clang
fuzz:
	@tests/fuzz/run "$(FUZZ_CC)" "$(FUZZTIME)"

# ---- demo, bench, conformance ---------------------------------------------

demo: all
	@tests/demo/run $(B)

bench: all
	@bench/run $(B)

torture: all
	@tests/torture/run $(B)

conformance: all
	@../shared/conformance/run --jobs 2

score: all
	@for set in ../shared/samples/transcripts ../shared/samples/reallabels \
	            tests/fixtures/transcripts-own; do \
	  [ -f $$set/manifest.tsv ] || continue; \
	  printf '%s: ' $$set; \
	  python3 ../shared/samples/score.py --cmd '$(CURDIR)/$(B)/briefwatch parse transcript {file} --url {url}' $$set | tail -n 1; \
	done
	@/usr/bin/python3 tests/fixtures/pdf/mkset.py ../shared/samples/transcripts $(B)/score-pdf && printf 'PDF (from ../shared/samples/transcripts): ' && python3 ../shared/samples/score.py --cmd '$(CURDIR)/$(B)/briefwatch parse transcript {file} --url {url}' $(B)/score-pdf | tail -n 1

# ---- packaging ---------------------------------------------------------------

DEB_DEPS := build-essential pkg-config libcurl4-openssl-dev libxml2-dev \
            libuv1-dev libsqlite3-dev libjansson-dev \
            libsystemd-dev libssl-dev libcmocka-dev python3 socat sqlite3 clang \
            python3-feedparser python3-aiosmtpd \
            libicu-dev libstemmer-dev libpoppler-glib-dev python3-cairo \
            fonts-dejavu-core \
            libclang-rt-14-dev systemd \
            libnats-dev nats-server python3-cryptography
deps:
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_DEPS) \
	  || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_DEPS); }

# the benchmark's server and peers (bench/README.md); not needed to build
BENCH_DEB_DEPS := nginx-light newsboat sfeed python3-feedparser
bench-deps:
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BENCH_DEB_DEPS) \
	  || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BENCH_DEB_DEPS); }

# the Debian package and its test under systemd (docs/operations.md)
DEB_BUILD_DEPS := debhelper lintian fakeroot dpkg-dev debootstrap \
                  systemd-container
deb-deps:
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_BUILD_DEPS) \
	  || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_BUILD_DEPS); }

# Built from a copy of the tree in build/deb/briefwatch-VERSION, so
# dpkg-buildpackage's output (written to the parent directory) lands in
# build/deb/.
deb:
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); \
	  [ "$$v" = "$(VERSION)" ] || { echo "debian/changelog is at $$v, Makefile VERSION is $(VERSION)" >&2; exit 1; }
	rm -rf $(B)/deb && mkdir -p $(B)/deb/briefwatch-$(VERSION)
	tar -cf - --exclude=./build --exclude='./build-*' --exclude=./.git \
	  --exclude=./config.mk . | tar -xf - -C $(B)/deb/briefwatch-$(VERSION)
	cd $(B)/deb/briefwatch-$(VERSION) && dpkg-buildpackage -b -us -uc -j2 >../build.log 2>&1 \
	  || { tail -40 ../build.log >&2; exit 1; }
	rm -rf $(B)/deb/briefwatch-$(VERSION)
	lintian --fail-on error,warning $(B)/deb/briefwatch_$(VERSION)_*.changes
	@ls $(B)/deb/*.deb

check-systemd: deb
	@tests/systemd/run $(B)/deb

install: all
	install -Dm755 $(B)/briefwatchd $(DESTDIR)$(SBINDIR)/briefwatchd
	install -Dm755 $(B)/briefwatch $(DESTDIR)$(BINDIR)/briefwatch
	install -Dm644 etc/briefwatch.conf $(DESTDIR)$(SYSCONFDIR)/briefwatch/briefwatch.conf
	for f in etc/profiles/*.conf; do [ -e "$$f" ] || continue; \
	  install -Dm644 "$$f" $(DESTDIR)$(SYSCONFDIR)/briefwatch/profiles/$$(basename $$f); done
	for f in systemd/*.service systemd/*.socket; do [ -e "$$f" ] || continue; \
	  sed 's|@SBINDIR@|$(SBINDIR)|g;s|@BINDIR@|$(BINDIR)|g;s|@SYSCONFDIR@|$(SYSCONFDIR)|g' "$$f" > $(B)/$$(basename $$f); \
	  install -Dm644 $(B)/$$(basename $$f) $(DESTDIR)$(UNITDIR)/$$(basename $$f); done
	[ ! -e systemd/briefwatch.sysusers ] || install -Dm644 systemd/briefwatch.sysusers $(DESTDIR)$(SYSUSERSDIR)/briefwatch.conf
	[ ! -e systemd/briefwatch.tmpfiles ] || install -Dm644 systemd/briefwatch.tmpfiles $(DESTDIR)$(TMPFILESDIR)/briefwatch.conf
	for f in docs/man/*.[1-8]; do [ -e "$$f" ] || continue; s=$${f##*.}; \
	  install -Dm644 "$$f" $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$f); done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/briefwatchd $(DESTDIR)$(BINDIR)/briefwatch
	rm -f $(DESTDIR)$(UNITDIR)/briefwatchd.service $(DESTDIR)$(UNITDIR)/briefwatchd.socket
	rm -f $(DESTDIR)$(SYSUSERSDIR)/briefwatch.conf $(DESTDIR)$(TMPFILESDIR)/briefwatch.conf
	rm -f $(DESTDIR)$(MANDIR)/man8/briefwatchd.8 $(DESTDIR)$(MANDIR)/man1/briefwatch.1 \
	      $(DESTDIR)$(MANDIR)/man5/briefwatch.conf.5

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJS:.o=.d) $(B)/daemon/main.d $(B)/daemon/cli.d
