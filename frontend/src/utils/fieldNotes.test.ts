import { describe, expect, it } from 'vitest'
import { fieldNotes, stopLossPrice, takeProfitPrice } from './fieldNotes'

describe('field notes', () => {
  it('says the price a stop loss and a take profit mean, exactly', () => {
    expect(stopLossPrice('95000', '2')).toBe('93100')
    expect(stopLossPrice('0.3', '3.5')).toBe('0.2895')
    expect(takeProfitPrice('105000', '5')).toBe('110250')
    expect(takeProfitPrice('105000', '0')).toBe('105000')
    expect(stopLossPrice('', '2')).toBeNull()
    expect(takeProfitPrice('105000', 'x')).toBeNull()
  })

  it("a grid's exits: none when empty, the price once the bound is known", () => {
    const empty = fieldNotes('grid', { stop_loss_pct: '', take_profit_pct: '' }, 'BTC/USDT')
    expect([empty.stop_loss_pct, empty.take_profit_pct]).toEqual(['Empty: no stop loss.', 'Empty: no take profit.'])
    const noBound = fieldNotes('grid', { stop_loss_pct: '2', lower_bound: '' }, 'BTC/USDT')
    expect(noBound.stop_loss_pct).toBe('% below the lower bound: set the lower bound to see its price.')
  })

  it('explains the choice made: out of range, spacing, what pays the fees', () => {
    const n = fieldNotes('grid', { out_of_range: 'trail', spacing: 'geometric', fee_asset: 'quote', fee_rate: '' }, 'BTC/USDT')
    expect(n.out_of_range).toContain('start the same grid again centred on the new price')
    expect(n.spacing).toBe('Same percentage between levels.')
    expect(n.fee_asset).toContain('valued in USDT')
    expect(n.fee_rate).toContain("Empty: the server's paper rate")
    expect(fieldNotes('grid', { fee_asset: 'base' }, 'BTC/USDT').fee_asset).toContain('in the BTC it delivers')
  })

  it("mean reversion's window and band in words; another strategy has none", () => {
    const n = fieldNotes('mean_reversion', { window: '30', band: '2.50', stop_loss_pct: '' }, 'BTC/USDT')
    expect(n.window).toBe('The average of the last 30 one-minute closes.')
    expect(n.band).toBe('Buys when a candle closes below the average − 2.5 σ; sells when it closes at the average.')
    expect(n.stop_loss_pct).toContain('no stop loss')
    expect(fieldNotes('twap', { window: '3' }, 'BTC/USDT')).toEqual({})
  })
})
