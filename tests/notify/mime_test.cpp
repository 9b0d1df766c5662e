#include "notify/mime.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace certd::notify {
namespace {

Message sample() {
  Message m;
  m.from = "Riverside Swim School <certs@riverside.example>";
  m.to = "Zoë Ångström-Łukasiewicz <zoe@family.example>";
  m.subject = "Swimming Level 3 for Zoë — well done";
  m.text_body = "Hello,\nZoë passed Level 3.\n";
  m.html_body = "<p>Zoë passed <b>Level 3</b>.</p>";
  std::string pdf = "%PDF-1.4\n";
  for (int i = 0; i < 3000; ++i) pdf += static_cast<char>(i % 256);
  m.attachments.push_back({"certificate-SWL3-7K4M-9QXA.pdf", "application/pdf", pdf});
  m.message_id = "<SWL3-7K4M-9QXA.student@certd>";
  m.date = from_unix(1795437296);
  return m;
}

// Parses the message with Python's email package, a real MIME parser,
// and prints what a mail client would show.
std::string parse_with_python(const std::string& bytes) {
  auto path = std::filesystem::temp_directory_path() / ("certd-mime-" + std::to_string(::getpid()) + ".eml");
  std::ofstream(path, std::ios::binary) << bytes;
  std::string command =
      "/usr/bin/python3 -c \"import email,email.policy,hashlib,sys\n"
      "m=email.message_from_bytes(open(sys.argv[1],'rb').read(),policy=email.policy.default)\n"
      "print(m['Subject']); print(m['To'].addresses[0].display_name); print(m['Date'])\n"
      "print(m.get_body(('plain',)).get_content().strip())\n"
      "a=list(m.iter_attachments())[0]; print(a.get_filename(), len(a.get_content()), "
      "hashlib.sha256(a.get_content()).hexdigest()[:16])\" " +
      path.string();
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 1024> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
  ::pclose(pipe);
  std::filesystem::remove(path);
  return out;
}

std::string sha256_prefix(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < 8; ++i) {
    hex += digits[digest[i] >> 4];
    hex += digits[digest[i] & 15];
  }
  return hex;
}

TEST(Mime, AMailClientReadsSubjectNamesBodyAndAttachment) {
  Message m = sample();
  auto bytes = compose_mime(m);
  ASSERT_TRUE(bytes) << bytes.error().to_string();
  std::string shown = parse_with_python(*bytes);
  EXPECT_EQ(shown, "Swimming Level 3 for Zoë — well done\n"
                   "Zoë Ångström-Łukasiewicz\n"
                   "Mon, 23 Nov 2026 12:34:56 +0000\n"
                   "Hello,\nZoë passed Level 3.\n"
                   "certificate-SWL3-7K4M-9QXA.pdf 3009 " +
                       sha256_prefix(m.attachments[0].bytes) + "\n");
}

TEST(Mime, SameMessageGivesSameBytes) {
  EXPECT_EQ(*compose_mime(sample()), *compose_mime(sample()));
}

TEST(Mime, RefusesHeaderInjectionAndNonAddresses) {
  Message m = sample();
  m.subject = "Hi\r\nBcc: everyone@example.com";
  EXPECT_EQ(compose_mime(m).error().code(), ErrorCode::invalid_argument);
  m = sample();
  m.to = "not an address";
  EXPECT_EQ(compose_mime(m).error().code(), ErrorCode::invalid_argument);
}

TEST(Mime, AddressOfTakesTheAngleAddress) {
  EXPECT_EQ(address_of("School <a@b.example>"), "a@b.example");
  EXPECT_EQ(address_of("a@b.example"), "a@b.example");
  EXPECT_EQ(encode_header_text("plain"), "plain");
  EXPECT_EQ(encode_header_text("Zoë"), "=?UTF-8?B?Wm/Dqw==?=");
}

}  // namespace
}  // namespace certd::notify
