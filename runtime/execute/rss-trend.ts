// Is RSS flat over repeated work? The least-squares line through per-cycle RSS, as a relative rise.

/**
 * The rise of the least-squares line over `values` (first to last index), relative to their mean.
 * 0.05 = the fitted line climbs 5% of the mean across the window. Noise averages out; a leak does not.
 */
export function relativeTrend(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  values.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  const slope = sxy / sxx;
  return (slope * (n - 1)) / meanY;
}
