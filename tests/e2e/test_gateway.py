"""The ingest gateway on the embedded default routes: POST /payments and
POST /webhook, validated, deduplicated and routed into the default queues,
read back with boto3 as an SQS consumer would.

The default worker is switched off here ("workers": []) so the messages the
gateway enqueues on payment-events stay there to be inspected.
"""

import concurrent.futures
import json
import re
import threading
import time
import unittest
import uuid

import harness
from harness import ServerTestCase, post_json, requires_process, run_sluice, wait_until

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def event(**overrides):
    body = {"event_id": "evt_" + uuid.uuid4().hex, "transaction_type": "payment",
            "amount": 12.5, "timestamp": "2026-01-15T10:00:00Z"}
    body.update(overrides)
    return body


class GatewayCase(ServerTestCase):
    """Helpers shared by the gateway tests: queue URLs and draining."""

    def url(self, name):
        return self.sqs.get_queue_url(QueueName=name)["QueueUrl"]

    def drain(self, name, wait_for=0, timeout=10.0):
        """Receives and deletes messages of `name` until at least `wait_for`
        arrived (then one more short look for extras); returns the parsed
        bodies."""
        url = self.url(name)
        bodies = []
        deadline = time.monotonic() + timeout
        while True:
            resp = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                            WaitTimeSeconds=0 if len(bodies) >= wait_for else 1)
            messages = resp.get("Messages", [])
            for m in messages:
                bodies.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            if not messages and (len(bodies) >= wait_for or time.monotonic() > deadline):
                return bodies


@requires_process("uses its own configuration")
class PaymentsRouteTest(GatewayCase):
    config_text = json.dumps({"workers": []})

    def setUp(self):
        super().setUp()
        self.drain("payment-events")

    def test_defaults_fill_payment_id_and_ts(self):
        before = time.time()
        status, headers, body = post_json(self.server, "/payments", {"amount": 42})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(set(body), {"enqueued", "payment_id"})
        self.assertIs(body["enqueued"], True)
        self.assertRegex(body["payment_id"], UUID_RE)
        [message] = self.drain("payment-events", wait_for=1)
        self.assertEqual(message["payment_id"], body["payment_id"])
        self.assertEqual(message["amount"], 42)
        self.assertRegex(message["ts"], ISO_RE)
        ts = time.mktime(time.strptime(message["ts"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
        self.assertLess(abs(ts - before), 60)

    def test_given_fields_are_kept_as_sent(self):
        sent = {"payment_id": "pay_123", "amount": 9.99, "ts": "2026-01-15T10:00:00.250+01:00",
                "note": "extra fields pass through"}
        status, _, body = post_json(self.server, "/payments", sent)
        self.assertEqual((status, body), (200, {"enqueued": True, "payment_id": "pay_123"}))
        [message] = self.drain("payment-events", wait_for=1)
        self.assertEqual(message, sent)

    def test_missing_amount_and_wrong_types(self):
        cases = [
            ({}, "Missing required field: amount"),
            ({"amount": "12"}, "amount"),
            ({"amount": 1, "payment_id": 7}, "payment_id"),
            ({"amount": 1, "ts": "yesterday"}, "ts"),
        ]
        for payload, needle in cases:
            status, _, body = post_json(self.server, "/payments", payload)
            self.assertEqual(status, 400, payload)
            self.assertIn(needle, body["error"], payload)
        self.assertEqual(post_json(self.server, "/payments", {})[2],
                         {"error": "Missing required field: amount"})
        self.assertEqual(self.drain("payment-events"), [])


@requires_process("uses its own configuration")
class WebhookRouteTest(GatewayCase):
    config_text = json.dumps({"workers": []})

    def test_accepted_event_is_routed_by_type(self):
        for kind, queue in (("payment", "payments-queue"), ("refund", "refunds-queue"),
                            ("dispute", "disputes-queue")):
            sent = event(transaction_type=kind)
            status, headers, body = post_json(self.server, "/webhook", sent)
            self.assertEqual(status, 200, body)
            self.assertEqual(body, {"message": "Event validated and queued for processing",
                                    "event_id": sent["event_id"]})
            received = self.drain(queue, wait_for=1)
            self.assertEqual(received, [sent], kind)
        for queue in ("payments-queue", "refunds-queue", "disputes-queue"):
            self.assertEqual(self.drain(queue), [], queue)

    def test_duplicate_event_is_refused_and_enqueues_nothing(self):
        sent = event(transaction_type="refund")
        self.assertEqual(post_json(self.server, "/webhook", sent)[0], 200)
        status, _, body = post_json(self.server, "/webhook", sent)
        self.assertEqual((status, body), (409, {"error": "Duplicate event"}))
        # A duplicate id with another body is still a duplicate.
        status, _, body = post_json(self.server, "/webhook", dict(sent, amount=1, transaction_type="dispute"))
        self.assertEqual(status, 409)
        self.assertEqual(len(self.drain("refunds-queue", wait_for=1)), 1)
        self.assertEqual(self.drain("disputes-queue"), [])

    def test_missing_fields_name_the_first_missing(self):
        for field in ("event_id", "transaction_type", "amount", "timestamp"):
            payload = event()
            del payload[field]
            status, _, body = post_json(self.server, "/webhook", payload)
            self.assertEqual((status, body), (400, {"error": "Missing required field: %s" % field}))
        status, _, body = post_json(self.server, "/webhook", {"amount": 1})
        self.assertEqual(body, {"error": "Missing required field: event_id"})

    def test_bad_values_say_what_is_wrong(self):
        cases = [
            (event(amount="12.5"), ["amount", "number"]),
            (event(event_id=12), ["event_id", "string"]),
            (event(transaction_type="chargeback"), ["transaction_type", "payment", "refund", "dispute",
                                                    "chargeback"]),
            (event(timestamp="yesterday"), ["timestamp", "ISO 8601", "yesterday"]),
            (event(timestamp="2026-13-45T10:00:00Z"), ["timestamp"]),
        ]
        for payload, needles in cases:
            status, headers, body = post_json(self.server, "/webhook", payload)
            self.assertEqual(status, 400, payload)
            self.assertEqual(set(body), {"error"})
            for needle in needles:
                self.assertIn(needle, body["error"], payload)
        for raw, needle in (("{not json", "not valid JSON"), ("", "empty"),
                            ("[1,2]", "object"), ('"text"', "object")):
            status, _, body = post_json(self.server, "/webhook", raw)
            self.assertEqual(status, 400, raw)
            self.assertIn(needle, body["error"], raw)
        for queue in ("payments-queue", "refunds-queue", "disputes-queue"):
            self.assertEqual(self.drain(queue), [], queue)

    def test_wrong_method_is_405_with_allow(self):
        status, headers, body = self.server.raw_request("GET", "/webhook")
        self.assertEqual(status, 405)
        self.assertEqual(headers["allow"], "POST")
        self.assertIn("error", json.loads(body))

    def test_request_id_is_echoed_or_made_up(self):
        _, headers, _ = post_json(self.server, "/webhook", event(), headers={"X-Request-Id": "trace-77"})
        self.assertEqual(headers["x-request-id"], "trace-77")
        _, first, _ = post_json(self.server, "/webhook", event())
        _, second, _ = post_json(self.server, "/webhook", {"bad": True})
        self.assertRegex(first["x-request-id"], UUID_RE)
        self.assertRegex(second["x-request-id"], UUID_RE)
        self.assertNotEqual(first["x-request-id"], second["x-request-id"])
        # The ingest log line carries the id.
        wait_until(lambda: "request_id=trace-77" in self.server.stderr(), message="request id in the log")
        self.drain("payments-queue", wait_for=2)

    def test_fifty_parallel_duplicates_enqueue_once(self):
        sent = event(transaction_type="dispute")
        barrier = threading.Barrier(50)

        def post(_):
            barrier.wait()
            return post_json(self.server, "/webhook", sent, timeout=30)[0]

        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            statuses = list(pool.map(post, range(50)))
        self.assertEqual(statuses.count(200), 1, statuses)
        self.assertEqual(statuses.count(409), 49, statuses)
        self.assertEqual(self.drain("disputes-queue", wait_for=1), [sent])

    def test_dedup_records_via_cli(self):
        sent = event()
        self.assertEqual(post_json(self.server, "/webhook", sent)[0], 200)
        got = run_sluice("dedup", "get", "webhook", sent["event_id"], "--json",
                         "--endpoint", self.server.endpoint())
        self.assertEqual(got.returncode, 0, got.stderr)
        record = json.loads(got.stdout)
        self.assertEqual(record["route"], "webhook")
        self.assertEqual(record["key"], sent["event_id"])
        self.assertEqual(record["queue"], "payments-queue")
        self.assertIn("message_id", record)
        self.assertIn("expires", record)
        forgot = run_sluice("dedup", "forget", "webhook", sent["event_id"], "--endpoint", self.server.endpoint())
        self.assertEqual(forgot.returncode, 0, forgot.stderr)
        missing = run_sluice("dedup", "get", "webhook", sent["event_id"], "--endpoint", self.server.endpoint())
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn(sent["event_id"], missing.stderr)
        # A forgotten key is accepted again.
        self.assertEqual(post_json(self.server, "/webhook", sent)[0], 200)
        self.assertEqual(len(self.drain("payments-queue", wait_for=2)), 2)

    def test_health_endpoints(self):
        for path, expected in (("/health", "ok"), ("/healthcheck", "ok"), ("/health/live", "live"),
                               ("/health/ready", "ready")):
            status, _, body = self.server.raw_request("GET", path)
            self.assertEqual(status, 200, path)
            self.assertEqual(json.loads(body)["status"], expected, path)


@requires_process("uses its own configuration")
class ThrottleTest(GatewayCase):
    config_text = json.dumps({
        "queues": [{"name": "slow-lane"}],
        "routes": [{
            "name": "limited", "path": "/limited",
            "schema": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "target": {"queue": "slow-lane"},
            "throttle": {"rate_per_second": 0.1, "burst": 5},
        }],
    })

    def test_burst_then_429_with_retry_after(self):
        statuses = []
        limited = None
        for i in range(12):
            status, headers, body = post_json(self.server, "/limited", {"id": str(i)})
            statuses.append(status)
            if status == 429:
                limited = (headers, body)
        # Five tokens in the bucket, refilled at one per ten seconds: twelve
        # requests in well under ten seconds get 5 (or 6) through.
        self.assertIn(statuses.count(200), (5, 6), statuses)
        self.assertEqual(statuses[:5], [200] * 5)
        self.assertEqual(statuses.count(200) + statuses.count(429), 12)
        headers, body = limited
        self.assertGreaterEqual(int(headers["retry-after"]), 1)
        self.assertIn("limited", body["error"])
        self.assertEqual(len(self.drain("slow-lane", wait_for=5)), statuses.count(200))



@requires_process("uses its own configuration")
class FifoRouteTest(GatewayCase):
    """A route into a FIFO queue declared in the configuration: each
    account's events come out in the order they were accepted, with the
    account as MessageGroupId and the event id as MessageDeduplicationId."""

    config_text = json.dumps({
        "queues": [{"name": "ledger-dlq.fifo"},
                   {"name": "ledger.fifo",
                    "dead_letter": {"queue": "ledger-dlq.fifo", "max_receive_count": 3}}],
        "routes": [{
            "name": "ledger", "path": "/ledger",
            "schema": {"type": "object", "required": ["event_id", "account", "amount"],
                       "properties": {"event_id": {"type": "string"}, "account": {"type": "string"},
                                      "amount": {"type": "number"}}},
            "dedup": {"key": "event_id", "ttl_seconds": 3600},
            "target": {"queue": "ledger.fifo", "message_group_field": "account"},
        }],
    })

    def test_events_keep_their_order_per_account(self):
        url = self.url("ledger.fifo")
        attributes = self.attrs(url)
        self.assertEqual(attributes["FifoQueue"], "true")
        self.assertIn("ledger-dlq.fifo", attributes["RedrivePolicy"])
        sent = []
        for i in range(12):
            account = "acct-%d" % (i % 3)
            body = {"event_id": "evt-%d" % i, "account": account, "amount": i}
            status, _, answer = post_json(self.server, "/ledger", body)
            self.assertEqual(status, 200, answer)
            sent.append(body)
        # A retried webhook is refused by the route's dedup and enqueues nothing.
        status, _, _ = post_json(self.server, "/ledger", sent[0])
        self.assertEqual(status, 409)

        by_account = {}
        deadline = time.monotonic() + 15
        received = 0
        while received < len(sent) and time.monotonic() < deadline:
            messages = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                MessageSystemAttributeNames=["All"]).get("Messages", [])
            for m in messages:
                event = json.loads(m["Body"])
                self.assertEqual(m["Attributes"]["MessageGroupId"], event["account"])
                self.assertEqual(m["Attributes"]["MessageDeduplicationId"], event["event_id"])
                self.assertTrue(m["Attributes"]["SequenceNumber"])
                by_account.setdefault(event["account"], []).append(event["event_id"])
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            received += len(messages)
        self.assertEqual(received, len(sent))
        for n in range(3):
            self.assertEqual(by_account["acct-%d" % n], ["evt-%d" % i for i in range(n, 12, 3)])

    def test_an_account_that_cannot_be_a_group_is_refused(self):
        status, _, body = post_json(self.server, "/ledger",
                                    {"event_id": "bad-1", "account": "two words", "amount": 1})
        self.assertEqual(status, 400)
        self.assertIn("Field 'account'", body["error"])
        self.assertEqual(self.attrs(self.url("ledger.fifo"), "ApproximateNumberOfMessages")
                         ["ApproximateNumberOfMessages"], "0")


if __name__ == "__main__":
    unittest.main()
