"""kill -9 during a webhook load.

Several threads POST /webhook events (unique event ids, all three
transaction types, some retried right after their first answer) while the
server is killed with SIGKILL at a random moment. After a restart on the
same data directory:

  (1) every acknowledged event (200) is in its routed queue exactly once;
  (2) nothing is in a queue twice, and nothing is there that was never sent;
  (3) the retry of every acknowledged event gets 409, and so does the retry
      of every event that made it into a queue although its answer was lost
      (dedup record and message are committed together: never one without
      the other);
  (4) an event that is in no queue is accepted (200) on retry, exactly once.

SLUICE_GATEWAY_CRASH_ROUNDS sets the number of rounds (default 3).
"""

import collections
import json
import os
import random
import shutil
import tempfile
import threading
import time
import unittest
import uuid

from harness import Server, post_json, requires_process, wait_until

ROUNDS = int(os.environ.get("SLUICE_GATEWAY_CRASH_ROUNDS", "3"))
POSTERS = 6
QUEUES = {"payment": "payments-queue", "refund": "refunds-queue", "dispute": "disputes-queue"}


def crash_config():
    """The default webhook route without its throttle (1000 requests/s):
    this test is about crashes, not load shedding."""
    webhook = {
        "name": "webhook", "method": "POST", "path": "/webhook",
        "schema": {"type": "object", "required": ["event_id", "transaction_type", "amount", "timestamp"],
                   "properties": {"event_id": {"type": "string", "minLength": 1},
                                  "transaction_type": {"enum": ["payment", "refund", "dispute"]},
                                  "amount": {"type": "number"},
                                  "timestamp": {"type": "string", "format": "date-time"}}},
        "dedup": {"key": "event_id", "ttl_seconds": 2592000},
        "target": {"field": "transaction_type", "queues": QUEUES},
        "response": {"message": "Event validated and queued for processing", "event_id": "${event_id}"},
    }
    return {"workers": [], "routes": [webhook]}


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {}          # event id -> event (every event ever POSTed)
        self.acked = set()      # event ids answered 200
        self.unanswered = set()  # POSTed, no answer (in flight at the kill)
        self.errors = []


@requires_process("kills and restarts the server")
class GatewayCrashTest(unittest.TestCase):

    def setUp(self):
        self.config_path = os.path.join(self._tmpdir(), "sluice.json")
        with open(self.config_path, "w") as f:
            json.dump(crash_config(), f)
        self.server = Server(config=self.config_path)
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self.sqs = self.server.client()
        self.rng = random.Random(os.environ.get("SLUICE_CRASH_SEED", str(time.time())))

    def _tmpdir(self):
        path = tempfile.mkdtemp(prefix="sluice-e2e-gwcrash-")
        self.addCleanup(shutil.rmtree, path, True)
        return path

    def poster(self, ledger, stop):
        while not stop.is_set():
            kind = self.rng.choice(list(QUEUES))
            event = {"event_id": "evt_" + uuid.uuid4().hex, "transaction_type": kind,
                     "amount": round(self.rng.uniform(1, 500), 2), "timestamp": "2026-01-15T10:00:00Z"}
            with ledger.lock:
                ledger.sent[event["event_id"]] = event
            try:
                status, _, body = post_json(self.server, "/webhook", event, timeout=10)
            except OSError:
                with ledger.lock:
                    ledger.unanswered.add(event["event_id"])
                return  # the server is gone
            with ledger.lock:
                if status == 200:
                    ledger.acked.add(event["event_id"])
                else:
                    ledger.errors.append((status, body))
            if status == 200 and self.rng.random() < 0.2:
                try:  # an eager retry of the client: must be a duplicate
                    status, _, body = post_json(self.server, "/webhook", event, timeout=10)
                except OSError:
                    return
                if status != 409:
                    with ledger.lock:
                        ledger.errors.append(("retry", status, body))

    def drain(self):
        """Every message of the three queues: {event_id: [queue, ...]}."""
        found = collections.defaultdict(list)
        for queue in QUEUES.values():
            url = self.sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            while True:
                resp = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300)
                messages = resp.get("Messages", [])
                if not messages:
                    break
                for m in messages:
                    event = json.loads(m["Body"])
                    found[event["event_id"]].append(queue)
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return found

    def test_acknowledged_events_survive_kill_exactly_once(self):
        ledger = Ledger()
        all_found = collections.defaultdict(list)
        for round_number in range(ROUNDS):
            stop = threading.Event()
            threads = [threading.Thread(target=self.poster, args=(ledger, stop), daemon=True)
                       for _ in range(POSTERS)]
            for t in threads:
                t.start()
            acked_before = len(ledger.acked)
            wait_until(lambda: len(ledger.acked) >= acked_before + 50, timeout=30,
                       message="load under way")
            time.sleep(self.rng.uniform(0.2, 1.0))  # a random moment inside the load
            self.server.kill()
            stop.set()
            for t in threads:
                t.join(15)
            self.server.start()
            for event_id, queues in self.drain().items():
                all_found[event_id].extend(queues)

        self.assertEqual(ledger.errors, [])
        self.assertGreater(len(ledger.acked), 50 * ROUNDS)
        # (1) and (2)
        missing = [e for e in ledger.acked if e not in all_found]
        self.assertEqual(missing, [], "acknowledged events lost")
        twice = {e: q for e, q in all_found.items() if len(q) != 1}
        self.assertEqual(twice, {}, "events enqueued more than once")
        unknown = [e for e in all_found if e not in ledger.sent]
        self.assertEqual(unknown, [])
        for event_id, [queue] in all_found.items():
            self.assertEqual(queue, QUEUES[ledger.sent[event_id]["transaction_type"]])
        # (3): retries of everything that is in a queue are duplicates.
        for event_id in list(all_found)[:200] + list(ledger.acked)[:50]:
            status, _, body = post_json(self.server, "/webhook", ledger.sent[event_id])
            self.assertEqual((status, body), (409, {"error": "Duplicate event"}), event_id)
        # (4): an event lost in flight is accepted on retry, once.
        lost = [e for e in ledger.unanswered if e not in all_found]
        for event_id in lost:
            self.assertEqual(post_json(self.server, "/webhook", ledger.sent[event_id])[0], 200)
            self.assertEqual(post_json(self.server, "/webhook", ledger.sent[event_id])[0], 409)
        self.server.stop()


if __name__ == "__main__":
    unittest.main()
