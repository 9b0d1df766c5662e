#include "app/runtime.hpp"

#include "app/store_factory.hpp"

#include <iostream>
#include <set>

#include "connector/moodle/moodle_lms.hpp"
#include "core/file_util.hpp"
#include "notify/notifier.hpp"
#include "portal/webhook_verifier.hpp"
#include "rules/condition_reads.hpp"
#include "rules/rule_set.hpp"
#include "store/store.hpp"

namespace certd::app {

Runtime::Runtime() = default;
Runtime::~Runtime() = default;

Result<std::unique_ptr<Runtime>> open_runtime(const GlobalOptions& globals) {
  auto runtime = std::make_unique<Runtime>();
  CERTD_ASSIGN_OR_RETURN(runtime->school, load_school(globals.config_path));
  CERTD_ASSIGN_OR_RETURN(runtime->store, open_store(runtime->school.config));
  runtime->archive = std::make_unique<PdfArchive>(runtime->school.config.data_dir);
  const config::Config& config = runtime->school.config;
  IssuerOptions options{config.issuer.name, config.portal.public_url, /*lms_writeback=*/true,
                        config.lms.certificate_profile_field, config.lms.issued_activity, 2};
  runtime->issuer = std::make_unique<Issuer>(options, runtime->school.templates, *runtime->school.signer,
                                             *runtime->store, *runtime->archive, runtime->clock);
  return runtime;
}

Result<std::unique_ptr<Runtime>> open_store_runtime(const GlobalOptions& globals) {
  auto runtime = std::make_unique<Runtime>();
  CERTD_ASSIGN_OR_RETURN(runtime->school, load_school_settings(globals.config_path));
  CERTD_TRY(make_directories(runtime->school.config.data_dir));
  CERTD_ASSIGN_OR_RETURN(runtime->store, open_store(runtime->school.config));
  runtime->archive = std::make_unique<PdfArchive>(runtime->school.config.data_dir);
  return runtime;
}

// Without a list in the config, the courses the rules name are watched.
static std::vector<std::string> watched_courses(const config::Config& config, const rules::RuleSet* rules) {
  if (!config.lms.courses.empty() || !rules) return config.lms.courses;
  std::set<std::string> courses;
  for (const rules::Rule& rule : rules->rules()) courses.insert(rule.course);
  return {courses.begin(), courses.end()};
}

// What the LMS is asked per course: only the facts some rule of that course
// reads (a course whose rules read competencies costs no completion calls).
static std::map<std::string, connector::FactsNeeded> facts_needed(const rules::RuleSet& rules) {
  std::map<std::string, connector::FactsNeeded> by_course;
  for (const rules::Rule& rule : rules.rules()) {
    rules::FactsRead read = rules::facts_read(rule.when);
    auto [entry, added] = by_course.try_emplace(rule.course, connector::FactsNeeded{false, false, false});
    connector::FactsNeeded& needed = entry->second;
    (void)added;
    needed.completion = needed.completion || read.completion;
    needed.grades = needed.grades || read.grades;
    needed.skills = needed.skills || read.skills;
  }
  return by_course;
}

Result<std::unique_ptr<connector::Lms>> make_lms(const config::Config& config, const rules::RuleSet* rules,
                                                const Clock& clock) {
  CERTD_ASSIGN_OR_RETURN(std::string token, config::resolve(config.lms.token));
  connector::moodle::MoodleOptions options;
  options.url = config.lms.url;
  options.token = std::move(token);
  options.request_timeout = std::chrono::seconds(config.lms.request_timeout.count());
  options.ca_file = config.lms.ca_file;
  options.max_connections = config.lms.max_connections;
  options.max_requests_per_second = config.lms.max_requests_per_second;
  options.courses = watched_courses(config, rules);
  options.completions_report = config.lms.completions_report;
  options.issue_now_activity = config.lms.issue_now_activity;
  options.guardian_email_field = config.lms.guardian_email_field;
  options.sweep_budget = static_cast<int>(config.lms.sweep_budget);
  options.completion_lookback = std::chrono::seconds(config.lms.completion_lookback.count());
  options.teacher_roles = config.lms.teacher_roles;
  auto lms = connector::moodle::make_moodle_lms(std::move(options), clock);
  if (lms && rules) (*lms)->set_facts_needed(facts_needed(*rules));
  return lms;
}

Result<std::unique_ptr<notify::Notifier>> make_notifier(const config::Config& config) {
  if (config.smtp.url.empty()) return notify::make_outbox_folder_notifier(config.notify.outbox_dir);
  notify::SmtpOptions options;
  options.url = config.smtp.url;
  if (config.smtp.username.configured()) {
    CERTD_ASSIGN_OR_RETURN(options.username, config::resolve(config.smtp.username));
  }
  if (config.smtp.password.configured()) {
    CERTD_ASSIGN_OR_RETURN(options.password, config::resolve(config.smtp.password));
  }
  options.ca_file = config.smtp.ca_file;
  options.timeout = config.smtp.timeout;
  return notify::make_smtp_notifier(std::move(options));
}

Result<std::unique_ptr<portal::WebhookVerifier>> make_webhook_verifier(const config::Config& config,
                                                                       std::vector<Error>* problems) {
  if (config.webhooks.sources.empty()) return std::unique_ptr<portal::WebhookVerifier>();
  auto verifier = std::make_unique<portal::WebhookVerifier>(config.webhooks.tolerance);
  std::vector<Error> found;
  for (const config::WebhookSource& source : config.webhooks.sources) {
    Result<std::string> secret = config::resolve(source.secret);
    if (!secret) {
      found.push_back(secret.error());
    } else if (Status added = verifier->add_source(source.name, *secret); !added) {
      found.emplace_back(added.error().code(), source.secret.key + ": " + added.error().message(),
                         source.secret.where);
    }
    if (!found.empty() && !problems) break;
  }
  if (found.empty()) return verifier;
  Error first = found.front();
  if (problems) problems->insert(problems->end(), found.begin(), found.end());
  return first;
}

int fail(const std::string& command, const Error& error) {
  std::cerr << "certd " << command << ": " << error.to_string() << "\n";
  bool bad_input = error.code() == ErrorCode::invalid_argument || error.code() == ErrorCode::parse_error;
  return bad_input ? k_exit_usage : k_exit_failure;
}

}  // namespace certd::app
