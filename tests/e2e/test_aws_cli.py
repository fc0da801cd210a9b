"""The aws CLI (v1, `aws` on PATH) against the server, unchanged.

Every command runs as a subprocess with --endpoint-url and credentials in the
environment, and its JSON output is parsed.
"""

import hashlib
import json
import os
import shutil
import subprocess
import unittest

import harness
from harness import ServerTestCase, unique_name, wait_until

AWS = shutil.which("aws")


@unittest.skipIf(AWS is None, "the aws CLI is not on PATH")
class AwsCliTest(ServerTestCase):

    def aws(self, *args, expect_ok=True):
        """Runs `aws --endpoint-url ... sqs <args>`; returns parsed JSON
        output ({} when it prints nothing) or the CompletedProcess on error."""
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_MAX_ATTEMPTS": "1"})
        cmd = [AWS, "--endpoint-url", self.server.endpoint(), "--output", "json",
               "sqs"] + list(args)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        if not expect_ok:
            self.assertNotEqual(proc.returncode, 0, proc.stdout)
            return proc
        self.assertEqual(proc.returncode, 0, "%s\nstdout: %s\nstderr: %s"
                         % (" ".join(args), proc.stdout, proc.stderr))
        return json.loads(proc.stdout) if proc.stdout.strip() else {}

    def test_queue_lifecycle(self):
        name = unique_name("cli")
        url = self.aws("create-queue", "--queue-name", name,
                       "--attributes", "VisibilityTimeout=45,DelaySeconds=0")["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        self.assertTrue(url.endswith("/" + name))
        self.assertEqual(self.aws("get-queue-url", "--queue-name", name)["QueueUrl"], url)
        listed = self.aws("list-queues", "--queue-name-prefix", name)
        self.assertEqual(listed["QueueUrls"], [url])
        attrs = self.aws("get-queue-attributes", "--queue-url", url,
                         "--attribute-names", "All")["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertTrue(attrs["QueueArn"].endswith(":" + name))
        self.aws("set-queue-attributes", "--queue-url", url,
                 "--attributes", "VisibilityTimeout=50")
        attrs = self.aws("get-queue-attributes", "--queue-url", url,
                         "--attribute-names", "VisibilityTimeout")["Attributes"]
        self.assertEqual(attrs, {"VisibilityTimeout": "50"})
        self.aws("delete-queue", "--queue-url", url)
        proc = self.aws("get-queue-url", "--queue-name", name, expect_ok=False)
        self.assertIn("NonExistentQueue", proc.stderr)

    def test_send_receive_delete(self):
        url = self.new_queue("cli")
        sent = self.aws("send-message", "--queue-url", url, "--message-body", "from the cli",
                        "--message-attributes",
                        json.dumps({"kind": {"DataType": "String", "StringValue": "test"}}))
        self.assertIn("MessageId", sent)
        self.assertEqual(sent["MD5OfMessageBody"],
                         hashlib.md5(b"from the cli").hexdigest())
        got = self.aws("receive-message", "--queue-url", url, "--wait-time-seconds", "5",
                       "--attribute-names", "All", "--message-attribute-names", "All",
                       "--visibility-timeout", "60")
        self.assertEqual(len(got["Messages"]), 1)
        m = got["Messages"][0]
        self.assertEqual(m["Body"], "from the cli")
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["MessageAttributes"]["kind"]["StringValue"], "test")
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.aws("delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
        attrs = self.aws("get-queue-attributes", "--queue-url", url, "--attribute-names",
                         "ApproximateNumberOfMessages",
                         "ApproximateNumberOfMessagesNotVisible")["Attributes"]
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "0",
                                 "ApproximateNumberOfMessagesNotVisible": "0"})

    def test_batch_commands(self):
        url = self.new_queue("cli")
        entries = [{"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"}]
        resp = self.aws("send-message-batch", "--queue-url", url, "--entries", json.dumps(entries))
        self.assertEqual(sorted(e["Id"] for e in resp["Successful"]), ["a", "b"])
        got = {}

        def both():
            r = self.aws("receive-message", "--queue-url", url, "--max-number-of-messages", "10",
                         "--wait-time-seconds", "1", "--visibility-timeout", "60")
            for m in r.get("Messages", []):
                got[m["Body"]] = m["ReceiptHandle"]
            return len(got) == 2
        wait_until(both, timeout=30, interval=0)
        resp = self.aws("delete-message-batch", "--queue-url", url, "--entries", json.dumps(
            [{"Id": body, "ReceiptHandle": h} for body, h in got.items()]))
        self.assertEqual(sorted(e["Id"] for e in resp["Successful"]), ["one", "two"])

    def test_purge_queue(self):
        url = self.new_queue("cli")
        for i in range(3):
            self.aws("send-message", "--queue-url", url, "--message-body", "p%d" % i)
        self.aws("purge-queue", "--queue-url", url)
        attrs = self.aws("get-queue-attributes", "--queue-url", url,
                         "--attribute-names", "ApproximateNumberOfMessages")["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        got = self.aws("receive-message", "--queue-url", url, "--wait-time-seconds", "1")
        self.assertEqual(got.get("Messages", []), [])

    def test_list_queues_paginates(self):
        prefix = unique_name("clipg")
        urls = sorted(self.new_queue(name="%s-%d" % (prefix, i)) for i in range(3))
        # The CLI follows NextToken itself; --page-size forces several pages.
        listed = self.aws("list-queues", "--queue-name-prefix", prefix, "--page-size", "1")
        self.assertEqual(sorted(listed["QueueUrls"]), urls)

    def test_error_reaches_the_cli(self):
        url = "%s/%s/%s" % (self.server.endpoint(), harness.account_id(), unique_name("none"))
        proc = self.aws("send-message", "--queue-url", url, "--message-body", "x",
                        expect_ok=False)
        self.assertIn("NonExistentQueue", proc.stderr)


if __name__ == "__main__":
    unittest.main()
