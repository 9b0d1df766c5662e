#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_moodle (fuzz/corpus/moodle/) from the
recordings of a real Moodle (tests/connector/recordings/). Run it from the
source root after the recordings change; docs/fuzzing.md.

Two seeds script a whole school: one answer per function the adapter
calls, for a poll by sweep and for one through the completions report.
Every other recording of those functions is a seed of its own, holding
that one answer: libFuzzer's cross-over combines them with the others.
"""
import json
import os
import shutil

RECORDINGS = "tests/connector/recordings"
CORPUS = "fuzz/corpus/moodle"
SEPARATOR = "\n----\n"

# The answers of a school where every call succeeds, by function.
WHOLE_SCHOOL = {
    "core_webservice_get_site_info": ["core_webservice_get_site_info"],
    "core_course_get_courses_by_field": ["core_course_get_courses_by_field--all"],
    "core_course_get_contents": ["core_course_get_contents"],
    "core_enrol_get_enrolled_users": ["core_enrol_get_enrolled_users--SWIM-L3"],
    "core_enrol_get_users_courses": ["core_enrol_get_users_courses--alice"],
    "core_user_get_users_by_field": ["core_user_get_users_by_field--id"],
    "core_completion_get_course_completion_status": ["core_completion_get_course_completion_status--completed"],
    "core_completion_get_activities_completion_status":
        ["core_completion_get_activities_completion_status--issue-now-marked"],
    "core_completion_override_activity_completion_status":
        ["core_completion_override_activity_completion_status--issue-now-reset"],
    "gradereport_user_get_grade_items": ["gradereport_user_get_grade_items--all-users"],
    "report_competency_data_for_report": ["report_competency_data_for_report--partial"],
    "core_competency_list_competencies": ["core_competency_list_competencies--framework"],
    "core_competency_list_course_competencies": ["core_competency_list_course_competencies"],
    "core_notes_get_course_notes": ["core_notes_get_course_notes"],
    "core_notes_create_notes": ["core_notes_create_notes"],
    "core_message_send_instant_messages": ["core_message_send_instant_messages"],
    "core_user_update_users": ["core_user_update_users--customfield"],
    "enrol_manual_enrol_users": ["enrol_manual_enrol_users--alice-student"],
}
REPORT = {
    "core_reportbuilder_set_filters": ["core_reportbuilder_set_filters--since"],
    "core_reportbuilder_retrieve_report":
        ["core_reportbuilder_retrieve_report--since-page-0", "core_reportbuilder_retrieve_report--since-page-1"],
}


def load(label):
    with open(os.path.join(RECORDINGS, label + ".json")) as file:
        record = json.load(file)
    body = record.get("response_text")
    if body is None:
        body = json.dumps(record["response"], ensure_ascii=False, separators=(",", ":"))
    return record["function"], record.get("http_status", 200), body


def record(label):
    function, status, body = load(label)
    header = function if status == 200 else "%s %d" % (function, status)
    return header + "\n" + body


def script(answers):
    return SEPARATOR.join(record(label) for labels in answers.values() for label in labels)


def main():
    with open(os.path.join(RECORDINGS, "_index.json")) as file:
        index = json.load(file)
    used = set(WHOLE_SCHOOL) | set(REPORT)
    shutil.rmtree(CORPUS, ignore_errors=True)
    os.makedirs(CORPUS)
    seeds = {"school-sweep": script(WHOLE_SCHOOL), "school-report": script({**WHOLE_SCHOOL, **REPORT})}
    taken = {label for labels in list(WHOLE_SCHOOL.values()) + list(REPORT.values()) for label in labels}
    for fixture in index["fixtures"]:
        if fixture["function"] in used and fixture["label"] not in taken:
            seeds[fixture["label"]] = record(fixture["label"])
    for name, text in seeds.items():
        with open(os.path.join(CORPUS, name + ".txt"), "w") as file:
            file.write(text)
    print("%d seeds in %s" % (len(seeds), CORPUS))


if __name__ == "__main__":
    main()
