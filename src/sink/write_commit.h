// The last steps every write shares (Put, streamed uploads, parts, Copy,
// CopyPart, CompleteUpload): the new file is sealed and installed on an I/O
// thread (ObjectFileWriter::Install: fsync, rename, directory fsync), then
// CommitWrite() commits the row that names it, replies, and removes the
// files the commit made garbage:
//
//   Commit()      storage  the row: an object (conditions checked), a part
//                          (its upload must still exist), or a completion
//                          (object row + upload and part rows deleted)
//   OnCommitted() loop     unpin the KEK version; reply
//   Collect()     I/O      remove the replaced generation (or the parts of a
//                          completed upload, and their directory); or, if
//                          the row was refused, the new file itself
//
// Ownership: CommitWrite takes over the write's KEK pin (SinkCore::Pin) and
// counts itself in flight until the garbage is gone.
// Threads: loop thread (SealAndInstall: an I/O thread).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sink/metadata.h"
#include "sink/object_files.h"
#include "sluice/sink/envelope.h"
#include "sluice/sink/types.h"

namespace sluice::sink {

class SinkCore;

// What a write's row is, and so which file it installs.
struct WriteTarget {
  enum class Kind { kObject, kPart, kCompletion };
  Kind kind = Kind::kObject;
  // The object's row. For a part: bucket and key of the upload's object,
  // and the part's generation, size, etag, attributes, key version and
  // time (created_ms = modified).
  ObjectInfo info;
  WriteConditions conditions;  // kObject and kCompletion
  std::string upload_id;       // kPart and kCompletion
  int part_number = 0;         // kPart
  // kCompletion: (part number, generation) of the parts streamed, which must
  // still be the upload's when the row commits.
  std::vector<std::pair<int, std::string>> completed_parts;

  // The file: the object's, or the part's in the uploads area.
  ObjectBinding Binding() const;
};

// What a streamed body is checked against before its file is installed.
struct BodyChecks {
  std::optional<std::string> expected_md5_hex;
  std::optional<uint64_t> expected_size;
};

// I/O thread: seals the rest of `writer`, checks the body (kBadDigest;
// kInvalidParameterValue "IncompleteBody: ..."), installs the file. On
// success *size and *etag are the body's. The caller destroys the writer on
// this thread afterwards (removing the temp file unless installed).
Status SealAndInstall(ObjectFileWriter& writer, const BodyChecks& checks, uint64_t* size, std::string* etag);

// Commits the row for `target` (whose file is installed and whose info has
// its size and etag), then calls `reply` on the loop thread.
void CommitWrite(SinkCore& core, WriteTarget target, std::function<void(Result<ObjectInfo>)> reply);

}  // namespace sluice::sink
