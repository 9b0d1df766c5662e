#include "app/issuer.hpp"

#include <openssl/hmac.h>

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/log.hpp"
#include "core/parallel_for.hpp"
#include "core/random_token.hpp"
#include "core/time_format.hpp"
#include "core/metrics.hpp"
#include "render/certificate_data.hpp"
#include "render/certificate_number.hpp"
#include "render/renderer.hpp"
#include "render/template.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

constexpr int k_number_attempts = 4;

int year_of(TimePoint t) { return std::stoi(format_date(t).substr(0, 4)); }

// A family's claim token: 18 random bytes, 24 URL-safe characters.
constexpr std::size_t k_claim_token_bytes = 18;

// A rule's certificate is called by its course; an ad-hoc award by the
// title it was given (app/teacher_actions.cpp), its course only context.
std::string title_of(const IssueJob& job) {
  if (!job.title.empty()) return job.title;
  return job.course_name.empty() ? job.course : job.course_name;
}

// A job's journal fields (app/journal_log.hpp). A CSV row may name its
// student by e-mail address, which is never logged: no STUDENT then.
log::Fields fields_of(const IssueJob& job, std::string_view number) {
  const bool by_address = job.student_id.find('@') != std::string::npos;
  return {{"CERTIFICATE", number},
          {"STUDENT", by_address ? std::string_view() : std::string_view(job.student_id)},
          {"RULE", job.rule_id},
          {"BATCH", job.batch_id ? std::to_string(*job.batch_id) : std::string()}};
}

}  // namespace

Result<std::string> derive_number(const std::string& prefix, const std::string& secret, const std::string& key,
                                  int attempt) {
  std::string message = "certd-number|" + key + "|" + std::to_string(attempt);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  std::array<std::uint8_t, render::k_number_random_bytes> bytes{};
  std::copy(mac, mac + bytes.size(), bytes.begin());
  return render::make_certificate_number(prefix, bytes);
}

struct Issuer::Prepared {
  store::CertificateWithOutbox row;
  PdfFile pdf;
};

Issuer::Issuer(IssuerOptions options, const TemplateMap& templates, const render::Signer& signer,
               store::Store& store, const PdfArchive& archive, const Clock& clock)
    : m_options(std::move(options)),
      m_templates(templates),
      m_signer(signer),
      m_store(store),
      m_archive(archive),
      m_clock(clock) {}

Result<std::string> Issuer::claim_token_for(const std::string& student_id) {
  CERTD_ASSIGN_OR_RETURN(auto history, m_store.certificates_for_student(student_id));
  if (!history.empty()) return history.front().certificate.claim_token;
  return random_token_base64url(k_claim_token_bytes);
}

Result<std::string> Issuer::number_for(const IssueJob& job) {
  auto found = m_templates.find(job.template_id);
  if (found == m_templates.end()) return Error(ErrorCode::invalid_argument, "unknown template " + job.template_id);
  std::string key = job.key.to_string();
  // The number secret is the issuer's private key: numbers cannot be
  // guessed from keys, and stay stable across restarts.
  for (int attempt = 0; attempt < k_number_attempts; ++attempt) {
    CERTD_ASSIGN_OR_RETURN(std::string candidate,
                           derive_number(found->second->spec().number_prefix, m_signer.private_key_pem(), key, attempt));
    CERTD_ASSIGN_OR_RETURN(auto clash, m_store.certificate_by_number(candidate));
    if (!clash) return candidate;
  }
  return Error(ErrorCode::conflict, "could not find a free certificate number for " + key);
}

Result<Issuer::Prepared> Issuer::prepare(const IssueJob& job, const std::string& number, TimePoint now) const {
  const render::Template& tmpl = *m_templates.at(job.template_id);
  std::string key = job.key.to_string();
  render::CertificateData data;
  data.number = number;
  data.student_name = job.student_name;
  data.course_name = job.course_name;
  data.title = title_of(job);
  data.teacher_name = job.teacher;
  data.notes = job.notes;
  data.level = job.level;
  data.grade = job.grade;
  data.skills = job.skills;
  data.issued_at = now;
  data.expires_at = job.expires_at;
  data.issuer_name = m_options.issuer_name;
  data.verify_url = render::make_verify_url(m_options.public_url, number);
  data.rule_id = job.rule_id;
  const auto render_start = std::chrono::steady_clock::now();
  CERTD_ASSIGN_OR_RETURN(render::RenderedCertificate rendered, render::render_certificate(tmpl, data, m_signer));
  metrics::process().observe("certd_render_seconds", "Time to render and sign one certificate, by template",
                             metrics::seconds_buckets(), {{"template", job.template_id}},
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - render_start).count());

  Prepared prepared;
  store::NewCertificate& c = prepared.row.certificate;
  c.number = number;
  c.idempotency_key = key;
  c.rule_id = job.rule_id;
  c.template_id = job.template_id;
  c.student_id = job.student_id;
  c.student_name = job.student_name;
  c.course = job.course_name.empty() ? job.course : job.course_name;
  c.title = data.title;
  c.kind = job.kind;
  c.requested_by = job.requested_by;
  c.teacher = job.teacher;
  c.notes = job.notes;
  // Kept with what it printed, so a reissue can print them again.
  c.grade = job.grade;
  c.skills = job.skills;
  c.payload = std::move(rendered.payload);
  c.signature = std::move(rendered.signature);
  c.pdf_path = PdfArchive::relative_path_for(number, year_of(now));
  c.issued_at = to_unix(now);
  if (job.expires_at) c.expires_at = to_unix(*job.expires_at);
  c.batch_id = job.batch_id;
  prepared.row.outbox = outbox_for(job, number);
  prepared.pdf = PdfFile{c.pdf_path, std::move(rendered.pdf)};
  return prepared;
}

std::vector<store::NewOutboxItem> Issuer::outbox_for(const IssueJob& job, const std::string& number) const {
  std::vector<store::NewOutboxItem> items;
  auto add = [&](const std::string& kind, const std::string& suffix, json payload) {
    payload["number"] = number;
    items.push_back({kind, kind + ":" + number + suffix, payload.dump()});
  };
  if (job.notify_student && !job.student_email.empty())
    add("email", ":" + job.student_email, {{"recipient", job.student_email}, {"role", "student"}});
  if (job.notify_guardians)
    for (const std::string& guardian : job.guardian_emails)
      add("email", ":" + guardian, {{"recipient", guardian}, {"role", "guardian"}});
  if (!m_options.lms_writeback || job.lms_student_id == 0) return items;
  json who{{"student", job.lms_student_id}, {"course_id", job.lms_course_id}, {"course", job.course}};
  add("lms.note", "", {{"who", who}, {"skipped", job.skipped_conditions}, {"requested_by", job.requested_by}});
  add("lms.message", "", {{"who", who}});
  if (!job.next_course.empty()) add("lms.enrol", "", {{"who", who}, {"next_course", job.next_course}});
  if (!job.clear_issue_now.empty()) add("lms.clear_issue_now", "", {{"mark", json::parse(job.clear_issue_now)}});
  if (!m_options.certificate_profile_field.empty()) add("lms.profile_field", "", {{"who", who}});
  if (!m_options.issued_activity.empty() && job.lms_course_id != 0) add("lms.complete_activity", "", {{"who", who}});
  return items;
}

// What one call of issue() carries from step to step.
struct Issuer::Round {
  const std::vector<IssueJob>& jobs;
  TimePoint now;
  std::vector<IssueOutcome> outcomes;  // in job order
  // Jobs to render, with their numbers, and what rendering gave.
  std::vector<std::size_t> to_render;
  std::vector<std::string> numbers;
  std::vector<std::optional<Result<Prepared>>> rendered;
  // Rendered certificates ready to commit: rows, their PDFs, their jobs.
  std::vector<store::CertificateWithOutbox> rows;
  std::vector<PdfFile> files;
  std::vector<std::size_t> row_job;
};

Result<std::vector<IssueOutcome>> Issuer::issue(const std::vector<IssueJob>& jobs) {
  Round round{jobs, m_clock.now(), std::vector<IssueOutcome>(jobs.size()), {}, {}, {}, {}, {}, {}};
  CERTD_TRY(assign_numbers(round));
  render_all(round);
  CERTD_TRY(attach_claim_tokens(round));
  CERTD_TRY(commit(round));
  return std::move(round.outcomes);
}

// Jobs already issued are answered without rendering anything; the others
// get their number here, on the store's thread.
Status Issuer::assign_numbers(Round& round) {
  for (std::size_t i = 0; i < round.jobs.size(); ++i) {
    CERTD_ASSIGN_OR_RETURN(auto existing, m_store.certificate_by_key(round.jobs[i].key.to_string()));
    if (existing) {
      round.outcomes[i] = IssueOutcome{IssueStatus::already_issued, existing->certificate.number, existing->id, ""};
      continue;
    }
    auto number = number_for(round.jobs[i]);
    if (!number) {
      if (number.error().code() == ErrorCode::unavailable) return number.error();
      round.outcomes[i] = IssueOutcome{IssueStatus::failed, "", std::nullopt, number.error().message()};
      continue;
    }
    round.to_render.push_back(i);
    round.numbers.push_back(std::move(*number));
  }
  return ok();
}

// Rendering is the expensive, pure part: it fans out over a few threads;
// the store is only touched from this one.
void Issuer::render_all(Round& round) const {
  round.rendered.resize(round.to_render.size());
  parallel_for(round.to_render.size(), m_options.render_threads, [&](std::size_t n) {
    round.rendered[n].emplace(prepare(round.jobs[round.to_render[n]], round.numbers[n], round.now));
  });
}

// A job whose rendering failed fails alone; the others get their family's
// claim token (one per student, reused from earlier certificates).
Status Issuer::attach_claim_tokens(Round& round) {
  std::map<std::string, std::string> claim_tokens;
  for (std::size_t n = 0; n < round.to_render.size(); ++n) {
    std::size_t i = round.to_render[n];
    const IssueJob& job = round.jobs[i];
    Result<Prepared>& result = *round.rendered[n];
    if (!result) {
      round.outcomes[i] = IssueOutcome{IssueStatus::failed, "", std::nullopt, result.error().message()};
      CERTD_LOG_WARN_F(fields_of(job, ""), "cannot issue {}: {}", rules::key_for_log(job.key.to_string()),
                       result.error().message());
      continue;
    }
    auto& token = claim_tokens[job.student_id];
    if (token.empty()) {
      CERTD_ASSIGN_OR_RETURN(token, claim_token_for(job.student_id));
    }
    result->row.certificate.claim_token = token;
    round.files.push_back(std::move(result->pdf));
    round.rows.push_back(std::move(result->row));
    round.row_job.push_back(i);
  }
  return ok();
}

// PDFs first and durable, then the rows that name them, in one transaction.
Status Issuer::commit(Round& round) {
  CERTD_TRY(m_archive.write_group(round.files));
  CERTD_ASSIGN_OR_RETURN(auto inserted, m_store.insert_certificates(round.rows));
  for (std::size_t n = 0; n < round.rows.size(); ++n) {
    std::size_t i = round.row_job[n];
    const store::NewCertificate& c = round.rows[n].certificate;
    IssueStatus status = inserted[n].created ? IssueStatus::issued : IssueStatus::already_issued;
    round.outcomes[i] = IssueOutcome{status, c.number, inserted[n].id, ""};
    if (inserted[n].created)
      CERTD_LOG_INFO_F(fields_of(round.jobs[i], c.number), "issued certificate {} ({}, key {})", c.number,
                       round.jobs[i].kind, rules::key_for_log(c.idempotency_key));
  }
  return ok();
}

}  // namespace certd::app
