import { describe, expect, it } from 'vitest'
import { render } from '@/test/render'
import ExitFields from './ExitFields.vue'

const props = (over: Record<string, unknown> = {}) => ({
  lower: '95000',
  upper: '105000',
  quote: 'USDT',
  errors: {},
  stopLoss: '2',
  takeProfit: '5',
  outOfRange: 'hold',
  sellOnStop: false,
  ...over,
})

describe('ExitFields', () => {
  it('says what stop loss and take profit mean, and the price each means', async () => {
    const r = await render(ExitFields, props())
    expect(r.text('field-stop_loss_pct')).toContain('Stop loss — % below the lower bound')
    expect(r.text('field-stop_loss_pct')).toContain('Sells everything and stops when the price falls to 93,100.00 USDT')
    expect(r.text('field-take_profit_pct')).toContain('Take profit — % above the upper bound')
    expect(r.text('field-take_profit_pct')).toContain('Sells everything and stops when the price rises to 110,250.00 USDT')
  })

  it('empty stop loss and take profit: none; a bound missing: no price yet', async () => {
    expect((await render(ExitFields, props({ stopLoss: '', takeProfit: '' }))).text('field-take_profit_pct')).toContain('Empty: no take profit')
    expect((await render(ExitFields, props({ lower: '' }))).text('field-stop_loss_pct')).toContain('Set the lower bound to see its price')
  })

  it('explains the out-of-range policy chosen, and sell on stop', async () => {
    const r = await render(ExitFields, props({ outOfRange: 'trail', sellOnStop: true }))
    expect(r.text('field-out_of_range')).toContain('start the same grid again centred on the new price')
    expect(r.html).toMatch(/<option value="trail" selected/)
    expect(r.attr('input-sell_on_stop', 'checked')).toBe('')
    expect(r.text('field-sell_on_stop')).toContain('The Stop dialog starts with this choice')
    expect((await render(ExitFields, props({ outOfRange: 'stop' }))).text('field-out_of_range')).toContain('Stop the bot')
  })

  it("shows a field's error instead of its hint", async () => {
    const r = await render(ExitFields, props({ errors: { stop_loss_pct: 'Must be below 100' } }))
    expect(r.text('field-error-stop_loss_pct')).toBe('Must be below 100')
    expect(r.text('field-stop_loss_pct')).not.toContain('Sells everything')
  })
})
