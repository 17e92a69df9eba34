import { describe, expect, it } from 'vitest'
import { render } from '@/test/render'
import FeeFields from './FeeFields.vue'

describe('FeeFields', () => {
  it('takes the fee rate in percent and says what pays the fees', async () => {
    const r = await render(FeeFields, { base: 'BTC', quote: 'USDT', errors: {}, feePct: '0.075', feeAsset: 'base' })
    expect(r.attr('input-fee_rate', 'value')).toBe('0.075')
    expect(r.text('field-fee_rate')).toContain('Fee rate (% per fill)')
    expect(r.text('field-fee_rate')).toContain('Empty: the server')
    expect(r.text('field-fee_asset')).toContain('Each buy pays its fee in the BTC it delivers')
    const q = await render(FeeFields, { base: 'BTC', quote: 'USDT', errors: { fee_rate: 'Must be below 10 %' }, feePct: '12', feeAsset: 'quote' })
    expect(q.text('field-fee_asset')).toContain('valued in USDT')
    expect(q.text('field-error-fee_rate')).toBe('Must be below 10 %')
  })
})
