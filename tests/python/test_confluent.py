"""sluice_flink against the Confluent Cloud Statements API double: connect with confluent-sql's and
dbt-confluent's keywords, PEP 249 on named statements (description, rowcount, arraysize, fetches,
parameters), exact values of every type in the API's text forms, statement names, labels and
properties, snapshot queries, the streaming cursor (rows as they arrive), the changelog cursor
(op codes 0-3), stop and delete, Confluent's errors mapped onto PEP 249 with the server's cause,
auth failures that never show the secret, and pandas.read_sql over a snapshot query."""
import datetime
import decimal
import threading
import time
import unittest
import warnings

import sluice_flink as db
from ccloud import CloudDouble, ORG, ENV, KEY, SECRET, TOKEN, IDENTITY_POOL
from leakcheck import blocks_grown

CC = None

ORDERS = [
    {'order_id': 1, 'customer_id': 1, 'amount': '10.50'},
    {'order_id': 2, 'customer_id': 2, 'amount': '20.00'},
    {'order_id': 3, 'customer_id': 1, 'amount': '30.25'},
    {'order_id': 4, 'customer_id': 3, 'amount': '1.00'},
    {'order_id': 5, 'customer_id': 1, 'amount': '21.00'},
]


def setUpModule():
    global CC
    CC = CloudDouble('--page-rows', '2')
    with connect() as conn:
        cur = conn.cursor()
        cur.execute('CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, amount DECIMAL(10, 2))')
        cur.execute('CREATE TABLE clicks (k STRING, n INT)')
        cur.execute('CREATE TABLE taps (k STRING, n INT)')
        cur.execute('CREATE TABLE drops (k STRING)')
    CC.append('orders', ORDERS)


def tearDownModule():
    rc = CC.stop()
    if rc != 0:
        raise AssertionError('the Confluent Cloud double did not stop cleanly (exit %d): %s' % (rc, CC.stderr[-3000:]))


def connect(**kw):
    args = dict(organization_id=ORG, environment_id=ENV, dbname='cluster_0', endpoint=CC.url,
                flink_api_key=KEY, flink_api_secret=SECRET, poll_interval=0.01, poll_max=0.05,
                result_page_fetch_pause_millis=10)
    args.update(kw)
    return db.connect(**args)


def posts():
    """The bodies of the statements POSTed so far, by name"""
    import json
    out = {}
    for r in CC.requests():
        if r['method'] == 'POST' and r['path'].endswith('/statements') and r.get('body'):
            try:
                b = r['body'] if isinstance(r['body'], dict) else json.loads(r['body'])
            except ValueError:
                continue
            out[b.get('name')] = b
    return out


class ConnectTest(unittest.TestCase):
    def test_what_is_missing_is_named_and_no_secret_shows(self):
        cases = [
            (dict(environment_id=ENV), 'organization_id'),
            (dict(organization_id=ORG, environment_id=ENV, endpoint='http://x'), 'flink_api_key'),
            (dict(organization_id=ORG, environment_id=ENV, endpoint='http://x', flink_api_key=KEY),
             'flink_api_key and flink_api_secret'),
            (dict(organization_id=ORG, environment_id=ENV, endpoint='http://x', flink_api_secret=SECRET),
             'flink_api_key and flink_api_secret'),
            (dict(organization_id=ORG, environment_id=ENV, flink_api_key=KEY, flink_api_secret=SECRET),
             'cloud_provider and cloud_region'),
            (dict(organization_id=ORG, environment_id=ENV, endpoint='http://x', external_access_token=TOKEN),
             'identity_pool_id'),
            (dict(organization_id=ORG, environment_id=ENV, endpoint='http://x', external_access_token=TOKEN,
                  identity_pool_id=IDENTITY_POOL, flink_api_key=KEY, flink_api_secret=SECRET), 'cannot be combined'),
            (dict(organization_id=ORG, environment_id=ENV, endpoint='http://x', flink_api_key=KEY,
                  flink_api_secret=SECRET, statement_name_prefix='Bad_'), 'statement_name_prefix'),
            (dict(organization_id=ORG, environment_id=ENV, endpoint='http://x', flink_api_key=KEY,
                  flink_api_secret=SECRET, execution_mode='batch'), 'execution_mode'),
            (dict(organization_id=ORG, environment_id=ENV, endpoint='http://x', flink_api_key=KEY,
                  flink_api_secret=SECRET, url='http://y'), 'not both'),
        ]
        for kw, want in cases:
            with self.assertRaises(db.InterfaceError, msg=str(sorted(kw))) as cm:
                db.connect(**kw)
            self.assertIn(want, str(cm.exception))
            self.assertNotIn(SECRET, str(cm.exception))
            self.assertNotIn(TOKEN, str(cm.exception))
        with self.assertRaises(db.ProgrammingError):
            connect(properties={'sql.current-catalog': 'x'})

    def test_regional_url_and_repr(self):
        conn = db.connect(organization_id=ORG, environment_id=ENV, database='cluster_0', cloud_provider='AWS',
                          cloud_region='us-east-2', flink_api_key=KEY, flink_api_secret=SECRET)
        self.assertEqual(conn.protocol, 'confluent')
        self.assertEqual(conn._session.base_url, 'https://flink.us-east-2.aws.confluent.cloud')
        r = repr(conn)
        self.assertIn('https://flink.us-east-2.aws.confluent.cloud', r)
        self.assertIn(ENV, r)
        self.assertNotIn(SECRET, r)
        self.assertNotIn(SECRET, repr(conn.__dict__))
        conn.close()
        self.assertIn('closed', repr(conn))

    def test_connection_basics(self):
        with connect(local_time_zone='Asia/Tokyo') as conn:
            self.assertEqual(conn.api_version, 'sql/v1')
            self.assertIsNone(conn.session_handle)
            props = conn.get_properties()
            self.assertEqual(props['sql.current-catalog'], ENV)
            self.assertEqual(props['sql.current-database'], 'cluster_0')
            self.assertEqual(props['sql.local-time-zone'], 'Asia/Tokyo')
            conn.commit()
            with self.assertRaises(db.NotSupportedError):
                conn.rollback()
            with self.assertRaises(db.ProgrammingError):
                conn.set_property('sql.snapshot.mode', 'now')
            cur = conn.cursor()
        self.assertTrue(conn.closed)
        self.assertTrue(cur.closed)
        with self.assertRaises(db.InterfaceError):
            conn.cursor()

    def test_bearer_token(self):
        with connect(flink_api_key=None, flink_api_secret=None, external_access_token=TOKEN,
                     identity_pool_id=IDENTITY_POOL, execution_mode='snapshot') as conn:
            self.assertEqual(conn.execute('SELECT 1 AS one').fetchall(), [(1,)])
        auth = [r['auth'] for r in CC.requests() if r['method'] == 'POST']
        self.assertIn('bearer', auth)

    def test_global_key_wins(self):
        with connect(global_api_key=KEY, global_api_secret=SECRET, flink_api_key='other',
                     flink_api_secret='other-secret', execution_mode='snapshot') as conn:
            self.assertEqual(conn.execute('SELECT 2').fetchall(), [(2,)])


class QueryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = connect(execution_mode='snapshot', statement_name_prefix='py-', statement_label='pytest')

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
        self.assertRegex(cur.statement_name, r'^py-[0-9a-f-]{36}$')
        self.assertEqual(cur.fetchone(), (1, decimal.Decimal('10.50')))
        self.assertEqual(cur.fetchmany(), [(2, decimal.Decimal('20.00'))])
        cur.arraysize = 2
        self.assertEqual(len(cur.fetchmany()), 2)
        self.assertEqual(cur.fetchall(), [(5, decimal.Decimal('21.00'))])
        self.assertIsNone(cur.fetchone())
        self.assertEqual(cur.rowcount, 5)
        # a snapshot query (sql.snapshot.mode = now, the profile's catalog and database, the label)
        body = posts()[cur.statement_name]
        self.assertEqual(body['spec']['properties'], {'sql.current-catalog': ENV, 'sql.current-database': 'cluster_0',
                                                      'sql.snapshot.mode': 'now'})
        self.assertEqual(body['metadata']['labels'], {'user.confluent.io/pytest': 'true'})
        # read to its end: deleted, its name free again
        self.assertNotIn(cur.statement_name, CC.statements())

    def test_parameters_names_labels_properties(self):
        cur = self.conn.cursor()
        cur.execute('SELECT order_id FROM orders WHERE customer_id = %(c)s AND amount > %(a)s ORDER BY 1',
                    {'c': 1, 'a': decimal.Decimal('20')}, name='py-named-1', labels=['extra'],
                    properties={'sql.state-ttl': '1 h', 'sql.tables.scan.idle-timeout': 30})
        self.assertEqual([r[0] for r in cur], [3, 5])
        self.assertEqual(cur.statement_name, 'py-named-1')
        body = posts()['py-named-1']
        self.assertEqual(body['spec']['statement'],
                         'SELECT order_id FROM orders WHERE customer_id = 1 AND amount > 20 ORDER BY 1')
        self.assertEqual(body['spec']['properties']['sql.state-ttl'], '1 h')
        self.assertEqual(body['spec']['properties']['sql.tables.scan.idle-timeout'], '30')
        self.assertEqual(set(body['metadata']['labels']), {'user.confluent.io/pytest', 'user.confluent.io/extra'})
        # confluent-sql's names for the same
        cur.execute('SELECT COUNT(*) FROM orders WHERE order_id IN %s', ((1, 2, 99),),
                    statement_name='py-named-2', statement_labels=['other'])
        self.assertEqual(cur.fetchone(), (2,))
        self.assertIn('user.confluent.io/other', posts()['py-named-2']['metadata']['labels'])
        with self.assertRaises(db.ProgrammingError):
            cur.execute('SELECT 1', properties={'sql.snapshot.mode': 'off'})

    def test_ddl_and_set(self):
        with self.conn.cursor() as cur:
            cur.execute('CREATE VIEW big AS SELECT * FROM orders WHERE amount > 20')
            self.assertIsNone(cur.description)
            self.assertEqual(cur.rowcount, -1)
            with self.assertRaises(db.ProgrammingError):
                cur.fetchone()
            self.assertNotIn(cur.statement_name, CC.statements(), 'a completed DDL statement is deleted')
            cur.execute('SELECT order_id FROM big ORDER BY order_id')
            self.assertEqual(cur.fetchall(), [(3,), (5,)])
            # no sessions: SET travels in the properties of the later statements
            cur.execute("SET 'sql.local-time-zone' = 'Asia/Tokyo'")
            self.assertEqual(self.conn.get_properties()['sql.local-time-zone'], 'Asia/Tokyo')
            cur.execute('SELECT 1')
            self.assertEqual(posts()[cur.statement_name]['spec']['properties']['sql.local-time-zone'], 'Asia/Tokyo')
            cur.execute('SET')
            self.assertIn(('sql.local-time-zone', 'Asia/Tokyo'), cur.fetchall())
            cur.execute("RESET 'sql.local-time-zone'")
            self.assertNotIn('sql.local-time-zone', self.conn.get_properties())
            sent = [b['spec']['statement'].split()[0].upper() for b in posts().values()]
            self.assertNotIn('SET', sent, 'SET never reaches the server')
            self.assertNotIn('RESET', sent, 'RESET never reaches the server')

    def test_values_of_every_type(self):
        cur = self.conn.cursor()
        cur.execute(
            "SELECT TRUE, CAST(7 AS TINYINT), CAST(300 AS SMALLINT), 2147483647, "
            "CAST(9007199254740993 AS BIGINT), CAST(0.1 AS DOUBLE), CAST(1.5 AS FLOAT), "
            "CAST('123456789012345678901234567.123456789' AS DECIMAL(38, 9)), CAST(5 AS DECIMAL(5, 2)), "
            "'héllo', CAST('ab' AS CHAR(4)), CAST(NULL AS STRING), "
            "DATE '2024-02-29', TIME '23:59:58', TIMESTAMP '2024-02-29 12:34:56.789', "
            "CAST('2024-02-29 12:34:56.123456' AS TIMESTAMP(6)), X'00ff10', "
            "ARRAY[1, 2, 3], MAP['a', 1, 'b', 2], ROW(1, 'x'), "
            "INTERVAL '2' DAY, INTERVAL '1-2' YEAR TO MONTH, CAST('NaN' AS DOUBLE), "
            "ARRAY[CAST(1.50 AS DECIMAL(4, 2)), NULL], MAP[1, DATE '2024-01-02'], ARRAY[TIMESTAMP '2024-01-01 10:00:00.5'], "
            "ARRAY[X'01ff', X'5c22']")
        row = cur.fetchone()
        want = (True, 7, 300, 2147483647, 9007199254740993, 0.1, 1.5,
                decimal.Decimal('123456789012345678901234567.123456789'), decimal.Decimal('5.00'),
                'héllo', 'ab  ', None,
                datetime.date(2024, 2, 29), datetime.time(23, 59, 58),
                datetime.datetime(2024, 2, 29, 12, 34, 56, 789000),
                datetime.datetime(2024, 2, 29, 12, 34, 56, 123456), b'\x00\xff\x10',
                [1, 2, 3], {'a': 1, 'b': 2}, None,
                datetime.timedelta(days=2), 14)
        for i, w in enumerate(want):
            if i == 19:
                continue  # the ROW: below
            self.assertEqual(row[i], w, 'column %d (%s)' % (i, cur.column_types[i]))
            self.assertIs(type(row[i]), type(w), 'column %d (%s)' % (i, cur.column_types[i]))
        self.assertEqual(str(row[8]), '5.00')
        self.assertEqual(list(row[19].values()), [1, 'x'])
        self.assertNotEqual(row[22], row[22])  # NaN
        self.assertEqual(row[23], [decimal.Decimal('1.50'), None])
        self.assertEqual(str(row[23][0]), '1.50')
        self.assertEqual(row[24], {1: datetime.date(2024, 1, 2)})
        self.assertEqual(row[25], [datetime.datetime(2024, 1, 1, 10, 0, 0, 500000)])
        self.assertEqual(row[26], [b'\x01\xff', b'\\"'])
        codes = [c[1] for c in cur.description]
        self.assertEqual(codes[0], db.BOOLEAN)
        self.assertTrue(all(c == db.NUMBER for c in codes[1:9]))
        self.assertTrue(all(c == db.STRING for c in codes[9:12]))
        self.assertTrue(all(c == db.DATETIME for c in codes[12:16]))
        self.assertEqual(codes[16], db.BINARY)
        self.assertEqual(cur.description[14][4], 3)  # TIMESTAMP(3): its precision
        self.assertEqual(cur.description[15][4], 6)

    def test_intervals_and_zones(self):
        cur = self.conn.cursor()
        cur.execute("SELECT INTERVAL '-1 02:03:04.5' DAY TO SECOND(3), INTERVAL '-0-04' YEAR TO MONTH, "
                    "CAST('10:11:12.5' AS TIME(3)), CAST('2024-01-01 00:00:00.123456789' AS TIMESTAMP(9))")
        row = cur.fetchone()
        self.assertEqual(row[0], -datetime.timedelta(days=1, hours=2, minutes=3, seconds=4, milliseconds=500))
        self.assertEqual(row[1], -4)
        self.assertEqual(row[2], datetime.time(10, 11, 12, 500000))
        self.assertEqual(row[3], datetime.datetime(2024, 1, 1, 0, 0, 0, 123456))  # cut to microseconds
        with connect(execution_mode='snapshot', local_time_zone='Asia/Tokyo') as conn:
            cur = conn.cursor()
            cur.execute('SELECT TO_TIMESTAMP_LTZ(0, 3)')
            v = cur.fetchone()[0]
            self.assertEqual(cur.description[0][1], 'TIMESTAMP_LTZ')
            self.assertIsNotNone(v.tzinfo)
            self.assertEqual(v, datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc))
            self.assertEqual(v.hour, 9)

    def test_empty_result_and_executemany(self):
        cur = self.conn.cursor()
        cur.execute('SELECT * FROM (VALUES (1)) AS t(a) WHERE a > 1')
        self.assertEqual(cur.description[0][0], 'a')
        self.assertEqual(cur.fetchall(), [])
        self.assertEqual(cur.rowcount, 0)
        cur.execute('CREATE TABLE sink (id INT, name STRING)')
        cur.executemany('INSERT INTO sink VALUES (%s, %s)', [(1, "o'neil"), (2, None)], name='py-ins')
        self.assertIsNone(cur.description)
        bodies = posts()
        self.assertEqual(bodies['py-ins-1']['spec']['statement'], "INSERT INTO sink VALUES (1, 'o''neil')")
        self.assertIn('py-ins-2', bodies)
        cur.execute('SELECT id, name FROM sink ORDER BY id')
        self.assertEqual(cur.fetchall(), [(1, "o'neil"), (2, None)])

    def test_no_leak_across_many_statements(self):
        cur = self.conn.cursor()

        def run(n):
            for _ in range(n):
                cur.execute("SELECT order_id, amount, ARRAY[order_id], MAP['a', amount], ROW(order_id, 'y'), "
                            "INTERVAL '1' DAY, CAST(order_id AS STRING) FROM orders")
                self.assertEqual(len(cur.fetchall()), 5)
                try:
                    cur.execute('SELECT * FROM nope')
                except db.ProgrammingError:
                    pass
        # a leak of one object every other statement grows every window by 15, one a value by 130.
        # On a busy machine a first window grew by up to 171 blocks, later ones by 1 to 52: five
        # windows after a warm-up of 30 statements
        grown = blocks_grown(run, 15, 15, 5)
        self.assertLess(min(grown), 12, 'allocated blocks grew by %s in five windows of 30 statements' % grown)

    def test_list_get_delete(self):
        cur = self.conn.cursor()
        cur.execute('SELECT 1', name='py-keep-me', labels=['listing'])
        cur.fetchall()
        self.assertEqual(self.conn.list_statements('listing'), [])  # read to its end: deleted
        # a streaming query keeps running until closed
        s = self.conn.cursor(snapshot=False, changelog=True)
        s.execute('SELECT k FROM clicks', name='py-listed', labels=['listing'])
        listed = self.conn.list_statements('listing')
        self.assertEqual([x['name'] for x in listed], ['py-listed'])
        self.assertEqual(listed[0]['phase'], 'RUNNING')
        self.assertFalse(listed[0]['snapshot'])
        self.assertEqual(self.conn.get_statement('py-listed')['statement'], 'SELECT k FROM clicks')
        s.close()
        with self.assertRaises(db.ProgrammingError) as cm:
            self.conn.get_statement('py-listed')
        self.assertEqual(cm.exception.code, 'NOT_FOUND')
        self.conn.delete_statement('py-listed')  # already gone: fine


class StreamTest(unittest.TestCase):
    """Streaming queries: rows as they arrive, changelogs, snapshots, stop and delete"""

    @classmethod
    def setUpClass(cls):
        cls.conn = connect()

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

    AGG = 'SELECT customer_id, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY customer_id'

    def test_snapshot_cursor(self):
        cur = self.conn.cursor(snapshot=True)
        cur.execute(self.AGG)
        self.assertEqual([c[0] for c in cur.description], ['customer_id', 'n', 'total'])
        self.assertEqual(sorted(cur.fetchall()), [(1, 3, decimal.Decimal('61.75')), (2, 1, decimal.Decimal('20.00')),
                                                  (3, 1, decimal.Decimal('1.00'))])
        self.assertEqual(cur.rowcount, 3)
        self.assertEqual(posts()[cur.statement_name]['spec']['properties']['sql.snapshot.mode'], 'now')

    def test_plain_cursor_refuses_a_changelog(self):
        cur = self.conn.cursor()
        with self.assertRaises(db.NotSupportedError) as cm:
            cur.execute(self.AGG)
            cur.fetchmany(10)
        self.assertIn('cursor(snapshot=True)', str(cm.exception))

    def test_streaming_changelog(self):
        CC.append('taps', [{'k': 'a', 'n': 1}, {'k': 'b', 'n': 1}])
        cur = self.conn.cursor(changelog=True)
        cur.execute('SELECT k, SUM(n) AS total FROM taps GROUP BY k')
        self.assertNotIn('sql.snapshot.mode', posts()[cur.statement_name]['spec']['properties'])
        got = list(cur.stream(max_rows=2))
        self.assertEqual(sorted(got), [('+I', ('a', 1)), ('+I', ('b', 1))])
        self.assertTrue(all(isinstance(r, db.ChangelogRow) for r in got))
        # a record appended later: its update arrives while the cursor waits
        t = threading.Timer(0.3, CC.append, ('taps', [{'k': 'a', 'n': 2}]))
        t.start()
        start = time.monotonic()
        rest = list(cur.stream(max_rows=2))
        t.join()
        self.assertGreaterEqual(time.monotonic() - start, 0.25)
        self.assertEqual(rest, [('-U', ('a', 1)), ('+U', ('a', 3))])
        self.assertEqual(CC.statements()[cur.statement_name], 'RUNNING')
        name = cur.statement_name
        cur.close()  # deletes the running query
        self.assertNotIn(name, CC.statements())

    def test_every_op_code(self):
        # op 0 and 3: a key leaves the filtered result; op 1 and 2: its count changes
        CC.append('drops', [{'k': 'a'}, {'k': 'b'}, {'k': 'a'}])
        cur = self.conn.cursor(changelog=True)
        cur.execute('SELECT k, c FROM (SELECT k, COUNT(*) AS c FROM drops GROUP BY k) WHERE c = 1')
        got = list(cur.stream(max_rows=3, duration=10))
        self.assertEqual(got, [('+I', ('a', 1)), ('+I', ('b', 1)), ('-D', ('a', 1))])
        cur.close()
        cur = self.conn.cursor(changelog=True)
        cur.execute('SELECT k, COUNT(*) AS c FROM drops GROUP BY k')
        got = list(cur.stream(max_rows=4, duration=10))
        self.assertEqual([r.kind for r in got], ['+I', '+I', '-U', '+U'])
        self.assertEqual(got[3], ('+U', ('a', 2)))
        # the snapshot of the same changelog, folded by its upsert key
        cur = self.conn.cursor(snapshot=True)
        cur.execute('SELECT k, COUNT(*) AS c FROM drops GROUP BY k')
        self.assertEqual(sorted(cur.fetchall()), [('a', 2), ('b', 1)])

    def test_rows_arrive_as_they_come_and_cancel_stops(self):
        cur = self.conn.cursor()
        cur.execute("SELECT k, n FROM clicks WHERE k = 'live'")
        name = cur.statement_name
        t = threading.Timer(0.3, CC.append, ('clicks', [{'k': 'live', 'n': 7}]))
        t.start()
        start = time.monotonic()
        self.assertEqual(cur.fetchone(), ('live', 7))  # waits for the record appended later
        t.join()
        self.assertGreaterEqual(time.monotonic() - start, 0.25)
        self.assertEqual(cur.fetch_available(), [])
        cur.cancel()  # PATCH spec.stopped, then the statement is deleted
        patches = [r for r in CC.requests() if r['method'] == 'PATCH' and r['path'].endswith('/' + name)]
        self.assertEqual(len(patches), 1)
        self.assertIn('/spec/stopped', str(patches[0]['body']))
        self.assertNotIn(name, CC.statements())
        self.assertEqual(cur.fetchall(), [])

    def test_failure_while_streaming(self):
        cur = self.conn.cursor()
        cur.execute("SELECT k FROM clicks WHERE k = 'doomed'", name='py-doomed')
        self.assertEqual(cur.fetch_available(), [])
        CC.admin('POST', '/statements/py-doomed/fail',
                 {'detail': 'Materialized table is currently being modified by statement: s9'})
        start = time.monotonic()
        with self.assertRaises(db.DatabaseError) as cm:
            cur.fetchone()
        self.assertLess(time.monotonic() - start, 5, 'the phase is read again while pages are empty')
        self.assertIn('being modified', cm.exception.root_cause)
        self.assertEqual(cm.exception.code, 'STATEMENT')
        cur.close()
        self.assertNotIn('py-doomed', CC.statements(), 'a FAILED statement is deleted on close')

    def test_background_insert_is_left_running(self):
        cur = self.conn.cursor()
        cur.execute('CREATE TABLE copy_of_clicks (k STRING, n INT)')
        cur.execute('INSERT INTO copy_of_clicks SELECT k, n FROM clicks', name='py-copy')
        self.assertIsNone(cur.description)
        cur.close()
        self.assertEqual(CC.statements().get('py-copy'), 'RUNNING')
        self.conn.stop_statement('py-copy')
        deadline = time.monotonic() + 10
        while self.conn.get_statement('py-copy')['phase'] != 'STOPPED' and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.conn.get_statement('py-copy')['phase'], 'STOPPED')
        self.assertTrue(self.conn.get_statement('py-copy')['stopped'])
        self.conn.delete_statement('py-copy')
        self.assertNotIn('py-copy', CC.statements())

    def test_timeout(self):
        cur = self.conn.cursor()
        start = time.monotonic()
        with self.assertRaises(db.OperationalError) as cm:
            cur.execute("SELECT k FROM clicks WHERE k = 'never'", timeout=0.5)
            cur.fetchall()
        self.assertIn('did not end within 0.5 s', str(cm.exception))
        self.assertLess(time.monotonic() - start, 10)


class ErrorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = connect(execution_mode='snapshot')

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()

    def tearDown(self):
        CC.admin('DELETE', '/faults')

    def test_failed_statement_carries_the_root_cause(self):
        cur = self.conn.cursor()
        with self.assertRaises(db.ProgrammingError) as cm:
            cur.execute('SELECT * FROM nope', name='py-bad')
        e = cm.exception
        self.assertIn('nope', str(e))
        self.assertIn('nope', e.root_cause)
        self.assertEqual(e.code, 'STATEMENT')
        self.assertEqual(e.statement, 'SELECT * FROM nope')
        self.assertNotIn('py-bad', CC.statements(), 'a statement FAILED at submit is deleted')
        # the cursor is still usable, and the name free again
        cur.execute('SELECT 1', name='py-bad')
        self.assertEqual(cur.fetchall(), [(1,)])

    def test_name_in_use(self):
        s = self.conn.cursor(snapshot=False)
        s.execute("SELECT k FROM clicks WHERE k = 'x'", name='py-busy')
        with self.assertRaises(db.ProgrammingError) as cm:
            self.conn.cursor().execute('SELECT 1', name='py-busy')
        self.assertEqual(cm.exception.code, 'CONFLICT')
        self.assertEqual(cm.exception.http_status, 409)
        s.close()
        with self.assertRaises(db.InterfaceError):
            self.conn.cursor().execute('SELECT 1', name='Not_A_DNS_Name')

    def test_failure_while_running(self):
        CC.admin('POST', '/faults', [{'method': 'POST', 'statement': 'JOBFAIL', 'action': 'fail_job',
                                      'message': 'Materialized table is currently being modified by statement: s1'}])
        with self.assertRaises(db.DatabaseError) as cm:
            self.conn.cursor().execute("SELECT 'JOBFAIL'")
        self.assertIn('being modified', str(cm.exception))
        self.assertEqual(cm.exception.code, 'STATEMENT')

    def test_pool_exhausted(self):
        CC.admin('POST', '/faults', [{'method': 'POST', 'statement': 'EXHAUST', 'action': 'stuck'}])
        with self.assertRaises(db.OperationalError) as cm:
            self.conn.cursor().execute("SELECT 'EXHAUST'", name='py-exhausted')
        self.assertEqual(cm.exception.code, 'POOL_EXHAUSTED')
        self.assertNotIn('py-exhausted', CC.statements(), 'the name is freed for the next try')

    def test_gets_are_retried_posts_never(self):
        CC.admin('POST', '/faults', [{'method': 'GET', 'path': '*/results*', 'action': 'status', 'status': 503,
                                      'count': 2}])
        self.assertEqual(self.conn.execute('SELECT 3').fetchall(), [(3,)])
        CC.admin('POST', '/faults', [{'method': 'POST', 'action': 'status', 'status': 429, 'count': 1}])
        with self.assertRaises(db.OperationalError) as cm:
            self.conn.execute('SELECT 4', name='py-limited')
        self.assertEqual(cm.exception.http_status, 429)
        self.assertEqual(len([r for r in CC.requests() if r['method'] == 'POST'
                              and 'py-limited' in str(r.get('body'))]), 1)

    def test_one_thread_at_a_time(self):
        # a statement whose reads the double holds back: the connection is busy meanwhile
        CC.admin('POST', '/faults', [{'method': 'GET', 'path': '*/statements/py-slow', 'action': 'delay',
                                      'delay_ms': 1500, 'count': 1}])
        errors = []

        def slow():
            try:
                self.conn.cursor().execute('SELECT 1', name='py-slow').fetchall()
            except Exception as e:  # reported below
                errors.append(e)

        t = threading.Thread(target=slow)
        t.start()
        deadline = time.monotonic() + 10
        while not self.conn._session.busy and time.monotonic() < deadline and t.is_alive():
            time.sleep(0.005)
        self.assertTrue(self.conn._session.busy)
        with self.assertRaises(db.ProgrammingError) as cm:
            self.conn.cursor().execute('SELECT 2')
        self.assertIn('another thread', str(cm.exception))
        t.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.conn.execute('SELECT 3').fetchall(), [(3,)])

    def test_auth_failure_never_shows_the_secret(self):
        wrong = 'wrong-' + SECRET
        with connect(flink_api_secret=wrong) as conn:
            with self.assertRaises(db.OperationalError) as cm:
                conn.execute('SELECT 1')
        e = cm.exception
        self.assertEqual(e.http_status, 401)
        self.assertIn('401', str(e))
        for text in (str(e), repr(e), repr(e.args), str(e.root_cause), str(e.server_trace), str(e.request),
                     repr(conn)):
            self.assertNotIn(SECRET, text)
            self.assertNotIn(wrong, text)
        with connect(flink_api_key=None, flink_api_secret=None, external_access_token='bad-' + TOKEN,
                     identity_pool_id=IDENTITY_POOL) as conn:
            with self.assertRaises(db.OperationalError) as cm:
                conn.execute('SELECT 1')
            self.assertNotIn(TOKEN, str(cm.exception) + repr(cm.exception) + str(cm.exception.request))
        # nor in what the double was sent outside the Authorization header
        self.assertNotIn(SECRET, str(CC.requests()))


class BackoffTest(unittest.TestCase):
    """The waits of a Confluent cursor, with a statement that answers as told (no server)"""

    class Op:
        def __init__(self, answers):
            self.answers = list(answers)
            self.eos = False

        def fetch(self, ltz):
            return self.answers.pop(0)

        def close(self):
            self.answers = []

    def waits(self, conn, answers, first):
        cur = conn.cursor()
        cur._op, cur._snap, cur._deadline = self.Op(answers), False, None
        sleeps = []
        sleep, db._time.sleep = db._time.sleep, sleeps.append
        try:
            cur._next_page(first=first)
        finally:
            db._time.sleep = sleep
        return sleeps

    def test_pending_statement_backs_off_with_jitter(self):
        # reference §14.1: 1 s growing 1.5 times up to 30 s, each +-25 %
        conn = db.connect(organization_id=ORG, environment_id=ENV, endpoint='http://127.0.0.1:9',
                          flink_api_key=KEY, flink_api_secret=SECRET)
        sleeps = self.waits(conn, [('NOT_READY', [])] * 12 + [('EOS', [])], True)
        self.assertEqual(len(sleeps), 12)
        nominal = [min(1.5 ** i, 30.0) for i in range(12)]
        for got, want in zip(sleeps, nominal):
            self.assertTrue(0.75 * want <= got <= 1.25 * want, (got, want))
        self.assertNotEqual(sleeps, nominal, 'the waits are jittered')
        # empty result pages are paced by result_page_fetch_pause_millis, without growing
        conn = db.connect(organization_id=ORG, environment_id=ENV, endpoint='http://127.0.0.1:9',
                          flink_api_key=KEY, flink_api_secret=SECRET, result_page_fetch_pause_millis=250)
        sleeps = self.waits(conn, [('PAYLOAD', [])] * 3 + [('PAYLOAD', [('+I', (1,))])], False)
        self.assertEqual(sleeps, [0.25, 0.25, 0.25])


class PandasTest(unittest.TestCase):
    def test_read_sql_over_a_snapshot_query(self):
        try:
            import pandas
        except ImportError:
            self.skipTest('pandas is not installed (Debian: python3-pandas; scripts/bootstrap.sh installs it)')
        with connect(execution_mode='snapshot') as conn:
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
