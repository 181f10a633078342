import { describe, expect, it } from 'vitest';
import { ExpiryAlarm } from '../../src/sw/housekeeping/alarm.js';
import { Stats } from '../../src/sw/reporting/stats.js';
import { type Debounced, debounced, type Timers } from '../../src/sw/storage/batch.js';
import type { ManifestStore } from '../../src/sw/storage/store.js';

// A manual clock: timers fire only when the test advances time.
class FakeTime implements Timers {
  now = 1_000_000;
  private next = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get timers(): number {
    return this.pending.size;
  }

  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
      await Promise.resolve();
    }
    this.now = until;
    await new Promise((r) => setImmediate(r));
  }
}

function setup(stored: number[]) {
  const time = new FakeTime();
  const persisted: (number | null)[] = [];
  const fired: number[] = [];
  const alarm = new ExpiryAlarm({
    now: () => time.now,
    timers: time,
    nextDue: async () => (stored.length ? Math.min(...stored) : null),
    persist: async (due) => persisted.push(due),
    fire: async () => {
      fired.push(time.now);
      // A sweep deletes what is due, then re-arms.
      for (let i = stored.length - 1; i >= 0; i--) if (stored[i]! <= time.now) stored.splice(i, 1);
      await alarm.rearm();
    },
  });
  // The due time as the alarm last persisted it (it persists each change).
  const due = () => persisted.at(-1) ?? null;
  return { time, persisted, fired, alarm, stored, due };
}

describe('the expiry alarm', () => {
  it('rings at the earliest expiry and persists its due time', async () => {
    const { time, alarm, fired, persisted, due } = setup([]);
    const start = time.now;
    await alarm.rearm();
    expect(due()).toBeNull();
    alarm.note(start + 5_000);
    alarm.note(start + 2_000);
    alarm.note(start + 9_000);
    expect(due()).toBe(start + 2_000);
    expect(persisted).toEqual([start + 5_000, start + 2_000]);
    await time.advance(1_999);
    expect(fired).toEqual([]);
    await time.advance(1);
    expect(fired).toEqual([start + 2_000]);
  });

  it('re-arms for the next expiry after each sweep', async () => {
    const { time, alarm, fired, persisted, stored, due } = setup([]);
    const t0 = time.now;
    stored.push(t0 + 1_000, t0 + 3_000);
    await alarm.rearm();
    await time.advance(1_000);
    expect(fired).toEqual([t0 + 1_000]);
    expect(due()).toBe(t0 + 3_000);
    await time.advance(2_000);
    expect(fired).toEqual([t0 + 1_000, t0 + 3_000]);
    expect(due()).toBeNull();
    expect(persisted.at(-1)).toBeNull();
    expect(time.timers).toBe(0);
  });

  it('never lets a later write push the alarm back', async () => {
    const { time, alarm, due } = setup([]);
    alarm.note(time.now + 1_000);
    alarm.note(time.now + 60_000);
    expect(due()).toBe(time.now + 1_000);
    expect(time.timers).toBe(1);
  });

  it('ignores records that never expire', async () => {
    const { alarm, time, due } = setup([]);
    alarm.note(Infinity);
    expect(due()).toBeNull();
    expect(time.timers).toBe(0);
  });

  it('rings at once for an alarm already overdue, as after a restart', async () => {
    const { time, alarm, fired, stored } = setup([]);
    stored.push(time.now - 10_000);
    await alarm.rearm();
    await time.advance(0);
    expect(fired).toHaveLength(1);
    expect(stored).toEqual([]);
  });

  it('splits waits longer than a 32-bit timer into chunks', async () => {
    const { time, alarm, fired, due } = setup([]);
    const far = time.now + 40 * 24 * 3600 * 1000;
    alarm.note(far);
    await time.advance(2 ** 31 - 1);
    expect(fired).toEqual([]);
    expect(due()).toBe(far);
    await time.advance(far - time.now);
    expect(fired).toEqual([far]);
  });
});

describe('batched writes', () => {
  it('collects many requests into one write after the delay', async () => {
    const time = new FakeTime();
    let writes = 0;
    const batch = debounced(async () => void writes++, 200, time);
    for (let i = 0; i < 50; i++) batch.schedule();
    expect(writes).toBe(0);
    await time.advance(200);
    expect(writes).toBe(1);
  });

  it('idle() waits for the scheduled run with no timer of its own, however many wait', async () => {
    const time = new FakeTime();
    let writes = 0;
    const batch = debounced(async () => void writes++, 200, time);
    batch.schedule();
    let settled = 0;
    const waiters = Array.from({ length: 20 }, () => batch.idle().then(() => settled++));
    await Promise.resolve();
    expect(time.timers).toBe(1);
    expect(settled).toBe(0);
    await time.advance(200);
    await Promise.all(waiters);
    expect(writes).toBe(1);
    expect(settled).toBe(20);
  });

  it('idle() also waits for a run the work schedules again, and settles at once when nothing is pending', async () => {
    const time = new FakeTime();
    let writes = 0;
    const batch: Debounced = debounced(
      async () => {
        // A failed write keeps its work for the next try.
        if (++writes === 1) batch.schedule();
      },
      200,
      time,
    );
    batch.schedule();
    let done = false;
    const waiting = batch.idle().then(() => {
      done = true;
    });
    await time.advance(200);
    expect(writes).toBe(1);
    expect(done).toBe(false);
    await time.advance(200);
    await waiting;
    expect(writes).toBe(2);
    await batch.idle();
    expect(time.timers).toBe(0);
  });

  it('writes at once when asked, and cancels the pending timer', async () => {
    const time = new FakeTime();
    let writes = 0;
    const batch = debounced(async () => void writes++, 200, time);
    batch.schedule();
    await batch.now();
    expect(writes).toBe(1);
    expect(time.timers).toBe(0);
  });
});

describe('Stats', () => {
  // A meta store that refuses writes until told otherwise.
  function fakeStore() {
    const meta = new Map<string, unknown>();
    const store = {
      writable: false,
      writes: 0,
      async updateMeta<T>(key: string, update: (current: T | undefined) => T): Promise<boolean> {
        store.writes++;
        if (!store.writable) return false;
        meta.set(key, update(meta.get(key) as T | undefined));
        return true;
      },
      async getMeta<T>(key: string): Promise<T | undefined> {
        return meta.get(key) as T | undefined;
      },
      async bytes(): Promise<number> {
        return 0;
      },
    };
    return store;
  }

  it('keeps counts a failed write could not store, and retries once, not forever', async () => {
    const time = new FakeTime();
    const store = fakeStore();
    const stats = new Stats(store as unknown as ManifestStore, time);
    stats.bump('hits', 2);
    stats.set('lastSweepVisited', 7);
    await time.advance(200);
    expect(store.writes).toBe(1);
    const idle = stats.idle();
    await time.advance(200);
    await idle;
    expect(store.writes).toBe(2);
    // An unwritable database must not keep the worker busy: nothing more is scheduled.
    expect(time.timers).toBe(0);
    await time.advance(10_000);
    expect(store.writes).toBe(2);

    store.writable = true;
    stats.bump('hits');
    stats.set('lastSweepVisited', 9);
    await time.advance(200);
    await stats.idle();
    const snapshot = await stats.snapshot();
    expect(snapshot.hits).toBe(3);
    expect(snapshot.lastSweepVisited).toBe(9);
  });
});
