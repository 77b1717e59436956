// The build scripts refuse a build/ directory configured for another checkout (a copy of a
// checkout taken with its build/ caches): building there would run the other tree's Makefiles
// and write into it. Runs the real scripts/build-site in a temporary copy of scripts/.
//
// Run: node --test tests/web/build-scripts.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// A checkout copy holding only scripts/, and a build/NAME/CMakeCache.txt with these paths.
function copyWithCache(name, home, cacheDir) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ap-build-')));
  cpSync(join(ROOT, 'scripts'), join(root, 'scripts'), { recursive: true });
  mkdirSync(join(root, 'build', name), { recursive: true });
  const cache = [`CMAKE_CACHEFILE_DIR:INTERNAL=${cacheDir(root)}`, `CMAKE_HOME_DIRECTORY:INTERNAL=${home(root)}`].join(
    '\n',
  );
  writeFileSync(join(root, 'build', name, 'CMakeCache.txt'), cache + '\n');
  return root;
}

test('scripts/build-site stops with a message when build/wasm belongs to another checkout', () => {
  const root = copyWithCache(
    'wasm',
    () => '/elsewhere/checkout',
    () => '/elsewhere/checkout/build/wasm',
  );
  try {
    const r = spawnSync('bash', [join(root, 'scripts', 'build-site'), join(root, 'dist')], { encoding: 'utf8' });
    assert.equal(r.status, 1, `exit status ${r.status}; stderr: ${r.stderr}`);
    assert.match(r.stderr, /build\/wasm was configured for another checkout \(source \/elsewhere\/checkout/);
    assert.match(r.stderr, new RegExp(`rm -rf ${root}/build/wasm`));
    assert.equal(existsSync(join(root, 'dist')), false, 'nothing was written');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('check_build_dir accepts a cache made for this checkout, and a missing one', () => {
  const root = copyWithCache(
    'native',
    (r) => r,
    (r) => `${r}/build/native`,
  );
  try {
    const run = (dir) =>
      spawnSync('bash', ['-c', `source scripts/lib/common.sh && check_build_dir ${dir} && echo ok`], {
        cwd: root,
        encoding: 'utf8',
      });
    for (const dir of ['build/native', 'build/none']) {
      const r = run(dir);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'ok');
    }
    // The same cache seen from a copy of the build directory under another name is refused too.
    cpSync(join(root, 'build', 'native'), join(root, 'build', 'copy'), { recursive: true });
    const r = run('build/copy');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /build\/copy was configured for another checkout/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
