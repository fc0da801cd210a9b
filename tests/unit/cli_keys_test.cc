// sluice keys [ls] | rotate | rewrap | retire, against a scripted admin API.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "cli_test_util.h"

namespace sluice::cli {
namespace {

using test_util::FakeAdminApi;
using test_util::Outcome;
using test_util::RunSluice;

class CliKeys : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("SLUICE_ENDPOINT"); }
  Outcome Run(std::vector<std::string> args) { return RunSluice(std::move(args), &api); }

  FakeAdminApi api;
};

// Deliberately out of order: the table sorts by version.
constexpr char kKeyring[] =
    R"({"keyring":"/data/keyring.json","active":10,"versions":[)"
    R"({"version":10,"created":"2026-02-01T00:00:00.000Z","state":"active","objects":3},)"
    R"({"version":1,"created":"2026-01-01T00:00:00.000Z","state":"enabled","objects":1200},)"
    R"({"version":2,"created":"2026-01-15T00:00:00.000Z","state":"retired","objects":0}]})";

TEST_F(CliKeys, KeysAndKeysLsListVersionsSortedByVersion) {
  api.On("GET /_sluice/v1/keys", kKeyring);
  const std::string table =
      "VERSION  STATE    CREATED                   OBJECTS\n"
      "      1  enabled  2026-01-01T00:00:00.000Z     1200\n"
      "      2  retired  2026-01-15T00:00:00.000Z        0\n"
      "     10  active   2026-02-01T00:00:00.000Z        3\n";
  Outcome bare = Run({"keys"});
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  EXPECT_EQ(bare.out, table);
  Outcome ls = Run({"keys", "ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out, table);
  EXPECT_EQ(api.calls(), (std::vector<std::string>{"GET /_sluice/v1/keys", "GET /_sluice/v1/keys"}));
}

TEST_F(CliKeys, KeysJsonIsTheServersKeyring) {
  api.On("GET /_sluice/v1/keys", kKeyring);
  for (auto args : {std::vector<std::string>{"keys", "--json"},
                    std::vector<std::string>{"keys", "ls", "--json"}}) {
    Outcome outcome = Run(args);
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    rapidjson::Document printed;
    printed.Parse(outcome.out.c_str());
    ASSERT_TRUE(printed.IsObject()) << outcome.out;
    EXPECT_EQ(std::string(printed["keyring"].GetString()), "/data/keyring.json");
    EXPECT_EQ(printed["active"].GetInt(), 10);
    EXPECT_EQ(printed["versions"].Size(), 3u);
  }
}

TEST_F(CliKeys, RotateMakesOneRequestAndPrintsTheNewVersion) {
  api.On("POST /_sluice/v1/keys/rotate", R"({"version":3})");
  Outcome outcome = Run({"keys", "rotate"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "key version 3 is now active\n");
  // Only the subcommand runs: `keys` alone would also list.
  EXPECT_EQ(api.calls(), std::vector<std::string>{"POST /_sluice/v1/keys/rotate"});

  Outcome json = Run({"keys", "rotate", "--json"});
  rapidjson::Document printed;
  printed.Parse(json.out.c_str());
  ASSERT_TRUE(printed.IsObject()) << json.out;
  EXPECT_EQ(printed["version"].GetInt(), 3);
}

TEST_F(CliKeys, RewrapPrintsHowManyToWhichVersion) {
  api.On("POST /_sluice/v1/keys/rewrap", R"({"rewrapped":13,"version":3})");
  Outcome outcome = Run({"keys", "rewrap"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "rewrapped 13 objects to key version 3\n");
  EXPECT_EQ(api.calls(), std::vector<std::string>{"POST /_sluice/v1/keys/rewrap"});

  Outcome json = Run({"keys", "rewrap", "--json"});
  rapidjson::Document printed;
  printed.Parse(json.out.c_str());
  ASSERT_TRUE(printed.IsObject()) << json.out;
  EXPECT_EQ(printed["rewrapped"].GetInt(), 13);
  EXPECT_EQ(printed["version"].GetInt(), 3);
}

TEST_F(CliKeys, RetireSendsTheVersion) {
  api.On("POST /_sluice/v1/keys/retire?version=1", R"({"retired":1})");
  Outcome outcome = Run({"keys", "retire", "1"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "retired key version 1\n");
  EXPECT_EQ(api.calls(), std::vector<std::string>{"POST /_sluice/v1/keys/retire?version=1"});
}

TEST_F(CliKeys, RetireRefusedByStateExits1WithTheServersSentence) {
  api.On("POST /_sluice/v1/keys/retire?version=1",
         R"({"error":"key version 1 still protects 10 objects; run sluice keys rewrap first"})", 409);
  Outcome outcome = Run({"keys", "retire", "1"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "error: key version 1 still protects 10 objects; run sluice keys rewrap first\n");
}

TEST_F(CliKeys, RetireOfAnUnknownVersionExits1) {
  api.On("POST /_sluice/v1/keys/retire?version=9", R"({"error":"no key version 9"})", 404);
  Outcome outcome = Run({"keys", "retire", "9"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.err, "error: no key version 9\n");
}

TEST_F(CliKeys, BadArgumentsAreUsageErrors) {
  for (auto args : {std::vector<std::string>{"keys", "retire"},
                    std::vector<std::string>{"keys", "retire", "0"},
                    std::vector<std::string>{"keys", "retire", "one"},
                    std::vector<std::string>{"keys", "frobnicate"},
                    std::vector<std::string>{"keys", "rotate", "rewrap"}}) {
    Outcome outcome = Run(args);
    EXPECT_EQ(outcome.exit_code, kExitUsage) << ::testing::PrintToString(args);
  }
  EXPECT_TRUE(api.requests.empty());
}

TEST_F(CliKeys, UnreachableServerExits3) {
  api.Unreachable();
  Outcome outcome = Run({"keys", "rotate"});
  EXPECT_EQ(outcome.exit_code, kExitUnreachable);
  EXPECT_EQ(outcome.err, "error: cannot reach sluice at http://127.0.0.1:4566: connection refused\n");
}

}  // namespace
}  // namespace sluice::cli
