// A WebSocket that reconnects with exponential backoff and hands typed messages
// to a callback. Usable in components and in setup stores (closed on scope dispose).

import { getCurrentScope, onScopeDispose, readonly, ref, type Ref } from 'vue'
import { getToken } from '@/api/session'

export type SocketStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface Backoff {
  initialMs: number
  maxMs: number
  factor: number
  /** randomise each delay to 50–100 % of its value, so clients do not reconnect in step */
  jitter: boolean
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30000, factor: 2, jitter: true }

/** The delay before reconnect attempt number `attempt` (0-based). */
export function backoffDelay(attempt: number, b: Backoff = DEFAULT_BACKOFF, rnd = Math.random): number {
  const base = Math.min(b.maxMs, b.initialMs * b.factor ** attempt)
  return b.jitter ? Math.round(base * (0.5 + rnd() / 2)) : base
}

export interface SocketOptions<T> {
  /** the URL to open; null means "do not connect now" (e.g. no token) */
  url: () => string | null
  /** narrows a parsed JSON frame to a message, or null to drop it */
  parse: (raw: unknown) => T | null
  onMessage: (msg: T) => void
  onOpen?: () => void
  backoff?: Partial<Backoff>
  /** for tests */
  impl?: typeof WebSocket
}

export interface SocketHandle {
  status: Readonly<Ref<SocketStatus>>
  /** reconnect attempts since the last successful open */
  attempts: Readonly<Ref<number>>
  connect: () => void
  close: () => void
}

/** A socket with no tie to a component: the caller closes it. */
export function createSocket<T>(opts: SocketOptions<T>): SocketHandle {
  const status = ref<SocketStatus>('idle')
  const attempts = ref(0)
  const backoff: Backoff = { ...DEFAULT_BACKOFF, ...opts.backoff }
  let ws: WebSocket | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let wanted = false

  function clearTimer() {
    if (timer !== null) {
      clearTimeout(timer)
      timer = null
    }
  }

  function scheduleReconnect() {
    if (!wanted) return
    clearTimer()
    status.value = 'reconnecting'
    const delay = backoffDelay(attempts.value, backoff)
    attempts.value++
    timer = setTimeout(open, delay)
  }

  function open() {
    timer = null
    if (!wanted) return
    const url = opts.url()
    if (url === null) {
      scheduleReconnect()
      return
    }
    const Impl = opts.impl ?? globalThis.WebSocket
    status.value = 'connecting'
    let sock: WebSocket
    try {
      sock = new Impl(url)
    } catch {
      scheduleReconnect()
      return
    }
    ws = sock
    sock.onopen = () => {
      if (ws !== sock) return
      attempts.value = 0
      status.value = 'open'
      opts.onOpen?.()
    }
    sock.onmessage = (ev: MessageEvent) => {
      if (ws !== sock || typeof ev.data !== 'string') return
      let raw: unknown
      try {
        raw = JSON.parse(ev.data)
      } catch {
        return
      }
      const msg = opts.parse(raw)
      if (msg !== null) opts.onMessage(msg)
    }
    sock.onclose = () => {
      if (ws !== sock) return
      ws = null
      if (wanted) scheduleReconnect()
      else status.value = 'closed'
    }
    // an error is always followed by close, which reconnects
    sock.onerror = () => {}
  }

  function connect() {
    if (wanted && ws) return
    wanted = true
    attempts.value = 0
    clearTimer()
    open()
  }

  function close() {
    wanted = false
    clearTimer()
    const sock = ws
    ws = null
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null
      sock.close(1000)
    }
    status.value = 'closed'
  }

  return { status: readonly(status), attempts: readonly(attempts), connect, close }
}

/** createSocket, closed automatically when the calling component or effect scope goes away. */
export function useWebSocket<T>(opts: SocketOptions<T>): SocketHandle {
  const handle = createSocket(opts)
  if (getCurrentScope()) onScopeDispose(handle.close)
  return handle
}

/** ws(s)://host/path?token=… for the current page, or null without a token. */
export function wsUrl(path: string): string | null {
  const token = getToken()
  if (!token) return null
  const loc = globalThis.location
  const proto = loc?.protocol === 'https:' ? 'wss:' : 'ws:'
  const host = loc?.host || '127.0.0.1:8080'
  return `${proto}//${host}${path}?token=${encodeURIComponent(token)}`
}
