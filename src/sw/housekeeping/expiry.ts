// When a record stops being servable.

export type Clock = () => number;

export function expiryFor(confirmedAt: number, ttlSeconds: number): number {
  return ttlSeconds === 0 ? Infinity : confirmedAt + ttlSeconds * 1000;
}

export function isLive(record: { expiresAt: number }, now: number): boolean {
  return record.expiresAt > now;
}

export function secondsLeft(record: { expiresAt: number }, now: number): number {
  return (record.expiresAt - now) / 1000;
}
