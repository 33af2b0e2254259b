<?php
// What test/moodle/messages.test.ts needs of the real Moodle besides the seed (seed.php gives
// Laurel's own token account the messaging function and capabilities): accounts whose role lacks
// one messaging capability, a service without the messaging function, messaging turned off and on,
// and what a user received, read from Moodle's own tables.
//   php messages.php --setup --out=FILE       accounts and tokens (again on every run), as JSON
//   php messages.php --messaging=0|1          "Enable messaging system" ($CFG->messaging)
//   php messages.php --received=USERID        the private messages USERID can read, newest first, as JSON
// Moodle 4.5 keeps a private message once, in `messages` (useridfrom, conversationid, fullmessage),
// its reader as a member of an individual conversation (`message_conversation_members`); the
// `notifications` table holds notifications, never messages (message/classes/api.php, lib/messagelib.php).
define('CLI_SCRIPT', true);
require(getenv('MOODLE_WWW') . '/config.php');
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->libdir . '/testing/generator/lib.php');
require_once(__DIR__ . '/wslib.php');

[$options] = cli_get_params(['setup' => false, 'out' => '', 'messaging' => '', 'received' => ''], []);

const PASSWORD = 'Laurel-pass-1';
// Laurel's read capabilities (seed.php, README), then the messaging ones.
const READ_CAPABILITIES = ['webservice/rest:use', 'moodle/grade:viewall', 'gradereport/user:view', 'report/progress:view',
    'moodle/course:view', 'moodle/user:viewdetails', 'moodle/course:enrolreview', 'mod/assign:view', 'mod/lti:view'];
const MESSAGE_CAPABILITIES = ['moodle/site:sendmessage', 'moodle/site:messageanyuser'];
const READ_FUNCTIONS = ['gradereport_user_get_grade_items', 'core_completion_get_activities_completion_status',
    'core_course_get_contents', 'core_enrol_get_enrolled_users'];
const MESSAGE_FUNCTION = 'core_message_send_instant_messages';

if ($options['messaging'] !== '') {
    set_config('messaging', (int)$options['messaging'] ? 1 : 0);
    echo json_encode(['messaging' => (int)get_config('core', 'messaging')]) . "\n";
    exit(0);
}

if ($options['received'] !== '') {
    $userid = (int)$options['received'];
    $rows = $DB->get_records_sql(
        "SELECT m.id, m.useridfrom, m.conversationid, m.fullmessage, m.fullmessageformat, m.smallmessage, m.timecreated, c.type
           FROM {messages} m
           JOIN {message_conversations} c ON c.id = m.conversationid
           JOIN {message_conversation_members} mcm ON mcm.conversationid = m.conversationid AND mcm.userid = :userid
          WHERE m.useridfrom <> :self
       ORDER BY m.id DESC", ['userid' => $userid, 'self' => $userid], 0, 20);
    echo json_encode(array_values(array_map(fn($r) => ['id' => (int)$r->id, 'useridfrom' => (int)$r->useridfrom,
        'conversationid' => (int)$r->conversationid, 'conversationtype' => (int)$r->type, 'fullmessage' => $r->fullmessage,
        'fullmessageformat' => (int)$r->fullmessageformat, 'smallmessage' => $r->smallmessage, 'timecreated' => (int)$r->timecreated], $rows))) . "\n";
    exit(0);
}

if (!$options['setup']) cli_error('--setup, --messaging=0|1 or --received=USERID');

$admin = get_admin();
\core\session\manager::set_user($admin);
$gen = new testing_data_generator();
set_config('enablewebservices', 1);
set_config('messaging', 1);
$system = context_system::instance();

$withmessages = ws_service('laurelmessages', array_merge(READ_FUNCTIONS, [MESSAGE_FUNCTION]));
$without = ws_service('laurelnomessages', READ_FUNCTIONS);

// Each account: its role's capabilities as given (CAP_ALLOW), and those it is prohibited. Moodle's
// authenticated-user role allows moodle/site:sendmessage to everyone (lib/db/access.php): an
// account lacks it only where a role prohibits it.
$accounts = [
    'all' => [array_merge(READ_CAPABILITIES, MESSAGE_CAPABILITIES), [], $withmessages],
    'moodle/site:messageanyuser' => [array_merge(READ_CAPABILITIES, ['moodle/site:sendmessage']), [], $withmessages],
    'moodle/site:sendmessage' => [array_merge(READ_CAPABILITIES, ['moodle/site:messageanyuser']), ['moodle/site:sendmessage'], $withmessages],
    'function' => [array_merge(READ_CAPABILITIES, MESSAGE_CAPABILITIES), [], $without],
];
$out = ['accounts' => []];
foreach ($accounts as $lacking => [$allowed, $prohibited, $service]) {
    $short = 'lwsmsg' . substr(md5($lacking), 0, 8);
    $u = $DB->get_record('user', ['username' => $short, 'deleted' => 0])
        ?: $gen->create_user(['username' => $short, 'password' => PASSWORD, 'firstname' => 'Laurel', 'lastname' => "messages lacking $lacking",
            'email' => "$short@moodle.test"]);
    ws_role($short, "Laurel messages lacking $lacking", (int)$u->id, $allowed, $prohibited);
    $token = ws_token($service, (int)$u->id, 'messages');
    $out['accounts'][$lacking] = ['id' => (int)$u->id, 'token' => $token, 'service' => $service->shortname];
}
purge_all_caches();
$json = json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n";
if ($options['out'] !== '') file_put_contents($options['out'], $json); else echo $json;
