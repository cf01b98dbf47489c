// "Nice" axis ticks (1, 2, 5 x 10^k) for the timeline's time and memory axes, with their labels.

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export interface Tick {
  value: number;
  label: string;
}

/** The smallest step of the form 1, 2 or 5 x 10^k that divides `extent` into at most `maxTicks` parts. */
export function niceStep(extent: number, maxTicks: number): number {
  if (!(extent > 0)) return 1;
  const raw = extent / Math.max(1, maxTicks);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function decimalsFor(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/**
 * Ticks from `fromMs` (default 0) to `toMs`, at multiples of the step: labelled in ms for short runs, in s
 * from 2 s on (`0`, `2.5 s`, `250 ms`).
 */
export function timeTicks(toMs: number, maxTicks: number, fromMs = 0): Tick[] {
  const step = niceStep(toMs - fromMs, maxTicks);
  const inSeconds = toMs >= 2000;
  const ticks: Tick[] = [];
  const first = Math.ceil(fromMs / step - 1e-9);
  for (let i = first; i * step <= toMs + (toMs - fromMs) * 1e-9; i++) {
    const value = i * step;
    const label = inSeconds
      ? `${(value / 1000).toFixed(decimalsFor(step / 1000))} s`
      : `${value.toFixed(decimalsFor(step))} ms`;
    ticks.push({ value, label: value === 0 ? "0" : label });
  }
  return ticks;
}

/** Ticks from 0 to at least `extentBytes` in MiB (GiB from 2 GiB on); the last tick is at or above the extent. */
export function byteTicks(extentBytes: number, maxTicks: number): Tick[] {
  const unit = extentBytes >= 2 * GIB ? GIB : MIB;
  const unitName = unit === GIB ? "GiB" : "MiB";
  const extent = Math.max(extentBytes / unit, 1e-9);
  const step = niceStep(extent, maxTicks);
  const ticks: Tick[] = [];
  for (let i = 0; ; i++) {
    const value = i * step;
    ticks.push({ value: value * unit, label: value === 0 ? "0" : `${value.toFixed(decimalsFor(step))} ${unitName}` });
    if (value >= extent * (1 - 1e-9)) break;
  }
  return ticks;
}
