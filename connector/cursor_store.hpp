#pragma once
// Where the poller keeps its cursor between cycles and restarts. The app
// implements it over store::Store (get_state/set_state); tests use the
// in-memory one. Keys are short ASCII names ("moodle.poll", ...).

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace certd::connector {

class CursorStore {
 public:
  virtual ~CursorStore() = default;
  virtual Result<std::optional<std::string>> get(const std::string& key) = 0;
  virtual Status set(const std::string& key, const std::string& value) = 0;
};

// Thread-safe; lives as long as the object.
class MemoryCursorStore final : public CursorStore {
 public:
  Result<std::optional<std::string>> get(const std::string& key) override;
  Status set(const std::string& key, const std::string& value) override;
  std::size_t size() const;

 private:
  mutable std::mutex m_mutex;
  std::map<std::string, std::string> m_values;  // Guarded by m_mutex.
};

}  // namespace certd::connector
