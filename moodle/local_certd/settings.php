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
 * Admin settings of local_certd.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

if ($hassiteconfig) {
    $ADMIN->add('localplugins', new admin_category('local_certd_category', get_string('pluginname', 'local_certd')));

    $settings = new admin_settingpage('local_certd', get_string('settings', 'local_certd'));

    $settings->add(new admin_setting_configtext('local_certd/url',
        get_string('url', 'local_certd'), get_string('url_desc', 'local_certd'), '', PARAM_URL, 60));

    $settings->add(new \local_certd\admin_setting_secret('local_certd/secret',
        get_string('secret', 'local_certd'), get_string('secret_desc', 'local_certd'), ''));

    $settings->add(new admin_setting_configtext('local_certd/issuenowactivity',
        get_string('issuenowactivity', 'local_certd'), get_string('issuenowactivity_desc', 'local_certd'),
        \local_certd\observer::DEFAULT_ISSUE_NOW_ACTIVITY, PARAM_TEXT, 40));

    $settings->add(new admin_setting_configduration('local_certd/maxage',
        get_string('maxage', 'local_certd'), get_string('maxage_desc', 'local_certd'),
        \local_certd\sender::DEFAULT_MAXAGE, DAYSECS));

    $settings->add(new admin_setting_configcheckbox('local_certd/ignoresecurity',
        get_string('ignoresecurity', 'local_certd'), get_string('ignoresecurity_desc', 'local_certd'), 0));

    $ADMIN->add('local_certd_category', $settings);

    $ADMIN->add('local_certd_category', new admin_externalpage('local_certd_queue',
        get_string('queuepage', 'local_certd'), new moodle_url('/local/certd/index.php'), 'moodle/site:config'));
}
