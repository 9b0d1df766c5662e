#include "console/sign_in_pages.hpp"

#include <kainjow/mustache.hpp>

namespace certd::console {
namespace {

namespace mustache = kainjow::mustache;

constexpr const char* k_login = R"html(<div class="card narrow">
<h1>Sign in</h1>
<p class="lead">With a certd account from your school office. Teachers can also open certd from their course in the LMS.</p>
{{#error}}<div class="notice error" role="alert"><p>{{error}}</p></div>{{/error}}
<form method="post" action="/console/login">
<input type="hidden" name="login_token" value="{{login_token}}">
<label for="name">Name</label>
<input id="name" name="name" type="text" value="{{name}}" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required>
<div class="actions"><button type="submit">Sign in</button></div>
</form>
<p class="hint">After 5 wrong passwords a name is locked for 15 minutes.</p>
</div>
)html";

constexpr const char* k_choice = R"html(<h1>Choose a course</h1>
{{#any}}<p class="lead">Open the queue of certificates to be issued of one course.</p>
<ul class="course-list">{{#courses}}<li><a class="button secondary" href="{{href}}">{{shortname}}</a></li>{{/courses}}</ul>{{/any}}
{{^any}}<div class="card"><p>No course is open to you here yet. Open certd from the course you want to work on, or ask the school office.</p></div>{{/any}}
)html";

}  // namespace

std::string render_login_page(const Frame& frame, const LoginForm& form) {
  mustache::data d;
  d.set("login_token", form.login_token);
  d.set("name", form.name);
  if (!form.error.empty()) d.set("error", form.error);
  return render_console_page(frame, "Sign in", mustache::mustache(k_login).render(d));
}

std::string render_course_choice(const Frame& frame, const std::vector<CourseLink>& courses) {
  mustache::data list{mustache::data::type::list};
  for (const CourseLink& c : courses) {
    mustache::data d;
    d.set("shortname", c.shortname);
    d.set("href", c.href);
    list.push_back(d);
  }
  mustache::data d;
  d.set("courses", list);
  if (!courses.empty()) d.set("any", mustache::data::type::bool_true);
  return render_console_page(frame, "Choose a course", mustache::mustache(k_choice).render(d));
}

}  // namespace certd::console
