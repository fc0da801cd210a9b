// sluice dedup get|forget and sluice workers, against a scripted admin API.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "cli_test_util.h"

namespace sluice::cli {
namespace {

using test_util::FakeAdminApi;
using test_util::Outcome;
using test_util::RunSluice;

class CliDedupWorkers : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("SLUICE_ENDPOINT"); }
  Outcome Run(std::vector<std::string> args) { return RunSluice(std::move(args), &api); }

  FakeAdminApi api;
};

constexpr char kRecord[] =
    R"({"route":"webhook","key":"evt_1","queue":"payments-queue","message_id":"m-1",)"
    R"("created":"2026-01-15T10:00:00.000Z","expires":"2026-01-16T10:00:00.000Z"})";

TEST_F(CliDedupWorkers, DedupGetShowsTheRecord) {
  api.On("GET /_sluice/v1/dedup/webhook/evt_1", kRecord);
  Outcome outcome = Run({"dedup", "get", "webhook", "evt_1"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "ROUTE    KEY    QUEUE           MESSAGE ID  CREATED                   EXPIRES\n"
            "webhook  evt_1  payments-queue  m-1         2026-01-15T10:00:00.000Z  2026-01-16T10:00:00.000Z\n");

  Outcome json = Run({"dedup", "get", "webhook", "evt_1", "--json"});
  rapidjson::Document printed;
  printed.Parse(json.out.c_str());
  ASSERT_TRUE(printed.IsObject()) << json.out;
  EXPECT_EQ(std::string(printed["message_id"].GetString()), "m-1");
  EXPECT_EQ(std::string(printed["expires"].GetString()), "2026-01-16T10:00:00.000Z");
}

TEST_F(CliDedupWorkers, DedupPercentEncodesRouteAndKeyAsPathSegments) {
  api.On("GET /_sluice/v1/dedup/web%20hook/evt%2F1%3Fa%3Db%26c%25", kRecord);
  api.On("DELETE /_sluice/v1/dedup/web%20hook/evt%2F1%3Fa%3Db%26c%25", R"({"forgotten":true})");
  ASSERT_EQ(Run({"dedup", "get", "web hook", "evt/1?a=b&c%"}).exit_code, 0);
  ASSERT_EQ(Run({"dedup", "forget", "web hook", "evt/1?a=b&c%"}).exit_code, 0);
  EXPECT_EQ(api.calls(), (std::vector<std::string>{"GET /_sluice/v1/dedup/web%20hook/evt%2F1%3Fa%3Db%26c%25",
                                                   "DELETE /_sluice/v1/dedup/web%20hook/evt%2F1%3Fa%3Db%26c%25"}));
}

TEST_F(CliDedupWorkers, DedupGetOfNoRecordExits1) {
  api.On("GET /_sluice/v1/dedup/webhook/evt_9", R"({"error":"no dedup record"})", 404);
  Outcome outcome = Run({"dedup", "get", "webhook", "evt_9"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "error: no dedup record for evt_9 on route webhook (no dedup record)\n");
}

TEST_F(CliDedupWorkers, DedupOfAnUnknownRouteKeepsTheServersReason) {
  api.On("GET /_sluice/v1/dedup/webhok/evt_1", R"({"error":"unknown route webhok"})", 404);
  Outcome outcome = Run({"dedup", "get", "webhok", "evt_1"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.err, "error: no dedup record for evt_1 on route webhok (unknown route webhok)\n");
}

TEST_F(CliDedupWorkers, DedupForgetDeletes) {
  api.On("DELETE /_sluice/v1/dedup/webhook/evt_1", R"({"forgotten":true})");
  Outcome outcome = Run({"dedup", "forget", "webhook", "evt_1"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "forgot evt_1 on route webhook\n");
  EXPECT_EQ(api.requests.at(0).method, "DELETE");

  Outcome json = Run({"dedup", "forget", "webhook", "evt_1", "--json"});
  rapidjson::Document printed;
  printed.Parse(json.out.c_str());
  ASSERT_TRUE(printed.IsObject()) << json.out;
  EXPECT_TRUE(printed["forgotten"].GetBool());
  EXPECT_EQ(std::string(printed["key"].GetString()), "evt_1");
}

TEST_F(CliDedupWorkers, DedupForgetOfNoRecordExits1) {
  api.On("DELETE /_sluice/v1/dedup/webhook/evt_1", R"({"error":"no record"})", 404);
  Outcome outcome = Run({"dedup", "forget", "webhook", "evt_1"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.err, "error: no dedup record for evt_1 on route webhook (no record)\n");
}

TEST_F(CliDedupWorkers, DedupOtherErrorsAreNotRewordedAsMissing) {
  api.On("GET /_sluice/v1/dedup/webhook/evt_1", R"({"error":"storage failed"})", 503);
  Outcome outcome = Run({"dedup", "get", "webhook", "evt_1"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.err, "error: storage failed\n");
}

TEST_F(CliDedupWorkers, DedupNeedsRouteAndKey) {
  for (auto args : {std::vector<std::string>{"dedup", "get", "webhook"},
                    std::vector<std::string>{"dedup", "forget"},
                    std::vector<std::string>{"dedup"}}) {
    EXPECT_EQ(Run(args).exit_code, kExitUsage) << ::testing::PrintToString(args);
  }
  EXPECT_TRUE(api.requests.empty());
}

constexpr char kWorkers[] =
    R"({"workers":[{"name":"payment-archiver","queue":"payment-events","bucket":"payments","state":"running",)"
    R"("processed":10,"failed":2,"last_error":"message 1b2c: body has no payment_id","last_error_at":"2026-01-15T10:00:00.000Z"},)"
    R"({"name":"audit","queue":"audit-events","bucket":"audit","state":"stopped","processed":0,"failed":0,)"
    R"("last_error":null,"last_error_at":null}]})";

TEST_F(CliDedupWorkers, WorkersTable) {
  api.On("GET /_sluice/v1/workers", kWorkers);
  Outcome outcome = Run({"workers"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "NAME              QUEUE           BUCKET    STATE    PROCESSED  FAILED  LAST ERROR\n"
            "payment-archiver  payment-events  payments  running         10       2  message 1b2c: body has no payment_id\n"
            "audit             audit-events    audit     stopped          0       0  -\n");
  EXPECT_EQ(api.calls(), std::vector<std::string>{"GET /_sluice/v1/workers"});
}

TEST_F(CliDedupWorkers, WorkersJsonKeepsNulls) {
  api.On("GET /_sluice/v1/workers", kWorkers);
  Outcome outcome = Run({"workers", "--json"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  rapidjson::Document printed;
  printed.Parse(outcome.out.c_str());
  ASSERT_TRUE(printed.IsArray()) << outcome.out;
  ASSERT_EQ(printed.Size(), 2u);
  EXPECT_EQ(printed[0]["failed"].GetInt(), 2);
  EXPECT_TRUE(printed[1]["last_error"].IsNull());
}

TEST_F(CliDedupWorkers, NoWorkersSaysSoOnStderr) {
  api.On("GET /_sluice/v1/workers", R"({"workers":[]})");
  Outcome outcome = Run({"workers"});
  ASSERT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "(no workers)\n");
}

TEST_F(CliDedupWorkers, UnreachableServerExits3) {
  api.Unreachable();
  for (auto args : {std::vector<std::string>{"workers"},
                    std::vector<std::string>{"dedup", "get", "r", "k"}}) {
    Outcome outcome = Run(args);
    EXPECT_EQ(outcome.exit_code, kExitUnreachable);
    EXPECT_EQ(outcome.err, "error: cannot reach sluice at http://127.0.0.1:4566: connection refused\n");
  }
}

}  // namespace
}  // namespace sluice::cli
