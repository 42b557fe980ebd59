"""The Flink SQL Gateway double for the Python tests: started on free loopback ports with a data
folder of its own, stopped (and checked to exit 0) at the end. Its admin API lets a test append
Kafka records, list the statements it received and the jobs they made."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request


class Double:
    """A test double's process: `binary_env` names its binary, `ports` the port files it writes
    (renamed into place once it listens); `argv(data, files)` is its command line."""

    def start(self, binary_env, what, prefix, ports, argv):
        binary = os.environ.get(binary_env)
        if not binary or not os.path.exists(binary):
            raise RuntimeError('%s must name the %s binary' % (binary_env, what))
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.data = os.path.join(self.dir, 'data')
        files = {k: os.path.join(self.dir, k) for k in ports}
        self.err = open(os.path.join(self.dir, 'stderr'), 'w+')
        self.proc = subprocess.Popen([binary, *argv(self.data, files)], stdout=subprocess.DEVNULL,
                                     stderr=self.err)
        deadline = time.monotonic() + 30
        while not all(os.path.exists(f) for f in files.values()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.err.seek(0)
                raise RuntimeError('the %s did not start: %s' % (what, self.err.read()))
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


class Gateway(Double):
    def __init__(self, *args):
        def argv(data, files):
            os.makedirs(os.path.join(data, 'topics'))
            return ['--data', data, '--port', '0', '--port-file', files['port'],
                    '--admin-port-file', files['admin'], '--jobmanager-port-file', files['jm'], *args]
        self.start('SLUICE_FLINK_DOUBLE', 'flink-gateway-double', 'sluice-py-', ('port', 'admin', 'jm'), argv)
