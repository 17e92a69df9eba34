import { describe, expect, it } from 'vitest'
import { backtestChart } from '@/test/fixtures'
import { render } from '@/test/render'
import type { TestConfigResult } from '@/types/api'
import TestConfigPanel from './TestConfigPanel.vue'

const backtest = { days: 1, candles: 200, orders_filled: 12, round_trips: 6, realized_pnl: '4.5', final_equity: '1004.5', max_drawdown: '0.01', win_rate: '0.5', fees_paid: '1.2', chart: backtestChart() }
const grid: TestConfigResult = {
  valid: true, levels: ['95000', '100000', '105000'], qty_per_level: '0.00526', profit_per_grid_min: '2.51', profit_per_grid_max: '2.63',
  profit_per_grid_pct_min: '0.0034', profit_per_grid_pct_max: '0.0036', initial_buy_qty: '0.05', expected_fills_per_day: '12.4', backtest,
}
/** what the server answers for mean reversion: the grid's figures empty */
const meanReversion: TestConfigResult = {
  ...grid, levels: [], qty_per_level: '0', profit_per_grid_min: '0', profit_per_grid_max: '0', profit_per_grid_pct_min: '0',
  profit_per_grid_pct_max: '0', initial_buy_qty: '0', expected_fills_per_day: '1.7',
}

describe('TestConfigPanel', () => {
  it("a grid's preview: levels, quantity, profit per grid, and the backtest", async () => {
    const r = await render(TestConfigPanel, { result: grid, pair: 'BTC/USDT', strategy: 'grid' })
    expect(r.text('test-levels-count')).toBe('3')
    expect(r.text('test-qty-per-level')).toBe('0.00526 BTC')
    expect(r.all('test-levels')).toHaveLength(1)
    expect(r.text('test-backtest')).toContain('+4.50 USDT')
    // the span it really had, not the rounded-up day
    expect(r.text('test-backtest-span')).toBe('Backtest, last 3 h 20 min of candles')
    // its chart: the candles, the fills drawn and those left out, the equity's end
    expect(r.attr('backtest-chart', 'data-candles')).toBe('3')
    expect(r.attr('backtest-chart', 'data-fills')).toBe('2')
    expect(r.text('backtest-chart-omitted')).toBe('(2 more fills not drawn)')
    expect(r.text('backtest-chart-final')).toBe('1,004.50 USDT')
  })

  it("another strategy's: no grid figures, its expected fills and backtest", async () => {
    const r = await render(TestConfigPanel, { result: meanReversion, pair: 'BTC/USDT', strategy: 'mean_reversion' })
    for (const id of ['test-levels-count', 'test-qty-per-level', 'test-profit-per-grid', 'test-levels']) expect(r.all(id), id).toEqual([])
    expect(r.text('test-expected-fills')).toBe('1.7')
    expect(r.text('test-backtest')).toContain('Round trips 6')
    expect(r.text('backtest-chart')).toContain('1 entry')
    expect(r.text('backtest-chart')).toContain('1 exit')
  })
})
