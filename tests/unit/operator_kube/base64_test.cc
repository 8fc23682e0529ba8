#include "operator/kube/base64.h"

#include <gtest/gtest.h>

namespace runnel::kube {
namespace {

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("h"), "aA==");
  EXPECT_EQ(base64_encode("hi"), "aGk=");
  EXPECT_EQ(base64_encode("hi!"), "aGkh");
  EXPECT_EQ(base64_encode(std::string("\0\xff\xfe", 3)), "AP/+");
}

TEST(Base64, DecodesPaddedAndUnpadded) {
  EXPECT_EQ(base64_decode("aGVsbG8gd29ybGQ="), "hello world");
  EXPECT_EQ(base64_decode("aGVsbG8gd29ybGQ"), "hello world");
  EXPECT_EQ(base64_decode("aA=="), "h");
  EXPECT_EQ(base64_decode("aA"), "h");
  EXPECT_EQ(base64_decode("aGkh"), "hi!");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Base64, SkipsWhitespaceAndAcceptsUrlAlphabet) {
  EXPECT_EQ(base64_decode("aGk\n"), "hi");
  EXPECT_EQ(base64_decode(" aGVs\r\nbG8g\td29y bGQ=\n"), "hello world");
  EXPECT_EQ(base64_decode("AP_-"), std::string("\0\xff\xfe", 3));
  EXPECT_EQ(base64_decode("AP/+"), std::string("\0\xff\xfe", 3));
}

TEST(Base64, RejectsInvalidInput) {
  EXPECT_EQ(base64_decode("a$b"), std::nullopt);   // foreign character
  EXPECT_EQ(base64_decode("aGk=aGk="), std::nullopt);  // data after padding
  EXPECT_EQ(base64_decode("aGk=="), std::nullopt);  // too much padding for the length
  EXPECT_EQ(base64_decode("aA="), std::nullopt);    // too little padding given
  EXPECT_EQ(base64_decode("aGVsb"), std::nullopt);  // a lone 6-bit group
  EXPECT_EQ(base64_decode("===="), std::nullopt);
}

TEST(Base64, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    std::string in = all.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(in)), in) << n;
  }
}

}  // namespace
}  // namespace runnel::kube
