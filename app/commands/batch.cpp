// certd batch import FILE.csv --template T [--again] | status [ID] [--csv] | cancel ID
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>
#include <limits>

#include "app/batch_runner.hpp"
#include "app/commands/commands.hpp"
#include "app/runtime.hpp"
#include "app/store_factory.hpp"
#include "app/teacher_actions.hpp"
#include "app/text_table.hpp"
#include "core/file_util.hpp"
#include "core/time_format.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {

constexpr int k_group = 50;

struct BatchOptions {
  std::string file;
  std::string template_id;
  bool skip_bad = false;
  bool detach = false;
  bool again = false;
  bool csv = false;
  std::string teacher;
  long long id = 0;
};

std::string bar(std::int64_t done, std::int64_t total) {
  constexpr int k_width = 30;
  int filled = total > 0 ? static_cast<int>(done * k_width / total) : k_width;
  return "[" + std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(k_width - filled), '.') +
         "] " + std::to_string(done) + "/" + std::to_string(total);
}

// Whose claims the foreground run takes: "<worker>.import", a name of its
// own so it never takes back the claims of a `certd run` on this machine,
// held while it runs so that an import run again after a kill takes back
// at once the rows the killed one had claimed. A second import running at
// the same time gets a name of its own (with its process id) instead.
Result<std::string> import_worker(Runtime& runtime) {
  const std::string name = worker_name(runtime.school.config) + ".import";
  CERTD_ASSIGN_OR_RETURN(bool only_one, runtime.store->hold_worker_lock(name));
  if (!only_one) return name + "." + std::to_string(::getpid());
  CERTD_TRY(runtime.store->release_claims(to_unix(runtime.clock.now()), name));
  return name;
}

// Runs the batch here, in the foreground; Ctrl-C or a crash leaves it
// running for `certd run` (or another import) to finish.
int run_batch(Runtime& runtime, store::Id id) {
  auto worker = import_worker(runtime);
  if (!worker) return fail("batch", worker.error());
  BatchRunner runner(runtime.school, *runtime.store, *runtime.issuer, runtime.clock, *worker);
  bool terminal = ::isatty(STDOUT_FILENO);
  while (true) {
    auto handled = runner.run_group(k_group);
    if (!handled) return fail("batch", handled.error());
    auto batch = runtime.store->batch(id);
    auto progress = runtime.store->batch_progress(id);
    if (!batch || !*batch || !progress) return fail("batch", Error(ErrorCode::internal, "batch vanished"));
    std::int64_t done = progress->issued + progress->failed + progress->cancelled;
    if (terminal) std::cout << "\r" << bar(done, (*batch)->batch.total) << std::flush;
    if (*handled == 0 || (*batch)->status != "running") {
      if (terminal) std::cout << "\n";
      std::cout << "batch " << id << " " << (*batch)->status << ": " << progress->issued << " issued, "
                << progress->failed << " failed, " << progress->cancelled << " cancelled\n";
      if (progress->failed > 0) std::cout << "certd batch status " << id << " names the failed rows and why.\n";
      std::cout << "E-mails go out with the daemon (certd run).\n";
      return progress->failed > 0 ? k_exit_failure : k_exit_ok;
    }
  }
}

// Says which batches already hold rows of the file, and what is new.
void print_import(const BatchImport& imported, const BatchFile& file, bool again) {
  for (const BatchImport::Holder& holder : imported.already)
    std::cout << holder.rows << (holder.rows == 1 ? " row is" : " rows are") << " already in batch " << holder.batch
              << (holder.status == "running" ? " (still running: it is finished, nothing is issued twice)"
                                             : " (done: nothing is issued twice)")
              << "\n";
  std::string skipped = file.errors.empty() ? "" : " (" + std::to_string(file.errors.size()) + " bad rows skipped)";
  if (imported.batch) {
    std::cout << "batch " << *imported.batch << ": " << imported.new_rows << " certificates to issue" << skipped
              << "\n";
    return;
  }
  std::cout << "no new rows: nothing new to issue" << skipped;
  if (!again && !imported.to_run) std::cout << "; --again issues them once more";
  std::cout << "\n";
}

int import(const GlobalOptions& globals, const BatchOptions& o) {
  auto runtime = open_runtime(globals);
  if (!runtime) return fail("batch import", runtime.error());
  auto text = read_file(o.file, 64 << 20);
  if (!text) return fail("batch import", text.error());
  BatchFile file = parse_batch_csv(*text, o.file, (*runtime)->clock.now());
  for (const Error& error : file.errors) std::cerr << error.to_string() << "\n";
  auto teacher = teacher_name(o.teacher);
  if (!teacher) return fail("batch import", teacher.error());
  BatchRunner runner((*runtime)->school, *(*runtime)->store, *(*runtime)->issuer, (*runtime)->clock);
  auto imported = runner.import(file, o.template_id, o.file, *teacher, o.skip_bad,
                                o.again ? ImportMode::again : ImportMode::once);
  if (!imported) return fail("batch import", imported.error());
  print_import(*imported, file, o.again);
  if (o.detach || !imported->to_run) return k_exit_ok;
  return run_batch(**runtime, *imported->to_run);
}

// Failed rows named in the listing of every batch; `status ID` names all.
constexpr int k_failed_rows_shown = 10;

// The failed rows of the batches shown, each by its CSV line, so the
// teacher can fix the file; `limit` rows per batch.
Result<TextTable> failed_rows(store::Store& store, const std::vector<store::BatchRow>& shown, int limit,
                              std::vector<std::string>* more) {
  TextTable table({"BATCH", "LINE", "STUDENT", "NAME", "COURSE", "REASON"});
  for (const store::BatchRow& b : shown) {
    CERTD_ASSIGN_OR_RETURN(store::BatchProgress progress, store.batch_progress(b.id));
    if (progress.failed == 0) continue;
    CERTD_ASSIGN_OR_RETURN(auto rows, store.batch_items(b.id, "failed", limit));
    for (const store::BatchItemRow& row : rows)
      table.add({std::to_string(b.id), std::to_string(row.item.line), row.item.student, row.item.name,
                 row.item.course, row.error});
    if (progress.failed > static_cast<std::int64_t>(rows.size()) && more)
      more->push_back(std::to_string(progress.failed - static_cast<std::int64_t>(rows.size())) +
                      " more failed rows: certd batch status " + std::to_string(b.id));
  }
  return table;
}

int status(const GlobalOptions& globals, const BatchOptions& o) {
  auto runtime = open_store_runtime(globals);
  if (!runtime) return fail("batch status", runtime.error());
  auto batches = (*runtime)->store->batches();
  if (!batches) return fail("batch status", batches.error());
  std::vector<store::BatchRow> shown;
  TextTable table({"ID", "FILE", "TEMPLATE", "STATUS", "PROGRESS", "FAILED", "STARTED"});
  for (const store::BatchRow& b : *batches) {
    if (o.id != 0 && b.id != o.id) continue;
    auto progress = (*runtime)->store->batch_progress(b.id);
    if (!progress) return fail("batch status", progress.error());
    std::int64_t done = progress->issued + progress->failed + progress->cancelled;
    table.add({std::to_string(b.id), b.batch.file_name, b.batch.template_id, b.status, bar(done, b.batch.total),
               std::to_string(progress->failed), format_iso8601(from_unix(b.batch.created_at))});
    shown.push_back(b);
  }
  if (table.empty()) {
    std::cout << (o.id ? "no batch " + std::to_string(o.id) : std::string("no batches yet")) << "\n";
    return o.id ? k_exit_failure : k_exit_ok;
  }
  // One batch, or the CSV a teacher fixes and imports again: every row.
  int limit = o.id != 0 || o.csv ? std::numeric_limits<int>::max() : k_failed_rows_shown;
  std::vector<std::string> more;
  auto failed = failed_rows(*(*runtime)->store, shown, limit, &more);
  if (!failed) return fail("batch status", failed.error());
  if (o.csv) {
    std::cout << failed->csv();
    return k_exit_ok;
  }
  std::cout << table.render();
  if (failed->empty()) return k_exit_ok;
  std::cout << "\nFailed rows (line of the CSV file, and why):\n" << failed->render();
  for (const std::string& line : more) std::cout << line << "\n";
  return k_exit_ok;
}

int cancel(const GlobalOptions& globals, const BatchOptions& o) {
  auto runtime = open_store_runtime(globals);
  if (!runtime) return fail("batch cancel", runtime.error());
  auto revoked = (*runtime)->store->cancel_batch(o.id, "batch cancelled", to_unix((*runtime)->clock.now()));
  if (!revoked) return fail("batch cancel", revoked.error());
  std::cout << "batch " << o.id << " cancelled; " << *revoked << " certificates it issued are revoked\n";
  return k_exit_ok;
}

}  // namespace

void define_batch(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<BatchOptions>();
  command.require_subcommand(1);
  CLI::App* import_command = command.add_subcommand("import", "issue from a CSV file (runs here; --detach leaves it to the daemon)");
  import_command->add_option("file", o->file,
                             "CSV: student (id or e-mail), name, course and/or title (what the award is called; "
                             "a row needs one), [expires_on], [notes]")
      ->required();
  import_command->add_option("--template", o->template_id, "certificate template")->required();
  import_command->add_flag("--skip-bad", o->skip_bad, "issue the good rows of a file that has bad ones");
  import_command->add_flag("--detach", o->detach, "only queue the batch; the daemon issues it");
  import_command->add_flag("--again", o->again,
                           "issue rows that a finished batch already issued once more (new certificates)");
  import_command->add_option("--teacher", o->teacher, "teacher named on the certificates (default: $USER)");
  CLI::App* status_command = command.add_subcommand("status", "progress of one batch, or of all");
  status_command->add_option("id", o->id, "batch id");
  status_command->add_flag("--csv", o->csv, "only the failed rows, as CSV: line, student, name, course, reason");
  CLI::App* cancel_command = command.add_subcommand("cancel", "stop a batch and revoke what it issued");
  cancel_command->add_option("id", o->id, "batch id")->required();
  handler = [&globals, o, import_command, status_command]() {
    if (import_command->parsed()) return import(globals, *o);
    if (status_command->parsed()) return status(globals, *o);
    return cancel(globals, *o);
  };
}

}  // namespace certd::app
