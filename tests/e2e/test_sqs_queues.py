"""Queue management over the SQS JSON protocol, driven by boto3.

CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue,
Get/SetQueueAttributes, tags, permissions, ListDeadLetterSourceQueues, queue
URLs built from the Host header, and the queues of the embedded default
configuration.
"""

import json
import time
import unittest

import botocore.exceptions

import harness
from harness import ServerTestCase, account_id, skip_under_moto, unique_name

# Attributes every standard queue reports for AttributeNames=["All"].
STANDARD_ATTRIBUTES = {
    "QueueArn", "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp", "LastModifiedTimestamp", "VisibilityTimeout",
    "MaximumMessageSize", "MessageRetentionPeriod", "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
}


def epoch(text):
    """Epoch seconds from an attribute (AWS sends whole seconds)."""
    return int(float(text))


class CreateQueueTest(ServerTestCase):

    def test_create_returns_url_with_account_and_name(self):
        name = unique_name("create")
        url = self.new_queue(name=name)
        self.assertEqual(url, "%s/%s/%s" % (self.server.endpoint(), account_id(), name))
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], url)

    def test_create_with_attributes_applies_them(self):
        url = self.new_queue(attributes={
            "VisibilityTimeout": 45, "DelaySeconds": 3,
            "MessageRetentionPeriod": 3600, "MaximumMessageSize": 2048,
            "ReceiveMessageWaitTimeSeconds": 7})
        a = self.attrs(url)
        self.assertEqual(a["VisibilityTimeout"], "45")
        self.assertEqual(a["DelaySeconds"], "3")
        self.assertEqual(a["MessageRetentionPeriod"], "3600")
        self.assertEqual(a["MaximumMessageSize"], "2048")
        self.assertEqual(a["ReceiveMessageWaitTimeSeconds"], "7")

    def test_create_is_idempotent_with_same_attributes(self):
        name = unique_name("idem")
        url = self.new_queue(name=name, attributes={"VisibilityTimeout": 40})
        again = self.sqs.create_queue(QueueName=name,
                                      Attributes={"VisibilityTimeout": "40"})
        self.assertEqual(again["QueueUrl"], url)
        self.assertEqual(len(self._urls_with_prefix(name)), 1)

    def test_create_with_different_attributes_is_queue_name_exists(self):
        name = unique_name("clash")
        self.new_queue(name=name, attributes={"VisibilityTimeout": 40})
        with self.assertRaises(self.sqs.exceptions.QueueNameExists) as cm:
            self.sqs.create_queue(QueueName=name,
                                  Attributes={"VisibilityTimeout": "41"})
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        # The original attributes are unchanged.
        url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        self.assertEqual(self.attrs(url, "VisibilityTimeout")["VisibilityTimeout"], "40")

    def test_queue_name_exists_query_code(self):
        name = unique_name("clash")
        self.new_queue(name=name, attributes={"VisibilityTimeout": 40})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.create_queue(QueueName=name,
                                  Attributes={"VisibilityTimeout": "41"})
        self.assertEqual(self.error_code(cm.exception), "QueueAlreadyExists")

    def test_invalid_queue_names_are_rejected(self):
        for bad in ["has space", "slash/name", "x" * 81, "dot.name", ""]:
            with self.subTest(name=bad):
                before = self._all_urls()
                with self.assertRaises(botocore.exceptions.ClientError) as cm:
                    self.sqs.create_queue(QueueName=bad)
                # AWS: "Can only include alphanumeric characters, hyphens, or
                # underscores. 1 to 80 in length."
                self.assertIn(self.error_code(cm.exception),
                              ("InvalidParameterValue", "MissingParameter"))
                self.assertEqual(self._all_urls(), before)

    def test_longest_valid_name_is_accepted(self):
        name = unique_name("long_-")
        name = name + "a" * (80 - len(name))
        url = self.new_queue(name=name)
        self.assertTrue(url.endswith("/" + name))

    @skip_under_moto("moto supports FIFO queues; Sluice refuses them by design")
    def test_fifo_name_and_attribute_must_agree(self):
        # A .fifo name without FifoQueue=true, or FifoQueue=true without the
        # suffix: InvalidParameterValue, nothing created (test_fifo.py covers
        # FIFO queues themselves).
        fifo_name = unique_name("fifo") + ".fifo"
        plain_name = unique_name("notfifo")
        for name, attributes in ((fifo_name, {}), (plain_name, {"FifoQueue": "true"})):
            with self.subTest(name=name, attributes=attributes):
                with self.assertRaises(botocore.exceptions.ClientError) as cm:
                    self.sqs.create_queue(QueueName=name, Attributes=attributes)
                err = cm.exception.response["Error"]
                self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
                self.assertEqual(err["Code"], "InvalidParameterValue")
                with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
                    self.sqs.get_queue_url(QueueName=name)
        url = self.sqs.create_queue(QueueName=fifo_name, Attributes={"FifoQueue": "true"})["QueueUrl"]
        self.addCleanup(self.sqs.delete_queue, QueueUrl=url)
        self.assertTrue(url.endswith("/" + fifo_name))

    @skip_under_moto("moto ignores unknown attribute names in CreateQueue")
    def test_unknown_attribute_is_invalid_attribute_name(self):
        name = unique_name("badattr")
        with self.assertRaises(self.sqs.exceptions.InvalidAttributeName):
            self.sqs.create_queue(QueueName=name, Attributes={"NoSuchThing": "1"})
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName=name)

    @skip_under_moto("moto does not range-check attribute values")
    def test_bad_attribute_value_is_invalid_attribute_value(self):
        name = unique_name("badval")
        with self.assertRaises(self.sqs.exceptions.InvalidAttributeValue):
            self.sqs.create_queue(QueueName=name,
                                  Attributes={"VisibilityTimeout": "43201"})
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName=name)

    def _all_urls(self):
        return sorted(self.sqs.list_queues(MaxResults=1000).get("QueueUrls", []))

    def _urls_with_prefix(self, prefix):
        return self.sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])


class GetQueueUrlTest(ServerTestCase):

    def test_nonexistent_queue_raises_queue_does_not_exist(self):
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as cm:
            self.sqs.get_queue_url(QueueName=unique_name("missing"))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_nonexistent_queue_error_code_is_the_query_code(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.get_queue_url(QueueName=unique_name("missing"))
        self.assertEqual(self.error_code(cm.exception),
                         "AWS.SimpleQueueService.NonExistentQueue")
        self.assertEqual(cm.exception.response["Error"].get("Type"), "Sender")
        self.assertIsInstance(cm.exception, self.sqs.exceptions.QueueDoesNotExist)

    def test_operations_on_a_missing_queue_url(self):
        url = "%s/%s/%s" % (self.server.endpoint(), account_id(), unique_name("gone"))
        calls = [
            lambda: self.sqs.send_message(QueueUrl=url, MessageBody="x"),
            lambda: self.sqs.receive_message(QueueUrl=url),
            lambda: self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]),
            lambda: self.sqs.purge_queue(QueueUrl=url),
            lambda: self.sqs.delete_queue(QueueUrl=url),
        ]
        for i, call in enumerate(calls):
            with self.subTest(call=i):
                with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
                    call()


class ListQueuesTest(ServerTestCase):

    def test_prefix_filters(self):
        prefix = unique_name("lst")
        mine = sorted(self.new_queue(name="%s-%d" % (prefix, i)) for i in range(3))
        other = self.new_queue(name=unique_name("other"))
        got = sorted(self.sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"])
        self.assertEqual(got, mine)
        self.assertNotIn(other, got)
        everything = self.sqs.list_queues()["QueueUrls"]
        for url in mine + [other]:
            self.assertIn(url, everything)

    def test_no_match_has_no_urls(self):
        resp = self.sqs.list_queues(QueueNamePrefix=unique_name("nomatch"))
        self.assertEqual(resp.get("QueueUrls", []), [])
        self.assertNotIn("NextToken", resp)

    @skip_under_moto("moto ignores MaxResults in ListQueues")
    def test_max_results_and_next_token_page_through_everything(self):
        prefix = unique_name("page")
        mine = {self.new_queue(name="%s-%d" % (prefix, i)) for i in range(5)}
        seen, pages, token = [], 0, None
        while True:
            kwargs = {"QueueNamePrefix": prefix, "MaxResults": 2}
            if token:
                kwargs["NextToken"] = token
            resp = self.sqs.list_queues(**kwargs)
            urls = resp.get("QueueUrls", [])
            self.assertLessEqual(len(urls), 2)
            seen.extend(urls)
            pages += 1
            token = resp.get("NextToken")
            if not token:
                break
            self.assertLess(pages, 10, "paging does not terminate")
        self.assertEqual(sorted(seen), sorted(mine))
        self.assertEqual(len(seen), len(set(seen)), "a queue was listed twice")
        self.assertGreaterEqual(pages, 3)

    def test_paginator_works(self):
        prefix = unique_name("pgn")
        mine = {self.new_queue(name="%s-%d" % (prefix, i)) for i in range(3)}
        seen = []
        for page in self.sqs.get_paginator("list_queues").paginate(
                QueueNamePrefix=prefix, PaginationConfig={"PageSize": 1}):
            seen.extend(page.get("QueueUrls", []))
        self.assertEqual(sorted(seen), sorted(mine))

    @skip_under_moto("moto does not range-check MaxResults")
    def test_max_results_out_of_range(self):
        for bad in (0, 1001):
            with self.subTest(max_results=bad):
                with self.assertRaises(botocore.exceptions.ClientError) as cm:
                    self.sqs.list_queues(MaxResults=bad)
                self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")


class DeleteQueueTest(ServerTestCase):

    def test_delete_removes_queue(self):
        name = unique_name("del")
        url = self.new_queue(name=name)
        self.sqs.send_message(QueueUrl=url, MessageBody="doomed")
        self.sqs.delete_queue(QueueUrl=url)
        harness.wait_until(lambda: not self.sqs.list_queues(
            QueueNamePrefix=name).get("QueueUrls"), timeout=10,
            message="deleted queue still listed")
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName=name)
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.send_message(QueueUrl=url, MessageBody="x")

    def test_delete_missing_queue(self):
        url = "%s/%s/%s" % (self.server.endpoint(), account_id(), unique_name("nope"))
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.delete_queue(QueueUrl=url)


class PurgeQueueTest(ServerTestCase):

    def test_purge_removes_all_messages(self):
        url = self.new_queue()
        for i in range(5):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1,
                                       VisibilityTimeout=60)
        self.assertEqual(len(got["Messages"]), 1)
        self.sqs.purge_queue(QueueUrl=url)
        harness.wait_until(lambda: self._counts(url) == (0, 0, 0), timeout=15,
                           message="counts after purge")
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
        self.assertEqual(resp.get("Messages", []), [])

    def test_messages_sent_after_purge_are_kept(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="before")
        self.sqs.purge_queue(QueueUrl=url)
        harness.wait_until(lambda: self._counts(url) == (0, 0, 0), timeout=15)
        self.sqs.send_message(QueueUrl=url, MessageBody="after")
        msgs = self.receive_all(url, 1, timeout=10)
        self.assertEqual([m["Body"] for m in msgs.values()], ["after"])

    @skip_under_moto("moto does not implement PurgeQueueInProgress")
    def test_second_purge_within_60s_is_purge_queue_in_progress(self):
        url = self.new_queue()
        self.sqs.purge_queue(QueueUrl=url)
        with self.assertRaises(self.sqs.exceptions.PurgeQueueInProgress) as cm:
            self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(self.error_code(cm.exception),
                         "AWS.SimpleQueueService.PurgeQueueInProgress")

    def _counts(self, url):
        a = self.attrs(url, "ApproximateNumberOfMessages",
                       "ApproximateNumberOfMessagesNotVisible",
                       "ApproximateNumberOfMessagesDelayed")
        return (int(a["ApproximateNumberOfMessages"]),
                int(a["ApproximateNumberOfMessagesNotVisible"]),
                int(a["ApproximateNumberOfMessagesDelayed"]))


class QueueAttributesTest(ServerTestCase):

    def test_all_attributes_of_a_new_queue(self):
        name = unique_name("attrs")
        before = int(time.time())
        url = self.new_queue(name=name)
        after = int(time.time())
        a = self.attrs(url)
        self.assertTrue(STANDARD_ATTRIBUTES <= set(a), sorted(STANDARD_ATTRIBUTES - set(a)))
        self.assertEqual(a["QueueArn"], "arn:aws:sqs:us-east-1:%s:%s" % (account_id(), name))
        self.assertEqual(a["ApproximateNumberOfMessages"], "0")
        self.assertEqual(a["ApproximateNumberOfMessagesNotVisible"], "0")
        self.assertEqual(a["ApproximateNumberOfMessagesDelayed"], "0")
        self.assertEqual(a["VisibilityTimeout"], "30")
        self.assertEqual(a["MessageRetentionPeriod"], "345600")
        self.assertEqual(a["DelaySeconds"], "0")
        self.assertEqual(a["ReceiveMessageWaitTimeSeconds"], "0")
        self.assertIn(a["MaximumMessageSize"], ("262144", "1048576"))
        for ts in ("CreatedTimestamp", "LastModifiedTimestamp"):
            self.assertGreaterEqual(epoch(a[ts]), before - 2)
            self.assertLessEqual(epoch(a[ts]), after + 2)
        self.assertNotIn("RedrivePolicy", a)
        self.assertNotIn("FifoQueue", a)

    def test_default_maximum_message_size_is_1_mib(self):
        url = self.new_queue()
        self.assertEqual(self.attrs(url, "MaximumMessageSize")["MaximumMessageSize"],
                         "1048576")

    @skip_under_moto("moto sends timestamps with a fraction")
    def test_timestamps_are_whole_epoch_seconds(self):
        a = self.attrs(self.new_queue(), "CreatedTimestamp", "LastModifiedTimestamp")
        self.assertRegex(a["CreatedTimestamp"], r"^\d+$")
        self.assertRegex(a["LastModifiedTimestamp"], r"^\d+$")

    def test_each_name_alone_returns_just_that_attribute(self):
        url = self.new_queue()
        for name in sorted(STANDARD_ATTRIBUTES):
            with self.subTest(attribute=name):
                self.assertEqual(set(self.attrs(url, name)), {name})

    def test_no_attribute_names_returns_no_attributes(self):
        url = self.new_queue()
        resp = self.sqs.get_queue_attributes(QueueUrl=url)
        self.assertEqual(resp.get("Attributes", {}), {})

    def test_counts_follow_messages(self):
        url = self.new_queue()
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="visible %d" % i)
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=600)
        self.assertEqual(self._counts(url), (3, 0, 1))
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2,
                                       VisibilityTimeout=600)["Messages"]
        harness.wait_until(lambda: self._counts(url) == (3 - len(got), len(got), 1),
                           timeout=5, message="counts after receive")
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        harness.wait_until(lambda: self._counts(url) == (3 - len(got), len(got) - 1, 1),
                           timeout=5, message="counts after delete")

    def test_set_attributes_changes_them_and_last_modified(self):
        url = self.new_queue()
        created = epoch(self.attrs(url, "CreatedTimestamp")["CreatedTimestamp"])
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "VisibilityTimeout": "120", "DelaySeconds": "5",
            "ReceiveMessageWaitTimeSeconds": "20", "MessageRetentionPeriod": "60",
            "MaximumMessageSize": "1024"})
        a = self.attrs(url)
        self.assertEqual(a["VisibilityTimeout"], "120")
        self.assertEqual(a["DelaySeconds"], "5")
        self.assertEqual(a["ReceiveMessageWaitTimeSeconds"], "20")
        self.assertEqual(a["MessageRetentionPeriod"], "60")
        self.assertEqual(a["MaximumMessageSize"], "1024")
        self.assertGreaterEqual(epoch(a["LastModifiedTimestamp"]), created)
        self.assertEqual(epoch(a["CreatedTimestamp"]), created)

    def test_boundary_values_are_accepted(self):
        url = self.new_queue()
        for name, values in [("VisibilityTimeout", ["0", "43200"]),
                             ("DelaySeconds", ["0", "900"]),
                             ("ReceiveMessageWaitTimeSeconds", ["0", "20"]),
                             ("MessageRetentionPeriod", ["60", "1209600"]),
                             ("MaximumMessageSize", ["1024", "262144"])]:
            for v in values:
                with self.subTest(attribute=name, value=v):
                    self.sqs.set_queue_attributes(QueueUrl=url, Attributes={name: v})
                    self.assertEqual(self.attrs(url, name)[name], v)

    @skip_under_moto("moto does not range-check attribute values")
    def test_bad_values_are_invalid_attribute_value(self):
        url = self.new_queue(attributes={"VisibilityTimeout": 31})
        bad = [("VisibilityTimeout", "43201"), ("VisibilityTimeout", "-1"),
               ("VisibilityTimeout", "abc"), ("DelaySeconds", "901"),
               ("ReceiveMessageWaitTimeSeconds", "21"),
               ("MessageRetentionPeriod", "59"), ("MessageRetentionPeriod", "1209601"),
               ("MaximumMessageSize", "1023"), ("MaximumMessageSize", "1048577")]
        for name, value in bad:
            with self.subTest(attribute=name, value=value):
                with self.assertRaises(self.sqs.exceptions.InvalidAttributeValue):
                    self.sqs.set_queue_attributes(
                        QueueUrl=url, Attributes={"VisibilityTimeout": "99", name: value})
                # Nothing in the failed request was applied.
                self.assertEqual(self.attrs(url, "VisibilityTimeout")["VisibilityTimeout"], "31")

    @skip_under_moto("moto accepts unknown attribute names in SetQueueAttributes")
    def test_unknown_names_are_invalid_attribute_name(self):
        url = self.new_queue()
        with self.assertRaises(self.sqs.exceptions.InvalidAttributeName):
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Bogus": "1"})
        with self.assertRaises(self.sqs.exceptions.InvalidAttributeName):
            self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Bogus"])

    def test_redrive_policy_round_trips(self):
        dlq = self.new_queue("dlq")
        dlq_arn = self.queue_arn(dlq)
        src = self.new_queue("src")
        policy = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 4}
        self.sqs.set_queue_attributes(QueueUrl=src,
                                      Attributes={"RedrivePolicy": json.dumps(policy)})
        got = json.loads(self.attrs(src, "RedrivePolicy")["RedrivePolicy"])
        self.assertEqual(got["deadLetterTargetArn"], dlq_arn)
        self.assertEqual(int(got["maxReceiveCount"]), 4)
        self.assertIn("RedrivePolicy", self.attrs(src))
        # An empty string removes it.
        self.sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": ""})
        self.assertNotIn("RedrivePolicy", self.attrs(src))

    def test_redrive_policy_with_string_max_receive_count(self):
        dlq_arn = self.queue_arn(self.new_queue("dlq"))
        src = self.new_queue("src", attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "7"})})
        got = json.loads(self.attrs(src, "RedrivePolicy")["RedrivePolicy"])
        self.assertEqual(int(got["maxReceiveCount"]), 7)

    @skip_under_moto("moto accepts malformed RedrivePolicy values")
    def test_bad_redrive_policies_are_refused(self):
        dlq_arn = self.queue_arn(self.new_queue("dlq"))
        src = self.new_queue("src")
        missing_arn = "arn:aws:sqs:us-east-1:%s:%s" % (account_id(), unique_name("nodlq"))
        bad = ["not json", json.dumps({"maxReceiveCount": 3}),
               json.dumps({"deadLetterTargetArn": dlq_arn}),
               json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 0}),
               json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1001}),
               json.dumps({"deadLetterTargetArn": missing_arn, "maxReceiveCount": 3})]
        for value in bad:
            with self.subTest(policy=value):
                with self.assertRaises(botocore.exceptions.ClientError) as cm:
                    self.sqs.set_queue_attributes(QueueUrl=src,
                                                  Attributes={"RedrivePolicy": value})
                self.assertIn(self.error_code(cm.exception),
                              ("InvalidAttributeValue", "InvalidParameterValue"))
                self.assertNotIn("RedrivePolicy", self.attrs(src))

    @skip_under_moto("moto does not know RedriveAllowPolicy")
    def test_redrive_allow_policy_round_trips(self):
        dlq = self.new_queue("dlq")
        src_arn = self.queue_arn(self.new_queue("src"))
        policy = {"redrivePermission": "byQueue", "sourceQueueArns": [src_arn]}
        self.sqs.set_queue_attributes(
            QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(policy)})
        got = json.loads(self.attrs(dlq, "RedriveAllowPolicy")["RedriveAllowPolicy"])
        self.assertEqual(got, policy)
        self.sqs.set_queue_attributes(
            QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
                {"redrivePermission": "denyAll"})})
        got = json.loads(self.attrs(dlq, "RedriveAllowPolicy")["RedriveAllowPolicy"])
        self.assertEqual(got["redrivePermission"], "denyAll")

    @skip_under_moto("moto does not know RedriveAllowPolicy")
    def test_redrive_allow_policy_bad_permission(self):
        dlq = self.new_queue("dlq")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.set_queue_attributes(QueueUrl=dlq, Attributes={
                "RedriveAllowPolicy": json.dumps({"redrivePermission": "sometimes"})})
        self.assertIn(self.error_code(cm.exception),
                      ("InvalidAttributeValue", "InvalidParameterValue"))

    @skip_under_moto("moto lets SetQueueAttributes write read-only attributes")
    def test_queue_arn_and_counts_are_read_only(self):
        url = self.new_queue()
        for name, value in [("QueueArn", "arn:aws:sqs:us-east-1:1:x"),
                            ("ApproximateNumberOfMessages", "5"),
                            ("CreatedTimestamp", "1")]:
            with self.subTest(attribute=name):
                with self.assertRaises(self.sqs.exceptions.InvalidAttributeName):
                    self.sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})

    def _counts(self, url):
        a = self.attrs(url, "ApproximateNumberOfMessages",
                       "ApproximateNumberOfMessagesNotVisible",
                       "ApproximateNumberOfMessagesDelayed")
        return (int(a["ApproximateNumberOfMessages"]),
                int(a["ApproximateNumberOfMessagesNotVisible"]),
                int(a["ApproximateNumberOfMessagesDelayed"]))


class TagsTest(ServerTestCase):

    def test_tag_list_untag(self):
        url = self.new_queue(tags={"team": "payments", "env": "dev"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"],
                         {"team": "payments", "env": "dev"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "owner": "ana"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"],
                         {"team": "payments", "env": "prod", "owner": "ana"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team", "not-there"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"],
                         {"env": "prod", "owner": "ana"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["env", "owner"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), {})

    def test_tags_on_missing_queue(self):
        url = "%s/%s/%s" % (self.server.endpoint(), account_id(), unique_name("nope"))
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.tag_queue(QueueUrl=url, Tags={"a": "b"})
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.list_queue_tags(QueueUrl=url)


class PermissionsTest(ServerTestCase):

    def test_add_and_remove_permission_show_in_policy(self):
        url = self.new_queue()
        arn = self.queue_arn(url)
        self.sqs.add_permission(QueueUrl=url, Label="let-them-send",
                                AWSAccountIds=["111122223333"],
                                Actions=["SendMessage", "ReceiveMessage"])
        policy = json.loads(self.attrs(url, "Policy")["Policy"])
        statements = {s["Sid"]: s for s in policy["Statement"]}
        self.assertIn("let-them-send", statements)
        st = statements["let-them-send"]
        self.assertEqual(st["Effect"], "Allow")
        self.assertEqual(st["Resource"], arn)
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        self.assertEqual(sorted(a.split(":")[-1] for a in actions),
                         ["ReceiveMessage", "SendMessage"])
        self.assertIn("111122223333", json.dumps(st["Principal"]))

        self.sqs.add_permission(QueueUrl=url, Label="second",
                                AWSAccountIds=["444455556666"], Actions=["*"])
        policy = json.loads(self.attrs(url, "Policy")["Policy"])
        self.assertEqual(sorted(s["Sid"] for s in policy["Statement"]),
                         ["let-them-send", "second"])

        self.sqs.remove_permission(QueueUrl=url, Label="let-them-send")
        policy = json.loads(self.attrs(url, "Policy")["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["second"])
        self.sqs.remove_permission(QueueUrl=url, Label="second")
        remaining = self.attrs(url).get("Policy")
        if remaining:
            self.assertEqual(json.loads(remaining).get("Statement", []), [])

    def test_duplicate_label_and_unknown_label(self):
        url = self.new_queue()
        self.sqs.add_permission(QueueUrl=url, Label="once",
                                AWSAccountIds=["111122223333"], Actions=["SendMessage"])
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.add_permission(QueueUrl=url, Label="once",
                                    AWSAccountIds=["111122223333"], Actions=["SendMessage"])
        self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sqs.remove_permission(QueueUrl=url, Label="never-added")
        self.assertEqual(self.error_code(cm.exception), "InvalidParameterValue")


class DeadLetterSourceQueuesTest(ServerTestCase):

    @skip_under_moto("moto ignores MaxResults in ListDeadLetterSourceQueues")
    def test_lists_queues_whose_redrive_policy_targets_the_dlq(self):
        dlq = self.new_queue("dlq")
        dlq_arn = self.queue_arn(dlq)
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
        sources = sorted(self.new_queue("src", attributes={"RedrivePolicy": policy})
                         for _ in range(3))
        self.new_queue("unrelated")
        got = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]
        self.assertEqual(sorted(got), sources)
        # Paging.
        seen, token = [], None
        for _ in range(10):
            kwargs = {"QueueUrl": dlq, "MaxResults": 2}
            if token:
                kwargs["NextToken"] = token
            page = self.sqs.list_dead_letter_source_queues(**kwargs)
            self.assertLessEqual(len(page["queueUrls"]), 2)
            seen += page["queueUrls"]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(sorted(seen), sources)

    def test_queue_that_is_no_dlq_has_no_sources(self):
        url = self.new_queue()
        self.assertEqual(
            self.sqs.list_dead_letter_source_queues(QueueUrl=url).get("queueUrls", []), [])


class HostHeaderTest(ServerTestCase):

    def test_queue_url_follows_the_host_header(self):
        name = unique_name("host")
        by_ip = self.server.client()
        by_name = self.server.client(host="localhost")
        url_ip = by_ip.create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(self._delete_quietly, url_ip)
        self.assertEqual(url_ip, "http://127.0.0.1:%d/%s/%s"
                         % (self.server.port, account_id(), name))
        url_name = by_name.get_queue_url(QueueName=name)["QueueUrl"]
        self.assertEqual(url_name, "http://localhost:%d/%s/%s"
                         % (self.server.port, account_id(), name))
        self.assertIn(url_name, by_name.list_queues(QueueNamePrefix=name)["QueueUrls"])
        # Either URL names the same queue.
        by_name.send_message(QueueUrl=url_ip, MessageBody="via ip url")
        got = by_ip.receive_message(QueueUrl=url_name, WaitTimeSeconds=2)
        self.assertEqual(got["Messages"][0]["Body"], "via ip url")


@skip_under_moto("moto has no embedded default configuration")
class DefaultConfigQueuesTest(ServerTestCase):
    """The embedded default config's queues exist with the documented attributes."""

    def test_payment_events_and_its_dlq(self):
        url = self.sqs.get_queue_url(QueueName="payment-events")["QueueUrl"]
        dlq = self.sqs.get_queue_url(QueueName="payment-events-dlq")["QueueUrl"]
        a = self.attrs(url)
        self.assertEqual(a["VisibilityTimeout"], "60")
        self.assertEqual(a["MessageRetentionPeriod"], "345600")
        redrive = json.loads(a["RedrivePolicy"])
        self.assertEqual(redrive["deadLetterTargetArn"],
                         "arn:aws:sqs:us-east-1:000000000000:payment-events-dlq")
        self.assertEqual(int(redrive["maxReceiveCount"]), 5)
        self.assertEqual(self.attrs(dlq)["MessageRetentionPeriod"], "1209600")
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"],
                         [url])

    def test_payments_refunds_disputes(self):
        for base in ("payments", "refunds", "disputes"):
            with self.subTest(queue=base):
                url = self.sqs.get_queue_url(QueueName=base + "-queue")["QueueUrl"]
                dlq = self.sqs.get_queue_url(QueueName=base + "-dlq")["QueueUrl"]
                a = self.attrs(url)
                self.assertEqual(a["VisibilityTimeout"], "300")
                self.assertEqual(a["MessageRetentionPeriod"], "604800")
                redrive = json.loads(a["RedrivePolicy"])
                self.assertEqual(redrive["deadLetterTargetArn"],
                                 "arn:aws:sqs:us-east-1:000000000000:%s-dlq" % base)
                self.assertEqual(int(redrive["maxReceiveCount"]), 3)
                self.assertEqual(self.attrs(dlq)["MessageRetentionPeriod"], "604800")
                self.assertEqual(
                    self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [url])

    def test_all_default_queues_are_listed(self):
        names = {u.rsplit("/", 1)[1] for u in self.sqs.list_queues()["QueueUrls"]}
        expected = {"payment-events", "payment-events-dlq", "payments-queue",
                    "payments-dlq", "refunds-queue", "refunds-dlq",
                    "disputes-queue", "disputes-dlq"}
        self.assertTrue(expected <= names, sorted(expected - names))


if __name__ == "__main__":
    unittest.main()
