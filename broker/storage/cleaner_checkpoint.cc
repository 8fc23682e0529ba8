#include "broker/storage/cleaner_checkpoint.h"

#include <charconv>
#include <vector>

#include "broker/storage/file_util.h"

namespace runnel::storage {
namespace {

bool next_line(std::string_view& text, std::string_view& line) {
  if (text.empty()) return false;
  const size_t nl = text.find('\n');
  line = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  return true;
}

bool parse_i64(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string encode_cleaner_checkpoint(std::string_view dir_name, int64_t offset) {
  // "<topic>-<partition>" -> "<topic> <partition>" (topic names may contain '-').
  std::string entry(dir_name);
  if (size_t dash = entry.rfind('-'); dash != std::string::npos) entry[dash] = ' ';
  return "0\n1\n" + entry + " " + std::to_string(offset) + "\n";
}

std::optional<int64_t> decode_cleaner_checkpoint(std::string_view text) {
  std::string_view line;
  int64_t v = 0;
  if (!next_line(text, line) || line != "0") return std::nullopt;
  if (!next_line(text, line) || !parse_i64(line, v) || v != 1) return std::nullopt;
  if (!next_line(text, line)) return std::nullopt;
  const size_t sp = line.rfind(' ');
  if (sp == std::string_view::npos || !parse_i64(line.substr(sp + 1), v) || v < 0) return std::nullopt;
  return v;
}

std::optional<int64_t> read_cleaner_checkpoint_blocking(Files& files, int dir_fd) {
  std::vector<uint8_t> bytes;
  if (!read_whole_file_at(files, dir_fd, kCleanerCheckpointName, bytes)) return std::nullopt;
  return decode_cleaner_checkpoint({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

}  // namespace runnel::storage
