/*
 * Libraries loaded on first use (src/lazyload/): a list's wrappers call the library's functions,
 * from any number of threads; a library or a function that is not there ends the process with
 * exit status 2 and a message naming both. libm stands in for the real four here.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lazyload/lazylib.h"

/* wrappers for two functions of libm, as src/lazyload/ defines them for DuckDB and the others */
#define LIBM_FUNCTIONS(F, V, N) \
	F(double, cbrt, (double a0), (a0)) \
	V(sincos, (double a0, double *a1, double *a2), (a0, a1, a2))
LAZYLIB_DEFINE(LIBM_FUNCTIONS, "libm.so.6", "the maths library")

static void *call_many(void *arg)
{
	double *out = arg;
	volatile double x = 27.0;
	for (int i = 0; i < 1000; i++)
		*out = cbrt(x);
	return NULL;
}

static void test_wrappers_call_the_library(void **state)
{
	(void)state;
	/* the first calls race from four threads: each must see the library loaded */
	pthread_t t[4];
	double got[4] = {0};
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, call_many, &got[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_true(fabs(got[i] - 3.0) < 1e-12);
	}
	/* the calls went through the wrapper, which loaded the library and filled every slot */
	assert_non_null(lazylib_slots_[lazyslot_cbrt]);
	assert_non_null(lazylib_slots_[lazyslot_sincos]);
	volatile double zero = 0.0;
	double s = 2, c = 2;
	sincos(zero, &s, &c);
	assert_true(s == 0.0 && c == 1.0);
}

/* runs lazylib_open on a library of that name and function in a child; returns its exit status
 * and what it printed on stderr */
static int open_in_child(const char *soname, const char *function, char *err, size_t n)
{
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		const char *names[] = {function};
		void *slots[1];
		struct lazylib lib = {soname, "the test library", names, slots, 1, PTHREAD_ONCE_INIT};
		lazylib_open(&lib);
		_exit(0);
	}
	close(fd[1]);
	size_t len = 0;
	ssize_t r;
	while (len + 1 < n && (r = read(fd[0], err + len, n - 1 - len)) > 0)
		len += (size_t)r;
	err[len] = '\0';
	close(fd[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_missing_library(void **state)
{
	(void)state;
	char err[1024];
	assert_int_equal(open_in_child("libsluice-not-there.so.7", "cbrt", err, sizeof err), 2);
	assert_non_null(strstr(err, "sluice: cannot load the test library (libsluice-not-there.so.7): "));
	assert_non_null(strstr(err, "install the package that provides libsluice-not-there.so.7"));
}

static void test_missing_function(void **state)
{
	(void)state;
	char err[1024];
	assert_int_equal(open_in_child("libm.so.6", "sluice_no_such_function", err, sizeof err), 2);
	assert_non_null(strstr(err, "cannot load the test library (libm.so.6): it has no function "
				    "sluice_no_such_function (it is another version"));
	assert_int_equal(open_in_child("libm.so.6", "cbrt", err, sizeof err), 0);
	assert_string_equal(err, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrappers_call_the_library),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_function),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
