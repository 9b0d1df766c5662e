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
 * Adhoc task that sends queued webhooks to certd.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_certd\task;

use local_certd\queue;
use local_certd\sender;

/**
 * Sends every due webhook, then queues itself again for the next due row.
 *
 * Failed attempts are retried with exponential back-off (nextattempt: one
 * minute doubling to one hour); a row still failing after the configured
 * maximum age becomes "failed" and waits for an admin. The task never
 * throws for a failed delivery: Moodle's own retry of failing adhoc tasks
 * would stop after a number of attempts, and the queue keeps its own
 * schedule instead.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class send_queue extends \core\task\adhoc_task {

    /**
     * The task's name in the task logs.
     *
     * @return string
     */
    public function get_name() {
        return get_string('tasksendqueue', 'local_certd');
    }

    /**
     * Send what is due and queue the next run.
     */
    public function execute() {
        if (!sender::configured()) {
            mtrace('local_certd: the certd URL or secret is not set; the queue waits.');
            return;
        }
        $stats = sender::send_due(sender::TASK_LIMIT, sender::TASK_CONNECT_TIMEOUT, sender::TASK_TIMEOUT);
        if ($stats['locked']) {
            mtrace('local_certd: another sender is busy; trying again in a minute.');
            sender::queue_task(time() + 60);
            return;
        }
        mtrace("local_certd: sent {$stats['sent']}, to retry {$stats['retry']}, given up {$stats['failed']}.");
        // Rows left (new ones, more than one run sends, or waiting for back-off).
        $next = queue::next_due();
        if ($next !== null) {
            sender::queue_task($next);
        }
    }
}
