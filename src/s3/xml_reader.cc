#include "s3/xml_reader.h"

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

// One parse: expat's callbacks find it through the parser's user data.
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

}  // namespace

Status ReadXmlBody(std::string_view body, std::string_view root, XmlBodyHandler& handler) {
  return XmlBodyReader(root, &handler).Parse(body);
}

Status MalformedXml(std::string detail) {
  return Status(Code::kMalformedRequest,
                "The XML you provided was not well-formed or did not validate against our "
                "published schema: " +
                    std::move(detail));
}

std::string_view TrimXmlSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

}  // namespace sluice::s3
