#!/usr/bin/env python3
"""Cross-check of the bucket setting bodies against botocore (not a registered test).

Runs the C++ tests S3BucketSettings.* with SLUICE_S3_DUMP_DIR set, so that
they write the GetBucketEncryption, GetBucketTagging and GetPublicAccessBlock
bodies they check and the error bodies of the new error codes, then:

  - walks each body against the operation's output shape in botocore's S3
    model (every element a member, scalars of the member's type), with the
    walker of s3_responses_check.py;
  - replays each body through a real boto3 client, so botocore's whole
    response path (RestXMLParser included) runs, and asserts the values a
    boto3 user sees;
  - parses each error body as an S3 error: Code, Message, the BucketName /
    TagKey / TagValue elements, RequestId and HostId in ResponseMetadata.

The expected values below are written independently of the C++ writers.

Usage (from the repository root, after building sluice_s3_tests):
  python3 tests/unit/s3_bucket_settings_check.py build-settings/sluice_s3_tests
"""
import os
import subprocess
import sys
import tempfile

import boto3
import botocore.config
import botocore.parsers
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_responses_check import Replay, check_against_model, compare, method_name  # noqa: E402

PARAMS = {
    "GetBucketEncryption": {"Bucket": "photos"},
    "GetBucketTagging": {"Bucket": "photos"},
    "GetPublicAccessBlock": {"Bucket": "photos"},
}


def encryption(algorithm, bucket_key, key=None):
    default = {"SSEAlgorithm": algorithm}
    if key is not None:
        default["KMSMasterKeyID"] = key
    return {"ServerSideEncryptionConfiguration": {
        "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bucket_key}]}}


def block(acls, ignore, policy, restrict):
    return {"PublicAccessBlockConfiguration": {
        "BlockPublicAcls": acls, "IgnorePublicAcls": ignore, "BlockPublicPolicy": policy,
        "RestrictPublicBuckets": restrict}}


# What a boto3 user gets for each sample (ResponseMetadata aside).
EXPECTED = {
    "GetBucketEncryption.aes256": encryption("AES256", False),
    "GetBucketEncryption.kms": encryption("aws:kms", True, "arn:aws:kms:us-east-1:1:key/a&b"),
    "GetBucketEncryption.dsse": encryption("aws:kms:dsse", False),
    "GetBucketTagging.basic": {"TagSet": [{"Key": "project", "Value": "sluice"},
                                          {"Key": "a<b", "Value": 'c&d"e'}]},
    "GetBucketTagging.empty": {"TagSet": []},
    "GetBucketTagging.unicode": {"TagSet": [{"Key": "caf\u00e9", "Value": "\u20ac 5"},
                                            {"Key": "blank", "Value": ""}]},
    "GetPublicAccessBlock.mixed": block(True, False, False, True),
    "GetPublicAccessBlock.all": block(True, True, True, True),
    "GetPublicAccessBlock.none": block(False, False, False, False),
}

# error.<Code>.<status>.xml -> the Error members boto3 reports besides Code and Message.
ERRORS = {
    "InvalidTag": ({"TagKey": "k", "TagValue": "v" * 257}, "The TagValue you have provided is invalid"),
    "MalformedPolicy": ({}, "Missing required field Statement"),
    "NoSuchBucketPolicy": ({"BucketName": "photos"}, "The bucket policy does not exist"),
    "NoSuchTagSet": ({"BucketName": "photos"}, "The TagSet does not exist"),
    "NoSuchPublicAccessBlockConfiguration": ({"BucketName": "photos"},
                                             "The public access block configuration was not found"),
    "ServerSideEncryptionConfigurationNotFoundError": (
        {"BucketName": "photos"}, "The server side encryption configuration was not found"),
}


def check_errors(directory, client, replay, failures):
    parser = botocore.parsers.create_parser("rest-xml")
    seen = set()
    for file_name in sorted(f for f in os.listdir(directory) if f.startswith("error.")):
        _, code, status, _ = file_name.split(".")
        with open(os.path.join(directory, file_name), "rb") as f:
            body = f.read()
        headers = {"x-amz-request-id": "req", "x-amz-id-2": "host"}
        parsed = parser.parse({"body": body, "headers": headers, "status_code": int(status)}, None)
        error = parsed["Error"]
        if code not in ERRORS:
            failures.append(f"{file_name}: no expectation in this script")
            continue
        seen.add(code)
        extra, message = ERRORS[code]
        expected = dict(extra, Code=code, Message=message)
        if error != expected:
            failures.append(f"{file_name}:\n  got      {error!r}\n  expected {expected!r}")
        if parsed["ResponseMetadata"].get("RequestId") != "req":
            failures.append(f"{file_name}: RequestId not in ResponseMetadata")
        replay.status, replay.headers, replay.body = int(status), {"content-type": "application/xml"}, body
        try:
            client.get_bucket_tagging(Bucket="photos")
            failures.append(f"{file_name}: get_bucket_tagging did not raise")
        except ClientError as e:
            if e.response["Error"]["Code"] != code:
                failures.append(f"{file_name}: client saw {e.response['Error']['Code']!r}")
            if e.response["ResponseMetadata"]["HTTPStatusCode"] != int(status):
                failures.append(f"{file_name}: client saw status {e.response['ResponseMetadata']}")
    missing = sorted(set(ERRORS) - seen)
    if missing:
        failures.append(f"error samples not written by the C++ tests: {missing}")
    return len(seen)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    replay = Replay()
    client = boto3.client(
        "s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:4566",
        aws_access_key_id="x", aws_secret_access_key="x",
        config=botocore.config.Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}))
    client.meta.events.register("before-send.s3.*", replay)
    model = client.meta.service_model
    failures = []
    with tempfile.TemporaryDirectory() as directory:
        result = subprocess.run(
            [sys.argv[1], "--gtest_filter=S3BucketSettings.*"],
            env=dict(os.environ, SLUICE_S3_DUMP_DIR=directory),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            sys.exit("the C++ tests failed:\n" + result.stdout)
        samples = sorted(f[:-4] for f in os.listdir(directory) if not f.startswith("error."))
        for name in samples:
            with open(os.path.join(directory, name + ".xml"), "rb") as f:
                body = f.read()
            if name not in EXPECTED:
                failures.append(f"{name}: no expectation in this script")
                continue
            check_against_model(name, body, model, failures)
            operation = name.split(".")[0]
            replay.status, replay.headers, replay.body = 200, {"content-type": "application/xml"}, body
            try:
                parsed = getattr(client, method_name(operation))(**PARAMS[operation])
            except Exception as e:  # noqa: BLE001 - report any failure to parse
                failures.append(f"{name}: {type(e).__name__}: {e}")
                continue
            compare(name, parsed, EXPECTED[name], failures)
        missing = sorted(set(EXPECTED) - set(samples))
        if missing:
            failures.append(f"samples not written by the C++ tests: {missing}")
        errors = check_errors(directory, client, replay, failures)
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(samples)} response samples, {errors} error samples, {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
