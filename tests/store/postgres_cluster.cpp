#include "store/postgres_cluster.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace certd::store {
namespace {

namespace fs = std::filesystem;

// The socket lives in the cluster's private folder, so any port number is
// free: it only names the socket file. No TCP port is opened.
constexpr int k_port = 5432;
constexpr const char* k_superuser = "postgres";
constexpr const char* k_package = "postgresql-15";

bool has_server_binaries(const fs::path& dir) {
  std::error_code ignored;
  return fs::is_regular_file(dir / "initdb", ignored) && fs::is_regular_file(dir / "pg_ctl", ignored);
}

// Debian's layout first (/usr/lib/postgresql/15/bin, else the newest
// version there), then pg_config --bindir, which libpq-dev's pg_config may
// answer with a client-only folder. CERTD_POSTGRES_BINDIR overrides all.
std::optional<fs::path> find_server_binaries() {
  if (const char* forced = std::getenv("CERTD_POSTGRES_BINDIR"); forced && *forced) {
    if (has_server_binaries(forced)) return fs::path(forced);
    return std::nullopt;
  }
  if (has_server_binaries("/usr/lib/postgresql/15/bin")) return fs::path("/usr/lib/postgresql/15/bin");
  std::optional<fs::path> newest;
  int newest_version = -1;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    int version = std::stoi(name);
    if (version > newest_version && has_server_binaries(entry.path() / "bin")) {
      newest_version = version;
      newest = entry.path() / "bin";
    }
  }
  if (newest) return newest;
  if (FILE* pipe = ::popen("pg_config --bindir 2>/dev/null", "r")) {
    char line[4096] = {};
    bool read = std::fgets(line, sizeof line, pipe) != nullptr;
    ::pclose(pipe);
    std::string dir = read ? std::string(line) : std::string();
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) dir.pop_back();
    if (!dir.empty() && has_server_binaries(dir)) return fs::path(dir);
  }
  return std::nullopt;
}

// Who runs initdb and the server: ourselves, or, as root (which initdb
// refuses), the postgres user, else nobody.
struct ServerUser {
  bool switch_user = false;
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<ServerUser> server_user() {
  if (::geteuid() != 0) return ServerUser{};
  for (const char* name : {"postgres", "nobody"}) {
    if (const passwd* entry = ::getpwnam(name)) return ServerUser{true, name, entry->pw_uid, entry->pw_gid};
  }
  return Error(ErrorCode::unavailable, "running as root, and neither a postgres nor a nobody user exists to run "
                                       "the PostgreSQL test server");
}

// `argv`, run as the server's user.
std::vector<std::string> as_user(const ServerUser& user, std::vector<std::string> argv) {
  if (!user.switch_user) return argv;
  std::vector<std::string> switched = {"runuser", "-u", user.name, "--"};
  switched.insert(switched.end(), argv.begin(), argv.end());
  return switched;
}

std::vector<char*> c_argv(std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  for (std::string& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  return pointers;
}

std::string tail_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

// Runs `argv` (no shell), its output appended to `log`; returns the exit
// code, or -1 when it could not be started or was killed.
int run(std::vector<std::string> argv, const std::string& log) {
  std::vector<char*> args = c_argv(argv);
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0) ::dup2(in, 0);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// initdb takes seconds, and ctest runs each test in a process of its own,
// so the first cluster's fresh data folder (initdb'd, never started) is
// kept beside the test binary and copied for the next ones (cp -a keeps
// owners and modes). The name says which binaries made it and how; bump
// k_template_format when the initdb options change.
constexpr int k_template_format = 1;

fs::path template_path(const fs::path& bindir) {
  std::string key = bindir.string();
  for (char& c : key)
    if (c == '/') c = '_';
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (error) return {};
  return exe.parent_path() / ("postgres-template-v" + std::to_string(k_template_format) + key);
}

bool has_template(const fs::path& path) {
  std::error_code ignored;
  return !path.empty() && fs::is_regular_file(path / "PG_VERSION", ignored);
}

// Copies the fresh data folder `data` to `path`, whole or not at all: two
// test processes may do it at once, and the one that renames second
// throws its copy away.
void keep_template(const std::string& data, const fs::path& path, const std::string& log) {
  if (path.empty() || has_template(path)) return;
  std::string staging = path.string() + ".XXXXXX";
  if (!::mkdtemp(staging.data())) return;
  bool copied = run({"cp", "-a", data, staging + "/data"}, log) == 0;
  if (copied && ::rename((staging + "/data").c_str(), path.c_str()) == 0) {
    fs::remove_all(staging);
    return;
  }
  std::error_code ignored;
  fs::remove_all(staging, ignored);
}

class Cluster {
 public:
  static Result<std::unique_ptr<Cluster>> start();
  ~Cluster() { stop(); }

  Result<std::unique_ptr<ScratchDatabase>> create_database();
  void drop_database(const std::string& name);
  std::string url(const std::string& database) const {
    return "postgresql:///" + database + "?host=" + m_dir + "&port=" + std::to_string(k_port) + "&user=" + k_superuser;
  }

  // Closing the pipe wakes the watchdog, which stops the server and
  // deletes the folder; this waits for it.
  void stop() {
    m_admin.reset();
    if (m_watchdog_pipe >= 0) ::close(m_watchdog_pipe);
    m_watchdog_pipe = -1;
    if (m_watchdog > 0) ::waitpid(m_watchdog, nullptr, 0);
    m_watchdog = -1;
  }

 private:
  Status start_watchdog(const fs::path& bindir, const ServerUser& user);

  std::string m_dir;
  pid_t m_watchdog = -1;
  int m_watchdog_pipe = -1;  // the write end; EOF tells the watchdog to clean up
  std::unique_ptr<pqxx::connection> m_admin;
  int m_databases = 0;
};

// The watchdog is a shell that waits for end-of-file on its stdin, then
// stops the server (immediate mode: the data are thrown away) and deletes
// the folder. Its stdin is a pipe whose only write end this process holds
// (close-on-exec, so neither the server nor any other child keeps it), so
// it wakes when the cluster stops or when this process dies in any way.
// It runs in its own session, so a Ctrl-C to the tests does not stop it
// before it has cleaned up.
Status Cluster::start_watchdog(const fs::path& bindir, const ServerUser& user) {
  std::vector<std::string> argv = {"/bin/sh", "-c",
                                   "dir=$1; shift; cat > /dev/null; \"$@\" > /dev/null 2>&1; rm -rf -- \"$dir\"",
                                   "certd-postgres-watchdog", m_dir};
  for (std::string& arg :
       as_user(user, {(bindir / "pg_ctl").string(), "-D", m_dir + "/data", "-m", "immediate", "stop"}))
    argv.push_back(std::move(arg));
  std::vector<char*> args = c_argv(argv);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error(ErrorCode::unavailable, "cannot make a pipe for the watchdog");
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Error(ErrorCode::unavailable, "cannot fork the watchdog");
  }
  if (pid == 0) {
    ::setsid();
    ::dup2(fds[0], 0);  // dup2 clears close-on-exec on the copy
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[0]);
  m_watchdog = pid;
  m_watchdog_pipe = fds[1];
  return ok();
}

Result<std::unique_ptr<Cluster>> Cluster::start() {
  std::optional<fs::path> bindir = find_server_binaries();
  if (!bindir)
    return Error(ErrorCode::unavailable,
                 std::string("PostgreSQL's server binaries (initdb, pg_ctl) were not found in "
                             "/usr/lib/postgresql/*/bin or by pg_config --bindir: install the Debian package ") +
                     k_package +
                     " (scripts/setup.sh test does), point CERTD_POSTGRES_BINDIR at them, or set "
                     "CERTD_NO_POSTGRES=1 to skip the PostgreSQL tests");
  CERTD_ASSIGN_OR_RETURN(ServerUser user, server_user());

  // Below /tmp, not TMPDIR: a Unix socket's path must stay short.
  std::string pattern = "/tmp/certd-pg-XXXXXX";
  if (!::mkdtemp(pattern.data())) return Error(ErrorCode::unavailable, "cannot create a folder below /tmp");
  auto cluster = std::make_unique<Cluster>();
  cluster->m_dir = pattern;
  if (user.switch_user && ::chown(cluster->m_dir.c_str(), user.uid, user.gid) != 0) {
    fs::remove_all(cluster->m_dir);
    return Error(ErrorCode::unavailable, "cannot give " + cluster->m_dir + " to the user " + user.name);
  }
  if (Status watched = cluster->start_watchdog(*bindir, user); !watched) {
    fs::remove_all(cluster->m_dir);
    return watched.error();
  }

  // The log is opened by this process (perhaps root) before the child
  // switches user, so it can be read and written by both.
  std::string log = cluster->m_dir + "/setup.log";
  std::string data = cluster->m_dir + "/data";
  fs::path cached = template_path(*bindir);
  bool from_template = has_template(cached) && run({"cp", "-a", cached.string(), data}, log) == 0;
  if (!from_template) {
    std::error_code ignored;
    fs::remove_all(data, ignored);
    int initdb = run(as_user(user, {(*bindir / "initdb").string(), "-D", data, "-U", k_superuser, "--auth=trust",
                                    "--encoding=UTF8", "--no-locale", "--no-sync"}),
                     log);
    if (initdb != 0)
      return Error(ErrorCode::unavailable, "initdb failed (exit " + std::to_string(initdb) + "):\n" + tail_of(log));
    keep_template(data, cached, log);
  }
  // Durability is not tested here: no fsync makes each database quick.
  std::string options = "-k " + cluster->m_dir + " -p " + std::to_string(k_port) +
                        " -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  int started = run(as_user(user, {(*bindir / "pg_ctl").string(), "-D", data, "-l",
                                   cluster->m_dir + "/server.log", "-o", options, "-w", "-t", "60", "start"}),
                    log);
  if (started != 0) {
    // A kept copy that does not start is not kept: the next run makes a new one.
    std::error_code ignored;
    if (from_template) fs::remove_all(cached, ignored);
    return Error(ErrorCode::unavailable, "pg_ctl start failed (exit " + std::to_string(started) + "):\n" +
                                             tail_of(log) + tail_of(cluster->m_dir + "/server.log"));
  }
  try {
    cluster->m_admin = std::make_unique<pqxx::connection>(cluster->url("postgres"));
  } catch (const std::exception& e) {
    return Error(ErrorCode::unavailable, std::string("cannot connect to the test server: ") + e.what());
  }
  return cluster;
}

Result<std::unique_ptr<ScratchDatabase>> Cluster::create_database() {
  // The name is made of a counter; identifiers cannot be parameters.
  std::string name = "t_" + std::to_string(++m_databases);
  try {
    pqxx::nontransaction(*m_admin).exec("CREATE DATABASE " + name + " ENCODING 'UTF8'");
  } catch (const std::exception& e) {
    return Error(ErrorCode::unavailable, std::string("cannot create a test database: ") + e.what());
  }
  return std::make_unique<ScratchDatabase>(name, url(name));
}

void Cluster::drop_database(const std::string& name) {
  try {
    // FORCE ends connections a test left open.
    pqxx::nontransaction(*m_admin).exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot drop the test database " << name << ": " << e.what();
  }
}

// The binary's one cluster, started on first use; a failed start is
// remembered, so each test reports it without trying initdb again.
struct ClusterState {
  std::unique_ptr<Cluster> cluster;
  std::optional<Error> failure;
};

ClusterState& state() {
  static ClusterState k_state;
  return k_state;
}

Result<Cluster*> cluster() {
  ClusterState& s = state();
  if (s.cluster) return s.cluster.get();
  if (s.failure) return *s.failure;
  auto started = Cluster::start();
  if (!started) {
    s.failure = started.error();
    return started.error();
  }
  s.cluster = std::move(*started);
  return s.cluster.get();
}

class ClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { state().cluster.reset(); }
};

[[maybe_unused]] ::testing::Environment* const k_environment =
    ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

}  // namespace

bool postgres_skipped() {
  const char* skip = std::getenv("CERTD_NO_POSTGRES");
  return skip && std::string(skip) == "1";
}

Result<std::unique_ptr<ScratchDatabase>> ScratchDatabase::create() {
  CERTD_ASSIGN_OR_RETURN(Cluster * running, cluster());
  return running->create_database();
}

ScratchDatabase::~ScratchDatabase() {
  if (state().cluster) state().cluster->drop_database(m_name);
}

}  // namespace certd::store
