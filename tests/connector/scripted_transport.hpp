#pragma once
// A Moodle that answers from a script instead of over HTTP: each request
// gets the next scripted answer for its wsfunction, the last one again
// when they run out, and a Moodle exception for a function without any.
// Shared by the connector tests and fuzz_moodle. Thread-safe.

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "connector/moodle/http_transport.hpp"

namespace certd::connector::testing {

inline constexpr const char* k_no_scripted_answer =
    R"({"exception":"moodle_exception","errorcode":"invalidrecord","message":"no answer scripted"})";

struct ScriptedAnswer {
  int status = 200;  // 0: no HTTP answer at all (a refused connection)
  std::string body;
};
using Script = std::map<std::string, std::vector<ScriptedAnswer>>;

class ScriptedTransport final : public moodle::HttpTransport {
 public:
  explicit ScriptedTransport(Script script) : m_script(std::move(script)) {}

  Result<moodle::HttpReply> post_form(const std::string&, const std::string& form) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_sent;
    std::string function = function_of(form);
    ++m_calls[function];
    auto found = m_script.find(function);
    if (found == m_script.end() || found->second.empty())
      return moodle::HttpReply{200, "application/json", k_no_scripted_answer, {}};
    std::size_t& next = m_next[function];
    const ScriptedAnswer& answer = found->second[std::min(next, found->second.size() - 1)];
    ++next;
    if (answer.status == 0) return Error(ErrorCode::unavailable, "scripted: connection refused");
    return moodle::HttpReply{answer.status, "application/json", answer.body, {}};
  }

  long long requests_sent() const override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_sent;
  }

  // Requests made for `function` so far.
  long long calls(const std::string& function) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto found = m_calls.find(function);
    return found == m_calls.end() ? 0 : found->second;
  }

 private:
  // The wsfunction of a form-encoded request (function names are [a-z_]).
  static std::string function_of(const std::string& form) {
    std::size_t at = form.find("wsfunction=");
    if (at == std::string::npos) return {};
    at += 11;
    return form.substr(at, form.find('&', at) - at);
  }

  mutable std::mutex m_mutex;
  const Script m_script;
  std::map<std::string, std::size_t> m_next;   // Guarded by m_mutex.
  std::map<std::string, long long> m_calls;    // Guarded by m_mutex.
  long long m_sent = 0;                        // Guarded by m_mutex.
};

}  // namespace certd::connector::testing
