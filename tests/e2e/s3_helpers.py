"""Clients and helpers for the S3 end-to-end tests: boto3 S3 clients in path
and virtual-host style, the aws CLI, raw unsigned HTTP with any Host header,
and XML error parsing."""

import hashlib
import os
import subprocess
import xml.etree.ElementTree as ElementTree

import boto3
import botocore.config

from harness import REGION

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
MiB = 1024 * 1024


def s3_client(server, addressing_style="path", **config):
    cfg = dict(retries={"max_attempts": 1, "mode": "standard"},
               connect_timeout=5, read_timeout=120, max_pool_connections=16,
               s3={"addressing_style": addressing_style})
    cfg.update(config)
    return boto3.client(
        "s3", endpoint_url=server.endpoint(), region_name=REGION,
        aws_access_key_id="test", aws_secret_access_key="test",
        config=botocore.config.Config(**cfg))


def aws_env():
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION=REGION, AWS_PAGER="",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    return env


def aws(server, *args, aws_bin="aws", check=True, timeout=120):
    """Runs the aws CLI against the server; returns the CompletedProcess."""
    cmd = [aws_bin, "--endpoint-url", server.endpoint()] + list(args)
    result = subprocess.run(cmd, capture_output=True, text=True, env=aws_env(), timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError("%s -> %d\nstdout:%s\nstderr:%s" % (
            " ".join(cmd), result.returncode, result.stdout, result.stderr))
    return result


def xml_error(body):
    """(Code, {child: text}) of an S3 <Error> body."""
    root = ElementTree.fromstring(body)
    assert root.tag == "Error", body
    fields = {child.tag: child.text or "" for child in root}
    return fields.get("Code"), fields


def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def random_bytes(size, seed=0):
    """Deterministic pseudo-random bytes (fast: repeated SHA-256 blocks)."""
    out = bytearray()
    block = hashlib.sha256(b"seed-%d" % seed).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 64
    return bytes(out[:size])


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def peak_rss_kib(pid):
    """VmHWM (peak resident set) of a process, in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM for pid %d" % pid)


def reset_peak_rss(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs)."""
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")
