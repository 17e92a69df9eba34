import { describe, expect, it } from 'vitest'
import { useStrategiesStore } from '@/stores/strategies'
import { render, testPinia } from '@/test/render'
import { gridStrategy, meanReversionStrategy, strategies } from '@/test/strategies'
import type { Strategy } from '@/types/strategy'
import ConfigPage from './ConfigPage.vue'

/** The page with the strategies already read (the store is shared across pages). */
function withStrategies(list: Strategy[]) {
  const pinia = testPinia()
  const s = useStrategiesStore()
  s.list = list
  s.loaded = true
  return pinia
}

describe('ConfigPage', () => {
  it("a new bot: the grid's schema gives a control for every setting, with its defaults; AI Optimize is offered", async () => {
    const r = await render(ConfigPage, {}, withStrategies(strategies()))
    expect(r.text('config-form')).toContain('Grid settings')
    expect(r.attr('input-strategy', 'data-strategy')).toBe('grid')
    expect(r.attr('input-strategy', 'disabled')).toBeNull()
    for (const name of ['pair', ...(gridStrategy().schema['x-order'] ?? [])]) {
      expect(r.all(`input-${name}`), name).toHaveLength(1)
    }
    expect(r.html).toMatch(/<option value="hold" selected/)
    expect(r.html).toMatch(/<option value="base" selected/)
    expect(r.attr('input-sell_on_stop', 'checked')).toBeNull()
    expect(r.all('config-ai-optimize')).toHaveLength(1)
    expect(r.attr('input-mode', 'data-mode')).toBe('paper')
  })

  it('a strategy without AI has no AI Optimize; its own fields are the form', async () => {
    const r = await render(ConfigPage, {}, withStrategies([{ ...gridStrategy(), bots: false }, meanReversionStrategy()]))
    expect(r.attr('input-strategy', 'data-strategy')).toBe('mean_reversion')
    expect(r.all('config-ai-optimize')).toEqual([])
    expect(r.attr('schema-form', 'data-fields')).toBe('6')
    expect(r.attr('input-window', 'value')).toBe('20')
    expect(r.attr('input-band', 'value')).toBe('2')
    expect(r.all('input-lower_bound')).toEqual([])
    expect(r.all('config-test')).toHaveLength(1)
  })

  it('before the strategies are read, no form and no save', async () => {
    const r = await render(ConfigPage, {}, testPinia())
    expect(r.all('schema-form')).toEqual([])
    expect(r.attr('config-save', 'disabled')).toBe('')
  })
})
