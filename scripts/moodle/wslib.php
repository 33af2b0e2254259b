<?php
// What contract.php and messages.php both set up in the real Moodle: an external service with
// exactly these functions, a system role with exactly these capabilities for one account, and that
// account's permanent token for the service. Each is found again on a later run, never duplicated.

/** The service named $shortname (made if missing), its functions replaced by $functions. */
function ws_service(string $shortname, array $functions): stdClass {
    global $DB;
    $service = $DB->get_record('external_services', ['shortname' => $shortname]);
    if (!$service) {
        $id = $DB->insert_record('external_services', (object)['name' => $shortname, 'shortname' => $shortname,
            'enabled' => 1, 'restrictedusers' => 0, 'downloadfiles' => 0, 'uploadfiles' => 0, 'timecreated' => time(), 'timemodified' => time()]);
        $service = $DB->get_record('external_services', ['id' => $id]);
    }
    $DB->delete_records('external_services_functions', ['externalserviceid' => $service->id]);
    foreach ($functions as $f) {
        $DB->insert_record('external_services_functions', (object)['externalserviceid' => $service->id, 'functionname' => $f]);
    }
    return $service;
}

/** The system role $short (made if missing) allowing exactly $allowed and prohibiting $prohibited, given to $userid. */
function ws_role(string $short, string $name, int $userid, array $allowed, array $prohibited = []): int {
    global $DB;
    $system = context_system::instance();
    $role = $DB->get_record('role', ['shortname' => $short]);
    $roleid = $role ? $role->id : create_role($name, $short, '');
    set_role_contextlevels($roleid, [CONTEXT_SYSTEM]);
    foreach ($DB->get_records('role_capabilities', ['roleid' => $roleid, 'contextid' => $system->id]) as $rc) {
        unassign_capability($rc->capability, $roleid, $system->id);
    }
    foreach ($allowed as $cap) assign_capability($cap, CAP_ALLOW, $roleid, $system->id, true);
    foreach ($prohibited as $cap) assign_capability($cap, CAP_PROHIBIT, $roleid, $system->id, true);
    role_assign($roleid, $userid, $system->id);
    return (int)$roleid;
}

/** $userid's permanent token for $service, the one a previous run made if there is one. */
function ws_token(stdClass $service, int $userid, string $origin): string {
    global $DB;
    return $DB->get_field('external_tokens', 'token', ['externalserviceid' => $service->id, 'userid' => $userid])
        ?: \core_external\util::generate_token(EXTERNAL_TOKEN_PERMANENT, $service, $userid, context_system::instance(), 0, '', $origin);
}
