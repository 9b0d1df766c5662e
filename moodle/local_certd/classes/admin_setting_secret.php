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
 * Admin setting for certd's webhook secret.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_certd;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->libdir . '/adminlib.php');

/**
 * A password field that accepts only a Standard Webhooks secret certd accepts.
 *
 * @package    local_certd
 * @copyright  2026 certd contributors
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class admin_setting_secret extends \admin_setting_configpasswordunmask {

    /**
     * Empty (not set yet) or "whsec_" followed by base64 of 24 to 64 bytes.
     *
     * @param string $data
     * @return true|string true, or the error to show
     */
    public function validate($data) {
        $data = trim((string) $data);
        if ($data === '' || payload::valid_secret($data)) {
            return true;
        }
        return get_string('secretinvalid', 'local_certd');
    }

    /**
     * Save the secret without surrounding spaces.
     *
     * @param string $data
     * @return string empty on success, else the error
     */
    public function write_setting($data) {
        return parent::write_setting(trim((string) $data));
    }
}
