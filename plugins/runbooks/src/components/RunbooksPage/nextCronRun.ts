const ranges: Array<[number, number]> = [
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 7], // day of week (0 and 7 are Sunday)
];

function parseField(field: string, [min, max]: [number, number]) {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    let [from, to] = [min, max];
    if (range !== '*') {
      const [a, b] = range.split('-').map(Number);
      from = a;
      to = b ?? (stepText ? max : a);
    }
    if (
      ![from, to, step].every(Number.isInteger) ||
      step < 1 ||
      from < min ||
      to > max
    ) {
      throw new Error(`Invalid cron field '${field}'`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * The next time (UTC) a standard five-field cron expression fires after
 * `from`, or undefined when it is invalid or does not fire within a year.
 * Shown when the server does not report a schedule's next run itself.
 */
export function nextCronRun(cron: string, from = new Date()): Date | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  let sets: Set<number>[];
  try {
    sets = fields.map((f, i) => parseField(f, ranges[i]));
  } catch {
    return undefined;
  }
  const [minutes, hours, days, months, weekdays] = sets;
  if (weekdays.has(7)) weekdays.add(0);
  // Cron's rule: when both day fields are restricted, either may match.
  const dayRestricted = fields[2] !== '*';
  const weekdayRestricted = fields[4] !== '*';
  const t = new Date(from.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  for (let i = 0; i < 366 * 24 * 60; i++) {
    const dayOk = days.has(t.getUTCDate());
    const weekdayOk = weekdays.has(t.getUTCDay());
    const dayMatch =
      dayRestricted && weekdayRestricted
        ? dayOk || weekdayOk
        : dayOk && weekdayOk;
    if (
      months.has(t.getUTCMonth() + 1) &&
      dayMatch &&
      hours.has(t.getUTCHours()) &&
      minutes.has(t.getUTCMinutes())
    ) {
      return t;
    }
    t.setUTCMinutes(t.getUTCMinutes() + 1);
  }
  return undefined;
}
