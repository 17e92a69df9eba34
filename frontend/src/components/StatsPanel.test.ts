import { describe, expect, it } from 'vitest'
import { mrStats, stats } from '@/test/fixtures'
import { render } from '@/test/render'
import StatsPanel from './StatsPanel.vue'

describe('StatsPanel', () => {
  it("a mean-reversion bot's position: quantity, entry and stop", async () => {
    const r = await render(StatsPanel, { stats: mrStats(), pair: 'BTC/USDT', strategy: 'mean_reversion' })
    expect(r.attr('stat-position', 'data-open')).toBe('true')
    expect(r.text('stat-position-qty')).toBe('0.01 BTC')
    expect(r.text('stat-position-entry')).toBe('95,000.00 USDT')
    expect(r.text('stat-position-stop')).toBe('90,250.00 USDT')
    expect(r.text('stats-panel')).not.toContain('Qty per level')
    expect(r.text('stat-pnl-split')).toContain('Trading profit')
  })

  it('flat, or without a stop', async () => {
    const flat = await render(StatsPanel, { stats: mrStats({ position: null }), pair: 'BTC/USDT', strategy: 'mean_reversion' })
    expect(flat.attr('stat-position', 'data-open')).toBe('false')
    expect(flat.text('stat-position')).toContain('Flat')
    const noStop = await render(StatsPanel, {
      stats: mrStats({ position: { qty: '0.5', entry_price: '3000', stop_price: null } }),
      pair: 'ETH/USDT',
      strategy: 'mean_reversion',
    })
    expect(noStop.text('stat-position-stop')).toBe('none')
  })

  it('a grid has no position section', async () => {
    const r = await render(StatsPanel, { stats: stats(), pair: 'BTC/USDT', strategy: 'grid' })
    expect(r.all('stat-position')).toEqual([])
    expect(r.text('stats-panel')).toContain('Qty per level')
    expect(r.text('stat-pnl-split')).toContain('Grid profit')
  })

  it('the returns: total P&L with its ROI, APRs, running time and start', async () => {
    const r = await render(StatsPanel, { stats: stats(), pair: 'BTC/USDT', strategy: 'grid' })
    expect(r.text('stat-total-pnl')).toBe('+9.40 USDT')
    expect(r.text('stat-total-pnl-pct')).toBe('0.09%')
    expect(r.text('stat-apr')).toBe('2.1% / 1.6%')
    expect(r.text('stat-running')).toBe('2 d 3 h')
    expect(r.text('stat-started')).toMatch(/^started \S/)
    expect(r.text('stat-round-trips-24h')).toBe('3')
    expect(r.text('stat-pnl-split')).toContain('Floating')
  })

  it('before a run: dashes, never NaN', async () => {
    const s = stats({ started_at: null, running_secs: null, grid_apr: null, total_apr: null, total_pnl: '0', total_pnl_pct: null })
    const r = await render(StatsPanel, { stats: s, pair: 'BTC/USDT', strategy: 'grid' })
    expect(r.text('stat-apr')).toBe('— / —')
    expect(r.text('stat-running')).toBe('—')
    expect(r.text('stat-started')).toBe('started —')
    expect(r.text('stats-panel')).not.toContain('NaN')
  })
})
