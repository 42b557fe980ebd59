/*
 * The YAML loader of project and properties files: any document, then the typed getters the
 * loader uses on its top-level keys, with their diagnostics formatted (line, column, caret)
 */
#include <string.h>

#include "core/diag.h"
#include "core/sb.h"
#include "fuzz.h"
#include "project/yml.h"
#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	char *text = arena_alloc(&a, size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	uint32_t file = diag_file_add("fuzz.yml", text, size);
	value v;
	if (val_from_yaml(&a, file, text, size, &v, &dl) == 0 && v.type == V_DICT) {
		const char *s;
		long n;
		bool b;
		value l;
		(void)yml_str(v, "name", NULL, &s, &dl);
		(void)yml_int(v, "threads", 1, &n, &dl);
		(void)yml_bool(v, "enabled", true, &b, &dl);
		(void)yml_dict(v, "models", &l, &dl);
		(void)yml_list(v, "models", false, &l, &dl);
		if (l.type == V_LIST)
			for (size_t i = 0; i < l.l->len; i++)
				(void)yml_item_loc(l, i);
		(void)yml_str_or_list(&a, v, "tags", &l, &dl);
		(void)yml_list(v, "model-paths", true, &l, &dl);
		struct sb out = SB_INIT;
		val_to_yaml(&out, v);
		(void)val_to_json(&out, v, 2, VJSON_SORT_KEYS);
		sb_release(&out);
	}
	struct sb msg = SB_INIT;
	for (const struct diag *d = dl.head; d; d = d->next)
		diag_format(&msg, d, false);
	sb_release(&msg);
	diag_list_release(&dl);
	arena_release(&a);
	diag_files_release();
	return 0;
}
