/**
 * Structural checks of a declarative Jenkinsfile, standing in for Jenkins'
 * own validator (which needs a Jenkins; the npm linters need Java): Groovy
 * strings and comments are tokenized properly, brackets must balance, the
 * file must be a single `pipeline { }` with `agent` and `stages`, and every
 * `stage('…')` must have non-empty `steps`.
 */
export interface JenkinsBlock {
  name: string;
  args: string;
  children: JenkinsBlock[];
  /** Statements that are not blocks, e.g. `sh 'scripts/ci/test.sh'`. */
  statements: string[];
}

type Token = {
  kind: 'str' | 'open' | 'close' | 'lparen' | 'rparen' | 'word';
  text: string;
  line: number;
};

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const push = (kind: Token['kind'], text: string) =>
    tokens.push({ kind, text, line });
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`line ${line}: unterminated comment`);
      line += source.slice(i, end).split('\n').length - 1;
      i = end + 2;
      continue;
    }
    let triple: string | undefined;
    if (source.startsWith("'''", i)) triple = "'''";
    else if (source.startsWith('"""', i)) triple = '"""';
    if (triple || c === "'" || c === '"') {
      const quote = triple ?? c;
      let j = i + quote.length;
      while (j < source.length && !source.startsWith(quote, j)) {
        if (source[j] === '\\') j++;
        if (!triple && source[j] === '\n')
          throw new Error(`line ${line}: newline in a string`);
        j++;
      }
      if (j >= source.length)
        throw new Error(`line ${line}: unterminated string`);
      const text = source.slice(i + quote.length, j);
      push('str', text);
      line += text.split('\n').length - 1;
      i = j + quote.length;
      continue;
    }
    if (c === '{') {
      push('open', c);
      i++;
      continue;
    }
    if (c === '}') {
      push('close', c);
      i++;
      continue;
    }
    if (c === '(' || c === '[') {
      push('lparen', c);
      i++;
      continue;
    }
    if (c === ')' || c === ']') {
      push('rparen', c);
      i++;
      continue;
    }
    let j = i;
    while (j < source.length && !/[\s{}()[\]'"]/.test(source[j])) j++;
    push('word', source.slice(i, Math.max(j, i + 1)));
    i = Math.max(j, i + 1);
  }
  return tokens;
}

function parseBody(
  tokens: Token[],
  pos: { i: number },
  closing: boolean,
): Omit<JenkinsBlock, 'name' | 'args'> {
  const children: JenkinsBlock[] = [];
  const statements: string[] = [];
  let current: string[] = [];
  let currentLine = -1;
  const flush = () => {
    if (current.length) statements.push(current.join(' '));
    current = [];
  };
  while (pos.i < tokens.length) {
    const t = tokens[pos.i];
    if (t.kind === 'close') {
      if (!closing) throw new Error(`line ${t.line}: unexpected '}'`);
      flush();
      pos.i++;
      return { children, statements };
    }
    if (t.line !== currentLine) {
      flush();
      currentLine = t.line;
    }
    if (t.kind === 'lparen') {
      let depth = 0;
      const start = pos.i;
      do {
        const k = tokens[pos.i];
        if (!k) throw new Error(`line ${t.line}: unbalanced '${t.text}'`);
        if (k.kind === 'lparen') depth++;
        if (k.kind === 'rparen') depth--;
        if (k.kind === 'open' || k.kind === 'close')
          throw new Error(`line ${k.line}: brace inside brackets`);
        pos.i++;
      } while (depth > 0);
      current.push(
        tokens
          .slice(start, pos.i)
          .map(k => (k.kind === 'str' ? `'${k.text}'` : k.text))
          .join(''),
      );
      continue;
    }
    if (t.kind === 'rparen')
      throw new Error(`line ${t.line}: unbalanced '${t.text}'`);
    if (t.kind === 'open') {
      const [name = '', ...rest] = current;
      current = [];
      pos.i++;
      const body = parseBody(tokens, pos, true);
      children.push({ name, args: rest.join(' '), ...body });
      currentLine = -1;
      continue;
    }
    current.push(t.kind === 'str' ? `'${t.text}'` : t.text);
    pos.i++;
  }
  if (closing) throw new Error("missing '}' at the end of the file");
  flush();
  return { children, statements };
}

/** Parses a declarative Jenkinsfile and enforces its structure; throws with a line number otherwise. */
export function checkDeclarativeJenkinsfile(source: string): JenkinsBlock {
  const top = parseBody(tokenize(source), { i: 0 }, false);
  if (
    top.statements.length ||
    top.children.length !== 1 ||
    top.children[0].name !== 'pipeline'
  ) {
    throw new Error(
      'a declarative Jenkinsfile is exactly one pipeline { } block',
    );
  }
  const pipeline = top.children[0];
  const names = pipeline.children.map(c => c.name);
  const agent =
    names.includes('agent') ||
    pipeline.statements.some(s => s.startsWith('agent '));
  if (!agent) throw new Error('pipeline has no agent');
  const stages = pipeline.children.find(c => c.name === 'stages');
  if (!stages || stages.children.length === 0)
    throw new Error('pipeline has no stages');
  const allowed = [
    'agent',
    'environment',
    'options',
    'parameters',
    'triggers',
    'tools',
    'stages',
    'post',
    'libraries',
  ];
  for (const name of names) {
    if (!allowed.includes(name))
      throw new Error(`unknown pipeline section ${name}`);
  }
  for (const stage of stages.children) {
    if (stage.name !== 'stage' || !/^\('[^']+'\)$/.test(stage.args)) {
      throw new Error(
        `stages may only hold stage('name') blocks, found ${stage.name}${stage.args}`,
      );
    }
    const steps = stage.children.find(c => c.name === 'steps');
    if (
      !steps ||
      (steps.statements.length === 0 && steps.children.length === 0)
    ) {
      throw new Error(`stage${stage.args} has no steps`);
    }
  }
  return pipeline;
}

/** Every `sh '…'` command anywhere in a parsed pipeline. */
export function shellCommands(block: JenkinsBlock): string[] {
  const own = block.statements
    .map(s => s.match(/^sh '(.*)'$/)?.[1])
    .filter((s): s is string => !!s);
  return [...own, ...block.children.flatMap(shellCommands)];
}
