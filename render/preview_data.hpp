#pragma once
// The data file of `certd preview --data FILE.yaml`: certificate values to
// try a design with. Its keys are the placeholders' names, nested the way
// templates write them ({{student.fullname}} is student: { fullname: }).
// Pure: text in, values out.
//
//   student: { fullname: Алексей Смирнов }
//   course: { fullname: First Aid at Work }
//   teacher: { fullname: Maria Kowalska }
//   notes: For steady, brave progress in deep water all term.
//   level: Level 3
//   grade: 92%
//   skills: [Front crawl 25 m, Back crawl 25 m]
//   issued_on: 2026-11-23
//   expires_on: 2028-11-23
//   certificate: { number: SWIM-7K4M-9QXA }
//   issuer: { name: Riverside Swim School }
//
// Shorthand: a group with one value may be written as that value,
// `student: Алексей Смирнов` for student: { fullname: ... }.
// A key with no value (`notes:`, `expires_on:`) leaves that placeholder
// empty, to see a design without it. A key that is no placeholder is an
// error naming the valid ones.
// examples/preview-data.yaml gives every placeholder.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "render/certificate_data.hpp"

namespace certd::render {

struct PreviewDataLoad {
  CertificateData data;
  std::vector<Error> errors;  // each with file:line:column
};

// Starts from `defaults` and overrides what the file names.
PreviewDataLoad parse_preview_data(std::string_view text, const std::string& file, CertificateData defaults);

}  // namespace certd::render
