// S3's "flexible checksums": the five algorithms a request may carry in an
// x-amz-checksum-* header or trailer, the streaming digest S3 answers with,
// the object checksum of a multipart upload, and Content-MD5.
//
// On the wire a checksum is the base64 of the big-endian binary digest
// (CRC32 of "123456789" = cbf43926 -> "y/Q5Jg=="). CRC32 uses ISA-L's
// crc32_gzip_refl, CRC32C its crc32_iscsi; CRC64NVME (CRC-64/NVME, ISA-L's
// "rocksoft" polynomial) uses crc64_rocksoft_refl where the installed ISA-L
// has it (2.31 and later) and a table-driven implementation otherwise
// (Debian bookworm ships 2.30). SHA1 and SHA256 use OpenSSL's EVP.
//
// Multipart objects (S3 User Guide, "Checking object integrity"): the
// upload's x-amz-checksum-type chooses how part checksums make the object's.
//   COMPOSITE    the algorithm over the concatenated *binary* part
//                checksums, base64, then "-N" for N parts. CRC32, CRC32C,
//                SHA1, SHA256; the default for all of them.
//   FULL_OBJECT  the checksum of the whole object's bytes, as a single PUT
//                would have it, no suffix. CRC64NVME (its only type, and its
//                default), CRC32, CRC32C. Computed here from the part CRCs and
//                part sizes by CRC combination (GF(2) polynomial arithmetic,
//                zlib's crc32_combine method), so completing an upload never
//                re-reads the object.
// A single PutObject's checksum is always FULL_OBJECT.
//
// Errors are Status values. The S3 error code each maps to is named at the
// function: InvalidRequest for a malformed or conflicting checksum header
// (kInvalidParameterValue), InvalidDigest for a malformed Content-MD5
// (kInvalidParameterValue), BadDigest for a mismatch (kBadDigest).
// Ownership: a Checksum owns its OpenSSL context (SHA only).
// Threads: free functions from any thread; one thread at a time per Checksum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace sluice::s3 {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

inline constexpr ChecksumAlgorithm kChecksumAlgorithms[] = {
    ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
    ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256};

// "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256": the values of
// x-amz-checksum-algorithm, x-amz-sdk-checksum-algorithm and XML.
std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);
// "x-amz-checksum-crc32", ...: the header (and trailer) carrying the value.
std::string_view ChecksumHeaderName(ChecksumAlgorithm algorithm);
// "ChecksumCRC32", ...: the XML element (CompleteMultipartUpload's Part,
// responses).
std::string_view ChecksumElementName(ChecksumAlgorithm algorithm);
// Bytes of the binary digest: 4, 4, 8, 20, 32.
size_t ChecksumDigestBytes(ChecksumAlgorithm algorithm);
bool IsCrc(ChecksumAlgorithm algorithm);

// Case-insensitive algorithm name ("crc32c", "CRC64NVME"); nullopt otherwise.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// Case-insensitive header name ("X-Amz-Checksum-Sha256"); nullopt for any
// other, including x-amz-checksum-algorithm, -type and -mode.
std::optional<ChecksumAlgorithm> ChecksumAlgorithmForHeader(std::string_view header_name);

// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
// Strict standard base64: length a multiple of 4, padding only at the end, no
// whitespace. nullopt when malformed.
std::optional<std::string> Base64Decode(std::string_view text);

// A streaming checksum of one algorithm.
class Checksum {
 public:
  explicit Checksum(ChecksumAlgorithm algorithm);
  ~Checksum();
  Checksum(Checksum&& other) noexcept;
  Checksum& operator=(Checksum&& other) noexcept;
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void Update(std::string_view bytes);
  // The big-endian binary digest. Call one of the Finish functions once.
  std::string FinishBinary();
  // Base64 of the binary digest: what x-amz-checksum-* carries.
  std::string Finish();

 private:
  ChecksumAlgorithm algorithm_;
  uint64_t crc_ = 0;               // CRCs: the CRC of the bytes so far
  EVP_MD_CTX* digest_ = nullptr;   // SHA1, SHA256
};

// The base64 checksum of `bytes` in one call.
std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view bytes);

// The CRC of `bytes` as an integer (CRC algorithms only; 0 otherwise), and
// the CRC of A||B from crc(A), crc(B) and |B|.
uint64_t ComputeCrc(ChecksumAlgorithm algorithm, std::string_view bytes);
uint64_t CombineCrc(ChecksumAlgorithm algorithm, uint64_t crc_a, uint64_t crc_b, uint64_t length_b);

// --- Multipart uploads.

enum class ChecksumType { kComposite, kFullObject };

// "COMPOSITE", "FULL_OBJECT".
std::string_view ChecksumTypeName(ChecksumType type);
// Exact upper-case names, as S3 takes them; nullopt otherwise.
std::optional<ChecksumType> ParseChecksumType(std::string_view name);
bool ChecksumTypeSupported(ChecksumAlgorithm algorithm, ChecksumType type);
// FULL_OBJECT for CRC64NVME, COMPOSITE for the others.
ChecksumType DefaultChecksumType(ChecksumAlgorithm algorithm);

// The checksum type of a CreateMultipartUpload from its algorithm (the
// x-amz-checksum-algorithm header, parsed) and its x-amz-checksum-type header.
// nullopt when the upload has no checksum algorithm. kInvalidParameterValue
// (S3: InvalidRequest) for an unknown type, a type without an algorithm, or
// a pair S3 does not support (COMPOSITE CRC64NVME, FULL_OBJECT SHA).
Result<std::optional<ChecksumType>> MultipartChecksumType(
    std::optional<ChecksumAlgorithm> algorithm, std::optional<std::string_view> type_header);

struct PartChecksum {
  std::string checksum;  // base64, as computed for the part
  uint64_t size = 0;     // the part's bytes (used by FULL_OBJECT)
};

// The object checksum of a completed upload, from its parts in order:
// COMPOSITE "<base64>-<N>", FULL_OBJECT "<base64>" (see the top of the file).
// kInvalidParameterValue when a part checksum is not the base64 of a digest
// of the algorithm, when there are no parts, or when the pair is not
// supported.
Result<std::string> MultipartChecksum(ChecksumAlgorithm algorithm, ChecksumType type,
                                      const std::vector<PartChecksum>& parts);

// --- The checksum a request carries.

// Looks a request header up by lower-case name; nullopt when absent.
using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

struct RequestChecksum {
  enum class Source {
    kHeader,         // x-amz-checksum-<alg>: <base64>; `expected` holds it
    kTrailer,        // x-amz-trailer: x-amz-checksum-<alg>; the value comes
                     // in the aws-chunked trailer (check it with
                     // ValidateChecksumValue when it arrives)
    kAlgorithmOnly,  // x-amz-checksum-algorithm alone (CreateMultipartUpload)
  };
  ChecksumAlgorithm algorithm;
  Source source;
  std::string expected;  // base64, kHeader only
};

// Reads x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256},
// x-amz-sdk-checksum-algorithm, x-amz-checksum-algorithm and x-amz-trailer.
// nullopt when the request carries no checksum. kInvalidParameterValue (S3:
// InvalidRequest) when: more than one checksum header or trailer; an
// algorithm header names an unknown algorithm or disagrees with the checksum
// sent; x-amz-sdk-checksum-algorithm comes without a checksum header or
// trailer; x-amz-trailer announces an unsupported x-amz-checksum-*; a value
// is not the base64 of a digest of its algorithm.
Result<std::optional<RequestChecksum>> RequestChecksumFromHeaders(const HeaderLookup& header);

// kInvalidParameterValue (S3: InvalidRequest) unless `base64` is the base64
// of a digest of `algorithm`. `where` names its header for the message.
Status ValidateChecksumValue(ChecksumAlgorithm algorithm, std::string_view base64,
                             std::string_view where);

// kBadDigest (S3: BadDigest) unless the two base64 checksums encode the same
// digest.
Status VerifyChecksum(ChecksumAlgorithm algorithm, std::string_view expected_base64,
                      std::string_view computed_base64);

// --- Content-MD5.

// The Content-MD5 header (base64 of 16 bytes) as 32 lower-case hex digits,
// Md5::HexDigest's form. kInvalidParameterValue (S3: InvalidDigest) when it
// is not base64 of 16 bytes.
Result<std::string> ParseContentMd5(std::string_view header_value);
// kBadDigest (S3: BadDigest) unless the hex digests are equal
// (case-insensitively).
Status VerifyContentMd5(std::string_view expected_hex, std::string_view computed_hex);

}  // namespace sluice::s3
