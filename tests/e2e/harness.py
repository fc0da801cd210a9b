"""End-to-end harness: the real `sluice` binary on a free loopback port.

A `Server` owns one child process and (unless given one) one temporary data
directory. It starts `$SLUICE_BIN serve --listen 127.0.0.1:<port> --data-dir
<dir> [--config FILE]`, waits until `GET /health` answers 200, and hands out
boto3 clients pointed at it. `stop()` sends SIGTERM and insists on exit code 0;
`kill()` is kill -9; `restart()` starts again on the same data directory.

If SLUICE_ENDPOINT is set (e.g. http://127.0.0.1:5000 for `moto_server -p
5000`), no process is started: every Server talks to that endpoint, and the
tests that need a process of their own (restart, signals, config) skip.
`under_moto()` tells tests when they run against moto, so that checks where
moto departs from the AWS documentation can skip with a reason.

Threads: a Server is driven from the test's thread; the boto3 clients it
returns may be used from other threads (boto3 clients are thread-safe).
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid

import boto3
import botocore.config

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ACCOUNT = "000000000000"
REGION = "us-east-1"
START_DEADLINE = 10.0
STOP_DEADLINE = 15.0

# The aws CLI and boto3 read these; set them once so nothing consults ~/.aws.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


def external_endpoint():
    """The endpoint of an already-running server (SLUICE_ENDPOINT), or None."""
    return os.environ.get("SLUICE_ENDPOINT") or None


def under_moto():
    """True when the suite runs against an external server (moto_server).

    SLUICE_ENDPOINT is only meant for validating test logic against moto; a
    test that knows moto departs from AWS checks this and skips.
    """
    return external_endpoint() is not None


def account_id():
    """The account id in queue URLs and ARNs: ours, or moto's fixed one."""
    return "123456789012" if under_moto() else ACCOUNT


def skip_under_moto(reason):
    """Decorator: skip when running against moto, naming moto's deviation."""
    return unittest.skipIf(under_moto(), "moto deviates from AWS: " + reason)


def requires_process(reason="needs its own sluice process"):
    """Decorator: skip when SLUICE_ENDPOINT points at an external server."""
    return unittest.skipIf(under_moto(), reason + " (SLUICE_ENDPOINT is set)")


def sluice_bin():
    path = os.environ.get("SLUICE_BIN")
    if path:
        return path
    return os.path.join(REPO, "build", "sluice")


def free_port():
    """A loopback port that was free a moment ago (bind to 0, read, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_name(prefix="q"):
    """A queue name no other test (or earlier run against moto) has used."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def wait_until(predicate, timeout=10.0, interval=0.05, message=None):
    """Polls predicate() until it returns a truthy value; returns that value.

    Raises AssertionError after `timeout` seconds, with `message` and the last
    value seen. Exceptions from predicate propagate (they are bugs, not "not
    yet").
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(
                "%s (not true after %.1fs; last value %r)"
                % (message or "condition", timeout, last))
        time.sleep(interval)


COMMAND_DEADLINE = 60


def run_sluice(*args, env_endpoint=None, text=True):
    """Runs the binary; returns CompletedProcess with stdout/stderr (text
    unless text=False).

    SLUICE_ENDPOINT is removed from the child's environment (the harness uses
    it to point at moto) unless `env_endpoint` sets it on purpose."""
    env = dict(os.environ)
    env.pop("SLUICE_ENDPOINT", None)
    if env_endpoint is not None:
        env["SLUICE_ENDPOINT"] = env_endpoint
    return subprocess.run([sluice_bin()] + list(args), env=env,
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=text, timeout=COMMAND_DEADLINE)


def post_json(server, path, payload, headers=None, timeout=10):
    """POSTs `payload` (a dict/list, dumped as JSON, or raw str/bytes) to the
    server: returns (status, headers, parsed JSON body or None)."""
    if isinstance(payload, (dict, list)):
        payload = json.dumps(payload)
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    status, resp_headers, body = server.raw_request("POST", path, body=payload, headers=all_headers,
                                                    timeout=timeout)
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    return status, resp_headers, parsed


class ServerError(AssertionError):
    pass


class Server:
    """One sluice process (or the external endpoint). See module docstring."""

    def __init__(self, data_dir=None, config=None, extra_args=(), env=None,
                 host="127.0.0.1"):
        self.external = external_endpoint()
        self._own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="sluice-e2e-")
        self.config = config
        self.extra_args = list(extra_args)
        self.env = env
        self.host = host
        self.port = None
        self.proc = None
        self._stderr_path = None
        self._stdout_path = None
        self._log_index = 0
        # Logs live outside the data dir so the server owns that alone.
        self._log_dir = tempfile.mkdtemp(prefix="sluice-e2e-log-")
        if self.external:
            parsed = urllib.parse.urlparse(self.external)
            self.host = parsed.hostname
            self.port = parsed.port or 80

    # ---- lifecycle -------------------------------------------------------

    def command(self, port=None):
        cmd = [sluice_bin(), "serve", "--listen",
               "127.0.0.1:%d" % (port or self.port), "--data-dir", self.data_dir]
        if self.config:
            cmd += ["--config", self.config]
        return cmd + self.extra_args

    def start(self, deadline=START_DEADLINE):
        """Starts the process and waits for /health == 200. Returns self."""
        if self.external:
            self._wait_healthy(deadline)
            return self
        if self.proc is not None and self.proc.poll() is None:
            raise ServerError("server already running")
        if self.port is None:
            self.port = free_port()
        self._log_index += 1
        self._stdout_path = os.path.join(self._log_dir,
                                         "stdout.%d" % self._log_index)
        self._stderr_path = os.path.join(self._log_dir,
                                         "stderr.%d" % self._log_index)
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        with open(self._stdout_path, "wb") as out, \
                open(self._stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                self.command(), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                env=env)
        self._wait_healthy(deadline)
        return self

    def wait_parked(self, count, timeout=10.0):
        """Polls GET /health until at least `count` ReceiveMessage calls
        are parked as long polls. Against another server (moto has no such
        count) it returns at once: callers must not depend on the park."""
        if self.external:
            return

        def parked():
            status, _, body = self.raw_request("GET", "/health", timeout=2)
            return status == 200 and json.loads(body).get("parked_receives", 0) >= count

        wait_until(parked, timeout=timeout, message="%d parked receive(s)" % count)

    def parked_receives(self):
        """How many long polls are parked now (0 against another server)."""
        if self.external:
            return 0
        _, _, body = self.raw_request("GET", "/health", timeout=2)
        return json.loads(body).get("parked_receives", 0)

    def _wait_healthy(self, deadline):
        end = time.monotonic() + deadline
        last_error = None
        while time.monotonic() < end:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerError(
                    "sluice exited with %s before becoming healthy\n"
                    "command: %s\nstderr:\n%s\nstdout:\n%s" % (
                        self.proc.returncode, " ".join(self.command()),
                        self.stderr(), self.stdout()))
            try:
                status, _, body = self.raw_request("GET", "/health", timeout=2)
                # moto has no /health: any answer means it is up.
                if status == 200 or (self.external and status < 500):
                    return
                last_error = "status %d: %r" % (status, body[:200])
            except OSError as e:
                last_error = repr(e)
            time.sleep(0.05)
        stderr = self.stderr()
        self.kill()
        raise ServerError(
            "sluice not healthy after %.0fs (last: %s)\ncommand: %s\nstderr:\n%s"
            % (deadline, last_error, " ".join(self.command()), stderr))

    def stop(self, timeout=STOP_DEADLINE, expect_code=0):
        """SIGTERM, wait, and assert the exit code (0 by default)."""
        if self.proc is None or self.external:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise ServerError("sluice did not exit within %.0fs of SIGTERM\n"
                              "stderr:\n%s" % (timeout, self.stderr()))
        if expect_code is not None and code != expect_code:
            raise ServerError("sluice exited with %d after SIGTERM, expected %d\n"
                              "stderr:\n%s" % (code, expect_code, self.stderr()))
        return code

    def kill(self):
        """kill -9 and reap. Safe to call when not running."""
        if self.proc is None or self.external:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def restart(self, kill=False):
        """Stops (SIGTERM, or kill -9 if kill=True) and starts again on the
        same data directory and port."""
        if kill:
            self.kill()
        else:
            self.stop()
        return self.start()

    def cleanup(self):
        """Kills the process if still running and removes a temp data dir."""
        self.kill()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self._log_dir, ignore_errors=True)

    def running(self):
        return self.external is not None or (
            self.proc is not None and self.proc.poll() is None)

    def stderr(self):
        return self._read(self._stderr_path)

    def stdout(self):
        return self._read(self._stdout_path)

    @staticmethod
    def _read(path):
        if not path:
            return ""
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # ---- clients ---------------------------------------------------------

    def endpoint(self, host=None):
        return "http://%s:%d" % (host or self.host, self.port)

    def client(self, host=None, **config):
        """A boto3 SQS client for this server. `host` overrides the hostname
        used in the endpoint (e.g. 'localhost'), which SQS reflects in URLs."""
        cfg = dict(retries={"max_attempts": 1, "mode": "standard"},
                   connect_timeout=5, read_timeout=60,
                   max_pool_connections=32)
        cfg.update(config)
        return boto3.client(
            "sqs", endpoint_url=self.endpoint(host), region_name=REGION,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=botocore.config.Config(**cfg))

    def raw_request(self, method, path, body=None, headers=None, timeout=10):
        """One HTTP request on a fresh connection: (status, headers, body)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def sqs_request(self, target, body, extra_headers=None, timeout=10):
        """A raw AWS JSON 1.0 call as boto3 would send it: returns
        (status, headers, body bytes). `target` None omits X-Amz-Target."""
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = sqs_headers(target)
        if extra_headers:
            headers.update(extra_headers)
        return self.raw_request("POST", "/", body=body, headers=headers, timeout=timeout)


def sqs_headers(target):
    """The headers boto3 sends with an SQS JSON call (the signature is not
    checked by Sluice; moto routes on the Authorization header's service)."""
    now = time.gmtime()
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AmazonSQS.%s" % target,
        "x-amzn-query-mode": "true",
        "User-Agent": "Boto3/1.43 e2e-raw",
        "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", now),
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/%s/%s/sqs/aws4_request, "
                         "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                         "Signature=%s" % (time.strftime("%Y%m%d", now), REGION, "0" * 64),
    }
    if target is None:
        del headers["X-Amz-Target"]
    return headers


class ServerTestCase(unittest.TestCase):
    """A test class sharing one server (started in setUpClass).

    Subclasses may set `config_text` (a JSON string written to a file and
    passed as --config). Each test gets `self.sqs`, a boto3 client, and
    `self.new_queue(...)` which creates a uniquely named queue and deletes it
    afterwards.
    """

    config_text = None
    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        config = None
        cls._config_dir = None
        if cls.config_text is not None and not under_moto():
            cls._config_dir = tempfile.mkdtemp(prefix="sluice-e2e-cfg-")
            config = os.path.join(cls._config_dir, "sluice.json")
            with open(config, "w") as f:
                f.write(cls.config_text)
        cls.server = Server(config=config)
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.server is not None and cls.server.running():
                cls.server.stop()
        finally:
            if cls.server is not None:
                cls.server.cleanup()
            if cls._config_dir:
                shutil.rmtree(cls._config_dir, ignore_errors=True)
            super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.sqs = self.server.client()

    def new_queue(self, prefix="q", attributes=None, tags=None, name=None):
        """Creates a queue (unique name unless given); returns its URL.
        The queue is deleted when the test ends."""
        name = name or unique_name(prefix)
        kwargs = {"QueueName": name}
        if attributes:
            kwargs["Attributes"] = {k: str(v) for k, v in attributes.items()}
        if tags:
            kwargs["tags"] = tags
        url = self.sqs.create_queue(**kwargs)["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        return url

    def _delete_quietly(self, url):
        try:
            self.sqs.delete_queue(QueueUrl=url)
        except Exception:
            pass

    def queue_arn(self, url):
        return self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def attrs(self, url, *names):
        return self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=list(names) or ["All"])["Attributes"]

    def error_code(self, exc):
        return exc.response["Error"]["Code"]

    def receive_all(self, url, expected, timeout=15.0, visibility=60, **kwargs):
        """Receives until `expected` distinct messages have come back or the
        deadline passes; returns {MessageId: message}."""
        seen = {}
        deadline = time.monotonic() + timeout
        while len(seen) < expected and time.monotonic() < deadline:
            resp = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                VisibilityTimeout=visibility, **kwargs)
            for m in resp.get("Messages", []):
                seen[m["MessageId"]] = m
        return seen


def run_in_thread(fn, *args, **kwargs):
    """Starts fn in a daemon thread; returns (thread, box) where box['result']
    or box['error'] is filled when it finishes and box['elapsed'] is its
    duration in seconds."""
    box = {}

    def body():
        start = time.monotonic()
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as e:  # reported by the caller
            box["error"] = e
        finally:
            box["elapsed"] = time.monotonic() - start

    t = threading.Thread(target=body, daemon=True)
    t.start()
    return t, box
