#pragma once
// A browser without a screen for the console's end-to-end tests: curl
// with a cookie jar, redirects followed by hand, the auto-submitting forms
// of an LTI launch read from the page; and the form and HTML encodings a
// browser applies.

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace certd::testing {

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string html_unescape(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&quot;", "\""}, {"&#39;", "'"}, {"&#039;", "'"}, {"&apos;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : entities)
    for (std::size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1))
      text.replace(at, std::strlen(entity), plain);
  return text;
}

inline std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

inline std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    for (const std::string* part : {&name, &value}) {
      for (unsigned char c : *part) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
          out += static_cast<char>(c);
        } else {
          out += '%';
          out += k_hex[c >> 4];
          out += k_hex[c & 15];
        }
      }
      if (part == &name) out += '=';
    }
  }
  return out;
}

struct Answer {
  int status = 0;
  std::string headers;
  std::string body;
  std::string location() const {
    std::smatch m;
    return std::regex_search(headers, m, std::regex("\\n[Ll]ocation: *([^\\r\\n]+)")) ? m[1].str() : "";
  }
};

struct Form {
  std::string action;
  std::vector<std::pair<std::string, std::string>> fields;
};

// The auto-submitting form of a page (the platform's, or the tool's).
inline Form form_of(const std::string& page) {
  Form form;
  std::smatch m;
  if (std::regex_search(page, m, std::regex("<form[^>]*action=\"([^\"]*)\""))) form.action = html_unescape(m[1].str());
  std::regex input("<input[^>]*type=\"hidden\"[^>]*name=\"([^\"]*)\"[^>]*value=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), input); it != std::sregex_iterator(); ++it)
    form.fields.emplace_back(html_unescape((*it)[1].str()), html_unescape((*it)[2].str()));
  return form;
}

// A browser without a screen: one cookie jar, redirects followed by hand.
class Browser {
 public:
  explicit Browser(const std::string& name)
      : m_base(::testing::TempDir() + "certd-console-" + name + "-" + std::to_string(::getpid())) {
    std::filesystem::remove(m_base + ".jar");
  }

  Answer get(const std::string& url) { return request("GET", url, ""); }
  Answer post(const std::string& url, const std::string& body) { return request("POST", url, body); }
  Answer submit(const Form& form) { return post(form.action, form_encode(form.fields)); }
  // A form with a file, as multipart/form-data (curl -F): `fields` as
  // plain strings, the file `file_field` from `file_path`.
  Answer upload(const std::string& url, const std::vector<std::pair<std::string, std::string>>& fields,
                const std::string& file_field, const std::string& file_path) {
    std::string command = "curl -s -o " + m_base + ".body -D " + m_base + ".headers -w '%{http_code}' -b " + m_base +
                          ".jar -c " + m_base + ".jar";
    for (const auto& [name, value] : fields) command += " --form-string '" + name + "=" + value + "'";
    command += " -F '" + file_field + "=@" + file_path + ";type=text/csv' '" + url + "' 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    char code[16] = {};
    std::size_t n = std::fread(code, 1, sizeof code - 1, pipe);
    ::pclose(pipe);
    code[n] = '\0';
    Answer a;
    a.status = std::atoi(code);
    a.headers = "\n" + read_all(m_base + ".headers");
    a.body = read_all(m_base + ".body");
    return a;
  }

 private:
  Answer request(const std::string& method, const std::string& url, const std::string& body) {
    std::string command = "curl -s -o " + m_base + ".body -D " + m_base + ".headers -w '%{http_code}' -b " + m_base +
                          ".jar -c " + m_base + ".jar";
    if (method == "POST") {
      std::ofstream(m_base + ".form", std::ios::binary) << body;
      command += " -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @" + m_base + ".form";
    }
    command += " '" + url + "' 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    char code[16] = {};
    std::size_t n = std::fread(code, 1, sizeof code - 1, pipe);
    ::pclose(pipe);
    code[n] = '\0';
    Answer a;
    a.status = std::atoi(code);
    a.headers = "\n" + read_all(m_base + ".headers");
    a.body = read_all(m_base + ".body");
    return a;
  }

  std::string m_base;
};

}  // namespace certd::testing
