#pragma once
// The data file of `certd preview --data FILE.yaml`: certificate values to
// try a design with. Pure: text in, values out.
//
//   student: Алексей Смирнов
//   course: First Aid at Work
//   teacher: Maria Kowalska
//   notes: ...
//   level: Level 3
//   grade: 92%
//   skills: [Front crawl 25 m, Back crawl 25 m]
//   issued_on: 2026-11-23
//   expires_on: 2028-11-23
//   issuer: Riverside Swim School
//   number: SWL3-7K4M-9QXA

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
