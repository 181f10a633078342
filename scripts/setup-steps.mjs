// What the setup scripts (prestart, ensure-system) share. They run before anything is
// installed, so plain Node only.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// Runs a command in `cwd`, showing it; on failure says which and exits.
export function runner(label, cwd) {
  return (cmd, args, env = process.env) => {
    console.log(`${label}: ${cmd} ${args.join(' ')}`);
    const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`${label}: \`${cmd} ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`})`);
      process.exit(1);
    }
  };
}

// A fresh clone: install exactly what the lock file pins.
export function installPackages(run, root) {
  run('npm', [existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install']);
}
