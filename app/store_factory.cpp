#include "app/store_factory.hpp"

#include <unistd.h>

#include "config/config.hpp"
#include "store/postgres_store.hpp"
#include "store/store.hpp"

namespace certd::app {

bool is_sqlite_store(const config::Config& config) { return config.store.kind != "postgresql"; }

Result<std::unique_ptr<store::Store>> open_store(const config::Config& config) {
  if (is_sqlite_store(config)) return store::open_sqlite_store(config.data_dir + "/certd.sqlite");
  CERTD_ASSIGN_OR_RETURN(std::string url, config::resolve(config.store.url));
  auto opened = store::open_postgres_store(url);
  // libpq's messages name the host and database, never the password; the
  // URL itself is not repeated.
  if (!opened) return Error(opened.error().code(), describe_store(config) + ": " + opened.error().message());
  return opened;
}

std::string describe_store(const config::Config& config) {
  if (is_sqlite_store(config)) return "the SQLite store " + config.data_dir + "/certd.sqlite";
  return "the PostgreSQL store (URL from " + config.store.url.describe() + ")";
}

std::string worker_name(const config::Config& config) {
  if (!config.store.worker.empty()) return config.store.worker;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "certd";
  return host;
}

}  // namespace certd::app
