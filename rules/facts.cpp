#include "rules/facts.hpp"

namespace certd::rules {

const SkillLevel* StudentFacts::find_level(std::string_view framework, std::string_view level) const {
  for (const SkillLevel& entry : skills)
    if (entry.framework == framework && entry.level == level) return &entry;
  return nullptr;
}

}  // namespace certd::rules
