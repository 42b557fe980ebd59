/*
 * Internals of the gateway double's SQL engine, shared by its files (engine.h is the public side).
 *
 *   lex.c          tokens of a Flink SQL statement (identifiers, `quoted`, 'strings', hints)
 *   parse.c        statements into the structures below; the parser's shared state in parse.h
 *   parse_ddl.c    data types, CREATE TABLE / VIEW bodies, definitions parsed from DDL text
 *   parse_expr.c   expressions: literals, names, calls, special forms, operators
 *   parse_query.c  queries: WITH, SELECT, VALUES, set operations, ORDER BY / LIMIT, FROM
 *   unparse.c      structures back to Flink SQL (SHOW CREATE, view expansion, watermark text)
 *   types.c        Flink logical types: parsing helpers, summary/serializable strings, JSON, DuckDB
 *   catalog.c      catalogs, databases, tables and views; name resolution; DDL execution
 *   show.c         SHOW / DESCRIBE / SHOW CREATE / SET results
 *   query.c        query analysis and Flink -> DuckDB SQL: SELECT, VALUES, set operations, changelog
 *                  kind, the entry points; the translator's shared state in query.h
 *   query_expr.c   type widening, column resolution, expressions
 *   query_func.c   functions, aggregates, OVER and group windows, intervals, Java date patterns
 *   query_from.c   FROM: tables and their scans, views, CTEs, window TVFs, UNNEST, joins
 *   connectors.c   connector options and their validation as Flink's factories do it
 *   conn_topic.c   the topic files of kafka / upsert-kafka: paths, merged reads, appends
 *   conn_load.c    reading sources (topics, files, datagen) into DuckDB
 *   conn_write.c   writing sinks (topics, part files, print); typed JSON of DECIMALs
 *   eval.c         running a plan on DuckDB, result encoding, changelog by prefix evaluation
 *   jobs.c         jobs, savepoints, streams, lazy refresh of running jobs
 *   infoschema.c   Confluent Cloud flavor: INFORMATION_SCHEMA views over the catalogs
 *   engine.c       the engine.h entry points: sessions, configuration, statement dispatch
 *
 * Ownership: parse results live in the arena passed to the parser. A table or view definition
 * (struct tdef) owns an arena holding everything it points to; it is built by parsing its
 * normalised DDL text (tdef->ddl), so copying a definition means parsing that text again. All
 * engine state is guarded by the engine's one mutex; internal functions assume it is held.
 */
#ifndef FLINKGW_FGI_H
#define FLINKGW_FGI_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/sb.h"
#include "core/vec.h"
#include "engine.h"

/* ---- exception classes used in causes ---- */
#define EX_VALIDATION "org.apache.flink.table.api.ValidationException"
#define EX_TABLE "org.apache.flink.table.api.TableException"
#define EX_PARSER "org.apache.flink.table.api.SqlParserException"
#define EX_CALCITE_PARSE "org.apache.calcite.sql.parser.SqlParseException"
#define EX_FLINK_PARSE "org.apache.flink.sql.parser.impl.ParseException"
#define EX_CALCITE_CTX "org.apache.calcite.runtime.CalciteContextException"
#define EX_SQL_VALIDATOR "org.apache.calcite.sql.validate.SqlValidatorException"
#define EX_CATALOG "org.apache.flink.table.catalog.exceptions.CatalogException"
#define EX_TABLE_EXISTS "org.apache.flink.table.catalog.exceptions.TableAlreadyExistException"
#define EX_TABLE_NOT_EXIST "org.apache.flink.table.catalog.exceptions.TableNotExistException"
#define EX_DB_EXISTS "org.apache.flink.table.catalog.exceptions.DatabaseAlreadyExistException"
#define EX_DB_NOT_EXIST "org.apache.flink.table.catalog.exceptions.DatabaseNotExistException"
#define EX_DB_NOT_EMPTY "org.apache.flink.table.catalog.exceptions.DatabaseNotEmptyException"
#define EX_SQL_EXEC "org.apache.flink.table.gateway.service.utils.SqlExecutionException"
#define EX_UNSUPPORTED "java.lang.UnsupportedOperationException"
#define EX_FLINK "org.apache.flink.util.FlinkException"
#define EX_RUNTIME "java.lang.RuntimeException"
#define EX_ILLEGAL_STATE "java.lang.IllegalStateException"
#define EX_EXECUTION "java.util.concurrent.ExecutionException"
#define EX_IO "java.io.IOException"
#define EX_FNF "java.io.FileNotFoundException"
#define EX_JOB_NOT_FOUND "org.apache.flink.runtime.messages.FlinkJobNotFoundException"
#define EX_JOB_EXEC "org.apache.flink.runtime.client.JobExecutionException"

/* An error: up to 4 causes, outermost first (as fg_result.causes) */
struct ferr {
	int n;
	char *cls[4];
	char *msg[4];
};
void ferr_add(struct ferr *e, const char *cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Puts a new outermost cause in front (the deepest is dropped when full) */
void ferr_wrap(struct ferr *e, const char *cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ferr_release(struct ferr *e);

/* ---- tokens ---- */
enum tok_kind { TK_EOF, TK_IDENT, TK_QIDENT, TK_STRING, TK_NUMBER, TK_OP, TK_HINT, TK_BAD };
struct token {
	enum tok_kind kind;
	const char *p;   /* raw text */
	int n;
	int off;         /* byte offset in the statement */
	int line, col;   /* 1-based */
	char *val;       /* decoded identifier / string / hint body */
};
struct lexed {
	struct token *t;
	int n;           /* tokens, the last one TK_EOF */
	const char *src;
};
/* 0, or -1 with *perr set to a parse error (an unterminated string, a bad character) */
int lex_sql(struct arena *a, const char *src, struct lexed *out, struct ferr *perr);
/* Line and column (1-based) of byte offset `off` in `src` */
void src_linecol(const char *src, int off, int *pline, int *pcol);

/* ---- Flink logical types ---- */
enum froot {
	FT_NULL, FT_BOOLEAN, FT_TINYINT, FT_SMALLINT, FT_INTEGER, FT_BIGINT, FT_FLOAT, FT_DOUBLE,
	FT_DECIMAL, FT_CHAR, FT_VARCHAR, FT_BINARY, FT_VARBINARY, FT_DATE, FT_TIME, FT_TIMESTAMP,
	FT_TIMESTAMP_LTZ, FT_TIMESTAMP_TZ, FT_INTERVAL_YM, FT_INTERVAL_DT, FT_ARRAY, FT_MULTISET,
	FT_MAP, FT_ROW, FT_RAW
};
enum tattr { TA_NONE, TA_ROWTIME, TA_PROCTIME };
struct ffield;
struct ftype {
	enum froot root;
	bool nullable;
	int len;       /* CHAR/VARCHAR/BINARY/VARBINARY length; TIME/TIMESTAMP precision; interval leading precision */
	int prec, scale; /* DECIMAL */
	int frac;      /* INTERVAL_DAY_TIME fractional precision */
	const char *resolution; /* intervals: "DAY_TO_SECOND", "YEAR_TO_MONTH", "SECOND", ... */
	enum tattr attr;
	struct ftype *elem, *key, *val;
	struct ffield *fields;
	int nfields;
};
struct ffield {
	const char *name;
	struct ftype *type;
	const char *desc;
};
#define FT_MAXLEN 2147483647
struct ftype *ft_new(struct arena *a, enum froot root);
struct ftype *ft_copy(struct arena *a, const struct ftype *t);
struct ftype *ft_with_null(struct arena *a, const struct ftype *t, bool nullable);
struct ftype *ft_string(struct arena *a, bool nullable);
bool ft_is_integer(const struct ftype *t);
bool ft_is_numeric(const struct ftype *t);
bool ft_is_string(const struct ftype *t);
bool ft_is_timestamp(const struct ftype *t);  /* TIMESTAMP or TIMESTAMP_LTZ */
/* LogicalType#asSummaryString; `nullability` appends NOT NULL; time attributes get their marker */
void ft_summary(struct sb *o, const struct ftype *t, bool nullability, bool markers);
/* LogicalType#asSerializableString (SHOW CREATE TABLE, error texts) */
void ft_serial(struct sb *o, const struct ftype *t);
/* The gateway's logicalType JSON (§6.5) */
json_t *ft_json(const struct ftype *t);
/* DuckDB type for storing values of t */
void ft_duck(struct sb *o, const struct ftype *t);
bool ft_equal(const struct ftype *a, const struct ftype *b);
/* The type of a logicalType JSON object (the inverse of ft_json, for what the encoder needs) */
struct ftype *ft_from_json(struct arena *a, const json_t *j);

/* ---- AST ---- */
struct fopt {
	const char *k, *v;
};
enum nkind {
	N_NUM, N_STR, N_BOOL, N_NULL, N_INTERVAL, N_TYPED, N_ID, N_STAR, N_FUNC, N_BIN, N_UN,
	N_IS, N_BETWEEN, N_IN, N_EXISTS, N_LIKE, N_CASE, N_CAST, N_EXTRACT, N_SUBQ, N_ITEM,
	N_ARRAY, N_MAP, N_ROW, N_DESCRIPTOR, N_TABLEARG, N_UNIT, N_TRIM, N_POSITION, N_BINSTR
};
struct query;
struct tref;
struct order {
	struct node *e;
	bool desc;
	int nulls;  /* 0 default, 1 first, 2 last */
};
struct window {
	struct node **part;
	int npart;
	struct order *ord;
	int nord;
	const char *fkind;  /* "ROWS" / "RANGE", NULL: no frame */
	int lok, hik;       /* bounds: 0 none, 1 UNBOUNDED PRECEDING, 2 n PRECEDING, 3 CURRENT ROW,
	                     * 4 n FOLLOWING, 5 UNBOUNDED FOLLOWING */
	struct node *lo, *hi;
};
struct node {
	enum nkind k;
	int pos, end;            /* byte offsets in the statement */
	const char *s;           /* number text, string value, operator, function name, typed-literal kind */
	const char **parts;      /* N_ID / N_STAR qualifier / N_DESCRIPTOR columns */
	int nparts;
	struct node **args;
	int nargs;
	struct ftype *type;      /* N_CAST target */
	bool flag;               /* NOT for IS/BETWEEN/IN/LIKE, DISTINCT for aggregates, TRY_CAST, boolean value */
	bool star;               /* COUNT(*) */
	struct query *q;         /* subquery */
	struct window *over;
	const char *unit, *unit2; /* intervals (unit2: TO unit), EXTRACT, TIMESTAMPADD units, TRIM mode */
	int uprec;               /* interval leading precision as written, -1 if none */
	struct tref *tab;        /* N_TABLEARG */
};
enum qkind { Q_SELECT, Q_SETOP, Q_VALUES };
struct sitem {
	struct node *e;
	const char *alias;
};
struct cte {
	const char *name;
	const char **cols;
	int ncols;
	struct query *q;
};
struct query {
	enum qkind k;
	int pos, end;
	struct cte *ctes;
	int nctes;
	/* select */
	bool distinct;
	struct sitem *items;
	int nitems;
	struct tref *from;
	struct node *where;
	struct node **group;
	int ngroup;
	struct node *having;
	/* set operation */
	const char *op;  /* "UNION", "INTERSECT", "EXCEPT" */
	bool all;
	struct query *l, *r;
	/* values: rows are N_ROW nodes */
	struct node **rows;
	int nrows;
	/* order / limit of this query expression */
	struct order *ord;
	int nord;
	struct node *limit, *offset;
};
enum trkind { T_TABLE, T_SUBQ, T_JOIN, T_TVF, T_UNNEST };
struct tref {
	enum trkind k;
	int pos, end;
	const char **parts;
	int nparts;
	struct fopt *hints;
	int nhints;
	struct node *systime;
	struct query *q;
	const char *alias;
	const char **acols;
	int nacols;
	const char *jtype;   /* "INNER", "LEFT", "RIGHT", "FULL", "CROSS" */
	struct tref *l, *r;
	struct node *on;
	const char **usingc;
	int nusing;
	bool natural, lateral;
	const char *fn;      /* TUMBLE, HOP, CUMULATE, SESSION */
	struct node **args;
	int nargs;
};

/* ---- table and view definitions ---- */
enum col_kind { COL_PHYS, COL_COMPUTED, COL_META };
struct fcol {
	const char *name;
	enum col_kind kind;
	struct ftype *type;     /* NULL for computed columns until resolved */
	struct node *expr;
	const char *expr_sql;   /* normalised expression text */
	const char *meta_key;   /* NULL: the column name */
	bool is_virtual;
	const char *comment;
	int pos;
};
enum obj_kind { OBJ_TABLE, OBJ_VIEW };
struct tdef {
	struct arena a;
	enum obj_kind kind;
	const char *cat, *db, *name;
	bool temporary;
	struct fcol *cols;
	int ncols;
	const char *wm_col;
	struct node *wm_expr;
	const char *wm_sql;
	int wm_pos;
	const char **pk;
	int npk;
	const char *pk_name;
	const char *comment;
	const char **part;
	int npart;
	struct fopt *opts;
	int nopts;
	struct query *vq;        /* view query (parsed from `expanded`) */
	const char *expanded;    /* view query text, names fully qualified */
	const char **vcols;      /* declared view column names */
	int nvcols;
	char *ddl;               /* the normalised definition this was parsed from (malloc) */
	const char *src;         /* text that positions refer to */
	struct mtinfo *mt;       /* a materialized table's refresh (mtable.c), or NULL; malloc'ed */
	long long created_ms;    /* when it entered its catalog (INFORMATION_SCHEMA's lag) */
	const char **dist;       /* Confluent: DISTRIBUTED BY HASH(dist) [INTO buckets BUCKETS] */
	int ndist;
	int buckets;             /* 0: not given */
	bool distributed;        /* a DISTRIBUTED clause was given (DISTRIBUTED INTO n BUCKETS has no columns) */
	const char *dist_kind;   /* HASH, RANGE or NULL (unspecified) */
};
/* What Flink's catalog keeps of a materialized table beyond its schema (CatalogMaterializedTable):
 * the definition query, freshness, refresh mode and status, and the refresh handler (job id and
 * the savepoint a suspended continuous job was stopped with) */
struct mtinfo {
	char *query;             /* the definition query, names fully qualified */
	long long fresh_n;
	const char *fresh_unit;  /* static: SECOND, MINUTE, HOUR, DAY */
	bool full;               /* refresh mode FULL (else CONTINUOUS) */
	const char *logical;     /* static: CONTINUOUS, FULL or AUTOMATIC, as declared */
	bool suspended;          /* refresh status SUSPENDED (else ACTIVATED) */
	char job_id[33];         /* the continuous refresh job */
	char *savepoint;         /* where SUSPEND stopped it, or NULL */
};
void mtinfo_free(struct mtinfo *m);
/* Parses a CREATE TABLE / CREATE VIEW text into a new definition; NULL with *perr on error */
struct tdef *tdef_from_ddl(const char *ddl, struct ferr *perr);
void tdef_free(struct tdef *t);
struct tdef *tdef_clone(const struct tdef *t);
const char *tdef_opt(const struct tdef *t, const char *k);
/* Confluent Cloud flavor: gives a table without 'connector' the options of its Kafka topic */
void tdef_confluent_defaults(const struct fg_session *s, struct tdef *d, struct arena *a);
/* Confluent Cloud flavor: whether the configuration asks for a snapshot query */
bool conf_snapshot(const struct fg_session *s, json_t *conf);
int tdef_col(const struct tdef *t, const char *name);

/* ---- statements ---- */
enum skind {
	S_QUERY, S_CREATE_TABLE, S_CREATE_VIEW, S_CREATE_CATALOG, S_CREATE_DB, S_DROP_TABLE,
	S_DROP_VIEW, S_DROP_DB, S_DROP_CATALOG, S_ALTER_RENAME, S_ALTER_SET, S_ALTER_RESET,
	S_ALTER_DB_SET, S_USE_CATALOG, S_USE_DB, S_SET, S_RESET, S_SHOW_CATALOGS, S_SHOW_DBS,
	S_SHOW_TABLES, S_SHOW_VIEWS, S_SHOW_CUR_CAT, S_SHOW_CUR_DB, S_SHOW_FUNCTIONS,
	S_SHOW_CREATE_TABLE, S_SHOW_CREATE_VIEW, S_SHOW_CREATE_CATALOG, S_DESCRIBE, S_INSERT,
	S_STMT_SET, S_BEGIN_SET, S_END, S_EXPLAIN, S_SHOW_JOBS, S_DESCRIBE_JOB, S_STOP_JOB,
	S_LOAD_MODULE, S_UNLOAD_MODULE, S_USE_MODULES, S_SHOW_MODULES, S_ADD_JAR, S_SHOW_JARS,
	S_REMOVE_JAR, S_DESCRIBE_CATALOG, S_CREATE_MT, S_DROP_MT, S_ALTER_MT, S_SHOW_CREATE_MT
};
struct stmt {
	enum skind k;
	const char *text;
	const char **name;
	int nname;
	int name_pos;
	bool temporary, if_not_exists, if_exists, cascade, is_view;
	struct tdef *def;          /* CREATE TABLE/VIEW: parsed in the statement's arena (def->a unused) */
	struct query *q;
	struct fopt *opts;
	int nopts;
	const char **keys;         /* ALTER ... RESET keys */
	int nkeys;
	const char *comment;
	const char **newname;
	int nnewname;
	const char *key, *val;     /* SET, RESET, job id, module name, jar */
	const char *like;
	bool not_like, ilike;
	const char **from;
	int nfrom;
	bool overwrite;
	const char **icols;
	int nicols;
	struct stmt **subs;
	int nsubs;
	bool savepoint, drain, user_only, full;
	int qpos;                  /* where the query begins (CTAS, CREATE VIEW) */
	struct node *freshness;    /* CREATE MATERIALIZED TABLE: FRESHNESS = <interval>, or NULL */
	const char *refresh_mode;  /* CREATE MATERIALIZED TABLE: CONTINUOUS, FULL or NULL;
	                            * ALTER MATERIALIZED TABLE: SUSPEND, RESUME or REFRESH */
	bool or_alter;             /* Confluent: CREATE OR ALTER MATERIALIZED TABLE */
	const char *start_mode;    /* Confluent: START_MODE = FROM_BEGINNING | FROM_NOW | RESUME_OR_FROM_BEGINNING */
};
/* Or'ed into parse_stmt's version: Confluent Cloud's dialect (DISTRIBUTED BY, CREATE OR ALTER
 * MATERIALIZED TABLE ... START_MODE); see mtable_cc.c */
#define FG_PARSE_CONFLUENT 0x100000
/* The version parse_stmt is given for statements of the engine's sessions */
#define FG_PARSE_VERSION(en) ((en)->version | ((en)->confluent ? FG_PARSE_CONFLUENT : 0))
/* Parses one statement (a trailing ';' allowed). version: Flink version as major*100+minor */
struct stmt *parse_stmt(struct arena *a, const char *sql, int version, struct ferr *perr);
/* A parse error in Flink's shape at token `t` */
void parse_error_at(struct ferr *e, const char *src, const struct token *t, const char *expecting);
/* Parses a data type from text ("DECIMAL(10, 2)") */
struct ftype *parse_type_text(struct arena *a, const char *s);

/* ---- unparse ---- */
void unparse_expr(struct sb *o, const struct node *n);
void unparse_query(struct sb *o, const struct query *q, int indent);
void quote_ident(struct sb *o, const char *s);
void quote_str(struct sb *o, const char *s);
/* CREATE TABLE / VIEW text in Flink's SHOW CREATE layout; mask hides sensitive option values */
void ddl_table(struct sb *o, const struct tdef *t, bool mask);
void ddl_view(struct sb *o, const struct tdef *t);
bool opt_sensitive(const char *key);

/* ---- engine state ---- */
struct fdb {
	char *name;
	char *comment;
	VEC(struct tdef *) objs;
};
struct fstore {
	char *key;          /* "jdbc|<base-url>", or NULL for in-memory */
	char *default_db;
	VEC(struct fdb *) dbs;
};
/* Forgets a store's contents, keeping the store (sessions' catalogs point at it) */
void store_clear(struct fstore *st);
struct fcatalog {
	char *name;
	char *type;
	struct fopt *opts;
	int nopts;
	struct arena a;
	struct fstore *store;
	bool persistent;
	char *comment;
};
struct job;
struct savepoint;
struct fg_engine {
	pthread_mutex_t lock;
	char *data_dir;
	char *flink_version;
	int version;        /* major*100 + minor */
	long job_run_ms;
	bool confluent;     /* fg_engine_options.confluent */
	long catalog_lag_ms; /* fg_engine_options.catalog_lag_ms */
	VEC(struct fstore *) stores;   /* persistent catalogs' contents */
	VEC(struct job *) jobs;
	VEC(struct savepoint *) savepoints;
	uint64_t rng;
	int refreshing;     /* depth of lazy job refreshes */
};
struct fg_session {
	struct fg_engine *e;
	VEC(struct fcatalog *) cats;
	char *cur_cat, *cur_db;
	json_t *props;      /* session properties */
	json_t *set;        /* SET values */
	VEC(struct tdef *) temps;
	bool in_set;
	VEC(char *) set_stmts;
	uint64_t id;
};

/* the effective configuration: defaults + session properties + SET + exec (may be NULL) */
json_t *sess_conf(struct fg_session *s, json_t *exec);
const char *conf_str(json_t *conf, const char *k);
bool conf_batch(json_t *conf);
int engine_version(const char *v);
uint64_t engine_rand(struct fg_engine *e);

/* ---- catalog.c ---- */
struct fcatalog *cat_find(struct fg_session *s, const char *name);
struct fdb *db_find(struct fcatalog *c, const char *name);
struct fcatalog *cat_new(struct fg_session *s, const char *name, const struct fopt *opts, int nopts,
	const char *comment, struct ferr *e);
void cat_free(struct fcatalog *c);
void store_free(struct fstore *st);
struct fstore *store_new(const char *key, const char *default_db);
/* Qualifies a 1-3 part name against the current catalog and database (strings in arena a) */
void qualify(struct fg_session *s, struct arena *a, const char *const *parts, int n, const char **pc,
	const char **pd, const char **pn);
/* A table or view by full name: temporary first; NULL if none */
struct tdef *obj_lookup(struct fg_session *s, const char *c, const char *d, const char *n, bool *ptemp);
/* Executes a DDL statement; fills out with OK on success */
int exec_ddl(struct fg_session *s, struct stmt *st, struct fg_result *out, struct ferr *e);
/* Adds a definition to its catalog (used by CREATE and CTAS) */
int cat_add_table(struct fg_session *s, struct tdef *t, bool if_not_exists, struct ferr *e);
/* Removes a permanent object from its catalog and frees it; 0, or -1 when there is none */
int cat_remove(struct fg_session *s, const char *c, const char *d, const char *n);
void ident_summary(struct sb *o, const char *c, const char *d, const char *n);   /* c.d.n */
void ident_serial(struct sb *o, const char *c, const char *d, const char *n);    /* `c`.`d`.`n` */

/* ---- results ---- */
void res_ok(struct fg_result *r);
json_t *col_json(const char *name, const struct ftype *t);
json_t *row_json(const char *kind, json_t *fields);
void res_columns(struct fg_result *r, int n, const char *const *names, struct ftype *const *types);
/* A result with STRING columns; rows added with res_row_strs */
void res_str_columns(struct fg_result *r, int n, const char *const *names);
void res_row_strs(struct fg_result *r, int n, const char *const *vals);
int exec_show(struct fg_session *s, struct stmt *st, struct fg_result *out, struct ferr *e);

/* ---- query.c: analysis and translation ---- */
struct scan {
	struct tdef *t;           /* owned copy */
	struct fopt *opts;        /* effective options (table + hints), in the plan arena */
	int nopts;
	char dname[16];           /* DuckDB relation: "__s<N>" */
	bool bounded;
	const char *ident;        /* c.d.t summary */
	const char *srckey;       /* "topic:<t>" / "path:<p>" / "datagen:<ident>" */
	long long start_ms;       /* startup.mode latest-offset: records from here */
	long long skip_offset;    /* restored from a savepoint: offsets below are consumed */
};
struct outcol {
	const char *name;
	struct ftype *type;       /* NULL: from DuckDB's result type */
};
struct plan {
	struct arena a;
	char *sql;                /* DuckDB query */
	struct outcol *cols;
	int ncols;
	VEC(struct scan *) scans;
	bool updating;
	int *keys;                /* output columns forming the upsert key; nkeys -1 = none known */
	int nkeys;
	char *node_desc;          /* planner node that produces updates (for the sink error) */
	bool batch;
	bool has_wm;              /* windows close by watermark (streaming, unbounded) */
	char *tz;                 /* table.local-time-zone */
	bool bounded;             /* every scan bounded */
	long long limit;          /* a top-level LIMIT n without ORDER BY: the query ends with n rows; -1 */
};
struct tctx;
/* Plans a query of session s: validates names, collects scans, translates to DuckDB */
struct plan *plan_query(struct fg_session *s, struct query *q, const char *src, json_t *conf, struct ferr *e);
void plan_free(struct plan *p);
/* Output schema of a query (names + types) for DESCRIBE of views and CTAS; types may be NULL */
int query_schema(struct fg_session *s, struct query *q, const char *src, struct arena *a,
	struct outcol **pcols, int *pn, struct ferr *e);
/* Validates computed column ci of t as Flink does at CREATE TABLE (unknown columns, functions) */
int computed_check(struct fg_session *s, struct tdef *t, int ci, const char *src, struct ferr *e);
/* Type of computed column ci of t (NULL if it cannot be derived) */
struct ftype *computed_type(struct fg_session *s, struct tdef *t, int ci, struct arena *a);
/* Fully qualified copy of a query's text for view storage */
int expand_query(struct fg_session *s, struct query *q, const char *src, struct sb *out, struct ferr *e);

/* ---- mtable_cc.c: Confluent Cloud's dialect ---- */
/* Whether a table option is one Confluent adds to Flink's (changelog.mode, kafka.*) */
bool cc_only_option(const char *key);
/* Confluent's checks of a table about to be created: connector, options, DISTRIBUTED BY */
int cc_table_check(const struct tdef *d, struct ferr *e);
/* Removes the files of a table's topic: what jobs wrote, and with records its own records */
void cc_topic_remove(struct fg_engine *en, const struct tdef *t, bool records);
/* CREATE [OR ALTER] MATERIALIZED TABLE on Confluent Cloud */
int cc_create_mt(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e);
/* The statement's sql.tables.scan.startup.mode (§11), NULL when not set; checked (NULL, e filled) */
const char *cc_startup_mode(json_t *conf, struct ferr *e);

/* ---- connectors.c: options and validation ---- */
enum conn_kind { CN_UNKNOWN, CN_KAFKA, CN_UPSERT_KAFKA, CN_FILESYSTEM, CN_DATAGEN, CN_BLACKHOLE, CN_PRINT };
enum conn_kind conn_kind(const char *connector);
/* Validates a table used as source (sink=false) or sink; ident is c.d.t */
int conn_validate(const struct tdef *t, const struct fopt *opts, int nopts, bool sink, const char *ident,
	int version, struct ferr *e);
bool conn_bounded(const struct tdef *t, const struct fopt *opts, int nopts);
/* the table's source produces UPDATE/DELETE rows (upsert-kafka, CDC formats) */
bool conn_changelog(const struct fopt *opts, int nopts);
const char *fopt_get(const struct fopt *o, int n, const char *k);
/* Whether name is one of the ';'-separated fields of a key.fields option (false if list is NULL) */
bool conn_field_in_list(const char *list, const char *name);

/* ---- conn_load.c: reading sources into DuckDB ---- */
struct duck;
struct seqrec {
	long long ts;
	const char *srckey;
	long long idx;
	int scan;
	long long rowid;
};
typedef VEC(struct seqrec) seqvec;
/* Replaces the rows of DuckDB table <dname>_raw with the scan's current records (their
 * "__fg_seq" set to the row number) and adds one seqrec per row for the global ordering */
int conn_load(struct fg_engine *e, struct duck *d, struct scan *sc, const char *tz, int scan_index,
	seqvec *seq, struct ferr *err);
/* A scan's source identity ("topic:<t>", "path:<abs>", "gen:<table>"), computed once */
const char *conn_scan_key(struct scan *sc);

/* ---- conn_write.c: sinks ---- */
/* A sink's identity for lazy refresh: "topic:<t>", "path:<abs>", or NULL */
char *conn_sink_key(struct fg_engine *e, const struct tdef *t);
/* Writes changes (rows of Flink JSON values in sink column order) into the sink */
int conn_write(struct fg_engine *e, const struct tdef *t, const char *job_id, json_t *changes,
	struct ftype **types, int ntypes, bool overwrite, struct ferr *err);
/* Writes v as compact JSON, DECIMAL values at their scale when t says so */
void json_dump_typed(struct sb *o, json_t *v, const struct ftype *t);

/* ---- conn_topic.c: topic files ---- */
/* <data>/topics/<topic>.jsonl, or with job: the file that job writes to the topic (malloc) */
char *topic_path(struct fg_engine *e, const char *topic, const char *job);
/* Every record of a topic (its own file and the jobs' files) in offset order, "offset" set */
json_t *topic_records(struct fg_engine *e, const char *topic);
int topic_append(struct fg_engine *e, const char *topic, json_t *records, char **perr);

/* ---- eval.c ---- */
struct duck *duck_open(const char *tz, struct ferr *e);
void duck_close(struct duck *d);
int duck_exec(struct duck *d, const char *sql, struct ferr *e);
/* 0 if DuckDB can prepare sql, else -1 with its message in e */
int duck_check(struct duck *d, const char *sql, struct ferr *e);
/* epoch ms as the gateway shows a TIMESTAMP_LTZ(3) in zone tz ("…T…Z", shifted) */
json_t *ltz_json(long long ms, const char *tz);
/* epoch ms as the gateway shows TIMESTAMP_LTZ in the DuckDB's time zone */
json_t *duck_ltz_text(struct duck *d, long long ms);
/* The Flink type of the single column of query sql (mapped from DuckDB's type) */
struct ftype *duck_type_of(struct duck *d, const char *sql, struct arena *a);
/* Streaming evaluation state of a plan (owned by a job) */
struct pipeline {
	struct plan *plan;
	struct duck *duck;
	json_t *emitted;     /* append-only: object row-text -> count */
	json_t *last;        /* updating: array of rows of the last prefix */
	long long done;      /* input records processed */
	long long nemitted;  /* rows handed out (append-only plans) */
	bool drain;          /* STOP JOB ... WITH DRAIN: the watermark goes to +infinity */
	long long started_ms;
	bool finished;
	json_t *types_json;  /* resolved output column types (for encoding) */
	struct ftype **types;
	int ntypes;
	struct arena a;
};
struct pipeline *pipeline_new(struct plan *p);
void pipeline_free(struct pipeline *pl);
/* Evaluates the plan on the current data; appends new changes ({"kind","fields"}) to out.
 * full: the final result only (batch) */
int pipeline_advance(struct fg_engine *e, struct pipeline *pl, json_t *out, struct ferr *err);
/* Resolves the output types (DuckDB's where Flink's are unknown); errors of DuckDB's binder as
 * Flink validation errors against src */
int pipeline_prepare(struct pipeline *pl, const char *src, struct ferr *e);
/* Column JSON (name, logicalType, comment) once the output types are known */
json_t *pipeline_columns(struct pipeline *pl);
void diag_duck_error(struct ferr *e, const char *src, const char *msg);

/* ---- jobs.c ---- */
enum job_status { JOB_RUNNING, JOB_FINISHED, JOB_FAILED, JOB_CANCELED };
struct job {
	char id[33];
	char *name;
	enum job_status status;
	long long start_ms, finish_at;
	char *statement;
	char *sink;            /* c.d.t[,…] */
	char *savepoint;
	char *restored_from;
	char *failure;
	bool is_query;
	uint64_t session;      /* for queries: the session that runs them */
	struct pipeline *pl;   /* NULL once the job stopped */
	VEC(struct tdef *) sinks;   /* owned copies, parallel to the statement set's inserts */
	VEC(struct pipeline *) extra; /* further inserts of a statement set */
	VEC(char *) sink_keys;
	bool overwrite;
	bool written;          /* the sinks got their first write (INSERT OVERWRITE clears them then) */
	bool refreshing_now;   /* guards against a job reading its own sink */
};
struct fg_stream {
	struct fg_engine *e;
	char job_id[33];
};
struct savepoint {
	char *path;          /* "file:/dir/savepoint-…" */
	char *sql;           /* the plan it was taken from */
	json_t *emitted, *last;
	long long done;
	json_t *offsets;     /* srckey -> records consumed */
};
const char *job_status_name(enum job_status s);
struct job *job_find(struct fg_engine *e, const char *id);
void job_update(struct fg_engine *e, struct job *j);
void job_stop_pipelines(struct job *j);
void job_free(struct job *j);
void savepoint_free(struct savepoint *sp);
/* Runs INSERT / statement set / CTAS: plans, checks the sink, creates the job */
int exec_modify(struct fg_session *s, struct stmt **ins, int nins, json_t *conf, const char *text,
	struct fg_result *out, struct ferr *e);
int exec_select(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e);
int exec_jobs_stmt(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e);
int exec_explain(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e);
/* Brings running jobs writing to sink key `key` up to date (before that sink is read) */
void jobs_refresh(struct fg_engine *e, const char *key);
void jobs_cancel_session(struct fg_engine *e, uint64_t session);
/* Stops a RUNNING job with a savepoint in dir (its path, owned by the job), or NULL with e filled */
const char *job_stop_with_savepoint(struct fg_engine *en, struct job *j, const char *dir, struct ferr *e);

/* ---- infoschema.c: INFORMATION_SCHEMA (Confluent Cloud flavor) ---- */
/* Fails a query on INFORMATION_SCHEMA views that uses what Confluent refuses there (JOIN, CASE,
 * DISTINCT); 0 for any other query */
int infoschema_check(struct fg_session *s, struct query *q, struct ferr *e);

/* ---- mtable.c: materialized tables (Flink 1.20+) ---- */
/* A materialized table's columns from its query's (query_schema): physical, of the query's types
 * without their attributes, a NULL type as STRING and CHAR as VARCHAR; allocated in a */
void mt_set_columns(struct tdef *d, struct arena *a, const struct outcol *cols, int n);
int exec_mt(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e);

#endif
