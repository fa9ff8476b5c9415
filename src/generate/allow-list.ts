import { createHash } from 'node:crypto';

/**
 * Names generated code may not mention, with why. A generated strategy is pure computation over `ctx`: anything
 * that reaches the host (modules, the process, globals, code from strings, timers, I/O, threads) or makes runs
 * differ (clocks, randomness) has no place in it.
 */
const FORBIDDEN_NAMES: Readonly<Record<string, string>> = {
  require: 'module loading',
  module: 'module loading',
  exports: 'module loading',
  process: 'process access',
  globalThis: 'global object access',
  global: 'global object access',
  self: 'global object access',
  window: 'global object access',
  eval: 'code from strings',
  Function: 'code from strings',
  AsyncFunction: 'code from strings',
  GeneratorFunction: 'code from strings',
  WebAssembly: 'code from strings',
  setTimeout: 'timers',
  setInterval: 'timers',
  setImmediate: 'timers',
  clearTimeout: 'timers',
  clearInterval: 'timers',
  clearImmediate: 'timers',
  queueMicrotask: 'timers',
  fetch: 'network access',
  XMLHttpRequest: 'network access',
  WebSocket: 'network access',
  EventSource: 'network access',
  Worker: 'thread access',
  SharedArrayBuffer: 'thread access',
  Atomics: 'thread access',
  postMessage: 'thread access',
  importScripts: 'module loading',
  Buffer: 'host objects',
  __dirname: 'file access',
  __filename: 'file access',
  Reflect: 'prototype tampering',
  Proxy: 'prototype tampering',
  performance: 'non-deterministic clock (use ctx.now)',
  Deno: 'host objects',
  Bun: 'host objects',
};

/** Member and key names that reach or replace prototypes (`x.constructor.constructor('…')()`, `__proto__`). */
const FORBIDDEN_MEMBERS: Readonly<Record<string, string>> = {
  constructor: 'prototype tampering (constructor access)',
  prototype: 'prototype tampering',
  __proto__: 'prototype tampering',
  __defineGetter__: 'prototype tampering',
  __defineSetter__: 'prototype tampering',
  __lookupGetter__: 'prototype tampering',
  __lookupSetter__: 'prototype tampering',
  setPrototypeOf: 'prototype tampering',
  defineProperty: 'prototype tampering',
  defineProperties: 'prototype tampering',
  getOwnPropertyDescriptor: 'prototype tampering',
  getOwnPropertyDescriptors: 'prototype tampering',
  caller: 'stack access',
  callee: 'stack access',
};

/** Built-in globals whose members generated code may read but never assign or delete. */
const BUILTINS = new Set([
  'Object', 'Array', 'Math', 'JSON', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Date', 'RegExp', 'Promise',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Error', 'TypeError', 'RangeError', 'Intl', 'Float64Array', 'Int32Array',
  'Uint8Array', 'ArrayBuffer', 'DataView', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
]);

/** Identifiers the sandbox keeps for itself. */
const RESERVED_PREFIX = '__tf';

/** The import specifiers generated code may use: none (the contract gives everything through `ctx`). */
export const ALLOWED_IMPORTS: readonly string[] = [];

export type CodeCheck =
  | { readonly ok: true; readonly script: string; readonly hash: string }
  | { readonly ok: false; readonly reasons: readonly string[]; readonly hash: string };

interface AstNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

/** sha256 of a source text, hex: the name of a candidate's code everywhere (files, reports, the registry). */
export function sourceHash(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/**
 * Checks generated module code against the allow-list and turns a survivor into a script that evaluates to its
 * default export (for the sandbox's `vm` context, which has no module loader). Every violation is reported, each
 * with its line; a syntax error is the only reason when there is one. acorn loads only here, on first use.
 */
export async function checkGeneratedCode(code: string): Promise<CodeCheck> {
  const hash = sourceHash(code);
  const { parse } = await import('acorn');
  const walk = await import('acorn-walk');
  let ast: AstNode;
  try {
    ast = parse(code, { ecmaVersion: 2023, sourceType: 'module', locations: true }) as unknown as AstNode;
  } catch (err) {
    return { ok: false, reasons: [`syntax error: ${(err as Error).message}`], hash };
  }
  const reasons: string[] = [];
  const at = (n: AstNode) => `line ${n.loc?.start.line ?? '?'}`;
  const flag = (n: AstNode, text: string) => reasons.push(`${at(n)}: ${text}`);
  const edits: { start: number; end: number; text: string }[] = [];
  let defaults = 0;

  const memberName = (prop: AstNode, computed: boolean): string | null => {
    if (!computed && prop.type === 'Identifier') return prop.name as string;
    if (prop.type === 'Literal' && typeof prop.value === 'string') return prop.value;
    return null;
  };
  const rootOf = (n: AstNode): AstNode => (n.type === 'MemberExpression' ? rootOf(n.object as AstNode) : n);

  for (const statement of ast.body as AstNode[]) {
    if (statement.type === 'ImportDeclaration') {
      const from = String((statement.source as AstNode).value);
      if (!ALLOWED_IMPORTS.includes(from)) flag(statement, `import from '${from}' is not allowed (allowed: ${ALLOWED_IMPORTS.length === 0 ? 'none; everything comes through ctx' : ALLOWED_IMPORTS.join(', ')})`);
    } else if (statement.type === 'ExportDefaultDeclaration') {
      defaults++;
      edits.push({ start: statement.start, end: (statement.declaration as AstNode).start, text: `${RESERVED_PREFIX}Default = ` });
    } else if (statement.type === 'ExportNamedDeclaration') {
      if (statement.declaration) edits.push({ start: statement.start, end: (statement.declaration as AstNode).start, text: '' });
      else flag(statement, 'export lists and re-exports are not allowed (declare with export const / export default)');
    } else if (statement.type === 'ExportAllDeclaration') {
      flag(statement, 're-exports are not allowed');
    }
  }
  if (defaults === 0) reasons.push('no default export (export default { name, interval, getSignal })');

  walk.fullAncestor(ast as never, (node, _state, ancestors) => {
    const n = node as unknown as AstNode;
    switch (n.type) {
      case 'ImportExpression':
        flag(n, 'dynamic import() is not allowed (module loading)');
        break;
      case 'MetaProperty':
        if ((n.meta as AstNode).name === 'import') flag(n, 'import.meta is not allowed (module loading)');
        break;
      case 'Identifier': {
        const name = n.name as string;
        const why = FORBIDDEN_NAMES[name];
        if (why !== undefined) flag(n, `'${name}' is not allowed (${why})`);
        else if (name.startsWith(RESERVED_PREFIX)) flag(n, `identifiers starting with '${RESERVED_PREFIX}' are reserved`);
        break;
      }
      case 'MemberExpression': {
        const name = memberName(n.property as AstNode, n.computed as boolean);
        if (name !== null && FORBIDDEN_MEMBERS[name] !== undefined) flag(n, `'.${name}' is not allowed (${FORBIDDEN_MEMBERS[name]})`);
        const object = n.object as AstNode;
        if (object.type === 'Identifier' && name !== null) {
          if (object.name === 'Math' && name === 'random') flag(n, 'Math.random is not allowed (non-deterministic; derive variation from ctx)');
          if (object.name === 'Date' && name === 'now') flag(n, 'Date.now is not allowed (non-deterministic clock; use ctx.now)');
        }
        break;
      }
      case 'Property': {
        const key = n.key as AstNode;
        const name = memberName(key, n.computed as boolean);
        if (name === '__proto__') flag(n, `'__proto__' keys are not allowed (prototype tampering)`);
        break;
      }
      case 'NewExpression': {
        const callee = n.callee as AstNode;
        if (callee.type === 'Identifier' && callee.name === 'Date' && (n.arguments as unknown[]).length === 0) flag(n, 'new Date() without an argument is not allowed (non-deterministic clock; use ctx.now)');
        break;
      }
      case 'AssignmentExpression':
      case 'UpdateExpression':
      case 'UnaryExpression': {
        if (n.type === 'UnaryExpression' && n.operator !== 'delete') break;
        const target = (n.type === 'AssignmentExpression' ? n.left : n.argument) as AstNode;
        if (target.type !== 'MemberExpression') break;
        const root = rootOf(target);
        if (root.type === 'Identifier' && BUILTINS.has(root.name as string)) flag(n, `changing the built-in '${root.name as string}' is not allowed (prototype tampering)`);
        break;
      }
      case 'AwaitExpression':
      case 'ForOfStatement': {
        if (n.type === 'ForOfStatement' && !n.await) break;
        const inFunction = ancestors.some((a) => /Function/.test((a as unknown as AstNode).type));
        if (!inFunction) flag(n, 'top-level await is not allowed');
        break;
      }
    }
  });

  if (reasons.length > 0) return { ok: false, reasons, hash };
  let body = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) body = body.slice(0, e.start) + e.text + body.slice(e.end);
  const script = `(function () {\n'use strict';\nlet ${RESERVED_PREFIX}Default;\n${body}\n;return ${RESERVED_PREFIX}Default;\n})()`;
  return { ok: true, script, hash };
}
