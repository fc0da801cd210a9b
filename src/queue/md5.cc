#include "queue/md5.h"

#include <openssl/evp.h>

namespace sluice::queue {

std::string Md5Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest cannot fail for MD5 on in-memory input short of allocation
  // failure; an all-zero digest would then simply fail the client's check.
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr) != 1) {
    length = 16;
    for (unsigned int i = 0; i < length; ++i) digest[i] = 0;
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex(length * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace sluice::queue
