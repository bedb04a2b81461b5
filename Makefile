# virtio-lab: one entry point. `make help` lists the targets.
#
# Three kinds of C live here, each compiled its own way:
#   driver/  Linux drivers: kernel headers only (the virtio/include shims
#            first on the path), KBUILD_MODNAME set per file as Kbuild does
#   virtio/  the guest kernel runtime the drivers run on (same flags)
#   sim/     the simulated hypervisor and the vlab command (host code)
# V=release (default), V=asan (AddressSanitizer + UBSan), V=tsan
# (ThreadSanitizer) pick the build.

V ?= release
BUILD := build/$(V)
CC ?= gcc

# WERROR= turns warnings back into warnings: tests/mutants.sh needs that,
# since removing a check often leaves a variable unused.
WERROR ?= -Werror
# -MD, not -MMD: a shim header first reached through a system header
# (<linux/virtio_blk.h> includes <linux/virtio_config.h>, which is ours)
# would be left out of the dependencies, and its changes not rebuilt.
COMMON := -std=c11 -Wall -Wextra $(WERROR) -g -pthread -MD -MP -I.
ifeq ($(V),release)
OPT := -O2
else ifeq ($(V),notrace)
# Only for make bench: the release build with every trace point removed
OPT := -O2 -DVLAB_TRACE_COMPILED_OUT
else ifeq ($(V),asan)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
else ifeq ($(V),tsan)
# -Wno-tsan: the store-to-load full barriers stay real fences; TSan cannot
# model them, but every field they order is accessed atomically.
OPT := -O1 -fno-omit-frame-pointer -fsanitize=thread -Wno-tsan
else
$(error unknown build variant V=$(V): use release, asan, tsan or notrace)
endif

GUEST_CFLAGS := $(COMMON) $(OPT) -D_POSIX_C_SOURCE=200809L -Ivirtio/include
HOST_CFLAGS := $(COMMON) $(OPT) -D_GNU_SOURCE
LDFLAGS_ALL := -pthread $(filter -fsanitize=%,$(OPT))

DRIVER_SRCS := $(wildcard driver/*.c)
GUEST_SRCS := $(wildcard virtio/*.c)
SIM_SRCS := $(wildcard sim/*.c)
# The vlab command: options, session of one run, sinks, stepper, ring view
TOOL_SRCS := $(wildcard tools/vlab/*.c)
TEST_SRCS := $(wildcard tests/test_*.c)
# Suites that are kernel code themselves (they drive the virtqueue API as a
# driver would) build with the guest flags; the others are host code.
GUEST_TEST_SRCS := tests/test_ring.c tests/test_queues.c tests/test_golden.c \
	tests/test_blk.c

DRIVER_OBJS := $(DRIVER_SRCS:%.c=$(BUILD)/%.o)
GUEST_OBJS := $(GUEST_SRCS:%.c=$(BUILD)/%.o)
SIM_OBJS := $(SIM_SRCS:%.c=$(BUILD)/%.o)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(BUILD)/%.o)
# everything of the command but its main()
TOOL_LIB_OBJS := $(filter-out $(BUILD)/tools/vlab/main.o,$(TOOL_OBJS))
MACHINE_OBJS := $(DRIVER_OBJS) $(GUEST_OBJS) $(SIM_OBJS)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
# The guest programs: posix.c gives them the real system calls (the QEMU
# guest's vlab-scenarios), program.c the simulator's.
SCENARIO_SRCS := $(wildcard tests/scenarios/*.c)
SCENARIO_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(filter-out tests/scenarios/posix.c,$(SCENARIO_SRCS)))
SCENARIO_QEMU_SRCS := $(filter-out tests/scenarios/program.c,$(SCENARIO_SRCS))

.PHONY: docs-check all run test check docs clean help deps mutants module qemu-test golden dot-svg \
	qemu-shell qemu-deps tsan bench qemu-stress fuzz soak \
	lab grade course bulk labs-check qemu-vhost-test
.DEFAULT_GOAL := all

all: $(BUILD)/vlab

help:
	@echo "make run        build vlab and trace the rng driver on the simulator"
	@echo "make test       install missing packages, run every suite (plain + ASan/UBSan)"
	@echo "make check      run every suite in one build (V=release, asan or tsan)"
	@echo "make tsan       run every suite under ThreadSanitizer"
	@echo "make module     build driver/*.c as kernel modules (KDIR=headers tree)"
	@echo "make qemu-test  boot Debian's kernel in QEMU and run the drivers there"
	@echo "make qemu-stress slub_debug, unplug, kill and rmmod loops in a QEMU guest"
	@echo "make qemu-vhost-test  Linux's own drivers on our devices (vhost-user)"
	@echo "make qemu-shell the same guest, interactive"
	@echo "make bench      stream 100k buffers per ring configuration, print figures"
	@echo "make mutants    remove each validation check in turn; its test must fail"
	@echo "make fuzz       run each libFuzzer target FUZZ_S seconds (default 60)"
	@echo "make soak       SOAK_N checksummed transfers per ring configuration"
	@echo "make docs       the Doxygen book in build/docs (fails on any warning)"
	@echo "make docs-check the book, its excerpts against the code, its links"
	@echo "make lab LAB=N  hand out lab N into exercises/NN-name/work/ (lab 0: STUDENT=id)"
	@echo "make grade LAB=N  grade it (REF=1: the reference; FORMAT=gradescope; QEMU=1: also in a QEMU guest)"
	@echo "make course DEST=DIR LABS=\"1 2 3\"  a course term's tree, labs cut in place"
	@echo "make bulk LAB=N SUBMISSIONS=DIR OUT=DIR  grade a folder of submissions"
	@echo "make labs-check prove the lab machinery: skeletons fail, references pass"
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

$(BUILD)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(GUEST_TEST_SRCS:%.c=$(BUILD)/%.o): $(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -DKBUILD_MODNAME='"$*"' -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/bench/%.o: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -DKBUILD_MODNAME='"$*"' -c $< -o $@

$(BUILD)/tests/soak.o: tests/soak.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -DKBUILD_MODNAME='"soak"' -c $< -o $@

$(BUILD)/tests/soak: $(BUILD)/tests/soak.o $(MACHINE_OBJS)
	$(CC) $^ $(LDFLAGS_ALL) -o $@

# Millions of checksummed transfers per ring configuration (SOAK_N each,
# default 10 million): lost, duplicated and corrupted must all be 0.
SOAK_N ?= 10000000
soak:
	$(MAKE) V=release build/release/tests/soak
	./build/release/tests/soak $(SOAK_N)

$(BUILD)/bench/bench_ring: $(BUILD)/bench/bench_ring.o $(MACHINE_OBJS)
	$(CC) $^ $(LDFLAGS_ALL) -o $@

# Figures, not verdicts: the release build, every ring configuration at
# each queue size, rounds interleaved; then what the trace points cost
# while tracing is off, against a build without them; then the lockstep
# schedule in events per second. BENCH_ARGS passes options to bench_ring
# (--size N, --rounds N, --cpu-producer C, --cpu-device C, --cpu-irq C,
# --device-poll-ns N, --producer-poll-ns N).
BENCH_ARGS ?=
bench:
	$(MAKE) V=release build/release/bench/bench_ring build/release/vlab
	$(MAKE) V=notrace build/notrace/bench/bench_ring
	./build/release/bench/bench_ring $(BENCH_ARGS)
	@echo
	@echo "trace points with tracing off: split ring, indirect, event idx"
	./build/release/bench/bench_ring --size 64 --trace-cost "compiled in, off"
	./build/notrace/bench/bench_ring --size 64 --trace-cost "compiled out"
	@echo
	bench/lockstep.sh build/release/vlab 9

# Regenerate tests/golden/ after an intended change to what a scenario
# does; review the diff before committing it.
golden:
	$(MAKE) V=release build/release/tests/test_golden
	VLAB_GOLDEN_UPDATE=1 ./build/release/tests/test_golden

# Render the files of vlab run ... --dot DIR to SVG next to them.
DOT_DIR ?= out
dot-svg:
	@scripts/install-deps.sh graphviz
	@n=0; for f in $(DOT_DIR)/*.dot; do \
		[ -e "$$f" ] || { echo "make dot-svg: no .dot files in $(DOT_DIR)" >&2; exit 1; }; \
		dot -Tsvg "$$f" -o "$${f%.dot}.svg" || exit 1; n=$$((n + 1)); \
	done; echo "make dot-svg: $$n SVG files in $(DOT_DIR)/"

ifneq ($(V),release)
build/release/vlab:
	$(MAKE) V=release build/release/vlab
endif

$(BUILD)/vlab: $(TOOL_OBJS) $(SCENARIO_OBJS) $(MACHINE_OBJS)
	$(CC) $^ $(LDFLAGS_ALL) -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(BUILD)/tests/harness.o \
		$(BUILD)/tests/watchdog.o \
		$(SCENARIO_OBJS) $(TOOL_LIB_OBJS) $(MACHINE_OBJS)
	$(CC) $^ $(LDFLAGS_ALL) -lcunit -ldl -o $@

# Run every suite even when one fails; fail at the end if any did.
check: $(TEST_BINS) $(BUILD)/vlab
	@failed=0; for t in $(TEST_BINS); do \
		echo "=== $$t ($(V))"; \
		VLAB=$(BUILD)/vlab ./$$t || failed=1; \
	done; \
	tests/cli.sh $(BUILD)/vlab || failed=1; \
	tests/layers.sh --self-test || failed=1; \
	tests/layers.sh $(BUILD) || failed=1; \
	if [ "$(V)" = release ]; then tests/forgotten_kick.sh || failed=1; fi; \
	tests/writes.sh $(BUILD)/vlab || failed=1; \
	tests/faults.sh $(BUILD)/vlab || failed=1; \
	if [ "$(V)" = release ]; then tests/writes.sh --self-test || failed=1; fi; \
	tests/watchdog.sh $(BUILD) || failed=1; \
	tests/catalogue.sh --self-test || failed=1; \
	tests/catalogue.sh || failed=1; \
	exit $$failed

mutants: deps
	tests/mutants.sh

deps:
	@scripts/install-deps.sh test

test: deps
	$(MAKE) V=release check
	$(MAKE) V=asan check

# Every suite runs a machine with guest, IRQ and device threads: all of
# them are concurrency tests. TSan must report nothing (halt_on_error).
tsan: deps
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" $(MAKE) V=tsan check

# The event reference is generated from the kind table (sim/trace_kinds.c)
# by `vlab events`, and the book's pictures and excerpts from seeded runs
# (docs/book/figures.txt), so no page can drift from the code.
docs: build/release/vlab build/release/tests/test_device_errors \
		build/release/tests/test_ring
	@scripts/install-deps.sh docs
	@mkdir -p build/docs
	@build/release/vlab events > build/docs/events.md
	@rm -rf build/docs/gen
	@python3 docs/book/gen.py build/release/vlab build/docs/gen
	@doxygen docs/Doxyfile 2> build/docs/warnings.log; \
	status=$$?; cat build/docs/warnings.log >&2; \
	if [ $$status -ne 0 ] || [ -s build/docs/warnings.log ]; then \
		echo "make docs: Doxygen reported warnings (above)" >&2; exit 1; \
	fi; echo "make docs: build/docs/html/index.html"

# The book against the code: excerpts, snippets, pictures, links.
docs-check: docs
	docs/book/check.sh
	docs/book/check.sh --self-test

clean:
	rm -rf build

# --- The kernel build and the QEMU guest ---------------------------------
# KDIR: a kernel build tree; by default the newest Debian headers installed.
KDIR ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
# The release string modules must match (uname -r of the guest kernel)
KVER = $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR := build/module
QEMU_OUT := build/qemu

qemu-deps:
	@scripts/install-deps.sh qemu

# Kbuild runs on the very files in driver/, reached through symlinks from
# build/module so that no build product lands in driver/. C=2 runs sparse
# on every file, rebuilt or not (C=1 only on those compiled); then the
# kernel's checkpatch.pl, unpacked from Debian's linux-source into
# build/checkpatch, reads driver/. Any warning of either fails the target.
CHECKPATCH_DIR := build/checkpatch
module: qemu-deps
	@if [ ! -d "$(KDIR)" ]; then \
		echo "make module: no kernel build tree (install linux-headers-amd64 or set KDIR)" >&2; \
		exit 1; fi
	@mkdir -p $(MODDIR)
	@ln -sf $(CURDIR)/driver/Kbuild $(MODDIR)/Kbuild
	@for f in driver/*.c; do ln -sf $(CURDIR)/$$f $(MODDIR)/; done
	@$(MAKE) -C "$(KDIR)" M=$(CURDIR)/$(MODDIR) C=2 modules > $(MODDIR)/build.log 2>&1; \
	status=$$?; cat $(MODDIR)/build.log; \
	if [ $$status -ne 0 ]; then exit $$status; fi; \
	if grep -q 'warning:\|error:' $(MODDIR)/build.log; then \
		echo "make module: the kernel build or sparse printed warnings" >&2; exit 1; fi; \
	echo "make module: $$(cd $(MODDIR) && echo *.ko) built against $(KDIR), sparse clean"
	@cp=$$(scripts/fetch-checkpatch.sh $(CURDIR)/$(CHECKPATCH_DIR)) && \
	perl "$$cp" --no-tree --terse --show-types -f driver/*.c > $(MODDIR)/checkpatch.log 2>&1; \
	cat $(MODDIR)/checkpatch.log; \
	if grep -q 'ERROR\|WARNING' $(MODDIR)/checkpatch.log; then \
		echo "make module: checkpatch.pl reported problems in driver/" >&2; exit 1; fi; \
	echo "make module: checkpatch.pl: driver/*.c clean"

$(QEMU_OUT)/vlab-scenarios: $(SCENARIO_QEMU_SRCS) tests/scenarios/scenario.h
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE -I. -static \
		$(SCENARIO_QEMU_SRCS) -o $@

# The guest kernel matches the headers: from /boot, or unpacked from the
# Debian package into build/qemu by scripts/fetch-kernel.sh.
qemu-test: module $(QEMU_OUT)/vlab-scenarios
	@kroot=$$(scripts/fetch-kernel.sh $(KVER) $(CURDIR)/$(QEMU_OUT)) && \
	KROOT=$$kroot KVER=$(KVER) MODDIR=$(MODDIR) \
		SCENARIOS=$(QEMU_OUT)/vlab-scenarios OUT=$(QEMU_OUT) \
		tests/qemu/run.sh test

# Real Linux drivers on our device models: QEMU's vhost-user-rng-pci and
# vhost-user-blk-pci served by `vlab serve` (tests/qemu/vhost-run.sh)
qemu-vhost-test: module $(QEMU_OUT)/vlab-scenarios build/release/vlab
	@kroot=$$(scripts/fetch-kernel.sh $(KVER) $(CURDIR)/$(QEMU_OUT)) && \
	KROOT=$$kroot KVER=$(KVER) MODDIR=$(MODDIR) VLAB=build/release/vlab \
		SCENARIOS=$(QEMU_OUT)/vlab-scenarios OUT=$(QEMU_OUT)/vhost \
		tests/qemu/vhost-run.sh

# slub_debug=FZPU, unplug and kill loops, device_del through the monitor
qemu-stress: module $(QEMU_OUT)/vlab-scenarios
	@kroot=$$(scripts/fetch-kernel.sh $(KVER) $(CURDIR)/$(QEMU_OUT)) && \
	KROOT=$$kroot KVER=$(KVER) MODDIR=$(MODDIR) \
		SCENARIOS=$(QEMU_OUT)/vlab-scenarios OUT=$(QEMU_OUT) \
		tests/qemu/stress-run.sh

qemu-shell: module $(QEMU_OUT)/vlab-scenarios
	@kroot=$$(scripts/fetch-kernel.sh $(KVER) $(CURDIR)/$(QEMU_OUT)) && \
	KROOT=$$kroot KVER=$(KVER) MODDIR=$(MODDIR) \
		SCENARIOS=$(QEMU_OUT)/vlab-scenarios OUT=$(QEMU_OUT) \
		tests/qemu/run.sh shell

# --- Fuzzing (libFuzzer: clang and Debian's libclang-rt-14-dev) ---------
# Each target in tests/fuzz/ links the machine code it fuzzes (not the
# interrupt controller: tests/fuzz/irq_sink.c) with ASan and UBSan, starts
# from the committed seeds in tests/fuzz/corpus/NAME and keeps what it
# finds in build/fuzz/corpus-NAME. FUZZ_S seconds per target.
FUZZ_S ?= 60
FUZZ_TARGETS := chain mmio used
FUZZ_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -O1 -I. -D_GNU_SOURCE \
	-pthread -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SIM := sim/vq.c sim/vq_split.c sim/vq_packed.c sim/vq_chain.c \
	sim/ram.c sim/device.c sim/trace.c sim/sched.c sim/coro.c \
	sim/loopback.c sim/mmio.c tests/fuzz/irq_sink.c

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SIM) $(wildcard sim/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $< $(FUZZ_SIM) -o $@

# fuzz_used links the guest's ring code instead: guest flags for it and
# virtio/, host flags for the sim/ files the shims call (the schedule,
# its coroutines, the trace).
FUZZ_GUEST := tests/fuzz/fuzz_used.c $(wildcard virtio/*.c)
FUZZ_GUEST_OBJS := $(FUZZ_GUEST:%.c=build/fuzz/obj/%.o) \
	build/fuzz/obj/sim/sched.o build/fuzz/obj/sim/coro.o \
	build/fuzz/obj/sim/trace.o

$(filter-out %/sim/sched.o %/sim/coro.o %/sim/trace.o,$(FUZZ_GUEST_OBJS)): \
		build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(filter-out -D_GNU_SOURCE,$(FUZZ_CFLAGS)) -MD -MP \
		-Ivirtio/include -D_POSIX_C_SOURCE=200809L \
		-DKBUILD_MODNAME='"fuzz_used"' -c $< -o $@

build/fuzz/obj/sim/%.o: sim/%.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -MD -MP -c $< -o $@

build/fuzz/fuzz_used: $(FUZZ_GUEST_OBJS)
	clang $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus-$$t; \
		echo "=== fuzz $$t for $(FUZZ_S) s"; \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_S) -close_fd_mask=2 \
			-print_final_stats=1 -artifact_prefix=build/fuzz/$$t- \
			build/fuzz/corpus-$$t tests/fuzz/corpus/$$t \
			> build/fuzz/$$t.log 2>&1 || \
			{ tail -40 build/fuzz/$$t.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units|cov: ' build/fuzz/$$t.log | \
			tail -2; \
	done

# --- Course labs: exercises/ (handouts, manifests), tools/labs/ --------
# A lab's manifest names the functions it cuts; tools/labs/labs.py cuts
# them from the reference, grades a lab in build/labs/NAME/tree with the
# student's files in place of the reference's, and builds there with this
# Makefile. exercises/README.md is the teachers' guide.
LABS_PY := python3 tools/labs/labs.py
LAB ?=
lab:
	@scripts/install-deps.sh labs
	@test -n "$(LAB)" || { echo "make lab: say which: LAB=N" >&2; exit 2; }
	@$(LABS_PY) lab $(LAB) $(if $(STUDENT),--student "$(STUDENT)")

# QEMU=1: also the driver as a kernel module in a QEMU guest (labs 1, 2,
# 7, 8; KDIR as for make module)
grade:
	@scripts/install-deps.sh labs
	@$(if $(QEMU),scripts/install-deps.sh qemu)
	@test -n "$(LAB)" || { echo "make grade: say which: LAB=N" >&2; exit 2; }
	@KDIR="$(KDIR)" $(LABS_PY) grade $(LAB) $(if $(REF),--ref) \
		$(if $(QEMU),--qemu) \
		$(if $(FORMAT),--format $(FORMAT)) \
		$(if $(RESULTS),--results "$(RESULTS)") \
		$(if $(STUDENT),--student "$(STUDENT)")

course:
	@scripts/install-deps.sh labs
	@test -n "$(DEST)" -a -n "$(LABS)" || \
		{ echo "make course: DEST=DIR LABS=\"1 2 3\"" >&2; exit 2; }
	@$(LABS_PY) course "$(DEST)" $(LABS)

bulk:
	@scripts/install-deps.sh labs
	@test -n "$(LAB)" -a -n "$(SUBMISSIONS)" -a -n "$(OUT)" || \
		{ echo "make bulk: LAB=N SUBMISSIONS=DIR OUT=DIR" >&2; exit 2; }
	@$(LABS_PY) bulk $(LAB) "$(SUBMISSIONS)" "$(OUT)"

# Every Done-when of the lab machinery as a test (tools/labs/selfcheck.py);
# QEMU=1 also grades labs 1 and 7 in the QEMU guest (about 40 s more)
labs-check:
	@scripts/install-deps.sh labs
	@$(if $(QEMU),scripts/install-deps.sh qemu)
	@KDIR="$(KDIR)" $(LABS_PY) check $(if $(QEMU),--qemu)

# In a course tree (make course) the reference of a cut file comes
# compiled, as exercises/prebuilt/V/FILE.o: the grader lists in PREBUILT
# the cut files of the labs a grade does not own, and they are linked
# from there instead of compiled from the student's copy.
PREBUILT ?=
$(patsubst %.c,$(BUILD)/%.o,$(PREBUILT)): $(BUILD)/%.o: exercises/prebuilt/$(V)/%.o
	@mkdir -p $(@D)
	cp $< $@

-include $(shell find build -name '*.d' 2>/dev/null)
