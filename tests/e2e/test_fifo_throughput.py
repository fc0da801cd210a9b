"""FIFO throughput quotas end to end: SQS's ThrottlingException as boto3,
the aws CLI's retry logic and Query-protocol clients see it.

The server runs with small quotas (5 calls per second per action, 40 for a
high-throughput queue as a whole) so a test crosses them with a few dozen
calls. A test never depends on how fast calls go: it calls until the first
refusal (a bounded number of tries that would take many seconds to stay
under the quota) and checks what the refusal looks like and that it changed
nothing. Quota arithmetic on a fake clock is in the unit tests
(queue_fifo_throughput_test.cc).
"""

import time
import unittest
import urllib.parse

import botocore.exceptions

from harness import ServerTestCase, unique_name

PER_SECOND = 5
HIGH_THROUGHPUT_PER_SECOND = 40
# Calls tried before giving up on seeing a refusal: staying under 5 per
# second for this many calls would take 80 seconds.
MAX_TRIES = 400


def fifo_name(prefix):
    return unique_name(prefix) + ".fifo"


class FifoThroughputTest(ServerTestCase):
    config_text = (
        '{"sqs": {"fifo_throughput": {"transactions_per_second": %d, '
        '"high_throughput_transactions_per_second": %d}}}'
        % (PER_SECOND, HIGH_THROUGHPUT_PER_SECOND))

    def setUp(self):
        super().setUp()
        # No retries: a refusal must reach the test. (In botocore's Config,
        # retries.max_attempts counts retries; total_max_attempts counts all.)
        self.sqs = self.server.client(retries={"mode": "standard", "total_max_attempts": 1})

    def new_fifo(self, prefix="tp", **attributes):
        attributes = dict(attributes, FifoQueue="true", ContentBasedDeduplication="true")
        return self.new_queue(name=fifo_name(prefix), attributes=attributes)

    def call_until_throttled(self, fn, make_params):
        """Calls fn(**make_params(i)) until it raises; returns (successes,
        ClientError). Fails if MAX_TRIES calls all pass."""
        successes = []
        for i in range(MAX_TRIES):
            try:
                successes.append(fn(**make_params(i)))
            except botocore.exceptions.ClientError as error:
                return successes, error
        self.fail("no call was throttled in %d tries" % MAX_TRIES)

    def depth(self, url):
        return int(self.attrs(url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"])

    def assert_throttled(self, error, queue_name, action):
        response = error.response
        self.assertEqual(response["Error"]["Code"], "ThrottlingException", response)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIsInstance(error, self.sqs.exceptions.RequestThrottled)
        message = response["Error"]["Message"]
        self.assertIn("Rate exceeded", message)
        self.assertIn(queue_name, message)
        self.assertIn(action, message)

    def test_sends_over_the_quota_are_throttled_and_enqueue_nothing(self):
        url = self.new_fifo()
        name = url.rsplit("/", 1)[1]
        sent, error = self.call_until_throttled(
            self.sqs.send_message,
            lambda i: {"QueueUrl": url, "MessageBody": "m%d" % i, "MessageGroupId": "g"})
        self.assert_throttled(error, name, "SendMessage")
        self.assertIn("%d transactions per second" % PER_SECOND, error.response["Error"]["Message"])
        # The quota's one-second burst passed before the first refusal.
        self.assertGreaterEqual(len(sent), PER_SECOND)
        # Only the acknowledged sends are in the queue, in order.
        self.assertEqual(self.depth(url), len(sent))
        # Drained as a client would, with the SDK's retries riding out the
        # receive and delete quotas; the deadline bounds the loop.
        drain = self.server.client(retries={"mode": "legacy", "max_attempts": 10})
        bodies = []
        deadline = time.monotonic() + 30
        while len(bodies) < len(sent) and time.monotonic() < deadline:
            got = drain.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                        VisibilityTimeout=60).get("Messages", [])
            bodies += [m["Body"] for m in got]
            if got:
                drain.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(got)])
        self.assertEqual(bodies, ["m%d" % i for i in range(len(sent))])

    def test_other_actions_and_queues_have_their_own_quota(self):
        url = self.new_fifo()
        other = self.new_fifo("other")
        _, error = self.call_until_throttled(
            self.sqs.send_message,
            lambda i: {"QueueUrl": url, "MessageBody": "m%d" % i, "MessageGroupId": "g"})
        self.assert_throttled(error, url.rsplit("/", 1)[1], "SendMessage")
        # Right after the refusal: receiving from it, and sending to another
        # FIFO queue or a standard queue, still work.
        self.assertTrue(self.sqs.receive_message(QueueUrl=url).get("Messages"))
        self.sqs.send_message(QueueUrl=other, MessageBody="x", MessageGroupId="g")
        standard = self.new_queue("std")
        for i in range(3 * PER_SECOND):
            self.sqs.send_message(QueueUrl=standard, MessageBody="s%d" % i)
        # Receives are throttled on their own quota.
        _, error = self.call_until_throttled(
            self.sqs.receive_message, lambda i: {"QueueUrl": other})
        self.assert_throttled(error, other.rsplit("/", 1)[1], "ReceiveMessage")

    def test_a_batch_is_one_call(self):
        url = self.new_fifo()
        batches, error = self.call_until_throttled(
            self.sqs.send_message_batch,
            lambda i: {"QueueUrl": url, "Entries": [
                {"Id": "e%d" % n, "MessageBody": "b%d-%d" % (i, n), "MessageGroupId": "g"}
                for n in range(10)]})
        self.assert_throttled(error, url.rsplit("/", 1)[1], "SendMessageBatch")
        self.assertGreaterEqual(len(batches), PER_SECOND)
        for batch in batches:
            self.assertEqual(len(batch["Successful"]), 10)
        self.assertEqual(self.depth(url), 10 * len(batches))

    def test_high_throughput_quota_is_per_message_group(self):
        url = self.new_fifo("ht", DeduplicationScope="messageGroup",
                            FifoThroughputLimit="perMessageGroupId")
        sent, error = self.call_until_throttled(
            self.sqs.send_message,
            lambda i: {"QueueUrl": url, "MessageBody": "a%d" % i, "MessageGroupId": "a"})
        self.assert_throttled(error, url.rsplit("/", 1)[1], "SendMessage")
        self.assertIn("per message group", error.response["Error"]["Message"])
        # Group a is spent; group b has its own quota, and the queue's is 40.
        self.sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="b")
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "c", "MessageBody": "c0", "MessageGroupId": "c"},
            {"Id": "d", "MessageBody": "d0", "MessageGroupId": "d"}])
        self.assertEqual(self.depth(url), len(sent) + 3)

    def test_default_sdk_retries_ride_out_the_quota(self):
        """Unchanged client code with boto3's default (legacy) retries: every
        send succeeds, throttled attempts are retried, order holds."""
        url = self.new_fifo()
        client = self.server.client(retries={"mode": "legacy", "max_attempts": 10})
        total = 4 * PER_SECOND
        retried = 0
        for i in range(total):
            response = client.send_message(QueueUrl=url, MessageBody="r%d" % i,
                                           MessageGroupId="g")
            retried += response["ResponseMetadata"]["RetryAttempts"]
        # 20 sends at full speed cannot all fit in the 5-per-second quota.
        self.assertGreater(retried, 0)
        self.assertEqual(self.depth(url), total)
        got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        self.assertEqual([m["Body"] for m in got], ["r%d" % i for i in range(10)])

    def test_query_protocol_gets_the_xml_throttling_error(self):
        url = self.new_fifo("q")
        name = url.rsplit("/", 1)[1]
        path = "/" + url.split("/", 3)[3]
        for i in range(MAX_TRIES):
            body = urllib.parse.urlencode({
                "Action": "SendMessage", "Version": "2012-11-05", "MessageBody": "x%d" % i,
                "MessageGroupId": "g"})
            status, headers, data = self.server.raw_request(
                "POST", path, body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
            if status != 200:
                break
        else:
            self.fail("no call was throttled in %d tries" % MAX_TRIES)
        text = data.decode()
        self.assertEqual(status, 400, text)
        self.assertTrue(headers["content-type"].startswith("text/xml"), headers)
        self.assertIn("<Type>Sender</Type>", text)
        self.assertIn("<Code>ThrottlingException</Code>", text)
        self.assertIn(name, text)
        self.assertEqual(self.depth(url), i)


class FifoQuotasOffTest(ServerTestCase):
    config_text = '{"sqs": {"fifo_throughput": {"enforce": false, "transactions_per_second": 1}}}'

    def test_quotas_off_never_throttle(self):
        url = self.new_queue(name=fifo_name("off"),
                             attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
        for i in range(50):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i, MessageGroupId="g")
        self.assertEqual(int(self.attrs(url, "ApproximateNumberOfMessages")
                             ["ApproximateNumberOfMessages"]), 50)


if __name__ == "__main__":
    unittest.main()
