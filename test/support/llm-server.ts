/**
 * A local HTTP server speaking the parts of Ollama's API (`/api/tags`, `/api/chat`, streamed as NDJSON or not) and of
 * the OpenAI chat-completions API (`/v1/chat/completions`) that tickflow's LLM clients use, answering from recorded
 * fixtures. The real `ollama` and `openai` packages talk to it over HTTP.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatBody {
  readonly model: string;
  readonly messages: readonly { role: string; content: string }[];
  readonly stream?: boolean;
  readonly options?: Record<string, unknown>;
  readonly seed?: number;
  readonly temperature?: number;
}

export interface LlmServerOptions {
  /** Models the server has (`/api/tags`); a chat for another one gets Ollama's / OpenAI's 404. */
  readonly models: readonly string[];
  /** The assistant's answer to a chat request. */
  readonly answer: (body: ChatBody) => string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: ChatBody | null;
}

export class LlmServer {
  readonly requests: RecordedRequest[] = [];
  /** Answer the next N chat requests with a 500 (a server that is overloaded for a while). */
  failNext = 0;
  private server: Server | null = null;
  private port = 0;

  constructor(private readonly options: LlmServerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get chats(): RecordedRequest[] {
    return this.requests.filter((r) => r.body !== null);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0]!;
    const body = text === '' ? null : (JSON.parse(text) as ChatBody);
    this.requests.push({ method: req.method ?? 'GET', path, body: path.endsWith('/chat') || path.endsWith('/completions') ? body : null });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && path === '/api/tags') {
      json(200, {
        models: this.options.models.map((name) => ({
          name,
          model: name,
          modified_at: '2026-01-01T00:00:00Z',
          size: 1,
          digest: 'sha256:0',
          details: { format: 'gguf', family: 'qwen2', parameter_size: '14B', quantization_level: 'Q4_K_M' },
        })),
      });
      return;
    }
    if (req.method === 'POST' && path === '/api/chat' && body !== null) {
      if (this.failNext > 0) {
        this.failNext--;
        json(500, { error: 'server overloaded' });
        return;
      }
      // As Ollama does, a name without a tag means its `latest`.
      if (!this.options.models.includes(body.model) && !this.options.models.includes(`${body.model}:latest`)) {
        json(404, { error: `model '${body.model}' not found` });
        return;
      }
      const content = this.options.answer(body);
      const base = { model: body.model, created_at: '2026-01-01T00:00:00Z' };
      if (body.stream === false) {
        json(200, { ...base, message: { role: 'assistant', content }, done: true, done_reason: 'stop' });
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // Several chunks, split mid-line, as a model streams tokens.
      const size = Math.max(1, Math.ceil(content.length / 5));
      for (let i = 0; i < content.length; i += size) res.write(`${JSON.stringify({ ...base, message: { role: 'assistant', content: content.slice(i, i + size) }, done: false })}\n`);
      res.end(`${JSON.stringify({ ...base, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop' })}\n`);
      return;
    }
    if (req.method === 'POST' && path === '/v1/chat/completions' && body !== null) {
      if (this.failNext > 0) {
        this.failNext--;
        json(500, { error: { message: 'server overloaded', type: 'server_error' } });
        return;
      }
      if (!this.options.models.includes(body.model)) {
        json(404, { error: { message: `The model '${body.model}' does not exist`, type: 'invalid_request_error', code: 'model_not_found' } });
        return;
      }
      const content = this.options.answer(body);
      json(200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1767225600,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
      return;
    }
    json(404, { error: `no route ${req.method} ${path}` });
  }
}
