"""Messages over the SQS JSON protocol, driven by boto3.

Send/Receive/Delete and their batch forms, delays, visibility and redelivery,
message and system attributes with their MD5s (checked against an
independent implementation below), receipt handles, long polling, size and
content limits.
"""

import base64
import hashlib
import struct
import threading
import time
import unittest
import uuid

import botocore.exceptions

import harness
from harness import ServerTestCase, run_in_thread, skip_under_moto, wait_until

TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


# ---- The SQS MD5 algorithms, written from the AWS documentation -------------

def md5_of_body(body):
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def md5_of_attributes(attributes):
    """MD5 of message (or system) attributes as SQS computes it: for each
    attribute sorted by name, length-prefixed name, length-prefixed data type,
    one transport byte (1 string/number, 2 binary), length-prefixed value."""
    def encoded(data):
        return struct.pack(">I", len(data)) + data

    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        digest.update(encoded(name.encode("utf-8")))
        digest.update(encoded(data_type.encode("utf-8")))
        if data_type.split(".", 1)[0] == "Binary":
            digest.update(b"\x02")
            digest.update(encoded(bytes(value["BinaryValue"])))
        else:
            digest.update(b"\x01")
            digest.update(encoded(value["StringValue"].encode("utf-8")))
    return digest.hexdigest()


class Md5SelfTest(unittest.TestCase):
    """Pins our MD5 implementation to hand-built byte layouts (and the body
    MD5 to the well-known digest of "test"), so a bug in the test's own
    algorithm cannot hide, or fake, a bug in the server."""

    def test_body(self):
        self.assertEqual(md5_of_body("test"), "098f6bcd4621d373cade4e832627b4f6")

    def test_attributes_known_vector(self):
        # Shape of the algorithm checked byte by byte for a one-attribute map.
        expected = hashlib.md5(
            b"\x00\x00\x00\x01a" + b"\x00\x00\x00\x06String" + b"\x01" +
            b"\x00\x00\x00\x01b").hexdigest()
        self.assertEqual(md5_of_attributes(
            {"a": {"DataType": "String", "StringValue": "b"}}), expected)
        expected_bin = hashlib.md5(
            b"\x00\x00\x00\x01z" + b"\x00\x00\x00\x06Binary" + b"\x02" +
            b"\x00\x00\x00\x02\x00\xff").hexdigest()
        self.assertEqual(md5_of_attributes(
            {"z": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}}), expected_bin)


ALL_KINDS = {
    "color": {"DataType": "String", "StringValue": "blue"},
    "colour.shade": {"DataType": "String", "StringValue": "navy"},
    "colour.hue": {"DataType": "String.custom", "StringValue": "220"},
    "size": {"DataType": "Number", "StringValue": "-12.5e3"},
    "count": {"DataType": "Number.int", "StringValue": "42"},
    "blob": {"DataType": "Binary", "BinaryValue": bytes(range(256))},
    "image": {"DataType": "Binary.gif", "BinaryValue": b"GIF89a\x00\x01"},
    "unicode": {"DataType": "String", "StringValue": "h\u00e9llo \u2713 \U0001F600"},
}


def normalized(attributes):
    """Message attributes as received, without the empty list members boto3
    may add, for comparison with what was sent."""
    out = {}
    for name, value in attributes.items():
        v = {"DataType": value["DataType"]}
        if "StringValue" in value:
            v["StringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            v["BinaryValue"] = bytes(value["BinaryValue"])
        out[name] = v
    return out


class SendReceiveDeleteTest(ServerTestCase):

    def test_round_trip(self):
        url = self.new_queue()
        body = "hello \u00e9 \u2713 \U0001F600 \t\r\n end"
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        uuid.UUID(sent["MessageId"])  # a UUID, as SQS sends
        self.assertNotIn("MD5OfMessageAttributes", sent)
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["MD5OfBody"], md5_of_body(body))
        self.assertTrue(m["ReceiptHandle"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self._visible_and_inflight(url), (0, 0))

    def test_deleted_message_does_not_come_back(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="once")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                     VisibilityTimeout=1)["Messages"][0]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        # Had the delete not taken, the message would be visible again after 1 s.
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3)
        self.assertEqual(resp.get("Messages", []), [])
        # Deleting again with the same handle is not an error (SQS is idempotent here).
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def test_max_number_of_messages(self):
        url = self.new_queue()
        bodies = {"m%02d" % i for i in range(15)}
        for b in bodies:
            self.sqs.send_message(QueueUrl=url, MessageBody=b)
        resp = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                        VisibilityTimeout=60, WaitTimeSeconds=2)
        self.assertGreaterEqual(len(resp["Messages"]), 1)
        self.assertLessEqual(len(resp["Messages"]), 10)
        resp = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)
        self.assertLessEqual(len(resp.get("Messages", [])), 1)
        got = self.receive_all(url, 15)
        # Together with the ones already in flight, everything came out once.
        self.assertLessEqual(len(got), 15)
        self.assertTrue({m["Body"] for m in got.values()} <= bodies)

    def test_every_message_is_received(self):
        url = self.new_queue()
        bodies = {"body-%d" % i for i in range(25)}
        for b in bodies:
            self.sqs.send_message(QueueUrl=url, MessageBody=b)
        got = self.receive_all(url, 25)
        self.assertEqual({m["Body"] for m in got.values()}, bodies)

    def test_empty_queue_returns_no_messages_key_or_empty(self):
        url = self.new_queue()
        resp = self.sqs.receive_message(QueueUrl=url)
        self.assertEqual(resp.get("Messages", []), [])

    def _visible_and_inflight(self, url):
        a = self.attrs(url, "ApproximateNumberOfMessages",
                       "ApproximateNumberOfMessagesNotVisible")
        return (int(a["ApproximateNumberOfMessages"]),
                int(a["ApproximateNumberOfMessagesNotVisible"]))


class BatchTest(ServerTestCase):

    def test_send_message_batch(self):
        url = self.new_queue()
        entries = [
            {"Id": "plain", "MessageBody": "one"},
            {"Id": "with_attrs", "MessageBody": "two",
             "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
            {"Id": "delayed-3", "MessageBody": "three", "DelaySeconds": 600},
        ]
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(resp.get("Failed", []), [])
        ok = {e["Id"]: e for e in resp["Successful"]}
        self.assertEqual(set(ok), {"plain", "with_attrs", "delayed-3"})
        for e in entries:
            self.assertEqual(ok[e["Id"]]["MD5OfMessageBody"], md5_of_body(e["MessageBody"]))
        self.assertEqual(ok["with_attrs"]["MD5OfMessageAttributes"],
                         md5_of_attributes(entries[1]["MessageAttributes"]))
        self.assertNotIn("MD5OfMessageAttributes", ok["plain"])
        self.assertEqual(len({e["MessageId"] for e in ok.values()}), 3)
        got = self.receive_all(url, 2, MessageAttributeNames=["All"])
        self.assertEqual({m["Body"] for m in got.values()}, {"one", "two"})
        self.assertEqual(set(got), {ok["plain"]["MessageId"], ok["with_attrs"]["MessageId"]})
        a = self.attrs(url, "ApproximateNumberOfMessagesDelayed")
        self.assertEqual(a["ApproximateNumberOfMessagesDelayed"], "1")

    @skip_under_moto("moto accepts invalid characters in batch entries")
    def test_send_batch_reports_bad_entry_as_failed(self):
        url = self.new_queue()
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "good", "MessageBody": "fine"},
            {"Id": "bad", "MessageBody": "nul \x00 inside"}])
        self.assertEqual([e["Id"] for e in resp["Successful"]], ["good"])
        self.assertEqual(len(resp["Failed"]), 1)
        failed = resp["Failed"][0]
        self.assertEqual(failed["Id"], "bad")
        self.assertEqual(failed["Code"], "InvalidMessageContents")
        self.assertTrue(failed["SenderFault"])
        got = self.receive_all(url, 1, timeout=5)
        self.assertEqual([m["Body"] for m in got.values()], ["fine"])

    def test_delete_message_batch_with_a_bad_handle(self):
        url = self.new_queue()
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="d%d" % i)
        got = list(self.receive_all(url, 3, visibility=2).values())
        self.assertEqual(len(got), 3)
        entries = [{"Id": "e%d" % i, "ReceiptHandle": m["ReceiptHandle"]}
                   for i, m in enumerate(got)]
        entries.append({"Id": "garbage", "ReceiptHandle": "not-a-receipt-handle"})
        resp = self.sqs.delete_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(sorted(e["Id"] for e in resp["Successful"]), ["e0", "e1", "e2"])
        self.assertEqual([f["Id"] for f in resp["Failed"]], ["garbage"])
        self.assertEqual(resp["Failed"][0]["Code"], "ReceiptHandleIsInvalid")
        self.assertTrue(resp["Failed"][0]["SenderFault"])
        # Had the deletes not taken, they would be visible again after 2 s.
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=4)
        self.assertEqual(resp.get("Messages", []), [])

    def test_change_message_visibility_batch(self):
        url = self.new_queue()
        for i in range(2):
            self.sqs.send_message(QueueUrl=url, MessageBody="c%d" % i)
        got = list(self.receive_all(url, 2, visibility=600).values())
        self.assertEqual(len(got), 2)
        resp = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "now", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "later", "ReceiptHandle": got[1]["ReceiptHandle"],
             "VisibilityTimeout": 600},
            {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0}])
        self.assertEqual(sorted(e["Id"] for e in resp["Successful"]), ["later", "now"])
        self.assertEqual([f["Id"] for f in resp["Failed"]], ["bad"])
        self.assertEqual(resp["Failed"][0]["Code"], "ReceiptHandleIsInvalid")
        again = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                         MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in again], [got[0]["Body"]])


class BatchValidationTest(ServerTestCase):
    """Whole-request batch errors: nothing is sent, deleted or changed."""

    def setUp(self):
        super().setUp()
        self.url = self.new_queue()

    def _check(self, exc_name, query_code, call):
        with self.assertRaises(getattr(self.sqs.exceptions, exc_name)) as cm:
            call()
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if not harness.under_moto():
            self.assertEqual(self.error_code(cm.exception), query_code)
        a = self.attrs(self.url, "ApproximateNumberOfMessages",
                       "ApproximateNumberOfMessagesNotVisible")
        self.assertEqual(a["ApproximateNumberOfMessages"], "0")

    def test_empty_batch(self):
        ops = ["send_message_batch", "delete_message_batch"]
        if not harness.under_moto():
            # moto accepts an empty ChangeMessageVisibilityBatch.
            ops.append("change_message_visibility_batch")
        for op in ops:
            with self.subTest(op=op):
                self._check("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
                            lambda: getattr(self.sqs, op)(QueueUrl=self.url, Entries=[]))

    def test_eleven_entries(self):
        # Ids "e1" and "e10" confuse moto's distinctness check; letters do not.
        entries = [{"Id": "e" + chr(97 + i), "MessageBody": "x"} for i in range(11)]
        self._check("TooManyEntriesInBatchRequest",
                    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                    lambda: self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries))
        if harness.under_moto():
            return  # moto does not limit DeleteMessageBatch to 10 entries
        handles = [{"Id": "e" + chr(97 + i), "ReceiptHandle": "h%d" % i} for i in range(11)]
        self._check("TooManyEntriesInBatchRequest",
                    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                    lambda: self.sqs.delete_message_batch(QueueUrl=self.url, Entries=handles))

    def test_duplicate_ids(self):
        entries = [{"Id": "same", "MessageBody": "a"}, {"Id": "same", "MessageBody": "b"}]
        self._check("BatchEntryIdsNotDistinct",
                    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                    lambda: self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries))

    @skip_under_moto("moto does not check DeleteMessageBatch ids for duplicates")
    def test_duplicate_ids_in_delete_batch(self):
        handles = [{"Id": "same", "ReceiptHandle": "a"}, {"Id": "same", "ReceiptHandle": "b"}]
        self._check("BatchEntryIdsNotDistinct",
                    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                    lambda: self.sqs.delete_message_batch(QueueUrl=self.url, Entries=handles))

    @skip_under_moto("moto does not validate batch entry ids")
    def test_bad_id_characters_and_length(self):
        for bad_id in ("has space", "dot.id", "semi;colon", "x" * 81):
            with self.subTest(id=bad_id):
                entries = [{"Id": "ok", "MessageBody": "a"}, {"Id": bad_id, "MessageBody": "b"}]
                self._check("InvalidBatchEntryId",
                            "AWS.SimpleQueueService.InvalidBatchEntryId",
                            lambda: self.sqs.send_message_batch(QueueUrl=self.url,
                                                                Entries=entries))

    def test_total_too_long(self):
        # Each body is allowed alone; ten together exceed the 1 MiB request limit.
        body = "x" * (110 * 1024)
        entries = [{"Id": "e%d" % i, "MessageBody": body} for i in range(10)]
        self._check("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
                    lambda: self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries))


class DelayTest(ServerTestCase):

    def test_message_delay(self):
        url = self.new_queue()
        t0 = time.monotonic()
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=3)
        early = self.sqs.receive_message(QueueUrl=url).get("Messages", [])
        delayed = self.attrs(url, "ApproximateNumberOfMessagesDelayed")
        if time.monotonic() - t0 < 2.5:  # a stalled machine may get here late
            self.assertEqual(early, [])
            self.assertEqual(delayed["ApproximateNumberOfMessagesDelayed"], "1")
        m = self._wait_for_one(url)
        self.assertEqual(m["Body"], "later")
        self.assertGreaterEqual(time.monotonic() - t0, 2.9)
        self.assertEqual(self.attrs(url, "ApproximateNumberOfMessagesDelayed")
                         ["ApproximateNumberOfMessagesDelayed"], "0")

    def test_queue_delay_and_per_message_override(self):
        url = self.new_queue(attributes={"DelaySeconds": 3})
        t0 = time.monotonic()
        self.sqs.send_message(QueueUrl=url, MessageBody="queue-delayed")
        self.sqs.send_message(QueueUrl=url, MessageBody="immediate", DelaySeconds=0)
        first = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         WaitTimeSeconds=1, VisibilityTimeout=60)["Messages"]
        a = self.attrs(url, "ApproximateNumberOfMessagesDelayed")
        if time.monotonic() - t0 < 2.5:  # a stalled machine may get here late
            self.assertEqual([m["Body"] for m in first], ["immediate"])
            self.assertEqual(a["ApproximateNumberOfMessagesDelayed"], "1")
            m = self._wait_for_one(url)
            self.assertEqual(m["Body"], "queue-delayed")
            self.assertGreaterEqual(time.monotonic() - t0, 2.9)

    @skip_under_moto("moto does not range-check DelaySeconds")
    def test_delay_out_of_range(self):
        url = self.new_queue()
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)
        self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")

    def _wait_for_one(self, url, timeout=15):
        def poll():
            resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                            VisibilityTimeout=60)
            return resp.get("Messages", [None])[0]
        return wait_until(poll, timeout=timeout, message="delayed message")


class VisibilityTest(ServerTestCase):

    def test_redelivery_after_visibility_timeout(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="again")
        first = self._receive(url, VisibilityTimeout=2)
        t0 = time.monotonic()
        self.assertEqual(first["Attributes"]["ApproximateReceiveCount"], "1")
        early = self.sqs.receive_message(QueueUrl=url).get("Messages", [])
        if time.monotonic() - t0 < 1.5:  # a stalled machine may get here late
            self.assertEqual(early, [])
        second = wait_until(lambda: self._receive_maybe(url, VisibilityTimeout=1),
                            timeout=15, message="redelivery")
        self.assertEqual(second["MessageId"], first["MessageId"])
        self.assertEqual(second["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertNotEqual(second["ReceiptHandle"], first["ReceiptHandle"])
        self.assertEqual(second["Attributes"]["ApproximateFirstReceiveTimestamp"],
                         first["Attributes"]["ApproximateFirstReceiveTimestamp"])
        third = wait_until(lambda: self._receive_maybe(url, VisibilityTimeout=60),
                           timeout=15, message="third delivery")
        self.assertEqual(third["Attributes"]["ApproximateReceiveCount"], "3")

    def test_queue_visibility_timeout_applies(self):
        url = self.new_queue(attributes={"VisibilityTimeout": 1})
        self.sqs.send_message(QueueUrl=url, MessageBody="q")
        t0 = time.monotonic()
        self._receive(url)
        again = wait_until(lambda: self._receive_maybe(url), timeout=15)
        self.assertEqual(again["Body"], "q")
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)

    def test_change_visibility_to_zero_makes_it_visible_now(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="cv")
        m = self._receive(url, VisibilityTimeout=600)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        again = self._receive(url, VisibilityTimeout=600)
        self.assertEqual(again["MessageId"], m["MessageId"])

    def test_change_visibility_extends(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="ext")
        m = self._receive(url, VisibilityTimeout=1)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=600)
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3)
        self.assertEqual(resp.get("Messages", []), [])

    @skip_under_moto("moto does not range-check VisibilityTimeout")
    def test_change_visibility_out_of_range(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="r")
        m = self._receive(url, VisibilityTimeout=60)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                               VisibilityTimeout=43201)
        self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")

    @skip_under_moto("moto does not implement MessageNotInflight")
    def test_change_visibility_of_a_message_not_in_flight(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="nif")
        m = self._receive(url, VisibilityTimeout=1)
        # Once visible again (received by nobody), its handle names a message
        # that is not in flight.
        wait_until(lambda: self.attrs(url, "ApproximateNumberOfMessages")
                   ["ApproximateNumberOfMessages"] == "1", timeout=15)
        with self.assertRaises(self.sqs.exceptions.MessageNotInflight) as cm:
            self.sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=30)
        self.assertEqual(self.error_code(cm.exception),
                         "AWS.SimpleQueueService.MessageNotInflight")

    def _receive(self, url, **kwargs):
        msgs = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                        AttributeNames=["All"], **kwargs).get("Messages")
        self.assertTrue(msgs, "expected a message")
        return msgs[0]

    def _receive_maybe(self, url, **kwargs):
        msgs = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                        AttributeNames=["All"], **kwargs).get("Messages")
        return msgs[0] if msgs else None


class ReceiptHandleTest(ServerTestCase):

    def test_garbage_handle_is_invalid(self):
        url = self.new_queue()
        for handle in ("garbage", "AQEB" + "A" * 100, "!!!"):
            with self.subTest(handle=handle):
                with self.assertRaises(self.sqs.exceptions.ReceiptHandleIsInvalid) as cm:
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
                self.assertEqual(self.error_code(cm.exception), "ReceiptHandleIsInvalid")
                with self.assertRaises(self.sqs.exceptions.ReceiptHandleIsInvalid):
                    self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle,
                                                       VisibilityTimeout=10)

    def test_stale_handle_after_redelivery(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="stale")
        first = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                         VisibilityTimeout=1)["Messages"][0]
        second = wait_until(lambda: self.sqs.receive_message(
            QueueUrl=url, WaitTimeSeconds=1, VisibilityTimeout=600).get("Messages"),
            timeout=15)[0]
        self.assertEqual(second["MessageId"], first["MessageId"])
        # SQS: a delete with an older handle "succeeds, but the message might
        # not be deleted". Either way it must not be an unexpected error.
        try:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
        except self.sqs.exceptions.ReceiptHandleIsInvalid:
            pass
        # The latest handle always deletes it for good.
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
        self.assertEqual(resp.get("Messages", []), [])
        a = self.attrs(url, "ApproximateNumberOfMessages",
                       "ApproximateNumberOfMessagesNotVisible")
        self.assertEqual((a["ApproximateNumberOfMessages"],
                          a["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))

    @skip_under_moto("moto accepts a receipt handle of another queue")
    def test_handle_of_another_queue_is_refused(self):
        a = self.new_queue("a")
        b = self.new_queue("b")
        self.sqs.send_message(QueueUrl=a, MessageBody="in a")
        m = self.sqs.receive_message(QueueUrl=a, WaitTimeSeconds=5,
                                     VisibilityTimeout=600)["Messages"][0]
        with self.assertRaises(self.sqs.exceptions.ReceiptHandleIsInvalid):
            self.sqs.delete_message(QueueUrl=b, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.attrs(a, "ApproximateNumberOfMessagesNotVisible")
                         ["ApproximateNumberOfMessagesNotVisible"], "1")


class MessageAttributesTest(ServerTestCase):

    def test_all_kinds_round_trip_with_md5(self):
        url = self.new_queue()
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="attrs",
                                     MessageAttributes=ALL_KINDS)
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(ALL_KINDS))
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                     MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual(normalized(m["MessageAttributes"]), ALL_KINDS)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(ALL_KINDS))
        self.assertEqual(m["MD5OfBody"], md5_of_body("attrs"))

    def test_filters(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="f", MessageAttributes=ALL_KINDS)
        cases = [
            (["All"], set(ALL_KINDS)),
            ([".*"], set(ALL_KINDS)),
            (["size"], {"size"}),
            (["size", "blob", "absent"], {"size", "blob"}),
            (["colour.*"], {"colour.shade", "colour.hue"}),
            (["colour.*", "count"], {"colour.shade", "colour.hue", "count"}),
            (["absent"], set()),
            ([], set()),
        ]
        for names, expected in cases:
            with self.subTest(names=names):
                m = self._receive_again(url, MessageAttributeNames=names)
                got = m.get("MessageAttributes", {})
                self.assertEqual(set(got), expected)
                if expected:
                    subset = {k: ALL_KINDS[k] for k in expected}
                    self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(subset))
                else:
                    self.assertNotIn("MD5OfMessageAttributes", m)

    def test_batch_entries_carry_their_own_attributes(self):
        url = self.new_queue()
        a1 = {"n": {"DataType": "Number", "StringValue": "1"}}
        a2 = {"b": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}}
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "one", "MessageBody": "b1", "MessageAttributes": a1},
            {"Id": "two", "MessageBody": "b2", "MessageAttributes": a2}])
        md5s = {e["Id"]: e["MD5OfMessageAttributes"] for e in resp["Successful"]}
        self.assertEqual(md5s, {"one": md5_of_attributes(a1), "two": md5_of_attributes(a2)})
        got = self.receive_all(url, 2, MessageAttributeNames=["All"])
        by_body = {m["Body"]: normalized(m["MessageAttributes"]) for m in got.values()}
        self.assertEqual(by_body, {"b1": a1, "b2": a2})

    @skip_under_moto("moto does not validate message attributes")
    def test_invalid_attributes(self):
        url = self.new_queue()
        too_many = {"a%d" % i: {"DataType": "String", "StringValue": "v"} for i in range(11)}
        cases = {
            "too many": too_many,
            "reserved AWS. prefix": {"AWS.thing": {"DataType": "String", "StringValue": "v"}},
            "reserved Amazon. prefix": {"Amazon.x": {"DataType": "String", "StringValue": "v"}},
            "unknown type": {"k": {"DataType": "Text", "StringValue": "v"}},
            "not a number": {"k": {"DataType": "Number", "StringValue": "twelve"}},
            "empty string": {"k": {"DataType": "String", "StringValue": ""}},
            "string value missing": {"k": {"DataType": "String"}},
            "binary value missing": {"k": {"DataType": "Binary"}},
            "bad name chars": {"bad name": {"DataType": "String", "StringValue": "v"}},
        }
        for label, attributes in cases.items():
            with self.subTest(case=label):
                with self.assertRaises(botocore.exceptions.ClientError) as cm:
                    self.sqs.send_message(QueueUrl=url, MessageBody="x",
                                          MessageAttributes=attributes)
                self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")
        self.assertEqual(self.attrs(url, "ApproximateNumberOfMessages")
                         ["ApproximateNumberOfMessages"], "0")

    def _receive_again(self, url, **kwargs):
        """Receives the queue's one message and makes it visible again."""
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                     VisibilityTimeout=60, **kwargs)["Messages"][0]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        return m


class SystemAttributesTest(ServerTestCase):

    def test_all_system_attributes(self):
        url = self.new_queue()
        before_ms = int(time.time() * 1000)
        self.sqs.send_message(QueueUrl=url, MessageBody="sys")
        after_ms = int(time.time() * 1000)
        for kwargs in ({"AttributeNames": ["All"]},
                       {"MessageSystemAttributeNames": ["All"]}):
            with self.subTest(kwargs=kwargs):
                m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                             VisibilityTimeout=60, **kwargs)["Messages"][0]
                a = m["Attributes"]
                for name in ("SenderId", "SentTimestamp", "ApproximateReceiveCount",
                             "ApproximateFirstReceiveTimestamp"):
                    self.assertIn(name, a)
                sent = int(a["SentTimestamp"])
                self.assertGreaterEqual(sent, before_ms - 2000)
                self.assertLessEqual(sent, after_ms + 2000)
                self.assertGreaterEqual(int(a["ApproximateFirstReceiveTimestamp"]), sent - 1000)
                self.assertNotIn("AWSTraceHeader", a)
                self.sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)

    def test_selected_system_attributes(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="sel")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                     MessageSystemAttributeNames=["SentTimestamp"])
        self.assertEqual(set(m["Messages"][0]["Attributes"]), {"SentTimestamp"})

    def test_no_system_attributes_unless_asked(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="none")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]
        self.assertEqual(m.get("Attributes", {}), {})

    def test_aws_trace_header(self):
        url = self.new_queue()
        system = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="traced",
                                     MessageSystemAttributes=system)
        if not harness.under_moto():  # moto omits MD5OfMessageSystemAttributes
            self.assertEqual(sent["MD5OfMessageSystemAttributes"], md5_of_attributes(system))
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                     MessageSystemAttributeNames=["AWSTraceHeader"])
        self.assertEqual(m["Messages"][0]["Attributes"], {"AWSTraceHeader": TRACE_HEADER})

    @skip_under_moto("moto omits MD5OfMessageSystemAttributes")
    def test_aws_trace_header_in_batch(self):
        url = self.new_queue()
        system = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}}
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "t", "MessageBody": "traced", "MessageSystemAttributes": system}])
        self.assertEqual(resp["Successful"][0]["MD5OfMessageSystemAttributes"],
                         md5_of_attributes(system))

    @skip_under_moto("moto accepts unknown message system attributes")
    def test_only_aws_trace_header_is_a_settable_system_attribute(self):
        url = self.new_queue()
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageSystemAttributes={
                "SenderId": {"DataType": "String", "StringValue": "me"}})
        self.assertIn(self.error_code(cm.exception),
                      ("InvalidParameterValue", "InvalidAttributeName"))


class LongPollingTest(ServerTestCase):

    def test_wakes_early_on_send(self):
        url = self.new_queue()
        receiver = self.server.client()
        thread, box = run_in_thread(receiver.receive_message, QueueUrl=url,
                                    WaitTimeSeconds=20, MaxNumberOfMessages=1)
        # An empty queue makes the receive wait: still waiting after 0.5 s
        # means it is parked, so the send below must wake it.
        thread.join(timeout=0.5)
        self.assertTrue(thread.is_alive(), "receive on an empty queue returned: %r" % box)
        self.sqs.send_message(QueueUrl=url, MessageBody="wake up")
        thread.join(timeout=25)
        self.assertFalse(thread.is_alive(), "receive still waiting")
        self.assertNotIn("error", box)
        self.assertEqual([m["Body"] for m in box["result"]["Messages"]], ["wake up"])
        self.assertLess(box["elapsed"], 5.0)

    def test_several_waiters_each_get_a_message(self):
        url = self.new_queue()
        waiters = [run_in_thread(self.server.client().receive_message, QueueUrl=url,
                                 WaitTimeSeconds=20, VisibilityTimeout=60)
                   for _ in range(3)]
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="w%d" % i)
        bodies = []
        for thread, box in waiters:
            thread.join(timeout=25)
            self.assertFalse(thread.is_alive())
            self.assertNotIn("error", box)
            bodies += [m["Body"] for m in box["result"].get("Messages", [])]
        self.assertEqual(sorted(bodies), ["w0", "w1", "w2"])

    def test_returns_empty_at_its_deadline(self):
        url = self.new_queue()
        t0 = time.monotonic()
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
        elapsed = time.monotonic() - t0
        self.assertEqual(resp.get("Messages", []), [])
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 10)

    def test_queue_default_wait_time(self):
        url = self.new_queue(attributes={"ReceiveMessageWaitTimeSeconds": 1})
        t0 = time.monotonic()
        resp = self.sqs.receive_message(QueueUrl=url)
        self.assertEqual(resp.get("Messages", []), [])
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)

    def test_wakes_when_a_delayed_message_becomes_visible(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=2)
        t0 = time.monotonic()
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        elapsed = time.monotonic() - t0
        self.assertEqual([m["Body"] for m in resp.get("Messages", [])], ["soon"])
        self.assertLess(elapsed, 10)

    @skip_under_moto("moto does not range-check WaitTimeSeconds")
    def test_wait_time_out_of_range(self):
        url = self.new_queue()
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=21)
        self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")


class BodyLimitsTest(ServerTestCase):

    def test_queue_maximum_message_size(self):
        url = self.new_queue(attributes={"MaximumMessageSize": 1024})
        self.sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.send_message(QueueUrl=url, MessageBody="x" * 1025)
        self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")
        self.assertEqual(self.attrs(url, "ApproximateNumberOfMessages")
                         ["ApproximateNumberOfMessages"], "1")

    @skip_under_moto("moto counts characters, not UTF-8 bytes")
    def test_size_counts_utf8_bytes(self):
        url = self.new_queue(attributes={"MaximumMessageSize": 1024})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.send_message(QueueUrl=url, MessageBody="\u00e9" * 513)  # 1026 bytes
        self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")

    def test_body_over_the_absolute_limit(self):
        url = self.new_queue()
        big = "y" * (1024 * 1024 + 1)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.send_message(QueueUrl=url, MessageBody=big)
        self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")

    def test_large_body_under_the_default_limit(self):
        url = self.new_queue()
        body = "".join("%07d\n" % i for i in range(300 * 1024 // 8))  # 300 KiB
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]
        self.assertEqual(m["Body"], body)

    @skip_under_moto("moto accepts control characters in bodies")
    def test_invalid_characters(self):
        url = self.new_queue()
        for body in ("nul \x00", "bell \x07", "esc \x1b", "nonchar \ufffe", "\x0b"):
            with self.subTest(body=body):
                with self.assertRaises(self.sqs.exceptions.InvalidMessageContents) as cm:
                    self.sqs.send_message(QueueUrl=url, MessageBody=body)
                self.assertEqual(self.error_code(cm.exception), "InvalidMessageContents")
        self.assertEqual(self.attrs(url, "ApproximateNumberOfMessages")
                         ["ApproximateNumberOfMessages"], "0")

    def test_allowed_unusual_characters(self):
        url = self.new_queue()
        body = "tab\t lf\n cr\r bmp-edge \ud7ff \ue000 \ufffd astral \U0010FFFF \U0001F4A9"
        self.sqs.send_message(QueueUrl=url, MessageBody=body)
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_of_body(body))

    @skip_under_moto("moto accepts an empty body")
    def test_empty_body(self):
        url = self.new_queue()
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.send_message(QueueUrl=url, MessageBody="")
        self.assertIn(self.error_code(cm.exception),
                      ("InvalidParameterValue", "MissingParameter"))


class ConcurrencyTest(ServerTestCase):

    def test_concurrent_senders_and_receivers_see_each_message_once(self):
        url = self.new_queue()
        n_senders, per_sender = 4, 25
        sent, received, errors = set(), [], []
        lock = threading.Lock()
        done_sending = threading.Event()

        def sender(k):
            c = self.server.client()
            try:
                for i in range(per_sender):
                    body = "s%d-%d" % (k, i)
                    c.send_message(QueueUrl=url, MessageBody=body)
                    with lock:
                        sent.add(body)
            except Exception as e:  # reported below
                errors.append(e)

        def receiver():
            c = self.server.client()
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    resp = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=1, VisibilityTimeout=120)
                    msgs = resp.get("Messages", [])
                    for m in msgs:
                        c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                    with lock:
                        received.extend(m["Body"] for m in msgs)
                        if done_sending.is_set() and len(received) >= n_senders * per_sender:
                            return
            except Exception as e:
                errors.append(e)

        senders = [threading.Thread(target=sender, args=(k,)) for k in range(n_senders)]
        receivers = [threading.Thread(target=receiver) for _ in range(3)]
        for t in senders + receivers:
            t.start()
        for t in senders:
            t.join(timeout=60)
        done_sending.set()
        for t in receivers:
            t.join(timeout=90)
        self.assertEqual(errors, [])
        self.assertEqual(len(received), len(set(received)), "a message was delivered twice")
        self.assertEqual(set(received), sent)


if __name__ == "__main__":
    unittest.main()
