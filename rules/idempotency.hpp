#pragma once
// The key that makes a certificate go to a student once (docs/architecture.md
// "Issuance is idempotent"). The store keeps it UNIQUE; a reissue is an
// explicit new generation of the same key.
//
// Text form, one line, fields in this order:
//   <origin>:<source id>|student:<student id>|course:<course>|gen:<n>
// origin is `rule` (source id = rule id), `adhoc` (the teacher request's
// id, e.g. its event id) or `batch` (the template and a digest of the
// row's content, app/batch_row_key.hpp; the batch id for rows imported
// before schema version 10); course may be empty
// for ad-hoc; n >= 1 in decimal without leading zeros. In every value, '%'
// is written "%25" and '|' "%7C", so any LMS id or shortname fits.
// Example: rule:swim-level-3|student:42|course:SWIM-L3|gen:1

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace certd::rules {

enum class Origin { rule, adhoc, batch };

struct IdempotencyKey {
  Origin origin = Origin::rule;
  std::string source_id;
  std::string student_id;
  std::string course;
  int generation = 1;

  std::string to_string() const;
  bool operator==(const IdempotencyKey& other) const;
};

IdempotencyKey rule_key(std::string_view rule_id, std::string_view student_id, std::string_view course,
                        int generation = 1);

// The key a reissue uses: the same key, next generation.
IdempotencyKey reissue_key(const IdempotencyKey& previous);

// The text form for a log line: a student named by e-mail address (a CSV
// row may do that) is written "student:(address)", since the log holds
// ids only. Text that does not parse as a key is returned as it is.
std::string key_for_log(std::string_view text);

// Reads the text form back (e.g. from a certificate row, to reissue it).
// Errors: parse_error naming what is wrong.
Result<IdempotencyKey> parse_idempotency_key(std::string_view text);

}  // namespace certd::rules
