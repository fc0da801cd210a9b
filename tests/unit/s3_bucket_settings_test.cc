// The bucket setting codecs: request bodies as botocore sends them and as
// other clients may, every refusal with S3's code and message, the stored
// forms and the response bodies. With SLUICE_S3_DUMP_DIR set, the response
// bodies and error bodies are also written there (<Operation>.<case>.xml,
// error.<Code>.<status>.xml) for tests/unit/s3_bucket_settings_check.py,
// which parses them with botocore.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "s3/bucket_settings.h"

namespace sluice::s3 {
namespace {

void Dump(const std::string& name, const std::string& body) {
  if (const char* dir = std::getenv("SLUICE_S3_DUMP_DIR")) {
    std::ofstream(std::string(dir) + "/" + name, std::ios::binary) << body;
  }
}

constexpr const char* kMalformedPrefix =
    "The XML you provided was not well-formed or did not validate against our published schema: ";

template <typename T>
void ExpectMalformedXml(const S3Result<T>& result, std::string_view detail, const std::string& body) {
  ASSERT_FALSE(result.ok()) << body;
  EXPECT_EQ(result.error().code, "MalformedXML") << body;
  EXPECT_EQ(result.error().http_status, 400);
  EXPECT_EQ(result.error().message.rfind(kMalformedPrefix, 0), 0u) << result.error().message;
  EXPECT_NE(result.error().message.find(detail), std::string::npos) << body << "\n" << result.error().message;
}

template <typename T>
void ExpectError(const S3Result<T>& result, std::string_view code, std::string_view message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code);
  EXPECT_EQ(result.error().http_status, 400);
  EXPECT_EQ(result.error().message, message);
}

// The value of the error detail `name`, or "<absent>".
std::string Detail(const S3Error& error, std::string_view name) {
  for (const ErrorDetail& detail : error.details) {
    if (name == detail.name) return detail.value;
  }
  return "<absent>";
}

std::string Repeat(std::string_view text, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out.append(text);
  return out;
}

constexpr const char* kNs = R"( xmlns="http://s3.amazonaws.com/doc/2006-03-01/")";

// --- Encryption.

std::string EncryptionBody(std::string_view rules) {
  return std::string("<ServerSideEncryptionConfiguration") + kNs + ">" + std::string(rules) +
         "</ServerSideEncryptionConfiguration>";
}

TEST(S3BucketSettings, EncryptionFromBotocore) {
  S3Result<EncryptionRule> rule = ParseEncryptionConfiguration(
      R"(<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>)"
      R"(<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>)"
      R"(<KMSMasterKeyID>arn:aws:kms:us-east-1:123456789012:key/abcd</KMSMasterKeyID>)"
      R"(</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>)"
      R"(</ServerSideEncryptionConfiguration>)");
  ASSERT_TRUE(rule.ok()) << rule.error().message;
  EXPECT_EQ(rule->algorithm, "aws:kms");
  EXPECT_EQ(rule->kms_key_id, "arn:aws:kms:us-east-1:123456789012:key/abcd");
  EXPECT_TRUE(rule->bucket_key_enabled);
}

TEST(S3BucketSettings, EncryptionVariations) {
  // No namespace, a declaration, whitespace, comments, unknown elements and
  // elements of other namespaces skipped; BucketKeyEnabled defaults to false.
  S3Result<EncryptionRule> aes = ParseEncryptionConfiguration(R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- another SDK -->
<ServerSideEncryptionConfiguration>
  <Rule>
    <ApplyServerSideEncryptionByDefault>
      <SSEAlgorithm> AES256 </SSEAlgorithm>
      <x:KMSMasterKeyID xmlns:x="urn:other">ignored</x:KMSMasterKeyID>
    </ApplyServerSideEncryptionByDefault>
    <BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>
  </Rule>
  <Unknown><SSEAlgorithm>aws:kms</SSEAlgorithm></Unknown>
</ServerSideEncryptionConfiguration>
)");
  ASSERT_TRUE(aes.ok()) << aes.error().message;
  EXPECT_EQ(aes->algorithm, "AES256");
  EXPECT_EQ(aes->kms_key_id, "");
  EXPECT_FALSE(aes->bucket_key_enabled);

  S3Result<EncryptionRule> dsse = ParseEncryptionConfiguration(
      EncryptionBody("<Rule><BucketKeyEnabled>false</BucketKeyEnabled><ApplyServerSideEncryptionByDefault>"
                     "<SSEAlgorithm>aws:kms:dsse</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"));
  ASSERT_TRUE(dsse.ok()) << dsse.error().message;
  EXPECT_EQ(dsse->algorithm, "aws:kms:dsse");
  EXPECT_EQ(dsse->kms_key_id, "");
  EXPECT_FALSE(dsse->bucket_key_enabled);

  // An empty KMSMasterKeyID with aws:kms: S3's own key.
  S3Result<EncryptionRule> kms = ParseEncryptionConfiguration(
      EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID/>"
                     "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled> true </BucketKeyEnabled></Rule>"));
  ASSERT_TRUE(kms.ok()) << kms.error().message;
  EXPECT_EQ(kms->algorithm, "aws:kms");
  EXPECT_EQ(kms->kms_key_id, "");
  EXPECT_TRUE(kms->bucket_key_enabled);
}

TEST(S3BucketSettings, EncryptionRefusals) {
  const std::string by_default =
      "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
      "</ApplyServerSideEncryptionByDefault>";
  struct Case {
    std::string body;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"", "no element found"},
      {"<ServerSideEncryptionConfiguration>", "no element found"},
      {"<Tagging" + std::string(kNs) + "/>", "the root element is http://s3.amazonaws.com/doc/2006-03-01/ Tagging"},
      {"<x:ServerSideEncryptionConfiguration xmlns:x=\"urn:other\"/>", "the root element is urn:other"},
      {EncryptionBody(""), "has no Rule"},
      {EncryptionBody("<Rule>" + by_default + "</Rule><Rule>" + by_default + "</Rule>"), "more than one Rule"},
      {EncryptionBody("<Rule></Rule>"), "the Rule has no ApplyServerSideEncryptionByDefault"},
      {EncryptionBody("<Rule><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"),
       "the Rule has no ApplyServerSideEncryptionByDefault"},
      {EncryptionBody("<Rule>" + by_default + by_default + "</Rule>"), "two ApplyServerSideEncryptionByDefault"},
      {EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault/></Rule>"), "has no SSEAlgorithm"},
      {EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><KMSMasterKeyID>k</KMSMasterKeyID>"
                      "</ApplyServerSideEncryptionByDefault></Rule>"),
       "has no SSEAlgorithm"},
      {EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
                      "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"),
       "two SSEAlgorithm elements"},
      {EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
                      "<KMSMasterKeyID>a</KMSMasterKeyID><KMSMasterKeyID>b</KMSMasterKeyID>"
                      "</ApplyServerSideEncryptionByDefault></Rule>"),
       "two KMSMasterKeyID elements"},
      // Values outside S3's enumeration, aws:fsx (FSx only) and case variants included.
      {EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:fsx</SSEAlgorithm>"
                      "</ApplyServerSideEncryptionByDefault></Rule>"),
       "unknown SSEAlgorithm aws:fsx"},
      {EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aes256</SSEAlgorithm>"
                      "</ApplyServerSideEncryptionByDefault></Rule>"),
       "unknown SSEAlgorithm aes256"},
      {EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm></SSEAlgorithm>"
                      "</ApplyServerSideEncryptionByDefault></Rule>"),
       "unknown SSEAlgorithm"},
      {EncryptionBody("<Rule>" + by_default + "<BucketKeyEnabled>yes</BucketKeyEnabled></Rule>"),
       "BucketKeyEnabled must be true or false"},
      {EncryptionBody("<Rule>" + by_default + "<BucketKeyEnabled>1</BucketKeyEnabled></Rule>"),
       "BucketKeyEnabled must be true or false"},
      {EncryptionBody("<Rule>" + by_default +
                      "<BucketKeyEnabled>true</BucketKeyEnabled><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"),
       "two BucketKeyEnabled elements"},
      // An SSEAlgorithm in another namespace is not S3's.
      {EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><x:SSEAlgorithm xmlns:x=\"urn:other\">AES256"
                      "</x:SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"),
       "has no SSEAlgorithm"},
      // Safety rules shared with xml_bodies.
      {"<!DOCTYPE ServerSideEncryptionConfiguration [<!ENTITY x \"y\">]>" + EncryptionBody(""),
       "a DOCTYPE declaration is not allowed"},
      {EncryptionBody(Repeat("<a>", 16) + Repeat("</a>", 16)), "elements nest deeper than 16"},
      {EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>" + std::string(65 * 1024, 'A') +
                      "</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"),
       "an element's text is longer than 65536 bytes"},
  };
  for (const Case& c : cases) ExpectMalformedXml(ParseEncryptionConfiguration(c.body), c.detail, c.body);
}

TEST(S3BucketSettings, EncryptionKeyOnlyWithKms) {
  for (std::string_view key : {"<KMSMasterKeyID>arn:aws:kms:us-east-1:1:key/k</KMSMasterKeyID>", "<KMSMasterKeyID/>"}) {
    S3Result<EncryptionRule> rule = ParseEncryptionConfiguration(
        EncryptionBody("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>" +
                       std::string(key) + "</ApplyServerSideEncryptionByDefault></Rule>"));
    ExpectError(rule, "InvalidArgument",
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse");
    EXPECT_EQ(Detail(rule.error(), "ArgumentName"), "ApplyServerSideEncryptionByDefault");
  }
  // Schema errors come first: an unknown algorithm with a key is MalformedXML.
  ExpectMalformedXml(ParseEncryptionConfiguration(EncryptionBody(
                         "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>rot13</SSEAlgorithm>"
                         "<KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule>")),
                     "unknown SSEAlgorithm rot13", "rot13");
}

TEST(S3BucketSettings, EncryptionStoredForm) {
  EncryptionRule kms{"aws:kms", "arn:aws:kms:us-east-1:1:key/\"k\"", true};
  EXPECT_EQ(EncodeEncryptionSetting(kms),
            R"({"algorithm":"aws:kms","kms_key_id":"arn:aws:kms:us-east-1:1:key/\"k\"","bucket_key_enabled":true})");
  EXPECT_EQ(EncodeEncryptionSetting(EncryptionRule{}),
            R"({"algorithm":"AES256","kms_key_id":"","bucket_key_enabled":false})");
  for (const EncryptionRule& rule : {kms, EncryptionRule{}, EncryptionRule{"aws:kms:dsse", "", false},
                                     EncryptionRule{"aws:kms", "", true}, EncryptionRule{"AES256", "", true}}) {
    std::optional<EncryptionRule> decoded = DecodeEncryptionSetting(EncodeEncryptionSetting(rule));
    ASSERT_TRUE(decoded.has_value()) << EncodeEncryptionSetting(rule);
    EXPECT_EQ(decoded->algorithm, rule.algorithm);
    EXPECT_EQ(decoded->kms_key_id, rule.kms_key_id);
    EXPECT_EQ(decoded->bucket_key_enabled, rule.bucket_key_enabled);
  }
  for (std::string_view garbage :
       {"", "AES256", "{", "[]", "{}", "null", R"({"algorithm":"rot13","kms_key_id":"","bucket_key_enabled":false})",
        R"({"algorithm":5,"kms_key_id":"","bucket_key_enabled":false})",
        R"({"algorithm":"AES256","kms_key_id":"k","bucket_key_enabled":false})",
        R"({"algorithm":"aws:kms","kms_key_id":7,"bucket_key_enabled":false})",
        R"({"algorithm":"aws:kms","kms_key_id":"","bucket_key_enabled":"true"})",
        R"({"algorithm":"aws:kms","bucket_key_enabled":false})", R"({"algorithm":"aws:kms","kms_key_id":""})",
        R"({"algorithm":"AES256","kms_key_id":"","bucket_key_enabled":false} trailing)"}) {
    EXPECT_FALSE(DecodeEncryptionSetting(garbage).has_value()) << garbage;
  }
}

TEST(S3BucketSettings, EncryptionXml) {
  std::string aes = EncryptionConfigurationXml(EncryptionRule{});
  EXPECT_EQ(aes,
            "<?xml version=\"1.0\"?><ServerSideEncryptionConfiguration "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault>"
            "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
            "<BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>");
  Dump("GetBucketEncryption.aes256.xml", aes);

  std::string kms = EncryptionConfigurationXml({"aws:kms", "arn:aws:kms:us-east-1:1:key/a&b", true});
  EXPECT_EQ(kms,
            "<?xml version=\"1.0\"?><ServerSideEncryptionConfiguration "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault>"
            "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:1:key/a&amp;b</KMSMasterKeyID>"
            "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"
            "</ServerSideEncryptionConfiguration>");
  Dump("GetBucketEncryption.kms.xml", kms);
  Dump("GetBucketEncryption.dsse.xml", EncryptionConfigurationXml({"aws:kms:dsse", "", false}));

  // What the XML says parses back to the same rule.
  S3Result<EncryptionRule> again = ParseEncryptionConfiguration(kms);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->kms_key_id, "arn:aws:kms:us-east-1:1:key/a&b");
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

HeaderList Pairs(const std::vector<http::Header>& headers) {
  HeaderList pairs;
  for (const http::Header& header : headers) pairs.emplace_back(header.name, header.value);
  return pairs;
}

TEST(S3BucketSettings, EncryptionRuleHeaders) {
  EXPECT_EQ(Pairs(EncryptionRuleHeaders(EncryptionRule{})), (HeaderList{{"x-amz-server-side-encryption", "AES256"}}));
  EXPECT_EQ(Pairs(EncryptionRuleHeaders({"aws:kms", "arn:k", true})),
            (HeaderList{{"x-amz-server-side-encryption", "aws:kms"},
                        {"x-amz-server-side-encryption-aws-kms-key-id", "arn:k"},
                        {"x-amz-server-side-encryption-bucket-key-enabled", "true"}}));
  EXPECT_EQ(Pairs(EncryptionRuleHeaders({"aws:kms", "", false})),
            (HeaderList{{"x-amz-server-side-encryption", "aws:kms"}}));
  EXPECT_EQ(Pairs(EncryptionRuleHeaders({"aws:kms", "", true})),
            (HeaderList{{"x-amz-server-side-encryption", "aws:kms"},
                        {"x-amz-server-side-encryption-bucket-key-enabled", "true"}}));
  // No bucket key for SSE-S3 (S3 accepts the setting and reports none) or DSSE-KMS (which has none).
  EXPECT_EQ(Pairs(EncryptionRuleHeaders({"AES256", "", true})),
            (HeaderList{{"x-amz-server-side-encryption", "AES256"}}));
  EXPECT_EQ(Pairs(EncryptionRuleHeaders({"aws:kms:dsse", "arn:d", true})),
            (HeaderList{{"x-amz-server-side-encryption", "aws:kms:dsse"},
                        {"x-amz-server-side-encryption-aws-kms-key-id", "arn:d"}}));
}

// --- Tagging.

std::string Tag(std::string_view key, std::string_view value) {
  return "<Tag><Key>" + std::string(key) + "</Key><Value>" + std::string(value) + "</Value></Tag>";
}

std::string TaggingBody(std::string_view tags) {
  return std::string("<Tagging") + kNs + "><TagSet>" + std::string(tags) + "</TagSet></Tagging>";
}

TEST(S3BucketSettings, TaggingFromBotocore) {
  S3Result<TagSet> tags =
      ParseTagging(R"(<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>project</Key>)"
                   R"(<Value>sluice</Value></Tag><Tag><Key>env</Key><Value>dev</Value></Tag></TagSet></Tagging>)");
  ASSERT_TRUE(tags.ok()) << tags.error().message;
  EXPECT_EQ(*tags, (TagSet{{"project", "sluice"}, {"env", "dev"}}));
}

TEST(S3BucketSettings, TaggingVariations) {
  // No namespace; keys and values kept as sent (whitespace, entities
  // decoded); a Tag without Value has ""; unknown elements skipped.
  S3Result<TagSet> tags = ParseTagging(R"(<?xml version="1.0"?>
<Tagging>
  <TagSet>
    <Tag><Key> spaced key </Key><Value> a &amp; b </Value></Tag>
    <Tag><Value>v</Value><Key>after</Key><Extra>x</Extra></Tag>
    <Tag><Key>no-value</Key></Tag>
    <Tag><Key>empty</Key><Value/></Tag>
    <Other><Key>ignored</Key></Other>
  </TagSet>
  <Unknown/>
</Tagging>)");
  ASSERT_TRUE(tags.ok()) << tags.error().message;
  EXPECT_EQ(*tags, (TagSet{{" spaced key ", " a & b "}, {"after", "v"}, {"no-value", ""}, {"empty", ""}}));

  S3Result<TagSet> empty = ParseTagging("<Tagging><TagSet/></Tagging>");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->empty());

  // "aws:" only as a prefix.
  S3Result<TagSet> inner = ParseTagging(TaggingBody(Tag("something:aws:stuff", "fine")));
  ASSERT_TRUE(inner.ok()) << inner.error().message;
  EXPECT_EQ(*inner, (TagSet{{"something:aws:stuff", "fine"}}));
}

TEST(S3BucketSettings, TaggingMalformed) {
  struct Case {
    std::string body;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"", "no element found"},
      {"<Tagging><TagSet>", "no element found"},
      {"<Tagging/>", "Tagging has no TagSet"},
      {"<Tagging><Tags><Tag><Key>k</Key></Tag></Tags></Tagging>", "Tagging has no TagSet"},
      {"<Tags><TagSet></TagSet></Tags>", "the root element is Tags, not Tagging"},
      {"<Tagging><TagSet/><TagSet/></Tagging>", "two TagSet elements"},
      {TaggingBody("<Tag><Value>v</Value></Tag>"), "Tag 1 has no Key"},
      {TaggingBody(Tag("a", "b") + "<Tag/>"), "Tag 2 has no Key"},
      {TaggingBody("<Tag><Key>a</Key><Key>b</Key></Tag>"), "a Tag has two Key elements"},
      {TaggingBody("<Tag><Key>a</Key><Value>1</Value><Value>2</Value></Tag>"), "a Tag has two Value elements"},
      {"<!DOCTYPE Tagging SYSTEM \"http://example.com/x.dtd\"><Tagging><TagSet/></Tagging>",
       "a DOCTYPE declaration is not allowed"},
  };
  for (const Case& c : cases) ExpectMalformedXml(ParseTagging(c.body), c.detail, c.body);
}

TEST(S3BucketSettings, TaggingCount) {
  std::string fifty;
  for (int i = 0; i < 50; ++i) fifty += Tag("k" + std::to_string(i), "v");
  S3Result<TagSet> ok = ParseTagging(TaggingBody(fifty));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->size(), 50u);

  S3Result<TagSet> too_many = ParseTagging(TaggingBody(fifty + Tag("k50", "v")));
  ExpectError(too_many, "InvalidTag", "Bucket tag count cannot be greater than 50");
  EXPECT_TRUE(too_many.error().details.empty());
}

TEST(S3BucketSettings, TaggingKeysAndValues) {
  // Limits count code points: 128 two-byte characters (256 bytes) are a valid key.
  const std::string e_acute = "\xC3\xA9";
  const std::string euro = "\xE2\x82\xAC";
  S3Result<TagSet> longest = ParseTagging(TaggingBody(Tag(Repeat(e_acute, 128), Repeat(euro, 256))));
  ASSERT_TRUE(longest.ok()) << longest.error().message;
  EXPECT_EQ(longest->at(0).first.size(), 256u);
  EXPECT_EQ(longest->at(0).second.size(), 768u);

  struct Case {
    std::string tags;
    std::string message;
    std::string tag_key;
    std::string tag_value;  // "<absent>" when the error has none
  };
  const std::vector<Case> cases = {
      {Tag(Repeat(e_acute, 129), "v"), "The TagKey you have provided is invalid", Repeat(e_acute, 129), "<absent>"},
      {Tag(std::string(129, 'k'), "v"), "The TagKey you have provided is invalid", std::string(129, 'k'), "<absent>"},
      {Tag("", "v"), "The TagKey you have provided is invalid", "", "<absent>"},
      {Tag("k", Repeat(euro, 257)), "The TagValue you have provided is invalid", "k", Repeat(euro, 257)},
      {Tag("a", "1") + Tag("b", "2") + Tag("a", "3"), "Cannot provide multiple Tags with the same key", "a",
       "<absent>"},
      {Tag("aws:cloudformation:stack-name", "s"), "System tags cannot be added/updated by requester",
       "aws:cloudformation:stack-name", "<absent>"},
      // Tag by tag in document order: the first bad tag is reported.
      {Tag("ok", "v") + Tag("aws:x", "v") + Tag("", "v"), "System tags cannot be added/updated by requester", "aws:x",
       "<absent>"},
  };
  for (const Case& c : cases) {
    S3Result<TagSet> result = ParseTagging(TaggingBody(c.tags));
    ExpectError(result, "InvalidTag", c.message);
    if (result.ok()) continue;
    EXPECT_EQ(Detail(result.error(), "TagKey"), c.tag_key) << c.message;
    EXPECT_EQ(Detail(result.error(), "TagValue"), c.tag_value) << c.message;
  }
}

TEST(S3BucketSettings, TaggingStoredForm) {
  const TagSet tags = {{"project", "sluice"}, {"quote\"back\\slash", "caf\xC3\xA9"}, {"empty", ""}};
  EXPECT_EQ(EncodeTaggingSetting(tags), R"([["project","sluice"],["quote\"back\\slash","café"],["empty",""]])");
  EXPECT_EQ(EncodeTaggingSetting({}), "[]");
  for (const TagSet& set : {tags, TagSet{}, TagSet{{"b", "2"}, {"a", "1"}}}) {
    std::optional<TagSet> decoded = DecodeTaggingSetting(EncodeTaggingSetting(set));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, set);  // order kept
  }
  for (std::string_view garbage : {"", "[", "{}", "[1]", R"([["k"]])", R"([["k",1]])", R"([["a","b","c"]])",
                                   R"({"k":"v"})", "[[\"k\",\"\xFF\"]]", R"([["k","v"]] x)"}) {
    EXPECT_FALSE(DecodeTaggingSetting(garbage).has_value()) << garbage;
  }
}

TEST(S3BucketSettings, TaggingXml) {
  std::string xml = TaggingXml({{"project", "sluice"}, {"a<b", "c&d\"e"}});
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\"?><Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>"
            "<Tag><Key>project</Key><Value>sluice</Value></Tag>"
            "<Tag><Key>a&lt;b</Key><Value>c&amp;d&quot;e</Value></Tag></TagSet></Tagging>");
  Dump("GetBucketTagging.basic.xml", xml);

  std::string empty = TaggingXml({});
  EXPECT_EQ(empty,
            "<?xml version=\"1.0\"?><Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<TagSet></TagSet></Tagging>");
  Dump("GetBucketTagging.empty.xml", empty);
  Dump("GetBucketTagging.unicode.xml", TaggingXml({{"caf\xC3\xA9", "\xE2\x82\xAC 5"}, {"blank", ""}}));

  S3Result<TagSet> again = ParseTagging(xml);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, (TagSet{{"project", "sluice"}, {"a<b", "c&d\"e"}}));
}

// --- Public access block.

TEST(S3BucketSettings, PublicAccessBlockFromBotocore) {
  S3Result<PublicAccessBlock> block = ParsePublicAccessBlock(
      R"(<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      R"(<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>)"
      R"(<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets>)"
      R"(</PublicAccessBlockConfiguration>)");
  ASSERT_TRUE(block.ok()) << block.error().message;
  EXPECT_TRUE(block->block_public_acls);
  EXPECT_FALSE(block->ignore_public_acls);
  EXPECT_TRUE(block->block_public_policy);
  EXPECT_FALSE(block->restrict_public_buckets);
}

TEST(S3BucketSettings, PublicAccessBlockVariations) {
  S3Result<PublicAccessBlock> some = ParsePublicAccessBlock(
      "<PublicAccessBlockConfiguration>\n  <RestrictPublicBuckets> true </RestrictPublicBuckets>\n"
      "  <IgnorePublicAcls>true</IgnorePublicAcls><Unknown>x</Unknown>\n</PublicAccessBlockConfiguration>");
  ASSERT_TRUE(some.ok()) << some.error().message;
  EXPECT_FALSE(some->block_public_acls);
  EXPECT_TRUE(some->ignore_public_acls);
  EXPECT_FALSE(some->block_public_policy);
  EXPECT_TRUE(some->restrict_public_buckets);

  S3Result<PublicAccessBlock> none = ParsePublicAccessBlock("<PublicAccessBlockConfiguration/>");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->block_public_acls || none->ignore_public_acls || none->block_public_policy ||
               none->restrict_public_buckets);

  // Only the root's children count.
  S3Result<PublicAccessBlock> nested = ParsePublicAccessBlock(
      "<PublicAccessBlockConfiguration><Inner><BlockPublicAcls>true</BlockPublicAcls></Inner>"
      "</PublicAccessBlockConfiguration>");
  ASSERT_TRUE(nested.ok()) << nested.error().message;
  EXPECT_FALSE(nested->block_public_acls);
}

TEST(S3BucketSettings, PublicAccessBlockRefusals) {
  struct Case {
    std::string body;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"", "no element found"},
      {"<PublicAccessBlock/>", "the root element is PublicAccessBlock, not PublicAccessBlockConfiguration"},
      {"<PublicAccessBlockConfiguration><BlockPublicAcls>TRUE</BlockPublicAcls></PublicAccessBlockConfiguration>",
       "BlockPublicAcls must be true or false"},
      {"<PublicAccessBlockConfiguration><IgnorePublicAcls>1</IgnorePublicAcls></PublicAccessBlockConfiguration>",
       "IgnorePublicAcls must be true or false"},
      {"<PublicAccessBlockConfiguration><BlockPublicPolicy/></PublicAccessBlockConfiguration>",
       "BlockPublicPolicy must be true or false"},
      {"<PublicAccessBlockConfiguration><RestrictPublicBuckets>truee</RestrictPublicBuckets>"
       "</PublicAccessBlockConfiguration>",
       "RestrictPublicBuckets must be true or false"},
      {"<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>"
       "<BlockPublicAcls>false</BlockPublicAcls></PublicAccessBlockConfiguration>",
       "two BlockPublicAcls elements"},
  };
  for (const Case& c : cases) ExpectMalformedXml(ParsePublicAccessBlock(c.body), c.detail, c.body);
}

PublicAccessBlock BlockFromBits(int bits) {
  return PublicAccessBlock{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0};
}

TEST(S3BucketSettings, PublicAccessBlockStoredForm) {
  EXPECT_EQ(EncodePublicAccessBlockSetting(BlockFromBits(0b0101)),
            R"({"block_public_acls":true,"ignore_public_acls":false,"block_public_policy":true,)"
            R"("restrict_public_buckets":false})");
  for (int bits = 0; bits < 16; ++bits) {
    std::optional<PublicAccessBlock> decoded =
        DecodePublicAccessBlockSetting(EncodePublicAccessBlockSetting(BlockFromBits(bits)));
    ASSERT_TRUE(decoded.has_value()) << bits;
    PublicAccessBlock expected = BlockFromBits(bits);
    EXPECT_EQ(decoded->block_public_acls, expected.block_public_acls) << bits;
    EXPECT_EQ(decoded->ignore_public_acls, expected.ignore_public_acls) << bits;
    EXPECT_EQ(decoded->block_public_policy, expected.block_public_policy) << bits;
    EXPECT_EQ(decoded->restrict_public_buckets, expected.restrict_public_buckets) << bits;
  }
  for (std::string_view garbage :
       {"", "{", "[]", "true", "{}",
        R"({"block_public_acls":true,"ignore_public_acls":false,"block_public_policy":true})",
        R"({"block_public_acls":"true","ignore_public_acls":false,"block_public_policy":true,)"
        R"("restrict_public_buckets":false})"}) {
    EXPECT_FALSE(DecodePublicAccessBlockSetting(garbage).has_value()) << garbage;
  }
}

TEST(S3BucketSettings, PublicAccessBlockXml) {
  std::string xml = PublicAccessBlockXml(BlockFromBits(0b1001));
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\"?><PublicAccessBlockConfiguration "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>true</BlockPublicAcls>"
            "<IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy>"
            "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>");
  Dump("GetPublicAccessBlock.mixed.xml", xml);
  Dump("GetPublicAccessBlock.all.xml", PublicAccessBlockXml(BlockFromBits(0b1111)));
  Dump("GetPublicAccessBlock.none.xml", PublicAccessBlockXml(BlockFromBits(0)));
  for (int bits = 0; bits < 16; ++bits) {
    S3Result<PublicAccessBlock> again = ParsePublicAccessBlock(PublicAccessBlockXml(BlockFromBits(bits)));
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(EncodePublicAccessBlockSetting(*again), EncodePublicAccessBlockSetting(BlockFromBits(bits)));
  }
}

// --- Policy.

constexpr const char* kPolicy =
    R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::photos/*"},
    {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::photos/*"}
  ]
})";

TEST(S3BucketSettings, PolicyKeptAsSent) {
  S3Result<std::string> policy = CheckPolicy(kPolicy);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(*policy, kPolicy);

  const std::string single = R"({"Statement":{"Effect":"Deny","Action":"*"}} )";
  S3Result<std::string> object = CheckPolicy(single);
  ASSERT_TRUE(object.ok()) << object.error().message;
  EXPECT_EQ(*object, single);
}

TEST(S3BucketSettings, PolicyRefusals) {
  struct Case {
    std::string body;
    std::string message;
  };
  const std::string not_json = "Policies must be valid JSON and the first byte must be '{'";
  const std::vector<Case> cases = {
      {"", not_json},
      {"not json", not_json},
      {" " + std::string(kPolicy), not_json},  // the first byte, literally
      {"[]", not_json},
      {"null", not_json},
      {"{", not_json},
      {R"({"Statement":[]} x)", not_json},
      {R"({"Statement":[{"Effect":"Allow"}],})", not_json},
      {"{\"Statement\":[{\"Effect\":\"Allow\",\"Sid\":\"\xFF\"}]}", not_json},  // not UTF-8
      {"{}", "Missing required field Statement"},
      {R"({"statement":[{"Effect":"Allow"}]})", "Missing required field Statement"},
      {R"({"Statement":"Allow"})", "Missing required field Statement"},
      {R"({"Statement":5})", "Missing required field Statement"},
      {R"({"Statement":null})", "Missing required field Statement"},
      {R"({"Statement":[]})", "Could not parse the policy: Statement is empty!"},
      {R"({"Statement":["Allow"]})", "Invalid policy syntax."},
      {R"({"Statement":[{"Effect":"Allow"},{"Action":"s3:*"}]})", "Missing required field Effect"},
      {R"({"Statement":{"Action":"s3:*"}})", "Missing required field Effect"},
      {R"({"Statement":[{"Effect":"Permit"}]})", "Invalid effect: Permit"},
      {R"({"Statement":[{"Effect":"allow"}]})", "Invalid effect: allow"},
      {R"({"Statement":{"Effect":""}})", "Invalid effect: "},
      {R"({"Statement":[{"Effect":true}]})", "Invalid policy syntax."},
  };
  for (const Case& c : cases) {
    S3Result<std::string> result = CheckPolicy(c.body);
    ExpectError(result, "MalformedPolicy", c.message);
    if (!result.ok()) EXPECT_EQ(result.error().http_status, 400) << c.body;
  }
}

// A valid policy of exactly `size` bytes, padded inside a string.
std::string PolicyOfSize(size_t size) {
  const std::string head = R"({"Statement":{"Effect":"Allow","Sid":")";
  const std::string tail = R"("}})";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

TEST(S3BucketSettings, PolicySize) {
  const std::string too_large = "Normalized policy document exceeds the maximum allowed size of 20480 bytes";
  EXPECT_TRUE(CheckPolicy(PolicyOfSize(20480)).ok());
  ExpectError(CheckPolicy(PolicyOfSize(20481)), "MalformedPolicy", too_large);
  // Whitespace between tokens does not count; inside strings it does.
  std::string padded = PolicyOfSize(20000);
  padded.insert(1, std::string(5000, ' '));
  padded.insert(padded.size() - 1, std::string(5000, '\n'));
  S3Result<std::string> accepted = CheckPolicy(padded);
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_EQ(*accepted, padded);
  std::string spaces_inside = R"({"Statement":{"Effect":"Allow","Sid":")" + std::string(20480, ' ') + R"("}})";
  ExpectError(CheckPolicy(spaces_inside), "MalformedPolicy", too_large);
  // Escaped quotes do not end a string: the spaces after them still count.
  std::string escaped = R"({"Statement":{"Effect":"Allow","Sid":"\")" + std::string(20480, ' ') + R"("}})";
  ExpectError(CheckPolicy(escaped), "MalformedPolicy", too_large);
  // Deep nesting is parsed without recursion.
  std::string deep =
      R"({"Statement":{"Effect":"Allow"},"Condition":)" + Repeat("[", 100000) + Repeat("]", 100000) + "}";
  ExpectError(CheckPolicy(deep), "MalformedPolicy", too_large);
}

// --- Error bodies of the new codes, for the botocore check.

TEST(S3BucketSettings, ErrorBodies) {
  S3Result<TagSet> invalid_value = ParseTagging(TaggingBody(Tag("k", std::string(257, 'v'))));
  ASSERT_FALSE(invalid_value.ok());
  std::string xml = ErrorXml(invalid_value.error(), "req-1", "host-1");
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\"?><Error><Code>InvalidTag</Code>"
            "<Message>The TagValue you have provided is invalid</Message><TagKey>k</TagKey><TagValue>" +
                std::string(257, 'v') + "</TagValue><RequestId>req-1</RequestId><HostId>host-1</HostId></Error>");
  Dump("error.InvalidTag.400.xml", xml);

  S3Result<std::string> policy = CheckPolicy("{}");
  ASSERT_FALSE(policy.ok());
  Dump("error.MalformedPolicy.400.xml", ErrorXml(policy.error(), "req-2", "host-2"));

  const ErrorCode missing[] = {ErrorCode::kNoSuchBucketPolicy, ErrorCode::kNoSuchTagSet,
                               ErrorCode::kNoSuchPublicAccessBlockConfiguration,
                               ErrorCode::kServerSideEncryptionConfigurationNotFoundError};
  for (ErrorCode code : missing) {
    S3Error error = MakeError(code);
    error.bucket_name = "photos";
    EXPECT_EQ(error.http_status, 404) << error.code;
    std::string body = ErrorXml(error, "req-3", "host-3");
    EXPECT_NE(body.find("<BucketName>photos</BucketName>"), std::string::npos) << body;
    Dump("error." + error.code + ".404.xml", body);
  }
  EXPECT_EQ(MakeError(ErrorCode::kNoSuchTagSet).message, "The TagSet does not exist");
  EXPECT_EQ(MakeError(ErrorCode::kServerSideEncryptionConfigurationNotFoundError).message,
            "The server side encryption configuration was not found");
}

}  // namespace
}  // namespace sluice::s3
