import { describe, expect, it } from 'vitest'
import { bot, botRun as run, fill } from '@/test/fixtures'
import { configSummary, currentRun, fillsOfRun, generationPrefix, runEnd } from './runs'


describe('runs', () => {
  it('names a run by its client order id prefix, in base 36 (core/src/ids.rs)', () => {
    expect(generationPrefix(1, 0)).toBe('gb1-0-')
    expect(generationPrefix(36, 1)).toBe('gb10-1-')
    expect(generationPrefix(71, 37)).toBe('gb1z-11-')
  })

  it("takes a running bot's generation as its current run, a stopped bot's from the runs' current flag", () => {
    const runs = [run(3, { current: true }), run(2)]
    expect(currentRun(bot({ status: 'running', generation: 3 }), runs)).toEqual({ generation: 3, startedAt: runs[0]!.started_at })
    // started again: the runs list does not show the new run yet
    expect(currentRun(bot({ status: 'starting', generation: 4 }), runs)).toEqual({ generation: 4, startedAt: null })
    expect(currentRun(bot({ status: 'stopped', generation: 3 }), runs)).toEqual({ generation: 3, startedAt: runs[0]!.started_at })
    // settings changed after the last run: no current run
    expect(currentRun(bot({ status: 'stopped', generation: 3 }), [run(3), run(2)])).toBeNull()
    expect(currentRun(bot({ status: 'stopped', generation: 2 }), undefined)).toEqual({ generation: 2, startedAt: null })
  })

  it("keeps the current run's fills: by their order's client id, else by time", () => {
    const ids = { 10: 'gb1-1-0b0', 20: 'gb1-2-init', 30: 'gb1-2-3s0' }
    const fills = [
      fill(1, { order_id: 10, time: '2026-11-23T11:30:00Z' }),
      fill(2, { order_id: 20, time: '2026-11-23T12:00:01Z' }),
      fill(3, { order_id: 30, time: '2026-11-23T12:05:00Z' }),
      fill(4, { order_id: 40, time: '2026-11-23T12:06:00Z' }), // its order not seen yet
      fill(5, { order_id: 50, time: '2026-11-23T11:59:00Z' }),
      fill(6, { order_id: 30, bot_id: 2 }),
    ]
    const current = { generation: 2, startedAt: '2026-11-23T12:00:00Z' }
    expect(fillsOfRun(fills, 1, current, ids).map((f) => f.id)).toEqual([2, 3, 4])
    expect(fillsOfRun(fills, 1, { generation: 2, startedAt: null }, ids).map((f) => f.id)).toEqual([2, 3])
    expect(fillsOfRun(fills, 1, null, ids)).toEqual([])
  })

  it("sums a run's config up in one line", () => {
    expect(configSummary('grid', bot().config, 'BTC/USDT')).toBe('10,000.00 USDT · 95,000.00–105,000.00 · 20 levels arithmetic · SL 2%')
    const c = { ...bot().config, take_profit_pct: '5', out_of_range: 'trail' as const, sell_on_stop: true }
    expect(configSummary('grid', c, 'BTC/USDT')).toContain('TP 5% · trails · sells on stop')
    expect(configSummary('mean_reversion', { capital: '1000', window: 30, band: '2.50', stop_loss_pct: '5' }, 'BTC/USDT')).toBe(
      '1,000.00 USDT · 30-candle average − 2.5σ · SL 5%',
    )
    // the server's defaults for what a config leaves out
    expect(configSummary('mean_reversion', { capital: '1000' }, 'BTC/USDT')).toBe('1,000.00 USDT · 20-candle average − 2σ')
    expect(configSummary('twap', { capital: '5' }, 'ETH/BTC')).toBe('5.00 BTC · twap')
  })

  it('says why a run ended', () => {
    const b = bot({ status: 'stopped', stop_reason: 'stopped by the user' })
    expect(runEnd(run(1, { stop_reason: 'stop_loss', stop_price: '93100' }), b)).toBe('stop loss at 93,100.00')
    expect(runEnd(run(1, { current: true }), b)).toBe('stopped by the user')
    expect(runEnd(run(1, { current: true }), bot({ status: 'running' }))).toBe('running')
    expect(runEnd(run(1), b)).toBe('ended')
  })
})
