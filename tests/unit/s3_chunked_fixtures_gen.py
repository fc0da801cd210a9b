#!/usr/bin/python3
"""Writes s3_chunked_fixtures.h: aws-chunked request bodies as clients send them.

Run with Debian's python3 (its botocore and python3-awscrt, as the e2e tests
use them):   /usr/bin/python3 tests/unit/s3_chunked_fixtures_gen.py

* STREAMING-UNSIGNED-PAYLOAD-TRAILER bodies come from botocore itself: a real
  s3.put_object over https (no request leaves the machine: a before-send hook
  captures the prepared request and stops it), and botocore's
  AwsChunkedWrapper with a small chunk size for bodies of many chunks.
* STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) bodies are not produced by
  botocore (it never signs chunks); they are built here by the algorithm of
  the S3 API reference ("Signature calculations for the Authorization header:
  transferring payload in multiple chunks" and "... including trailing
  headers"), and the chunk signatures of its worked example are asserted, so
  the framing is the documented one byte for byte.
"""

import base64
import hashlib
import hmac
import io
import os
import random
import sys

import botocore.session
from botocore import httpchecksum

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "s3_chunked_fixtures.h")


class Captured(Exception):
    pass


def botocore_put_object(body, algorithm):
    """The headers and bytes botocore sends for PutObject with a trailer checksum."""
    session = botocore.session.get_session()
    client = session.create_client(
        "s3", region_name="us-east-1", endpoint_url="https://s3.example.invalid",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    seen = {}

    def capture(request, **kwargs):
        seen["headers"] = {k.lower(): v for k, v in request.headers.items()}
        data = request.body
        seen["body"] = data.read() if hasattr(data, "read") else bytes(data or b"")
        raise Captured()

    client.meta.events.register("before-send.s3.PutObject", capture)
    try:
        client.put_object(Bucket="bucket", Key="key", Body=body, ChecksumAlgorithm=algorithm)
    except Captured:
        pass
    headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in seen["headers"].items()}
    return headers, seen["body"]


def wrapper_body(payload, algorithm, chunk_size):
    cls = httpchecksum._CHECKSUM_CLS[algorithm]
    wrapper = httpchecksum.AwsChunkedWrapper(
        io.BytesIO(payload), checksum_cls=cls, checksum_name="x-amz-checksum-" + algorithm,
        chunk_size=chunk_size)
    return wrapper.read(), cls().handle(payload)


# --- SigV4 chunk signing, as the S3 API reference describes it.
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DATE = "20130524T000000Z"
SCOPE = "20130524/us-east-1/s3/aws4_request"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def signing_key():
    key = ("AWS4" + SECRET).encode()
    for part in ("20130524", "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign(string_to_sign):
    return hmac.new(signing_key(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def signed_body(payload, chunk_size, seed, trailer=None):
    """Returns (body, chunk signatures, trailer signature)."""
    out, signatures, previous = b"", [], seed
    pieces = [payload[i:i + chunk_size] for i in range(0, len(payload), chunk_size)] + [b""]
    for piece in pieces:
        previous = sign("\n".join(["AWS4-HMAC-SHA256-PAYLOAD", DATE, SCOPE, previous, EMPTY_SHA256,
                                   hashlib.sha256(piece).hexdigest()]))
        signatures.append(previous)
        out += b"%x;chunk-signature=%s\r\n" % (len(piece), previous.encode())
        if piece:
            out += piece + b"\r\n"
    trailer_signature = None
    if trailer is not None:
        name, value = trailer
        canonical = "%s:%s\n" % (name, value)
        trailer_signature = sign("\n".join(["AWS4-HMAC-SHA256-TRAILER", DATE, SCOPE, previous,
                                            hashlib.sha256(canonical.encode()).hexdigest()]))
        out += b"%s:%s\r\nx-amz-trailer-signature:%s\r\n" % (
            name.encode(), value.encode(), trailer_signature.encode())
    out += b"\r\n"
    return out, signatures, trailer_signature


def cxx_literal(data):
    """Adjacent C++ string literals, octal escapes for everything not plain."""
    pieces, line = [], ""
    for byte in data:
        char = chr(byte)
        if 32 <= byte < 127 and char not in '\\"?':
            line += char
        else:
            line += "\\%03o" % byte
        if len(line) >= 96:
            pieces.append('"%s"' % line)
            line = ""
    if line or not pieces:
        pieces.append('"%s"' % line)
    return "\n    ".join(pieces)


def main():
    rng = random.Random(20250601)
    fixtures = []

    def add(name, content_sha256, trailer_header, decoded_length, body, payload, trailers):
        fixtures.append((name, content_sha256, trailer_header, decoded_length, body, payload, trailers))

    # botocore's PutObject over https: unsigned payload, checksum in the trailer.
    for algorithm, size in (("CRC32", 3000), ("CRC32C", 5000), ("SHA256", 0), ("SHA1", 1)):
        payload = bytes(rng.randrange(256) for _ in range(size))
        headers, body = botocore_put_object(payload, algorithm)
        assert headers["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers
        assert headers["content-encoding"] == "aws-chunked", headers
        trailer_name = headers["x-amz-trailer"]
        expected = httpchecksum._CHECKSUM_CLS[algorithm.lower()]().handle(payload)
        add("botocore_put_object_" + algorithm.lower(), headers["x-amz-content-sha256"],
            trailer_name, int(headers["x-amz-decoded-content-length"]), body, payload,
            [(trailer_name, expected)])

    # botocore's AwsChunkedWrapper with small chunks: many chunks, a short last one.
    for algorithm, size, chunk in (("crc32", 2500, 1024), ("crc32c", 4096, 1024), ("sha256", 17, 5)):
        payload = bytes(rng.randrange(256) for _ in range(size))
        body, checksum = wrapper_body(payload, algorithm, chunk)
        name = "x-amz-checksum-" + algorithm
        add("botocore_wrapper_%s_%d_by_%d" % (algorithm, size, chunk),
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER", name, size, body, payload, [(name, checksum)])

    # The S3 API reference's worked example: 65 KiB of 'a' in chunks of 64 KiB.
    payload = b"a" * (64 * 1024 + 1024)
    body, signatures, _ = signed_body(
        payload, 64 * 1024, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
    assert signatures == [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ], signatures
    add("sigv4_reference_example", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "", len(payload), body,
        payload, [])

    # Its trailing-header example: the same object, a CRC32C trailer.
    crc32c = httpchecksum._CHECKSUM_CLS["crc32c"]().handle(payload)
    assert crc32c == "sOO8/Q==", crc32c
    body, signatures, trailer_signature = signed_body(
        payload, 64 * 1024, "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
        trailer=("x-amz-checksum-crc32c", crc32c))
    assert signatures[0] == "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2", signatures
    add("sigv4_trailer_reference_example", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        "x-amz-checksum-crc32c", len(payload), body, payload, [("x-amz-checksum-crc32c", crc32c)])

    # Signed, random bytes, a chunk size that leaves a short last chunk.
    payload = bytes(rng.randrange(256) for _ in range(10000))
    body, _, _ = signed_body(payload, 8192, "0" * 64)
    add("sigv4_random_10000_by_8192", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "", len(payload), body,
        payload, [])

    lines = [
        "// Generated by s3_chunked_fixtures_gen.py; do not edit. aws-chunked bodies",
        "// as botocore sends them (PutObject with a trailer checksum) and as the S3",
        "// API reference's SigV4 streaming examples frame them.",
        "#pragma once",
        "",
        "#include <cstdint>",
        "#include <string_view>",
        "",
        "namespace sluice::s3::fixtures {",
        "",
        "struct ChunkedTrailer {",
        "  std::string_view name;",
        "  std::string_view value;",
        "};",
        "",
        "struct ChunkedFixture {",
        "  std::string_view name;",
        "  std::string_view content_sha256;   // the x-amz-content-sha256 header",
        "  std::string_view trailer_header;   // the x-amz-trailer header, or empty",
        "  int64_t decoded_content_length;   // x-amz-decoded-content-length",
        "  std::string_view body;             // the bytes on the wire",
        "  std::string_view payload;          // what they decode to",
        "  ChunkedTrailer trailer;            // empty name when none",
        "};",
        "",
        "// Generated by %s with botocore %s." % (os.path.basename(sys.executable),
                                                 botocore.__version__),
    ]
    payload_index = {}  # identical payloads share one literal
    for index, (name, content_sha256, trailer_header, decoded_length, body, payload, trailers) in \
            enumerate(fixtures):
        lines.append("inline constexpr char kBody%d[] =\n    %s;" % (index, cxx_literal(body)))
        if payload not in payload_index:
            payload_index[payload] = index
            lines.append("inline constexpr char kPayload%d[] =\n    %s;" % (index, cxx_literal(payload)))
    lines.append("")
    lines.append("inline const ChunkedFixture kChunkedFixtures[] = {")
    for index, (name, content_sha256, trailer_header, decoded_length, body, payload, trailers) in \
            enumerate(fixtures):
        trailer = trailers[0] if trailers else ("", "")
        payload = payload_index[payload]
        lines.append(
            '    {"%s", "%s", "%s", %d, {kBody%d, sizeof(kBody%d) - 1}, {kPayload%d, sizeof(kPayload%d) - 1}, '
            '{"%s", "%s"}},' % (name, content_sha256, trailer_header, decoded_length, index, index,
                                payload, payload, trailer[0], trailer[1]))
    lines.append("};")
    lines.append("")
    lines.append("}  // namespace sluice::s3::fixtures")
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d fixtures to %s" % (len(fixtures), OUT))


if __name__ == "__main__":
    main()
