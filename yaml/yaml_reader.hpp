#pragma once
// Safe YAML loading shared by config, rule and template files: operator
// input that must never crash or hang the daemon, and whose every mistake
// is reported with file:line:column (yaml-cpp marks are 0-based; ours 1-).

#include <yaml-cpp/node/node.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.hpp"
#include "core/result.hpp"

namespace certd::yaml {

struct Limits {
  std::size_t max_bytes = 1 << 20;   // a school's config or rule file is a few KiB
  int max_depth = 32;
  std::size_t max_nodes = 100000;
};

// Collects every error of one file, so a person sees all of them at once.
// Not thread-safe.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : m_file(std::move(file)) {}

  const std::string& file() const { return m_file; }
  SourceLocation at(const YAML::Node& node) const;
  void error(const YAML::Node& node, std::string message);
  void error(SourceLocation where, std::string message);
  bool empty() const { return m_errors.empty(); }
  const std::vector<Error>& errors() const { return m_errors; }
  std::vector<Error> take() { return std::move(m_errors); }

 private:
  std::string m_file;
  std::vector<Error> m_errors;
};

// Parses one YAML document. Refuses (with the location): files over
// max_bytes, anchors and aliases (no "billion laughs", no cycles), nesting
// deeper than max_depth, more than max_nodes nodes, duplicate keys, and
// syntax errors. On failure returns nullopt and records the errors.
std::optional<YAML::Node> parse(std::string_view text, Diagnostics& diagnostics,
                                const Limits& limits = Limits());

// One key of a map and its value, both with their marks.
struct Entry {
  YAML::Node key;
  YAML::Node value;
};

// The entry of `key` in `map`; nullopt if absent or if `map` is not a map.
// Safe on any node, including the zombie a missed operator[] returns.
std::optional<Entry> find(const YAML::Node& map, std::string_view key);
// Node::Type() without the throw: Undefined for missing and zombie nodes.
YAML::NodeType::value type_of(const YAML::Node& node);

// Reads the keys of one YAML map against the keys a caller knows, with
// typed getters that record a located error instead of throwing. Call
// finish() once: it reports every key nobody asked for.
class MapReader {
 public:
  // `path` names the map in messages ("lms", "rules[2].when").
  MapReader(const YAML::Node& map, std::string path, Diagnostics& diagnostics);

  bool valid() const { return m_valid; }
  const YAML::Node& node() const { return m_map; }
  const std::string& path() const { return m_path; }
  bool has(std::string_view key) const;
  // The value node of `key`, marking it as known; an undefined node (safe
  // to ask its type and mark) if absent.
  YAML::Node get(std::string_view key);
  // The key node itself (where the key is written), if present.
  std::optional<YAML::Node> key_node(std::string_view key) const;

  std::optional<std::string> string(std::string_view key, bool required = false);
  std::optional<long long> integer(std::string_view key, long long min, long long max, bool required = false);
  std::optional<double> number(std::string_view key, double min, double max, bool required = false);
  std::optional<bool> boolean(std::string_view key, bool required = false);
  std::optional<Duration> duration(std::string_view key, bool required = false);
  std::optional<std::uint64_t> size(std::string_view key, bool required = false);
  std::optional<std::vector<std::string>> string_list(std::string_view key, bool required = false);
  // Accepts one of `choices`; the message lists them.
  std::optional<std::string> choice(std::string_view key, const std::vector<std::string_view>& choices,
                                    bool required = false);

  void error_at(std::string_view key, std::string message);
  void missing(std::string_view key);
  void finish();

 private:
  YAML::Node scalar(std::string_view key, bool required, const char* expected);

  YAML::Node m_map;
  std::string m_path;
  Diagnostics& m_diagnostics;
  std::vector<std::string> m_known;
  bool m_valid = true;
};

// Location helpers for callers that walk nodes themselves.
std::string describe(const YAML::Node& node);  // "a map", "a list", "text 'x'"
std::string join_path(const std::string& path, std::string_view key);

}  // namespace certd::yaml
