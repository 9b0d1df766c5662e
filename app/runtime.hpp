#pragma once
// What commands that act on a school share: the school loaded from the
// config, its store, PDF archive and issuer, and (when configured) the
// LMS and the mail sender. Built by open_runtime(); owned by the command.

#include <memory>
#include <string>
#include <vector>

#include "app/command.hpp"
#include "app/issuer.hpp"
#include "app/pdf_archive.hpp"
#include "app/school.hpp"
#include "core/clock.hpp"

namespace certd::connector {
class Lms;
}
namespace certd::notify {
class Notifier;
}
namespace certd::portal {
class WebhookVerifier;
}
namespace certd::store {
class Store;
}
namespace certd::rules {
class RuleSet;
}

namespace certd::app {

struct Runtime {
  SystemClock clock;
  School school;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<PdfArchive> archive;
  std::unique_ptr<Issuer> issuer;

  Runtime();
  ~Runtime();
};

enum class WithLms { no, yes };

// Loads the school and opens its store. Errors keep their code: a config,
// rule or template error is invalid_argument (exit 2).
Result<std::unique_ptr<Runtime>> open_runtime(const GlobalOptions& globals);

// The configuration and the store only (load_school_settings: no
// templates, rules or issuer; issuer is null), for
// commands that read or change rows and render nothing: user, token,
// report, events, pending list/hold, batch status/cancel. Loading the
// templates cuts every font, about 2 s of CPU per call here; and a broken
// template must not keep the office from adding an account or reading a
// report. A config error is invalid_argument (exit 2).
Result<std::unique_ptr<Runtime>> open_store_runtime(const GlobalOptions& globals);

// The LMS adapter the config describes (needs its token). Without
// lms.courses it watches the courses the rules name.
Result<std::unique_ptr<connector::Lms>> make_lms(const config::Config& config, const rules::RuleSet* rules,
                                                const Clock& clock);

// SMTP when configured, else the .eml outbox folder.
Result<std::unique_ptr<notify::Notifier>> make_notifier(const config::Config& config);

// The verifier of webhooks.sources, each source with its own secret; null
// when no source is configured. Every source's secret is read and checked
// (readable, whsec_<base64 of 24..64 bytes>, not another source's); an
// error is located at that source's secret key, names the source and
// never holds the secret. With `problems`, every source is tried and each
// error is added there (check-config names them all); the result's error
// is then the first.
Result<std::unique_ptr<portal::WebhookVerifier>> make_webhook_verifier(const config::Config& config,
                                                                       std::vector<Error>* problems = nullptr);

// Prints "certd CMD: message" and returns 2 for invalid_argument or
// parse_error (bad input), 1 otherwise.
int fail(const std::string& command, const Error& error);

}  // namespace certd::app
