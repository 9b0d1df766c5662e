#include "app/command.hpp"
#include "app/commands/commands.hpp"

namespace certd::app {

namespace {
const CommandSpec k_commands[] = {
    {"demo", "run a whole demo school (simulated LMS, SQLite, mail outbox) and print a summary", define_demo},
    {"preview", "render one certificate with sample data, stamped PREVIEW and unsigned", define_preview},
    {"run", "the daemon: poll the LMS, take webhooks, issue, write back, e-mail", define_run},
    {"check-config", "validate the configuration, rule files and templates", define_check_config},
    {"pending", "the queue of certificates to be issued: list, approve, hold", define_pending},
    {"issue", "issue an ad-hoc certificate (template, teacher, notes; no rule)", define_issue},
    {"issue-now", "issue a rule's certificate now, whatever the student's progress", define_issue_now},
    {"reissue", "revoke a certificate (reason: reissued) and issue it again with a new number", define_reissue},
    {"revoke", "revoke a certificate with a reason", define_revoke},
    {"batch", "issue from a CSV file in the background: import, status, cancel", define_batch},
    {"verify", "check a certificate PDF offline, or a number against the store", define_verify},
    {"report", "certificates, deliveries or verifications as a table or CSV", define_report},
    {"events", "what came in, what failed and why: list, retry failed events", define_events},
    {"status", "the daemon's state from the store: last poll, skipped conditions, queues, quota, key", define_status},
    {"notify", "resend certificate e-mails", define_notify},
    {"lti", "the teacher console as an LTI 1.3 tool: what to enter in Moodle (show)", define_lti},
    {"user", "local console accounts for sign-in without an LMS: add, list, passwd, disable", define_user},
    {"token", "API tokens for the console's JSON API: create, list, revoke", define_token},
    {"backup", "copy the store, its PDFs and the keys (encrypted) to one file, while certd runs", define_backup},
    {"restore", "restore a backup file into an empty data dir", define_restore},
    {"migrate-store", "move the store from SQLite to PostgreSQL (several workers on one database)",
     define_migrate_store},
    {"simulate-lms", "serve a simulated Moodle school over HTTP (for demos and tests)", define_simulate_lms},
};
}  // namespace

const CommandSpec* command_table(int* count) {
  *count = static_cast<int>(sizeof k_commands / sizeof k_commands[0]);
  return k_commands;
}

}  // namespace certd::app
