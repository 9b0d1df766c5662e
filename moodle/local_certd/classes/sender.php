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
 * Sends queued webhooks to certd.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_certd;

/**
 * Posts webhooks to certd's /hooks/moodle with Moodle's \curl class.
 *
 * Two callers: the shutdown function registered by queue::add(), which
 * sends the rows of the current request once its page is done, with a
 * short timeout and at most a few rows; and the adhoc task
 * \local_certd\task\send_queue, which sends everything due with longer
 * timeouts and queues itself again while rows remain.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class sender {

    /** Seconds the shutdown function waits for certd to accept a connection. */
    const SHUTDOWN_CONNECT_TIMEOUT = 2;
    /** Seconds the shutdown function waits for certd's whole answer. */
    const SHUTDOWN_TIMEOUT = 3;
    /** At most this many rows are sent at the end of one request; the task sends the rest. */
    const SHUTDOWN_LIMIT = 10;
    /** Seconds the task waits for a connection. */
    const TASK_CONNECT_TIMEOUT = 5;
    /** Seconds the task waits for one whole answer. */
    const TASK_TIMEOUT = 15;
    /** Rows one task run sends at most before it queues itself again. */
    const TASK_LIMIT = 500;
    /** The default maximum age (seconds) before a row that still fails becomes "failed". */
    const DEFAULT_MAXAGE = 3 * 86400;

    /** @var int[] rows queued during this request */
    protected static $requestids = [];
    /** @var bool whether the shutdown function is registered */
    protected static $registered = false;

    /**
     * Remember a row queued in this request and send it when the request ends.
     *
     * @param int $id a local_certd_queue id
     */
    public static function register_shutdown(int $id): void {
        self::$requestids[] = $id;
        if (!self::$registered) {
            self::$registered = true;
            \core_shutdown_manager::register_function([self::class, 'send_at_shutdown']);
        }
    }

    /**
     * Whether the certd URL and a valid secret are set.
     *
     * @return bool
     */
    public static function configured(): bool {
        $config = get_config('local_certd');
        return !empty($config->url) && !empty($config->secret) && payload::valid_secret((string) $config->secret);
    }

    /**
     * The maximum age setting, in seconds.
     *
     * @return int
     */
    public static function maxage(): int {
        $maxage = get_config('local_certd', 'maxage');
        return ($maxage === false || $maxage === '') ? self::DEFAULT_MAXAGE : (int) $maxage;
    }

    /**
     * Post one webhook to certd now.
     *
     * A new webhook-timestamp and signature are made for each attempt (certd
     * refuses timestamps older than its window); the id and body are the
     * stored ones, so certd answers "duplicate" to a retry of a webhook it
     * already recorded.
     *
     * @param string $webhookid
     * @param string $body
     * @param int $connecttimeout seconds
     * @param int $timeout seconds
     * @return array ['code' => int (0: no HTTP answer), 'body' => string, 'error' => string]
     */
    public static function post(string $webhookid, string $body, int $connecttimeout, int $timeout): array {
        global $CFG;
        require_once($CFG->libdir . '/filelib.php');
        $config = get_config('local_certd');
        if (empty($config->url) || empty($config->secret) || !payload::valid_secret((string) $config->secret)) {
            return ['code' => 0, 'body' => '', 'error' => get_string('notconfigured', 'local_certd')];
        }
        $curl = new \curl(['ignoresecurity' => !empty($config->ignoresecurity)]);
        $curl->setHeader(payload::headers((string) $config->secret, $webhookid, time(), $body));
        $answer = $curl->post(payload::endpoint((string) $config->url), $body, [
            'CURLOPT_CONNECTTIMEOUT' => $connecttimeout,
            'CURLOPT_TIMEOUT' => $timeout,
            // A webhook is not re-posted somewhere else: a redirect is an answer to show.
            'CURLOPT_FOLLOWLOCATION' => 0,
        ]);
        $info = $curl->get_info();
        $code = is_array($info) && isset($info['http_code']) ? (int) $info['http_code'] : 0;
        $error = $curl->get_errno() ? (string) $curl->error : '';
        if ($code === 0 && $error === '') {
            // A URL blocked by Moodle's HTTP security returns the reason as the answer.
            $error = is_string($answer) ? $answer : 'no answer';
        }
        return ['code' => $code, 'body' => is_string($answer) ? $answer : '', 'error' => $error];
    }

    /**
     * Send due rows, oldest first.
     *
     * Stops at the first attempt that gets no HTTP answer at all (certd is
     * down or unreachable) and moves the other due rows to the same later
     * time, so one request or task never waits for many timeouts.
     *
     * @param int $limit rows at most
     * @param int $connecttimeout seconds
     * @param int $timeout seconds
     * @param int[]|null $ids only these rows, or null for any due row
     * @return array ['sent' => int, 'retry' => int, 'failed' => int, 'locked' => bool]
     */
    public static function send_due(int $limit, int $connecttimeout, int $timeout, ?array $ids = null): array {
        $stats = ['sent' => 0, 'retry' => 0, 'failed' => 0, 'locked' => false];
        if (!self::configured()) {
            return $stats;
        }
        // One sender at a time: the shutdown of one request, the task or the admin page.
        $factory = \core\lock\lock_config::get_lock_factory('local_certd');
        $lock = $factory->get_lock('send_queue', 0);
        if (!$lock) {
            $stats['locked'] = true;
            return $stats;
        }
        try {
            $maxage = self::maxage();
            foreach (queue::due(time(), $limit, $ids) as $row) {
                $answer = self::post((string) $row->webhookid, (string) $row->payload, $connecttimeout, $timeout);
                $now = time();
                if (payload::delivered($answer['code'])) {
                    queue::mark_sent($row);
                    $stats['sent']++;
                    continue;
                }
                $text = payload::describe_answer($answer['code'], $answer['body'], $answer['error']);
                if (queue::mark_attempt_failed($row, $text, $now, $maxage)) {
                    $stats['failed']++;
                } else {
                    $stats['retry']++;
                }
                if ($answer['code'] === 0) {
                    queue::postpone_due(payload::next_attempt((int) $row->attempts + 1, $now), $now, $maxage);
                    break;
                }
            }
        } finally {
            $lock->release();
        }
        return $stats;
    }

    /**
     * The shutdown function: send this request's rows, leave the rest to the task.
     *
     * Runs after the page has been produced, before the session is closed.
     * Whatever is not sent (certd slow or down, more rows than
     * SHUTDOWN_LIMIT, another sender busy) stays queued and the adhoc task
     * is queued to send it.
     */
    public static function send_at_shutdown(): void {
        global $DB;
        $ids = self::$requestids;
        self::$requestids = [];
        if (!$ids) {
            return;
        }
        try {
            if ($DB->is_transaction_started()) {
                // The request ended inside a transaction: it is about to be
                // rolled back, and with it these rows.
                return;
            }
            $stats = self::send_due(self::SHUTDOWN_LIMIT, self::SHUTDOWN_CONNECT_TIMEOUT, self::SHUTDOWN_TIMEOUT, $ids);
            if ($stats['retry'] || $stats['locked'] || count($ids) > self::SHUTDOWN_LIMIT || !self::configured()
                    || queue::due(time(), 1, $ids)) {
                self::queue_task();
            }
        } catch (\Throwable $e) {
            // Never break the end of someone's request: the watchdog task
            // queues the adhoc task for whatever is left.
            debugging('local_certd: sending at shutdown failed: ' . $e->getMessage(), DEBUG_DEVELOPER);
        }
    }

    /**
     * Queue the adhoc task to run when the next queued row is due.
     *
     * The run time is part of the task's custom data: a task cannot
     * reschedule its own record (it is deleted when it finishes), and a
     * task already queued for the same time is not queued twice.
     *
     * @param int|null $when unix seconds; null: when the next row is due
     */
    public static function queue_task(?int $when = null): void {
        if ($when === null) {
            $when = queue::next_due();
            if ($when === null) {
                return;
            }
        }
        $when = max($when, time());
        $task = new \local_certd\task\send_queue();
        $task->set_custom_data(['notbefore' => $when]);
        $task->set_next_run_time($when);
        \core\task\manager::queue_adhoc_task($task, true);
    }

    /**
     * Send a test event and return certd's answer, for the admin page.
     *
     * @return array ['code' => int, 'body' => string, 'error' => string, 'id' => string]
     */
    public static function send_test(): array {
        global $CFG;
        [$id, $body] = payload::build_ping((string) $CFG->wwwroot, time());
        $answer = self::post($id, $body, self::TASK_CONNECT_TIMEOUT, self::TASK_TIMEOUT);
        $answer['id'] = $id;
        return $answer;
    }
}
