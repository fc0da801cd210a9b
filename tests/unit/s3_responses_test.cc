// The S3 response bodies. With SLUICE_S3_DUMP_DIR set, every sample is also
// written there as <Operation>.<case>.xml, for tests/unit/s3_responses_check.py,
// which parses each with botocore's own S3 parser.
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "s3/responses.h"

namespace sluice::s3 {
namespace {

void Dump(const std::string& name, const std::string& body) {
  if (const char* dir = std::getenv("SLUICE_S3_DUMP_DIR")) {
    std::ofstream(std::string(dir) + "/" + name, std::ios::binary) << body;
  }
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr int64_t kT1 = 1768471200123;  // 2026-01-15T10:00:00.123Z
constexpr int64_t kT2 = 1768474800000;  // 2026-01-15T11:00:00.000Z
constexpr const char* kEtag = "9b2cf535f27731c974343645a3985328";

ObjectEntry Object(std::string key, uint64_t size) {
  ObjectEntry entry;
  entry.key = std::move(key);
  entry.last_modified_ms = kT1;
  entry.etag = kEtag;
  entry.size = size;
  return entry;
}

const Owner kOwner{"0f5aec3c8edf964bb5260e4ae806d31feaab06f39a65ddba9d86e499bfae8476", "sluice"};

TEST(S3Responses, DefaultOwner) {
  Owner owner = DefaultOwner();
  EXPECT_EQ(owner.id.size(), 64u);
  EXPECT_EQ(owner.id, kOwner.id);
  EXPECT_EQ(owner.display_name, "sluice");
}

TEST(S3Responses, UrlEncodeKey) {
  EXPECT_EQ(UrlEncodeKey("plain/key-1_2.3~"), "plain/key-1_2.3~");
  EXPECT_EQ(UrlEncodeKey("a b+c"), "a%20b%2Bc");
  EXPECT_EQ(UrlEncodeKey("caf\xC3\xA9/\xF0\x9F\x98\x80"), "caf%C3%A9/%F0%9F%98%80");
  EXPECT_EQ(UrlEncodeKey("date=2026&x%y?z#"), "date%3D2026%26x%25y%3Fz%23");
  EXPECT_EQ(UrlEncodeKey(std::string("\x01\n", 2)), "%01%0A");
  EXPECT_EQ(UrlEncodeKey(""), "");
}

TEST(S3Responses, ListBuckets) {
  std::string xml = ListBucketsXml({{"alpha", kT1, ""}, {"beta.logs", kT2, "us-east-1"}}, kOwner);
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\"?><ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Owner><ID>0f5aec3c8edf964bb5260e4ae806d31feaab06f39a65ddba9d86e499bfae8476</ID>"
            "<DisplayName>sluice</DisplayName></Owner><Buckets>"
            "<Bucket><Name>alpha</Name><CreationDate>2026-01-15T10:00:00.123Z</CreationDate></Bucket>"
            "<Bucket><Name>beta.logs</Name><CreationDate>2026-01-15T11:00:00.000Z</CreationDate>"
            "<BucketRegion>us-east-1</BucketRegion></Bucket></Buckets></ListAllMyBucketsResult>");
  Dump("ListBuckets.basic.xml", xml);
  std::string empty = ListBucketsXml({}, kOwner);
  EXPECT_TRUE(Contains(empty, "<Buckets></Buckets>"));
  Dump("ListBuckets.empty.xml", empty);
}

TEST(S3Responses, ListObjectsV2Basic) {
  ListObjectsParams params;
  ListPage page;
  page.contents = {Object("a.txt", 5), Object("b/c.txt", 0)};
  page.contents[1].checksum_algorithm = "CRC32";
  page.contents[1].checksum_type = "FULL_OBJECT";
  page.last_listed = "b/c.txt";
  std::string xml = ListObjectsXml("photos", params, page, kOwner);
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Name>photos</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
            "<IsTruncated>false</IsTruncated>"
            "<Contents><Key>a.txt</Key><LastModified>2026-01-15T10:00:00.123Z</LastModified>"
            "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>5</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents>"
            "<Contents><Key>b/c.txt</Key><LastModified>2026-01-15T10:00:00.123Z</LastModified>"
            "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>"
            "<ChecksumType>FULL_OBJECT</ChecksumType><Size>0</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>");
  EXPECT_FALSE(Contains(xml, "<Owner>"));  // v2 without fetch-owner
  Dump("ListObjectsV2.basic.xml", xml);
}

TEST(S3Responses, ListObjectsV2TruncatedWithDelimiter) {
  ListObjectsParams params;
  params.prefix = "photos/";
  params.delimiter = "/";
  params.max_keys = 2;
  params.fetch_owner = true;
  params.start_after = "photos/0";
  params.continuation_token = EncodeContinuationToken("photos/1.jpg");
  ListPage page;
  page.contents = {Object("photos/2.jpg", 10)};
  page.common_prefixes = {"photos/2024/"};
  page.is_truncated = true;
  page.last_listed = "photos/2024/";
  std::string xml = ListObjectsXml("photos", params, page, kOwner);
  EXPECT_TRUE(Contains(xml, "<Prefix>photos/</Prefix><StartAfter>photos/0</StartAfter><ContinuationToken>" +
                                *params.continuation_token + "</ContinuationToken><NextContinuationToken>" +
                                EncodeContinuationToken("photos/2024/") + "</NextContinuationToken>"));
  EXPECT_TRUE(Contains(xml, "<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>"
                            "<IsTruncated>true</IsTruncated>"));
  EXPECT_TRUE(Contains(xml, "<Owner><ID>"));  // fetch-owner=true
  EXPECT_TRUE(Contains(xml, "<CommonPrefixes><Prefix>photos/2024/</Prefix></CommonPrefixes></ListBucketResult>"));
  Dump("ListObjectsV2.delimiter_truncated.xml", xml);
}

TEST(S3Responses, ListObjectsV2UrlEncoding) {
  ListObjectsParams params;
  params.prefix = "dir with space/";
  params.delimiter = "/";
  params.url_encoding = true;
  params.start_after = "dir with space/a+b";
  ListPage page;
  page.contents = {Object("dir with space/caf\xC3\xA9 & cr\xC3\xA8me.txt", 3),
                   Object("dir with space/x=y+z%.txt", 4)};
  page.common_prefixes = {"dir with space/\xF0\x9F\x98\x80 emoji/"};
  std::string xml = ListObjectsXml("photos", params, page, kOwner);
  EXPECT_TRUE(Contains(xml, "<Prefix>dir%20with%20space/</Prefix>"));
  EXPECT_TRUE(Contains(xml, "<StartAfter>dir%20with%20space/a%2Bb</StartAfter>"));
  EXPECT_TRUE(Contains(xml, "<Key>dir%20with%20space/caf%C3%A9%20%26%20cr%C3%A8me.txt</Key>"));
  EXPECT_TRUE(Contains(xml, "<Key>dir%20with%20space/x%3Dy%2Bz%25.txt</Key>"));
  EXPECT_TRUE(Contains(xml, "<Prefix>dir%20with%20space/%F0%9F%98%80%20emoji/</Prefix>"));
  EXPECT_TRUE(Contains(xml, "<Delimiter>/</Delimiter><EncodingType>url</EncodingType>"));
  Dump("ListObjectsV2.url.xml", xml);

  // Without encoding-type the same keys go out as text (XML-escaped).
  params.url_encoding = false;
  std::string raw = ListObjectsXml("photos", params, page, kOwner);
  EXPECT_TRUE(Contains(raw, "<Key>dir with space/caf\xC3\xA9 &amp; cr\xC3\xA8me.txt</Key>"));
  EXPECT_FALSE(Contains(raw, "EncodingType"));
  Dump("ListObjectsV2.unencoded.xml", raw);
}

TEST(S3Responses, ListObjectsV1) {
  ListObjectsParams params;
  params.version = ListVersion::kV1;
  params.delimiter = "/";
  params.max_keys = 2;
  params.marker = "a";
  ListPage page;
  page.contents = {Object("b", 1)};
  page.common_prefixes = {"c/"};
  page.is_truncated = true;
  page.last_listed = "c/";
  std::string xml = ListObjectsXml("photos", params, page, kOwner);
  EXPECT_TRUE(Contains(xml, "<Name>photos</Name><Prefix></Prefix><Marker>a</Marker><NextMarker>c/</NextMarker>"
                            "<MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"));
  EXPECT_TRUE(Contains(xml, "<Owner><ID>"));  // v1 always shows owners
  EXPECT_FALSE(Contains(xml, "KeyCount"));
  EXPECT_FALSE(Contains(xml, "ContinuationToken"));
  Dump("ListObjects.marker.xml", xml);

  // No delimiter: no NextMarker even when truncated.
  params.delimiter.clear();
  page.common_prefixes.clear();
  page.last_listed = "b";
  std::string flat = ListObjectsXml("photos", params, page, kOwner);
  EXPECT_FALSE(Contains(flat, "NextMarker"));
  Dump("ListObjects.no_delimiter.xml", flat);

  // encoding-type=url: Marker and NextMarker are encoded too.
  params.delimiter = "/";
  params.marker = "a b";
  params.url_encoding = true;
  page.common_prefixes = {"c d/"};
  page.last_listed = "c d/";
  std::string encoded = ListObjectsXml("photos", params, page, kOwner);
  EXPECT_TRUE(Contains(encoded, "<Marker>a%20b</Marker><NextMarker>c%20d/</NextMarker>"));
  Dump("ListObjects.url.xml", encoded);
}

TEST(S3Responses, LocationConstraint) {
  std::string us_east_1 = LocationConstraintXml("us-east-1");
  EXPECT_EQ(us_east_1,
            "<?xml version=\"1.0\"?><LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "</LocationConstraint>");
  Dump("GetBucketLocation.us_east_1.xml", us_east_1);
  std::string eu = LocationConstraintXml("eu-west-1");
  EXPECT_TRUE(Contains(eu, "2006-03-01/\">eu-west-1</LocationConstraint>"));
  Dump("GetBucketLocation.eu_west_1.xml", eu);
}

TEST(S3Responses, CopyResults) {
  CopyResult result;
  result.etag = kEtag;
  result.last_modified_ms = kT2;
  result.checksums.crc32 = "AAAAAA==";
  result.checksums.type = "FULL_OBJECT";
  std::string object = CopyObjectResultXml(result);
  EXPECT_EQ(object,
            "<?xml version=\"1.0\"?><CopyObjectResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
            "<LastModified>2026-01-15T11:00:00.000Z</LastModified><ChecksumCRC32>AAAAAA==</ChecksumCRC32>"
            "<ChecksumType>FULL_OBJECT</ChecksumType></CopyObjectResult>");
  Dump("CopyObject.basic.xml", object);
  result.checksums.crc32.clear();
  result.checksums.sha256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  std::string part = CopyPartResultXml(result);
  EXPECT_TRUE(Contains(part, "<CopyPartResult xmlns="));
  EXPECT_TRUE(Contains(part, "<ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</ChecksumSHA256>"));
  EXPECT_FALSE(Contains(part, "ChecksumType"));  // not in CopyPartResult's shape
  Dump("UploadPartCopy.basic.xml", part);
}

TEST(S3Responses, InitiateAndComplete) {
  std::string initiate = InitiateMultipartUploadXml("photos", "big/file.bin", "upload-123");
  EXPECT_EQ(initiate,
            "<?xml version=\"1.0\"?><InitiateMultipartUploadResult "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>photos</Bucket><Key>big/file.bin</Key>"
            "<UploadId>upload-123</UploadId></InitiateMultipartUploadResult>");
  Dump("CreateMultipartUpload.basic.xml", initiate);

  CompleteResult result;
  result.location = "http://photos.localhost:4566/big/file.bin";
  result.bucket = "photos";
  result.key = "big/file.bin";
  result.etag = "3858f62230ac3c915f300c664312c11f-2";
  result.checksums.crc32c = "yZRlqg==-2";
  result.checksums.type = "COMPOSITE";
  std::string complete = CompleteMultipartUploadXml(result);
  EXPECT_TRUE(Contains(complete, "<Location>http://photos.localhost:4566/big/file.bin</Location><Bucket>photos"
                                 "</Bucket><Key>big/file.bin</Key><ETag>&quot;3858f62230ac3c915f300c664312c11f-2"
                                 "&quot;</ETag><ChecksumCRC32C>yZRlqg==-2</ChecksumCRC32C>"
                                 "<ChecksumType>COMPOSITE</ChecksumType>"));
  Dump("CompleteMultipartUpload.basic.xml", complete);
}

TEST(S3Responses, ListParts) {
  ListPartsResult result;
  result.bucket = "photos";
  result.key = "big/file.bin";
  result.upload_id = "upload-123";
  result.part_number_marker = 1;
  result.next_part_number_marker = 3;
  result.max_parts = 2;
  result.is_truncated = true;
  result.owner = kOwner;
  result.checksum_algorithm = "CRC32";
  result.checksum_type = "COMPOSITE";
  PartEntry part;
  part.part_number = 2;
  part.last_modified_ms = kT1;
  part.etag = kEtag;
  part.size = 5242880;
  part.checksums.crc32 = "AAAAAA==";
  result.parts.push_back(part);
  part.part_number = 3;
  part.size = 17;
  result.parts.push_back(part);
  std::string xml = ListPartsXml(result);
  EXPECT_TRUE(Contains(xml, "<PartNumberMarker>1</PartNumberMarker><NextPartNumberMarker>3</NextPartNumberMarker>"
                            "<MaxParts>2</MaxParts><IsTruncated>true</IsTruncated><Part><PartNumber>2</PartNumber>"));
  EXPECT_TRUE(Contains(xml, "<Size>5242880</Size><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>"));
  EXPECT_TRUE(Contains(xml, "<Initiator><ID>"));
  EXPECT_TRUE(Contains(xml, "<StorageClass>STANDARD</StorageClass><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>"));
  Dump("ListParts.truncated.xml", xml);
}

TEST(S3Responses, ListMultipartUploads) {
  ListUploadsParams params;
  params.prefix = "big/";
  params.delimiter = "/";
  params.max_uploads = 2;
  params.key_marker = "big/a";
  ListUploadsResult result;
  result.bucket = "photos";
  result.next_key_marker = "big/file.bin";
  result.next_upload_id_marker = "upload-2";
  result.is_truncated = true;
  result.uploads = {{"big/file.bin", "upload-2", kT1, "STANDARD", "", ""}};
  result.common_prefixes = {"big/dir/"};
  std::string xml = ListMultipartUploadsXml(params, result, kOwner);
  EXPECT_TRUE(Contains(xml, "<Bucket>photos</Bucket><KeyMarker>big/a</KeyMarker><UploadIdMarker></UploadIdMarker>"
                            "<NextKeyMarker>big/file.bin</NextKeyMarker><NextUploadIdMarker>upload-2"
                            "</NextUploadIdMarker><Delimiter>/</Delimiter><Prefix>big/</Prefix>"
                            "<MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>"));
  EXPECT_TRUE(Contains(xml, "<Initiated>2026-01-15T10:00:00.123Z</Initiated>"));
  EXPECT_TRUE(Contains(xml, "<CommonPrefixes><Prefix>big/dir/</Prefix></CommonPrefixes>"));
  Dump("ListMultipartUploads.truncated.xml", xml);

  ListUploadsResult none;
  none.bucket = "photos";
  std::string empty = ListMultipartUploadsXml(ListUploadsParams{}, none, kOwner);
  EXPECT_TRUE(Contains(empty, "<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker>"
                              "</NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker><MaxUploads>1000"));
  EXPECT_FALSE(Contains(empty, "<Prefix>"));
  Dump("ListMultipartUploads.empty.xml", empty);

  params.url_encoding = true;
  result.uploads[0].key = "big/a b.bin";
  std::string encoded = ListMultipartUploadsXml(params, result, kOwner);
  EXPECT_TRUE(Contains(encoded, "<Key>big/a%20b.bin</Key>"));
  EXPECT_TRUE(Contains(encoded, "<EncodingType>url</EncodingType>"));
  Dump("ListMultipartUploads.url.xml", encoded);
}

TEST(S3Responses, DeleteResult) {
  std::vector<DeletedEntry> deleted = {{"a"}, {"b c"}};
  std::vector<DeleteErrorEntry> errors = {{"d", "InternalError", "We encountered an internal error."}};
  std::string xml = DeleteResultXml(deleted, errors, false);
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\"?><DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Deleted><Key>a</Key></Deleted><Deleted><Key>b c</Key></Deleted>"
            "<Error><Key>d</Key><Code>InternalError</Code><Message>We encountered an internal error.</Message>"
            "</Error></DeleteResult>");
  Dump("DeleteObjects.mixed.xml", xml);
  std::string quiet = DeleteResultXml(deleted, errors, true);
  EXPECT_FALSE(Contains(quiet, "<Deleted>"));
  EXPECT_TRUE(Contains(quiet, "<Error><Key>d</Key>"));
  Dump("DeleteObjects.quiet.xml", quiet);
  std::string quiet_ok = DeleteResultXml(deleted, {}, true);
  EXPECT_EQ(quiet_ok,
            "<?xml version=\"1.0\"?><DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></DeleteResult>");
  Dump("DeleteObjects.quiet_ok.xml", quiet_ok);
}

TEST(S3Responses, FixedAnswers) {
  std::string versioning = VersioningConfigurationXml();
  EXPECT_EQ(versioning,
            "<?xml version=\"1.0\"?><VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "</VersioningConfiguration>");
  Dump("GetBucketVersioning.empty.xml", versioning);
  std::string tagging = EmptyTaggingXml();
  EXPECT_EQ(tagging,
            "<?xml version=\"1.0\"?><Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet/></Tagging>");
  Dump("GetObjectTagging.empty.xml", tagging);
  std::string acl = OwnerOnlyAclXml(Owner{"abc123", "sluice & co"});
  EXPECT_EQ(acl,
            "<?xml version=\"1.0\"?><AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Owner><ID>abc123</ID><DisplayName>sluice &amp; co</DisplayName></Owner><AccessControlList><Grant>"
            "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">"
            "<ID>abc123</ID><DisplayName>sluice &amp; co</DisplayName></Grantee><Permission>FULL_CONTROL</Permission>"
            "</Grant></AccessControlList></AccessControlPolicy>");
  Dump("GetBucketAcl.owner.xml", acl);
}

}  // namespace
}  // namespace sluice::s3
