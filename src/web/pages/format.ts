/** Small formatting helpers shared by the pages: times relative to the bridge's clock. */

export function ago(iso: string | number | undefined, now: number): string {
  if (iso === undefined) return 'never';
  const at = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(at)) return 'unknown';
  const s = Math.round((now - at) / 1000);
  if (Math.abs(s) < 5) return 'just now';
  const future = s < 0;
  const abs = Math.abs(s);
  const text =
    abs < 90
      ? `${abs} s`
      : abs < 5400
        ? `${Math.round(abs / 60)} min`
        : abs < 172_800
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86_400)} days`;
  return future ? `in ${text}` : `${text} ago`;
}

export function clockTime(at: string | number | undefined): string {
  if (at === undefined) return '';
  const date = new Date(typeof at === 'number' ? at : Date.parse(at));
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().replace('T', ' ').slice(0, 19);
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} days`;
}
