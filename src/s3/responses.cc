#include "s3/responses.h"

#include "sluice/time_format.h"
#include "sluice/xml_writer.h"

namespace sluice::s3 {
namespace {

// sha256("sluice"): a stable canonical-user-shaped id.
constexpr const char* kOwnerId = "0f5aec3c8edf964bb5260e4ae806d31feaab06f39a65ddba9d86e499bfae8476";
constexpr const char* kOwnerDisplayName = "sluice";

std::string Quoted(std::string_view etag) {
  std::string quoted;
  quoted.reserve(etag.size() + 2);
  quoted.append(1, '"').append(etag).append(1, '"');
  return quoted;
}

const char* Bool(bool value) { return value ? "true" : "false"; }

// `text`, percent-encoded when the listing asked for encoding-type=url.
std::string MaybeEncoded(std::string_view text, bool url_encoding) {
  return url_encoding ? UrlEncodeKey(text) : std::string(text);
}

// ID and DisplayName: the content of an Owner, Initiator or Grantee.
void WriteOwnerFields(XmlWriter& xml, const Owner& owner) {
  xml.Element("ID", owner.id);
  if (!owner.display_name.empty()) xml.Element("DisplayName", owner.display_name);
}

void WriteOwner(XmlWriter& xml, const char* element, const Owner& owner) {
  xml.Start(element);
  WriteOwnerFields(xml, owner);
  xml.End();
}

void WriteChecksums(XmlWriter& xml, const ObjectChecksums& checksums, bool with_type) {
  if (!checksums.crc32.empty()) xml.Element("ChecksumCRC32", checksums.crc32);
  if (!checksums.crc32c.empty()) xml.Element("ChecksumCRC32C", checksums.crc32c);
  if (!checksums.crc64nvme.empty()) xml.Element("ChecksumCRC64NVME", checksums.crc64nvme);
  if (!checksums.sha1.empty()) xml.Element("ChecksumSHA1", checksums.sha1);
  if (!checksums.sha256.empty()) xml.Element("ChecksumSHA256", checksums.sha256);
  if (with_type && !checksums.type.empty()) xml.Element("ChecksumType", checksums.type);
}

void WriteCommonPrefixes(XmlWriter& xml, const std::vector<std::string>& prefixes, bool url_encoding) {
  for (const std::string& prefix : prefixes) {
    xml.Start("CommonPrefixes");
    xml.Element("Prefix", MaybeEncoded(prefix, url_encoding));
    xml.End();
  }
}

void WriteObject(XmlWriter& xml, const ObjectEntry& object, bool url_encoding, const Owner* owner) {
  xml.Start("Contents");
  xml.Element("Key", MaybeEncoded(object.key, url_encoding));
  xml.Element("LastModified", FormatIso8601Millis(object.last_modified_ms));
  xml.Element("ETag", Quoted(object.etag));
  if (!object.checksum_algorithm.empty()) xml.Element("ChecksumAlgorithm", object.checksum_algorithm);
  if (!object.checksum_type.empty()) xml.Element("ChecksumType", object.checksum_type);
  xml.Element("Size", std::to_string(object.size));
  if (owner != nullptr) WriteOwner(xml, "Owner", *owner);
  xml.Element("StorageClass", object.storage_class);
  xml.End();
}

std::string CopyResultXml(const char* root, const CopyResult& result, bool with_type) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start(root, kS3Namespace);
  xml.Element("ETag", Quoted(result.etag));
  xml.Element("LastModified", FormatIso8601Millis(result.last_modified_ms));
  WriteChecksums(xml, result.checksums, with_type);
  xml.End();
  return out;
}

}  // namespace

Owner DefaultOwner() { return Owner{kOwnerId, kOwnerDisplayName}; }

std::string UrlEncodeKey(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string ListBucketsXml(const std::vector<BucketEntry>& buckets, const Owner& owner) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("ListAllMyBucketsResult", kS3Namespace);
  WriteOwner(xml, "Owner", owner);
  xml.Start("Buckets");
  for (const BucketEntry& bucket : buckets) {
    xml.Start("Bucket");
    xml.Element("Name", bucket.name);
    xml.Element("CreationDate", FormatIso8601Millis(bucket.creation_ms));
    if (!bucket.region.empty()) xml.Element("BucketRegion", bucket.region);
    xml.End();
  }
  xml.End();
  xml.End();
  return out;
}

std::string ListObjectsXml(std::string_view bucket, const ListObjectsParams& params, const ListPage& page,
                           const Owner& owner) {
  const bool v2 = params.version == ListVersion::kV2;
  const bool encode = params.url_encoding;
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("ListBucketResult", kS3Namespace);
  xml.Element("Name", bucket);
  xml.Element("Prefix", MaybeEncoded(params.prefix, encode));
  if (v2) {
    if (params.start_after) xml.Element("StartAfter", MaybeEncoded(*params.start_after, encode));
    if (params.continuation_token) xml.Element("ContinuationToken", *params.continuation_token);
    if (page.is_truncated) xml.Element("NextContinuationToken", page.NextContinuationToken());
    xml.Element("KeyCount", std::to_string(page.key_count()));
  } else {
    xml.Element("Marker", MaybeEncoded(params.marker, encode));
    std::string next_marker = page.NextMarker(params.delimiter);
    if (!next_marker.empty()) xml.Element("NextMarker", MaybeEncoded(next_marker, encode));
  }
  xml.Element("MaxKeys", std::to_string(params.max_keys));
  if (!params.delimiter.empty()) xml.Element("Delimiter", MaybeEncoded(params.delimiter, encode));
  if (encode) xml.Element("EncodingType", "url");
  xml.Element("IsTruncated", Bool(page.is_truncated));
  const Owner* object_owner = !v2 || params.fetch_owner ? &owner : nullptr;
  for (const ObjectEntry& object : page.contents) WriteObject(xml, object, encode, object_owner);
  WriteCommonPrefixes(xml, page.common_prefixes, encode);
  xml.End();
  return out;
}

std::string LocationConstraintXml(std::string_view region) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("LocationConstraint", kS3Namespace);
  // XmlWriter has no text node of its own; the root's text goes in between.
  if (region != "us-east-1") AppendXmlEscaped(&out, region);
  xml.End();
  return out;
}

std::string CopyObjectResultXml(const CopyResult& result) {
  return CopyResultXml("CopyObjectResult", result, true);
}

std::string CopyPartResultXml(const CopyResult& result) {
  // CopyPartResult has no ChecksumType in the model.
  return CopyResultXml("CopyPartResult", result, false);
}

std::string InitiateMultipartUploadXml(std::string_view bucket, std::string_view key, std::string_view upload_id) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("InitiateMultipartUploadResult", kS3Namespace);
  xml.Element("Bucket", bucket);
  xml.Element("Key", key);
  xml.Element("UploadId", upload_id);
  xml.End();
  return out;
}

std::string CompleteMultipartUploadXml(const CompleteResult& result) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("CompleteMultipartUploadResult", kS3Namespace);
  xml.Element("Location", result.location);
  xml.Element("Bucket", result.bucket);
  xml.Element("Key", result.key);
  xml.Element("ETag", Quoted(result.etag));
  WriteChecksums(xml, result.checksums, true);
  xml.End();
  return out;
}

std::string ListPartsXml(const ListPartsResult& result) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("ListPartsResult", kS3Namespace);
  xml.Element("Bucket", result.bucket);
  xml.Element("Key", result.key);
  xml.Element("UploadId", result.upload_id);
  xml.Element("PartNumberMarker", std::to_string(result.part_number_marker));
  xml.Element("NextPartNumberMarker", std::to_string(result.next_part_number_marker));
  xml.Element("MaxParts", std::to_string(result.max_parts));
  xml.Element("IsTruncated", Bool(result.is_truncated));
  for (const PartEntry& part : result.parts) {
    xml.Start("Part");
    xml.Element("PartNumber", std::to_string(part.part_number));
    xml.Element("LastModified", FormatIso8601Millis(part.last_modified_ms));
    xml.Element("ETag", Quoted(part.etag));
    xml.Element("Size", std::to_string(part.size));
    WriteChecksums(xml, part.checksums, false);
    xml.End();
  }
  WriteOwner(xml, "Initiator", result.owner);
  WriteOwner(xml, "Owner", result.owner);
  xml.Element("StorageClass", result.storage_class);
  if (!result.checksum_algorithm.empty()) xml.Element("ChecksumAlgorithm", result.checksum_algorithm);
  if (!result.checksum_type.empty()) xml.Element("ChecksumType", result.checksum_type);
  xml.End();
  return out;
}

std::string ListMultipartUploadsXml(const ListUploadsParams& params, const ListUploadsResult& result,
                                    const Owner& owner) {
  const bool encode = params.url_encoding;
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("ListMultipartUploadsResult", kS3Namespace);
  xml.Element("Bucket", result.bucket);
  xml.Element("KeyMarker", MaybeEncoded(params.key_marker, encode));
  xml.Element("UploadIdMarker", params.upload_id_marker);
  xml.Element("NextKeyMarker", MaybeEncoded(result.next_key_marker, encode));
  xml.Element("NextUploadIdMarker", result.next_upload_id_marker);
  if (!params.delimiter.empty()) xml.Element("Delimiter", MaybeEncoded(params.delimiter, encode));
  if (!params.prefix.empty()) xml.Element("Prefix", MaybeEncoded(params.prefix, encode));
  xml.Element("MaxUploads", std::to_string(params.max_uploads));
  if (encode) xml.Element("EncodingType", "url");
  xml.Element("IsTruncated", Bool(result.is_truncated));
  for (const UploadEntry& upload : result.uploads) {
    xml.Start("Upload");
    xml.Element("Key", MaybeEncoded(upload.key, encode));
    xml.Element("UploadId", upload.upload_id);
    WriteOwner(xml, "Initiator", owner);
    WriteOwner(xml, "Owner", owner);
    xml.Element("StorageClass", upload.storage_class);
    xml.Element("Initiated", FormatIso8601Millis(upload.initiated_ms));
    if (!upload.checksum_algorithm.empty()) xml.Element("ChecksumAlgorithm", upload.checksum_algorithm);
    if (!upload.checksum_type.empty()) xml.Element("ChecksumType", upload.checksum_type);
    xml.End();
  }
  WriteCommonPrefixes(xml, result.common_prefixes, encode);
  xml.End();
  return out;
}

std::string DeleteResultXml(const std::vector<DeletedEntry>& deleted, const std::vector<DeleteErrorEntry>& errors,
                            bool quiet) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("DeleteResult", kS3Namespace);
  if (!quiet) {
    for (const DeletedEntry& entry : deleted) {
      xml.Start("Deleted");
      xml.Element("Key", entry.key);
      xml.End();
    }
  }
  for (const DeleteErrorEntry& entry : errors) {
    xml.Start("Error");
    xml.Element("Key", entry.key);
    xml.Element("Code", entry.code);
    xml.Element("Message", entry.message);
    xml.End();
  }
  xml.End();
  return out;
}

std::string VersioningConfigurationXml() {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("VersioningConfiguration", kS3Namespace);
  xml.End();
  return out;
}

std::string OwnerOnlyAclXml(const Owner& owner) {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("AccessControlPolicy", kS3Namespace);
  WriteOwner(xml, "Owner", owner);
  xml.Start("AccessControlList");
  xml.Start("Grant");
  xml.Start("Grantee", {{"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"}, {"xsi:type", "CanonicalUser"}});
  WriteOwnerFields(xml, owner);
  xml.End();
  xml.Element("Permission", "FULL_CONTROL");
  xml.End();
  xml.End();
  xml.End();
  return out;
}

std::string EmptyTaggingXml() {
  std::string out;
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Start("Tagging", kS3Namespace);
  xml.EmptyElement("TagSet");
  xml.End();
  return out;
}

}  // namespace sluice::s3
