<?php
// This file is part of Moodle - http://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <http://www.gnu.org/licenses/>.

/**
 * Event observers of local_certd.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_certd;

/**
 * Turns Moodle events into queued webhooks for certd.
 *
 * Each observer only decides whether the event concerns certd and queues
 * a row (queue::add()); it never talks to certd, so the teacher's page
 * does not wait on the network. An observer never throws: a failure is
 * reported with debugging() and the change itself goes on; certd's own
 * poll of Moodle finds what a lost webhook would have announced.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class observer {

    /** The default name of the "issue now" activity (certd's lms.issue_now_activity). */
    const DEFAULT_ISSUE_NOW_ACTIVITY = 'Certificate: issue now';

    /**
     * A student completed a course.
     *
     * @param \core\event\course_completed $event
     */
    public static function course_completed(\core\event\course_completed $event): void {
        self::guarded(function() use ($event) {
            $userid = (int) $event->relateduserid;
            $courseid = (int) $event->courseid;
            self::queue_for_course(payload::TYPE_COURSE_COMPLETED, $userid, $courseid, (int) $event->objectid,
                (int) $event->timecreated, []);
        });
    }

    /**
     * A teacher rated a student's skill (competency) in a course.
     *
     * @param \core\event\competency_user_competency_rated_in_course $event
     */
    public static function competency_rated_in_course(\core\event\competency_user_competency_rated_in_course $event): void {
        self::guarded(function() use ($event) {
            $other = (array) $event->other;
            self::queue_for_course(payload::TYPE_SKILLS, (int) $event->relateduserid, (int) $event->courseid,
                (int) $event->objectid, (int) $event->timecreated, [
                    'competency_id' => (int) ($other['competencyid'] ?? 0),
                    'grade' => isset($other['grade']) ? (int) $other['grade'] : null,
                ]);
        });
    }

    /**
     * A student's skill (competency) was rated outside a course (in a learning plan).
     *
     * The event names no course: one webhook is queued for each course the
     * student is enrolled in that links this competency, since certd reads
     * skills per course.
     *
     * @param \core\event\competency_user_competency_rated $event
     */
    public static function competency_rated(\core\event\competency_user_competency_rated $event): void {
        self::guarded(function() use ($event) {
            global $DB;
            $userid = (int) $event->relateduserid;
            $usercompetency = $event->get_record_snapshot('competency_usercomp', $event->objectid);
            if (!$usercompetency || empty($usercompetency->competencyid)) {
                return;
            }
            $competencyid = (int) $usercompetency->competencyid;
            $courseids = $DB->get_fieldset_select('competency_coursecomp', 'DISTINCT courseid', 'competencyid = ?',
                [$competencyid]);
            $other = (array) $event->other;
            foreach ($courseids as $courseid) {
                $context = \context_course::instance((int) $courseid, IGNORE_MISSING);
                if (!$context || !is_enrolled($context, $userid, '', true)) {
                    continue;
                }
                self::queue_for_course(payload::TYPE_SKILLS, $userid, (int) $courseid, (int) $event->objectid,
                    (int) $event->timecreated, [
                        'competency_id' => $competencyid,
                        'grade' => isset($other['grade']) ? (int) $other['grade'] : null,
                    ]);
            }
        });
    }

    /**
     * An activity's completion changed: queue "issue now" when a teacher
     * marked the configured activity complete for a student.
     *
     * Only a mark made by someone else (overrideby set) counts, as in
     * certd's own reading of Moodle (docs/moodle-api.md section 8): a
     * student's own tick has no overrideby, and certd clearing the mark
     * afterwards sets the state to incomplete, which is ignored here.
     * The teacher is not named in the webhook: certd reads overrideby from
     * Moodle itself, and the queue then holds no data about teachers.
     *
     * @param \core\event\course_module_completion_updated $event
     */
    public static function course_module_completion_updated(\core\event\course_module_completion_updated $event): void {
        self::guarded(function() use ($event) {
            global $CFG;
            require_once($CFG->libdir . '/completionlib.php');
            $other = (array) $event->other;
            $state = isset($other['completionstate']) ? (int) $other['completionstate'] : -1;
            if ($state !== COMPLETION_COMPLETE && $state !== COMPLETION_COMPLETE_PASS) {
                return;
            }
            if (empty($other['overrideby'])) {
                return;
            }
            $name = trim((string) get_config('local_certd', 'issuenowactivity'));
            if ($name === '') {
                $name = self::DEFAULT_ISSUE_NOW_ACTIVITY;
            }
            $courseid = (int) $event->courseid;
            $cmid = (int) $event->contextinstanceid;
            $cm = get_fast_modinfo($courseid)->get_cm($cmid);
            if (trim((string) $cm->name) !== $name) {
                return;
            }
            self::queue_for_course(payload::TYPE_ISSUE_NOW, (int) $event->relateduserid, $courseid,
                (int) $event->objectid, (int) $event->timecreated, [
                    'cmid' => $cmid,
                    'activity' => (string) $cm->name,
                ]);
        });
    }

    /**
     * A student's enrolment changed: queue "suspended" when it is now suspended.
     *
     * @param \core\event\user_enrolment_updated $event
     */
    public static function user_enrolment_updated(\core\event\user_enrolment_updated $event): void {
        self::guarded(function() use ($event) {
            global $CFG, $DB;
            require_once($CFG->libdir . '/enrollib.php');
            $ue = $DB->get_record('user_enrolments', ['id' => $event->objectid], 'id, status, timestart, timeend');
            if (!$ue || (int) $ue->status !== ENROL_USER_SUSPENDED) {
                return;
            }
            $other = (array) $event->other;
            self::queue_for_course(payload::TYPE_SUSPENDED, (int) $event->relateduserid, (int) $event->courseid,
                (int) $event->objectid, (int) $event->timecreated, [
                    'enrol' => (string) ($other['enrol'] ?? ''),
                    'timeend' => (int) $ue->timeend,
                ]);
        });
    }

    /**
     * Queue one webhook for a student in a course, by the course's short name.
     *
     * @param string $type a payload::TYPE_ constant
     * @param int $userid
     * @param int $courseid
     * @param int $objectid
     * @param int $time
     * @param array $extra
     */
    protected static function queue_for_course(string $type, int $userid, int $courseid, int $objectid, int $time,
            array $extra): void {
        global $DB;
        if ($userid <= 0 || $courseid <= 0 || $courseid == SITEID) {
            return;
        }
        $shortname = $DB->get_field('course', 'shortname', ['id' => $courseid]);
        if ($shortname === false || $shortname === '') {
            return;
        }
        queue::add($type, $userid, $courseid, (string) $shortname, $objectid, $time, $extra);
    }

    /**
     * Run an observer's work without letting a failure reach the event's caller.
     *
     * @param callable $work
     */
    protected static function guarded(callable $work): void {
        try {
            $work();
        } catch (\Throwable $e) {
            debugging('local_certd: could not queue a webhook: ' . $e->getMessage(), DEBUG_DEVELOPER);
        }
    }
}
