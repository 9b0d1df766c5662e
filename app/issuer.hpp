#pragma once
// Issuance (docs/architecture.md): number -> render + sign -> PDF -> one transaction
// for the certificate rows and their outbox rows. Jobs come in groups so a
// batch pays one syncfs and one commit per group, not per certificate.
//
// Exactly once: a job whose idempotency key is in the store already is
// "already issued". The number is derived from the key and the issuer's
// key, so a job retried after a crash gets the same number and rewrites
// the same PDF file instead of leaving a stray one.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/issue_job.hpp"
#include "app/pdf_archive.hpp"
#include "core/clock.hpp"

namespace certd::render {
class Signer;
class Template;
}  // namespace certd::render

namespace certd::store {
class Store;
}

namespace certd::app {

struct IssuerOptions {
  std::string issuer_name;
  std::string public_url;  // for verification and family links
  bool lms_writeback = true;
  std::string certificate_profile_field;  // optional LMS write-back
  std::string issued_activity;            // optional LMS write-back
  int render_threads = 1;
};

using TemplateMap = std::map<std::string, std::shared_ptr<const render::Template>>;

// Not thread-safe (it uses one Store); render work fans out internally.
class Issuer {
 public:
  Issuer(IssuerOptions options, const TemplateMap& templates, const render::Signer& signer, store::Store& store,
         const PdfArchive& archive, const Clock& clock);

  // Issues every job; outcomes are in job order. A job that cannot be
  // rendered (unknown template, a name no font can draw) fails alone.
  // Errors: only store or disk failures, which leave nothing half-done
  // (retry the whole group).
  Result<std::vector<IssueOutcome>> issue(const std::vector<IssueJob>& jobs);

 private:
  struct Prepared;
  struct Round;
  // The steps of issue(), in order.
  Status assign_numbers(Round& round);
  void render_all(Round& round) const;
  Status attach_claim_tokens(Round& round);
  Status commit(Round& round);

  Result<std::string> number_for(const IssueJob& job);
  // Pure: safe on any thread.
  Result<Prepared> prepare(const IssueJob& job, const std::string& number, TimePoint now) const;
  std::vector<store::NewOutboxItem> outbox_for(const IssueJob& job, const std::string& number) const;
  Result<std::string> claim_token_for(const std::string& student_id);

  IssuerOptions m_options;
  const TemplateMap& m_templates;
  const render::Signer& m_signer;
  store::Store& m_store;
  const PdfArchive& m_archive;
  const Clock& m_clock;
};

// "SWL3-..." numbers: `prefix` and 8 bytes derived from `secret` and the
// idempotency key (attempt > 0 only after a number clash).
Result<std::string> derive_number(const std::string& prefix, const std::string& secret, const std::string& key,
                                  int attempt);

}  // namespace certd::app
