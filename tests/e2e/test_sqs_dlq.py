"""Dead-letter queues and message move tasks (DLQ redrive), driven by boto3.

A message received more than maxReceiveCount times moves to the DLQ intact;
StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask move it
back (or elsewhere) and report progress.
"""

import json
import time
import unittest

import botocore.exceptions

import harness
from harness import ServerTestCase, account_id, skip_under_moto, unique_name, wait_until

ATTRIBUTES = {
    "kind": {"DataType": "String", "StringValue": "payment"},
    "amount": {"DataType": "Number", "StringValue": "12.50"},
    "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
}

# moto implements none of the message move task operations (it answers 500).
MOTO_HAS_NO_MOVE_TASKS = "moto does not implement message move tasks"


def normalized(attributes):
    out = {}
    for name, value in attributes.items():
        v = {"DataType": value["DataType"]}
        if "StringValue" in value:
            v["StringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            v["BinaryValue"] = bytes(value["BinaryValue"])
        out[name] = v
    return out


class DlqTestCase(ServerTestCase):

    def make_pair(self, max_receive_count=2, source_attributes=None):
        """A source queue redriving to a fresh DLQ: (source_url, dlq_url)."""
        dlq = self.new_queue("dlq")
        attributes = {"RedrivePolicy": json.dumps({
            "deadLetterTargetArn": self.queue_arn(dlq),
            "maxReceiveCount": max_receive_count})}
        attributes.update(source_attributes or {})
        return self.new_queue("src", attributes=attributes), dlq

    def count(self, url, name="ApproximateNumberOfMessages"):
        return int(self.attrs(url, name)[name])

    def exhaust(self, source, dlq, expected, max_receive_count, timeout=40):
        """Receives from `source` with a 1 s visibility until `expected`
        messages have reached the DLQ; returns how often each message id was
        delivered from the source."""
        deliveries = {}

        def step():
            resp = self.sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10,
                                            VisibilityTimeout=1, WaitTimeSeconds=1)
            for m in resp.get("Messages", []):
                deliveries[m["MessageId"]] = deliveries.get(m["MessageId"], 0) + 1
            return self.count(dlq) >= expected

        wait_until(step, timeout=timeout, interval=0,
                   message="%d messages in the DLQ" % expected)
        return deliveries

    def drain(self, url, expected, **kwargs):
        return self.receive_all(url, expected, timeout=20, **kwargs)


class RedriveToDlqTest(DlqTestCase):

    def test_message_moves_after_max_receive_count(self):
        source, dlq = self.make_pair(max_receive_count=2)
        source_arn = self.queue_arn(source)
        sent = self.sqs.send_message(QueueUrl=source, MessageBody="poison",
                                     MessageAttributes=ATTRIBUTES)
        first = self.sqs.receive_message(QueueUrl=source, WaitTimeSeconds=5,
                                         AttributeNames=["SentTimestamp"])["Messages"][0]
        sent_timestamp = first["Attributes"]["SentTimestamp"]
        self.sqs.change_message_visibility(QueueUrl=source,
                                           ReceiptHandle=first["ReceiptHandle"],
                                           VisibilityTimeout=0)
        deliveries = self.exhaust(source, dlq, 1, 2)
        # Delivered exactly maxReceiveCount times in total, then moved.
        self.assertEqual(deliveries.get(sent["MessageId"], 0) + 1, 2)
        self.assertEqual(self.count(source), 0)
        self.assertEqual(self.count(source, "ApproximateNumberOfMessagesNotVisible"), 0)

        got = self.sqs.receive_message(
            QueueUrl=dlq, WaitTimeSeconds=5, MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All", "DeadLetterQueueSourceArn"])["Messages"]
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["Body"], "poison")
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(normalized(m["MessageAttributes"]), ATTRIBUTES)
        self.assertEqual(m["Attributes"]["SentTimestamp"], sent_timestamp)
        if not harness.under_moto():  # moto never reports DeadLetterQueueSourceArn
            self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], source_arn)

    def test_source_arn_only_when_asked(self):
        source, dlq = self.make_pair(max_receive_count=1)
        self.sqs.send_message(QueueUrl=source, MessageBody="x")
        self.exhaust(source, dlq, 1, 1)
        m = self.sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=5,
                                     MessageSystemAttributeNames=["SentTimestamp"])
        self.assertNotIn("DeadLetterQueueSourceArn", m["Messages"][0]["Attributes"])

    def test_deleted_in_time_never_moves(self):
        source, dlq = self.make_pair(max_receive_count=1)
        self.sqs.send_message(QueueUrl=source, MessageBody="handled")
        m = self.sqs.receive_message(QueueUrl=source, WaitTimeSeconds=5,
                                     VisibilityTimeout=1)["Messages"][0]
        self.sqs.delete_message(QueueUrl=source, ReceiptHandle=m["ReceiptHandle"])
        resp = self.sqs.receive_message(QueueUrl=source, WaitTimeSeconds=2)
        self.assertEqual(resp.get("Messages", []), [])
        self.assertEqual(self.count(dlq), 0)

    def test_many_messages_all_arrive_once(self):
        source, dlq = self.make_pair(max_receive_count=1)
        bodies = {"m%d" % i for i in range(12)}
        for b in bodies:
            self.sqs.send_message(QueueUrl=source, MessageBody=b)
        self.exhaust(source, dlq, len(bodies), 1, timeout=60)
        got = self.drain(dlq, len(bodies))
        self.assertEqual(sorted(m["Body"] for m in got.values()), sorted(bodies))

    def test_redrive_policy_removed_stops_moving(self):
        source, dlq = self.make_pair(max_receive_count=1)
        self.sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
        self.sqs.send_message(QueueUrl=source, MessageBody="stays")
        for expected_count in ("1", "2"):
            m = wait_until(lambda: self.sqs.receive_message(
                QueueUrl=source, WaitTimeSeconds=1, VisibilityTimeout=1,
                AttributeNames=["ApproximateReceiveCount"]).get("Messages"), timeout=15)[0]
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], expected_count)
        self.assertEqual(self.count(dlq), 0)


@skip_under_moto(MOTO_HAS_NO_MOVE_TASKS)
class MoveTaskTest(DlqTestCase):

    def fill_dlq(self, n, max_receive_count=1):
        source, dlq = self.make_pair(max_receive_count=max_receive_count)
        ids = {}
        for i in range(n):
            body = "redrive-%d" % i
            ids[self.sqs.send_message(QueueUrl=source, MessageBody=body,
                                      MessageAttributes=ATTRIBUTES)["MessageId"]] = body
        self.exhaust(source, dlq, n, max_receive_count, timeout=60)
        return source, dlq, ids

    def wait_for_status(self, source_arn, statuses, timeout=30):
        def done():
            results = self.sqs.list_message_move_tasks(SourceArn=source_arn)["Results"]
            return results[0] if results and results[0]["Status"] in statuses else None
        return wait_until(done, timeout=timeout, message="task status in %s" % (statuses,))

    def test_move_back_to_source(self):
        source, dlq, ids = self.fill_dlq(5)
        dlq_arn = self.queue_arn(dlq)
        handle = self.sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
        self.assertTrue(handle)
        task = self.wait_for_status(dlq_arn, {"COMPLETED"})
        self.assertEqual(task["SourceArn"], dlq_arn)
        self.assertEqual(task["ApproximateNumberOfMessagesMoved"], 5)
        self.assertIn("StartedTimestamp", task)
        self.assertNotIn("TaskHandle", task)  # only RUNNING tasks show a handle
        self.assertEqual(self.count(dlq), 0)
        got = self.drain(source, 5, MessageAttributeNames=["All"])
        self.assertEqual({mid: m["Body"] for mid, m in got.items()}, ids)
        for m in got.values():
            self.assertEqual(normalized(m["MessageAttributes"]), ATTRIBUTES)

    def test_move_to_explicit_destination(self):
        source, dlq, ids = self.fill_dlq(3)
        dest = self.new_queue("dest")
        dlq_arn = self.queue_arn(dlq)
        self.sqs.start_message_move_task(SourceArn=dlq_arn,
                                         DestinationArn=self.queue_arn(dest),
                                         MaxNumberOfMessagesPerSecond=100)
        task = self.wait_for_status(dlq_arn, {"COMPLETED"})
        self.assertEqual(task["DestinationArn"], self.queue_arn(dest))
        self.assertEqual(task["MaxNumberOfMessagesPerSecond"], 100)
        self.assertEqual(task["ApproximateNumberOfMessagesMoved"], 3)
        got = self.drain(dest, 3)
        self.assertEqual({mid: m["Body"] for mid, m in got.items()}, ids)
        self.assertEqual(self.count(source), 0)

    def test_low_rate_task_makes_progress(self):
        # One message per second: slower than the server's move tick, so the
        # rate limiter must carry fractional credit from tick to tick.
        source, dlq, ids = self.fill_dlq(3)
        dlq_arn = self.queue_arn(dlq)
        t0 = time.monotonic()
        self.sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)
        task = self.wait_for_status(dlq_arn, {"COMPLETED", "FAILED"}, timeout=30)
        self.assertEqual(task["Status"], "COMPLETED", task)
        self.assertEqual(task["ApproximateNumberOfMessagesMoved"], 3)
        self.assertGreaterEqual(time.monotonic() - t0, 1.5, "the rate limit was not applied")
        got = self.drain(source, 3)
        self.assertEqual({mid: m["Body"] for mid, m in got.items()}, ids)

    def test_running_task_reports_progress_and_can_be_cancelled(self):
        source, dlq, ids = self.fill_dlq(10)
        dlq_arn = self.queue_arn(dlq)
        handle = self.sqs.start_message_move_task(
            SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        listed = self.sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
        self.assertEqual(listed[0]["Status"], "RUNNING")
        self.assertEqual(listed[0]["TaskHandle"], handle)
        self.assertEqual(listed[0]["ApproximateNumberOfMessagesToMove"], 10)
        self.assertLess(listed[0]["ApproximateNumberOfMessagesMoved"], 10)
        # A second task on the same source while one runs is refused.
        with self.assertRaises(botocore.exceptions.ClientError):
            self.sqs.start_message_move_task(SourceArn=dlq_arn)
        cancelled = self.sqs.cancel_message_move_task(TaskHandle=handle)
        moved_at_cancel = cancelled["ApproximateNumberOfMessagesMoved"]
        self.assertLess(moved_at_cancel, 10)
        task = self.wait_for_status(dlq_arn, {"CANCELLED"})
        self.assertLess(task["ApproximateNumberOfMessagesMoved"], 10)
        # Nothing lost: every message is in exactly one of the two queues.
        in_dlq = self.drain(dlq, 10 - task["ApproximateNumberOfMessagesMoved"])
        in_source = self.drain(source, task["ApproximateNumberOfMessagesMoved"])
        self.assertEqual(set(in_dlq) | set(in_source), set(ids))
        self.assertEqual(set(in_dlq) & set(in_source), set())
        # Cancelling a finished task is refused.
        with self.assertRaises(botocore.exceptions.ClientError):
            self.sqs.cancel_message_move_task(TaskHandle=handle)

    def test_list_returns_most_recent_first(self):
        source, dlq, _ = self.fill_dlq(1)
        dlq_arn = self.queue_arn(dlq)
        self.sqs.start_message_move_task(SourceArn=dlq_arn)
        self.wait_for_status(dlq_arn, {"COMPLETED"})
        self.sqs.send_message(QueueUrl=source, MessageBody="second round")
        self.exhaust(source, dlq, 1, 1)
        self.sqs.start_message_move_task(SourceArn=dlq_arn)
        self.wait_for_status(dlq_arn, {"COMPLETED"})
        one = self.sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        self.assertEqual(len(one), 1)  # MaxResults defaults to 1
        both = self.sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
        self.assertEqual(len(both), 2)
        self.assertGreaterEqual(both[0]["StartedTimestamp"], both[1]["StartedTimestamp"])

    def test_errors(self):
        missing_arn = "arn:aws:sqs:us-east-1:%s:%s" % (account_id(), unique_name("nowhere"))
        with self.assertRaises(self.sqs.exceptions.ResourceNotFoundException):
            self.sqs.start_message_move_task(SourceArn=missing_arn)
        with self.assertRaises(self.sqs.exceptions.ResourceNotFoundException):
            self.sqs.list_message_move_tasks(SourceArn=missing_arn)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.cancel_message_move_task(TaskHandle="no-such-task")
        self.assertIn(self.error_code(cm.exception),
                      ("ResourceNotFoundException", "InvalidParameterValue"))

        plain = self.new_queue("plain")  # nobody's DLQ
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.start_message_move_task(SourceArn=self.queue_arn(plain))
        self.assertIn(self.error_code(cm.exception), (
            "InvalidParameterValue", "AWS.SimpleQueueService.UnsupportedOperation",
            "UnsupportedOperation"))

        _, dlq = self.make_pair()
        for rate in (0, 501):
            with self.subTest(rate=rate):
                with self.assertRaises(botocore.exceptions.ClientError) as cm:
                    self.sqs.start_message_move_task(SourceArn=self.queue_arn(dlq),
                                                     MaxNumberOfMessagesPerSecond=rate)
                self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")
        self.assertEqual(self.sqs.list_message_move_tasks(
            SourceArn=self.queue_arn(dlq)).get("Results", []), [])

    def test_destination_must_exist(self):
        _, dlq, _ = self.fill_dlq(1)
        missing = "arn:aws:sqs:us-east-1:%s:%s" % (account_id(), unique_name("nodest"))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.start_message_move_task(SourceArn=self.queue_arn(dlq),
                                             DestinationArn=missing)
        self.assertIn(self.error_code(cm.exception),
                      ("ResourceNotFoundException", "InvalidParameterValue"))
        self.assertEqual(self.count(dlq), 1)


if __name__ == "__main__":
    unittest.main()
