#pragma once
// Result<T> and Status: values for expected failures (docs/style.md §3).
// Mirrors the part of std::expected we use, so a later move is mechanical.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace certd {

enum class ErrorCode {
  invalid_argument,   // bad input from a person or a file
  parse_error,        // text that does not parse
  not_found,
  unavailable,        // transient: timeouts, 5xx, SQLITE_BUSY; retry later
  permission_denied,
  conflict,           // would violate uniqueness or a state rule
  internal,           // a bug or an unexpected library failure
};

const char* to_string(ErrorCode code);

// Where in a file an error was found; line and column are 1-based, 0 = unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return !file.empty(); }
  std::string to_string() const;  // "file:line:column"
};

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message) : m_code(code), m_message(std::move(message)) {}
  Error(ErrorCode code, std::string message, SourceLocation where)
      : m_code(code), m_message(std::move(message)), m_where(std::move(where)) {}

  ErrorCode code() const { return m_code; }
  const std::string& message() const { return m_message; }
  const SourceLocation& where() const { return m_where; }
  // "file:line:column: message" when the location is known, else the message.
  std::string to_string() const;

 private:
  ErrorCode m_code;
  std::string m_message;
  SourceLocation m_where;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_state(std::move(value)) {}
  Result(Error error) : m_state(std::move(error)) {}

  bool has_value() const { return m_state.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(m_state); }
  const T& value() const& { assert(has_value()); return std::get<0>(m_state); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(m_state)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!has_value()); return std::get<1>(m_state); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)) {}

  bool has_value() const { return !m_error.has_value(); }
  explicit operator bool() const { return has_value(); }
  void value() const { assert(has_value()); }
  const Error& error() const { assert(!has_value()); return *m_error; }

 private:
  std::optional<Error> m_error;
};

using Status = Result<void>;

inline Status ok() { return Status(); }

}  // namespace certd

// Evaluates a Result or Status expression and returns its error from the
// enclosing function if it failed.
#define CERTD_TRY(expr)                                          \
  do {                                                           \
    auto&& certd_try_result_ = (expr);                           \
    if (!certd_try_result_) return certd_try_result_.error();    \
  } while (false)

// Binds the value of a Result expression to `lhs`, or returns its error.
#define CERTD_CONCAT_INNER_(a, b) a##b
#define CERTD_CONCAT_(a, b) CERTD_CONCAT_INNER_(a, b)
#define CERTD_ASSIGN_OR_RETURN(lhs, expr)                                   \
  auto CERTD_CONCAT_(certd_result_, __LINE__) = (expr);                     \
  if (!CERTD_CONCAT_(certd_result_, __LINE__))                              \
    return CERTD_CONCAT_(certd_result_, __LINE__).error();                  \
  lhs = std::move(CERTD_CONCAT_(certd_result_, __LINE__)).value()
