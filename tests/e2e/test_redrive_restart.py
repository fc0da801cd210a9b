"""A DLQ redrive (message move task) survives a restart of the server.

The issue asks for "a move that survives a restart or ends with a FAILED
status, never half-silently"; Sluice promises the former (move_tasks rows are
durable and the maintenance timer resumes RUNNING ones). A slow task
(MaxNumberOfMessagesPerSecond=1) is interrupted midway, by SIGTERM and by
kill -9, and after the restart it must run to COMPLETED with every message
in the source queue exactly once and none left in the DLQ.
"""

import json
import unittest

from harness import Server, requires_process, unique_name, wait_until

MESSAGES = 5


@requires_process("restarts its own sluice process")
class RedriveRestartTest(unittest.TestCase):

    def setUp(self):
        self.server = Server()
        self.server.start()
        self.addCleanup(self.server.cleanup)
        self.sqs = self.server.client()

    def arn(self, url):
        return self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def count(self, url, name="ApproximateNumberOfMessages"):
        return int(self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=[name])["Attributes"][name])

    def fill_dlq(self):
        """A source queue with maxReceiveCount 1 and MESSAGES messages moved
        to its DLQ: (source_url, dlq_url, {message id: body})."""
        dlq = self.sqs.create_queue(QueueName=unique_name("dlq"))["QueueUrl"]
        source = self.sqs.create_queue(QueueName=unique_name("src"), Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": self.arn(dlq),
                                         "maxReceiveCount": 1})})["QueueUrl"]
        ids = {}
        for i in range(MESSAGES):
            body = "redrive-restart-%d" % i
            ids[self.sqs.send_message(QueueUrl=source, MessageBody=body)["MessageId"]] = body

        # VisibilityTimeout=0 makes each received message visible again at
        # once; its next receive is one too many and moves it to the DLQ.
        def moved_all():
            self.sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10,
                                     VisibilityTimeout=0)
            return self.count(dlq) == MESSAGES
        wait_until(moved_all, timeout=20, interval=0,
                   message="%d messages in the DLQ" % MESSAGES)
        self.assertEqual(self.count(source), 0)
        return source, dlq, ids

    def task(self, dlq_arn):
        results = self.sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        return results[0] if results else None

    def drain(self, url, expected):
        """Every message of `url` (received with a long visibility), waiting
        until `expected` distinct ones came back; {message id: body}."""
        seen = {}

        def step():
            resp = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                            VisibilityTimeout=300, WaitTimeSeconds=1)
            for m in resp.get("Messages", []):
                self.assertNotIn(m["MessageId"], seen, "delivered twice")
                seen[m["MessageId"]] = m["Body"]
            return len(seen) >= expected
        wait_until(step, timeout=20, interval=0,
                   message="%d messages received from %s" % (expected, url))
        return seen

    def interrupted_move_completes(self, kill):
        source, dlq, ids = self.fill_dlq()
        dlq_arn = self.arn(dlq)
        handle = self.sqs.start_message_move_task(
            SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]

        # Midway: at least one message moved, at least one still to go.
        before = wait_until(
            lambda: (lambda t: t if t and t["ApproximateNumberOfMessagesMoved"] >= 1 else None)(
                self.task(dlq_arn)),
            timeout=15, message="the move task to move its first message")
        self.assertEqual(before["Status"], "RUNNING", before)
        self.assertLess(before["ApproximateNumberOfMessagesMoved"], MESSAGES,
                        "the task finished before the restart; the rate limit did not apply")

        self.server.restart(kill=kill)
        self.sqs = self.server.client()

        after = self.task(dlq_arn)
        self.assertIsNotNone(after, "the move task was forgotten by the restart")
        self.assertIn(after["Status"], {"RUNNING", "COMPLETED"}, after)
        self.assertGreaterEqual(after["ApproximateNumberOfMessagesMoved"],
                                before["ApproximateNumberOfMessagesMoved"])
        if after["Status"] == "RUNNING":
            self.assertEqual(after["TaskHandle"], handle)

        done = wait_until(
            lambda: (lambda t: t if t["Status"] != "RUNNING" else None)(self.task(dlq_arn)),
            timeout=30, message="the resumed move task to finish")
        self.assertEqual(done["Status"], "COMPLETED", done)
        self.assertEqual(done["ApproximateNumberOfMessagesMoved"], MESSAGES, done)
        self.assertEqual(self.count(dlq), 0)
        self.assertEqual(self.count(dlq, "ApproximateNumberOfMessagesNotVisible"), 0)
        self.assertEqual(self.drain(source, MESSAGES), ids)
        self.assertEqual(self.server.stop(), 0)

    def test_move_task_resumes_after_sigterm(self):
        self.interrupted_move_completes(kill=False)

    def test_move_task_resumes_after_kill_9(self):
        self.interrupted_move_completes(kill=True)


if __name__ == "__main__":
    unittest.main()
