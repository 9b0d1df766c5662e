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
 * Web service function local_certd_ping.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_certd\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_single_structure;
use core_external\external_value;
use local_certd\queue;

/**
 * Tells certd that the plugin is installed, its version and its queue.
 *
 * certd sees the function in core_webservice_get_site_info's list once an
 * admin adds it to certd's service; calling it returns the plugin's
 * release and how many webhooks wait or failed. It reveals no student data.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class ping extends external_api {

    /**
     * No parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([]);
    }

    /**
     * The plugin's version and queue counts.
     *
     * @return array
     */
    public static function execute(): array {
        self::validate_parameters(self::execute_parameters(), []);
        self::validate_context(\context_system::instance());
        $plugin = \core_plugin_manager::instance()->get_plugin_info('local_certd');
        $counts = queue::counts();
        return [
            'version' => $plugin && $plugin->release ? (string) $plugin->release : '',
            'build' => $plugin && $plugin->versiondb ? (int) $plugin->versiondb : 0,
            'queued' => (int) $counts[queue::STATUS_QUEUED],
            'failed' => (int) $counts[queue::STATUS_FAILED],
        ];
    }

    /**
     * The answer's structure.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'version' => new external_value(PARAM_TEXT, 'The plugin\'s release, e.g. 1.0.0'),
            'build' => new external_value(PARAM_INT, 'The plugin\'s version number, e.g. 2026120100'),
            'queued' => new external_value(PARAM_INT, 'Webhooks waiting to be sent'),
            'failed' => new external_value(PARAM_INT, 'Webhooks given up after the maximum age'),
        ]);
    }
}
