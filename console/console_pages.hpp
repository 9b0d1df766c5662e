#pragma once
// HTML of the teacher console (mustache; every value HTML-escaped). The
// portal's stylesheet and a small one of the console's own; one script
// (live.js, a running batch's progress) that no page needs: every page
// works as plain forms, on a phone too. Pure.

#include <string>
#include <vector>

namespace certd::console {

inline constexpr const char* k_console_stylesheet_path = "/console/assets/console.css";
std::string_view console_stylesheet();
// The one script: a running batch's progress, fetched in place (the page
// works without it).
inline constexpr const char* k_console_live_script_path = "/console/assets/live.js";
std::string_view console_live_script();

// What every page shows around its content.
struct Frame {
  std::string issuer;
  std::string user;    // who is signed in; empty: nobody
  std::string csrf;    // the session's token, for the sign-out form; empty: none
  std::string course;       // the course in view (its shortname); empty: none
  std::string course_path;  // the same, percent-encoded for links
  std::string course_title;  // its full name when known (the LMS launch says it)
  std::string active;  // which tab: "queue", "certificates", "issue-now", "award", "me"
  bool teacher = false;
  int refresh_seconds = 0;  // > 0: #live is fetched again that often (live.js; a running batch's progress)
};

struct QueueRow {
  std::string id;
  std::string student;
  std::string certificate;
  std::string since;
  std::string reason;
};

struct QueuePage {
  std::string csrf;
  std::vector<QueueRow> open;  // ticked by default
  std::vector<QueueRow> held;  // unticked by default
  std::vector<std::string> issued;  // after an approval: numbers
  std::vector<std::string> failed;  // after an approval: "who: why"
  std::string notice;               // one line after an action
};

struct StudentCertificate {
  std::string number;
  std::string title;
  std::string issued_on;
  std::string status;       // valid | revoked | expired
  std::string status_text;
  std::string download_url;  // empty when revoked
  std::string verify_url;
};

std::string render_queue_page(const Frame& frame, const QueuePage& page);
std::string render_my_certificates(const Frame& frame, const std::vector<StudentCertificate>& certificates);
// A console error or notice, with a way back.
std::string render_console_message(const Frame& frame, int status, const std::string& title,
                                   const std::string& message);
// `content_html` (rendered and escaped by the caller, e.g. sign_in_pages)
// inside the layout, for pages kept in files of their own.
std::string render_console_page(const Frame& frame, const std::string& title, const std::string& content_html);
// The layout (header, tabs, footer) around `content`: HTML a page's own
// template made, every value escaped there. For pages kept in files of
// their own (console/issue_now_page.cpp).
std::string render_console_layout(const Frame& frame, const std::string& title, const std::string& content);

}  // namespace certd::console
