#pragma once
// The console imports CSV batches for one course at a time: a teacher may
// issue only for the course they teach (console/batches_page.cpp). Pure.

#include <string>
#include <vector>

#include "app/batch_csv.hpp"

namespace certd::app {

// Moves every good row of `file` whose course is empty or not `course`
// into its errors, by line, so the file is refused (or skipped) as a bad
// row would be.
void refuse_other_courses(BatchFile& file, const std::string& course);

// "line 4: why", in the order of the lines.
std::vector<std::string> errors_by_line(const BatchFile& file);

}  // namespace certd::app
