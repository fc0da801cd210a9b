// Streamed writes and reads (ObjectUpload, ObjectDownload), ranges, Stat,
// Copy, conditional writes and the bucket operations the S3 API needs.
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "sink_test_env.h"
#include "sluice/sink/envelope.h"

namespace sluice::sink {
namespace {

using testing::Md5Hex;
using testing::ReadFile;
using testing::SinkEnv;
using testing::WriteFile;

constexpr uint64_t kMiB = 1 << 20;

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// Byte i of a test object: a pattern that differs at every offset of a
// chunk and between chunks, so a misplaced byte never compares equal.
char PatternByte(uint64_t i) { return static_cast<char>((i * 2654435761u >> 13) ^ (i >> 16)); }

std::string Pattern(uint64_t first, uint64_t length) {
  std::string bytes(length, '\0');
  for (uint64_t k = 0; k < length; ++k) bytes[k] = PatternByte(first + k);
  return bytes;
}

// MD5 straight from libcrypto, fed piece by piece.
class Md5Oracle {
 public:
  Md5Oracle() : context_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(context_, EVP_md5(), nullptr); }
  ~Md5Oracle() { EVP_MD_CTX_free(context_); }
  void Update(std::string_view bytes) { EVP_DigestUpdate(context_, bytes.data(), bytes.size()); }
  std::string Hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_, digest, &length);
    static const char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < length; ++i) {
      hex.push_back(kHex[digest[i] >> 4]);
      hex.push_back(kHex[digest[i] & 15]);
    }
    return hex;
  }

 private:
  EVP_MD_CTX* context_;
};

size_t FilesUnder(const std::string& dir) {
  if (!std::filesystem::exists(dir)) return 0;
  size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) count += entry.is_regular_file();
  return count;
}

WriteRequest Request(const std::string& bucket, const std::string& key) {
  WriteRequest request;
  request.bucket = bucket;
  request.key = key;
  return request;
}

class SinkStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.Open().ok()); }

  bool EventuallyGone(const std::string& path) {
    return env_.runner.RunUntil([&] { return !Exists(path); });
  }
  bool TempDirEventuallyEmpty() {
    return env_.runner.RunUntil([&] { return FilesUnder(env_.config.root_dir + "/.tmp") == 0; });
  }

  SinkEnv env_;
};

TEST_F(SinkStreamTest, LargeObjectInPiecesReadsBackWholeAndByRanges) {
  const uint64_t size = 64 * kMiB;
  Result<std::unique_ptr<ObjectUpload>> upload = env_.BeginPut(Request("payments", "big/object.bin"));
  ASSERT_TRUE(upload.ok()) << upload.status().ToString();
  Md5Oracle md5;
  for (uint64_t at = 0; at < size; at += kMiB) {
    std::string piece = Pattern(at, kMiB);
    md5.Update(piece);
    ASSERT_TRUE(env_.Write(**upload, std::move(piece)).ok());
  }
  Result<ObjectInfo> put = env_.Commit(**upload);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->size, size);
  const std::string etag = md5.Hex();
  EXPECT_EQ(put->etag, etag);
  EXPECT_EQ(put->parts_count, 0u);
  EXPECT_EQ(std::filesystem::file_size(env_.FileOf(*put)), ObjectWriter::SealedSize(size));

  // The whole object, in pieces of about 1 MiB.
  Result<std::unique_ptr<ObjectDownload>> download = env_.OpenRead("payments", "big/object.bin");
  ASSERT_TRUE(download.ok()) << download.status().ToString();
  EXPECT_EQ((*download)->info().etag, etag);
  Md5Oracle read_md5;
  uint64_t read = 0;
  size_t largest = 0;
  while (true) {
    Result<std::string> piece = env_.Read(**download);
    ASSERT_TRUE(piece.ok()) << piece.status().ToString();
    if (piece->empty()) break;
    largest = std::max(largest, piece->size());
    ASSERT_EQ(*piece, Pattern(read, piece->size())) << "at " << read;
    read_md5.Update(*piece);
    read += piece->size();
  }
  EXPECT_EQ(read, size);
  EXPECT_EQ(read_md5.Hex(), etag);
  EXPECT_LE(largest, 1100u * 1024);
  EXPECT_EQ(env_.Read(**download)->size(), 0u) << "reads after the end stay empty";

  // Ranges at chunk boundaries.
  const uint64_t chunk = kDefaultChunkBytes;
  const std::vector<ByteRange> ranges = {
      {0, 0},                                  // the first byte
      {size - 1, size - 1},                    // the last byte
      {chunk - 10, chunk + 9},                 // across a chunk boundary
      {chunk, 2 * chunk - 1},                  // exactly one chunk
      {3 * chunk - 1, 3 * chunk},              // the last byte of one chunk, the first of the next
      {size - chunk + 123, size - chunk + 123},  // a single byte in the last chunk
      {size - chunk - 5, size - 1},            // into the end
      {10 * chunk + 7, 40 * chunk + 3},        // many chunks, more than one Read
      {0, size - 1},                           // everything
  };
  for (const ByteRange& range : ranges) {
    Result<std::string> got = env_.ReadRange("payments", "big/object.bin", range);
    ASSERT_TRUE(got.ok()) << range.first << "-" << range.last << ": " << got.status().ToString();
    ASSERT_EQ(got->size(), range.last - range.first + 1) << range.first << "-" << range.last;
    EXPECT_TRUE(*got == Pattern(range.first, range.last - range.first + 1)) << range.first << "-" << range.last;
  }
  EXPECT_EQ(env_.OpenRead("payments", "big/object.bin", ByteRange{size, size}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_EQ(env_.OpenRead("payments", "big/object.bin", ByteRange{5, 4}).status().code(),
            Code::kInvalidParameterValue);
  EXPECT_TRUE(TempDirEventuallyEmpty());
}

// A range is read from the chunk that holds it: a damaged first chunk does
// not matter to a range in the last one (format 2), while the whole object
// and a range in the first chunk fail.
TEST_F(SinkStreamTest, RangesSeekPastDamageElsewhere) {
  const uint64_t size = 10 * kDefaultChunkBytes + 500;
  Result<ObjectInfo> put = env_.PutPieces(Request("payments", "seek.bin"), {Pattern(0, size)});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  std::string file = ReadFile(env_.FileOf(*put));
  file[kEnvelopeHeaderBytes + 100] ^= 0x20;
  WriteFile(env_.FileOf(*put), file);

  Result<std::string> tail = env_.ReadRange("payments", "seek.bin", ByteRange{size - 400, size - 1});
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  EXPECT_EQ(*tail, Pattern(size - 400, 400));
  Result<std::string> head = env_.ReadRange("payments", "seek.bin", ByteRange{0, 10});
  EXPECT_TRUE(IsIntegrityError(head.status())) << head.status().ToString();
  Result<std::string> whole = env_.ReadRange("payments", "seek.bin", std::nullopt);
  EXPECT_TRUE(IsIntegrityError(whole.status())) << whole.status().ToString();

  // A truncated file fails even for a range that stops before the cut.
  WriteFile(env_.FileOf(*put), ReadFile(env_.FileOf(*put)).substr(0, file.size() - 100));
  Result<std::string> early = env_.ReadRange("payments", "seek.bin", ByteRange{5 * kDefaultChunkBytes, 5 * kDefaultChunkBytes + 9});
  EXPECT_TRUE(IsIntegrityError(early.status())) << early.status().ToString();
}

TEST_F(SinkStreamTest, SmallAndEmptyObjectsStream) {
  Result<ObjectInfo> empty = env_.PutPieces(Request("payments", "empty"), {});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->size, 0u);
  EXPECT_EQ(empty->etag, Md5Hex(""));
  Result<std::string> got = env_.ReadRange("payments", "empty", std::nullopt);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "");
  EXPECT_EQ(env_.OpenRead("payments", "empty", ByteRange{0, 0}).status().code(), Code::kInvalidParameterValue);

  Result<ObjectInfo> small = env_.PutPieces(Request("payments", "small"), {"he", "", "llo"});
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->etag, Md5Hex("hello"));
  Result<std::string> ell = env_.ReadRange("payments", "small", ByteRange{1, 3});
  ASSERT_TRUE(ell.ok()) << ell.status().ToString();
  EXPECT_EQ(*ell, "ell");
  // The whole-body Get sees streamed objects, and streamed reads see Put's.
  Result<GetResult> whole_get = env_.Get("payments", "small");
  ASSERT_TRUE(whole_get.ok()) << whole_get.status().ToString();
  EXPECT_EQ(whole_get->body, "hello");
  ASSERT_TRUE(env_.Put("payments", "whole", "whole body").ok());
  Result<std::string> body = env_.ReadRange("payments", "whole", ByteRange{6, 9});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(*body, "body");
}

TEST_F(SinkStreamTest, ObserveSeesEveryPieceInOrder) {
  std::string observed;
  WriteRequest request = Request("payments", "observed");
  request.observe = [&observed](std::string_view piece) { observed.append(piece); };
  Result<ObjectInfo> put = env_.PutPieces(std::move(request), {"one ", "two ", Pattern(0, 300000), "three"});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(observed, "one two " + Pattern(0, 300000) + "three");
}

TEST_F(SinkStreamTest, WrongDigestOrSizeStoresNothing) {
  WriteRequest request = Request("payments", "digest");
  request.expected_md5_hex = Md5Hex("something else");
  Result<ObjectInfo> refused = env_.PutPieces(request, {"the body"});
  EXPECT_EQ(refused.status().code(), Code::kBadDigest) << refused.status().ToString();
  EXPECT_EQ(env_.Stat("payments", "digest").status().code(), Code::kNoSuchKey);

  request = Request("payments", "size");
  request.expected_size = 100;
  refused = env_.PutPieces(request, {"only 17 bytes ..."});
  EXPECT_EQ(refused.status().code(), Code::kInvalidParameterValue);
  EXPECT_TRUE(refused.status().message().starts_with("IncompleteBody")) << refused.status().message();
  EXPECT_EQ(env_.Stat("payments", "size").status().code(), Code::kNoSuchKey);

  // Nothing on disk: no temp file, no sealed file.
  EXPECT_TRUE(TempDirEventuallyEmpty());
  EXPECT_EQ(FilesUnder(env_.config.root_dir + "/payments"), 0u);

  // The right digest (any case) and size are accepted.
  request = Request("payments", "digest");
  std::string upper = Md5Hex("the body");
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  request.expected_md5_hex = upper;
  request.expected_size = 8;
  Result<ObjectInfo> put = env_.PutPieces(request, {"the ", "body"});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->etag, Md5Hex("the body"));
}

TEST_F(SinkStreamTest, ConditionalWrites) {
  WriteRequest create_only = Request("payments", "cond");
  create_only.if_none_match_any = true;
  Result<ObjectInfo> first = env_.PutPieces(create_only, {"first"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<ObjectInfo> again = env_.PutPieces(create_only, {"second"});
  EXPECT_EQ(again.status().code(), Code::kPreconditionFailed);
  EXPECT_EQ(env_.Get("payments", "cond")->body, "first");

  WriteRequest update = Request("payments", "cond");
  update.if_match_etag = Md5Hex("not it");
  EXPECT_EQ(env_.PutPieces(update, {"x"}).status().code(), Code::kPreconditionFailed);
  update.if_match_etag = "\"" + first->etag + "\"";  // quotes are ignored
  Result<ObjectInfo> updated = env_.PutPieces(update, {"updated"});
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(env_.Get("payments", "cond")->body, "updated");
  EXPECT_TRUE(EventuallyGone(env_.FileOf(*first)));

  WriteRequest any = Request("payments", "absent");
  any.if_match_etag = "*";
  EXPECT_EQ(env_.PutPieces(any, {"x"}).status().code(), Code::kPreconditionFailed);
  any = Request("payments", "cond");
  any.if_match_etag = "*";
  EXPECT_TRUE(env_.PutPieces(any, {"any"}).ok());
  // A refused write leaves no file behind.
  env_.runner.RunUntil([&] { return FilesUnder(env_.config.root_dir + "/payments") == 1; });
  EXPECT_EQ(FilesUnder(env_.config.root_dir + "/payments"), 1u);
}

TEST_F(SinkStreamTest, DestroyingAnUploadAbandonsIt) {
  {
    Result<std::unique_ptr<ObjectUpload>> upload = env_.BeginPut(Request("payments", "abandoned"));
    ASSERT_TRUE(upload.ok());
    ASSERT_TRUE(env_.Write(**upload, Pattern(0, 500000)).ok());
    EXPECT_EQ(FilesUnder(env_.config.root_dir + "/.tmp"), 1u);
  }
  EXPECT_TRUE(TempDirEventuallyEmpty());
  EXPECT_EQ(env_.Stat("payments", "abandoned").status().code(), Code::kNoSuchKey);

  // With a Write in flight: its callback never runs.
  bool called = false;
  {
    Result<std::unique_ptr<ObjectUpload>> upload = env_.BeginPut(Request("payments", "abandoned"));
    ASSERT_TRUE(upload.ok());
    (*upload)->Write(Pattern(0, 2 * kMiB), [&](Status) { called = true; });
  }
  EXPECT_TRUE(TempDirEventuallyEmpty());
  env_.runner.RunUntil([] { return false; }, std::chrono::milliseconds(50));
  EXPECT_FALSE(called);

  // Misuse is refused, and a failed upload stays failed.
  Result<std::unique_ptr<ObjectUpload>> upload = env_.BeginPut(Request("payments", "twice"));
  ASSERT_TRUE(upload.ok());
  std::optional<Status> first;
  (*upload)->Write("a", [&](Status status) { first = status; });
  EXPECT_EQ(env_.Write(**upload, "b").code(), Code::kInternal);  // one Write at a time
  ASSERT_TRUE(env_.runner.RunUntil([&] { return first.has_value(); }));
  EXPECT_TRUE(first->ok());
  ASSERT_TRUE(env_.Commit(**upload).ok());
  EXPECT_EQ(env_.Commit(**upload).status().code(), Code::kInternal);
  EXPECT_EQ(env_.Write(**upload, "c").code(), Code::kInternal);
}

TEST_F(SinkStreamTest, DestroyingADownloadWithAReadPending) {
  ASSERT_TRUE(env_.PutPieces(Request("payments", "read"), {Pattern(0, 3 * kMiB)}).ok());
  bool called = false;
  {
    Result<std::unique_ptr<ObjectDownload>> download = env_.OpenRead("payments", "read");
    ASSERT_TRUE(download.ok());
    (*download)->Read([&](Result<std::string>) { called = true; });
  }
  env_.runner.RunUntil([] { return false; }, std::chrono::milliseconds(50));
  EXPECT_FALSE(called);
  // A download keeps reading the generation it opened, even once replaced.
  Result<std::unique_ptr<ObjectDownload>> download = env_.OpenRead("payments", "read");
  ASSERT_TRUE(download.ok());
  Result<ObjectInfo> replaced = env_.PutPieces(Request("payments", "read"), {"new"});
  ASSERT_TRUE(replaced.ok());
  Result<std::string> old = env_.ReadAll(**download);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_TRUE(*old == Pattern(0, 3 * kMiB));
}

TEST_F(SinkStreamTest, RefusesUnknownBucketsKeysAndBadNames) {
  EXPECT_EQ(env_.BeginPut(Request("nope", "k")).status().code(), Code::kNoSuchBucket);
  EXPECT_EQ(env_.BeginPut(Request("payments", "a/../b")).status().code(), Code::kInvalidParameterValue);
  WriteRequest bad_metadata = Request("payments", "k");
  bad_metadata.user_metadata = "[1]";
  EXPECT_EQ(env_.BeginPut(bad_metadata).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(env_.OpenRead("nope", "k").status().code(), Code::kNoSuchBucket);
  EXPECT_EQ(env_.OpenRead("payments", "k").status().code(), Code::kNoSuchKey);
  EXPECT_EQ(env_.Stat("nope", "k").status().code(), Code::kNoSuchBucket);
  EXPECT_EQ(env_.Stat("payments", "k").status().code(), Code::kNoSuchKey);
}

TEST_F(SinkStreamTest, StatReturnsEverythingStored) {
  WriteRequest request = Request("payments", "meta");
  request.content_type = "text/csv";
  request.user_metadata = "{\"a\":\"1\"}";
  request.attributes = "{\"cache-control\":\"no-cache\",\"x-amz-checksum-crc32\":\"AAAAAA==\"}";
  Result<ObjectInfo> put = env_.PutPieces(request, {"a,b\n"});
  ASSERT_TRUE(put.ok());
  Result<ObjectInfo> stat = env_.Stat("payments", "meta");
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->content_type, "text/csv");
  EXPECT_EQ(stat->user_metadata, request.user_metadata);
  EXPECT_EQ(stat->attributes, request.attributes);
  EXPECT_EQ(stat->etag, put->etag);
  EXPECT_EQ(stat->generation, put->generation);
  EXPECT_EQ(stat->size, 4u);
  ListRequest list;
  list.bucket = "payments";
  EXPECT_EQ(env_.List(list)->objects.at(0).attributes, request.attributes);
  // The whole-body Put stores attributes too.
  PutRequest whole{"payments", "whole", "text/plain", "x", "", "{\"content-encoding\":\"gzip\"}"};
  ASSERT_TRUE(env_.Wait<ObjectInfo>([&](Callback<ObjectInfo> done) { env_.sink->Put(whole, done); }).ok());
  EXPECT_EQ(env_.Get("payments", "whole")->info.attributes, "{\"content-encoding\":\"gzip\"}");
}

TEST_F(SinkStreamTest, CopyStreamsIntoANewObject) {
  ASSERT_TRUE(env_.CreateBucket("archive").ok());
  WriteRequest source = Request("payments", "src.csv");
  source.content_type = "text/csv";
  source.user_metadata = "{\"a\":\"1\"}";
  const std::string body = Pattern(0, 3 * kMiB + 17);
  Result<ObjectInfo> put = env_.PutPieces(source, {body});
  ASSERT_TRUE(put.ok());

  WriteRequest destination = Request("archive", "copy.csv");
  destination.content_type = "text/csv";
  destination.user_metadata = "{\"a\":\"1\"}";
  std::string observed_size;
  uint64_t observed = 0;
  destination.observe = [&observed](std::string_view piece) { observed += piece.size(); };
  Result<ObjectInfo> copied = env_.Copy("payments", "src.csv", destination);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->etag, put->etag);
  EXPECT_EQ(copied->size, body.size());
  EXPECT_EQ(observed, body.size());
  EXPECT_NE(copied->generation, put->generation);
  Result<GetResult> got = env_.Get("archive", "copy.csv");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->body == body);
  EXPECT_EQ(got->info.content_type, "text/csv");
  EXPECT_EQ(got->info.user_metadata, "{\"a\":\"1\"}");

  // Onto itself with new metadata (S3's REPLACE).
  WriteRequest replace = Request("payments", "src.csv");
  replace.content_type = "text/plain";
  replace.user_metadata = "{\"b\":\"2\"}";
  Result<ObjectInfo> self = env_.Copy("payments", "src.csv", replace);
  ASSERT_TRUE(self.ok()) << self.status().ToString();
  EXPECT_TRUE(EventuallyGone(env_.FileOf(*put)));
  got = env_.Get("payments", "src.csv");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->body == body);
  EXPECT_EQ(got->info.content_type, "text/plain");
  EXPECT_EQ(got->info.user_metadata, "{\"b\":\"2\"}");

  EXPECT_EQ(env_.Copy("payments", "missing", Request("archive", "x")).status().code(), Code::kNoSuchKey);
  EXPECT_EQ(env_.Copy("nope", "src.csv", Request("archive", "x")).status().code(), Code::kNoSuchBucket);
  EXPECT_EQ(env_.Copy("payments", "src.csv", Request("nope", "x")).status().code(), Code::kNoSuchBucket);
  WriteRequest create_only = Request("archive", "copy.csv");
  create_only.if_none_match_any = true;
  EXPECT_EQ(env_.Copy("payments", "src.csv", create_only).status().code(), Code::kPreconditionFailed);
  EXPECT_TRUE(TempDirEventuallyEmpty());
}

TEST_F(SinkStreamTest, BucketsCreateDescribeAndDelete) {
  Result<bool> created = env_.CreateBucket("located", "eu-west-1");
  ASSERT_TRUE(created.ok() && *created);
  EXPECT_FALSE(*env_.CreateBucket("located", "us-west-2"));
  Result<BucketInfo> info = env_.BucketInfoOf("located");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->region, "eu-west-1");
  EXPECT_EQ(info->created_ms, env_.clock.NowMillis());
  EXPECT_EQ(env_.BucketInfoOf("payments")->region, "");
  EXPECT_EQ(env_.BucketInfoOf("missing").status().code(), Code::kNoSuchBucket);

  // Not empty while it holds an object.
  ASSERT_TRUE(env_.PutPieces(Request("located", "deep/er/key"), {"x"}).ok());
  EXPECT_EQ(env_.DeleteBucket("located").status().code(), Code::kBucketNotEmpty);
  ASSERT_TRUE(*env_.Delete("located", "deep/er/key"));
  // Nor while a multipart upload is in progress.
  Result<UploadInfo> upload = env_.CreateUpload("located", "big");
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(env_.DeleteBucket("located").status().code(), Code::kBucketNotEmpty);
  ASSERT_TRUE(env_.Abort("located", "big", upload->upload_id).ok());

  Result<bool> deleted = env_.DeleteBucket("located");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(env_.config.root_dir + "/located"));
  EXPECT_EQ(env_.DeleteBucket("located").status().code(), Code::kNoSuchBucket);
  EXPECT_EQ(env_.BeginPut(Request("located", "k")).status().code(), Code::kNoSuchBucket);
  Result<std::vector<BucketInfo>> buckets =
      env_.Wait<std::vector<BucketInfo>>([&](Callback<std::vector<BucketInfo>> done) { env_.sink->Buckets(done); });
  ASSERT_TRUE(buckets.ok());
  ASSERT_EQ(buckets->size(), 1u);

  // Created again, it works with the directories made afresh.
  ASSERT_TRUE(*env_.CreateBucket("located"));
  ASSERT_TRUE(env_.PutPieces(Request("located", "deep/er/key"), {"again"}).ok());
  EXPECT_EQ(env_.Get("located", "deep/er/key")->body, "again");
  EXPECT_EQ(env_.BucketInfoOf("located")->region, "");
}

TEST_F(SinkStreamTest, BucketSettingsAreKeptPerBucketAndGoWithIt) {
  using Setting = std::optional<std::string>;
  auto get = [&](const std::string& bucket, const std::string& name) {
    return env_.Wait<Setting>([&](Callback<Setting> done) { env_.sink->BucketSetting(bucket, name, done); });
  };
  auto put = [&](const std::string& bucket, const std::string& name, Setting value) {
    return env_.Wait<bool>(
        [&](Callback<bool> done) { env_.sink->PutBucketSetting(bucket, name, value, done); });
  };
  auto all = [&](const std::string& name) {
    using Map = std::map<std::string, std::string>;
    return env_.Wait<Map>([&](Callback<Map> done) { env_.sink->BucketSettings(name, done); });
  };
  ASSERT_TRUE(*env_.CreateBucket("other"));
  EXPECT_FALSE(get("payments", "policy")->has_value());
  ASSERT_TRUE(put("payments", "policy", "{\"Statement\":[]}").ok());
  ASSERT_TRUE(put("payments", "encryption", "kms").ok());
  ASSERT_TRUE(put("other", "encryption", "aes").ok());
  EXPECT_EQ(get("payments", "policy")->value_or("<unset>"), "{\"Statement\":[]}");
  ASSERT_TRUE(put("payments", "encryption", "kms-2").ok());  // replaced
  EXPECT_EQ(*all("encryption"), (std::map<std::string, std::string>{{"other", "aes"}, {"payments", "kms-2"}}));
  ASSERT_TRUE(put("payments", "policy", std::nullopt).ok());  // removed
  EXPECT_FALSE(get("payments", "policy")->has_value());
  EXPECT_EQ(get("missing", "policy").status().code(), Code::kNoSuchBucket);
  EXPECT_EQ(put("missing", "policy", "x").status().code(), Code::kNoSuchBucket);

  // A deleted bucket takes its settings along; created again, it has none.
  ASSERT_TRUE(env_.DeleteBucket("other").ok());
  EXPECT_EQ(*all("encryption"), (std::map<std::string, std::string>{{"payments", "kms-2"}}));
  ASSERT_TRUE(*env_.CreateBucket("other"));
  EXPECT_FALSE(get("other", "encryption")->has_value());
}

TEST(SinkStreamLifecycle, ShutdownRefusesCallsAndWaitsForHandles) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  ASSERT_TRUE(env.PutPieces(Request("payments", "k"), {"body"}).ok());
  Result<std::unique_ptr<ObjectUpload>> upload = env.BeginPut(Request("payments", "open"));
  Result<std::unique_ptr<ObjectDownload>> download = env.OpenRead("payments", "k");
  ASSERT_TRUE(upload.ok() && download.ok());
  bool stopped = false;
  env.sink->Shutdown([&] { stopped = true; });
  EXPECT_EQ(env.Write(**upload, "x").code(), Code::kUnavailable);
  EXPECT_EQ(env.Read(**download).status().code(), Code::kUnavailable);
  env.runner.RunUntil([] { return false; }, std::chrono::milliseconds(50));
  EXPECT_FALSE(stopped) << "shutdown must wait for open uploads and downloads";
  upload->reset();
  download->reset();
  ASSERT_TRUE(env.runner.RunUntil([&] { return stopped; }));
  EXPECT_EQ(FilesUnder(env.config.root_dir + "/.tmp"), 0u);
  env.sink.reset();
}

// Peak RSS (reset through /proc/self/clear_refs, read by getrusage).
long PeakRssKib() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

bool ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.close();
  return !clear.fail();
}

TEST(SinkStreamMemory, StreamingAQuarterGigabyteHoldsFewChunks) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  const uint64_t size = 256 * kMiB;
  std::string piece(kMiB, '\0');
  if (!ResetPeakRss()) GTEST_SKIP() << "cannot reset the peak RSS here";
  const long before = PeakRssKib();

  Result<std::unique_ptr<ObjectUpload>> upload = env.BeginPut(Request("payments", "quarter.bin"));
  ASSERT_TRUE(upload.ok());
  Md5Oracle md5;
  for (uint64_t at = 0; at < size; at += kMiB) {
    for (size_t k = 0; k < kMiB; k += 8) piece[k] = PatternByte(at + k);
    md5.Update(piece);
    ASSERT_TRUE(env.Write(**upload, piece).ok());
  }
  Result<ObjectInfo> put = env.Commit(**upload);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  const std::string etag = md5.Hex();
  ASSERT_EQ(put->etag, etag);

  Result<std::unique_ptr<ObjectDownload>> download = env.OpenRead("payments", "quarter.bin");
  ASSERT_TRUE(download.ok());
  Md5Oracle read_md5;
  uint64_t read = 0;
  while (true) {
    Result<std::string> got = env.Read(**download);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (got->empty()) break;
    read_md5.Update(*got);
    read += got->size();
  }
  EXPECT_EQ(read, size);
  EXPECT_EQ(read_md5.Hex(), etag);
  const long growth_kib = PeakRssKib() - before;
  std::printf("[ memory   ] 256 MiB put + get: peak RSS grew by %.1f MiB\n", growth_kib / 1024.0);
  EXPECT_LT(growth_kib, 64 * 1024) << "peak RSS grew by " << growth_kib / 1024 << " MiB";
}

}  // namespace
}  // namespace sluice::sink
