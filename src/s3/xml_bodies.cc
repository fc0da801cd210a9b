#include "s3/xml_bodies.h"

#include <utility>

#include "s3/xml_reader.h"

namespace sluice::s3 {
namespace {

// A decimal integer of at most 10 digits, surrounding whitespace allowed.
std::optional<int64_t> ParseInteger(std::string_view text) {
  text = TrimXmlSpace(text);
  if (text.empty() || text.size() > 10) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string_view Unquote(std::string_view etag) {
  etag = TrimXmlSpace(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

class CompleteMultipartUploadHandler : public XmlBodyHandler {
 public:
  Status Start(int depth, std::string_view name) override {
    if (depth == 2 && name == "Part") {
      if (request.parts.size() == kMaxCompletedParts) {
        return MalformedXml("more than " + std::to_string(kMaxCompletedParts) + " parts");
      }
      request.parts.emplace_back();
      in_part_ = true;
      has_number_ = has_etag_ = false;
    }
    return Status::Ok();
  }

  Status End(int depth, std::string_view name, std::string_view text) override {
    if (depth == 2 && name == "Part") {
      in_part_ = false;
      if (!has_number_) return MalformedXml("Part " + std::to_string(request.parts.size()) + " has no PartNumber");
      if (!has_etag_) return MalformedXml("Part " + std::to_string(request.parts.size()) + " has no ETag");
      return Status::Ok();
    }
    if (depth == 1) {
      if (request.parts.empty()) return MalformedXml("CompleteMultipartUpload lists no Part");
      return Status::Ok();
    }
    if (depth != 3 || !in_part_) return Status::Ok();
    CompletedPart& part = request.parts.back();
    if (name == "PartNumber") {
      std::optional<int64_t> number = ParseInteger(text);
      if (!number) {
        return MalformedXml("PartNumber is not an integer: " + std::string(TrimXmlSpace(text).substr(0, 32)));
      }
      if (has_number_) return MalformedXml("a Part has two PartNumber elements");
      part.part_number = *number;
      has_number_ = true;
    } else if (name == "ETag") {
      if (has_etag_) return MalformedXml("a Part has two ETag elements");
      part.etag = std::string(Unquote(text));
      has_etag_ = true;
    } else {
      for (ChecksumAlgorithm algorithm : kChecksumAlgorithms) {
        if (name != ChecksumElementName(algorithm)) continue;
        if (!part.checksums.emplace(algorithm, std::string(TrimXmlSpace(text))).second) {
          return MalformedXml("a Part has two " + std::string(name) + " elements");
        }
      }
    }
    return Status::Ok();
  }

  CompleteMultipartUploadRequest request;

 private:
  bool in_part_ = false;
  bool has_number_ = false;
  bool has_etag_ = false;
};

class DeleteHandler : public XmlBodyHandler {
 public:
  Status Start(int depth, std::string_view name) override {
    if (depth == 2 && name == "Object") {
      if (request.objects.size() == kMaxDeleteObjects) {
        return MalformedXml("more than " + std::to_string(kMaxDeleteObjects) + " objects to delete");
      }
      request.objects.emplace_back();
      in_object_ = true;
      has_key_ = false;
    }
    return Status::Ok();
  }

  Status End(int depth, std::string_view name, std::string_view text) override {
    if (depth == 1) {
      if (request.objects.empty()) return MalformedXml("Delete names no Object");
      return Status::Ok();
    }
    if (depth == 2 && name == "Object") {
      in_object_ = false;
      if (!has_key_) return MalformedXml("Object " + std::to_string(request.objects.size()) + " has no Key");
      return Status::Ok();
    }
    if (depth == 2 && name == "Quiet") {
      std::string_view value = TrimXmlSpace(text);
      if (value == "true" || value == "1") {
        request.quiet = true;
      } else if (value == "false" || value == "0") {
        request.quiet = false;
      } else {
        return MalformedXml("Quiet must be true or false");
      }
      return Status::Ok();
    }
    if (depth != 3 || !in_object_) return Status::Ok();
    ObjectToDelete& object = request.objects.back();
    if (name == "Key") {
      if (has_key_) return MalformedXml("an Object has two Key elements");
      object.key = std::string(text);
      has_key_ = true;
    } else if (name == "VersionId") {
      if (object.version_id) return MalformedXml("an Object has two VersionId elements");
      object.version_id = std::string(TrimXmlSpace(text));
    }
    return Status::Ok();
  }

  DeleteRequest request;

 private:
  bool in_object_ = false;
  bool has_key_ = false;
};

class CreateBucketConfigurationHandler : public XmlBodyHandler {
 public:
  Status End(int depth, std::string_view name, std::string_view text) override {
    if (depth == 2 && name == "LocationConstraint") {
      if (configuration.location_constraint) return MalformedXml("two LocationConstraint elements");
      configuration.location_constraint = std::string(TrimXmlSpace(text));
    }
    return Status::Ok();
  }

  CreateBucketConfiguration configuration;
};

}  // namespace

Result<CompleteMultipartUploadRequest> ParseCompleteMultipartUpload(std::string_view body) {
  CompleteMultipartUploadHandler handler;
  SLUICE_RETURN_IF_ERROR(ReadXmlBody(body, "CompleteMultipartUpload", handler));
  return std::move(handler.request);
}

Result<DeleteRequest> ParseDelete(std::string_view body) {
  DeleteHandler handler;
  SLUICE_RETURN_IF_ERROR(ReadXmlBody(body, "Delete", handler));
  return std::move(handler.request);
}

Result<CreateBucketConfiguration> ParseCreateBucketConfiguration(std::string_view body) {
  if (TrimXmlSpace(body).empty()) return CreateBucketConfiguration{};
  CreateBucketConfigurationHandler handler;
  SLUICE_RETURN_IF_ERROR(ReadXmlBody(body, "CreateBucketConfiguration", handler));
  return std::move(handler.configuration);
}

}  // namespace sluice::s3
