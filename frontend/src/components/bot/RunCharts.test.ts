import { describe, expect, it } from 'vitest'
import { bot, botRun } from '@/test/fixtures'
import { render } from '@/test/render'
import RunCharts from './RunCharts.vue'

describe('RunCharts', () => {
  it("the current run's equity and daily P&L; earlier runs can be picked, each apart", async () => {
    const runs = [botRun(2, { current: true }), botRun(1), botRun(0, { pair: 'ETH/USDT' })]
    const r = await render(RunCharts, { bot: bot({ generation: 2 }), runs })
    expect(r.attr('run-charts', 'data-run')).toBe('2')
    const select = r.all('run-select')[0] ?? ''
    expect(select).toContain('current (run 2)')
    expect(select).toContain('run 1 · BTC/USDT')
    expect(select).toContain('run 0 · ETH/USDT')
    expect(r.html).toContain('Equity, this run')
    expect(r.html).toContain('Daily P&amp;L, this run')
  })
  it('one run: no choice to make', async () => {
    const r = await render(RunCharts, { bot: bot(), runs: [botRun(0, { current: true })] })
    expect(r.all('run-select')).toEqual([])
  })
})
