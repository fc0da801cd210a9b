// The keyring: the key-encryption keys (KEKs) that wrap every object's data
// key, in one JSON file (default <data_dir>/keyring.json):
//
//   {"format": 1, "versions": [
//     {"version": 1, "state": "enabled", "created": "2026-01-01T00:00:00.000Z",
//      "created_ms": 1767225600000, "key": "<base64 of 32 bytes>"},
//     {"version": 2, "state": "active", ...},
//     {"version": 3, "state": "retired", "created": ..., "created_ms": ...}]}
//
// Versions are 1..N, exactly one is active (it wraps new data keys),
// enabled ones still unwrap, and a retired one has its key material erased
// from the file. The file is created with mode 0600 and must stay private:
// a keyring that group or others may access is refused at load.
//
// Every change is written as a whole new file (temp, fsync, rename, fsync
// of the directory), so a crash leaves the old or the new keyring, never a
// mix, and the in-memory keyring changes only once the file did.
//
// Deciding whether a version may be retired (no object uses it) is the
// caller's job; Retire() only refuses the active version.
//
// Ownership: owns the key material (zeroed when dropped).
// Errors: load problems are kInvalidParameterValue naming the file and the
// fix; I/O failures kStorageFailed; unknown versions kResourceNotFound;
// retiring the active version kConflict.
// Threads: any. Rotate() and Retire() do file I/O and fsync: call them off
// the loop thread. They are serialized among themselves; lookups never wait
// for their I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sluice/clock.h"
#include "sluice/sink/envelope.h"
#include "sluice/sink/types.h"
#include "sluice/status.h"

namespace sluice::sink {

class Keyring {
 public:
  // Loads `path`, or creates it (and its directory) with version 1 active.
  static Result<std::unique_ptr<Keyring>> LoadOrCreate(const std::string& path, const Clock& clock);

  const std::string& path() const { return path_; }

  // The active version and its material.
  Kek Active() const;
  int64_t ActiveCreatedMs() const;
  // kResourceNotFound for a version never created, kConflict for a retired one.
  Result<Kek> Find(uint32_t version) const;
  // Every version with its state (objects = 0: the keyring does not know).
  std::vector<KeyVersionInfo> Versions() const;

  // Adds version N+1 as active; the previous active one becomes enabled.
  Result<uint32_t> Rotate();
  // Marks `version` retired and erases its material. Retiring a retired
  // version again is OK.
  Status Retire(uint32_t version);

 private:
  struct Version {
    Kek kek;
    int64_t created_ms = 0;
    KeyState state = KeyState::kEnabled;
  };

  Keyring(std::string path, const Clock& clock) : path_(std::move(path)), clock_(clock) {}
  static Result<std::vector<Version>> Parse(const std::string& path, const std::string& text);
  static std::string Serialize(const std::vector<Version>& versions);
  Status Save(const std::vector<Version>& versions);
  Version NewVersion(uint32_t number, KeyState state) const;

  const std::string path_;
  const Clock& clock_;
  std::mutex mutation_mu_;  // held by Rotate/Retire across their file I/O
  mutable std::mutex mu_;   // guards versions_
  std::vector<Version> versions_;  // index i holds version i + 1; GUARDED_BY(mu_)
};

}  // namespace sluice::sink
