#pragma once
// An LMS held in memory (docs/style.md §8): courses, students and their
// progress, and a record of every write-back certd makes, with switches
// that make calls fail the way a real LMS does. Thread-safe.

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connector/lms.hpp"

namespace certd::testing {

class FakeLms final : public connector::Lms {
 public:
  // How the next calls fail, if at all.
  enum class Failure { none, unavailable, permanent };

  void add_course(const connector::Course& course) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_courses[course.shortname] = course;
  }

  // The snapshot progress() answers for this student in its course.
  void set_progress(const connector::CourseProgress& progress) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_courses.emplace(progress.course.shortname, progress.course);
    m_progress[{progress.course.id, progress.student.id}] = progress;
  }

  // The teacher's "issue now" mark issue_now_mark() answers for its
  // student and course, until cleared.
  void set_mark(const connector::IssueNowMark& mark) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_marks[{mark.course.id, mark.student}] = mark;
  }

  void fail_reads(Failure failure) { m_read_failure = failure; }
  void fail_writes(Failure failure) { m_write_failure = failure; }
  void refuse_messages(bool refuse) { m_refuse_messages = refuse; }

  // Write-backs as the LMS saw them. Notes are keyed by client id, as
  // Moodle deduplicates them.
  std::map<std::string, connector::NoteRequest> notes() const { return locked(m_notes); }
  std::vector<connector::MessageRequest> messages() const { return locked(m_messages); }
  std::vector<connector::EnrolRequest> enrolments() const { return locked(m_enrolments); }
  std::vector<std::string> cleared_marks() const { return locked(m_cleared); }
  std::map<connector::UserId, std::map<std::string, std::string>> profile_fields() const {
    return locked(m_profile_fields);
  }
  std::vector<std::string> completed_activities() const { return locked(m_completed_activities); }
  int write_calls() const { return m_write_calls; }

  Result<connector::SiteCheck> check_site() override { return connector::SiteCheck{}; }

  Result<std::vector<connector::Course>> courses(const std::vector<std::string>& shortnames) override {
    CERTD_TRY(read_failure());
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<connector::Course> found;
    for (const std::string& name : shortnames) {
      auto course = m_courses.find(name);
      if (course == m_courses.end()) return Error(ErrorCode::not_found, "[invalidrecord] no course " + name);
      found.push_back(course->second);
    }
    return found;
  }

  Result<std::vector<connector::EnrolledStudent>> enrolled_students(const connector::Course& course) override {
    CERTD_TRY(read_failure());
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<connector::EnrolledStudent> students;
    for (const auto& [key, progress] : m_progress)
      if (key.first == course.id) students.push_back({progress.student, progress.enrolment});
    return students;
  }

  Result<connector::CourseProgress> progress(const connector::Course& course, connector::UserId student) override {
    CERTD_TRY(read_failure());
    std::lock_guard<std::mutex> lock(m_mutex);
    auto found = m_progress.find({course.id, student});
    if (found == m_progress.end()) return Error(ErrorCode::not_found, "[invaliduser] no such student");
    return found->second;
  }

  Result<std::optional<connector::IssueNowMark>> issue_now_mark(const connector::Course& course,
                                                                connector::UserId student) override {
    CERTD_TRY(read_failure());
    std::lock_guard<std::mutex> lock(m_mutex);
    auto found = m_marks.find({course.id, student});
    if (found == m_marks.end()) return std::optional<connector::IssueNowMark>();
    return std::optional<connector::IssueNowMark>(found->second);
  }

  Result<connector::PollResult> poll_changes(connector::CursorStore&) override {
    CERTD_TRY(read_failure());
    return connector::PollResult{};
  }

  Status add_note(const connector::NoteRequest& request) override {
    CERTD_TRY(write_failure());
    std::lock_guard<std::mutex> lock(m_mutex);
    m_notes.emplace(request.client_id, request);
    return ok();
  }

  Result<connector::MessageOutcome> send_message(const connector::MessageRequest& request) override {
    CERTD_TRY(write_failure());
    if (m_refuse_messages)
      return connector::MessageOutcome{connector::Delivery::refused, "the user has blocked messages"};
    std::lock_guard<std::mutex> lock(m_mutex);
    m_messages.push_back(request);
    return connector::MessageOutcome{};
  }

  Status set_profile_field(connector::UserId student, const std::string& field, const std::string& value) override {
    CERTD_TRY(write_failure());
    std::lock_guard<std::mutex> lock(m_mutex);
    m_profile_fields[student][field] = value;
    return ok();
  }

  Status complete_activity(const connector::Course& course, const std::string& activity_name,
                           connector::UserId student) override {
    CERTD_TRY(write_failure());
    std::lock_guard<std::mutex> lock(m_mutex);
    m_completed_activities.push_back(course.shortname + "/" + activity_name + "/" + std::to_string(student));
    return ok();
  }

  Status clear_issue_now(const connector::IssueNowMark& mark) override {
    CERTD_TRY(write_failure());
    std::lock_guard<std::mutex> lock(m_mutex);
    m_cleared.push_back(mark.key());
    auto open = m_marks.find({mark.course.id, mark.student});
    if (open != m_marks.end() && open->second.key() == mark.key()) m_marks.erase(open);
    return ok();
  }

  Result<connector::EnrolOutcome> enrol(const connector::EnrolRequest& request) override {
    CERTD_TRY(write_failure());
    std::lock_guard<std::mutex> lock(m_mutex);
    bool known = std::any_of(m_enrolments.begin(), m_enrolments.end(), [&](const connector::EnrolRequest& e) {
      return e.student == request.student && e.course == request.course;
    });
    m_enrolments.push_back(request);
    return known ? connector::EnrolOutcome::already_enrolled : connector::EnrolOutcome::enrolled;
  }

 private:
  template <typename T>
  T locked(const T& value) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return value;
  }

  static Status failure(Failure failure) {
    if (failure == Failure::unavailable) return Error(ErrorCode::unavailable, "HTTP 503: the LMS is in maintenance");
    if (failure == Failure::permanent) return Error(ErrorCode::permission_denied, "[nopermissions] no permission");
    return ok();
  }
  Status read_failure() const { return failure(m_read_failure); }
  Status write_failure() {
    ++m_write_calls;
    return failure(m_write_failure);
  }

  mutable std::mutex m_mutex;
  // Guarded by m_mutex.
  std::map<std::string, connector::Course> m_courses;
  std::map<std::pair<connector::CourseId, connector::UserId>, connector::CourseProgress> m_progress;
  std::map<std::string, connector::NoteRequest> m_notes;
  std::vector<connector::MessageRequest> m_messages;
  std::vector<connector::EnrolRequest> m_enrolments;
  std::vector<std::string> m_cleared;
  std::map<std::pair<connector::CourseId, connector::UserId>, connector::IssueNowMark> m_marks;
  std::map<connector::UserId, std::map<std::string, std::string>> m_profile_fields;
  std::vector<std::string> m_completed_activities;
  // Switches, set by the test between calls.
  std::atomic<Failure> m_read_failure{Failure::none};
  std::atomic<Failure> m_write_failure{Failure::none};
  std::atomic<bool> m_refuse_messages{false};
  std::atomic<int> m_write_calls{0};
};

}  // namespace certd::testing
