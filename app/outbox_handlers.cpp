#include "app/outbox_handlers.hpp"

#include <nlohmann/json.hpp>

#include "app/pdf_archive.hpp"
#include "app/progress_codec.hpp"
#include "app/school.hpp"
#include "connector/lms.hpp"
#include "core/log.hpp"
#include "notify/email_template.hpp"
#include "notify/notifier.hpp"
#include "render/certificate_data.hpp"
#include "rules/idempotency.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

struct Context {
  const School& school;
  store::Store& store;
  const PdfArchive& archive;
  notify::Notifier& notifier;
  connector::Lms* lms;
  const Clock& clock;
};

Result<json> payload_of(const store::OutboxRow& row) {
  json payload = json::parse(row.item.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return Error(ErrorCode::invalid_argument, "outbox payload is not a JSON object");
  return payload;
}

Result<store::CertificateRow> certificate_of(Context& c, const json& payload) {
  std::string number = payload.value("number", "");
  CERTD_ASSIGN_OR_RETURN(auto row, c.store.certificate_by_number(number));
  if (!row) return Error(ErrorCode::not_found, "no certificate " + number);
  return std::move(*row);
}

std::string family_url(const Context& c, const store::CertificateRow& row) {
  return c.school.config.portal.public_url + "/c/" + row.certificate.claim_token;
}

std::string sender(const Context& c) {
  if (!c.school.config.smtp.from.empty()) return c.school.config.smtp.from;
  std::string address = c.school.config.issuer.email.empty() ? "certd@localhost" : c.school.config.issuer.email;
  return c.school.config.issuer.name + " <" + address + ">";
}

Status send_email(Context& c, const store::OutboxRow& row) {
  CERTD_ASSIGN_OR_RETURN(json payload, payload_of(row));
  CERTD_ASSIGN_OR_RETURN(store::CertificateRow certificate, certificate_of(c, payload));
  std::string recipient = payload.value("recipient", "");
  CERTD_ASSIGN_OR_RETURN(store::Inserted notification,
                         c.store.add_notification({certificate.id, recipient, payload.value("role", "student"), row.id}));
  if (certificate.status == store::CertificateStatus::revoked) {
    // Revoked before the mail went out (a cancelled batch): say nothing.
    return c.store.set_notification_status(notification.id, "failed", "not sent: certificate revoked", std::nullopt);
  }
  const store::NewCertificate& cert = certificate.certificate;
  std::map<std::string, std::string> values = notify::certificate_email_values(
      {cert.student_name, cert.title, cert.course, cert.number,
       render::make_verify_url(c.school.config.portal.public_url, cert.number), family_url(c, certificate),
       c.school.config.issuer.name});
  CERTD_ASSIGN_OR_RETURN(notify::RenderedEmail email, notify::render_email(notify::default_certificate_email(), values));
  notify::Message message;
  message.from = sender(c);
  message.to = recipient;
  message.subject = email.subject;
  message.text_body = email.text;
  message.html_body = email.html;
  int resend = payload.value("resend", 0);
  message.message_id = "<" + cert.number + "." + std::to_string(notification.id) +
                       (resend > 0 ? ".r" + std::to_string(resend) : std::string()) + "@certd>";
  message.date = from_unix(cert.issued_at);
  if (c.school.config.notify.attach_pdf) {
    CERTD_ASSIGN_OR_RETURN(std::string pdf, c.archive.read(cert.pdf_path));
    message.attachments.push_back({"certificate-" + cert.number + ".pdf", "application/pdf", std::move(pdf)});
  }
  auto delivery = c.notifier.send(message);
  std::int64_t now = to_unix(c.clock.now());
  if (!delivery) {
    if (delivery.error().code() != ErrorCode::unavailable)
      CERTD_TRY(c.store.set_notification_status(notification.id, "failed", delivery.error().message(), std::nullopt));
    return delivery.error();
  }
  return c.store.set_notification_status(notification.id, "sent", delivery->server_reply, now);
}

// Revoked before its write-back went out (revoked by hand, or reissued):
// no note or "congratulations" for a certificate that no longer stands.
bool revoked_before_sent(const store::CertificateRow& certificate) {
  if (certificate.status != store::CertificateStatus::revoked) return false;
  CERTD_LOG_INFO("certificate {} revoked: its LMS write-back is skipped", certificate.certificate.number);
  return true;
}

// A reissue replaces the previous generation of its key (rules::reissue_key):
// the number the LMS knew until now. Empty for any other certificate.
Result<std::string> replaced_number(Context& c, const store::CertificateRow& certificate) {
  if (certificate.certificate.kind != "reissue") return std::string();
  auto key = rules::parse_idempotency_key(certificate.certificate.idempotency_key);
  if (!key || key->generation <= 1) return std::string();
  --key->generation;
  CERTD_ASSIGN_OR_RETURN(auto previous, c.store.certificate_by_key(key->to_string()));
  return previous ? previous->certificate.number : std::string();
}

Result<connector::Lms*> lms_of(Context& c) {
  if (!c.lms) return Error(ErrorCode::invalid_argument, "no LMS connection configured for write-back");
  return c.lms;
}

// The LMS side of a certificate: who and which course.
struct Who {
  connector::UserId student = 0;
  connector::Course course;
};

Who who_of(const json& payload) {
  const json& who = payload.at("who");
  Who w;
  w.student = who.at("student").get<connector::UserId>();
  w.course.id = who.value("course_id", connector::CourseId{0});
  w.course.shortname = who.value("course", "");
  return w;
}

Status add_note(Context& c, const store::OutboxRow& row) {
  CERTD_ASSIGN_OR_RETURN(connector::Lms * lms, lms_of(c));
  CERTD_ASSIGN_OR_RETURN(json payload, payload_of(row));
  CERTD_ASSIGN_OR_RETURN(store::CertificateRow certificate, certificate_of(c, payload));
  if (revoked_before_sent(certificate)) return ok();
  Who who = who_of(payload);
  std::string title = certificate.certificate.title;
  auto skipped = payload.value("skipped", std::vector<std::string>{});
  if (!skipped.empty()) {
    title += " (issued now at the request of " + payload.value("requested_by", std::string("a teacher")) +
             "; conditions not met: ";
    for (std::size_t i = 0; i < skipped.size(); ++i) title += (i ? "; " : "") + skipped[i];
    title += ")";
  }
  // Notes cannot be edited in place: the old one stays, this one says what
  // replaced it (the verification link below is the new number's).
  CERTD_ASSIGN_OR_RETURN(std::string replaced, replaced_number(c, certificate));
  if (!replaced.empty()) title += " (reissued: replaces certificate " + replaced + ")";
  connector::NoteRequest note{who.student, who.course.id, certificate.certificate.number, title,
                              render::make_verify_url(c.school.config.portal.public_url, certificate.certificate.number),
                              "certd-note-" + certificate.certificate.number};
  // The claim counted this try before it started (and committed that), so
  // 1 means no earlier try, not even one cut short by a crash, can have
  // written the note.
  note.first_attempt = row.attempts == 1;
  return lms->add_note(note);
}

Status send_message(Context& c, const store::OutboxRow& row) {
  CERTD_ASSIGN_OR_RETURN(connector::Lms * lms, lms_of(c));
  CERTD_ASSIGN_OR_RETURN(json payload, payload_of(row));
  CERTD_ASSIGN_OR_RETURN(store::CertificateRow certificate, certificate_of(c, payload));
  if (revoked_before_sent(certificate)) return ok();
  const store::NewCertificate& cert = certificate.certificate;
  std::string text = "Congratulations! " + c.school.config.issuer.name + " has issued your certificate \"" +
                     cert.title + "\" (" + cert.number + "). Download and share it: " + family_url(c, certificate);
  CERTD_ASSIGN_OR_RETURN(std::string replaced, replaced_number(c, certificate));
  if (!replaced.empty())
    text = c.school.config.issuer.name + " has reissued your certificate \"" + cert.title + "\" as " + cert.number +
           "; it replaces " + replaced + ", which is no longer valid. Download and share it: " +
           family_url(c, certificate);
  CERTD_ASSIGN_OR_RETURN(connector::MessageOutcome outcome,
                         lms->send_message({who_of(payload).student, text, "certd-msg-" + cert.number}));
  if (outcome.delivery == connector::Delivery::refused) {
    // The student's message preferences said no: recorded, not retried.
    // Moodle's words name the student, so they go to the audit log (which
    // is personal data already), not to the process log.
    CERTD_LOG_INFO("LMS message for {} refused by the student's message preferences (see the audit log)",
                   cert.number);
    return c.store.append_audit({"lms", "message_refused", cert.number, outcome.detail, to_unix(c.clock.now())});
  }
  return ok();
}

Status enrol_next(Context& c, const store::OutboxRow& row) {
  CERTD_ASSIGN_OR_RETURN(connector::Lms * lms, lms_of(c));
  CERTD_ASSIGN_OR_RETURN(json payload, payload_of(row));
  std::string next = payload.value("next_course", "");
  CERTD_ASSIGN_OR_RETURN(auto courses, lms->courses({next}));
  if (courses.empty()) return Error(ErrorCode::not_found, "no course " + next + " to enrol in");
  CERTD_ASSIGN_OR_RETURN(connector::EnrolOutcome outcome, lms->enrol({who_of(payload).student, courses.front().id}));
  if (outcome == connector::EnrolOutcome::already_enrolled)
    CERTD_LOG_INFO("student {} already enrolled in {}: left as it is", who_of(payload).student, next);
  return ok();
}

Status clear_issue_now(Context& c, const store::OutboxRow& row) {
  CERTD_ASSIGN_OR_RETURN(connector::Lms * lms, lms_of(c));
  CERTD_ASSIGN_OR_RETURN(json payload, payload_of(row));
  CERTD_ASSIGN_OR_RETURN(connector::IssueNowMark mark, issue_now_mark_from_json(payload.at("mark").dump()));
  return lms->clear_issue_now(mark);
}

Status set_profile_field(Context& c, const store::OutboxRow& row) {
  CERTD_ASSIGN_OR_RETURN(connector::Lms * lms, lms_of(c));
  CERTD_ASSIGN_OR_RETURN(json payload, payload_of(row));
  // A revoked number must not land in the field, least of all after its
  // reissue's number (a retried row can come late).
  CERTD_ASSIGN_OR_RETURN(store::CertificateRow certificate, certificate_of(c, payload));
  if (revoked_before_sent(certificate)) return ok();
  return lms->set_profile_field(who_of(payload).student, c.school.config.lms.certificate_profile_field,
                                payload.value("number", ""));
}

Status complete_activity(Context& c, const store::OutboxRow& row) {
  CERTD_ASSIGN_OR_RETURN(connector::Lms * lms, lms_of(c));
  CERTD_ASSIGN_OR_RETURN(json payload, payload_of(row));
  Who who = who_of(payload);
  return lms->complete_activity(who.course, c.school.config.lms.issued_activity, who.student);
}

// Adapts a handler to catch JSON shape errors as permanent failures.
OutboxHandler bind(std::shared_ptr<Context> context, Status (*handler)(Context&, const store::OutboxRow&)) {
  return [context, handler](const store::OutboxRow& row) -> Status {
    try {
      return handler(*context, row);
    } catch (const json::exception& e) {
      return Error(ErrorCode::invalid_argument, std::string("bad outbox payload: ") + e.what());
    }
  };
}

}  // namespace

std::map<std::string, OutboxHandler> make_outbox_handlers(const School& school, store::Store& store,
                                                          const PdfArchive& archive, notify::Notifier& notifier,
                                                          connector::Lms* lms, const Clock& clock) {
  auto context = std::make_shared<Context>(Context{school, store, archive, notifier, lms, clock});
  return {
      {"email", bind(context, send_email)},
      {"lms.note", bind(context, add_note)},
      {"lms.message", bind(context, send_message)},
      {"lms.enrol", bind(context, enrol_next)},
      {"lms.clear_issue_now", bind(context, clear_issue_now)},
      {"lms.profile_field", bind(context, set_profile_field)},
      {"lms.complete_activity", bind(context, complete_activity)},
  };
}

}  // namespace certd::app
