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

  it("a grid's exits: the price each means once its bound is known", () => {
    const n = fieldNotes('grid', { lower_bound: '95000', upper_bound: '105000', stop_loss_pct: '2', take_profit_pct: '5' }, 'BTC/USDT')
    expect(n.stop_loss_pct).toBe('That is when the price falls to 93,100.00 USDT.')
    expect(n.take_profit_pct).toBe('That is when the price rises to 110,250.00 USDT.')
    const empty = fieldNotes('grid', { stop_loss_pct: '', take_profit_pct: '' }, 'BTC/USDT')
    expect([empty.stop_loss_pct, empty.take_profit_pct]).toEqual(['', ''])
    expect(fieldNotes('grid', { stop_loss_pct: '2', lower_bound: '' }, 'BTC/USDT').stop_loss_pct).toBe('Set the lower bound to see the price it means.')
  })

  it('explains the choice made: out of range, what pays the fees', () => {
    const n = fieldNotes('grid', { out_of_range: 'trail', fee_asset: 'quote' }, 'BTC/USDT')
    expect(n.out_of_range).toContain('start the same grid again centred on the new price')
    expect(n.fee_asset).toContain('valued in USDT')
    expect(fieldNotes('grid', { fee_asset: 'base' }, 'BTC/USDT').fee_asset).toContain('in the BTC it delivers')
  })

  it("mean reversion's band in words; another strategy has none", () => {
    const n = fieldNotes('mean_reversion', { window: '30', band: '2.50' }, 'BTC/USDT')
    expect(n.band).toBe('Buys when a candle closes below the average − 2.5 σ; sells when one closes at the average.')
    expect(fieldNotes('twap', { window: '3' }, 'BTC/USDT')).toEqual({})
  })
})
