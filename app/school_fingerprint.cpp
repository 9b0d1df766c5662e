#include "app/school_fingerprint.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <vector>

#include "app/school.hpp"
#include "core/hex.hpp"
#include "render/template.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

void add(EVP_MD_CTX* ctx, const std::string& text) {
  // Length first, so "ab" + "c" and "a" + "bc" differ.
  std::string length = std::to_string(text.size()) + ":";
  EVP_DigestUpdate(ctx, length.data(), length.size());
  EVP_DigestUpdate(ctx, text.data(), text.size());
}

void add_file(EVP_MD_CTX* ctx, const std::string& path) {
  add(ctx, path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    add(ctx, "(cannot be read)");
    return;
  }
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    EVP_DigestUpdate(ctx, buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  add(ctx, "(end)");
}

}  // namespace

std::string school_fingerprint(const School& school) {
  DigestContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  if (!school.config.source_file.empty()) add_file(ctx.get(), school.config.source_file);
  for (const std::string& file : yaml_files_in(school.config.rules_dir)) add_file(ctx.get(), file);
  for (const std::string& file : yaml_files_in(school.config.templates_dir)) add_file(ctx.get(), file);
  // Fonts and pictures, each once (templates share fonts), in a set order.
  std::set<std::string> assets;
  for (const auto& [id, loaded] : school.templates) {
    const render::TemplateSpec& spec = loaded->spec();
    if (!spec.background.empty()) assets.insert(spec.background);
    for (const render::FontFace& font : spec.fonts) assets.insert(font.file);
    for (const render::ImagePlacement& image : spec.images) assets.insert(image.file);
  }
  for (const std::string& asset : assets) add_file(ctx.get(), asset);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  return to_hex(digest, length);
}

Result<std::int64_t> note_school_fingerprint(store::Store& store, const std::string& fingerprint, std::int64_t now) {
  CERTD_ASSIGN_OR_RETURN(std::optional<std::string> before, store.get_state(k_school_fingerprint_key));
  if (before == fingerprint) return 0;
  // Due first, then the new fingerprint: a crash between the two only
  // makes them due again at the next start.
  std::int64_t due = 0;
  if (before) {
    CERTD_ASSIGN_OR_RETURN(due, store.make_failed_events_due({}, now));
  }
  CERTD_TRY(store.set_state(k_school_fingerprint_key, fingerprint));
  return due;
}

}  // namespace certd::app
