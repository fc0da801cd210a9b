// Opening the storage thread's connection: the file, the pragmas that make
// group commit durable, and the schema migrations.
//
// Errors: kStorageFailed naming the database path and SQLite's reason
// (including "has schema version N but this sluice knows up to M").
// Threads: the returned connection is opened with SQLITE_OPEN_NOMUTEX: it may
// move between threads but only one may use it at a time.
#pragma once

#include "sluice/status.h"
#include "sluice/storage/storage_thread.h"
#include "storage/sqlite_util.h"

namespace sluice::storage {

Result<DatabasePtr> OpenDatabase(const StorageOptions& options);

}  // namespace sluice::storage
