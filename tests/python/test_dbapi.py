"""sluice_flink against the Flink SQL Gateway double: PEP 249 (module globals, connect, cursors,
description and type objects, fetches, parameters, errors), exact values of every type, and the
streaming extensions (rows as they arrive, changelog rows, snapshot cursors, statement
properties), with pandas.read_sql over a snapshot query."""
import datetime
import decimal
import json
import os
import threading
import time
import unittest
import warnings

import sluice_flink as db
from gateway import Gateway
from leakcheck import blocks_grown

GW = None

ORDERS = [
    {'order_id': 1, 'customer_id': 1, 'amount': '10.50', 'ts': '2024-05-01 10:00:00'},
    {'order_id': 2, 'customer_id': 2, 'amount': '20.00', 'ts': '2024-05-01 10:01:00'},
    {'order_id': 3, 'customer_id': 1, 'amount': '30.25', 'ts': '2024-05-01 10:02:00'},
    {'order_id': 4, 'customer_id': 3, 'amount': '1.00', 'ts': '2024-05-01 10:03:00'},
    {'order_id': 5, 'customer_id': 1, 'amount': '21.00', 'ts': '2024-05-01 10:04:00'},
]

ORDERS_DDL = ("CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, amount DECIMAL(10, 2), "
              "ts TIMESTAMP(3)) WITH ('connector' = 'kafka', 'topic' = 'orders', "
              "'properties.bootstrap.servers' = 'k:9092', 'format' = 'json', "
              "'scan.startup.mode' = 'earliest-offset'%s)")
BOUNDED = ", 'scan.bounded.mode' = 'latest-offset'"


def setUpModule():
    global GW
    GW = Gateway('--page-rows', '2')
    with open(os.path.join(GW.data, 'topics', 'orders.jsonl'), 'w') as f:
        for i, o in enumerate(ORDERS):
            f.write(json.dumps({'key': None, 'value': o, 'timestamp': 1714557600000 + i * 1000}) + '\n')


def tearDownModule():
    rc = GW.stop()
    if rc != 0:
        raise AssertionError('the gateway double did not stop cleanly (exit %d): %s' % (rc, GW.stderr[-3000:]))


def connect(**kw):
    return db.connect(url=GW.url, **kw)


class ModuleTest(unittest.TestCase):
    def test_globals(self):
        self.assertEqual(db.apilevel, '2.0')
        self.assertIn(db.threadsafety, (0, 1, 2, 3))
        self.assertEqual(db.paramstyle, 'pyformat')

    def test_exception_hierarchy(self):
        self.assertTrue(issubclass(db.Warning, Exception))
        self.assertTrue(issubclass(db.Error, Exception))
        self.assertFalse(issubclass(db.Warning, db.Error))
        for e in (db.InterfaceError, db.DatabaseError):
            self.assertTrue(issubclass(e, db.Error), e)
        for e in (db.DataError, db.OperationalError, db.IntegrityError, db.InternalError,
                  db.ProgrammingError, db.NotSupportedError):
            self.assertTrue(issubclass(e, db.DatabaseError), e)
        self.assertIs(db.Connection.ProgrammingError, db.ProgrammingError)

    def test_type_objects(self):
        self.assertEqual(db.STRING, 'VARCHAR')
        self.assertEqual('CHAR', db.STRING)
        self.assertNotEqual(db.STRING, 'BIGINT')
        self.assertEqual(db.NUMBER, 'DECIMAL')
        self.assertEqual(db.NUMBER, 'DOUBLE')
        self.assertEqual(db.DATETIME, 'TIMESTAMP_LTZ')
        self.assertEqual(db.BINARY, 'VARBINARY')
        self.assertNotEqual(db.ROWID, 'BIGINT')
        self.assertNotEqual(db.ROWID, 'VARCHAR')
        self.assertEqual(db.Date(2024, 1, 2), datetime.date(2024, 1, 2))
        self.assertEqual(db.Binary(b'x'), b'x')
        self.assertIsInstance(db.TimestampFromTicks(0), datetime.datetime)

    def test_quote(self):
        q = db.quote
        self.assertEqual(q(None), 'NULL')
        self.assertEqual(q(True), 'TRUE')
        self.assertEqual(q(False), 'FALSE')
        self.assertEqual(q(-42), '-42')
        self.assertEqual(q(1.5), '1.5E0')
        self.assertEqual(q(1e-7), '1E-07')
        self.assertEqual(q(float('nan')), "CAST('NaN' AS DOUBLE)")
        self.assertEqual(q(decimal.Decimal('710.00')), '710.00')
        self.assertEqual(q(decimal.Decimal('1E-7')), '0.0000001')
        self.assertEqual(q("it's \\n"), "'it''s \\n'")
        self.assertEqual(q(b'\x00\xff'), "X'00ff'")
        self.assertEqual(q(datetime.date(2024, 2, 29)), "DATE '2024-02-29'")
        self.assertEqual(q(datetime.datetime(2024, 2, 29, 1, 2, 3, 450000)), "TIMESTAMP '2024-02-29 01:02:03.45'")
        self.assertEqual(q(datetime.time(1, 2, 3)), "TIME '01:02:03'")
        self.assertEqual(q([1, 2]), 'ARRAY[1, 2]')
        self.assertEqual(q((1, 'a')), "(1, 'a')")
        self.assertEqual(q({'k': 1}), "MAP['k', 1]")
        with self.assertRaises(db.DataError):
            q(decimal.Decimal('NaN'))
        with self.assertRaises(db.ProgrammingError):
            q(object())

    def test_placeholders(self):
        i = db._params.interpolate
        self.assertEqual(i("SELECT %s, '%s', `%s` -- %s\n, %s", (1, 2)), "SELECT 1, '%s', `%s` -- %s\n, 2")
        self.assertEqual(i('SELECT %(a)s + %(a)s, 7 %% 2', {'a': 3}), 'SELECT 3 + 3, 7 % 2')
        self.assertEqual(i("SELECT 'a%'", None), "SELECT 'a%'")
        with self.assertRaises(db.ProgrammingError):
            i('SELECT %s, %s', (1,))
        with self.assertRaises(db.ProgrammingError):
            i('SELECT %s', (1, 2))
        with self.assertRaises(db.ProgrammingError):
            i('SELECT %(b)s', {'a': 1})
        with self.assertRaises(db.ProgrammingError):
            i('SELECT 5 % 2', ())


class ConnectTest(unittest.TestCase):
    def test_needs_url(self):
        with self.assertRaises(db.InterfaceError):
            db.connect()

    def test_confluent_keywords(self):
        # Confluent Cloud's keywords select its Statements API (test_confluent.py); without a
        # region or an endpoint there is nothing to connect to
        with self.assertRaises(db.InterfaceError) as cm:
            db.connect(organization_id='o-1', environment_id='env-1', compute_pool_id='lfcp-1',
                       flink_api_key='KEY123', flink_api_secret='hunter2-secret')
        msg = str(cm.exception)
        self.assertIn('cloud_provider and cloud_region', msg)
        self.assertNotIn('hunter2', msg)
        with self.assertRaises(db.InterfaceError):
            db.connect(url=GW.url, organization_id='o-1', environment_id='env-1')

    def test_unknown_keyword(self):
        with self.assertRaises(TypeError):
            connect(colour='blue')

    def test_unreachable(self):
        # a port nobody listens on: the gateway's own port, once it is stopped, would race; use 1
        with self.assertRaises(db.OperationalError) as cm:
            db.connect(url='http://127.0.0.1:1', max_retries=0)
        self.assertEqual(cm.exception.code, 'CONNECT')

    def test_session_gone(self):
        with connect() as conn:
            GW.admin('POST', '/sessions/%s/expire' % conn.session_handle)
            with self.assertRaises(db.OperationalError) as cm:
                conn.execute('SELECT 1')
            self.assertEqual(cm.exception.code, 'SESSION_GONE')
            self.assertFalse(conn._session.alive)

    def test_connection_basics(self):
        with connect(session_name='py', properties={'execution.runtime-mode': 'batch'}) as conn:
            self.assertFalse(conn.closed)
            self.assertRegex(conn.session_handle, r'^[0-9a-f-]{36}$')
            self.assertEqual(conn.api_version, 'v4')
            self.assertEqual(conn.get_properties().get('execution.runtime-mode'), 'batch')
            product, version = conn.gateway_info()
            self.assertEqual(product, 'Apache Flink')
            conn.commit()
            with self.assertRaises(db.NotSupportedError):
                conn.rollback()
            cur = conn.cursor()
        self.assertTrue(conn.closed)
        self.assertTrue(cur.closed)
        with self.assertRaises(db.InterfaceError):
            conn.cursor()
        with self.assertRaises(db.InterfaceError):
            cur.execute('SELECT 1')
        conn.close()  # again: nothing happens
        sessions = GW.admin('GET', '/sessions')
        self.assertNotIn(conn._session.handle if conn._session else None, [s.get('handle') for s in sessions])


class QueryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = connect(properties={'execution.runtime-mode': 'batch'})
        cls.conn.cursor().execute(ORDERS_DDL % BOUNDED)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

    def test_select(self):
        cur = self.conn.cursor()
        self.assertIsNone(cur.description)
        self.assertEqual(cur.rowcount, -1)
        self.assertEqual(cur.arraysize, 1)
        self.assertIs(cur.execute('SELECT order_id, amount FROM orders ORDER BY order_id'), cur)
        d = cur.description
        self.assertEqual([c[0] for c in d], ['order_id', 'amount'])
        self.assertEqual(len(d[0]), 7)
        self.assertEqual(d[0][1], db.NUMBER)
        self.assertEqual(d[1][1], 'DECIMAL')
        self.assertEqual((d[1][4], d[1][5]), (10, 2))
        self.assertEqual(cur.column_types, ['BIGINT', 'DECIMAL(10, 2)'])
        self.assertEqual(cur.fetchone(), (1, decimal.Decimal('10.50')))
        self.assertEqual(cur.fetchmany(), [(2, decimal.Decimal('20.00'))])
        cur.arraysize = 2
        self.assertEqual(len(cur.fetchmany()), 2)
        self.assertEqual(cur.fetchall(), [(5, decimal.Decimal('21.00'))])
        self.assertIsNone(cur.fetchone())
        self.assertEqual(cur.fetchall(), [])
        self.assertEqual(cur.rowcount, 5)
        self.assertEqual(str(cur.fetchmany(3)), '[]')

    def test_iteration_and_parameters(self):
        cur = self.conn.cursor()
        cur.execute('SELECT order_id FROM orders WHERE customer_id = %(c)s AND amount > %(a)s ORDER BY 1',
                    {'c': 1, 'a': decimal.Decimal('20')})
        self.assertEqual([r[0] for r in cur], [3, 5])
        cur.execute('SELECT COUNT(*) FROM orders WHERE order_id IN %s', ((1, 2, 99),))
        self.assertEqual(cur.fetchone(), (2,))

    def test_ddl_and_fetch_without_rows(self):
        with self.conn.cursor() as cur:
            cur.execute('CREATE TEMPORARY VIEW big AS SELECT * FROM orders WHERE amount > 20')
            self.assertIsNone(cur.description)
            self.assertEqual(cur.rowcount, -1)
            with self.assertRaises(db.ProgrammingError):
                cur.fetchone()
            cur.execute('SHOW TABLES')
            self.assertEqual(cur.description[0][0], 'table name')
            names = [r[0] for r in cur.fetchall()]
            self.assertIn('orders', names)
            self.assertIn('big', names)
            self.assertEqual(cur.rowcount, len(names))

    def test_errors_carry_the_root_cause(self):
        cur = self.conn.cursor()
        with self.assertRaises(db.ProgrammingError) as cm:
            cur.execute('SELECT * FROM nope')
        e = cm.exception
        self.assertIn("Object 'nope' not found", str(e))
        self.assertIn("Object 'nope' not found", e.root_cause)
        self.assertEqual(e.code, 'GATEWAY')
        self.assertIn('ValidationException', e.server_trace)
        self.assertEqual(e.statement, 'SELECT * FROM nope')
        failed = [x for x in GW.admin('GET', '/statements') if x['statement'] == 'SELECT * FROM nope']
        self.assertEqual(failed[-1]['status'], 'CLOSED', 'a failed statement is closed on the gateway')
        with self.assertRaises(db.ProgrammingError) as cm:
            cur.execute('SELEC 1')
        self.assertIn('SqlParserException', cm.exception.root_cause)
        # the cursor is still usable after an error
        cur.execute('SELECT 1')
        self.assertEqual(cur.fetchall(), [(1,)])

    def test_error_classes(self):
        cur = self.conn.cursor()
        with self.assertRaises(db.DataError) as cm:
            cur.execute("SELECT CAST('x' AS INT)")
        self.assertIn("'x'", cm.exception.root_cause)
        with self.assertRaises(db.ProgrammingError):
            cur.execute('SELECT nope FROM orders')
        with self.assertRaises(db.ProgrammingError):
            cur.execute("CREATE TABLE orders (a INT) WITH ('connector' = 'blackhole')")

    def test_one_thread_at_a_time(self):
        # a statement whose first fetch the gateway holds back: the connection is busy meanwhile
        GW.admin('POST', '/faults', [{'method': 'GET', 'path': '/v*/sessions/*/operations/*/result/*',
                                      'action': 'delay', 'delay_ms': 1500, 'count': 1}])
        try:
            with connect() as conn:
                errors = []

                def slow():
                    try:
                        conn.cursor().execute('SELECT 1').fetchall()
                    except Exception as e:  # reported below
                        errors.append(e)

                t = threading.Thread(target=slow)
                t.start()
                deadline = time.monotonic() + 10
                while not conn._session.busy and time.monotonic() < deadline and t.is_alive():
                    time.sleep(0.005)
                self.assertTrue(conn._session.busy)
                with self.assertRaises(db.ProgrammingError) as cm:
                    conn.cursor().execute('SELECT 2')
                self.assertIn('another thread', str(cm.exception))
                t.join()
                self.assertEqual(errors, [])
                self.assertEqual(conn.execute('SELECT 3').fetchall(), [(3,)])
        finally:
            GW.admin('DELETE', '/faults')

    def test_no_leak_across_many_statements(self):
        cur = self.conn.cursor()
        big = ("SELECT a.order_id, b.amount, c.ts, CAST(a.ts AS DATE), 'x', X'00', ARRAY[b.order_id], "
               "MAP['a', 1.5E0], ROW(c.order_id, 'y') FROM orders AS a, orders AS b, orders AS c")

        def run(n):
            cur.execute(big)
            self.assertEqual(len(cur.fetchall()), 125)
            for _ in range(n):
                cur.execute('SHOW CURRENT CATALOG')
                cur.fetchall()
                try:
                    cur.execute('SELECT * FROM nope')
                except db.ProgrammingError:
                    pass
        # free lists and caches fill up for a while, by some dozens of blocks a window; a leak of
        # one object a statement grows every window by 120 or more, one a value by 1,000 or more
        grown = blocks_grown(run, 20, 60, 3)
        self.assertLess(min(grown), 60, 'allocated blocks grew by %s in three windows of 120 statements '
                        'and 125 rows' % grown)

    def test_values_of_every_type(self):
        cur = self.conn.cursor()
        cur.execute(
            "SELECT TRUE, CAST(7 AS TINYINT), CAST(300 AS SMALLINT), 2147483647, "
            "CAST(9007199254740993 AS BIGINT), CAST(0.1 AS DOUBLE), CAST(1.5 AS FLOAT), "
            "CAST('123456789012345678901234567.123456789' AS DECIMAL(38, 9)), CAST(5 AS DECIMAL(5, 2)), "
            "'héllo', CAST('ab' AS CHAR(4)), CAST(NULL AS STRING), "
            "DATE '2024-02-29', TIME '23:59:58', TIMESTAMP '2024-02-29 12:34:56.789', "
            "CAST('2024-02-29 12:34:56.123456' AS TIMESTAMP(6)), X'00ff10', "
            "ARRAY[1, 2, 3], MAP['a', 1, 'b', 2], ROW(1, 'x'), ARRAY[X'01ff', X'5c22']")
        row = cur.fetchone()
        want = (True, 7, 300, 2147483647, 9007199254740993, 0.1, 1.5,
                decimal.Decimal('123456789012345678901234567.123456789'), decimal.Decimal('5.00'),
                'héllo', 'ab  ', None,
                datetime.date(2024, 2, 29), datetime.time(23, 59, 58),
                datetime.datetime(2024, 2, 29, 12, 34, 56, 789000),
                datetime.datetime(2024, 2, 29, 12, 34, 56, 123456), b'\x00\xff\x10',
                [1, 2, 3], {'a': 1, 'b': 2})
        for i, w in enumerate(want):
            self.assertEqual(row[i], w, 'column %d (%s)' % (i, cur.column_types[i]))
            self.assertIs(type(row[i]), type(w), 'column %d (%s)' % (i, cur.column_types[i]))
        self.assertEqual(str(row[8]), '5.00')
        self.assertEqual(list(row[19].values()), [1, 'x'])
        self.assertEqual(row[20], [b'\x01\xff', b'\\"'])
        codes = [c[1] for c in cur.description]
        self.assertEqual(codes[0], db.BOOLEAN)
        self.assertTrue(all(c == db.NUMBER for c in codes[1:9]))
        self.assertTrue(all(c == db.STRING for c in codes[9:12]))
        self.assertTrue(all(c == db.DATETIME for c in codes[12:16]))
        self.assertEqual(codes[16], db.BINARY)
        self.assertEqual(cur.description[14][4], 3)  # TIMESTAMP(3): its precision
        self.assertEqual(cur.description[15][4], 6)

    def test_fractions_exponents_and_empty_results(self):
        cur = self.conn.cursor()
        cur.execute("SELECT CAST('2024-01-01 00:00:00.123456789' AS TIMESTAMP(9)), "
                    "CAST('10:11:12.5' AS TIME(3)), CAST(0.000001 AS DECIMAL(10, 8)), CAST(1e-7 AS DOUBLE), "
                    "CAST('NaN' AS DOUBLE), INTERVAL '2' DAY, INTERVAL '1-2' YEAR TO MONTH")
        row = cur.fetchone()
        self.assertEqual(row[0], datetime.datetime(2024, 1, 1, 0, 0, 0, 123456))  # cut to microseconds
        self.assertEqual(cur.description[0][4], 9)
        self.assertEqual(row[1], datetime.time(10, 11, 12, 500000))
        self.assertEqual(str(row[2]), '0.00000100')
        self.assertEqual(row[3], 1e-7)
        self.assertNotEqual(row[4], row[4])  # NaN
        self.assertEqual(row[5:], (datetime.timedelta(days=2), 14))
        cur.execute('SELECT * FROM (VALUES (1)) AS t(a) WHERE a > 1')
        self.assertEqual(cur.description[0][0], 'a')
        self.assertEqual(cur.fetchall(), [])
        self.assertEqual(cur.rowcount, 0)

    def test_parameters_round_trip(self):
        values = ["it's a \"quote\" \\ and -- not a comment", None, True, False, 0, -9223372036854775808,
                  2.5, 1e-300, decimal.Decimal('-0.001'), datetime.date(1999, 12, 31),
                  datetime.datetime(2024, 1, 2, 3, 4, 5, 600000), datetime.time(13, 14, 15),
                  b'\x00\x01\xfe', '%s %(x)s %%', datetime.timedelta(days=1, seconds=3, microseconds=500000),
                  datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone.utc), [1, 2], {'k': 'v'}]
        cur = self.conn.cursor()
        for v in values:
            cur.execute('SELECT %s', (v,))
            got = cur.fetchone()[0]
            if isinstance(v, str) and got is not None:
                got = got.rstrip()  # a literal is a CHAR(n)
            self.assertEqual(got, v, 'round trip of %r' % (v,))

    def test_timestamp_ltz_in_the_session_zone(self):
        with connect(properties={'execution.runtime-mode': 'batch', 'table.local-time-zone': 'Asia/Tokyo'}) as c:
            cur = c.cursor()
            cur.execute('SELECT TO_TIMESTAMP_LTZ(0, 3)')
            v = cur.fetchone()[0]
            self.assertEqual(cur.description[0][1], 'TIMESTAMP_LTZ')
            self.assertIsNotNone(v.tzinfo)
            self.assertEqual(v, datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc))
            self.assertEqual(v.hour, 9)
            c.set_property('table.local-time-zone', 'UTC')
            cur.execute('SELECT TO_TIMESTAMP_LTZ(%s, 3)', (0,))
            v = cur.fetchone()[0]
            self.assertEqual((v.hour, v.utcoffset()), (0, datetime.timedelta(0)))

    def test_executemany_and_properties(self):
        path = os.path.join(GW.data, 'sink')
        cur = self.conn.cursor()
        cur.execute("CREATE TABLE sink (id INT, name STRING) WITH ('connector' = 'filesystem', "
                    "'path' = %s, 'format' = 'json')", (path,))
        cur.executemany('INSERT INTO sink VALUES (%s, %s)', [(1, "o'neil"), (2, None), (3, 'x')],
                        properties={'table.dml-sync': True}, name='py-insert')
        self.assertIsNone(cur.description)
        stmts = [s for s in GW.admin('GET', '/statements') if s['statement'] and 'INSERT INTO sink' in s['statement']]
        self.assertEqual(len(stmts), 3)
        self.assertEqual(stmts[0]['executionConfig'], {'table.dml-sync': 'true', 'pipeline.name': 'py-insert'})
        self.assertEqual(stmts[0]['statement'], "INSERT INTO sink VALUES (1, 'o''neil')")
        cur.execute('SELECT * FROM sink ORDER BY id')
        self.assertEqual(cur.fetchall(), [(1, "o'neil"), (2, None), (3, 'x')])
        jobs = [j for j in GW.admin('GET', '/jobs') if j['name'] == 'py-insert']
        self.assertEqual(len(jobs), 3)

    def test_insert_gives_its_job(self):
        cur = self.conn.cursor()
        cur.execute("CREATE TABLE blackhole_t (id INT) WITH ('connector' = 'blackhole')")
        cur.execute('INSERT INTO blackhole_t VALUES (1)')
        self.assertRegex(cur.job_id, r'^[0-9a-f]{32}$')
        self.assertEqual(cur.rowcount, -1)

    def test_connection_execute_shortcut(self):
        self.assertEqual(self.conn.execute('SELECT %s + 1', (1,)).fetchall(), [(2,)])


class StreamTest(unittest.TestCase):
    """Queries in streaming mode: changelogs, snapshots and unbounded results"""

    @classmethod
    def setUpClass(cls):
        cls.conn = connect(properties={'execution.runtime-mode': 'streaming'})
        cur = cls.conn.cursor()
        cur.execute(ORDERS_DDL.replace('orders', 'orders_b', 1) % BOUNDED)
        cur.execute((ORDERS_DDL % '').replace('CREATE TABLE orders', 'CREATE TABLE orders_u', 1)
                    .replace("'topic' = 'orders'", "'topic' = 'live'"))

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

    AGG = 'SELECT customer_id, COUNT(*) AS n, SUM(amount) AS total FROM orders_b GROUP BY customer_id'

    def test_plain_cursor_refuses_a_changelog(self):
        cur = self.conn.cursor()
        with self.assertRaises(db.NotSupportedError) as cm:
            cur.execute(self.AGG)
            cur.fetchall()
        self.assertIn('cursor(snapshot=True)', str(cm.exception))

    def test_changelog_cursor(self):
        cur = self.conn.cursor(changelog=True)
        cur.execute(self.AGG)
        rows = cur.fetchall()
        kinds = [r.kind for r in rows]
        self.assertIn('-U', kinds)
        self.assertIn('+U', kinds)
        self.assertTrue(all(isinstance(r, db.ChangelogRow) for r in rows))
        self.assertIn(('+I', (2, 1, decimal.Decimal('20.00'))), rows)
        self.assertEqual(cur.rowcount, len(rows))

    def test_snapshot_cursor(self):
        cur = self.conn.cursor(snapshot=True)
        cur.execute(self.AGG + ' ORDER BY customer_id' if False else self.AGG)
        self.assertEqual([c[0] for c in cur.description], ['customer_id', 'n', 'total'])
        rows = sorted(cur.fetchall())
        self.assertEqual(rows, [(1, 3, decimal.Decimal('61.75')), (2, 1, decimal.Decimal('20.00')),
                                (3, 1, decimal.Decimal('1.00'))])
        self.assertEqual(cur.rowcount, 3)
        # per statement, on a plain cursor
        cur = self.conn.cursor()
        cur.execute(self.AGG, snapshot=True, snapshot_key=[0])
        self.assertEqual(len(cur.fetchall()), 3)

    def test_rows_arrive_as_they_come(self):
        cur = self.conn.cursor()
        cur.execute('SELECT order_id, amount FROM orders_u')
        self.assertIsNone(cur.rowcount if cur.rowcount != -1 else None)
        GW.append('live', [{'order_id': 10, 'customer_id': 1, 'amount': '1.25', 'ts': '2024-05-02 00:00:00'}])
        self.assertEqual(next(cur), (10, decimal.Decimal('1.25')))
        got = []
        t = threading.Timer(0.3, GW.append, ('live', [{'order_id': 11, 'customer_id': 2, 'amount': '2.50',
                                                       'ts': '2024-05-02 00:00:01'}]))
        t.start()
        start = time.monotonic()
        got.append(cur.fetchone())  # waits for the record appended later
        t.join()
        self.assertEqual(got, [(11, decimal.Decimal('2.50'))])
        self.assertGreaterEqual(time.monotonic() - start, 0.25)
        job = cur.job_id
        self.assertRegex(job, r'^[0-9a-f]{32}$')
        cur.close()  # closing the cursor stops the query's job
        status = {j['id']: j['status'] for j in GW.admin('GET', '/jobs')}
        self.assertEqual(status.get(job), 'CANCELED')

    def test_stream_for_a_while(self):
        cur = self.conn.cursor(changelog=True)
        cur.execute('SELECT customer_id, COUNT(*) FROM orders_u WHERE order_id >= 20 GROUP BY customer_id')
        GW.append('live', [{'order_id': 20 + i, 'customer_id': 7, 'amount': '1.00', 'ts': '2024-05-03 00:00:00'}
                           for i in range(3)])
        got = list(cur.stream(max_rows=2))
        self.assertEqual(got[0], ('+I', (7, 1)))
        self.assertEqual(got[1].kind, '-U')
        start = time.monotonic()
        rest = list(cur.stream(duration=1.0))
        took = time.monotonic() - start
        self.assertEqual(rest[-1], ('+U', (7, 3)))
        self.assertGreaterEqual(took, 0.9)
        self.assertLess(took, 5)
        self.assertFalse(cur._eos)  # the query still runs
        cur.close()

    def test_fetch_available_does_not_wait(self):
        cur = self.conn.cursor()
        cur.execute('SELECT order_id FROM orders_u WHERE order_id > 100')
        start = time.monotonic()
        self.assertEqual(cur.fetch_available(), [])
        self.assertLess(time.monotonic() - start, 2)
        cur.cancel()
        self.assertEqual(cur.fetchall(), [])

    def test_timeout(self):
        cur = self.conn.cursor()
        start = time.monotonic()
        with self.assertRaises(db.OperationalError) as cm:
            # the limit may strike before the first page (a slow gateway) or while fetching
            cur.execute('SELECT order_id FROM orders_u', timeout=0.5)
            cur.fetchall()
        self.assertIn('did not end within 0.5 s', str(cm.exception))
        self.assertLess(time.monotonic() - start, 10)
        cur = self.conn.cursor(snapshot=True)
        with self.assertRaises(db.OperationalError) as cm:
            cur.execute('SELECT customer_id, COUNT(*) FROM orders_u GROUP BY customer_id', timeout=0.5)
        self.assertIn('snapshot', str(cm.exception))

    def test_labels_are_confluent_only(self):
        with self.assertRaises(db.NotSupportedError):
            self.conn.cursor().execute('SELECT 1', labels=['x'])


class OldGatewayTest(unittest.TestCase):
    def test_flink_1_16_speaks_v1(self):
        old = Gateway('--flink-version', '1.16.3')
        try:
            with db.connect(url=old.url) as conn:
                self.assertEqual(conn.api_version, 'v1')
                self.assertEqual(conn.gateway_info()[1], '1.16.3')
                cur = conn.cursor()
                cur.execute('SELECT %s, %s', (decimal.Decimal('1.10'), 'a'))
                self.assertEqual(cur.fetchall(), [(decimal.Decimal('1.10'), 'a')])
        finally:
            self.assertEqual(old.stop(), 0)


class PandasTest(unittest.TestCase):
    def test_read_sql_over_a_snapshot(self):
        try:
            import pandas
        except ImportError:
            self.skipTest('pandas is not installed (Debian: python3-pandas; scripts/bootstrap.sh installs it)')
        with connect(properties={'execution.runtime-mode': 'streaming'}, snapshot=True) as conn:
            conn.cursor().execute(ORDERS_DDL % BOUNDED)
            with warnings.catch_warnings():
                # pandas 1.5 warns about every DB-API connection that is not sqlite3's
                warnings.filterwarnings('ignore', 'pandas only supports SQLAlchemy', UserWarning)
                df = pandas.read_sql('SELECT customer_id, COUNT(*) AS n, SUM(amount) AS total FROM orders '
                                     'WHERE amount >= %(min)s GROUP BY customer_id', conn, params={'min': 1})
        df = df.sort_values('customer_id').reset_index(drop=True)
        self.assertEqual(list(df.columns), ['customer_id', 'n', 'total'])
        self.assertEqual(df['customer_id'].tolist(), [1, 2, 3])
        self.assertEqual(df['n'].tolist(), [3, 1, 1])
        self.assertEqual(df['total'].tolist(), [decimal.Decimal('61.75'), decimal.Decimal('20.00'),
                                                decimal.Decimal('1.00')])


if __name__ == '__main__':
    unittest.main()
