/*
 * The double's clock. By default it is the real one: epoch milliseconds for what Flink stamps
 * (job start times, record timestamps, datagen's rows-per-second) and a monotonic clock for
 * durations (idle sessions, injected delays, bounded jobs' run time). A test that measures time
 * instead makes it manual (--clock manual, or fg_clock_set_manual): the clock then stands still
 * and moves only when the test advances it (POST /clock on the admin API), so what expires, what
 * a datagen source has produced and when a job ends no longer depend on how busy the machine is.
 * In manual mode both readings are the same value, which starts at the real epoch time.
 */
#include "engine.h"

#include <stdatomic.h>
#include <time.h>

static atomic_bool manual;
static _Atomic long long manual_ms;

static long long read_clock(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fg_clock_set_manual(bool on)
{
	if (on && !atomic_load(&manual))
		atomic_store(&manual_ms, read_clock(CLOCK_REALTIME));
	atomic_store(&manual, on);
}

bool fg_clock_is_manual(void)
{
	return atomic_load(&manual);
}

long long fg_clock_advance(long long ms)
{
	return atomic_fetch_add(&manual_ms, ms) + ms;
}

long long now_ms(void)
{
	return atomic_load(&manual) ? atomic_load(&manual_ms) : read_clock(CLOCK_REALTIME);
}

long long fg_clock_monotonic_ms(void)
{
	return atomic_load(&manual) ? atomic_load(&manual_ms) : read_clock(CLOCK_MONOTONIC);
}
