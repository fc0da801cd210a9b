#!/usr/bin/python3
"""A boto3 SQS client that speaks the Query protocol, driven over pipes by
test_query_protocol.py. Run with Debian 12's /usr/bin/python3: its
python3-boto3 (botocore 1.29) predates SQS's JSON protocol, so every call
goes out form-encoded (Action=...) and its answer is parsed as XML. The model
has the three move task operations merged in (sqs_query_model.py).

    /usr/bin/python3 query_client.py ENDPOINT

Protocol: one JSON object per line on stdin, {"op": "send_message",
"params": {...}}; one JSON line back per request:

    {"ok": <boto3's response>, "wire": {...}}
    {"error": {"Code", "Type", "Message", "status", "exception"}, "wire": {...}}

"wire" describes what went over HTTP: the request's Content-Type and body,
the response's Content-Type. bytes travel as {"__bytes__": "<base64>"} both
ways. The first line written is {"ready": {versions, protocol, operations}}.
"""
import base64
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def to_wire(value):
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def from_wire(value):
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        return {k: from_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    return value


def main():
    endpoint = sys.argv[1]
    import sqs_query_model
    os.environ["AWS_DATA_PATH"] = sqs_query_model.data_path()
    import boto3
    import botocore
    import botocore.config
    from botocore.exceptions import ClientError

    client = boto3.client(
        "sqs", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=botocore.config.Config(retries={"total_max_attempts": 1},
                                      connect_timeout=5, read_timeout=60))
    wire = {}

    def record_request(request, **kwargs):
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        wire["request_content_type"] = request.headers.get("Content-Type", b"")
        if isinstance(wire["request_content_type"], bytes):
            wire["request_content_type"] = wire["request_content_type"].decode()
        wire["request_body"] = body

    client.meta.events.register("before-send.sqs.*", record_request)
    out = sys.stdout
    out.write(json.dumps({"ready": {
        "boto3": boto3.__version__, "botocore": botocore.__version__,
        "protocol": client.meta.service_model.protocol,
        "operations": len(client.meta.service_model.operation_names)}}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        wire.clear()
        try:
            response = getattr(client, request["op"])(**from_wire(request.get("params", {})))
            headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
            wire["response_content_type"] = headers.get("content-type", "")
            answer = {"ok": to_wire(response)}
        except ClientError as e:
            error = e.response.get("Error", {})
            metadata = e.response.get("ResponseMetadata", {})
            wire["response_content_type"] = metadata.get("HTTPHeaders", {}).get(
                "content-type", "")
            answer = {"error": {"Code": error.get("Code"), "Type": error.get("Type"),
                                "Message": error.get("Message"),
                                "status": metadata.get("HTTPStatusCode"),
                                "request_id": metadata.get("RequestId"),
                                "exception": type(e).__name__}}
        except Exception as e:  # a client-side failure: report, keep serving
            answer = {"error": {"exception": type(e).__name__, "Message": str(e)}}
        answer["wire"] = wire
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
