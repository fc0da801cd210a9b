#include "s3/xml_bodies.h"

#include <expat.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace sluice::s3 {
namespace {

constexpr int kMaxDepth = 16;
constexpr size_t kMaxTextBytes = 64 * 1024;
// expat reports a namespaced name as "<uri><separator><local>".
constexpr char kNamespaceSeparator = '\x01';

Status MalformedXml(std::string detail) {
  return Status(Code::kMalformedRequest,
                "The XML you provided was not well-formed or did not validate against our "
                "published schema: " +
                    std::move(detail));
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// What a document parser does at each element. Depth 1 is the root. `name`
// is the local name for elements in S3's namespace or in none, and the
// namespaced name (which matches nothing) otherwise. Returning an error stops
// the parse with it.
class XmlBodyHandler {
 public:
  virtual ~XmlBodyHandler() = default;
  virtual Status Start(int depth, std::string_view name) = 0;
  virtual Status End(int depth, std::string_view name, std::string_view text) = 0;
};

// Runs expat over a whole body, enforcing the rules in xml_bodies.h that are
// the same for every document: root name, no DOCTYPE, depth, text size.
class XmlBodyReader {
 public:
  XmlBodyReader(std::string_view root, XmlBodyHandler* handler) : root_(root), handler_(handler) {}

  Status Parse(std::string_view body) {
    std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(
        XML_ParserCreateNS(nullptr, kNamespaceSeparator), &XML_ParserFree);
    if (!parser) return Status(Code::kInternal, "cannot create an XML parser");
    parser_ = parser.get();
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &OnStart, &OnEnd);
    XML_SetCharacterDataHandler(parser_, &OnText);
    XML_SetStartDoctypeDeclHandler(parser_, &OnDoctype);
    XML_SetEntityDeclHandler(parser_, &OnEntityDecl);
    XML_SetParamEntityParsing(parser_, XML_PARAM_ENTITY_PARSING_NEVER);

    constexpr size_t kPiece = 1 << 20;  // XML_Parse takes an int length
    do {
      size_t take = std::min(body.size(), kPiece);
      bool last = take == body.size();
      if (XML_Parse(parser_, body.data(), static_cast<int>(take), last) != XML_STATUS_OK) {
        if (!error_.ok()) return error_;
        return MalformedXml(std::string(XML_ErrorString(XML_GetErrorCode(parser_))) + " at line " +
                            std::to_string(XML_GetCurrentLineNumber(parser_)) + ", column " +
                            std::to_string(XML_GetCurrentColumnNumber(parser_)));
      }
      body.remove_prefix(take);
    } while (!body.empty());
    return error_;
  }

 private:
  static XmlBodyReader& From(void* user_data) { return *static_cast<XmlBodyReader*>(user_data); }

  void Stop(Status status) {
    if (error_.ok()) error_ = std::move(status);
    XML_StopParser(parser_, XML_FALSE);
  }

  // The local name of an element in S3's namespace or none; the whole
  // expat name (never a valid local name) otherwise.
  static std::string_view LocalName(std::string_view expat_name) {
    size_t separator = expat_name.find(kNamespaceSeparator);
    if (separator == std::string_view::npos) return expat_name;
    if (expat_name.substr(0, separator) != kS3XmlNamespace) return expat_name;
    return expat_name.substr(separator + 1);
  }

  static void XMLCALL OnStart(void* user_data, const XML_Char* name, const XML_Char** /*attributes*/) {
    XmlBodyReader& self = From(user_data);
    if (!self.error_.ok()) return;
    ++self.depth_;
    std::string_view local = LocalName(name);
    if (self.depth_ == 1 && local != self.root_) {
      std::string shown(name);
      std::replace(shown.begin(), shown.end(), kNamespaceSeparator, ' ');
      return self.Stop(MalformedXml("the root element is " + shown + ", not " + std::string(self.root_)));
    }
    if (self.depth_ > kMaxDepth) {
      return self.Stop(MalformedXml("elements nest deeper than " + std::to_string(kMaxDepth)));
    }
    self.text_.clear();
    Status status = self.handler_->Start(self.depth_, local);
    if (!status.ok()) self.Stop(std::move(status));
  }

  static void XMLCALL OnEnd(void* user_data, const XML_Char* name) {
    XmlBodyReader& self = From(user_data);
    if (!self.error_.ok()) return;
    Status status = self.handler_->End(self.depth_, LocalName(name), self.text_);
    self.text_.clear();
    --self.depth_;
    if (!status.ok()) self.Stop(std::move(status));
  }

  // Text of the innermost open element since its last child; what a leaf
  // holds. Text around child elements is dropped at each child's start.
  static void XMLCALL OnText(void* user_data, const XML_Char* text, int length) {
    XmlBodyReader& self = From(user_data);
    if (!self.error_.ok()) return;
    if (self.text_.size() + static_cast<size_t>(length) > kMaxTextBytes) {
      return self.Stop(MalformedXml("an element's text is longer than " + std::to_string(kMaxTextBytes) +
                                    " bytes"));
    }
    self.text_.append(text, static_cast<size_t>(length));
  }

  static void XMLCALL OnDoctype(void* user_data, const XML_Char* /*name*/, const XML_Char* /*sysid*/,
                                const XML_Char* /*pubid*/, int /*has_internal_subset*/) {
    From(user_data).Stop(MalformedXml("a DOCTYPE declaration is not allowed"));
  }

  static void XMLCALL OnEntityDecl(void* user_data, const XML_Char* /*name*/, int /*parameter*/,
                                   const XML_Char* /*value*/, int /*length*/, const XML_Char* /*base*/,
                                   const XML_Char* /*sysid*/, const XML_Char* /*pubid*/,
                                   const XML_Char* /*notation*/) {
    From(user_data).Stop(MalformedXml("entity declarations are not allowed"));
  }

  std::string_view root_;
  XmlBodyHandler* handler_;
  XML_Parser parser_ = nullptr;
  int depth_ = 0;
  std::string text_;
  Status error_;
};

// A decimal integer of at most 10 digits, surrounding whitespace allowed.
std::optional<int64_t> ParseInteger(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 10) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string_view Unquote(std::string_view etag) {
  etag = Trim(etag);
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
      if (!number) return MalformedXml("PartNumber is not an integer: " + std::string(Trim(text).substr(0, 32)));
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
        if (!part.checksums.emplace(algorithm, std::string(Trim(text))).second) {
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
      std::string_view value = Trim(text);
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
      object.version_id = std::string(Trim(text));
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
  Status Start(int depth, std::string_view name) override { return Status::Ok(); }

  Status End(int depth, std::string_view name, std::string_view text) override {
    if (depth == 2 && name == "LocationConstraint") {
      if (configuration.location_constraint) return MalformedXml("two LocationConstraint elements");
      configuration.location_constraint = std::string(Trim(text));
    }
    return Status::Ok();
  }

  CreateBucketConfiguration configuration;
};

}  // namespace

Result<CompleteMultipartUploadRequest> ParseCompleteMultipartUpload(std::string_view body) {
  CompleteMultipartUploadHandler handler;
  SLUICE_RETURN_IF_ERROR(XmlBodyReader("CompleteMultipartUpload", &handler).Parse(body));
  return std::move(handler.request);
}

Result<DeleteRequest> ParseDelete(std::string_view body) {
  DeleteHandler handler;
  SLUICE_RETURN_IF_ERROR(XmlBodyReader("Delete", &handler).Parse(body));
  return std::move(handler.request);
}

Result<CreateBucketConfiguration> ParseCreateBucketConfiguration(std::string_view body) {
  if (Trim(body).empty()) return CreateBucketConfiguration{};
  CreateBucketConfigurationHandler handler;
  SLUICE_RETURN_IF_ERROR(XmlBodyReader("CreateBucketConfiguration", &handler).Parse(body));
  return std::move(handler.configuration);
}

}  // namespace sluice::s3
