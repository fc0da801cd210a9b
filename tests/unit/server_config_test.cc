#include "sluice/server/config.h"

#include <gtest/gtest.h>

namespace sluice::server {
namespace {

TEST(ConfigTest, EmbeddedDefaultDeclaresThePaymentQueues) {
  Result<Config> config = ParseConfig("", "test");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->listen_host, "127.0.0.1");
  EXPECT_EQ(config->listen_port, 4566);
  EXPECT_EQ(config->durability, storage::Durability::kFull);
  std::map<std::string, QueueConfig> by_name;
  std::vector<std::string> order;
  for (const auto& queue : config->queues) {
    by_name[queue.name] = queue;
    order.push_back(queue.name);
  }
  ASSERT_EQ(by_name.size(), 8u);
  EXPECT_EQ(by_name["payment-events"].attributes["VisibilityTimeout"], "60");
  EXPECT_EQ(by_name["payment-events"].attributes["MessageRetentionPeriod"], "345600");
  EXPECT_EQ(by_name["payment-events"].dead_letter_queue, "payment-events-dlq");
  EXPECT_EQ(by_name["payment-events"].max_receive_count, 5);
  EXPECT_EQ(by_name["payment-events-dlq"].attributes["MessageRetentionPeriod"], "1209600");
  for (const char* name : {"payments", "refunds", "disputes"}) {
    const QueueConfig& queue = by_name[std::string(name) + "-queue"];
    EXPECT_EQ(queue.attributes.at("VisibilityTimeout"), "300");
    EXPECT_EQ(queue.attributes.at("MessageRetentionPeriod"), "604800");
    EXPECT_EQ(queue.dead_letter_queue, std::string(name) + "-dlq");
    EXPECT_EQ(queue.max_receive_count, 3);
    EXPECT_EQ(by_name[std::string(name) + "-dlq"].attributes.at("MessageRetentionPeriod"), "604800");
  }
  // Every dead-letter queue comes before its source.
  for (size_t i = 0; i < config->queues.size(); ++i) {
    const std::string& dlq = config->queues[i].dead_letter_queue;
    if (dlq.empty()) continue;
    auto position = std::find(order.begin(), order.end(), dlq) - order.begin();
    EXPECT_LT(static_cast<size_t>(position), i) << dlq;
  }
}

TEST(ConfigTest, UserFileOverridesKeysAndMergesObjects) {
  Result<Config> config = ParseConfig(
      R"({"listen":"[::1]:9000","durability":"normal","http":{"header_timeout_ms":250},"queues":[]})",
      "user.json");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->listen_host, "::1");
  EXPECT_EQ(config->listen_port, 9000);
  EXPECT_EQ(config->durability, storage::Durability::kNormal);
  EXPECT_EQ(config->header_timeout_ms, 250u);
  EXPECT_EQ(config->max_body_bytes, 8u * 1024 * 1024);
  EXPECT_TRUE(config->queues.empty());
  EXPECT_EQ(config->data_dir, "./sluice-data");
}

TEST(ConfigTest, UnknownKeyNamesFileAndKey) {
  Result<Config> config = ParseConfig(R"({"queues":[{"name":"a","atributes":{}}]})", "my.json");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "config my.json: queues[0].atributes: unknown key");
}

TEST(ConfigTest, WrongTypeNamesTheKey) {
  Result<Config> config = ParseConfig(R"({"http":{"max_connections":"many"}})", "my.json");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("config my.json: http.max_connections: wrong type"),
            std::string::npos)
      << config.status().message();
}

TEST(ConfigTest, UndeclaredDeadLetterQueueIsRefused) {
  Result<Config> config = ParseConfig(
      R"({"queues":[{"name":"a","dead_letter":{"queue":"a-dlq","max_receive_count":3}}]})", "my.json");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "config my.json: queues[0].dead_letter.queue: 'a-dlq' is not a declared queue (declare it in "
            "\"queues\")");
}

TEST(ConfigTest, MissingRequiredKeyAndBadEnumAndRange) {
  Result<Config> missing = ParseConfig(R"({"queues":[{"attributes":{}}]})", "f");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "config f: queues[0].name: missing required key");

  Result<Config> bad_enum = ParseConfig(R"({"durability":"sometimes"})", "f");
  ASSERT_FALSE(bad_enum.ok());
  EXPECT_NE(bad_enum.status().message().find("durability: \"sometimes\" is not one of"), std::string::npos);

  Result<Config> range = ParseConfig(
      R"({"queues":[{"name":"b"},{"name":"a","dead_letter":{"queue":"b","max_receive_count":0}}]})", "f");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.status().message().find("queues[1].dead_letter.max_receive_count: 0 is out of range"),
            std::string::npos)
      << range.status().message();
}

TEST(ConfigTest, FifoThroughputQuotas) {
  Result<Config> defaults = ParseConfig("{}", "f");
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_TRUE(defaults->fifo_quotas.enforce);  // as AWS: 300 per second per action
  EXPECT_EQ(defaults->fifo_quotas.transactions_per_second, 300);
  EXPECT_EQ(defaults->fifo_quotas.high_throughput_transactions_per_second, 70'000);

  Result<Config> set = ParseConfig(
      R"({"sqs":{"fifo_throughput":{"enforce":false,"transactions_per_second":5,)"
      R"("high_throughput_transactions_per_second":40}}})",
      "f");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_FALSE(set->fifo_quotas.enforce);
  EXPECT_EQ(set->fifo_quotas.transactions_per_second, 5);
  EXPECT_EQ(set->fifo_quotas.high_throughput_transactions_per_second, 40);

  Result<Config> zero = ParseConfig(R"({"sqs":{"fifo_throughput":{"transactions_per_second":0}}})", "f");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("sqs.fifo_throughput.transactions_per_second: 0 is out of range"),
            std::string::npos)
      << zero.status().message();
  Result<Config> typo = ParseConfig(R"({"sqs":{"fifo_throughput":{"enabled":true}}})", "f");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().message(), "config f: sqs.fifo_throughput.enabled: unknown key");
}

TEST(ConfigRoutesTest, FifoQueuesAndRoutesToThem) {
  const std::string queues =
      R"("queues":[{"name":"ledger-dlq.fifo"},{"name":"ledger.fifo","attributes":{"FifoThroughputLimit":"perMessageGroupId",)"
      R"("DeduplicationScope":"messageGroup"},"dead_letter":{"queue":"ledger-dlq.fifo","max_receive_count":3}}])";
  const std::string schema =
      R"("schema":{"type":"object","required":["id","account"],"properties":{"id":{"type":"string"},"account":{"type":"string"}}})";
  Result<Config> config = ParseConfig(
      "{" + queues + R"(,"routes":[{"name":"ledger","method":"POST","path":"/ledger",)" + schema +
          R"(,"dedup":{"key":"id"},"target":{"queue":"ledger.fifo","message_group_field":"account"}}]})",
      "f");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->queues.size(), 2u);
  EXPECT_EQ(config->queues[1].name, "ledger.fifo");
  EXPECT_EQ(config->queues[1].attributes.at("FifoQueue"), "true");  // the name says it
  EXPECT_EQ(config->queues[1].attributes.at("FifoThroughputLimit"), "perMessageGroupId");
  ASSERT_EQ(config->routes.size(), 1u);
  EXPECT_EQ(config->routes[0].message_group_field, "account");

  Result<Config> no_group = ParseConfig(
      "{" + queues + R"(,"routes":[{"name":"ledger","method":"POST","path":"/ledger",)" + schema +
          R"(,"target":{"queue":"ledger.fifo"}}]})",
      "f");
  ASSERT_FALSE(no_group.ok());
  EXPECT_EQ(no_group.status().message(),
            "config f: routes[0].target: 'ledger.fifo' is a FIFO queue: name the field whose value orders its "
            "messages in \"message_group_field\"");

  Result<Config> optional_group = ParseConfig(
      "{" + queues + R"(,"routes":[{"name":"ledger","method":"POST","path":"/ledger",)" + schema +
          R"(,"target":{"queue":"ledger.fifo","message_group_field":"region"}}]})",
      "f");
  ASSERT_FALSE(optional_group.ok());
  EXPECT_EQ(optional_group.status().message(),
            "config f: routes[0].target.message_group_field: 'region' must be in the schema's \"required\" list");

  Result<Config> bad_name = ParseConfig(R"({"queues":[{"name":"a.fifo.fifo"}]})", "f");
  ASSERT_FALSE(bad_name.ok());
  EXPECT_NE(bad_name.status().message().find("queues[0].name"), std::string::npos) << bad_name.status().message();
}

TEST(ConfigTest, NotJsonIsReportedWithOffset) {
  Result<Config> config = ParseConfig("{\"listen\": ", "broken.json");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("config broken.json: not valid JSON at offset"), std::string::npos);
}

TEST(ConfigTest, ListenAddressParsing) {
  std::string host;
  int port = 0;
  EXPECT_TRUE(ParseListenAddress("127.0.0.1:0", &host, &port).ok());
  EXPECT_EQ(port, 0);
  EXPECT_TRUE(ParseListenAddress("[::1]:4566", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListenAddress("127.0.0.1", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:99999", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress(":80", &host, &port).ok());
}

TEST(ConfigTest, DuplicateQueueIsRefused) {
  Result<Config> config = ParseConfig(R"({"queues":[{"name":"a"},{"name":"a"}]})", "f");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "config f: queues[1].name: queue 'a' is declared twice");
}

}  // namespace
}  // namespace sluice::server

namespace sluice::server {
namespace {

TEST(ConfigRoutesTest, EmbeddedDefaultDeclaresThePipelines) {
  Result<Config> config = ParseConfig("", "test");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->routes.size(), 2u);
  const gateway::RouteConfig& payments = config->routes[0];
  EXPECT_EQ(payments.name, "payments");
  EXPECT_EQ(payments.method, "POST");
  EXPECT_EQ(payments.path, "/payments");
  EXPECT_EQ(payments.target_queue, "payment-events");
  ASSERT_EQ(payments.defaults.size(), 2u);
  EXPECT_EQ(payments.defaults[0].field, "payment_id");
  EXPECT_EQ(payments.defaults[0].kind, gateway::FieldDefault::Kind::kUuid);
  EXPECT_EQ(payments.defaults[1].kind, gateway::FieldDefault::Kind::kNow);
  EXPECT_FALSE(payments.dedup_field.has_value());
  EXPECT_EQ(payments.throttle_rate_per_second, 0);

  const gateway::RouteConfig& webhook = config->routes[1];
  EXPECT_EQ(webhook.path, "/webhook");
  EXPECT_EQ(webhook.dedup_field, "event_id");
  EXPECT_EQ(webhook.dedup_ttl_seconds, 30 * 24 * 3600);
  EXPECT_EQ(webhook.target_field, "transaction_type");
  EXPECT_EQ(webhook.target_queues.at("payment"), "payments-queue");
  EXPECT_EQ(webhook.target_queues.at("refund"), "refunds-queue");
  EXPECT_EQ(webhook.target_queues.at("dispute"), "disputes-queue");
  EXPECT_EQ(webhook.throttle_rate_per_second, 1000);
  EXPECT_EQ(webhook.throttle_burst, 1000);
  EXPECT_NE(webhook.response_json.find("${event_id}"), std::string::npos);

  ASSERT_EQ(config->workers.size(), 1u);
  EXPECT_EQ(config->workers[0].queue, "payment-events");
  EXPECT_EQ(config->workers[0].batch_size, 5);
  EXPECT_EQ(config->workers[0].wait_seconds, 20);
  EXPECT_EQ(config->workers[0].bucket, "payments");
  EXPECT_EQ(config->workers[0].required_fields, std::vector<std::string>{"payment_id"});
  EXPECT_EQ(config->workers[0].key_template, "raw/dt=${date}/${uuid}.json");
  EXPECT_EQ(config->sink.buckets, std::vector<std::string>{"payments"});
}

TEST(ConfigRoutesTest, OwnQueuesDropTheDefaultRoutesAndWorkers) {
  Result<Config> config = ParseConfig(R"({"queues":[{"name":"q"}]})", "user.json");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->routes.empty());
  EXPECT_TRUE(config->workers.empty());
}

Status ParseError(const std::string& json) { return ParseConfig(json, "u.json").status(); }

TEST(ConfigRoutesTest, RouteMistakesNameTheKey) {
  const std::string queues = R"("queues":[{"name":"q"}],)";
  const std::string schema = R"("schema":{"type":"object","required":["id"]})";
  EXPECT_EQ(ParseError("{" + queues + R"("routes":[{"name":"r","path":"/in",)" + schema +
                       R"(,"target":{"queue":"nope"}}]})").message(),
            "config u.json: routes[0].target.queue: 'nope' is not a declared queue (declare it in \"queues\")");
  EXPECT_EQ(ParseError("{" + queues + R"("routes":[{"name":"r","path":"/in",)" + schema +
                       R"(,"target":{"queue":"q","field":"id"}}]})").message(),
            "config u.json: routes[0].target: name either \"queue\", or \"field\" with \"queues\" (a table from "
            "value to queue)");
  EXPECT_EQ(ParseError("{" + queues + R"("routes":[{"name":"r","path":"/in",)" + schema +
                       R"(,"dedup":{"key":"other"},"target":{"queue":"q"}}]})").message(),
            "config u.json: routes[0].dedup.key: 'other' must be in the schema's \"required\" list");
  EXPECT_EQ(ParseError("{" + queues + R"("routes":[{"name":"r","path":"/health/x",)" + schema +
                       R"(,"target":{"queue":"q"}}]})").message(),
            "config u.json: routes[0].path: '/health/x' is reserved (/, /health*, /_sluice/*)");
  EXPECT_EQ(ParseError("{" + queues + R"("routes":[{"name":"r","path":"/in",)" + schema +
                       R"(,"defaults":{"x":"$uuidd"},"target":{"queue":"q"}}]})").message(),
            "config u.json: routes[0].defaults.x: '$uuidd' is not a known generator (\"$uuid\", \"$now\")");
  EXPECT_EQ(ParseError("{" + queues + R"("routes":[{"name":"r","path":"/in",)" + schema +
                       R"(,"target":{"queue":"q"}},{"name":"s","path":"/in",)" + schema +
                       R"(,"target":{"queue":"q"}}]})").message(),
            "config u.json: routes[1].path: another route already serves POST /in");
}

TEST(ConfigRoutesTest, WorkerMistakesNameTheKey) {
  EXPECT_EQ(ParseError(R"({"queues":[{"name":"q"}],"workers":[{"name":"w","queue":"x","bucket":"b-1"}]})").message(),
            "config u.json: workers[0].queue: 'x' is not a declared queue (declare it in \"queues\")");
  EXPECT_EQ(ParseError(R"({"queues":[{"name":"q"}],"workers":[{"name":"w","queue":"q","bucket":"B"}]})").message(),
            "config u.json: workers[0].bucket: 'B' is not a bucket name (3-63 of a-z 0-9 . -, starting and ending "
            "with a letter or digit)");
  Result<Config> config = ParseConfig(
      R"({"queues":[{"name":"q"}],"sink":{"buckets":[]},"workers":[{"name":"w","queue":"q","bucket":"archive",)"
      R"("batch_size":10,"wait_seconds":0,"visibility_timeout":2,"key":"x/${uuid}"}]})",
      "u.json");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->sink.buckets, std::vector<std::string>{"archive"});  // a worker's bucket is created
  EXPECT_EQ(config->workers[0].batch_size, 10);
  EXPECT_EQ(config->workers[0].wait_seconds, 0);
  EXPECT_EQ(config->workers[0].visibility_timeout, 2);
  EXPECT_EQ(config->workers[0].key_template, "x/${uuid}");
}

}  // namespace
}  // namespace sluice::server

namespace sluice::server {
namespace {

TEST(ConfigRoutesTest, WorkerKeyTemplateIsChecked) {
  EXPECT_EQ(ParseConfig(R"({"queues":[{"name":"q"}],"workers":[{"name":"w","queue":"q","bucket":"bkt","key":"a/${date}"}]})",
                        "u.json").status().message(),
            "config u.json: workers[0].key: 'a/${date}' needs ${uuid} or ${message_id}, or every event would "
            "overwrite one object");
}

}  // namespace
}  // namespace sluice::server
