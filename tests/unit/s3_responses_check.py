#!/usr/bin/env python3
"""Cross-check of the S3 response and error bodies against botocore (not a registered test).

Runs the C++ tests S3Responses.* and S3Errors.* with SLUICE_S3_DUMP_DIR set,
so that they write every XML body they check, then:

  - walks each body against the operation's output shape in botocore's S3
    model: every element must be a member (botocore silently drops unknown
    elements), scalars must convert to the member's type;
  - replays each body through a real boto3 client (a before-send hook
    answers the request with the dumped bytes), so botocore's whole
    response path runs: RestXMLParser, the GetBucketLocation handler, the
    encoding-type=url decoding of ListObjects/ListObjectsV2, modeled
    exceptions; and asserts the values a boto3 user sees;
  - checks every error body as an S3 error (RestXMLParser's
    _parse_error_from_body): Code, Message, the resource elements, and that
    RequestId/HostId land in ResponseMetadata, not in Error.

The expected values below are written independently of the C++ writers.

Usage (from the repository root, after building sluice_s3_tests):
  python3 tests/unit/s3_responses_check.py build-s3b/sluice_s3_tests
"""
import datetime
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

import boto3
import botocore.awsrequest
import botocore.config
import botocore.parsers
from botocore.exceptions import ClientError

UTC = datetime.timezone.utc
T1 = datetime.datetime(2026, 1, 15, 10, 0, 0, 123000, tzinfo=UTC)
T2 = datetime.datetime(2026, 1, 15, 11, 0, 0, tzinfo=UTC)
ETAG = '"9b2cf535f27731c974343645a3985328"'
OWNER_ID = "0f5aec3c8edf964bb5260e4ae806d31feaab06f39a65ddba9d86e499bfae8476"
OWNER = {"ID": OWNER_ID, "DisplayName": "sluice"}

# Parameters that get each operation past boto3's client-side validation.
PARAMS = {
    "ListBuckets": {},
    "ListObjects": {"Bucket": "photos"},
    "ListObjectsV2": {"Bucket": "photos"},
    "GetBucketLocation": {"Bucket": "photos"},
    "CopyObject": {"Bucket": "photos", "Key": "k", "CopySource": "photos/src"},
    "UploadPartCopy": {"Bucket": "photos", "Key": "k", "CopySource": "photos/src", "PartNumber": 1,
                       "UploadId": "u"},
    "CreateMultipartUpload": {"Bucket": "photos", "Key": "big/file.bin"},
    "CompleteMultipartUpload": {"Bucket": "photos", "Key": "big/file.bin", "UploadId": "upload-123",
                                "MultipartUpload": {"Parts": [{"ETag": "x", "PartNumber": 1}]}},
    "ListParts": {"Bucket": "photos", "Key": "big/file.bin", "UploadId": "upload-123"},
    "ListMultipartUploads": {"Bucket": "photos"},
    "DeleteObjects": {"Bucket": "photos", "Delete": {"Objects": [{"Key": "a"}]}},
    "GetBucketVersioning": {"Bucket": "photos"},
    "GetObjectTagging": {"Bucket": "photos", "Key": "k"},
    "GetBucketAcl": {"Bucket": "photos"},
}


def contents(key, size, **extra):
    entry = {"Key": key, "LastModified": T1, "ETag": ETAG, "Size": size, "StorageClass": "STANDARD"}
    entry.update(extra)
    return entry


# What a boto3 user gets for each sample: these members must be present with
# these values (ResponseMetadata aside, nothing else may be present).
EXPECTED = {
    "ListBuckets.basic": {
        "Owner": OWNER,
        "Buckets": [{"Name": "alpha", "CreationDate": T1},
                    {"Name": "beta.logs", "CreationDate": T2, "BucketRegion": "us-east-1"}],
    },
    "ListBuckets.empty": {"Owner": OWNER, "Buckets": []},
    "ListObjectsV2.basic": {
        "Name": "photos", "Prefix": "", "KeyCount": 2, "MaxKeys": 1000, "IsTruncated": False,
        "Contents": [contents("a.txt", 5),
                     contents("b/c.txt", 0, ChecksumAlgorithm=["CRC32"], ChecksumType="FULL_OBJECT")],
    },
    "ListObjectsV2.delimiter_truncated": {
        "Name": "photos", "Prefix": "photos/", "StartAfter": "photos/0",
        "ContinuationToken": "cGhvdG9zLzEuanBn", "NextContinuationToken": "cGhvdG9zLzIwMjQv",
        "KeyCount": 2, "MaxKeys": 2, "Delimiter": "/", "IsTruncated": True,
        "Contents": [contents("photos/2.jpg", 10, Owner=OWNER)],
        "CommonPrefixes": [{"Prefix": "photos/2024/"}],
    },
    # Decoded by botocore (encoding-type=url was set by the client itself).
    "ListObjectsV2.url": {
        "Name": "photos", "Prefix": "dir with space/", "StartAfter": "dir with space/a+b",
        "KeyCount": 3, "MaxKeys": 1000, "Delimiter": "/", "EncodingType": "url", "IsTruncated": False,
        "Contents": [contents("dir with space/caf\u00e9 & cr\u00e8me.txt", 3),
                     contents("dir with space/x=y+z%.txt", 4)],
        "CommonPrefixes": [{"Prefix": "dir with space/\U0001F600 emoji/"}],
    },
    "ListObjectsV2.unencoded": {
        "Name": "photos", "Prefix": "dir with space/", "StartAfter": "dir with space/a+b",
        "KeyCount": 3, "MaxKeys": 1000, "Delimiter": "/", "IsTruncated": False,
        "Contents": [contents("dir with space/caf\u00e9 & cr\u00e8me.txt", 3),
                     contents("dir with space/x=y+z%.txt", 4)],
        "CommonPrefixes": [{"Prefix": "dir with space/\U0001F600 emoji/"}],
    },
    "ListObjects.marker": {
        "Name": "photos", "Prefix": "", "Marker": "a", "NextMarker": "c/", "MaxKeys": 2, "Delimiter": "/",
        "IsTruncated": True, "Contents": [contents("b", 1, Owner=OWNER)], "CommonPrefixes": [{"Prefix": "c/"}],
    },
    "ListObjects.no_delimiter": {
        "Name": "photos", "Prefix": "", "Marker": "a", "MaxKeys": 2, "IsTruncated": True,
        "Contents": [contents("b", 1, Owner=OWNER)],
    },
    # botocore decodes Marker and NextMarker (and Delimiter) for ListObjects.
    "ListObjects.url": {
        "Name": "photos", "Prefix": "", "Marker": "a b", "NextMarker": "c d/", "MaxKeys": 2, "Delimiter": "/",
        "EncodingType": "url", "IsTruncated": True, "Contents": [contents("b", 1, Owner=OWNER)],
        "CommonPrefixes": [{"Prefix": "c d/"}],
    },
    "GetBucketLocation.us_east_1": {"LocationConstraint": None},
    "GetBucketLocation.eu_west_1": {"LocationConstraint": "eu-west-1"},
    "CopyObject.basic": {
        "CopyObjectResult": {"ETag": ETAG, "LastModified": T2, "ChecksumCRC32": "AAAAAA==",
                             "ChecksumType": "FULL_OBJECT"},
    },
    "UploadPartCopy.basic": {
        "CopyPartResult": {"ETag": ETAG, "LastModified": T2,
                           "ChecksumSHA256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
    },
    "CreateMultipartUpload.basic": {"Bucket": "photos", "Key": "big/file.bin", "UploadId": "upload-123"},
    "CompleteMultipartUpload.basic": {
        "Location": "http://photos.localhost:4566/big/file.bin", "Bucket": "photos", "Key": "big/file.bin",
        "ETag": '"3858f62230ac3c915f300c664312c11f-2"', "ChecksumCRC32C": "yZRlqg==-2",
        "ChecksumType": "COMPOSITE",
    },
    "ListParts.truncated": {
        "Bucket": "photos", "Key": "big/file.bin", "UploadId": "upload-123", "PartNumberMarker": 1,
        "NextPartNumberMarker": 3, "MaxParts": 2, "IsTruncated": True,
        "Parts": [{"PartNumber": 2, "LastModified": T1, "ETag": ETAG, "Size": 5242880, "ChecksumCRC32": "AAAAAA=="},
                  {"PartNumber": 3, "LastModified": T1, "ETag": ETAG, "Size": 17, "ChecksumCRC32": "AAAAAA=="}],
        "Initiator": OWNER, "Owner": OWNER, "StorageClass": "STANDARD", "ChecksumAlgorithm": "CRC32",
        "ChecksumType": "COMPOSITE",
    },
    "ListMultipartUploads.truncated": {
        "Bucket": "photos", "KeyMarker": "big/a", "UploadIdMarker": "", "NextKeyMarker": "big/file.bin",
        "NextUploadIdMarker": "upload-2", "Delimiter": "/", "Prefix": "big/", "MaxUploads": 2, "IsTruncated": True,
        "Uploads": [{"Key": "big/file.bin", "UploadId": "upload-2", "Initiator": OWNER, "Owner": OWNER,
                     "StorageClass": "STANDARD", "Initiated": T1}],
        "CommonPrefixes": [{"Prefix": "big/dir/"}],
    },
    "ListMultipartUploads.empty": {
        "Bucket": "photos", "KeyMarker": "", "UploadIdMarker": "", "NextKeyMarker": "", "NextUploadIdMarker": "",
        "MaxUploads": 1000, "IsTruncated": False,
    },
    # boto3 does not decode ListMultipartUploads: the user sees S3's encoding.
    "ListMultipartUploads.url": {
        "Bucket": "photos", "KeyMarker": "big/a", "UploadIdMarker": "", "NextKeyMarker": "big/file.bin",
        "NextUploadIdMarker": "upload-2", "Delimiter": "/", "Prefix": "big/", "MaxUploads": 2,
        "EncodingType": "url", "IsTruncated": True,
        "Uploads": [{"Key": "big/a%20b.bin", "UploadId": "upload-2", "Initiator": OWNER, "Owner": OWNER,
                     "StorageClass": "STANDARD", "Initiated": T1}],
        "CommonPrefixes": [{"Prefix": "big/dir/"}],
    },
    "DeleteObjects.mixed": {
        "Deleted": [{"Key": "a"}, {"Key": "b c"}],
        "Errors": [{"Key": "d", "Code": "InternalError", "Message": "We encountered an internal error."}],
    },
    "DeleteObjects.quiet": {
        "Errors": [{"Key": "d", "Code": "InternalError", "Message": "We encountered an internal error."}],
    },
    "DeleteObjects.quiet_ok": {},
    "GetBucketVersioning.empty": {},
    "GetObjectTagging.empty": {"TagSet": []},
    "GetBucketAcl.owner": {
        "Owner": {"ID": "abc123", "DisplayName": "sluice & co"},
        "Grants": [{"Grantee": {"ID": "abc123", "DisplayName": "sluice & co", "Type": "CanonicalUser"},
                    "Permission": "FULL_CONTROL"}],
    },
}

# error.<Code>.<status>.xml -> the Error members boto3 reports (besides Code
# and Message) and the exception class a GetObject caller catches.
ERRORS = {
    "NoSuchKey": ({"Key": 'a<b>&"c"'}, "NoSuchKey"),
    "NoSuchBucket": ({"BucketName": "photos"}, "NoSuchBucket"),
    "NoSuchUpload": ({"UploadId": "upload-9"}, "NoSuchUpload"),
    "PreconditionFailed": ({"Condition": "If-Match"}, "ClientError"),
    "InvalidArgument": ({"ArgumentName": "encoding-type", "ArgumentValue": "gzip"}, "ClientError"),
    "NotImplemented": ({}, "ClientError"),
    "InternalError": ({}, "ClientError"),
}


class _Raw:
    def __init__(self, body):
        self._body = body

    def stream(self, **kwargs):
        yield self._body


class Replay:
    """Answers the next request with a canned response."""

    def __init__(self):
        self.status, self.headers, self.body = 200, {}, b""

    def __call__(self, request, **kwargs):
        return botocore.awsrequest.AWSResponse(request.url, self.status, self.headers, _Raw(self.body))


def local_name(tag):
    return tag.rsplit("}", 1)[-1]


def check_scalar(text, shape, path, failures):
    text = text or ""
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            int(text)
        elif kind == "boolean":
            if text not in ("true", "false"):
                raise ValueError(text)
        elif kind == "timestamp":
            datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        failures.append(f"{path}: {text!r} is not a {kind}")


def check_element(element, shape, path, failures, parser):
    """Every child of `element` is a member of `shape` with the member's type."""
    if shape.type_name != "structure":
        check_scalar(element.text, shape, path, failures)
        return
    by_xml_name = {}
    for member_name, member in shape.members.items():
        if member.serialization.get("location") in ("header", "headers", "statusCode"):
            continue
        by_xml_name[parser._member_key_name(member, member_name)] = member
    for child in element:
        name = local_name(child.tag)
        member = by_xml_name.get(name)
        if member is None:
            failures.append(f"{path}/{name}: not in the model")
            continue
        child_path = f"{path}/{name}"
        if member.type_name == "list":
            if member.serialization.get("flattened"):
                check_element(child, member.member, child_path, failures, parser)
            else:
                item_name = member.member.serialization.get("name", "member")
                for item in child:
                    if local_name(item.tag) != item_name:
                        failures.append(f"{child_path}/{local_name(item.tag)}: expected {item_name}")
                    check_element(item, member.member, f"{child_path}/{item_name}", failures, parser)
        else:
            check_element(child, member, child_path, failures, parser)


def check_against_model(name, body, model, failures):
    operation = model.operation_model(name.split(".")[0])
    output = operation.output_shape
    root = ElementTree.fromstring(body)
    if not local_name(root.tag) or root.attrib:
        failures.append(f"{name}: unexpected root attributes {root.attrib}")
    if root.tag != "{http://s3.amazonaws.com/doc/2006-03-01/}" + local_name(root.tag):
        failures.append(f"{name}: root {root.tag} is not in the S3 namespace")
    payload = output.serialization.get("payload") if output is not None else None
    parser = botocore.parsers.create_parser("rest-xml")
    if payload:
        check_element(root, output.members[payload], name, failures, parser)
    elif name.startswith("GetBucketLocation."):
        if len(root):
            failures.append(f"{name}: LocationConstraint has children")
    else:
        check_element(root, output, name, failures, parser)


def method_name(operation):
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


def compare(name, actual, expected, failures):
    actual = {k: v for k, v in actual.items() if k != "ResponseMetadata"}
    if actual != expected:
        failures.append(f"{name}:\n  got      {actual!r}\n  expected {expected!r}")


def read_error_sample(directory, file_name):
    """The code, status and body of error.<Code>.<status>.xml, and what
    botocore's RestXMLParser makes of it (request id "req", host id "host")."""
    _, code, status, _ = file_name.split(".")
    with open(os.path.join(directory, file_name), "rb") as f:
        body = f.read()
    headers = {"x-amz-request-id": "req", "x-amz-id-2": "host"}
    parser = botocore.parsers.create_parser("rest-xml")
    parsed = parser.parse({"body": body, "headers": headers, "status_code": int(status)}, None)
    return code, int(status), body, parsed


def replay_error(file_name, code, status, body, client, replay, method, params, failures):
    """Answers client.<method>(**params) with the error body; checks the code
    and status the client reports and returns its ClientError (None when the
    call did not raise)."""
    replay.status, replay.headers, replay.body = status, {"content-type": "application/xml"}, body
    try:
        getattr(client, method)(**params)
    except ClientError as e:
        if e.response["Error"]["Code"] != code:
            failures.append(f"{file_name}: client saw {e.response['Error']['Code']!r}")
        if e.response["ResponseMetadata"]["HTTPStatusCode"] != status:
            failures.append(f"{file_name}: client saw status {e.response['ResponseMetadata']}")
        return e
    failures.append(f"{file_name}: {method} did not raise")
    return None


def check_errors(directory, client, replay, failures):
    checked = 0
    for file_name in sorted(os.listdir(directory)):
        if not file_name.startswith("error."):
            continue
        code, status, body, parsed = read_error_sample(directory, file_name)
        error = parsed["Error"]
        if error.get("Code") != code:
            failures.append(f"{file_name}: Code {error.get('Code')!r}")
        if not error.get("Message"):
            failures.append(f"{file_name}: no Message")
        if "RequestId" in error or "HostId" in error:
            failures.append(f"{file_name}: RequestId/HostId left in Error")
        extra, exception_name = ERRORS.get(code, ({}, "ClientError"))
        for key, value in extra.items():
            if error.get(key) != value:
                failures.append(f"{file_name}: Error.{key} is {error.get(key)!r}, expected {value!r}")
        # Through a client: the status, the code and the modeled exception.
        raised = replay_error(file_name, code, status, body, client, replay, "get_object",
                              {"Bucket": "photos", "Key": "k"}, failures)
        if raised is not None and type(raised).__name__ != exception_name:
            failures.append(f"{file_name}: raised {type(raised).__name__}, expected {exception_name}")
        checked += 1
    # HEAD answers carry no body: the client reports the bare status.
    replay.status, replay.headers, replay.body = 404, {}, b""
    try:
        client.head_object(Bucket="photos", Key="k")
        failures.append("head_object 404 did not raise")
    except ClientError as e:
        if e.response["Error"]["Code"] != "404":
            failures.append(f"head_object 404: code {e.response['Error']['Code']!r}")
    return checked


def run_checks(binary, gtest_filter, expected, params, check_errors):
    """Runs the tests of `binary` that match `gtest_filter` with
    SLUICE_S3_DUMP_DIR set; checks every response sample against the model
    and, replayed through a boto3 client called with params[operation],
    against expected[sample]; checks the error samples with
    check_errors(directory, client, replay, failures), which answers how many
    it checked. Prints the failures and a summary and exits, 1 on failures."""
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
            [binary, "--gtest_filter=" + gtest_filter],
            env=dict(os.environ, SLUICE_S3_DUMP_DIR=directory),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            sys.exit("the C++ tests failed:\n" + result.stdout)
        samples = sorted(f[:-4] for f in os.listdir(directory) if not f.startswith("error."))
        for name in samples:
            with open(os.path.join(directory, name + ".xml"), "rb") as f:
                body = f.read()
            if name not in expected:
                failures.append(f"{name}: no expectation in this script")
                continue
            check_against_model(name, body, model, failures)
            operation = name.split(".")[0]
            replay.status, replay.headers, replay.body = 200, {"content-type": "application/xml"}, body
            try:
                parsed = getattr(client, method_name(operation))(**params[operation])
            except Exception as e:  # noqa: BLE001 - report any failure to parse
                failures.append(f"{name}: {type(e).__name__}: {e}")
                continue
            compare(name, parsed, expected[name], failures)
        missing = sorted(set(expected) - set(samples))
        if missing:
            failures.append(f"samples not written by the C++ tests: {missing}")
        errors = check_errors(directory, client, replay, failures)
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(samples)} response samples, {errors} error samples, {len(failures)} failures")
    sys.exit(1 if failures else 0)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run_checks(sys.argv[1], "S3Responses.*:S3Errors.*", EXPECTED, PARAMS, check_errors)


if __name__ == "__main__":
    main()
