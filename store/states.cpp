#include "store/states.hpp"

#include <array>
#include <string>
#include <utility>

namespace certd::store {
namespace {

// One table per kind: to_string and parse both read it, so they cannot
// disagree.
template <typename State, std::size_t N>
using Names = std::array<std::pair<State, const char*>, N>;

constexpr Names<EventStatus, 3> k_event{
    {{EventStatus::new_, "new"}, {EventStatus::processed, "processed"}, {EventStatus::failed, "failed"}}};
constexpr Names<CertificateStatus, 2> k_certificate{
    {{CertificateStatus::issued, "issued"}, {CertificateStatus::revoked, "revoked"}}};
constexpr Names<PendingStatus, 3> k_pending{
    {{PendingStatus::pending, "pending"}, {PendingStatus::held, "held"}, {PendingStatus::approved, "approved"}}};
constexpr Names<OutboxStatus, 4> k_outbox{{{OutboxStatus::queued, "queued"},
                                            {OutboxStatus::done, "done"},
                                            {OutboxStatus::failed, "failed"},
                                            {OutboxStatus::cancelled, "cancelled"}}};
constexpr Names<PendingWait, 2> k_wait{{{PendingWait::approval, "approval"}, {PendingWait::quota, "quota"}}};
constexpr Names<SessionKind, 3> k_session_kind{
    {{SessionKind::lti, "lti"}, {SessionKind::local, "local"}, {SessionKind::api, "api"}}};
constexpr Names<Role, 3> k_role{{{Role::admin, "admin"}, {Role::teacher, "teacher"}, {Role::student, "student"}}};

template <typename State, std::size_t N>
const char* name_of(const Names<State, N>& names, State state) {
  for (const auto& [value, name] : names)
    if (value == state) return name;
  return "?";  // unreachable: every enumerator is in its table
}

template <typename State, std::size_t N>
Result<State> parse(const Names<State, N>& names, std::string_view text, const char* kind) {
  for (const auto& [value, name] : names)
    if (text == name) return value;
  return Error(ErrorCode::parse_error, "unknown " + std::string(kind) + " '" + std::string(text) + "'");
}

}  // namespace

const char* to_string(EventStatus status) { return name_of(k_event, status); }
const char* to_string(CertificateStatus status) { return name_of(k_certificate, status); }
const char* to_string(PendingStatus status) { return name_of(k_pending, status); }
const char* to_string(OutboxStatus status) { return name_of(k_outbox, status); }
const char* to_string(PendingWait wait) { return name_of(k_wait, wait); }
const char* to_string(SessionKind kind) { return name_of(k_session_kind, kind); }
const char* to_string(Role role) { return name_of(k_role, role); }

Result<EventStatus> parse_event_status(std::string_view text) { return parse(k_event, text, "event status"); }
Result<CertificateStatus> parse_certificate_status(std::string_view text) {
  return parse(k_certificate, text, "certificate status");
}
Result<PendingStatus> parse_pending_status(std::string_view text) { return parse(k_pending, text, "pending status"); }
Result<OutboxStatus> parse_outbox_status(std::string_view text) { return parse(k_outbox, text, "outbox status"); }
Result<PendingWait> parse_pending_wait(std::string_view text) { return parse(k_wait, text, "pending wait"); }
Result<SessionKind> parse_session_kind(std::string_view text) {
  return parse(k_session_kind, text, "session kind");
}
Result<Role> parse_role(std::string_view text) { return parse(k_role, text, "role"); }

}  // namespace certd::store
