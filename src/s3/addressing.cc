#include "s3/addressing.h"

#include <algorithm>

#include "sluice/http/query.h"

namespace sluice::s3 {
namespace {

// Fixed base domains: their subdomains name buckets.
constexpr std::string_view kBuiltInBaseDomains[] = {"localhost", "s3.localhost.localstack.cloud",
                                                    "s3.amazonaws.com"};
constexpr std::string_view kAmazonAws = ".amazonaws.com";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The host without its port; IPv6 literals keep their brackets.
std::string_view StripPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

// "us-east-1", "eu-central-2": the shape of a region label.
bool IsRegionLabel(std::string_view label) {
  if (label.empty()) return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// For a host ending in ".amazonaws.com": the part before the S3 endpoint
// labels (s3, s3.REGION, s3-REGION, s3.dualstack.REGION), or nullopt when the
// host is not an S3 endpoint. "" when the host is the endpoint itself.
std::optional<std::string_view> BucketBeforeAmazonEndpoint(std::string_view host) {
  std::string_view rest = host.substr(0, host.size() - kAmazonAws.size());
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (true) {
    size_t dot = rest.find('.', start);
    labels.push_back(rest.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  const size_t n = labels.size();
  size_t endpoint_labels = 0;
  if (labels[n - 1] == "s3" || (labels[n - 1].size() > 3 && labels[n - 1].substr(0, 3) == "s3-" &&
                                IsRegionLabel(labels[n - 1].substr(3)))) {
    endpoint_labels = 1;  // s3, s3-REGION
  } else if (n >= 3 && labels[n - 3] == "s3" && labels[n - 2] == "dualstack" && IsRegionLabel(labels[n - 1])) {
    endpoint_labels = 3;  // s3.dualstack.REGION
  } else if (n >= 2 && labels[n - 2] == "s3" && IsRegionLabel(labels[n - 1])) {
    endpoint_labels = 2;  // s3.REGION
  } else {
    return std::nullopt;
  }
  if (endpoint_labels == n) return std::string_view();
  // The bucket is everything before the endpoint labels and their dot.
  size_t bucket_end = static_cast<size_t>(labels[n - endpoint_labels].data() - rest.data()) - 1;
  return rest.substr(0, bucket_end);
}

S3Error InvalidUri(std::string_view path) {
  return MakeError(ErrorCode::kInvalidURI).With("URI", std::string(path));
}

}  // namespace

Addressing::Addressing(std::vector<std::string> extra_base_domains) {
  for (std::string_view domain : kBuiltInBaseDomains) base_domains_.emplace_back(domain);
  for (std::string& domain : extra_base_domains) {
    std::string lower = Lower(domain);
    while (!lower.empty() && lower.front() == '.') lower.erase(0, 1);
    if (!lower.empty()) base_domains_.push_back(std::move(lower));
  }
  std::stable_sort(base_domains_.begin(), base_domains_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::optional<std::string> Addressing::BucketFromHost(std::string_view host_header) const {
  const std::string host = Lower(StripPort(host_header));
  if (host.empty() || host.front() == '[') return std::nullopt;
  for (const std::string& base : base_domains_) {
    // "BUCKET." + base, with a non-empty bucket.
    if (host.size() > base.size() + 1 && host.compare(host.size() - base.size(), base.size(), base) == 0 &&
        host[host.size() - base.size() - 1] == '.') {
      return host.substr(0, host.size() - base.size() - 1);
    }
  }
  if (host.size() > kAmazonAws.size() &&
      host.compare(host.size() - kAmazonAws.size(), kAmazonAws.size(), kAmazonAws) == 0) {
    std::optional<std::string_view> bucket = BucketBeforeAmazonEndpoint(host);
    if (bucket && !bucket->empty()) return std::string(*bucket);
  }
  return std::nullopt;
}

S3Result<Address> Addressing::Resolve(const http::Request& request) const {
  const std::string* host = request.FindHeader("host");
  return Resolve(host != nullptr ? std::string_view(*host) : std::string_view(), request.path);
}

S3Result<Address> Addressing::Resolve(std::string_view host, std::string_view path) const {
  if (path.empty() || path.front() != '/') return InvalidUri(path);
  Address address;
  std::string_view raw_key;
  if (std::optional<std::string> bucket = BucketFromHost(host)) {
    address.bucket = std::move(*bucket);
    address.virtual_host = true;
    raw_key = path.substr(1);
  } else {
    std::string_view rest = path.substr(1);
    size_t slash = rest.find('/');
    std::string_view raw_bucket = rest.substr(0, slash);
    raw_key = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    std::optional<std::string> decoded_bucket = http::PercentDecode(raw_bucket, false);
    if (!decoded_bucket) return InvalidUri(path);
    if (decoded_bucket->empty() && !raw_key.empty()) return InvalidUri(path);  // "//key"
    address.bucket = std::move(*decoded_bucket);
  }
  // '+' is a literal plus in a path; SDKs send a space as %20.
  std::optional<std::string> key = http::PercentDecode(raw_key, false);
  if (!key) return InvalidUri(path);
  address.key = std::move(*key);
  return address;
}

}  // namespace sluice::s3
