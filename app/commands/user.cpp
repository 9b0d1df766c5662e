// certd user add NAME --role admin|teacher [--courses A,B] | list |
// passwd NAME | disable NAME: local accounts for the teacher console
// (sign-in at /console/login) and its API tokens (certd token). The
// password is read from the terminal without echo, or as one line from
// standard input when that is not a terminal (scripts); never from the
// command line, where other users see it in the process list.
#include <CLI/CLI.hpp>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <set>

#include "app/commands/commands.hpp"
#include "app/password_hash.hpp"
#include "app/runtime.hpp"
#include "app/terminal_text.hpp"
#include "app/text_table.hpp"
#include "core/time_format.hpp"
#include "store/states.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {

struct UserOptions {
  std::string name;
  std::string role = "teacher";
  std::vector<std::string> courses;
};

// Names are typed at a sign-in form and printed in audit lines: keep them
// plain.
Status check_name(const std::string& name) {
  bool plain = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](unsigned char c) {
                 return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@';
               });
  if (!plain)
    return Error(ErrorCode::invalid_argument, "a name is 1 to 64 letters, digits and . _ - @");
  return ok();
}

// One line without its end of line; echo off while a terminal types it.
Result<std::string> read_password(const std::string& prompt) {
  const bool terminal = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    std::cerr << prompt << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
  }
  if (!got) return Error(ErrorCode::invalid_argument, "no password was given on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Asks twice on a terminal, once from a pipe; checks and hashes it.
Result<std::string> new_password_hash() {
  CERTD_ASSIGN_OR_RETURN(std::string password, read_password("New password (at least 12 characters): "));
  CERTD_TRY(check_new_password(password));
  if (::isatty(STDIN_FILENO) == 1) {
    CERTD_ASSIGN_OR_RETURN(std::string again, read_password("The same again: "));
    if (again != password) return Error(ErrorCode::invalid_argument, "the two passwords differ");
  }
  return hash_password(password);
}

int add(Runtime& runtime, const UserOptions& o) {
  if (Status named = check_name(o.name); !named) return fail("user add", named.error());
  auto role = store::parse_role(o.role);
  if (!role || *role == store::Role::student) {
    std::cerr << "certd user add: --role is admin or teacher\n";
    return k_exit_usage;
  }
  if (*role == store::Role::teacher && o.courses.empty()) {
    std::cerr << "certd user add: a teacher needs --courses (the LMS shortnames, comma-separated)\n";
    return k_exit_usage;
  }
  for (const std::string& course : o.courses)
    if (course.empty() || course.size() > 100 ||
        std::any_of(course.begin(), course.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      std::cerr << "certd user add: --courses holds an empty or unprintable shortname\n";
      return k_exit_usage;
    }
  const std::set<std::string> known = courses_named_by_rules(runtime.school.config);
  for (const std::string& course : o.courses)
    if (!known.count(course))
      std::cerr << "warning: no rule names the course " << terminal_safe(course) << "\n";
  if (auto existing = runtime.store->local_user(o.name); !existing || *existing) {
    if (!existing) return fail("user add", existing.error());
    std::cerr << "certd user add: the account " << o.name << " exists already (certd user passwd changes its password)\n";
    return k_exit_failure;
  }
  auto hash = new_password_hash();
  if (!hash) return fail("user add", hash.error());
  store::NewLocalUser user;
  user.name = o.name;
  user.role = *role;
  user.courses = o.courses;
  user.password_hash = *hash;
  user.created_at = to_unix(runtime.clock.now());
  auto added = runtime.store->add_local_user(user);
  if (!added) return fail("user add", added.error());
  std::cout << "added " << o.name << " (" << store::to_string(user.role) << "); sign in at /console/login\n";
  return k_exit_ok;
}

int list(Runtime& runtime) {
  auto users = runtime.store->local_users();
  if (!users) return fail("user list", users.error());
  if (users->empty()) {
    std::cout << "No local accounts. Add one with: certd user add NAME --role admin\n";
    return k_exit_ok;
  }
  std::int64_t now = to_unix(runtime.clock.now());
  TextTable table({"NAME", "ROLE", "COURSES", "STATE", "CREATED"});
  for (const store::LocalUserRow& row : *users) {
    std::string courses;
    for (const std::string& c : row.user.courses) courses += (courses.empty() ? "" : ",") + c;
    if (row.user.role == store::Role::admin) courses = "(all)";
    std::string state = row.disabled ? "disabled" : row.locked_until > now ? "locked" : "active";
    table.add({row.user.name, store::to_string(row.user.role), courses, state,
               format_date(from_unix(row.user.created_at))});
  }
  std::cout << table.render();
  return k_exit_ok;
}

int passwd(Runtime& runtime, const UserOptions& o) {
  auto existing = runtime.store->local_user(o.name);
  if (!existing) return fail("user passwd", existing.error());
  if (!*existing) return fail("user passwd", Error(ErrorCode::not_found, "no account named " + terminal_safe(o.name)));
  auto hash = new_password_hash();
  if (!hash) return fail("user passwd", hash.error());
  if (Status set = runtime.store->set_local_user_password(o.name, *hash); !set) return fail("user passwd", set.error());
  std::cout << "changed the password of " << o.name << "\n";
  return k_exit_ok;
}

int disable(Runtime& runtime, const UserOptions& o) {
  if (Status set = runtime.store->set_local_user_disabled(o.name, true); !set) {
    if (set.error().code() == ErrorCode::not_found)
      return fail("user disable", Error(ErrorCode::not_found, "no account named " + terminal_safe(o.name)));
    return fail("user disable", set.error());
  }
  std::cout << "disabled " << o.name << ": it can no longer sign in, and its API tokens are refused\n";
  return k_exit_ok;
}

}  // namespace

void define_user(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto options = std::make_shared<UserOptions>();
  command.require_subcommand(1);
  CLI::App* add_command = command.add_subcommand("add", "add an account; the password is read from standard input");
  add_command->add_option("name", options->name, "the name to sign in with")->required();
  add_command->add_option("--role", options->role, "admin (every course) or teacher")->required();
  add_command->add_option("--courses", options->courses, "a teacher's courses: LMS shortnames, comma-separated")
      ->delimiter(',');
  CLI::App* list_command = command.add_subcommand("list", "the accounts, their roles and courses");
  CLI::App* passwd_command = command.add_subcommand("passwd", "set a new password, read from standard input");
  passwd_command->add_option("name", options->name, "the account")->required();
  CLI::App* disable_command = command.add_subcommand("disable", "refuse the account's sign-ins and API tokens");
  disable_command->add_option("name", options->name, "the account")->required();
  handler = [&globals, options, add_command, list_command, passwd_command]() {
    auto runtime = open_store_runtime(globals);
    if (!runtime) return fail("user", runtime.error());
    if (add_command->parsed()) return add(**runtime, *options);
    if (list_command->parsed()) return list(**runtime);
    if (passwd_command->parsed()) return passwd(**runtime, *options);
    return disable(**runtime, *options);
  };
}

}  // namespace certd::app
