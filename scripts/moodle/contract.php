<?php
// Sets up (or puts back) what test/moodle/contract.test.ts runs against, apart from the journey's
// course so the two never depend on each other's order: a course of its own with an editing
// teacher, a non-editing teacher, two learners and a suspended one, an ordinary assignment; a test
// tool registered as LTI Advantage dynamic registration would leave it (client id, keyset URL,
// AGS with line-item management, NRPS, names and emails sent), one LTI activity of it graded out of
// 100; and web-service tokens whose accounts each lack one capability Laurel's README asks for.
// The same scenario then runs against the emulator's Moodle flavour. Writes the ids as JSON.
//   php contract.php --jwks=URL --out=FILE
define('CLI_SCRIPT', true);
require(getenv('MOODLE_WWW') . '/config.php');
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->libdir . '/testing/generator/lib.php');
require_once($CFG->libdir . '/gradelib.php');
require_once($CFG->dirroot . '/mod/lti/locallib.php');
require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->dirroot . '/enrol/locallib.php');
require_once(__DIR__ . '/wslib.php');

[$options] = cli_get_params(['jwks' => '', 'out' => ''], []);
if ($options['jwks'] === '') cli_error('--jwks=URL is required');

const COURSE = 'CONTRACT101';
const PASSWORD = 'Laurel-pass-1';
const CLIENT_ID = 'laurel-contract-tool';
const TOOL_URL = 'https://tool.laurel.test/launch';
// The capabilities Laurel's README asks of the web-service role (as seed.php), one left out per account.
const WS_CAPABILITIES = ['webservice/rest:use', 'moodle/grade:viewall', 'gradereport/user:view', 'report/progress:view',
    'moodle/course:view', 'moodle/user:viewdetails', 'moodle/course:enrolreview', 'mod/assign:view', 'mod/lti:view'];
// (Not webservice/rest:use: a Moodle 4.5 site gives it to every authenticated user, for the mobile app.)
const WS_LACKING = ['moodle/course:view', 'gradereport/user:view', 'moodle/grade:viewall', 'report/progress:view',
    'moodle/course:enrolreview'];
const WS_FUNCTIONS = ['gradereport_user_get_grade_items', 'core_completion_get_activities_completion_status',
    'core_course_get_contents', 'core_enrol_get_enrolled_users'];

$admin = get_admin();
\core\session\manager::set_user($admin);
$gen = new testing_data_generator();

function person(testing_data_generator $gen, string $username, string $first, string $last): stdClass {
    global $DB;
    return $DB->get_record('user', ['username' => $username, 'deleted' => 0])
        ?: $gen->create_user(['username' => $username, 'password' => PASSWORD, 'firstname' => $first,
            'lastname' => $last, 'email' => "$username@moodle.test"]);
}

$course = $DB->get_record('course', ['shortname' => COURSE]);
if (!$course) {
    $course = $gen->create_course(['shortname' => COURSE, 'fullname' => 'Laurel contract course',
        'enablecompletion' => 1, 'numsections' => 1]);
}
$people = [
    'teacher' => [person($gen, 'teacher1', 'Tess', 'Teacher'), 'editingteacher', ENROL_USER_ACTIVE],
    'nonEditingTeacher' => [person($gen, 'assistant1', 'Nina', 'Noneditor'), 'teacher', ENROL_USER_ACTIVE],
    'learner1' => [person($gen, 'learner1', 'Lea', 'Learner'), 'student', ENROL_USER_ACTIVE],
    'learner2' => [person($gen, 'learner2', 'Leo', 'Learner'), 'student', ENROL_USER_ACTIVE],
    'suspended' => [person($gen, 'suspended1', 'Sam', 'Suspended'), 'student', ENROL_USER_SUSPENDED],
];
$manual = enrol_get_plugin('manual');
$instance = $DB->get_record('enrol', ['courseid' => $course->id, 'enrol' => 'manual'], '*', MUST_EXIST);
foreach ($people as [$u, $role, $status]) {
    if (!is_enrolled(context_course::instance($course->id), $u, '', false)) {
        $gen->enrol_user($u->id, $course->id, $role, 'manual', 0, 0, $status);
    } else {
        $manual->update_user_enrol($instance, $u->id, $status);
    }
}

// What the last run left goes: LTI activities, tool-made columns, the test tool.
foreach ($DB->get_records('lti', ['course' => $course->id]) as $lti) {
    if ($cm = get_coursemodule_from_instance('lti', $lti->id, $course->id)) course_delete_module($cm->id);
}
foreach (grade_item::fetch_all(['courseid' => $course->id, 'itemtype' => 'manual']) ?: [] as $item) $item->delete('laurel-contract');
foreach (grade_item::fetch_all(['courseid' => $course->id, 'itemtype' => 'mod', 'itemmodule' => 'lti']) ?: [] as $item) $item->delete('laurel-contract');
foreach ($DB->get_records('lti_types', ['clientid' => CLIENT_ID]) as $type) lti_delete_type($type->id);

if (!$DB->record_exists('assign', ['course' => $course->id])) {
    $gen->create_module('assign', ['course' => $course->id, 'name' => 'Contract essay', 'grade' => 100, 'section' => 1]);
}
$assign = $DB->get_record('assign', ['course' => $course->id], '*', MUST_EXIST);

// The test tool, configured as Moodle's dynamic registration configures a tool asking for every
// AGS and NRPS scope and for names and emails (mod/lti/classes/local/ltiopenid/registration_helper.php).
$type = (object)['state' => LTI_TOOL_STATE_CONFIGURED, 'course' => SITEID];
$config = (object)[
    'lti_typename' => 'Contract tool', 'lti_toolurl' => TOOL_URL, 'lti_description' => '',
    'lti_ltiversion' => LTI_VERSION_1P3, 'lti_clientid' => CLIENT_ID,
    'lti_organizationid_default' => LTI_DEFAULT_ORGID_SITEID, 'lti_coursevisible' => LTI_COURSEVISIBLE_PRECONFIGURED,
    'lti_contentitem' => 0, 'lti_keytype' => LTI_JWK_KEYSET, 'lti_publickeyset' => $options['jwks'],
    'lti_initiatelogin' => 'https://tool.laurel.test/login', 'lti_redirectionuris' => TOOL_URL,
    'lti_customparameters' => "history=\$Context.id.history", 'lti_launchcontainer' => LTI_LAUNCH_CONTAINER_EMBED_NO_BLOCKS,
    'lti_acceptgrades' => LTI_SETTING_DELEGATE, 'ltiservice_gradesynchronization' => 2, 'ltiservice_memberships' => 1,
    'ltiservice_toolsettings' => 0, 'lti_sendname' => LTI_SETTING_ALWAYS, 'lti_sendemailaddr' => LTI_SETTING_ALWAYS,
];
$typeid = lti_add_type($type, $config);
$lti = $gen->create_module('lti', ['course' => $course->id, 'name' => 'Contract link', 'typeid' => $typeid,
    'toolurl' => '', 'grade' => 100, 'section' => 1, 'intro' => '', 'resourcekey' => '', 'password' => '']);
// A teacher adding the activity writes no description; the generator always writes one.
$DB->set_field('lti', 'intro', '', ['id' => $lti->id]);
$ltiitem = grade_item::fetch(['courseid' => $course->id, 'itemtype' => 'mod', 'itemmodule' => 'lti', 'iteminstance' => $lti->id]);

// One account per capability left out, each with its own role and a token for the service.
set_config('enablewebservices', 1);
$system = context_system::instance();
// Two services: every function Laurel calls, and the same less core_enrol_get_enrolled_users.
$service = ws_service('laurelcontract', WS_FUNCTIONS);
$partial = ws_service('laurelcontractpartial', array_slice(WS_FUNCTIONS, 0, 3));
$wstokens = [];
foreach (array_merge(['none'], WS_LACKING) as $lacking) {
    $short = 'lws' . substr(md5($lacking), 0, 8);
    $u = person($gen, $short, 'Laurel', "lacking $lacking");
    ws_role($short, "Laurel lacking $lacking", (int)$u->id, array_values(array_filter(WS_CAPABILITIES, fn($cap) => $cap !== $lacking)));
    $wstokens[$lacking] = ws_token($service, (int)$u->id, 'contract');
    if ($lacking === 'none') {
        $wstokens['function'] = ws_token($partial, (int)$u->id, 'contract');
    }
}
purge_all_caches();

$out = [
    'moodleUrl' => $CFG->wwwroot,
    'course' => ['id' => (int)$course->id, 'shortname' => $course->shortname, 'fullname' => $course->fullname],
    'admin' => ['id' => (int)$admin->id, 'username' => $admin->username, 'password' => getenv('MOODLE_ADMIN_PASSWORD'),
        'name' => fullname($admin), 'email' => $admin->email],
    'people' => array_map(fn($p) => ['id' => (int)$p[0]->id, 'username' => $p[0]->username, 'password' => PASSWORD,
        'name' => fullname($p[0]), 'givenName' => $p[0]->firstname, 'familyName' => $p[0]->lastname, 'email' => $p[0]->email,
        'role' => $p[1], 'suspended' => $p[2] === ENROL_USER_SUSPENDED], $people),
    'assignment' => ['id' => (int)$assign->id, 'name' => $assign->name],
    'tool' => ['clientId' => CLIENT_ID, 'typeId' => (int)$typeid, 'deploymentId' => (string)$typeid,
        'targetLinkUri' => TOOL_URL, 'initiateLoginUri' => 'https://tool.laurel.test/login'],
    'link' => ['cmid' => (int)$lti->cmid, 'instance' => (int)$lti->id, 'name' => 'Contract link',
        'lineItemId' => (int)$ltiitem->id, 'scoreMaximum' => 100],
    'wsTokens' => $wstokens,
];
$json = json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n";
if ($options['out'] !== '') file_put_contents($options['out'], $json); else echo $json;
