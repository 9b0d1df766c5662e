#include "notify/mime.hpp"

#include <algorithm>
#include <ctime>

#include "core/base64.hpp"

namespace certd::notify {
namespace {

// Base64 body lines of 76 characters (RFC 2045), CRLF-terminated.
std::string base64_lines(std::string_view bytes) {
  std::string encoded = base64_encode(bytes);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / 38 + 2);
  for (std::size_t i = 0; i < encoded.size(); i += 76) out.append(encoded, i, 76).append("\r\n");
  return out;
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x80; });
}

bool has_line_break(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

// RFC 5322 date from the message's own time (no clock read here).
std::string rfc5322_date(TimePoint t) {
  std::time_t seconds = static_cast<std::time_t>(to_unix(t));
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  static const char* const k_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", k_days[parts.tm_wday], parts.tm_mday,
                k_months[parts.tm_mon], parts.tm_year + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec);
  return text;
}

// "Name <addr>" with a non-ASCII name encoded; the address stays as is.
std::string encode_mailbox(std::string_view mailbox) {
  auto open = mailbox.rfind('<');
  if (open == std::string_view::npos) return std::string(mailbox);
  std::string_view name = mailbox.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  std::string_view rest = mailbox.substr(open);
  if (name.empty()) return std::string(rest);
  std::string shown = is_ascii(name) ? "\"" + std::string(name) + "\"" : encode_header_text(name);
  if (is_ascii(name) && name.find('"') != std::string_view::npos) shown = encode_header_text(name);
  return shown + " " + std::string(rest);
}

// A boundary that cannot occur in base64 text (it contains '=' and '_').
std::string boundary(const Message& message, const char* kind) {
  return std::string("=_certd_") + kind + "_" + base64_encode(message.message_id).substr(0, 16);
}

void text_part(std::string& out, const char* type, std::string_view body) {
  out += "Content-Type: ";
  out += type;
  out += "; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += base64_lines(body);
}

}  // namespace

std::string address_of(std::string_view mailbox) {
  auto open = mailbox.rfind('<');
  auto close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    return std::string(mailbox.substr(open + 1, close - open - 1));
  return std::string(mailbox);
}

std::string encode_header_text(std::string_view text) {
  if (is_ascii(text)) return std::string(text);
  return "=?UTF-8?B?" + base64_encode(text) + "?=";
}

Result<std::string> compose_mime(const Message& m) {
  for (std::string_view header : {std::string_view(m.from), std::string_view(m.to), std::string_view(m.subject),
                                  std::string_view(m.message_id)})
    if (has_line_break(header)) return Error(ErrorCode::invalid_argument, "line break in a mail header");
  for (const std::string* mailbox : {&m.from, &m.to})
    if (address_of(*mailbox).find('@') == std::string::npos)
      return Error(ErrorCode::invalid_argument, "not an e-mail address: " + *mailbox);

  std::string out;
  out += "From: " + encode_mailbox(m.from) + "\r\n";
  out += "To: " + encode_mailbox(m.to) + "\r\n";
  out += "Subject: " + encode_header_text(m.subject) + "\r\n";
  out += "Date: " + rfc5322_date(m.date) + "\r\n";
  out += "Message-ID: " + m.message_id + "\r\n";
  out += "MIME-Version: 1.0\r\n";

  const std::string mixed = boundary(m, "mixed");
  const std::string alternative = boundary(m, "alt");
  out += "Content-Type: multipart/mixed; boundary=\"" + mixed + "\"\r\n\r\n";
  out += "--" + mixed + "\r\n";
  if (m.html_body.empty()) {
    text_part(out, "text/plain", m.text_body);
  } else {
    out += "Content-Type: multipart/alternative; boundary=\"" + alternative + "\"\r\n\r\n";
    out += "--" + alternative + "\r\n";
    text_part(out, "text/plain", m.text_body);
    out += "--" + alternative + "\r\n";
    text_part(out, "text/html", m.html_body);
    out += "--" + alternative + "--\r\n";
  }
  for (const Attachment& a : m.attachments) {
    if (has_line_break(a.file_name) || has_line_break(a.content_type) || a.file_name.find('"') != std::string::npos)
      return Error(ErrorCode::invalid_argument, "bad attachment name");
    out += "--" + mixed + "\r\n";
    out += "Content-Type: " + a.content_type + "; name=\"" + a.file_name + "\"\r\n";
    out += "Content-Disposition: attachment; filename=\"" + a.file_name + "\"\r\n";
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    out += base64_lines(a.bytes);
  }
  out += "--" + mixed + "--\r\n";
  return out;
}

}  // namespace certd::notify
