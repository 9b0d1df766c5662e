// The store: section (docs/configuration.md): SQLite by default; PostgreSQL
// needs its URL as a secret; a worker's name is checked where it is written.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace certd::config {
namespace {

constexpr const char* k_lms = "lms:\n  url: https://moodle.example.org\n  token_env: CERTD_LMS_TOKEN\n";

LoadResult parse_text(const std::string& store) { return parse(std::string(k_lms) + store, "certd.yaml", "/etc/certd"); }

std::string errors_of(const LoadResult& result) {
  std::string text;
  for (const Error& e : result.errors) text += e.to_string() + "\n";
  return text;
}

TEST(ConfigStore, WithoutASectionItIsSqliteInTheDataDir) {
  LoadResult result = parse_text("");
  ASSERT_TRUE(result.ok()) << errors_of(result);
  EXPECT_EQ(result.config.store.kind, "sqlite");
  EXPECT_FALSE(result.config.store.url.configured());
  EXPECT_EQ(result.config.store.worker, "") << "the host name is taken when certd starts, not in the pure parser";
}

TEST(ConfigStore, PostgresqlTakesItsUrlAsASecretAndAWorkerName) {
  LoadResult result = parse_text("store:\n  kind: postgresql\n  url_env: CERTD_STORE_URL\n  worker: certd-b.2\n");
  ASSERT_TRUE(result.ok()) << errors_of(result);
  EXPECT_EQ(result.config.store.kind, "postgresql");
  EXPECT_EQ(result.config.store.url.source, Secret::Source::env);
  EXPECT_EQ(result.config.store.url.name, "CERTD_STORE_URL");
  EXPECT_EQ(result.config.store.url.key, "store.url");
  EXPECT_EQ(result.config.store.worker, "certd-b.2");
}

TEST(ConfigStore, PostgresqlWithoutAUrlIsAnErrorAtItsKind) {
  LoadResult result = parse_text("store:\n  kind: postgresql\n");
  ASSERT_EQ(result.errors.size(), 1u) << errors_of(result);
  EXPECT_EQ(result.errors[0].where().line, 5);
  EXPECT_NE(result.errors[0].message().find("store.url_env or store.url_file is required"), std::string::npos)
      << errors_of(result);
}

TEST(ConfigStore, AUrlInTheFileItselfIsRefusedLikeEverySecret) {
  LoadResult result = parse_text("store:\n  kind: postgresql\n  url: postgresql://certd:hunter2@db/certd\n");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(errors_of(result).find("certd.yaml:6:"), std::string::npos) << errors_of(result);
  EXPECT_NE(errors_of(result).find("use url_env or url_file"), std::string::npos) << errors_of(result);
  EXPECT_EQ(errors_of(result).find("hunter2"), std::string::npos) << "the password is not repeated";
}

TEST(ConfigStore, AUrlForSqliteIsAMistakeNamedAtTheUrl) {
  LoadResult result = parse_text("store:\n  url_env: CERTD_STORE_URL\n");
  ASSERT_EQ(result.errors.size(), 1u) << errors_of(result);
  EXPECT_EQ(result.errors[0].where().line, 5);
  EXPECT_NE(result.errors[0].message().find("store.url is for PostgreSQL"), std::string::npos) << errors_of(result);
}

TEST(ConfigStore, AnUnknownKindAndABadWorkerNameAreNamedWhereTheyAre) {
  LoadResult result = parse_text("store:\n  kind: mysql\n  worker: \"a b\"\n");
  ASSERT_EQ(result.errors.size(), 2u) << errors_of(result);
  EXPECT_EQ(result.errors[0].where().line, 5);
  EXPECT_EQ(result.errors[1].where().line, 6);
  EXPECT_NE(result.errors[1].message().find("is not a worker name"), std::string::npos) << errors_of(result);
}

TEST(ConfigStore, WorkerNamesAreShortAndPlain) {
  EXPECT_TRUE(is_worker_name("certd"));
  EXPECT_TRUE(is_worker_name("host-1.example_org"));
  EXPECT_FALSE(is_worker_name(""));
  EXPECT_FALSE(is_worker_name(std::string(65, 'a')));
  EXPECT_FALSE(is_worker_name("w\n1"));
  EXPECT_FALSE(is_worker_name("wörker"));
}

}  // namespace
}  // namespace certd::config
