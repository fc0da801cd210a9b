// The XML request bodies: what botocore 1.29 sends (captured from its
// serializer), other SDKs' variations, and every refusal.
#include <gtest/gtest.h>

#include <string>

#include "s3/xml_bodies.h"

namespace sluice::s3 {
namespace {

void ExpectMalformed(const Status& status, std::string_view detail) {
  EXPECT_EQ(status.code(), Code::kMalformedRequest) << status.ToString();
  EXPECT_NE(status.message().find("The XML you provided was not well-formed"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find(detail), std::string::npos) << status.message();
}

// --- CompleteMultipartUpload.

TEST(S3XmlBodiesTest, CompleteMultipartUploadFromBotocore) {
  auto parsed = ParseCompleteMultipartUpload(
      R"(<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber>)"
      R"(<ETag>"abc"</ETag><ChecksumCRC32>y/Q5Jg==</ChecksumCRC32></Part><Part><PartNumber>2</PartNumber>)"
      R"(<ETag>"def"</ETag></Part></CompleteMultipartUpload>)");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->parts.size(), 2u);
  EXPECT_EQ(parsed->parts[0].part_number, 1);
  EXPECT_EQ(parsed->parts[0].etag, "abc");
  EXPECT_EQ(parsed->parts[0].checksums,
            (std::map<ChecksumAlgorithm, std::string>{{ChecksumAlgorithm::kCrc32, "y/Q5Jg=="}}));
  EXPECT_EQ(parsed->parts[1].part_number, 2);
  EXPECT_EQ(parsed->parts[1].etag, "def");
  EXPECT_TRUE(parsed->parts[1].checksums.empty());
}

TEST(S3XmlBodiesTest, CompleteMultipartUploadVariations) {
  // A declaration, no namespace, whitespace, &quot; quotes, unquoted ETags,
  // every checksum element, unknown elements skipped, comments.
  auto parsed = ParseCompleteMultipartUpload(R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- from another SDK -->
<CompleteMultipartUpload>
  <Part>
    <ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag>
    <PartNumber> 10000 </PartNumber>
    <ChecksumCRC32C>AAAAAA==</ChecksumCRC32C>
    <ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME>
    <ChecksumSHA1>sha1</ChecksumSHA1>
    <ChecksumSHA256>sha256</ChecksumSHA256>
    <Size>5</Size>
  </Part>
  <Part><PartNumber>3</PartNumber><ETag>plain-etag</ETag><Extra><Nested>x</Nested></Extra></Part>
  <Unknown>ignored</Unknown>
</CompleteMultipartUpload>
)");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->parts.size(), 2u);
  EXPECT_EQ(parsed->parts[0].part_number, 10000);
  EXPECT_EQ(parsed->parts[0].etag, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(parsed->parts[0].checksums.size(), 4u);
  EXPECT_EQ(parsed->parts[0].checksums.at(ChecksumAlgorithm::kCrc64Nvme), "AAAAAAAAAAA=");
  EXPECT_EQ(parsed->parts[0].checksums.at(ChecksumAlgorithm::kSha256), "sha256");
  EXPECT_EQ(parsed->parts[1].part_number, 3);  // order is the caller's to check
  EXPECT_EQ(parsed->parts[1].etag, "plain-etag");
}

TEST(S3XmlBodiesTest, CompleteMultipartUploadRefusals) {
  struct Case {
    std::string body;
    std::string detail;
  };
  std::vector<Case> cases = {
      {"", "no element found"},
      {"<CompleteMultipartUpload/>", "lists no Part"},
      {"<CompleteMultipartUpload></CompleteMultipartUpload>", "lists no Part"},
      {"<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>", "Part 1 has no PartNumber"},
      {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>",
       "Part 1 has no ETag"},
      {"<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
       "PartNumber is not an integer"},
      {"<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
       "PartNumber is not an integer"},
      {"<CompleteMultipartUpload><Part><PartNumber>12345678901</PartNumber><ETag>x</ETag></Part>"
       "</CompleteMultipartUpload>",
       "PartNumber is not an integer"},
      {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber><ETag>x</ETag></Part>"
       "</CompleteMultipartUpload>",
       "two PartNumber"},
      {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag><ETag>y</ETag></Part>"
       "</CompleteMultipartUpload>",
       "two ETag"},
      {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag><ChecksumSHA1>a</ChecksumSHA1>"
       "<ChecksumSHA1>b</ChecksumSHA1></Part></CompleteMultipartUpload>",
       "two ChecksumSHA1"},
      {"<Delete><Object><Key>k</Key></Object></Delete>", "the root element is Delete, not CompleteMultipartUpload"},
      {R"(<CompleteMultipartUpload xmlns="http://example.com/"><Part/></CompleteMultipartUpload>)",
       "the root element is http://example.com/ CompleteMultipartUpload"},
      {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part>",
       "no element found"},  // truncated
      {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>junk",
       "junk after document element"},
      {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</etag></Part></CompleteMultipartUpload>",
       "mismatched tag"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseCompleteMultipartUpload(c.body);
    ASSERT_FALSE(parsed.ok()) << c.body;
    ExpectMalformed(parsed.status(), c.detail);
  }
}

TEST(S3XmlBodiesTest, CompleteMultipartUploadPartLimit) {
  auto document = [](int parts) {
    std::string body = "<CompleteMultipartUpload>";
    for (int i = 1; i <= parts; ++i) {
      body += "<Part><PartNumber>" + std::to_string(i) + "</PartNumber><ETag>e</ETag></Part>";
    }
    return body + "</CompleteMultipartUpload>";
  };
  auto at_limit = ParseCompleteMultipartUpload(document(10000));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  EXPECT_EQ(at_limit->parts.size(), 10000u);
  auto over = ParseCompleteMultipartUpload(document(10001));
  ASSERT_FALSE(over.ok());
  ExpectMalformed(over.status(), "more than 10000 parts");
}

// --- Delete.

TEST(S3XmlBodiesTest, DeleteFromBotocore) {
  auto parsed = ParseDelete(
      R"(<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key> a&amp;b&lt;c&gt; </Key></Object>)"
      R"(<Object><Key>x</Key><VersionId>v1</VersionId></Object><Quiet>true</Quiet></Delete>)");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->objects.size(), 2u);
  EXPECT_EQ(parsed->objects[0].key, " a&b<c> ");  // keys keep their whitespace
  EXPECT_EQ(parsed->objects[0].version_id, std::nullopt);
  EXPECT_EQ(parsed->objects[1].key, "x");
  EXPECT_EQ(parsed->objects[1].version_id, "v1");
  EXPECT_TRUE(parsed->quiet);
}

TEST(S3XmlBodiesTest, DeleteVariations) {
  auto parsed = ParseDelete(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete>\n <Quiet> false </Quiet>\n"
      " <Object><Key>caf\xc3\xa9/&#x1F600;</Key><ETag>\"e\"</ETag><Size>3</Size></Object>\n"
      " <Object><Key><![CDATA[<raw>]]></Key></Object>\n</Delete>");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->objects.size(), 2u);
  EXPECT_EQ(parsed->objects[0].key, "caf\xc3\xa9/\xf0\x9f\x98\x80");
  EXPECT_EQ(parsed->objects[1].key, "<raw>");
  EXPECT_FALSE(parsed->quiet);

  auto quiet = ParseDelete("<Delete><Object><Key>k</Key></Object><Quiet>1</Quiet></Delete>");
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->quiet);
  auto empty_key = ParseDelete("<Delete><Object><Key></Key></Object></Delete>");
  ASSERT_TRUE(empty_key.ok());  // S3 answers an empty key per object, not for the document
  EXPECT_EQ(empty_key->objects[0].key, "");
}

TEST(S3XmlBodiesTest, DeleteRefusals) {
  struct Case {
    std::string body;
    std::string detail;
  };
  std::vector<Case> cases = {
      {"<Delete></Delete>", "names no Object"},
      {"<Delete><Quiet>true</Quiet></Delete>", "names no Object"},
      {"<Delete><Object><VersionId>v</VersionId></Object></Delete>", "Object 1 has no Key"},
      {"<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>", "two Key"},
      {"<Delete><Object><Key>a</Key></Object><Quiet>yes</Quiet></Delete>", "Quiet must be true or false"},
      {"<Delete><Object><Key>a\x01</Key></Object></Delete>", "not well-formed"},  // not an XML character
      {"<Delete><Object><Key>a</Key></Object></Delete", "unclosed token"},
      {"<Delete xmlns=\"urn:other\"><Object><Key>a</Key></Object></Delete>", "the root element is urn:other Delete"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseDelete(c.body);
    ASSERT_FALSE(parsed.ok()) << c.body;
    ExpectMalformed(parsed.status(), c.detail);
  }
  // Elements in a foreign namespace do not count as S3's.
  auto foreign = ParseDelete(
      "<Delete xmlns:o=\"urn:other\"><o:Object><o:Key>a</o:Key></o:Object><Object><Key>b</Key></Object></Delete>");
  ASSERT_TRUE(foreign.ok()) << foreign.status().ToString();
  ASSERT_EQ(foreign->objects.size(), 1u);
  EXPECT_EQ(foreign->objects[0].key, "b");
}

TEST(S3XmlBodiesTest, DeleteObjectLimit) {
  auto document = [](int objects) {
    std::string body = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    for (int i = 0; i < objects; ++i) body += "<Object><Key>key-" + std::to_string(i) + "</Key></Object>";
    return body + "</Delete>";
  };
  auto at_limit = ParseDelete(document(1000));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  EXPECT_EQ(at_limit->objects.size(), 1000u);
  EXPECT_EQ(at_limit->objects[999].key, "key-999");
  auto over = ParseDelete(document(1001));
  ASSERT_FALSE(over.ok());
  ExpectMalformed(over.status(), "more than 1000 objects");
}

// --- CreateBucketConfiguration.

TEST(S3XmlBodiesTest, CreateBucketConfiguration) {
  auto parsed = ParseCreateBucketConfiguration(
      R"(<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      R"(<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>)");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->location_constraint, "eu-west-1");

  for (std::string_view empty : {"", " \r\n\t"}) {
    auto none = ParseCreateBucketConfiguration(empty);
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->location_constraint, std::nullopt);
  }
  auto no_element = ParseCreateBucketConfiguration("<CreateBucketConfiguration/>");
  ASSERT_TRUE(no_element.ok());
  EXPECT_EQ(no_element->location_constraint, std::nullopt);
  auto empty_element =
      ParseCreateBucketConfiguration("<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>");
  ASSERT_TRUE(empty_element.ok());
  EXPECT_EQ(empty_element->location_constraint, "");
  auto with_extras = ParseCreateBucketConfiguration(
      "<CreateBucketConfiguration><Location><Type>AvailabilityZone</Type></Location>"
      "<LocationConstraint> us-west-2 </LocationConstraint></CreateBucketConfiguration>");
  ASSERT_TRUE(with_extras.ok());
  EXPECT_EQ(with_extras->location_constraint, "us-west-2");

  ExpectMalformed(ParseCreateBucketConfiguration("<Bucket/>").status(), "the root element is Bucket");
  ExpectMalformed(ParseCreateBucketConfiguration("not xml").status(), "syntax error");
  ExpectMalformed(ParseCreateBucketConfiguration("<CreateBucketConfiguration><LocationConstraint>a"
                                                 "</LocationConstraint><LocationConstraint>b</LocationConstraint>"
                                                 "</CreateBucketConfiguration>")
                      .status(),
                  "two LocationConstraint");
}

// --- Safety.

TEST(S3XmlBodiesTest, DoctypeIsRefused) {
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
      "<Delete><Object><Key>&lol2;</Key></Object></Delete>";
  ExpectMalformed(ParseDelete(laughs).status(), "DOCTYPE");
  const std::string external =
      "<!DOCTYPE Delete SYSTEM \"file:///etc/passwd\"><Delete><Object><Key>k</Key></Object></Delete>";
  ExpectMalformed(ParseDelete(external).status(), "DOCTYPE");
  ExpectMalformed(ParseCompleteMultipartUpload("<!DOCTYPE CompleteMultipartUpload><CompleteMultipartUpload/>").status(),
                  "DOCTYPE");
  ExpectMalformed(ParseCreateBucketConfiguration("<!DOCTYPE x []><CreateBucketConfiguration/>").status(), "DOCTYPE");
  // An undeclared entity is an error too (only the five predefined exist).
  ExpectMalformed(ParseDelete("<Delete><Object><Key>&nbsp;</Key></Object></Delete>").status(), "undefined entity");
}

TEST(S3XmlBodiesTest, DeepNestingIsRefused) {
  std::string body = "<Delete>";
  for (int i = 0; i < 100000; ++i) body += "<a>";
  ExpectMalformed(ParseDelete(body).status(), "nest deeper than 16");
  std::string fifteen = "<Delete><Object><Key>k</Key></Object>";
  for (int i = 0; i < 15; ++i) fifteen += "<a>";
  for (int i = 0; i < 15; ++i) fifteen += "</a>";
  EXPECT_TRUE(ParseDelete(fifteen + "</Delete>").ok());  // 16 levels are fine
}

TEST(S3XmlBodiesTest, HugeTextIsRefused) {
  std::string body = "<Delete><Object><Key>" + std::string(64 * 1024 + 1, 'k') + "</Key></Object></Delete>";
  ExpectMalformed(ParseDelete(body).status(), "longer than 65536 bytes");
  // Also between elements, where nothing reads it.
  body = "<Delete>" + std::string(200 * 1024, ' ') + "<Object><Key>k</Key></Object></Delete>";
  ExpectMalformed(ParseDelete(body).status(), "longer than 65536 bytes");
  std::string fits = "<Delete><Object><Key>" + std::string(64 * 1024, 'k') + "</Key></Object></Delete>";
  auto parsed = ParseDelete(fits);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->objects[0].key.size(), 64u * 1024);
}

}  // namespace
}  // namespace sluice::s3
