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
 * Scheduled task that makes sure queued webhooks have a sender.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_certd\task;

use local_certd\queue;
use local_certd\sender;

/**
 * Safety net: queues the adhoc task when rows are queued.
 *
 * Normally the end of the request that queued a row sends it, or queues
 * \local_certd\task\send_queue. A request that died before its shutdown
 * functions ran (a fatal error, a killed process) leaves rows without a
 * task: this task, every five minutes, queues one for them.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class queue_watchdog extends \core\task\scheduled_task {

    /**
     * The task's name on the scheduled tasks page.
     *
     * @return string
     */
    public function get_name() {
        return get_string('taskwatchdog', 'local_certd');
    }

    /**
     * Queue the adhoc task for the next due row, if any.
     */
    public function execute() {
        $next = queue::next_due();
        if ($next === null) {
            return;
        }
        sender::queue_task($next);
        mtrace('local_certd: webhooks are queued; the sending task is queued for ' . userdate(max($next, time())) . '.');
    }
}
