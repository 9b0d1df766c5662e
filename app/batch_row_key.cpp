#include "app/batch_row_key.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <memory>

#include "core/hex.hpp"
#include "core/time_format.hpp"

namespace certd::app {
namespace {

constexpr std::size_t k_digest_in_key = 32;  // hex digits: 128 bits

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

void add(EVP_MD_CTX* ctx, const std::string& text) {
  // Length first, so "ab" + "c" and "a" + "bc" differ.
  std::string length = std::to_string(text.size()) + ":";
  EVP_DigestUpdate(ctx, length.data(), length.size());
  EVP_DigestUpdate(ctx, text.data(), text.size());
}

}  // namespace

std::string batch_row_digest(const std::string& template_id, const BatchRow& row) {
  DigestContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  // A version tag, so a later change of what is hashed makes other keys.
  for (const std::string& part : {std::string("certd batch row 1"), template_id, row.student, row.name, row.course,
                                  row.expires_on ? format_date(*row.expires_on) : std::string(), row.notes})
    add(ctx.get(), part);
  // A title is one more part, and only when there is one: a row without
  // it keeps the digest it had before titles, so a file imported then is
  // found again, not issued twice. The parts are length-prefixed, so the
  // extra part cannot make another row's digest.
  if (!row.title.empty()) add(ctx.get(), row.title);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  return to_hex(digest, length);
}

rules::IdempotencyKey batch_row_key(const std::string& template_id, const BatchRow& row, const std::string& digest,
                                    int round) {
  std::string source = template_id + ":" + digest.substr(0, k_digest_in_key);
  if (round > 1) source += ":" + std::to_string(round);
  return rules::IdempotencyKey{rules::Origin::batch, source, row.student, row.course, 1};
}

rules::IdempotencyKey legacy_batch_row_key(store::Id batch_id, const store::NewBatchItem& item) {
  return rules::IdempotencyKey{rules::Origin::batch, std::to_string(batch_id), item.student, item.course, 1};
}

}  // namespace certd::app
