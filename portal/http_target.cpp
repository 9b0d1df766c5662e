#include "portal/http_target.hpp"

namespace certd::portal {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<Target> parse_target(std::string_view target) {
  if (target == "*") return Target{"*", ""};
  if (target.empty() || target.front() != '/')
    return Error(ErrorCode::invalid_argument, "the request target must start with '/'");
  Target out;
  std::string_view raw_path = target;
  if (auto question = target.find('?'); question != std::string_view::npos) {
    raw_path = target.substr(0, question);
    out.query = std::string(target.substr(question + 1));
  }
  out.path.reserve(raw_path.size());
  for (std::size_t i = 0; i < raw_path.size(); ++i) {
    char c = raw_path[i];
    if (c != '%') {
      out.path.push_back(c);
      continue;
    }
    int high = i + 1 < raw_path.size() ? hex_value(raw_path[i + 1]) : -1;
    int low = i + 2 < raw_path.size() ? hex_value(raw_path[i + 2]) : -1;
    if (high < 0 || low < 0) return Error(ErrorCode::invalid_argument, "broken %-escape in the request target");
    out.path.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

}  // namespace certd::portal
