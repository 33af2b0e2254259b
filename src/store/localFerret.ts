/**
 * The embedded database for local runs, tests and CI: FerretDB 1.24 (MongoDB wire protocol
 * over SQLite). Production uses MongoDB through MONGODB_URI and never reaches this file.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LocalDatabase {
  uri: string;
  stop(): Promise<void>;
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/**
 * Finds the FerretDB binary (FERRETDB_BIN, or the script's default path), building it with Go
 * when it is missing. Always through scripts/install-ferretdb.sh, which answers in milliseconds when
 * the binary is there: it also rebuilds one without Laurel's patches (scripts/ferretdb), with which
 * a lookup by _id or by an indexed field would read the whole table.
 */
export function ferretdbBinary(): string {
  return execFileSync(join(projectRoot, 'scripts', 'install-ferretdb.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((ok, fail) => {
    const attempt = () => {
      if (child.exitCode !== null) return fail(new Error(`FerretDB exited with code ${child.exitCode} before it listened`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); ok(); });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) return fail(new Error(`FerretDB did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`));
        setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** FerretDB on loopback with its SQLite files under `sqliteDir`, its stderr kept for a report. */
async function spawnFerret(bin: string, port: number, dataDir: string, sqliteDir: string) {
  const child = spawn(bin, [
    '--handler=sqlite',
    `--sqlite-url=file:${sqliteDir}/`,
    `--listen-addr=127.0.0.1:${port}`,
    // No debug listener: a port picked free and bound later may be taken meanwhile, and FerretDB
    // exits when it cannot bind it (cmd/ferretdb/main.go: LevelFatal), after its main port answered.
    '--debug-addr=-',
    `--state-dir=${dataDir}`,
    '--telemetry=disable',
    '--log-level=error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  // A Go panic names its cause at the top and the goroutine at fault below it: keep both ends.
  let head = '';
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (head.length < 4000) head += chunk.toString();
    else tail = (tail + chunk.toString()).slice(-4000);
  });
  const stderr = () => head + (tail ? `\n…\n${tail}` : '');
  try {
    await waitForPort(port, child, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr()}`);
  }
  return { child, stderr };
}

/** How many times a FerretDB that died is started again, on the same port and files. */
const RESTARTS = 3;

/**
 * Starts FerretDB on loopback with its SQLite files under `dataDir`; nothing goes to the network.
 * Should it die (a test run once lost it mid-suite, every later file refused), it says so on
 * stderr with its exit status and last words, and is started again on the same port and files,
 * as a service manager would: the databases written so far are still there.
 */
export async function startLocalFerret(dataDir: string, opts: { port?: number; database?: string } = {}): Promise<LocalDatabase> {
  const bin = ferretdbBinary();
  const port = opts.port ?? (await freePort());
  const sqliteDir = join(dataDir, 'ferretdb');
  mkdirSync(sqliteDir, { recursive: true });
  let current = await spawnFerret(bin, port, dataDir, sqliteDir);
  let stopping = false;
  let restarts = 0;
  const watch = () => current.child.once('exit', (code, signal) => {
    if (stopping) return;
    const again = restarts < RESTARTS;
    console.error(`FerretDB on port ${port} exited unexpectedly (code ${code}, signal ${signal})${again ? '; starting it again' : ''}:\n${current.stderr()}`);
    if (!again) return;
    restarts += 1;
    spawnFerret(bin, port, dataDir, sqliteDir).then((next) => {
      if (stopping) { next.child.kill('SIGTERM'); return; }
      current = next;
      watch();
    }, (err: Error) => console.error(`FerretDB on port ${port} could not be started again: ${err.message}`));
  });
  watch();
  return {
    uri: `mongodb://127.0.0.1:${port}/${opts.database ?? 'laurel'}`,
    stop: () => new Promise((ok) => {
      stopping = true;
      const { child } = current;
      if (child.exitCode !== null || child.signalCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}
