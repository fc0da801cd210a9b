"""The sink's startup check, end to end: files planted, removed or left torn
while the server was down, and a kill -9 while the worker archives.

  (a) an orphan sealed file (no row names it) and a temp file in
      <data>/sink/.tmp/ are removed at start and reported on the
      "sink check:" line; `sluice sink verify` then passes;
  (b) an object whose file was deleted is reported by the check, fails
      `sluice sink verify` (exit 4, naming it) and `sluice sink cat`;
  (c) kill -9 while POST /payments events stream in and the worker archives
      them: after a restart every acknowledged payment is in the bucket (at
      least once), verify passes (nothing torn) and every sealed file on
      disk is an object that `sluice sink ls` lists.
"""

import collections
import json
import os
import re
import shutil
import tempfile
import threading
import unittest
import uuid

import harness
from harness import Server, post_json, requires_process, run_sluice, wait_until

EXIT_DAMAGED = 4  # `sluice sink verify|cat` on damaged data (src/cli/commands.h)
SEALED = re.compile(r"^(?P<key>.+)\.(?P<generation>[0-9a-f]{16})\.sealed$")


def sealed_files(data_dir, bucket="payments"):
    """{key: [generation, ...]} of the sealed files under the bucket."""
    root = os.path.join(data_dir, "sink", bucket)
    found = collections.defaultdict(list)
    for directory, _, names in os.walk(root):
        for name in names:
            relative = os.path.relpath(os.path.join(directory, name), root)
            match = SEALED.match(relative)
            if match:
                found[match.group("key")].append(match.group("generation"))
    return dict(found)


def fast_redelivery_config():
    """The embedded configuration with a 3 s visibility timeout on
    payment-events, so that what a killed worker had received comes back
    soon after the restart."""
    with open(os.path.join(harness.REPO, "config", "default.json")) as f:
        default = json.load(f)
    config = {name: default[name] for name in ("queues", "routes", "workers")}
    for queue in config["queues"]:
        if queue["name"] == "payment-events":
            queue["attributes"]["VisibilityTimeout"] = 3
    return config


@requires_process("plants files in the data directory and restarts the server")
class SinkRecoveryTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-e2e-sinkrec-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def start(self, config=None):
        path = None
        if config is not None:
            path = os.path.join(self.tmp, "sluice.json")
            with open(path, "w") as f:
                json.dump(config, f)
        self.server = Server(config=path)
        self.addCleanup(self.server.cleanup)
        return self.server.start()

    def sluice(self, *args, expect=0, text=True):
        result = run_sluice(*args, "--endpoint", self.server.endpoint(), text=text)
        if expect is not None:
            self.assertEqual(result.returncode, expect, "sluice %s: %r %r" % (args, result.stdout, result.stderr))
        return result

    def objects(self):
        """`sluice sink ls payments --json`: {key: object}."""
        listed = json.loads(self.sluice("sink", "ls", "payments", "--json").stdout)
        self.assertIsInstance(listed, list)
        return {o["key"]: o for o in listed}

    def archive(self, amount=1):
        """POSTs one payment and waits until the worker archived it: its key."""
        payment_id = "pay_" + uuid.uuid4().hex
        status, _, body = post_json(self.server, "/payments", {"payment_id": payment_id, "amount": amount})
        self.assertEqual(status, 200, body)

        def find():
            for key in self.objects():
                content = self.sluice("sink", "cat", "payments/" + key, text=False).stdout
                if json.loads(content).get("payment_id") == payment_id:
                    return key
            return None
        return wait_until(find, timeout=20, interval=0.1, message="object for %s" % payment_id)

    def check_line(self):
        """The summary line of the startup check in the current stderr."""
        lines = [line for line in self.server.stderr().splitlines() if "sink check: " in line and " objects, " in line]
        self.assertEqual(len(lines), 1, self.server.stderr())
        return lines[0]

    def queue_empty(self, sqs, url):
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                          "ApproximateNumberOfMessagesDelayed"])["Attributes"]
        return all(value == "0" for value in attributes.values())

    # (a)
    def test_orphan_and_temp_files_are_removed_and_reported_at_start(self):
        self.start()
        real_key = self.archive()
        self.server.stop()

        sink = os.path.join(self.server.data_dir, "sink")
        orphan_dir = os.path.join(sink, "payments", "raw", "dt=2026-01-01")
        orphan = os.path.join(orphan_dir, "ghost.json.0123456789abcdef.sealed")
        temp = os.path.join(sink, ".tmp", "fedcba9876543210.tmp")
        stranger = os.path.join(sink, "payments", "README.txt")  # not ours: left alone
        os.makedirs(orphan_dir, exist_ok=True)
        for path in (orphan, temp, stranger):
            with open(path, "wb") as f:
                f.write(b"SLUICEOB" + os.urandom(200))
        self.assertTrue(os.path.isdir(os.path.join(sink, ".tmp")))

        self.server.start()
        self.assertFalse(os.path.exists(orphan), "the orphan sealed file is still there")
        self.assertFalse(os.path.exists(temp), "the temp file is still there")
        self.assertFalse(os.path.exists(orphan_dir), "the emptied directory was not pruned")
        self.assertTrue(os.path.exists(stranger), "a file that is not a sealed object was removed")
        line = self.check_line()
        self.assertIn("sink check: 1 objects, ", line)
        self.assertIn("removed 1 orphan files: payments/raw/dt=2026-01-01/ghost.json.0123456789abcdef.sealed", line)
        self.assertIn("removed 1 temp files", line)
        self.assertIn("0 rows without their file", line)
        self.assertRegex(self.server.stderr(), r"sink check: left alone 1 entries .*payments/README\.txt")

        report = json.loads(self.sluice("sink", "verify", "--json").stdout)
        self.assertEqual(report, {"checked": 1, "damaged": []})
        self.assertEqual(list(self.objects()), [real_key])
        files = sealed_files(self.server.data_dir)
        self.assertEqual(list(files), [real_key])
        self.assertEqual(len(files[real_key]), 1)
        self.server.stop()

    # (b)
    def test_object_whose_file_was_deleted_fails_verify_and_cat(self):
        self.start()
        lost_key = self.archive(amount=1)
        kept_key = self.archive(amount=2)
        self.server.stop()

        [generation] = sealed_files(self.server.data_dir)[lost_key]
        os.remove(os.path.join(self.server.data_dir, "sink", "payments", "%s.%s.sealed" % (lost_key, generation)))

        self.server.start()
        line = self.check_line()
        self.assertIn("sink check: 2 objects, ", line)
        self.assertIn("1 rows without their file: payments/" + lost_key, line)
        self.assertIn("removed 0 orphan files", line)
        self.assertIn("1 objects have lost their file", self.server.stderr())

        verify = self.sluice("sink", "verify", "--json", expect=EXIT_DAMAGED)
        report = json.loads(verify.stdout)
        self.assertEqual(report["checked"], 2)
        self.assertEqual([(d["bucket"], d["key"]) for d in report["damaged"]], [("payments", lost_key)])
        self.assertIn("missing", report["damaged"][0]["error"])
        plain = self.sluice("sink", "verify", "payments", expect=EXIT_DAMAGED)
        self.assertIn("payments/" + lost_key, plain.stdout)
        self.assertNotIn(kept_key, plain.stdout + plain.stderr)

        cat = self.sluice("sink", "cat", "payments/" + lost_key, expect=EXIT_DAMAGED, text=False)
        self.assertEqual(cat.stdout, b"")
        self.assertIn(b"integrity check failed for payments/" + lost_key.encode(), cat.stderr)
        self.assertIn(b"missing", cat.stderr)
        # The object is still listed (its row is the truth); the other reads.
        self.assertIn(lost_key, self.objects())
        self.assertEqual(json.loads(self.sluice("sink", "cat", "payments/" + kept_key, text=False).stdout)["amount"], 2)
        self.server.stop()

    # (c)
    def test_kill_while_archiving_loses_no_acknowledged_payment_and_tears_nothing(self):
        self.start(fast_redelivery_config())
        lock = threading.Lock()
        sent = set()
        acked = set()
        errors = []
        killed = threading.Event()

        def poster(thread):
            for i in range(50):
                payment_id = "pay_%d_%d_%s" % (thread, i, uuid.uuid4().hex[:8])
                with lock:
                    sent.add(payment_id)
                try:
                    status, _, body = post_json(self.server, "/payments",
                                                {"payment_id": payment_id, "amount": i}, timeout=10)
                except OSError as e:
                    if not killed.is_set():
                        with lock:
                            errors.append(repr(e))
                    return  # the server is gone
                with lock:
                    if status == 200:
                        acked.add(payment_id)
                    elif not killed.is_set():
                        errors.append((status, body))

        threads = [threading.Thread(target=poster, args=(t,), daemon=True) for t in range(4)]
        for t in threads:
            t.start()
        # Kill in the middle: posts acknowledged and not yet archived, and the
        # worker at work (sealed files already on disk).
        wait_until(lambda: len(acked) >= 100 and sealed_files(self.server.data_dir), timeout=60, interval=0.005,
                   message="load under way and objects written")
        killed.set()  # before the kill: a post failing from here on is expected
        self.server.kill()
        for t in threads:
            t.join(20)
        self.assertEqual(errors, [])
        self.assertGreaterEqual(len(acked), 100)

        self.server.start()
        # Invariant 7: never a row whose file was not durable.
        self.assertIn("; 0 rows without their file;", self.check_line())
        sqs = self.server.client()
        url = sqs.get_queue_url(QueueName="payment-events")["QueueUrl"]
        wait_until(lambda: self.queue_empty(sqs, url), timeout=90, interval=0.2,
                   message="payment-events drained by the worker")

        objects = self.objects()
        archived = collections.Counter()
        for key in objects:
            content = self.sluice("sink", "cat", "payments/" + key, text=False).stdout
            archived[json.loads(content)["payment_id"]] += 1
        missing = sorted(acked - set(archived))
        self.assertEqual(missing, [], "acknowledged payments not archived")
        self.assertEqual(sorted(set(archived) - sent), [], "archived payments nobody sent")

        report = json.loads(self.sluice("sink", "verify", "--json").stdout)
        self.assertEqual(report["damaged"], [])
        self.assertEqual(report["checked"], len(objects))
        # Every sealed file is a listed object, one file each.
        files = sealed_files(self.server.data_dir)
        self.assertEqual(sorted(set(files) - set(objects)), [], "sealed files no listing names")
        self.assertEqual(sorted(set(objects) - set(files)), [], "listed objects without a file")
        self.assertEqual({k: g for k, g in files.items() if len(g) != 1}, {}, "stale generations left behind")
        self.assertEqual(os.listdir(os.path.join(self.server.data_dir, "sink", ".tmp")), [])
        self.server.stop()


if __name__ == "__main__":
    unittest.main()
