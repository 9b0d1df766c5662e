#pragma once
// The demo's simulated school: examples/school.yaml, optionally grown to
// N students by copying the file's students (and their states) under new
// names, so a bigger demo keeps the same mix of finished, half-way,
// suspended and failing students.

#include <string>

#include "connector/simulator/school.hpp"
#include "core/result.hpp"

namespace certd::app {

// Errors: the data file's own (file:line:column), or invalid_argument
// when `students` is smaller than 1.
Result<connector::simulator::School> demo_school(const std::string& data_file, int students);

// The number of students (users enrolled as students somewhere).
int count_students(const connector::simulator::School& school);

}  // namespace certd::app
