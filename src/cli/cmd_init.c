/*
 * sluice init: scaffolds a new project and its profile, as `dbt init` does.
 *
 *   sluice init [NAME] [--adapter duckdb|postgres|flink] [--skip-profile-setup] [--profile NAME]
 *               [--profiles-dir DIR] [--KEY VALUE ...]
 *
 * Outside a project it writes NAME/ (dbt_project.yml, an example model folder with tests, README,
 * the empty resource folders), then a profile named NAME into profiles.yml (--profiles-dir,
 * DBT_PROFILES_DIR or ~/.dbt). Inside a project it only sets up the project's profile. The adapter
 * is the embedded DuckDB unless --adapter says otherwise. Each key of the adapter's profile is asked
 * for on a terminal (with its default); without a terminal it comes from --KEY VALUE or its
 * default, and a required key with neither is an error. A password is never written in clear when
 * it was not typed: the profile reads it from an environment variable instead.
 * It parses its own flags (like `jinja`), since the keys depend on the adapter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/fs.h"
#include "core/sb.h"
#include "core/suggest.h"
#include "value/value.h"

enum key_kind { K_STR, K_INT, K_SECRET };

struct profile_key {
	const char *name;
	enum key_kind kind;
	const char *def;    /* NULL: required; "$NAME": the project's name */
	const char *prompt; /* what the key is, for the prompt */
};

struct adapter_template {
	const char *type;
	const struct profile_key *keys;
	const char *secret_env; /* the env var a password is read from when it was not typed */
};

static const struct profile_key duckdb_keys[] = {
	{"path", K_STR, "$NAME.duckdb", "the database file, relative to the project"},
	{"schema", K_STR, "main", "the default schema"},
	{"threads", K_INT, "1", "models built at once"},
	{NULL, 0, NULL, NULL},
};

static const struct profile_key postgres_keys[] = {
	{"host", K_STR, "localhost", "the server's host name"},
	{"port", K_INT, "5432", "the server's port"},
	{"user", K_STR, NULL, "the user to connect as"},
	{"password", K_SECRET, NULL, "the user's password"},
	{"dbname", K_STR, NULL, "the database"},
	{"schema", K_STR, "public", "the default schema"},
	{"threads", K_INT, "4", "models built at once"},
	{NULL, 0, NULL, NULL},
};

static const struct profile_key flink_keys[] = {
	{"host", K_STR, "localhost", "the Flink SQL Gateway's host name"},
	{"port", K_INT, "8083", "the gateway's REST port"},
	{"catalog", K_STR, "default_catalog", "the catalog (dbt's database)"},
	{"database", K_STR, "default_database", "the database (dbt's schema)"},
	{"threads", K_INT, "1", "statements run at once"},
	{NULL, 0, NULL, NULL},
};

static const struct adapter_template templates[] = {
	{"duckdb", duckdb_keys, NULL},
	{"postgres", postgres_keys, "SLUICE_POSTGRES_PASSWORD"},
	{"flink", flink_keys, NULL},
};
#define NTEMPLATES (sizeof(templates) / sizeof(templates[0]))

#define MAX_SET 32

struct init_args {
	const char *name, *adapter, *profile, *profiles_dir;
	bool skip_profile, help;
	const char *set_keys[MAX_SET], *set_vals[MAX_SET];
	size_t nset;
};

static const char init_help[] =
	"Usage: sluice init [PROJECT_NAME] [OPTIONS]\n\n"
	"Creates a new project folder with an example model and its tests, and a profile for it in\n"
	"profiles.yml. Inside an existing project, sets up the project's profile only.\n\n"
	"Options:\n"
	"  --adapter NAME         duckdb (default: an embedded database file), postgres or flink\n"
	"  --skip-profile-setup   do not write a profile\n"
	"  --profile NAME         use this existing profile instead of writing one\n"
	"  --profiles-dir DIR     where profiles.yml is (default: DBT_PROFILES_DIR, ~/.dbt)\n"
	"  --KEY VALUE            a key of the profile (--host db.internal --port 5433 ...); on a\n"
	"                         terminal every key is asked for, with its default\n\n"
	"Keys: duckdb: path schema threads; postgres: host port user password dbname schema\n"
	"threads; flink: host port catalog database threads.\n";

static int usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "Usage: sluice init [PROJECT_NAME] [OPTIONS]\nTry 'sluice init --help' for help.\n\nError: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static int parse_args(struct init_args *ia, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			ia->help = true;
			continue;
		}
		if (!strcmp(a, "--skip-profile-setup") || !strcmp(a, "-s")) {
			ia->skip_profile = true;
			continue;
		}
		if (a[0] != '-') {
			if (ia->name)
				return usage("Got unexpected extra argument (%s)", a);
			ia->name = a;
			continue;
		}
		if (strncmp(a, "--", 2) || !a[2])
			return usage("No such option: %s", a);
		const char *eq = strchr(a, '=');
		const char *val;
		char *key;
		if (eq) {
			size_t klen = (size_t)(eq - a - 2);
			key = memcpy(xmalloc(klen + 1), a + 2, klen);
			key[klen] = '\0';
			val = eq + 1;
		} else {
			if (i + 1 >= argc)
				return usage("Option '%s' requires an argument.", a);
			key = xstrdup(a + 2);
			val = argv[++i];
		}
		const char **slot = !strcmp(key, "adapter")	 ? &ia->adapter
				    : !strcmp(key, "profile")	 ? &ia->profile
				    : !strcmp(key, "profiles-dir") ? &ia->profiles_dir
								   : NULL;
		if (slot) {
			*slot = val;
			free(key);
			continue;
		}
		if (!strcmp(key, "project-dir") || !strcmp(key, "target")) {
			free(key);
			continue; /* accepted for symmetry with other commands; init works in the current folder */
		}
		if (ia->nset >= MAX_SET) {
			free(key);
			return usage("too many profile keys%s", "");
		}
		ia->set_keys[ia->nset] = key; /* freed by init_args_release */
		ia->set_vals[ia->nset++] = val;
	}
	return 0;
}

static void init_args_release(struct init_args *ia)
{
	for (size_t i = 0; i < ia->nset; i++)
		free((char *)ia->set_keys[i]);
}

/* dbt's ProjectName: letters, digits and underscores, not starting with a digit */
static bool valid_name(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* One line from the terminal, without its newline; hidden echo for secrets. NULL at end of input. */
static char *read_line(struct arena *a, bool hidden)
{
	struct termios old, quiet;
	bool restore = false;
	if (hidden && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
	}
	char buf[1024];
	char *got = fgets(buf, sizeof(buf), stdin);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stdout);
	}
	if (!got)
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	return arena_strdup(a, buf);
}

static char *ask(struct arena *a, const char *question, const char *def, bool hidden)
{
	for (;;) {
		if (def)
			printf("%s [%s]: ", question, def);
		else
			printf("%s: ", question);
		fflush(stdout);
		char *line = read_line(a, hidden);
		if (!line)
			return NULL;
		if (*line)
			return line;
		if (def)
			return arena_strdup(a, def);
	}
}

static const char *given(const struct init_args *ia, const char *key)
{
	for (size_t i = 0; i < ia->nset; i++)
		if (!strcmp(ia->set_keys[i], key))
			return ia->set_vals[i];
	return NULL;
}

static const struct adapter_template *find_template(const char *name)
{
	for (size_t i = 0; i < NTEMPLATES; i++)
		if (!strcmp(templates[i].type, name))
			return &templates[i];
	return NULL;
}

/* The target of the profile from flags, prompts and defaults; V_NONE after an error message */
static value build_target(struct arena *a, const struct init_args *ia, const struct adapter_template *t,
			  const char *project, bool tty)
{
	value target = val_dict_new(a, 8);
	val_dict_sets(target, "type", val_str(t->type));
	for (size_t i = 0; i < ia->nset; i++) {
		bool known = false;
		for (const struct profile_key *k = t->keys; k->name; k++)
			known |= !strcmp(k->name, ia->set_keys[i]);
		if (!known) {
			const char *names[16];
			size_t n = 0;
			for (const struct profile_key *k = t->keys; k->name && n < 16; k++)
				names[n++] = k->name;
			const char *best = suggest_closest(ia->set_keys[i], names, n);
			fprintf(stderr, "Error: '--%s' is not a key of a %s profile", ia->set_keys[i], t->type);
			if (best)
				fprintf(stderr, "; did you mean '--%s'?", best);
			fputc('\n', stderr);
			return val_none();
		}
	}
	for (const struct profile_key *k = t->keys; k->name; k++) {
		const char *def = k->def && !strcmp(k->def, "$NAME.duckdb") ? arena_sprintf(a, "%s.duckdb", project) : k->def;
		const char *v = given(ia, k->name);
		bool typed = v != NULL;
		if (!v && tty) {
			v = ask(a, arena_sprintf(a, "%s (%s)", k->name, k->prompt), def, k->kind == K_SECRET);
			if (!v) {
				fprintf(stderr, "Error: no answer for '%s'\n", k->name);
				return val_none();
			}
			typed = true;
		}
		if (!v && k->kind == K_SECRET && t->secret_env) {
			/* never a clear-text password the user did not type: read it when the profile is used */
			v = arena_sprintf(a, "{{ env_var('%s') }}", t->secret_env);
		}
		if (!v)
			v = def;
		if (!v) {
			fprintf(stderr,
				"Error: a %s profile needs '%s' (%s): pass --%s VALUE, or run 'sluice init' on a terminal "
				"to be asked\n",
				t->type, k->name, k->prompt, k->name);
			return val_none();
		}
		if (k->kind == K_INT) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || end == v || n < 0) {
				fprintf(stderr, "Error: '%s' must be a non-negative integer, got '%s'\n", k->name, v);
				return val_none();
			}
			val_dict_sets(target, k->name, val_int(n));
		} else {
			val_dict_sets(target, k->name, val_str(v));
		}
		(void)typed;
	}
	return target;
}

static const char *profiles_path(struct arena *a, const struct init_args *ia)
{
	const char *dir = ia->profiles_dir;
	if (!dir || !*dir)
		dir = getenv("DBT_PROFILES_DIR");
	if (!dir || !*dir) {
		const char *home = getenv("HOME");
		dir = fs_join(a, home && *home ? home : ".", ".dbt");
	}
	return fs_join(a, dir, "profiles.yml");
}

/* Writes the profile `name`: appended as text when new (keeping the file's comments), the whole file
 * rewritten when it replaces an existing one (only after a yes on a terminal). 0, or 2 after a message. */
static int write_profile(struct arena *a, const char *path, const char *name, value target, bool tty)
{
	value profile = val_dict_new(a, 2);
	val_dict_sets(profile, "target", val_str("dev"));
	value outputs = val_dict_new(a, 1);
	val_dict_sets(outputs, "dev", target);
	val_dict_sets(profile, "outputs", outputs);
	value doc = val_dict_new(a, 1);
	val_dict_sets(doc, name, profile);

	size_t len = 0;
	char *old = fs_is_file(path) ? fs_read(a, path, &len) : NULL;
	value existing;
	struct diag_list dl;
	diag_list_init(&dl);
	if (cli_read_yaml(a, path, &existing, &dl) < 0) {
		diag_print(stderr, &dl, false);
		diag_list_release(&dl);
		fprintf(stderr, "Error: '%s' is not valid YAML; fix it, then run 'sluice init' again\n", path);
		return 2;
	}
	diag_list_release(&dl);
	struct sb out;
	sb_init(&out);
	if (existing.type == V_DICT && val_dict_gets(existing, name).type != V_UNDEF) {
		if (!tty) {
			fprintf(stderr,
				"Error: the profile '%s' already exists in %s; not overwriting it without a terminal to "
				"confirm (edit it, or pass --skip-profile-setup)\n",
				name, path);
			sb_release(&out);
			return 2;
		}
		printf("The profile %s already exists in %s. Continue and overwrite it? [y/N]: ", name, path);
		fflush(stdout);
		char *yes = read_line(a, false);
		if (!yes || (strcmp(yes, "y") && strcmp(yes, "Y") && strcmp(yes, "yes"))) {
			printf("Kept the existing profile %s.\n", name);
			sb_release(&out);
			return 0;
		}
		val_dict_sets(existing, name, profile);
		val_to_yaml(&out, existing);
	} else {
		if (old && len) {
			sb_add(&out, old, len);
			if (old[len - 1] != '\n')
				sb_addc(&out, '\n');
			sb_addc(&out, '\n');
		}
		val_to_yaml(&out, doc);
	}
	int rc = fs_write(path, out.buf, out.len);
	sb_release(&out);
	if (rc < 0) {
		fprintf(stderr, "Error: cannot write '%s': %s\n", path, strerror(errno));
		return 2;
	}
	printf("Profile %s written to %s. Run 'sluice debug' to check the connection.\n", name, path);
	return 0;
}

/* The starter project: the files of a new project, with {name} and {profile} filled in */
static const struct {
	const char *path;
	const char *text;
} starter[] = {
	{"dbt_project.yml",
	 "# The project's settings: https://docs.getdbt.com/reference/dbt_project.yml\n"
	 "name: '{name}'\n"
	 "version: '1.0.0'\n"
	 "config-version: 2\n\n"
	 "# The profile (in profiles.yml) that says which database to build in\n"
	 "profile: '{profile}'\n\n"
	 "model-paths: [\"models\"]\n"
	 "analysis-paths: [\"analyses\"]\n"
	 "test-paths: [\"tests\"]\n"
	 "seed-paths: [\"seeds\"]\n"
	 "macro-paths: [\"macros\"]\n"
	 "snapshot-paths: [\"snapshots\"]\n\n"
	 "clean-targets:\n"
	 "  - \"target\"\n"
	 "  - \"dbt_packages\"\n\n"
	 "# Configs for every model of a folder; a model's own config() wins\n"
	 "models:\n"
	 "  {name}:\n"
	 "    example:\n"
	 "      +materialized: view\n"},
	{"models/example/daily_numbers.sql",
	 "-- A first model: a table of the numbers 1 to 10 and whether each is even.\n"
	 "-- Change it, then run `sluice run` to rebuild it.\n"
	 "{{ config(materialized='table') }}\n\n"
	 "select n as number, n % 2 = 0 as is_even\n"
	 "from (values (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) as numbers (n)\n"},
	{"models/example/even_numbers.sql",
	 "-- A model built from another one: ref() makes it depend on daily_numbers.\n"
	 "select number\n"
	 "from {{ ref('daily_numbers') }}\n"
	 "where is_even\n"},
	{"models/example/schema.yml",
	 "version: 2\n\n"
	 "models:\n"
	 "  - name: daily_numbers\n"
	 "    description: \"The numbers 1 to 10, each with whether it is even\"\n"
	 "    columns:\n"
	 "      - name: number\n"
	 "        description: \"The number (the table's key)\"\n"
	 "        data_tests:\n"
	 "          - unique\n"
	 "          - not_null\n\n"
	 "  - name: even_numbers\n"
	 "    description: \"The even numbers of daily_numbers\"\n"
	 "    columns:\n"
	 "      - name: number\n"
	 "        data_tests:\n"
	 "          - unique\n"
	 "          - not_null\n"
	 "          - relationships:\n"
	 "              to: ref('daily_numbers')\n"
	 "              field: number\n"},
	{"README.md",
	 "# {name}\n\n"
	 "A dbt project, run with Sluice.\n\n"
	 "    sluice build      # build every model and run its tests\n"
	 "    sluice run        # build the models only\n"
	 "    sluice test       # run the tests\n"
	 "    sluice docs generate && sluice docs serve\n\n"
	 "Models live under `models/`, their tests and descriptions in `schema.yml` files beside them.\n"},
	{".gitignore", "target/\ndbt_packages/\nlogs/\n*.duckdb\n*.duckdb.wal\n"},
	{"analyses/.gitkeep", ""},
	{"macros/.gitkeep", ""},
	{"seeds/.gitkeep", ""},
	{"snapshots/.gitkeep", ""},
	{"tests/.gitkeep", ""},
};

static const char *fill(struct arena *a, const char *text, const char *name, const char *profile)
{
	struct sb sb;
	sb_init(&sb);
	for (const char *p = text; *p;) {
		if (!strncmp(p, "{name}", 6)) {
			sb_adds(&sb, name);
			p += 6;
		} else if (!strncmp(p, "{profile}", 9)) {
			sb_adds(&sb, profile);
			p += 9;
		} else {
			sb_addc(&sb, *p++);
		}
	}
	const char *out = sb_to_arena(&sb, a);
	sb_release(&sb);
	return out;
}

static int create_project(struct arena *a, const char *name, const char *profile)
{
	for (size_t i = 0; i < sizeof(starter) / sizeof(starter[0]); i++) {
		const char *path = fs_join(a, name, starter[i].path);
		const char *text = fill(a, starter[i].text, name, profile);
		if (fs_write(path, text, strlen(text)) < 0) {
			fprintf(stderr, "Error: cannot write '%s': %s\n", path, strerror(errno));
			return 2;
		}
	}
	printf("\nYour new project \"%s\" was created in %s/.\n", name, name);
	return 0;
}

/* The profile name of the project in the current folder or a parent, or NULL when there is none */
static const char *current_project_profile(struct arena *a, bool *pfound)
{
	*pfound = false;
	char *dir = fs_abspath(a, ".");
	for (;;) {
		const char *yml = fs_join(a, dir, "dbt_project.yml");
		if (fs_is_file(yml)) {
			*pfound = true;
			value v;
			if (cli_read_yaml(a, yml, &v, NULL) == 0 && v.type == V_DICT &&
			    val_dict_gets(v, "profile").type == V_STR)
				return val_dict_gets(v, "profile").s;
			return NULL;
		}
		if (!strcmp(dir, "/"))
			return NULL;
		dir = fs_dirname(a, dir);
	}
}

static int setup_profile(struct arena *a, const struct init_args *ia, const char *profile, const char *project,
			 bool tty)
{
	const char *adapter = ia->adapter;
	if (!adapter && tty) {
		printf("Which database would you like to use?\n");
		for (size_t i = 0; i < NTEMPLATES; i++)
			printf("[%zu] %s\n", i + 1, templates[i].type);
		for (;;) {
			char *pick = ask(a, "Enter a number", "1", false);
			if (!pick)
				return 2;
			long n = strtol(pick, NULL, 10);
			if (n >= 1 && (size_t)n <= NTEMPLATES) {
				adapter = templates[n - 1].type;
				break;
			}
			printf("Error: '%s' is not one of 1-%zu.\n", pick, NTEMPLATES);
		}
	}
	if (!adapter)
		adapter = "duckdb";
	const struct adapter_template *t = find_template(adapter);
	if (!t) {
		fprintf(stderr, "Error: no adapter '%s': use duckdb, postgres or flink\n", adapter);
		return 2;
	}
	printf("Setting up your profile.\n");
	value target = build_target(a, ia, t, project, tty);
	if (target.type != V_DICT)
		return 2;
	return write_profile(a, profiles_path(a, ia), profile, target, tty);
}

int cmd_init(int argc, char **argv)
{
	struct init_args ia = {0};
	int rc = parse_args(&ia, argc, argv);
	if (rc) {
		init_args_release(&ia);
		return rc;
	}
	if (ia.help) {
		fputs(init_help, stdout);
		init_args_release(&ia);
		return 0;
	}
	struct arena a;
	arena_init(&a, 0);
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	bool in_project;
	const char *current = current_project_profile(&a, &in_project);
	if (in_project) {
		/* inside a project: only its profile, as dbt init does */
		if (ia.profile) {
			fprintf(stderr, "Error: cannot init an existing project with --profile; edit dbt_project.yml "
					"instead\n");
			rc = 2;
		} else if (!ia.skip_profile) {
			if (!current) {
				fprintf(stderr, "Error: dbt_project.yml has no 'profile:' to set up\n");
				rc = 2;
			} else {
				rc = setup_profile(&a, &ia, current, current, tty);
			}
		}
		goto out;
	}
	const char *name = ia.name;
	while (!valid_name(name)) {
		if (name)
			fprintf(tty ? stdout : stderr, "%s is not a valid project name.\n", name);
		if (!tty) {
			if (!name)
				fprintf(stderr, "Error: name the project: sluice init NAME (letters, digits, underscores)\n");
			rc = 2;
			goto out;
		}
		name = ask(&a, "Enter a name for your project (letters, digits, underscore)", NULL, false);
		if (!name) {
			rc = 2;
			goto out;
		}
	}
	if (fs_is_dir(name) || fs_is_file(name)) {
		fprintf(stderr, "Error: a project called %s already exists here.\n", name);
		rc = 2;
		goto out;
	}
	if (ia.profile) {
		/* an existing profile: it must be there, and nothing is written to profiles.yml */
		const char *path = profiles_path(&a, &ia);
		value v;
		bool found = cli_read_yaml(&a, path, &v, NULL) == 0 && v.type == V_DICT &&
			     val_dict_gets(v, ia.profile).type != V_UNDEF;
		if (!found) {
			fprintf(stderr, "Error: could not find profile named '%s' in %s\n", ia.profile, path);
			rc = 2;
			goto out;
		}
		rc = create_project(&a, name, ia.profile);
		goto out;
	}
	rc = create_project(&a, name, name);
	if (!rc && !ia.skip_profile)
		rc = setup_profile(&a, &ia, name, name, tty);
	if (!rc)
		printf("\nNext: cd %s && sluice build\n", name);
out:
	arena_release(&a);
	init_args_release(&ia);
	return rc;
}
