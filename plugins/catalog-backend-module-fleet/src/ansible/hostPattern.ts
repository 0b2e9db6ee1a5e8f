const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** True when a host pattern holds a `[begin:end]` range. */
export function hasRange(pattern: string): boolean {
  const open = pattern.indexOf('[');
  const close = pattern.indexOf(']', open);
  return open >= 0 && close > open && pattern.slice(open, close).includes(':');
}

/**
 * Expands Ansible host ranges the way `expand_hostname_range` does:
 * `kafka-[01:03].example` (zero-padded), `db-[a:c]`, `web[1:9:2]`, and
 * several ranges in one name.
 */
export function expandHostRange(pattern: string): string[] {
  const open = pattern.indexOf('[');
  const close = pattern.indexOf(']', open);
  const head = pattern.slice(0, open);
  const range = pattern.slice(open + 1, close);
  const tail = pattern.slice(close + 1);
  const bounds = range.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new Error(
      `host range must be begin:end or begin:end:step in '${pattern}'`,
    );
  }
  const beg = bounds[0] || '0';
  const end = bounds[1];
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!end)
    throw new Error(`host range must specify end value in '${pattern}'`);
  if (!Number.isInteger(step) || step <= 0) {
    throw new Error(
      `host range step must be a positive integer in '${pattern}'`,
    );
  }
  let fill = (x: string | number) => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length) {
      throw new Error(
        `host range must specify equal-length begin and end formats in '${pattern}'`,
      );
    }
    fill = x => String(x).padStart(beg.length, '0');
  }
  let seq: Array<string | number>;
  const ib = beg.length === 1 ? LETTERS.indexOf(beg) : -1;
  const ie = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (ib >= 0 && ie >= 0) {
    if (ib > ie)
      throw new Error(`host range must have begin <= end in '${pattern}'`);
    seq = [];
    for (let i = ib; i <= ie; i += step) seq.push(LETTERS[i]);
  } else {
    const b = Number(beg);
    const e = Number(end);
    if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) {
      throw new Error(
        `host range bounds must be numbers or letters in '${pattern}'`,
      );
    }
    seq = [];
    for (let i = b; i <= e; i += step) seq.push(i);
  }
  const out: string[] = [];
  for (const x of seq) {
    const name = `${head}${fill(x)}${tail}`;
    if (hasRange(name)) out.push(...expandHostRange(name));
    else out.push(name);
  }
  return out;
}

/**
 * Splits a host pattern into host names and an optional port
 * (`db-[1:3].example:5433`), like Ansible's `_expand_hostpattern`.
 */
export function expandHostPattern(pattern: string): {
  hosts: string[];
  port?: number;
} {
  let name = pattern;
  let port: number | undefined;
  const colon = pattern.lastIndexOf(':');
  if (
    colon > pattern.lastIndexOf(']') &&
    /^\d+$/.test(pattern.slice(colon + 1)) &&
    // a bare IPv6 address has more than one colon outside brackets
    !pattern.slice(pattern.lastIndexOf(']') + 1, colon).includes(':')
  ) {
    name = pattern.slice(0, colon);
    port = Number(pattern.slice(colon + 1));
  }
  const hosts = hasRange(name) ? expandHostRange(name) : [name];
  return { hosts, port };
}
