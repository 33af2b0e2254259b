<?php
// Next term in the throw-away Moodle, after Moodle's own CLI restored a backup of the seeded
// course into a new course (test/moodle/journey.test.ts): finds that copy, makes sure its editing
// teacher and learners are enrolled (a restore with users keeps them; one without does not), and
// writes its ids as JSON: the course, the course it was restored from (Moodle's originalcourseid,
// what $Context.id.history follows), and the copy of Laurel's activity.
//   php nextterm.php --from=LAUREL101
define('CLI_SCRIPT', true);
require(getenv('MOODLE_WWW') . '/config.php');
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->libdir . '/testing/generator/lib.php');

[$options] = cli_get_params(['from' => 'LAUREL101'], []);
$from = $DB->get_record('course', ['shortname' => $options['from']], '*', MUST_EXIST);
$copies = $DB->get_records_select('course', 'id <> :id AND ' . $DB->sql_like('shortname', ':s'),
    ['id' => $from->id, 's' => $DB->sql_like_escape($from->shortname) . '%'], 'id DESC');
if (!$copies) cli_error("no restored copy of {$from->shortname}");
$copy = reset($copies);
$gen = new testing_data_generator();
$context = context_course::instance($copy->id);
foreach (['teacher1' => 'editingteacher', 'learner1' => 'student', 'learner2' => 'student', 'learner3' => 'student'] as $username => $role) {
    $u = $DB->get_record('user', ['username' => $username], '*', MUST_EXIST);
    if (!is_enrolled($context, $u)) $gen->enrol_user($u->id, $copy->id, $role);
}
$lti = $DB->get_record('lti', ['course' => $copy->id, 'name' => 'Badges'], '*', MUST_EXIST);
$cm = get_coursemodule_from_instance('lti', $lti->id, $copy->id, false, MUST_EXIST);
echo json_encode(['id' => (int)$copy->id, 'shortname' => $copy->shortname, 'fullname' => $copy->fullname,
    'originalCourseId' => (int)$copy->originalcourseid, 'from' => (int)$from->id, 'cmid' => (int)$cm->id]) . "\n";
