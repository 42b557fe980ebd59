/*
 * What the three artifact writers share: null-aware constructors, dbt's timestamp format, the
 * metadata block and the final write. Writing goes through one function so that no artifact can
 * skip the secret scrub: every registered secret is replaced in the serialised text before the
 * bytes reach the disk. The JSON is written without \u escapes of non-ASCII characters (UTF-8, as
 * JSON allows) so that a secret with non-ASCII characters still matches byte for byte.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "artifacts/art_internal.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/sb.h"

value art_str(const char *s)
{
	return s ? val_str(s) : val_none();
}

value art_str_or(const char *s, const char *dflt)
{
	return val_str(s ? s : dflt);
}

value art_dict_or_new(struct arena *a, value v)
{
	return v.type == V_DICT ? v : val_dict_new(a, 0);
}

value art_list_or_new(struct arena *a, value v)
{
	return v.type == V_LIST ? v : val_list_new(a, 0);
}

double art_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void art_iso_time(double epoch, char out[32])
{
	double whole = floor(epoch);
	time_t secs = (time_t)whole;
	long usec = lround((epoch - whole) * 1e6);
	if (usec >= 1000000) {
		secs++;
		usec -= 1000000;
	}
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		memcpy(out, "1970-01-01T00:00:00.000000Z", 28);
		return;
	}
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	unsigned u = (unsigned)usec % 1000000u;
	snprintf(out + n, 32 - n, ".%06uZ", u);
}

const char *art_iso_time_dup(struct arena *a, double epoch)
{
	char buf[32];
	art_iso_time(epoch, buf);
	return arena_strdup(a, buf);
}

extern char **environ;

value art_metadata_envs(struct arena *a)
{
	static const char prefix[] = "DBT_ENV_CUSTOM_ENV_";
	value env = val_dict_new(a, 0);
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || strncmp(*e, prefix, sizeof(prefix) - 1))
			continue;
		const char *name = *e + sizeof(prefix) - 1;
		val_dict_set(env, val_str_dup(a, name, (size_t)(eq - name)), val_str(arena_strdup(a, eq + 1)));
	}
	return env;
}

value art_metadata(struct arena *a, struct project *p, const char *schema_url,
		   const struct art_invocation *inv)
{
	const char *gen = inv && inv->generated_at ? inv->generated_at : art_iso_time_dup(a, art_now());
	const char *id = inv && inv->invocation_id ? inv->invocation_id : p ? p->invocation_id : NULL;
	value m = val_dict_new(a, 12);
	val_dict_sets(m, "dbt_schema_version", val_str(schema_url));
	val_dict_sets(m, "dbt_version", val_str(ART_DBT_VERSION));
	val_dict_sets(m, "generated_at", val_str(gen));
	val_dict_sets(m, "invocation_id", art_str(id));
	val_dict_sets(m, "env", art_metadata_envs(a));
	return m;
}

int art_write_json_text(const char *path, struct sb *out, struct diag_list *dl)
{
	int rc = 0;
	/* JSON text never holds a raw NUL (it would be escaped), so the C-string scrub sees it all */
	size_t len = log_redact_n(out->buf, out->len);
	if (fs_write(path, out->buf, len) < 0) {
		diag_error(dl, LOC_NONE, "unable to write '%s': %s", path, strerror(errno));
		rc = -1;
	}
	sb_release(out);
	return rc;
}

int art_write_json(const char *path, value v, struct diag_list *dl)
{
	struct sb out = SB_INIT;
	if (val_to_json(&out, v, 0, 0) < 0) {
		diag_error(dl, LOC_NONE, "unable to serialise '%s'", path);
		sb_release(&out);
		return -1;
	}
	return art_write_json_text(path, &out, dl);
}
