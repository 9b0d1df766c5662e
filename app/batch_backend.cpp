// CSV batches from the console (console/batches_page.cpp): the same check
// (parse_batch_csv) and the same import (BatchRunner::import) as
// `certd batch import`, for one course; the daemon's processor issues the
// rows in groups, as it does for `certd batch import --detach`.
//
// Between the check and the start the checked rows stay here, in memory,
// under a random ticket bound to the teacher's session user: the file is
// sent once (up to portal.max_upload), the confirm form carries only the
// ticket, and nothing a browser re-posts can differ from what was checked.
// A restart forgets them; the teacher uploads again (nothing was issued).
#include <algorithm>
#include <limits>
#include <map>

#include "app/batch_course.hpp"
#include "app/batch_runner.hpp"
#include "app/console_backend.hpp"
#include "app/display_text.hpp"
#include "app/school.hpp"
#include "core/random_token.hpp"
#include "render/template.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {
constexpr std::int64_t k_ticket_life = 30 * 60;  // seconds a checked file waits for its confirm
constexpr std::size_t k_max_checked = 64;        // checked files kept at once (one per teacher)
}  // namespace

struct CheckedBatches {
  struct Checked {
    std::string owner;
    std::string course;
    std::string template_id;
    std::string file_name;
    bool skip_bad = false;
    BatchFile file;
    std::int64_t expires_at = 0;
  };
  std::map<std::string, Checked> by_ticket;
  // A batch's course when every row names the same one ("" when they
  // differ): rows never change, so it is read once per batch.
  std::map<store::Id, std::string> course_of;
};

namespace {

console::BatchSummary summary_of(const store::BatchRow& b, const store::BatchProgress& p) {
  console::BatchSummary s;
  s.id = b.id;
  s.file_name = b.batch.file_name;
  s.template_id = b.batch.template_id;
  s.status = b.status;
  s.total = b.batch.total;
  s.issued = p.issued;
  s.failed = p.failed;
  s.cancelled = p.cancelled;
  s.created_at = b.batch.created_at;
  s.created_by = b.batch.created_by;
  return s;
}

// The one course every row of the batch names, or "".
Result<std::string> single_course(store::Store& store, store::Id id) {
  std::string course;
  bool first = true;
  for (const char* status : {"queued", "issued", "failed", "cancelled"}) {
    CERTD_ASSIGN_OR_RETURN(auto rows, store.batch_items(id, status, std::numeric_limits<int>::max()));
    for (const store::BatchItemRow& row : rows) {
      if (first) course = row.item.course;
      first = false;
      if (row.item.course != course) return std::string();
    }
  }
  return course;
}

}  // namespace

Result<std::vector<console::BatchTemplateChoice>> StoreConsoleBackend::batch_templates() {
  std::vector<console::BatchTemplateChoice> choices;
  for (const auto& [id, tmpl] : m_school.templates) choices.push_back({id, tmpl->spec().name});
  return choices;
}

Result<std::vector<console::BatchSummary>> StoreConsoleBackend::course_batches(const std::string& course) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_checked_batches) m_checked_batches = std::make_shared<CheckedBatches>();
  CERTD_ASSIGN_OR_RETURN(auto batches, m_store->batches());
  std::vector<console::BatchSummary> out;
  for (const store::BatchRow& b : batches) {
    auto known = m_checked_batches->course_of.find(b.id);
    if (known == m_checked_batches->course_of.end()) {
      CERTD_ASSIGN_OR_RETURN(std::string c, single_course(*m_store, b.id));
      known = m_checked_batches->course_of.emplace(b.id, c).first;
    }
    if (known->second != course) continue;
    CERTD_ASSIGN_OR_RETURN(store::BatchProgress progress, m_store->batch_progress(b.id));
    out.push_back(summary_of(b, progress));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  return out;
}

Result<console::BatchCheck> StoreConsoleBackend::check_batch(const std::string& course,
                                                             const console::BatchUpload& upload) {
  if (m_school.templates.count(upload.template_id) == 0)
    return Error(ErrorCode::invalid_argument, "Choose one of the templates");
  // The file's name is the browser's word: stored and shown, so it must
  // be text like any other name, else it is called by a neutral one.
  std::string file_name = upload.file_name;
  if (!check_display_text(file_name, TextKind::name, "file name")) file_name = "upload.csv";
  BatchFile file = parse_batch_csv(upload.csv, file_name, m_clock.now());
  refuse_other_courses(file, course);
  console::BatchCheck check;
  check.errors = errors_by_line(file);
  check.good_rows = static_cast<int>(file.rows.size());
  if (file.rows.empty() || (!file.errors.empty() && !upload.skip_bad)) return check;
  CERTD_ASSIGN_OR_RETURN(check.ticket, random_token_hex(16));
  std::int64_t now = to_unix(m_clock.now());
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_checked_batches) m_checked_batches = std::make_shared<CheckedBatches>();
  auto& tickets = m_checked_batches->by_ticket;
  // A teacher's newer file replaces their older one; expired ones go; and
  // when full, the one nearest its end makes room.
  for (auto it = tickets.begin(); it != tickets.end();)
    it = it->second.owner == upload.owner || it->second.expires_at <= now ? tickets.erase(it) : std::next(it);
  if (tickets.size() >= k_max_checked)
    tickets.erase(std::min_element(tickets.begin(), tickets.end(), [](const auto& a, const auto& b) {
      return a.second.expires_at < b.second.expires_at;
    }));
  tickets[check.ticket] = {upload.owner, course, upload.template_id, file_name, upload.skip_bad,
                           std::move(file), now + k_ticket_life};
  return check;
}

Result<console::BatchStarted> StoreConsoleBackend::start_batch(const std::string& course, const std::string& ticket,
                                                               const std::string& owner,
                                                               const console::ConsoleActor& teacher) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_checked_batches) m_checked_batches = std::make_shared<CheckedBatches>();
  auto& tickets = m_checked_batches->by_ticket;
  auto it = tickets.find(ticket);
  if (it == tickets.end() || it->second.owner != owner || it->second.course != course ||
      it->second.expires_at <= to_unix(m_clock.now()))
    return Error(ErrorCode::not_found, "This upload is no longer waiting (it was started, or it is more than 30 "
                                       "minutes old). Upload the file again");
  CERTD_TRY(check_display_text(teacher.display_name, TextKind::name, "your name in the LMS"));
  CheckedBatches::Checked checked = std::move(it->second);
  tickets.erase(it);
  BatchRunner runner(m_school, *m_store, *m_issuer, m_clock);
  CERTD_ASSIGN_OR_RETURN(BatchImport imported, runner.import(checked.file, checked.template_id, checked.file_name,
                                                             teacher.display_name, checked.skip_bad));
  console::BatchStarted started;
  started.batch = imported.batch;
  started.new_rows = imported.new_rows;
  for (const BatchImport::Holder& h : imported.already) started.already.push_back({h.batch, h.status, h.rows});
  if (imported.batch) m_checked_batches->course_of[*imported.batch] = course;
  return started;
}

Result<console::BatchDetail> StoreConsoleBackend::course_batch(const std::string& course, store::Id id) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_checked_batches) m_checked_batches = std::make_shared<CheckedBatches>();
  CERTD_ASSIGN_OR_RETURN(auto batch, m_store->batch(id));
  auto known = m_checked_batches->course_of.find(id);
  if (batch && known == m_checked_batches->course_of.end()) {
    CERTD_ASSIGN_OR_RETURN(std::string c, single_course(*m_store, id));
    known = m_checked_batches->course_of.emplace(id, c).first;
  }
  if (!batch || known->second != course)
    return Error(ErrorCode::not_found, "No batch " + std::to_string(id) + " in this course");
  CERTD_ASSIGN_OR_RETURN(store::BatchProgress progress, m_store->batch_progress(id));
  console::BatchDetail detail;
  detail.summary = summary_of(*batch, progress);
  CERTD_ASSIGN_OR_RETURN(auto failed, m_store->batch_items(id, "failed", std::numeric_limits<int>::max()));
  for (const store::BatchItemRow& row : failed)
    detail.failed.push_back({row.item.line, row.item.student, row.item.name, row.error});
  std::sort(detail.failed.begin(), detail.failed.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
  return detail;
}

Result<std::int64_t> StoreConsoleBackend::cancel_batch(const std::string& course, store::Id id,
                                                       const std::string& reason,
                                                       const console::ConsoleActor& teacher) {
  if (reason.empty()) return Error(ErrorCode::invalid_argument, "Say why the batch is cancelled");
  CERTD_TRY(check_display_text(reason, TextKind::name, "the reason"));
  CERTD_TRY(course_batch(course, id));  // of this course, else not_found
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_ASSIGN_OR_RETURN(std::int64_t revoked,
                         m_store->cancel_batch(id, "batch cancelled by " + teacher.display_name + ": " + reason,
                                               to_unix(m_clock.now())));
  return revoked;
}

}  // namespace certd::app
