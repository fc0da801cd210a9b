"""HTTP/1.1 behaviour of the front end, over raw sockets.

Keep-alive, pipelining, chunked bodies, Expect: 100-continue, the size limits
(413, 431), malformed requests (400 and close), the header timeout, the
connection limit, SIGTERM with a parked long poll, the data-dir lock, and the
default loopback-only listen address.

These need a process of their own with small limits, so they skip when
SLUICE_ENDPOINT points at an external server (moto's werkzeug server closes
every connection anyway).
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import harness
from harness import Server, ServerTestCase, requires_process, run_in_thread, wait_until

LIMITS = {"http": {"max_header_bytes": 2048, "max_body_bytes": 65536,
                   "header_timeout_ms": 1000}}


class RawConnection:
    """A client socket with a buffered reader for HTTP/1.1 responses."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by server")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self, head_only=False):
        """(status, {lower-name: value}, body). Informational (1xx) responses
        are returned like any other, with an empty body."""
        status_line = self._line().decode("latin-1")
        version, status, _ = (status_line.split(" ", 2) + [""])[:3]
        assert version.startswith("HTTP/1."), status_line
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(status)
        if head_only or 100 <= status < 200:
            return status, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    return status, headers, body
                body += self._exactly(size)
                self._exactly(2)
        return status, headers, self._exactly(int(headers.get("content-length", "0")))

    def closed_by_peer(self, timeout=10):
        """True once the server has closed the connection (EOF or reset),
        after discarding anything it still sends; False on timeout."""
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
        return False


def sqs_post(target, body, host="127.0.0.1", extra=""):
    """Bytes of one SQS JSON request as boto3 would send it."""
    data = json.dumps(body).encode()
    head = ("POST / HTTP/1.1\r\nHost: %s\r\n" % host +
            "".join("%s: %s\r\n" % kv for kv in harness.sqs_headers(target).items()) +
            "Content-Length: %d\r\n%s\r\n" % (len(data), extra))
    return head.encode() + data


def health_get(host="127.0.0.1"):
    return ("GET /health HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode()


def config_file(test, content):
    d = tempfile.mkdtemp(prefix="sluice-e2e-cfg-")
    test.addCleanup(shutil.rmtree, d, True)
    path = os.path.join(d, "sluice.json")
    with open(path, "w") as f:
        json.dump(content, f)
    return path


@requires_process()
class ConnectionTest(ServerTestCase):
    config_text = json.dumps(LIMITS)

    def setUp(self):
        super().setUp()
        self.url = self.new_queue("http")
        self.name = self.url.rsplit("/", 1)[1]
        self.host = "127.0.0.1:%d" % self.server.port  # as a client sends it

    def conn(self):
        c = RawConnection(self.server.port)
        self.addCleanup(c.close)
        return c

    def test_health(self):
        c = self.conn()
        c.send(health_get())
        status, headers, body = c.read_response()
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], "ok")

    def test_keep_alive(self):
        c = self.conn()
        for i in range(5):
            c.send(sqs_post("GetQueueUrl", {"QueueName": self.name}, self.host))
            status, headers, body = c.read_response()
            self.assertEqual(status, 200, body)
            self.assertNotEqual(headers.get("connection", "").lower(), "close")
            self.assertEqual(json.loads(body)["QueueUrl"], self.url)

    def test_pipelined_requests_answer_in_order(self):
        other = self.new_queue("http2")
        c = self.conn()
        c.send(sqs_post("GetQueueUrl", {"QueueName": self.name}, self.host) +
               sqs_post("GetQueueUrl", {"QueueName": other.rsplit("/", 1)[1]}, self.host) +
               health_get())
        first, second, third = c.read_response(), c.read_response(), c.read_response()
        self.assertEqual((first[0], second[0], third[0]), (200, 200, 200))
        self.assertEqual(json.loads(first[2])["QueueUrl"], self.url)
        self.assertEqual(json.loads(second[2])["QueueUrl"], other)
        self.assertEqual(json.loads(third[2])["status"], "ok")

    def test_pipelined_send_then_receive(self):
        c = self.conn()
        c.send(sqs_post("SendMessage", {"QueueUrl": self.url, "MessageBody": "piped"}, self.host) +
               sqs_post("ReceiveMessage", {"QueueUrl": self.url, "WaitTimeSeconds": 5}, self.host))
        sent = c.read_response()
        got = c.read_response()
        self.assertEqual(sent[0], 200)
        self.assertEqual(got[0], 200)
        self.assertEqual([m["Body"] for m in json.loads(got[2])["Messages"]], ["piped"])

    def test_chunked_request_body(self):
        body = json.dumps({"QueueUrl": self.url, "MessageBody": "chunked body " * 50}).encode()
        pieces = [body[i:i + 100] for i in range(0, len(body), 100)]
        head = ("POST / HTTP/1.1\r\nHost: %s\r\n" % self.host +
                "".join("%s: %s\r\n" % kv for kv in harness.sqs_headers("SendMessage").items()) +
                "Transfer-Encoding: chunked\r\n\r\n").encode()
        c = self.conn()
        c.send(head)
        for p in pieces:
            c.send(b"%x\r\n%s\r\n" % (len(p), p))
        c.send(b"0\r\n\r\n")
        status, _, resp = c.read_response()
        self.assertEqual(status, 200, resp)
        m = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=5)["Messages"][0]
        self.assertEqual(m["Body"], "chunked body " * 50)

    def test_expect_100_continue(self):
        data = json.dumps({"QueueName": self.name}).encode()
        c = self.conn()
        c.send(("POST / HTTP/1.1\r\nHost: %s\r\n" % self.host +
                "".join("%s: %s\r\n" % kv for kv in harness.sqs_headers("GetQueueUrl").items()) +
                "Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % len(data)).encode())
        status, _, _ = c.read_response()
        self.assertEqual(status, 100)
        c.send(data)
        status, _, body = c.read_response()
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["QueueUrl"], self.url)

    def test_body_over_limit_is_413(self):
        data = b"{" + b" " * 70000 + b"}"
        c = self.conn()
        c.send(("POST / HTTP/1.1\r\nHost: %s\r\n" % self.host +
                "".join("%s: %s\r\n" % kv for kv in harness.sqs_headers("ListQueues").items()) +
                "Content-Length: %d\r\n\r\n" % len(data)).encode())
        try:
            c.send(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading it all
        status, _, _ = c.read_response()
        self.assertEqual(status, 413)
        self.assertTrue(self.server.running())
        self.sqs.list_queues()

    def test_declared_length_over_limit_is_413_without_the_body(self):
        c = self.conn()
        c.send(("POST / HTTP/1.1\r\nHost: %s\r\n" % self.host +
                "".join("%s: %s\r\n" % kv for kv in harness.sqs_headers("ListQueues").items()) +
                "Content-Length: 100000000\r\n\r\n").encode())
        status, _, _ = c.read_response()
        self.assertEqual(status, 413)
        self.assertTrue(c.closed_by_peer())

    def test_huge_head_is_431(self):
        c = self.conn()
        c.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 4096 +
               b"\r\n\r\n")
        status, _, _ = c.read_response()
        self.assertEqual(status, 431)
        self.assertTrue(c.closed_by_peer())

    def test_malformed_request_is_400_and_closed_others_unaffected(self):
        bystander = self.conn()
        bystander.send(health_get())
        self.assertEqual(bystander.read_response()[0], 200)
        for garbage in (b"THIS IS NOT HTTP\r\n\r\n",
                        b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"zz\r\n"):
            with self.subTest(request=garbage[:30]):
                c = self.conn()
                c.send(garbage)
                status, _, _ = c.read_response()
                self.assertEqual(status, 400)
                self.assertTrue(c.closed_by_peer(), "connection left open after a 400")
        # The earlier keep-alive connection still works.
        bystander.send(sqs_post("GetQueueUrl", {"QueueName": self.name}, self.host))
        status, _, body = bystander.read_response()
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["QueueUrl"], self.url)

    def test_slow_header_client_is_closed(self):
        c = self.conn()
        c.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finishes the head
        t0 = time.monotonic()
        self.assertTrue(c.closed_by_peer(timeout=15), "slow client still connected")
        self.assertLess(time.monotonic() - t0, 15)
        # Others are served meanwhile.
        self.sqs.list_queues()

    def test_unknown_path_and_method(self):
        c = self.conn()
        c.send(b"GET /no/such/thing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status, _, _ = c.read_response()
        self.assertIn(status, (400, 404))
        c.send(health_get())
        self.assertEqual(c.read_response()[0], 200)


@requires_process()
class ConnectionLimitTest(ServerTestCase):
    config_text = json.dumps({"http": {"max_connections": 4}})

    def test_over_the_limit_gets_503_and_close(self):
        held = []

        def one_more_held():
            # The harness's health probe may not be reaped yet: retry until
            # the server has room, then keep the connection open.
            c = RawConnection(self.server.port)
            try:
                c.send(health_get())
                if c.read_response()[0] == 200:
                    held.append(c)
                    self.addCleanup(c.close)
                    return True
            except (EOFError, ConnectionResetError):
                pass
            c.close()
            return False
        for _ in range(4):
            wait_until(one_more_held, timeout=10, message="connection under the limit")
        extra = RawConnection(self.server.port)
        self.addCleanup(extra.close)
        try:
            extra.send(health_get())
            status, _, _ = extra.read_response()
            self.assertEqual(status, 503)
        except (EOFError, ConnectionResetError):
            pass  # closed before it could answer: also refused
        self.assertTrue(extra.closed_by_peer())
        held.pop().close()

        def fresh_connection_served():
            c = RawConnection(self.server.port)
            try:
                c.send(health_get())
                return c.read_response()[0] == 200
            except (EOFError, ConnectionResetError):
                return False
            finally:
                c.close()
        wait_until(fresh_connection_served, timeout=10,
                   message="a slot freed by a closed connection")


@requires_process()
class ProcessTest(unittest.TestCase):

    def start(self, **kwargs):
        server = Server(**kwargs)
        self.addCleanup(server.cleanup)
        return server.start()

    def test_sigterm_with_a_parked_long_poll_exits_zero_promptly(self):
        server = self.start()
        sqs = server.client()
        url = sqs.create_queue(QueueName="parked")["QueueUrl"]
        thread, box = run_in_thread(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=20)
        thread.join(timeout=0.5)
        self.assertTrue(thread.is_alive(), "receive on an empty queue returned: %r" % box)
        t0 = time.monotonic()
        code = server.stop(timeout=15)
        elapsed = time.monotonic() - t0
        self.assertEqual(code, 0)
        self.assertLess(elapsed, 5.0, "shutdown waited for the long poll")
        thread.join(timeout=10)
        self.assertFalse(thread.is_alive())
        # Drained: the parked receive was answered (empty), not cut off.
        self.assertNotIn("error", box, box.get("error"))
        self.assertEqual(box["result"].get("Messages", []), [])

    def test_sigint_exits_zero(self):
        server = self.start()
        server.client().list_queues()
        server.proc.send_signal(2)
        self.assertEqual(server.proc.wait(timeout=15), 0, server.stderr())

    def test_messages_survive_a_clean_restart(self):
        server = self.start()
        sqs = server.client()
        url = sqs.create_queue(QueueName="durable")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="kept")
        server.restart()
        m = server.client().receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        self.assertEqual([x["Body"] for x in m], ["kept"])

    def test_second_server_on_the_same_data_dir_fails(self):
        first = self.start()
        second = Server(data_dir=first.data_dir)
        self.addCleanup(second.cleanup)
        second.port = harness.free_port()
        proc = subprocess.run(second.command(), capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        output = proc.stderr + proc.stdout
        self.assertTrue(first.data_dir in output or os.path.realpath(first.data_dir) in output,
                        "the error does not name the data dir:\n" + output)
        self.assertTrue(first.running())
        first.client().list_queues()

    def test_listens_only_on_loopback_by_default(self):
        ip = non_loopback_address()
        if ip is None:
            self.skipTest("this machine has no non-loopback IPv4 address")
        data_dir = tempfile.mkdtemp(prefix="sluice-e2e-")
        self.addCleanup(shutil.rmtree, data_dir, True)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", 4566))
            except OSError:
                self.skipTest("port 4566 (the default) is in use here")
        log = tempfile.TemporaryFile()
        self.addCleanup(log.close)
        proc = subprocess.Popen([harness.sluice_bin(), "serve", "--data-dir", data_dir],
                                stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))

        def healthy():
            if proc.poll() is not None:
                log.seek(0)
                out = log.read().decode("utf-8", "replace")
                if "in use" in out.lower():
                    self.skipTest("port 4566 was taken meanwhile")
                self.fail("sluice exited: %s" % out)
            try:
                with socket.create_connection(("127.0.0.1", 4566), timeout=1):
                    return True
            except OSError:
                return False
        wait_until(healthy, timeout=10, message="default listener on 127.0.0.1:4566")
        with self.assertRaises(OSError):
            socket.create_connection((ip, 4566), timeout=2).close()
        proc.terminate()
        self.assertEqual(proc.wait(timeout=15), 0)


def non_loopback_address():
    """An IPv4 address of this machine other than 127.x, or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


if __name__ == "__main__":
    unittest.main()
