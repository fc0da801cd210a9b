"""S3 bucket settings end to end with boto3 and the aws CLI: default
encryption (and what objects then report), policy, tagging and the public
access block; their errors; that they survive a kill -9 and go with the
bucket. Test fixtures that set these up before using a bucket run
unchanged."""

import json
import unittest

from harness import post_json, requires_process, wait_until
from s3_helpers import aws
from test_s3 import S3TestCase

KMS_KEY = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
})


def kms_rule(key=KMS_KEY, bucket_key=True):
    return {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
                       "BucketKeyEnabled": bucket_key}]}


class EncryptionTest(S3TestCase):
    def test_default_is_sse_s3_until_set(self):
        bucket = self.new_bucket()
        rule = self.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual(rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        self.assertEqual(self.s3.put_object(Bucket=bucket, Key="a", Body=b"x")["ServerSideEncryption"], "AES256")

    def test_kms_default_applies_to_new_objects(self):
        bucket = self.new_bucket()
        self.s3.put_object(Bucket=bucket, Key="before", Body=b"x")
        self.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=kms_rule())
        got = self.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual(got["ApplyServerSideEncryptionByDefault"],
                         {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS_KEY})
        self.assertTrue(got["BucketKeyEnabled"])

        put = self.s3.put_object(Bucket=bucket, Key="after", Body=b"y")
        self.assertEqual(put["ServerSideEncryption"], "aws:kms")
        self.assertEqual(put["SSEKMSKeyId"], KMS_KEY)
        self.assertTrue(put["BucketKeyEnabled"])
        head = self.s3.head_object(Bucket=bucket, Key="after")
        self.assertEqual((head["ServerSideEncryption"], head["SSEKMSKeyId"]), ("aws:kms", KMS_KEY))
        # An object keeps the encryption it was written with.
        self.assertEqual(self.s3.head_object(Bucket=bucket, Key="before")["ServerSideEncryption"], "AES256")
        # A request's own SSE header wins over the default.
        own = self.s3.put_object(Bucket=bucket, Key="own", Body=b"z", ServerSideEncryption="AES256")
        self.assertEqual(own["ServerSideEncryption"], "AES256")
        # Copies and multipart uploads take the default too.
        copied = self.s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "before"},
                                     MetadataDirective="REPLACE")
        self.assertEqual(copied["ServerSideEncryption"], "aws:kms")
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key="mp")
        self.assertEqual(upload["ServerSideEncryption"], "aws:kms")
        self.s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"])

        self.s3.delete_bucket_encryption(Bucket=bucket)
        self.assertEqual(self.s3.put_object(Bucket=bucket, Key="later", Body=b"w")["ServerSideEncryption"],
                         "AES256")
        rule = self.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual(rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")

    def test_worker_objects_report_the_bucket_default(self):
        self.s3.put_bucket_encryption(Bucket="payments", ServerSideEncryptionConfiguration=kms_rule())
        self.addCleanup(self.s3.delete_bucket_encryption, Bucket="payments")
        status, _, _ = post_json(self.server, "/payments", {"payment_id": "pay-kms-1", "amount": 5})
        self.assertEqual(status, 200)

        def archived():
            for obj in self.s3.list_objects_v2(Bucket="payments", Prefix="raw/").get("Contents", []):
                head = self.s3.get_object(Bucket="payments", Key=obj["Key"])
                if json.loads(head["Body"].read()).get("payment_id") == "pay-kms-1":
                    return head
            return None
        head = wait_until(archived, timeout=20, interval=0.2, message="archived payment")
        self.assertEqual((head["ServerSideEncryption"], head["SSEKMSKeyId"]), ("aws:kms", KMS_KEY))

    def test_bad_configurations_are_refused(self):
        bucket = self.new_bucket()
        self.assert_s3_error("InvalidArgument", 400, self.s3.put_bucket_encryption, Bucket=bucket,
                             ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {
                                 "SSEAlgorithm": "AES256", "KMSMasterKeyID": KMS_KEY}}]})
        self.assert_s3_error("NoSuchBucket", 404, self.s3.put_bucket_encryption, Bucket=bucket + "-none",
                             ServerSideEncryptionConfiguration=kms_rule())
        # Nothing changed.
        rule = self.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual(rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")


class PolicyTaggingAccessBlockTest(S3TestCase):
    def test_policy(self):
        bucket = self.new_bucket()
        self.assert_s3_error("NoSuchBucketPolicy", 404, self.s3.get_bucket_policy, Bucket=bucket)
        self.s3.put_bucket_policy(Bucket=bucket, Policy=POLICY)
        self.assertEqual(json.loads(self.s3.get_bucket_policy(Bucket=bucket)["Policy"]), json.loads(POLICY))
        self.assert_s3_error("MalformedPolicy", 400, self.s3.put_bucket_policy, Bucket=bucket, Policy="not json")
        self.assertEqual(json.loads(self.s3.get_bucket_policy(Bucket=bucket)["Policy"]), json.loads(POLICY))
        self.s3.delete_bucket_policy(Bucket=bucket)
        self.assert_s3_error("NoSuchBucketPolicy", 404, self.s3.get_bucket_policy, Bucket=bucket)

    def test_tagging(self):
        bucket = self.new_bucket()
        self.assert_s3_error("NoSuchTagSet", 404, self.s3.get_bucket_tagging, Bucket=bucket)
        tags = [{"Key": "team", "Value": "payments"}, {"Key": "env", "Value": "ci"}]
        self.s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
        self.assertEqual(self.s3.get_bucket_tagging(Bucket=bucket)["TagSet"], tags)
        self.assert_s3_error("InvalidTag", 400, self.s3.put_bucket_tagging, Bucket=bucket,
                             Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]})
        self.assertEqual(self.s3.get_bucket_tagging(Bucket=bucket)["TagSet"], tags)
        self.s3.delete_bucket_tagging(Bucket=bucket)
        self.assert_s3_error("NoSuchTagSet", 404, self.s3.get_bucket_tagging, Bucket=bucket)

    def test_public_access_block(self):
        bucket = self.new_bucket()
        self.assert_s3_error("NoSuchPublicAccessBlockConfiguration", 404, self.s3.get_public_access_block,
                             Bucket=bucket)
        block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                 "RestrictPublicBuckets": False}
        self.s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
        self.assertEqual(self.s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"], block)
        self.s3.delete_public_access_block(Bucket=bucket)
        self.assert_s3_error("NoSuchPublicAccessBlockConfiguration", 404, self.s3.get_public_access_block,
                             Bucket=bucket)

    def test_acls_say_private(self):
        bucket = self.new_bucket()
        self.s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        owner = self.s3.list_buckets()["Owner"]
        for acl in (self.s3.get_bucket_acl(Bucket=bucket), self.s3.get_object_acl(Bucket=bucket, Key="k")):
            self.assertEqual(acl["Owner"], owner)
            self.assertEqual(acl["Grants"], [{"Grantee": dict(owner, Type="CanonicalUser"),
                                              "Permission": "FULL_CONTROL"}])
        self.assert_s3_error("NoSuchKey", 404, self.s3.get_object_acl, Bucket=bucket, Key="missing")
        self.assert_s3_error("NoSuchBucket", 404, self.s3.get_bucket_acl, Bucket=bucket + "-none")
        # Changing an ACL is still not served.
        self.assert_s3_error("NotImplemented", 501, self.s3.put_bucket_acl, Bucket=bucket, ACL="public-read")

    def test_settings_go_with_the_bucket(self):
        bucket = self.new_bucket()
        self.s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        self.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=kms_rule())
        self.s3.delete_bucket(Bucket=bucket)
        self.s3.create_bucket(Bucket=bucket)
        self.assert_s3_error("NoSuchTagSet", 404, self.s3.get_bucket_tagging, Bucket=bucket)
        self.assertEqual(self.s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ServerSideEncryption"], "AES256")

    def test_aws_cli(self):
        bucket = self.new_bucket()
        aws(self.server, "s3api", "put-bucket-tagging", "--bucket", bucket,
            "--tagging", "TagSet=[{Key=owner,Value=ledger}]")
        out = json.loads(aws(self.server, "s3api", "get-bucket-tagging", "--bucket", bucket).stdout)
        self.assertEqual(out["TagSet"], [{"Key": "owner", "Value": "ledger"}])
        aws(self.server, "s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration",
            json.dumps(kms_rule()))
        out = json.loads(aws(self.server, "s3api", "get-bucket-encryption", "--bucket", bucket).stdout)
        self.assertEqual(out["ServerSideEncryptionConfiguration"]["Rules"][0]
                         ["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms")


@requires_process("kills and restarts the server")
class SettingsSurviveKillTest(S3TestCase):
    def test_acknowledged_settings_survive_kill(self):
        bucket = self.new_bucket()
        self.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=kms_rule())
        self.s3.put_bucket_policy(Bucket=bucket, Policy=POLICY)
        self.server.restart(kill=True)
        from s3_helpers import s3_client
        self.s3 = s3_client(self.server)
        self.assertEqual(json.loads(self.s3.get_bucket_policy(Bucket=bucket)["Policy"]), json.loads(POLICY))
        # The default encryption is loaded at startup and applies again.
        self.assertEqual(self.s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ServerSideEncryption"], "aws:kms")


if __name__ == "__main__":
    unittest.main()
