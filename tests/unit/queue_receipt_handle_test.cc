#include "queue/receipt_handle.h"

#include <gtest/gtest.h>

namespace sluice::queue {
namespace {

TEST(QueueReceiptHandle, RoundTripsAndLooksDifferentEachTime) {
  ReceiptHandle handle{42, 0x1234567890abcdefLL, 7};
  std::string first = EncodeReceiptHandle(handle);
  std::string second = EncodeReceiptHandle(handle);
  EXPECT_NE(first, second);  // random nonce: handles are opaque
  for (const std::string& text : {first, second}) {
    auto decoded = DecodeReceiptHandle(text);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->message_row_id, 42);
    EXPECT_EQ(decoded->receipt_token, 0x1234567890abcdefLL);
    EXPECT_EQ(decoded->queue_id, 7);
  }
}

TEST(QueueReceiptHandle, RejectsGarbageAndTampering) {
  std::string text = EncodeReceiptHandle({1, 2, 3});
  EXPECT_FALSE(DecodeReceiptHandle("").has_value());
  EXPECT_FALSE(DecodeReceiptHandle("not a handle").has_value());
  EXPECT_FALSE(DecodeReceiptHandle(text.substr(0, text.size() - 1)).has_value());
  EXPECT_FALSE(DecodeReceiptHandle(text + "A").has_value());
  for (size_t i = 0; i < text.size(); ++i) {
    std::string tampered = text;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecodeReceiptHandle(tampered).has_value()) << "position " << i;
  }
}

}  // namespace
}  // namespace sluice::queue
