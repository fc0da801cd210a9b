// AwsChunkedDecoder: bodies botocore produced (s3_chunked_fixtures.h, from
// s3_chunked_fixtures_gen.py) in every slicing, then each framing, trailer
// and length error.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "s3/aws_chunked.h"
#include "s3_chunked_fixtures.h"

namespace sluice::s3 {
namespace {

const std::string kSignature(64, 'a');
const std::string kSignatureLine = ";chunk-signature=" + kSignature;

AwsChunkedDecoder::Options UnsignedTrailer() {
  AwsChunkedDecoder::Options options;
  options.format = {AwsChunkedSigning::kUnsigned, true};
  return options;
}

AwsChunkedDecoder::Options Signed(bool trailer = false) {
  AwsChunkedDecoder::Options options;
  options.format = {AwsChunkedSigning::kSigV4, trailer};
  return options;
}

struct Decoded {
  Status feed;    // the first failed Feed, or Ok
  Status finish;  // Finish() after all bytes were fed (or after the failure)
  std::string out;
  AwsChunkedFailure failure = AwsChunkedFailure::kNone;
  std::map<std::string, std::string> trailers;
  uint64_t decoded_bytes = 0;
};

// Feeds `body` in pieces of `piece` bytes (0: random sizes from `seed`).
Decoded Decode(AwsChunkedDecoder::Options options, std::string_view body, size_t piece = SIZE_MAX,
               unsigned seed = 1) {
  AwsChunkedDecoder decoder(std::move(options));
  Decoded result;
  std::mt19937 random(seed);
  size_t position = 0;
  while (position < body.size()) {
    size_t length = piece == 0 ? random() % 200 : piece;
    length = std::min(length, body.size() - position);
    result.feed = decoder.Feed(body.substr(position, length), &result.out);
    if (!result.feed.ok()) break;
    position += length;
  }
  result.finish = decoder.Finish();
  result.failure = decoder.failure();
  result.trailers = decoder.trailers();
  result.decoded_bytes = decoder.decoded_bytes();
  return result;
}

AwsChunkedDecoder::Options OptionsFor(const fixtures::ChunkedFixture& fixture) {
  std::optional<AwsChunkedFormat> format = AwsChunkedFormatFor(fixture.content_sha256);
  EXPECT_TRUE(format.has_value()) << fixture.content_sha256;
  AwsChunkedDecoder::Options options;
  options.format = format.value_or(AwsChunkedFormat{});
  options.decoded_content_length = fixture.decoded_content_length;
  if (!fixture.trailer_header.empty()) options.announced_trailers = ParseTrailerNames(fixture.trailer_header);
  return options;
}

TEST(S3AwsChunkedTest, DecodesBotocoreAndReferenceBodiesInAnySlicing) {
  for (const fixtures::ChunkedFixture& fixture : fixtures::kChunkedFixtures) {
    for (size_t piece : {SIZE_MAX, size_t{1}, size_t{2}, size_t{3}, size_t{0}}) {
      SCOPED_TRACE(std::string(fixture.name) + " in pieces of " + std::to_string(piece));
      Decoded decoded = Decode(OptionsFor(fixture), fixture.body, piece, 42);
      ASSERT_TRUE(decoded.feed.ok()) << decoded.feed.ToString();
      ASSERT_TRUE(decoded.finish.ok()) << decoded.finish.ToString();
      EXPECT_TRUE(decoded.out == fixture.payload) << decoded.out.size() << " vs " << fixture.payload.size();
      EXPECT_EQ(decoded.decoded_bytes, fixture.payload.size());
      if (fixture.trailer.name.empty()) {
        EXPECT_TRUE(decoded.trailers.empty());
      } else {
        ASSERT_EQ(decoded.trailers.size(), 1u);
        EXPECT_EQ(decoded.trailers.begin()->first, fixture.trailer.name);
        EXPECT_EQ(decoded.trailers.begin()->second, fixture.trailer.value);
      }
    }
  }
}

TEST(S3AwsChunkedTest, EveryProperPrefixIsIncomplete) {
  for (const fixtures::ChunkedFixture& fixture : fixtures::kChunkedFixtures) {
    if (fixture.body.size() > 3000) continue;  // the small ones cover every state
    for (size_t cut = 0; cut < fixture.body.size(); ++cut) {
      Decoded decoded = Decode(OptionsFor(fixture), fixture.body.substr(0, cut));
      ASSERT_TRUE(decoded.feed.ok()) << fixture.name << " cut at " << cut << ": " << decoded.feed.ToString();
      ASSERT_FALSE(decoded.finish.ok()) << fixture.name << " cut at " << cut;
      EXPECT_EQ(decoded.failure, AwsChunkedFailure::kIncompleteBody) << fixture.name << " cut at " << cut;
      EXPECT_EQ(decoded.finish.code(), Code::kInvalidParameterValue);
    }
  }
}

TEST(S3AwsChunkedTest, BytesAfterTheEndAreRefused) {
  const fixtures::ChunkedFixture& fixture = fixtures::kChunkedFixtures[0];
  Decoded decoded = Decode(OptionsFor(fixture), std::string(fixture.body) + "0");
  EXPECT_FALSE(decoded.feed.ok());
  EXPECT_EQ(decoded.failure, AwsChunkedFailure::kInvalidChunk);
  EXPECT_NE(decoded.feed.message().find("follow the end"), std::string::npos) << decoded.feed.message();
}

TEST(S3AwsChunkedTest, FormatsAndTrailerNames) {
  EXPECT_FALSE(AwsChunkedFormatFor("UNSIGNED-PAYLOAD").has_value());
  EXPECT_FALSE(AwsChunkedFormatFor("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").has_value());
  EXPECT_FALSE(AwsChunkedFormatFor("streaming-unsigned-payload-trailer").has_value());
  auto format = AwsChunkedFormatFor("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  ASSERT_TRUE(format);
  EXPECT_EQ(format->signing, AwsChunkedSigning::kSigV4);
  EXPECT_FALSE(format->trailer);
  format = AwsChunkedFormatFor("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  ASSERT_TRUE(format);
  EXPECT_EQ(format->signing, AwsChunkedSigning::kUnsigned);
  EXPECT_TRUE(format->trailer);
  format = AwsChunkedFormatFor("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER");
  ASSERT_TRUE(format);
  EXPECT_EQ(format->signing, AwsChunkedSigning::kSigV4a);
  EXPECT_TRUE(format->trailer);

  EXPECT_EQ(ParseTrailerNames("X-Amz-Checksum-CRC32"), std::vector<std::string>{"x-amz-checksum-crc32"});
  EXPECT_EQ(ParseTrailerNames(" a , B,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(ParseTrailerNames("").empty());

  EXPECT_EQ(AwsChunkedS3ErrorCode(AwsChunkedFailure::kIncompleteBody), "IncompleteBody");
  EXPECT_EQ(AwsChunkedS3ErrorCode(AwsChunkedFailure::kInvalidChunk), "InvalidRequest");
  EXPECT_EQ(AwsChunkedS3ErrorCode(AwsChunkedFailure::kMalformedTrailer), "MalformedTrailerError");
  EXPECT_EQ(AwsChunkedS3ErrorCode(AwsChunkedFailure::kNone), "");
}

TEST(S3AwsChunkedTest, AcceptedVariations) {
  // Upper-case hex and leading zeros.
  Decoded decoded = Decode(UnsignedTrailer(), "000A\r\n0123456789\r\n00\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
  ASSERT_TRUE(decoded.finish.ok()) << decoded.finish.ToString();
  EXPECT_EQ(decoded.out, "0123456789");
  // No trailers at all, and an empty body.
  decoded = Decode(UnsignedTrailer(), "0\r\n\r\n");
  ASSERT_TRUE(decoded.finish.ok()) << decoded.finish.ToString();
  EXPECT_EQ(decoded.out, "");
  decoded = Decode(Signed(), "0" + kSignatureLine + "\r\n\r\n");
  ASSERT_TRUE(decoded.finish.ok()) << decoded.finish.ToString();
  // Trailer names are lower-cased and values trimmed; several trailers; an
  // unsigned body's x-amz-trailer-signature is accepted and not listed.
  decoded = Decode(UnsignedTrailer(),
                   "3\r\nabc\r\n0\r\nX-Amz-Checksum-CRC32C:  sOO8/Q== \r\nx-foo:\tbar\r\n"
                   "x-amz-trailer-signature:" + kSignature + "\r\n\r\n");
  ASSERT_TRUE(decoded.finish.ok()) << decoded.finish.ToString();
  EXPECT_EQ(decoded.trailers, (std::map<std::string, std::string>{{"x-amz-checksum-crc32c", "sOO8/Q=="},
                                                                  {"x-foo", "bar"}}));
  // SigV4a: a DER signature of its own length.
  AwsChunkedDecoder::Options sigv4a;
  sigv4a.format = {AwsChunkedSigning::kSigV4a, false};
  decoded = Decode(sigv4a, "2;chunk-signature=" + std::string(142, 'f') + "\r\nhi\r\n0;chunk-signature=" +
                               std::string(140, '0') + "\r\n\r\n");
  ASSERT_TRUE(decoded.finish.ok()) << decoded.finish.ToString();
  EXPECT_EQ(decoded.out, "hi");
}

struct BadBody {
  std::string name;
  AwsChunkedDecoder::Options options;
  std::string body;
  AwsChunkedFailure failure;
  std::string message_part;
};

TEST(S3AwsChunkedTest, FramingErrors) {
  const std::string trailer = "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  std::vector<BadBody> cases = {
      {"non-hex size", UnsignedTrailer(), "zz\r\n", AwsChunkedFailure::kInvalidChunk, "not a hexadecimal size"},
      {"empty size line", UnsignedTrailer(), "\r\n", AwsChunkedFailure::kInvalidChunk, "not a hexadecimal size"},
      {"size with spaces", UnsignedTrailer(), "5 \r\nhello\r\n" + trailer, AwsChunkedFailure::kInvalidChunk,
       "not a hexadecimal size"},
      {"bare LF after size", UnsignedTrailer(), "5\nhello\r\n" + trailer, AwsChunkedFailure::kInvalidChunk,
       "bare LF"},
      {"control byte in size line", UnsignedTrailer(), std::string("5\0\r\nhello\r\n", 11) + trailer,
       AwsChunkedFailure::kInvalidChunk, "control characters"},
      {"chunk longer than its size", UnsignedTrailer(), "5\r\nhelloX\r\n" + trailer,
       AwsChunkedFailure::kInvalidChunk, "not followed by CRLF"},
      {"chunk shorter than its size", UnsignedTrailer(), "5\r\nhel\r\n" + trailer,
       AwsChunkedFailure::kInvalidChunk, "not followed by CRLF"},
      {"data ends with a bare LF", UnsignedTrailer(), "5\r\nhello\n" + trailer, AwsChunkedFailure::kInvalidChunk,
       "not followed by CRLF"},
      {"signature on an unsigned chunk", UnsignedTrailer(), "5" + kSignatureLine + "\r\nhello\r\n" + trailer,
       AwsChunkedFailure::kInvalidChunk, "unsigned payload's chunks carry no signature"},
      {"signed chunk without signature", Signed(), "5\r\nhello\r\n", AwsChunkedFailure::kInvalidChunk,
       "no chunk-signature"},
      {"short signature", Signed(), "5;chunk-signature=abc\r\nhello\r\n", AwsChunkedFailure::kInvalidChunk,
       "malformed chunk-signature"},
      {"non-hex signature", Signed(), "5;chunk-signature=" + std::string(64, 'g') + "\r\nhello\r\n",
       AwsChunkedFailure::kInvalidChunk, "malformed chunk-signature"},
      {"other extension", Signed(), "5;chunk-signatur=" + kSignature + "\r\nhello\r\n",
       AwsChunkedFailure::kInvalidChunk, "malformed chunk-signature"},
      {"size too large", UnsignedTrailer(), "1000000000000000\r\n", AwsChunkedFailure::kInvalidChunk,
       "too large"},
      {"size line over 4 KiB", UnsignedTrailer(), std::string(5000, '0'), AwsChunkedFailure::kInvalidChunk,
       "longer than 4096"},
      {"trailer after an unannounced-trailer final chunk", Signed(),
       "0" + kSignatureLine + "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", AwsChunkedFailure::kInvalidChunk,
       "announces no trailer"},
      {"garbage instead of the final CRLF", Signed(), "0" + kSignatureLine + "\r\nxx", AwsChunkedFailure::kNone,
       ""},  // incomplete, not wrong yet: checked below by Finish
  };
  for (BadBody& bad : cases) {
    Decoded decoded = Decode(bad.options, bad.body);
    if (bad.failure == AwsChunkedFailure::kNone) {
      EXPECT_TRUE(decoded.feed.ok()) << bad.name;
      EXPECT_EQ(decoded.failure, AwsChunkedFailure::kIncompleteBody) << bad.name;
      continue;
    }
    for (size_t piece : {SIZE_MAX, size_t{1}}) {
      Decoded sliced = Decode(bad.options, bad.body, piece);
      ASSERT_FALSE(sliced.feed.ok()) << bad.name << " in pieces of " << piece;
      EXPECT_EQ(sliced.failure, bad.failure) << bad.name;
      EXPECT_EQ(sliced.feed.code(), Code::kMalformedRequest) << bad.name;
      EXPECT_NE(sliced.feed.message().find(bad.message_part), std::string::npos)
          << bad.name << ": " << sliced.feed.message();
      EXPECT_EQ(sliced.finish.message(), sliced.feed.message()) << "the failure is sticky";
    }
  }
}

TEST(S3AwsChunkedTest, TrailerErrors) {
  auto announced = [](std::vector<std::string> names) {
    AwsChunkedDecoder::Options options = UnsignedTrailer();
    options.announced_trailers = std::move(names);
    return options;
  };
  const std::string head = "3\r\nabc\r\n0\r\n";
  std::string many;
  for (int i = 0; i < 17; ++i) many += "x-t" + std::to_string(i) + ":v\r\n";
  std::vector<BadBody> cases = {
      {"no colon", UnsignedTrailer(), head + "x-amz-checksum-crc32 AAAAAA==\r\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "not name:value"},
      {"empty name", UnsignedTrailer(), head + ":AAAAAA==\r\n\r\n", AwsChunkedFailure::kMalformedTrailer,
       "not name:value"},
      {"space in name", UnsignedTrailer(), head + "x-amz checksum:AAAAAA==\r\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "not name:value"},
      {"empty value", UnsignedTrailer(), head + "x-amz-checksum-crc32:  \r\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "has no value"},
      {"bare LF", UnsignedTrailer(), head + "x-amz-checksum-crc32:AAAAAA==\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "bare LF"},
      {"control byte", UnsignedTrailer(), head + "x-amz-checksum-crc32:AA\x01" "AAA==\r\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "control characters"},
      {"repeated", UnsignedTrailer(), head + "x-amz-checksum-crc32:AAAAAA==\r\nX-Amz-Checksum-Crc32:AAAAAA==\r\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "repeated"},
      {"too many", UnsignedTrailer(), head + many + "\r\n", AwsChunkedFailure::kMalformedTrailer, "more than 16"},
      {"line over 4 KiB", UnsignedTrailer(), head + "x-foo:" + std::string(5000, 'v') + "\r\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "longer than 4096"},
      {"not announced", announced({"x-amz-checksum-crc32"}),
       head + "x-amz-checksum-crc32:AAAAAA==\r\nx-amz-checksum-sha1:AAAA\r\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "x-amz-checksum-sha1 was not announced"},
      {"announced but missing", announced({"x-amz-checksum-crc32c"}), head + "\r\n",
       AwsChunkedFailure::kMalformedTrailer, "x-amz-checksum-crc32c was announced"},
      {"signed trailer without signature", Signed(true),
       "0" + kSignatureLine + "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", AwsChunkedFailure::kMalformedTrailer,
       "no x-amz-trailer-signature"},
      {"malformed trailer signature", Signed(true),
       "0" + kSignatureLine + "\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:abc\r\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "malformed or repeated"},
      {"trailer after the signature", Signed(true),
       "0" + kSignatureLine + "\r\nx-amz-trailer-signature:" + kSignature + "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n",
       AwsChunkedFailure::kMalformedTrailer, "must come last"},
  };
  for (BadBody& bad : cases) {
    for (size_t piece : {SIZE_MAX, size_t{1}}) {
      Decoded decoded = Decode(bad.options, bad.body, piece);
      ASSERT_FALSE(decoded.feed.ok()) << bad.name << " in pieces of " << piece;
      EXPECT_EQ(decoded.failure, bad.failure) << bad.name;
      EXPECT_EQ(decoded.feed.code(), Code::kMalformedRequest) << bad.name;
      EXPECT_NE(decoded.feed.message().find(bad.message_part), std::string::npos)
          << bad.name << ": " << decoded.feed.message();
    }
  }
  // The well-formed signed trailer, for contrast.
  Decoded decoded = Decode(Signed(true), "0" + kSignatureLine + "\r\nx-amz-checksum-crc32:AAAAAA==\r\n" +
                                             "x-amz-trailer-signature:" + kSignature + "\r\n\r\n");
  EXPECT_TRUE(decoded.finish.ok()) << decoded.finish.ToString();
}

TEST(S3AwsChunkedTest, DecodedContentLengthMustMatch) {
  const std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  AwsChunkedDecoder::Options options = UnsignedTrailer();
  options.decoded_content_length = 11;
  Decoded decoded = Decode(options, body, 1);
  ASSERT_TRUE(decoded.finish.ok()) << decoded.finish.ToString();
  EXPECT_EQ(decoded.out, "hello world");

  options.decoded_content_length = 12;  // the chunks carry fewer bytes
  decoded = Decode(options, body);
  ASSERT_FALSE(decoded.feed.ok());
  EXPECT_EQ(decoded.failure, AwsChunkedFailure::kIncompleteBody);
  EXPECT_EQ(decoded.feed.code(), Code::kInvalidParameterValue);
  EXPECT_NE(decoded.feed.message().find("carry 11 bytes but x-amz-decoded-content-length declares 12"),
            std::string::npos)
      << decoded.feed.message();

  options.decoded_content_length = 10;  // more: refused at the chunk that goes over, before its data
  AwsChunkedDecoder decoder(options);
  std::string out;
  EXPECT_TRUE(decoder.Feed("5\r\nhello\r\n", &out).ok());
  Status over = decoder.Feed("6\r\n", &out);
  EXPECT_FALSE(over.ok());
  EXPECT_EQ(decoder.failure(), AwsChunkedFailure::kIncompleteBody);
  EXPECT_EQ(out, "hello");
  // Sticky: well-formed bytes after a failure are refused with the same status.
  EXPECT_EQ(decoder.Feed(" world\r\n", &out).message(), over.message());
  EXPECT_EQ(decoder.Finish().message(), over.message());
}

TEST(S3AwsChunkedTest, ChunkDataPassesThroughAsItArrives) {
  // A 1 MiB chunk declared up front: its data reaches the output piece by
  // piece, before the chunk is complete.
  AwsChunkedDecoder decoder(UnsignedTrailer());
  std::string out;
  ASSERT_TRUE(decoder.Feed("100000\r\n", &out).ok());
  std::string piece(4096, 'x');
  for (int i = 0; i < 256; ++i) {
    ASSERT_TRUE(decoder.Feed(piece, &out).ok());
    EXPECT_EQ(out.size(), (i + 1) * piece.size());
  }
  EXPECT_FALSE(decoder.done());
  ASSERT_TRUE(decoder.Feed("\r\n0\r\n\r\n", &out).ok());
  EXPECT_TRUE(decoder.done());
  EXPECT_TRUE(decoder.Finish().ok());
  EXPECT_EQ(decoder.decoded_bytes(), 1u << 20);
}

TEST(S3AwsChunkedTest, IncompleteBodiesSayWhere) {
  struct Case {
    std::string body;
    std::string message_part;
  };
  for (const Case& c : std::vector<Case>{{"", "the body is empty"},
                                         {"5\r\nhel", "inside chunk 1's data, 2 bytes short"},
                                         {"5\r\nhello\r", "chunk 1's closing CRLF"},
                                         {"5\r\nhello\r\n", "before its final 0-size chunk"},
                                         {"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AA", "inside its trailer"}}) {
    Decoded decoded = Decode(UnsignedTrailer(), c.body);
    ASSERT_TRUE(decoded.feed.ok());
    ASSERT_FALSE(decoded.finish.ok()) << c.body;
    EXPECT_EQ(decoded.failure, AwsChunkedFailure::kIncompleteBody);
    EXPECT_NE(decoded.finish.message().find(c.message_part), std::string::npos) << decoded.finish.message();
  }
}

}  // namespace
}  // namespace sluice::s3
