// StoreConsoleBackend: the console's Reports of a course
// (console/reports_page.cpp) — the same rows `certd report` prints
// (app/commands/report.cpp), narrowed to one course's certificates, and
// the monthly quota as `certd status` counts it (app/status_report.cpp).
#include <limits>
#include <set>

#include "app/console_backend.hpp"
#include "app/school.hpp"
#include "core/time_format.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

// Every verification the store keeps: it has no query by certificate,
// and a school's log is thousands of rows, not millions.
constexpr int k_all_verifications = 1'000'000;

// The first k_report_rows of `rows` (newest first already), and how many
// there were.
template <typename Row>
void keep_newest(std::vector<Row>& rows, std::size_t& total) {
  total = rows.size();
  if (rows.size() > console::k_report_rows) rows.resize(console::k_report_rows);
}

}  // namespace

Result<console::CourseReport> StoreConsoleBackend::course_report(const std::string& course, std::int64_t now) {
  console::CourseReport report;
  // Which certificates are the course's is decided once, where the Issued
  // tab decides it (console_backend_issued.cpp); the e-mails and the
  // verifications follow from their ids and numbers. That call holds the
  // lock itself: the rest may see a certificate issued in between, which
  // only means one row missing from the certificates.
  CERTD_ASSIGN_OR_RETURN(console::CertificateList all,
                         course_certificates(course, "", std::numeric_limits<std::size_t>::max()));
  std::set<store::Id> ids;
  std::set<std::string> numbers;
  for (const store::CertificateRow& row : all.shown) {
    ids.insert(row.id);
    numbers.insert(row.certificate.number);
  }
  report.certificates = std::move(all.shown);
  keep_newest(report.certificates, report.certificates_total);

  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_ASSIGN_OR_RETURN(auto mails, m_store->notifications(std::nullopt, std::nullopt));  // oldest first
  for (auto it = mails.rbegin(); it != mails.rend(); ++it)
    if (ids.count(it->certificate_id)) report.deliveries.push_back(std::move(*it));
  keep_newest(report.deliveries, report.deliveries_total);

  CERTD_ASSIGN_OR_RETURN(auto checks, m_store->recent_verifications(k_all_verifications));  // newest first
  for (store::VerificationRow& check : checks)
    if (numbers.count(check.number)) report.verifications.push_back(std::move(check));
  keep_newest(report.verifications, report.verifications_total);

  auto [first, next] = month_of(from_unix(now));
  report.quota.month = format_date(first).substr(0, 7);
  CERTD_ASSIGN_OR_RETURN(report.quota.used, m_store->count_certificates_issued(to_unix(first), to_unix(next)));
  report.quota.per_month = m_school.config.quota.per_month > 0 ? m_school.config.quota.per_month : 0;
  if (report.quota.per_month > 0 && report.quota.used < report.quota.per_month)
    report.quota.left = report.quota.per_month - report.quota.used;
  return report;
}

}  // namespace certd::app
