// An independent reader: PyJWT (Debian's python3-jwt, with
// python3-cryptography) verifies what we sign and signs what we verify.
// scripts/setup.sh installs both, so a missing one fails the test rather
// than skipping it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lti/jwt.hpp"
#include "test_keys.hpp"

namespace certd::lti {
namespace {

using testing::platform_key;

// Debian's interpreter, where python3-jwt lives (a python3 earlier on PATH,
// such as pyenv's, may not have it).
constexpr const char* k_python = "/usr/bin/python3";

constexpr const char* k_script = R"(import json, sys
import jwt

mode, folder = sys.argv[1], sys.argv[2]
def read(name):
    with open(folder + "/" + name) as f:
        return f.read()

if mode == "verify":
    token = read("token.jwt")
    by_pem = jwt.decode(token, read("public.pem"), algorithms=["RS256"], audience="certd-client-1")
    by_jwk = jwt.decode(token, jwt.PyJWK(json.loads(read("jwks.json"))["keys"][0]).key,
                        algorithms=["RS256"], audience="certd-client-1")
    assert by_pem == by_jwk
    print(jwt.get_unverified_header(token)["kid"])
    print(json.dumps(by_pem, sort_keys=True, ensure_ascii=False))
elif mode == "sign":
    claims = {"iss": "https://moodle.example.edu", "sub": "17", "name": "Zo\u00eb"}
    print(jwt.encode(claims, read("private.pem"), algorithm="RS256", headers={"kid": read("kid.txt")}))
)";

class PyJwt : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() / ("certd-pyjwt-" + std::to_string(::getpid()));
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
    write("check.py", k_script);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(m_dir / name, std::ios::binary) << text;
  }

  // Runs the script; fails the test (with what Python said) unless it
  // exits with 0.
  std::string run(const std::string& mode) {
    std::string command = std::string(k_python) + " " + (m_dir / "check.py").string() + " " + mode + " " +
                          m_dir.string() + " 2>&1";
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) {
      ADD_FAILURE() << "cannot run " << k_python;
      return out;
    }
    std::array<char, 1024> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
    int status = ::pclose(pipe);
    EXPECT_EQ(status, 0) << k_python << " with PyJWT failed (are python3-jwt and python3-cryptography installed? "
                         << "scripts/setup.sh installs them):\n"
                         << out;
    return out;
  }

  std::filesystem::path m_dir;
};

TEST_F(PyJwt, VerifiesATokenWeSigned) {
  const std::string claims = R"({"aud":"certd-client-1","iss":"https://moodle.example.edu","name":"Zoë","sub":"17"})";
  write("token.jwt", *sign_rs256(claims, platform_key()));
  write("public.pem", platform_key().public_pem());
  write("jwks.json", platform_key().public_jwks_json());
  std::string out = run("verify");
  std::size_t newline = out.find('\n');
  ASSERT_NE(newline, std::string::npos) << out;
  EXPECT_EQ(out.substr(0, newline), platform_key().kid());
  auto verified = nlohmann::json::parse(out.substr(newline + 1), nullptr, /*allow_exceptions=*/false);
  EXPECT_EQ(verified, nlohmann::json::parse(claims)) << out;
}

TEST_F(PyJwt, SignsATokenWeVerify) {
  write("private.pem", platform_key().private_pem());
  write("kid.txt", platform_key().kid());
  std::string token = run("sign");
  while (!token.empty() && token.back() == '\n') token.pop_back();
  KeySet keys;
  keys.add(platform_key());
  auto claims = verify_rs256(token, keys);
  ASSERT_TRUE(claims) << claims.error().to_string() << "\n" << token;
  auto parsed = nlohmann::json::parse(*claims);
  EXPECT_EQ(parsed["iss"], "https://moodle.example.edu");
  EXPECT_EQ(parsed["sub"], "17");
  EXPECT_EQ(parsed["name"], "Zoë");
  EXPECT_EQ(peek_header(token)->kid, platform_key().kid());
}

}  // namespace
}  // namespace certd::lti
