import { describe, expect, it } from 'vitest'
import { bot, botRun } from '@/test/fixtures'
import { render } from '@/test/render'
import RunsSection from './RunsSection.vue'

describe('RunsSection', () => {
  it('lists each run apart: config, start, end, fills, round trips, realized P&L and fees', async () => {
    const runs = [
      botRun(2, { current: true, orders_filled: 7, round_trips: 3, realized_pnl: '5.25', fees_paid: '1.1' }),
      botRun(1, { stop_reason: 'stop_loss', stop_price: '93100', realized_pnl: '-12.5', mode: 'live' }),
    ]
    const r = await render(RunsSection, { bot: bot({ status: 'running', generation: 2 }), runs })
    const rows = r.all('run-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toContain('data-current="true"')
    expect(r.text('run-config')).toBe('10,000.00 USDT · 95,000.00–105,000.00 · 20 levels arithmetic · SL 2%')
    expect(r.text('run-end')).toBe('running')
    expect(r.text('run-fills')).toBe('7')
    expect(r.text('run-round-trips')).toBe('3')
    expect(r.text('run-realized')).toBe('+5.25 USDT')
    expect(r.text('run-fees')).toBe('1.10 USDT')
    expect(r.text('run-started')).toContain('at 100,000.00')
    expect(rows[1]).toContain('stop loss at 93,100.00')
    expect(rows[1]).toContain('-12.50 USDT')
    expect(rows[1]).toContain('data-mode="live"')
  })

  it('before the runs load, with none, and when they cannot be read', async () => {
    expect((await render(RunsSection, { bot: bot() })).text('runs-section')).toContain('Loading')
    expect((await render(RunsSection, { bot: bot(), runs: [] })).text('runs-empty')).toBe('Not started yet.')
    expect((await render(RunsSection, { bot: bot(), runs: [], error: 'boom' })).text('runs-section')).toContain('boom')
  })
})
