#include "app/batch_runner.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "app/batch_row_key.hpp"
#include "app/issuer.hpp"
#include "app/school.hpp"
#include "app/store_factory.hpp"
#include "app/work_claims.hpp"
#include "core/log.hpp"
#include "render/template.hpp"
#include "rules/idempotency.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

constexpr const char* k_cancel_reason = "batch cancelled";

Result<IssueJob> job_for(const store::BatchRow& batch, const store::BatchItemRow& row) {
  IssueJob job;
  if (row.item.key.empty()) {
    job.key = legacy_batch_row_key(batch.id, row.item);
  } else {
    CERTD_ASSIGN_OR_RETURN(job.key, rules::parse_idempotency_key(row.item.key));
  }
  job.kind = "batch";
  job.template_id = batch.batch.template_id;
  job.student_id = row.item.student;
  job.student_name = row.item.name;
  // A student given by e-mail address is also where the certificate goes.
  if (row.item.student.find('@') != std::string::npos) job.student_email = row.item.student;
  job.course = row.item.course;
  job.course_name = row.item.course;
  // The row's own title names the award (mails, portal, reports), its
  // course only context; empty: the course names it, as before titles.
  job.title = row.item.title;
  job.notes = row.item.notes;
  job.teacher = batch.batch.created_by;  // the teacher who imported it
  job.requested_by = "batch " + std::to_string(batch.id) + " (" + batch.batch.file_name + ")";
  if (row.item.expires_at) job.expires_at = from_unix(*row.item.expires_at);
  job.batch_id = batch.id;
  return job;
}

// Whether a stored row with the same content counts as already there: it
// is issued or on its way in a batch that is running (or done, unless the
// import is on purpose again). Failed rows and cancelled batches do not.
bool holds(const store::BatchDigestMatch& match, ImportMode mode) {
  if (match.status != "queued" && match.status != "issued") return false;
  return match.batch_status == "running" || (match.batch_status == "done" && mode == ImportMode::once);
}

// Lines of the rows that leave a value the template prints empty.
std::string lines_without(const BatchFile& file, bool (*has)(const BatchRow&)) {
  std::string lines;
  int count = 0;
  for (const BatchRow& row : file.rows) {
    if (has(row)) continue;
    if (++count <= 10) lines += (lines.empty() ? "" : ", ") + std::to_string(row.line);
  }
  if (count > 10) lines += " and " + std::to_string(count - 10) + " more";
  return lines;
}

// A template prints what a batch must supply: refuse the file up front
// instead of failing every row later.
Status check_rows_fit(const render::Template& tmpl, const BatchFile& file, const std::string& file_name) {
  std::set<render::Placeholder> required = render::required_placeholders(tmpl.spec());
  for (render::Placeholder p : {render::Placeholder::level, render::Placeholder::grade, render::Placeholder::skills})
    if (required.count(p))
      return Error(ErrorCode::invalid_argument, "template " + tmpl.id() + " prints {{" + render::to_string(p) +
                                                    "}}, which a CSV batch has no column for; choose another template");
  struct Column {
    render::Placeholder placeholder;
    const char* column;
    bool (*has)(const BatchRow&);
  };
  const Column k_columns[] = {
      // A row with a title of its own may have no course to print.
      {render::Placeholder::course_name, "course", [](const BatchRow& r) { return !r.course.empty(); }},
      {render::Placeholder::expires_on, "expires_on", [](const BatchRow& r) { return r.expires_on.has_value(); }},
      {render::Placeholder::notes, "notes", [](const BatchRow& r) { return !r.notes.empty(); }},
  };
  for (const Column& c : k_columns) {
    if (!required.count(c.placeholder)) continue;
    std::string lines = lines_without(file, c.has);
    if (!lines.empty())
      return Error(ErrorCode::invalid_argument, file_name + ": template " + tmpl.id() + " prints {{" +
                                                    render::to_string(c.placeholder) + "}}, but the " + c.column +
                                                    " column is empty on lines " + lines + "; nothing was issued");
  }
  return ok();
}

}  // namespace

BatchRunner::BatchRunner(const School& school, store::Store& store, Issuer& issuer, const Clock& clock,
                         const std::string& worker)
    : m_school(school),
      m_store(store),
      m_issuer(issuer),
      m_clock(clock),
      m_worker(worker.empty() ? worker_name(school.config) : worker) {}

Result<BatchImport> BatchRunner::import(const BatchFile& file, const std::string& template_id,
                                        const std::string& file_name, const std::string& created_by, bool skip_bad,
                                        ImportMode mode) {
  auto tmpl = m_school.templates.find(template_id);
  if (tmpl == m_school.templates.end()) return Error(ErrorCode::invalid_argument, "unknown template " + template_id);
  if (!file.errors.empty() && !skip_bad)
    return Error(ErrorCode::invalid_argument, std::to_string(file.errors.size()) +
                                                  " bad rows; nothing was issued (fix them, or use --skip-bad)");
  if (file.rows.empty()) return Error(ErrorCode::invalid_argument, "no rows to issue");
  CERTD_TRY(check_rows_fit(*tmpl->second, file, file_name));
  std::vector<std::string> digests;
  for (const BatchRow& row : file.rows) digests.push_back(batch_row_digest(template_id, row));
  CERTD_ASSIGN_OR_RETURN(auto matches, m_store.batch_items_by_digest(digests));
  std::map<std::string, std::vector<const store::BatchDigestMatch*>> stored;
  for (const store::BatchDigestMatch& match : matches) stored[match.digest].push_back(&match);

  BatchImport result;
  std::map<store::Id, BatchImport::Holder> holders;
  std::vector<store::NewBatchItem> items;
  for (std::size_t i = 0; i < file.rows.size(); ++i) {
    const BatchRow& row = file.rows[i];
    const auto& earlier = stored[digests[i]];
    auto holder = std::find_if(earlier.begin(), earlier.end(), [&](const auto* m) { return holds(*m, mode); });
    if (holder != earlier.end()) {
      BatchImport::Holder& h = holders[(*holder)->batch_id];
      h.batch = (*holder)->batch_id;
      h.status = (*holder)->batch_status;
      ++h.rows;
      continue;
    }
    // Every earlier row with this content had its own round: the next
    // one makes a key no certificate has (a cancelled batch's revoked
    // certificates keep theirs).
    int round = static_cast<int>(earlier.size()) + 1;
    std::optional<std::int64_t> expires;
    if (row.expires_on) expires = to_unix(*row.expires_on);
    items.push_back({row.line, row.student, row.name, row.course, expires, row.notes,
                     batch_row_key(template_id, row, digests[i], round).to_string(), digests[i], row.title});
  }
  for (const auto& [id, holder] : holders) {
    result.already.push_back(holder);
    if (holder.status == "running") result.to_run = id;
  }
  result.new_rows = static_cast<int>(items.size());
  if (items.empty()) return result;
  store::NewBatch batch{file_name, template_id, created_by, static_cast<std::int64_t>(items.size()),
                        to_unix(m_clock.now())};
  auto created = m_store.create_batch(batch, items);
  if (!created && created.error().code() == ErrorCode::conflict)
    return Error(ErrorCode::conflict, "another import of these rows was stored meanwhile; run the command again "
                                      "to see which batch holds them");
  if (!created) return created.error();
  result.batch = *created;
  result.to_run = *created;
  return result;
}

Result<int> BatchRunner::run_group(int group) {
  CERTD_ASSIGN_OR_RETURN(auto batches, m_store.batches());
  for (const store::BatchRow& batch : batches) {
    if (batch.status != "running") continue;
    // Rows claimed for this worker: another worker on the same store
    // issues other rows of the batch meanwhile.
    const std::int64_t now = to_unix(m_clock.now());
    CERTD_ASSIGN_OR_RETURN(auto rows,
                           m_store.claim_batch_items(batch.id, now, now + k_batch_row_lease.count(), group, m_worker));
    if (rows.empty()) {
      CERTD_TRY(finish_if_done(batch));
      continue;
    }
    std::vector<IssueJob> jobs;
    std::vector<store::Id> issuing;
    for (const store::BatchItemRow& row : rows) {
      auto job = job_for(batch, row);
      if (!job) {
        CERTD_TRY(m_store.set_batch_item(row.id, "failed", job.error().message(), std::nullopt));
        continue;
      }
      jobs.push_back(std::move(*job));
      issuing.push_back(row.id);
    }
    CERTD_ASSIGN_OR_RETURN(auto outcomes, m_issuer.issue(jobs));
    std::vector<store::BatchItemOutcome> marked;
    for (std::size_t i = 0; i < issuing.size(); ++i) {
      bool good = outcomes[i].status != IssueStatus::failed;
      marked.push_back({issuing[i], good ? "issued" : "failed", outcomes[i].error, outcomes[i].certificate_id});
    }
    CERTD_TRY(m_store.set_batch_items(marked));
    // A cancel may have landed while this group rendered: revoke it too.
    CERTD_ASSIGN_OR_RETURN(auto now_batch, m_store.batch(batch.id));
    if (now_batch && now_batch->status == "cancelled") {
      CERTD_TRY(m_store.cancel_batch(batch.id, k_cancel_reason, to_unix(m_clock.now())));
      return static_cast<int>(rows.size());
    }
    // No progress is written to the batch's row here: readers count its
    // rows (batch_progress), and a write per group would make the workers
    // of one batch wait for each other on that row.
    return static_cast<int>(rows.size());
  }
  return 0;
}

Status BatchRunner::finish_if_done(const store::BatchRow& batch) {
  CERTD_ASSIGN_OR_RETURN(store::BatchProgress progress, m_store.batch_progress(batch.id));
  if (progress.queued > 0) return ok();
  CERTD_LOG_INFO_F(log::Fields{{"BATCH", batch.id}}, "batch {} done: {} issued, {} failed", batch.id, progress.issued,
                   progress.failed);
  return m_store.update_batch(batch.id, progress.issued, progress.failed, "done", to_unix(m_clock.now()));
}

}  // namespace certd::app
