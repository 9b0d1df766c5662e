// The second translation unit of certd_connector that includes cpprestsdk
// (moodle/http_transport.cpp is the first; docs/libraries.md §2).
#include "connector/http_get.hpp"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>

#include <future>
#include <memory>
#include <stdexcept>

namespace certd::connector {
namespace {

namespace http = web::http;

// Thrown inside the continuation when the answer passes max_body.
struct TooLarge : std::length_error {
  TooLarge() : std::length_error("answer too large") {}
};

HttpGetReply read_reply(http::http_response response, std::size_t max_body) {
  HttpGetReply reply;
  reply.status = response.status_code();
  reply.content_type = response.headers().content_type();
  if (response.headers().content_length() > max_body) throw TooLarge();
  // Read in pieces, so a server that sends no length (chunked) or lies
  // about it still stops at the limit.
  concurrency::streams::container_buffer<std::string> buffer;
  concurrency::streams::istream body = response.body();
  for (;;) {
    std::size_t read = body.read(buffer, 4096).get();
    if (buffer.collection().size() > max_body) throw TooLarge();
    if (read == 0) break;
  }
  reply.body = std::move(buffer.collection());
  return reply;
}

}  // namespace

Result<HttpGetReply> http_get(const std::string& url, const HttpGetOptions& options) {
  web::uri uri;
  try {
    uri = web::uri(url);
  } catch (const std::exception&) {
    return Error(ErrorCode::invalid_argument, "not a URL: " + url);
  }
  if ((uri.scheme() != "http" && uri.scheme() != "https") || uri.host().empty())
    return Error(ErrorCode::invalid_argument, "not an http(s) URL: " + url);
  try {
    http::client::http_client_config config;
    config.set_timeout(options.timeout);
    web::uri_builder base;
    base.set_scheme(uri.scheme()).set_host(uri.host()).set_port(uri.port());
    http::client::http_client client(base.to_uri(), config);
    pplx::cancellation_token_source cancel;
    std::size_t max_body = options.max_body;
    pplx::task<HttpGetReply> task =
        client.request(http::methods::GET, uri.resource().to_string(), cancel.get_token())
            .then([max_body](http::http_response response) { return read_reply(response, max_body); });
    // cpprest's own timeout is an inactivity timer: a server that sends a
    // byte now and then is stopped by this deadline.
    auto finished = std::make_shared<std::promise<void>>();
    std::future<void> done = finished->get_future();
    task.then([finished](pplx::task<HttpGetReply>) { finished->set_value(); });
    if (done.wait_for(options.timeout) != std::future_status::ready) {
      cancel.cancel();
      done.wait();
      return Error(ErrorCode::unavailable,
                   "no answer from " + url + " within " + std::to_string(options.timeout.count()) + " s");
    }
    return task.get();
  } catch (const TooLarge&) {
    return Error(ErrorCode::parse_error,
                 "the answer of " + url + " is longer than " + std::to_string(options.max_body) + " bytes");
  } catch (const std::exception& e) {
    return Error(ErrorCode::unavailable, "cannot reach " + url + ": " + e.what());
  }
}

}  // namespace certd::connector
