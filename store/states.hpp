#pragma once
// The states of ledger rows, typed. The database keeps them as the text
// to_string gives (CHECK constraints in migrations.cpp list the same
// words); reading any other text is an error, never a silent default.

#include <string_view>

#include "core/result.hpp"

namespace certd::store {

enum class EventStatus { new_, processed, failed };                  // "new" | "processed" | "failed"
enum class CertificateStatus { issued, revoked };
enum class PendingStatus { pending, held, approved };
enum class OutboxStatus { queued, done, failed, cancelled };
// What a pending entry waits for: a teacher's approval, or room in the
// monthly quota (such entries are issued by themselves when it allows).
enum class PendingWait { approval, quota };
// How a teacher-console session was opened: an LTI launch from the LMS, a
// local account's password, or an API token.
enum class SessionKind { lti, local, api };
// What a console user may do. Local accounts are admin or teacher only;
// students come in by LTI launch.
enum class Role { admin, teacher, student };

const char* to_string(EventStatus status);
const char* to_string(CertificateStatus status);
const char* to_string(PendingStatus status);
const char* to_string(OutboxStatus status);
const char* to_string(PendingWait wait);
const char* to_string(SessionKind kind);
const char* to_string(Role role);

// The reverse of to_string; fails with parse_error on any other text.
Result<EventStatus> parse_event_status(std::string_view text);
Result<CertificateStatus> parse_certificate_status(std::string_view text);
Result<PendingStatus> parse_pending_status(std::string_view text);
Result<OutboxStatus> parse_outbox_status(std::string_view text);
Result<PendingWait> parse_pending_wait(std::string_view text);
Result<SessionKind> parse_session_kind(std::string_view text);
Result<Role> parse_role(std::string_view text);

}  // namespace certd::store
