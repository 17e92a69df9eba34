import { describe, expect, it } from 'vitest'
import { bot } from '@/test/fixtures'
import { render } from '@/test/render'
import { gridStrategy, meanReversionStrategy } from '@/test/strategies'
import type { ConfigSchema } from '@/types/strategy'
import { fieldNotes } from '@/utils/fieldNotes'
import { defaultValues, valuesFromConfig, type FormValues } from '@/utils/schemaForm'
import SchemaForm from './SchemaForm.vue'

const mr = () => meanReversionStrategy().schema
const grid = () => gridStrategy().schema
const form = (schema: ConfigSchema, modelValue: FormValues, over: Record<string, unknown> = {}) =>
  render(SchemaForm, { schema, modelValue, pair: 'BTC/USDT', ...over })

/** the opening tag of the first element with this test id */
const tag = (r: Awaited<ReturnType<typeof render>>, id: string) => {
  const e = r.all(id)[0] ?? ''
  return e.slice(0, e.indexOf('>') + 1)
}

describe('SchemaForm', () => {
  it("renders a mean-reversion bot's settings from its schema, in x-order", async () => {
    const r = await form(mr(), defaultValues(mr()))
    expect(r.attr('schema-form', 'data-fields')).toBe('6')
    const order = [...r.html.matchAll(/data-testid="field-([a-z_]+)"/g)].map((m) => m[1])
    expect(order).toEqual(['capital', 'window', 'band', 'stop_loss_pct', 'fee_rate', 'fee_asset'])
    expect(r.text('field-window')).toContain('Window')
    expect(r.text('field-help-window')).toBe('1-minute candles in the moving average and its standard deviation.')
  })

  it('a decimal is a text input with a decimal keyboard and its unit; an integer a number input stepping by 1', async () => {
    const r = await form(mr(), { ...defaultValues(mr()), capital: '1000.50' })
    const capital = tag(r, 'input-capital')
    expect(capital).toContain('type="text"')
    expect(capital).toContain('inputmode="decimal"')
    expect(r.attr('input-capital', 'value')).toBe('1000.50')
    expect(r.text('unit-capital')).toBe('USDT')
    expect(r.text('unit-band')).toBe('σ')
    expect(r.text('unit-stop_loss_pct')).toBe('%')
    expect(r.text('unit-fee_rate')).toBe('rate = 0.1 %')
    expect(r.attr('input-fee_rate', 'value')).toBe('0.001')
    const window = tag(r, 'input-window')
    expect(window).toContain('type="number"')
    expect(window).toContain('step="1"')
    expect(window).toContain('min="2"')
    expect(window).toContain('max="500"')
    expect(r.attr('input-window', 'value')).toBe('20')
    expect(r.text('unit-window')).toBe('candles')
  })

  it('required fields are marked; an optional one says what empty means', async () => {
    const r = await form(mr(), defaultValues(mr()))
    expect(r.attr('input-capital', 'aria-required')).toBe('true')
    expect(r.text('field-capital')).toMatch(/^Capital \*/)
    expect(r.attr('input-stop_loss_pct', 'aria-required')).toBe('false')
    expect(r.attr('input-stop_loss_pct', 'placeholder')).toBe('none')
    expect(r.attr('input-fee_rate', 'placeholder')).toBe('none')
    expect(r.attr('input-window', 'placeholder')).toBe('server default')
    expect(r.text('field-stop_loss_pct')).not.toContain('*')
  })

  it('an enum is a select with its values, the current one selected; a boolean a checkbox', async () => {
    const values = { ...valuesFromConfig(grid(), { ...bot().config, out_of_range: 'trail', sell_on_stop: true }).values }
    const r = await form(grid(), values)
    expect(r.all('input-out_of_range')[0]).toMatch(/^<select/)
    expect(r.html).toMatch(/<option value="trail" selected/)
    expect(r.html).toMatch(/<option value="hold"(?! selected)/)
    expect(r.html).toMatch(/<option value="base" selected/)
    expect(tag(r, 'input-sell_on_stop')).toContain('type="checkbox"')
    expect(r.attr('input-sell_on_stop', 'checked')).toBe('')
    const unchecked = await form(grid(), { ...values, sell_on_stop: false })
    expect(unchecked.attr('input-sell_on_stop', 'checked')).toBeNull()
  })

  it("a stored fee rate shows as stored, its percentage beside it; an empty nullable field, empty", async () => {
    const { values } = valuesFromConfig(grid(), { ...bot().config, fee_rate: '0.00075' })
    const r = await form(grid(), values)
    expect(r.attr('input-fee_rate', 'value')).toBe('0.00075')
    expect(r.text('unit-note-fee_rate')).toBe('= 0.075 %')
    expect(r.attr('input-take_profit_pct', 'value')).toBe('')
  })

  it("shows each field's error in place of its help (the server's 422 or the form's own checks)", async () => {
    const r = await form(mr(), defaultValues(mr()), { errors: { band: 'must be above 0', capital: 'Required' } })
    expect(r.text('field-error-band')).toBe('must be above 0')
    expect(r.text('field-error-capital')).toBe('Required')
    expect(r.attr('input-band', 'aria-invalid')).toBe('true')
    expect(r.all('field-help-band')).toEqual([])
    expect(r.attr('input-window', 'aria-invalid')).toBe('false')
    expect(r.all('field-error-window')).toEqual([])
  })

  it("shows the page's notes: what a grid's stop loss and take profit mean in price", async () => {
    const values = { ...defaultValues(grid()), lower_bound: '95000', upper_bound: '105000', stop_loss_pct: '2', take_profit_pct: '5' }
    const r = await form(grid(), values, { notes: fieldNotes('grid', values, 'BTC/USDT') })
    expect(r.text('field-stop_loss_pct')).toContain('falls this percent below the lower bound')
    expect(r.text('field-note-stop_loss_pct')).toBe('That is when the price falls to 93,100.00 USDT.')
    expect(r.text('field-note-take_profit_pct')).toBe('That is when the price rises to 110,250.00 USDT.')
    expect(r.text('field-note-out_of_range')).toContain('Hold: keep the orders')
    expect(r.all('field-note-capital')).toEqual([])
  })
})
