#!/usr/bin/env node
// Brings a fresh checkout to a runnable state: installs packages, builds, makes sure
// PostgreSQL and Redis answer at the configured URLs (starting local ones when possible),
// creates the database and migrates it. Uses only Node's built-ins: it runs before `npm ci`.
// Everything it says goes to stderr, so `npm run cli -- … --json` keeps a clean stdout.
//
//   node scripts/setup.mjs start   install, build, services, create + migrate the database
//   node scripts/setup.mjs test    install, build, services, Chromium (the tests make their own database)
//   node scripts/setup.mjs cli [command …]   (what `npm run cli -- …` runs)
//                                  as start, quietly, once per build and database: afterwards only
//                                  cheap checks (stamps, two TCP connects); then runs the command in
//                                  this same process (one Node start, not two: `npm run cli`)
//
// npm ci: exactly the locked versions, and the lock file is never rewritten. (The lock holds every
// platform's optional packages; one written without them made npm ci refuse it.)
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2] ?? 'start';
let quiet = mode === 'cli';
const say = (text) => { if (!quiet) process.stderr.write(`[setup] ${text}\n`); };
const fail = (text) => { process.stderr.write(`[setup] ${text}\n`); process.exit(1); };
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 2, 2], ...opts });
  return r.status === 0;
};

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/fieldwork';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  // 20.19 is the first Node 20 that can require() the ESM-only NestJS 12 packages.
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: install Node 20.19 or newer.`);
}

function install() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.fieldwork-lock-hash');
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  say('installing packages (npm ci, from package-lock.json)…');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'], { stdio: ['ignore', 2, 2] })) fail('npm ci failed; see the output above.');
  writeFileSync(stamp, hash);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function build() {
  const stamp = join(root, 'dist', '.built');
  const sources = Math.max(...['src', 'migrations', 'bench'].map((d) => newestMtime(join(root, d))), statSync(join(root, '.swcrc')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  quiet = false; // a rebuild takes a while: say what is happening
  say('building (swc)…');
  rmDist();
  const swc = join(root, 'node_modules', '.bin', 'swc');
  if (!run(swc, ['src', 'migrations', 'bench', '-d', 'dist', '--config-file', '.swcrc', '-q'], { stdio: ['ignore', 2, 2] })) fail('build failed; see the output above.');
  writeFileSync(stamp, new Date().toISOString());
}

function rmDist() {
  spawnSync('rm', ['-rf', join(root, 'dist')]);
}

function reachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(host, port, 250)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();

async function ensurePostgres() {
  const url = new URL(DATABASE_URL);
  const host = url.hostname;
  const port = Number(url.port || 5432);
  if (await reachable(host, port)) return;
  if (!isLocal(host)) fail(`PostgreSQL does not answer at ${host}:${port} (DATABASE_URL). Start it or correct DATABASE_URL.`);
  say(`PostgreSQL does not answer at ${host}:${port}; trying to start the local cluster…`);
  if (existsSync('/etc/postgresql') && which('pg_ctlcluster')) {
    for (const version of readdirSync('/etc/postgresql')) {
      run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: ['ignore', 2, 2] });
    }
    if (await waitFor(host, port, 20)) return say('PostgreSQL started.');
  }
  fail([
    `Could not start PostgreSQL at ${host}:${port}.`,
    'Install and start one, e.g. on Debian/Ubuntu:',
    '  apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    'or with Docker: docker compose up -d postgres redis',
    'then run this command again (or set DATABASE_URL to a server you have).',
  ].join('\n'));
}

async function ensureRedis() {
  const url = new URL(REDIS_URL);
  const host = url.hostname;
  const port = Number(url.port || 6379);
  if (await reachable(host, port)) return;
  if (!isLocal(host)) fail(`Redis does not answer at ${host}:${port} (REDIS_URL). Start it or correct REDIS_URL.`);
  const binary = which('redis-server');
  if (binary) {
    say(`Redis does not answer at ${host}:${port}; starting ${binary}…`);
    run(binary, ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 2, 2] });
    if (await waitFor(host, port, 10)) return say('Redis started.');
  }
  fail([
    `Could not start Redis at ${host}:${port}.`,
    'Install it, e.g. on Debian/Ubuntu: apt-get install -y redis-server',
    'or with Docker: docker compose up -d redis',
    'then run this command again (or set REDIS_URL to a server you have).',
  ].join('\n'));
}

function createDatabase() {
  // pg is installed by now; a child process keeps this script free of dependencies.
  const script = `
    const { Client } = require('pg');
    const target = new URL(process.env.TARGET);
    const name = decodeURIComponent(target.pathname.slice(1));
    const admin = new URL(target); admin.pathname = '/postgres';
    const c = new Client({ connectionString: admin.toString() });
    c.connect()
      .then(() => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]))
      .then((r) => r.rowCount ? null : c.query('CREATE DATABASE "' + name.replace(/"/g, '""') + '"').then(() => console.error('[setup] created database ' + name)))
      .then(() => c.end())
      .catch((e) => { console.error('[setup] cannot create database ' + name + ': ' + e.message); process.exit(1); });`;
  execFileSync(process.execPath, ['-e', script], { cwd: root, stdio: ['ignore', 'ignore', 2], env: { ...process.env, TARGET: DATABASE_URL } });
}

function migrate() {
  if (!run(process.execPath, ['dist/src/cli.js', 'db:migrate'], { stdio: ['ignore', quiet ? 'ignore' : 2, 2] })) fail('migration failed; see the output above.');
  appendFileSync(migratedStamp, `\n${migratedKey()}`);
}

// "This build's migrations ran on this database", a line per database: in dist/, so every rebuild migrates once more.
// Past that the CLI itself refuses, with exit code 78, a database behind its migrations.
const migratedStamp = join(root, 'dist', '.migrated');
const migratedKey = () => createHash('sha256').update(DATABASE_URL).update(readdirSync(join(root, 'dist', 'migrations')).join('\n')).digest('hex');
const migrated = () => existsSync(migratedStamp) && readFileSync(migratedStamp, 'utf8').split('\n').includes(migratedKey());

/** The browser tests drive Debian's Chromium; install it (as root, from Debian's packages) when it is missing. */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  say('installing Chromium for the browser tests (apt-get install chromium)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ok = run('apt-get', ['install', '-y', '-q', 'chromium'], { env })
    || (run('apt-get', ['update', '-q'], { env }) && run('apt-get', ['install', '-y', '-q', 'chromium'], { env }));
  if (!ok || !existsSync('/usr/bin/chromium')) fail('Chromium is needed at /usr/bin/chromium for the browser tests: install Debian\'s "chromium" package.');
}

checkNode();
install();
build();
await ensurePostgres();
await ensureRedis();
if (mode === 'test') ensureChromium();
if (mode !== 'test' && (mode !== 'cli' || !migrated())) {
  if (mode === 'cli') quiet = false; // once per build and database, and never silently
  createDatabase();
  migrate();
}
say('ready.');
if (mode === 'cli') {
  // dist/src/cli.js reads its command from process.argv.slice(2).
  process.argv.splice(2, 1);
  createRequire(import.meta.url)(join(root, 'dist', 'src', 'cli.js'));
}
