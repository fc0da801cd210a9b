// sluice sink ls | cat | verify, the whole command line against a scripted
// admin API.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "cli_test_util.h"

namespace sluice::cli {
namespace {

using test_util::FakeAdminApi;
using test_util::Outcome;
using test_util::RunSluice;

class CliSink : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("SLUICE_ENDPOINT"); }
  Outcome Run(std::vector<std::string> args) { return RunSluice(std::move(args), &api); }

  FakeAdminApi api;
};

constexpr char kBuckets[] =
    R"({"buckets":[{"name":"payments","objects":12,"bytes":3456,"created":"2026-01-15T10:00:00.000Z"},)"
    R"({"name":"raw","objects":0,"bytes":0,"created":"2026-01-16T11:00:00.000Z"}]})";

TEST_F(CliSink, LsWithoutArgumentListsBuckets) {
  api.On("GET /_sluice/v1/sink/buckets", kBuckets);
  Outcome outcome = Run({"sink", "ls"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "NAME      OBJECTS  BYTES  CREATED\n"
            "payments       12   3456  2026-01-15T10:00:00.000Z\n"
            "raw             0      0  2026-01-16T11:00:00.000Z\n");
  EXPECT_EQ(api.calls(), std::vector<std::string>{"GET /_sluice/v1/sink/buckets"});
}

TEST_F(CliSink, LsBucketsJsonIsTheServersBuckets) {
  api.On("GET /_sluice/v1/sink/buckets", kBuckets);
  Outcome outcome = Run({"sink", "ls", "--json"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  rapidjson::Document printed;
  printed.Parse(outcome.out.c_str());
  ASSERT_TRUE(printed.IsArray()) << outcome.out;
  ASSERT_EQ(printed.Size(), 2u);
  EXPECT_EQ(std::string(printed[0]["name"].GetString()), "payments");
  EXPECT_EQ(printed[0]["bytes"].GetInt(), 3456);
}

TEST_F(CliSink, NoBucketsSaysSoOnStderr) {
  api.On("GET /_sluice/v1/sink/buckets", R"({"buckets":[]})");
  Outcome outcome = Run({"sink", "ls"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "(no buckets)\n");
}

void ScriptThreePages(FakeAdminApi& api) {
  const std::string base = "GET /_sluice/v1/sink/objects?bucket=payments&prefix=raw%2Fdt%3D2026-01-15%2F";
  api.On(base,
         R"({"objects":[{"bucket":"payments","key":"raw/dt=2026-01-15/a.json","size":123,"created":"2026-01-15T10:00:00.000Z","key_version":1}],)"
         R"("next_after":"raw/dt=2026-01-15/a.json"})");
  api.On(base + "&after=raw%2Fdt%3D2026-01-15%2Fa.json",
         R"({"objects":[{"bucket":"payments","key":"raw/dt=2026-01-15/b c.json","size":4,"created":"2026-01-15T10:00:01.000Z","key_version":2}],)"
         R"("next_after":"raw/dt=2026-01-15/b c.json"})");
  api.On(base + "&after=raw%2Fdt%3D2026-01-15%2Fb%20c.json",
         R"({"objects":[{"bucket":"payments","key":"raw/dt=2026-01-15/c.json","size":56789,"created":"2026-01-15T10:00:02.000Z","key_version":2}]})");
}

TEST_F(CliSink, LsBucketPrefixFollowsEveryPage) {
  ScriptThreePages(api);
  Outcome outcome = Run({"sink", "ls", "payments/raw/dt=2026-01-15/"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out,
            "KEY                          SIZE  CREATED                   KEY VERSION\n"
            "raw/dt=2026-01-15/a.json      123  2026-01-15T10:00:00.000Z            1\n"
            "raw/dt=2026-01-15/b c.json      4  2026-01-15T10:00:01.000Z            2\n"
            "raw/dt=2026-01-15/c.json    56789  2026-01-15T10:00:02.000Z            2\n");
  EXPECT_EQ(api.requests.size(), 3u);
}

TEST_F(CliSink, LsJsonConcatenatesThePages) {
  ScriptThreePages(api);
  Outcome outcome = Run({"sink", "ls", "payments/raw/dt=2026-01-15/", "--json"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  rapidjson::Document printed;
  printed.Parse(outcome.out.c_str());
  ASSERT_TRUE(printed.IsArray()) << outcome.out;
  ASSERT_EQ(printed.Size(), 3u);
  EXPECT_EQ(std::string(printed[1]["key"].GetString()), "raw/dt=2026-01-15/b c.json");
  EXPECT_EQ(printed[2]["size"].GetInt(), 56789);
}

TEST_F(CliSink, LsBucketAloneSendsNoPrefix) {
  api.On("GET /_sluice/v1/sink/objects?bucket=payments", R"({"objects":[]})");
  for (const char* path : {"payments", "payments/"}) {
    Outcome outcome = Run({"sink", "ls", path});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_EQ(outcome.err, "(no objects)\n");
  }
  EXPECT_EQ(api.calls(), (std::vector<std::string>{"GET /_sluice/v1/sink/objects?bucket=payments",
                                                   "GET /_sluice/v1/sink/objects?bucket=payments"}));
}

TEST_F(CliSink, LsUnknownBucketPrintsTheServersError) {
  api.On("GET /_sluice/v1/sink/objects?bucket=nope", R"({"error":"no bucket named nope"})", 404);
  Outcome outcome = Run({"sink", "ls", "nope"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "error: no bucket named nope\n");
}

TEST_F(CliSink, BadPathsAreUsageErrorsAndSendNothing) {
  for (auto args : {std::vector<std::string>{"sink", "ls", "/raw"},
                    std::vector<std::string>{"sink", "cat", "payments"},
                    std::vector<std::string>{"sink", "cat", "payments/"},
                    std::vector<std::string>{"sink", "cat", "/key"},
                    std::vector<std::string>{"sink", "cat"},
                    std::vector<std::string>{"sink", "cat", "b/k", "--json"},
                    std::vector<std::string>{"sink", "verify", "a/b"},
                    std::vector<std::string>{"sink"}}) {
    Outcome outcome = Run(args);
    EXPECT_EQ(outcome.exit_code, kExitUsage) << ::testing::PrintToString(args);
    EXPECT_EQ(outcome.err.rfind("error: ", 0), 0u) << outcome.err;
  }
  EXPECT_TRUE(api.requests.empty());
}

TEST_F(CliSink, CatWritesTheBytesExactly) {
  std::string bytes("\x00\x01binary\xff\xfe\r\nno newline at the end", 30);
  api.On("GET /_sluice/v1/sink/object?bucket=payments&key=raw%2Fdt%3D1%2Fa%20b%26c.bin", bytes, 200,
         {{"content-type", "application/octet-stream"}});
  Outcome outcome = Run({"sink", "cat", "payments/raw/dt=1/a b&c.bin"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out.size(), bytes.size());
  EXPECT_EQ(outcome.out, bytes);
  EXPECT_EQ(outcome.err, "");
}

TEST_F(CliSink, CatOfAnEmptyObjectPrintsNothing) {
  api.On("GET /_sluice/v1/sink/object?bucket=b&key=empty", "");
  Outcome outcome = Run({"sink", "cat", "b/empty"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "");
}

TEST_F(CliSink, CatOfADamagedObjectPrintsNothingAndExits4) {
  api.On("GET /_sluice/v1/sink/object?bucket=payments&key=x.json",
         R"({"error":"integrity check failed for payments/x.json: authentication tag mismatch","code":"IntegrityError"})",
         500);
  Outcome outcome = Run({"sink", "cat", "payments/x.json"});
  EXPECT_EQ(outcome.exit_code, kExitDamaged);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "error: integrity check failed for payments/x.json: authentication tag mismatch\n");
}

TEST_F(CliSink, CatOfAMissingObjectExits1) {
  api.On("GET /_sluice/v1/sink/object?bucket=payments&key=gone", R"({"error":"no object payments/gone"})", 404);
  Outcome outcome = Run({"sink", "cat", "payments/gone"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "error: no object payments/gone\n");
}

TEST_F(CliSink, OtherServerFailuresOfCatExit1) {
  api.On("GET /_sluice/v1/sink/object?bucket=b&key=k", R"({"error":"storage failed"})", 503);
  Outcome outcome = Run({"sink", "cat", "b/k"});
  EXPECT_EQ(outcome.exit_code, kExitServerError);
  EXPECT_EQ(outcome.err, "error: storage failed\n");
}

TEST_F(CliSink, VerifyAllIntact) {
  api.On("POST /_sluice/v1/sink/verify", R"({"checked":12,"damaged":[]})");
  Outcome outcome = Run({"sink", "verify"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "checked 12 objects: all intact\n");
  EXPECT_EQ(api.calls(), std::vector<std::string>{"POST /_sluice/v1/sink/verify"});
}

constexpr char kDamaged[] =
    R"({"checked":3,"damaged":[{"bucket":"payments","key":"raw/a.json","error":"tag mismatch"},)"
    R"({"bucket":"payments","key":"raw/b\nc","error":"truncated"}]})";

TEST_F(CliSink, VerifyListsDamagedObjectsAndExits4) {
  api.On("POST /_sluice/v1/sink/verify?bucket=payments", kDamaged);
  Outcome outcome = Run({"sink", "verify", "payments"});
  EXPECT_EQ(outcome.exit_code, kExitDamaged);
  EXPECT_EQ(outcome.out,
            "payments/raw/a.json: tag mismatch\n"
            "payments/raw/b\\nc: truncated\n");
  EXPECT_EQ(outcome.err, "error: checked 3 objects: 2 damaged\n");
}

TEST_F(CliSink, VerifyJsonPrintsTheReportAndStillExits4) {
  api.On("POST /_sluice/v1/sink/verify?bucket=payments", kDamaged);
  Outcome outcome = Run({"sink", "verify", "payments", "--json"});
  EXPECT_EQ(outcome.exit_code, kExitDamaged);
  rapidjson::Document printed;
  printed.Parse(outcome.out.c_str());
  ASSERT_TRUE(printed.IsObject()) << outcome.out;
  EXPECT_EQ(printed["checked"].GetInt(), 3);
  ASSERT_EQ(printed["damaged"].Size(), 2u);
  EXPECT_EQ(std::string(printed["damaged"][1]["key"].GetString()), "raw/b\nc");

  api.On("POST /_sluice/v1/sink/verify", R"({"checked":1,"damaged":[]})");
  Outcome intact = Run({"sink", "verify", "--json"});
  EXPECT_EQ(intact.exit_code, 0) << intact.err;
}

TEST_F(CliSink, VerifyOfOneObject) {
  api.On("POST /_sluice/v1/sink/verify", R"({"checked":1,"damaged":[]})");
  EXPECT_EQ(Run({"sink", "verify"}).out, "checked 1 object: all intact\n");
}

TEST_F(CliSink, UnreachableServerExits3) {
  api.Unreachable();
  for (auto args : {std::vector<std::string>{"sink", "ls"},
                    std::vector<std::string>{"sink", "cat", "b/k"},
                    std::vector<std::string>{"sink", "verify"}}) {
    Outcome outcome = Run(args);
    EXPECT_EQ(outcome.exit_code, kExitUnreachable);
    EXPECT_EQ(outcome.err, "error: cannot reach sluice at http://127.0.0.1:4566: connection refused\n");
  }
}

TEST_F(CliSink, HelpDocumentsExitCode4) {
  Outcome top = Run({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("4 stored data is damaged"), std::string::npos) << top.out;
  Outcome cat = Run({"sink", "cat", "--help"});
  EXPECT_EQ(cat.exit_code, 0);
  EXPECT_NE(cat.out.find("Exits 4"), std::string::npos) << cat.out;
  EXPECT_EQ(cat.out.find("--json"), std::string::npos) << cat.out;
}

}  // namespace
}  // namespace sluice::cli
