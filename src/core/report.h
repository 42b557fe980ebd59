/*
 * What a command prints while it runs: dbt-style timestamped lines, status lines padded with dots
 * ("1 of 5 OK created sql table model main.orders ..... [OK in 0.05s]"), colour only on a terminal,
 * or one JSON object a line with --log-format json. Every line also goes to logs/sluice.log.
 * Thread-safe: workers print through one lock. Secrets are redacted before anything is printed.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_REPORT_H
#define SLUICE_CORE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

enum report_color { RC_NONE, RC_GREEN, RC_RED, RC_YELLOW };

void report_setup(bool color, bool json, const char *invocation_id);
bool report_color_enabled(void);
bool report_json(void);
/* --quiet: what templates log() at info level is kept to the log file (dbt's JinjaLogInfo) */
void report_set_quiet(bool quiet);
/* The user's --quiet, as dbt's: the progress and summary lines are kept back too (the log file
 * still has them); errors and what show and compile print for the user still go out */
void report_set_errors_only(bool on);
bool report_quiet(void);
/* A plain line: "HH:MM:SS  text" (or a JSON event named `event`) */
void report_line(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A status line with dots up to the status column; `secs` < 0 prints no time */
void report_status(const char *event, int index, int total, const char *what, const char *status,
		   enum report_color color, double secs);
/* The same after a prefix the dots do not count ("Batch 1 of 3 START batch ...", as dbt's
 * LogStartBatch puts "Batch " before its fancy line) */
void report_status_prefixed(const char *event, const char *prefix, int index, int total, const char *what,
			    const char *status, enum report_color color, double secs);
/* Text on stderr (diagnostics), in JSON mode as an event */
void report_error_text(const char *text);

#endif
