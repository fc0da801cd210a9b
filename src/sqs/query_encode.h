// The Query protocol's response bodies: one EncodeXmlResult overload per
// engine result type, writing the result as botocore's Query-era SQS model
// describes it (botocore 1.29, data/sqs/2012-11-05/service-2.json):
//
//   <?xml version="1.0"?>
//   <SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
//     <SendMessageResult><MessageId>...</MessageId>...</SendMessageResult>
//     <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
//   </SendMessageResponse>
//
// (without whitespace between elements). Lists and maps are flattened under
// their locationName: <QueueUrl> repeated in ListQueuesResult,
// <Attribute><Name/><Value/></Attribute>, <Tag><Key/><Value/></Tag>,
// <Message>, <MessageAttribute><Name/><Value><DataType/>...</Value>,
// <SendMessageBatchResultEntry>, <BatchResultErrorEntry>. Operations without
// output (DeleteQueue, ...) have no Result element. What is omitted mirrors
// the JSON encoder (json_encode.h): empty optional members and empty lists.
//
// Threads: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "sluice/queue/types.h"
#include "sluice/sqs/actions.h"

namespace sluice::sqs {

inline constexpr std::string_view kSqsXmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";

// `action` names the response's elements ("SendMessage" -> SendMessageResponse,
// SendMessageResult); context.request_id fills <RequestId>.
std::string EncodeXmlResult(std::string_view action, const queue::EmptyResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action, const queue::CreateQueueResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action, const queue::GetQueueUrlResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action, const queue::ListQueuesResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action,
                            const queue::GetQueueAttributesResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action, const queue::ListQueueTagsResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action,
                            const queue::ListDeadLetterSourceQueuesResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action, const queue::SendMessageResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action, const queue::SendMessageBatchResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action, const queue::ReceiveMessageResult& result,
                            const EncodeContext& context);
// DeleteMessageBatch and ChangeMessageVisibilityBatch: the entries are
// <{action}ResultEntry>.
std::string EncodeXmlResult(std::string_view action, const queue::BatchResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action,
                            const queue::StartMessageMoveTaskResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action,
                            const queue::CancelMessageMoveTaskResult& result,
                            const EncodeContext& context);
std::string EncodeXmlResult(std::string_view action,
                            const queue::ListMessageMoveTasksResult& result,
                            const EncodeContext& context);

}  // namespace sluice::sqs
