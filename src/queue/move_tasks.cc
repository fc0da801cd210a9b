// Message move tasks (DLQ redrive): StartMessageMoveTask,
// CancelMessageMoveTask, ListMessageMoveTasks, and the steps that move.
//
// Task states and the function behind each transition:
//   StartMessageMoveTask             -> RUNNING
//   RunMoveTaskStep, none left       RUNNING -> COMPLETED
//   RunMoveTaskStep, a message whose
//     destination cannot be found    RUNNING -> FAILED (failure_reason)
//   CancelMessageMoveTask            RUNNING -> CANCELLING
//   RunMoveTaskStep                  CANCELLING -> CANCELLED
// A task moves only the messages present when it started (id <=
// high_water_id), oldest first; moved messages are visible at once with
// their receive count reset. Only one RUNNING or CANCELLING task per source.
//
// FIFO dead-letter queues redrive to FIFO queues only (SQS: both queues of a
// redrive are of the same type). A FIFO message moves in the DLQ's order
// (its arrival there), keeps its group and its deduplication id (which the
// dead-letter move set to its old message id, so it is never dropped as a
// duplicate: the move bypasses deduplication), and arrives as SQS says
// redriven messages do: a new MessageId, a new enqueue time, and the
// destination's next sequence number, at the tail of its group. For a FIFO
// source the task's high water is a sequence number, not a row id.
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "queue/engine_impl.h"
#include "queue/random_ids.h"
#include "queue/validate.h"

namespace sluice::queue {
namespace {

constexpr const char kActiveForSource[] =
    "SELECT 1 FROM move_tasks WHERE source_queue_id = ?1 AND status IN ('RUNNING', 'CANCELLING') "
    "LIMIT 1";
constexpr const char kCountAndHighWater[] =
    "SELECT count(*), MAX(id) FROM messages WHERE queue_id = ?1";
constexpr const char kCountAndHighWaterFifo[] =
    "SELECT count(*), MAX(sequence_number) FROM messages WHERE queue_id = ?1";
constexpr const char kInsertTask[] =
    "INSERT INTO move_tasks(task_handle, source_queue_id, source_arn, destination_arn, "
    "max_per_second, status, to_move, high_water_id, started_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, 'RUNNING', ?6, ?7, ?8)";
constexpr const char kSelectTask[] =
    "SELECT task_handle, source_queue_id, source_arn, destination_arn, max_per_second, status, "
    "moved, to_move, high_water_id, failure_reason, started_at FROM move_tasks "
    "WHERE task_handle = ?1";
constexpr const char kListTasks[] =
    "SELECT task_handle, source_queue_id, source_arn, destination_arn, max_per_second, status, "
    "moved, to_move, high_water_id, failure_reason, started_at FROM move_tasks "
    "WHERE source_queue_id = ?1 ORDER BY started_at DESC, rowid DESC LIMIT ?2";
constexpr const char kActiveTasks[] =
    "SELECT task_handle FROM move_tasks WHERE status IN ('RUNNING', 'CANCELLING') "
    "ORDER BY started_at, rowid";
constexpr const char kSetStatus[] =
    "UPDATE move_tasks SET status = ?1, failure_reason = ?2, finished_at = ?3 "
    "WHERE task_handle = ?4";
constexpr const char kAddMoved[] = "UPDATE move_tasks SET moved = moved + ?1 WHERE task_handle = ?2";
// Oldest first by messages_by_age (its rowid suffix orders ties by id).
constexpr const char kSelectToMove[] =
    "SELECT id, dead_letter_source_queue_id FROM messages WHERE queue_id = ?1 AND id <= ?2 "
    "ORDER BY sent_at, id LIMIT ?3";
// A FIFO DLQ's arrival order: sent_at is its arrival time there (the move
// restarts it) and sequence numbers break ties.
constexpr const char kSelectToMoveFifo[] =
    "SELECT id, dead_letter_source_queue_id, message_group_id FROM messages "
    "WHERE queue_id = ?1 AND sequence_number <= ?2 ORDER BY sent_at, sequence_number LIMIT ?3";
constexpr const char kMoveFifoMessage[] =
    "UPDATE messages SET queue_id = ?1, message_id = ?2, sent_at = ?3, visible_at = ?3, "
    "receive_count = 0, first_received_at = 0, received_at = 0, receipt_token = 0, "
    "dead_letter_source_queue_id = NULL, sequence_number = ?4 WHERE id = ?5";
constexpr const char kMoveMessage[] =
    "UPDATE messages SET queue_id = ?1, visible_at = ?2, receive_count = 0, first_received_at = 0, "
    "received_at = 0, receipt_token = 0, dead_letter_source_queue_id = NULL WHERE id = ?3";

constexpr char kNonExistentQueue[] = "AWS.SimpleQueueService.NonExistentQueue";
constexpr char kUnknownSource[] = "CouldNotDetermineMessageSource";

struct TaskRow {
  std::string task_handle;
  int64_t source_queue_id = 0;
  std::string source_arn;
  std::string destination_arn;
  std::optional<int> max_per_second;
  std::string status;
  int64_t moved = 0;
  int64_t to_move = 0;
  int64_t high_water_id = 0;
  std::string failure_reason;
  int64_t started_at = 0;
};

TaskRow ReadTask(const storage::Statement& row) {
  TaskRow task;
  task.task_handle = row.Text(0);
  task.source_queue_id = row.Int(1);
  task.source_arn = row.Text(2);
  task.destination_arn = row.Text(3);
  if (!row.IsNull(4)) task.max_per_second = static_cast<int>(row.Int(4));
  task.status = row.Text(5);
  task.moved = row.Int(6);
  task.to_move = row.Int(7);
  task.high_water_id = row.Int(8);
  task.failure_reason = row.Text(9);
  task.started_at = row.Int(10);
  return task;
}

Result<TaskRow> LoadTask(storage::StatementCache& db, const std::string& task_handle) {
  storage::Statement select = db.Prepare(kSelectTask);
  select.BindText(task_handle);
  if (!select.Step()) {
    if (!select.ok()) return select.status();
    return Status(Code::kResourceNotFound, "The specified task does not exist.");
  }
  return ReadTask(select);
}

Status SetStatus(storage::StatementCache& db, const std::string& task_handle,
                 std::string_view status, std::string_view failure_reason, int64_t now) {
  storage::Statement update = db.Prepare(kSetStatus);
  update.BindText(status).BindTextOrNull(failure_reason).BindInt(now).BindText(task_handle);
  return update.Run();
}

// SQS's task handles are base64 of a small JSON document; ours too.
std::string NewTaskHandle(const std::string& source_arn) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("taskId");
  writer.String(NewUuid());
  writer.Key("sourceArn");
  writer.String(source_arn);
  writer.EndObject();
  return Base64Encode(std::string_view(buffer.GetString(), buffer.GetSize()));
}

Status ArnFormatError(std::string_view member) {
  return Status(Code::kInvalidParameterValue,
                fmt::format("You must use this format to specify the {}: "
                            "arn:<partition>:<service>:<region>:<account-id>:<resource-id>",
                            member));
}

Status NoSuchResource(std::string_view member) {
  return Status(Code::kResourceNotFound,
                fmt::format("The resource that you specified for the {} parameter doesn't exist.",
                            member));
}

}  // namespace

Result<StartMessageMoveTaskResult> Engine::Impl::StartMessageMoveTask(
    const StartMessageMoveTaskRequest& request) {
  if (!QueueArns::LooksLikeArn(request.source_arn)) return ArnFormatError("SourceArn");
  if (request.max_number_of_messages_per_second) {
    SLUICE_RETURN_IF_ERROR(CheckRange("MaxNumberOfMessagesPerSecond",
                                      *request.max_number_of_messages_per_second, 1, 500));
  }
  Result<const QueueRow*> source_row = QueueByArn(request.source_arn);
  if (!source_row.ok()) return source_row.status();
  const QueueRow* source = *source_row;
  if (source == nullptr) return NoSuchResource("SourceArn");
  Result<bool> is_dead_letter_queue = catalog_.IsDeadLetterTarget(source->name);
  if (!is_dead_letter_queue.ok()) return is_dead_letter_queue.status();
  if (!*is_dead_letter_queue) {
    return Status(Code::kInvalidParameterValue,
                  "Source queue must be configured as a Dead Letter Queue.");
  }
  if (!request.destination_arn.empty()) {
    if (!QueueArns::LooksLikeArn(request.destination_arn)) return ArnFormatError("DestinationArn");
    if (request.destination_arn == request.source_arn) {
      return Status(Code::kInvalidParameterValue,
                    "Source queue arn and destination queue arn cannot be the same.");
    }
    Result<const QueueRow*> destination = QueueByArn(request.destination_arn);
    if (!destination.ok()) return destination.status();
    if (*destination == nullptr) return NoSuchResource("DestinationArn");
    if ((*destination)->settings.fifo != source->settings.fifo) {
      return Status(Code::kInvalidParameterValue,
                    "The source queue and the destination queue must be of the same type.");
    }
  }

  storage::Statement active = db_.Prepare(kActiveForSource);
  active.BindInt(source->id);
  bool busy = active.Step();
  if (!active.ok()) return active.status();
  if (busy) {
    return Status(Code::kInvalidParameterValue,
                  "There is already a task running. Only one active task is allowed for a source "
                  "queue arn at a given time.");
  }

  storage::Statement count =
      db_.Prepare(source->settings.fifo ? kCountAndHighWaterFifo : kCountAndHighWater);
  count.BindInt(source->id);
  int64_t to_move = 0;
  int64_t high_water_id = 0;
  if (count.Step()) {
    to_move = count.Int(0);
    high_water_id = count.IsNull(1) ? 0 : count.Int(1);
  }
  if (!count.ok()) return count.status();

  StartMessageMoveTaskResult result;
  result.task_handle = NewTaskHandle(request.source_arn);
  storage::Statement insert = db_.Prepare(kInsertTask);
  insert.BindText(result.task_handle).BindInt(source->id).BindText(request.source_arn);
  insert.BindTextOrNull(request.destination_arn);
  if (request.max_number_of_messages_per_second) {
    insert.BindInt(*request.max_number_of_messages_per_second);
  } else {
    insert.BindNull();
  }
  insert.BindInt(to_move).BindInt(high_water_id).BindInt(clock_.NowMillis());
  SLUICE_RETURN_IF_ERROR(insert.Run());
  return result;
}

Result<CancelMessageMoveTaskResult> Engine::Impl::CancelMessageMoveTask(
    const CancelMessageMoveTaskRequest& request) {
  Result<TaskRow> task = LoadTask(db_, request.task_handle);
  if (!task.ok()) return task.status();
  if (task->status != "RUNNING") {
    return Status(Code::kInvalidParameterValue,
                  fmt::format("Only a task with status RUNNING can be cancelled; this one is {}.",
                              task->status));
  }
  storage::Statement update = db_.Prepare(kSetStatus);
  update.BindText("CANCELLING").BindNull().BindNull().BindText(task->task_handle);
  SLUICE_RETURN_IF_ERROR(update.Run());
  return CancelMessageMoveTaskResult{task->moved};
}

Result<ListMessageMoveTasksResult> Engine::Impl::ListMessageMoveTasks(
    const ListMessageMoveTasksRequest& request) {
  if (!QueueArns::LooksLikeArn(request.source_arn)) return ArnFormatError("SourceArn");
  const int max_results = request.max_results.value_or(1);
  SLUICE_RETURN_IF_ERROR(CheckRange("MaxResults", max_results, 1, 10));
  Result<const QueueRow*> source_row = QueueByArn(request.source_arn);
  if (!source_row.ok()) return source_row.status();
  const QueueRow* source = *source_row;
  if (source == nullptr) return NoSuchResource("SourceArn");

  storage::Statement select = db_.Prepare(kListTasks);
  select.BindInt(source->id).BindInt(max_results);
  ListMessageMoveTasksResult result;
  while (select.Step()) {
    TaskRow row = ReadTask(select);
    MessageMoveTask& task = result.results.emplace_back();
    if (row.status == "RUNNING") task.task_handle = row.task_handle;
    task.status = row.status;
    task.source_arn = row.source_arn;
    task.destination_arn = row.destination_arn;
    task.max_number_of_messages_per_second = row.max_per_second;
    task.approximate_number_of_messages_moved = row.moved;
    task.approximate_number_of_messages_to_move = row.to_move;
    if (row.status == "FAILED") task.failure_reason = row.failure_reason;
    task.started_timestamp = row.started_at;
  }
  if (!select.ok()) return select.status();
  return result;
}

Result<std::vector<std::string>> Engine::Impl::ActiveMoveTasks() {
  storage::Statement select = db_.Prepare(kActiveTasks);
  std::vector<std::string> handles;
  while (select.Step()) handles.emplace_back(select.Text(0));
  if (!select.ok()) return select.status();
  return handles;
}

Result<std::optional<int>> Engine::Impl::MoveTaskRate(const std::string& task_handle) {
  Result<TaskRow> task = LoadTask(db_, task_handle);
  if (!task.ok()) return task.status();
  return task->max_per_second;
}

Result<MoveTaskStep> Engine::Impl::RunMoveTaskStep(const std::string& task_handle,
                                                   int max_messages) {
  if (max_messages < 1) {
    return Status(Code::kInvalidParameterValue, "A move task step must move at least 1 message.");
  }
  Result<TaskRow> loaded = LoadTask(db_, task_handle);
  if (!loaded.ok()) return loaded.status();
  const TaskRow& task = *loaded;
  const int64_t now = clock_.NowMillis();
  MoveTaskStep step;
  if (task.status == "CANCELLING") {
    SLUICE_RETURN_IF_ERROR(SetStatus(db_, task_handle, "CANCELLED", "", now));
    step.finished = true;
    return step;
  }
  if (task.status != "RUNNING") {
    step.finished = true;
    return step;
  }
  auto fail = [&](std::string_view reason) -> Result<MoveTaskStep> {
    SLUICE_RETURN_IF_ERROR(SetStatus(db_, task_handle, "FAILED", reason, now));
    step.finished = true;
    return step;
  };

  Result<const QueueRow*> source = catalog_.FindById(task.source_queue_id);
  if (!source.ok()) return source.status();
  if (*source == nullptr) return fail(kNonExistentQueue);
  const bool fifo = (*source)->settings.fifo;
  const int64_t source_queue_id = (*source)->id;
  int64_t destination_id = 0;
  std::string destination_name;
  bool destination_fifo = false;
  if (!task.destination_arn.empty()) {
    Result<const QueueRow*> destination = QueueByArn(task.destination_arn);
    if (!destination.ok()) return destination.status();
    if (*destination == nullptr) return fail(kNonExistentQueue);
    destination_id = (*destination)->id;
    destination_name = (*destination)->name;
    destination_fifo = (*destination)->settings.fifo;
  }

  struct ToMove {
    int64_t row_id;
    int64_t origin_id;  // the queue it was dead-lettered from, 0 if none
    std::string group;  // FIFO only
  };
  std::vector<ToMove> messages;
  {
    storage::Statement select = db_.Prepare(fifo ? kSelectToMoveFifo : kSelectToMove);
    select.BindInt(task.source_queue_id).BindInt(task.high_water_id).BindInt(max_messages);
    while (select.Step()) {
      messages.push_back({select.Int(0), select.IsNull(1) ? 0 : select.Int(1),
                          fifo ? std::string(select.Text(2)) : std::string()});
    }
    if (!select.ok()) return select.status();
  }

  std::string failure;
  std::set<std::string> source_groups;
  for (const ToMove& message : messages) {
    int64_t target_id = destination_id;
    std::string target_name = destination_name;
    bool target_fifo = destination_fifo;
    if (target_id == 0) {
      Result<const QueueRow*> origin = message.origin_id == 0
                                           ? Result<const QueueRow*>(nullptr)
                                           : catalog_.FindById(message.origin_id);
      if (!origin.ok()) return origin.status();
      if (*origin == nullptr) {
        failure = kUnknownSource;
        break;
      }
      target_id = (*origin)->id;
      target_name = (*origin)->name;
      target_fifo = (*origin)->settings.fifo;
    }
    if (fifo != target_fifo) {  // a queue re-created as the other type since
      failure = kUnknownSource;
      break;
    }
    if (fifo) {
      Result<int64_t> sequence = NextSequenceNumber(target_id);
      if (!sequence.ok()) return sequence.status();
      storage::Statement move = db_.Prepare(kMoveFifoMessage);
      move.BindInt(target_id).BindText(NewUuid()).BindInt(now).BindInt(*sequence);
      move.BindInt(message.row_id);
      SLUICE_RETURN_IF_ERROR(move.Run());
      SLUICE_RETURN_IF_ERROR(AddToGroup(target_id, message.group, now));
      source_groups.insert(message.group);
    } else {
      storage::Statement move = db_.Prepare(kMoveMessage);
      move.BindInt(target_id).BindInt(now).BindInt(message.row_id);
      SLUICE_RETURN_IF_ERROR(move.Run());
    }
    ++step.moved;
    if (std::find(step.woken_queues.begin(), step.woken_queues.end(), target_name) ==
        step.woken_queues.end()) {
      step.woken_queues.push_back(target_name);
    }
  }
  for (const std::string& group : source_groups) {
    SLUICE_RETURN_IF_ERROR(RefreshGroup(source_queue_id, group, now));
  }
  if (step.moved > 0) {
    storage::Statement add = db_.Prepare(kAddMoved);
    add.BindInt(step.moved).BindText(task_handle);
    SLUICE_RETURN_IF_ERROR(add.Run());
  }
  if (!failure.empty()) {
    SLUICE_RETURN_IF_ERROR(SetStatus(db_, task_handle, "FAILED", failure, now));
    step.finished = true;
  } else if (static_cast<int>(messages.size()) < max_messages) {
    SLUICE_RETURN_IF_ERROR(SetStatus(db_, task_handle, "COMPLETED", "", now));
    step.finished = true;
  }
  return step;
}

}  // namespace sluice::queue
