// Listing parameters and ListPager over an in-memory store.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "s3/listing.h"

namespace sluice::s3 {
namespace {

// A sorted key store with the sink's List semantics, recording its queries.
class FakeStore {
 public:
  explicit FakeStore(std::vector<std::string> keys) : keys_(std::move(keys)) {
    std::sort(keys_.begin(), keys_.end());
  }

  Result<StoreBatch> operator()(const StoreQuery& query) {
    queries.push_back(query);
    StoreBatch batch;
    auto it = std::upper_bound(keys_.begin(), keys_.end(), query.after);
    for (; it != keys_.end() && static_cast<int>(batch.entries.size()) < query.limit; ++it) {
      if (it->compare(0, query.prefix.size(), query.prefix) != 0) continue;
      batch.entries.push_back(ObjectEntry{*it, 1000, "etag", 1});
    }
    batch.exhausted = std::none_of(it, keys_.end(), [&](const std::string& key) {
      return key.compare(0, query.prefix.size(), query.prefix) == 0;
    });
    return batch;
  }

  std::vector<StoreQuery> queries;

 private:
  std::vector<std::string> keys_;
};

ListPage List(FakeStore& store, const std::string& prefix, const std::string& delimiter, int max_keys,
              const std::string& start = "") {
  ListPager pager(prefix, delimiter, max_keys, start);
  Status status = RunListPager(pager, [&](const StoreQuery& query) { return store(query); });
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(pager.done());
  return pager.TakePage();
}

std::vector<std::string> Keys(const ListPage& page) {
  std::vector<std::string> keys;
  for (const ObjectEntry& entry : page.contents) keys.push_back(entry.key);
  return keys;
}

using Strings = std::vector<std::string>;

TEST(S3Listing, AllKeysWithoutDelimiter) {
  FakeStore store({"b", "a", "c/d", "c/e"});
  ListPage page = List(store, "", "", 1000);
  EXPECT_EQ(Keys(page), (Strings{"a", "b", "c/d", "c/e"}));
  EXPECT_TRUE(page.common_prefixes.empty());
  EXPECT_FALSE(page.is_truncated);
  EXPECT_EQ(page.key_count(), 4);
  EXPECT_EQ(page.NextContinuationToken(), "");
  ASSERT_EQ(store.queries.size(), 1u);
  EXPECT_EQ(store.queries[0].limit, 1000);
  EXPECT_EQ(store.queries[0].after, "");
}

TEST(S3Listing, MaxKeysTruncates) {
  FakeStore store({"a", "b", "c", "d", "e"});
  ListPage page = List(store, "", "", 2);
  EXPECT_EQ(Keys(page), (Strings{"a", "b"}));
  EXPECT_TRUE(page.is_truncated);
  EXPECT_EQ(DecodeContinuationToken(page.NextContinuationToken()), "b");
  EXPECT_EQ(page.NextMarker(""), "");  // v1 sends NextMarker only with a delimiter
  EXPECT_EQ(page.NextMarker("/"), "b");
  EXPECT_EQ(store.queries[0].limit, 3);  // one more than wanted, to see truncation

  ListPage rest = List(store, "", "", 2, "b");
  EXPECT_EQ(Keys(rest), (Strings{"c", "d"}));
  EXPECT_TRUE(rest.is_truncated);
  ListPage last = List(store, "", "", 2, "d");
  EXPECT_EQ(Keys(last), (Strings{"e"}));
  EXPECT_FALSE(last.is_truncated);
}

TEST(S3Listing, ExactlyFullPageIsNotTruncated) {
  FakeStore store({"a", "b", "c"});
  ListPage page = List(store, "", "", 3);
  EXPECT_EQ(page.key_count(), 3);
  EXPECT_FALSE(page.is_truncated);
}

TEST(S3Listing, MaxKeysZeroListsNothing) {
  FakeStore store({"a", "b"});
  ListPage page = List(store, "", "", 0);
  EXPECT_EQ(page.key_count(), 0);
  EXPECT_FALSE(page.is_truncated);
  EXPECT_TRUE(store.queries.empty());
}

TEST(S3Listing, EmptyBucket) {
  FakeStore store({});
  ListPage page = List(store, "", "/", 1000);
  EXPECT_EQ(page.key_count(), 0);
  EXPECT_FALSE(page.is_truncated);
}

TEST(S3Listing, DelimiterGroupsCommonPrefixes) {
  FakeStore store({"a/1", "a/2", "b", "c/x/y", "c/z", "d", "e/"});
  ListPage page = List(store, "", "/", 1000);
  EXPECT_EQ(Keys(page), (Strings{"b", "d"}));
  EXPECT_EQ(page.common_prefixes, (Strings{"a/", "c/", "e/"}));
  EXPECT_EQ(page.key_count(), 5);
  EXPECT_FALSE(page.is_truncated);
}

TEST(S3Listing, PrefixAndDelimiter) {
  FakeStore store({"photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/x.jpg", "photosx",
                   "other/y"});
  ListPage page = List(store, "photos/", "/", 1000);
  EXPECT_EQ(Keys(page), (Strings{"photos/x.jpg"}));
  EXPECT_EQ(page.common_prefixes, (Strings{"photos/2024/", "photos/2025/"}));
  // The prefix itself does not count as containing the delimiter.
  ListPage no_slash = List(store, "photos", "/", 1000);
  EXPECT_EQ(Keys(no_slash), (Strings{"photosx"}));
  EXPECT_EQ(no_slash.common_prefixes, (Strings{"photos/"}));
}

TEST(S3Listing, MultiCharacterDelimiter) {
  FakeStore store({"a--b--c", "a--d", "a-e", "f"});
  ListPage page = List(store, "", "--", 1000);
  EXPECT_EQ(Keys(page), (Strings{"a-e", "f"}));
  EXPECT_EQ(page.common_prefixes, (Strings{"a--"}));
}

TEST(S3Listing, CommonPrefixCountsTowardMaxKeysAndSkipsItsGroup) {
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) keys.push_back("a/" + std::to_string(100 + i));
  keys.push_back("b");
  FakeStore store(keys);
  ListPage page = List(store, "", "/", 1);
  EXPECT_EQ(page.common_prefixes, (Strings{"a/"}));
  EXPECT_TRUE(page.is_truncated);  // "b" remains
  EXPECT_EQ(DecodeContinuationToken(page.NextContinuationToken()), "a/");
  EXPECT_EQ(page.NextMarker("/"), "a/");
  // After the prefix, the store is asked for keys past the whole group.
  ASSERT_EQ(store.queries.size(), 2u);
  EXPECT_EQ(store.queries[1].after, std::string("a/\xff", 3));
  EXPECT_EQ(store.queries[1].limit, 1);
}

TEST(S3Listing, StartInsideOrAtAGroupSkipsIt) {
  FakeStore store({"folder/aSubfolder/subFile1", "folder/aSubfolder/subFile2", "folder/file1", "folder/file2"});
  // AWS: marker "folder/aSubfolder/" and "folder/aSubfolder/subFile1" both continue at folder/file1.
  for (const char* start : {"folder/aSubfolder/", "folder/aSubfolder/subFile1"}) {
    ListPage page = List(store, "folder/", "/", 1, start);
    EXPECT_EQ(Keys(page), (Strings{"folder/file1"})) << start;
    EXPECT_TRUE(page.common_prefixes.empty()) << start;
    EXPECT_TRUE(page.is_truncated) << start;
  }
  // Without a delimiter the start is just a key.
  ListPage flat = List(store, "folder/", "", 1, "folder/aSubfolder/");
  EXPECT_EQ(Keys(flat), (Strings{"folder/aSubfolder/subFile1"}));
}

TEST(S3Listing, LastGroupEndsThePage) {
  FakeStore store({"a", "b/1", "b/2", "b/3"});
  ListPage page = List(store, "", "/", 2);
  EXPECT_EQ(Keys(page), (Strings{"a"}));
  EXPECT_EQ(page.common_prefixes, (Strings{"b/"}));
  EXPECT_FALSE(page.is_truncated);  // nothing after the b/ group
}

// Pages through everything with `max_keys` per page, resuming from each
// page's continuation token; returns every entry in order (keys and
// prefixes, prefixes marked with a trailing "*").
std::vector<std::string> PageThrough(FakeStore& store, const std::string& prefix, const std::string& delimiter,
                                     int max_keys, bool use_marker) {
  std::vector<std::string> all;
  std::string start;
  for (int pages = 0; pages < 1000; ++pages) {
    ListPage page = List(store, prefix, delimiter, max_keys, start);
    EXPECT_LE(page.key_count(), max_keys);
    // Merge in sort order: contents and prefixes interleave by value.
    std::vector<std::string> merged;
    for (const ObjectEntry& entry : page.contents) merged.push_back(entry.key);
    for (const std::string& common : page.common_prefixes) merged.push_back(common + "*");
    std::sort(merged.begin(), merged.end());
    all.insert(all.end(), merged.begin(), merged.end());
    if (!page.is_truncated) return all;
    EXPECT_GT(page.key_count(), 0);
    if (use_marker && !delimiter.empty()) {
      start = page.NextMarker(delimiter);
    } else if (use_marker) {
      start = page.contents.back().key;  // v1 without delimiter: the last key
    } else {
      std::optional<std::string> decoded = DecodeContinuationToken(page.NextContinuationToken());
      EXPECT_TRUE(decoded.has_value());
      start = decoded.value_or("");
    }
  }
  ADD_FAILURE() << "did not finish";
  return all;
}

TEST(S3Listing, PagingAcrossGroupsMatchesOneBigPage) {
  std::vector<std::string> keys = {"a", "b/", "b/1", "b/2/x", "c", "d/e/f", "d/g", "e"};
  for (int i = 0; i < 30; ++i) keys.push_back("f/" + std::to_string(10 + i));  // a group wider than a batch
  keys.push_back("g");
  keys.push_back("h/\xC3\xA9");
  FakeStore store(keys);
  for (const char* delimiter : {"", "/"}) {
    ListPage whole = List(store, "", delimiter, 1000);
    std::vector<std::string> expected;
    for (const ObjectEntry& entry : whole.contents) expected.push_back(entry.key);
    for (const std::string& common : whole.common_prefixes) expected.push_back(common + "*");
    std::sort(expected.begin(), expected.end());
    for (int max_keys : {1, 2, 3, 5, 7}) {
      for (bool use_marker : {false, true}) {
        EXPECT_EQ(PageThrough(store, "", delimiter, max_keys, use_marker), expected)
            << "delimiter '" << delimiter << "' max-keys " << max_keys << " marker " << use_marker;
      }
    }
  }
}

TEST(S3Listing, PagerIgnoresKeysOutsideItsQuery) {
  ListPager pager("p/", "", 10, "p/b");
  std::optional<StoreQuery> query = pager.NextQuery();
  ASSERT_TRUE(query.has_value());
  EXPECT_EQ(query->prefix, "p/");
  EXPECT_EQ(query->after, "p/b");
  StoreBatch batch;
  batch.entries = {ObjectEntry{"p/a"}, ObjectEntry{"p/b"}, ObjectEntry{"q/c"}, ObjectEntry{"p/c"}};
  pager.Feed(batch);
  EXPECT_EQ(Keys(pager.page()), (Strings{"p/c"}));
  EXPECT_FALSE(pager.done());  // not exhausted: ask again
  EXPECT_EQ(pager.NextQuery()->after, "p/c");
  pager.Feed(StoreBatch{{ObjectEntry{"p/c"}}, false});  // no progress: stop rather than loop
  EXPECT_TRUE(pager.done());
  EXPECT_FALSE(pager.NextQuery().has_value());
}

TEST(S3Listing, StoreErrorsStopThePager) {
  ListPager pager("", "", 10, "");
  Status status = RunListPager(pager, [](const StoreQuery&) -> Result<StoreBatch> {
    return Status(Code::kStorageFailed, "disk gone");
  });
  EXPECT_EQ(status.code(), Code::kStorageFailed);
}

TEST(S3Listing, ContinuationTokens) {
  for (const std::string& position :
       {std::string("a"), std::string("ab"), std::string("abc"), std::string("photos/2024/cat.jpg"),
        std::string("a b+c/\xC3\xA9\xF0\x9F\x98\x80"), std::string("folder/"), std::string(1024, 'k')}) {
    std::string token = EncodeContinuationToken(position);
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << token;  // URL-safe: survives any client's query encoding
    EXPECT_EQ(DecodeContinuationToken(token), position);
  }
  EXPECT_EQ(EncodeContinuationToken("a"), "YQ");
  EXPECT_EQ(EncodeContinuationToken("\xFB\xFF"), "-_8");
  for (const char* bad : {"", "Y", "YR", "YQ==", "Y Q", "YQ!", "_w"}) {
    EXPECT_EQ(DecodeContinuationToken(bad), std::nullopt) << bad;
  }
  // Decodes, but not to UTF-8: not one of ours.
  EXPECT_EQ(DecodeContinuationToken(EncodeContinuationToken("\xFF")), std::nullopt);
}

TEST(S3Listing, ParamsDefaults) {
  S3Result<ListObjectsParams> v2 = ParseListObjectsParams("list-type=2", ListVersion::kV2);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, ListVersion::kV2);
  EXPECT_EQ(v2->prefix, "");
  EXPECT_EQ(v2->delimiter, "");
  EXPECT_EQ(v2->max_keys, 1000);
  EXPECT_FALSE(v2->url_encoding);
  EXPECT_FALSE(v2->fetch_owner);
  EXPECT_FALSE(v2->continuation_token.has_value());
  EXPECT_FALSE(v2->start_after.has_value());
  EXPECT_EQ(v2->start, "");
  S3Result<ListObjectsParams> v1 = ParseListObjectsParams("", ListVersion::kV1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->marker, "");
}

TEST(S3Listing, ParamsValues) {
  S3Result<ListObjectsParams> v2 = ParseListObjectsParams(
      "list-type=2&prefix=a%20b%2Bc+d%2F&delimiter=%2F&max-keys=7&encoding-type=url&fetch-owner=true"
      "&start-after=a%2Fz",
      ListVersion::kV2);
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  EXPECT_EQ(v2->prefix, "a b+c d/");
  EXPECT_EQ(v2->delimiter, "/");
  EXPECT_EQ(v2->max_keys, 7);
  EXPECT_TRUE(v2->url_encoding);
  EXPECT_TRUE(v2->fetch_owner);
  EXPECT_EQ(v2->start_after, "a/z");
  EXPECT_EQ(v2->start, "a/z");

  // The token wins over start-after.
  const std::string token = EncodeContinuationToken("m/n");
  S3Result<ListObjectsParams> resumed =
      ParseListObjectsParams("list-type=2&start-after=a&continuation-token=" + token, ListVersion::kV2);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->continuation_token, token);
  EXPECT_EQ(resumed->start, "m/n");

  S3Result<ListObjectsParams> v1 = ParseListObjectsParams("marker=k%C3%A9&max-keys=0&delimiter=", ListVersion::kV1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->marker, "k\xC3\xA9");
  EXPECT_EQ(v1->start, "k\xC3\xA9");
  EXPECT_EQ(v1->max_keys, 0);
  EXPECT_EQ(v1->delimiter, "");  // "delimiter=" is no delimiter

  EXPECT_EQ(ParseListObjectsParams("max-keys=5000", ListVersion::kV2)->max_keys, 1000);
  EXPECT_EQ(ParseListObjectsParams("max-keys=1000", ListVersion::kV2)->max_keys, 1000);
  EXPECT_EQ(ParseListObjectsParams("max-keys=2147483647", ListVersion::kV2)->max_keys, 1000);
}

void ExpectInvalidArgument(const std::string& query, ListVersion version, const char* argument) {
  S3Result<ListObjectsParams> params = ParseListObjectsParams(query, version);
  ASSERT_FALSE(params.ok()) << query;
  EXPECT_EQ(params.error().code, "InvalidArgument") << query;
  EXPECT_EQ(params.error().http_status, 400);
  ASSERT_FALSE(params.error().details.empty()) << query;
  EXPECT_EQ(params.error().details[0].value, argument) << query;
}

TEST(S3Listing, ParamsErrors) {
  for (const char* value : {"abc", "-1", "1.5", "", "2147483648", "99999999999999999999", "+1", " 1"}) {
    ExpectInvalidArgument(std::string("max-keys=") + value, ListVersion::kV2, "max-keys");
  }
  ExpectInvalidArgument("encoding-type=gzip", ListVersion::kV2, "encoding-type");
  ExpectInvalidArgument("encoding-type=", ListVersion::kV1, "encoding-type");
  ExpectInvalidArgument("encoding-type=URL", ListVersion::kV1, "encoding-type");
  ExpectInvalidArgument("continuation-token=", ListVersion::kV2, "continuation-token");
  ExpectInvalidArgument("continuation-token=not%20base64", ListVersion::kV2, "continuation-token");
  S3Result<ListObjectsParams> bad_escape = ParseListObjectsParams("prefix=%ZZ", ListVersion::kV2);
  ASSERT_FALSE(bad_escape.ok());
  EXPECT_EQ(bad_escape.error().code, "InvalidURI");
  // v1 has no continuation token: the parameter is ignored.
  EXPECT_TRUE(ParseListObjectsParams("continuation-token=%21", ListVersion::kV1).ok());
  // "-0" is zero.
  EXPECT_EQ(ParseListObjectsParams("max-keys=-0", ListVersion::kV2)->max_keys, 0);
}

TEST(S3Listing, UploadsAndPartsParams) {
  S3Result<ListUploadsParams> uploads = ParseListUploadsParams(
      "uploads&prefix=p&delimiter=%2F&max-uploads=3&key-marker=k1&upload-id-marker=u1&encoding-type=url");
  ASSERT_TRUE(uploads.ok());
  EXPECT_EQ(uploads->prefix, "p");
  EXPECT_EQ(uploads->delimiter, "/");
  EXPECT_EQ(uploads->max_uploads, 3);
  EXPECT_EQ(uploads->key_marker, "k1");
  EXPECT_EQ(uploads->upload_id_marker, "u1");
  EXPECT_TRUE(uploads->url_encoding);
  EXPECT_EQ(ParseListUploadsParams("uploads")->max_uploads, 1000);
  EXPECT_EQ(ParseListUploadsParams("max-uploads=x").error().details[0].value, "max-uploads");

  S3Result<ListPartsParams> parts = ParseListPartsParams("uploadId=u&max-parts=2&part-number-marker=5");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->max_parts, 2);
  EXPECT_EQ(parts->part_number_marker, 5);
  EXPECT_EQ(ParseListPartsParams("uploadId=u")->max_parts, 1000);
  EXPECT_EQ(ParseListPartsParams("uploadId=u&part-number-marker=")->part_number_marker, 0);
  EXPECT_EQ(ParseListPartsParams("part-number-marker=-2").error().code, "InvalidArgument");
  EXPECT_EQ(ParseListPartsParams("max-parts=-2").error().code, "InvalidArgument");
}

}  // namespace
}  // namespace sluice::s3
