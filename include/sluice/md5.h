// MD5 (OpenSSL libcrypto) as SQS and S3 report it: 32 lower-case hex digits.
// The queue digests message bodies and attributes (MD5OfMessageBody, ...);
// the sink digests object plaintext for ETags, a chunk at a time.
//
// Ownership: an Md5 owns its EVP_MD_CTX.
// Errors: an allocation failure of the context throws std::bad_alloc (as
// new would); nothing else fails.
// Threads: Md5Hex from any thread; one thread at a time per Md5.
#pragma once

#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace sluice {

class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;

  void Update(std::string_view bytes);
  // 32 hex digits. Call once; the digest is finished afterwards.
  std::string HexDigest();

 private:
  EVP_MD_CTX* context_;
};

// The digest of `bytes` in one call.
std::string Md5Hex(std::string_view bytes);

}  // namespace sluice
