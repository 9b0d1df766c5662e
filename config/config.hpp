#pragma once
// The daemon's configuration (docs/architecture.md "Configuration"), as plain structs.
// Defaults live here, as member initialisers; the two that follow from
// other keys (issuer.name, portal.public_url) are derived by the loader.
// docs/configuration.md documents every key and its default.

#include <cstdint>
#include <string>
#include <vector>

#include "core/duration.hpp"
#include "core/result.hpp"

namespace certd::config {

// A secret is named, never inlined: `token_env: VAR` or `token_file: PATH`.
struct Secret {
  enum class Source { none, env, file };
  Source source = Source::none;
  // Variable name, or file path: absolute, or `$CREDENTIALS_DIRECTORY/NAME`
  // (a systemd credential, `${...}` written the same way), which resolve()
  // reads from the folder that variable names when the secret is read.
  std::string name;
  SourceLocation where;
  std::string key;  // "lms.token", "webhooks.sources.moodle.secret": names it in errors

  bool configured() const { return source != Source::none; }
  // "environment variable X" / "file /p"; safe to print, holds no secret.
  std::string describe() const;
};

struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

struct LmsConfig {
  std::string kind = "moodle";  // moodle | simulator
  std::string url;  // required, no default
  Secret token;     // required, no default
  Duration poll_interval{60};
  Duration request_timeout{30};
  std::vector<std::string> courses;  // course shortnames; empty = every course a rule names
  // Course roles that make someone the course's teacher on automatic
  // certificates, in order of preference; empty = none, use issuer.signatory.
  std::vector<std::string> teacher_roles = {"editingteacher", "teacher"};
  long long completions_report = 0;  // report-builder report id; 0 = per-course sweep
  std::string ca_file;
  int max_connections = 4;
  double max_requests_per_second = 20;
  std::string issue_now_activity = "Certificate: issue now";
  std::string issued_activity;          // optional activity completed on issue
  std::string guardian_email_field = "guardian_email";
  std::string certificate_profile_field;  // optional custom profile field
  // (student, course) pairs the poll visits per cycle for what Moodle has
  // no "since" query for (issue-now marks, skill ratings); 0 = all.
  long long sweep_budget = 200;
  Duration completion_lookback{7 * 86400};  // late completions (Moodle's cron)
};

struct PortalConfig {
  ListenAddress listen;
  std::string public_url;  // default: http://<listen> (default_public_url)
  Secret admin_token;
  // What one client may hold (portal/http_server.hpp has the rest).
  Duration read_timeout{10};      // a request's headers and body, first byte to last
  Duration idle_timeout{20};      // a connection with no request under way
  Duration shutdown_timeout{10};  // answers under way at a stop
  long long max_connections = 4096;
  long long max_connections_per_client = 256;
  // Console sign-ins (LTI launches and local accounts): a session ends
  // after `session_idle` without a request, and at most `session_max`
  // after it began.
  Duration session_idle{30 * 60};
  Duration session_max{12 * 3600};
  // Largest request body for the console's uploads (a CSV batch); the
  // server takes the larger of this and webhooks.max_body, and the
  // webhook handler still refuses bodies over webhooks.max_body.
  std::uint64_t max_upload_bytes = 8u << 20;
};

// One LMS that opens certd's console as an LTI 1.3 tool (lti/platform.hpp).
struct LtiPlatformConfig {
  std::string issuer;     // required: the platform's URL as its id_tokens name it
  std::string client_id;  // required: what the platform assigned to certd
  std::string auth_url;   // default: issuer + /mod/lti/auth.php (Moodle's)
  std::string jwks_url;   // default: issuer + /mod/lti/certs.php (Moodle's)
  std::vector<std::string> deployment_ids;  // required, at least one
  SourceLocation where;   // of its entry, for errors found later
};

struct LtiConfig {
  std::string key_file = "lti.key";  // the tool's RSA key, created on first use (0600)
  std::vector<LtiPlatformConfig> platforms;  // none: /lti/* answers 404
};

// One sender of webhooks, posting to /hooks/{name}. Each has a secret of
// its own, so a request signed for one source is refused at another.
struct WebhookSource {
  std::string name;  // letters, digits, '-' and '_', at most 64
  Secret secret;     // required
};

struct WebhookConfig {
  std::vector<WebhookSource> sources;  // in file order; none: every /hooks/{source} is 404
  Duration tolerance{300};
  std::uint64_t max_body_bytes = 256 * 1024;
};

struct SmtpConfig {
  std::string url;  // empty: write .eml files to notify.outbox_dir instead
  std::string from;
  Secret username;
  Secret password;
  std::string ca_file;
  Duration timeout{30};
};

struct IssuerConfig {
  std::string name;  // default: the host name of lms.url
  std::string key_file = "issuer.key";
  std::string email;  // where batch delivery reports go
  // Printed as the teacher on certificates no teacher approved (automatic
  // rules); empty = such certificates have no teacher name.
  std::string signatory;
};

struct QuotaConfig {
  long long per_month = 0;  // 0: no quota
};

struct NotifyConfig {
  std::string outbox_dir = "outbox";
  Duration delivery_report_delay{3 * 3600};
  bool attach_pdf = true;
};

// Where the ledger lives (docs/postgresql.md). SQLite: data_dir/certd.sqlite,
// one machine. PostgreSQL: a database several `certd run` processes share.
struct StoreConfig {
  std::string kind = "sqlite";  // sqlite | postgresql
  Secret url;                   // postgresql: a libpq URI, which may hold a password
  // This process's name in the work it claims; a restart takes back its
  // own claims at once. Default: the host name (one worker per machine).
  std::string worker;
};

struct Config {
  std::string source_file;  // the file it was loaded from
  LmsConfig lms;
  PortalConfig portal;
  WebhookConfig webhooks;
  LtiConfig lti;
  SmtpConfig smtp;
  IssuerConfig issuer;
  QuotaConfig quota;
  NotifyConfig notify;
  StoreConfig store;
  std::string data_dir = "data";
  std::string rules_dir = "rules";
  std::string templates_dir = "templates";
  std::string log_level = "info";
};

// Every error found in one file, each with file:line:column.
struct LoadResult {
  Config config;
  std::vector<Error> errors;
  bool ok() const { return errors.empty(); }
};

// Parses configuration text. Relative paths (data_dir, rules_dir,
// templates_dir, issuer.key_file, notify.outbox_dir, CA files, secret
// files) are resolved against `base_dir`; `file_name` appears in errors.
// Pure: reads no files and no environment.
LoadResult parse(std::string_view text, const std::string& file_name, const std::string& base_dir);

// Reads and parses a file (relative paths resolve against its folder).
LoadResult load_file(const std::string& path);

// Reads a secret's value from its variable or file. Errors name the key,
// the variable or file, never the value, and are located where the
// config names the variable or file. A secret file readable by others is
// refused (permission_denied); an unset or empty variable is not_found, and
// so is a `$CREDENTIALS_DIRECTORY/NAME` file without that variable (systemd
// sets it only for a service with LoadCredential=) or without NAME in it.
Result<std::string> resolve(const Secret& secret);

// A worker's name (store.worker, certd run --worker) is written into claims
// and logs: 1 to 64 letters, digits, '-', '_' or '.'.
bool is_worker_name(const std::string& name);

}  // namespace certd::config
