#include "operator/kube/yaml_lite.h"

#include <stdexcept>
#include <vector>

namespace runnel::kube {
namespace {

struct Line {
  int number;  // 1-based, for error messages
  size_t indent;
  std::string text;  // without indentation, comment and trailing blanks
};

struct ParseError : std::runtime_error {
  ParseError(int line, const std::string& what)
      : std::runtime_error("line " + std::to_string(line) + ": " + what) {}
};

// Removes a comment: '#' at the start or after a blank, outside quotes.
std::string strip_comment(std::string_view s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (quote == '"' && c == '\\') ++i;  // an escaped character, maybe a quote
      else if (quote == '\'' && c == '\'' && i + 1 < s.size() && s[i + 1] == '\'') ++i;  // ''
      else if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      if (i == 0 || s[i - 1] == ' ' || s[i - 1] == ':' || s[i - 1] == '-' || s[i - 1] == '[' ||
          s[i - 1] == ',')
        quote = c;
    } else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
      return std::string(s.substr(0, i));
    }
  }
  return std::string(s);
}

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> out;
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    ++number;
    pos = end + 1;
    size_t indent = 0;
    while (indent < raw.size() && raw[indent] == ' ') ++indent;
    if (indent < raw.size() && raw[indent] == '\t') throw ParseError(number, "tab indentation");
    std::string body = rtrim(strip_comment(raw.substr(indent)));
    if (body.empty()) continue;
    if (body == "---" && out.empty()) continue;
    if (body == "---" || body == "...") throw ParseError(number, "multiple documents");
    out.push_back({number, indent, std::move(body)});
    if (end == text.size()) break;
  }
  return out;
}

std::string unquote_double(std::string_view s, int line) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) throw ParseError(line, "dangling escape");
    switch (s[i]) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      default: throw ParseError(line, std::string("unsupported escape \\") + s[i]);
    }
  }
  return out;
}

size_t key_colon(const std::string& t);

// Splits the inside of a one-level flow collection at commas outside quotes.
std::vector<std::string> flow_items(std::string_view s, int line) {
  std::vector<std::string> items;
  std::string_view inner = s.substr(1, s.size() - 2);
  size_t start = 0;
  char quote = 0;
  for (size_t i = 0; i <= inner.size(); ++i) {
    if (i < inner.size() && quote) {
      if (inner[i] == quote) quote = 0;
      continue;
    }
    if (i < inner.size() && (inner[i] == '"' || inner[i] == '\'')) quote = inner[i];
    if (i < inner.size() && (inner[i] == '[' || inner[i] == '{'))
      throw ParseError(line, "nested flow collections are not supported");
    if (i == inner.size() || inner[i] == ',') {
      std::string_view item = inner.substr(start, i - start);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) items.emplace_back(item);
      start = i + 1;
    }
  }
  return items;
}

Json scalar(std::string_view s, int line);

Json flow_sequence(std::string_view s, int line) {
  Json arr = Json::array();
  for (const std::string& item : flow_items(s, line)) arr.push_back(scalar(item, line));
  return arr;
}

Json flow_mapping(std::string_view s, int line) {
  Json obj = Json::object();
  for (const std::string& item : flow_items(s, line)) {
    size_t colon = key_colon(item);
    if (colon == std::string::npos) throw ParseError(line, "expected 'key: value' in {...}");
    Json key = scalar(item.substr(0, colon), line);
    std::string value = item.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    obj[key.is_string() ? key.get<std::string>() : key.dump()] = scalar(value, line);
  }
  return obj;
}

bool is_integer(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size() || s.size() > 18) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

Json scalar(std::string_view s, int line) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s.front() == '"') {
    if (s.size() < 2 || s.back() != '"') throw ParseError(line, "unterminated double quote");
    return unquote_double(s.substr(1, s.size() - 2), line);
  }
  if (s.front() == '\'') {
    if (s.size() < 2 || s.back() != '\'') throw ParseError(line, "unterminated single quote");
    std::string out;
    std::string_view in = s.substr(1, s.size() - 2);
    for (size_t i = 0; i < in.size(); ++i) {
      out += in[i];
      if (in[i] == '\'' && i + 1 < in.size() && in[i + 1] == '\'') ++i;
    }
    return out;
  }
  if (s.front() == '[' && s.back() == ']') return flow_sequence(s, line);
  if (s.front() == '{' && s.back() == '}') return flow_mapping(s, line);
  if (s.front() == '{' || s.front() == '[') throw ParseError(line, "unterminated flow collection");
  if (s.front() == '|' || s.front() == '>') throw ParseError(line, "block scalars are not supported");
  if (s.front() == '&' || s.front() == '*' || s.front() == '!')
    throw ParseError(line, "anchors, aliases and tags are not supported");
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (is_integer(s)) return std::stoll(std::string(s));
  return std::string(s);
}

bool is_seq_item(const std::string& t) { return t == "-" || t.rfind("- ", 0) == 0; }

// Position of the ':' that ends a mapping key, or npos.
size_t key_colon(const std::string& t) {
  char quote = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (i == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (c == ':' && (i + 1 == t.size() || t[i + 1] == ' ')) {
      return i;
    }
  }
  return std::string::npos;
}

class Parser {
 public:
  explicit Parser(std::vector<Line> lines) : lines_(std::move(lines)) {}

  Json document() {
    if (lines_.empty()) return nullptr;
    Json doc = block(lines_[0].indent);
    if (i_ < lines_.size()) throw ParseError(lines_[i_].number, "unexpected indentation");
    return doc;
  }

 private:
  Json block(size_t indent) {
    const Line& l = lines_[i_];
    if (is_seq_item(l.text)) return sequence(indent);
    if (key_colon(l.text) != std::string::npos) return mapping(indent);
    ++i_;  // a lone scalar document or sequence entry continuation
    return scalar(l.text, l.number);
  }

  Json mapping(size_t indent) {
    Json obj = Json::object();
    while (i_ < lines_.size() && lines_[i_].indent == indent && !is_seq_item(lines_[i_].text)) {
      const Line& l = lines_[i_];
      size_t colon = key_colon(l.text);
      if (colon == std::string::npos) throw ParseError(l.number, "expected 'key: value'");
      Json key = scalar(l.text.substr(0, colon), l.number);
      std::string k = key.is_string() ? key.get<std::string>() : key.dump();
      std::string rest = l.text.substr(colon + 1);
      while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
      int number = l.number;
      ++i_;
      if (obj.contains(k)) throw ParseError(number, "duplicate key '" + k + "'");
      if (!rest.empty()) {
        obj[k] = scalar(rest, number);
      } else if (i_ < lines_.size() && lines_[i_].indent > indent) {
        obj[k] = block(lines_[i_].indent);
      } else if (i_ < lines_.size() && lines_[i_].indent == indent &&
                 is_seq_item(lines_[i_].text)) {
        obj[k] = sequence(indent);  // kubectl style: "- " at the key's own column
      } else {
        obj[k] = nullptr;
      }
    }
    if (i_ < lines_.size() && lines_[i_].indent > indent)
      throw ParseError(lines_[i_].number, "unexpected indentation");
    return obj;
  }

  Json sequence(size_t indent) {
    Json arr = Json::array();
    while (i_ < lines_.size() && lines_[i_].indent == indent && is_seq_item(lines_[i_].text)) {
      Line& l = lines_[i_];
      size_t skip = 1;
      while (skip < l.text.size() && l.text[skip] == ' ') ++skip;
      std::string rest = l.text.substr(skip);
      if (rest.empty()) {
        ++i_;
        if (i_ < lines_.size() && lines_[i_].indent > indent)
          arr.push_back(block(lines_[i_].indent));
        else
          arr.push_back(nullptr);
      } else if (is_seq_item(rest) || key_colon(rest) != std::string::npos) {
        // "- key: v" opens a mapping (or nested sequence) whose column is that of "key".
        l.indent += skip;
        l.text = rest;
        arr.push_back(block(l.indent));
      } else {
        ++i_;
        arr.push_back(scalar(rest, l.number));
      }
    }
    return arr;
  }

  std::vector<Line> lines_;
  size_t i_ = 0;
};

}  // namespace

YamlParse parse_yaml_lite(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return {nullptr, "invalid JSON"};
    return {std::move(doc), {}};
  }
  try {
    return {Parser(split_lines(text)).document(), {}};
  } catch (const ParseError& e) {
    return {nullptr, e.what()};
  }
}

}  // namespace runnel::kube
