#!/usr/bin/python3
"""Cross-check of the SQS Query codec against a boto3 that speaks Query (not a
registered test). Run it with Debian 12's interpreter, whose python3-boto3
(botocore 1.29) predates SQS's JSON protocol:

    /usr/bin/python3 tests/unit/sqs_query_codec_check.py build/sluice_sqs_tests

The model is Debian's, with the three message move task operations merged in
(tests/e2e/sqs_query_model.py), so all 23 operations are checked.

Request side: for every operation it fills every member of the input shape,
serializes it with botocore's Query serializer (what old boto3 puts on the
wire) into SLUICE_SQS_QUERY_REQUEST_DIR as <Operation>.form, next to
<Operation>.json, the same values as the JSON protocol carries them (member
names, blobs in base64). The C++ test then checks that the Query codec builds
from each form exactly that JSON input, and that the operation decodes.

Response side: it runs the C++ XML encode and error tests with
SLUICE_SQS_QUERY_DUMP_DIR set, so that they write every response and error
they check, and replays each through a real boto3 client (a before-send hook
answers with the dumped bytes), so botocore's whole Query response path runs:
its XML parser with the result wrapper, flattened lists and maps, blobs,
booleans and longs, and its error parser with modeled exception classes. It
checks that:

  - every member parsed is a member of the operation's output shape, with the
    model's type (botocore silently drops elements it does not know, so a
    wrongly named element shows up as a missing value in the spot checks);
  - every response carries the request id;
  - each error yields the Error.Code, Error.Type, exception class and HTTP
    status an SQS user sees.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import sqs_query_model  # noqa: E402  (needs the path above)

os.environ["AWS_DATA_PATH"] = sqs_query_model.data_path()

import boto3  # noqa: E402  (after AWS_DATA_PATH: the loader reads it once)
import botocore.awsrequest  # noqa: E402
import botocore.config  # noqa: E402
import botocore.serialize  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

QUEUE_URL = "http://127.0.0.1:4566/000000000000/orders"
ARN = "arn:aws:sqs:us-east-1:000000000000:orders"

PARAMS = {
    "CreateQueue": dict(QueueName="orders"),
    "GetQueueUrl": dict(QueueName="orders"),
    "ListQueues": {},
    "SendMessage": dict(QueueUrl=QUEUE_URL, MessageBody="hello"),
    "SendMessageBatch": dict(QueueUrl=QUEUE_URL, Entries=[{"Id": "m1", "MessageBody": "x"}]),
    "DeleteMessageBatch": dict(QueueUrl=QUEUE_URL, Entries=[{"Id": "a", "ReceiptHandle": "r"}]),
    "ChangeMessageVisibilityBatch": dict(QueueUrl=QUEUE_URL,
                                         Entries=[{"Id": "a", "ReceiptHandle": "r"}]),
    "SetQueueAttributes": dict(QueueUrl=QUEUE_URL, Attributes={"DelaySeconds": "1"}),
    "TagQueue": dict(QueueUrl=QUEUE_URL, Tags={"a": "b"}),
    "UntagQueue": dict(QueueUrl=QUEUE_URL, TagKeys=["a"]),
    "AddPermission": dict(QueueUrl=QUEUE_URL, Label="l", AWSAccountIds=["1"],
                          Actions=["SendMessage"]),
    "RemovePermission": dict(QueueUrl=QUEUE_URL, Label="l"),
    "DeleteMessage": dict(QueueUrl=QUEUE_URL, ReceiptHandle="r"),
    "ChangeMessageVisibility": dict(QueueUrl=QUEUE_URL, ReceiptHandle="r", VisibilityTimeout=1),
    "StartMessageMoveTask": dict(SourceArn=ARN),
    "CancelMessageMoveTask": dict(TaskHandle="h"),
    "ListMessageMoveTasks": dict(SourceArn=ARN),
}

# CodeName -> (Error.Code, Error.Type, exception class, HTTP status) as an SQS
# user of a Query SDK sees them. Independent of the C++ table on purpose.
ERRORS = {
    "InvalidParameterValue": ("InvalidParameterValue", "Sender", "ClientError", 400),
    "MissingParameter": ("MissingParameter", "Sender", "ClientError", 400),
    "MalformedRequest": ("MalformedQueryString", "Sender", "ClientError", 400),
    "UnknownOperation": ("InvalidAction", "Sender", "ClientError", 400),
    "InvalidAttributeName": ("InvalidAttributeName", "Sender", "InvalidAttributeName", 400),
    "InvalidAttributeValue": ("InvalidAttributeValue", "Sender", "ClientError", 400),
    "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", "Sender",
                             "UnsupportedOperation", 400),
    "RequestTooLarge": ("InvalidParameterValue", "Sender", "ClientError", 400),
    "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", "Sender",
                          "QueueDoesNotExist", 400),
    "QueueNameExists": ("QueueAlreadyExists", "Sender", "QueueNameExists", 400),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", "Sender", "ReceiptHandleIsInvalid", 400),
    "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", "Sender",
                           "MessageNotInflight", 400),
    "InvalidMessageContents": ("InvalidMessageContents", "Sender", "InvalidMessageContents", 400),
    "TooManyEntriesInBatchRequest": ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                                     "Sender", "TooManyEntriesInBatchRequest", 400),
    "EmptyBatchRequest": ("AWS.SimpleQueueService.EmptyBatchRequest", "Sender",
                          "EmptyBatchRequest", 400),
    "BatchEntryIdsNotDistinct": ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Sender",
                                 "BatchEntryIdsNotDistinct", 400),
    "InvalidBatchEntryId": ("AWS.SimpleQueueService.InvalidBatchEntryId", "Sender",
                            "InvalidBatchEntryId", 400),
    "BatchRequestTooLong": ("AWS.SimpleQueueService.BatchRequestTooLong", "Sender",
                            "BatchRequestTooLong", 400),
    "PurgeQueueInProgress": ("AWS.SimpleQueueService.PurgeQueueInProgress", "Sender",
                             "PurgeQueueInProgress", 403),
    "ResourceNotFound": ("ResourceNotFoundException", "Sender", "ResourceNotFoundException", 404),
    "OverLimit": ("OverLimit", "Sender", "OverLimit", 403),
    "StorageFailed": ("AWS.SimpleQueueService.InternalError", "Receiver", "ClientError", 500),
    "Unavailable": ("ServiceUnavailable", "Receiver", "ClientError", 503),
    "Internal": ("AWS.SimpleQueueService.InternalError", "Receiver", "ClientError", 500),
}

PY_TYPES = {
    "string": str, "integer": int, "long": int, "boolean": bool, "blob": bytes,
    "structure": dict, "map": dict, "list": list,
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
        return botocore.awsrequest.AWSResponse(request.url, self.status, self.headers,
                                               _Raw(self.body))


def check_shape(value, shape, path, failures):
    expected = PY_TYPES[shape.type_name]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        failures.append(f"{path}: {type(value).__name__}, model says {shape.type_name}")
        return
    if shape.type_name == "structure":
        for key, member in value.items():
            if key not in shape.members:
                failures.append(f"{path}.{key}: not in the model")
            else:
                check_shape(member, shape.members[key], f"{path}.{key}", failures)
    elif shape.type_name == "list":
        for i, element in enumerate(value):
            check_shape(element, shape.member, f"{path}[{i}]", failures)
    elif shape.type_name == "map":
        for key, element in value.items():
            check_shape(element, shape.value, f"{path}.{key}", failures)


def sample_value(shape, name):
    """A value for every member of `shape`, as a caller filling everything would."""
    if name == "QueueUrl":
        return QUEUE_URL
    kind = shape.type_name
    if kind == "structure":
        # The list-valued attribute members are "reserved for future use" by
        # SQS and refused by Sluice; nobody sends them.
        return {member_name: sample_value(member, member_name)
                for member_name, member in shape.members.items()
                if member_name not in ("StringListValues", "BinaryListValues")}
    if kind == "list":
        return [sample_value(shape.member, name), sample_value(shape.member, name + "2")]
    if kind == "map":
        keys = shape.key.enum[:2] if shape.key.enum else ["key-a", "key b&="]
        return {key: sample_value(shape.value, name) for key in keys}
    if kind == "string":
        return shape.enum[0] if shape.enum else f"value {name} & <more>=+%"
    if kind in ("integer", "long"):
        return 7
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"\x00\xff+/"
    raise ValueError(f"no sample for {kind}")


def as_json_input(value):
    """The same values as the JSON protocol carries them: blobs in base64."""
    if isinstance(value, dict):
        return {k: as_json_input(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_input(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def write_requests(model, directory):
    serializer = botocore.serialize.create_serializer("query")
    for operation in model.operation_names:
        operation_model = model.operation_model(operation)
        params = sample_value(operation_model.input_shape, operation)
        request = serializer.serialize_to_request(params, operation_model)
        with open(os.path.join(directory, operation + ".form"), "w") as f:
            f.write(urllib.parse.urlencode(request["body"]))
        with open(os.path.join(directory, operation + ".json"), "w") as f:
            json.dump(as_json_input(params), f)
    return len(model.operation_names)


def method_name(operation):
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


def spot_checks(name, parsed, failures):
    """What a boto3 user reads from the samples of query_encode_test.cc."""
    def expect(condition, what):
        if not condition:
            failures.append(f"{name}: {what}: {parsed}")

    if name == "ReceiveMessage.xml":
        m = parsed["Messages"][0]
        expect(m["Body"] == 'a < b & "c"\r\nend', "body with markup and CR")
        expect(m["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01\xfe\xff", "binary")
        expect(m["MessageAttributes"]["count"] == {"DataType": "Number.int",
                                                   "StringValue": "42"}, "number attribute")
        expect(m["Attributes"] == {"ApproximateReceiveCount": "2",
                                   "SentTimestamp": "1700000000000"}, "attributes")
        expect(m["ReceiptHandle"] == "rh+/=" and m["MD5OfMessageAttributes"] == "md5a", "members")
    if name == "ReceiveMessage-empty.xml":
        expect("Messages" not in parsed, "empty receive must have no Messages key")
    if name == "ListQueues.xml":
        expect(parsed == {"QueueUrls": ["http://127.0.0.1:4566/000000000000/a",
                                        "http://127.0.0.1:4566/000000000000/b"],
                          "NextToken": "next"}, "queue urls")
    if name == "ListDeadLetterSourceQueues.xml":
        expect(parsed.get("queueUrls") == ["http://127.0.0.1:4566/000000000000/src"],
               "queueUrls")
    if name == "GetQueueAttributes.xml":
        expect(parsed["Attributes"] == {"DelaySeconds": "5", "Policy": '{"a":"<&>"}'},
               "attributes")
    if name == "ListQueueTags.xml":
        expect(parsed["Tags"] == {"team": "pay"}, "tags")
    if name == "SendMessageBatch.xml":
        expect(parsed["Successful"][0]["Id"] == "m1", "successful id")
        expect(parsed["Failed"][0]["SenderFault"] is True, "sender fault true")
        expect(parsed["Failed"][1]["SenderFault"] is False, "sender fault false")
        expect("Message" not in parsed["Failed"][1], "empty message omitted")
    if name == "DeleteMessageBatch.xml":
        expect([e["Id"] for e in parsed["Successful"]] == ["a", "b"], "successful ids")
        expect(parsed["Failed"][0]["Code"] == "ReceiptHandleIsInvalid", "failed code")
    if name == "ChangeMessageVisibilityBatch.xml":
        expect([e["Id"] for e in parsed["Successful"]] == ["a", "b"], "successful ids")
    if name == "CancelMessageMoveTask.xml":
        expect(parsed["ApproximateNumberOfMessagesMoved"] == 5_000_000_000, "long")
    if name == "ListMessageMoveTasks.xml":
        expect(parsed["Results"][0]["MaxNumberOfMessagesPerSecond"] == 10, "integer")
        expect(parsed["Results"][1]["FailureReason"].endswith("NonExistentQueue"), "failure")
    if name == "SendMessage-attributes.xml":
        expect(parsed["MD5OfMessageSystemAttributes"] == "bbbb", "system attributes md5")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    replay = Replay()
    client = boto3.client(
        "sqs", region_name="us-east-1", endpoint_url="http://127.0.0.1:4566",
        aws_access_key_id="x", aws_secret_access_key="x",
        config=botocore.config.Config(retries={"total_max_attempts": 1}))
    model = client.meta.service_model
    if model.protocol != "query" or len(model.operation_names) != 23:
        sys.exit(f"botocore {botocore.__version__} does not speak SQS in Query with 23 operations"
                 f" ({model.protocol}, {len(model.operation_names)})")
    client.meta.events.register("before-send.sqs.*", replay)
    failures = []
    checked_samples = checked_errors = 0

    with tempfile.TemporaryDirectory() as requests:
        written = write_requests(model, requests)
        result = subprocess.run(
            [sys.argv[1],
             "--gtest_filter=SqsQueryDecode.EveryBoto3RequestBuildsTheJsonProtocolsInput"],
            env=dict(os.environ, SLUICE_SQS_QUERY_REQUEST_DIR=requests),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            failures.append("decoding boto3's Query requests failed:\n" + result.stdout)

    with tempfile.TemporaryDirectory() as dump:
        subprocess.run([sys.argv[1], "--gtest_filter=SqsQueryEncode.*:SqsQueryErrors.*"],
                       check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, SLUICE_SQS_QUERY_DUMP_DIR=dump))
        for name in sorted(os.listdir(dump)):
            with open(os.path.join(dump, name), "rb") as f:
                content = f.read()
            if name.startswith("error-"):
                code = name[len("error-"):-len(".xml")]
                status, body = content.split(b"\n", 1)
                replay.status, replay.headers, replay.body = int(status), {}, body
                try:
                    client.get_queue_url(QueueName="orders")
                    failures.append(f"{name}: no exception")
                except ClientError as e:
                    error = e.response["Error"]
                    got = (error["Code"], error.get("Type"), type(e).__name__,
                           e.response["ResponseMetadata"]["HTTPStatusCode"])
                    if got != ERRORS[code]:
                        failures.append(f"{name}: boto3 sees {got}, SQS users see {ERRORS[code]}")
                    if e.response["ResponseMetadata"].get("RequestId") != "req-9":
                        failures.append(f"{name}: request id not parsed")
                checked_errors += 1
                continue

            operation = name[:-len(".xml")].split("-")[0]
            replay.status, replay.headers, replay.body = 200, {}, content
            params = PARAMS.get(operation, {"QueueUrl": QUEUE_URL})
            parsed = getattr(client, method_name(operation))(**params)
            metadata = parsed.pop("ResponseMetadata", {})
            if metadata.get("RequestId") != "req-1":
                failures.append(f"{name}: request id not parsed: {metadata}")
            output = model.operation_model(operation).output_shape
            if output is None:
                if parsed:
                    failures.append(f"{name}: {operation} has no output, got {parsed}")
            else:
                check_shape(parsed, output, operation, failures)
            spot_checks(name, parsed, failures)
            checked_samples += 1

    if checked_errors != len(ERRORS):
        failures.append(f"checked {checked_errors} errors, expected {len(ERRORS)}")
    for failure in failures:
        print("FAIL", failure)
    print(f"{written} Query requests with every member decoded; "
          f"{checked_samples} XML responses and {checked_errors} XML errors parsed by boto3 "
          f"{boto3.__version__} (botocore {botocore.__version__}): "
          f"{'FAILED' if failures else 'OK'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
