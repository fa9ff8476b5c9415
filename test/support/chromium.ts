import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';

const ROOT = resolve(__dirname, '../..');

/**
 * The Chromium binary, installed from Debian's packages by scripts/chromium.sh when missing (a fresh machine or CI
 * gets it on the first run). Returns the path, or the reason there is none.
 */
export function ensureChromium(): { path: string } | { reason: string } {
  const r = spawnSync('sh', [resolve(ROOT, 'scripts/chromium.sh')], { encoding: 'utf8', timeout: 900_000 });
  const path = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status === 0 && path !== '') return { path };
  return { reason: `scripts/chromium.sh exited ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}` };
}

/** A console message, uncaught exception or log entry of level error, as the page reported it. */
export interface PageProblem {
  readonly source: string;
  readonly text: string;
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(err: Error): void;
}

/**
 * Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: commands on fd 3,
 * answers on fd 4, NUL-separated JSON). One page; console errors and exceptions are collected as they happen.
 */
export class HeadlessChromium {
  private readonly child: ChildProcess;
  private readonly input: Writable;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly waiters: Array<{ method: string; resolve: (params: Record<string, unknown>) => void }> = [];
  private buffer = '';
  private session = '';
  private exited: Promise<void>;
  readonly problems: PageProblem[] = [];
  stderr = '';

  constructor(binary: string) {
    this.child = spawn(
      binary,
      ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--no-default-browser-check', '--mute-audio', '--remote-debugging-pipe', 'about:blank'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    this.input = this.child.stdio[3] as Writable;
    const output = this.child.stdio[4] as Readable;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.receive(chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((done) => this.child.on('exit', () => done()));
    this.exited.then(() => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited: ${this.stderr.slice(-500)}`));
      this.pending.clear();
    });
  }

  /** Attaches to the first page and starts collecting its console errors and exceptions. */
  async open(): Promise<void> {
    const { targetInfos } = (await this.send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string }> };
    const page = targetInfos.find((t) => t.type === 'page');
    if (page === undefined) throw new Error('chromium: no page target');
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId: page.targetId, flatten: true })) as { sessionId: string };
    this.session = sessionId;
    await this.page('Page.enable');
    await this.page('Runtime.enable');
    await this.page('Log.enable');
  }

  /** Loads `url` at a window of `width` × `height` CSS pixels and resolves once its load event fired. */
  async load(url: string, width: number, height: number): Promise<void> {
    await this.page('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    const loaded = this.waitFor('Page.loadEventFired');
    await this.page('Page.navigate', { url });
    await loaded;
  }

  /** The value of a JavaScript expression in the page (JSON-serialisable results only). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.page('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: T }; exceptionDetails?: { text: string } };
    if (r.exceptionDetails !== undefined) throw new Error(`evaluate ${expression}: ${r.exceptionDetails.text}`);
    return r.result.value;
  }

  /** A PNG of the viewport; of the whole page's height when `fullPage`; of a band of the page from `from` px. */
  async screenshot(fullPage = false, band?: { readonly from: number; readonly height: number }): Promise<Buffer> {
    let clip: Record<string, number> | undefined;
    if (fullPage || band !== undefined) {
      const size = await this.evaluate<{ w: number; h: number }>('({ w: window.innerWidth, h: document.documentElement.scrollHeight })');
      clip = band === undefined ? { x: 0, y: 0, width: size.w, height: size.h, scale: 1 } : { x: 0, y: band.from, width: size.w, height: Math.min(band.height, size.h - band.from), scale: 1 };
    }
    const r = (await this.page('Page.captureScreenshot', { format: 'png', ...(clip ? { clip, captureBeyondViewport: true } : {}) })) as { data: string };
    return Buffer.from(r.data, 'base64');
  }

  /** Renders for print (CSS `@media print`) from now on. */
  async emulatePrint(): Promise<void> {
    await this.page('Emulation.setEmulatedMedia', { media: 'print' });
  }

  /** The page printed to PDF (A4 portrait), as Chromium's print preview would. */
  async printToPdf(): Promise<Buffer> {
    const r = (await this.page('Page.printToPDF', { paperWidth: 8.27, paperHeight: 11.69, printBackground: true })) as { data: string };
    return Buffer.from(r.data, 'base64');
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      this.send('Browser.close').catch(() => {});
    }
    await this.exited;
  }

  private page(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.send(method, params, this.session);
  }

  private send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  private waitFor(method: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiters.push({ method, resolve }));
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end)) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
        method?: string;
        params?: Record<string, unknown>;
      };
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error !== undefined) p?.reject(new Error(message.error.message));
        else p?.resolve(message.result ?? {});
        continue;
      }
      if (message.method !== undefined) this.event(message.method, message.params ?? {});
    }
  }

  private event(method: string, params: Record<string, unknown>): void {
    if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) {
      const args = (params.args as Array<{ value?: unknown; description?: string }>).map((a) => String(a.value ?? a.description));
      this.problems.push({ source: `console.${String(params.type)}`, text: args.join(' ') });
    } else if (method === 'Runtime.exceptionThrown') {
      const d = params.exceptionDetails as { text: string; exception?: { description?: string } };
      this.problems.push({ source: 'exception', text: `${d.text} ${d.exception?.description ?? ''}` });
    } else if (method === 'Log.entryAdded') {
      const e = params.entry as { level: string; text: string; url?: string };
      if (e.level === 'error') this.problems.push({ source: `log.${e.level}`, text: `${e.text} ${e.url ?? ''}` });
    }
    for (let i = 0; i < this.waiters.length; i++) {
      if (this.waiters[i]!.method === method) {
        this.waiters.splice(i, 1)[0]!.resolve(params);
        i--;
      }
    }
  }
}
