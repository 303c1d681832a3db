#!/usr/bin/env node
// wechat-sizes: print WeChat's own per-package sizes for a mini-program
// project, as measured by miniprogram-ci offline (no network, dummy key).
//
//   node wechat-sizes.js [--files] [--dump <dir>] <projectDir> [--ci <dir containing node_modules/miniprogram-ci>]
//
// --files adds "files": {path: {analyse, compiled}} (paths relative to the
// mini-program root) for per-file comparison; --dump <dir> writes the
// compiled files there; --deps adds "unresolved": [{file, request, type, error}],
// the references analyseCode could not resolve (modules[].deps[].error).
//
// projectDir is the directory holding project.config.json. Output (stdout):
//   {"project": ..., "miniprogramRoot": ..., "packages": [{"name", "analyseBytes", "analyseFiles",
//    "compiledBytes", "compiledFiles"}], "compileError": null}
// analyseBytes: ci.analyseCode (source bytes of upload file types; ignores packOptions).
// compiledBytes: ci.getCompiledResult (what would be uploaded after WeChat's processing
// under the project's own settings), grouped by the longest subpackage root.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');

// miniprogram-ci logs to stdout; keep stdout for the JSON result only.
const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);

function usage() {
  console.error('usage: node wechat-sizes.js <projectDir> [--ci <dir with node_modules/miniprogram-ci>]');
  process.exit(2);
}

const args = process.argv.slice(2);
let projectDir = null;
let ciDir = process.env.WECHAT_SIZES_CI_DIR || null;
let perFile = false;
let dumpDir = null;
let deps = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--ci') ciDir = args[++i];
  else if (args[i] === '--files') perFile = true;
  else if (args[i] === '--dump') dumpDir = args[++i];
  else if (args[i] === '--deps') deps = true;
  else if (!projectDir) projectDir = args[i];
  else usage();
}
if (!projectDir) usage();
if (!ciDir) { console.error('--ci (or WECHAT_SIZES_CI_DIR) is required; run.sh sets it'); process.exit(2); }
const req = (m) => require(require.resolve(m, { paths: [ciDir] }));
const ci = req('miniprogram-ci');
const { DefaultProjectAttr } = req('miniprogram-ci/dist/config/config');

// Subpackage roots from app.json, normalised like mpgate does.
function roots(mpRoot) {
  const app = JSON.parse(fs.readFileSync(path.join(mpRoot, 'app.json'), 'utf8'));
  const subs = [].concat(app.subPackages || [], app.subpackages || []);
  const out = subs.map((s) => String(s.root || '').replace(/^(\.\/|\/)+/, '').replace(/\/+$/, ''));
  if (app.workers && typeof app.workers === 'object' && app.workers.isSubpackage && app.workers.path) {
    out.push(String(app.workers.path).replace(/^(\.\/|\/)+/, '').replace(/\/+$/, ''));
  }
  return out.filter(Boolean);
}

function packageOf(rs, p) {
  let best = '__APP__';
  for (const r of rs) {
    if ((p === r || p.startsWith(r + '/')) && (best === '__APP__' || r.length > best.length)) best = r;
  }
  return best;
}

async function main() {
  const dir = path.resolve(projectDir);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'project.config.json'), 'utf8'));
  const mpRootRel = (cfg.miniprogramRoot || '').replace(/^\.\//, '').replace(/\/+$/, '');
  const mpRoot = path.join(dir, mpRootRel);
  const rs = roots(mpRoot);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-sizes-'));
  const keyPath = path.join(tmp, 'private.touristappid.key');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(keyPath, privateKey.export({ type: 'pkcs1', format: 'pem' }));

  const project = new ci.Project({
    appid: cfg.appid && cfg.appid !== 'touristappid' ? cfg.appid : 'touristappid',
    type: 'miniProgram',
    projectPath: dir,
    privateKeyPath: keyPath,
    ignores: ['node_modules/**/*'],
    attr: async () => DefaultProjectAttr,
  });

  const pkgs = new Map();
  const get = (name) => {
    if (!pkgs.has(name)) pkgs.set(name, { name, analyseBytes: 0, analyseFiles: 0, compiledBytes: 0, compiledFiles: 0 });
    return pkgs.get(name);
  };
  const files = {};
  const file = (p) => (files[p] = files[p] || { analyse: null, compiled: null });
  get('__APP__');
  for (const r of rs) get(r);

  const analysed = await ci.analyseCode(project);
  for (const f of analysed.files) {
    const p = f.path.replace(/^\/+/, '');
    const rel = mpRootRel && p.startsWith(mpRootRel + '/') ? p.slice(mpRootRel.length + 1) : p;
    const g = get(packageOf(rs, rel));
    g.analyseBytes += f.size;
    g.analyseFiles++;
    file(rel).analyse = f.size;
  }

  const unresolved = [];
  const strip = (p) => {
    p = String(p || '').replace(/^\/+/, '');
    return mpRootRel && p.startsWith(mpRootRel + '/') ? p.slice(mpRootRel.length + 1) : p;
  };
  for (const m of analysed.modules || []) {
    for (const d of m.deps || []) {
      if (d.error) unresolved.push({ file: strip(m.path), request: d.request, type: d.type, error: String(d.error) });
    }
  }

  let compileError = null;
  try {
    const out = await ci.getCompiledResult({ project, setting: { useProjectConfig: true } }, path.join(tmp, 'out.zip'));
    for (const [p0, content] of Object.entries(out)) {
      const p = p0.replace(/^\/+/, '');
      const g = get(packageOf(rs, p));
      const n = Buffer.isBuffer(content) ? content.length : Buffer.byteLength(String(content));
      g.compiledBytes += n;
      g.compiledFiles++;
      file(p).compiled = n;
      if (dumpDir) {
        const to = path.join(dumpDir, p);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.writeFileSync(to, content);
      }
    }
  } catch (e) {
    compileError = String((e && e.message) || e);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const out = { project: dir, miniprogramRoot: mpRootRel, packages: [...pkgs.values()], compileError };
  if (perFile) out.files = files;
  if (deps) out.unresolved = unresolved;
  writeStdout(JSON.stringify(out, null, 2) + '\n');
}

// miniprogram-ci leaves a file watcher running: exit explicitly.
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
