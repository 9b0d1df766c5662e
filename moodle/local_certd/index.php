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
 * Admin page: certd's webhook queue, retry, and a test event.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require_once(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_certd\payload;
use local_certd\queue;
use local_certd\sender;

// Checks the login and moodle/site:config (the capability of the page in settings.php).
admin_externalpage_setup('local_certd_queue');
require_capability('moodle/site:config', context_system::instance());

$action = optional_param('action', '', PARAM_ALPHA);
$id = optional_param('id', 0, PARAM_INT);
$pageurl = new moodle_url('/local/certd/index.php');
$testanswer = null;

if ($action !== '') {
    require_sesskey();
    switch ($action) {
        case 'retry':
            if (queue::requeue($id)) {
                $stats = sender::send_due(1, sender::TASK_CONNECT_TIMEOUT, sender::TASK_TIMEOUT, [$id]);
                sender::queue_task();
                $message = $stats['sent'] ? get_string('retrysent', 'local_certd') : get_string('retryqueued', 'local_certd');
                redirect($pageurl, $message, null, $stats['sent'] ? \core\output\notification::NOTIFY_SUCCESS
                    : \core\output\notification::NOTIFY_INFO);
            }
            redirect($pageurl);
            break;
        case 'retryall':
            $count = queue::requeue_failed();
            sender::queue_task();
            redirect($pageurl, get_string('retryallqueued', 'local_certd', $count), null,
                \core\output\notification::NOTIFY_INFO);
            break;
        case 'sendnow':
            $stats = sender::send_due(sender::TASK_LIMIT, sender::TASK_CONNECT_TIMEOUT, sender::TASK_TIMEOUT);
            sender::queue_task();
            redirect($pageurl, get_string('sendnowresult', 'local_certd', (object) $stats), null,
                \core\output\notification::NOTIFY_INFO);
            break;
        case 'delete':
            queue::delete($id);
            redirect($pageurl, get_string('deleted', 'local_certd'), null, \core\output\notification::NOTIFY_SUCCESS);
            break;
        case 'test':
            $testanswer = sender::send_test();
            break;
        default:
            throw new moodle_exception('invalidparameter', 'debug');
    }
}

echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('queuepage', 'local_certd'));

if (!sender::configured()) {
    echo $OUTPUT->notification(get_string('notconfigured', 'local_certd'), \core\output\notification::NOTIFY_WARNING);
}

if ($testanswer !== null) {
    $a = (object) [
        'id' => $testanswer['id'],
        'answer' => payload::describe_answer($testanswer['code'], $testanswer['body'], $testanswer['error']),
    ];
    $ok = payload::delivered($testanswer['code']);
    echo $OUTPUT->notification(get_string($ok ? 'testok' : 'testfailed', 'local_certd', $a),
        $ok ? \core\output\notification::NOTIFY_SUCCESS : \core\output\notification::NOTIFY_ERROR);
    if ($testanswer['body'] !== '') {
        echo html_writer::tag('pre', s($testanswer['body']));
    }
}

$counts = queue::counts();
echo html_writer::tag('p', get_string('counts', 'local_certd', (object) $counts));

$buttons = $OUTPUT->single_button(new moodle_url($pageurl, ['action' => 'test', 'sesskey' => sesskey()]),
    get_string('sendtest', 'local_certd'), 'post', ['type' => single_button::BUTTON_PRIMARY]);
$buttons .= $OUTPUT->single_button(new moodle_url($pageurl, ['action' => 'sendnow', 'sesskey' => sesskey()]),
    get_string('sendnow', 'local_certd'));
if ($counts[queue::STATUS_FAILED] > 0) {
    $buttons .= $OUTPUT->single_button(new moodle_url($pageurl, ['action' => 'retryall', 'sesskey' => sesskey()]),
        get_string('retryall', 'local_certd'));
}
echo html_writer::div($buttons, 'd-flex flex-wrap gap-2 mb-3');

$rows = $DB->get_records(queue::TABLE, null, 'status ASC, id DESC', '*', 0, 200);
if (!$rows) {
    echo $OUTPUT->notification(get_string('queueempty', 'local_certd'), \core\output\notification::NOTIFY_INFO);
} else {
    $table = new html_table();
    $table->head = [
        get_string('status', 'local_certd'),
        get_string('type', 'local_certd'),
        get_string('user'),
        get_string('course'),
        get_string('webhookid', 'local_certd'),
        get_string('timecreated', 'local_certd'),
        get_string('attempts', 'local_certd'),
        get_string('nextattempt', 'local_certd'),
        get_string('lasterror', 'local_certd'),
        get_string('actions'),
    ];
    foreach ($rows as $row) {
        $actions = $OUTPUT->single_button(
            new moodle_url($pageurl, ['action' => 'retry', 'id' => $row->id, 'sesskey' => sesskey()]),
            get_string('retry', 'local_certd'), 'post', ['class' => 'd-inline-block']);
        $actions .= $OUTPUT->single_button(
            new moodle_url($pageurl, ['action' => 'delete', 'id' => $row->id, 'sesskey' => sesskey()]),
            get_string('delete'), 'post', ['class' => 'd-inline-block']);
        $table->data[] = [
            get_string('status_' . $row->status, 'local_certd'),
            s($row->type),
            html_writer::link(new moodle_url('/user/view.php', ['id' => $row->userid, 'course' => $row->courseid]),
                (int) $row->userid),
            html_writer::link(new moodle_url('/course/view.php', ['id' => $row->courseid]), (int) $row->courseid),
            html_writer::tag('code', s($row->webhookid)),
            userdate($row->timecreated),
            (int) $row->attempts,
            ($row->status === queue::STATUS_QUEUED && $row->nextattempt > time()) ? userdate($row->nextattempt)
                : get_string('now'),
            s((string) $row->lasterror),
            $actions,
        ];
    }
    echo html_writer::table($table);
}

echo $OUTPUT->footer();
