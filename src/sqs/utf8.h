// UTF-8 validation for request text: both codecs refuse what is not UTF-8
// before any decoder reads it, so the engine and the encoders only ever see
// valid UTF-8.
//
// Threads: any (pure).
#pragma once

#include <string_view>

namespace sluice::sqs {

// True if `text` is valid UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF).
bool IsUtf8(std::string_view text);

}  // namespace sluice::sqs
