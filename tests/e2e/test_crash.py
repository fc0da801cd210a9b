"""The crash test: kill -9 under load, restart, and check what survived.

Each round runs concurrent senders (SendMessage and SendMessageBatch) and
deleters (ReceiveMessage + DeleteMessage / DeleteMessageBatch) against one
queue, kills the server with SIGKILL at a random moment, restarts it on the
same data directory and drains the queue. Then:

  (1) every acknowledged send whose delete was not acknowledged is there,
      with its MessageId and body;
  (2) no acknowledged delete comes back;
  (3) nothing unknown appears (every body is unique; a body whose send got no
      answer because it was in flight at the kill may or may not be there);
  (4) a copy of the database taken right after the kill passes
      PRAGMA integrity_check, and so does the database after a clean stop.

SLUICE_CRASH_ROUNDS sets the number of rounds (default 20), SLUICE_CRASH_SEED
the random seed (printed on failure).
"""

import os
import random
import shutil
import sqlite3
import tempfile
import threading
import time
import unittest

import botocore.exceptions

import harness
from harness import Server, requires_process, wait_until

ROUNDS = int(os.environ.get("SLUICE_CRASH_ROUNDS", "20"))
SENDERS = 3
DELETERS = 2
# Longer than a round's load, so nothing is redelivered while the deleters
# run: a delete is then always made with the latest receipt handle.
DELETER_VISIBILITY = 8
LOAD_SECONDS = (2.0, 4.0)


class Ledger:
    """What the clients know, shared by all threads under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked_sends = {}        # message id -> body
        self.unanswered_bodies = set()  # sends in flight at the kill
        self.acked_deletes = set()   # message ids
        self.unanswered_deletes = set()
        self.errors = []             # unexpected client errors before the kill


class Round:
    def __init__(self, test, server, url, ledger, rng, number):
        self.test = test
        self.server = server
        self.url = url
        self.ledger = ledger
        self.rng = random.Random(rng.random())
        self.number = number
        self.killed = threading.Event()
        self.counter = 0
        self.counter_lock = threading.Lock()

    def next_body(self, sender):
        with self.counter_lock:
            self.counter += 1
            return "r%d-s%d-%d-%s" % (self.number, sender, self.counter,
                                      "x" * self.rng.randrange(0, 200))

    def failed(self, e):
        """Records an error that happened before the kill (a bug)."""
        with self.ledger.lock:
            self.ledger.errors.append("round %d: %r" % (self.number, e))

    def sender(self, k):
        sqs = self.server.client(connect_timeout=2, read_timeout=30)
        rng = random.Random(self.rng.random())
        while not self.killed.is_set():
            n = rng.choice([1, 1, 3, 10])
            bodies = [self.next_body(k) for _ in range(n)]
            with self.ledger.lock:
                self.ledger.unanswered_bodies.update(bodies)
            try:
                if n == 1:
                    resp = sqs.send_message(QueueUrl=self.url, MessageBody=bodies[0])
                    acked = [(resp["MessageId"], bodies[0])]
                else:
                    resp = sqs.send_message_batch(QueueUrl=self.url, Entries=[
                        {"Id": "e%d" % i, "MessageBody": b} for i, b in enumerate(bodies)])
                    by_id = {"e%d" % i: b for i, b in enumerate(bodies)}
                    acked = [(e["MessageId"], by_id[e["Id"]]) for e in resp["Successful"]]
                    for f in resp.get("Failed", []):
                        self.failed("batch entry failed: %r" % f)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                if self.killed.is_set():
                    return  # the kill: this send is unanswered
                self.failed(e)
                continue
            with self.ledger.lock:
                for message_id, body in acked:
                    self.ledger.acked_sends[message_id] = body
                    self.ledger.unanswered_bodies.discard(body)

    def deleter(self, k):
        sqs = self.server.client(connect_timeout=2, read_timeout=30)
        rng = random.Random(self.rng.random())
        while not self.killed.is_set():
            try:
                msgs = sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1,
                                           VisibilityTimeout=DELETER_VISIBILITY).get("Messages", [])
                if rng.random() < 0.5:
                    for m in msgs:
                        with self.ledger.lock:
                            self.ledger.unanswered_deletes.add(m["MessageId"])
                        sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
                        with self.ledger.lock:
                            self.ledger.acked_deletes.add(m["MessageId"])
                elif msgs:
                    with self.ledger.lock:
                        self.ledger.unanswered_deletes.update(m["MessageId"] for m in msgs)
                    resp = sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                        {"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(msgs)])
                    with self.ledger.lock:
                        for e in resp["Successful"]:
                            self.ledger.acked_deletes.add(msgs[int(e["Id"][1:])]["MessageId"])
                    for f in resp.get("Failed", []):
                        self.failed("delete entry failed: %r" % f)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                if self.killed.is_set():
                    return
                self.failed(e)

    def run(self, load_seconds):
        threads = [threading.Thread(target=self.sender, args=(k,), daemon=True)
                   for k in range(SENDERS)]
        threads += [threading.Thread(target=self.deleter, args=(k,), daemon=True)
                    for k in range(DELETERS)]
        for t in threads:
            t.start()
        # The load itself: the kill lands at a random moment within it.
        threading.Event().wait(load_seconds)
        self.killed.set()
        self.server.kill()
        for t in threads:
            t.join(timeout=60)
            self.test.assertFalse(t.is_alive(), "client thread hung after the kill")


@requires_process("kills and restarts its own server")
class CrashTest(unittest.TestCase):

    def setUp(self):
        self.seed = int(os.environ.get("SLUICE_CRASH_SEED", str(random.randrange(1 << 30))))
        self.server = Server()
        self.addCleanup(self.server.cleanup)
        self.server.start()
        sqs = self.server.client()
        self.url = sqs.create_queue(QueueName="crash-test")["QueueUrl"]

    def db_path(self):
        return os.path.join(self.server.data_dir, "sluice.db")

    def check_integrity(self, path):
        conn = sqlite3.connect(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
        self.assertEqual(result, [("ok",)], "integrity_check of %s" % path)

    def check_copy_after_kill(self):
        """integrity_check on a copy of the database and its WAL, so that
        recovery by our check cannot help the server's own recovery."""
        tmp = tempfile.mkdtemp(prefix="sluice-crash-copy-")
        try:
            for suffix in ("", "-wal", "-journal"):
                src = self.db_path() + suffix
                if os.path.exists(src):
                    shutil.copy(src, os.path.join(tmp, "sluice.db" + suffix))
            self.assertTrue(os.path.exists(os.path.join(tmp, "sluice.db")),
                            "no sluice.db in the data dir: %s" % os.listdir(self.server.data_dir))
            self.check_integrity(os.path.join(tmp, "sluice.db"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def drain(self, ledger, number):
        """Receives everything now in the queue (visibility 600), waiting for
        messages the deleters had in flight; returns (sqs client,
        {message id: (body, receipt handle)})."""
        sqs = self.server.client()
        seen = {}
        with ledger.lock:
            expected = (set(ledger.acked_sends) - ledger.acked_deletes
                        - ledger.unanswered_deletes)

        def everything_seen():
            resp = sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=1, VisibilityTimeout=600)
            for m in resp.get("Messages", []):
                seen[m["MessageId"]] = (m["Body"], m["ReceiptHandle"])
            if not expected <= set(seen):
                return False
            a = sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed"])["Attributes"]
            return (a["ApproximateNumberOfMessages"] == "0" and
                    a["ApproximateNumberOfMessagesDelayed"] == "0" and
                    int(a["ApproximateNumberOfMessagesNotVisible"]) == len(seen))

        try:
            wait_until(everything_seen, timeout=DELETER_VISIBILITY + 30, interval=0,
                       message="drain after the kill")
        except AssertionError:
            missing = sorted(expected - set(seen))
            if not missing:
                raise
            self.fail("round %d (seed %d): %d acknowledged sends missing after restart, "
                      "e.g. %r" % (number, self.seed, len(missing),
                                   [(i, ledger.acked_sends[i][:40]) for i in missing[:10]]))
        return sqs, seen

    def check_round(self, ledger, seen, context):
        with ledger.lock:
            came_back = sorted(set(seen) & ledger.acked_deletes)
            self.assertEqual(came_back, [], "%s: acknowledged deletes came back" % context)
            known_bodies = set(ledger.acked_sends.values())
            for message_id, (body, _) in seen.items():
                if message_id in ledger.acked_sends:
                    self.assertEqual(body, ledger.acked_sends[message_id],
                                     "%s: body changed" % context)
                else:
                    self.assertIn(body, ledger.unanswered_bodies,
                                  "%s: unknown message %s" % (context, message_id))
                    self.assertNotIn(body, known_bodies,
                                     "%s: a body appeared under two ids" % context)

    def empty_queue(self, sqs, ledger, seen, context):
        """Deletes the drained messages so the next round starts empty, and
        settles the ledger: nothing is unanswered any more."""
        items = list(seen.items())
        for start in range(0, len(items), 10):
            chunk = items[start:start + 10]
            resp = sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": "d%d" % i, "ReceiptHandle": handle}
                for i, (_, (_, handle)) in enumerate(chunk)])
            self.assertEqual(resp.get("Failed", []), [], context)
        with ledger.lock:
            for message_id, (body, _) in items:
                ledger.acked_sends.setdefault(message_id, body)
                ledger.acked_deletes.add(message_id)
            # An unanswered delete whose message is gone did take effect.
            ledger.acked_deletes.update(ledger.unanswered_deletes)
            ledger.unanswered_deletes.clear()
            ledger.unanswered_bodies.clear()

    def test_kill_9_under_load(self):
        rng = random.Random(self.seed)
        ledger = Ledger()
        for number in range(ROUNDS):
            context = "round %d (seed %d)" % (number, self.seed)
            load = rng.uniform(*LOAD_SECONDS)
            Round(self, self.server, self.url, ledger, rng, number).run(load)
            self.assertEqual(ledger.errors, [], context)
            self.check_copy_after_kill()
            self.server.start()
            sqs, seen = self.drain(ledger, number)
            self.check_round(ledger, seen, context)
            self.empty_queue(sqs, ledger, seen, context)
        with ledger.lock:
            self.assertGreater(len(ledger.acked_sends), ROUNDS * 10,
                               "the load generated too little traffic to mean anything")
        self.server.stop()
        self.check_integrity(self.db_path())


if __name__ == "__main__":
    unittest.main()
