// The whole command line in memory: argv in, the HTTP requests it makes, its
// output and its exit code out. A scripted fake server stands in for sluice.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <deque>
#include <map>
#include <sstream>

#include "cli_test_util.h"
#include "sluice/cli/app.h"

namespace sluice::cli {
namespace {

using test_util::Outcome;

struct Call {
  std::string action;  // "SendMessage", or "GET <target>" for the admin API
  rapidjson::Document body;
};

// Answers each action with scripted responses, in order; the last one
// repeats. Records every call.
class FakeServer final : public Transport {
 public:
  void On(const std::string& action, std::string json, int status = 200) {
    script_[action].push_back(HttpResponse{status, {}, std::move(json)});
  }
  void Unreachable() { unreachable_ = true; }
  void Reset() {
    script_.clear();
    calls.clear();
  }

  Result<HttpResponse> RoundTrip(const HttpRequest& request) override {
    if (unreachable_) {
      return Status(Code::kUnavailable, "cannot reach sluice at http://127.0.0.1:4566: connection refused");
    }
    Call call;
    if (request.method == "GET") {
      call.action = "GET " + request.target;
      call.body.SetObject();
    } else {
      for (const HttpHeader& header : request.headers) {
        if (header.name == "X-Amz-Target") call.action = header.value.substr(header.value.find('.') + 1);
      }
      call.body.Parse(request.body.c_str());
    }
    std::string action = call.action;
    calls.push_back(std::move(call));
    auto it = script_.find(action);
    if (it == script_.end()) {
      return HttpResponse{400, {}, R"({"__type":"com.amazonaws.sqs#UnknownOperation","message":"unscripted )" + action + "\"}"};
    }
    HttpResponse response = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return response;
  }

  std::vector<Call> calls;
  std::vector<std::string> actions() const {
    std::vector<std::string> names;
    for (const Call& call : calls) names.push_back(call.action);
    return names;
  }

 private:
  std::map<std::string, std::deque<HttpResponse>> script_;
  bool unreachable_ = false;
};

class CliCommands : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("SLUICE_ENDPOINT"); }

  Outcome Run(std::vector<std::string> args) {
    Environment env;
    env.connect = [this](const Endpoint& endpoint) {
      endpoints.push_back(endpoint.url);
      return std::make_unique<test_util::Forward>(&server);
    };
    env.serve = [this](const server::ServeOptions& options) {
      serve_options = options;
      return 7;
    };
    env.move_poll_interval = std::chrono::milliseconds(0);
    return test_util::RunSluice(std::move(args), std::move(env));
  }

  void ScriptQueueUrl(const std::string& name) {
    server.On("GetQueueUrl", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/)" + name + "\"}");
  }

  FakeServer server;
  std::vector<std::string> endpoints;
  std::optional<server::ServeOptions> serve_options;
};

std::string Str(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString()) return "<absent>";
  return object[name].GetString();
}

TEST_F(CliCommands, SendMapsArgumentsToSendMessage) {
  ScriptQueueUrl("orders");
  server.On("SendMessage", R"({"MessageId":"m-1","MD5OfMessageBody":"x"})");
  Outcome outcome = Run({"send", "orders", "hello world", "--delay", "5", "--attr", "k=v",
                         "--attr", "expr=a=b", "--attr", "empty="});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "m-1\n");
  ASSERT_EQ(server.actions(), (std::vector<std::string>{"GetQueueUrl", "SendMessage"}));
  EXPECT_EQ(Str(server.calls[0].body, "QueueName"), "orders");
  const rapidjson::Document& send = server.calls[1].body;
  EXPECT_EQ(Str(send, "QueueUrl"), "http://127.0.0.1:4566/000000000000/orders");
  EXPECT_EQ(Str(send, "MessageBody"), "hello world");
  EXPECT_EQ(send["DelaySeconds"].GetInt(), 5);
  const rapidjson::Value& attributes = send["MessageAttributes"];
  ASSERT_EQ(attributes.MemberCount(), 3u);
  EXPECT_EQ(Str(attributes["k"], "DataType"), "String");
  EXPECT_EQ(Str(attributes["k"], "StringValue"), "v");
  EXPECT_EQ(Str(attributes["expr"], "StringValue"), "a=b");  // split at the first '='
  EXPECT_EQ(Str(attributes["empty"], "StringValue"), "");
  EXPECT_FALSE(send.HasMember("MessageGroupId"));
}

TEST_F(CliCommands, SendWithoutOptionsSendsOnlyQueueAndBody) {
  ScriptQueueUrl("q");
  server.On("SendMessage", R"({"MessageId":"m-2","MD5OfMessageBody":"x"})");
  Outcome outcome = Run({"send", "q", "b", "--json"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const rapidjson::Document& send = server.calls[1].body;
  EXPECT_EQ(send.MemberCount(), 2u);
  rapidjson::Document printed;
  printed.Parse(outcome.out.c_str());
  ASSERT_FALSE(printed.HasParseError()) << outcome.out;
  EXPECT_EQ(Str(printed, "message_id"), "m-2");
}

TEST_F(CliCommands, MalformedAttrIsAUsageErrorAndSendsNothing) {
  for (auto args : {std::vector<std::string>{"send", "q", "b", "--attr", "novalue"},
                    std::vector<std::string>{"queue", "create", "q", "--attr", "=v"},
                    std::vector<std::string>{"receive", "q", "-n", "11"},
                    std::vector<std::string>{"dlq", "redrive", "q", "--rate", "0"},
                    std::vector<std::string>{"queue"},
                    std::vector<std::string>{"frobnicate"},
                    std::vector<std::string>{}}) {
    Outcome outcome = Run(args);
    EXPECT_EQ(outcome.exit_code, kExitUsage) << ::testing::PrintToString(args);
    EXPECT_EQ(outcome.err.rfind("error: ", 0), 0u) << outcome.err;
  }
  EXPECT_TRUE(server.calls.empty());
}

TEST_F(CliCommands, CreateQueueSendsAttributesVerbatim) {
  server.On("CreateQueue", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/work"})");
  std::string policy = R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:work-dlq","maxReceiveCount":"1"})";
  Outcome outcome = Run({"queue", "create", "work", "--attr", "VisibilityTimeout=0", "--attr",
                         "RedrivePolicy=" + policy});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "http://127.0.0.1:4566/000000000000/work\n");
  const rapidjson::Document& create = server.calls[0].body;
  EXPECT_EQ(Str(create, "QueueName"), "work");
  EXPECT_EQ(Str(create["Attributes"], "VisibilityTimeout"), "0");
  EXPECT_EQ(Str(create["Attributes"], "RedrivePolicy"), policy);
}

TEST_F(CliCommands, DeleteAndPurgeResolveTheUrlFirst) {
  ScriptQueueUrl("q");
  server.On("DeleteQueue", "{}");
  server.On("PurgeQueue", "");
  Outcome deleted = Run({"queue", "delete", "q"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "deleted q\n");
  Outcome purged = Run({"queue", "purge", "q", "--json"});
  ASSERT_EQ(purged.exit_code, 0) << purged.err;
  EXPECT_NE(purged.out.find("\"purged\": true"), std::string::npos) << purged.out;
  ASSERT_EQ(server.actions(),
            (std::vector<std::string>{"GetQueueUrl", "DeleteQueue", "GetQueueUrl", "PurgeQueue"}));
  EXPECT_EQ(Str(server.calls[3].body, "QueueUrl"), "http://127.0.0.1:4566/000000000000/q");
}

TEST_F(CliCommands, AttrsIsASortedKeyValueTable) {
  ScriptQueueUrl("q");
  server.On("GetQueueAttributes", R"({"Attributes":{"VisibilityTimeout":"30","DelaySeconds":"0"}})");
  Outcome outcome = Run({"queue", "attrs", "q"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "ATTRIBUTE          VALUE\n"
            "DelaySeconds       0\n"
            "VisibilityTimeout  30\n");
  EXPECT_EQ(server.calls[1].body["AttributeNames"][0].GetString(), std::string("All"));
}

void ScriptTwoQueues(FakeServer& server) {
  server.On("ListQueues", R"({"QueueUrls":["http://h/000000000000/work","http://h/000000000000/dead"]})");
  server.On("GetQueueAttributes",
            R"({"Attributes":{"ApproximateNumberOfMessages":"12","ApproximateNumberOfMessagesNotVisible":"3",)"
            R"("ApproximateNumberOfMessagesDelayed":"1","RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dead\",\"maxReceiveCount\":1}"}})");
  server.On("GetQueueAttributes",
            R"({"Attributes":{"ApproximateNumberOfMessages":"2","ApproximateNumberOfMessagesNotVisible":"0","ApproximateNumberOfMessagesDelayed":"0"}})");
}

TEST_F(CliCommands, QueuesTableShowsCountsAndDlqSortedByName) {
  ScriptTwoQueues(server);
  Outcome outcome = Run({"queues"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "NAME  VISIBLE  IN FLIGHT  DELAYED  DLQ\n"
            "dead        2          0        0  -\n"
            "work       12          3        1  dead\n");
  EXPECT_EQ(server.actions(),
            (std::vector<std::string>{"ListQueues", "GetQueueAttributes", "GetQueueAttributes"}));
}

TEST_F(CliCommands, QueuesJson) {
  ScriptTwoQueues(server);
  Outcome outcome = Run({"queues", "--json"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  rapidjson::Document printed;
  printed.Parse(outcome.out.c_str());
  ASSERT_TRUE(printed.IsArray()) << outcome.out;
  ASSERT_EQ(printed.Size(), 2u);
  EXPECT_EQ(Str(printed[1], "name"), "work");
  EXPECT_EQ(printed[1]["visible"].GetInt(), 12);
  EXPECT_EQ(printed[1]["in_flight"].GetInt(), 3);
  EXPECT_EQ(printed[1]["delayed"].GetInt(), 1);
  EXPECT_EQ(Str(printed[1], "dlq"), "dead");
  EXPECT_TRUE(printed[0]["dlq"].IsNull());
}

TEST_F(CliCommands, QueuesSkipsAQueueDeletedMeanwhile) {
  server.On("ListQueues", R"({"QueueUrls":["http://h/000000000000/gone"]})");
  server.On("GetQueueAttributes", R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"})", 400);
  Outcome outcome = Run({"queues", "--json"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "[]\n");
}

TEST_F(CliCommands, ReceiveMapsOptionsShowsMessagesThenDeletes) {
  ScriptQueueUrl("q");
  server.On("ReceiveMessage",
            R"({"Messages":[{"MessageId":"m-1","ReceiptHandle":"r-1","Body":"one\ntwo","Attributes":{"ApproximateReceiveCount":"2"}},)"
            R"({"MessageId":"m-2","ReceiptHandle":"r-2","Body":"three","Attributes":{"ApproximateReceiveCount":"1"}}]})");
  server.On("DeleteMessage", "{}");
  Outcome outcome = Run({"receive", "q", "-n", "3", "--wait", "2", "--visibility", "0", "--delete"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "ID   RECEIVES  BODY\n"
            "m-1         2  one\\ntwo\n"
            "m-2         1  three\n");
  ASSERT_EQ(server.actions(), (std::vector<std::string>{"GetQueueUrl", "ReceiveMessage",
                                                         "DeleteMessage", "DeleteMessage"}));
  const rapidjson::Document& receive = server.calls[1].body;
  EXPECT_EQ(receive["MaxNumberOfMessages"].GetInt(), 3);
  EXPECT_EQ(receive["WaitTimeSeconds"].GetInt(), 2);
  EXPECT_EQ(receive["VisibilityTimeout"].GetInt(), 0);
  EXPECT_EQ(Str(server.calls[2].body, "ReceiptHandle"), "r-1");
  EXPECT_EQ(Str(server.calls[3].body, "ReceiptHandle"), "r-2");
}

TEST_F(CliCommands, ReceiveDefaultsAndJsonKeepsTheServersMessageShape) {
  ScriptQueueUrl("q");
  server.On("ReceiveMessage",
            R"({"Messages":[{"MessageId":"m-1","ReceiptHandle":"r-1","Body":"b","MD5OfBody":"d"}]})");
  Outcome outcome = Run({"receive", "q", "--json"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const rapidjson::Document& receive = server.calls[1].body;
  EXPECT_EQ(receive["MaxNumberOfMessages"].GetInt(), 1);
  EXPECT_FALSE(receive.HasMember("WaitTimeSeconds"));
  EXPECT_FALSE(receive.HasMember("VisibilityTimeout"));
  EXPECT_EQ(server.actions().size(), 2u);  // no --delete, no DeleteMessage
  rapidjson::Document printed;
  printed.Parse(outcome.out.c_str());
  ASSERT_TRUE(printed.IsArray()) << outcome.out;
  EXPECT_EQ(Str(printed[0], "ReceiptHandle"), "r-1");
  EXPECT_EQ(Str(printed[0], "MD5OfBody"), "d");
}

TEST_F(CliCommands, EmptyReceiveSaysSoOnStderr) {
  ScriptQueueUrl("q");
  server.On("ReceiveMessage", "{}");
  Outcome outcome = Run({"receive", "q"});
  ASSERT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "(no messages)\n");
}

TEST_F(CliCommands, ServerErrorPrintsTypeAndMessageAndExits1) {
  server.On("GetQueueUrl",
            R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})", 400);
  Outcome outcome = Run({"send", "nope", "body"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "error: QueueDoesNotExist: The specified queue does not exist.\n");
}

TEST_F(CliCommands, NonJsonServerErrorStillExits1) {
  server.On("ListQueues", "<html>Internal Server Error</html>", 500);
  Outcome outcome = Run({"queues"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.err, "error: unexpected HTTP 500 response: <html>Internal Server Error</html>\n");
}

TEST_F(CliCommands, ServerSideUnavailableIsNotMistakenForUnreachable) {
  server.On("ListQueues", R"({"__type":"com.amazonaws.sqs#Unavailable","message":"shutting down"})", 503);
  Outcome outcome = Run({"queues"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.err, "error: Unavailable: shutting down\n");
}

TEST_F(CliCommands, UnreachableServerExits3) {
  server.Unreachable();
  Outcome outcome = Run({"queues"});
  EXPECT_EQ(outcome.exit_code, kExitUnreachable);
  EXPECT_EQ(outcome.err, "error: cannot reach sluice at http://127.0.0.1:4566: connection refused\n");
}

TEST_F(CliCommands, EndpointFromFlagFromEnvironmentAndBadEndpoint) {
  server.On("ListQueues", "{}");
  ASSERT_EQ(Run({"queues"}).exit_code, 0);
  ::setenv("SLUICE_ENDPOINT", "http://127.0.0.1:9000", 1);
  ASSERT_EQ(Run({"queues"}).exit_code, 0);
  ASSERT_EQ(Run({"queues", "--endpoint", "http://localhost:9001/"}).exit_code, 0);
  ::unsetenv("SLUICE_ENDPOINT");
  EXPECT_EQ(endpoints, (std::vector<std::string>{"http://127.0.0.1:4566", "http://127.0.0.1:9000",
                                                 "http://localhost:9001"}));
  Outcome bad = Run({"queues", "--endpoint", "https://example.com"});
  EXPECT_EQ(bad.exit_code, kExitUsage);
  EXPECT_EQ(bad.err, "error: invalid endpoint \"https://example.com\": only http:// is supported\n");
}

TEST_F(CliCommands, DlqListShowsDepthAndSources) {
  ScriptTwoQueues(server);
  server.On("ListDeadLetterSourceQueues", R"({"queueUrls":["http://h/000000000000/work"]})");
  Outcome outcome = Run({"dlq", "list"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "NAME  DEPTH  SOURCES\n"
            "dead      2  work\n");
  EXPECT_EQ(Str(server.calls.back().body, "QueueUrl"), "http://h/000000000000/dead");

  server.Reset();
  ScriptTwoQueues(server);
  server.On("ListDeadLetterSourceQueues", R"({"queueUrls":["http://h/000000000000/work"]})");
  Outcome json = Run({"dlq", "list", "--json"});
  rapidjson::Document printed;
  printed.Parse(json.out.c_str());
  ASSERT_TRUE(printed.IsArray()) << json.out;
  ASSERT_EQ(printed.Size(), 1u);
  EXPECT_EQ(printed[0]["depth"].GetInt(), 2);
  EXPECT_EQ(std::string(printed[0]["sources"][0].GetString()), "work");
}

TEST_F(CliCommands, DlqPeekUsesTheAdminApi) {
  server.On("GET /_sluice/v1/queues/dead/messages?max=5",
            R"({"messages":[{"MessageId":"m-9","Body":"hi","SentTimestamp":1700000000000,"VisibleAt":1700000000000,)"
            R"("ReceiveCount":2,"DeadLetterSourceQueue":"work","MessageAttributes":{}}]})");
  Outcome outcome = Run({"dlq", "peek", "dead", "-n", "5"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "ID   RECEIVES  SENT                  SOURCE  BODY\n"
            "m-9         2  2023-11-14T22:13:20Z  work    hi\n");
}

TEST_F(CliCommands, DlqPeekOfAMissingQueue) {
  server.On("GET /_sluice/v1/queues/nope/messages?max=10",
            R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})", 400);
  Outcome outcome = Run({"dlq", "peek", "nope"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.err, "error: QueueDoesNotExist: The specified queue does not exist.\n");
}

void ScriptArns(FakeServer& server) {
  server.On("GetQueueUrl", R"({"QueueUrl":"http://h/000000000000/dead"})");
  server.On("GetQueueUrl", R"({"QueueUrl":"http://h/000000000000/other"})");
  server.On("GetQueueAttributes", R"({"Attributes":{"QueueArn":"arn:aws:sqs:us-east-1:000000000000:dead"}})");
  server.On("GetQueueAttributes", R"({"Attributes":{"QueueArn":"arn:aws:sqs:us-east-1:000000000000:other"}})");
  server.On("StartMessageMoveTask", R"({"TaskHandle":"t-1"})");
}

TEST_F(CliCommands, RedriveStartsAMoveTaskAndWatchesItToTheEnd) {
  ScriptArns(server);
  server.On("ListMessageMoveTasks",
            R"({"Results":[{"TaskHandle":"t-1","Status":"RUNNING","ApproximateNumberOfMessagesMoved":0,"ApproximateNumberOfMessagesToMove":2}]})");
  server.On("ListMessageMoveTasks",
            R"({"Results":[{"TaskHandle":"t-1","Status":"RUNNING","ApproximateNumberOfMessagesMoved":0,"ApproximateNumberOfMessagesToMove":2}]})");
  server.On("ListMessageMoveTasks",
            R"({"Results":[{"Status":"COMPLETED","ApproximateNumberOfMessagesMoved":2,"ApproximateNumberOfMessagesToMove":2}]})");
  Outcome outcome = Run({"dlq", "redrive", "dead", "--to", "other", "--rate", "50"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err, "moved 0/2\nmoved 2/2\n");  // a line per change, not per poll
  EXPECT_EQ(outcome.out, "moved 2 messages from dead to other\n");
  const Call* start = nullptr;
  for (const Call& call : server.calls) {
    if (call.action == "StartMessageMoveTask") start = &call;
  }
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(Str(start->body, "SourceArn"), "arn:aws:sqs:us-east-1:000000000000:dead");
  EXPECT_EQ(Str(start->body, "DestinationArn"), "arn:aws:sqs:us-east-1:000000000000:other");
  EXPECT_EQ(start->body["MaxNumberOfMessagesPerSecond"].GetInt(), 50);
  EXPECT_EQ(Str(server.calls.back().body, "SourceArn"), "arn:aws:sqs:us-east-1:000000000000:dead");
  EXPECT_EQ(server.actions().back(), "ListMessageMoveTasks");
}

TEST_F(CliCommands, RedriveWithoutDestinationGoesBackToTheSources) {
  ScriptArns(server);
  server.On("ListMessageMoveTasks",
            R"({"Results":[{"Status":"COMPLETED","ApproximateNumberOfMessagesMoved":1,"ApproximateNumberOfMessagesToMove":1}]})");
  Outcome outcome = Run({"dlq", "redrive", "dead", "--json"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  for (const Call& call : server.calls) {
    if (call.action == "StartMessageMoveTask") {
      EXPECT_FALSE(call.body.HasMember("DestinationArn"));
      EXPECT_FALSE(call.body.HasMember("MaxNumberOfMessagesPerSecond"));
    }
  }
  rapidjson::Document printed;
  printed.Parse(outcome.out.c_str());
  ASSERT_TRUE(printed.IsObject()) << outcome.out;
  EXPECT_EQ(Str(printed, "status"), "COMPLETED");
  EXPECT_EQ(printed["moved"].GetInt(), 1);
  EXPECT_TRUE(printed["destination"].IsNull());
}

TEST_F(CliCommands, FailedRedriveExitsNonZeroWithTheReason) {
  ScriptArns(server);
  server.On("ListMessageMoveTasks",
            R"({"Results":[{"Status":"FAILED","ApproximateNumberOfMessagesMoved":1,"ApproximateNumberOfMessagesToMove":3,"FailureReason":"destination deleted"}]})");
  Outcome outcome = Run({"dlq", "redrive", "dead"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.err, "moved 1/3\nerror: redrive of dead failed: destination deleted\n");
}

TEST_F(CliCommands, VersionAndServe) {
  Outcome version = Run({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, "sluice " SLUICE_VERSION "\n");

  Outcome serve = Run({"serve", "--listen", "127.0.0.1:0", "--data-dir", "/tmp/x"});
  EXPECT_EQ(serve.exit_code, 7);  // whatever RunServe returns
  ASSERT_TRUE(serve_options.has_value());
  EXPECT_EQ(serve_options->listen, "127.0.0.1:0");
  EXPECT_EQ(serve_options->data_dir, "/tmp/x");
  EXPECT_FALSE(serve_options->config_path.has_value());
  EXPECT_TRUE(server.calls.empty());
}

TEST_F(CliCommands, HelpExitsZero) {
  Outcome help = Run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("dlq"), std::string::npos);
  Outcome sub = Run({"dlq", "redrive", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--rate"), std::string::npos) << sub.out;
}

}  // namespace
}  // namespace sluice::cli
