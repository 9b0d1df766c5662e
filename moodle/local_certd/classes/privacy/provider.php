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
 * Privacy provider of local_certd.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_certd\privacy;

use core_privacy\local\metadata\collection;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\transform;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;

/**
 * What local_certd stores and sends about people.
 *
 * The plugin stores only its queue of webhooks: a student's user id, the
 * course, the kind of event and the JSON body sent to certd (user id,
 * course short name and id, time, and for some events a competency id and
 * rating, an activity id and name, or the enrolment method). A row is
 * deleted once certd accepted it. The same data is sent to certd, an
 * external system run by the school, which keeps its own record and
 * reads the student's progress from Moodle's web services; deleting data
 * here does not delete it from certd.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements
        \core_privacy\local\metadata\provider,
        \core_privacy\local\request\core_userlist_provider,
        \core_privacy\local\request\plugin\provider {

    /**
     * Describe the queue table and certd as an external location.
     *
     * @param collection $collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_database_table('local_certd_queue', [
            'userid' => 'privacy:metadata:queue:userid',
            'courseid' => 'privacy:metadata:queue:courseid',
            'type' => 'privacy:metadata:queue:type',
            'payload' => 'privacy:metadata:queue:payload',
            'timecreated' => 'privacy:metadata:queue:timecreated',
        ], 'privacy:metadata:queue');
        $collection->add_external_location_link('certd', [
            'userid' => 'privacy:metadata:certd:userid',
            'course' => 'privacy:metadata:certd:course',
            'type' => 'privacy:metadata:certd:type',
            'details' => 'privacy:metadata:certd:details',
        ], 'privacy:metadata:certd');
        return $collection;
    }

    /**
     * The course contexts in which a user has queued webhooks.
     *
     * @param int $userid
     * @return contextlist
     */
    public static function get_contexts_for_userid(int $userid): contextlist {
        $contextlist = new contextlist();
        $sql = 'SELECT ctx.id
                  FROM {context} ctx
                  JOIN {local_certd_queue} q ON q.courseid = ctx.instanceid AND ctx.contextlevel = :contextlevel
                 WHERE q.userid = :userid';
        $contextlist->add_from_sql($sql, ['contextlevel' => CONTEXT_COURSE, 'userid' => $userid]);
        return $contextlist;
    }

    /**
     * The users with queued webhooks in a course context.
     *
     * @param userlist $userlist
     */
    public static function get_users_in_context(userlist $userlist) {
        $context = $userlist->get_context();
        if (!$context instanceof \context_course) {
            return;
        }
        $userlist->add_from_sql('userid', 'SELECT userid FROM {local_certd_queue} WHERE courseid = :courseid',
            ['courseid' => $context->instanceid]);
    }

    /**
     * Export a user's queued webhooks, per course.
     *
     * @param approved_contextlist $contextlist
     */
    public static function export_user_data(approved_contextlist $contextlist) {
        global $DB;
        $userid = $contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            if (!$context instanceof \context_course) {
                continue;
            }
            $rows = $DB->get_records('local_certd_queue', ['userid' => $userid, 'courseid' => $context->instanceid],
                'id ASC');
            if (!$rows) {
                continue;
            }
            $webhooks = [];
            foreach ($rows as $row) {
                $webhooks[] = (object) [
                    'type' => $row->type,
                    'status' => $row->status,
                    'payload' => $row->payload,
                    'attempts' => $row->attempts,
                    'lasterror' => $row->lasterror,
                    'timecreated' => transform::datetime($row->timecreated),
                ];
            }
            writer::with_context($context)->export_data([get_string('privacy:path', 'local_certd')],
                (object) ['webhooks' => $webhooks]);
        }
    }

    /**
     * Delete every queued webhook of a course.
     *
     * @param \context $context
     */
    public static function delete_data_for_all_users_in_context(\context $context) {
        global $DB;
        if ($context instanceof \context_course) {
            $DB->delete_records('local_certd_queue', ['courseid' => $context->instanceid]);
        }
    }

    /**
     * Delete a user's queued webhooks in the approved course contexts.
     *
     * @param approved_contextlist $contextlist
     */
    public static function delete_data_for_user(approved_contextlist $contextlist) {
        global $DB;
        $userid = $contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            if ($context instanceof \context_course) {
                $DB->delete_records('local_certd_queue', ['userid' => $userid, 'courseid' => $context->instanceid]);
            }
        }
    }

    /**
     * Delete the queued webhooks of some users in one course context.
     *
     * @param approved_userlist $userlist
     */
    public static function delete_data_for_users(approved_userlist $userlist) {
        global $DB;
        $context = $userlist->get_context();
        $userids = $userlist->get_userids();
        if (!$context instanceof \context_course || !$userids) {
            return;
        }
        [$insql, $params] = $DB->get_in_or_equal($userids, SQL_PARAMS_NAMED);
        $params['courseid'] = $context->instanceid;
        $DB->delete_records_select('local_certd_queue', "courseid = :courseid AND userid $insql", $params);
    }
}
