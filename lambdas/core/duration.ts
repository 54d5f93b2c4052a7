/** Durations in config are written the way people say them: "90s", "5m", "1h", "7d". */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION = /^(\d+)\s*([smhd])$/;

/** Parses "5m" into 300 (seconds); "0" is allowed for "at once". Returns undefined when unreadable. */
export function parseDurationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const match = DURATION.exec(trimmed);
  if (!match) return undefined;
  const [, amount, unit] = match;
  const perUnit = UNIT_SECONDS[unit ?? ''];
  return perUnit === undefined ? undefined : Number(amount) * perUnit;
}

/** 300 → "5m", 5400 → "1h 30m": for messages a person reads. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds < 60) return `${seconds}s`;
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return [days && `${days}d`, hours && `${hours}h`, minutes && `${minutes}m`].filter(Boolean).join(' ') || '0m';
}
