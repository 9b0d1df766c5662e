#pragma once
// The idempotency key of a CSV batch row. It comes from the template, the
// student and the row's content, not from the batch, so a file imported
// twice (a re-run after a crash, a double click) finds its rows already
// there instead of issuing them again (docs/architecture.md, "CSV
// batches"). Pure; thread-safe.

#include <string>

#include "app/batch_csv.hpp"
#include "rules/idempotency.hpp"
#include "store/records.hpp"

namespace certd::app {

// SHA-256, in hex, of the template and the row's student, name, course,
// expiry date, notes and title (each length-prefixed; the title only when
// the row has one, so rows without it keep the digest they had before
// titles). The line number is left out: moving a row within the file
// changes nothing.
std::string batch_row_digest(const std::string& template_id, const BatchRow& row);

// batch:<template>:<first 32 hex digits of the digest>[:<round>]|student:<student>|course:<course>|gen:1
// (course empty for a row with only a title: the digest tells its awards
// apart)
// `round` is 1 the first time these contents are issued and counts up
// each time they are issued anew (--again, after a cancelled batch or a
// failed row); round 1 is written without it.
rules::IdempotencyKey batch_row_key(const std::string& template_id, const BatchRow& row, const std::string& digest,
                                    int round);

// The key of a row stored before schema version 10 (no key of its own),
// made from its batch id as it was then, so a batch running across the
// upgrade resumes without a duplicate.
rules::IdempotencyKey legacy_batch_row_key(store::Id batch_id, const store::NewBatchItem& item);

}  // namespace certd::app
