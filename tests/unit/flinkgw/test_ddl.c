/*
 * The engine's catalogs and DDL: CREATE/DROP/ALTER of tables, views, databases and catalogs, the
 * SHOW / DESCRIBE / SHOW CREATE outputs in Flink's layout (the expected texts follow the
 * gateway's own table.q and view.q), catalogs per session and shared persistent catalogs,
 * SET/RESET, configure-session, and the exact classes and messages of Flink's errors.
 */
#include "fgtest.h"

#define ORDERS_DDL \
	"CREATE TABLE IF NOT EXISTS orders (\n `user` BIGINT NOT NULl,\n product VARCHAR(32),\n amount INT,\n" \
	" ts TIMESTAMP(3),\n ptime AS PROCTIME(),\n PRIMARY KEY(`user`) NOT ENFORCED,\n" \
	" WATERMARK FOR ts AS ts - INTERVAL '1' SECONDS\n) with (\n 'connector' = 'datagen'\n)"

static void test_show_create_and_describe(void **state)
{
	struct fx *f = *state;
	run_ok(f, ORDERS_DDL);
	expect_rows(f, "show tables", "+I[\"orders\"]");
	char *ddl = cell(f, "show create table orders");
	assert_string_equal(ddl,
		"CREATE TABLE `default_catalog`.`default_database`.`orders` (\n"
		"  `user` BIGINT NOT NULL,\n"
		"  `product` VARCHAR(32),\n"
		"  `amount` INT,\n"
		"  `ts` TIMESTAMP(3),\n"
		"  `ptime` AS PROCTIME(),\n"
		"  WATERMARK FOR `ts` AS `ts` - INTERVAL '1' SECOND,\n"
		"  CONSTRAINT `PK_user` PRIMARY KEY (`user`) NOT ENFORCED\n"
		")\n"
		"WITH (\n"
		"  'connector' = 'datagen'\n"
		")\n");
	free(ddl);
	expect_rows(f, "describe orders",
		"+I[\"user\",\"BIGINT\",false,\"PRI(user)\",\"\",\"\"]|"
		"+I[\"product\",\"VARCHAR(32)\",true,\"\",\"\",\"\"]|"
		"+I[\"amount\",\"INT\",true,\"\",\"\",\"\"]|"
		"+I[\"ts\",\"TIMESTAMP(3) *ROWTIME*\",true,\"\",\"\",\"`ts` - INTERVAL '1' SECOND\"]|"
		"+I[\"ptime\",\"TIMESTAMP_LTZ(3) *PROCTIME*\",false,\"\",\"AS PROCTIME()\",\"\"]");
	expect_rows(f, "show columns from orders like '%r'", "+I[\"user\",\"BIGINT\",false,\"PRI(user)\",\"\",\"\"]");
	expect_rows(f, "show columns in orders not like '%u%'",
		"+I[\"ts\",\"TIMESTAMP(3) *ROWTIME*\",true,\"\",\"\",\"`ts` - INTERVAL '1' SECOND\"]|"
		"+I[\"ptime\",\"TIMESTAMP_LTZ(3) *PROCTIME*\",false,\"\",\"AS PROCTIME()\",\"\"]");
	/* the null column is a BOOLEAN, the others STRING; no comment column without comments */
	char *cols = columns_of(f, "desc orders");
	assert_string_equal(cols,
		"[{\"name\":\"name\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
		"{\"name\":\"type\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
		"{\"name\":\"null\",\"logicalType\":{\"type\":\"BOOLEAN\",\"nullable\":true},\"comment\":null},"
		"{\"name\":\"key\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
		"{\"name\":\"extras\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
		"{\"name\":\"watermark\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null}]");
	free(cols);
	/* IF NOT EXISTS on an existing table is fine; without it Flink's two-level error */
	run_ok(f, ORDERS_DDL);
	expect_error(f, "CREATE TABLE orders (a INT) WITH ('connector'='datagen')", 0,
		"org.apache.flink.table.api.ValidationException",
		"Could not execute CreateTable in path `default_catalog`.`default_database`.`orders`");
	expect_error(f, "CREATE TABLE orders (a INT) WITH ('connector'='datagen')", 1,
		"org.apache.flink.table.catalog.exceptions.TableAlreadyExistException",
		"Table (or view) default_database.orders already exists in Catalog default_catalog.");
}

static void test_metadata_comments_partitions(void **state)
{
	struct fx *f = *state;
	run_ok(f, "CREATE TABLE k (id BIGINT COMMENT 'the id', name STRING, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', "
		"off BIGINT METADATA FROM 'offset' VIRTUAL, part STRING, CONSTRAINT pk PRIMARY KEY (id, part) NOT ENFORCED) "
		"COMMENT 'kafka orders' PARTITIONED BY (part) WITH ('connector'='kafka','topic'='t',"
		"'properties.bootstrap.servers'='b:9092','format'='json','properties.sasl.jaas.config'='secret stuff')");
	char *ddl = cell(f, "SHOW CREATE TABLE k");
	assert_string_equal(ddl,
		"CREATE TABLE `default_catalog`.`default_database`.`k` (\n"
		"  `id` BIGINT NOT NULL COMMENT 'the id',\n"
		"  `name` VARCHAR(2147483647),\n"
		"  `ts` TIMESTAMP(3) WITH LOCAL TIME ZONE METADATA FROM 'timestamp',\n"
		"  `off` BIGINT METADATA FROM 'offset' VIRTUAL,\n"
		"  `part` VARCHAR(2147483647) NOT NULL,\n"
		"  CONSTRAINT `pk` PRIMARY KEY (`id`, `part`) NOT ENFORCED\n"
		")\n"
		"COMMENT 'kafka orders'\n"
		"PARTITIONED BY (`part`)\n"
		"WITH (\n"
		"  'connector' = 'kafka',\n"
		"  'format' = 'json',\n"
		"  'properties.bootstrap.servers' = 'b:9092',\n"
		"  'properties.sasl.jaas.config' = '****',\n"
		"  'topic' = 't'\n"
		")\n");
	free(ddl);
	/* a comment column appears once some column has a comment */
	expect_rows(f, "DESCRIBE k",
		"+I[\"id\",\"BIGINT\",false,\"PRI(id, part)\",\"\",\"\",\"the id\"]|"
		"+I[\"name\",\"STRING\",true,\"\",\"\",\"\",null]|"
		"+I[\"ts\",\"TIMESTAMP_LTZ(3)\",true,\"\",\"METADATA FROM 'timestamp'\",\"\",null]|"
		"+I[\"off\",\"BIGINT\",true,\"\",\"METADATA FROM 'offset' VIRTUAL\",\"\",null]|"
		"+I[\"part\",\"STRING\",false,\"PRI(id, part)\",\"\",\"\",null]");
}

static void test_views(void **state)
{
	struct fx *f = *state;
	run_ok(f, ORDERS_DDL);
	run_ok(f, "create temporary view v1 as select * from orders");
	expect_error(f, "create temporary view v1 as select * from orders", 0,
		"org.apache.flink.table.api.ValidationException",
		"Temporary table '`default_catalog`.`default_database`.`v1`' already exists");
	run_ok(f, "create temporary view if not exists v1 as select * from orders");
	expect_error(f, "select * from v1 /*+ OPTIONS('number-of-rows' = '1') */", 0,
		"org.apache.flink.table.api.ValidationException",
		"View '`default_catalog`.`default_database`.`v1`' cannot be enriched with new options. Hints can only be "
		"applied to tables.");
	char *v = cell(f, "show create view v1");
	assert_string_equal(v,
		"CREATE TEMPORARY VIEW `default_catalog`.`default_database`.`v1` (\n"
		"  `user`,\n  `product`,\n  `amount`,\n  `ts`,\n  `ptime`\n"
		")\n"
		"AS SELECT *\n"
		"FROM `default_catalog`.`default_database`.`orders`\n");
	free(v);
	run_ok(f, "create view v1 as select * from orders");
	expect_error(f, "create view v1 as select * from orders", 1,
		"org.apache.flink.table.catalog.exceptions.TableAlreadyExistException",
		"Table (or view) default_database.v1 already exists in Catalog default_catalog.");
	expect_rows(f, "show views", "+I[\"v1\"]");
	expect_rows(f, "show tables", "+I[\"orders\"]|+I[\"v1\"]");
	expect_rows(f, "describe v1",
		"+I[\"user\",\"BIGINT\",false,\"\",\"\",\"\"]|"
		"+I[\"product\",\"VARCHAR(32)\",true,\"\",\"\",\"\"]|"
		"+I[\"amount\",\"INT\",true,\"\",\"\",\"\"]|"
		"+I[\"ts\",\"TIMESTAMP(3) *ROWTIME*\",true,\"\",\"\",\"\"]|"
		"+I[\"ptime\",\"TIMESTAMP_LTZ(3) *PROCTIME*\",false,\"\",\"\",\"\"]");
	expect_error(f, "show create table v1", 0, "org.apache.flink.table.api.TableException",
		"SHOW CREATE TABLE is only supported for tables, but `default_catalog`.`default_database`.`v1` is a view. "
		"Please use SHOW CREATE VIEW instead.");
	expect_error(f, "show create view orders", 0, "org.apache.flink.table.api.TableException",
		"SHOW CREATE VIEW is only supported for views, but `default_catalog`.`default_database`.`orders` is a table. "
		"Please use SHOW CREATE TABLE instead.");
	expect_error(f, "drop view v1", 0, "org.apache.flink.table.api.ValidationException",
		"Temporary view with identifier '`default_catalog`.`default_database`.`v1`' exists. Drop it first before "
		"removing the permanent view.");
	run_ok(f, "drop temporary view v1");
	run_ok(f, "drop view v1");
	expect_error(f, "drop view non_exist", 0, "org.apache.flink.table.api.ValidationException",
		"View with identifier 'default_catalog.default_database.non_exist' does not exist.");
	run_ok(f, "drop view if exists non_exist");
	/* a view's names are qualified when it is created: USE elsewhere does not change it */
	run_ok(f, "create view v2 (u, p) as select `user`, product from orders where amount > 10");
	char *v2 = cell(f, "show create view v2");
	assert_string_equal(v2,
		"CREATE VIEW `default_catalog`.`default_database`.`v2` (\n  `u`,\n  `p`\n)\n"
		"AS SELECT `user`, `product`\nFROM `default_catalog`.`default_database`.`orders`\nWHERE `amount` > 10\n");
	free(v2);
	run_ok(f, "create database other");
	run_ok(f, "use other");
	expect_rows(f, "show tables", "");
	expect_rows(f, "show tables from default_database like 'v%'", "+I[\"v2\"]");
	run_ok(f, "describe default_database.v2");
}

static void test_not_found_errors(void **state)
{
	struct fx *f = *state;
	expect_error(f, "drop table non_exist", 0, "org.apache.flink.table.api.ValidationException",
		"Table with identifier 'default_catalog.default_database.non_exist' does not exist.");
	expect_error(f, "describe non_exist", 0, "org.apache.flink.table.api.ValidationException",
		"Tables or views with the identifier 'default_catalog.default_database.non_exist' doesn't exist.");
	expect_error(f, "alter table non_exist rename to non_exist2", 0, "org.apache.flink.table.api.ValidationException",
		"Table `default_catalog`.`default_database`.`non_exist` doesn't exist or is a temporary table.");
	expect_error(f, "SELECT * FROM no_such_table", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 15 to line 1, column 27: Object 'no_such_table' not found");
	expect_error(f, "SELECT * FROM no_such_table", 1, "org.apache.calcite.runtime.CalciteContextException",
		"From line 1, column 15 to line 1, column 27: Object 'no_such_table' not found");
	expect_error(f, "SELECT * FROM no_such_table", 2, "org.apache.calcite.sql.validate.SqlValidatorException",
		"Object 'no_such_table' not found");
	expect_error(f, "SELECT *\nFROM default_database.nope", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 2, column 6 to line 2, column 26: Object 'nope' not found within "
		"'default_catalog.default_database'");
	expect_error(f, "drop temporary table t1", 0, "org.apache.flink.table.api.ValidationException",
		"Temporary table with identifier '`default_catalog`.`default_database`.`t1`' does not exist.");
	expect_error(f, "use non_existing_db", 0, "org.apache.flink.table.catalog.exceptions.CatalogException",
		"A database with name [non_existing_db] does not exist in the catalog: [default_catalog].");
	expect_error(f, "use catalog non_existing_catalog", 0, "org.apache.flink.table.catalog.exceptions.CatalogException",
		"A catalog with name [non_existing_catalog] does not exist.");
	expect_error(f, "create database my.db", 0, "org.apache.flink.table.api.ValidationException",
		"Catalog my does not exist");
	/* identifiers are case-sensitive */
	run_ok(f, "CREATE TABLE `Mixed` (a INT) WITH ('connector'='datagen','number-of-rows'='1')");
	expect_error(f, "SELECT * FROM mixed", 2, "org.apache.calcite.sql.validate.SqlValidatorException",
		"Object 'mixed' not found");
	expect_error(f, "SELECT b FROM `Mixed`", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 8 to line 1, column 8: Column 'b' not found in any table");
}

static void test_parse_errors(void **state)
{
	struct fx *f = *state;
	struct fg_result r;
	fg_execute(f->s, "create catalog invalid.cat with ('type'='generic_in_memory')", NULL, &r);
	assert_false(r.ok);
	assert_string_equal(r.causes[0].cls, "org.apache.flink.table.api.SqlParserException");
	/* as Flink's catalog_database.q has it */
	assert_string_equal(r.causes[0].msg, "SQL parse failed. Encountered \".\" at line 1, column 23.\n"
		"Was expecting one of:\n    <EOF> \n    \"WITH\" ...\n    \";\" ...");
	assert_string_equal(r.causes[2].msg, "Encountered \".\" at line 1, column 23.\n"
		"Was expecting one of:\n    <EOF> \n    \"WITH\" ...\n    \";\" ...");
	assert_string_equal(r.causes[r.ncauses - 1].cls, "org.apache.flink.sql.parser.impl.ParseException");
	fg_result_release(&r);
	fg_execute(f->s, "SELECT a,\n  b FORM t", NULL, &r);
	assert_false(r.ok);
	assert_true(strstr(r.causes[0].msg, "Encountered \"t\" at line 2, column 10.") != NULL);
	fg_result_release(&r);
	fg_execute(f->s, "SHOW CREATE TABLE", NULL, &r);
	assert_false(r.ok);
	assert_string_equal(r.causes[0].msg, "SQL parse failed. Encountered \"<EOF>\" at line 1, column 18.\n"
		"Was expecting one of:\n    <IDENTIFIER> ...\n    <QUOTED_IDENTIFIER> ...");
	fg_result_release(&r);
	fg_execute(f->s, "USE CATALOG", NULL, &r);
	assert_false(r.ok);
	fg_result_release(&r);
	fg_execute(f->s, "SELECT 1 +", NULL, &r);
	assert_false(r.ok);
	assert_true(strstr(r.causes[0].msg, "Encountered \"<EOF>\" at line 1, column 11.") != NULL);
	fg_result_release(&r);
	expect_error(f, "CREATE OR REPLACE VIEW v AS SELECT 1", 0, "org.apache.flink.table.api.SqlParserException",
		"SQL parse failed. Encountered \"OR\" at line 1, column 8.\nWas expecting one of:\n    \"TABLE\" ...\n"
		"    \"VIEW\" ...\n    \"TEMPORARY\" ...\n    \"CATALOG\" ...\n    \"DATABASE\" ...");
	expect_error(f, "SELECT 1; SELECT 2", 0, "java.lang.UnsupportedOperationException",
		"Unsupported SQL statement! Execute statement only accepts a single SQL statement or multiple 'INSERT INTO' "
		"statements wrapped in a 'STATEMENT SET' block.");
	expect_error(f, "SELECT 'unterminated", 0, "org.apache.flink.table.api.SqlParserException",
		"SQL parse failed. Lexical error: Encountered: <EOF> after : \"\" at line 1, column 8.");
	/* reserved words must be quoted */
	fg_execute(f->s, "CREATE TABLE t (user STRING) WITH ('connector'='datagen')", NULL, &r);
	assert_false(r.ok);
	assert_true(strstr(r.causes[0].msg, "Encountered \"user\" at line 1, column 17.") != NULL);
	fg_result_release(&r);
	run_ok(f, "SELECT 1;");
}

static void test_schema_validation(void **state)
{
	struct fx *f = *state;
	expect_error(f, "CREATE TABLE w (a BIGINT, WATERMARK FOR a AS a) WITH ('connector'='datagen')", 0,
		"org.apache.flink.table.api.ValidationException",
		"Invalid data type of time field for watermark definition. The field must be of type TIMESTAMP(p) or "
		"TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the time field type is BIGINT");
	expect_error(f, "CREATE TABLE w (a TIMESTAMP(6), WATERMARK FOR a AS a) WITH ('connector'='datagen')", 0,
		"org.apache.flink.table.api.ValidationException",
		"Invalid data type of time field for watermark definition. The field must be of type TIMESTAMP(p) or "
		"TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the time field type is TIMESTAMP(6)");
	expect_error(f, "CREATE TABLE w (a INT, WATERMARK FOR x AS x) WITH ('connector'='datagen')", 0,
		"org.apache.flink.table.api.ValidationException",
		"Invalid column name 'x' for rowtime attribute in watermark declaration. Available columns are: [a]");
	expect_error(f, "CREATE TABLE w (a INT, b INT, a STRING) WITH ('connector'='datagen')", 0,
		"org.apache.flink.table.api.ValidationException",
		"Schema must not contain duplicate column names. Found duplicates: [a]");
	expect_error(f, "CREATE TABLE w (a INT, PRIMARY KEY (z) NOT ENFORCED) WITH ('connector'='datagen')", 0,
		"org.apache.flink.table.api.ValidationException", "Invalid primary key 'PK_z'. Column 'z' does not exist.");
	expect_error(f, "CREATE TABLE w (a INT, PRIMARY KEY (a)) WITH ('connector'='datagen')", 0,
		"org.apache.flink.table.api.ValidationException",
		"Flink doesn't support ENFORCED mode for PRIMARY KEY constraint. ENFORCED/NOT ENFORCED controls if the "
		"constraint checks are performed on the incoming/outgoing data. Flink does not own the data therefore the "
		"only supported mode is the NOT ENFORCED mode");
	/* computed columns are validated (Flink's table.q: b AS invalid_function()) */
	expect_error(f, "create table tbl(a int, b as invalid_function())", 2,
		"org.apache.calcite.sql.validate.SqlValidatorException", "No match found for function signature "
		"invalid_function(<ANY>)");
	expect_error(f, "create table tbl(a int, b as c + 1)", 0, "org.apache.flink.table.api.ValidationException",
		"SQL validation failed. From line 1, column 30 to line 1, column 30: Column 'c' not found in any table");
	run_ok(f, "create table tbl(a int, b as a * 2) with ('connector'='datagen')");
	expect_rows(f, "describe tbl", "+I[\"a\",\"INT\",true,\"\",\"\",\"\"]|+I[\"b\",\"INT\",true,\"\",\"AS `a` * 2\",\"\"]");
	/* a computed rowtime works; its type comes from the expression */
	run_ok(f, "CREATE TABLE w (ms BIGINT, ts AS TO_TIMESTAMP_LTZ(ms, 3), WATERMARK FOR ts AS ts) WITH ('connector'='datagen')");
	expect_rows(f, "DESCRIBE w",
		"+I[\"ms\",\"BIGINT\",true,\"\",\"\",\"\"]|"
		"+I[\"ts\",\"TIMESTAMP_LTZ(3) *ROWTIME*\",true,\"\",\"AS TO_TIMESTAMP_LTZ(`ms`, 3)\",\"`ts`\"]");
}

static void test_connector_errors(void **state)
{
	struct fx *f = *state;
	/* options are checked when a table is used, as in Flink */
	run_ok(f, "CREATE TABLE bad (a INT) WITH ('connector'='nope')");
	expect_error(f, "SELECT * FROM bad", 0, "org.apache.flink.table.api.ValidationException",
		"Unable to create a source for reading table 'default_catalog.default_database.bad'.\n\n"
		"Table options are:\n\n'connector'='nope'");
	expect_error(f, "SELECT * FROM bad", 1, "org.apache.flink.table.api.ValidationException",
		"Cannot discover a connector using option: 'connector'='nope'");
	expect_error(f, "SELECT * FROM bad", 2, "org.apache.flink.table.api.ValidationException",
		"Could not find any factory for identifier 'nope' that implements "
		"'org.apache.flink.table.factories.DynamicTableFactory' in the classpath.\n\nAvailable factory identifiers "
		"are:\n\nblackhole\ndatagen\nfilesystem\nkafka\nprint\nupsert-kafka");
	run_ok(f, "CREATE TABLE k (a INT) WITH ('connector'='kafka','topic'='t','format'='json','password'='hunter2')");
	expect_error(f, "SELECT * FROM k", 0, "org.apache.flink.table.api.ValidationException",
		"Unable to create a source for reading table 'default_catalog.default_database.k'.\n\nTable options are:\n\n"
		"'connector'='kafka'\n'format'='json'\n'password'='******'\n'topic'='t'");
	expect_error(f, "SELECT * FROM k", 1, "org.apache.flink.table.api.ValidationException",
		"One or more required options are missing.\n\nMissing required options are:\n\nproperties.bootstrap.servers");
	run_ok(f, "CREATE TABLE k2 (a INT) WITH ('connector'='kafka','topic'='t','format'='json',"
		"'properties.bootstrap.servers'='b:1','foo'='bar')");
	expect_error(f, "SELECT * FROM k2", 1, "org.apache.flink.table.api.ValidationException",
		"Unsupported options found for 'kafka'.\n\nUnsupported options:\n\nfoo\n\nSupported options:\n\nconnector\n"
		"format\njson.decode.json-parser.enabled\njson.encode.decimal-as-plain-number\njson.encode.ignore-null-fields\n"
		"json.fail-on-missing-field\njson.ignore-parse-errors\njson.map-null-key.literal\njson.map-null-key.mode\n"
		"json.timestamp-format.standard\nkey.fields\nkey.fields-prefix\nkey.format\nproperties.bootstrap.servers\n"
		"properties.group.id\nscan.bounded.mode\nscan.bounded.specific-offsets\nscan.bounded.timestamp-millis\n"
		"scan.parallelism\nscan.startup.mode\nscan.startup.specific-offsets\nscan.startup.timestamp-millis\n"
		"scan.topic-partition-discovery.interval\nsink.delivery-guarantee\nsink.parallelism\nsink.partitioner\n"
		"sink.semantic\nsink.transaction-naming-strategy\nsink.transactional-id-prefix\ntopic\ntopic-pattern\n"
		"value.fields-include\nvalue.format");
	run_ok(f, "CREATE TABLE k3 (a INT) WITH ('connector'='kafka','properties.bootstrap.servers'='b:1')");
	expect_error(f, "SELECT * FROM k3", 1, "org.apache.flink.table.api.ValidationException",
		"Could not find required scan format 'value.format'.");
	run_ok(f, "CREATE TABLE k4 (a INT) WITH ('connector'='kafka','properties.bootstrap.servers'='b:1','format'='json')");
	expect_error(f, "SELECT * FROM k4", 1, "org.apache.flink.table.api.ValidationException",
		"Either 'topic' or 'topic-pattern' must be set.");
	run_ok(f, "CREATE TABLE u (a INT, b INT) WITH ('connector'='upsert-kafka','topic'='u','properties.bootstrap.servers'='b:1',"
		"'key.format'='json','value.format'='json')");
	expect_error(f, "SELECT * FROM u", 1, "org.apache.flink.table.api.ValidationException",
		"'upsert-kafka' tables require to define a PRIMARY KEY constraint. The PRIMARY KEY specifies which columns "
		"should be read from or write to the Kafka message key. The PRIMARY KEY also defines records in the "
		"'upsert-kafka' table should update or delete on which keys.");
	run_ok(f, "CREATE TABLE bh (a INT) WITH ('connector'='blackhole')");
	expect_error(f, "SELECT * FROM bh", 1, "org.apache.flink.table.api.ValidationException",
		"Connector 'blackhole' can only be used as a sink. It cannot be used as a source.");
	run_ok(f, "CREATE TABLE dg (a INT) WITH ('connector'='datagen','number-of-rows'='2','scan.startup.mode'='x')");
	expect_error(f, "SELECT * FROM dg", 1, "org.apache.flink.table.api.ValidationException",
		"Unsupported options found for 'datagen'.\n\nUnsupported options:\n\nscan.startup.mode\n\nSupported options:\n\n"
		"connector\nfields.a.kind\nfields.a.max\nfields.a.min\nfields.a.null-rate\nnumber-of-rows\nrows-per-second");
	expect_error(f, "INSERT INTO dg SELECT 1", 1, "org.apache.flink.table.api.ValidationException",
		"Connector 'datagen' can only be used as a source. It cannot be used as a sink.");
}

static void test_catalogs_and_databases(void **state)
{
	struct fx *f = *state;
	run_ok(f, "create catalog c1 with ('type'='generic_in_memory')");
	expect_rows(f, "show catalogs", "+I[\"c1\"]|+I[\"default_catalog\"]");
	expect_rows(f, "show current catalog", "+I[\"default_catalog\"]");
	run_ok(f, "use catalog c1");
	expect_rows(f, "show current catalog", "+I[\"c1\"]");
	expect_rows(f, "show current database", "+I[\"default\"]");
	run_ok(f, "create database db1");
	run_ok(f, "create database if not exists db1");
	expect_error(f, "create database db1", 1, "org.apache.flink.table.catalog.exceptions.DatabaseAlreadyExistException",
		"Database db1 already exists in Catalog c1.");
	expect_rows(f, "show databases", "+I[\"db1\"]|+I[\"default\"]");
	run_ok(f, "create table c1.db1.t (a int) with ('connector'='datagen')");
	run_ok(f, "create table `default`.t5 (a int) with ('connector'='datagen')");
	expect_rows(f, "show tables from db1", "+I[\"t\"]");
	expect_rows(f, "show tables in c1.`default`", "+I[\"t5\"]");
	expect_error(f, "drop database db1", 0, "org.apache.flink.table.api.ValidationException",
		"Could not execute DROP DATABASE c1.db1 RESTRICT");
	expect_error(f, "drop database db1", 1, "org.apache.flink.table.catalog.exceptions.DatabaseNotEmptyException",
		"Database db1 in catalog c1 is not empty.");
	expect_error(f, "drop database `default`", 0, "org.apache.flink.table.api.ValidationException",
		"Cannot drop a database which is currently in use.");
	run_ok(f, "drop database db1 cascade");
	run_ok(f, "drop database if exists db1");
	expect_error(f, "drop database db1", 1, "org.apache.flink.table.catalog.exceptions.DatabaseNotExistException",
		"Database db1 does not exist in Catalog c1.");
	expect_error(f, "create table nodb.t (a int) with ('connector'='datagen')", 1,
		"org.apache.flink.table.catalog.exceptions.DatabaseNotExistException", "Database nodb does not exist in Catalog c1.");
	expect_error(f, "drop catalog c1", 1, "org.apache.flink.table.catalog.exceptions.CatalogException",
		"Cannot drop a catalog which is currently in use.");
	run_ok(f, "use catalog default_catalog");
	run_ok(f, "drop catalog c1");
	expect_rows(f, "show catalogs", "+I[\"default_catalog\"]");
	run_ok(f, "drop catalog if exists c1");
	expect_error(f, "create catalog c2 with ('type'='nope')", 2, "org.apache.flink.table.api.ValidationException",
		"Could not find any factory for identifier 'nope' that implements "
		"'org.apache.flink.table.factories.CatalogFactory' in the classpath.\n\nAvailable factory identifiers are:\n\n"
		"generic_in_memory\nhive\njdbc\npaimon");
	expect_error(f, "create catalog pg with ('type'='jdbc','base-url'='jdbc:postgresql://h:5432','password'='s3cret')", 2,
		"org.apache.flink.table.api.ValidationException",
		"One or more required options are missing.\n\nMissing required options are:\n\ndefault-database\nusername");
	/* no secret in any of the messages */
	struct fg_result r;
	fg_execute(f->s, "create catalog pg with ('type'='jdbc','base-url'='jdbc:postgresql://h:5432','password'='s3cret')",
		NULL, &r);
	for (int i = 0; i < r.ncauses; i++)
		assert_null(strstr(r.causes[i].msg, "s3cret"));
	fg_result_release(&r);
	char *cc;
	run_ok(f, "create catalog cm comment 'mine' with ('type'='generic_in_memory')");
	cc = cell(f, "show create catalog cm");
	assert_string_equal(cc, "CREATE CATALOG `cm`\nCOMMENT 'mine'\nWITH (\n  'type' = 'generic_in_memory'\n)\n");
	free(cc);
}

static void test_sessions_are_isolated(void **state)
{
	struct fx *f = *state;
	struct fg_session *b = fg_session_new(f->e, NULL);
	run_ok(f, "CREATE TABLE mine (a INT) WITH ('connector'='datagen','number-of-rows'='1')");
	expect_error_in(b, "SELECT * FROM mine", 2, "org.apache.calcite.sql.validate.SqlValidatorException",
		"Object 'mine' not found");
	expect_rows_in(b, "SHOW TABLES", "");
	/* an in-memory catalog of the same name in another session is another catalog */
	run_ok(f, "CREATE CATALOG mem WITH ('type'='generic_in_memory')");
	run_ok(f, "CREATE TABLE mem.`default`.t (a INT) WITH ('connector'='datagen')");
	run_ok_in(b, "CREATE CATALOG mem WITH ('type'='generic_in_memory')");
	expect_rows_in(b, "SHOW TABLES FROM mem.`default`", "");
	/* a persistent catalog is shared by every session that creates it with the same identity */
	run_ok(f, "CREATE CATALOG pg WITH ('type'='jdbc','base-url'='jdbc:postgresql://db:5432','default-database'='app',"
		"'username'='u','password'='p')");
	run_ok(f, "CREATE TABLE pg.app.customers (id INT, name STRING) WITH ('connector'='datagen','number-of-rows'='2')");
	run_ok(f, "CREATE VIEW pg.app.names AS SELECT name FROM pg.app.customers");
	run_ok_in(b, "CREATE CATALOG pg WITH ('type'='jdbc','base-url'='jdbc:postgresql://db:5432','default-database'='app',"
		"'username'='u','password'='p')");
	run_ok_in(b, "USE CATALOG pg");
	expect_rows_in(b, "SHOW CURRENT DATABASE", "+I[\"app\"]");
	expect_rows_in(b, "SHOW TABLES", "+I[\"customers\"]|+I[\"names\"]");
	run_ok_in(b, "SELECT * FROM names");
	/* a different base-url is another metastore */
	run_ok_in(b, "CREATE CATALOG pg2 WITH ('type'='jdbc','base-url'='jdbc:postgresql://other:5432',"
		"'default-database'='app','username'='u','password'='p')");
	expect_rows_in(b, "SHOW TABLES FROM pg2.app", "");
	/* it outlives the sessions */
	fg_session_free(b);
	fg_session_free(f->s);
	f->s = fg_session_new(f->e, NULL);
	run_ok(f, "CREATE CATALOG hv WITH ('type'='hive','hive-conf-dir'='/etc/hive')");
	run_ok(f, "CREATE TABLE hv.`default`.h (a INT) WITH ('connector'='datagen')");
	run_ok(f, "CREATE CATALOG pg WITH ('type'='jdbc','base-url'='jdbc:postgresql://db:5432','default-database'='app',"
		"'username'='u','password'='p')");
	expect_rows(f, "SHOW TABLES FROM pg.app", "+I[\"customers\"]|+I[\"names\"]");
	char *cc = cell(f, "SHOW CREATE CATALOG pg");
	assert_null(strstr(cc, "'p'"));
	assert_non_null(strstr(cc, "'password' = '****'"));
	free(cc);
	/* fg_engine_reset forgets the metastores, also under catalogs of open sessions */
	fg_engine_reset(f->e);
	expect_rows(f, "SHOW TABLES FROM pg.app", "");
	run_ok(f, "CREATE TABLE pg.app.again (a INT) WITH ('connector'='datagen')");
	fg_session_free(f->s);
	f->s = fg_session_new(f->e, NULL);
	run_ok(f, "CREATE CATALOG pg WITH ('type'='jdbc','base-url'='jdbc:postgresql://db:5432','default-database'='app',"
		"'username'='u','password'='p')");
	expect_rows(f, "SHOW TABLES FROM pg.app", "+I[\"again\"]");
	fg_engine_reset(f->e);
	expect_rows(f, "SHOW TABLES FROM pg.app", "");
}

static void test_temporary_shadowing(void **state)
{
	struct fx *f = *state;
	run_ok(f, "CREATE TABLE t (a INT) WITH ('connector'='datagen','number-of-rows'='1','fields.a.min'='1','fields.a.max'='1')");
	run_ok(f, "CREATE TEMPORARY TABLE t (b STRING) WITH ('connector'='datagen','number-of-rows'='1','fields.b.length'='3')");
	char *cols = columns_of(f, "SELECT * FROM t");
	assert_non_null(strstr(cols, "\"name\":\"b\""));
	free(cols);
	char *ddl = cell(f, "SHOW CREATE TABLE t");
	assert_true(!strncmp(ddl, "CREATE TEMPORARY TABLE `default_catalog`.`default_database`.`t` (\n  `b` VARCHAR(2147483647)\n",
		strlen("CREATE TEMPORARY TABLE `default_catalog`.`default_database`.`t` (\n  `b` VARCHAR(2147483647)\n")));
	free(ddl);
	expect_rows(f, "SHOW TABLES", "+I[\"t\"]");
	expect_error(f, "DROP TABLE t", 0, "org.apache.flink.table.api.ValidationException",
		"Temporary table with identifier '`default_catalog`.`default_database`.`t`' exists. Drop it first before "
		"removing the permanent table.");
	run_ok(f, "DROP TEMPORARY TABLE t");
	expect_rows(f, "SELECT * FROM t", "+I[1]");
	run_ok(f, "DROP TABLE t");
	expect_rows(f, "SHOW TABLES", "");
}

static void test_alter(void **state)
{
	struct fx *f = *state;
	run_ok(f, ORDERS_DDL);
	run_ok(f, "alter table orders rename to orders2");
	expect_rows(f, "show tables", "+I[\"orders2\"]");
	run_ok(f, "alter table orders2 set ('connector' = 'kafka', 'scan.startup.mode' = 'earliest-offset')");
	char *ddl = cell(f, "show create table orders2");
	assert_non_null(strstr(ddl, ") NOT ENFORCED\n)\nWITH (\n  'connector' = 'kafka',\n  'scan.startup.mode' = 'earliest-offset'\n)\n"));
	free(ddl);
	run_ok(f, "alter table orders2 set ('connector' = 'datagen')");
	expect_error(f, "select * from orders2", 1, "org.apache.flink.table.api.ValidationException",
		"Unsupported options found for 'datagen'.\n\nUnsupported options:\n\nscan.startup.mode\n\nSupported options:\n\n"
		"connector\nfields.amount.kind\nfields.amount.max\nfields.amount.min\nfields.amount.null-rate\n"
		"fields.product.kind\nfields.product.length\nfields.product.null-rate\nfields.product.var-len\n"
		"fields.ts.kind\nfields.ts.max-past\nfields.ts.null-rate\nfields.user.kind\nfields.user.max\n"
		"fields.user.min\nfields.user.null-rate\nnumber-of-rows\nrows-per-second");
	run_ok(f, "alter table orders2 reset ('scan.startup.mode')");
	expect_error(f, "alter table orders2 reset ()", 0, "org.apache.flink.table.api.ValidationException",
		"ALTER TABLE RESET does not support empty key");
	ddl = cell(f, "show create table orders2");
	assert_non_null(strstr(ddl, "WITH (\n  'connector' = 'datagen'\n)\n"));
	free(ddl);
	run_ok(f, "create view vv as select 1");
	run_ok(f, "alter view vv rename to vv2");
	expect_rows(f, "show views", "+I[\"vv2\"]");
}

static void test_set_reset_configure(void **state)
{
	struct fx *f = *state;
	fg_session_free(f->s);
	json_t *props = json_pack("{s:s,s:i}", "table.local-time-zone", "UTC", "parallelism.default", 4);
	f->s = fg_session_new(f->e, props);
	json_decref(props);
	run_ok(f, "SET 'pipeline.name' = ' my-job '");
	json_t *conf = fg_session_config(f->s);
	assert_string_equal(json_string_value(json_object_get(conf, "pipeline.name")), "my-job");
	assert_string_equal(json_string_value(json_object_get(conf, "parallelism.default")), "4");
	assert_string_equal(json_string_value(json_object_get(conf, "table.local-time-zone")), "UTC");
	json_decref(conf);
	/* SET lists every key, sorted */
	struct fg_result r;
	fg_execute(f->s, "SET", NULL, &r);
	assert_true(r.ok);
	assert_string_equal(r.result_kind, "SUCCESS_WITH_CONTENT");
	const char *prev = "";
	bool seen = false;
	for (size_t i = 0; i < json_array_size(r.rows); i++) {
		json_t *fs = json_object_get(json_array_get(r.rows, i), "fields");
		const char *k = json_string_value(json_array_get(fs, 0));
		assert_true(strcmp(prev, k) < 0);
		prev = k;
		if (!strcmp(k, "pipeline.name")) {
			assert_string_equal(json_string_value(json_array_get(fs, 1)), "my-job");
			seen = true;
		}
	}
	assert_true(seen);
	fg_result_release(&r);
	fg_execute(f->s, "SET 'a.b' = 'c'", NULL, &r);
	assert_string_equal(r.result_kind, "SUCCESS");
	assert_false(r.is_query);
	assert_string_equal(r.job_id, "");
	fg_result_release(&r);
	run_ok(f, "RESET 'pipeline.name'");
	conf = fg_session_config(f->s);
	assert_null(json_object_get(conf, "pipeline.name"));
	assert_non_null(json_object_get(conf, "a.b"));
	json_decref(conf);
	run_ok(f, "RESET");
	conf = fg_session_config(f->s);
	assert_null(json_object_get(conf, "a.b"));
	assert_null(json_object_get(conf, "parallelism.default") ? json_object_get(conf, "nope") : NULL);
	json_decref(conf);
	/* configure-session: only SET, RESET, DDL, USE, modules, jars */
	fg_configure(f->s, "CREATE TABLE cfg (a INT) WITH ('connector'='datagen')", &r);
	assert_true(r.ok);
	fg_result_release(&r);
	expect_rows(f, "SHOW TABLES", "+I[\"cfg\"]");
	fg_configure(f->s, "SET 'x' = 'y'", &r);
	assert_true(r.ok);
	fg_result_release(&r);
	fg_configure(f->s, "SELECT 1", &r);
	assert_false(r.ok);
	assert_string_equal(r.causes[0].cls, "java.lang.UnsupportedOperationException");
	assert_string_equal(r.causes[0].msg, "Unsupported statement for configuring session:SELECT 1\nThe configureSession "
		"API only supports to execute statement of type CREATE TABLE, DROP TABLE, ALTER TABLE, CREATE DATABASE, DROP "
		"DATABASE, ALTER DATABASE, CREATE FUNCTION, DROP FUNCTION, ALTER FUNCTION, CREATE CATALOG, DROP CATALOG, USE "
		"CATALOG, USE [CATALOG.]DATABASE, CREATE VIEW, DROP VIEW, LOAD MODULE, UNLOAD MODULE, USE MODULE, ADD JAR.");
	fg_result_release(&r);
	fg_configure(f->s, "INSERT INTO cfg SELECT 1", &r);
	assert_false(r.ok);
	fg_result_release(&r);
	fg_configure(f->s, "DROP TABLE nope", &r);
	assert_false(r.ok);
	assert_string_equal(r.causes[0].msg, "Table with identifier 'default_catalog.default_database.nope' does not exist.");
	fg_result_release(&r);
	expect_rows(f, "SHOW MODULES", "+I[\"core\"]");
	run_ok(f, "LOAD MODULE hive");
	expect_error(f, "REMOVE JAR '/x.jar'", 0, "java.lang.UnsupportedOperationException",
		"SQL Gateway doesn't support REMOVE JAR syntax now.");
}

static void test_result_shapes(void **state)
{
	struct fx *f = *state;
	struct fg_result r;
	fg_execute(f->s, "CREATE TABLE s (a INT) WITH ('connector'='datagen')", NULL, &r);
	assert_true(r.ok);
	assert_false(r.is_query);
	assert_string_equal(r.result_kind, "SUCCESS");
	char *c = json_dumps(r.columns, JSON_COMPACT), *rows = json_dumps(r.rows, JSON_COMPACT);
	assert_string_equal(c, "[{\"name\":\"result\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,"
		"\"length\":2147483647},\"comment\":null}]");
	assert_string_equal(rows, "[{\"kind\":\"INSERT\",\"fields\":[\"OK\"]}]");
	free(c);
	free(rows);
	assert_null(r.stream);
	assert_false(r.wait_for_job);
	fg_result_release(&r);
	fg_execute(f->s, "SHOW TABLES", NULL, &r);
	assert_string_equal(r.result_kind, "SUCCESS_WITH_CONTENT");
	assert_false(r.is_query);
	fg_result_release(&r);
	expect_rows(f, "SHOW FUNCTIONS LIKE 'TUMBLE%'", "+I[\"TUMBLE\"]|+I[\"TUMBLE_END\"]|+I[\"TUMBLE_START\"]");
	expect_rows(f, "SHOW USER FUNCTIONS", "");
}

/* The clauses CREATE TABLE, CREATE MATERIALIZED TABLE, CREATE VIEW, CREATE DATABASE and CREATE
 * CATALOG share: IF NOT EXISTS, a name of at most 3 parts, COMMENT, PARTITIONED BY, WITH, and the
 * errors of each */
static void test_shared_create_clauses(void **state)
{
	struct fx *f = *state;
	run_ok(f, "CREATE DATABASE IF NOT EXISTS d2 COMMENT 'two' WITH ('k'='v')");
	run_ok(f, "CREATE DATABASE IF NOT EXISTS d2");
	run_ok(f, "CREATE CATALOG IF NOT EXISTS c2 COMMENT 'cat' WITH ('type'='generic_in_memory')");
	run_ok(f, "CREATE VIEW IF NOT EXISTS v2 COMMENT 'view' AS SELECT 1 AS x");
	run_ok(f, "CREATE TABLE IF NOT EXISTS t2 (a INT COMMENT 'col', b STRING) COMMENT 'tbl' PARTITIONED BY (b) "
		  "WITH ('connector'='datagen')");
	char *ddl = cell(f, "SHOW CREATE TABLE t2");
	assert_string_equal(ddl,
		"CREATE TABLE `default_catalog`.`default_database`.`t2` (\n"
		"  `a` INT COMMENT 'col',\n"
		"  `b` VARCHAR(2147483647)\n"
		")\n"
		"COMMENT 'tbl'\n"
		"PARTITIONED BY (`b`)\n"
		"WITH (\n"
		"  'connector' = 'datagen'\n"
		")\n");
	free(ddl);
	const char *parse = "org.apache.flink.table.api.SqlParserException";
	const char *valid = "org.apache.flink.table.api.ValidationException";
	expect_error(f, "CREATE TABLE IF EXISTS t3 (a INT)", 0, parse,
		"SQL parse failed. Encountered \"EXISTS\" at line 1, column 17.\nWas expecting:\n    \"NOT\" ...");
	expect_error(f, "CREATE VIEW IF NOT v3 AS SELECT 1", 0, parse,
		"SQL parse failed. Encountered \"v3\" at line 1, column 20.\nWas expecting:\n    \"EXISTS\" ...");
	expect_error(f, "CREATE TABLE a.b.c.d (x INT) WITH ('connector'='datagen')", 0, valid,
		"Object identifier can have at most 3 parts");
	expect_error(f, "CREATE MATERIALIZED TABLE a.b.c.d FRESHNESS = INTERVAL '1' MINUTE AS SELECT 1", 0, valid,
		"Object identifier can have at most 3 parts");
	expect_error(f, "CREATE TABLE t3 (a INT) COMMENT 'x' DISTRIBUTED BY (a) WITH ('connector'='datagen')", 0, parse,
		"SQL parse failed. Encountered \"DISTRIBUTED\" at line 1, column 37.");
	expect_error(f, "CREATE MATERIALIZED TABLE m3 COMMENT 'x' DISTRIBUTED BY (a) AS SELECT 1", 0, parse,
		"SQL parse failed. Encountered \"DISTRIBUTED\" at line 1, column 42.\nWas expecting:\n    \"FRESHNESS\" ...");
	expect_error(f, "CREATE TABLE t3 (a INT) COMMENT 5 WITH ('connector'='datagen')", 0, parse,
		"SQL parse failed. Encountered \"5\" at line 1, column 33.\nWas expecting:\n    <QUOTED_STRING> ...");
	expect_error(f, "CREATE DATABASE d3 WITH 'k'", 0, parse,
		"SQL parse failed. Encountered \"'k'\" at line 1, column 25.\nWas expecting:\n    \"(\" ...");
	expect_error(f, "CREATE TABLE t3 (a INT) PARTITIONED (a) WITH ('connector'='datagen')", 0, parse,
		"SQL parse failed. Encountered \"(\" at line 1, column 37.\nWas expecting:\n    \"BY\" ...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_show_create_and_describe, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_metadata_comments_partitions, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_views, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_not_found_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_shared_create_clauses, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_schema_validation, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_connector_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_catalogs_and_databases, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_sessions_are_isolated, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_temporary_shadowing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_alter, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_reset_configure, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_result_shapes, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
