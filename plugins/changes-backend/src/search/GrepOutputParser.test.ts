import { GrepOutputParser, MAX_TEXT_LENGTH } from './GrepOutputParser';

const A = 'a'.repeat(40);
const B = '0123456789abcdef'.repeat(4);
const record = (rev: string, path: string, line: number, text: string) =>
  Buffer.from(`${rev}:${path}\0${line}\0${text}\n`);

describe('GrepOutputParser', () => {
  it('reads records split anywhere across chunks, whatever the path holds', () => {
    const output = Buffer.concat([
      record(A, 'a b:c/Dock:er', 1, 'FROM node:18'),
      record(A, 'odd\nname.txt', 22, 'node:18 : here'),
      record(B, 'x', 3, ''),
    ]);
    for (let size = 1; size <= output.length; size += 7) {
      const parser = new GrepOutputParser();
      const matches = [];
      for (let at = 0; at < output.length; at += size) {
        matches.push(...parser.push(output.subarray(at, at + size)));
      }
      expect(matches).toEqual([
        {
          rev: A,
          match: { path: 'a b:c/Dock:er', line: 1, text: 'FROM node:18' },
        },
        {
          rev: A,
          match: { path: 'odd\nname.txt', line: 22, text: 'node:18 : here' },
        },
        { rev: B, match: { path: 'x', line: 3, text: '' } },
      ]);
    }
  });

  it('reads the <rev>\\0path form too, and cuts long lines by character', () => {
    const long = 'é'.repeat(MAX_TEXT_LENGTH + 10);
    const matches = new GrepOutputParser().push(
      Buffer.from(`${B}\x00src/a.ts\x007\x00${long}\r\nHEAD\x00b\x001\x00x\n`),
    );
    expect(matches).toEqual([
      {
        rev: B,
        match: { path: 'src/a.ts', line: 7, text: 'é'.repeat(MAX_TEXT_LENGTH) },
      },
      { rev: 'HEAD', match: { path: 'b', line: 1, text: 'x' } },
    ]);
  });
});
