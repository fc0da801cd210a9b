#!/usr/bin/env python3
"""Cross-check of the SQS JSON codec against boto3 itself (not a registered test).

Runs the C++ encode and error tests with SLUICE_SQS_DUMP_DIR set, so that they
write every encoded response and error they check, then replays each one
through a real boto3 client: a before-send hook answers the client's request
with the dumped bytes, so botocore's whole response path runs (JSON parser,
awsQueryCompatible error handling, modeled exception classes). It checks that:

  - every member we emit is a member of the operation's output shape, with
    the model's type (botocore silently drops unknown members);
  - values come out as a boto3 user sees them against SQS (base64 blobs as
    bytes, longs as ints, lower-case queueUrls);
  - each error yields the Error.Code, Error.Type and exception class a real
    SQS user gets.

And the request side: for every operation it fills every member of the
input shape, serializes it with botocore's JSON serializer (what boto3 puts on
the wire) into SLUICE_SQS_REQUEST_DIR, and has the C++ decoders take each.

Usage: python3 tests/unit/sqs_codec_check.py build-sqs/sluice_sqs_tests
"""
import os
import subprocess
import sys
import tempfile

import boto3
import botocore.awsrequest
import botocore.config
import botocore.serialize
from botocore.exceptions import ClientError

QUEUE_URL = "http://127.0.0.1:4566/000000000000/orders"
ARN = "arn:aws:sqs:us-east-1:000000000000:orders"

# Minimal valid parameters per operation, to get past client-side validation.
PARAMS = {
    "CreateQueue": dict(QueueName="orders"),
    "GetQueueUrl": dict(QueueName="orders"),
    "ListQueues": {},
    "DeleteQueue": dict(QueueUrl=QUEUE_URL),
    "GetQueueAttributes": dict(QueueUrl=QUEUE_URL, AttributeNames=["All"]),
    "ListQueueTags": dict(QueueUrl=QUEUE_URL),
    "ListDeadLetterSourceQueues": dict(QueueUrl=QUEUE_URL),
    "SendMessage": dict(QueueUrl=QUEUE_URL, MessageBody="hello"),
    "SendMessageBatch": dict(QueueUrl=QUEUE_URL, Entries=[{"Id": "m1", "MessageBody": "x"}]),
    "ReceiveMessage": dict(QueueUrl=QUEUE_URL),
    "DeleteMessageBatch": dict(QueueUrl=QUEUE_URL, Entries=[{"Id": "a", "ReceiptHandle": "r"}]),
    "StartMessageMoveTask": dict(SourceArn=ARN),
    "CancelMessageMoveTask": dict(TaskHandle="h"),
    "ListMessageMoveTasks": dict(SourceArn=ARN),
}

# Code -> (Error.Code, Error.Type, exception class name) as boto3 reports a
# real SQS error. Independent of the C++ table on purpose.
ERRORS = {
    "InvalidParameterValue": ("InvalidParameterValue", "Sender", "ClientError"),
    "MissingParameter": ("MissingParameter", "Sender", "ClientError"),
    "MalformedRequest": ("SerializationException", None, "ClientError"),
    "UnknownOperation": ("InvalidAction", "Sender", "ClientError"),
    "InvalidAttributeName": ("InvalidAttributeName", "Sender", "InvalidAttributeName"),
    "InvalidAttributeValue": ("InvalidAttributeValue", "Sender", "InvalidAttributeValue"),
    "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", "Sender",
                             "UnsupportedOperation"),
    "RequestTooLarge": ("InvalidParameterValue", "Sender", "ClientError"),
    "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", "Sender", "QueueDoesNotExist"),
    "QueueNameExists": ("QueueAlreadyExists", "Sender", "QueueNameExists"),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", "Sender", "ReceiptHandleIsInvalid"),
    "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", "Sender",
                           "MessageNotInflight"),
    "InvalidMessageContents": ("InvalidMessageContents", "Sender", "InvalidMessageContents"),
    "TooManyEntriesInBatchRequest": ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                                     "Sender", "TooManyEntriesInBatchRequest"),
    "EmptyBatchRequest": ("AWS.SimpleQueueService.EmptyBatchRequest", "Sender",
                          "EmptyBatchRequest"),
    "BatchEntryIdsNotDistinct": ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Sender",
                                 "BatchEntryIdsNotDistinct"),
    "InvalidBatchEntryId": ("AWS.SimpleQueueService.InvalidBatchEntryId", "Sender",
                            "InvalidBatchEntryId"),
    "BatchRequestTooLong": ("AWS.SimpleQueueService.BatchRequestTooLong", "Sender",
                            "BatchRequestTooLong"),
    "PurgeQueueInProgress": ("AWS.SimpleQueueService.PurgeQueueInProgress", "Sender",
                             "PurgeQueueInProgress"),
    "ResourceNotFound": ("ResourceNotFoundException", "Sender", "ResourceNotFoundException"),
    "OverLimit": ("OverLimit", "Sender", "OverLimit"),
    "StorageFailed": ("AWS.SimpleQueueService.InternalError", "Receiver", "ClientError"),
    "Unavailable": ("ServiceUnavailable", "Receiver", "ClientError"),
    "Internal": ("AWS.SimpleQueueService.InternalError", "Receiver", "ClientError"),
}

JSON_TYPES = {
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
        self.status, self.headers, self.body = 200, {}, b"{}"

    def __call__(self, request, **kwargs):
        return botocore.awsrequest.AWSResponse(request.url, self.status, self.headers,
                                               _Raw(self.body))


def check_shape(value, shape, path, failures):
    """Every member of the parsed value is in the model, with the model's type."""
    expected = JSON_TYPES[shape.type_name]
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
        return [sample_value(shape.member, name)]
    if kind == "map":
        key = shape.key.enum[0] if shape.key.enum else "key"
        return {key: sample_value(shape.value, name)}
    if kind == "string":
        return shape.enum[0] if shape.enum else f"value-{name}"
    if kind in ("integer", "long"):
        return 1
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"\x00\xff"
    raise ValueError(f"no sample for {kind}")


def write_requests(model, directory):
    serializer = botocore.serialize.create_serializer("json")
    for operation in model.operation_names:
        operation_model = model.operation_model(operation)
        params = sample_value(operation_model.input_shape, operation)
        request = serializer.serialize_to_request(params, operation_model)
        with open(os.path.join(directory, operation + ".json"), "wb") as f:
            f.write(request["body"])
    return len(model.operation_names)


def method_name(operation):
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    replay = Replay()
    client = boto3.client(
        "sqs", region_name="us-east-1", endpoint_url="http://127.0.0.1:4566",
        aws_access_key_id="x", aws_secret_access_key="x",
        config=botocore.config.Config(retries={"total_max_attempts": 1}))
    client.meta.events.register("before-send.sqs.*", replay)
    model = client.meta.service_model
    failures = []
    checked_samples = checked_errors = 0

    with tempfile.TemporaryDirectory() as requests:
        written = write_requests(model, requests)
        result = subprocess.run(
            [sys.argv[1], "--gtest_filter=SqsActions.DecodesEveryMemberBoto3Sends"],
            env=dict(os.environ, SLUICE_SQS_REQUEST_DIR=requests),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            failures.append("decoding boto3's requests failed:\n" + result.stdout)

    with tempfile.TemporaryDirectory() as dump:
        subprocess.run([sys.argv[1], "--gtest_filter=SqsEncode.*:SqsErrors.*"], check=True,
                       stdout=subprocess.DEVNULL,
                       env=dict(os.environ, SLUICE_SQS_DUMP_DIR=dump))
        for name in sorted(os.listdir(dump)):
            with open(os.path.join(dump, name), "rb") as f:
                content = f.read()
            if name.startswith("error-"):
                code = name[len("error-"):-len(".txt")]
                status, header, body = content.split(b"\n", 2)
                replay.status = int(status)
                replay.headers = {"x-amzn-query-error": header.decode()} if header else {}
                replay.body = body
                try:
                    client.get_queue_url(QueueName="orders")
                    failures.append(f"{name}: no exception")
                except ClientError as e:
                    error = e.response["Error"]
                    got = (error["Code"], error.get("Type"), type(e).__name__)
                    if got != ERRORS[code]:
                        failures.append(f"{name}: boto3 sees {got}, SQS users see {ERRORS[code]}")
                    if e.response["ResponseMetadata"]["HTTPStatusCode"] != int(status):
                        failures.append(f"{name}: status changed")
                checked_errors += 1
                continue

            operation = name[:-len(".json")].split("-")[0]
            replay.status, replay.headers, replay.body = 200, {}, content
            params = PARAMS.get(operation, {"QueueUrl": QUEUE_URL})
            parsed = getattr(client, method_name(operation))(**params)
            parsed.pop("ResponseMetadata", None)
            output = model.operation_model(operation).output_shape
            if output is None:
                if parsed:
                    failures.append(f"{name}: {operation} has no output, got {parsed}")
            else:
                check_shape(parsed, output, operation, failures)
            checked_samples += 1

            # Spot checks of what a boto3 user reads.
            if name == "ReceiveMessage.json":
                attributes = parsed["Messages"][0]["MessageAttributes"]
                if attributes["blob"]["BinaryValue"] != b"\x00\x01\xfe\xff":
                    failures.append(f"{name}: binary attribute decoded wrong")
            if name == "ReceiveMessage-empty.json" and "Messages" in parsed:
                failures.append(f"{name}: empty receive must have no Messages key")
            if name == "ListDeadLetterSourceQueues.json" and parsed.get("queueUrls") != [
                    "http://127.0.0.1:4566/000000000000/src"]:
                failures.append(f"{name}: queueUrls not parsed")
            if name == "CancelMessageMoveTask.json" and \
                    parsed["ApproximateNumberOfMessagesMoved"] != 5_000_000_000:
                failures.append(f"{name}: long not preserved")

    if checked_errors != len(ERRORS):
        failures.append(f"checked {checked_errors} errors, expected {len(ERRORS)}")
    for failure in failures:
        print("FAIL", failure)
    print(f"{written} requests with every member decoded; "
          f"{checked_samples} responses and {checked_errors} errors replayed through boto3 "
          f"{boto3.__version__}: {'FAILED' if failures else 'OK'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
