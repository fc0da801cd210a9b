#include "sqs/utf8.h"

#include <cstdint>
#include <cstring>

#include <rapidjson/encodings.h>
#include <rapidjson/memorystream.h>

namespace sluice::sqs {

// ASCII, by far the common case, is skipped eight bytes at a time;
// rapidjson's validator judges each other sequence. (Parsing JSON with
// kParseValidateEncodingFlag instead validates byte by byte and was a quarter
// of the cost of decoding a SendMessage.)
bool IsUtf8(std::string_view text) {
  struct Discard {
    void Put(char) {}
  } discard;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    uint64_t word;
    if (end - p >= 8 && (std::memcpy(&word, p, 8), (word & 0x8080808080808080ULL) == 0)) {
      p += 8;
      continue;
    }
    if ((static_cast<unsigned char>(*p) & 0x80) == 0) {
      ++p;
      continue;
    }
    rapidjson::MemoryStream stream(p, static_cast<size_t>(end - p));
    if (!rapidjson::UTF8<>::Validate(stream, discard)) return false;
    p += stream.Tell();
  }
  return true;
}

}  // namespace sluice::sqs
