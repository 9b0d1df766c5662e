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
 * Tests of local_certd's payloads and signatures, without Moodle and without PHPUnit.
 *
 * Usage:
 *   php tests/moodle_plugin/run_payload_tests.php                       unit checks only
 *   php tests/moodle_plugin/run_payload_tests.php CERTD_URL [SECRET]    unit checks, then live checks
 *
 * CERTD_URL is certd's portal (e.g. http://127.0.0.1:8080); SECRET is the
 * whsec_ secret of certd's webhooks.sources.moodle, else the environment
 * variable CERTD_WEBHOOK_SECRET. The live checks post to CERTD_URL/hooks/moodle:
 * a valid webhook is accepted, the same webhook-id again is a duplicate,
 * a wrong signature is refused with 401, a stale timestamp is refused, and
 * the test event ("ping") is answered "pong". Each posted webhook but the ping is recorded by certd as an event (a test course
 * "LOCAL-CERTD-TEST" and student 2147483000+): use a throw-away data_dir.
 *
 * Prints one line per check ("ok - ..." or "not ok - ...") and exits 1 if
 * any check failed, 2 on bad usage. Needs only php-cli (json and hash are
 * built in); uses the curl extension when loaded, else PHP's http streams.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require_once(__DIR__ . '/../../moodle/local_certd/classes/payload.php');

use local_certd\payload;

$failures = 0;
$checks = 0;

/**
 * Record and print one check.
 *
 * @param bool $ok
 * @param string $what
 * @param string $detail shown when the check failed
 */
function check(bool $ok, string $what, string $detail = ''): void {
    global $failures, $checks;
    $checks++;
    if (!$ok) {
        $failures++;
    }
    echo ($ok ? 'ok' : 'not ok') . ' - ' . $what . ($ok || $detail === '' ? '' : ' (' . $detail . ')') . "\n";
}

/**
 * POST a body with headers; PHP's curl extension if loaded, else streams.
 *
 * @param string $url
 * @param string[] $headers "Name: value" lines
 * @param string $body
 * @return array [int status (0: no answer), string body, string error]
 */
function post(string $url, array $headers, string $body): array {
    if (function_exists('curl_init')) {
        $ch = curl_init($url);
        curl_setopt_array($ch, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_CONNECTTIMEOUT => 5,
            CURLOPT_TIMEOUT => 15,
            CURLOPT_FOLLOWLOCATION => false,
        ]);
        $answer = curl_exec($ch);
        $code = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        $error = curl_error($ch);
        curl_close($ch);
        return [$code, is_string($answer) ? $answer : '', $error];
    }
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => implode("\r\n", $headers),
        'content' => $body,
        'ignore_errors' => true,
        'timeout' => 15,
        'follow_location' => 0,
    ]]);
    $answer = @file_get_contents($url, false, $context);
    $code = 0;
    foreach ($http_response_header ?? [] as $line) {
        if (preg_match('~^HTTP/\S+\s+(\d{3})~', $line, $m)) {
            $code = (int) $m[1];
        }
    }
    $error = $answer === false ? (error_get_last()['message'] ?? 'no answer') : '';
    return [$code, is_string($answer) ? $answer : '', $error];
}

/**
 * certd's JSON "status" field, or ''.
 *
 * @param string $body
 * @return string
 */
function answer_status(string $body): string {
    $decoded = json_decode($body, true);
    return is_array($decoded) && isset($decoded['status']) && is_string($decoded['status']) ? $decoded['status'] : '';
}

$args = array_slice($argv, 1);
if (count($args) > 2 || in_array('--help', $args, true) || in_array('-h', $args, true)) {
    fwrite(STDERR, "usage: php run_payload_tests.php [CERTD_URL [WHSEC_SECRET]]\n"
        . "       (the secret defaults to \$CERTD_WEBHOOK_SECRET)\n");
    exit(2);
}

// Unit checks: signatures against vectors computed independently.

// Vector 1, the Standard Webhooks specification's example (also Svix's
// documentation): secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, id
// msg_p5jXN8AQM9LWM0D4loKWxJek, timestamp 1614265330, body {"test": 2432232314}.
// Re-computed once with:
//   python3 -c "import hmac,hashlib,base64; k=base64.b64decode('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
//     print(base64.b64encode(hmac.new(k, b'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}',
//     hashlib.sha256).digest()).decode())"
check(payload::sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330,
    '{"test": 2432232314}') === 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    'signature matches the Standard Webhooks example vector');

// Vector 2: a 32-byte key 0x01..0x20 and a body of this plugin's shape,
// computed once with python3:
//   k=bytes(range(1,33)); secret='whsec_'+base64.b64encode(k).decode()
//   msg='moodle-test-1.1700000000.{"type":"course-completed","data":{"user_id":42,"course":"FA-101"}}'
//   'v1,'+base64.b64encode(hmac.new(k, msg.encode(), hashlib.sha256).digest()).decode()
$secret2 = 'whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=';
$body2 = '{"type":"course-completed","data":{"user_id":42,"course":"FA-101"}}';
check(payload::sign($secret2, 'moodle-test-1', 1700000000, $body2) === 'v1,NLCQHwnLCq/azUnJR3ngpC1NsKZxrsTOHQVW1Vm4UFk=',
    'signature matches the vector computed with python3 hmac');
check(payload::sign($secret2, 'moodle-test-1', 1700000000, $body2) ===
    'v1,' . base64_encode(hash_hmac('sha256', 'moodle-test-1.1700000000.' . $body2, bytes_1_to_32(), true)),
    'signature is HMAC-SHA256 of "id.timestamp.body" keyed with the decoded secret');
check(payload::sign($secret2, 'moodle-test-1', 1700000001, $body2) !== payload::sign($secret2, 'moodle-test-1',
    1700000000, $body2), 'the timestamp is part of what is signed');

/**
 * The bytes 0x01..0x20.
 *
 * @return string
 */
function bytes_1_to_32(): string {
    return implode('', array_map('chr', range(1, 32)));
}

// Secrets: what certd's WebhookVerifier::add_source accepts.
check(payload::valid_secret($secret2), 'a whsec_ secret of 32 bytes is valid');
check(!payload::valid_secret('AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA='), 'a secret without whsec_ is refused');
check(!payload::valid_secret('whsec_' . base64_encode(str_repeat('x', 23))), 'a key of 23 bytes is refused');
check(payload::valid_secret('whsec_' . base64_encode(str_repeat('x', 64))), 'a key of 64 bytes is valid');
check(!payload::valid_secret('whsec_' . base64_encode(str_repeat('x', 65))), 'a key of 65 bytes is refused');
check(!payload::valid_secret('whsec_not base64!!'), 'a secret that is not base64 is refused');
$threw = false;
try {
    payload::sign('whsec_short', 'id', 1, '{}');
} catch (\InvalidArgumentException $e) {
    $threw = true;
}
check($threw, 'signing with an invalid secret throws');

// Bodies and ids.
[$id, $body] = payload::build(payload::TYPE_COURSE_COMPLETED, 42, 7, 'FA-101', 1001, 1700000000);
check($id === 'moodle-course-completed-7-42-1001-1700000000', 'webhook id names type, course, user, record and time', $id);
check($body === '{"type":"course-completed","data":{"user_id":42,"course":"FA-101","course_id":7,"time":1700000000}}',
    'body has type, data.user_id (number) and data.course (short name)', $body);
[$idagain, $bodyagain] = payload::build(payload::TYPE_COURSE_COMPLETED, 42, 7, 'FA-101', 1001, 1700000000);
check($idagain === $id && $bodyagain === $body, 'the same event gives the same id and body (stable across retries)');
[$id3] = payload::build(payload::TYPE_COURSE_COMPLETED, 42, 7, 'FA-101', 1001, 1700000001);
check($id3 !== $id, 'a later event gives another id');
[, $body4] = payload::build(payload::TYPE_SKILLS, 42, 7, 'Ünïcode/Kurs', 5, 1, ['user_id' => 1, 'grade' => 2]);
$decoded = json_decode($body4, true);
check($decoded['data']['user_id'] === 42 && $decoded['data']['grade'] === 2
    && $decoded['data']['course'] === 'Ünïcode/Kurs' && strpos($body4, '\/') === false,
    'extra fields cannot replace user_id; slashes and Unicode are not escaped', $body4);
$longid = payload::webhook_id(str_repeat('t', 60), PHP_INT_MAX, PHP_INT_MAX, PHP_INT_MAX, PHP_INT_MAX);
check(strlen($longid) <= 64 && strpos($longid, 'moodle-') === 0, 'an id that would be too long is hashed to 64 characters');
check(payload::endpoint('https://certd.example.org/') === 'https://certd.example.org/hooks/moodle',
    'endpoint is the URL followed by /hooks/moodle');
[$pingid, $pingbody] = payload::build_ping('https://moodle.example.org', 1700000000);
[$pingid2] = payload::build_ping('https://moodle.example.org', 1700000000);
check($pingid !== $pingid2 && json_decode($pingbody, true)['type'] === 'ping', 'test events get a new id every time');

// Back-off and giving up.
check(payload::next_attempt(1, 1000) === 1060 && payload::next_attempt(2, 1000) === 1120
    && payload::next_attempt(7, 1000) === 4600 && payload::next_attempt(30, 1000) === 4600,
    'back-off: one minute, doubling, at most one hour');
check(payload::should_give_up(0, 259200, 259200) && !payload::should_give_up(1, 259200, 259200)
    && !payload::should_give_up(0, 10 ** 9, 0), 'a row is given up after the maximum age, never with 0');
check(payload::delivered(200) && payload::delivered(202) && !payload::delivered(401) && !payload::delivered(0),
    'only a 2xx answer counts as delivered');
check(payload::describe_answer(401, '{"error":{"status":401,"message":"webhook signature does not match"}}')
    === 'HTTP 401: webhook signature does not match', 'certd\'s JSON error is shown as its message');

// Live checks against certd's real /hooks/moodle.
if (count($args) >= 1) {
    $url = $args[0];
    $secret = $args[1] ?? (string) getenv('CERTD_WEBHOOK_SECRET');
    if (!payload::valid_secret($secret)) {
        check(false, 'live: a valid whsec_ secret is given (argument or $CERTD_WEBHOOK_SECRET)');
    } else {
        $endpoint = payload::endpoint($url);
        // A student id and time of this run, so a certd that kept its data
        // from an earlier run still answers "accepted" the first time.
        $student = 2147483000 + random_int(0, 600);
        [$id, $body] = payload::build(payload::TYPE_COURSE_COMPLETED, $student, 999999, 'LOCAL-CERTD-TEST',
            random_int(1, 2 ** 30), time());
        [$code, $answer, $error] = post($endpoint, payload::headers($secret, $id, time(), $body), $body);
        check($code >= 200 && $code < 300 && answer_status($answer) === 'accepted',
            "live: a valid webhook is accepted ($code)", $error !== '' ? $error : $answer);

        // A retry signs again with a new timestamp, as the plugin does.
        [$code, $answer, $error] = post($endpoint, payload::headers($secret, $id, time() + 1, $body), $body);
        check($code >= 200 && $code < 300 && answer_status($answer) === 'duplicate',
            "live: the same webhook-id again is answered as duplicate ($code)", $error !== '' ? $error : $answer);

        [$id2, $body2] = payload::build(payload::TYPE_ISSUE_NOW, $student, 999999, 'LOCAL-CERTD-TEST',
            random_int(1, 2 ** 30), time(), ['cmid' => 1, 'activity' => 'Certificate: issue now']);
        $headers = payload::headers($secret, $id2, time(), $body2);
        $wrongsecret = 'whsec_' . base64_encode(random_bytes(32));
        $headers[3] = 'webhook-signature: ' . payload::sign($wrongsecret, $id2, time(), $body2);
        [$code, $answer, $error] = post($endpoint, $headers, $body2);
        check($code === 401, "live: a wrong signature is refused with 401 ($code)", $error !== '' ? $error : $answer);

        $tampered = str_replace('"issue-now"', '"course-completed"', $body2);
        [$code, $answer, $error] = post($endpoint, payload::headers($secret, $id2, time(), $body2), $tampered);
        check($code === 401, "live: a body changed after signing is refused with 401 ($code)",
            $error !== '' ? $error : $answer);

        $stale = time() - 3600;
        [$code, $answer, $error] = post($endpoint, payload::headers($secret, $id2, $stale, $body2), $body2);
        check($code >= 400 && $code < 500, "live: a timestamp an hour old is refused ($code)",
            $error !== '' ? $error : $answer);

        [$code, $answer, $error] = post($endpoint, payload::headers($secret, $id2, time(), $body2), $body2);
        check($code >= 200 && $code < 300 && answer_status($answer) === 'accepted',
            "live: the refused webhook is accepted once signed correctly ($code)", $error !== '' ? $error : $answer);

        // The admin page's "send test event": certd answers it and records nothing.
        [$pingid, $pingbody] = payload::build_ping('https://moodle.example.org', time());
        [$code, $answer, $error] = post($endpoint, payload::headers($secret, $pingid, time(), $pingbody), $pingbody);
        check($code === 200 && answer_status($answer) === 'pong', "live: the test event is answered with pong ($code)",
            $error !== '' ? $error : $answer);
    }
} else {
    echo "# no CERTD_URL given: live checks against certd skipped\n";
}

echo "# $checks checks, $failures failed\n";
exit($failures === 0 ? 0 : 1);
