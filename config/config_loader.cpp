// Loads certd.yaml through one table of keys (docs/style.md §10): each row names
// its section, key, help text and how its value is read and checked.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "config/config.hpp"
#include "config/config_values.hpp"
#include "core/file_util.hpp"
#include "yaml/yaml_reader.hpp"

namespace certd::config {
namespace {

using yaml::MapReader;

// What a row's reader sees: the section's map and where paths resolve.
struct Context {
  MapReader& map;
  yaml::Diagnostics& diagnostics;
  const std::string& base_dir;
};

template <typename T, typename U>
void set(T& target, const std::optional<U>& value) {
  if (value) target = static_cast<T>(*value);
}

std::string absolute(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

void read_path(Context& c, std::string_view key, std::string& target) {
  if (auto value = c.map.string(key)) {
    if (value->empty()) {
      c.map.error_at(key, "must not be empty");
      return;
    }
    target = absolute(c.base_dir, *value);
  }
}

void read_url(Context& c, std::string_view key, std::string& target, const std::vector<std::string_view>& schemes) {
  auto value = c.map.string(key);
  if (!value) return;
  if (auto problem = check_url(*value, schemes)) {
    c.map.error_at(key, *problem);
    return;
  }
  target = *value;
}

// Secrets are named by `<key>_env` or `<key>_file`; an inline `<key>` is an
// error that points at it, so nobody commits a token in the YAML by mistake.
void read_secret(Context& c, std::string_view key, Secret& target) {
  std::string k(key);
  if (c.map.has(k)) c.map.error_at(k, "secrets are never written in the file; use " + k + "_env or " + k + "_file");
  auto env = c.map.string(k + "_env");
  auto file = c.map.string(k + "_file");
  if (env && file) {
    c.map.error_at(k + "_file", "give " + k + "_env or " + k + "_file, not both");
    return;
  }
  if (env) {
    if (!is_env_name(*env)) {
      c.map.error_at(k + "_env", "'" + *env + "' is not an environment variable name");
      return;
    }
    target = Secret{Secret::Source::env, *env, c.diagnostics.at(c.map.get(k + "_env")),
                    yaml::join_path(c.map.path(), k)};
  } else if (file) {
    std::string path = absolute(c.base_dir, *file);
    // A systemd credential stays as written (resolve() reads the variable),
    // not made relative to the config's folder.
    if (auto credential = credential_name(*file)) {
      if (auto problem = check_credential_name(*credential)) {
        c.map.error_at(k + "_file", *problem);
        return;
      }
      path = credential_path(*credential);
    }
    target = Secret{Secret::Source::file, std::move(path), c.diagnostics.at(c.map.get(k + "_file")),
                    yaml::join_path(c.map.path(), k)};
  }
}

void read_worker(Context& c, std::string& target) {
  auto value = c.map.string("worker");
  if (!value) return;
  if (!is_worker_name(*value)) {
    c.map.error_at("worker", "'" + *value + "' is not a worker name (1 to 64 letters, digits, '-', '_' or '.')");
    return;
  }
  target = *value;
}

// The {source} of /hooks/{source}: what the portal accepts in a path.
bool is_source_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](unsigned char ch) {
           return std::isalnum(ch) || ch == '-' || ch == '_';
         });
}

// One `webhooks.sources.<name>` entry: a map holding that source's secret.
void read_webhook_source(Context& c, const yaml::Entry& entry, std::vector<WebhookSource>& sources) {
  const std::string name = entry.key.Scalar();
  const std::string path = "webhooks.sources." + name;
  if (!is_source_name(name)) {
    c.diagnostics.error(entry.key, "webhooks.sources: '" + name +
                                       "' is not a source name (1 to 64 letters, digits, '-' or '_': the {source} "
                                       "of /hooks/{source})");
    return;
  }
  if (yaml::type_of(entry.value) == YAML::NodeType::Null) {
    c.diagnostics.error(entry.key, path + ": secret_env or secret_file is required");
    return;
  }
  MapReader map(entry.value, path, c.diagnostics);
  if (!map.valid()) return;
  Context source_context{map, c.diagnostics, c.base_dir};
  WebhookSource source{name, {}};
  read_secret(source_context, "secret", source.secret);
  map.finish();
  if (!map.has("secret") && !map.has("secret_env") && !map.has("secret_file"))
    c.diagnostics.error(entry.key, path + ": secret_env or secret_file is required");
  if (source.secret.configured()) sources.push_back(std::move(source));
}

// webhooks.sources: each sender with a secret of its own (docs/configuration.md).
void read_webhook_sources(Context& c, Config& g) {
  YAML::Node node = c.map.get("sources");
  const auto type = yaml::type_of(node);
  if (type == YAML::NodeType::Undefined || type == YAML::NodeType::Null) return;
  if (type != YAML::NodeType::Map) {
    c.map.error_at("sources", "must be a map of source names, e.g. sources: { moodle: { secret_env: "
                              "CERTD_WEBHOOK_SECRET } }");
    return;
  }
  for (const auto& item : node) read_webhook_source(c, yaml::Entry{item.first, item.second}, g.webhooks.sources);
}

// One secret for every source let a request signed for one source be
// replayed at another; the key is gone, and saying what to write instead
// beats "unknown key".
void refuse_single_webhook_secret(Context& c) {
  for (const char* key : {"secret", "secret_env", "secret_file"}) {
    if (!c.map.has(key)) continue;
    std::string given = std::string(key) == "secret" ? "" : c.map.string(key).value_or("");
    std::string example = std::string(key) == "secret" ? "secret_env: CERTD_WEBHOOK_SECRET"
                                                       : std::string(key) + ": " + (given.empty() ? "..." : given);
    c.map.error_at(key, "each webhook source now has a secret of its own; write instead: sources: { moodle: { " +
                            example + " } } (the source is the {source} of /hooks/{source})");
  }
}

// Like set(), for names resolved later against data_dir: "" would name
// data_dir itself.
void read_name(Context& c, std::string_view key, std::string& target) {
  if (auto value = c.map.string(key)) {
    if (value->empty()) c.map.error_at(key, "must not be empty");
    else target = *value;
  }
}

// One `lti.platforms` entry. Moodle's endpoints follow from its address,
// so a Moodle needs only issuer, client_id and deployment_ids.
void read_lti_platform(Context& c, const YAML::Node& node, std::size_t index, std::vector<LtiPlatformConfig>& out) {
  const std::string path = "lti.platforms[" + std::to_string(index) + "]";
  MapReader map(node, path, c.diagnostics);
  if (!map.valid()) return;
  Context platform_context{map, c.diagnostics, c.base_dir};
  LtiPlatformConfig platform;
  platform.where = c.diagnostics.at(node);
  read_url(platform_context, "issuer", platform.issuer, {"http", "https"});
  if (auto id = map.string("client_id", /*required=*/true)) {
    if (id->empty()) map.error_at("client_id", "must not be empty");
    platform.client_id = *id;
  }
  read_url(platform_context, "auth_url", platform.auth_url, {"http", "https"});
  read_url(platform_context, "jwks_url", platform.jwks_url, {"http", "https"});
  if (auto ids = map.string_list("deployment_ids", /*required=*/true)) {
    if (ids->empty()) map.error_at("deployment_ids", "must name at least one deployment (Moodle: the tool's id)");
    platform.deployment_ids = *ids;
  }
  if (!map.has("issuer")) map.missing("issuer");
  map.finish();
  std::string base = platform.issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (platform.auth_url.empty() && !base.empty()) platform.auth_url = base + "/mod/lti/auth.php";
  if (platform.jwks_url.empty() && !base.empty()) platform.jwks_url = base + "/mod/lti/certs.php";
  out.push_back(std::move(platform));
}

// lti.platforms: a list of LMSs that launch the console.
void read_lti_platforms(Context& c, Config& g) {
  YAML::Node node = c.map.get("platforms");
  const auto type = yaml::type_of(node);
  if (type == YAML::NodeType::Undefined || type == YAML::NodeType::Null) return;
  if (type != YAML::NodeType::Sequence) {
    c.map.error_at("platforms", "must be a list, e.g. platforms: [{ issuer: https://moodle.example.edu, "
                                "client_id: ..., deployment_ids: [\"1\"] }]");
    return;
  }
  for (std::size_t i = 0; i < node.size(); ++i) read_lti_platform(c, node[i], i, g.lti.platforms);
  // A launch finds its registration by issuer and client_id: two entries
  // with both equal would make one of them unreachable.
  for (std::size_t i = 0; i < g.lti.platforms.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (g.lti.platforms[i].issuer == g.lti.platforms[j].issuer &&
          g.lti.platforms[i].client_id == g.lti.platforms[j].client_id)
        c.diagnostics.error(g.lti.platforms[i].where, "lti.platforms[" + std::to_string(i) +
                                                          "]: the same issuer and client_id as lti.platforms[" +
                                                          std::to_string(j) + "]");
}

struct KeyRow {
  std::string_view section;  // "" for top-level scalars
  std::string_view key;
  std::string_view help;
  void (*read)(Context&, Config&);
  // Only for the few keys without a default: what to write, shown when
  // the key is missing. Secrets are written as `<key>_env` / `<key>_file`.
  std::string_view required = {};
  bool secret = false;
};

// The one table of configuration keys (docs/configuration.md documents
// each). Defaults are in config.hpp.
const KeyRow k_keys[] = {
    {"lms", "kind", "LMS type: moodle (or simulator, for demos)",
     [](Context& c, Config& g) { set(g.lms.kind, c.map.choice("kind", {"moodle", "simulator"})); }},
    {"lms", "url", "LMS base URL",
     [](Context& c, Config& g) { read_url(c, "url", g.lms.url, {"http", "https"}); },
     "the LMS base URL, e.g. https://moodle.example.org"},
    {"lms", "token", "web-service token (token_env / token_file)",
     [](Context& c, Config& g) { read_secret(c, "token", g.lms.token); },
     "where the Moodle web-service token is, e.g. token_env: CERTD_LMS_TOKEN", /*secret=*/true},
    {"lms", "poll_interval", "time between poll cycles",
     [](Context& c, Config& g) { set(g.lms.poll_interval, c.map.duration("poll_interval")); }},
    {"lms", "request_timeout", "inactivity timeout of one LMS request",
     [](Context& c, Config& g) { set(g.lms.request_timeout, c.map.duration("request_timeout")); }},
    {"lms", "courses", "course shortnames to watch",
     [](Context& c, Config& g) { set(g.lms.courses, c.map.string_list("courses")); }},
    {"lms", "teacher_roles", "course roles printed as the teacher on automatic certificates",
     [](Context& c, Config& g) { set(g.lms.teacher_roles, c.map.string_list("teacher_roles")); }},
    {"lms", "completions_report", "report-builder report id with course completions",
     [](Context& c, Config& g) { set(g.lms.completions_report, c.map.integer("completions_report", 1, 1LL << 40)); }},
    {"lms", "ca_file", "CA bundle for the LMS's TLS certificate",
     [](Context& c, Config& g) { read_path(c, "ca_file", g.lms.ca_file); }},
    {"lms", "max_connections", "concurrent LMS requests",
     [](Context& c, Config& g) { set(g.lms.max_connections, c.map.integer("max_connections", 1, 64)); }},
    {"lms", "max_requests_per_second", "LMS request rate limit",
     [](Context& c, Config& g) { set(g.lms.max_requests_per_second, c.map.number("max_requests_per_second", 0.1, 10000)); }},
    {"lms", "issue_now_activity", "name of the hidden 'issue now' activity",
     [](Context& c, Config& g) { set(g.lms.issue_now_activity, c.map.string("issue_now_activity")); }},
    {"lms", "issued_activity", "activity completed when a certificate is issued",
     [](Context& c, Config& g) { set(g.lms.issued_activity, c.map.string("issued_activity")); }},
    {"lms", "guardian_email_field", "custom profile field with the family's e-mail",
     [](Context& c, Config& g) { set(g.lms.guardian_email_field, c.map.string("guardian_email_field")); }},
    {"lms", "certificate_profile_field", "custom profile field that receives the certificate number",
     [](Context& c, Config& g) { set(g.lms.certificate_profile_field, c.map.string("certificate_profile_field")); }},

    {"lms", "sweep_budget", "pairs visited per poll for marks and ratings; 0 = all",
     [](Context& c, Config& g) { set(g.lms.sweep_budget, c.map.integer("sweep_budget", 0, 10000000)); }},
    {"lms", "completion_lookback", "how far back completions are re-read (late cron runs)",
     [](Context& c, Config& g) { set(g.lms.completion_lookback, c.map.duration("completion_lookback")); }},

    {"portal", "listen", "address:port of the portal (loopback by default)",
     [](Context& c, Config& g) {
       if (auto text = c.map.string("listen")) {
         if (auto address = parse_listen_address(*text)) g.portal.listen = *address;
         else c.map.error_at("listen", "bad listen address '" + *text + "' (expected host:port, e.g. 127.0.0.1:8080)");
       }
     }},
    {"portal", "public_url", "URL families and QR codes reach the portal at",
     [](Context& c, Config& g) { read_url(c, "public_url", g.portal.public_url, {"http", "https"}); }},
    {"portal", "admin_token", "teacher console / API token (admin_token_env / _file)",
     [](Context& c, Config& g) { read_secret(c, "admin_token", g.portal.admin_token); }},
    {"portal", "read_timeout", "time a client has to send one request, headers and body (408 after)",
     [](Context& c, Config& g) { set(g.portal.read_timeout, c.map.duration("read_timeout")); }},
    {"portal", "idle_timeout", "an open connection with no request under way is closed after this",
     [](Context& c, Config& g) { set(g.portal.idle_timeout, c.map.duration("idle_timeout")); }},
    {"portal", "shutdown_timeout", "at a stop, how long answers under way may take",
     [](Context& c, Config& g) { set(g.portal.shutdown_timeout, c.map.duration("shutdown_timeout")); }},
    {"portal", "max_connections", "open connections in all (503 above)",
     [](Context& c, Config& g) { set(g.portal.max_connections, c.map.integer("max_connections", 16, 1000000)); }},
    {"portal", "max_connections_per_client", "open connections from one IP address (503 above)",
     [](Context& c, Config& g) {
       set(g.portal.max_connections_per_client, c.map.integer("max_connections_per_client", 1, 1000000));
     }},

    {"webhooks", "sources", "senders, each with its Standard Webhooks secret: sources.NAME.secret_env / _file",
     [](Context& c, Config& g) { read_webhook_sources(c, g); }},
    {"webhooks", "secret", "(gone: each source has its own secret, webhooks.sources.NAME.secret_env / _file)",
     [](Context& c, Config&) { refuse_single_webhook_secret(c); }},
    {"webhooks", "tolerance", "accepted clock difference (replay window)",
     [](Context& c, Config& g) { set(g.webhooks.tolerance, c.map.duration("tolerance")); }},
    {"webhooks", "max_body", "largest accepted webhook body",
     [](Context& c, Config& g) { set(g.webhooks.max_body_bytes, c.map.size("max_body")); }},

    {"portal", "session_idle", "a console session ends after this long without a request",
     [](Context& c, Config& g) { set(g.portal.session_idle, c.map.duration("session_idle")); }},
    {"portal", "max_upload", "largest accepted console upload (a CSV batch)",
     [](Context& c, Config& g) { set(g.portal.max_upload_bytes, c.map.size("max_upload")); }},
    {"portal", "session_max", "a console session ends this long after sign-in, whatever happens",
     [](Context& c, Config& g) { set(g.portal.session_max, c.map.duration("session_max")); }},

    {"lti", "key_file", "the tool's RSA key for LTI 1.3 (created on first use, mode 0600)",
     [](Context& c, Config& g) { read_name(c, "key_file", g.lti.key_file); }},
    {"lti", "platforms", "LMSs that open the console: issuer, client_id, deployment_ids (auth_url, jwks_url)",
     [](Context& c, Config& g) { read_lti_platforms(c, g); }},

    {"smtp", "url", "smtp://host:587 (STARTTLS) or smtps://host:465",
     [](Context& c, Config& g) { read_url(c, "url", g.smtp.url, {"smtp", "smtps"}); }},
    {"smtp", "from", "sender, e.g. \"School <certs@example.edu>\"",
     [](Context& c, Config& g) { set(g.smtp.from, c.map.string("from")); }},
    {"smtp", "username", "SMTP user (username_env / _file)",
     [](Context& c, Config& g) { read_secret(c, "username", g.smtp.username); }},
    {"smtp", "password", "SMTP password (password_env / _file)",
     [](Context& c, Config& g) { read_secret(c, "password", g.smtp.password); }},
    {"smtp", "ca_file", "CA bundle for the SMTP server",
     [](Context& c, Config& g) { read_path(c, "ca_file", g.smtp.ca_file); }},
    {"smtp", "timeout", "SMTP timeout",
     [](Context& c, Config& g) { set(g.smtp.timeout, c.map.duration("timeout")); }},

    {"issuer", "name", "the school's name, printed and signed",
     [](Context& c, Config& g) { set(g.issuer.name, c.map.string("name")); }},
    {"issuer", "key_file", "Ed25519 private key (created on first use, mode 0600)",
     [](Context& c, Config& g) { read_name(c, "key_file", g.issuer.key_file); }},
    {"issuer", "email", "where delivery reports go",
     [](Context& c, Config& g) { set(g.issuer.email, c.map.string("email")); }},
    {"issuer", "signatory", "name printed as the teacher on automatic certificates",
     [](Context& c, Config& g) { set(g.issuer.signatory, c.map.string("signatory")); }},

    {"quota", "per_month", "certificates per calendar month; 0 = no quota",
     [](Context& c, Config& g) { set(g.quota.per_month, c.map.integer("per_month", 0, 100000000)); }},

    {"notify", "outbox_dir", "folder for .eml files when no SMTP server is set",
     [](Context& c, Config& g) { read_name(c, "outbox_dir", g.notify.outbox_dir); }},
    {"notify", "delivery_report_delay", "delay before a batch's delivery report",
     [](Context& c, Config& g) { set(g.notify.delivery_report_delay, c.map.duration("delivery_report_delay")); }},
    {"notify", "attach_pdf", "attach the PDF (else link to the family page)",
     [](Context& c, Config& g) { set(g.notify.attach_pdf, c.map.boolean("attach_pdf")); }},

    {"store", "kind", "sqlite (data_dir/certd.sqlite) or postgresql (shared by several certd run)",
     [](Context& c, Config& g) { set(g.store.kind, c.map.choice("kind", {"sqlite", "postgresql"})); }},
    {"store", "url", "postgresql: libpq URI (url_env / url_file), e.g. postgresql:///certd?host=/run/postgresql",
     [](Context& c, Config& g) { read_secret(c, "url", g.store.url); }},
    {"store", "worker", "this process's name among several workers (default: the host name)",
     [](Context& c, Config& g) { read_worker(c, g.store.worker); }},

    {"", "data_dir", "where the store, PDFs and keys live",
     [](Context& c, Config& g) { read_path(c, "data_dir", g.data_dir); }},
    {"", "rules_dir", "folder of rule files",
     [](Context& c, Config& g) { read_path(c, "rules_dir", g.rules_dir); }},
    {"", "templates_dir", "folder of certificate templates",
     [](Context& c, Config& g) { read_path(c, "templates_dir", g.templates_dir); }},
    {"", "log_level", "debug, info, warn or error",
     [](Context& c, Config& g) { set(g.log_level, c.map.choice("log_level", {"debug", "info", "warn", "error"})); }},
};

constexpr std::string_view k_sections[] = {"lms", "portal", "webhooks", "lti", "smtp", "issuer", "quota", "notify", "store"};

// Present with a value: an empty `key:` means "the default", like no key.
bool given(const YAML::Node& map, const std::string& key) {
  auto entry = yaml::find(map, key);
  return entry && yaml::type_of(entry->value) != YAML::NodeType::Null;
}

// A missing key with no default, reported where it belongs: at the key of
// its section, or at the top of the file when the section is missing too.
void require(const KeyRow& row, const std::optional<yaml::Entry>& section, yaml::Diagnostics& diagnostics) {
  const std::string key(row.key);
  const YAML::Node map = section ? section->value : YAML::Node(YAML::NodeType::Undefined);
  const std::string path = std::string(row.section) + ".";
  std::string names = path + key;
  if (row.secret) {
    if (given(map, key) || given(map, key + "_env") || given(map, key + "_file")) return;
    names = path + key + "_env or " + path + key + "_file";
  } else if (given(map, key)) {
    return;
  }
  SourceLocation where = section ? diagnostics.at(section->key) : SourceLocation{diagnostics.file(), 1, 1};
  diagnostics.error(std::move(where), names + " is required (" + std::string(row.required) + ")");
}

// A section may be absent or empty (`portal:` with nothing under it): its
// keys keep their defaults. Anything else but a map is an error.
void read_section(MapReader& top, std::string_view section, Config& config, yaml::Diagnostics& diagnostics,
                  const std::string& base_dir) {
  YAML::Node node = top.get(section);  // marks the section as known
  std::optional<yaml::Entry> entry = yaml::find(top.node(), section);
  const auto type = yaml::type_of(node);
  const bool empty = type == YAML::NodeType::Undefined || type == YAML::NodeType::Null;
  if (!empty) {
    MapReader map(node, std::string(section), diagnostics);
    if (!map.valid()) return;  // reported; its required keys would only repeat it
    Context context{map, diagnostics, base_dir};
    for (const KeyRow& row : k_keys)
      if (row.section == section) row.read(context, config);
    map.finish();
  }
  for (const KeyRow& row : k_keys)
    if (row.section == section && !row.required.empty()) require(row, entry, diagnostics);
}

// Paths not given in the file keep their relative defaults until here; the
// key and the mail outbox are relative to data_dir, not to the file.
void resolve_relative_defaults(Config& config, const std::string& base_dir) {
  config.data_dir = absolute(base_dir, config.data_dir);
  config.rules_dir = absolute(base_dir, config.rules_dir);
  config.templates_dir = absolute(base_dir, config.templates_dir);
  config.issuer.key_file = absolute(config.data_dir, config.issuer.key_file);
  config.lti.key_file = absolute(config.data_dir, config.lti.key_file);
  config.notify.outbox_dir = absolute(config.data_dir, config.notify.outbox_dir);
}

// Defaults that follow from other keys (documented in config.hpp).
void derive_defaults(Config& config) {
  if (config.issuer.name.empty()) config.issuer.name = url_host(config.lms.url);
  if (config.portal.public_url.empty()) config.portal.public_url = default_public_url(config.portal.listen);
}

// File order, so a person can work down the list; the sort is stable, so
// errors at one place keep the order they were found in.
std::vector<Error> in_file_order(std::vector<Error> errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const Error& a, const Error& b) {
    return std::make_pair(a.where().line, a.where().column) < std::make_pair(b.where().line, b.where().column);
  });
  return errors;
}

}  // namespace

bool is_worker_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](unsigned char ch) {
           return std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
         });
}

LoadResult parse(std::string_view text, const std::string& file_name, const std::string& relative_base) {
  // Absolute from here on, so a path is resolved once and stays put.
  // (The error_code overload: without a current directory this would throw.)
  std::error_code ec;
  std::filesystem::path base = std::filesystem::absolute(relative_base, ec);
  const std::string base_dir = (ec ? std::filesystem::path(relative_base) : base).lexically_normal().string();
  LoadResult result;
  result.config.source_file = file_name;
  yaml::Diagnostics diagnostics(file_name);
  auto document = yaml::parse(text, diagnostics);
  if (!document) {
    result.errors = diagnostics.take();
    return result;
  }
  // An empty file (or only comments) is a config with every default; what
  // it lacks is then reported at 1:1.
  if (yaml::type_of(*document) == YAML::NodeType::Null) document = YAML::Node(YAML::NodeType::Map);
  MapReader top(*document, "", diagnostics);
  if (top.valid()) {
    for (std::string_view section : k_sections) read_section(top, section, result.config, diagnostics, base_dir);
    Context context{top, diagnostics, base_dir};
    for (const KeyRow& row : k_keys)
      if (row.section.empty()) row.read(context, result.config);
    top.finish();
    resolve_relative_defaults(result.config, base_dir);
    derive_defaults(result.config);
    validate(result.config, *document, diagnostics);
  }
  result.errors = in_file_order(diagnostics.take());
  return result;
}

LoadResult load_file(const std::string& path) {
  auto text = read_file(path, yaml::Limits().max_bytes);
  if (!text) {
    LoadResult result;
    result.config.source_file = path;
    result.errors.emplace_back(text.error().code(), text.error().message(), SourceLocation{path, 0, 0});
    return result;
  }
  std::string base = std::filesystem::path(path).parent_path().string();
  return parse(*text, path, base.empty() ? "." : base);
}

}  // namespace certd::config
