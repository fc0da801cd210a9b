// A minimal XML writer for the SQS Query protocol's and S3's responses: nested elements
// and escaped text, appended to a caller-owned std::string. Attributes only
// where S3 needs them (a root's xmlns, a Grantee's xsi:type); no parsing.
//
// Text is escaped for element content (& < > " and CR, which an XML parser
// would otherwise normalize away). Characters XML 1.0 cannot carry at all
// (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) are written as
// U+FFFD: SQS refuses them in message bodies and attribute values, so they
// can only come from elsewhere, and the document must stay well-formed.
// Element names are the caller's constants and are not escaped.
//
// Ownership: borrows the output string; element names passed to Start()
// must outlive the matching End().
// Threads: one writer per thread.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class XmlWriter {
 public:
  explicit XmlWriter(std::string* out) : out_(out) {}

  // <?xml version="1.0"?>
  void Declaration();
  // <name> or <name xmlns="...">.
  void Start(std::string_view name, std::string_view xmlns = {});
  // <name a="v" b="w">: attribute names are the caller's constants; values
  // are escaped.
  struct Attribute {
    std::string_view name;
    std::string_view value;
  };
  void Start(std::string_view name, std::initializer_list<Attribute> attributes);
  // Closes the innermost open element.
  void End();
  // <name>text</name>, text escaped.
  void Element(std::string_view name, std::string_view text);
  // <name/>
  void EmptyElement(std::string_view name);

 private:
  std::string* out_;
  std::vector<std::string_view> open_;
};

// Appends `text` to `out`, escaped for XML element content (see above).
void AppendXmlEscaped(std::string* out, std::string_view text);

}  // namespace sluice
