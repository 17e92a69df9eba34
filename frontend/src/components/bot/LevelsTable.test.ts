import { describe, expect, it } from 'vitest'
import type { GridLevel } from '@/types/api'
import { render } from '@/test/render'
import LevelsTable from './LevelsTable.vue'

const levels: GridLevel[] = Array.from({ length: 20 }, (_, i) => ({
  index: i,
  price: String(95000 + i * 500),
  state: i < 10 ? 'buy' : i === 10 ? 'empty' : 'sell',
}))

describe('LevelsTable', () => {
  it('lists every level, highest first, with its state, and marks the one nearest the price', async () => {
    const r = await render(LevelsTable, { levels, lastPrice: '100123.45', pair: 'BTC/USDT' })
    const rows = r.all('level-row')
    expect(rows).toHaveLength(20)
    expect(rows[0]).toContain('data-index="19"')
    expect(rows[19]).toContain('data-index="0"')
    const nearest = rows.filter((row) => row.includes('data-nearest="true"'))
    expect(nearest).toHaveLength(1)
    expect(nearest[0]).toContain('data-index="10"')
    expect(nearest[0]).toContain('100,000.00')
    expect(r.text('level-nearest')).toBe('◀ nearest the price 100,123.45')
    expect(r.text('levels-table')).toContain('20 levels · 10 buy · 9 sell')
    expect(rows[0]).toContain('Sell order')
    expect(rows[19]).toContain('Buy order')
  })

  it('says so when there are no levels, and marks none without a price', async () => {
    expect((await render(LevelsTable, { levels: [], pair: 'BTC/USDT' })).text('levels-table')).toContain('could not be reached')
    const r = await render(LevelsTable, { levels, lastPrice: null, pair: 'BTC/USDT' })
    expect(r.all('level-row').filter((row) => row.includes('data-nearest="true"'))).toEqual([])
  })

  it('mean reversion has no grid levels, and says so', async () => {
    const r = await render(LevelsTable, { levels: [], lastPrice: '100123.45', pair: 'BTC/USDT', strategy: 'mean_reversion' })
    expect(r.text('levels-none')).toBe('No grid levels: mean reversion holds one position at a time.')
    expect(r.all('level-row')).toEqual([])
    expect(r.text('levels-table')).not.toContain('0 buy')
  })
})
