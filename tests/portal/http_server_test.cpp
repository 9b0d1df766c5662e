// The portal's HTTP server over real sockets on loopback: what well-formed
// clients get (curl), and what broken or hostile ones get (raw sockets):
// limits, timeouts, connection caps, a full handler pool, shutdown.
#include "portal/http_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "raw_http.hpp"

namespace certd::portal {
namespace {

using namespace std::chrono_literals;
using certd::testing::body_of;
using certd::testing::RawConnection;
using certd::testing::status_of;

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

Response echo(const Request& r) {
  Response out;
  out.content_type = "text/plain";
  out.body = r.method + " " + r.path + " " + std::to_string(r.body.size()) + " " + r.header("x-test");
  return out;
}

// What the server's own errors look like: a page saying the status for a
// person (with the portal's security headers), {"error": {"status": N}}
// for the paths programs use; closed after it unless `closed` is false.
::testing::AssertionResult is_page(const std::string& response, int status, bool closed = true) {
  if (status_of(response) != status) return ::testing::AssertionFailure() << "not " << status << ": " << response;
  if (response.find("\r\nContent-Type: text/html; charset=utf-8\r\n") == std::string::npos ||
      body_of(response).find("<p class=\"eyebrow\">Error " + std::to_string(status) + "</p>") == std::string::npos)
    return ::testing::AssertionFailure() << "not a page saying " << status << ": " << response;
  if (response.find("\r\nContent-Security-Policy: default-src 'none';") == std::string::npos ||
      response.find("\r\nX-Frame-Options: DENY\r\n") == std::string::npos)
    return ::testing::AssertionFailure() << "without the security headers: " << response;
  if (closed && response.find("\r\nConnection: close\r\n") == std::string::npos)
    return ::testing::AssertionFailure() << "not closed: " << response;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_json_error(const std::string& response, int status, bool closed = true) {
  if (status_of(response) != status) return ::testing::AssertionFailure() << "not " << status << ": " << response;
  auto body = nlohmann::json::parse(body_of(response), nullptr, /*allow_exceptions=*/false);
  if (response.find("\r\nContent-Type: application/json\r\n") == std::string::npos || !body.is_object() ||
      !body.contains("error") || body["error"].value("status", 0) != status ||
      !body["error"]["message"].is_string())
    return ::testing::AssertionFailure() << "not JSON saying " << status << ": " << response;
  if (closed && response.find("\r\nConnection: close\r\n") == std::string::npos)
    return ::testing::AssertionFailure() << "not closed: " << response;
  return ::testing::AssertionSuccess();
}

// The headers of a person's browser: server errors for it are pages.
const std::string k_browser = "Host: a\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html,application/xhtml+xml\r\n";

HttpServerOptions small_limits() {
  HttpServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.max_body = 1000;
  o.max_header_bytes = 2048;
  o.max_header_count = 20;
  o.max_target = 256;
  o.read_timeout = 400ms;
  o.idle_timeout = 400ms;
  return o;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpServerOptions options = small_limits(), RequestHandler handler = echo) {
    m_server = std::make_unique<HttpServer>(std::move(options), std::move(handler));
    ASSERT_TRUE(m_server->start());
    m_url = "http://127.0.0.1:" + std::to_string(m_server->port());
  }
  void TearDown() override {
    if (m_server) m_server->stop();
  }
  int port() const { return m_server->port(); }

  // One request on a fresh connection; the raw response.
  std::string exchange(const std::string& request, std::chrono::milliseconds limit = 2s) {
    RawConnection c(port());
    EXPECT_TRUE(c.connected());
    c.send(request);
    return c.read_response(limit);
  }

  std::unique_ptr<HttpServer> m_server;
  std::string m_url;
};

TEST_F(HttpServerTest, PassesMethodDecodedPathHeadersAndBody) {
  start();
  CurlResult r = curl("-H 'X-Test: yes' --data-binary 'hello' '" + m_url + "/v/A%2DB?x=1'");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /v/A-B 5 yes");
}

TEST_F(HttpServerTest, PassesTheClientAddressAndTheRawQuery) {
  start(small_limits(), [](const Request& r) {
    Response out;
    out.body = r.client + " " + r.query;
    return out;
  });
  EXPECT_EQ(curl("'" + m_url + "/x?a=%41&b'").body, "127.0.0.1 a=%41&b");
}

// A sign-in sets the session's cookie and clears the login form's: both
// must go out. Any other header named twice keeps its last value.
TEST_F(HttpServerTest, EverySetCookieGoesOutAndOtherHeadersOnce) {
  start(small_limits(), [](const Request&) {
    Response out;
    out.headers = {{"Set-Cookie", "a=1; Path=/"}, {"Set-Cookie", "b=; Max-Age=0"}, {"X-Kind", "first"},
                   {"X-Kind", "last"}};
    return out;
  });
  std::string response = exchange("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_NE(response.find("\r\nSet-Cookie: a=1; Path=/\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("\r\nSet-Cookie: b=; Max-Age=0\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("\r\nX-Kind: last\r\n"), std::string::npos) << response;
  EXPECT_EQ(response.find("X-Kind: first"), std::string::npos) << response;
}

// Uploads get their larger limit under their prefix only.
TEST_F(HttpServerTest, TheUploadLimitHoldsUnderItsPrefixOnly) {
  HttpServerOptions options = small_limits();
  options.max_upload_body = 5000;
  options.upload_prefix = "/console/";
  start(options);
  std::string body(3000, 'x');
  std::string upload = exchange("POST /console/course/X/batches HTTP/1.1\r\nHost: a\r\nContent-Length: 3000\r\n"
                                "Connection: close\r\n\r\n" + body);
  EXPECT_EQ(status_of(upload), 200) << upload;
  std::string elsewhere = exchange("POST /hooks/moodle HTTP/1.1\r\nHost: a\r\nContent-Length: 3000\r\n"
                                   "Connection: close\r\n\r\n" + body);
  EXPECT_TRUE(is_json_error(elsewhere, 413)) << elsewhere;
  std::string chunked = exchange("POST /v/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                 "Connection: close\r\n\r\nBB8\r\n" + body + "\r\n0\r\n\r\n");
  EXPECT_EQ(status_of(chunked), 413) << chunked;
  std::string too_big = exchange("POST /console/course/X/batches HTTP/1.1\r\nHost: a\r\nContent-Length: 6000\r\n"
                                 "Connection: close\r\n\r\n");
  EXPECT_EQ(status_of(too_big), 413) << too_big;
}

TEST_F(HttpServerTest, RefusesADeclaredOversizedBodyWithoutReadingIt) {
  start();
  // The body never comes: the answer must not wait for it.
  std::string response = exchange("POST /hooks/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n");
  EXPECT_EQ(status_of(response), 413);
  EXPECT_NE(body_of(response).find("\"status\":413"), std::string::npos) << response;
}

TEST_F(HttpServerTest, OversizedBodyThroughCurlIs413Json) {
  start();
  std::string file = ::testing::TempDir() + "big-body";
  std::FILE* out = std::fopen(file.c_str(), "wb");
  std::fwrite(std::string(5000, 'x').data(), 1, 5000, out);
  std::fclose(out);
  CurlResult big = curl("--data-binary @" + file + " '" + m_url + "/hooks/x'");
  std::remove(file.c_str());
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("\"status\":413"), std::string::npos) << big.body;
}

TEST_F(HttpServerTest, ChunkedBodiesAreDecodedWhateverTheCaseOfTheHeader) {
  start();
  for (const char* encoding : {"chunked", "Chunked", "CHUNKED"}) {
    std::string response = exchange(std::string("POST /hooks/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ") + encoding +
                                     "\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    EXPECT_EQ(status_of(response), 200) << encoding;
    EXPECT_EQ(body_of(response), "POST /hooks/x 5 ") << encoding;
  }
}

TEST_F(HttpServerTest, AnOversizedChunkedBodyIsCutAtTheLimit) {
  start();
  RawConnection c(port());
  c.send("POST /hooks/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n");
  // Ten times the limit in 100-byte chunks; the server answers once the
  // limit is crossed and stops reading, so some sends may fail.
  std::string chunk = "64\r\n" + std::string(100, 'x') + "\r\n";
  for (int i = 0; i < 100 && c.send(chunk); ++i) {
  }
  std::string response = c.read_response(2s);
  EXPECT_EQ(status_of(response), 413) << response;
}

TEST_F(HttpServerTest, HugeHeadersTooManyHeadersAndLongTargetsAreRefused) {
  start();
  std::string huge = exchange("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(10000, 'a') + "\r\n\r\n");
  EXPECT_EQ(status_of(huge), 431);
  EXPECT_NE(body_of(huge).find("\"status\":431"), std::string::npos);

  std::string many = "GET /healthz HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 30; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  EXPECT_EQ(status_of(exchange(many + "\r\n")), 431);

  EXPECT_EQ(status_of(exchange("GET /" + std::string(300, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n")), 414);
  // A request line longer than all the header bytes allowed.
  EXPECT_EQ(status_of(exchange("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n")), 431);
}

TEST_F(HttpServerTest, MalformedRequestsGet400) {
  start();
  // Not even a request line: a page, the friendlier guess.
  EXPECT_TRUE(is_page(exchange("HELLO\r\n\r\n"), 400));
  EXPECT_TRUE(is_page(exchange("GET /v/%zz HTTP/1.1\r\nHost: a\r\n\r\n"), 400));
  EXPECT_TRUE(is_json_error(exchange("GET /api/%zz HTTP/1.1\r\nHost: a\r\n\r\n"), 400));
  EXPECT_TRUE(is_json_error(exchange("GET /v/%zz.json?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"), 400));
  EXPECT_TRUE(is_page(exchange("GET http://evil/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400));
  // A request line that was read, then a header that is not one.
  EXPECT_TRUE(is_page(exchange("GET /v/X HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n"), 400));
  EXPECT_TRUE(is_json_error(exchange("GET /v/X.json HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n"), 400));
}

TEST_F(HttpServerTest, TraceIsRefusedAndEchoesNothing) {
  start();
  std::string response = exchange("TRACE / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer s3cret\r\nCookie: c=s3cret\r\n\r\n");
  EXPECT_EQ(status_of(response), 405);
  EXPECT_EQ(response.find("s3cret"), std::string::npos) << response;
  EXPECT_NE(response.find("Allow: GET, HEAD, POST, OPTIONS"), std::string::npos) << response;
}

TEST_F(HttpServerTest, HeadSendsTheLengthOfTheBodyItLeavesOut) {
  start();
  RawConnection c(port());
  c.expect_no_body(true);
  c.send("HEAD /abc HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string response = c.read_response(2s);
  EXPECT_EQ(status_of(response), 200);
  EXPECT_NE(response.find("Content-Length: 12\r\n"), std::string::npos) << response;  // "HEAD /abc 0 "
  EXPECT_EQ(body_of(response), "");
  // Nothing else follows: the next request's answer is the next bytes.
  c.expect_no_body(false);
  c.send("GET /abc HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(body_of(c.read_response(2s)), "GET /abc 0 ");
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  RawConnection c(port());
  c.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(body_of(c.read_response(2s)), "GET /one 0 ");
  EXPECT_EQ(body_of(c.read_response(2s)), "GET /two 0 ");
}

TEST_F(HttpServerTest, AStalledBodyGets408AndIsClosed) {
  start();
  RawConnection c(port());
  c.send("POST /hooks/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
  std::string response = c.read_response(3s);
  EXPECT_EQ(status_of(response), 408) << response;
  EXPECT_TRUE(c.wait_closed(3s));
  EXPECT_GE(m_server->stats().timed_out, 1u);
}

TEST_F(HttpServerTest, HalfSentHeadersGet408) {
  start();
  RawConnection c(port());
  c.send("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ");
  EXPECT_EQ(status_of(c.read_response(3s)), 408);
}

TEST_F(HttpServerTest, IdleConnectionsAreClosed) {
  start();
  RawConnection silent(port());
  EXPECT_TRUE(silent.wait_closed(3s));
  RawConnection kept(port());
  kept.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(status_of(kept.read_response(2s)), 200);
  EXPECT_TRUE(kept.wait_closed(3s)) << "a keep-alive connection with no next request is closed too";
  // The server's count drops back once they are gone.
  for (int i = 0; i < 100 && m_server->stats().open_connections > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(m_server->stats().open_connections, 0u);
}

TEST_F(HttpServerTest, ConnectionsPerClientAreCapped) {
  HttpServerOptions options = small_limits();
  options.max_connections_per_client = 3;
  options.idle_timeout = 10s;
  start(options);
  std::vector<RawConnection> held;
  for (int i = 0; i < 3; ++i) held.emplace_back(port());
  for (int i = 0; i < 100 && m_server->stats().open_connections < 3; ++i) std::this_thread::sleep_for(10ms);
  RawConnection extra(port());
  extra.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string refused = extra.read_response(2s);
  // Refused before anything is read: a page, the friendlier guess.
  EXPECT_TRUE(is_page(refused, 503));
  EXPECT_NE(body_of(refused).find("Too many connections from your address"), std::string::npos) << refused;
  EXPECT_EQ(m_server->stats().refused_connections, 1u);

  held.pop_back();  // one leaves: room for one more
  for (int i = 0; i < 100 && m_server->stats().open_connections > 2; ++i) std::this_thread::sleep_for(10ms);
  RawConnection next(port());
  next.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(status_of(next.read_response(2s)), 200);
}

// A handler that waits until the test lets it go.
class Gate {
 public:
  Response pass(const Request& r) {
    std::unique_lock<std::mutex> lock(m_mutex);
    ++m_waiting;
    m_changed.notify_all();
    m_changed.wait(lock, [&] { return m_open; });
    return echo(r);
  }
  void wait_for(int waiting) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait_for(lock, 5s, [&] { return m_waiting >= waiting; });
  }
  void open() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_open = true;
    m_changed.notify_all();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  int m_waiting = 0;
  bool m_open = false;
};

TEST_F(HttpServerTest, AFullHandlerPoolAnswers503AtOnce) {
  Gate gate;
  HttpServerOptions options = small_limits();
  options.handler_threads = 1;
  options.max_pending = 1;
  options.read_timeout = 5s;
  start(options, [&](const Request& r) { return gate.pass(r); });
  RawConnection first(port());
  first.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
  gate.wait_for(1);
  std::string busy = exchange("GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(status_of(busy), 503) << busy;
  EXPECT_NE(busy.find("Retry-After: 1"), std::string::npos);
  // A page for people, JSON for programs; the connection stays open, as
  // it did: the client may try again on it.
  std::string page = exchange("GET /v/SWL3-7K4M-9QXR HTTP/1.1\r\n" + k_browser + "\r\n");
  EXPECT_TRUE(is_page(page, 503, /*closed=*/false));
  EXPECT_NE(page.find("\r\nRetry-After: 1\r\n"), std::string::npos) << page;
  std::string json = exchange("GET /v/SWL3-7K4M-9QXR.json HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(is_json_error(json, 503, /*closed=*/false));
  EXPECT_NE(json.find("\r\nRetry-After: 1\r\n"), std::string::npos) << json;
  gate.open();
  EXPECT_EQ(body_of(first.read_response(2s)), "GET /first 0 ");
}

TEST_F(HttpServerTest, StalledClientsDoNotHoldTheHandlers) {
  HttpServerOptions options = small_limits();
  options.handler_threads = 1;
  options.read_timeout = 10s;
  options.idle_timeout = 10s;
  start(options);
  std::vector<RawConnection> stalled;
  for (int i = 0; i < 100; ++i) {
    stalled.emplace_back(port());
    stalled.back().send("POST /hooks/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
  }
  // With one handler thread, any stalled body reaching the handler would
  // block this request until the 10 s read timeout.
  std::string response = exchange("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n", 5s);
  EXPECT_EQ(body_of(response), "GET /ok 0 ");
}

TEST_F(HttpServerTest, StopLetsARequestUnderWayFinishAndClosesTheRest) {
  Gate gate;
  HttpServerOptions options = small_limits();
  options.read_timeout = 10s;
  options.idle_timeout = 10s;
  start(options, [&](const Request& r) { return gate.pass(r); });
  RawConnection idle(port());
  RawConnection stalled(port());
  stalled.send("POST /hooks/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
  RawConnection busy(port());
  busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  gate.wait_for(1);
  std::thread stopper([&] { m_server->stop(); });
  EXPECT_TRUE(idle.wait_closed(2s));
  EXPECT_TRUE(stalled.wait_closed(2s));
  gate.open();
  std::string answer = busy.read_response(2s);
  EXPECT_EQ(body_of(answer), "GET /slow 0 ");
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  stopper.join();
  EXPECT_FALSE(RawConnection(port()).connected());
}

TEST_F(HttpServerTest, StopReturnsWithinTheShutdownTimeoutWhenAHandlerIsSlow) {
  Gate gate;
  HttpServerOptions options = small_limits();
  options.shutdown_timeout = 200ms;
  start(options, [&](const Request& r) { return gate.pass(r); });
  RawConnection busy(port());
  busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  gate.wait_for(1);
  // stop() waits for the pool's running handler; let it go once the
  // server has given up on the connection.
  std::thread opener([&] {
    std::this_thread::sleep_for(500ms);
    gate.open();
  });
  m_server->stop();
  opener.join();
  EXPECT_TRUE(busy.wait_closed(1s));
}

// The errors the server answers itself, before any handler, follow the
// portal's rule: a page for a person's browser, JSON for the paths programs
// use (.json, /api, /hooks/, /keys, /healthz), judged by the request line.

TEST_F(HttpServerTest, A408IsAPageForPeopleAndJsonForPrograms) {
  start();
  struct Case {
    std::string request;
    bool page;
  };
  const std::vector<Case> cases = {
      {"GET /v/SWL3-7K4M-9QXR HTTP/1.1\r\n" + k_browser + "X-Slow: ", true},
      {"GET /v/SWL3-7K4M-9QXR.json HTTP/1.1\r\nHost: a\r\nX-Slow: ", false},
      {"POST /c/family1 HTTP/1.1\r\n" + k_browser + "Content-Length: 10\r\n\r\nabc", true},
      {"POST /hooks/moodle HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc", false},
      {"GET /api/x", true},  // not even the request line: a page
  };
  // All at once: each waits for the read timeout.
  std::vector<RawConnection> connections;
  for (const Case& c : cases) {
    connections.emplace_back(port());
    connections.back().send(c.request);
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string response = connections[i].read_response(3s);
    if (cases[i].page)
      EXPECT_TRUE(is_page(response, 408)) << cases[i].request;
    else
      EXPECT_TRUE(is_json_error(response, 408)) << cases[i].request;
  }
}

TEST_F(HttpServerTest, A413IsAPageForPeopleAndJsonForPrograms) {
  start();
  EXPECT_TRUE(
      is_page(exchange("POST /v/SWL3-7K4M-9QXR HTTP/1.1\r\n" + k_browser + "Content-Length: 5000\r\n\r\n"), 413));
  EXPECT_TRUE(is_json_error(exchange("POST /hooks/moodle HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n"), 413));
  EXPECT_TRUE(is_json_error(exchange("POST /api/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n"), 413));
}

TEST_F(HttpServerTest, A414IsAPageForPeopleAndJsonForProgramsAndShowsNothingOfTheTarget) {
  HttpServerOptions options = small_limits();
  options.issuer_name = "Riverside Swim School";
  start(options);
  std::string long_tail(300, 'a');
  std::string page = exchange("GET /v/<script>alert(1)</script>" + long_tail + " HTTP/1.1\r\n" + k_browser + "\r\n");
  EXPECT_TRUE(is_page(page, 414));
  EXPECT_NE(page.find("Riverside Swim School"), std::string::npos) << "the pages name the issuer";
  EXPECT_EQ(page.find("alert"), std::string::npos) << page;
  EXPECT_EQ(page.find(long_tail), std::string::npos) << page;
  EXPECT_TRUE(is_json_error(exchange("GET /api/" + long_tail + " HTTP/1.1\r\nHost: a\r\n\r\n"), 414));
  EXPECT_TRUE(is_json_error(exchange("GET /v/" + long_tail + ".json HTTP/1.1\r\nHost: a\r\n\r\n"), 414));
  EXPECT_TRUE(is_json_error(exchange("GET /keys?" + long_tail + " HTTP/1.1\r\nHost: a\r\n\r\n"), 414));
}

TEST_F(HttpServerTest, A431IsAPageForPeopleAndJsonForPrograms) {
  start();
  std::string cookie = "Cookie: c=<b>" + std::string(10000, 'a') + "\r\n";
  std::string page = exchange("GET /v/SWL3-7K4M-9QXR HTTP/1.1\r\n" + k_browser + cookie + "\r\n");
  EXPECT_TRUE(is_page(page, 431));
  EXPECT_EQ(page.find("<b>"), std::string::npos) << page;
  EXPECT_TRUE(is_json_error(exchange("GET /v/SWL3-7K4M-9QXR.json HTTP/1.1\r\nHost: a\r\n" + cookie + "\r\n"), 431));

  std::string many;
  for (int i = 0; i < 30; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  EXPECT_TRUE(is_page(exchange("GET / HTTP/1.1\r\n" + k_browser + many + "\r\n"), 431));
  EXPECT_TRUE(is_json_error(exchange("GET /healthz HTTP/1.1\r\nHost: a\r\n" + many + "\r\n"), 431));
  // A request line longer than all the header bytes allowed.
  EXPECT_TRUE(is_page(exchange("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\n" + k_browser + "\r\n"), 431));
}

TEST_F(HttpServerTest, A405ForTraceIsAPageForPeopleAndJsonForPrograms) {
  start();
  EXPECT_TRUE(is_page(exchange("TRACE / HTTP/1.1\r\n" + k_browser + "\r\n"), 405));
  EXPECT_TRUE(is_json_error(exchange("TRACE /api/x HTTP/1.1\r\nHost: a\r\n\r\n"), 405));
}

TEST_F(HttpServerTest, AHandlerThatThrowsIsA500PageForPeopleAndJsonForPrograms) {
  start(small_limits(), [](const Request&) -> Response { throw std::runtime_error("boom"); });
  std::string page = exchange("GET /v/SWL3-7K4M-9QXR HTTP/1.1\r\n" + k_browser + "\r\n");
  EXPECT_TRUE(is_page(page, 500, /*closed=*/false));
  EXPECT_EQ(page.find("boom"), std::string::npos) << page;
  EXPECT_TRUE(is_json_error(exchange("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n"), 500, /*closed=*/false));
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
