#include "queue/queue_catalog.h"

#include "queue/json_maps.h"

namespace sluice::queue {
namespace {


constexpr const char kSelectByName[] =
    "SELECT id, name, created_at, modified_at, attributes, tags, purged_at, redrive_target "
    "FROM queues WHERE name = ?1";
constexpr const char kSelectById[] =
    "SELECT id, name, created_at, modified_at, attributes, tags, purged_at, redrive_target "
    "FROM queues WHERE id = ?1";
constexpr const char kInsert[] =
    "INSERT INTO queues(name, created_at, modified_at, attributes, tags, redrive_target) "
    "VALUES(?1, ?2, ?2, ?3, ?4, ?5)";
constexpr const char kUpdateAttributes[] =
    "UPDATE queues SET attributes = ?1, redrive_target = ?2, modified_at = ?3 WHERE id = ?4";
constexpr const char kUpdateTags[] = "UPDATE queues SET tags = ?1 WHERE id = ?2";
constexpr const char kUpdatePurgedAt[] = "UPDATE queues SET purged_at = ?1 WHERE id = ?2";
constexpr const char kDelete[] = "DELETE FROM queues WHERE id = ?1";
constexpr const char kTombstone[] =
    "UPDATE queues SET name = char(127) || 'deleted:' || id, redrive_target = NULL WHERE id = ?1";
// Names are ASCII below 0x7f, so every name starting with ?1 sorts below
// ?1 || char(127): the prefix match is an index range.
constexpr const char kListNames[] =
    "SELECT name FROM queues WHERE name >= ?1 AND name < ?1 || char(127) AND name > ?2 "
    "ORDER BY name LIMIT ?3";
constexpr const char kListSources[] =
    "SELECT name FROM queues WHERE redrive_target = ?1 AND name > ?2 ORDER BY name LIMIT ?3";
constexpr const char kIsTarget[] = "SELECT 1 FROM queues WHERE redrive_target = ?1 LIMIT 1";
constexpr const char kAllIds[] = "SELECT id FROM queues ORDER BY id";

}  // namespace

Result<const QueueRow*> QueueCatalog::FindByName(std::string_view name) {
  auto it = by_name_.find(std::string(name));
  if (it != by_name_.end()) return static_cast<const QueueRow*>(&it->second);
  storage::Statement statement = db_.Prepare(kSelectByName);
  statement.BindText(name);
  return Load(statement);
}

Result<const QueueRow*> QueueCatalog::FindById(int64_t id) {
  auto it = name_by_id_.find(id);
  if (it != name_by_id_.end()) return static_cast<const QueueRow*>(&by_name_.at(it->second));
  storage::Statement statement = db_.Prepare(kSelectById);
  statement.BindInt(id);
  return Load(statement);
}

Result<const QueueRow*> QueueCatalog::Load(storage::Statement& statement) {
  if (!statement.Step()) {
    if (!statement.ok()) return statement.status();
    return static_cast<const QueueRow*>(nullptr);
  }
  QueueRow row;
  row.id = statement.Int(0);
  row.name = std::string(statement.Text(1));
  row.created_at = statement.Int(2);
  row.modified_at = statement.Int(3);
  Result<AttributeMap> attributes = DecodeStringMap(statement.Text(4));
  if (!attributes.ok()) return attributes.status();
  Result<TagMap> tags = DecodeStringMap(statement.Text(5));
  if (!tags.ok()) return tags.status();
  row.attributes = std::move(attributes).value();
  row.tags = std::move(tags).value();
  row.purged_at = statement.Int(6);
  row.redrive_target = std::string(statement.Text(7));
  row.settings = SettingsOf(row.attributes);
  name_by_id_[row.id] = row.name;
  auto [it, inserted] = by_name_.insert_or_assign(row.name, std::move(row));
  return static_cast<const QueueRow*>(&it->second);
}

void QueueCatalog::Erase(int64_t id) {
  auto it = name_by_id_.find(id);
  if (it == name_by_id_.end()) return;
  by_name_.erase(it->second);
  name_by_id_.erase(it);
}

void QueueCatalog::Forget() {
  by_name_.clear();
  name_by_id_.clear();
}

Result<int64_t> QueueCatalog::Insert(const std::string& name, const AttributeMap& attributes,
                                     const TagMap& tags, const std::string& redrive_target,
                                     int64_t now) {
  storage::Statement statement = db_.Prepare(kInsert);
  statement.BindText(name).BindInt(now).BindText(EncodeStringMap(attributes));
  statement.BindText(EncodeStringMap(tags)).BindTextOrNull(redrive_target);
  SLUICE_RETURN_IF_ERROR(statement.Run());
  return db_.LastInsertRowId();
}

Status QueueCatalog::UpdateAttributes(const QueueRow& queue, const AttributeMap& attributes,
                                      const std::string& redrive_target, int64_t now) {
  // The arguments may point into the cached row: bind them before Erase.
  storage::Statement statement = db_.Prepare(kUpdateAttributes);
  statement.BindText(EncodeStringMap(attributes)).BindTextOrNull(redrive_target).BindInt(now);
  statement.BindInt(queue.id);
  Erase(queue.id);  // `queue` dangles from here on
  return statement.Run();
}

Status QueueCatalog::UpdateTags(const QueueRow& queue, const TagMap& tags) {
  storage::Statement statement = db_.Prepare(kUpdateTags);
  statement.BindText(EncodeStringMap(tags)).BindInt(queue.id);
  Erase(queue.id);
  return statement.Run();
}

Status QueueCatalog::UpdatePurgedAt(const QueueRow& queue, int64_t purged_at) {
  storage::Statement statement = db_.Prepare(kUpdatePurgedAt);
  statement.BindInt(purged_at).BindInt(queue.id);
  Erase(queue.id);
  return statement.Run();
}

Status QueueCatalog::Delete(const QueueRow& queue) {
  storage::Statement statement = db_.Prepare(kDelete);
  statement.BindInt(queue.id);
  Erase(queue.id);
  return statement.Run();
}

Status QueueCatalog::Tombstone(const QueueRow& queue) {
  storage::Statement statement = db_.Prepare(kTombstone);
  statement.BindInt(queue.id);
  Erase(queue.id);
  return statement.Run();
}

Result<std::vector<std::string>> QueueCatalog::ListNames(std::string_view prefix,
                                                         std::string_view after, int limit) {
  storage::Statement statement = db_.Prepare(kListNames);
  statement.BindText(prefix).BindText(after).BindInt(limit);
  std::vector<std::string> names;
  while (statement.Step()) names.emplace_back(statement.Text(0));
  if (!statement.ok()) return statement.status();
  return names;
}

Result<std::vector<std::string>> QueueCatalog::ListSourcesOf(std::string_view redrive_target,
                                                             std::string_view after, int limit) {
  storage::Statement statement = db_.Prepare(kListSources);
  statement.BindText(redrive_target).BindText(after).BindInt(limit);
  std::vector<std::string> names;
  while (statement.Step()) names.emplace_back(statement.Text(0));
  if (!statement.ok()) return statement.status();
  return names;
}

Result<bool> QueueCatalog::IsDeadLetterTarget(std::string_view name) {
  storage::Statement statement = db_.Prepare(kIsTarget);
  statement.BindText(name);
  bool found = statement.Step();
  if (!statement.ok()) return statement.status();
  return found;
}

Result<std::vector<int64_t>> QueueCatalog::AllIds() {
  storage::Statement statement = db_.Prepare(kAllIds);
  std::vector<int64_t> ids;
  while (statement.Step()) ids.push_back(statement.Int(0));
  if (!statement.ok()) return statement.status();
  return ids;
}

}  // namespace sluice::queue
