/*
 * Jinja benchmark: parses and renders model-sized templates (about 30 lines each, with a set, a
 * for loop, macro calls and ref()/var()/config() native calls, like the models of a dbt project)
 * and prints templates per second, on one thread and on two. Every template has its own text, so
 * parsing is measured too; the macros are parsed once, as a project's macro files are.
 *
 *   bench_jinja [N]     (default 10000)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/sb.h"
#include "jinja/jinja.h"

static const char macros_sql[] =
	"{% macro cents_to_dollars(column_name, scale=2) -%}\n"
	"    cast({{ column_name }} / 100 as decimal(18, {{ scale }}))\n"
	"{%- endmacro %}\n"
	"{% macro status_flags(statuses, column_name='status') -%}\n"
	"    {%- for s in statuses %}\n"
	"    case when {{ column_name }} = '{{ s }}' then 1 else 0 end as is_{{ s }}"
	"{% if not loop.last %},{% endif %}\n"
	"    {%- endfor %}\n"
	"{%- endmacro %}\n";

static const char model_fmt[] =
	"{{ config(materialized='table', tags=['bench']) }}\n"
	"{%% set statuses = ['new', 'active', 'closed'] %%}\n"
	"\n"
	"-- model_%05d: orders rows, with flags per status.\n"
	"\n"
	"with base as (\n"
	"    select id, account_id, status, event_date, amount_cents\n"
	"    from {{ ref('model_%05d') }}\n"
	"),\n"
	"\n"
	"joined as (\n"
	"    select\n"
	"        base.id, base.account_id, base.status, base.event_date,\n"
	"        base.amount_cents\n"
	"    from base\n"
	")\n"
	"\n"
	"select\n"
	"    id, account_id, status, event_date, amount_cents,\n"
	"    {{ cents_to_dollars('amount_cents') }} as amount,\n"
	"    amount_cents >= {{ var('large_amount_cents', 10000) }} as is_large,\n"
	"    {{ status_flags(statuses) }},\n"
	"    {%% for s in statuses -%%}\n"
	"    case when status = '{{ s }}' then amount_cents else 0 end as {{ s }}_amount_cents\n"
	"    {%%- if not loop.last %%},{%% endif %%}\n"
	"    {%% endfor %%}\n"
	"from joined\n"
	"where event_date >= cast('{{ var(\"start_date\", \"2020-01-01\") }}' as date)\n"
	"  and {{ this }} is not null\n"
	"-- end of model_%05d\n";

static value f_ref(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value name = jj_arg(args, args->npos > 1 ? 1 : 0, NULL, val_str(""));
	return val_str_fmt(jj_arena(vm), "\"main\".\"%.*s\"", (int)name.len, name.s);
}

static value f_var(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return jj_arg(args, 1, "default", val_none());
}

static value f_config(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_str("");
}

struct job {
	struct jj_env *env;
	value macros;
	int from, to;
	size_t bytes;
	int errors;
};

static void *run(void *p)
{
	struct job *j = p;
	struct arena proj, scratch;
	arena_init(&proj, 1 << 20);
	arena_init(&scratch, 64 * 1024);
	struct diag_list dl;
	diag_list_init(&dl);
	struct sb out = SB_INIT;
	sb_grow(&out, 4096); /* sb_reset() of a never-grown builder writes to the shared empty buffer */
	char *text = malloc(sizeof(model_fmt) + 64);
	for (int i = j->from; i < j->to; i++) {
		int n = snprintf(text, sizeof(model_fmt) + 64, model_fmt, i, i > 0 ? i - 1 : 0, i);
		/* the source must outlive the template: keep it in the project arena */
		char *src = arena_strndup(&proj, text, (size_t)n);
		struct jj_template *t;
		if (jj_parse(j->env, &proj, "model.sql", 0, src, (size_t)n, &t, &dl)) {
			j->errors++;
			continue;
		}
		struct arena_mark m = arena_mark(&scratch);
		value ctx = val_dict_new(&scratch, 8);
		for (uint32_t k = 0; k < j->macros.d->len; k++)
			val_dict_set(ctx, j->macros.d->e[k].key, j->macros.d->e[k].val);
		val_dict_sets(ctx, "this", val_str_fmt(&scratch, "\"main\".\"model_%05d\"", i));
		sb_reset(&out);
		if (jj_render(j->env, t, ctx, &scratch, NULL, &out, &dl))
			j->errors++;
		j->bytes += out.len;
		arena_reset(&scratch, m);
	}
	free(text);
	sb_release(&out);
	if (dl.head)
		diag_print(stderr, &dl, false);
	diag_list_release(&dl);
	arena_release(&scratch);
	arena_release(&proj);
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double bench(struct jj_env *env, value macros, int n, int threads, size_t *pbytes)
{
	pthread_t th[8];
	struct job jobs[8];
	double t0 = now();
	for (int k = 0; k < threads; k++) {
		jobs[k] = (struct job){env, macros, n * k / threads, n * (k + 1) / threads, 0, 0};
		pthread_create(&th[k], NULL, run, &jobs[k]);
	}
	size_t bytes = 0;
	for (int k = 0; k < threads; k++) {
		pthread_join(th[k], NULL);
		bytes += jobs[k].bytes;
		if (jobs[k].errors)
			fprintf(stderr, "bench_jinja: %d errors\n", jobs[k].errors);
	}
	*pbytes = bytes;
	return now() - t0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	if (n <= 0)
		n = 10000;
	struct arena a;
	arena_init(&a, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	struct jj_env *env = jj_env_new();
	jj_env_set_global(env, "ref", val_func(&a, "ref", f_ref, NULL));
	jj_env_set_global(env, "var", val_func(&a, "var", f_var, NULL));
	jj_env_set_global(env, "config", val_func(&a, "config", f_config, NULL));
	struct jj_template *mt;
	if (jj_parse(env, &a, "macros.sql", 0, macros_sql, sizeof(macros_sql) - 1, &mt, &dl)) {
		diag_print(stderr, &dl, false);
		return 1;
	}
	value macros = jj_template_macros(&a, mt, "bench");
	size_t bytes;
	bench(env, macros, n < 1000 ? n : 1000, 1, &bytes); /* warm up */
	for (int threads = 1; threads <= 2; threads++) {
		double s = bench(env, macros, n, threads, &bytes);
		printf("jinja: %d templates parsed+rendered on %d thread%s in %.3f s: %.0f templates/s "
		       "(%.1f us each, %.1f MB of output)\n",
		       n, threads, threads > 1 ? "s" : "", s, n / s, s * 1e6 / n * threads, bytes / 1e6);
	}
	jj_env_free(env);
	diag_list_release(&dl);
	arena_release(&a);
	return 0;
}
