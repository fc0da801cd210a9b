// A streaming MD5 (OpenSSL libcrypto) for object ETags: lower-case hex of
// the plaintext's digest, as S3 reports it for single-part uploads.
//
// Ownership: owns its EVP_MD_CTX.
// Threads: one thread at a time per object.
#pragma once

#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace sluice::sink {

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

}  // namespace sluice::sink
