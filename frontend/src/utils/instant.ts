// Server timestamps (RFC 3339 in UTC, as chrono writes them: 0, 3, 6 or 9 fraction digits) made comparable as
// strings. Date.parse would drop everything below the millisecond, where two changes of one bot can fall.

/** `iso` with its fraction padded to nanoseconds: two keys compare as the instants do. */
export function instantKey(iso: string): string {
  const m = /^([^.]*?)(?:\.(\d+))?Z$/.exec(iso)
  if (!m) return iso
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`
}
