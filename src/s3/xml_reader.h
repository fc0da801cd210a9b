// The reader under every S3 XML request body (xml_bodies.h, bucket_settings.h):
// expat runs over the body and hands a handler each element as an event,
// with its depth and, at its end, its text. Each document's parser is such a
// handler; the rules all documents share are enforced here, once.
//
// Names: elements may be in S3's namespace (xmlns="http://s3.amazonaws.com/
// doc/2006-03-01/", as botocore sends them) or in none, and are then named by
// their local name; an element of any other namespace gets a name that
// matches no local name, so handlers skip it. The root must be the expected
// one. Text is as XML delivers it (entities and character references
// decoded); trimming is the handler's choice (TrimXmlSpace).
//
// Safety: a document with a DOCTYPE or an entity declaration is refused, so
// no entity is ever declared or expanded (no "billion laughs", no external
// entities); nesting deeper than 16 elements and element text over 64 KiB are
// refused. The caller bounds the body's size.
//
// Errors: kMalformedRequest, whose message is S3's MalformedXML message
// ("The XML you provided was not well-formed or did not validate against our
// published schema") with the detail after a colon, so FromStatus (errors.h)
// turns it into exactly the MalformedXML error S3 sends. The first error
// stops the parse, whether the reader's own or a handler's; a handler's
// Status is returned as it is. kInternal when expat cannot allocate a parser.
//
// Threads: any thread; nothing is shared. A handler is used by one parse at
// a time and must outlive it.
#pragma once

#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::s3 {

// S3's XML namespace.
inline constexpr std::string_view kS3XmlNamespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// What a document's parser does at each element. Depth 1 is the root; `name`
// is as described above. `text` is the element's text since its last child
// element (for a leaf, all of it). A non-OK Status stops the parse with it.
class XmlBodyHandler {
 public:
  virtual ~XmlBodyHandler() = default;
  virtual Status Start(int depth, std::string_view name) { return Status::Ok(); }
  virtual Status End(int depth, std::string_view name, std::string_view text) = 0;
};

// Parses the whole of `body`, whose root element must be named `root`,
// calling `handler` for each element in document order.
Status ReadXmlBody(std::string_view body, std::string_view root, XmlBodyHandler& handler);

// kMalformedRequest with S3's MalformedXML message and `detail` after a colon.
Status MalformedXml(std::string detail);

// `text` without the XML whitespace (space, tab, CR, LF) around it.
std::string_view TrimXmlSpace(std::string_view text);

}  // namespace sluice::s3
