// Shape checks shared by the queue engine's operations: names, ids, message
// text, integer ranges. Each returns a Status whose code and message are the
// ones SQS uses for that mistake.
//
// Threads: any (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::queue {

// 1..80 characters of [A-Za-z0-9_-]: queue names, batch entry ids, labels.
bool IsValidIdentifier(std::string_view text);

// kInvalidParameterValue unless `name` is a valid name for the queue type:
// 1..80 characters of [A-Za-z0-9_-], and for a FIFO queue (`fifo`) the same
// ending in ".fifo" (which counts towards the 80). A ".fifo" name is refused
// for a standard queue, as SQS does.
Status ValidateQueueName(std::string_view name, bool fifo);

// 1..128 characters, each alphanumeric or ASCII punctuation
// (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~): MessageGroupId,
// MessageDeduplicationId and ReceiveRequestAttemptId.
bool IsValidFifoToken(std::string_view text);

// True when `text` is well-formed UTF-8 made only of the characters SQS
// accepts in a message: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF.
bool IsValidMessageText(std::string_view text);

// The batch-level checks every *Batch call makes, in SQS's order:
// kEmptyBatchRequest, kTooManyEntriesInBatchRequest, kInvalidBatchEntryId,
// kBatchEntryIdsNotDistinct. `entry_type` names the request entry type in
// the message ("SendMessageBatchRequestEntry").
Status ValidateBatchIds(const std::vector<std::string>& ids, std::string_view entry_type);

// `value` parsed as a decimal integer ("-12", "030"), or nullopt.
std::optional<int64_t> ParseInteger(std::string_view value);

// kInvalidParameterValue "Value <v> for parameter <name> is invalid. Reason: <reason>"
Status InvalidParameter(std::string_view name, std::string_view value, std::string_view reason);

// The integer range checks of request members (MaxNumberOfMessages, ...):
// OK, or the InvalidParameter error with "Must be between <min> and <max>".
Status CheckRange(std::string_view name, int64_t value, int64_t min, int64_t max);

}  // namespace sluice::queue
