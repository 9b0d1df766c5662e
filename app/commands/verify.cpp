#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>

#include "app/certificate_status.hpp"
#include "app/commands/commands.hpp"
#include "app/issuer_key.hpp"
#include "app/store_factory.hpp"
#include "app/terminal_text.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/file_util.hpp"
#include "core/time_format.hpp"
#include "render/certificate_number.hpp"
#include "render/pdf_verifier.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {

// Exit codes beyond command.hpp's 0, 1 and 2 (README "Command line").
constexpr int k_exit_revoked = 3;
constexpr int k_exit_expired = 4;

struct VerifyOptions {
  std::string target;
  std::string public_key_file;
  bool online = false;
  std::string portal_url;  // --portal-url; else the config's portal.public_url
};

Result<config::Config> load_config(const std::string& path) {
  config::LoadResult loaded = config::load_file(path);
  if (loaded.ok()) return std::move(loaded.config);
  for (const Error& error : loaded.errors) std::cerr << error.to_string() << "\n";
  return Error(ErrorCode::invalid_argument, "the configuration " + path + " has errors");
}

// The issuer's public key: from --public-key, else derived from the
// configured private key (which verification never creates).
Result<render::PublicKey> issuer_public_key(const VerifyOptions& options, const std::optional<config::Config>& config) {
  if (!options.public_key_file.empty()) return load_public_key_file(options.public_key_file);
  CERTD_ASSIGN_OR_RETURN(render::Signer signer, load_issuer_key(config->issuer.key_file));
  return render::PublicKey::from_pem(signer.public_key().pem());
}

// The configuration, needed for the key (without --public-key) and for
// the status: with --public-key it is read only when the file exists.
Result<std::optional<config::Config>> verify_config(const VerifyOptions& options, const GlobalOptions& globals) {
  std::error_code ec;
  if (!options.public_key_file.empty() && !std::filesystem::exists(globals.config_path, ec))
    return std::optional<config::Config>();
  CERTD_ASSIGN_OR_RETURN(config::Config config, load_config(globals.config_path));
  return std::optional<config::Config>(std::move(config));
}

// Names come from outside (a CSV, the LMS): printed terminal-safe. The
// title is what the award is called (an ad-hoc award has no course); a
// certificate signed before payloads named it has no title line.
void print_facts(const render::PayloadFacts& facts) {
  std::cout << "  number:  " << terminal_safe(facts.number) << "\n  student: " << terminal_safe(facts.student) << "\n";
  if (facts.title && !facts.title->empty()) std::cout << "  title:   " << terminal_safe(*facts.title) << "\n";
  std::cout << "  course:  " << terminal_safe(facts.course) << "\n  issuer:  " << terminal_safe(facts.issuer)
            << "\n  issued:  " << terminal_safe(facts.issued_at) << "\n";
  if (facts.expires_at) std::cout << "  expires: " << terminal_safe(*facts.expires_at) << "\n";
}

// Where the status of a validly signed certificate comes from: the
// portal with --online, else the store when there is one and it holds
// the number. nullopt with `why_not` set when it was not checked.
Result<std::optional<CertificateStatus>> look_up_status(const VerifyOptions& options,
                                                        const std::optional<config::Config>& config,
                                                        const std::string& number, TimePoint now,
                                                        std::string& why_not) {
  if (options.online) {
    std::string base = !options.portal_url.empty() ? options.portal_url : config ? config->portal.public_url : "";
    if (base.empty())
      return Error(ErrorCode::invalid_argument, "--online needs --portal-url, or --config with portal.public_url");
    CERTD_ASSIGN_OR_RETURN(CertificateStatus status, status_from_portal(base, number));
    return std::optional<CertificateStatus>(std::move(status));
  }
  if (!config) {
    why_not = "no store and no --online: it may have been revoked since";
    return std::optional<CertificateStatus>();
  }
  CERTD_ASSIGN_OR_RETURN(std::optional<CertificateStatus> status, status_from_store(*config, number, now));
  if (!status) why_not = describe_store(*config) + " does not hold this number (try --online)";
  return status;
}

// The line's verdict and the exit code, once the signature is valid.
std::pair<std::string, int> status_verdict(const std::optional<CertificateStatus>& status, bool payload_expired) {
  if (status && status->state == CertificateState::revoked) return {"REVOKED", k_exit_revoked};
  if ((status && status->state == CertificateState::expired) || payload_expired) return {"EXPIRED", k_exit_expired};
  if (status && status->state == CertificateState::unknown) return {"UNKNOWN", k_exit_failure};
  return {"VALID", k_exit_ok};
}

std::string status_detail(const std::optional<CertificateStatus>& status) {
  if (!status) return "";
  switch (status->state) {
    case CertificateState::revoked:
      return "; revoked" + (status->revoked_on ? " on " + *status->revoked_on : std::string()) +
             (status->reason.empty() ? std::string() : " (reason: " + terminal_safe(status->reason) + ")");
    case CertificateState::expired:
      return "; expired" + (status->expired_on ? " on " + *status->expired_on : std::string());
    case CertificateState::unknown: return "; but its issuer does not know this number";
    case CertificateState::valid: return "";
  }
  return "";
}

int verify_file(const VerifyOptions& options, const GlobalOptions& globals) {
  auto config = verify_config(options, globals);
  if (!config) return k_exit_usage;
  auto key = issuer_public_key(options, *config);
  if (!key) {
    std::cerr << "certd verify: " << key.error().message() << "\n";
    return k_exit_usage;
  }
  // The file is untrusted: it is read only up to the verifier's size
  // limit, and a larger one gets the verifier's own verdict.
  const render::PdfLimits limits;
  auto pdf = read_file(options.target, limits.max_file_bytes);
  if (!pdf && pdf.error().code() == ErrorCode::invalid_argument) {
    std::cout << options.target << ": " << render::to_string(render::PdfVerdict::refused) << " - "
              << pdf.error().message() << "\n";
    return k_exit_failure;
  }
  if (!pdf) {
    std::cerr << "certd verify: " << pdf.error().message() << "\n";
    return k_exit_usage;
  }
  render::PdfVerification result = render::verify_pdf(*pdf, *key, limits);
  if (result.verdict != render::PdfVerdict::valid) {
    std::cout << options.target << ": " << render::to_string(result.verdict) << " - " << result.message << "\n";
    return k_exit_failure;
  }
  // Only a valid signature makes the status worth asking: the number is
  // the issuer's own.
  TimePoint now = SystemClock().now();
  std::string why_not;
  auto status = look_up_status(options, *config, result.facts->number, now, why_not);
  if (!status) {
    std::cout << options.target << ": VALID - " << result.message << "\n  status not checked: "
              << status.error().message() << "\n";
    return status.error().code() == ErrorCode::invalid_argument ? k_exit_usage : k_exit_failure;
  }
  bool payload_expired = false;
  if (result.facts->expires_at) {
    auto expires = parse_iso8601(*result.facts->expires_at);
    payload_expired = expires && *expires <= now;
  }
  auto [verdict, code] = status_verdict(*status, payload_expired);
  std::cout << options.target << ": " << verdict << " - " << result.message << status_detail(*status) << "\n";
  if (*status)
    std::cout << "  status from " << (*status)->source << "\n";
  else
    std::cout << "  status not checked: " << why_not << (payload_expired ? " (expired by its signed date)" : "")
              << "\n";
  print_facts(*result.facts);
  return code;
}

std::string verification_result(const store::CertificateRow& row, TimePoint now) {
  if (row.status == store::CertificateStatus::revoked) return "revoked";
  if (row.certificate.expires_at && *row.certificate.expires_at <= to_unix(now)) return "expired";
  return "valid";
}

int report_number(const std::string& number, const std::optional<store::CertificateRow>& row, const std::string& result) {
  if (!row) {
    std::cout << number << ": UNKNOWN - no certificate with this number was issued here\n";
    return k_exit_failure;
  }
  const store::NewCertificate& c = row->certificate;
  std::string upper = result;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char ch) { return std::toupper(ch); });
  std::cout << number << ": " << upper;
  if (result == "revoked")
    std::cout << " on " << format_date(from_unix(row->revoked_at.value_or(0))) << " (reason: "
              << terminal_safe(row->revoke_reason) << ")";
  if (result == "expired") std::cout << " on " << format_date(from_unix(*c.expires_at));
  std::cout << "\n  student: " << terminal_safe(c.student_name) << "\n";
  if (!c.title.empty()) std::cout << "  title:   " << terminal_safe(c.title) << "\n";
  std::cout << "  course:  " << terminal_safe(c.course) << "\n  issued:  " << format_date(from_unix(c.issued_at))
            << "\n";
  if (c.expires_at) std::cout << "  expires: " << format_date(from_unix(*c.expires_at)) << "\n";
  if (result == "revoked") return k_exit_revoked;
  if (result == "expired") return k_exit_expired;
  return k_exit_ok;
}

int verify_number(const std::string& number, const GlobalOptions& globals) {
  if (!render::valid_number(number)) {
    std::cout << number << ": INVALID - not a certificate number (a character is mistyped, or the format is wrong)\n";
    return k_exit_failure;
  }
  auto config = load_config(globals.config_path);
  if (!config) return k_exit_usage;
  auto store = open_store(*config);
  if (!store) {
    std::cerr << "certd verify: " << store.error().message() << "\n";
    return k_exit_failure;
  }
  auto row = (*store)->certificate_by_number(number);
  if (!row) {
    std::cerr << "certd verify: " << row.error().message() << "\n";
    return k_exit_failure;
  }
  TimePoint now = SystemClock().now();
  std::string result = *row ? verification_result(**row, now) : "unknown";
  if (auto recorded = (*store)->record_verification(store::NewVerification{number, result, "cli", to_unix(now)});
      !recorded)
    std::cerr << "certd verify: could not record the look-up: " << recorded.error().message() << "\n";
  return report_number(number, *row, result);
}

int verify(const VerifyOptions& options, const GlobalOptions& globals) {
  std::error_code ec;
  bool is_file = std::filesystem::is_regular_file(options.target, ec) ||
                 std::filesystem::path(options.target).extension() == ".pdf";
  if (is_file) return verify_file(options, globals);
  std::string number = options.target;
  std::transform(number.begin(), number.end(), number.begin(), [](unsigned char c) { return std::toupper(c); });
  return verify_number(number, globals);
}

}  // namespace

void define_verify(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<VerifyOptions>();
  command.add_option("target", o->target, "a certificate PDF, or a certificate number")->required();
  command.add_option("--public-key", o->public_key_file,
                     "issuer public key (PEM) to check a PDF against (default: derived from issuer.key_file)");
  command.add_flag("--online", o->online,
                   "ask the portal whether the certificate was revoked ({portal}/v/NUMBER.json) instead of the store");
  command.add_option("--portal-url", o->portal_url, "the portal --online asks (default: portal.public_url)");
  command.footer(
      "A PDF's status comes from the portal with --online, else from the store of --config when it holds the "
      "number; otherwise it is not checked (said so).\n"
      "Exit status: 0 valid; 1 tampered, wrong key, unsigned, unreadable, refused, unknown number, or the status "
      "could not be read; 2 bad usage or config; 3 revoked; 4 expired.");
  handler = [o, &globals] { return verify(*o, globals); };
}

}  // namespace certd::app
