/**
 * Counts what STYLE.md asks to keep small: functions whose body spans more than 60 lines, functions
 * with more than 8 parameters, and lines over 120 characters. Tests (*.test.ts) and generated files
 * (*.generated.ts) do not count.
 *
 *   npx tsx tools/code-stats.ts [--list] [dir ...]     (default: src and web/src)
 *
 * Prints the three counts per folder; --list adds each offender as `file:line name length`.
 * Parses with the TypeScript compiler API, so a multi-line signature or an arrow in a call argument
 * is measured like any other function.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const MAX_BODY_LINES = 60;
const MAX_PARAMS = 8;
const MAX_LINE_CHARS = 120;

interface Offender { file: string; line: number; name: string; size: number }
interface Stats { longFunctions: Offender[]; manyParams: Offender[]; longLines: Offender[] }

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) { if (f !== 'node_modules') out.push(...sourceFiles(p)); continue; }
    if (/\.(ts|tsx|mts|cts)$/.test(f) && !/\.test\.ts$|\.generated\.ts$|\.d\.ts$/.test(f)) out.push(p);
  }
  return out;
}

/** A readable name: `Class.method`, the variable or property an arrow is bound to, else `(arrow)` inside its owner. */
function nameOf(fn: ts.FunctionLikeDeclaration, sf: ts.SourceFile): string {
  const own = (n: ts.Node): string | null => {
    if (ts.isConstructorDeclaration(n)) return 'constructor';
    const named = n as ts.Node & { name?: ts.Node };
    if (named.name && !ts.isArrowFunction(n)) return named.name.getText(sf);
    const p = n.parent;
    if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))) {
      return p.name.getText(sf);
    }
    return null;
  };
  const parts: string[] = [own(fn) ?? (ts.isArrowFunction(fn) ? '(arrow)' : '(function)')];
  for (let n: ts.Node | undefined = fn.parent; n; n = n.parent) {
    if (ts.isClassLike(n)) { parts.unshift(n.name?.getText(sf) ?? '(class)'); break; }
    if (ts.isFunctionLike(n) && parts[0].startsWith('(')) {
      const owner = own(n);
      if (owner) { parts.unshift(owner); break; }
    }
  }
  return parts.join('.');
}

function fileStats(path: string, root: string, stats: Stats): void {
  const text = readFileSync(path, 'utf8');
  const file = relative(root, path);
  const kind = path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration, body = fn.body!;
      const line = lineOf(fn.getStart(sf)), span = lineOf(body.getEnd()) - lineOf(body.getStart(sf)) + 1;
      if (span > MAX_BODY_LINES) stats.longFunctions.push({ file, line, name: nameOf(fn, sf), size: span });
      if (fn.parameters.length > MAX_PARAMS) {
        stats.manyParams.push({ file, line, name: nameOf(fn, sf), size: fn.parameters.length });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  text.split('\n').forEach((l, i) => {
    const n = [...l.replace(/\r$/, '')].length; // code points: `·` and `→` are one character each
    if (n > MAX_LINE_CHARS) stats.longLines.push({ file, line: i + 1, name: '', size: n });
  });
}

function report(dir: string, list: boolean): void {
  const stats: Stats = { longFunctions: [], manyParams: [], longLines: [] };
  const root = join(dir, '..');
  for (const f of sourceFiles(dir)) fileStats(f, root, stats);
  const rows: [string, Offender[], string][] = [
    [`functions with a body over ${MAX_BODY_LINES} lines`, stats.longFunctions, 'lines'],
    [`functions with over ${MAX_PARAMS} parameters`, stats.manyParams, 'parameters'],
    [`lines over ${MAX_LINE_CHARS} characters`, stats.longLines, 'characters'],
  ];
  console.log(`${dir}`);
  for (const [what, found, unit] of rows) {
    console.log(`  ${String(found.length).padStart(5)}  ${what}`);
    if (!list) continue;
    for (const o of found) console.log(`         ${o.file}:${o.line}${o.name ? ` ${o.name}` : ''} ${o.size} ${unit}`);
  }
}

const args = process.argv.slice(2);
const list = args.includes('--list');
const dirs = args.filter((a) => a !== '--list');
for (const dir of dirs.length ? dirs : ['src', 'web/src']) {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    console.error(`code-stats: expected a folder, got '${dir}'`);
    process.exit(1);
  }
  report(dir, list);
}
