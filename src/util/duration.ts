// Durations as DESIGN.md writes them: one or more <integer><unit>, units s m h d w ("1h30m").

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const WHOLE = /^(?:\d+[smhdw])+$/;
const PART = /(\d+)([smhdw])/g;

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  if (!WHOLE.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART))
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? 0);
  return Number.isSafeInteger(total) ? total : null;
}

/** "2d 3h", "45s": how an age reads in a message. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0 || (unit === "s" && parts.length === 0)) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.slice(0, 2).join(" ");
}
