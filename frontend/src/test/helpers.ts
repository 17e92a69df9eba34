// Test doubles: a routed fetch, an in-memory sessionStorage and a scriptable WebSocket.

import { vi } from 'vitest'

export interface Call {
  method: string
  url: string
  body: unknown
  headers: Record<string, string>
}

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> }
type Handler = (call: Call) => Reply | Promise<Reply>

/** Replaces global fetch; routes are "METHOD /path" (query ignored) → reply. Unknown routes answer 404. */
export function mockFetch(routes: Record<string, Reply | Handler>) {
  const calls: Call[] = []
  const fn = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input)
    const method = (init?.method ?? 'GET').toUpperCase()
    const call: Call = {
      method,
      url,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: (init?.headers ?? {}) as Record<string, string>,
    }
    calls.push(call)
    const route = routes[`${method} ${url.split('?')[0]}`]
    const reply: Reply = route === undefined
      ? { status: 404, body: { error: { code: 'not_found', message: 'no route' } } }
      : typeof route === 'function' ? await route(call) : route
    const status = reply.status ?? 200
    const text = reply.body === undefined ? null : JSON.stringify(reply.body)
    return new Response(status === 204 ? null : text, {
      status,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    })
  })
  vi.stubGlobal('fetch', fn)
  return { fn, calls }
}

export function memoryStorage(): Storage {
  const m = new Map<string, string>()
  return {
    get length() {
      return m.size
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  }
}

/** Installs a fresh sessionStorage (and optionally a token in it). */
export function stubSession(token?: string): Storage {
  const s = memoryStorage()
  if (token) s.setItem('gridbot.token', token)
  vi.stubGlobal('sessionStorage', s)
  return s
}

export class FakeWebSocket {
  static instances: FakeWebSocket[] = []
  static reset() {
    FakeWebSocket.instances = []
  }
  static last(): FakeWebSocket {
    const s = FakeWebSocket.instances[FakeWebSocket.instances.length - 1]
    if (!s) throw new Error('no socket opened')
    return s
  }

  readonly url: string
  readyState = 0
  closedByClient = false
  onopen: ((ev: Event) => void) | null = null
  onmessage: ((ev: MessageEvent) => void) | null = null
  onclose: ((ev: CloseEvent) => void) | null = null
  onerror: ((ev: Event) => void) | null = null

  constructor(url: string) {
    this.url = url
    FakeWebSocket.instances.push(this)
  }
  send() {}
  close() {
    this.closedByClient = true
    this.readyState = 3
  }

  // --- driven by the test ---
  open() {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }
  receive(data: unknown) {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) } as MessageEvent)
  }
  drop() {
    this.readyState = 3
    this.onerror?.(new Event('error'))
    this.onclose?.({ code: 1006 } as CloseEvent)
  }
}

export const asImpl = (c: typeof FakeWebSocket) => c as unknown as typeof WebSocket

/** Lets pending promise callbacks run. */
export const flush = () => new Promise((r) => setTimeout(r, 0))
