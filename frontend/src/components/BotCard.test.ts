import { describe, expect, it } from 'vitest'
import { bot, stats } from '@/test/fixtures'
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
})
