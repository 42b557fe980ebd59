"""sluice_flink: a Python DB-API 2.0 (PEP 249) module for Apache Flink's SQL Gateway and for
Confluent Cloud for Apache Flink (its SQL Statements API), on Sluice's C client library
libsluice-flink.

    import sluice_flink
    with sluice_flink.connect(url='http://127.0.0.1:8083',
                              properties={'execution.runtime-mode': 'batch'}) as conn:
        cur = conn.cursor()
        cur.execute('SELECT id, amount FROM orders WHERE status = %s', ('paid',))
        for id, amount in cur:
            ...

    with sluice_flink.connect(organization_id='7c210ed4-...', environment_id='env-abc123',
                              database='cluster_0', cloud_provider='aws', cloud_region='us-east-2',
                              flink_api_key=KEY, flink_api_secret=SECRET) as conn:
        cur = conn.cursor(snapshot=True)    # sql.snapshot.mode = now
        cur.execute('SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id')
        print(cur.fetchall())

Beyond PEP 249, for streams:
  - rows arrive as the gateway sends them: iterating a cursor (or fetchone) yields each row as soon
    as its page arrived, waiting between empty pages, for as long as the query runs;
  - conn.cursor(changelog=True) yields ChangelogRow(kind, row) with kind '+I', '-U', '+U' or '-D';
  - conn.cursor(snapshot=True) folds a query's changelog and gives its final rows once it ended
    (a point-in-time snapshot of a streaming query over bounded sources);
  - execute(sql, params, properties={...}, name=..., timeout=...) runs one statement with its own
    configuration (properties), a job name (pipeline.name; on Confluent Cloud the statement's
    name), labels (Confluent Cloud) and a time limit.
"""
import collections
import datetime
import random as _random
import re as _re
import time as _time
import uuid as _uuid

from . import _flink
from ._flink import (Warning, Error, InterfaceError, DatabaseError, DataError, OperationalError,
                     IntegrityError, InternalError, ProgrammingError, NotSupportedError)
from ._params import interpolate, quote

__all__ = ['apilevel', 'threadsafety', 'paramstyle', 'connect', 'Connection', 'Cursor', 'ChangelogRow',
           'Warning', 'Error', 'InterfaceError', 'DatabaseError', 'DataError', 'OperationalError',
           'IntegrityError', 'InternalError', 'ProgrammingError', 'NotSupportedError',
           'STRING', 'BINARY', 'NUMBER', 'DATETIME', 'ROWID', 'BOOLEAN',
           'Date', 'Time', 'Timestamp', 'DateFromTicks', 'TimeFromTicks', 'TimestampFromTicks', 'Binary',
           'quote']

apilevel = '2.0'
# Threads may share the module, not connections: a gateway session runs one statement at a time
threadsafety = 1
paramstyle = 'pyformat'

# ================================================================ type objects and constructors


class DBAPITypeObject:
    """Compares equal to every type_code (Flink type name) of its group, as PEP 249 asks"""

    def __init__(self, name, *values):
        self.name = name
        self.values = frozenset(values)

    def __eq__(self, other):
        if isinstance(other, DBAPITypeObject):
            return self is other
        return other in self.values

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return 'sluice_flink.%s' % self.name


STRING = DBAPITypeObject('STRING', 'CHAR', 'VARCHAR')
BINARY = DBAPITypeObject('BINARY', 'BINARY', 'VARBINARY')
NUMBER = DBAPITypeObject('NUMBER', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL')
DATETIME = DBAPITypeObject('DATETIME', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'TIMESTAMP_TZ',
                           'INTERVAL_YEAR_MONTH', 'INTERVAL_DAY_TIME')
# Flink tables have no row ids: no column is ever of this type
ROWID = DBAPITypeObject('ROWID')
BOOLEAN = DBAPITypeObject('BOOLEAN', 'BOOLEAN')

Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime
Binary = bytes


def DateFromTicks(ticks):
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks):
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks):
    return Timestamp(*_time.localtime(ticks)[:6])


ChangelogRow = collections.namedtuple('ChangelogRow', 'kind row')
ChangelogRow.__doc__ = "A row of a changelog: kind is '+I', '-U', '+U' or '-D', row the values"

# ================================================================ connect

# Confluent Cloud's keywords: those of Confluent's own DB-API driver (confluent-sql) and of
# dbt-confluent's profiles, so that a profile's values can be passed on as they are
_CONFLUENT_KEYS = frozenset((
    'organization_id', 'environment_id', 'compute_pool_id', 'flink_api_key', 'flink_api_secret',
    'global_api_key', 'global_api_secret', 'external_access_token', 'identity_pool_id', 'cloud_provider',
    'cloud_region', 'endpoint', 'dbname', 'database', 'statement_name_prefix', 'statement_label',
    'execution_mode', 'local_time_zone', 'result_page_fetch_pause_millis', 'http_user_agent',
    'http_timeout_secs', 'poll_max'))

_EXECUTION_MODES = {'snapshot': True, 'snapshot_ddl': True, 'streaming_query': False, 'streaming_ddl': False}


def _ms(seconds, what):
    if seconds is None:
        return 0
    if seconds < 0:
        raise InterfaceError('%s must not be negative' % what)
    return max(1, int(seconds * 1000))


def connect(url=None, *, properties=None, session_name=None, api_version=None, headers=None,
            bearer_token=None, username=None, password=None, ca_file=None, insecure=False,
            connect_timeout=None, request_timeout=None, max_retries=None, poll_interval=None,
            heartbeat_interval=None, timeout=None, snapshot=None, **kwargs):
    """Opens a connection: a session on a Flink SQL Gateway (url=...), or Confluent Cloud's
    Statements API (organization_id=..., environment_id=..., see below).

    url                 the gateway, e.g. 'http://127.0.0.1:8083' (a path prefix is kept)
    properties          session configuration: any Flink option, e.g. {'execution.runtime-mode': 'batch'}
                        (Confluent Cloud: statement properties every statement carries, sql.*)
    session_name        the session's name on the gateway
    api_version         'v1'..'v4'; negotiated when None
    headers             extra HTTP header lines, 'Name: value'
    bearer_token / username + password / ca_file / insecure: authentication and TLS
    connect_timeout, request_timeout   seconds, per HTTP request
    max_retries         retries of requests that are safe to repeat
    poll_interval       longest wait in seconds between polls of a running statement (0.1;
                        Confluent Cloud: the first wait between reads of a statement, 1.0)
    heartbeat_interval  seconds between session heartbeats (60; 0 for none)
    timeout             default time limit in seconds of each statement (None: no limit)
    snapshot            cursors are snapshot cursors unless told otherwise (for tools such as
                        pandas.read_sql that call cursor() themselves)

    Confluent Cloud, with the keywords of Confluent's confluent-sql driver and dbt-confluent:
    organization_id, environment_id (the catalog), database or dbname (the Kafka cluster),
    flink_api_key + flink_api_secret or global_api_key + global_api_secret (the global pair wins),
    or external_access_token (or bearer_token) + identity_pool_id; cloud_provider + cloud_region
    (https://flink.<region>.<provider>.confluent.cloud) or endpoint (any base URL);
    compute_pool_id (else the environment's default pool); statement_name_prefix ('dbapi-');
    statement_label (a label on every statement); execution_mode ('streaming_query', or
    'snapshot': snapshot cursors by default); local_time_zone (sql.local-time-zone);
    result_page_fetch_pause_millis (100: the pause between two empty result pages);
    poll_max (30: the longest wait in seconds between reads of a pending statement);
    http_user_agent; http_timeout_secs (request_timeout).
    """
    confluent = {k: kwargs.pop(k) for k in list(kwargs) if k in _CONFLUENT_KEYS}
    if 'dsn' in kwargs and url is None:
        url = kwargs.pop('dsn')
    if kwargs:
        raise TypeError('connect() got unexpected keyword argument%s %s' % (
            's' if len(kwargs) > 1 else '', ', '.join(repr(k) for k in sorted(kwargs))))
    if confluent:
        if url is not None or username or password or session_name or api_version or headers:
            raise InterfaceError('give either url=... (a Flink SQL Gateway) or organization_id=... '
                                 '(Confluent Cloud), not both')
        return _connect_confluent(confluent, properties=properties, bearer_token=bearer_token, ca_file=ca_file,
                                  insecure=insecure, connect_timeout=connect_timeout,
                                  request_timeout=request_timeout, max_retries=max_retries,
                                  poll_interval=poll_interval, timeout=timeout, snapshot=snapshot)
    if not url:
        raise InterfaceError("connect() needs the gateway's url, e.g. url='http://127.0.0.1:8083', "
                             "or Confluent Cloud's organization_id=... and environment_id=...")
    if isinstance(properties, dict):
        properties = list(properties.items())
    session = _flink.Session(
        url, properties=properties, name=session_name, api_version=api_version,
        headers=list(headers) if headers else None, bearer_token=bearer_token, username=username,
        password=password, ca_file=ca_file, insecure=bool(insecure),
        connect_timeout_ms=_ms(connect_timeout, 'connect_timeout'),
        request_timeout_ms=_ms(request_timeout, 'request_timeout'),
        max_retries=-1 if max_retries is None else int(max_retries),
        poll_interval_ms=_ms(poll_interval, 'poll_interval'),
        heartbeat_interval_ms=-1 if heartbeat_interval is None else int(heartbeat_interval * 1000))
    return Connection(session, timeout=timeout, poll_interval=poll_interval if poll_interval else 0.1,
                      snapshot=bool(snapshot))


# What Confluent Cloud's names and labels may hold (reference §4.3: lower-case letters, digits
# and '-', a letter or digit at both ends, at most 100)
_NAME_PREFIX = _re.compile(r'[a-z0-9][a-z0-9-]{0,62}')
_RESERVED = ('sql.current-catalog', 'sql.current-database', 'sql.snapshot.mode')


def _pair(key, secret, what):
    if bool(key) != bool(secret):
        raise InterfaceError('%s_api_key and %s_api_secret must be given together' % (what, what))
    return (key, secret) if key else None


def _connect_confluent(kw, properties, bearer_token, ca_file, insecure, connect_timeout, request_timeout,
                       max_retries, poll_interval, timeout, snapshot):
    org, env = kw.get('organization_id'), kw.get('environment_id')
    if not org or not env:
        raise InterfaceError('Confluent Cloud needs organization_id=... and environment_id=...')
    db, dbname = kw.get('database'), kw.get('dbname')
    if db and dbname and db != dbname:
        raise InterfaceError('database=%r and dbname=%r name two Kafka clusters: give one' % (db, dbname))
    # credentials: as confluent-sql chooses them; their values never appear in a message
    token = kw.get('external_access_token') or bearer_token
    pool = kw.get('identity_pool_id')
    glob = _pair(kw.get('global_api_key'), kw.get('global_api_secret'), 'global')
    flink = _pair(kw.get('flink_api_key'), kw.get('flink_api_secret'), 'flink')
    if token:
        if glob or flink:
            raise InterfaceError('a bearer token (external_access_token) cannot be combined with API keys')
        if not pool:
            raise InterfaceError('a bearer token (external_access_token) needs its identity_pool_id')
        key = None
    else:
        key = glob or flink
        if not key:
            raise InterfaceError('Confluent Cloud needs flink_api_key and flink_api_secret (or '
                                 'global_api_key and global_api_secret, or external_access_token)')
    if not kw.get('endpoint') and not (kw.get('cloud_provider') and kw.get('cloud_region')):
        raise InterfaceError('Confluent Cloud needs cloud_provider and cloud_region, or endpoint=...')
    prefix = kw.get('statement_name_prefix', 'dbapi-')
    if not isinstance(prefix, str) or not _NAME_PREFIX.fullmatch(prefix):
        raise InterfaceError('statement_name_prefix %r: use lower-case letters, digits and "-", starting '
                             'with a letter or digit (statement names are DNS labels)' % (prefix,))
    mode = kw.get('execution_mode')
    if mode is not None and mode not in _EXECUTION_MODES:
        raise InterfaceError('execution_mode %r: use one of %s' % (mode, ', '.join(sorted(_EXECUTION_MODES))))
    if snapshot is None:
        snapshot = bool(mode and _EXECUTION_MODES[mode])
    props = dict(properties.items() if isinstance(properties, dict) else (properties or ()))
    if kw.get('local_time_zone'):
        props.setdefault('sql.local-time-zone', kw['local_time_zone'])
    for k in props:
        if k in _RESERVED:
            raise ProgrammingError("'%s' is a reserved system property: the connection sets it" % k)
    if request_timeout is None and kw.get('http_timeout_secs') is not None:
        request_timeout = kw['http_timeout_secs']
    pause = kw.get('result_page_fetch_pause_millis')
    pause = 0.1 if pause is None else max(0.0, pause / 1000.0)
    cloud = _flink.Cloud(
        str(org), str(env), endpoint=kw.get('endpoint'), cloud_provider=kw.get('cloud_provider'),
        cloud_region=kw.get('cloud_region'), api_key=key[0] if key else None,
        api_secret=key[1] if key else None, bearer_token=token or None, identity_pool_id=pool if token else None,
        compute_pool_id=kw.get('compute_pool_id'), database=db or dbname, user_agent=kw.get('http_user_agent'),
        ca_file=ca_file, insecure=bool(insecure), connect_timeout_ms=_ms(connect_timeout, 'connect_timeout'),
        request_timeout_ms=_ms(request_timeout, 'request_timeout'),
        max_retries=-1 if max_retries is None else int(max_retries))
    conn = Connection(cloud, timeout=timeout, poll_interval=pause, snapshot=snapshot)
    conn._cloud_setup(org=str(org), env=str(env), database=db or dbname, prefix=prefix,
                      label=kw.get('statement_label'), properties=props,
                      phase_wait=(poll_interval if poll_interval else 1.0, float(kw.get('poll_max') or 30.0)),
                      endpoint=cloud.base_url)
    return conn


# ================================================================ time zones of TIMESTAMP_LTZ values

def _zone(name):
    """The tzinfo of a table.local-time-zone value; UTC for 'default' or an unknown zone"""
    if not name or name == 'default' or name in ('UTC', 'Z', 'GMT'):
        return datetime.timezone.utc
    import re
    m = re.fullmatch(r'(?:GMT|UTC)?([+-])(\d{1,2})(?::?(\d{2}))?', name)
    if m:
        off = datetime.timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
        return datetime.timezone(-off if m.group(1) == '-' else off)
    try:
        import zoneinfo
        return zoneinfo.ZoneInfo(name)
    except Exception:
        return datetime.timezone.utc


# ================================================================ connection


class Connection:
    """One gateway session, or one environment of Confluent Cloud. Flink SQL has no transactions:
    every statement takes effect when it runs, commit() has nothing to do and rollback() raises
    NotSupportedError."""

    Warning, Error, InterfaceError, DatabaseError = Warning, Error, InterfaceError, DatabaseError
    DataError, OperationalError, IntegrityError = DataError, OperationalError, IntegrityError
    InternalError, ProgrammingError, NotSupportedError = InternalError, ProgrammingError, NotSupportedError

    def __init__(self, session, timeout=None, poll_interval=0.1, snapshot=False):
        self._session = session
        self._cloud = isinstance(session, _flink.Cloud)
        self.snapshot = snapshot
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._cursors = []
        self._ltz = None
        # waits between polls: (first, growth, longest, jitter) while a statement may not be read
        # yet, and between empty pages of its results
        self._waits = {'NOT_READY': (0.005, 2.0, poll_interval, False),
                       'PAYLOAD': (0.005, 2.0, poll_interval, False)}
        self._properties = {}
        self._describe_target = ('gateway', getattr(session, 'handle', None))
        if not self._cloud:
            self._refresh_zone()

    def _cloud_setup(self, org, env, database, prefix, label, properties, phase_wait, endpoint):
        self._org, self._env, self._database = org, env, database
        self._prefix, self._label = prefix, label
        self._properties = dict(properties)
        # reference §14.1: reads of a pending statement back off 1 s growing 1.5 times up to 30 s,
        # with +-25 % jitter; result pages are paced (result_page_fetch_pause_millis)
        self._waits = {'NOT_READY': (phase_wait[0], 1.5, max(phase_wait[0], phase_wait[1]), True),
                       'PAYLOAD': (self.poll_interval, 1.0, self.poll_interval, False)}
        self._endpoint = endpoint
        self._refresh_zone()

    def _check(self):
        if self._session is None:
            raise InterfaceError('the connection is closed')
        return self._session

    def _refresh_zone(self):
        if self._cloud:
            # TIMESTAMP_LTZ values are written in sql.local-time-zone, UTC by default
            self._ltz = _zone(self._properties.get('sql.local-time-zone'))
            return
        try:
            conf = self._session.config()
        except Error:
            conf = {}
        self._ltz = _zone(conf.get('table.local-time-zone'))

    def __repr__(self):
        state = 'closed' if self._session is None else 'open'
        if self._cloud:
            return '<sluice_flink.Connection %s: Confluent Cloud %s, organization %s, environment %s%s>' % (
                state, self._endpoint, self._org, self._env,
                ', database %s' % self._database if self._database else '')
        return '<sluice_flink.Connection %s: Flink SQL Gateway session %s>' % (state, self._describe_target[1])

    @property
    def closed(self):
        return self._session is None

    @property
    def protocol(self):
        """'gateway' (the Flink SQL Gateway) or 'confluent' (Confluent Cloud's Statements API)"""
        return 'confluent' if self._cloud else 'gateway'

    @property
    def session_handle(self):
        """The gateway session's handle (None on Confluent Cloud, which has no sessions)"""
        s = self._check()
        return None if self._cloud else s.handle

    @property
    def api_version(self):
        s = self._check()
        return 'sql/v1' if self._cloud else s.api_version

    def gateway_info(self):
        """(product, version) of the gateway, e.g. ('Apache Flink', '2.0.0')"""
        s = self._check()
        if self._cloud:
            return ('Confluent Cloud', 'sql/v1')
        return s.info()

    def get_properties(self):
        """The session's effective configuration, a dict (Confluent Cloud: the properties every
        statement carries, with the catalog and database)"""
        s = self._check()
        if self._cloud:
            props = {'sql.current-catalog': self._env}
            if self._database:
                props['sql.current-database'] = self._database
            props.update(self._properties)
            return props
        return s.config()

    def set_property(self, key, value):
        """SET 'key' = 'value' in the session (Confluent Cloud: on every later statement)"""
        s = self._check()
        if self._cloud:
            key = str(key)
            if key in _RESERVED:
                raise ProgrammingError("'%s' is a reserved system property: the connection sets it" % key)
            if value is None:
                self._properties.pop(key, None)
            else:
                self._properties[key] = str(value).lower() if isinstance(value, bool) else str(value)
            self._refresh_zone()
            return
        s.configure('SET %s = %s' % (quote(str(key)), quote(str(value))))
        if key == 'table.local-time-zone':
            self._refresh_zone()

    # ---------------------------------------------------------------- Confluent Cloud's statements

    def _cloud_only(self, what):
        s = self._check()
        if not self._cloud:
            raise NotSupportedError('%s: the Flink SQL Gateway has no named statements (Confluent Cloud only)' % what)
        return s

    def list_statements(self, label=None):
        """The environment's statements (with the label, without its user.confluent.io/ prefix):
        dicts of name, phase, detail, statement, sql_kind, compute_pool_id, created_at, stopped,
        snapshot, bounded"""
        return self._cloud_only('list_statements').list(label)

    def get_statement(self, name):
        """One statement as a dict (list_statements' keys); ProgrammingError when missing"""
        return self._cloud_only('get_statement').get(name)

    def stop_statement(self, name):
        """Stops a statement (PATCH spec.stopped); it stays, STOPPED, until deleted"""
        self._cloud_only('stop_statement').stop(name)

    def resume_statement(self, name):
        """Runs a stopped statement again"""
        self._cloud_only('resume_statement').resume(name)

    def delete_statement(self, name):
        """Deletes a statement (a running one stops); a missing one counts as deleted"""
        self._cloud_only('delete_statement').delete(name)

    def _statement_name(self):
        return self._prefix + str(_uuid.uuid4())

    # ---------------------------------------------------------------- PEP 249

    def close(self):
        """Closes the cursors (a running query stops) and the session; again: no-op"""
        if self._session is None:
            return
        for c in list(self._cursors):
            c.close()
        session, self._session = self._session, None
        session.close()

    def commit(self):
        """Nothing to commit: every Flink statement takes effect as it runs"""
        self._check()

    def rollback(self):
        self._check()
        raise NotSupportedError('Flink SQL has no transactions: statements cannot be rolled back')

    def cursor(self, *, changelog=False, snapshot=None, snapshot_key=None):
        """A new cursor. changelog=True: rows are ChangelogRow(kind, row). snapshot=True: a query's
        changelog is folded and fetched once it ended (snapshot_key: the upsert key's column
        indexes, when known; on Confluent Cloud the query is a snapshot query,
        sql.snapshot.mode = now); by default, the connection's snapshot setting."""
        self._check()
        if snapshot is None:
            snapshot = self.snapshot and not changelog
        if changelog and snapshot:
            raise InterfaceError('a cursor gives either the changelog or its snapshot, not both')
        c = Cursor(self, changelog=changelog, snapshot=snapshot, snapshot_key=snapshot_key)
        self._cursors.append(c)
        return c

    def execute(self, operation, parameters=None, **kwargs):
        """A new cursor that ran operation (a shortcut many drivers offer)"""
        return self.cursor().execute(operation, parameters, **kwargs)

    def __enter__(self):
        self._check()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


# ================================================================ cursor

_DDL_RESULT = ('result',)


class Cursor:
    """Runs statements and fetches their rows. Rows arrive page by page: fetchone() and
    iteration wait for the next page while the query runs, so a streaming query yields its rows
    as they come, and fetchall() returns once the query ended."""

    def __init__(self, connection, changelog=False, snapshot=False, snapshot_key=None):
        self.connection = connection
        self.arraysize = 1
        self.changelog = changelog
        self.snapshot = snapshot
        self.snapshot_key = snapshot_key
        self._op = None
        self._buf = collections.deque()
        self._eos = True
        self._closed = False
        self._reset()

    # ---------------------------------------------------------------- state

    def _reset(self):
        self.description = None
        self.rowcount = -1
        self.rownumber = None
        self.lastrowid = None
        self.job_id = None
        self.operation_handle = None
        self.statement_name = None
        self.column_types = None
        self.is_query = False
        self._buf.clear()
        self._eos = True
        self._delivered = 0
        self._deadline = None
        self._timeout = None
        self._ltz = None

    def _check(self):
        if self._closed:
            raise InterfaceError('the cursor is closed')
        return self.connection._check()

    def _close_op(self):
        op, self._op = self._op, None
        if op is not None:
            op.close()

    @property
    def closed(self):
        return self._closed

    def close(self):
        """Closes the cursor and its statement (a running query's job stops)"""
        if self._closed:
            return
        try:
            self._close_op()
        finally:
            self._closed = True
            self._reset()
            try:
                self.connection._cursors.remove(self)
            except ValueError:
                pass

    def cancel(self):
        """Stops the running statement (cancel, then close: its job stops) and drops its rows"""
        self._check()
        if self._op is not None and not self._op.eos:
            try:
                self._op.cancel()
            except Error:
                pass  # it finished in the meantime: close is enough
        self._close_op()
        self._buf.clear()
        self._eos = True

    def __enter__(self):
        self._check()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            if not self._closed and self._op is not None:
                self._close_op()
        except Exception:
            pass

    # ---------------------------------------------------------------- execute

    def execute(self, operation, parameters=None, *, properties=None, name=None, labels=None,
                timeout=None, snapshot=None, snapshot_key=None, statement_name=None, statement_labels=None,
                compute_pool_id=None):
        """Runs one statement. parameters fill %s / %(name)s placeholders (paramstyle pyformat);
        properties: this statement's own configuration (the gateway's executionConfig, Confluent
        Cloud's spec.properties), e.g. {'execution.runtime-mode': 'batch'}; name: the job's name
        (pipeline.name), on Confluent Cloud the statement's name (statement_name, as
        confluent-sql calls it; by default the connection's prefix and a UUID); labels (or
        statement_labels): Confluent Cloud labels, besides the connection's statement_label;
        compute_pool_id: Confluent Cloud's pool for this statement; timeout: seconds this
        statement may take (a query: until its last row; default the connection's);
        snapshot / snapshot_key override the cursor's. Returns the cursor."""
        session = self._check()
        cloud = self.connection._cloud
        if not isinstance(operation, str):
            raise ProgrammingError('the statement must be a str, not %s' % type(operation).__name__)
        if statement_name is not None:
            if name is not None and name != statement_name:
                raise InterfaceError('give name= or statement_name=, not both')
            name = statement_name
        if statement_labels:
            labels = list(labels or ()) + list(statement_labels)
        if not cloud and (labels or compute_pool_id):
            raise NotSupportedError('statement labels and compute pools belong to Confluent Cloud statements; '
                                    'the Flink SQL Gateway has none (name the job with name=...)')
        sql = interpolate(operation, parameters)
        config = {}
        if properties:
            config.update((str(k), str(v).lower() if isinstance(v, bool) else str(v))
                          for k, v in dict(properties).items())
        if not cloud and name is not None:
            config['pipeline.name'] = str(name)
        self._close_op()
        self._reset()
        snap = self.snapshot if snapshot is None else snapshot
        key = self.snapshot_key if snapshot_key is None else snapshot_key
        if snap and self.changelog:
            raise InterfaceError('a cursor gives either the changelog or its snapshot, not both')
        if cloud and self._set_locally(sql):
            return self
        self._timeout = timeout if timeout is not None else self.connection.timeout
        if self._timeout is not None:
            self._deadline = _time.monotonic() + self._timeout
        if cloud:
            props = dict(self.connection._properties)
            for k in config:
                if k in _RESERVED:
                    raise ProgrammingError("'%s' is a reserved system property: the connection sets it%s" % (
                        k, ' (use a snapshot cursor for sql.snapshot.mode = now)' if k == 'sql.snapshot.mode' else ''))
            props.update(config)
            ltz = props.get('sql.local-time-zone')
            self._ltz = _zone(ltz) if ltz else datetime.timezone.utc
            all_labels = ([self.connection._label] if self.connection._label else []) + \
                [str(x) for x in (labels or ())]
            op = session.submit(str(name) if name is not None else self.connection._statement_name(), sql,
                                props or None, all_labels or None, snapshot=bool(snap),
                                compute_pool_id=compute_pool_id)
        else:
            ltz = config.get('table.local-time-zone')
            self._ltz = _zone(ltz) if ltz else self.connection._ltz
            op = session.submit(sql, config or None)
        self._op = op
        self._eos = False
        self._snap = bool(snap)
        self.operation_handle = op.handle
        self.statement_name = op.name if cloud else None
        try:
            if snap:
                op.snapshot(key)
            # the first answer: errors of parse and validation surface here, and the columns
            self._next_page(first=True)
            self.job_id = op.job_id
            self.is_query = op.is_query
            self._describe()
            if self.description is None:
                self._buf.clear()  # the 'OK' of a DDL statement is no result set
            if not op.is_query or snap:
                # DDL, SHOW, INSERT (its job id), and snapshots: read to their end now
                while not self._eos:
                    self._next_page()
        except BaseException:
            # a failed statement leaves nothing open on the gateway (Ctrl-C included); on
            # Confluent Cloud a failed or stopped query is deleted, freeing its name
            try:
                self._close_op()
            except Error:
                pass
            self._reset()
            raise
        if self._eos:
            self._finish()
        head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ''
        if head in ('SET', 'RESET') and not op.is_query and not cloud:
            self.connection._refresh_zone()
        return self

    _SET = _re.compile(r"\s*(SET|RESET)\s*(?:'((?:[^']|'')*)'(?:\s*=\s*'((?:[^']|'')*)')?)?\s*;?\s*", _re.I)

    def _set_locally(self, sql):
        """Confluent Cloud has no sessions: SET 'k' = 'v' and RESET 'k' change the properties of
        the connection's later statements, as Confluent's CLI does"""
        m = self._SET.fullmatch(sql)
        if not m:
            return False
        verb, key, value = m.group(1).upper(), m.group(2), m.group(3)
        key = key.replace("''", "'") if key is not None else None
        if verb == 'SET' and key is not None and value is not None:
            self.connection.set_property(key, value.replace("''", "'"))
            return True
        if verb == 'SET' and key is None:
            # SET alone lists the properties, as Flink's SQL client does
            props = self.connection.get_properties()
            self.description = [('key', 'VARCHAR', None, None, None, None, False),
                                ('value', 'VARCHAR', None, None, None, None, False)]
            self.column_types = ['STRING NOT NULL', 'STRING NOT NULL']
            self._buf.extend(sorted(props.items()))
            self.rowcount = len(self._buf)
            return True
        if verb == 'RESET':
            if key is None:
                self.connection._properties.clear()
            else:
                self.connection.set_property(key, None)
            self.connection._refresh_zone()
            return True
        return False

    def executemany(self, operation, seq_of_parameters, **kwargs):
        """Runs operation once for each set of parameters. rowcount is the sum of their row
        counts when each has one, else -1."""
        total = 0
        ran = False
        name = kwargs.pop('statement_name', None) or kwargs.pop('name', None)
        for i, params in enumerate(seq_of_parameters):
            if name is not None:
                # a gateway job keeps its name; a Confluent Cloud statement's is unique
                kwargs['name'] = '%s-%d' % (name, i + 1) if self.connection._cloud else name
            self.execute(operation, params, **kwargs)
            while not self._eos:  # a query's rows are not kept between runs
                self._next_page()
            ran = True
            if total >= 0:
                total = total + self.rowcount if self.rowcount >= 0 else -1
        if ran:
            self.description = None
            self.rowcount = total
        return self

    def callproc(self, procname, parameters=None):
        raise NotSupportedError('Flink SQL has no stored procedures callable through the SQL Gateway')

    def nextset(self):
        raise NotSupportedError('a Flink statement returns one result set')

    def setinputsizes(self, sizes):
        pass

    def setoutputsize(self, size, column=None):
        pass

    # ---------------------------------------------------------------- pages

    def _describe(self):
        cols = self._op.columns
        kind = self._op.result_kind
        if cols is None or (kind == 'SUCCESS' and not self._op.is_query):
            self.description = None
            self.column_types = None
            return
        # (name, type_code, display_size, internal_size, precision, scale, null_ok)
        desc = []
        for name, text, code, nullable, length, precision, scale, _comment in cols:
            size = length if length >= 0 else None
            desc.append((name, code, size, size, precision if precision >= 0 else None,
                         scale if scale >= 0 else None, nullable))
        self.description = desc
        self.column_types = [c[1] for c in cols]

    def _finish(self):
        self._eos = True
        if (self.is_query or self._snap) and self.description is not None:
            self.rowcount = self._delivered + len(self._buf)
        elif self.description is not None and self.job_id is None:
            self.rowcount = len(self._buf)
        else:
            self.rowcount = -1
        op, self._op = self._op, None
        if op is not None:
            op.close()

    def _next_page(self, first=False):
        """Reads pages until one brings rows (or, when first, the columns), waiting between empty
        ones and stopping at the end of the results or at the deadline"""
        op = self._op
        waits = self.connection._waits
        wait = {k: v[0] for k, v in waits.items()}
        while True:
            if self._deadline is not None and _time.monotonic() > self._deadline:
                partial = ''
                if self._snap:
                    partial = ' (a snapshot is a final result only once its query ended)'
                self.cancel()
                raise OperationalError('the statement did not end within %g s%s: it was canceled'
                                       % (self._timeout, partial))
            rtype, rows = op.fetch(self._ltz)
            if rtype == 'EOS':
                self._take(rows)
                self._eos = True
                return
            if rtype == 'PAYLOAD' and (rows or (first and not self._snap)):
                self._take(rows)
                return
            self._pause(waits[rtype], wait[rtype])
            _, growth, longest, _ = waits[rtype]
            wait[rtype] = min(wait[rtype] * growth, longest)

    def _pause(self, how, seconds):
        """Sleeps between two polls, with +-25 % jitter when asked, never past the deadline"""
        if how[3]:
            seconds *= 0.75 + 0.5 * _random.random()
        if self._deadline is not None:
            seconds = max(0.0, min(seconds, self._deadline - _time.monotonic() + 0.001))
        _time.sleep(seconds)

    def _take(self, rows):
        if self.changelog:
            self._buf.extend(ChangelogRow(k, r) for k, r in rows)
            return
        for kind, row in rows:
            if kind != '+I' and not self._snap:
                raise NotSupportedError(
                    'the result is a changelog (a %s row arrived): read it with '
                    'connection.cursor(changelog=True), or its final rows with '
                    'connection.cursor(snapshot=True)' % kind)
            self._buf.append(row)

    def _ensure(self):
        """True when a row is buffered, reading pages as needed"""
        while not self._buf:
            if self._eos or self._op is None:
                return False
            self._next_page()
            if self._eos and not self._buf:
                self._finish()
                return False
        return True

    # ---------------------------------------------------------------- fetch

    def _check_result(self):
        self._check()
        if self.description is None and not self._buf:
            raise ProgrammingError('no result to fetch: the last statement returned no rows '
                                   '(or none ran yet)')

    def fetchone(self):
        """The next row, waiting for it while the query runs; None at the end"""
        self._check_result()
        if not self._ensure():
            if self._op is not None:
                self._finish()
            return None
        row = self._buf.popleft()
        self._delivered += 1
        self.rownumber = self._delivered
        if not self._buf and self._eos and self._op is not None:
            self._finish()
        return row

    def fetchmany(self, size=None):
        """Up to size rows (arraysize by default): fewer only at the end"""
        self._check_result()
        if size is None:
            size = self.arraysize
        out = []
        while len(out) < size:
            row = self.fetchone()
            if row is None:
                break
            out.append(row)
        return out

    def fetchall(self):
        """Every remaining row: waits until the query ended"""
        self._check_result()
        out = []
        while True:
            row = self.fetchone()
            if row is None:
                return out
            out.append(row)

    def fetch_available(self):
        """The rows that arrived so far without waiting for more (one request when none is
        buffered): for consumers of a stream that poll"""
        self._check_result()
        if not self._buf and not self._eos and self._op is not None:
            rtype, rows = self._op.fetch(self._ltz)
            self._take(rows)
            if rtype == 'EOS':
                self._eos = True
        out = list(self._buf)
        self._buf.clear()
        self._delivered += len(out)
        if self._eos and self._op is not None:
            self._finish()
        return out

    def stream(self, max_rows=None, duration=None):
        """Yields the rows of the running query as they arrive, until its end, max_rows rows or
        duration seconds (then the query goes on running: stream again, or close the cursor to
        stop its job). Rows of a changelog cursor are ChangelogRow(kind, row)."""
        self._check_result()
        until = None if duration is None else _time.monotonic() + duration
        n = 0
        first_wait, growth, longest, _ = self.connection._waits['PAYLOAD']
        wait = first_wait
        while max_rows is None or n < max_rows:
            if self._buf:
                row = self._buf.popleft()
                self._delivered += 1
                self.rownumber = self._delivered
                n += 1
                wait = first_wait
                yield row
                continue
            if self._eos or self._op is None:
                if self._op is not None:
                    self._finish()
                return
            if until is not None and _time.monotonic() >= until:
                return
            if self._deadline is not None and _time.monotonic() > self._deadline:
                self._next_page()  # raises the timeout
            rtype, rows = self._op.fetch(self._ltz)
            self._take(rows)
            if rtype == 'EOS':
                self._eos = True
            elif not rows:
                pause = min(wait, longest)
                if until is not None:
                    pause = max(0.0, min(pause, until - _time.monotonic()))
                _time.sleep(pause)
                wait = min(wait * growth, longest)

    def snapshot_rows(self):
        """A snapshot cursor's fold so far (while its query runs: not a final result)"""
        self._check()
        if not self._snap:
            raise InterfaceError('not a snapshot cursor')
        if self._op is None:
            return list(self._buf)
        return [r for _, r in self._op.snapshot_rows()]

    def __iter__(self):
        return self

    def __next__(self):
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row
