"""FIFO queues end to end, with boto3 (JSON protocol) against the real binary,
and a FIFO send/receive over the Query protocol with Debian's boto3.

Covers: queue creation and attributes, order per message group under four
concurrent consumers, group blocking (and long polls woken when a group is
unblocked), deduplication (only "within the window" can be checked at this
level; the 5-minute edge is an engine test on a fake clock), content-based
deduplication and its scope, errors as SQS reports them, receive request
attempt ids, a FIFO dead-letter queue after maxReceiveCount with a short
visibility timeout, and a redrive move task back to the FIFO source.
Every wait polls with a deadline.
"""

import hashlib
import threading
import time
import unittest

import botocore.exceptions

from harness import ServerTestCase, run_in_thread, unique_name, wait_until
import test_query_protocol


def fifo_name(prefix="fifo"):
    return unique_name(prefix) + ".fifo"


class FifoCase(ServerTestCase):
    def new_fifo(self, prefix="fifo", **attributes):
        attributes = dict(attributes)
        attributes["FifoQueue"] = "true"
        return self.new_queue(name=fifo_name(prefix), attributes=attributes)

    def send(self, url, body, group, dedup=None, client=None, **kwargs):
        params = {"QueueUrl": url, "MessageBody": body, "MessageGroupId": group}
        if dedup is not None:
            params["MessageDeduplicationId"] = dedup
        params.update(kwargs)
        return (client or self.sqs).send_message(**params)

    def receive(self, url, max_messages=10, wait=0, **kwargs):
        return self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=max_messages, WaitTimeSeconds=wait,
            MessageSystemAttributeNames=["All"], **kwargs).get("Messages", [])

    def delete(self, url, messages):
        for m in messages:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def depth(self, url):
        return int(self.attrs(url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"])

    def assert_error(self, code, fn, *args, message=None, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*args, **kwargs)
        self.assertEqual(self.error_code(cm.exception), code, cm.exception.response["Error"])
        if message is not None:
            self.assertIn(message, cm.exception.response["Error"]["Message"])
        return cm.exception.response["Error"]


class FifoQueueTest(FifoCase):
    def test_create_with_fifo_attributes(self):
        url = self.new_fifo(ContentBasedDeduplication="true", DeduplicationScope="messageGroup",
                            FifoThroughputLimit="perMessageGroupId")
        self.assertTrue(url.endswith(".fifo"))
        a = self.attrs(url)
        self.assertEqual(a["FifoQueue"], "true")
        self.assertEqual(a["ContentBasedDeduplication"], "true")
        self.assertEqual(a["DeduplicationScope"], "messageGroup")
        self.assertEqual(a["FifoThroughputLimit"], "perMessageGroupId")
        plain = self.attrs(self.new_fifo())
        self.assertEqual(plain["ContentBasedDeduplication"], "false")
        self.assertEqual(plain["DeduplicationScope"], "queue")
        self.assertEqual(plain["FifoThroughputLimit"], "perQueue")

    def test_creation_errors(self):
        self.assert_error("InvalidParameterValue", self.sqs.create_queue,
                          QueueName=fifo_name())
        self.assert_error("InvalidParameterValue", self.sqs.create_queue,
                          QueueName=fifo_name(), Attributes={"FifoQueue": "false"})
        self.assert_error("InvalidParameterValue", self.sqs.create_queue,
                          QueueName=unique_name("nosuffix"), Attributes={"FifoQueue": "true"},
                          message="must end with .fifo suffix")
        self.assert_error("InvalidAttributeValue", self.sqs.create_queue,
                          QueueName=fifo_name(),
                          Attributes={"FifoQueue": "true",
                                      "FifoThroughputLimit": "perMessageGroupId"})
        self.assert_error("InvalidAttributeName", self.sqs.create_queue,
                          QueueName=unique_name("std"),
                          Attributes={"ContentBasedDeduplication": "true"})

    def test_fifo_queue_cannot_be_changed(self):
        url = self.new_fifo()
        self.assert_error("InvalidAttributeValue", self.sqs.set_queue_attributes,
                          QueueUrl=url, Attributes={"FifoQueue": "false"})
        self.sqs.set_queue_attributes(QueueUrl=url,
                                      Attributes={"ContentBasedDeduplication": "true"})
        self.assertEqual(self.attrs(url, "ContentBasedDeduplication")["ContentBasedDeduplication"],
                         "true")

    def test_dead_letter_queue_must_be_of_the_same_type(self):
        standard_arn = self.queue_arn(self.new_queue(prefix="stddlq"))
        fifo_arn = self.queue_arn(self.new_fifo("fifodlq"))
        policy = '{"deadLetterTargetArn":"%s","maxReceiveCount":3}'
        self.assert_error("InvalidParameterValue", self.sqs.create_queue,
                          QueueName=fifo_name(),
                          Attributes={"FifoQueue": "true", "RedrivePolicy": policy % standard_arn},
                          message="same type of queue")
        self.assert_error("InvalidParameterValue", self.sqs.create_queue,
                          QueueName=unique_name("std"),
                          Attributes={"RedrivePolicy": policy % fifo_arn})


class FifoSendTest(FifoCase):
    def test_send_errors(self):
        url = self.new_fifo()
        self.assert_error("MissingParameter", self.sqs.send_message, QueueUrl=url,
                          MessageBody="x", MessageDeduplicationId="d",
                          message="The request must contain the parameter MessageGroupId.")
        self.assert_error("InvalidParameterValue", self.send, url, "x", "g",
                          message="The queue should either have ContentBasedDeduplication "
                                  "enabled or MessageDeduplicationId provided explicitly")
        self.assert_error("InvalidParameterValue", self.send, url, "x", "g", "d", DelaySeconds=5,
                          message="DelaySeconds")
        self.assert_error("InvalidParameterValue", self.send, url, "x", "g" * 129, "d")
        self.assert_error("InvalidParameterValue", self.send, url, "x", "g", "bad id")
        self.assertEqual(self.depth(url), 0)

    def test_standard_queue_and_fifo_members(self):
        url = self.new_queue(prefix="std")
        self.assert_error("InvalidParameterValue", self.sqs.send_message, QueueUrl=url,
                          MessageBody="x", MessageDeduplicationId="d",
                          message="MessageDeduplicationId")
        # Fair queues: a group id on a standard queue is accepted and returned.
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="tenant-7")
        self.assertNotIn("SequenceNumber", sent)
        got = wait_until(lambda: self.receive(url), message="standard message")
        self.assertEqual(got[0]["Attributes"]["MessageGroupId"], "tenant-7")

    def test_duplicates_within_the_window_are_not_enqueued(self):
        url = self.new_fifo()
        first = self.send(url, "payment-1", "acct-1", "evt-1")
        again = self.send(url, "payment-1 (retried)", "acct-1", "evt-1")
        self.assertEqual(again["MessageId"], first["MessageId"])
        self.assertEqual(again["SequenceNumber"], first["SequenceNumber"])
        self.assertEqual(again["MD5OfMessageBody"],
                         hashlib.md5(b"payment-1 (retried)").hexdigest())
        # Under DeduplicationScope=queue the id is a duplicate in any group.
        self.assertEqual(self.send(url, "x", "acct-2", "evt-1")["MessageId"], first["MessageId"])
        got = self.receive(url)
        self.assertEqual([m["Body"] for m in got], ["payment-1"])
        self.delete(url, got)
        # Still a duplicate after the first one was deleted.
        self.assertEqual(self.send(url, "payment-1", "acct-1", "evt-1")["MessageId"],
                         first["MessageId"])
        self.assertEqual(self.depth(url), 0)

    def test_content_based_deduplication(self):
        url = self.new_fifo(ContentBasedDeduplication="true")
        first = self.send(url, '{"payment_id": "p-1"}', "g")
        self.assertEqual(self.send(url, '{"payment_id": "p-1"}', "g")["MessageId"],
                         first["MessageId"])
        self.assertNotEqual(self.send(url, '{"payment_id": "p-2"}', "g")["MessageId"],
                            first["MessageId"])
        got = self.receive(url)
        self.assertEqual([m["Body"] for m in got], ['{"payment_id": "p-1"}', '{"payment_id": "p-2"}'])
        self.assertEqual(got[0]["Attributes"]["MessageDeduplicationId"],
                         hashlib.sha256(b'{"payment_id": "p-1"}').hexdigest())

    def test_deduplication_scope_message_group(self):
        url = self.new_fifo(DeduplicationScope="messageGroup")
        a = self.send(url, "x", "g1", "same")
        b = self.send(url, "x", "g2", "same")
        self.assertNotEqual(a["MessageId"], b["MessageId"])
        self.assertEqual(self.send(url, "x", "g1", "same")["MessageId"], a["MessageId"])
        self.assertEqual(self.depth(url), 2)

    def test_batch_entries_fail_one_by_one(self):
        url = self.new_fifo()
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "ok1", "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
            {"Id": "nogroup", "MessageBody": "b", "MessageDeduplicationId": "2"},
            {"Id": "ok2", "MessageBody": "c", "MessageGroupId": "g", "MessageDeduplicationId": "3"},
            {"Id": "delay", "MessageBody": "d", "MessageGroupId": "g",
             "MessageDeduplicationId": "4", "DelaySeconds": 3},
        ])
        self.assertEqual([e["Id"] for e in resp["Successful"]], ["ok1", "ok2"])
        self.assertLess(int(resp["Successful"][0]["SequenceNumber"]),
                        int(resp["Successful"][1]["SequenceNumber"]))
        failed = {e["Id"]: e for e in resp["Failed"]}
        self.assertEqual(failed["nogroup"]["Code"], "MissingParameter")
        self.assertEqual(failed["delay"]["Code"], "InvalidParameterValue")
        self.assertTrue(failed["nogroup"]["SenderFault"])
        self.assertEqual([m["Body"] for m in self.receive(url)], ["a", "c"])

    def test_sequence_numbers_and_system_attributes(self):
        url = self.new_fifo()
        numbers = [self.send(url, "m%d" % i, "g", "d%d" % i)["SequenceNumber"] for i in range(5)]
        self.assertEqual([int(n) for n in numbers], sorted(int(n) for n in numbers))
        self.assertEqual(len(set(numbers)), 5)
        got = self.receive(url, max_messages=2)
        self.assertEqual(got[0]["Attributes"]["MessageGroupId"], "g")
        self.assertEqual(got[0]["Attributes"]["MessageDeduplicationId"], "d0")
        self.assertEqual(got[0]["Attributes"]["SequenceNumber"], numbers[0])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[1]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        named = self.sqs.receive_message(QueueUrl=url, AttributeNames=["SequenceNumber"])
        self.assertEqual(named["Messages"][0]["Attributes"], {"SequenceNumber": numbers[0]})


class FifoReceiveTest(FifoCase):
    def test_group_blocks_until_its_head_is_deleted(self):
        url = self.new_fifo()
        for body, group in (("a1", "a"), ("a2", "a"), ("b1", "b")):
            self.send(url, body, group, body)
        head = self.receive(url, max_messages=1)
        self.assertEqual([m["Body"] for m in head], ["a1"])
        rest = self.receive(url)
        self.assertEqual([m["Body"] for m in rest], ["b1"])
        self.assertEqual(self.receive(url), [])
        # A long poll parked on the blocked group wakes when the head is deleted.
        parked_before = self.server.parked_receives()
        thread, box = run_in_thread(self.receive, url, 10, 10)
        self.server.wait_parked(parked_before + 1)
        self.delete(url, head)
        thread.join(timeout=15)
        self.assertNotIn("error", box)
        self.assertEqual([m["Body"] for m in box["result"]], ["a2"])
        self.assertLess(box["elapsed"], 5.0)
        # Answered, so no longer parked (GET /health counts parked receives).
        self.assertEqual(self.server.parked_receives(), parked_before)

    def test_group_unblocks_when_the_visibility_timeout_ends(self):
        url = self.new_fifo()
        self.send(url, "a1", "a", "a1")
        self.send(url, "a2", "a", "a2")
        self.assertEqual([m["Body"] for m in self.receive(url, 1, VisibilityTimeout=2)], ["a1"])
        start = time.monotonic()
        again = self.receive(url, 10, 10)  # parks, woken when the timeout ends
        self.assertEqual([m["Body"] for m in again], ["a1", "a2"])
        self.assertLess(time.monotonic() - start, 6.0)
        self.assertEqual(again[0]["Attributes"]["ApproximateReceiveCount"], "2")

    def test_change_visibility_zero_unblocks(self):
        url = self.new_fifo()
        self.send(url, "a1", "a", "a1")
        head = self.receive(url, 1)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=head[0]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        self.assertEqual([m["Body"] for m in self.receive(url)], ["a1"])

    def test_order_per_group_under_four_concurrent_consumers(self):
        url = self.new_fifo()
        groups, per_group = 8, 25
        for g in range(groups):
            for start in range(0, per_group, 10):
                self.sqs.send_message_batch(QueueUrl=url, Entries=[
                    {"Id": "e%d" % i, "MessageBody": "%d:%d" % (g, i),
                     "MessageGroupId": "group-%d" % g,
                     "MessageDeduplicationId": "%d-%d" % (g, i)}
                    for i in range(start, min(start + 10, per_group))])
        total = groups * per_group
        lock = threading.Lock()
        seen = {g: [] for g in range(groups)}   # bodies in the order they were received
        by_consumer = {}
        deadline = time.monotonic() + 60
        errors = []

        # boto3 clients are thread-safe once made; making them is not.
        clients = [self.server.client() for _ in range(4)]

        def consume(name, client):
            try:
                while time.monotonic() < deadline:
                    with lock:
                        if sum(len(v) for v in seen.values()) >= total:
                            return
                    got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                 WaitTimeSeconds=1).get("Messages", [])
                    with lock:
                        for m in got:
                            g, i = (int(x) for x in m["Body"].split(":"))
                            seen[g].append(i)
                        by_consumer[name] = by_consumer.get(name, 0) + len(got)
                    if got:
                        # Delete after recording: the group stays blocked
                        # until then, so its next messages are recorded later.
                        client.delete_message_batch(QueueUrl=url, Entries=[
                            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                            for n, m in enumerate(got)])
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=consume, args=("c%d" % n, clients[n]))
                   for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
        self.assertEqual(errors, [])
        for g in range(groups):
            self.assertEqual(seen[g], list(range(per_group)), "group %d" % g)
        self.assertEqual(sum(by_consumer.values()), total)
        self.assertEqual(self.depth(url), 0)

    def test_receive_request_attempt_id_retry(self):
        url = self.new_fifo()
        self.send(url, "a1", "a", "a1")
        self.send(url, "a2", "a", "a2")
        first = self.receive(url, 10, ReceiveRequestAttemptId="attempt-1")
        retry = self.receive(url, 10, ReceiveRequestAttemptId="attempt-1")
        self.assertEqual([m["Body"] for m in first], ["a1", "a2"])
        self.assertEqual([m["ReceiptHandle"] for m in retry], [m["ReceiptHandle"] for m in first])
        self.assertEqual(self.receive(url, 10, ReceiveRequestAttemptId="attempt-2"), [])
        self.delete(url, retry)
        self.assertEqual(self.depth(url), 0)


class FifoDeadLetterTest(FifoCase):
    def test_dead_letter_queue_and_redrive_back(self):
        dlq = self.new_fifo("dlq")
        dlq_arn = self.queue_arn(dlq)
        src = self.new_fifo("src", VisibilityTimeout="1", RedrivePolicy=(
            '{"deadLetterTargetArn":"%s","maxReceiveCount":2}' % dlq_arn))
        poison = self.send(src, "poison", "acct", "poison")
        self.send(src, "next", "acct", "next")

        # Received twice, never deleted: each visibility lapse returns it.
        receipts = []
        deadline = time.monotonic() + 20
        while len(receipts) < 2 and time.monotonic() < deadline:
            got = self.receive(src, 1, 1)
            receipts += [m["Body"] for m in got]
        self.assertEqual(receipts, ["poison", "poison"])
        # The next receive moves the head to the DLQ and the group moves on.
        moved = wait_until(lambda: self.receive(src, 1, 1), timeout=20, message="next message")
        self.assertEqual(moved[0]["Body"], "next")
        self.delete(src, moved)

        dead = wait_until(lambda: self.receive(dlq, 10, 1), timeout=10, message="DLQ message")
        self.assertEqual([m["Body"] for m in dead], ["poison"])
        attributes = dead[0]["Attributes"]
        self.assertEqual(attributes["MessageGroupId"], "acct")
        self.assertEqual(attributes["MessageDeduplicationId"], poison["MessageId"])
        self.assertEqual(attributes["DeadLetterQueueSourceArn"], self.queue_arn(src))
        self.sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=dead[0]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [src])

        # Redrive back: the message returns to its group, not dropped as a duplicate.
        self.sqs.start_message_move_task(SourceArn=dlq_arn)
        wait_until(lambda: self.sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
                   ["Status"] == "COMPLETED", timeout=15, message="move task completed")
        back = wait_until(lambda: self.receive(src, 10, 1), timeout=10, message="redriven message")
        self.assertEqual([m["Body"] for m in back], ["poison"])
        self.assertEqual(back[0]["Attributes"]["MessageGroupId"], "acct")
        self.assertEqual(back[0]["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertGreater(int(back[0]["Attributes"]["SequenceNumber"]),
                           int(poison["SequenceNumber"]))
        self.delete(src, back)
        self.assertEqual(self.depth(dlq), 0)


class FifoQueryProtocolTest(test_query_protocol.QueryTestCase):
    """A FIFO send and receive through Debian's boto3, which speaks Query."""

    def test_fifo_send_and_receive_over_query(self):
        name = fifo_name("qfifo")
        url = self.q("create_queue", QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        self.assertIn("Action=CreateQueue", self.query.wire["request_body"])
        first = self.q("send_message", QueueUrl=url, MessageBody="one", MessageGroupId="g",
                       MessageDeduplicationId="d1")
        self.assertIn("MessageGroupId=g", self.query.wire["request_body"])
        self.assertTrue(first["SequenceNumber"])
        duplicate = self.q("send_message", QueueUrl=url, MessageBody="one", MessageGroupId="g",
                           MessageDeduplicationId="d1")
        self.assertEqual(duplicate["MessageId"], first["MessageId"])
        batch = self.q("send_message_batch", QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "two", "MessageGroupId": "g",
             "MessageDeduplicationId": "d2"},
            {"Id": "b", "MessageBody": "three", "MessageDeduplicationId": "d3"}])
        self.assertEqual([e["Id"] for e in batch["Successful"]], ["a"])
        self.assertGreater(int(batch["Successful"][0]["SequenceNumber"]),
                           int(first["SequenceNumber"]))
        self.assertEqual(batch["Failed"][0]["Code"], "MissingParameter")
        self.q_error("send_message", "MissingParameter", QueueUrl=url, MessageBody="x",
                     MessageDeduplicationId="d9")

        got = self.q("receive_message", QueueUrl=url, MaxNumberOfMessages=10,
                     AttributeNames=["All"], ReceiveRequestAttemptId="query-attempt")
        self.assertIn("ReceiveRequestAttemptId=query-attempt", self.query.wire["request_body"])
        self.assertEqual([m["Body"] for m in got["Messages"]], ["one", "two"])
        attributes = got["Messages"][0]["Attributes"]
        self.assertEqual(attributes["MessageGroupId"], "g")
        self.assertEqual(attributes["MessageDeduplicationId"], "d1")
        self.assertEqual(attributes["SequenceNumber"], first["SequenceNumber"])
        retry = self.q("receive_message", QueueUrl=url, MaxNumberOfMessages=10,
                       ReceiveRequestAttemptId="query-attempt")
        self.assertEqual([m["ReceiptHandle"] for m in retry["Messages"]],
                         [m["ReceiptHandle"] for m in got["Messages"]])
        for m in got["Messages"]:
            self.q("delete_message", QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.count(url), 0)


if __name__ == "__main__":
    unittest.main()
