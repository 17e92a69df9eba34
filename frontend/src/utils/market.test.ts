import { describe, expect, it } from 'vitest'
import { baseOf, pairToSymbol, quoteOf, toUnixSeconds } from './market'

describe('market helpers', () => {
  it('maps pairs to symbols', () => {
    expect(pairToSymbol('BTC/USDT')).toBe('BTCUSDT')
    expect(pairToSymbol('eth-usdt')).toBe('ETHUSDT')
    expect(pairToSymbol('BTCUSDT')).toBe('BTCUSDT')
  })

  it('splits pairs', () => {
    expect(baseOf('BTC/USDT')).toBe('BTC')
    expect(quoteOf('BTC/USDT')).toBe('USDT')
    expect(quoteOf('BTCUSDT')).toBe('')
  })

  it('buckets times to candle opens', () => {
    expect(toUnixSeconds('2026-11-23T10:00:59Z', 60)).toBe(Date.UTC(2026, 10, 23, 10) / 1000)
    expect(toUnixSeconds('2026-11-23T10:00:59Z')).toBe(Date.UTC(2026, 10, 23, 10, 0, 59) / 1000)
    expect(toUnixSeconds('garbage')).toBeNull()
  })
})
