#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>

#include "app/commands/commands.hpp"
#include "app/issuer_key.hpp"
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

struct VerifyOptions {
  std::string target;
  std::string public_key_file;
};

Result<config::Config> load_config(const std::string& path) {
  config::LoadResult loaded = config::load_file(path);
  if (loaded.ok()) return std::move(loaded.config);
  for (const Error& error : loaded.errors) std::cerr << error.to_string() << "\n";
  return Error(ErrorCode::invalid_argument, "the configuration " + path + " has errors");
}

// The issuer's public key: from --public-key, else derived from the
// configured private key (which verification never creates).
Result<render::PublicKey> issuer_public_key(const VerifyOptions& options, const GlobalOptions& globals) {
  if (!options.public_key_file.empty()) return load_public_key_file(options.public_key_file);
  CERTD_ASSIGN_OR_RETURN(config::Config config, load_config(globals.config_path));
  CERTD_ASSIGN_OR_RETURN(render::Signer signer, load_issuer_key(config.issuer.key_file));
  return render::PublicKey::from_pem(signer.public_key().pem());
}

// Names come from outside (a CSV, the LMS): printed terminal-safe.
void print_facts(const render::PayloadFacts& facts) {
  std::cout << "  number:  " << terminal_safe(facts.number) << "\n  student: " << terminal_safe(facts.student)
            << "\n  course:  " << terminal_safe(facts.course) << "\n  issuer:  " << terminal_safe(facts.issuer)
            << "\n  issued:  " << terminal_safe(facts.issued_at) << "\n";
  if (facts.expires_at) std::cout << "  expires: " << terminal_safe(*facts.expires_at) << "\n";
}

int verify_file(const VerifyOptions& options, const GlobalOptions& globals) {
  auto key = issuer_public_key(options, globals);
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
  bool expired = false;
  if (result.verdict == render::PdfVerdict::valid && result.facts->expires_at) {
    auto expires = parse_iso8601(*result.facts->expires_at);
    expired = expires && *expires <= SystemClock().now();
  }
  std::cout << options.target << ": " << (expired ? "EXPIRED" : render::to_string(result.verdict)) << " - "
            << result.message << "\n";
  if (result.facts && result.verdict == render::PdfVerdict::valid) print_facts(*result.facts);
  return result.verdict == render::PdfVerdict::valid && !expired ? k_exit_ok : k_exit_failure;
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
  std::cout << "\n  student: " << terminal_safe(c.student_name) << "\n  course:  " << terminal_safe(c.course)
            << "\n  issued:  " << format_date(from_unix(c.issued_at)) << "\n";
  if (c.expires_at) std::cout << "  expires: " << format_date(from_unix(*c.expires_at)) << "\n";
  return result == "valid" ? k_exit_ok : k_exit_failure;
}

int verify_number(const std::string& number, const GlobalOptions& globals) {
  if (!render::valid_number(number)) {
    std::cout << number << ": INVALID - not a certificate number (a character is mistyped, or the format is wrong)\n";
    return k_exit_failure;
  }
  auto config = load_config(globals.config_path);
  if (!config) return k_exit_usage;
  auto store = store::open_sqlite_store(config->data_dir + "/certd.sqlite");
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
  handler = [o, &globals] { return verify(*o, globals); };
}

}  // namespace certd::app
