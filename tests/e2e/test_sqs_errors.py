"""Protocol-level errors: unknown operations, malformed bodies, wrong member
types, out-of-range values and missing members.

Each must come back as HTTP 400 with an AWS JSON 1.0 error that botocore
parses into a code a boto3 user can match, and must change nothing. The
malformed requests are sent with http.client, with the headers boto3 sends;
their responses are then parsed with botocore's own JSON parser, so the
assertions are about what a boto3 user would see.
"""

import json
import unittest
import xml.etree.ElementTree as ElementTree

import botocore.exceptions
import botocore.parsers
import botocore.session

import harness
from harness import ServerTestCase, account_id, requires_process, skip_under_moto, sqs_headers, unique_name

SQS_MODEL = botocore.session.get_session().get_service_model("sqs")

# moto answers every malformed JSON 1.0 request with an HTML 500 page.
MOTO_500 = "moto answers malformed requests with HTTP 500"


def boto_error(status, headers, body_bytes, operation="ListQueues"):
    """Parses a raw response the way botocore does: returns the Error dict."""
    parser = botocore.parsers.create_parser("json")
    parsed = parser.parse({"status_code": status, "headers": headers, "body": body_bytes},
                          SQS_MODEL.operation_model(operation).output_shape)
    return parsed.get("Error", {})


class ErrorTestCase(ServerTestCase):

    def raw(self, target, body, headers=None):
        """Sends a raw request; returns (status, headers, body bytes)."""
        return self.server.sqs_request(target, body, extra_headers=headers)

    def assert_client_error(self, response, operation="ListQueues", codes=None):
        """HTTP 400, a JSON error body with __type, and a botocore code in
        `codes` (if given). Returns the botocore Error dict."""
        status, headers, body = response
        self.assertEqual(status, 400, body[:500])
        self.assertTrue(headers.get("content-type", "").startswith("application/x-amz-json-1.0"),
                        headers)
        self.assertIn("x-amzn-requestid", headers)
        doc = json.loads(body.decode("utf-8"))
        self.assertIn("__type", doc)
        self.assertTrue(doc.get("message") or doc.get("Message"), doc)
        error = boto_error(status, headers, body, operation)
        self.assertTrue(error.get("Code"), error)
        self.assertNotIn(error["Code"], ("400", "InternalFailure", "InternalError"))
        if codes is not None:
            self.assertIn(error["Code"], codes, doc)
        if "x-amzn-query-error" in headers:
            # "<query code>;Sender"; an error without a query code must omit
            # the header rather than send it empty.
            code, _, fault = headers["x-amzn-query-error"].partition(";")
            self.assertTrue(code, "x-amzn-query-error header is present but empty: %r" % doc)
            self.assertEqual(fault, "Sender")
        return error

    def queue_names(self):
        return sorted(self.sqs.list_queues(MaxResults=1000).get("QueueUrls", []))

    def message_count(self, url):
        a = self.attrs(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed")
        return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesDelayed"])


@skip_under_moto(MOTO_500)
class MalformedRequestTest(ErrorTestCase):

    def test_unknown_operation(self):
        before = self.queue_names()
        error = self.assert_client_error(self.raw("NoSuchOperation", {}), codes=(
            "UnknownOperationException", "InvalidAction"))
        self.assertTrue(error.get("Message"))
        self.assertEqual(self.queue_names(), before)

    def test_request_without_an_sqs_target(self):
        # Without "X-Amz-Target: AmazonSQS.*" the request is not SQS's (other
        # protocols may share the port): a client error, and nothing changes.
        before = self.queue_names()
        for headers in ({}, {"X-Amz-Target": "DynamoDB_20120810.ListTables"}):
            with self.subTest(headers=headers):
                status, _, body = self.raw(None, {"QueueName": unique_name("nt")},
                                           headers=headers)
                self.assertIn(status, (400, 404), body[:300])
        self.assertEqual(self.queue_names(), before)

    @requires_process()
    def test_unknown_path_gets_a_valid_body_even_with_quotes(self):
        # Signed for SQS: not S3's, so the server's own JSON 404.
        status, headers, body = self.server.raw_request(
            "GET", '/no/"such"/path', headers={"Authorization": sqs_headers("ListQueues")["Authorization"]})
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body), {"error": 'no route for GET /no/"such"/path'})
        # Unsigned: S3 addresses it by path (bucket "no"), in S3's XML shape.
        status, headers, body = self.server.raw_request("GET", '/no/"such"/path')
        self.assertEqual(status, 404)
        root = ElementTree.fromstring(body)
        self.assertEqual(root.findtext("Code"), "NoSuchBucket")
        self.assertEqual(root.findtext("BucketName"), "no")

    def test_malformed_json(self):
        before = self.queue_names()
        name = unique_name("mal")
        for body in ('{"QueueName": "%s"' % name, "{QueueName: x}", "not json at all",
                     '{"QueueName": "%s"} trailing' % name, b"\xff\xfe{}"):
            with self.subTest(body=body):
                self.assert_client_error(self.raw("CreateQueue", body), "CreateQueue", codes=(
                    "SerializationException", "MalformedQueryString",
                    "InvalidParameterValue", "MalformedRequest"))
        self.assertEqual(self.queue_names(), before)

    def test_body_not_an_object(self):
        for body in ("[]", '"CreateQueue"', "42", "null"):
            with self.subTest(body=body):
                self.assert_client_error(self.raw("ListQueues", body), codes=(
                    "SerializationException", "InvalidParameterValue", "MalformedRequest"))

    def test_wrong_member_types(self):
        url = self.new_queue()
        before = self.queue_names()
        cases = [
            ("CreateQueue", {"QueueName": 123}),
            ("CreateQueue", {"QueueName": unique_name("t"), "Attributes": ["VisibilityTimeout"]}),
            ("CreateQueue", {"QueueName": unique_name("t"),
                             "Attributes": {"VisibilityTimeout": 30}}),
            ("SendMessage", {"QueueUrl": url, "MessageBody": {"nested": True}}),
            ("SendMessage", {"QueueUrl": url, "MessageBody": "x", "DelaySeconds": "five"}),
            ("SendMessage", {"QueueUrl": url, "MessageBody": "x", "DelaySeconds": 1.5}),
            ("SendMessage", {"QueueUrl": url, "MessageBody": "x",
                             "MessageAttributes": {"a": "plain string"}}),
            ("SendMessageBatch", {"QueueUrl": url, "Entries": {"Id": "a"}}),
            ("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": "ten"}),
            ("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": True}),
            ("ListQueues", {"MaxResults": "5"}),
            ("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": "All"}),
        ]
        for operation, body in cases:
            with self.subTest(operation=operation, body=body):
                self.assert_client_error(self.raw(operation, body), operation, codes=(
                    "SerializationException", "InvalidParameterValue",
                    "InvalidAttributeValue"))
        self.assertEqual(self.queue_names(), before)
        self.assertEqual(self.message_count(url), 0)

    def test_missing_required_members(self):
        url = self.new_queue()
        before = self.queue_names()
        cases = [
            ("CreateQueue", {}),
            ("CreateQueue", {"Attributes": {"VisibilityTimeout": "30"}}),
            ("GetQueueUrl", {}),
            ("SendMessage", {"QueueUrl": url}),
            ("SendMessage", {"MessageBody": "no queue"}),
            ("SendMessageBatch", {"QueueUrl": url}),
            ("SendMessageBatch", {"QueueUrl": url, "Entries": [{"Id": "a"}]}),
            ("SendMessageBatch", {"QueueUrl": url, "Entries": [{"MessageBody": "b"}]}),
            ("ReceiveMessage", {}),
            ("DeleteMessage", {"QueueUrl": url}),
            ("ChangeMessageVisibility", {"QueueUrl": url, "ReceiptHandle": "x"}),
            ("SetQueueAttributes", {"QueueUrl": url}),
            ("TagQueue", {"QueueUrl": url}),
            ("AddPermission", {"QueueUrl": url, "Label": "l"}),
            ("StartMessageMoveTask", {}),
            ("CancelMessageMoveTask", {}),
        ]
        for operation, body in cases:
            with self.subTest(operation=operation, body=body):
                self.assert_client_error(self.raw(operation, body), operation, codes=(
                    "MissingParameter", "MissingRequiredParameter", "InvalidParameterValue"))
        self.assertEqual(self.queue_names(), before)
        self.assertEqual(self.message_count(url), 0)

    def test_non_utf8_is_refused_and_server_keeps_working(self):
        url = self.new_queue()
        body = b'{"QueueUrl": "' + url.encode() + b'", "MessageBody": "\xc3\x28"}'
        self.assert_client_error(self.raw("SendMessage", body), "SendMessage")
        self.assertEqual(self.message_count(url), 0)
        self.sqs.send_message(QueueUrl=url, MessageBody="still fine")

    def test_queue_url_naming_no_queue(self):
        for bad in ("not a url", "http://127.0.0.1/", "http://127.0.0.1/%s/" % account_id()):
            with self.subTest(url=bad):
                error = self.assert_client_error(
                    self.raw("SendMessage", {"QueueUrl": bad, "MessageBody": "x"}),
                    "SendMessage")
                self.assertIn(error["Code"], ("AWS.SimpleQueueService.NonExistentQueue",
                                              "InvalidAddress", "InvalidParameterValue"))


class OutOfRangeTest(ErrorTestCase):
    """Out-of-range values through boto3 (botocore does not check ranges)."""

    def setUp(self):
        super().setUp()
        self.url = self.new_queue()
        self.sqs.send_message(QueueUrl=self.url, MessageBody="sentinel")

    def check(self, call):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call()
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")
        self.assertEqual(self.message_count(self.url), 1, "the failed call changed the queue")
        self.assertEqual(self.attrs(self.url, "ApproximateNumberOfMessagesNotVisible")
                         ["ApproximateNumberOfMessagesNotVisible"], "0")

    @skip_under_moto("moto does not range-check MaxNumberOfMessages")
    def test_max_number_of_messages(self):
        for n in (0, 11, -1):
            with self.subTest(n=n):
                self.check(lambda: self.sqs.receive_message(QueueUrl=self.url,
                                                            MaxNumberOfMessages=n))

    @skip_under_moto("moto does not range-check VisibilityTimeout on receive")
    def test_visibility_timeout(self):
        for v in (-1, 43201):
            with self.subTest(v=v):
                self.check(lambda: self.sqs.receive_message(QueueUrl=self.url,
                                                            VisibilityTimeout=v))

    @skip_under_moto("moto does not range-check WaitTimeSeconds")
    def test_wait_time_seconds(self):
        for w in (21, -1):
            with self.subTest(w=w):
                self.check(lambda: self.sqs.receive_message(QueueUrl=self.url,
                                                            WaitTimeSeconds=w))

    @skip_under_moto("moto does not range-check DelaySeconds")
    def test_delay_seconds(self):
        self.check(lambda: self.sqs.send_message(QueueUrl=self.url, MessageBody="x",
                                                 DelaySeconds=901))
        self.check(lambda: self.sqs.send_message(QueueUrl=self.url, MessageBody="x",
                                                 DelaySeconds=-1))

    def test_errors_reach_boto3_as_modeled_exceptions(self):
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName=unique_name("absent"))
        with self.assertRaises(self.sqs.exceptions.ReceiptHandleIsInvalid):
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle="bogus")
        with self.assertRaises(self.sqs.exceptions.EmptyBatchRequest):
            self.sqs.send_message_batch(QueueUrl=self.url, Entries=[])


if __name__ == "__main__":
    unittest.main()
