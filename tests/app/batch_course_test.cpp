// The console's rule for CSV batches (app/batch_course.hpp): a row of
// another course, or of none, is a bad row by its line, among the file's
// other bad rows in line order.
#include <gtest/gtest.h>

#include "app/batch_course.hpp"

namespace certd::app {
namespace {

TEST(BatchCourseTest, RowsOfAnotherCourseOrNoneBecomeBadRowsByLine) {
  const TimePoint today = from_unix(1'790'000'000);
  BatchFile file = parse_batch_csv(
      "student,name,course,title\n"
      "21,Ada,FA-101,\n"
      "22,Bob,SWIM-L3,\n"
      "23,,FA-101,\n"
      "24,Cy,,An award of its own\n"
      "25,Di,FA-101,\n",
      "list.csv", today);
  ASSERT_EQ(file.errors.size(), 1u) << "line 4 has no name";
  refuse_other_courses(file, "FA-101");
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(file.rows[0].line, 2);
  EXPECT_EQ(file.rows[1].line, 6);
  std::vector<std::string> errors = errors_by_line(file);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "line 3: the row is for course 'SWIM-L3'; this page imports rows of FA-101 only");
  EXPECT_EQ(errors[1].rfind("line 4: ", 0), 0u) << errors[1];
  EXPECT_EQ(errors[2], "line 5: the course column is empty; this page imports rows of FA-101 only");
}

}  // namespace
}  // namespace certd::app
