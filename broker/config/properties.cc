#include "broker/config/properties.h"

#include <fstream>
#include <sstream>

namespace runnel::config {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

struct NaturalLine {
  std::string_view text;
  std::size_t number;  // 1-based
};

// Splits on \n, \r and \r\n, the terminators java.util.Properties recognises.
std::vector<NaturalLine> split_lines(std::string_view text) {
  std::vector<NaturalLine> lines;
  std::size_t start = 0;
  std::size_t number = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\n' && c != '\r') continue;
    lines.push_back({text.substr(start, i - start), number++});
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back({text.substr(start), number});
  return lines;
}

std::string_view strip_leading(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_blank(s[i])) ++i;
  return s.substr(i);
}

// A line continues when it ends in an odd number of backslashes: an even run is escaped
// backslashes, which stand for themselves.
bool continues(std::string_view segment) {
  std::size_t n = 0;
  while (n < segment.size() && segment[segment.size() - 1 - n] == '\\') ++n;
  return n % 2 == 1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool parse_hex4(std::string_view s, std::size_t at, uint32_t& out) {
  if (at + 4 > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    uint32_t d;
    if (c >= '0' && c <= '9') d = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<uint32_t>(c - 'A' + 10);
    else return false;
    out = out * 16 + d;
  }
  return true;
}

// Java's loadConvert: resolves escapes. Returns false on a malformed \uXXXX.
bool unescape(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == in.size()) break;  // a lone trailing backslash escapes nothing
    c = in[i];
    switch (c) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        uint32_t unit;
        if (!parse_hex4(in, i + 1, unit)) return false;
        i += 4;
        // Java strings are UTF-16: join an escaped surrogate pair into one code point.
        uint32_t low;
        if (unit >= 0xD800 && unit <= 0xDBFF && i + 2 < in.size() && in[i + 1] == '\\' &&
            in[i + 2] == 'u' && parse_hex4(in, i + 3, low) && low >= 0xDC00 && low <= 0xDFFF) {
          unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        append_utf8(out, unit);
        break;
      }
      default: out += c; break;
    }
  }
  return true;
}

// Java's load0: the key ends at the first unescaped '=', ':' or blank; blanks and at most one
// '=' or ':' after it are skipped; the rest of the line is the value.
bool split_entry(std::string_view line, std::string& key, std::string& value) {
  std::size_t key_len = 0;
  std::size_t value_start = line.size();
  bool has_separator = false;
  bool preceding_backslash = false;
  while (key_len < line.size()) {
    char c = line[key_len];
    if ((c == '=' || c == ':') && !preceding_backslash) {
      value_start = key_len + 1;
      has_separator = true;
      break;
    }
    if (is_blank(c) && !preceding_backslash) {
      value_start = key_len + 1;
      break;
    }
    preceding_backslash = (c == '\\') ? !preceding_backslash : false;
    ++key_len;
  }
  while (value_start < line.size()) {
    char c = line[value_start];
    if (!is_blank(c)) {
      if (!has_separator && (c == '=' || c == ':')) {
        has_separator = true;
      } else {
        break;
      }
    }
    ++value_start;
  }
  return unescape(line.substr(0, key_len), key) && unescape(line.substr(value_start), value);
}

}  // namespace

const Property* Properties::find(std::string_view key) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->key == key) return &*it;
  }
  return nullptr;
}

std::optional<std::string> Properties::get(std::string_view key) const {
  const Property* p = find(key);
  if (p == nullptr) return std::nullopt;
  return p->value;
}

Result<Properties> parse_properties(std::string_view text) {
  std::vector<NaturalLine> lines = split_lines(text);
  std::vector<Property> entries;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view first = strip_leading(lines[i].text);
    if (first.empty() || first.front() == '#' || first.front() == '!') continue;
    std::size_t start_line = lines[i].number;
    std::string logical;
    std::string_view segment = first;
    // Comment markers only count at the start of a logical line, so continuation lines that
    // begin with '#' are data, as in Java.
    while (continues(segment)) {
      logical.append(segment.substr(0, segment.size() - 1));
      if (i + 1 == lines.size()) {
        segment = {};  // a continuation at end of input is dropped
        break;
      }
      segment = strip_leading(lines[++i].text);
    }
    logical.append(segment);
    Property p;
    p.line = start_line;
    if (!split_entry(logical, p.key, p.value)) {
      return Unexpected("Malformed \\uxxxx encoding at line " +
                                         std::to_string(start_line));
    }
    entries.push_back(std::move(p));
  }
  return Properties(std::move(entries));
}

Result<Properties> load_properties_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected("Cannot read configuration file " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  Result<Properties> parsed = parse_properties(buf.str());
  if (!parsed.has_value()) return Unexpected(path + ": " + parsed.error());
  return parsed;
}

}  // namespace runnel::config
