// Multipart uploads: parts, completion checks, the multipart ETag, abort,
// listings, restarts, the startup check of the uploads area, damage, keys.
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "sink/keyring.h"
#include "sink_test_env.h"
#include "sluice/sink/envelope.h"

namespace sluice::sink {
namespace {

using testing::Md5Hex;
using testing::ReadFile;
using testing::SinkEnv;
using testing::WriteFile;

constexpr uint64_t kMinPart = 100 * 1024;  // SinkConfig::min_part_bytes in these tests

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

std::string Body(size_t size, char seed) {
  std::string body(size, '\0');
  for (size_t i = 0; i < size; ++i) body[i] = static_cast<char>(seed + (i * 7 + i / 251) % 61);
  return body;
}

// The multipart ETag, computed independently: MD5 of the binary MD5s, "-N".
std::string MultipartEtag(const std::vector<std::string>& bodies) {
  std::string digests;
  for (const std::string& body : bodies) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(body.data(), body.size(), digest, &length, EVP_md5(), nullptr);
    digests.append(reinterpret_cast<const char*>(digest), length);
  }
  return Md5Hex(digests) + "-" + std::to_string(bodies.size());
}

size_t FilesUnder(const std::string& dir) {
  if (!std::filesystem::exists(dir)) return 0;
  size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) count += entry.is_regular_file();
  return count;
}

class SinkMultipartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.config.min_part_bytes = kMinPart;
    ASSERT_TRUE(env_.Open().ok());
  }

  std::string Uploads() const { return env_.config.root_dir + "/.uploads"; }

  // Creates an upload of payments/<key> and its parts; returns the upload id.
  std::string UploadWithParts(const std::string& key, const std::vector<std::pair<int, std::string>>& parts,
                              std::vector<ObjectInfo>* put = nullptr) {
    Result<UploadInfo> upload = env_.CreateUpload("payments", key);
    EXPECT_TRUE(upload.ok()) << upload.status().ToString();
    if (!upload.ok()) return "";
    for (const auto& [number, body] : parts) {
      Result<ObjectInfo> part = env_.PutPart("payments", key, upload->upload_id, number, body);
      EXPECT_TRUE(part.ok()) << part.status().ToString();
      if (put != nullptr && part.ok()) put->push_back(*part);
    }
    return upload->upload_id;
  }

  SinkEnv env_;
};

TEST_F(SinkMultipartTest, CompletesPartsIntoOneObject) {
  WriteRequest request;
  request.content_type = "text/csv";
  request.user_metadata = "{\"batch\":\"7\"}";
  request.attributes = "{\"x-amz-checksum-type\":\"COMPOSITE\"}";
  Result<UploadInfo> upload = env_.CreateUpload("payments", "merged/file.csv", request);
  ASSERT_TRUE(upload.ok()) << upload.status().ToString();
  EXPECT_EQ(upload->upload_id.size(), 32u);
  EXPECT_EQ(upload->initiated_ms, env_.clock.NowMillis());
  const std::string p1 = Body(kMinPart + 5, 'a'), p2 = Body(kMinPart, 'b'), p4 = Body(77, 'c');
  std::vector<ObjectInfo> parts;
  for (const auto& [number, body] : std::vector<std::pair<int, std::string>>{{4, p4}, {1, p1}, {2, p2}}) {
    WriteRequest part;
    part.attributes = "{\"part\":" + std::to_string(number) + "}";
    Result<ObjectInfo> put = env_.PutPart("payments", "merged/file.csv", upload->upload_id, number, body, part);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    EXPECT_EQ(put->etag, Md5Hex(body));
    EXPECT_EQ(put->size, body.size());
    EXPECT_TRUE(Exists(env_.PartFileOf(upload->upload_id, number, put->generation)));
  }
  EXPECT_EQ(env_.Stat("payments", "merged/file.csv").status().code(), Code::kNoSuchKey) << "not visible yet";

  std::string observed;
  Result<ObjectInfo> done = env_.Complete(
      "payments", "merged/file.csv", upload->upload_id,
      {{1, Md5Hex(p1)}, {2, "\"" + Md5Hex(p2) + "\""}, {4, Md5Hex(p4)}},
      [&observed](std::string_view piece) { observed.append(piece); });
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  const std::string content = p1 + p2 + p4;
  EXPECT_EQ(done->etag, MultipartEtag({p1, p2, p4}));
  EXPECT_EQ(done->parts_count, 3u);
  EXPECT_EQ(done->size, content.size());
  EXPECT_TRUE(observed == content);
  Result<GetResult> got = env_.Get("payments", "merged/file.csv");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->body == content);
  EXPECT_EQ(got->info.etag, done->etag);
  EXPECT_EQ(got->info.parts_count, 3u);
  EXPECT_EQ(got->info.content_type, "text/csv");
  EXPECT_EQ(got->info.user_metadata, "{\"batch\":\"7\"}");
  EXPECT_EQ(got->info.attributes, "{\"x-amz-checksum-type\":\"COMPOSITE\"}");
  Result<std::string> range = env_.ReadRange("payments", "merged/file.csv", ByteRange{kMinPart, kMinPart + 9});
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, content.substr(kMinPart, 10));

  // The upload is gone, and so are its files and directory.
  EXPECT_EQ(env_.ListParts("payments", "merged/file.csv", upload->upload_id).status().code(), Code::kNoSuchUpload);
  EXPECT_EQ(env_.Complete("payments", "merged/file.csv", upload->upload_id, {{1, Md5Hex(p1)}}).status().code(),
            Code::kNoSuchUpload);
  ASSERT_TRUE(env_.runner.RunUntil([&] { return !Exists(Uploads() + "/" + upload->upload_id); }));
  EXPECT_EQ(FilesUnder(Uploads()), 0u);
  EXPECT_TRUE(std::filesystem::is_empty(env_.config.root_dir + "/.tmp"));
}

TEST_F(SinkMultipartTest, CompletionChecksTheList) {
  const std::string big = Body(kMinPart, 'a'), small = Body(10, 'b'), last = Body(5, 'c');
  const std::string id = UploadWithParts("checked", {{1, big}, {2, small}, {3, last}, {5, big}});
  auto complete = [&](std::vector<CompletedPart> parts) { return env_.Complete("payments", "checked", id, parts); };
  Result<ObjectInfo> result = complete({{1, Md5Hex(big)}, {4, Md5Hex(last)}});
  EXPECT_EQ(result.status().code(), Code::kInvalidPart) << result.status().ToString();
  EXPECT_NE(result.status().message().find("part 4"), std::string::npos);
  EXPECT_EQ(complete({{1, std::string(32, '0')}}).status().code(), Code::kInvalidPart);
  EXPECT_EQ(complete({{5, Md5Hex(big)}, {1, Md5Hex(big)}}).status().code(), Code::kInvalidPartOrder);
  EXPECT_EQ(complete({{1, Md5Hex(big)}, {1, Md5Hex(big)}}).status().code(), Code::kInvalidPartOrder);
  result = complete({{1, Md5Hex(big)}, {2, Md5Hex(small)}, {3, Md5Hex(last)}});
  EXPECT_EQ(result.status().code(), Code::kEntityTooSmall) << result.status().ToString();
  EXPECT_NE(result.status().message().find("part 2"), std::string::npos);
  EXPECT_EQ(complete({}).status().code(), Code::kMalformedRequest);
  EXPECT_EQ(env_.Complete("payments", "other-key", id, {{1, Md5Hex(big)}}).status().code(), Code::kNoSuchUpload);
  EXPECT_EQ(env_.Complete("payments", "checked", "not-an-id", {{1, Md5Hex(big)}}).status().code(),
            Code::kNoSuchUpload);
  // Nothing was stored by the refusals; a list that skips part 2 is fine.
  EXPECT_EQ(env_.Stat("payments", "checked").status().code(), Code::kNoSuchKey);
  Result<ObjectInfo> done = complete({{1, Md5Hex(big)}, {3, Md5Hex(last)}});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->etag, MultipartEtag({big, last}));
  EXPECT_TRUE(env_.Get("payments", "checked")->body == big + last);
}

TEST_F(SinkMultipartTest, ReuploadedPartReplacesTheOldOne) {
  std::vector<ObjectInfo> put;
  const std::string first = Body(kMinPart, 'a'), second = Body(300, 'z');
  const std::string id = UploadWithParts("again", {{1, first}, {1, second}}, &put);
  ASSERT_EQ(put.size(), 2u);
  EXPECT_TRUE(env_.runner.RunUntil([&] { return !Exists(env_.PartFileOf(id, 1, put[0].generation)); }));
  EXPECT_TRUE(Exists(env_.PartFileOf(id, 1, put[1].generation)));
  Result<ListPartsResult> listed = env_.ListParts("payments", "again", id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->parts.size(), 1u);
  EXPECT_EQ(listed->parts[0].etag, Md5Hex(second));
  EXPECT_EQ(listed->parts[0].size, second.size());
  EXPECT_EQ(env_.Complete("payments", "again", id, {{1, Md5Hex(first)}}).status().code(), Code::kInvalidPart);
  Result<ObjectInfo> done = env_.Complete("payments", "again", id, {{1, Md5Hex(second)}});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(env_.Get("payments", "again")->body, second);
}

TEST_F(SinkMultipartTest, PartDigestsAndNumbersAreChecked) {
  const std::string id = UploadWithParts("parts", {});
  WriteRequest digest;
  digest.expected_md5_hex = Md5Hex("other");
  EXPECT_EQ(env_.PutPart("payments", "parts", id, 1, "body", digest).status().code(), Code::kBadDigest);
  EXPECT_EQ(env_.BeginPart("payments", "parts", id, 0).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(env_.BeginPart("payments", "parts", id, 10001).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(env_.BeginPart("payments", "parts", std::string(32, 'f'), 1).status().code(), Code::kNoSuchUpload);
  EXPECT_EQ(env_.BeginPart("payments", "other", id, 1).status().code(), Code::kNoSuchUpload);
  EXPECT_EQ(env_.ListParts("payments", "parts", id)->parts.size(), 0u);
  EXPECT_TRUE(env_.PutPart("payments", "parts", id, 10000, "last").ok());
}

TEST_F(SinkMultipartTest, AbortRemovesEverything) {
  std::vector<ObjectInfo> put;
  const std::string id = UploadWithParts("aborted", {{1, Body(1000, 'a')}, {2, Body(10, 'b')}}, &put);
  // A part still being written when the upload is aborted.
  Result<std::unique_ptr<ObjectUpload>> late = env_.BeginPart("payments", "aborted", id, 3);
  ASSERT_TRUE(late.ok());
  ASSERT_TRUE(env_.Write(**late, "late").ok());

  Result<bool> aborted = env_.Abort("payments", "aborted", id);
  ASSERT_TRUE(aborted.ok()) << aborted.status().ToString();
  EXPECT_EQ(env_.Commit(**late).status().code(), Code::kNoSuchUpload);
  EXPECT_EQ(env_.Abort("payments", "aborted", id).status().code(), Code::kNoSuchUpload);
  EXPECT_EQ(env_.BeginPart("payments", "aborted", id, 4).status().code(), Code::kNoSuchUpload);
  EXPECT_EQ(env_.ListParts("payments", "aborted", id).status().code(), Code::kNoSuchUpload);
  EXPECT_EQ(env_.Stat("payments", "aborted").status().code(), Code::kNoSuchKey);
  ASSERT_TRUE(env_.runner.RunUntil([&] { return FilesUnder(Uploads()) == 0; }));
  EXPECT_TRUE(std::filesystem::is_empty(env_.config.root_dir + "/.tmp"));
}

TEST_F(SinkMultipartTest, ListsPartsAndUploadsInPages) {
  const std::string id = UploadWithParts("paged", {{1, "a"}, {2, "b"}, {3, "c"}, {7, "d"}, {9, "e"}});
  std::vector<int> numbers;
  int marker = 0;
  int pages = 0;
  while (true) {
    Result<ListPartsResult> page = env_.ListParts("payments", "paged", id, marker, 2);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(page->upload.key, "paged");
    EXPECT_EQ(page->upload.upload_id, id);
    ++pages;
    for (const PartInfo& part : page->parts) numbers.push_back(part.number);
    if (!page->truncated) break;
    marker = page->parts.back().number;
  }
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 3, 7, 9}));
  EXPECT_EQ(pages, 3);
  Result<ListPartsResult> all = env_.ListParts("payments", "paged", id);
  EXPECT_EQ(all->parts[3].etag, Md5Hex("d"));
  EXPECT_EQ(all->parts[3].size, 1u);

  // Uploads: (key, upload id) order, two per key for some keys.
  std::vector<std::pair<std::string, std::string>> expected = {{"paged", id}};
  for (const char* key : {"a/1", "a/2", "a/2", "b", "paged"}) {
    Result<UploadInfo> upload = env_.CreateUpload("payments", key);
    ASSERT_TRUE(upload.ok());
    expected.emplace_back(key, upload->upload_id);
  }
  std::sort(expected.begin(), expected.end());
  std::vector<std::pair<std::string, std::string>> seen;
  ListUploadsRequest request;
  request.bucket = "payments";
  request.limit = 2;
  while (true) {
    Result<ListUploadsResult> page = env_.ListUploads(request);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const UploadInfo& upload : page->uploads) seen.emplace_back(upload.key, upload.upload_id);
    if (!page->truncated) break;
    request.key_marker = page->uploads.back().key;
    request.upload_id_marker = page->uploads.back().upload_id;
  }
  EXPECT_EQ(seen, expected);

  // A key marker alone skips every upload of that key; a prefix limits.
  request = ListUploadsRequest{};
  request.bucket = "payments";
  request.key_marker = "a/2";
  Result<ListUploadsResult> after = env_.ListUploads(request);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->uploads.size(), 3u);
  EXPECT_EQ(after->uploads[0].key, "b");
  request = ListUploadsRequest{};
  request.bucket = "payments";
  request.prefix = "a/";
  EXPECT_EQ(env_.ListUploads(request)->uploads.size(), 3u);
  request.bucket = "nope";
  EXPECT_EQ(env_.ListUploads(request).status().code(), Code::kNoSuchBucket);
}

TEST_F(SinkMultipartTest, UploadPartCopyTakesARangeOfAnObject) {
  const std::string source = Body(kMinPart + 1000, 's');
  ASSERT_TRUE(env_.Put("payments", "source", source).ok());
  const std::string id = UploadWithParts("assembled", {});
  auto copy_part = [&](int number, std::optional<ByteRange> range) {
    return env_.Wait<PartInfo>([&](Callback<PartInfo> done) {
      env_.sink->CopyPart("payments", "assembled", id, number, "payments", "source", range, std::move(done));
    });
  };
  Result<PartInfo> whole = copy_part(1, std::nullopt);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->etag, Md5Hex(source));
  EXPECT_EQ(whole->number, 1);
  Result<PartInfo> ten = copy_part(2, ByteRange{10, 19});
  ASSERT_TRUE(ten.ok());
  EXPECT_EQ(ten->etag, Md5Hex(source.substr(10, 10)));
  EXPECT_EQ(ten->size, 10u);
  EXPECT_EQ(copy_part(3, ByteRange{0, source.size()}).status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(env_.Wait<PartInfo>([&](Callback<PartInfo> done) {
              env_.sink->CopyPart("payments", "assembled", id, 3, "payments", "missing", std::nullopt, done);
            }).status().code(),
            Code::kNoSuchKey);
  Result<ObjectInfo> done = env_.Complete("payments", "assembled", id, {{1, whole->etag}, {2, ten->etag}});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(env_.Get("payments", "assembled")->body == source + source.substr(10, 10));
}

// A restart (a crash after the parts were acknowledged): the upload is
// still there, invisible as an object, and can be completed.
TEST(SinkMultipartRestart, UploadsSurviveARestart) {
  SinkEnv env;
  env.config.min_part_bytes = kMinPart;
  ASSERT_TRUE(env.Open().ok());
  Result<UploadInfo> kept = env.CreateUpload("payments", "kept");
  Result<UploadInfo> dropped = env.CreateUpload("payments", "dropped");
  ASSERT_TRUE(kept.ok() && dropped.ok());
  const std::string p1 = Body(kMinPart, 'k');
  ASSERT_TRUE(env.PutPart("payments", "kept", kept->upload_id, 1, p1).ok());
  ASSERT_TRUE(env.PutPart("payments", "dropped", dropped->upload_id, 1, "d").ok());
  // A part in the middle of its upload when the process stops.
  Result<std::unique_ptr<ObjectUpload>> torn = env.BeginPart("payments", "kept", kept->upload_id, 3);
  ASSERT_TRUE(torn.ok());
  ASSERT_TRUE(env.Write(**torn, "torn").ok());
  torn->reset();
  env.Stop();

  ASSERT_TRUE(env.Open().ok());
  EXPECT_EQ(env.sink->check_report().parts, 2u);
  EXPECT_EQ(env.sink->check_report().objects, 0u);
  EXPECT_TRUE(env.sink->check_report().removed_orphans.empty());
  ListUploadsRequest request;
  request.bucket = "payments";
  Result<ListUploadsResult> uploads = env.ListUploads(request);
  ASSERT_TRUE(uploads.ok());
  EXPECT_EQ(uploads->uploads.size(), 2u);
  EXPECT_EQ(env.Stat("payments", "kept").status().code(), Code::kNoSuchKey);
  const std::string p2 = Body(20, 't');
  ASSERT_TRUE(env.PutPart("payments", "kept", kept->upload_id, 2, p2).ok());
  Result<ObjectInfo> done = env.Complete("payments", "kept", kept->upload_id, {{1, Md5Hex(p1)}, {2, Md5Hex(p2)}});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(env.Get("payments", "kept")->body == p1 + p2);
  ASSERT_TRUE(env.Abort("payments", "dropped", dropped->upload_id).ok());
  EXPECT_TRUE(env.ListUploads(request)->uploads.empty());
}

TEST(SinkMultipartRestart, StartupCheckRemovesOrphanPartFiles) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  Result<UploadInfo> upload = env.CreateUpload("payments", "k");
  ASSERT_TRUE(upload.ok());
  Result<ObjectInfo> part = env.PutPart("payments", "k", upload->upload_id, 1, "kept part");
  ASSERT_TRUE(part.ok());
  env.Stop();

  const std::string root = env.config.root_dir + "/.uploads/";
  // A part file no row names (a crash between its rename and its commit),
  // and the directory of an upload whose rows are gone (a crash between a
  // completion's commit and the removal of its parts).
  const std::string orphan = root + upload->upload_id + "/00002.00000000000000aa.sealed";
  const std::string gone_id = std::string(32, 'e');
  const std::string leftover = root + gone_id + "/00001.00000000000000bb.sealed";
  WriteFile(orphan, "orphan");
  WriteFile(leftover, "leftover");
  WriteFile(root + "README", "not ours");

  ASSERT_TRUE(env.Open().ok());
  const CheckReport& report = env.sink->check_report();
  std::vector<std::string> removed = report.removed_orphans;
  std::sort(removed.begin(), removed.end());
  std::vector<std::string> expected = {".uploads/" + upload->upload_id + "/00002.00000000000000aa.sealed",
                                       ".uploads/" + gone_id + "/00001.00000000000000bb.sealed"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(removed, expected);
  EXPECT_EQ(report.unexpected, (std::vector<std::string>{".uploads/README"}));
  EXPECT_EQ(report.parts, 1u);
  EXPECT_FALSE(Exists(orphan));
  EXPECT_FALSE(Exists(root + gone_id)) << "emptied upload directories are removed";
  EXPECT_TRUE(Exists(env.PartFileOf(upload->upload_id, 1, part->generation)));
  Result<ObjectInfo> done = env.Complete("payments", "k", upload->upload_id, {{1, part->etag}});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(env.Get("payments", "k")->body, "kept part");
}

TEST_F(SinkMultipartTest, TamperedPartFailsTheCompletion) {
  std::vector<ObjectInfo> put;
  const std::string p1 = Body(kMinPart + 3, 'a'), p2 = Body(70000, 'b');
  const std::string id = UploadWithParts("tampered", {{1, p1}, {2, p2}}, &put);
  ASSERT_EQ(put.size(), 2u);
  const std::string path = env_.PartFileOf(id, 2, put[1].generation);
  std::string bytes = ReadFile(path);
  bytes[bytes.size() - 30] ^= 0x01;
  WriteFile(path, bytes);

  Result<ObjectInfo> done = env_.Complete("payments", "tampered", id, {{1, Md5Hex(p1)}, {2, Md5Hex(p2)}});
  ASSERT_FALSE(done.ok());
  EXPECT_TRUE(IsIntegrityError(done.status())) << done.status().ToString();
  EXPECT_EQ(env_.Stat("payments", "tampered").status().code(), Code::kNoSuchKey);
  EXPECT_TRUE(env_.ListParts("payments", "tampered", id).ok()) << "the upload is left as it was";
  ASSERT_TRUE(env_.runner.RunUntil([&] { return std::filesystem::is_empty(env_.config.root_dir + "/.tmp"); }));
  Result<VerifyReport> verified = env_.Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->checked, 2u);
  ASSERT_EQ(verified->damaged.size(), 1u);
  EXPECT_EQ(verified->damaged[0].bucket, ".uploads");
  EXPECT_EQ(verified->damaged[0].key, id + "/00002");
}

TEST_F(SinkMultipartTest, KeysCountRewrapAndProtectParts) {
  const std::string p1 = Body(kMinPart, 'a');
  const std::string id = UploadWithParts("keyed", {{1, p1}});
  ASSERT_TRUE(env_.Put("payments", "object", "o").ok());
  Result<KeyringInfo> keys = env_.Keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->versions[0].objects, 2u) << "the part counts";
  ASSERT_EQ(*env_.Rotate(), 2);
  EXPECT_EQ(env_.Retire(1).status().code(), Code::kConflict);
  ASSERT_TRUE(env_.Delete("payments", "object").ok());
  EXPECT_EQ(env_.Retire(1).status().code(), Code::kConflict) << "the part still needs version 1";
  Result<RewrapReport> rewrapped = env_.Rewrap();
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.status().ToString();
  EXPECT_EQ(rewrapped->rewrapped, 1u);
  EXPECT_TRUE(rewrapped->failed.empty());
  ASSERT_TRUE(env_.Retire(1).ok());
  Result<ObjectInfo> done = env_.Complete("payments", "keyed", id, {{1, Md5Hex(p1)}});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->key_version, 2);
  EXPECT_TRUE(env_.Get("payments", "keyed")->body == p1);
}

// A crash in the middle of a rewrap of a part: the new header is journaled
// in the part's row and maybe written. The startup check finishes it.
TEST(SinkMultipartRestart, FinishesAJournaledRewrapOfAPart) {
  SinkEnv env;
  ASSERT_TRUE(env.Open().ok());
  Result<UploadInfo> upload = env.CreateUpload("payments", "k");
  ASSERT_TRUE(upload.ok());
  const std::string body = Body(150000, 'r');
  Result<ObjectInfo> part = env.PutPart("payments", "k", upload->upload_id, 1, body);
  ASSERT_TRUE(part.ok());
  ASSERT_TRUE(env.Rotate().ok());
  env.Stop();

  Result<std::unique_ptr<Keyring>> keyring = Keyring::LoadOrCreate(env.config.keyring_path, env.clock);
  ASSERT_TRUE(keyring.ok());
  const ObjectBinding binding{".uploads", upload->upload_id + "/00001", part->generation};
  const std::string path = env.PartFileOf(upload->upload_id, 1, part->generation);
  const std::string file = ReadFile(path);
  Result<EnvelopeHeader> header = EnvelopeHeader::Parse(binding, file);
  ASSERT_TRUE(header.ok());
  Result<std::string> rewrapped = RewrapHeader(binding, *header, *(*keyring)->Find(1), (*keyring)->Active());
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.status().ToString();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(env.db_path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE sink_upload_parts SET rewrap_header = ?1, rewrap_kek_version = 2", -1,
                               &statement, nullptr),
            SQLITE_OK);
  sqlite3_bind_blob(statement, 1, rewrapped->data(), static_cast<int>(rewrapped->size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(statement), SQLITE_DONE);
  sqlite3_finalize(statement);
  sqlite3_close(db);

  ASSERT_TRUE(env.Open().ok());
  EXPECT_EQ(env.sink->check_report().finished_rewraps, 1u);
  EXPECT_EQ(ReadFile(path).substr(0, kEnvelopeHeaderBytes), *rewrapped);
  EXPECT_TRUE(env.Retire(1).ok()) << "nothing uses version 1 any more";
  Result<ObjectInfo> done = env.Complete("payments", "k", upload->upload_id, {{1, part->etag}});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(env.Get("payments", "k")->body == body);
}

}  // namespace
}  // namespace sluice::sink
