#pragma once
// The define functions of every subcommand; one file each in commands/.

#include "app/command.hpp"

namespace certd::app {

void define_demo(CLI::App&, const GlobalOptions&, Handler&);
void define_preview(CLI::App&, const GlobalOptions&, Handler&);
void define_run(CLI::App&, const GlobalOptions&, Handler&);
void define_check_config(CLI::App&, const GlobalOptions&, Handler&);
void define_pending(CLI::App&, const GlobalOptions&, Handler&);
void define_issue(CLI::App&, const GlobalOptions&, Handler&);
void define_issue_now(CLI::App&, const GlobalOptions&, Handler&);
void define_reissue(CLI::App&, const GlobalOptions&, Handler&);
void define_revoke(CLI::App&, const GlobalOptions&, Handler&);
void define_batch(CLI::App&, const GlobalOptions&, Handler&);
void define_verify(CLI::App&, const GlobalOptions&, Handler&);
void define_report(CLI::App&, const GlobalOptions&, Handler&);
void define_events(CLI::App&, const GlobalOptions&, Handler&);
void define_status(CLI::App&, const GlobalOptions&, Handler&);
void define_notify(CLI::App&, const GlobalOptions&, Handler&);
void define_lti(CLI::App&, const GlobalOptions&, Handler&);
void define_user(CLI::App&, const GlobalOptions&, Handler&);
void define_token(CLI::App&, const GlobalOptions&, Handler&);
void define_backup(CLI::App&, const GlobalOptions&, Handler&);
void define_restore(CLI::App&, const GlobalOptions&, Handler&);
void define_migrate_store(CLI::App&, const GlobalOptions&, Handler&);
void define_simulate_lms(CLI::App&, const GlobalOptions&, Handler&);

}  // namespace certd::app
