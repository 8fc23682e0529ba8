#pragma once

// Topic regexes of KIP-848 subscriptions. Kafka compiles them with RE2/J; Runnel uses std::regex
// (ECMAScript), which accepts the same everyday syntax. The one RE2 construct clients rely on
// that ECMAScript lacks is literal quoting, \Q...\E (Java's Pattern.quote, used to subscribe to
// a topic whose name has regex characters): it is rewritten to escaped characters first.

#include <optional>
#include <regex>
#include <string>

namespace runnel::group {

// The ECMAScript form of an RE2 pattern: \Q...\E sections become backslash-escaped literals
// (an unterminated \Q quotes to the end, as in RE2).
std::string ecmascript_from_re2(const std::string& pattern);

// nullopt if the pattern does not compile.
std::optional<std::regex> compile_topic_regex(const std::string& pattern);

}  // namespace runnel::group
