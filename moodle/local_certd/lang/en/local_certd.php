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
 * English strings of local_certd.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['attempts'] = 'Failed attempts';
$string['counts'] = 'Queued: {$a->queued}. Failed: {$a->failed}.';
$string['deleted'] = 'The webhook was deleted; certd will not be told about this event (its own poll of Moodle still finds the change).';
$string['ignoresecurity'] = 'Allow a local or private certd address';
$string['ignoresecurity_desc'] = 'Moodle\'s HTTP security (Site administration > General > Security > HTTP security) blocks requests to localhost, private networks and ports other than 80 and 443. Tick this when certd runs on such an address (for example http://127.0.0.1:8080) and you trust the URL above; it applies only to requests to certd.';
$string['issuenowactivity'] = '"Issue now" activity name';
$string['issuenowactivity_desc'] = 'When a teacher marks an activity with exactly this name complete for a student (in the activity completion report), certd is told to issue that student\'s certificate now. Use the same name as certd\'s lms.issue_now_activity.';
$string['lasterror'] = 'Last answer';
$string['maxage'] = 'Give up after';
$string['maxage_desc'] = 'A webhook that certd has not accepted is tried again, one minute after the first failure, then doubling up to once an hour. After this long it is marked "failed" and waits on the queue page for an admin to retry or delete it. 0 means never give up.';
$string['nextattempt'] = 'Next attempt';
$string['notconfigured'] = 'The certd URL or webhook secret is not set (or the secret is not valid): webhooks stay queued until both are set.';
$string['pluginname'] = 'certd certificates';
$string['privacy:metadata:certd'] = 'certd, the school\'s certificate service, is told when a student completes a course, gets a skill rated, is marked for a certificate now or has an enrolment suspended. certd then reads the student\'s progress from Moodle and keeps its own record.';
$string['privacy:metadata:certd:course'] = 'The course\'s short name and id.';
$string['privacy:metadata:certd:details'] = 'The time of the event and, depending on the event, the competency and its rating, the "issue now" activity, or the enrolment method.';
$string['privacy:metadata:certd:type'] = 'What happened (course completed, skill rated, issue now, enrolment suspended).';
$string['privacy:metadata:certd:userid'] = 'The student\'s user id.';
$string['privacy:metadata:queue'] = 'Webhooks for certd waiting to be sent or failed. A webhook is deleted as soon as certd accepted it.';
$string['privacy:metadata:queue:courseid'] = 'The course the event happened in.';
$string['privacy:metadata:queue:payload'] = 'The message sent to certd: the student\'s user id, the course, the time, and event details.';
$string['privacy:metadata:queue:timecreated'] = 'When the event was queued.';
$string['privacy:metadata:queue:type'] = 'What happened.';
$string['privacy:metadata:queue:userid'] = 'The student the event is about.';
$string['privacy:path'] = 'Webhooks for certd';
$string['queueempty'] = 'Nothing is queued: every webhook was accepted by certd.';
$string['queuepage'] = 'certd webhook queue';
$string['retry'] = 'Retry';
$string['retryall'] = 'Retry all failed';
$string['retryallqueued'] = '{$a} failed webhooks were queued again.';
$string['retryqueued'] = 'The webhook was queued again; it has not been accepted yet (see its last answer).';
$string['retrysent'] = 'certd accepted the webhook.';
$string['secret'] = 'Webhook secret';
$string['secret_desc'] = 'The secret certd checks the signature of every webhook with: "whsec_" followed by base64 of 24 to 64 random bytes, the same value as the environment variable named by certd\'s webhooks.sources.moodle.secret_env. Generate one with: echo "whsec_$(openssl rand -base64 32)"';
$string['secretinvalid'] = 'The secret must be "whsec_" followed by base64 (with padding) of 24 to 64 bytes, for example "whsec_" and the output of openssl rand -base64 32.';
$string['sendnow'] = 'Send due webhooks now';
$string['sendnowresult'] = 'Sent: {$a->sent}. To retry later: {$a->retry}. Given up: {$a->failed}.';
$string['sendtest'] = 'Send test event';
$string['settings'] = 'Settings';
$string['status'] = 'Status';
$string['status_failed'] = 'Failed';
$string['status_queued'] = 'Queued';
$string['tasksendqueue'] = 'Send webhooks to certd';
$string['taskwatchdog'] = 'Make sure queued certd webhooks get sent';
$string['testfailed'] = 'certd did not accept the test event {$a->id}: {$a->answer}';
$string['testok'] = 'certd accepted the test event {$a->id}: {$a->answer}';
$string['timecreated'] = 'Queued at';
$string['type'] = 'Event';
$string['url'] = 'certd URL';
$string['url_desc'] = 'The address of certd\'s portal as Moodle reaches it, e.g. https://certd.example.org (portal.public_url). Webhooks are posted to this address followed by /hooks/moodle.';
$string['webhookid'] = 'Webhook id';
