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
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_responses_check import read_error_sample, replay_error, run_checks  # noqa: E402

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
    seen = set()
    for file_name in sorted(f for f in os.listdir(directory) if f.startswith("error.")):
        code, status, body, parsed = read_error_sample(directory, file_name)
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
        replay_error(file_name, code, status, body, client, replay, "get_bucket_tagging", {"Bucket": "photos"},
                     failures)
    missing = sorted(set(ERRORS) - seen)
    if missing:
        failures.append(f"error samples not written by the C++ tests: {missing}")
    return len(seen)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run_checks(sys.argv[1], "S3BucketSettings.*", EXPECTED, PARAMS, check_errors)


if __name__ == "__main__":
    main()
