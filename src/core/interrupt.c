/*
 * Ctrl-C handling (see interrupt.h).
 *
 * DESIGN
 * The handler does only what is async-signal-safe: it sets the flag and writes one byte to a
 * pipe; on a second signal it writes a note and calls _exit. The watcher thread sleeps in read()
 * on the pipe; one byte means "the first signal came" (it runs the callback once), and the
 * uninstall writes a byte of its own after clearing `running`, so the watcher always ends.
 */
#include "core/interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t flag;
static volatile sig_atomic_t count;
static int wake[2] = {-1, -1};
static pthread_t watcher;
static bool installed;
static volatile sig_atomic_t running;
static intr_fn callback;
static void *callback_ud;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
	(void)sig;
	int saved = errno;
	if (count++ > 0) {
		static const char msg[] = "\ninterrupted again: exiting now\n";
		ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)w;
		_exit(130);
	}
	flag = 1;
	char b = 1;
	ssize_t w = write(wake[1], &b, 1);
	(void)w;
	errno = saved;
}

static void *watch(void *arg)
{
	(void)arg;
	for (;;) {
		char b;
		ssize_t r = read(wake[0], &b, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || !running)
			break;
		if (flag && callback) {
			intr_fn fn = callback;
			callback = NULL;
			fn(callback_ud);
		}
	}
	return NULL;
}

int intr_install(intr_fn fn, void *ud)
{
	if (installed)
		return 0;
	flag = 0;
	count = 0;
	if (pipe(wake) < 0)
		return -1;
	(void)fcntl(wake[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(wake[1], F_SETFD, FD_CLOEXEC);
	callback = fn;
	callback_ud = ud;
	running = 1;
	/* the watcher takes no signal: they go to the threads that run the work */
	sigset_t all, prev;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &prev);
	int rc = pthread_create(&watcher, NULL, watch, NULL);
	pthread_sigmask(SIG_SETMASK, &prev, NULL);
	if (rc != 0) {
		close(wake[0]);
		close(wake[1]);
		wake[0] = wake[1] = -1;
		return -1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	installed = true;
	return 0;
}

void intr_uninstall(void)
{
	if (!installed)
		return;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	running = 0;
	char b = 0;
	ssize_t w = write(wake[1], &b, 1);
	(void)w;
	pthread_join(watcher, NULL);
	close(wake[0]);
	close(wake[1]);
	wake[0] = wake[1] = -1;
	installed = false;
}

bool intr_requested(void)
{
	return flag != 0;
}

static volatile sig_atomic_t stop_flag;
static sigset_t stop_unblocked;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void intr_stop_prepare(void)
{
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &stop_unblocked);
	sigdelset(&stop_unblocked, SIGINT);
	sigdelset(&stop_unblocked, SIGTERM);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void intr_wait_stop(void)
{
	while (!stop_flag)
		sigsuspend(&stop_unblocked);
}
