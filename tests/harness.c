// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The shared test harness.
 */
#include "tests/harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "tests/watchdog.h"
#include "sim/session.h"
#include "sim/sched.h"
#include "sim/rng.h"
#include "sim/trace.h"
#include "virtio/shared/boundary.h"

/** Events one capture can hold. */
#define CAPTURE_MAX 200000

/** Protects the captured events. */
static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;
/** Events recorded since harness_capture_start(). */
static struct captured_event *events;
/** How many of them. */
static size_t nevents;

/** The one machine a test runs on. */
/** Every combination of ring layout, indirect and event idx. */
const struct harness_cfg harness_matrix[] = {
	{ "split, indirect, event-idx", false, true, true },
	{ "split, indirect", false, true, false },
	{ "split, event-idx", false, false, true },
	{ "split", false, false, false },
	{ "packed, indirect, event-idx", true, true, true },
	{ "packed, indirect", true, true, false },
	{ "packed, event-idx", true, false, true },
	{ "packed", true, false, false },
};

const unsigned int harness_matrix_size =
	sizeof(harness_matrix) / sizeof(harness_matrix[0]);

/** RAM of the next machine; 0 for the default. */
static uint64_t next_ram;

void harness_set_ram(uint64_t bytes)
{
	next_ram = bytes;
}

/** Configuration of the next boot. */
static const struct harness_cfg *current_cfg = &harness_matrix[0];

/** The one machine a test runs on. */
static struct vlab_session session;
/** Whether @c session is started. */
static bool machine_up;
/** Byte source of the entropy device harness_boot_rng() makes. */
static struct vlab_rng_source rng_source;

const struct harness_cfg *harness_cfg(void)
{
	return current_cfg;
}

void harness_set_cfg(const struct harness_cfg *cfg)
{
	current_cfg = cfg;
}

/** One suite initialiser per matrix entry: CUnit's take no argument. */
#define CFG_INIT(n)							\
	static int cfg_init_##n(void)					\
	{								\
		current_cfg = &harness_matrix[n];			\
		return 0;						\
	}
CFG_INIT(0)
CFG_INIT(1)
CFG_INIT(2)
CFG_INIT(3)
CFG_INIT(4)
CFG_INIT(5)
CFG_INIT(6)
CFG_INIT(7)

/** The initialisers, by matrix index. */
static int (*const cfg_inits[])(void) = {
	cfg_init_0, cfg_init_1, cfg_init_2, cfg_init_3,
	cfg_init_4, cfg_init_5, cfg_init_6, cfg_init_7,
};

/**
 * test_setup() - every test begins under the watchdog (tests/watchdog.h).
 */
static void test_setup(void)
{
	watchdog_arm(CU_get_current_suite() ? CU_get_current_suite()->pName :
		     NULL, CU_get_current_test() ?
		     CU_get_current_test()->pName : NULL);
}

/**
 * test_teardown() - shut the test's machine down, then stop its clock:
 * a shutdown that hangs is caught too.
 */
static void test_teardown(void)
{
	harness_shutdown();
	watchdog_disarm();
}

/**
 * filter_tests() - the tests of @p tests that run under @p cfg: a test
 * whose name begins with HARNESS_SPLIT_ONLY does not apply to a packed
 * ring and is left out there (and said so: it is skipped, never counted
 * as passed); VLAB_ONLY=text in the environment keeps only the tests
 * whose name begins with text (one test or one rule of a suite, by hand
 * or from tests/mutants.sh).
 * @param tests the suite's tests, ended by CU_TEST_INFO_NULL.
 * @param cfg the configuration, or NULL outside the matrix.
 * @param suite the suite's name, for the skip lines.
 * @return a copy to give to CUnit; run_suites() frees it (suites[].pTests).
 */
static CU_TestInfo *filter_tests(CU_TestInfo *tests,
				 const struct harness_cfg *cfg,
				 const char *suite)
{
	const char *only = getenv("VLAB_ONLY");
	size_t n = 0, k = 0, i;
	CU_TestInfo *out;

	while (tests[n].pName)
		n++;
	out = calloc(n + 1, sizeof(*out));
	if (!out) {
		fprintf(stderr, "%s: out of memory\n", suite);
		exit(1);
	}
	for (i = 0; i < n; i++) {
		if (only && strncmp(tests[i].pName, only, strlen(only)))
			continue;
		if (cfg && cfg->packed &&
		    !strncmp(tests[i].pName, HARNESS_SPLIT_ONLY,
			     strlen(HARNESS_SPLIT_ONLY))) {
			printf("  skipped in %s: %s (not registered)\n",
			       suite, tests[i].pName);
			continue;
		}
		out[k++] = tests[i];
	}
	return out;
}

/**
 * run_suites() - register @p suites, run them with CUnit's verbose
 * summary, and clean up.
 * @param suites the suites, ended by CU_SUITE_INFO_NULL.
 * @return 0 when every test passed, else 1.
 */
static int run_suites(CU_SuiteInfo *suites)
{
	unsigned int failures;
	CU_SuiteInfo *s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() +
		CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	/* the filtered copies of filter_tests() */
	for (s = suites; s->pName; s++)
		free(s->pTests);
	return failures ? 1 : 0;
}

int harness_run_matrix(const char *name, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[sizeof(cfg_inits) / sizeof(cfg_inits[0]) + 1];
	static char names[sizeof(cfg_inits) / sizeof(cfg_inits[0])][128];
	unsigned int i;
	int failures;

	const char *only_cfg = getenv("VLAB_CFG");
	unsigned int k = 0;

	memset(suites, 0, sizeof(suites));
	for (i = 0; i < harness_matrix_size; i++) {
		/* VLAB_CFG=text: only the configurations whose name has it */
		if (only_cfg && strncmp(harness_matrix[i].name, only_cfg,
					strlen(only_cfg)))
			continue;
		snprintf(names[i], sizeof(names[i]), "%s [%s]", name,
			 harness_matrix[i].name);
		suites[k].pName = names[i];
		suites[k].pInitFunc = cfg_inits[i];
		suites[k].pSetUpFunc = test_setup;
		suites[k].pTearDownFunc = test_teardown;
		suites[k++].pTests = filter_tests(tests, &harness_matrix[i],
						  names[i]);
	}
	failures = run_suites(suites);
	current_cfg = &harness_matrix[0];
	return failures;
}

int harness_run_suite(const char *name, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{ name, NULL, NULL, test_setup, test_teardown,
		  filter_tests(tests, NULL, name) },
		CU_SUITE_INFO_NULL,
	};

	return run_suites(suites);
}

/**
 * capture_sink() - the trace sink that records events.
 * @param ev the event.
 * @param seq its number.
 * @param thread its thread.
 * @param opaque unused.
 */
static void capture_sink(const struct vlab_event *ev, uint64_t seq,
			 const char *thread, void *opaque)
{
	const struct vlab_kind_info *k;
	struct captured_event *c;
	const char *s;
	unsigned int i;

	(void)seq;
	(void)thread;
	(void)opaque;
	pthread_mutex_lock(&capture_lock);
	if (nevents < CAPTURE_MAX) {
		c = &events[nevents++];
		c->kind = (int)ev->kind;
		c->queue = ev->queue;
		c->before = ev->before;
		c->after = ev->after;
		c->ev = *ev;
		c->text[0] = '\0';
		k = vlab_event_kind_info(ev->kind);
		for (i = 0; k && i < k->nargs; i++)
			if (k->args[i].type == VLAB_ARG_STR) {
				s = vlab_event_arg_string(ev, &k->args[i]);
				snprintf(c->text, sizeof(c->text), "%s",
					 s ? s : "");
				break;
			}
	}
	pthread_mutex_unlock(&capture_lock);
}

void harness_capture_start(void)
{
	pthread_mutex_lock(&capture_lock);
	if (!events)
		events = calloc(CAPTURE_MAX, sizeof(*events));
	nevents = 0;
	pthread_mutex_unlock(&capture_lock);
	vlab_trace_set_sink(capture_sink, NULL);
}

void harness_capture_stop(void)
{
	vlab_trace_set_sink(NULL, NULL);
}

const struct captured_event *harness_captured(size_t *count)
{
	pthread_mutex_lock(&capture_lock);
	*count = nevents;
	pthread_mutex_unlock(&capture_lock);
	return events;
}

size_t harness_count_kind(int kind)
{
	size_t i, n = 0, count;
	const struct captured_event *ev = harness_captured(&count);

	for (i = 0; i < count; i++)
		n += ev[i].kind == kind;
	return n;
}

/**
 * session_start() - start the one session with the running suite's ring
 * configuration (the schedule stays as the test set it).
 * @return 0 or a negative errno.
 */
static int session_start(void)
{
	struct vlab_session_opts opts = {
		.ram_size = next_ram, .loglevel = 4,
		.ring = { .packed = current_cfg->packed,
			  .indirect = current_cfg->indirect,
			  .event_idx = current_cfg->event_idx },
	};

	if (machine_up)
		return -EBUSY;
	if (vlab_session_init(&session, &opts))
		return -ENOMEM;
	machine_up = true;
	return 0;
}

void *harness_boot(const void *model, void *priv, const char *name)
{
	const struct harness_dev one = { model, priv, name };
	void *dev;

	return harness_boot_many(&one, 1, &dev) ? dev : NULL;
}

bool harness_boot_many(const struct harness_dev *devs, unsigned int n,
		       void **out)
{
	struct vlab_device *dev;
	unsigned int i;

	if (n > 8 || session_start())
		return false;
	for (i = 0; i < n; i++) {
		dev = vlab_session_add_device(&session, devs[i].model,
					      devs[i].priv, devs[i].name);
		if (!dev) {
			harness_shutdown();
			return false;
		}
		out[i] = dev;
	}
	if (vlab_session_boot(&session)) {
		harness_shutdown();
		return false;
	}
	return true;
}

void *harness_boot_rng(uint64_t seed, bool refuse_features_ok)
{
	struct vlab_device *dev;

	vlab_rng_source_init(&rng_source, true, seed);
	if (session_start())
		return NULL;
	dev = vlab_session_add_device(&session, &vlab_rng_model, &rng_source,
				      "rng0");
	if (!dev) {
		harness_shutdown();
		return NULL;
	}
	dev->faults.refuse_features_ok = refuse_features_ok;
	if (vlab_session_boot(&session)) {
		harness_shutdown();
		return NULL;
	}
	return dev;
}

void harness_shutdown(void)
{
	if (!machine_up)
		return;
	vlab_session_fini(&session);
	machine_up = false;
}

bool harness_wait(bool (*cond)(void *arg), void *arg)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 2000; i++) {
		if (cond(arg))
			return true;
		nanosleep(&ts, NULL);
	}
	return cond(arg);
}

bool harness_wait_value(const unsigned long *counter, unsigned long want)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	/*
	 * Acquire: a counter bumped with release after the work it counts
	 * makes that work visible here (a test frees the buffers next).
	 */
	for (i = 0; i < 2000; i++) {
		if (__atomic_load_n(counter, __ATOMIC_ACQUIRE) >= want)
			return __atomic_load_n(counter,
					       __ATOMIC_ACQUIRE) == want;
		nanosleep(&ts, NULL);
	}
	return false;
}

unsigned long harness_dev_errors(void *dev)
{
	struct vlab_device *d = dev;
	unsigned long n;

	vlab_mutex_lock(&d->lock);
	n = d->errors;
	vlab_mutex_unlock(&d->lock);
	return n;
}

bool harness_dev_has_error(void *dev)
{
	return harness_dev_errors(dev) > 0;
}
