/** Languages a fenced block may be tagged with to be taken as the strategy module (plain JavaScript only). */
const JS_TAGS = new Set(['', 'js', 'javascript', 'mjs', 'es6', 'ecmascript', 'jsx']);

export type Extracted = { readonly ok: true; readonly code: string } | { readonly ok: false; readonly reason: string };

/**
 * The strategy module inside an LLM answer: the first fenced JavaScript block that has a default export (else the
 * first JavaScript block). An answer without a fenced block, or with TypeScript only, gives no module: the contract
 * asks for one fenced JavaScript block, and guessing where prose ends and code begins would run prose.
 */
export function extractModule(response: string): Extracted {
  const blocks: { tag: string; code: string }[] = [];
  const fence = /(^|\n)[ \t]*(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)\n[ \t]*\2[ \t]*(?=\n|$)/g;
  for (let m = fence.exec(response); m !== null; m = fence.exec(response)) blocks.push({ tag: m[3]!.toLowerCase(), code: m[4]! });
  if (blocks.length === 0) return { ok: false, reason: 'no fenced code block in the response (prose only)' };
  const js = blocks.filter((b) => JS_TAGS.has(b.tag));
  if (js.length === 0) return { ok: false, reason: `no JavaScript code block in the response (found: ${[...new Set(blocks.map((b) => b.tag || 'untagged'))].join(', ')})` };
  const withDefault = js.find((b) => /\bexport\s+default\b/.test(b.code));
  return { ok: true, code: (withDefault ?? js[0]!).code };
}
