// Summaries of timing samples.

export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  // Linear interpolation between the two nearest ranks.
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  mean: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const n = samples.length;
  return {
    n,
    p50: quantile(samples, 0.5),
    p90: quantile(samples, 0.9),
    mean: n ? samples.reduce((a, b) => a + b, 0) / n : NaN,
    min: n ? Math.min(...samples) : NaN,
    max: n ? Math.max(...samples) : NaN,
  };
}

/** Milliseconds with three significant digits, enough for sub-millisecond answers. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function ratio(value: number, floor: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(floor) || floor <= 0) return '—';
  const r = value / floor;
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
}

export function bytes(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 10 * 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  if (Math.abs(value) >= 10 * 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${Math.round(value)} B`;
}
