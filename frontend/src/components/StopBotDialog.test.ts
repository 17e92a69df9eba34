import { describe, expect, it } from 'vitest'
import { bot } from '@/test/fixtures'
import { render } from '@/test/render'
import StopBotDialog from './StopBotDialog.vue'

describe('StopBotDialog', () => {
  it('asks whether to sell or keep the coins, starting from keep', async () => {
    const r = await render(StopBotDialog, { open: true, bot: bot({ status: 'running' }), openOrders: 19 })
    expect(r.text('stop-dialog')).toContain('Stop BTC/USDT (#1)?')
    expect(r.text('stop-dialog')).toContain('cancels its 19 open orders')
    expect(r.attr('stop-choice', 'data-sell')).toBe('false')
    expect(r.attr('stop-keep', 'checked')).toBe('')
    expect(r.attr('stop-sell', 'checked')).toBeNull()
    expect(r.text('stop-confirm')).toBe('Stop and keep the BTC')
  })

  it("starts from selling when the bot's sell on stop is on, and says a live sale is a real order", async () => {
    const b = bot({ status: 'running', mode: 'live' })
    b.config = { ...b.config, sell_on_stop: true }
    const r = await render(StopBotDialog, { open: true, bot: b })
    expect(r.attr('stop-sell', 'checked')).toBe('')
    expect(r.text('stop-confirm')).toBe('Stop and sell the BTC')
    expect(r.text('stop-dialog')).toContain('a real market order on Binance')
    expect(r.text('stop-dialog')).toContain('"Sell on stop" is on')
  })

  it('renders nothing while closed', async () => {
    const r = await render(StopBotDialog, { open: false, bot: bot() })
    expect(r.all('stop-dialog')).toEqual([])
  })
})
