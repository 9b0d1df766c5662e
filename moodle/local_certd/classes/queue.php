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
 * The queue of webhooks waiting to be sent to certd.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_certd;

/**
 * Rows of local_certd_queue: added by the observers, sent by sender.
 *
 * A row is "queued" until certd answers 2xx, then it is deleted: certd
 * keeps its own record of every event it accepted, and Moodle's logs keep
 * the event itself, so a copy here would only keep student ids longer.
 * A row that still fails after the configured maximum age becomes
 * "failed" and stays until an admin retries or deletes it.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class queue {

    /** The table. */
    const TABLE = 'local_certd_queue';
    /** Waiting to be sent (now or at nextattempt). */
    const STATUS_QUEUED = 'queued';
    /** Tried for longer than the maximum age; kept until an admin acts. */
    const STATUS_FAILED = 'failed';

    /**
     * Queue one webhook, unless the same event is queued already.
     *
     * Called by the observers, usually inside the transaction of the change
     * that triggered the event: if that change is rolled back, so is the
     * row. Sending happens after the request (sender::register_shutdown()).
     *
     * @param string $type a payload::TYPE_ constant
     * @param int $userid the student
     * @param int $courseid the course
     * @param string $shortname the course's short name
     * @param int $objectid the id of the record the event is about
     * @param int $time the event's time
     * @param array $extra more fields for the body's data
     * @return int|null the row's id, or null when that event was queued before
     */
    public static function add(string $type, int $userid, int $courseid, string $shortname, int $objectid,
            int $time, array $extra = []): ?int {
        global $DB;
        [$webhookid, $body] = payload::build($type, $userid, $courseid, $shortname, $objectid, $time, $extra);
        // Checked first: a unique-key violation inside the caller's transaction
        // would break the teacher's own change on some databases.
        if ($DB->record_exists(self::TABLE, ['webhookid' => $webhookid])) {
            return null;
        }
        $now = time();
        $row = (object) [
            'webhookid' => $webhookid,
            'type' => $type,
            'userid' => $userid,
            'courseid' => $courseid,
            'payload' => $body,
            'status' => self::STATUS_QUEUED,
            'attempts' => 0,
            'nextattempt' => 0,
            'lasterror' => null,
            'timecreated' => $now,
            'timequeued' => $now,
            'timemodified' => $now,
        ];
        $row->id = $DB->insert_record(self::TABLE, $row);
        sender::register_shutdown((int) $row->id);
        return (int) $row->id;
    }

    /**
     * How many rows are queued and failed.
     *
     * @return array ['queued' => int, 'failed' => int]
     */
    public static function counts(): array {
        global $DB;
        return [
            self::STATUS_QUEUED => $DB->count_records(self::TABLE, ['status' => self::STATUS_QUEUED]),
            self::STATUS_FAILED => $DB->count_records(self::TABLE, ['status' => self::STATUS_FAILED]),
        ];
    }

    /**
     * Queue a row again now, as if it were new: its age counts from now.
     *
     * @param int $id
     * @return bool whether the row exists
     */
    public static function requeue(int $id): bool {
        global $DB;
        if (!$DB->record_exists(self::TABLE, ['id' => $id])) {
            return false;
        }
        $now = time();
        $DB->update_record(self::TABLE, (object) ['id' => $id, 'status' => self::STATUS_QUEUED, 'nextattempt' => 0,
            'timequeued' => $now, 'timemodified' => $now]);
        return true;
    }

    /**
     * Queue every failed row again now.
     *
     * @return int how many rows were re-queued
     */
    public static function requeue_failed(): int {
        global $DB;
        $ids = $DB->get_fieldset_select(self::TABLE, 'id', 'status = ?', [self::STATUS_FAILED]);
        foreach ($ids as $id) {
            self::requeue((int) $id);
        }
        return count($ids);
    }

    /**
     * Remove a row (an admin gave up on it).
     *
     * @param int $id
     */
    public static function delete(int $id): void {
        global $DB;
        $DB->delete_records(self::TABLE, ['id' => $id]);
    }

    /**
     * Queued rows whose time has come, oldest first.
     *
     * @param int $now
     * @param int $limit
     * @param int[]|null $ids only these rows (the ones this request queued), or null for any
     * @return \stdClass[]
     */
    public static function due(int $now, int $limit, ?array $ids = null): array {
        global $DB;
        $where = 'status = :status AND nextattempt <= :now';
        $params = ['status' => self::STATUS_QUEUED, 'now' => $now];
        if ($ids !== null) {
            if (!$ids) {
                return [];
            }
            [$insql, $inparams] = $DB->get_in_or_equal($ids, SQL_PARAMS_NAMED, 'qid');
            $where .= ' AND id ' . $insql;
            $params += $inparams;
        }
        return array_values($DB->get_records_select(self::TABLE, $where, $params, 'id ASC', '*', 0, $limit));
    }

    /**
     * When the next queued row is due, if any row is queued.
     *
     * @return int|null unix seconds
     */
    public static function next_due(): ?int {
        global $DB;
        $next = $DB->get_field_sql('SELECT MIN(nextattempt) FROM {' . self::TABLE . '} WHERE status = ?',
            [self::STATUS_QUEUED]);
        return ($next === false || $next === null) ? null : (int) $next;
    }

    /**
     * Certd answered 2xx: the row is done.
     *
     * @param \stdClass $row
     */
    public static function mark_sent(\stdClass $row): void {
        global $DB;
        $DB->delete_records(self::TABLE, ['id' => $row->id]);
    }

    /**
     * An attempt failed: try again later, or give up when the row is too old.
     *
     * @param \stdClass $row
     * @param string $error what certd answered, or why there was no answer
     * @param int $now
     * @param int $maxage seconds
     * @return bool true when the row is now "failed"
     */
    public static function mark_attempt_failed(\stdClass $row, string $error, int $now, int $maxage): bool {
        global $DB;
        $attempts = (int) $row->attempts + 1;
        $giveup = payload::should_give_up((int) $row->timequeued, $now, $maxage);
        $DB->update_record(self::TABLE, (object) [
            'id' => $row->id,
            'attempts' => $attempts,
            'lasterror' => $error,
            'status' => $giveup ? self::STATUS_FAILED : self::STATUS_QUEUED,
            'nextattempt' => $giveup ? 0 : payload::next_attempt($attempts, $now),
            'timemodified' => $now,
        ]);
        return $giveup;
    }

    /**
     * Certd cannot be reached: move every due row to the same later time
     * without trying each one (each would wait for its own timeout), and
     * give up on rows that were tried and are too old.
     *
     * @param int $until when to try again
     * @param int $now
     * @param int $maxage seconds; 0 means never give up
     */
    public static function postpone_due(int $until, int $now, int $maxage): void {
        global $DB;
        if ($maxage > 0) {
            $DB->execute('UPDATE {' . self::TABLE . '} SET status = ?, nextattempt = 0, timemodified = ?
                           WHERE status = ? AND attempts > 0 AND timequeued <= ?',
                [self::STATUS_FAILED, $now, self::STATUS_QUEUED, $now - $maxage]);
        }
        $DB->execute('UPDATE {' . self::TABLE . '} SET nextattempt = ?, timemodified = ?
                       WHERE status = ? AND nextattempt <= ?',
            [$until, $now, self::STATUS_QUEUED, $now]);
    }
}
