import { describe, expect, it } from 'vitest'
import { bot } from '@/test/fixtures'
import { defaultForm, formFromBot, toConfig, validateForm } from './botForm'

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
    })
  })

  it('round-trips a bot', () => {
    const b = bot()
    const f = formFromBot(b)
    expect(f.take_profit_pct).toBe('')
    expect(toConfig(f)).toEqual(b.config)
  })

  it('keeps the settings it does not show when a bot is saved again', () => {
    const b = bot()
    b.config = { ...b.config, fee_asset: 'quote', fee_rate: '0.00075', out_of_range: 'trail', sell_on_stop: true }
    const f = formFromBot(b)
    f.upper_bound = '106000'
    expect(toConfig(f)).toEqual({ ...b.config, upper_bound: '106000' })
    expect(toConfig(valid())).not.toHaveProperty('fee_asset')
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
