import { describe, expect, it } from 'vitest'
import { dailyPnl } from '@/test/fixtures'
import { render } from '@/test/render'
import DailyPnlChart from './DailyPnlChart.vue'

describe('DailyPnlChart', () => {
  it('the days added up, and each day newest first with its realized and total P&L', async () => {
    const r = await render(DailyPnlChart, { data: dailyPnl(), title: 'Daily P&L, this run' })
    expect(r.attr('daily-pnl', 'data-days')).toBe('2')
    expect(r.text('daily-pnl-total')).toBe('+8.25 USDT')
    const rows = r.all('daily-pnl-row')
    expect(rows.map((row) => /data-day="([^"]+)"/.exec(row)?.[1])).toEqual(['2026-12-10', '2026-12-09'])
    expect(rows[0]).toContain('-4.25')
    expect(rows[0]).toContain('text-red')
    expect(rows[1]).toContain('+12.50')
    expect(r.all('daily-pnl-empty')).toEqual([])
  })
  it('before any closed candle of a run', async () => {
    const r = await render(DailyPnlChart, { data: dailyPnl({ days: [], realized: '0', total: '0' }), title: 'x' })
    expect(r.text('daily-pnl-empty')).toContain('No closed candle')
    expect(r.all('daily-pnl-row')).toEqual([])
  })
})
