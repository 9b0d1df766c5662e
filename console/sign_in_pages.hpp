#pragma once
// HTML of the local sign-in (/console/login) and of the course choice at
// /console, in the console's layout (console_pages.hpp). Every value is
// HTML-escaped. Pure.

#include <string>
#include <vector>

#include "console/console_pages.hpp"

namespace certd::console {

struct LoginForm {
  std::string login_token;  // the double-submit token, also in a cookie
  std::string name;         // what was typed, to type it again less
  std::string error;        // one sentence; empty: none
};

std::string render_login_page(const Frame& frame, const LoginForm& form);

struct CourseLink {
  std::string shortname;
  std::string href;
};

// The courses a signed-in teacher or admin can open.
std::string render_course_choice(const Frame& frame, const std::vector<CourseLink>& courses);

}  // namespace certd::console
