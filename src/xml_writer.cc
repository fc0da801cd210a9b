#include "sluice/xml_writer.h"

#include <array>

namespace sluice {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Bytes that need a look: markup characters, CR, other C0 controls, and
// 0xEF, the lead byte of U+FFFE and U+FFFF.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> special{};
  for (int c = 0; c < 0x20; ++c) special[c] = c != '\t' && c != '\n';
  for (unsigned char c : {'&', '<', '>', '"'}) special[c] = true;
  special[0xEF] = true;
  return special;
}();

}  // namespace

void AppendXmlEscaped(std::string* out, std::string_view text) {
  size_t plain = 0;  // start of the run not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!kSpecial[c]) continue;
    std::string_view replacement;
    size_t length = 1;
    switch (c) {
      case '&': replacement = "&amp;"; break;
      case '<': replacement = "&lt;"; break;
      case '>': replacement = "&gt;"; break;
      case '"': replacement = "&quot;"; break;
      case '\r': replacement = "&#xD;"; break;
      case 0xEF:
        // EF BF BE and EF BF BF are U+FFFE and U+FFFF; other EF sequences
        // are ordinary characters.
        if (i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
            (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE) {
          replacement = kReplacement;
          length = 3;
          break;
        }
        continue;
      default: replacement = kReplacement; break;  // a C0 control
    }
    out->append(text.substr(plain, i - plain)).append(replacement);
    i += length - 1;
    plain = i + 1;
  }
  out->append(text.substr(plain));
}

void XmlWriter::Declaration() { out_->append("<?xml version=\"1.0\"?>"); }

void XmlWriter::Start(std::string_view name, std::string_view xmlns) {
  out_->append("<").append(name);
  if (!xmlns.empty()) {
    out_->append(" xmlns=\"");
    AppendXmlEscaped(out_, xmlns);
    out_->append("\"");
  }
  out_->append(">");
  open_.push_back(name);
}

void XmlWriter::Start(std::string_view name, std::initializer_list<Attribute> attributes) {
  out_->append("<").append(name);
  for (const Attribute& attribute : attributes) {
    out_->append(" ").append(attribute.name).append("=\"");
    AppendXmlEscaped(out_, attribute.value);
    out_->append("\"");
  }
  out_->append(">");
  open_.push_back(name);
}

void XmlWriter::End() {
  if (open_.empty()) return;  // unbalanced End(): a bug; keep the output as is
  out_->append("</").append(open_.back()).append(">");
  open_.pop_back();
}

void XmlWriter::Element(std::string_view name, std::string_view text) {
  out_->append("<").append(name).append(">");
  AppendXmlEscaped(out_, text);
  out_->append("</").append(name).append(">");
}

void XmlWriter::EmptyElement(std::string_view name) { out_->append("<").append(name).append("/>"); }

}  // namespace sluice
