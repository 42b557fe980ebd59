/*
 * Diagnostics that come from the database: jj_raise_db() marks its diagnostic from_db and keeps
 * the database's text as the message; printing heads it "Database Error: " as dbt does, and the
 * mark survives diag_list_move(). An ordinary raise is not marked, whatever its text says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/sb.h"
#include "jinja/jinja.h"

static value f_db(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud, (void)args;
	jj_raise_db(vm, "relation \"%s\" does not exist", "orders");
}

static value f_text(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud, (void)args;
	jj_raise(vm, "Database Error: only words");
}

/* renders `text` (which must fail) into dl */
static void render_fail(struct jj_env *env, struct arena *a, const char *text, struct diag_list *dl)
{
	struct arena scratch;
	arena_init(&scratch, 0);
	uint32_t file = diag_file_add("models/m.sql", text, strlen(text));
	struct jj_template *t;
	struct sb out = SB_INIT;
	assert_int_equal(jj_parse(env, a, "models/m.sql", file, text, strlen(text), &t, dl), 0);
	assert_int_not_equal(jj_render(env, t, val_none(), &scratch, NULL, &out, dl), 0);
	sb_release(&out);
	arena_release(&scratch);
}

static void test_raise_db(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	struct jj_env *env = jj_env_new();
	jj_env_set_global(env, "db", val_func(&a, "db", f_db, NULL));
	jj_env_set_global(env, "text", val_func(&a, "text", f_text, NULL));
	struct diag_list dl;
	diag_list_init(&dl);
	render_fail(env, &a, "{{ db() }}", &dl);
	render_fail(env, &a, "{{ text() }}", &dl);
	const struct diag *db = dl.head, *tx = db->next;
	assert_non_null(tx);
	assert_true(db->from_db);
	assert_string_equal(db->msg, "relation \"orders\" does not exist");
	assert_string_equal(diag_heading(db), "Database Error: ");
	assert_false(tx->from_db);
	assert_string_equal(diag_heading(tx), "");

	struct sb s = SB_INIT;
	diag_format(&s, db, false);
	assert_string_equal(s.buf, "models/m.sql:1:4: error: Database Error: relation \"orders\" does not exist\n"
				   "    1 | {{ db() }}\n"
				   "      |    ^^^^\n");
	sb_release(&s);

	/* moved to another list, the mark stays and the message is unchanged */
	struct diag_list to;
	diag_list_init(&to);
	diag_list_move(&to, &dl);
	assert_null(dl.head);
	assert_true(to.head->from_db);
	assert_false(to.head->next->from_db);
	assert_string_equal(to.head->msg, "relation \"orders\" does not exist");
	diag_list_release(&to);
	diag_list_release(&dl);
	jj_env_free(env);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raise_db),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	diag_files_release();
	return rc;
}
