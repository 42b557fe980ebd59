/*
 * The Jinja lexer, parser and renderer: any template, rendered with a small context (a string, a
 * list, a dict, a number) so that filters, loops and attribute lookups have something to chew on.
 * Diagnostics are formatted as the CLI prints them (line, column, caret).
 */
#include <string.h>

#include "core/diag.h"
#include "core/sb.h"
#include "fuzz.h"
#include "jinja/jinja.h"
#include "value/value.h"

static struct jj_env *env;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!env) {
		env = jj_env_new();  /* read-only during renders: shared by every input */
		/* the limits' code paths at 1/16 of the defaults: an input that grows its output to the
		 * limit (joins of joins) then takes a fraction of a second, not seconds per execution */
		jj_env_set_limits(env, (size_t)16 << 20, (size_t)16 << 20);
	}
	struct arena a, scratch;
	arena_init(&a, 0);
	arena_init(&scratch, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	char *text = arena_alloc(&a, size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	uint32_t file = diag_file_add("fuzz.sql", text, size);
	struct jj_template *t = NULL;
	if (jj_parse(env, &a, "fuzz.sql", file, text, size, &t, &dl) == 0) {
		value ctx = val_dict_new(&scratch, 4);
		value list = val_list_new(&scratch, 3);
		val_list_push(list, val_int(1));
		val_list_push(list, val_str("two"));
		val_list_push(list, val_float(3.5));
		value d = val_dict_new(&scratch, 2);
		val_dict_sets(d, "k", val_str("v"));
		val_dict_sets(d, "n", val_none());
		val_dict_sets(ctx, "s", val_str("text"));
		val_dict_sets(ctx, "l", list);
		val_dict_sets(ctx, "d", d);
		val_dict_sets(ctx, "n", val_int(7));
		struct sb out = SB_INIT;
		if (jj_render(env, t, ctx, &scratch, NULL, &out, &dl) < 0)
			sb_reset(&out);  /* the error is in dl */
		sb_release(&out);
	}
	struct sb msg = SB_INIT;
	for (const struct diag *dg = dl.head; dg; dg = dg->next)
		diag_format(&msg, dg, false);
	sb_release(&msg);
	diag_list_release(&dl);
	arena_release(&scratch);
	arena_release(&a);
	diag_files_release();
	return 0;
}
