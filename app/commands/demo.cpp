// certd demo: the whole flow on a simulated school, in one process.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands/commands.hpp"
#include "app/daemon.hpp"
#include "app/demo_school.hpp"
#include "app/examples_dir.hpp"
#include "app/runtime.hpp"
#include "app/stop_signals.hpp"
#include "app/store_factory.hpp"
#include "connector/lms.hpp"
#include "connector/simulator/server.hpp"
#include "core/file_util.hpp"
#include "core/free_port.hpp"
#include "core/log.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* k_marker = ".certd-demo";
constexpr int k_max_cycles = 5;

struct DemoOptions {
  std::string out_dir = "demo-out";
  int students = 0;  // 0: as many as the demo school has
  std::string smtp_url;
  int port = 0;
  bool serve = false;
  bool json_output = false;
};

// A fresh output folder each run; a folder certd did not make is never
// emptied.
Status prepare_out_dir(const fs::path& out) {
  std::error_code ec;
  if (fs::exists(out) && !fs::is_empty(out, ec)) {
    if (!fs::exists(out / k_marker))
      return Error(ErrorCode::invalid_argument, out.string() + " exists and was not made by certd demo; choose another --out");
    fs::remove_all(out, ec);
    if (ec) return Error(ErrorCode::unavailable, "cannot clear " + out.string() + ": " + ec.message());
  }
  CERTD_TRY(make_directories(out.string()));
  return write_file_atomically((out / k_marker).string(), "made by certd demo; emptied by the next demo run\n");
}

// The effective configuration, so every other command works on the demo's
// data afterwards (`certd pending list --config demo-out/certd.yaml`).
Status write_config(const fs::path& out, const config::Config& c) {
  auto q = [](const std::string& text) { return json(text).dump(); };  // JSON strings are YAML scalars
  std::string text =
      "# Written by certd demo: the demo school's effective configuration.\n"
      "lms:\n  kind: moodle\n  url: " + q(c.lms.url) + "   # the simulator, gone when the demo ends\n"
      "  token_env: CERTD_LMS_TOKEN\n"
      "portal:\n  listen: " + q(c.portal.listen.to_string()) + "\n  public_url: " + q(c.portal.public_url) + "\n"
      "issuer:\n  name: " + q(c.issuer.name) + "\n  key_file: " + q(c.issuer.key_file) + "\n  email: " + q(c.issuer.email) + "\n"
      "lti:\n  key_file: " + q(c.lti.key_file) + "\n  platforms:   # the simulator, gone when the demo ends\n"
      "    - { issuer: " + q(c.lti.platforms.at(0).issuer) + ", client_id: " + q(c.lti.platforms.at(0).client_id) +
      ", deployment_ids: [\"1\"] }\n"
      "data_dir: " + q(c.data_dir) + "\nrules_dir: " + q(c.rules_dir) + "\ntemplates_dir: " + q(c.templates_dir) + "\n";
  if (!c.smtp.url.empty()) text += "smtp:\n  url: " + q(c.smtp.url) + "\n  from: " + q(c.smtp.from) + "\n";
  return write_file_atomically((out / "certd.yaml").string(), text);
}

Result<config::Config> demo_config(const fs::path& examples, const fs::path& out, const std::string& lms_url,
                                   int port, const std::string& smtp_url) {
  config::LoadResult loaded = config::load_file((examples / "certd.yaml").string());
  if (!loaded.ok()) return loaded.errors.front();
  config::Config c = std::move(loaded.config);
  c.lms.url = lms_url;
  // The simulator is on loopback: no need to spare it like a real site.
  c.lms.max_requests_per_second = 1000;
  c.data_dir = fs::absolute(out / "data").string();
  c.issuer.key_file = c.data_dir + "/issuer.key";
  c.notify.outbox_dir = c.data_dir + "/outbox";
  c.portal.listen = config::ListenAddress{"127.0.0.1", static_cast<std::uint16_t>(port)};
  c.portal.public_url = "http://127.0.0.1:" + std::to_string(port);
  c.webhooks.sources.clear();  // no webhook sender in the demo
  c.portal.admin_token = config::Secret{};
  // The simulator is also the LTI platform that opens the console.
  config::LtiPlatformConfig platform;
  platform.issuer = lms_url;
  platform.client_id = "certd-demo";
  platform.auth_url = lms_url + "/mod/lti/auth.php";
  platform.jwks_url = lms_url + "/mod/lti/certs.php";
  platform.deployment_ids = {"1"};
  c.lti.platforms = {platform};
  c.lti.key_file = c.data_dir + "/lti.key";
  if (!smtp_url.empty()) {
    c.smtp.url = smtp_url;
    c.smtp.from = c.issuer.name + " <" + (c.issuer.email.empty() ? "certd@localhost" : c.issuer.email) + ">";
  }
  return c;
}

int count_files(const fs::path& dir, const std::string& extension) {
  std::error_code ec;
  int n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec))
    if (entry.path().extension() == extension) ++n;
  return n;
}

struct Summary {
  std::vector<store::CertificateRow> issued;
  std::size_t pending = 0;
  int emails = 0;
  long long lms_notes = 0;
  long long lms_messages = 0;
  std::int64_t failed_events = 0;     // kept with their reason, retried (certd events list --failed)
  std::size_t failed_deliveries = 0;  // outbox items given up
  int students = 0;
};

void print_text(const Summary& s, const config::Config& c, const fs::path& out) {
  std::cout << "certd demo: " << c.issuer.name << " on a simulated Moodle (" << s.students << " students)\n\n";
  std::cout << "  issued:                " << s.issued.size() << " certificates\n";
  for (const store::CertificateRow& row : s.issued)
    std::cout << "      " << row.certificate.number << "  " << row.certificate.student_name << " — "
              << row.certificate.course << "\n";
  std::cout << "  waiting for approval:  " << s.pending << "  (certd pending list --config " << (out / "certd.yaml").string()
            << ")\n";
  if (c.smtp.url.empty())
    std::cout << "  e-mails written:       " << s.emails << "  (in " << c.notify.outbox_dir << ")\n";
  else
    std::cout << "  e-mails sent:          " << s.emails << "  (through " << c.smtp.url << ")\n";
  std::cout << "  written back to LMS:   " << s.lms_notes << " notes, " << s.lms_messages << " messages\n";
  std::cout << "  failed:                " << s.failed_events << " events (certd events list --failed --config "
            << (out / "certd.yaml").string() << "), " << s.failed_deliveries << " deliveries\n";
  std::cout << "  portal:                " << c.portal.public_url << "\n";
  std::cout << "  teacher console:       run with --serve: it prints links that open it from the simulated Moodle\n";
  if (!s.issued.empty()) {
    const store::NewCertificate& first = s.issued.front().certificate;
    std::cout << "\n  verify a certificate:  " << c.portal.public_url << "/v/" << first.number << "\n";
    std::cout << "  a family's page:       " << c.portal.public_url << "/c/" << first.claim_token << "\n";
    std::cout << "  check its PDF offline: certd verify " << c.data_dir << "/" << first.pdf_path << " --config "
              << (out / "certd.yaml").string() << "\n";
  }
}

void print_json(const Summary& s, const config::Config& c, const fs::path& out) {
  json issued = json::array();
  for (const store::CertificateRow& row : s.issued)
    issued.push_back({{"number", row.certificate.number}, {"student", row.certificate.student_name},
                      {"course", row.certificate.course}, {"kind", row.certificate.kind},
                      {"pdf", c.data_dir + "/" + row.certificate.pdf_path}});
  json summary{{"issued", issued},        {"issued_count", s.issued.size()}, {"pending", s.pending},
               {"emails", s.emails},      {"lms_notes", s.lms_notes},        {"lms_messages", s.lms_messages},
               {"failed_events", s.failed_events}, {"failed_deliveries", s.failed_deliveries},
               {"students", s.students},  {"portal_url", c.portal.public_url}, {"config", (out / "certd.yaml").string()},
               {"outbox", c.notify.outbox_dir}};
  std::cout << summary.dump() << "\n";
}

Result<Summary> summarize(const School& school, const connector::simulator::Server& simulator, int students) {
  CERTD_ASSIGN_OR_RETURN(auto store, open_store(school.config));
  Summary s;
  CERTD_ASSIGN_OR_RETURN(s.issued, store->recent_certificates(100000));
  std::reverse(s.issued.begin(), s.issued.end());
  CERTD_ASSIGN_OR_RETURN(auto pending, store->pending_with_status(store::PendingStatus::pending));
  s.pending = pending.size();
  CERTD_ASSIGN_OR_RETURN(s.failed_events, store->count_events(store::EventStatus::failed));
  CERTD_ASSIGN_OR_RETURN(auto given_up, store->outbox_with_status(store::OutboxStatus::failed));
  s.failed_deliveries = given_up.size();
  if (school.config.smtp.url.empty()) {
    s.emails = count_files(school.config.notify.outbox_dir, ".eml");
  } else {
    CERTD_ASSIGN_OR_RETURN(auto sent, store->notifications(std::nullopt, std::nullopt));
    s.emails = static_cast<int>(std::count_if(sent.begin(), sent.end(), [](const auto& n) { return n.status == "sent"; }));
  }
  connector::simulator::ServerStats stats = simulator.stats();
  for (const auto& [id, count] : stats.notes_by_client_id) s.lms_notes += count;
  for (const auto& [id, count] : stats.messages_by_client_id) s.lms_messages += count;
  s.students = students;
  return s;
}

int demo(const GlobalOptions& globals, const DemoOptions& o) {
  StopSignals signals;  // before any thread starts
  log::Level level = log::Level::warn;
  if (!globals.log_level.empty()) log::parse_level(globals.log_level, &level);
  log::set_level(level);

  auto examples = examples_dir();
  if (!examples) return fail("demo", examples.error());
  fs::path out = fs::absolute(o.out_dir);
  if (auto prepared = prepare_out_dir(out); !prepared) return fail("demo", prepared.error());

  auto world = demo_school((*examples / "school.yaml").string(), o.students > 0 ? o.students : 1);
  if (!world) return fail("demo", world.error());
  int students = count_students(*world);
  ::setenv("CERTD_LMS_TOKEN", world->token.c_str(), 1);  // the simulator's documented demo token
  auto simulator = connector::simulator::Server::start(std::move(*world));
  if (!simulator) return fail("demo", simulator.error());

  int port = o.port;
  // Known before listening: the public URL (printed in QR codes) needs it.
  if (port == 0) port = pick_free_port("127.0.0.1");
  auto config = demo_config(*examples, out, (*simulator)->url(), port, o.smtp_url);
  if (!config) return fail("demo", config.error());
  if (auto written = write_config(out, *config); !written) return fail("demo", written.error());
  const std::string& portal_url = config->portal.public_url;
  if (auto registered = (*simulator)->register_lti_tool({portal_url + "/lti/login", portal_url + "/lti/launch", "",
                                                         "certd-demo", "1"});
      !registered)
    return fail("demo", registered.error());
  auto school = load_school(std::move(*config));
  if (!school) return fail("demo", school.error());

  SystemClock clock;
  auto lms = make_lms(school->config, &school->rules, clock);
  if (!lms) return fail("demo", lms.error());
  auto notifier = make_notifier(school->config);
  if (!notifier) return fail("demo", notifier.error());
  DaemonOptions options;
  options.portal_port = port;
  Daemon daemon(*school, lms->get(), **notifier, clock, options);
  if (auto started = daemon.start(); !started) return fail("demo", started.error());
  // Cycles until one finds nothing more to do: the first poll sees every
  // completion; write-backs and e-mails drain in the same cycle.
  for (int cycle = 0; cycle < k_max_cycles; ++cycle) {
    auto stats = daemon.run_once();
    if (!stats) return fail("demo", stats.error());
    if (stats->changes == 0 && stats->events == 0 && stats->delivered == 0) break;
  }
  auto summary = summarize(*school, **simulator, students);
  if (!summary) return fail("demo", summary.error());
  if (o.json_output) print_json(*summary, school->config, out);
  else print_text(*summary, school->config, out);
  if (o.serve) {
    const std::string launch = (*simulator)->url() + "/_sim/lti/launch?username=";
    std::cerr << "serving the portal at " << school->config.portal.public_url << " until Ctrl-C\n"
              << "open the console as a teacher (Tina Teacher, Swim level 3), as from a link in the course page:\n  "
              << launch << "teacher1&course=SWIM-L3\n"
              << "or as a student (Zo\u00eb, First aid):\n  " << launch << "student00&course=FA-101\n";
    signals.wait();
  }
  return k_exit_ok;
}

}  // namespace

void define_demo(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto options = std::make_shared<DemoOptions>();
  command.add_option("--out", options->out_dir, "folder for the store, PDFs and mail outbox")->capture_default_str();
  command.add_option("--students", options->students, "students in the demo school (default: the school's own)")
      ->check(CLI::Range(1, 100000));
  command.add_option("--smtp", options->smtp_url, "send real mail through this SMTP URL instead of the outbox");
  command.add_option("--port", options->port, "portal port (default: any free port)")->check(CLI::Range(0, 65535));
  command.add_flag("--serve", options->serve, "keep the portal up until SIGINT/SIGTERM");
  command.add_flag("--json", options->json_output, "print the summary as one JSON object");
  handler = [&globals, options] { return demo(globals, *options); };
}

}  // namespace certd::app
