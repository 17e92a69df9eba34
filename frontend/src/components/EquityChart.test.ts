import { describe, expect, it } from 'vitest'
import { render } from '@/test/render'
import EquityChart from './EquityChart.vue'

describe('EquityChart', () => {
  it("the run's last equity, and how many points the line has", async () => {
    const points = [
      { time: 1_765_000_000_000, equity: '1000' },
      { time: 1_765_000_060_000, equity: '1003.896' },
    ]
    const r = await render(EquityChart, { points, quote: 'USDT' })
    expect(r.attr('equity-chart', 'data-points')).toBe('2')
    expect(r.text('equity-last')).toBe('1,003.90 USDT')
    expect(r.all('equity-empty')).toEqual([])
  })
  it('before any closed candle', async () => {
    const r = await render(EquityChart, { points: [], quote: 'USDT' })
    expect(r.text('equity-empty')).toContain('No closed candle')
    expect(r.text('equity-last')).toBe('—')
  })
})
