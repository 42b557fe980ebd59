"""Client-side parameter interpolation for Flink SQL (paramstyle 'pyformat').

Neither the Flink SQL Gateway nor Confluent Cloud's Statements API binds parameters, so values are
written into the statement as Flink SQL literals. Placeholders are recognised only in SQL itself,
never inside '...' strings, `...` or "..." identifiers and comments, so a literal such as
LIKE 'a%' needs no escaping; outside them '%%' stands for the modulo operator '%'.

    %s          the next value of a sequence of parameters
    %(name)s    the value of a mapping's key
"""
import datetime
import decimal
import math

from ._flink import ProgrammingError, DataError


def _string(s):
    # Flink SQL (Calcite) strings know only one escape: a doubled quote; backslashes are plain
    return "'" + s.replace("'", "''") + "'"


def _fraction(us):
    return ('.%06d' % us).rstrip('0') if us else ''


def quote(v):
    """The Flink SQL literal of a Python value."""
    if v is None:
        return 'NULL'
    if v is True:
        return 'TRUE'
    if v is False:
        return 'FALSE'
    if isinstance(v, int):
        v = int(v)
        if v == -9223372036854775808:
            # -9223372036854775808 is the negation of a DECIMAL(19, 0) in Flink SQL, not a BIGINT
            return '(-9223372036854775807 - 1)'
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "CAST('NaN' AS DOUBLE)"
        if math.isinf(v):
            return "CAST('%sInfinity' AS DOUBLE)" % ('-' if v < 0 else '')
        r = repr(v)
        # 1.5 alone is DECIMAL(2, 1) in Flink SQL; with an exponent it is a DOUBLE
        return r.upper() if 'e' in r else r + 'E0'
    if isinstance(v, decimal.Decimal):
        if not v.is_finite():
            raise DataError('cannot write the Decimal %s as Flink SQL: DECIMAL has no NaN or infinity' % v)
        return format(v, 'f')
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "X'%s'" % bytes(v).hex()
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None and v.utcoffset() is not None:
            # an instant: TIMESTAMP_LTZ from its epoch milliseconds (Flink's precision 3)
            epoch = v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
            us = (epoch.days * 86400 + epoch.seconds) * 1000000 + epoch.microseconds
            if us % 1000:
                raise DataError('cannot write %s as Flink SQL: a TIMESTAMP_LTZ literal keeps milliseconds, '
                                'not microseconds (pass a naive datetime for a TIMESTAMP)' % v.isoformat())
            return 'TO_TIMESTAMP_LTZ(%d, 3)' % (us // 1000)
        return "TIMESTAMP '%04d-%02d-%02d %02d:%02d:%02d%s'" % (
            v.year, v.month, v.day, v.hour, v.minute, v.second, _fraction(v.microsecond))
    if isinstance(v, datetime.date):
        return "DATE '%04d-%02d-%02d'" % (v.year, v.month, v.day)
    if isinstance(v, datetime.time):
        if v.tzinfo is not None:
            raise DataError('cannot write the time %s as Flink SQL: TIME has no time zone' % v.isoformat())
        return "TIME '%02d:%02d:%02d%s'" % (v.hour, v.minute, v.second, _fraction(v.microsecond))
    if isinstance(v, datetime.timedelta):
        sign = '-' if v < datetime.timedelta(0) else ''
        v = abs(v)
        h, rest = divmod(v.seconds, 3600)
        m, s = divmod(rest, 60)
        ms, rem = divmod(v.microseconds, 1000)
        if rem:
            raise DataError('cannot write %r as Flink SQL: intervals keep milliseconds' % v)
        return "INTERVAL '%s%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)" % (sign, v.days, h, m, s, ms)
    if isinstance(v, list):
        if not v:
            raise DataError('cannot write an empty list as Flink SQL: ARRAY[] needs an element type')
        return 'ARRAY[' + ', '.join(quote(x) for x in v) + ']'
    if isinstance(v, (tuple, set, frozenset)):
        # a tuple is a list of values, for IN (%s)
        items = sorted(v, key=repr) if isinstance(v, (set, frozenset)) else v
        if not items:
            raise DataError('cannot write an empty tuple as Flink SQL: IN () is not SQL')
        return '(' + ', '.join(quote(x) for x in items) + ')'
    if isinstance(v, dict):
        if not v:
            raise DataError('cannot write an empty dict as Flink SQL: MAP[] needs key and value types')
        return 'MAP[' + ', '.join(quote(k) + ', ' + quote(x) for k, x in v.items()) + ']'
    raise ProgrammingError('cannot write a value of type %s as a Flink SQL literal' % type(v).__name__)


def _skip_quoted(sql, i, q):
    """Index after the quoted part that starts at sql[i] == q (doubled quotes stay inside)"""
    j = i + 1
    n = len(sql)
    while j < n:
        if sql[j] == q:
            if j + 1 < n and sql[j + 1] == q:
                j += 2
                continue
            return j + 1
        j += 1
    return n


def interpolate(sql, params):
    """sql with its placeholders replaced by the literals of params (a sequence or a mapping)"""
    if params is None:
        return sql
    mapping = hasattr(params, 'keys') and hasattr(params, '__getitem__') and not isinstance(params, (str, bytes))
    if not mapping:
        if isinstance(params, (str, bytes)):
            raise ProgrammingError('parameters must be a sequence or a mapping, not %s' % type(params).__name__)
        params = list(params)
    out = []
    used = 0
    i = 0
    n = len(sql)
    start = 0
    while i < n:
        c = sql[i]
        if c in "'`\"":
            i = _skip_quoted(sql, i, c)
            continue
        if c == '-' and sql.startswith('--', i):
            j = sql.find('\n', i)
            i = n if j < 0 else j + 1
            continue
        if c == '/' and sql.startswith('/*', i):
            j = sql.find('*/', i + 2)
            i = n if j < 0 else j + 2
            continue
        if c != '%':
            i += 1
            continue
        out.append(sql[start:i])
        if sql.startswith('%%', i):
            out.append('%')
            i += 2
        elif sql.startswith('%s', i):
            if mapping:
                raise ProgrammingError('the statement has a %%s placeholder at offset %d but the parameters '
                                       'are a mapping: use %%(name)s' % i)
            if used >= len(params):
                raise ProgrammingError('the statement has more %%s placeholders than the %d parameters given'
                                       % len(params))
            out.append(quote(params[used]))
            used += 1
            i += 2
        elif sql.startswith('%(', i):
            j = sql.find(')s', i)
            if j < 0:
                raise ProgrammingError('unfinished placeholder at offset %d: write %%(name)s' % i)
            name = sql[i + 2:j]
            if not mapping:
                raise ProgrammingError('the statement has the placeholder %%(%s)s but the parameters are a '
                                       'sequence: pass a mapping' % name)
            try:
                value = params[name]
            except KeyError:
                raise ProgrammingError('no parameter named %r for the placeholder %%(%s)s' % (name, name)) from None
            out.append(quote(value))
            i = j + 2
        else:
            raise ProgrammingError("a lone '%%' at offset %d: write '%%%%' for the operator, %%s or %%(name)s "
                                   "for a parameter" % i)
        start = i
    out.append(sql[start:])
    if not mapping and used != len(params):
        raise ProgrammingError('%d parameters given, but the statement has %d %%s placeholders'
                               % (len(params), used))
    return ''.join(out)
