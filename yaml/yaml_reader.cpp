#include "yaml/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace certd::yaml {
namespace {

SourceLocation location_of(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return SourceLocation{file, 0, 0};
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

// Where yaml-cpp gave no mark, the parser stopped at the end of the text:
// name its last line rather than no line at all.
SourceLocation end_of(const std::string& file, std::string_view text) {
  int line = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  if (!text.empty() && text.back() == '\n') --line;
  return SourceLocation{file, std::max(line, 1), 1};
}

SourceLocation located(const std::string& file, const YAML::Mark& mark, std::string_view text) {
  SourceLocation where = location_of(file, mark);
  return where.line > 0 ? where : end_of(file, text);
}

// A located refusal raised from inside the event pre-pass.
struct Refusal {
  YAML::Mark mark;
  std::string message;
};

// Walks the parser's events before any node is built, so hostile input is
// refused while it is still a stream: aliases (exponential or cyclic node
// graphs), depth, node count, duplicate and non-scalar keys.
class GuardHandler final : public YAML::EventHandler {
 public:
  explicit GuardHandler(const Limits& limits) : m_limits(limits) {}

  // Where the (last) document began, to locate a refused second one.
  const YAML::Mark& start() const { return m_start; }

  void OnDocumentStart(const YAML::Mark& mark) override { m_start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, "~"); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    throw Refusal{mark, "YAML aliases (*name) are not allowed here"};
  }
  void OnAnchor(const YAML::Mark& mark, const std::string&) override {
    throw Refusal{mark, "YAML anchors (&name) are not allowed here"};
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(mark, anchor, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, /*is_map=*/false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, /*is_map=*/true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    bool is_map = false;
    bool expecting_key = true;
    std::set<std::string> keys;
  };

  void count(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) throw Refusal{mark, "YAML anchors (&name) are not allowed here"};
    if (++m_nodes > m_limits.max_nodes)
      throw Refusal{mark, "too many YAML nodes (limit " + std::to_string(m_limits.max_nodes) + ")"};
  }

  // Called for every node; tracks whether it is a key or a value of a map.
  void place(const YAML::Mark& mark, const std::string* key_text) {
    if (m_stack.empty()) return;
    Frame& frame = m_stack.back();
    if (!frame.is_map) return;
    if (frame.expecting_key) {
      if (!key_text) throw Refusal{mark, "map keys must be plain text"};
      if (!frame.keys.insert(*key_text).second)
        throw Refusal{mark, "duplicate key '" + *key_text + "'"};
    }
    frame.expecting_key = !frame.expecting_key;
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string& value) {
    count(mark, anchor);
    place(mark, &value);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    count(mark, anchor);
    place(mark, nullptr);
    if (static_cast<int>(m_stack.size()) >= m_limits.max_depth)
      throw Refusal{mark, "nesting deeper than " + std::to_string(m_limits.max_depth) + " levels"};
    m_stack.push_back(Frame{is_map, true, {}});
  }

  void close() {
    if (!m_stack.empty()) m_stack.pop_back();
  }

  const Limits& m_limits;
  YAML::Mark m_start = YAML::Mark::null_mark();
  std::vector<Frame> m_stack;
  std::size_t m_nodes = 0;
};

}  // namespace

// A node lookup that missed is a yaml-cpp "zombie" whose Mark() throws;
// it has no place in the file, so it is located nowhere.
SourceLocation Diagnostics::at(const YAML::Node& node) const {
  try {
    return location_of(m_file, node.Mark());
  } catch (const YAML::Exception&) {
    return SourceLocation{m_file, 0, 0};
  }
}

void Diagnostics::error(const YAML::Node& node, std::string message) {
  m_errors.emplace_back(ErrorCode::invalid_argument, std::move(message), at(node));
}

void Diagnostics::error(SourceLocation where, std::string message) {
  m_errors.emplace_back(ErrorCode::invalid_argument, std::move(message), std::move(where));
}

std::optional<YAML::Node> parse(std::string_view text, Diagnostics& diagnostics, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    diagnostics.error(SourceLocation{diagnostics.file(), 0, 0},
                      "file is " + std::to_string(text.size()) + " bytes; the limit is " +
                          std::to_string(limits.max_bytes));
    return std::nullopt;
  }
  const std::string& file = diagnostics.file();
  std::string copy(text);
  // The module boundary: nothing yaml-cpp throws gets past here unlocated.
  try {
    std::istringstream stream(copy);
    YAML::Parser parser(stream);
    GuardHandler guard(limits);
    parser.HandleNextDocument(guard);
    GuardHandler second(limits);
    if (parser.HandleNextDocument(second)) {
      SourceLocation where = location_of(file, second.start());
      if (where.line == 0) where = end_of(file, text);
      diagnostics.error(where, "only one YAML document is allowed; a second one starts here");
      return std::nullopt;
    }
    return YAML::Load(copy);
  } catch (const Refusal& refusal) {
    diagnostics.error(located(file, refusal.mark, text), refusal.message);
  } catch (const YAML::DeepRecursion& e) {
    diagnostics.error(located(file, e.mark, text), "nesting too deep");
  } catch (const YAML::Exception& e) {
    diagnostics.error(located(file, e.mark, text), "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    // std::bad_alloc and the like, from inside yaml-cpp.
    diagnostics.error(end_of(file, text), std::string("cannot read this YAML: ") + e.what());
  }
  return std::nullopt;
}

YAML::NodeType::value type_of(const YAML::Node& node) {
  if (!node.IsDefined()) return YAML::NodeType::Undefined;  // also a zombie; Type() would throw
  return node.Type();
}

std::optional<Entry> find(const YAML::Node& map, std::string_view key) {
  if (type_of(map) != YAML::NodeType::Map) return std::nullopt;
  for (const auto& entry : map)
    if (type_of(entry.first) == YAML::NodeType::Scalar && entry.first.Scalar() == key)
      return Entry{entry.first, entry.second};
  return std::nullopt;
}

std::string describe(const YAML::Node& node) {
  switch (type_of(node)) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    default: return "nothing";
  }
}

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

MapReader::MapReader(const YAML::Node& map, std::string path, Diagnostics& diagnostics)
    : m_map(map), m_path(std::move(path)), m_diagnostics(diagnostics) {
  if (type_of(m_map) != YAML::NodeType::Map) {
    m_valid = false;
    m_diagnostics.error(m_map, (m_path.empty() ? std::string("the file") : m_path) +
                                   " must be a map of keys, not " + describe(m_map));
  }
}

bool MapReader::has(std::string_view key) const { return find(m_map, key).has_value(); }

// Never operator[]: on a miss it returns a zombie that throws when asked
// its type or mark, and on a scalar it throws outright.
YAML::Node MapReader::get(std::string_view key) {
  if (std::find(m_known.begin(), m_known.end(), key) == m_known.end()) m_known.emplace_back(key);
  if (auto entry = find(m_map, key)) return entry->value;
  return YAML::Node(YAML::NodeType::Undefined);
}

std::optional<YAML::Node> MapReader::key_node(std::string_view key) const {
  if (auto entry = find(m_map, key)) return entry->key;
  return std::nullopt;
}

void MapReader::error_at(std::string_view key, std::string message) {
  YAML::Node value = get(key);
  const YAML::Node& where = value.IsDefined() ? value : m_map;
  m_diagnostics.error(where, join_path(m_path, key) + ": " + message);
}

void MapReader::missing(std::string_view key) {
  m_diagnostics.error(m_map, join_path(m_path, key) + ": required key is missing");
}

YAML::Node MapReader::scalar(std::string_view key, bool required, const char* expected) {
  YAML::Node value = get(key);
  const auto type = type_of(value);
  if (type == YAML::NodeType::Undefined || type == YAML::NodeType::Null) {
    if (required && m_valid) missing(key);
    return YAML::Node(YAML::NodeType::Undefined);
  }
  if (type != YAML::NodeType::Scalar) {
    m_diagnostics.error(value, join_path(m_path, key) + ": expected " + expected + ", found " + describe(value));
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return value;
}

std::optional<std::string> MapReader::string(std::string_view key, bool required) {
  YAML::Node value = scalar(key, required, "text");
  if (!value.IsDefined()) return std::nullopt;
  return value.Scalar();
}

std::optional<long long> MapReader::integer(std::string_view key, long long min, long long max, bool required) {
  YAML::Node value = scalar(key, required, "a whole number");
  if (!value.IsDefined()) return std::nullopt;
  long long number = 0;
  if (!YAML::convert<long long>::decode(value, number)) {
    m_diagnostics.error(value, join_path(m_path, key) + ": expected a whole number, found " + describe(value));
    return std::nullopt;
  }
  if (number < min || number > max) {
    m_diagnostics.error(value, join_path(m_path, key) + ": " + std::to_string(number) + " is outside " +
                                   std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<double> MapReader::number(std::string_view key, double min, double max, bool required) {
  YAML::Node value = scalar(key, required, "a number");
  if (!value.IsDefined()) return std::nullopt;
  double number = 0;
  if (!YAML::convert<double>::decode(value, number) || number != number) {
    m_diagnostics.error(value, join_path(m_path, key) + ": expected a number, found " + describe(value));
    return std::nullopt;
  }
  if (number < min || number > max) {
    std::ostringstream range;
    range << min << ".." << max;
    m_diagnostics.error(value, join_path(m_path, key) + ": " + value.Scalar() + " is outside " + range.str());
    return std::nullopt;
  }
  return number;
}

std::optional<bool> MapReader::boolean(std::string_view key, bool required) {
  YAML::Node value = scalar(key, required, "true or false");
  if (!value.IsDefined()) return std::nullopt;
  const std::string& text = value.Scalar();
  if (text == "true") return true;
  if (text == "false") return false;
  m_diagnostics.error(value, join_path(m_path, key) + ": expected true or false, found " + describe(value));
  return std::nullopt;
}

std::optional<Duration> MapReader::duration(std::string_view key, bool required) {
  YAML::Node value = scalar(key, required, "a duration");
  if (!value.IsDefined()) return std::nullopt;
  auto parsed = parse_duration(value.Scalar());
  if (!parsed)
    m_diagnostics.error(value, join_path(m_path, key) + ": bad duration " + describe(value) +
                                   " (use a number and a unit: 30s, 5m, 2h, 7d, 6mo, 2y)");
  return parsed;
}

std::optional<std::uint64_t> MapReader::size(std::string_view key, bool required) {
  YAML::Node value = scalar(key, required, "a size");
  if (!value.IsDefined()) return std::nullopt;
  auto parsed = parse_size(value.Scalar());
  if (!parsed)
    m_diagnostics.error(value, join_path(m_path, key) + ": bad size " + describe(value) +
                                   " (use bytes or a unit: 512KiB, 1MiB)");
  return parsed;
}

std::optional<std::vector<std::string>> MapReader::string_list(std::string_view key, bool required) {
  YAML::Node value = get(key);
  const auto type = type_of(value);
  if (type == YAML::NodeType::Undefined || type == YAML::NodeType::Null) {
    if (required && m_valid) missing(key);
    return std::nullopt;
  }
  if (type != YAML::NodeType::Sequence) {
    m_diagnostics.error(value, join_path(m_path, key) + ": expected a list, found " + describe(value));
    return std::nullopt;
  }
  std::vector<std::string> items;
  bool good = true;
  for (const YAML::Node& item : value) {
    if (type_of(item) != YAML::NodeType::Scalar) {
      m_diagnostics.error(item, join_path(m_path, key) + ": list items must be text, found " + describe(item));
      good = false;
      continue;
    }
    items.push_back(item.Scalar());
  }
  if (!good) return std::nullopt;
  return items;
}

std::optional<std::string> MapReader::choice(std::string_view key, const std::vector<std::string_view>& choices,
                                             bool required) {
  YAML::Node value = scalar(key, required, "text");
  if (!value.IsDefined()) return std::nullopt;
  const std::string& text = value.Scalar();
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  m_diagnostics.error(value, join_path(m_path, key) + ": unknown value '" + text + "' (expected one of: " + list + ")");
  return std::nullopt;
}

void MapReader::finish() {
  if (!m_valid) return;
  for (const auto& entry : m_map) {
    const std::string key = entry.first.Scalar();
    if (std::find(m_known.begin(), m_known.end(), key) != m_known.end()) continue;
    std::string known;
    for (const auto& k : m_known) known += (known.empty() ? "" : ", ") + k;
    m_diagnostics.error(entry.first, "unknown key '" + join_path(m_path, key) + "'" +
                                         (known.empty() ? std::string() : " (known keys: " + known + ")"));
  }
}

}  // namespace certd::yaml
