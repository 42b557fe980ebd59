/*
 * sluice sql: Flink SQL on the target's SQL Gateway, in the manner of Flink's own SQL client.
 *   sluice sql                 an interactive shell (libedit: line editing, ~/.sluice_sql_history)
 *   sluice sql -e "SQL"        the statements given, then exit
 *   sluice sql -f FILE         the statements of a file (stdin when it is not a terminal)
 * Inside a project the target comes from the profile and the project's sources and views are
 * declared in the session first (Flink's in-memory catalog starts empty); --gateway URL talks to a
 * gateway without a project.
 *
 * DESIGN
 * Results are fetched page by page with the client library's low-level calls, so the shell decides
 * how to show them: a result that ends quickly (DDL, SHOW, bounded queries) is printed as one table
 * sized to its cells; a streaming query prints its rows as they arrive, with their row kind, in
 * columns sized from the first rows and the column types, until EOS, Ctrl-C (SIGINT sets a flag the
 * fetch loop reads), --max-rows or --timeout; closing the operation then stops its job. With
 * --snapshot a query's changelog is folded (flink_snapshot) and its final rows print at its end. Scripts
 * stop at the first failing statement and exit 1, with the file, line and column of the statement
 * (and of Flink's own position inside it, when the error names one).
 */
#include <editline/readline.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "adapters/adapter.h"
#include "adapters/flink/flink_adapter.h"
#include "cli/cli.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/sb.h"
#include "core/vec.h"
#include "graph/graph.h"
#include "runner/runner.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupted)
		;
}

struct shell {
	flink_session *session;
	flink_cc *cc;         /* a Confluent Cloud target instead of a gateway session */
	const char *cc_prefix, *cc_label;  /* its statements' name prefix and label */
	long max_rows;        /* 0: no limit */
	long timeout_ms;      /* 0: none */
	bool batch;           /* execution.runtime-mode is batch: no row kinds to show */
	bool snapshot;        /* --snapshot: fold a query's changelog, print its final rows */
	const char *script;   /* name of the script for error positions, or NULL (interactive) */
};

/* ================================================================ cells and tables */

static void cell_text(struct sb *out, const struct flink_value *v)
{
	if (v->kind == FLINK_V_NULL)
		sb_adds(out, "<NULL>");
	else if (v->kind == FLINK_V_BOOL)
		sb_adds(out, v->b ? "TRUE" : "FALSE");
	else
		sb_add(out, v->text, v->len);
}

static bool right_aligned(const struct flink_type *t)
{
	switch (t->root) {
	case FLINK_T_TINYINT: case FLINK_T_SMALLINT: case FLINK_T_INTEGER: case FLINK_T_BIGINT:
	case FLINK_T_FLOAT: case FLINK_T_DOUBLE: case FLINK_T_DECIMAL:
		return true;
	default:
		return false;
	}
}

/* A width for a column of a stream, before its values are known */
static size_t type_width(const struct flink_type *t)
{
	switch (t->root) {
	case FLINK_T_BOOLEAN: return 6;
	case FLINK_T_TINYINT: case FLINK_T_SMALLINT: return 6;
	case FLINK_T_INTEGER: return 11;
	case FLINK_T_BIGINT: return 20;
	case FLINK_T_DECIMAL: return (size_t)(t->precision > 0 ? t->precision + 2 : 20);
	case FLINK_T_DATE: return 10;
	case FLINK_T_TIME: return 12;
	case FLINK_T_TIMESTAMP: case FLINK_T_TIMESTAMP_LTZ: case FLINK_T_TIMESTAMP_TZ: return 23;
	case FLINK_T_CHAR: case FLINK_T_VARCHAR:
		return (size_t)(t->length > 0 && t->length < 30 ? t->length : 20);
	default: return 20;
	}
}

/* Rows kept as text, with their kinds */
struct table {
	size_t ncols;
	const struct flink_column *cols;
	VEC(char *) cells;   /* ncols a row */
	VEC(enum flink_row_kind) kinds;
	size_t *w;
	bool op;             /* show the row kind column */
};

static void table_add(struct table *t, const struct flink_row *row)
{
	struct sb s = SB_INIT;
	for (size_t i = 0; i < t->ncols; i++) {
		sb_reset(&s);
		cell_text(&s, &row->fields[i]);
		VEC_PUSH(&t->cells, xstrdup(s.buf));
	}
	VEC_PUSH(&t->kinds, row->kind);
	sb_release(&s);
}

static void table_release(struct table *t)
{
	for (size_t i = 0; i < t->cells.n; i++)
		free(t->cells.v[i]);
	VEC_FREE(&t->cells);
	VEC_FREE(&t->kinds);
	free(t->w);
}

static void rule(const struct table *t)
{
	struct sb s = SB_INIT;
	if (t->op)
		sb_adds(&s, "+----");
	for (size_t i = 0; i < t->ncols; i++) {
		sb_addc(&s, '+');
		for (size_t k = 0; k < t->w[i] + 2; k++)
			sb_addc(&s, '-');
	}
	sb_adds(&s, "+\n");
	fputs(s.buf, stdout);
	sb_release(&s);
}

/* A cell padded to width w; longer text is cut with "..." (streams only: tables fit their cells) */
static void put_cell(struct sb *s, const char *text, size_t w, bool right)
{
	size_t n = strlen(text);
	if (n > w) {
		sb_adds(s, " ");
		sb_add(s, text, w > 3 ? w - 3 : 0);
		sb_adds(s, w > 3 ? "... |" : " |");
		return;
	}
	sb_addf(s, right ? " %*s |" : " %-*s |", (int)w, text);
}

static void print_header(const struct table *t)
{
	rule(t);
	struct sb s = SB_INIT;
	sb_adds(&s, t->op ? "| op |" : "|");
	for (size_t i = 0; i < t->ncols; i++)
		put_cell(&s, t->cols[i].name, t->w[i], right_aligned(t->cols[i].type));
	sb_addc(&s, '\n');
	fputs(s.buf, stdout);
	sb_release(&s);
	rule(t);
}

static void print_row(const struct table *t, size_t r)
{
	struct sb s = SB_INIT;
	if (t->op)
		sb_addf(&s, "| %s |", flink_row_kind_short(t->kinds.v[r]));
	else
		sb_adds(&s, "|");
	for (size_t i = 0; i < t->ncols; i++)
		put_cell(&s, t->cells.v[r * t->ncols + i], t->w[i], right_aligned(t->cols[i].type));
	sb_addc(&s, '\n');
	fputs(s.buf, stdout);
	fflush(stdout);
	sb_release(&s);
}

static void size_columns(struct table *t, bool stream)
{
	t->w = xcalloc(t->ncols ? t->ncols : 1, sizeof(size_t));
	for (size_t i = 0; i < t->ncols; i++) {
		t->w[i] = strlen(t->cols[i].name);
		if (stream && type_width(t->cols[i].type) > t->w[i])
			t->w[i] = type_width(t->cols[i].type);
		for (size_t r = 0; r < t->kinds.n; r++) {
			size_t n = strlen(t->cells.v[r * t->ncols + i]);
			if (n > t->w[i])
				t->w[i] = stream && n > 40 ? 40 : n;
		}
	}
}

/* ================================================================ errors */

/* Flink's "at line L, column C" (or "From line L, column C") inside a statement */
static bool flink_position(const char *text, unsigned *pline, unsigned *pcol)
{
	for (const char *p = text ? strstr(text, "line ") : NULL; p; p = strstr(p + 5, "line ")) {
		unsigned l, c;
		if (sscanf(p, "line %u, column %u", &l, &c) == 2) {
			*pline = l;
			*pcol = c;
			return true;
		}
	}
	return false;
}

static void print_error(const struct shell *sh, const char *sqltext, const struct flink_span *sp,
			const struct flink_error *e)
{
	const char *reason = e->root_cause && *e->root_cause ? e->root_cause : e->message;
	struct sb s = SB_INIT;
	fflush(stdout); /* what ran before the error is printed before it */
	if (sh->script && sp) {
		unsigned line = sp->line, col = sp->col, l2, c2;
		if (flink_position(reason, &l2, &c2)) {
			line = sp->line + l2 - 1;
			col = l2 == 1 ? sp->col + c2 - 1 : c2;
		}
		sb_addf(&s, "%s:%u:%u: error: %s\n", sh->script, line, col, reason ? reason : flink_strerror(e->code));
		/* the line, with a caret under the column */
		const char *p = sqltext;
		for (unsigned k = 1; k < line && p; k++) {
			p = strchr(p, '\n');
			if (p)
				p++;
		}
		if (p) {
			size_t n = strcspn(p, "\n");
			sb_addf(&s, "%5u | %.*s\n      | %*s^\n", line, (int)n, p, (int)(col > 0 ? col - 1 : 0), "");
		}
	} else {
		sb_addf(&s, "[ERROR] Could not execute SQL statement. Reason:\n%s\n",
			      reason ? reason : flink_strerror(e->code));
	}
	log_redact(s.buf);
	fputs(s.buf, stderr);
	sb_release(&s);
}

/* ================================================================ one statement */

static bool is_batch_config(flink_session *s)
{
	struct flink_kv *kv;
	size_t n;
	struct flink_error e;
	flink_error_init(&e);
	bool batch = false;
	if (flink_session_get_config(s, &kv, &n, &e) == FLINK_OK) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(kv[i].key, "execution.runtime-mode"))
				batch = !strcasecmp(kv[i].value, "batch");
		flink_kv_free(kv, n);
	}
	flink_error_release(&e);
	return batch;
}

static bool starts_with_word(const char *s, const char *w)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' || *s == '(')
		s++;
	size_t n = strlen(w);
	return !strncasecmp(s, w, n) && (s[n] == ' ' || s[n] == '\n' || s[n] == '\t' || s[n] == '\0' || s[n] == '\'');
}

/* Submits stmt: on Confluent Cloud a statement of its own (a snapshot query with --snapshot),
 * waited for until it runs (*pcst); else an operation of the session (*pop). 0, or -1 after
 * printing the error. */
static int submit_statement(struct shell *sh, const char *stmt, const char *script_text, const struct flink_span *sp,
			    flink_operation **pop, flink_cc_statement **pcst)
{
	struct flink_error e;
	flink_error_init(&e);
	if (!sh->cc) {
		if (flink_statement_submit(sh->session, stmt, NULL, pop, &e) == FLINK_OK)
			return 0;
		print_error(sh, script_text, sp, &e);
		flink_error_release(&e);
		return -1;
	}
	char name[160];
	unsigned long long r1 = ((unsigned long long)rand() << 31) ^ (unsigned long long)rand();
	snprintf(name, sizeof name, "%s%llx%llx", sh->cc_prefix, (unsigned long long)time(NULL), r1 & 0xffffffffULL);
	const char *labels[1] = {sh->cc_label};
	struct flink_cc_submit s = {.name = name, .statement = stmt, .labels = labels, .nlabels = 1,
				    .snapshot = sh->snapshot};
	if (flink_cc_submit(sh->cc, &s, pcst, &e) == FLINK_OK &&
	    flink_cc_wait(sh->cc, *pcst, true, sh->timeout_ms, &interrupted, &e) == FLINK_OK)
		return 0;
	print_error(sh, script_text, sp, &e);
	flink_error_release(&e);
	if (*pcst) {
		if (flink_cc_delete(sh->cc, flink_cc_statement_name(*pcst), &e) != FLINK_OK)
			log_msg(LOG_WARN, "cannot delete statement %s: %s", flink_cc_statement_name(*pcst),
				e.message ? e.message : "unknown error");
		flink_error_release(&e);
	}
	flink_cc_statement_free(*pcst);
	*pcst = NULL;
	return -1;
}

/* What fetching a statement's result gathered */
struct fetched {
	struct table t;
	flink_snapshot *snap;       /* --snapshot: the changelog folded */
	bool streaming;             /* rows printed as they came */
	bool is_query;
	bool have_cols;             /* a page with the result's columns came */
	bool stopped;               /* by --max-rows, --timeout or Ctrl-C (why) */
	const char *why;
	char job[33];
	enum flink_result_kind kind;
};

/* Fetches the result's pages until its end, a limit or Ctrl-C; a query still going after a moment
 * is a stream, whose rows print as they come. 0, or -1 after printing the error. */
static int fetch_result(struct shell *sh, flink_operation *op, flink_cc_statement *cst, const char *script_text,
			const struct flink_span *sp, struct fetched *f)
{
	struct flink_error e;
	flink_error_init(&e);
	struct table *t = &f->t;
	bool eos = false;
	double start = now_ms();
	long poll = 100;
	int rc = 0;
	while (!eos && !interrupted) {
		struct flink_page *pg;
		if ((cst ? flink_cc_fetch(sh->cc, cst, &pg, &e) : flink_operation_fetch(op, &pg, &e)) != FLINK_OK) {
			print_error(sh, script_text, sp, &e);
			rc = -1;
			break;
		}
		bool empty = pg->type != FLINK_RESULT_PAYLOAD || pg->nrows == 0;
		if (pg->type != FLINK_RESULT_NOT_READY && !f->have_cols) {
			f->have_cols = true;
			f->is_query = pg->is_query;
			f->kind = pg->kind;
			if (pg->job_id)
				snprintf(f->job, sizeof f->job, "%s", pg->job_id);
			t->ncols = pg->ncols;
			t->cols = pg->cols;
			t->op = f->is_query && !sh->batch && !sh->snapshot;
			if (f->is_query && sh->snapshot)
				f->snap = flink_snapshot_new(pg->ncols, NULL, 0);
		}
		for (size_t i = 0; f->snap && rc == 0 && i < pg->nrows; i++) {
			if (flink_snapshot_apply(f->snap, &pg->rows[i], &e) != FLINK_OK) {
				print_error(sh, script_text, sp, &e);
				rc = -1;
			}
		}
		for (size_t i = 0; !f->snap && i < pg->nrows; i++) {
			if (sh->max_rows && (long)t->kinds.n >= sh->max_rows && f->is_query) {
				f->stopped = true;
				f->why = "--max-rows";
				break;
			}
			table_add(t, &pg->rows[i]);
			if (f->streaming)
				print_row(t, t->kinds.n - 1);
		}
		eos = pg->type == FLINK_RESULT_EOS;
		flink_page_free(pg);
		if (f->stopped || rc)
			break;
		double elapsed = now_ms() - start;
		if (sh->timeout_ms && elapsed > sh->timeout_ms && !eos) {
			f->stopped = true;
			f->why = "--timeout";
			break;
		}
		/* a query still going after a moment is a stream: its rows print as they come (a
		 * snapshot only at its end) */
		if (f->is_query && !f->snap && !f->streaming && !eos && elapsed > 1000) {
			f->streaming = true;
			size_columns(t, true);
			print_header(t);
			for (size_t r = 0; r < t->kinds.n; r++)
				print_row(t, r);
		}
		if (!eos && empty)
			sleep_ms(poll);
	}
	if (interrupted && !f->stopped && rc == 0) {
		f->stopped = true;
		f->why = "Ctrl-C";
	}
	flink_error_release(&e);
	return rc;
}

/* Prints what fetch_result gathered, as Flink's SQL client does */
static void print_result(struct shell *sh, struct fetched *f)
{
	struct table *t = &f->t;
	if (f->snap) {
		const struct flink_row *rows;
		size_t n = flink_snapshot_rows(f->snap, &rows);
		if (sh->max_rows && n > (size_t)sh->max_rows)
			n = (size_t)sh->max_rows;
		for (size_t i = 0; i < n; i++)
			table_add(t, &rows[i]);
		if (f->stopped)
			printf("[WARNING] The query did not end (%s): the rows below are its changelog folded so far, "
			       "not a final result.\n", f->why ? f->why : "stopped");
	}
	size_t nrows = t->kinds.n;
	if (!f->have_cols && f->stopped) {
		/* no page with a result came before the stop: nothing is known of the statement's
		 * outcome, so "succeeded" would be a lie */
		printf("[WARNING] Stopped (%s) before the statement gave a first result: nothing was received.\n\n",
		       f->why ? f->why : "stopped");
	} else if (f->streaming) {
		rule(t);
	} else if (f->is_query || f->kind == FLINK_KIND_SUCCESS_WITH_CONTENT) {
		if (!f->is_query && f->job[0] && t->ncols == 1 && !strcmp(t->cols[0].name, "job id")) {
			printf("[INFO] Submitting SQL update statement to the cluster...\n"
			       "[INFO] SQL update statement has been successfully submitted to the cluster:\nJob ID: %s\n\n",
			       f->job);
			nrows = 0;
		} else {
			size_columns(t, false);
			if (nrows || f->is_query) {
				print_header(t);
				for (size_t r = 0; r < nrows; r++)
					print_row(t, r);
				rule(t);
			}
		}
	} else {
		printf("[INFO] Execute statement succeeded.\n\n");
	}
	if (f->is_query || (f->kind == FLINK_KIND_SUCCESS_WITH_CONTENT && !f->job[0]))
		printf(f->stopped ? "%zu row%s received, then stopped (%s).\n\n" : "%zu row%s in set\n\n", nrows,
		       nrows == 1 ? "" : "s", f->why ? f->why : "");
}

/* Runs one statement and prints its result; 0, or -1 after printing the error */
static int run_statement(struct shell *sh, const char *stmt, const char *script_text, const struct flink_span *sp)
{
	flink_operation *op = NULL;
	flink_cc_statement *cst = NULL;
	if (submit_statement(sh, stmt, script_text, sp, &op, &cst) < 0)
		return -1;
	struct sigaction sa = {0}, old;
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &old);
	struct fetched f = {.kind = FLINK_KIND_SUCCESS};
	int rc = fetch_result(sh, op, cst, script_text, sp, &f);
	sigaction(SIGINT, &old, NULL);
	if (rc == 0)
		print_result(sh, &f);
	flink_snapshot_free(f.snap);
	/* the columns belong to the operation: close it once they are printed; closing a query's
	 * operation cancels its job */
	struct flink_error ce;
	flink_error_init(&ce);
	if (cst) {
		/* a background statement (INSERT) runs on; everything else is deleted once read */
		enum flink_cc_phase ph = flink_cc_statement_phase(cst);
		if (flink_cc_statement_columns(cst, NULL) || flink_cc_phase_terminal(ph) || f.stopped || rc) {
			if (flink_cc_delete(sh->cc, flink_cc_statement_name(cst), &ce) != FLINK_OK)
				log_msg(LOG_WARN, "cannot delete statement %s: %s", flink_cc_statement_name(cst),
					ce.message ? ce.message : "unknown error");
		} else {
			printf("[INFO] Statement %s is %s.\n\n", flink_cc_statement_name(cst), flink_cc_statement_phase_text(cst));
		}
		flink_error_release(&ce);
		table_release(&f.t);
		flink_cc_statement_free(cst);
		return rc;
	}
	if (flink_operation_close(op, &ce) != FLINK_OK)
		log_msg(LOG_INFO, "closing the operation of a statement: %s", ce.message ? ce.message : "unknown error");
	flink_error_release(&ce);
	table_release(&f.t);
	/* SET/RESET may change the runtime mode, which decides whether row kinds show */
	if (rc == 0 && (starts_with_word(stmt, "SET") || starts_with_word(stmt, "RESET")))
		sh->batch = is_batch_config(sh->session);
	return rc;
}

/* ================================================================ scripts and the shell */

static int run_script(struct shell *sh, const char *text)
{
	struct flink_span *spans;
	size_t n = flink_split_statements(text, &spans);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *stmt = xmalloc(spans[i].len + 1);
		memcpy(stmt, text + spans[i].start, spans[i].len);
		stmt[spans[i].len] = '\0';
		rc = run_statement(sh, stmt, text, &spans[i]);
		free(stmt);
		if (interrupted)
			break;
	}
	free(spans);
	return rc;
}

/* True when text holds a statement ended by ';' outside quotes, comments and an EXECUTE STATEMENT
 * SET block */
static bool complete(const char *text)
{
	char quote = 0;
	bool line_comment = false, block_comment = false, ended = false;
	int in_set = 0;
	for (const char *p = text; *p; p++) {
		if (line_comment) {
			line_comment = *p != '\n';
			continue;
		}
		if (block_comment) {
			if (p[0] == '*' && p[1] == '/')
				block_comment = false, p++;
			continue;
		}
		if (quote) {
			if (*p == quote) {
				if (p[1] == quote)
					p++;
				else
					quote = 0;
			}
			continue;
		}
		if (*p == '\'' || *p == '`' || *p == '"') {
			quote = *p;
			ended = false;
		} else if (p[0] == '-' && p[1] == '-') {
			line_comment = true;
		} else if (p[0] == '/' && p[1] == '*') {
			block_comment = true;
			p++;
		} else if (*p == ';') {
			ended = !in_set;
		} else if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') {
			ended = false;
			if (!strncasecmp(p, "STATEMENT SET BEGIN", 19) || !strncasecmp(p, "SET BEGIN", 9))
				in_set = 1;
			else if (in_set && !strncasecmp(p, "END", 3) && (p == text || p[-1] == ' ' || p[-1] == '\n' || p[-1] == ';') &&
				 (p[3] == ';' || p[3] == ' ' || p[3] == '\n' || p[3] == '\0'))
				in_set = 0, p += 2;
		}
	}
	return ended && !quote && !block_comment;
}

static bool is_word(const char *s, const char *w)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	size_t n = strlen(w);
	if (strncasecmp(s, w, n))
		return false;
	for (s += n; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != ';')
			return false;
	return true;
}

static int run_shell(struct shell *sh)
{
	const char *home = getenv("HOME");
	char *hist = home ? xmalloc(strlen(home) + 32) : NULL;
	if (hist) {
		sprintf(hist, "%s/.sluice_sql_history", home);
		using_history();
		(void)read_history(hist);
	}
	printf("Flink SQL on %s. End statements with ';', 'quit;' leaves, Ctrl-C stops a query.\n\n",
	       flink_session_handle(sh->session));
	struct sb buf = SB_INIT;
	for (;;) {
		char *line = readline(buf.len ? "> " : "Flink SQL> ");
		if (!line)
			break;
		if (buf.len)
			sb_addc(&buf, '\n');
		sb_adds(&buf, line);
		free(line);
		if (buf.len == 0)
			continue;
		if (is_word(buf.buf, "quit") || is_word(buf.buf, "exit"))
			break;
		if (is_word(buf.buf, "help")) {
			printf("Statements end with ';'. quit; leaves. A streaming query prints rows as they arrive\n"
			       "until Ctrl-C; SET 'execution.runtime-mode' = 'batch'; makes queries bounded.\n\n");
			sb_reset(&buf);
			continue;
		}
		if (!complete(buf.buf))
			continue;
		add_history(buf.buf);
		(void)run_script(sh, buf.buf);
		interrupted = 0;
		sb_reset(&buf);
	}
	sb_release(&buf);
	if (hist) {
		(void)write_history(hist);
		free(hist);
	}
	return 0;
}

static char *read_all(FILE *f, const char *name)
{
	struct sb s = SB_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sb_add(&s, chunk, n);
	if (ferror(f)) {
		fprintf(stderr, "Error: unable to read '%s': %s\n", name, strerror(errno));
		sb_release(&s);
		return NULL;
	}
	size_t len;
	return sb_detach(&s, &len);
}

static long timeout_ms_of(const char *t, bool *pbad)
{
	*pbad = false;
	if (!t)
		return 0;
	char *end;
	double d = strtod(t, &end);
	if (end == t || *end || d < 0) {
		*pbad = true;
		return 0;
	}
	return (long)(d * 1000);
}

static int run_input(const struct cli *c, struct shell *sh)
{
	if (c->execute) {
		sh->script = NULL;
		return run_script(sh, c->execute) < 0 ? 1 : 0;
	}
	if (c->file || !isatty(STDIN_FILENO)) {
		const char *name = c->file ? c->file : "<stdin>";
		FILE *f = c->file ? fopen(c->file, "r") : stdin;
		if (!f) {
			fprintf(stderr, "Error: unable to open '%s': %s\n", c->file, strerror(errno));
			return 2;
		}
		char *text = read_all(f, name);
		if (f != stdin)
			fclose(f);
		if (!text)
			return 2;
		sh->script = name;
		int rc = run_script(sh, text) < 0 ? 1 : 0;
		free(text);
		return rc;
	}
	return run_shell(sh);
}

/* --gateway URL: a session of its own, no project */
static int run_on_gateway(const struct cli *c, struct shell *sh)
{
	struct flink_client_options o;
	flink_client_options_init(&o);
	o.url = c->gateway;
	o.log = adp_flink_log;
	struct flink_error e;
	flink_error_init(&e);
	flink_client *cl;
	if (flink_client_new(&o, &cl, &e) != FLINK_OK) {
		fprintf(stderr, "Error: unable to reach the Flink SQL Gateway at %s: %s\n", c->gateway,
			e.message ? e.message : flink_strerror(e.code));
		flink_error_release(&e);
		return 2;
	}
	int rc = 2;
	if (flink_session_open(cl, "sluice-sql", NULL, 0, &sh->session, &e) != FLINK_OK) {
		fprintf(stderr, "Error: unable to open a session: %s\n", e.message ? e.message : flink_strerror(e.code));
	} else {
		sh->batch = is_batch_config(sh->session);
		rc = run_input(c, sh);
		(void)flink_session_close(sh->session, &e);
	}
	flink_error_release(&e);
	flink_client_free(cl);
	return rc;
}

int cmd_sql(struct cli *c)
{
	bool bad;
	struct shell sh = {.max_rows = c->max_rows > 0 ? c->max_rows : 0, .timeout_ms = timeout_ms_of(c->timeout, &bad),
			   .snapshot = c->snapshot};
	if (bad) {
		fprintf(stderr, "Usage: sluice sql [OPTIONS]\nTry 'sluice sql --help' for help.\n\n"
				"Error: Invalid value for '--timeout': '%s' is not a number of seconds\n", c->timeout);
		return 2;
	}
	if (c->gateway)
		return run_on_gateway(c, &sh);
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct adapter *ad = NULL;
	const struct adapter_vtable *vt = NULL;
	struct adapter_conn *conn = NULL;
	int rc = 2;
	c->quiet = true;
	if (cli_load_project(c, &p, true, &dl) < 0)
		goto out;
	if (strcmp(p.target.type, "flink") && strcmp(p.target.type, "confluent")) {
		fprintf(stderr, "Error: sluice sql needs a Flink target (type: flink or confluent); target '%s' of profile '%s' is %s\n"
				"  hint: pick one with --target, or give a gateway with --gateway http://host:8083\n",
			p.target.target_name, p.target.profile_name, p.target.type);
		goto out;
	}
	if (cli_connect(&p, &ad, &vt, &conn, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	cli_restore(&p, NULL, NULL, ad, vt, conn, &dl);
	if (dl.head)
		cli_print_diags(&dl);
	if (!strcmp(p.target.type, "confluent")) {
		sh.cc = adp_confluent_cc(ad, &sh.cc_prefix, &sh.cc_label);
		srand((unsigned)time(NULL) ^ (unsigned)getpid());
		rc = run_input(c, &sh);
		goto out;
	}
	sh.session = adp_flink_session(ad);
	sh.batch = is_batch_config(sh.session);
	rc = run_input(c, &sh);
out:
	cli_disconnect(ad, vt, conn);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}
