import { describe, expect, it } from 'vitest'
import { render } from '@/test/render'
import ConfigPage from './ConfigPage.vue'

describe('ConfigPage', () => {
  it('has a control for every setting of the config, exits and fees included', async () => {
    const r = await render(ConfigPage)
    for (const name of ['pair', 'capital', 'lower_bound', 'upper_bound', 'grid_levels', 'spacing', 'max_daily_loss',
      'stop_loss_pct', 'take_profit_pct', 'out_of_range', 'sell_on_stop', 'fee_rate', 'fee_asset']) {
      expect(r.all(`input-${name}`), name).toHaveLength(1)
    }
    expect(r.attr('input-out_of_range', 'data-testid')).toBe('input-out_of_range')
    expect(r.html).toMatch(/<option value="hold" selected/)
    expect(r.html).toMatch(/<option value="base" selected/)
    expect(r.attr('input-sell_on_stop', 'checked')).toBeNull()
  })
})
