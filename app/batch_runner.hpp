#pragma once
// CSV batches (Turing Certs' "Issue via CSV"): import stores every row with
// the batch in one transaction; the runner then issues rows in groups, so
// a batch survives restarts and resumes where it stopped. Cancelling
// revokes what the batch issued; a group that commits just after a
// cancel is revoked too.

#include <string>

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

class BatchRunner {
 public:
  BatchRunner(const School& school, store::Store& store, Issuer& issuer, const Clock& clock);

  // Errors: invalid_argument for an unknown template or a file with bad
  // rows (unless `skip_bad`: then the good rows are imported).
  // `created_by` is also the teacher named on the certificates.
  Result<store::Id> import(const BatchFile& file, const std::string& template_id, const std::string& file_name,
                           const std::string& created_by, bool skip_bad);

  // Issues up to `group` queued rows of one running batch (the oldest).
  // Returns how many rows it handled; 0 when no batch has work left.
  Result<int> run_group(int group);

 private:
  Status finish_if_done(const store::BatchRow& batch);

  const School& m_school;
  store::Store& m_store;
  Issuer& m_issuer;
  const Clock& m_clock;
};

}  // namespace certd::app
