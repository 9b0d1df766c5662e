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
 * Webhook payloads and Standard Webhooks signatures, without Moodle.
 *
 * Everything here takes and returns plain PHP values and touches neither
 * the database nor the network, so tests/moodle_plugin/run_payload_tests.php
 * can require this file on its own and check it against certd.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_certd;

/**
 * Builds webhook bodies and ids, signs them, and computes retry times.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class payload {

    /** A student completed a course (\core\event\course_completed). */
    const TYPE_COURSE_COMPLETED = 'course-completed';
    /** A skill (competency) of a student was rated, in a course or in a plan. */
    const TYPE_SKILLS = 'skills';
    /** A teacher marked the "issue now" activity complete for a student. */
    const TYPE_ISSUE_NOW = 'issue-now';
    /** A student's enrolment was suspended. */
    const TYPE_SUSPENDED = 'suspended';
    /** The admin page's "send test event": certd records nothing for a student. */
    const TYPE_PING = 'ping';

    /** certd accepts at most this many characters in a webhook id (the queue column's size). */
    const MAX_ID_LENGTH = 64;

    /** The prefix of a Standard Webhooks secret. */
    const SECRET_PREFIX = 'whsec_';

    /**
     * The event types this plugin sends, in the order the admin page lists them.
     *
     * @return string[]
     */
    public static function types(): array {
        return [self::TYPE_COURSE_COMPLETED, self::TYPE_SKILLS, self::TYPE_ISSUE_NOW, self::TYPE_SUSPENDED,
            self::TYPE_PING];
    }

    /**
     * The webhook id of one event: the same event always gives the same id.
     *
     * The id is what certd de-duplicates on ("duplicate" for an id it has
     * recorded), so it is computed once when the event is queued and sent
     * unchanged on every retry. It is made of what identifies the event in
     * Moodle: its type, course, student, the id of the record it is about
     * (course_completions, competency_usercompcourse, course_modules_completion,
     * user_enrolments) and the event's time. An id that would be longer than
     * 64 characters is replaced by a SHA-256 of the same parts.
     *
     * @param string $type one of the TYPE_ constants
     * @param int $courseid the Moodle course id
     * @param int $userid the student's Moodle user id
     * @param int $objectid the id of the record the event is about
     * @param int $time the event's time (unix seconds)
     * @return string e.g. "moodle-course-completed-7-42-1001-1700000000"
     */
    public static function webhook_id(string $type, int $courseid, int $userid, int $objectid, int $time): string {
        $id = 'moodle-' . $type . '-' . $courseid . '-' . $userid . '-' . $objectid . '-' . $time;
        if (strlen($id) > self::MAX_ID_LENGTH) {
            $id = 'moodle-' . substr(hash('sha256', $id), 0, self::MAX_ID_LENGTH - strlen('moodle-'));
        }
        return $id;
    }

    /**
     * The webhook of one event: its id and the exact body to send and sign.
     *
     * certd reads `type`, `data.user_id` (a positive number) and
     * `data.course` (the course's short name) and then reads the student's
     * progress from Moodle itself; the other fields are context for people
     * reading certd's event list. The body is JSON without escaped slashes
     * or Unicode, and is stored as it is: a retry sends and signs the very
     * same bytes.
     *
     * @param string $type one of the TYPE_ constants
     * @param int $userid the student's Moodle user id
     * @param int $courseid the Moodle course id
     * @param string $shortname the course's short name
     * @param int $objectid the id of the record the event is about (see webhook_id())
     * @param int $time the event's time (unix seconds)
     * @param array $extra more fields for `data` (e.g. competency_id, cmid); they cannot replace
     *                     user_id, course, course_id or time
     * @return array [string id, string body]
     */
    public static function build(string $type, int $userid, int $courseid, string $shortname, int $objectid,
            int $time, array $extra = []): array {
        $data = ['user_id' => $userid, 'course' => $shortname, 'course_id' => $courseid, 'time' => $time];
        foreach ($extra as $key => $value) {
            if (!array_key_exists($key, $data)) {
                $data[$key] = $value;
            }
        }
        $body = json_encode(['type' => $type, 'data' => $data],
            JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
        return [self::webhook_id($type, $courseid, $userid, $objectid, $time), $body];
    }

    /**
     * The body of a test event, sent by the admin page's "send test event".
     *
     * @param string $site the site's address, so certd's event list says where it came from
     * @param int $time now (unix seconds)
     * @return array [string id, string body]: the id is new on every call
     */
    public static function build_ping(string $site, int $time): array {
        $id = 'moodle-ping-' . $time . '-' . bin2hex(random_bytes(8));
        $body = json_encode(['type' => self::TYPE_PING, 'data' => ['site' => $site, 'time' => $time]],
            JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
        return [$id, $body];
    }

    /**
     * The HMAC key of a secret: the bytes base64-encoded after "whsec_".
     *
     * certd (portal/webhook_verifier.cpp) accepts standard base64 with
     * padding of 24 to 64 bytes; the prefix is optional there and here.
     *
     * @param string $secret e.g. "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
     * @return string|null the key, or null when the secret is not one certd would accept
     */
    public static function secret_key(string $secret): ?string {
        $text = trim($secret);
        if (strpos($text, self::SECRET_PREFIX) === 0) {
            $text = substr($text, strlen(self::SECRET_PREFIX));
        }
        if ($text === '' || strlen($text) % 4 !== 0 || !preg_match('~^[A-Za-z0-9+/]+={0,2}$~', $text)) {
            return null;
        }
        $key = base64_decode($text, true);
        if ($key === false || strlen($key) < 24 || strlen($key) > 64) {
            return null;
        }
        return $key;
    }

    /**
     * Whether a secret can be saved: "whsec_" followed by base64 of 24 to 64 bytes.
     *
     * @param string $secret
     * @return bool
     */
    public static function valid_secret(string $secret): bool {
        return strpos(trim($secret), self::SECRET_PREFIX) === 0 && self::secret_key($secret) !== null;
    }

    /**
     * The webhook-signature header value of one request.
     *
     * Standard Webhooks: "v1," followed by the base64 HMAC-SHA256, keyed
     * with the secret's decoded bytes, of "id.timestamp.body".
     *
     * @param string $secret the "whsec_..." secret
     * @param string $id the webhook-id header
     * @param int $timestamp the webhook-timestamp header (unix seconds, the time of sending)
     * @param string $body the exact request body
     * @return string e.g. "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
     * @throws \InvalidArgumentException when the secret is not a valid whsec_ secret
     */
    public static function sign(string $secret, string $id, int $timestamp, string $body): string {
        $key = self::secret_key($secret);
        if ($key === null) {
            throw new \InvalidArgumentException('the secret must be whsec_ followed by base64 of 24 to 64 bytes');
        }
        return 'v1,' . base64_encode(hash_hmac('sha256', $id . '.' . $timestamp . '.' . $body, $key, true));
    }

    /**
     * The HTTP headers of one request, as "Name: value" lines.
     *
     * @param string $secret the "whsec_..." secret
     * @param string $id the webhook id
     * @param int $timestamp now (unix seconds)
     * @param string $body the exact request body
     * @return string[]
     */
    public static function headers(string $secret, string $id, int $timestamp, string $body): array {
        return [
            'Content-Type: application/json',
            'webhook-id: ' . $id,
            'webhook-timestamp: ' . $timestamp,
            'webhook-signature: ' . self::sign($secret, $id, $timestamp, $body),
        ];
    }

    /**
     * The address to post to: the certd URL with "/hooks/moodle".
     *
     * @param string $certdurl e.g. "https://certd.example.org" (a trailing slash is fine)
     * @param string $source the webhook source configured in certd (webhooks.sources)
     * @return string
     */
    public static function endpoint(string $certdurl, string $source = 'moodle'): string {
        return rtrim(trim($certdurl), '/') . '/hooks/' . rawurlencode($source);
    }

    /**
     * When to try a queued webhook again after a failed attempt.
     *
     * One minute after the first failure, doubling each time, at most one
     * hour apart.
     *
     * @param int $attempts the attempts made so far, the failed one included (1 or more)
     * @param int $now unix seconds
     * @return int unix seconds
     */
    public static function next_attempt(int $attempts, int $now): int {
        $delay = 60 * (2 ** min(max($attempts, 1) - 1, 6));
        return $now + min($delay, 3600);
    }

    /**
     * Whether a webhook that still fails has been tried long enough.
     *
     * @param int $timequeued when the row was queued (or re-queued by an admin)
     * @param int $now unix seconds
     * @param int $maxage seconds; 0 or less means never give up
     * @return bool
     */
    public static function should_give_up(int $timequeued, int $now, int $maxage): bool {
        return $maxage > 0 && $now - $timequeued >= $maxage;
    }

    /**
     * What certd's answer means for a queued webhook.
     *
     * certd answers 200 with {"status": "accepted"} or {"status": "duplicate"}
     * once the event is committed: both mean done. Anything else (no
     * answer, 401 for a wrong secret, 404 for a source certd does not know,
     * 5xx) may be fixed on certd's side, so the webhook is tried again until
     * it is too old.
     *
     * @param int $httpcode 0 when there was no HTTP answer
     * @return bool true when the webhook needs no further attempt
     */
    public static function delivered(int $httpcode): bool {
        return $httpcode >= 200 && $httpcode < 300;
    }

    /**
     * A short, single-line description of certd's answer for the admin page and lasterror.
     *
     * @param int $httpcode 0 when there was no HTTP answer
     * @param string $body certd's answer
     * @param string $error the transport error, if any
     * @return string at most 500 characters
     */
    public static function describe_answer(int $httpcode, string $body, string $error = ''): string {
        if ($httpcode === 0) {
            $text = 'no answer: ' . ($error !== '' ? $error : 'unknown error');
        } else {
            $message = '';
            $decoded = json_decode($body, true);
            if (is_array($decoded) && isset($decoded['error']['message']) && is_string($decoded['error']['message'])) {
                $message = $decoded['error']['message'];
            } else if (is_array($decoded) && isset($decoded['status']) && is_string($decoded['status'])) {
                $message = $decoded['status'];
            } else {
                $message = trim($body);
            }
            $text = 'HTTP ' . $httpcode . ($message !== '' ? ': ' . $message : '');
        }
        $text = preg_replace('/[\x00-\x1f\x7f]+/', ' ', $text);
        if (strlen($text) <= 500) {
            return $text;
        }
        // Cut on a character boundary when mbstring is there (it is in Moodle).
        return (function_exists('mb_strcut') ? mb_strcut($text, 0, 497, 'UTF-8') : substr($text, 0, 497)) . '...';
    }
}
