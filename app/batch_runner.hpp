#pragma once
// CSV batches (Turing Certs' "Issue via CSV"): import stores every row with
// the batch in one transaction; the runner then issues rows in groups, so
// a batch survives restarts and resumes where it stopped. Cancelling
// revokes what the batch issued; a group that commits just after a
// cancel is revoked too.
//
// Imports are idempotent by content: a row's key comes from the template,
// the student and the row's content (app/batch_row_key.hpp), so a row
// that a running or done batch already holds is not imported again; the
// import names that batch instead, and a running one is finished by
// whoever runs next. A row that failed, or whose batch was cancelled, is
// imported anew. `ImportMode::again` issues on purpose: rows of done
// batches are issued once more (new keys); a running batch holding the
// rows is still finished rather than doubled, so re-running a crashed
// `--again` import is safe too.

#include <optional>
#include <string>
#include <vector>

#include "app/batch_csv.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/records.hpp"

namespace certd::store {
class Store;
}

namespace certd::app {

class Issuer;
struct School;

enum class ImportMode {
  once,   // rows already held by a running or done batch are not imported again
  again,  // only a running batch's rows are (certd batch import --again)
};

// What an import found and did.
struct BatchImport {
  struct Holder {
    store::Id batch = 0;
    std::string status;  // running | done
    int rows = 0;        // rows of this file it holds
  };
  std::optional<store::Id> batch;  // the new batch, when some row was new
  int new_rows = 0;
  std::vector<Holder> already;     // batches that hold rows of this file, oldest first
  // The batch to run until it is done (running it finishes the older
  // running batches first): the new one, else the newest running holder.
  std::optional<store::Id> to_run;
};

class BatchRunner {
 public:
  // Rows are claimed as `worker` (empty: worker_name of the config).
  BatchRunner(const School& school, store::Store& store, Issuer& issuer, const Clock& clock,
              const std::string& worker = "");

  // Errors: invalid_argument for an unknown template or a file with bad
  // rows (unless `skip_bad`: then the good rows are imported); conflict
  // when another import of the same rows committed meanwhile (run again).
  // `created_by` is also the teacher named on the certificates.
  Result<BatchImport> import(const BatchFile& file, const std::string& template_id, const std::string& file_name,
                             const std::string& created_by, bool skip_bad, ImportMode mode = ImportMode::once);

  // Issues up to `group` queued rows of one running batch (the oldest).
  // Returns how many rows it handled; 0 when no batch has work left.
  Result<int> run_group(int group);

 private:
  Status finish_if_done(const store::BatchRow& batch);

  const School& m_school;
  store::Store& m_store;
  Issuer& m_issuer;
  const Clock& m_clock;
  std::string m_worker;  // whose claims this runner takes (worker_name)
};

}  // namespace certd::app
