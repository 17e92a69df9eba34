import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { asImpl, FakeWebSocket, mockFetch, stubSession } from '@/test/helpers'
import { useMarketStore } from './market'

const SYMBOLS = [
  { symbol: 'BTCUSDT', pair: 'BTC/USDT', base: 'BTC', quote: 'USDT', tick_size: '0.01', step_size: '0.00001', min_notional: '5' },
]
const candle = (time: number, close: string) => ({ time, open: '1', high: '2', low: '0.5', close, volume: '3' })

describe('market store', () => {
  beforeEach(() => {
    stubSession('jwt')
    vi.stubGlobal('location', { protocol: 'http:', host: 'localhost:5173' })
    setActivePinia(createPinia())
    FakeWebSocket.reset()
  })
  afterEach(() => useMarketStore().reset())

  it('loads symbols once, sharing a request in flight', async () => {
    const { calls } = mockFetch({ 'GET /api/market/symbols': { body: SYMBOLS } })
    const m = useMarketStore()
    await Promise.all([m.fetchSymbols(), m.fetchSymbols()])
    await m.fetchSymbols()
    expect(calls).toHaveLength(1)
    expect(m.symbolForPair('BTC/USDT')?.tick_size).toBe('0.01')
    expect(m.symbolForPair('ETH/USDT')).toBeNull()
  })

  it('loads candles and takes the last close as price', async () => {
    const { calls } = mockFetch({ 'GET /api/market/candles/BTCUSDT': { body: [candle(60, '100'), candle(120, '101.5')] } })
    const m = useMarketStore()
    await m.fetchCandles('BTCUSDT')
    expect(calls[0]?.url).toBe('/api/market/candles/BTCUSDT?interval=1m&limit=500')
    expect(m.candles).toHaveLength(2)
    expect(m.lastPrice).toBe('101.5')
  })

  it('fetches a price by pair', async () => {
    mockFetch({ 'GET /api/market/price/BTCUSDT': { body: { symbol: 'BTCUSDT', price: '100123.45' } } })
    expect(await useMarketStore().fetchPrice('BTC/USDT')).toBe('100123.45')
  })

  it('follows one symbol stream and applies klines and trades', () => {
    const m = useMarketStore()
    m.useSocketImpl(asImpl(FakeWebSocket))
    m.subscribe('BTC/USDT')
    const ws = FakeWebSocket.last()
    expect(ws.url).toBe('ws://localhost:5173/ws/market/BTCUSDT?token=jwt')
    ws.open()
    ws.receive({ type: 'kline', symbol: 'BTCUSDT', candle: { ...candle(180, '102'), closed: false } })
    expect(m.liveCandle?.close).toBe('102')
    expect(m.lastPrice).toBe('102')
    ws.receive({ type: 'trade', symbol: 'BTCUSDT', price: '102.5', qty: '0.1', time: 1 })
    expect(m.lastPrice).toBe('102.5')
    ws.receive({ type: 'trade', symbol: 'ETHUSDT', price: '3000', qty: '1', time: 1 })
    expect(m.lastPrice).toBe('102.5')

    m.subscribe('BTCUSDT')
    expect(FakeWebSocket.instances).toHaveLength(1)
    m.subscribe('ETH/USDT')
    expect(ws.closedByClient).toBe(true)
    expect(FakeWebSocket.last().url).toContain('/ws/market/ETHUSDT')
  })

  it('keeps the candles that close on the stream after the loaded ones (what the bands are computed over)', async () => {
    mockFetch({ 'GET /api/market/candles/BTCUSDT': { body: [candle(60, '100'), candle(120, '101')] } })
    const m = useMarketStore()
    m.useSocketImpl(asImpl(FakeWebSocket))
    await m.fetchCandles('BTCUSDT')
    m.subscribe('BTC/USDT')
    const ws = FakeWebSocket.last()
    ws.open()
    const kline = (time: number, close: string, closed: boolean) =>
      ws.receive({ type: 'kline', symbol: 'BTCUSDT', candle: { ...candle(time, close), closed } })
    kline(120, '101.2', true) // the loaded last candle, closed
    kline(180, '102', false)
    kline(180, '102.5', true)
    kline(240, '103', false)
    expect(m.candles.map((c) => [c.time, c.close])).toEqual([[60, '100'], [120, '101.2'], [180, '102.5']])
    expect(m.candles[2]).not.toHaveProperty('closed')
    kline(60, '99', true) // an old one changes nothing
    expect(m.candles).toHaveLength(3)
  })

  it("reads the exchange's clock from trades: one sample a second of the page's clock", () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] })
    try {
      const m = useMarketStore()
      m.useSocketImpl(asImpl(FakeWebSocket))
      m.subscribe('BTC/USDT')
      const ws = FakeWebSocket.last()
      ws.open()
      const trade = (time: number) => ws.receive({ type: 'trade', symbol: 'BTCUSDT', price: '1', qty: '1', time })
      trade(50_000_000)
      vi.setSystemTime(1_000_500)
      trade(50_030_000)
      vi.setSystemTime(1_001_000)
      trade(50_060_000)
      expect(m.clock).toEqual([
        { wall: 1_000_000, market: 50_000_000 },
        { wall: 1_001_000, market: 50_060_000 },
      ])
      m.reset()
      expect(m.clock).toEqual([])
    } finally {
      vi.useRealTimers()
    }
  })
})

