import { describe, expect, it } from 'vitest'
import { bot } from '@/test/fixtures'
import { render } from '@/test/render'
import DeleteBot from './DeleteBot.vue'

describe('DeleteBot', () => {
  it('offers to delete, with its dialog closed until asked', async () => {
    const r = await render(DeleteBot, { bot: bot() })
    expect(r.text('bot-delete')).toContain('Delete')
    expect(r.attr('bot-delete', 'disabled')).toBeNull()
    expect(r.all('delete-dialog')).toEqual([])
  })
})
