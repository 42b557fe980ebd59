/*
 * Ctrl-C for commands that run queries (run, build, test, seed, snapshot).
 *
 * The first SIGINT (or SIGTERM) sets a flag and wakes a watcher thread, which calls the callback
 * the command set: that one cancels the queries in flight (duckdb_interrupt, the gateway's cancel,
 * PQcancel), outside the signal handler, since it takes locks and talks to servers. The command
 * then stops starting work, writes its artifacts and exits as dbt does. A second SIGINT exits
 * at once (status 130) with a one-line note on stderr.
 *
 * Code that polls in a loop asks intr_requested().
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_INTERRUPT_H
#define SLUICE_CORE_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

typedef void (*intr_fn)(void *ud);

/* Installs the handlers and starts the watcher; `fn` (may be NULL) runs on the watcher thread
 * after the first signal. 0, or -1 when the watcher cannot start (signals then stay default). */
int intr_install(intr_fn fn, void *ud);
/* Restores the default handlers and stops the watcher (after it ran fn, if it did) */
void intr_uninstall(void);
/* True once the first signal arrived */
bool intr_requested(void);

/*
 * For a server that runs until SIGINT or SIGTERM. intr_stop_prepare() blocks both and notes their
 * arrival; call it before starting any thread, which then inherits them blocked. intr_wait_stop()
 * waits in sigsuspend(), the only place they are let through: a signal that arrives before the
 * wait, or on another thread, is not lost, as one between a flag's check and pause() would be.
 */
void intr_stop_prepare(void);
void intr_wait_stop(void);

#endif
