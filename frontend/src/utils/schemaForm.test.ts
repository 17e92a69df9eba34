import { describe, expect, it } from 'vitest'
import { bot } from '@/test/fixtures'
import { gridStrategy, meanReversionStrategy } from '@/test/strategies'
import type { ConfigSchema } from '@/types/strategy'
import { humanize } from './format'
import {
  carryOver,
  defaultValues,
  fieldsOf,
  splitFieldErrors,
  toConfig,
  unitLabel,
  unitNote,
  validateValues,
  valuesFromConfig,
} from './schemaForm'

const grid = () => gridStrategy().schema
const mr = () => meanReversionStrategy().schema
/** a valid grid form */
const gridValues = () => ({ ...defaultValues(grid()), capital: '1000', lower_bound: '95000', upper_bound: '105000', grid_levels: '20' })

describe('schema form: fields', () => {
  it('orders the fields by x-order, and says what kind each is', () => {
    const f = fieldsOf(grid())
    expect(f.map((x) => x.name)).toEqual(grid()['x-order'])
    const kinds = Object.fromEntries(f.map((x) => [x.name, x.kind]))
    expect(kinds).toMatchObject({
      capital: 'decimal',
      grid_levels: 'integer',
      spacing: 'enum',
      stop_loss_pct: 'decimal',
      sell_on_stop: 'boolean',
      fee_asset: 'enum',
    })
    const sl = f.find((x) => x.name === 'stop_loss_pct')!
    expect([sl.nullable, sl.required, sl.label, sl.unit]).toEqual([true, false, 'Stop loss', 'percent'])
    const capital = f.find((x) => x.name === 'capital')!
    expect([capital.nullable, capital.required, capital.description]).toEqual([false, true, 'Quote committed to the grid, spread over its levels.'])
    expect(f.find((x) => x.name === 'spacing')!.options).toEqual(['arithmetic', 'geometric'])
  })

  it("without x-order, the properties' order; names x-order lists that are not properties are skipped; labels from names", () => {
    const s: ConfigSchema = {
      type: 'object',
      'x-order': ['b', 'gone'],
      properties: { a: { type: 'string' }, b: { type: 'number' }, max_lag: { type: 'integer' } },
    }
    expect(fieldsOf(s).map((f) => [f.name, f.kind, f.label])).toEqual([
      ['b', 'number', 'B'],
      ['a', 'text', 'A'],
      ['max_lag', 'integer', 'Max lag'],
    ])
    expect(humanize('fee_asset')).toBe('Fee asset')
  })

  it('adorns each unit: the pair’s assets, %, σ, candles, rate (with its percentage)', () => {
    expect(['quote', 'price', 'base', 'percent', 'rate', 'sd', 'candles', null].map((u) => unitLabel(u, 'ETH/BTC'))).toEqual([
      'BTC', 'BTC', 'ETH', '%', 'rate', 'σ', 'candles', null,
    ])
    expect(unitLabel('quote', '')).toBe('quote')
    expect(unitNote('rate', '0.00075')).toBe('= 0.075 %')
    expect(unitNote('rate', ' 0.001 ')).toBe('= 0.1 %')
    expect([unitNote('rate', ''), unitNote('rate', 'x'), unitNote('percent', '2')]).toEqual([null, null, null])
  })
})

describe('schema form: values and the config they make', () => {
  it('a new bot starts from the defaults, empty where there is none', () => {
    expect(defaultValues(mr())).toEqual({ capital: '', window: '20', band: '2', stop_loss_pct: '', fee_rate: '0.001', fee_asset: 'base' })
    expect(defaultValues(grid())).toMatchObject({ capital: '', grid_levels: '', spacing: 'arithmetic', sell_on_stop: false, out_of_range: 'hold' })
  })

  it('sends decimals as normalised strings, never numbers; whole numbers as numbers', () => {
    const values = { ...defaultValues(mr()), capital: ' 1000.50 ', window: '30', band: '2.50', fee_rate: '0.00075', fee_asset: 'quote' }
    expect(validateValues(mr(), values)).toEqual({})
    expect(toConfig(mr(), values)).toEqual({
      capital: '1000.5',
      window: 30,
      band: '2.5',
      stop_loss_pct: null,
      fee_rate: '0.00075',
      fee_asset: 'quote',
    })
    // exact: no float on the way (0.1 + 0.2 stays 0.3 digits; 18 digits survive)
    expect(toConfig(mr(), { ...values, capital: '123456789.123456789' }).capital).toBe('123456789.123456789')
  })

  it('an optional nullable field left empty sends null; an optional one that is not, is left out (the server default)', () => {
    const config = toConfig(mr(), { ...defaultValues(mr()), capital: '10', fee_rate: ' ', band: '' })
    expect(config.stop_loss_pct).toBeNull()
    expect(config.fee_rate).toBeNull()
    expect(config).not.toHaveProperty('band')
    expect(toConfig(mr(), { ...defaultValues(mr()), capital: '10', stop_loss_pct: '5' }).stop_loss_pct).toBe('5')
  })

  it('booleans and enums', () => {
    const c = toConfig(grid(), { ...gridValues(), sell_on_stop: true, spacing: 'geometric', out_of_range: 'trail' })
    expect(c).toMatchObject({ sell_on_stop: true, spacing: 'geometric', out_of_range: 'trail', grid_levels: 20 })
    expect(toConfig(grid(), gridValues()).sell_on_stop).toBe(false)
  })

  it('round-trips a stored bot, the defaults standing in for what its config leaves out', () => {
    const b = bot()
    const { values, kept } = valuesFromConfig(grid(), b.config)
    expect(values).toMatchObject({ capital: '10000', grid_levels: '20', stop_loss_pct: '2', take_profit_pct: '', fee_rate: '', fee_asset: 'base', sell_on_stop: false })
    expect(kept).toEqual({})
    expect(toConfig(grid(), values, kept)).toEqual({
      ...b.config,
      fee_rate: null,
      fee_asset: 'base',
      out_of_range: 'hold',
      sell_on_stop: false,
    })
  })

  it('a stored fee rate is shown as it is stored (a fraction) and sent back as it was', () => {
    const { values, kept } = valuesFromConfig(grid(), { ...bot().config, fee_rate: '0.00075', fee_asset: 'quote', out_of_range: 'trail', sell_on_stop: true })
    expect([values.fee_rate, values.fee_asset, values.out_of_range, values.sell_on_stop]).toEqual(['0.00075', 'quote', 'trail', true])
    expect(toConfig(grid(), values, kept)).toMatchObject({ fee_rate: '0.00075', fee_asset: 'quote', out_of_range: 'trail', sell_on_stop: true })
  })

  it('keeps the settings it has no field for: a save never drops one', () => {
    const stored = { ...bot().config, rebalance_every: 5, nested: { a: [1, 2] } }
    const { values, kept } = valuesFromConfig(grid(), stored)
    expect(kept).toEqual({ rebalance_every: 5, nested: { a: [1, 2] } })
    const sent = toConfig(grid(), { ...values, upper_bound: '106000' }, kept)
    expect(sent).toMatchObject({ rebalance_every: 5, nested: { a: [1, 2] }, upper_bound: '106000' })
    for (const k of Object.keys(stored)) expect(sent, k).toHaveProperty(k)
  })

  it('switching a new bot’s strategy keeps what was typed in the fields both have, and takes the new defaults', () => {
    const next = carryOver({ ...gridValues(), capital: '2500', fee_asset: 'quote', stop_loss_pct: '3' }, grid(), mr())
    // the grid's fee rate was left as it started (empty): mean reversion's default fills it
    expect(next).toEqual({ capital: '2500', window: '20', band: '2', stop_loss_pct: '3', fee_rate: '0.001', fee_asset: 'quote' })
    // and back: a rate typed for mean reversion stays, its untouched default does not follow
    expect(carryOver(defaultValues(mr()), mr(), grid()).fee_rate).toBe('')
    expect(carryOver({ ...defaultValues(mr()), fee_rate: '0.00075' }, mr(), grid()).fee_rate).toBe('0.00075')
  })
})

describe('schema form: checks before sending', () => {
  it('required fields must be filled', () => {
    expect(validateValues(grid(), defaultValues(grid()))).toEqual({
      capital: 'Required',
      lower_bound: 'Required',
      upper_bound: 'Required',
      grid_levels: 'Required',
    })
    expect(validateValues(grid(), gridValues())).toEqual({})
  })

  it('numbers, whole numbers and the bounds (decimal-string bounds compared exactly)', () => {
    const e = validateValues(grid(), {
      ...gridValues(),
      capital: '0',
      lower_bound: 'abc',
      grid_levels: '201',
      stop_loss_pct: '1e3',
      fee_rate: '0.1',
    })
    expect(e).toEqual({
      capital: 'Must be above 0',
      lower_bound: 'Not a number',
      grid_levels: 'Between 2 and 200',
      stop_loss_pct: 'Not a number',
      fee_rate: 'Must be below 0.1',
    })
    expect(validateValues(grid(), { ...gridValues(), capital: '0.00000001', fee_rate: '0.0999' })).toEqual({})
    expect(validateValues(grid(), { ...gridValues(), capital: '1000000000.01' }).capital).toBe('At most 1000000000')
    expect(validateValues(grid(), { ...gridValues(), grid_levels: '2.5' }).grid_levels).toBe('A whole number')
    expect(validateValues(grid(), { ...gridValues(), fee_rate: '-0.001' }).fee_rate).toBe('At least 0')
    expect(validateValues(mr(), { ...defaultValues(mr()), capital: '1', band: '10.5' }).band).toBe('At most 10')
    // the band has no lower bound in its schema: 0 is the server's to refuse (a 422 naming it)
    expect(validateValues(mr(), { ...defaultValues(mr()), capital: '1', band: '0' })).toEqual({})
    expect(validateValues(mr(), { ...defaultValues(mr()), capital: '1', window: '1' }).window).toBe('Between 2 and 500')
  })

  it('an enum takes one of its values (empty only when optional)', () => {
    expect(validateValues(grid(), { ...gridValues(), spacing: 'spiral' }).spacing).toBe('One of arithmetic, geometric')
    expect(validateValues(grid(), { ...gridValues(), spacing: '' })).toEqual({})
    const required: ConfigSchema = { type: 'object', required: ['side'], properties: { side: { type: 'string', enum: ['buy', 'sell'] } } }
    expect(validateValues(required, { side: '' }).side).toBe('Required')
  })
})

describe('schema form: the server’s 422', () => {
  it('names a field of the form: beside it; any other name: in the general message', () => {
    const known = new Set(fieldsOf(mr()).map((f) => f.name).concat('pair'))
    const { byField, other } = splitFieldErrors({ band: 'must be above 0', pair: 'not listed', tick_size: 'too fine' }, known)
    expect(byField).toEqual({ band: 'must be above 0', pair: 'not listed' })
    expect(other).toEqual(['tick_size: too fine'])
  })
})
