"""Pipeline 1 end to end on the embedded default configuration:
POST /payments -> payment-events -> the built-in worker -> the encrypted
sink (bucket payments, raw/dt=YYYY-MM-DD/<uuid>.json), checked with the
`sluice sink|keys|workers` commands and by looking at the files on disk.

Also: a message the worker cannot archive ends in payment-events-dlq after
five receives (visibility shortened by a test config), tampering is
detected, and keys rotate, rewrap and retire.
"""

import datetime
import glob
import json
import os
import stat
import time
import unittest
import uuid

from harness import Server, ServerTestCase, post_json, requires_process, run_sluice, wait_until


def utc_today():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")


class SinkCommands:
    """`sluice` admin commands against self.server."""

    def sluice(self, *args, expect=0, text=True):
        result = run_sluice(*args, "--endpoint", self.server.endpoint(), text=text)
        if expect is not None:
            self.assertEqual(result.returncode, expect, "sluice %s: %r %r" % (args, result.stdout, result.stderr))
        return result

    def sluice_json(self, *args):
        return json.loads(self.sluice(*args, "--json").stdout)

    def objects(self, prefix="payments/raw/"):
        return self.sluice_json("sink", "ls", prefix)

    def object_file(self, key, bucket="payments"):
        pattern = os.path.join(self.server.data_dir, "sink", bucket, glob.escape(key) + "*")
        files = [f for f in glob.glob(pattern) if os.path.isfile(f)]
        self.assertEqual(len(files), 1, (pattern, files))
        return files[0]

    def wait_for_object(self, payment_id, timeout=15):
        """Waits until the worker archived the event with `payment_id`;
        returns (key, plaintext)."""
        def find():
            for obj in self.objects():
                body = self.sluice("sink", "cat", "payments/" + obj["key"], text=False).stdout
                if json.loads(body).get("payment_id") == payment_id:
                    return obj["key"], body
            return None
        return wait_until(find, timeout=timeout, interval=0.2, message="object for %s" % payment_id)


def list_rows(listing):
    # `sink ls --json` prints the objects (a list), possibly wrapped.
    return listing["objects"] if isinstance(listing, dict) else listing


@requires_process("reads the data directory")
class PaymentsPipelineTest(SinkCommands, ServerTestCase):

    def objects(self, prefix="payments/raw/"):
        return list_rows(SinkCommands.objects(self, prefix))

    def test_payment_is_archived_encrypted_under_todays_partition(self):
        payment_id = "pay_" + uuid.uuid4().hex
        status, _, body = post_json(self.server, "/payments", {"payment_id": payment_id, "amount": 99.5})
        self.assertEqual(status, 200, body)
        key, plaintext = self.wait_for_object(payment_id)
        event = json.loads(plaintext)
        self.assertEqual(event["payment_id"], payment_id)
        self.assertEqual(event["amount"], 99.5)
        self.assertIn("ts", event)  # the gateway's default, archived as enqueued
        self.assertRegex(key, r"^raw/dt=%s/[0-9a-f-]{36}\.json$" % utc_today())
        # At rest: the file mirrors the key and holds no plaintext.
        path = self.object_file(key)
        self.assertTrue(path.startswith(os.path.join(self.server.data_dir, "sink", "payments", "raw",
                                                     "dt=" + utc_today())))
        with open(path, "rb") as f:
            raw = f.read()
        self.assertNotIn(payment_id.encode(), raw)
        self.assertNotIn(b"amount", raw)
        # The message was deleted once the object was durable.
        sqs = self.server.client()
        url = sqs.get_queue_url(QueueName="payment-events")["QueueUrl"]
        wait_until(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                   ["ApproximateNumberOfMessagesNotVisible"] == "0", message="message deleted")
        self.assertEqual(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
                         ["Attributes"]["ApproximateNumberOfMessages"], "0")
        workers = self.sluice_json("workers")
        workers = workers["workers"] if isinstance(workers, dict) else workers
        [archiver] = [w for w in workers if w["name"] == "payment-archiver"]
        self.assertEqual(archiver["queue"], "payment-events")
        self.assertEqual(archiver["state"], "running")
        self.assertGreaterEqual(archiver["processed"], 1)
        table = self.sluice("workers").stdout
        self.assertIn("payment-archiver", table)
        ls = self.sluice("sink", "ls", "payments/raw/").stdout
        self.assertIn(key, ls)

    def test_tampered_object_is_reported_never_returned(self):
        ids = ["pay_" + uuid.uuid4().hex for _ in range(2)]
        for payment_id in ids:
            self.assertEqual(post_json(self.server, "/payments", {"payment_id": payment_id, "amount": 1})[0], 200)
        damaged_key, _ = self.wait_for_object(ids[0])
        intact_key, intact_body = self.wait_for_object(ids[1])
        path = self.object_file(damaged_key)
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0x01]))
        cat = self.sluice("sink", "cat", "payments/" + damaged_key, expect=None, text=False)
        self.assertNotEqual(cat.returncode, 0)
        self.assertEqual(cat.stdout, b"")
        self.assertIn(b"integrity", cat.stderr)
        verify = self.sluice("sink", "verify", "payments", expect=None)
        self.assertNotEqual(verify.returncode, 0)
        self.assertIn(damaged_key, verify.stdout + verify.stderr)
        self.assertNotIn(intact_key, verify.stdout + verify.stderr)
        self.assertEqual(self.sluice("sink", "cat", "payments/" + intact_key, text=False).stdout, intact_body)
        # Repair for the other tests: flip the byte back.
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            f.write(byte)
        self.sluice("sink", "verify", "payments")

    def test_rotate_rewrap_retire(self):
        keyring = os.path.join(self.server.data_dir, "keyring.json")
        self.assertEqual(stat.S_IMODE(os.stat(keyring).st_mode), 0o600)
        before = self.sluice_json("keys")
        old_version = before["active"]
        first = "pay_" + uuid.uuid4().hex
        post_json(self.server, "/payments", {"payment_id": first, "amount": 1})
        first_key, first_body = self.wait_for_object(first)
        rotated = self.sluice_json("keys", "rotate")
        new_version = rotated["version"]
        self.assertEqual(new_version, old_version + 1)
        second = "pay_" + uuid.uuid4().hex
        post_json(self.server, "/payments", {"payment_id": second, "amount": 2})
        second_key, second_body = self.wait_for_object(second)
        versions = {o["key"]: o["key_version"] for o in self.objects()}
        self.assertEqual(versions[first_key], old_version)
        self.assertEqual(versions[second_key], new_version)
        # Old objects still decrypt; the old version cannot go while used.
        self.assertEqual(self.sluice("sink", "cat", "payments/" + first_key, text=False).stdout, first_body)
        refused = self.sluice("keys", "retire", str(old_version), expect=None)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("rewrap", refused.stderr)
        path = self.object_file(first_key)
        with open(path, "rb") as f:
            data_before = f.read()
        rewrapped = self.sluice_json("keys", "rewrap")
        self.assertEqual(rewrapped["version"], new_version)
        self.assertGreaterEqual(rewrapped["rewrapped"], 1)
        with open(path, "rb") as f:
            data_after = f.read()
        self.assertEqual(len(data_before), len(data_after))  # header rewritten in place, data untouched
        self.assertNotEqual(data_before, data_after)
        self.assertTrue(all(o["key_version"] == new_version for o in self.objects()))
        self.sluice("keys", "retire", str(old_version))
        states = {v["version"]: v["state"] for v in self.sluice_json("keys")["versions"]}
        self.assertEqual(states[old_version], "retired")
        self.assertEqual(states[new_version], "active")
        self.assertEqual(self.sluice("sink", "cat", "payments/" + first_key, text=False).stdout, first_body)
        self.assertEqual(self.sluice("sink", "cat", "payments/" + second_key, text=False).stdout, second_body)


FAILING_CONFIG = {
    "queues": [
        {"name": "payment-events", "attributes": {"VisibilityTimeout": 1},
         "dead_letter": {"queue": "payment-events-dlq", "max_receive_count": 5}},
        {"name": "payment-events-dlq"},
    ],
    "routes": [{
        "name": "payments", "path": "/payments",
        "schema": {"type": "object", "required": ["amount"]},
        "target": {"queue": "payment-events"},
    }],
    "workers": [{"name": "payment-archiver", "queue": "payment-events", "bucket": "payments",
                 "batch_size": 5, "wait_seconds": 20, "required_fields": ["payment_id"]}],
}


@requires_process("uses its own configuration")
class FailingMessagesTest(SinkCommands, ServerTestCase):
    config_text = json.dumps(FAILING_CONFIG)

    def test_unarchivable_messages_land_in_the_dlq_after_five_receives(self):
        # The gateway route here requires no payment_id: the worker refuses it.
        status, _, body = post_json(self.server, "/payments", {"amount": 5, "note": "no id"})
        self.assertEqual(status, 200, body)
        sqs = self.server.client()
        url = sqs.get_queue_url(QueueName="payment-events")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="not json at all")
        dlq = sqs.get_queue_url(QueueName="payment-events-dlq")["QueueUrl"]

        def dead_lettered():
            n = int(sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
                    ["Attributes"]["ApproximateNumberOfMessages"])
            return n == 2
        wait_until(dead_lettered, timeout=40, interval=0.25, message="both messages in the DLQ")
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10,
                                       AttributeNames=["ApproximateReceiveCount"])["Messages"]
        self.assertEqual(sorted(m["Body"] for m in messages), sorted(['{"amount":5,"note":"no id"}',
                                                                       "not json at all"]))
        for m in messages:
            self.assertGreaterEqual(int(m["Attributes"]["ApproximateReceiveCount"]), 5)
        workers = self.sluice_json("workers")
        workers = workers["workers"] if isinstance(workers, dict) else workers
        [archiver] = workers
        self.assertEqual(archiver["processed"], 0)
        self.assertEqual(archiver["failed"], 10)
        self.assertRegex(archiver["last_error"], "body (has no payment_id|is not JSON)")
        self.assertEqual(list_rows(self.sluice_json("sink", "ls", "payments")), [])


LEDGER_CONFIG = {
    "queues": [{"name": "ledger.fifo", "attributes": {"VisibilityTimeout": 300}}],
    "routes": [{
        "name": "ledger", "path": "/ledger",
        "schema": {"type": "object", "required": ["event_id", "account"],
                   "properties": {"event_id": {"type": "string"}, "account": {"type": "string"}}},
        "dedup": {"key": "event_id", "ttl_seconds": 3600},
        "target": {"queue": "ledger.fifo", "message_group_field": "account"},
    }],
    "sink": {"buckets": ["ledger"]},
    "workers": [{"name": "ledger-archiver", "queue": "ledger.fifo", "bucket": "ledger", "batch_size": 1,
                 "required_fields": ["event_id"], "key": "events/${message_id}.json"}],
}


@requires_process("uses its own configuration")
class FifoPipelineTest(SinkCommands, ServerTestCase):
    """A worker archiving a FIFO queue fed by a route: one message group is
    held while the worker has a message of it, so the worker must see each
    next message after its delete, and every event ends up archived."""

    config_text = json.dumps(LEDGER_CONFIG)

    def test_worker_archives_every_event_of_a_fifo_queue(self):
        sent = []
        for i in range(8):
            body = {"event_id": "evt-%d" % i, "account": "acct-%d" % (i % 2)}
            status, _, answer = post_json(self.server, "/ledger", body)
            self.assertEqual(status, 200, answer)
            sent.append(body["event_id"])

        def archived():
            rows = list_rows(self.objects("ledger/events/"))
            return rows if len(rows) >= len(sent) else None

        rows = wait_until(archived, timeout=20, interval=0.2, message="8 archived events")
        events = sorted(json.loads(self.sluice("sink", "cat", "ledger/" + row["key"]).stdout)["event_id"]
                        for row in rows)
        self.assertEqual(events, sorted(sent))
        sqs = self.server.client()
        url = sqs.get_queue_url(QueueName="ledger.fifo")["QueueUrl"]
        wait_until(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                   ["ApproximateNumberOfMessagesNotVisible"] == "0", message="every message deleted")


@requires_process("restarts the server")
class RestartTest(SinkCommands, unittest.TestCase):

    def test_objects_and_keys_survive_restart_and_kill(self):
        self.server = Server()
        self.addCleanup(self.server.cleanup)
        self.server.start()
        payment_id = "pay_" + uuid.uuid4().hex
        self.assertEqual(post_json(self.server, "/payments", {"payment_id": payment_id, "amount": 3})[0], 200)
        key, body = self.wait_for_object(payment_id)
        self.sluice("keys", "rotate")
        self.server.restart()
        self.assertEqual(self.sluice("sink", "cat", "payments/" + key, text=False).stdout, body)
        self.assertEqual(self.sluice_json("keys")["active"], 2)
        self.server.restart(kill=True)
        self.assertEqual(self.sluice("sink", "cat", "payments/" + key, text=False).stdout, body)
        self.sluice("sink", "verify")


if __name__ == "__main__":
    unittest.main()


@requires_process("deletes a default queue")
class ReadinessTest(SinkCommands, unittest.TestCase):

    def test_ready_reports_a_worker_that_cannot_receive(self):
        self.server = Server()
        self.addCleanup(self.server.cleanup)
        self.server.start()
        status, _, body = self.server.raw_request("GET", "/health/ready")
        self.assertEqual((status, json.loads(body)), (200, {"status": "ready"}))
        sqs = self.server.client()
        url = sqs.get_queue_url(QueueName="payment-events")["QueueUrl"]
        sqs.delete_queue(QueueUrl=url)

        def not_ready():
            status, _, body = self.server.raw_request("GET", "/health/ready")
            return (status, json.loads(body)) if status == 503 else None
        status, body = wait_until(not_ready, timeout=30, message="/health/ready turns 503")
        self.assertEqual(body["status"], "not ready")
        self.assertIn("payment-archiver", body["reason"])
        self.assertIn("payment-events", body["reason"])
        # Liveness is another matter: the process serves.
        self.assertEqual(self.server.raw_request("GET", "/health/live")[0], 200)
        # The queue comes back: the worker recovers on its own.
        sqs.create_queue(QueueName="payment-events")
        wait_until(lambda: self.server.raw_request("GET", "/health/ready")[0] == 200, timeout=30,
                   message="ready again")
        self.server.stop()
