// The inspector worker's guard: one registry's records are never served for another on
// the page's own origin, and nothing is answered while they are being dropped.
import { describe, expect, it } from 'vitest';
import { type GuardStorage, RegistryGuard } from '../../inspector/worker/registry-guard.js';

function storage(initial: string | null) {
  const events: string[] = [];
  let stored = initial;
  let failNext = false;
  const s: GuardStorage & { events: string[]; fail(): void } = {
    events,
    fail: () => {
      failNext = true;
    },
    async read() {
      events.push(`read ${stored}`);
      return stored;
    },
    async write(id) {
      events.push(`write ${id}`);
      stored = id;
    },
    async clear() {
      if (failNext) {
        failNext = false;
        events.push('clear failed');
        throw new Error('storage is broken');
      }
      events.push('clear');
    },
  };
  return s;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('the registry guard', () => {
  it('serves the records of the registry they came from without clearing them', async () => {
    const s = storage('embedded');
    const guard = new RegistryGuard(s);
    expect(await guard.run('embedded', async () => 'hit')).toBe('hit');
    expect(await guard.run('embedded', async () => 'hit again')).toBe('hit again');
    expect(s.events).toEqual(['read embedded']);
  });

  it('drops the records before answering for another registry', async () => {
    const s = storage('embedded');
    const guard = new RegistryGuard(s);
    await guard.run('embedded', async () => 'x');
    expect(await guard.run('proxy https://registry.example', async () => s.events.join(', '))).toBe(
      'read embedded, clear, write proxy https://registry.example',
    );
  });

  it('drops records whose registry was never noted (a first run, an older build)', async () => {
    const s = storage(null);
    const guard = new RegistryGuard(s);
    await guard.run('embedded', async () => 'x');
    expect(s.events).toEqual(['read null', 'clear', 'write embedded']);
  });

  it('lets answers under way finish before dropping, and answers nothing meanwhile', async () => {
    const s = storage('a');
    const guard = new RegistryGuard(s);
    const slow = deferred<string>();
    const first = guard.run('a', () => slow.promise);
    await Promise.resolve();
    const answered: string[] = [];
    const second = guard.run('b', async () => {
      answered.push(`b after ${s.events.at(-1)}`);
      return 'b';
    });
    const third = guard.run('b', async () => {
      answered.push('b again');
      return 'b2';
    });
    await new Promise((r) => setTimeout(r, 10));
    // The switch waits for the answer for registry a.
    expect(s.events).toEqual(['read a']);
    expect(answered).toEqual([]);
    slow.resolve('a');
    expect(await Promise.all([first, second, third])).toEqual(['a', 'b', 'b2']);
    expect(s.events).toEqual(['read a', 'clear', 'write b']);
    expect(answered).toEqual(['b after write b', 'b again']);
  });

  it('answers nothing when the records cannot be dropped, and tries again next time', async () => {
    const s = storage('a');
    const guard = new RegistryGuard(s);
    s.fail();
    let called = false;
    await expect(
      guard.run('b', async () => {
        called = true;
        return 'b';
      }),
    ).rejects.toThrow('storage is broken');
    expect(called).toBe(false);
    expect(await guard.run('b', async () => 'b')).toBe('b');
    expect(s.events).toEqual(['read a', 'clear failed', 'read a', 'clear', 'write b']);
  });
});
