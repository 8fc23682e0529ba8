#include "broker/config/properties.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace runnel::config {
namespace {

Properties parse(std::string_view text) {
  Result<Properties> r = parse_properties(text);
  EXPECT_TRUE(r.has_value()) << r.error();
  return r.has_value() ? r.value() : Properties();
}

TEST(Properties, SeparatorsEqualsColonAndWhitespace) {
  Properties p = parse("a=1\nb:2\nc 3\nd\t4\ne = 5\nf : 6\ng   =   7\n");
  EXPECT_EQ(p.get("a"), "1");
  EXPECT_EQ(p.get("b"), "2");
  EXPECT_EQ(p.get("c"), "3");
  EXPECT_EQ(p.get("d"), "4");
  EXPECT_EQ(p.get("e"), "5");
  EXPECT_EQ(p.get("f"), "6");
  EXPECT_EQ(p.get("g"), "7");
}

TEST(Properties, OnlyFirstSeparatorCountsAndWhitespaceThenEquals) {
  // "key = =v": blanks, one '=', then the value starts at the second '='.
  Properties p = parse("k = =v\nurl=http://x:9092/a=b\nw  :x\n");
  EXPECT_EQ(p.get("k"), "=v");
  EXPECT_EQ(p.get("url"), "http://x:9092/a=b");
  EXPECT_EQ(p.get("w"), "x");
}

TEST(Properties, CommentsAndBlankLines) {
  Properties p = parse("# comment\n! also comment\n   # indented comment\n\n   \n\t\nkey=value # not a comment\n");
  ASSERT_EQ(p.entries().size(), 1u);
  EXPECT_EQ(p.get("key"), "value # not a comment");
}

TEST(Properties, KeyWithoutValueIsEmpty) {
  Properties p = parse("lonely\nother=\n");
  EXPECT_EQ(p.get("lonely"), "");
  EXPECT_EQ(p.get("other"), "");
}

TEST(Properties, LeadingWhitespaceSkippedTrailingKept) {
  Properties p = parse("   key=value   \n");
  EXPECT_EQ(p.get("key"), "value   ");
}

TEST(Properties, LineContinuation) {
  Properties p = parse("listeners=PLAINTEXT://:9092,\\\n          CONTROLLER://:9093\nnext=1\n");
  EXPECT_EQ(p.get("listeners"), "PLAINTEXT://:9092,CONTROLLER://:9093");
  EXPECT_EQ(p.get("next"), "1");
  EXPECT_EQ(p.find("next")->line, 3u);
}

TEST(Properties, ContinuationLineStartingWithHashIsData) {
  Properties p = parse("a=1\\\n# still a\nb=2\n");
  EXPECT_EQ(p.get("a"), "1# still a");
  EXPECT_EQ(p.get("b"), "2");
}

TEST(Properties, CommentLinesDoNotContinue) {
  Properties p = parse("# comment \\\nkey=v\n");
  EXPECT_EQ(p.get("key"), "v");
}

TEST(Properties, EvenBackslashesDoNotContinue) {
  Properties p = parse("path=C:\\\\dir\\\\\nnext=1\n");
  EXPECT_EQ(p.get("path"), "C:\\dir\\");
  EXPECT_EQ(p.get("next"), "1");
}

TEST(Properties, BlankContinuationLineEndsEntry) {
  Properties p = parse("a=1\\\n   \nb=2\n");
  EXPECT_EQ(p.get("a"), "1");
  EXPECT_EQ(p.get("b"), "2");
}

TEST(Properties, ContinuationAtEndOfInputIsDropped) {
  Properties p = parse("a=xyz\\");
  EXPECT_EQ(p.get("a"), "xyz");
}

TEST(Properties, Escapes) {
  Properties p = parse("tab=a\\tb\nnl=a\\nb\ncr=\\r\nff=\\f\nother=\\q\\=\\:\\ \\\\\nuni=\\u0041\\u00e9\\u20AC\n");
  EXPECT_EQ(p.get("tab"), "a\tb");
  EXPECT_EQ(p.get("nl"), "a\nb");
  EXPECT_EQ(p.get("cr"), "\r");
  EXPECT_EQ(p.get("ff"), "\f");
  EXPECT_EQ(p.get("other"), "q=: \\");
  EXPECT_EQ(p.get("uni"), "A\xC3\xA9\xE2\x82\xAC");
}

TEST(Properties, SurrogatePairBecomesOneCodePoint) {
  Properties p = parse("smile=\\uD83D\\uDE00\n");
  EXPECT_EQ(p.get("smile"), "\xF0\x9F\x98\x80");
}

TEST(Properties, EscapedSeparatorsInKey) {
  Properties p = parse("a\\=b=c\nx\\ y z\nk\\:v:w\n");
  EXPECT_EQ(p.get("a=b"), "c");
  EXPECT_EQ(p.get("x y"), "z");
  EXPECT_EQ(p.get("k:v"), "w");
}

TEST(Properties, MalformedUnicodeEscapeFails) {
  Result<Properties> r = parse_properties("ok=1\nbad=\\u12G4\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("Malformed \\uxxxx encoding"), std::string::npos);
  EXPECT_NE(r.error().find("line 2"), std::string::npos);
  EXPECT_FALSE(parse_properties("short=\\u12").has_value());
}

TEST(Properties, LineEndingsCrLfAndCr) {
  Properties p = parse("a=1\r\nb=2\rc=3\r\n\r\nd=4");
  EXPECT_EQ(p.get("a"), "1");
  EXPECT_EQ(p.get("b"), "2");
  EXPECT_EQ(p.get("c"), "3");
  EXPECT_EQ(p.get("d"), "4");
  EXPECT_EQ(p.find("d")->line, 5u);
}

TEST(Properties, CrLfContinuation) {
  Properties p = parse("a=1,\\\r\n  2\r\n");
  EXPECT_EQ(p.get("a"), "1,2");
}

TEST(Properties, DuplicatesKeptInOrderLastWins) {
  Properties p = parse("k=1\nk=2\n");
  ASSERT_EQ(p.entries().size(), 2u);
  EXPECT_EQ(p.entries()[0].line, 1u);
  EXPECT_EQ(p.entries()[1].line, 2u);
  EXPECT_EQ(p.get("k"), "2");
}

TEST(Properties, LineNumbersPointAtStartOfLogicalLine) {
  Properties p = parse("# header\n\nfirst=a\\\n  b\nsecond=c\n");
  EXPECT_EQ(p.find("first")->line, 3u);
  EXPECT_EQ(p.find("second")->line, 5u);
}

TEST(Properties, LoadFileAndMissingFile) {
  std::string path = ::testing::TempDir() + "/runnel_props_test.properties";
  {
    std::ofstream out(path);
    out << "num.partitions=3\n";
  }
  Result<Properties> r = load_properties_file(path);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r.value().get("num.partitions"), "3");
  std::remove(path.c_str());
  Result<Properties> missing = load_properties_file(path);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find(path), std::string::npos);
}

}  // namespace
}  // namespace runnel::config
