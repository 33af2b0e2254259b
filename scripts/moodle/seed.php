<?php
// Seeds the throw-away Moodle through its own PHP APIs, and puts it back as seeded on every run,
// so a second run reuses the site: a course with completion, an editing teacher, a non-editing
// teacher, three learners, an ordinary assignment graded out of 100 with completion on grade,
// some grades; a web-service user with exactly the role Laurel's README documents, REST on, an
// external service with the functions Laurel calls, and a token; and what Laurel's messages through
// Moodle add (its admin page's admin.messagesMoodleSetup): one function, two capabilities. Writes everything the tests need
// (ids, user names, passwords, the token) as JSON to --out.
//   php seed.php --out=FILE             seed (or reset) and write the JSON
//   php seed.php --grade=USERNAME:VALUE set that learner's grade on the assignment (as a teacher would)
define('CLI_SCRIPT', true);
require(getenv('MOODLE_WWW') . '/config.php');
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->libdir . '/testing/generator/lib.php');
require_once($CFG->libdir . '/gradelib.php');
require_once($CFG->libdir . '/completionlib.php');
require_once($CFG->dirroot . '/mod/assign/locallib.php');
require_once($CFG->dirroot . '/mod/lti/locallib.php');
require_once($CFG->dirroot . '/course/lib.php');

[$options] = cli_get_params(['out' => '', 'grade' => ''], []);

const COURSE = 'LAUREL101';
const PASSWORD = 'Laurel-pass-1';
const ASSIGNMENT = 'Essay on laurels';
// The grades a fresh run starts from: one learner above the bar the suite sets (70), one under, one without.
const GRADES = ['learner1' => 85, 'learner2' => 40];
const WS_FUNCTIONS = ['gradereport_user_get_grade_items', 'core_completion_get_activities_completion_status',
    'core_course_get_contents', 'core_enrol_get_enrolled_users'];
// Exactly what Laurel's README asks of the token's role on Moodle 4.5 (src/lms/moodleWs/moodleCapabilities.ts),
// with mod/<type>:view for the course's activity types (the suite checks the two agree).
const WS_CAPABILITIES = ['webservice/rest:use', 'moodle/grade:viewall', 'gradereport/user:view', 'report/progress:view',
    'moodle/course:view', 'moodle/user:viewdetails', 'moodle/course:enrolreview', 'mod/assign:view', 'mod/lti:view'];
// Laurel's messages through Moodle (issue 19), what its admin page asks for besides (src/i18n/en.ts
// admin.messagesMoodleSetup): the function in the service, the two capabilities in the same role.
// Kept apart: the connection's check neither asks for them nor reports them.
const MESSAGE_FUNCTIONS = ['core_message_send_instant_messages'];
const MESSAGE_CAPABILITIES = ['moodle/site:sendmessage', 'moodle/site:messageanyuser'];

$admin = get_admin();
\core\session\manager::set_user($admin);
$gen = new testing_data_generator();

function user(testing_data_generator $gen, string $username, string $first, string $last): stdClass {
    global $DB;
    $u = $DB->get_record('user', ['username' => $username, 'deleted' => 0]);
    if (!$u) {
        $u = $gen->create_user(['username' => $username, 'password' => PASSWORD, 'firstname' => $first,
            'lastname' => $last, 'email' => "$username@moodle.test"]);
    }
    return $u;
}

function assignment_of(stdClass $course): array {
    global $DB;
    $instance = $DB->get_record('assign', ['course' => $course->id, 'name' => ASSIGNMENT], '*', MUST_EXIST);
    $cm = get_coursemodule_from_instance('assign', $instance->id, $course->id, false, MUST_EXIST);
    return [$instance, $cm, new assign(context_module::instance($cm->id), $cm, $course)];
}

function set_grade(stdClass $course, string $username, float $value): void {
    global $DB;
    [, , $assign] = assignment_of($course);
    $user = $DB->get_record('user', ['username' => $username], '*', MUST_EXIST);
    $teacher = $DB->get_record('user', ['username' => 'teacher1'], '*', MUST_EXIST);
    $grade = $assign->get_user_grade($user->id, true);
    $grade->grade = $value;
    $grade->grader = $teacher->id;
    $assign->update_grade($grade);
}

$course = $DB->get_record('course', ['shortname' => COURSE]);

if ($options['grade'] !== '') {
    [$username, $value] = explode(':', $options['grade'], 2);
    set_grade($course, $username, (float)$value);
    echo json_encode(['username' => $username, 'grade' => (float)$value]) . "\n";
    exit(0);
}

// Moodle's user tours cover the pages a browser test clicks through.
$DB->set_field('tool_usertours_tours', 'enabled', 0);
set_config('enablecompletion', 1);
// Messaging on, as a fresh site has it (test/moodle/messages.test.ts turns it off for a moment).
set_config('messaging', 1);

$created = false;
if (!$course) {
    $created = true;
    $course = $gen->create_course(['shortname' => COURSE, 'fullname' => 'Laurel test course',
        'enablecompletion' => 1, 'numsections' => 2]);
}
$teacher = user($gen, 'teacher1', 'Tess', 'Teacher');
$assistant = user($gen, 'assistant1', 'Nina', 'Noneditor');
$learners = [user($gen, 'learner1', 'Lea', 'Learner'), user($gen, 'learner2', 'Leo', 'Learner'),
    user($gen, 'learner3', 'Lou', 'Learner')];
$wsuser = user($gen, 'laurelws', 'Laurel', 'Web service');
if ($created) {
    $gen->enrol_user($teacher->id, $course->id, 'editingteacher');
    $gen->enrol_user($assistant->id, $course->id, 'teacher');
    foreach ($learners as $l) $gen->enrol_user($l->id, $course->id, 'student');
    $gen->create_module('assign', ['course' => $course->id, 'name' => ASSIGNMENT, 'grade' => 100,
        'section' => 1, 'completion' => COMPLETION_TRACKING_AUTOMATIC, 'completionusegrade' => 1,
        'assignsubmission_onlinetext_enabled' => 1]);
}
[$assigninstance, $assigncm] = assignment_of($course);

// What an earlier run of the suite left in Moodle goes: Laurel's tool types (the suite registers
// Laurel again through Moodle's pages), its activities, and the grade columns it created.
$removed = ['types' => 0, 'activities' => 0, 'gradeitems' => 0];
// The journey's next term restores a backup of the course into a new one (nextterm.php): last run's copies go.
$copies = $DB->get_records_select('course', 'id <> :id AND ' . $DB->sql_like('shortname', ':s'),
    ['id' => $course->id, 's' => $DB->sql_like_escape(COURSE) . '%']);
foreach ($copies as $copy) delete_course($copy, false);
$removed['copies'] = count($copies);
foreach ($DB->get_records('lti', ['course' => $course->id]) as $lti) {
    $cm = get_coursemodule_from_instance('lti', $lti->id, $course->id);
    if ($cm) { course_delete_module($cm->id); $removed['activities']++; }
}
foreach (grade_item::fetch_all(['courseid' => $course->id, 'itemtype' => 'manual']) ?: [] as $item) {
    $item->delete('laurel-seed'); $removed['gradeitems']++;
}
foreach (grade_item::fetch_all(['courseid' => $course->id, 'itemtype' => 'mod', 'itemmodule' => 'lti']) ?: [] as $item) {
    $item->delete('laurel-seed'); $removed['gradeitems']++;
}
foreach ($DB->get_records('lti_types') as $type) { lti_delete_type($type->id); $removed['types']++; }
foreach ($learners as $l) {
    if (isset(GRADES[$l->username])) set_grade($course, $l->username, GRADES[$l->username]);
}
// learner3 starts without a grade.
[, , $assign] = assignment_of($course);
$g3 = $DB->get_record('assign_grades', ['assignment' => $assigninstance->id, 'userid' => $learners[2]->id]);
if ($g3 && $g3->grade !== null && (float)$g3->grade >= 0) {
    $g3obj = $assign->get_user_grade($learners[2]->id, false);
    $g3obj->grade = -1;
    $assign->update_grade($g3obj);
}

// Web services: REST on, a role with exactly the documented capabilities, a service, a token.
set_config('enablewebservices', 1);
$protocols = array_filter(explode(',', get_config('core', 'webserviceprotocols') ?: ''));
if (!in_array('rest', $protocols)) { $protocols[] = 'rest'; set_config('webserviceprotocols', implode(',', $protocols)); }
$system = context_system::instance();
$role = $DB->get_record('role', ['shortname' => 'laurelws']);
$roleid = $role ? $role->id : create_role('Laurel web service', 'laurelws', 'Reads the grade book for Laurel (README)');
set_role_contextlevels($roleid, [CONTEXT_SYSTEM]);
foreach ($DB->get_records('role_capabilities', ['roleid' => $roleid, 'contextid' => $system->id]) as $rc) {
    if (!in_array($rc->capability, array_merge(WS_CAPABILITIES, MESSAGE_CAPABILITIES))) unassign_capability($rc->capability, $roleid, $system->id);
}
foreach (array_merge(WS_CAPABILITIES, MESSAGE_CAPABILITIES) as $cap) assign_capability($cap, CAP_ALLOW, $roleid, $system->id, true);
role_assign($roleid, $wsuser->id, $system->id);
$service = $DB->get_record('external_services', ['shortname' => 'laurel']);
if (!$service) {
    $id = $DB->insert_record('external_services', (object)['name' => 'Laurel', 'shortname' => 'laurel', 'enabled' => 1,
        'restrictedusers' => 1, 'downloadfiles' => 0, 'uploadfiles' => 0, 'timecreated' => time(), 'timemodified' => time()]);
    $service = $DB->get_record('external_services', ['id' => $id]);
}
$DB->set_field('external_services', 'enabled', 1, ['id' => $service->id]);
foreach (array_merge(WS_FUNCTIONS, MESSAGE_FUNCTIONS) as $f) {
    if (!$DB->record_exists('external_services_functions', ['externalserviceid' => $service->id, 'functionname' => $f])) {
        $DB->insert_record('external_services_functions', (object)['externalserviceid' => $service->id, 'functionname' => $f]);
    }
}
if (!$DB->record_exists('external_services_users', ['externalserviceid' => $service->id, 'userid' => $wsuser->id])) {
    $DB->insert_record('external_services_users', (object)['externalserviceid' => $service->id, 'userid' => $wsuser->id, 'timecreated' => time()]);
}
$token = $DB->get_field('external_tokens', 'token', ['externalserviceid' => $service->id, 'userid' => $wsuser->id]);
if (!$token) {
    $token = \core_external\util::generate_token(EXTERNAL_TOKEN_PERMANENT, $service, $wsuser->id, $system, 0, '', 'Laurel');
}
purge_all_caches();

$person = fn(stdClass $u) => ['id' => (int)$u->id, 'username' => $u->username, 'password' => PASSWORD,
    'name' => fullname($u)];
$out = [
    'moodleUrl' => $CFG->wwwroot,
    'seededNow' => $created,
    'removed' => $removed,
    'admin' => ['id' => (int)$admin->id, 'username' => $admin->username, 'password' => getenv('MOODLE_ADMIN_PASSWORD')],
    'course' => ['id' => (int)$course->id, 'shortname' => $course->shortname, 'fullname' => $course->fullname],
    'teacher' => $person($teacher),
    'nonEditingTeacher' => $person($assistant),
    'learners' => array_map($person, $learners),
    'assignment' => ['id' => (int)$assigninstance->id, 'cmid' => (int)$assigncm->id, 'name' => ASSIGNMENT, 'maxGrade' => 100,
        'grades' => GRADES],
    'webService' => ['user' => $person($wsuser), 'role' => 'laurelws', 'capabilities' => WS_CAPABILITIES,
        'service' => 'laurel', 'functions' => WS_FUNCTIONS, 'token' => $token,
        'messageCapabilities' => MESSAGE_CAPABILITIES, 'messageFunctions' => MESSAGE_FUNCTIONS],
];
$json = json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n";
if ($options['out'] !== '') file_put_contents($options['out'], $json); else echo $json;
