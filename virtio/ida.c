// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief ID allocation (ida_alloc(), ida_free()) over a fixed bitmap.
 *
 * One lock guards every ida: an allocation is a few instructions and
 * never sleeps, so a driver may call it from probe or remove in any
 * schedule.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/idr.h>

/** Guards the bitmaps of all idas. */
static pthread_mutex_t ida_lock = PTHREAD_MUTEX_INITIALIZER;

/** Bits in one word of an ida's bitmap. */
#define IDA_WORD_BITS (8 * sizeof(unsigned long))

void ida_init(struct ida *ida)
{
	memset(ida, 0, sizeof(*ida));
}

int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max,
		    gfp_t gfp)
{
	unsigned int id;
	int ret = -ENOSPC;

	(void)gfp;
	if ((int)min < 0)
		return -ENOSPC;
	if (max >= IDA_MAX_IDS)
		max = IDA_MAX_IDS - 1;
	pthread_mutex_lock(&ida_lock);
	for (id = min; id <= max; id++) {
		unsigned long bit = 1UL << (id % IDA_WORD_BITS);

		if (ida->bits[id / IDA_WORD_BITS] & bit)
			continue;
		ida->bits[id / IDA_WORD_BITS] |= bit;
		ret = (int)id;
		break;
	}
	pthread_mutex_unlock(&ida_lock);
	return ret;
}

void ida_free(struct ida *ida, unsigned int id)
{
	unsigned long bit = 1UL << (id % IDA_WORD_BITS);
	bool taken;

	if (id >= IDA_MAX_IDS) {
		WARN_ON(1);
		return;
	}
	pthread_mutex_lock(&ida_lock);
	taken = ida->bits[id / IDA_WORD_BITS] & bit;
	ida->bits[id / IDA_WORD_BITS] &= ~bit;
	pthread_mutex_unlock(&ida_lock);
	/* Linux warns "ida_free called for id=N which is not allocated" */
	WARN_ON(!taken);
}

void ida_destroy(struct ida *ida)
{
	pthread_mutex_lock(&ida_lock);
	memset(ida, 0, sizeof(*ida));
	pthread_mutex_unlock(&ida_lock);
}

bool ida_is_empty(const struct ida *ida)
{
	unsigned int i;
	bool empty = true;

	pthread_mutex_lock(&ida_lock);
	for (i = 0; i < IDA_MAX_IDS / IDA_WORD_BITS; i++)
		if (ida->bits[i])
			empty = false;
	pthread_mutex_unlock(&ida_lock);
	return empty;
}
