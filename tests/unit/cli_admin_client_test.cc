// AdminClient against a scripted admin API: the requests it makes (method,
// path, percent-encoding, timeouts) and how it reads answers and errors.

#include "sluice/cli/admin_client.h"

#include <gtest/gtest.h>

#include "cli/wire.h"
#include "cli_test_util.h"

namespace sluice::cli {
namespace {

using test_util::FakeAdminApi;

TEST(CliWire, PercentEncodeKeepsOnlyUnreservedBytes) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(PercentEncode("raw/dt=2026-01-15/a.json"), "raw%2Fdt%3D2026-01-15%2Fa.json");
  EXPECT_EQ(PercentEncode("a b+c&d?e%f#g"), "a%20b%2Bc%26d%3Fe%25f%23g");
  EXPECT_EQ(PercentEncode("\xc3\xa9\x01"), "%C3%A9%01");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(CliAdminClient, ListObjectsFollowsNextAfterWithEncodedQueries) {
  FakeAdminApi api;
  api.On("GET /_sluice/v1/sink/objects?bucket=pay%20ments&prefix=raw%2Fdt%3D1",
         R"({"objects":[{"key":"raw/dt=1/a","size":1,"key_version":1}],"next_after":"raw/dt=1/a"})");
  api.On("GET /_sluice/v1/sink/objects?bucket=pay%20ments&prefix=raw%2Fdt%3D1&after=raw%2Fdt%3D1%2Fa",
         R"({"objects":[{"key":"raw/dt=1/b&c","size":2,"key_version":2}],"next_after":"raw/dt=1/b&c"})");
  api.On("GET /_sluice/v1/sink/objects?bucket=pay%20ments&prefix=raw%2Fdt%3D1&after=raw%2Fdt%3D1%2Fb%26c",
         R"({"objects":[{"key":"raw/dt=1/d","size":3,"key_version":2}]})");
  AdminClient client(&api);
  Result<std::vector<ObjectInfo>> objects = client.ListObjects("pay ments", "raw/dt=1");
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  ASSERT_EQ(objects->size(), 3u);
  EXPECT_EQ((*objects)[0].key, "raw/dt=1/a");
  EXPECT_EQ((*objects)[1].key, "raw/dt=1/b&c");
  EXPECT_EQ((*objects)[1].size, 2);
  EXPECT_EQ((*objects)[2].key_version, 2);
  EXPECT_EQ(api.requests.size(), 3u);
  EXPECT_EQ(api.requests[0].method, "GET");
}

TEST(CliAdminClient, ARepeatedNextAfterIsAnErrorNotALoop) {
  FakeAdminApi api;
  api.On("GET /_sluice/v1/sink/objects?bucket=b", R"({"objects":[],"next_after":"k"})");
  api.On("GET /_sluice/v1/sink/objects?bucket=b&after=k", R"({"objects":[],"next_after":"k"})");
  AdminClient client(&api);
  Result<std::vector<ObjectInfo>> objects = client.ListObjects("b", "");
  ASSERT_FALSE(objects.ok());
  EXPECT_EQ(objects.status().code(), Code::kInternal);
  EXPECT_EQ(objects.status().message(), "the server repeated next_after \"k\" while listing b");
  EXPECT_EQ(api.requests.size(), 2u);
}

TEST(CliAdminClient, ErrorAnswersMapToCodesByHttpStatus) {
  struct Case {
    int status;
    Code code;
  };
  for (Case c : {Case{400, Code::kInvalidParameterValue}, Case{404, Code::kResourceNotFound},
                 Case{409, Code::kInvalidParameterValue}, Case{500, Code::kInternal},
                 Case{503, Code::kInternal}}) {
    FakeAdminApi api;
    api.On("POST /_sluice/v1/keys/retire?version=1", R"({"error":"key version 1 is in use"})", c.status);
    AdminClient client(&api);
    Status status = client.RetireKey(1);
    EXPECT_EQ(status.code(), c.code) << c.status;
    EXPECT_EQ(status.message(), "key version 1 is in use") << c.status;
  }
}

TEST(CliAdminClient, AnAnswerNotFromTheAdminApiSaysWhatCame) {
  FakeAdminApi api;
  // A 404 without {"error"}: an older server without the endpoint, not "no such record".
  api.On("GET /_sluice/v1/dedup/r/k", "<html>Not Found</html>", 404);
  api.On("GET /_sluice/v1/workers", "[1,2]");
  AdminClient client(&api);
  Result<DedupRecord> record = client.GetDedupRecord("r", "k");
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.status().code(), Code::kInternal);
  EXPECT_EQ(record.status().message(),
            "unexpected HTTP 404 answer to GET /_sluice/v1/dedup/r/k: <html>Not Found</html>");
  Result<std::vector<WorkerInfo>> workers = client.ListWorkers();
  ASSERT_FALSE(workers.ok());
  EXPECT_EQ(workers.status().message(), "unexpected HTTP 200 answer to GET /_sluice/v1/workers: [1,2]");
}

TEST(CliAdminClient, UnreachableStaysUnavailable) {
  FakeAdminApi api;
  api.Unreachable();
  AdminClient client(&api);
  Result<Keyring> keys = client.ListKeys();
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), Code::kUnavailable);
}

TEST(CliAdminClient, GetObjectReturnsBytesAndHeadersOrTheIntegrityFailure) {
  FakeAdminApi api;
  std::string bytes("a\0b\xff\n", 5);
  api.On("GET /_sluice/v1/sink/object?bucket=b&key=x%2Fy%20z", bytes, 200,
         {{"content-type", "application/octet-stream"}, {"etag", "\"abc\""}});
  api.On("GET /_sluice/v1/sink/object?bucket=b&key=bad",
         R"({"error":"integrity check failed for b/bad: tag mismatch","code":"IntegrityError"})", 500);
  api.On("GET /_sluice/v1/sink/object?bucket=b&key=err", R"({"error":"disk on fire"})", 500);
  AdminClient client(&api);

  Result<ObjectContent> good = client.GetObject("b", "x/y z");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->data, bytes);
  EXPECT_EQ(good->content_type, "application/octet-stream");
  EXPECT_EQ(good->etag, "\"abc\"");
  EXPECT_TRUE(good->integrity_error.empty());

  Result<ObjectContent> bad = client.GetObject("b", "bad");
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_EQ(bad->integrity_error, "integrity check failed for b/bad: tag mismatch");
  EXPECT_TRUE(bad->data.empty());

  // A 500 without the IntegrityError code is a plain failure.
  Result<ObjectContent> failed = client.GetObject("b", "err");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "disk on fire");
}

TEST(CliAdminClient, BulkOperationsGetTheLongBudget) {
  FakeAdminApi api;
  api.On("POST /_sluice/v1/sink/verify", R"({"checked":0,"damaged":[]})");
  api.On("POST /_sluice/v1/keys/rewrap", R"({"rewrapped":0,"version":1})");
  api.On("POST /_sluice/v1/keys/rotate", R"({"version":2})");
  AdminClient client(&api);
  ASSERT_TRUE(client.Verify("").ok());
  ASSERT_TRUE(client.RewrapKeys().ok());
  ASSERT_TRUE(client.RotateKey().ok());
  ASSERT_EQ(api.requests.size(), 3u);
  EXPECT_EQ(api.requests[0].timeout, AdminClient::kBulkTimeout);
  EXPECT_EQ(api.requests[1].timeout, AdminClient::kBulkTimeout);
  EXPECT_EQ(api.requests[2].timeout, std::chrono::milliseconds(30'000));
}

TEST(CliAdminClient, RotateWithoutAVersionIsAnError) {
  FakeAdminApi api;
  api.On("POST /_sluice/v1/keys/rotate", "{}");
  AdminClient client(&api);
  Result<int64_t> version = client.RotateKey();
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().message(), "rotate answered without the new version");
}

}  // namespace
}  // namespace sluice::cli
