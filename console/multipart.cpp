#include "console/multipart.hpp"

#include <algorithm>
#include <cctype>

namespace certd::console {
namespace {

Error refused(const std::string& what) { return Error(ErrorCode::invalid_argument, "form upload: " + what); }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// RFC 2046 bchars.
bool boundary_char(unsigned char c) {
  return std::isalnum(c) || std::string_view("'()+_,-./:=? ").find(static_cast<char>(c)) != std::string_view::npos;
}

struct Parameter {
  std::string name;  // lower case
  std::string value;
};

// `value; name=token; name="quoted"`: the value before the first ';' and
// the parameters after it. A quoted string may escape '"' and '\' with
// '\' (browsers percent-encode '"' instead, so this is for curl).
Result<std::pair<std::string, std::vector<Parameter>>> split_parameters(std::string_view text) {
  std::size_t semi = text.find(';');
  std::string value = lower(trim(text.substr(0, semi)));
  std::vector<Parameter> params;
  std::size_t i = semi == std::string_view::npos ? text.size() : semi + 1;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t eq = text.find('=', i);
    if (eq == std::string_view::npos) return refused("a header parameter has no value");
    Parameter p;
    p.name = lower(trim(text.substr(i, eq - i)));
    if (p.name.empty()) return refused("a header parameter has no name");
    i = eq + 1;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < text.size() && (text[i] == '"' || text[i] == '\\')) c = text[i++];
        p.value += c;
      }
      if (!closed) return refused("a quoted header parameter is not closed");
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < text.size() && text[i] != ';') return refused("text after a quoted header parameter");
    } else {
      std::size_t end = text.find(';', i);
      p.value = std::string(trim(text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
      i = end == std::string_view::npos ? text.size() : end;
    }
    if (i < text.size() && text[i] == ';') ++i;
    if (std::any_of(params.begin(), params.end(), [&](const Parameter& q) { return q.name == p.name; }))
      return refused("the header parameter '" + p.name + "' is named twice");
    params.push_back(std::move(p));
  }
  return std::make_pair(std::move(value), std::move(params));
}

const Parameter* parameter(const std::vector<Parameter>& params, const std::string& name) {
  for (const Parameter& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

// One part's header block (without its final CRLF CRLF) into `part`.
Status parse_headers(std::string_view block, MultipartPart& part) {
  bool disposition = false;
  while (!block.empty()) {
    std::size_t end = block.find("\r\n");
    std::string_view line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view() : block.substr(end + 2);
    if (line.find('\n') != std::string_view::npos || line.find('\r') != std::string_view::npos)
      return refused("a header line does not end with CRLF");
    if (line.empty()) return refused("an empty header line");
    if (line.front() == ' ' || line.front() == '\t') return refused("a folded header line");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return refused("a header line without a name");
    std::string name = lower(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (disposition) return refused("a part has two Content-Disposition headers");
      disposition = true;
      CERTD_ASSIGN_OR_RETURN(auto split, split_parameters(value));
      if (split.first != "form-data") return refused("a part is not form-data");
      const Parameter* n = parameter(split.second, "name");
      if (!n || n->value.empty()) return refused("a part has no name");
      part.name = n->value;
      if (const Parameter* f = parameter(split.second, "filename")) part.filename = f->value;
    } else if (name == "content-type") {
      if (!part.content_type.empty()) return refused("a part has two Content-Type headers");
      part.content_type = lower(value);
      if (part.content_type.empty()) return refused("a part's Content-Type is empty");
      if (part.content_type.rfind("multipart/", 0) == 0) return refused("a part is itself multipart");
    } else if (name == "content-transfer-encoding") {
      // Deprecated (RFC 7578 4.7); only the identity encodings mean the
      // bytes are what they are.
      std::string encoding = lower(value);
      if (encoding != "binary" && encoding != "8bit" && encoding != "7bit")
        return refused("a part's Content-Transfer-Encoding is not binary");
    }
    // Other headers are allowed and ignored (RFC 7578 4.8).
  }
  if (!disposition) return refused("a part has no Content-Disposition");
  return ok();
}

}  // namespace

Result<std::string> multipart_boundary(std::string_view content_type) {
  CERTD_ASSIGN_OR_RETURN(auto split, split_parameters(content_type));
  if (split.first != "multipart/form-data") return refused("the body is not multipart/form-data");
  const Parameter* b = parameter(split.second, "boundary");
  if (!b) return refused("the Content-Type names no boundary");
  const std::string& boundary = b->value;
  if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ' ||
      !std::all_of(boundary.begin(), boundary.end(), [](unsigned char c) { return boundary_char(c); }))
    return refused("the boundary is not valid");
  return boundary;
}

Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view content_type,
                                                   const MultipartLimits& limits) {
  CERTD_ASSIGN_OR_RETURN(std::string boundary, multipart_boundary(content_type));
  const std::string first = "--" + boundary;
  const std::string delimiter = "\r\n--" + boundary;
  if (body.substr(0, first.size()) != first) return refused("the body does not start with the boundary");
  std::size_t at = first.size();
  std::vector<MultipartPart> parts;
  while (true) {
    // After a delimiter: "--" closes, CRLF opens a part.
    if (body.substr(at, 2) == "--") {
      std::string_view rest = body.substr(at + 2);
      if (!rest.empty() && rest != "\r\n") return refused("text after the closing boundary");
      break;
    }
    if (body.substr(at, 2) != "\r\n") return refused("a boundary is not followed by CRLF");
    at += 2;
    if (parts.size() == limits.max_parts) return refused("more than " + std::to_string(limits.max_parts) + " parts");
    std::size_t headers_end = body.find("\r\n\r\n", at);
    std::size_t header_bytes = (headers_end == std::string_view::npos ? body.size() : headers_end) - at;
    if (header_bytes > limits.max_header_bytes) return refused("a part's headers are too long");
    if (headers_end == std::string_view::npos) return refused("a part's headers do not end");
    MultipartPart part;
    CERTD_TRY(parse_headers(body.substr(at, headers_end - at), part));
    at = headers_end + 4;
    std::size_t end = body.find(delimiter, at);
    if (end == std::string_view::npos) return refused("the body ends inside a part (no closing boundary)");
    if (end - at > limits.max_part_bytes)
      return refused("a part is larger than " + std::to_string(limits.max_part_bytes) + " bytes");
    part.body = std::string(body.substr(at, end - at));
    parts.push_back(std::move(part));
    at = end + delimiter.size();
  }
  return parts;
}

const MultipartPart* part_named(const std::vector<MultipartPart>& parts, std::string_view name) {
  for (const MultipartPart& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace certd::console
