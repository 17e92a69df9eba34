import { describe, expect, it } from 'vitest'
import { bot, stats } from '@/test/fixtures'
import { cloneLocation, formatApr, formatCandleSpan, liveRunningSecs, formatAprPair, formatRunning, formatStarted, nextSort, sortRows, type OverviewRow } from './performance'

describe('formatRunning', () => {
  it.each([
    [null, '—'],
    [undefined, '—'],
    [-1, '—'],
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [3599, '59 min'],
    [3600, '1 h'],
    [3600 + 12 * 60 + 5, '1 h 12 min'],
    [86400, '1 d'],
    [2 * 86400 + 3 * 3600 + 59, '2 d 3 h'],
    [400 * 86400, '400 d'],
  ])('%s s → %s', (secs, want) => {
    expect(formatRunning(secs)).toBe(want)
  })
})

describe('APR', () => {
  it('a fraction a year as a percentage, null as —', () => {
    expect(formatApr('0.02146568')).toBe('2.1%')
    expect(formatApr('3.65')).toBe('365.0%')
    expect(formatApr('-0.5')).toBe('-50.0%')
    expect(formatApr(null)).toBe('—')
    expect(formatAprPair({ grid_apr: '0.5', total_apr: null })).toBe('50.0% / —')
    expect(formatAprPair(null)).toBe('— / —')
  })
  it('no start shows —', () => {
    expect(formatStarted(null)).toBe('—')
    expect(formatStarted('not a time')).toBe('—')
    expect(formatStarted('2026-12-05T08:00:00Z')).not.toBe('—')
  })
})

describe('overview order', () => {
  const rows: OverviewRow[] = [
    { bot: bot({ id: 1, pair: 'ETH/USDT', status: 'running' }), stats: stats({ total_pnl: '5', total_pnl_pct: '0.0005', running_secs: 100 }) },
    { bot: bot({ id: 2, pair: 'BTC/USDT', strategy: 'mean_reversion' }), stats: stats({ total_pnl: '-12.5', total_pnl_pct: '-0.0125', running_secs: null, total_apr: null }) },
    { bot: bot({ id: 3, pair: 'BNB/USDT' }), stats: null },
    { bot: bot({ id: 4, pair: 'BTC/USDT', status: 'error' }), stats: stats({ total_pnl: '100.25', total_pnl_pct: '0.01', running_secs: 5000 }) },
  ]
  const ids = (r: OverviewRow[]) => r.map((x) => x.bot.id)

  it('by total P&L compares decimals exactly, missing last both ways', () => {
    expect(ids(sortRows(rows, 'total_pnl', 'desc'))).toEqual([4, 1, 2, 3])
    expect(ids(sortRows(rows, 'total_pnl', 'asc'))).toEqual([2, 1, 4, 3])
    expect(ids(sortRows(rows, 'roi', 'desc'))).toEqual([4, 1, 2, 3])
  })
  it('by running time, by name, by status', () => {
    expect(ids(sortRows(rows, 'running', 'desc'))).toEqual([4, 1, 2, 3])
    expect(ids(sortRows(rows, 'name', 'asc'))).toEqual([3, 2, 4, 1])
    expect(ids(sortRows(rows, 'name', 'desc'))).toEqual([1, 4, 2, 3])
    expect(ids(sortRows(rows, 'strategy', 'asc'))).toEqual([1, 3, 4, 2])
  })
  it('a header click: figures descending first, text ascending, again the other way', () => {
    expect(nextSort({ key: 'name', dir: 'asc' }, 'total_pnl')).toEqual({ key: 'total_pnl', dir: 'desc' })
    expect(nextSort({ key: 'total_pnl', dir: 'desc' }, 'total_pnl')).toEqual({ key: 'total_pnl', dir: 'asc' })
    expect(nextSort({ key: 'total_pnl', dir: 'desc' }, 'status')).toEqual({ key: 'status', dir: 'asc' })
  })
  it('clone opens the new-bot form from the bot', () => {
    expect(cloneLocation({ id: 7 })).toEqual({ name: 'bot-new', query: { from: '7' } })
  })
})

describe('candle span', () => {
  it('a backtest says the span of candles it really had', () => {
    expect(formatCandleSpan(200)).toBe('3 h 20 min of candles')
    expect(formatCandleSpan(10080)).toBe('7 d of candles')
    expect(formatCandleSpan(undefined)).toBeNull()
  })
})

describe('live running time', () => {
  const s = { started_at: '2026-12-05T08:00:00Z', running_secs: 100 }
  const now = Date.parse('2026-12-05T09:00:00Z')
  it('a running bot counts on from its start; a stopped one keeps the figure; none before a run', () => {
    expect(liveRunningSecs(s, 'running', now)).toBe(3600)
    expect(liveRunningSecs(s, 'stopped', now)).toBe(100)
    expect(liveRunningSecs({ started_at: null, running_secs: null }, 'running', now)).toBeNull()
    // a client clock behind the server's never shows less than the server said
    expect(liveRunningSecs(s, 'running', Date.parse('2026-12-05T08:00:30Z'))).toBe(100)
  })
})
