import { describe, expect, it } from 'vitest'
import { healthFixture } from '@/test/fixtures'
import type { BotHealth } from '@/types/api'
import { botLine, clockLine, formatAge, healthLines, streamLine, weightLine, worst } from './health'

function bot(over: Partial<BotHealth> = {}): BotHealth {
  return { bot_id: 3, pair: 'BTC/USDT', mode: 'live', status: 'running', reason: null, last_error: null, ...over }
}

describe('health words', () => {
  it('ages read as a trader says them', () => {
    expect([formatAge(2000), formatAge(300_000), formatAge(12_000_000), formatAge(183_600_000), formatAge(null)]).toEqual([
      '2 s',
      '5 min',
      '3 h 20 min',
      '2 d 3 h',
      '—',
    ])
  })
  it('the clock says which side is behind', () => {
    expect(clockLine(healthFixture()).text).toBe('Clock 12 ms behind Binance')
    const ahead = healthFixture({ market: 'simulator' })
    ahead.exchange = { ...ahead.exchange, clock_offset_ms: -1500, clock_warning: true }
    expect(clockLine(ahead)).toEqual({ key: 'clock', level: 'warn', text: 'Clock 1.5 s ahead of the simulator' })
  })
  it('the weight used this minute against the limit', () => {
    expect(weightLine(healthFixture().exchange)).toEqual({ key: 'weight', level: 'ok', text: 'Weight 84 / 6000 this minute' })
    expect(weightLine({ ...healthFixture().exchange, weight_used: 5000, weight_warning: true }).level).toBe('warn')
  })
  it("a stream's last trade, and a stale one flagged", () => {
    const s = healthFixture().streams[0]!
    expect(streamLine(s)).toEqual({ key: 'stream-BTCUSDT', level: 'ok', text: 'BTCUSDT stream: last trade 2 s ago (68,012.50)' })
    expect(streamLine({ ...s, last_trade_age_ms: 125_000, stale: true }).level).toBe('bad')
    expect(streamLine({ ...s, last_trade_age_ms: null, stale: true }).text).toBe('BTCUSDT stream: no trade recorded yet')
    expect(streamLine({ ...s, streamed: false, stale: false }).text).toBe('BTCUSDT: not streamed (no running bot); last trade 2 s ago')
  })
  it("a bot's last exchange error with Binance's code", () => {
    const e = { code: -2010, message: 'insufficient balance', at: '2026-12-10T11:55:00Z', age_ms: 300_000 }
    expect(botLine(bot({ last_error: e }))).toEqual({
      key: 'bot-3',
      level: 'bad',
      text: 'bot #3 BTC/USDT: -2010 insufficient balance 5 min ago',
    })
    expect(botLine(bot({ status: 'stopped', last_error: e })).level).toBe('warn')
    expect(botLine(bot({ status: 'error', reason: 'place_grid failed' })).text).toBe('bot #3 BTC/USDT: failed — place_grid failed')
    expect(botLine(bot())).toEqual({ key: 'bot-3', level: 'ok', text: 'bot #3 BTC/USDT: running, no exchange error' })
    expect(botLine(bot({ reason: 'market closed: BTC/USDT is HALT' })).level).toBe('warn')
  })
  it('every line, and the worst of them', () => {
    const h = healthFixture({ bots: [bot()] })
    expect(healthLines(h).map((l) => l.key)).toEqual(['reach', 'clock', 'weight', 'stream-BTCUSDT', 'bot-3'])
    expect(worst(healthLines(h))).toBe('ok')
    const down = healthFixture()
    down.exchange = { ...down.exchange, reachable: false, error: 'timed out' }
    expect(healthLines(down)[0]).toEqual({ key: 'reach', level: 'bad', text: 'Binance does not answer: timed out' })
    expect(worst(healthLines(down))).toBe('bad')
  })
})
