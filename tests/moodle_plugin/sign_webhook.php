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
 * Prints one webhook exactly as local_certd would send it, for certd's end-to-end tests.
 *
 * Usage:
 *   php tests/moodle_plugin/sign_webhook.php SECRET TYPE USERID COURSEID SHORTNAME OBJECTID TIME [EXTRA_JSON]
 *   php tests/moodle_plugin/sign_webhook.php SECRET ping SITE_URL
 *
 * Prints one JSON object: {"id": ..., "body": ..., "headers": ["Name: value", ...]}.
 * The body, id and headers come from classes/payload.php (build(), build_ping(),
 * headers()), the code the plugin's observers and sender use, so certd's test
 * posts what Moodle would post. webhook-timestamp is now. Exits 2 on bad usage.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require_once(__DIR__ . '/../../moodle/local_certd/classes/payload.php');

use local_certd\payload;

$args = array_slice($argv, 1);
if (count($args) >= 3 && $args[1] === payload::TYPE_PING) {
    [$id, $body] = payload::build_ping($args[2], time());
} else if (count($args) === 7 || count($args) === 8) {
    $extra = count($args) === 8 ? json_decode($args[7], true) : [];
    if (!is_array($extra)) {
        fwrite(STDERR, "EXTRA_JSON must be a JSON object\n");
        exit(2);
    }
    [$id, $body] = payload::build($args[1], (int) $args[2], (int) $args[3], $args[4], (int) $args[5], (int) $args[6],
        $extra);
} else {
    fwrite(STDERR, "usage: php sign_webhook.php SECRET TYPE USERID COURSEID SHORTNAME OBJECTID TIME [EXTRA_JSON]\n"
        . "       php sign_webhook.php SECRET ping SITE_URL\n");
    exit(2);
}
echo json_encode(['id' => $id, 'body' => $body, 'headers' => payload::headers($args[0], $id, time(), $body)],
    JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR) . "\n";
