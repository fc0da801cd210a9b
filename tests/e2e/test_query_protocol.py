"""SQS's Query protocol (form-encoded Action=..., XML answers), end to end,
with the SDKs that speak it against the real binary:

  - Debian 12's boto3 1.26 / botocore 1.29 (python3-boto3), which predates
    SQS's JSON protocol: it runs under /usr/bin/python3 in a child process
    (query_client.py) that this test drives over pipes, with the three move
    task operations merged into its model, so all 23 operations are called;
  - Debian 12's aws CLI 2.9 (/usr/bin/aws, package awscli), likewise Query;
  - raw HTTP, as the Java SDK v1 sends it (POST to the queue URL, without a
    QueueUrl parameter) and as a GET with the parameters in the query string.

MD5s are checked against the independent implementation in
test_sqs_messages.py (botocore does not check SQS MD5s). Messages cross
protocols: what is sent in Query is received in JSON and the other way.

These tests fail, not skip, when /usr/bin/python3 has no boto3 or
/usr/bin/aws is missing: scripts/install-deps.sh installs python3-boto3 and
awscli.
"""

import base64
import json
import os
import subprocess
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ElementTree

import harness
from harness import ServerTestCase, account_id, run_in_thread, unique_name, wait_until
from test_sqs_messages import ALL_KINDS, TRACE_HEADER, md5_of_attributes, md5_of_body, normalized

DEBIAN_PYTHON = "/usr/bin/python3"
DEBIAN_AWS = "/usr/bin/aws"
CLIENT = os.path.join(harness.HERE, "query_client.py")
XMLNS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def require_debian_sdks():
    """Fails (AssertionError) unless Debian's boto3 and aws CLI are installed."""
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import boto3"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise AssertionError("%s has no boto3: apt-get install python3-boto3 awscli "
                             "(scripts/install-deps.sh)\n%s" % (DEBIAN_PYTHON, probe.stderr))
    if not os.access(DEBIAN_AWS, os.X_OK):
        raise AssertionError("%s is missing: apt-get install awscli (scripts/install-deps.sh)"
                             % DEBIAN_AWS)


def to_wire(value):
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    return value


def from_wire(value):
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        return {k: from_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    return value


class QueryError(AssertionError):
    def __init__(self, error, wire):
        super().__init__("Query call failed: %r" % (error,))
        self.error = error
        self.wire = wire


class QueryClient:
    """One query_client.py process: a Query-speaking boto3 client. Calls are
    synchronous; use one client per thread."""

    def __init__(self, endpoint):
        self.proc = subprocess.Popen(
            [DEBIAN_PYTHON, CLIENT, endpoint], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("query_client.py did not start:\n" + self.proc.stderr.read())
        self.info = json.loads(line)["ready"]
        self.wire = {}

    def answer(self, op, **params):
        """The raw answer: {"ok": ...} or {"error": ...}, plus "wire"."""
        self.proc.stdin.write(json.dumps({"op": op, "params": to_wire(params)}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("query_client.py died:\n" + self.proc.stderr.read())
        answer = json.loads(line)
        self.wire = answer.get("wire", {})
        return answer

    def call(self, op, **params):
        """boto3's response (bytes restored), or QueryError."""
        answer = self.answer(op, **params)
        if "error" in answer:
            raise QueryError(answer["error"], answer.get("wire", {}))
        response = from_wire(answer["ok"])
        response.pop("ResponseMetadata", None)
        return response

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


class QueryTestCase(ServerTestCase):
    """A server, a JSON boto3 client (self.sqs) and a Query one (self.query)."""

    @classmethod
    def setUpClass(cls):
        require_debian_sdks()
        super().setUpClass()
        cls.query_clients = []
        try:
            cls.query = cls.new_query_client()
        except BaseException:
            super().tearDownClass()
            raise

    @classmethod
    def new_query_client(cls):
        client = QueryClient(cls.server.endpoint())
        cls.query_clients.append(client)
        return client

    @classmethod
    def tearDownClass(cls):
        for client in cls.query_clients:
            client.close()
        super().tearDownClass()

    def q(self, op, **params):
        return self.query.call(op, **params)

    def q_error(self, op, code, exception=None, status=400, **params):
        """Calls `op`, which must fail with Error.Code `code` (and the modeled
        exception class, and status); returns the error dict."""
        with self.assertRaises(QueryError) as cm:
            self.query.call(op, **params)
        error = cm.exception.error
        self.assertEqual(error["Code"], code, error)
        self.assertEqual(error["status"], status, error)
        self.assertEqual(error["Type"], "Sender" if status < 500 else "Receiver", error)
        self.assertTrue(error["Message"], error)
        self.assertTrue(error["request_id"], error)
        if exception is not None:
            self.assertEqual(error["exception"], exception, error)
        self.assertTrue(cm.exception.wire.get("response_content_type", "").startswith("text/xml"))
        return error

    def new_query_queue(self, prefix="qp", attributes=None):
        """A queue created over Query, deleted (over JSON) when the test ends."""
        params = {"QueueName": unique_name(prefix)}
        if attributes:
            params["Attributes"] = {k: str(v) for k, v in attributes.items()}
        url = self.q("create_queue", **params)["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        return url

    def count(self, url, name="ApproximateNumberOfMessages"):
        return int(self.attrs(url, name)[name])


class QueryClientTest(QueryTestCase):

    def test_the_client_speaks_query_and_is_answered_in_xml(self):
        self.assertEqual(self.query.info["protocol"], "query", self.query.info)
        self.assertEqual(self.query.info["operations"], 23, self.query.info)
        self.q("list_queues")
        wire = self.query.wire
        self.assertTrue(wire["request_content_type"].startswith("application/x-www-form-urlencoded"),
                        wire)
        self.assertTrue(wire["request_body"].startswith("Action=ListQueues&Version=2012-11-05"),
                        wire)
        self.assertTrue(wire["response_content_type"].startswith("text/xml"), wire)


class QueryQueuesTest(QueryTestCase):

    def test_queue_lifecycle(self):
        name = unique_name("qlife")
        url = self.q("create_queue", QueueName=name,
                     Attributes={"VisibilityTimeout": "45", "DelaySeconds": "0"},
                     tags={"team": "payments"})["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        self.assertEqual(url, "%s/%s/%s" % (self.server.endpoint(), account_id(), name))
        self.assertEqual(self.q("get_queue_url", QueueName=name)["QueueUrl"], url)
        self.assertEqual(self.q("list_queues", QueueNamePrefix=name)["QueueUrls"], [url])
        attributes = self.q("get_queue_attributes", QueueUrl=url,
                            AttributeNames=["All"])["Attributes"]
        self.assertEqual(attributes["VisibilityTimeout"], "45")
        self.assertTrue(attributes["QueueArn"].endswith(":" + name))
        self.q("set_queue_attributes", QueueUrl=url,
               Attributes={"VisibilityTimeout": "50", "MessageRetentionPeriod": "600"})
        self.assertEqual(self.q("get_queue_attributes", QueueUrl=url,
                                AttributeNames=["VisibilityTimeout", "MessageRetentionPeriod"]),
                         {"Attributes": {"VisibilityTimeout": "50",
                                         "MessageRetentionPeriod": "600"}})
        # The JSON protocol sees the same queue.
        self.assertEqual(self.attrs(url, "VisibilityTimeout"), {"VisibilityTimeout": "50"})

        self.assertEqual(self.q("list_queue_tags", QueueUrl=url)["Tags"], {"team": "payments"})
        self.q("tag_queue", QueueUrl=url, Tags={"env": "dev", "owner": "a&b <c>"})
        self.q("untag_queue", QueueUrl=url, TagKeys=["team"])
        self.assertEqual(self.q("list_queue_tags", QueueUrl=url)["Tags"],
                         {"env": "dev", "owner": "a&b <c>"})

        self.q("delete_queue", QueueUrl=url)
        self.q_error("get_queue_url", "AWS.SimpleQueueService.NonExistentQueue",
                     exception="QueueDoesNotExist", QueueName=name)
        self.q_error("send_message", "AWS.SimpleQueueService.NonExistentQueue",
                     exception="QueueDoesNotExist", QueueUrl=url, MessageBody="x")

    def test_create_is_idempotent_but_not_with_other_attributes(self):
        name = unique_name("qexist")
        url = self.q("create_queue", QueueName=name, Attributes={"DelaySeconds": "1"})["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        again = self.q("create_queue", QueueName=name, Attributes={"DelaySeconds": "1"})
        self.assertEqual(again["QueueUrl"], url)
        self.q_error("create_queue", "QueueAlreadyExists", exception="QueueNameExists",
                     QueueName=name, Attributes={"DelaySeconds": "2"})

    def test_list_queues_pages(self):
        prefix = unique_name("qpage")
        urls = sorted(self.new_query_queue(prefix) for _ in range(3))
        first = self.q("list_queues", QueueNamePrefix=prefix, MaxResults=2)
        self.assertEqual(len(first["QueueUrls"]), 2)
        self.assertTrue(first["NextToken"])
        rest = self.q("list_queues", QueueNamePrefix=prefix, MaxResults=2,
                      NextToken=first["NextToken"])
        self.assertNotIn("NextToken", rest)
        self.assertEqual(sorted(first["QueueUrls"] + rest["QueueUrls"]), urls)
        self.assertEqual(self.q("list_queues", QueueNamePrefix=unique_name("none")), {})

    def test_permissions(self):
        url = self.new_query_queue()
        self.q("add_permission", QueueUrl=url, Label="let-them-send",
               AWSAccountIds=["111122223333", "444455556666"],
               Actions=["SendMessage", "ReceiveMessage"])
        policy = json.loads(self.attrs(url, "Policy")["Policy"])
        statement = policy["Statement"][0]
        self.assertEqual(statement["Sid"], "let-them-send")
        self.assertIn("444455556666", json.dumps(statement["Principal"]))
        actions = statement["Action"] if isinstance(statement["Action"], list) \
            else [statement["Action"]]
        self.assertEqual(sorted(a.split(":")[-1] for a in actions),
                         ["ReceiveMessage", "SendMessage"])
        self.q("remove_permission", QueueUrl=url, Label="let-them-send")
        remaining = self.attrs(url).get("Policy")
        if remaining:
            self.assertEqual(json.loads(remaining).get("Statement", []), [])

    def test_attribute_errors(self):
        url = self.new_query_queue()
        self.q_error("set_queue_attributes", "InvalidAttributeName",
                     exception="InvalidAttributeName", QueueUrl=url, Attributes={"Bogus": "1"})
        self.q_error("get_queue_attributes", "InvalidAttributeName",
                     exception="InvalidAttributeName", QueueUrl=url, AttributeNames=["Bogus"])
        self.q_error("set_queue_attributes", "InvalidAttributeValue", QueueUrl=url,
                     Attributes={"VisibilityTimeout": "forever"})

    def test_purge_queue(self):
        url = self.new_query_queue()
        for i in range(3):
            self.q("send_message", QueueUrl=url, MessageBody="p%d" % i)
        self.q("purge_queue", QueueUrl=url)
        wait_until(lambda: self.count(url) == 0, message="queue purged")


class QueryMessagesTest(QueryTestCase):

    def test_send_receive_delete_every_attribute_kind(self):
        url = self.new_query_queue()
        body = "a < b & \"c\" > 'd'\r\nline two \t\u00e9 \u2713 \U0001F600"
        sent = self.q("send_message", QueueUrl=url, MessageBody=body,
                      MessageAttributes=ALL_KINDS,
                      MessageSystemAttributes={"AWSTraceHeader": {
                          "DataType": "String", "StringValue": TRACE_HEADER}})
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(ALL_KINDS))
        self.assertEqual(sent["MD5OfMessageSystemAttributes"], md5_of_attributes(
            {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}}))

        got = self.q("receive_message", QueueUrl=url, WaitTimeSeconds=5,
                     AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"]
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["Body"], body)  # CR and markup survive the XML
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["MD5OfBody"], md5_of_body(body))
        self.assertEqual(normalized(m["MessageAttributes"]), ALL_KINDS)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(ALL_KINDS))
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(m["Attributes"]["AWSTraceHeader"], TRACE_HEADER)
        self.assertIn("SentTimestamp", m["Attributes"])

        self.q("delete_message", QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.count(url), 0)
        self.assertEqual(self.count(url, "ApproximateNumberOfMessagesNotVisible"), 0)

    def test_attribute_filters(self):
        url = self.new_query_queue()
        self.q("send_message", QueueUrl=url, MessageBody="f", MessageAttributes=ALL_KINDS)
        m = self.q("receive_message", QueueUrl=url, WaitTimeSeconds=5, VisibilityTimeout=0,
                   MessageAttributeNames=["colour.*", "size"])["Messages"][0]
        subset = {k: ALL_KINDS[k] for k in ("colour.shade", "colour.hue", "size")}
        self.assertEqual(normalized(m["MessageAttributes"]), subset)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(subset))
        self.assertNotIn("Attributes", m)

    def test_messages_cross_protocols(self):
        url = self.new_query_queue()
        attributes = {"n": {"DataType": "Number", "StringValue": "7"},
                      "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}}
        sent = self.q("send_message", QueueUrl=url, MessageBody="from query",
                      MessageAttributes=attributes)
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                     MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual((m["MessageId"], m["Body"]), (sent["MessageId"], "from query"))
        self.assertEqual(normalized(m["MessageAttributes"]), attributes)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

        sent = self.sqs.send_message(QueueUrl=url, MessageBody="from json",
                                     MessageAttributes=attributes)
        m = self.q("receive_message", QueueUrl=url, WaitTimeSeconds=5,
                   MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual((m["MessageId"], m["Body"]), (sent["MessageId"], "from json"))
        self.assertEqual(normalized(m["MessageAttributes"]), attributes)
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])

    def test_batches(self):
        url = self.new_query_queue()
        sent = self.q("send_message_batch", QueueUrl=url, Entries=[
            {"Id": "plain", "MessageBody": "one"},
            {"Id": "attrs", "MessageBody": "two", "MessageAttributes": ALL_KINDS},
            {"Id": "bad", "MessageBody": "nul \x00 inside"},
            {"Id": "late", "MessageBody": "three", "DelaySeconds": 1}])
        self.assertEqual(sorted(e["Id"] for e in sent["Successful"]), ["attrs", "late", "plain"])
        by_id = {e["Id"]: e for e in sent["Successful"]}
        self.assertEqual(by_id["attrs"]["MD5OfMessageAttributes"], md5_of_attributes(ALL_KINDS))
        self.assertEqual(by_id["plain"]["MD5OfMessageBody"], md5_of_body("one"))
        self.assertEqual(len(sent["Failed"]), 1)
        failed = sent["Failed"][0]
        self.assertEqual((failed["Id"], failed["Code"], failed["SenderFault"]),
                         ("bad", "InvalidMessageContents", True))

        received = {}
        deadline = time.monotonic() + 15
        while len(received) < 3 and time.monotonic() < deadline:
            for m in self.q("receive_message", QueueUrl=url, MaxNumberOfMessages=10,
                            WaitTimeSeconds=1, VisibilityTimeout=30).get("Messages", []):
                received[m["Body"]] = m
        self.assertEqual(sorted(received), ["one", "three", "two"])

        changed = self.q("change_message_visibility_batch", QueueUrl=url, Entries=[
            {"Id": "c1", "ReceiptHandle": received["one"]["ReceiptHandle"],
             "VisibilityTimeout": 60},
            {"Id": "c2", "ReceiptHandle": "junk", "VisibilityTimeout": 0}])
        self.assertEqual([e["Id"] for e in changed["Successful"]], ["c1"])
        self.assertEqual([(e["Id"], e["Code"]) for e in changed["Failed"]],
                         [("c2", "ReceiptHandleIsInvalid")])

        deleted = self.q("delete_message_batch", QueueUrl=url, Entries=[
            {"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]}
            for i, m in enumerate(received.values())] + [
            {"Id": "garbage", "ReceiptHandle": "not-a-receipt-handle"}])
        self.assertEqual(sorted(e["Id"] for e in deleted["Successful"]), ["d0", "d1", "d2"])
        self.assertEqual([(f["Id"], f["Code"], f["SenderFault"]) for f in deleted["Failed"]],
                         [("garbage", "ReceiptHandleIsInvalid", True)])
        self.assertEqual(self.count(url, "ApproximateNumberOfMessagesNotVisible"), 0)

    def test_batch_errors(self):
        url = self.new_query_queue()
        self.q_error("send_message_batch", "AWS.SimpleQueueService.EmptyBatchRequest",
                     exception="EmptyBatchRequest", QueueUrl=url, Entries=[])
        self.q_error("delete_message_batch", "AWS.SimpleQueueService.EmptyBatchRequest",
                     exception="EmptyBatchRequest", QueueUrl=url, Entries=[])
        self.q_error("send_message_batch", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                     exception="TooManyEntriesInBatchRequest", QueueUrl=url,
                     Entries=[{"Id": "e%d" % i, "MessageBody": "x"} for i in range(11)])
        self.q_error("send_message_batch", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                     exception="BatchEntryIdsNotDistinct", QueueUrl=url,
                     Entries=[{"Id": "same", "MessageBody": "x"},
                              {"Id": "same", "MessageBody": "y"}])
        self.q_error("change_message_visibility_batch",
                     "AWS.SimpleQueueService.InvalidBatchEntryId",
                     exception="InvalidBatchEntryId", QueueUrl=url,
                     Entries=[{"Id": "no spaces", "ReceiptHandle": "r"}])
        self.assertEqual(self.count(url), 0)

    def test_invalid_parameter_values(self):
        url = self.new_query_queue()
        self.q_error("receive_message", "InvalidParameterValue", QueueUrl=url,
                     MaxNumberOfMessages=11)
        self.q_error("receive_message", "InvalidParameterValue", QueueUrl=url,
                     WaitTimeSeconds=21)
        self.q_error("send_message", "InvalidParameterValue", QueueUrl=url, MessageBody="x",
                     DelaySeconds=901)
        self.q_error("send_message", "InvalidParameterValue", QueueUrl=url, MessageBody="x",
                     MessageAttributes={"n": {"DataType": "Number", "StringValue": "twelve"}})
        self.q_error("change_message_visibility", "ReceiptHandleIsInvalid",
                     exception="ReceiptHandleIsInvalid", QueueUrl=url, ReceiptHandle="junk",
                     VisibilityTimeout=5)
        self.q_error("delete_message", "ReceiptHandleIsInvalid", QueueUrl=url,
                     ReceiptHandle="junk")
        self.assertEqual(self.count(url), 0)

    def test_change_message_visibility(self):
        url = self.new_query_queue()
        self.q("send_message", QueueUrl=url, MessageBody="v")
        m = self.q("receive_message", QueueUrl=url, WaitTimeSeconds=5,
                   VisibilityTimeout=600)["Messages"][0]
        self.assertNotIn("Messages", self.q("receive_message", QueueUrl=url))
        self.q("change_message_visibility", QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
               VisibilityTimeout=0)
        again = self.q("receive_message", QueueUrl=url, WaitTimeSeconds=5,
                       AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        self.assertEqual(again["MessageId"], m["MessageId"])
        self.assertEqual(again["Attributes"], {"ApproximateReceiveCount": "2"})


class QueryLongPollTest(QueryTestCase):

    def test_wakes_early_on_send(self):
        url = self.new_query_queue()
        waiter = self.new_query_client()  # its own process: calls are synchronous
        parked_before = self.server.parked_receives()
        thread, box = run_in_thread(waiter.call, "receive_message", QueueUrl=url,
                                    WaitTimeSeconds=15, MessageAttributeNames=["All"])
        self.server.wait_parked(parked_before + 1)
        self.q("send_message", QueueUrl=url, MessageBody="wake up",
               MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
        thread.join(10)
        self.assertFalse(thread.is_alive(), "the long poll was not woken")
        self.assertNotIn("error", box, box.get("error"))
        messages = box["result"]["Messages"]
        self.assertEqual([m["Body"] for m in messages], ["wake up"])
        self.assertEqual(messages[0]["MessageAttributes"]["k"]["StringValue"], "v")
        self.assertLess(box["elapsed"], 8)

    def test_returns_empty_at_its_deadline(self):
        url = self.new_query_queue()
        start = time.monotonic()
        response = self.q("receive_message", QueueUrl=url, WaitTimeSeconds=2)
        elapsed = time.monotonic() - start
        self.assertNotIn("Messages", response)
        self.assertGreaterEqual(elapsed, 1.8)
        self.assertLess(elapsed, 6)

    def test_queue_default_wait_time(self):
        url = self.new_query_queue(attributes={"ReceiveMessageWaitTimeSeconds": 1})
        start = time.monotonic()
        self.assertNotIn("Messages", self.q("receive_message", QueueUrl=url))
        self.assertGreaterEqual(time.monotonic() - start, 0.8)


class QueryDlqTest(QueryTestCase):

    def make_pair(self):
        dlq = self.new_query_queue("qdlq")
        dlq_arn = self.q("get_queue_attributes", QueueUrl=dlq,
                         AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        source = self.new_query_queue("qsrc")
        self.q("set_queue_attributes", QueueUrl=source, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})
        return source, dlq, dlq_arn

    def exhaust(self, source, dlq, expected):
        """Receives from `source` (1 s visibility) until `expected` messages
        sit in the DLQ."""
        def step():
            self.q("receive_message", QueueUrl=source, MaxNumberOfMessages=10,
                   VisibilityTimeout=1, WaitTimeSeconds=1)
            return self.count(dlq) >= expected
        wait_until(step, timeout=40, interval=0, message="%d messages in the DLQ" % expected)

    def test_redrive_to_dlq_and_move_back(self):
        source, dlq, dlq_arn = self.make_pair()
        source_arn = self.q("get_queue_attributes", QueueUrl=source,
                            AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = {"kind": {"DataType": "String", "StringValue": "poison"},
                      "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}
        sent = self.q("send_message", QueueUrl=source, MessageBody="poison",
                      MessageAttributes=attributes)
        self.exhaust(source, dlq, 1)
        self.assertEqual(self.q("list_dead_letter_source_queues", QueueUrl=dlq),
                         {"queueUrls": [source]})
        m = self.q("receive_message", QueueUrl=dlq, WaitTimeSeconds=5, VisibilityTimeout=0,
                   MessageAttributeNames=["All"],
                   AttributeNames=["All", "DeadLetterQueueSourceArn"])["Messages"][0]
        self.assertEqual((m["MessageId"], m["Body"]), (sent["MessageId"], "poison"))
        self.assertEqual(normalized(m["MessageAttributes"]), attributes)
        self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], source_arn)

        handle = self.q("start_message_move_task", SourceArn=dlq_arn)["TaskHandle"]
        self.assertTrue(handle)

        def completed():
            results = self.q("list_message_move_tasks", SourceArn=dlq_arn,
                             MaxResults=10)["Results"]
            return results[0] if results[0]["Status"] == "COMPLETED" else None
        task = wait_until(completed, timeout=20, message="move task completed")
        self.assertEqual(task["SourceArn"], dlq_arn)
        self.assertEqual(task["ApproximateNumberOfMessagesMoved"], 1)  # a long, parsed
        self.assertIsInstance(task["StartedTimestamp"], int)
        back = self.q("receive_message", QueueUrl=source, WaitTimeSeconds=5,
                      MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual(back["MessageId"], sent["MessageId"])
        self.assertEqual(normalized(back["MessageAttributes"]), attributes)

    def test_cancel_move_task_and_errors(self):
        source, dlq, dlq_arn = self.make_pair()
        self.q("send_message_batch", QueueUrl=source, Entries=[
            {"Id": "m%d" % i, "MessageBody": "m%d" % i} for i in range(5)])
        self.exhaust(source, dlq, 5)
        handle = self.q("start_message_move_task", SourceArn=dlq_arn,
                        MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        running = self.q("list_message_move_tasks", SourceArn=dlq_arn)["Results"][0]
        self.assertEqual((running["Status"], running["TaskHandle"]), ("RUNNING", handle))
        self.assertEqual(running["MaxNumberOfMessagesPerSecond"], 1)
        cancelled = self.q("cancel_message_move_task", TaskHandle=handle)
        self.assertLess(cancelled["ApproximateNumberOfMessagesMoved"], 5)
        missing = "arn:aws:sqs:us-east-1:%s:%s" % (account_id(), unique_name("nowhere"))
        self.q_error("start_message_move_task", "ResourceNotFoundException",
                     exception="ResourceNotFoundException", status=404, SourceArn=missing)
        self.q_error("list_message_move_tasks", "ResourceNotFoundException",
                     exception="ResourceNotFoundException", status=404, SourceArn=missing)


class QueryRawHttpTest(QueryTestCase):
    """The wire itself: what the Java SDK v1 and hand-written clients send."""

    def post_form(self, path, params):
        body = urllib.parse.urlencode(params).encode()
        return self.server.raw_request("POST", path, body=body, headers={"Content-Type": FORM})

    def xml(self, response, status=200):
        code, headers, body = response
        self.assertEqual(code, status, body[:500])
        self.assertTrue(headers.get("content-type", "").startswith("text/xml"), headers)
        root = ElementTree.fromstring(body)
        return root, headers

    def text(self, root, path):
        """The text of the element at `path` ("Error/Code") under root, or None."""
        node = root.find("/".join(XMLNS + part for part in path.split("/")))
        return None if node is None else (node.text or "")

    def test_the_path_names_the_queue(self):
        url = self.new_query_queue()
        path = urllib.parse.urlparse(url).path
        body = "from the path & <markup> \u2713"
        root, headers = self.xml(self.post_form(path, {"Action": "SendMessage",
                                                       "Version": "2012-11-05",
                                                       "MessageBody": body}))
        self.assertEqual(root.tag, XMLNS + "SendMessageResponse")
        self.assertEqual(self.text(root, "SendMessageResult/MD5OfMessageBody"), md5_of_body(body))
        self.assertEqual(self.text(root, "ResponseMetadata/RequestId"),
                         headers["x-amzn-requestid"])
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]
        self.assertEqual(m["Body"], body)

    def test_get_with_the_parameters_in_the_query_string(self):
        url = self.new_query_queue()
        name = url.rsplit("/", 1)[1]
        root, _ = self.xml(self.server.raw_request(
            "GET", "/?" + urllib.parse.urlencode({"Action": "ListQueues",
                                                  "QueueNamePrefix": name})))
        self.assertEqual(self.text(root, "ListQueuesResult/QueueUrl"), url)
        path = urllib.parse.urlparse(url).path
        root, _ = self.xml(self.server.raw_request(
            "GET", path + "?Action=GetQueueAttributes&AttributeName.1=QueueArn"))
        attribute = root.find("/".join(XMLNS + p for p in
                                       ("GetQueueAttributesResult", "Attribute")))
        self.assertEqual(attribute.find(XMLNS + "Name").text, "QueueArn")
        self.assertTrue(attribute.find(XMLNS + "Value").text.endswith(":" + name))

    def assert_xml_error(self, response, code, status=400):
        root, headers = self.xml(response, status)
        self.assertEqual(root.tag, XMLNS + "ErrorResponse")
        self.assertEqual(self.text(root, "Error/Type"), "Sender")
        self.assertEqual(self.text(root, "Error/Code"), code)
        self.assertTrue(self.text(root, "Error/Message"))
        self.assertIsNotNone(root.find(XMLNS + "Error/" + XMLNS + "Detail"))
        self.assertEqual(self.text(root, "RequestId"), headers["x-amzn-requestid"])
        self.assertNotIn("x-amzn-query-error", headers)

    def test_errors_are_xml(self):
        before = self.sqs.list_queues(MaxResults=1000).get("QueueUrls", [])
        self.assert_xml_error(self.post_form("/", {"Action": "NoSuchAction"}), "InvalidAction")
        self.assert_xml_error(self.post_form("/", {"Version": "2012-11-05"}), "MissingParameter")
        self.assert_xml_error(self.server.raw_request(
            "POST", "/", body=b"Action=CreateQueue&QueueName=%ZZ", headers={"Content-Type": FORM}),
            "MalformedQueryString")
        self.assert_xml_error(self.post_form("/", {"Action": "SendMessage", "MessageBody": "x"}),
                              "MissingParameter")
        self.assert_xml_error(self.post_form("/%s/%s" % (account_id(), unique_name("none")),
                                             {"Action": "SendMessage", "MessageBody": "x"}),
                              "AWS.SimpleQueueService.NonExistentQueue")
        self.assert_xml_error(self.post_form("/", {"Action": "ListQueues", "MaxResults": "many"}),
                              "InvalidParameterValue")
        self.assertEqual(self.sqs.list_queues(MaxResults=1000).get("QueueUrls", []), before)

    def test_json_requests_are_unaffected(self):
        # A form content type with an X-Amz-Target is still the JSON protocol.
        status, headers, body = self.server.sqs_request("ListQueues", {})
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["content-type"].startswith("application/x-amz-json-1.0"))


class AwsCliQueryTest(QueryTestCase):
    """Debian's aws CLI 2.9, whose bundled botocore speaks SQS in Query."""

    def aws(self, *args, expect_ok=True, debug=False):
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_MAX_ATTEMPTS": "1"})
        env.pop("AWS_DATA_PATH", None)
        cmd = [DEBIAN_AWS, "--endpoint-url", self.server.endpoint(), "--output", "json"]
        if debug:
            cmd.append("--debug")
        proc = subprocess.run(cmd + ["sqs"] + list(args), capture_output=True, text=True,
                              env=env, timeout=120)
        if not expect_ok:
            self.assertNotEqual(proc.returncode, 0, proc.stdout)
            return proc
        self.assertEqual(proc.returncode, 0, "%s\nstdout: %s\nstderr: %s"
                         % (" ".join(args), proc.stdout, proc.stderr[-3000:]))
        if debug:
            return proc
        return json.loads(proc.stdout) if proc.stdout.strip() else {}

    def test_the_cli_speaks_query(self):
        proc = self.aws("list-queues", debug=True)
        # The debug log shows the form body as a dict, then the XML answer.
        self.assertTrue("'Content-Type': 'application/x-www-form-urlencoded" in proc.stderr
                        and "'Action': 'ListQueues'" in proc.stderr, proc.stderr[-2000:])
        self.assertTrue("<ListQueuesResponse xmlns=" in proc.stderr, proc.stderr[-2000:])

    def test_queue_and_message_lifecycle(self):
        name = unique_name("cli29")
        url = self.aws("create-queue", "--queue-name", name,
                       "--attributes", "VisibilityTimeout=45")["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        self.assertEqual(self.aws("get-queue-url", "--queue-name", name)["QueueUrl"], url)
        self.assertEqual(self.aws("list-queues", "--queue-name-prefix", name)["QueueUrls"], [url])
        attributes = {"kind": {"DataType": "String", "StringValue": "test"},
                      "n": {"DataType": "Number", "StringValue": "3.5"},
                      "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe"}}
        cli_attributes = {k: dict(v) for k, v in attributes.items()}
        cli_attributes["blob"]["BinaryValue"] = base64.b64encode(b"\x00\x01\xfe").decode()
        sent = self.aws("send-message", "--queue-url", url, "--message-body", "from cli 2.9",
                        "--message-attributes", json.dumps(cli_attributes))
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body("from cli 2.9"))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attributes))
        got = self.aws("receive-message", "--queue-url", url, "--wait-time-seconds", "5",
                       "--attribute-names", "All", "--message-attribute-names", "All")
        m = got["Messages"][0]
        self.assertEqual(m["Body"], "from cli 2.9")
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(attributes))
        self.assertEqual(m["MessageAttributes"]["blob"]["BinaryValue"],
                         base64.b64encode(b"\x00\x01\xfe").decode())
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.aws("delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
        self.assertEqual(self.aws("get-queue-attributes", "--queue-url", url, "--attribute-names",
                                  "ApproximateNumberOfMessages")["Attributes"],
                         {"ApproximateNumberOfMessages": "0"})
        self.aws("delete-queue", "--queue-url", url)
        proc = self.aws("get-queue-url", "--queue-name", name, expect_ok=False)
        self.assertIn("NonExistentQueue", proc.stderr)


if __name__ == "__main__":
    unittest.main()
