"""The Confluent Cloud Statements API double (tests/ccloud) for the Python tests: started on free
loopback ports with a data folder of its own, stopped (and checked to exit 0) at the end. Its
admin port lets a test append Kafka records, read the requests it answered and set faults."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

ORG = '7c210ed4-0000-4000-8000-000000000000'
ENV = 'env-abc123'
KEY = 'FLINKKEY1'
SECRET = 's3cr3t-flink-7f2a'
TOKEN = 'tok-9c4e-secret'
IDENTITY_POOL = 'pool-abc'


class CloudDouble:
    def __init__(self, *args):
        binary = os.environ.get('SLUICE_CCLOUD_DOUBLE')
        if not binary or not os.path.exists(binary):
            raise RuntimeError('SLUICE_CCLOUD_DOUBLE must name the confluent-cloud-double binary')
        self.dir = tempfile.mkdtemp(prefix='sluice-py-cc-')
        self.data = os.path.join(self.dir, 'data')
        os.makedirs(self.data)
        files = {k: os.path.join(self.dir, k) for k in ('port', 'admin')}
        self.err = open(os.path.join(self.dir, 'stderr'), 'w+')
        self.proc = subprocess.Popen(
            [binary, '--data', self.data, '--port-file', files['port'], '--admin-port-file', files['admin'],
             '--org', ORG, '--env', ENV, '--database', 'cluster_0', '--api-key', '%s:%s' % (KEY, SECRET),
             '--token', TOKEN, '--identity-pool', IDENTITY_POOL, *args],
            stdout=subprocess.DEVNULL, stderr=self.err)
        # the port files appear (renamed into place) once it listens
        deadline = time.monotonic() + 30
        while not all(os.path.exists(f) for f in files.values()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.err.seek(0)
                raise RuntimeError('the Confluent Cloud double did not start: ' + self.err.read())
            time.sleep(0.02)
        ports = {}
        for k, f in files.items():
            with open(f) as fh:
                ports[k] = fh.read().strip()
        self.url = 'http://127.0.0.1:%s' % ports['port']
        self.admin_url = 'http://127.0.0.1:%s' % ports['admin']

    def admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b'null')

    def append(self, topic, records):
        return self.admin('POST', '/topics/' + topic, records)

    def requests(self):
        return self.admin('GET', '/requests')

    def statements(self):
        """{name: phase} of the statements the double holds"""
        return {s['name']: s['phase'] for s in self.admin('GET', '/statements')}

    def stop(self):
        """SIGTERM; the exit code (0 when it stopped cleanly)"""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.err.seek(0)
        self.stderr = self.err.read()
        self.err.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc
