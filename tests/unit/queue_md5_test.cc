// MD5OfMessageBody / MD5OfMessageAttributes / MD5OfMessageSystemAttributes
// against digests computed independently with Python's hashlib:
//
//   import hashlib, struct
//   def enc(attrs):  # name -> (data type, value)
//       out = b''
//       for name in sorted(attrs):
//           t, v = attrs[name]
//           out += struct.pack('!I', len(name)) + name.encode()
//           out += struct.pack('!I', len(t)) + t.encode()
//           if t.startswith('Binary'):
//               out += b'\x02' + struct.pack('!I', len(v)) + v
//           else:
//               out += b'\x01' + struct.pack('!I', len(v.encode())) + v.encode()
//       return hashlib.md5(out).hexdigest()
//   a = {'color': ('String', 'blue'), 'count': ('Number', '42'),
//        'blob': ('Binary', b'\x00\x01\xff'), 'custom': ('String.label', 'x')}
//   enc(a)                                          # kAllAttributesMd5
//   enc({k: a[k] for k in ['color', 'count']})      # kColorCountMd5
//   enc({'AWSTraceHeader': ('String', kTrace)})     # kTraceMd5
//   hashlib.md5('hello world'.encode()).hexdigest() # kHelloWorldMd5
//   hashlib.md5('héllo ☃ 😀'.encode()).hexdigest()  # kUnicodeMd5
#include "queue/message_attributes.h"
#include "queue_test_env.h"
#include "sluice/md5.h"

namespace sluice::queue::testing {
namespace {

constexpr char kHelloWorldMd5[] = "5eb63bbbe01eeed093cb22bb8f5acdc3";
constexpr char kUnicodeMd5[] = "44314d05b09b74dafda26d5273d91a17";
constexpr char kAllAttributesMd5[] = "9975409f7ec9644ce1d0e559df467d26";
constexpr char kColorCountMd5[] = "65f74adb90dbab1f84051009d55d6dda";
constexpr char kTrace[] = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
constexpr char kTraceMd5[] = "5f48eef650c1d0207456969c85af2fdd";

MessageAttributeMap SampleAttributes() {
  MessageAttributeMap attributes;
  attributes["color"] = {"String", "blue", ""};
  attributes["count"] = {"Number", "42", ""};
  attributes["blob"] = {"Binary", "", std::string("\x00\x01\xff", 3)};
  attributes["custom"] = {"String.label", "x", ""};
  return attributes;
}

TEST(QueueMd5, BodyDigests) {
  EXPECT_EQ(Md5Hex("hello world"), kHelloWorldMd5);
  EXPECT_EQ(Md5Hex("h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x98\x80"), kUnicodeMd5);
}

TEST(QueueMd5, AttributeDigestUsesNameOrderAndTransportTypes) {
  EXPECT_EQ(MessageAttributesMd5(SampleAttributes()), kAllAttributesMd5);
  EXPECT_EQ(MessageAttributesMd5({}), "");
}

TEST(QueueMd5, EncodingRoundTrips) {
  MessageAttributeMap attributes = SampleAttributes();
  auto decoded = DecodeMessageAttributes(EncodeMessageAttributes(attributes));
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), attributes.size());
  EXPECT_EQ((*decoded)["blob"].binary_value, std::string("\x00\x01\xff", 3));
  EXPECT_EQ((*decoded)["custom"].data_type, "String.label");
  EXPECT_EQ((*decoded)["count"].string_value, "42");
  EXPECT_FALSE(DecodeMessageAttributes(std::string("\x00\x00\x00\x09" "ab", 6)).ok());
}

class QueueMd5EngineTest : public QueueEngineTest {};

TEST_F(QueueMd5EngineTest, SendReportsDigestsAndReceiveMatches) {
  CreateQueue("q");
  SendMessageRequest request;
  request.queue_name = "q";
  request.entry.body = "hello world";
  request.entry.message_attributes = SampleAttributes();
  request.entry.message_system_attributes["AWSTraceHeader"] = {"String", kTrace, ""};
  auto sent = Tx([&](Engine& e) { return e.SendMessage(request); });
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->md5_of_message_body, kHelloWorldMd5);
  EXPECT_EQ(sent->md5_of_message_attributes, kAllAttributesMd5);
  EXPECT_EQ(sent->md5_of_message_system_attributes, kTraceMd5);

  auto received = ReceiveOk("q");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].md5_of_body, kHelloWorldMd5);
  EXPECT_EQ(received[0].md5_of_message_attributes, kAllAttributesMd5);
  EXPECT_EQ(received[0].message_attributes.size(), 4u);
  EXPECT_EQ(received[0].attributes.at("AWSTraceHeader"), kTrace);
}

TEST_F(QueueMd5EngineTest, ReceiveDigestCoversOnlyTheReturnedAttributes) {
  CreateQueue("q");
  ASSERT_TRUE(Send("q", "hello world", std::nullopt, SampleAttributes()).ok());
  auto received = Receive("q", 1, std::nullopt, {}, {"color", "co.*", "count"});
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->messages.size(), 1u);
  const ReceivedMessage& message = received->messages[0];
  EXPECT_EQ(message.message_attributes.size(), 2u);
  EXPECT_EQ(message.md5_of_message_attributes, kColorCountMd5);
  EXPECT_TRUE(message.attributes.empty());  // no system attributes asked for
}

TEST_F(QueueMd5EngineTest, NoAttributesRequestedMeansNoDigest) {
  CreateQueue("q");
  ASSERT_TRUE(Send("q", "hello world", std::nullopt, SampleAttributes()).ok());
  auto received = Receive("q", 1, std::nullopt, {}, {});
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->messages.size(), 1u);
  EXPECT_TRUE(received->messages[0].message_attributes.empty());
  EXPECT_EQ(received->messages[0].md5_of_message_attributes, "");
}

TEST_F(QueueMd5EngineTest, PrefixFilterSelectsByDottedPrefix) {
  CreateQueue("q");
  MessageAttributeMap attributes;
  attributes["order.id"] = {"String", "1", ""};
  attributes["order.total"] = {"Number", "9.5", ""};
  attributes["orderly"] = {"String", "no", ""};
  ASSERT_TRUE(Send("q", "x", std::nullopt, attributes).ok());
  auto received = Receive("q", 1, std::nullopt, {}, {"order.*"});
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->messages.size(), 1u);
  const auto& returned = received->messages[0].message_attributes;
  EXPECT_EQ(returned.size(), 2u);
  EXPECT_EQ(returned.count("orderly"), 0u);
}

}  // namespace
}  // namespace sluice::queue::testing
