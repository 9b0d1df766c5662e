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
 * Event observers of local_certd.
 *
 * Observers are "internal" (Moodle's default): they run at once, inside
 * the transaction of the change, so a rolled-back change queues nothing.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$observers = [
    [
        'eventname' => '\core\event\course_completed',
        'callback' => '\local_certd\observer::course_completed',
    ],
    [
        'eventname' => '\core\event\competency_user_competency_rated',
        'callback' => '\local_certd\observer::competency_rated',
    ],
    [
        'eventname' => '\core\event\competency_user_competency_rated_in_course',
        'callback' => '\local_certd\observer::competency_rated_in_course',
    ],
    [
        'eventname' => '\core\event\course_module_completion_updated',
        'callback' => '\local_certd\observer::course_module_completion_updated',
    ],
    [
        'eventname' => '\core\event\user_enrolment_updated',
        'callback' => '\local_certd\observer::user_enrolment_updated',
    ],
];
