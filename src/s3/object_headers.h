// The HTTP headers an object keeps: what PutObject, CopyObject (REPLACE) and
// CreateMultipartUpload store with it (sink ObjectInfo::attributes, a JSON
// object of lower-case header name -> value) and what GetObject and
// HeadObject send back, beside Content-Type, ETag, Last-Modified and the
// x-amz-meta-* headers.
//
// Stored: Cache-Control, Content-Disposition, Content-Encoding (without the
// aws-chunked transfer coding), Content-Language, Expires,
// x-amz-website-redirect-location, x-amz-storage-class, the SSE headers
// (x-amz-server-side-encryption, -aws-kms-key-id, -context,
// -bucket-key-enabled), and the object's checksum (x-amz-checksum-<alg> and
// x-amz-checksum-type), which the service adds once the body is verified.
// Every object is encrypted at rest, so an object stored without an SSE
// header answers x-amz-server-side-encryption: AES256, as S3 does today.
//
// Errors: InvalidArgument for an unknown SSE algorithm,
// InvalidStorageClass for an unknown storage class.
// Threads: any (pure).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "s3/bucket_settings.h"
#include "s3/errors.h"
#include "s3/responses.h"
#include "sluice/http/server.h"
#include "sluice/sink/types.h"

namespace sluice::s3 {

using HeaderList = std::vector<http::Header>;

// The storable headers of a request (see above).
S3Result<HeaderList> StorableHeaders(const http::Request& request);
// The object's stored headers; empty for "" or text we did not write.
HeaderList StoredHeaders(std::string_view attributes_json);
std::string StoredHeadersJson(const HeaderList& headers);
// Sets (or replaces) one stored header.
void SetStoredHeader(HeaderList* headers, std::string name, std::string value);
// The value of a stored header, "" when absent.
std::string StoredHeader(const HeaderList& headers, std::string_view name);

// The SSE headers to echo on a write or read of an object. An object stored
// without an algorithm (a worker's) reports `bucket_default`, the bucket's
// default encryption, or SSE-S3 (AES256) when that is null.
HeaderList EncryptionHeaders(const HeaderList& stored, const EncryptionRule* bucket_default = nullptr);

// Everything GetObject/HeadObject send about the object besides the body
// framing: Content-Type, ETag, Last-Modified, x-amz-meta-*, the stored
// headers (checksums only when `with_checksums`: x-amz-checksum-mode
// ENABLED on a whole-object read), and x-amz-mp-parts-count.
// `bucket_default` as for EncryptionHeaders.
HeaderList ObjectHeaders(const sink::ObjectInfo& info, bool with_checksums,
                         const EncryptionRule* bucket_default = nullptr);

// The stored checksum, per algorithm, and its algorithm name and type
// ("CRC32", "FULL_OBJECT"); empty when the object has none.
ObjectChecksums StoredChecksums(const HeaderList& stored);
void StoredChecksumKind(const HeaderList& stored, std::string* algorithm, std::string* type);

// "\"<etag>\"".
std::string QuotedEtag(std::string_view etag);

}  // namespace sluice::s3
