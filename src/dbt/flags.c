/*
 * The command's flags as the `flags` context variable knows them from the start: the CLI records
 * them before the project loads, so models and macros rendered while parsing (config() calls,
 * descriptions, hooks' Jinja) already see flags.WHICH, FULL_REFRESH and the rest, as in dbt.
 * One command runs per process, so a process-wide record is enough.
 *
 * Templates see `flags` as an object whose attributes are the dict's entries, as dbt's flags are
 * a namespace, not a mapping. Reading one is noted: a load that read no flag gives the same nodes
 * whatever the command and its options, so its snapshot may serve every command (cli/parse_cache.c).
 */
#include "dbt/internal.h"

static struct dbt_flags preset = {.which = ""};
/* set by any read of an attribute since the preset; parsing threads read concurrently */
static int flags_read;

void dbt_flags_preset(const struct dbt_flags *f)
{
	preset = *f;
	if (!preset.which)
		preset.which = "";
	__atomic_store_n(&flags_read, 0, __ATOMIC_RELAXED);
}

bool dbt_flags_were_read(void)
{
	return __atomic_load_n(&flags_read, __ATOMIC_RELAXED) != 0;
}

static value flags_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	(void)vm;
	__atomic_store_n(&flags_read, 1, __ATOMIC_RELAXED);
	value *d = o->data;
	return val_dict_getn(*d, name, n);
}

static void flags_str(struct vobj *o, struct sb *out)
{
	value *d = o->data;
	val_repr_to(out, *d);
}

static const struct vobj_class flags_class = {
	.name = "Namespace",
	.getattr = flags_getattr,
	.str = flags_str,
};

value dbt_flags_object(struct arena *a, value flags)
{
	value *d = arena_alloc(a, sizeof(*d));
	*d = flags;
	return val_obj(a, &flags_class, d);
}

bool dbt_flags_empty(void)
{
	return preset.empty;
}

bool dbt_flags_defer(bool *pfavor_state)
{
	*pfavor_state = preset.favor_state;
	return preset.defer;
}

void dbt_flags_install(value flags)
{
	val_dict_sets(flags, "WHICH", val_str(preset.which));
	val_dict_sets(flags, "FULL_REFRESH", val_bool(preset.full_refresh));
	val_dict_sets(flags, "FAIL_FAST", val_bool(preset.fail_fast));
	val_dict_sets(flags, "STORE_FAILURES", val_bool(preset.store_failures));
	val_dict_sets(flags, "WARN_ERROR", val_bool(false));
	val_dict_sets(flags, "DEBUG", val_bool(preset.debug));
	val_dict_sets(flags, "EMPTY", val_bool(preset.empty));
	val_dict_sets(flags, "DEFER", val_bool(preset.defer));
	val_dict_sets(flags, "FAVOR_STATE", val_bool(preset.favor_state));
	val_dict_sets(flags, "PARTIAL_PARSE", val_bool(false));
	val_dict_sets(flags, "USE_COLORS", val_bool(false));
	val_dict_sets(flags, "SEND_ANONYMOUS_USAGE_STATS", val_bool(false));
	val_dict_sets(flags, "INDIRECT_SELECTION", val_str("eager"));
	val_dict_sets(flags, "LOG_FORMAT", val_str(preset.log_format ? preset.log_format : "default"));
	if (preset.threads > 0)
		val_dict_sets(flags, "THREADS", val_int(preset.threads));
	else
		val_dict_sets(flags, "THREADS", val_none());
}
