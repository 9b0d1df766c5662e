#pragma once
// The simulated Moodle over real HTTP (cpprestsdk http_listener on
// 127.0.0.1): the REST web-service protocol at /webservice/rest/server.php
// with the answer and error shapes of the recordings, and a control API
// under /_sim/ (JSON) for tests and the demo to change the world and
// inject faults. The same controls are C++ methods here.
//
// Control API (POST, JSON body, answers {"ok":true} or HTTP 400
// {"error":"..."}; `time` is unix seconds; keys marked ? are optional and
// a switch not given stays as it is). docs/moodle-api.md §12 has the same list.
//   What teachers and students do:
//   /_sim/complete   {username, course, time?}                 complete a course
//   /_sim/rate       {username, course, skill, grade, time?, by?}  rate a skill (idnumber);
//                                                    by: the rater's username, default the course's teacher
//   /_sim/grade      {username, course, grade, time?}
//   /_sim/suspend    {username, course, suspended?}            suspend an enrolment (default true)
//   /_sim/issue-now  {username, course, teacher, time?}        a teacher's "issue now" mark
//   Conditions of real sites (the switches of examples/school.yaml):
//   /_sim/site       {service_enabled?, completions_report_gone?, debug?}
//   /_sim/course     {course, completion_criteria?, completion_tracking?, visible?, service_can_see?,
//                     manual_enrolment?}
//   /_sim/user       {username, deleted?, suspended?, never_logged_in?, email?, guardian_email?}
//                    (suspended: the whole account; email "" / guardian_email "": empty)
//   /_sim/scale      {framework, id?, values?, proficient?, default?}   a framework's scale
//                    (by shortname or idnumber; earlier ratings keep their proficiency)
//   /_sim/level      {level, empty}      empty a level (idnumber) of its competencies, or restore it
//   /_sim/function   {name, allowed}     take a function out of the service (allowed false) or back
//   /_sim/capability {name, allowed}     take a capability from the service user's role or give it back
//   Transport faults:
//   /_sim/fault      {function?, kind, status?, latency_ms?, count?}
//                    kind: latency, http_error, drop, lost_reply, rate_limit
//   /_sim/clear-faults {}
//   GET or POST /_sim/stats              counters (requests, calls, notes, messages, enrolments)
//   The LTI 1.3 platform (Moodle 4.5's mod_lti; docs/moodle-api.md §12):
//   /_sim/lti-tool   {login_url, launch_url, target_link_uri?, client_id?, deployment_id?}
//                    register the tool (client_id default "certd-demo", deployment_id "1")
//   /_sim/lti-key-rotate {}              a new platform key; the previous one stays in the JWKS
//   GET /_sim/lti/launch?username=U&course=SHORTNAME&role=R?   the course page's link: the page of
//                    launch.php, a form auto-posting the login initiation to the tool
//                    (role: Instructor, Learner, ContentDeveloper or Administrator; default from
//                    the enrolment). 404 unknown user or course, 403 not enrolled, 409 no tool.
//   GET|POST /mod/lti/auth.php           the OIDC authentication request: a form auto-posting
//                    id_token and state (or error and error_description) to redirect_uri, or
//                    Moodle's error page (404) where auth.php throws
//   GET /mod/lti/certs.php               the platform's public keys (JWKS)
//
// Thread-safety: every method is safe from any thread; the world is
// guarded by one mutex.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connector/simulator/school.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace certd::lti {
class RsaKey;
}

namespace certd::connector::simulator {

enum class FaultKind {
  latency,     // answer after `latency`
  http_error,  // answer `status` (e.g. 503) without doing the call
  drop,        // close the connection without an answer, call not done
  lost_reply,  // do the call, then answer 502 (the reply is lost)
  rate_limit,  // 429 with Retry-After: 1
};

struct Fault {
  std::string function;  // empty: every function
  FaultKind kind = FaultKind::http_error;
  int status = 503;
  std::chrono::milliseconds latency{0};
  int count = -1;  // how many requests it hits; -1: until cleared
};

struct ServerStats {
  long long requests = 0;
  std::map<std::string, long long> calls;        // by wsfunction, faults included
  std::map<std::string, int> notes_by_client_id;  // notes created per clientnoteid
  std::map<std::string, int> messages_by_client_id;
  int enrol_calls = 0;                           // enrol_manual_enrol_users that changed something or not
  int completion_overrides = 0;
  std::vector<std::string> profile_updates;      // "userid:field=value"
};

// The LTI 1.3 tool registered with the simulated platform: Moodle's
// "External tool" type (Site administration > Plugins > Activity modules >
// External tool > Manage tools).
struct LtiTool {
  std::string login_url;        // "Initiate login URL"
  std::string launch_url;       // "Redirection URI(s)": Moodle takes several, the simulator one
  std::string target_link_uri;  // "Tool URL"; empty: launch_url
  std::string client_id = "certd-demo";
  std::string deployment_id = "1";  // Moodle: the tool type's id
};

// An auto-submitting HTML form of the platform, as data.
struct LtiForm {
  std::string action;
  std::vector<std::pair<std::string, std::string>> fields;  // in the page's order

  // The first field named `name`, or "".
  std::string field(const std::string& name) const;
};

// How a token of Server::lti_id_token departs from Moodle's (security tests).
struct LtiTokenOptions {
  std::optional<TimePoint> issued_at;  // iat; default now (exp is always iat + 60)
  // A JSON object merged into the claims as an RFC 7386 merge patch: a
  // value replaces, an object merges, null removes ({"aud":"x"},
  // {"exp":1}, {"nonce":null}).
  std::string claims_patch;
  const lti::RsaKey* key = nullptr;  // signs instead of the platform's key (not owned)
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port (see Server::port())
};

class Server {
 public:
  // Starts serving `school`. `clock` (if given) must outlive the server;
  // otherwise the system clock is used.
  static Result<std::unique_ptr<Server>> start(School school, ServerOptions options = {},
                                               const Clock* clock = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  std::string url() const;  // http://127.0.0.1:<port>
  std::string token() const;
  void stop();

  // World changes, by username and course shortname. Errors: not_found.
  Status complete_course(const std::string& username, const std::string& course, std::optional<TimePoint> at = {});
  Status rate_skill(const std::string& username, const std::string& course, const std::string& skill_idnumber,
                    int grade, std::optional<TimePoint> at = {}, const std::string& rater = {});
  Status set_grade(const std::string& username, const std::string& course, double grade,
                   std::optional<TimePoint> at = {});
  Status suspend(const std::string& username, const std::string& course, bool suspended = true);
  Status mark_issue_now(const std::string& username, const std::string& course, const std::string& teacher,
                        std::optional<TimePoint> at = {});

  // Faults and the service's shape.
  void add_fault(Fault fault);
  void clear_faults();
  void set_capability(const std::string& capability, bool allowed);
  void set_function(const std::string& function, bool allowed);
  void set_debug(bool developer_debugging);  // adds debuginfo to errors, as Moodle does
  // Any control action by name ("course", "user", "site", "scale", "level",
  // ...) with its JSON body, as POST /_sim/<action> does. Errors:
  // invalid_argument (bad body), not_found (unknown action or name).
  Status control(const std::string& action, const std::string& json_body);

  ServerStats stats() const;
  School school() const;  // a copy of the world now

  // The LTI 1.3 platform, as Moodle 4.5's mod_lti (docs/moodle-api.md §12).
  // Its RSA key lives in memory only, made when first needed (JWKS, a
  // token); the calls that need it fail with unavailable when OpenSSL
  // cannot make one.
  // invalid_argument when login_url or launch_url is not an http(s) URL.
  Status register_lti_tool(const LtiTool& tool);
  LtiTool lti_tool() const;  // login_url is empty until a tool is registered
  std::string lti_issuer() const;    // url(): Moodle's iss is its wwwroot
  std::string lti_auth_url() const;  // url() + "/mod/lti/auth.php"
  std::string lti_jwks_url() const;  // url() + "/mod/lti/certs.php"
  Result<std::string> lti_jwks_json() const;  // what certs.php serves
  Result<std::string> lti_key_id() const;     // the kid of the key that signs now
  // A new signing key; the previous one stays in the JWKS for one more
  // rotation. unavailable when OpenSSL cannot make a key.
  Status rotate_lti_key();
  // The form of the course page's link (launch.php): the login initiation
  // posted to the tool. `role` is Instructor, Learner, ContentDeveloper or
  // Administrator; empty: from the enrolment (teachers Instructor, students
  // Learner). Errors: not_found (user or course), permission_denied (not
  // enrolled, or suspended, without an explicit role), conflict (no tool
  // registered), invalid_argument (another role).
  Result<LtiForm> lti_launch_form(const std::string& username, const std::string& course,
                                  const std::string& role = "");
  // The id_token auth.php would post for this launch, minted directly
  // (same errors as lti_launch_form; `role` empty as there).
  Result<std::string> lti_id_token(const std::string& username, const std::string& course, const std::string& role,
                                   const std::string& nonce, std::optional<TimePoint> issued_at = {});
  // The same with claims changed or another signing key. invalid_argument
  // when claims_patch is not a JSON object.
  Result<std::string> lti_id_token(const std::string& username, const std::string& course, const std::string& role,
                                   const std::string& nonce, const LtiTokenOptions& options);

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace certd::connector::simulator
