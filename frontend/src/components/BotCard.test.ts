import { describe, expect, it } from 'vitest'
import { bot, mrBot, mrStats, stats } from '@/test/fixtures'
import { render } from '@/test/render'
import BotCard from './BotCard.vue'

describe('BotCard', () => {
  it('a running bot offers Stop, whose sell-or-keep dialog opens only when asked', async () => {
    const r = await render(BotCard, { bot: bot({ status: 'running' }), stats: stats() })
    expect(r.text('bot-stop')).toContain('Stop')
    expect(r.attr('bot-stop', 'disabled')).toBeNull()
    expect(r.all('stop-dialog')).toEqual([])
    expect(r.all('bot-start')).toEqual([])
  })

  it('a grid shows its range and open orders', async () => {
    const r = await render(BotCard, { bot: bot(), stats: stats() })
    expect(r.text('bot-range')).toBe('95,000.00 – 105,000.00')
    expect(r.text('bot-open-orders')).toBe('19/19')
    expect(r.attr('bot-strategy', 'data-strategy')).toBe('grid')
  })

  it('a mean-reversion bot shows its entry rule and its position instead', async () => {
    const r = await render(BotCard, { bot: mrBot(), stats: mrStats() })
    expect(r.all('bot-range')).toEqual([])
    expect(r.text('bot-strategy')).toBe('Mean reversion')
    expect(r.text('bot-signal')).toBe('5-candle average − 2σ')
    expect(r.text('bot-position')).toBe('0.01 BTC at 95,000.00')
    const flat = await render(BotCard, { bot: mrBot(), stats: mrStats({ position: null }) })
    expect(flat.text('bot-position')).toBe('flat')
  })

  it('its returns: total P&L with ROI, APRs, running time; and Clone', async () => {
    const r = await render(BotCard, { bot: bot({ id: 4 }), stats: stats() })
    expect(r.text('bot-total-pnl')).toBe('+9.40 USDT (0.09%)')
    expect(r.text('bot-apr')).toBe('2.1% / 1.6%')
    expect(r.text('bot-running')).toMatch(/^2 d 3 h · started /)
    expect(r.html).toContain('Grid profit')
    expect(r.all('bot-clone')[0]).toContain('href="/bots/new?from=4"')
    const none = await render(BotCard, { bot: bot(), stats: null })
    expect(none.text('bot-running')).toBe('—')
    expect(none.text('bot-apr')).toBe('— / —')
  })
})
