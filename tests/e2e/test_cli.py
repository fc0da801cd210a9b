"""The `sluice` command line, run as a subprocess against a real server.

Every admin command is the real binary ($SLUICE_BIN) talking HTTP to a
`sluice serve` that the harness started on a free loopback port (and stops
with SIGTERM). With SLUICE_ENDPOINT set to a moto_server, the same commands
run against moto, except what moto lacks: the Sluice admin API (dlq peek,
/health) and message move tasks (dlq redrive); those tests skip.

The CLI's own contract checked here: tables by default and --json on
request; exit 0 on success, 1 with "error: <Type>: <message>" when the server
says no, 2 on usage errors, 3 when nothing answers at the endpoint.
"""

import json
import os
import re
import subprocess
import unittest

import harness
from harness import (ServerTestCase, run_sluice, free_port, requires_process, skip_under_moto,
                     unique_name, wait_until)

# A CLI call is one short HTTP exchange (or a bounded redrive); anything
# slower than this is a hang, and the test should say so rather than wait.
NO_ADMIN_API = "moto has no Sluice admin API (/_sluice/v1, /health)"
NO_MOVE_TASKS = "moto does not implement message move tasks"
VERSION_RE = re.compile(r"^sluice \d+\.\d+\.\d+\S*$")


class CliTestCase(ServerTestCase):

    def sluice(self, *args, expect=0):
        """Runs an admin command against the test server; asserts the exit code."""
        result = run_sluice(*args, "--endpoint", self.server.endpoint())
        self.assertEqual(result.returncode, expect,
                         "sluice %s exited %d\nstdout:\n%s\nstderr:\n%s" % (
                             " ".join(args), result.returncode, result.stdout,
                             result.stderr))
        return result

    def sluice_json(self, *args):
        return json.loads(self.sluice(*args, "--json").stdout)

    def cli_queue(self, prefix="cli", attrs=()):
        """Creates a queue through the CLI (deleted after the test); returns its name."""
        name = unique_name(prefix)
        args = ["queue", "create", name]
        for attr in attrs:
            args += ["--attr", attr]
        url = self.sluice(*args).stdout.strip()
        self.assertTrue(url.endswith("/" + name), url)
        self.addCleanup(self._delete_quietly, url)
        return name

    def queue_row(self, name):
        rows = [q for q in self.sluice_json("queues") if q["name"] == name]
        return rows[0] if rows else None

    def arn(self, name):
        return self.sluice_json("queue", "attrs", name)["attributes"]["QueueArn"]

    def assert_server_error(self, result, error_type):
        self.assertEqual(result.stdout, "")
        self.assertTrue(result.stderr.startswith("error: %s: " % error_type), result.stderr)


class TestQueues(CliTestCase):

    def test_create_attrs_and_the_queues_table(self):
        name = self.cli_queue(attrs=["VisibilityTimeout=45", "DelaySeconds=0"])

        attrs = self.sluice_json("queue", "attrs", name)
        self.assertEqual(attrs["name"], name)
        self.assertEqual(attrs["attributes"]["VisibilityTimeout"], "45")
        self.assertTrue(attrs["attributes"]["QueueArn"].endswith(":" + name))
        table = self.sluice("queue", "attrs", name).stdout.splitlines()
        self.assertEqual(table[0].split(), ["ATTRIBUTE", "VALUE"])
        self.assertIn(["VisibilityTimeout", "45"], [line.split() for line in table])

        self.sluice("send", name, "one")
        self.sluice("send", name, "two")
        self.sluice("send", name, "later", "--delay", "120")
        wait_until(lambda: (self.queue_row(name) or {}).get("visible") == 2,
                   message="queues --json shows 2 visible messages")
        row = self.queue_row(name)
        self.assertEqual((row["in_flight"], row["delayed"], row["dlq"]), (0, 1, None))
        self.assertTrue(row["url"].endswith("/" + name))

        lines = self.sluice("queues").stdout.splitlines()
        self.assertEqual(lines[0].split(), ["NAME", "VISIBLE", "IN", "FLIGHT", "DELAYED", "DLQ"])
        mine = [line.split() for line in lines[1:] if line.split()[0] == name]
        self.assertEqual(mine, [[name, "2", "0", "1", "-"]])

    def test_purge_then_delete(self):
        name = self.cli_queue()
        self.sluice("send", name, "doomed")
        wait_until(lambda: self.queue_row(name)["visible"] == 1)
        self.assertEqual(self.sluice("queue", "purge", name).stdout, "purged %s\n" % name)
        wait_until(lambda: self.queue_row(name)["visible"] == 0, message="purged queue is empty")

        deleted = self.sluice_json("queue", "delete", name)
        self.assertEqual((deleted["name"], deleted["deleted"]), (name, True))
        wait_until(lambda: self.queue_row(name) is None, message="deleted queue is not listed")
        self.assert_server_error(self.sluice("queue", "attrs", name, expect=1),
                                 "QueueDoesNotExist")


class TestMessages(CliTestCase):

    def test_send_prints_the_message_id_and_receive_shows_it(self):
        name = self.cli_queue()
        message_id = self.sluice("send", name, "hello\nworld", "--attr", "kind=greeting",
                                 "--attr", "expr=a=b").stdout.strip()
        self.assertRegex(message_id, r"^[0-9a-fA-F-]{16,}$")

        received = self.sluice_json("receive", name, "-n", "10", "--wait", "5",
                                    "--visibility", "0")
        self.assertEqual(len(received), 1, received)
        message = received[0]
        self.assertEqual(message["MessageId"], message_id)
        self.assertEqual(message["Body"], "hello\nworld")
        self.assertTrue(message["ReceiptHandle"])
        self.assertEqual(message["MessageAttributes"]["kind"],
                         {"DataType": "String", "StringValue": "greeting"})
        self.assertEqual(message["MessageAttributes"]["expr"]["StringValue"], "a=b")

        # Visible again at once (visibility 0): the table shows the second receive.
        lines = self.sluice("receive", name, "--wait", "5").stdout.splitlines()
        self.assertEqual(lines[0].split(), ["ID", "RECEIVES", "BODY"])
        self.assertEqual(lines[1].split(), [message_id, "2", "hello\\nworld"])

    def test_receive_delete_consumes(self):
        name = self.cli_queue()
        self.sluice("send", name, "once")
        received = self.sluice_json("receive", name, "--wait", "5", "--visibility", "0",
                                    "--delete")
        self.assertEqual([m["Body"] for m in received], ["once"])
        wait_until(lambda: self.queue_row(name)["visible"] + self.queue_row(name)["in_flight"] == 0,
                   message="deleted message is gone")
        empty = self.sluice("receive", name)
        self.assertEqual(empty.stdout, "")
        self.assertEqual(empty.stderr, "(no messages)\n")
        self.assertEqual(self.sluice_json("receive", name), [])


class TestDeadLetterQueues(CliTestCase):

    def make_pair(self):
        """A source queue that dead-letters after one receive: (source, dlq)."""
        dlq = self.cli_queue("cli-dlq")
        policy = json.dumps({"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": "1"})
        source = self.cli_queue("cli-src", attrs=["VisibilityTimeout=0",
                                                  "RedrivePolicy=" + policy])
        return source, dlq

    def dead_letter(self, source, dlq, body):
        """Sends `body` and receives it until it lands in the DLQ; returns its id."""
        message_id = self.sluice("send", source, body).stdout.strip()

        def moved():
            self.sluice("receive", source, "-n", "10")  # the receive past maxReceiveCount moves it
            rows = [r for r in self.sluice_json("dlq", "list") if r["name"] == dlq]
            return rows and rows[0]["depth"] == 1 and rows[0]
        row = wait_until(moved, timeout=20, message="message reaches the DLQ")
        self.assertEqual(row["sources"], [source])
        return message_id

    def test_list_shows_depth_and_sources(self):
        source, dlq = self.make_pair()
        self.dead_letter(source, dlq, "poison")
        self.assertEqual(self.queue_row(source)["dlq"], dlq)
        lines = [line.split() for line in self.sluice("dlq", "list").stdout.splitlines()]
        self.assertEqual(lines[0], ["NAME", "DEPTH", "SOURCES"])
        self.assertIn([dlq, "1", source], lines)
        self.assertNotIn(source, [line[0] for line in lines])

    @skip_under_moto(NO_ADMIN_API)
    def test_peek_does_not_consume(self):
        source, dlq = self.make_pair()
        message_id = self.dead_letter(source, dlq, "poison pill")
        for _ in range(2):
            peeked = self.sluice_json("dlq", "peek", dlq)
            self.assertEqual(len(peeked), 1, peeked)
            self.assertEqual(peeked[0]["MessageId"], message_id)
            self.assertEqual(peeked[0]["Body"], "poison pill")
            # The engine decides whether dead-lettering resets the count; the
            # CLI only passes it through.
            self.assertIsInstance(peeked[0]["ReceiveCount"], int)
            self.assertEqual(peeked[0]["DeadLetterSourceQueue"], source)
        lines = self.sluice("dlq", "peek", dlq, "-n", "5").stdout.splitlines()
        self.assertEqual(lines[0].split(), ["ID", "RECEIVES", "SENT", "SOURCE", "BODY"])
        fields = lines[1].split()
        self.assertEqual(fields[0], message_id)
        self.assertRegex(fields[2], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(fields[3:], [source, "poison", "pill"])
        self.assertEqual(self.queue_row(dlq)["visible"], 1)

    @skip_under_moto(NO_MOVE_TASKS)
    def test_redrive_back_to_the_source(self):
        source, dlq = self.make_pair()
        message_id = self.dead_letter(source, dlq, "retry me")

        result = self.sluice("dlq", "redrive", dlq)
        self.assertIn("moved 1/1", result.stderr)
        self.assertEqual(result.stdout,
                         "moved 1 message from %s back to their source queues\n" % dlq)
        back = self.sluice_json("receive", source, "--wait", "5", "--visibility", "30")
        self.assertEqual([(m["MessageId"], m["Body"]) for m in back], [(message_id, "retry me")])
        self.assertEqual(self.queue_row(dlq)["visible"], 0)

    @skip_under_moto(NO_MOVE_TASKS)
    def test_redrive_to_another_queue_with_a_rate(self):
        source, dlq = self.make_pair()
        self.dead_letter(source, dlq, "elsewhere")
        target = self.cli_queue("cli-target")
        summary = self.sluice_json("dlq", "redrive", dlq, "--to", target, "--rate", "10")
        self.assertEqual((summary["status"], summary["moved"], summary["to_move"]),
                         ("COMPLETED", 1, 1))
        self.assertEqual(summary["destination"], target)
        got = self.sluice_json("receive", target, "--wait", "5")
        self.assertEqual([m["Body"] for m in got], ["elsewhere"])

    @skip_under_moto(NO_MOVE_TASKS)
    def test_redrive_of_a_queue_that_is_no_dlq_fails(self):
        plain = self.cli_queue()
        result = self.sluice("dlq", "redrive", plain, expect=1)
        self.assertEqual(result.stdout, "")
        self.assertTrue(result.stderr.startswith("error: "), result.stderr)


class TestErrors(CliTestCase):

    def test_nonexistent_queue_exits_1_with_the_servers_error(self):
        missing = unique_name("missing")
        for args in (["send", missing, "x"], ["receive", missing], ["queue", "attrs", missing],
                     ["queue", "purge", missing], ["queue", "delete", missing],
                     ["dlq", "redrive", missing]):
            result = self.sluice(*args, expect=1)
            self.assertEqual(result.stderr,
                             "error: QueueDoesNotExist: The specified queue does not exist.\n",
                             args)
            self.assertEqual(result.stdout, "")

    @skip_under_moto(NO_ADMIN_API)
    def test_peek_of_a_nonexistent_queue(self):
        result = self.sluice("dlq", "peek", unique_name("missing"), expect=1)
        self.assert_server_error(result, "QueueDoesNotExist")

    def test_unreachable_endpoint_exits_3(self):
        endpoint = "http://127.0.0.1:%d" % free_port()
        result = run_sluice("queues", "--endpoint", endpoint)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertEqual(result.stderr,
                         "error: cannot reach sluice at %s: connection refused\n" % endpoint)
        self.assertEqual(result.stdout, "")

    def test_usage_errors_exit_2_without_calling_the_server(self):
        name = self.cli_queue()
        endpoint = ["--endpoint", self.server.endpoint()]
        for args in (["send", name, "x", "--attr", "no-equals-sign"] + endpoint,
                     ["receive", name, "-n", "0"] + endpoint,
                     ["queue", "create"] + endpoint,
                     ["queues", "--endpoint", "https://127.0.0.1:1"],
                     ["bogus"], []):
            result = run_sluice(*args)
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertTrue(result.stderr.startswith("error: "), (args, result.stderr))
        self.assertEqual(self.queue_row(name)["visible"], 0)

    def test_endpoint_from_the_environment(self):
        name = self.cli_queue()
        result = run_sluice("queues", "--json", env_endpoint=self.server.endpoint())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(name, [q["name"] for q in json.loads(result.stdout)])
        # The flag wins over the environment.
        dead = "http://127.0.0.1:%d" % free_port()
        result = run_sluice("queues", "--endpoint", self.server.endpoint(), env_endpoint=dead)
        self.assertEqual(result.returncode, 0, result.stderr)


class TestLocal(unittest.TestCase):
    """Commands that need no server."""

    def test_version(self):
        result = run_sluice("version")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout.strip(), VERSION_RE)
        self.assertEqual(run_sluice("--version").stdout, result.stdout)

    def test_serve_with_a_missing_config_file_is_a_usage_error(self):
        result = run_sluice("serve", "--config", "/nonexistent/sluice.json")
        self.assertEqual(result.returncode, 2, result.stderr)


@requires_process()
class TestServe(unittest.TestCase):
    """`sluice serve` as the harness runs it (serve --listen --data-dir, /health
    polled with a deadline, SIGTERM), and state surviving a restart."""

    def test_health_and_a_restart_keep_the_queue(self):
        server = harness.Server()
        self.addCleanup(server.cleanup)
        server.start()
        endpoint = server.endpoint()

        health = run_sluice("health", "--json", "--endpoint", endpoint)
        self.assertEqual(health.returncode, 0, health.stderr)
        self.assertEqual(json.loads(health.stdout)["status"], "ok")
        version = run_sluice("version").stdout.strip()
        self.assertEqual("sluice " + json.loads(health.stdout)["version"], version)

        name = unique_name("durable")
        self.assertEqual(run_sluice("queue", "create", name, "--endpoint", endpoint).returncode, 0)
        self.assertEqual(run_sluice("send", name, "kept", "--endpoint", endpoint).returncode, 0)
        server.restart()

        got = run_sluice("receive", name, "--json", "--wait", "5", "--endpoint", endpoint)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual([m["Body"] for m in json.loads(got.stdout)], ["kept"])
        server.stop()
        result = run_sluice("queues", "--endpoint", endpoint)
        self.assertEqual(result.returncode, 3, result.stderr)


if __name__ == "__main__":
    unittest.main()
