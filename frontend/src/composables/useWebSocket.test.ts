import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { asImpl, FakeWebSocket, stubSession } from '@/test/helpers'
import { asBotMessage, type BotWsMessage } from '@/types/ws'
import { backoffDelay, createSocket, useWebSocket, wsUrl } from './useWebSocket'

const NO_JITTER = { initialMs: 1000, maxMs: 8000, factor: 2, jitter: false }

describe('backoffDelay', () => {
  it('doubles up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, NO_JITTER))).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
  })
  it('jitters between half and all of the delay', () => {
    const b = { ...NO_JITTER, jitter: true }
    expect(backoffDelay(1, b, () => 0)).toBe(1000)
    expect(backoffDelay(1, b, () => 1)).toBe(2000)
  })
})

describe('createSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
  })
  afterEach(() => vi.useRealTimers())

  function make(onMessage = vi.fn(), url: () => string | null = () => 'ws://h/ws/bot/1?token=t') {
    const onOpen = vi.fn()
    const sock = createSocket<BotWsMessage>({
      url,
      parse: asBotMessage,
      onMessage,
      onOpen,
      backoff: NO_JITTER,
      impl: asImpl(FakeWebSocket),
    })
    return { sock, onMessage, onOpen }
  }

  it('delivers typed messages and drops unknown or malformed frames', () => {
    const { sock, onMessage, onOpen } = make()
    sock.connect()
    const ws = FakeWebSocket.last()
    ws.open()
    expect(onOpen).toHaveBeenCalledOnce()
    expect(sock.status.value).toBe('open')
    ws.receive({ type: 'error', message: 'boom' })
    ws.receive({ type: 'mystery' })
    ws.receive('not json')
    ws.receive({ no: 'type' })
    expect(onMessage).toHaveBeenCalledTimes(1)
    expect(onMessage).toHaveBeenCalledWith({ type: 'error', message: 'boom' })
  })

  it('reconnects with growing delays, and resets them after a successful open', () => {
    const { sock } = make()
    sock.connect()
    expect(FakeWebSocket.instances).toHaveLength(1)

    FakeWebSocket.last().drop()
    expect(sock.status.value).toBe('reconnecting')
    vi.advanceTimersByTime(999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeWebSocket.instances).toHaveLength(2)

    FakeWebSocket.last().drop()
    vi.advanceTimersByTime(1999)
    expect(FakeWebSocket.instances).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(FakeWebSocket.instances).toHaveLength(3)
    expect(sock.attempts.value).toBe(2)

    FakeWebSocket.last().open()
    expect(sock.attempts.value).toBe(0)
    FakeWebSocket.last().drop()
    vi.advanceTimersByTime(1000)
    expect(FakeWebSocket.instances).toHaveLength(4)
  })

  it('stops reconnecting once closed', () => {
    const { sock } = make()
    sock.connect()
    const ws = FakeWebSocket.last()
    ws.open()
    sock.close()
    expect(ws.closedByClient).toBe(true)
    expect(sock.status.value).toBe('closed')
    vi.advanceTimersByTime(60000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('waits while there is no URL (no token)', () => {
    let url: string | null = null
    const { sock } = make(vi.fn(), () => url)
    sock.connect()
    expect(FakeWebSocket.instances).toHaveLength(0)
    url = 'ws://h/x'
    vi.advanceTimersByTime(1000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('useWebSocket closes with its scope', () => {
    const scope = effectScope()
    const sock = scope.run(() =>
      useWebSocket({ url: () => 'ws://h/x', parse: asBotMessage, onMessage: () => {}, impl: asImpl(FakeWebSocket) }),
    )!
    sock.connect()
    scope.stop()
    expect(FakeWebSocket.last().closedByClient).toBe(true)
    expect(sock.status.value).toBe('closed')
  })
})

describe('wsUrl', () => {
  it('carries the token, or is null without one', () => {
    stubSession()
    expect(wsUrl('/ws/bot/1')).toBeNull()
    stubSession('a b')
    vi.stubGlobal('location', { protocol: 'https:', host: 'grid.example' })
    expect(wsUrl('/ws/bot/1')).toBe('wss://grid.example/ws/bot/1?token=a%20b')
  })
})
