// Finding an object and opening its file, for the operations that read one
// a piece at a time (OpenRead, Copy, CopyPart).
//
//   Lookup()  storage  the row: generation, size, journaled rewrap header
//   Open()    I/O      open the file, authenticate the header, seek to the
//                      range (ObjectFileReader)
//   OnOpen()  loop     hand the reader over, or look up again when the file
//                      vanished because a put or delete replaced it meanwhile
//
// Errors: kNoSuchKey; a range not within the object is
// kInvalidParameterValue; a file that stays missing is an integrity error.
// Threads: loop thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sink/object_file_reader.h"
#include "sluice/sink/types.h"

namespace sluice::sink {

class SinkCore;

struct OpenedObject {
  ObjectInfo info;
  std::unique_ptr<ObjectFileReader> reader;  // destroy with DiscardReader
};

// Bucket and key must have been validated (ValidateObjectName).
void OpenObject(SinkCore& core, std::string bucket, std::string key, std::optional<ByteRange> range,
                std::function<void(Result<OpenedObject>)> done);

// Destroys `reader` on an I/O thread: closing the last descriptor of a file
// that was replaced meanwhile frees its blocks, which is file I/O.
void DiscardReader(SinkCore& core, std::unique_ptr<ObjectFileReader> reader);

}  // namespace sluice::sink
