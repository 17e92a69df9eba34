import { describe, expect, it } from 'vitest'
import { bot, mrBot, stats } from '@/test/fixtures'
import { render } from '@/test/render'
import BotsOverview from './BotsOverview.vue'

describe('BotsOverview', () => {
  const bots = [bot({ id: 1, pair: 'ETH/USDT' }), mrBot({ id: 2 }), bot({ id: 3, pair: 'BNB/USDT' })]
  const byId = { 1: stats({ total_pnl: '-2', total_pnl_pct: '-0.0002' }), 2: stats() }

  it('one row per bot, by pair first, each linking to its page, with a Clone', async () => {
    const r = await render(BotsOverview, { bots, stats: byId })
    expect(r.attr('bots-overview', 'data-rows')).toBe('3')
    expect(r.attr('bots-overview', 'data-sort')).toBe('name:asc')
    expect(r.all('overview-row').map((row) => /data-bot-id="(\d+)"/.exec(row)?.[1])).toEqual(['3', '2', '1'])
    expect(r.all('overview-link')[0]).toContain('href="/bots/3"')
    expect(r.all('overview-clone')[1]).toContain('href="/bots/new?from=2"')
    expect(r.all('overview-total-pnl').map((t) => t.replace(/<[^>]+>/g, '').trim())).toEqual(['—', '+9.40 USDT', '-2.00 USDT'])
    expect(r.html).toContain('2 d 3 h')
    expect(r.html).toContain('aria-sort="ascending"')
  })
})
