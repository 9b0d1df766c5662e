#include "core/result.hpp"

namespace certd {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::parse_error: return "parse_error";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::permission_denied: return "permission_denied";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::internal: return "internal";
  }
  return "unknown";
}

std::string SourceLocation::to_string() const {
  std::string text = file;
  if (line > 0) {
    text += ':' + std::to_string(line);
    if (column > 0) text += ':' + std::to_string(column);
  }
  return text;
}

std::string Error::to_string() const {
  if (!m_where.known()) return m_message;
  return m_where.to_string() + ": " + m_message;
}

}  // namespace certd
