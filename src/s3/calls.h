// The operations' Calls, one factory each; service.cc's table maps every
// Operation to one. Definitions: bucket_calls.cc, list_calls.cc,
// object_read_calls.cc, object_write_calls.cc, copy_calls.cc,
// delete_calls.cc, multipart_calls.cc.
// Threads: loop thread only.
#pragma once

#include "s3/call.h"

namespace sluice::s3 {

Call* NewListBucketsCall(CallArgs args);
Call* NewCreateBucketCall(CallArgs args);
Call* NewHeadBucketCall(CallArgs args);
Call* NewDeleteBucketCall(CallArgs args);
Call* NewGetBucketLocationCall(CallArgs args);
Call* NewGetBucketVersioningCall(CallArgs args);
Call* NewGetBucketAclCall(CallArgs args);
// bucket_settings_calls.cc
Call* NewGetBucketEncryptionCall(CallArgs args);
Call* NewPutBucketEncryptionCall(CallArgs args);
Call* NewDeleteBucketEncryptionCall(CallArgs args);
Call* NewGetBucketPolicyCall(CallArgs args);
Call* NewPutBucketPolicyCall(CallArgs args);
Call* NewDeleteBucketPolicyCall(CallArgs args);
Call* NewGetBucketTaggingCall(CallArgs args);
Call* NewPutBucketTaggingCall(CallArgs args);
Call* NewDeleteBucketTaggingCall(CallArgs args);
Call* NewGetPublicAccessBlockCall(CallArgs args);
Call* NewPutPublicAccessBlockCall(CallArgs args);
Call* NewDeletePublicAccessBlockCall(CallArgs args);
Call* NewListObjectsCall(CallArgs args);  // V1 and V2
Call* NewGetObjectCall(CallArgs args);    // GetObject and HeadObject
Call* NewGetObjectTaggingCall(CallArgs args);
Call* NewGetObjectAclCall(CallArgs args);
Call* NewPutObjectCall(CallArgs args);    // PutObject and UploadPart
Call* NewCopyObjectCall(CallArgs args);   // CopyObject and UploadPartCopy
Call* NewDeleteObjectCall(CallArgs args);
Call* NewDeleteObjectsCall(CallArgs args);
Call* NewCreateMultipartUploadCall(CallArgs args);
Call* NewCompleteMultipartUploadCall(CallArgs args);
Call* NewAbortMultipartUploadCall(CallArgs args);
Call* NewListPartsCall(CallArgs args);
Call* NewListMultipartUploadsCall(CallArgs args);

}  // namespace sluice::s3
