// Upload parts shaped like objects of the pseudo-bucket kUploadsArea under
// PartKey(upload id, part) (metadata.h): the halves of Scan, NotWrappedBy,
// Generations and the rewrap journal functions that read and write
// sink_upload_parts, so the rewrap, verify and startup passes handle part
// files exactly as they handle objects.
#include "sink/metadata.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

// A part's columns, in the order ReadPartAsObject expects.
#define SINK_PART_COLUMNS                                                                   \
  "upload_id, part_number, generation, size, etag, modified_at, kek_version, rewrap_header, " \
  "rewrap_kek_version, attributes"

// In the scans ?3 is the limit and ?4, where present, the key version.
const char kScanParts[] =
    "SELECT " SINK_PART_COLUMNS " FROM sink_upload_parts WHERE (upload_id, part_number) > (?1, ?2) "
    "ORDER BY upload_id, part_number LIMIT ?3";
const char kPartsNotWrappedBy[] =
    "SELECT " SINK_PART_COLUMNS " FROM sink_upload_parts WHERE (upload_id, part_number) > (?1, ?2) "
    "AND kek_version != ?4 AND rewrap_header IS NULL ORDER BY upload_id, part_number LIMIT ?3";
const char kJournaledPartRewraps[] =
    "SELECT " SINK_PART_COLUMNS " FROM sink_upload_parts WHERE rewrap_header IS NOT NULL "
    "ORDER BY upload_id, part_number";
const char kPartGenerations[] =
    "SELECT upload_id, part_number, generation FROM sink_upload_parts "
    "WHERE (upload_id, part_number) > (?1, ?2) ORDER BY upload_id, part_number LIMIT ?3";
const char kJournalPartRewrap[] =
    "UPDATE sink_upload_parts SET rewrap_header = ?4, rewrap_kek_version = ?5 "
    "WHERE upload_id = ?1 AND part_number = ?2 AND generation = ?3";
const char kCompletePartRewrap[] =
    "UPDATE sink_upload_parts SET kek_version = rewrap_kek_version, rewrap_header = NULL, "
    "rewrap_kek_version = NULL WHERE upload_id = ?1 AND part_number = ?2 AND generation = ?3 "
    "AND rewrap_header IS NOT NULL";
const char kAbandonPartRewrap[] =
    "UPDATE sink_upload_parts SET rewrap_header = NULL, rewrap_kek_version = NULL "
    "WHERE upload_id = ?1 AND part_number = ?2 AND generation = ?3";

ObjectRow ReadPartAsObject(const storage::Statement& row) {
  ObjectRow object;
  object.info.bucket = std::string(kUploadsArea);
  object.info.key = PartKey(row.Text(0), static_cast<int>(row.Int(1)));
  object.info.generation = std::string(row.Text(2));
  object.info.size = static_cast<uint64_t>(row.Int(3));
  object.info.etag = std::string(row.Text(4));
  object.info.created_ms = row.Int(5);
  object.info.key_version = static_cast<int>(row.Int(6));
  if (!row.IsNull(7)) {
    object.rewrap_header = std::string(row.Blob(7));
    object.rewrap_kek_version = static_cast<int>(row.Int(8));
  }
  object.info.attributes = std::string(row.Text(9));
  return object;
}

}  // namespace

std::pair<std::string, int> PartCursor(const ObjectCursor& after) {
  if (after.bucket != kUploadsArea) return {"", 0};
  std::string upload_id;
  int part_number = 0;
  if (ParsePartKey(after.key, &upload_id, &part_number)) return {upload_id, part_number};
  return {after.key, 0};
}

Result<std::vector<ObjectRow>> Metadata::ScanParts(sqlite3* db, const ObjectCursor& after,
                                                    std::optional<int> not_wrapped_by, int limit) {
  std::vector<ObjectRow> rows;
  if (after.bucket > kUploadsArea || limit <= 0) return rows;
  const auto [upload_id, part_number] = PartCursor(after);
  storage::Statement select = Statements(db).Prepare(not_wrapped_by ? kPartsNotWrappedBy : kScanParts);
  select.BindText(upload_id).BindInt(part_number).BindInt(limit);
  if (not_wrapped_by) select.BindInt(*not_wrapped_by);
  while (select.Step()) rows.push_back(ReadPartAsObject(select));
  if (!select.ok()) return select.status();
  return rows;
}

Result<std::vector<std::pair<std::string, std::string>>> Metadata::PartGenerations(
    sqlite3* db, const std::string& after_key, int limit) {
  const auto [upload_id, part_number] = PartCursor(ObjectCursor{std::string(kUploadsArea), after_key});
  storage::Statement select = Statements(db).Prepare(kPartGenerations);
  select.BindText(upload_id).BindInt(part_number).BindInt(limit);
  std::vector<std::pair<std::string, std::string>> rows;
  while (select.Step()) {
    rows.emplace_back(PartKey(select.Text(0), static_cast<int>(select.Int(1))), std::string(select.Text(2)));
  }
  if (!select.ok()) return select.status();
  return rows;
}

Result<bool> Metadata::UpdatePartJournal(sqlite3* db, PartJournal step, const ObjectInfo& part,
                                         const std::string* header, int version) {
  std::string upload_id;
  int part_number = 0;
  if (!ParsePartKey(part.key, &upload_id, &part_number)) return false;
  const char* sql = step == PartJournal::kJournal    ? kJournalPartRewrap
                    : step == PartJournal::kComplete ? kCompletePartRewrap
                                                     : kAbandonPartRewrap;
  storage::Statement update = Statements(db).Prepare(sql);
  update.BindText(upload_id).BindInt(part_number).BindText(part.generation);
  if (step == PartJournal::kJournal) update.BindBlob(*header).BindInt(version);
  SLUICE_RETURN_IF_ERROR(update.Run());
  return sqlite3_changes(db) > 0;
}

Status Metadata::AppendJournaledParts(sqlite3* db, std::vector<ObjectRow>* rows) {
  storage::Statement select = Statements(db).Prepare(kJournaledPartRewraps);
  while (select.Step()) rows->push_back(ReadPartAsObject(select));
  return select.status();
}

}  // namespace sluice::sink
