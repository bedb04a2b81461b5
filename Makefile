# virtio-lab: one entry point. `make help` lists the targets.
#
# Three kinds of C live here, each compiled its own way:
#   driver/  Linux drivers: kernel headers only (the virtio/include shims
#            first on the path), KBUILD_MODNAME set per file as Kbuild does
#   virtio/  the guest kernel runtime the drivers run on (same flags)
#   sim/     the simulated hypervisor and the vlab command (host code)
# V=release (default), V=asan (AddressSanitizer + UBSan) pick the build.

V ?= release
BUILD := build/$(V)
CC ?= gcc

COMMON := -std=c11 -Wall -Wextra -Werror -g -pthread -MMD -MP -I.
ifeq ($(V),release)
OPT := -O2
else ifeq ($(V),asan)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
else
$(error unknown build variant V=$(V): use release or asan)
endif

GUEST_CFLAGS := $(COMMON) $(OPT) -D_POSIX_C_SOURCE=200809L -Ivirtio/include
HOST_CFLAGS := $(COMMON) $(OPT) -D_GNU_SOURCE
LDFLAGS_ALL := -pthread $(filter -fsanitize=%,$(OPT))

DRIVER_SRCS := $(wildcard driver/*.c)
GUEST_SRCS := $(wildcard virtio/*.c)
SIM_SRCS := $(filter-out sim/vlab.c,$(wildcard sim/*.c))
TEST_SRCS := $(wildcard tests/test_*.c)
# Suites that are kernel code themselves (they drive the virtqueue API as a
# driver would) build with the guest flags; the others are host code.
GUEST_TEST_SRCS := tests/test_ring.c

DRIVER_OBJS := $(DRIVER_SRCS:%.c=$(BUILD)/%.o)
GUEST_OBJS := $(GUEST_SRCS:%.c=$(BUILD)/%.o)
SIM_OBJS := $(SIM_SRCS:%.c=$(BUILD)/%.o)
MACHINE_OBJS := $(DRIVER_OBJS) $(GUEST_OBJS) $(SIM_OBJS)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

.PHONY: all run test check docs clean help deps mutants
.DEFAULT_GOAL := all

all: $(BUILD)/vlab

help:
	@echo "make run        build vlab and trace the rng driver on the simulator"
	@echo "make test       install missing packages, run every suite (plain + ASan/UBSan)"
	@echo "make check      run every suite in one build (V=release or V=asan)"
	@echo "make mutants    remove each validation check in turn; its test must fail"
	@echo "make docs       Doxygen walkthrough in build/docs (fails on any warning)"
	@echo "make clean      remove build/"

run: all
	./$(BUILD)/vlab run rng --trace

$(BUILD)/driver/%.o: driver/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -DKBUILD_MODNAME='"$*"' -c $< -o $@

$(BUILD)/virtio/%.o: virtio/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -DKBUILD_MODNAME='"virtio"' -c $< -o $@

$(BUILD)/sim/%.o: sim/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(GUEST_TEST_SRCS:%.c=$(BUILD)/%.o): $(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -DKBUILD_MODNAME='"$*"' -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/vlab: $(BUILD)/sim/vlab.o $(MACHINE_OBJS)
	$(CC) $^ $(LDFLAGS_ALL) -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(BUILD)/tests/harness.o \
		$(MACHINE_OBJS)
	$(CC) $^ $(LDFLAGS_ALL) -lcunit -o $@

# Run every suite even when one fails; fail at the end if any did.
check: $(TEST_BINS) $(BUILD)/vlab
	@failed=0; for t in $(TEST_BINS); do \
		echo "=== $$t ($(V))"; \
		VLAB=$(BUILD)/vlab ./$$t || failed=1; \
	done; \
	tests/cli.sh $(BUILD)/vlab || failed=1; \
	exit $$failed

mutants: deps
	tests/mutants.sh

deps:
	@scripts/install-deps.sh test

test: deps
	$(MAKE) V=release check
	$(MAKE) V=asan check

docs:
	@scripts/install-deps.sh docs
	@mkdir -p build/docs
	@doxygen docs/Doxyfile 2> build/docs/warnings.log; \
	status=$$?; cat build/docs/warnings.log >&2; \
	if [ $$status -ne 0 ] || [ -s build/docs/warnings.log ]; then \
		echo "make docs: Doxygen reported warnings (above)" >&2; exit 1; \
	fi; echo "make docs: build/docs/html/index.html"

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
