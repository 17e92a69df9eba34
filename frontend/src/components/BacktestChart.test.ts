import { describe, expect, it } from 'vitest'
import { backtestChart } from '@/test/fixtures'
import { render } from '@/test/render'
import BacktestChart from './BacktestChart.vue'

describe('BacktestChart', () => {
  it('counts the buys and sells drawn, says how many fills are left out, and where the equity ends', async () => {
    const r = await render(BacktestChart, { chart: backtestChart(), quote: 'USDT' })
    expect(r.attr('backtest-chart', 'data-candles')).toBe('3')
    expect(r.attr('backtest-chart', 'data-fills-total')).toBe('4')
    const caption = r.text('backtest-chart') ?? ''
    expect(caption).toContain('1 buys')
    expect(caption).toContain('1 sells')
    expect(r.text('backtest-chart-omitted')).toBe('(2 more fills not drawn)')
    expect(r.text('backtest-chart-final')).toBe('1,004.50 USDT')
  })
  it('merged candles say their span; every fill drawn: nothing said about left-out ones', async () => {
    const r = await render(BacktestChart, { chart: backtestChart({ candle_secs: 360, fills_total: 2, fills_omitted: 0 }), quote: 'USDT' })
    expect(r.text('backtest-chart')).toContain('6-minute candles')
    expect(r.all('backtest-chart-omitted')).toEqual([])
  })
})
