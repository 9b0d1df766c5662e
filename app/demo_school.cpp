#include "app/demo_school.hpp"

#include <set>

namespace certd::app {
namespace {

namespace sim = connector::simulator;

constexpr const char* k_first_names[] = {"Amelia", "Noah",   "Olivia", "Mateo",  "Ines",   "Yuki",
                                         "Kwame",  "Freya",  "Omar",   "Lucía",  "Aarav",  "Maja"};
constexpr const char* k_last_names[] = {"Fischer", "Okafor", "Nowak", "Haddad", "Tanaka", "Moreau", "Silva",
                                        "Lindqvist", "Kowalczyk", "Brennan", "Rossi", "Horvat"};

std::set<sim::Id> student_ids(const sim::School& school) {
  std::set<sim::Id> ids;
  for (const sim::Course& course : school.courses)
    for (const sim::Enrolment& e : course.enrolments)
      if (e.role == sim::k_student_role) ids.insert(e.user);
  return ids;
}

// Copies every trace of `from` in the world onto the new user `to`.
void copy_state(sim::School& school, sim::Id from, sim::Id to) {
  for (sim::Course& course : school.courses)
    if (const sim::Enrolment* e = course.enrolment(from)) {
      sim::Enrolment copy = *e;
      copy.user = to;
      course.enrolments.push_back(copy);
    }
  auto copy_pairs = [&](auto& map) {
    std::vector<std::pair<typename std::decay_t<decltype(map)>::key_type, typename std::decay_t<decltype(map)>::mapped_type>> added;
    for (const auto& [key, value] : map)
      if (key.first == from) added.push_back({{to, key.second}, value});
    for (auto& entry : added) map.insert(entry);
  };
  copy_pairs(school.completions);
  copy_pairs(school.grades);
  copy_pairs(school.activity_states);
  std::vector<std::pair<std::tuple<sim::Id, sim::Id, sim::Id>, sim::Rating>> ratings;
  for (const auto& [key, rating] : school.ratings)
    if (std::get<0>(key) == from) ratings.push_back({{to, std::get<1>(key), std::get<2>(key)}, rating});
  for (auto& entry : ratings) school.ratings.insert(entry);
}

}  // namespace

int count_students(const sim::School& school) { return static_cast<int>(student_ids(school).size()); }

Result<sim::School> demo_school(const std::string& data_file, int students) {
  if (students < 1) return Error(ErrorCode::invalid_argument, "--students must be at least 1");
  CERTD_ASSIGN_OR_RETURN(sim::School school, sim::load_school_file(data_file));
  std::set<sim::Id> originals = student_ids(school);
  if (originals.empty() || students <= static_cast<int>(originals.size())) return school;
  std::vector<sim::Id> templates(originals.begin(), originals.end());
  int have = static_cast<int>(originals.size());
  for (int n = 0; have < students; ++n, ++have) {
    const sim::User* model = school.user(templates[static_cast<std::size_t>(n) % templates.size()]);
    sim::User user = *model;
    user.id = school.next_user_id();
    std::size_t first = static_cast<std::size_t>(n) % std::size(k_first_names);
    std::size_t last = (static_cast<std::size_t>(n) / std::size(k_first_names) + first) % std::size(k_last_names);
    user.firstname = k_first_names[first];
    user.lastname = k_last_names[last];
    user.username = "demo" + std::to_string(user.id);
    user.idnumber = "D" + std::to_string(user.id);
    user.email = user.username + "@families.example";
    if (user.profile.count("guardian_email")) user.profile["guardian_email"] = "parent." + user.email;
    sim::Id model_id = model->id;
    school.users.push_back(user);
    copy_state(school, model_id, user.id);
  }
  return school;
}

}  // namespace certd::app
