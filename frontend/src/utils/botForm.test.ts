import { describe, expect, it } from 'vitest'
import { bot } from '@/test/fixtures'
import { defaultForm, formFromBot, stopLossPrice, takeProfitPrice, toConfig, validateForm } from './botForm'

const valid = () => ({ ...defaultForm('BTC/USDT'), lower_bound: '95000', upper_bound: '105000' })

describe('bot form', () => {
  it('accepts a valid form and builds the config', () => {
    const f = { ...valid(), capital: ' 1000.50 ', stop_loss_pct: '2.0', take_profit_pct: '' }
    expect(validateForm(f)).toEqual({})
    expect(toConfig(f)).toEqual({
      capital: '1000.5',
      lower_bound: '95000',
      upper_bound: '105000',
      grid_levels: 20,
      spacing: 'arithmetic',
      stop_loss_pct: '2',
      take_profit_pct: null,
      max_daily_loss: null,
      fee_asset: 'base',
      out_of_range: 'hold',
      sell_on_stop: false,
    })
  })

  it('round-trips a bot, with the API defaults for what its config leaves out', () => {
    const b = bot()
    const f = formFromBot(b)
    expect(f.take_profit_pct).toBe('')
    expect([f.fee_pct, f.fee_asset, f.out_of_range, f.sell_on_stop]).toEqual(['', 'base', 'hold', false])
    expect(toConfig(f)).toEqual({ ...b.config, fee_asset: 'base', out_of_range: 'hold', sell_on_stop: false })
  })

  it('edits fee rate (in percent), fee asset, out-of-range policy and sell on stop, and sends them back', () => {
    const b = bot()
    b.config = { ...b.config, fee_asset: 'quote', fee_rate: '0.00075', out_of_range: 'trail', sell_on_stop: true }
    const f = formFromBot(b)
    expect([f.fee_pct, f.fee_asset, f.out_of_range, f.sell_on_stop]).toEqual(['0.075', 'quote', 'trail', true])
    f.upper_bound = '106000'
    expect(toConfig(f)).toEqual({ ...b.config, upper_bound: '106000' })
    f.fee_pct = '0.1'
    f.out_of_range = 'stop'
    f.sell_on_stop = false
    f.fee_asset = 'base'
    expect(toConfig(f)).toMatchObject({ fee_rate: '0.001', out_of_range: 'stop', sell_on_stop: false, fee_asset: 'base' })
    f.fee_pct = ' '
    expect(toConfig(f)).not.toHaveProperty('fee_rate')
  })

  it('keeps config settings it has no control for', () => {
    const b = bot()
    b.config = { ...b.config, fee_asset: 'quote', ...{ rebalance_every: 5 } }
    const f = formFromBot(b)
    expect(f.kept).toEqual({ rebalance_every: 5 })
    expect(toConfig(f)).toMatchObject({ rebalance_every: 5, fee_asset: 'quote' })
  })

  it('says the price a stop loss and a take profit mean, exactly', () => {
    expect(stopLossPrice('95000', '2')).toBe('93100')
    expect(stopLossPrice('0.3', '3.5')).toBe('0.2895')
    expect(takeProfitPrice('105000', '5')).toBe('110250')
    expect(takeProfitPrice('105000', '0')).toBe('105000')
    expect(stopLossPrice('', '2')).toBeNull()
    expect(takeProfitPrice('105000', 'x')).toBeNull()
  })

  it('checks the fee rate: empty, 0 up to below 10 %', () => {
    expect(validateForm({ ...valid(), fee_pct: '' })).toEqual({})
    expect(validateForm({ ...valid(), fee_pct: '0' })).toEqual({})
    expect(validateForm({ ...valid(), fee_pct: '9.99' })).toEqual({})
    expect(validateForm({ ...valid(), fee_pct: '10' }).fee_rate).toBe('Must be below 10 %')
    expect(validateForm({ ...valid(), fee_pct: '-0.1' }).fee_rate).toBe('Must be 0 or more')
    expect(validateForm({ ...valid(), fee_pct: 'a' }).fee_rate).toBe('Not a number')
  })

  it('reports each invalid field', () => {
    const f = {
      ...valid(),
      pair: '',
      capital: '0',
      lower_bound: 'abc',
      upper_bound: '',
      grid_levels: 201,
      stop_loss_pct: '100',
      take_profit_pct: '-1',
      max_daily_loss: 'x',
    }
    expect(validateForm(f)).toEqual({
      pair: 'Choose a pair',
      capital: 'Must be above 0',
      lower_bound: 'Not a number',
      upper_bound: 'Required',
      grid_levels: 'Between 2 and 200',
      stop_loss_pct: 'Must be below 100',
      take_profit_pct: 'Must be above 0',
      max_daily_loss: 'Not a number',
    })
  })

  it('needs lower below upper, compared as decimals', () => {
    expect(validateForm({ ...valid(), lower_bound: '105000', upper_bound: '95000' }).lower_bound).toBe(
      'Must be below the upper bound',
    )
    expect(validateForm({ ...valid(), lower_bound: '9.5', upper_bound: '10' })).toEqual({})
    expect(validateForm({ ...valid(), lower_bound: '10.0', upper_bound: '10' }).lower_bound).toBeDefined()
  })
})
