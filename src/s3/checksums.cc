#include "s3/checksums.h"

#include <isa-l.h>
#include <isa-l/crc.h>
#include <isa-l/crc64.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <new>
#include <utility>

namespace sluice::s3 {
namespace {

struct AlgorithmRow {
  ChecksumAlgorithm algorithm;
  std::string_view name;
  std::string_view header;
  std::string_view element;
  size_t digest_bytes;
};

constexpr AlgorithmRow kRows[] = {
    {ChecksumAlgorithm::kCrc32, "CRC32", "x-amz-checksum-crc32", "ChecksumCRC32", 4},
    {ChecksumAlgorithm::kCrc32c, "CRC32C", "x-amz-checksum-crc32c", "ChecksumCRC32C", 4},
    {ChecksumAlgorithm::kCrc64Nvme, "CRC64NVME", "x-amz-checksum-crc64nvme", "ChecksumCRC64NVME", 8},
    {ChecksumAlgorithm::kSha1, "SHA1", "x-amz-checksum-sha1", "ChecksumSHA1", 20},
    {ChecksumAlgorithm::kSha256, "SHA256", "x-amz-checksum-sha256", "ChecksumSHA256", 32},
};

const AlgorithmRow& RowOf(ChecksumAlgorithm algorithm) {
  return kRows[static_cast<size_t>(algorithm)];
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] - 'A' + 'a' : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// --- CRC arithmetic. All three CRCs are reflected, with initial value and
// final xor all ones; `kPoly*` are their polynomials bit-reversed.
constexpr uint64_t kPolyCrc32 = 0xEDB88320u;
constexpr uint64_t kPolyCrc32c = 0x82F63B78u;
constexpr uint64_t kPolyCrc64Nvme = 0x9A6C9329AC4BC9B5ull;

#if ISAL_VERSION < ISAL_MAKE_VERSION(2, 31, 0)
// ISA-L before 2.31 has no CRC-64/NVME: slicing-by-8 over constexpr tables.
using Crc64Tables = std::array<std::array<uint64_t, 256>, 8>;

constexpr Crc64Tables MakeCrc64Tables() {
  Crc64Tables tables{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kPolyCrc64Nvme : crc >> 1;
    tables[0][i] = crc;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t i = 0; i < 256; ++i) {
      tables[k][i] = (tables[k - 1][i] >> 8) ^ tables[0][tables[k - 1][i] & 0xff];
    }
  }
  return tables;
}

constexpr Crc64Tables kCrc64Tables = MakeCrc64Tables();

uint64_t Crc64NvmeUpdate(uint64_t crc, const unsigned char* data, size_t length) {
  crc = ~crc;
  while (length >= 8) {
    uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = (word << 8) | data[i];  // little-endian load
    crc ^= word;
    crc = kCrc64Tables[7][crc & 0xff] ^ kCrc64Tables[6][(crc >> 8) & 0xff] ^
          kCrc64Tables[5][(crc >> 16) & 0xff] ^ kCrc64Tables[4][(crc >> 24) & 0xff] ^
          kCrc64Tables[3][(crc >> 32) & 0xff] ^ kCrc64Tables[2][(crc >> 40) & 0xff] ^
          kCrc64Tables[1][(crc >> 48) & 0xff] ^ kCrc64Tables[0][crc >> 56];
    data += 8;
    length -= 8;
  }
  while (length-- > 0) crc = (crc >> 8) ^ kCrc64Tables[0][(crc ^ *data++) & 0xff];
  return ~crc;
}
#else
uint64_t Crc64NvmeUpdate(uint64_t crc, const unsigned char* data, size_t length) {
  return crc64_rocksoft_refl(crc, data, length);
}
#endif

// Each takes and returns the finished CRC of the bytes so far (zlib's
// convention), so updates chain.
uint64_t CrcUpdate(ChecksumAlgorithm algorithm, uint64_t crc, std::string_view bytes) {
  auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t length = bytes.size();
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return crc32_gzip_refl(static_cast<uint32_t>(crc), data, length);
    case ChecksumAlgorithm::kCrc32c: {
      // crc32_iscsi neither inverts on entry nor on exit, and takes an int length.
      uint32_t state = ~static_cast<uint32_t>(crc);
      while (length > 0) {
        int piece = static_cast<int>(std::min<size_t>(length, INT_MAX));
        state = crc32_iscsi(const_cast<unsigned char*>(data), piece, state);
        data += piece;
        length -= piece;
      }
      return ~state;
    }
    case ChecksumAlgorithm::kCrc64Nvme:
      return Crc64NvmeUpdate(crc, data, length);
    default:
      return 0;
  }
}

struct CrcShape {
  uint64_t poly;
  int width;
};

CrcShape ShapeOf(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32: return {kPolyCrc32, 32};
    case ChecksumAlgorithm::kCrc32c: return {kPolyCrc32c, 32};
    default: return {kPolyCrc64Nvme, 64};
  }
}

// a(x) * b(x) mod p(x) in the reflected representation (bit width-1 is the
// x^0 coefficient). `a` must not be zero.
uint64_t MultiplyModPoly(uint64_t a, uint64_t b, CrcShape shape) {
  uint64_t mask = uint64_t{1} << (shape.width - 1);
  uint64_t product = 0;
  for (;;) {
    if (a & mask) {
      product ^= b;
      if ((a & (mask - 1)) == 0) break;
    }
    mask >>= 1;
    b = (b & 1) ? (b >> 1) ^ shape.poly : b >> 1;
  }
  return product;
}

// x^(8 * bytes) mod p(x): appending `bytes` zero bytes multiplies by it.
uint64_t XPowerOfBytes(uint64_t bytes, CrcShape shape) {
  uint64_t result = uint64_t{1} << (shape.width - 1);  // x^0
  uint64_t square = uint64_t{1} << (shape.width - 1 - 8);  // x^8, then x^16, x^32, ...
  while (bytes != 0) {
    if (bytes & 1) result = MultiplyModPoly(square, result, shape);
    square = MultiplyModPoly(square, square, shape);
    bytes >>= 1;
  }
  return result;
}

std::string BigEndian(uint64_t value, size_t bytes) {
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) out[bytes - 1 - i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

uint64_t FromBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char byte : bytes) value = (value << 8) | static_cast<unsigned char>(byte);
  return value;
}

// The binary digest `base64` encodes, when it is one of `algorithm`.
std::optional<std::string> DecodeDigest(ChecksumAlgorithm algorithm, std::string_view base64) {
  std::optional<std::string> binary = Base64Decode(base64);
  if (!binary || binary->size() != ChecksumDigestBytes(algorithm)) return std::nullopt;
  return binary;
}

Status InvalidRequest(std::string message) {
  return Status(Code::kInvalidParameterValue, std::move(message));
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm) { return RowOf(algorithm).name; }
std::string_view ChecksumHeaderName(ChecksumAlgorithm algorithm) { return RowOf(algorithm).header; }
std::string_view ChecksumElementName(ChecksumAlgorithm algorithm) { return RowOf(algorithm).element; }
size_t ChecksumDigestBytes(ChecksumAlgorithm algorithm) { return RowOf(algorithm).digest_bytes; }

bool IsCrc(ChecksumAlgorithm algorithm) {
  return algorithm == ChecksumAlgorithm::kCrc32 || algorithm == ChecksumAlgorithm::kCrc32c ||
         algorithm == ChecksumAlgorithm::kCrc64Nvme;
}

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  for (const AlgorithmRow& row : kRows) {
    if (EqualsIgnoreCase(name, row.name)) return row.algorithm;
  }
  return std::nullopt;
}

std::optional<ChecksumAlgorithm> ChecksumAlgorithmForHeader(std::string_view header_name) {
  for (const AlgorithmRow& row : kRows) {
    if (EqualsIgnoreCase(header_name, row.header)) return row.algorithm;
  }
  return std::nullopt;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t group = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                     (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                     static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64Alphabet[(group >> shift) & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) group |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kBase64Alphabet[(group >> 18) & 63];
    out += kBase64Alphabet[(group >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(group >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    uint32_t group = 0;
    for (size_t j = 0; j < 4; ++j) {
      int value = 0;
      if (last && j >= 4 - padding) {
        value = 0;  // '=' (checked by the padding count above)
      } else {
        value = Base64Value(text[i + j]);
        if (value < 0) return std::nullopt;
      }
      group = (group << 6) | static_cast<uint32_t>(value);
    }
    out += static_cast<char>((group >> 16) & 0xff);
    if (!last || padding < 2) out += static_cast<char>((group >> 8) & 0xff);
    if (!last || padding < 1) out += static_cast<char>(group & 0xff);
  }
  return out;
}

Checksum::Checksum(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {
  if (IsCrc(algorithm)) return;
  digest_ = EVP_MD_CTX_new();
  if (digest_ == nullptr) throw std::bad_alloc();
  EVP_DigestInit_ex(digest_, algorithm == ChecksumAlgorithm::kSha1 ? EVP_sha1() : EVP_sha256(),
                    nullptr);
}

Checksum::~Checksum() { EVP_MD_CTX_free(digest_); }

Checksum::Checksum(Checksum&& other) noexcept
    : algorithm_(other.algorithm_), crc_(other.crc_), digest_(std::exchange(other.digest_, nullptr)) {}

Checksum& Checksum::operator=(Checksum&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(digest_);
    algorithm_ = other.algorithm_;
    crc_ = other.crc_;
    digest_ = std::exchange(other.digest_, nullptr);
  }
  return *this;
}

void Checksum::Update(std::string_view bytes) {
  if (digest_ != nullptr) {
    EVP_DigestUpdate(digest_, bytes.data(), bytes.size());
  } else {
    crc_ = CrcUpdate(algorithm_, crc_, bytes);
  }
}

std::string Checksum::FinishBinary() {
  if (digest_ == nullptr) return BigEndian(crc_, ChecksumDigestBytes(algorithm_));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(digest_, digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string Checksum::Finish() { return Base64Encode(FinishBinary()); }

std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view bytes) {
  Checksum checksum(algorithm);
  checksum.Update(bytes);
  return checksum.Finish();
}

uint64_t ComputeCrc(ChecksumAlgorithm algorithm, std::string_view bytes) {
  return IsCrc(algorithm) ? CrcUpdate(algorithm, 0, bytes) : 0;
}

uint64_t CombineCrc(ChecksumAlgorithm algorithm, uint64_t crc_a, uint64_t crc_b, uint64_t length_b) {
  if (!IsCrc(algorithm)) return 0;
  CrcShape shape = ShapeOf(algorithm);
  // crc(A||B) = crc(A) * x^(8|B|) + crc(B): the all-ones initial value and
  // final xor of B cancel out of the difference (zlib's crc32_combine).
  return MultiplyModPoly(XPowerOfBytes(length_b, shape), crc_a, shape) ^ crc_b;
}

std::string_view ChecksumTypeName(ChecksumType type) {
  return type == ChecksumType::kComposite ? "COMPOSITE" : "FULL_OBJECT";
}

std::optional<ChecksumType> ParseChecksumType(std::string_view name) {
  if (name == "COMPOSITE") return ChecksumType::kComposite;
  if (name == "FULL_OBJECT") return ChecksumType::kFullObject;
  return std::nullopt;
}

bool ChecksumTypeSupported(ChecksumAlgorithm algorithm, ChecksumType type) {
  if (type == ChecksumType::kComposite) return algorithm != ChecksumAlgorithm::kCrc64Nvme;
  return IsCrc(algorithm);
}

ChecksumType DefaultChecksumType(ChecksumAlgorithm algorithm) {
  return algorithm == ChecksumAlgorithm::kCrc64Nvme ? ChecksumType::kFullObject
                                                    : ChecksumType::kComposite;
}

Result<std::optional<ChecksumType>> MultipartChecksumType(
    std::optional<ChecksumAlgorithm> algorithm, std::optional<std::string_view> type_header) {
  std::optional<ChecksumType> type;
  if (type_header) {
    type = ParseChecksumType(*type_header);
    if (!type) return InvalidRequest("Value for x-amz-checksum-type header is invalid.");
  }
  if (!algorithm) {
    if (type) {
      return InvalidRequest(
          "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
    }
    return std::optional<ChecksumType>();
  }
  ChecksumType chosen = type.value_or(DefaultChecksumType(*algorithm));
  if (!ChecksumTypeSupported(*algorithm, chosen)) {
    return InvalidRequest("The " + std::string(ChecksumTypeName(chosen)) +
                          " checksum type cannot be used with the " +
                          std::string(ChecksumAlgorithmName(*algorithm)) + " checksum algorithm.");
  }
  return std::optional<ChecksumType>(chosen);
}

Result<std::string> MultipartChecksum(ChecksumAlgorithm algorithm, ChecksumType type,
                                      const std::vector<PartChecksum>& parts) {
  if (!ChecksumTypeSupported(algorithm, type)) {
    return InvalidRequest(std::string(ChecksumTypeName(type)) + " is not a checksum type of " +
                          std::string(ChecksumAlgorithmName(algorithm)) + ".");
  }
  if (parts.empty()) return InvalidRequest("A multipart checksum needs at least one part.");
  std::vector<std::string> digests;
  digests.reserve(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    std::optional<std::string> digest = DecodeDigest(algorithm, parts[i].checksum);
    if (!digest) {
      return InvalidRequest("The " + std::string(ChecksumAlgorithmName(algorithm)) +
                            " checksum of part " + std::to_string(i + 1) + " is invalid.");
    }
    digests.push_back(std::move(*digest));
  }
  if (type == ChecksumType::kComposite) {
    Checksum checksum(algorithm);
    for (const std::string& digest : digests) checksum.Update(digest);
    return checksum.Finish() + "-" + std::to_string(parts.size());
  }
  uint64_t crc = FromBigEndian(digests[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    crc = CombineCrc(algorithm, crc, FromBigEndian(digests[i]), parts[i].size);
  }
  return Base64Encode(BigEndian(crc, ChecksumDigestBytes(algorithm)));
}

Status ValidateChecksumValue(ChecksumAlgorithm algorithm, std::string_view base64,
                             std::string_view where) {
  if (DecodeDigest(algorithm, base64)) return Status::Ok();
  return InvalidRequest("Value for " + std::string(where) + " header is invalid.");
}

Status VerifyChecksum(ChecksumAlgorithm algorithm, std::string_view expected_base64,
                      std::string_view computed_base64) {
  std::optional<std::string> expected = DecodeDigest(algorithm, expected_base64);
  std::optional<std::string> computed = DecodeDigest(algorithm, computed_base64);
  if (expected && computed && *expected == *computed) return Status::Ok();
  return Status(Code::kBadDigest, "The " + std::string(ChecksumAlgorithmName(algorithm)) +
                                      " you specified did not match the calculated checksum.");
}

Result<std::optional<RequestChecksum>> RequestChecksumFromHeaders(const HeaderLookup& header) {
  // The checksum values sent as headers.
  std::optional<RequestChecksum> found;
  for (const AlgorithmRow& row : kRows) {
    std::optional<std::string_view> value = header(row.header);
    if (!value) continue;
    if (found) {
      return InvalidRequest(
          "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    }
    std::string_view trimmed = TrimSpaces(*value);
    SLUICE_RETURN_IF_ERROR(ValidateChecksumValue(row.algorithm, trimmed, row.header));
    found = RequestChecksum{row.algorithm, RequestChecksum::Source::kHeader, std::string(trimmed)};
  }

  // A checksum announced as a trailer: x-amz-trailer is a comma-separated
  // list of header names; only checksums are trailers S3 knows.
  if (std::optional<std::string_view> trailer = header("x-amz-trailer")) {
    std::string_view rest = *trailer;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view name = TrimSpaces(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (name.empty()) continue;
      std::optional<ChecksumAlgorithm> algorithm = ChecksumAlgorithmForHeader(name);
      if (!algorithm) {
        return InvalidRequest("The value specified in the x-amz-trailer header is not supported: " +
                              std::string(name));
      }
      if (found) {
        return InvalidRequest(
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
      }
      found = RequestChecksum{*algorithm, RequestChecksum::Source::kTrailer, {}};
    }
  }

  // The algorithm headers: each must name a known algorithm, agree with the
  // checksum sent, and the SDK's one must come with a checksum.
  for (std::string_view algorithm_header : {"x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"}) {
    std::optional<std::string_view> value = header(algorithm_header);
    if (!value) continue;
    std::optional<ChecksumAlgorithm> algorithm = ParseChecksumAlgorithm(TrimSpaces(*value));
    if (!algorithm) {
      return InvalidRequest("Value for " + std::string(algorithm_header) + " header is invalid.");
    }
    if (found && found->algorithm != *algorithm) {
      return InvalidRequest("Value for " + std::string(algorithm_header) +
                            " header is invalid: it names " +
                            std::string(ChecksumAlgorithmName(*algorithm)) +
                            " but the request carries " +
                            std::string(ChecksumHeaderName(found->algorithm)) + ".");
    }
    if (!found) {
      if (algorithm_header == "x-amz-sdk-checksum-algorithm") {
        return InvalidRequest(
            "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or "
            "x-amz-trailer headers were found.");
      }
      found = RequestChecksum{*algorithm, RequestChecksum::Source::kAlgorithmOnly, {}};
    }
  }
  return found;
}

Result<std::string> ParseContentMd5(std::string_view header_value) {
  std::optional<std::string> digest = Base64Decode(TrimSpaces(header_value));
  if (!digest || digest->size() != 16) {
    return Status(Code::kInvalidParameterValue, "The Content-MD5 you specified was invalid.");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex(32, '0');
  for (size_t i = 0; i < 16; ++i) {
    auto byte = static_cast<unsigned char>((*digest)[i]);
    hex[2 * i] = kHex[byte >> 4];
    hex[2 * i + 1] = kHex[byte & 0xf];
  }
  return hex;
}

Status VerifyContentMd5(std::string_view expected_hex, std::string_view computed_hex) {
  if (EqualsIgnoreCase(expected_hex, computed_hex)) return Status::Ok();
  return Status(Code::kBadDigest, "The Content-MD5 you specified did not match what we received.");
}

}  // namespace sluice::s3
