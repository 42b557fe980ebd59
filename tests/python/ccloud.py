"""The Confluent Cloud Statements API double (tests/ccloud) for the Python tests: started on free
loopback ports with a data folder of its own, stopped (and checked to exit 0) at the end. Its
admin port lets a test append Kafka records, read the requests it answered and set faults."""
import os

from gateway import Double

ORG = '7c210ed4-0000-4000-8000-000000000000'
ENV = 'env-abc123'
KEY = 'FLINKKEY1'
SECRET = 's3cr3t-flink-7f2a'
TOKEN = 'tok-9c4e-secret'
IDENTITY_POOL = 'pool-abc'


class CloudDouble(Double):
    def __init__(self, *args):
        def argv(data, files):
            os.makedirs(data)
            return ['--data', data, '--port-file', files['port'], '--admin-port-file', files['admin'],
                    '--org', ORG, '--env', ENV, '--database', 'cluster_0', '--api-key', '%s:%s' % (KEY, SECRET),
                    '--token', TOKEN, '--identity-pool', IDENTITY_POOL, *args]
        self.start('SLUICE_CCLOUD_DOUBLE', 'confluent-cloud-double', 'sluice-py-cc-', ('port', 'admin'), argv)

    def requests(self):
        return self.admin('GET', '/requests')

    def statements(self):
        """{name: phase} of the statements the double holds"""
        return {s['name']: s['phase'] for s in self.admin('GET', '/statements')}
