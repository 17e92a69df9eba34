import { describe, expect, it } from 'vitest'
import { render } from '@/test/render'
import { strategies } from '@/test/strategies'
import StrategySelect from './StrategySelect.vue'

const options = (html: string) => [...html.matchAll(/<option value="([^"]*)"( selected)?/g)].map((m) => `${m[1]}${m[2] ? '*' : ''}`)

describe('StrategySelect', () => {
  it('a new bot chooses among the strategies bots run (bots: true), the chosen one described', async () => {
    const r = await render(StrategySelect, { strategies: strategies(), modelValue: 'mean_reversion' })
    expect(options(r.html)).toEqual(['grid', 'mean_reversion*'])
    expect(r.html).toContain('>Mean reversion</option>')
    expect(r.attr('input-strategy', 'disabled')).toBeNull()
    expect(r.text('field-strategy')).toContain('Buys a close far below its moving average')
  })

  it("an existing bot's strategy is fixed: shown, disabled", async () => {
    const r = await render(StrategySelect, { strategies: strategies(), modelValue: 'grid', editing: true })
    expect(r.attr('input-strategy', 'disabled')).toBe('')
    expect(options(r.html)).toEqual(['grid*', 'mean_reversion'])
    expect(r.text('field-strategy')).toContain('A bot keeps its strategy')
  })

  it('a bot of a strategy bots no longer run, or the server does not list, still shows it', async () => {
    const held = await render(StrategySelect, { strategies: strategies(), modelValue: 'buy_and_hold', editing: true })
    expect(options(held.html)).toEqual(['grid', 'mean_reversion', 'buy_and_hold*'])
    const unknown = await render(StrategySelect, { strategies: strategies(), modelValue: 'twap', editing: true })
    expect(options(unknown.html)).toContain('twap*')
  })

  it("shows the server's refusal of the strategy", async () => {
    const r = await render(StrategySelect, { strategies: strategies(), modelValue: 'grid', error: 'strategy "x" is unknown' })
    expect(r.text('field-error-strategy')).toBe('strategy "x" is unknown')
    expect(r.attr('input-strategy', 'aria-invalid')).toBe('true')
  })
})
