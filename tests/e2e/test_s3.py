"""The S3 REST API over the sink, end to end, with unchanged client code:
boto3 (the current one on PATH, which sends CRC32 checksums in aws-chunked
bodies by default), the aws CLI, presigned URLs and raw HTTP for
virtual-host addressing and error bodies.

Objects written through S3 and by the pipeline's worker are the same
objects: the worker's archive is listed and read back through S3 here.
"""

import base64
import datetime
import hashlib
import json
import os
import shutil
import tempfile
import unittest
import urllib.request
import zlib

import boto3.s3.transfer
import botocore.exceptions

from harness import ServerTestCase, post_json, unique_name, wait_until
from s3_helpers import (MiB, aws, md5_hex, peak_rss_kib, random_bytes, read_file, reset_peak_rss,
                        s3_client, write_file, xml_error)


def bucket_name(prefix="b"):
    return unique_name(prefix).lower().replace("_", "-")[:63]


class S3TestCase(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = s3_client(self.server)
        self.tmp = tempfile.mkdtemp(prefix="sluice-s3-e2e-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def new_bucket(self, prefix="b", **kwargs):
        name = bucket_name(prefix)
        self.s3.create_bucket(Bucket=name, **kwargs)
        return name

    def assert_s3_error(self, code, status, fn, *args, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            fn(*args, **kwargs)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], code, error)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status, error)
        return error


class BucketTest(S3TestCase):
    def test_create_head_locate_list_delete(self):
        plain = self.new_bucket("plain")
        located = self.new_bucket("located", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.s3.head_bucket(Bucket=plain)
        self.assertIsNone(self.s3.get_bucket_location(Bucket=plain)["LocationConstraint"])
        self.assertEqual(self.s3.get_bucket_location(Bucket=located)["LocationConstraint"], "eu-west-1")
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertIn(plain, names)
        self.assertIn(located, names)
        self.assertIn("payments", names)  # the default configuration's bucket
        self.assertEqual(names, sorted(names))
        self.s3.delete_bucket(Bucket=plain)
        self.assert_s3_error("404", 404, self.s3.head_bucket, Bucket=plain)
        self.assert_s3_error("NoSuchBucket", 404, self.s3.get_bucket_location, Bucket=plain)
        self.assertNotIn(plain, [b["Name"] for b in self.s3.list_buckets()["Buckets"]])

    def test_bucket_errors(self):
        name = self.new_bucket()
        # AWS: re-creating a bucket you own is a no-op 200 in us-east-1 (legacy),
        # BucketAlreadyOwnedByYou everywhere else.
        self.s3.create_bucket(Bucket=name)
        located = self.new_bucket(CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assert_s3_error("BucketAlreadyOwnedByYou", 409, self.s3.create_bucket, Bucket=located,
                             CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.s3.put_object(Bucket=name, Key="k", Body=b"x")
        self.assert_s3_error("BucketNotEmpty", 409, self.s3.delete_bucket, Bucket=name)
        self.s3.head_object(Bucket=name, Key="k")  # nothing was removed
        self.assert_s3_error("NoSuchBucket", 404, self.s3.delete_bucket, Bucket=bucket_name("missing"))
        for bad in ("ab", "Upper-Case", "under_score", "-leading", "a..b", "192.168.1.1", "x" * 64):
            status, _, body = self.server.raw_request("PUT", "/" + bad)
            self.assertEqual(status, 400, bad)
            code, fields = xml_error(body)
            self.assertEqual(code, "InvalidBucketName", (bad, body))
            self.assertEqual(fields.get("BucketName"), bad)

    def test_multipart_upload_blocks_bucket_delete(self):
        name = self.new_bucket()
        upload = self.s3.create_multipart_upload(Bucket=name, Key="big")["UploadId"]
        self.assert_s3_error("BucketNotEmpty", 409, self.s3.delete_bucket, Bucket=name)
        self.s3.abort_multipart_upload(Bucket=name, Key="big", UploadId=upload)
        self.s3.delete_bucket(Bucket=name)


class ObjectTest(S3TestCase):
    def test_put_get_head_with_metadata(self):
        bucket = self.new_bucket()
        body = random_bytes(100_000, seed=1)
        put = self.s3.put_object(Bucket=bucket, Key="dir/a b+ü.bin", Body=body, ContentType="application/x-test",
                                 Metadata={"Trace-Id": "t-1", "owner": "payments"},
                                 CacheControl="no-cache", ContentDisposition="attachment")
        self.assertEqual(put["ETag"], '"%s"' % md5_hex(body))
        got = self.s3.get_object(Bucket=bucket, Key="dir/a b+ü.bin")
        self.assertEqual(got["Body"].read(), body)
        self.assertEqual(got["ETag"], put["ETag"])
        self.assertEqual(got["ContentType"], "application/x-test")
        self.assertEqual(got["ContentLength"], len(body))
        self.assertEqual(got["Metadata"], {"trace-id": "t-1", "owner": "payments"})
        self.assertEqual(got["CacheControl"], "no-cache")
        self.assertEqual(got["ContentDisposition"], "attachment")
        head = self.s3.head_object(Bucket=bucket, Key="dir/a b+ü.bin")
        self.assertEqual(head["ContentLength"], len(body))
        self.assertEqual(head["ETag"], put["ETag"])
        age = datetime.datetime.now(datetime.timezone.utc) - head["LastModified"]
        self.assertLess(abs(age.total_seconds()), 120)

    def test_empty_object_and_overwrite(self):
        bucket = self.new_bucket()
        self.s3.put_object(Bucket=bucket, Key="k", Body=b"")
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"")
        self.s3.put_object(Bucket=bucket, Key="k", Body=b"second")
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"second")
        listed = self.s3.list_objects_v2(Bucket=bucket)["Contents"]
        self.assertEqual([(o["Key"], o["Size"]) for o in listed], [("k", 6)])

    def test_missing_key_and_bucket(self):
        bucket = self.new_bucket()
        error = self.assert_s3_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="nope/x")
        self.assertEqual(error["Error"].get("Key"), "nope/x")
        self.assert_s3_error("404", 404, self.s3.head_object, Bucket=bucket, Key="nope")
        self.assert_s3_error("NoSuchBucket", 404, self.s3.put_object, Bucket=bucket_name("gone"), Key="k", Body=b"x")
        # The raw error body has S3's shape.
        status, headers, body = self.server.raw_request("GET", "/%s/nope%%2Fx" % bucket)
        self.assertEqual(status, 404)
        self.assertIn("xml", headers.get("content-type", ""))
        code, fields = xml_error(body)
        self.assertEqual(code, "NoSuchKey")
        self.assertEqual(fields["Key"], "nope/x")
        self.assertTrue(fields["Message"])
        self.assertTrue(fields["RequestId"])

    def test_ranges(self):
        bucket = self.new_bucket()
        body = random_bytes(200_000, seed=2)
        self.s3.put_object(Bucket=bucket, Key="r", Body=body)
        cases = {"bytes=0-9": body[0:10], "bytes=-5": body[-5:], "bytes=199990-": body[199990:],
                 "bytes=65530-65545": body[65530:65546], "bytes=100-999999": body[100:]}
        for spec, expected in cases.items():
            got = self.s3.get_object(Bucket=bucket, Key="r", Range=spec)
            self.assertEqual(got["Body"].read(), expected, spec)
            self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 206, spec)
            first = len(body) - len(expected) if spec.startswith("bytes=-") else int(spec[6:].split("-")[0])
            self.assertEqual(got["ContentRange"], "bytes %d-%d/%d" % (first, first + len(expected) - 1, len(body)))
        error = self.assert_s3_error("InvalidRange", 416, self.s3.get_object, Bucket=bucket, Key="r",
                                     Range="bytes=200000-")
        self.assertEqual(error["ResponseMetadata"]["HTTPHeaders"].get("content-range"), "bytes */200000")

    def test_conditional_get(self):
        bucket = self.new_bucket()
        etag = self.s3.put_object(Bucket=bucket, Key="c", Body=b"conditional")["ETag"]
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read(), b"conditional")
        self.assert_s3_error("PreconditionFailed", 412, self.s3.get_object, Bucket=bucket, Key="c",
                             IfMatch='"0123"')
        self.assert_s3_error("304", 304, self.s3.get_object, Bucket=bucket, Key="c", IfNoneMatch=etag)
        modified = self.s3.head_object(Bucket=bucket, Key="c")["LastModified"]
        past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        self.assert_s3_error("304", 304, self.s3.get_object, Bucket=bucket, Key="c", IfModifiedSince=modified)
        # A date in the future is invalid and ignored (RFC 9110 13.1.3), as S3 does.
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=future)["Body"].read(),
                         b"conditional")
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=past)["Body"].read(),
                         b"conditional")
        self.assert_s3_error("PreconditionFailed", 412, self.s3.get_object, Bucket=bucket, Key="c",
                             IfUnmodifiedSince=past)
        # Conditional writes: If-None-Match: * refuses an existing key.
        self.assert_s3_error("PreconditionFailed", 412, self.s3.put_object, Bucket=bucket, Key="c", Body=b"x",
                             IfNoneMatch="*")
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="c")["Body"].read(), b"conditional")

    def test_content_md5_and_checksums(self):
        bucket = self.new_bucket()
        body = b"payment batch 42\n" * 1000
        good = base64.b64encode(hashlib.md5(body).digest()).decode()
        self.s3.put_object(Bucket=bucket, Key="md5", Body=body, ContentMD5=good)
        wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
        self.assert_s3_error("BadDigest", 400, self.s3.put_object, Bucket=bucket, Key="bad", Body=body,
                             ContentMD5=wrong)
        self.assert_s3_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="bad")
        crc32 = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
        sha256 = base64.b64encode(hashlib.sha256(body).digest()).decode()
        # (CRC32C and CRC64NVME need botocore[crt], which the machines lack; the
        # unit tests check them against botocore's CRT fixtures.)
        for algorithm, expected in (("CRC32", crc32), ("SHA256", sha256), ("SHA1", None)):
            put = self.s3.put_object(Bucket=bucket, Key="sum-" + algorithm, Body=body,
                                     ChecksumAlgorithm=algorithm)
            sent = put["Checksum" + algorithm]
            if expected:
                self.assertEqual(sent, expected, algorithm)
            head = self.s3.head_object(Bucket=bucket, Key="sum-" + algorithm, ChecksumMode="ENABLED")
            self.assertEqual(head["Checksum" + algorithm], sent, algorithm)
            got = self.s3.get_object(Bucket=bucket, Key="sum-" + algorithm, ChecksumMode="ENABLED")
            self.assertEqual(got["Body"].read(), body)
        # A checksum that does not match the body is refused and stores nothing.
        self.assert_s3_error("BadDigest", 400, self.s3.put_object, Bucket=bucket, Key="bad-crc", Body=body,
                             ChecksumCRC32="AAAAAA==")
        self.assert_s3_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket,
                             Key="bad-crc")

    def aws_chunked_put(self, bucket, key, data, signed, trailer_value=None, pieces=3):
        """PUTs `data` in Content-Encoding: aws-chunked framing as the SDKs send
        it: signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, the Java SDK
        v2 over http) or unsigned chunks with a CRC32 trailer
        (STREAMING-UNSIGNED-PAYLOAD-TRAILER, botocore over https)."""
        size = max(1, (len(data) + pieces - 1) // pieces)
        chunks = [data[i:i + size] for i in range(0, len(data), size)] + [b""]
        body = b""
        for chunk in chunks:
            extension = (";chunk-signature=" + "0" * 64) if signed else ""
            body += b"%x%s\r\n%s\r\n" % (len(chunk), extension.encode(), chunk)
        headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
                   "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                                    "SignedHeaders=host, Signature=" + "0" * 64}
        if signed:
            headers["x-amz-content-sha256"] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        else:
            headers["x-amz-content-sha256"] = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
            headers["x-amz-trailer"] = "x-amz-checksum-crc32"
            body = body[:-2]  # the final chunk's CRLF is replaced by the trailer section
            if trailer_value is None:
                trailer_value = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
            body += b"x-amz-checksum-crc32:%s\r\n\r\n" % trailer_value.encode()
        return self.server.raw_request("PUT", "/%s/%s" % (bucket, key), body=body, headers=headers)

    def test_aws_chunked_bodies(self):
        bucket = self.new_bucket()
        data = random_bytes(300_000, seed=9)
        status, headers, body = self.aws_chunked_put(bucket, "signed", data, signed=True)
        self.assertEqual(status, 200, body)
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="signed")["Body"].read(), data)
        status, headers, body = self.aws_chunked_put(bucket, "trailer", data, signed=False)
        self.assertEqual(status, 200, body)
        crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        self.assertEqual(headers.get("x-amz-checksum-crc32"), crc)
        got = self.s3.get_object(Bucket=bucket, Key="trailer", ChecksumMode="ENABLED")
        self.assertEqual(got["Body"].read(), data)  # botocore validates the CRC32 it is sent
        self.assertEqual(got["ChecksumCRC32"], crc)
        head = self.s3.head_object(Bucket=bucket, Key="trailer")
        self.assertNotIn("ContentEncoding", head)  # aws-chunked is framing, not the object's encoding
        # A wrong trailer checksum stores nothing.
        status, _, body = self.aws_chunked_put(bucket, "bad-trailer", data, signed=False, trailer_value="AAAAAA==")
        self.assertEqual((status, xml_error(body)[0]), (400, "BadDigest"))
        self.assert_s3_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="bad-trailer")
        # Broken framing: a chunk shorter than announced.
        status, _, body = self.server.raw_request(
            "PUT", "/%s/broken" % bucket, body=b"10\r\nshort\r\n0\r\n\r\n",
            headers={"Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                     "x-amz-decoded-content-length": "16"})
        self.assertEqual(status, 400)
        self.assertIn(xml_error(body)[0], ("IncompleteBody", "InvalidRequest"))
        self.assert_s3_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="broken")

    def test_sse_headers_echoed(self):
        bucket = self.new_bucket()
        put = self.s3.put_object(Bucket=bucket, Key="kms", Body=b"secret", ServerSideEncryption="aws:kms",
                                 SSEKMSKeyId="alias/payments")
        self.assertEqual(put["ServerSideEncryption"], "aws:kms")
        self.assertEqual(put["SSEKMSKeyId"], "alias/payments")
        got = self.s3.get_object(Bucket=bucket, Key="kms")
        self.assertEqual(got["ServerSideEncryption"], "aws:kms")
        self.assertEqual(got["SSEKMSKeyId"], "alias/payments")
        put = self.s3.put_object(Bucket=bucket, Key="aes", Body=b"x", ServerSideEncryption="AES256")
        self.assertEqual(put["ServerSideEncryption"], "AES256")
        # Encrypted at rest whatever was asked: no plaintext in the data dir.
        self.s3.put_object(Bucket=bucket, Key="plain", Body=b"NEEDLE-in-the-sink-0123456789")
        for root, _, files in os.walk(self.server.data_dir):
            for name in files:
                if name.endswith(".sealed"):
                    self.assertNotIn(b"NEEDLE-in-the-sink", read_file(os.path.join(root, name)))

    def test_key_too_long(self):
        bucket = self.new_bucket()
        self.assert_s3_error("KeyTooLongError", 400, self.s3.put_object, Bucket=bucket, Key="k/" * 512 + "k",
                             Body=b"x")
        self.s3.put_object(Bucket=bucket, Key="k/" * 511 + "kk", Body=b"x")  # 1024 bytes
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="k/" * 511 + "kk")["Body"].read(), b"x")

    def test_delete_and_delete_objects(self):
        bucket = self.new_bucket()
        for i in range(5):
            self.s3.put_object(Bucket=bucket, Key="d/%d" % i, Body=b"x")
        self.s3.delete_object(Bucket=bucket, Key="d/0")
        self.s3.delete_object(Bucket=bucket, Key="d/never-existed")  # idempotent, 204
        verbose = self.s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d/1"}, {"Key": "d/2"},
                                                                            {"Key": "d/missing"}]})
        self.assertEqual(sorted(d["Key"] for d in verbose["Deleted"]), ["d/1", "d/2", "d/missing"])
        quiet = self.s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d/3"}], "Quiet": True})
        self.assertNotIn("Deleted", quiet)
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        self.assertEqual(keys, ["d/4"])

    def test_copy_object(self):
        bucket = self.new_bucket()
        other = self.new_bucket()
        body = random_bytes(70_000, seed=3)
        self.s3.put_object(Bucket=bucket, Key="src", Body=body, ContentType="text/csv", Metadata={"a": "1"})
        copied = self.s3.copy_object(Bucket=other, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
        self.assertEqual(copied["CopyObjectResult"]["ETag"], '"%s"' % md5_hex(body))
        got = self.s3.get_object(Bucket=other, Key="dst")
        self.assertEqual(got["Body"].read(), body)
        self.assertEqual(got["ContentType"], "text/csv")
        self.assertEqual(got["Metadata"], {"a": "1"})
        self.s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"},
                            MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="text/plain")
        head = self.s3.head_object(Bucket=bucket, Key="src")
        self.assertEqual(head["Metadata"], {"b": "2"})
        self.assertEqual(head["ContentType"], "text/plain")
        self.assert_s3_error("NoSuchKey", 404, self.s3.copy_object, Bucket=bucket, Key="x",
                             CopySource={"Bucket": bucket, "Key": "missing"})
        self.assert_s3_error("PreconditionFailed", 412, self.s3.copy_object, Bucket=bucket, Key="x",
                             CopySource={"Bucket": bucket, "Key": "src"}, CopySourceIfMatch='"abc"')

    def test_presigned_get(self):
        bucket = self.new_bucket()
        self.s3.put_object(Bucket=bucket, Key="shared/report.csv", Body=b"id,amount\n1,10\n")
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared/report.csv"},
                                             ExpiresIn=300)
        with urllib.request.urlopen(url, timeout=10) as response:
            self.assertEqual(response.status, 200)
            self.assertEqual(response.read(), b"id,amount\n1,10\n")

    def test_virtual_host_addressing(self):
        bucket = self.new_bucket()
        port = self.server.port
        status, headers, _ = self.server.raw_request(
            "PUT", "/vh/key.txt", body=b"virtual", headers={"Host": "%s.localhost:%d" % (bucket, port)})
        self.assertEqual(status, 200)
        self.assertEqual(headers["etag"], '"%s"' % md5_hex(b"virtual"))
        status, _, body = self.server.raw_request(
            "GET", "/vh/key.txt", headers={"Host": "%s.s3.localhost.localstack.cloud:%d" % (bucket, port)})
        self.assertEqual((status, body), (200, b"virtual"))
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="vh/key.txt")["Body"].read(), b"virtual")
        status, _, body = self.server.raw_request("GET", "/?list-type=2",
                                                  headers={"Host": "%s.localhost:%d" % (bucket, port)})
        self.assertEqual(status, 200)
        self.assertIn(b"<Key>vh/key.txt</Key>", body)

    def test_expect_100_continue_refused_early(self):
        # A PUT to a missing bucket is answered before the body is sent.
        missing = bucket_name("nobucket")
        status, _, body = self.server.raw_request(
            "PUT", "/%s/k" % missing, body=b"x" * 1000, headers={"Expect": "100-continue"})
        self.assertEqual(status, 404)
        self.assertEqual(xml_error(body)[0], "NoSuchBucket")

    def test_not_implemented_subresource(self):
        bucket = self.new_bucket()
        status, _, body = self.server.raw_request("PUT", "/%s?cors" % bucket, body=b"<CORSConfiguration/>")
        self.assertEqual(status, 501)
        code, fields = xml_error(body)
        self.assertEqual(code, "NotImplemented")
        self.assertIn("PutBucketCors", fields["Message"])


class ListTest(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        client = s3_client(cls.server)
        cls.bucket = bucket_name("list")
        client.create_bucket(Bucket=cls.bucket)
        cls.keys = sorted(["a/1", "a/2", "a/b/3", "b/1", "c", "d e/ü", "z/%d" % 9] +
                          ["many/%03d" % i for i in range(25)])
        for key in cls.keys:
            client.put_object(Bucket=cls.bucket, Key=key, Body=key.encode())

    def test_v2_everything(self):
        listed = self.s3.list_objects_v2(Bucket=self.bucket)
        self.assertEqual([o["Key"] for o in listed["Contents"]], self.keys)
        self.assertEqual(listed["KeyCount"], len(self.keys))
        self.assertFalse(listed["IsTruncated"])
        first = listed["Contents"][0]
        self.assertEqual(first["Size"], len(first["Key"].encode()))
        self.assertEqual(first["ETag"], '"%s"' % md5_hex(first["Key"].encode()))

    def test_v2_delimiter_and_prefix(self):
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Delimiter="/")
        self.assertEqual([p["Prefix"] for p in listed["CommonPrefixes"]], ["a/", "b/", "d e/", "many/", "z/"])
        self.assertEqual([o["Key"] for o in listed["Contents"]], ["c"])
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="a/", Delimiter="/")
        self.assertEqual([o["Key"] for o in listed["Contents"]], ["a/1", "a/2"])
        self.assertEqual([p["Prefix"] for p in listed["CommonPrefixes"]], ["a/b/"])

    def test_v2_paging(self):
        seen, token, pages = [], None, 0
        while True:
            kwargs = {"ContinuationToken": token} if token else {}
            page = self.s3.list_objects_v2(Bucket=self.bucket, MaxKeys=7, **kwargs)
            pages += 1
            seen += [o["Key"] for o in page.get("Contents", [])]
            self.assertLessEqual(page["KeyCount"], 7)
            if not page["IsTruncated"]:
                break
            token = page["NextContinuationToken"]
        self.assertEqual(seen, self.keys)
        self.assertEqual(pages, (len(self.keys) + 6) // 7)
        # Paging with a delimiter counts each common prefix once.
        paginator = self.s3.get_paginator("list_objects_v2")
        prefixes = []
        for page in paginator.paginate(Bucket=self.bucket, Delimiter="/", PaginationConfig={"PageSize": 2}):
            prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        self.assertEqual(prefixes, ["a/", "b/", "d e/", "many/", "z/"])

    def test_v2_start_after_fetch_owner_max_keys_zero(self):
        listed = self.s3.list_objects_v2(Bucket=self.bucket, StartAfter="many/020", FetchOwner=True)
        self.assertEqual([o["Key"] for o in listed["Contents"]], [k for k in self.keys if k > "many/020"])
        self.assertIn("Owner", listed["Contents"][0])
        self.assertNotIn("Owner", self.s3.list_objects_v2(Bucket=self.bucket)["Contents"][0])
        empty = self.s3.list_objects_v2(Bucket=self.bucket, MaxKeys=0)
        self.assertEqual(empty["KeyCount"], 0)
        self.assertNotIn("Contents", empty)
        self.assert_s3_error("InvalidArgument", 400, self.s3.list_objects_v2, Bucket=self.bucket,
                             ContinuationToken="!!not-a-token!!")

    def test_v1_marker_paging(self):
        seen, marker = [], ""
        while True:
            page = self.s3.list_objects(Bucket=self.bucket, MaxKeys=10, Marker=marker)
            keys = [o["Key"] for o in page.get("Contents", [])]
            seen += keys
            if not page["IsTruncated"]:
                break
            marker = keys[-1]
        self.assertEqual(seen, self.keys)
        delimited = self.s3.list_objects(Bucket=self.bucket, Delimiter="/", MaxKeys=2)
        self.assertTrue(delimited["IsTruncated"])
        self.assertEqual(delimited["NextMarker"], "b/")

    def test_missing_bucket(self):
        self.assert_s3_error("NoSuchBucket", 404, self.s3.list_objects_v2, Bucket=bucket_name("none"))


class MultipartTest(S3TestCase):
    def test_upload_and_download_file(self):
        bucket = self.new_bucket()
        data = random_bytes(13 * MiB + 12345, seed=4)
        source = os.path.join(self.tmp, "source.bin")
        write_file(source, data)
        config = boto3.s3.transfer.TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB,
                                                  max_concurrency=4)
        self.s3.upload_file(source, bucket, "uploads/source.bin", Config=config)
        head = self.s3.head_object(Bucket=bucket, Key="uploads/source.bin")
        self.assertEqual(head["ContentLength"], len(data))
        self.assertTrue(head["ETag"].endswith('-3"'), head["ETag"])
        parts = [hashlib.md5(data[i:i + 5 * MiB]).digest() for i in range(0, len(data), 5 * MiB)]
        self.assertEqual(head["ETag"], '"%s-3"' % hashlib.md5(b"".join(parts)).hexdigest())
        target = os.path.join(self.tmp, "target.bin")
        self.s3.download_file(bucket, "uploads/source.bin", target, Config=config)
        self.assertEqual(hashlib.sha256(read_file(target)).hexdigest(), hashlib.sha256(data).hexdigest())
        self.assertEqual(self.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []), [])

    def test_part_errors_list_and_abort(self):
        bucket = self.new_bucket()
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key="m", ContentType="text/csv",
                                                 Metadata={"batch": "7"})["UploadId"]
        big = random_bytes(5 * MiB, seed=5)
        e1 = self.s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, Body=big)["ETag"]
        e2 = self.s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=2, Body=b"tiny")["ETag"]
        e3 = self.s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=3, Body=b"last")["ETag"]
        e5 = self.s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=5, Body=big)["ETag"]
        listed = self.s3.list_parts(Bucket=bucket, Key="m", UploadId=upload)
        self.assertEqual([(p["PartNumber"], p["ETag"], p["Size"]) for p in listed["Parts"]],
                         [(1, e1, len(big)), (2, e2, 4), (3, e3, 4), (5, e5, len(big))])
        paged = self.s3.list_parts(Bucket=bucket, Key="m", UploadId=upload, MaxParts=2)
        self.assertTrue(paged["IsTruncated"])
        self.assertEqual(paged["NextPartNumberMarker"], 2)
        uploads = self.s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
        self.assertEqual([(u["Key"], u["UploadId"]) for u in uploads], [("m", upload)])
        # Not visible until completed.
        self.assert_s3_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="m")

        def complete(parts):
            return self.s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload,
                                                     MultipartUpload={"Parts": parts})
        self.assert_s3_error("InvalidPart", 400, complete, [{"PartNumber": 1, "ETag": e1},
                                                            {"PartNumber": 4, "ETag": e3}])
        self.assert_s3_error("InvalidPart", 400, complete, [{"PartNumber": 1, "ETag": '"%s"' % ("0" * 32)}])
        self.assert_s3_error("InvalidPartOrder", 400, complete, [{"PartNumber": 5, "ETag": e5},
                                                                 {"PartNumber": 1, "ETag": e1}])
        self.assert_s3_error("EntityTooSmall", 400, complete, [{"PartNumber": 1, "ETag": e1},
                                                               {"PartNumber": 2, "ETag": e2},
                                                               {"PartNumber": 3, "ETag": e3}])
        # Skipping part 2 is allowed: 1 (5 MiB) then 3 (the last).
        done = complete([{"PartNumber": 1, "ETag": e1}, {"PartNumber": 3, "ETag": e3}])
        self.assertTrue(done["ETag"].endswith('-2"'))
        got = self.s3.get_object(Bucket=bucket, Key="m")
        self.assertEqual(got["Body"].read(), big + b"last")
        self.assertEqual(got["ContentType"], "text/csv")
        self.assertEqual(got["Metadata"], {"batch": "7"})
        self.assert_s3_error("NoSuchUpload", 404, self.s3.list_parts, Bucket=bucket, Key="m", UploadId=upload)

        aborted = self.s3.create_multipart_upload(Bucket=bucket, Key="gone")["UploadId"]
        self.s3.upload_part(Bucket=bucket, Key="gone", UploadId=aborted, PartNumber=1, Body=b"x")
        self.s3.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=aborted)
        self.assert_s3_error("NoSuchUpload", 404, self.s3.upload_part, Bucket=bucket, Key="gone",
                             UploadId=aborted, PartNumber=2, Body=b"y")
        self.assert_s3_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="gone")

    def test_composite_checksum(self):
        bucket = self.new_bucket()
        parts_data = [random_bytes(5 * MiB, seed=10), b"tail of the upload"]
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key="summed", ChecksumAlgorithm="CRC32")
        self.assertEqual(upload.get("ChecksumAlgorithm"), "CRC32")
        parts = []
        for number, data in enumerate(parts_data, start=1):
            sent = self.s3.upload_part(Bucket=bucket, Key="summed", UploadId=upload["UploadId"], PartNumber=number,
                                       Body=data, ChecksumAlgorithm="CRC32")
            crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
            self.assertEqual(sent["ChecksumCRC32"], crc)
            parts.append({"PartNumber": number, "ETag": sent["ETag"], "ChecksumCRC32": crc})
        # A completion naming another checksum for a part is refused and
        # leaves the upload to be completed right.
        wrong = [dict(parts[0], ChecksumCRC32="AAAAAA=="), parts[1]]
        self.assert_s3_error("InvalidPart", 400, self.s3.complete_multipart_upload, Bucket=bucket,
                             Key="summed", UploadId=upload["UploadId"], MultipartUpload={"Parts": wrong})
        self.assert_s3_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="summed")
        self.s3.complete_multipart_upload(Bucket=bucket, Key="summed", UploadId=upload["UploadId"],
                                          MultipartUpload={"Parts": parts})
        binary = b"".join(zlib.crc32(data).to_bytes(4, "big") for data in parts_data)
        composite = base64.b64encode(zlib.crc32(binary).to_bytes(4, "big")).decode() + "-2"
        head = self.s3.head_object(Bucket=bucket, Key="summed", ChecksumMode="ENABLED")
        self.assertEqual(head["ChecksumCRC32"], composite)
        self.assertEqual(head.get("ChecksumType"), "COMPOSITE")
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="summed")["Body"].read(), b"".join(parts_data))

    def test_upload_part_copy(self):
        bucket = self.new_bucket()
        source = random_bytes(6 * MiB, seed=6)
        self.s3.put_object(Bucket=bucket, Key="source", Body=source)
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
        p1 = self.s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload, PartNumber=1,
                                      CopySource={"Bucket": bucket, "Key": "source"})["CopyPartResult"]["ETag"]
        p2 = self.s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload, PartNumber=2,
                                      CopySource={"Bucket": bucket, "Key": "source"},
                                      CopySourceRange="bytes=10-19")["CopyPartResult"]["ETag"]
        self.assertEqual(p2, '"%s"' % md5_hex(source[10:20]))
        self.s3.complete_multipart_upload(Bucket=bucket, Key="assembled", UploadId=upload,
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p1},
                                                                     {"PartNumber": 2, "ETag": p2}]})
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="assembled")["Body"].read(), source + source[10:20])


class CliTest(S3TestCase):
    def test_cp_ls_sync_rm(self):
        bucket = self.new_bucket("cli")
        local = os.path.join(self.tmp, "up")
        os.makedirs(os.path.join(local, "nested"))
        files = {"one.txt": b"one\n", "nested/two.json": b'{"two":2}', "big.bin": random_bytes(9 * MiB, seed=7)}
        for name, data in files.items():
            write_file(os.path.join(local, name), data)
        aws(self.server, "s3", "cp", os.path.join(local, "one.txt"), "s3://%s/single/one.txt" % bucket)
        aws(self.server, "s3", "sync", local, "s3://%s/synced" % bucket)
        listing = aws(self.server, "s3", "ls", "s3://%s/" % bucket, "--recursive").stdout
        for expected in ("single/one.txt", "synced/one.txt", "synced/nested/two.json", "synced/big.bin"):
            self.assertIn(expected, listing)
        down = os.path.join(self.tmp, "down")
        aws(self.server, "s3", "sync", "s3://%s/synced" % bucket, down)
        for name, data in files.items():
            self.assertEqual(read_file(os.path.join(down, name)), data, name)
        # A second sync has nothing to do.
        again = aws(self.server, "s3", "sync", local, "s3://%s/synced" % bucket).stdout
        self.assertNotIn("upload:", again)
        aws(self.server, "s3", "cp", "s3://%s/single/one.txt" % bucket, os.path.join(self.tmp, "copy.txt"))
        self.assertEqual(read_file(os.path.join(self.tmp, "copy.txt")), b"one\n")
        aws(self.server, "s3", "rm", "s3://%s/" % bucket, "--recursive")
        self.assertEqual(aws(self.server, "s3", "ls", "s3://%s/" % bucket, "--recursive", check=False).stdout, "")
        aws(self.server, "s3", "rb", "s3://%s" % bucket)


class PipelineThroughS3Test(S3TestCase):
    def test_worker_archive_is_listed_and_read_through_s3(self):
        payment_id = "pay-s3-%s" % unique_name("p")
        status, _, _ = post_json(self.server, "/payments", {"payment_id": payment_id, "amount": 1250})
        self.assertIn(status, (200, 201, 202))

        def archived():
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket="payments", Prefix="raw/"):
                for obj in page.get("Contents", []):
                    body = self.s3.get_object(Bucket="payments", Key=obj["Key"])["Body"].read()
                    if json.loads(body).get("payment_id") == payment_id:
                        return obj["Key"]
            return None
        key = wait_until(archived, timeout=20, interval=0.2, message="archived payment")
        today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
        self.assertTrue(key.startswith("raw/dt=%s/" % today), key)
        listing = aws(self.server, "s3", "ls", "s3://payments/raw/", "--recursive").stdout
        self.assertIn(key, listing)
        # The ingest route still owns POST /payments while S3 owns the bucket.
        self.s3.head_bucket(Bucket="payments")


class CrashAndMemoryTest(S3TestCase):
    """Owns its server: it is killed and restarted."""

    def test_kill_during_multipart_then_complete_or_abort(self):
        bucket = self.new_bucket()
        part = random_bytes(5 * MiB, seed=8)
        kept = self.s3.create_multipart_upload(Bucket=bucket, Key="kept")["UploadId"]
        dropped = self.s3.create_multipart_upload(Bucket=bucket, Key="dropped")["UploadId"]
        e1 = self.s3.upload_part(Bucket=bucket, Key="kept", UploadId=kept, PartNumber=1, Body=part)["ETag"]
        self.s3.upload_part(Bucket=bucket, Key="dropped", UploadId=dropped, PartNumber=1, Body=b"d")
        self.server.restart(kill=True)
        self.s3 = s3_client(self.server)
        self.assertEqual(sorted(u["UploadId"] for u in self.s3.list_multipart_uploads(Bucket=bucket)["Uploads"]),
                         sorted([kept, dropped]))
        self.assert_s3_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="kept")
        listed = self.s3.list_parts(Bucket=bucket, Key="kept", UploadId=kept)["Parts"]
        self.assertEqual([(p["PartNumber"], p["ETag"]) for p in listed], [(1, e1)])
        e2 = self.s3.upload_part(Bucket=bucket, Key="kept", UploadId=kept, PartNumber=2, Body=b"tail")["ETag"]
        self.s3.complete_multipart_upload(Bucket=bucket, Key="kept", UploadId=kept,
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1},
                                                                     {"PartNumber": 2, "ETag": e2}]})
        self.assertEqual(self.s3.get_object(Bucket=bucket, Key="kept")["Body"].read(), part + b"tail")
        self.s3.abort_multipart_upload(Bucket=bucket, Key="dropped", UploadId=dropped)
        self.assertEqual(self.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []), [])
        self.assertEqual([o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket)["Contents"]], ["kept"])

    def test_acknowledged_put_survives_kill(self):
        bucket = self.new_bucket()
        bodies = {"k%d" % i: random_bytes(1000 + i, seed=100 + i) for i in range(20)}
        for key, body in bodies.items():
            self.s3.put_object(Bucket=bucket, Key=key, Body=body)
        self.server.restart(kill=True)
        self.s3 = s3_client(self.server)
        for key, body in bodies.items():
            self.assertEqual(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read(), body, key)

    def test_large_object_streams_with_bounded_memory(self):
        bucket = self.new_bucket()
        size = 256 * MiB
        source = os.path.join(self.tmp, "large.bin")
        with open(source, "wb") as f:
            for i in range(size // (16 * MiB)):
                f.write(random_bytes(16 * MiB, seed=200 + i))
        pid = self.server.proc.pid
        reset_peak_rss(pid)
        before = peak_rss_kib(pid)
        with open(source, "rb") as f:  # one PutObject, streamed (no multipart)
            self.s3.put_object(Bucket=bucket, Key="large", Body=f)
        target = os.path.join(self.tmp, "large.out")
        got = self.s3.get_object(Bucket=bucket, Key="large")
        digest = hashlib.sha256()
        with open(target, "wb") as out:
            for chunk in got["Body"].iter_chunks(1 * MiB):
                digest.update(chunk)
        with open(source, "rb") as f:
            expected = hashlib.sha256()
            for block in iter(lambda: f.read(16 * MiB), b""):
                expected.update(block)
        self.assertEqual(digest.hexdigest(), expected.hexdigest())
        growth_mib = (peak_rss_kib(pid) - before) / 1024
        # 256 MiB went through the server both ways; it must not have held it.
        self.assertLess(growth_mib, 64, "peak RSS grew by %.1f MiB" % growth_mib)


if __name__ == "__main__":
    unittest.main()
