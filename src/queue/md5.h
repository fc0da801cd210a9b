// MD5 digests as SQS reports them: lowercase hex of OpenSSL's MD5.
//
// Threads: any (pure function).
#pragma once

#include <string>
#include <string_view>

namespace sluice::queue {

// 32 lowercase hex digits.
std::string Md5Hex(std::string_view bytes);

}  // namespace sluice::queue
