/**
 * 1EdTech's own Open Badges tools, from PyPI, as independent checks of what Laurel produces:
 * `openbadges` (the OB 2.0 validator) and `openbadges-bakery` (bakes and unbakes images).
 * scripts/install-python-tools.sh puts them in ./.venv the first time; later calls are instant.
 */
import { execFile, execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The official OB 2.0 context (https://w3id.org/openbadges/v2), a copy of ../shared/fixtures/openbadges/contexts/ob-v2-context.json. */
export const OB2_CONTEXT_FILE = join(repo, 'test/fixtures/openbadges/ob-v2-context.json');

export interface PythonTools {
  bin: string;
  python: string;
  openbadges: string;
  bakery: string;
}

let tools: PythonTools | undefined;

/** Installs the tools once (per test process; the script itself is idempotent and locked) and returns their paths. */
export function pythonTools(): PythonTools {
  if (!tools) {
    const bin = execFileSync(join(repo, 'scripts/install-python-tools.sh'), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 10 * 60_000,
    }).trim().split('\n').pop()!;
    tools = { bin, python: join(bin, 'python'), openbadges: join(bin, 'openbadges'), bakery: join(bin, 'bakery') };
  }
  return tools;
}

/**
 * Requests may reach 127.0.0.1 only: anything else goes to a proxy that refuses, so a validator
 * that tried the network fails loudly instead of passing on a machine that happens to be online.
 */
const OFFLINE_ENV = {
  ...process.env,
  PYTHONIOENCODING: 'utf-8',
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  ALL_PROXY: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  all_proxy: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
  no_proxy: '127.0.0.1,localhost',
};

// The bakery's Python API rather than its CLI: `bakery unbake` 1.2.4 crashes on an SVG with a
// verify attribute (it calls .encode on bytes).
const UNBAKE_PY = `
import sys
from openbadges_bakery import unbake
with open(sys.argv[1], 'rb') as f:
    found = unbake(f)
if found is None:
    sys.exit(3)
sys.stdout.buffer.write(found if isinstance(found, bytes) else found.encode('utf-8'))
`;

/**
 * What openbadges-bakery's unbake finds in an image file: for a PNG the text of the `openbadges`
 * iTXt/tEXt chunk, for an SVG the verify attribute of <openbadges:assertion> (else its CDATA).
 * Undefined when it finds nothing.
 */
export function bakeryExtract(file: string): string | undefined {
  try {
    return execFileSync(pythonTools().python, ['-c', UNBAKE_PY, file], { encoding: 'utf8', env: OFFLINE_ENV });
  } catch (e) {
    if ((e as { status?: number }).status === 3) return undefined;
    throw e;
  }
}

/**
 * Runs the validator's Python API (`openbadges.verify`'s own steps: verification_store, then
 * generate_report). Offline: the OB 2.0 context is preloaded into a requests-cache memory
 * backend passed as the `cache_backend` option, which the validator hands to every session it
 * opens (its JSON-LD document loader, its node and image fetches), so
 * https://w3id.org/openbadges/v2 is answered from our copy of the file; every other URL is
 * fetched for real, from the test server. (The CLI, `openbadges verify --data URL`, has no way
 * to pass a backend and always fetches the context.)
 *
 * With `revocationList`, the validator's own revocation tasks (VALIDATE_PROPERTY on the issuer's
 * revocationList, then VERIFY_SIGNED_ASSERTION_NOT_REVOKED) run for the hosted assertion too:
 * validator 1.1.2 schedules them only for signed assertions, and ignores `revoked: true` on a
 * hosted one.
 */
const VERIFY_PY = `
import json, sys
import requests
from requests_cache.backends.base import BaseCache
from openbadges.verifier.verifier import _get_options, call_task, generate_report, verification_store
from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_URI
from openbadges.verifier.actions.tasks import add_task
from openbadges.verifier.state import filter_active_tasks
from openbadges.verifier.tasks import task_named
from openbadges.verifier.tasks.task_types import (
    VALIDATE_PROPERTY, VALIDATE_REVOCATIONLIST_ENTRIES, VERIFY_SIGNED_ASSERTION_NOT_REVOKED)
from openbadges.verifier.tasks.validation import OBClasses, ValueTypes

url, context_file, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

cache = BaseCache()
request = requests.Request('GET', OPENBADGES_CONTEXT_V2_URI).prepare()
response = requests.Response()
response.status_code = 200
response.url = OPENBADGES_CONTEXT_V2_URI
response.request = request
response.encoding = 'utf-8'
response.headers['Content-Type'] = 'application/ld+json'
with open(context_file, 'rb') as f:
    response._content = f.read()
cache.save_response(cache.create_key(request), response)

options = _get_options({'cache_backend': cache, 'cache_expire_after': None})
store = verification_store(url, recipient_profile=extra.get('recipient'), options=options)

if extra.get('revocationList'):
    assertion_id = store.get_state()['report']['validationSubject']
    store.dispatch(add_task(
        VALIDATE_PROPERTY, node_path=[assertion_id, 'badge', 'issuer'], prop_name='revocationList',
        prop_type=ValueTypes.ID, expected_class=OBClasses.RevocationList, fetch=True, required=True))
    store.dispatch(add_task(
        VERIFY_SIGNED_ASSERTION_NOT_REVOKED, node_id=assertion_id,
        prerequisites=[VALIDATE_REVOCATIONLIST_ENTRIES]))
    # The validator's own task loop (verification_store), resumed.
    while filter_active_tasks(store.get_state()):
        task = filter_active_tasks(store.get_state())[0]
        call_task(task_named(task['name']), task, store, options)

result = generate_report(store, options=options)
result['tasks'] = [{k: t.get(k) for k in ('name', 'success', 'result', 'node_id')} for t in store.get_state()['tasks']]
sys.stdout.write(json.dumps(result))
`;

export interface Ob2ValidationMessage {
  name?: string;
  messageLevel: 'ERROR' | 'WARNING' | 'INFO';
  result: string;
  success?: boolean;
  node_id?: string;
}

export interface Ob2ValidationResult {
  graph: Record<string, unknown>[];
  /** Every task the validator ran, with its outcome (the report lists only failures and warnings). */
  tasks: { name: string; success: boolean; result: string; node_id?: string }[];
  input: { value: string; input_type: string };
  report: {
    valid: boolean;
    errorCount: number;
    warningCount: number;
    messages: Ob2ValidationMessage[];
    openBadgesVersion?: string;
    validationSubject?: string;
  };
}

export interface ValidateOb2Options {
  /** A Profile the validator checks the hashed recipient against, e.g. {email: '…'} or {id: '…'}. */
  recipient?: Record<string, unknown>;
  /** Also check the issuer's RevocationList (see VERIFY_PY). */
  revocationList?: boolean;
}

/**
 * 1EdTech's validator on a hosted OB 2.0 assertion URL (normally on 127.0.0.1). Async: the
 * server answering it may live in this process.
 */
export function validateOb2(url: string, options: ValidateOb2Options = {}): Promise<Ob2ValidationResult> {
  const { python } = pythonTools();
  return new Promise((done, fail) => {
    execFile(
      python,
      ['-c', VERIFY_PY, url, OB2_CONTEXT_FILE, JSON.stringify(options)],
      { encoding: 'utf8', env: OFFLINE_ENV, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) return fail(new Error(`openbadges verify ${url} failed: ${error.message}\n${stderr}`));
        try {
          done(JSON.parse(stdout) as Ob2ValidationResult);
        } catch {
          fail(new Error(`openbadges verify ${url} printed no JSON report:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}
