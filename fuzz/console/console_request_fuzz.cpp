// libFuzzer target: any request to the teacher console
// (console::Console::handle), written as HTTP would carry it:
//
//   <METHOD> <path>[?<query>]\n<name>: <value>\n...\n\n<body>
//
// The console holds one live teacher session for SWIM-L3 (cookie
// certd_session=<k_token>, CSRF token k_csrf) and one registered platform
// whose key the fuzzer does not have; a local account "jo" (teacher of
// SWIM-L3) with an API token. Nothing may crash or leak; every
// status is 200..599; JSON answers parse; no page carries a script; no
// request opens a session but a sign-in with jo's password (no id_token
// can be signed without the key); and the queue changes only for a POST
// carrying the session's cookie and its CSRF token, or to the API with
// jo's token, never for another course's row.

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "console/console.hpp"
#include "console/fake_console_backend.hpp"
#include "console/sessions.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "lti/key_cache.hpp"

namespace {

using namespace certd;
using namespace certd::console;
using portal::Request;
using portal::Response;

constexpr std::int64_t k_now = 1'790'000'000;
constexpr const char* k_token = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz";
constexpr const char* k_csrf = "csrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrf";
constexpr const char* k_api_token = "certd_apiapiapiapiapiapiapiapiapiapiapiapiapi";

class FixedClock final : public Clock {
 public:
  TimePoint now() const override { return from_unix(k_now); }
};

// The platform's key: generated once; the fuzzer never sees its private half.
const lti::RsaKey& platform_key() {
  static const lti::RsaKey key = *lti::RsaKey::generate();
  return key;
}

[[noreturn]] void fail(const char* what, const Request& request, const Response& response) {
  std::fprintf(stderr, "fuzz_console_request: %s: %s %s -> %d %s\n", what, request.method.c_str(),
               request.path.c_str(), response.status, response.body.substr(0, 300).c_str());
  std::abort();
}

std::string_view next_line(std::string_view& text) {
  std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  return line;
}

Request parse_request(std::string_view text) {
  Request request;
  std::string_view first = next_line(text);
  std::size_t space = first.find(' ');
  request.method = std::string(first.substr(0, space));
  std::string_view target = space == std::string_view::npos ? std::string_view() : first.substr(space + 1);
  std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (std::string_view line = next_line(text); !line.empty(); line = next_line(text)) {
    std::size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    std::string& joined = request.headers[name];
    joined += (joined.empty() ? "" : ", ") + std::string(value);
  }
  request.body = std::string(text);
  request.client = "203.0.113.7";
  return request;
}

void fill(testing::FakeConsoleBackend& backend) {
  store::NewSession session;
  session.token_hash = token_hash(k_token);
  session.kind = store::SessionKind::lti;
  session.user_key = "https://moodle.example.edu#7";
  session.display_name = "Tina <b>Teacher</b>";
  session.role = store::Role::teacher;
  session.courses = {"SWIM-L3"};
  session.identity = R"({"course":"SWIM-L3","course_title":"Swim <i>3</i>"})";
  session.csrf_token = k_csrf;
  session.created_at = session.last_seen_at = k_now;
  session.idle_expires_at = k_now + 1800;
  session.expires_at = k_now + 43200;
  backend.sessions[session.token_hash] = session;
  backend.queue_entries = {
      {"SWIM-L3", {11, "101", "<script>x</script>", "swim-l3", "Swim level 3", k_now - 60, "waits", false}},
      {"SWIM-L3", {12, "102", "Grace", "swim-l3", "Swim level 3", k_now - 60, "<img src=x>", true}},
      {"FA-101", {21, "201", "Alan", "fa", "First aid", k_now - 60, "waits", false}}};
  store::CertificateRow row;
  row.certificate.number = "SWL3-AAAA-BBBC";
  row.certificate.student_id = "101";
  row.certificate.title = "<svg onload=x>";
  backend.certificates = {row};
  // A teacher of SWIM-L3 with a password ("hash:" + it, as the fake
  // checks) and an API token.
  store::LocalUserRow jo;
  jo.user.name = "jo";
  jo.user.role = store::Role::teacher;
  jo.user.courses = {"SWIM-L3"};
  jo.user.password_hash = "hash:correct horse battery";
  backend.local_users["jo"] = jo;
  store::ApiTokenRow token;
  token.id = 1;
  token.token = {"jo", token_hash(k_api_token), "fuzz", k_now};
  backend.api_tokens = {token};
}

bool contains_ci(const std::string& text, const std::string& lower) {
  std::string folded = text;
  for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return folded.find(lower) != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {
    log::set_level(log::Level::off);  // refusals are logged; the fuzzer makes millions
    return true;
  }();
  (void)quiet;
  static FixedClock clock;
  static lti::KeyCache keys([](const std::string&) -> Result<std::string> { return platform_key().public_jwks_json(); },
                            clock);
  static const lti::RsaKey tool_key = *lti::RsaKey::generate();
  Request request = parse_request(std::string_view(reinterpret_cast<const char*>(data), size));

  testing::FakeConsoleBackend backend;
  fill(backend);
  const std::size_t sessions_before = backend.sessions.size();
  ConsoleOptions options;
  options.issuer_name = "Riverside <Swim>";
  options.public_url = "https://certs.example.edu";
  options.platforms = {{"https://moodle.example.edu", "client-1", "https://moodle.example.edu/mod/lti/auth.php",
                        "https://moodle.example.edu/mod/lti/certs.php", {"4"}}};
  Console console(options, backend, clock, tool_key, keys);
  Response response = console.handle(request);

  if (response.status < 200 || response.status > 599) fail("a status out of range", request, response);
  if (response.content_type == "application/json" && !response.body.empty() &&
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false).is_discarded())
    fail("an answer that is not JSON", request, response);
  // Pages only: JSON may quote a path as it was sent, escaped as JSON.
  if (response.content_type.rfind("text/html", 0) == 0 &&
      (contains_ci(response.body, "<script") || contains_ci(response.body, "<svg onload") ||
       contains_ci(response.body, "<img src")))
    fail("a page shows markup unescaped", request, response);
  if (backend.sessions.size() > sessions_before &&
      !(request.path == "/console/login" && request.body.find("correct+horse+battery") != std::string::npos &&
        request.body.find("name=jo") != std::string::npos))
    fail("a session opened without a signed launch or jo's password", request, response);
  bool acted = !backend.approved.empty() ||
               std::any_of(backend.queue_entries.begin(), backend.queue_entries.end(),
                           [](const auto& e) { return e.second.held && e.second.id != 12; });
  bool by_form = request.body.find(std::string("csrf=") + k_csrf) != std::string::npos &&
                 request.header("cookie").find(k_token) != std::string::npos;
  bool by_api = request.path.rfind("/api/v1/", 0) == 0 &&
                request.header("authorization").find(k_api_token) != std::string::npos;
  if (acted && (request.method != "POST" || !(by_form || by_api)))
    fail("the queue changed without the session's cookie and CSRF token, or the API token", request, response);
  for (const auto& approval : backend.approved)
    if (approval.id == 21) fail("another course's row was approved", request, response);
  return 0;
}
