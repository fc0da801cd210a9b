"""Configuration: the embedded default, --config files (validated against
config/schema.json), --listen / --data-dir overrides and the startup line.

A bad file must stop the start with a non-zero exit and a message naming the
file, the key and the problem.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness
from harness import Server, requires_process, unique_name

DEFAULT_QUEUES = {"payment-events", "payment-events-dlq", "payments-queue", "payments-dlq",
                  "refunds-queue", "refunds-dlq", "disputes-queue", "disputes-dlq"}


@requires_process("starts sluice with its own configurations")
class ConfigTestCase(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-e2e-config-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, content, name="sluice.json"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content, indent=2))
        return path

    def server(self, **kwargs):
        s = Server(**kwargs)
        self.addCleanup(s.cleanup)
        return s

    def queue_names(self, sqs):
        return {u.rsplit("/", 1)[1] for u in sqs.list_queues().get("QueueUrls", [])}

    def run_bad(self, config):
        """Starts sluice with a bad config; returns its output after it exits."""
        path = self.write(config)
        data_dir = os.path.join(self.dir, "data")
        cmd = [harness.sluice_bin(), "serve", "--config", path,
               "--listen", "127.0.0.1:%d" % harness.free_port(), "--data-dir", data_dir]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        except subprocess.TimeoutExpired:
            self.fail("sluice started with a bad config: %s" % config)
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn(path, proc.stderr, "the error does not name the file")
        return proc.stderr


class DefaultConfigTest(ConfigTestCase):

    def test_default_queues_are_created(self):
        s = self.server().start()
        sqs = s.client()
        self.assertTrue(DEFAULT_QUEUES <= self.queue_names(sqs))
        url = sqs.get_queue_url(QueueName="payment-events")["QueueUrl"]
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(a["VisibilityTimeout"], "60")
        self.assertEqual(json.loads(a["RedrivePolicy"])["maxReceiveCount"], 5)

    def test_restart_keeps_queues_and_is_idempotent(self):
        s = self.server().start()
        sqs = s.client()
        url = sqs.create_queue(QueueName="mine")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="survives")
        s.restart()
        sqs = s.client()
        self.assertTrue(DEFAULT_QUEUES | {"mine"} <= self.queue_names(sqs))
        m = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        self.assertEqual([x["Body"] for x in m], ["survives"])

    def test_startup_line_names_listen_address_and_data_dir(self):
        s = self.server().start()
        out = harness.wait_until(
            lambda: s.stdout() if "listening" in s.stdout() else None, timeout=5,
            message="startup line on stdout")
        self.assertIn("127.0.0.1:%d" % s.port, out)
        self.assertIn(s.data_dir, out)

    def test_data_lives_in_the_data_dir(self):
        s = self.server().start()
        s.client().create_queue(QueueName="on-disk")
        self.assertTrue(os.path.exists(os.path.join(s.data_dir, "sluice.db")))


class ConfigFileTest(ConfigTestCase):

    def test_custom_queues_replace_the_defaults(self):
        path = self.write({"queues": [
            {"name": "orders", "attributes": {"VisibilityTimeout": "90", "DelaySeconds": 2},
             "dead_letter": {"queue": "orders-dlq", "max_receive_count": 4},
             "tags": {"team": "shop"}},
            {"name": "orders-dlq", "attributes": {"MessageRetentionPeriod": 1209600}}]})
        s = self.server(config=path).start()
        sqs = s.client()
        names = self.queue_names(sqs)
        self.assertTrue({"orders", "orders-dlq"} <= names)
        self.assertNotIn("payments-queue", names)
        url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(a["VisibilityTimeout"], "90")
        self.assertEqual(a["DelaySeconds"], "2")
        redrive = json.loads(a["RedrivePolicy"])
        self.assertTrue(redrive["deadLetterTargetArn"].endswith(":orders-dlq"))
        self.assertEqual(int(redrive["maxReceiveCount"]), 4)
        self.assertEqual(sqs.list_queue_tags(QueueUrl=url).get("Tags"), {"team": "shop"})

    def test_http_only_config_keeps_the_default_queues(self):
        path = self.write({"http": {"max_connections": 100}})
        s = self.server(config=path).start()
        self.assertTrue(DEFAULT_QUEUES <= self.queue_names(s.client()))

    def test_account_and_region(self):
        path = self.write({"account_id": "111122223333", "region": "eu-west-1",
                           "queues": [{"name": "acct"}]})
        s = self.server(config=path).start()
        sqs = s.client()
        url = sqs.get_queue_url(QueueName="acct")["QueueUrl"]
        self.assertEqual(url, "%s/111122223333/acct" % s.endpoint())
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        self.assertEqual(arn["Attributes"]["QueueArn"], "arn:aws:sqs:eu-west-1:111122223333:acct")

    def test_listen_and_data_dir_from_the_file(self):
        port = harness.free_port()
        data_dir = os.path.join(self.dir, "from-file")
        path = self.write({"listen": "127.0.0.1:%d" % port, "data_dir": data_dir,
                           "queues": [{"name": "filed"}]})
        log = open(os.path.join(self.dir, "out.log"), "w+")
        self.addCleanup(log.close)
        proc = subprocess.Popen([harness.sluice_bin(), "serve", "--config", path],
                                stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        probe = Server(data_dir=data_dir)  # only its client helpers: no process
        self.addCleanup(probe.cleanup)
        probe.port = port
        harness.wait_until(lambda: self._up(probe, proc), timeout=10,
                           message="sluice listening where the config says")
        probe.client().get_queue_url(QueueName="filed")
        self.assertTrue(os.path.exists(os.path.join(data_dir, "sluice.db")))
        proc.terminate()
        self.assertEqual(proc.wait(timeout=15), 0)
        log.seek(0)
        out = log.read()
        self.assertIn("127.0.0.1:%d" % port, out)
        self.assertIn(data_dir, out)

    def test_command_line_overrides_the_file(self):
        file_port = harness.free_port()
        file_dir = os.path.join(self.dir, "file-dir")
        path = self.write({"listen": "127.0.0.1:%d" % file_port, "data_dir": file_dir,
                           "queues": [{"name": "overridden"}]})
        s = self.server(config=path).start()  # passes --listen and --data-dir
        self.assertNotEqual(s.port, file_port)
        s.client().get_queue_url(QueueName="overridden")
        self.assertTrue(os.path.exists(os.path.join(s.data_dir, "sluice.db")))
        self.assertFalse(os.path.exists(file_dir))
        out = harness.wait_until(lambda: s.stdout() or None, timeout=5)
        self.assertIn("127.0.0.1:%d" % s.port, out)
        self.assertIn(s.data_dir, out)

    @staticmethod
    def _up(probe, proc):
        if proc.poll() is not None:
            raise AssertionError("sluice exited with %d" % proc.returncode)
        try:
            return probe.raw_request("GET", "/health", timeout=2)[0] == 200
        except OSError:
            return False


class BadConfigTest(ConfigTestCase):

    def assert_names(self, stderr, *words):
        for w in words:
            self.assertRegex(stderr, re.compile(w, re.I), "stderr:\n" + stderr)

    def test_unknown_top_level_key(self):
        err = self.run_bad({"listen_address": "127.0.0.1:1"})
        self.assert_names(err, "listen_address", "unknown")

    def test_unknown_queue_key(self):
        err = self.run_bad({"queues": [{"name": "q", "atributes": {}}]})
        self.assert_names(err, "atributes", "unknown")

    def test_unknown_queue_attribute(self):
        err = self.run_bad({"queues": [{"name": "q", "attributes": {"VisiblityTimeout": 5}}]})
        self.assert_names(err, "VisiblityTimeout", "unknown")

    def test_unknown_http_key(self):
        err = self.run_bad({"http": {"max_conections": 5}})
        self.assert_names(err, "max_conections", "unknown")

    def test_wrong_types(self):
        cases = [
            ({"listen": 4566}, "listen"),
            ({"http": {"max_connections": "many"}}, "max_connections"),
            ({"queues": {"name": "q"}}, "queues"),
            ({"queues": [{"name": "q", "dead_letter": {"queue": "q",
                                                       "max_receive_count": "5"}}]},
             "max_receive_count"),
        ]
        for config, key in cases:
            with self.subTest(key=key):
                err = self.run_bad(config)
                self.assert_names(err, re.escape(key), "type|expected")

    def test_out_of_range_and_bad_values(self):
        cases = [
            ({"queues": [{"name": "q", "dead_letter": {"queue": "d", "max_receive_count": 0}},
                         {"name": "d"}]}, "max_receive_count"),
            ({"durability": "sometimes"}, "durability"),
            ({"queues": [{"name": "bad name"}]}, "name"),
            ({"queues": [{"name": "q", "attributes": {"VisibilityTimeout": 99999}}]},
             "VisibilityTimeout"),
        ]
        for config, key in cases:
            with self.subTest(key=key):
                self.assert_names(self.run_bad(config), re.escape(key))

    def test_dead_letter_queue_not_declared(self):
        err = self.run_bad({"queues": [
            {"name": "q", "dead_letter": {"queue": "q-dlq", "max_receive_count": 5}}]})
        self.assert_names(err, "q-dlq", "declare")

    def test_missing_required_key(self):
        err = self.run_bad({"queues": [{"dead_letter": {"queue": "x", "max_receive_count": 1}}]})
        self.assert_names(err, "name", "missing|required")

    def test_not_json(self):
        err = self.run_bad('{"queues": [ }')
        self.assert_names(err, "json|parse")

    def test_missing_file(self):
        path = os.path.join(self.dir, "absent.json")
        proc = subprocess.run([harness.sluice_bin(), "serve", "--config", path,
                               "--listen", "127.0.0.1:%d" % harness.free_port(),
                               "--data-dir", os.path.join(self.dir, "d")],
                              capture_output=True, text=True, timeout=20)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(path, proc.stderr)

    def test_bad_listen_flag(self):
        proc = subprocess.run([harness.sluice_bin(), "serve", "--listen", "nonsense",
                               "--data-dir", os.path.join(self.dir, "d")],
                              capture_output=True, text=True, timeout=20)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("nonsense", proc.stderr)


if __name__ == "__main__":
    unittest.main()
