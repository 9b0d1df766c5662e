// The listener adapter over real HTTP on loopback, driven by curl.
#include "portal/http_server.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>

namespace certd::portal {
namespace {

struct CurlResult {
  int status = 0;
  std::string body;
};

// Runs curl; the status code comes last on its own line.
CurlResult curl(const std::string& arguments) {
  std::string command = "curl -s -o - -w '\\n%{http_code}' " + arguments + " 2>/dev/null";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  ::pclose(pipe);
  auto newline = out.rfind('\n');
  return CurlResult{std::atoi(out.c_str() + newline + 1), out.substr(0, newline)};
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_server = std::make_unique<HttpServer>(HttpServerOptions{"127.0.0.1", 0, 1000}, [](const Request& r) {
      Response out;
      out.content_type = "text/plain";
      out.body = r.method + " " + r.path + " " + std::to_string(r.body.size()) + " " + r.header("x-test");
      return out;
    });
    ASSERT_TRUE(m_server->start());
    m_url = "http://127.0.0.1:" + std::to_string(m_server->port());
  }
  void TearDown() override { m_server->stop(); }

  std::unique_ptr<HttpServer> m_server;
  std::string m_url;
};

TEST_F(HttpServerTest, PassesMethodDecodedPathHeadersAndBody) {
  CurlResult r = curl("-H 'X-Test: yes' --data-binary 'hello' '" + m_url + "/v/A%2DB'");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /v/A-B 5 yes");
}

TEST_F(HttpServerTest, RefusesOversizedAndChunkedBodiesWithJson) {
  std::string file = ::testing::TempDir() + "big-body";
  std::FILE* out = std::fopen(file.c_str(), "wb");
  std::fwrite(std::string(5000, 'x').data(), 1, 5000, out);
  std::fclose(out);
  CurlResult big = curl("--data-binary @" + file + " '" + m_url + "/hooks/x'");
  std::remove(file.c_str());
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("\"status\":413"), std::string::npos) << big.body;
  CurlResult chunked = curl("-H 'Transfer-Encoding: chunked' --data-binary 'abc' '" + m_url + "/hooks/x'");
  EXPECT_EQ(chunked.status, 411);
}

TEST(HttpServer, FixedPortInUseIsAClearError) {
  HttpServer first(HttpServerOptions{"127.0.0.1", 0, 100}, [](const Request&) { return Response{}; });
  ASSERT_TRUE(first.start());
  HttpServer second(HttpServerOptions{"127.0.0.1", first.port(), 100}, [](const Request&) { return Response{}; });
  auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message().find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos);
}

}  // namespace
}  // namespace certd::portal
