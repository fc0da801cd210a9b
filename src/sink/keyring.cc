#include "sink/keyring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "sink/file_util.h"
#include "sink/sodium_init.h"
#include "sluice/time_format.h"

namespace sluice::sink {
namespace {

constexpr int kFormat = 1;
constexpr unsigned kFileMode = 0600;
constexpr size_t kMaxKeyringBytes = 1 << 20;

std::string Base64(const unsigned char* bytes, size_t size) {
  std::string text(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);
  return text;
}

Status Invalid(const std::string& path, const std::string& why) {
  return Status(Code::kInvalidParameterValue, "keyring " + path + " is invalid: " + why);
}

Result<KeyState> ParseState(std::string_view name) {
  if (name == "active") return KeyState::kActive;
  if (name == "enabled") return KeyState::kEnabled;
  if (name == "retired") return KeyState::kRetired;
  return Status(Code::kInvalidParameterValue, "unknown key state '" + std::string(name) + "'");
}

}  // namespace

const char* KeyStateName(KeyState state) {
  switch (state) {
    case KeyState::kActive: return "active";
    case KeyState::kEnabled: return "enabled";
    case KeyState::kRetired: return "retired";
  }
  return "unknown";
}

Keyring::Version Keyring::NewVersion(uint32_t number, KeyState state) const {
  Version version;
  version.kek.version = number;
  crypto_aead_xchacha20poly1305_ietf_keygen(version.kek.bytes.data());
  version.created_ms = clock_.NowMillis();
  version.state = state;
  return version;
}

Result<std::unique_ptr<Keyring>> Keyring::LoadOrCreate(const std::string& path, const Clock& clock) {
  EnsureSodium();
  std::unique_ptr<Keyring> keyring(new Keyring(path, clock));
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid() && errno == ENOENT) {
    std::error_code error;
    std::filesystem::create_directories(ParentDirectory(path), error);
    if (error) {
      return Status(Code::kStorageFailed, "cannot create the directory of keyring " + path + ": " +
                                              error.message());
    }
    std::vector<Version> versions;
    versions.push_back(keyring->NewVersion(1, KeyState::kActive));
    SLUICE_RETURN_IF_ERROR(keyring->Save(versions));
    keyring->versions_ = std::move(versions);
    return keyring;
  }
  if (!fd.valid()) return ErrnoStatus("cannot open keyring", path, errno);

  struct stat info;
  if (fstat(fd.get(), &info) != 0) return ErrnoStatus("cannot stat keyring", path, errno);
  if (!S_ISREG(info.st_mode)) return Invalid(path, "it is not a regular file");
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return Status(Code::kInvalidParameterValue,
                  "keyring " + path + " is accessible by group or others (mode " + mode +
                      "); it holds the keys to every object. Run: chmod 600 " + path);
  }
  if (static_cast<size_t>(info.st_size) > kMaxKeyringBytes) return Invalid(path, "it is too large");
  Result<std::string> text = PreadUpTo(fd.get(), static_cast<size_t>(info.st_size), 0, path);
  if (!text.ok()) return text.status();
  Result<std::vector<Version>> versions = Parse(path, *text);
  sodium_memzero(text->data(), text->size());
  if (!versions.ok()) return versions.status();
  keyring->versions_ = std::move(versions).value();
  return keyring;
}

Result<std::vector<Keyring::Version>> Keyring::Parse(const std::string& path, const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  if (document.HasParseError() || !document.IsObject()) return Invalid(path, "it is not a JSON object");
  if (!document.HasMember("format") || !document["format"].IsInt() ||
      document["format"].GetInt() != kFormat) {
    return Invalid(path, "\"format\" must be 1");
  }
  if (!document.HasMember("versions") || !document["versions"].IsArray()) {
    return Invalid(path, "\"versions\" must be an array");
  }
  std::vector<Version> versions;
  int active = 0;
  for (const rapidjson::Value& entry : document["versions"].GetArray()) {
    const std::string where = "version entry " + std::to_string(versions.size() + 1);
    if (!entry.IsObject() || !entry.HasMember("version") || !entry["version"].IsUint() ||
        !entry.HasMember("state") || !entry["state"].IsString() || !entry.HasMember("created_ms") ||
        !entry["created_ms"].IsInt64()) {
      return Invalid(path, where + " needs \"version\", \"state\" and \"created_ms\"");
    }
    Version version;
    version.kek.version = entry["version"].GetUint();
    if (version.kek.version != versions.size() + 1) {
      return Invalid(path, "versions must be numbered 1, 2, 3, ... in order");
    }
    Result<KeyState> state = ParseState(entry["state"].GetString());
    if (!state.ok()) return Invalid(path, where + ": " + state.status().message());
    version.state = *state;
    version.created_ms = entry["created_ms"].GetInt64();
    const bool has_key = entry.HasMember("key") && entry["key"].IsString();
    if (version.state == KeyState::kRetired) {
      if (has_key) return Invalid(path, where + " is retired but still holds key material");
    } else {
      if (!has_key) return Invalid(path, where + " has no \"key\"");
      const rapidjson::Value& key = entry["key"];
      size_t length = 0;
      const char* end = nullptr;
      if (sodium_base642bin(version.kek.bytes.data(), version.kek.bytes.size(), key.GetString(),
                            key.GetStringLength(), nullptr, &length, &end,
                            sodium_base64_VARIANT_ORIGINAL) != 0 ||
          length != kKekBytes || end != key.GetString() + key.GetStringLength()) {
        return Invalid(path, where + ": \"key\" must be " + std::to_string(kKekBytes) +
                                 " bytes in base64");
      }
    }
    if (version.state == KeyState::kActive) ++active;
    versions.push_back(std::move(version));
  }
  if (active != 1) return Invalid(path, "exactly one version must be \"active\"");
  return versions;
}

std::string Keyring::Serialize(const std::vector<Version>& versions) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  writer.StartObject();
  writer.Key("format");
  writer.Int(kFormat);
  writer.Key("versions");
  writer.StartArray();
  for (const Version& version : versions) {
    writer.StartObject();
    writer.Key("version");
    writer.Uint(version.kek.version);
    writer.Key("state");
    writer.String(KeyStateName(version.state));
    writer.Key("created");
    writer.String(FormatIso8601Millis(version.created_ms));
    writer.Key("created_ms");
    writer.Int64(version.created_ms);
    if (version.state != KeyState::kRetired) {
      std::string key = Base64(version.kek.bytes.data(), version.kek.bytes.size());
      writer.Key("key");
      writer.String(key);
      sodium_memzero(key.data(), key.size());
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  std::string text(buffer.GetString(), buffer.GetSize());
  text.push_back('\n');
  sodium_memzero(const_cast<char*>(buffer.GetString()), buffer.GetSize());
  return text;
}

Status Keyring::Save(const std::vector<Version>& versions) {
  std::string text = Serialize(versions);
  Status status = ReplaceFileAtomically(path_, text, kFileMode);
  sodium_memzero(text.data(), text.size());
  return status;
}

Kek Keyring::Active() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Version& version : versions_) {
    if (version.state == KeyState::kActive) return version.kek;
  }
  return Kek();  // unreachable: Parse and the mutations keep one active
}

int64_t Keyring::ActiveCreatedMs() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Version& version : versions_) {
    if (version.state == KeyState::kActive) return version.created_ms;
  }
  return 0;
}

Result<Kek> Keyring::Find(uint32_t version) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (version == 0 || version > versions_.size()) {
    return Status(Code::kResourceNotFound, "key version " + std::to_string(version) +
                                               " is not in keyring " + path_);
  }
  const Version& found = versions_[version - 1];
  if (found.state == KeyState::kRetired) {
    return Status(Code::kConflict, "key version " + std::to_string(version) + " is retired");
  }
  return found.kek;
}

std::vector<KeyVersionInfo> Keyring::Versions() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<KeyVersionInfo> infos;
  for (const Version& version : versions_) {
    infos.push_back(KeyVersionInfo{static_cast<int>(version.kek.version), version.created_ms,
                                   version.state, 0});
  }
  return infos;
}

Result<uint32_t> Keyring::Rotate() {
  std::lock_guard<std::mutex> mutation(mutation_mu_);
  std::vector<Version> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next = versions_;
  }
  for (Version& version : next) {
    if (version.state == KeyState::kActive) version.state = KeyState::kEnabled;
  }
  const uint32_t number = static_cast<uint32_t>(next.size() + 1);
  next.push_back(NewVersion(number, KeyState::kActive));
  SLUICE_RETURN_IF_ERROR(Save(next));
  std::lock_guard<std::mutex> lock(mu_);
  versions_ = std::move(next);
  return number;
}

Status Keyring::Retire(uint32_t number) {
  std::lock_guard<std::mutex> mutation(mutation_mu_);
  std::vector<Version> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next = versions_;
  }
  if (number == 0 || number > next.size()) {
    return Status(Code::kResourceNotFound, "key version " + std::to_string(number) +
                                               " is not in keyring " + path_);
  }
  Version& version = next[number - 1];
  if (version.state == KeyState::kRetired) return Status::Ok();
  if (version.state == KeyState::kActive) {
    return Status(Code::kConflict, "key version " + std::to_string(number) +
                                       " is the active version; rotate first, then rewrap");
  }
  version.state = KeyState::kRetired;
  sodium_memzero(version.kek.bytes.data(), version.kek.bytes.size());
  SLUICE_RETURN_IF_ERROR(Save(next));
  std::lock_guard<std::mutex> lock(mu_);
  versions_ = std::move(next);
  return Status::Ok();
}

}  // namespace sluice::sink
