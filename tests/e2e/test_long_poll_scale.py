"""Thousands of parked long polls on one queue.

The issue promises that a waiting ReceiveMessage parks on the loop, costs no
CPU while it waits, wakes as soon as a message is committed, and that
"thousands of parked receivers are fine". This test parks PARKED receives
(WaitTimeSeconds=20) on one queue over raw keep-alive sockets, each request
built as boto3 builds it, and checks while they wait:

  - the process is idle: its CPU time (utime + stime from /proc/PID/stat)
    grows by less than CPU_BOUND_S over a WINDOW_S measurement window;
  - /health and a boto3 SendMessage/ReceiveMessage on another queue answer
    promptly;
  - MESSAGES messages sent to the queue are answered to exactly MESSAGES
    parked receives, one message each, and every other receive is still
    parked;
  - closing every client socket frees the server's connections, and the
    server stays healthy and serves a new long poll.

How "all parked" is known without sleeping: the requests are written before
we look; the server has accepted every connection (its fd count) and its CPU
time has stopped moving, so libuv has read every socket (epoll is level
triggered) and the storage thread has run every receive. Any receive that was
answered instead would be readable on our side, which we check.

Runtime: well under 20 s of parking (the WaitTimeSeconds), asserted.

LongPollWakeTest covers two wake-ups found missing in review: a parked
receive must look again when ChangeMessageVisibility shortens a timeout to a
non-zero value, and when a receive on a source queue moves a message into the
dead-letter queue it waits on.
"""

import json
import os
import resource
import selectors
import socket
import time
import unittest

from harness import Server, ServerTestCase, requires_process, sqs_headers, unique_name, wait_until

PARKED = 1000          # concurrent long polls
MESSAGES = 50          # messages sent while they are parked
WINDOW_S = 2.0         # CPU measurement window
CPU_BOUND_S = 0.25     # CPU seconds allowed over WINDOW_S (idle is ~0)
PROMPT_S = 2.0         # what "promptly" means for /health and SendMessage
WAIT_SECONDS = 20      # the receives' WaitTimeSeconds
CLK_TCK = os.sysconf("SC_CLK_TCK")


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def cpu_seconds(pid):
    """utime + stime of the whole process (all threads), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After "pid (comm)": state is field 3, utime 14, stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def wait_quiescent(pid, timeout=15.0, span=0.3):
    """Polls until the process's CPU time has not moved for `span` seconds
    (at most one clock tick of noise). Returns the time it took."""
    start = time.monotonic()
    tick = 1.0 / CLK_TCK
    state = {"at": time.monotonic(), "cpu": cpu_seconds(pid)}

    def still():
        now, cpu = time.monotonic(), cpu_seconds(pid)
        if cpu - state["cpu"] > tick + 1e-9:
            state["at"], state["cpu"] = now, cpu
            return False
        return now - state["at"] >= span

    wait_until(still, timeout=timeout, interval=0.05,
               message="server CPU time to stop growing")
    return time.monotonic() - start


def receive_request(host, port, queue_url):
    """A ReceiveMessage exactly as boto3 sends it (AWS JSON 1.0)."""
    body = json.dumps({"QueueUrl": queue_url,
                       "WaitTimeSeconds": WAIT_SECONDS}).encode()
    headers = sqs_headers("ReceiveMessage")
    headers["Host"] = "%s:%d" % (host, port)
    headers["Content-Length"] = str(len(body))
    headers["Connection"] = "keep-alive"
    head = "POST / HTTP/1.1\r\n" + "".join(
        "%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
    return head.encode("latin-1") + body


def parse_response(buf):
    """(status, headers, body, rest) for one complete Content-Length response
    at the start of `buf`, or None if more bytes are needed."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = buf[:end].decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if len(buf) < end + 4 + length:
        return None
    body = buf[end + 4:end + 4 + length]
    return status, headers, body, buf[end + 4 + length:]


class ParkedReceives:
    """PARKED raw client sockets, each with one ReceiveMessage outstanding."""

    def __init__(self, host, port, queue_url, count):
        self.selector = selectors.DefaultSelector()
        self.buffers = {}
        self.responses = []  # (status, headers, body)
        self.closed_by_server = 0
        request = receive_request(host, port, queue_url)
        for _ in range(count):
            sock = socket.create_connection((host, port), timeout=10)
            sock.sendall(request)
            sock.setblocking(False)
            self.buffers[sock] = b""
            self.selector.register(sock, selectors.EVENT_READ)

    def poll(self, timeout):
        """Reads whatever is readable within `timeout`; returns how many
        sockets were readable."""
        events = self.selector.select(timeout)
        for key, _ in events:
            sock = key.fileobj
            try:
                chunk = sock.recv(65536)
            except BlockingIOError:
                continue
            if not chunk:
                self.closed_by_server += 1
                self.selector.unregister(sock)
                continue
            buf = self.buffers[sock] + chunk
            while True:
                parsed = parse_response(buf)
                if parsed is None:
                    break
                status, headers, body, buf = parsed
                self.responses.append((status, headers, body))
            self.buffers[sock] = buf
        return len(events)

    def collect(self, expected, timeout):
        deadline = time.monotonic() + timeout
        while len(self.responses) < expected:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.poll(remaining)
        return self.responses

    def close(self):
        for sock in list(self.buffers):
            try:
                self.selector.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
        self.buffers.clear()
        self.selector.close()


@requires_process()
class LongPollScaleTest(unittest.TestCase):

    def setUp(self):
        raise_fd_limit(PARKED + 1024)
        self.server = Server()
        self.server.start()
        self.addCleanup(self.server.cleanup)
        self.sqs = self.server.client()
        self.pid = self.server.proc.pid

    def test_thousand_parked_receives(self):
        server, sqs, pid = self.server, self.sqs, self.pid
        url = sqs.create_queue(QueueName=unique_name("parked"),
                               Attributes={"VisibilityTimeout": "600"})["QueueUrl"]
        other = sqs.create_queue(QueueName=unique_name("other"))["QueueUrl"]
        baseline_fds = fd_count(pid)

        parked_at = time.monotonic()
        clients = ParkedReceives(server.host, server.port, url, PARKED)
        self.addCleanup(clients.close)

        # Every connection accepted, then the process goes quiet: every
        # request has been read and run, and none was answered.
        wait_until(lambda: fd_count(pid) >= baseline_fds + PARKED, timeout=15,
                   message="server to accept %d connections" % PARKED)
        wait_quiescent(pid)
        clients.poll(0)
        self.assertEqual(clients.responses, [], "a parked receive was answered early")
        self.assertEqual(clients.closed_by_server, 0)

        # Idle while parked: the window is spent watching the sockets, so an
        # early answer would also show up here.
        cpu_before = cpu_seconds(pid)
        window_end = time.monotonic() + WINDOW_S
        while time.monotonic() < window_end:
            clients.poll(window_end - time.monotonic())
        cpu_used = cpu_seconds(pid) - cpu_before
        self.assertLess(cpu_used, CPU_BOUND_S,
                        "server used %.3fs CPU in %.1fs with %d parked receives"
                        % (cpu_used, WINDOW_S, PARKED))
        self.assertEqual(clients.responses, [])

        # Still serving other work promptly.
        start = time.monotonic()
        status, _, body = server.raw_request("GET", "/health", timeout=PROMPT_S)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["status"], "ok")
        sent = sqs.send_message(QueueUrl=other, MessageBody="elsewhere")
        got = sqs.receive_message(QueueUrl=other, WaitTimeSeconds=1)["Messages"]
        self.assertEqual(got[0]["MessageId"], sent["MessageId"])
        self.assertLess(time.monotonic() - start, PROMPT_S,
                        "/health + SendMessage + ReceiveMessage too slow with parked receives")

        # MESSAGES sends wake exactly MESSAGES receives, one message each.
        sent_ids = {}
        for batch in range(MESSAGES // 10):
            entries = [{"Id": "m%d" % i, "MessageBody": "body-%d-%d" % (batch, i)}
                       for i in range(10)]
            resp = sqs.send_message_batch(QueueUrl=url, Entries=entries)
            self.assertEqual(resp.get("Failed", []), [])
            bodies = {e["Id"]: e["MessageBody"] for e in entries}
            for ok in resp["Successful"]:
                sent_ids[ok["MessageId"]] = bodies[ok["Id"]]
        self.assertEqual(len(sent_ids), MESSAGES)

        responses = clients.collect(MESSAGES, timeout=10)
        self.assertEqual(len(responses), MESSAGES,
                         "%d of %d messages reached parked receives"
                         % (len(responses), MESSAGES))
        received = {}
        for status, _, body in responses:
            self.assertEqual(status, 200, body)
            messages = json.loads(body).get("Messages", [])
            self.assertEqual(len(messages), 1, body)
            received[messages[0]["MessageId"]] = messages[0]["Body"]
        self.assertEqual(received, sent_ids)

        # The rest are still parked: once the server is quiet again nothing
        # more has been answered, and all the messages are in flight.
        wait_quiescent(pid)
        clients.poll(0)
        self.assertEqual(len(clients.responses), MESSAGES)
        self.assertEqual(clients.closed_by_server, 0)
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], str(MESSAGES))
        self.assertLess(time.monotonic() - parked_at, WAIT_SECONDS - 2,
                        "too slow: the parked receives may have reached their deadline, "
                        "so 'still parked' proves nothing")

        # Hang up on every parked receive: the server lets go of them.
        clients.close()
        wait_until(lambda: fd_count(pid) < baseline_fds + 50, timeout=10,
                   message="server to close the abandoned connections")
        status, _, body = server.raw_request("GET", "/health")
        self.assertEqual(status, 200, body)

        # No abandoned waiter swallows a new message: a fresh long poll gets it.
        fresh = sqs.send_message(QueueUrl=url, MessageBody="after")
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        self.assertEqual([m["MessageId"] for m in got], [fresh["MessageId"]])
        self.assertEqual(server.stop(), 0)


class LongPollWakeTest(ServerTestCase):
    """Wake-ups beyond "a message was sent": each parked receive (raw
    socket, WaitTimeSeconds=WAIT_SECONDS) must return long before its
    deadline."""

    EARLY_S = 8.0  # well under WAIT_SECONDS, well over the 2 s visibility

    def park(self, url):
        """Parks one raw ReceiveMessage (WaitTimeSeconds=WAIT_SECONDS) on
        `url`; returns (clients, parked_at) once the server has run it."""
        clients = ParkedReceives(self.server.host, self.server.port, url, 1)
        self.addCleanup(clients.close)
        parked_at = time.monotonic()
        # The request is in the server's socket buffer; once the process is
        # quiet it has been read and run (see the module docstring).
        wait_quiescent(self.server.proc.pid)
        clients.poll(0)
        self.assertEqual(clients.responses, [], "the receive returned at once")
        return clients, parked_at

    def assert_received(self, clients, parked_at, message_id):
        responses = clients.collect(1, timeout=self.EARLY_S)
        self.assertEqual(len(responses), 1, "the parked receive was not woken in %.0fs"
                         % self.EARLY_S)
        status, _, body = responses[0]
        self.assertEqual(status, 200, body)
        got = [m["MessageId"] for m in json.loads(body).get("Messages", [])]
        self.assertEqual(got, [message_id])
        self.assertLess(time.monotonic() - parked_at, self.EARLY_S)

    @requires_process()
    def test_shortened_visibility_wakes_a_parked_receive(self):
        url = self.new_queue("vis")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="retry me")
        handle = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)[
            "Messages"][0]["ReceiptHandle"]
        clients, parked_at = self.park(url)
        # A consumer backs off: the message comes back in 2 s, not 600.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle,
                                           VisibilityTimeout=2)
        self.assert_received(clients, parked_at, sent["MessageId"])

    @requires_process()
    def test_shortened_visibility_in_a_batch_wakes_a_parked_receive(self):
        url = self.new_queue("visb")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="retry me")
        handle = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)[
            "Messages"][0]["ReceiptHandle"]
        clients, parked_at = self.park(url)
        resp = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": handle, "VisibilityTimeout": 2}])
        self.assertEqual([e["Id"] for e in resp["Successful"]], ["a"])
        self.assert_received(clients, parked_at, sent["MessageId"])

    @requires_process()
    def test_move_to_the_dlq_wakes_a_receive_parked_on_it(self):
        dlq = self.new_queue("dlq")
        source = self.new_queue("src", attributes={"RedrivePolicy": json.dumps({
            "deadLetterTargetArn": self.queue_arn(dlq), "maxReceiveCount": 1})})
        sent = self.sqs.send_message(QueueUrl=source, MessageBody="poison")
        first = self.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
        self.assertEqual(len(first["Messages"]), 1)
        clients, parked_at = self.park(dlq)
        # One receive too many: the message moves to the DLQ, where the
        # parked receive must see it now, not at its deadline.
        self.assertEqual(self.sqs.receive_message(QueueUrl=source).get("Messages", []), [])
        self.assert_received(clients, parked_at, sent["MessageId"])


if __name__ == "__main__":
    unittest.main()
