#include "operator/kube/yaml_lite.h"

#include <gtest/gtest.h>

namespace runnel::kube {
namespace {

Json parse_ok(const std::string& text) {
  YamlParse p = parse_yaml_lite(text);
  EXPECT_TRUE(p.ok()) << p.error;
  return p.doc;
}

TEST(YamlLite, MappingsAndScalars) {
  Json d = parse_ok(
      "---\n"
      "# a comment\n"
      "apiVersion: v1\n"
      "count: 42\n"
      "neg: -7\n"
      "flag: true\n"
      "off: false\n"
      "nothing: null\n"
      "tilde: ~\n"
      "empty:\n"
      "url: https://127.0.0.1:6443 # trailing comment\n"
      "hash: a#b\n"
      "single: 'it''s # not a comment'\n"
      "double: \"tab\\there \\\"q\\\"\"\n"
      "version: \"1.0\"\n"
      "nested:\n"
      "  inner:\n"
      "    deep: x\n"
      "  other: y\n");
  EXPECT_EQ(d["apiVersion"], "v1");
  EXPECT_EQ(d["count"], 42);
  EXPECT_EQ(d["neg"], -7);
  EXPECT_EQ(d["flag"], true);
  EXPECT_EQ(d["off"], false);
  EXPECT_TRUE(d["nothing"].is_null());
  EXPECT_TRUE(d["tilde"].is_null());
  EXPECT_TRUE(d["empty"].is_null());
  EXPECT_EQ(d["url"], "https://127.0.0.1:6443");
  EXPECT_EQ(d["hash"], "a#b");
  EXPECT_EQ(d["single"], "it's # not a comment");
  EXPECT_EQ(d["double"], "tab\there \"q\"");
  EXPECT_EQ(d["version"], "1.0");
  EXPECT_EQ(d["nested"]["inner"]["deep"], "x");
  EXPECT_EQ(d["nested"]["other"], "y");
}

TEST(YamlLite, SequencesInBothIndentStyles) {
  Json d = parse_ok(
      "kubectl:\n"
      "- name: a\n"
      "  value: 1\n"
      "- name: b\n"
      "indented:\n"
      "  - name: c\n"
      "    sub:\n"
      "      k: v\n"
      "  - plain\n"
      "  -\n"
      "    name: d\n"
      "flow: [x, 'y', 3]\n"
      "emptymap: {}\n"
      "emptylist: []\n"
      "args:\n"
      "- --flag\n"
      "- value with spaces\n"
      "nestedseq:\n"
      "- - a\n"
      "  - b\n");
  ASSERT_EQ(d["kubectl"].size(), 2u);
  EXPECT_EQ(d["kubectl"][0]["name"], "a");
  EXPECT_EQ(d["kubectl"][0]["value"], 1);
  EXPECT_EQ(d["kubectl"][1]["name"], "b");
  ASSERT_EQ(d["indented"].size(), 3u);
  EXPECT_EQ(d["indented"][0]["sub"]["k"], "v");
  EXPECT_EQ(d["indented"][1], "plain");
  EXPECT_EQ(d["indented"][2]["name"], "d");
  EXPECT_EQ(d["flow"], Json({"x", "y", 3}));
  EXPECT_TRUE(d["emptymap"].is_object() && d["emptymap"].empty());
  EXPECT_TRUE(d["emptylist"].is_array() && d["emptylist"].empty());
  EXPECT_EQ(d["args"], Json({"--flag", "value with spaces"}));
  EXPECT_EQ(d["nestedseq"][0], Json({"a", "b"}));
}

TEST(YamlLite, JsonInput) {
  Json d = parse_ok(R"({"a": [1, {"b": "c"}]})");
  EXPECT_EQ(d["a"][1]["b"], "c");
  EXPECT_FALSE(parse_yaml_lite("{\"a\": ").ok());
}

TEST(YamlLite, RejectsWhatItDoesNotUnderstand) {
  EXPECT_FALSE(parse_yaml_lite("a: |\n  text\n").ok());
  EXPECT_FALSE(parse_yaml_lite("a: &x 1\nb: *x\n").ok());
  EXPECT_FALSE(parse_yaml_lite("a: 1\n---\nb: 2\n").ok());
  EXPECT_FALSE(parse_yaml_lite("a: 1\na: 2\n").ok());
  EXPECT_FALSE(parse_yaml_lite("a:\n\tb: 1\n").ok());
  EXPECT_FALSE(parse_yaml_lite("a: 1\n    b: 2\n").ok());
  EXPECT_FALSE(parse_yaml_lite("a: \"open\n").ok());
  YamlParse p = parse_yaml_lite("a: 1\nb: {c: [d]}\n");
  EXPECT_NE(p.error.find("line 2"), std::string::npos) << p.error;
}

}  // namespace
}  // namespace runnel::kube
